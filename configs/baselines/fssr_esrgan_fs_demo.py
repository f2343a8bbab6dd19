# FSSR's ESRGAN-FS (stage 2) at demo scale on data/demo, on the export of
# configs/baselines/fssr_dsgan_demo.py: esrgan_pt_demo.py (the P.T. ESRGAN
# row of the same table: tiny RRDBNet, GAN weight 5e-5, lr 5e-4, the test
# sets of configs/dasr/test/demo.py) with FSSR's pieces and pairs, as
# fssr_esrgan_fs_aim.py adds them to esrgan_pt_aim.py (FSSR's recipe and
# the departures from it: see there). At demo scale besides:
# - a 16-channel ModifiedVGG behind the high pass;
# - no VGG perceptual term: without ImageNet weights its random features
#   are no perceptual measure (srn_demo.py measured the harm) and they cost
#   most of esrgan_pt_demo's iteration time;
# - batch 4 (esrgan_pt_demo's 8) and 400 iterations, lr halved at 200
#   and 300, to train in minutes on 2 CPU cores.
_base_ = [
    './esrgan_pt_demo.py', '../_base_/models/esrgan_fs.py',
    '../_base_/datasets/dsgan_pairs.py'
]

export_dir = 'work_dirs/fssr_dsgan_demo/export'
stage1_extractor = dict(mode='box', kernel_size=5)  # fssr_dsgan_demo's
max_iters = 400

model = dict(
    discriminator=dict(
        _base_.esrgan_fs_discriminator,
        _delete_=True,
        net=dict(type='ModifiedVGG', in_channels=3, mid_channels=16)),
    pixel_loss=dict(_base_.esrgan_fs_pixel_loss, _delete_=True),
    perceptual_loss=None)
train_dataloader = dict(
    dataset=dict(
        _base_.dsgan_pairs_dataset,
        _delete_=True,
        data_root=_base_.data_root,
        export_dir=export_dir,
        extractor=stage1_extractor),
    batch_size=4)
train_cfg = dict(max_iters=max_iters, val_interval=200)
param_scheduler = dict(milestones=[200, 300])
default_hooks = dict(checkpoint=dict(interval=200))
