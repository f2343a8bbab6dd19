# Baseline "S.T. ESRGAN" of the paper's Table 3: mmagic's ESRGAN trained
# supervised on REAL pairs, RealSR V3 Canon x4 train pairs (an upper bound
# the unsupervised methods do not get: real LR with its HR partner), as
# esrgan_pt_aim.py otherwise. Extra folders of data_root beyond the DASR
# layout: train/lr + train/hr, the Canon train pairs with the same names
# (HR = LR x 4; checked when the dataset is built).
#   python tools/train.py configs/baselines/esrgan_st_realsr.py
#   python tools/test.py configs/baselines/esrgan_st_realsr.py CKPT
_base_ = ['./esrgan_pt_aim.py']

data_root = 'data/realsr_canon'
lr_crop = 32  # HR crop 128 (ModifiedVGG input)
train_pipeline = [
    dict(_base_.load, key='img'),
    dict(_base_.load, key='gt'),
    dict(type='SetValues', dictionary=dict(scale=_base_.scale)),
    dict(type='PairedRandomCrop', gt_patch_size=lr_crop * _base_.scale),
    *_base_.augment,
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        type='PairedImageFolderDataset',
        _delete_=True,
        data_root=data_root,
        data_prefix=dict(img='train/lr', gt='train/hr'),
        scale=_base_.scale,
        lr_key='img',
        pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_name = 'RealSR'
test_dataloader = [
    dict(
        _base_.test_loader,
        dataset=dict(
            type='PairedImageFolderDataset',
            data_root=data_root,
            data_prefix=dict(img='val/lr', gt='val/hr'),
            scale=_base_.scale,
            lr_key='img',
            pipeline=_base_.paired_test_pipeline)),
]
test_evaluator = [[
    dict(m, prefix=f"{test_name}/{m['prefix']}".rstrip('/'),
         crop_border=_base_.scale) for m in _base_.paired_metrics
]]
