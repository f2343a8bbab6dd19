"""DomainDistanceMapExportHook: exports after training, never otherwise."""
import os.path as osp
import socket
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch.distributed as dist
from mmengine.model import MMSeparateDistributedDataParallel

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.engine.hooks import DomainDistanceMapExportHook
from dasr_mm.engine.hooks import domain_distance_map_export_hook as hook_mod
from dasr_mm.utils.manifest import (check_manifest, load_manifest, lr_path,
                                    map_path)
from tests.helpers.tiny_stage1 import TinyStage1

IMAGES = {'x.png': (32, 40), 'y.png': (24, 24)}


@pytest.fixture
def hr_dir(tmp_path) -> str:
    folder = tmp_path / 'hr'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, (h, w) in IMAGES.items():
        cv2.imwrite(
            str(folder / name), rng.integers(0, 256, (h, w, 3), np.uint8))
    return str(folder)


@pytest.fixture
def runner(tmp_path) -> SimpleNamespace:
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    (work_dir /
     'last_checkpoint').write_text(str(work_dir / 'iter_10.pth') + '\n')
    return SimpleNamespace(work_dir=str(work_dir), model=TinyStage1())


def test_after_train_exports_to_work_dir(hr_dir, runner):
    hook = DomainDistanceMapExportHook(hr_dir=hr_dir)
    hook.after_train(runner)
    out = osp.join(runner.work_dir, 'export')
    manifest = load_manifest(out)
    check_manifest(
        manifest,
        extractor={'mode': 'wavelet'},
        scale=2,
        images=sorted(IMAGES),
        export_dir=out)
    assert manifest['dsn_checkpoint'] == osp.join(runner.work_dir,
                                                  'iter_10.pth')
    for name, (h, w) in IMAGES.items():
        lr = cv2.imread(lr_path(out, name))
        assert lr.shape == (h // 4 * 2, w // 4 * 2, 3)
        assert np.load(map_path(out, name)).shape == (h // 4, w // 4)


def test_settings_are_passed(hr_dir, runner, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(hook_mod, 'export_from_model',
                        lambda *a, **kw: calls.append((a, kw)))
    (tmp_path / 'work' / 'last_checkpoint').unlink()
    hook = DomainDistanceMapExportHook(
        hr_dir=hr_dir,
        out_dir='/elsewhere',
        tile_size=64,
        tile_overlap=30,
        rf_average=True,
        overwrite=True)
    hook.after_train(runner)
    assert calls == [((runner.model, hr_dir, '/elsewhere'),
                      dict(
                          dsn_checkpoint=None,
                          tile_size=64,
                          tile_overlap=30,
                          rf_average=True,
                          overwrite=True))]


def test_no_export_outside_after_train(hr_dir, runner, monkeypatch):

    def fail(*args, **kwargs):
        raise AssertionError('exported outside after_train')

    monkeypatch.setattr(hook_mod, 'export_from_model', fail)
    hook = DomainDistanceMapExportHook(hr_dir=hr_dir)
    batch = dict(inputs=None)
    hook.before_run(runner)
    hook.before_train(runner)
    hook.after_train_iter(runner, 0, batch, {})
    hook.after_train_epoch(runner)
    hook.before_val(runner)
    hook.after_val_iter(runner, 0, batch, [])
    hook.after_val_epoch(runner, {})
    hook.after_val(runner)
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, batch, [])
    hook.after_test_epoch(runner, {})
    hook.after_test(runner)
    hook.after_run(runner)
    assert not osp.exists(osp.join(runner.work_dir, 'export'))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_wrapped_model_under_distributed(hr_dir, runner):
    """A DDP-wrapped model (mmengine's separate DDP, as for GAN editors) in
    an initialised (1-process) group."""
    reference = osp.join(runner.work_dir, 'reference')
    DomainDistanceMapExportHook(
        hr_dir=hr_dir, out_dir=reference).after_train(runner)
    dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{_free_port()}',
        rank=0,
        world_size=1)
    try:
        runner.model = MMSeparateDistributedDataParallel(runner.model)
        DomainDistanceMapExportHook(hr_dir=hr_dir).after_train(runner)
    finally:
        dist.destroy_process_group()
    out = osp.join(runner.work_dir, 'export')
    assert load_manifest(out)['complete'] is True
    for name in IMAGES:
        np.testing.assert_array_equal(
            cv2.imread(lr_path(out, name)),
            cv2.imread(lr_path(reference, name)))
        np.testing.assert_array_equal(
            np.load(map_path(out, name)), np.load(map_path(reference, name)))


@pytest.mark.parametrize('hook_type', [
    'DomainDistanceMapExportHook', 'mmagic.DomainDistanceMapExportHook',
    DomainDistanceMapExportHook
])
def test_find_export_hook_in_a_config(hook_type):
    from mmengine.config import Config
    cfg = Config(
        dict(custom_hooks=[
            dict(type='EMAHook'),
            dict(type=hook_type, hr_dir='hr', tile_size=64, priority=80)
        ]))
    hook = hook_mod.find_export_hook(cfg)
    assert hook is cfg.custom_hooks[1]  # the config's own entry, editable
    assert hook_mod.export_hook_settings(cfg) == dict(
        hr_dir='hr', tile_size=64)
    assert hook_mod.find_export_hook(Config(dict(custom_hooks=[]))) is None
    assert hook_mod.export_hook_settings(Config({})) == {}
