"""Paired LR/HR validation and test data, checked when the dataset is built."""
import os.path as osp
from typing import Callable, List, Optional, Union

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS
from dasr_mm.utils.io import list_images
from .image_checks import DatasetValidationError, check_paired_folders


@DATASETS.register_module()
class PairedImageFolderDataset(BasicImageDataset):
    """mmagic's ``BasicImageDataset`` for two folders of LR/HR pairs, whose
    pairs are validated at construction (the Runner builds the val/test
    dataloaders before the first iteration / the first test batch).

    :func:`~dasr_mm.datasets.check_paired_folders` collects every problem of
    both folders at once: missing or empty folder, unreadable or non-image
    files, duplicate stems, an LR without HR partner and an HR without LR
    partner (matched by stem; extensions may differ), and any pair whose HR
    size is not its LR size times ``scale``. mmagic's own dataset would
    instead drop an unpartnered file silently, or fail with
    ``FileNotFoundError`` / "Image shapes are different" at the first
    validation, hours into training.

    The data infos are those of ``BasicImageDataset`` (``key`` = stem,
    ``img_path``, ``gt_path``), but with each side's real file name.

    Args:
        data_root (str): Root folder of ``data_prefix``.
        data_prefix (dict): ``img`` and ``gt`` folders relative to
            ``data_root``; ``lr_key`` names the LR one.
        pipeline (list[dict | callable]): Processing pipeline.
        scale (int): HR size / LR size (1: same size).
        lr_key (str): ``'img'`` (SR: the network input is LR, stage 2) or
            ``'gt'`` (stage 1: DSN(HR) is compared with the real LR).
        metainfo (dict, optional), test_mode (bool): As ``BaseDataset``.
    """

    def __init__(self,
                 data_root: str,
                 data_prefix: dict,
                 pipeline: List[Union[dict, Callable]],
                 scale: int,
                 lr_key: str = 'img',
                 metainfo: Optional[dict] = None,
                 test_mode: bool = False) -> None:
        if set(data_prefix) != {'img', 'gt'}:
            raise ValueError('data_prefix must have the keys img and gt, got '
                             f'{sorted(data_prefix)}')
        if lr_key not in data_prefix:
            raise ValueError(f"lr_key must be 'img' or 'gt', got {lr_key!r}")
        self.scale = scale
        self.lr_key = lr_key
        super().__init__(
            data_root=data_root,
            data_prefix=dict(data_prefix),
            pipeline=pipeline,
            metainfo=metainfo,
            test_mode=test_mode)

    def load_data_list(self) -> List[dict]:
        """One info per pair, sorted by stem; raises
        :class:`~dasr_mm.datasets.DatasetValidationError` listing every
        problem of the two folders."""
        hr_key = 'gt' if self.lr_key == 'img' else 'img'
        try:
            stems = check_paired_folders(
                self.data_prefix[self.lr_key],
                self.data_prefix[hr_key],
                scale=self.scale,
                role='paired val/test')
        except DatasetValidationError as e:
            raise DatasetValidationError(
                f'{e.subject} [PairedImageFolderDataset of val_dataloader / '
                'test_dataloader: fix or remove these files, or correct the '
                "dataset's data_prefix / scale]", e.problems) from None
        names = {
            key: {
                osp.splitext(n)[0]: n
                for n in list_images(self.data_prefix[key])
            }
            for key in ('img', 'gt')
        }
        return [
            dict(
                key=stem,
                img_path=osp.join(self.data_prefix['img'], names['img'][stem]),
                gt_path=osp.join(self.data_prefix['gt'], names['gt'][stem]))
            for stem in stems
        ]
