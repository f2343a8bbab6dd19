"""SR generators cut into trunk and tail (dasr_mm/apis/sr_stages.py), the
tail run on exact tiles, and inference with pixel-unshuffling networks on
sizes that are not multiples of their alignment."""
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import dasr_mm  # noqa: F401
from dasr_mm.apis.inference import TiledSuperResolver
from dasr_mm.apis.sr_stages import forward_with_tiled_tail, split_sr_generator
from mmagic.models.editors.esrgan.rrdb_net import RRDBNet
from mmagic.models.editors.srgan.sr_resnet import MSRResNet


def pytorch_init(net: nn.Module) -> nn.Module:
    """PyTorch's default init (contrast between pixels), float64, eval."""
    torch.manual_seed(0)
    for conv in net.modules():
        if isinstance(conv, nn.Conv2d):
            conv.reset_parameters()
    return net.double().eval()


NETWORKS = {
    f'RRDBNet x{s}':
    (lambda s=s: RRDBNet(3, 3, 8, 1, 4, upscale_factor=s), s, 4 // s)
    for s in (4, 2, 1)
}
NETWORKS.update({
    f'MSRResNet x{s}':
    (lambda s=s: MSRResNet(3, 3, 8, 2, upscale_factor=s), s, 1)
    for s in (2, 3, 4)
})


@pytest.mark.parametrize('name', sorted(NETWORKS))
def test_tail_on_tiles_equals_the_generator(name):
    make, scale, align = NETWORKS[name]
    net = pytorch_init(make())
    stages = split_sr_generator(net)
    assert (stages.align, stages.tail_scale * 1.0 / stages.align) == (align,
                                                                      scale)
    tail_inputs = []

    def tail(feat):
        tail_inputs.append(tuple(feat.shape[-2:]))
        return stages.tail(feat)

    counted = dataclasses.replace(stages, tail=tail)
    # DIV2K-like sides: 4 mod 8 and odd multiples of the alignment
    x = torch.rand(1, 3, 4 * 13, 4 * 11, dtype=torch.float64)
    with torch.no_grad():
        whole = net(x)
        tiled = forward_with_tiled_tail(counted, x, tail_tile_size=10)
    assert tiled.shape == whole.shape == (1, 3, 52 * scale, 44 * scale)
    assert len(tail_inputs) >= 4 and max(map(max, tail_inputs)) <= 10
    assert (tiled - whole).abs().max() < 1e-12  # float64 rounding only


def test_a_subclass_or_unknown_network_is_not_cut():

    class MyRRDBNet(RRDBNet):

        def forward(self, x):
            return super().forward(x) * 0

    assert split_sr_generator(MyRRDBNet(3, 3, 8, 1, 4)) is None
    assert split_sr_generator(nn.Conv2d(3, 3, 3)) is None


@pytest.mark.parametrize('scale', [2, 1])
def test_pixel_unshuffling_rrdbnet_takes_odd_sizes_and_aligned_tiles(scale):
    net = pytorch_init(RRDBNet(3, 3, 8, 1, 4, upscale_factor=scale)).float()
    align = 4 // scale
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (37, 43, 3), dtype=np.uint8)  # odd sides
    trunk_inputs = []
    net.conv_first.register_forward_pre_hook(
        lambda m, args: trunk_inputs.append(tuple(args[0].shape[-2:])))
    whole = TiledSuperResolver(net, tile_size=None)(img)
    resolver = TiledSuperResolver(net, tile_size=24, tile_overlap=4)
    trunk_inputs.clear()  # the probes
    tiled = resolver(img)
    tiles = list(trunk_inputs)
    assert whole.shape == tiled.shape == (37 * scale, 43 * scale, 3)
    # a known network runs in channels-last memory (faster on the CPU)
    assert net.conv_first.weight.is_contiguous(
        memory_format=torch.channels_last)
    # the whole image is padded (replicated) to multiples of the alignment
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    padded = F.pad(x, (0, -43 % align, 0, -37 % align), mode='replicate')
    with torch.no_grad():
        expected = net(padded)[0, :, :37 * scale, :43 * scale]
    expected = (expected.clamp(0, 1) * 255).permute(1, 2, 0).numpy()
    assert np.abs(whole - expected).max() <= 0.5 + 1e-3
    # tiles: several, each (after pixel-unshuffling) at most a tile
    assert len(tiles) >= 4 and max(map(max, tiles)) <= 24 // align
    diff = np.abs(tiled.astype(int) - whole)
    assert diff.max() <= 12 and diff.mean() < 1


@pytest.mark.parametrize('name,lr_size', [('MSRResNet x4', (339, 510)),
                                          ('RRDBNet x2', (678, 1019))])
def test_div2k_sized_photo_with_the_default_tile(name, lr_size):
    # DIV2K's 2040x1356 at x4 and x2 (one side made odd): several default
    # tiles, output exactly s times the input, tiles equal to the whole image
    # up to rounding (16 px of blended context cover these tiny networks)
    make, scale, align = NETWORKS[name]
    net = pytorch_init(make()).float()
    img = np.random.default_rng(0).integers(
        0, 256, lr_size + (3, ), dtype=np.uint8)
    trunk_inputs = []
    net.conv_first.register_forward_pre_hook(
        lambda m, args: trunk_inputs.append(tuple(args[0].shape[-2:])))
    resolver = TiledSuperResolver(net)  # the default tile and overlap
    trunk_inputs.clear()  # the probes
    tiled = resolver(img)
    assert len(trunk_inputs) >= 6
    assert max(map(max, trunk_inputs)) <= resolver.tile_size // align
    whole = TiledSuperResolver(net, tile_size=None)(img)
    assert tiled.shape == whole.shape == (lr_size[0] * scale,
                                          lr_size[1] * scale, 3)
    assert np.abs(tiled.astype(int) - whole).max() <= 1
