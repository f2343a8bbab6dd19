#!/usr/bin/env bash
# Table 1 (stage 1: fidelity + domain-gap AUC of generated LR) and Table 2
# (stage 2: the six source / adversarial-domain / weighting settings) at demo
# scale, on the same data and seeds; stage 2 trains on the export of Table
# 1's HR + WFS DSN (the paper's stage 1).
#   bash benchmarks/paper_tables.sh [DATA_ROOT] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-data/demo}
WORK=${2:-work_dirs/bench_tables}
PY=${PYTHON:-.venv/bin/python}
$PY benchmarks/dsn_fidelity.py --data-root "$ROOT" --work-dir "$WORK/table1"
$PY benchmarks/ablation.py --data-root "$ROOT" --work-dir "$WORK/table2" \
  --stage1-export "$WORK/table1/hr_wfs_wavelet/export"
