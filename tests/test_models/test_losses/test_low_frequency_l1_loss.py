"""LowFrequencyL1Loss: L1 of the low passes, blind to what H keeps."""
import pytest
import torch
import torch.nn.functional as F

import dasr_mm  # noqa: F401
from dasr_mm.models.archs import HighFrequencyExtractor
from dasr_mm.models.losses import LowFrequencyL1Loss
from mmagic.registry import MODELS


def _checkerboard(h: int, w: int, amplitude: float) -> torch.Tensor:
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    return amplitude * (1 - 2 * ((yy + xx) % 2)).float().expand(1, 3, h, w)


@pytest.mark.parametrize('k', [5, 9])
def test_box_low_pass_of_a_checkerboard(k):
    # a k x k mean of a +-a checkerboard is +-a / k**2 everywhere (reflect
    # padding keeps the alternation), a constant passes unchanged
    loss = LowFrequencyL1Loss(low_pass=dict(mode='box', kernel_size=k))
    target = torch.full((1, 3, 20, 24), 0.5)
    pred = target + _checkerboard(20, 24, 0.2)
    assert loss(pred, target).item() == pytest.approx(0.2 / k**2, rel=1e-4)
    assert loss(target + 0.1, target).item() == pytest.approx(0.1, rel=1e-5)


def test_equals_l1_of_reflect_padded_means_with_weight():
    loss = MODELS.build(dict(type='LowFrequencyL1Loss', loss_weight=0.5))
    pred, target = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)

    def box5(x):
        return F.avg_pool2d(F.pad(x, (2, 2, 2, 2), mode='reflect'), 5, 1)

    weight = torch.rand(2, 1, 16, 16)
    expected = 0.5 * (weight * (box5(pred) - box5(target)).abs()).mean()
    assert torch.allclose(loss(pred, target, weight=weight), expected,
                          atol=1e-6)
    assert loss(pred, target, weight=torch.zeros(2, 1, 16, 16)) == 0
    # the low pass and the extractor's high pass add up to the image
    extractor = HighFrequencyExtractor(mode='box', kernel_size=5)
    assert torch.allclose(loss.filter.low_pass(pred) + extractor(pred), pred,
                          atol=1e-6)


def test_refuses_modes_without_low_pass_and_shape_mismatch():
    with pytest.raises(ValueError, match="'gaussian' or 'box'"):
        LowFrequencyL1Loss(low_pass=dict(mode='wavelet'))
    with pytest.raises(ValueError, match='same shape'):
        LowFrequencyL1Loss()(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))
