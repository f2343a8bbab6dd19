from .domain_distance_map_export_hook import (EXPORT_HOOK_TYPE,
                                              DomainDistanceMapExportHook,
                                              export_hook_settings,
                                              find_export_hook)
from .metrics_recorder import MetricsRecorder
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .resumed_learning_rate_hook import ResumedLearningRateHook
from .run_report_hook import RunReportHook
from .unwrapped_checkpoint_keys_hook import UnwrappedCheckpointKeysHook

__all__ = [
    'DomainDistanceMapExportHook', 'EXPORT_HOOK_TYPE', 'export_hook_settings',
    'find_export_hook', 'MetricsRecorder', 'NonFiniteLossError',
    'NonFiniteLossHook', 'ResumedLearningRateHook', 'RunReportHook',
    'UnwrappedCheckpointKeysHook'
]
