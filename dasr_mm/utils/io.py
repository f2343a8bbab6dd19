"""Small I/O helpers: atomic writes and image reading shared by data tools,
datasets and the export."""
import json
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Tuple

import cv2
import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only if
    the block finishes, so readers never see a half-written file.

    The temporary file keeps the extension of ``path`` (writers such as
    ``cv2.imwrite`` pick the format from it) and starts with ``.tmp-``. The
    file gets the permissions of a plain ``open()`` (``0o666`` less the
    process umask, usually ``0o644``), not ``mkstemp``'s ``0o600``.

    An ``OSError`` of the block (e.g. ``ENOSPC``, disk full) is re-raised
    with the same ``errno`` and a message that names ``path``; ``path``
    keeps its previous content and the temporary file is removed.
    """
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix='.tmp-', suffix=osp.splitext(path)[1], dir=directory)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        if path in str(e):
            raise
        message = (f'could not write {path}: {e.strerror or e}; {path} '
                   'was left as it was')
        raise (OSError(e.errno, message)
               if e.errno is not None else OSError(message)) from e
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def _umask() -> int:
    """The process umask (reading it means setting it; restored at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_save_image(path: str, img_rgb: np.ndarray) -> None:
    """Write an (H, W, 3) RGB uint8 image atomically; the format follows the
    extension (use ``.png`` for lossless)."""
    with atomic_path(path) as tmp:
        if not cv2.imwrite(tmp, cv2.cvtColor(img_rgb, cv2.COLOR_RGB2BGR)):
            raise OSError(f'could not write image {path}')


def read_rgb(path: str) -> np.ndarray:
    """Read any image file as (H, W, 3) RGB uint8, converted like the
    datasets' loader (OpenCV ``IMREAD_COLOR``: gray → 3 channels, alpha
    dropped, 16-bit → 8-bit). Raises ``OSError`` if it cannot be decoded."""
    img = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise OSError(f'could not read image {path}')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def image_size(path: str) -> Tuple[int, int]:
    """``(height, width)`` of an image file, read from its header (PIL)."""
    with Image.open(path) as img:
        return img.height, img.width


def npy_shape(path: str) -> Tuple[int, ...]:
    """Shape of the array in a ``.npy`` file, without reading its data."""
    return tuple(np.load(path, mmap_mode='r').shape)


def atomic_save_npy(path: str, array: np.ndarray) -> None:
    """Write a numpy array atomically (``.npy``)."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.save(f, array)


def atomic_save_json(path: str, obj: Any) -> None:
    """Write JSON atomically, pretty-printed with sorted keys."""
    with atomic_path(path) as tmp:
        with open(tmp, 'w') as f:
            json.dump(obj, f, indent=2, sort_keys=True)


def list_images(folder: str) -> list:
    """Sorted image file names (not paths) directly inside ``folder``."""
    return sorted(
        name for name in os.listdir(folder) if
        name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith('.'))
