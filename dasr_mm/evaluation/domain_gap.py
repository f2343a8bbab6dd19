"""Domain-gap score of generated LR images against real LR images (the
paper's Fig. 1): train a small classifier to tell real from candidate patches
and report its held-out ROC AUC (0.5: indistinguishable, 1.0: separable).

Pixel PSNR against a noisy real LR rewards noise-free images; a classifier on
high-frequency residuals (image minus its 3x3 box blur) sees the degradation
instead. Real and candidate images are paired by content so that only
low-level image characteristics can separate them.
"""
import os.path as osp
from dataclasses import dataclass
from typing import (Any, Dict, Iterable, List, Mapping, Optional, Sequence,
                    Tuple)

import cv2
import numpy as np
import torch
from torch import nn

from dasr_mm.utils.io import (atomic_path, atomic_save_json, list_images,
                              read_rgb)


@dataclass(frozen=True)
class DomainGapResult:
    """Outcome of :func:`domain_gap_auc`.

    ``real_scores`` / ``candidate_scores``: (N,) float64, the classifier's
    logit of "real" (unbounded; higher: more real-like) for each held-out
    patch of each group (patches are cut at the same positions in both groups,
    so their counts are equal). ``train_indices`` / ``test_indices``: the
    pair indices of each half.
    """
    auc: float
    real_scores: np.ndarray
    candidate_scores: np.ndarray
    num_pairs: int
    train_indices: Tuple[int, ...]
    test_indices: Tuple[int, ...]
    settings: Dict[str, Any]

    @property
    def num_test_patches(self) -> int:
        """Held-out patches per group."""
        return len(self.real_scores)

    def summary(self) -> Dict[str, Any]:
        """JSON-ready dict: auc, counts and settings (no per-patch scores)."""
        return dict(
            auc=self.auc,
            num_pairs=self.num_pairs,
            num_train_pairs=len(self.train_indices),
            num_test_pairs=len(self.test_indices),
            num_test_patches=self.num_test_patches,
            settings=dict(self.settings))


def domain_gap_auc(real_images: Sequence[np.ndarray],
                   candidate_images: Sequence[np.ndarray],
                   *,
                   patch_size: int = 32,
                   steps: int = 300,
                   batch_size: int = 16,
                   lr: float = 2e-3,
                   test_patches_per_image: int = 16,
                   seed: int = 0,
                   names: Optional[Sequence[str]] = None) -> DomainGapResult:
    """Held-out ROC AUC of a fresh CNN that tells real from candidate patches.

    Args:
        real_images / candidate_images: equally long lists of (H, W, 3) RGB
            uint8 images, paired by content (``candidate_images[i]`` shows
            the scene of ``real_images[i]``); at least 2 pairs. Sizes may vary
            between pairs; a pair of different sizes is cropped to its common
            top-left region, which must be at least ``patch_size`` on each
            side.
        patch_size: side of the square patches the classifier sees.
        steps: Adam steps; each batch holds ``batch_size // 2`` random
            patches of each group, cut at the same positions of training pairs.
        test_patches_per_image: distinct random patch positions per held-out
            pair (fewer if the image has fewer).
        seed: fixes the train/held-out split (by image), the patches and the
            network. The caller's global torch RNG is left untouched; torch
            runs on one CPU thread meanwhile (the result does not depend on
            the machine's thread count).
        names: optional pair names (e.g. file names) used in error messages.

    Returns:
        A :class:`DomainGapResult`; ``auc`` is P(score of a real patch >
        score of a candidate patch) over the held-out pairs.
    """
    if len(real_images) != len(candidate_images):
        raise ValueError(f'{len(real_images)} real image(s) but '
                         f'{len(candidate_images)} candidate image(s): they '
                         'must be paired by content')
    if len(real_images) < 2:
        raise ValueError('need at least 2 (real, candidate) pairs to split '
                         f'into training and held-out images, got '
                         f'{len(real_images)}')
    if batch_size < 2:
        raise ValueError(f'batch_size must be >= 2, got {batch_size}')
    labels = (
        list(names) if names is not None else
        [f'pair {i}' for i in range(len(real_images))])
    if len(labels) != len(real_images):
        raise ValueError(f'{len(labels)} names for {len(real_images)} pairs')
    pairs = [
        _residual_pair(real, cand, patch_size, label)
        for real, cand, label in zip(real_images, candidate_images, labels)
    ]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pairs))
    train_idx = sorted(order[:len(pairs) // 2].tolist())
    test_idx = sorted(order[len(pairs) // 2:].tolist())

    # one shared scale (1 / RMS of the training residuals) keeps the
    # classifier's input near unit variance without hiding level differences
    rms = np.sqrt(
        np.mean([np.mean(r**2) for i in train_idx for r in pairs[i]]))
    scale = 1.0 / max(float(rms), 1e-6)
    pairs = [(real * scale, cand * scale) for real, cand in pairs]

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # fastest for this tiny net, and reproducible
    try:
        net = _train(pairs, train_idx, patch_size, steps, batch_size, lr, seed,
                     rng)
        real, cand = zip(
            *(crops for i in test_idx for crops in _distinct_crops(
                pairs[i], patch_size, test_patches_per_image, rng)))
        real_scores, cand_scores = _scores(net, real), _scores(net, cand)
    finally:
        torch.set_num_threads(threads)
    settings = dict(
        patch_size=patch_size,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        test_patches_per_image=test_patches_per_image,
        seed=seed,
        residual='image - 3x3 box blur')
    return DomainGapResult(
        auc=rank_auc(real_scores, cand_scores),
        real_scores=real_scores,
        candidate_scores=cand_scores,
        num_pairs=len(pairs),
        train_indices=tuple(train_idx),
        test_indices=tuple(test_idx),
        settings=settings)


@dataclass(frozen=True)
class FolderPairs:
    """Images of a candidate set paired with real LR images by file stem.

    ``real_files[i]`` (in ``real_dir``) and ``set_files[i]`` (in ``set_dir``)
    share a stem; ``set_only`` / ``real_only`` are the file names of either
    folder that have no partner in the other.
    """
    real_dir: str
    set_dir: str
    real_files: Tuple[str, ...]
    set_files: Tuple[str, ...]
    set_only: Tuple[str, ...]
    real_only: Tuple[str, ...]


def pair_by_stem(real_dir: str, set_dir: str) -> FolderPairs:
    """Pair the images of ``set_dir`` with those of ``real_dir`` by file name
    stem (extensions may differ: ``x.png`` pairs with ``x.jpg``).

    Raises ``ValueError`` if a folder holds two images with one stem or if
    no stem is shared.
    """
    real = _by_stem(real_dir)
    cand = _by_stem(set_dir)
    stems = sorted(real.keys() & cand.keys())
    if not stems:
        raise ValueError(
            f'no image of {set_dir} has a real partner of the same file name '
            f'stem in {real_dir} (set: {_some(cand.values())}; '
            f'real: {_some(real.values())})')
    return FolderPairs(
        real_dir=real_dir,
        set_dir=set_dir,
        real_files=tuple(real[s] for s in stems),
        set_files=tuple(cand[s] for s in stems),
        set_only=tuple(sorted(cand[s] for s in cand.keys() - real.keys())),
        real_only=tuple(sorted(real[s] for s in real.keys() - cand.keys())))


def _by_stem(folder: str) -> Dict[str, str]:
    """``{stem: file name}`` of the images directly inside ``folder``."""
    found: Dict[str, str] = {}
    for name in list_images(folder):
        stem = osp.splitext(name)[0]
        if stem in found:
            raise ValueError(f'{folder}: {found[stem]} and {name} share the '
                             f'stem {stem!r}; pairing by stem is ambiguous')
        found[stem] = name
    return found


def _some(names: Iterable[str], shown: int = 5) -> str:
    """The first ``shown`` sorted names, comma-separated, and how many more."""
    names = sorted(names)
    more = f' and {len(names) - shown} more' if len(names) > shown else ''
    return ', '.join(names[:shown]) + more


def domain_gap_of_folders(pairs: FolderPairs,
                          **kwargs: Any) -> DomainGapResult:
    """Read the paired images of ``pairs`` and run :func:`domain_gap_auc`
    (keyword arguments are passed on); errors name the set's files."""
    real = [read_rgb(osp.join(pairs.real_dir, n)) for n in pairs.real_files]
    paths = [osp.join(pairs.set_dir, n) for n in pairs.set_files]
    return domain_gap_auc(
        real, [read_rgb(p) for p in paths], names=paths, **kwargs)


def save_domain_gap_report(
    out_dir: str, real_dir: str,
    sets: Mapping[str, Tuple[FolderPairs,
                             DomainGapResult]]) -> Tuple[str, str]:
    """Write ``domain_gap.json`` (per set: folder, unmatched file names, auc,
    counts, settings) and ``domain_gap.png`` (one histogram of held-out
    classifier scores per set, candidate against real, titled with the AUC)
    into ``out_dir``, atomically. Returns the two paths."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    json_path = osp.join(out_dir, 'domain_gap.json')
    png_path = osp.join(out_dir, 'domain_gap.png')
    atomic_save_json(
        json_path,
        dict(
            real_dir=real_dir,
            sets={
                name:
                dict(
                    result.summary(),
                    set_dir=pairs.set_dir,
                    set_only=list(pairs.set_only),
                    real_only=list(pairs.real_only))
                for name, (pairs, result) in sets.items()
            }))
    fig = Figure(figsize=(6, 2.4 * len(sets)), layout='constrained')
    FigureCanvasAgg(fig)
    for ax, (name, (_, result)) in zip(
            np.atleast_1d(fig.subplots(len(sets), 1)), sets.items()):
        bins = np.histogram_bin_edges(
            np.concatenate([result.real_scores, result.candidate_scores]), 30)
        ax.hist(result.real_scores, bins, alpha=0.6, label='real LR')
        ax.hist(result.candidate_scores, bins, alpha=0.6, label=name)
        ax.set_title(f'{name}: AUC {result.auc:.3f}')
        ax.set_xlabel('classifier logit (higher: more like real LR)')
        ax.set_ylabel('held-out patches')
        ax.legend()
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, dpi=100)
    return json_path, png_path


def rank_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney rank formula: P(positive > negative),
    ties counting one half. Both: 1-D score arrays, non-empty."""
    scores = np.concatenate([positive, negative])
    _, inverse, counts = np.unique(
        scores, return_inverse=True, return_counts=True)
    # average 1-based rank of each distinct value (ties share their mean)
    mean_rank = np.cumsum(counts) - (counts - 1) / 2.0
    rank_sum = mean_rank[inverse[:len(positive)]].sum()
    n_pos, n_neg = len(positive), len(negative)
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


class _Classifier(nn.Module):
    """(N, 3, P, P) residual patches -> (N,) logits of "real"."""

    def __init__(self, channels: int = 32) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, channels // 4, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(channels // 4, channels // 2, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(channels // 2, channels, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.logit = nn.Linear(channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logit(self.features(x)).squeeze(1)


def _train(pairs: List[Tuple[np.ndarray, np.ndarray]], train_idx: List[int],
           patch_size: int, steps: int, batch_size: int, lr: float, seed: int,
           rng: np.random.Generator) -> nn.Module:
    """A fresh classifier fitted with Adam: each step sees ``batch_size // 2``
    random windows of training pairs, real (label 1) and candidate (0) cut at
    the same positions."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = _Classifier()
    optim = torch.optim.Adam(net.parameters(), lr=lr)
    half = batch_size // 2
    target = torch.cat([torch.ones(half), torch.zeros(half)])
    for _ in range(steps):
        real, cand = zip(*(_random_crop(pairs[i], patch_size, rng)
                           for i in rng.choice(train_idx, half)))
        loss = nn.functional.binary_cross_entropy_with_logits(
            net(torch.from_numpy(np.stack(real + cand))), target)
        optim.zero_grad()
        loss.backward()
        optim.step()
    return net


def _scores(net: nn.Module, patches: Sequence[np.ndarray]) -> np.ndarray:
    """(N,) float64 logits of "real" for (3, P, P) patches (logits, not
    probabilities: a saturated sigmoid would turn confident scores into
    ties)."""
    with torch.no_grad():
        return net(torch.from_numpy(np.stack(patches))).double().numpy()


def _residual_pair(real: np.ndarray, cand: np.ndarray, patch_size: int,
                   label: str) -> Tuple[np.ndarray, np.ndarray]:
    """High-frequency residuals of a pair, cropped to the common top-left
    region: two (3, H, W) float32 arrays, values in [-1, 1]."""
    for kind, img in (('real', real), ('candidate', cand)):
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f'{label}: {kind} image must be (H, W, 3) uint8 '
                             f'RGB, got {img.shape} {img.dtype}')
    h = min(real.shape[0], cand.shape[0])
    w = min(real.shape[1], cand.shape[1])
    if min(h, w) < patch_size:
        raise ValueError(
            f'{label}: common region of the real {real.shape[:2]} and '
            f'candidate {cand.shape[:2]} image is {h}x{w}, smaller than '
            f'patch_size={patch_size}')
    return _residual(real[:h, :w]), _residual(cand[:h, :w])


def _residual(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (3, H, W) float32: image minus its 3x3 box blur,
    in [0, 1] units."""
    x = img.astype(np.float32) / 255.0
    res = x - cv2.blur(x, (3, 3), borderType=cv2.BORDER_REFLECT)
    return np.ascontiguousarray(res.transpose(2, 0, 1))


def _random_crop(pair: Tuple[np.ndarray, np.ndarray], size: int,
                 rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """The same random ``size`` x ``size`` window of both residuals."""
    _, h, w = pair[0].shape
    y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
    window = np.s_[:, y:y + size, x:x + size]
    return pair[0][window], pair[1][window]


def _distinct_crops(
        pair: Tuple[np.ndarray, np.ndarray], size: int, count: int,
        rng: np.random.Generator) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Up to ``count`` distinct random windows, the same in both residuals."""
    _, h, w = pair[0].shape
    nx = w - size + 1
    total = (h - size + 1) * nx
    crops = []
    for position in rng.choice(total, min(count, total), replace=False):
        y, x = divmod(int(position), nx)
        window = np.s_[:, y:y + size, x:x + size]
        crops.append((pair[0][window], pair[1][window]))
    return crops
