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
_C.Tensor.nonzero = _nonzero_method


# ---- torch's Python-level Tensor conveniences (torch/_tensor.py, torch/__init__.py) ----
_TWARN = set()


def _warn_once(key, msg):
    # torch's TORCH_WARN_ONCE: one UserWarning per process
    if key not in _TWARN:
        _TWARN.add(key)
        import warnings
        warnings.warn(msg, UserWarning, stacklevel=3)


def _T(self):
    # reverses every dim, as torch does
    if self.ndim == 0:
        _warn_once("T0", "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.")
    elif self.ndim != 2:
        _warn_once("T", "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                        "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                        "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                        "dimensions of a tensor.")
    return self.permute(tuple(range(self.ndim - 1, -1, -1)))


def _batch_transpose(self, name):
    if self.ndim == 0:
        _warn_once(name, f"Tensor.{name} is deprecated on 0-D tensors.")
        return self.permute(())
    if self.ndim < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return self.transpose(-2, -1)


def _mT(self):
    return _batch_transpose(self, "mT")


def _mH(self):
    # real dtypes only in pyts: the conjugate is the tensor itself
    return _batch_transpose(self, "mH")


def _H(self):
    if self.ndim == 0:
        _warn_once("H", "Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
        return self.permute(())
    if self.ndim != 2:
        extra = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.{extra}")
    return self.transpose(0, 1)


def _cpu(self, memory_format=None):
    return self   # already on the CPU: torch returns the tensor itself


def _is_signed(self):
    return self.dtype not in (_C._dtypes["uint8"], _C._dtypes["bool"])


def is_tensor(obj):
    return isinstance(obj, _C.Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


_C.Tensor.T = property(_T)
_C.Tensor.mT = property(_mT)
_C.Tensor.H = property(_H)
_C.Tensor.mH = property(_mH)
_C.Tensor.nbytes = property(lambda self: self.numel() * self.element_size())
_C.Tensor.cpu = _cpu
_C.Tensor.is_signed = _is_signed
numel._pyts_builtin = is_floating_point._pyts_builtin = True   # scripted calls are aten::numel...

# Python-level functions pyts exports next to the registry's (pyts/__init__.py); _C._functions
# itself holds registry functions only
PY_FUNCTIONS = {"nonzero": nonzero, "is_tensor": is_tensor, "numel": numel, "is_floating_point": is_floating_point}


def _where_method(self, condition, y):
    # torch binds where.self as a method too: x.where(cond, y) is where(cond, x, y)
    return _C._functions["where"](condition, self, y)


_C.Tensor.where = _where_method
