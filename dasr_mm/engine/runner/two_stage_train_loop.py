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

A fresh run (no ``--resume``) removes an earlier run's ``stage1_dsn/DONE``
and export first: its stage 1 trains a new DSN.

Several processes (``--launcher pytorch``): every rank builds the nested
runner and trains stage 1 (synchronised by DDP) and exports its share of the
images; only rank 0 writes checkpoints, logs, the manifest and ``DONE``, and
all ranks wait for ``DONE`` before stage 2 reads the export (which must lie
on a folder all processes share).

Resuming (``--resume``): a finished stage 1 (marker file ``stage1_dsn/DONE``,
written after its export) is skipped; an unfinished one resumes from its last
checkpoint, and a partial export continues where it stopped; stage 2 resumes
from ``<work_dir>/last_checkpoint`` as any mmengine run. Both stages resume
from the checkpoints inside the work dir (a copied or moved work dir resumes
from its own files) and refuse a changed model or scale, also for a finished
stage 1 (see :func:`dasr_mm.apis.launch.build_runner`).

Before stage 1 trains, the stage-2 validation and test datasets are built
once, so that their checks (pairs, sizes) fail before any training.

Why stage 1 runs inside ``__init__``: a runner builds its train loop at the
start of ``runner.train()`` (mmagic's ``tools/train.py`` too), and
``IterBasedTrainLoop.__init__`` builds the stage-2 data loader, whose dataset
reads the export; the optimizer, schedulers and resume that follow need that
loop. So constructing this loop *is* running stage 1; its side effects are
listed in :class:`DASRTwoStageTrainLoop`.
"""
import copy
import os
import os.path as osp
import shutil
from contextlib import contextmanager
from typing import Iterator, Optional, Union

from mmengine.dist import barrier, is_main_process
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop, Runner
from torch.utils.data import DataLoader

from mmagic.registry import DATASETS, LOOPS
from dasr_mm.apis.checkpoint_checks import (check_resume_compatible,
                                            resolve_resume_checkpoint)
from dasr_mm.apis.domain_distance_export import default_export_dir
from dasr_mm.apis.launch import (amp_settings, build_runner, enable_amp,
                               load_config)
from dasr_mm.engine.hooks import find_export_hook
from dasr_mm.utils import atomic_save_json

STAGE1_DIR = 'stage1_dsn'
STAGE1_DONE = 'DONE'


@contextmanager
def outer_runner_stays_current(runner: Runner) -> Iterator[None]:
    """Run a nested runner inside the block; afterwards (also on error) make
    ``runner``'s logger, message hub, visualizer and default scope mmengine's
    current instances again.

    Every Runner registers these as mmengine global instances, and
    ``X.get_current_instance()`` (what ``print_log(logger='current')``,
    mmagic's models and hooks use) returns the one created last, i.e. the
    nested runner's. mmengine has no public way to make an older instance
    current, so this moves it to the end of the class's private
    ``_instance_dict`` (every class of its MRO that holds it:
    ``Visualizer.get_instance`` also files subclasses under ``Visualizer``).
    The nested runner's instances stay registered under their own names.
    """
    try:
        yield
    finally:
        for instance in (runner.logger, runner.message_hub,
                         runner.visualizer, runner.default_scope):
            if instance is None:  # a runner without default scope
                continue
            for cls in type(instance).__mro__:
                registry = cls.__dict__.get('_instance_dict')
                if registry is not None and \
                        instance.instance_name in registry:
                    registry.move_to_end(instance.instance_name)


@LOOPS.register_module()
class DASRTwoStageTrainLoop(IterBasedTrainLoop):
    """Stage 1 (DSN + export) in a nested runner, then stage 2 (this loop).

    Constructing the loop trains stage 1 (see the module docstring for why).
    Side effects of ``__init__``, in order:

    1. the stage-2 val/test datasets are built once (their checks run);
    2. stage 1 trains in a nested runner in ``<work_dir>/stage1_dsn``
       unless it finished before (``--resume``): it writes its checkpoints,
       logs and export there, re-seeds the global random generators with the
       stage-1 config's ``randomness`` (stage 2 continues from that state)
       and makes its logger, message hub, visualizer and default scope
       mmengine's current instances;
    3. :func:`outer_runner_stays_current` makes the stage-2 runner's
       instances current again, so stage 2 logs and visualizes into
       ``<work_dir>`` as if stage 1 had not run in this process;
    4. ``stage1_dsn/DONE`` is written and the stage-2 dataset's
       ``export_dir`` is set to the stage-1 export.

    Args:
        runner: The stage-2 runner.
        dataloader: The stage-2 train dataloader config; its dataset's
            ``export_dir`` is set to the stage-1 export.
        stage1_config (str): Path of the stage-1 config (use
            ``'{{fileDirname}}/dsn_x.py'`` for a path next to the config).
        max_iters (int): Stage-2 iterations.
        val_begin, val_interval: As :class:`IterBasedTrainLoop` (stage 2).
        stage1_cfg_options (dict, optional): Overrides merged into the
            stage-1 config (e.g. ``{'train_cfg.max_iters': 10}``). Stage 1
            also gets this (stage-2) config's ``data_root`` and, unless
            these overrides set ``randomness``, its ``randomness``, so
            ``--cfg-options randomness.seed=7`` seeds both stages.
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
        export_dir = self._train_stage1_unless_done(
            runner, stage1_config, stage1_dir, stage1_cfg_options, resume)
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
    def _train_stage1_unless_done(runner: Runner, config: str, work_dir: str,
                                  cfg_options: Optional[dict],
                                  resume: bool) -> str:
        """Train stage 1 in a nested runner (side effects 2-4 of the class
        docstring) unless ``resume`` finds it done; return its export
        folder."""
        done_file = osp.join(work_dir, STAGE1_DONE)
        export_dir = default_export_dir(work_dir)
        options = dict(cfg_options or {})
        if runner.cfg.get('data_root') is not None:  # moves stage-1 paths
            options['data_root'] = runner.cfg.data_root
        if runner.cfg.get('randomness') is not None and not any(
                key.split('.')[0] == 'randomness' for key in options):
            # one seed for the pipeline (e.g. --cfg-options randomness.seed)
            options['randomness'] = copy.deepcopy(runner.cfg.randomness)
        cfg = load_config(
            config,
            work_dir=work_dir,
            cfg_options=options,
            launcher=runner.launcher)
        amp_dtype = amp_settings(runner.cfg)
        if amp_dtype is not None:  # --amp on the pipeline: both stages
            enable_amp(cfg, amp_dtype)
        if resume and osp.isfile(done_file):
            last = resolve_resume_checkpoint(work_dir)
            if last is not None:  # the finished DSN is the configured one
                check_resume_compatible(cfg, last)
            print_log(f'stage 1 already finished ({done_file}); skipped',
                      logger='current')
            return export_dir
        if not resume and is_main_process():
            # A fresh run retrains stage 1; its new DSN needs a new export.
            # Its checkpoints reuse the old file names, so the manifest of
            # an old export could not tell the two DSNs apart: remove it.
            if osp.isfile(done_file):
                os.remove(done_file)
            shutil.rmtree(export_dir, ignore_errors=True)
        barrier()  # no rank looks for stage-1 files before they are gone
        cfg.resume = resume
        hook = find_export_hook(cfg)
        if hook is not None:
            hook['out_dir'] = export_dir
        print_log(f'stage 1: training the DSN in {work_dir}', logger='current')
        with outer_runner_stays_current(runner):
            build_runner(cfg).train()
        if is_main_process():
            atomic_save_json(done_file, dict(export_dir=export_dir))
        barrier()
        print_log(f'stage 1 finished; stage 2 reads the export {export_dir}',
                  logger='current')
        return export_dir


__all__ = ['DASRTwoStageTrainLoop', 'outer_runner_stays_current']
