"""Arguments shared by the tools (mmagic's CLI for train.py and test.py)."""
import argparse
import os

from mmengine.config import DictAction


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (e.g. data_root=data/aim '
        'moves every dataset path under the config\'s data_root)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torchrun passes --local-rank (torch >= 2.0) or sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_non_strict_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='load a checkpoint that does not match the config\'s model '
        '(only the matching weights; the others are listed)')


def finish(args: argparse.Namespace) -> argparse.Namespace:
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args
