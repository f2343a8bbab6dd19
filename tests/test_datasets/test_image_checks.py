import logging

import cv2
import numpy as np
import pytest
from PIL import Image

import dasr_mm  # noqa: F401  (compat for mmagic's imports)
from dasr_mm.datasets import (DatasetValidationError, check_image_folder,
                              check_paired_folders)


def _rgb(h, w, seed=0):
    return np.random.default_rng(seed).integers(
        0, 256, (h, w, 3), dtype=np.uint8)


def _save(path, img):
    Image.fromarray(img).save(path)


def _non_rgb_folder(folder):
    """One plain RGB image plus every non-RGB flavour; returns the arrays
    written for the non-RGB ones."""
    rng = np.random.default_rng(1)
    rgb = _rgb(12, 16)
    gray = rng.integers(0, 256, (12, 16), dtype=np.uint8)
    rgba = rng.integers(0, 256, (12, 16, 4), dtype=np.uint8)
    rgb16 = rng.integers(0, 65536, (12, 16, 3), dtype=np.uint16)
    gray16 = rng.integers(0, 65536, (12, 16), dtype=np.uint16)
    _save(folder / 'plain.png', rgb)
    _save(folder / 'gray.png', gray)
    _save(folder / 'alpha.png', rgba)
    Image.fromarray(rgb).convert('P').save(folder / 'palette.png')
    cv2.imwrite(str(folder / 'deep.png'), rgb16[..., ::-1])  # RGB -> BGR
    cv2.imwrite(str(folder / 'gray16.png'), gray16)
    return dict(gray=gray, rgba=rgba, rgb16=rgb16, gray16=gray16)


def test_valid_folder_returns_sorted_names(tmp_path, mm_log_records):
    for name in ['b.png', 'a.jpg', 'c.PNG']:
        _save(tmp_path / name, _rgb(8, 10))
    (tmp_path / 'notes.txt').write_text('not an image')
    assert check_image_folder(str(tmp_path), role='HR') == [
        'a.jpg', 'b.png', 'c.PNG'
    ]
    assert not [r for r in mm_log_records if 'converted' in r.getMessage()]


def test_missing_folder(tmp_path):
    with pytest.raises(DatasetValidationError) as e:
        check_image_folder(str(tmp_path / 'nope'), role='real LR')
    assert 'real LR' in str(e.value)
    assert 'does not exist' in str(e.value)
    assert 'nope' in str(e.value)


def test_empty_folder_names_accepted_extensions(tmp_path):
    (tmp_path / 'readme.txt').write_text('x')
    (tmp_path / 'photo.gif').write_bytes(b'GIF89a')
    with pytest.raises(DatasetValidationError) as e:
        check_image_folder(str(tmp_path), role='HR')
    assert len(e.value.problems) == 1
    assert 'no images' in str(e.value)
    assert '.png' in str(e.value) and '.jpg' in str(e.value)


def test_every_problem_is_reported_at_once(tmp_path):
    _save(tmp_path / 'good.png', _rgb(32, 40))
    (tmp_path / 'garbage.png').write_bytes(b'this is not a png')
    (tmp_path / 'empty.jpg').write_bytes(b'')
    good_bytes = (tmp_path / 'good.png').read_bytes()
    (tmp_path / 'truncated.png').write_bytes(good_bytes[:len(good_bytes) // 2])
    _save(tmp_path / 'tiny.png', _rgb(20, 50))  # shorter side 20
    _save(tmp_path / 'dup.png', _rgb(32, 32))
    _save(tmp_path / 'dup.jpg', _rgb(32, 32))

    with pytest.raises(DatasetValidationError) as e:
        check_image_folder(str(tmp_path), role='HR', min_size=24)
    problems = e.value.problems
    assert len(problems) == 5, problems
    joined = '\n'.join(problems)
    for name in ['garbage.png', 'empty.jpg', 'truncated.png', 'tiny.png']:
        assert sum(name in p for p in problems) == 1, name
        assert name in str(e.value)
    assert 'dup.jpg and dup.png' in joined
    tiny = next(p for p in problems if 'tiny.png' in p)
    assert '50x20' in tiny and '24' in tiny
    assert 'remove it' in tiny and 'crop size' in tiny
    assert 'good.png' not in joined


def test_non_rgb_images_pass_with_one_note(tmp_path, mm_log_records):
    _non_rgb_folder(tmp_path)
    names = check_image_folder(str(tmp_path), role='HR')
    assert names == sorted(p.name for p in tmp_path.iterdir())
    notes = [r for r in mm_log_records if 'converted' in r.getMessage()]
    assert len(notes) == 1
    msg = notes[0].getMessage()
    assert notes[0].levelno == logging.WARNING
    assert '8-bit RGB' in msg
    for expected in ['gray.png (L)', 'alpha.png (RGBA)', 'palette.png (P)',
                     'deep.png (16-bit RGB)', 'gray16.png (I;16']:
        assert expected in msg, expected
    assert 'plain.png' not in msg


def test_mmagic_loader_converts_non_rgb_to_8bit_rgb(tmp_path):
    """The claim of the note: LoadImageFromFile(color_type='color',
    channel_order='rgb') gives (H, W, 3) uint8 RGB for every flavour."""
    from mmagic.datasets.transforms import LoadImageFromFile
    arrays = _non_rgb_folder(tmp_path)
    load = LoadImageFromFile(key='img', color_type='color',
                             channel_order='rgb')

    def loaded(name):
        img = load(dict(img_path=str(tmp_path / name)))['img']
        assert img.shape == (12, 16, 3) and img.dtype == np.uint8, name
        return img

    gray = loaded('gray.png')
    for c in range(3):
        np.testing.assert_array_equal(gray[..., c], arrays['gray'])
    np.testing.assert_array_equal(loaded('alpha.png'),
                                  arrays['rgba'][..., :3])  # alpha dropped
    np.testing.assert_array_equal(loaded('deep.png'),
                                  (arrays['rgb16'] >> 8).astype(np.uint8))
    np.testing.assert_array_equal(
        loaded('gray16.png')[..., 1], (arrays['gray16'] >> 8).astype(np.uint8))
    loaded('palette.png')


def _pair(root, name, lr_hw, hr_hw, ext='.png'):
    _save(root / 'lr' / (name + ext), _rgb(*lr_hw))
    _save(root / 'hr' / (name + ext), _rgb(*hr_hw))


@pytest.fixture
def pair_root(tmp_path):
    (tmp_path / 'lr').mkdir()
    (tmp_path / 'hr').mkdir()
    return tmp_path


def test_paired_folders_match_by_stem(pair_root):
    _pair(pair_root, 'b', (8, 10), (32, 40))
    _save(pair_root / 'lr' / 'a.png', _rgb(6, 6))
    _save(pair_root / 'hr' / 'a.jpg', _rgb(24, 24))
    assert check_paired_folders(
        str(pair_root / 'lr'), str(pair_root / 'hr'), scale=4) == ['a', 'b']


def test_paired_folders_same_size_for_scale_1(pair_root):
    _pair(pair_root, 'a', (8, 10), (8, 10))
    assert check_paired_folders(
        str(pair_root / 'lr'), str(pair_root / 'hr'), scale=1) == ['a']
    with pytest.raises(DatasetValidationError, match='HR is 10x8 px'):
        check_paired_folders(
            str(pair_root / 'lr'), str(pair_root / 'hr'), scale=2)


def test_paired_folders_report_partners_sizes_and_folder_problems(pair_root):
    _pair(pair_root, 'ok', (8, 10), (32, 40))
    _pair(pair_root, 'wrong', (8, 10), (30, 40))
    _save(pair_root / 'lr' / 'only_lr.png', _rgb(8, 8))
    _save(pair_root / 'hr' / 'only_hr.png', _rgb(32, 32))
    (pair_root / 'lr' / 'broken.png').write_bytes(b'nope')

    with pytest.raises(DatasetValidationError) as e:
        check_paired_folders(
            str(pair_root / 'lr'), str(pair_root / 'hr'), scale=4)
    problems = e.value.problems
    assert len(problems) == 4, problems
    assert any('only_lr.png' in p and 'no HR partner' in p for p in problems)
    assert any('only_hr.png' in p and 'no LR partner' in p for p in problems)
    assert any('broken.png' in p and 'paired LR' in p for p in problems)
    wrong = next(p for p in problems if 'wrong' in p)
    assert '40x30' in wrong and '10x8' in wrong and '40x32' in wrong


def test_paired_folders_missing_hr_folder(pair_root):
    _pair(pair_root, 'a', (8, 8), (32, 32))
    with pytest.raises(DatasetValidationError) as e:
        check_paired_folders(
            str(pair_root / 'lr'), str(pair_root / 'missing'), scale=4)
    assert len(e.value.problems) == 1
    assert 'paired HR' in str(e.value) and 'does not exist' in str(e.value)
