"""ESRGAN's RRDB network without any resampling, the x1 SRN of DASR."""
from typing import Optional

import torch.nn as nn
from mmagic.models.editors.esrgan.rrdb_net import RRDB
from mmagic.models.utils import default_init_weights, make_layer
from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor


@MODELS.register_module()
class RRDBNetNoUpsample(BaseModule):
    """RRDBNet for scale 1 (CameraSR setting): same size in and out.

    mmagic's ``RRDBNet(upscale_factor=1)`` pixel-unshuffles by 4 and
    up-samples by 4 again; SPEC §4 asks for a network without up-sampling,
    so this one keeps the full resolution throughout::

        conv_first -> num_blocks x RRDB -> conv_body (+ skip from conv_first)
        -> conv_hr -> LeakyReLU(0.2) -> conv_last

    i.e. mmagic's ``RRDBNet`` with the two up-sampling convolutions removed.
    The parameter names match ``RRDBNet`` for the shared layers.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        mid_channels (int): Feature channels. Default: 64.
        num_blocks (int): Number of RRDB blocks. Default: 23.
        growth_channels (int): Growth channels of the dense blocks.
            Default: 32.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 mid_channels: int = 64,
                 num_blocks: int = 23,
                 growth_channels: int = 32,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.conv_first = nn.Conv2d(in_channels, mid_channels, 3, 1, 1)
        self.body = make_layer(
            RRDB,
            num_blocks,
            mid_channels=mid_channels,
            growth_channels=growth_channels)
        self.conv_body = nn.Conv2d(mid_channels, mid_channels, 3, 1, 1)
        self.conv_hr = nn.Conv2d(mid_channels, mid_channels, 3, 1, 1)
        self.conv_last = nn.Conv2d(mid_channels, out_channels, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        """(N, in_channels, H, W) in [0, 1] -> (N, out_channels, H, W)."""
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))

    def init_weights(self) -> None:
        """0.1-scaled Kaiming init as mmagic's ``RRDBNet`` (unless
        ``init_cfg`` is given)."""
        if self.init_cfg:
            super().init_weights()
        else:
            for m in [
                    self.conv_first, self.conv_body, self.conv_hr,
                    self.conv_last
            ]:
                default_init_weights(m, 0.1)
