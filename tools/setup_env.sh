#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment `.venv` from the pinned
# files in requirements/. Idempotent: when the pins have not changed since the
# last successful run it does nothing. The mmcv 2.1.0 build with compiled ops
# (~17 min on 2 cores) is cached as a wheel under $DASR_WHEEL_CACHE, so it
# happens once per machine.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DASR_VENV:-.venv}
PY=${PYTHON:-python3}
WHEELS=${DASR_WHEEL_CACHE:-$HOME/.cache/dasr_mm/wheels}
STAMP="$VENV/.dasr_requirements.sha256"
want=$(cat requirements/*.txt requirements/*.sh setup.py 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "[setup_env] $VENV is up to date"
  exit 0
fi
start=$(date +%s)
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip="$VENV/bin/python -m pip --disable-pip-version-check"
$pip install -q -r requirements/build.txt
$pip install -q -r requirements/torch.txt
bash requirements/build_mmcv.sh "$VENV/bin/python" "$WHEELS"
$pip install -q -r requirements/lock.txt
$pip install -q --no-deps -r requirements/no_deps.txt
$pip install -q --no-deps --no-build-isolation -e .
"$VENV/bin/python" -c "import dasr_mm, mmagic, mmcv; print('[setup_env] mmagic', mmagic.__version__, 'mmcv', mmcv.__version__)"
echo "$want" > "$STAMP"
echo "[setup_env] done in $(( $(date +%s) - start )) s"
