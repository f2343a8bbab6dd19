# Table 2, column 5: {Yg, Xr} + domain-distance weighted supervision,
# source-domain adversarial loss.
_base_ = ['../dasr_aim.py']

model = dict(train_cfg=dict(adv_domain='source', use_weights=True))
