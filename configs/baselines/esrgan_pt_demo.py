# P.T. ESRGAN at demo scale on data/demo (tiny networks, minutes on 2 CPU
# cores), for the Table 3 comparison with configs/dasr/dasr_demo.py: the
# same HR images, validation pairs and test sets.
_base_ = ['./esrgan_pt_aim.py', '../_base_/models/demo_msrresnet.py']

data_root = 'data/demo'
scale = 4
max_iters = 1100
lr = 1e-3  # as srn_demo.py

model = dict(
    # srn_demo.py's SR network, so that Table 3 compares training data and
    # losses, not networks: mmagic's MSRResNet(32, 4) (its bilinear skip keeps
    # the input colour; the tiny RRDBNet used before had colour casts of 10+
    # levels at this budget, see README "What the demo does and does not
    # show", item 1)
    generator=dict(
        _base_.demo_msrresnet, _delete_=True, upscale_factor=scale),
    discriminator=dict(mid_channels=16),
    # as srn_demo.py: no ImageNet VGG-19 ships with the demo, and random VGG
    # features pulled the SR model 1.4 dB down (README, item 3): no L_per;
    # real configs keep it with ImageNet weights
    perceptual_loss=None,
    gan_loss=dict(loss_weight=5e-5))  # srn_demo.py's gamma/100
train_dataloader = dict(
    # 128-px HR crops (ModifiedVGG's input size): 2 of them are as many
    # pixels as srn_demo.py's batch of 8 LR 16-px patches
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
# the test sets of configs/dasr/test/demo.py (kept equal by
# tests/test_configs/test_baseline_configs.py): val pairs + GT-less photos
test_name = 'demo'
test_loader = dict(_base_.test_loader, num_workers=0)
test_dataloader = [
    dict(
        test_loader,
        dataset=dict(
            type='PairedImageFolderDataset',
            data_root=data_root,
            data_prefix=dict(img='val/lr', gt='val/hr'),
            scale=_base_.scale,
            lr_key='img',
            pipeline=_base_.paired_test_pipeline)),
    dict(
        test_loader,
        dataset=dict(
            type='PhotoFolderDataset',
            data_root=data_root,
            data_prefix=dict(img='real_lr'),
            min_size=-(-(_base_.niqe_min_side + 2 * _base_.scale) //
                       _base_.scale),
            pipeline=_base_.photo_test_pipeline)),
]
test_evaluator = [
    [
        dict(m, prefix=f"{test_name}/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale, **(dict(pretrained=None)
                                          if m['type'] == 'LPIPS' else {}))
        for m in _base_.paired_metrics
    ],
    [
        dict(m, prefix=f"photos/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in _base_.photo_metrics
    ],
]
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=lr)),
    discriminator=dict(optimizer=dict(lr=lr)))
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = dict(milestones=[500, 700, 900, 1000])  # srn_demo.py's
default_hooks = dict(logger=dict(interval=100), checkpoint=dict(interval=500))
