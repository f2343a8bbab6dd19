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


def test_bilinear_resize_to_hr_size(tmp_path):
    rng = np.random.default_rng(0)
    weight_map = rng.random((7, 5)).astype(np.float16)
    path = str(tmp_path / 'a.npy')
    atomic_save_npy(path, weight_map)
    out = LoadDomainDistanceMap(key='w', size_key='hr')(
        dict(hr=np.zeros((28, 20, 3), np.uint8), w_path=path))
    reference = F.interpolate(
        torch.from_numpy(weight_map.astype(np.float32))[None, None],
        size=(28, 20), mode='bilinear', align_corners=False)[0, 0].numpy()
    assert out['w'].shape == (28, 20, 1) and out['w'].dtype == np.float32
    np.testing.assert_allclose(out['w'][..., 0], reference, atol=1e-5)


def test_values_are_clipped_to_unit_range(tmp_path):
    path = str(tmp_path / 'a.npy')
    atomic_save_npy(path, np.array([[1.5, -0.5]], np.float16))
    out = LoadDomainDistanceMap()(
        dict(gt=np.zeros((2, 4, 3), np.uint8), weight_path=path))
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
            dict(gt=np.zeros((4, 6, 3), np.uint8), weight_path=path))
