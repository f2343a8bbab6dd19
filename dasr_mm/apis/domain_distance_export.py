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
  padded to a multiple of the extractor's ``downscale`` before D by the
  extractor's own ``pad_to_downscale``, which it applies to an odd size.
  Images smaller than ``scale`` are refused.
* **What D sees.** D is applied to the *uint8-quantised* ``y_g``, i.e. exactly
  the LR image that is saved and that stage 2 trains on.
* **Tiling.** Both networks run on overlapping tiles of ``tile_size`` pixels
  of their input (HR for the DSN, LR for D) with exact tiling
  (:func:`dasr_mm.apis.tiling.tiled_forward`, ``blend=False``): only each
  tile's core is kept, the overlap defaults to the network's receptive-field
  radius, and instance norms get whole-image statistics, so the tiled result
  equals the untiled one up to float rounding. Peak memory is
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
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmagic.registry import HOOKS
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar
from torch import Tensor

from dasr_mm.apis.distributed import (broadcast_from_main,
                                      raise_if_any_rank_failed)
from dasr_mm.apis.launch import build_model, default_device, default_work_dir
from dasr_mm.apis.tiling import (DEFAULT_TILE_SIZE, resolve_overlap,
                                 tiled_forward)
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy, list_images, read_rgb)
from dasr_mm.utils.manifest import (MANIFEST_NAME, ManifestError,
                                    build_manifest, covered_hr_size,
                                    load_manifest, lr_path, map_path)


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
        self.dsn_overlap = self._overlap(dsn, scale, tile_overlap, 'DSN')
        self.d_overlap = self._overlap(discriminator.domain_distance_map,
                                       self.downscale, tile_overlap,
                                       'discriminator')

    def _overlap(self, fn: Callable[[Tensor], Tensor], factor: int,
                 requested: Optional[int], name: str) -> int:
        size = 16 * factor
        probe = torch.zeros(
            1, 3, size, size, device=self.device, dtype=self.dtype)
        return resolve_overlap(
            fn,
            probe,
            tile_size=self.tile_size,
            requested=requested,
            align=factor,
            name=name)

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
        # padded as the extractor pads an odd size itself, so tiles align
        d_input = self.discriminator.extractor.pad_to_downscale(
            lr_u8.to(self.dtype) / 255.)
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
    exports ``images[r::n]`` (so each image is written once) into
    ``out_dir``, which all ranks must share; rank 0 writes the manifests, the
    complete one after every rank has finished its share, and every rank
    returns after that. All ranks must call this function; if one rank's
    share fails, all raise.

    Args:
        dsn: ``(N, 3, H, W)`` in [0, 1] → ``(N, 3, H/scale, W/scale)``. Moved
            to ``device``; evaluated in eval mode (modes restored after).
        discriminator: Has ``domain_distance_map`` (RGB ``(N, 3, h, w)`` →
            ``(N, 1, h/downscale, w/downscale)`` in [0, 1]), ``extractor``
            (with ``downscale``, ``pad_to_downscale()`` and ``config()``)
            and ``receptive_field``.
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
                for path in [lr_path(out_dir, name) for name in stale
                             ] + [map_path(out_dir, name) for name in stale]:
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
        error = None
        try:
            for name in todo:
                lr, weight = exporter(read_rgb(osp.join(hr_dir, name)))
                atomic_save_image(lr_path(out_dir, name), lr)
                atomic_save_npy(map_path(out_dir, name), weight)
                if progress is not None:
                    progress.update()
        except Exception as exc:  # reported to (and raised on) every rank
            error = exc

    # every rank has written its share, or all raise
    raise_if_any_rank_failed(error, f'domain-distance export to {out_dir}')
    manifest['complete'] = True
    missing = broadcast_from_main(
        [name for name in images if not _is_done(out_dir, name)]
        if rank == 0 else None)
    if missing:
        raise RuntimeError(
            f'export files missing in {out_dir} for {len(missing)} images '
            f'(e.g. {missing[:3]}); the folder must be shared by all '
            'processes')
    if rank == 0:
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
    # through the registry: engine (the hook) builds on apis, not the reverse
    hook_cls = HOOKS.get('DomainDistanceMapExportHook')
    settings = hook_cls.settings_in(cfg)
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
            f'no hr_dir: add a {hook_cls.__name__} to the config\'s '
            'custom_hooks or pass hr_dir')
    settings.setdefault('device', default_device())
    return export_from_model(
        build_model(cfg, checkpoint, strict=strict),
        settings.pop('hr_dir'),
        out_dir,
        dsn_checkpoint=osp.abspath(checkpoint),
        **settings)
