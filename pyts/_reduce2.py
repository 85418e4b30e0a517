"""Python faces of the ops_reduce2.def rows that torch writes in Python (torch/functional.py,
torch/_tensor.py): tensordot's dims forms, einsum's operand forms, unique's optional results,
cdist's compute modes, block_diag/chain_matmul varargs. Each does what torch's Python does and
calls the registry row."""
from . import _C

_F = _C._functions
_WARNED = set()


def _warn_once(key, msg):
    # torch's TORCH_WARN_ONCE: one UserWarning per process
    if key not in _WARNED:
        _WARNED.add(key)
        import warnings
        warnings.warn(msg, UserWarning, stacklevel=3)


def _write_out(out, r):
    # torch's out= rules (resize an empty or same-sized out, cast-checked) through add.out
    return _F["add"](r, 0, out=out)


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
    r = _F["tensordot"](a, b, dims_a, dims_b)
    return r if out is None else _write_out(out, r)


def _subscript(n):
    if n is Ellipsis:
        return "..."
    if 0 <= n < 26:
        return chr(ord("A") + n)
    if 26 <= n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def einsum(*args):
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if isinstance(args[0], _C.Tensor):
        # sublist format: einsum(op1, [0, 1], op2, [1, 2], [0, 2])
        equation = ",".join("".join(_subscript(s) for s in sub) for sub in args[1::2])
        if len(args) % 2 == 1:
            equation += "->" + "".join(_subscript(s) for s in args[-1])
            operands = args[:-1:2]
        else:
            operands = args[::2]
    else:
        equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        return einsum(equation, *operands[0])
    return _F["einsum"](equation, list(operands))


def _unique_impl(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        # torch._VF.unique_dim: not a torch.* function, a hidden row here
        return _C._call_row("unique_dim", input, dim, sorted=sorted, return_inverse=return_inverse,
                            return_counts=return_counts)
    return _F["_unique2"](input, sorted=sorted, return_inverse=return_inverse, return_counts=return_counts)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    output, inverse, counts = _unique_impl(input, sorted, return_inverse, return_counts, dim)
    if return_inverse and return_counts:
        return output, inverse, counts
    if return_inverse:
        return output, inverse
    if return_counts:
        return output, counts
    return output


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    output, inverse, counts = _F["unique_consecutive"](input, return_inverse=return_inverse,
                                                        return_counts=return_counts, dim=dim)
    if return_inverse and return_counts:
        return output, inverse, counts
    if return_inverse:
        return output, inverse
    if return_counts:
        return output, counts
    return output


def _unique_method(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return unique(self, sorted=sorted, return_inverse=return_inverse, return_counts=return_counts, dim=dim)


def _unique_consecutive_method(self, return_inverse=False, return_counts=False, dim=None):
    return unique_consecutive(self, return_inverse=return_inverse, return_counts=return_counts, dim=dim)


_C.Tensor.unique = _unique_method
_C.Tensor.unique_consecutive = _unique_consecutive_method

_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": None, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    return _F["cdist"](x1, x2, p, _CDIST_MODES[compute_mode])


def block_diag(*tensors):
    return _F["block_diag"](list(tensors))


def chain_matmul(*matrices, out=None):
    r = _F["chain_matmul"](list(matrices))
    return r if out is None else _write_out(out, r)


# scripted calls of these are the registry op's, as torch scripts torch.einsum & co as aten ops
einsum._pyts_builtin = block_diag._pyts_builtin = chain_matmul._pyts_builtin = True

# functions pyts exports beside the registry's (pyts/__init__.py); rows not built yet are skipped
PY_FUNCTIONS = {k: v for k, v in {
    "tensordot": tensordot, "einsum": einsum, "unique": unique, "unique_consecutive": unique_consecutive,
    "cdist": cdist, "block_diag": block_diag, "chain_matmul": chain_matmul}.items() if k in _F or k == "unique"}
