from .domain_distance_map_export_hook import DomainDistanceMapExportHook
from .metrics_recorder import MetricsRecorder
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .resumed_learning_rate_hook import ResumedLearningRateHook

__all__ = [
    'DomainDistanceMapExportHook', 'MetricsRecorder', 'NonFiniteLossError',
    'NonFiniteLossHook', 'ResumedLearningRateHook'
]
