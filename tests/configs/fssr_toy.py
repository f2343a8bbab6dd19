# The FSSR demo pipeline (configs/baselines/fssr_demo.py) shrunk to two
# iterations per stage, for tests.
_base_ = ['../../configs/baselines/fssr_demo.py']

train_cfg = dict(
    max_iters=2,
    val_interval=2,
    stage1_cfg_options=dict(
        train_cfg=dict(max_iters=2, val_interval=2),
        param_scheduler=dict(begin=1, end=2),
        train_dataloader=dict(batch_size=2),
        default_hooks=dict(checkpoint=dict(interval=2))))
train_dataloader = dict(batch_size=2)
default_hooks = dict(checkpoint=dict(interval=2), logger=dict(interval=1))
