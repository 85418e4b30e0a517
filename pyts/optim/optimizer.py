"""pyts.optim.Optimizer: the base class of the optimisers, with torch.optim.Optimizer's protocol.

Parameter groups (``param_groups``, ``add_param_group``), per-parameter ``state``,
``zero_grad`` and ``state_dict`` / ``load_state_dict`` in PyTorch's layout (parameters replaced by
their index, tensors kept), ``repr`` as PyTorch prints it. Subclasses implement ``step``.
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict
from itertools import chain
import warnings

from .. import _C

Tensor = _C.Tensor

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_is_grad_enabled = _C.is_grad_enabled
_set_grad_enabled = _C._set_grad_enabled


class _RequiredParameter:
    """Singleton for a hyper-parameter a param group must give (no default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    """torch.typename with pyts names ('pyts.FloatTensor'), as in error messages."""
    from ..nn.modules.module import _typename as typename

    return typename(obj)


def _to_scalar(x):
    """A 1-element hyper-parameter tensor becomes 0-dim; anything else is kept."""
    if isinstance(x, Tensor) and x.dim() != 0:
        return x.reshape(())
    return x


def _scalar_dtype():
    """dtype of Adam's ``step`` counter: float64 when that is the default dtype, else float32."""
    return _C._dtypes["float64"] if _C.get_default_dtype() is _C._dtypes["float64"] else _C._dtypes["float32"]


_CAST = {"float32": "float", "float64": "double", "float16": "half", "bfloat16": "bfloat16"}


def _cast_like(value: Tensor, param: Tensor) -> Tensor:
    """value in param's dtype when param is floating (the same tensor when already so), as
    torch's load_state_dict does with value.to(dtype=param.dtype)."""
    if param.is_floating_point() and value.dtype is not param.dtype:
        return getattr(value, _CAST[str(param.dtype).split(".")[-1]])()
    return value


def _use_grad(step):
    """Runs an optimiser's step with grad mode off (or as ``defaults['differentiable']`` says),
    restoring the caller's mode afterwards. Cheaper than entering a no_grad object per step."""

    def wrapper(self, *args, **kwargs):
        prev = _is_grad_enabled()
        _set_grad_enabled(bool(self.defaults.get("differentiable", False)))
        try:
            return step(self, *args, **kwargs)
        finally:
            _set_grad_enabled(prev)

    wrapper.__name__ = step.__name__
    wrapper.__qualname__ = step.__qualname__
    wrapper.__doc__ = step.__doc__
    return wrapper


_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


def _run_closure(closure):
    """The loss from step()'s closure, evaluated with grad enabled (step itself runs without)."""
    if closure is None:
        return None
    prev = _is_grad_enabled()
    _set_grad_enabled(True)
    try:
        return closure()
    finally:
        _set_grad_enabled(prev)


def _handle(hooks: OrderedDict, hook):
    from ..nn.modules.module import RemovableHandle

    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before every
    optimizer's step. Returns a handle whose remove() unregisters it."""
    return _handle(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs), after every optimizer's step."""
    return _handle(_global_optimizer_post_hooks, hook)


def _with_hooks(step):
    """The class's step with the step hooks around it. Without hooks (the hot path) it costs
    two dict checks."""

    def wrapper(*args, **kwargs):
        self = args[0]
        d = self.__dict__
        pre, post = d.get("_optimizer_step_pre_hooks"), d.get("_optimizer_step_post_hooks")
        if not (pre or post or _global_optimizer_pre_hooks or _global_optimizer_post_hooks):
            return step(*args, **kwargs)
        # as in torch, the hooks see the optimizer itself as args[0]
        for hook in chain(_global_optimizer_pre_hooks.values(), (pre or {}).values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
        out = step(*args, **kwargs)
        for hook in chain((post or {}).values(), _global_optimizer_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper.__name__ = step.__name__
    wrapper.__qualname__ = step.__qualname__
    wrapper.__doc__ = step.__doc__
    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimisers.

    params: an iterable of Tensors, of (name, Tensor) pairs, or of dicts (param groups) with a
    ``params`` entry and per-group options. defaults: the options a group does not give.
    """

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    def _patch_step_function(self) -> None:
        """Wrap the class's step (once per class) so that step hooks run around it, as torch
        does for every subclass, user-defined ones included."""
        cls = self.__class__
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_hooks(cls.step)

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before this
        optimizer's step. Returns a handle whose remove() unregisters it."""
        return _handle(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs), after this optimizer's step."""
        return _handle(self._optimizer_step_post_hooks, hook)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (a dict with 'params' and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        ids = {id(p) for p in params}
        if len(params) != len(ids):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information", stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimised tensors: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g.requires_grad_(False)
                        g.zero_()

    def step(self, closure=None):
        """Perform a single optimisation step (subclasses implement it)."""
        raise NotImplementedError

    def state_dict(self) -> dict:
        """{'state': {index: per-parameter state}, 'param_groups': [group options + 'params':
        [indices]]}; parameters are numbered in group order, tensors are not copied."""
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load what state_dict() returned (groups must match in number and sizes). Floating
        state tensors take their parameter's dtype; 'step' is kept as it is."""
        state_dict = state_dict.copy()
        groups = self.param_groups
        from copy import deepcopy

        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                return value if key == "step" else _cast_like(value, param)
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
