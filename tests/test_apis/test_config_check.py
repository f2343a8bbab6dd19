"""Unknown config keys are errors naming the key, the registered type the
config asked for and the closest valid key, raised by ``load_config`` (so
before a Runner, a model or a work dir exists)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis import load_config
from dasr_mm.apis.config_check import (accepted_arguments,
                                       config_key_problems)
from dasr_mm.models.editors.dasr import (DomainAdversarialEditor,
                                         DomainDistanceAwareSR,
                                         DownSamplingGAN)
from dasr_mm.utils.config_keys import ConfigKeyError


def _problems(repo_root, options, config='configs/dasr/srn_demo.py'):
    with pytest.raises(ConfigKeyError) as e:
        load_config(f'{repo_root}/{config}', cfg_options=options)
    return str(e.value), e.value.problems


def test_every_shipped_config_passes(repo_root):
    configs = glob.glob(f'{repo_root}/configs/dasr/**/*.py', recursive=True)
    configs.append(f'{repo_root}/tests/configs/rrdbnet_smoke.py')
    assert len(configs) > 20
    for path in configs:
        assert config_key_problems(Config.fromfile(path)) == [], path


def test_nested_train_cfg_typo_names_the_closest_key(repo_root):
    message, problems = _problems(repo_root,
                                  {'model.train_cfg.pretrain_iter': 5})
    assert len(problems) == 1
    assert 'model.train_cfg.pretrain_iter' in message
    assert "DomainDistanceAwareSR's train_cfg" in message
    assert "did you mean 'pretrain_iters'?" in message


def test_constructor_typo_names_the_configured_type(repo_root):
    message, _ = _problems(repo_root, {'model.generatr.mid_channels': 8})
    assert "model.generatr: DomainDistanceAwareSR (model.type) has no " \
        "argument 'generatr'; did you mean 'generator'?" in message
    assert 'DomainAdversarialEditor' not in message  # not the base class


@pytest.mark.parametrize('key,type_name,guess', [
    ('train_dataloader.dataset.lr_patch', 'DomainDistanceTripletDataset',
     'lr_patch_size'),
    ('val_dataloader.dataset.scal', 'PairedImageFolderDataset', 'scale'),
    ('default_hooks.checkpoint.intervals', 'CheckpointHook', 'interval'),
    ('model.generator.mid_chanels', 'MSRResNet', 'mid_channels'),
    ('train_cfg.max_iter', 'IterBasedTrainLoop', 'max_iters'),
])
def test_dataset_hook_arch_and_loop_typos(repo_root, key, type_name, guess):
    message, problems = _problems(repo_root, {key: 1})
    assert len(problems) == 1
    assert key in message and type_name in message
    assert f"did you mean '{guess}'?" in message


def test_transform_and_custom_hook_typos_are_listed_together(repo_root):
    cfg = load_config(f'{repo_root}/configs/dasr/dsn_demo.py')
    cfg.train_dataloader.dataset.pipeline[2]['crop_sise'] = (8, 8)
    cfg.custom_hooks[0]['tile_sise'] = 64
    cfg.model.train_cfg['pretrain_iter'] = 1
    problems = config_key_problems(cfg)
    assert len(problems) == 3
    text = '\n'.join(problems)
    assert ("train_dataloader.dataset.pipeline[2].crop_sise: Crop" in text
            and "'crop_size'" in text)
    assert ('custom_hooks[0].tile_sise: DomainDistanceMapExportHook' in text
            and "'tile_size'" in text)
    assert "DownSamplingGAN's train_cfg" in text


def test_pipeline_stage1_options_are_checked_when_stage1_loads(repo_root):
    # the stage-1 config of a pipeline is loaded with load_config as well
    message, _ = _problems(
        repo_root, {'model.train_cfg.pretrain_iter': 5},
        config='configs/dasr/dsn_demo.py')
    assert "DownSamplingGAN's train_cfg" in message


def test_editors_reject_unknown_train_and_test_cfg_keys():
    with pytest.raises(ConfigKeyError, match="'disc_steps'"):
        DownSamplingGAN.check_cfg_keys(dict(disc_steps=2), None)
    with pytest.raises(ConfigKeyError, match="test_cfg has no key 'metrics'"):
        DomainDistanceAwareSR.check_cfg_keys(None, dict(metrics=1))
    DomainDistanceAwareSR.check_cfg_keys(
        dict(pretrain_iters=1, adv_domain='source', use_weights=False), {})
    assert set(DomainDistanceAwareSR.TRAIN_CFG_KEYS) > set(
        DomainAdversarialEditor.TRAIN_CFG_KEYS)


def test_accepted_arguments_follow_kwargs_to_the_base_class():
    names = accepted_arguments(DomainDistanceAwareSR)
    assert {'is_use_ema', 'generator', 'train_cfg'} <= names

    class Open:

        def __init__(self, **kwargs):
            pass

    def function(a, b=1):
        pass

    assert accepted_arguments(function) == {'a', 'b'}
    assert accepted_arguments(lambda **kw: None) is None
    assert accepted_arguments(Open) == set()  # object() takes no kwargs


def test_no_work_dir_is_created(repo_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    with pytest.raises(ConfigKeyError):
        load_config(
            f'{repo_root}/configs/dasr/srn_demo.py',
            work_dir=work_dir,
            cfg_options={'model.generatr.mid_channels': 8})
    assert not osp.exists(work_dir)
