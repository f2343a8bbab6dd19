"""Conversion of the authors' released checkpoints
(dasr_mm/apis/official_checkpoint.py, tools/convert_official_ckpt.py).

Their architectures are written here after their code (codes/DSN/model.py
``De_resnet``, codes/SRN/models/modules/architecture.py ``RRDBNet`` with
block.py's ``sequential`` flattening), with the module names that give their
state-dict layout; random weights in that layout are converted, loaded
strictly into our models, and the forwards compared."""
import os
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

import dasr_mm  # noqa: F401
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
            models_d_state_dict={'net.net.0.weight': torch.zeros(1)},
            optimizer_g_state_dict={}), src)
    cfg = tiny_config(repo_root, 'dasr/official/dsn_official_aim.py',
                      dict(mid_channels=4, num_blocks=2, scale=scale))
    dst = str(tmp_path / 'dsn.pth')
    report = convert_official_checkpoint(src, dst, cfg)
    assert report.kind == 'dsn'
    assert len(report.converted) == len(theirs.state_dict())
    assert any('discriminator' in n for n in report.notes)
    assert all(not k.startswith('generator.')
               for k in report.filled_from_config)
    model = build_model(cfg, dst, strict=True)
    x = torch.rand(1, 3, 24, 32)
    with torch.no_grad():
        torch.testing.assert_close(model.generator.eval()(x), theirs(x))


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
    assert 'discriminator.patch_net.0.weight' in report.filled_from_config
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
