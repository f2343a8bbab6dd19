"""One HTML page (and a PNG sheet) about a training run: loss and
validation curves of both stages, the final DSN's domain-gap histogram,
domain-distance map overlays and bicubic | DASR | HR sheets.

    python tools/analysis/report.py WORK_DIR [--out-dir DIR] [--data-root DIR]
"""
import argparse

from dasr_mm.apis.run_report import build_run_report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', help='work dir of tools/train.py')
    parser.add_argument('--out-dir', help='default: WORK_DIR/report')
    parser.add_argument(
        '--data-root', help="the run's data root, if it moved since")
    parser.add_argument(
        '--num-images', type=int, default=4,
        help='training images with maps, validation images with sheets')
    parser.add_argument(
        '--no-domain-gap', action='store_true',
        help='skip the domain-gap histogram (it exports DSN(val HR) and '
        'trains a small classifier)')
    parser.add_argument(
        '--domain-gap-steps', type=int, default=300,
        help='training steps of the domain-gap classifier')
    parser.add_argument('--device', help='default: cuda when available')
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    report = build_run_report(
        args.work_dir,
        out_dir=args.out_dir,
        data_root=args.data_root,
        num_images=args.num_images,
        domain_gap=not args.no_domain_gap,
        domain_gap_steps=args.domain_gap_steps,
        device=args.device)
    for key in ('domain_gap_auc', 'sr'):
        if key in report:
            print(f'{key}: {report[key]}')
    for reason in report['skipped']:
        print(f'skipped: {reason}')
    print(f"report: {report['html']} (sheet: report.png beside it)")
