# A tiny paired ×4 RRDBNet (ESRGAN generator, PSNR-oriented) config that proves
# the stack end to end: our tools, registry, compat layer and mmagic's
# BaseEditModel, datasets, transforms and PSNR/SSIM metrics.
_base_ = ['../../configs/_base_/default_runtime.py']

scale = 4
data_root = 'data/smoke'  # the test passes --cfg-options data_root=...

model = dict(
    type='BaseEditModel',
    generator=dict(
        type='RRDBNet',
        in_channels=3,
        out_channels=3,
        mid_channels=8,
        num_blocks=1,
        growth_channels=4,
        upscale_factor=scale),
    pixel_loss=dict(type='L1Loss', loss_weight=1.0, reduction='mean'),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

load_pipeline = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
]
train_dataloader = dict(
    num_workers=0,
    batch_size=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        data_root=data_root,
        data_prefix=dict(img='lr', gt='hr'),
        pipeline=load_pipeline + [
            dict(type='SetValues', dictionary=dict(scale=scale)),
            dict(type='PairedRandomCrop', gt_patch_size=32),
            dict(type='Flip', keys=['img', 'gt'], direction='horizontal'),
            dict(type='PackInputs')
        ]))
val_dataloader = dict(
    num_workers=0,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        data_root=data_root,
        data_prefix=dict(img='lr', gt='hr'),
        pipeline=load_pipeline + [dict(type='PackInputs')]))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', crop_border=scale),
    dict(type='SSIM', crop_border=scale),
]
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=2)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=2))
