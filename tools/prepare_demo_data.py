"""Build a data root (hr/, real_lr/, val/hr, val/lr) for the DASR configs.

    python tools/prepare_demo_data.py                      # demo -> data/demo
    python tools/prepare_demo_data.py --hr-dir DIV2K_train_HR --out data/div2k

See dasr_mm/datasets/preparation/ for what is built and how.
"""
import argparse
import sys


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build a DASR data root: the self-contained demo (photos '
        'shipped with scikit-image/scikit-learn) or, with --hr-dir, an '
        'AIM-like benchmark from your own HR photos. The real-LR domain is '
        'a fixed synthetic camera degradation (blur, down-sampling, '
        'Poisson-Gaussian noise, JPEG).')
    parser.add_argument(
        '--hr-dir',
        help='folder of HR photos to split into hr / real_lr / val '
        '(default: build the demo)')
    parser.add_argument(
        '--out', help='data root to create (default with no --hr-dir: '
        'data/demo; required with --hr-dir)')
    parser.add_argument('--scale', type=int, choices=[1, 2, 4], default=4)
    parser.add_argument(
        '--seed', type=int, default=0, help='split shuffle and noise seed')
    parser.add_argument(
        '--val-count',
        type=int,
        help='with --hr-dir: photos used for validation pairs '
        '(default 10%%, 1..100)')
    parser.add_argument(
        '--tile-size',
        type=int,
        help='with --hr-dir: cut photos into non-overlapping tiles of this '
        'many HR px (default: whole images)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='delete an existing build with other parameters and rebuild')
    args = parser.parse_args()
    if args.hr_dir and not args.out:
        parser.error('--out is required with --hr-dir')
    if not args.hr_dir and (args.val_count is not None or args.tile_size):
        parser.error('--val-count and --tile-size need --hr-dir')
    return args


if __name__ == '__main__':
    args = parse_args()
    # imported after parsing: --help stays instant (dasr_mm imports mmagic)
    from dasr_mm.datasets import DatasetValidationError
    from dasr_mm.datasets.preparation import prepare_data
    try:
        prepare_data(
            args.out,
            hr_dir=args.hr_dir,
            scale=args.scale,
            seed=args.seed,
            val_count=args.val_count,
            tile_size=args.tile_size,
            force=args.force)
    except (DatasetValidationError, FileExistsError) as e:
        sys.exit(f'error: {e}')
