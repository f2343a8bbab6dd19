"""The metrics of a multi-set test run as one table, a row per test set."""
from typing import Dict, List


def metrics_by_set(metrics: Dict[str, float]) -> Dict[str, Dict[str, float]]:
    """Split ``{'AIM/RGB/PSNR': v, 'photos/NIQE': w, ...}`` by the first
    component of each key (the test set's prefix, see
    ``configs/_base_/datasets/sr_test.py``): ``{'AIM': {'RGB/PSNR': v},
    'photos': {'NIQE': w}}``. A key without ``/`` belongs to the set ``''``.
    """
    sets: Dict[str, Dict[str, float]] = {}
    for key, value in metrics.items():
        name, _, metric = key.partition('/') if '/' in key else ('', '',
                                                                 key)
        sets.setdefault(name, {})[metric] = value
    return sets


def format_metrics_table(metrics: Dict[str, float]) -> str:
    """A plain-text table: one row per test set, one column per metric
    (in first-seen order); PSNR with 2 decimals, the rest with 4; ``-``
    where a set has no such metric (e.g. no PSNR for GT-less photos)."""
    sets = metrics_by_set(metrics)
    columns: List[str] = []
    for values in sets.values():
        columns += [c for c in values if c not in columns]

    def cell(column: str, value) -> str:
        if value is None:
            return '-'
        return f'{value:.2f}' if column.endswith('PSNR') else f'{value:.4f}'

    rows = [['set'] + columns] + [
        [name or '(none)'] + [cell(c, values.get(c)) for c in columns]
        for name, values in sets.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return '\n'.join('  '.join(text.ljust(width)
                               for text, width in zip(row, widths)).rstrip()
                     for row in rows)
