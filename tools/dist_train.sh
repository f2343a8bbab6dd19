#!/usr/bin/env bash
# usage: tools/dist_train.sh CONFIG NGPUS [train.py args...]
set -euo pipefail
CONFIG=$1; GPUS=$2; shift 2
PORT=${PORT:-29500}
torchrun --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="$PORT" \
  --nproc_per_node="$GPUS" "$(dirname "$0")/train.py" "$CONFIG" \
  --launcher pytorch "$@"
