# Table 2, column 4: {Yg, Xr} + domain-gap aware training, no weights.
_base_ = ['../dasr_aim.py']

model = dict(train_cfg=dict(adv_domain='target', use_weights=False))
train_dataloader = dict(dataset=dict(use_weights=False))
