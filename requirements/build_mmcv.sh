#!/usr/bin/env bash
# Build mmcv 2.1.0 *with its compiled ops* against the venv's torch, once per
# machine, and install it. PyPI has only an sdist; a build-isolated install
# silently produces a wheel without ops, so we build without isolation.
# usage: build_mmcv.sh VENV_PYTHON WHEEL_CACHE_DIR
set -euo pipefail
py=$1; cache=$2
version=2.1.0
torch_tag=$("$py" -c "import torch; print(torch.__version__.split('+')[0])")
dir="$cache/mmcv-$version-torch$torch_tag"
if "$py" -c "import mmcv, mmcv._ext; assert mmcv.__version__ == '$version'" 2>/dev/null; then
  exit 0
fi
if ! ls "$dir"/mmcv-$version-*.whl >/dev/null 2>&1; then
  echo "[build_mmcv] building mmcv $version with ops against torch $torch_tag (about 17 min on 2 cores)"
  mkdir -p "$dir.tmp"
  MAX_JOBS=${MAX_JOBS:-2} MMCV_WITH_OPS=1 FORCE_CUDA=0 "$py" -m pip wheel -q --no-deps \
    --no-build-isolation "mmcv==$version" -w "$dir.tmp"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"   # publish the wheel only when complete
fi
"$py" -m pip install -q --no-deps "$dir"/mmcv-$version-*.whl
