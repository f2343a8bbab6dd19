"""Tests of the stage-1 editor DownSamplingGAN (DSN + D training)."""
import pytest
import torch
from mmagic.registry import MODELS
from mmagic.structures import DataSample

from dasr_mm.models.editors.dasr import DownSamplingGAN
from dasr_mm.models.utils import matlab_bicubic_downsample

SCALE, HR = 4, 48
ADV_KEYS = {
    'loss_pix', 'loss_perceptual', 'loss_gan', 'loss_d_real', 'loss_d_fake'
}


def build(kit, pretrain_iters: int) -> DownSamplingGAN:
    return MODELS.build(
        dict(
            type='DownSamplingGAN',
            generator=dict(
                type='DownSamplingNetwork',
                scale=SCALE,
                mid_channels=4,
                num_blocks=1),
            train_cfg=dict(pretrain_iters=pretrain_iters),
            data_preprocessor=kit.preprocessor(['gt_img']),
            **kit.parts()))


def batch(n: int = 2) -> dict:
    """HR crops as inputs and unpaired real-LR crops as gt_img, [0, 255]."""
    lr = HR // SCALE
    return dict(
        inputs=[torch.randint(0, 256, (3, HR, HR)).float() for _ in range(n)],
        data_samples=[
            DataSample(gt_img=torch.randint(0, 256, (3, lr, lr)).float())
            for _ in range(n)
        ])


def test_pretrain_step_updates_generator_only(kit):
    model = build(kit, pretrain_iters=2)
    optim = kit.optim_wrappers(model)
    data = batch()
    g_before = kit.snapshot(model.generator)
    d_before = kit.snapshot(model.discriminator)
    inputs = torch.stack(data['inputs']) / 255.
    with torch.no_grad():
        expected = model.pixel_loss(
            model.generator(inputs),
            matlab_bicubic_downsample(inputs, SCALE))

    log = model.train_step(data, optim)

    assert set(log) == {'loss_pix'}
    torch.testing.assert_close(log['loss_pix'], expected)
    assert kit.changed(g_before, model.generator)
    assert not kit.changed(d_before, model.discriminator)
    assert int(model.step_counter) == 1


def test_adversarial_step_recomputes_d_after_its_update(kit, disc_spy):
    model = build(kit, pretrain_iters=0)
    optim = kit.optim_wrappers(model)
    data = batch()
    g_before = kit.snapshot(model.generator)
    d_before = kit.snapshot(model.discriminator)
    calls = disc_spy(model.discriminator)

    log = model.train_step(data, optim)

    assert set(log) == ADV_KEYS
    assert all(torch.isfinite(v) for v in log.values())
    assert kit.changed(g_before, model.generator)
    assert kit.changed(d_before, model.discriminator)
    # D step on real LR, D step on the detached fake, G step on the fake
    assert len(calls) == 3
    real_in, fake_in, g_in = (c[0] for c in calls)
    torch.testing.assert_close(real_in, torch.stack(
        [s.gt_img for s in data['data_samples']]) / 255.)
    assert fake_in.shape == real_in.shape
    torch.testing.assert_close(g_in, fake_in)
    # the G-step logits come from the updated D, not the D-step ones
    assert not torch.allclose(calls[2][1], calls[1][1])
    with torch.no_grad():
        torch.testing.assert_close(model.discriminator(g_in), calls[2][1])
    assert all(p.grad is None for p in model.discriminator.parameters())


def test_pretrain_switch_survives_resume(kit):
    model = build(kit, pretrain_iters=2)
    optim = kit.optim_wrappers(model)
    for _ in range(2):
        assert set(model.train_step(batch(), optim)) == {'loss_pix'}
    assert 'step_counter' in model.state_dict()

    resumed = build(kit, pretrain_iters=2)
    resumed.load_state_dict(model.state_dict())
    assert int(resumed.step_counter) == 2
    assert set(resumed.train_step(batch(),
                                  kit.optim_wrappers(resumed))) == ADV_KEYS
    fresh = build(kit, pretrain_iters=2)
    assert set(fresh.train_step(batch(),
                                kit.optim_wrappers(fresh))) == {'loss_pix'}


def test_val_step_returns_generated_lr(kit):
    model = build(kit, pretrain_iters=0)
    assert model.scale == SCALE
    outputs = model.val_step(batch())
    assert len(outputs) == 2
    assert outputs[0].output.pred_img.shape == (3, HR // SCALE, HR // SCALE)


def test_missing_discriminator_is_rejected(kit):
    parts = kit.parts()
    parts['discriminator'] = None
    with pytest.raises(ValueError, match='discriminator'):
        DownSamplingGAN(
            generator=dict(type='DownSamplingNetwork', scale=2,
                           mid_channels=4, num_blocks=1),
            **parts)


def test_bf16_autocast_on_the_cpu_trains_with_finite_losses(kit):
    """``--amp`` on the CPU (CPUAutocastOptimWrapper)."""
    kit.assert_bf16_training(build(kit, pretrain_iters=1), batch, ADV_KEYS)
