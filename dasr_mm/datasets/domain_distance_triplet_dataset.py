"""Stage-2 dataset: source triplets (LR, HR, domain-distance map) and the
unpaired target-domain samples."""
import os.path as osp
from typing import Callable, List, Optional, Tuple, Union

from mmagic.registry import DATASETS
from dasr_mm.utils.io import image_size, npy_shape
from dasr_mm.utils.manifest import (ManifestError, check_manifest,
                                    exported_lr_size, exported_map_size,
                                    load_manifest, lr_path, map_path)
from .transforms import MatlabBicubicDownsample
from .unpaired_sr_image_dataset import UnpairedSRImageDataset

SOURCES = ('generated', 'bicubic')


@DATASETS.register_module()
class DomainDistanceTripletDataset(UnpairedSRImageDataset):
    """Training data of the domain-distance aware SR network (stage 2).

    For item ``i`` (HR image ``i % n_hr``) the data info holds

    - ``gt_path``: the HR image ``x``;
    - ``img_path``: the source LR, the DSN output ``y_g`` of the export
      (``source='generated'``); absent for ``source='bicubic'``, where the
      pipeline computes it from the HR with :class:`MatlabBicubicDownsample`;
    - ``weight_path``: the domain-distance map ``w`` of the export, or
      ``None`` (all-ones weights) when ``use_weights=False`` or
      ``source='bicubic'``;
    - ``target_img_path``: a real-LR image ``y_r`` drawn uniformly at random
      on every access;
    - ``target_gt_path``: an HR image ``x'`` drawn uniformly at random on
      every access, independently (the real samples of the target
      discriminator).

    Construction validates the HR and real-LR folders (HR at least
    ``lr_patch_size * scale`` px, real LR at least ``lr_patch_size`` px) and,
    for ``source='generated'``, the export: its manifest must be complete
    and match ``extractor``, ``scale`` and the HR image list, and every LR
    and map file must exist; otherwise :class:`ManifestError` explains what
    to re-run. The pipeline must contain :class:`MatlabBicubicDownsample`
    exactly when ``source='bicubic'``.

    Args:
        data_root (str): Root with ``hr_dir`` and ``lr_dir``.
        pipeline (list[dict | callable]): Processing pipeline.
        export_dir (str, optional): Export of stage 1 (see
            :mod:`dasr_mm.utils.manifest`). Required for
            ``source='generated'``.
        extractor (dict, optional): High-frequency extractor config of the
            stage-2 model; must equal the one the export was made with.
            Required for ``source='generated'``.
        scale (int): SR scale. Defaults to 4.
        hr_dir (str): HR folder relative to ``data_root``. Defaults to 'hr'.
        lr_dir (str): Real-LR folder relative to ``data_root``.
            Defaults to 'real_lr'.
        source (str): ``'generated'`` (pairs ``{Yg, Xr}``, DASR) or
            ``'bicubic'`` (pairs ``{Yb, Xr}``, Table-2 ablation).
        use_weights (bool): Use the domain-distance maps; ``False`` gives
            all-ones weights (ablation). Defaults to True.
        lr_patch_size (int): LR crop size ``p`` of the pipeline, used for
            validation. Defaults to 48.
        num_samples (int, optional): Dataset length. Defaults to
            ``max(n_hr, n_lr)``.
    """

    METAINFO = dict(dataset_type='domain_distance_triplet_dataset',
                    task_name='real_world_sr')

    def __init__(self,
                 data_root: str,
                 pipeline: List[Union[dict, Callable]],
                 export_dir: Optional[str] = None,
                 extractor: Optional[dict] = None,
                 scale: int = 4,
                 hr_dir: str = 'hr',
                 lr_dir: str = 'real_lr',
                 source: str = 'generated',
                 use_weights: bool = True,
                 lr_patch_size: int = 48,
                 num_samples: Optional[int] = None) -> None:
        if source not in SOURCES:
            raise ValueError(
                f'source must be one of {SOURCES}, got {source!r}')
        if source == 'generated' and (export_dir is None or extractor is None):
            raise ValueError("source='generated' needs export_dir and "
                             'extractor (the stage-1 export to train on)')
        self.export_dir = export_dir
        self.extractor = extractor
        self.source = source
        self.use_weights = use_weights
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            hr_dir=hr_dir,
            lr_dir=lr_dir,
            scale=scale,
            min_hr_size=lr_patch_size * scale,
            num_samples=num_samples)
        self._check_pipeline_matches_source()

    def _size_keys(self) -> Tuple[str, str]:
        """The config key that sets the minimum sizes: the LR patch."""
        p = self.min_hr_size // self.scale
        key = ('train_dataloader.dataset.lr_patch_size (HR needs '
               f'lr_patch_size * scale = {self.min_hr_size} px, real LR '
               f'{p} px; lower TripletRandomCrop\'s lr_patch_size and the '
               'target Crops\' crop_size with it)')
        return key, key

    def _check_pipeline_matches_source(self) -> None:
        """Refuse e.g. ``source='generated'`` with a bicubic pipeline, which
        would silently train the ablation instead of DASR."""
        bicubic = any(
            isinstance(t, MatlabBicubicDownsample)
            for t in self.pipeline.transforms)
        if bicubic != (self.source == 'bicubic'):
            raise ValueError(
                f'source={self.source!r} but the pipeline '
                f'{"contains" if bicubic else "lacks"} MatlabBicubicDownsample'
                "; use it (and no LoadImageFromFile(key='img')) exactly when "
                "source='bicubic'")

    def _check_export(self, hr_names: List[str]) -> int:
        """Raise :class:`ManifestError` unless the export matches the config
        and every LR image and map has the size of the manifest's contract
        for its HR image; return the manifest's ``map_stride``."""
        manifest = load_manifest(self.export_dir)
        check_manifest(
            manifest,
            extractor=self.extractor,
            scale=self.scale,
            images=hr_names,
            export_dir=self.export_dir)
        missing = [
            path for name in hr_names
            for path in (lr_path(self.export_dir, name),
                         map_path(self.export_dir, name))
            if not osp.isfile(path)
        ]
        if missing:
            raise ManifestError(
                f'export {self.export_dir!r}: the manifest says complete but '
                f'{len(missing)} file(s) are missing (e.g. {missing[:3]}); '
                're-run the export')
        stride = manifest['map_stride']
        wrong = []
        for name, hr_file in zip(hr_names, self.hr_paths):
            hr_size = image_size(hr_file)
            expected = (exported_lr_size(hr_size, self.scale),
                        exported_map_size(hr_size, self.scale, stride))
            found = (image_size(lr_path(self.export_dir, name)),
                     npy_shape(map_path(self.export_dir, name)))
            if found != expected:
                wrong.append(f'{name}: HR {hr_size[0]}x{hr_size[1]} needs LR '
                             f'{expected[0][0]}x{expected[0][1]} and map '
                             f'{expected[1][0]}x{expected[1][1]}, found '
                             f'{found[0][0]}x{found[0][1]} and '
                             f'{found[1][0]}x{found[1][1]} (HxW)')
        if wrong:
            raise ManifestError(
                f'export {self.export_dir!r}: {len(wrong)} exported image(s) '
                f'do not fit their HR image ({"; ".join(wrong[:3])}). Was the '
                'HR folder changed after the export? Re-run the export.')
        return stride

    def load_data_list(self) -> List[dict]:
        """One entry per HR image with ``gt_path``, ``img_path`` (generated
        source) and ``weight_path``."""
        hr_names = self._scan_folders()
        generated = self.source == 'generated'
        stride = self._check_export(hr_names) if generated else None
        data_list = []
        for name, hr_path in zip(hr_names, self.hr_paths):
            info = dict(key=osp.splitext(name)[0], gt_path=hr_path)
            if generated:
                info['img_path'] = lr_path(self.export_dir, name)
            if generated and self.use_weights:
                info.update(weight_path=map_path(self.export_dir, name),
                            weight_stride=stride)
            else:
                info['weight_path'] = None
            data_list.append(info)
        return data_list

    def _draw_unpaired(self) -> dict:
        """Target samples of one item: a real LR ``target_img_path`` and an
        independent HR ``target_gt_path``."""
        return dict(
            target_img_path=self._random_choice(self.real_lr_paths),
            target_gt_path=self._random_choice(self.hr_paths))
