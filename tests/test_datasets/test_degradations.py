import numpy as np
import pytest

from dasr_mm.datasets.degradations import (SyntheticCameraDegradation,
                                           crop_to_multiple)


def test_degradation_is_seeded_and_resizes(smooth_photo):
    hr = smooth_photo(64, 48, 0)
    deg = SyntheticCameraDegradation(scale=4)
    a = deg(hr, np.random.default_rng(3))
    assert a.shape == (16, 12, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, deg(hr, np.random.default_rng(3)))
    assert not np.array_equal(a, deg(hr, np.random.default_rng(4)))
    assert SyntheticCameraDegradation(scale=1)(
        hr, np.random.default_rng(0)).shape == hr.shape
    with pytest.raises(ValueError, match='multiple of scale'):
        deg(hr[:63], np.random.default_rng(0))
    assert deg(crop_to_multiple(hr[:63, :47], 4),
               np.random.default_rng(0)).shape == (15, 11, 3)


def test_degradation_kernel_is_anisotropic_and_rotated():
    deg = SyntheticCameraDegradation(
        scale=2, blur_sigmas=(1.0, 0.5), blur_angle=0)
    k = deg.blur_kernel()
    assert k.shape[0] % 2 == 1 and np.isclose(k.sum(), 1, atol=1e-5)
    r = k.shape[0] // 2
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    # second moments on the HR grid: (2 * 1.0)^2 along x, (2 * 0.5)^2 along y
    assert np.isclose((k * xx**2).sum(), 4.0, rtol=0.05)
    assert np.isclose((k * yy**2).sum(), 1.0, rtol=0.05)
    rotated = SyntheticCameraDegradation(
        scale=2, blur_sigmas=(1.0, 0.5), blur_angle=90).blur_kernel()
    np.testing.assert_allclose(rotated, k.T, atol=1e-6)


def test_degradation_noise_variance_is_signal_dependent():
    """Noise variance a * x + b per channel, measured on luma (JPEG keeps
    luma at full resolution but subsamples chroma)."""
    deg = SyntheticCameraDegradation(
        scale=1, noise_a=0.01, noise_b=0.001, jpeg_quality=100)
    luma = np.array([0.299, 0.587, 0.114])
    for value in (51, 178):
        flat = np.full((96, 96, 3), value, np.uint8)
        out = deg(flat, np.random.default_rng(0)).astype(np.float64) / 255
        expected = (0.01 * value / 255 + 0.001) * (luma**2).sum()
        assert abs((out @ luma).var() / expected - 1) < 0.1, value
