"""MATLAB-compatible bicubic down-sampling of tensors (``B`` in the paper)."""
from functools import lru_cache
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmagic.datasets.transforms.matlab_like_resize import (
    _cubic, get_weights_indices)
from torch import Tensor


@lru_cache(maxsize=None)
def _filter_taps(scale: int) -> Tuple[Tuple[float, ...], int]:
    """The weights of MATLAB ``imresize(·, 1/scale)`` for one output pixel
    and the input index of its first tap for output 0.

    For an integer factor every output pixel uses the same weights, shifted
    by ``scale`` input pixels per output pixel. They are mmagic's
    (``get_weights_indices`` with its MATLAB cubic kernel, the weights of
    ``MATLABLikeResize``), read off an output pixel in the middle of a short
    signal, where no tap is mirrored at a border; zero weights at the ends
    are dropped.
    """
    outputs = 8
    middle = outputs // 2
    weights, indices = get_weights_indices(outputs * scale, outputs,
                                           1 / scale, _cubic, 4)
    row = np.asarray(weights[middle], dtype=np.float64).ravel()
    taps = np.asarray(indices[middle]).ravel()
    # mmagic drops columns that are zero in every row, so the listed taps
    # may skip positions: lay them out densely
    taps, row = taps[row != 0], row[row != 0]
    dense = np.zeros(taps.max() - taps.min() + 1)
    np.add.at(dense, taps - taps.min(), row)
    return tuple(dense / dense.sum()), int(taps.min()) - middle * scale


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
