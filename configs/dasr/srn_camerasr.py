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
train_pipeline = [  # srn_aim's, with x1 patch sizes
    *_base_.train_pipeline[:3],  # load gt, img, weight
    dict(type='TripletRandomCrop', lr_patch_size=lr_patch, scale=scale),
    *_base_.train_pipeline[4:6],  # load target_img, target_gt
    dict(type='Crop', keys=['target_img', 'target_gt'],
         crop_size=(lr_patch, lr_patch)),
    *_base_.train_pipeline[8:],  # flips, transpose, pack
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
