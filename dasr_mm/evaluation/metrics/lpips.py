"""LPIPS (Zhang et al., CVPR 2018), the paper's primary metric, as an mmagic
metric: AlexNet features with the v0.1 linear heads of the ``lpips``
package, as in the DASR paper and the authors' evaluation."""
import logging
from typing import Optional

import torch
from mmengine.logging import print_log

from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.registry import METRICS
from dasr_mm.utils.lpips_network import (ALEXNET_WEIGHTS_FILE,
                                         LPIPS_HEADS_FILE, build_lpips_alex)
from dasr_mm.utils.pretrained_weights import resolve_torchvision_weights

__all__ = ['ALEXNET_WEIGHTS_FILE', 'LPIPS_HEADS_FILE', 'LPIPS',
           'build_lpips_alex']


@METRICS.register_module()
class LPIPS(BaseSampleWiseMetric):
    """Learned Perceptual Image Patch Similarity (lower = more similar).

    Receives what mmagic metrics receive: ``gt_img`` and ``pred_img`` of a
    data sample, (3, H, W) tensors in [0, 255] in ``channel_order`` (mmagic's
    editors hand metrics BGR). Images are cropped by ``crop_border`` on every
    side, turned to RGB in [-1, 1] and compared by the LPIPS v0.1 AlexNet
    network; the metric is the mean over images.

    Args:
        pretrained: the ImageNet AlexNet trunk: ``'torchvision'``
            (``alexnet-owt-7be5be79.pth`` in torchvision's cache,
            ``<TORCH_HOME>/hub/checkpoints``), a path to that file, or None
            for a RANDOM trunk (only when a config
            asks for it; the metric is then named ``LPIPS(random-alex)`` in
            every log and JSON, since it is not the paper's number). A missing
            file raises ``FileNotFoundError`` saying where to put it.
        random_seed: seed of the random trunk (``pretrained=None``): fixed,
            so that ``LPIPS(random-alex)`` of two runs or two models uses
            the same trunk and the numbers compare; the global RNG is left
            as it was.
        crop_border: pixels cut from each side before comparison.
        channel_order: ``'BGR'`` (mmagic's evaluators) or ``'RGB'``.
        gt_key, pred_key, collect_device, prefix: as mmagic's PSNR.
        device: where the network runs (``'cpu'``, ``'cuda'``).
    """

    metric = 'LPIPS'

    def __init__(self,
                 pretrained: Optional[str] = 'torchvision',
                 random_seed: int = 0,
                 crop_border: int = 0,
                 channel_order: str = 'BGR',
                 gt_key: str = 'gt_img',
                 pred_key: str = 'pred_img',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 device: str = 'cpu') -> None:
        super().__init__(
            gt_key=gt_key,
            pred_key=pred_key,
            device=device,
            collect_device=collect_device,
            prefix=prefix)
        if channel_order.upper() not in ('RGB', 'BGR'):
            raise ValueError("LPIPS channel_order must be 'RGB' or 'BGR', "
                             f'got {channel_order!r}')
        self.channel_order = channel_order.upper()
        self.crop_border = crop_border
        path = resolve_torchvision_weights(pretrained, ALEXNET_WEIGHTS_FILE)
        if path is None:
            self.metric = 'LPIPS(random-alex)'
            print_log(
                'LPIPS: pretrained=None, the AlexNet trunk has RANDOM '
                'weights; results are reported as LPIPS(random-alex) and are '
                "not comparable with the paper's LPIPS.",
                logger='current',
                level=logging.WARNING)
            self.net = build_lpips_alex(None, random_seed).to(device)
        else:
            self.net = build_lpips_alex(path).to(device)

    def to_network_input(self, img: torch.Tensor) -> torch.Tensor:
        """(3, H, W) in [0, 255], ``channel_order`` → (1, 3, H', W') RGB in
        [-1, 1], cropped by ``crop_border``."""
        if img.ndim != 3 or img.shape[0] != 3:
            raise ValueError(
                f'LPIPS expects (3, H, W) images, got {tuple(img.shape)}')
        c = self.crop_border
        if c:
            img = img[:, c:-c, c:-c]
        if self.channel_order == 'BGR':
            img = img.flip(0)
        return (img.float().to(self.device) / 127.5 - 1).unsqueeze(0)

    def process_image(self, gt: torch.Tensor, pred: torch.Tensor,
                      mask: torch.Tensor) -> float:
        """LPIPS of one (3, H, W) pair in [0, 255]; ``mask`` is ignored."""
        if gt.shape != pred.shape:
            raise ValueError('LPIPS: image shapes differ, gt '
                             f'{tuple(gt.shape)} vs pred {tuple(pred.shape)}')
        with torch.no_grad():
            return float(
                self.net(self.to_network_input(gt),
                         self.to_network_input(pred)).item())
