"""Super-resolved images against bicubic up-sampling and the HR reference:
per-image metrics, colour casts and side-by-side pictures (bicubic | SR |
HR), the first thing a user looks at after a run."""
import os.path as osp
from dataclasses import asdict, dataclass
from typing import Dict, List

import cv2
import numpy as np
from mmagic.evaluation.metrics import psnr, ssim

from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              list_images, read_rgb)

LABEL_HEIGHT = 30  # two lines of text above each panel


@dataclass
class ImageComparison:
    """Metrics of one validation image (``crop_border`` px ignored).

    Attributes:
        name: File name.
        psnr / ssim: SR against HR, RGB.
        bicubic_psnr / bicubic_ssim: bicubic up-sampling against HR, RGB.
        psnr_y / bicubic_psnr_y: the same on the luma channel.
        colour_cast: per-channel (R, G, B) mean of SR minus HR, in levels of
            255; a cast shows as a large value in one channel.
    """
    name: str
    psnr: float
    ssim: float
    psnr_y: float
    bicubic_psnr: float
    bicubic_ssim: float
    bicubic_psnr_y: float
    colour_cast: List[float]


def _metrics(pred: np.ndarray, ref: np.ndarray, crop: int) -> tuple:
    pred, ref = pred.astype(np.float64), ref.astype(np.float64)
    return (psnr(pred, ref, crop, 'HWC', None, channel_order='rgb'),
            ssim(pred, ref, crop, 'HWC', None, channel_order='rgb'),
            psnr(pred, ref, crop, 'HWC', 'Y', channel_order='rgb'))


def _labelled(img: np.ndarray, *lines: str) -> np.ndarray:
    """``img`` (H, W, 3) RGB uint8 with a black bar of two text lines on
    top."""
    bar = np.zeros((LABEL_HEIGHT, img.shape[1], 3), np.uint8)
    for i, line in enumerate(lines):
        cv2.putText(bar, line, (3, 12 + 14 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    0.38, (255, 255, 255), 1, cv2.LINE_AA)
    return np.concatenate([bar, img], axis=0)


def side_by_side(bicubic: np.ndarray, sr: np.ndarray, hr: np.ndarray,
                 result: ImageComparison) -> np.ndarray:
    """(H + 30, 3W + 8, 3) RGB uint8 sheet: bicubic | SR | HR, labelled with
    their PSNR/SSIM (RGB)."""
    gap = np.full((hr.shape[0] + LABEL_HEIGHT, 4, 3), 255, np.uint8)
    panels = [
        _labelled(bicubic, 'bicubic', f'{result.bicubic_psnr:.2f} dB / '
                  f'{result.bicubic_ssim:.3f}'),
        _labelled(sr, 'SR', f'{result.psnr:.2f} dB / {result.ssim:.3f}'),
        _labelled(hr, 'HR', result.name),
    ]
    return np.concatenate([panels[0], gap, panels[1], gap, panels[2]], 1)


def compare_with_bicubic(lr_dir: str, sr_dir: str, hr_dir: str, out_dir: str,
                         scale: int) -> Dict[str, object]:
    """Compare every SR image of ``sr_dir`` (``<stem>.png``, as
    ``tools/infer.py`` writes) with bicubic up-sampling (OpenCV) of its LR
    partner and with the HR image of the same name.

    Writes ``out_dir/<stem>.png`` side-by-side sheets and
    ``out_dir/comparison.json`` (per-image :class:`ImageComparison` and
    the means), and returns that summary. Metrics ignore ``scale`` border
    pixels, as the configs' validation does.

    Args:
        lr_dir: LR inputs (H, W).
        sr_dir: SR outputs (sH, sW), PNG named after the LR stems.
        hr_dir: HR references (sH, sW), same names as ``lr_dir``.
        out_dir: Where the sheets and the JSON go.
        scale: SR factor.
    """
    results = []
    for name in list_images(hr_dir):
        stem = osp.splitext(name)[0]
        hr = read_rgb(osp.join(hr_dir, name))
        sr = read_rgb(osp.join(sr_dir, stem + '.png'))
        lr = read_rgb(osp.join(lr_dir, name))
        if sr.shape != hr.shape or lr.shape[0] * scale != hr.shape[0]:
            raise ValueError(
                f'{name}: SR {sr.shape[:2]}, LR {lr.shape[:2]} and HR '
                f'{hr.shape[:2]} do not fit scale {scale}')
        bicubic = cv2.resize(lr, hr.shape[1::-1],
                             interpolation=cv2.INTER_CUBIC)
        sr_m, bic_m = _metrics(sr, hr, scale), _metrics(bicubic, hr, scale)
        cast = sr.astype(np.float64).mean((0, 1)) - hr.mean((0, 1))
        result = ImageComparison(name, *sr_m, *bic_m,
                                 [round(float(c), 2) for c in cast])
        atomic_save_image(
            osp.join(out_dir, stem + '.png'),
            side_by_side(bicubic, sr, hr, result))
        results.append(result)
    if not results:
        raise FileNotFoundError(f'no HR images in {hr_dir}')
    summary = {
        key: float(np.mean([getattr(r, key) for r in results]))
        for key in ('psnr', 'ssim', 'psnr_y', 'bicubic_psnr', 'bicubic_ssim',
                    'bicubic_psnr_y')
    }
    summary['max_colour_cast'] = float(
        max(max(abs(c) for c in r.colour_cast) for r in results))
    report = dict(mean=summary, images=[asdict(r) for r in results])
    atomic_save_json(osp.join(out_dir, 'comparison.json'), report)
    return report
