"""The on-disk format of a domain-distance export (single source of truth).

An export directory holds, for every HR training image ``<stem>.<ext>``::

    <export_dir>/manifest.json        # what produced the files (see below)
    <export_dir>/lr/<stem>.png        # generated LR DSN(x), lossless RGB uint8
    <export_dir>/maps/<stem>.npy      # sigmoid(D(H(DSN(x)))), float16 (h, w) in [0, 1],
                                      # at the discriminator's output resolution

``manifest.json`` keys: ``version``, ``dsn_checkpoint``, ``extractor`` (the
extractor config dict, e.g. ``{'mode': 'wavelet'}``), ``scale``, ``rf_average``,
``images`` (sorted HR file names), ``hr_dir``, ``map_dtype`` and ``complete``
(False while an export is running; True once every file exists).

Stage 2 calls :func:`check_manifest` so that maps made with another extractor,
scale or image list than the config expects are refused (the reference code's
issues #11/#12).
"""
import json
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

MANIFEST_VERSION = 1
MANIFEST_NAME = 'manifest.json'
LR_SUBDIR = 'lr'
MAP_SUBDIR = 'maps'
LR_SUFFIX = '.png'
MAP_SUFFIX = '.npy'
MAP_DTYPE = 'float16'


class ManifestError(ValueError):
    """An export is missing, incomplete, or does not match the config."""


def lr_path(export_dir: str, image_name: str) -> str:
    """Path of the generated LR image for HR file ``image_name``."""
    stem = osp.splitext(image_name)[0]
    return osp.join(export_dir, LR_SUBDIR, stem + LR_SUFFIX)


def map_path(export_dir: str, image_name: str) -> str:
    """Path of the domain-distance map for HR file ``image_name``."""
    stem = osp.splitext(image_name)[0]
    return osp.join(export_dir, MAP_SUBDIR, stem + MAP_SUFFIX)


def build_manifest(*, dsn_checkpoint: Optional[str], extractor: Dict[str, Any],
                   scale: int, images: Sequence[str], hr_dir: str,
                   rf_average: bool, complete: bool) -> Dict[str, Any]:
    """Return the manifest dict describing an export."""
    return dict(
        version=MANIFEST_VERSION,
        dsn_checkpoint=dsn_checkpoint,
        extractor=dict(extractor),
        scale=int(scale),
        rf_average=bool(rf_average),
        images=sorted(images),
        hr_dir=osp.abspath(hr_dir),
        map_dtype=MAP_DTYPE,
        complete=bool(complete))


def load_manifest(export_dir: str) -> Dict[str, Any]:
    """Read ``<export_dir>/manifest.json``; raise :class:`ManifestError` with
    a hint when it is absent."""
    path = osp.join(export_dir, MANIFEST_NAME)
    if not osp.isfile(path):
        raise ManifestError(
            f'no export manifest at {path}: run stage 1 with the export hook '
            'or `python tools/export_weight_maps.py DSN_CONFIG CHECKPOINT` '
            'first.')
    with open(path) as f:
        return json.load(f)


def check_manifest(manifest: Dict[str, Any], *, extractor: Dict[str, Any],
                   scale: int, images: Optional[List[str]] = None,
                   export_dir: str = '') -> None:
    """Raise :class:`ManifestError` listing every mismatch between an export
    and what the stage-2 config expects.

    Args:
        manifest: Dict returned by :func:`load_manifest`.
        extractor: The extractor config the stage-2 config names (must equal
            the one the maps were produced with).
        scale: The SR scale of the stage-2 config.
        images: HR file names stage 2 will train on (None: not checked).
        export_dir: Only used in the messages.
    """
    where = f'export {export_dir!r}: ' if export_dir else 'export: '
    problems = []
    if manifest.get('version') != MANIFEST_VERSION:
        problems.append(f'manifest version {manifest.get("version")} != '
                        f'{MANIFEST_VERSION} (re-export with this dasr_mm)')
    if not manifest.get('complete', False):
        problems.append('the export is incomplete (resume it with the same '
                        'command, or `--resume` the pipeline)')
    if dict(manifest.get('extractor', {})) != dict(extractor):
        problems.append(
            f'maps were made with extractor {manifest.get("extractor")} but '
            f'the config expects {dict(extractor)}')
    if manifest.get('scale') != scale:
        problems.append(f'maps were made at scale {manifest.get("scale")} but '
                        f'the config expects scale {scale}')
    if images is not None and sorted(images) != manifest.get('images'):
        exported = set(manifest.get('images', []))
        wanted = set(images)
        problems.append(
            'image list differs: '
            f'{len(wanted - exported)} HR image(s) not exported '
            f'(e.g. {sorted(wanted - exported)[:3]}), '
            f'{len(exported - wanted)} exported image(s) no longer in the HR '
            f'folder (e.g. {sorted(exported - wanted)[:3]})')
    if problems:
        raise ManifestError(where + '; '.join(problems) +
                            '. Re-run the export with the stage-1 checkpoint '
                            'and config that match the stage-2 config.')
