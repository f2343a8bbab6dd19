from .domain_distance_map_export_hook import DomainDistanceMapExportHook
from .metrics_recorder import MetricsRecorder

__all__ = ['DomainDistanceMapExportHook', 'MetricsRecorder']
