"""pyts.nn.Linear and Identity. Linear computes y = x A^T + b with PyTorch's default
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

__all__ = ["Identity", "Linear"]


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
