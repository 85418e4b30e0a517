"""copy.deepcopy and pickle for pyts.Tensor: protocol glue over _C's data copies
(csrc/python/tensor_copy.c), with torch's rules: only graph leaves deep-copy, requires_grad and
.grad travel along, one storage is copied once per deepcopy."""
from . import _C

_NOT_LEAF = ("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
             "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
             "because of a torch.nn.utils.weight_norm usage, see "
             "https://github.com/pytorch/pytorch/pull/103001")


def _deepcopy(self, memo):
    if not self.is_leaf:
        raise RuntimeError(_NOT_LEAF)
    if id(self) in memo:
        return memo[id(self)]
    new = _C._deepcopy_data(self, memo)
    if type(self) is not _C.Tensor:
        new = type(self)._make_subclass(type(self), new, False)
    if self.requires_grad:
        new.requires_grad_(True)
    if self.grad is not None:
        new.grad = _deepcopy(self.grad, memo)
    d = getattr(self, "__dict__", None)
    if d:
        import copy
        new.__dict__.update(copy.deepcopy(d, memo))
    memo[id(self)] = new
    return new


def _rebuild(data, dtype, shape, requires_grad):
    t = _C._tensor_from_bytes(data, dtype, shape)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _reduce_ex(self, proto):
    return (_rebuild, (_C._tensor_bytes(self), self.dtype, tuple(self.shape), self.requires_grad))


_C.Tensor.__deepcopy__ = _deepcopy
_C.Tensor.__reduce_ex__ = _reduce_ex


# nonzero(as_tuple=...) is a Python-level option in torch too (torch/_tensor.py and the
# hand-written torch.nonzero binding): as_tuple=True is aten::nonzero_numpy, one index vector per dim.
_nonzero = _C._functions["nonzero"]
_nonzero_numpy = _C._functions.pop("nonzero_numpy")


def nonzero(input, *, out=None, as_tuple=False):
    if as_tuple:
        return tuple(_nonzero_numpy(input))
    return _nonzero(input) if out is None else _nonzero(input, out=out)


def _nonzero_method(self, *, as_tuple=False):
    return tuple(_nonzero_numpy(self)) if as_tuple else _nonzero(self)


nonzero._pyts_builtin = True
_C._functions["nonzero"] = nonzero
_C.Tensor.nonzero = _nonzero_method
