# Table 1, row "bicubic-LR input + GBFS" (FSSR-style): the DSN (scale 1) maps
# the bicubic down-sampled HR crop to the real domain; adversarial loss on
# x - GaussianBlur(x). Evaluated like the other rows (DSN output vs real LR);
# no export (stage 2 of DASR uses the HR-input DSN).
_base_ = ['./dsn_aim_t1_hr_gbfs.py']

bicubic = dict(type='MatlabBicubicDownsample', scale=_base_.scale,
               src_key='img', dst_key='img')
model = dict(generator=dict(scale=1))
# dsn_aim's pipelines with the bicubic down-sampling of the (cropped) HR img
train_pipeline = [
    *_base_.load_images, _base_.img_crop, bicubic, _base_.gt_crop,
    *_base_.augment, _base_.pack
]
val_pipeline = [*_base_.val_load, bicubic, _base_.val_pack]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
custom_hooks = []
