"""Mixed precision on the CPU: mmengine's ``AmpOptimWrapper`` needs a GPU."""
from contextlib import contextmanager
from typing import Iterator

import torch
from mmagic.registry import OPTIM_WRAPPERS
from mmengine.optim import OptimWrapper
from torch import nn

CPU_AUTOCAST_DTYPES = ('bfloat16', )


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose :meth:`optim_context` runs the forward under
    ``torch.autocast('cpu', dtype=torch.bfloat16)``: convolutions and matrix
    products in bf16, reductions and losses in fp32 (PyTorch's CPU autocast
    lists). bf16 has fp32's exponent range, so no loss scaling is needed;
    weights, gradients and optimizer state stay fp32.

    Faster only on CPUs that run bf16 natively (AVX512-BF16 / AMX, see
    :func:`dasr_mm.apis.inference.cpu_has_fast_bf16`); elsewhere oneDNN
    emulates it and a step is several times slower than fp32.

    Args:
        dtype (str): ``'bfloat16'`` (the only CPU autocast type used here).
        **kwargs: ``OptimWrapper`` arguments (``optimizer``, ``clip_grad``,
            ``accumulative_counts``).
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        if dtype not in CPU_AUTOCAST_DTYPES:
            raise ValueError(f'CPUAutocastOptimWrapper dtype must be one of '
                             f'{CPU_AUTOCAST_DTYPES}, got {dtype!r} (fp16 '
                             'mixed precision needs a GPU: AmpOptimWrapper)')
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """mmengine's context (gradient accumulation) plus CPU autocast."""
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
