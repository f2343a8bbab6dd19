# Stage 1 on CameraSR (City100, iPhone X), x1: the DSN keeps the size
# (scale=1, no resize); Yr = iPhone X LR images 21-100, Xr = DIV2K train HR;
# validation = pairs 0-20.
_base_ = ['./dsn_aim.py']

data_root = 'data/camerasr_iphonex'
scale = 1
hr_crop = 192

model = dict(generator=dict(scale=scale))
# dsn_aim's pipeline with one crop of equal size for the HR img and real-LR gt
# (in place of dsn_aim's img_crop + gt_crop)
crop = dict(type='Crop', keys=['img', 'gt'], crop_size=(hr_crop, hr_crop))
train_pipeline = [*_base_.load_images, crop, *_base_.augment, _base_.pack]
train_dataloader = dict(
    dataset=dict(data_root=data_root, scale=scale, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, scale=scale))
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
