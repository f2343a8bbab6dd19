"""``randomness=dict(seed=..., deterministic=True)`` is honoured: two
stage-1 runs with the same seed end in identical checkpoints (weights,
optimizer states, step counter), and another seed gives other weights."""
import os.path as osp

import pytest
import torch

from dasr_mm.apis import build_runner, load_config
from dasr_mm.datasets.preparation import prepare_demo_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo') / 'data')
    prepare_demo_data(root)
    return root


@pytest.fixture
def restore_torch_determinism():
    """mmengine's set_random_seed switches global torch flags; put them
    back so later tests run as configured."""
    flags = (torch.are_deterministic_algorithms_enabled(),
             torch.backends.cudnn.deterministic,
             torch.backends.cudnn.benchmark)
    yield
    torch.use_deterministic_algorithms(flags[0])
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = \
        flags[1:]


def train_stage1(root, work_dir, seed):
    """4 iterations (2 content-only, 2 adversarial: every loss and both
    optimizers act), random crops/flips, batch 2; returns the checkpoint."""
    cfg = load_config(
        osp.join(REPO, 'configs/dasr/dsn_demo.py'),
        work_dir=work_dir,
        cfg_options={
            'data_root': root,
            'randomness': dict(seed=seed, deterministic=True),
            'train_cfg.max_iters': 4,
            'train_cfg.val_interval': 100,
            'model.train_cfg.pretrain_iters': 2,
            'train_dataloader.batch_size': 2,
            'default_hooks.checkpoint.interval': 4,
            'custom_hooks': [],
        })
    runner = build_runner(cfg)
    runner.train()
    assert torch.are_deterministic_algorithms_enabled()
    return torch.load(osp.join(work_dir, 'iter_4.pth'), map_location='cpu')


def tensors(tree, prefix=''):
    """Flat {path: tensor} of the tensors in a nested checkpoint part."""
    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        return {}
    out = {}
    for k, v in items:
        out.update(tensors(v, f'{prefix}/{k}'))
    return out


def test_same_seed_gives_identical_stage1_checkpoints(
        demo_root, tmp_path, restore_torch_determinism):
    first = train_stage1(demo_root, str(tmp_path / 'a'), seed=7)
    second = train_stage1(demo_root, str(tmp_path / 'b'), seed=7)
    other = train_stage1(demo_root, str(tmp_path / 'c'), seed=8)
    assert int(first['state_dict']['step_counter']) == 4
    parts = ('state_dict', 'optimizer')
    a, b = tensors({p: first[p] for p in parts}), tensors(
        {p: second[p] for p in parts})
    assert a.keys() == b.keys() and len(a) > 20
    for key in a:
        assert torch.equal(a[key], b[key]), key
    o = tensors({p: other[p] for p in parts})
    weights = [k for k in a if k.startswith('/state_dict/generator.')]
    assert weights and any(not torch.equal(a[k], o[k]) for k in weights)
