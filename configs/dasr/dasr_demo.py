# The whole DASR pipeline at demo scale (the README's main command runs it):
# stage 1 = configs/dasr/dsn_demo.py → export → stage 2 = srn_demo.py.
_base_ = ['./srn_demo.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_demo.py',
    max_iters=_base_.max_iters,
    val_interval=500)
# When stage 2 ends, rank 0 writes the run report <work_dir>/report/index.html
# (+ report.png): curves of both stages, Fig. 1, maps, SR sheets; a failing
# report is a warning only. Off: --cfg-options
# default_hooks.run_report.enabled=False; by hand: tools/analysis/report.py
default_hooks = dict(run_report=dict(type='RunReportHook'))
