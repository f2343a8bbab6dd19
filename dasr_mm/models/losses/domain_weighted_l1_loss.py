"""Domain-distance weighted L1 loss (Eq. 5, ``L_source,con``)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmagic.registry import MODELS


def weighted_mean_abs_error(pred: torch.Tensor,
                            target: torch.Tensor,
                            weight: Optional[torch.Tensor] = None
                            ) -> torch.Tensor:
    """``mean(w * |pred - target|)`` of Eq. 5.

    Normalisation: the weighted sum is divided by the number of elements of
    ``pred``, not by ``sum(w)`` as mmagic's ``L1Loss(weight=...)`` does. This
    follows Eq. 5 literally and matches the authors' code, so a sample whose
    map is small (far from the real domain) contributes less to the loss
    instead of being renormalised back to full strength.

    Args:
        pred: (N, C, H, W).
        target: (N, C, H, W), same shape as ``pred``.
        weight: (N, 1, h, w) or (N, C, h, w) in [0, 1], or None for the plain
            mean L1. Resized bilinearly (``align_corners=False``) to (H, W)
            when its spatial size differs; a single channel is broadcast over
            the C channels.

    Returns:
        Scalar tensor.
    """
    if pred.shape != target.shape:
        raise ValueError(f'pred {tuple(pred.shape)} and target '
                         f'{tuple(target.shape)} must have the same shape')
    abs_error = (pred - target).abs()
    if weight is None:
        return abs_error.mean()
    if (weight.dim() != 4 or weight.shape[0] != pred.shape[0]
            or weight.shape[1] not in (1, pred.shape[1])):
        raise ValueError(f'weight must be (N, 1, h, w) or (N, C, h, w) for '
                         f'pred {tuple(pred.shape)}, got '
                         f'{tuple(weight.shape)}')
    if weight.shape[2:] != pred.shape[2:]:
        weight = F.interpolate(
            weight, size=pred.shape[2:], mode='bilinear', align_corners=False)
    return (weight * abs_error).sum() / pred.numel()


@MODELS.register_module()
class DomainWeightedL1Loss(nn.Module):
    """Pixel loss ``loss_weight * mean(w * |pred - target|)`` of Eq. 5.

    See :func:`weighted_mean_abs_error` for shapes and the normalisation.

    Args:
        loss_weight: multiplier of the loss (``alpha`` of Eq. 4 / 6).
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred, target: (N, C, H, W); weight: (N, 1|C, h, w) in [0, 1] or
        None. Returns a scalar tensor."""
        return self.loss_weight * weighted_mean_abs_error(pred, target, weight)
