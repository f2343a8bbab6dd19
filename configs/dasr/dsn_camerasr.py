# Stage 1 on CameraSR (City100, iPhone X), x1: the DSN keeps the size
# (scale=1, no resize); Yr = iPhone X LR images 21-100, Xr = DIV2K train HR;
# validation = pairs 0-20.
_base_ = ['./dsn_aim.py']

data_root = 'data/camerasr_iphonex'
scale = 1
hr_crop = 192

model = dict(generator=dict(scale=scale))
train_pipeline = [  # dsn_aim's, with equal HR and real-LR crops
    *_base_.train_pipeline[:2],  # load img (HR), gt (real LR)
    dict(type='Crop', keys=['img', 'gt'], crop_size=(hr_crop, hr_crop)),
    *_base_.train_pipeline[4:],  # flips, transpose, pack
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, scale=scale, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
