"""Tests of the stage-2 editor DomainDistanceAwareSR (SRN + D_t training)."""
import pytest
import torch
from mmagic.registry import MODELS
from mmagic.structures import DataSample

from dasr_mm.models.editors.dasr import DomainDistanceAwareSR

LR = 12
ADV_KEYS = {
    'loss_pix', 'loss_perceptual', 'loss_gan', 'loss_d_real', 'loss_d_fake'
}


def generator(scale: int) -> dict:
    tiny = dict(
        in_channels=3, out_channels=3, mid_channels=8, num_blocks=1,
        growth_channels=4)
    if scale == 1:
        return dict(type='RRDBNetNoUpsample', **tiny)
    return dict(type='RRDBNet', upscale_factor=scale, **tiny)


def build(kit, scale: int = 4, **train_cfg) -> DomainDistanceAwareSR:
    ema = train_cfg.pop('is_use_ema', False)
    train_cfg.setdefault('pretrain_iters', 0)
    return MODELS.build(
        dict(
            type='DomainDistanceAwareSR',
            generator=generator(scale),
            is_use_ema=ema,
            train_cfg=train_cfg,
            data_preprocessor=kit.preprocessor(
                ['gt_img', 'target_img', 'target_gt']),
            **kit.parts()))


def rand_img(size: int) -> torch.Tensor:
    return torch.randint(0, 256, (3, size, size)).float()


def batch(scale: int = 4, weight: float = None, n: int = 2) -> dict:
    """Source LR / paired HR / map, real LR and unpaired HR, [0, 255]; the
    map is random in [0, 1] unless ``weight`` gives a constant."""
    hr = LR * scale
    samples = []
    for _ in range(n):
        w = torch.rand(1, hr, hr) if weight is None else torch.full(
            (1, hr, hr), weight)
        samples.append(
            DataSample(
                gt_img=rand_img(hr),
                weight=w,
                target_img=rand_img(LR),
                target_gt=rand_img(hr)))
    return dict(inputs=[rand_img(LR) for _ in range(n)], data_samples=samples)


def stacked(data: dict, key: str) -> torch.Tensor:
    return torch.stack([getattr(s, key) for s in data['data_samples']])


def test_pretrain_then_adversarial_phase(kit):
    model = build(kit, pretrain_iters=1)
    optim = kit.optim_wrappers(model)
    g_before = kit.snapshot(model.generator)
    d_before = kit.snapshot(model.discriminator)

    assert set(model.train_step(batch(), optim)) == {'loss_pix'}
    assert kit.changed(g_before, model.generator)
    assert not kit.changed(d_before, model.discriminator)

    g_before = kit.snapshot(model.generator)
    log = model.train_step(batch(), optim)
    assert set(log) == ADV_KEYS
    assert all(torch.isfinite(v) for v in log.values())
    assert kit.changed(g_before, model.generator)
    assert kit.changed(d_before, model.discriminator)


def test_weighted_content_loss_uses_the_map(kit):
    model = build(kit, pretrain_iters=5)
    optim = kit.optim_wrappers(model)
    assert model.train_step(batch(weight=0.), optim)['loss_pix'] == 0

    data = batch()
    inputs = torch.stack(data['inputs']) / 255.
    gt = stacked(data, 'gt_img') / 255.
    with torch.no_grad():
        error = (model.generator(inputs) - gt).abs()
    expected = 0.01 * (stacked(data, 'weight') * error).mean()
    torch.testing.assert_close(
        model.train_step(data, optim)['loss_pix'], expected)


def test_use_weights_false_ignores_the_map(kit):
    model = build(kit, pretrain_iters=5, use_weights=False)
    data = batch(weight=0.)
    inputs = torch.stack(data['inputs']) / 255.
    with torch.no_grad():
        expected = 0.01 * (model.generator(inputs) -
                           stacked(data, 'gt_img') / 255.).abs().mean()
    log = model.train_step(data, kit.optim_wrappers(model))
    assert log['loss_pix'] > 0
    torch.testing.assert_close(log['loss_pix'], expected)


@pytest.mark.parametrize('adv_domain', ['target', 'source'])
def test_discriminator_sees_the_configured_domain(kit, disc_spy, adv_domain):
    model = build(kit, adv_domain=adv_domain)
    data = batch()
    fake_source = 'target_img' if adv_domain == 'target' else None
    real_key = 'target_gt' if adv_domain == 'target' else 'gt_img'
    lr_in = (stacked(data, fake_source) if fake_source else torch.stack(
        data['inputs'])) / 255.
    with torch.no_grad():
        expected_fake = model.generator(lr_in)
    calls = disc_spy(model.discriminator)

    model.train_step(data, kit.optim_wrappers(model))

    assert len(calls) == 3  # real, detached fake (D step); fake (G step)
    torch.testing.assert_close(calls[0][0], stacked(data, real_key) / 255.)
    torch.testing.assert_close(calls[1][0], expected_fake)
    torch.testing.assert_close(calls[2][0], expected_fake)


def test_invalid_adv_domain_is_rejected(kit):
    with pytest.raises(ValueError, match='adv_domain'):
        build(kit, adv_domain='both')


@pytest.mark.parametrize('scale', [4, 1])
def test_val_step_pred_size(kit, scale):
    model = build(kit, scale=scale)
    outputs = model.val_step(batch(scale=scale))
    assert len(outputs) == 2
    assert outputs[0].output.pred_img.shape == (3, LR * scale, LR * scale)


def test_scale1_generator_keeps_size_without_resampling():
    net = MODELS.build(generator(1))
    assert not any('up' in name for name, _ in net.named_modules())
    x = torch.rand(1, 3, 10, 14)
    assert net(x).shape == x.shape


def test_ema_generator_is_built_frozen_and_used_for_inference(kit):
    model = build(kit, is_use_ema=True)
    assert build(kit).generator_ema is None
    model.init_weights()
    for (_, p), (_, q) in zip(model.generator.named_parameters(),
                              model.generator_ema.named_parameters()):
        assert torch.equal(p, q) and not q.requires_grad

    with torch.no_grad():
        for q in model.generator_ema.parameters():
            q.mul_(0.5)
    x = torch.rand(1, 3, LR, LR)
    with torch.no_grad():
        torch.testing.assert_close(
            model(x, mode='tensor'), model.generator_ema(x))
        assert not torch.allclose(model(x, mode='tensor'), model.generator(x))


def test_joint_generator_pass_runs_once_with_the_same_maths(kit, disc_spy):
    """One generator call on cat(source, target) instead of two: the same
    losses, the same D inputs and the same updated weights."""
    data = batch()
    runs = {}
    for joint in (True, False):
        torch.manual_seed(0)
        model = build(kit, joint_generator_pass=joint)
        calls = []
        model.generator.register_forward_hook(
            lambda _m, args, _out, calls=calls: calls.append(args[0].shape))
        d_calls = disc_spy(model.discriminator)
        log = model.train_step(data, kit.optim_wrappers(model))
        runs[joint] = (calls, log, d_calls, kit.snapshot(model.generator),
                       kit.snapshot(model.discriminator))
    (calls_j, log_j, d_j, g_j, dw_j), (calls_s, log_s, d_s, g_s, dw_s) = (
        runs[True], runs[False])
    assert calls_j == [(4, 3, LR, LR)]
    assert calls_s == [(2, 3, LR, LR)] * 2
    assert set(log_j) == set(log_s) == ADV_KEYS
    for key in ADV_KEYS:
        torch.testing.assert_close(log_j[key], log_s[key])
    for (x_j, _), (x_s, _) in zip(d_j, d_s, strict=True):
        torch.testing.assert_close(x_j, x_s)
    for before, after in ((g_j, g_s), (dw_j, dw_s)):
        for name in before:
            torch.testing.assert_close(before[name], after[name])


def test_joint_generator_pass_falls_back_for_other_target_sizes(kit):
    model = build(kit)
    calls = []
    model.generator.register_forward_hook(
        lambda _m, args, _out: calls.append(args[0].shape))
    data = batch()
    for sample in data['data_samples']:
        sample.target_img = rand_img(LR + 4)
        sample.target_gt = rand_img((LR + 4) * 4)
    model.train_step(data, kit.optim_wrappers(model))
    assert calls == [(2, 3, LR, LR), (2, 3, LR + 4, LR + 4)]


def test_bf16_autocast_on_the_cpu_trains_with_finite_losses(kit):
    """``--amp`` on the CPU (CPUAutocastOptimWrapper)."""
    kit.assert_bf16_training(build(kit, pretrain_iters=1), batch, ADV_KEYS)
