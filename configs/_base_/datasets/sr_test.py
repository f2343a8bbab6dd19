# Test sets scored like the paper's Table 3 (tools/test.py CONFIG CKPT):
# paired sets get PSNR and SSIM on RGB and on Y, LPIPS (AlexNet, v0.1) and
# NIQE; a folder of real photos without ground truth gets NIQE only.
# Several sets run in one `tools/test.py` call (mmagic's MultiTestLoop, the
# test_cfg of schedules/dasr_gan_schedule.py): a config lists one loader per
# set in `test_dataloader` and, in the same order, one list of metrics per
# set in `test_evaluator`, each prefixed with the set's name (AIM/RGB/PSNR,
# AIM/Y/SSIM, AIM/LPIPS, photos/NIQE, ...) so that sets never overwrite each
# other's results.
#
# The metric lists below hold only the sub-group of each metric in `prefix`
# (RGB, Y, or '' for set-level metrics); a set's config puts the set's name
# in front and sets crop_border to its scale:
#   [dict(m, prefix=f"AIM/{m['prefix']}".rstrip('/'), crop_border=scale)
#    for m in _base_.paired_metrics]
test_load = dict(
    type='LoadImageFromFile', color_type='color', channel_order='rgb')
paired_test_pipeline = [
    dict(test_load, key='img'),
    dict(test_load, key='gt'),
    dict(type='PackInputs')
]
photo_test_pipeline = [dict(test_load, key='img'), dict(type='PackInputs')]
# A data root's paired validation set (val/lr + val/hr); a set's config adds
# data_root and scale: dict(paired_val_set, data_root=..., scale=...)
paired_val_set = dict(
    type='PairedImageFolderDataset',
    data_prefix=dict(img='val/lr', gt='val/hr'),
    lr_key='img',
    pipeline=paired_test_pipeline)
# NIQE scores 96x96 blocks of the SR output after its crop border: a photo's
# shorter side must be at least this many SR pixels (PhotoFolderDataset's
# min_size = ceil((niqe_min_side + 2 * scale) / scale) LR pixels).
niqe_min_side = 96
test_loader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False))

# LPIPS needs torchvision's ImageNet AlexNet (alexnet-owt-7be5be79.pth) in
# $TORCH_HOME/hub/checkpoints or pretrained='/path/alexnet-owt-7be5be79.pth';
# pretrained=None would use a random trunk, reported as LPIPS(random-alex).
lpips = dict(type='LPIPS', pretrained='torchvision')
niqe = dict(type='NoReferenceNIQE', convert_to='gray')
paired_metrics = [
    dict(type='PSNR', prefix='RGB'),
    dict(type='SSIM', prefix='RGB'),
    dict(type='PSNR', convert_to='Y', prefix='Y'),
    dict(type='SSIM', convert_to='Y', prefix='Y'),
    dict(lpips, prefix=''),
    dict(niqe, prefix=''),
]
photo_metrics = [dict(niqe, prefix='')]
