# Both DASR stages on RealSR (V3, Canon, x4); see dasr_aim.py.
_base_ = ['./srn_realsr.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_realsr.py',
    max_iters=_base_.max_iters,
    val_interval=5000)
