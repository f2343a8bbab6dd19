# Table 2, column 1: source pairs {Yb, Xr} from MATLAB bicubic down-sampling
# (no DSN, no export), adversarial loss on the *source* domain (no domain-gap
# aware training), no domain-distance weights.
_base_ = ['../srn_aim.py']

model = dict(train_cfg=dict(adv_domain='source', use_weights=False))
train_pipeline = [
    _base_.train_pipeline[0],  # load HR `gt`
    dict(type='MatlabBicubicDownsample', scale=_base_.scale),  # `img` = B(gt)
    *_base_.train_pipeline[2:],
]
train_dataloader = dict(
    dataset=dict(
        source='bicubic',
        use_weights=False,
        export_dir=None,
        pipeline=train_pipeline))
