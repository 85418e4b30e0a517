"""pyts.nn: modules, parameters and initialisation, as torch.nn.

``pyts.nn.functional`` (the nn ops) is imported on first use, so this package does not depend
on which functional ops the registry already has.
"""
import importlib

from . import init  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Parameter  # noqa: F401

__all__ = ["Parameter", "init", "functional"] + list(_modules_all)


def __getattr__(name):
    if name == "functional":
        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
