"""Stage 1 of DASR: train the down-sampling network (DSN) against real LR."""
from typing import Optional, Tuple

import torch
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.model import is_model_wrapper
from resize_right import resize
from torch import Tensor

from .domain_adversarial_editor import DomainAdversarialEditor


def matlab_bicubic_downsample(x: Tensor, scale: int) -> Tensor:
    """MATLAB ``imresize(x, 1/scale)`` (bicubic, antialiased) in torch.

    ``resize_right`` reproduces MATLAB's antialiased cubic kernel; MATLAB pads
    borders symmetrically (edge pixel repeated), which ``torch`` padding does
    not offer, so the input is padded symmetrically by ``2 * scale`` pixels
    (the half support of the widened kernel) and the 2 extra output pixels
    per side are cropped. This matches mmagic's numpy ``MATLABLikeResize`` to
    float precision.

    Args:
        x (Tensor): (N, C, H, W), H and W >= 2 * scale.
        scale (int): Integer down-sampling factor; 1 returns ``x``.

    Returns:
        Tensor: (N, C, ceil(H / scale), ceil(W / scale)).
    """
    if scale == 1:
        return x
    pad = 2 * scale
    x = torch.cat([x[..., :pad].flip(-1), x, x[..., -pad:].flip(-1)], -1)
    x = torch.cat(
        [x[..., :pad, :].flip(-2), x, x[..., -pad:, :].flip(-2)], -2)
    return resize(x, scale_factors=1 / scale)[..., 2:-2, 2:-2]


@MODELS.register_module()
class DownSamplingGAN(DomainAdversarialEditor):
    """DSN training of DASR (paper §3.2, Eq. 1-4).

    Batch (after ``DataPreprocessor(mean=0, std=255)``): ``inputs`` are HR
    crops (N, 3, P, P) in [0, 1]; ``data_samples.gt_img`` are *unpaired*
    real-LR crops (N, 3, P / s, P / s) in [0, 1], the real samples of D.

    - ``y_b = B(inputs)``: MATLAB bicubic down-sampling by the DSN's
      ``scale`` (:func:`matlab_bicubic_downsample`).
    - ``pred = DSN(inputs)``; ``loss_pix = pixel_loss(pred, y_b)`` (alpha
      L_con), ``loss_perceptual = perceptual_loss(pred, y_b)`` (beta L_per).
    - D separates ``gt_img`` (real) from ``pred`` (fake) on its
      high-frequency extractor output; ``loss_gan`` is gamma L^G_adv.

    The schedule (pre-training, D step then G step on recomputed D) is
    :class:`DomainAdversarialEditor`'s. Validation and testing run
    ``DSN(inputs)`` (BaseEditModel), so with HR as ``img`` and the real LR as
    ``gt`` the metrics compare generated with real LR (paper Table 1).

    Arguments: see :class:`DomainAdversarialEditor`; the built generator
    must have a ``scale`` attribute (``DownSamplingNetwork``).
    """

    @property
    def scale(self) -> int:
        """Down-sampling factor of the DSN (also behind a DDP wrapper)."""
        generator = self.generator.module if is_model_wrapper(
            self.generator) else self.generator
        return int(generator.scale)

    def content_target(self, inputs: Tensor, data_samples: DataSample
                       ) -> Tuple[Tensor, Optional[Tensor]]:
        """``(B(inputs), None)``: (N, 3, P / s, P / s), unweighted."""
        return matlab_bicubic_downsample(inputs, self.scale), None

    def adversarial_pair(self, pred: Tensor,
                         data_samples: DataSample) -> Tuple[Tensor, Tensor]:
        """``(DSN(inputs), real LR gt_img)``."""
        return pred, data_samples.gt_img
