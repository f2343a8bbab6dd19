"""Synthetic degradations that make LR images from HR images (as BasicSR
keeps its degradations in ``basicsr/data/degradations.py``).

:class:`SyntheticCameraDegradation` stands in for an unknown real camera:
the data-root builder (:mod:`dasr_mm.datasets.preparation`) makes the
real-LR domain and the validation LR with it, and ``benchmarks/`` re-applies
it with fresh noise as a calibration.
"""
import math
from dataclasses import dataclass
from typing import Tuple

import cv2
import numpy as np


@dataclass(frozen=True)
class SyntheticCameraDegradation:
    """A fixed "unknown camera": HR RGB uint8 image -> degraded LR image.

    Steps, in order (on float images in [0, 1]):

    1. anisotropic Gaussian blur: standard deviations ``blur_sigmas`` (given
       in LR pixels, i.e. multiplied by ``scale`` on the HR grid) along axes
       rotated by ``blur_angle`` degrees; odd kernel of 3 sigma each side,
       reflected borders;
    2. down-sampling by ``scale`` with area averaging (``cv2.INTER_AREA``,
       pixel centres aligned, so an HR crop at a multiple of ``scale`` matches
       its LR crop exactly); none for ``scale=1``;
    3. signal-dependent noise, the Gaussian approximation of Poisson-Gaussian
       sensor noise: ``y = x + n``, ``n ~ N(0, noise_a * x + noise_b)``,
       independent per pixel and channel, then clipped to [0, 1] and
       rounded to 8 bits;
    4. JPEG compression at ``jpeg_quality`` (``cv2.imencode``), decoded back.

    Deterministic given the random generator passed to :meth:`__call__`.

    Args:
        scale (int): Down-sampling factor (1 keeps the size).
        blur_sigmas (Tuple[float, float]): Blur std along the two kernel axes,
            in LR pixels.
        blur_angle (float): Rotation of the first kernel axis from the image
            x axis, in degrees.
        noise_a (float): Signal-dependent noise variance per unit intensity.
        noise_b (float): Signal-independent noise variance.
        jpeg_quality (int): JPEG quality, 1..100.
    """
    # The defaults are the demo's camera: a lens blur wider than bicubic
    # down-sampling's (2.8 x 1.6 HR px), mild sensor noise (about 2.5 levels
    # of 255 at mid grey) and JPEG 90, a camera at base ISO. Until 2026-12
    # they were (0.5, 0.3), 0.002, 0.0001, 70: noise of about 8 levels, which
    # no deterministic DSN reproduces, dominated the real domain; measured on
    # the demo, even SR trained on pairs from that very camera beat bicubic
    # up-sampling by only 0.25 dB, and every demo model ended level with it.
    scale: int = 4
    blur_sigmas: Tuple[float, float] = (0.7, 0.4)
    blur_angle: float = 30.0
    noise_a: float = 0.0001
    noise_b: float = 0.000005
    jpeg_quality: int = 90

    def __post_init__(self) -> None:
        if not isinstance(self.scale, int) or self.scale < 1:
            raise ValueError(f'scale must be a positive integer, '
                             f'got {self.scale!r}')
        if min(self.blur_sigmas) <= 0:
            raise ValueError(
                f'blur_sigmas must be > 0, got {self.blur_sigmas}')
        if self.noise_a < 0 or self.noise_b < 0:
            raise ValueError('noise_a and noise_b must be >= 0')
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f'jpeg_quality must be in 1..100, '
                             f'got {self.jpeg_quality}')

    def blur_kernel(self) -> np.ndarray:
        """The normalised (K, K) float32 blur kernel on the HR grid."""
        sx, sy = (s * self.scale for s in self.blur_sigmas)
        radius = int(math.ceil(3 * max(sx, sy)))
        theta = math.radians(self.blur_angle)
        rot = np.array([[math.cos(theta), -math.sin(theta)],
                        [math.sin(theta), math.cos(theta)]])
        inv_cov = np.linalg.inv(rot @ np.diag([sx**2, sy**2]) @ rot.T)
        yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
        pts = np.stack([xx, yy], axis=-1).astype(np.float64)
        kernel = np.exp(-0.5 * np.einsum('...i,ij,...j->...', pts, inv_cov,
                                         pts))
        return (kernel / kernel.sum()).astype(np.float32)

    def __call__(self, hr: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
        """Degrade an (H, W, 3) RGB uint8 image, H and W multiples of
        ``scale``, into an (H/scale, W/scale, 3) RGB uint8 image."""
        h, w = hr.shape[:2]
        if hr.dtype != np.uint8 or hr.ndim != 3 or hr.shape[2] != 3:
            raise ValueError(f'expected an (H, W, 3) uint8 image, got '
                             f'{hr.shape} {hr.dtype}')
        if h % self.scale or w % self.scale:
            raise ValueError(f'image size {w}x{h} is not a multiple of scale '
                             f'{self.scale}; crop it first (crop_to_multiple)')
        img = cv2.filter2D(
            hr.astype(np.float32) / 255, -1, self.blur_kernel(),
            borderType=cv2.BORDER_REFLECT_101)
        if self.scale > 1:
            img = cv2.resize(
                img, (w // self.scale, h // self.scale),
                interpolation=cv2.INTER_AREA)
        img = np.clip(img, 0, 1).astype(np.float64)
        img = img + rng.standard_normal(img.shape) * np.sqrt(
            self.noise_a * img + self.noise_b)
        img = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
        ok, buf = cv2.imencode('.jpg', cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise RuntimeError('JPEG encoding failed')
        return cv2.cvtColor(
            cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    def describe(self) -> str:
        """One paragraph for README files."""
        sx, sy = self.blur_sigmas
        return (
            f'anisotropic Gaussian blur (std {sx} x {sy} LR px = '
            f'{sx * self.scale:g} x {sy * self.scale:g} HR px, axes rotated '
            f'by {self.blur_angle:g} deg) -> '
            + (f'x{self.scale} down-sampling by area averaging -> '
               if self.scale > 1 else 'no down-sampling (scale 1) -> ') +
            f'Poisson-Gaussian noise (variance = {self.noise_a:g} * x + '
            f'{self.noise_b:g}, x in [0, 1]) -> JPEG quality '
            f'{self.jpeg_quality} (OpenCV {cv2.__version__}).')


def crop_to_multiple(img: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right border of an (H, W, C) image so that H and W are
    multiples of ``scale``."""
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]
