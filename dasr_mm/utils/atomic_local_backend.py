"""A local file backend whose writes are atomic, for checkpoints.

mmengine's ``LocalBackend.put`` writes checkpoints in place, so a run killed
while saving leaves a truncated ``iter_N.pth``. Configs select this backend with
``default_hooks.checkpoint.backend_args = dict(backend='atomic_local')``: the
checkpoint is written to a temporary file in the same folder and renamed.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from .io import atomic_path


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` with atomic ``put``/``put_text`` (temp file + rename)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        with atomic_path(str(filepath)) as tmp:
            super().put(obj, tmp)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        with atomic_path(str(filepath)) as tmp:
            super().put_text(obj, tmp, encoding)
