"""pyts.nn.init: in-place initialisation of parameters, as torch.nn.init (Linear uses
kaiming_uniform_ with a=sqrt(5) for its weight). Every function fills the tensor without
recording history and returns it::

    >>> w = pyts.nn.init.xavier_uniform_(pyts.nn.Parameter(pyts.tensor([[0.0] * 5] * 3)))

The fills use the registry's in-place ops (uniform_, normal_, fill_, zero_) and so pyts's seeded
generator; until those rows exist, a NumPy generator stands in.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _C
from ..autograd import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_fallback_rng = np.random.default_rng()


def _np_fill(tensor, make):
    """Write make(shape) into the tensor's memory (stand-in while a registry op is missing)."""
    if tensor.dtype == _C._dtypes["bfloat16"]:
        raise RuntimeError("pyts.nn.init: filling bfloat16 tensors needs the registry fill ops")
    arr = tensor.numpy()
    arr[...] = make(arr.shape)
    return tensor


def _empty(shape, dtype=None):
    """An uninitialised tensor (pyts.empty when the registry has it)."""
    import pyts

    if dtype is None:
        dtype = pyts.get_default_dtype()
    empty = getattr(pyts, "empty", None)
    if empty is not None:
        return empty(shape, dtype=dtype)
    if dtype == _C._dtypes["bfloat16"]:
        return _C.from_numpy(np.zeros(shape, dtype=np.float32)).bfloat16()
    npdt = {"float32": np.float32, "float64": np.float64, "float16": np.float16}[str(dtype).split(".")[-1]]
    return _C.from_numpy(np.zeros(shape, dtype=npdt))


def _no_grad_uniform_(tensor, a, b, generator=None):
    with no_grad():
        op = getattr(tensor, "uniform_", None)
        if op is not None:
            return op(a, b) if generator is None else op(a, b, generator=generator)
        return _np_fill(tensor, lambda s: _fallback_rng.uniform(a, b, s))


def _no_grad_normal_(tensor, mean, std, generator=None):
    with no_grad():
        op = getattr(tensor, "normal_", None)
        if op is not None:
            return op(mean, std) if generator is None else op(mean, std, generator=generator)
        return _np_fill(tensor, lambda s: _fallback_rng.normal(mean, std, s))


def _no_grad_fill_(tensor, val):
    with no_grad():
        op = getattr(tensor, "fill_", None)
        if op is not None:
            return op(val)
        return _np_fill(tensor, lambda s: np.full(s, val))


def _no_grad_zero_(tensor):
    with no_grad():
        op = getattr(tensor, "zero_", None)
        if op is not None:
            return op()
        return _np_fill(tensor, lambda s: np.zeros(s))


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (tanh: 5/3, relu: sqrt(2), leaky_relu:
    sqrt(2 / (1 + negative_slope^2)), linear/conv/sigmoid: 1, selu: 3/4)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    elif nonlinearity == "tanh":
        return 5.0 / 3
    elif nonlinearity == "relu":
        return math.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param   # bools are ints: excluded above
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    elif nonlinearity == "selu":
        return 3.0 / 4
    else:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill with values drawn from U(a, b)."""
    return _no_grad_uniform_(tensor, a, b, generator)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill with values drawn from N(mean, std^2)."""
    return _no_grad_normal_(tensor, mean, std, generator)


def constant_(tensor, val: float):
    """Fill with val."""
    return _no_grad_fill_(tensor, val)


def ones_(tensor):
    """Fill with 1."""
    return _no_grad_fill_(tensor, 1.0)


def zeros_(tensor):
    """Fill with 0."""
    return _no_grad_zero_(tensor)


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return num_input_fmaps * receptive_field_size, num_output_fmaps * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _no_grad_uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _no_grad_normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """He uniform: U(-bound, bound) with bound = gain(nonlinearity, a) * sqrt(3 / fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return _no_grad_uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """He normal: N(0, std^2) with std = gain(nonlinearity, a) / sqrt(fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return _no_grad_normal_(tensor, 0.0, std, generator)
