"""Evaluate a checkpoint on a config's test sets with mmagic metrics (+ our
LPIPS and GT-less NIQE) and print one row per set.

    python tools/test.py CONFIG CHECKPOINT [--out metrics.json]

Test configs for the paper's Table 3 sets are in configs/dasr/test/.
"""
import argparse

from _cli import add_common_args, add_non_strict_arg, finish
from mmengine.dist import is_main_process

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis import test
from dasr_mm.evaluation import format_metrics_table


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='file to dump the metrics to (.json)')
    add_common_args(parser)
    add_non_strict_arg(parser)
    return finish(parser.parse_args())


if __name__ == '__main__':
    args = parse_args()
    metrics = test(
        args.config,
        args.checkpoint,
        out=args.out,
        work_dir=args.work_dir,
        cfg_options=args.cfg_options,
        launcher=args.launcher,
        strict=not args.non_strict)
    if is_main_process():
        print(format_metrics_table(metrics), flush=True)
