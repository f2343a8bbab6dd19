"""Domain gap of generated LR sets to the real LR domain (the paper's Fig. 1).

    python tools/analysis/domain_gap.py REAL_LR_DIR SET_A_DIR [SET_B_DIR ...]
        [--out-dir DIR] [--patch-size N] [--steps N] [--seed N]

Each set's images pair with the real LR images by file name stem and must show
the same content (e.g. the stage-1 output for val/hr/x.png against the real
val/lr/x.png). Per set, a small CNN learns to tell real from generated patches
on half of the pairs; its ROC AUC on the other half is printed (0.5: the set
looks like the real domain, 1.0: perfectly separable) and written, with a
histogram of its scores, to OUT_DIR/domain_gap.json and domain_gap.png.
"""
import argparse
import os.path as osp
import sys


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('real_dir', help='folder of real LR images')
    parser.add_argument(
        'set_dirs', nargs='+', help='folders of LR images to score')
    parser.add_argument(
        '--out-dir',
        default='work_dirs/domain_gap',
        help='where domain_gap.json and domain_gap.png go')
    parser.add_argument(
        '--patch-size', type=int, default=32, help='patch side in pixels')
    parser.add_argument(
        '--steps', type=int, default=300, help='classifier training steps')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    return parser.parse_args()


def set_names(set_dirs: list) -> list:
    """Folder names, or the paths as given where two folders share a name."""
    names = [osp.basename(osp.normpath(d)) for d in set_dirs]
    return [
        osp.normpath(d) if names.count(n) > 1 else n
        for n, d in zip(names, set_dirs)
    ]


def main() -> None:
    args = parse_args()
    from dasr_mm.evaluation.domain_gap import (domain_gap_of_folders,
                                               pair_by_stem,
                                               save_domain_gap_report)
    try:
        pairings = {
            name: pair_by_stem(args.real_dir, set_dir)
            for name, set_dir in zip(set_names(args.set_dirs), args.set_dirs)
        }
        for name, pairs in pairings.items():
            if pairs.set_only:
                print(f'{name}: no real partner for '
                      f'{", ".join(pairs.set_only)}')
            if pairs.real_only:
                print(f'{name}: no partner in the set for real '
                      f'{", ".join(pairs.real_only)}')
        results = {
            name: (pairs,
                   domain_gap_of_folders(
                       pairs,
                       patch_size=args.patch_size,
                       steps=args.steps,
                       seed=args.seed))
            for name, pairs in pairings.items()
        }
    except (ValueError, OSError) as err:
        sys.exit(f'error: {err}')
    width = max(len('set'), *(len(name) for name in results))
    print(f'\n{"set":<{width}}  pairs    AUC')
    for name, (_, result) in results.items():
        print(f'{name:<{width}}  {result.num_pairs:>5}  {result.auc:.3f}')
    for path in save_domain_gap_report(args.out_dir, args.real_dir, results):
        print(f'wrote {path}')


if __name__ == '__main__':
    main()
