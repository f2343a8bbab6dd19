#!/usr/bin/env bash
# Train on a SLURM cluster, one task per GPU (as mmagic's slurm_train.sh):
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
# e.g. 16 GPUs on 2 nodes:
#   GPUS=16 GPUS_PER_NODE=8 tools/slurm_train.sh gpu dasr_aim \
#     configs/dasr/dasr_aim.py work_dirs/dasr_aim
# GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) size the job; SRUN_ARGS
# are passed to srun; PYTHON (python) is the interpreter. mmengine reads the
# ranks from SLURM's variables (--launcher slurm) and uses NCCL: the SLURM
# launcher needs CUDA GPUs.
set -euo pipefail
PARTITION=$1; JOB_NAME=$2; CONFIG=$3; WORK_DIR=$4; shift 4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
# the port every task of this job meets at on the first node
export MASTER_PORT=${MASTER_PORT:-$((12000 + RANDOM % 20000))}
TOOLS=$(dirname "$0")
# shellcheck disable=SC2086  # SRUN_ARGS holds several arguments
PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
  --job-name="$JOB_NAME" \
  --gres=gpu:"$GPUS_PER_NODE" \
  --ntasks="$GPUS" \
  --ntasks-per-node="$GPUS_PER_NODE" \
  --cpus-per-task="$CPUS_PER_TASK" \
  --kill-on-bad-exit=1 \
  ${SRUN_ARGS:-} \
  "${PYTHON:-python}" -u "$TOOLS/train.py" "$CONFIG" --work-dir="$WORK_DIR" \
  --launcher=slurm "$@"
