"""The script class `with torch.no_grad():` (or pyts.no_grad) compiles to in scripted code: the
same attribute and methods as TorchScript's compiled torch.autograd.grad_mode.no_grad, under its
name (__torch__.torch.autograd.grad_mode.no_grad), so graphs, `.code` and archives agree and
either side's archive runs in the other."""
from typing import Any

import pyts


class no_grad:
    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = pyts.is_grad_enabled()
        pyts.set_grad_enabled(False)

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        pyts.set_grad_enabled(self.prev)


no_grad.__module__ = "torch.autograd.grad_mode"
