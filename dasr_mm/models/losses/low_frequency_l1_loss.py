"""L1 loss on the low-pass parts of two images (the content loss of FSSR's
DSGAN and the pixel loss of its ESRGAN-FS)."""
from typing import Optional

import torch
import torch.nn as nn
from mmagic.registry import MODELS

from dasr_mm.models.archs.high_frequency_extractor import \
    HighFrequencyExtractor
from .domain_weighted_l1_loss import weighted_mean_abs_error


@MODELS.register_module()
class LowFrequencyL1Loss(nn.Module):
    """``loss_weight * mean(w * |L(pred) - L(target)|)``, ``L`` the low pass
    of a ``gaussian`` or ``box`` :class:`HighFrequencyExtractor`
    (:meth:`~HighFrequencyExtractor.low_pass`, reflect padding), so that
    ``H(x) = x - L(x)`` and this loss split every image exactly into the part
    an adversarial loss on ``H`` judges and the part this loss keeps.

    Frequency separation of FSSR (Fritsche et al., ICCVW 2019): the DSGAN's
    colour loss (box 5, weight 1) and ESRGAN-FS's pixel loss (box 9,
    weight 0.01) are this loss.

    Args:
        loss_weight (float): Multiplier of the loss.
        low_pass (dict, optional): Keyword arguments of the extractor whose
            low pass is used; ``mode`` must be ``'gaussian'`` or ``'box'``.
            Defaults to ``dict(mode='box', kernel_size=5)``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 low_pass: Optional[dict] = None) -> None:
        super().__init__()
        low_pass = dict(mode='box', kernel_size=5) if low_pass is None \
            else dict(low_pass)
        mode = low_pass.get('mode')
        if mode not in ('gaussian', 'box'):
            raise ValueError("LowFrequencyL1Loss: low_pass.mode must be "
                             f"'gaussian' or 'box', got {mode!r}")
        self.loss_weight = loss_weight
        self.filter = HighFrequencyExtractor(**low_pass)

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred, target: (N, C, H, W); weight: (N, 1|C, h, w) in [0, 1] or
        None (see :func:`weighted_mean_abs_error`). Returns a scalar
        tensor."""
        if pred.shape != target.shape:
            raise ValueError(f'pred {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} must have the same shape')
        return self.loss_weight * weighted_mean_abs_error(
            self.filter.low_pass(pred), self.filter.low_pass(target), weight)
