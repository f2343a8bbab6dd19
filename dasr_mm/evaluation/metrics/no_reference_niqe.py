"""NIQE that reads only the prediction, for test sets without ground truth."""
from typing import Sequence

import numpy as np

from mmagic.evaluation.metrics import NIQE
from mmagic.evaluation.metrics.metrics_utils import obtain_data
from mmagic.registry import METRICS

NIQE_BLOCK_SIZE = 96  # mmagic's niqe(): 96x96 blocks, no overlap


@METRICS.register_module()
class NoReferenceNIQE(NIQE):
    """mmagic's NIQE (lower = more natural; gray image, 96x96 blocks, the
    official pristine-model parameters) on ``pred_img`` alone.

    mmagic's ``NIQE.process`` also fetches ``gt_img``, which it never uses,
    and so fails on a folder of real photos without ground truth; this one
    reads only the prediction, (3, H, W) in [0, 255], BGR (what mmagic's
    editors hand metrics), and refuses an image with no whole 96x96 block
    after ``crop_border`` or with no texture (NIQE of it is undefined),
    naming its file.

    Args: as mmagic's ``NIQE``, with ``input_order='CHW'`` by default.
    """

    def __init__(self, *args, input_order: str = 'CHW', **kwargs) -> None:
        super().__init__(*args, input_order=input_order, **kwargs)

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        """Score every prediction of the batch (one result per image)."""
        for data in data_samples:
            pred = obtain_data(data['output'], self.key, self.device)
            height, width = pred.shape[-2:] if self.input_order == 'CHW' \
                else pred.shape[-3:-1]
            side = min(height, width) - 2 * self.crop_border
            if side < NIQE_BLOCK_SIZE:
                raise ValueError(
                    f'NIQE of {data.get("img_path", "an image")}: its output '
                    f'is {width}x{height} px, {side} px on its shorter side '
                    f'after crop_border={self.crop_border}; NIQE needs '
                    f'{NIQE_BLOCK_SIZE}. Test larger images (the dataset\'s '
                    'min_size rejects them before testing).')
            try:
                score = self.process_image(None, pred, None)
            except np.linalg.LinAlgError as e:  # flat or constant output
                raise ValueError(
                    f'NIQE of {data.get("img_path", "an image")} is '
                    f'undefined ({e}): the output has no texture (all one '
                    'value?); check the model and its checkpoint.') from e
            self.results.append({self.metric: score})
