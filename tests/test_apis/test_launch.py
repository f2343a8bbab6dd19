import pytest
from mmengine.config import Config

import dasr_mm  # noqa: F401
from dasr_mm.apis import (amp_settings, enable_amp, load_config,
                          propagate_data_root)


def test_propagate_data_root_moves_only_paths_under_the_old_root():
    cfg = Config(
        dict(
            data_root='new/root',
            train_dataloader=dict(
                dataset=dict(
                    data_root='data/demo',
                    pipeline=[dict(type='X', path='data/demo/hr')])),
            hooks=[dict(hr_dir='data/demo/hr'), dict(hr_dir='data/demo2')],
            other='data/demonstration',
            kernel=(3, 'data/demo')))
    propagate_data_root(cfg, 'data/demo')
    assert cfg.train_dataloader.dataset.data_root == 'new/root'
    assert cfg.train_dataloader.dataset.pipeline[0]['path'] == 'new/root/hr'
    assert cfg.hooks[0]['hr_dir'] == 'new/root/hr'
    assert cfg.hooks[1]['hr_dir'] == 'data/demo2'  # a sibling, not a child
    assert cfg.other == 'data/demonstration'
    assert tuple(cfg.kernel) == (3, 'new/root')


def test_load_config_moves_a_real_pipeline_config(repo_root):
    cfg = load_config(
        f'{repo_root}/configs/dasr/dasr_demo.py',
        cfg_options=dict(data_root='/elsewhere'))
    assert cfg.train_dataloader.dataset.data_root == '/elsewhere'
    assert cfg.val_dataloader.dataset.data_root == '/elsewhere'
    assert cfg.work_dir == 'work_dirs/dasr_demo'


@pytest.mark.parametrize('device,dtype,expected', [
    ('cpu', None, ('CPUAutocastOptimWrapper', 'bfloat16')),
    ('cuda', None, ('AmpOptimWrapper', 'float16')),
    ('cuda', 'bfloat16', ('AmpOptimWrapper', 'bfloat16')),
])
def test_enable_amp_on_gan_and_single_optimizer_configs(device, dtype,
                                                        expected):
    gan = Config(
        dict(
            optim_wrapper=dict(
                constructor='MultiOptimWrapperConstructor',
                generator=dict(type='OptimWrapper', optimizer=dict()),
                discriminator=dict(type='OptimWrapper', optimizer=dict()))))
    single = Config(dict(optim_wrapper=dict(type='OptimWrapper')))
    assert amp_settings(gan) is None
    enable_amp(gan, dtype, device=device)
    enable_amp(single, dtype, device=device)
    for wrapper in (gan.optim_wrapper.generator,
                    gan.optim_wrapper.discriminator, single.optim_wrapper):
        assert (wrapper.type, wrapper.dtype) == expected
        assert (wrapper.get('loss_scale') == 'dynamic') == (device == 'cuda')
    assert amp_settings(gan) == amp_settings(single) == expected[1]


def test_enable_amp_refuses_other_wrappers():
    cfg = Config(dict(optim_wrapper=dict(type='SomethingElse')))
    with pytest.raises(ValueError, match='OptimWrapper'):
        enable_amp(cfg)
