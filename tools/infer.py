"""Super-resolve an image or a folder of images with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT OUT_DIR [--device cpu]
        [--tile 256] [--tile-overlap 16] [--half] [--outscale 3.5]
        [--recursive] [--non-strict]

Outputs are PNG files with the inputs' relative paths and stems (gray, RGBA
and 16-bit inputs keep their kind). Files that cannot be read are listed at
the end and make the exit status 1.
"""
import argparse
import sys

from _cli import add_non_strict_arg

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis import super_resolve_folder
from dasr_mm.apis.inference import DEFAULT_SR_TILE_SIZE


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('input', help='image file or folder')
    parser.add_argument('out_dir')
    parser.add_argument('--device', help='cpu / cuda (default: cuda if any)')
    parser.add_argument(
        '--tile',
        type=int,
        default=DEFAULT_SR_TILE_SIZE,
        help='largest tile side in LR pixels; 0: whole images (default: '
        '%(default)s)')
    parser.add_argument(
        '--tile-overlap',
        type=int,
        help='context around each tile in LR pixels, blended (default: the '
        'exact overlap, at most 16)')
    parser.add_argument(
        '--half', action='store_true', help='fp16 on CUDA, bf16 on the CPU')
    parser.add_argument(
        '--outscale',
        type=float,
        help='final size as a multiple of the input size (Lanczos resize; '
        'default: the network\'s scale)')
    parser.add_argument(
        '--recursive', action='store_true', help='include sub-folders')
    add_non_strict_arg(parser)
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    result = super_resolve_folder(
        args.config,
        args.checkpoint,
        args.input,
        args.out_dir,
        device=args.device,
        strict=not args.non_strict,
        tile_size=args.tile or None,
        tile_overlap=args.tile_overlap,
        half=args.half,
        outscale=args.outscale,
        recursive=args.recursive)
    print(f'\n{len(result.written)} image(s) written to {args.out_dir}')
    for path, reason in result.failed:
        print(f'FAILED {path}: {reason}', file=sys.stderr)
    sys.exit(1 if result.failed else 0)
