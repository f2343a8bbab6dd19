from . import metrics  # noqa: F401
from .domain_gap import (DomainGapResult, FolderPairs, domain_gap_auc,
                         domain_gap_of_folders, pair_by_stem, rank_auc,
                         save_domain_gap_report)
from .metric_table import format_metrics_table, metrics_by_set

__all__ = [
    'DomainGapResult', 'FolderPairs', 'domain_gap_auc',
    'domain_gap_of_folders', 'pair_by_stem', 'rank_auc',
    'save_domain_gap_report', 'format_metrics_table', 'metrics_by_set'
]
