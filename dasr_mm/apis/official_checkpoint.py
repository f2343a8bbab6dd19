"""Conversion of the authors' released checkpoints (github ShuhangGu/DASR)
into dasr_mm checkpoints that ``tools/test.py``, ``tools/infer.py``,
``tools/export_weight_maps.py`` and ``load_from`` accept strictly.

Two kinds of release files, told apart by their keys:

* **DSN** (``codes/DSN/train.py``): a torch dict whose ``model_g_state_dict``
  holds their ``De_resnet`` (``block_input.*``,
  ``res_blocks.{i}.conv1/prelu/conv2.*``, ``down_sample.*``,
  ``block_output.*``). Our :class:`DownSamplingNetwork` with
  ``variant='official'`` uses the same module names, so its weights map one
  to one onto ``generator.*``. Its ``models_d_state_dict`` holds their
  discriminator (``model.Discriminator`` with ``D_arch='FSD'``): a filter
  (``--filter``, recorded as ``fs_type`` / ``fs_kernel_size``; stateless
  but for the tensors ``filter.filter_low.filter.gaussian_filter.weight``
  of ``gau`` and ``DWT2.h{0,1}_{col,row}`` of ``wavelet``), then
  ``net.net.{0,2,5,8}``: conv 5x5 (C -> 64), LeakyReLU(0.2); conv 5x5
  (64 -> 128), InstanceNorm, LeakyReLU; conv 5x5 (128 -> 256),
  InstanceNorm, LeakyReLU; conv 1x1 (256 -> 1); sigmoid. That is our
  :class:`DomainPatchDiscriminator` with ``mid_channels=64``,
  ``kernel_sizes=(5, 5, 5, 1)`` (same Sequential indices, so
  ``net.net.i`` -> ``discriminator.patch_net.i``) in front of a
  :class:`HighFrequencyExtractor` with ``variant='official'`` and the
  release's filter (``gau`` -> ``gaussian``, ``avg_pool`` -> ``box``,
  ``wavelet`` -> ``wavelet``; no filter tensors where ``gau`` / ``wavelet``
  needs them -> ``rgb``, their ``--no_highpass``). The filter tensors are
  checked against the extractor's own (Haar; Gaussian of std k / 6), not
  loaded; a config whose extractor differs is refused with the setting to
  use. Not convertible, and refused by name: ``nld_s1`` / ``nld_s2``
  discriminators (4x4 strided convs), ``--norm_layer Batch``, wavelet bands
  summed (``--cat_or_sum sum``). A WGAN release (``--wgan``, no sigmoid)
  cannot be told from its keys; its map would not be a probability.
* **SRN** (``codes/SRN``, old-ESRGAN ``RRDB_arch`` layout):
  ``model.0`` (first conv), ``model.1.sub.{i}.RDB{k}.conv{j}.0`` (RRDB ``i``,
  dense block ``k``, conv ``j``), ``model.1.sub.{n}`` (the trunk conv after
  the ``n`` blocks), then the up-sampling convs and the two HR convs (x4:
  ``model.3``, ``model.6``, ``model.8``, ``model.10``; x1: ``model.2``,
  ``model.4``), mapped onto mmagic's ``RRDBNet`` (x4) or our
  ``RRDBNetNoUpsample`` (x1) as ``generator.*``. Their x2 network up-samples
  once by interpolation where mmagic's x2 ``RRDBNet`` pixel-unshuffles, so it
  has no counterpart and is refused.

The target config names the architecture; every converted weight must exist
in its model with the same shape, and every weight of a converted part
(``generator``, ``discriminator``) must be in the release (else the
mismatches are listed by name with the config to use). The rest of the
target model (e.g. the stage-2 discriminator, the VGG of the perceptual loss,
the step counter), which a release does not hold, comes from the config's own
initialisation and is listed in the report and in the checkpoint's
``meta['filled_from_config']``.
"""
import math
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch import Tensor

from mmagic.registry import MODELS
from dasr_mm.utils.io import atomic_path

DSN_KEY = 'model_g_state_dict'
FSD_KEY = 'models_d_state_dict'
_FSD_CONVS = '0258'  # Sequential indices of DiscriminatorBasic's convs
_FSD_CONV = re.compile(rf'net\.net\.([{_FSD_CONVS}])\.(weight|bias)$')
_FSD_NORM = re.compile(r'net\.net\.[36]\.')  # BatchNorm's; Instance has none
_GAUSSIAN_KEY = 'filter.filter_low.filter.gaussian_filter.weight'
_DWT_KEYS = ('DWT2.h0_col', 'DWT2.h1_col', 'DWT2.h0_row', 'DWT2.h1_row')
_FILTER_MODES = {'gau': 'gaussian', 'avg_pool': 'box', 'wavelet': 'wavelet'}
_RRDB = re.compile(r'model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.'
                   r'(weight|bias)$')
_TRUNK_OR_TOP = re.compile(r'model\.(?:1\.sub\.)?(\d+)\.(weight|bias)$')


class OfficialCheckpointError(ValueError):
    """A release file cannot be converted (unknown layout, keys that do not
    fit, or a target config of another architecture)."""


@dataclass
class ConversionReport:
    """What :func:`convert_official_checkpoint` did."""
    kind: str
    converted: List[str] = field(default_factory=list)
    filled_from_config: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


def _state_of(release: Any) -> Dict[str, Tensor]:
    """The tensor dict inside a loaded release file."""
    if isinstance(release, dict) and DSN_KEY in release:
        return release[DSN_KEY]
    for key in ('state_dict', 'params', 'params_ema'):
        if isinstance(release, dict) and isinstance(release.get(key), dict):
            return release[key]
    return release


def detect_kind(release: Any) -> str:
    """``'dsn'`` or ``'srn'`` from the keys of a loaded release file.

    Raises:
        OfficialCheckpointError: Neither layout (lists some keys).
    """
    if isinstance(release, dict) and DSN_KEY in release:
        return 'dsn'
    state = _state_of(release)
    if isinstance(state, dict) and any(
            isinstance(k, str) and k.startswith('model.1.sub.')
            for k in state):
        return 'srn'
    keys = sorted(state)[:8] if isinstance(state, dict) else type(state)
    raise OfficialCheckpointError(
        f'not a DASR release file: neither a DSN checkpoint (a dict with '
        f'{DSN_KEY!r}) nor an SRN state dict in RRDB_arch layout '
        f'(model.1.sub.*); its keys start with {keys}')


def srn_to_rrdbnet(state: Dict[str, Tensor]) -> Tuple[Dict[str, Tensor], int]:
    """Rename an old-ESRGAN ``RRDB_arch`` state dict to mmagic's ``RRDBNet``
    names (``RRDBNetNoUpsample`` for x1); returns it with the scale.

    Raises:
        OfficialCheckpointError: Keys outside the layout (listed by name), a
            missing trunk conv, or a x2 / x8 network.
    """
    renamed, plain, unknown = {}, {}, []
    for key, value in state.items():
        match = _RRDB.match(key)
        if match:
            block, dense, conv, kind = match.groups()
            renamed[f'body.{block}.rdb{dense}.conv{conv}.{kind}'] = value
            continue
        match = _TRUNK_OR_TOP.match(key)
        if match and key.startswith('model.1.sub.'):
            plain[('trunk', int(match.group(1)), match.group(2))] = value
        elif match and match.group(1) != '1':
            plain[('top', int(match.group(1)), match.group(2))] = value
        else:
            unknown.append(key)
    if unknown:
        raise OfficialCheckpointError(
            f'{len(unknown)} key(s) outside the RRDB_arch layout: '
            f'{", ".join(sorted(unknown)[:10])}')
    num_blocks = len({k.split('.')[1] for k in renamed})
    trunk = [(i, kind) for part, i, kind in plain if part == 'trunk']
    if sorted(trunk) != [(num_blocks, 'bias'), (num_blocks, 'weight')]:
        raise OfficialCheckpointError(
            f'expected the trunk conv model.1.sub.{num_blocks}.weight/bias '
            f'after {num_blocks} RRDB blocks, found '
            f'{sorted(f"model.1.sub.{i}.{k}" for i, k in trunk)}')
    top = sorted({i for part, i, _ in plain if part == 'top'})
    if not top or top[0] != 0 or len(top) < 3:
        raise OfficialCheckpointError(
            f'expected model.0 and at least two HR convs, found model.{top}')
    ups = top[1:-2]
    names = {0: 'conv_first', top[-2]: 'conv_hr', top[-1]: 'conv_last'}
    if len(ups) == 2:
        names.update({ups[0]: 'conv_up1', ups[1]: 'conv_up2'})
    elif ups:
        raise OfficialCheckpointError(
            f'a x{2 ** len(ups)} RRDB_arch network ({len(ups)} up-sampling '
            'conv(s)) has no mmagic counterpart: only x4 (RRDBNet) and x1 '
            '(RRDBNetNoUpsample) releases convert')
    for (part, i, kind), value in plain.items():
        name = 'conv_body' if part == 'trunk' else names[i]
        renamed[f'{name}.{kind}'] = value
    return renamed, 4 if ups else 1


def _fsd_filter(release: Dict[str, Any],
                state: Dict[str, Tensor]) -> Dict[str, Any]:
    """The :class:`HighFrequencyExtractor` config that reproduces the filter
    of their discriminator, from the release's ``fs_type`` /
    ``fs_kernel_size`` and its filter tensors (checked against ours)."""
    fs_type = str(release.get('fs_type', 'gau')).lower()  # train.py default
    if fs_type not in _FILTER_MODES:
        raise OfficialCheckpointError(
            f'their discriminator\'s fs_type={fs_type!r} is none of '
            f'{sorted(_FILTER_MODES)}')
    if fs_type == 'wavelet' and all(k in state for k in _DWT_KEYS):
        extractor = dict(mode='wavelet', variant='official')
        root = 1 / math.sqrt(2)  # pytorch_wavelets' reversed Haar filters
        expected = dict(zip(_DWT_KEYS, ([root, root], [root, -root]) * 2))
        for key, values in expected.items():
            if not torch.allclose(
                    state[key].flatten().double(),
                    torch.tensor(values, dtype=torch.double),
                    atol=1e-6):
                raise OfficialCheckpointError(
                    f'{FSD_KEY}[{key!r}] = {state[key].flatten().tolist()} '
                    f'is not the Haar filter {values}')
    elif fs_type == 'gau' and _GAUSSIAN_KEY in state:
        weight = state[_GAUSSIAN_KEY]
        extractor = dict(
            mode='gaussian',
            kernel_size=int(weight.shape[-1]),
            variant='official')
        ours = MODELS.build(dict(type='HighFrequencyExtractor', **extractor))
        kernel_1d = ours.blur_kernel_1d(weight.double())
        if not torch.allclose(
                weight.double(),
                torch.outer(kernel_1d, kernel_1d).expand_as(weight),
                atol=1e-6):
            raise OfficialCheckpointError(
                f'{FSD_KEY}[{_GAUSSIAN_KEY!r}] is not their Gaussian of '
                f'std kernel_size / 6 = {ours.sigma:.4f}')
    elif fs_type == 'avg_pool':
        extractor = dict(
            mode='box',
            kernel_size=int(release.get('fs_kernel_size', 5)),
            variant='official')
    else:  # no filter tensors where the filter has them: --no_highpass
        extractor = dict(mode='rgb')
    in_channels = state['net.net.0.weight'].shape[1]
    needed = 9 if extractor['mode'] == 'wavelet' else 3
    if in_channels != needed:
        summed = extractor['mode'] == 'wavelet' and in_channels == 3
        raise OfficialCheckpointError(
            f'their discriminator takes {in_channels} input channels where '
            f'the filter the release holds ({extractor}) gives {needed}' +
            (': summed wavelet bands (--cat_or_sum sum) have no dasr_mm '
             'counterpart' if summed else ''))
    return extractor


def fsd_to_patch_discriminator(
        release: Dict[str, Any]) -> Tuple[Dict[str, Tensor], Dict[str, Any]]:
    """Rename their FSD discriminator (``release[FSD_KEY]``) to
    :class:`DomainPatchDiscriminator` names (``patch_net.*``); returns them
    with the extractor config (``variant='official'``) that reproduces their
    filter.

    Raises:
        OfficialCheckpointError: Another discriminator (``D_type``), a
            BatchNorm one, keys outside the layout or missing (listed by
            name), filter tensors that are not theirs, summed wavelet bands.
    """
    d_type = str(release.get('D_type', 'FSD'))
    if d_type.lower() != 'fsd':
        raise OfficialCheckpointError(
            f'their discriminator is D_type={d_type!r} (NLayerDiscriminator, '
            '4x4 strided convs), which has no dasr_mm counterpart: only FSD '
            'discriminators convert')
    state = release[FSD_KEY]
    norms = sorted(k for k in state if _FSD_NORM.match(k))
    if norms:
        raise OfficialCheckpointError(
            'their discriminator has BatchNorm layers (--norm_layer Batch; '
            f'{", ".join(norms[:4])}); our patch discriminator uses '
            'InstanceNorm, as their default')
    filters = set(_DWT_KEYS) | {_GAUSSIAN_KEY}
    renamed, unknown = {}, []
    for key, value in state.items():
        match = _FSD_CONV.match(key)
        if match:
            renamed[f'patch_net.{match.group(1)}.{match.group(2)}'] = value
        elif key not in filters:
            unknown.append(key)
    missing = sorted(f'net.net.{i}.{kind}' for i in _FSD_CONVS
                     for kind in ('weight', 'bias')
                     if f'patch_net.{i}.{kind}' not in renamed)
    if unknown or missing:
        raise OfficialCheckpointError(
            f'{FSD_KEY} is not an FSD discriminator: ' +
            '; '.join(f'{title}: {", ".join(sorted(keys)[:10])}'
                      for title, keys in (('keys outside the layout', unknown),
                                          ('missing', missing)) if keys))
    return renamed, _fsd_filter(release, state)


def _check_extractor(model: torch.nn.Module, extractor: Dict[str, Any],
                     config: str) -> None:
    """The config's discriminator must filter as the release's (a model
    without one is left to :func:`_fit`, which lists the keys)."""
    if not hasattr(model, 'discriminator'):
        return
    ours = model.discriminator.extractor.config()
    theirs = MODELS.build(dict(type='HighFrequencyExtractor',
                               **extractor)).config()
    if ours != theirs:
        raise OfficialCheckpointError(
            f'the released discriminator filters with {theirs}, the '
            f'discriminator of {config} with {ours}: set '
            f'model.discriminator.extractor={theirs} (e.g. in a config '
            'derived from configs/dasr/official/dsn_official_aim.py)')


def _build(cfg: Config) -> torch.nn.Module:
    """The config's model, initialised as the config says (as a training
    run would start it)."""
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmagic')):
        model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def _fit(model: torch.nn.Module, converted: Dict[str, Tensor], config: str,
         src: str) -> None:
    """Every converted weight must exist in ``model`` with its shape."""
    expected = model.state_dict()
    unknown = sorted(k for k in converted if k not in expected)
    wrong = sorted(
        f'{k}: release {tuple(v.shape)}, config {tuple(expected[k].shape)}'
        for k, v in converted.items()
        if k in expected and tuple(v.shape) != tuple(expected[k].shape))
    parts = {k.split('.')[0] for k in converted}
    absent = sorted(
        k for k in expected if k.split('.')[0] in parts and k not in converted)
    if unknown or wrong or absent:
        lines = [f'{src} does not fit the model of {config}:']
        for title, keys in (('not in the config model',
                             unknown), ('shape mismatch', wrong),
                            ('missing from the release', absent)):
            if keys:
                shown = ''.join(f'\n    {k}' for k in keys[:10])
                more = f'\n    ... {len(keys) - 10} more' if len(
                    keys) > 10 else ''
                lines.append(f'  {len(keys)} {title}:{shown}{more}')
        lines.append('  use a config whose generator (and, for a DSN file, '
                     'discriminator) has the release\'s architecture (DSN: '
                     'configs/dasr/official/dsn_official_aim.py; SRN x4: '
                     'configs/dasr/srn_aim.py)')
        raise OfficialCheckpointError('\n'.join(lines))


def convert_official_checkpoint(
        src: str, dst: str, config: Union[str, Config]) -> ConversionReport:
    """Convert a release file ``src`` into an mmengine checkpoint ``dst``
    (written atomically) for the model of ``config``.

    Raises:
        FileNotFoundError: ``src`` does not exist.
        OfficialCheckpointError: See :func:`detect_kind`,
            :func:`srn_to_rrdbnet`, :func:`fsd_to_patch_discriminator`; a
            config whose discriminator filters otherwise than the release's;
            converted weights that do not fit the config's model (listed by
            name).
    """
    if not osp.isfile(src):
        raise FileNotFoundError(f'release file {src!r} does not exist')
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    config_name = cfg.filename or '<config>'
    release = torch.load(src, map_location='cpu', weights_only=True)
    kind = detect_kind(release)
    report = ConversionReport(kind)
    state = _state_of(release)
    converted: Dict[str, Tensor] = {}
    extractor = None
    if kind == 'dsn':
        generator = state
        if isinstance(release.get(FSD_KEY), dict):
            discriminator, extractor = fsd_to_patch_discriminator(release)
            converted.update(
                (f'discriminator.{k}', v) for k, v in discriminator.items())
            report.notes.append(
                f'their FSD discriminator ({FSD_KEY}) -> discriminator, '
                f'extractor {extractor}')
        else:
            report.notes.append(
                f'the release holds no discriminator ({FSD_KEY}); the '
                'discriminator comes from the config')
    else:
        generator, scale = srn_to_rrdbnet(state)
        report.notes.append(f'SRN x{scale} -> generator of {config_name}')
    converted.update((f'generator.{k}', v) for k, v in generator.items())
    model = _build(cfg)
    if extractor is not None:
        _check_extractor(model, extractor, config_name)
    _fit(model, converted, config_name, src)
    full = model.state_dict()
    report.filled_from_config = sorted(k for k in full if k not in converted)
    report.converted = sorted(converted)
    full.update(converted)
    meta = dict(
        converted_from=osp.abspath(src),
        release_kind=kind,
        config=config_name,
        filled_from_config=report.filled_from_config,
        notes=report.notes)
    with atomic_path(dst) as tmp:
        torch.save(dict(state_dict=full, meta=meta), tmp)
    return report
