"""What building DASRTwoStageTrainLoop does to the process: stage 1 trains
in a nested runner whose logger, message hub, visualizer and default scope
become mmengine's current instances; afterwards the stage-2 (outer)
runner's are current again and stage 2 logs into its own work dir."""
import json
import os.path as osp

import numpy as np
from mmengine.logging import MessageHub, MMLogger, print_log
from mmengine.registry import DefaultScope
from mmengine.visualization import Visualizer

from dasr_mm.apis import build_runner, load_config
from dasr_mm.datasets.preparation import prepare_demo_data
from dasr_mm.engine.runner import two_stage_train_loop
from dasr_mm.engine.runner.two_stage_train_loop import DASRTwoStageTrainLoop
from dasr_mm.utils.io import atomic_save_image, read_rgb
from dasr_mm.utils.manifest import load_manifest, lr_path

GLOBALS = (MMLogger, MessageHub, Visualizer, DefaultScope)


def _globals_of(runner) -> dict:
    return dict(
        zip(GLOBALS, (runner.logger, runner.message_hub, runner.visualizer,
                      runner.default_scope)))


def _log_text(runner) -> str:
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return f.read()


def test_outer_runner_is_current_again_after_stage1(tmp_path, repo_root,
                                                    monkeypatch):
    root = str(tmp_path / 'demo')
    prepare_demo_data(root)
    cfg = load_config(
        osp.join(repo_root, 'tests', 'configs', 'dasr_toy.py'),
        work_dir=str(tmp_path / 'run'),
        cfg_options=dict(data_root=root))
    runner = build_runner(cfg)
    outer = _globals_of(runner)
    assert all(cls.get_current_instance() is outer[cls] for cls in GLOBALS)

    seen = {}
    real_build_runner = two_stage_train_loop.build_runner

    def build_and_watch(stage1_cfg):
        """The real stage-1 runner; notes what is current right after its
        training, before the loop restores anything."""
        nested = real_build_runner(stage1_cfg)
        train = nested.train

        def train_and_look():
            train()
            seen['current'] = {
                cls: cls.get_current_instance()
                for cls in GLOBALS
            }

        nested.train = train_and_look
        seen['nested'] = nested
        return nested

    monkeypatch.setattr(two_stage_train_loop, 'build_runner',
                        build_and_watch)
    loop = runner.build_train_loop(runner.cfg.train_cfg)
    assert isinstance(loop, DASRTwoStageTrainLoop)

    # by name: DefaultScope.overwrite_default_scope (used by mmengine while
    # building) restores a deep copy of the instances, not the objects
    nested = seen['nested']
    inner = _globals_of(nested)
    for cls in GLOBALS:
        name = outer[cls].instance_name
        assert inner[cls].instance_name != name
        # stage 1 took over...
        assert seen['current'][cls].instance_name == inner[cls].instance_name
        # ...and the outer runner's is current again
        assert cls.get_current_instance().instance_name == name
    for cls in (MMLogger, MessageHub, Visualizer):
        assert cls.get_current_instance() is outer[cls]
        assert cls.check_instance_created(inner[cls].instance_name)
    assert DefaultScope.get_current_instance().scope_name == 'mmagic'

    # what stage 2 logs goes to the outer work dir, not to stage1_dsn/
    print_log('stage-2 probe message', logger='current')
    Visualizer.get_current_instance().add_scalars({'probe': 1.0}, step=0)
    assert nested.work_dir == osp.join(runner.work_dir, 'stage1_dsn')
    outer_log, inner_log = _log_text(runner), _log_text(nested)
    assert 'stage-2 probe message' in outer_log
    assert 'stage 1 finished; stage 2 reads the export' in outer_log
    assert 'stage-2 probe message' not in inner_log
    assert 'Iter(train) [6/6]' in inner_log
    assert 'Iter(train)' not in outer_log
    with open(osp.join(runner.log_dir, 'vis_data', 'scalars.json')) as f:
        assert json.loads(f.readlines()[-1])['probe'] == 1.0
    inner_scalars = osp.join(nested.log_dir, 'vis_data', 'scalars.json')
    with open(inner_scalars) as f:
        assert 'probe' not in f.read()
    assert loop.dataloader.dataset.export_dir == osp.join(
        runner.work_dir, 'stage1_dsn', 'export')


def test_fresh_run_replaces_the_old_export(tmp_path, repo_root):
    """A second run without --resume in the same work dir trains a new DSN
    whose checkpoints have the old names; its export must not be taken for
    the old one (a file of it is blanked here to tell them apart)."""
    root = str(tmp_path / 'demo')
    prepare_demo_data(root)

    def run_stage1() -> str:
        cfg = load_config(
            osp.join(repo_root, 'tests', 'configs', 'dasr_toy.py'),
            work_dir=str(tmp_path / 'run'),
            cfg_options={
                'data_root': root,
                'train_cfg.stage1_cfg_options.train_cfg.max_iters': 2
            })
        runner = build_runner(cfg)
        return runner.build_train_loop(
            runner.cfg.train_cfg).dataloader.dataset.export_dir

    export_dir = run_stage1()
    first = load_manifest(export_dir)['images'][0]
    lr_file = lr_path(export_dir, first)
    atomic_save_image(lr_file, np.zeros_like(read_rgb(lr_file)))
    assert run_stage1() == export_dir
    assert read_rgb(lr_file).any()  # exported again by the new DSN
    assert load_manifest(export_dir)['complete']
