# Paired validation/test data (data_root/val): mmagic's BasicImageDataset,
# one image at a time, as PairedImageFolderDataset, which checks the pairs when
# it is built (before the first iteration): every LR has its HR partner and
# vice versa, and HR = LR x `scale`. Each stage config sets `data_root`,
# `data_prefix`, `scale` and `lr_key` (the key of the LR folder): stage 1
# compares DSN(val/hr) with val/lr (lr_key='gt'), stage 2 SRN(val/lr) with
# val/hr (lr_key='img').
#
# The pipeline is built from named pieces so that a derived config inserts a
# transform by name (e.g. [*_base_.val_load, extra, _base_.val_pack]) instead
# of slicing the list by position.
load = dict(type='LoadImageFromFile', color_type='color', channel_order='rgb')
val_load = [dict(load, key='img'), dict(load, key='gt')]
val_pack = dict(type='PackInputs')
val_pipeline = [*val_load, val_pack]
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PairedImageFolderDataset', pipeline=val_pipeline))
test_dataloader = val_dataloader
