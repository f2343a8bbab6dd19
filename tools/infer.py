"""Super-resolve an image or a folder of images with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT OUT_DIR [--device cpu]
        [--non-strict]
"""
import argparse

from _cli import add_non_strict_arg

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis import super_resolve_folder


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('input', help='image file or folder')
    parser.add_argument('out_dir')
    parser.add_argument('--device', help='cpu / cuda (default: cuda if any)')
    add_non_strict_arg(parser)
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    written = super_resolve_folder(args.config, args.checkpoint, args.input,
                                   args.out_dir, device=args.device,
                                   strict=not args.non_strict)
    print(f'\n{len(written)} image(s) written to {args.out_dir}')
