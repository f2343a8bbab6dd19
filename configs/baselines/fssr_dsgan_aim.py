# Baseline "FSSR" of the paper's Table 3, stage 1: the DSGAN of Fritsche,
# Gu, Timofte, "Frequency Separation for Real-World Super-Resolution"
# (ICCVW 2019, the AIM 2019 RWSR winner; code: github ManuelFritsche/
# real-world-sr, dsgan/), x4, AIM 2019 target-domain track.
#
# FSSR's DSGAN at a glance (the defaults of their dsgan/train.py):
#   G(x) = net(B(x)): MATLAB bicubic down-sampling B, then a same-size net
#     (conv3x3+PReLU, 8 residual blocks conv-PReLU-conv, conv3x3, sigmoid)
#   L_G = 1 * L1(L(G), L(B(x)))        colour loss on the low pass L (box 5)
#       + 0.01 * LPIPS(G, B(x))        perceptual loss (AlexNet LPIPS)
#       + 0.005 * -log D(H(G))         texture loss on H = x - L(x)
#   D: H, then conv5x5 64 -> conv5x5 128 + BN -> conv5x5 256 + BN -> conv1x1
#      (LeakyReLU 0.2; receptive field 13), BCE
#   input crops 512 px of the source images (B -> 128 px), real crops
#   128 px; batch 16; Adam lr 2e-4, betas (0.5, 0.999), both networks;
#   300 epochs (constant 150, then linear decay to 0); no pre-training.
# Data as in their code: the DSGAN trains on the *source* images (AIM:
# real_lr/, the degraded Flickr2K photos), bicubic-down-sampled, against
# crops of the same folder (dsgan_input_dir='hr' trains on the clean HR
# instead: DASR's Table 1 "bicubic LR + GBFS" setting). Source images must
# be >= 512 px, so a sub-image data root (240-px real_lr/) needs
# extract_subimages.py --lr-crop-size 512.
#
# Where this config departs from their code:
# - Iterations instead of epochs: 300 epochs of the 2650 AIM source images
#   at batch 16 are 49,800 iterations; here 50k, lr constant for 25k, then
#   linear to 0 (their 150/150 epochs).
# - D: our DomainPatchDiscriminator with their widths, kernels and receptive
#   field (kernel_sizes 5, 5, 5, 1) but InstanceNorm instead of BatchNorm.
# - Filters: box 5 with reflect padding everywhere (their colour loss uses
#   a 'valid' box, their D's high pass a border-renormalised one) and no
#   0.5 + 0.5 h rescaling of the high pass before D (an affine map its first
#   convolution absorbs). Their '--gaussian' option is
#   extractor=dict(mode='gaussian', kernel_size=5, sigma=5 / 6).
# - Augmentation: flips and transposes always (their --flips / --rotations
#   flags, off by default).
# - The real crop D sees comes from a random source image, theirs from the
#   same image as the input crop.
# - The export writes G(x) for every image of hr/ (FSSR's TDSR pairs from
#   DIV2K); their TDSR set also adds pairs made from the source images
#   down-sampled by 2. The maps it writes are not used by ESRGAN-FS.
#   python tools/train.py configs/baselines/fssr_dsgan_aim.py
_base_ = ['../dasr/dsn_aim.py']

data_root = 'data/aim2019'
scale = 4
hr_crop = 512  # DSGAN input crop; B(crop) = 128 px
dsgan_input_dir = 'real_lr'  # FSSR: the source images; 'hr': clean HR
extractor = dict(mode='box', kernel_size=5)  # H = x - box5(x); L = box5
max_iters = 50_000
decay_from = 25_000
lr = 2e-4

model = dict(
    generator=dict(
        _delete_=True,
        type='BicubicInputGenerator',
        scale=scale,
        net=dict(
            type='DownSamplingNetwork',
            scale=1,
            variant='official',  # conv+PReLU blocks, sigmoid: their G
            mid_channels=64,
            num_blocks=8)),
    discriminator=dict(
        type='DomainPatchDiscriminator',
        extractor=extractor,
        mid_channels=64,
        kernel_sizes=(5, 5, 5, 1)),
    pixel_loss=dict(  # w_col: L1 of the low passes
        _delete_=True,
        type='LowFrequencyL1Loss',
        loss_weight=1.0,
        low_pass=extractor),
    perceptual_loss=dict(  # w_per: LPIPS (ImageNet AlexNet, local file)
        _delete_=True,
        type='LPIPSLoss',
        loss_weight=0.01,
        pretrained='torchvision'),
    gan_loss=dict(loss_weight=0.005),  # w_tex; vanilla, -log D(fake)
    train_cfg=dict(pretrain_iters=0))

img_crop = dict(type='Crop', keys=['img'], crop_size=(hr_crop, hr_crop))
gt_crop = dict(type='Crop', keys=['gt'], crop_size=(hr_crop // scale, ) * 2)
train_pipeline = [
    *_base_.load_images, img_crop, gt_crop, *_base_.augment, _base_.pack
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        hr_dir=dsgan_input_dir,
        min_hr_size=hr_crop,
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(lr=lr, betas=(0.5, 0.999))))
param_scheduler = dict(
    _delete_=True,
    type='LinearLR',
    by_epoch=False,
    start_factor=1.0,
    end_factor=0.0,
    begin=decay_from,
    end=max_iters)
custom_hooks = [
    dict(type='DomainDistanceMapExportHook', hr_dir=data_root + '/hr')
]
