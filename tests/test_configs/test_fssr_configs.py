"""The FSSR baseline (configs/baselines/fssr_*): stage 1 is DASR's
DownSamplingGAN with FSSR's DSGAN pieces, stage 2 mmagic's ESRGAN with the
frequency-separated pieces on the pairs of the stage-1 export; both stages
build on generated data, and the demo pipeline trains and tests through our
tools."""
import copy
import glob
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401
from dasr_mm.apis.launch import load_config
from dasr_mm.models.archs import HighFrequencyExtractor
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy, read_rgb)
from dasr_mm.utils.manifest import (MANIFEST_NAME, ManifestError,
                                    build_manifest, exported_map_size,
                                    load_manifest, lr_path, map_path)
from mmagic.registry import DATASETS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASELINES = osp.join(REPO_ROOT, 'configs', 'baselines')
STAGE1 = ['fssr_dsgan_aim.py', 'fssr_dsgan_demo.py']
STAGE2 = ['fssr_esrgan_fs_aim.py', 'fssr_esrgan_fs_demo.py']
PIPELINES = {
    'fssr_aim.py': 'fssr_dsgan_aim.py',
    'fssr_demo.py': 'fssr_dsgan_demo.py'
}
RED = dict(hr=200, real_lr=50)  # red channel: which folder a crop is from


def test_every_fssr_config_is_tested():
    found = {
        osp.basename(p)
        for p in glob.glob(osp.join(BASELINES, 'fssr_*.py'))
    }
    assert found == set(STAGE1) | set(STAGE2) | set(PIPELINES)


def _image(rng, size, red):
    img = rng.integers(0, 256, (*size, 3), np.uint8)
    img[..., 0] = red
    return img


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    """hr/ 2 block-constant images 132x136 (each 4x4 block one colour),
    real_lr/ 2 photos 516x520 (AIM's DSGAN crops 512 px of them), val/ one
    pair 32x32 / 128x128."""
    root = str(tmp_path_factory.mktemp('fssr_data'))
    rng = np.random.default_rng(0)
    for i in range(2):
        lr = _image(rng, (33, 34), RED['hr'])
        atomic_save_image(
            osp.join(root, 'hr', f'hr_{i}.png'),
            np.kron(lr, np.ones((4, 4, 1), np.uint8)))
        atomic_save_image(
            osp.join(root, 'real_lr', f'real_{i}.png'),
            _image(rng, (516, 520), RED['real_lr']))
    atomic_save_image(
        osp.join(root, 'val', 'lr', 'v.png'), _image(rng, (32, 32), 90))
    atomic_save_image(
        osp.join(root, 'val', 'hr', 'v.png'), _image(rng, (128, 128), 160))
    return root


def _export(root: str, out: str, extractor: dict) -> str:
    """An export of root/hr as stage 1 writes it, with LR = HR[::4, ::4]
    (the block colours), so an aligned LR/HR crop pair satisfies
    lr == hr[::4, ::4] under any flip or transpose."""
    extractor = HighFrequencyExtractor(**extractor).config()
    names = sorted(
        osp.basename(p) for p in glob.glob(osp.join(root, 'hr', '*.png')))
    for name in names:
        hr = read_rgb(osp.join(root, 'hr', name))
        atomic_save_image(lr_path(out, name), hr[::4, ::4])
        atomic_save_npy(
            map_path(out, name),
            np.full(exported_map_size(hr.shape[:2], 4, 4), 0.5, np.float16))
    atomic_save_json(
        osp.join(out, MANIFEST_NAME),
        build_manifest(
            dsn_checkpoint=None,
            extractor=extractor,
            scale=4,
            map_stride=4,
            images=names,
            hr_dir=osp.join(root, 'hr'),
            rf_average=False,
            complete=True))
    return out


def _load(name: str, root: str, **options):
    return load_config(
        osp.join(BASELINES, name), cfg_options=dict(data_root=root, **options))


def _build_model(model_cfg):
    """The model without ImageNet weights (random LPIPS / VGG trunks)."""
    model_cfg = copy.deepcopy(model_cfg)
    if model_cfg.get('perceptual_loss') is not None:
        model_cfg.perceptual_loss.pretrained = None
    return MODELS.build(model_cfg)


@pytest.fixture(autouse=True)
def mmagic_scope():
    np.random.seed(0)
    with DefaultScope.overwrite_default_scope('mmagic'):
        yield


@pytest.mark.parametrize('name', STAGE1)
def test_dsgan_stage(name, data_root):
    cfg = _load(name, data_root)
    model = _build_model(cfg.model)
    # G = the official-variant net (their Generator) on B(x); D on box 5
    assert type(model).__name__ == 'DownSamplingGAN'
    assert type(model.generator).__name__ == 'BicubicInputGenerator'
    assert model.generator.net.variant == 'official'
    assert model.generator.net.scale == 1 and model.scale == 4
    assert model.discriminator.extractor.config() == dict(
        mode='box', kernel_size=5)
    assert model.discriminator.receptive_field == 13  # their D's
    assert model.pixel_loss.filter.config() == dict(mode='box', kernel_size=5)
    assert type(model.perceptual_loss).__name__ == 'LPIPSLoss'
    assert model.pretrain_iters == 0
    # the content target is the generator's own input B(x)
    x = torch.rand(1, 3, 128, 128)
    target, weight = model.content_target(x, None)
    assert weight is None
    with torch.no_grad():
        assert torch.equal(model.generator(x), model.generator.net(target))
    # FSSR trains on the source images (real_lr/); the demo on hr/
    sample = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))[0]
    inputs, real = sample['inputs'], sample['data_samples'].gt_img
    assert inputs.shape[-1] == cfg.hr_crop
    assert real.shape[-1] == cfg.hr_crop // 4
    assert int(real[0].max()) == RED['real_lr']
    source = 'real_lr' if name.endswith('aim.py') else 'hr'
    assert int(inputs[0].max()) == RED[source] == int(inputs[0].min())
    # the export writes G(x) for every clean HR image
    [hook] = cfg.custom_hooks
    assert hook.hr_dir == osp.join(data_root, 'hr')


@pytest.mark.parametrize('name', STAGE2)
def test_esrgan_fs_stage_on_export_pairs(name, data_root, tmp_path):
    raw = _load(name, data_root)
    export = _export(data_root, str(tmp_path / 'export'),
                     raw.train_dataloader.dataset.extractor)
    cfg = _load(name, data_root,
                **{'train_dataloader.dataset.export_dir': export})
    model = _build_model(cfg.model)
    assert type(model).__name__ == 'ESRGAN'  # mmagic's, RaGAN
    assert type(model.discriminator).__name__ == 'HighPassDiscriminator'
    assert type(model.discriminator.net).__name__ == 'ModifiedVGG'
    filt = dict(mode='box', kernel_size=9)
    assert model.discriminator.extractor.config() == filt
    assert model.pixel_loss.filter.config() == filt
    assert model.pixel_loss.loss_weight == 1e-2
    # pairs: the exported LR and its HR, cropped at one offset
    dataset = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset))
    for i in range(4):
        sample = dataset[i]
        lr, hr = sample['inputs'], sample['data_samples'].gt_img
        assert tuple(lr.shape) == (3, 32, 32)
        assert tuple(hr.shape) == (3, 128, 128)
        assert torch.equal(lr, hr[:, ::4, ::4])
    # an export made with another stage-1 filter is refused
    wavelet = _export(data_root, str(tmp_path / 'wavelet'),
                      dict(mode='wavelet'))
    bad = copy.deepcopy(cfg.train_dataloader.dataset)
    bad.export_dir = wavelet
    with pytest.raises(ManifestError, match='extractor'):
        DATASETS.build(bad)


@pytest.mark.parametrize('name', sorted(PIPELINES))
def test_pipeline_runs_the_dsgan_then_esrgan_fs(name, data_root):
    cfg = _load(name, data_root)
    assert cfg.train_cfg.type == 'DASRTwoStageTrainLoop'
    stage1 = load_config(
        cfg.train_cfg.stage1_config, cfg_options=dict(data_root=data_root))
    assert osp.basename(cfg.train_cfg.stage1_config) == PIPELINES[name]
    # the stage-2 dataset accepts what stage 1 exports
    assert HighFrequencyExtractor(
        **stage1.model.discriminator.extractor).config() == \
        HighFrequencyExtractor(**cfg.train_dataloader.dataset.extractor
                               ).config()
    [hook] = stage1.custom_hooks
    assert hook.hr_dir == osp.join(
        cfg.train_dataloader.dataset.data_root,
        cfg.train_dataloader.dataset.get('hr_dir', 'hr'))
    stage2 = _load(PIPELINES[name].replace('dsgan', 'esrgan_fs'), data_root)
    assert cfg.model == stage2.model
    assert cfg.train_cfg.max_iters == stage2.train_cfg.max_iters


def test_fssr_demo_trains_both_stages_and_tests(tmp_path, run_repo_tool):
    rng = np.random.default_rng(3)
    root = str(tmp_path / 'data')
    for rel, size in (('hr/a.png', (130, 137)), ('hr/b.png', (136, 132)),
                      ('real_lr/p.png', (36, 34)), ('real_lr/q.png', (34, 36)),
                      ('val/lr/0.png', (32, 32)), ('val/hr/0.png', (128,
                                                                    128))):
        atomic_save_image(
            osp.join(root, rel), rng.integers(0, 256, (*size, 3), np.uint8))
    work_dir = str(tmp_path / 'work')
    options = ['--cfg-options', f'data_root={root}']

    run_repo_tool('tools/train.py', 'tests/configs/fssr_toy.py', '--work-dir',
                  work_dir, *options)
    # the export holds G(x) of the final DSGAN for every HR image
    export = osp.join(work_dir, 'stage1_dsn', 'export')
    manifest = load_manifest(export)
    assert manifest['images'] == ['a.png', 'b.png']
    assert manifest['extractor'] == dict(mode='box', kernel_size=5)
    stage1 = load_config(osp.join(BASELINES, 'fssr_dsgan_demo.py'))
    with DefaultScope.overwrite_default_scope('mmagic'):
        gen = MODELS.build(stage1.model.generator).eval()
    state = torch.load(
        osp.join(work_dir, 'stage1_dsn', 'iter_2.pth'),
        map_location='cpu')['state_dict']
    gen.load_state_dict({
        k[len('generator.'):]: v
        for k, v in state.items() if k.startswith('generator.')
    })
    for name in manifest['images']:
        hr = read_rgb(osp.join(root, 'hr', name))
        h, w = (s // 4 * 4 for s in hr.shape[:2])
        x = torch.from_numpy(hr[:h, :w].copy()).permute(2, 0, 1)[None] / 255.
        with torch.no_grad():
            expected = (gen(x.float()).clamp(0, 1) * 255).round()
        exported = torch.from_numpy(read_rgb(lr_path(export, name))).permute(
            2, 0, 1)[None].float()
        assert exported.shape == expected.shape
        assert (exported - expected).abs().max() <= 1
    final = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu')
    assert any(
        k.startswith('discriminator.net.conv0_0')
        for k in final['state_dict'])  # ModifiedVGG behind H
    out = str(tmp_path / 'metrics.json')
    run_repo_tool('tools/test.py', 'configs/baselines/fssr_esrgan_fs_demo.py',
                  osp.join(work_dir, 'iter_2.pth'), '--out', out, '--work-dir',
                  str(tmp_path / 'test'), *options)
    metrics = json.load(open(out))
    assert set(metrics) == {
        'demo/RGB/PSNR', 'demo/RGB/SSIM', 'demo/Y/PSNR', 'demo/Y/SSIM',
        'demo/LPIPS(random-alex)', 'demo/NIQE', 'photos/NIQE'
    }
