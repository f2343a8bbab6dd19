"""tools/prepare_demo_data.py: a thin CLI over
dasr_mm.datasets.preparation."""
import os
import runpy
import subprocess
import sys

import pytest

from dasr_mm.datasets.preparation import prepare_user_data


def test_cli_help_is_instant(repo_root, python_exe, python_env):
    tool = os.path.join(repo_root, 'tools', 'prepare_demo_data.py')
    run = subprocess.run([python_exe, tool, '--help'],
                         capture_output=True, text=True, env=python_env,
                         timeout=60)
    assert run.returncode == 0
    assert '--hr-dir' in run.stdout and '--force' in run.stdout


def test_cli_builds_and_reports_errors(repo_root, user_photos, tmp_path,
                                       monkeypatch, capsys, tree_bytes):
    """Run the tool as __main__ in-process (a subprocess would spend ~10 s
    importing mmagic)."""
    tool = os.path.join(repo_root, 'tools', 'prepare_demo_data.py')

    def cli(*args):
        monkeypatch.setattr(sys, 'argv', [tool, *args])
        runpy.run_path(tool, run_name='__main__')

    out = tmp_path / 'cli_out'
    cli('--hr-dir', str(user_photos), '--out', str(out), '--scale', '2',
        '--seed', '2')
    prepare_user_data(str(user_photos), str(tmp_path / 'api'), scale=2,
                      seed=2)
    assert tree_bytes(out) == tree_bytes(tmp_path / 'api')

    with pytest.raises(SystemExit) as e:
        cli('--hr-dir', str(tmp_path / 'nope'), '--out', str(out))
    assert 'does not exist' in str(e.value.code)
    with pytest.raises(SystemExit) as e:
        cli('--hr-dir', str(user_photos), '--out', str(out), '--seed', '3')
    assert 'other parameters' in str(e.value.code)
    with pytest.raises(SystemExit) as e:  # argparse: usage error
        cli('--tile-size', '16')
    assert e.value.code == 2
    assert '--tile-size need --hr-dir' in capsys.readouterr().err
