"""A tiny stage-1 model: what the export hook needs of one."""
import torch
import torch.nn as nn

from dasr_mm.models.archs import DomainPatchDiscriminator, DownSamplingNetwork


class TinyStage1(nn.Module):
    """``generator``: an x2 DSN, ``discriminator``: a wavelet patch D, both
    a few channels wide, seeded (equal on every process)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.generator = DownSamplingNetwork(
            scale=2, mid_channels=4, num_blocks=1)
        self.discriminator = DomainPatchDiscriminator(
            extractor=dict(mode='wavelet'), mid_channels=2)
