from .domain_adversarial_editor import DomainAdversarialEditor
from .domain_distance_aware_sr import DomainDistanceAwareSR
from .down_sampling_gan import DownSamplingGAN

__all__ = [
    'DomainAdversarialEditor', 'DomainDistanceAwareSR', 'DownSamplingGAN'
]
