"""Our configs run through mmagic's own tools/train.py (shipped in the mmagic
wheel): `custom_imports` registers dasr_mm when the config is read, and the
two-stage pipeline is a train loop, which any mmengine runner builds."""
import os.path as osp
import subprocess

import mmagic
import pytest

import dasr_mm  # noqa: F401
from dasr_mm.datasets.preparation import prepare_demo_data

MMAGIC_TRAIN = osp.join(osp.dirname(mmagic.__file__), '.mim', 'tools',
                        'train.py')


@pytest.mark.skipif(not osp.isfile(MMAGIC_TRAIN),
                    reason='this mmagic install ships no .mim/tools')
def test_pipeline_config_runs_with_mmagic_train_py(tmp_path, repo_root,
                                                   python_exe, python_env):
    # mmagic's tool does not move paths with data_root: run where the
    # config's relative data_root (data/demo) exists
    prepare_demo_data(str(tmp_path / 'data' / 'demo'))
    work_dir = tmp_path / 'run'
    proc = subprocess.run(
        [python_exe, MMAGIC_TRAIN,
         osp.join(repo_root, 'tests', 'configs', 'dasr_toy.py'),
         '--work-dir', str(work_dir)],
        cwd=tmp_path, env=python_env, capture_output=True, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work_dir / 'stage1_dsn' / 'DONE').is_file()
    assert (work_dir / 'stage1_dsn' / 'export' / 'manifest.json').is_file()
    assert (work_dir / 'iter_6.pth').is_file()
