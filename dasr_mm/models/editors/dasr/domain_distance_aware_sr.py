"""Stage 2 of DASR: domain-distance aware training of the SR network."""
from copy import deepcopy
from typing import Optional, Tuple

import torch
from mmagic.models.editors.real_esrgan import RealESRGAN
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from torch import Tensor

from .domain_adversarial_editor import DomainAdversarialEditor

ADV_DOMAINS = ('target', 'source')


@MODELS.register_module()
class DomainDistanceAwareSR(DomainAdversarialEditor):
    """SRN training of DASR (paper §3.3, Eq. 5-6).

    Batch (after ``DataPreprocessor(mean=0, std=255)``):

    - ``inputs``: source LR (N, 3, p, p) in [0, 1] (generated ``y_g``, or
      bicubic ``y_b`` in the Table 2 ablation);
    - ``data_samples.gt_img``: paired HR (N, 3, ps, ps) in [0, 1];
    - ``data_samples.weight``: domain-distance map (N, 1, ps, ps) in [0, 1];
    - ``data_samples.target_img``: real LR (N, 3, p, p) in [0, 1];
    - ``data_samples.target_gt``: unpaired HR (N, 3, ps, ps) in [0, 1].

    Losses (``L_SRN`` of Eq. 6): ``loss_pix = alpha mean(w * |SRN(y) - x|)``,
    ``loss_perceptual = beta mean(w' * |phi(SRN(y)) - phi(x)|)`` (``w'``
    resized to the feature map by the loss), ``loss_gan = gamma
    (-log D_t(H(SRN(y_r))))``; D_t separates ``target_gt`` (real) from
    ``SRN(target_img)`` (fake). Schedule: :class:`DomainAdversarialEditor`.

    ``train_cfg`` switches (Table 2 ablations):

    - ``adv_domain``: ``'target'`` (default, the paper) or ``'source'``
      (D_t separates ``gt_img`` from ``SRN(inputs)``; ``target_img`` and
      ``target_gt`` are then not read).
    - ``use_weights``: True (default) weights the source losses with
      ``data_samples.weight``; False ignores the map (plain L1 /
      perceptual; ``weight`` is then not read).
    - ``joint_generator_pass``: True (default) runs the generator once on
      ``cat([inputs, target_img])`` in the adversarial phase of
      ``adv_domain='target'`` when both have one shape, instead of twice;
      the same outputs for any generator without batch statistics (mmagic's
      RRDBNet, MSRResNet; not for BatchNorm in training mode).

    Args:
        is_use_ema (bool): Keep ``generator_ema`` (frozen copy of the
            generator, updated by mmagic's ``ExponentialMovingAverageHook``
            with ``module_keys='generator_ema'``) and use it for validation
            and testing, as ``RealESRGAN``. Default: False (the paper does
            not use EMA).
        Other arguments: see :class:`DomainAdversarialEditor`.
    """

    TRAIN_CFG_KEYS = DomainAdversarialEditor.TRAIN_CFG_KEYS + (
        'adv_domain', 'use_weights', 'joint_generator_pass')

    def __init__(self,
                 generator: dict,
                 discriminator: dict,
                 gan_loss: dict,
                 pixel_loss: dict,
                 perceptual_loss: Optional[dict] = None,
                 is_use_ema: bool = False,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            gan_loss=gan_loss,
            pixel_loss=pixel_loss,
            perceptual_loss=perceptual_loss,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            data_preprocessor=data_preprocessor)
        train_cfg = self.train_cfg or {}
        self.adv_domain = train_cfg.get('adv_domain', 'target')
        if self.adv_domain not in ADV_DOMAINS:
            raise ValueError(f'train_cfg.adv_domain must be one of '
                             f'{ADV_DOMAINS}, got {self.adv_domain!r}')
        self.use_weights = bool(train_cfg.get('use_weights', True))
        self.joint_generator_pass = bool(
            train_cfg.get('joint_generator_pass', True))

        self.is_use_ema = is_use_ema
        self.generator_ema = deepcopy(
            self.generator).requires_grad_(False) if is_use_ema else None

    # generator_ema for validation / testing when is_use_ema, else generator
    forward_tensor = RealESRGAN.forward_tensor

    def init_weights(self) -> None:
        """Initialise the modules, then start ``generator_ema`` equal to the
        generator (both are re-initialised independently otherwise)."""
        super().init_weights()
        if self.generator_ema is not None:
            self.generator_ema.load_state_dict(self.generator.state_dict())

    def content_target(
            self, inputs: Tensor,
            data_samples: DataSample) -> Tuple[Tensor, Optional[Tensor]]:
        """``(gt_img, weight)``: (N, 3, ps, ps) and (N, 1, ps, ps) or None
        when ``use_weights`` is False."""
        weight = data_samples.weight if self.use_weights else None
        return data_samples.gt_img, weight

    def adversarial_pair(self, pred: Tensor,
                         data_samples: DataSample) -> Tuple[Tensor, Tensor]:
        """Target domain: ``(SRN(target_img), target_gt)``; source domain:
        ``(SRN(inputs), gt_img)``."""
        if self.adv_domain == 'source':
            return pred, data_samples.gt_img
        return (self.forward_train(data_samples.target_img),
                data_samples.target_gt)

    def generate(
        self, inputs: Tensor, data_samples: DataSample, adversarial: bool
    ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
        """As :meth:`DomainAdversarialEditor.generate`; with
        ``joint_generator_pass`` one generator call on the source and target
        LR batches concatenated (same shape required), split afterwards."""
        target_lr = data_samples.target_img if (
            adversarial and self.adv_domain == 'target') else None
        if (not self.joint_generator_pass or target_lr is None
                or target_lr.shape != inputs.shape):
            return super().generate(inputs, data_samples, adversarial)
        pred, fake = self.forward_train(torch.cat([inputs, target_lr
                                                   ])).split(len(inputs))
        return pred, fake, data_samples.target_gt
