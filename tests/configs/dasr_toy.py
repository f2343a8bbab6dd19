# The demo pipeline shrunk to a few iterations per stage, for tests; the kill
# switch (tests/helpers/kill_switch.py) is armed by DASR_KILL_AT.
_base_ = ['../../configs/dasr/dasr_demo.py']

custom_imports = dict(
    imports=['dasr_mm', 'tests.helpers.kill_switch'],
    allow_failed_imports=False)
train_cfg = dict(
    max_iters=6,
    val_interval=6,
    stage1_cfg_options=dict(
        custom_imports=custom_imports,
        train_cfg=dict(max_iters=6, val_interval=6),
        model=dict(train_cfg=dict(pretrain_iters=3)),
        train_dataloader=dict(batch_size=2),
        default_hooks=dict(
            checkpoint=dict(interval=2), logger=dict(interval=1))))
model = dict(train_cfg=dict(pretrain_iters=3))
train_dataloader = dict(batch_size=2)
# the run report is off here (tests/test_apis/test_run_report.py turns it on
# with --cfg-options default_hooks.run_report.enabled=True), and small
default_hooks = dict(
    checkpoint=dict(interval=2),
    logger=dict(interval=1),
    run_report=dict(enabled=False, num_images=2, domain_gap_steps=20))
