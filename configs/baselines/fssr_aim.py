# FSSR (Table 3) in one command, AIM 2019 x4: stage 1 = the DSGAN
# (fssr_dsgan_aim.py) → export of G(x) for every HR image → stage 2 =
# ESRGAN-FS (fssr_esrgan_fs_aim.py) on those pairs; DASR's two-stage loop
# (stage 1 in <work_dir>/stage1_dsn, --resume continues either stage).
#   python tools/train.py configs/baselines/fssr_aim.py
_base_ = ['./fssr_esrgan_fs_aim.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/fssr_dsgan_aim.py',
    max_iters=_base_.max_iters,
    val_interval=5000)
