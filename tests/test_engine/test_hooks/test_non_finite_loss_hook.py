"""A non-finite loss stops a stage-1 run at once, naming the loss and the
iteration, after saving a checkpoint with the weights before the bad step;
``--resume`` with a halved lr (``ResumedLearningRateHook``) continues. A
model whose weights the bad step spoilt gets no checkpoint."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from dasr_mm.apis import build_runner, load_config
from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.engine.hooks import NonFiniteLossError
from dasr_mm.utils.io import atomic_save_image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
LR = Config.fromfile(osp.join(REPO, 'configs/dasr/dsn_demo.py')).lr


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo') / 'data')
    prepare_demo_data(root)
    return root


def tiny_stage1(root, work_dir, **options):
    cfg = load_config(
        osp.join(REPO, 'configs/dasr/dsn_demo.py'),
        work_dir=work_dir,
        cfg_options={
            'data_root': root,
            'train_cfg.max_iters': 6,
            'train_cfg.val_interval': 100,
            'model.train_cfg.pretrain_iters': 2,
            'train_dataloader.batch_size': 2,
            'default_hooks.checkpoint.interval': 100,
            'default_hooks.logger.interval': 1,
            # the demo's cosine schedule, flat over these few iterations
            'param_scheduler.T_max': 10**9,
            'custom_hooks': [],
            **options
        })
    return build_runner(cfg)


def test_nan_gan_loss_stops_saves_and_resumes_with_lower_lr(
        demo_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    runner = tiny_stage1(demo_root, work_dir)
    model = runner.model
    gan_forward = model.gan_loss.forward
    before_bad_step = {}

    def nan_at_iteration_4(pred, target_is_real, is_disc=False):
        loss = gan_forward(pred, target_is_real, is_disc=is_disc)
        if int(model.step_counter) == 3 and not is_disc:  # G loss, 4th iter
            before_bad_step.update({
                k: v.detach().clone()
                for k, v in model.generator.state_dict().items()})
            return loss * float('nan')
        return loss

    model.gan_loss.forward = nan_at_iteration_4
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    assert 'non-finite loss at iteration 4 (loss_gan=nan)' in message
    assert 'iter_4.pth' in message and '--resume' in message
    assert (f'optim_wrapper.generator.optimizer.lr={LR / 2:g}' in message
            and f'optim_wrapper.discriminator.optimizer.lr={LR / 2:g}'
            in message)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('iter_4.pth')
    ckpt = torch.load(osp.join(work_dir, 'iter_4.pth'), map_location='cpu')
    assert ckpt['meta']['iter'] == 4
    state = ckpt['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())
    assert int(state['step_counter']) == 4
    # the NaN step was skipped: G is as it was before it
    assert before_bad_step
    for k, v in before_bad_step.items():
        torch.testing.assert_close(state[f'generator.{k}'], v, rtol=0,
                                   atol=0)

    resumed = tiny_stage1(
        demo_root, work_dir, resume=True,
        **{'optim_wrapper.generator.optimizer.lr': LR / 2,
           'optim_wrapper.discriminator.optimizer.lr': LR / 2})
    resumed.train()
    assert resumed.iter == 6
    final = torch.load(osp.join(work_dir, 'iter_6.pth'), map_location='cpu')
    for name in ('generator', 'discriminator'):
        group = final['optimizer'][name]['param_groups'][0]
        assert group['lr'] == pytest.approx(LR / 2)
        assert group['initial_lr'] == pytest.approx(LR / 2)
        scheduler = final['param_schedulers'][name][0]
        assert scheduler['base_values'] == [pytest.approx(LR / 2)]


def test_model_that_applied_the_nan_update_gets_no_checkpoint(tmp_path):
    """mmagic's BaseEditModel steps on a NaN loss: its weights are NaN, so
    the hook saves nothing and names the last periodic checkpoint."""
    rng = np.random.default_rng(0)
    for i in range(2):
        hr = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)
        atomic_save_image(str(tmp_path / 'data' / 'hr' / f'{i}.png'), hr)
        atomic_save_image(str(tmp_path / 'data' / 'lr' / f'{i}.png'),
                          hr[::4, ::4])
    work_dir = str(tmp_path / 'work')
    runner = build_runner(
        load_config(
            osp.join(REPO, 'tests/configs/rrdbnet_smoke.py'),
            work_dir=work_dir,
            cfg_options={
                'data_root': str(tmp_path / 'data'),
                'train_cfg.max_iters': 4,
                'train_cfg.val_interval': 100,
            }))
    loss = runner.model.pixel_loss
    calls = []

    def nan_in_iteration_3(*args, **kwargs):
        calls.append(1)
        value = type(loss).forward(loss, *args, **kwargs)
        return value * float('nan') if len(calls) == 3 else value

    loss.forward = nan_in_iteration_3
    with pytest.raises(NonFiniteLossError) as err:
        runner.train()
    message = str(err.value)
    assert 'non-finite loss at iteration 3 (loss=nan)' in message
    assert 'no checkpoint was saved' in message and 'iter_2.pth' in message
    assert not osp.exists(osp.join(work_dir, 'iter_3.pth'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('iter_2.pth')
