import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner

from dasr_mm.datasets import DatasetValidationError
from mmagic.models import DataPreprocessor
from mmagic.registry import DATASETS


def stage1_pipeline(hr_crop: int, lr_crop: int) -> list:
    """The stage-1 pipeline recommended for configs (sizes shrunk)."""
    load = dict(type='LoadImageFromFile', color_type='color',
                channel_order='rgb', imdecode_backend='cv2')
    return [
        dict(load, key='img'),
        dict(load, key='gt'),
        dict(type='Crop', keys=['img'], crop_size=(hr_crop, hr_crop)),
        dict(type='Crop', keys=['gt'], crop_size=(lr_crop, lr_crop)),
        dict(type='Flip', keys=['img', 'gt'], direction='horizontal'),
        dict(type='Flip', keys=['img', 'gt'], direction='vertical'),
        dict(type='RandomTransposeHW', keys=['img', 'gt']),
        dict(type='PackInputs'),
    ]


def build(root, scale, hr_crop=32, **kwargs):
    return DATASETS.build(
        dict(type='UnpairedSRImageDataset', data_root=root, scale=scale,
             min_hr_size=hr_crop,
             pipeline=stage1_pipeline(hr_crop, hr_crop // scale), **kwargs))


@pytest.mark.parametrize('scale', [4, 2, 1])
def test_sample_shapes_and_sources(make_data_root, scale):
    root, _ = make_data_root(lr_size=(40, 36))
    dataset = build(root, scale)
    np.random.seed(0)
    sample = dataset[0]
    img, gt = sample['inputs'], sample['data_samples'].gt_img
    assert img.shape == (3, 32, 32) and img.dtype == torch.uint8
    assert gt.shape == (3, 32 // scale, 32 // scale)
    # HR: R = 2y is even, B random; real LR: R = 1 and B = 255 (RGB order).
    assert (img[0] % 2 == 0).all() and not (img[2] == 255).all()
    assert (gt[0] == 1).all() and (gt[2] == 255).all()
    meta = sample['data_samples'].metainfo
    assert osp.dirname(meta['img_path']) == osp.join(root, 'hr')
    assert osp.dirname(meta['gt_path']) == osp.join(root, 'real_lr')


def test_length_and_sampling(make_data_root):
    root, arrays = make_data_root(n_hr=3, n_lr=5)
    dataset = build(root, 4)
    assert len(dataset) == 5
    assert len(build(root, 4, num_samples=7)) == 7
    hr_names = sorted(arrays['hr'])
    for idx in range(7):
        info = dataset.get_data_info(idx)
        assert osp.basename(info['img_path']) == hr_names[idx % 3]
        assert info['sample_idx'] == idx

    def draws(seed):
        np.random.seed(seed)
        return [dataset.get_data_info(0)['gt_path'] for _ in range(40)]

    first = draws(1)
    assert len(set(first)) == 5  # every real LR is reachable, per call
    assert draws(1) == first  # reproducible from the (worker) seed
    assert draws(2) != first


def test_collate_and_preprocess(make_data_root):
    root, _ = make_data_root()
    dataset = build(root, 4)
    batch = pseudo_collate([dataset[i] for i in range(3)])
    out = DataPreprocessor(mean=[0.] * 3, std=[255.] * 3)(batch, True)
    inputs, gt = out['inputs'], out['data_samples'].gt_img
    assert inputs.shape == (3, 3, 32, 32) and gt.shape == (3, 3, 8, 8)
    assert inputs.dtype == gt.dtype == torch.float32
    assert 0 <= inputs.min() and inputs.max() <= 1 and gt.max() == 1.


def test_hr_smaller_than_crop_is_rejected(make_data_root):
    root, _ = make_data_root(hr_size=(96, 30))
    with pytest.raises(DatasetValidationError, match=r'hr_00\.png.*30') as e:
        build(root, 4)
    # names the config key to change
    assert 'lower train_dataloader.dataset.min_hr_size' in str(e.value)


def test_real_lr_smaller_than_lr_crop_is_rejected(make_data_root):
    root, _ = make_data_root(lr_size=(7, 40))
    with pytest.raises(DatasetValidationError, match='real_00.png') as e:
        build(root, 4)  # LR crop 32 // 4 = 8 > 7
    assert 'lower train_dataloader.dataset.min_hr_size (real LR needs ' \
        'min_hr_size // scale = 8 px' in str(e.value)


def test_empty_real_lr_is_rejected(make_data_root):
    root, _ = make_data_root(n_lr=0)
    with pytest.raises(DatasetValidationError, match='no images'):
        build(root, 4)


def test_unreadable_file_is_rejected(make_data_root):
    root, _ = make_data_root()
    with open(osp.join(root, 'real_lr', 'broken.png'), 'wb') as f:
        f.write(b'not a png')
    with pytest.raises(DatasetValidationError, match='broken.png'):
        build(root, 4)


def test_bad_arguments(make_data_root):
    root, _ = make_data_root()
    with pytest.raises(ValueError, match='min_hr_size'):
        build(root, 4, hr_crop=2)
    with pytest.raises(ValueError, match='num_samples'):
        build(root, 4, num_samples=0)


def test_worker_seeding_in_dataloader(make_data_root):
    """Real-LR draws happen in the workers, differ between workers and
    follow the run's seed (mmengine's worker_init_fn)."""
    root, _ = make_data_root(n_hr=2, n_lr=6)
    dataset = build(root, 4, num_samples=16)

    def draws(seed):
        loader = Runner.build_dataloader(
            dict(batch_size=1, num_workers=2, dataset=dataset,
                 sampler=dict(type='DefaultSampler', shuffle=False),
                 collate_fn=dict(type='pseudo_collate')),
            seed=seed)
        return [b['data_samples'][0].gt_path for b in loader]

    first = draws(0)
    assert draws(0) == first
    assert first[0::2] != first[1::2]  # workers 0 and 1 draw differently
    assert draws(1) != first
