"""MATLAB-compatible bicubic down-sampling of tensors (``B`` in the paper)."""
import math
from functools import lru_cache
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def _cubic(x: np.ndarray) -> np.ndarray:
    """MATLAB's bicubic kernel (a = -0.5), support [-2, 2]."""
    ax = np.abs(x)
    return np.where(
        ax <= 1, 1.5 * ax**3 - 2.5 * ax**2 + 1,
        np.where(ax < 2, -0.5 * ax**3 + 2.5 * ax**2 - 4 * ax + 2, 0.))


@lru_cache(maxsize=None)
def _filter_taps(scale: int) -> Tuple[Tuple[float, ...], int]:
    """The weights of MATLAB ``imresize(·, 1/scale)`` for one output pixel
    and the input index of its first tap for output 0.

    For an integer factor every output pixel uses the same weights, shifted
    by ``scale`` input pixels per output pixel: MATLAB places output ``i``
    (1-based) at input coordinate ``u = i * scale + (1 - scale) / 2`` and
    weighs inputs with the cubic kernel widened ``scale`` times (antialias),
    normalised to sum 1. Zero weights at the ends are dropped.
    """
    width = 4 * scale
    u = scale + 0.5 * (1 - scale)  # output 1
    left = math.floor(u - width / 2)
    idx = left + np.arange(width + 2)  # 1-based input indices
    weights = _cubic((u - idx) / scale) / scale
    keep = np.nonzero(weights)[0]
    weights = weights[keep[0]:keep[-1] + 1]
    return tuple(weights / weights.sum()), int(idx[keep[0]] - 1)


def _symmetric_pad(x: Tensor, before: int, after: int, dim: int) -> Tensor:
    """Mirror ``before`` / ``after`` pixels along ``dim`` with the edge
    pixel repeated (MATLAB's ``'symmetric'``); at most the image size."""
    return torch.cat([
        x.narrow(dim, 0, before).flip(dim), x,
        x.narrow(dim, x.shape[dim] - after, after).flip(dim)
    ], dim)


def matlab_bicubic_downsample(x: Tensor, scale: int) -> Tensor:
    """MATLAB ``imresize(x, 1/scale)`` (bicubic, antialiased) in torch.

    For an integer factor this is a separable filter with stride ``scale``
    (:func:`_filter_taps`: 4 * scale cubic taps) on the input padded
    symmetrically as MATLAB pads it: two strided depthwise convolutions, so
    :func:`dasr_mm.apis.tiling.receptive_radius` sees its reach. It matches
    mmagic's numpy ``MATLABLikeResize`` to float precision and is
    differentiable.

    Args:
        x (Tensor): (N, C, H, W), any float dtype; H and W >= 2 * scale.
        scale (int): Integer down-sampling factor; 1 returns ``x``.

    Returns:
        Tensor: (N, C, ceil(H / scale), ceil(W / scale)).
    """
    if scale == 1:
        return x
    taps, first = _filter_taps(scale)
    channels, width = x.shape[1], len(taps)
    weight = torch.tensor(taps, dtype=x.dtype, device=x.device)
    for dim, kernel, stride in ((-1, (1, width), (1, scale)),
                                (-2, (width, 1), (scale, 1))):
        size = x.shape[dim]
        after = first + scale * (-(-size // scale) - 1) + width - size
        x = _symmetric_pad(x, -first, max(0, after), dim)
        x = F.conv2d(
            x,
            weight.view(1, 1, *kernel).expand(channels, 1, *kernel),
            stride=stride,
            groups=channels)
    return x
