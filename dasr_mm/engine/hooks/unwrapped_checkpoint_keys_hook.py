"""Checkpoints of multi-process runs load anywhere."""
from typing import Any, Dict

from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmagic.registry import HOOKS
from dasr_mm.apis.checkpoint_checks import unwrapped_state_dict


@HOOKS.register_module()
class UnwrappedCheckpointKeysHook(Hook):
    """Save every checkpoint with the weight names of the unwrapped model.

    mmengine's Runner saves ``model.module.state_dict()``; with the GAN
    editors' per-network DDP wrappers (``MMSeparateDistributedDataParallel``)
    that names weights ``generator.module.*``, which mmengine's loader
    (it unwraps every wrapper) does not find: a single-process
    ``tools/test.py`` refuses such a checkpoint and a multi-process
    ``--resume`` silently keeps the random weights. This hook renames them
    (:func:`~dasr_mm.apis.checkpoint_checks.unwrapped_state_dict`) just
    before the checkpoint is written; in a single process nothing changes.
    """

    priority = 'VERY_HIGH'

    def before_save_checkpoint(self, runner: Runner,
                               checkpoint: Dict[str, Any]) -> None:
        checkpoint['state_dict'] = unwrapped_state_dict(
            runner.model, checkpoint['state_dict'])
