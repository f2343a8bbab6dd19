from .checkpoint_checks import CheckpointError, CheckpointMismatchError
from .config_check import check_config
from .domain_distance_export import (export_domain_distance_maps,
                                     export_from_config, export_from_model,
                                     rf_average_map)
from .inference import build_generator, super_resolve, super_resolve_folder
from .launch import (amp_settings, build_runner, enable_amp, load_config,
                     propagate_data_root, test, train)
from .tiling import receptive_radius, tiled_forward

__all__ = [
    'CheckpointError', 'CheckpointMismatchError', 'check_config',
    'export_domain_distance_maps', 'export_from_config', 'export_from_model',
    'rf_average_map', 'tiled_forward', 'receptive_radius', 'build_generator',
    'super_resolve', 'super_resolve_folder', 'build_runner', 'enable_amp',
    'amp_settings',
    'load_config', 'propagate_data_root', 'test', 'train'
]
