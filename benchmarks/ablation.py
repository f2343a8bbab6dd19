"""Table-2-style ablation of stage 2 at demo scale.

Trains stage 1 once (``configs/dasr/dsn_demo.py``, export included), then
``configs/dasr/srn_demo.py`` for the six settings of Table 2 (mirroring
``configs/dasr/ablation/*_t2_*.py``): source pairs {Yb, Xr} (bicubic) or
{Yg, Xr} (DSN), adversarial loss on the source or the target domain, with or
without domain-distance weights. Content-only pre-training depends on the
source pairs and the weights only, so it is trained once per (source,
weights) and each adversarial setting continues from it (``load_from``, the
schedule's learning rate at that point). For each setting it reports
validation PSNR/SSIM (RGB and Y, crop border = scale) and NIQE (no-reference,
lower = more natural) at the end of pre-training and at the end, and
throughput; bicubic up-sampling of the real LR is the baseline row. LPIPS
needs ImageNet AlexNet weights, which are not available here.

    python benchmarks/ablation.py --data-root data/demo
"""
import argparse
import os.path as osp
from typing import Dict

import cv2

import dasr_mm  # noqa: F401
from _common import (mean_metrics, print_table, read_pairs, run_config,
                     slug, write_json)

STAGE1 = 'configs/dasr/dsn_demo.py'
STAGE2 = 'configs/dasr/srn_demo.py'
# name: (source pairs, adversarial domain, domain-distance weights)
SETTINGS: Dict[str, tuple] = {
    'Yb | source adv': ('bicubic', 'source', False),
    'Yb | target adv (gap aware)': ('bicubic', 'target', False),
    'Yg | source adv': ('generated', 'source', False),
    'Yg | target adv (gap aware)': ('generated', 'target', False),
    'Yg | source adv | weighted': ('generated', 'source', True),
    'Yg | target adv | weighted (DASR)': ('generated', 'target', True),
}


def configure(cfg, export_dir: str, source: str, adv_domain: str,
              use_weights: bool) -> None:
    """Set the Table 2 switches and add NIQE to the validation metrics."""
    dataset = cfg.train_dataloader.dataset
    dataset.source, dataset.use_weights = source, use_weights
    dataset.export_dir = export_dir if source == 'generated' else None
    if source == 'bicubic':  # `img` = MATLAB bicubic B(gt) instead of Yg
        bicubic = dict(type='MatlabBicubicDownsample', scale=cfg.scale)
        dataset.pipeline = [
            cfg.load_hr, bicubic, cfg.load_weight, cfg.source_crop,
            *cfg.load_target, *cfg.target_crops, *cfg.augment, cfg.pack
        ]
    cfg.model.train_cfg.update(adv_domain=adv_domain, use_weights=use_weights)
    niqe = dict(
        type='NIQE',
        input_order='CHW',
        convert_to='gray',
        crop_border=cfg.scale)
    cfg.val_evaluator = list(cfg.val_evaluator) + [niqe]


def pretraining_only(cfg, iters: int) -> None:
    """Train the content-only pre-training alone (validated at its end)."""
    cfg.model.train_cfg.pretrain_iters = iters
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = iters
    cfg.default_hooks.checkpoint.interval = iters


def adversarial_phase_from(cfg, checkpoint: str, pretrain_iters: int,
                           iters: int) -> None:
    """Continue a pre-trained model (its ``step_counter`` says pre-training
    is over) for ``iters`` adversarial iterations, with the learning rates
    the full schedule has from iteration ``pretrain_iters`` on."""
    cfg.load_from = checkpoint
    cfg.model.train_cfg.pretrain_iters = pretrain_iters
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = iters
    cfg.default_hooks.checkpoint.interval = iters
    gamma = cfg.param_scheduler.gamma
    milestones = cfg.param_scheduler.milestones
    passed = sum(m <= pretrain_iters for m in milestones)
    for net in ('generator', 'discriminator'):
        cfg.optim_wrapper[net].optimizer.lr *= gamma**passed
    cfg.param_scheduler.milestones = [
        m - pretrain_iters for m in milestones if m > pretrain_iters
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/demo')
    parser.add_argument('--work-dir', default='work_dirs/bench_ablation')
    parser.add_argument('--out', default='benchmarks/results/ablation.json')
    parser.add_argument(
        '--pretrain-iters',
        type=int,
        help='content-only pre-training (default: the config\'s)')
    parser.add_argument(
        '--adv-iters',
        type=int,
        help='adversarial iterations (default: the config\'s max_iters '
        'minus its pre-training)')
    parser.add_argument(
        '--stage1-export',
        help='reuse the export of a finished dsn_demo.py run (e.g. the '
        'HR + WFS run of dsn_fidelity.py) instead of training stage 1')
    args = parser.parse_args()

    stage1_it_per_s = None
    if args.stage1_export:
        export_dir = args.stage1_export
    else:
        stage1_dir = osp.join(args.work_dir, 'stage1_dsn')
        stage1 = run_config(STAGE1, stage1_dir, args.data_root)
        stage1_it_per_s = stage1.iters / stage1.seconds
        export_dir = osp.join(stage1_dir, 'export')

    scale = 4
    pairs = [(cv2.resize(lr, hr.shape[1::-1],
                         interpolation=cv2.INTER_CUBIC), hr)
             for lr, hr in read_pairs(args.data_root)]
    baseline = mean_metrics(pairs, scale, prefixes=('RGB', 'Y'))
    rows = [
        dict(
            setting='bicubic up-sampling (baseline)',
            **{
                f'final {k}': v
                for k, v in baseline.items()
            })
    ]
    # Pre-training depends on the source pairs and the weights only (the
    # adversarial domain acts after it): train each once, branch after it.
    pretrained: Dict[tuple, tuple] = {}
    for source, _, weights in SETTINGS.values():
        if (source, weights) in pretrained:
            continue

        def pre_edit(cfg, s=source, w=weights):
            configure(cfg, export_dir, s, 'target', w)
            pretrain = args.pretrain_iters or cfg.model.train_cfg.pretrain_iters
            pretraining_only(cfg, pretrain)

        work = osp.join(args.work_dir, f'pretrain_{source}_w{int(weights)}')
        run = run_config(STAGE2, work, args.data_root, pre_edit)
        pretrained[(source, weights)] = (
            osp.join(work, f'iter_{run.iters}.pth'), run.iters,
            run.history[run.iters], run.iters / run.seconds)

    for name, (source, adv, weights) in SETTINGS.items():
        checkpoint, pretrain, pre, pre_speed = pretrained[(source, weights)]

        def edit(cfg, s=source, a=adv, w=weights):
            configure(cfg, export_dir, s, a, w)
            adv_iters = args.adv_iters or (
                cfg.train_cfg.max_iters - cfg.model.train_cfg.pretrain_iters)
            adversarial_phase_from(cfg, checkpoint, pretrain, adv_iters)

        run = run_config(STAGE2, osp.join(args.work_dir, slug(name)),
                         args.data_root, edit)
        final = run.history[max(run.history)]
        row = dict(
            setting=name,
            pretrain_it_per_s=pre_speed,
            adversarial_it_per_s=run.iters / run.seconds)
        for key in ('RGB/PSNR', 'RGB/SSIM', 'Y/PSNR', 'Y/SSIM', 'NIQE'):
            row[f'pretrain {key}'] = pre.get(key)
            row[f'final {key}'] = final.get(key)
        rows.append(row)
    columns = [
        'setting', 'pretrain RGB/PSNR', 'pretrain RGB/SSIM', 'final RGB/PSNR',
        'final RGB/SSIM', 'final Y/PSNR', 'pretrain NIQE', 'final NIQE',
        'pretrain_it_per_s', 'adversarial_it_per_s'
    ]
    if stage1_it_per_s is not None:
        print(f'\nstage 1: {stage1_it_per_s:.2f} it/s')
    print('\nLPIPS: not reported (no ImageNet AlexNet weights here).')
    print_table(rows, columns)
    write_json(
        args.out,
        dict(
            data_root=args.data_root,
            stage1=STAGE1,
            stage2=STAGE2,
            stage1_export=export_dir,
            stage1_it_per_s=stage1_it_per_s,
            pretrain_iters=args.pretrain_iters,
            adv_iters=args.adv_iters,
            rows=rows))


if __name__ == '__main__':
    main()
