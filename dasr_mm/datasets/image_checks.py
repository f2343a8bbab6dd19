"""Input validation run by the datasets before a long run starts.

Every check collects *all* problems of a folder (or a pair of folders) and
raises one :class:`DatasetValidationError` listing them, so a user fixes a
broken data set in one go instead of one crash per hour of training.

Images are inspected cheaply through their headers with PIL (size and mode;
``verify()`` checks the structure and, for PNG, the chunk checksums without
decoding pixels). A JPEG whose data is cut short passes ``verify()``; its
decoder only warns when the image is loaded.

Images that are not 8-bit RGB are not errors: the datasets load them with
mmagic's ``LoadImageFromFile(color_type='color', channel_order='rgb')``, i.e.
OpenCV's ``IMREAD_COLOR``, which always returns ``(H, W, 3) uint8`` RGB:
grayscale is replicated to three channels, alpha is dropped (not composited),
palettes are expanded and 16-bit samples are scaled to 8 bits (``v >> 8``).
The checks log one note per folder listing such files.
"""
import logging
import os.path as osp
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from mmengine.logging import print_log
from PIL import Image

from dasr_mm.utils.io import IMAGE_EXTENSIONS, list_images

_MAX_LISTED_NOTES = 20


class DatasetValidationError(ValueError):
    """A data folder cannot be used; ``problems`` lists every reason found.

    Args:
        subject (str): What was checked (folder role and path).
        problems (List[str]): One human-readable line per problem.
    """

    def __init__(self, subject: str, problems: List[str]) -> None:
        self.subject = subject
        self.problems = list(problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(
            f'{subject}: {len(self.problems)} problem(s):\n{lines}')


@dataclass
class _FolderScan:
    """Result of inspecting one folder without raising."""
    names: List[str] = field(default_factory=list)
    sizes: Dict[str, Tuple[int, int]] = field(default_factory=dict)  # (w, h)
    problems: List[str] = field(default_factory=list)
    converted: List[str] = field(default_factory=list)  # 'name (mode)'


def _subject(role: str, folder: str) -> str:
    return f'{role} folder {folder!r}'


def _non_rgb_description(img: Image.Image) -> Optional[str]:
    """``None`` for plain 8-bit RGB, else the PIL mode (``'L'``, ``'RGBA'``,
    ``'P'``, ``'I;16'`` ...); PIL opens 16-bit RGB PNGs as mode ``'RGB'`` and
    shows the depth only in the raw mode of the tile: ``'16-bit RGB'``."""
    rawmode = ''
    if img.tile:
        args = img.tile[0][3]  # (codec, extents, offset, args)
        rawmode = args if isinstance(args, str) else str(args[0])
    if img.mode != 'RGB':
        return img.mode
    return '16-bit RGB' if '16' in rawmode else None


def _scan_folder(folder: str,
                 min_size: int,
                 size_key: str = 'the crop size') -> _FolderScan:
    """Inspect ``folder``; collect problems instead of raising."""
    scan = _FolderScan()
    if not osp.exists(folder):
        scan.problems.append(f'folder {folder!r} does not exist')
        return scan
    if not osp.isdir(folder):
        scan.problems.append(f'{folder!r} is not a folder')
        return scan
    names = list_images(folder)
    if not names:
        scan.problems.append(
            f'no images in {folder!r}; accepted extensions: '
            f'{", ".join(IMAGE_EXTENSIONS)} (case-insensitive)')
        return scan

    stems = defaultdict(list)
    for name in names:
        stems[osp.splitext(name)[0]].append(name)
    for stem, same in sorted(stems.items()):
        if len(same) > 1:
            scan.problems.append(
                f'{" and ".join(same)} share the stem {stem!r} (outputs and '
                'pairs are matched by stem): rename or remove all but one')

    for name in names:
        path = osp.join(folder, name)
        try:
            with Image.open(path) as img:
                size, note = img.size, _non_rgb_description(img)
                img.verify()
        except Exception as e:  # PIL raises many types for broken files
            scan.problems.append(
                f'{name!r} cannot be read as an image '
                f'({type(e).__name__}: {e}): replace or remove it')
            continue
        scan.names.append(name)
        scan.sizes[name] = size
        if note is not None:
            scan.converted.append(f'{name} ({note})')
        if min(size) < min_size:
            scan.problems.append(
                f'{name!r} is {size[0]}x{size[1]} px (WxH), its shorter side '
                f'is below the minimum of {min_size} px: remove it or lower '
                f'{size_key}')
    return scan


def _log_conversions(scan: _FolderScan, role: str, folder: str) -> None:
    if not scan.converted:
        return
    listed = scan.converted[:_MAX_LISTED_NOTES]
    more = len(scan.converted) - len(listed)
    tail = f' and {more} more' if more else ''
    print_log(
        f'{_subject(role, folder)}: {len(scan.converted)} image(s) are not '
        '8-bit RGB and are converted to 8-bit RGB on load (gray replicated '
        'to 3 channels, alpha dropped, 16-bit scaled to 8-bit): '
        f'{", ".join(listed)}{tail}',
        logger='current',
        level=logging.WARNING)


def check_image_folder(folder: str,
                       *,
                       role: str,
                       min_size: int = 1,
                       size_key: str = 'the crop size') -> List[str]:
    """Check that ``folder`` holds readable images usable for training.

    Args:
        folder (str): Folder of images (not searched recursively).
        role (str): What the folder is for (e.g. ``'real LR'``), used in
            messages.
        min_size (int): Minimum length in px of each image's shorter side
            (usually the crop size the folder is sampled with).
        size_key (str): The config key(s) that set ``min_size``, named in
            the message about an image too small (e.g.
            ``'train_dataloader.dataset.min_hr_size'``).

    Returns:
        List[str]: Sorted image file names (not paths).

    Raises:
        DatasetValidationError: listing every problem found: missing folder,
            no images, duplicate stems, unreadable files, images too small.
    """
    scan = _scan_folder(folder, min_size, size_key)
    _log_conversions(scan, role, folder)
    if scan.problems:
        raise DatasetValidationError(_subject(role, folder), scan.problems)
    return scan.names


def check_paired_folders(lr_folder: str,
                         hr_folder: str,
                         *,
                         scale: int,
                         role: str = 'paired') -> List[str]:
    """Check LR/HR pairs (e.g. validation data): both folders as in
    :func:`check_image_folder`, files matched by stem, and every HR image
    exactly ``scale`` times the size of its LR partner.

    Args:
        lr_folder (str): Folder of LR images.
        hr_folder (str): Folder of HR images.
        scale (int): Up-sampling factor (1 for same-size pairs).
        role (str): Prefix of the folder roles in messages.

    Returns:
        List[str]: Sorted stems present in both folders. File extensions may
        differ between the two sides.

    Raises:
        DatasetValidationError: listing every problem of both folders plus
            unmatched names and size mismatches.
    """
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f'scale must be a positive integer, got {scale!r}')
    lr_role, hr_role = f'{role} LR', f'{role} HR'
    lr = _scan_folder(lr_folder, 1)
    hr = _scan_folder(hr_folder, 1)
    _log_conversions(lr, lr_role, lr_folder)
    _log_conversions(hr, hr_role, hr_folder)
    problems = [f'{lr_role}: {p}' for p in lr.problems]
    problems += [f'{hr_role}: {p}' for p in hr.problems]

    lr_by_stem = {osp.splitext(n)[0]: n for n in lr.names}
    hr_by_stem = {osp.splitext(n)[0]: n for n in hr.names}
    common = sorted(lr_by_stem.keys() & hr_by_stem.keys())
    if lr.names and hr.names:
        for stem in sorted(lr_by_stem.keys() - hr_by_stem.keys()):
            problems.append(f'{lr_by_stem[stem]!r} in {lr_folder!r} has no HR '
                            f'partner named {stem}.* in {hr_folder!r}')
        for stem in sorted(hr_by_stem.keys() - lr_by_stem.keys()):
            problems.append(f'{hr_by_stem[stem]!r} in {hr_folder!r} has no LR '
                            f'partner named {stem}.* in {lr_folder!r}')
    for stem in common:
        (lw, lh), (hw, hh) = lr.sizes[lr_by_stem[stem]], hr.sizes[
            hr_by_stem[stem]]
        if (hw, hh) != (lw * scale, lh * scale):
            problems.append(
                f'{stem!r}: HR is {hw}x{hh} px but LR is {lw}x{lh} px; with '
                f'scale {scale} the HR must be {lw * scale}x{lh * scale} px')
    if problems:
        raise DatasetValidationError(
            f'{role} data (LR {lr_folder!r}, HR {hr_folder!r}, '
            f'scale {scale})', problems)
    return common
