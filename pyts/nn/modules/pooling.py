"""pyts.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d: 2-d pooling layers with torch.nn's
arguments and reprs, calling the ops of F.max_pool2d / avg_pool2d / adaptive_avg_pool2d::

    >>> pyts.nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""
from __future__ import annotations

import pyts as _pyts
from pyts import Tensor

from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}").format(**self.__dict__)


class MaxPool2d(_MaxPoolNd):
    """Max over kernel_size windows of (N, C, H, W) or (C, H, W) input; return_indices=True
    also returns the flat argmax indices."""

    # The pooling forwards call F's ops directly: kernel_size & co. are ints or tuples, which the
    # compiler turns into the ops' int[2] but not into a List[int] parameter of a Python function
    # (torch's BroadcastingList2). The module always has a stride, so F's stride=None case is moot.
    def forward(self, input: Tensor) -> Tensor:
        if self.return_indices:
            return self._forward_with_indices(input)
        return _pyts.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def _forward_with_indices(self, input: Tensor) -> Tensor:
        # (output, indices). Unused in scripted code: torch picks the tuple-returning forward at
        # compile time from the constant return_indices (boolean_dispatch); pyts' compiler has no
        # module constants yet, so a scripted MaxPool2d(return_indices=True) raises when called.
        return _pyts.max_pool2d_with_indices(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                             self.ceil_mode)

    _forward_with_indices._pyts_unused = True   # pyts.jit.unused, without importing pyts.jit


class _AvgPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Mean over kernel_size windows; count_include_pad counts the zero padding in the divisor,
    divisor_override replaces it."""

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return _pyts.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad, self.divisor_override)


class _AdaptiveAvgPoolNd(Module):
    __constants__ = ["output_size"]

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Mean pooling to a fixed (H_out, W_out) whatever the input size; None keeps that dim."""

    def forward(self, input: Tensor) -> Tensor:
        # isinstance is decided at compile time: only the branch of the attribute's type compiles
        if isinstance(self.output_size, int):
            return _pyts.adaptive_avg_pool2d(input, self.output_size)
        # F.adaptive_avg_pool2d's _list_with_default, indexed explicitly: None keeps that size
        size = self.output_size
        if input.dim() <= len(size):
            raise ValueError(f"Input dimension should be at least {len(size) + 1}")
        if len(size) != 2:
            return _pyts.adaptive_avg_pool2d(input, size)
        return _pyts.adaptive_avg_pool2d(input, [size[0] if size[0] is not None else input.size(-2),
                                                 size[1] if size[1] is not None else input.size(-1)])
