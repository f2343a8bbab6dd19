"""Small on-disk data roots for the dataset tests."""
import os
import os.path as osp
from typing import Callable, Dict

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from dasr_mm.utils.io import atomic_save_image


@pytest.fixture(autouse=True)
def mmagic_scope():
    """Build pipelines from mmagic's registries, as configs with
    ``default_scope='mmagic'`` do."""
    with DefaultScope.overwrite_default_scope('mmagic'):
        yield


def position_image(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """RGB uint8 image whose R = 2y and G = 2x encode the pixel position and
    B is random (h, w <= 128)."""
    yy, xx = np.mgrid[0:h, 0:w]
    blue = rng.integers(0, 256, (h, w))
    return np.stack([2 * yy, 2 * xx, blue], axis=-1).astype(np.uint8)


@pytest.fixture
def make_data_root(tmp_path) -> Callable:
    """Factory: ``data_root`` with ``hr/`` and ``real_lr/``.

    HR images are position images (see :func:`position_image`, R even) of
    ``hr_size`` (H, W); real-LR images of ``lr_size`` have R = 1, random G
    and B = 255, so a crop tells which folder it came from.
    Returns ``(root, {'hr': {name: array}, 'real_lr': {name: array}})``.
    """

    def make(n_hr: int = 3,
             n_lr: int = 2,
             hr_size=(96, 80),
             lr_size=(30, 28),
             seed: int = 0):
        rng = np.random.default_rng(seed)
        root = str(tmp_path / 'data')
        arrays: Dict[str, Dict[str, np.ndarray]] = dict(hr={}, real_lr={})
        for i in range(n_hr):
            img = position_image(*hr_size, rng)
            name = f'hr_{i:02d}.png'
            atomic_save_image(osp.join(root, 'hr', name), img)
            arrays['hr'][name] = img
        os.makedirs(osp.join(root, 'real_lr'), exist_ok=True)
        for i in range(n_lr):
            img = rng.integers(0, 256, (*lr_size, 3)).astype(np.uint8)
            img[..., 0] = 1
            img[..., 2] = 255
            name = f'real_{i:02d}.png'
            atomic_save_image(osp.join(root, 'real_lr', name), img)
            arrays['real_lr'][name] = img
        return root, arrays

    return make
