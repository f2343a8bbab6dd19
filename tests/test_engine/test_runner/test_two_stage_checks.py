"""The two-stage loop's checks, in process and fast: the stage-2 val/test
pairs are checked before stage 1 trains; a resumed pipeline takes stage 1
from its own ``stage1_dsn`` folder (also after the work dir was copied) and
refuses a stage-1 model that is not the finished one."""
import os
import os.path as osp
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import load_config, train
from dasr_mm.apis.checkpoint_checks import CheckpointError
from dasr_mm.datasets import DatasetValidationError
from dasr_mm.engine.runner.two_stage_train_loop import (STAGE1_DIR,
                                                        STAGE1_DONE,
                                                        DASRTwoStageTrainLoop)
from mmagic.registry import MODELS


def test_bad_stage2_val_pairs_fail_before_stage1_trains(
        tiny_dasr_root, tmp_path, repo_root):
    root = tiny_dasr_root()  # val pairs are x4; stage 2 claims x2 here
    work_dir = str(tmp_path / 'run')
    with pytest.raises(DatasetValidationError) as e:
        train(f'{repo_root}/configs/dasr/dasr_demo.py', work_dir=work_dir,
              cfg_options={'data_root': root,
                           'val_dataloader.dataset.scale': 2,
                           'experiment_name': 'stage2_val'})
    assert "'0': HR is 48x40 px but LR is 12x10 px" in str(e.value)
    assert not osp.exists(osp.join(work_dir, STAGE1_DIR))  # nothing trained


@pytest.fixture
def finished_stage1(tiny_dasr_root, tmp_path, repo_root):
    """A work dir whose stage 1 finished (DONE + a checkpoint with its saved
    config), with ``last_checkpoint`` holding the absolute path of the
    folder it was copied from. Returns ``(runner stub, config, stage-1
    dir)``."""
    root = tiny_dasr_root()
    config = f'{repo_root}/configs/dasr/dsn_demo.py'
    stage1 = tmp_path / 'copy' / STAGE1_DIR
    cfg = load_config(config, work_dir=str(stage1),
                      cfg_options=dict(data_root=root))
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    stage1.mkdir(parents=True)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=cfg.pretty_text)),
               str(stage1 / 'iter_6.pth'))
    (stage1 / 'last_checkpoint').write_text(
        f'/original/run/{STAGE1_DIR}/iter_6.pth')
    (stage1 / STAGE1_DONE).write_text('{}')
    runner = types.SimpleNamespace(
        cfg=Config(dict(data_root=root)), launcher='none')
    return runner, config, str(stage1)


def test_finished_stage1_of_a_copied_work_dir_is_reused(finished_stage1):
    runner, config, stage1 = finished_stage1
    export_dir = DASRTwoStageTrainLoop._train_stage1_unless_done(
        runner, config, stage1, None, resume=True)
    assert export_dir == osp.join(stage1, 'export')  # the copy's, not /orig


def test_finished_stage1_with_another_model_is_refused(finished_stage1):
    runner, config, stage1 = finished_stage1
    with pytest.raises(CheckpointError) as e:
        DASRTwoStageTrainLoop._train_stage1_unless_done(
            runner, config, stage1,
            {'model.generator.mid_channels': 8}, resume=True)
    message = str(e.value)
    assert osp.join(stage1, 'iter_6.pth') in message
    assert 'model.generator.mid_channels: 16 in the checkpoint, 8 now' \
        in message


def test_stage1_checkpoint_missing_from_the_copy_is_named(finished_stage1):
    runner, config, stage1 = finished_stage1
    os.remove(osp.join(stage1, 'iter_6.pth'))
    with pytest.raises(FileNotFoundError, match="no 'iter_6.pth'"):
        DASRTwoStageTrainLoop._train_stage1_unless_done(
            runner, config, stage1, None, resume=True)
