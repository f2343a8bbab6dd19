"""Export generated LR images and domain-distance maps of a stage-1 model.

    python tools/export_weight_maps.py CONFIG CHECKPOINT [--out-dir DIR]
        [--hr-dir DIR] [--tile-size N] [--(no-)rf-average] [--overwrite]
        [--device cuda] [--non-strict]

Settings not given come from the config's DomainDistanceMapExportHook.
"""
import argparse

from _cli import add_non_strict_arg

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis import export_from_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export LR images + domain-distance maps (stage 1 -> 2)')
    parser.add_argument('config', help='stage-1 config file path')
    parser.add_argument('checkpoint', help='stage-1 checkpoint file')
    parser.add_argument('--out-dir', help='export folder')
    parser.add_argument('--hr-dir', help='folder of the HR images')
    parser.add_argument('--tile-size', type=int, help='tile side in pixels')
    parser.add_argument(
        '--rf-average',
        action=argparse.BooleanOptionalAction,
        help='average maps over receptive-field windows')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        default=None,
        help='replace an export made with other parameters')
    parser.add_argument('--device', help='e.g. cuda, cuda:1, cpu')
    add_non_strict_arg(parser)
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    export_from_config(
        args.config,
        args.checkpoint,
        out_dir=args.out_dir,
        hr_dir=args.hr_dir,
        tile_size=args.tile_size,
        rf_average=args.rf_average,
        overwrite=args.overwrite,
        device=args.device,
        strict=not args.non_strict)
