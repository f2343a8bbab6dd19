"""The export → stage-2 size contract at the sizes users have (DIV2K's
2040x1356 and friends, whose sides are 4 mod 8; odd phone sizes; x1, x2).

The real export (``export_domain_distance_maps``, tiled) runs with networks
whose outputs are known in closed form, then the real stage-2 dataset and
``TripletRandomCrop`` cut crops. For every crop the test checks that LR, HR
and map cover the same scene region:

* the HR image is piecewise constant on ``map_stride x map_stride`` blocks in
  its red channel (random block values ``v``); green/blue encode the position
  (``y % 256``, ``x % 256``), which finds each crop's offset;
* the DSN is the exact ``scale x scale`` box mean, so the LR crop must equal
  the box mean of the HR crop (to the 8-bit rounding);
* D's map is the mean of the red channel over each 2x2 LR block (its
  extractor is the real wavelet one, which pads odd sizes), so the exported
  map must equal ``v / 255`` and the loaded map crop must equal ``v``
  up-sampled by ``map_stride`` at the crop's offset.
"""
import os.path as osp
from typing import Dict, Tuple

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from dasr_mm.apis import export_domain_distance_maps
from dasr_mm.models.archs import HighFrequencyExtractor
from dasr_mm.models.archs.high_frequency_extractor import haar_dwt
from dasr_mm.utils.io import atomic_save_image, read_rgb
from dasr_mm.utils.manifest import load_manifest, lr_path, map_path
from mmagic.registry import DATASETS

P = 16  # LR patch size
EXTRACTOR = dict(mode='wavelet')
DIV2K_SIZES = [(1356, 2040), (2040, 1356), (1404, 2040), (763, 1021)]


class BoxMeanDSN(nn.Module):
    """``scale x scale`` block mean: (N, 3, H, W) → (N, 3, H/s, W/s)."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.anchor = nn.Parameter(torch.zeros(()))  # gives a dtype/device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(x, self.scale) + self.anchor


class RedBlockMeanD(nn.Module):
    """Map = mean red over each 2x2 LR block (the wavelet LL band / 2)."""

    receptive_field = 1

    def __init__(self) -> None:
        super().__init__()
        self.extractor = HighFrequencyExtractor(**EXTRACTOR)

    def domain_distance_map(self, x: torch.Tensor) -> torch.Tensor:
        return haar_dwt(x)[0][:, :1] / 2


def block_image(size: Tuple[int, int], stride: int,
                rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """HR image (H, W, 3) uint8 with red constant on ``stride`` blocks
    (values ``v``, returned too) and green/blue = position mod 256."""
    h, w = size
    v = rng.integers(40, 216, (-(-h // stride), -(-w // stride)))
    yy, xx = np.mgrid[0:h, 0:w]
    red = np.repeat(np.repeat(v, stride, 0), stride, 1)[:h, :w]
    return np.stack([red, yy % 256, xx % 256], -1).astype(np.uint8), v


def crop_offset(gt: np.ndarray, hr: np.ndarray) -> Tuple[int, int]:
    """Offset of the crop ``gt`` inside ``hr`` (position channels)."""
    ps = gt.shape[0]
    for y0 in range(int(gt[0, 0, 1]), hr.shape[0] - ps + 1, 256):
        for x0 in range(int(gt[0, 0, 2]), hr.shape[1] - ps + 1, 256):
            if np.array_equal(hr[y0:y0 + ps, x0:x0 + ps], gt):
                return y0, x0
    raise AssertionError('the HR crop is not a crop of its HR image')


def make_root(tmp_path, sizes, scale: int, stride: int):
    rng = np.random.default_rng(0)
    root = str(tmp_path / 'data')
    hr: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
    for i, size in enumerate(sizes):
        name = f'{i:04d}.png'
        hr[name] = block_image(size, stride, rng)
        atomic_save_image(osp.join(root, 'hr', name), hr[name][0])
    for i in range(2):
        real = rng.integers(0, 256, (P + 5, P + 3, 3)).astype(np.uint8)
        atomic_save_image(osp.join(root, 'real_lr', f'r{i}.png'), real)
    return root, hr


def stage2_dataset(root: str, export_dir: str, scale: int):
    load = dict(type='LoadImageFromFile', color_type='color',
                channel_order='rgb')
    return DATASETS.build(
        dict(
            type='DomainDistanceTripletDataset',
            data_root=root,
            export_dir=export_dir,
            extractor=EXTRACTOR,
            scale=scale,
            lr_patch_size=P,
            pipeline=[
                dict(load, key='gt'),
                dict(load, key='img'),
                dict(type='LoadDomainDistanceMap', key='weight',
                     size_key='gt'),
                dict(type='TripletRandomCrop', lr_patch_size=P, scale=scale),
                dict(load, key='target_img'),
                dict(load, key='target_gt'),
                dict(type='Crop', keys=['target_img'], crop_size=(P, P)),
                dict(type='Crop', keys=['target_gt'],
                     crop_size=(P * scale, P * scale)),
                dict(type='PackInputs', keys='img',
                     data_keys=['weight', 'target_img', 'target_gt']),
            ]))


@pytest.mark.parametrize('scale,sizes', [
    (4, DIV2K_SIZES),
    (2, [(763, 1021), (1021, 763), (98, 131)]),
    (1, [(251, 333), (333, 251), (97, 101)]),
], ids=['x4-div2k', 'x2-odd', 'x1-odd'])
def test_export_and_stage2_crops_cover_the_same_region(tmp_path, scale,
                                                       sizes):
    stride = scale * 2
    root, hr = make_root(tmp_path, sizes, scale, stride)
    export_dir = str(tmp_path / 'export')
    export_domain_distance_maps(
        BoxMeanDSN(scale).double(), RedBlockMeanD(), osp.join(root, 'hr'),
        export_dir, scale=scale, tile_size=256, show_progress=False)
    assert load_manifest(export_dir)['map_stride'] == stride

    # the exported files follow the contract
    for name, (img, v) in hr.items():
        h, w = img.shape[0] // scale, img.shape[1] // scale
        lr = read_rgb(lr_path(export_dir, name))
        blocks = img[:h * scale, :w * scale].astype(np.float64).reshape(
            h, scale, w, scale, 3).mean(axis=(1, 3))
        # float rounding of x.5 means: 1 level; a 1-px shift changes the
        # position channels by ``scale`` levels
        np.testing.assert_allclose(lr, blocks, atol=1)
        weight = np.load(map_path(export_dir, name)).astype(np.float32)
        mh, mw = -(-h // 2), -(-w // 2)
        assert weight.shape == (mh, mw)
        # v's last row/column may lie wholly in the HR rows the LR drops
        np.testing.assert_allclose(
            weight, v[:mh, :mw] / 255., atol=2e-3)  # float16

    dataset = stage2_dataset(root, export_dir, scale)
    np.random.seed(0)
    ps = P * scale
    seen = set()
    for idx in range(3 * len(sizes)):
        sample = dataset[idx]
        ds = sample['data_samples']
        name = osp.basename(ds.gt_path)
        img, v = hr[name]
        gt = ds.gt_img.permute(1, 2, 0).numpy().astype(np.uint8)
        lr = sample['inputs'].permute(1, 2, 0).numpy().astype(np.uint8)
        weight = ds.weight[0].numpy()
        assert gt.shape == (ps, ps, 3) and lr.shape == (P, P, 3)
        assert weight.shape == (ps, ps)
        y0, x0 = crop_offset(gt, img)
        assert y0 % scale == 0 and x0 % scale == 0
        blocks = gt.astype(np.float64).reshape(P, scale, P, scale,
                                               3).mean(axis=(1, 3))
        np.testing.assert_allclose(lr, blocks, atol=1)
        mh, mw = (-(-(side // scale) // 2) for side in img.shape[:2])
        grid = F.interpolate(
            torch.from_numpy(v[:mh, :mw] / 255.)[None, None],
            scale_factor=stride,
            mode='bilinear',
            align_corners=False)[0, 0].numpy()
        np.testing.assert_allclose(
            weight, grid[y0:y0 + ps, x0:x0 + ps], atol=2e-3)
        seen.add(name)
    assert seen == set(hr)  # every image was cropped
