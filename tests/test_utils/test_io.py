import cv2
import numpy as np
import pytest

from dasr_mm.utils.io import read_rgb


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
