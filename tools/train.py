"""Train a config (a DASR stage, the two-stage pipeline, or any mmagic config).

    python tools/train.py configs/dasr/dasr_demo.py [--resume] [--amp]
        [--amp-dtype bfloat16]
"""
import argparse

from _cli import add_common_args, finish

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis import train


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision: fp16 with dynamic loss scaling on '
        'CUDA, bf16 autocast on the CPU')
    parser.add_argument(
        '--amp-dtype',
        choices=('float16', 'bfloat16'),
        help='with --amp: the autocast dtype (CUDA default float16; the CPU '
        'runs bfloat16 only)')
    add_common_args(parser)
    return finish(parser.parse_args())


if __name__ == '__main__':
    args = parse_args()
    train(
        args.config,
        work_dir=args.work_dir,
        resume=args.resume,
        amp=args.amp,
        amp_dtype=args.amp_dtype,
        cfg_options=args.cfg_options,
        launcher=args.launcher)
