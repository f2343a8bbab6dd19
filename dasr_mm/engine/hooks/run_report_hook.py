"""Hook that writes the run report (:mod:`dasr_mm.apis.run_report`) when a
training run ends."""
import logging
import os.path as osp
from typing import Optional

from mmagic.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from dasr_mm.apis.run_report import build_run_report


@HOOKS.register_module()
class RunReportHook(Hook):
    """After training (never after a validation or test run), rank 0 writes
    :func:`dasr_mm.apis.run_report.build_run_report` of the runner's work
    dir: ``<work_dir>/report/index.html`` and ``report.png`` (loss and
    validation curves of both stages, the final DSN's Fig. 1 domain-gap
    histogram, map overlays, bicubic | DASR | HR sheets).

    It runs after every other hook (priority ``LOWEST``), i.e. after the
    last checkpoint is saved. A report that fails is a warning in the log,
    never an error: the trained model and its checkpoints stay as they are,
    and ``tools/analysis/report.py WORK_DIR`` makes the report again.

    The two-stage configs (``configs/dasr/dasr_*.py``) register it as
    ``default_hooks.run_report``; ``--cfg-options
    default_hooks.run_report.enabled=False`` turns it off.

    Args:
        enabled (bool): Write the report.
        out_dir (str, optional): Default ``<work_dir>/report``.
        num_images (int): Training images with map overlays, validation
            images with sheets.
        domain_gap (bool): Include the Fig. 1 histogram (exports DSN(val HR)
            and trains a small classifier).
        domain_gap_steps (int): Training steps of that classifier.
        device (str, optional): Device of the DSN / SRN (default: CUDA when
            available).
    """

    priority = 'LOWEST'

    def __init__(self,
                 enabled: bool = True,
                 out_dir: Optional[str] = None,
                 num_images: int = 4,
                 domain_gap: bool = True,
                 domain_gap_steps: int = 300,
                 device: Optional[str] = None) -> None:
        self.enabled = enabled
        self.out_dir = out_dir
        self.num_images = num_images
        self.domain_gap = domain_gap
        self.domain_gap_steps = domain_gap_steps
        self.device = device

    def after_train(self, runner) -> None:
        if not self.enabled or not is_main_process():
            return
        out_dir = self.out_dir or osp.join(runner.work_dir, 'report')
        print_log(f'writing the run report into {out_dir}', logger='current')
        try:
            report = build_run_report(
                runner.work_dir,
                out_dir=out_dir,
                num_images=self.num_images,
                domain_gap=self.domain_gap,
                domain_gap_steps=self.domain_gap_steps,
                device=self.device)
        except Exception as error:  # the trained model matters more
            print_log(
                f'the run report failed ({type(error).__name__}: {error}); '
                'training and its checkpoints are complete; make the report '
                f'with: python tools/analysis/report.py {runner.work_dir}',
                logger='current',
                level=logging.WARNING)
            return
        for reason in report['skipped']:
            print_log(f'run report: skipped {reason}', logger='current')
        print_log(f"run report: {report['html']}", logger='current')
