# Table 2, column 1: source pairs {Yb, Xr} from MATLAB bicubic down-sampling
# (no DSN, no export), adversarial loss on the *source* domain (no domain-gap
# aware training), no domain-distance weights.
_base_ = ['../srn_aim.py']

model = dict(train_cfg=dict(adv_domain='source', use_weights=False))
# srn_aim's pipeline with `img` = B(gt) in place of the exported source LR
bicubic_lr = dict(type='MatlabBicubicDownsample', scale=_base_.scale)
load_source = [_base_.load_hr, bicubic_lr, _base_.load_weight]
train_pipeline = [
    *load_source, _base_.source_crop, *_base_.load_target,
    *_base_.target_crops, *_base_.augment, _base_.pack
]
train_dataloader = dict(
    dataset=dict(
        source='bicubic',
        use_weights=False,
        export_dir=None,
        pipeline=train_pipeline))
