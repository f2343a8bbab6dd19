"""NoReferenceNIQE: mmagic's NIQE value, without needing a GT image."""
import numpy as np
import pytest
import torch

import dasr_mm  # noqa: F401
from mmagic.evaluation.metrics import NIQE, niqe
from mmagic.registry import METRICS
from dasr_mm.evaluation.metrics import NoReferenceNIQE


def _image(size=(112, 120), seed=0) -> torch.Tensor:
    """(3, H, W) float in [0, 255] (BGR, as mmagic's metrics get it)."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, size[1])[None, :, None].repeat(size[0], 0)
    img = np.clip(base + rng.normal(0, 20, (*size, 3)), 0, 255)
    return torch.from_numpy(img).permute(2, 0, 1).float()


def _sample(pred, **extra):
    return dict(output=dict(pred_img=pred), **extra)


def test_equals_mmagic_niqe_and_needs_no_gt():
    images = [_image(seed=0), _image(seed=1)]
    metric = METRICS.build(
        dict(type='NoReferenceNIQE', crop_border=4, prefix='photos'))
    assert isinstance(metric, NoReferenceNIQE)
    metric.size = 2
    metric.process([], [_sample(img) for img in images])
    expected = [
        niqe(img, crop_border=4, input_order='CHW', convert_to='gray')
        for img in images
    ]
    assert expected[0] != expected[1]
    assert metric.evaluate() == {
        'photos/NIQE': pytest.approx(np.mean(expected), rel=1e-6)
    }
    # mmagic's own NIQE reads a GT image it never uses
    with pytest.raises(KeyError):
        NIQE(input_order='CHW').process([], [_sample(images[0])])


def test_an_image_without_a_whole_block_is_named():
    metric = NoReferenceNIQE(crop_border=4)
    with pytest.raises(ValueError, match=r'tiny\.png.*NIQE needs 96'):
        metric.process([], [_sample(_image((100, 140)),
                                    img_path='photos/tiny.png')])


def test_a_flat_output_is_named_not_an_svd_error():
    metric = NoReferenceNIQE()
    with pytest.raises(ValueError, match=r'flat\.png is undefined'):
        metric.process([], [_sample(torch.zeros(3, 100, 100),
                                    img_path='photos/flat.png')])
