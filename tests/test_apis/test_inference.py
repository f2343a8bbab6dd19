import os

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401
from dasr_mm.apis import super_resolve_folder
from mmagic.registry import MODELS


@pytest.fixture
def tiny_checkpoint(tmp_path, repo_root):
    cfg = Config.fromfile(f'{repo_root}/configs/dasr/srn_demo.py')
    cfg.model.generator.update(mid_channels=4, num_blocks=1, growth_channels=2)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    path = str(tmp_path / 'srn.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return cfg, path, model


def test_super_resolve_folder_writes_x4_images_equal_to_the_generator(
        tmp_path, tiny_checkpoint):
    cfg, ckpt, model = tiny_checkpoint
    src = tmp_path / 'in'
    src.mkdir()
    rng = np.random.default_rng(0)
    images = {}
    for name, size in (('a.png', (12, 16)), ('b.jpg', (9, 10))):
        img = rng.integers(0, 256, size + (3, ), dtype=np.uint8)
        cv2.imwrite(str(src / name), img)
        images[name] = cv2.imread(str(src / name))
    written = super_resolve_folder(cfg, ckpt, str(src), str(tmp_path / 'out'),
                                   device='cpu')
    assert sorted(os.path.basename(p) for p in written) == ['a.png', 'b.png']
    for name, bgr in images.items():
        out = cv2.imread(str(tmp_path / 'out' / (name[0] + '.png')))
        assert out.shape == (bgr.shape[0] * 4, bgr.shape[1] * 4, 3)
        x = torch.from_numpy(bgr[..., ::-1].copy()).permute(2, 0, 1)[None]
        with torch.no_grad():
            expected = model.generator.eval()(x.float() / 255).clamp(0, 1)
        expected = (expected[0].permute(1, 2, 0).numpy()[..., ::-1] *
                    255).round()
        assert np.abs(out.astype(float) - expected).max() <= 1


def test_missing_input_is_a_clear_error(tmp_path, tiny_checkpoint):
    cfg, ckpt, _ = tiny_checkpoint
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no images'):
        super_resolve_folder(cfg, ckpt, str(tmp_path / 'empty'),
                             str(tmp_path / 'out'))
