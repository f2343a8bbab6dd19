"""Make ``--resume`` honour a learning rate changed in the config."""
from typing import Dict, List

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import Runner

from mmagic.registry import HOOKS


def _optimizers(runner: Runner) -> Dict[str, object]:
    """Name -> torch optimizer of the run ('' for a single optimizer); none
    when the optimizers are not built (``runner.test()``)."""
    wrapper = runner.optim_wrapper
    if isinstance(wrapper, OptimWrapperDict):
        return {name: w.optimizer for name, w in wrapper.items()}
    if isinstance(wrapper, OptimWrapper):
        return {'': wrapper.optimizer}
    return {}


@HOOKS.register_module()
class ResumedLearningRateHook(Hook):
    """On ``--resume``, use the learning rates of the config, not those
    stored in the checkpoint.

    mmengine's resume loads the optimizers' state, which includes each
    parameter group's ``lr`` and ``initial_lr`` (the schedule's base), and
    the schedulers' ``base_values``; an lr given with ``--cfg-options`` is
    silently overwritten. This hook records every group's base lr as built
    from the config (``before_run``, before the checkpoint is loaded) and,
    after loading (``before_train``), rescales each group whose stored base
    differs: current ``lr`` and ``initial_lr`` by ``config / stored``, and
    the lr schedulers' ``base_values`` with them, so the schedule continues
    (e.g. the next halving) from the new base. A run whose config keeps the
    lr is not changed.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._configured: Dict[str, List[float]] = {}

    def before_run(self, runner: Runner) -> None:
        self._configured = {
            name: [g.get('initial_lr', g['lr']) for g in opt.param_groups]
            for name, opt in _optimizers(runner).items()
        }

    def before_train(self, runner: Runner) -> None:
        for name, opt in _optimizers(runner).items():
            for i, group in enumerate(opt.param_groups):
                wanted = self._configured[name][i]
                stored = group.get('initial_lr', group['lr'])
                if stored == wanted:
                    continue
                factor = wanted / stored
                group['lr'] *= factor
                group['initial_lr'] = wanted
                self._rescale_schedulers(runner, name, i, factor)
                print_log(
                    f'{name or "optimizer"} group {i}: base lr {stored:g} '
                    f'from the checkpoint replaced by {wanted:g} from the '
                    f'config; lr now {group["lr"]:g}',
                    logger='current')

    @staticmethod
    def _rescale_schedulers(runner: Runner, name: str, index: int,
                            factor: float) -> None:
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):
            schedulers = schedulers.get(name, [])
        for scheduler in schedulers:
            if getattr(scheduler, 'param_name', None) == 'lr':
                scheduler.base_values[index] *= factor
