"""BicubicInputGenerator: FSSR's DSGAN generator, B(x) then a same-size
network, usable wherever a DSN (HR in, LR out) is expected."""
import pytest
import torch

import dasr_mm  # noqa: F401
from dasr_mm.apis.tiling import resolve_overlap, tiled_forward
from dasr_mm.models.archs import BicubicInputGenerator, DownSamplingNetwork
from dasr_mm.models.utils import matlab_bicubic_downsample
from mmagic.registry import MODELS

FSSR_NET = dict(type='DownSamplingNetwork', scale=1, variant='official',
                mid_channels=64, num_blocks=8)


def test_is_the_net_on_the_bicubic_image():
    torch.manual_seed(0)
    gen = BicubicInputGenerator(
        net=dict(FSSR_NET, mid_channels=8, num_blocks=2), scale=4)
    assert gen.scale == 4
    x = torch.rand(2, 3, 32, 40)
    out = gen(x)
    assert out.shape == (2, 3, 8, 10)
    assert torch.equal(out, gen.net(matlab_bicubic_downsample(x, 4)))
    assert 0 < out.min() and out.max() < 1  # the official variant's sigmoid
    out.mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in gen.net.parameters())


def test_default_net_has_the_size_of_fssr_generator():
    # FSSR's dsgan/model.py Generator: conv3x3 (3->64) + PReLU, 8 x
    # [conv3x3 64->64, PReLU, conv3x3 64->64], conv3x3 (64->3)
    conv = lambda cin, cout: cin * cout * 9 + cout  # noqa: E731
    expected = conv(3, 64) + 1 + 8 * (2 * conv(64, 64) + 1) + conv(64, 3)
    gen = MODELS.build(dict(type='BicubicInputGenerator', net=FSSR_NET))
    assert isinstance(gen.net, DownSamplingNetwork)
    assert sum(p.numel() for p in gen.parameters()) == expected


def test_scale_one_net_only_and_divisible_input():
    with pytest.raises(ValueError, match='net.scale=1'):
        BicubicInputGenerator(net=dict(FSSR_NET, scale=4), scale=4)
    with pytest.raises(ValueError, match='scale must be'):
        BicubicInputGenerator(net=FSSR_NET, scale=0)
    gen = BicubicInputGenerator(
        net=dict(FSSR_NET, mid_channels=4, num_blocks=1), scale=4)
    with pytest.raises(ValueError, match='not divisible by scale=4'):
        gen(torch.rand(1, 3, 30, 32))


def test_tiles_exactly_with_the_overlap_the_export_measures():
    # the export tiles the DSN with the overlap receptive_radius finds;
    # it must see B's reach too, or tile seams differ from a whole image
    torch.manual_seed(0)
    gen = BicubicInputGenerator(
        net=dict(FSSR_NET, mid_channels=8, num_blocks=1), scale=4).eval()
    overlap = resolve_overlap(gen, torch.zeros(1, 3, 64, 64), tile_size=96,
                              align=4)
    x = torch.rand(1, 3, 200, 196)
    with torch.no_grad():
        whole = gen(x)
        tiled = tiled_forward(gen, x, tile_size=96, overlap=overlap,
                              factor=4)
    assert torch.allclose(tiled, whole, atol=1e-6)
