"""Test-only: what each process of a multi-process DASR pipeline run did.
Imported through a config's ``custom_imports``; armed by ``DASR_RANK_PROBE``
(a folder), where every rank ``R`` writes files of its own:

- ``export_rankR.txt``: one line per domain-distance map this rank wrote
  (the image's file name), appended as it is written;
- ``<stage>_rankR.pth`` (``stage1`` / ``stage2``), after each stage's train
  loop: the rank's weights (``state_dict``: ``generator.*``,
  ``discriminator.*`` read from the networks inside their DDP wrappers, and
  ``step_counter``),
  ``iter`` (the runner's) and, for stage 2, ``export_at_start``: the
  manifest's ``complete`` flag and the LR / map files of the stage-1 export
  when this rank began stage 2.
"""
import os
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop

from dasr_mm.apis import domain_distance_export
from dasr_mm.utils.manifest import load_manifest

PROBE_DIR = os.environ.get('DASR_RANK_PROBE', '')


def _export_at_start(work_dir: str) -> dict:
    export = osp.join(work_dir, 'stage1_dsn', 'export')
    return dict(
        complete=load_manifest(export)['complete'],
        lr=sorted(os.listdir(osp.join(export, 'lr'))),
        maps=sorted(os.listdir(osp.join(export, 'maps'))))


def _weights(model: torch.nn.Module) -> dict:
    editor = model.module if is_model_wrapper(model) else model
    weights = dict(step_counter=editor.step_counter.clone())
    for name in ('generator', 'discriminator'):
        net = getattr(editor, name)
        net = net.module if is_model_wrapper(net) else net
        weights.update((f'{name}.{k}', v.detach().clone())
                       for k, v in net.state_dict().items())
    return weights


if PROBE_DIR:
    _run = IterBasedTrainLoop.run
    _save_npy = domain_distance_export.atomic_save_npy

    def run(self) -> torch.nn.Module:
        work_dir = self.runner.work_dir.rstrip('/')
        stage1 = work_dir.endswith('stage1_dsn')
        record = dict() if stage1 else dict(
            export_at_start=_export_at_start(work_dir))
        model = _run(self)
        record.update(
            iter=self.runner.iter, state_dict=_weights(self.runner.model))
        stage = 'stage1' if stage1 else 'stage2'
        torch.save(record,
                   osp.join(PROBE_DIR, f'{stage}_rank{get_rank()}.pth'))
        return model

    def atomic_save_npy(path: str, array) -> None:
        _save_npy(path, array)
        with open(osp.join(PROBE_DIR, f'export_rank{get_rank()}.txt'),
                  'a') as f:
            f.write(osp.splitext(osp.basename(path))[0] + '\n')

    IterBasedTrainLoop.run = run
    domain_distance_export.atomic_save_npy = atomic_save_npy
