"""Test-only: SIGKILL this process at a chosen point of a DASR pipeline run,
to prove that ``--resume`` recovers. Imported through a config's
``custom_imports``; ``DASR_KILL_AT`` selects the point:

- ``stage1:N`` / ``stage2:N``: after train iteration N of that stage,
- ``export:N``: after the N-th domain-distance map file is written.
"""
import os
import signal

from mmengine.runner import IterBasedTrainLoop

from dasr_mm.apis import domain_distance_export

KILL_AT = os.environ.get('DASR_KILL_AT', '')


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


if KILL_AT.startswith(('stage1:', 'stage2:')):
    _stage, _iteration = KILL_AT.split(':')
    _run_iter = IterBasedTrainLoop.run_iter

    def run_iter(self, data_batch) -> None:
        _run_iter(self, data_batch)
        in_stage1 = self.runner.work_dir.rstrip('/').endswith('stage1_dsn')
        if (_stage == 'stage1') == in_stage1 and self.iter == int(_iteration):
            _die()

    IterBasedTrainLoop.run_iter = run_iter

if KILL_AT.startswith('export:'):
    _limit = int(KILL_AT.split(':')[1])
    _save = domain_distance_export.atomic_save_npy
    _count = [0]

    def atomic_save_npy(path, array) -> None:
        _save(path, array)
        _count[0] += 1
        if _count[0] == _limit:
            _die()

    domain_distance_export.atomic_save_npy = atomic_save_npy
