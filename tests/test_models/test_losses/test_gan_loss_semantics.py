"""What mmagic's ``GANLoss(gan_type='vanilla')`` computes, pinned on a
hand-computed example so that the DASR editors can rely on it:

* generator, ``target_is_real=True``: ``loss_weight * mean(-log sigmoid(x))``,
  the non-saturating form of Eq. 2;
* discriminator, ``is_disc=True``: ``mean(-log sigmoid(x_real))`` and
  ``mean(-log(1 - sigmoid(x_fake)))``, the two BCE terms of Eq. 3
  (D -> 1 on real, D -> 0 on fake); ``loss_weight`` is NOT applied.
"""
import math

import pytest
import torch

import dasr_mm  # noqa: F401  (compat before mmagic.models is imported)
from mmagic.registry import MODELS

LOGITS = [[[[0., 2.], [-1., 3.]]]]  # (1, 1, 2, 2) patch logits
# -log sigmoid(x) = log(1 + exp(-x)):
#   log 2 = 0.693147, log(1 + e^-2) = 0.126928,
#   log(1 + e) = 1.313262, log(1 + e^-3) = 0.048587  -> mean 0.545481
NEG_LOG_SIGMOID_MEAN = 0.5454811
# -log(1 - sigmoid(x)) = log(1 + exp(x)):
#   0.693147, 2.126928, 0.313262, 3.048587  -> mean 1.545481
NEG_LOG_ONE_MINUS_SIGMOID_MEAN = 1.5454811


@pytest.fixture
def gan_loss():
    return MODELS.build(
        dict(
            type='GANLoss',
            gan_type='vanilla',
            loss_weight=0.5,
            real_label_val=1.0,
            fake_label_val=0.0))


def test_hand_computed_constants():
    xs = [0., 2., -1., 3.]
    assert sum(math.log1p(math.exp(-x)) for x in xs) / 4 == \
        pytest.approx(NEG_LOG_SIGMOID_MEAN, abs=1e-7)
    assert sum(math.log1p(math.exp(x)) for x in xs) / 4 == \
        pytest.approx(NEG_LOG_ONE_MINUS_SIGMOID_MEAN, abs=1e-7)


def test_generator_is_non_saturating(gan_loss):
    fake_logits = torch.tensor(LOGITS, requires_grad=True)
    loss = gan_loss(fake_logits, target_is_real=True, is_disc=False)
    assert loss.item() == pytest.approx(0.5 * NEG_LOG_SIGMOID_MEAN, abs=1e-6)
    # non-saturating: d/dx [-log sigmoid(x)] = sigmoid(x) - 1, which stays
    # large where D confidently rejects the fake (x << 0)
    loss.backward()
    expected_grad = 0.5 * (torch.sigmoid(fake_logits.detach()) - 1) / 4
    assert torch.allclose(fake_logits.grad, expected_grad)
    assert fake_logits.grad[0, 0, 1, 0].item() == pytest.approx(
        0.5 * (1 / (1 + math.e) - 1) / 4)


def test_discriminator_bce_terms_without_loss_weight(gan_loss):
    logits = torch.tensor(LOGITS)
    real = gan_loss(logits, target_is_real=True, is_disc=True)
    fake = gan_loss(logits, target_is_real=False, is_disc=True)
    assert real.item() == pytest.approx(NEG_LOG_SIGMOID_MEAN, abs=1e-6)
    assert fake.item() == pytest.approx(
        NEG_LOG_ONE_MINUS_SIGMOID_MEAN, abs=1e-6)
