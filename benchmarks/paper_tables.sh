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
# Shortened schedules (the README's tables); unset for the configs' own.
T1_ITERS=${T1_ITERS-1500}
T2_PRETRAIN=${T2_PRETRAIN-1000}
T2_ADV=${T2_ADV-50}
$PY benchmarks/dsn_fidelity.py --data-root "$ROOT" --work-dir "$WORK/table1" \
  ${T1_ITERS:+--max-iters $T1_ITERS}
$PY benchmarks/ablation.py --data-root "$ROOT" --work-dir "$WORK/table2" \
  --stage1-export "${STAGE1_EXPORT:-$WORK/table1/hr_wfs_wavelet/export}" \
  ${T2_PRETRAIN:+--pretrain-iters $T2_PRETRAIN} ${T2_ADV:+--adv-iters $T2_ADV}
