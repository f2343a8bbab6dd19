# Stage 1 at demo scale: the paper's recipe with a tiny DSN/discriminator and
# few iterations so it trains in minutes on 2 CPU cores, on the embedded demo
# data (`python tools/prepare_demo_data.py` builds data/demo).
_base_ = ['./dsn_aim.py']

data_root = 'data/demo'
scale = 4
hr_crop = 64
pretrain_iters = 1500
max_iters = 2500
lr = 5e-4  # tiny network, few iterations: 5x the paper's 1e-4

model = dict(
    generator=dict(mid_channels=16, num_blocks=2),
    discriminator=dict(mid_channels=16),
    # No ImageNet VGG-19 weights ship with the demo: random VGG features,
    # chosen explicitly here (a warning is logged). Real configs need weights.
    perceptual_loss=dict(pretrained=None),
    train_cfg=dict(pretrain_iters=pretrain_iters))
# dsn_aim's pipeline with the demo's crop sizes
img_crop = dict(type='Crop', keys=['img'], crop_size=(hr_crop, hr_crop))
gt_crop = dict(type='Crop', keys=['gt'], crop_size=(hr_crop // scale, ) * 2)
train_pipeline = [
    *_base_.load_images, img_crop, gt_crop, *_base_.augment, _base_.pack
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, min_hr_size=hr_crop, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = dict(milestones=[2000])
default_hooks = dict(
    logger=dict(interval=100), checkpoint=dict(interval=500))
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
