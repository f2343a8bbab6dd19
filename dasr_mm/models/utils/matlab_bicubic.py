"""MATLAB-compatible bicubic down-sampling of tensors (``B`` in the paper)."""
import math
from functools import lru_cache
from typing import Tuple

import numpy as np
import torch
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


@lru_cache(maxsize=64)
def _resize_matrix(size: int, scale: int) -> np.ndarray:
    """(ceil(size / scale), size) float64 matrix of MATLAB
    ``imresize(·, 1/scale)`` along one axis: :func:`_filter_taps` for every
    output pixel, with taps outside the image mirrored back in as MATLAB's
    symmetric padding does (edge pixel repeated)."""
    taps, first = _filter_taps(scale)
    out_size = -(-size // scale)
    matrix = np.zeros((out_size, size))
    for out_index in range(out_size):
        for k, tap in enumerate(taps):
            i = first + scale * out_index + k
            while not 0 <= i < size:  # mirror until inside
                i = -i - 1 if i < 0 else 2 * size - 1 - i
            matrix[out_index, i] += tap
    return matrix


def matlab_bicubic_downsample(x: Tensor, scale: int) -> Tensor:
    """MATLAB ``imresize(x, 1/scale)`` (bicubic, antialiased) in torch.

    For an integer factor this is linear and separable:
    ``B(x) = R_h @ x @ R_w^T`` with the (ceil(H / s), H) and
    (ceil(W / s), W) matrices of :func:`_resize_matrix` (4 * scale cubic
    taps per output pixel, borders mirrored as MATLAB pads them). It matches
    mmagic's numpy ``MATLABLikeResize`` to float precision and is
    differentiable.

    Args:
        x (Tensor): (N, C, H, W), any float dtype.
        scale (int): Integer down-sampling factor; 1 returns ``x``.

    Returns:
        Tensor: (N, C, ceil(H / scale), ceil(W / scale)).
    """
    if scale == 1:
        return x
    rows, cols = (torch.as_tensor(
        _resize_matrix(size, scale), dtype=x.dtype, device=x.device)
                  for size in x.shape[-2:])
    return rows @ x @ cols.T
