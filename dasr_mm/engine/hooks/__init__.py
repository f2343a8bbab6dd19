from .domain_distance_map_export_hook import (EXPORT_HOOK_TYPE,
                                              DomainDistanceMapExportHook,
                                              export_hook_settings,
                                              find_export_hook)

__all__ = [
    'DomainDistanceMapExportHook', 'EXPORT_HOOK_TYPE', 'export_hook_settings',
    'find_export_hook'
]
