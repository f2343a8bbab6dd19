"""The whole pipeline (stage 1 → export → stage 2) through tools/train.py at
toy scale, and recovery with --resume after SIGKILL in each phase."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess

import numpy as np
import pytest
import torch
from mmengine.config import Config

import dasr_mm  # noqa: F401  (allow-lists mmengine checkpoint types)
from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.utils.io import image_size
from dasr_mm.utils.manifest import load_manifest, lr_path, map_path

CONFIG = 'tests/configs/dasr_toy.py'


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo'))
    prepare_demo_data(root)
    return root


def _train(work_dir, demo_root, repo_root, python_exe, python_env,
           kill_at=None, resume=False, options=()):
    env = dict(python_env)
    env.pop('DASR_KILL_AT', None)
    if kill_at:
        env['DASR_KILL_AT'] = kill_at
    cmd = [python_exe, 'tools/train.py', CONFIG, '--work-dir', work_dir,
           '--cfg-options', f'data_root={demo_root}', *options]
    if resume:
        cmd.append('--resume')
    return subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True,
                          text=True, timeout=900)


def _assert_complete_and_intact(work_dir, demo_root):
    stage1 = osp.join(work_dir, 'stage1_dsn')
    assert osp.isfile(osp.join(stage1, 'DONE'))
    manifest = load_manifest(osp.join(stage1, 'export'))
    assert manifest['complete']
    assert manifest['images'] == sorted(os.listdir(osp.join(demo_root, 'hr')))
    assert manifest['extractor'] == {'mode': 'wavelet'}
    for name in manifest['images']:
        weight = np.load(map_path(osp.join(stage1, 'export'), name))
        assert weight.dtype == np.float16
        assert 0 <= weight.min() and weight.max() <= 1
        assert osp.getsize(lr_path(osp.join(stage1, 'export'), name)) > 0
    for ckpt in glob.glob(osp.join(work_dir, '**', '*.pth'), recursive=True):
        torch.load(ckpt, map_location='cpu')  # every checkpoint loads
    final = torch.load(osp.join(work_dir, 'iter_6.pth'), map_location='cpu')
    assert final['meta']['iter'] == 6
    assert any(k.startswith('generator.') for k in final['state_dict'])
    assert not glob.glob(osp.join(work_dir, '**', '.tmp-*'), recursive=True)


def test_pipeline_runs_both_stages(tmp_path, demo_root, repo_root,
                                   python_exe, python_env):
    work_dir = str(tmp_path / 'run')
    proc = _train(work_dir, demo_root, repo_root, python_exe, python_env,
                  options=['randomness.seed=7'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    _assert_complete_and_intact(work_dir, demo_root)
    log = proc.stdout + proc.stderr
    assert 'stage 1: training the DSN' in log
    # the pipeline's seed reached both stages (the dumped configs)
    dumped = (glob.glob(osp.join(work_dir, 'stage1_dsn', '*.py')) +
              glob.glob(osp.join(work_dir, '*.py')))
    assert len(dumped) == 2, dumped
    for path in dumped:
        assert Config.fromfile(path).randomness.seed == 7, path
    assert 'RGB/PSNR' in log and 'Y/SSIM' in log  # stage-2 validation ran

    # a finished pipeline resumes to nothing: stage 1 is skipped
    proc = _train(work_dir, demo_root, repo_root, python_exe, python_env,
                  resume=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'stage 1 already finished' in proc.stdout + proc.stderr


def test_sigkill_in_each_phase_then_resume_finishes_without_lost_files(
        tmp_path, demo_root, repo_root, python_exe, python_env):
    """One run killed (SIGKILL) in stage 1, then in the export, then in
    stage 2, each time continued with --resume; the last resume finishes
    with every file intact."""
    work_dir = str(tmp_path / 'run')
    logs = []
    for kill_at, resume in (('stage1:3', False), ('export:2', True),
                            ('stage2:3', True), (None, True)):
        proc = _train(work_dir, demo_root, repo_root, python_exe, python_env,
                      kill_at=kill_at, resume=resume)
        expected = -signal.SIGKILL if kill_at else 0
        assert proc.returncode == expected, (kill_at, proc.stderr[-3000:])
        logs.append(proc.stdout + proc.stderr)
        if kill_at:
            assert not osp.isfile(osp.join(work_dir, 'iter_6.pth'))
        if kill_at == 'export:2':
            export = osp.join(work_dir, 'stage1_dsn', 'export')
            assert not load_manifest(export)['complete']
    # stage 1 resumed from its iteration-2 checkpoint after the first kill
    assert 'resumed epoch: 0, iter: 2' in logs[1]
    # after the export was killed, stage 1 was not marked done: resumed
    assert 'stage 1 already finished' not in logs[2]
    # after the stage-2 kill: stage 1 skipped, stage 2 from iteration 2
    assert 'stage 1 already finished' in logs[3]
    assert 'resumed epoch: 0, iter: 2' in logs[3]
    _assert_complete_and_intact(work_dir, demo_root)
    with open(osp.join(work_dir, 'stage1_dsn', 'DONE')) as f:
        assert json.load(f)['export_dir'].endswith('export')


@pytest.fixture(scope='module')
def div2k_sized_root(tmp_path_factory):
    """A data root whose HR photos have DIV2K sizes (sides 4 mod 8, one odd
    size), made from scikit-image photos resized; real LR and val pairs from
    other photos."""
    import cv2
    from skimage import data

    from dasr_mm.utils.io import atomic_save_image
    root = str(tmp_path_factory.mktemp('div2k_sized'))
    for photo, (h, w) in (('astronaut', (1356, 2040)),
                          ('coffee', (1404, 2040)), ('rocket', (763, 1021))):
        atomic_save_image(
            osp.join(root, 'hr', f'{photo}.png'),
            cv2.resize(getattr(data, photo)(), (w, h),
                       interpolation=cv2.INTER_CUBIC))
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate(((339, 510), (190, 255))):
        lr = cv2.resize(data.chelsea(), (w, h), interpolation=cv2.INTER_AREA)
        noisy = lr + rng.normal(0, 5, lr.shape)
        atomic_save_image(osp.join(root, 'real_lr', f'r{i}.png'),
                          np.clip(noisy, 0, 255).astype(np.uint8))
    hr = cv2.resize(data.coffee(), (128, 128), interpolation=cv2.INTER_AREA)
    atomic_save_image(osp.join(root, 'val', 'hr', 'v.png'), hr)
    atomic_save_image(
        osp.join(root, 'val', 'lr', 'v.png'),
        cv2.resize(hr, (32, 32), interpolation=cv2.INTER_AREA))
    return root


def test_pipeline_on_div2k_sized_images(tmp_path, div2k_sized_root,
                                        repo_root, python_exe, python_env):
    """Stage 1 → export → stage 2 on HR sides of 1356/1404 (4 mod 8) and an
    odd 763x1021 image: the export's LR/maps follow the manifest's size
    contract and stage 2 trains on them (it crashed here before)."""
    work_dir = str(tmp_path / 'run')
    proc = _train(work_dir, div2k_sized_root, repo_root, python_exe,
                  python_env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    export_dir = osp.join(work_dir, 'stage1_dsn', 'export')
    manifest = load_manifest(export_dir)
    assert manifest['complete'] and manifest['map_stride'] == 8
    for name, (h, w) in (('astronaut.png', (1356, 2040)),
                         ('coffee.png', (1404, 2040)),
                         ('rocket.png', (763, 1021))):
        assert image_size(lr_path(export_dir, name)) == (h // 4, w // 4)
        assert np.load(map_path(export_dir, name)).shape == (
            -(-(h // 4) // 2), -(-(w // 4) // 2))
    final = torch.load(osp.join(work_dir, 'iter_6.pth'), map_location='cpu')
    assert final['meta']['iter'] == 6

