"""SR generators cut where they leave the LR resolution, so that inference
can run their high-resolution tail on small pieces.

An x4 RRDBNet spends most of its *memory* after the trunk: every layer of
its tail holds ``mid_channels`` feature maps at 2x and 4x the input size
(1 GB each in fp32 for a 512x512 LR tile), while the trunk holds a few at
the input size. Running the tail on small tiles of the trunk's features
(:func:`tiled_forward`, cut tiles with the tail's full receptive field as
context, so exactly the whole-tile result) bounds memory by the trunk (the
paper's RRDBNet on a 512x512 LR image: 1.75 GB peak RSS instead of 4.37 GB)
and costs no speed: a shallow RRDBNet, whose tail dominates, ran about 1.4x
faster on our CPU, its 4x maps no longer spilling out of the caches
(``benchmarks/inference.py``).

Only networks whose forward is known are cut (mmagic's ``RRDBNet`` and
``MSRResNet``, subclasses excluded: they may change the forward); others run
whole on each tile.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import torch
import torch.nn as nn
from mmagic.models.editors.esrgan.rrdb_net import RRDBNet
from mmagic.models.editors.srgan.sr_resnet import MSRResNet
from mmagic.models.archs import pixel_unshuffle
from torch import Tensor

from dasr_mm.apis.tiling import receptive_radius, tiled_forward

# LR feature pixels per side of one tail tile: 64-channel fp32 maps of
# 512x512 (x4), 67 MB each
DEFAULT_TAIL_TILE_SIZE = 128


@dataclass
class SRStages:
    """An SR generator as ``tail(trunk(x))``.

    Attributes:
        trunk: ``(N, 3, h, w)`` in [0, 1] → features ``(N, C, h / align,
            w / align)``.
        tail: features ``(N, C, h', w')`` → ``(N, 3, h' * tail_scale,
            w' * tail_scale)``.
        align: Input pixels per feature pixel (a pixel-unshuffle in the
            trunk); inputs must be multiples of it.
        tail_scale: Output pixels per feature pixel.
        tail_radius: Receptive-field radius of the tail in feature pixels
            (:func:`receptive_radius`): the context that makes tiles of the
            tail exact.
    """
    trunk: Callable[[Tensor], Tensor]
    tail: Callable[[Tensor], Tensor]
    align: int
    tail_scale: int
    tail_radius: int


def _rrdbnet_stages(net: RRDBNet) -> SRStages:
    align = 4 // net.upscale_factor

    def trunk(x: Tensor) -> Tensor:
        feat = pixel_unshuffle(x, scale=align) if align > 1 else x
        feat = net.conv_first(feat)
        return feat + net.conv_body(net.body(feat))

    def tail(feat: Tensor) -> Tensor:
        feat = net.lrelu(
            net.conv_up1(
                nn.functional.interpolate(
                    feat, scale_factor=2, mode='nearest')))
        feat = net.lrelu(
            net.conv_up2(
                nn.functional.interpolate(
                    feat, scale_factor=2, mode='nearest')))
        return net.conv_last(net.lrelu(net.conv_hr(feat)))

    return SRStages(trunk, tail, align, 4,
                    _radius(tail, net.conv_first.out_channels, net))


def _msrresnet_stages(net: MSRResNet) -> SRStages:
    # the tail also up-samples the input image: it gets features and image
    # concatenated along the channels
    mid = net.conv_first.out_channels

    def trunk(x: Tensor) -> Tensor:
        return torch.cat((net.trunk_net(net.lrelu(net.conv_first(x))), x), 1)

    def tail(feat_img: Tensor) -> Tensor:
        out = net.upsample1(feat_img[:, :mid])
        if net.upscale_factor == 4:
            out = net.upsample2(out)
        out = net.conv_last(net.lrelu(net.conv_hr(out)))
        return out + net.img_upsampler(feat_img[:, mid:])

    return SRStages(trunk, tail, 1, net.upscale_factor,
                    _radius(tail, mid + net.conv_first.in_channels, net))


def _radius(tail: Callable[[Tensor], Tensor], channels: int,
            net: nn.Module) -> int:
    param = next(net.parameters())
    probe = torch.zeros(
        1, channels, 8, 8, device=param.device, dtype=param.dtype)
    return receptive_radius(tail, probe)


_STAGES = {RRDBNet: _rrdbnet_stages, MSRResNet: _msrresnet_stages}


def split_sr_generator(generator: nn.Module) -> Optional[SRStages]:
    """The trunk and tail of a known SR generator (exact class), else
    None."""
    make = _STAGES.get(type(generator))
    return None if make is None else make(generator)


def forward_with_tiled_tail(
        stages: SRStages,
        x: Tensor,
        tail_tile_size: int = DEFAULT_TAIL_TILE_SIZE) -> Tensor:
    """``tail(trunk(x))`` with the tail run on cut tiles of at most
    ``tail_tile_size`` feature pixels: the generator's output up to float
    rounding, with the memory of one tail tile.

    Args:
        stages: From :func:`split_sr_generator`.
        x: ``(N, 3, h, w)``, multiples of ``stages.align``.
        tail_tile_size: Largest tail tile side in feature pixels.

    Returns:
        ``(N, 3, h * s, w * s)``, ``s = tail_scale / align``.
    """
    feat = stages.trunk(x)
    return tiled_forward(
        None,
        feat,
        fn=stages.tail,
        tile_size=tail_tile_size,
        overlap=stages.tail_radius,
        upscale=stages.tail_scale)
