"""Stage 1 of DASR: train the down-sampling network (DSN) against real LR."""
from typing import Optional, Tuple

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmengine.model import is_model_wrapper
from torch import Tensor

from dasr_mm.models.utils import matlab_bicubic_downsample

from .domain_adversarial_editor import DomainAdversarialEditor


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

    def content_target(
            self, inputs: Tensor,
            data_samples: DataSample) -> Tuple[Tensor, Optional[Tensor]]:
        """``(B(inputs), None)``: (N, 3, P / s, P / s), unweighted."""
        return matlab_bicubic_downsample(inputs, self.scale), None

    def adversarial_pair(self, pred: Tensor,
                         data_samples: DataSample) -> Tuple[Tensor, Tensor]:
        """``(DSN(inputs), real LR gt_img)``."""
        return pred, data_samples.gt_img
