"""Several processes: starting them on CPU, and agreeing across them.

mmengine's ``init_dist`` calls ``torch.cuda.set_device`` for every launcher,
so ``--launcher pytorch`` fails on a machine without a GPU before any
backend is chosen, and its Runner gives every DDP wrapper the GPU
``device_ids=[LOCAL_RANK]``. :func:`prepare_cpu_processes` starts the process
group with ``gloo`` there (the Runner then finds it initialised and skips its
own ``init_dist``) and clears the device ids; with GPUs mmengine's
``init_dist`` and the config's ``env_cfg.dist_cfg`` (``nccl``) are used
unchanged.

Every helper below is a no-op (returns its input) in a single process.
"""
import datetime
import os
from typing import Any, List, Optional, TypeVar

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info, is_distributed)
from mmengine.logging import print_log
from mmengine.registry import MODEL_WRAPPERS
from torch.nn.parallel import DistributedDataParallel

T = TypeVar('T')

CPU_BACKEND = 'gloo'


def prepare_cpu_processes(cfg: Config) -> None:
    """Make a config with a launcher run as several processes on CPU, in
    place; nothing when ``cfg.launcher`` is ``'none'`` or CUDA is visible.

    - The process group is started with ``gloo`` (unless it already is, as
      for the nested stage-1 runner of the two-stage loop), with
      ``env_cfg.dist_cfg``'s ``timeout`` (seconds); its ``backend`` is
      ignored. torchrun's variables (``RANK``, ``WORLD_SIZE``,
      ``MASTER_ADDR``, ``MASTER_PORT``) must be set.
    - A DDP ``model_wrapper_cfg`` (``DistributedDataParallel`` or a
      subclass, e.g. ``MMSeparateDistributedDataParallel``) gets
      ``device_ids=None``: the Runner otherwise passes
      ``device_ids=[LOCAL_RANK]``, which DDP refuses for CPU modules.
      Without a ``model_wrapper_cfg`` mmengine's default
      (``MMDistributedDataParallel``) is written out.

    Raises:
        ValueError: ``slurm`` / ``mpi`` without CUDA (mmengine starts those
            on GPUs only), or ``pytorch`` without torchrun's variables.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ValueError(
            f'--launcher {launcher} needs CUDA GPUs (mmengine starts it on '
            'GPUs only). On CPU start the processes with torchrun and '
            '--launcher pytorch (tools/dist_train.sh); they talk over gloo.')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper_type = wrapper.get('type', 'MMDistributedDataParallel')
    if isinstance(wrapper_type, str):
        wrapper_type = MODEL_WRAPPERS.get(wrapper_type)
    # the Runner gives device ids to DDP and its subclasses only
    if isinstance(wrapper_type, type) and issubclass(wrapper_type,
                                                     DistributedDataParallel):
        cfg.model_wrapper_cfg = dict(wrapper, device_ids=None)
    if is_distributed():
        return
    missing = [
        name for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
        if name not in os.environ
    ]
    if missing:
        raise ValueError(
            f'--launcher pytorch: environment variables {missing} are not '
            'set; start the script with torchrun (tools/dist_train.sh)')
    kwargs = dict(cfg.get('env_cfg', {}).get('dist_cfg') or {})
    requested = kwargs.pop('backend', None)
    if 'timeout' in kwargs:  # seconds in configs, as mmengine's init_dist
        kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
    torch_dist.init_process_group(
        backend=CPU_BACKEND,
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        **kwargs)
    print_log(
        f'no CUDA device: {os.environ["WORLD_SIZE"]} processes on CPU with '
        f'the {CPU_BACKEND} backend (the config asks for {requested})',
        logger='current')


def broadcast_from_main(value: T) -> T:
    """Rank 0's ``value`` on every rank (picklable values)."""
    if not is_distributed():
        return value
    data: List[Any] = [value]
    broadcast_object_list(data, src=0)
    return data[0]


def raise_if_any_rank_failed(error: Optional[BaseException],
                             what: str) -> None:
    """Collective: every rank passes the exception its share of ``what``
    raised (or None); if any rank's share failed, every rank raises (so no
    rank waits forever in a later collective for a rank that gave up).

    Raises:
        RuntimeError: Naming each failed rank and its error (chained to this
            rank's own error, if it had one).
    """
    if not is_distributed():
        if error is not None:
            raise error
        return
    rank, _ = get_dist_info()
    messages = all_gather_object(
        None if error is None else f'{type(error).__name__}: {error}')
    failed = [(r, m) for r, m in enumerate(messages) if m is not None]
    if failed:
        detail = '; '.join(f'rank {r}: {m}' for r, m in failed)
        raise RuntimeError(f'{what} failed on {len(failed)} of '
                           f'{len(messages)} processes ({detail}); this is '
                           f'rank {rank}') from error
