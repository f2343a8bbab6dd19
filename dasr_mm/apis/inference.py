"""Super-resolve image files with a trained stage-2 (or mmagic SR) model."""
import os
import os.path as osp
from typing import List, Optional, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.utils import ProgressBar

from dasr_mm.apis.launch import build_model, default_device
from dasr_mm.utils.io import atomic_save_image, list_images, read_rgb


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


@torch.no_grad()
def super_resolve(generator: torch.nn.Module,
                  img_rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB uint8 → (sH, sW, 3) RGB uint8, whole image at once."""
    device = next(generator.parameters()).device
    x = torch.from_numpy(img_rgb).permute(2, 0, 1)[None].float().div(255)
    y = generator(x.to(device)).clamp(0, 1)
    return (y[0].permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8)


def super_resolve_folder(config: Union[str, Config],
                         checkpoint: str,
                         inputs: str,
                         out_dir: str,
                         device: Optional[str] = None,
                         strict: bool = True) -> List[str]:
    """Super-resolve an image file or every image of a folder into
    ``out_dir`` (PNG, same stem); returns the written paths. ``strict``: see
    :func:`build_generator`."""
    names = [osp.basename(inputs)
             ] if osp.isfile(inputs) else list_images(inputs)
    folder = osp.dirname(inputs) if osp.isfile(inputs) else inputs
    if not names:
        raise FileNotFoundError(f'no images found at {inputs}')
    generator = build_generator(config, checkpoint, device, strict=strict)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    progress = ProgressBar(len(names))
    for name in names:
        sr = super_resolve(generator, read_rgb(osp.join(folder, name)))
        path = osp.join(out_dir, osp.splitext(name)[0] + '.png')
        atomic_save_image(path, sr)
        written.append(path)
        progress.update()
    return written
