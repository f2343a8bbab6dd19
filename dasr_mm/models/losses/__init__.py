from .domain_weighted_l1_loss import (DomainWeightedL1Loss,
                                      weighted_mean_abs_error)
from .domain_weighted_perceptual_loss import (VGG19_LAYER_INDICES,
                                              VGG19_WEIGHTS_FILE,
                                              DomainWeightedPerceptualLoss)
from .pretrained_weights import (load_state_dict_file,
                                 resolve_torchvision_weights)
from .srgan_perceptual_loss import LocalVGGPerceptualLoss

__all__ = [
    'DomainWeightedL1Loss', 'weighted_mean_abs_error',
    'DomainWeightedPerceptualLoss', 'VGG19_LAYER_INDICES',
    'VGG19_WEIGHTS_FILE', 'load_state_dict_file',
    'resolve_torchvision_weights', 'LocalVGGPerceptualLoss'
]
