# FSSR at demo scale in one command: stage 1 = fssr_dsgan_demo.py → export →
# stage 2 = fssr_esrgan_fs_demo.py, with DASR's two-stage loop (as
# configs/dasr/dasr_demo.py).
#   python tools/train.py configs/baselines/fssr_demo.py
_base_ = ['./fssr_esrgan_fs_demo.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/fssr_dsgan_demo.py',
    max_iters=_base_.max_iters,
    val_interval=200)
