"""The smaller public functions of torch.jit: annotate, isinstance, script_if_tracing,
CompilationUnit, export_opnames and the fuser settings."""
import ast
import builtins
import collections.abc
import functools
import linecache
import sys
import typing
import warnings

from .. import _C


def annotate(the_type, the_value):
    """Return the_value: a type hint for the compiler (``pyts.jit.annotate(List[int], [])``
    makes an empty int list in scripted code); in Python it does nothing."""
    return the_value


# ---- isinstance: torch.jit.isinstance's eager rules (torch/_jit_internal.py) ----
_RAW_CONTAINERS = {dict: "dict", list: "list", tuple: "tuple", typing.Dict: "Dict", typing.List: "List",
                   typing.Optional: "Optional", typing.Tuple: "Tuple"}


def _require_params(target_type):
    name = _RAW_CONTAINERS.get(target_type)
    if name is None:
        return
    if name.endswith("ict"):
        raise RuntimeError(f"Attempted to use {name} without contained types. Please add contained type, e.g. "
                           f"{name}[int, int]")
    raise RuntimeError(f"Attempted to use {name} without a contained type. Please add a contained type, e.g. "
                       f"{name}[int]")


def _warn_if_empty(obj):
    if obj == [] or obj == {} or obj == ():
        warnings.warn("The inner type of a container is lost when calling torch.jit.isinstance in eager mode. For "
                      "example, List[int] would become list and therefore falsely return True for List[float] or "
                      "List[str].", stacklevel=3)


def _element_is(obj, tp):
    return _container_is(obj, tp) if typing.get_origin(tp) else builtins.isinstance(obj, tp)


def _container_is(obj, target_type):
    origin = typing.get_origin(target_type)
    _require_params(target_type)
    if origin is None:
        return False
    args = typing.get_args(target_type)
    if origin is list:
        _warn_if_empty(obj)
        return builtins.isinstance(obj, list) and all(_element_is(e, args[0]) for e in obj)
    if origin is dict:
        _warn_if_empty(obj)
        return builtins.isinstance(obj, dict) and all(
            builtins.isinstance(k, args[0]) and _element_is(v, args[1]) for k, v in obj.items())
    if origin is tuple:
        _warn_if_empty(obj)
        return (builtins.isinstance(obj, tuple) and len(obj) == len(args)
                and all(_element_is(e, t) for e, t in zip(obj, args)))
    if origin is typing.Union or (sys.version_info >= (3, 10) and origin is __import__("types").UnionType):
        if obj is None:
            return True
        for t in args:
            if typing.get_origin(t):   # as torch: the first container member decides
                return _container_is(obj, t)
            if builtins.isinstance(obj, t):
                return True
    return False


def isinstance(obj, target_type):
    """torch.jit.isinstance: does obj have type target_type, parameterized containers included
    (``List[int]``, ``Dict[str, Tensor]``, ``Optional[Tuple[int, str]]``)? In scripted code it
    refines the type (prim::isinstance); in Python it checks the elements, and an empty container
    matches any element type (with torch's warning)."""
    if builtins.isinstance(target_type, collections.abc.Container):
        if not builtins.isinstance(target_type, tuple):
            raise RuntimeError("The second argument to `torch.jit.isinstance` must be a type or a tuple of types")
        return any(isinstance(obj, t) for t in target_type)
    if typing.get_origin(target_type):
        return _container_is(obj, target_type)
    _require_params(target_type)
    return builtins.isinstance(obj, target_type)


annotate._pyts_compiler_form = True
isinstance._pyts_compiler_form = True


def script_if_tracing(fn):
    """fn, compiled with pyts.jit.script the first time it is called while tracing (so that its
    control flow is recorded, not unrolled); outside tracing the Python function runs."""
    from . import is_tracing, script

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not is_tracing():
            return fn(*args, **kwargs)
        return script(wrapper.__original_fn)(*args, **kwargs)

    wrapper.__original_fn = fn
    wrapper.__script_if_tracing_wrapper = True
    return wrapper


# ---- CompilationUnit ----
class CompilationUnit:
    """Free functions compiled from TorchScript source text (torch.jit.CompilationUnit):
    ``cu = CompilationUnit(src)``, then ``cu.f(x)``, ``cu.find_function("f")``, ``cu.define(src)``.
    Names in the source resolve in the caller's scope and among the unit's functions (in any
    order). Bad source raises pyts.jit.CompileError (a RuntimeError) with its line and column."""

    def __init__(self, lang=None, _frames_up=0):
        self._functions = {}
        if lang is not None:
            self.define(lang, _frames_up=_frames_up + 1)

    def define(self, src, rcb=None, _frames_up=0):
        from ._script import _script_function
        _C._parse(src, "<string>")   # the compiler's syntax errors (CompileError with line/column)
        tree = ast.parse(src, "<string>")
        names = []
        for node in tree.body:
            if not builtins.isinstance(node, ast.FunctionDef):
                raise _C.CompileError(f"CompilationUnit source may only define functions, not "
                                      f"{type(node).__name__.lower()} (line {node.lineno})")
            names.append(node.name)
        frame = sys._getframe(_frames_up + 1)
        scope = dict(frame.f_globals)
        scope.update(frame.f_locals)
        # the type names TorchScript knows without an import (Python evaluates the annotations)
        for k, v in (("List", typing.List), ("Dict", typing.Dict), ("Tuple", typing.Tuple),
                     ("Optional", typing.Optional), ("Union", typing.Union), ("Any", typing.Any)):
            scope.setdefault(k, v)
        scope.setdefault("Tensor", _tensor_type())
        if rcb is not None:
            scope = _RcbScope(scope, rcb)
        for name, fn in self._functions.items():
            scope[name] = fn
        # the source is what the compiler reads back: registered as the text of "<string>"
        # while the unit compiles; the previous entry is put back, so that other code compiled from
        # "<string>" (an exec'd function) does not read this source as its own
        lines = src.splitlines(True)
        previous = linecache.cache.get("<string>")
        linecache.cache["<string>"] = (len(src), None, lines, "<string>")
        try:
            code = compile(tree, "<string>", "exec")
            ns = scope if builtins.isinstance(scope, dict) else dict(scope)
            exec(code, ns)
            for name in names:
                ns[name]._pyts_cu_name = name
            compiled = {}
            for name in names:
                compiled[name] = _script_function(ns[name])
        finally:
            if previous is None:
                linecache.cache.pop("<string>", None)
            else:
                linecache.cache["<string>"] = previous
        self._functions.update(compiled)

    def find_function(self, name):
        return self._functions.get(name)

    def get_functions(self):
        return list(self._functions.values())

    def __getattr__(self, name):
        fns = self.__dict__.get("_functions", {})
        if name in fns:
            return fns[name]
        raise AttributeError(f"'CompilationUnit' has no attribute '{name}'")


def _tensor_type():
    import pyts
    return pyts.Tensor


class _RcbScope(dict):
    """A scope that asks a resolution callback for the names it does not hold."""

    def __init__(self, base, rcb):
        super().__init__(base)
        self._rcb = rcb

    def __missing__(self, key):
        v = self._rcb(key)
        if v is None:
            raise KeyError(key)
        return v


def export_opnames(m):
    """The sorted, distinct names of the operators m's methods run, calls inlined, with their
    overload names (``aten::add.Scalar``), as torch.jit.export_opnames."""
    return _C._export_opnames(m._c)


# ---- fuser settings: pyts has no fuser ----
_FUSION_STRATEGY = [("STATIC", 2), ("DYNAMIC", 10)]
_ONEDNN_FUSION = [False]


def set_fusion_strategy(strategy):
    """Record the fusion strategy and return the previous one, as torch.jit.set_fusion_strategy.
    pyts has no fuser: the setting changes nothing it runs."""
    warnings.warn("`torch.jit.set_fusion_strategy` is deprecated. Please use `torch.compile` instead.",
                  DeprecationWarning, stacklevel=2)
    global _FUSION_STRATEGY
    try:
        new = [(str(k), int(d)) for k, d in strategy] if not builtins.isinstance(strategy, str) else None
    except (TypeError, ValueError):
        new = None
    if new is None or any(not builtins.isinstance(k, str) for k, _ in strategy):
        raise TypeError("_jit_set_fusion_strategy(): incompatible function arguments. The following argument types "
                        "are supported:\n    1. (arg0: collections.abc.Sequence[tuple[str, typing.SupportsInt | "
                        f"typing.SupportsIndex]]) -> list[tuple[str, int]]\n\nInvoked with: {strategy!r}")
    for k, _ in new:
        if k not in ("STATIC", "DYNAMIC"):
            raise ValueError(f"FusionBehavior only supported 'STATIC' or 'DYNAMIC', got: {k}")
    old, _FUSION_STRATEGY = _FUSION_STRATEGY, new
    return old


def enable_onednn_fusion(enabled):
    """Record whether oneDNN graph fusion is on (torch.jit.enable_onednn_fusion); returns None.
    pyts has no fuser: nothing it runs changes."""
    _ONEDNN_FUSION[0] = bool(enabled)


def onednn_fusion_enabled():
    """What enable_onednn_fusion last set (False at start)."""
    return _ONEDNN_FUSION[0]
