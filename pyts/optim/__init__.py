"""pyts.optim: optimisers (SGD, Adam, AdamW) and learning-rate schedulers, as torch.optim.

    >>> lin = pyts.nn.Linear(4, 2)
    >>> opt = pyts.optim.Adam(lin.parameters(), lr=1e-2)
    >>> lin(pyts.ones(3, 4)).sum().backward()
    >>> opt.step()
    >>> opt.zero_grad()

The submodules load on first use (PEP 562), so ``import pyts`` does not pay for them.
"""
import importlib

__all__ = ["Adam", "AdamW", "Optimizer", "SGD", "lr_scheduler"]

_WHERE = {"Adam": "adam", "AdamW": "adamw", "Optimizer": "optimizer", "SGD": "sgd",
          "register_optimizer_step_pre_hook": "optimizer", "register_optimizer_step_post_hook": "optimizer"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module("." + _WHERE[name], __name__), name)
    elif name in ("lr_scheduler", "optimizer", "sgd", "adam", "adamw"):
        value = importlib.import_module("." + name, __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
