"""torch._awaits: the _Await type of torch.jit._awaitable (pyts.jit._fork), for annotations
(`_Await[Tensor]`) in scripted code."""
from .jit._fork import _Await  # noqa: F401
