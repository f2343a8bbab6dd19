"""LPIPS as a training loss: the perceptual term of FSSR's DSGAN."""
import logging
from typing import Optional

import torch
import torch.nn as nn
from mmagic.registry import MODELS
from mmengine.logging import print_log

from dasr_mm.utils.lpips_network import ALEXNET_WEIGHTS_FILE, build_lpips_alex
from dasr_mm.utils.pretrained_weights import resolve_torchvision_weights


@MODELS.register_module()
class LPIPSLoss(nn.Module):
    """``loss_weight * mean_n LPIPS(pred_n, target_n)``, the LPIPS v0.1
    AlexNet network (the one of the ``LPIPS`` metric) as a differentiable
    loss. FSSR's DSGAN uses it between ``G(B(x))`` and ``B(x)`` with weight
    0.01.

    The network stays frozen and in eval mode (its dropout off) whatever
    mode the model is put in.

    Args:
        loss_weight (float): Multiplier of the loss.
        pretrained (str, optional): The ImageNet AlexNet trunk:
            ``'torchvision'`` (``alexnet-owt-7be5be79.pth`` in torchvision's
            cache), a path to that file, or None for a RANDOM trunk (a
            warning is logged; only for smoke runs). A missing file raises
            ``FileNotFoundError`` saying where to put it; nothing is
            downloaded.
        random_seed (int): Seed of the random trunk (``pretrained=None``).
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 pretrained: Optional[str] = 'torchvision',
                 random_seed: int = 0) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        path = resolve_torchvision_weights(pretrained, ALEXNET_WEIGHTS_FILE)
        if path is None:
            print_log(
                'LPIPSLoss: pretrained=None, the AlexNet trunk has RANDOM '
                'weights; the loss is only meaningful for tests and smoke '
                'runs.',
                logger='current',
                level=logging.WARNING)
        self.net = build_lpips_alex(path, random_seed)

    def train(self, mode: bool = True) -> 'LPIPSLoss':
        """Set the mode of the module; the LPIPS network stays in eval
        mode."""
        super().train(mode)
        self.net.eval()
        return self

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred, target: (N, 3, H, W) RGB in [0, 1], H and W >= 32 (AlexNet's
        strides); ``weight`` must be None (LPIPS has no per-pixel weights;
        the argument exists for the DASR editors' loss interface). Returns a
        scalar tensor; gradients reach ``pred`` only."""
        if weight is not None:
            raise ValueError('LPIPSLoss takes no per-pixel weight; use it '
                             'where the editor passes weight=None (e.g. '
                             'DownSamplingGAN)')
        if pred.shape != target.shape or pred.dim() != 4 \
                or pred.shape[1] != 3:
            raise ValueError('LPIPSLoss expects pred and target of one shape '
                             f'(N, 3, H, W), got {tuple(pred.shape)} and '
                             f'{tuple(target.shape)}')
        if min(pred.shape[-2:]) < 32:
            raise ValueError(
                f'LPIPSLoss needs H, W >= 32 (AlexNet reduces by 32), got '
                f'{tuple(pred.shape[-2:])}; use larger crops')
        distance = self.net(pred, target.detach(), normalize=True)
        return self.loss_weight * distance.mean()
