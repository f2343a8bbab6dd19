# Table 1, row "HR input + WFS" (the paper's DSN): HR input, adversarial loss
# on the Haar wavelet sub-bands LH/HL/HH. Identical to ../dsn_aim.py.
_base_ = ['../dsn_aim.py']
