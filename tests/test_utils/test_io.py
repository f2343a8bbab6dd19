import errno
import os
import stat

import cv2
import numpy as np
import pytest

from dasr_mm.utils.io import (atomic_save_image, atomic_save_json,
                              atomic_save_npy, read_rgb)


def test_read_rgb_converts_like_the_dataset_loader(tmp_path):
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV order
    cv2.imwrite(str(tmp_path / 'blue.png'), bgr)
    gray = np.full((3, 2), 7, np.uint8)
    cv2.imwrite(str(tmp_path / 'gray.png'), gray)
    rgb = read_rgb(str(tmp_path / 'blue.png'))
    assert rgb.shape == (4, 5, 3) and rgb.dtype == np.uint8
    assert (rgb[..., 2] == 255).all() and (rgb[..., 0] == 0).all()
    assert (read_rgb(str(tmp_path / 'gray.png')) == 7).all()
    assert read_rgb(str(tmp_path / 'gray.png')).shape == (3, 2, 3)


def test_read_rgb_names_an_undecodable_file(tmp_path):
    (tmp_path / 'bad.png').write_bytes(b'not an image')
    with pytest.raises(OSError, match='bad.png'):
        read_rgb(str(tmp_path / 'bad.png'))


@pytest.fixture
def umask_027():
    """Run with umask 0o027 (so the expected mode 0o640 differs from both
    mkstemp's 0o600 and the usual 0o644); restores the previous umask."""
    previous = os.umask(0o027)
    yield 0o666 & ~0o027
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_writes_get_the_umask_permissions(tmp_path, umask_027):
    atomic_save_image(str(tmp_path / 'a.png'), np.zeros((2, 3, 3), np.uint8))
    atomic_save_npy(str(tmp_path / 'm.npy'), np.zeros((2, 2), np.float16))
    atomic_save_json(str(tmp_path / 'manifest.json'), dict(a=1))
    for name in ('a.png', 'm.npy', 'manifest.json'):
        assert _mode(tmp_path / name) == umask_027 == 0o640, name


def test_disk_full_names_the_file_and_keeps_the_old_one(tmp_path,
                                                        monkeypatch):
    target = tmp_path / 'maps' / 'a.npy'
    atomic_save_npy(str(target), np.ones(3))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(np, 'save', full)
    with pytest.raises(OSError) as e:
        atomic_save_npy(str(target), np.zeros(3))
    assert e.value.errno == errno.ENOSPC
    assert str(target) in str(e.value) and 'No space left' in str(e.value)
    monkeypatch.undo()
    assert (np.load(str(target)) == 1).all()  # the previous content
    assert os.listdir(tmp_path / 'maps') == ['a.npy']  # no temp file left
