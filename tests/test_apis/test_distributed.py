"""Several processes on CPU: the gloo start-up, the helpers that keep ranks
in agreement, the export and its hook run by 2 forked processes, and
checkpoints of DDP-wrapped networks, and a NaN loss on one rank."""
import json
import os
import os.path as osp
import socket
import time
import traceback
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub
from mmengine.model import MMSeparateDistributedDataParallel
from mmengine.runner.checkpoint import load_state_dict

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis.checkpoint_checks import state_dict_mismatch
from dasr_mm.apis.distributed import (broadcast_from_main,
                                      prepare_cpu_processes,
                                      raise_if_any_rank_failed)
from dasr_mm.apis.domain_distance_export import export_from_model
from dasr_mm.engine.hooks import (DomainDistanceMapExportHook,
                                  NonFiniteLossError, NonFiniteLossHook,
                                  UnwrappedCheckpointKeysHook)
from dasr_mm.models.editors.dasr.domain_adversarial_editor import \
    DomainAdversarialEditor
from dasr_mm.utils.manifest import load_manifest
from tests.helpers.tiny_stage1 import TinyStage1

IMAGES = ['a.png', 'b.png', 'c.png', 'd.png']


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _torchrun_env(rank: int, world_size: int, port: int) -> dict:
    return dict(RANK=str(rank), LOCAL_RANK=str(rank),
                WORLD_SIZE=str(world_size), MASTER_ADDR='127.0.0.1',
                MASTER_PORT=str(port))


def _rank_main(fn, rank: int, port: int, out: str, args: tuple) -> None:
    """One forked rank: join the group as tools/train.py does, run ``fn``,
    write ``{'value': ...}`` or ``{'error': ...}`` to ``out/rank<R>.json``."""
    os.environ.update(_torchrun_env(rank, 2, port))
    torch.cuda.is_available = lambda: False  # CPU processes, also on GPUs
    # the parent's OpenMP threads are not forked: a forked child that runs
    # parallel ops hangs (as DataLoader workers, which also use 1 thread)
    torch.set_num_threads(1)
    result = {}
    try:
        # a short timeout: a rank left waiting fails instead of hanging
        prepare_cpu_processes(
            Config(dict(launcher='pytorch',
                        env_cfg=dict(dist_cfg=dict(timeout=20)))))
        result['value'] = fn(rank, *args)
    except Exception as exc:
        result['error'] = f'{type(exc).__name__}: {exc}'
        result['trace'] = traceback.format_exc()
    with open(osp.join(out, f'rank{rank}.json'), 'w') as f:
        json.dump(result, f)
    os._exit(0)  # no atexit of the parent's pytest in the child


def run_two_ranks(fn, tmp_path, *args) -> list:
    """``fn(rank, *args)`` in 2 forked processes joined with gloo; the
    per-rank results (dicts with ``value`` or ``error``)."""
    out = str(tmp_path / 'ranks')
    os.makedirs(out, exist_ok=True)
    port = _free_port()
    context = mp.get_context('fork')
    procs = [
        context.Process(target=_rank_main, args=(fn, r, port, out, args))
        for r in (0, 1)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(90)
    alive = [p for p in procs if p.is_alive()]
    for proc in alive:
        proc.kill()
    assert not alive, 'a rank hung'
    results = []
    for rank in (0, 1):
        with open(osp.join(out, f'rank{rank}.json')) as f:
            results.append(json.load(f))
    return results


@pytest.fixture
def hr_dir(tmp_path) -> str:
    folder = tmp_path / 'hr'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in IMAGES:
        cv2.imwrite(str(folder / name),
                    rng.integers(0, 256, (24, 28, 3), np.uint8))
    return str(folder)


# --------------------------------------------------------------------------
# start-up (one process)
# --------------------------------------------------------------------------
@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def test_cpu_start_up_uses_gloo_and_no_device_ids(no_cuda, monkeypatch):
    for name, value in _torchrun_env(0, 1, _free_port()).items():
        monkeypatch.setenv(name, value)
    cfg = Config(
        dict(launcher='pytorch',
             model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel'),
             env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    prepare_cpu_processes(cfg)
    try:
        assert torch_dist.get_backend() == 'gloo'
        assert cfg.model_wrapper_cfg == dict(
            type='MMSeparateDistributedDataParallel', device_ids=None)
        # the nested stage-1 runner: the group is there, the wrapper is set
        nested = Config(dict(launcher='pytorch'))
        prepare_cpu_processes(nested)
        assert nested.model_wrapper_cfg['device_ids'] is None
        assert nested.model_wrapper_cfg['type'] == 'MMDistributedDataParallel'
        # a wrapper that is no DDP gets no device ids from the Runner
        sharded = Config(
            dict(launcher='pytorch',
                 model_wrapper_cfg=dict(type='MMFullyShardedDataParallel')))
        prepare_cpu_processes(sharded)
        assert sharded.model_wrapper_cfg == dict(
            type='MMFullyShardedDataParallel')
    finally:
        torch_dist.destroy_process_group()


def test_cpu_start_up_refusals(no_cuda, monkeypatch):
    single = Config(dict(launcher='none'))
    prepare_cpu_processes(single)
    assert 'model_wrapper_cfg' not in single
    with pytest.raises(ValueError, match='torchrun'):
        prepare_cpu_processes(Config(dict(launcher='slurm')))
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="'RANK'"):
        prepare_cpu_processes(Config(dict(launcher='pytorch')))


def test_single_process_helpers_pass_through():
    assert broadcast_from_main(['x']) == ['x']
    raise_if_any_rank_failed(None, 'nothing')
    with pytest.raises(KeyError):  # the error itself, not a wrapper
        raise_if_any_rank_failed(KeyError('k'), 'something')


# --------------------------------------------------------------------------
# two processes
# --------------------------------------------------------------------------
def _agree(rank: int) -> list:
    value = broadcast_from_main(f'from rank {rank}')
    error = ValueError('bad share') if rank == 1 else None
    try:
        raise_if_any_rank_failed(error, 'the work')
    except RuntimeError as exc:
        return [value, str(exc)]
    return [value, None]


def test_ranks_agree_and_all_raise_when_one_fails(tmp_path):
    results = run_two_ranks(_agree, tmp_path)
    for rank, result in enumerate(results):
        assert 'error' not in result, result.get('trace')
        value, message = result['value']
        assert value == 'from rank 0'
        assert 'the work failed on 1 of 2 processes' in message
        assert 'rank 1: ValueError: bad share' in message
        assert f'this is rank {rank}' in message


def _export(rank: int, hr_dir: str, out_dir: str) -> dict:
    return export_from_model(TinyStage1(), hr_dir, out_dir,
                             dsn_checkpoint='dsn.pth', show_progress=False)


def test_a_failing_share_raises_on_every_rank(hr_dir, tmp_path):
    """``b.png`` (rank 1's share) is unreadable: both ranks raise, naming
    it, instead of rank 0 waiting for rank 1 until the timeout."""
    with open(osp.join(hr_dir, 'b.png'), 'wb') as f:
        f.write(b'not a png')
    results = run_two_ranks(_export, tmp_path, hr_dir,
                            str(tmp_path / 'export'))
    for result in results:
        assert result['error'].startswith('RuntimeError: domain-distance '
                                          'export to'), result
        assert 'rank 1:' in result['error'] and 'b.png' in result['error']
    assert load_manifest(str(tmp_path / 'export'))['complete'] is False


def test_two_ranks_export_each_image_once(hr_dir, tmp_path):
    out = str(tmp_path / 'export')
    results = run_two_ranks(_export, tmp_path, hr_dir, out)
    for result in results:
        assert 'error' not in result, result.get('trace')
        assert result['value']['complete'] is True
        assert result['value']['images'] == IMAGES
    assert load_manifest(out)['complete'] is True
    assert sorted(os.listdir(osp.join(out, 'maps'))) == [
        'a.npy', 'b.npy', 'c.npy', 'd.npy'
    ]


def _hook_after_train(rank: int, hr_dir: str, out_dir: str,
                      work_dirs: list) -> dict:
    model = MMSeparateDistributedDataParallel(TinyStage1())
    runner = SimpleNamespace(work_dir=work_dirs[rank], model=model)
    DomainDistanceMapExportHook(hr_dir=hr_dir, out_dir=out_dir).after_train(
        runner)
    return load_manifest(out_dir)


def test_hook_records_rank0_checkpoint_on_every_rank(hr_dir, tmp_path):
    """Rank 1 does not see rank 0's ``last_checkpoint`` (not yet written
    when it looks, or another machine's disk): the ranks still agree that
    the complete export of that checkpoint is up to date."""
    checkpoint = str(tmp_path / 'work0' / 'iter_6.pth')
    out = str(tmp_path / 'export')
    export_from_model(TinyStage1(), hr_dir, out, dsn_checkpoint=checkpoint,
                      show_progress=False)
    work_dirs = [str(tmp_path / 'work0'), str(tmp_path / 'work1')]
    for work_dir in work_dirs:
        os.makedirs(work_dir)
    with open(osp.join(work_dirs[0], 'last_checkpoint'), 'w') as f:
        f.write(checkpoint)
    results = run_two_ranks(_hook_after_train, tmp_path, hr_dir, out,
                            work_dirs)
    for result in results:
        assert 'error' not in result, result.get('trace')
        assert result['value']['dsn_checkpoint'] == checkpoint


# --------------------------------------------------------------------------
# checkpoints of wrapped models
# --------------------------------------------------------------------------
def test_checkpoint_of_wrapped_networks_loads_anywhere():
    """What the Runner saves of a model with per-network DDP wrappers
    (``generator.module.*``), renamed by the hook, loads strictly into the
    plain model and, through mmengine's loader, into a wrapped one."""
    torch_dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{_free_port()}', rank=0,
        world_size=1)
    try:
        trained = MMSeparateDistributedDataParallel(TinyStage1())
        with torch.no_grad():
            for param in trained.parameters():
                param.add_(1.)  # unlike a fresh TinyStage1
        checkpoint = dict(state_dict=trained.module.state_dict())
        assert any('.module.' in key for key in checkpoint['state_dict'])
        UnwrappedCheckpointKeysHook().before_save_checkpoint(
            SimpleNamespace(model=trained), checkpoint)
        state = checkpoint['state_dict']
        plain = TinyStage1()
        assert list(state) == list(plain.state_dict())
        plain.load_state_dict(state)  # strict
        resumed = MMSeparateDistributedDataParallel(TinyStage1())
        assert state_dict_mismatch(resumed, state) == ([], [], [])
        load_state_dict(resumed.module, state, strict=True)
        for want, got, single in zip(trained.parameters(),
                                     resumed.parameters(),
                                     plain.parameters()):
            assert torch.equal(got, want) and torch.equal(single, want)
    finally:
        torch_dist.destroy_process_group()


# --------------------------------------------------------------------------
# non-finite losses on one rank
# --------------------------------------------------------------------------
def _finite_everywhere(rank: int) -> list:
    loss = torch.tensor(float('nan') if rank == 1 else 0.5)
    return [
        DomainAdversarialEditor.finite_on_every_rank(loss),
        DomainAdversarialEditor.finite_on_every_rank(torch.tensor(0.5))
    ]


def test_a_nan_on_one_rank_skips_the_step_on_both(tmp_path):
    results = run_two_ranks(_finite_everywhere, tmp_path)
    assert [r.get('value') for r in results] == [[False, True]] * 2, results


class SlowCheckpointHook(CheckpointHook):
    """Rank 0 takes a while to save (as a big checkpoint does)."""

    def _save_checkpoint(self, runner) -> None:
        if runner.rank == 0:
            time.sleep(1.)
            runner.saved_at = time.time()
        runner.message_hub.update_info('last_ckpt', 'iter_4.pth')


def _nan_hook(rank: int) -> dict:
    runner = SimpleNamespace(
        rank=rank, iter=3, model=torch.nn.Linear(1, 1), saved_at=None,
        hooks=[SlowCheckpointHook(interval=10)],
        message_hub=MessageHub.get_instance(f'nan_hook_{rank}'),
        cfg=Config(dict(optim_wrapper=dict(optimizer=dict(lr=1e-4)))))
    outputs = dict(loss_gan=torch.tensor(float('nan') if rank == 1 else 1.))
    try:
        NonFiniteLossHook().after_train_iter(runner, 3, None, outputs)
    except NonFiniteLossError as exc:
        return dict(message=str(exc), raised_at=time.time(),
                    saved_at=runner.saved_at)
    return {}


def test_a_nan_on_one_rank_stops_both_after_rank0_saved(tmp_path):
    """torchrun kills the other processes when one exits with an error, so
    rank 1 must not raise while rank 0 is still writing the checkpoint."""
    rank0, rank1 = (r['value'] for r in run_two_ranks(_nan_hook, tmp_path))
    assert 'non-finite loss at iteration 4 (loss_gan=nan)' in rank1['message']
    assert 'on another process' in rank0['message']
    assert 'saved iter_4.pth' in rank0['message']
    assert rank1['raised_at'] >= rank0['saved_at']
