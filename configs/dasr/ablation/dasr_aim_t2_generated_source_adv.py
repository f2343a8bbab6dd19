# Table 2, column 3: DSN-generated pairs {Yg, Xr} (both stages run), source-
# domain adversarial loss, no weights.
_base_ = ['../dasr_aim.py']

model = dict(train_cfg=dict(adv_domain='source', use_weights=False))
train_dataloader = dict(dataset=dict(use_weights=False))
