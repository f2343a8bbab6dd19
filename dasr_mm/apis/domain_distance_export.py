"""Export of generated LR images and domain-distance maps (between stage 1 and
stage 2, SPEC section 3).

For every HR image ``x`` of ``hr_dir`` (full image, no crops) the export writes
``y_g = DSN(x)`` and ``w = sigmoid(D(H(y_g)))`` in the format of
:mod:`dasr_mm.utils.manifest` (``lr/<stem>.png``, ``maps/<stem>.npy``,
``manifest.json``).

Decisions stage 2 relies on:

* **Image size.** The size contract is stated once, in
  :mod:`dasr_mm.utils.manifest`: the LR image is ``DSN`` of the HR image
  cropped to a multiple of ``scale`` (:func:`covered_hr_size`), and the map
  has one value per ``scale * downscale`` HR block; the LR image is
  replicate-padded to a multiple of the extractor's ``downscale`` before D,
  which is what the extractor itself does with an odd size. Images smaller
  than ``scale`` are refused.
* **What D sees.** D is applied to the *uint8-quantised* ``y_g``, i.e. exactly
  the LR image that is saved and that stage 2 trains on.
* **Tiling.** Both networks run on overlapping tiles of ``tile_size`` pixels
  of their input (HR for the DSN, LR for D); only each tile's centre (core) is
  kept. The overlap defaults to the network's receptive-field radius computed
  by :func:`receptive_radius`, so the tiled result equals the untiled one up
  to float rounding. Instance-norm layers (whose statistics cover the whole
  image) are handled exactly by first accumulating their statistics over the
  tile cores, one pass per layer (see :func:`tiled_forward`). Peak memory is
  ``O(tile_size**2 * C_max)`` for the activations (``C_max``: widest layer)
  plus ``O(H * W)`` for the image and its outputs. Measured on an H100 with
  the paper DSN (64 ch, 23 blocks, x4) and a 64-channel D on a 2040x1356
  image: 4.1 GiB peak untiled, 430 MiB with ``tile_size=512`` (0.18 s vs
  0.32 s per image); a 6000x4000 image takes 690 MiB tiled. In fp32 the
  tiled LR images and maps were bit-identical to the untiled ones; with TF32
  convolutions (PyTorch's default for cuDNN on Ampere and newer) 0.06% of the
  LR values differed by one level and the maps by up to 2e-3, the TF32
  precision: disable TF32 (``torch.backends.cudnn.allow_tf32 = False``) for
  bit-identical results.
"""
import os
import os.path as osp
import warnings
from contextlib import contextmanager
from typing import (Any, Callable, Dict, Iterator, List, Optional, Tuple,
                    Union)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar
from torch import Tensor
from torch.nn.modules.instancenorm import _InstanceNorm
from torch.nn.modules.utils import _pair
from torch.overrides import TorchFunctionMode

from dasr_mm.apis.launch import build_model, default_device, default_work_dir
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy, list_images, read_rgb)
from dasr_mm.utils.manifest import (MANIFEST_NAME, ManifestError,
                                    build_manifest, covered_hr_size,
                                    load_manifest, lr_path, map_path)

DEFAULT_TILE_SIZE = 512
EXPORT_HOOK_TYPE = 'DomainDistanceMapExportHook'


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
                _arg(args, kwargs, 4, 'dilation', 1)
                if func is F.max_pool2d else 1)
        elif func is F.interpolate:
            size_in, size_out = args[0].shape[-2:], out.shape[-2:]
            # two source pixels, or one output pixel when shrinking (covers
            # bilinear, bicubic and antialiased kernels)
            reach = tuple(2 * max(1., i / o)
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
    """Split ``[0, length)`` into cores (multiples of ``align``) that tile it,
    each extended by ``overlap`` on both sides (clipped to the image).

    Returns ``(in_start, in_end, core_start, core_end)`` per tile."""
    if length <= tile_size:
        return [(0, length, 0, length)]
    core = (tile_size - 2 * overlap) // align * align
    if core <= 0:
        raise ValueError(
            f'tile_size {tile_size} leaves no core with an overlap of '
            f'{overlap} px on each side: use tile_size >= '
            f'{2 * overlap + align}')
    spans = []
    for start in range(0, length, core):
        end = min(start + core, length)
        spans.append((max(start - overlap, 0), min(end + overlap, length),
                      start, end))
    return spans


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
    tile) and stops the forward pass.
    """

    def __init__(self, net: nn.Module) -> None:
        self.norms = [
            m for m in net.modules() if isinstance(m, _InstanceNorm) and (
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
        y0, y1, x0, x1 = (
            b // t for b, t in zip(bounds, (tile_h, tile_h, tile_w, tile_w)))
        return x[..., y0:y1, x0:x1]

    def _forward(self, norm: nn.Module, x: Tensor) -> Tensor:
        if norm in self.stats:
            mean, var = self.stats[norm]
            shape = x.shape[:2] + (1, ) * (x.dim() - 2)
            out = (x - mean.view(shape)) / torch.sqrt(
                var.view(shape) + norm.eps)
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


def tiled_forward(net: nn.Module,
                  x: Tensor,
                  *,
                  factor: int,
                  tile_size: Optional[int],
                  overlap: int,
                  fn: Optional[Callable[[Tensor], Tensor]] = None) -> Tensor:
    """Apply ``fn`` (default ``net``) to ``x`` tile by tile.

    The image is split into cores that are multiples of ``factor``; each core
    is extended by ``overlap`` pixels (rounded up to a multiple of ``factor``)
    and run alone, and the output of the core is kept. With ``overlap`` at
    least :func:`receptive_radius` the result equals ``fn(x)``. Instance norms
    of ``net`` that normalise by input statistics are given the statistics of
    the whole image, accumulated over the cores in one extra pass per norm
    (passes stop at the norm they collect for).

    Memory: ``O(tile_size**2 * C_max)`` for the activations of one tile, plus
    the output.

    Args:
        net: The module ``fn`` belongs to (its instance norms are patched).
        x: ``(N, C, H, W)``, ``H`` and ``W`` multiples of ``factor``.
        factor: Input pixels per output pixel (the DSN's scale, the
            extractor's downscale); ``fn`` must map ``(h, w)`` to
            ``(h / factor, w / factor)``.
        tile_size: Largest tile side in input pixels; None: no tiling.
        overlap: Context kept around each core, in input pixels.
        fn: The function to tile; defaults to ``net``.

    Returns:
        ``(N, C_out, H / factor, W / factor)``.
    """
    fn = net if fn is None else fn
    height, width = x.shape[-2:]
    if height % factor or width % factor:
        raise ValueError(f'input size {(height, width)} is not a multiple of '
                         f'{factor}')
    if tile_size is None:
        return fn(x)
    overlap = _round_up(overlap, factor)
    tiles = [(ys, xs) for ys in _spans(height, tile_size, overlap, factor)
             for xs in _spans(width, tile_size, overlap, factor)]
    if len(tiles) == 1:
        return fn(x)

    norms = _FrozenInstanceNorms(net)
    with norms.patched():
        for _ in norms.norms:
            for (iy0, iy1, cy0, cy1), (ix0, ix1, cx0, cx1) in tiles:
                norms.core = (cy0 - iy0, cy1 - iy0, cx0 - ix0, cx1 - ix0,
                              iy1 - iy0, ix1 - ix0)
                try:
                    fn(x[..., iy0:iy1, ix0:ix1])
                except _StopForward:
                    continue
                break  # ran to the end: no norm is left to collect for
            if not norms.freeze_collected(x.dtype):
                break  # the remaining norms are not used by ``fn``

        out = None
        for (iy0, iy1, cy0, cy1), (ix0, ix1, cx0, cx1) in tiles:
            tile_out = fn(x[..., iy0:iy1, ix0:ix1])
            expected = ((iy1 - iy0) // factor, (ix1 - ix0) // factor)
            if tuple(tile_out.shape[-2:]) != expected:
                raise ValueError(
                    f'a tile of size {(iy1 - iy0, ix1 - ix0)} gave an output '
                    f'of size {tuple(tile_out.shape[-2:])}, expected '
                    f'{expected} (factor {factor})')
            if out is None:
                out = tile_out.new_empty(tile_out.shape[:2] +
                                         (height // factor, width // factor))
            f = factor
            out[..., cy0 // f:cy1 // f, cx0 // f:cx1 // f] = tile_out[
                ..., (cy0 - iy0) // f:(cy1 - iy0) // f,
                (cx0 - ix0) // f:(cx1 - ix0) // f]
    return out


# --------------------------------------------------------------------------
# maps
# --------------------------------------------------------------------------
def rf_average_map(weight: Tensor, receptive_field: int) -> Tensor:
    """Spread every patch score over its receptive-field window and average
    the overlapping contributions (the authors' ``getWeights``), SPEC §3.

    Score ``i`` covers ``[i - rf // 2, i - rf // 2 + rf)`` on the map grid;
    each location gets the mean of the scores whose windows cover it (fewer
    at the borders), so a constant map stays constant.

    Args:
        weight: ``(h, w)`` map.
        receptive_field: Window side ``rf`` on the map grid.

    Returns:
        ``(h, w)`` averaged map.
    """
    after = receptive_field // 2
    before = receptive_field - 1 - after
    pad = (before, after, before, after)
    x = weight[None, None]
    total = F.avg_pool2d(F.pad(x, pad), receptive_field, stride=1)
    count = F.avg_pool2d(
        F.pad(torch.ones_like(x), pad), receptive_field, stride=1)
    return (total / count)[0, 0]


class _Exporter:
    """Runs DSN and D on one image at a time (both in eval mode)."""

    def __init__(self, dsn: nn.Module, discriminator: nn.Module, scale: int,
                 tile_size: Optional[int], tile_overlap: Optional[int],
                 rf_average: bool, device: torch.device) -> None:
        self.dsn, self.discriminator = dsn, discriminator
        self.scale = scale
        self.downscale = discriminator.extractor.downscale
        self.tile_size, self.rf_average = tile_size, rf_average
        self.device = device
        self.dtype = next(dsn.parameters()).dtype
        self.dsn_overlap = self._overlap(dsn, dsn, scale, tile_overlap, 'DSN')
        self.d_overlap = self._overlap(discriminator,
                                       discriminator.domain_distance_map,
                                       self.downscale, tile_overlap,
                                       'discriminator')

    def _overlap(self, net: nn.Module, fn: Callable[[Tensor], Tensor],
                 factor: int, requested: Optional[int], name: str) -> int:
        size = 16 * factor
        probe = torch.zeros(
            1, 3, size, size, device=self.device, dtype=self.dtype)
        radius = receptive_radius(fn, probe)
        if requested is not None and requested < radius:
            warnings.warn(
                f'tile_overlap={requested} is below the receptive-field '
                f'radius of the {name} ({radius} px): tiled results will '
                'differ from untiled ones')
        overlap = radius if requested is None else requested
        smallest = 2 * _round_up(overlap, factor) + factor
        if self.tile_size is not None and self.tile_size < smallest:
            raise ValueError(
                f'tile_size={self.tile_size} leaves no room inside a tile of '
                f'the {name} after {overlap} px of context on each side: use '
                f'tile_size >= {smallest}, or None (no tiling)')
        return overlap

    def __call__(self, hr: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """``hr``: (H, W, 3) RGB uint8 → LR (H // s, W // s, 3) RGB uint8 and
        the map (ceil(H // s / d), ceil(W // s / d)) float16 in [0, 1]
        (``s`` scale, ``d`` extractor downscale)."""
        height, width = covered_hr_size(hr.shape[:2], self.scale)
        if height == 0 or width == 0:
            raise ValueError(f'image of size {hr.shape[:2]} is smaller than '
                             f'the scale {self.scale}')
        x = torch.from_numpy(np.ascontiguousarray(hr[:height, :width]))
        x = x.permute(2, 0, 1)[None].to(self.device, self.dtype) / 255.
        lr = tiled_forward(
            self.dsn,
            x,
            factor=self.scale,
            tile_size=self.tile_size,
            overlap=self.dsn_overlap)
        lr_u8 = (lr.clamp(0, 1) * 255.).round().to(torch.uint8)
        d_input = lr_u8.to(self.dtype) / 255.
        pad_h, pad_w = (-side % self.downscale for side in d_input.shape[-2:])
        if pad_h or pad_w:  # as the extractor pads an odd size itself
            d_input = F.pad(d_input, (0, pad_w, 0, pad_h), mode='replicate')
        weight = tiled_forward(
            self.discriminator,
            d_input,
            factor=self.downscale,
            tile_size=self.tile_size,
            overlap=self.d_overlap,
            fn=self.discriminator.domain_distance_map)[0, 0]
        if self.rf_average:
            weight = rf_average_map(weight, self.discriminator.receptive_field)
        return (lr_u8[0].permute(1, 2, 0).cpu().numpy(),
                weight.float().cpu().numpy().astype(np.float16))


@contextmanager
def _eval_mode(*nets: nn.Module) -> Iterator[None]:
    """Put ``nets`` in eval mode; restore every submodule's mode after."""
    modes = [(m, m.training) for net in nets for m in net.modules()]
    for net in nets:
        net.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------
def _is_done(out_dir: str, name: str) -> bool:
    return osp.isfile(lr_path(out_dir, name)) and osp.isfile(
        map_path(out_dir, name))


def _differences(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
    """Manifest entries (all but ``complete``) that differ, described."""
    problems = []
    for key in sorted(set(old) | set(new)):
        if key == 'complete' or old.get(key) == new.get(key):
            continue
        if key == 'images':
            old_images, new_images = set(old.get(key, [])), set(new[key])
            problems.append(f'images: {len(new_images - old_images)} new, '
                            f'{len(old_images - new_images)} gone')
        else:
            problems.append(f'{key}: {old.get(key)!r} -> {new.get(key)!r}')
    return problems


def export_domain_distance_maps(dsn: nn.Module,
                                discriminator: nn.Module,
                                hr_dir: str,
                                out_dir: str,
                                *,
                                scale: int,
                                dsn_checkpoint: Optional[str] = None,
                                tile_size: Optional[int] = DEFAULT_TILE_SIZE,
                                tile_overlap: Optional[int] = None,
                                rf_average: bool = False,
                                overwrite: bool = False,
                                device: Union[str, torch.device, None] = None,
                                show_progress: bool = True) -> Dict[str, Any]:
    """Write generated LR images, domain-distance maps and the manifest for
    every image of ``hr_dir`` (see the module docstring for sizes).

    Resumable and atomic: ``manifest.json`` is written with ``complete=False``
    first; files are written atomically, so an interrupted export is resumed
    by calling again with the same arguments (images whose LR and map both
    exist are skipped). A complete export with the same manifest entries
    (DSN checkpoint, extractor config, scale, rf_average, image list, hr_dir)
    is returned without recomputation; an export with other entries raises
    :class:`ManifestError` unless ``overwrite`` (then its files are replaced).
    ``dsn_checkpoint`` is what tells DSN weights apart: pass it.

    Distributed: with ``torch.distributed`` initialised, rank ``r`` of ``n``
    exports ``images[r::n]`` and rank 0 writes the manifests; all ranks must
    call this function.

    Args:
        dsn: ``(N, 3, H, W)`` in [0, 1] → ``(N, 3, H/scale, W/scale)``. Moved
            to ``device``; evaluated in eval mode (modes restored after).
        discriminator: Has ``domain_distance_map`` (RGB ``(N, 3, h, w)`` →
            ``(N, 1, h/downscale, w/downscale)`` in [0, 1]), ``extractor``
            (with ``downscale`` and ``config()``) and ``receptive_field``.
        hr_dir: Folder of HR images (every image directly inside it).
        out_dir: Export folder.
        scale: Down-sampling factor of the DSN.
        dsn_checkpoint: Checkpoint the DSN weights come from (recorded).
        tile_size: Largest tile side in pixels of each network's input (HR
            for the DSN, LR for D); None: whole images. Peak activation
            memory is ``O(tile_size**2 * C_max)``.
        tile_overlap: Context around each tile core in input pixels; None:
            each network's receptive-field radius (exact tiling).
        rf_average: Average the map over receptive-field windows
            (:func:`rf_average_map`).
        overwrite: Replace an export made with other parameters.
        device: Where to run; None: the DSN's device.
        show_progress: Progress bar on rank 0.

    Returns:
        The manifest (``complete=True``).
    """
    images = list_images(hr_dir)
    if not images:
        raise ValueError(f'no images in {hr_dir}')
    manifest = build_manifest(
        dsn_checkpoint=dsn_checkpoint,
        extractor=discriminator.extractor.config(),
        scale=scale,
        map_stride=scale * discriminator.extractor.downscale,
        images=images,
        hr_dir=hr_dir,
        rf_average=rf_average,
        complete=False)
    manifest_file = osp.join(out_dir, MANIFEST_NAME)
    previous = load_manifest(out_dir) if osp.isfile(manifest_file) else None
    changes = [] if previous is None else _differences(previous, manifest)
    if changes and not overwrite:
        raise ManifestError(
            f'{out_dir} holds an export made with other parameters '
            f'({"; ".join(changes)}). Pass overwrite=True (--overwrite) to '
            'replace it, or export to another folder.')
    resume = previous is not None and not changes
    if resume and previous['complete'] and all(
            _is_done(out_dir, name) for name in images):
        print_log(f'domain-distance export in {out_dir} is complete',
                  'current')
        return previous

    device = torch.device(device) if device is not None else next(
        dsn.parameters()).device
    dsn.to(device)
    discriminator.to(device)
    rank, world_size = get_dist_info()
    with torch.no_grad(), _eval_mode(dsn, discriminator):
        # probes both networks and checks the tile size before any writing
        exporter = _Exporter(dsn, discriminator, scale, tile_size,
                             tile_overlap, rf_average, device)
        barrier()  # every rank has read the previous manifest
        if rank == 0:
            if changes:
                stale = set(previous.get('images', [])) | set(images)
                for path in [lr_path(out_dir, name) for name in stale] + [
                        map_path(out_dir, name) for name in stale]:
                    if osp.isfile(path):
                        os.remove(path)
            atomic_save_json(manifest_file, manifest)
        barrier()

        todo = [
            name for name in images[rank::world_size]
            if not (resume and _is_done(out_dir, name))
        ]
        progress = ProgressBar(
            len(todo)) if show_progress and rank == 0 else None
        for name in todo:
            lr, weight = exporter(read_rgb(osp.join(hr_dir, name)))
            atomic_save_image(lr_path(out_dir, name), lr)
            atomic_save_npy(map_path(out_dir, name), weight)
            if progress is not None:
                progress.update()

    barrier()  # every rank has written its share
    manifest['complete'] = True
    if rank == 0:
        missing = [name for name in images if not _is_done(out_dir, name)]
        if missing:
            raise RuntimeError(f'export files missing for {missing[:3]}')
        atomic_save_json(manifest_file, manifest)
    barrier()
    return manifest


def default_export_dir(work_dir: str) -> str:
    """Where a stage-1 run exports by default: ``<work_dir>/export``."""
    return osp.join(work_dir, 'export')


def export_from_model(model: nn.Module, hr_dir: str, out_dir: str,
                      **kwargs: Any) -> Dict[str, Any]:
    """Export with the DSN (``model.generator``) and discriminator
    (``model.discriminator``) of a stage-1 model; the model and its parts may
    be wrapped (DDP, mmengine's separate DDP). The scale is
    ``generator.scale``. ``kwargs`` go to
    :func:`export_domain_distance_maps`."""
    if is_model_wrapper(model):
        model = model.module
    dsn, discriminator = (
        m.module if is_model_wrapper(m) else m
        for m in (model.generator, model.discriminator))
    return export_domain_distance_maps(
        dsn, discriminator, hr_dir, out_dir, scale=dsn.scale, **kwargs)


def _export_hook_settings(cfg: Config) -> Dict[str, Any]:
    """Arguments of the export hook in ``cfg.custom_hooks`` (empty if none)."""
    for hook in cfg.get('custom_hooks', None) or []:
        hook_type = hook.get('type')
        name = hook_type if isinstance(hook_type, str) else getattr(
            hook_type, '__name__', '')
        if name.split('.')[-1] == EXPORT_HOOK_TYPE:
            settings = dict(hook)
            settings.pop('type')
            settings.pop('priority', None)
            return settings
    return {}


def export_from_config(config: Union[str, Config],
                       checkpoint: str,
                       out_dir: Optional[str] = None,
                       strict: bool = True,
                       **kwargs: Any) -> Dict[str, Any]:
    """Export with a stage-1 model built from a config and a checkpoint.

    The export settings (``hr_dir``, ``out_dir``, ``tile_size``,
    ``tile_overlap``, ``rf_average``, ``overwrite``) come from the config's
    ``DomainDistanceMapExportHook`` entry in ``custom_hooks``; ``out_dir`` and
    ``kwargs`` that are not None override them. Without an ``out_dir`` the
    export goes to ``<work_dir>/export`` (``work_dir`` from the config, else
    ``./work_dirs/<config name>`` as in ``tools/train.py``). ``device``
    defaults to CUDA when available.

    Args:
        config: Path of a stage-1 config, or the loaded config.
        checkpoint: Checkpoint of that model (recorded in the manifest as an
            absolute path, as the export hook records it).
        out_dir: Export folder.
        strict: The checkpoint must hold exactly the config model's weights
            (else ``CheckpointMismatchError`` lists the differences);
            False loads the matching part and logs the rest.
        **kwargs: Overrides of the hook settings, plus ``device`` and
            ``show_progress``.

    Returns:
        The manifest of the complete export.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    settings = _export_hook_settings(cfg)
    settings.update({k: v for k, v in kwargs.items() if v is not None})
    hook_out_dir = settings.pop('out_dir', None)
    out_dir = out_dir or hook_out_dir
    if out_dir is None:
        work_dir = cfg.get('work_dir', None)
        if work_dir is None and cfg.filename:
            work_dir = default_work_dir(cfg.filename)
        if work_dir is None:
            raise ValueError('no out_dir given and the config has no '
                             'work_dir or file name to derive one from')
        out_dir = default_export_dir(work_dir)
    if settings.get('hr_dir') is None:
        raise ValueError(
            f'no hr_dir: add a {EXPORT_HOOK_TYPE} to the config\'s '
            'custom_hooks or pass hr_dir')
    settings.setdefault('device', default_device())
    return export_from_model(
        build_model(cfg, checkpoint, strict=strict),
        settings.pop('hr_dir'),
        out_dir,
        dsn_checkpoint=osp.abspath(checkpoint),
        **settings)
