from .matlab_bicubic import matlab_bicubic_downsample

__all__ = ['matlab_bicubic_downsample']
