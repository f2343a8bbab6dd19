from . import archs, data_preprocessors, editors, losses, utils  # noqa: F401
