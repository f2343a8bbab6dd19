# P.T. ESRGAN at demo scale on data/demo (tiny networks, minutes on 2 CPU
# cores), for the Table 3 comparison with configs/dasr/dasr_demo.py: the
# same HR images, validation pairs and test sets.
_base_ = ['./esrgan_pt_aim.py']

data_root = 'data/demo'
max_iters = 2800
lr = 5e-4  # as srn_demo.py

model = dict(
    generator=dict(
        mid_channels=16,
        num_blocks=2,
        growth_channels=8,
        init_cfg=dict(  # srn_demo.py's init (see there why)
            type='Kaiming',
            layer='Conv2d',
            a=0.2,
            mode='fan_in',
            nonlinearity='leaky_relu')),
    discriminator=dict(mid_channels=16),
    # no ImageNet VGG-19 ships with the demo: random features, asked for
    # explicitly (a warning is logged); real configs need the weights
    perceptual_loss=dict(pretrained=None),
    gan_loss=dict(loss_weight=5e-5))  # srn_demo.py's gamma/100
train_dataloader = dict(
    batch_size=8,
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
param_scheduler = dict(milestones=[2000, 2500])
default_hooks = dict(logger=dict(interval=100), checkpoint=dict(interval=500))
