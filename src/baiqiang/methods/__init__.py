"""Pure, vectorised kernels registered by family and name (see :mod:`.registry`)."""

from baiqiang.methods.registry import Method, get, methods, names, register

__all__ = ["Method", "get", "methods", "names", "register"]
