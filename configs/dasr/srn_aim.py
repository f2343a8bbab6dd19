# Stage 2 of DASR: the domain-distance aware SR network (SRN), x4, AIM 2019.
# Paper §3.3: L_SRN = α·L_source,con + β·L_source,per + γ·L_target,adv with
# α=0.01, β=1, γ=0.005; source losses weighted by the domain-distance maps
# (Eq. 5); adversarial loss on target-domain outputs SRN(y_r) in the wavelet
# space. Content-only pre-training for 25k iterations, then 50k with all
# losses; Adam lr 2e-4 halved every 10k iterations.
#
# Reads the stage-1 export (generated LR + maps + manifest). Run alone it
# expects `tools/train.py configs/dasr/dsn_aim.py` to have exported into
# work_dirs/dsn_aim/export; configs/dasr/dasr_aim.py runs both stages.
# With sub-images (README "Faster loading") stage 1 must have exported the
# same sub-image hr/ folder this config trains on (the manifest checks it).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/datasets/paired_val.py',
    '../_base_/schedules/dasr_gan_schedule.py',
    '../_base_/models/esrgan_rrdbnet.py'
]

data_root = 'data/aim2019'
export_dir = 'work_dirs/dsn_aim/export'
scale = 4
lr_patch = 48  # HR patch = lr_patch * scale = 192
extractor = dict(mode='wavelet')  # must be the one stage 1 exported with
pretrain_iters = 25_000
max_iters = 75_000

model = dict(
    type='DomainDistanceAwareSR',
    generator=dict(_base_.rrdbnet, upscale_factor=scale),
    # D_t on the Haar LH/HL/HH bands (paper §3.3). Its map is never exported,
    # so it need not be dense: the authors' strided PatchGAN
    # (NLayerDiscriminator(9, 64, n_layers=2), InstanceNorm; mmagic's
    # PatchDiscriminator is that network) instead of stage 1's stride-1
    # design, which made the step 1.4x slower (benchmarks/train_throughput.py).
    discriminator=dict(
        type='HighPassDiscriminator',
        extractor=extractor,
        net=dict(
            type='PatchDiscriminator',
            in_channels=9,
            base_channels=64,
            num_conv=2,
            norm_cfg=dict(type='IN'))),
    pixel_loss=dict(type='DomainWeightedL1Loss', loss_weight=0.01),  # α
    perceptual_loss=dict(  # β; weighted VGG-19 conv5_3 (local weights)
        type='DomainWeightedPerceptualLoss',
        layer='conv5_3',
        loss_weight=1.0,
        pretrained='torchvision'),
    gan_loss=dict(type='GANLoss', gan_type='vanilla', loss_weight=0.005),  # γ
    is_use_ema=False,
    train_cfg=dict(
        pretrain_iters=pretrain_iters,
        adv_domain='target',  # Table 2: 'source' = no domain-gap aware
        use_weights=True),  # Table 2: False = no domain-distance weights
    data_preprocessor=dict(
        type='DASRDataPreprocessor',  # target_* keys exist in training only
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        data_keys=['gt_img', 'target_img', 'target_gt']))

# Source part: generated LR `img`, HR `gt`, map `weight`, cropped with one
# offset; target part: real LR `target_img` and an unpaired HR `target_gt`.
# Named pieces: derived configs rebuild `train_pipeline` from them by name
# (restating only what they change, e.g. the crops), never by list index.
load = _base_.load  # LoadImageFromFile, RGB
load_hr = dict(load, key='gt')  # HR x
source_lr = dict(load, key='img')  # exported y_g = DSN(x); ablation: bicubic
load_weight = dict(type='LoadDomainDistanceMap', key='weight', size_key='gt')
load_source = [load_hr, source_lr, load_weight]
source_crop = dict(type='TripletRandomCrop', lr_patch_size=lr_patch,
                   scale=scale)
load_target = [dict(load, key='target_img'), dict(load, key='target_gt')]
target_crops = [
    dict(type='Crop', keys=['target_img'], crop_size=(lr_patch, lr_patch)),
    dict(type='Crop', keys=['target_gt'], crop_size=(lr_patch * scale, ) * 2),
]
aug_keys = ['img', 'gt', 'weight', 'target_img', 'target_gt']
augment = [
    dict(type='Flip', keys=aug_keys, direction='horizontal'),
    dict(type='Flip', keys=aug_keys, direction='vertical'),
    dict(type='RandomTransposeHW', keys=aug_keys, transpose_ratio=0.5),
]
pack = dict(type='PackInputs', keys='img',
            data_keys=['weight', 'target_img', 'target_gt'])
train_pipeline = [
    *load_source, source_crop, *load_target, *target_crops, *augment, pack
]

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='DomainDistanceTripletDataset',
        data_root=data_root,
        export_dir=export_dir,
        extractor=extractor,
        scale=scale,
        source='generated',  # Table 2: 'bicubic' = {Yb, Xr} source pairs
        use_weights=True,
        lr_patch_size=lr_patch,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='val/lr', gt='val/hr'),
        scale=scale,
        lr_key='img'))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='PSNR', crop_border=scale, prefix='RGB'),
    dict(type='SSIM', crop_border=scale, prefix='RGB'),
    dict(type='PSNR', crop_border=scale, convert_to='Y', prefix='Y'),
    dict(type='SSIM', crop_border=scale, convert_to='Y', prefix='Y'),
]
test_evaluator = val_evaluator

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
lr = 2e-4  # Adam, both networks
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
param_scheduler = dict(  # halve every 10k iterations
    milestones=list(range(10_000, max_iters, 10_000)))
