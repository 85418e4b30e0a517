"""pyts.nn.LayerNorm: normalises over the trailing ``normalized_shape`` dims, with an optional
elementwise affine weight (ones) and bias (zeros), as torch.nn.LayerNorm (F.layer_norm)::

    >>> pyts.nn.LayerNorm(8)
    LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
"""
from __future__ import annotations

import pyts as _pyts
from pyts import Tensor

from .. import init
from ..parameter import Parameter
from .module import Module, _check_device

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last len(normalized_shape) dims."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        _check_device(device)
        import numbers   # here, not at `import pyts`
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.weight = Parameter(init._empty(self.normalized_shape, dtype))
            if bias:
                self.bias = Parameter(init._empty(self.normalized_shape, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        # F.layer_norm's op, called directly: normalized_shape is a tuple, which the compiler
        # turns into the op's int[] but not into F.layer_norm's List[int] parameter
        return _pyts.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, bias={use_bias}".format(
            **self.__dict__, use_bias=self.bias is not None)
