# Table 2, column 6: the full DASR (weights + domain-gap aware training).
# Identical to ../dasr_aim.py.
_base_ = ['../dasr_aim.py']
