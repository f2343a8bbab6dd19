# FSSR's DSGAN (stage 1) at demo scale on data/demo (tiny networks, a few
# minutes on 2 CPU cores), for the Table 3 comparison at demo scale.
# FSSR's recipe and its departures: see fssr_dsgan_aim.py. At demo scale:
# - The DSGAN trains on the clean HR tiles (hr/), not on the source images:
#   the demo's real-LR tiles are 48 px, B would leave 12 px. The HR crop is
#   128 px (B -> 32 px, the least LPIPS's AlexNet takes).
# - 16-channel networks, 2 residual blocks; lr 1e-3 (5x theirs) for 600
#   iterations, constant for 300, then linear to 0 (their shape).
# - LPIPS with a RANDOM AlexNet trunk (none ships with the demo; a warning
#   is logged); real configs need alexnet-owt-7be5be79.pth.
_base_ = ['./fssr_dsgan_aim.py']

data_root = 'data/demo'
scale = 4
hr_crop = 128
max_iters = 600
decay_from = 300
lr = 1e-3

model = dict(
    generator=dict(net=dict(mid_channels=16, num_blocks=2)),
    discriminator=dict(mid_channels=16),
    perceptual_loss=dict(pretrained=None))
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
        data_root=data_root,
        hr_dir='hr',
        min_hr_size=hr_crop,
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
train_cfg = dict(max_iters=max_iters, val_interval=300)
param_scheduler = dict(begin=decay_from, end=max_iters)
default_hooks = dict(
    logger=dict(interval=100), checkpoint=dict(interval=300))
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
