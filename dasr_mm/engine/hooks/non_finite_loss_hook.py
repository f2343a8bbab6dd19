"""Stop a run at its first non-finite loss, after saving a checkpoint that
``--resume`` continues from."""
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_reduce, barrier
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import Runner

from mmagic.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite; the message says which, at
    which iteration, and how to continue."""


def _lower_lr_options(cfg) -> List[str]:
    """``--cfg-options`` entries halving every configured optimizer lr
    (``optim_wrapper.<name>.optimizer.lr`` or ``optim_wrapper.optimizer.lr``).
    """
    wrappers = cfg.get('optim_wrapper') or {}
    named = {'': wrappers} if 'optimizer' in wrappers else {
        f'{name}.': w for name, w in wrappers.items()
        if isinstance(w, dict) and 'optimizer' in w
    }
    return [
        f'optim_wrapper.{prefix}optimizer.lr={w["optimizer"]["lr"] / 2:g}'
        for prefix, w in named.items() if 'lr' in w['optimizer']
    ]


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """After every training iteration, check the values the model's
    ``train_step`` returned (``loss_*`` log values); if any is NaN or
    infinite on any process, save a checkpoint and raise
    :class:`NonFiniteLossError` naming the losses and the iteration.

    The checkpoint is written by the run's ``CheckpointHook`` (same folder,
    file name, backend and ``last_checkpoint`` as the periodic ones, so
    ``--resume`` picks it up). It is only useful if the non-finite loss did
    not reach the weights: the DASR editors skip such steps
    (``DomainAdversarialEditor``); for a model whose weights are then no
    longer finite, no checkpoint is saved and the message names the last
    periodic one instead.

    To continue with a lower learning rate, the message prints the command
    (``--resume --cfg-options optim_wrapper.<name>.optimizer.lr=...``);
    ``ResumedLearningRateHook`` makes the resumed run use it.
    """

    priority = 'VERY_LOW'  # after ParamSchedulerHook and CheckpointHook

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[Dict[str, torch.Tensor]] = None
                         ) -> None:
        bad = {}
        for name, value in (outputs or {}).items():
            value = torch.as_tensor(value).detach().float()
            if not torch.isfinite(value).all():
                bad[name] = value.mean().item()
        flag = torch.tensor(float(bool(bad)))
        all_reduce(flag, op='max')
        if not flag:
            return
        iteration = runner.iter + 1
        losses = ', '.join(f'{k}={v}' for k, v in bad.items()) or (
            'on another process')
        advice = self._save(runner)
        # rank 0 writes the checkpoint; no rank may raise before it is
        # written (torchrun kills the other processes when one fails)
        barrier()
        raise NonFiniteLossError(
            f'non-finite loss at iteration {iteration} ({losses}); the run '
            f'is stopped. {advice}')

    @staticmethod
    def _save(runner: Runner) -> str:
        """Save a checkpoint if the weights are finite; return what to do
        next, as a sentence."""
        model = runner.model
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            last = runner.message_hub.get_info('last_ckpt')
            return ('The weights are no longer finite (the model applied the '
                    'update), so no checkpoint was saved; resume from the '
                    f'last one ({last}) with a lower learning rate.')
        hooks = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
        if not hooks:
            return ('No CheckpointHook is configured, so no checkpoint was '
                    'saved.')
        hooks[0]._save_checkpoint(runner)  # private, stable in mmengine 0.10
        options = ' '.join(_lower_lr_options(runner.cfg))
        return (f'The update of the non-finite loss was skipped; saved '
                f'{runner.message_hub.get_info("last_ckpt")}. Continue with '
                'a lower learning rate: the same tools/train.py command with '
                '--resume' + (f' --cfg-options {options}' if options else '')
                + ' (docs/bad_input.md, "A loss becomes NaN").')


__all__ = ['NonFiniteLossError', 'NonFiniteLossHook']
