"""Two processes (tools/dist_train.sh: torchrun, gloo on CPU) run the whole
toy pipeline through tools/train.py --launcher pytorch: both stages train in
sync (DDP), the export writes every image once, only rank 0 writes, stage 2
starts on the complete export and the checkpoints load in a single process
(what tools/test.py runs). tools/slurm_train.sh builds mmagic's srun
command (no SLURM here: a stand-in srun records it)."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

import dasr_mm  # noqa: F401  (allow-lists mmengine checkpoint types)
from dasr_mm.apis import launch
from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.utils.manifest import load_manifest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'tests', 'configs', 'dasr_toy_dist.py')
ITERS = 6  # per stage, as tests/configs/dasr_toy.py


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def two_process_run(tmp_path_factory):
    """One 2-process run: (work dir, data root, probe dir, process)."""
    tmp = tmp_path_factory.mktemp('dist')
    data_root, work_dir, probe = (str(tmp / n) for n in ('demo', 'run',
                                                         'probe'))
    prepare_demo_data(data_root)
    os.makedirs(probe)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p),
        OMP_NUM_THREADS='1',
        DASR_RANK_PROBE=probe)
    env.update(PYTHON=sys.executable, PORT=str(_free_port()))
    cmd = [
        'bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
        '--cfg-options', f'data_root={data_root}'
    ]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    return work_dir, data_root, probe, proc


def _probe(probe: str, stage: str, rank: int) -> dict:
    return torch.load(osp.join(probe, f'{stage}_rank{rank}.pth'),
                      map_location='cpu', weights_only=False)


@pytest.mark.multiprocess
def test_two_processes_train_both_stages_in_sync(two_process_run):
    work_dir, _, probe, proc = two_process_run
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert 'processes on CPU with the gloo backend' in proc.stdout
    for stage, folder in (('stage1', osp.join(work_dir, 'stage1_dsn')),
                          ('stage2', work_dir)):
        ranks = [_probe(probe, stage, r) for r in (0, 1)]
        assert [r['iter'] for r in ranks] == [ITERS, ITERS]
        weights = [r['state_dict'] for r in ranks]
        assert int(weights[0]['step_counter']) == ITERS
        # DDP kept the ranks' networks identical (each saw other batches)
        assert weights[0].keys() == weights[1].keys()
        assert any(k.startswith('discriminator.') for k in weights[0])
        for key in weights[0]:
            assert torch.equal(weights[0][key], weights[1][key]), key
        # rank 0's checkpoint holds those weights under unwrapped names
        ckpt = torch.load(osp.join(folder, f'iter_{ITERS}.pth'),
                          map_location='cpu', weights_only=False)
        assert ckpt['meta']['iter'] == ITERS
        assert not [k for k in ckpt['state_dict'] if '.module.' in k]
        for key, value in weights[0].items():
            assert torch.equal(ckpt['state_dict'][key], value), key


@pytest.mark.multiprocess
def test_export_writes_every_image_once_before_stage2(two_process_run):
    work_dir, data_root, probe, proc = two_process_run
    assert proc.returncode == 0, proc.stderr[-4000:]
    export = osp.join(work_dir, 'stage1_dsn', 'export')
    manifest = load_manifest(export)
    hr_images = sorted(os.listdir(osp.join(data_root, 'hr')))
    assert manifest['complete'] and manifest['images'] == hr_images
    assert manifest['dsn_checkpoint'] == osp.join(work_dir, 'stage1_dsn',
                                                  f'iter_{ITERS}.pth')
    stems = sorted(osp.splitext(n)[0] for n in hr_images)
    written = []
    for rank in (0, 1):
        with open(osp.join(probe, f'export_rank{rank}.txt')) as f:
            share = f.read().split()
        assert len(share) >= len(stems) // 2  # both ranks did their half
        written += share
    assert sorted(written) == stems  # each image by exactly one rank
    assert sorted(os.listdir(osp.join(export, 'maps'))) == [
        s + '.npy' for s in stems
    ]
    assert sorted(os.listdir(osp.join(export, 'lr'))) == [
        s + '.png' for s in stems
    ]
    # every rank began stage 2 with the complete export
    for rank in (0, 1):
        at_start = _probe(probe, 'stage2', rank)['export_at_start']
        assert at_start['complete']
        assert at_start['maps'] == [s + '.npy' for s in stems]
        assert at_start['lr'] == [s + '.png' for s in stems]


@pytest.mark.multiprocess
def test_only_rank0_writes_logs_and_checkpoints(two_process_run):
    work_dir, _, _, proc = two_process_run
    assert proc.returncode == 0, proc.stderr[-4000:]
    for folder in (work_dir, osp.join(work_dir, 'stage1_dsn')):
        logs = glob.glob(osp.join(folder, '*', '*.log'))
        assert len(logs) == 1, logs  # one run, one log (rank 0's)
        with open(logs[0]) as f:
            assert f.read().count(f'Iter(train) [{ITERS}/{ITERS}]') == 1
        scalars = osp.join(osp.dirname(logs[0]), 'vis_data', 'scalars.json')
        with open(scalars) as f:
            entries = [json.loads(line) for line in f]
        train_steps = [e['step'] for e in entries if 'loss_pix' in e]
        assert train_steps == list(range(1, ITERS + 1))
        with open(osp.join(folder, 'last_checkpoint')) as f:
            assert f.read() == osp.join(folder, f'iter_{ITERS}.pth')
        assert sorted(glob.glob(osp.join(folder, 'iter_*.pth'))) == [
            osp.join(folder, f'iter_{i}.pth') for i in (2, 4, 6)
        ]
    with open(osp.join(work_dir, 'stage1_dsn', 'DONE')) as f:
        assert json.load(f)['export_dir'].endswith('export')
    assert not glob.glob(osp.join(work_dir, '**', '.tmp-*'), recursive=True)


@pytest.mark.multiprocess
def test_checkpoints_load_in_one_process(two_process_run, tmp_path):
    work_dir, data_root, _, proc = two_process_run
    assert proc.returncode == 0, proc.stderr[-4000:]
    # what tools/test.py runs, strict about the weights' names and shapes
    metrics = launch.test(
        CONFIG,
        osp.join(work_dir, f'iter_{ITERS}.pth'),
        work_dir=str(tmp_path / 'eval'),
        cfg_options=dict(data_root=data_root))
    assert 5 < metrics['RGB/PSNR'] < 60
    dsn = launch.build_model(
        osp.join(REPO_ROOT, 'configs', 'dasr', 'dsn_demo.py'),
        osp.join(work_dir, 'stage1_dsn', f'iter_{ITERS}.pth'))
    assert int(dsn.step_counter) == ITERS


def test_slurm_script_runs_train_py_with_the_slurm_launcher(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    record = tmp_path / 'srun_args'
    srun = bin_dir / 'srun'
    srun.write_text('#!/usr/bin/env bash\n'
                    f'printf "%s\\n" "$@" > {record}\n'
                    f'echo "$MASTER_PORT" >> {record}\n')
    srun.chmod(0o755)
    env = dict(
        os.environ,
        PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
        GPUS='16',
        GPUS_PER_NODE='8',
        SRUN_ARGS='--time=1:00 --exclusive',
        PYTHON='python3')
    env.pop('MASTER_PORT', None)
    proc = subprocess.run(
        ['bash', 'tools/slurm_train.sh', 'gpu', 'dasr', 'configs/x.py',
         'work_dirs/x', '--cfg-options', 'data_root=/d'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    args = record.read_text().split('\n')
    port = int(args[-2])
    assert 12000 <= port < 32000
    assert args[:-2] == [
        '-p', 'gpu', '--job-name=dasr', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1',
        '--time=1:00', '--exclusive', 'python3', '-u', 'tools/train.py',
        'configs/x.py', '--work-dir=work_dirs/x', '--launcher=slurm',
        '--cfg-options', 'data_root=/d'
    ]
