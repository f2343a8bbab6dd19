"""Training data that loads fast: overlapping sub-images of the HR and
real-LR folders, cut once before training (as BasicSR's
``extract_subimages.py`` does for DIV2K).

Why: every training sample decodes whole images to cut one small crop; a
DIV2K PNG (2040x1356) takes about 0.1 s to decode, a 480-px sub-image about
a tenth of it (``benchmarks/data_throughput.py`` measures the loaders).

What is written (:func:`prepare_subimage_root`)::

    OUT_ROOT/
      hr/        sub-images of DATA_ROOT/hr       <stem>_y<top>_x<left>.png
      real_lr/   sub-images of DATA_ROOT/real_lr  (same naming)
      val        symbolic link to DATA_ROOT/val (validation uses whole images)
      sources.json  parameters, counts, the box of every sub-image, file list

so OUT_ROOT has the layout every config reads and
``--cfg-options data_root=OUT_ROOT`` trains on it; the datasets still take
plain folders of whole images.

**The two-stage export needs no extra alignment.** Sub-images are cut
*before* stage 1, so stage 1's export runs on the sub-images themselves:
each exported LR image and map belongs to one sub-image and obeys the size
contract of :mod:`dasr_mm.utils.manifest` for that sub-image, exactly as for
a whole image. Cutting the export afterwards would have to keep LR, HR and
map offsets on multiples of ``map_stride`` and would change the bilinear
map resampling at every cut. The price: the DSN and D see a sub-image's
border without the photo around it (zero padding instead of context), as
they see a whole photo's border; each pair ``(DSN(x_sub), x_sub)`` is still
the DSN's exact output for its HR input. With overlap (step < size) every
HR pixel also lies in the interior of a sub-image.

Sub-images are written losslessly (PNG) in 8-bit RGB, converted like the
datasets' loader converts on load (:func:`dasr_mm.utils.io.read_rgb`).
Offsets along each side are ``0, step, 2*step, ...`` plus a last one flush
with the bottom/right edge, so every pixel is covered; a side shorter than
``crop_size`` is kept whole. Writes are atomic and the build is resumable
and idempotent through :mod:`.build_state` (same parameters: skip or
resume; anything else in OUT_ROOT: refused).
"""
import hashlib
import json
import logging
import os
import os.path as osp
import time
from multiprocessing import Pool
from typing import Dict, List, Sequence, Tuple

from mmengine.logging import print_log

from dasr_mm.utils.io import atomic_save_image, atomic_save_json, read_rgb
from ..image_checks import check_image_folder
from .build_state import (IN_PROGRESS_FILE, SOURCES_FILE, BuildState,
                          inspect_build)
from .data_root_builder import PreparationResult
from .split_plan import Box

SUBIMAGE_FOLDERS = ('hr', 'real_lr')  # cut; 'val' is linked
# default (side, step) in px. HR: BasicSR's DIV2K setting (crops up to 480,
# half overlap). Real LR: cropped at HR crop / scale (48 px at the paper's
# settings) in both stages, so smaller sub-images without overlap suffice
# (fewer files for AIM's 2650 2K-sized real-LR photos).
HR_SUBIMAGES = (480, 240)
REAL_LR_SUBIMAGES = (240, 240)
VAL_FOLDER = 'val'
# bump when the output of an unchanged set of arguments changes
FORMAT_VERSION = 1


def subimage_offsets(length: int, crop_size: int, step: int) -> List[int]:
    """Start offsets of the sub-images along a side of ``length`` px:
    ``0, step, ...`` and a last one ending at ``length``; ``[0]`` when the
    side is not longer than ``crop_size``."""
    if length <= crop_size:
        return [0]
    offsets = list(range(0, length - crop_size + 1, step))
    if offsets[-1] + crop_size < length:
        offsets.append(length - crop_size)
    return offsets


def subimage_boxes(height: int, width: int, crop_size: int,
                   step: int) -> List[Box]:
    """``(x, y, w, h)`` of every sub-image of a ``height x width`` image,
    row-major; together they cover every pixel."""
    return [(x, y, min(crop_size, width), min(crop_size, height))
            for y in subimage_offsets(height, crop_size, step)
            for x in subimage_offsets(width, crop_size, step)]


def subimage_name(stem: str, box: Box) -> str:
    """File name of the sub-image of ``box`` cut from image ``stem``."""
    x, y = box[:2]
    return f'{stem}_y{y:04d}_x{x:04d}.png'


def _check_sizes(crop_size: int, step: int, what: str) -> None:
    if not (isinstance(crop_size, int) and isinstance(step, int)
            and 1 <= step <= crop_size):
        raise ValueError(
            f'{what}: need integers 1 <= step <= crop_size (a larger step '
            f'leaves pixels out), got crop_size={crop_size!r}, '
            f'step={step!r}')


def _cut_one(task: Tuple[str, str, int, int, bool]) -> List[dict]:
    """Cut one image (a pool task); return one record per sub-image.
    Raises ``OSError`` naming an image OpenCV cannot decode (picklable, so
    it reaches the caller from a pool worker)."""
    src, out_folder, crop_size, step, keep_existing = task
    img = read_rgb(src)
    stem = osp.splitext(osp.basename(src))[0]
    records = []
    for box in subimage_boxes(*img.shape[:2], crop_size, step):
        x, y, w, h = box
        path = osp.join(out_folder, subimage_name(stem, box))
        if not (keep_existing and osp.isfile(path)):
            atomic_save_image(path, img[y:y + h, x:x + w])
        records.append(
            dict(source=osp.basename(src), box_xywh=list(box),
                 file=osp.join(osp.basename(out_folder),
                               osp.basename(path))))
    return records


def extract_subimages(in_dir: str,
                      out_dir: str,
                      *,
                      crop_size: int = HR_SUBIMAGES[0],
                      step: int = HR_SUBIMAGES[1],
                      workers: int = 1,
                      keep_existing: bool = False,
                      role: str = 'images') -> List[dict]:
    """Cut every image of ``in_dir`` into overlapping sub-images in
    ``out_dir`` (see the module docstring for offsets and naming).

    Args:
        in_dir (str): Folder of images (validated first: missing, empty,
            unreadable, duplicate stems are reported together).
        out_dir (str): Folder to write ``<stem>_y<top>_x<left>.png`` into.
        crop_size (int): Side of the sub-images in px.
        step (int): Distance between neighbouring sub-images
            (``<= crop_size``; ``crop_size // 2``: half overlap).
        workers (int): Processes that cut images in parallel.
        keep_existing (bool): Do not write sub-images already on disk
            (resuming an interrupted run).
        role (str): What ``in_dir`` is, for messages.

    Returns:
        One record per sub-image: ``source`` (file name in ``in_dir``),
        ``box_xywh`` and ``file`` (relative to the parent of ``out_dir``).
    """
    _check_sizes(crop_size, step, role)
    names = check_image_folder(in_dir, role=role)
    return _cut_folder(in_dir, names, out_dir, crop_size, step, workers,
                       keep_existing)


def _cut_folder(in_dir: str, names: List[str], out_dir: str, crop_size: int,
                step: int, workers: int, keep_existing: bool) -> List[dict]:
    """:func:`extract_subimages` of the validated image ``names``."""
    os.makedirs(out_dir, exist_ok=True)
    tasks = [(osp.join(in_dir, n), out_dir, crop_size, step, keep_existing)
             for n in names]
    if workers > 1:
        with Pool(workers) as pool:
            per_image = pool.map(_cut_one, tasks, chunksize=1)
    else:
        per_image = [_cut_one(t) for t in tasks]
    return [r for records in per_image for r in records]


def _listing_sha256(folder: str) -> str:
    """Hash of the file names and sizes of ``folder`` (detects a changed
    input on a rerun without reading the images)."""
    listing = [[n, osp.getsize(osp.join(folder, n))]
               for n in sorted(os.listdir(folder))]
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


def prepare_subimage_root(data_root: str,
                          out_root: str,
                          *,
                          crop_size: int = HR_SUBIMAGES[0],
                          step: int = HR_SUBIMAGES[1],
                          lr_crop_size: int = REAL_LR_SUBIMAGES[0],
                          lr_step: int = REAL_LR_SUBIMAGES[1],
                          workers: int = 1,
                          folders: Sequence[str] = SUBIMAGE_FOLDERS
                          ) -> PreparationResult:
    """Write a data root of sub-images (``hr/``, ``real_lr/``) of
    ``data_root``'s, with ``val`` linked to ``data_root/val``.

    Args:
        data_root (str): A data root of whole images (README "Data
            preparation" layout).
        out_root (str): The data root to write; must not hold anything but
            a build of this function with the same parameters (then it is
            skipped when complete, resumed when interrupted).
        crop_size (int): HR sub-image side in px (stage 1 and 2 crop at most
            this much: 192 px at the paper's settings).
        step (int): HR sub-image step.
        lr_crop_size (int): Real-LR sub-image side (at least the real-LR
            crop of both stages).
        lr_step (int): Real-LR sub-image step.
        workers (int): Processes cutting in parallel.
        folders (Sequence[str]): Which of ``hr``, ``real_lr`` to cut.

    Returns:
        PreparationResult: ``counts`` = sub-images per folder.

    Raises:
        DatasetValidationError: an input folder is missing, empty or holds
            unreadable images (all listed).
        FileExistsError: ``out_root`` holds other data.
        OSError: an image passed the header checks but cannot be decoded.
        ValueError: bad sizes or folder names.
    """
    start = time.time()
    unknown = sorted(set(folders) - set(SUBIMAGE_FOLDERS))
    if unknown or not folders:
        raise ValueError(f'folders must be a non-empty subset of '
                         f'{SUBIMAGE_FOLDERS}, got {list(folders)}')
    sizes = dict(
        hr=(crop_size, step),
        real_lr=(lr_crop_size, lr_step))
    for folder in folders:
        _check_sizes(*sizes[folder], f'{folder} sub-images')
    data_root = osp.abspath(data_root)
    if osp.abspath(out_root) == data_root:
        raise ValueError(f'out_root must differ from data_root '
                         f'{data_root!r} (the sub-images need a new root)')
    names = {  # every input problem before any work
        folder: check_image_folder(osp.join(data_root, folder), role=folder)
        for folder in folders
    }
    params = json.loads(json.dumps(dict(
        format_version=FORMAT_VERSION,
        mode='subimages',
        data_root=data_root,
        sub_images={f: dict(crop_size=sizes[f][0], step=sizes[f][1],
                            inputs_sha256=_listing_sha256(
                                osp.join(data_root, f)))
                    for f in folders}), sort_keys=True))
    found = inspect_build(out_root, params)
    if found.state is BuildState.COMPLETE:
        with open(osp.join(out_root, SOURCES_FILE)) as f:
            counts = json.load(f)['counts']
        print_log(f'{out_root}: sub-images already complete with identical '
                  'parameters, nothing to do', logger='current')
        return PreparationResult(out_root, True, counts, time.time() - start)
    if found.state in (BuildState.OTHER_PARAMETERS, BuildState.FOREIGN):
        raise FileExistsError(
            f'{found.message}: choose another output folder or delete it')
    resume = found.state in (BuildState.INTERRUPTED, BuildState.INCOMPLETE)
    if resume:
        print_log(f'{found.message}; resuming (sub-images on disk are kept)',
                  logger='current', level=logging.INFO)

    os.makedirs(out_root, exist_ok=True)
    atomic_save_json(osp.join(out_root, IN_PROGRESS_FILE),
                     dict(parameters=params))
    records: Dict[str, List[dict]] = {
        folder: _cut_folder(
            osp.join(data_root, folder), names[folder],
            osp.join(out_root, folder), *sizes[folder], workers, resume)
        for folder in folders
    }
    _link_val(data_root, out_root)
    counts = {folder: len(r) for folder, r in records.items()}
    atomic_save_json(
        osp.join(out_root, SOURCES_FILE),
        dict(parameters=params, counts=counts, sub_images=records,
             files=sorted(r['file'] for rs in records.values()
                          for r in rs)))
    os.remove(osp.join(out_root, IN_PROGRESS_FILE))
    seconds = time.time() - start
    print_log(
        f'{out_root}: {", ".join(f"{n} {f}" for f, n in counts.items())} '
        f'sub-images in {seconds:.1f} s; train with --cfg-options '
        f'data_root={out_root}', logger='current')
    return PreparationResult(out_root, False, counts, seconds)


def _link_val(data_root: str, out_root: str) -> None:
    """Link ``out_root/val`` to ``data_root/val`` (absent: a note)."""
    src, dst = osp.join(data_root, VAL_FOLDER), osp.join(out_root, VAL_FOLDER)
    if not osp.isdir(src):
        print_log(f'{src} does not exist: {dst} not linked (configs that '
                  'validate need it)', logger='current',
                  level=logging.WARNING)
    elif not osp.islink(dst):
        os.symlink(src, dst, target_is_directory=True)
