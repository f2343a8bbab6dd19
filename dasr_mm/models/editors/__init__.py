from . import dasr  # noqa: F401
