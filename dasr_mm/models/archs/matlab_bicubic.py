"""MATLAB-style bicubic down-sampling as a differentiable tensor op (the
``B`` of DASR's content loss and the first step of FSSR's DSGAN)."""
import torch
from resize_right import resize
from torch import Tensor


def matlab_bicubic_downsample(x: Tensor, scale: int) -> Tensor:
    """MATLAB ``imresize(x, 1/scale)`` (bicubic, antialiased) in torch.

    ``resize_right`` reproduces MATLAB's antialiased cubic kernel; MATLAB pads
    borders symmetrically (edge pixel repeated), which ``torch`` padding does
    not offer, so the input is padded symmetrically by ``2 * scale`` pixels
    (the half support of the widened kernel) and the 2 extra output pixels
    per side are cropped. This matches mmagic's numpy ``MATLABLikeResize`` to
    float precision. The resize runs as strided convolutions
    (``by_convs=True``: the same weights, twice as fast as resize_right's
    gathers), so :func:`dasr_mm.apis.tiling.receptive_radius` sees its reach
    and a network that starts with it tiles exactly.

    Args:
        x (Tensor): (N, C, H, W), H and W >= 2 * scale.
        scale (int): Integer down-sampling factor; 1 returns ``x``.

    Returns:
        Tensor: (N, C, ceil(H / scale), ceil(W / scale)).
    """
    if scale == 1:
        return x
    pad = 2 * scale
    x = torch.cat([x[..., :pad].flip(-1), x, x[..., -pad:].flip(-1)], -1)
    x = torch.cat(
        [x[..., :pad, :].flip(-2), x, x[..., -pad:, :].flip(-2)], -2)
    return resize(x, scale_factors=1 / scale, by_convs=True)[..., 2:-2, 2:-2]
