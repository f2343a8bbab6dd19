"""The baselines of Table 3 (configs/baselines/): P.T. ESRGAN is mmagic's
ESRGAN on bicubic pairs of the HR folder, with local VGG weights; it trains
and tests through our tools."""
import copy
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401
from dasr_mm.apis.launch import load_config
from dasr_mm.datasets.transforms import MatlabBicubicDownsample
from dasr_mm.models.losses import (DomainWeightedPerceptualLoss,
                                   LocalVGGPerceptualLoss)
from dasr_mm.utils.io import atomic_save_image
from mmagic.registry import DATASETS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PT_CONFIGS = [
    'configs/baselines/esrgan_pt_aim.py', 'configs/baselines/esrgan_pt_demo.py'
]


def _data_root(root: str) -> str:
    """hr/ 2 images 140x150, val/ 2 pairs 32x32 / 128x128, real_lr/ 2
    photos 30x30."""
    rng = np.random.default_rng(0)
    for rel, size in (('hr/a.png', (140, 150)), ('hr/b.png', (150, 140)),
                      ('val/lr/0.png', (32, 32)), ('val/hr/0.png', (128, 128)),
                      ('val/lr/1.png', (32, 32)), ('val/hr/1.png', (128, 128)),
                      ('real_lr/p.png', (30, 30)), ('real_lr/q.png', (30,
                                                                      30))):
        atomic_save_image(
            osp.join(root, rel), rng.integers(0, 256, (*size, 3), np.uint8))
    return root


@pytest.mark.parametrize('rel', PT_CONFIGS)
def test_pt_esrgan_is_mmagic_esrgan_on_bicubic_pairs(rel, tmp_path):
    root = _data_root(str(tmp_path / 'data'))
    cfg = load_config(
        osp.join(REPO_ROOT, rel), cfg_options=dict(data_root=root))
    assert cfg.model.type == 'ESRGAN'  # mmagic's
    assert cfg.model.discriminator.type == 'ModifiedVGG'
    if rel.endswith('demo.py'):  # srn_demo.py's network and losses
        assert cfg.model.generator.type == 'MSRResNet'
        assert cfg.model.perceptual_loss is None
    else:
        assert cfg.model.generator.type == 'RRDBNet'
        assert cfg.model.perceptual_loss.layer == 'conv5_4'
        assert cfg.model.perceptual_loss.pretrained == 'torchvision'
    with DefaultScope.overwrite_default_scope('mmagic'):
        train = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
        np.random.seed(0)
        sample = train[0]
    gt = sample['data_samples'].gt_img
    assert tuple(gt.shape) == (3, 128, 128)
    lr = sample['inputs']
    assert tuple(lr.shape) == (3, 32, 32)
    # the input is MATLAB bicubic of the HR crop (flips act on both alike)
    hr = gt.permute(1, 2, 0).numpy().astype(np.uint8)
    expected = MatlabBicubicDownsample(4)(dict(gt=hr))['img']
    assert np.array_equal(lr.permute(1, 2, 0).numpy(), expected)
    names = {m.prefix.split('/')[0] for m in cfg.test_evaluator[0]}
    assert len(names) == 1
    assert [m.type for m in cfg.test_evaluator[0]
            ] == ['PSNR', 'SSIM', 'PSNR', 'SSIM', 'LPIPS', 'NoReferenceNIQE']
    if rel.endswith('demo.py'):  # the sets of the DASR demo's test config
        dasr = load_config(
            osp.join(REPO_ROOT, 'configs/dasr/test/demo.py'),
            cfg_options=dict(data_root=root))
        assert cfg.test_dataloader == dasr.test_dataloader
        assert cfg.test_evaluator == dasr.test_evaluator
    else:
        assert len(cfg.test_dataloader) == 1


def test_local_vgg_perceptual_loss_has_mmagic_interface():
    torch.manual_seed(0)
    loss = LocalVGGPerceptualLoss(layer='conv2_2', pretrained=None)
    reference = DomainWeightedPerceptualLoss(layer='conv2_2', pretrained=None)
    reference.load_state_dict(loss.state_dict())
    pred, target = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    percep, style = loss(pred, target)
    assert style is None
    assert torch.allclose(percep, reference(pred, target))
    assert percep > 0
    with DefaultScope.overwrite_default_scope('mmagic'):
        assert isinstance(
            MODELS.build(
                dict(
                    type='LocalVGGPerceptualLoss',
                    pretrained=None,
                    layer='conv1_2')), LocalVGGPerceptualLoss)


def test_pt_esrgan_demo_trains_and_tests(tmp_path, repo_root):
    """By config alone, through the functions behind tools/train.py and
    tools/test.py (in this process; the CLIs are tested elsewhere)."""
    from dasr_mm.apis import test, train
    root = _data_root(str(tmp_path / 'data'))
    work_dir = str(tmp_path / 'work')
    config = osp.join(repo_root, 'configs/baselines/esrgan_pt_demo.py')
    train(config, work_dir=work_dir, cfg_options={
        'data_root': root, 'train_cfg.max_iters': 2,
        'train_cfg.val_interval': 2, 'default_hooks.checkpoint.interval': 2,
        'train_dataloader.batch_size': 2})
    out = str(tmp_path / 'metrics.json')
    test(config, osp.join(work_dir, 'iter_2.pth'), out=out,
         work_dir=str(tmp_path / 'test'), cfg_options={'data_root': root})
    metrics = json.load(open(out))
    assert set(metrics) == {
        'demo/RGB/PSNR', 'demo/RGB/SSIM', 'demo/Y/PSNR', 'demo/Y/SSIM',
        'demo/LPIPS(random-alex)', 'demo/NIQE', 'photos/NIQE'
    }
    assert all(np.isfinite(v) for v in metrics.values())


def test_st_esrgan_trains_on_real_pairs(tmp_path):
    root = _data_root(str(tmp_path / 'data'))
    rng = np.random.default_rng(1)
    hr = rng.integers(0, 256, (136, 144, 3), np.uint8)
    atomic_save_image(osp.join(root, 'train/hr/x.png'), hr)
    lr = rng.integers(0, 256, (34, 36, 3), np.uint8)
    atomic_save_image(osp.join(root, 'train/lr/x.png'), lr)
    cfg = load_config(
        osp.join(REPO_ROOT, 'configs/baselines/esrgan_st_realsr.py'),
        cfg_options=dict(data_root=root))
    assert cfg.model.type == 'ESRGAN'
    assert cfg.test_evaluator[0][0].prefix == 'RealSR/RGB'
    with DefaultScope.overwrite_default_scope('mmagic'):
        train = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
        sample = train[0]
    inputs, gt = sample['inputs'], sample['data_samples'].gt_img
    assert tuple(inputs.shape) == (3, 32, 32)
    assert tuple(gt.shape) == (3, 128, 128)
    # the LR crop is cut from the real LR file (not computed from the HR)
    crop = inputs.permute(1, 2, 0).numpy()
    found = any(
        np.array_equal(np.ascontiguousarray(view)[y:y + 32, x:x + 32], crop)
        for view in (lr, lr[::-1], lr[:, ::-1], lr[::-1, ::-1],
                     lr.transpose(1, 0, 2), lr[::-1].transpose(1, 0, 2),
                     lr[:, ::-1].transpose(1, 0, 2),
                     lr[::-1, ::-1].transpose(1, 0, 2))
        for y in range(view.shape[0] - 31) for x in range(view.shape[1] - 31))
    assert found
