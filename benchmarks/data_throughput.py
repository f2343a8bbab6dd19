"""Training-data throughput per loader worker: whole DIV2K-sized images
against the sub-images of ``tools/dataset_converters/extract_subimages.py``.

Makes ``--images`` random but smooth photos of ``--size`` (DIV2K: 2040x1356,
PNG; as many real-LR images of the same size, as AIM's degraded Flickr2K
sources are 2K photos), a stage-1 export for them (LR images and maps of the
sizes of ``dasr_mm.utils.manifest``'s contract), the sub-image data root
(480 px, step 240) and its export, then draws samples from the datasets of
``configs/dasr/dsn_aim.py`` (``UnpairedSRImageDataset``) and
``configs/dasr/srn_aim.py`` (``DomainDistanceTripletDataset``) with their
own pipelines (HR crop 192) in one process, as one dataloader worker does.
A reference row times the raw reads of the same crops from decoded
memory-mapped ``.npy`` arrays (the alternative to sub-images).

    python benchmarks/data_throughput.py            # table + JSON
"""
import argparse
import os
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

import dasr_mm  # noqa: F401
from _common import REPO_ROOT, print_table, write_json
from dasr_mm.apis import load_config
from dasr_mm.datasets.preparation import prepare_subimage_root
from dasr_mm.datasets.preparation.subimages import (HR_SUBIMAGES,
                                                    REAL_LR_SUBIMAGES)
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy, list_images, read_rgb)
from dasr_mm.utils.manifest import (MANIFEST_NAME, build_manifest,
                                    exported_lr_size, exported_map_size,
                                    lr_path, map_path)
from mmagic.registry import DATASETS
from mmengine.registry import DefaultScope

STAGES = {
    'stage 1 (UnpairedSRImageDataset)': 'configs/dasr/dsn_aim.py',
    'stage 2 (DomainDistanceTripletDataset)': 'configs/dasr/srn_aim.py',
}
EXTRACTOR = dict(mode='wavelet')  # the configs' extractor: map_stride 2*s


def smooth_photo(size: Tuple[int, int],
                 rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) uint8: bicubic-up-sampled random colours (smooth regions)
    plus +-6 levels of pixel noise (texture, so PNG does not compress it
    away)."""
    h, w = size
    base = rng.integers(0, 256, (h // 16 + 1, w // 16 + 1, 3), dtype=np.uint8)
    img = cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC)
    noise = rng.integers(-6, 7, (h, w, 3))
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def make_export(hr_dir: str, export_dir: str, scale: int) -> None:
    """An export of ``hr_dir`` with the contract's sizes (area-down-sampled
    LR, random maps): what stage 2 reads, without training a DSN."""
    stride = scale * 2
    rng = np.random.default_rng(1)
    names = list_images(hr_dir)
    for name in names:
        hr = read_rgb(osp.join(hr_dir, name))
        h, w = exported_lr_size(hr.shape[:2], scale)
        atomic_save_image(
            lr_path(export_dir, name),
            cv2.resize(hr[:h * scale, :w * scale], (w, h),
                       interpolation=cv2.INTER_AREA))
        atomic_save_npy(
            map_path(export_dir, name),
            rng.random(exported_map_size(hr.shape[:2], scale,
                                         stride)).astype(np.float16))
    atomic_save_json(
        osp.join(export_dir, MANIFEST_NAME),
        build_manifest(dsn_checkpoint=None, extractor=EXTRACTOR, scale=scale,
                       map_stride=stride, images=names, hr_dir=hr_dir,
                       rf_average=False, complete=True))


def build_dataset(config: str, data_root: str, export_dir: str):
    """The training dataset of ``config`` on ``data_root``."""
    cfg = load_config(
        osp.join(REPO_ROOT, config), cfg_options=dict(data_root=data_root))
    dataset = cfg.train_dataloader.dataset
    if 'export_dir' in dataset:
        dataset.export_dir = export_dir
    with DefaultScope.overwrite_default_scope('mmagic'):
        return DATASETS.build(dataset)


def samples_per_second(draw: Callable[[int], object], seconds: float,
                       min_samples: int = 5) -> float:
    """Samples per second of ``draw(i)`` over at least ``seconds``."""
    draw(0)  # warm-up (first file access, lazy init)
    count, start = 0, time.perf_counter()
    while count < min_samples or time.perf_counter() - start < seconds:
        draw(count + 1)
        count += 1
    return count / (time.perf_counter() - start)


def mmap_reader(hr_dir: str, lr_dir: str, cache: str, hr_crop: int,
                scale: int) -> Callable[[int], object]:
    """Decode every image once into ``cache/*.npy``; return a function that
    reads a random HR crop and a random real-LR crop from the
    memory-mapped arrays, as a crop-aware loader would."""
    arrays: Dict[str, List[np.ndarray]] = {}
    for role, folder in (('hr', hr_dir), ('lr', lr_dir)):
        os.makedirs(osp.join(cache, role), exist_ok=True)
        arrays[role] = []
        for name in list_images(folder):
            path = osp.join(cache, role, osp.splitext(name)[0] + '.npy')
            atomic_save_npy(path, read_rgb(osp.join(folder, name)))
            arrays[role].append(np.load(path, mmap_mode='r'))
    rng = np.random.default_rng(0)

    def crop(arr: np.ndarray, size: int) -> np.ndarray:
        y = rng.integers(arr.shape[0] - size + 1)
        x = rng.integers(arr.shape[1] - size + 1)
        return np.ascontiguousarray(arr[y:y + size, x:x + size])

    def draw(i: int) -> Tuple[np.ndarray, np.ndarray]:
        hr = arrays['hr'][i % len(arrays['hr'])]
        lr = arrays['lr'][rng.integers(len(arrays['lr']))]
        return crop(hr, hr_crop), crop(lr, hr_crop // scale)

    return draw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=6)
    parser.add_argument('--size', type=int, nargs=2, default=[1356, 2040],
                        metavar=('H', 'W'))
    parser.add_argument('--crop-size', type=int, default=HR_SUBIMAGES[0],
                        help='HR sub-image side')
    parser.add_argument('--step', type=int, default=HR_SUBIMAGES[1],
                        help='HR sub-image step')
    parser.add_argument('--lr-crop-size', type=int,
                        default=REAL_LR_SUBIMAGES[0],
                        help='real-LR sub-image side')
    parser.add_argument('--lr-step', type=int, default=REAL_LR_SUBIMAGES[1],
                        help='real-LR sub-image step')
    parser.add_argument('--seconds', type=float, default=10.,
                        help='time per measurement')
    parser.add_argument(
        '--out', default='benchmarks/results/data_throughput.json')
    args = parser.parse_args()
    cv2.setNumThreads(1)  # as the configs' workers (opencv_num_threads=1)
    scale = 4
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        whole, sub = osp.join(tmp, 'whole'), osp.join(tmp, 'sub')
        for folder in ('hr', 'real_lr'):
            for i in range(args.images):
                atomic_save_image(osp.join(whole, folder, f'{i:04d}.png'),
                                  smooth_photo(tuple(args.size), rng))
        png_mb = np.mean([
            osp.getsize(osp.join(whole, 'hr', n)) / 1e6
            for n in list_images(osp.join(whole, 'hr'))])
        prep = prepare_subimage_root(
            whole, sub, crop_size=args.crop_size, step=args.step,
            lr_crop_size=args.lr_crop_size, lr_step=args.lr_step)
        sub_label = (f'sub-images (HR {args.crop_size}/{args.step}, real LR '
                     f'{args.lr_crop_size}/{args.lr_step})')
        for root in (whole, sub):
            make_export(osp.join(root, 'hr'), osp.join(root, 'export'),
                        scale)

        rows = []
        for stage, config in STAGES.items():
            rates = {}
            for data, root in (('whole images', whole), (sub_label, sub)):
                dataset = build_dataset(config, root,
                                        osp.join(root, 'export'))
                np.random.seed(0)
                rates[data] = samples_per_second(
                    lambda i: dataset[i % len(dataset)], args.seconds)
            base = next(iter(rates.values()))
            for data, rate in rates.items():
                rows.append(dict(dataset=stage, data=data,
                                 samples_per_s=rate, ms_per_sample=1e3 / rate,
                                 speedup=rate / base))
        rate = samples_per_second(
            mmap_reader(osp.join(whole, 'hr'), osp.join(whole, 'real_lr'),
                        osp.join(tmp, 'npy'), 192, scale), args.seconds)
        rows.append(dict(dataset='reference: raw crop reads',
                         data='decoded .npy memory-map (HR 192 + LR 48)',
                         samples_per_s=rate, ms_per_sample=1e3 / rate))
    load = os.getloadavg()
    print(f'{args.images} HR + {args.images} real-LR PNGs of '
          f'{args.size[1]}x{args.size[0]} (mean {png_mb:.1f} MB); '
          f'sub-images: {prep.counts}; one process, 1 OpenCV thread; '
          f'load average {load[0]:.1f} on {os.cpu_count()} CPUs\n')
    print_table(rows, ['dataset', 'data', 'samples_per_s', 'ms_per_sample',
                       'speedup'])
    write_json(
        args.out,
        dict(images=args.images, size_hw=args.size, png_mean_mb=png_mb,
             crop_size=args.crop_size, step=args.step,
             lr_crop_size=args.lr_crop_size, lr_step=args.lr_step,
             subimage_counts=prep.counts, load_average=load,
             cpus=os.cpu_count(), rows=rows))


if __name__ == '__main__':
    main()
