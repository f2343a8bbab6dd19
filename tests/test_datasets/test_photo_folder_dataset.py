"""PhotoFolderDataset: a GT-less folder of photos, checked when built."""
import os.path as osp

import numpy as np
import pytest

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.datasets import DatasetValidationError, PhotoFolderDataset
from dasr_mm.utils.io import atomic_save_image

PIPELINE = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='PackInputs')
]


def _photos(folder, sizes):
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate(sizes):
        atomic_save_image(
            osp.join(folder, f'p{i}.png'),
            rng.integers(0, 256, (h, w, 3), np.uint8))


def test_lists_the_photos_and_loads_them_without_gt(tmp_path):
    _photos(tmp_path / 'mine', [(30, 40), (28, 28)])
    dataset = PhotoFolderDataset(
        data_root=str(tmp_path / 'mine'), pipeline=PIPELINE, min_size=26)
    assert len(dataset) == 2
    assert [dataset.get_data_info(i)['key'] for i in range(2)] == ['p0', 'p1']
    assert 'gt_path' not in dataset.get_data_info(0)
    sample = dataset[0]
    assert tuple(sample['inputs'].shape) == (3, 30, 40)
    assert 'gt_img' not in sample['data_samples']
    sub = PhotoFolderDataset(
        data_root=str(tmp_path), data_prefix=dict(img='mine'),
        pipeline=PIPELINE)
    assert len(sub) == 2


def test_too_small_and_missing_are_named_before_testing(tmp_path):
    _photos(tmp_path / 'mine', [(30, 40), (20, 50)])
    with pytest.raises(DatasetValidationError) as e:
        PhotoFolderDataset(
            data_root=str(tmp_path / 'mine'), pipeline=PIPELINE,
            min_size=26, size_key='test_dataloader.1.dataset.min_size')
    message = str(e.value)
    assert "'p1.png' is 50x20 px" in message and 'p0.png' not in message
    assert 'minimum of 26 px' in message
    assert 'test_dataloader.1.dataset.min_size' in message
    with pytest.raises(DatasetValidationError, match='does not exist'):
        PhotoFolderDataset(
            data_root=str(tmp_path / 'nowhere'), pipeline=PIPELINE)
    with pytest.raises(ValueError, match='only the key img'):
        PhotoFolderDataset(
            data_root=str(tmp_path), pipeline=PIPELINE,
            data_prefix=dict(img='a', gt='b'))
