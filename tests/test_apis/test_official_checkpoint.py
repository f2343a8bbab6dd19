"""Conversion of the authors' released checkpoints
(dasr_mm/apis/official_checkpoint.py, tools/convert_official_ckpt.py).

Their architectures are written here after their code (codes/DSN/model.py
``De_resnet`` and ``Discriminator(D_arch='FSD')`` with its filters and
pytorch_wavelets' one-level Haar ``DWTForward``,
codes/SRN/models/modules/architecture.py ``RRDBNet`` with block.py's
``sequential`` flattening), with the module names that give their
state-dict layout; random weights in that layout are converted, loaded
strictly into our models, and the forwards compared."""
import math
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

import dasr_mm  # noqa: F401
from dasr_mm.apis.domain_distance_export import export_from_config
from dasr_mm.apis.launch import build_model
from dasr_mm.apis.official_checkpoint import (OfficialCheckpointError,
                                              convert_official_checkpoint,
                                              detect_kind)


# ------------------------------------------------------ their architectures
class TheirResidualBlock(nn.Module):

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.prelu = nn.PReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(self.prelu(self.conv1(x)))


class TheirDeResnet(nn.Module):
    """codes/DSN/model.py De_resnet (64 channels there; ``nf`` here)."""

    def __init__(self, n_res_blocks, scale, nf):
        super().__init__()
        self.block_input = nn.Sequential(
            nn.Conv2d(3, nf, 3, padding=1), nn.PReLU())
        self.res_blocks = nn.ModuleList(
            [TheirResidualBlock(nf) for _ in range(n_res_blocks)])
        down = []
        for _ in range(scale.bit_length() - 1):
            down += [nn.Conv2d(nf, nf, 3, stride=2, padding=1), nn.PReLU()]
        self.down_sample = nn.Sequential(*down)
        self.block_output = nn.Conv2d(nf, 3, 3, padding=1)

    def forward(self, x):
        block = self.block_input(x)
        for res_block in self.res_blocks:
            block = res_block(block)
        return torch.sigmoid(self.block_output(self.down_sample(block)))


class TheirGaussianFilter(nn.Module):
    """model.GaussianFilter: a fixed 2-D Gaussian (std k / 6), zero padded."""

    def __init__(self, k):
        super().__init__()
        grid = torch.arange(k, dtype=torch.float32) - (k - 1) / 2
        kernel = torch.exp(-(grid[None]**2 + grid[:, None]**2) / (2 *
                                                                  (k / 6)**2))
        self.gaussian_filter = nn.Conv2d(
            3, 3, k, padding=k // 2, groups=3, bias=False)
        self.gaussian_filter.weight.data = (kernel / kernel.sum()).expand(
            3, 1, k, k).clone()
        self.gaussian_filter.weight.requires_grad = False

    def forward(self, x):
        return self.gaussian_filter(x)


class TheirFilterLow(nn.Module):

    def __init__(self, k, gaussian):
        super().__init__()
        self.filter = TheirGaussianFilter(k) if gaussian else nn.AvgPool2d(
            k, stride=1, padding=k // 2, count_include_pad=False)

    def forward(self, x):
        return self.filter(x)


class TheirFilterHigh(nn.Module):

    def __init__(self, k, gaussian):
        super().__init__()
        self.filter_low = TheirFilterLow(k, gaussian)

    def forward(self, x):
        return 0.5 + 0.5 * (x - self.filter_low(x))


class TheirDWT(nn.Module):
    """pytorch_wavelets DWTForward(J=1, wave='haar', mode='reflect'): the
    mirrored pywt Haar filters as buffers, a strided row pass then a column
    pass, an odd side reflect-padded at the end."""

    def __init__(self):
        super().__init__()
        r = 1 / math.sqrt(2)
        lo, hi = torch.tensor([r, r]), torch.tensor([r, -r])
        self.register_buffer('h0_col', lo.view(1, 1, 2, 1))
        self.register_buffer('h1_col', hi.view(1, 1, 2, 1))
        self.register_buffer('h0_row', lo.view(1, 1, 1, 2))
        self.register_buffer('h1_row', hi.view(1, 1, 1, 2))

    def forward(self, x):
        c = x.shape[1]
        x = F.pad(x, (0, x.shape[-1] % 2, 0, 0), mode='reflect')
        lohi = F.conv2d(
            x,
            torch.cat([self.h0_row, self.h1_row] * c),
            stride=(1, 2),
            groups=c)
        lohi = F.pad(lohi, (0, 0, 0, lohi.shape[-2] % 2), mode='reflect')
        y = F.conv2d(
            lohi,
            torch.cat([self.h0_col, self.h1_col] * 2 * c),
            stride=(2, 1),
            groups=2 * c)
        y = y.reshape(y.shape[0], c, 4, *y.shape[-2:])
        return y[:, :, 0], y[:, :, 1:]


class TheirDiscriminatorBasic(nn.Module):
    """model.DiscriminatorBasic, norm 'Instance' (64 channels there)."""

    def __init__(self, cin, nf):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(cin, nf, 5, padding=2), nn.LeakyReLU(0.2),
            nn.Conv2d(nf, 2 * nf, 5, padding=2), nn.InstanceNorm2d(2 * nf),
            nn.LeakyReLU(0.2), nn.Conv2d(2 * nf, 4 * nf, 5, padding=2),
            nn.InstanceNorm2d(4 * nf), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * nf, 1, 1))

    def forward(self, x):
        return self.net(x)


class TheirFSD(nn.Module):
    """model.Discriminator(D_arch='FSD', cs='cat'); ``filter_type`` None is
    their --no_highpass."""

    def __init__(self, filter_type, k, nf):
        super().__init__()
        self.filter_type = filter_type
        if filter_type == 'wavelet':
            self.DWT2 = TheirDWT()
        elif filter_type is not None:
            self.filter = TheirFilterHigh(k, gaussian=filter_type == 'gau')
        self.net = TheirDiscriminatorBasic(
            9 if filter_type == 'wavelet' else 3, nf)

    def forward(self, x):
        if self.filter_type == 'wavelet':
            _, high = self.DWT2(x)
            x = torch.cat([0.5 * high[:, :, i] + 0.5 for i in range(3)], 1)
        elif self.filter_type is not None:
            x = self.filter(x)
        return torch.sigmoid(self.net(x))


def conv_act(cin, cout):  # block.conv_block(..., act_type='leakyrelu')
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.LeakyReLU(0.2))


def conv_only(cin, cout):  # block.conv_block(..., act_type=None)
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1))


class TheirRDB(nn.Module):

    def __init__(self, nc, gc):
        super().__init__()
        self.conv1 = conv_act(nc, gc)
        self.conv2 = conv_act(nc + gc, gc)
        self.conv3 = conv_act(nc + 2 * gc, gc)
        self.conv4 = conv_act(nc + 3 * gc, gc)
        self.conv5 = conv_only(nc + 4 * gc, nc)

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(torch.cat((x, x1), 1))
        x3 = self.conv3(torch.cat((x, x1, x2), 1))
        x4 = self.conv4(torch.cat((x, x1, x2, x3), 1))
        return self.conv5(torch.cat((x, x1, x2, x3, x4), 1)) * 0.2 + x


class TheirRRDB(nn.Module):

    def __init__(self, nc, gc):
        super().__init__()
        self.RDB1, self.RDB2, self.RDB3 = (TheirRDB(nc, gc) for _ in range(3))

    def forward(self, x):
        return self.RDB3(self.RDB2(self.RDB1(x))) * 0.2 + x


class TheirShortcut(nn.Module):

    def __init__(self, sub):
        super().__init__()
        self.sub = sub

    def forward(self, x):
        return x + self.sub(x)


class TheirRRDBNet(nn.Module):
    """architecture.RRDBNet(upsample_mode='upconv') as block.sequential
    flattens it: model.0 conv, model.1 shortcut(RRDBs + LR conv), then per
    x2 (nearest up-sampling, conv, lrelu), conv + lrelu, conv."""

    def __init__(self, nf, nb, gc, upscale):
        super().__init__()
        ups = []
        for _ in range(upscale.bit_length() - 1):
            ups += [
                nn.Upsample(scale_factor=2, mode='nearest'),
                nn.Conv2d(nf, nf, 3, padding=1),
                nn.LeakyReLU(0.2)
            ]
        self.model = nn.Sequential(
            nn.Conv2d(3, nf, 3, padding=1),
            TheirShortcut(
                nn.Sequential(*[TheirRRDB(nf, gc) for _ in range(nb)],
                              nn.Conv2d(nf, nf, 3, padding=1))), *ups,
            nn.Conv2d(nf, nf, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(nf, 3, 3, padding=1))

    def forward(self, x):
        return self.model(x)


# ------------------------------------------------------------------ helpers
def tiny_config(repo_root, rel, generator) -> Config:
    cfg = Config.fromfile(f'{repo_root}/configs/{rel}')
    cfg.model.perceptual_loss.pretrained = None  # no VGG file needed here
    cfg.model.generator.update(generator)
    return cfg


def randomised(net: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    for p in net.parameters():  # not PReLU's constant init
        nn.init.normal_(p, std=0.1)
    return net.eval()


@pytest.mark.parametrize('scale', [4, 2])
def test_dsn_release_converts_and_matches_their_forward(
        tmp_path, repo_root, scale):
    theirs = randomised(TheirDeResnet(n_res_blocks=2, scale=scale, nf=4))
    src = str(tmp_path / 'last_iteration.tar')
    torch.save(
        dict(
            epoch=10,
            model_g_state_dict=theirs.state_dict(),
            optimizer_g_state_dict={}), src)
    cfg = tiny_config(repo_root, 'dasr/official/dsn_official_aim.py',
                      dict(mid_channels=4, num_blocks=2, scale=scale))
    dst = str(tmp_path / 'dsn.pth')
    report = convert_official_checkpoint(src, dst, cfg)
    assert report.kind == 'dsn'
    assert len(report.converted) == len(theirs.state_dict())
    assert any('holds no discriminator' in n for n in report.notes)
    assert all(not k.startswith('generator.')
               for k in report.filled_from_config)
    assert 'discriminator.patch_net.0.weight' in report.filled_from_config
    model = build_model(cfg, dst, strict=True)
    x = torch.rand(1, 3, 24, 32)
    with torch.no_grad():
        torch.testing.assert_close(model.generator.eval()(x), theirs(x))


# their --filter -> our extractor (variant='official'); None: --no_highpass
FILTERS = {
    'wavelet': dict(mode='wavelet', variant='official'),
    'gau': dict(mode='gaussian', kernel_size=5, variant='official'),
    'avg_pool': dict(mode='box', kernel_size=5, variant='official'),
    None: dict(mode='rgb'),
}


def dsn_release(tmp_path, filter_type, **extra):
    """Their DSN file with a random De_resnet and FSD discriminator; returns
    (path, their generator, their discriminator)."""
    generator = randomised(TheirDeResnet(n_res_blocks=1, scale=4, nf=4))
    discriminator = TheirFSD(filter_type, k=5, nf=4).eval()
    randomised(discriminator.net)  # their filter tensors stay as built
    src = str(tmp_path / 'last_iteration.tar')
    torch.save(
        dict(
            epoch=10,
            fs_type=filter_type or 'gau',  # train.py stores its --filter
            fs_kernel_size=5,
            D_type='FSD',
            model_g_state_dict=generator.state_dict(),
            models_d_state_dict=dict(discriminator.state_dict(), **extra)),
        src)
    return src, generator, discriminator


def dsn_config(repo_root, filter_type) -> Config:
    cfg = tiny_config(repo_root, 'dasr/official/dsn_official_aim.py',
                      dict(mid_channels=4, num_blocks=1))
    cfg.model.discriminator.mid_channels = 4
    cfg.model.discriminator.extractor = FILTERS[filter_type]
    return cfg


@pytest.mark.parametrize('filter_type', list(FILTERS))
def test_fsd_discriminator_converts_and_matches_their_forward(
        tmp_path, repo_root, filter_type):
    src, their_g, their_d = dsn_release(tmp_path, filter_type)
    cfg = dsn_config(repo_root, filter_type)
    dst = str(tmp_path / 'dsn.pth')
    report = convert_official_checkpoint(src, dst, cfg)
    assert 'discriminator.patch_net.8.weight' in report.converted
    assert not any(
        k.startswith(('generator.', 'discriminator.'))
        for k in report.filled_from_config)
    assert any(str(FILTERS[filter_type]) in n for n in report.notes)
    model = build_model(cfg, dst, strict=True).eval()
    # odd sides: their reflect-padded Haar, zero-padded / inside-mean blurs
    x = torch.rand(2, 3, 25, 31, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(
            model.discriminator.domain_distance_map(x), their_d(x))
        hr = x[..., :24, :28]  # the DSN needs multiples of its scale
        torch.testing.assert_close(model.generator(hr), their_g(hr))
    assert model.discriminator.receptive_field == 13


def test_converted_discriminator_exports_their_maps(tmp_path, repo_root):
    src, _, their_d = dsn_release(tmp_path, 'wavelet')
    cfg = dsn_config(repo_root, 'wavelet')
    dst = str(tmp_path / 'dsn.pth')
    convert_official_checkpoint(src, dst, cfg)
    hr_dir = tmp_path / 'hr'
    hr_dir.mkdir()
    rng = np.random.default_rng(0)
    cv2.imwrite(  # LR 29 x 37: odd sides, reflect-padded before D
        str(hr_dir / 'photo.png'),
        rng.integers(0, 256, (116, 148, 3), dtype=np.uint8))
    out = tmp_path / 'export'
    export_from_config(
        cfg,
        dst,
        out_dir=str(out),
        hr_dir=str(hr_dir),
        tile_size=32,  # several tiles: exact tiling of their D as well
        device='cpu',
        show_progress=False)
    lr = cv2.imread(str(out / 'lr' / 'photo.png'))[..., ::-1]
    assert lr.shape == (29, 37, 3)
    lr = torch.from_numpy(lr.copy()).permute(2, 0, 1)[None].float() / 255.
    with torch.no_grad():
        expected = their_d(lr)[0, 0].numpy()
    exported = np.load(out / 'maps' / 'photo.npy')
    assert exported.shape == expected.shape == (15, 19)
    np.testing.assert_allclose(exported, expected, atol=1e-3)


def test_discriminator_of_another_filter_is_refused_with_the_fix(
        tmp_path, repo_root):
    src, _, _ = dsn_release(tmp_path, 'wavelet')
    cfg = dsn_config(repo_root, 'avg_pool')
    with pytest.raises(OfficialCheckpointError) as e:
        convert_official_checkpoint(src, str(tmp_path / 'a.pth'), cfg)
    assert "model.discriminator.extractor={'mode': 'wavelet', " \
        "'variant': 'official'}" in str(e.value)
    assert not os.path.exists(tmp_path / 'a.pth')


@pytest.mark.parametrize('change, message', [
    (dict(extra={'net.net.3.running_mean': torch.zeros(8)}),
     'BatchNorm.*net.net.3.running_mean'),
    (dict(extra={'net.net.9.weight': torch.zeros(1)}),
     'outside the layout: net.net.9.weight'),
    (dict(drop='net.net.8.bias'), 'missing: net.net.8.bias'),
    (dict(d_type='nld_s1'), "D_type='nld_s1'"),
    (dict(extra={'DWT2.h1_col': torch.ones(1, 1, 2, 1)}),
     'is not the Haar filter'),
    (dict(extra={'net.net.0.weight': torch.zeros(4, 3, 5, 5)}),
     r'summed wavelet bands \(--cat_or_sum sum\)'),
])
def test_fsd_keys_that_do_not_fit_are_named(tmp_path, repo_root, change,
                                            message):
    src, _, _ = dsn_release(tmp_path, 'wavelet', **change.get('extra', {}))
    release = torch.load(src, weights_only=True)
    release['models_d_state_dict'].pop(change.get('drop'), None)
    release['D_type'] = change.get('d_type', 'FSD')
    torch.save(release, src)
    with pytest.raises(OfficialCheckpointError, match=message):
        convert_official_checkpoint(src, str(tmp_path / 'a.pth'),
                                    dsn_config(repo_root, 'wavelet'))


@pytest.mark.parametrize('upscale', [4, 1])
def test_srn_release_converts_and_matches_their_forward(
        tmp_path, repo_root, upscale):
    theirs = randomised(TheirRRDBNet(nf=4, nb=2, gc=2, upscale=upscale))
    src = str(tmp_path / 'srn.pth')
    torch.save(theirs.state_dict(), src)  # their SRN files: a bare dict
    generator = dict(mid_channels=4, num_blocks=2, growth_channels=2)
    if upscale == 1:
        generator = dict(
            generator,
            type='RRDBNetNoUpsample',
            _delete_=True,
            in_channels=3,
            out_channels=3)
    cfg = tiny_config(repo_root, 'dasr/srn_aim.py', {})
    cfg.merge_from_dict(dict(model=dict(generator=generator)))
    dst = str(tmp_path / 'srn_converted.pth')
    report = convert_official_checkpoint(src, dst, cfg)
    assert report.kind == 'srn'
    assert 'generator.body.1.rdb3.conv5.weight' in report.converted
    assert 'discriminator.net.model.0.conv.weight' in report.filled_from_config
    model = build_model(cfg, dst, strict=True)
    x = torch.rand(1, 3, 10, 12)
    with torch.no_grad():
        ours = model.generator.eval()(x)
        torch.testing.assert_close(ours, theirs(x))
    assert ours.shape[-2:] == (10 * upscale, 12 * upscale)


def test_unknown_and_mismatched_keys_are_named(tmp_path, repo_root):
    theirs = TheirRRDBNet(nf=4, nb=2, gc=2, upscale=4)
    state = theirs.state_dict()
    state['model.1.sub.0.RDB1.extra.weight'] = torch.zeros(1)
    src = str(tmp_path / 'odd.pth')
    torch.save(state, src)
    cfg = tiny_config(repo_root, 'dasr/srn_aim.py',
                      dict(mid_channels=4, num_blocks=2, growth_channels=2))
    with pytest.raises(
            OfficialCheckpointError, match='model.1.sub.0.RDB1.extra.weight'):
        convert_official_checkpoint(src, str(tmp_path / 'a.pth'), cfg)
    torch.save(theirs.state_dict(), src)
    wide = tiny_config(repo_root, 'dasr/srn_aim.py',
                       dict(mid_channels=8, num_blocks=3, growth_channels=2))
    with pytest.raises(OfficialCheckpointError) as e:
        convert_official_checkpoint(src, str(tmp_path / 'b.pth'), wide)
    message = str(e.value)
    assert 'generator.body.0.rdb1.conv1.weight: release (2, 4, 3, 3), ' \
        'config (2, 8, 3, 3)' in message
    assert 'missing from the release' in message
    assert 'generator.body.2.rdb1.conv1.weight' in message
    assert not os.path.exists(tmp_path / 'b.pth')


def test_x2_release_and_foreign_files_are_refused(tmp_path, repo_root):
    src = str(tmp_path / 'x2.pth')
    torch.save(TheirRRDBNet(nf=4, nb=1, gc=2, upscale=2).state_dict(), src)
    cfg = tiny_config(repo_root, 'dasr/srn_aim.py', {})
    with pytest.raises(OfficialCheckpointError, match='x2 RRDB_arch'):
        convert_official_checkpoint(src, str(tmp_path / 'out.pth'), cfg)
    with pytest.raises(OfficialCheckpointError, match='not a DASR release'):
        detect_kind({'conv_first.weight': torch.zeros(1)})


def test_convert_cli(tmp_path, repo_root):
    theirs = TheirRRDBNet(nf=4, nb=1, gc=2, upscale=4)
    src, dst = str(tmp_path / 'srn.pth'), str(tmp_path / 'out.pth')
    torch.save(theirs.state_dict(), src)
    config = str(tmp_path / 'srn_tiny.py')
    tiny_config(repo_root, 'dasr/srn_aim.py',
                dict(mid_channels=4, num_blocks=1,
                     growth_channels=2)).dump(config)
    proc = subprocess.run([
        sys.executable, f'{repo_root}/tools/convert_official_ckpt.py', src,
        dst, '--config', config
    ],
                          capture_output=True,
                          text=True,
                          env=dict(
                              os.environ,
                              PYTHONPATH=repo_root,
                              OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f'SRN release: {len(theirs.state_dict())} weights' in proc.stdout
    assert 'come from the config' in proc.stdout
    assert torch.load(dst, weights_only=True)['meta']['release_kind'] == 'srn'
