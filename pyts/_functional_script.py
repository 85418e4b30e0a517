"""The scripted faces of torch.functional's Python functions that TorchScript compiles from their
source (unique, unique_consecutive, cdist): TorchScript-compatible bodies giving torch's graphs,
named as torch names them (__torch__.torch.functional.<name>: their __module__ is set to
pyts.functional below), so `.code` and archives are torch's. unique and unique_consecutive
choose among their _return_* functions by boolean dispatch on return_inverse, then on
return_counts (at torch's argument positions); pyts._reduce2 attaches the choice to the eager
functions. Eager calls never run these bodies."""
import types
from typing import List, Optional, Tuple

import pyts as torch  # noqa: F401  (the `torch` of the bodies below: resolved when they compile)

from . import _C

Tensor = _C.Tensor
# torch's bodies call the ops through torch._VF (torch.unique_consecutive is the Python function):
# an empty module whose attributes scripted code resolves as ops
_VF = types.ModuleType("pyts._VF")


def _unique_impl(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
                 dim: Optional[int] = None) -> Tuple[Tensor, Tensor, Tensor]:
    if dim is not None:
        output, inverse_indices, counts = _VF.unique_dim(input, dim, sorted=sorted, return_inverse=return_inverse,
                                                           return_counts=return_counts)
    else:
        output, inverse_indices, counts = torch._unique2(input, sorted=sorted, return_inverse=return_inverse,
                                                         return_counts=return_counts)
    return output, inverse_indices, counts


def _return_output(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
                   dim: Optional[int] = None) -> Tensor:
    output, _, _ = _unique_impl(input, sorted, return_inverse, return_counts, dim)
    return output


def _return_inverse(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
                    dim: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    output, inverse_indices, _ = _unique_impl(input, sorted, return_inverse, return_counts, dim)
    return output, inverse_indices


def _return_counts(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
                   dim: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    output, _, counts = _unique_impl(input, sorted, return_inverse, return_counts, dim)
    return output, counts


def _return_inverse_and_counts(input: Tensor, sorted: bool = True, return_inverse: bool = False,
                               return_counts: bool = False,
                               dim: Optional[int] = None) -> Tuple[Tensor, Tensor, Tensor]:
    return _unique_impl(input, sorted, return_inverse, return_counts, dim)


def _unique_consecutive_impl(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                             dim: Optional[int] = None) -> Tuple[Tensor, Tensor, Tensor]:
    output, inverse_indices, counts = _VF.unique_consecutive(input, return_inverse=return_inverse,
                                                               return_counts=return_counts, dim=dim)
    return output, inverse_indices, counts


def _consecutive_return_output(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                               dim: Optional[int] = None) -> Tensor:
    output, _, _ = _unique_consecutive_impl(input, return_inverse, return_counts, dim)
    return output


def _consecutive_return_inverse(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                                dim: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    output, inverse_indices, _ = _unique_consecutive_impl(input, return_inverse, return_counts, dim)
    return output, inverse_indices


def _consecutive_return_counts(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                               dim: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    output, _, counts = _unique_consecutive_impl(input, return_inverse, return_counts, dim)
    return output, counts


def _consecutive_return_inverse_and_counts(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                                           dim: Optional[int] = None) -> Tuple[Tensor, Tensor, Tensor]:
    return _unique_consecutive_impl(input, return_inverse, return_counts, dim)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    if compute_mode == "use_mm_for_euclid_dist_if_necessary":
        return _VF.cdist(x1, x2, p, None)
    elif compute_mode == "use_mm_for_euclid_dist":
        return _VF.cdist(x1, x2, p, 1)
    elif compute_mode == "donot_use_mm_for_euclid_dist":
        return _VF.cdist(x1, x2, p, 2)
    else:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")


# tensordot: one body compiled under each of torch's four signatures of dims (the overloads
# below, registered once their module is torch.functional's)
def _tensordot_int(a: Tensor, b: Tensor, dims: int = 2, out: Optional[Tensor] = None):
    pass


def _tensordot_tuple(a: Tensor, b: Tensor, dims: Tuple[List[int], List[int]], out: Optional[Tensor] = None):
    pass


def _tensordot_list(a: Tensor, b: Tensor, dims: List[List[int]], out: Optional[Tensor] = None):
    pass


def _tensordot_tensor(a: Tensor, b: Tensor, dims: Tensor, out: Optional[Tensor] = None):
    pass


def tensordot(a, b, dims=2, out: Optional[Tensor] = None):
    if not isinstance(dims, (tuple, list, torch.Tensor, int)):
        raise RuntimeError("tensordot expects dims to be int or " + "tuple[list[int], list[int]] or " +
                           "list[list[int]] containing two lists, but got " + f"dims={dims}")
    dims_a: List[int] = []
    dims_b: List[int] = []
    if isinstance(dims, (tuple, list)):
        dims_a, dims_b = dims
    if isinstance(dims, torch.Tensor):
        num_elements = dims.numel()
        if num_elements > 1:
            if dims.size()[0] != 2:
                raise AssertionError(f"dims tensor must have size 2 in first dimension, got {dims.size()[0]}")
            dims_a = torch.jit.annotate(List[int], dims[0].tolist())
            dims_b = torch.jit.annotate(List[int], dims[1].tolist())
        else:
            dims_val = int(dims.item())
            if dims_val < 0:
                raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
            dims_a = list(range(-dims_val, 0))
            dims_b = list(range(dims_val))
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a = list(range(-dims, 0))
        dims_b = list(range(dims))
    if out is None:
        return _VF.tensordot(a, b, dims_a, dims_b)
    else:
        return _VF.tensordot(a, b, dims_a, dims_b, out=out)


_SCRIPTED = [v for k, v in list(globals().items()) if k.startswith(("_unique", "_return", "_consecutive", "cdist",
                                                                    "tensordot", "_tensordot")) and callable(v)]
for _f in _SCRIPTED:
    _f.__module__ = "pyts.functional"


def _register_tensordot_overloads():
    from .jit._script import _overload
    for decl in (_tensordot_int, _tensordot_tuple, _tensordot_list, _tensordot_tensor):
        decl.__name__ = decl.__qualname__ = "tensordot"
        _overload(decl)


def _dispatch(eager, spec, if_true, if_false):
    """Mark `eager` as torch's boolean_dispatch on spec ("<argument>:<position>:<default>")."""
    eager._pyts_dispatch = spec
    eager._pyts_dispatch_true = if_true
    eager._pyts_dispatch_false = if_false
    return eager


def attach(unique, unique_consecutive, eager_cdist, eager_tensordot):
    """Give the eager unique / unique_consecutive torch's two-level dispatch in scripted code.
    The inner levels are functions calling the eager one (their names are torch's)."""
    def _return_inverse_true(*a, **k):
        return unique(*a, **k)

    def _return_inverse_false(*a, **k):
        return unique(*a, **k)

    def _consecutive_return_inverse_true(*a, **k):
        return unique_consecutive(*a, **k)

    def _consecutive_return_inverse_false(*a, **k):
        return unique_consecutive(*a, **k)

    _dispatch(unique, "return_inverse:2:0",
              _dispatch(_return_inverse_true, "return_counts:3:0", _return_inverse_and_counts, _return_inverse),
              _dispatch(_return_inverse_false, "return_counts:3:0", _return_counts, _return_output))
    # torch's positions for unique_consecutive: 2 for return_inverse, 1 for return_counts
    _dispatch(unique_consecutive, "return_inverse:2:0",
              _dispatch(_consecutive_return_inverse_true, "return_counts:1:0", _consecutive_return_inverse_and_counts,
                        _consecutive_return_inverse),
              _dispatch(_consecutive_return_inverse_false, "return_counts:1:0", _consecutive_return_counts,
                        _consecutive_return_output))
    # scripted calls of the eager cdist compile its TorchScript body above
    eager_cdist._pyts_script_twin = cdist
    eager_tensordot._pyts_script_twin = tensordot
    _register_tensordot_overloads()
