"""Domain-gap score (paper Fig. 1) on tiny synthetic LR domains built from
scikit-image photos: a "real" degradation (blur, x4 area down-sampling,
Gaussian noise, JPEG), the same degradation with other noise, and plain
bicubic down-sampling."""
import json
import os.path as osp
import re
import subprocess

import cv2
import numpy as np
import pytest
import torch
from skimage import data
from sklearn.metrics import roc_auc_score

from dasr_mm.evaluation import domain_gap_auc, pair_by_stem, rank_auc

NUM_PAIRS = 10


def _hr_crops(num: int, rng: np.random.Generator) -> list:
    """HR crops of 128-192 px (LR 32-48 px after x4) from four photos."""
    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    crops = []
    for i in range(num):
        photo = photos[i % len(photos)]
        h, w = rng.choice([128, 160, 192], 2)
        y = rng.integers(0, photo.shape[0] - h)
        x = rng.integers(0, photo.shape[1] - w)
        crops.append(np.ascontiguousarray(photo[y:y + h, x:x + w]))
    return crops


def _real_degradation(hr: np.ndarray, seed: int) -> np.ndarray:
    """Blur, x4 area down-sampling, noise sigma 0.02 * 255, JPEG q75."""
    rng = np.random.default_rng(seed)
    lr = cv2.resize(
        cv2.GaussianBlur(hr.astype(np.float32), (0, 0), 1.0),
        (hr.shape[1] // 4, hr.shape[0] // 4),
        interpolation=cv2.INTER_AREA)
    lr = np.clip(lr + rng.normal(0, 0.02 * 255, lr.shape), 0, 255)
    _, jpeg = cv2.imencode('.jpg',
                           np.uint8(lr)[..., ::-1],
                           [cv2.IMWRITE_JPEG_QUALITY, 75])
    return np.ascontiguousarray(
        cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[..., ::-1])


def _bicubic(hr: np.ndarray) -> np.ndarray:
    return cv2.resize(
        hr, (hr.shape[1] // 4, hr.shape[0] // 4),
        interpolation=cv2.INTER_CUBIC)


@pytest.fixture(scope='module')
def domains() -> dict:
    hrs = _hr_crops(NUM_PAIRS, np.random.default_rng(0))
    return dict(
        real=[_real_degradation(hr, 100 + i) for i, hr in enumerate(hrs)],
        again=[_real_degradation(hr, 200 + i) for i, hr in enumerate(hrs)],
        bicubic=[_bicubic(hr) for hr in hrs])


def test_real_domain_against_itself_scores_near_chance(domains):
    result = domain_gap_auc(domains['real'], domains['again'])
    assert abs(result.auc - 0.5) < 0.15, result.auc  # measured 0.43
    assert result.num_pairs == NUM_PAIRS
    assert sorted(result.train_indices + result.test_indices) == list(
        range(NUM_PAIRS))
    assert len(result.train_indices) == NUM_PAIRS // 2
    assert result.num_test_patches == len(result.candidate_scores) > 0
    assert np.isfinite(result.real_scores).all()
    summary = result.summary()
    assert summary['num_test_pairs'] == NUM_PAIRS - NUM_PAIRS // 2
    assert summary['settings']['patch_size'] == 32
    assert summary['settings']['steps'] == 300
    json.dumps(summary)


def test_bicubic_is_told_from_the_real_domain(domains):
    result = domain_gap_auc(domains['real'], domains['bicubic'])
    assert result.auc > 0.85, result.auc  # measured 1.00
    assert result.real_scores.mean() > result.candidate_scores.mean()


def test_same_seed_same_result_and_global_torch_state_untouched(domains):
    kwargs = dict(steps=20, patch_size=16)
    rng_state, threads = torch.get_rng_state(), torch.get_num_threads()
    first = domain_gap_auc(domains['real'], domains['bicubic'], **kwargs)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert torch.get_num_threads() == threads
    second = domain_gap_auc(domains['real'], domains['bicubic'], **kwargs)
    assert first.auc == second.auc
    np.testing.assert_array_equal(first.real_scores, second.real_scores)
    np.testing.assert_array_equal(first.candidate_scores,
                                  second.candidate_scores)
    other = domain_gap_auc(
        domains['real'], domains['bicubic'], seed=1, **kwargs)
    assert other.test_indices != first.test_indices or not np.array_equal(
        other.real_scores, first.real_scores)


def test_pairs_of_different_sizes_use_their_common_top_left_region():
    rng = np.random.default_rng(0)
    real = [
        rng.integers(0, 256, s + (3, ), np.uint8)
        for s in ((20, 20), (24, 18), (19, 30))
    ]
    cand = [
        rng.integers(0, 256, (22, 20, 3), np.uint8),  # taller than its real
        rng.integers(0, 256, (20, 26, 3), np.uint8),  # mixed
        rng.integers(0, 256, (19, 30, 3), np.uint8),
    ]
    kwargs = dict(patch_size=16, steps=5)
    result = domain_gap_auc(real, cand, **kwargs)
    cropped = [(r[:h, :w], c[:h, :w]) for r, c in zip(real, cand)
               for h, w in [np.minimum(r.shape[:2], c.shape[:2])]]
    expected = domain_gap_auc(*zip(*cropped), **kwargs)
    np.testing.assert_array_equal(result.real_scores, expected.real_scores)
    np.testing.assert_array_equal(result.candidate_scores,
                                  expected.candidate_scores)


def test_clear_errors():
    img = np.zeros((32, 32, 3), np.uint8)
    with pytest.raises(ValueError, match='at least 2 .* got 1'):
        domain_gap_auc([img], [img])
    with pytest.raises(ValueError, match='2 real image.* 1 candidate'):
        domain_gap_auc([img, img], [img])
    small = np.zeros((32, 20, 3), np.uint8)
    with pytest.raises(
            ValueError, match=r'pair 1: .* 32x20, smaller than '
            r'patch_size=32'):
        domain_gap_auc([img, img], [img, small])
    with pytest.raises(ValueError, match='lr/b.png'):
        domain_gap_auc([img, img], [img, small],
                       names=['lr/a.png', 'lr/b.png'])
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8'):
        domain_gap_auc([img, img], [img, img.astype(np.float32)])


def test_rank_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    pos = rng.integers(0, 5, 40).astype(float)
    neg = rng.integers(0, 4, 30).astype(float)
    expected = roc_auc_score(np.r_[np.ones(40), np.zeros(30)], np.r_[pos, neg])
    assert rank_auc(pos, neg) == pytest.approx(expected)
    assert rank_auc(np.array([1.0]), np.array([0.0])) == 1.0
    assert rank_auc(np.array([0.5]), np.array([0.5])) == 0.5


def _touch_images(folder, names) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        cv2.imwrite(str(folder / name), np.zeros((4, 4, 3), np.uint8))


def test_pair_by_stem(tmp_path):
    _touch_images(tmp_path / 'real', ['a.png', 'b.png', 'c.png'])
    _touch_images(tmp_path / 'gen', ['a.jpg', 'b.png', 'z.png'])
    pairs = pair_by_stem(str(tmp_path / 'real'), str(tmp_path / 'gen'))
    assert pairs.real_files == ('a.png', 'b.png')
    assert pairs.set_files == ('a.jpg', 'b.png')
    assert pairs.set_only == ('z.png', ) and pairs.real_only == ('c.png', )
    _touch_images(tmp_path / 'other', ['x.png'])
    with pytest.raises(ValueError, match='no image of .*other.* x.png'):
        pair_by_stem(str(tmp_path / 'real'), str(tmp_path / 'other'))
    _touch_images(tmp_path / 'gen', ['a.bmp'])
    with pytest.raises(ValueError, match='a.bmp and a.jpg share the stem'):
        pair_by_stem(str(tmp_path / 'real'), str(tmp_path / 'gen'))


def test_cli_end_to_end(tmp_path, domains, repo_root, python_env, python_exe):
    tool = osp.join(repo_root, 'tools', 'analysis', 'domain_gap.py')
    usage = subprocess.run([python_exe, tool, '--help'],
                           capture_output=True,
                           text=True,
                           env=python_env)
    assert usage.returncode == 0 and '--patch-size' in usage.stdout

    folders = {name: tmp_path / name for name in ('real', 'again', 'bicubic')}
    for name, folder in folders.items():
        folder.mkdir()
        ext = '.bmp' if name == 'again' else '.png'
        for i, img in enumerate(domains[name]):
            if not (name == 'again' and i == 3):  # real img_03 has no partner
                cv2.imwrite(str(folder / f'img_{i:02d}{ext}'), img[..., ::-1])
    cv2.imwrite(str(folders['bicubic'] / 'stray.png'), domains['bicubic'][0])
    out_dir = tmp_path / 'report'
    result = subprocess.run([
        python_exe, tool,
        str(folders['real']),
        str(folders['again']),
        str(folders['bicubic']), '--out-dir',
        str(out_dir), '--patch-size', '24', '--steps', '100', '--seed', '1'
    ],
                            cwd=repo_root,
                            capture_output=True,
                            text=True,
                            env=python_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'bicubic: no real partner for stray.png' in out
    assert 'again: no partner in the set for real img_03.png' in out
    rows = dict(
        (m[1], (int(m[2]), float(m[3])))
        for m in re.finditer(r'^(\w+)\s+(\d+)\s+(\d\.\d{3})$', out, re.M))
    assert rows.keys() == {'again', 'bicubic'}
    assert rows['again'][0] == NUM_PAIRS - 1
    assert abs(rows['again'][1] - 0.5) < 0.15
    assert rows['bicubic'][0] == NUM_PAIRS and rows['bicubic'][1] > 0.85

    report = json.loads((out_dir / 'domain_gap.json').read_text())
    assert report['real_dir'] == str(folders['real'])
    bicubic = report['sets']['bicubic']
    assert bicubic['auc'] == pytest.approx(rows['bicubic'][1], abs=5e-4)
    assert bicubic['num_pairs'] == NUM_PAIRS
    assert bicubic['num_train_pairs'] + bicubic['num_test_pairs'] == NUM_PAIRS
    assert bicubic['num_test_patches'] > 0
    assert bicubic['set_only'] == ['stray.png'] and bicubic['real_only'] == []
    assert bicubic['settings']['patch_size'] == 24
    assert bicubic['settings']['steps'] == 100
    assert bicubic['settings']['seed'] == 1
    assert report['sets']['again']['real_only'] == ['img_03.png']
    png = cv2.imread(str(out_dir / 'domain_gap.png'))
    assert png is not None and png.shape[0] > 100 and png.shape[1] > 100
