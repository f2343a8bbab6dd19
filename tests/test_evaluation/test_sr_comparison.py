"""Side-by-side sheets and metrics of SR outputs against bicubic and HR."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from dasr_mm.evaluation.sr_comparison import (LABEL_HEIGHT,
                                              compare_with_bicubic)
from dasr_mm.utils.io import atomic_save_image, read_rgb


def _write(folder, name, img):
    atomic_save_image(osp.join(folder, name), img)


@pytest.fixture
def folders(tmp_path):
    rng = np.random.default_rng(0)
    lr_dir, hr_dir = str(tmp_path / 'lr'), str(tmp_path / 'hr')
    sr_good, sr_cast = str(tmp_path / 'sr_good'), str(tmp_path / 'sr_cast')
    for name in ('a.png', 'b.png'):
        hr = cv2.GaussianBlur(
            rng.integers(30, 220, (64, 48, 3)).astype(np.uint8), (5, 5), 2)
        lr = cv2.resize(hr, (12, 16), interpolation=cv2.INTER_AREA)
        _write(hr_dir, name, hr)
        _write(lr_dir, name, lr)
        _write(sr_good, name, hr)  # a perfect SR
        cast = hr.astype(int)
        cast[..., 0] += 20  # red + 20 levels
        _write(sr_cast, name, np.clip(cast, 0, 255).astype(np.uint8))
    return lr_dir, hr_dir, sr_good, sr_cast


def test_perfect_sr_beats_bicubic_and_has_no_cast(folders, tmp_path):
    lr_dir, hr_dir, sr_good, _ = folders
    out = str(tmp_path / 'out')
    report = compare_with_bicubic(lr_dir, sr_good, hr_dir, out, scale=4)
    mean = report['mean']
    assert mean['psnr'] == float('inf') or mean['psnr'] > 60
    assert mean['bicubic_psnr'] < 40 and mean['ssim'] == pytest.approx(1)
    assert mean['max_colour_cast'] == 0
    assert [r['name'] for r in report['images']] == ['a.png', 'b.png']
    sheet = read_rgb(osp.join(out, 'a.png'))
    assert sheet.shape == (64 + LABEL_HEIGHT, 3 * 48 + 8, 3)
    # the SR panel (middle) and the HR panel (right) show the HR image
    hr = read_rgb(osp.join(hr_dir, 'a.png'))
    np.testing.assert_array_equal(sheet[LABEL_HEIGHT:, 52:100], hr)
    np.testing.assert_array_equal(sheet[LABEL_HEIGHT:, 104:], hr)
    bicubic = cv2.resize(read_rgb(osp.join(lr_dir, 'a.png')), (48, 64),
                         interpolation=cv2.INTER_CUBIC)
    np.testing.assert_array_equal(sheet[LABEL_HEIGHT:, :48], bicubic)
    assert sheet[:LABEL_HEIGHT].max() == 255  # labels are drawn
    with open(osp.join(out, 'comparison.json')) as f:
        assert json.load(f)['mean'] == pytest.approx(mean)


def test_colour_cast_is_measured_per_channel(folders, tmp_path):
    lr_dir, hr_dir, _, sr_cast = folders
    report = compare_with_bicubic(lr_dir, sr_cast, hr_dir,
                                  str(tmp_path / 'out'), scale=4)
    for image in report['images']:
        red, green, blue = image['colour_cast']
        assert 19 <= red <= 20 and green == 0 and blue == 0
    assert report['mean']['max_colour_cast'] >= 19


def test_wrong_scale_names_the_file(folders, tmp_path):
    lr_dir, hr_dir, sr_good, _ = folders
    with pytest.raises(ValueError, match='a.png.*scale 2'):
        compare_with_bicubic(lr_dir, sr_good, hr_dir, str(tmp_path / 'o'),
                             scale=2)
