"""inspect_build only reads; clear_build only deletes what a build writes."""
import json
import os

from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.datasets.preparation.build_state import (IN_PROGRESS_FILE,
                                                      BuildState, clear_build,
                                                      inspect_build)


def _tree(root):
    """{relative path: mtime_ns} of every file and folder under root."""
    out = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = os.stat(path).st_mtime_ns
    return out


def test_inspect_reports_every_state_and_never_writes(tmp_path):
    root = tmp_path / 'root'
    assert inspect_build(str(root), {}).state is BuildState.EMPTY
    prepare_demo_data(str(root), scale=2)
    params = json.loads((root / 'sources.json').read_text())['parameters']
    before = _tree(root)
    assert inspect_build(str(root), params).state is BuildState.COMPLETE
    other = inspect_build(str(root), dict(params, seed=9))
    assert other.state is BuildState.OTHER_PARAMETERS
    assert 'other parameters (sources.json)' in other.message
    assert _tree(root) == before  # a query, even for other parameters

    lost = 'val/lr/' + sorted(os.listdir(root / 'val' / 'lr'))[0]
    os.remove(root / lost)
    found = inspect_build(str(root), params)
    assert found.state is BuildState.INCOMPLETE and found.missing == (lost, )

    os.remove(root / 'sources.json')
    assert inspect_build(str(root), params).state is BuildState.FOREIGN
    (root / IN_PROGRESS_FILE).write_text(json.dumps(dict(parameters=params)))
    assert inspect_build(str(root), params).state is BuildState.INTERRUPTED
    assert inspect_build(
        str(root), dict(params, seed=9)).state is BuildState.OTHER_PARAMETERS


def test_clear_removes_only_what_a_build_writes(tmp_path):
    root = tmp_path / 'root'
    prepare_demo_data(str(root), scale=2)
    (root / 'notes.txt').write_text('mine')
    (root / 'extra').mkdir()
    clear_build(str(root))
    assert sorted(os.listdir(root)) == ['extra', 'notes.txt']
    assert inspect_build(str(root), {}).state is BuildState.EMPTY
