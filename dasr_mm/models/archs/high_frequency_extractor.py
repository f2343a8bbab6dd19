"""High-frequency extractors ``H`` applied before every DASR discriminator.

All operations are pure, differentiable tensor ops (strided slicing for the
Haar transform, depthwise separable convolution for the blurs). Filter kernels
are built on the fly in the input's dtype and device, so the module has no
parameters or buffers and works for fp32 / fp16 / bf16 on any device.
"""
import math
from typing import Dict, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmagic.registry import MODELS
from torch import Tensor

MODES = ('wavelet', 'gaussian', 'box', 'rgb')
VARIANTS = ('paper', 'official')


def haar_dwt(x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """One-level orthonormal 2-D Haar transform, applied per channel.

    For each 2x2 block ``[[a, b], [c, d]]``::

        LL = (a + b + c + d) / 2    LH = (a + b - c - d) / 2
        HL = (a - b + c - d) / 2    HH = (a - b - c + d) / 2

    An odd height (width) is first made even by replicating the last row
    (column) once at the bottom (right), so the sub-bands have size
    ``(ceil(H / 2), ceil(W / 2))``.

    Args:
        x (Tensor): (N, C, H, W), any float dtype.

    Returns:
        tuple[Tensor]: ``(ll, lh, hl, hh)``, each (N, C, ceil(H/2), ceil(W/2)).
    """
    if x.dim() != 4:
        raise ValueError(
            f'haar_dwt expects (N, C, H, W), got {tuple(x.shape)}')
    pad_h, pad_w = x.shape[-2] % 2, x.shape[-1] % 2
    if pad_h or pad_w:
        x = F.pad(x, (0, pad_w, 0, pad_h), mode='replicate')
    a = x[..., 0::2, 0::2]
    b = x[..., 0::2, 1::2]
    c = x[..., 1::2, 0::2]
    d = x[..., 1::2, 1::2]
    ll = (a + b + c + d) / 2
    lh = (a + b - c - d) / 2
    hl = (a - b + c - d) / 2
    hh = (a - b - c + d) / 2
    return ll, lh, hl, hh


def haar_idwt(ll: Tensor, lh: Tensor, hl: Tensor, hh: Tensor) -> Tensor:
    """Exact inverse of :func:`haar_dwt`.

    Args:
        ll, lh, hl, hh (Tensor): (N, C, h, w) sub-bands.

    Returns:
        Tensor: (N, C, 2h, 2w). For an input of odd size the replicated
        row/column is part of the result; crop to the original size.
    """
    if not ll.shape == lh.shape == hl.shape == hh.shape:
        raise ValueError(
            'haar_idwt expects four sub-bands of equal shape, got '
            f'{[tuple(t.shape) for t in (ll, lh, hl, hh)]}')
    a = (ll + lh + hl + hh) / 2
    b = (ll + lh - hl - hh) / 2
    c = (ll - lh + hl - hh) / 2
    d = (ll - lh - hl + hh) / 2
    n, ch, h, w = ll.shape
    # interleave: rows (a b / c d) -> (N, C, h, 2, w, 2) -> (N, C, 2h, 2w)
    top = torch.stack((a, b), dim=-1)
    bottom = torch.stack((c, d), dim=-1)
    return torch.stack((top, bottom), dim=-3).reshape(n, ch, 2 * h, 2 * w)


def _check_odd_kernel_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) \
            or value < 3 or value % 2 == 0:
        raise ValueError(f'{name} must be an odd integer >= 3, got {value!r}')


@MODELS.register_module()
class HighFrequencyExtractor(nn.Module):
    """High-frequency extractor ``H`` fed to the DASR discriminators.

    Modes:

    - ``'wavelet'`` (default, the paper's WFS): one-level orthonormal Haar
      transform per channel (see :func:`haar_dwt`); output
      ``cat([LH, HL, HH], dim=1)``, i.e. channels ordered
      (LH_r, LH_g, LH_b, HL_r, ..., HH_b). Odd sizes: replicate-pad one
      row/column at the bottom/right. Shape (N, 9, ceil(H/2), ceil(W/2)).
    - ``'gaussian'`` (GBFS): ``x - GaussianBlur(x)`` with a ``kernel_size``
      separable Gaussian of std ``sigma`` (normalised to sum 1).
    - ``'box'`` (FSSR default): ``x - BoxBlur(x)`` with a ``kernel_size``
      mean filter.
    - ``'rgb'``: identity.

    ``variant='paper'`` (default): the blurs use reflect padding, so their
    output has the input's size (this requires ``H, W > kernel_size // 2``).
    Values: (N, 3, H, W) in [0, 1] in; the high-frequency outputs lie in about
    [-1, 1] (wavelet: [-2, 2]) and are not re-normalised.

    ``variant='official'`` reproduces the filters in front of the authors'
    discriminator (codes/DSN/model.py of ShuhangGu/DASR: ``FilterHigh`` for
    their ``--filter gau`` / ``avg_pool``, ``filter_wavelet`` with
    pytorch_wavelets' ``DWTForward(J=1, wave='haar', mode='reflect')`` and
    ``--cat_or_sum cat``), so their trained discriminator gives the same
    output here:

    - every high-frequency output is mapped by ``0.5 + 0.5 * h`` (``rgb``
      stays the identity, as their ``--no_highpass``);
    - ``gaussian``: zero padding, and the std is theirs, ``kernel_size / 6``
      (``sigma`` is ignored);
    - ``box``: the mean over the pixels inside the image (their
      ``AvgPool2d(count_include_pad=False)``);
    - ``wavelet``: an odd side is reflect-padded (its second-to-last
      row/column is appended) instead of replicated; the sub-bands equal
      ours (their LH/HL/HH are our lh/hl/hh).

    Args:
        mode (str): One of ``'wavelet' | 'gaussian' | 'box' | 'rgb'``.
        kernel_size (int): Odd blur size >= 3 (``gaussian`` and ``box``).
        sigma (float): Gaussian std > 0 (``gaussian``, ``variant='paper'``).
        variant (str): ``'paper'`` or ``'official'`` (see above).

    Parameters that do not matter for the chosen mode are ignored and left out
    of :meth:`config`.
    """

    def __init__(self,
                 mode: str = 'wavelet',
                 kernel_size: int = 5,
                 sigma: float = 1.0,
                 variant: str = 'paper') -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        if variant not in VARIANTS:
            raise ValueError(
                f'variant must be one of {VARIANTS}, got {variant!r}')
        self.official = variant == 'official'
        if mode in ('gaussian', 'box'):
            _check_odd_kernel_size('kernel_size', kernel_size)
        if mode == 'gaussian' and self.official:
            sigma = kernel_size / 6
        elif mode == 'gaussian':
            if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) \
                    or not math.isfinite(sigma) or sigma <= 0:
                raise ValueError(f'sigma must be a finite number > 0, '
                                 f'got {sigma!r}')
        self.mode = mode
        self.variant = variant
        self.kernel_size = int(kernel_size)
        self.sigma = float(sigma)

    @property
    def out_channels(self) -> int:
        """Channels of the output for an RGB input: 9 (wavelet) or 3."""
        return 9 if self.mode == 'wavelet' else 3

    @property
    def downscale(self) -> int:
        """Spatial reduction factor of the output: 2 (wavelet) or 1."""
        return 2 if self.mode == 'wavelet' else 1

    def config(self) -> Dict[str, Union[str, int, float]]:
        """Canonical, JSON-able description: the mode plus only the parameters
        that matter for it (equal settings give equal dicts)."""
        cfg: Dict[str, Union[str, int, float]] = {'mode': self.mode}
        if self.mode in ('gaussian', 'box'):
            cfg['kernel_size'] = self.kernel_size
        if self.mode == 'gaussian' and not self.official:
            cfg['sigma'] = self.sigma
        if self.official and self.mode != 'rgb':
            cfg['variant'] = self.variant
        return cfg

    def extra_repr(self) -> str:
        return ', '.join(f'{k}={v!r}' for k, v in self.config().items())

    def blur_kernel_1d(self, like: Tensor) -> Tensor:
        """The separable 1-D low-pass kernel (sums to 1) of the blur modes.

        Args:
            like (Tensor): Any tensor; the kernel gets its dtype and device.

        Returns:
            Tensor: (kernel_size, ); the 2-D blur is its outer product.
        """
        k = self.kernel_size
        if self.mode == 'box':
            return torch.full((k, ),
                              1.0 / k,
                              dtype=like.dtype,
                              device=like.device)
        # Gaussian: compute in float32 for accuracy, then cast.
        coords = torch.arange(k, dtype=torch.float32, device=like.device)
        coords = coords - (k - 1) / 2
        kernel = torch.exp(-coords**2 / (2 * self.sigma**2))
        return (kernel / kernel.sum()).to(like.dtype)

    def low_pass(self, x: Tensor) -> Tensor:
        """The blur whose residual is the high-frequency output:
        ``x - low_pass(x) == forward(x)`` for ``gaussian`` and ``box``
        (``variant='official'``: before its ``0.5 + 0.5 * h`` mapping);
        FSSR's content losses compare low passes.

        Separable depthwise convolution, same size out: reflect padding, or
        as the authors' code pads (``variant='official'``: zero padding,
        box as the mean over the pixels inside the image).

        Args:
            x (Tensor): (N, C, H, W), H and W > ``kernel_size // 2``.

        Returns:
            Tensor: (N, C, H, W), same dtype and device.
        """
        if self.mode not in ('gaussian', 'box'):
            raise ValueError("low_pass needs mode 'gaussian' or 'box', the "
                             f'extractor has mode {self.mode!r}')
        c, k = x.shape[1], self.kernel_size
        pad = k // 2
        if self.official and self.mode == 'box':
            return F.avg_pool2d(
                x, k, stride=1, padding=pad, count_include_pad=False)
        if self.official:  # zero padding: (rows, columns) of each pass
            pass_pads = ((0, pad), (pad, 0))
        else:
            if min(x.shape[-2:]) <= pad:
                raise ValueError(
                    f'{self.mode} extractor with kernel_size={k} needs H and '
                    f'W > {pad} for reflect padding, got '
                    f'{tuple(x.shape[-2:])}')
            x = F.pad(x, (pad, pad, pad, pad), mode='reflect')
            pass_pads = ((0, 0), (0, 0))
        kernel = self.blur_kernel_1d(x)
        x = F.conv2d(
            x,
            kernel.view(1, 1, 1, k).expand(c, 1, 1, k),
            padding=pass_pads[0],
            groups=c)
        return F.conv2d(
            x,
            kernel.view(1, 1, k, 1).expand(c, 1, k, 1),
            padding=pass_pads[1],
            groups=c)

    def pad_to_downscale(self, x: Tensor) -> Tensor:
        """Pad the bottom/right so ``H`` and ``W`` are multiples of
        :attr:`downscale`, as :meth:`forward` does itself (wavelet:
        replicate; ``variant='official'``: reflect, as pytorch_wavelets).

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, ceil(H / d) * d, ceil(W / d) * d), ``d`` the
            downscale; ``x`` itself when nothing is missing.
        """
        pad_h, pad_w = (-side % self.downscale for side in x.shape[-2:])
        if not (pad_h or pad_w):
            return x
        if self.official and min(x.shape[-2:]) < 2:
            raise ValueError('the official wavelet extractor reflect-pads an '
                             'odd side and needs H, W >= 2, got '
                             f'{tuple(x.shape[-2:])}')
        return F.pad(
            x, (0, pad_w, 0, pad_h),
            mode='reflect' if self.official else 'replicate')

    def forward(self, x: Tensor) -> Tensor:
        """Extract the high-frequency component.

        Args:
            x (Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            Tensor: (N, out_channels, ceil(H/downscale), ceil(W/downscale)),
            same dtype and device as ``x``.
        """
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError('HighFrequencyExtractor expects (N, 3, H, W), '
                             f'got {tuple(x.shape)}')
        if self.mode == 'rgb':
            return x
        if self.mode == 'wavelet':
            _, lh, hl, hh = haar_dwt(self.pad_to_downscale(x))
            high = torch.cat((lh, hl, hh), dim=1)
        else:
            high = x - self.low_pass(x)
        return 0.5 + 0.5 * high if self.official else high
