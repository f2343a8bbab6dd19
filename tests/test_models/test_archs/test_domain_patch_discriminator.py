import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import dasr_mm  # noqa: F401  (applies compat, registers the modules)
from dasr_mm.models.archs import (DomainPatchDiscriminator,
                                  HighFrequencyExtractor)


def _measured_receptive_field(disc: DomainPatchDiscriminator) -> tuple:
    """Height and width of the input region one output location depends on.

    The gradient of the centre logit w.r.t. the extractor output is taken
    through ``patch_net`` with all weights positive and a positive input, so
    no contribution cancels. InstanceNorm is replaced by identity: its
    per-image mean/std couples every location globally, which is
    normalisation, not the convolutional context being measured.
    """
    net = copy.deepcopy(disc.patch_net).eval()
    for i, m in enumerate(net):
        if isinstance(m, nn.InstanceNorm2d):
            net[i] = nn.Identity()
        elif isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 0.01)
            nn.init.zeros_(m.bias)
    size = 2 * disc.receptive_field + 1
    feat = torch.rand(1, net[0].in_channels, size, size) + 0.1
    feat.requires_grad_(True)
    net(feat)[0, 0, size // 2, size // 2].backward()
    support = feat.grad.abs().sum(dim=(0, 1)) > 0
    rows = support.any(dim=1).nonzero().flatten()
    cols = support.any(dim=0).nonzero().flatten()
    height = int(rows.max() - rows.min() + 1)
    width = int(cols.max() - cols.min() + 1)
    # the support is a full, centred square
    assert int(support.sum()) == height * width
    assert int(rows.min() + rows.max()) == size - 1
    assert int(cols.min() + cols.max()) == size - 1
    return height, width


def test_default_receptive_field_is_23():
    disc = DomainPatchDiscriminator(mid_channels=4)
    assert disc.receptive_field == 23
    assert _measured_receptive_field(disc) == (23, 23)


@pytest.mark.parametrize('kernels,rf', [((3, 3, 3, 3), 9),
                                        ((5, 1, 3, 7), 13)])
def test_receptive_field_follows_kernels(kernels, rf):
    disc = DomainPatchDiscriminator(mid_channels=4, kernel_sizes=kernels)
    assert disc.receptive_field == rf
    assert _measured_receptive_field(disc) == (rf, rf)


def test_layers():
    disc = DomainPatchDiscriminator()
    convs = [m for m in disc.patch_net if isinstance(m, nn.Conv2d)]
    assert [c.kernel_size[0] for c in convs] == [7, 7, 5, 7]
    assert [c.out_channels for c in convs] == [64, 128, 256, 1]
    assert convs[0].in_channels == 9
    assert all(c.stride == (1, 1) for c in convs)
    norms = [m for m in disc.patch_net if isinstance(m, nn.InstanceNorm2d)]
    assert len(norms) == 2
    acts = [m for m in disc.patch_net if isinstance(m, nn.LeakyReLU)]
    assert len(acts) == 3 and all(a.negative_slope == 0.2 for a in acts)
    assert isinstance(disc.patch_net[-1], nn.Conv2d)  # raw logits out


@pytest.mark.parametrize('extractor,size,out_size', [
    (None, (32, 40), (16, 20)),
    (dict(mode='wavelet'), (33, 41), (17, 21)),
    (dict(mode='gaussian', kernel_size=7, sigma=1.5), (24, 20), (24, 20)),
    (dict(mode='box'), (19, 17), (19, 17)),
    (dict(mode='rgb'), (16, 16), (16, 16)),
])
def test_dense_output_and_distance_map(extractor, size, out_size):
    torch.manual_seed(0)
    disc = DomainPatchDiscriminator(extractor=extractor, mid_channels=4)
    x = torch.rand(2, 3, *size)
    logits = disc(x)
    assert logits.shape == (2, 1, *out_size)
    dmap = disc.domain_distance_map(x)
    assert dmap.shape == logits.shape
    assert dmap.min() >= 0 and dmap.max() <= 1
    torch.testing.assert_close(dmap, torch.sigmoid(logits))
    expected = HighFrequencyExtractor(**(extractor or {})).config()
    assert disc.extractor.config() == expected
    assert disc.patch_net[0].in_channels == disc.extractor.out_channels


def test_extractor_dict_not_mutated_and_registered():
    from mmagic.registry import MODELS
    cfg = dict(mode='box', kernel_size=3)
    disc = MODELS.build(
        dict(type='DomainPatchDiscriminator', extractor=cfg, mid_channels=4))
    assert isinstance(disc, DomainPatchDiscriminator)
    assert cfg == dict(mode='box', kernel_size=3)
    assert disc.extractor.config() == cfg
    # the extractor has no state: checkpoints hold the patch network only
    assert all(k.startswith('patch_net.') for k in disc.state_dict())


def test_gradients_reach_input_and_parameters():
    torch.manual_seed(0)
    disc = DomainPatchDiscriminator(mid_channels=4)
    x = torch.rand(2, 3, 16, 16, requires_grad=True)
    disc(x).mean().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    for name, p in disc.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize('kwargs', [
    dict(kernel_sizes=(7, 7, 5)),
    dict(kernel_sizes=(7, 7, 5, 7, 1)),
    dict(kernel_sizes=(7, 7, 4, 8)),
    dict(kernel_sizes=(7, 7, 5, 0)),
    dict(kernel_sizes=(7, 7, 5, 7.0)),
    dict(mid_channels=0),
    dict(mid_channels=8.0),
    dict(extractor=dict(mode='sobel')),
])
def test_bad_args_raise(kwargs):
    with pytest.raises(ValueError):
        DomainPatchDiscriminator(**kwargs)


def _smooth_images(n: int, gen: torch.Generator) -> torch.Tensor:
    coarse = torch.rand(n, 3, 4, 4, generator=gen)
    return F.interpolate(
        coarse, size=(32, 32), mode='bilinear', align_corners=False)


def _noisy(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    return (x + 0.05 * torch.randn(x.shape, generator=gen)).clamp(0, 1)


def test_learns_to_separate_two_domains():
    """Domain A (smooth, "real") vs domain B (same with noise, "fake"):
    after a few dozen steps the map is high on A and low on B, also on
    images not seen in training."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    disc = DomainPatchDiscriminator(mid_channels=8)
    optim = torch.optim.Adam(disc.parameters(), lr=2e-3, betas=(0.5, 0.999))
    for _ in range(40):
        real = _smooth_images(4, gen)
        fake = _noisy(_smooth_images(4, gen), gen)
        logit_real, logit_fake = disc(real), disc(fake)
        loss = F.binary_cross_entropy_with_logits(
            logit_real, torch.ones_like(logit_real)) + \
            F.binary_cross_entropy_with_logits(
                logit_fake, torch.zeros_like(logit_fake))
        optim.zero_grad()
        loss.backward()
        optim.step()

    disc.eval()
    with torch.no_grad():
        clean = _smooth_images(8, gen)
        map_a = disc.domain_distance_map(clean)
        map_b = disc.domain_distance_map(_noisy(clean, gen))
    assert map_a.mean() > 0.7
    assert map_b.mean() < 0.3
