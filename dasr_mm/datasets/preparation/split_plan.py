"""What goes into which split of a data root: the split folders, one plan
per split (its source photos and how they are tiled), the tiling itself and
the seeded split of a user's photo folder. Reads and writes nothing."""
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

SPLITS = ('hr', 'real_lr', 'val')
# split -> (folder of its clean HR images, folder of its degraded LR images)
SPLIT_FOLDERS = {
    'hr': ('hr', None),
    'real_lr': (None, 'real_lr'),
    'val': ('val/hr', 'val/lr'),
}

Box = Tuple[int, int, int, int]  # (x, y, w, h) in HR pixels


@dataclass(frozen=True)
class Source:
    """One source photo assigned to one split.

    Attributes:
        key (str): Output file name stem, also the key of its noise
            generator.
        origin (str): Where it comes from, for README.txt / sources.json.
        load (Callable[[], np.ndarray]): Returns the (H, W, 3) RGB uint8
            photo.
        credit (str): Author and licence, if known.
    """
    key: str
    origin: str
    load: Callable[[], np.ndarray]
    credit: str = ''


@dataclass(frozen=True)
class SplitPlan:
    """The photos of one split and their tiling.

    Attributes:
        sources (Tuple[Source, ...]): The photos, each used by this split
            only.
        tile (int, optional): Tile side in HR px; None: whole images.
        max_tiles (int, optional): Tiles kept per photo (the most detailed);
            None: all.
    """
    sources: Tuple[Source, ...]
    tile: Optional[int] = None
    max_tiles: Optional[int] = None


def tile_boxes(img: np.ndarray,
               tile: int,
               scale: int,
               max_tiles: Optional[int] = None) -> List[Tuple[str, Box]]:
    """Non-overlapping ``tile`` x ``tile`` boxes of a centred grid over an
    (H, W, C) image, with offsets on multiples of ``scale``.

    Returns:
        List of (suffix ``'rRcC'``, (x, y, w, h)) in row-major order; with
        ``max_tiles``, only the ``max_tiles`` most detailed tiles (highest
        standard deviation of the pixel values; ties keep grid order).
    """
    height, width = img.shape[:2]
    rows, cols = height // tile, width // tile
    y0 = (height - rows * tile) // 2 // scale * scale
    x0 = (width - cols * tile) // 2 // scale * scale
    boxes = [(f'r{r}c{c}', (x0 + c * tile, y0 + r * tile, tile, tile))
             for r in range(rows) for c in range(cols)]
    if max_tiles is not None and len(boxes) > max_tiles:
        detail = [-float(img[y:y + h, x:x + w].std())
                  for _, (x, y, w, h) in boxes]
        keep = sorted(np.argsort(detail, kind='stable')[:max_tiles])
        boxes = [boxes[i] for i in keep]
    return boxes


def split_user_images(names: Sequence[str], seed: int,
                      val_count: int) -> Dict[str, List[str]]:
    """Seeded shuffle into val (``val_count``), real_lr (half the rest,
    rounded down) and hr (the remainder); each split sorted by name."""
    order = [names[i] for i in np.random.default_rng(seed).permutation(
        len(names))]
    n_real = (len(names) - val_count) // 2
    return {
        'val': sorted(order[:val_count]),
        'real_lr': sorted(order[val_count:val_count + n_real]),
        'hr': sorted(order[val_count + n_real:]),
    }
