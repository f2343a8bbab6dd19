"""The on-disk format of a domain-distance export (single source of truth).

An export directory holds, for every HR training image ``<stem>.<ext>``::

    <export_dir>/manifest.json        # what produced the files (see below)
    <export_dir>/lr/<stem>.png        # generated LR DSN(x), lossless RGB uint8
    <export_dir>/maps/<stem>.npy      # sigmoid(D(H(DSN(x)))), float16 (h, w) in [0, 1],
                                      # at the discriminator's output resolution

``manifest.json`` keys: ``version``, ``dsn_checkpoint``, ``extractor`` (the
extractor config dict, e.g. ``{'mode': 'wavelet'}``), ``scale``, ``map_stride``,
``rf_average``, ``images`` (sorted HR file names), ``hr_dir``, ``map_dtype``
and ``complete`` (False while an export is running; True once every file
exists).

**The size contract** (the only place it is stated; the export writes by it,
stage 2 reads by it). For an HR image of ``H x W`` px and scale ``s``:

* the LR image covers the top-left ``covered_hr_size`` region
  ``(H // s * s, W // s * s)`` of the HR image (at most ``s - 1`` rows and
  columns at the bottom/right are dropped): it is ``(H // s, W // s)`` and LR
  pixel ``(i, j)`` covers HR pixels ``[i*s, (i+1)*s) x [j*s, (j+1)*s)``;
* the map has one value per ``map_stride x map_stride`` HR block, anchored
  at the top-left corner (``map_stride = s * d`` with ``d`` the extractor's
  down-scaling, 2 for the wavelet): it is
  ``(ceil(H // s / d), ceil(W // s / d))``; its last row/column may reach up
  to ``d - 1`` LR pixels past the LR image (the extractor pads there: it
  replicates the last LR row/column, or reflects with ``variant='official'``).

:func:`map_on_hr_grid` turns a map into an HR-sized array by exactly this
geometry.

Stage 2 calls :func:`check_manifest` so that maps made with another extractor,
scale or image list than the config expects are refused (the reference code's
issues #11/#12).
"""
import json
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

MANIFEST_VERSION = 2
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


def covered_hr_size(hr_size: Tuple[int, int], scale: int) -> Tuple[int, int]:
    """``(height, width)`` of the top-left HR region an exported LR image
    covers: each side rounded down to a multiple of ``scale``."""
    return tuple(lr * scale for lr in exported_lr_size(hr_size, scale))


def exported_lr_size(hr_size: Tuple[int, int], scale: int) -> Tuple[int, int]:
    """``(height, width)`` of the exported LR image of an HR image."""
    return tuple(int(side) // scale for side in hr_size)


def exported_map_size(hr_size: Tuple[int, int], scale: int,
                      map_stride: int) -> Tuple[int, int]:
    """``(height, width)`` of the exported map of an HR image."""
    downscale = map_stride // scale
    return tuple(-(-lr // downscale)
                 for lr in exported_lr_size(hr_size, scale))


def map_on_hr_grid(weight: np.ndarray, map_stride: int,
                   hr_size: Tuple[int, int]) -> np.ndarray:
    """Resample an exported map onto the pixel grid of its HR image.

    Map value ``(i, j)`` sits at the centre of HR block
    ``[i*stride, (i+1)*stride) x [j*stride, (j+1)*stride)``; the map is
    up-sampled bilinearly by exactly ``map_stride`` (half-pixel centres, as
    ``F.interpolate(align_corners=False)``), then cut or edge-extended at the
    bottom/right to ``hr_size``. Only the covered region
    (:func:`covered_hr_size`) has LR pixels; beyond it values are the edge's.

    Args:
        weight: ``(h, w)`` float map in [0, 1].
        map_stride: HR pixels per map pixel (manifest ``map_stride``).
        hr_size: ``(H, W)`` of the HR image.

    Returns:
        ``(H, W)`` float32 in [0, 1].
    """
    height, width = hr_size
    h, w = weight.shape
    grid = cv2.resize(
        weight.astype(np.float32), (w * map_stride, h * map_stride),
        interpolation=cv2.INTER_LINEAR)[:height, :width]
    pad = ((0, height - grid.shape[0]), (0, width - grid.shape[1]))
    if any(p[1] for p in pad):
        grid = np.pad(grid, pad, mode='edge')
    return np.clip(grid, 0., 1.)


def build_manifest(*, dsn_checkpoint: Optional[str], extractor: Dict[str, Any],
                   scale: int, map_stride: int, images: Sequence[str],
                   hr_dir: str, rf_average: bool,
                   complete: bool) -> Dict[str, Any]:
    """Return the manifest dict describing an export."""
    return dict(
        version=MANIFEST_VERSION,
        dsn_checkpoint=dsn_checkpoint,
        extractor=dict(extractor),
        scale=int(scale),
        map_stride=int(map_stride),
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
