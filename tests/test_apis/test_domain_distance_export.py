"""Export of generated LR images + domain-distance maps (SPEC §3)."""
import errno
import json
import os
import os.path as osp
import stat
from typing import List

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import domain_distance_export as export_mod
from dasr_mm.apis import (export_domain_distance_maps, export_from_config,
                          rf_average_map)
from dasr_mm.models.archs import (DomainPatchDiscriminator,
                                  DownSamplingNetwork)
from dasr_mm.utils.manifest import (ManifestError, check_manifest,
                                    load_manifest, lr_path, map_path)

IMAGE_SIZES = {
    'a.png': (40, 48),
    'b.png': (64, 64),
    'c.png': (36, 52),
    'd.jpg': (48, 40)
}


# ----------------------------------------------------------------- stand-ins
class StubExtractor(nn.Module):
    """Haar high-frequency bands (``wavelet``) or identity (``rgb``)."""

    def __init__(self, mode: str = 'wavelet') -> None:
        super().__init__()
        self.mode = mode
        self.downscale = 2 if mode == 'wavelet' else 1

    def config(self) -> dict:
        return {'mode': self.mode}

    def pad_to_downscale(self, x: torch.Tensor) -> torch.Tensor:
        # odd sizes: replicate the last row/column, as HighFrequencyExtractor
        pad_h, pad_w = (-side % self.downscale for side in x.shape[-2:])
        return F.pad(x, (0, pad_w, 0, pad_h), 'replicate')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == 'rgb':
            return x
        x = self.pad_to_downscale(x)
        a, b = x[..., 0::2, 0::2], x[..., 0::2, 1::2]
        c, d = x[..., 1::2, 0::2], x[..., 1::2, 1::2]
        return torch.cat((a + b - c - d, a - b + c - d, a - b - c + d), 1) / 2


class StubDiscriminator(nn.Module):
    """3 convs (receptive field 7 on the extractor output), instance norm."""

    def __init__(self, mode: str = 'wavelet') -> None:
        super().__init__()
        self.extractor = StubExtractor(mode)
        self.receptive_field = 7
        channels = 9 if mode == 'wavelet' else 3
        self.net = nn.Sequential(
            nn.Conv2d(channels, 4, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(4, 4, 3, 1, 1), nn.InstanceNorm2d(4), nn.LeakyReLU(0.2),
            nn.Conv2d(4, 1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.extractor(x)) * 4

    def domain_distance_map(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(x).sigmoid()


class StubDSN(nn.Module):
    """conv-ReLU-conv, bilinear 1/scale, conv; output around [0, 1]."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.head = nn.Sequential(
            nn.Conv2d(3, 4, 3, 1, 1), nn.ReLU(), nn.Conv2d(4, 4, 3, 1, 1))
        self.tail = nn.Conv2d(4, 3, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        feat = F.interpolate(
            self.head(x),
            size=(h // self.scale, w // self.scale),
            mode='bilinear',
            align_corners=False)
        return self.tail(feat) + 0.5


def make_models(scale: int = 4, mode: str = 'wavelet', seed: int = 0):
    torch.manual_seed(seed)
    return StubDSN(scale).double(), StubDiscriminator(mode).double()


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def hr_dir(tmp_path) -> str:
    folder = tmp_path / 'hr'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, (h, w) in IMAGE_SIZES.items():
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        img = cv2.GaussianBlur(img, (3, 3), 0)  # some structure
        cv2.imwrite(str(folder / name), img)
    return str(folder)


def read_rgb(path: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def export(dsn, disc, hr, out, **kw):
    kw.setdefault('scale', dsn.scale)
    kw.setdefault('show_progress', False)
    return export_domain_distance_maps(dsn, disc, hr, out, **kw)


def load_all(out: str) -> dict:
    return {
        name: (read_rgb(lr_path(out, name)), np.load(map_path(out, name)))
        for name in IMAGE_SIZES
    }


def tmp_files(folder: str) -> List[str]:
    return [
        osp.join(root, f) for root, _, files in os.walk(folder) for f in files
        if f.startswith('.tmp-')
    ]


def set_incomplete(out: str) -> None:
    manifest = load_manifest(out)
    manifest['complete'] = False
    with open(osp.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f)


@pytest.fixture
def read_spy(monkeypatch) -> List[str]:
    """Names of the HR images the export reads."""
    names = []
    original = export_mod.read_rgb

    def spy(path):
        names.append(osp.basename(path))
        return original(path)

    monkeypatch.setattr(export_mod, 'read_rgb', spy)
    return names


# --------------------------------------------------------------------- tests
def test_export_files_manifest_and_values(hr_dir, tmp_path):
    dsn, disc = make_models()
    dsn.train()
    disc.net[3].eval()  # a submodule in another mode: restored as it was
    out = str(tmp_path / 'export')
    manifest = export(dsn, disc, hr_dir, out, dsn_checkpoint='/ck/iter_1.pth')

    assert dsn.training and disc.training and not disc.net[3].training
    assert manifest == load_manifest(out)
    assert manifest['complete'] is True
    assert manifest['images'] == sorted(IMAGE_SIZES)
    assert manifest['dsn_checkpoint'] == '/ck/iter_1.pth'
    assert manifest['extractor'] == {'mode': 'wavelet'}
    check_manifest(
        manifest,
        extractor={'mode': 'wavelet'},
        scale=4,
        images=sorted(IMAGE_SIZES),
        export_dir=out)
    with pytest.raises(ManifestError, match='extractor'):
        check_manifest(manifest, extractor={'mode': 'rgb'}, scale=4)

    with torch.no_grad():
        dsn.eval(), disc.eval()
        for name, (h, w) in IMAGE_SIZES.items():
            lr, weight = read_rgb(lr_path(out,
                                          name)), np.load(map_path(out, name))
            # HR cropped to a multiple of scale = 4; map: one value per 2x2
            # LR block, the last one of an odd side half outside the image
            assert lr.shape == (h // 4, w // 4, 3)
            assert lr.dtype == np.uint8
            assert weight.dtype == np.float16
            assert weight.shape == (-(-h // 8), -(-w // 8))
            assert 0 <= weight.min() and weight.max() <= 1
            assert weight.std() > 0
            hr = read_rgb(osp.join(hr_dir, name))[:h // 4 * 4, :w // 4 * 4]
            x = torch.from_numpy(hr).permute(2, 0, 1)[None].double() / 255
            expected_lr = (dsn(x).clamp(0, 1) * 255).round()
            np.testing.assert_array_equal(
                lr, expected_lr[0].permute(1, 2, 0).numpy().astype(np.uint8))
            # D sees the uint8-quantised LR image
            expected_map = disc.domain_distance_map(expected_lr / 255)[0, 0]
            np.testing.assert_allclose(weight, expected_map.numpy(), atol=1e-3)
    assert tmp_files(out) == []


def test_tiled_export_equals_untiled(hr_dir, tmp_path):
    dsn, disc = make_models(scale=2)
    calls = []
    disc.net.register_forward_pre_hook(lambda m, args: calls.append(1))
    whole = str(tmp_path / 'whole')
    export(dsn, disc, hr_dir, whole, tile_size=None)
    untiled_calls = len(calls)
    tiled = str(tmp_path / 'tiled')
    export(dsn, disc, hr_dir, tiled, tile_size=24)
    assert len(calls) - untiled_calls > 2 * untiled_calls  # D ran on tiles
    for name, (lr, weight) in load_all(whole).items():
        lr_t, weight_t = load_all(tiled)[name]
        np.testing.assert_array_equal(lr_t, lr)
        np.testing.assert_allclose(
            weight_t.astype(np.float32), weight.astype(np.float32), atol=1e-3)


def test_tile_size_and_overlap_checks(hr_dir, tmp_path):
    dsn, disc = make_models()
    with pytest.warns(UserWarning, match='receptive-field radius'):
        export(
            dsn,
            disc,
            hr_dir,
            str(tmp_path / 'e'),
            tile_size=32,
            tile_overlap=2)
    out = str(tmp_path / 'too_small')
    with pytest.raises(ValueError, match='tile_size >= 36'):  # 2 * 16 + 4
        export(dsn, disc, hr_dir, out, tile_size=32)
    assert not osp.exists(out)  # refused before writing anything


def test_tiled_export_with_real_architectures(hr_dir, tmp_path):
    torch.manual_seed(0)
    dsn = DownSamplingNetwork(scale=2, mid_channels=4, num_blocks=1).double()
    for conv in dsn.modules():  # PyTorch's init: an LR image with contrast
        if isinstance(conv, nn.Conv2d):
            conv.reset_parameters()
    nn.init.constant_(dsn.conv_last.bias, 0.5)
    disc = DomainPatchDiscriminator(
        extractor=dict(mode='wavelet'),
        mid_channels=2,
        kernel_sizes=(3, 3, 3, 3)).double()
    for conv in disc.patch_net:  # larger weights: a contrasted map
        if isinstance(conv, nn.Conv2d):
            nn.init.normal_(conv.weight, std=0.1)
    whole, tiled = str(tmp_path / 'whole'), str(tmp_path / 'tiled')
    manifest = export(dsn, disc, hr_dir, whole, tile_size=None)
    export(dsn, disc, hr_dir, tiled, tile_size=28)  # D: 3x3 tiles on b.png
    check_manifest(
        manifest,
        extractor=dict(mode='wavelet'),
        scale=2,
        images=sorted(IMAGE_SIZES))
    for name, (lr, weight) in load_all(whole).items():
        lr_t, weight_t = load_all(tiled)[name]
        assert weight.shape == (lr.shape[0] // 2, lr.shape[1] // 2)
        assert lr.std() > 5 and weight.std() > 0.05
        np.testing.assert_array_equal(lr_t, lr)
        np.testing.assert_allclose(
            weight_t.astype(np.float32), weight.astype(np.float32), atol=1e-3)


def brute_force_rf_average(weight: np.ndarray, rf: int) -> np.ndarray:
    """The authors' getWeights for a dense stride-1 map."""
    total, count = np.zeros_like(weight), np.zeros_like(weight)
    h, w = weight.shape
    for i in range(h):
        for j in range(w):
            ys = slice(max(0, i - rf // 2), i - rf // 2 + rf)
            xs = slice(max(0, j - rf // 2), j - rf // 2 + rf)
            total[ys, xs] += weight[i, j]
            count[ys, xs] += 1
    return total / count


@pytest.mark.parametrize('rf', [5, 4, 23])
def test_rf_average_map(rf):
    weight = torch.rand(9, 13, dtype=torch.float64)
    np.testing.assert_allclose(
        rf_average_map(weight, rf).numpy(),
        brute_force_rf_average(weight.numpy(), rf))
    constant = torch.full((9, 13), 0.3, dtype=torch.float64)
    torch.testing.assert_close(rf_average_map(constant, rf), constant)


def test_rf_average_export(hr_dir, tmp_path):
    dsn, disc = make_models()
    plain, averaged = str(tmp_path / 'plain'), str(tmp_path / 'avg')
    export(dsn, disc, hr_dir, plain)
    manifest = export(dsn, disc, hr_dir, averaged, rf_average=True)
    assert manifest['rf_average'] is True
    for name, (_, weight) in load_all(plain).items():
        weight_avg = np.load(map_path(averaged, name)).astype(np.float64)
        assert np.abs(weight_avg - weight).max() > 1e-3
        expected = brute_force_rf_average(weight.astype(np.float64), 7)
        np.testing.assert_allclose(weight_avg, expected, atol=2e-3)


def test_resume_recomputes_only_missing(hr_dir, tmp_path, read_spy):
    dsn, disc = make_models()
    out = str(tmp_path / 'export')
    export(dsn, disc, hr_dir, out)
    before = load_all(out)
    mtimes = {
        name: os.stat(map_path(out, name)).st_mtime_ns
        for name in IMAGE_SIZES
    }
    os.remove(lr_path(out, 'b.png'))
    set_incomplete(out)
    read_spy.clear()
    manifest = export(dsn, disc, hr_dir, out)
    assert read_spy == ['b.png']
    assert manifest['complete'] and load_manifest(out)['complete']
    for name in IMAGE_SIZES:
        changed = os.stat(map_path(out, name)).st_mtime_ns != mtimes[name]
        assert changed == (name == 'b.png')
    np.testing.assert_array_equal(
        load_all(out)['b.png'][0], before['b.png'][0])


def test_interrupted_export_resumes_to_clean_result(hr_dir, tmp_path,
                                                    monkeypatch, read_spy):
    dsn, disc = make_models()
    clean, out = str(tmp_path / 'clean'), str(tmp_path / 'export')
    export(dsn, disc, hr_dir, clean)

    saved = []
    original = export_mod.atomic_save_npy

    def crash_after_two(path, array):
        if len(saved) == 2:
            raise KeyboardInterrupt('simulated crash')
        original(path, array)
        saved.append(path)

    monkeypatch.setattr(export_mod, 'atomic_save_npy', crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        export(dsn, disc, hr_dir, out)
    assert load_manifest(out)['complete'] is False
    monkeypatch.setattr(export_mod, 'atomic_save_npy', original)

    read_spy.clear()
    manifest = export(dsn, disc, hr_dir, out)
    assert len(read_spy) == len(IMAGE_SIZES) - 2  # the two done are kept
    assert manifest == load_manifest(clean)
    for name, (lr, weight) in load_all(clean).items():
        lr_r, weight_r = load_all(out)[name]
        np.testing.assert_array_equal(lr_r, lr)
        np.testing.assert_array_equal(weight_r, weight)
    assert tmp_files(out) == []


def test_complete_export_is_not_redone(hr_dir, tmp_path, read_spy):
    dsn, disc = make_models()
    out = str(tmp_path / 'export')
    first = export(dsn, disc, hr_dir, out)
    read_spy.clear()
    assert export(dsn, disc, hr_dir, out) == first
    assert read_spy == []


def test_mismatched_export_is_refused_unless_overwrite(hr_dir, tmp_path,
                                                       read_spy):
    dsn, disc = make_models()
    out = str(tmp_path / 'export')
    export(dsn, disc, hr_dir, out, dsn_checkpoint='a.pth')
    with pytest.raises(ManifestError, match='rf_average'):
        export(dsn, disc, hr_dir, out, dsn_checkpoint='a.pth', rf_average=True)
    with pytest.raises(ManifestError, match='dsn_checkpoint'):
        export(dsn, disc, hr_dir, out, dsn_checkpoint='b.pth')
    _, disc_rgb = make_models(mode='rgb')
    with pytest.raises(ManifestError, match='extractor'):
        export(dsn, disc_rgb, hr_dir, out, dsn_checkpoint='a.pth')
    cv2.imwrite(osp.join(hr_dir, 'e.png'), np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(ManifestError, match='images: 1 new'):
        export(dsn, disc, hr_dir, out, dsn_checkpoint='a.pth')
    os.remove(osp.join(hr_dir, 'e.png'))
    assert load_manifest(out)['complete'] is True  # untouched

    read_spy.clear()
    manifest = export(
        dsn, disc_rgb, hr_dir, out, dsn_checkpoint='a.pth', overwrite=True)
    assert sorted(read_spy) == sorted(IMAGE_SIZES)
    assert manifest['extractor'] == {'mode': 'rgb'}
    for name, (lr, weight) in load_all(out).items():
        assert weight.shape == lr.shape[:2]  # rgb: map at LR resolution


class StubEditor(nn.Module):
    """A stage-1 model: ``generator`` and ``discriminator``."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.generator, self.discriminator = make_models(scale, seed=1)


def test_export_from_config(hr_dir, tmp_path):
    trained = StubEditor(scale=4)
    for p in trained.parameters():
        p.data.uniform_(-0.3, 0.3)
    checkpoint = str(tmp_path / 'iter_1.pth')
    torch.save({'state_dict': trained.state_dict()}, checkpoint)
    cfg = Config(
        dict(
            model=dict(type=StubEditor, scale=4),
            custom_hooks=[
                dict(
                    type='DomainDistanceMapExportHook',
                    hr_dir=hr_dir,
                    rf_average=True,
                    tile_size=48)
            ]))
    out = str(tmp_path / 'export')
    manifest = export_from_config(
        cfg, checkpoint, out_dir=out, device='cpu', show_progress=False)
    assert manifest['dsn_checkpoint'] == osp.abspath(checkpoint)
    assert manifest['rf_average'] is True  # from the hook entry
    assert manifest['hr_dir'] == osp.abspath(hr_dir)
    # the checkpoint's weights were used
    reference = str(tmp_path / 'reference')
    export(
        trained.generator,
        trained.discriminator,
        hr_dir,
        reference,
        dsn_checkpoint=osp.abspath(checkpoint),
        rf_average=True)
    for name, (lr, _) in load_all(reference).items():
        np.testing.assert_array_equal(load_all(out)[name][0], lr)
    # an argument overrides the hook entry
    manifest = export_from_config(
        cfg,
        checkpoint,
        out_dir=out,
        rf_average=False,
        overwrite=True,
        device='cpu',
        show_progress=False)
    assert manifest['rf_average'] is False
    with pytest.raises(ValueError, match='hr_dir'):
        export_from_config(
            Config(dict(model=cfg.model)), checkpoint, out_dir=out)


def test_ranks_export_their_shard(hr_dir, tmp_path, monkeypatch, read_spy):
    """Two ranks simulated one after the other (rank 1 first, so rank 0
    finds every file when it checks before marking the export complete)."""
    dsn, disc = make_models()
    clean, out = str(tmp_path / 'clean'), str(tmp_path / 'export')
    export(dsn, disc, hr_dir, clean)
    monkeypatch.setattr(export_mod, 'barrier', lambda: None)
    images = sorted(IMAGE_SIZES)
    for rank in (1, 0):
        monkeypatch.setattr(export_mod, 'get_dist_info', lambda: (rank, 2))
        read_spy.clear()
        export(dsn, disc, hr_dir, out)
        assert read_spy == images[rank::2]
        # only rank 0 writes the manifest
        assert osp.isfile(osp.join(out, 'manifest.json')) == (rank == 0)
    assert load_manifest(out) == load_manifest(clean)
    for name, (lr, weight) in load_all(clean).items():
        np.testing.assert_array_equal(load_all(out)[name][0], lr)
        np.testing.assert_array_equal(load_all(out)[name][1], weight)


def test_export_files_get_the_umask_permissions(hr_dir, tmp_path):
    dsn, disc = make_models()
    out = str(tmp_path / 'export')
    previous = os.umask(0o027)
    try:
        export(dsn, disc, hr_dir, out)
    finally:
        os.umask(previous)
    files = [osp.join(r, f) for r, _, names in os.walk(out) for f in names]
    assert len(files) == 2 * len(IMAGE_SIZES) + 1  # LR + map each, manifest
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640, path


def test_disk_full_during_export_names_the_file_and_resumes(
        hr_dir, tmp_path, monkeypatch):
    dsn, disc = make_models()
    out = str(tmp_path / 'export')
    save, calls = np.save, []

    def fills_up(f, array, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, 'No space left on device')
        save(f, array, *args, **kwargs)

    monkeypatch.setattr(np, 'save', fills_up)
    with pytest.raises(OSError) as e:
        export(dsn, disc, hr_dir, out)
    assert e.value.errno == errno.ENOSPC
    assert osp.join(out, 'maps') in str(e.value)  # the map being written
    assert load_manifest(out)['complete'] is False
    assert tmp_files(out) == []
    monkeypatch.setattr(np, 'save', save)
    assert export(dsn, disc, hr_dir, out)['complete']  # after freeing space
