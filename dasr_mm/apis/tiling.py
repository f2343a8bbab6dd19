"""Tiled application of image-to-image networks, for the export (DSN, D) and
for SR inference (RRDBNet), so that memory is bounded by the tile, not the
image.

The image is split into *cores* that tile it (equal sizes, multiples of the
network's input alignment); each core is extended by an *overlap* of context
on every side that has a neighbour, run alone, and written back:

* **exact** (``blend=False``, the export): only each tile's core is kept. With
  the overlap at least :func:`receptive_radius` the result equals the untiled
  one up to float rounding; instance norms, whose statistics cover the whole
  image, are handled exactly by accumulating their statistics over the cores
  first, one pass per norm (:class:`_FrozenInstanceNorms`).
* **blended** (``blend=True``, SR inference): the outputs of neighbouring
  tiles are cross-faded linearly over a band of ``overlap`` pixels centred on
  their common border, with weights that sum to one everywhere; every output
  pixel kept then had at least ``overlap / 2`` pixels of context, so an
  overlap of twice the radius gives the untiled result. For networks whose
  receptive field is far wider than any practical tile (the paper's RRDBNet:
  about 350 LR pixels) a shorter overlap is unavoidable; the cross-fade turns
  the step a cut would leave at the border into a smooth transition.

Memory: ``O(tile_size**2 * C_max)`` for one tile's activations (``C_max``: the
widest layer, at the tile's output resolution for an up-scaling network;
:mod:`dasr_mm.apis.sr_stages` tiles an SR network's tail again to avoid
that) plus the full-size input and output. Tiles may run on another device
than the image (``device``): the image and the output stay where the input
is.
"""
import warnings
from contextlib import contextmanager
from typing import (Any, Callable, Dict, Iterator, List, Optional, Tuple,
                    Union)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.modules.instancenorm import _InstanceNorm
from torch.nn.modules.utils import _pair
from torch.overrides import TorchFunctionMode

DEFAULT_TILE_SIZE = 512


# --------------------------------------------------------------------------
# receptive field
# --------------------------------------------------------------------------
def _arg(args: tuple, kwargs: dict, index: int, name: str,
         default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _window_reach(kernel: int, padding: Union[int, str], dilation: int) -> int:
    """Pixels a sliding window reaches beyond its output's own position."""
    span = dilation * (kernel - 1)
    if padding == 'same':
        padding = span // 2
    elif padding == 'valid':
        padding = 0
    return max(padding, span - padding)


class _SpatialOpRecorder(TorchFunctionMode):
    """Records, for every spatial op run inside it, the op's input size and
    its reach (in pixels of that input) along height and width."""

    def __init__(self) -> None:
        super().__init__()
        self.records: List[Tuple[Tuple[int, int], Tuple[float, float]]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func is F.conv2d:
            kernel = args[1].shape[-2:]
            padding = _arg(args, kwargs, 4, 'padding', 0)
            if isinstance(padding, str):  # 'same' or 'valid'
                padding = (padding, padding)
            else:
                padding = _pair(padding)
            dilation = _pair(_arg(args, kwargs, 5, 'dilation', 1))
        elif func in (F.avg_pool2d, F.max_pool2d):
            kernel = _pair(_arg(args, kwargs, 1, 'kernel_size', 1))
            padding = _pair(_arg(args, kwargs, 3, 'padding', 0))
            dilation = _pair(
                _arg(args, kwargs, 4, 'dilation', 1) if func is
                F.max_pool2d else 1)
        elif func is F.interpolate:
            size_in, size_out = args[0].shape[-2:], out.shape[-2:]
            # two source pixels, or one output pixel when shrinking (covers
            # bilinear, bicubic and antialiased kernels); nearest picks one
            # source pixel, at most one away for non-integer ratios
            nearest = _arg(args, kwargs, 3, 'mode',
                           'nearest') in ('nearest', 'nearest-exact')
            reach = tuple((1 if nearest else 2) * max(1., i / o)
                          for i, o in zip(size_in, size_out))
            self.records.append((tuple(size_in), reach))
            return out
        else:
            return out
        reach = tuple(
            float(_window_reach(k, p, d))
            for k, p, d in zip(kernel, padding, dilation))
        self.records.append((tuple(args[0].shape[-2:]), reach))
        return out


def receptive_radius(fn: Callable[[Tensor], Tensor], probe: Tensor) -> int:
    """Upper bound of the receptive-field radius of ``fn``, in pixels of its
    input: how far beyond an output pixel's own footprint the input may
    influence it.

    Computed from the spatial ops that one run of ``fn`` on ``probe`` performs
    (``F.conv2d`` and thus every ``nn.Conv2d``, average/max pooling,
    ``F.interpolate``), each weighted by the resolution it runs at. Ops that
    mix information globally (instance norm) are not counted: they are handled
    by :func:`tiled_forward`. Other spatial ops (e.g. attention, unfold,
    transposed convolutions) are not seen; pass the overlap explicitly for
    networks that use them.

    Args:
        fn: The network (or a method of it), applied to ``probe``.
        probe: An input ``(1, C, P, P)`` accepted by ``fn``.
    """
    recorder = _SpatialOpRecorder()
    with torch.no_grad(), recorder:
        fn(probe)
    size = probe.shape[-2:]
    radius = [
        sum(reach[d] * size[d] / in_size[d]
            for in_size, reach in recorder.records) for d in range(2)
    ]
    return int(np.ceil(max(radius)))


# --------------------------------------------------------------------------
# tiling
# --------------------------------------------------------------------------
def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _spans(length: int, tile_size: int, overlap: int,
           align: int) -> List[Tuple[int, int, int, int]]:
    """Split ``[0, length)`` into cores of nearly equal size (within
    ``align``), multiples of ``align`` except where the image ends, that tile
    it; each extended by ``overlap`` on both sides (clipped to the image).

    Returns ``(in_start, in_end, core_start, core_end)`` per tile."""
    if length <= tile_size:
        return [(0, length, 0, length)]
    largest_core = (tile_size - 2 * overlap) // align
    if largest_core <= 0:
        raise ValueError(
            f'tile_size {tile_size} leaves no core with an overlap of '
            f'{overlap} px on each side: use tile_size >= '
            f'{smallest_tile(overlap, align)}')
    units = -(-length // align)
    count = -(-units // largest_core)
    bounds = [
        min(k * units // count * align, length) for k in range(count + 1)
    ]
    return [(max(start - overlap, 0), min(end + overlap, length), start, end)
            for start, end in zip(bounds, bounds[1:])]


def smallest_tile(overlap: int, align: int = 1) -> int:
    """The smallest ``tile_size`` that leaves a core inside ``overlap``
    pixels of context on each side (overlap rounded up to ``align``)."""
    return 2 * _round_up(overlap, align) + align


def _blend_weights(spans: List[Tuple[int, int, int, int]], ratio: float,
                   half_width: float) -> List[Tensor]:
    """Per tile, the 1-D weights ``(out_len,)`` of its output pixels: 1 inside
    its core, a linear cross-fade of ``2 * half_width`` output pixels centred
    on each border with a neighbour. Over all tiles they sum to 1 at every
    output pixel."""
    weights = []
    for k, (in0, in1, core0, core1) in enumerate(spans):
        centres = torch.arange(
            round(in0 * ratio), round(in1 * ratio), dtype=torch.float64) + 0.5
        weight = torch.ones_like(centres)
        if k > 0:
            left = core0 * ratio - half_width
            weight *= ((centres - left) / (2 * half_width)).clamp(0, 1)
        if k < len(spans) - 1:
            right = core1 * ratio + half_width
            weight *= ((right - centres) / (2 * half_width)).clamp(0, 1)
        weights.append(weight)
    return weights


class _StopForward(Exception):
    """Raised to abandon a forward pass once the statistics it was run for
    have been accumulated."""


class _FrozenInstanceNorms:
    """Makes instance norms of a network use whole-image statistics while the
    network runs on tiles.

    Inside :meth:`patched`, every instance norm that computes its statistics
    from its input either applies statistics frozen in :attr:`stats`, or, if
    it is the first one without, accumulates the sums of its input over the
    current tile's core (:attr:`core`, in network-input pixels relative to the
    tile) and stops the forward pass. ``net=None``: a function without
    instance norms.
    """

    def __init__(self, net: Optional[nn.Module]) -> None:
        modules = [] if net is None else net.modules()
        self.norms = [
            m for m in modules if isinstance(m, _InstanceNorm) and (
                m.training or not m.track_running_stats)
        ]
        self.stats: Dict[nn.Module, Tuple[Tensor, Tensor]] = {}
        self.core: Tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)
        self._collecting: Optional[nn.Module] = None
        self._sums: Optional[List[Tensor]] = None

    def _core_region(self, x: Tensor) -> Tensor:
        y0, y1, x0, x1, tile_h, tile_w = self.core
        h, w = x.shape[-2:]
        bounds = (y0 * h, y1 * h, x0 * w, x1 * w)
        if any(b % t
               for b, t in zip(bounds, (tile_h, tile_h, tile_w, tile_w))):
            raise ValueError(
                'an instance norm runs at a resolution the tile alignment '
                'cannot map exactly; disable tiling (tile_size=None)')
        y0, y1, x0, x1 = (b // t for b, t in zip(bounds, (tile_h, tile_h,
                                                          tile_w, tile_w)))
        return x[..., y0:y1, x0:x1]

    def _forward(self, norm: nn.Module, x: Tensor) -> Tensor:
        if norm in self.stats:
            mean, var = self.stats[norm]
            shape = x.shape[:2] + (1, ) * (x.dim() - 2)
            out = (x -
                   mean.view(shape)) / torch.sqrt(var.view(shape) + norm.eps)
            if norm.affine:
                out = out * norm.weight.view(1, -1, *shape[2:]) + \
                    norm.bias.view(1, -1, *shape[2:])
            return out
        if self._collecting not in (None, norm):
            raise RuntimeError('instance norms ran in an unexpected order')
        self._collecting = norm
        core = self._core_region(x).double().flatten(2)
        sums = [
            core.sum(-1), (core * core).sum(-1),
            torch.tensor(core.shape[-1], dtype=torch.float64)
        ]
        self._sums = sums if self._sums is None else [
            a + b for a, b in zip(self._sums, sums)
        ]
        raise _StopForward

    def freeze_collected(self, dtype: torch.dtype) -> bool:
        """Turn the accumulated sums into the frozen statistics of the norm
        they belong to; False when no norm collected any."""
        if self._collecting is None:
            return False
        total, total_sq, count = self._sums
        mean = total / count
        var = (total_sq / count - mean * mean).clamp_(min=0)
        self.stats[self._collecting] = (mean.to(dtype), var.to(dtype))
        self._collecting, self._sums = None, None
        return True

    @contextmanager
    def patched(self) -> Iterator['_FrozenInstanceNorms']:
        for norm in self.norms:
            norm.forward = lambda x, norm=norm: self._forward(norm, x)
        try:
            yield self
        finally:
            for norm in self.norms:
                del norm.forward


def resolve_overlap(fn: Callable[[Tensor], Tensor],
                    probe: Tensor,
                    *,
                    tile_size: Optional[int],
                    requested: Optional[int] = None,
                    align: int = 1,
                    blend: bool = False,
                    cap: Optional[int] = None,
                    name: str = 'network') -> int:
    """The overlap to tile ``fn`` with, checked against ``tile_size``.

    The exact overlap is the receptive-field radius (:func:`receptive_radius`)
    for cut tiles and twice it for blended ones (see :func:`tiled_forward`).

    Args:
        fn: The network (or a method of it); run once on ``probe``.
        probe: A small input ``(1, C, P, P)`` that ``fn`` accepts.
        tile_size: The tile side in input pixels (None: no tiling).
        requested: The overlap asked for; None: the exact overlap, at most
            ``cap``.
        align: Input pixels per output pixel of a down-scaling network (the
            overlap is rounded up to it).
        blend: The tiles will be blended.
        cap: For networks whose radius exceeds practical tiles (SR): the
            default overlap when the exact one is larger. Without a cap, an
            overlap below the exact one warns, since the tiled result will
            differ from the untiled one.
        name: The network's name in messages.

    Raises:
        ValueError: ``tile_size`` leaves no core inside the overlap.
    """
    exact = receptive_radius(fn, probe) * (2 if blend else 1)
    if requested is None:
        overlap = exact if cap is None else min(exact, cap)
    else:
        overlap = requested
        if cap is None and requested < exact:
            warnings.warn(
                f'tile_overlap={requested} is below the receptive-field '
                f'radius of the {name} ({exact} px'
                f'{", doubled for blending" if blend else ""}): tiled '
                'results will differ from untiled ones')
    smallest = smallest_tile(overlap, align)
    if tile_size is not None and tile_size < smallest:
        raise ValueError(
            f'tile_size={tile_size} leaves no room inside a tile of the '
            f'{name} after {overlap} px of context on each side: use '
            f'tile_size >= {smallest}, a smaller tile_overlap, or None (no '
            'tiling)')
    return overlap


def tiled_forward(net: Optional[nn.Module],
                  x: Tensor,
                  *,
                  tile_size: Optional[int],
                  overlap: int,
                  factor: int = 1,
                  upscale: int = 1,
                  fn: Optional[Callable[[Tensor], Tensor]] = None,
                  blend: bool = False,
                  device: Union[str, torch.device, None] = None,
                  dtype: Optional[torch.dtype] = None,
                  on_tile: Optional[Callable[[int], None]] = None) -> Tensor:
    """Apply ``fn`` (default ``net``) to ``x`` tile by tile.

    The image is split into cores, multiples of ``factor``, of nearly equal
    size; each is extended by ``overlap`` pixels (rounded up to a multiple of
    ``factor``) and run alone. ``blend=False`` keeps each tile's core output
    (exact with ``overlap >= receptive_radius``); ``blend=True`` cross-fades
    neighbouring outputs over a band of ``overlap`` pixels centred on their
    border (at most the smallest core), exact with ``overlap >= 2 *
    receptive_radius``; see the module docstring.
    Instance norms of ``net`` that normalise by input statistics get the
    statistics of the whole image, accumulated over the cores in one extra
    pass per norm (passes stop at the norm they collect for).

    Args:
        net: The module ``fn`` belongs to (its instance norms are patched);
            None: ``fn`` uses no instance norm.
        x: ``(N, C, H, W)``, ``H`` and ``W`` multiples of ``factor``.
        tile_size: Largest tile side in input pixels; None: no tiling.
        overlap: Context kept around each core, in input pixels.
        factor: Input pixels per output pixel of a down-scaling network (the
            DSN's scale, the extractor's downscale).
        upscale: Output pixels per input pixel of an up-scaling network;
            ``fn`` must map ``(h, w)`` to ``(h * upscale / factor, ...)``.
        fn: The function to tile; defaults to ``net``.
        blend: Cross-fade tile borders instead of cutting at them.
        device, dtype: Where and in which precision the tiles run (default:
            those of ``x``); ``x`` and the output stay on ``x.device``.
        on_tile: Called with the number of tiles after each tile's output.

    Returns:
        ``(N, C_out, H * upscale / factor, W * upscale / factor)`` on
        ``x.device``: in the compute dtype when the image is one tile, else
        in at least float32 (the accumulation dtype).
    """
    if fn is None and net is None:
        raise ValueError('tiled_forward needs a net or an fn to tile')
    fn = net if fn is None else fn
    dtype = dtype or x.dtype
    height, width = x.shape[-2:]
    if height % factor or width % factor:
        raise ValueError(f'input size {(height, width)} is not a multiple of '
                         f'{factor}')

    def run(tile: Tensor) -> Tensor:
        out = fn(tile.to(device=device or tile.device, dtype=dtype))
        expected = tuple(side * upscale // factor for side in tile.shape[-2:])
        if tuple(out.shape[-2:]) != expected:
            raise ValueError(
                f'a tile of size {tuple(tile.shape[-2:])} gave an output of '
                f'size {tuple(out.shape[-2:])}, expected {expected} (factor '
                f'{factor}, upscale {upscale})')
        return out

    overlap = _round_up(overlap, factor)
    if tile_size is None:
        rows, cols = [(0, height, 0, height)], [(0, width, 0, width)]
    else:
        rows = _spans(height, tile_size, overlap, factor)
        cols = _spans(width, tile_size, overlap, factor)
    tiles = [(r, c) for r in rows for c in cols]
    if len(tiles) == 1:
        out = run(x).to(x.device)
        if on_tile is not None:
            on_tile(1)
        return out

    norms = _FrozenInstanceNorms(net)
    ratio = upscale / factor
    with norms.patched():
        for _ in norms.norms:
            for (iy0, iy1, cy0, cy1), (ix0, ix1, cx0, cx1) in tiles:
                norms.core = (cy0 - iy0, cy1 - iy0, cx0 - ix0, cx1 - ix0,
                              iy1 - iy0, ix1 - ix0)
                try:
                    run(x[..., iy0:iy1, ix0:ix1])
                except _StopForward:
                    continue
                break  # ran to the end: no norm is left to collect for
            if not norms.freeze_collected(dtype):
                break  # the remaining norms are not used by ``fn``

        smallest_core = min(c1 - c0 for _, _, c0, c1 in rows + cols)
        half_width = min(overlap // 2, smallest_core // 2) * ratio \
            if blend else 0
        if half_width:
            row_weights = _blend_weights(rows, ratio, half_width)
            col_weights = _blend_weights(cols, ratio, half_width)
        out = None
        for i, (iy0, iy1, cy0, cy1) in enumerate(rows):
            for j, (ix0, ix1, cx0, cx1) in enumerate(cols):
                tile_out = run(x[..., iy0:iy1, ix0:ix1]).to(x.device)
                if out is None:
                    out = tile_out.new_zeros(
                        tile_out.shape[:2] +
                        (round(height * ratio), round(width * ratio)),
                        dtype=torch.promote_types(tile_out.dtype,
                                                  torch.float32))
                if half_width:
                    weight = (row_weights[i][:, None] *
                              col_weights[j][None, :]).to(out)
                    out[..., round(iy0 * ratio):round(iy1 * ratio),
                        round(ix0 * ratio):round(ix1 * ratio)] += \
                        tile_out * weight
                else:
                    out[...,
                        round(cy0 * ratio):round(cy1 * ratio),
                        round(cx0 * ratio):round(cx1 * ratio)] = tile_out[
                            ...,
                            round((cy0 - iy0) * ratio):round((cy1 - iy0) *
                                                             ratio),
                            round((cx0 - ix0) * ratio):round((cx1 - ix0) *
                                                             ratio)]
                if on_tile is not None:
                    on_tile(len(tiles))
    return out
