from .domain_weighted_l1_loss import (DomainWeightedL1Loss,
                                      weighted_mean_abs_error)
from .domain_weighted_perceptual_loss import (VGG19_LAYER_INDICES,
                                              VGG19_WEIGHTS_FILE,
                                              DomainWeightedPerceptualLoss)
from .low_frequency_l1_loss import LowFrequencyL1Loss
from .lpips_loss import LPIPSLoss
from .srgan_perceptual_loss import LocalVGGPerceptualLoss

__all__ = [
    'DomainWeightedL1Loss', 'weighted_mean_abs_error',
    'DomainWeightedPerceptualLoss', 'VGG19_LAYER_INDICES',
    'VGG19_WEIGHTS_FILE', 'LocalVGGPerceptualLoss', 'LowFrequencyL1Loss',
    'LPIPSLoss'
]
