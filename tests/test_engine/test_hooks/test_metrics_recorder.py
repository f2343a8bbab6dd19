"""MetricsRecorder keeps what mmagic's val/test loops only hand to hooks."""
import os.path as osp

from mmagic.registry import HOOKS

from dasr_mm.apis import build_runner, load_config
from dasr_mm.engine.hooks import MetricsRecorder


def test_records_every_validation_and_the_test_metrics(
        tiny_dasr_root, tmp_path, repo_root):
    cfg = load_config(
        osp.join(repo_root, 'tests', 'configs', 'rrdbnet_smoke.py'),
        work_dir=str(tmp_path / 'work'),
        cfg_options={
            'data_root': osp.join(tiny_dasr_root(), 'val'),
            'train_cfg.val_interval': 1
        })
    runner = build_runner(cfg)
    assert isinstance(HOOKS.build(dict(type='MetricsRecorder')),
                      MetricsRecorder)
    recorder = MetricsRecorder.attach(runner)
    assert runner.hooks[-1] is recorder  # LOWEST: after loggers and savers
    runner.train()
    assert sorted(recorder.val_history) == [1, 2]
    assert recorder.test_metrics is None
    for metrics in recorder.val_history.values():
        assert set(metrics) == {'PSNR', 'SSIM'}
        assert 0 < metrics['PSNR'] < 60 and 0 < metrics['SSIM'] <= 1
    runner.test()
    assert set(recorder.test_metrics) == {'PSNR', 'SSIM'}
    assert sorted(recorder.val_history) == [1, 2]  # a test is no validation
