import os
import os.path as osp
from typing import Callable, Dict, Optional

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate

from dasr_mm.datasets import DatasetValidationError
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy)
from dasr_mm.utils.manifest import (MANIFEST_NAME, ManifestError,
                                    build_manifest, lr_path, map_path)
from mmagic.datasets.transforms import MATLABLikeResize
from mmagic.models import DataPreprocessor
from mmagic.registry import DATASETS

P = 8  # LR patch size
KEYS = ['img', 'gt', 'weight', 'target_img', 'target_gt']
EXTRACTOR = dict(mode='wavelet')


def box_downsample(img: np.ndarray, scale: int) -> np.ndarray:
    """Exact s x s block mean of an (H, W, C) uint8 image, rounded."""
    h, w, c = img.shape
    blocks = img.reshape(h // scale, scale, w // scale, scale, c)
    return np.rint(blocks.astype(np.float64).mean(axis=(1, 3))).astype(
        np.uint8)


@pytest.fixture
def make_export(tmp_path) -> Callable:
    """Factory: an export of ``hr`` arrays whose LR is the exact box
    down-sample and whose maps are ``map_fn(h_lr, w_lr)`` (default: a ramp
    of the contract's size, ``ceil`` of half the LR size), saved as
    float16."""

    def ramp(h_lr: int, w_lr: int) -> np.ndarray:
        h, w = -(-h_lr // 2), -(-w_lr // 2)
        return (np.arange(h * w).reshape(h, w) / (h * w)).astype(np.float16)

    def make(hr: Dict[str, np.ndarray],
             scale: int,
             map_fn: Optional[Callable] = None,
             manifest_overrides: Optional[dict] = None,
             name: str = 'export'):
        export_dir = str(tmp_path / name)
        for img_name, img in hr.items():
            lr = box_downsample(img, scale)
            atomic_save_image(lr_path(export_dir, img_name), lr)
            weight = (map_fn or ramp)(*lr.shape[:2])
            atomic_save_npy(map_path(export_dir, img_name), weight)
        manifest = build_manifest(
            dsn_checkpoint='dsn.pth',
            extractor=EXTRACTOR,
            scale=scale,
            map_stride=scale * 2,
            images=list(hr),
            hr_dir=str(tmp_path / 'data' / 'hr'),
            rf_average=False,
            complete=True)
        manifest.update(manifest_overrides or {})
        atomic_save_json(osp.join(export_dir, MANIFEST_NAME), manifest)
        return export_dir

    return make


def stage2_pipeline(scale: int, source: str = 'generated') -> list:
    """The stage-2 pipeline recommended for configs (sizes shrunk)."""
    load = dict(type='LoadImageFromFile', color_type='color',
                channel_order='rgb', imdecode_backend='cv2')
    source_lr = (dict(load, key='img') if source == 'generated' else dict(
        type='MatlabBicubicDownsample', scale=scale))
    return [
        dict(load, key='gt'),
        source_lr,
        dict(type='LoadDomainDistanceMap', key='weight', size_key='gt'),
        dict(type='TripletRandomCrop', lr_patch_size=P, scale=scale),
        dict(load, key='target_img'),
        dict(load, key='target_gt'),
        dict(type='Crop', keys=['target_img'], crop_size=(P, P)),
        dict(type='Crop', keys=['target_gt'],
             crop_size=(P * scale, P * scale)),
        dict(type='Flip', keys=KEYS, direction='horizontal'),
        dict(type='Flip', keys=KEYS, direction='vertical'),
        dict(type='RandomTransposeHW', keys=KEYS),
        dict(type='PackInputs', keys='img',
             data_keys=['weight', 'target_img', 'target_gt']),
    ]


def build(root, scale, export_dir=None, source='generated', **kwargs):
    cfg = dict(
        type='DomainDistanceTripletDataset', data_root=root,
        export_dir=export_dir, extractor=EXTRACTOR, scale=scale,
        source=source, lr_patch_size=P,
        pipeline=stage2_pipeline(scale, source))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


# The 8 symmetries of the square, as functions on (H, W, C) arrays.
SYMMETRIES = [
    lambda a, k=k, f=f: np.rot90(a[:, ::-1] if f else a, k)
    for k in range(4) for f in (False, True)
]


def undo_augmentation(sample):
    """Return ``(gt, img, weight, y0, x0)`` with the flips/transposes undone
    (found from the position-encoding HR: R = 2y, G = 2x) and the HR crop
    offset."""
    ds = sample['data_samples']
    arrays = [
        t.permute(1, 2, 0).numpy()
        for t in (ds.gt_img, sample['inputs'], ds.weight)
    ]
    for sym in SYMMETRIES:
        gt = sym(arrays[0]).astype(int)
        y0, x0 = gt[0, 0, 0] // 2, gt[0, 0, 1] // 2
        ys, xs = np.mgrid[0:gt.shape[0], 0:gt.shape[1]]
        if (gt[..., 0] == 2 * (y0 + ys)).all() and \
                (gt[..., 1] == 2 * (x0 + xs)).all():
            return gt, sym(arrays[1]), sym(arrays[2]), y0, x0
    raise AssertionError('gt is not an augmented crop of the HR image')


def bilinear(weight_map: np.ndarray, stride: int) -> np.ndarray:
    """Reference: bilinear up-sampling by ``stride`` (half-pixel centres)
    with torch, i.e. map value (i, j) at the centre of HR block
    [i*stride, (i+1)*stride) x [j*stride, (j+1)*stride)."""
    t = torch.from_numpy(weight_map.astype(np.float32))[None, None]
    return F.interpolate(t, scale_factor=stride, mode='bilinear',
                         align_corners=False)[0, 0].numpy()


@pytest.mark.parametrize('scale', [4, 2, 1])
def test_triplet_alignment_after_crop_and_flips(make_data_root, make_export,
                                                scale):
    root, arrays = make_data_root(hr_size=(96, 80))
    export_dir = make_export(arrays['hr'], scale)
    dataset = build(root, scale, export_dir)
    np.random.seed(0)
    used = set()
    for idx in range(24):
        sample = dataset[idx]
        name = osp.basename(sample['data_samples'].gt_path)
        hr = arrays['hr'][name]
        lr = box_downsample(hr, scale)
        ramp = np.load(map_path(export_dir, name))
        full_weight = bilinear(ramp, 2 * scale)
        gt, img, weight, y0, x0 = undo_augmentation(sample)
        ps = P * scale
        assert gt.shape == (ps, ps, 3) and img.shape == (P, P, 3)
        assert y0 % scale == 0 and x0 % scale == 0
        np.testing.assert_array_equal(gt, hr[y0:y0 + ps, x0:x0 + ps])
        np.testing.assert_array_equal(img, box_downsample(
            gt.astype(np.uint8), scale))
        np.testing.assert_array_equal(
            img, lr[y0 // scale:y0 // scale + P, x0 // scale:x0 // scale + P])
        np.testing.assert_allclose(
            weight[..., 0], full_weight[y0:y0 + ps, x0:x0 + ps], atol=1e-5)
        used.add((y0, x0))
        ds = sample['data_samples']
        assert ds.target_img.shape == (3, P, P)
        assert (ds.target_img[0] == 1).all()  # from real_lr/
        assert ds.target_gt.shape == (3, ps, ps)
        assert (ds.target_gt[0] % 2 == 0).all()  # from hr/
    assert len(used) > 10  # random offsets


def test_end_to_end_batch(make_data_root, make_export):
    """dataset -> pseudo_collate -> DataPreprocessor(training=True)."""
    root, arrays = make_data_root()
    # Constant maps 0.75 (exact in float16): the weight must stay 0.75,
    # not be divided by 255.
    export_dir = make_export(
        arrays['hr'], 4,
        map_fn=lambda h, w: np.full((h // 2, w // 2), 0.75, np.float16))
    dataset = build(root, 4, export_dir)
    batch = pseudo_collate([dataset[i] for i in range(3)])
    preprocessor = DataPreprocessor(
        mean=[0.] * 3, std=[255.] * 3,
        data_keys=['gt_img', 'target_img', 'target_gt'])
    out = preprocessor(batch, training=True)
    inputs, ds = out['inputs'], out['data_samples']
    expected = dict(gt_img=(3, 3, 32, 32), weight=(3, 1, 32, 32),
                    target_img=(3, 3, 8, 8), target_gt=(3, 3, 32, 32))
    assert inputs.shape == (3, 3, 8, 8) and inputs.dtype == torch.float32
    for key, shape in expected.items():
        value = getattr(ds, key)
        assert value.shape == shape and value.dtype == torch.float32, key
        assert 0 <= value.min() and value.max() <= 1, key
    assert (ds.weight == 0.75).all()
    # Images divided by 255 exactly once: integer multiples of 1/255,
    # with bright pixels near 1 (B channel random, target B = 255), and the
    # input is still the box down-sample of the target.
    for value in (ds.gt_img, ds.target_img, ds.target_gt):
        scaled = value * 255
        assert torch.allclose(scaled, scaled.round(), atol=1e-3)
        assert value.max() > 0.9
    assert (ds.target_img[:, 2] == 1).all()
    torch.testing.assert_close(
        inputs * 255, F.avg_pool2d(ds.gt_img * 255, 4).round(), atol=1e-3,
        rtol=0)


def test_bicubic_source_needs_no_export(make_data_root):
    root, arrays = make_data_root()
    dataset = build(root, 4, export_dir=None, extractor=None,
                    source='bicubic')
    assert all('img_path' not in dataset.get_data_info(i) for i in range(3))
    matlab = MATLABLikeResize(keys=None, scale=0.25)
    np.random.seed(3)
    for idx in range(4):
        sample = dataset[idx]
        hr = arrays['hr'][osp.basename(sample['data_samples'].gt_path)]
        lr = np.clip(np.rint(matlab._resize(hr)), 0, 255)
        gt, img, weight, y0, x0 = undo_augmentation(sample)
        np.testing.assert_array_equal(
            img, lr[y0 // 4:y0 // 4 + P, x0 // 4:x0 // 4 + P])
        assert weight.shape == (32, 32, 1) and (weight == 1).all()


def test_use_weights_false_gives_ones(make_data_root, make_export):
    root, arrays = make_data_root()
    export_dir = make_export(arrays['hr'], 4)
    dataset = build(root, 4, export_dir, use_weights=False)
    assert dataset.get_data_info(0)['weight_path'] is None
    sample = dataset[0]
    assert (sample['data_samples'].weight == 1).all()
    assert sample['inputs'].shape == (3, P, P)


def test_length_and_random_targets(make_data_root, make_export):
    root, arrays = make_data_root(n_hr=3, n_lr=4)
    dataset = build(root, 4, make_export(arrays['hr'], 4), num_samples=10)
    assert len(dataset) == 10
    assert len(build(root, 4, make_export(arrays['hr'], 4, name='e2'))) == 4
    np.random.seed(0)
    infos = [dataset.get_data_info(4) for _ in range(30)]
    assert {osp.basename(i['gt_path']) for i in infos} == {'hr_01.png'}
    assert len({i['target_img_path'] for i in infos}) == 4
    assert len({i['target_gt_path'] for i in infos}) == 3


@pytest.mark.parametrize('overrides, message', [
    (dict(extractor=dict(mode='gaussian', sigma=1.0)),
     "extractor {'mode': 'gaussian'"),
    (dict(scale=2), 'made at scale 2 but the config expects scale 4'),
    (dict(images=['hr_00.png', 'hr_01.png']), 'image list differs'),
    (dict(complete=False), 'incomplete'),
])
def test_manifest_mismatch_is_refused(make_data_root, make_export, overrides,
                                      message):
    root, arrays = make_data_root()
    export_dir = make_export(arrays['hr'], 4, manifest_overrides=overrides)
    with pytest.raises(ManifestError, match=message) as info:
        build(root, 4, export_dir)
    assert export_dir in str(info.value)


def test_missing_export_is_refused(make_data_root, make_export, tmp_path):
    root, arrays = make_data_root()
    with pytest.raises(ManifestError, match='no export manifest'):
        build(root, 4, str(tmp_path / 'nowhere'))
    export_dir = make_export(arrays['hr'], 4)
    os.remove(map_path(export_dir, 'hr_01.png'))
    with pytest.raises(ManifestError, match=r'1 file\(s\) are missing'):
        build(root, 4, export_dir)


def test_extra_hr_image_not_in_export_is_refused(make_data_root, make_export):
    root, arrays = make_data_root()
    export_dir = make_export(arrays['hr'], 4)
    os.rename(osp.join(root, 'hr', 'hr_00.png'),
              osp.join(root, 'hr', 'hr_99.png'))
    with pytest.raises(ManifestError, match="not exported.*hr_99.png"):
        build(root, 4, export_dir)


def test_hr_image_changed_after_the_export_is_refused(make_data_root,
                                                      make_export):
    root, arrays = make_data_root()
    export_dir = make_export(arrays['hr'], 4)
    atomic_save_image(osp.join(root, 'hr', 'hr_01.png'),
                      np.zeros((120, 100, 3), np.uint8))  # same name, bigger
    with pytest.raises(ManifestError) as e:
        build(root, 4, export_dir)
    message = str(e.value)
    assert '1 exported image(s) do not fit their HR image' in message
    assert 'hr_01.png: HR 120x100 needs LR 30x25' in message
    assert 'Re-run the export' in message


def test_folder_validation(make_data_root, make_export):
    root, arrays = make_data_root(lr_size=(7, 30))
    with pytest.raises(DatasetValidationError, match='real_00.png') as e:
        build(root, 4, make_export(arrays['hr'], 4))  # real LR < P = 8
    assert 'lower train_dataloader.dataset.lr_patch_size' in str(e.value)


def test_pipeline_must_match_source(make_data_root, make_export):
    root, arrays = make_data_root()
    export_dir = make_export(arrays['hr'], 4)
    with pytest.raises(ValueError, match='lacks MatlabBicubicDownsample'):
        build(root, 4, export_dir, source='bicubic',
              pipeline=stage2_pipeline(4, 'generated'))
    with pytest.raises(ValueError, match='contains MatlabBicubicDownsample'):
        build(root, 4, export_dir, pipeline=stage2_pipeline(4, 'bicubic'))
    with pytest.raises(ValueError, match='needs export_dir and extractor'):
        build(root, 4, None)
    with pytest.raises(ValueError, match='source must be one of'):
        build(root, 4, export_dir, source='nearest')
