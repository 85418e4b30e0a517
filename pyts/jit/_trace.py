"""pyts.jit.trace: run a function or module on example inputs and record the ops it executes.

Recording happens in C (csrc/trace): every dispatched op becomes a node. This module only keeps
the module hierarchy: each submodule called during the trace gets its own traced ``forward`` and
the caller records ``prim::GetAttr`` + ``prim::CallMethod`` (calls with keyword arguments too, as
torch). Sizes read while tracing (x.size(0), x.shape, x.numel()) are traced 0-dim tensors made in
C (csrc/trace, csrc/python/tensor.c), so traces generalize over batch sizes as torch's do."""
from __future__ import annotations

import inspect
import threading
import warnings

from .. import _C
from ._script_module import ScriptFunction, ScriptModule


class TracerWarning(Warning):
    """A Python-side use of a traced tensor's value: the trace freezes it as a constant."""


class TracingCheckError(Exception):
    def __init__(self, graph_diff_error, tensor_compare_error, extra_msg=None):
        self.message = "Tracing failed sanity checks!\n"
        if extra_msg is not None:
            self.message += extra_msg + "\n"
        if graph_diff_error is not None:
            self.message += "ERROR: Graphs differed across invocations!\n" + graph_diff_error + "\n"
        if tensor_compare_error is not None:
            self.message += ("ERROR: Tensor-valued Constant nodes differed in value across invocations. "
                             "This often indicates that the tracer has encountered untraceable code.\n"
                             + tensor_compare_error + "\n")
        super().__init__(self.message)


_state = threading.local()


def _active():
    return getattr(_state, "trace", None)


class _TraceState:
    def __init__(self, root, objects):
        self.root = root
        self.objects = objects  # id(module) -> ScriptObject
        self.scopes = {}        # id(module) -> scope string
        self.stack = [root]


def _qualname(mod):
    cls = type(mod)
    module = cls.__module__
    if module in ("__main__", "builtins") or module.startswith(("__main__", "<")):
        return f"__torch__.{cls.__name__}"
    module = module.replace("pyts.nn.modules", "torch.nn.modules")
    return f"__torch__.{module}.{cls.__name__}"


def _build_object(mod, objects):
    """A ScriptObject mirroring module `mod`: parameters, buffers, submodules, `training`."""
    if id(mod) in objects:
        return objects[id(mod)]
    if isinstance(mod, ScriptModule):
        objects[id(mod)] = mod._c
        return mod._c
    attrs = [("training", "attribute", bool(getattr(mod, "training", True)))]
    for name, p in mod._parameters.items():
        if p is not None:
            attrs.append((name, "parameter", p))
    for name, b in mod._buffers.items():
        if b is not None:
            attrs.append((name, "buffer", b))
    for name, sub in mod._modules.items():
        if sub is not None:
            attrs.append((name, "module", _build_object(sub, objects)))
    obj = _C._make_object(_qualname(mod), True, attrs)
    objects[id(mod)] = obj
    return obj


def _arg_names(fn, n):
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params][:n]
    except (TypeError, ValueError):
        names = []
    return tuple(names + [None] * (n - len(names)))


def _as_tuple(example_inputs):
    if isinstance(example_inputs, tuple):
        return example_inputs
    return (example_inputs,)


def _attr_path(parent, mod):
    """"name" of a direct submodule, or "container.item" of one held by a container submodule
    (self.layers[0] in a ModuleList), as the tracer records the calls; None otherwise."""
    mods = getattr(parent, "_modules", None)
    if mods is None:
        return None
    for n, m in mods.items():
        if m is mod:
            return n
    for n, m in mods.items():
        for k, c in getattr(m, "_modules", {}).items():
            if c is mod:
                return n + "." + k
    return None


def _kwarg_call_inputs(mod, args, kwargs):
    """The traced inputs of a submodule call with keyword arguments, as torch's tracer records
    them: the tensors among the arguments bound to forward's parameters, in parameter order
    (defaults left out; other values become constants inside the callee). None when the call does
    not bind (the call then raises by itself)."""
    from .. import Tensor
    try:
        bound = inspect.signature(mod.forward).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    out = []
    for name, p in inspect.signature(mod.forward).parameters.items():
        if name not in bound.arguments:
            continue
        v = bound.arguments[name]
        vals = v if p.kind == p.VAR_POSITIONAL else v.values() if p.kind == p.VAR_KEYWORD else (v,)
        out.extend(x for x in vals if isinstance(x, Tensor))
    return tuple(out)


def _traced_results(out):
    """What a submodule call returns in the trace: its result, or, when that holds values other
    than tensors (MultiheadAttention's (output, None)), only its tensors, flat, as torch's
    CallMethod returns the values the caller can use."""
    from .. import Tensor

    def flat(v, acc):
        if isinstance(v, Tensor):
            acc.append(v)
        elif isinstance(v, (tuple, list)):
            for x in v:
                flat(x, acc)
        elif isinstance(v, dict):
            for x in v.values():
                flat(x, acc)

    def only_tensors(v):
        if isinstance(v, Tensor):
            return True
        if isinstance(v, (tuple, list)):
            return all(only_tensors(x) for x in v)
        if isinstance(v, dict):
            return all(only_tensors(x) for x in v.values())
        return False

    if only_tensors(out):
        return out
    acc = []
    flat(out, acc)
    return acc[0] if len(acc) == 1 else tuple(acc)


def _call_submodule(mod, args, kwargs, call):
    """Module.__call__ while tracing: a submodule of the traced module gets its own frame."""
    st = _active()
    if st is None or mod is st.stack[-1] or id(mod) not in st.objects:
        return call(*args, **kwargs)
    inputs = tuple(args)
    if kwargs:
        # torch records a call with keyword arguments as a prim::CallMethod too
        inputs = _kwarg_call_inputs(mod, args, kwargs)
        if inputs is None:
            return call(*args, **kwargs)
    # torch's call inputs are the distinct values the callee reads: a tensor passed twice
    # (self_attn(x, x, x)) is one input
    seen = set()
    inputs = tuple(a for a in inputs if not (id(a) in seen or seen.add(id(a))))
    parent = st.stack[-1]
    parent_obj = st.objects[id(parent)]
    attr = _attr_path(parent, mod)
    if attr is None:
        return call(*args, **kwargs)
    scope = st.scopes.get(id(parent))
    path = (scope.rsplit("/", 1)[-1] + "." + attr) if scope else "__module." + attr
    my_scope = (scope + "/" + path) if scope else path
    st.scopes[id(mod)] = my_scope
    _C._trace_push(st.objects[id(mod)], inputs, (None,) * len(inputs), my_scope)
    st.stack.append(mod)
    try:
        out = call(*args, **kwargs)
    except BaseException:
        st.stack.pop()
        _C._trace_abort()
        raise
    st.stack.pop()
    fn = _C._trace_pop(_traced_results(out), True)
    st.objects[id(mod)]._add_method(fn)
    del parent_obj
    return out


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """Trace a function or a module (see torch.jit.trace)."""
    try:
        from ..nn import Module
    except ImportError:  # pyts.nn not built yet
        Module = ()

    if isinstance(func, ScriptModule):
        warnings.warn("The input to trace is already a ScriptModule, tracing it is a no-op. Returning the object as is.")
        return func
    if example_kwarg_inputs is not None:
        if not isinstance(example_kwarg_inputs, dict):
            raise RuntimeError("example_kwarg_inputs should be a dict")
        example_inputs = _kwargs_as_positional(func.forward if isinstance(func, Module) else func,
                                               example_kwarg_inputs)
    elif example_inputs is None:
        raise RuntimeError("example_kwarg_inputs or example_inputs should be provided")
    if isinstance(func, Module):
        return trace_module(func, {"forward": example_inputs}, None, check_trace,
                            [(i,) for i in check_inputs] if check_inputs else None,
                            check_tolerance, strict)
    inputs = _as_tuple(example_inputs)
    fname = _function_name(func)
    fn = _trace_callable(None, func, inputs, _arg_names(func, len(inputs)), strict, fname)
    sf = ScriptFunction(fn, fname)
    if check_trace:
        _check(lambda *a: func(*a), sf, [inputs] + [(_as_tuple(c)) for c in (check_inputs or [])],
               check_tolerance, lambda: _trace_callable(None, func, inputs, _arg_names(func, len(inputs)), strict, fname))
    return sf


def _kwargs_as_positional(fn, kwargs):
    """example_kwarg_inputs in the order of fn's parameters (PyTorch binds them the same way)."""
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    unknown = set(kwargs) - {p.name for p in params}
    if unknown:
        raise TypeError(f"{getattr(fn, '__name__', 'forward')}() got an unexpected keyword argument "
                        f"'{sorted(unknown)[0]}'")
    out = []
    for p in params:
        if p.name in kwargs:
            out.append(kwargs[p.name])
        elif p.default is p.empty:
            raise TypeError(f"{getattr(fn, '__name__', 'forward')}() missing 1 required positional "
                            f"argument: '{p.name}'")
        else:
            break
    return tuple(out)


def _type_str(v):
    """PyTorch's name for the type of a traced output value."""
    from .. import Tensor
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, tuple):
        return "Tuple[" + ", ".join(_type_str(e) for e in v) + "]"
    if isinstance(v, list):
        return "List[" + (_type_str(v[0]) if v else "Tensor") + "]"
    if isinstance(v, dict):
        k = next(iter(v), "")
        return f"Dict[{type(k).__name__}, " + (_type_str(v[k]) if v else "Tensor") + "]"
    return type(v).__name__


def _function_name(func):
    """The traced function's name as PyTorch prints it in code: `<lambda>` becomes `_lambda`."""
    name = getattr(func, "__name__", "forward")
    if name.startswith("<") and name.endswith(">"):
        name = "_" + name[1:-1]
    return name


_STRICT_MSG = ("Encountering a {} at the output of the tracer might cause the trace to be incorrect, "
               "this is only valid if the container structure does not change based on the module's "
               "inputs. Consider using a constant container instead (e.g. for `list`, use a `tuple` "
               "instead. for `dict`, use a `NamedTuple` instead). If you absolutely need this and know "
               "the side effects, pass strict=False to trace() to allow this behavior.")


def _check_outputs(out, strict, top=True):
    """PyTorch's rules for traced outputs: tensors and tuples always; lists and dicts of one
    element type only with strict=False."""
    from .. import Tensor
    if isinstance(out, Tensor):
        return
    if isinstance(out, tuple):
        for o in out:
            _check_outputs(o, strict, False)
        return
    if isinstance(out, (list, dict)):
        kind = "list" if isinstance(out, list) else "dict"
        items = out if isinstance(out, list) else list(out.values())
        kinds = {_type_str(o) for o in items}
        if len(kinds) > 1:   # PyTorch infers the type first, whatever strict says
            found = sorted(kinds, key=[_type_str(o) for o in items].index)
            raise RuntimeError(f"Tracer cannot infer type of {out!r}\n:List inputs to traced functions must have "
                               f"consistent element type. Found {found[0]} and {found[1]}")
        if isinstance(out, list) and not all(isinstance(o, Tensor) for o in items):
            raise RuntimeError("Only tensors, lists, tuples of tensors, or dictionary of tensors can be "
                               "output from traced functions")
        if strict and isinstance(out, list):
            # a list of tensors passes with a warning, as in PyTorch; a dict does not
            warnings.warn(TracerWarning(_STRICT_MSG.format(kind)), stacklevel=4)
        elif strict:
            raise RuntimeError(_STRICT_MSG.format(kind))
        if isinstance(out, dict) and not all(isinstance(k, str) for k in out):
            raise RuntimeError("pyts.jit.trace supports dict outputs with str keys only")
        if isinstance(out, dict) and not all(isinstance(o, Tensor) for o in items):
            raise RuntimeError("Only tensors, lists, tuples of tensors, or dictionary of tensors can be "
                               "output from traced functions")
        for o in items:
            _check_outputs(o, strict, False)
        return
    raise RuntimeError("Only tensors, lists, tuples of tensors, or dictionary of tensors can be output "
                       "from traced functions")


def _trace_callable(obj, call, inputs, names, strict, name=None):
    _C._trace_push(obj, tuple(inputs), tuple(names), None)
    try:
        out = call(*inputs)
        _check_outputs(out, strict)
    except BaseException:
        _C._trace_abort()
        raise
    return _C._trace_pop(out, False, name)


class TracedModule(ScriptModule):
    """A module made by tracing (torch.jit.TracedModule)."""


class TopLevelTracedModule(TracedModule):
    """The module pyts.jit.trace / trace_module return for an nn.Module (torch's
    torch.jit.TopLevelTracedModule), for isinstance checks."""


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None,
                 check_tolerance=1e-5, strict=True, _force_outplace=False,
                 _module_class=None, _compilation_unit=None, example_inputs_is_kwarg=False,
                 _store_inputs=True):
    """Trace methods of a module: ``inputs`` maps method names to example inputs."""
    if not isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")

    def run():
        objects = {}
        obj = _build_object(mod, objects)
        for name, example in inputs.items():
            ex = _as_tuple(example)
            method = getattr(mod, name)
            st = _TraceState(mod, objects)
            _state.trace = st
            try:
                fn = _trace_callable(obj, lambda *a: mod(*a) if name == "forward" else method(*a),
                                     ex, _arg_names(method, len(ex)), strict)
            finally:
                _state.trace = None
            obj._add_method(fn)
        return obj

    obj = run()
    sm = TopLevelTracedModule(obj, mod)
    if check_trace:
        for name, example in inputs.items():
            if name != "forward":
                continue
            checks = [_as_tuple(example)] + [_as_tuple(c[0] if isinstance(c, tuple) and len(c) == 1 and isinstance(c[0], tuple) else c)
                                               for c in (check_inputs or [])]
            _check(mod, sm, checks, check_tolerance, lambda: run()._method("forward"))
    return sm


def _graph_text_without_locations(g):
    return "\n".join(line.split(" # ")[0] for line in str(g).split("\n"))


def _check(python_fn, traced, check_inputs, tol, retrace):
    """Re-trace and compare graphs; compare traced outputs with Python's."""
    import numpy as np

    from .. import no_grad

    first = traced.graph if isinstance(traced, (ScriptModule, ScriptFunction)) else traced
    first_text = _graph_text_without_locations(first)
    second = retrace()
    second_text = _graph_text_without_locations(second.graph_str())
    if _strip_value_names(first_text) != _strip_value_names(second_text):
        import difflib
        diff = "\n".join(difflib.unified_diff(first_text.split("\n"), second_text.split("\n"), lineterm=""))
        raise TracingCheckError(diff, None)
    with no_grad():
        for inp in check_inputs:
            a = _flatten(python_fn(*inp))
            b = _flatten(traced(*inp))
            for i, (x, y) in enumerate(zip(a, b)):
                xn, yn = x.detach().numpy(), y.detach().numpy()
                if xn.shape != yn.shape or not np.allclose(xn, yn, rtol=tol, atol=tol * 1e-2, equal_nan=True):
                    warnings.warn(TracerWarning(
                        f"Output nr {i + 1}. of the traced function does not match the corresponding output "
                        f"of the Python function. Detailed error:\nTensor-likes are not close!"), stacklevel=3)


def _strip_value_names(text):
    import re
    return re.sub(r"%[\w.]+", "%v", text)


def _flatten(out):
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r.extend(_flatten(o))
        return r
    return [out]
