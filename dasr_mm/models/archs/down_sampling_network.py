"""DASR down-sampling network (DSN): clean HR image -> realistic LR image."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmagic.models.archs import ResidualBlockNoBN
from mmagic.models.utils import default_init_weights, make_layer
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

SCALES = (1, 2, 4)
VARIANTS = ('paper', 'official')


class _PReLUResidualBlock(nn.Module):
    """Residual block of the authors' released DSN: conv-PReLU-conv + x.

    Attribute names follow the released code so that its checkpoints map
    one-to-one (``conv1``, ``prelu``, ``conv2``).
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, 1, 1)
        self.prelu = nn.PReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv2(self.prelu(self.conv1(x)))


def _check_int(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) \
            or value < minimum:
        raise ValueError(f'{name} must be an integer >= {minimum}, '
                         f'got {value!r}')


@MODELS.register_module()
class DownSamplingNetwork(BaseModule):
    """Down-sampling network (DSN) of DASR, stage 1.

    ``variant='paper'`` (default, Fig. 3(a) of the paper)::

        conv3x3 (in -> mid)
        -> num_blocks x [conv3x3 -> ReLU -> conv3x3, identity skip]
           (mmagic ``ResidualBlockNoBN``)
        -> conv3x3, plus a global skip over the trunk
        -> bilinear resize to (H / scale, W / scale), align_corners=False
           (skipped when scale == 1)
        -> conv3x3 (mid -> mid) -> conv3x3 (mid -> out)

    The output is not clamped (so the content loss keeps its gradient); after
    training it lies approximately in [0, 1]; clamp it when saving images.
    Residual blocks and the other convolutions use mmagic's 0.1-scaled Kaiming
    init (as ``MSRResNet`` / ``RRDBNet``).

    ``variant='official'`` (the authors' released ``De_resnet``, for
    converting released checkpoints; the release uses ``num_blocks=8``)::

        conv3x3 + PReLU -> num_blocks x [conv-PReLU-conv, identity skip]
        -> log2(scale) x [stride-2 conv3x3 + PReLU] -> conv3x3 (mid -> out)
        -> sigmoid

    No global skip; output in (0, 1). Module names follow the release
    (``block_input``, ``res_blocks``, ``down_sample``, ``block_output``) and
    PyTorch's default init is kept.

    Args:
        scale (int): Down-sampling factor, one of 1, 2, 4.
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        mid_channels (int): Feature channels.
        num_blocks (int): Number of residual blocks (>= 1).
        variant (str): ``'paper'`` or ``'official'``.
        init_cfg (dict, optional): mmengine init config (e.g. Pretrained).
    """

    def __init__(self,
                 scale: int = 4,
                 in_channels: int = 3,
                 out_channels: int = 3,
                 mid_channels: int = 64,
                 num_blocks: int = 23,
                 variant: str = 'paper',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(scale, bool) or not isinstance(scale, int) \
                or scale not in SCALES:
            raise ValueError(f'scale must be one of {SCALES}, got {scale!r}')
        if variant not in VARIANTS:
            raise ValueError(
                f'variant must be one of {VARIANTS}, got {variant!r}')
        for name, value in (('in_channels', in_channels),
                            ('out_channels', out_channels),
                            ('mid_channels', mid_channels),
                            ('num_blocks', num_blocks)):
            _check_int(name, value, 1)
        self.scale = scale
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.variant = variant

        if variant == 'paper':
            self.conv_first = nn.Conv2d(in_channels, mid_channels, 3, 1, 1)
            self.body = make_layer(
                ResidualBlockNoBN, num_blocks, mid_channels=mid_channels)
            self.conv_body = nn.Conv2d(mid_channels, mid_channels, 3, 1, 1)
            self.conv_lr = nn.Conv2d(mid_channels, mid_channels, 3, 1, 1)
            self.conv_last = nn.Conv2d(mid_channels, out_channels, 3, 1, 1)
            for conv in (self.conv_first, self.conv_body, self.conv_lr,
                         self.conv_last):
                default_init_weights(conv, 0.1)
        else:
            self.block_input = nn.Sequential(
                nn.Conv2d(in_channels, mid_channels, 3, 1, 1), nn.PReLU())
            self.res_blocks = nn.Sequential(*[
                _PReLUResidualBlock(mid_channels) for _ in range(num_blocks)
            ])
            down = []
            for _ in range(scale.bit_length() - 1):  # log2(scale) stages
                down += [
                    nn.Conv2d(mid_channels, mid_channels, 3, 2, 1),
                    nn.PReLU()
                ]
            self.down_sample = nn.Sequential(*down)
            self.block_output = nn.Conv2d(mid_channels, out_channels, 3, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Generate the LR image.

        Args:
            x (Tensor): (N, in_channels, H, W) HR image in [0, 1]; H and W
                must be divisible by ``scale``.

        Returns:
            Tensor: (N, out_channels, H / scale, W / scale); approximately in
            [0, 1] (``paper``, unclamped) or in (0, 1) (``official``).
        """
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'DownSamplingNetwork expects (N, {self.in_channels}, H, W), '
                f'got {tuple(x.shape)}')
        h, w = x.shape[-2:]
        if h % self.scale or w % self.scale:
            raise ValueError(f'input size {h}x{w} is not divisible by '
                             f'scale={self.scale}')
        if self.variant == 'official':
            feat = self.down_sample(self.res_blocks(self.block_input(x)))
            return torch.sigmoid(self.block_output(feat))

        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        if self.scale > 1:
            feat = F.interpolate(
                feat,
                size=(h // self.scale, w // self.scale),
                mode='bilinear',
                align_corners=False)
        return self.conv_last(self.conv_lr(feat))
