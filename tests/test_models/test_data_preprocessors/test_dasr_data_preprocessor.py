import torch

import dasr_mm  # noqa: F401
from mmagic.models.data_preprocessors import \
    data_preprocessor as mmagic_data_preprocessor
from dasr_mm.models.data_preprocessors import DASRDataPreprocessor
from mmagic.structures import DataSample

KEYS = ['gt_img', 'target_img', 'target_gt']


def _batch(keys):
    samples = []
    for _ in range(2):
        sample = DataSample()
        for key in keys:
            sample.set_tensor_data({key: torch.full((3, 8, 8), 255.)})
        samples.append(sample)
    return dict(inputs=[torch.full((3, 4, 4), 255.)] * 2, data_samples=samples)


def test_training_batch_normalises_every_key():
    pre = DASRDataPreprocessor(mean=[0.] * 3, std=[255.] * 3, data_keys=KEYS)
    out = pre(_batch(KEYS), training=True)
    assert torch.allclose(out['inputs'], torch.ones(2, 3, 4, 4))
    for key in KEYS:
        assert torch.allclose(out['data_samples'].get(key),
                              torch.ones(2, 3, 8, 8))
    assert pre.data_keys == KEYS  # configuration unchanged afterwards


def test_validation_batch_without_target_keys_does_not_warn(monkeypatch):
    messages = []
    monkeypatch.setattr(mmagic_data_preprocessor, 'print_log',
                        lambda msg, *a, **k: messages.append(msg))
    pre = DASRDataPreprocessor(mean=[0.] * 3, std=[255.] * 3, data_keys=KEYS)
    out = pre(_batch(['gt_img']), training=True)
    assert not [m for m in messages if 'Cannot find key' in m]
    assert torch.allclose(out['data_samples'].gt_img, torch.ones(2, 3, 8, 8))
