#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment `.venv` from the pinned
# files in requirements/. Idempotent: when the pins and the mmcv flavour have
# not changed since the last successful run it does nothing.
#
# mmcv flavour (DASR calls no mmcv op, see dasr_mm/utils/compat.py):
#   DASR_MMCV=lite (default)  mmcv-lite 2.1.0, a pure-Python wheel (seconds)
#   DASR_MMCV=full            mmcv 2.1.0 built with its compiled ops (~17 min on
#                             2 cores, once per machine: the wheel is cached
#                             under $DASR_WHEEL_CACHE), for users who need
#                             mmcv.ops in the same environment
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DASR_VENV:-.venv}
PY=${PYTHON:-python3}
MMCV=${DASR_MMCV:-lite}
WHEELS=${DASR_WHEEL_CACHE:-$HOME/.cache/dasr_mm/wheels}
STAMP="$VENV/.dasr_requirements.sha256"
case "$MMCV" in
  lite|full) ;;
  *) echo "[setup_env] DASR_MMCV must be 'lite' or 'full', got '$MMCV'" >&2; exit 2 ;;
esac
want=$( (cat requirements/*.txt requirements/*.sh setup.py; echo "mmcv=$MMCV") \
  2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "[setup_env] $VENV is up to date (mmcv: $MMCV)"
  exit 0
fi
start=$(date +%s)

# step NAME HINT CMD...: run one install step, print how long it took, and on
# failure say which step failed and what to try.
step() {
  local name=$1 hint=$2; shift 2
  local t0; t0=$(date +%s)
  echo "[setup_env] $name ..."
  if ! "$@"; then
    echo "[setup_env] FAILED: $name" >&2
    echo "[setup_env] try: $hint" >&2
    exit 1
  fi
  echo "[setup_env] $name: $(( $(date +%s) - t0 )) s"
}

pip="$VENV/bin/python -m pip --disable-pip-version-check"
[ -x "$VENV/bin/python" ] || step "create $VENV" \
  "check that '$PY -m venv' works (Debian: apt-get install python3-venv)" \
  "$PY" -m venv "$VENV"
step "build tools (requirements/build.txt)" \
  "pip needs a package index; check your network or PIP_INDEX_URL" \
  $pip install -q -r requirements/build.txt
step "torch + torchvision (requirements/torch.txt, ~4.8 GB on first install)" \
  "free disk space (df -h) or set PIP_CACHE_DIR to a larger disk" \
  $pip install -q -r requirements/torch.txt
if [ "$MMCV" = full ]; then
  $pip uninstall -q -y mmcv-lite >/dev/null 2>&1 || true
  step "mmcv 2.1.0 with compiled ops (requirements/build_mmcv.sh)" \
    "a C++ compiler and Python headers are needed (apt-get install g++ python3-dev); or use DASR_MMCV=lite" \
    bash requirements/build_mmcv.sh "$VENV/bin/python" "$WHEELS"
else
  $pip uninstall -q -y mmcv >/dev/null 2>&1 || true
  step "mmcv-lite (requirements/mmcv_lite.txt)" \
    "check your network or PIP_INDEX_URL" \
    $pip install -q -r requirements/mmcv_lite.txt
fi
step "runtime lock (requirements/lock.txt)" \
  "a pin may be missing from your index; 'pip install -r requirements/lock.txt' shows which" \
  $pip install -q -r requirements/lock.txt
step "mmagic --no-deps (requirements/no_deps.txt)" \
  "check your network or PIP_INDEX_URL" \
  $pip install -q --no-deps -r requirements/no_deps.txt
step "dasr_mm (pip install -e .)" \
  "run '$pip install --no-deps -e .' to see the error" \
  $pip install -q --no-deps --no-build-isolation -e .
step "import check" \
  "remove $VENV and run this script again" \
  "$VENV/bin/python" -W ignore -c "import dasr_mm, mmagic.models, mmcv; import importlib.util as u; ops = u.find_spec('mmcv._ext') is not None and getattr(u.find_spec('mmcv._ext'), 'loader', None) is not None; print('[setup_env] mmagic', mmagic.__version__, '| mmcv', mmcv.__version__, '(compiled ops)' if ops else '(mmcv-lite, no compiled ops)')"
echo "$want" > "$STAMP"
echo "[setup_env] done in $(( $(date +%s) - start )) s (mmcv: $MMCV)"
