"""FSSR's DSGAN generator: bicubic down-sampling, then a same-size network
that puts the real domain's high frequencies on the bicubic image."""
from typing import Optional

from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

from dasr_mm.models.utils import matlab_bicubic_downsample


@MODELS.register_module()
class BicubicInputGenerator(BaseModule):
    """``G(x) = net(B(x))``: MATLAB bicubic down-sampling ``B`` by ``scale``
    (:func:`matlab_bicubic_downsample`), then ``net``, which keeps the size.

    This is the DSGAN of FSSR (Fritsche et al., ICCVW 2019), whose generator
    runs on the bicubic-down-sampled image; with
    ``net=dict(type='DownSamplingNetwork', scale=1, variant='official',
    num_blocks=8)`` it is their ``Generator`` (conv3x3 + PReLU, 8 residual
    blocks conv-PReLU-conv, conv3x3, sigmoid). Taking the HR image itself as
    input makes it a drop-in DSN: :class:`DownSamplingGAN` compares ``G(x)``
    with ``B(x)`` (the generator's own input, as FSSR's content loss does),
    and the export runs ``G`` on whole HR images (an LR image of
    ``(H // s, W // s)`` per HR image of ``H x W``, multiples of ``scale``).

    Args:
        net (dict): Config of a network that maps (N, 3, h, w) to
            (N, 3, h, w).
        scale (int): Down-sampling factor of ``B`` (the DSN's scale).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 net: dict,
                 scale: int = 4,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f'scale must be an integer >= 1, got {scale!r}')
        self.scale = scale
        self.net = MODELS.build(net)
        net_scale = getattr(self.net, 'scale', 1)
        if net_scale != 1:
            raise ValueError(
                f'BicubicInputGenerator: net must keep the size (it runs on '
                f'B(x)), but its scale is {net_scale}; set net.scale=1')

    def forward(self, x: Tensor) -> Tensor:
        """(N, 3, H, W) HR in [0, 1], H and W multiples of ``scale`` and >=
        ``2 * scale`` -> (N, 3, H / scale, W / scale), the range of ``net``'s
        output."""
        h, w = x.shape[-2:]
        if h % self.scale or w % self.scale:
            raise ValueError(f'input size {h}x{w} is not divisible by '
                             f'scale={self.scale}')
        lr = self.net(matlab_bicubic_downsample(x, self.scale))
        expected = (h // self.scale, w // self.scale)
        if tuple(lr.shape[-2:]) != expected:
            raise ValueError(f'net changed the size of B(x) from {expected} '
                             f'to {tuple(lr.shape[-2:])}')
        return lr
