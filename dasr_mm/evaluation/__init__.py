from . import metrics  # noqa: F401
from .domain_gap import (DomainGapResult, FolderPairs, domain_gap_auc,
                         domain_gap_of_folders, pair_by_stem, rank_auc,
                         save_domain_gap_report)

__all__ = [
    'DomainGapResult', 'FolderPairs', 'domain_gap_auc',
    'domain_gap_of_folders', 'pair_by_stem', 'rank_auc',
    'save_domain_gap_report'
]
