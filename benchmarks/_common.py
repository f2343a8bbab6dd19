"""Shared pieces of the benchmark scripts: running a config with metrics
recorded, timing, baselines on paired validation folders, table output."""
import json
import re
import os
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from dasr_mm.apis import build_runner, load_config
from dasr_mm.engine.hooks import MetricsRecorder
from dasr_mm.utils import list_images
from dasr_mm.utils.io import read_rgb

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@dataclass
class Run:
    """A finished training run: validation metrics by iteration, training
    wall time, iterations, and the runner (its trained ``model``)."""
    history: Dict[int, dict]
    seconds: float
    iters: int
    runner: Runner


def run_config(config: str,
               work_dir: str,
               data_root: str,
               edit: Optional[Callable[[Config], None]] = None) -> Run:
    """Train ``config`` (after ``edit``) in ``work_dir`` on ``data_root``."""
    cfg = load_config(
        osp.join(REPO_ROOT, config),
        work_dir=work_dir,
        cfg_options=dict(data_root=data_root))
    if edit is not None:
        edit(cfg)
    runner = build_runner(cfg)
    recorder = MetricsRecorder.attach(runner)
    start = time.perf_counter()
    runner.train()
    return Run(recorder.val_history, time.perf_counter() - start,
               cfg.train_cfg.max_iters, runner)


def shorten_schedule(cfg: Config, max_iters: Optional[int]) -> None:
    """``max_iters`` iterations, half of them content-only pre-training,
    validation at the end of each half (no-op for None); a cosine lr
    schedule is stretched to the new length (else it would rise again after
    the config's own ``T_max``)."""
    if max_iters:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters // 2
        cfg.model.train_cfg.pretrain_iters = max_iters // 2
        if cfg.param_scheduler.get('type') == 'CosineAnnealingLR':
            cfg.param_scheduler.T_max = max_iters


def read_pairs(data_root: str) -> List[Tuple[np.ndarray, np.ndarray]]:
    """(LR, HR) RGB uint8 pairs of ``data_root/val``."""
    lr_dir, hr_dir = osp.join(data_root,
                              'val/lr'), osp.join(data_root, 'val/hr')
    return [(read_rgb(osp.join(lr_dir, n)), read_rgb(osp.join(hr_dir, n)))
            for n in list_images(hr_dir)]


def mean_metrics(pairs: List[Tuple[np.ndarray, np.ndarray]],
                 crop_border: int,
                 prefixes: Tuple[str, ...] = ('', )) -> Dict[str, float]:
    """Mean PSNR/SSIM of (prediction, reference) RGB pairs, as mmagic's
    metrics compute them ('' = RGB, 'Y' = luma, with RGB channel weights)."""
    from mmagic.evaluation.metrics import psnr, ssim
    out = {}
    for prefix in prefixes:
        convert = 'Y' if prefix == 'Y' else None
        key = f'{prefix}/' if prefix else ''
        out[key + 'PSNR'] = float(
            np.mean([
                psnr(
                    p.astype(np.float64), r.astype(np.float64), crop_border,
                    'HWC', convert, channel_order='rgb') for p, r in pairs
            ]))
        out[key + 'SSIM'] = float(
            np.mean([
                ssim(
                    p.astype(np.float64), r.astype(np.float64), crop_border,
                    'HWC', convert, channel_order='rgb') for p, r in pairs
            ]))
    return out


def slug(name: str) -> str:
    """A folder name for a setting name."""
    return re.sub('[^a-z0-9]+', '_', name.lower()).strip('_')


def print_table(rows: List[dict], columns: List[str]) -> None:
    """Print ``rows`` (dicts) as an aligned text table."""

    def fmt(v):
        return f'{v:.4f}' if isinstance(v, float) else str(v)

    widths = [
        max(len(c), *(len(fmt(r.get(c, ''))) for r in rows)) for c in columns
    ]
    print('  '.join(c.ljust(w) for c, w in zip(columns, widths)))
    print('  '.join('-' * w for w in widths))
    for r in rows:
        print('  '.join(
            fmt(r.get(c, '')).ljust(w) for c, w in zip(columns, widths)))


def write_json(path: str, payload: dict) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(payload, f, indent=2)
    print(f'\nwrote {path}')
