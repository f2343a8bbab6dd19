# Paired validation/test data (data_root/val): mmagic's BasicImageDataset,
# one image at a time. Each stage config sets `data_root` and `data_prefix`:
# stage 1 compares DSN(val/hr) with val/lr, stage 2 SRN(val/lr) with val/hr.
load = dict(type='LoadImageFromFile', color_type='color', channel_order='rgb')
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        pipeline=[
            dict(load, key='img'),
            dict(load, key='gt'),
            dict(type='PackInputs')
        ]))
test_dataloader = val_dataloader
