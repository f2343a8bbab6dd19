"""What ``tools/train.py`` and ``tools/test.py`` do, as functions.

The CLI is mmagic's (config, ``--work-dir``, ``--resume``, ``--amp``,
``--cfg-options``, ``--launcher``); on top of it, ``--cfg-options
data_root=DIR`` moves every path of the config that lies under the config's
``data_root`` (datasets, export hook, stage-1 config of the pipeline) to DIR,
so one option re-targets a run to another dataset.
"""
import logging
import os.path as osp
from typing import Any, Dict, Optional, Sequence, Union

import mmengine
import torch
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import RUNNERS, DefaultScope
from mmengine.runner import Runner, load_checkpoint
from torch import nn

from mmagic.registry import MODELS


class MetricsRecorder(Hook):
    """Keeps the metrics of every validation (by iteration) and of the last
    test epoch (mmagic's MultiValLoop/MultiTestLoop ``run()`` return
    nothing, the metrics only reach hooks)."""

    def __init__(self) -> None:
        self.val_history: Dict[int, dict] = {}
        self.test_metrics: Optional[dict] = None

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self.val_history[runner.iter] = dict(metrics or {})

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self.test_metrics = dict(metrics or {})

    @classmethod
    def attach(cls, runner: Runner) -> 'MetricsRecorder':
        """Register a new recorder on ``runner`` and return it."""
        recorder = cls()
        runner.register_hook(recorder, 'LOWEST')
        return recorder


def propagate_data_root(cfg: Config, old_root: Optional[str]) -> None:
    """Rewrite, in place, every string of ``cfg`` equal to ``old_root`` or
    under ``old_root/`` so that it lies under ``cfg.data_root`` instead."""
    new_root = cfg.get('data_root')
    if not old_root or not new_root or old_root == new_root:
        return
    old_root = old_root.rstrip('/')

    def move(value: Any) -> Any:
        if isinstance(value, str):
            if value == old_root or value.startswith(old_root + '/'):
                return new_root.rstrip('/') + value[len(old_root):]
            return value
        if isinstance(value, dict):
            for key in list(value.keys()):
                value[key] = move(value[key])
            return value
        if isinstance(value, (list, tuple)):
            return type(value)(move(v) for v in value)
        return value

    for key in list(cfg.keys()):
        if key != 'data_root':
            cfg[key] = move(cfg[key])


def enable_amp(cfg: Config) -> None:
    """Turn every ``OptimWrapper`` of the config (single or per-module dict,
    as in GAN configs) into a dynamic-loss-scale ``AmpOptimWrapper``."""
    wrappers = [cfg.optim_wrapper] if 'type' in cfg.optim_wrapper else [
        v for v in cfg.optim_wrapper.values()
        if isinstance(v, dict) and 'type' in v
    ]
    for wrapper in wrappers:
        if wrapper.type == 'AmpOptimWrapper':
            continue
        if wrapper.type != 'OptimWrapper':
            raise ValueError(
                '--amp needs optim wrappers of type OptimWrapper, '
                f'got {wrapper.type}')
        wrapper.type = 'AmpOptimWrapper'
        wrapper.loss_scale = 'dynamic'


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, the work dir of a config that names none
    (as mmagic's ``tools/train.py`` does)."""
    return osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])


def default_device() -> str:
    """``'cuda'`` when a GPU is available, else ``'cpu'``."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def build_model(config: Union[str, Config],
                checkpoint: str,
                strict: bool = False) -> nn.Module:
    """The config's model (built in its default scope, as mmengine builds
    the data preprocessor there) with the checkpoint's weights, on CPU."""
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmagic')):
        model = MODELS.build(cfg.model)
    load_checkpoint(
        model, checkpoint, map_location='cpu', strict=strict, logger='silent')
    return model


def load_config(config: str,
                *,
                work_dir: Optional[str] = None,
                cfg_options: Optional[dict] = None,
                launcher: str = 'none') -> Config:
    """Read a config, merge ``cfg_options`` (moving paths when ``data_root``
    changes) and set ``work_dir`` (CLI > config > ``work_dirs/<name>``)."""
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        old_root = cfg.get('data_root')
        cfg.merge_from_dict(cfg_options)
        propagate_data_root(cfg, old_root)
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = default_work_dir(config)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Build mmengine's Runner (or the registered ``runner_type``)."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)


def train(config: str,
          *,
          work_dir: Optional[str] = None,
          resume: bool = False,
          amp: bool = False,
          cfg_options: Optional[dict] = None,
          launcher: str = 'none') -> Runner:
    """Train ``config`` like mmagic's ``tools/train.py``; return the runner.
    """
    cfg = load_config(
        config, work_dir=work_dir, cfg_options=cfg_options, launcher=launcher)
    if amp:
        enable_amp(cfg)
    if resume:
        cfg.resume = True
    runner = build_runner(cfg)
    runner.train()
    print_log(
        f'Checkpoints and logs are in {osp.abspath(cfg.work_dir)}',
        logger='current',
        level=logging.INFO)
    return runner


def test(config: str,
         checkpoint: str,
         *,
         out: Optional[str] = None,
         work_dir: Optional[str] = None,
         cfg_options: Optional[dict] = None,
         launcher: str = 'none') -> dict:
    """Evaluate ``checkpoint`` on the config's test set; returns the metrics
    and dumps them to ``out`` (json/yaml/pkl by extension) when given."""
    cfg = load_config(
        config, work_dir=work_dir, cfg_options=cfg_options, launcher=launcher)
    cfg.load_from = checkpoint
    runner = build_runner(cfg)
    recorder = MetricsRecorder.attach(runner)
    runner.test()
    if out and is_main_process():
        mmengine.dump(recorder.test_metrics, out)
    return recorder.test_metrics


__all__: Sequence[str] = ('MetricsRecorder', 'default_work_dir',
                          'default_device', 'build_model',
                          'propagate_data_root',
                          'enable_amp', 'load_config', 'build_runner', 'train',
                          'test')
