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
