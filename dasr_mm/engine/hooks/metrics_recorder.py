"""Hook that keeps the metrics a runner computes, for code that runs the
runner (``tools/test.py`` through :func:`dasr_mm.apis.test`, the
benchmarks)."""
from typing import Dict, Optional

from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmagic.registry import HOOKS


@HOOKS.register_module()
class MetricsRecorder(Hook):
    """Keeps the metrics of every validation (by iteration) and of the last
    test epoch (mmagic's MultiValLoop/MultiTestLoop ``run()`` return
    nothing, the metrics only reach hooks).

    Attributes:
        val_history (Dict[int, dict]): Iteration -> metrics of the
            validation run after it.
        test_metrics (dict, optional): Metrics of the last test epoch.
    """

    priority = 'LOWEST'  # after the hooks that log or save the metrics

    def __init__(self) -> None:
        self.val_history: Dict[int, dict] = {}
        self.test_metrics: Optional[dict] = None

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self.val_history[runner.iter] = dict(metrics or {})

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self.test_metrics = dict(metrics or {})

    @classmethod
    def attach(cls, runner: Runner) -> 'MetricsRecorder':
        """Register a new recorder on ``runner`` and return it."""
        recorder = cls()
        runner.register_hook(recorder)
        return recorder
