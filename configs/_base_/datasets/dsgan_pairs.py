# Training pairs {G(x), x} of FSSR's stage 2: the LR image that a stage-1
# export (DomainDistanceMapExportHook; <stage-1 work dir>/export/lr) holds
# for every HR image x of data_root/hr, read by DomainDistanceTripletDataset
# without its domain-distance maps (use_weights=False); its manifest check
# refuses an export of another scale, filter or HR folder. The target-
# domain samples it draws are not loaded. HR crops 128 (ModifiedVGG's
# input), x4, flips and transposes. A config adds data_root, export_dir and
# the stage-1 extractor: dict(dsgan_pairs_dataset, data_root=...,
# export_dir=..., extractor=...).
dsgan_pairs_scale = 4
dsgan_pairs_lr_patch = 32
dsgan_pairs_load = dict(
    type='LoadImageFromFile', color_type='color', channel_order='rgb')
dsgan_pairs_keys = ['img', 'gt']
dsgan_pairs_pipeline = [
    dict(dsgan_pairs_load, key='gt'),  # HR x
    dict(dsgan_pairs_load, key='img'),  # exported G(x)
    dict(
        type='TripletRandomCrop',
        lr_patch_size=dsgan_pairs_lr_patch,
        scale=dsgan_pairs_scale,
        hr_keys=('gt', )),
    dict(type='Flip', keys=dsgan_pairs_keys, direction='horizontal'),
    dict(type='Flip', keys=dsgan_pairs_keys, direction='vertical'),
    dict(type='RandomTransposeHW', keys=dsgan_pairs_keys, transpose_ratio=0.5),
    dict(type='PackInputs'),
]
dsgan_pairs_dataset = dict(
    type='DomainDistanceTripletDataset',
    scale=dsgan_pairs_scale,
    source='generated',
    use_weights=False,
    lr_patch_size=dsgan_pairs_lr_patch,
    pipeline=dsgan_pairs_pipeline)
