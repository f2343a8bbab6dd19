from .domain_patch_discriminator import DomainPatchDiscriminator
from .down_sampling_network import DownSamplingNetwork
from .high_frequency_extractor import (HighFrequencyExtractor, haar_dwt,
                                       haar_idwt)
from .rrdb_net_no_upsample import RRDBNetNoUpsample

__all__ = [
    'DomainPatchDiscriminator', 'DownSamplingNetwork',
    'HighFrequencyExtractor', 'haar_dwt', 'haar_idwt', 'RRDBNetNoUpsample'
]
