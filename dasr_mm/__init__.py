"""dasr_mm: DASR (domain-distance aware unsupervised real-world SR, CVPR 2021)
as an mmagic plugin. ``import dasr_mm`` applies the compatibility workarounds and
registers every module of ours into ``mmagic.registry``."""
from .utils.compat import apply_all as _apply_compat

_apply_compat()

from . import apis, datasets, engine, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
__all__ = ['__version__']
