"""Throughput and peak memory of tiled SR inference vs an untiled forward.

    python benchmarks/inference.py [--sizes 128 256 512 1024] [--tile 256]
        [--num-blocks 23] [--untiled-max 512] [--device cpu] [--threads 1]
        [--half] [--out work_dirs/bench_inference/inference.json]

Every measurement runs in a fresh process (so its peak RSS is its own): an
RRDBNet (64 channels, growth 32, x4; random weights: speed and memory do not
depend on their values) super-resolves one random LR image of each size
three ways:

* ``tiled``: :class:`dasr_mm.apis.inference.TiledSuperResolver` with
  ``--tile`` (blended overlap, the HR tail on small exact tiles: what
  ``tools/infer.py`` does by default);
* ``whole``: the same without tiling (``tile_size=None``; the tail still runs
  on its small tiles);
* ``plain``: the network's own forward on the whole image (NCHW, as the
  network comes), the reference, up to ``--untiled-max``.

Reported: output megapixels per second, tiled/plain throughput, and peak
memory (RSS of the process on the CPU; ``torch.cuda.max_memory_allocated``
on CUDA). The peak activation memory of an RRDBNet does not depend on its
depth (blocks run one after the other), so a shallow network
(``--num-blocks``) measures the memory of the paper's 23-block one at a
fraction of the time; its weights are 67 MB more.
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time
from typing import Callable

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from dasr_mm.apis.inference import DEFAULT_SR_TILE_SIZE  # noqa: E402

MODES = ('tiled', 'whole', 'plain')


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
    if args.mode == 'plain':
        # as the network comes: the resolver made it channels-last
        net.to(memory_format=torch.contiguous_format)
        x = torch.from_numpy(img).permute(2, 0,
                                          1)[None].to(args.device,
                                                      resolver.dtype).div_(255)

        def run(image: np.ndarray, on_tile: Callable[[int], None]) -> tuple:
            with torch.no_grad():
                out = net(x[..., :image.shape[0], :image.shape[1]])
            on_tile(1)
            return tuple(out.shape[-2:])
    else:

        def run(image: np.ndarray, on_tile: Callable[[int], None]) -> tuple:
            return resolver(image, on_tile=on_tile).shape[:2]

    run(img[:32, :32], lambda _: None)  # one-time kernel set-up, untimed
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tiles = []
    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
    seconds = float('inf')
    for repeat in range(args.repeats):
        start = time.perf_counter()
        out_size = run(img, tiles.append if repeat == 0 else len)
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()
        seconds = min(seconds, time.perf_counter() - start)
    peak_mb = (
        torch.cuda.max_memory_allocated() /
        2**20 if args.device.startswith('cuda') else
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return dict(
        size=args.size,
        mode=args.mode,
        tiles=len(tiles),
        overlap=resolver.overlap,
        dtype=str(resolver.dtype).replace('torch.', ''),
        seconds=seconds,
        out_mp_per_s=out_size[0] * out_size[1] / 1e6 / seconds,
        peak_mb=peak_mb,
        rss_before_mb=before_mb)


def child(args: argparse.Namespace, size: int, mode: str) -> dict:
    cmd = [
        sys.executable, __file__, '--child', mode, '--sizes',
        str(size), '--tile',
        str(args.tile if mode == 'tiled' else 0), '--num-blocks',
        str(args.num_blocks), '--device', args.device, '--threads',
        str(args.threads), '--repeats',
        str(args.repeats)
    ] + (['--half'] if args.half else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--sizes', type=int, nargs='+', default=[128, 256, 512, 1024])
    parser.add_argument('--tile', type=int, default=DEFAULT_SR_TILE_SIZE)
    parser.add_argument('--num-blocks', type=int, default=23)
    parser.add_argument(
        '--untiled-max',
        type=int,
        default=512,
        help='largest size run with the plain forward (its memory grows '
        'with the image: 4.3 GB at 512x512)')
    parser.add_argument(
        '--whole-max',
        type=int,
        default=1024,
        help='largest size run whole with the tiled tail')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument(
        '--repeats',
        type=int,
        default=1,
        help='timed runs per measurement; the fastest counts')
    parser.add_argument(
        '--modes', nargs='+', choices=MODES, default=list(MODES))
    parser.add_argument('--half', action='store_true')
    parser.add_argument(
        '--out',
        default=osp.join(REPO_ROOT, 'work_dirs/bench_inference/'
                         'inference.json'))
    parser.add_argument('--child', choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.size, args.mode = args.sizes[0], args.child
        print(json.dumps(measure(args)))
        return

    from _common import print_table, write_json
    rows = []
    for size in args.sizes:
        row = dict(lr_size=f'{size}x{size}')
        limits = dict(tiled=size, whole=args.whole_max, plain=args.untiled_max)
        for mode in args.modes:
            if size > limits[mode]:
                continue
            result = child(args, size, mode)
            if mode == 'tiled':
                row.update(tiles=result['tiles'], overlap=result['overlap'])
            row.update({
                f'{mode}_mp_s': result['out_mp_per_s'],
                f'{mode}_peak_mb': round(result['peak_mb'])
            })
        if 'plain_mp_s' in row and 'tiled_mp_s' in row:
            row['ratio'] = row['tiled_mp_s'] / row['plain_mp_s']
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f'\nRRDBNet 64 ch, {args.num_blocks} blocks, x4, {args.device}, '
          f'{args.threads} thread(s), tile {args.tile}, '
          f'{result["dtype"]}; MP/s of output; ratio = tiled / plain')
    print_table(rows, [
        'lr_size', 'tiles', 'overlap', 'tiled_mp_s', 'whole_mp_s',
        'plain_mp_s', 'ratio', 'tiled_peak_mb', 'whole_peak_mb',
        'plain_peak_mb'
    ])
    write_json(args.out, dict(settings=vars(args), rows=rows))


if __name__ == '__main__':
    main()
