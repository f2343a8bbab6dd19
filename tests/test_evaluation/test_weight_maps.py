"""Weight-map pictures of an export: the map lands on the LR pixels the
size contract says it covers, colours are on a fixed [0, 1] scale, and bad
exports are named."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from matplotlib import colormaps

from dasr_mm.evaluation.weight_maps import (COLORMAP, OVERLAY_ALPHA, overlay,
                                            read_export, show_weight_maps)
from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy)
from dasr_mm.utils.manifest import (MANIFEST_NAME, build_manifest, lr_path,
                                    map_path)


@pytest.fixture
def export_dir(tmp_path):
    """x4 wavelet export (map stride 8) of two HR images of odd sizes: LR
    9x12 and 10x10, map left half 1, right half 0 (in map pixels)."""
    root = str(tmp_path / 'export')
    rng = np.random.default_rng(0)
    sizes = {'a.png': (37, 50), 'b.jpg': (40, 43)}
    for name, (h, w) in sizes.items():
        lr = rng.integers(0, 256, (h // 4, w // 4, 3), np.uint8)
        weight = np.zeros((-(-(h // 4) // 2), -(-(w // 4) // 2)), np.float16)
        weight[:, :weight.shape[1] // 2] = 1
        atomic_save_image(lr_path(root, name), lr)
        atomic_save_npy(map_path(root, name), weight)
    atomic_save_json(
        osp.join(root, MANIFEST_NAME),
        build_manifest(dsn_checkpoint='dsn.pth', extractor=dict(
            mode='wavelet'), scale=4, map_stride=8, images=list(sizes),
                       hr_dir=str(tmp_path), rf_average=False,
                       complete=True))
    return root


def test_map_is_resampled_onto_the_lr_grid_by_the_contract(export_dir):
    a, b = read_export(export_dir)
    assert (a.name, a.lr.shape, a.weight.shape) == ('a.png', (9, 12, 3),
                                                    (5, 6))
    assert a.weight_on_lr.shape == (9, 12) and b.weight_on_lr.shape == (10,
                                                                        10)
    # map column j covers LR columns [2j, 2j + 2): columns 0-5 are inside
    # the ones-half (3 map columns), away from the bilinear transition
    assert np.allclose(a.weight_on_lr[:, :5], 1)
    assert np.allclose(a.weight_on_lr[:, 7:], 0)
    assert a.stats()['mean'] == pytest.approx(0.5)
    assert (a.stats()['min'], a.stats()['max']) == (0, 1)


def test_overlay_colours_are_on_a_fixed_scale():
    lr = np.full((4, 4, 3), 100, np.uint8)
    weight = np.zeros((4, 4), np.float32)
    weight[:, 2:] = 1
    out = overlay(lr, weight)
    for value, col in ((0., 0), (1., 3)):  # floats: [0, 1] scale
        heat = np.array(colormaps[COLORMAP](value)[:3]) * 255
        expected = (1 - OVERLAY_ALPHA) * 100 + OVERLAY_ALPHA * heat
        assert np.abs(out[0, col].astype(float) - expected).max() <= 0.5
    assert overlay(lr, weight * 0.5)[0, 3].tolist() != out[0, 3].tolist()


def test_show_weight_maps_writes_figures_and_stats(export_dir, tmp_path):
    out = str(tmp_path / 'pictures')
    summary = show_weight_maps(export_dir, out, max_images=1)
    assert [i['name'] for i in summary['images']] == ['a.png']
    figure = cv2.imread(osp.join(out, 'a.png'))
    assert figure.shape == (320, 1000, 3)
    # the overlay panel holds the heat colours, not only the grey LR
    assert figure.std() > 10
    saved = json.load(open(osp.join(out, 'weight_maps.json')))
    assert saved['mean_weight'] == pytest.approx(0.5)
    assert show_weight_maps(export_dir, out,
                            names=['b.jpg'])['images'][0]['name'] == 'b.jpg'


def test_bad_exports_are_named(export_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match='not in its manifest'):
        read_export(export_dir, ['c.png'])
    atomic_save_npy(map_path(export_dir, 'a.png'),
                    np.zeros((9, 12), np.float16))  # LR-sized, not map-sized
    with pytest.raises(ValueError,
                       match=r'a\.npy: map is \(9, 12\).*\(5, 6\)'):
        read_export(export_dir, ['a.png'])
    os.remove(map_path(export_dir, 'b.jpg'))
    with pytest.raises(FileNotFoundError, match='incomplete'):
        read_export(export_dir, ['b.jpg'])
    with pytest.raises(ValueError, match='no export manifest'):
        read_export(str(tmp_path))
