# Baseline "P.T. ESRGAN" of the paper's Table 3: mmagic's own ESRGAN
# (RRDBNet 23 blocks + ModifiedVGG discriminator, L1 1e-2, VGG-19 conv5_4
# perceptual 1, vanilla GAN 5e-3; mmagic's esrgan_x4c64b23g32 settings)
# trained on bicubic pairs {B(x), x} of the clean HR images data_root/hr,
# i.e. without the real LR domain; the degradation B is MATLAB bicubic
# down-sampling (MatlabBicubicDownsample) applied to each HR crop.
# Departures from mmagic's config: the perceptual loss reads VGG-19 from a
# local file / torchvision's cache (LocalVGGPerceptualLoss; mmagic's
# PerceptualVGG would download it), the generator starts from scratch
# instead of mmagic's downloaded PSNR model (load_from= one to continue
# from it), and validation/test use the DASR data layout and metrics.
#   python tools/train.py configs/baselines/esrgan_pt_aim.py
#   python tools/test.py configs/baselines/esrgan_pt_aim.py CKPT
_base_ = [
    '../_base_/default_runtime.py', '../_base_/datasets/paired_val.py',
    '../_base_/datasets/sr_test.py', '../_base_/models/esrgan_rrdbnet.py'
]

data_root = 'data/aim2019'
scale = 4
hr_crop = 128  # ModifiedVGG takes 128 x 128 inputs
max_iters = 400_000
lr = 1e-4

model = dict(
    type='ESRGAN',
    generator=dict(_base_.rrdbnet, upscale_factor=scale),
    discriminator=dict(type='ModifiedVGG', in_channels=3, mid_channels=64),
    pixel_loss=dict(type='L1Loss', loss_weight=1e-2, reduction='mean'),
    perceptual_loss=dict(
        type='LocalVGGPerceptualLoss',
        layer='conv5_4',
        loss_weight=1.0,
        pretrained='torchvision'),
    gan_loss=dict(
        type='GANLoss',
        gan_type='vanilla',
        loss_weight=5e-3,
        real_label_val=1.0,
        fake_label_val=0),
    train_cfg=dict(),
    test_cfg=dict(),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

load_hr = dict(_base_.load, key='gt')
crop_hr = dict(type='Crop', keys=['gt'], crop_size=(hr_crop, hr_crop))
bicubic = dict(type='MatlabBicubicDownsample', scale=scale)  # img = B(gt)
augment = [
    dict(type='Flip', keys=['img', 'gt'], direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
]
train_pipeline = [load_hr, crop_hr, bicubic, *augment,
                  dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        data_root=data_root,
        data_prefix=dict(gt='hr'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='val/lr', gt='val/hr'),
        scale=scale,
        lr_key='img'))
val_evaluator = [
    dict(type='PSNR', crop_border=scale, prefix='RGB'),
    dict(type='SSIM', crop_border=scale, prefix='RGB'),
    dict(type='PSNR', crop_border=scale, convert_to='Y', prefix='Y'),
    dict(type='SSIM', crop_border=scale, convert_to='Y', prefix='Y'),
]
test_name = 'AIM'
test_dataloader = [
    dict(
        _base_.test_loader,
        dataset=dict(
            type='PairedImageFolderDataset',
            data_root=data_root,
            data_prefix=dict(img='val/lr', gt='val/hr'),
            scale=scale,
            lr_key='img',
            pipeline=_base_.paired_test_pipeline)),
]
test_evaluator = [[
    dict(m, prefix=f"{test_name}/{m['prefix']}".rstrip('/'),
         crop_border=scale) for m in _base_.paired_metrics
]]

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=lr, betas=(0.9, 0.999))),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=lr, betas=(0.9, 0.999))))
param_scheduler = dict(
    type='MultiStepLR',
    by_epoch=False,
    milestones=[50_000, 100_000, 200_000, 300_000],
    gamma=0.5)
