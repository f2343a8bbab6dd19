# Stage 1 on CameraSR (City100, iPhone X), x1: the DSN keeps the size
# (scale=1, no resize); Yr = iPhone X LR images 21-100, Xr = DIV2K train HR;
# validation = pairs 0-20.
_base_ = ['./dsn_aim.py']

data_root = 'data/camerasr_iphonex'
scale = 1
hr_crop = 192

model = dict(generator=dict(scale=scale))
train_pipeline = [
    dict(_base_.load, key='img'),
    dict(_base_.load, key='gt'),
    dict(type='Crop', keys=['img', 'gt'], crop_size=(hr_crop, hr_crop)),
    dict(type='Flip', keys=['img', 'gt'], direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, scale=scale, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
