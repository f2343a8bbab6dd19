from .atomic_local_backend import AtomicLocalBackend
from .config_keys import ConfigKeyError, check_keys
from .compat import (allow_mmengine_checkpoint_types, apply_all,
                     install_mmcv_ext_stub)
from .io import (IMAGE_EXTENSIONS, atomic_path, atomic_save_image,
                 atomic_save_json, atomic_save_npy, list_images,
                 read_rgb)

__all__ = [
    'AtomicLocalBackend', 'ConfigKeyError', 'check_keys',
    'allow_mmengine_checkpoint_types', 'apply_all', 'install_mmcv_ext_stub',
    'IMAGE_EXTENSIONS', 'atomic_path', 'atomic_save_image', 'atomic_save_json',
    'atomic_save_npy', 'list_images', 'read_rgb'
]
