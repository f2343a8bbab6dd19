# Baseline "FSSR" of the paper's Table 3, stage 2: ESRGAN-FS of Fritsche et
# al. (ICCVW 2019; code: github ManuelFritsche/real-world-sr, esrgan-fs/,
# options/aim2019/train_TDSR.yml), x4, AIM 2019, trained on the pairs
# {G(x), x} that configs/baselines/fssr_dsgan_aim.py exports for every
# image x of data_root/hr (G = the DSGAN, G(x) = net(B(x))).
#
# ESRGAN-FS at a glance (their SRGAN_model.py with use_filters=True):
#   generator RRDBNet (23 blocks, 64 ch, growth 32); discriminator
#   discriminator_vgg_128 on H(x) = x - box9(x), for SR and HR alike;
#   L_G = 0.01 * L1(L(SR), L(HR))       pixel loss on the low pass L = box9
#       + 1 * L1(VGG19 conv5_4(SR), VGG19 conv5_4(HR))
#       + 0.005 * RaGAN(H(SR), H(HR))
#   HR crops 128, batch 16, flips and rotations; Adam lr 1e-4 (0.9, 0.999)
#   for G and D; 60k iterations, lr halved at 5k, 10k, 20k, 30k.
#
# Built from mmagic's own ESRGAN editor (RaGAN) as the P.T. ESRGAN baseline
# (esrgan_pt_aim.py), with FSSR's two pieces (_base_/models/esrgan_fs.py:
# HighPassDiscriminator = mmagic's ModifiedVGG behind the box-9 high pass,
# LowFrequencyL1Loss) and the DSGAN's pairs (_base_/datasets/dsgan_pairs.py).
# Where this config departs from their code:
# - Start: their G starts from the released ESRGAN GAN model
#   (RRDB_ESRGAN_x4.pth); here from scratch, as P.T. ESRGAN (nothing is
#   downloaded). Put a converted ESRGAN x4 checkpoint in load_from to start
#   where they did; from scratch 60k iterations are far too few.
# - Filters: box 9 with reflect padding (theirs zero-pads and averages the
#   padding in) and no 0.5 + 0.5 h rescaling of the high pass.
# - Pairs: only {G(x), x} for x in data_root/hr (their TDSR set also holds
#   source images down-sampled by 2 as HR). They come from our export
#   (<stage-1 work dir>/export/lr, one LR image per HR image, with a
#   manifest that the dataset checks).
#   python tools/train.py configs/baselines/fssr_dsgan_aim.py   # stage 1
#   python tools/train.py configs/baselines/fssr_esrgan_fs_aim.py
#   (or both: configs/baselines/fssr_aim.py)
#   python tools/test.py configs/baselines/fssr_esrgan_fs_aim.py CKPT
_base_ = [
    './esrgan_pt_aim.py', '../_base_/models/esrgan_fs.py',
    '../_base_/datasets/dsgan_pairs.py'
]

data_root = 'data/aim2019'
export_dir = 'work_dirs/fssr_dsgan_aim/export'
stage1_extractor = dict(mode='box', kernel_size=5)  # the export's, checked
max_iters = 60_000
lr = 1e-4

model = dict(
    discriminator=dict(_base_.esrgan_fs_discriminator, _delete_=True),
    pixel_loss=dict(_base_.esrgan_fs_pixel_loss, _delete_=True))
train_dataloader = dict(
    dataset=dict(
        _base_.dsgan_pairs_dataset,
        _delete_=True,
        data_root=data_root,
        export_dir=export_dir,
        extractor=stage1_extractor))

train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
param_scheduler = dict(milestones=[5_000, 10_000, 20_000, 30_000])
