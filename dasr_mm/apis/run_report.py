"""One page about a DASR run: the loss and validation curves of both stages
(mmengine's ``vis_data/scalars.json``), the Fig. 1 domain-gap histogram of
the final DSN on the validation set, domain-distance map overlays of a few
training images, and bicubic | DASR | HR sheets of a few validation images
with their metrics. Written as ``index.html`` (no server needed) plus
``report.png``, one sheet of the same pictures."""
import glob
import html
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from mmengine.config import Config

from dasr_mm.apis.domain_distance_export import (default_export_dir,
                                                 export_from_config)
from dasr_mm.apis.inference import super_resolve_folder
from dasr_mm.apis.launch import load_config
from dasr_mm.datasets.transforms import MatlabBicubicDownsample
from dasr_mm.evaluation.domain_gap import (domain_gap_of_folders,
                                           pair_by_stem,
                                           save_domain_gap_report)
from dasr_mm.evaluation.sr_comparison import compare_with_bicubic
from dasr_mm.evaluation.weight_maps import draw_weight_map_row, read_export
from dasr_mm.utils.io import (atomic_path, atomic_save_image,
                              atomic_save_json, list_images, read_rgb)
from dasr_mm.utils.manifest import MANIFEST_NAME, load_manifest

STAGE1_MODEL = 'DownSamplingGAN'
STAGE2_MODEL = 'DomainDistanceAwareSR'
STAGE1_SUBDIR = 'stage1_dsn'  # where DASRTwoStageTrainLoop trains stage 1
# keys of scalars.json that are bookkeeping, not losses or metrics
NOT_CURVES = ('data_time', 'time', 'iter', 'step', 'epoch')


@dataclass
class ScalarLog:
    """Curves of one stage: ``{key: [(iteration, value), ...]}``."""
    train: Dict[str, List[Tuple[int, float]]] = field(default_factory=dict)
    val: Dict[str, List[Tuple[int, float]]] = field(default_factory=dict)


@dataclass
class StageRun:
    """A stage's work dir, its dumped config and its last checkpoint."""
    name: str
    work_dir: str
    config: Config
    checkpoint: Optional[str]


def read_scalar_log(work_dir: str) -> ScalarLog:
    """Read every ``<work_dir>/<timestamp>/vis_data/scalars.json`` (one per
    run or resume, in time order; a later record of an iteration replaces an
    earlier one).

    Training records carry ``iter``; validation records carry ``step`` = the
    epoch (0 in iteration-based training, mmengine's default), so each is
    put at the iteration of the training record before it, where the
    validation ran.
    """
    log = ScalarLog()
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        last_iter = 0
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                record = json.loads(line)
                is_train = 'iter' in record
                if is_train:
                    last_iter = int(record['iter'])
                curves = log.train if is_train else log.val
                for key, value in record.items():
                    if key in NOT_CURVES or key.endswith('lr') or \
                            not isinstance(value, (int, float)):
                        continue
                    points = [p for p in curves.get(key, [])
                              if p[0] != last_iter]
                    curves[key] = points + [(last_iter, float(value))]
    return log


def _stage_of(cfg: Config) -> Optional[str]:
    model = cfg.model.get('type')
    return {STAGE1_MODEL: 'stage 1', STAGE2_MODEL: 'stage 2'}.get(model)


def _last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``last_checkpoint`` names, looked up in ``work_dir``
    itself (a moved work dir still finds its files)."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = osp.join(work_dir, osp.basename(f.read().strip()))
    return path if osp.isfile(path) else None


def find_stage_runs(work_dir: str,
                    data_root: Optional[str] = None) -> Dict[str, StageRun]:
    """The stages found in ``work_dir``: a two-stage pipeline run (stage 2
    in ``work_dir``, stage 1 in ``work_dir/stage1_dsn``) or a single stage
    run. Configs are the ones the Runner dumped (``<work_dir>/<name>.py``);
    ``data_root`` moves their data paths as ``--cfg-options data_root=``
    does.

    Raises:
        FileNotFoundError: no dumped DASR config in ``work_dir``.
    """
    runs = {}
    for folder in (work_dir, osp.join(work_dir, STAGE1_SUBDIR)):
        for path in sorted(glob.glob(osp.join(folder, '*.py'))):
            cfg = load_config(
                path, work_dir=folder,
                cfg_options=dict(data_root=data_root) if data_root else None)
            stage = _stage_of(cfg)
            if stage and stage not in runs:
                runs[stage] = StageRun(stage, folder, cfg,
                                       _last_checkpoint(folder))
    if not runs:
        raise FileNotFoundError(
            f'{work_dir}: no DASR config (a {STAGE1_MODEL} or {STAGE2_MODEL} '
            'config the Runner dumped as <work_dir>/<name>.py); pass the work '
            'dir of tools/train.py')
    return runs


def plot_curves(logs: Dict[str, ScalarLog], path: str) -> str:
    """Losses (log scale) and validation metrics of each stage, a row per
    stage; writes ``path`` (PNG) atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(11, 3.3 * len(logs)), layout='constrained')
    FigureCanvasAgg(fig)
    axes = np.atleast_2d(fig.subplots(len(logs), 2))
    for (stage, log), (loss_ax, val_ax) in zip(logs.items(), axes):
        for key, points in sorted(log.train.items()):
            its, values = zip(*points)
            positive = [max(v, 1e-8) for v in values]
            loss_ax.plot(its, positive, label=key, linewidth=1)
        loss_ax.set_yscale('log')
        loss_ax.set_title(f'{stage}: training losses')
        loss_ax.set_xlabel('iteration')
        # PSNR (dB) on the left axis, the [0, 1]-ish metrics on the right
        ratio_ax = val_ax.twinx()
        for key, points in sorted(log.val.items()):
            its, values = zip(*points)
            on_db = 'PSNR' in key
            (val_ax if on_db else ratio_ax).plot(
                its, values, marker='o' if on_db else 's',
                linestyle='-' if on_db else '--', label=key)
        val_ax.set_ylabel('PSNR (dB)')
        ratio_ax.set_ylabel('SSIM / other')
        val_ax.set_title(f'{stage}: validation')
        val_ax.set_xlabel('iteration')
        handles = [h for ax in (val_ax, ratio_ax)
                   for h in ax.get_legend_handles_labels()[0]]
        if handles:
            val_ax.legend(handles=handles, fontsize=7)
        if log.train:
            loss_ax.legend(fontsize=7)
        for ax, curves in ((loss_ax, log.train), (val_ax, log.val)):
            if not curves:
                ax.text(0.5, 0.5, 'nothing logged', ha='center',
                        transform=ax.transAxes)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format='png')
    return path


def plot_weight_maps(export_dir: str, path: str, num_images: int) -> dict:
    """LR | overlay | histogram rows for the first ``num_images`` images of
    an export; writes ``path`` and returns their map statistics."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    names = load_manifest(export_dir)['images']
    items = read_export(export_dir, names[:num_images])
    fig = Figure(figsize=(10, 3.1 * len(items)), layout='constrained')
    FigureCanvasAgg(fig)
    for row, item in zip(np.atleast_2d(fig.subplots(len(items), 3)), items):
        draw_weight_map_row(row, item)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=90, format='png')
    return {item.name: item.stats() for item in items}


def _val_folders(cfg: Config) -> Tuple[str, str]:
    """(real LR folder, HR folder) of a DASR config's validation pairs
    (``PairedImageFolderDataset``; its ``lr_key`` names the LR side)."""
    ds = cfg.val_dataloader.dataset
    hr_key = 'gt' if ds.lr_key == 'img' else 'img'
    return (osp.join(ds.data_root, ds.data_prefix[ds.lr_key]),
            osp.join(ds.data_root, ds.data_prefix[hr_key]))


def domain_gap_of_final_dsn(stage1: StageRun, val_lr: str, val_hr: str,
                            out_dir: str, device: Optional[str],
                            **classifier: int) -> dict:
    """Fig. 1 for the final DSN: DSN(val HR) and MATLAB-bicubic(val HR)
    against the real val LR (held-out AUC of a fresh classifier, trained
    with ``classifier`` settings of :func:`domain_gap_auc`, and the score
    histograms in ``out_dir/domain_gap.png``)."""
    scale = stage1.config.scale
    dsn_dir = osp.join(out_dir, 'val_dsn')
    export_from_config(stage1.config, stage1.checkpoint, out_dir=dsn_dir,
                       hr_dir=val_hr, overwrite=True, device=device,
                       show_progress=False)
    bicubic_dir = osp.join(out_dir, 'val_bicubic')
    downsample = MatlabBicubicDownsample(scale)
    for name in list_images(val_hr):
        lr = downsample(dict(gt=read_rgb(osp.join(val_hr, name))))['img']
        atomic_save_image(
            osp.join(bicubic_dir, osp.splitext(name)[0] + '.png'), lr)
    sets = {}
    for name, folder in (('bicubic', bicubic_dir),
                         ('DSN', osp.join(dsn_dir, 'lr'))):
        pairs = pair_by_stem(val_lr, folder)
        sets[name] = (pairs, domain_gap_of_folders(pairs, **classifier))
    save_domain_gap_report(out_dir, val_lr, sets)
    return {name: result.auc for name, (_, result) in sets.items()}


def _stack_pictures(paths: List[str], path: str) -> str:
    """Stack PNGs vertically (white background, left-aligned) into one."""
    images = [cv2.imread(p)[..., ::-1] for p in paths]
    width = max(img.shape[1] for img in images)
    rows = []
    for img in images:
        pad = np.full((img.shape[0] + 16, width, 3), 255, np.uint8)
        pad[:img.shape[0], :img.shape[1]] = img
        rows.append(pad)
    atomic_save_image(path, np.concatenate(rows, 0))
    return path


def _html_table(header: List[str], rows: List[List[str]]) -> str:
    cells = ''.join(f'<th>{html.escape(h)}</th>' for h in header)
    body = ''.join('<tr>' + ''.join(f'<td>{html.escape(c)}</td>'
                                    for c in row) + '</tr>' for row in rows)
    return f'<table><tr>{cells}</tr>{body}</table>'


def build_run_report(work_dir: str,
                     out_dir: Optional[str] = None,
                     data_root: Optional[str] = None,
                     num_images: int = 4,
                     domain_gap: bool = True,
                     domain_gap_steps: int = 300,
                     device: Optional[str] = None) -> Dict[str, object]:
    """Write the report of the run in ``work_dir`` into ``out_dir``
    (default ``<work_dir>/report``): ``index.html``, ``report.png`` and the
    pictures they show; returns ``report.json``'s content (paths, domain-gap
    AUCs, map statistics, SR metrics). Sections whose inputs the work dir
    lacks (no stage-2 checkpoint yet, no export) are listed as skipped.

    Args:
        work_dir: Work dir of ``tools/train.py`` (pipeline or one stage).
        out_dir: Where the report goes.
        data_root: Move the configs' data paths here (the run's data root
            when the work dir was trained elsewhere).
        num_images: Training images with map overlays, and validation
            images with bicubic | DASR | HR sheets.
        domain_gap: Compute the Fig. 1 histogram (exports DSN(val HR) and
            trains a small classifier: seconds on demo data).
        domain_gap_steps: Training steps of that classifier.
        device: Device of the DSN / SRN (default: CUDA when available).
    """
    out_dir = out_dir or osp.join(work_dir, 'report')
    runs = find_stage_runs(work_dir, data_root)  # before making out_dir
    os.makedirs(out_dir, exist_ok=True)
    report: Dict[str, object] = dict(work_dir=osp.abspath(work_dir),
                                     skipped=[])
    skipped: List[str] = report['skipped']
    pictures: List[Tuple[str, str]] = []  # (title, file name in out_dir)

    logs = {stage: read_scalar_log(run.work_dir)
            for stage, run in sorted(runs.items())}
    plot_curves(logs, osp.join(out_dir, 'curves.png'))
    pictures.append(('Loss and validation curves', 'curves.png'))

    stage1, stage2 = runs.get('stage 1'), runs.get('stage 2')
    val_lr, val_hr = _val_folders((stage2 or stage1).config)
    if domain_gap and stage1 is not None and stage1.checkpoint:
        report['domain_gap_auc'] = domain_gap_of_final_dsn(
            stage1, val_lr, val_hr, out_dir, device, steps=domain_gap_steps)
        pictures.append(('Fig. 1: domain gap of the final DSN on the '
                         'validation set (AUC 0.5 = like the real LR)',
                         'domain_gap.png'))
    elif domain_gap:
        skipped.append('domain gap: no stage-1 checkpoint in the work dir')

    export_dir = default_export_dir(stage1.work_dir) if stage1 else None
    if export_dir and osp.isfile(osp.join(export_dir, MANIFEST_NAME)):
        report['weight_maps'] = plot_weight_maps(
            export_dir, osp.join(out_dir, 'weight_maps.png'), num_images)
        pictures.append(('Domain-distance maps of training images (bright: '
                         'trusted by the SRN)', 'weight_maps.png'))
    else:
        skipped.append(f'weight maps: no export at {export_dir}')

    if stage2 is not None and stage2.checkpoint:
        sr_dir = osp.join(out_dir, 'val_sr')
        super_resolve_folder(stage2.config, stage2.checkpoint, val_lr,
                             sr_dir, device=device)
        comparison = compare_with_bicubic(
            val_lr, sr_dir, val_hr, osp.join(out_dir, 'side_by_side'),
            stage2.config.scale)
        report['sr'] = comparison['mean']
        shown = [osp.splitext(i['name'])[0] + '.png'
                 for i in comparison['images'][:num_images]]
        sheets = _stack_pictures(
            [osp.join(out_dir, 'side_by_side', n) for n in shown],
            osp.join(out_dir, 'side_by_side.png'))
        pictures.append(('bicubic | DASR | HR, validation images (RGB '
                         'PSNR / SSIM)', osp.basename(sheets)))
    else:
        skipped.append('SR sheets: no stage-2 checkpoint in the work dir')

    _stack_pictures([osp.join(out_dir, p) for _, p in pictures],
                    osp.join(out_dir, 'report.png'))
    report['pictures'] = [p for _, p in pictures]
    _write_html(report, pictures, runs, osp.join(out_dir, 'index.html'))
    atomic_save_json(osp.join(out_dir, 'report.json'), report)
    report['html'] = osp.join(out_dir, 'index.html')
    return report


def _write_html(report: dict, pictures: List[Tuple[str, str]],
                runs: Dict[str, StageRun], path: str) -> None:
    parts = [
        '<!DOCTYPE html><html><head><meta charset="utf-8">',
        f'<title>DASR run report: {html.escape(report["work_dir"])}</title>',
        '<style>body{font-family:sans-serif;margin:2em;max-width:1200px}'
        'img{max-width:100%;border:1px solid #ccc}'
        'table{border-collapse:collapse;margin:.5em 0}'
        'td,th{border:1px solid #aaa;padding:2px 8px;text-align:right}'
        '</style></head><body>',
        f'<h1>DASR run report</h1><p>{html.escape(report["work_dir"])}</p>',
        _html_table(['stage', 'work dir', 'checkpoint'], [[
            stage, run.work_dir, run.checkpoint or '(none)'
        ] for stage, run in sorted(runs.items())]),
    ]
    if 'sr' in report:
        sr = report['sr']
        parts.append(_html_table(
            ['validation (RGB, mean)', 'PSNR', 'SSIM', 'Y PSNR'],
            [['DASR', f"{sr['psnr']:.2f}", f"{sr['ssim']:.4f}",
              f"{sr['psnr_y']:.2f}"],
             ['bicubic', f"{sr['bicubic_psnr']:.2f}",
              f"{sr['bicubic_ssim']:.4f}", f"{sr['bicubic_psnr_y']:.2f}"]]))
    if 'domain_gap_auc' in report:
        parts.append(_html_table(
            ['LR set vs real val LR', 'domain-gap AUC (0.5 = real)'],
            [[k, f'{v:.3f}'] for k, v in report['domain_gap_auc'].items()]))
    for title, name in pictures:
        title, name = html.escape(title), html.escape(name)
        parts.append(f'<h2>{title}</h2><img src="{name}" alt="{title}">')
    if report['skipped']:
        parts.append('<h2>Skipped</h2><ul>' + ''.join(
            f'<li>{html.escape(s)}</li>' for s in report['skipped']) +
                     '</ul>')
    parts.append('</body></html>')
    with atomic_path(path) as tmp:
        with open(tmp, 'w') as f:
            f.write('\n'.join(parts))
