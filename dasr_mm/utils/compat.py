"""Guarded workarounds for known incompatibilities of the supported stack.

Each function is idempotent, does nothing where the upstream problem is absent,
and is applied once by ``import dasr_mm``: the mmcv stub before
``mmagic.models`` is imported, the fixes of mmagic functions after.
"""
import collections
import importlib
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from typing import List

import numpy as np
import torch

_MMCV_STUB_NAME = 'mmcv._ext'


def allow_mmengine_checkpoint_types() -> List[type]:
    """Allow-list the types mmengine checkpoints pickle, for ``torch.load``.

    Upstream problem: torch >= 2.6 makes ``torch.load`` default to
    ``weights_only=True``; mmengine 0.10.7 calls ``torch.load`` without the
    argument, so ``--resume``, ``load_from`` and ``tools/test.py CKPT`` fail
    with ``Weights only load failed ... HistoryBuffer``. Instead of disabling
    the safety globally we register exactly the non-tensor types found in
    the ``meta``/``message_hub``/scheduler entries of an mmengine checkpoint.

    Returns:
        The list of types registered (empty on torch without
        ``add_safe_globals``).
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:  # torch < 2.4: weights_only is not default
        return []
    from mmengine.logging.history_buffer import HistoryBuffer
    safe: List = [
        HistoryBuffer,
        # HistoryBuffer pickles its statistics methods as
        # getattr(HistoryBuffer, 'mean'); the weights-only unpickler only lets
        # getattr reach attributes of allow-listed objects, and never calls a
        # result that is not allow-listed itself.
        getattr,
        collections.Counter,  # MultiStepLR.milestones
        collections.defaultdict,
        np.ndarray,
        np.dtype,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
    ]
    # numpy >= 1.25 pickles dtypes as instances of these classes
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        safe += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType')
        ]
    add_safe_globals(safe)
    return safe


def _missing_op(name: str):

    def op(*args, **kwargs):
        raise RuntimeError(
            f'mmcv compiled op "{name}" is unavailable: this environment has '
            'mmcv without compiled ops (e.g. mmcv-lite). dasr_mm needs no '
            'mmcv op; install full mmcv (tools/setup_env.sh builds it) to use '
            'models that do.')

    op.__name__ = name
    return op


def install_mmcv_ext_stub() -> bool:
    """Let ``import mmagic.models`` work where mmcv's compiled ops are missing.

    Upstream problem: several mmagic editors (EDVR, TDAN, StyleGAN, ...) import
    ``mmcv.ops`` at module level, and ``mmcv.ops`` loads the compiled
    ``mmcv._ext``. mmcv-lite (the only mmcv installable from pure-Python
    wheels, e.g. on GPU machines without a compiler) lacks it, so ``import
    mmagic.models`` fails although DASR uses no mmcv op. We register a stub
    ``mmcv._ext`` whose functions raise a clear ``RuntimeError`` when *called*,
    and warn once.

    Returns:
        True if the stub was installed, False if the real extension exists.
    """
    if _MMCV_STUB_NAME in sys.modules:
        return getattr(sys.modules[_MMCV_STUB_NAME], '__dasr_stub__', False)
    try:
        importlib.import_module(_MMCV_STUB_NAME)
        return False
    except ImportError:
        pass
    stub = types.ModuleType(_MMCV_STUB_NAME)
    stub.__dasr_stub__ = True
    stub.__file__ = __file__
    # a spec without loader: mmengine's mmcv_full_available() (pkgutil
    # find_loader) then truthfully answers False instead of raising
    stub.__spec__ = importlib.machinery.ModuleSpec(_MMCV_STUB_NAME, None)

    def __getattr__(name: str):  # PEP 562: every op name resolves lazily
        if name.startswith('__'):
            raise AttributeError(name)
        return _missing_op(name)

    stub.__getattr__ = __getattr__
    sys.modules[_MMCV_STUB_NAME] = stub
    warnings.warn(
        'mmcv has no compiled ops (mmcv-lite?): mmcv.ops functions will raise '
        'when called. DASR does not need them.',
        stacklevel=2)
    return True


class _ControlNetAuxMissing:
    """Stand-in for ``controlnet_aux.HEDdetector``: fails when used."""

    @classmethod
    def from_pretrained(cls, *args, **kwargs):
        raise ImportError(
            'controlnet_aux is not installed: mmagic\'s ControlNet animation '
            'inferencer needs it (pip install controlnet_aux); dasr_mm and '
            'the super-resolution inferencer do not.')


def install_controlnet_aux_stub() -> bool:
    """Let ``import mmagic.apis`` work without ``controlnet_aux``.

    Upstream problem: ``mmagic.apis`` imports every inferencer, and the
    ControlNet animation one imports ``controlnet_aux`` (a diffusion
    package that pulls timm and huggingface_hub) at module level, so
    ``MMagicInferencer`` for super-resolution fails with
    ``ModuleNotFoundError``. We register a stub module whose ``HEDdetector``
    raises a clear ``ImportError`` when used. Nothing happens where the
    package is installed. Returns True if the stub was installed.
    """
    name = 'controlnet_aux'
    if name in sys.modules or importlib.util.find_spec(name) is not None:
        return getattr(sys.modules.get(name), '__dasr_stub__', False)
    stub = types.ModuleType(name)
    stub.__dasr_stub__ = True
    stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
    stub.HEDdetector = _ControlNetAuxMissing
    sys.modules[name] = stub
    return True


def _inited_by_generation_init(module: torch.nn.Module) -> bool:
    """The layers mmagic's ``generation_init_weights`` initialises."""
    name = type(module).__name__
    return (hasattr(module, 'weight') and
            ('Conv' in name or 'Linear' in name)) or 'BatchNorm2d' in name


def fix_generation_init_weights() -> bool:
    """Let mmagic's GAN initialisation run inside an mmengine model.

    mmagic 1.2's ``generation_init_weights`` (``PatchDiscriminator``,
    ``SoftMaskPatchDiscriminator``, the pix2pix and CycleGAN generators)
    raises ``UnboundLocalError: init_info`` for any module that is neither a
    conv / linear layer nor a BatchNorm but carries mmengine's
    ``_params_init_info``, which every submodule does once an outer
    ``BaseModule.init_weights()`` runs (as the Runner does for our editors).
    The replacement applies the original to each layer it initialises, one
    at a time, in the same order (the same random draws). Returns True when
    it patched something.
    """
    utils = importlib.import_module('mmagic.models.utils.model_utils')
    original = utils.generation_init_weights
    if getattr(original, 'dasr_fixed', False):
        return False

    def generation_init_weights(module: torch.nn.Module,
                                init_type: str = 'normal',
                                init_gain: float = 0.02) -> None:
        for layer in list(module.modules()):
            if _inited_by_generation_init(layer):
                original(layer, init_type=init_type, init_gain=init_gain)

    generation_init_weights.dasr_fixed = True
    generation_init_weights.__doc__ = original.__doc__
    for mod in list(sys.modules.values()):
        if (getattr(mod, '__name__', '').startswith('mmagic.')
                and getattr(mod, 'generation_init_weights', None) is original):
            mod.generation_init_weights = generation_init_weights
    return True


def apply_all() -> None:
    """Apply every workaround (called by ``import dasr_mm``)."""
    allow_mmengine_checkpoint_types()
    install_mmcv_ext_stub()
    install_controlnet_aux_stub()
    import mmagic.models  # noqa: F401  (needs the stub; imports every user)
    fix_generation_init_weights()
