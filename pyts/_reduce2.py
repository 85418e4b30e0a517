"""Python faces of the ops_reduce2.def rows that torch writes in Python (torch/functional.py,
torch/_tensor.py): tensordot's dims forms, einsum's operand forms, unique's optional results,
cdist's compute modes. Each does what torch's Python does and calls the registry row."""
from . import _C

_F = _C._functions


def tensordot(a, b, dims=2, out=None):
    if not isinstance(dims, (tuple, list, _C.Tensor, int)):
        raise RuntimeError("tensordot expects dims to be int or Tuple[List[int], List[int]] or "
                           f"List[List[int]] containing two lists, but got dims={dims}")
    dims_a, dims_b = [], []
    if isinstance(dims, (tuple, list)):
        dims_a, dims_b = dims
    if isinstance(dims, _C.Tensor):
        if dims.numel() > 1:
            assert dims.size()[0] == 2
            dims_a, dims_b = dims[0].tolist(), dims[1].tolist()
        else:
            dims = int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    if out is None:
        return _F["tensordot"](a, b, dims_a, dims_b)
    r = _F["tensordot"](a, b, dims_a, dims_b)
    out.resize_(r.shape).copy_(r)
    return out


# functions pyts exports beside the registry's (pyts/__init__.py)
PY_FUNCTIONS = {"tensordot": tensordot}
