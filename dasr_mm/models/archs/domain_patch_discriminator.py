"""Dense patch discriminator of DASR whose sigmoid output is the domain-distance
map used to weight stage-2 supervision."""
from typing import Optional, Sequence

import torch.nn as nn
from mmagic.models.utils import generation_init_weights
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

from .high_frequency_extractor import HighFrequencyExtractor


@MODELS.register_module()
class DomainPatchDiscriminator(BaseModule):
    """4-layer fully convolutional patch discriminator on ``H(x)``.

    ``x`` is first mapped by ``self.extractor`` (a
    :class:`HighFrequencyExtractor`), then by ``self.patch_net``::

        conv k0 (C_h -> mid)    -> LeakyReLU(0.2)
        conv k1 (mid -> 2 mid)  -> InstanceNorm -> LeakyReLU(0.2)
        conv k2 (2mid -> 4 mid) -> InstanceNorm -> LeakyReLU(0.2)
        conv k3 (4mid -> 1)

    (CycleGAN's PatchGAN channel widths). Every conv has stride 1 and zero
    "same" padding ``k // 2``, so the logit map is dense with the extractor
    output's spatial size. The receptive field on the extractor output is
    ``1 + sum(k - 1)``; the default kernels (7, 7, 5, 7) give the paper's
    23x23 (the paper does not list the kernels; this choice is ours). The
    authors' released FSD discriminator is ``kernel_sizes=(5, 5, 5, 1)``,
    ``mid_channels=64`` behind ``extractor=dict(..., variant='official')``
    (receptive field 13; configs/dasr/official/dsn_official_aim.py).
    InstanceNorm (no affine, no running stats) normalises with per-image
    statistics; it does not widen the spatial context of the convolutions.
    Weights are initialised with N(0, 0.02) (mmagic's
    ``generation_init_weights``, as CycleGAN).

    Args:
        extractor (dict, optional): Keyword arguments of
            :class:`HighFrequencyExtractor`. Defaults to
            ``dict(mode='wavelet')``.
        mid_channels (int): Channels of the first layer.
        kernel_sizes (Sequence[int]): Four odd kernel sizes.
        init_cfg (dict, optional): mmengine init config (e.g. Pretrained).
    """

    def __init__(self,
                 extractor: Optional[dict] = None,
                 mid_channels: int = 64,
                 kernel_sizes: Sequence[int] = (7, 7, 5, 7),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        kernel_sizes = tuple(kernel_sizes)
        if len(kernel_sizes) != 4 or any(
                isinstance(k, bool) or not isinstance(k, int) or k < 1
                or k % 2 == 0 for k in kernel_sizes):
            raise ValueError('kernel_sizes must be four odd positive '
                             f'integers, got {kernel_sizes!r}')
        if isinstance(mid_channels, bool) or not isinstance(
                mid_channels, int) or mid_channels < 1:
            raise ValueError(
                f'mid_channels must be an integer >= 1, got {mid_channels!r}')
        self.extractor = HighFrequencyExtractor(
            **(dict(mode='wavelet') if extractor is None else extractor))
        self.kernel_sizes = kernel_sizes
        self.receptive_field = 1 + sum(k - 1 for k in kernel_sizes)

        channels = (self.extractor.out_channels, mid_channels,
                    2 * mid_channels, 4 * mid_channels, 1)
        layers = []
        for i, k in enumerate(kernel_sizes):
            layers.append(
                nn.Conv2d(channels[i], channels[i + 1], k, 1, k // 2))
            if i < len(kernel_sizes) - 1:  # no norm/act after the logits
                if i > 0:
                    layers.append(nn.InstanceNorm2d(channels[i + 1]))
                layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.patch_net = nn.Sequential(*layers)
        generation_init_weights(
            self.patch_net, init_type='normal', init_gain=0.02)

    def forward(self, x: Tensor) -> Tensor:
        """Patch logits.

        Args:
            x (Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            Tensor: (N, 1, h, w) logits, (h, w) being the extractor output
            size (``ceil(H / 2), ceil(W / 2)`` for ``wavelet``, else (H, W)).
        """
        return self.patch_net(self.extractor(x))

    def domain_distance_map(self, x: Tensor) -> Tensor:
        """Probability that each patch comes from the real-LR domain.

        Args:
            x (Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            Tensor: (N, 1, h, w) in [0, 1]; large = close to the real domain.
        """
        return self.forward(x).sigmoid()
