import json
import math

import cv2
import numpy as np
import pytest
import torch

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.models.archs import HighFrequencyExtractor, haar_dwt, haar_idwt


def _direct_haar(x: torch.Tensor):
    """Reference: the 2x2 block formulas evaluated block by block."""
    n, c, h, w = x.shape
    bands = torch.zeros(4, n, c, h // 2, w // 2, dtype=x.dtype)
    for i in range(h // 2):
        for j in range(w // 2):
            a, b = x[..., 2 * i, 2 * j], x[..., 2 * i, 2 * j + 1]
            cc, d = x[..., 2 * i + 1, 2 * j], x[..., 2 * i + 1, 2 * j + 1]
            bands[0, ..., i, j] = (a + b + cc + d) / 2
            bands[1, ..., i, j] = (a + b - cc - d) / 2
            bands[2, ..., i, j] = (a - b + cc - d) / 2
            bands[3, ..., i, j] = (a - b - cc + d) / 2
    return bands


def test_haar_matches_direct_block_formulas():
    x = torch.rand(2, 3, 6, 8, generator=torch.Generator().manual_seed(0))
    ref = _direct_haar(x)
    for got, want in zip(haar_dwt(x), ref):
        assert got.shape == (2, 3, 3, 4)
        torch.testing.assert_close(got, want, rtol=0, atol=1e-6)


def test_haar_inverts_exactly_and_is_orthonormal():
    x = torch.rand(2, 3, 16, 12, generator=torch.Generator().manual_seed(1))
    bands = haar_dwt(x)
    torch.testing.assert_close(haar_idwt(*bands), x, rtol=0, atol=1e-6)
    energy = sum((b**2).sum() for b in bands)
    torch.testing.assert_close(energy, (x**2).sum(), rtol=1e-5, atol=0)


def test_haar_odd_size_replicates_bottom_right():
    x = torch.rand(1, 3, 5, 7, generator=torch.Generator().manual_seed(2))
    ll, lh, hl, hh = haar_dwt(x)
    assert ll.shape == (1, 3, 3, 4)
    # the replicated last column makes a == b and c == d there, the
    # replicated last row a == c and b == d: those differences vanish
    for band in (hl[..., -1], hh[..., -1], lh[..., -1, :], hh[..., -1, :]):
        assert band.abs().max() < 1e-6
    assert lh[..., -1].abs().max() > 0.01  # the row difference does not
    torch.testing.assert_close(
        haar_idwt(ll, lh, hl, hh)[..., :5, :7], x, rtol=0, atol=1e-6)


def test_haar_rejects_bad_shapes():
    with pytest.raises(ValueError):
        haar_dwt(torch.rand(3, 8, 8))
    with pytest.raises(ValueError):
        haar_idwt(*[torch.rand(1, 3, 4, 4)] * 3, torch.rand(1, 3, 4, 5))


@pytest.mark.parametrize('size', [(16, 20), (15, 9)])
def test_wavelet_mode(size):
    x = torch.rand(2, 3, *size, generator=torch.Generator().manual_seed(3))
    ext = HighFrequencyExtractor()
    out = ext(x)
    h, w = math.ceil(size[0] / 2), math.ceil(size[1] / 2)
    assert out.shape == (2, 9, h, w)
    assert (ext.out_channels, ext.downscale) == (9, 2)
    _, lh, hl, hh = haar_dwt(x)
    torch.testing.assert_close(out, torch.cat((lh, hl, hh), 1))
    # a constant image has no high frequencies
    assert ext(torch.full((1, 3, *size), 0.7)).abs().max() < 1e-6


def _cv2_reference(x: torch.Tensor, mode: str, k: int, sigma: float):
    img = x[0].permute(1, 2, 0).double().numpy()
    if mode == 'gaussian':
        blur = cv2.GaussianBlur(
            img, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    else:
        blur = cv2.blur(img, (k, k), borderType=cv2.BORDER_REFLECT_101)
    return torch.from_numpy(img - blur).permute(2, 0, 1)[None].float()


@pytest.mark.parametrize('mode,k,sigma', [('gaussian', 5, 1.0),
                                          ('gaussian', 7, 2.5),
                                          ('box', 5, 1.0), ('box', 3, 1.0)])
@pytest.mark.parametrize('size', [(16, 20), (13, 11)])
def test_blur_modes_match_opencv(mode, k, sigma, size):
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(4))
    ext = HighFrequencyExtractor(mode, kernel_size=k, sigma=sigma)
    out = ext(x)
    assert out.shape == x.shape
    assert (ext.out_channels, ext.downscale) == (3, 1)
    torch.testing.assert_close(
        out, _cv2_reference(x, mode, k, sigma), rtol=0, atol=1e-5)
    # the blur keeps a constant image, so the high-pass removes it
    const = torch.full((2, 3, *size), 0.3)
    assert ext(const).abs().max() < 1e-6


def test_rgb_mode_is_identity():
    x = torch.rand(2, 3, 9, 7)
    ext = HighFrequencyExtractor('rgb')
    assert torch.equal(ext(x), x)
    assert (ext.out_channels, ext.downscale) == (3, 1)


@pytest.mark.parametrize('mode', ['wavelet', 'gaussian', 'box', 'rgb'])
def test_batched_equals_per_sample(mode):
    x = torch.rand(3, 3, 12, 10, generator=torch.Generator().manual_seed(5))
    ext = HighFrequencyExtractor(mode)
    out = ext(x)
    for i in range(3):
        torch.testing.assert_close(out[i:i + 1], ext(x[i:i + 1]))


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
@pytest.mark.parametrize('mode', ['wavelet', 'gaussian', 'box', 'rgb'])
def test_low_precision_keeps_dtype(mode, dtype):
    x = torch.rand(1, 3, 12, 14, generator=torch.Generator().manual_seed(6))
    ext = HighFrequencyExtractor(mode)
    out = ext(x.to(dtype))
    assert out.dtype == dtype
    torch.testing.assert_close(out.float(), ext(x), rtol=0, atol=3e-2)


@pytest.mark.parametrize('mode', ['wavelet', 'gaussian', 'box', 'rgb'])
def test_gradients_flow(mode):
    x = torch.rand(2, 3, 10, 10, requires_grad=True)
    (HighFrequencyExtractor(mode)(x)**2).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert x.grad.abs().sum() > 0


def test_config_is_canonical_and_json_able():
    assert HighFrequencyExtractor().config() == {'mode': 'wavelet'}
    # parameters that do not matter for the mode are left out
    assert HighFrequencyExtractor(
        'wavelet', kernel_size=9, sigma=3).config() == {'mode': 'wavelet'}
    assert HighFrequencyExtractor('rgb', kernel_size=7).config() == {
        'mode': 'rgb'
    }
    assert HighFrequencyExtractor('box', sigma=2.0).config() == {
        'mode': 'box',
        'kernel_size': 5
    }
    gauss = HighFrequencyExtractor('gaussian', kernel_size=7, sigma=2)
    assert gauss.config() == {
        'mode': 'gaussian',
        'kernel_size': 7,
        'sigma': 2.0
    }
    assert isinstance(gauss.config()['sigma'], float)
    for cfg in (gauss.config(), HighFrequencyExtractor('box', 3).config()):
        assert json.loads(json.dumps(cfg)) == cfg
        assert HighFrequencyExtractor(**cfg).config() == cfg


@pytest.mark.parametrize('kwargs', [
    dict(mode='haar'),
    dict(mode='Wavelet'),
    dict(mode='gaussian', kernel_size=4),
    dict(mode='box', kernel_size=1),
    dict(mode='box', kernel_size=5.0),
    dict(mode='box', kernel_size=True),
    dict(mode='gaussian', sigma=0),
    dict(mode='gaussian', sigma=-1.0),
    dict(mode='gaussian', sigma=float('nan')),
    dict(mode='gaussian', sigma='1'),
])
def test_bad_args_raise(kwargs):
    with pytest.raises(ValueError):
        HighFrequencyExtractor(**kwargs)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        HighFrequencyExtractor()(torch.rand(3, 8, 8))
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        HighFrequencyExtractor('rgb')(torch.rand(1, 4, 8, 8))
    with pytest.raises(ValueError, match='reflect'):
        HighFrequencyExtractor('box', kernel_size=7)(torch.rand(1, 3, 3, 8))


def test_registered_and_stateless():
    from mmagic.registry import MODELS
    ext = MODELS.build(dict(type='HighFrequencyExtractor', mode='gaussian'))
    assert isinstance(ext, HighFrequencyExtractor)
    assert len(ext.state_dict()) == 0
    assert np.isclose(ext.sigma, 1.0) and ext.kernel_size == 5


# ------------------------------------------- variant='official' (their code)
def _window_mean_inside(x: np.ndarray, k: int) -> np.ndarray:
    """Reference for their AvgPool2d(count_include_pad=False): the mean of
    the k x k window's pixels that lie inside the image, pixel by pixel."""
    h, w = x.shape[-2:]
    r = k // 2
    out = np.zeros_like(x)
    for i in range(h):
        for j in range(w):
            window = x[..., max(i - r, 0):i + r + 1, max(j - r, 0):j + r + 1]
            out[..., i, j] = window.mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize('size', [(7, 9), (4, 5)])
def test_official_box_is_mean_inside_image_and_offset(size):
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(8))
    ext = HighFrequencyExtractor('box', kernel_size=5, variant='official')
    ref = 0.5 + 0.5 * (x.numpy() - _window_mean_inside(x.numpy(), 5))
    np.testing.assert_allclose(ext(x).numpy(), ref, atol=1e-6)


def test_official_gaussian_is_zero_padded_with_std_k_over_6():
    k = 7
    x = torch.rand(1, 3, 6, 11, generator=torch.Generator().manual_seed(9))
    ext = HighFrequencyExtractor(
        'gaussian', kernel_size=k, sigma=3.0, variant='official')
    assert math.isclose(ext.sigma, k / 6)
    # reference: a 2-D kernel from its formula, a zero-padded 2-D conv
    yy, xx = np.mgrid[0:k, 0:k] - (k - 1) / 2
    kernel = np.exp(-(xx**2 + yy**2) / (2 * (k / 6)**2))
    kernel = torch.from_numpy(kernel / kernel.sum()).float()
    low = torch.nn.functional.conv2d(
        x, kernel.expand(3, 1, k, k), padding=k // 2, groups=3)
    torch.testing.assert_close(ext(x), 0.5 + 0.5 * (x - low))
    assert ext.config() == {
        'mode': 'gaussian',
        'kernel_size': k,
        'variant': 'official'
    }


def test_official_wavelet_reflects_an_odd_side_and_offsets():
    x = torch.rand(2, 3, 7, 9, generator=torch.Generator().manual_seed(10))
    ext = HighFrequencyExtractor('wavelet', variant='official')
    # reflect: the appended row/column is the second-to-last one
    padded = torch.from_numpy(
        np.pad(x.numpy(), ((0, 0), (0, 0), (0, 1), (0, 1)), mode='reflect'))
    _, lh, hl, hh = _direct_haar(padded)
    torch.testing.assert_close(
        ext(x), 0.5 + 0.5 * torch.cat((lh, hl, hh), 1))
    assert ext.pad_to_downscale(x).shape[-2:] == (8, 10)
    assert torch.equal(ext.pad_to_downscale(x)[..., 7, :9], x[..., 5, :])
    paper = HighFrequencyExtractor('wavelet')
    assert torch.equal(paper.pad_to_downscale(x)[..., 7, :9], x[..., 6, :])


def test_official_config_round_trips_and_bad_variant_raises():
    for cfg in ({'mode': 'box', 'kernel_size': 5, 'variant': 'official'},
                {'mode': 'wavelet', 'variant': 'official'}):
        assert HighFrequencyExtractor(**cfg).config() == cfg
    # rgb is the identity in both variants, so the variant is left out
    assert HighFrequencyExtractor('rgb', variant='official').config() == {
        'mode': 'rgb'
    }
    with pytest.raises(ValueError, match='variant'):
        HighFrequencyExtractor(variant='authors')


@pytest.mark.parametrize('mode', ['gaussian', 'box'])
def test_low_pass_is_the_complement_of_the_high_pass(mode):
    extractor = HighFrequencyExtractor(mode=mode, kernel_size=5)
    x = torch.rand(2, 3, 12, 13)
    low = extractor.low_pass(x)
    assert low.shape == x.shape
    assert torch.allclose(low + extractor(x), x, atol=1e-6)
    assert low.std() < x.std()  # smoother than the input


def test_low_pass_needs_a_blur_mode():
    with pytest.raises(ValueError, match="'gaussian' or 'box'"):
        HighFrequencyExtractor(mode='wavelet').low_pass(torch.rand(1, 3, 8, 8))
