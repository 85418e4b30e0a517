"""pyts.nn.Linear, Identity and Bilinear (NonDynamicallyQuantizableLinear is Linear under the
name MultiheadAttention.out_proj has in torch). Linear computes y = x A^T + b with PyTorch's default
initialisation (kaiming_uniform_(weight, a=sqrt(5)), bias from U(-1/sqrt(in), 1/sqrt(in)))::

    >>> lin = pyts.nn.Linear(4, 3)
    >>> lin
    Linear(in_features=4, out_features=3, bias=True)
"""
from __future__ import annotations

import math

import pyts as _pyts

from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "NonDynamicallyQuantizableLinear"]


class Identity(Module):
    """Returns its input; any constructor arguments are ignored."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x A^T + b over the last dim of x. weight: (out_features, in_features), bias:
    (out_features,) or None."""

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"pyts runs on the CPU only; device '{device}' is not available")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(init._empty((out_features, in_features), dtype))
        if bias:
            self.bias = Parameter(init._empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(in_features), 1/sqrt(in_features))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return _pyts.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """Linear under another name: torch uses it for MultiheadAttention.out_proj (its quantisation
    tooling skips it), so the name shows in reprs and scripted code."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)


class Bilinear(Module):
    """y = x1^T A x2 + b over the last dims. weight: (out_features, in1_features, in2_features),
    bias: (out_features,) or None; both start from U(-1/sqrt(in1), 1/sqrt(in1))."""

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"pyts runs on the CPU only; device '{device}' is not available")
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(init._empty((out_features, in1_features, in2_features), dtype))
        if bias:
            self.bias = Parameter(init._empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return _pyts.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
