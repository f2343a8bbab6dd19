"""The test-only configs of configs/dasr/test/ (Table 3 test sets): every
test set builds on generated data of its layout, its metrics are the
paper's with the set's prefix and crop border = scale, sets never share a
prefix, the model is the stage-2 config's, and data_root moves every set."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401
from dasr_mm.apis.launch import load_config
from dasr_mm.evaluation.metrics import ALEXNET_WEIGHTS_FILE
from dasr_mm.utils.io import atomic_save_image
from mmagic.registry import DATASETS, METRICS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TEST_CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs/dasr/test/*.py')))
# config -> (stage-2 config whose model it tests, test set names)
EXPECTED = {
    'configs/dasr/test/aim_val.py': ('configs/dasr/srn_aim.py', ['AIM']),
    'configs/dasr/test/realsr_canon_val.py':
    ('configs/dasr/srn_realsr.py', ['RealSR']),
    'configs/dasr/test/camerasr_iphonex_val.py':
    ('configs/dasr/srn_camerasr.py', ['CameraSR']),
    'configs/dasr/test/my_photos.py': ('configs/dasr/srn_aim.py', ['photos']),
    'configs/dasr/test/demo.py':
    ('configs/dasr/srn_demo.py', ['demo', 'photos']),
}
PAIRED = [('RGB', 'PSNR'), ('RGB', 'SSIM'), ('Y', 'PSNR'), ('Y', 'SSIM'),
          ('', 'LPIPS'), ('', 'NoReferenceNIQE')]
LR_SIDE = 30


def test_every_test_config_is_listed():
    assert TEST_CONFIGS == sorted(EXPECTED)


@pytest.fixture
def alexnet_cache(tmp_path, monkeypatch):
    """A generated AlexNet state dict where torchvision's cache would be."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    cache = tmp_path / 'torch_home' / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    torch.save(torchvision.models.alexnet().state_dict(),
               cache / ALEXNET_WEIGHTS_FILE)


def _data_root(root: str, scale: int) -> str:
    """One val pair (LR 30x30), a photo in real_lr/ and one in the root."""
    rng = np.random.default_rng(0)
    for rel, side in (('val/lr/0.png', LR_SIDE),
                      ('val/hr/0.png', LR_SIDE * scale),
                      ('real_lr/p.png', LR_SIDE), ('p.png', LR_SIDE)):
        atomic_save_image(
            osp.join(root, rel),
            rng.integers(0, 256, (side, side, 3), np.uint8))
    return root


@pytest.mark.parametrize('rel', sorted(EXPECTED))
def test_test_sets_metrics_and_model(rel, tmp_path, alexnet_cache):
    parent, names = EXPECTED[rel]
    raw = Config.fromfile(osp.join(REPO_ROOT, rel))
    scale = raw.scale
    root = _data_root(str(tmp_path / 'data'), scale)
    cfg = load_config(osp.join(REPO_ROOT, rel),
                      cfg_options=dict(data_root=root))
    assert cfg.test_cfg.type == 'MultiTestLoop'
    assert cfg.model == load_config(osp.join(REPO_ROOT, parent)).model
    assert len(cfg.test_dataloader) == len(cfg.test_evaluator) == len(names)

    seen_prefixes = set()
    with DefaultScope.overwrite_default_scope('mmagic'):
        for name, loader, metrics in zip(names, cfg.test_dataloader,
                                         cfg.test_evaluator):
            dataset = DATASETS.build(copy.deepcopy(loader.dataset))
            assert dataset.data_root.startswith(root)  # data_root moved it
            sample = dataset[0]
            assert tuple(sample['inputs'].shape) == (3, LR_SIDE, LR_SIDE)
            paired = loader.dataset.type == 'PairedImageFolderDataset'
            if paired:
                assert loader.dataset.scale == scale
                assert tuple(sample['data_samples'].gt_img.shape) == (
                    3, LR_SIDE * scale, LR_SIDE * scale)
                groups = [(m.prefix[len(name) + 1:], m.type) for m in metrics]
                assert [g for g, _ in groups] == [p for p, _ in PAIRED]
                assert [t for _, t in groups] == [t for _, t in PAIRED]
                assert [m.get('convert_to') for m in metrics[:4]] == [
                    None, None, 'Y', 'Y']
            else:
                assert loader.dataset.type == 'PhotoFolderDataset'
                assert 'gt_img' not in sample['data_samples']
                assert [m.type for m in metrics] == ['NoReferenceNIQE']
                # NIQE needs 96 SR px after the crop border
                assert loader.dataset.min_size * scale - 2 * scale >= 96
                assert (loader.dataset.min_size - 1) * scale - 2 * scale < 96
            for m in metrics:
                assert m.prefix.split('/')[0] == name
                assert m.crop_border == scale
                built = METRICS.build(copy.deepcopy(m))
                key = f'{built.prefix}/{built.metric}'
                assert key not in seen_prefixes
                seen_prefixes.add(key)
    lpips = [m for ms in cfg.test_evaluator for m in ms if m.type == 'LPIPS']
    expected_pretrained = None if rel.endswith('demo.py') else 'torchvision'
    assert all(m.pretrained == expected_pretrained for m in lpips)
