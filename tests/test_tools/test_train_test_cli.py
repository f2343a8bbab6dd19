"""End to end through our tools: a tiny mmagic RRDBNet config trains 2
iterations, saves a checkpoint, resumes to 4 and is evaluated by tools/test.py
with mmagic's PSNR/SSIM (proves the stack, the compat layer and registries)."""
import json
import os
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
import torch

import dasr_mm  # noqa: F401  (allow-lists mmengine checkpoint types)

CONFIG = 'tests/configs/rrdbnet_smoke.py'


@pytest.fixture
def paired_root(tmp_path):
    rng = np.random.default_rng(0)
    for sub in ('hr', 'lr'):
        (tmp_path / sub).mkdir()
    for i in range(3):
        hr = cv2.GaussianBlur(
            rng.integers(0, 256, (48, 48, 3), dtype=np.uint8), (5, 5), 1.5)
        lr = cv2.resize(hr, (12, 12), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(tmp_path / 'hr' / f'{i}.png'), hr)
        cv2.imwrite(str(tmp_path / 'lr' / f'{i}.png'), lr)
    return tmp_path


def _tool(args, repo_root, python_exe, python_env):
    proc = subprocess.run([python_exe] + args,
                          cwd=repo_root,
                          env=python_env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_train_resume_test(paired_root, tmp_path, repo_root, python_exe,
                           python_env):
    work_dir = str(tmp_path / 'work')
    common = ['--work-dir', work_dir, '--cfg-options',
              f'data_root={paired_root}']
    _tool(['tools/train.py', CONFIG] + common, repo_root, python_exe,
          python_env)
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('iter_2.pth')
    # no temp files of the atomic checkpoint writer are left behind
    assert not [n for n in os.listdir(work_dir) if n.startswith('.tmp-')]

    proc = _tool(['tools/train.py', CONFIG, '--resume'] + common +
                 ['train_cfg.max_iters=4'], repo_root, python_exe, python_env)
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    ckpt = torch.load(osp.join(work_dir, 'iter_4.pth'), map_location='cpu')
    assert ckpt['meta']['iter'] == 4

    out = str(tmp_path / 'metrics.json')
    _tool(['tools/test.py', CONFIG,
           osp.join(work_dir, 'iter_4.pth'), '--out', out] + common,
          repo_root, python_exe, python_env)
    with open(out) as f:
        metrics = json.load(f)
    assert set(metrics) >= {'PSNR', 'SSIM'}
    assert 5 < metrics['PSNR'] < 60 and 0 < metrics['SSIM'] <= 1
