from .cpu_autocast_optim_wrapper import (CPU_AUTOCAST_DTYPES,
                                         CPUAutocastOptimWrapper)

__all__ = ['CPUAutocastOptimWrapper', 'CPU_AUTOCAST_DTYPES']
