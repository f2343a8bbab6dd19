import pytest
import torch
import torch.nn.functional as F

from dasr_mm.models.losses import DomainWeightedL1Loss, weighted_mean_abs_error
from mmagic.registry import MODELS


def _t(values):
    return torch.tensor(values, dtype=torch.float32)


def test_unweighted_hand_computed():
    pred = _t([[[[1., 2.], [3., 4.]]]])
    target = _t([[[[0., 0.], [5., 4.]]]])
    # |pred - target| = [1, 2, 2, 0] -> mean 5 / 4
    assert weighted_mean_abs_error(pred, target).item() == pytest.approx(1.25)


def test_weighted_divides_by_numel_not_sum_of_weights():
    pred = _t([[[[1., 2.], [3., 4.]]]])
    target = _t([[[[0., 0.], [5., 4.]]]])
    weight = _t([[[[1., 0.5], [0., 1.]]]])
    # w * |d| = [1, 1, 0, 0] -> 2 / 4 elements (sum(w) would give 2 / 2.5)
    loss = weighted_mean_abs_error(pred, target, weight)
    assert loss.item() == pytest.approx(0.5)


def test_per_channel_weight_and_single_channel_broadcast():
    pred = _t([[[[1., 2.]], [[3., 4.]]]])  # (1, 2, 1, 2)
    target = torch.zeros_like(pred)
    per_channel = _t([[[[1., 0.]], [[0., 1.]]]])
    # 1 * 1 + 1 * 4 = 5 over 4 elements
    assert weighted_mean_abs_error(pred, target, per_channel).item() == \
        pytest.approx(1.25)
    single = _t([[[[0.5, 1.]]]])  # (1, 1, 1, 2) broadcast over 2 channels
    # 0.5 * 1 + 1 * 2 + 0.5 * 3 + 1 * 4 = 8 over 4 elements
    assert weighted_mean_abs_error(pred, target, single).item() == \
        pytest.approx(2.0)


def test_weight_one_equals_plain_l1():
    torch.manual_seed(0)
    pred, target = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8)
    expected = F.l1_loss(pred, target)
    assert torch.allclose(
        weighted_mean_abs_error(pred, target, torch.ones(2, 1, 8, 8)),
        expected)
    assert torch.allclose(
        weighted_mean_abs_error(pred, target, torch.ones(2, 1, 2, 2)),
        expected)
    assert torch.allclose(DomainWeightedL1Loss()(pred, target), expected)


def test_zero_weight_region_ignores_pred_there():
    torch.manual_seed(0)
    pred = torch.rand(1, 3, 8, 8, requires_grad=True)
    target = torch.rand(1, 3, 8, 8)
    weight = torch.ones(1, 1, 8, 8)
    weight[..., :4] = 0
    loss = weighted_mean_abs_error(pred, target, weight)

    changed_left = pred.detach().clone()
    changed_left[..., :4] += 5.
    assert torch.equal(
        weighted_mean_abs_error(changed_left, target, weight), loss.detach())
    changed_right = pred.detach().clone()
    changed_right[..., 4:] += 5.
    assert weighted_mean_abs_error(changed_right, target, weight) > loss

    loss.backward()
    assert torch.all(pred.grad[..., :4] == 0)
    assert torch.all(pred.grad[..., 4:] != 0)


def test_weight_upsampled_bilinearly():
    # (1, 1, 2, 2) -> (4, 4), align_corners=False: along each axis [a, b]
    # becomes [a, .75a + .25b, .25a + .75b, b]
    weight = _t([[[[1., 0.], [0., 0.]]]])
    pred = torch.ones(1, 3, 4, 4)
    target = torch.zeros(1, 3, 4, 4)
    row = _t([1., .75, .25, 0.])
    expected = torch.outer(row, row).sum().item() * 3 / 48  # = 0.25
    loss = weighted_mean_abs_error(pred, target, weight)
    assert loss.item() == pytest.approx(expected)
    assert loss.item() == pytest.approx(0.25)


def test_weight_downsampled_bilinearly():
    # halving with align_corners=False averages each 2x2 block
    weight = torch.zeros(1, 1, 4, 4)
    weight[..., :2, :2] = 1.
    weight[..., 2:, 2:] = _t([[0.2, 0.4], [0.6, 0.8]])
    pred = torch.ones(1, 1, 2, 2)
    target = torch.zeros(1, 1, 2, 2)
    # block means: 1, 0, 0, 0.5 -> 1.5 / 4
    assert weighted_mean_abs_error(pred, target, weight).item() == \
        pytest.approx(0.375)


def test_loss_weight_scaling_and_registry():
    torch.manual_seed(0)
    pred, target = torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 4)
    weight = torch.rand(1, 1, 4, 4)
    loss = MODELS.build(dict(type='DomainWeightedL1Loss', loss_weight=0.01))
    assert isinstance(loss, DomainWeightedL1Loss)
    assert torch.allclose(
        loss(pred, target, weight),
        0.01 * weighted_mean_abs_error(pred, target, weight))


def test_invalid_shapes_raise():
    pred = torch.zeros(1, 3, 4, 4)
    with pytest.raises(ValueError, match='same shape'):
        weighted_mean_abs_error(pred, torch.zeros(1, 3, 4, 5))
    with pytest.raises(ValueError, match='weight'):
        weighted_mean_abs_error(pred, pred, torch.ones(1, 2, 4, 4))
    with pytest.raises(ValueError, match='weight'):
        weighted_mean_abs_error(pred, pred, torch.ones(2, 1, 4, 4))
