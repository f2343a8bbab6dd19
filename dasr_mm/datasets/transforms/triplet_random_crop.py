"""One random crop shared by an LR image and its HR-sized companions."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TripletRandomCrop(BaseTransform):
    """Crop ``lr_key`` at ``lr_patch_size`` and every key of ``hr_keys`` at
    ``lr_patch_size * scale`` with the same offset (LR pixel ``(i, j)``
    covers HR pixels ``[i*scale, (i+1)*scale)``), e.g. the stage-2 source
    triplet generated LR / HR / domain-distance map.

    Unlike mmagic's ``PairedRandomCrop`` it crops any number of HR-sized keys
    together and accepts an LR size of ``floor`` or ``ceil`` of ``HR/scale``
    (a DSN or a MATLAB-style resize of an HR image whose size is not a
    multiple of ``scale``); the crop stays inside the part both cover.

    Required keys: ``lr_key`` and ``hr_keys``, arrays ``(H, W, C)``.
    Modified keys: the same, cropped (views into the input arrays).

    Args:
        lr_patch_size (int): LR crop size ``p``.
        scale (int): HR / LR size ratio (1 allowed).
        lr_key (str): Key of the LR image. Defaults to ``'img'``.
        hr_keys (Sequence[str]): Keys of HR-sized arrays, all of the same
            height and width. Defaults to ``('gt', 'weight')``.
    """

    def __init__(self,
                 lr_patch_size: int,
                 scale: int,
                 lr_key: str = 'img',
                 hr_keys: Sequence[str] = ('gt', 'weight')) -> None:
        if lr_patch_size < 1 or scale < 1:
            raise ValueError('lr_patch_size and scale must be positive, got '
                             f'{lr_patch_size} and {scale}')
        self.lr_patch_size = lr_patch_size
        self.scale = scale
        self.lr_key = lr_key
        self.hr_keys = list(hr_keys)

    def _describe(self, results: dict) -> str:
        """Sizes (H x W) and source files of the cropped keys."""
        parts = []
        for k in [self.lr_key] + self.hr_keys:
            h, w = results[k].shape[:2]
            path = results.get(f'{k}_path')
            parts.append(f'{k!r} {h}x{w}' + (f' ({path})' if path else ''))
        return ', '.join(parts)

    def transform(self, results: dict) -> dict:
        """Crop ``lr_key`` to ``(p, p)`` and ``hr_keys`` to ``(p*s, p*s)``."""
        p, s = self.lr_patch_size, self.scale
        h_lr, w_lr = results[self.lr_key].shape[:2]
        h_hr, w_hr = results[self.hr_keys[0]].shape[:2]
        if any(results[k].shape[:2] != (h_hr, w_hr) for k in self.hr_keys):
            raise ValueError('HR-sized keys differ in size: ' +
                             self._describe(results))
        if not (h_hr // s <= h_lr <= -(-h_hr // s)
                and w_hr // s <= w_lr <= -(-w_hr // s)):
            raise ValueError(
                f'LR size is not HR size / {s} (floor or ceil): ' +
                self._describe(results) +
                '. Was the export made with another scale or HR folder?')
        h_max, w_max = min(h_lr, h_hr // s) - p, min(w_lr, w_hr // s) - p
        if h_max < 0 or w_max < 0:
            raise ValueError(f'image too small for an LR crop of {p} px at '
                             f'scale {s}: ' + self._describe(results) +
                             '. Lower TripletRandomCrop\'s lr_patch_size '
                             '(train_dataloader.dataset.pipeline) and the '
                             "dataset's lr_patch_size, or remove the image")
        top = np.random.randint(h_max + 1)
        left = np.random.randint(w_max + 1)
        results[self.lr_key] = results[self.lr_key][top:top + p,
                                                    left:left + p, ...]
        for k in self.hr_keys:
            results[k] = results[k][top * s:(top + p) * s,
                                    left * s:(left + p) * s, ...]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(lr_patch_size='
                f'{self.lr_patch_size}, scale={self.scale}, '
                f'lr_key={self.lr_key!r}, hr_keys={self.hr_keys})')
