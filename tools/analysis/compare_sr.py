"""Compare super-resolved images with bicubic up-sampling and the HR images:
side-by-side sheets (bicubic | SR | HR), PSNR/SSIM and colour casts.

    python tools/analysis/compare_sr.py LR_DIR SR_DIR HR_DIR OUT_DIR --scale 4
"""
import argparse
import json

from dasr_mm.evaluation.sr_comparison import compare_with_bicubic


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('lr_dir', help='LR inputs')
    parser.add_argument('sr_dir', help='SR outputs (tools/infer.py)')
    parser.add_argument('hr_dir', help='HR references (same names as LR)')
    parser.add_argument('out_dir', help='sheets + comparison.json')
    parser.add_argument('--scale', type=int, default=4)
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    report = compare_with_bicubic(args.lr_dir, args.sr_dir, args.hr_dir,
                                  args.out_dir, args.scale)
    mean = report['mean']
    print(json.dumps(report['images'], indent=1))
    print(f"\nmean over {len(report['images'])} image(s): "
          f"SR {mean['psnr']:.2f} dB / {mean['ssim']:.4f}  vs  bicubic "
          f"{mean['bicubic_psnr']:.2f} dB / {mean['bicubic_ssim']:.4f} "
          f"(RGB); largest colour cast {mean['max_colour_cast']:.1f} levels")
    print(f'side-by-side sheets (bicubic | SR | HR): {args.out_dir}')
