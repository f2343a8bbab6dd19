"""Bad input through the CLIs themselves (exit status and message): a typo
in a nested --cfg-options key, and tools/test.py with a checkpoint of the
other stage. Each fails in seconds, before anything is written."""
import os.path as osp
import subprocess

import torch
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import load_config
from mmagic.registry import MODELS


def _run(args, repo_root, python_exe, python_env):
    return subprocess.run([python_exe] + args,
                          cwd=repo_root,
                          env=python_env,
                          capture_output=True,
                          text=True,
                          timeout=300)


def test_train_with_config_typos_exits_before_a_work_dir_exists(
        tmp_path, repo_root, python_exe, python_env):
    work_dir = str(tmp_path / 'work')
    proc = _run([
        'tools/train.py', 'configs/dasr/srn_demo.py', '--work-dir', work_dir,
        '--cfg-options', 'model.train_cfg.pretrain_iter=5',
        'model.generatr.mid_channels=8'
    ], repo_root, python_exe, python_env)
    assert proc.returncode != 0
    err = proc.stderr
    assert 'ConfigKeyError: 2 unknown config key(s)' in err
    assert "model.train_cfg.pretrain_iter: DomainDistanceAwareSR's " \
        "train_cfg has no key 'pretrain_iter'; did you mean " \
        "'pretrain_iters'?" in err
    assert "model.generatr: DomainDistanceAwareSR (model.type) has no " \
        "argument 'generatr'; did you mean 'generator'?" in err
    assert not osp.exists(work_dir)


def test_test_tool_refuses_a_stage1_checkpoint_for_the_stage2_config(
        tmp_path, tiny_dasr_root, repo_root, python_exe, python_env):
    root = tiny_dasr_root()
    stage1 = load_config(f'{repo_root}/configs/dasr/dsn_demo.py')
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(stage1.model)
    checkpoint = str(tmp_path / 'dsn_iter_2500.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=stage1.pretty_text)), checkpoint)
    out = str(tmp_path / 'metrics.json')
    proc = _run([
        'tools/test.py', 'configs/dasr/srn_demo.py', checkpoint, '--out', out,
        '--work-dir', str(tmp_path / 'work'), '--cfg-options',
        f'data_root={root}'
    ], repo_root, python_exe, python_env)
    assert proc.returncode != 0
    err = proc.stderr
    assert 'CheckpointMismatchError' in err
    assert f"checkpoint '{checkpoint}' (saved by a DownSamplingGAN model) " \
        'does not match the DomainDistanceAwareSR model' in err
    assert 'missing key(s)' in err and '--non-strict' in err
    assert not osp.exists(out)  # no metrics of an untrained generator
