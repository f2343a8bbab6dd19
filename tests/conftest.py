"""Shared pytest fixtures."""
import logging
import os
import sys

import pytest
from mmengine.logging import MMLogger

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture
def python_env() -> dict:
    """Environment for running tools/*.py in a subprocess with this
    interpreter; the repo root is importable."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


@pytest.fixture
def python_exe() -> str:
    return sys.executable


@pytest.fixture
def run_repo_tool(python_exe, python_env):
    """``run_repo_tool('tools/train.py', *args)`` runs a repo script in a
    subprocess from the repo root and asserts it exits 0 (showing the ends of
    its stdout and stderr otherwise); returns the CompletedProcess."""
    import subprocess

    def run(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
        proc = subprocess.run([python_exe, *args],
                              cwd=REPO_ROOT,
                              env=python_env,
                              capture_output=True,
                              text=True,
                              timeout=timeout)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        return proc

    return run


@pytest.fixture
def mm_log_records():
    """Records logged through mmengine's current logger
    (``print_log(..., logger='current')``)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.fixture
def tiny_dasr_root(tmp_path):
    """Factory: a ``data_root`` in the layout of the DASR configs, sized for
    the demo configs (x4, HR crop 64, LR crop 16): ``hr/`` (2 images 72x68),
    ``real_lr/`` (2 images 20x18), ``val/lr`` + ``val/hr`` (2 pairs, LR 10x12,
    HR 40x48). ``make(name)`` returns the root's path."""
    import numpy as np

    from dasr_mm.utils.io import atomic_save_image

    def make(name: str = 'data') -> str:
        rng = np.random.default_rng(0)
        root = tmp_path / name
        sizes = {
            'hr': (72, 68),
            'real_lr': (20, 18),
            'val/lr': (10, 12),
            'val/hr': (40, 48)
        }
        for folder, size in sizes.items():
            for i in range(2):  # val pairs share their stems
                atomic_save_image(
                    str(root / folder / f'{i}.png'),
                    rng.integers(0, 256, (*size, 3), dtype=np.uint8))
        return str(root)

    return make


def _smooth_photo(h: int, w: int, seed: int):
    """A smooth random (h, w, 3) uint8 colour image (so degradations are
    measurable)."""
    import cv2
    import numpy as np
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 6 + 2, w // 6 + 2, 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


@pytest.fixture
def smooth_photo():
    """``smooth_photo(h, w, seed)``: a smooth random colour image."""
    return _smooth_photo


@pytest.fixture
def user_photos(tmp_path):
    """A folder of 7 smooth photos ``p0.png`` .. ``p6.png`` (42..48 x 50
    px), the input of the data-root builder's user mode."""
    from PIL import Image
    folder = tmp_path / 'photos'
    folder.mkdir()
    for i in range(7):
        Image.fromarray(_smooth_photo(42 + i, 50,
                                      i)).save(folder / f'p{i}.png')
    return folder


@pytest.fixture
def tree_bytes():
    """``tree_bytes(root)``: {relative path: bytes} of every file under
    ``root``."""

    def read(root) -> dict:
        out = {}
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                with open(path, 'rb') as f:
                    out[os.path.relpath(path, root)] = f.read()
        return out

    return read


def pytest_configure(config) -> None:
    config.addinivalue_line(
        'markers', 'multiprocess: starts several processes with torchrun '
        '(gloo on CPU); deselect with -m "not multiprocess"')
