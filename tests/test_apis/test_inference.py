"""SR inference on real photos (dasr_mm/apis/inference.py, tools/infer.py)."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from PIL import Image, ImageOps

import dasr_mm  # noqa: F401
from dasr_mm.apis import inference, super_resolve_folder
from dasr_mm.apis.inference import (TiledSuperResolver, read_image,
                                    super_resolve, write_image)
from mmagic.registry import MODELS


@pytest.fixture
def tiny_checkpoint(tmp_path, repo_root):
    cfg = Config.fromfile(f'{repo_root}/configs/dasr/srn_demo.py')
    cfg.model.generator.update(mid_channels=4, num_blocks=1)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    torch.manual_seed(0)
    for conv in model.generator.modules():  # contrast between pixels
        if isinstance(conv, torch.nn.Conv2d):
            conv.reset_parameters()
    path = str(tmp_path / 'srn.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return cfg, path, model


@pytest.fixture
def generator(tiny_checkpoint):
    return tiny_checkpoint[2].generator.eval()


def forward_uint8(generator, rgb: np.ndarray) -> np.ndarray:
    """The whole-image forward the files must show, (H, W, 3) uint8 in."""
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        y = generator(x).clamp(0, 1)[0].permute(1, 2, 0).numpy()
    return y


def random_image(shape, dtype=np.uint8, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)
    return cv2.GaussianBlur(img, (3, 3), 0)


def test_super_resolve_folder_writes_x4_images_equal_to_the_generator(
        tmp_path, tiny_checkpoint):
    cfg, ckpt, model = tiny_checkpoint
    src = tmp_path / 'in'
    src.mkdir()
    images = {}
    for name, size in (('a.png', (12, 16)), ('b.jpg', (9, 10))):
        cv2.imwrite(str(src / name), random_image(size + (3, )))
        images[name] = cv2.imread(str(src / name))
    result = super_resolve_folder(
        cfg,
        ckpt,
        str(src),
        str(tmp_path / 'out'),
        device='cpu',
        show_progress=False)
    assert sorted(osp.basename(p)
                  for p in result.written) == ['a.png', 'b.png']
    assert result.failed == []
    for name, bgr in images.items():
        out = cv2.imread(str(tmp_path / 'out' / (name[0] + '.png')))
        assert out.shape == (bgr.shape[0] * 4, bgr.shape[1] * 4, 3)
        expected = forward_uint8(model.generator.eval(),
                                 bgr[..., ::-1].copy())[..., ::-1] * 255
        assert np.abs(out.astype(float) - expected).max() <= 1


def test_missing_input_is_a_clear_error(tmp_path, tiny_checkpoint):
    cfg, ckpt, _ = tiny_checkpoint
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no images'):
        super_resolve_folder(cfg, ckpt, str(tmp_path / 'empty'),
                             str(tmp_path / 'out'))


def test_tiles_bound_the_network_input_and_match_the_whole_image(generator):
    img = random_image((70, 90, 3))
    whole = super_resolve(generator, img, tile_size=None)
    sizes = []  # what the network's first layer sees
    handle = generator.conv_first.register_forward_pre_hook(
        lambda m, args: sizes.append(tuple(args[0].shape[-2:])))
    resolver = TiledSuperResolver(generator, tile_size=32)
    sizes.clear()  # the probes
    tiled = resolver(img)
    handle.remove()
    assert len(sizes) >= 9 and max(max(s) for s in sizes) <= 32
    assert resolver.overlap == 8  # a quarter tile: exact is 2 x radius 7
    assert tiled.shape == whole.shape == (280, 360, 3)
    # 16 px of blended context: off by a few levels at most
    diff = np.abs(tiled.astype(int) - whole)
    assert diff.max() <= 3 and diff.mean() < 0.1
    exact = TiledSuperResolver(generator, tile_size=120, tile_overlap=44)
    np.testing.assert_allclose(exact(img), whole, atol=1)


def test_gray_in_gray_out(generator):
    gray = random_image((10, 12))
    out = super_resolve(generator, gray)
    assert out.shape == (40, 48) and out.dtype == np.uint8
    rgb = forward_uint8(generator, np.repeat(gray[..., None], 3, axis=2))
    expected = cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2GRAY) * 255
    assert np.abs(out - expected).max() <= 1


def test_rgba_keeps_a_bicubic_alpha(generator):
    rgba = random_image((10, 12, 4))
    out = super_resolve(generator, rgba)
    assert out.shape == (40, 48, 4)
    expected_rgb = forward_uint8(generator, rgba[..., :3].copy()) * 255
    assert np.abs(out[..., :3] - expected_rgb).max() <= 1
    alpha = cv2.resize(
        rgba[..., 3].astype(np.float32) / 255, (48, 40),
        interpolation=cv2.INTER_CUBIC)
    assert np.abs(out[..., 3] - np.clip(alpha, 0, 1) * 255).max() <= 1


def test_16_bit_in_16_bit_out(generator):
    img16 = random_image((10, 12, 3), np.uint16)
    out = super_resolve(generator, img16)
    assert out.dtype == np.uint16 and out.shape == (40, 48, 3)
    x = torch.from_numpy(img16.astype(np.float32) / 65535).permute(2, 0, 1)
    with torch.no_grad():
        expected = generator(x[None]).clamp(0, 1)[0].permute(1, 2, 0)
    assert np.abs(out - expected.numpy() * 65535).max() <= 1
    assert len(np.unique(out)) > 1000  # not squeezed through 8 bits


def test_outscale_resizes_the_result(generator):
    img = random_image((10, 12, 3))
    out = super_resolve(generator, img, outscale=2.5)
    assert out.shape == (25, 30, 3)
    full = super_resolve(generator, img)
    expected = cv2.resize(
        full.astype(np.float32), (30, 25), interpolation=cv2.INTER_LANCZOS4)
    assert np.abs(out - expected).max() <= 2


def test_half_runs_bf16_on_cpu_close_to_fp32(tiny_checkpoint, monkeypatch):
    generator = tiny_checkpoint[2].generator.eval()
    img = random_image((16, 16, 3))
    fp32 = super_resolve(generator, img)
    monkeypatch.setattr(inference, 'cpu_has_fast_bf16', lambda: True)
    resolver = TiledSuperResolver(generator, half=True)
    assert resolver.dtype == torch.bfloat16
    assert next(generator.parameters()).dtype == torch.bfloat16
    diff = np.abs(resolver(img).astype(int) - fp32)
    assert diff.mean() < 2 and diff.max() <= 12


def test_half_stays_fp32_on_a_cpu_without_native_bf16(tiny_checkpoint,
                                                      monkeypatch,
                                                      mm_log_records):
    generator = tiny_checkpoint[2].generator.eval()
    monkeypatch.setattr(inference, 'cpu_has_fast_bf16', lambda: False)
    resolver = TiledSuperResolver(generator, half=True)
    assert resolver.dtype == torch.float32
    assert next(generator.parameters()).dtype == torch.float32
    assert any('no native bf16' in r.getMessage() for r in mm_log_records)


@pytest.mark.parametrize('orientation', range(1, 9))
def test_exif_orientation_is_applied_on_reading(tmp_path, orientation):
    img = random_image((6, 10, 3))
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = str(tmp_path / 'photo.png')
    Image.fromarray(img).save(path, exif=exif)
    with Image.open(path) as pil:
        expected = np.asarray(ImageOps.exif_transpose(pil))
    np.testing.assert_array_equal(read_image(path), expected)


def test_read_write_keep_gray_alpha_and_16_bit(tmp_path):
    for img in (random_image((5, 7)), random_image(
        (5, 7, 4)), random_image((5, 7, 3), np.uint16)):
        path = str(tmp_path / 'x.png')
        write_image(path, img)
        np.testing.assert_array_equal(read_image(path), img)


def test_unreadable_and_clashing_inputs(tmp_path, tiny_checkpoint):
    cfg, ckpt, _ = tiny_checkpoint
    src = tmp_path / 'in'
    (src / 'sub').mkdir(parents=True)
    cv2.imwrite(str(src / 'good.png'), random_image((8, 8, 3)))
    cv2.imwrite(str(src / 'sub' / 'deep.png'), random_image((8, 8, 3)))
    (src / 'broken.jpg').write_bytes(b'not an image at all')
    result = super_resolve_folder(
        cfg,
        ckpt,
        str(src),
        str(tmp_path / 'out'),
        device='cpu',
        recursive=True,
        show_progress=False)
    assert sorted(osp.relpath(p, tmp_path / 'out')
                  for p in result.written) == ['good.png', 'sub/deep.png']
    assert [(osp.basename(p), 'could not read') for p, reason in result.failed
            ] == [('broken.jpg', reason[:14]) for _, reason in result.failed]
    cv2.imwrite(str(src / 'good.jpg'), random_image((8, 8, 3)))
    with pytest.raises(ValueError, match='good.jpg and good.png'):
        super_resolve_folder(
            cfg,
            ckpt,
            str(src),
            str(tmp_path / 'out2'),
            device='cpu',
            show_progress=False)
    assert not osp.exists(tmp_path / 'out2')  # refused before any work


def test_infer_cli_on_a_mixed_folder(tmp_path, tiny_checkpoint, repo_root):
    """One command on a folder of a photo, a gray scan, an RGBA PNG, a 16-bit
    TIFF and a corrupt file: the good ones come out right, the corrupt one is
    reported and the exit status says so."""
    cfg, ckpt, _ = tiny_checkpoint
    config = str(tmp_path / 'srn_tiny.py')
    cfg.dump(config)
    src = tmp_path / 'in'
    src.mkdir()
    inputs = {
        'photo.jpg': random_image((40, 36, 3)),
        'scan.png': random_image((20, 18)),
        'logo.png': random_image((12, 14, 4)),
        'raw16.tif': random_image((10, 12, 3), np.uint16),
    }
    for name, img in inputs.items():
        write_image(str(src / name), img)
    (src / 'corrupt.png').write_bytes(b'\x89PNG\r\n\x1a\n broken')
    env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')
    proc = subprocess.run([
        sys.executable, f'{repo_root}/tools/infer.py', config, ckpt,
        str(src),
        str(tmp_path / 'out'), '--device', 'cpu', '--tile', '24'
    ],
                          capture_output=True,
                          text=True,
                          env=env,
                          cwd=repo_root)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'FAILED' in proc.stderr and 'corrupt.png' in proc.stderr
    assert '4 image(s) written' in proc.stdout
    for name, img in inputs.items():
        out = read_image(str(tmp_path / 'out' / (name.split('.')[0] + '.png')))
        assert out.dtype == img.dtype
        assert out.shape == (img.shape[0] * 4, img.shape[1] * 4) + \
            img.shape[2:]


def test_mmagic_inferencer_runs_our_config_and_checkpoint(
        tmp_path, tiny_checkpoint):
    """mmagic's own ``MMagicInferencer`` (whole image, the config's
    ``val_pipeline``) gives the image our API writes untiled
    (``tile_size=None``)."""
    from mmagic.apis import MMagicInferencer
    cfg, ckpt, _ = tiny_checkpoint
    cfg_path = str(tmp_path / 'srn.py')
    cfg.dump(cfg_path)
    photo = str(tmp_path / 'photo.png')
    cv2.imwrite(photo, random_image((20, 28, 3)))
    mmagic_out = str(tmp_path / 'mmagic' / 'photo.png')
    MMagicInferencer(
        'esrgan', model_config=cfg_path, model_ckpt=ckpt,
        device='cpu').infer(img=photo, result_out_dir=mmagic_out)
    super_resolve_folder(cfg, ckpt, photo, str(tmp_path / 'ours'),
                         device='cpu', tile_size=None, show_progress=False)
    theirs = cv2.imread(mmagic_out)
    ours = cv2.imread(str(tmp_path / 'ours' / 'photo.png'))
    assert theirs.shape == ours.shape == (80, 112, 3)
    assert ours.std() > 5  # not a constant image
    assert np.abs(theirs.astype(int) - ours).max() <= 1
