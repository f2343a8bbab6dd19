from .lpips import ALEXNET_WEIGHTS_FILE, LPIPS, build_lpips_alex
from .no_reference_niqe import NIQE_BLOCK_SIZE, NoReferenceNIQE

__all__ = [
    'ALEXNET_WEIGHTS_FILE', 'LPIPS', 'build_lpips_alex', 'NIQE_BLOCK_SIZE',
    'NoReferenceNIQE'
]
