"""pyts.functional: the functions torch defines in Python (torch/functional.py) to take their
tensors as separate arguments: meshgrid, broadcast_tensors, cartesian_prod and atleast_1d/2d/3d. Each passes a
list to its registry row (aten::meshgrid, ...), which is what torch's wrappers do too, so scripted
and traced code sees the same ops."""
from . import _C

_F = _C._functions

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_tensors", "cartesian_prod", "meshgrid"]


def meshgrid(*tensors, indexing=None):
    # the old interface passes one list; without indexing the row warns as torch's does
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    if indexing is None:
        return _F["meshgrid"](list(tensors))
    return _F["meshgrid"](list(tensors), indexing=indexing)


def broadcast_tensors(*tensors):
    # torch's wrapper passes its separate tensors as one list to aten::broadcast_tensors
    return _F["broadcast_tensors"](list(tensors))


def cartesian_prod(*tensors):
    return _F["cartesian_prod"](list(tensors))


def _atleast(name):
    op = _F[name]

    def f(*tensors):
        if len(tensors) == 1:
            tensors = tensors[0]
        return op(list(tensors) if isinstance(tensors, tuple) else tensors)
    f.__name__ = f.__qualname__ = name
    return f


atleast_1d = _atleast("atleast_1d")
atleast_2d = _atleast("atleast_2d")
atleast_3d = _atleast("atleast_3d")
