"""A folder of real photos without ground truth (test only: NIQE)."""
import os.path as osp
from typing import Callable, List, Optional, Union

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS
from .image_checks import DatasetValidationError, check_image_folder


@DATASETS.register_module()
class PhotoFolderDataset(BasicImageDataset):
    """mmagic's ``BasicImageDataset`` for one folder of LR photos with no HR
    partner ("my own photos"), checked when it is built: a missing or empty
    folder, unreadable files, duplicate stems and photos whose shorter side
    is under ``min_size`` are all listed at once, before the first batch.

    Data infos: ``key`` (stem) and ``img_path``; no ``gt_path``, so only
    no-reference metrics (``NoReferenceNIQE``) can score the outputs.

    Args:
        data_root (str): Folder of the photos (``data_prefix`` is relative
            to it; default ``img=''``: the photos lie in ``data_root``).
        pipeline (list[dict | callable]): Processing pipeline.
        data_prefix (dict): ``img`` folder relative to ``data_root``.
        min_size (int): Shortest side in px a photo needs (NIQE needs 96 px
            per side of the SR output after its crop border).
        size_key (str): The config key that sets ``min_size``, named in the
            message about a photo too small.
        metainfo (dict, optional), test_mode (bool): As ``BaseDataset``.
    """

    def __init__(self,
                 data_root: str,
                 pipeline: List[Union[dict, Callable]],
                 data_prefix: Optional[dict] = None,
                 min_size: int = 1,
                 size_key: str = "the dataset's min_size",
                 metainfo: Optional[dict] = None,
                 test_mode: bool = True) -> None:
        data_prefix = dict(img='') if data_prefix is None else data_prefix
        if set(data_prefix) != {'img'}:
            raise ValueError('PhotoFolderDataset: data_prefix must have only '
                             f'the key img, got {sorted(data_prefix)}')
        self.min_size = min_size
        self.size_key = size_key
        super().__init__(
            data_root=data_root,
            data_prefix=dict(data_prefix),
            pipeline=pipeline,
            metainfo=metainfo,
            test_mode=test_mode)

    def load_data_list(self) -> List[dict]:
        """One info per photo, sorted by name; raises
        :class:`~dasr_mm.datasets.DatasetValidationError` listing every
        problem of the folder."""
        folder = self.data_prefix['img']
        try:
            names = check_image_folder(
                folder,
                role='GT-less test photos',
                min_size=self.min_size,
                size_key=self.size_key)
        except DatasetValidationError as e:
            raise DatasetValidationError(
                f'{e.subject} [PhotoFolderDataset of test_dataloader: fix or '
                "remove these files, or correct the dataset's data_root]",
                e.problems) from None
        return [
            dict(key=osp.splitext(name)[0], img_path=osp.join(folder, name))
            for name in names
        ]
