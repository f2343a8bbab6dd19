"""Convert a checkpoint released with the authors' code (ShuhangGu/DASR) into
a dasr_mm checkpoint for CONFIG's model.

    python tools/convert_official_ckpt.py SRC DST --config CONFIG

SRC: their DSN file (a dict with ``model_g_state_dict`` and their FSD
discriminator in ``models_d_state_dict``; CONFIG e.g.
configs/dasr/official/dsn_official_aim.py, whose discriminator filter must be
the release's: the error names the setting) or their SRN file (RRDB_arch
layout; CONFIG e.g. configs/dasr/srn_aim.py). DST then loads strictly with
tools/test.py, tools/infer.py, tools/export_weight_maps.py and
``--cfg-options load_from=DST``.
"""
import argparse

import dasr_mm  # noqa: F401  (registers our modules, applies compat)
from dasr_mm.apis.official_checkpoint import convert_official_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='the released file')
    parser.add_argument('dst', help='the dasr_mm checkpoint to write')
    parser.add_argument(
        '--config', required=True, help='the config whose model DST is for')
    return parser.parse_args()


if __name__ == '__main__':
    args = parse_args()
    report = convert_official_checkpoint(args.src, args.dst, args.config)
    print(f'{report.kind.upper()} release: {len(report.converted)} weights '
          f'converted into {args.dst}')
    for note in report.notes:
        print(f'note: {note}')
    if report.filled_from_config:
        prefixes = sorted({k.split('.')[0] for k in report.filled_from_config})
        print(
            f'{len(report.filled_from_config)} weights not in the release '
            f'come from the config\'s initialisation ({", ".join(prefixes)})')
