"""Every config under ``configs/``: it loads, its model, datasets (on
generated data of the config's layout), hooks and metrics build, a sample of
each dataset has the config's crop sizes, and every derived config resolves
to what its header comment claims (explicit differences to its parent).

The configs are discovered, so a new config is tested automatically; a new
*derived* config must also get an entry in ``CLAIMS`` (a test enforces it).

Generated data (per layout, i.e. per (scale, HR crop, real-LR crop)): two HR
and two real-LR training images a few pixels larger than the crops, one
validation pair (HR = LR x scale) and, for stage-2 configs that read a
stage-1 export, an export written with the package's manifest helpers. The
red channel of every folder is a constant that tells where a crop came from
(HR 200, real LR 50, exported LR 7, val HR 160, val LR 90); maps are a
constant 0.25.
"""
import ast
import copy
import functools
import glob
import inspect
import json
import os.path as osp
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Set

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import dasr_mm  # noqa: F401  (registers the modules)
from dasr_mm.apis.launch import default_work_dir, load_config
from dasr_mm.apis.domain_distance_export import default_export_dir
from dasr_mm.engine.hooks import EXPORT_HOOK_TYPE
from dasr_mm.models.archs import HighFrequencyExtractor
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy)
from dasr_mm.utils.manifest import (MANIFEST_NAME, build_manifest,
                                    exported_lr_size, exported_map_size,
                                    lr_path, map_path)
from mmagic.registry import DATASETS, HOOKS, LOOPS, METRICS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
ALL_FILES = sorted(
    osp.relpath(p, CONFIG_ROOT)
    for p in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True))
BASE_FILES = [f for f in ALL_FILES if f.split(osp.sep)[0] == '_base_']
# DASR's own configs; test-only configs (a trained model's test sets) and
# the baselines (configs/baselines/) have their own tests:
# test_test_configs.py, test_baseline_configs.py
TEST_CONFIG_DIR = osp.join('dasr', 'test') + osp.sep
CONFIGS = [
    f for f in ALL_FILES if f.startswith('dasr' + osp.sep)
    and not f.startswith(TEST_CONFIG_DIR)
]

STAGE1_MODEL = 'DownSamplingGAN'
STAGE2_MODEL = 'DomainDistanceAwareSR'
PIPELINE_LOOP = 'DASRTwoStageTrainLoop'
BICUBIC = 'MatlabBicubicDownsample'
# Red channel of the generated images, per folder.
RED = dict(hr=200, real_lr=50, export_lr=7, val_hr=160, val_lr=90)
MAP_VALUE = 0.25
VAL_LR_SIZE = (10, 12)

# Top-level variables that only hold pieces of the pipelines (their effect
# is compared through `*_dataloader.dataset.pipeline`), and keys that
# `load_config` adds.
PIPELINE_PIECES = {
    'load', 'val_load', 'val_pack', 'val_pipeline', 'train_pipeline',
    'load_images', 'img_crop', 'gt_crop', 'crop', 'augment', 'pack', 'load_hr',
    'source_lr', 'load_weight', 'load_source', 'source_crop', 'load_target',
    'target_crops', 'aug_keys', 'bicubic', 'bicubic_lr'
}
# Named networks of configs/_base_/models (compared through model.*).
MODEL_PIECES = {'rrdbnet', 'demo_msrresnet'}
ADDED_BY_LOAD_CONFIG = {'work_dir', 'launcher'}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def config_path(rel: str) -> str:
    return osp.join(CONFIG_ROOT, rel)


@functools.lru_cache(maxsize=None)
def raw_config(rel: str) -> Config:
    """``Config.fromfile`` of the config, cached: read it, never modify it."""
    return Config.fromfile(config_path(rel))


def load(rel: str, **cfg_options) -> Config:
    """The config as tools/train.py reads it (dasr_mm's load_config)."""
    return load_config(config_path(rel), cfg_options=cfg_options or None)


def plain(cfg: Config) -> Dict[str, Any]:
    """Builtin dict (tuples as lists) without the keys load_config adds."""
    d = json.loads(json.dumps(cfg.to_dict()))
    return {k: v for k, v in d.items() if k not in ADDED_BY_LOAD_CONFIG}


def flatten(d: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
    """Dotted paths of the leaves of nested dicts (lists are leaves)."""
    out = {}
    for key, value in d.items():
        if not prefix and key in PIPELINE_PIECES | MODEL_PIECES:
            continue
        path = prefix + key
        if isinstance(value, dict) and value:
            out.update(flatten(value, path + '.'))
        else:
            out[path] = value
    return out


def differing(child: Dict[str, Any], parent: Dict[str, Any]) -> Set[str]:
    a, b = flatten(child), flatten(parent)
    missing = object()
    return {
        k
        for k in set(a) | set(b) if a.get(k, missing) != b.get(k, missing)
    }


def stage(cfg) -> int:
    return {STAGE1_MODEL: 1, STAGE2_MODEL: 2}[cfg.model.type]


def is_bicubic(pipeline: List[dict]) -> bool:
    return any(t['type'] == BICUBIC for t in pipeline)


def reads_export(cfg) -> bool:
    return stage(cfg) == 2 and cfg.train_dataloader.dataset.source == \
        'generated'


def canonical(extractor: dict) -> dict:
    """The extractor config as an export records it."""
    return HighFrequencyExtractor(**extractor).config()


def layout(cfg) -> tuple:
    """(scale, smallest HR side, smallest real-LR side) the config's crops
    need, from the config's hyper-parameters."""
    scale = cfg.scale
    if stage(cfg) == 1:
        return scale, cfg.hr_crop, cfg.hr_crop // scale
    return scale, cfg.lr_patch * scale, cfg.lr_patch


def all_strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from all_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from all_strings(v)


def hr_folder(dataset_cfg) -> str:
    """The HR training folder a dataset config reads."""
    hr_dir = dataset_cfg.get(
        'hr_dir',
        inspect.signature(DATASETS.get(
            dataset_cfg.type)).parameters['hr_dir'].default)
    return osp.join(dataset_cfg.data_root, hr_dir)


def hooks_of(cfg, hook_type: str) -> List[dict]:
    return [h for h in cfg.get('custom_hooks', []) if h['type'] == hook_type]


def base_files_of(rel: str) -> List[str]:
    """``_base_`` files named by a config file (relative to configs/)."""
    tree = ast.parse(open(config_path(rel)).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            bases = ast.literal_eval(node.value)
            bases = [bases] if isinstance(bases, str) else bases
            return [
                osp.relpath(
                    osp.normpath(osp.join(osp.dirname(config_path(rel)), b)),
                    CONFIG_ROOT) for b in bases
            ]
    return []


def image(rng: np.random.Generator, size, red: int) -> np.ndarray:
    img = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
    img[..., 0] = red
    return img


class FakeData:
    """Data roots and stage-1 exports in a session tmp dir, one per layout
    (built on first use)."""

    def __init__(self, tmp_dir: str) -> None:
        self.tmp_dir = tmp_dir
        self.roots: Dict[tuple, str] = {}
        self.exports: Dict[tuple, str] = {}
        self.hr_size: Dict[str, tuple] = {}

    def root(self, scale: int, hr_min: int, lr_min: int) -> str:
        key = (scale, hr_min, lr_min)
        if key not in self.roots:
            root = osp.join(self.tmp_dir, 'data_x{}_hr{}_lr{}'.format(*key))
            rng = np.random.default_rng(hr_min)
            # not multiples of the scale: exercises the LR = HR // s contract
            hr_size = (hr_min + 3, hr_min + 6)
            for i in range(2):
                atomic_save_image(
                    osp.join(root, 'hr', f'hr_{i}.png'),
                    image(rng, hr_size, RED['hr']))
                atomic_save_image(
                    osp.join(root, 'real_lr', f'real_{i}.png'),
                    image(rng, (lr_min + 1, lr_min + 2), RED['real_lr']))
            val_hr = tuple(s * scale for s in VAL_LR_SIZE)
            atomic_save_image(
                osp.join(root, 'val', 'lr', 'val_0.png'),
                image(rng, VAL_LR_SIZE, RED['val_lr']))
            atomic_save_image(
                osp.join(root, 'val', 'hr', 'val_0.png'),
                image(rng, val_hr, RED['val_hr']))
            self.roots[key] = root
            self.hr_size[root] = hr_size
        return self.roots[key]

    def export(self, root: str, scale: int, extractor: dict) -> str:
        """A complete export of ``root/hr`` as stage 1 writes it (see
        dasr_mm.utils.manifest for the format and the size contract)."""
        extractor = canonical(extractor)
        key = (root, scale, json.dumps(extractor, sort_keys=True))
        if key not in self.exports:
            out = osp.join(self.tmp_dir, f'export_{len(self.exports)}')
            map_stride = scale * HighFrequencyExtractor(**extractor).downscale
            names = sorted(glob.glob(osp.join(root, 'hr', '*.png')))
            names = [osp.basename(n) for n in names]
            rng = np.random.default_rng(1)
            hr_size = self.hr_size[root]
            for name in names:
                atomic_save_image(
                    lr_path(out, name),
                    image(rng, exported_lr_size(hr_size, scale),
                          RED['export_lr']))
                atomic_save_npy(
                    map_path(out, name),
                    np.full(
                        exported_map_size(hr_size, scale, map_stride),
                        MAP_VALUE, np.float16))
            atomic_save_json(
                osp.join(out, MANIFEST_NAME),
                build_manifest(
                    dsn_checkpoint=None,
                    extractor=extractor,
                    scale=scale,
                    map_stride=map_stride,
                    images=names,
                    hr_dir=osp.join(root, 'hr'),
                    rf_average=False,
                    complete=True))
            self.exports[key] = out
        return self.exports[key]

    def load(self, rel: str) -> Config:
        """The config moved onto generated data of its layout (and onto a
        generated export when it reads one)."""
        raw = raw_config(rel)
        root = self.root(*layout(raw))
        options = dict(data_root=root)
        if reads_export(raw):
            options['train_dataloader.dataset.export_dir'] = self.export(
                root, raw.scale, raw.train_dataloader.dataset.extractor)
        return load(rel, **options)


@pytest.fixture(scope='session')
def fake_data(tmp_path_factory) -> FakeData:
    return FakeData(str(tmp_path_factory.mktemp('config_data')))


@pytest.fixture(autouse=True)
def mmagic_scope():
    """Build in mmagic's registries, as the configs' default_scope does, and
    make the random crops/flips of the pipelines reproducible."""
    np.random.seed(0)
    with DefaultScope.overwrite_default_scope('mmagic'):
        yield


_BUILT_MODELS: Dict[str, int] = {}
_VAL_SAMPLES: Dict[str, dict] = {}


def build_model(model_cfg) -> int:
    """Build the model (no ImageNet weights here: random VGG features) and
    return its parameter count; identical model configs are built once."""
    model_cfg = copy.deepcopy(model_cfg)
    if model_cfg.get('perceptual_loss') is not None:
        model_cfg.perceptual_loss.pretrained = None
    key = json.dumps(model_cfg.to_dict(), sort_keys=True)
    if key not in _BUILT_MODELS:
        model = MODELS.build(model_cfg)
        _BUILT_MODELS[key] = sum(p.numel() for p in model.parameters())
    return _BUILT_MODELS[key]


# --------------------------------------------------------------------------
# discovery
# --------------------------------------------------------------------------
def test_discovery_finds_the_configs():
    assert CONFIGS, f'no configs found under {CONFIG_ROOT}'
    for rel in ('dasr/dsn_aim.py', 'dasr/srn_realsr.py',
                'dasr/dasr_camerasr.py', 'dasr/dsn_demo.py',
                'dasr/ablation/dsn_aim_t1_bicubic_gbfs.py',
                'dasr/ablation/srn_aim_t2_bicubic_source_adv.py',
                'dasr/ablation/dasr_aim_t2_generated_source_adv.py'):
        assert rel in CONFIGS
    assert len([c for c in CONFIGS if c.startswith('dasr/ablation/')]) >= 10
    assert '_base_/datasets/paired_val.py' in BASE_FILES


@pytest.mark.parametrize('rel', BASE_FILES)
def test_base_file_loads_and_is_used(rel):
    Config.fromfile(config_path(rel))
    assert any(rel in base_files_of(c) for c in ALL_FILES), \
        f'{rel} is not a _base_ of any config'


# --------------------------------------------------------------------------
# every config
# --------------------------------------------------------------------------
@pytest.mark.parametrize('rel', CONFIGS)
def test_config_loads_and_is_self_consistent(rel, fake_data):
    raw = raw_config(rel)
    assert raw.default_scope == 'mmagic'
    assert 'dasr_mm' in raw.custom_imports.imports
    ds = raw.train_dataloader.dataset
    # the hyper-parameters at the top of the config are the ones used
    assert ds.scale == raw.scale
    assert canonical(raw.extractor) == canonical(
        raw.model.discriminator.extractor), 'top-level extractor is stale'
    assert raw.train_cfg.max_iters == raw.max_iters
    assert raw.model.train_cfg.pretrain_iters == raw.pretrain_iters
    for net in ('generator', 'discriminator'):
        assert raw.optim_wrapper[net].optimizer.lr == raw.lr
    if stage(raw) == 1:
        assert ds.type == 'UnpairedSRImageDataset'
        assert ds.min_hr_size == raw.hr_crop
        # the DSN maps its input onto the real-LR size (scale 1: bicubic
        # input, or a x1 dataset)
        gen_scale = raw.model.generator.scale
        assert gen_scale == (1 if is_bicubic(ds.pipeline) else raw.scale)
        # standalone DSN configs export every HR training image
        for hook in hooks_of(raw, EXPORT_HOOK_TYPE):
            assert hook.hr_dir == hr_folder(ds)
    else:
        assert ds.type == 'DomainDistanceTripletDataset'
        assert ds.lr_patch_size == raw.lr_patch
        assert canonical(ds.extractor) == canonical(raw.extractor)
        assert raw.model.train_cfg.use_weights == ds.use_weights
        assert is_bicubic(ds.pipeline) == (ds.source == 'bicubic')
        gen = raw.model.generator
        if raw.scale == 1:
            assert gen.type == 'RRDBNetNoUpsample'
        else:
            # the demo's MSRResNet: see check_srn_demo
            assert gen.type in ('RRDBNet', 'MSRResNet')
            assert gen.upscale_factor == raw.scale
        for metric in raw.val_evaluator:
            assert metric.crop_border == raw.scale
    # the val/test pairs are checked at build time against the data scale;
    # stage 1 compares DSN(HR) with the real LR (`gt`), stage 2 SR(LR) with HR
    for split in ('val', 'test'):
        paired = raw[f'{split}_dataloader'].dataset
        assert paired.type == 'PairedImageFolderDataset'
        assert paired.scale == raw.scale
        assert paired.lr_key == ('gt' if stage(raw) == 1 else 'img')
        assert paired.data_prefix[paired.lr_key] == 'val/lr'
    # --cfg-options data_root=DIR moves every path under the old data_root
    cfg = fake_data.load(rel)
    old_root, new_root = raw.data_root, cfg.data_root
    left = [
        s for s in all_strings(cfg.to_dict())
        if s == old_root or s.startswith(old_root + '/')
    ]
    assert not left, f'paths not moved by data_root: {left}'
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.data_root == new_root
    for hook in hooks_of(cfg, EXPORT_HOOK_TYPE):
        assert hook.hr_dir == osp.join(new_root, 'hr')


@pytest.mark.parametrize('rel', CONFIGS)
def test_model_builds(rel):
    cfg = load(rel)
    assert build_model(cfg.model) > 0


def val_sample(dataset_cfg) -> dict:
    """Build a paired val/test dataset (one generated pair) and return its
    item 0; identical dataset configs (many configs share one) are built
    once (mmengine's BaseDataset runs a full gc.collect() per build)."""
    key = json.dumps(dataset_cfg.to_dict(), sort_keys=True)
    if key not in _VAL_SAMPLES:
        dataset = DATASETS.build(copy.deepcopy(dataset_cfg))
        assert len(dataset) == 1
        _VAL_SAMPLES[key] = dataset[0]
    return _VAL_SAMPLES[key]


@pytest.mark.parametrize('rel', CONFIGS)
def test_datasets_build_and_yield_the_crops(rel, fake_data):
    cfg = fake_data.load(rel)
    scale = cfg.scale
    train = DATASETS.build(cfg.train_dataloader.dataset)
    sample = train[0]
    inputs, data = sample['inputs'], sample['data_samples']
    if stage(cfg) == 1:
        lr_side = cfg.hr_crop // scale  # the real-LR crop
        in_side = lr_side * cfg.model.generator.scale
        assert tuple(inputs.shape) == (3, in_side, in_side)
        assert tuple(data.gt_img.shape) == (3, lr_side, lr_side)
        assert (inputs[0] - RED['hr']).abs().max() <= 1  # (bicubic) HR
        assert (data.gt_img[0] == RED['real_lr']).all()
    else:
        p, hr_p = cfg.lr_patch, cfg.lr_patch * scale
        assert tuple(inputs.shape) == (3, p, p)
        assert tuple(data.gt_img.shape) == (3, hr_p, hr_p)
        assert tuple(data.weight.shape) == (1, hr_p, hr_p)
        assert tuple(data.target_img.shape) == (3, p, p)
        assert tuple(data.target_gt.shape) == (3, hr_p, hr_p)
        source = cfg.train_dataloader.dataset.source
        if source == 'generated':
            assert (inputs[0] == RED['export_lr']).all()
        else:  # bicubic-downsampled HR
            assert (inputs[0].int() - RED['hr']).abs().max() <= 1
        assert (data.gt_img[0] == RED['hr']).all()
        assert (data.target_img[0] == RED['real_lr']).all()
        assert (data.target_gt[0] == RED['hr']).all()
        weights = cfg.train_dataloader.dataset.use_weights
        expected = MAP_VALUE if weights and source == 'generated' else 1.
        assert torch.allclose(data.weight, torch.tensor(expected))
    for split in ('val', 'test'):
        sample = val_sample(cfg[f'{split}_dataloader'].dataset)
        inputs, gt = sample['inputs'], sample['data_samples'].gt_img
        lr_size = VAL_LR_SIZE
        hr_size = tuple(s * scale for s in lr_size)
        if stage(cfg) == 1:  # DSN(val/hr) vs val/lr
            g = cfg.model.generator.scale
            assert tuple(inputs.shape[1:]) == tuple(s * g for s in lr_size)
            assert (inputs[0].int() - RED['val_hr']).abs().max() <= 1
            assert tuple(gt.shape[1:]) == lr_size
            assert (gt[0] == RED['val_lr']).all()
        else:  # SRN(val/lr) vs val/hr
            assert tuple(inputs.shape[1:]) == lr_size
            assert (inputs[0] == RED['val_lr']).all()
            assert tuple(gt.shape[1:]) == hr_size
            assert (gt[0] == RED['val_hr']).all()


@pytest.mark.parametrize('rel', CONFIGS)
def test_hooks_metrics_and_loops_build(rel, fake_data):
    cfg = fake_data.load(rel)
    for hook in cfg.get('custom_hooks', []):
        HOOKS.build(copy.deepcopy(hook))
    for hook in cfg.default_hooks.values():
        HOOKS.build(copy.deepcopy(hook))
    for metric in [*cfg.val_evaluator, *cfg.test_evaluator]:
        METRICS.build(copy.deepcopy(metric))
    assert LOOPS.get(cfg.train_cfg.type) is not None
    # a DSN config exports for stage 2 unless it is a Table-1-only variant
    if stage(cfg) == 1 and not is_bicubic(
            cfg.train_dataloader.dataset.pipeline):
        assert len(hooks_of(cfg, EXPORT_HOOK_TYPE)) == 1


PIPELINE_CONFIGS = [
    c for c in CONFIGS if raw_config(c).train_cfg.type == PIPELINE_LOOP
]


def test_pipeline_configs_are_found():
    assert 'dasr/dasr_aim.py' in PIPELINE_CONFIGS
    assert 'dasr/ablation/dasr_aim_t2_generated_source_adv.py' in \
        PIPELINE_CONFIGS


@pytest.mark.parametrize('rel', PIPELINE_CONFIGS)
def test_pipeline_stage1_config_matches_stage2(rel, fake_data):
    cfg = fake_data.load(rel)
    stage1 = cfg.train_cfg.stage1_config
    assert osp.isfile(stage1), stage1
    stage1_rel = osp.relpath(stage1, CONFIG_ROOT)
    assert stage1_rel in CONFIGS  # so it passes the checks above as well
    # loaded as DASRTwoStageTrainLoop does: with stage 2's data_root
    s1 = load(stage1_rel, data_root=cfg.data_root)
    ds = cfg.train_dataloader.dataset
    assert stage(s1) == 1 and stage(cfg) == 2
    assert ds.source == 'generated'  # trains on the export of stage 1
    assert s1.scale == cfg.scale
    assert canonical(s1.model.discriminator.extractor) == canonical(
        ds.extractor)
    assert s1.train_dataloader.dataset.data_root == ds.data_root
    export_hooks = hooks_of(s1, EXPORT_HOOK_TYPE)
    assert len(export_hooks) == 1
    assert export_hooks[0].hr_dir == hr_folder(ds)
    assert cfg.train_cfg.max_iters == cfg.max_iters


# --------------------------------------------------------------------------
# derived configs resolve to what their header comments say
# --------------------------------------------------------------------------
def with_crops(pipeline: List[dict], sizes: Dict[str, Any]) -> List[dict]:
    """``pipeline`` with the crop sizes of the named keys replaced: Crop
    ``keys`` (joined by ',') -> side; 'TripletRandomCrop' -> (p, scale)."""
    out = copy.deepcopy(pipeline)
    for t in out:
        if t['type'] == 'Crop' and ','.join(t['keys']) in sizes:
            side = sizes.pop(','.join(t['keys']))
            t['crop_size'] = [side, side]
        elif t['type'] == 'TripletRandomCrop' and 'triplet' in sizes:
            t['lr_patch_size'], t['scale'] = sizes.pop('triplet')
    assert not sizes, f'no such crops: {sizes}'
    return out


def without(pipeline: List[dict], transform_type: str) -> List[dict]:
    return [t for t in pipeline if t['type'] != transform_type]


def train_pipeline(d: dict) -> List[dict]:
    return d['train_dataloader']['dataset']['pipeline']


def val_pipeline(d: dict) -> List[dict]:
    return d['val_dataloader']['dataset']['pipeline']


def check_dsn_demo(c, p):  # tiny networks, demo crops, few iterations
    assert c['model']['generator'] == dict(
        p['model']['generator'], mid_channels=16, num_blocks=2)
    assert c['model']['discriminator']['mid_channels'] == 16
    assert c['model']['perceptual_loss']['pretrained'] is None
    assert p['model']['perceptual_loss']['pretrained'] == 'torchvision'
    assert (c['scale'], c['hr_crop']) == (4, 64)
    assert train_pipeline(c) == with_crops(
        train_pipeline(p), {
            'img': 64,
            'gt': 16
        })
    assert c['lr'] == pytest.approx(20 * p['lr'])  # "20x the paper's 1e-4"
    # "Cosine annealing to lr/100"
    assert c['param_scheduler'] == dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        T_max=c['max_iters'],
        eta_min=c['lr'] / 100)
    assert c['max_iters'] < p['max_iters']
    assert c['train_dataloader']['dataset']['min_hr_size'] == 64


def check_dsn_camerasr(c, p):  # x1: no resize, equal HR / real-LR crops
    assert c['scale'] == c['model']['generator']['scale'] == 1
    assert c['train_dataloader']['dataset']['scale'] == 1
    side = c['hr_crop']
    assert side == p['hr_crop'] == 192
    expected = [t for t in train_pipeline(p) if t['type'] != 'Crop']
    expected.insert(
        2, dict(type='Crop', keys=['img', 'gt'], crop_size=[side, side]))
    assert train_pipeline(c) == expected


def check_srn_demo(c, p):  # MSRResNet, demo crops, few iterations, γ/100
    # "mmagic's MSRResNet ... not the paper's RRDBNet (which every real
    # config keeps)"
    assert p['model']['generator']['type'] == 'RRDBNet'
    assert c['model']['generator'] == dict(
        type='MSRResNet',
        in_channels=3,
        out_channels=3,
        mid_channels=32,
        num_blocks=4,
        upscale_factor=c['scale'])
    assert c['model']['discriminator']['net']['base_channels'] == 16
    assert c['model']['perceptual_loss'] is None  # "no L_per (β = 0)"
    assert p['model']['perceptual_loss']['pretrained'] == 'torchvision'
    assert c['model']['gan_loss']['loss_weight'] == pytest.approx(
        p['model']['gan_loss']['loss_weight'] / 100)
    assert (c['scale'], c['lr_patch']) == (4, 16)
    assert train_pipeline(c) == with_crops(
        train_pipeline(p), {
            'triplet': (16, 4),
            'target_img': 16,
            'target_gt': 64
        })
    assert c['lr'] == pytest.approx(5 * p['lr'])  # "5x the paper's 2e-4"
    assert c['max_iters'] < p['max_iters']
    # "reads the export of configs/dasr/dsn_demo.py"
    assert c['export_dir'] == default_export_dir(
        default_work_dir('configs/dasr/dsn_demo.py'))


def check_srn_camerasr(c, p):  # x1 RRDB without up-sampling
    gen = dict(p['model']['generator'], type='RRDBNetNoUpsample')
    del gen['upscale_factor']
    assert c['model']['generator'] == gen
    assert (c['scale'], c['lr_patch']) == (1, 192)
    ds = c['train_dataloader']['dataset']
    assert (ds['scale'], ds['lr_patch_size']) == (1, 192)
    expected = with_crops(train_pipeline(p), {'triplet': (192, 1)})
    expected = [t for t in expected if t['type'] != 'Crop']
    expected.insert(
        6,
        dict(
            type='Crop',
            keys=['target_img', 'target_gt'],
            crop_size=[192, 192]))
    assert train_pipeline(c) == expected
    assert c['export_dir'] == default_export_dir(
        default_work_dir('configs/dasr/dsn_camerasr.py'))
    assert [m['crop_border'] for m in c['val_evaluator']] == [1] * 4


def check_srn_realsr(c, p):
    assert c['export_dir'] == default_export_dir(
        default_work_dir('configs/dasr/dsn_realsr.py'))


def check_pipeline(stage1: str):

    def check(c, p):  # the stage-2 config plus the two-stage loop
        assert c['train_cfg']['type'] == PIPELINE_LOOP
        assert c['train_cfg']['stage1_config'] == config_path(stage1)

    return check


def check_extractor(extractor: dict):

    def check(c, p):  # Table 1: another feature space for D
        assert c['model']['discriminator']['extractor'] == extractor
        assert canonical(c['extractor']) == canonical(extractor)

    return check


def check_bicubic_dsn(c, p):
    # x1 DSN on the bicubic-downsampled HR crop, no export
    bicubic = dict(type=BICUBIC, scale=4, src_key='img', dst_key='img')
    assert c['model']['generator']['scale'] == 1
    assert c['custom_hooks'] == []
    train, val = train_pipeline(c), val_pipeline(c)
    assert without(train, BICUBIC) == train_pipeline(p)
    assert without(val, BICUBIC) == val_pipeline(p)
    # after the HR crop (train) and after loading (val)
    assert train[3] == bicubic and train[2]['keys'] == ['img']
    assert val[2] == bicubic
    assert c['val_dataloader'] == c['test_dataloader']


def check_bicubic_srn(c, p):  # {Yb, Xr}: `img` = B(gt), no export
    pipeline = train_pipeline(c)
    assert pipeline[1] == dict(type=BICUBIC, scale=4)
    expected = [t for t in train_pipeline(p) if t.get('key') != 'img']
    assert without(pipeline, BICUBIC) == expected
    assert c['train_dataloader']['dataset']['export_dir'] is None


# Table 2 columns: (source pairs, adversarial domain, domain-distance weights)
TABLE2 = {
    1: ('bicubic', 'source', False),
    2: ('bicubic', 'target', False),
    3: ('generated', 'source', False),
    4: ('generated', 'target', False),
    5: ('generated', 'source', True),
    6: ('generated', 'target', True),
}


def check_table2(column: int):

    def check(c, p):
        header = open(config_path(c['__rel__'])).read()
        assert f'Table 2, column {column}' in header
        source, adv, weights = TABLE2[column]
        ds = c['train_dataloader']['dataset']
        assert ds['source'] == source
        assert c['model']['train_cfg']['adv_domain'] == adv
        assert c['model']['train_cfg']['use_weights'] == weights
        assert ds['use_weights'] == weights

    return check


class Claim(NamedTuple):
    parent: str
    differs: Set[str]  # the dotted keys that differ, and only these
    check: Optional[Callable[[dict, dict], None]] = None
    # compare with the parent moved to the child's data_root
    same_data_root: bool = False


DATA_ROOT_KEYS = {
    'data_root', 'train_dataloader.dataset.data_root',
    'val_dataloader.dataset.data_root', 'test_dataloader.dataset.data_root'
}
DEMO_LOADERS = {
    'train_dataloader.batch_size', 'train_dataloader.num_workers',
    'train_dataloader.persistent_workers', 'val_dataloader.num_workers',
    'test_dataloader.num_workers'
}
DEMO_SCHEDULE = {
    'pretrain_iters', 'max_iters', 'lr', 'model.train_cfg.pretrain_iters',
    'optim_wrapper.generator.optimizer.lr',
    'optim_wrapper.discriminator.optimizer.lr', 'train_cfg.max_iters',
    'train_cfg.val_interval', 'param_scheduler.milestones',
    'default_hooks.checkpoint.interval'
}
VAL_SCALE = {'val_dataloader.dataset.scale', 'test_dataloader.dataset.scale'}
ADV_WEIGHTS = {'model.train_cfg.adv_domain', 'model.train_cfg.use_weights'}
PIPELINE_LOOP_KEYS = {
    'train_cfg.type', 'train_cfg.stage1_config',
    'default_hooks.run_report.type'
}
A = 'dasr/ablation/'

CLAIMS: Dict[str, Claim] = {
    # stage 1
    'dasr/dsn_realsr.py':
    Claim('dasr/dsn_aim.py', set(), same_data_root=True),
    'dasr/dsn_camerasr.py':
    Claim(
        'dasr/dsn_aim.py', {
            'scale', 'model.generator.scale', 'train_dataloader.dataset.scale',
            'train_dataloader.dataset.pipeline'
        } | VAL_SCALE,
        check_dsn_camerasr,
        same_data_root=True),
    'dasr/dsn_demo.py':
    Claim(
        'dasr/dsn_aim.py',
        DEMO_LOADERS | DEMO_SCHEDULE | {
            'hr_crop', 'model.generator.mid_channels',
            'model.generator.num_blocks', 'model.discriminator.mid_channels',
            'model.perceptual_loss.pretrained',
            'train_dataloader.dataset.min_hr_size',
            'train_dataloader.dataset.pipeline', 'param_scheduler.type',
            'param_scheduler.T_max', 'param_scheduler.eta_min',
            'param_scheduler.gamma'
        },
        check_dsn_demo,
        same_data_root=True),
    # stage 2
    'dasr/srn_realsr.py':
    Claim(
        'dasr/srn_aim.py',
        {'export_dir', 'train_dataloader.dataset.export_dir'},
        check_srn_realsr,
        same_data_root=True),
    'dasr/srn_camerasr.py':
    Claim(
        'dasr/srn_aim.py', {
            'export_dir', 'scale', 'lr_patch', 'model.generator.type',
            'model.generator.upscale_factor', 'val_evaluator',
            'test_evaluator', 'train_dataloader.dataset.export_dir',
            'train_dataloader.dataset.scale',
            'train_dataloader.dataset.lr_patch_size',
            'train_dataloader.dataset.pipeline'
        } | VAL_SCALE,
        check_srn_camerasr,
        same_data_root=True),
    'dasr/srn_demo.py':
    Claim(
        'dasr/srn_aim.py',
        DEMO_LOADERS | DEMO_SCHEDULE | {
            'export_dir', 'lr_patch', 'model.generator.type',
            'model.generator.mid_channels', 'model.generator.num_blocks',
            'model.generator.growth_channels',
            'model.discriminator.net.base_channels',
            *(f'model.perceptual_loss{k}'
              for k in ('', '.type', '.layer', '.loss_weight', '.pretrained')),
            'model.gan_loss.loss_weight',
            'train_dataloader.dataset.export_dir',
            'train_dataloader.dataset.lr_patch_size',
            'train_dataloader.dataset.pipeline'
        },
        check_srn_demo,
        same_data_root=True),
    # both stages: the stage-2 config with the two-stage loop
    'dasr/dasr_aim.py':
    Claim('dasr/srn_aim.py', PIPELINE_LOOP_KEYS,
          check_pipeline('dasr/dsn_aim.py')),
    'dasr/dasr_realsr.py':
    Claim('dasr/srn_realsr.py', PIPELINE_LOOP_KEYS,
          check_pipeline('dasr/dsn_realsr.py')),
    'dasr/dasr_camerasr.py':
    Claim('dasr/srn_camerasr.py', PIPELINE_LOOP_KEYS,
          check_pipeline('dasr/dsn_camerasr.py')),
    'dasr/dasr_demo.py':
    Claim('dasr/srn_demo.py', PIPELINE_LOOP_KEYS,
          check_pipeline('dasr/dsn_demo.py')),
    # the authors' released DSN architecture (convert_official_ckpt.py)
    'dasr/official/dsn_official_aim.py':
    Claim(
        'dasr/dsn_aim.py', {
            'model.generator.num_blocks', 'model.generator.variant',
            'extractor.variant', 'model.discriminator.extractor.variant',
            'model.discriminator.kernel_sizes'
        }, check_extractor(dict(mode='wavelet', variant='official'))),
    # Table 1 (stage 1)
    A + 'dsn_aim_t1_hr_wfs.py':
    Claim('dasr/dsn_aim.py', set()),
    A + 'dsn_aim_t1_hr_gbfs.py':
    Claim(
        'dasr/dsn_aim.py', {
            'extractor.mode', 'extractor.kernel_size', 'extractor.sigma',
            'model.discriminator.extractor.mode',
            'model.discriminator.extractor.kernel_size',
            'model.discriminator.extractor.sigma'
        }, check_extractor(dict(mode='gaussian', kernel_size=5, sigma=1.0))),
    A + 'dsn_aim_t1_hr_rgb.py':
    Claim('dasr/dsn_aim.py',
          {'extractor.mode', 'model.discriminator.extractor.mode'},
          check_extractor(dict(mode='rgb'))),
    A + 'dsn_aim_t1_bicubic_gbfs.py':
    Claim(
        A + 'dsn_aim_t1_hr_gbfs.py', {
            'model.generator.scale', 'train_dataloader.dataset.pipeline',
            'val_dataloader.dataset.pipeline',
            'test_dataloader.dataset.pipeline', 'custom_hooks'
        }, check_bicubic_dsn),
    # Table 2 (stage 2)
    A + 'srn_aim_t2_bicubic_source_adv.py':
    Claim(
        'dasr/srn_aim.py', ADV_WEIGHTS | {
            'train_dataloader.dataset.source',
            'train_dataloader.dataset.use_weights',
            'train_dataloader.dataset.export_dir',
            'train_dataloader.dataset.pipeline'
        }, lambda c, p: (check_bicubic_srn(c, p), check_table2(1)(c, p))),
    A + 'srn_aim_t2_bicubic_target_adv.py':
    Claim(A + 'srn_aim_t2_bicubic_source_adv.py',
          {'model.train_cfg.adv_domain'}, check_table2(2)),
    A + 'dasr_aim_t2_generated_source_adv.py':
    Claim('dasr/dasr_aim.py',
          ADV_WEIGHTS | {'train_dataloader.dataset.use_weights'},
          check_table2(3)),
    A + 'dasr_aim_t2_generated_target_adv.py':
    Claim('dasr/dasr_aim.py', {
        'model.train_cfg.use_weights', 'train_dataloader.dataset.use_weights'
    }, check_table2(4)),
    A + 'dasr_aim_t2_generated_source_adv_weighted.py':
    Claim('dasr/dasr_aim.py', {'model.train_cfg.adv_domain'}, check_table2(5)),
    A + 'dasr_aim_t2_generated_target_adv_weighted.py':
    Claim('dasr/dasr_aim.py', set(), check_table2(6)),
}


def test_every_derived_config_has_a_claim():
    """A config whose _base_ is another full config (not only _base_/ files)
    must say here how it differs from it."""
    derived = {
        c
        for c in CONFIGS if any(b in CONFIGS for b in base_files_of(c))
    }
    assert derived == set(CLAIMS)
    for rel, claim in CLAIMS.items():
        assert claim.parent in base_files_of(rel), (rel, claim.parent)


@pytest.mark.parametrize('rel', sorted(CLAIMS))
def test_derived_config_differs_only_as_claimed(rel):
    claim = CLAIMS[rel]
    child = plain(load(rel))
    options = dict(data_root=child['data_root']) if claim.same_data_root \
        else {}
    parent = plain(load(claim.parent, **options))
    if not claim.same_data_root:
        assert child['data_root'] == parent['data_root']
    assert differing(child, parent) == claim.differs
    if claim.check is not None:
        claim.check(dict(child, __rel__=rel), parent)


@pytest.mark.parametrize('rel', ['dasr/dsn_aim.py', 'dasr/srn_aim.py'])
def test_paper_hyper_parameters(rel):
    """The values the header of each stage config quotes from the paper."""
    c = raw_config(rel)
    m = c.model
    assert (m.pixel_loss.loss_weight, m.perceptual_loss.loss_weight) == \
        (0.01, 1.0)  # α, β
    assert m.perceptual_loss.layer == 'conv5_3'
    assert m.perceptual_loss.pretrained == 'torchvision'
    assert canonical(c.extractor) == dict(mode='wavelet')
    assert c.scale == 4 and c.train_dataloader.batch_size == 16
    assert c.pretrain_iters == 25_000
    assert c.param_scheduler.milestones == list(
        range(10_000, c.max_iters, 10_000))  # halve every 10k
    assert c.param_scheduler.gamma == 0.5
    if rel == 'dasr/dsn_aim.py':
        assert m.gan_loss.loss_weight == 0.0005  # γ
        assert (c.hr_crop, c.max_iters, c.lr) == (192, 50_000, 1e-4)
    else:
        assert m.gan_loss.loss_weight == 0.005  # γ
        assert c.lr_patch * c.scale == 192  # "HR patch = ... = 192"
        # "25k content-only, then 50k with all losses"
        assert (c.max_iters - c.pretrain_iters, c.lr) == (50_000, 2e-4)
        assert m.train_cfg.adv_domain == 'target' and m.train_cfg.use_weights
        # "expects ... dsn_aim.py to have exported into work_dirs/dsn_aim"
        assert c.export_dir == default_export_dir(
            default_work_dir('configs/dasr/dsn_aim.py'))
