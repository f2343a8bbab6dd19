"""Tiled forward (dasr_mm/apis/tiling.py): tiled equals untiled for every
kind of network the package tiles, blending, memory placement."""
import pytest
import torch
import torch.nn as nn

import dasr_mm  # noqa: F401  (registers the modules, mmcv-lite compat)
from dasr_mm.apis.tiling import (_blend_weights, _spans, receptive_radius,
                                 resolve_overlap, tiled_forward)
from dasr_mm.models.archs import (DomainPatchDiscriminator,
                                  DownSamplingNetwork, RRDBNetNoUpsample)
from mmagic.models.editors.esrgan.rrdb_net import RRDBNet


def pytorch_init(net: nn.Module) -> nn.Module:
    """PyTorch's default init instead of mmagic's 0.1-scaled one, so that
    far pixels measurably influence the output."""
    for conv in net.modules():
        if isinstance(conv, nn.Conv2d):
            conv.reset_parameters()
    return net.double().eval()


def tiny_rrdbnet() -> nn.Module:
    torch.manual_seed(0)
    return pytorch_init(
        RRDBNet(3, 3, mid_channels=4, num_blocks=1, growth_channels=2))


def test_receptive_radius_of_known_layers():
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.Conv2d(4, 4, 5, padding=4, dilation=2), nn.AvgPool2d(3, 1, 1))
    assert receptive_radius(net, torch.zeros(1, 3, 32, 32)) == 1 + 4 + 1
    strided = nn.Sequential(
        nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.Conv2d(4, 4, 3, padding=1))
    # the second conv runs at half resolution: 1 px there = 2 input px
    assert receptive_radius(strided, torch.zeros(1, 3, 32, 32)) == 1 + 2


def test_receptive_radius_of_an_upscaling_rrdbnet():
    # conv_first + 15 convs of the RRDB + conv_body at LR (17 px), the two
    # nearest up-samplings (1 source px each: 1 + 1/2 LR px), conv_up1 at x2
    # (1/2 px), conv_up2, conv_hr and conv_last at x4 (3/4 px): 19.75,
    # rounded up
    assert receptive_radius(tiny_rrdbnet(),
                            torch.zeros(1, 3, 16, 16,
                                        dtype=torch.float64)) == 20


def test_spans_tile_the_length_with_even_aligned_cores():
    spans = _spans(100, tile_size=40, overlap=6, align=4)
    cores = [(c0, c1) for _, _, c0, c1 in spans]
    assert cores[0][0] == 0 and cores[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(cores, cores[1:]))
    assert all(c0 % 4 == 0 for c0, _ in cores)
    sizes = [c1 - c0 for c0, c1 in cores]
    assert max(sizes) <= 40 - 12 and max(sizes) - min(sizes) <= 4
    for in0, in1, c0, c1 in spans:
        assert in0 == max(c0 - 6, 0) and in1 == min(c1 + 6, 100)
    with pytest.raises(ValueError, match='tile_size >= 17'):
        _spans(100, tile_size=16, overlap=8, align=1)


@pytest.mark.parametrize('ratio', [1.0, 4.0, 0.5])
def test_blend_weights_sum_to_one(ratio):
    spans = _spans(96, tile_size=40, overlap=8, align=2)
    weights = _blend_weights(spans, ratio, half_width=8 * ratio)
    total = torch.zeros(round(96 * ratio), dtype=torch.float64)
    for (in0, in1, _, _), weight in zip(spans, weights):
        total[round(in0 * ratio):round(in1 * ratio)] += weight
        assert weight.min() >= 0 and weight.max() == 1
    torch.testing.assert_close(total, torch.ones_like(total))


def discriminator() -> nn.Module:
    torch.manual_seed(0)
    disc = DomainPatchDiscriminator(
        extractor=dict(mode='wavelet'),
        mid_channels=2,
        kernel_sizes=(3, 3, 3, 3)).double().eval()
    for conv in disc.patch_net:  # larger weights: a contrasted map
        if isinstance(conv, nn.Conv2d):
            nn.init.normal_(conv.weight, std=0.3)
    return disc


def dsn(variant: str) -> nn.Module:
    torch.manual_seed(0)
    return pytorch_init(
        DownSamplingNetwork(
            scale=2, mid_channels=4, num_blocks=1, variant=variant))


def rrdbnet_x1() -> nn.Module:
    torch.manual_seed(0)
    return pytorch_init(
        RRDBNetNoUpsample(
            3, 3, mid_channels=4, num_blocks=1, growth_channels=2))


# (network, function to tile, factor, upscale): every kind the package tiles
KINDS = {
    'discriminator (instance norm, /2)':
    lambda: (lambda d: (d, d.domain_distance_map, 2, 1))(discriminator()),
    'paper DSN (bilinear, /2)':
    lambda: (lambda n: (n, n, 2, 1))(dsn('paper')),
    'official DSN (strided, /2)':
    lambda: (lambda n: (n, n, 2, 1))(dsn('official')),
    'RRDBNet (x4)':
    lambda: (lambda n: (n, n, 1, 4))(tiny_rrdbnet()),
    'RRDBNetNoUpsample (x1)':
    lambda: (lambda n: (n, n, 1, 1))(rrdbnet_x1()),
}


@pytest.mark.parametrize('blend', [False, True])
@pytest.mark.parametrize('kind', sorted(KINDS))
def test_tiled_equals_untiled_for_every_network_kind(kind, blend):
    net, fn, factor, upscale = KINDS[kind]()
    # blended tiles keep outputs up to overlap / 2 from their edge
    exact = receptive_radius(fn, torch.zeros(
        1, 3, 32, 32, dtype=torch.float64)) * (2 if blend else 1)
    tile = 3 * exact + 2 * factor
    x = torch.rand(
        1, 3, tile + exact // 2 * 2, tile + exact, dtype=torch.float64)
    counted = []
    with torch.no_grad():
        full = fn(x)
        tiled = tiled_forward(
            net,
            x,
            factor=factor,
            upscale=upscale,
            tile_size=tile,
            overlap=exact,
            fn=fn,
            blend=blend,
            on_tile=counted.append)
        short = tiled_forward(
            net,
            x,
            factor=factor,
            upscale=upscale,
            tile_size=tile,
            overlap=exact // 4,
            fn=fn,
            blend=blend)
    assert len(counted) >= 4 and counted[0] == len(counted)
    assert tiled.shape == full.shape == (1, full.shape[1],
                                         x.shape[2] * upscale // factor,
                                         x.shape[3] * upscale // factor)
    assert (tiled - full).abs().max() < 1e-12  # float64 rounding only
    assert (short - full).abs().max() > 1e-10  # the overlap matters
    assert not any('forward' in vars(m) for m in net.modules())  # unpatched


def test_tiles_run_on_the_given_device_and_dtype_output_stays_with_x():
    net = tiny_rrdbnet().float()
    seen = []
    net.conv_first.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].dtype))
    x = torch.rand(1, 3, 40, 40)
    with torch.no_grad():
        out = tiled_forward(
            net.to(torch.bfloat16),
            x,
            upscale=4,
            tile_size=24,
            overlap=4,
            blend=True,
            device='cpu',
            dtype=torch.bfloat16)
        assert set(seen) == {torch.bfloat16} and len(seen) >= 4
        reference = net.float()(x)
    assert out.dtype == torch.float32 and out.device == x.device
    assert (out - reference).abs().mean() < 0.05  # bf16 + a small overlap


def test_resolve_overlap_exact_warns_blended_caps():
    net = tiny_rrdbnet()
    probe = torch.zeros(1, 3, 16, 16, dtype=torch.float64)
    assert resolve_overlap(net, probe, tile_size=64) == 20
    assert resolve_overlap(net, probe, tile_size=96, blend=True) == 40
    with pytest.warns(UserWarning, match='receptive-field radius'):
        assert resolve_overlap(net, probe, tile_size=64, requested=4) == 4
    assert resolve_overlap(net, probe, tile_size=64, blend=True, cap=10) == 10
    with pytest.raises(ValueError, match='tile_size >= 41'):
        resolve_overlap(net, probe, tile_size=40, name='SR network')
