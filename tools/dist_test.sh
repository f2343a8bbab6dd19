#!/usr/bin/env bash
# usage: tools/dist_test.sh CONFIG CHECKPOINT NGPUS [test.py args...]
set -euo pipefail
CONFIG=$1; CHECKPOINT=$2; GPUS=$3; shift 3
PORT=${PORT:-29500}
torchrun --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="$PORT" \
  --nproc_per_node="$GPUS" "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" \
  --launcher pytorch "$@"
