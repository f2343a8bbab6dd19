"""The data-root builder end to end: demo and user mode, skip / refuse /
force / resume, byte-identical rebuilds."""
import json
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from dasr_mm.datasets import DatasetValidationError
from dasr_mm.datasets.degradations import SyntheticCameraDegradation
from dasr_mm.datasets.preparation import (SPLITS, prepare_demo_data,
                                          prepare_user_data)
from dasr_mm.datasets.preparation import data_root_builder


def _read(path):
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def _psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64))**2)
    return 10 * np.log10(255**2 / mse)


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo') / 'data'
    result = prepare_demo_data(str(root))
    return root, result


# ----------------------------------------------------------------------- demo
def test_demo_layout_sizes_and_counts(demo):
    root, result = demo
    assert not result.skipped
    hr = sorted(os.listdir(root / 'hr'))
    real = sorted(os.listdir(root / 'real_lr'))
    val_hr = sorted(os.listdir(root / 'val' / 'hr'))
    assert sorted(os.listdir(root / 'val' / 'lr')) == val_hr
    assert 30 <= len(hr) <= 48 and 8 <= len(real) <= 16
    assert 10 <= len(val_hr) <= 12
    assert result.counts == dict(hr=len(hr), real_lr=len(real),
                                 val=len(val_hr))
    assert {_read(root / 'hr' / n).shape for n in hr} == {(160, 160, 3)}
    assert {_read(root / 'real_lr' / n).shape for n in real} == {(48, 48, 3)}
    for name in val_hr:
        assert _read(root / 'val' / 'hr' / name).shape == (128, 128, 3)
        assert _read(root / 'val' / 'lr' / name).shape == (32, 32, 3)
    readme = (root / 'README.txt').read_text()
    assert 'Poisson-Gaussian' in readme and 'JPEG quality 90' in readme
    assert 'skimage.data.astronaut()' in readme


def test_demo_splits_use_disjoint_source_photos(demo, tree_bytes):
    root, _ = demo
    info = json.loads((root / 'sources.json').read_text())
    origins = {
        split: {s['origin'] for s in info['sources'][split]}
        for split in SPLITS
    }
    assert all(len(o) >= 2 for o in origins.values())
    assert not origins['hr'] & origins['real_lr']
    assert not origins['hr'] & origins['val']
    assert not origins['real_lr'] & origins['val']
    listed = set()
    for split in SPLITS:
        for record in info['splits'][split]:
            assert record['source'] in origins[split]
            listed.update(v for k, v in record.items() if k.endswith('_file'))
    on_disk = {
        f for f in tree_bytes(root) if f not in ('README.txt', 'sources.json')
    }
    assert listed == on_disk == set(info['files'])
    assert 'motorcycle_right' not in json.dumps(info)


def test_demo_build_is_byte_identical(demo, tmp_path, tree_bytes):
    root, _ = demo
    again = tmp_path / 'other_place'
    prepare_demo_data(str(again))
    assert tree_bytes(root) == tree_bytes(again)
    prepare_demo_data(str(tmp_path / 'seed1'), seed=1)
    assert (root / 'hr' / 'coffee_r0c0.png').read_bytes() == (
        tmp_path / 'seed1' / 'hr' / 'coffee_r0c0.png').read_bytes()
    assert tree_bytes(root)['val/lr/chelsea_r0c0.png'] != tree_bytes(
        tmp_path / 'seed1')['val/lr/chelsea_r0c0.png']


def test_demo_val_pairs_are_aligned(demo):
    """The LR matches the HR at zero shift better than at any 1-HR-px shift
    (through the degradation's own blur + area down-sampling) and better
    than a bicubic down-sampling shifted by one LR pixel."""
    root, _ = demo
    deg = SyntheticCameraDegradation(scale=4)
    for name in os.listdir(root / 'val' / 'hr'):
        hr = _read(root / 'val' / 'hr' / name).astype(np.float32)
        lr = _read(root / 'val' / 'lr' / name)
        inner = (slice(3, -3), slice(3, -3))

        def score(dx, dy, blur=True):
            shifted = np.roll(hr, (dy, dx), axis=(0, 1))
            if blur:
                shifted = cv2.filter2D(shifted, -1, deg.blur_kernel())
                down = cv2.resize(shifted, (32, 32),
                                  interpolation=cv2.INTER_AREA)
            else:
                down = cv2.resize(shifted, (32, 32),
                                  interpolation=cv2.INTER_CUBIC)
            down = np.clip(down, 0, 255).round().astype(np.uint8)
            return _psnr(down[inner], lr[inner])

        aligned = score(0, 0)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if dx or dy:
                    assert aligned > score(dx, dy), (name, dx, dy)
        bicubic = score(0, 0, blur=False)
        for dx, dy in ((4, 0), (-4, 0), (0, 4), (0, -4)):
            assert bicubic > score(dx, dy, blur=False) + 1, (name, dx, dy)


def test_rerun_skips_and_other_parameters_are_refused(demo, tmp_path,
                                                       tree_bytes):
    root, _ = demo
    before = {f: os.stat(root / f).st_mtime_ns for f in tree_bytes(root)}
    result = prepare_demo_data(str(root))
    assert result.skipped and result.counts == demo[1].counts
    assert {f: os.stat(root / f).st_mtime_ns
            for f in tree_bytes(root)} == before

    with pytest.raises(FileExistsError, match='other parameters'):
        prepare_demo_data(str(root), seed=5)
    with pytest.raises(FileExistsError, match='not made by this tool'):
        (tmp_path / 'foreign' / 'hr').mkdir(parents=True)
        prepare_demo_data(str(tmp_path / 'foreign'))


@pytest.fixture
def saved_images(monkeypatch):
    """Paths the builder writes images to, in order."""
    real_save = data_root_builder.atomic_save_image
    paths = []

    def save(path, img):
        paths.append(path)
        real_save(path, img)

    monkeypatch.setattr(data_root_builder, 'atomic_save_image', save)
    return paths


def test_force_rebuilds_and_missing_files_are_restored(tmp_path,
                                                       saved_images):
    root = tmp_path / 'demo'
    prepare_demo_data(str(root), scale=2)
    written = len(saved_images)
    lost = root / 'val' / 'lr' / sorted(os.listdir(root / 'val' / 'lr'))[0]
    lost.unlink()
    assert not prepare_demo_data(str(root), scale=2).skipped
    assert lost.is_file()
    assert saved_images[written:] == [str(lost)]  # the rest was kept

    (root / 'hr' / 'stray.png').write_bytes(b'x')
    result = prepare_demo_data(str(root), scale=1, force=True)
    assert not result.skipped
    assert len(saved_images) == 2 * written + 1  # force rewrites everything
    assert not (root / 'hr' / 'stray.png').exists()
    info = json.loads((root / 'sources.json').read_text())
    assert info['parameters']['scale'] == 1
    assert _read(lost).shape == (128, 128, 3)  # scale 1: LR = HR size


def test_interrupted_build_resumes_to_identical_result(
        tmp_path, monkeypatch, tree_bytes):
    real_save = data_root_builder.atomic_save_image
    calls = []

    def crash_after_five(path, img):
        calls.append(path)
        if len(calls) > 5:
            raise KeyboardInterrupt('killed')
        real_save(path, img)

    monkeypatch.setattr(data_root_builder, 'atomic_save_image',
                        crash_after_five)
    with pytest.raises(KeyboardInterrupt):
        prepare_demo_data(str(tmp_path / 'a'))
    assert not (tmp_path / 'a' / 'sources.json').exists()
    assert not [f for f in tree_bytes(tmp_path / 'a') if '.tmp-' in f]
    with pytest.raises(FileExistsError, match='interrupted build'):
        prepare_demo_data(str(tmp_path / 'a'), seed=3)
    done_before_crash = {
        f: os.stat(tmp_path / 'a' / f).st_mtime_ns
        for f in tree_bytes(tmp_path / 'a') if f.endswith('.png')
    }
    assert len(done_before_crash) == 5
    resumed = []

    def record(path, img):
        resumed.append(path)
        real_save(path, img)

    monkeypatch.setattr(data_root_builder, 'atomic_save_image', record)
    assert not prepare_demo_data(str(tmp_path / 'a')).skipped
    # the resume writes only what the crash left out
    assert not set(resumed) & set(calls[:5])
    assert {f: os.stat(tmp_path / 'a' / f).st_mtime_ns
            for f in done_before_crash} == done_before_crash
    assert len(resumed) + 5 == len(
        [f for f in tree_bytes(tmp_path / 'a') if f.endswith('.png')])
    monkeypatch.setattr(data_root_builder, 'atomic_save_image', real_save)
    prepare_demo_data(str(tmp_path / 'b'))
    assert tree_bytes(tmp_path / 'a') == tree_bytes(tmp_path / 'b')


# ----------------------------------------------------------------- user mode
@pytest.mark.parametrize('scale', [4, 1])
def test_user_mode_splits_photos(user_photos, tmp_path, scale, tree_bytes):
    out = tmp_path / 'out'
    result = prepare_user_data(str(user_photos), str(out), scale=scale, seed=2)
    # 7 photos: 1 val (10%, at least 1), 3 real_lr (half the rest), 3 hr
    assert result.counts == dict(hr=3, real_lr=3, val=1)
    stems = {
        split: {os.path.splitext(n)[0] for n in os.listdir(out / folder)}
        for split, folder in [('hr', 'hr'), ('real_lr', 'real_lr'),
                              ('val', 'val/hr')]
    }
    assert set.union(*stems.values()) == {f'p{i}' for i in range(7)}
    assert sum(map(len, stems.values())) == 7  # disjoint
    for stem in stems['hr']:  # clean HR: the photo cropped to a multiple
        src = _read(user_photos / f'{stem}.png')
        src = src[:src.shape[0] // scale * scale, :src.shape[1] // scale *
                  scale]
        np.testing.assert_array_equal(_read(out / 'hr' / f'{stem}.png'), src)
    for stem in stems['real_lr']:
        h, w = _read(user_photos / f'{stem}.png').shape[:2]
        assert _read(out / 'real_lr' / f'{stem}.png').shape == (h // scale,
                                                                w // scale, 3)
    (stem, ) = stems['val']
    hr = _read(out / 'val' / 'hr' / f'{stem}.png')
    lr = _read(out / 'val' / 'lr' / f'{stem}.png')
    assert hr.shape == (lr.shape[0] * scale, lr.shape[1] * scale, 3)
    assert str(user_photos) in (out / 'README.txt').read_text()
    other = prepare_user_data(str(user_photos), str(tmp_path / 'o2'),
                              scale=scale, seed=2)
    assert tree_bytes(out) == tree_bytes(tmp_path / 'o2')
    assert not other.skipped


def test_user_mode_tiles_and_non_rgb_inputs(user_photos, tmp_path,
                                            smooth_photo):
    Image.fromarray(smooth_photo(48, 48, 9)[..., 0]).save(
        user_photos / 'gray.png')
    out = tmp_path / 'out'
    result = prepare_user_data(str(user_photos), str(out), scale=4,
                               tile_size=20, val_count=2)
    # every photo (>= 42x50 px) gives 2x2 tiles of 20 px
    assert result.counts == dict(hr=12, real_lr=12, val=8)
    assert {_read(out / 'real_lr' / n).shape
            for n in os.listdir(out / 'real_lr')} == {(5, 5, 3)}
    # adding a photo changes the inputs: refused without force
    Image.fromarray(smooth_photo(48, 48, 10)).save(user_photos / 'new.png')
    with pytest.raises(FileExistsError):
        prepare_user_data(str(user_photos), str(out), scale=4, tile_size=20,
                          val_count=2)


def test_bad_hr_dir_is_reported(tmp_path, smooth_photo):
    out = str(tmp_path / 'out')
    with pytest.raises(DatasetValidationError, match='does not exist'):
        prepare_user_data(str(tmp_path / 'missing'), out)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(DatasetValidationError, match='no images'):
        prepare_user_data(str(tmp_path / 'empty'), out)

    few = tmp_path / 'few'
    few.mkdir()
    for i in range(2):
        Image.fromarray(smooth_photo(40, 40, i)).save(few / f'{i}.png')
    with pytest.raises(DatasetValidationError, match='at least 3'):
        prepare_user_data(str(few), out)

    (few / 'x.png').write_bytes(b'broken')
    Image.fromarray(smooth_photo(40, 40, 5)).save(few / 'small.png')
    Image.fromarray(smooth_photo(8, 40, 6)).save(few / 'thin.png')
    with pytest.raises(DatasetValidationError) as e:
        prepare_user_data(str(few), out, tile_size=16)
    assert len(e.value.problems) == 2
    assert "'x.png' cannot be read" in str(e.value)
    assert "'thin.png' is 40x8 px" in str(e.value)
    assert not os.path.exists(out)
