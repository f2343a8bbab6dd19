"""The entry points of the data-root builder: the demo (photos shipped with
scikit-image, scikit-learn and matplotlib) and a user's folder of HR photos;
each checks its arguments, states the build parameters and hands over to
:func:`~.data_root_builder.build_data_root`."""
import hashlib
import json
import os
import os.path as osp
from dataclasses import asdict
from typing import Optional

import numpy as np

from dasr_mm.utils.io import read_rgb
from ..degradations import SyntheticCameraDegradation
from ..image_checks import DatasetValidationError, check_image_folder
from .data_root_builder import PreparationResult, build_data_root
from .demo_photos import DEMO_LAYOUT, demo_plans
from .split_plan import Source, SplitPlan, split_user_images

DEMO_OUT_DIR = 'data/demo'
# bump when the output of an unchanged set of arguments changes
FORMAT_VERSION = 2


def _check_args(scale: int, seed: int,
                degradation: Optional[SyntheticCameraDegradation]
                ) -> SyntheticCameraDegradation:
    """Validate ``scale`` and ``seed``; return the degradation to use."""
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f'scale must be a positive integer, got {scale!r}')
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f'seed must be a non-negative integer, got {seed!r}')
    degradation = degradation or SyntheticCameraDegradation(scale=scale)
    if degradation.scale != scale:
        raise ValueError(f'degradation.scale={degradation.scale} differs '
                         f'from scale={scale}')
    return degradation


def prepare_demo_data(out_dir: str = DEMO_OUT_DIR,
                      *,
                      scale: int = 4,
                      seed: int = 0,
                      force: bool = False,
                      degradation: Optional[SyntheticCameraDegradation] = None
                      ) -> PreparationResult:
    """Build the demo data root from photographs shipped with scikit-image,
    scikit-learn and matplotlib (no download).

    Which photos go to which split and how they are tiled is
    :data:`~.demo_photos.DEMO_LAYOUT`: whole photos, disjoint between
    splits, cut into non-overlapping tiles (the most detailed kept). At the
    defaults this makes 38 HR tiles of 160 px, 10 real-LR tiles of 192 HR px
    (48 px at scale 4) and 12 validation pairs of 128 HR px.

    Args:
        out_dir (str): Data root to create.
        scale (int): SR factor; must divide the tile sizes (1, 2, 4, 8, 16,
            32).
        seed (int): Noise seed.
        force (bool): Delete an existing build with other parameters (or
            unknown data in ``hr/``, ``real_lr/``, ``val/``) and rebuild.
        degradation (SyntheticCameraDegradation, optional): Defaults to
            ``SyntheticCameraDegradation(scale=scale)``.

    Returns:
        PreparationResult
    """
    degradation = _check_args(scale, seed, degradation)
    tiles = [tile for _, tile, _ in DEMO_LAYOUT.values()]
    if any(tile % scale for tile in tiles):
        raise ValueError(
            f'scale {scale} does not divide the demo tile sizes {tiles}')
    params = dict(
        format_version=FORMAT_VERSION,
        mode='demo',
        scale=scale,
        seed=seed,
        layout=DEMO_LAYOUT,
        degradation=asdict(degradation))
    command = ('python tools/prepare_demo_data.py --out <this folder> '
               f'--scale {scale} --seed {seed}')
    return build_data_root(out_dir, params, demo_plans(), degradation, seed,
                           force, command)


def _read_rgb(path: str) -> np.ndarray:
    """:func:`dasr_mm.utils.io.read_rgb`, failing as a validation error."""
    try:
        return read_rgb(path)
    except OSError:
        raise DatasetValidationError(f'image {path!r}',
                                     ['OpenCV cannot decode it']) from None


def prepare_user_data(hr_dir: str,
                      out_dir: str,
                      *,
                      scale: int = 4,
                      seed: int = 0,
                      val_count: Optional[int] = None,
                      tile_size: Optional[int] = None,
                      force: bool = False,
                      degradation: Optional[SyntheticCameraDegradation] = None
                      ) -> PreparationResult:
    """Build a data root from a folder of HR photos (e.g. DIV2K train HR):
    a seeded shuffle puts ``val_count`` photos into ``val`` (degraded LR +
    HR pairs), half of the rest into ``real_lr`` (degraded) and the
    remainder into ``hr`` (clean).

    Args:
        hr_dir (str): Folder of HR photos (any format the datasets read;
            non-RGB images are converted to 8-bit RGB).
        out_dir (str): Data root to create.
        scale (int): SR factor.
        seed (int): Seed of the split shuffle and of the noise.
        val_count (int, optional): Validation photos; default 10% of the
            photos, at least 1, at most 100.
        tile_size (int, optional): Cut every photo into non-overlapping tiles
            of this many HR px (a multiple of ``scale``); default whole
            images.
        force (bool): See :func:`prepare_demo_data`.
        degradation (SyntheticCameraDegradation, optional): See
            :func:`prepare_demo_data`.

    Returns:
        PreparationResult

    Raises:
        DatasetValidationError: ``hr_dir`` is missing, empty, holds
            unreadable or too small images, or fewer than 3 images.
    """
    degradation = _check_args(scale, seed, degradation)
    if tile_size is not None and (tile_size < scale or tile_size % scale):
        raise ValueError(f'tile_size must be a positive multiple of scale '
                         f'{scale}, got {tile_size}')
    role = 'HR photos (--hr-dir)'
    names = check_image_folder(hr_dir, role=role, min_size=tile_size or scale)
    if len(names) < 3:
        raise DatasetValidationError(
            f'{role} folder {hr_dir!r}',
            [f'only {len(names)} image(s); at least 3 are needed to make the '
             'hr, real_lr and val splits from disjoint photos'])
    if val_count is None:
        val_count = min(100, max(1, len(names) // 10))
    if not 1 <= val_count <= len(names) - 2:
        raise ValueError(f'val_count must be in 1..{len(names) - 2} for '
                         f'{len(names)} images, got {val_count}')
    hr_dir = osp.abspath(hr_dir)
    listing = [[n, os.path.getsize(osp.join(hr_dir, n))] for n in names]
    params = dict(
        format_version=FORMAT_VERSION,
        mode='user',
        hr_dir=hr_dir,
        inputs_sha256=hashlib.sha256(
            json.dumps(listing).encode()).hexdigest(),
        scale=scale,
        seed=seed,
        val_count=val_count,
        tile_size=tile_size,
        degradation=asdict(degradation))
    plans = {
        split: SplitPlan(
            sources=tuple(
                Source(osp.splitext(n)[0], n,
                       lambda n=n: _read_rgb(osp.join(hr_dir, n)))
                for n in split_names),
            tile=tile_size)
        for split, split_names in split_user_images(names, seed,
                                                    val_count).items()
    }
    command = (f'python tools/prepare_demo_data.py --hr-dir {hr_dir} --out '
               f'<this folder> --scale {scale} --seed {seed} --val-count '
               f'{val_count}' +
               (f' --tile-size {tile_size}' if tile_size else ''))
    return build_data_root(out_dir, params, plans, degradation, seed, force,
                           command)


def prepare_data(out_dir: Optional[str] = None,
                 *,
                 hr_dir: Optional[str] = None,
                 **kwargs) -> PreparationResult:
    """:func:`prepare_user_data` when ``hr_dir`` is given, else
    :func:`prepare_demo_data`; ``out_dir`` defaults to ``data/demo`` for the
    demo and is required with ``hr_dir``. ``kwargs`` go to the chosen
    function."""
    if hr_dir is None:
        if kwargs.get('val_count') is not None or kwargs.get('tile_size'):
            raise ValueError('val_count and tile_size apply only with hr_dir')
        kwargs.pop('val_count', None)
        kwargs.pop('tile_size', None)
        return prepare_demo_data(out_dir or DEMO_OUT_DIR, **kwargs)
    if out_dir is None:
        raise ValueError('out_dir is required with hr_dir')
    return prepare_user_data(hr_dir, out_dir, **kwargs)
