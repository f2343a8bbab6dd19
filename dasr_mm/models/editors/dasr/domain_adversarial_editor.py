"""Training schedule shared by both DASR editors (abstract, not registered)."""
from typing import Dict, Optional, Tuple

import torch
from mmagic.models.editors.srgan import SRGAN
from mmagic.models.utils import set_requires_grad
from mmagic.structures import DataSample
from mmengine.dist import all_reduce
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from dasr_mm.utils.config_keys import check_keys


class DomainAdversarialEditor(SRGAN):
    """Content-only pre-training, then "D step, then G step on a freshly
    recomputed D" in every iteration.

    Per iteration (``step_counter`` = number of finished iterations):

    - pre-training (``step_counter < train_cfg['pretrain_iters']``): one G
      update with ``loss_pix = pixel_loss(pred, target, weight=weight)``
      only; the discriminator is neither run nor updated. The pixel loss
      keeps its configured ``loss_weight`` (alpha); with Adam a constant loss
      scale does not change the updates.
    - adversarial phase: first one D update (:meth:`d_step_with_optim`,
      mmagic's SRGAN D step) on ``real`` vs ``fake.detach()``
      (``loss_d_real``, ``loss_d_fake``: BCE terms of Eq. 3); then D is
      frozen, recomputed on ``fake`` and G is updated with
      ``loss_pix + loss_perceptual + loss_gan`` where ``loss_gan`` is the
      non-saturating ``-log D(fake)`` (``gan_loss(..., target_is_real=True)``).
      Recomputing D after its update follows SPEC §2 (the released code
      reuses stale D outputs).

    **Non-finite losses never reach the weights:** when the summed loss of
    an optimizer (D: ``loss_d_real + loss_d_fake``; G: its losses) is NaN or
    infinite on any process, that optimizer's step is skipped (its
    gradients are zeroed) and the losses are returned as they are, so
    ``NonFiniteLossHook`` can stop the run and save the weights as they were
    before the bad step. ``step_counter`` still advances with the iteration.

    ``step_counter`` is a *persistent* buffer (SRGAN's is not), so it is saved
    in checkpoints and the phase is right after ``--resume``. Note that
    ``load_from`` a checkpoint of the same editor also restores it.

    Subclasses define :meth:`content_target` (what ``pred`` is compared
    with) and :meth:`adversarial_pair` (what D sees).

    Args:
        generator (dict): Generator config.
        discriminator (dict): Discriminator config (logits map).
        gan_loss (dict): mmagic ``GANLoss`` config; its ``loss_weight`` is
            gamma (applies to G only).
        pixel_loss (dict): Pixel loss config taking
            ``(pred, target, weight=None)``; ``loss_weight`` is alpha.
        perceptual_loss (dict, optional): Loss config taking
            ``(pred, target, weight=None)`` and returning a scalar (e.g.
            ``DomainWeightedPerceptualLoss``); ``loss_weight`` is beta.
        train_cfg (dict, optional): ``pretrain_iters`` (int, default 0) plus
            what subclasses read (:attr:`TRAIN_CFG_KEYS`). SRGAN's
            ``disc_steps`` / ``disc_repeat`` / ``disc_init_steps`` are not
            used. Any other key is an error naming the closest valid one.
        test_cfg (dict, optional): No key is read (:attr:`TEST_CFG_KEYS`);
            a key given is an error.
        init_cfg, data_preprocessor: as in ``BaseEditModel``.
    """

    #: Keys of ``train_cfg`` this editor reads.
    TRAIN_CFG_KEYS = ('pretrain_iters', )
    #: Keys of ``test_cfg`` this editor reads.
    TEST_CFG_KEYS = ()

    def __init__(self,
                 generator: dict,
                 discriminator: dict,
                 gan_loss: dict,
                 pixel_loss: dict,
                 perceptual_loss: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        if discriminator is None or gan_loss is None or pixel_loss is None:
            raise ValueError(f'{type(self).__name__} needs a discriminator, '
                             'a gan_loss and a pixel_loss')
        self.check_cfg_keys(train_cfg, test_cfg)
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
        self.pretrain_iters = int((train_cfg or {}).get('pretrain_iters', 0))
        if self.pretrain_iters < 0:
            raise ValueError('train_cfg.pretrain_iters must be >= 0, got '
                             f'{self.pretrain_iters}')
        self.register_buffer('step_counter', torch.tensor(0), persistent=True)

    @classmethod
    def check_cfg_keys(cls,
                       train_cfg: Optional[dict],
                       test_cfg: Optional[dict],
                       where: str = 'model') -> None:
        """Raise :class:`~dasr_mm.utils.config_keys.ConfigKeyError` for a
        key of ``train_cfg`` / ``test_cfg`` that this editor does not read
        (e.g. ``pretrain_iter``), naming the closest valid key."""
        for name, cfg, valid in (('train_cfg', train_cfg, cls.TRAIN_CFG_KEYS),
                                 ('test_cfg', test_cfg, cls.TEST_CFG_KEYS)):
            check_keys(
                cfg or {},
                valid,
                where=f'{where}.{name}',
                owner=f"{cls.__name__}'s {name}")

    def is_pretraining(self) -> bool:
        """Whether the current iteration uses the content loss only."""
        return int(self.step_counter) < self.pretrain_iters

    def content_target(
            self, inputs: Tensor,
            data_samples: DataSample) -> Tuple[Tensor, Optional[Tensor]]:
        """Target of ``pred = generator(inputs)`` and its per-pixel weight.

        Returns:
            tuple: ``target`` with the shape of ``pred``, and ``weight``
            (N, 1, h, w) in [0, 1] or None. Computed without gradients and
            outside autocast.
        """
        raise NotImplementedError

    def adversarial_pair(self, pred: Tensor,
                         data_samples: DataSample) -> Tuple[Tensor, Tensor]:
        """``(fake, real)`` for the discriminator; ``fake`` carries the
        generator's graph (called under the generator's optim context)."""
        raise NotImplementedError

    def generate(
        self, inputs: Tensor, data_samples: DataSample, adversarial: bool
    ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
        """``(pred, fake, real)``: ``pred = generator(inputs)`` and, in the
        adversarial phase, :meth:`adversarial_pair` (else ``None, None``).
        Called under the generator's optim context."""
        pred = self.forward_train(inputs, data_samples)
        if not adversarial:
            return pred, None, None
        return (pred, *self.adversarial_pair(pred, data_samples))

    @staticmethod
    def finite_on_every_rank(loss: Tensor) -> bool:
        """Whether ``loss`` is finite on every process (one all-reduce when
        distributed, so all processes skip the same steps)."""
        finite = torch.isfinite(loss.detach()).all().float()
        all_reduce(finite, op='min')
        return bool(finite)

    def d_step_with_optim(
            self, batch_outputs: Tensor, batch_gt_data: Tensor,
            optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """mmagic's D step (``loss_d_real`` and ``loss_d_fake``, each
        back-propagated as computed), with the optimizer step skipped when
        their sum is not finite (:meth:`finite_on_every_rank`).

        Returns:
            dict: ``loss_d_real``, ``loss_d_fake`` (and ``loss``).
        """
        d_optim_wrapper = optim_wrapper['discriminator']
        log_vars, total = dict(), 0.
        for name, term in (('loss_d_real', self.d_step_real),
                           ('loss_d_fake', self.d_step_fake)):
            with d_optim_wrapper.optim_context(self):
                loss = term(batch_outputs, batch_gt_data)
            parsed, log_vars_term = self.parse_losses({name: loss})
            log_vars.update(log_vars_term)
            d_optim_wrapper.backward(d_optim_wrapper.scale_loss(parsed))
            total = total + parsed.detach()
        if not self.finite_on_every_rank(total):
            d_optim_wrapper.zero_grad()
        elif d_optim_wrapper.should_update():
            d_optim_wrapper.step()
            d_optim_wrapper.zero_grad()
        return log_vars

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """One iteration (see the class docstring).

        Args:
            data (dict): Batch from the dataloader (before preprocessing).
            optim_wrapper (OptimWrapperDict): ``generator`` and
                ``discriminator`` wrappers.

        Returns:
            dict: Log values ``loss_pix`` (+ ``loss_perceptual``,
            ``loss_gan``, ``loss_d_real``, ``loss_d_fake`` after
            pre-training).
        """
        data = self.data_preprocessor(data, True)
        inputs, data_samples = data['inputs'], data['data_samples']
        adversarial = not self.is_pretraining()
        g_optim_wrapper = optim_wrapper['generator']

        with torch.no_grad():
            target, weight = self.content_target(inputs, data_samples)
        with g_optim_wrapper.optim_context(self):
            pred, fake, real = self.generate(inputs, data_samples, adversarial)

        log_vars = dict()
        if adversarial:
            set_requires_grad(self.discriminator, True)
            log_vars.update(
                self.d_step_with_optim(
                    batch_outputs=fake.detach(),
                    batch_gt_data=real,
                    optim_wrapper=optim_wrapper))

        set_requires_grad(self.discriminator, False)
        with g_optim_wrapper.optim_context(self):
            losses = dict(
                loss_pix=self.pixel_loss(pred, target, weight=weight))
            if adversarial:
                if self.perceptual_loss is not None:
                    losses['loss_perceptual'] = self.perceptual_loss(
                        pred, target, weight=weight)
                losses['loss_gan'] = self.gan_loss(
                    self.discriminator(fake),
                    target_is_real=True,
                    is_disc=False)
        parsed_loss, log_vars_g = self.parse_losses(losses)
        if self.finite_on_every_rank(parsed_loss):
            g_optim_wrapper.update_params(parsed_loss)
        log_vars.update(log_vars_g)
        log_vars.pop('loss')

        self.step_counter += 1
        return log_vars
