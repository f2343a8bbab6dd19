"""What ``tools/train.py`` and ``tools/test.py`` do, as functions.

The CLI is mmagic's (config, ``--work-dir``, ``--resume``, ``--amp``,
``--cfg-options``, ``--launcher``); on top of it, ``--cfg-options
data_root=DIR`` moves every path of the config that lies under the config's
``data_root`` (datasets, export hook, stage-1 config of the pipeline) to DIR,
so one option re-targets a run to another dataset.

Bad input fails before the first iteration (see ``docs/bad_input.md``):
:func:`load_config` rejects unknown keys (:mod:`dasr_mm.apis.config_check`);
:func:`build_runner` resumes from the checkpoint inside the work dir, refuses
to resume with a changed model or scale, and loads ``load_from`` strictly
unless ``load_from_strict=False`` (:mod:`dasr_mm.apis.checkpoint_checks`);
the datasets check their folders when the Runner builds them.
"""
import logging
import os.path as osp
from typing import Any, Optional, Sequence, Union

import mmengine
import torch
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.registry import RUNNERS, DefaultScope
from mmengine.runner import Runner
from torch import nn

from mmagic.registry import HOOKS, MODELS
from dasr_mm.apis.checkpoint_checks import (check_checkpoint_matches,
                                            check_resume_compatible,
                                            load_weights, read_checkpoint,
                                            resolve_resume_checkpoint)
from dasr_mm.apis.config_check import check_config, config_key_problems
from dasr_mm.apis.distributed import prepare_cpu_processes
from dasr_mm.utils.config_keys import ConfigKeyError


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


AMP_WRAPPERS = ('AmpOptimWrapper', 'CPUAutocastOptimWrapper')


def _optim_wrappers(cfg: Config) -> list:
    """The config's optim wrapper configs (one, or a per-module dict as in
    GAN configs; none for a config without ``optim_wrapper``)."""
    wrappers = cfg.get('optim_wrapper') or {}
    if 'type' in wrappers:
        return [wrappers]
    return [
        v for v in wrappers.values() if isinstance(v, dict) and 'type' in v
    ]


def enable_amp(cfg: Config,
               dtype: Optional[str] = None,
               device: Optional[str] = None) -> None:
    """Turn every ``OptimWrapper`` of the config into a mixed-precision one.

    On CUDA: mmengine's ``AmpOptimWrapper`` with dynamic loss scaling,
    ``dtype`` ``'float16'`` (default) or ``'bfloat16'``. On the CPU:
    ``CPUAutocastOptimWrapper`` (bf16 autocast; ``dtype`` must be None or
    ``'bfloat16'``). ``device`` defaults to :func:`default_device`.
    """
    device = device or default_device()
    for wrapper in _optim_wrappers(cfg):
        if wrapper.type in AMP_WRAPPERS:
            continue
        if wrapper.type != 'OptimWrapper':
            raise ValueError(
                '--amp needs optim wrappers of type OptimWrapper, '
                f'got {wrapper.type}')
        if device.startswith('cuda'):
            wrapper.type = 'AmpOptimWrapper'
            wrapper.loss_scale = 'dynamic'
            wrapper.dtype = dtype or 'float16'
        else:
            wrapper.type = 'CPUAutocastOptimWrapper'
            wrapper.dtype = dtype or 'bfloat16'


def amp_settings(cfg: Config) -> Optional[str]:
    """The mixed-precision dtype the config's optim wrappers use (as
    :func:`enable_amp` set it), or None for fp32."""
    for wrapper in _optim_wrappers(cfg):
        if wrapper.type in AMP_WRAPPERS:
            return wrapper.get('dtype') or 'float16'
    return None


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, the work dir of a config that names none
    (as mmagic's ``tools/train.py`` does)."""
    return osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])


def default_device() -> str:
    """``'cuda'`` when a GPU is available, else ``'cpu'``."""
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def build_model(config: Union[str, Config],
                checkpoint: str,
                strict: bool = True) -> nn.Module:
    """The config's model (built in its default scope, as mmengine builds
    the data preprocessor there) with the checkpoint's weights, on CPU.

    The model's keys are checked first (unknown keys name the closest valid
    one). ``strict``: the checkpoint must hold exactly the model's weights,
    with their shapes (else :class:`CheckpointMismatchError` lists the
    differences); ``strict=False`` loads what matches and logs the rest.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    problems = config_key_problems(
        Config(
            dict(
                model=cfg.model,
                default_scope=cfg.get('default_scope', 'mmagic'))))
    if problems:
        raise ConfigKeyError(problems)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmagic')):
        model = MODELS.build(cfg.model)
    load_weights(model, checkpoint, strict=strict)
    return model


def load_config(config: str,
                *,
                work_dir: Optional[str] = None,
                cfg_options: Optional[dict] = None,
                launcher: str = 'none') -> Config:
    """Read a config, merge ``cfg_options`` (moving paths when ``data_root``
    changes), set ``work_dir`` (CLI > config > ``work_dirs/<name>``) and
    check its keys (:func:`~dasr_mm.apis.config_check.check_config`: an
    unknown key raises ``ConfigKeyError`` naming the closest valid one)."""
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
    check_config(cfg)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Build mmengine's Runner (or the registered ``runner_type``) after
    checking the checkpoint it will load.

    - ``resume``: continue from the checkpoint that ``last_checkpoint`` of
      the work dir names, taken from that work dir itself (a copied or moved
      work dir resumes from its own files; ``cfg.load_from`` is set to it),
      and only if the checkpoint's saved config has the same ``model`` and
      data ``scale`` (checked before the Runner dumps the new config into the
      work dir).
    - ``load_from`` (also the resumed checkpoint): it must match the model
      exactly (missing, unexpected or reshaped weights raise
      ``CheckpointMismatchError``) unless ``cfg.load_from_strict`` is False.
    - ``launcher`` other than ``'none'`` on a machine without CUDA: the
      processes are joined with gloo first and DDP gets no GPU ids
      (:func:`~dasr_mm.apis.distributed.prepare_cpu_processes`).
    """
    prepare_cpu_processes(cfg)
    checkpoint = None
    if cfg.get('resume', False):
        if cfg.get('load_from') is None:
            cfg.load_from = resolve_resume_checkpoint(cfg.work_dir)
        if cfg.get('load_from') is not None:
            checkpoint = read_checkpoint(cfg.load_from)
            check_resume_compatible(cfg, cfg.load_from, checkpoint)
    if cfg.get('load_from') is not None and checkpoint is None:
        checkpoint = read_checkpoint(cfg.load_from)  # names a missing file
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(
        cfg)
    if cfg.get('load_from') is not None:
        check_checkpoint_matches(
            runner.model,
            cfg.load_from,
            checkpoint,
            strict=cfg.get('load_from_strict', True))
    return runner


def train(config: str,
          *,
          work_dir: Optional[str] = None,
          resume: bool = False,
          amp: bool = False,
          amp_dtype: Optional[str] = None,
          cfg_options: Optional[dict] = None,
          launcher: str = 'none') -> Runner:
    """Train ``config`` like mmagic's ``tools/train.py``; return the runner.
    ``amp``: mixed precision (:func:`enable_amp`, ``amp_dtype`` its dtype;
    the two-stage pipeline's stage 1 follows).
    """
    cfg = load_config(
        config, work_dir=work_dir, cfg_options=cfg_options, launcher=launcher)
    if amp:
        enable_amp(cfg, amp_dtype)
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
         launcher: str = 'none',
         strict: bool = True) -> dict:
    """Evaluate ``checkpoint`` on the config's test set; returns the metrics
    and dumps them to ``out`` (json/yaml/pkl by extension) when given.
    ``strict``: the checkpoint must match the config's model exactly."""
    cfg = load_config(
        config, work_dir=work_dir, cfg_options=cfg_options, launcher=launcher)
    cfg.load_from = checkpoint
    cfg.load_from_strict = strict
    runner = build_runner(cfg)
    # by registry name: dasr_mm.engine imports apis, apis never imports it
    recorder = HOOKS.get('MetricsRecorder').attach(runner)
    runner.test()
    if out and is_main_process():
        mmengine.dump(recorder.test_metrics, out)
    return recorder.test_metrics


__all__: Sequence[str] = ('default_work_dir', 'default_device', 'build_model',
                          'propagate_data_root', 'enable_amp', 'amp_settings',
                          'load_config', 'build_runner', 'train', 'test')
