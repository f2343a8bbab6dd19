from .data_preparation import (SyntheticCameraDegradation, prepare_data,
                               prepare_demo_data, prepare_user_data)
from .launch import (build_runner, enable_amp, load_config,
                     propagate_data_root, test, train)

__all__ = [
    'SyntheticCameraDegradation', 'prepare_data', 'prepare_demo_data',
    'prepare_user_data',
    'build_runner', 'enable_amp', 'load_config', 'propagate_data_root', 'test',
    'train'
]
from .domain_distance_export import (export_domain_distance_maps,  # noqa: E402
                                     export_from_config, export_from_model,
                                     rf_average_map, tiled_forward)

__all__ += [
    'export_domain_distance_maps', 'export_from_config', 'export_from_model',
    'rf_average_map', 'tiled_forward'
]
