"""Checkpoints must match what loads them.

mmengine loads checkpoints non-strictly: a stage-1 checkpoint evaluated with
the stage-2 config, or a resumed run whose network width was changed, only
logs "missing keys" / "size mismatch" warnings and goes on with random
weights. Here:

- :func:`read_checkpoint` names the file when it is missing, truncated or
  not a checkpoint;
- :func:`check_checkpoint_matches` compares a checkpoint's state dict with a
  model (missing, unexpected and shape-mismatched keys) and raises
  :class:`CheckpointMismatchError` listing them, naming the checkpoint and
  the model type that saved it;
- :func:`check_resume_compatible` compares the config saved in a checkpoint
  (mmengine stores ``meta['cfg']`` as text) with the current one and refuses
  a changed ``model`` or data ``scale`` (schedule, lr, logging and hooks may
  change);
- :func:`resolve_resume_checkpoint` resumes from the checkpoint inside the
  work dir being resumed, whatever ``last_checkpoint`` says (it holds an
  absolute path, which points into the original folder after a work dir was
  copied or moved).
"""
import logging
import os
import os.path as osp
import re
import zipfile
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch import nn

LAST_CHECKPOINT = 'last_checkpoint'
_MAX_LISTED = 10
NON_STRICT_HINT = ('to load only the matching weights on purpose, pass '
                   '--non-strict to tools/test.py, tools/infer.py or '
                   'tools/export_weight_maps.py, or set '
                   'load_from_strict=False (--cfg-options '
                   'load_from_strict=False) for load_from')


class CheckpointError(RuntimeError):
    """A checkpoint cannot be used (unreadable, or made for another config)."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint's weights do not fit the model; ``missing``,
    ``unexpected`` and ``mismatched`` list the keys."""

    def __init__(self, message: str, missing: List[str],
                 unexpected: List[str], mismatched: List[str]) -> None:
        super().__init__(message)
        self.missing = missing
        self.unexpected = unexpected
        self.mismatched = mismatched


def read_checkpoint(path: str) -> Dict[str, Any]:
    """Load a checkpoint on CPU (memory-mapped when it is a zip checkpoint,
    so only what is used is read). URLs and ``torchvision://``-style names
    are loaded by mmengine.

    Raises:
        FileNotFoundError: ``path`` does not exist (lists the checkpoints
            next to it).
        CheckpointError: it exists but cannot be loaded (zero bytes,
            truncated, not a PyTorch checkpoint).
    """
    if '://' in path:
        from mmengine.runner.checkpoint import _load_checkpoint
        return _load_checkpoint(path, map_location='cpu')
    if not osp.isfile(path):
        folder = osp.dirname(osp.abspath(path))
        nearby = sorted(
            n for n in os.listdir(folder)
            if n.endswith('.pth')) if osp.isdir(folder) else []
        hint = (f'; checkpoints in {folder!r}: {", ".join(nearby[-5:])}'
                if nearby else '')
        raise FileNotFoundError(f'checkpoint {path!r} does not exist{hint}')
    try:
        if osp.getsize(path) == 0:
            raise EOFError('the file is empty (0 bytes)')
        checkpoint = torch.load(
            path, map_location='cpu', mmap=zipfile.is_zipfile(path))
    except Exception as e:  # torch raises many types for broken files
        raise CheckpointError(
            f'checkpoint {path!r} cannot be read ({type(e).__name__}: '
            f'{_short_reason(e)}): '
            'it is truncated or not a PyTorch checkpoint; use an earlier '
            'checkpoint of its work dir or save it again') from e
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f'checkpoint {path!r} holds a {type(checkpoint).__name__}, not '
            'a dict with a state_dict')
    return checkpoint


def _short_reason(error: Exception) -> str:
    """The informative line of a ``torch.load`` error (its weights-only
    unpickler buries the reason under a paragraph of advice)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for i, line in enumerate(lines[:-1]):
        if 'WeightsUnpickler error' in line:
            return f'weights-only unpickler: {lines[i + 1]}'[:300]
    return (lines[0] if lines else '')[:300]


def checkpoint_state_dict(checkpoint: Dict[str, Any]) -> Dict[str, Any]:
    """The model weights of a checkpoint (its ``state_dict``, or the dict
    itself), without the ``module.`` prefix of wrapped models, as mmengine's
    ``load_checkpoint`` reads them."""
    state = checkpoint.get('state_dict', checkpoint)
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def saved_config(checkpoint: Dict[str, Any]) -> Optional[Config]:
    """The config saved in an mmengine checkpoint (``meta['cfg']``), or
    None if it has none or it cannot be parsed."""
    text = (checkpoint.get('meta') or {}).get('cfg')
    if not isinstance(text, str):
        return None
    try:
        return Config.fromstring(text, file_format='.py')
    except Exception:  # an unparsable dump must not block loading
        return None


def _bare(model: nn.Module) -> nn.Module:
    return model.module if is_model_wrapper(model) else model


def unwrapped_state_dict(model: nn.Module,
                         state: Dict[str, Any]) -> Dict[str, Any]:
    """``state`` (a state dict of ``model``, or of ``model.module`` when
    ``model`` is wrapped) under the names of the unwrapped model.

    In a multi-process run mmagic's GAN editors have their networks wrapped
    (``MMSeparateDistributedDataParallel`` puts an
    ``MMDistributedDataParallel`` around each), so ``state_dict()`` names a
    weight ``generator.module.conv_first.weight``, and mmengine's Runner
    saves it so. mmengine's loader unwraps wrappers, wherever they are, and
    expects ``generator.conv_first.weight`` both in a single process and in
    several: the ``.module.`` of every wrapped submodule is dropped here.
    """
    bare = _bare(model)
    # state-dict prefixes of wrapped submodules, deepest first
    prefixes = sorted((name + '.' for name, module in bare.named_modules()
                       if name and is_model_wrapper(module)),
                      key=len,
                      reverse=True)
    if not prefixes:
        return state

    def rename(key: str) -> str:
        for prefix in prefixes:
            if key.startswith(prefix + 'module.'):
                key = prefix + key[len(prefix + 'module.'):]
        return key

    renamed = OrderedDict((rename(k), v) for k, v in state.items())
    metadata = getattr(state, '_metadata', None)
    if metadata is not None:  # module versions, keyed by module path
        renamed._metadata = OrderedDict(  # type: ignore[attr-defined]
            (rename(k + '.')[:-1] if k else k, v)
            for k, v in metadata.items())
    return renamed


def state_dict_mismatch(model: nn.Module, state: Dict[str, Any]
                        ) -> Tuple[List[str], List[str], List[str]]:
    """``(missing, unexpected, mismatched)`` keys of ``state`` for
    ``model``; mismatched entries read ``'key: checkpoint (..), model
    (..)'``."""
    expected = unwrapped_state_dict(model, _bare(model).state_dict())
    missing = sorted(k for k in expected if k not in state)
    unexpected = sorted(k for k in state if k not in expected)
    mismatched = []
    for key in sorted(expected.keys() & state.keys()):
        have, want = state[key], expected[key]
        if hasattr(have, 'shape') and tuple(have.shape) != tuple(want.shape):
            mismatched.append(f'{key}: checkpoint {tuple(have.shape)}, model '
                              f'{tuple(want.shape)}')
    return missing, unexpected, mismatched


def _listing(title: str, keys: List[str]) -> str:
    shown = ''.join(f'\n      {k}' for k in keys[:_MAX_LISTED])
    more = f'\n      ... and {len(keys) - _MAX_LISTED} more' if len(
        keys) > _MAX_LISTED else ''
    return f'  {len(keys)} {title}:{shown}{more}'


def check_checkpoint_matches(model: nn.Module,
                             path: str,
                             checkpoint: Optional[Dict[str, Any]] = None,
                             strict: bool = True) -> None:
    """Raise :class:`CheckpointMismatchError` (``strict``) or log a warning
    (not ``strict``) when the checkpoint at ``path`` lacks weights of
    ``model``, has weights ``model`` lacks, or has weights of another shape.

    Args:
        model: The model the checkpoint will be loaded into.
        path: The checkpoint file (read with :func:`read_checkpoint` unless
            ``checkpoint`` is given).
        checkpoint: The loaded checkpoint, if already read.
        strict: Raise instead of warning.
    """
    checkpoint = read_checkpoint(path) if checkpoint is None else checkpoint
    missing, unexpected, mismatched = state_dict_mismatch(
        model, checkpoint_state_dict(checkpoint))
    if not (missing or unexpected or mismatched):
        return
    model_type = type(_bare(model)).__name__
    saved = saved_config(checkpoint)
    saved_type = (saved.get('model') or {}).get('type') if saved else None
    origin = f' (saved by a {saved_type} model)' if saved_type else ''
    lines = [
        f'checkpoint {path!r}{origin} does not match the {model_type} model '
        'of the config:'
    ]
    for title, keys in (('missing key(s)', missing),
                        ('unexpected key(s)', unexpected),
                        ('shape mismatch(es)', mismatched)):
        if keys:
            lines.append(_listing(title, keys))
    if saved_type and saved_type != model_type:
        lines.append(f'  use a checkpoint of a {model_type} model, or the '
                     f'config that trained this {saved_type} checkpoint')
    else:
        lines.append('  use the config this checkpoint was trained with')
    if strict:
        lines.append(f'  ({NON_STRICT_HINT})')
        raise CheckpointMismatchError('\n'.join(lines), missing, unexpected,
                                      mismatched)
    print_log(
        '\n'.join(lines) + '\n  loading the matching weights only '
        '(non-strict)',
        logger='current',
        level=logging.WARNING)


def load_weights(model: nn.Module, path: str, strict: bool = True) -> None:
    """Load the checkpoint at ``path`` into ``model`` after
    :func:`check_checkpoint_matches`."""
    from mmengine.runner.checkpoint import load_state_dict
    checkpoint = read_checkpoint(path)
    check_checkpoint_matches(model, path, checkpoint, strict=strict)
    load_state_dict(
        _bare(model),
        checkpoint_state_dict(checkpoint),
        strict=False,
        logger='silent')


# --------------------------------------------------------------------------
# resuming
# --------------------------------------------------------------------------
def read_last_checkpoint(work_dir: str) -> Optional[str]:
    """The path ``<work_dir>/last_checkpoint`` records (as written, possibly
    of another folder), or None without the file or with an empty one."""
    marker = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        return f.read().strip() or None


def resolve_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` continues from: the file named by
    ``<work_dir>/last_checkpoint``, taken from ``work_dir`` itself (so a
    copied or moved work dir resumes from its own checkpoint, not the
    original's). None when the work dir has no ``last_checkpoint``.

    Raises:
        FileNotFoundError: ``last_checkpoint`` names a file that
            ``work_dir`` does not hold.
    """
    marker = osp.join(work_dir, LAST_CHECKPOINT)
    recorded = read_last_checkpoint(work_dir)
    if recorded is None:
        return None
    local = osp.join(osp.abspath(work_dir), osp.basename(recorded))
    if not osp.isfile(local):
        raise FileNotFoundError(
            f'{marker} names {recorded!r}, but the work dir has no '
            f'{osp.basename(recorded)!r}: copy that checkpoint into '
            f'{work_dir!r}, or write the name of a checkpoint it holds into '
            f'{marker}')
    if osp.abspath(recorded) != local:
        print_log(
            f'{marker} names {recorded!r} (the work dir was copied or '
            f'moved): resuming from {local!r}',
            logger='current',
            level=logging.WARNING)
    return local


def _plain(value: Any) -> Any:
    """Builtin containers (tuples as lists) for comparing configs."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _differences(old: Any, new: Any, path: str) -> List[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += _differences(
                old.get(key, '<absent>'), new.get(key, '<absent>'),
                f'{path}.{key}')
        return out
    if old == new:
        return []
    return [f'{path}: {old!r} in the checkpoint, {new!r} now']


# What a resumed run may not change: the network and the data scale.
RESUME_FIXED_KEYS = ('model', 'scale', 'train_dataloader.dataset.scale',
                     'val_dataloader.dataset.scale',
                     'test_dataloader.dataset.scale')


def _get(cfg: Dict[str, Any], dotted: str) -> Any:
    value: Any = cfg
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return '<absent>'
        value = value[part]
    return value


def resume_differences(cfg: Config, checkpoint: Dict[str, Any]
                       ) -> Optional[List[str]]:
    """What ``cfg`` changes of :data:`RESUME_FIXED_KEYS` compared with the
    config saved in ``checkpoint``; None if the checkpoint saved none."""
    saved = saved_config(checkpoint)
    if saved is None:
        return None
    # compare both as mmengine dumps them (same quoting, tuples, ...)
    current = Config.fromstring(cfg.pretty_text, file_format='.py')
    old, new = _plain(saved.to_dict()), _plain(current.to_dict())
    out = []
    for key in RESUME_FIXED_KEYS:
        out += _differences(_get(old, key), _get(new, key), key)
    return out


def check_resume_compatible(cfg: Config, path: str,
                            checkpoint: Optional[Dict[str, Any]] = None
                            ) -> None:
    """Raise :class:`CheckpointError` if ``cfg`` changes the model or the
    data scale that the checkpoint at ``path`` was trained with."""
    checkpoint = read_checkpoint(path) if checkpoint is None else checkpoint
    differences = resume_differences(cfg, checkpoint)
    if differences is None:
        print_log(
            f'{path!r} holds no saved config: cannot check that the resumed '
            'run uses the same model',
            logger='current',
            level=logging.WARNING)
        return
    if differences:
        lines = '\n'.join(f'  - {d}' for d in differences[:2 * _MAX_LISTED])
        raise CheckpointError(
            f'cannot resume from {path!r}: the config changes what that run '
            f'was trained with ({len(differences)} difference(s)):\n{lines}\n'
            'Undo these changes to resume (the schedule, lr, logging and '
            'hooks may change), or train in a new --work-dir; to start a '
            'new run from these weights set load_from to the checkpoint '
            '(with load_from_strict=False if the model differs)')


__all__ = [
    'CheckpointError', 'CheckpointMismatchError', 'NON_STRICT_HINT',
    'read_checkpoint', 'checkpoint_state_dict', 'saved_config',
    'state_dict_mismatch', 'check_checkpoint_matches', 'load_weights',
    'resolve_resume_checkpoint', 'resume_differences',
    'check_resume_compatible', 'RESUME_FIXED_KEYS'
]
