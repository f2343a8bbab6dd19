"""The data-root builder: makes a folder with the layout every DASR config
reads::

    DATA_ROOT/
      hr/        clean HR images (X_r), unpaired
      real_lr/   real-LR-domain images (Y_r), unpaired, made from other photos
      val/hr/    HR images of the validation pairs
      val/lr/    their LR partners (same file names); HR size = LR size x scale
      README.txt what was built, from which sources, with which degradation
      sources.json  the same, machine-readable, plus the build parameters

The real-LR domain is made by
:class:`~dasr_mm.datasets.degradations.SyntheticCameraDegradation`, a fixed
degradation standing in for an unknown camera. Every source photo goes to
exactly one split, so ``hr``, ``real_lr`` and ``val`` never show the same
scene.

Two modes (:mod:`.prepare`), called by ``tools/prepare_demo_data.py``:

* **demo** (:func:`prepare_demo_data`): the photos of
  :data:`.demo_photos.DEMO_LAYOUT`, cut into non-overlapping tiles; small
  enough for the whole two-stage pipeline to train in minutes on a CPU.
* **user** (:func:`prepare_user_data`): any folder of HR photos (e.g. DIV2K
  train HR) split by a seeded shuffle, to build an AIM-2019-like benchmark.

Builds are deterministic (same arguments and software, byte-identical files),
written atomically, and idempotent: a rerun with identical parameters on a
complete build does nothing, an interrupted build is resumed, a build with
other parameters is refused unless ``force`` (:mod:`.data_root_builder`).

Modules: :mod:`.split_plan` (what goes where), :mod:`.demo_photos` (the demo
catalogue), :mod:`.build_state` (what a folder holds; clearing it),
:mod:`.readme` (README.txt), :mod:`.data_root_builder` (writing),
:mod:`.prepare` (the entry points).

:mod:`.subimages` (``tools/dataset_converters/extract_subimages.py``) turns a
data root of whole images into one of overlapping sub-images that load
about ten times faster (:func:`prepare_subimage_root`).
"""
from .build_state import README_FILE, SOURCES_FILE
from .data_root_builder import PreparationResult
from .prepare import (DEMO_OUT_DIR, prepare_data, prepare_demo_data,
                      prepare_user_data)
from .split_plan import SPLITS
from .subimages import extract_subimages, prepare_subimage_root

__all__ = [
    'DEMO_OUT_DIR', 'PreparationResult', 'README_FILE', 'SOURCES_FILE',
    'SPLITS', 'extract_subimages', 'prepare_data', 'prepare_demo_data',
    'prepare_subimage_root', 'prepare_user_data'
]
