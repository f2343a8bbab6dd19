import numpy as np
import pytest

from dasr_mm.datasets.transforms import TripletRandomCrop
from mmagic.registry import TRANSFORMS


def make_results(h_hr, w_hr, h_lr, w_lr):
    """Arrays whose values are their pixel positions: gt (y, x, 0), weight
    1000 y + x, img (i, j, 0) in LR pixels."""
    yy, xx = np.mgrid[0:h_hr, 0:w_hr]
    gt = np.stack([yy, xx, yy * 0], -1).astype(np.int32)
    weight = (yy * 1000 + xx).astype(np.float32)[..., None]
    ly, lx = np.mgrid[0:h_lr, 0:w_lr]
    img = np.stack([ly, lx, ly * 0], -1).astype(np.int32)
    return dict(img=img, gt=gt, weight=weight, img_path='lr/a.png',
                gt_path='hr/a.png')


@pytest.mark.parametrize('scale, hr, lr', [
    (4, (90, 78), (22, 19)),  # floor(HR / 4)
    (4, (90, 78), (23, 20)),  # ceil(HR / 4)
    (2, (40, 36), (20, 18)),
    (1, (20, 18), (20, 18)),
])
def test_one_offset_for_all_keys(scale, hr, lr):
    crop = TRANSFORMS.build(
        dict(type='TripletRandomCrop', lr_patch_size=6, scale=scale))
    np.random.seed(0)
    offsets = set()
    for _ in range(60):
        out = crop(make_results(*hr, *lr))
        ps = 6 * scale
        assert out['img'].shape == (6, 6, 3)
        assert out['gt'].shape == (ps, ps, 3)
        assert out['weight'].shape == (ps, ps, 1)
        top, left = out['img'][0, 0, :2]
        # the HR crop starts at the HR pixel of the LR crop's first pixel
        assert tuple(out['gt'][0, 0, :2]) == (top * scale, left * scale)
        assert out['weight'][0, 0, 0] == top * scale * 1000 + left * scale
        # crops stay inside the region both images cover
        assert top + 6 <= hr[0] // scale and left + 6 <= hr[1] // scale
        offsets.add((top, left))
    max_offsets = (hr[0] // scale - 5) * (hr[1] // scale - 5)
    assert len(offsets) > min(20, max_offsets // 2)


@pytest.mark.parametrize('lr', [(21, 19), (22, 21), (45, 39)])
def test_lr_size_inconsistent_with_scale(lr):
    crop = TripletRandomCrop(lr_patch_size=6, scale=4)
    with pytest.raises(ValueError, match=r"not HR size / 4.*'img' .*lr/a.png"):
        crop(make_results(90, 78, *lr))


def test_hr_keys_of_different_size():
    results = make_results(40, 36, 10, 9)
    results['weight'] = results['weight'][:-1]
    with pytest.raises(ValueError, match="differ in size.*'weight' 39x36"):
        TripletRandomCrop(lr_patch_size=6, scale=4)(results)


def test_too_small_for_the_crop():
    with pytest.raises(ValueError, match='too small for an LR crop of 12') \
            as e:
        TripletRandomCrop(lr_patch_size=12, scale=4)(
            make_results(40, 60, 10, 15))
    assert "Lower TripletRandomCrop's lr_patch_size" in str(e.value)
    with pytest.raises(ValueError, match='must be positive'):
        TripletRandomCrop(lr_patch_size=0, scale=4)
