"""pyts.nn.Dropout: zeroes each element with probability p in training mode and scales the rest
by 1/(1-p) (F.dropout -> the registry's dropout op); the identity in eval mode::

    >>> pyts.nn.Dropout(0.2)
    Dropout(p=0.2, inplace=False)
"""
from __future__ import annotations

from pyts import Tensor

from .. import functional as F
from .module import Module

__all__ = ["Dropout"]


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Randomly zeroes elements with probability p while training (Bernoulli draws from the
    default generator, in torch's order)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)
