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
# srn_aim's pipeline with x1 patch sizes (one crop for both target keys)
source_crop = dict(type='TripletRandomCrop', lr_patch_size=lr_patch,
                   scale=scale)
target_crops = [
    dict(type='Crop', keys=['target_img', 'target_gt'],
         crop_size=(lr_patch, lr_patch)),
]
train_pipeline = [
    *_base_.load_source, source_crop, *_base_.load_target, *target_crops,
    *_base_.augment, _base_.pack
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        export_dir=export_dir,
        scale=scale,
        lr_patch_size=lr_patch,
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, scale=scale))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', crop_border=scale, prefix='RGB'),
    dict(type='SSIM', crop_border=scale, prefix='RGB'),
    dict(type='PSNR', crop_border=scale, convert_to='Y', prefix='Y'),
    dict(type='SSIM', crop_border=scale, convert_to='Y', prefix='Y'),
]
test_evaluator = val_evaluator
