"""Tensor attributes pyts's C type does not bind itself: x.layout (and the layout object
pyts.strided), x.get_device(), x.is_mkldnn and x.type(). pyts tensors are dense CPU tensors, so
every tensor is strided and on device -1 (the CPU's)."""
from . import _C


class layout:
    """A tensor layout, printed as torch prints it; `_id` is its number in scripted code (an int,
    as TorchScript's Layout)."""
    __slots__ = ("_name", "_id")

    def __init__(self, name, id_):
        self._name, self._id = name, id_

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


strided = layout("strided", 0)

# x.type() names (torch's legacy tensor type names) by dtype name
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor",
               "int32": "IntTensor", "int64": "LongTensor", "bool": "BoolTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}
_BY_TYPE_NAME = {f"torch.{v}": k for k, v in _TYPE_NAMES.items()}


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """x.type(): the type's name ('torch.FloatTensor'); x.type(dtype or name): x converted (x itself
    when it already has that dtype)."""
    if dtype is None:
        return "torch." + _TYPE_NAMES[str(self.dtype).split(".")[-1]]
    if isinstance(dtype, str):
        if dtype not in _BY_TYPE_NAME:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _C._dtypes[_BY_TYPE_NAME[dtype]]
    if not isinstance(dtype, _C.dtype):
        raise TypeError(f"type(): argument 'dtype' must be torch.dtype or str, not {type(dtype).__name__}")
    return self.to(dtype, non_blocking=non_blocking, copy=bool(kwargs.get("copy", False)))


_C.Tensor.layout = property(lambda self: strided)
_C.Tensor.is_mkldnn = property(lambda self: False)
_C.Tensor.get_device = lambda self: -1
_C.Tensor.type = _type
