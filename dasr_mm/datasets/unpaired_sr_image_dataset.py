"""Stage-1 dataset: clean HR images and unpaired real LR images."""
import os.path as osp
from typing import Callable, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset, force_full_init

from mmagic.registry import DATASETS
from .image_checks import check_image_folder


@DATASETS.register_module()
class UnpairedSRImageDataset(BaseDataset):
    """Unpaired HR / real-LR images for training the down-sampling network.

    ``data_root`` holds ``hr_dir`` (clean HR photos ``Xr``) and ``lr_dir``
    (real low-quality photos ``Yr`` of the target domain). Both folders are
    validated when the dataset is built (missing or empty folder, unreadable
    files, duplicate stems, images too small for the crops) so a long run
    fails before it starts.

    Sampling: item ``i`` uses HR image ``i % n_hr`` and a real-LR image drawn
    uniformly at random on every access (``np.random``, which mmengine seeds
    per dataloader worker from the run's seed). The length is ``num_samples``
    or ``max(n_hr, n_lr)``.

    Each data info has ``img_path`` (HR, the network input) and ``gt_path``
    (real LR, the target-domain sample), so a pipeline loads them with
    mmagic's ``LoadImageFromFile(key='img')`` / ``(key='gt')``.

    Args:
        data_root (str): Root folder.
        pipeline (list[dict | callable]): Processing pipeline.
        hr_dir (str): HR folder relative to ``data_root``. Defaults to 'hr'.
        lr_dir (str): Real-LR folder relative to ``data_root``.
            Defaults to 'real_lr'.
        scale (int): Down-sampling factor of the DSN (1 allowed).
        min_hr_size (int): HR crop size: HR images with a shorter side below
            it, and real-LR images below ``min_hr_size // scale``, are
            rejected. Defaults to 192.
        num_samples (int, optional): Dataset length. Defaults to
            ``max(n_hr, n_lr)``.
    """

    METAINFO = dict(dataset_type='unpaired_sr_image_dataset',
                    task_name='real_world_sr')

    def __init__(self,
                 data_root: str,
                 pipeline: List[Union[dict, Callable]],
                 hr_dir: str = 'hr',
                 lr_dir: str = 'real_lr',
                 scale: int = 4,
                 min_hr_size: int = 192,
                 num_samples: Optional[int] = None) -> None:
        if scale < 1 or min_hr_size < scale:
            raise ValueError(f'need scale >= 1 and min_hr_size >= scale, got '
                             f'scale={scale}, min_hr_size={min_hr_size}')
        if num_samples is not None and num_samples < 1:
            raise ValueError(
                f'num_samples must be positive, got {num_samples}')
        self.scale = scale
        self.min_hr_size = min_hr_size
        self.num_samples = num_samples
        self.hr_paths: List[str] = []
        self.real_lr_paths: List[str] = []
        super().__init__(
            data_root=data_root,
            data_prefix=dict(hr=hr_dir, real_lr=lr_dir),
            pipeline=pipeline,
            serialize_data=False)

    def _scan_folders(self) -> List[str]:
        """Validate both folders, fill ``hr_paths`` / ``real_lr_paths`` and
        return the sorted HR file names."""
        hr_folder = self.data_prefix['hr']
        lr_folder = self.data_prefix['real_lr']
        hr_key, lr_key = self._size_keys()
        hr_names = check_image_folder(
            hr_folder, role='HR', min_size=self.min_hr_size, size_key=hr_key)
        lr_names = check_image_folder(
            lr_folder,
            role='real LR',
            min_size=self.min_hr_size // self.scale,
            size_key=lr_key)
        self.hr_paths = [osp.join(hr_folder, n) for n in hr_names]
        self.real_lr_paths = [osp.join(lr_folder, n) for n in lr_names]
        return hr_names

    def _size_keys(self) -> Tuple[str, str]:
        """The config keys to lower for an HR / a real-LR image that is too
        small (named in the validation message)."""
        return ('train_dataloader.dataset.min_hr_size (and the HR Crop\'s '
                'crop_size of the pipeline with it)',
                f'train_dataloader.dataset.min_hr_size (real LR needs '
                f'min_hr_size // scale = {self.min_hr_size // self.scale} px;'
                ' lower the real-LR Crop\'s crop_size with it)')

    def load_data_list(self) -> List[dict]:
        """One entry per HR image: ``key`` (stem) and ``img_path``."""
        names = self._scan_folders()
        return [
            dict(key=osp.splitext(n)[0], img_path=p)
            for n, p in zip(names, self.hr_paths)
        ]

    @staticmethod
    def _random_choice(paths: List[str]) -> str:
        """A uniformly random element, from the worker-seeded np.random."""
        return paths[np.random.randint(len(paths))]

    def _draw_unpaired(self) -> dict:
        """Paths drawn at random for one item: a real LR as ``gt_path``."""
        return dict(gt_path=self._random_choice(self.real_lr_paths))

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Entry of HR image ``idx % n_hr`` plus :meth:`_draw_unpaired`."""
        info = super().get_data_info(idx % len(self.data_list))
        info['sample_idx'] = idx
        info.update(self._draw_unpaired())
        return info

    @force_full_init
    def __len__(self) -> int:
        """``num_samples`` or ``max(n_hr, n_lr)``."""
        return self.num_samples or max(
            len(self.hr_paths), len(self.real_lr_paths))
