"""Fixtures of the DASR editor tests: tiny configs, optimizers, parameter
snapshots and a spy on discriminator calls."""
from copy import deepcopy
from types import SimpleNamespace
from typing import Callable, Dict, List, Set, Tuple

import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope
from torch import nn

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.engine.optimizers import CPUAutocastOptimWrapper

TINY_PARTS = dict(
    discriminator=dict(
        type='DomainPatchDiscriminator',
        extractor=dict(mode='wavelet'),
        mid_channels=8),
    pixel_loss=dict(type='DomainWeightedL1Loss', loss_weight=0.01),
    perceptual_loss=dict(
        type='DomainWeightedPerceptualLoss',
        layer='conv2_2',
        loss_weight=1.0,
        pretrained=None),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.005))


def _preprocessor(data_keys: List[str]) -> dict:
    return dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        data_keys=data_keys)


def _optim_wrappers(model: nn.Module, bf16: bool = False) -> OptimWrapperDict:
    """Adam wrappers; ``bf16``: CPU bf16 autocast (``--amp`` on the CPU)."""

    def wrap(module: nn.Module) -> OptimWrapper:
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
        if bf16:
            return CPUAutocastOptimWrapper(optimizer=optimizer)
        return OptimWrapper(optimizer)

    return OptimWrapperDict(
        generator=wrap(model.generator),
        discriminator=wrap(model.discriminator))


def _conv_output_dtypes(module: nn.Module) -> List[torch.dtype]:
    """Records the output dtype of every later forward of ``module``'s
    first convolution (the hook stays for the test)."""
    conv = next(m for m in module.modules() if isinstance(m, nn.Conv2d))
    dtypes = []
    conv.register_forward_hook(lambda _m, _a, out: dtypes.append(out.dtype))
    return dtypes


def _snapshot(module: nn.Module) -> Dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def _changed(before: Dict[str, torch.Tensor], module: nn.Module) -> bool:
    return any(not torch.equal(before[k], v.detach())
               for k, v in module.named_parameters())


@pytest.fixture(autouse=True)
def _scope_and_seed() -> None:
    # mmengine's BaseModel builds ``DataPreprocessor`` in the default scope
    init_default_scope('mmagic')
    torch.manual_seed(0)


def _assert_bf16_training(model: nn.Module, make_batch: Callable[[], dict],
                          adv_keys: Set[str]) -> None:
    """Three steps (pre-training, then adversarial) under CPU bf16
    autocast: both networks run in bf16, every loss is finite, both learn
    and the weights stay fp32."""
    optim = _optim_wrappers(model, bf16=True)
    dtypes = [_conv_output_dtypes(model.generator),
              _conv_output_dtypes(model.discriminator)]
    before = [_snapshot(model.generator), _snapshot(model.discriminator)]
    for _ in range(3):
        log = model.train_step(make_batch(), optim)
        assert all(torch.isfinite(v) for v in log.values()), log
    assert set(log) == adv_keys
    assert set(dtypes[0]) == set(dtypes[1]) == {torch.bfloat16}
    assert _changed(before[0], model.generator)
    assert _changed(before[1], model.discriminator)
    assert all(p.dtype == torch.float32 for p in model.parameters())


@pytest.fixture
def kit() -> SimpleNamespace:
    """``parts()``: tiny discriminator + losses configs (fresh copy);
    ``preprocessor(keys)``: DataPreprocessor config, [0, 255] -> [0, 1];
    ``optim_wrappers(model, bf16=False)``: Adam wrappers for generator /
    discriminator (``bf16``: CPU autocast); ``conv_output_dtypes(module)``:
    dtypes of its first conv's later outputs;
    ``assert_bf16_training(model, make_batch, adv_keys)``: CPU bf16 steps;
    ``snapshot(module)`` / ``changed(before, module)``: parameter check."""
    return SimpleNamespace(
        parts=lambda: deepcopy(TINY_PARTS),
        preprocessor=_preprocessor,
        optim_wrappers=_optim_wrappers,
        conv_output_dtypes=_conv_output_dtypes,
        assert_bf16_training=_assert_bf16_training,
        snapshot=_snapshot,
        changed=_changed)


@pytest.fixture
def disc_spy():
    """``attach(discriminator)`` returns a list that receives
    ``(input, output)`` (detached copies) of every later forward call."""
    handles = []

    def attach(discriminator: nn.Module) -> List[Tuple[torch.Tensor,
                                                       torch.Tensor]]:
        calls = []
        handles.append(
            discriminator.register_forward_hook(
                lambda _m, args, out: calls.append(
                    (args[0].detach().clone(), out.detach().clone()))))
        return calls

    yield attach
    for handle in handles:
        handle.remove()
