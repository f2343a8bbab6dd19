"""Domain-distance weighted perceptual loss (Eq. 1 and Eq. 5,
``L_source,per``) on VGG-19 features."""
import logging
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmagic.registry import MODELS
from mmengine.logging import print_log
from torchvision.models import vgg

from dasr_mm.utils.pretrained_weights import (load_state_dict_file,
                                              resolve_torchvision_weights)
from .domain_weighted_l1_loss import weighted_mean_abs_error

VGG19_WEIGHTS_FILE = 'vgg19-dcbb9e9d.pth'


def _vgg19_layer_indices() -> Dict[str, int]:
    """Map ``conv{b}_{i}`` / ``relu{b}_{i}`` / ``pool{b}`` to the index of
    that module in torchvision's ``vgg19().features``."""
    indices: Dict[str, int] = {}
    block, conv = 1, 0
    for item in vgg.cfgs['E']:
        if item == 'M':
            indices[f'pool{block}'] = len(indices)
            block, conv = block + 1, 0
        else:
            conv += 1
            indices[f'conv{block}_{conv}'] = len(indices)
            indices[f'relu{block}_{conv}'] = len(indices)
    return indices


VGG19_LAYER_INDICES = _vgg19_layer_indices()


@MODELS.register_module()
class DomainWeightedPerceptualLoss(nn.Module):
    """``loss_weight * mean(w' * |phi(pred) - phi(target)|)`` with frozen
    VGG-19 features ``phi``.

    ``phi`` is torchvision's VGG-19 ``features`` (``vgg19().features``)
    truncated after ``layer``; a ``conv`` layer name gives the pre-activation
    output (``conv5_3``, the paper's choice, like ESRGAN's ``conv5_4`` before
    activation). The map
    ``w`` is resized bilinearly to the feature map (``w'``) and the result is
    normalised by the number of feature elements, see
    :func:`weighted_mean_abs_error`. The network stays frozen and in eval mode
    whatever mode the loss module is put in.

    Args:
        layer: ``conv1_1`` ... ``conv5_4``, ``relu1_1`` ... ``relu5_4`` or
            ``pool1`` ... ``pool5``.
        loss_weight: multiplier of the loss (``beta`` of Eq. 4 / 6).
        pretrained: ``'torchvision'`` (torchvision's cached
            ``vgg19-dcbb9e9d.pth``), a path to a torchvision VGG-19 state dict
            (optionally under a ``'state_dict'`` key), or None for random
            weights (tests and smoke runs only). Nothing is downloaded.
        use_input_norm: normalise [0, 1] inputs with the ImageNet mean/std.
    """

    def __init__(self,
                 layer: str = 'conv5_3',
                 loss_weight: float = 1.0,
                 pretrained: Optional[str] = 'torchvision',
                 use_input_norm: bool = True) -> None:
        super().__init__()
        if layer not in VGG19_LAYER_INDICES:
            raise ValueError(f'Unknown VGG-19 layer {layer!r}; choose one of '
                             f'{list(VGG19_LAYER_INDICES)}')
        self.layer = layer
        self.loss_weight = loss_weight
        self.use_input_norm = use_input_norm
        path = resolve_torchvision_weights(pretrained, VGG19_WEIGHTS_FILE)

        num_layers = VGG19_LAYER_INDICES[layer] + 1
        # torchvision's vgg19().features, built without the 120M-parameter
        # classifier that would be thrown away
        self.features = vgg.make_layers(vgg.cfgs['E'])[:num_layers]
        if path is None:
            for module in self.features.modules():
                if isinstance(module, nn.Conv2d):  # as torchvision's VGG
                    nn.init.kaiming_normal_(
                        module.weight, mode='fan_out', nonlinearity='relu')
                    nn.init.zeros_(module.bias)
            print_log(
                'DomainWeightedPerceptualLoss: pretrained=None, the VGG-19 '
                'features use RANDOM weights; the perceptual loss is only '
                'meaningful for tests and smoke runs.',
                logger='current',
                level=logging.WARNING)
        else:
            prefix = 'features.'
            state = {
                key[len(prefix):]: value
                for key, value in load_state_dict_file(path).items()
                if key.startswith(prefix)
                and int(key[len(prefix):].split('.')[0]) < num_layers
            }
            self.features.load_state_dict(state)
        self.features.requires_grad_(False)
        self.features.eval()

        if use_input_norm:
            self.register_buffer(
                'mean',
                torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1),
                persistent=False)
            self.register_buffer(
                'std',
                torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1),
                persistent=False)

    def train(self, mode: bool = True) -> 'DomainWeightedPerceptualLoss':
        """Set the mode of the module; the VGG features stay in eval mode."""
        super().train(mode)
        self.features.eval()
        return self

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) in [0, 1] -> output of ``layer``, (N, C_l, h, w)."""
        if self.use_input_norm:
            x = (x - self.mean) / self.std
        return self.features(x)

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """pred, target: (N, 3, H, W) in [0, 1]; weight: (N, 1, h, w) in
        [0, 1] or None. Returns a scalar tensor; gradients reach ``pred``
        only."""
        with torch.no_grad():
            target_features = self.feature_map(target)
        return self.loss_weight * weighted_mean_abs_error(
            self.feature_map(pred), target_features, weight)
