"""MATLAB-style bicubic down-sampling of the HR image (bicubic-source
ablation of stage 2)."""
import numpy as np

from mmagic.datasets.transforms import MATLABLikeResize
from mmagic.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MatlabBicubicDownsample(MATLABLikeResize):
    """Write ``imresize(results[src_key], 1/scale)`` (MATLAB bicubic with
    antialiasing, mmagic's implementation) to ``results[dst_key]`` as uint8.

    Used for the Table-2 ablation ``{Yb, Xr}``: the source LR is the bicubic
    down-sampled HR instead of the DSN output. It runs on the full HR image
    before cropping, so the LR equals what an offline ``imresize`` would give
    (about 0.1 s for a 2K image on one core). Unlike ``MATLABLikeResize``,
    which returns unclipped float64, the result is rounded and clipped to
    uint8 like MATLAB's ``imresize`` on uint8 input and like the stored
    generated LR it replaces. Output size is ``ceil(H / scale)``; with
    ``scale=1`` it is a copy.

    Required keys: ``src_key`` (``(H, W, C)`` uint8).
    Added keys: ``dst_key`` plus its ``_channel_order`` / ``_color_type``
    copied from ``src_key`` (so the DataPreprocessor treats both alike).

    Args:
        scale (int): Down-sampling factor.
        src_key (str): Key of the HR image. Defaults to ``'gt'``.
        dst_key (str): Key of the LR output. Defaults to ``'img'``.
    """

    def __init__(self, scale: int, src_key: str = 'gt',
                 dst_key: str = 'img') -> None:
        if scale < 1:
            raise ValueError(f'scale must be a positive integer, got {scale}')
        super().__init__(keys=[dst_key], scale=1. / scale)
        self.factor = scale
        self.src_key = src_key
        self.dst_key = dst_key

    def transform(self, results: dict) -> dict:
        """Add ``results[dst_key]``: ``(ceil(H/s), ceil(W/s), C)`` uint8."""
        src = results[self.src_key]
        if self.factor == 1:
            out = src.copy()
        else:
            out = np.clip(np.rint(self._resize(src)), 0, 255).astype(np.uint8)
        results[self.dst_key] = out
        for suffix in ('_channel_order', '_color_type'):
            if self.src_key + suffix in results:
                results[self.dst_key + suffix] = results[self.src_key + suffix]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.factor}, '
                f'src_key={self.src_key!r}, dst_key={self.dst_key!r})')
