"""Writing a data root from split plans: the images of each split, then
README.txt and sources.json, with skip / refuse / resume decided from what
the folder already holds (:mod:`.build_state`).

Every image is written atomically, so after an interruption each file on
disk is complete. The in-progress file records the parameters first;
``sources.json`` (the record of a finished build, with every file name) is
written last.
"""
import json
import logging
import os
import os.path as osp
import time
import zlib
from dataclasses import dataclass, field
from typing import Dict, List

import numpy as np
from mmengine.logging import print_log

from dasr_mm.utils.io import atomic_path, atomic_save_image, atomic_save_json
from ..degradations import SyntheticCameraDegradation, crop_to_multiple
from .build_state import (IN_PROGRESS_FILE, README_FILE, SOURCES_FILE,
                          BuildState, clear_build, inspect_build)
from .readme import readme_text
from .split_plan import SPLIT_FOLDERS, SPLITS, SplitPlan, tile_boxes


@dataclass
class PreparationResult:
    """What a preparation call did.

    Attributes:
        out_dir (str): The data root.
        skipped (bool): True when a complete identical build was found.
        counts (Dict[str, int]): Number of images per split (``val``: pairs).
        seconds (float): Wall time of the call.
    """
    out_dir: str
    skipped: bool
    counts: Dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def image_rng(seed: int, key: str) -> np.random.Generator:
    """Generator for the image named ``key``: independent of processing
    order, reproducible from ``seed``."""
    return np.random.default_rng([seed, zlib.crc32(key.encode('utf-8'))])


def write_split(out_dir: str, split: str, plan: SplitPlan,
                degradation: SyntheticCameraDegradation, seed: int,
                keep_existing: bool) -> List[dict]:
    """Write the images of one split; return one record per image (its
    source, HR box and file names). ``keep_existing``: files already on disk
    (from an interrupted build of the same parameters) are not written
    again."""
    scale = degradation.scale
    hr_folder, lr_folder = SPLIT_FOLDERS[split]

    def save(name: str, img: np.ndarray) -> None:
        path = osp.join(out_dir, name)
        if not (keep_existing and osp.isfile(path)):
            atomic_save_image(path, img)

    records = []
    for src in plan.sources:
        hr = crop_to_multiple(src.load(), scale)
        h, w = hr.shape[:2]
        lr = degradation(hr, image_rng(seed, src.key)) if lr_folder else None
        boxes = tile_boxes(hr, plan.tile, scale, plan.max_tiles) \
            if plan.tile else [('', (0, 0, w, h))]
        for suffix, (x, y, bw, bh) in boxes:
            stem = f'{src.key}_{suffix}' if suffix else src.key
            record = dict(source=src.origin, box_xywh=[x, y, bw, bh])
            if hr_folder:
                record['hr_file'] = f'{hr_folder}/{stem}.png'
                save(record['hr_file'], hr[y:y + bh, x:x + bw])
            if lr_folder:
                record['lr_file'] = f'{lr_folder}/{stem}.png'
                save(record['lr_file'],
                     lr[y // scale:(y + bh) // scale,
                        x // scale:(x + bw) // scale])
            records.append(record)
    return records


def build_data_root(out_dir: str, params: dict,
                    plans: Dict[str, SplitPlan],
                    degradation: SyntheticCameraDegradation, seed: int,
                    force: bool, command: str) -> PreparationResult:
    """Build ``out_dir`` from ``plans`` unless it already holds that build.

    ``params`` (JSON-serialisable) identify the build; they are stored
    JSON-normalised. By what :func:`~.build_state.inspect_build` finds:

    * complete build: nothing is written (``skipped``);
    * interrupted build or one with lost files: resumed, writing only the
      images that are not on disk;
    * a build with other parameters, or managed names (``hr/``,
      ``real_lr/``, ``val/``, ...) without a record: ``FileExistsError``;
    * ``force``: whatever is there is cleared first and all is rebuilt.
    """
    start = time.time()
    params = json.loads(json.dumps(params, sort_keys=True))
    resume = False
    if force:
        clear_build(out_dir)
    else:
        found = inspect_build(out_dir, params)
        if found.state is BuildState.COMPLETE:
            with open(osp.join(out_dir, SOURCES_FILE)) as f:
                counts = json.load(f)['counts']
            print_log(
                f'{out_dir}: already complete with identical parameters, '
                'nothing to do (--force / force=True rebuilds)',
                logger='current')
            return PreparationResult(out_dir, True, counts,
                                     time.time() - start)
        if found.state in (BuildState.OTHER_PARAMETERS, BuildState.FOREIGN):
            raise FileExistsError(
                f'{found.message}: pass --force (force=True) to delete it '
                'and rebuild')
        resume = found.state in (BuildState.INTERRUPTED,
                                 BuildState.INCOMPLETE)
        if resume:
            print_log(
                f'{found.message}; resuming it (the images on disk are kept)',
                logger='current',
                level=logging.WARNING
                if found.state is BuildState.INCOMPLETE else logging.INFO)

    os.makedirs(out_dir, exist_ok=True)
    atomic_save_json(
        osp.join(out_dir, IN_PROGRESS_FILE), dict(parameters=params))
    if osp.exists(osp.join(out_dir, SOURCES_FILE)):
        os.remove(osp.join(out_dir, SOURCES_FILE))
    records = {
        split: write_split(out_dir, split, plans[split], degradation, seed,
                           keep_existing=resume)
        for split in SPLITS
    }
    counts = {split: len(records[split]) for split in SPLITS}
    files = sorted(r[k] for split in SPLITS for r in records[split]
                   for k in ('hr_file', 'lr_file') if k in r)
    with atomic_path(osp.join(out_dir, README_FILE)) as tmp:
        with open(tmp, 'w') as f:
            f.write(readme_text(params, records, plans, degradation, command))
    atomic_save_json(
        osp.join(out_dir, SOURCES_FILE),
        dict(
            parameters=params,
            counts=counts,
            splits=records,
            sources={
                split: [
                    dict(origin=s.origin, key=s.key, credit=s.credit)
                    for s in plans[split].sources
                ]
                for split in SPLITS
            },
            degradation_description=degradation.describe(),
            files=files))
    os.remove(osp.join(out_dir, IN_PROGRESS_FILE))
    seconds = time.time() - start
    verb = 'resumed' if resume else 'wrote'
    print_log(
        f'{out_dir}: {verb} {counts["hr"]} HR, {counts["real_lr"]} real-LR '
        f'images and {counts["val"]} validation pairs in {seconds:.1f} s',
        logger='current')
    return PreparationResult(out_dir, False, counts, seconds)
