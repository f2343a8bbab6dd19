"""LPIPSLoss: the LPIPS metric's network as a differentiable, frozen loss."""
import pytest
import torch
import torchvision

import dasr_mm  # noqa: F401
from dasr_mm.evaluation.metrics import ALEXNET_WEIGHTS_FILE, LPIPS
from dasr_mm.models.losses import LPIPSLoss
from mmagic.registry import MODELS


@pytest.fixture(scope='module')
def random_loss() -> LPIPSLoss:
    return LPIPSLoss(pretrained=None, random_seed=0)


def _smooth(seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(2, 3, 16, 16, generator=gen)
    return torch.nn.functional.interpolate(x, size=48, mode='bilinear')


def test_equals_the_metric_on_the_same_trunk(random_loss):
    metric = LPIPS(pretrained=None, random_seed=0, channel_order='RGB')
    a, b = _smooth(0), _smooth(1)
    per_image = [metric.process_image(a[i] * 255, b[i] * 255, None)
                 for i in range(2)]
    assert random_loss(a, b).item() == pytest.approx(
        sum(per_image) / 2, rel=1e-4)


def test_zero_for_identical_grows_with_noise_gradient_to_pred(random_loss):
    x = _smooth(0)
    assert random_loss(x, x.clone()).item() == pytest.approx(0, abs=1e-7)
    gen = torch.Generator().manual_seed(3)
    noise = torch.randn(x.shape, generator=gen)
    values = [random_loss((x + s * noise).clamp(0, 1), x).item()
              for s in (0.02, 0.08, 0.3)]
    assert 0 < values[0] < values[1] < values[2]
    pred = (x + 0.1 * noise).clamp(0, 1).requires_grad_()
    loss = MODELS.build(dict(type='LPIPSLoss', loss_weight=0.01,
                             pretrained=None))
    value = loss(pred, x)
    value.backward()
    assert pred.grad.abs().sum() > 0
    assert not any(p.requires_grad for p in loss.parameters())


def test_network_stays_in_eval_mode(random_loss):
    random_loss.train()
    assert random_loss.training
    assert not any(m.training for m in random_loss.net.modules())
    a, b = _smooth(0), _smooth(1)  # dropout off: deterministic
    assert random_loss(a, b).item() == random_loss(a, b).item()


def test_loads_the_trunk_from_torchvision_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(FileNotFoundError, match=ALEXNET_WEIGHTS_FILE):
        LPIPSLoss()
    torch.manual_seed(5)
    state = torchvision.models.alexnet().state_dict()
    path = tmp_path / 'hub' / 'checkpoints' / ALEXNET_WEIGHTS_FILE
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    loss = LPIPSLoss()
    assert torch.equal(loss.net.net.slice1[0].weight,
                       state['features.0.weight'])


def test_refuses_weights_and_small_images(random_loss):
    x = _smooth(0)
    with pytest.raises(ValueError, match='no per-pixel weight'):
        random_loss(x, x, weight=torch.ones(2, 1, 48, 48))
    with pytest.raises(ValueError, match='H, W >= 32'):
        random_loss(x[..., :24, :24], x[..., :24, :24])
