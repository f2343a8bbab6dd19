from .bicubic_input_generator import BicubicInputGenerator
from .domain_patch_discriminator import DomainPatchDiscriminator
from .down_sampling_network import DownSamplingNetwork
from .high_frequency_extractor import (HighFrequencyExtractor, haar_dwt,
                                       haar_idwt)
from .high_pass_discriminator import HighPassDiscriminator
from .rrdb_net_no_upsample import RRDBNetNoUpsample

__all__ = [
    'BicubicInputGenerator', 'DomainPatchDiscriminator',
    'DownSamplingNetwork', 'HighFrequencyExtractor', 'haar_dwt', 'haar_idwt',
    'HighPassDiscriminator', 'RRDBNetNoUpsample'
]
