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


def test_stage2_discriminator_of_srn_aim_is_the_authors_strided_patchgan(
        repo_root):
    """configs/dasr/srn_aim.py: D_t is the authors' SRN discriminator
    (NLayerDiscriminator(9, 64, n_layers=2): 4x4 convs with strides 2, 2,
    1, 1 to 64, 128, 256, 1 channels, InstanceNorm) on the Haar bands, and
    it initialises inside an editor (mmagic's init bug is patched)."""
    import os.path as osp

    from mmengine.model import BaseModule
    from torch import nn

    from dasr_mm.apis import load_config
    cfg = load_config(osp.join(repo_root, 'configs/dasr/srn_aim.py'))
    outer = BaseModule()
    outer.discriminator = MODELS.build(cfg.model.discriminator)
    outer.init_weights()  # raised UnboundLocalError before the compat fix
    disc = outer.discriminator
    convs = [m for m in disc.net.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.stride)
            for c in convs] == [(9, 64, (4, 4), (2, 2)),
                                (64, 128, (4, 4), (2, 2)),
                                (128, 256, (4, 4), (1, 1)),
                                (256, 1, (4, 4), (1, 1))]
    assert sum(isinstance(m, nn.InstanceNorm2d)
               for m in disc.net.modules()) == 2
    assert disc.extractor.config() == dict(mode='wavelet')
    for conv in convs:  # N(0, 0.02) as CycleGAN / the pix2pix PatchGAN
        assert 0.01 < conv.weight.std() < 0.03
    # HR 128 -> Haar bands 64 -> 32 -> 16 -> 15 -> 14 logits
    assert disc(torch.rand(2, 3, 128, 128)).shape == (2, 1, 14, 14)
