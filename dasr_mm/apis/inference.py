"""Super-resolve real photos of any size with a trained stage-2 (or any
mmagic SR) model.

What a photo is given back as:

* **Channels.** Grayscale in, grayscale out (the network sees the gray
  value on all three channels; the output is converted back with OpenCV's
  BT.601 luma); RGB in, RGB out; RGBA in, RGBA out, the alpha channel
  up-sampled separately with bicubic interpolation.
* **Depth.** 8-bit in, 8-bit out; 16-bit in, 16-bit out (the network runs on
  ``value / 65535``).
* **Orientation.** An EXIF orientation tag is applied on reading (the
  output is upright and carries no tag), as photo viewers show the image.
* **Size.** The network runs on tiles (:mod:`dasr_mm.apis.tiling`, blended
  borders) of at most ``tile_size`` LR pixels, so its activations are bounded
  by the tile; only the image, its output and the blend buffer (float32) are
  full-size. Inside a tile, the high-resolution tail of a known network
  (mmagic's RRDBNet, MSRResNet) runs on small exact tiles of its features
  (:mod:`dasr_mm.apis.sr_stages`): its 4x-size feature maps no longer bound
  the memory; such networks also run in channels-last memory. On our CPU
  256-px tiles this way are faster than the network's own whole-image
  forward (``benchmarks/inference.py``). An image whose sides are not
  multiples of a pixel-unshuffling network's alignment (RRDBNet x2: 2, x1:
  4) is padded by replication and the output cropped. ``outscale`` resizes
  the result (Lanczos) to ``outscale`` times the input size, as
  Real-ESRGAN's ``--outscale``.
* **Precision.** ``half=True`` runs fp16 on CUDA and bf16 on a CPU with
  native bf16 (AVX512-BF16 / AMX: 3.5x the fp32 throughput on our Xeon);
  elsewhere it stays fp32 with a warning: on an AVX2 CPU emulated bf16 was
  over 60x slower (``benchmarks/inference.py --half``). Blending and the
  output stay float32.

Every output is written as PNG (lossless, holds 16 bits and alpha) under the
input's relative path with the stem kept. Files that cannot be read are
reported and skipped; the result lists them.
"""
import logging
import os
import os.path as osp
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, List, Optional, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import print_log
from PIL import Image
from torch import Tensor
from tqdm import tqdm

from dasr_mm.apis.launch import build_model, default_device
from dasr_mm.apis.sr_stages import (SRStages, forward_with_tiled_tail,
                                    split_sr_generator)
from dasr_mm.apis.tiling import resolve_overlap, tiled_forward
from dasr_mm.utils.io import IMAGE_EXTENSIONS, atomic_path, list_images

DEFAULT_SR_TILE_SIZE = 256
DEFAULT_SR_TILE_OVERLAP = 16
_EXIF_ORIENTATION = 0x0112
_MAX_VALUE = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}


@dataclass
class SRFolderResult:
    """What :func:`super_resolve_folder` did: the written files and, for
    every input that could not be read, ``(path, reason)``."""
    written: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)


def build_generator(config: Union[str, Config],
                    checkpoint: str,
                    device: Optional[str] = None,
                    strict: bool = True) -> torch.nn.Module:
    """The config's generator with the checkpoint's weights (the EMA copy
    when the model trained one), in eval mode on ``device``. ``strict``: the
    checkpoint must match the config's whole model (see
    :func:`~dasr_mm.apis.launch.build_model`)."""
    model = build_model(config, checkpoint, strict=strict)
    generator = getattr(model, 'generator_ema', None) if getattr(
        model, 'is_use_ema', False) else None
    generator = generator or model.generator
    device = device or default_device()
    return generator.to(device).eval()


# --------------------------------------------------------------------------
# image files
# --------------------------------------------------------------------------
def _apply_exif_orientation(img: np.ndarray, orientation: int) -> np.ndarray:
    """Turn an (H, W[, C]) array as EXIF orientation 1..8 asks."""
    if orientation in (5, 6, 7, 8):  # a quarter turn: swap height and width
        img = np.swapaxes(img, 0, 1)
        orientation = {5: 1, 6: 2, 7: 3, 8: 4}[orientation]
    if orientation in (2, 3):
        img = img[:, ::-1]
    if orientation in (3, 4):
        img = img[::-1]
    return np.ascontiguousarray(img)


def _exif_orientation(path: str) -> int:
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(_EXIF_ORIENTATION, 1))
    except (OSError, ValueError, TypeError):  # no tag PIL can read
        return 1


def read_image(path: str) -> np.ndarray:
    """Read an image file as it is: (H, W) gray, (H, W, 3) RGB or
    (H, W, 4) RGBA, uint8 or uint16, turned upright by its EXIF orientation.

    Raises:
        OSError: The file cannot be decoded, or holds another sample type
            (e.g. float) or channel count.
    """
    img = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise OSError(f'could not read image {path}')
    if img.dtype not in _MAX_VALUE:
        raise OSError(f'{path}: {img.dtype} samples are not supported '
                      '(8- or 16-bit integer images only)')
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 3:
        if img.shape[2] not in (3, 4):
            raise OSError(f'{path}: {img.shape[2]} channels are not '
                          'supported (gray, RGB or RGBA only)')
        img = cv2.cvtColor(
            img,
            cv2.COLOR_BGR2RGB if img.shape[2] == 3 else cv2.COLOR_BGRA2RGBA)
    return _apply_exif_orientation(img, _exif_orientation(path))


def write_image(path: str, img: np.ndarray) -> None:
    """Write an array of :func:`read_image`'s kinds atomically (PNG for a
    ``.png`` path)."""
    if img.ndim == 3:
        img = cv2.cvtColor(
            img,
            cv2.COLOR_RGB2BGR if img.shape[2] == 3 else cv2.COLOR_RGBA2BGRA)
    with atomic_path(path) as tmp:
        if not cv2.imwrite(tmp, img):
            raise OSError(f'could not write image {path}')


def _find_images(inputs: str, recursive: bool) -> Tuple[str, List[str]]:
    """``(folder, relative paths)`` of the images to process."""
    if osp.isfile(inputs):
        return osp.dirname(inputs), [osp.basename(inputs)]
    if not osp.isdir(inputs):
        raise FileNotFoundError(f'no images found at {inputs}: no such file '
                                'or folder')
    if not recursive:
        return inputs, list_images(inputs)
    names = []
    for root, dirs, files in os.walk(inputs):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        names += [
            osp.relpath(osp.join(root, f), inputs) for f in files
            if f.lower().endswith(IMAGE_EXTENSIONS) and not f.startswith('.')
        ]
    return inputs, sorted(names)


def _output_paths(names: List[str], out_dir: str) -> List[str]:
    """``out_dir/<relative dir>/<stem>.png`` per input; two inputs that
    would write the same file are refused."""
    paths = [osp.join(out_dir, osp.splitext(n)[0] + '.png') for n in names]
    seen = {}
    for name, path in zip(names, paths):
        if path in seen:
            raise ValueError(
                f'{seen[path]} and {name} would both be written to {path}: '
                'rename one of them or process them separately')
        seen[path] = name
    return paths


# --------------------------------------------------------------------------
# super-resolution
# --------------------------------------------------------------------------
def cpu_has_fast_bf16() -> bool:
    """Whether oneDNN runs bf16 natively on this CPU (AVX512-BF16 / AMX);
    without, bf16 convolutions are emulated and far slower than fp32
    (``benchmarks/inference.py --half``)."""
    check = getattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported', None)
    return bool(check is not None and check())


def _forward_nhwc(stages: SRStages, x: Tensor) -> Tensor:
    """``forward_with_tiled_tail`` on ``x`` in channels-last layout."""
    return forward_with_tiled_tail(
        stages, x.contiguous(memory_format=torch.channels_last))


class TiledSuperResolver:
    """Applies an SR generator to numpy images of any size, tile by tile.

    Args:
        generator: ``(N, 3, h, w)`` in [0, 1] → ``(N, 3, s*h, s*w)``; its
            scale ``s`` is measured on a probe. Used as it is (device, eval
            mode), converted in place to the compute dtype (and, for the
            networks :func:`split_sr_generator` knows, to channels-last
            memory).
        tile_size: Largest tile side in LR pixels; None: whole images.
        tile_overlap: Context around each tile in LR pixels; None: twice the
            network's receptive-field radius (exact), at most
            :data:`DEFAULT_SR_TILE_OVERLAP` and a quarter of the tile.
        half: Run in half precision: fp16 on CUDA, bf16 on a CPU that runs
            it natively (:func:`cpu_has_fast_bf16`), else fp32 with a
            warning.
        outscale: Final output size as a multiple of the input size (Lanczos
            resize of the SR result); None: the network's scale.
    """

    def __init__(self,
                 generator: torch.nn.Module,
                 tile_size: Optional[int] = DEFAULT_SR_TILE_SIZE,
                 tile_overlap: Optional[int] = None,
                 half: bool = False,
                 outscale: Optional[float] = None) -> None:
        if outscale is not None and not outscale > 0:
            raise ValueError(f'outscale must be > 0, got {outscale!r}')
        if tile_size is not None and tile_size < 1:
            raise ValueError(f'tile_size must be >= 1 or None, got '
                             f'{tile_size!r}')
        self.generator = generator
        self.device = next(generator.parameters()).device
        self.dtype = torch.float32
        if half and self.device.type == 'cuda':
            self.dtype = torch.float16
        elif half and cpu_has_fast_bf16():
            self.dtype = torch.bfloat16
        elif half:
            print_log(
                'half precision ignored: this CPU has no native bf16 (oneDNN '
                'would emulate it, much slower than fp32); running fp32',
                'current',
                level=logging.WARNING)
        generator.to(self.dtype)
        probe = torch.zeros(1, 3, 16, 16, device=self.device, dtype=self.dtype)
        with torch.no_grad():
            self.scale = generator(probe).shape[-1] // 16
            stages = split_sr_generator(generator)
            self.align = 1 if stages is None else stages.align
            self.forward = generator
            if stages is not None:
                # NHWC: 2.2x (bf16) and 1.1x (fp32) the throughput of NCHW
                # on a Xeon with AMX (benchmarks/inference.py, README)
                generator.to(memory_format=torch.channels_last)
                self.forward = partial(_forward_nhwc, stages)
            self.overlap = resolve_overlap(
                self.forward,
                probe,
                tile_size=tile_size,
                requested=tile_overlap,
                blend=True,
                cap=DEFAULT_SR_TILE_OVERLAP if tile_size is None else min(
                    DEFAULT_SR_TILE_OVERLAP, tile_size // 4),
                name='SR network')
        self.tile_size = tile_size
        self.outscale = outscale

    @torch.no_grad()
    def __call__(
            self,
            img: np.ndarray,
            on_tile: Optional[Callable[[int], None]] = None) -> np.ndarray:
        """SR of one image of :func:`read_image`'s kinds: (H, W), (H, W, 3)
        or (H, W, 4), uint8/uint16 → the same kind at ``outscale`` (default
        the network's scale) times the size."""
        max_value = _MAX_VALUE[img.dtype]
        rgb = img if img.ndim == 3 else img[..., None]
        alpha = rgb[..., 3] if rgb.shape[2] == 4 else None
        rgb = rgb[..., :3]
        if rgb.shape[2] == 1:
            rgb = np.repeat(rgb, 3, axis=2)
        x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(
            2, 0, 1)[None].float().div_(max_value)
        height, width = x.shape[-2:]
        # a network that pixel-unshuffles its input needs multiples of it
        x = F.pad(
            x, (0, -width % self.align, 0, -height % self.align),
            mode='replicate')
        y = tiled_forward(
            self.generator,
            x,
            fn=self.forward,
            tile_size=self.tile_size,
            overlap=self.overlap,
            factor=self.align,
            upscale=self.scale * self.align,
            blend=True,
            device=self.device,
            dtype=self.dtype,
            on_tile=on_tile)[..., :height * self.scale, :width * self.scale]
        # one full-size float32 copy at a time (HWC for OpenCV)
        out = y[0].float().clamp_(0, 1).permute(1, 2, 0).contiguous().numpy()
        del y
        if img.ndim == 2:
            out = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        if alpha is not None:
            alpha = cv2.resize(
                alpha.astype(np.float32) / max_value,
                out.shape[1::-1],
                interpolation=cv2.INTER_CUBIC)
            out = np.concatenate((out, alpha[..., None]), axis=2)
        if self.outscale is not None and self.outscale != self.scale:
            size = tuple(
                max(1, round(side * self.outscale))
                for side in img.shape[1::-1])
            out = cv2.resize(out, size, interpolation=cv2.INTER_LANCZOS4)
        np.clip(out, 0, 1, out=out)
        out *= max_value
        return np.round(out, out=out).astype(img.dtype)


def super_resolve(generator: torch.nn.Module, img: np.ndarray,
                  **kwargs) -> np.ndarray:
    """SR of one image (see :class:`TiledSuperResolver` for ``kwargs``):
    (H, W[, 3|4]) uint8/uint16 → the same kind, ``s`` times the size."""
    return TiledSuperResolver(generator, **kwargs)(img)


def super_resolve_folder(config: Union[str, Config],
                         checkpoint: str,
                         inputs: str,
                         out_dir: str,
                         device: Optional[str] = None,
                         strict: bool = True,
                         tile_size: Optional[int] = DEFAULT_SR_TILE_SIZE,
                         tile_overlap: Optional[int] = None,
                         half: bool = False,
                         outscale: Optional[float] = None,
                         recursive: bool = False,
                         show_progress: bool = True) -> SRFolderResult:
    """Super-resolve an image file or every image of a folder into
    ``out_dir`` (PNG, same relative path and stem).

    The model, the inputs and the output names are checked before any
    image is processed; an input that cannot be read is logged, listed in
    the result and skipped.

    Args:
        config, checkpoint: The SR model (its generator is used).
        inputs: An image file or a folder.
        out_dir: Output folder.
        device: Where to run; None: CUDA when available.
        strict: See :func:`build_generator`.
        tile_size, tile_overlap, half, outscale: See
            :class:`TiledSuperResolver`.
        recursive: Also process the images in sub-folders.
        show_progress: Progress bars over images and over the tiles of an
            image that has several.
    """
    folder, names = _find_images(inputs, recursive)
    if not names:
        raise FileNotFoundError(f'no images found at {inputs}')
    outputs = _output_paths(names, out_dir)
    resolver = TiledSuperResolver(
        build_generator(config, checkpoint, device, strict=strict),
        tile_size=tile_size,
        tile_overlap=tile_overlap,
        half=half,
        outscale=outscale)
    os.makedirs(out_dir, exist_ok=True)
    result = SRFolderResult()
    for name, path in tqdm(
            list(zip(names, outputs)),
            desc='images',
            unit='img',
            disable=not show_progress):
        source = osp.join(folder, name)
        try:
            img = read_image(source)
        except OSError as e:
            print_log(
                f'skipped {source}: {e}', 'current', level=logging.WARNING)
            result.failed.append((source, str(e)))
            continue
        with tqdm(
                desc=name, unit='tile', leave=False,
                disable=not show_progress) as tiles:

            def on_tile(count: int) -> None:
                tiles.total = count
                tiles.update()

            sr = resolver(img, on_tile=on_tile)
        write_image(path, sr)
        result.written.append(path)
    return result
