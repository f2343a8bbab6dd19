"""Any discriminator behind a high-frequency extractor: the frequency-
separated GAN of FSSR's ESRGAN-FS (the discriminator judges only
``x - blur(x)``)."""
from typing import Optional

from mmagic.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

from .high_frequency_extractor import HighFrequencyExtractor


@MODELS.register_module()
class HighPassDiscriminator(BaseModule):
    """``D(x) = net(H(x))`` with ``H`` a :class:`HighFrequencyExtractor`.

    With mmagic's ``ESRGAN`` editor (RaGAN) and ``net=ModifiedVGG`` this is
    the discriminator of FSSR's ESRGAN-FS: both the SR output and the HR
    image reach the VGG-style discriminator only through ``H``, so the GAN
    loss acts on high frequencies while a low-pass pixel loss
    (``LowFrequencyL1Loss``) keeps the low ones.
    (:class:`DomainPatchDiscriminator` carries its own extractor; this
    wrapper adds one to a discriminator that has none.)

    Args:
        net (dict): Config of the wrapped discriminator; its input channels
            must equal ``H``'s ``out_channels`` (3, or 9 for ``wavelet``).
        extractor (dict, optional): Keyword arguments of
            :class:`HighFrequencyExtractor`. Defaults to FSSR's ESRGAN-FS
            filter, ``dict(mode='box', kernel_size=9)``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 net: dict,
                 extractor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.extractor = HighFrequencyExtractor(
            **(dict(mode='box', kernel_size=9)
               if extractor is None else extractor))
        self.net = MODELS.build(net)

    def forward(self, x: Tensor) -> Tensor:
        """(N, 3, H, W) RGB in [0, 1] -> the wrapped discriminator's output
        on ``H(x)`` (e.g. (N, 1) logits for ``ModifiedVGG``)."""
        return self.net(self.extractor(x))
