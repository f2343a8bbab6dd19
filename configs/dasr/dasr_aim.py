# The whole DASR pipeline on AIM 2019 in one command:
#   python tools/train.py configs/dasr/dasr_aim.py [--resume]
# stage 1 (configs/dasr/dsn_aim.py, in <work_dir>/stage1_dsn, exporting the
# generated LR + domain-distance maps) → stage 2 (this config = srn_aim.py,
# checkpoints in <work_dir>). `--cfg-options data_root=DIR` moves both stages.
_base_ = ['./srn_aim.py']

train_cfg = dict(
    type='DASRTwoStageTrainLoop',
    stage1_config='{{fileDirname}}/dsn_aim.py',
    max_iters=_base_.max_iters,
    val_interval=5000)
# When stage 2 ends, rank 0 writes the run report <work_dir>/report/index.html
# (+ report.png): curves of both stages, Fig. 1, maps, SR sheets; a failing
# report is a warning only. Off: --cfg-options
# default_hooks.run_report.enabled=False; by hand: tools/analysis/report.py
default_hooks = dict(run_report=dict(type='RunReportHook'))
