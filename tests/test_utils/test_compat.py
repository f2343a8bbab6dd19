import collections
import subprocess
import textwrap

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

import dasr_mm  # noqa: F401
from dasr_mm.utils.compat import allow_mmengine_checkpoint_types

MMENGINE_LIKE_CHECKPOINT = textwrap.dedent('''
    import collections, io, numpy as np, torch
    from mmengine.logging.history_buffer import HistoryBuffer
    buf = HistoryBuffer(); buf.update(1.5)
    ckpt = dict(
        meta=dict(seed=np.int64(3), arr=np.zeros(2, np.float32),
                  message_hub=dict(log_scalars={'loss': buf})),
        param_schedulers=[dict(milestones=collections.Counter({10: 1}))],
        state_dict=dict(w=torch.ones(2)))
    f = io.BytesIO(); torch.save(ckpt, f); f.seek(0)
''')


def _run(code: str, python_exe: str, python_env: dict):
    return subprocess.run([python_exe, '-c', code],
                          capture_output=True,
                          text=True,
                          env=python_env)


def test_plain_torch_load_of_mmengine_checkpoint_fails_without_allow_list(
        python_exe, python_env):
    # the upstream problem this workaround exists for
    proc = _run(MMENGINE_LIKE_CHECKPOINT + 'torch.load(f)', python_exe,
                python_env)
    assert proc.returncode != 0
    assert 'Weights only load failed' in proc.stderr


def test_allow_list_makes_weights_only_load_work(python_exe, python_env):
    code = (
        MMENGINE_LIKE_CHECKPOINT +
        'import dasr_mm\n'
        'out = torch.load(f)\n'
        "print(out['meta']['message_hub']['log_scalars']['loss'].current())\n")
    proc = _run(code, python_exe, python_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith('1.5')


class Arbitrary:
    """A class no allow-list names: loading it must stay refused."""


def test_allow_list_keeps_the_safety_for_other_types(tmp_path):
    allowed = allow_mmengine_checkpoint_types()
    assert HistoryBuffer in allowed and collections.Counter in allowed

    path = tmp_path / 'evil.pth'
    torch.save({'x': Arbitrary()}, path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path)
    assert np.ndarray in allowed


def test_mmagic_models_import_without_mmcv_compiled_ops(
        python_exe, python_env):
    code = textwrap.dedent('''
        import importlib.abc, sys, warnings

        class BlockMmcvExt(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == 'mmcv._ext':
                    raise ImportError('simulated mmcv-lite')

        sys.meta_path.insert(0, BlockMmcvExt())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            import dasr_mm
        assert any('compiled ops' in str(w.message) for w in caught)
        import mmagic.models  # EDVR/StyleGAN import mmcv.ops at module level
        from mmagic.registry import MODELS
        assert MODELS.get('RRDBNet') is not None
        from mmengine.utils.dl_utils import mmcv_full_available
        assert mmcv_full_available() is False  # used by Runner.wrap_model
        import torch, mmcv.ops
        try:
            mmcv.ops.nms(torch.rand(3, 4), torch.rand(3), 0.5)
        except RuntimeError as e:
            print('RAISED', e)
    ''')
    proc = _run(code, python_exe, python_env)
    assert proc.returncode == 0, proc.stderr
    assert 'RAISED mmcv compiled op "nms" is unavailable' in proc.stdout


def test_stub_is_not_installed_over_a_real_extension(monkeypatch):
    import sys
    import types

    from dasr_mm.utils.compat import install_mmcv_ext_stub
    real = types.ModuleType('mmcv._ext')
    monkeypatch.setitem(sys.modules, 'mmcv._ext', real)
    assert install_mmcv_ext_stub() is False
    assert sys.modules['mmcv._ext'] is real


def test_generation_init_weights_fix_keeps_the_original_draws():
    """The patched mmagic ``generation_init_weights`` works on modules that
    carry mmengine's ``_params_init_info`` (the original raised
    UnboundLocalError) and draws the same weights as the original."""
    from mmagic.models.archs import patch_disc
    from mmagic.models.utils import model_utils
    from mmengine.model import BaseModule

    from dasr_mm.utils.compat import fix_generation_init_weights
    fixed = patch_disc.generation_init_weights
    assert fixed is model_utils.generation_init_weights
    assert fixed.dasr_fixed and not fix_generation_init_weights()  # once

    def net() -> torch.nn.Module:
        return torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3), torch.nn.InstanceNorm2d(4),
            torch.nn.LeakyReLU(),
            torch.nn.Sequential(torch.nn.Conv2d(4, 2, 1)),
            torch.nn.BatchNorm2d(2), torch.nn.Linear(2, 2))

    torch.manual_seed(0)
    reference = net()
    for m in reference.modules():  # the original's order: leaves in turn
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
            torch.nn.init.zeros_(m.bias)
        elif isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.normal_(m.weight, 1.0, 0.02)
            torch.nn.init.zeros_(m.bias)
    torch.manual_seed(0)
    patched = net()
    fixed(patched)
    for p, q in zip(patched.parameters(), reference.parameters()):
        assert torch.equal(p, q)

    # inside an outer init_weights every submodule has _params_init_info
    outer = BaseModule()
    outer.net = patch_disc.PatchDiscriminator(3, 8, num_conv=1)
    outer.init_weights()  # the original raised UnboundLocalError here
    assert outer.net.is_init
