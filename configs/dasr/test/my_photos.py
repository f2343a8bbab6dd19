# Your own real photos, no ground truth: NIQE (lower = more natural) of the
# x4 stage-2 model of configs/dasr/srn_aim.py (or any srn_*.py x4 model:
# change _base_). The photos lie directly in `data_root`; point it at your
# folder with
#   python tools/test.py configs/dasr/test/my_photos.py CKPT \
#       --cfg-options data_root=/path/to/photos --out photos.json
# Every photo must be at least `min_size` px on its shorter side (NIQE
# needs 96x96 SR pixels after the crop border).
_base_ = ['../srn_aim.py', '../../_base_/datasets/sr_test.py']

data_root = 'data/my_photos'
test_dataloader = [
    dict(
        _base_.test_loader,
        dataset=dict(
            type='PhotoFolderDataset',
            data_root=data_root,
            min_size=-(-(_base_.niqe_min_side + 2 * _base_.scale) //
                       _base_.scale),
            pipeline=_base_.photo_test_pipeline)),
]
test_evaluator = [
    [
        dict(m, prefix=f"photos/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in _base_.photo_metrics
    ],
]
