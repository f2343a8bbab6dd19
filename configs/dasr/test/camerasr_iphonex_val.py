# CameraSR City100 iPhone X validation (pairs 0-20, x1): PSNR/SSIM on RGB and
# Y, LPIPS, NIQE of the stage-2 model of configs/dasr/srn_camerasr.py. With
# scale 1 the crop border is 1 px (mmagic's metrics read 0 as "no crop").
#   python tools/test.py configs/dasr/test/camerasr_iphonex_val.py CKPT
_base_ = ['../srn_camerasr.py', '../../_base_/datasets/sr_test.py']

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
        dict(m, prefix=f"CameraSR/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in _base_.paired_metrics
    ],
]
