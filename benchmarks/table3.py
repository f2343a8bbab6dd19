"""Table 3 at demo scale: DASR against FSSR, P.T. ESRGAN and bicubic
up-sampling on the same data, scored like the paper (PSNR/SSIM on RGB and
Y, LPIPS with the label its trunk has, NIQE), plus NIQE on the demo's
GT-less photos.

Trains stage 2 of DASR (``configs/dasr/srn_demo.py``; on the export of a
finished ``dsn_demo.py`` run given by ``--stage1-export``, else the whole
``configs/dasr/dasr_demo.py`` pipeline), FSSR (the whole
``configs/baselines/fssr_demo.py`` pipeline: DSGAN, export, ESRGAN-FS) and
``configs/baselines/esrgan_pt_demo.py``, then runs ``tools/test.py``'s
``test()`` with ``configs/dasr/test/demo.py`` and the baselines' own test
sets (the same sets). The bicubic row scores OpenCV bicubic up-sampling of
the val LR with the same metric classes. S.T. ESRGAN is not part of the
demo table (the demo has no real training pairs).

    python benchmarks/table3.py --data-root data/demo \\
        --stage1-export work_dirs/dasr_demo/stage1_dsn/export \\
        --srn-iters 600 --srn-adv-iters 100 --esrgan-iters 600 \\
        --dsgan-iters 600 --fssr-iters 400
"""
import argparse
import os.path as osp
import time
from typing import Dict, Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config

import dasr_mm  # noqa: F401
from _common import REPO_ROOT, print_table, read_pairs, run_config, write_json
from dasr_mm.apis import test
from dasr_mm.utils.io import list_images, read_rgb
from mmagic.registry import METRICS

DASR_PIPELINE = 'configs/dasr/dasr_demo.py'
DASR_STAGE2 = 'configs/dasr/srn_demo.py'
DASR_TEST = 'configs/dasr/test/demo.py'
PT_ESRGAN = 'configs/baselines/esrgan_pt_demo.py'
FSSR_PIPELINE = 'configs/baselines/fssr_demo.py'
FSSR_STAGE2 = 'configs/baselines/fssr_esrgan_fs_demo.py'
COLUMNS = ('RGB/PSNR', 'RGB/SSIM', 'Y/PSNR', 'Y/SSIM', 'LPIPS(random-alex)',
           'NIQE')


def schedule(iters: Optional[int], adv_iters: Optional[int]):
    """A config edit: ``iters`` iterations (``adv_iters`` of them after the
    content-only pre-training, for DASR), one checkpoint at the end."""

    def edit(cfg: Config) -> None:
        if iters:
            cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = iters
            cfg.default_hooks.checkpoint.interval = iters
            cfg.param_scheduler.milestones = []
            if adv_iters is not None:
                cfg.model.train_cfg.pretrain_iters = iters - adv_iters

    return edit


def fssr_schedule(dsgan_iters: Optional[int],
                  iters: Optional[int]):
    """A config edit of the FSSR pipeline: ``iters`` ESRGAN-FS iterations
    (as :func:`schedule`) after ``dsgan_iters`` DSGAN iterations (constant
    lr for the first half, then the config's linear decay), one checkpoint
    at the end of each stage."""
    edit = schedule(iters, None)

    def edit_both(cfg: Config) -> None:
        edit(cfg)
        if dsgan_iters:
            cfg.train_cfg.stage1_cfg_options = {
                'train_cfg.max_iters': dsgan_iters,
                'train_cfg.val_interval': dsgan_iters,
                'default_hooks.checkpoint.interval': dsgan_iters,
                'param_scheduler.begin': dsgan_iters // 2,
                'param_scheduler.end': dsgan_iters,
            }

    return edit_both


def _chw_bgr(img: np.ndarray) -> torch.Tensor:
    """RGB uint8 (H, W, 3) -> (3, H, W) BGR float in [0, 255], as mmagic's
    editors hand images to metrics."""
    return torch.from_numpy(img[..., ::-1].copy()).permute(2, 0, 1).float()


def _bicubic(lr: np.ndarray, scale: int) -> np.ndarray:
    size = (lr.shape[1] * scale, lr.shape[0] * scale)
    return cv2.resize(lr, size, interpolation=cv2.INTER_CUBIC)


def bicubic_row(data_root: str, test_cfg: Config) -> Dict[str, float]:
    """Bicubic up-sampling scored by the test config's own metric configs
    (same crop border, same LPIPS trunk): the paired set (val pairs) and
    the GT-less photos (``real_lr``)."""
    scale = test_cfg.scale
    pairs = read_pairs(data_root)
    photos_dir = osp.join(data_root, 'real_lr')
    paired = [
        dict(gt_img=_chw_bgr(hr), output=dict(pred_img=_chw_bgr(
            _bicubic(lr, scale)))) for lr, hr in pairs
    ]
    photos = [
        dict(output=dict(pred_img=_chw_bgr(_bicubic(
            read_rgb(osp.join(photos_dir, name)), scale))))
        for name in list_images(photos_dir)
    ]
    row = {}
    for metrics, samples in zip(test_cfg.test_evaluator, (paired, photos)):
        for metric_cfg in metrics:
            metric = METRICS.build(dict(metric_cfg))
            metric.size = len(samples)
            metric.process([], samples)
            row.update(metric.evaluate())
    return row


def table_row(metrics: Dict[str, float]) -> Dict[str, float]:
    """``demo/RGB/PSNR`` -> ``RGB/PSNR``; other sets keep their prefix."""
    row = {}
    for key, value in metrics.items():
        name, metric = key.split('/', 1)
        row[metric if name == 'demo' else key] = value
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/demo')
    parser.add_argument('--work-dir', default='work_dirs/bench_table3')
    parser.add_argument('--out', default='benchmarks/results/table3.json')
    parser.add_argument('--stage1-export',
                        help='export of a finished dsn_demo.py run')
    parser.add_argument('--srn-iters', type=int,
                        help="DASR stage-2 iterations (default: config's)")
    parser.add_argument('--srn-adv-iters', type=int,
                        help='of which adversarial (needs --srn-iters)')
    parser.add_argument('--esrgan-iters', type=int,
                        help="P.T. ESRGAN iterations (default: config's)")
    parser.add_argument('--dsgan-iters', type=int,
                        help="FSSR stage-1 (DSGAN) iterations (default: "
                        "config's)")
    parser.add_argument('--fssr-iters', type=int,
                        help="FSSR stage-2 (ESRGAN-FS) iterations (default: "
                        "config's)")
    args = parser.parse_args()
    options = dict(data_root=args.data_root)

    rows, seconds = [], {}
    test_cfg = Config.fromfile(osp.join(REPO_ROOT, DASR_TEST))
    rows.append(dict(method='bicubic', **table_row(
        bicubic_row(args.data_root, test_cfg))))

    edit = schedule(args.srn_iters, args.srn_adv_iters)
    if args.stage1_export:
        def dasr_edit(cfg: Config) -> None:
            cfg.train_dataloader.dataset.export_dir = args.stage1_export
            edit(cfg)
        config = DASR_STAGE2
    else:
        dasr_edit, config = edit, DASR_PIPELINE
    for method, config, run_edit, test_config in (
            ('DASR', config, dasr_edit, DASR_TEST),
            ('FSSR', FSSR_PIPELINE,
             fssr_schedule(args.dsgan_iters, args.fssr_iters), FSSR_STAGE2),
            ('P.T. ESRGAN', PT_ESRGAN, schedule(args.esrgan_iters, None),
             PT_ESRGAN)):
        work_dir = osp.join(args.work_dir, method.replace(' ', '_'))
        start = time.perf_counter()
        run = run_config(config, work_dir, args.data_root, run_edit)
        seconds[method] = time.perf_counter() - start
        checkpoint = osp.join(work_dir, f'iter_{run.iters}.pth')
        metrics = test(osp.join(REPO_ROOT, test_config), checkpoint,
                       work_dir=osp.join(work_dir, 'test'),
                       cfg_options=options)
        rows.append(dict(method=method, iters=run.iters,
                         **table_row(metrics)))

    columns = ['method', 'iters', *COLUMNS, 'photos/NIQE']
    print_table(rows, columns)
    write_json(args.out, dict(rows=rows, train_seconds=seconds,
                              args=vars(args)))


if __name__ == '__main__':
    main()
