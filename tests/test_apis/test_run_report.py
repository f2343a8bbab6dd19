"""The run report: scalar logs become curves at the right iterations, and
tools/analysis/report.py on a toy two-stage run writes an HTML page whose
pictures exist and whose numbers are those of the run's checkpoints."""
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

import dasr_mm  # noqa: F401
from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.apis.run_report import build_run_report, read_scalar_log
from dasr_mm.utils.manifest import load_manifest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write_log(path, records):
    path.parent.mkdir(parents=True)
    path.write_text('\n'.join(json.dumps(r) for r in records) + '\n')


def test_scalar_logs_of_runs_and_resumes_become_curves(tmp_path):
    train = dict(data_time=0.1, time=0.2)
    _write_log(tmp_path / '20260101_000000/vis_data/scalars.json', [
        dict(train, iter=10, step=10, loss_pix=0.5, **{'generator.lr': 1}),
        dict(train, iter=20, step=20, loss_pix=0.4),
        {'RGB/PSNR': 20.0, 'time': 0.1, 'step': 0},  # validated at iter 20
        dict(train, iter=30, step=30, loss_pix=0.3),  # lost on resume
    ])
    _write_log(tmp_path / '20260102_000000/vis_data/scalars.json', [
        dict(train, iter=30, step=30, loss_pix=0.25, loss_gan=1.0),
        {'RGB/PSNR': 21.0, 'step': 0},
    ])
    log = read_scalar_log(str(tmp_path))
    assert log.train == {
        'loss_pix': [(10, 0.5), (20, 0.4), (30, 0.25)],
        'loss_gan': [(30, 1.0)],
    }
    assert log.val == {'RGB/PSNR': [(20, 20.0), (30, 21.0)]}


@pytest.fixture(scope='module')
def toy_run(tmp_path_factory):
    """tests/configs/dasr_toy.py (6 iterations per stage) on demo data, with
    the run report that the two-stage configs write when training ends
    (RunReportHook; off in the toy config, turned on here)."""
    root = str(tmp_path_factory.mktemp('demo'))
    prepare_demo_data(root)
    work_dir = str(tmp_path_factory.mktemp('run'))
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', 'tests/configs/dasr_toy.py',
         '--work-dir', work_dir, '--cfg-options', f'data_root={root}',
         'default_hooks.run_report.enabled=True'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, work_dir, proc.stdout + proc.stderr


def test_two_stage_training_writes_the_report(toy_run):
    _, work_dir, log = toy_run
    out = osp.join(work_dir, 'report')
    report = json.load(open(osp.join(out, 'report.json')))
    assert report['skipped'] == []
    assert report['work_dir'] == osp.abspath(work_dir)
    # the toy config's settings reached the hook: 2 images with maps
    assert len(report['weight_maps']) == 2
    for name in report['pictures'] + ['index.html', 'report.png']:
        assert osp.getsize(osp.join(out, name)) > 1000, name
    assert f"run report: {osp.join(out, 'index.html')}" in log
    # only once, after stage 2: stage 1's work dir has none
    assert not osp.exists(osp.join(work_dir, 'stage1_dsn', 'report'))


def test_a_failing_report_is_a_warning(tmp_path, mm_log_records):
    from types import SimpleNamespace

    from mmagic.registry import HOOKS
    hook = HOOKS.build(dict(type='RunReportHook'))
    hook.after_train(SimpleNamespace(work_dir=str(tmp_path)))  # no run here
    warnings = [r.getMessage() for r in mm_log_records
                if r.levelname == 'WARNING']
    assert len(warnings) == 1
    assert 'the run report failed (FileNotFoundError' in warnings[0]
    assert f'tools/analysis/report.py {tmp_path}' in warnings[0]
    assert not os.path.exists(tmp_path / 'report')
    off = HOOKS.build(dict(type='RunReportHook', enabled=False))
    before = len(mm_log_records)
    off.after_train(SimpleNamespace(work_dir=str(tmp_path)))
    assert len(mm_log_records) == before  # did not even try


def test_report_of_a_two_stage_run(toy_run, tmp_path, repo_root, python_exe,
                                   python_env):
    root, work_dir, _ = toy_run
    out = str(tmp_path / 'report')
    proc = subprocess.run(
        [python_exe, 'tools/analysis/report.py', work_dir, '--out-dir', out,
         '--num-images', '2', '--domain-gap-steps', '20'],
        cwd=repo_root, env=python_env, capture_output=True, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    report = json.load(open(osp.join(out, 'report.json')))
    assert report['skipped'] == []
    assert report['pictures'] == ['curves.png', 'domain_gap.png',
                                  'weight_maps.png', 'side_by_side.png']
    page = open(osp.join(out, 'index.html')).read()
    shown = re.findall(r'<img src="([^"]+)"', page)
    assert shown == report['pictures']
    assert all(osp.getsize(osp.join(out, p)) > 1000 for p in shown)
    assert osp.getsize(osp.join(out, 'report.png')) > 1000
    # the numbers: Fig. 1 AUCs of both LR sets, map statistics of the first
    # training images of the export, SR against bicubic of the val pairs
    assert set(report['domain_gap_auc']) == {'bicubic', 'DSN'}
    assert all(0 <= v <= 1 for v in report['domain_gap_auc'].values())
    export = load_manifest(osp.join(work_dir, 'stage1_dsn', 'export'))
    assert list(report['weight_maps']) == export['images'][:2]
    comparison = json.load(
        open(osp.join(out, 'side_by_side', 'comparison.json')))
    assert report['sr'] == comparison['mean']
    assert len(comparison['images']) == 12  # every demo val pair
    assert f"{report['sr']['psnr']:.2f}" in page
    assert 'stage1_dsn' in page and 'iter_6.pth' in page
    # the stage-2 curves hold the 6 logged iterations and the validation
    log = read_scalar_log(work_dir)
    assert [i for i, _ in log.train['loss_pix']] == [1, 2, 3, 4, 5, 6]
    assert [i for i, _ in log.val['RGB/PSNR']] == [6]


def test_report_of_stage_1_alone_says_what_it_skips(toy_run, tmp_path):
    _, work_dir, _ = toy_run
    report = build_run_report(
        osp.join(work_dir, 'stage1_dsn'), out_dir=str(tmp_path / 'r'),
        num_images=1, domain_gap_steps=20)
    assert report['pictures'] == ['curves.png', 'domain_gap.png',
                                  'weight_maps.png']
    assert report['skipped'] == [
        'SR sheets: no stage-2 checkpoint in the work dir']


def test_a_dir_without_a_run_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no DASR config'):
        build_run_report(str(tmp_path))
