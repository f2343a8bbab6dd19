"""PairedImageFolderDataset: val/test pairs are checked when the dataset is
built, which the Runner does before the first training iteration."""
import glob
import os
import os.path as osp

import numpy as np
import pytest

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import load_config, train
from dasr_mm.datasets import DatasetValidationError, PairedImageFolderDataset
from dasr_mm.utils.io import atomic_save_image

PIPELINE = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs')
]


def _img(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), np.uint8)


def _dataset(root, **kwargs):
    kwargs.setdefault('data_prefix', dict(img='val/lr', gt='val/hr'))
    kwargs.setdefault('scale', 4)
    return PairedImageFolderDataset(
        data_root=root, pipeline=PIPELINE, **kwargs)


def test_pairs_are_matched_by_stem_across_extensions(tiny_dasr_root):
    root = tiny_dasr_root()
    os.rename(osp.join(root, 'val/hr/1.png'), osp.join(root, 'val/hr/1.bmp'))
    dataset = _dataset(root)
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['key'] == '1'
    assert info['img_path'].endswith('val/lr/1.png')
    assert info['gt_path'].endswith('val/hr/1.bmp')
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 10, 12)
    assert tuple(sample['data_samples'].gt_img.shape) == (3, 40, 48)
    # stage 1 reads the other way round: img = HR, gt = LR
    stage1 = _dataset(
        root, data_prefix=dict(img='val/hr', gt='val/lr'), lr_key='gt')
    assert tuple(stage1[0]['inputs'].shape) == (3, 40, 48)


def test_lr_not_hr_over_scale_names_the_pair(tiny_dasr_root):
    root = tiny_dasr_root()
    atomic_save_image(osp.join(root, 'val/lr/0.png'), _img(30, 30))
    atomic_save_image(osp.join(root, 'val/hr/0.png'), _img(128, 128))
    with pytest.raises(DatasetValidationError) as e:
        _dataset(root)
    message = str(e.value)
    assert "'0': HR is 128x128 px but LR is 30x30 px" in message
    assert 'scale 4 the HR must be 120x120' in message


def test_hr_without_lr_partner_is_named(tiny_dasr_root):
    root = tiny_dasr_root()
    os.remove(osp.join(root, 'val/lr/1.png'))
    with pytest.raises(DatasetValidationError,
                       match=r"'1.png' in '.*val/hr' has no LR partner"):
        _dataset(root)


def test_lr_without_hr_partner_is_named_not_dropped(tiny_dasr_root):
    root = tiny_dasr_root()
    os.remove(osp.join(root, 'val/hr/1.png'))
    with pytest.raises(DatasetValidationError,
                       match=r"'1.png' in '.*val/lr' has no HR partner"):
        _dataset(root)


def test_bad_arguments(tiny_dasr_root):
    root = tiny_dasr_root()
    with pytest.raises(ValueError, match='img and gt'):
        _dataset(root, data_prefix=dict(img='val/lr'))
    with pytest.raises(ValueError, match='lr_key'):
        _dataset(root, lr_key='lq')


def test_bad_val_pair_fails_before_the_first_iteration(
        tiny_dasr_root, tmp_path, repo_root):
    """Stage 1 at demo scale in process: the val check raises when the
    Runner builds the val loop, before any iteration, checkpoint or
    ``Iter(train)`` log line."""
    root = tiny_dasr_root()
    atomic_save_image(osp.join(root, 'val/lr/0.png'), _img(30, 30))
    atomic_save_image(osp.join(root, 'val/hr/0.png'), _img(128, 128))
    work_dir = str(tmp_path / 'work')
    options = {
        'data_root': root,
        'train_dataloader.batch_size': 1,
        'experiment_name': 'bad_val_pair'
    }
    config = f'{repo_root}/configs/dasr/dsn_demo.py'
    cfg = load_config(config, cfg_options=options)
    assert cfg.val_dataloader.dataset.type == 'PairedImageFolderDataset'
    with pytest.raises(DatasetValidationError) as e:
        train(config, work_dir=work_dir, cfg_options=options)
    assert "'0': HR is 128x128 px but LR is 30x30 px" in str(e.value)
    assert not glob.glob(osp.join(work_dir, '**', '*.pth'), recursive=True)
    logs = glob.glob(osp.join(work_dir, '**', '*.log'), recursive=True)
    assert all('Iter(train)' not in open(log).read() for log in logs)
