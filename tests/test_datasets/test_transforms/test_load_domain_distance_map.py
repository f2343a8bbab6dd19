import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dasr_mm.datasets.transforms import LoadDomainDistanceMap
from dasr_mm.utils.io import atomic_save_npy


def test_ones_without_path():
    results = dict(gt=np.zeros((20, 12, 3), np.uint8), weight_path=None)
    out = LoadDomainDistanceMap()(results)
    assert out['weight'].shape == (20, 12, 1)
    assert out['weight'].dtype == np.float32 and (out['weight'] == 1).all()
    out = LoadDomainDistanceMap()(dict(gt=np.zeros((5, 4, 3), np.uint8)))
    assert out['weight'].shape == (5, 4, 1) and (out['weight'] == 1).all()


@pytest.mark.parametrize('hr_size', [(28, 20), (25, 19), (31, 23)])
def test_map_is_upsampled_by_its_stride_and_anchored_top_left(
        tmp_path, hr_size):
    """Map value (i, j) belongs to HR block [4i, 4i+4) x [4j, 4j+4) whatever
    the HR size: exact bilinear x4 up-sampling, then cut (HR smaller than
    the map's grid) or edge-extended (larger) at the bottom/right."""
    rng = np.random.default_rng(0)
    weight_map = rng.random((7, 5)).astype(np.float16)
    path = str(tmp_path / 'a.npy')
    atomic_save_npy(path, weight_map)
    out = LoadDomainDistanceMap(key='w', size_key='hr')(
        dict(hr=np.zeros((*hr_size, 3), np.uint8), w_path=path, w_stride=4))
    grid = F.interpolate(
        torch.from_numpy(weight_map.astype(np.float32))[None, None],
        scale_factor=4, mode='bilinear', align_corners=False)[0, 0].numpy()
    h, w = (min(a, b) for a, b in zip(hr_size, grid.shape))
    assert out['w'].shape == (*hr_size, 1) and out['w'].dtype == np.float32
    np.testing.assert_allclose(out['w'][:h, :w, 0], grid[:h, :w], atol=1e-5)
    if hr_size[0] > grid.shape[0]:  # edge-extended rows repeat the last one
        assert (out['w'][grid.shape[0]:, :w, 0] == grid[-1, :w]).all()


def test_map_without_stride_is_refused(tmp_path):
    path = str(tmp_path / 'a.npy')
    atomic_save_npy(path, np.ones((2, 2), np.float16))
    with pytest.raises(KeyError, match='weight_stride.*map_stride'):
        LoadDomainDistanceMap()(
            dict(gt=np.zeros((8, 8, 3), np.uint8), weight_path=path))


def test_values_are_clipped_to_unit_range(tmp_path):
    path = str(tmp_path / 'a.npy')
    atomic_save_npy(path, np.array([[1.5, -0.5]], np.float16))
    out = LoadDomainDistanceMap()(
        dict(gt=np.zeros((2, 4, 3), np.uint8), weight_path=path,
             weight_stride=2))
    assert out['weight'].max() == 1. and out['weight'].min() == 0.


@pytest.mark.parametrize('bad', [
    np.zeros((2, 3, 4), np.float16),
    np.array([[0.5, np.nan]], np.float16),
])
def test_bad_map_is_refused(tmp_path, bad):
    path = str(tmp_path / 'bad.npy')
    atomic_save_npy(path, bad)
    with pytest.raises(ValueError, match='bad.npy.*re-run the export'):
        LoadDomainDistanceMap()(
            dict(gt=np.zeros((4, 6, 3), np.uint8), weight_path=path,
                 weight_stride=2))
