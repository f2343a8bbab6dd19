# The whole DASR pipeline at demo scale (the README's main command runs it):
# stage 1 = configs/dasr/dsn_demo.py → export → stage 2 = srn_demo.py.
_base_ = ['./srn_demo.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_demo.py',
    max_iters=_base_.max_iters,
    val_interval=500)
