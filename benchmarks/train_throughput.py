"""Training-step time of both DASR stages, on random tensors, as the shared
harness ``../shared/bench/official_step_time.py`` times the authors' code.

Builds the model and optimizers of a real config (``configs/dasr/dsn_aim.py``
for stage 1, ``configs/dasr/srn_aim.py`` for stage 2, or any other with
``--dsn-config`` / ``--srn-config``), puts the editor in its adversarial
phase and times ``model.train_step`` on random batches of the harness's
layout: stage 1 gets ``--batch`` HR crops of ``--crop`` px (and as many real
LR crops of ``crop / scale``); stage 2 gets ``--batch`` generated LR crops
with their HR crops and maps plus ``--batch`` real LR crops with unpaired HR
crops, so its generator runs on ``2 * batch`` LR crops per step, as theirs.
Data loading, logging and validation are excluded (as in the harness).

The VGG-19 of the perceptual loss gets random weights here (the timing does
not depend on them; no weight file is needed). Each variant runs in its own
subprocess, so peak RSS (``ru_maxrss``) is per variant.

Variants (``--variants``; default all of the stage's):

- ``dsn``: stage 1 as configured (the paper's DSN: 23 blocks);
- ``dsn-official``: ``configs/dasr/official/dsn_official_aim.py``, the
  authors' released DSN and FSD discriminator (8 blocks), the architecture
  the harness times;
- ``srn``: stage 2 as configured;
- ``srn-dense-d``: stage 2 with the stage-1 discriminator design
  (``DomainPatchDiscriminator``, dense, stride 1) instead of the config's;
- ``srn-separate``: stage 2 with the generator run separately on the source
  and target batch (``train_cfg.joint_generator_pass=False``);
- ``srn-no-per``: stage 2 without the perceptual loss.

``--amp`` adds each variant under bf16 autocast (CPU) or fp16 AMP (CUDA);
``--channels-last`` adds each in ``torch.channels_last`` memory format.

    python benchmarks/train_throughput.py --batch 2 --crop 128 --threads 2
    python benchmarks/train_throughput.py --setting demo    # demo configs
"""
import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional

from _common import REPO_ROOT, print_table, write_json

CONFIGS = dict(
    paper=dict(
        dsn='configs/dasr/dsn_aim.py',
        dsn_official='configs/dasr/official/dsn_official_aim.py',
        srn='configs/dasr/srn_aim.py'),
    demo=dict(
        dsn='configs/dasr/dsn_demo.py',
        dsn_official='configs/dasr/dsn_demo.py',
        srn='configs/dasr/srn_demo.py'))
# variant -> (config key, edit of the model config)
VARIANTS = {
    'dsn': ('dsn', None),
    'dsn-official': ('dsn_official', None),
    'srn': ('srn', None),
    'srn-dense-d': ('srn', 'dense_discriminator'),
    'srn-separate': ('srn', 'separate_generator_passes'),
    'srn-no-per': ('srn', 'no_perceptual_loss'),
}


def build_model(config: str, edit: Optional[str], device: str):
    """The config's editor (random VGG), changed by ``edit``."""
    from dasr_mm.apis import load_config
    from mmagic.registry import MODELS
    from mmengine.registry import DefaultScope

    cfg = load_config(osp.join(REPO_ROOT, config))
    model_cfg = cfg.model
    if model_cfg.get('perceptual_loss'):
        model_cfg.perceptual_loss.pretrained = None
    if edit == 'no_perceptual_loss':
        model_cfg.perceptual_loss = None
    elif edit == 'dense_discriminator':  # stage 1's design
        model_cfg.discriminator = dict(
            type='DomainPatchDiscriminator',
            extractor=cfg.extractor,
            mid_channels=64)
    elif edit == 'separate_generator_passes':
        model_cfg.train_cfg.joint_generator_pass = False
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(model_cfg)
    model.init_weights()
    model.step_counter.fill_(model.pretrain_iters)  # adversarial phase
    return model.to(device), cfg


def random_batch(stage: str, batch: int, crop: int, scale: int):
    """One batch of the harness's layout, as the dataloader delivers it
    (0-255 float CHW tensors)."""
    import torch
    from mmagic.structures import DataSample

    def img(size):
        return torch.rand(3, size, size) * 255

    lr = crop // scale
    samples = []
    for _ in range(batch):
        if stage == 'dsn':
            samples.append(DataSample(gt_img=img(lr)))
        else:
            samples.append(
                DataSample(
                    gt_img=img(crop),
                    weight=torch.rand(1, crop, crop),
                    target_img=img(lr),
                    target_gt=img(crop)))
    inputs = [img(crop if stage == 'dsn' else lr) for _ in range(batch)]
    return dict(inputs=inputs, data_samples=samples)


def optim_wrappers(model, cfg, precision: str, device: str):
    """The config's optim wrappers (mixed precision for ``'amp'``)."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from dasr_mm.apis import enable_amp
    if precision != 'fp32':
        enable_amp(cfg, device=device)
    with DefaultScope.overwrite_default_scope('mmagic'):
        return build_optim_wrapper(model, cfg.optim_wrapper)


def child(args: argparse.Namespace) -> dict:
    """Time one variant in this process."""
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    key, edit = VARIANTS[args.variant]
    stage = key[:3]
    config = getattr(args, f'{stage}_config') or CONFIGS[args.setting][key]
    model, cfg = build_model(config, edit, args.device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    wrappers = optim_wrappers(model, cfg, args.precision, args.device)
    data = random_batch(stage, args.batch, args.crop, cfg.scale)
    times, losses = [], None
    for i in range(args.warmup + args.iters):
        start = time.perf_counter()
        losses = model.train_step(data, wrappers)
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return dict(
        stage=stage,
        variant=args.variant,
        config=config,
        setting=args.setting,
        precision=args.precision,
        channels_last=args.channels_last,
        device=args.device,
        batch=args.batch,
        crop=args.crop,
        threads=args.threads,
        iterations=args.iters,
        sec_per_iter_median=median,
        iters_per_sec=1 / median,
        times=times,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        losses={k: v.item() for k, v in losses.items()},
        perceptual_weights='random (timing only)')


def run_child(passthrough: List[str], spec: str, threads: int) -> dict:
    """Time ``spec`` (``variant:precision:channels_last``) in a fresh
    process; its result row."""
    out = subprocess.run(
        [sys.executable, __file__, *passthrough, f'--child={spec}'],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--stage', choices=('dsn', 'srn', 'all'), default='all')
    parser.add_argument(
        '--variants',
        nargs='+',
        choices=tuple(VARIANTS),
        help='default: all of --stage')
    parser.add_argument('--setting', choices=tuple(CONFIGS), default='paper')
    parser.add_argument('--dsn-config', help='instead of the setting\'s')
    parser.add_argument('--srn-config', help='instead of the setting\'s')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--crop', type=int, default=128, help='HR crop')
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='also time each variant with mixed precision')
    parser.add_argument(
        '--channels-last',
        action='store_true',
        help='also time each variant in channels_last')
    parser.add_argument(
        '--out',
        default=osp.join(REPO_ROOT, 'benchmarks', 'results',
                         'train_throughput.json'))
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.variant, args.precision, cl = args.child.split(':')
        args.channels_last = cl == '1'
        print(json.dumps(child(args)))
        return

    stages = ('dsn', 'srn') if args.stage == 'all' else (args.stage, )
    variants = args.variants or [v for v in VARIANTS if v[:3] in stages]
    precisions = ['fp32'] + (['amp'] if args.amp else [])
    layouts = ['0'] + (['1'] if args.channels_last else [])
    rows: List[Dict] = []
    passthrough = [
        f'--{k.replace("_", "-")}={v}' for k, v in vars(args).items()
        if k in ('setting', 'batch', 'crop', 'iters', 'warmup', 'threads',
                 'device', 'dsn_config', 'srn_config') and v is not None
    ]
    for variant in variants:
        for precision in precisions:
            for layout in layouts:
                row = run_child(passthrough, f'{variant}:{precision}:{layout}',
                                args.threads)
                rows.append(row)
                print(f'{variant} {precision} channels_last={layout}: '
                      f'{row["sec_per_iter_median"]:.3f} s/it', flush=True)
    print()
    print_table(rows, [
        'variant', 'precision', 'channels_last', 'batch', 'crop',
        'sec_per_iter_median', 'iters_per_sec', 'peak_rss_mib'
    ])
    write_json(args.out, dict(rows=rows, args=vars(args)))


if __name__ == '__main__':
    main()
