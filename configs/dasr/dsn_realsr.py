# Stage 1 on RealSR (V3, Canon, x4): Yr = the 200 Canon train LR images,
# Xr = DIV2K train HR; validation = the 100 Canon test pairs.
_base_ = ['./dsn_aim.py']

data_root = 'data/realsr_canon'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
