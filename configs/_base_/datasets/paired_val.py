# Paired validation/test data (data_root/val): mmagic's BasicImageDataset,
# one image at a time. Each stage config sets `data_root` and `data_prefix`:
# stage 1 compares DSN(val/hr) with val/lr, stage 2 SRN(val/lr) with val/hr.
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
    dataset=dict(type='BasicImageDataset', pipeline=val_pipeline))
test_dataloader = val_dataloader
