#!/usr/bin/env bash
# Set up .venv (idempotent, see tools/setup_env.sh) and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
