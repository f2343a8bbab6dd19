"""Hook that exports generated LR images and domain-distance maps at the end
of stage-1 training."""
from typing import Any, Dict, Optional

from mmagic.registry import HOOKS
from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from dasr_mm.apis.checkpoint_checks import read_last_checkpoint
from dasr_mm.apis.distributed import broadcast_from_main
from dasr_mm.apis.domain_distance_export import (default_export_dir,
                                                 export_from_model)
from dasr_mm.apis.tiling import DEFAULT_TILE_SIZE


@HOOKS.register_module()
class DomainDistanceMapExportHook(Hook):
    """After training (never during validation or testing), export
    ``DSN(x)`` and ``sigmoid(D(H(DSN(x))))`` for every image of ``hr_dir``
    with the runner's stage-1 model (``model.generator``,
    ``model.discriminator``), see
    :func:`dasr_mm.apis.export_domain_distance_maps`.

    The checkpoint named in ``<work_dir>/last_checkpoint`` is recorded in the
    manifest as the DSN checkpoint (as rank 0 reads it). All ranks must run
    the hook (the export shards the images over them).

    Args:
        hr_dir (str): Folder of the HR training images.
        out_dir (str, optional): Export folder; defaults to
            ``<work_dir>/export``.
        tile_size (int, optional): Tile side in pixels of each network's
            input; None: whole images.
        tile_overlap (int, optional): Tile context in pixels; None: the
            networks' receptive-field radii.
        rf_average (bool): Average maps over receptive-field windows.
        overwrite (bool): Replace an export in ``out_dir`` made with other
            parameters (e.g. another checkpoint) instead of failing.
    """

    def __init__(self,
                 hr_dir: str,
                 out_dir: Optional[str] = None,
                 tile_size: Optional[int] = DEFAULT_TILE_SIZE,
                 tile_overlap: Optional[int] = None,
                 rf_average: bool = False,
                 overwrite: bool = False) -> None:
        self.hr_dir = hr_dir
        self.out_dir = out_dir
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self.rf_average = rf_average
        self.overwrite = overwrite

    @classmethod
    def settings_in(cls, cfg: Config) -> Dict[str, Any]:
        """:func:`export_hook_settings` of ``cfg``; for callers below the
        engine layer, which reach this class through ``HOOKS`` only."""
        return export_hook_settings(cfg)

    def after_train(self, runner) -> None:
        """Run the export with the trained model."""
        # rank 0 wrote it (after its last save, which other ranks do not
        # wait for): its reading, so that every rank compares the same
        # manifest with an earlier export
        dsn_checkpoint = broadcast_from_main(
            read_last_checkpoint(runner.work_dir) if is_main_process(
            ) else None)
        export_from_model(
            runner.model,
            self.hr_dir,
            self.out_dir or default_export_dir(runner.work_dir),
            dsn_checkpoint=dsn_checkpoint,
            tile_size=self.tile_size,
            tile_overlap=self.tile_overlap,
            rf_average=self.rf_average,
            overwrite=self.overwrite)


EXPORT_HOOK_TYPE = DomainDistanceMapExportHook.__name__


def find_export_hook(cfg: Config) -> Optional[dict]:
    """The :class:`DomainDistanceMapExportHook` entry of
    ``cfg.custom_hooks`` (the config's own dict, so that a caller may edit
    it), or None. Its ``type`` may be the name, a scoped name
    (``'mmagic.DomainDistanceMapExportHook'``) or the class."""
    for hook in cfg.get('custom_hooks', None) or []:
        hook_type = hook.get('type')
        name = hook_type if isinstance(hook_type, str) else getattr(
            hook_type, '__name__', '')
        if name.split('.')[-1] == EXPORT_HOOK_TYPE:
            return hook
    return None


def export_hook_settings(cfg: Config) -> Dict[str, Any]:
    """The arguments of the config's export hook (no ``type`` or
    ``priority``); empty if the config has none."""
    settings = dict(find_export_hook(cfg) or {})
    settings.pop('type', None)
    settings.pop('priority', None)
    return settings
