"""LPIPS metric: the properties of a distance, mmagic's input convention
(CHW, [0, 255], channel order, crop border) and the weight-loading paths."""
import os

import cv2
import numpy as np
import pytest
import torch
import torchvision

import dasr_mm  # noqa: F401
from mmagic.registry import METRICS
from dasr_mm.evaluation.metrics import ALEXNET_WEIGHTS_FILE, LPIPS
from dasr_mm.evaluation.metrics.lpips import LPIPS_HEADS_FILE
from dasr_mm.utils.pretrained_weights import load_state_dict_file


def _photo(seed: int = 0, size: int = 64) -> torch.Tensor:
    """A smooth colour image, (3, size, size) float in [0, 255]."""
    rng = np.random.default_rng(seed)
    img = cv2.GaussianBlur(
        rng.uniform(0, 255, (size, size, 3)).astype(np.float32), (0, 0), 3)
    img = (img - img.min()) / (img.max() - img.min()) * 255
    return torch.from_numpy(img).permute(2, 0, 1).contiguous()


def _noisy(img: torch.Tensor, sigma: float, seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (img + sigma * torch.randn(img.shape, generator=gen)).clamp(0, 255)


@pytest.fixture(scope='module')
def random_metric() -> LPIPS:
    torch.manual_seed(0)
    return LPIPS(pretrained=None)


@pytest.fixture
def alexnet_file(tmp_path, monkeypatch):
    """A generated torchvision AlexNet state dict in a TORCH_HOME cache,
    standing in for the real ImageNet file."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    torch.manual_seed(123)
    state = torchvision.models.alexnet().state_dict()
    path = tmp_path / 'torch_home' / 'hub' / 'checkpoints' / \
        ALEXNET_WEIGHTS_FILE
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    return path, state


def test_registered_in_mmagic_and_random_trunk_is_labelled(mm_log_records):
    metric = METRICS.build(dict(type='LPIPS', pretrained=None))
    assert isinstance(metric, LPIPS)
    assert metric.metric == 'LPIPS(random-alex)'
    assert any('RANDOM' in r.getMessage() for r in mm_log_records)


def test_heads_are_the_lpips_package_v01_alex_heads(random_metric):
    heads = load_state_dict_file(LPIPS_HEADS_FILE)
    assert len(heads) == 5
    for key, value in heads.items():
        assert torch.equal(random_metric.net.state_dict()[key], value)


def test_identical_zero_symmetric_and_grows_with_distortion(random_metric):
    img = _photo()
    assert random_metric.process_image(img, img.clone(), None) == 0
    sigmas = (4, 16, 48)
    scores = [random_metric.process_image(img, _noisy(img, s), None)
              for s in sigmas]
    assert 0 < scores[0] < scores[1] < scores[2]
    other = _noisy(img, 16)
    assert random_metric.process_image(img, other, None) == pytest.approx(
        random_metric.process_image(other, img, None), rel=1e-5)


def test_batch_result_is_the_mean_of_per_image_results(random_metric):
    gts = [_photo(0), _photo(1), _photo(2)]
    preds = [_noisy(g, s, seed=i) for i, (g, s) in
             enumerate(zip(gts, (5, 20, 40)))]
    per_image = [random_metric.process_image(g, p, None)
                 for g, p in zip(gts, preds)]
    assert len(set(per_image)) == 3
    metric = LPIPS(pretrained=None, prefix='val')
    metric.net = random_metric.net  # the same trunk
    metric.size = 3  # what mmagic's evaluator sets in ``prepare``
    samples = [dict(gt_img=g, output=dict(pred_img=p))
               for g, p in zip(gts, preds)]
    metric.process([], samples[:2])  # a batch of two, then one
    metric.process([], samples[2:])
    result = metric.evaluate()
    assert list(result) == ['val/LPIPS(random-alex)']
    assert result['val/LPIPS(random-alex)'] == pytest.approx(
        np.mean(per_image), rel=1e-6)


def test_crop_border_is_honoured(random_metric):
    img = _photo(size=72)
    framed = img.clone()
    framed[:, :4], framed[:, -4:] = 0, 255  # differs only in a 4-px frame
    framed[:, :, :4], framed[:, :, -4:] = 255, 0
    cropped = LPIPS(pretrained=None, crop_border=4)
    cropped.net = random_metric.net
    assert random_metric.process_image(img, framed, None) > 0.01
    assert cropped.process_image(img, framed, None) == 0
    inner = cropped.to_network_input(img)
    assert inner.shape == (1, 3, 64, 64)


def test_channel_order_is_honoured(random_metric):
    rgb = LPIPS(pretrained=None, channel_order='rgb')
    rgb.net = random_metric.net
    img = _photo()
    tinted = img.clone()
    tinted[0] = (tinted[0] * 0.6).round()  # red channel darker (RGB order)
    as_rgb = rgb.process_image(img, tinted, None)
    # mmagic hands metrics BGR: the same pictures, flipped, give the same
    # score under the default order ...
    assert random_metric.channel_order == 'BGR'
    assert random_metric.process_image(img.flip(0), tinted.flip(0),
                                       None) == pytest.approx(as_rgb,
                                                              rel=1e-5)
    # ... and reading them in the wrong order changes the score
    assert random_metric.process_image(img, tinted, None) != pytest.approx(
        as_rgb, rel=1e-3)
    with pytest.raises(ValueError, match='channel_order'):
        LPIPS(pretrained=None, channel_order='YUV')


def test_loads_the_alexnet_trunk_from_torchvision_cache(alexnet_file):
    _, state = alexnet_file
    metric = LPIPS()  # pretrained='torchvision'
    assert metric.metric == 'LPIPS'
    trunk = metric.net.net.state_dict()
    assert len(trunk) == 10
    for name, value in trunk.items():
        assert torch.equal(value, state['features.' + name.split('.', 1)[1]])
    img = _photo()
    assert metric.process_image(img, _noisy(img, 20), None) > 0


def test_loads_the_trunk_from_a_local_path(alexnet_file, tmp_path):
    path, state = alexnet_file
    local = tmp_path / 'mine.pth'
    torch.save(dict(state_dict=state), local)  # a checkpoint dict is fine
    metric = LPIPS(pretrained=str(local))
    assert metric.metric == 'LPIPS'
    assert torch.equal(metric.net.net.slice1[0].weight,
                       state['features.0.weight'])


def test_missing_weights_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty'))
    with pytest.raises(FileNotFoundError) as err:
        LPIPS()
    message = str(err.value)
    assert ALEXNET_WEIGHTS_FILE in message
    assert os.path.join(str(tmp_path / 'empty'), 'hub', 'checkpoints') in \
        message
    assert 'never downloaded' in message
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        LPIPS(pretrained=str(tmp_path / 'nowhere.pth'))


def test_a_file_that_is_not_alexnet_is_refused(tmp_path):
    path = tmp_path / 'vgg.pth'
    torch.save({'features.0.weight': torch.zeros(64, 3, 3, 3)}, path)
    with pytest.raises(RuntimeError, match='not a torchvision AlexNet'):
        LPIPS(pretrained=str(path))


def test_equals_the_lpips_package_on_rgb_in_0_1(random_metric):
    """mmagic hands BGR in [0, 255]; lpips wants RGB, here [0, 1] with its
    own ``normalize=True`` scaling to [-1, 1]."""
    rgb, other = _photo(3), _noisy(_photo(3), 25)
    with torch.no_grad():
        reference = random_metric.net(rgb[None] / 255, other[None] / 255,
                                      normalize=True).item()
    assert random_metric.process_image(rgb.flip(0), other.flip(0),
                                       None) == pytest.approx(reference,
                                                              rel=1e-5)


def test_random_trunk_is_seeded_so_runs_compare():
    """Two runs (or two models' tests) that consumed the global RNG
    differently still score with the same random trunk; the caller's RNG
    state is untouched."""
    torch.manual_seed(1)
    first = LPIPS(pretrained=None)
    torch.rand(1000)  # e.g. a different model was built before
    state = torch.get_rng_state()
    second = LPIPS(pretrained=None)
    assert torch.equal(torch.get_rng_state(), state)
    for a, b in zip(first.net.state_dict().values(),
                    second.net.state_dict().values()):
        assert torch.equal(a, b)
    other = LPIPS(pretrained=None, random_seed=1)
    assert not torch.equal(other.net.net.slice1[0].weight,
                           first.net.net.slice1[0].weight)
