# Stage 2 on CameraSR (City100 iPhone X), x1: RRDB network without
# up-sampling; see srn_aim.py.
_base_ = ['./srn_aim.py']

data_root = 'data/camerasr_iphonex'
export_dir = 'work_dirs/dsn_camerasr/export'
scale = 1
lr_patch = 192

model = dict(
    generator=dict(
        type='RRDBNetNoUpsample',
        _delete_=True,
        in_channels=3,
        out_channels=3,
        mid_channels=64,
        num_blocks=23,
        growth_channels=32))
train_pipeline = [
    dict(_base_.load, key='gt'),
    dict(_base_.load, key='img'),
    dict(type='LoadDomainDistanceMap', key='weight', size_key='gt'),
    dict(type='TripletRandomCrop', lr_patch_size=lr_patch, scale=scale),
    dict(_base_.load, key='target_img'),
    dict(_base_.load, key='target_gt'),
    dict(type='Crop', keys=['target_img', 'target_gt'],
         crop_size=(lr_patch, lr_patch)),
    dict(type='Flip', keys=_base_.aug_keys, direction='horizontal'),
    dict(type='Flip', keys=_base_.aug_keys, direction='vertical'),
    dict(type='RandomTransposeHW', keys=_base_.aug_keys, transpose_ratio=0.5),
    dict(type='PackInputs', keys='img',
         data_keys=['weight', 'target_img', 'target_gt']),
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        export_dir=export_dir,
        scale=scale,
        lr_patch_size=lr_patch,
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', crop_border=scale, prefix='RGB'),
    dict(type='SSIM', crop_border=scale, prefix='RGB'),
    dict(type='PSNR', crop_border=scale, convert_to='Y', prefix='Y'),
    dict(type='SSIM', crop_border=scale, convert_to='Y', prefix='Y'),
]
test_evaluator = val_evaluator
