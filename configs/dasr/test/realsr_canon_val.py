# Table 3, RealSR V3 Canon test pairs (100 pairs, x4): PSNR/SSIM on RGB and
# Y, LPIPS, NIQE of the stage-2 model of configs/dasr/srn_realsr.py.
#   python tools/test.py configs/dasr/test/realsr_canon_val.py CKPT
_base_ = ['../srn_realsr.py', '../../_base_/datasets/sr_test.py']

test_dataloader = [
    dict(
        _base_.test_loader,
        dataset=dict(
            _base_.paired_val_set,
            data_root=_base_.data_root,
            scale=_base_.scale)),
]
test_evaluator = [
    [
        dict(m, prefix=f"RealSR/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in _base_.paired_metrics
    ],
]
