"""pyts.nn.Parameter: a Tensor that a Module registers as a parameter when assigned as one of
its attributes. It shares the data it is made from and requires grad by default::

    >>> p = pyts.nn.Parameter(pyts.tensor([1.0, 2.0]))
    >>> p.requires_grad
    True
"""
from .. import _C

Tensor = _C.Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A kind of Tensor that is a module parameter: assigning it as a Module attribute adds it
    to ``parameters()``. Operations on it give plain Tensors."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, not {type(data).__name__}")
        # a new tensor object over data's storage, with no history: a leaf
        t = Tensor._make_subclass(cls, data)
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __str__(self) -> str:
        # print(p) shows the same as repr, as in PyTorch (whose Tensor has no __str__ of its own)
        return self.__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        clone = getattr(self.data, "clone", None)
        data = clone() if clone is not None else _C.from_numpy(self.data.numpy().copy())
        result = type(self)(data, self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)
