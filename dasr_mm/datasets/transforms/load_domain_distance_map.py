"""Load a domain-distance map exported between stage 1 and stage 2."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS
from dasr_mm.utils.manifest import map_on_hr_grid


@TRANSFORMS.register_module()
class LoadDomainDistanceMap(BaseTransform):
    """Load ``results[f'{key}_path']`` (a ``.npy`` map ``(h, w)`` float16 in
    [0, 1] at the discriminator's output resolution) and resample it onto the
    pixel grid of ``results[size_key]`` (the HR image) with the export's
    geometry (:func:`dasr_mm.utils.manifest.map_on_hr_grid`: one map value
    per ``results[f'{key}_stride']`` HR block, anchored top-left), *before*
    any crop, so it is cropped and flipped together with the HR image and
    stays aligned with it and with the LR image.

    When the path is missing or ``None`` (``use_weights=False`` or the bicubic
    source), the map is all ones, i.e. unweighted supervision.

    Required keys: ``size_key``, and with ``{key}_path`` also
    ``{key}_stride`` (the manifest's ``map_stride``; set by
    ``DomainDistanceTripletDataset``).
    Added key: ``key``, a float32 array ``(H, W, 1)`` in [0, 1]. It is packed
    as a ``data_keys`` entry of ``PackInputs`` and must not be listed in the
    ``DataPreprocessor``'s ``data_keys`` (it is not a 0-255 image).

    Args:
        key (str): Key of the map. Defaults to ``'weight'``.
        size_key (str): Key of the image whose height and width the map is
            resized to. Defaults to ``'gt'``.
    """

    def __init__(self, key: str = 'weight', size_key: str = 'gt') -> None:
        self.key = key
        self.size_key = size_key

    def transform(self, results: dict) -> dict:
        """Add ``results[key]`` of shape ``(H, W, 1)`` float32 in [0, 1]."""
        height, width = results[self.size_key].shape[:2]
        path = results.get(f'{self.key}_path')
        if path is None:
            results[self.key] = np.ones((height, width, 1), np.float32)
            return results
        stride = results.get(f'{self.key}_stride')
        if stride is None:
            raise KeyError(
                f'{self.key}_stride is missing: the map {path} needs the '
                "export manifest's map_stride (DomainDistanceTripletDataset "
                'sets it)')
        weight = np.load(path).astype(np.float32)
        if weight.ndim != 2 or not np.isfinite(weight).all():
            raise ValueError(
                f'domain-distance map {path} must be a finite (h, w) array, '
                f'got shape {weight.shape}: re-run the export')
        results[self.key] = map_on_hr_grid(weight, int(stride),
                                           (height, width))[..., None]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(key={self.key!r}, '
                f'size_key={self.size_key!r})')
