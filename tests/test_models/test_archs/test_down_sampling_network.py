import pytest
import torch
import torch.nn.functional as F

import dasr_mm  # noqa: F401  (applies compat, registers the modules)
from dasr_mm.models.archs import DownSamplingNetwork

TINY = dict(mid_channels=8, num_blocks=1)


@pytest.mark.parametrize('variant', ['paper', 'official'])
@pytest.mark.parametrize('scale', [1, 2, 4])
def test_output_shape_and_range(variant, scale):
    torch.manual_seed(0)
    dsn = DownSamplingNetwork(scale=scale, variant=variant, **TINY)
    x = torch.rand(2, 3, 16, 24)
    out = dsn(x)
    assert out.shape == (2, 3, 16 // scale, 24 // scale)
    assert torch.isfinite(out).all()
    if variant == 'official':  # sigmoid output
        assert out.min() > 0 and out.max() < 1


def test_paper_architecture():
    from mmagic.models.archs import ResidualBlockNoBN
    dsn = DownSamplingNetwork()  # defaults: the paper's x4 DSN
    blocks = [m for m in dsn.modules() if isinstance(m, ResidualBlockNoBN)]
    assert len(blocks) == 23
    assert dsn.conv_first.out_channels == 64
    assert dsn.conv_last.out_channels == 3
    assert all(m.stride == (1, 1) for m in dsn.modules()
               if isinstance(m, torch.nn.Conv2d))


def test_paper_variant_resizes_features_bilinearly():
    """Replacing the trunk output by a known map shows the resize step."""
    torch.manual_seed(0)
    dsn = DownSamplingNetwork(scale=2, **TINY).eval()
    x = torch.rand(1, 3, 8, 12)
    captured = {}
    dsn.conv_lr.register_forward_hook(
        lambda m, inp, out: captured.setdefault('in', inp[0]))
    dsn(x)
    feat = dsn.conv_first(x)
    feat = feat + dsn.conv_body(dsn.body(feat))
    expected = F.interpolate(
        feat, size=(4, 6), mode='bilinear', align_corners=False)
    torch.testing.assert_close(captured['in'], expected)


@pytest.mark.parametrize('scale,num_down', [(1, 0), (2, 1), (4, 2)])
def test_official_architecture_and_checkpoint_names(scale, num_down):
    dsn = DownSamplingNetwork(scale=scale, variant='official', num_blocks=8)
    strided = [
        m for m in dsn.down_sample if isinstance(m, torch.nn.Conv2d)
        and m.stride == (2, 2)
    ]
    assert len(strided) == num_down
    keys = set(dsn.state_dict())
    # names of the authors' released De_resnet, so checkpoints map directly
    assert {
        'block_input.0.weight', 'block_input.1.weight',
        'res_blocks.7.conv1.weight', 'res_blocks.7.prelu.weight',
        'res_blocks.7.conv2.bias', 'block_output.weight'
    } <= keys
    assert 'res_blocks.8.conv1.weight' not in keys
    assert ('down_sample.0.weight' in keys) == (scale > 1)


@pytest.mark.parametrize('variant', ['paper', 'official'])
def test_batch_independent_and_gradients_reach_all_parameters(variant):
    torch.manual_seed(0)
    dsn = DownSamplingNetwork(scale=2, variant=variant, **TINY)
    x = torch.rand(3, 3, 12, 12)
    out = dsn(x)
    torch.testing.assert_close(out[1:2], dsn(x[1:2]))
    out.mean().backward()
    for name, p in dsn.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize('variant', ['paper', 'official'])
def test_learns_a_downsampling(variant):
    """A few Adam steps fit a tiny DSN to 2x average pooling."""
    torch.manual_seed(0)
    dsn = DownSamplingNetwork(scale=2, variant=variant, **TINY)
    optim = torch.optim.Adam(dsn.parameters(), lr=1e-2)
    x = F.interpolate(
        torch.rand(4, 3, 4, 4), size=(16, 16), mode='bilinear')
    target = F.avg_pool2d(x, 2)
    losses = []
    for _ in range(80):
        loss = F.l1_loss(dsn(x), target)
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    # predicting each image's mean colour leaves an L1 of about 0.17
    assert losses[-1] < min(0.1, 0.5 * losses[0])


@pytest.mark.parametrize('variant', ['paper', 'official'])
def test_indivisible_or_bad_input_raises(variant):
    dsn = DownSamplingNetwork(scale=4, variant=variant, **TINY)
    with pytest.raises(ValueError, match='divisible'):
        dsn(torch.rand(1, 3, 16, 18))
    with pytest.raises(ValueError, match='divisible'):
        dsn(torch.rand(1, 3, 14, 16))
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        dsn(torch.rand(1, 1, 16, 16))
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        dsn(torch.rand(3, 16, 16))


@pytest.mark.parametrize('kwargs', [
    dict(scale=3),
    dict(scale=8),
    dict(scale=True),
    dict(scale=2.0),
    dict(variant='fssr'),
    dict(num_blocks=0),
    dict(mid_channels=0),
    dict(in_channels=3.0),
])
def test_bad_args_raise(kwargs):
    with pytest.raises(ValueError):
        DownSamplingNetwork(**{**TINY, **kwargs})


def test_registered():
    from mmagic.registry import MODELS
    assert MODELS.get('DownSamplingNetwork') is DownSamplingNetwork
    dsn = MODELS.build(
        dict(type='DownSamplingNetwork', scale=1, variant='official', **TINY))
    assert dsn(torch.rand(1, 3, 6, 10)).shape == (1, 3, 6, 10)
