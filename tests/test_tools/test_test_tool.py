"""tools/test.py with the demo's test config: a paired set and a GT-less
photo folder in one run, every Table 3 metric, printed and in --out JSON;
the numbers are those of the checkpoint's generator."""
import json
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401
from mmagic.evaluation.metrics import niqe, psnr
from mmagic.registry import MODELS

CONFIG = 'configs/dasr/test/demo.py'


@pytest.fixture
def test_root(tmp_path):
    """val/lr 32x32 + val/hr 128x128 (2 pairs), real_lr 2 photos 28x30."""
    rng = np.random.default_rng(0)
    root = tmp_path / 'data'
    for sub in ('val/lr', 'val/hr', 'real_lr'):
        (root / sub).mkdir(parents=True)
    for i in range(2):
        hr = cv2.GaussianBlur(
            rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), (7, 7), 2)
        cv2.imwrite(str(root / 'val/hr' / f'{i}.png'), hr)
        cv2.imwrite(str(root / 'val/lr' / f'{i}.png'),
                    cv2.resize(hr, (32, 32), interpolation=cv2.INTER_AREA))
        photo = rng.integers(0, 256, (28, 30, 3), dtype=np.uint8)
        cv2.imwrite(str(root / 'real_lr' / f'p{i}.png'), photo)
    return root


def _fitted_checkpoint(cfg, root, path, iters=25):
    """The config's model, Kaiming-initialised and fitted to the val pairs
    with L1 for a few iterations (an untrained net's flat output has no
    NIQE); returns the model, saved as an mmengine checkpoint at path."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    model.init_weights()  # as the Runner does: the demo's Kaiming init

    def load(sub):
        return torch.stack([
            torch.from_numpy(cv2.imread(str(root / sub / f'{i}.png'))[
                ..., ::-1].copy()).permute(2, 0, 1).float() / 255
            for i in range(2)])

    lr, hr = load('val/lr'), load('val/hr')
    optimizer = torch.optim.Adam(model.generator.parameters(), 2e-3)
    for _ in range(iters):
        loss = (model.generator(lr) - hr).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    torch.save(dict(state_dict=model.state_dict()), path)
    return model.eval()


def _sr(generator, path):
    """Generator output of an image file, (3, H, W) BGR in [0, 255], as
    mmagic hands it to metrics."""
    rgb = cv2.imread(str(path))[..., ::-1].copy()
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        out = (generator(x)[0] * 255).clamp(0, 255)
    return out.flip(0)


def test_paired_and_gt_less_sets_in_one_run(test_root, tmp_path, repo_root,
                                            python_exe, python_env):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    ckpt = str(tmp_path / 'srn.pth')
    model = _fitted_checkpoint(cfg, test_root, ckpt)
    out = tmp_path / 'metrics.json'
    proc = subprocess.run(
        [python_exe, 'tools/test.py', CONFIG, ckpt, '--out', str(out),
         '--work-dir', str(tmp_path / 'work'),
         '--cfg-options', f'data_root={test_root}'],
        cwd=repo_root, env=python_env, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    metrics = json.loads(out.read_text())
    assert set(metrics) == {
        'demo/RGB/PSNR', 'demo/RGB/SSIM', 'demo/Y/PSNR', 'demo/Y/SSIM',
        'demo/LPIPS(random-alex)', 'demo/NIQE', 'photos/NIQE'
    }
    # the printed table: a row per set, the random LPIPS labelled as such
    # (the first line that starts with the header: the config dump before it
    # may contain 'set ' too)
    lines = proc.stdout.splitlines()
    table = lines[next(i for i, line in enumerate(lines)
                       if line.startswith('set ')):]
    assert table[0].split() == ['set', 'RGB/PSNR', 'RGB/SSIM', 'Y/PSNR',
                                'Y/SSIM', 'LPIPS(random-alex)', 'NIQE']
    assert table[1].split()[0] == 'demo'
    assert table[1].split()[1] == f"{metrics['demo/RGB/PSNR']:.2f}"
    assert table[2].split() == ['photos', '-', '-', '-', '-', '-',
                                f"{metrics['photos/NIQE']:.4f}"]

    # the same numbers from the checkpoint's generator, computed here
    pairs = [(_sr(model.generator, test_root / 'val/lr' / f'{i}.png'),
              cv2.imread(str(test_root / 'val/hr' / f'{i}.png')))
             for i in range(2)]
    expected_psnr = np.mean([
        psnr(sr.numpy(), hr.transpose(2, 0, 1).astype(np.float32),
             crop_border=4, input_order='CHW') for sr, hr in pairs])
    assert metrics['demo/RGB/PSNR'] == pytest.approx(expected_psnr, abs=1e-3)
    expected_niqe = np.mean([
        niqe(_sr(model.generator, test_root / 'real_lr' / f'p{i}.png'),
             crop_border=4, input_order='CHW', convert_to='gray')
        for i in range(2)])
    assert metrics['photos/NIQE'] == pytest.approx(expected_niqe, rel=1e-4)
    assert 0 < metrics['demo/LPIPS(random-alex)'] < 1
    assert 0 < metrics['demo/Y/SSIM'] <= 1
