"""tools/dataset_converters/extract_subimages.py: a thin CLI over
dasr_mm.datasets.preparation.prepare_subimage_root."""
import json
import os
import runpy
import sys

import numpy as np
import pytest

from dasr_mm.utils.io import atomic_save_image


def test_cli_writes_subimages_and_reports_errors(repo_root, tmp_path,
                                                 monkeypatch):
    """Run as __main__ in-process (a subprocess spends ~10 s importing
    mmagic)."""
    tool = os.path.join(repo_root, 'tools', 'dataset_converters',
                        'extract_subimages.py')

    def cli(*args):
        monkeypatch.setattr(sys, 'argv', [tool, *args])
        runpy.run_path(tool, run_name='__main__')

    rng = np.random.default_rng(0)
    root = tmp_path / 'whole'
    for folder, size in (('hr', (70, 90)), ('real_lr', (30, 40))):
        atomic_save_image(str(root / folder / 'a.png'),
                          rng.integers(0, 256, (*size, 3), dtype=np.uint8))
    out = tmp_path / 'sub'
    cli(str(root), str(out), '--crop-size', '40', '--step', '20',
        '--lr-crop-size', '20', '--lr-step', '20')
    counts = json.loads((out / 'sources.json').read_text())['counts']
    # hr 70x90: rows 0,20,30 x cols 0,20,40,50; real LR 30x40: 2 x 2
    assert counts == dict(hr=12, real_lr=4)
    assert len(os.listdir(out / 'hr')) == 12

    with pytest.raises(SystemExit) as e:
        cli(str(tmp_path / 'nope'), str(tmp_path / 'sub2'))
    assert 'hr folder' in str(e.value) and 'does not exist' in str(e.value)
    with pytest.raises(SystemExit) as e:
        cli(str(root), str(tmp_path / 'sub3'), '--step', '500')
    assert 'step <= crop_size' in str(e.value)
