"""Build a data root with the layout every DASR config reads::

    DATA_ROOT/
      hr/        clean HR images (X_r), unpaired
      real_lr/   real-LR-domain images (Y_r), unpaired, made from other photos
      val/hr/    HR images of the validation pairs
      val/lr/    their LR partners (same file names); HR size = LR size x scale
      README.txt what was built, from which sources, with which degradation
      sources.json  the same, machine-readable, plus the build parameters

The real-LR domain is made by :class:`SyntheticCameraDegradation`, a fixed
degradation standing in for an unknown camera. Every source photo goes to
exactly one split, so ``hr``, ``real_lr`` and ``val`` never show the same
scene.

Two modes:

* **demo** (:func:`prepare_demo_data`): photographs shipped inside
  scikit-image, scikit-learn and matplotlib, cut into non-overlapping tiles;
  small enough for the whole two-stage pipeline to train in minutes on a
  CPU.
* **user** (:func:`prepare_user_data`): any folder of HR photos (e.g. DIV2K
  train HR) split by a seeded shuffle, to build an AIM-2019-like benchmark.

Builds are deterministic (same arguments and software, byte-identical files),
written atomically, and idempotent: ``sources.json`` is written last and
records the parameters; a rerun with identical parameters on a complete build
does nothing, a rerun with other parameters is refused unless ``force``.
"""
import hashlib
import json
import logging
import math
import os
import os.path as osp
import shutil
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

from dasr_mm.datasets.image_checks import (DatasetValidationError,
                                           check_image_folder)
from dasr_mm.utils.io import (atomic_path, atomic_save_image, atomic_save_json,
                              read_rgb)

DEMO_OUT_DIR = 'data/demo'
SPLITS = ('hr', 'real_lr', 'val')
SOURCES_FILE = 'sources.json'
README_FILE = 'README.txt'
_IN_PROGRESS_FILE = '.prepare_in_progress.json'
_MANAGED = ('hr', 'real_lr', 'val', README_FILE, SOURCES_FILE,
            _IN_PROGRESS_FILE)
# bump when the output of an unchanged set of arguments changes
_FORMAT_VERSION = 2
_README_MAX_SOURCES = 12  # per split; sources.json lists all

Box = Tuple[int, int, int, int]  # (x, y, w, h) in HR pixels
# split -> (folder of its HR images, folder of its degraded LR images)
_SPLIT_FOLDERS = {
    'hr': ('hr', None),
    'real_lr': (None, 'real_lr'),
    'val': ('val/hr', 'val/lr'),
}


@dataclass(frozen=True)
class SyntheticCameraDegradation:
    """A fixed "unknown camera": HR RGB uint8 image -> degraded LR image.

    Steps, in order (on float images in [0, 1]):

    1. anisotropic Gaussian blur: standard deviations ``blur_sigmas`` (given
       in LR pixels, i.e. multiplied by ``scale`` on the HR grid) along axes
       rotated by ``blur_angle`` degrees; odd kernel of 3 sigma each side,
       reflected borders;
    2. down-sampling by ``scale`` with area averaging (``cv2.INTER_AREA``,
       pixel centres aligned, so an HR crop at a multiple of ``scale`` matches
       its LR crop exactly); none for ``scale=1``;
    3. signal-dependent noise, the Gaussian approximation of Poisson-Gaussian
       sensor noise: ``y = x + n``, ``n ~ N(0, noise_a * x + noise_b)``,
       independent per pixel and channel, then clipped to [0, 1] and
       rounded to 8 bits;
    4. JPEG compression at ``jpeg_quality`` (``cv2.imencode``), decoded back.

    Deterministic given the random generator passed to :meth:`__call__`.

    Args:
        scale (int): Down-sampling factor (1 keeps the size).
        blur_sigmas (Tuple[float, float]): Blur std along the two kernel axes,
            in LR pixels.
        blur_angle (float): Rotation of the first kernel axis from the image
            x axis, in degrees.
        noise_a (float): Signal-dependent noise variance per unit intensity.
        noise_b (float): Signal-independent noise variance.
        jpeg_quality (int): JPEG quality, 1..100.
    """
    scale: int = 4
    blur_sigmas: Tuple[float, float] = (0.5, 0.3)
    blur_angle: float = 30.0
    noise_a: float = 0.002
    noise_b: float = 0.0001
    jpeg_quality: int = 70

    def __post_init__(self) -> None:
        if not isinstance(self.scale, int) or self.scale < 1:
            raise ValueError(f'scale must be a positive integer, '
                             f'got {self.scale!r}')
        if min(self.blur_sigmas) <= 0:
            raise ValueError(
                f'blur_sigmas must be > 0, got {self.blur_sigmas}')
        if self.noise_a < 0 or self.noise_b < 0:
            raise ValueError('noise_a and noise_b must be >= 0')
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f'jpeg_quality must be in 1..100, '
                             f'got {self.jpeg_quality}')

    def blur_kernel(self) -> np.ndarray:
        """The normalised (K, K) float32 blur kernel on the HR grid."""
        sx, sy = (s * self.scale for s in self.blur_sigmas)
        radius = int(math.ceil(3 * max(sx, sy)))
        theta = math.radians(self.blur_angle)
        rot = np.array([[math.cos(theta), -math.sin(theta)],
                        [math.sin(theta), math.cos(theta)]])
        inv_cov = np.linalg.inv(rot @ np.diag([sx**2, sy**2]) @ rot.T)
        yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
        pts = np.stack([xx, yy], axis=-1).astype(np.float64)
        kernel = np.exp(-0.5 * np.einsum('...i,ij,...j->...', pts, inv_cov,
                                         pts))
        return (kernel / kernel.sum()).astype(np.float32)

    def __call__(self, hr: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
        """Degrade an (H, W, 3) RGB uint8 image, H and W multiples of
        ``scale``, into an (H/scale, W/scale, 3) RGB uint8 image."""
        h, w = hr.shape[:2]
        if hr.dtype != np.uint8 or hr.ndim != 3 or hr.shape[2] != 3:
            raise ValueError(f'expected an (H, W, 3) uint8 image, got '
                             f'{hr.shape} {hr.dtype}')
        if h % self.scale or w % self.scale:
            raise ValueError(f'image size {w}x{h} is not a multiple of scale '
                             f'{self.scale}; crop it first (crop_to_multiple)')
        img = cv2.filter2D(
            hr.astype(np.float32) / 255, -1, self.blur_kernel(),
            borderType=cv2.BORDER_REFLECT_101)
        if self.scale > 1:
            img = cv2.resize(
                img, (w // self.scale, h // self.scale),
                interpolation=cv2.INTER_AREA)
        img = np.clip(img, 0, 1).astype(np.float64)
        img = img + rng.standard_normal(img.shape) * np.sqrt(
            self.noise_a * img + self.noise_b)
        img = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
        ok, buf = cv2.imencode('.jpg', cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise RuntimeError('JPEG encoding failed')
        return cv2.cvtColor(
            cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    def describe(self) -> str:
        """One paragraph for README files."""
        sx, sy = self.blur_sigmas
        return (
            f'anisotropic Gaussian blur (std {sx} x {sy} LR px = '
            f'{sx * self.scale:g} x {sy * self.scale:g} HR px, axes rotated '
            f'by {self.blur_angle:g} deg) -> '
            + (f'x{self.scale} down-sampling by area averaging -> '
               if self.scale > 1 else 'no down-sampling (scale 1) -> ') +
            f'Poisson-Gaussian noise (variance = {self.noise_a:g} * x + '
            f'{self.noise_b:g}, x in [0, 1]) -> JPEG quality '
            f'{self.jpeg_quality} (OpenCV {cv2.__version__}).')


def crop_to_multiple(img: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right border of an (H, W, C) image so that H and W are
    multiples of ``scale``."""
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]


def image_rng(seed: int, key: str) -> np.random.Generator:
    """Generator for the image named ``key``: independent of processing
    order, reproducible from ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(key.encode('utf-8'))])


def tile_boxes(img: np.ndarray,
               tile: int,
               scale: int,
               max_tiles: Optional[int] = None) -> List[Tuple[str, Box]]:
    """Non-overlapping ``tile`` x ``tile`` boxes of a centred grid over an
    (H, W, C) image, with offsets on multiples of ``scale``.

    Returns:
        List of (suffix ``'rRcC'``, (x, y, w, h)) in row-major order; with
        ``max_tiles``, only the ``max_tiles`` most detailed tiles (highest
        standard deviation of the pixel values; ties keep grid order).
    """
    height, width = img.shape[:2]
    rows, cols = height // tile, width // tile
    y0 = (height - rows * tile) // 2 // scale * scale
    x0 = (width - cols * tile) // 2 // scale * scale
    boxes = [(f'r{r}c{c}', (x0 + c * tile, y0 + r * tile, tile, tile))
             for r in range(rows) for c in range(cols)]
    if max_tiles is not None and len(boxes) > max_tiles:
        detail = [-float(img[y:y + h, x:x + w].std())
                  for _, (x, y, w, h) in boxes]
        keep = sorted(np.argsort(detail, kind='stable')[:max_tiles])
        boxes = [boxes[i] for i in keep]
    return boxes


@dataclass(frozen=True)
class _Source:
    """One source photo assigned to one split."""
    key: str  # output file name stem (and noise key)
    origin: str  # where it comes from, for README/sources.json
    load: Callable[[], np.ndarray]  # -> (H, W, 3) RGB uint8
    credit: str = ''


@dataclass(frozen=True)
class _SplitPlan:
    sources: Tuple[_Source, ...]
    tile: Optional[int] = None  # HR px; None = whole images
    max_tiles: Optional[int] = None  # per source


@dataclass
class PreparationResult:
    """What a preparation call did.

    Attributes:
        out_dir (str): The data root.
        skipped (bool): True when a complete identical build was found.
        counts (Dict[str, int]): Number of images per split (``val``: pairs).
        seconds (float): Wall time of the call.
    """
    out_dir: str
    skipped: bool
    counts: Dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _demo_photo(key: str) -> np.ndarray:
    """A photograph shipped inside scikit-image, scikit-learn or matplotlib
    (offline), as (H, W, 3) RGB uint8."""
    if key in ('china', 'flower'):
        from sklearn.datasets import load_sample_image
        return load_sample_image(f'{key}.jpg')
    if key == 'grace_hopper':
        from matplotlib import cbook
        return read_rgb(
            cbook.get_sample_data('grace_hopper.jpg', asfileobj=False))
    from skimage import data
    if key == 'motorcycle_left':
        return data.stereo_motorcycle()[0]
    return getattr(data, key)()


# key -> (origin, credit). motorcycle_right is left out: same scene as _left.
_DEMO_PHOTOS = {
    'astronaut': ('skimage.data.astronaut()',
                  'Eileen Collins, NASA Great Images; public domain'),
    'coffee': ('skimage.data.coffee()',
               'Rachel Michetti / Pikolo Espresso Bar; CC0'),
    'chelsea': ('skimage.data.chelsea()', 'Stefan van der Walt; CC0'),
    'rocket': ('skimage.data.rocket()',
               'SpaceX, DSCOVR launch; public domain'),
    'immunohistochemistry': (
        'skimage.data.immunohistochemistry()',
        'Immunohistochemical staining of colonic glands, Wikimedia '
        'Commons; public domain'),
    'motorcycle_left': ('skimage.data.stereo_motorcycle()[0]',
                        'Middlebury 2014 stereo benchmark (Scharstein et '
                        'al.), left view as shipped with scikit-image'),
    'china': ("sklearn.datasets.load_sample_image('china.jpg')",
              'danielbuechele on Flickr; CC BY 2.0'),
    'flower': ("sklearn.datasets.load_sample_image('flower.jpg')",
               'vultilion on Flickr; CC BY 2.0'),
    'grace_hopper': ("matplotlib sample_data 'grace_hopper.jpg'",
                     'Grace Hopper, US Navy photograph; public domain'),
}
# whole photos per split (disjoint): (photos, tile size in HR px (a
# multiple of 4), most detailed tiles kept per photo). The SR network learns
# colour only from hr/: with two or three photos a small network learnt the
# colour bias of their scenes (measured: the green of the val flower's leaves
# came out -14 levels, its blue +9, with hr = astronaut/coffee/rocket), so
# hr/ takes five photos with skin, sky, foliage, wood and saturated
# red/blue; the target domain only needs texture for its degradation.
_DEMO_LAYOUT = {
    'hr': (('astronaut', 'coffee', 'rocket', 'china', 'grace_hopper'), 160,
           8),
    'real_lr': (('motorcycle_left', 'immunohistochemistry'), 192, 8),
    'val': (('chelsea', 'flower'), 128, 6),
}


def _demo_plans() -> Dict[str, _SplitPlan]:
    return {
        split: _SplitPlan(
            sources=tuple(
                _Source(key, _DEMO_PHOTOS[key][0],
                        lambda key=key: _demo_photo(key), _DEMO_PHOTOS[key][1])
                for key in keys),
            tile=tile,
            max_tiles=max_tiles)
        for split, (keys, tile, max_tiles) in _DEMO_LAYOUT.items()
    }


def _read_rgb(path: str) -> np.ndarray:
    """:func:`dasr_mm.utils.io.read_rgb`, failing as a validation error."""
    try:
        return read_rgb(path)
    except OSError:
        raise DatasetValidationError(f'image {path!r}',
                                     ['OpenCV cannot decode it']) from None


def _split_user_images(names: Sequence[str], seed: int,
                       val_count: int) -> Dict[str, List[str]]:
    """Seeded shuffle into val (``val_count``), real_lr (half the rest,
    rounded down) and hr (the remainder); each split sorted by name."""
    order = [names[i] for i in np.random.default_rng(seed).permutation(
        len(names))]
    n_real = (len(names) - val_count) // 2
    return {
        'val': sorted(order[:val_count]),
        'real_lr': sorted(order[val_count:val_count + n_real]),
        'hr': sorted(order[val_count + n_real:]),
    }


def _normalise(obj) -> dict:
    """JSON round trip, so stored and fresh parameters compare equal."""
    return json.loads(json.dumps(obj, sort_keys=True))


def _existing_build_is_current(out_dir: str, params: dict,
                               force: bool) -> bool:
    """Decide from ``out_dir``'s state whether to skip; refuse to overwrite
    other builds or unknown data unless ``force`` (which deletes them)."""
    if force:
        for name in _MANAGED:
            path = osp.join(out_dir, name)
            if osp.isdir(path):
                shutil.rmtree(path)
            elif osp.exists(path):
                os.remove(path)
        return False
    hint = 'pass --force (force=True) to delete it and rebuild'
    sources = osp.join(out_dir, SOURCES_FILE)
    in_progress = osp.join(out_dir, _IN_PROGRESS_FILE)
    for path, what in ((sources, 'a build'),
                       (in_progress, 'an interrupted build')):
        if not osp.isfile(path):
            continue
        with open(path) as f:
            stored = json.load(f)
        if stored.get('parameters') != params:
            raise FileExistsError(
                f'{out_dir!r} holds {what} with other parameters '
                f'({osp.basename(path)}): {hint}')
        if path == in_progress:
            print_log(f'{out_dir}: resuming an interrupted build',
                      logger='current')
            return False
        missing = [f for f in stored['files']
                   if not osp.isfile(osp.join(out_dir, f))]
        if not missing:
            return True
        print_log(f'{out_dir}: {len(missing)} file(s) of the build are '
                  f'missing (e.g. {missing[0]}); rebuilding',
                  logger='current', level=logging.WARNING)
        return False
    present = [n for n in _MANAGED if osp.exists(osp.join(out_dir, n))]
    if present:
        raise FileExistsError(
            f'{out_dir!r} already holds {", ".join(present)} not made by this '
            f'tool (no {SOURCES_FILE}): {hint}')
    return False


def _readme(params: dict, records: Dict[str, list],
            plans: Dict[str, _SplitPlan],
            degradation: SyntheticCameraDegradation, command: str) -> str:
    scale = params['scale']
    lines = [
        'DASR data root, generated by tools/prepare_demo_data.py '
        '(do not edit; rerun the tool instead).', '', 'Layout:',
        f'  hr/        {len(records["hr"])} clean HR images (X_r), unpaired',
        f'  real_lr/   {len(records["real_lr"])} real-LR-domain images (Y_r), '
        'unpaired, from other photos',
        f'  val/hr/    {len(records["val"])} HR images of validation pairs',
        f'  val/lr/    their LR partners (same names), HR size = LR size x '
        f'{scale}', '',
        'Sources (every source photo is used by exactly one split):'
    ]
    for split in SPLITS:
        plan = plans[split]
        tiling = (f'non-overlapping {plan.tile}x{plan.tile} HR-px tiles'
                  + (f', the {plan.max_tiles} most detailed per photo'
                     if plan.max_tiles else '')
                  if plan.tile else 'whole images')
        lines.append(f'  {split} ({len(plan.sources)} photo(s), {tiling}):')
        for src in plan.sources[:_README_MAX_SOURCES]:
            credit = f' - {src.credit}' if src.credit else ''
            lines.append(f'    {src.origin}{credit}')
        if len(plan.sources) > _README_MAX_SOURCES:
            more = len(plan.sources) - _README_MAX_SOURCES
            lines.append(f'    ... and {more} more (see sources.json)')
    lines += [
        '',
        'real_lr/ and val/lr/ stand in for an unknown real camera: each '
        'whole source photo (cropped', f'to a multiple of {scale} px at the '
        'bottom/right) is degraded once, then cut into tiles:',
        '  ' + degradation.describe(),
        f'Noise seed {params["seed"]} (one generator per source photo).', '',
        'Per-file sources and tile boxes: sources.json.',
        f'Regenerate: {command}', ''
    ]
    return '\n'.join(lines)


def _write_split(out_dir: str, split: str, plan: _SplitPlan,
                 degradation: SyntheticCameraDegradation,
                 seed: int) -> List[dict]:
    """Write the images of one split; return one record per image."""
    scale = degradation.scale
    hr_folder, lr_folder = _SPLIT_FOLDERS[split]
    records = []
    for src in plan.sources:
        hr = crop_to_multiple(src.load(), scale)
        h, w = hr.shape[:2]
        lr = degradation(hr, image_rng(seed, src.key)) if lr_folder else None
        boxes = tile_boxes(hr, plan.tile, scale, plan.max_tiles) \
            if plan.tile else [('', (0, 0, w, h))]
        for suffix, (x, y, bw, bh) in boxes:
            stem = f'{src.key}_{suffix}' if suffix else src.key
            record = dict(source=src.origin, box_xywh=[x, y, bw, bh])
            if hr_folder:
                record['hr_file'] = f'{hr_folder}/{stem}.png'
                atomic_save_image(
                    osp.join(out_dir, record['hr_file']),
                    hr[y:y + bh, x:x + bw])
            if lr_folder:
                record['lr_file'] = f'{lr_folder}/{stem}.png'
                atomic_save_image(
                    osp.join(out_dir, record['lr_file']),
                    lr[y // scale:(y + bh) // scale,
                       x // scale:(x + bw) // scale])
            records.append(record)
    return records


def _prepare(out_dir: str, params: dict, plans: Dict[str, _SplitPlan],
             degradation: SyntheticCameraDegradation, seed: int, force: bool,
             command: str) -> PreparationResult:
    """Skip, refuse or (re)build ``out_dir`` as described in the module
    docstring."""
    start = time.time()
    params = _normalise(params)
    if _existing_build_is_current(out_dir, params, force):
        with open(osp.join(out_dir, SOURCES_FILE)) as f:
            counts = json.load(f)['counts']
        print_log(f'{out_dir}: already complete with identical parameters, '
                  'nothing to do (--force / force=True rebuilds)',
                  logger='current')
        return PreparationResult(out_dir, True, counts, time.time() - start)
    os.makedirs(out_dir, exist_ok=True)
    atomic_save_json(
        osp.join(out_dir, _IN_PROGRESS_FILE), dict(parameters=params))
    if osp.exists(osp.join(out_dir, SOURCES_FILE)):
        os.remove(osp.join(out_dir, SOURCES_FILE))

    records = {
        split: _write_split(out_dir, split, plans[split], degradation, seed)
        for split in SPLITS
    }
    counts = {split: len(records[split]) for split in SPLITS}
    files = sorted(r[k] for split in SPLITS for r in records[split]
                   for k in ('hr_file', 'lr_file') if k in r)
    with atomic_path(osp.join(out_dir, README_FILE)) as tmp:
        with open(tmp, 'w') as f:
            f.write(_readme(params, records, plans, degradation, command))
    atomic_save_json(
        osp.join(out_dir, SOURCES_FILE),
        dict(
            parameters=params,
            counts=counts,
            splits=records,
            sources={
                split: [
                    dict(origin=s.origin, key=s.key, credit=s.credit)
                    for s in plans[split].sources
                ]
                for split in SPLITS
            },
            degradation_description=degradation.describe(),
            files=files))
    os.remove(osp.join(out_dir, _IN_PROGRESS_FILE))
    seconds = time.time() - start
    print_log(
        f'{out_dir}: wrote {counts["hr"]} HR, {counts["real_lr"]} real-LR '
        f'images and {counts["val"]} validation pairs in {seconds:.1f} s',
        logger='current')
    return PreparationResult(out_dir, False, counts, seconds)


def _check_args(scale: int, seed: int,
                degradation: Optional[SyntheticCameraDegradation]
                ) -> SyntheticCameraDegradation:
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
    """Build the demo data root from photographs shipped with scikit-image
    and scikit-learn (no download).

    Splits (whole photos, disjoint): hr = astronaut, coffee (6 tiles of
    160 px each); real_lr = rocket, china, motorcycle (left view) (5 tiles
    of 192 HR px each, i.e. 48 px LR at scale 4); val = chelsea, flower
    (3 pairs of 128 HR px each).

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
    tiles = [tile for _, tile, _ in _DEMO_LAYOUT.values()]
    if any(tile % scale for tile in tiles):
        raise ValueError(
            f'scale {scale} does not divide the demo tile sizes {tiles}')
    params = dict(
        format_version=_FORMAT_VERSION,
        mode='demo',
        scale=scale,
        seed=seed,
        layout=_DEMO_LAYOUT,
        degradation=asdict(degradation))
    command = ('python tools/prepare_demo_data.py --out <this folder> '
               f'--scale {scale} --seed {seed}')
    return _prepare(out_dir, params, _demo_plans(), degradation, seed, force,
                    command)


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
        format_version=_FORMAT_VERSION,
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
        split: _SplitPlan(
            sources=tuple(
                _Source(osp.splitext(n)[0], n,
                        lambda n=n: _read_rgb(osp.join(hr_dir, n)))
                for n in split_names),
            tile=tile_size)
        for split, split_names in _split_user_images(names, seed,
                                                     val_count).items()
    }
    command = (f'python tools/prepare_demo_data.py --hr-dir {hr_dir} --out '
               f'<this folder> --scale {scale} --seed {seed} --val-count '
               f'{val_count}' +
               (f' --tile-size {tile_size}' if tile_size else ''))
    return _prepare(out_dir, params, plans, degradation, seed, force, command)


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
