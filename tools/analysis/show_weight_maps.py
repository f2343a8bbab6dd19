"""Heat-map overlays of exported domain-distance maps on their generated LR
images, with a histogram of the map values per image (bright = close to the
real domain = trusted by the SRN's weighted losses).

    python tools/analysis/show_weight_maps.py EXPORT_DIR OUT_DIR \
        [--max-images 8]
"""
import argparse

from dasr_mm.evaluation.weight_maps import show_weight_maps


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('export_dir',
                        help='export (manifest.json, lr/, maps/)')
    parser.add_argument('out_dir', help='figures + weight_maps.json')
    parser.add_argument('--names', nargs='+', help='HR file names to show')
    parser.add_argument('--max-images', type=int, help='show the first N')
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    summary = show_weight_maps(args.export_dir, args.out_dir, args.names,
                               args.max_images)
    for image in summary['images']:
        print(f"{image['name']}: mean {image['mean']:.3f}, "
              f"min {image['min']:.3f}, max {image['max']:.3f} -> "
              f"{image['figure']}")
    print(f"mean weight over {len(summary['images'])} image(s): "
          f"{summary['mean_weight']:.3f}")
