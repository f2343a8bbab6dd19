# Table 2, column 2: {Yb, Xr} source pairs + domain-gap aware training
# (adversarial loss on SRN(real LR)), no weights.
_base_ = ['./srn_aim_t2_bicubic_source_adv.py']

model = dict(train_cfg=dict(adv_domain='target'))
