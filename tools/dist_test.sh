#!/usr/bin/env bash
# Evaluate with NPROC processes per machine (see tools/dist_train.sh for
# NNODES, NODE_RANK, MASTER_ADDR, PORT and PYTHON):
#   tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args...]
set -euo pipefail
CONFIG=$1; CHECKPOINT=$2; NPROC=$3; shift 3
TOOLS=$(dirname "$0")
PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
  --nproc_per_node="$NPROC" "$TOOLS/test.py" "$CONFIG" "$CHECKPOINT" \
  --launcher pytorch "$@"
