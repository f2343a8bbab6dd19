# The toy pipeline (dasr_toy.py) with the per-rank probe
# (tests/helpers/rank_probe.py, armed by DASR_RANK_PROBE) for the
# multi-process test; both stages run in the process that imports it.
_base_ = ['./dasr_toy.py']

custom_imports = dict(
    imports=['dasr_mm', 'tests.helpers.rank_probe'],
    allow_failed_imports=False)
