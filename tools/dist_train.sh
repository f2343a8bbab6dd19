#!/usr/bin/env bash
# Train with NPROC processes per machine (one per GPU) through torchrun:
#   tools/dist_train.sh CONFIG NPROC [train.py args...]
# One machine, 8 GPUs:
#   tools/dist_train.sh configs/dasr/dasr_aim.py 8
# Two machines with 8 GPUs each: the same command on both, NODE_RANK=0 on
# the machine at MASTER_ADDR (which must be reachable from the other):
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 8
#   NNODES=2 NODE_RANK=1 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 8
# Without CUDA the processes run on CPU and talk over gloo. PORT (29500) is
# the rendezvous port on MASTER_ADDR; PYTHON (python) the interpreter.
set -euo pipefail
CONFIG=$1; NPROC=$2; shift 2
TOOLS=$(dirname "$0")
PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
  --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
  --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
  --nproc_per_node="$NPROC" "$TOOLS/train.py" "$CONFIG" \
  --launcher pytorch "$@"
