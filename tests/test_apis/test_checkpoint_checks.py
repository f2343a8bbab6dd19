"""Checkpoints must match what loads them: strict loading for test / infer /
export / load_from, resume only with the same model and scale, from the
checkpoint inside the work dir being resumed; unreadable checkpoints are
named."""
import glob
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import (export_from_config, load_config,
                          super_resolve_folder, train)
from dasr_mm.apis.checkpoint_checks import (CheckpointError,
                                            CheckpointMismatchError,
                                            read_checkpoint,
                                            resolve_resume_checkpoint)
from dasr_mm.apis.launch import build_model
from mmagic.registry import MODELS

SMOKE = 'tests/configs/rrdbnet_smoke.py'


def _save_model(cfg: Config, path: str) -> None:
    """A checkpoint of ``cfg.model`` with its config in ``meta`` (as
    mmengine's CheckpointHook saves it)."""
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)),
        path)


@pytest.fixture(scope='module')
def stages(tmp_path_factory):
    """Configs and checkpoints of the demo stage-1 and stage-2 models."""
    repo_root = osp.dirname(osp.dirname(osp.dirname(__file__)))
    tmp = tmp_path_factory.mktemp('stages')
    out = {}
    for stage, name in ((1, 'dsn_demo'), (2, 'srn_demo')):
        cfg = load_config(f'{repo_root}/configs/dasr/{name}.py')
        path = str(tmp / f'stage{stage}.pth')
        _save_model(cfg, path)
        out[stage] = (cfg, path)
    return out


# --------------------------------------------------------------- strictness
def test_stage1_checkpoint_is_refused_by_the_stage2_model(stages):
    cfg, _ = stages[2]
    _, stage1 = stages[1]
    with pytest.raises(CheckpointMismatchError) as e:
        build_model(cfg, stage1)
    message = str(e.value)
    assert repr(stage1) in message
    assert '(saved by a DownSamplingGAN model)' in message
    assert 'DomainDistanceAwareSR model' in message
    # the SR network and stage 2's strided D_t against the DSN and its dense
    # D (and the stage-1 VGG): listed by name
    for title, keys in (('missing', e.value.missing),
                        ('unexpected', e.value.unexpected)):
        assert re.search(title + r' key\(s\):\n +(generator|discriminator)\.',
                         message)
        prefixes = {k.split('.')[0] for k in keys}
        assert {'generator', 'discriminator'} <= prefixes
    assert '--non-strict' in message and 'load_from_strict=False' in message


def test_shape_mismatch_is_listed(stages):
    cfg, stage2 = stages[2]
    cfg = Config(cfg.to_dict())
    cfg.model.generator.mid_channels = 8
    with pytest.raises(CheckpointMismatchError) as e:
        build_model(cfg, stage2)
    message = str(e.value)
    assert 'shape mismatch(es):' in message
    assert 'generator.conv_first.bias: checkpoint (32,), model (8,)' \
        in message
    assert not e.value.missing and not e.value.unexpected


def test_non_strict_loads_the_matching_part_with_a_warning(
        stages, mm_log_records):
    cfg, _ = stages[2]
    _, stage1 = stages[1]
    model = build_model(cfg, stage1, strict=False)
    assert model is not None
    warnings = [r.getMessage() for r in mm_log_records]
    assert any('does not match' in w and 'non-strict' in w for w in warnings)


def test_infer_refuses_a_mismatched_checkpoint_and_writes_nothing(
        stages, tmp_path):
    cfg, _ = stages[2]
    _, stage1 = stages[1]
    (tmp_path / 'in').mkdir()
    cv2.imwrite(str(tmp_path / 'in' / 'a.png'), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(CheckpointMismatchError, match='stage1.pth'):
        super_resolve_folder(cfg, stage1, str(tmp_path / 'in'),
                             str(tmp_path / 'out'), device='cpu')
    assert not osp.exists(tmp_path / 'out')


def test_export_refuses_a_stage2_checkpoint_and_writes_nothing(
        stages, tmp_path):
    cfg, _ = stages[1]
    _, stage2 = stages[2]
    (tmp_path / 'hr').mkdir()
    cv2.imwrite(str(tmp_path / 'hr' / 'a.png'),
                np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(CheckpointMismatchError) as e:
        export_from_config(cfg, stage2, out_dir=str(tmp_path / 'export'),
                           hr_dir=str(tmp_path / 'hr'), device='cpu')
    assert 'saved by a DomainDistanceAwareSR model' in str(e.value)
    assert not osp.exists(tmp_path / 'export')


# ---------------------------------------------------- unreadable checkpoints
def test_missing_checkpoint_is_named_with_its_neighbours(stages, tmp_path):
    cfg, _ = stages[2]
    (tmp_path / 'iter_500.pth').write_bytes(b'')
    missing = str(tmp_path / 'iter_5000.pth')
    with pytest.raises(FileNotFoundError) as e:
        build_model(cfg, missing)
    assert repr(missing) in str(e.value)
    assert 'iter_500.pth' in str(e.value)  # what the folder does hold


@pytest.mark.parametrize('content', [b'', b'not a checkpoint', 'truncated'])
def test_corrupt_checkpoint_is_named(stages, tmp_path, content):
    _, stage2 = stages[2]
    path = str(tmp_path / 'iter_1.pth')
    if content == 'truncated':  # a copy cut short (disk full, killed scp)
        data = open(stage2, 'rb').read()
        content = data[:len(data) // 2]
    with open(path, 'wb') as f:
        f.write(content)
    with pytest.raises(CheckpointError) as e:
        read_checkpoint(path)
    assert repr(path) in str(e.value)
    assert 'cannot be read' in str(e.value)
    assert 'earlier checkpoint' in str(e.value)


# ------------------------------------------------------------------- resume
@pytest.fixture
def finished_run(tmp_path, repo_root):
    """A finished 2-iteration run of the smoke config (x4, mid_channels 8)
    in ``tmp_path/work``; returns ``(work_dir, options)``."""
    rng = np.random.default_rng(0)
    data = tmp_path / 'data'
    for sub in ('hr', 'lr'):
        (data / sub).mkdir(parents=True)
    for i in range(2):
        hr = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
        cv2.imwrite(str(data / 'hr' / f'{i}.png'), hr)
        cv2.imwrite(str(data / 'lr' / f'{i}.png'), cv2.resize(hr, (12, 12)))
    work_dir = str(tmp_path / 'work')
    options = {'data_root': str(data)}
    train(f'{repo_root}/{SMOKE}', work_dir=work_dir,
          cfg_options=dict(options, experiment_name='first'))
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    return work_dir, options


def test_resume_with_a_changed_model_is_refused_before_anything_changes(
        finished_run, repo_root):
    work_dir, options = finished_run
    saved_config = osp.join(work_dir, 'rrdbnet_smoke.py')
    before = open(saved_config).read()
    with pytest.raises(CheckpointError) as e:
        train(f'{repo_root}/{SMOKE}', work_dir=work_dir, resume=True,
              cfg_options=dict(options, experiment_name='changed',
                               **{'model.generator.mid_channels': 16,
                                  'train_cfg.max_iters': 4}))
    message = str(e.value)
    assert 'iter_2.pth' in message
    assert 'model.generator.mid_channels: 8 in the checkpoint, 16 now' \
        in message
    assert 'max_iters' not in message  # the schedule may change
    assert open(saved_config).read() == before  # still claims width 8
    assert not osp.exists(osp.join(work_dir, 'iter_4.pth'))


def test_resume_with_a_changed_scale_is_refused(finished_run, repo_root):
    work_dir, options = finished_run
    with pytest.raises(CheckpointError, match="scale: 4 in the checkpoint"):
        train(f'{repo_root}/{SMOKE}', work_dir=work_dir, resume=True,
              cfg_options=dict(options, scale=2, experiment_name='scale'))


def test_copied_work_dir_resumes_from_its_own_checkpoint(
        finished_run, repo_root, tmp_path, mm_log_records):
    work_dir, options = finished_run
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == osp.join(work_dir, 'iter_2.pth')
    copy = str(tmp_path / 'moved' / 'work')
    shutil.copytree(work_dir, copy)
    shutil.rmtree(work_dir)  # the original is gone
    runner = train(f'{repo_root}/{SMOKE}', work_dir=copy, resume=True,
                   cfg_options=dict(options, experiment_name='moved',
                                    **{'train_cfg.max_iters': 4}))
    assert runner.iter == 4
    assert osp.isfile(osp.join(copy, 'iter_4.pth'))
    assert not osp.exists(work_dir)
    assert any('the work dir was copied or moved' in r.getMessage()
               for r in mm_log_records)


def test_last_checkpoint_naming_a_file_outside_is_refused(tmp_path):
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    (work_dir / 'last_checkpoint').write_text('/elsewhere/work/iter_8.pth')
    with pytest.raises(FileNotFoundError) as e:
        resolve_resume_checkpoint(str(work_dir))
    assert "'/elsewhere/work/iter_8.pth'" in str(e.value)
    assert "no 'iter_8.pth'" in str(e.value)
    assert resolve_resume_checkpoint(str(tmp_path)) is None  # fresh run


def test_load_from_must_match_unless_non_strict(finished_run, repo_root,
                                                stages):
    work_dir, options = finished_run
    _, stage1 = stages[1]
    with pytest.raises(CheckpointMismatchError, match='stage1.pth'):
        train(f'{repo_root}/{SMOKE}', work_dir=work_dir + '_new',
              cfg_options=dict(options, load_from=stage1,
                               experiment_name='load_from'))
    assert not glob.glob(osp.join(work_dir + '_new', '*.pth'))
    # on purpose: load what matches (here nothing) and train
    runner = train(f'{repo_root}/{SMOKE}', work_dir=work_dir + '_partial',
                   cfg_options=dict(options, load_from=stage1,
                                    load_from_strict=False,
                                    experiment_name='partial'))
    assert runner.iter == 2
