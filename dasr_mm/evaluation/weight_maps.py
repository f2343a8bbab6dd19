"""Pictures of a stage-1 export: each generated LR image with its
domain-distance map as a heat-map overlay, and the histogram of the map's
values, so a user sees which regions the SRN will trust (bright = close to
the real domain = full weight in the stage-2 losses)."""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np

from dasr_mm.utils.io import atomic_path, atomic_save_json, read_rgb
from dasr_mm.utils.manifest import (exported_map_size, load_manifest,
                                    lr_path, map_on_hr_grid, map_path)

COLORMAP = 'inferno'
OVERLAY_ALPHA = 0.55


@dataclass
class ExportedImage:
    """One image of an export.

    Attributes:
        name: HR file name the export was made from.
        lr: (h, w, 3) RGB uint8, the generated LR image.
        weight: (h', w') float32 in [0, 1], the map as exported.
        weight_on_lr: (h, w) float32 in [0, 1], the map resampled onto the
            LR pixel grid by the export's size contract.
    """
    name: str
    lr: np.ndarray
    weight: np.ndarray
    weight_on_lr: np.ndarray

    def stats(self) -> Dict[str, float]:
        """Mean, min, max and quartiles of the exported map values."""
        q25, q50, q75 = np.percentile(self.weight, [25, 50, 75])
        return dict(mean=float(self.weight.mean()),
                    min=float(self.weight.min()),
                    max=float(self.weight.max()), q25=float(q25),
                    median=float(q50), q75=float(q75))


def read_export(export_dir: str,
                names: Optional[Sequence[str]] = None) -> List[ExportedImage]:
    """The images of an export (all, or the HR file names ``names``), with
    their maps checked against the size contract of
    :mod:`dasr_mm.utils.manifest`.

    Raises:
        ManifestError: no manifest in ``export_dir``.
        FileNotFoundError: a listed image or map is missing (incomplete
            export), or a name is not in the manifest.
        ValueError: a map's size does not fit its LR image.
    """
    manifest = load_manifest(export_dir)
    scale, stride = manifest['scale'], manifest['map_stride']
    listed = manifest['images']
    names = list(listed if names is None else names)
    unknown = [n for n in names if n not in listed]
    if unknown:
        raise FileNotFoundError(
            f'{export_dir}: not in its manifest: {unknown[:5]} (it lists '
            f'{len(listed)} images, e.g. {listed[:3]})')
    items = []
    for name in names:
        lr_file, map_file = lr_path(export_dir, name), map_path(export_dir,
                                                                name)
        missing = [p for p in (lr_file, map_file) if not osp.isfile(p)]
        if missing:
            raise FileNotFoundError(
                f'{export_dir} is incomplete: {missing} missing (resume the '
                'export with the same command)')
        lr = read_rgb(lr_file)
        weight = np.load(map_file).astype(np.float32)
        # the LR image of an HR image of (h*s, w*s) px is (h, w)
        lr_size = lr.shape[:2]
        expected = exported_map_size(
            tuple(side * scale for side in lr_size), scale, stride)
        if weight.shape != tuple(expected):
            raise ValueError(
                f'{map_file}: map is {weight.shape} but an LR image of '
                f'{lr_size} with map_stride {stride} / scale {scale} needs '
                f'{tuple(expected)}; re-export')
        items.append(
            ExportedImage(name, lr, weight,
                          map_on_hr_grid(weight, stride // scale, lr_size)))
    return items


def overlay(lr: np.ndarray, weight_on_lr: np.ndarray,
            alpha: float = OVERLAY_ALPHA) -> np.ndarray:
    """(h, w, 3) RGB uint8: the LR image blended with the map coloured by
    ``COLORMAP`` on the fixed range [0, 1] (same colour = same weight in
    every image)."""
    from matplotlib import colormaps
    heat = colormaps[COLORMAP](np.clip(weight_on_lr, 0, 1))[..., :3] * 255
    blend = (1 - alpha) * lr.astype(np.float32) + alpha * heat
    return np.clip(blend.round(), 0, 255).astype(np.uint8)


def draw_weight_map_row(axes: Sequence, item: ExportedImage) -> None:
    """Draw LR | overlay | histogram of one image into three matplotlib
    axes (used by the per-image figures and by the run report)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    lr_ax, map_ax, hist_ax = axes
    lr_ax.imshow(item.lr)
    lr_ax.set_title(f'{item.name}: generated LR', fontsize=8)
    map_ax.imshow(overlay(item.lr, item.weight_on_lr))
    map_ax.set_title('domain-distance map (bright: trusted)', fontsize=8)
    for ax in (lr_ax, map_ax):
        ax.set_xticks([])
        ax.set_yticks([])
    map_ax.figure.colorbar(
        ScalarMappable(Normalize(0, 1), cmap=COLORMAP),
        ax=map_ax,
        fraction=0.046,
        pad=0.02)
    stats = item.stats()
    hist_ax.hist(item.weight.ravel(), bins=np.linspace(0, 1, 41),
                 color='tab:orange')
    hist_ax.axvline(stats['mean'], color='k', linestyle='--', linewidth=1)
    hist_ax.set_xlim(0, 1)
    hist_ax.set_title(f"map values: mean {stats['mean']:.3f}, "
                      f"{stats['min']:.2f}-{stats['max']:.2f}", fontsize=8)
    hist_ax.set_xlabel('weight (sigmoid of D)', fontsize=8)
    hist_ax.set_ylabel('map pixels', fontsize=8)
    hist_ax.tick_params(labelsize=7)


def save_weight_map_figure(item: ExportedImage, path: str) -> str:
    """Write ``path`` (PNG, atomically): LR | overlay | histogram."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(10, 3.2), layout='constrained')
    FigureCanvasAgg(fig)
    draw_weight_map_row(fig.subplots(1, 3), item)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100, format='png')
    return path


def show_weight_maps(export_dir: str,
                     out_dir: str,
                     names: Optional[Sequence[str]] = None,
                     max_images: Optional[int] = None) -> Dict[str, object]:
    """One figure per image (``out_dir/<stem>.png``) and
    ``out_dir/weight_maps.json`` (per-image map statistics and their means);
    returns that summary.

    Args:
        export_dir: An export (``manifest.json``, ``lr/``, ``maps/``).
        out_dir: Where the figures and the JSON go.
        names: HR file names to show (default: all of the manifest).
        max_images: Show at most this many (the first in name order).
    """
    items = read_export(
        export_dir,
        names if names is not None else
        load_manifest(export_dir)['images'][:max_images])
    images = []
    for item in items:
        figure = save_weight_map_figure(
            item, osp.join(out_dir,
                           osp.splitext(item.name)[0] + '.png'))
        images.append(dict(item.stats(), name=item.name, figure=figure))
    summary = dict(
        export_dir=osp.abspath(export_dir),
        mean_weight=float(np.mean([i['mean'] for i in images])),
        images=images)
    atomic_save_json(osp.join(out_dir, 'weight_maps.json'), summary)
    return summary
