from .domain_distance_map_export_hook import DomainDistanceMapExportHook

__all__ = ['DomainDistanceMapExportHook']
