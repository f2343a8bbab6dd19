"""Sub-image preparation: every pixel covered, sub-images equal to their
source regions, skip / resume / refuse, bad input, and the two-stage export
made from sub-images giving aligned LR / HR / map crops."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dasr_mm.apis import export_domain_distance_maps
from dasr_mm.datasets import DatasetValidationError
from dasr_mm.datasets.preparation import (extract_subimages,
                                          prepare_subimage_root)
from dasr_mm.datasets.preparation.subimages import (subimage_boxes,
                                                    subimage_offsets)
from dasr_mm.utils.io import atomic_save_image, read_rgb
from dasr_mm.utils.manifest import map_path
from tests.test_datasets.test_real_image_sizes import (P, BoxMeanDSN,
                                                       RedBlockMeanD,
                                                       block_image,
                                                       crop_offset,
                                                       stage2_dataset)


def random_image(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3),
                                                dtype=np.uint8)


def test_offsets_reach_the_last_pixel():
    assert subimage_offsets(2040, 480, 240) == [
        0, 240, 480, 720, 960, 1200, 1440, 1560]
    assert subimage_offsets(1356, 480, 240) == [0, 240, 480, 720, 876]
    assert subimage_offsets(960, 480, 240) == [0, 240, 480]  # flush: no extra
    assert subimage_offsets(480, 480, 240) == [0]
    assert subimage_offsets(100, 480, 240) == [0]  # shorter side kept whole
    assert len(subimage_boxes(1356, 2040, 480, 240)) == 40


@pytest.mark.parametrize('size,crop,step', [
    ((1356, 2040), 480, 240),  # DIV2K
    ((97, 131), 40, 17),  # odd sides, odd step
    ((30, 131), 40, 40),  # a side shorter than the crop, no overlap
])
def test_subimages_cover_every_pixel_with_the_source_pixels(
        tmp_path, size, crop, step):
    img = random_image(*size)
    atomic_save_image(str(tmp_path / 'in' / 'photo.png'), img)
    records = extract_subimages(
        str(tmp_path / 'in'), str(tmp_path / 'out'), crop_size=crop,
        step=step)
    coverage = np.zeros(size, int)
    files = set()
    for rec in records:
        x, y, w, h = rec['box_xywh']
        sub = read_rgb(str(tmp_path / rec['file']))
        assert sub.shape == (min(crop, size[0]), min(crop, size[1]), 3)
        np.testing.assert_array_equal(sub, img[y:y + h, x:x + w])
        coverage[y:y + h, x:x + w] += 1
        files.add(rec['file'])
    assert coverage.min() >= 1
    assert len(files) == len(records) == len(os.listdir(tmp_path / 'out'))


def make_whole_root(tmp_path, hr_sizes=((130, 170), (97, 131)), n_lr=2):
    root = tmp_path / 'whole'
    for i, size in enumerate(hr_sizes):
        atomic_save_image(str(root / 'hr' / f'h{i}.png'),
                          random_image(*size, seed=i))
    for i in range(n_lr):
        atomic_save_image(str(root / 'real_lr' / f'r{i}.png'),
                          random_image(60, 70, seed=10 + i))
    for sub in ('hr', 'lr'):
        atomic_save_image(str(root / 'val' / sub / 'v.png'),
                          random_image(16, 16))
    return root


def test_prepared_root_layout_skip_resume_refuse(tmp_path):
    root = make_whole_root(tmp_path)
    out = tmp_path / 'sub'
    kwargs = dict(crop_size=64, step=32, lr_crop_size=32, lr_step=16)
    result = prepare_subimage_root(str(root), str(out), **kwargs)
    assert not result.skipped
    info = json.loads((out / 'sources.json').read_text())
    # 130x170: 4x5 boxes, 97x131: 3x4; real LR 60x70: 3x4 each
    assert result.counts == dict(hr=20 + 12, real_lr=2 * 12) == info['counts']
    assert sorted(os.listdir(out / 'hr')) == sorted(
        osp.basename(r['file']) for r in info['sub_images']['hr'])
    assert osp.islink(out / 'val')
    assert os.listdir(out / 'val' / 'hr') == ['v.png']

    again = prepare_subimage_root(str(root), str(out), **kwargs)
    assert again.skipped

    lost = out / 'hr' / sorted(os.listdir(out / 'hr'))[3]
    before = lost.read_bytes()
    lost.unlink()
    resumed = prepare_subimage_root(str(root), str(out), **kwargs)
    assert not resumed.skipped and lost.read_bytes() == before

    with pytest.raises(FileExistsError, match='other parameters'):
        prepare_subimage_root(str(root), str(out), crop_size=48, step=24)
    # a changed input folder is another build too
    atomic_save_image(str(root / 'hr' / 'h9.png'), random_image(80, 80))
    with pytest.raises(FileExistsError, match='other parameters'):
        prepare_subimage_root(str(root), str(out), **kwargs)
    with pytest.raises(FileExistsError, match='not made by this tool'):
        prepare_subimage_root(str(out), str(root), **kwargs)


def test_bad_input_fails_before_writing(tmp_path):
    root = make_whole_root(tmp_path)
    out = tmp_path / 'sub'
    with pytest.raises(ValueError, match='step <= crop_size'):
        prepare_subimage_root(str(root), str(out), crop_size=32, step=33)
    with pytest.raises(ValueError, match='real_lr sub-images'):
        prepare_subimage_root(str(root), str(out), lr_crop_size=8, lr_step=9)
    with pytest.raises(ValueError, match='must differ from data_root'):
        prepare_subimage_root(str(root), str(root))
    with pytest.raises(ValueError, match='subset of'):
        prepare_subimage_root(str(root), str(out), folders=['val'])
    (root / 'real_lr' / 'broken.png').write_bytes(b'not a png')
    os.rename(root / 'hr', root / 'hr_moved')
    with pytest.raises(DatasetValidationError) as err:
        prepare_subimage_root(str(root), str(out))
    assert 'does not exist' in str(err.value)
    assert not out.exists()
    os.rename(root / 'hr_moved', root / 'hr')
    with pytest.raises(DatasetValidationError, match="'broken.png' cannot"):
        prepare_subimage_root(str(root), str(out))
    assert not out.exists()


@pytest.mark.parametrize('scale,sizes,crop,step', [
    (4, [(1356, 2040), (763, 1021)], 480, 240),
    (2, [(251, 333)], 96, 40),
    (1, [(97, 101)], 40, 24),
], ids=['x4-div2k', 'x2-odd', 'x1-odd'])
def test_export_of_subimages_gives_aligned_triplets(tmp_path, scale, sizes,
                                                    crop, step):
    """Cut before stage 1, exported from the sub-images, cropped by the
    stage-2 dataset: each crop's HR is the original photo's region at the
    sub-image's offset plus the crop's, its LR the box mean of that HR and
    its map the D output of that sub-image at the same place."""
    stride = scale * 2
    rng = np.random.default_rng(0)
    whole = tmp_path / 'whole'
    photos = {}
    for i, size in enumerate(sizes):
        photos[f'p{i}'] = block_image(size, stride, rng)[0]
        atomic_save_image(str(whole / 'hr' / f'p{i}.png'), photos[f'p{i}'])
    for i in range(2):
        atomic_save_image(str(whole / 'real_lr' / f'r{i}.png'),
                          random_image(P + 5, P + 3, seed=i))
    out = tmp_path / 'sub'
    prepare_subimage_root(str(whole), str(out), crop_size=crop, step=step,
                          lr_crop_size=P + 1, lr_step=P + 1)
    boxes = {
        osp.basename(r['file']): (osp.splitext(r['source'])[0], r['box_xywh'])
        for r in json.loads(
            (out / 'sources.json').read_text())['sub_images']['hr']
    }
    export_dir = str(tmp_path / 'export')
    export_domain_distance_maps(
        BoxMeanDSN(scale).double(), RedBlockMeanD(), str(out / 'hr'),
        export_dir, scale=scale, tile_size=256, show_progress=False)

    dataset = stage2_dataset(str(out), export_dir, scale)
    np.random.seed(0)
    ps = P * scale
    for idx in range(2 * len(boxes)):
        sample = dataset[idx]
        ds = sample['data_samples']
        name = osp.basename(ds.gt_path)
        photo_key, (bx, by, bw, bh) = boxes[name]
        sub_img = photos[photo_key][by:by + bh, bx:bx + bw]
        gt = ds.gt_img.permute(1, 2, 0).numpy().astype(np.uint8)
        lr = sample['inputs'].permute(1, 2, 0).numpy().astype(np.uint8)
        weight = ds.weight[0].numpy()
        # HR: the photo's own pixels, inside the sub-image
        y0, x0 = crop_offset(gt, photos[photo_key])
        sy, sx = y0 - by, x0 - bx
        assert 0 <= sy <= bh - ps and 0 <= sx <= bw - ps
        assert sy % scale == 0 and sx % scale == 0
        # LR: the DSN (box mean) of exactly that HR crop
        blocks = gt.astype(np.float64).reshape(P, scale, P, scale,
                                               3).mean(axis=(1, 3))
        np.testing.assert_allclose(lr, blocks, atol=1)
        # map: D of the sub-image (mean red of the LR per 2x2 block, last
        # LR row/column replicated), up-sampled onto the sub-image's HR
        # grid, at the crop's place
        h, w = bh // scale, bw // scale
        lr_red = sub_img[:h * scale, :w * scale, 0].astype(np.float64).reshape(
            h, scale, w, scale).mean(axis=(1, 3))
        lr_red = np.pad(lr_red, ((0, h % 2), (0, w % 2)), mode='edge')
        expected = lr_red.reshape(lr_red.shape[0] // 2, 2,
                                  lr_red.shape[1] // 2, 2).mean(
                                      axis=(1, 3)) / 255.
        np.testing.assert_allclose(
            np.load(map_path(export_dir, name)).astype(np.float64),
            expected, atol=2e-3)
        grid = F.interpolate(
            torch.from_numpy(expected)[None, None],
            scale_factor=stride, mode='bilinear',
            align_corners=False)[0, 0].numpy()
        np.testing.assert_allclose(weight, grid[sy:sy + ps, sx:sx + ps],
                                   atol=2e-3)
