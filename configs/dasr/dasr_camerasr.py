# Both DASR stages on CameraSR (City100 iPhone X), x1; see dasr_aim.py.
_base_ = ['./srn_camerasr.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_camerasr.py',
    max_iters=_base_.max_iters,
    val_interval=5000)
