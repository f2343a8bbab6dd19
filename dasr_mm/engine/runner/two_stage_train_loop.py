"""The whole DASR pipeline (stage 1 → export → stage 2) as one train loop.

Why a train loop: mmagic's own ``tools/train.py`` builds a plain
``Runner.from_cfg(cfg)`` (it ignores ``runner_type``), so a custom runner would
not run there; a loop is built from ``train_cfg`` by every runner. A pipeline
config is therefore simply the **stage-2 config** with this loop and the path of
its **stage-1 config**::

    _base_ = './srn_demo.py'
    train_cfg = dict(type='DASRTwoStageTrainLoop',
                     stage1_config='{{fileDirname}}/dsn_demo.py',
                     max_iters=..., val_interval=...)

Before the stage-2 data loader is built (the stage-2 dataset needs the export),
the loop trains stage 1 in ``<work_dir>/stage1_dsn`` with a runner of its own
(the stage-1 config's ``DomainDistanceMapExportHook`` exports at the end of
that run into ``<work_dir>/stage1_dsn/export``), points the stage-2 dataset's
``export_dir`` there, then runs stage 2 in this runner: its checkpoints and logs
are in ``<work_dir>`` itself.

Resuming (``--resume``): a finished stage 1 (marker file ``stage1_dsn/DONE``,
written after its export) is skipped; an unfinished one resumes from its last
checkpoint, and a partial export continues where it stopped; stage 2 resumes
from ``<work_dir>/last_checkpoint`` as any mmengine run. Both stages resume
from the checkpoints inside the work dir (a copied or moved work dir resumes
from its own files) and refuse a changed model or scale, also for a finished
stage 1 (see :func:`dasr_mm.apis.launch.build_runner`).

Before stage 1 trains, the stage-2 validation and test datasets are built
once, so that their checks (pairs, sizes) fail before any training.
"""
import copy
import os
import os.path as osp
from typing import Optional, Union

from mmengine.dist import barrier, is_main_process
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop, Runner
from torch.utils.data import DataLoader

from mmagic.registry import DATASETS, LOOPS
from dasr_mm.apis.checkpoint_checks import (check_resume_compatible,
                                            resolve_resume_checkpoint)
from dasr_mm.apis.domain_distance_export import default_export_dir
from dasr_mm.apis.launch import build_runner, load_config
from dasr_mm.engine.hooks import find_export_hook
from dasr_mm.utils import atomic_save_json

STAGE1_DIR = 'stage1_dsn'
STAGE1_DONE = 'DONE'


def _make_current(*instances) -> None:
    """Make mmengine global instances (logger, message hub, visualizer) the
    "current" ones again after a nested runner created newer ones."""
    for instance in instances:
        for cls in type(instance).__mro__:
            registry = cls.__dict__.get('_instance_dict')
            if registry is not None and instance.instance_name in registry:
                registry.move_to_end(instance.instance_name)


@LOOPS.register_module()
class DASRTwoStageTrainLoop(IterBasedTrainLoop):
    """Stage 1 (DSN + export) in a nested runner, then stage 2 (this loop).

    Args:
        runner: The stage-2 runner.
        dataloader: The stage-2 train dataloader config; its dataset's
            ``export_dir`` is set to the stage-1 export.
        stage1_config (str): Path of the stage-1 config (use
            ``'{{fileDirname}}/dsn_x.py'`` for a path next to the config).
        max_iters (int): Stage-2 iterations.
        val_begin, val_interval: As :class:`IterBasedTrainLoop` (stage 2).
        stage1_cfg_options (dict, optional): Overrides merged into the
            stage-1 config (e.g. ``{'train_cfg.max_iters': 10}``).
    """

    def __init__(self,
                 runner: Runner,
                 dataloader: Union[DataLoader, dict],
                 stage1_config: str,
                 max_iters: int,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 stage1_cfg_options: Optional[dict] = None) -> None:
        stage1_dir = osp.join(runner.work_dir, STAGE1_DIR)
        resume = bool(runner.cfg.get('resume', False))
        self._check_stage2_eval_data(runner)
        export_dir = self._run_stage1(runner, stage1_config, stage1_dir,
                                      stage1_cfg_options, resume)
        if isinstance(dataloader, dict):
            dataloader['dataset']['export_dir'] = export_dir
        super().__init__(runner, dataloader, max_iters, val_begin,
                         val_interval)

    @staticmethod
    def _check_stage2_eval_data(runner: Runner) -> None:
        """Build the stage-2 val/test datasets (their pairs are checked on
        construction) before stage 1 spends hours training."""
        for split in ('val', 'test'):
            loader = runner.cfg.get(f'{split}_dataloader')
            if isinstance(loader, dict) and isinstance(
                    loader.get('dataset'), dict):
                DATASETS.build(copy.deepcopy(loader['dataset']))

    @staticmethod
    def _run_stage1(runner: Runner, config: str, work_dir: str,
                    cfg_options: Optional[dict], resume: bool) -> str:
        """Train stage 1 unless already done; return its export folder."""
        done_file = osp.join(work_dir, STAGE1_DONE)
        export_dir = default_export_dir(work_dir)
        options = dict(cfg_options or {})
        if runner.cfg.get('data_root') is not None:  # moves stage-1 paths
            options['data_root'] = runner.cfg.data_root
        cfg = load_config(
            config,
            work_dir=work_dir,
            cfg_options=options,
            launcher=runner.launcher)
        if resume and osp.isfile(done_file):
            last = resolve_resume_checkpoint(work_dir)
            if last is not None:  # the finished DSN is the configured one
                check_resume_compatible(cfg, last)
            print_log(f'stage 1 already finished ({done_file}); skipped',
                      logger='current')
            return export_dir
        if is_main_process() and osp.isfile(done_file):
            os.remove(done_file)  # a fresh run retrains stage 1
        cfg.resume = resume
        hook = find_export_hook(cfg)
        if hook is not None:
            hook['out_dir'] = export_dir
            # a fresh stage 1 makes a new DSN: replace an old export
            hook['overwrite'] = not resume
        print_log(f'stage 1: training the DSN in {work_dir}', logger='current')
        build_runner(cfg).train()
        _make_current(runner.logger, runner.message_hub, runner.visualizer)
        if is_main_process():
            atomic_save_json(done_file, dict(export_dir=export_dir))
        barrier()
        print_log(f'stage 1 finished; stage 2 reads the export {export_dir}',
                  logger='current')
        return export_dir


__all__ = ['DASRTwoStageTrainLoop']
