# The demo's test: two sets in one run of the stage-2 model of
# configs/dasr/srn_demo.py / dasr_demo.py (x4):
# - `demo`: the paired validation set data/demo/val (PSNR/SSIM on RGB and Y,
#   LPIPS, NIQE);
# - `photos`: the real-camera images data/demo/real_lr as GT-less photos
#   (NIQE only). They are the target domain stage 2 saw without HR partners,
#   so this shows the GT-less path, not generalisation.
#   python tools/test.py configs/dasr/test/demo.py \
#       work_dirs/dasr_demo/iter_1100.pth --out results/demo/test.json
# No ImageNet AlexNet ships with the demo: LPIPS uses a random trunk, chosen
# explicitly here and reported as LPIPS(random-alex). Put
# alexnet-owt-7be5be79.pth into $TORCH_HOME/hub/checkpoints and delete the
# `paired_metrics` override below for the real LPIPS.
_base_ = ['../srn_demo.py', '../../_base_/datasets/sr_test.py']

paired_metrics = [
    dict(m, pretrained=None) if m['type'] == 'LPIPS' else m
    for m in _base_.paired_metrics
]
test_loader = dict(_base_.test_loader, num_workers=0)
test_dataloader = [
    dict(
        test_loader,
        dataset=dict(
            _base_.paired_val_set,
            data_root=_base_.data_root,
            scale=_base_.scale)),
    dict(
        test_loader,
        dataset=dict(
            type='PhotoFolderDataset',
            data_root=_base_.data_root,
            data_prefix=dict(img='real_lr'),
            min_size=-(-(_base_.niqe_min_side + 2 * _base_.scale) //
                       _base_.scale),
            pipeline=_base_.photo_test_pipeline)),
]
test_evaluator = [
    [
        dict(m, prefix=f"demo/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in paired_metrics
    ],
    [
        dict(m, prefix=f"photos/{m['prefix']}".rstrip('/'),
             crop_border=_base_.scale) for m in _base_.photo_metrics
    ],
]
