import logging
import os

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import vgg

from dasr_mm.models.losses import (VGG19_WEIGHTS_FILE,
                                   DomainWeightedPerceptualLoss,
                                   weighted_mean_abs_error)
from mmagic.registry import MODELS

IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


@pytest.fixture(scope='module')
def random_conv5_3():
    return DomainWeightedPerceptualLoss(pretrained=None)


def _images(seed=0, size=32):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(1, 3, size, size, generator=gen),
            torch.rand(1, 3, size, size, generator=gen))


def _vgg_features_state(num_layers):
    """A random torchvision VGG-19 ``features`` state dict (prefixed keys)
    for the first ``num_layers`` modules, plus keys that must be ignored."""
    features = vgg.make_layers(vgg.cfgs['E'])[:num_layers]
    state = {f'features.{k}': v for k, v in features.state_dict().items()}
    state['features.34.weight'] = torch.zeros(1)  # unused, wrong shape
    state['classifier.0.weight'] = torch.zeros(1)
    return state


def _assert_features_equal(loss, state):
    loaded = loss.features.state_dict()
    assert loaded
    for key, value in loaded.items():
        assert torch.equal(value, state[f'features.{key}'])


def test_random_weights_warn_and_work(mm_log_records):
    loss = DomainWeightedPerceptualLoss(pretrained=None)
    warnings = [r for r in mm_log_records if r.levelno == logging.WARNING]
    assert any('random' in r.getMessage().lower() for r in warnings)

    pred, target = _images()
    value = loss(pred, target)
    assert value.dim() == 0 and torch.isfinite(value) and value > 0
    assert loss(target, target).item() == 0
    assert loss.feature_map(pred).shape == (1, 512, 2, 2)


def test_missing_torchvision_file_names_path(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    expected = os.path.join(tmp_path, 'hub', 'checkpoints',
                            VGG19_WEIGHTS_FILE)
    with pytest.raises(FileNotFoundError) as err:
        DomainWeightedPerceptualLoss()  # pretrained='torchvision' by default
    message = str(err.value)
    assert expected in message
    assert 'pretrained=None' in message
    assert "pretrained='/path/to" in message


def test_missing_local_file_names_path(tmp_path):
    path = str(tmp_path / 'nowhere' / 'vgg19.pth')
    with pytest.raises(FileNotFoundError, match=path):
        DomainWeightedPerceptualLoss(pretrained=path)


@pytest.mark.parametrize('wrapped', [False, True])
def test_local_state_dict_is_loaded(tmp_path, wrapped):
    state = _vgg_features_state(num_layers=8)  # up to conv2_2
    path = tmp_path / 'vgg19.pth'
    torch.save({'state_dict': state} if wrapped else state, path)
    loss = DomainWeightedPerceptualLoss(layer='conv2_2', pretrained=str(path))
    _assert_features_equal(loss, state)

    # the loss is the mean L1 of conv2_2 features of normalised inputs
    reference = vgg.make_layers(vgg.cfgs['E'])[:8]
    reference.load_state_dict(loss.features.state_dict())
    pred, target = _images()
    expected = F.l1_loss(
        reference((pred - IMAGENET_MEAN) / IMAGENET_STD),
        reference((target - IMAGENET_MEAN) / IMAGENET_STD))
    assert torch.allclose(loss(pred, target), expected)

    no_norm = DomainWeightedPerceptualLoss(
        layer='conv2_2', pretrained=str(path), use_input_norm=False)
    assert torch.allclose(
        no_norm(pred, target), F.l1_loss(reference(pred), reference(target)))


def test_torchvision_cache_file_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    state = _vgg_features_state(num_layers=3)  # up to conv1_2
    cache = tmp_path / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    torch.save(state, cache / VGG19_WEIGHTS_FILE)
    loss = DomainWeightedPerceptualLoss(
        layer='conv1_2', pretrained='torchvision')
    _assert_features_equal(loss, state)


def test_incomplete_state_dict_raises(tmp_path):
    path = tmp_path / 'vgg19.pth'
    torch.save(_vgg_features_state(num_layers=3), path)  # up to conv1_2
    with pytest.raises(RuntimeError, match='Missing key'):
        DomainWeightedPerceptualLoss(layer='conv2_2', pretrained=str(path))


@pytest.mark.parametrize('layer,channels,size,last', [
    ('conv1_1', 64, 32, nn.Conv2d),
    ('relu2_2', 128, 16, nn.ReLU),
    ('conv2_2', 128, 16, nn.Conv2d),
    ('conv3_4', 256, 8, nn.Conv2d),
    ('pool4', 512, 2, nn.MaxPool2d),
])
def test_layer_selection(layer, channels, size, last):
    loss = DomainWeightedPerceptualLoss(layer=layer, pretrained=None)
    assert isinstance(loss.features[-1], last)
    pred, _ = _images()
    assert loss.feature_map(pred).shape == (1, channels, size, size)


def test_conv5_3_is_pre_activation(random_conv5_3):
    assert len(random_conv5_3.features) == 33
    assert isinstance(random_conv5_3.features[-1], nn.Conv2d)
    pred, _ = _images()
    # a pre-activation output has negative values
    assert random_conv5_3.feature_map(pred).min() < 0


def test_unknown_layer_raises():
    with pytest.raises(ValueError, match='conv6_1'):
        DomainWeightedPerceptualLoss(layer='conv6_1', pretrained=None)


def test_frozen_eval_and_gradients_to_pred_only(random_conv5_3):
    loss = random_conv5_3
    assert all(not p.requires_grad for p in loss.parameters())
    loss.train()
    assert loss.training
    assert all(not m.training for m in loss.features.modules())

    pred, target = _images()
    pred.requires_grad_(True)
    target.requires_grad_(True)
    loss(pred, target).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert target.grad is None
    assert all(p.grad is None for p in loss.parameters())


def test_weighting(random_conv5_3):
    loss = random_conv5_3
    pred, target = _images()
    unweighted = loss(pred, target)
    assert loss(pred, target, torch.zeros(1, 1, 32, 32)).item() == 0
    assert torch.allclose(
        loss(pred, target, torch.full((1, 1, 32, 32), 0.5)), 0.5 * unweighted)

    # the map is resized bilinearly to the (2, 2) conv5_3 map
    weight = torch.zeros(1, 1, 32, 32)
    weight[..., :16] = 1.
    expected = weighted_mean_abs_error(
        loss.feature_map(pred), loss.feature_map(target),
        F.interpolate(weight, size=(2, 2), mode='bilinear'))
    value = loss(pred, target, weight)
    assert torch.allclose(value, expected)
    assert 0 < value < unweighted


def test_loss_weight_and_registry():
    loss = MODELS.build(
        dict(
            type='DomainWeightedPerceptualLoss',
            layer='conv1_2',
            loss_weight=0.25,
            pretrained=None))
    reference = DomainWeightedPerceptualLoss(layer='conv1_2', pretrained=None)
    reference.load_state_dict(loss.state_dict())
    pred, target = _images()
    assert torch.allclose(loss(pred, target), 0.25 * reference(pred, target))
