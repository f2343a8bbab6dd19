# Both DASR stages on CameraSR (City100 iPhone X), x1; see dasr_aim.py.
_base_ = ['./srn_camerasr.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_camerasr.py',
    max_iters=_base_.max_iters,
    val_interval=5000)
# When stage 2 ends, rank 0 writes the run report <work_dir>/report/index.html
# (+ report.png): curves of both stages, Fig. 1, maps, SR sheets; a failing
# report is a warning only. Off: --cfg-options
# default_hooks.run_report.enabled=False; by hand: tools/analysis/report.py
default_hooks = dict(run_report=dict(type='RunReportHook'))
