"""HighPassDiscriminator: a discriminator that only sees x - blur(x)
(ESRGAN-FS's frequency-separated GAN)."""
import torch

import dasr_mm  # noqa: F401
from dasr_mm.models.archs import HighFrequencyExtractor, HighPassDiscriminator
from mmagic.registry import MODELS

VGG = dict(type='ModifiedVGG', in_channels=3, mid_channels=8)


def _disc(net: dict = VGG, **kwargs) -> HighPassDiscriminator:
    torch.manual_seed(0)
    disc = MODELS.build(dict(type='HighPassDiscriminator', net=net, **kwargs))
    return disc.eval()  # batch norms use their running statistics


def test_default_is_fssr_box_9_and_net_sees_the_high_pass():
    disc = _disc()
    assert disc.extractor.config() == dict(mode='box', kernel_size=9)
    x = torch.rand(2, 3, 128, 128)
    out = disc(x)
    assert out.shape == (2, 1)
    high = HighFrequencyExtractor(mode='box', kernel_size=9)(x)
    assert torch.equal(out, disc.net(high))


def test_blind_to_low_frequencies_not_to_high_ones():
    # a dense patch net (identity extractor inside) responds to any change
    patch_net = dict(type='DomainPatchDiscriminator',
                     extractor=dict(mode='rgb'), mid_channels=8)
    disc = _disc(net=patch_net,
                 extractor=dict(mode='gaussian', kernel_size=5, sigma=1.0))
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        base = disc(x)
        shifted = disc(x + 0.3)  # a constant offset has no high frequency
        noisy = disc(x + 0.1 * torch.randn_like(x))
        unfiltered = disc.net(x), disc.net(x + 0.3)
    assert torch.allclose(base, shifted, atol=1e-5)
    assert (base - noisy).abs().mean() > 1e-3
    assert (unfiltered[0] - unfiltered[1]).abs().mean() > 1e-3
