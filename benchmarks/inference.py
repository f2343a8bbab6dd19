"""Throughput and peak memory of tiled SR inference vs an untiled forward.

    python benchmarks/inference.py [--sizes 128 256 512 1024] [--tile 256]
        [--num-blocks 23] [--untiled-max 512] [--device cpu] [--threads 1]
        [--half] [--out work_dirs/bench_inference/inference.json]

Every measurement runs in a fresh process (so its peak RSS is its own):
an RRDBNet (64 channels, growth 32, x4; random weights: speed and memory do
not depend on their values) super-resolves one random LR image of each size
through :class:`dasr_mm.apis.inference.TiledSuperResolver`, tiled with
``--tile`` (blended overlap, the default of ``tools/infer.py``) and untiled
(``tile_size=None``) up to ``--untiled-max``. Reported: output megapixels
per second, the tiled/untiled throughput ratio, and peak memory (RSS of the
process on the CPU; ``torch.cuda.max_memory_allocated`` on CUDA). The peak
activation memory of an RRDBNet does not depend on its depth (blocks run one
after the other), so a shallow network (``--num-blocks``) measures the
memory of the paper's 23-block one at a fraction of the time; its weights
are 67 MB more.
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))


def measure(args: argparse.Namespace) -> dict:
    """One run (in this process): build, super-resolve, report."""
    import numpy as np
    import torch

    import dasr_mm  # noqa: F401  (compat before mmagic's models)
    from dasr_mm.apis.inference import TiledSuperResolver
    from mmagic.models.editors.esrgan.rrdb_net import RRDBNet
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = RRDBNet(3, 3, 64, args.num_blocks, 32).eval().to(args.device)
    resolver = TiledSuperResolver(
        net, tile_size=args.tile or None, half=args.half)
    img = np.random.default_rng(0).integers(
        0, 256, (args.size, args.size, 3), dtype=np.uint8)
    resolver(img[:32, :32])  # one-time set-up of the kernels, not timed
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tiles = []
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = resolver(img, on_tile=tiles.append)
    if args.device.startswith('cuda'):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak_mb = (
        torch.cuda.max_memory_allocated() /
        2**20 if args.device.startswith('cuda') else
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return dict(
        size=args.size,
        tiled=bool(args.tile),
        tiles=len(tiles),
        overlap=resolver.overlap,
        dtype=str(resolver.dtype).replace('torch.', ''),
        seconds=seconds,
        out_mp_per_s=out.shape[0] * out.shape[1] / 1e6 / seconds,
        peak_mb=peak_mb,
        rss_before_mb=before_mb)


def child(args: argparse.Namespace, size: int, tile: int) -> dict:
    cmd = [
        sys.executable, __file__, '--child', '--sizes',
        str(size), '--tile',
        str(tile), '--num-blocks',
        str(args.num_blocks), '--device', args.device, '--threads',
        str(args.threads)
    ] + (['--half'] if args.half else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--sizes', type=int, nargs='+', default=[128, 256, 512, 1024])
    parser.add_argument('--tile', type=int, default=256)
    parser.add_argument('--num-blocks', type=int, default=23)
    parser.add_argument('--untiled-max', type=int, default=512)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--half', action='store_true')
    parser.add_argument(
        '--out',
        default=osp.join(REPO_ROOT, 'work_dirs/bench_inference/'
                         'inference.json'))
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.size = args.sizes[0]
        print(json.dumps(measure(args)))
        return

    from _common import print_table, write_json
    rows = []
    for size in args.sizes:
        row = dict(lr_size=f'{size}x{size}')
        tiled = child(args, size, args.tile)
        row.update(
            tiles=tiled['tiles'],
            tiled_mp_s=tiled['out_mp_per_s'],
            tiled_peak_mb=round(tiled['peak_mb']),
            tiled_s=round(tiled['seconds'], 1))
        if size <= args.untiled_max:
            whole = child(args, size, 0)
            row.update(
                untiled_mp_s=whole['out_mp_per_s'],
                untiled_peak_mb=round(whole['peak_mb']),
                ratio=tiled['out_mp_per_s'] / whole['out_mp_per_s'])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f'\nRRDBNet 64 ch, {args.num_blocks} blocks, x4, {args.device}, '
          f'{args.threads} thread(s), tile {args.tile} '
          f'(overlap {tiled["overlap"]}), {tiled["dtype"]}; MP/s of output')
    print_table(rows, [
        'lr_size', 'tiles', 'tiled_mp_s', 'untiled_mp_s', 'ratio',
        'tiled_peak_mb', 'untiled_peak_mb', 'tiled_s'
    ])
    write_json(args.out, dict(settings=vars(args), rows=rows))


if __name__ == '__main__':
    main()
