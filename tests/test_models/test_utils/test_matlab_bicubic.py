"""``matlab_bicubic_downsample`` (B in the paper) against mmagic's numpy
MATLAB imresize, at divisible, indivisible and tiny sizes."""
import numpy as np
import pytest
import torch
from mmagic.datasets.transforms import MATLABLikeResize

import dasr_mm  # noqa: F401  (applies compat)
from dasr_mm.models.utils import matlab_bicubic_downsample


@pytest.mark.parametrize('scale', [2, 3, 4])
@pytest.mark.parametrize('size', [(24, 36), (25, 37), (7, 9), (1356 // 8, 2040 // 8 + 3)])
def test_matches_mmagic_matlab_resize(scale, size):
    img = np.random.default_rng(scale).random((*size, 3)).astype(np.float32)
    expected = MATLABLikeResize(keys=['img'], scale=1 / scale)._resize(img)
    out = matlab_bicubic_downsample(
        torch.from_numpy(img).permute(2, 0, 1)[None], scale)
    assert out.shape == (1, 3, -(-size[0] // scale), -(-size[1] // scale))
    np.testing.assert_allclose(
        out[0].permute(1, 2, 0).numpy(), expected, atol=1e-5)


def test_scale_one_is_identity():
    x = torch.rand(2, 3, 5, 7)
    assert matlab_bicubic_downsample(x, 1) is x


def test_linear_batched_and_differentiable_in_double():
    """Per image and channel, in float64 (so gradcheck is meaningful)."""
    torch.manual_seed(0)
    x = torch.rand(2, 3, 12, 16, dtype=torch.float64, requires_grad=True)
    out = matlab_bicubic_downsample(x, 4)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out[1:, 2:], matlab_bicubic_downsample(
        x[1:, 2:], 4))
    assert torch.autograd.gradcheck(
        lambda t: matlab_bicubic_downsample(t, 4), (x[:1, :1], ))
    # a constant image stays constant (the taps sum to 1, borders included)
    flat = matlab_bicubic_downsample(torch.full((1, 1, 13, 9), 0.3), 4)
    torch.testing.assert_close(flat, torch.full_like(flat, 0.3))
