from .lpips import ALEXNET_WEIGHTS_FILE, LPIPS, build_lpips_alex

__all__ = ['ALEXNET_WEIGHTS_FILE', 'LPIPS', 'build_lpips_alex']
