"""mmagic's DataPreprocessor for batches whose extra image keys exist only in
training (stage 2: ``target_img``/``target_gt``)."""
from typing import List

from mmagic.models.data_preprocessors import DataPreprocessor
from mmagic.registry import MODELS
from mmagic.structures import DataSample


@MODELS.register_module()
class DASRDataPreprocessor(DataPreprocessor):
    """Same as mmagic's ``DataPreprocessor`` (uint8 → ``(x - mean) / std``,
    e.g. [0, 255] → [0, 1]), but keys of ``data_keys`` that a batch does not
    carry are skipped: stage-2 training batches hold ``gt_img``,
    ``target_img`` and ``target_gt``, validation batches only ``gt_img``,
    where mmagic's preprocessor would log a warning for every batch."""

    def _preprocess_data_sample(self, data_samples: List[DataSample],
                                training: bool) -> DataSample:
        configured = self.data_keys
        self.data_keys = [
            key for key in configured
            if all(hasattr(sample, key) for sample in data_samples)
        ]
        try:
            return super()._preprocess_data_sample(data_samples, training)
        finally:
            self.data_keys = configured
