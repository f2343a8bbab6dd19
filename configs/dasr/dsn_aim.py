# Stage 1 of DASR: the down-sampling network (DSN), trained with wavelet-domain
# adversarial loss on AIM 2019 RWSR (target-domain track), x4.
# Paper §3.2: L_DSN = α·L_con + β·L_per + γ·L_adv, α=0.01, β=1, γ=0.0005;
# content-only pre-training for 25k iterations, 50k in total; HR crops 192,
# batch 16; Adam lr 1e-4 halved every 10k iterations.
#
# data_root layout (see README "Data preparation"):
#   hr/       clean HR images Xr  (AIM: the 800 DIV2K train HR images)
#   real_lr/  real LR images Yr   (AIM: the 2650 degraded Flickr2K sources)
#   val/lr, val/hr                (AIM: the 100 validation pairs)
# Loads ~10x faster from sub-images cut once (README "Faster loading"):
#   tools/dataset_converters/extract_subimages.py data/aim2019 data/aim2019_sub
#   then --cfg-options data_root=data/aim2019_sub (both stages, the export)
_base_ = [
    '../_base_/default_runtime.py', '../_base_/datasets/paired_val.py',
    '../_base_/schedules/dasr_gan_schedule.py'
]

data_root = 'data/aim2019'
scale = 4
hr_crop = 192
extractor = dict(mode='wavelet')  # WFS; or 'gaussian' | 'box' | 'rgb'
pretrain_iters = 25_000
max_iters = 50_000

model = dict(
    type='DownSamplingGAN',
    generator=dict(
        type='DownSamplingNetwork',
        scale=scale,
        mid_channels=64,
        num_blocks=23,
        variant='paper'),
    discriminator=dict(
        type='DomainPatchDiscriminator', extractor=extractor,
        mid_channels=64),
    pixel_loss=dict(type='DomainWeightedL1Loss', loss_weight=0.01),  # α
    perceptual_loss=dict(  # β; VGG-19 conv5_3, ImageNet weights (local file)
        type='DomainWeightedPerceptualLoss',
        layer='conv5_3',
        loss_weight=1.0,
        pretrained='torchvision'),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.0005),  # γ
    train_cfg=dict(pretrain_iters=pretrain_iters),
    data_preprocessor=dict(
        type='DataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        data_keys=['gt_img']))

# In stage 1, `img` is the DSN input (an HR crop), `gt` an *unpaired* real-LR
# crop of the matching LR size (the real samples of the discriminator).
# Named pieces: derived configs rebuild `train_pipeline` from them by name
# (restating only what they change, e.g. the crops), never by list index.
load = _base_.load  # LoadImageFromFile, RGB
load_images = [dict(load, key='img'), dict(load, key='gt')]  # HR, real LR
img_crop = dict(type='Crop', keys=['img'], crop_size=(hr_crop, hr_crop))
gt_crop = dict(type='Crop', keys=['gt'], crop_size=(hr_crop // scale, ) * 2)
augment = [
    dict(type='Flip', keys=['img', 'gt'], direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
]
pack = dict(type='PackInputs')
train_pipeline = [*load_images, img_crop, gt_crop, *augment, pack]

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='UnpairedSRImageDataset',
        data_root=data_root,
        hr_dir='hr',
        lr_dir='real_lr',
        scale=scale,
        min_hr_size=hr_crop,
        pipeline=train_pipeline))
# Validation (Table 1): DSN(val/hr) is compared with the real val/lr.
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='val/hr', gt='val/lr'),
        scale=scale,
        lr_key='gt'))
test_dataloader = val_dataloader
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = val_evaluator

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
lr = 1e-4  # Adam, both networks
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
param_scheduler = dict(  # halve every 10k iterations
    milestones=list(range(10_000, max_iters, 10_000)))

# When training ends: DSN(x) and sigmoid(D(H(DSN(x)))) for every HR training
# image, into <work_dir>/export (read by stage 2).
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
