"""Tests of CPUAutocastOptimWrapper, ``--amp`` on the CPU (the editors' bf16
training tests are in tests/test_models/test_editors)."""
import os.path as osp

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from dasr_mm.apis import enable_amp, load_config
from dasr_mm.engine.optimizers import CPUAutocastOptimWrapper


def test_forward_runs_in_bf16_inside_the_context_only():
    net = nn.Conv2d(3, 4, 3)
    wrapper = CPUAutocastOptimWrapper(
        optimizer=torch.optim.Adam(net.parameters()))
    x = torch.rand(1, 3, 8, 8)
    with wrapper.optim_context(net):
        y = net(x)
    assert y.dtype == torch.bfloat16
    assert net(x).dtype == torch.float32
    before = net.weight.detach().clone()
    wrapper.update_params(y.float().square().mean())
    assert net.weight.dtype == torch.float32
    assert not torch.equal(before, net.weight)


def test_fp16_on_the_cpu_is_refused_with_the_alternative():
    with pytest.raises(ValueError, match='AmpOptimWrapper'):
        CPUAutocastOptimWrapper(
            dtype='float16',
            optimizer=torch.optim.Adam(nn.Linear(1, 1).parameters()))


def test_amp_on_a_real_config_builds_cpu_autocast_wrappers(repo_root):
    cfg = load_config(osp.join(repo_root, 'configs/dasr/dsn_demo.py'))
    enable_amp(cfg, device='cpu')
    model = nn.ModuleDict(
        dict(generator=nn.Conv2d(3, 3, 1), discriminator=nn.Conv2d(3, 1, 1)))
    with DefaultScope.overwrite_default_scope('mmagic'):
        wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    assert {type(w) for w in wrappers.values()} == {CPUAutocastOptimWrapper}
    assert wrappers['generator'].param_groups[0]['lr'] == cfg.lr
