from . import archs, data_preprocessors, editors, losses  # noqa: F401
