"""A VGG-19 perceptual loss with mmagic's ``PerceptualLoss`` interface, for
mmagic's SRGAN/ESRGAN editors, whose weights come from local files only."""
from typing import Optional, Tuple

import torch
from mmagic.registry import MODELS

from .domain_weighted_perceptual_loss import DomainWeightedPerceptualLoss


@MODELS.register_module()
class LocalVGGPerceptualLoss(DomainWeightedPerceptualLoss):
    """``loss_weight * mean(|phi(pred) - phi(target)|)``, returned as
    mmagic's ``PerceptualLoss`` returns it: ``(perceptual, style)`` with
    ``style=None``, so mmagic's ``ESRGAN`` can use it.

    mmagic's ``PerceptualVGG`` builds ``vgg19(pretrained=True)``, i.e.
    downloads the ImageNet weights when torchvision's cache lacks them and
    cannot use random ones; this loss reads them from a local file or the
    cache (``pretrained``, see :class:`DomainWeightedPerceptualLoss`) and
    uses random weights only when a config sets ``pretrained=None``.
    ESRGAN's choice is ``layer='conv5_4'`` (before the activation, mmagic's
    ``layer_weights={'34': 1.0}``), inputs [0, 1] normalised with the
    ImageNet mean/std.
    """

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> Tuple[torch.Tensor, Optional[None]]:
        """pred, target: (N, 3, H, W) in [0, 1] -> (scalar loss, None)."""
        return super().forward(pred, target), None
