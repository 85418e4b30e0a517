"""pyts.nn: modules, parameters, initialisation and the functional API, as torch.nn."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Parameter  # noqa: F401

__all__ = ["Parameter", "init", "functional"] + list(_modules_all)
