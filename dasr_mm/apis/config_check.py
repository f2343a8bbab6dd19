"""Check a config's keys against what the registered types accept, before
anything is built.

mmengine passes the keys of a ``dict(type=X, ...)`` to ``X(...)``: a typo in
a key either raises a bare ``TypeError`` that names a base class (``**kwargs``
handed on) or, in dicts a class reads itself (``train_cfg``), is ignored.
:func:`check_config` walks the parts of a config that are built from the
registries (model, datasets and their pipelines, hooks, metrics, loops), and
reports every key that the registered type's constructor does not accept, with
its dotted path, the type the config asked for and the closest valid key.

The accepted keys of a class are the named parameters of its ``__init__``
and, while that ``__init__`` takes ``**kwargs``, of the next ``__init__`` in
its MRO (where the kwargs go with ``super().__init__(**kwargs)``). A class
whose chain ends in ``**kwargs`` that nothing checks (a registered function,
an ``__init__`` without a strict base) is not checked.
"""
import inspect
from typing import Any, Iterator, List, Optional, Set, Tuple

from mmengine.config import Config
from mmengine.registry import DefaultScope, Registry
from torch import nn

from mmagic.registry import (DATASETS, HOOKS, LOOPS, METRICS, MODELS,
                             TRANSFORMS)
from dasr_mm.utils.config_keys import ConfigKeyError, unknown_key_problems

# Keys of a typed dict that mmengine consumes itself, or that a builder
# passes as ``default_args`` (so a config may not but could set them).
_NOT_ARGUMENTS = {'type', '_scope_'}
# Nested dicts that carry a ``type`` of another registry than their parent.
_OTHER_REGISTRY_KEYS = {'init_cfg'}
_STRICT_BASES = (object, nn.Module)


def accepted_arguments(obj: Any) -> Optional[Set[str]]:
    """Keyword arguments ``obj(...)`` accepts (class or function), following
    ``**kwargs`` through the MRO; None when it accepts any keyword."""
    if inspect.isclass(obj):
        names: Set[str] = set()
        for klass in obj.__mro__:
            if klass in _STRICT_BASES:
                return names
            init = klass.__dict__.get('__init__')
            if init is None:
                continue
            params = _parameters(init)
            if params is None:
                return None
            names |= _named(params)
            if not any(p.kind == p.VAR_KEYWORD for p in params):
                return names
        return None
    params = _parameters(obj)
    if params is None or any(p.kind == p.VAR_KEYWORD for p in params):
        return None
    return _named(params)


def _parameters(fn: Any) -> Optional[List[inspect.Parameter]]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature
        return None
    if params and params[0].name in ('self', 'cls'):
        params = params[1:]
    return params


def _named(params: List[inspect.Parameter]) -> Set[str]:
    return {
        p.name
        for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }


def _typed_dicts(value: Any, path: str,
                 registry: Registry) -> Iterator[Tuple[str, dict, Registry]]:
    """``(path, dict, registry)`` for ``value`` and every dict with a
    ``type`` nested in it (lists included); nested dicts of a model are
    looked up in the parent's registry."""
    if isinstance(value, dict):
        if 'type' in value and isinstance(value['type'], str):
            yield path, value, registry
        for key, child in value.items():
            if key in _OTHER_REGISTRY_KEYS:
                continue
            yield from _typed_dicts(child, f'{path}.{key}', registry)
    elif isinstance(value, (list, tuple)):
        for i, child in enumerate(value):
            yield from _typed_dicts(child, f'{path}[{i}]', registry)


def _registry_parts(cfg: Config) -> Iterator[Tuple[str, Any, Registry]]:
    """The parts of ``cfg`` built from a registry, with their root path."""
    if cfg.get('model') is not None:
        yield 'model', cfg.model, MODELS
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if not isinstance(loader, dict):
            continue
        dataset = loader.get('dataset')
        if isinstance(dataset, dict):
            path = f'{split}_dataloader.dataset'
            pipeline = dataset.get('pipeline')
            yield path, {k: v
                         for k, v in dataset.items()
                         if k != 'pipeline'}, DATASETS
            if isinstance(pipeline, (list, tuple)):
                yield f'{path}.pipeline', list(pipeline), TRANSFORMS
    for key, hook in (cfg.get('default_hooks') or {}).items():
        yield f'default_hooks.{key}', hook, HOOKS
    yield 'custom_hooks', list(cfg.get('custom_hooks') or []), HOOKS
    for split in ('val', 'test'):
        evaluator = cfg.get(f'{split}_evaluator')
        if evaluator is not None:
            yield f'{split}_evaluator', evaluator, METRICS
    for key in ('train_cfg', 'val_cfg', 'test_cfg'):
        loop = cfg.get(key)
        if isinstance(loop, dict) and 'type' in loop:
            yield key, {k: v
                        for k, v in loop.items()
                        if k != 'stage1_cfg_options'}, LOOPS


def config_key_problems(cfg: Config) -> List[str]:
    """Every unknown key of the registry-built parts of ``cfg`` (see the
    module docstring), one message each."""
    problems = []
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmagic')):
        for root, value, registry in _registry_parts(cfg):
            for path, typed, reg in _typed_dicts(value, root, registry):
                problems += _dict_problems(path, typed, reg)
    return problems


def _dict_problems(path: str, typed: dict, registry: Registry) -> List[str]:
    type_name = typed['type']
    obj = registry.get(type_name)
    if obj is None:  # the builder reports an unknown type itself
        return []
    problems = []
    accepted = accepted_arguments(obj)
    if accepted is not None:
        problems += unknown_key_problems(
            [k for k in typed if k not in _NOT_ARGUMENTS],
            accepted - {'runner', 'dataloader', 'evaluator'}
            if registry is LOOPS else accepted,
            where=path,
            owner=f'{type_name} ({path}.type)',
            noun='argument')
    check = getattr(obj, 'check_cfg_keys', None)
    if check is not None:
        try:
            check(typed.get('train_cfg'), typed.get('test_cfg'), where=path)
        except ConfigKeyError as e:
            problems += e.problems
    return problems


def check_config(cfg: Config) -> None:
    """Raise :class:`ConfigKeyError` listing every unknown key of ``cfg``'s
    model, datasets, transforms, hooks, metrics and loops (and of the DASR
    editors' ``train_cfg`` / ``test_cfg``), each with the closest valid key.
    """
    problems = config_key_problems(cfg)
    if problems:
        raise ConfigKeyError(problems)


__all__ = ['accepted_arguments', 'config_key_problems', 'check_config']
