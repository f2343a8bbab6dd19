"""Cut a data root's hr/ and real_lr/ into overlapping sub-images once, so
training decodes small PNGs instead of whole photos (as BasicSR does for
DIV2K):

    python tools/dataset_converters/extract_subimages.py data/aim2019 \
        data/aim2019_sub --workers 8   # HR 480/240, real LR 240/240
    python tools/train.py configs/dasr/dasr_aim.py \
        --cfg-options data_root=data/aim2019_sub

See dasr_mm/datasets/preparation/subimages.py for the layout and why the
two-stage export needs nothing else.
"""
import argparse
import sys


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write OUT_ROOT/hr and OUT_ROOT/real_lr as overlapping '
        'sub-images (lossless PNG) of DATA_ROOT/hr and DATA_ROOT/real_lr; '
        'OUT_ROOT/val links to DATA_ROOT/val. Train with --cfg-options '
        'data_root=OUT_ROOT.')
    parser.add_argument('data_root', help='data root of whole images')
    parser.add_argument('out_root', help='data root to write')
    parser.add_argument('--crop-size', type=int, default=480,
                        help='HR sub-image side in px (default 480)')
    parser.add_argument('--step', type=int, default=240,
                        help='HR sub-image step in px (default 240)')
    parser.add_argument('--lr-crop-size', type=int, default=240,
                        help='real-LR sub-image side in px (default 240; '
                        'both stages crop 48 px of real LR at the paper\'s '
                        'settings)')
    parser.add_argument('--lr-step', type=int, default=240,
                        help='real-LR sub-image step in px (default 240)')
    parser.add_argument('--folders', nargs='+', default=['hr', 'real_lr'],
                        choices=['hr', 'real_lr'], help='folders to cut')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes cutting in parallel')
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    # imported after parsing: --help stays instant (dasr_mm imports mmagic)
    from dasr_mm.datasets import DatasetValidationError
    from dasr_mm.datasets.preparation import prepare_subimage_root
    try:
        prepare_subimage_root(
            args.data_root,
            args.out_root,
            crop_size=args.crop_size,
            step=args.step,
            lr_crop_size=args.lr_crop_size,
            lr_step=args.lr_step,
            workers=args.workers,
            folders=args.folders)
    except (DatasetValidationError, FileExistsError, OSError, ValueError) as e:
        sys.exit(f'error: {e}')
