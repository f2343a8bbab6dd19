import numpy as np
import pytest

from dasr_mm.datasets.transforms import MatlabBicubicDownsample
from mmagic.datasets.transforms import MATLABLikeResize
from mmagic.registry import TRANSFORMS


@pytest.mark.parametrize('scale, hr, lr', [(4, (32, 30), (8, 8)),
                                           (3, (31, 27), (11, 9)),
                                           (2, (16, 14), (8, 7))])
def test_uint8_output_of_ceil_size(scale, hr, lr):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (*hr, 3)).astype(np.uint8)
    out = TRANSFORMS.build(
        dict(type='MatlabBicubicDownsample', scale=scale))(dict(gt=img))
    assert out['img'].shape == (*lr, 3) and out['img'].dtype == np.uint8
    # same filter as mmagic's MATLABLikeResize, rounded and clipped
    reference = MATLABLikeResize(keys=None, scale=1 / scale)._resize(img)
    np.testing.assert_array_equal(
        out['img'], np.clip(np.rint(reference), 0, 255))
    assert out['gt'] is img


def test_overshoot_is_clipped_and_constant_kept():
    edge = np.zeros((32, 32, 3), np.uint8)
    edge[:, 16:] = 255
    edge[:, 17:18] = 0  # thin dark line next to a bright area: overshoot
    float_result = MATLABLikeResize(keys=None, scale=0.5)._resize(edge)
    assert float_result.min() < -0.5 or float_result.max() > 255.5
    out = MatlabBicubicDownsample(scale=2)(dict(gt=edge))['img']
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.clip(np.rint(float_result), 0, 255))
    flat = np.full((20, 24, 3), 77, np.uint8)
    out = MatlabBicubicDownsample(scale=4)(dict(gt=flat))['img']
    assert out.shape == (5, 6, 3) and (out == 77).all()


def test_scale_one_copies_and_metadata_follows():
    img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    results = dict(hr=img, hr_channel_order='rgb', hr_color_type='color')
    out = MatlabBicubicDownsample(1, src_key='hr', dst_key='lr')(results)
    np.testing.assert_array_equal(out['lr'], img)
    assert out['lr'] is not img  # in-place flips must not hit both keys
    assert out['lr_channel_order'] == 'rgb'
    assert out['lr_color_type'] == 'color'
