"""tools/export_weight_maps.py with a tiny stage-1 config (real editor)."""
import os.path as osp
import subprocess

import cv2
import numpy as np
import torch
from mmagic.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.utils.manifest import check_manifest, load_manifest, map_path

CONFIG = """
model = dict(
    type='DownSamplingGAN',
    generator=dict(
        type='DownSamplingNetwork', scale=2, mid_channels=4, num_blocks=1),
    discriminator=dict(
        type='DomainPatchDiscriminator', extractor=dict(mode='wavelet'),
        mid_channels=2),
    pixel_loss=dict(type='DomainWeightedL1Loss', loss_weight=0.01),
    perceptual_loss=dict(
        type='DomainWeightedPerceptualLoss', layer='conv2_2',
        loss_weight=1.0, pretrained=None),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.005),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))
work_dir = {work_dir!r}
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir={hr_dir!r},
         rf_average=False)
]
"""


def test_cli_exports_with_config_settings(tmp_path, repo_root, python_env,
                                          python_exe):
    hr_dir = tmp_path / 'hr'
    hr_dir.mkdir()
    rng = np.random.default_rng(0)
    for name in ('p.png', 'q.png'):
        cv2.imwrite(
            str(hr_dir / name), rng.integers(0, 256, (24, 32, 3), np.uint8))
    work_dir = tmp_path / 'work'
    config = tmp_path / 'stage1_tiny.py'
    config.write_text(
        CONFIG.format(work_dir=str(work_dir), hr_dir=str(hr_dir)))
    checkpoint = str(tmp_path / 'iter_5.pth')
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(Config.fromfile(str(config)).model)
    torch.save({'state_dict': model.state_dict()}, checkpoint)

    result = subprocess.run([
        python_exe,
        osp.join(repo_root, 'tools', 'export_weight_maps.py'),
        str(config), checkpoint, '--rf-average', '--device', 'cpu'
    ],
                            cwd=str(tmp_path),
                            env=python_env,
                            capture_output=True,
                            text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]

    out = osp.join(str(work_dir), 'export')  # <work_dir>/export by default
    manifest = load_manifest(out)
    check_manifest(
        manifest,
        extractor={'mode': 'wavelet'},
        scale=2,
        images=['p.png', 'q.png'],
        export_dir=out)
    assert manifest['rf_average'] is True  # the flag beat the hook entry
    assert manifest['dsn_checkpoint'] == checkpoint
    assert np.load(map_path(out, 'p.png')).shape == (6, 8)
