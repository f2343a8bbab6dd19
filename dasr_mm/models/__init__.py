from . import archs, editors, losses  # noqa: F401
