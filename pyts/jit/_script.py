"""pyts.jit.script: compile Python functions and modules as TorchScript.

Everything here gathers what only Python knows and hands it to the C compiler (csrc/frontend):
the source text of a function or method (``inspect``), its file and first line, the module's
attributes (as a ScriptObject, the way tracing builds one), and a resolver that answers the
compiler's questions about names the source does not define (globals, closures, builtins,
dotted module paths, methods of the class being compiled). No compiler logic lives here."""
from __future__ import annotations

import builtins
import collections
import enum
import inspect
import linecache
import sys
import types
import typing
import weakref

from .. import _C
from .._C import Tensor as _Tensor, dtype as _pyts_dtype
from .._attrs import layout as _pyts_layout
from ._script_module import ScriptFunction, ScriptMethod, ScriptModule
from ._trace import _qualname

CompileError = _C.CompileError
Final = typing.Final

_MISSING = object()

# `self.d = pyts.jit.Attribute({}, Dict[str, int])` in a module's __init__ declares the attribute's
# type (scripting compiles it as that type); in Python the attribute holds this pair, as torch's.
Attribute = collections.namedtuple("Attribute", ["value", "type"])


# ---- markers ----
def export(fn):
    """Compile this method too when its module is scripted (forward is always compiled)."""
    fn._pyts_export = True
    return fn


def ignore(drop=False, **kwargs):
    """Leave a function as Python: scripted code calls it through the interpreter (prim::PythonOp,
    typed by its annotations, Tensor by default), and a module that does cannot be saved.
    ``@ignore(drop=True)`` is ``@unused``: the call compiles to a body that raises."""
    if callable(drop):
        drop._pyts_ignore = True
        return drop

    def deco(fn):
        if drop:
            fn._pyts_unused = fn._pyts_drop = True
        else:
            fn._pyts_ignore = True
        return fn
    return deco


def unused(fn):
    """Compile only the method's signature, over a body that raises RuntimeError when called."""
    fn._pyts_unused = True
    return fn


# ---- overloads (torch.jit._overload / _overload_method) ----
_OVERLOADS = {}   # (module, qualname) -> [declarations], in definition order


def _overload(fn):
    """Declare one typed signature of a function whose last, undecorated def is the
    implementation: scripted calls pick the first declaration their argument types fit, each
    compiled as the implementation's body under that signature (torch.jit._overload)."""
    decls = _OVERLOADS.setdefault((fn.__module__, fn.__qualname__), [])
    # a module executed again (another namespace) starts a new list
    decls[:] = [d for d in decls if d.__globals__ is fn.__globals__] + [fn]
    return fn


def _overload_method(fn):
    """_overload for a method of a module: the overloads compile as methods <name>__<k>."""
    return _overload(fn)


def _overloads_of(fn):
    decls = _OVERLOADS.get((getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)), ())
    return [d for d in decls if d.__globals__ is getattr(fn, "__globals__", None) and d is not fn]


def _overload_source(impl, decl, name, is_method=False):
    """(source, file, line_offset) of one overload: `def <name>(...)` with the implementation's
    parameters, typed by the declaration (or the implementation where the declaration lacks one),
    the implementation's defaults (a declaration's default must equal it) and body, as torch."""
    import ast
    import textwrap
    src, file, off = _source_of(impl)
    lines = src.splitlines(True)
    fdef = ast.parse(textwrap.dedent(src)).body[0]
    ddef = ast.parse(textwrap.dedent(_source_of(decl)[0])).body[0]
    dargs = {a.arg: a for a in ddef.args.args}
    impl_sig, decl_sig = inspect.signature(impl), inspect.signature(decl)
    if fdef.args.vararg or fdef.args.kwarg or fdef.args.kwonlyargs or fdef.args.posonlyargs:
        raise CompileError(f"overloaded function '{impl.__name__}': only plain parameters are supported")
    params = []
    for i, a in enumerate(fdef.args.args):
        ann = dargs[a.arg].annotation if a.arg in dargs and dargs[a.arg].annotation is not None else a.annotation
        text = a.arg
        if ann is not None:
            text += ": " + ast.unparse(ann)
        elif not (is_method and i == 0):
            raise CompileError("Parameters not specified on the overloaded declaration must have a type annotation "
                               f"in the implementation function. Did not find type for param {a.arg}")
        dflt = impl_sig.parameters[a.arg].default
        if a.arg in decl_sig.parameters:
            dd = decl_sig.parameters[a.arg].default
            if dd is not inspect.Parameter.empty and (dflt is inspect.Parameter.empty or dd != dflt):
                raise CompileError("Default parameters on overloads do not affect the runtime so they must equal to "
                                   f"the default parameter on the implementation function. Found on parameter {a.arg}")
        k = i - (len(fdef.args.args) - len(fdef.args.defaults))
        if k >= 0 and _default_fits(dflt, ast.unparse(ann) if ann is not None else None):
            # torch keeps an implementation default only where it fits the declared type
            # (tensordot's dims=2 in its int overload, not in its Tuple/List/Tensor ones)
            text += " = " + ast.unparse(fdef.args.defaults[k])
        params.append(text)
    first = fdef.body[0]
    start = (first.decorator_list[0] if getattr(first, "decorator_list", None) else first).lineno - 1
    if start == fdef.lineno - 1 or start >= len(lines):
        raise CompileError(f"overloaded function '{impl.__name__}': its body must start on a line of its own")
    d = lines[fdef.lineno - 1]
    indent = d[:len(d) - len(d.lstrip())]
    ret = " -> " + ast.unparse(ddef.returns) if ddef.returns is not None else ""
    header = f"{indent}def {name}({', '.join(params)}){ret}:\n"
    return header + "".join(lines[start:]), file, off + start - 1


def _default_fits(v, ann):
    """Whether a number/bool/str/None default can be a value of the annotation's type (other
    defaults are taken as fitting)."""
    if ann is None or not isinstance(v, (bool, int, float, str, type(None))):
        return True
    if v is None:
        return ann.startswith("Optional") or "None" in ann or ann == "Any"
    base = ann[len("Optional["):-1] if ann.startswith("Optional[") else ann
    if base in ("Any", "number", "Scalar"):
        return True
    if isinstance(v, bool):
        return base == "bool"
    if isinstance(v, int):
        return base in ("int", "float", "complex")
    if isinstance(v, float):
        return base in ("float", "complex")
    return base == "str"


def _overload_qualname(impl, k):
    """The k-th overload's name: the function's own, then mangled as torch mangles repeated names
    (__torch__.mod.___torch_mangle_<k-1>.g)."""
    q = _function_qualname(impl)
    if k == 0:
        return q
    head, _, last = q.rpartition(".")
    return f"{head}.___torch_mangle_{k - 1}.{last}"


def _compiled_overload(impl, k):
    """(compiled Function, qualname) of the k-th overload of a free function (compiled once)."""
    cache = impl.__dict__.setdefault("__pyts_overloads__", {})
    if k not in cache:
        if (id(impl), k) in _COMPILING:
            raise CompileError(f"function '{impl.__name__}' calls itself; recursion is not supported in TorchScript")
        src, file, off = _overload_source(impl, _overloads_of(impl)[k], impl.__name__)
        _COMPILING.add((id(impl), k))
        try:
            fn = _C._compile_function(src, file, off, _Resolver(impl))
        finally:
            _COMPILING.discard((id(impl), k))
        cache[k] = (ScriptedFunction(fn, impl), _overload_qualname(impl, k))
    sf, q = cache[k]
    return sf._fn, q


def _overload_answer(v, p):
    """The resolver's answer for <function>._pyts_overloads (how many) / ._pyts_overload_<k>."""
    decls = _overloads_of(v) if inspect.isfunction(v) else ()
    if not decls:
        return None
    if p == "_pyts_overloads":
        return ("value", len(decls))
    k = p[len("_pyts_overload_"):]
    if not k.isdigit() or int(k) >= len(decls):
        return None
    return ("function", _compiled_overload(v, int(k)))


# ---- source ----
_SOURCES = {}   # id(code object) -> (weakref to it, (source, filename, line_offset))


def _source_of(fn):
    """(source, filename, line_offset) of a Python function, indentation kept (the compiler takes
    the first line's indentation as the base level, so columns match the file). Kept per code
    object: a function defined again (a reloaded module, a notebook cell run again) has a new one."""
    fn = inspect.unwrap(fn)
    code = getattr(fn, "__code__", None)
    hit = _SOURCES.get(id(code)) if code is not None else None
    if hit is not None and hit[0]() is code:
        return hit[1]
    r = _read_source(fn, code)
    if code is not None:
        key = id(code)
        _SOURCES[key] = (weakref.ref(code, lambda _, key=key: _SOURCES.pop(key, None)), r)
    return r


def _read_source(fn, code):
    lines = []
    if code is not None:
        linecache.checkcache(code.co_filename)   # the file may have changed since it was read
        lines = linecache.getlines(code.co_filename, fn.__globals__)
    if lines:
        block = _block_of(lines, code)
        if block is not None:
            return block, code.co_filename, code.co_firstlineno - 1
    try:
        lines, start = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise OSError(f"Can't get source for {fn}. TorchScript requires source access in order to carry out "
                      "compilation, make sure original .py files are available.") from e
    file = inspect.getsourcefile(fn) or getattr(fn.__code__, "co_filename", "<unknown>")
    return "".join(lines), file, start - 1


def _block_of(lines, code):
    """The def (with its decorators) from the file's lines, found from the code object alone:
    inspect.getsourcelines tokenizes the file from the def on, which costs more than compiling.
    The end is the last line the bytecode covers, extended over the lines indented deeper than the
    def (a trailing `pass`, comments). None when the lines do not look like a def (the file changed
    since import): then inspect decides."""
    first = code.co_firstlineno - 1
    if first >= len(lines):
        return None
    head = lines[first]
    indent = len(head) - len(head.lstrip())
    k = first
    while k < len(lines) and lines[k].lstrip().startswith("@"):
        k += 1
    if k >= len(lines) or not lines[k].lstrip().startswith(("def ", "async def ")):
        return None
    last = max((p[1] for p in code.co_positions() if p[1] is not None), default=k + 1)
    end = max(last, k + 1)   # 1-based, inclusive
    if end > len(lines):
        return None
    while end < len(lines):
        ln = lines[end]
        body = ln.strip()
        if body and len(ln) - len(ln.lstrip()) <= indent:
            break
        end += 1
    while end > k + 1 and not lines[end - 1].strip():
        end -= 1
    return "".join(lines[first:end])


# ---- name resolution ----
def _namespace(mod):
    """Canonical op namespace of a Python module: pyts and torch are both `torch`."""
    name = getattr(mod, "__name__", "")
    root = name.split(".")[0]
    if root in ("pyts", "torch"):
        return "torch" + name[len(root):]
    if name in ("math", "cmath"):
        # cmath's functions are the same overloaded ops (sqrt.complex...), as in torch
        return "math"
    if name == "warnings":
        # warnings.warn(msg, stacklevel=n) is TorchScript's builtin aten::warn, as in torch
        return "warnings"
    return None


def _missing_is_error(mod, name):
    """Is the absent attribute `name` of `mod` a compile error? For the op namespaces (pyts,
    torch and their submodules: torch.linalg, torch.special, torch.nn.functional...), except the
    compiler's own forms (torch.jit.annotate...) and the op-only module _VF."""
    if not isinstance(mod, types.ModuleType):
        return False
    ns = _namespace(mod)
    if not ns or not ns.startswith("torch") or ns in ("torch.jit", "torch._VF") or ns.startswith("torch.jit."):
        return False
    return True


def _dtype_id(v):
    if isinstance(v, _pyts_dtype):
        return v._id
    # a real torch.dtype: same ScalarType numbers, looked up by name
    if type(v).__name__ == "dtype" and type(v).__module__ == "torch":
        d = _C._dtypes.get(str(v).split(".")[-1])
        if d is not None:
            return d._id
    return None


_OP_TYPE = type(_C._functions["add"])   # the type of every registry function


# torch.functional's functions torch.jit.script compiles from their Python source
# (_functional_registered_ops in torch/jit/_builtins.py); the others are their aten ops
_COMPILED_FUNCTIONAL = frozenset({"stft", "istft", "lu", "cdist", "norm", "unique", "unique_consecutive", "tensordot"})


def _classify(v):
    if isinstance(v, types.ModuleType):
        ns = _namespace(v)
        return ("namespace", ns) if ns else ("other", "module")
    if v is None or isinstance(v, (bool, int, float, complex, str)):
        return ("value", v)
    if isinstance(v, ScriptedFunction) and inspect.isfunction(getattr(v, "__wrapped__", None)):
        # a pyts.jit.script'ed function called (or forked) from scripted code: its Python
        # function, compiled once (the same compiled function)
        v = v.__wrapped__
    if type(v) is _OP_TYPE:
        # a registry function under any name (F.gelu, `from pyts import linear`): the op itself
        return ("op", v.__name__)
    if not isinstance(v, types.FunctionType):
        if isinstance(v, _pyts_layout) or (type(v).__name__ == "layout" and type(v).__module__ == "torch"
                                           and str(v) == "torch.strided"):
            return ("value", 0)   # a Layout in scripted code is its number (torch.strided: 0)
        d = _dtype_id(v)
        if d is not None:
            return ("value", d)
        name = getattr(v, "__name__", None)
        if name and getattr(builtins, name, None) is v:
            return ("builtin", name)
        if inspect.isclass(v) and issubclass(v, enum.Enum) and v is not enum.Enum:
            return ("class", _enum_proto(v))
        if inspect.isclass(v) and v.__name__ == "no_grad" and v.__module__ in ("pyts.autograd", "torch.autograd.grad_mode"):
            # torch.no_grad / pyts.no_grad: TorchScript's script class of it (a with statement
            # enters and exits an object of it)
            from ._grad_mode_class import no_grad
            return ("class", _script_class(no_grad))
        if inspect.isclass(v):
            proto = _class_proto(v)
            if proto is not None:
                return ("class", proto)
            return ("other", "type")
    if (inspect.isfunction(v) and getattr(v, "__module__", None) in ("torch.functional", "pyts.functional")
            and v.__name__ not in _COMPILED_FUNCTIONAL and v.__name__ in _C._functions):
        # torch binds the Python wrappers of torch.functional (meshgrid, split, atleast_1d...)
        # to their aten ops in scripted code; it compiles only the few in torch/jit/_builtins.py
        return ("op", v.__name__)
    if inspect.isfunction(v) and inspect.isfunction(getattr(v, "_pyts_script_twin", None)):
        # an eager function whose scripted calls are another's (torch.cdist: the TorchScript body
        # torch compiles, pyts/_functional_script.py)
        v = v._pyts_script_twin
    if inspect.isfunction(v):
        if getattr(v, "_pyts_builtin", False):
            # the Python face of a builtin op (F.avg_pool2d is torch._C._nn.avg_pool2d): scripted
            # calls are the op's, matched against its schema
            return ("other", "builtin_function_or_method")
        while isinstance(getattr(v, "_pyts_dispatch", None), str):   # dispatches nest (unique)
            # torch's boolean_dispatch (F.max_pool2d on return_indices): calls choose by the
            # argument (the compiler asks for _pyts_dispatch*); as a value, the default's function
            v = v._pyts_dispatch_true if v._pyts_dispatch.endswith(":1") else v._pyts_dispatch_false
        if isinstance(getattr(v, "_pyts_script_builtin", None), str):
            # pyts.jit.fork / pyts.jit.wait: prim::fork and aten::wait (emit_fork.inc)
            return ("builtin", v._pyts_script_builtin)
        if getattr(v, "_pyts_compiler_form", False) or (
                v.__name__ in ("annotate", "isinstance") and getattr(v, "__module__", None) == "torch.jit"):
            # pyts.jit.isinstance / annotate (and torch.jit's): the compiler's own forms
            # (prim::isinstance, a typed value), which it finds by their dotted name when the
            # resolver answers nothing
            return None
        if v.__name__ in ("is_scripting", "is_tracing") and (v.__module__ or "").split(".")[0] in ("pyts", "torch"):
            # pyts.jit.is_scripting() / torch.jit.is_scripting(): the compiler's own (a constant)
            return ("other", v.__name__)
        if getattr(v, "_pyts_ignore", False):
            return ("python", _python_op(v))
        if getattr(v, "_pyts_unused", False):
            # a call raises (prim::RaiseException), typed by the signature, as torch's should_drop
            return ("python", (_signature_function(v, True), "^!:" + v.__name__))
        if _overloads_of(v):
            # calls choose among the overloads (the compiler asks for _pyts_overload*); as a value,
            # the first
            return ("function", _compiled_overload(v, 0))
        # a Python function called from scripted code is compiled too (prim::CallFunction), saved
        # as __torch__.<module>.<name>, as torch.jit.script does
        sf = _script_function(v)
        return ("function", (sf._fn, _function_qualname(v)))
    return ("other", type(v).__name__)


class _Resolver:
    """resolver(kind, name) for the C compiler: kind "global" asks what a (dotted) name in the
    compiled source refers to, kind "method" asks for the source of a method of `cls`."""

    def __init__(self, fn, cls=None):
        self.scopes = []
        self.cls = cls
        self._add(fn)

    def _add(self, fn):
        fn = inspect.unwrap(fn)
        closure = {}
        code = getattr(fn, "__code__", None)
        if code is not None and fn.__closure__:
            for name, cell in zip(code.co_freevars, fn.__closure__):
                try:
                    closure[name] = cell.cell_contents
                except ValueError:   # empty cell
                    pass
        for scope in (closure, getattr(fn, "__globals__", {})):
            if scope and all(scope is not s for s in self.scopes):
                self.scopes.append(scope)

    def _lookup(self, name):
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        return getattr(builtins, name, _MISSING)

    def __call__(self, kind, name):
        if kind == "method":
            return self._method(name)
        if name.startswith("^self."):
            return self._ignored_method(name[6:])
        if name.startswith("^names."):
            return self._names(name[7:])
        if name.startswith("^overloads."):
            m = inspect.getattr_static(self.cls, name[11:], None) if self.cls is not None else None
            n = len(_overloads_of(m)) if inspect.isfunction(m) else 0
            return ("value", n) if n else None
        parts = name.split(".")
        if self.cls is not None and parts == [self.cls.__name__] and "__pyts_class__" in self.cls.__dict__:
            return ("class", self.cls.__dict__["__pyts_class__"])   # a class names itself
        v = self._lookup(parts[0])
        for i, p in enumerate(parts[1:]):
            if v is _MISSING:
                break
            if p.startswith("_pyts_overload") and inspect.isfunction(v):
                return _overload_answer(getattr(v, "_pyts_script_twin", None) or v, p)
            owner, v = v, getattr(v, p, _MISSING)
            if v is _MISSING and i == len(parts) - 2 and _missing_is_error(owner, p):
                # torch resolves `torch.X` through Python's getattr: a name the module does not
                # have is a compile error even when an op of that name exists (torch.leaky_relu_)
                return ("other", "<missing>")
        if v is _MISSING:
            return None
        return _classify(v)

    def _names(self, what):
        """("value", "a b c"): the names a compile error may suggest instead of a misspelt one:
        "methods", the functions the class being compiled defines (not those of nn.Module or
        object); "globals", what the function's scopes and builtins define."""
        try:
            names = set()
            if what == "methods" and self.cls is not None:
                for c in self.cls.__mro__:
                    mod = getattr(c, "__module__", "") or ""
                    if c is object or mod.split(".")[0] in ("pyts", "torch", "builtins"):
                        continue
                    names.update(k for k, v in vars(c).items() if inspect.isfunction(v))
            elif what == "globals":
                for scope in self.scopes:
                    names.update(k for k in scope if isinstance(k, str))
                names.update(k for k in dir(builtins) if not k.startswith("_"))
            names = sorted(n for n in names if n.isidentifier())
            return ("value", " ".join(names)) if names else None
        except Exception:   # a hint is never worth an error of its own
            return None

    def _ignored_method(self, name):
        """("python", ...) for an @ignore'd method of the class being compiled, else None. The
        call passes the module first; Python sees the scripted module (self.module, set when it
        is built), as torch passes its ScriptModule."""
        if self.cls is None:
            return None
        m = inspect.getattr_static(self.cls, name, None)
        if inspect.isfunction(m) and getattr(m, "_pyts_unused", False):
            # @unused: the call raises (torch's should_drop), typed by the signature
            return ("python", (_signature_function(m, True, drop_self=True), "^!:" + name))
        if not (inspect.isfunction(m) and getattr(m, "_pyts_ignore", False)):
            return None
        ref = m.__dict__.get("__pyts_python_op__")
        if ref is None:
            def call(so, *args):
                # the compiled code (shared by every instance of the class) passes its object
                return m(_SCRIPTED.get(_C._object_id(so), so), *args)
            call.__name__ = name
            ref = "^%d:%s" % (_C._register_python_op(call), name)
            m.__pyts_python_op__ = ref
        return ("python", (_signature_function(m, True, drop_self=True), ref))

    def _method(self, name):
        if self.cls is None:
            return None
        if "__pyts_class__" in self.cls.__dict__ and name not in self.cls.__dict__:
            # a script class has only the methods its own body defines (torch compiles
            # cls.__dict__'s functions: inherited ones are not methods of the compiled class)
            return None
        m = inspect.getattr_static(self.cls, name, None)
        base, _, k = name.rpartition("__")
        if m is None and k.isdigit() and base:
            # h__<k>: the k-th overload of method h (torch's name for it)
            impl = inspect.getattr_static(self.cls, base, None)
            decls = _overloads_of(impl) if inspect.isfunction(impl) else ()
            if int(k) < len(decls):
                self._add(impl)
                return _overload_source(impl, decls[int(k)], name, is_method=True)
        if isinstance(m, (staticmethod, classmethod)):
            # not a method of the object: `self.f(x)` is an error in torch too (Cls.f(x) is the
            # function, resolved as a dotted name)
            return None
        if not inspect.isfunction(m):
            return None
        if getattr(m, "_pyts_unused", False):
            return _unused_source(m)
        _check_markers(m, name)
        self._add(m)
        return _source_of(m)


def _unused_source(fn, default_tensor=False):
    """An @unused method compiles as its signature over a body that raises, as torch.jit.unused.
    default_tensor: a missing return annotation means Tensor (the typing of @ignore'd calls)."""
    import ast
    import textwrap
    src, file, off = _source_of(fn)
    lines = src.splitlines(True)
    tree = ast.parse(textwrap.dedent(src))
    body0 = tree.body[0].body[0]
    head = "".join(lines[:body0.lineno - 1])
    if default_tensor and tree.body[0].returns is None:
        # the header ends with `):` (maybe a comment after it); body0 starts on its own line
        import re
        m = re.search(r"\)(\s*):([ \t]*(#[^\n]*)?\n?)$", head)
        if m is None or body0.lineno == tree.body[0].lineno:
            raise CompileError(f"cannot read the signature of @ignore'd function '{fn.__name__}': "
                               "add a return annotation")
        head = head[:m.start()] + ") -> Tensor:" + m.group(2)
    indent = len(lines[body0.lineno - 1]) - len(lines[body0.lineno - 1].lstrip())
    if getattr(fn, "_pyts_drop", False):   # torch's text for @ignore(drop=True)
        body = " " * indent + 'raise RuntimeError("This Python function is annotated to be ignored and cannot be run")\n'
    else:
        body = " " * indent + 'raise RuntimeError("Method \'%s\' is marked @pyts.jit.unused and cannot be called")\n' % fn.__name__
    return head + body, file, off


def _signature_function(fn, default_tensor=False, drop_self=False):
    """fn's signature compiled over a body that raises (@unused), cached on fn: the typing of
    calls to an @unused or @ignore'd function (drop_self: of a method, without self)."""
    f = fn.__dict__.get("__pyts_signature__")
    if f is None:
        src, file, off = _unused_source(fn, default_tensor)
        if drop_self:
            import re
            src, k = re.subn(r"(def\s+\w+\s*\(\s*)self\s*(,\s*|(?=\)))", r"\1", src, count=1)
            if not k:
                raise CompileError(f"cannot read the signature of @ignore'd method '{fn.__name__}'")
        f = _C._compile_function(src, file, off, _Resolver(fn))
        fn.__pyts_signature__ = f
    return f


def _python_op(fn):
    """(signature Function, "^<id>:<name>") for the resolver: calls of an @ignore'd function."""
    ref = fn.__dict__.get("__pyts_python_op__")
    if ref is None:
        ref = "^%d:%s" % (_C._register_python_op(fn), fn.__name__)
        fn.__pyts_python_op__ = ref
    return (_signature_function(fn, True), ref)


def _check_markers(fn, name):
    if getattr(fn, "_pyts_ignore", False):
        raise CompileError(f"@pyts.jit.ignore is not supported yet: '{name}' cannot be called from scripted code")
    if getattr(fn, "_pyts_unused", False):
        raise CompileError(f"@pyts.jit.unused is not supported yet: '{name}' cannot be called from scripted code")


# ---- functions ----
class ScriptedFunction(ScriptFunction):
    """A scripted free function: calls take keyword arguments and defaults like the Python one."""

    def __init__(self, fn, py_fn):
        super().__init__(fn, py_fn.__name__)
        self._sig = inspect.signature(py_fn)
        self.__doc__ = py_fn.__doc__
        self.__wrapped__ = py_fn
        self._conv_in, self._ret_ann = _conversions(py_fn)
        if self._ret_ann is None:
            self._ret_ann = _result_shape(fn)
        self._lists = _list_params(self._sig)

    def __call__(self, *args, **kwargs):
        params = self._sig.parameters
        if kwargs or len(args) != len(params):
            args = _bind_like_torch(list(params.values()), self.__name__, self._fn.decl, args, kwargs)
        if self._lists:
            args = _as_lists(args, self._lists)
        if self._conv_in:
            args = tuple(_to_script(a) for a in args)
        try:
            if _C._trace_depth():
                # called while tracing: the trace records prim::CallFunction of this function
                r = _C._trace_call_function(self._fn, _function_qualname(self.__wrapped__), tuple(args))
            else:
                r = self._fn(*args)
        except RuntimeError as e:
            _raise_inferred(e, self.__name__, params.values())
            raise
        return r if self._ret_ann is None else _from_script(r, self._ret_ann)


def _bind_like_torch(params, name, decl, args, kwargs, nself=0):
    """Positional, then keyword arguments, then defaults, as torch's createStackForSchema binds a
    call; its RuntimeErrors (self counts in a method's argument numbers, decl() is the schema)."""
    n = len(params) + nself
    got = len(args) + len(kwargs) + nself
    if got > n:
        raise RuntimeError(f"{name}() expected at most {n} argument(s) but received {got} argument(s). "
                           f"Declaration: {decl()}")
    out = list(args)
    used = 0
    for p in params[len(args):]:
        if p.name in kwargs:
            out.append(kwargs[p.name])
            used += 1
        elif p.default is not inspect.Parameter.empty:
            out.append(p.default)
        else:
            raise RuntimeError(f"{name}() is missing value for argument '{p.name}'. Declaration: {decl()}")
    if used != len(kwargs):
        names = [p.name for p in params]
        for k in kwargs:
            if k not in names:
                raise RuntimeError(f"Unknown keyword argument '{k}' for operator '{name}'. Schema: {decl()}")
            if names.index(k) < len(args):
                raise RuntimeError(f"Argument '{k}' specified both as positional and keyword argument. "
                                   f"Schema: {decl()}")
    return tuple(out)


def _raise_inferred(e, name, params):
    """torch names an unannotated parameter's type 'Tensor (inferred)' when an argument does not
    fit it, and says why (the compiled function does not know which parameters had annotations)."""
    msg = str(e)
    head = f"{name}() Expected a value of type 'Tensor' for argument '"
    if not msg.startswith(head):
        return
    pn = msg[len(head):].split("'", 1)[0]
    for p in params:
        if p.name == pn and p.annotation is inspect.Parameter.empty:
            first, rest = msg.split("\n", 1) if "\n" in msg else (msg, "")
            first = first.replace("type 'Tensor'", "type 'Tensor (inferred)'", 1)
            raise RuntimeError(f"{first}\nInferred '{pn}' to be of type 'Tensor' because it was not annotated "
                               f"with an explicit type.\n{rest}") from None


def _torch_module_name(mod):
    """pyts's own modules are named as torch's (pyts.nn.functional is torch.nn.functional), so the
    qualified names in graphs, .code and archives are the ones torch.jit.script gives."""
    return "torch" + mod[4:] if mod == "pyts" or mod.startswith("pyts.") else mod


def _list_params(sig):
    """[(index, n)] of the parameters annotated List[T] (n = 0) or BroadcastingListN[T] (n = N),
    maybe Optional: a tuple passed for one is a list, and one number is repeated N times, as torch
    converts the arguments of such a function's schema."""
    from .._jit_internal import _Broadcast
    out = []
    for i, p in enumerate(sig.parameters.values()):
        ann = p.annotation
        if typing.get_origin(ann) is typing.Union:
            rest = [a for a in typing.get_args(ann) if a is not type(None)]
            ann = rest[0] if len(rest) == 1 else None
        if isinstance(ann, _Broadcast):
            out.append((i, ann.n))
        elif typing.get_origin(ann) is list:
            out.append((i, 0))
    return out


def _as_lists(args, lists):
    args = list(args)
    for i, n in lists:
        if i >= len(args):
            continue
        v = args[i]
        if isinstance(v, tuple):
            args[i] = list(v)
        elif n and isinstance(v, (int, float)):
            args[i] = [v] * n
    return tuple(args)


def _function_qualname(fn):
    cu_name = getattr(fn, "_pyts_cu_name", None)
    if cu_name:   # a function of a CompilationUnit: its bare name, as torch's
        return cu_name
    mod = (getattr(fn, "__module__", None) or "__main__").replace("<", "_").replace(">", "_")
    if mod == "__main__":   # torch's _qualified_name: __main__ is __torch__ itself
        return "__torch__." + fn.__name__
    return "__torch__." + _torch_module_name(mod) + "." + fn.__name__


_COMPILING = set()        # functions being compiled now (recursion is not TorchScript)
_KEEP = {}                # compiled functions whose Python function cannot hold them


def _script_function(fn):
    cached = getattr(fn, "__pyts_script__", None) or _KEEP.get(id(fn))
    if cached is not None:
        return cached
    _check_markers(fn, fn.__name__)
    bd = getattr(fn, "_pyts_dispatch", None)
    if isinstance(bd, str):
        raise CompileError(f"{fn.__name__} dispatches on its argument '{bd.split(':')[0]}' and cannot be compiled "
                           f"directly (as in torch): script {fn._pyts_dispatch_false.__name__} or "
                           f"{fn._pyts_dispatch_true.__name__}")
    if _overloads_of(fn):
        raise CompileError(f"Function {_function_qualname(fn)} cannot be directly compiled because it is overloaded. It "
                           "must be used in a context of a function where its inputs can determine which overload to call.")
    if id(fn) in _COMPILING:
        raise CompileError(f"function '{fn.__name__}' calls itself; recursion is not supported in TorchScript")
    src, file, off = _source_of(fn)
    _COMPILING.add(id(fn))
    try:
        sf = ScriptedFunction(_C._compile_function(src, file, off, _Resolver(fn)), fn)
    finally:
        _COMPILING.discard(id(fn))
    try:
        fn.__pyts_script__ = sf
    except (AttributeError, TypeError):
        _KEEP[id(fn)] = sf
    return sf


# ---- script classes and NamedTuples ----
def _is_namedtuple(cls):
    return inspect.isclass(cls) and issubclass(cls, tuple) and hasattr(cls, "_fields")


def _class_qualname(cls):
    """TorchScript's name of a Python class: __torch__.<module>.<name> (__torch__.<name> in __main__)."""
    mod = getattr(cls, "__module__", None) or "__main__"
    return ("__torch__" if mod == "__main__" else "__torch__." + _torch_module_name(mod)) + "." + cls.__name__


def _scriptable_class(cls):
    """A user class TorchScript compiles when code names it: its own __init__, not a module,
    exception or a class of pyts, torch or the standard library."""
    if _is_namedtuple(cls):
        return True
    mod = getattr(cls, "__module__", "") or ""
    if mod.split(".")[0] in ("builtins", "typing", "pyts", "torch", "collections", "enum", "abc"):
        return False
    if issubclass(cls, BaseException) or _is_module_class(cls) or issubclass(cls, enum.Enum):
        return False
    if inspect.isfunction(cls.__dict__.get("__init__")):
        return True
    # a class of user code without its own __init__ (a subclass, a holder of static methods):
    # torch compiles it too; constructing it is the error "does not have an __init__ function"
    def defined(v):   # a def of the class body (a lambda put on a class is not TorchScript)
        v = v.__func__ if isinstance(v, staticmethod) else v.fget if isinstance(v, property) else v
        return inspect.isfunction(v) and v.__name__ != "<lambda>"
    return any(defined(v) for v in cls.__dict__.values())


def _enum_proto(cls):
    """The prototype ScriptObject of a Python Enum class TorchScript code names (made once, cached
    on the class): its class holds the members, and members of cls cross into compiled code."""
    proto = cls.__dict__.get("__pyts_enum__")
    if proto is not None:
        return proto
    proto = _C._make_object(_class_qualname(cls), False, [])
    _C._enum_define(proto, [(m.name, m.value) for m in cls], cls)
    type.__setattr__(cls, "__pyts_enum__", proto)
    return proto


def _is_module_class(cls):
    try:
        from ..nn import Module
        if issubclass(cls, Module):
            return True
    except ImportError:
        pass
    # module look-alikes (duck typing, as _is_module)
    return callable(getattr(cls, "forward", None)) and callable(getattr(cls, "register_buffer", None))


def _class_proto(cls):
    """The prototype ScriptObject holding cls's compiled class (compiled on first use), or None
    when cls is not a class TorchScript compiles."""
    proto = cls.__dict__.get("__pyts_class__")
    if proto is not None:
        return proto
    if not _scriptable_class(cls):
        return None
    return _script_class(cls)


def _annotation_source(tp, names):
    """A field annotation as TorchScript source; classes go through `names` (key -> class), which
    the resolver of the fields answers."""
    from .. import Tensor
    if tp is None or tp is type(None):
        return "None"
    if isinstance(tp, str):
        return tp
    if tp in (int, float, bool, str, complex):
        return tp.__name__
    if tp is Tensor or getattr(tp, "__name__", None) == "Tensor":
        return "Tensor"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return "Optional[%s]" % _annotation_source(rest[0], names)
        return "Union[%s]" % ", ".join(_annotation_source(a, names) for a in args)
    forms = {list: "List", tuple: "Tuple", dict: "Dict"}
    if origin in forms:
        if origin is tuple and not args:
            return "Tuple[()]"
        return "%s[%s]" % (forms[origin], ", ".join(_annotation_source(a, names) for a in args))
    if inspect.isclass(tp):
        key = "_pyts_field_class_%d" % len(names)
        names[key] = tp
        return key
    raise CompileError(f"unsupported type annotation {tp!r} in a NamedTuple field")


def _script_class(cls):
    """Compile a script class (its methods, __init__ first; attributes from __init__'s
    assignments) or a NamedTuple (its annotated fields); cached on the class."""
    proto = cls.__dict__.get("__pyts_class__")
    if proto is not None:
        return proto
    proto = _C._make_object(_class_qualname(cls), False, [])
    if _is_namedtuple(cls):
        _NT_CLASSES[_class_qualname(cls)] = cls
        hints = typing.get_type_hints(cls)
        names = {}
        # collections.namedtuple fields have no annotations: TorchScript types them Tensor
        fields = [(f, _annotation_source(hints[f], names) if f in hints else "Tensor") for f in cls._fields]
        res = _Resolver(lambda: None)
        res.scopes.insert(0, names)
        mod = __import__("sys").modules.get(cls.__module__)
        if mod is not None:
            res.scopes.append(vars(mod))
        type.__setattr__(cls, "__pyts_class__", proto)
        try:
            defaults = getattr(cls, "_field_defaults", {}) or {}
            _C._class_fields(proto, fields, getattr(mod, "__file__", None) or "<NamedTuple>", res,
                             [defaults[f] for f in cls._fields if f in defaults])
        except BaseException:
            type.__delattr__(cls, "__pyts_class__")
            raise
        return proto
    # the functions of the class body (not inherited ones, as torch's get_jit_class_def), __init__
    # first: its assignments declare the attributes; then the properties (methods use them)
    own = [n for n, m in vars(cls).items() if inspect.isfunction(m) and not getattr(m, "_pyts_drop", False)]
    names = (["__init__"] if "__init__" in own else []) + sorted(n for n in own if n != "__init__")
    first = cls.__dict__.get(names[0]) if names else None
    resolver = _Resolver(first if first is not None else (lambda: None), cls)
    if first is None:
        mod = sys.modules.get(cls.__module__)
        if mod is not None:
            resolver.scopes.append(vars(mod))
    type.__setattr__(cls, "__pyts_class__", proto)   # methods may name their own class
    try:
        _compile_named(proto, names[:1], resolver, cls.__dict__.__getitem__)
        _compile_properties(proto, cls, resolver)
        _compile_named(proto, names[1:], resolver, cls.__dict__.__getitem__)
    except BaseException:
        type.__delattr__(cls, "__pyts_class__")
        raise
    _C._class_finish(proto)
    return proto


class ScriptClassObject:
    """An object of a script class returned by compiled code: its attributes and methods."""

    __slots__ = ("_c", "_pycls")

    def __init__(self, c, pycls=None):
        object.__setattr__(self, "_c", c)
        object.__setattr__(self, "_pycls", pycls)

    def __getattr__(self, name):
        c = object.__getattribute__(self, "_c")
        if any(n == name for n, _ in c._attrs()):
            return _wrap_objects(c._get(name))
        getter = "__%s_getter" % name
        if not name.startswith("__") and getter in c._methods():
            return _wrap_objects(c._run(getter, ()))   # a property
        if not name.startswith("__") and name in c._methods():
            fn = c._method(name)
            from ._script_module import _bind_args
            return lambda *a, **k: _wrap_objects(c._run(name, _bind_args(fn, tuple(_to_script(x) for x in a),
                                                                         {n: _to_script(x) for n, x in k.items()})))
        raise AttributeError(f"'{c._qualname()}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        c = object.__getattribute__(self, "_c")
        if not name.startswith("__") and "__%s_setter" % name in c._methods():
            c._run("__%s_setter" % name, (_to_script(value),))
            return
        if not any(n == name for n, _ in c._attrs()):
            raise AttributeError(f"'{c._qualname()}' object has no attribute '{name}'")
        c._set(name, _to_script(value))

    def __dir__(self):
        c = object.__getattribute__(self, "_c")
        props = [m[2:-7] for m in c._methods() if m.startswith("__") and m.endswith("_getter")]
        return sorted([n for n, _ in c._attrs()] + [m for m in c._methods() if not m.startswith("__")] + props)

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_c')._qualname()} object at {id(self):#x}>"


# Python operators on a returned object call its compiled magic methods (torch hands back an object
# of the Python class, whose own methods answer them): binary ones give NotImplemented when the
# class lacks the method, so Python raises its usual TypeError
_BINARY_MAGIC = ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__", "__matmul__",
                 "__and__", "__or__", "__xor__", "__lshift__", "__rshift__", "__eq__", "__ne__", "__lt__", "__le__",
                 "__gt__", "__ge__")
_OTHER_MAGIC = ("__len__", "__getitem__", "__setitem__", "__contains__", "__neg__", "__invert__", "__int__",
                "__float__", "__index__", "__round__", "__abs__", "__bool__", "__str__")


def _magic_forwarder(name):
    def magic(self, *args):
        c = object.__getattribute__(self, "_c")
        if name not in c._methods():
            if name in _BINARY_MAGIC:
                return NotImplemented
            if name == "__bool__":
                return True
            if name == "__str__":
                return repr(self)
            raise TypeError(f"'{c._qualname()}' object has no method '{name}'")
        return _wrap_objects(c._run(name, tuple(_to_script(a) for a in args)))
    magic.__name__ = name
    return magic


for _m in _BINARY_MAGIC + _OTHER_MAGIC:
    setattr(ScriptClassObject, _m, _magic_forwarder(_m))


def _object_hash(self):
    # a compiled __hash__, else identity (defining __eq__ above would drop object.__hash__)
    c = object.__getattribute__(self, "_c")
    return c._run("__hash__", ()) if "__hash__" in c._methods() else object.__hash__(self)


ScriptClassObject.__hash__ = _object_hash
del _m


def _wrap_objects(v, depth=0):
    """Values read from script class objects: objects of script classes wrapped (a script class
    never holds a module)."""
    if isinstance(v, _C.ScriptObject):
        return ScriptClassObject(v)
    if depth < 8 and isinstance(v, list):
        return [_wrap_objects(x, depth + 1) for x in v]
    if depth < 8 and type(v) is tuple:
        return tuple(_wrap_objects(x, depth + 1) for x in v)
    return v


def _to_script(v):
    """A Python argument for compiled code: instances of script classes become objects of their
    class (attributes read by name); containers are converted item by item."""
    if isinstance(v, ScriptClassObject):
        return object.__getattribute__(v, "_c")
    proto = type(v).__dict__.get("__pyts_class__") if not isinstance(v, tuple) else None
    if proto is not None:
        return _C._class_instance(proto, [_to_script(getattr(v, n)) for n, _ in proto._attrs()])
    if isinstance(v, list):
        return [_to_script(x) for x in v]
    if type(v) is tuple:
        return tuple(_to_script(x) for x in v)
    if isinstance(v, dict):
        return {k: _to_script(x) for k, x in v.items()}
    return v


# Python NamedTuple classes by TorchScript name, for results whose NamedTuples no annotation names
# (an inferred return type): torch returns namedtuples there too
_NT_CLASSES = weakref.WeakValueDictionary()


class _Shape:
    """Where the NamedTuples are in a result whose return annotation does not say
    (_C._namedtuple_shape of the compiled function)."""
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape


def _result_shape(fn):
    shape = _C._namedtuple_shape(fn)
    return _Shape(shape) if shape is not None else None


def _nt_class(qualname, fields):
    c = _NT_CLASSES.get(qualname)
    if c is not None and tuple(c._fields) == tuple(fields):
        return c
    from ._serialization import _namedtuple_type
    return _namedtuple_type(qualname, fields)


def _from_script(v, ann):
    """A result of compiled code as Python sees it, guided by the annotation: NamedTuples as
    instances of their Python class, script class objects as ScriptClassObject."""
    if ann is None or isinstance(ann, str):
        return v
    if isinstance(ann, _Shape):
        from ._serialization import _rebuild
        return _rebuild(v, ann.shape, _nt_class)
    if _is_namedtuple(ann) and isinstance(v, tuple):
        hints = typing.get_type_hints(ann)
        return ann(*[_from_script(x, hints.get(f)) for x, f in zip(v, ann._fields)])
    if inspect.isclass(ann) and type(v).__name__ == "ScriptObject":
        return ScriptClassObject(v, ann)
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is list and isinstance(v, list) and args:
        return [_from_script(x, args[0]) for x in v]
    if origin is tuple and isinstance(v, tuple) and args and len(args) == len(v):
        return tuple(_from_script(x, a) for x, a in zip(v, args))
    if origin is dict and isinstance(v, dict) and len(args) == 2:
        return {k: _from_script(x, args[1]) for k, x in v.items()}
    if origin is typing.Union and v is not None:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _from_script(v, rest[0])
    return v


def _needs_conversion(ann, depth=0):
    """Does a value of this annotation hold NamedTuples or script class objects?"""
    if depth > 8 or ann is None or isinstance(ann, str):
        return False
    if inspect.isclass(ann):
        return _is_namedtuple(ann) or "__pyts_class__" in ann.__dict__ or (
            _scriptable_class(ann) and not issubclass(ann, (int, float, bool, str)))
    return any(_needs_conversion(a, depth + 1) for a in typing.get_args(ann))


def _conversions(py_fn, drop_self=False):
    """(convert arguments?, return annotation or None) of a compiled Python function."""
    if not getattr(py_fn, "__annotations__", None):
        return False, None
    try:
        hints = typing.get_type_hints(py_fn)
    except Exception:
        hints = getattr(py_fn, "__annotations__", {}) or {}
    params = list(inspect.signature(py_fn).parameters)[1 if drop_self else 0:]
    conv_in = any(_needs_conversion(hints.get(p)) for p in params)
    ret = hints.get("return")
    return conv_in, (ret if _needs_conversion(ret) else None)


# ---- modules ----
# nn.Module bookkeeping that is not a TorchScript attribute
_SKIP_ATTRS = {"training", "_parameters", "_buffers", "_modules", "_non_persistent_buffers_set",
               "_backward_hooks", "_backward_pre_hooks", "_forward_hooks", "_forward_pre_hooks",
               "_forward_hooks_with_kwargs", "_forward_pre_hooks_with_kwargs", "_state_dict_hooks",
               "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
               "_is_full_backward_hook", "_forward_hooks_always_called", "dump_patches", "call_super_init"}


def _nn_module():
    global _Module
    if _Module is None:
        from ..nn import Module   # pyts.nn imports pyts.jit: not at import time
        _Module = Module
    return _Module


_Module = None


def _is_module(obj):
    if isinstance(obj, _nn_module()):
        return True
    return all(hasattr(obj, a) for a in ("_parameters", "_buffers", "_modules", "forward")) and not inspect.isclass(obj)


class RecursiveScriptModule(ScriptModule):
    """A scripted module: calls bind keyword arguments and defaults with the Python signature."""

    def __init__(self, obj, original, pyfns=None):
        super().__init__(obj, original)
        if pyfns is None:
            pyfns = _python_methods(type(original), obj._methods())
        object.__setattr__(self, "_pyfns", pyfns)

    def _call(self, name, args, kwargs):
        args = self._bind(name, args, kwargs)
        entry = object.__getattribute__(self, "_pyfns").get(name)
        conv = entry[3] if entry is not None else None
        if conv is not None and conv[0]:
            args = tuple(_to_script(a) for a in args)
        try:
            r = self._c._run(name, args)
        except RuntimeError as e:
            self._inferred(name, e)
            raise
        return r if conv is None or conv[1] is None else _from_script(r, conv[1])

    def _signature(self, entry):
        if entry[2] is None:
            entry[2] = inspect.signature(entry[0])
        return entry[2]

    def _inferred(self, name, e):
        entry = object.__getattribute__(self, "_pyfns").get(name)
        if entry is not None:
            _raise_inferred(e, name, list(self._signature(entry).parameters.values())[1:])

    def _bind(self, name, args, kwargs):
        entry = object.__getattribute__(self, "_pyfns").get(name)
        if entry is None or (not kwargs and len(args) + 1 == entry[1]):
            if kwargs:
                raise TypeError(f"{name}() got unexpected keyword arguments")
            return args
        params = list(self._signature(entry).parameters.values())[1:]
        return _bind_like_torch(params, name, lambda: self._c._method(name).decl(), args, kwargs, nself=1)

    def __call__(self, *args, **kwargs):
        if not kwargs:
            entry = object.__getattribute__(self, "_pyfns").get("forward")
            if entry is None or entry[3] is None:   # no argument or result conversions
                try:
                    r = self._c._call_forward(args)
                except RuntimeError as e:
                    self._inferred("forward", e)
                    raise
                if r is not NotImplemented:
                    return r
        return self._call("forward", args, kwargs)

    def forward(self, *args, **kwargs):
        return self._call("forward", args, kwargs)

    def __getattr__(self, name):
        if not name.startswith("__") and name in object.__getattribute__(self, "_pyfns") and name != "forward":
            return ScriptMethod(self, name, lambda *a, **k: self._call(name, a, k))
        try:
            return super().__getattr__(name)
        except AttributeError:
            if not name.startswith("__") and "__%s_getter" % name in self._c._methods():
                return _wrap_objects(self._c._run("__%s_getter" % name, ()))   # a compiled property
            raise


def _nparams(fn):
    """len(inspect.signature(fn).parameters), from the code object when that is the same thing
    (the common case needs no Signature: calls with every argument positional bind as they are)."""
    code = getattr(fn, "__code__", None)
    if code is None or hasattr(fn, "__wrapped__") or hasattr(fn, "__signature__"):
        return len(inspect.signature(fn).parameters)
    return (code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS)
            + bool(code.co_flags & inspect.CO_VARKEYWORDS))


def _python_methods(cls, names, obj=None):
    """{method name: [function, parameter count, Signature or None until a call needs it,
    (convert arguments?, result annotation) when NamedTuples/objects cross, else None]}"""
    out = {}
    for name in names:
        m = getattr(cls, name, None)
        if inspect.isfunction(m):
            c = _conversions(m, drop_self=True)
            if c[1] is None and obj is not None:   # no annotation: the compiled return type says
                c = (c[0], _result_shape(obj._method(name)))
            out[name] = [m, _nparams(m), None, c if c[0] or c[1] is not None else None]
    return out


def _is_container_attr(v, depth=0):
    """Lists, tuples and dicts (keys str, int, bool, float, complex or Tensor) of numbers, bools, strings, tensors and of such
    containers: module attributes TorchScript types from their value (List[int], Dict[str, float]...)."""
    if depth > 8:
        return False
    if v is None or isinstance(v, (bool, int, float, complex, str, _Tensor)):
        # None inside a container: a NoneType item ((1, None) is Tuple[int, NoneType], as torch)
        return depth > 0
    if isinstance(v, (list, tuple)):
        return (len(v) > 0 or isinstance(v, tuple)) and all(_is_container_attr(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return len(v) > 0 and all(isinstance(k, (str, int, float, complex, _Tensor)) and _is_container_attr(x, depth + 1)
                                  for k, x in v.items())
    if depth > 0 and isinstance(v, enum.Enum) and _enum_proto(type(v)) is not None:
        return True   # a member of an Enum class (List[__torch__.Mode])
    return False


def _has_union(a, depth=0):
    if typing.get_origin(a) is typing.Union or type(a).__name__ == "UnionType":
        return True
    return depth < 8 and any(_has_union(x, depth + 1) for x in typing.get_args(a))


# class -> its _union_annotations (get_type_hints is slow: once per class); weak: a class defined
# in a function must die with it (its compiled types with it)
_UNION_ANNOTATIONS = weakref.WeakKeyDictionary()


def _union_annotations(cls):
    """{attribute: annotation source} for the class-level annotations that hold a Union (Optional
    included; List[Union[int, str]] too) or name a container type (List[int]): such an attribute
    has the annotated type, not its value's (as torch)."""
    cached = _UNION_ANNOTATIONS.get(cls)
    if cached is None:
        cached = _UNION_ANNOTATIONS[cls] = _find_union_annotations(cls)
    return cached


def _find_union_annotations(cls):
    out = {}
    for klass in reversed(cls.__mro__):
        hints = None
        for k, a in vars(klass).get("__annotations__", {}).items():
            if isinstance(a, str):
                if hints is None:
                    try:
                        hints = typing.get_type_hints(klass)
                    except Exception:
                        hints = {}
                if k not in hints:
                    continue
                a = hints[k]
            # an annotated container too (`hist: List[int]`), used for an empty value, whose
            # type cannot be inferred (torch takes the annotation)
            union = _has_union(a)
            if union or typing.get_origin(a) in (list, dict, tuple):
                names = {}
                try:
                    src = _annotation_source(a, names)
                except Exception:
                    continue
                if not names:   # class members have no name the attribute type parser knows
                    out[k] = (src, union)
    return out


def _plain_attributes(mod):
    """Instance attributes TorchScript keeps as module attributes: numbers, bools, strings, None and
    tensors that are neither parameters nor buffers."""
    out = []
    consts = _constant_names(type(mod))
    unions = _union_annotations(type(mod))
    for k, v in vars(mod).items():
        if k in _SKIP_ATTRS or k.startswith("__"):
            continue
        if k in mod._parameters or k in mod._buffers or k in mod._modules:
            continue
        if isinstance(v, Attribute):
            out.append(_declared_attribute(k, v))
            continue
        # a container the class annotates with a Union inside (Dict[str, Optional[int]]) is typed
        # by the annotation, so its items need not infer one type
        ann = unions.get(k)
        if ann is not None and not (ann[1] or (isinstance(v, (list, tuple, dict)) and not v)):
            ann = None
        if ann is None and isinstance(v, tuple) and _is_namedtuple(type(v)) and type(v) is not tuple:
            # a NamedTuple: an attribute of its NamedTuple type (p.field reads it), as torch
            proto = _class_proto(type(v))
            if proto is not None:
                out.append((k, "attribute", _to_script(v), proto))
                continue
        if (v is None or isinstance(v, (bool, int, float, complex, str, _Tensor, _C.device, _pyts_dtype))
                or _is_container_attr(v)
                or (ann is not None and isinstance(v, (list, tuple, dict)))):
            kind = "attribute"
            if k in consts and _constant_value(v):
                # a constant list is a tuple, as torch makes it
                kind, v = "constant", _as_constant(v)
            out.append((k, kind, v, ann[0]) if kind == "attribute" and ann is not None else (k, kind, v))
        elif isinstance(v, enum.Enum) and not isinstance(v, (int, float, str)):
            # a member of an Enum class: an attribute of its enum type
            _enum_proto(type(v))
            out.append((k, "attribute", v))
        elif (not isinstance(v, tuple) and inspect.isclass(type(v)) and _scriptable_class(type(v))
              and inspect.isfunction(type(v).__dict__.get("__init__"))):
            # an instance of a script class: an object of its compiled class
            _class_proto(type(v))
            out.append((k, "attribute", _to_script(v)))
    return out


def _declared_attribute(name, a):
    """(name, "attribute", value, type source) of a pyts.jit.Attribute; an int declared float is
    the float, as torch converts it."""
    names = {}
    try:
        src = _annotation_source(a.type, names)
    except CompileError:
        src = None
    if src is None or names:
        raise RuntimeError(f"Attribute '{name}' is declared with type {a.type!r}, which pyts.jit.Attribute "
                           "does not support (numbers, bool, str, Tensor, List/Dict/Tuple/Optional/Union of them)")
    v = a.value
    if a.type is float and isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    return (name, "attribute", v, src)


def _constant_value(v, depth=0):
    """Can v be a module constant (torch's _get_valid_constant: None, numbers, bools, strings and
    tuples / lists of them)?"""
    if v is None or isinstance(v, (bool, int, float, complex, str)):
        return True
    return depth < 8 and isinstance(v, (tuple, list)) and all(_constant_value(x, depth + 1) for x in v)


def _as_constant(v):
    return tuple(_as_constant(x) for x in v) if isinstance(v, (tuple, list)) else v


def _constant_names(cls):
    """Names declared `__constants__ = [...]` or annotated `x: Final[T]` (typing or
    typing_extensions) on the class or its bases: compiled as constants, as torch does."""
    names = set()
    for klass in cls.__mro__:
        names.update(getattr(klass, "__constants__", ()) or ())
        for k, a in vars(klass).get("__annotations__", {}).items():
            if a is Final or getattr(a, "__origin__", None) is Final or (isinstance(a, str) and a.startswith(("Final", "typing.Final"))):
                names.add(k)
            elif type(a).__name__ in ("_SpecialForm", "_GenericAlias") and str(a).startswith("typing_extensions.Final"):
                names.add(k)
    return names


def _defines_forward(cls):
    f = getattr(cls, "forward", None)
    if not inspect.isfunction(f):
        return False
    # pyts.nn.Module's own forward only raises
    return not (f.__module__ or "").startswith("pyts.nn.modules.module")


# Compiled class types per Python class, reused for instances whose attributes have the same
# names, kinds and types (submodules: the same class types): torch's concrete type store shares one
# ClassType between such modules the same way. A class defined again (a notebook cell run again) is
# a new key. _clear_class_state() forgets everything, as a new process would.
_CLASS_TYPES = weakref.WeakKeyDictionary()   # Python class -> [class type capsules]
# (qualname, methods to compile, Python methods) of a module class is kept on the class itself as
# __pyts_info__ = (generation, info): its Python methods reach the class through their globals, so
# a dictionary keyed by the class (even weakly) would keep it, and its compiled code, forever
_INFO_GENERATION = [0]
_SCRIPTED = weakref.WeakValueDictionary()    # _C._object_id -> RecursiveScriptModule (@ignore'd self)
_MAX_TYPES_PER_CLASS = 16


def _clear_class_state():
    _CLASS_TYPES.clear()
    _INFO_GENERATION[0] += 1


def _class_info(mod, cls):
    held = cls.__dict__.get("__pyts_info__")
    info = held[1] if held is not None and held[0] == _INFO_GENERATION[0] else None
    if info is None:
        wanted = []
        if _defines_forward(cls):
            wanted.append("forward")
        base = _nn_module()
        for klass in reversed(cls.__mro__):
            if klass is object or klass is base:   # neither has @export methods
                continue
            for name, m in vars(klass).items():
                if inspect.isfunction(m) and getattr(m, "_pyts_export", False) and name not in wanted:
                    wanted.append(name)
        info = (_qualname(mod), wanted, {})
        try:
            type.__setattr__(cls, "__pyts_info__", (_INFO_GENERATION[0], info))
        except (AttributeError, TypeError):
            pass
    return info


_IFACE_ATTRS = weakref.WeakKeyDictionary()   # class -> _interface_attrs(class)


def _interface_attrs(cls):
    """{attribute: interface class} for the class-level annotations naming a module interface
    (`proxy: OneTwoModule`): that submodule is typed (and checked) as the interface."""
    cached = _IFACE_ATTRS.get(cls)
    if cached is None:
        cached = _IFACE_ATTRS[cls] = _find_interface_attrs(cls)
    return cached


def _find_interface_attrs(cls):
    out = {}
    for klass in reversed(cls.__mro__):
        for k, a in vars(klass).get("__annotations__", {}).items():
            if isinstance(a, str):
                try:
                    a = typing.get_type_hints(klass).get(k, a)
                except Exception:
                    continue
            if inspect.isclass(a) and "__pyts_interface__" in a.__dict__:
                out[k] = a
    return out


def _script_module(mod, memo, extra=()):
    """extra: methods to compile besides forward and @export'd ones (those of a module interface
    the parent types this module with, as torch's interface_script compiles them)."""
    if isinstance(mod, ScriptModule):
        return mod
    if id(mod) in memo:
        return memo[id(mod)]
    attrs = [("training", "attribute", bool(getattr(mod, "training", True)))]
    for name, p in mod._parameters.items():
        # torch keeps a None parameter (Linear(bias=False)) as a NoneType attribute
        attrs.append((name, "parameter", p) if p is not None else (name, "attribute", None))
    for name, b in mod._buffers.items():
        # a None buffer (a loss without weight) is a NoneType attribute too, as in torch
        attrs.append((name, "buffer", b) if b is not None else (name, "attribute", None))
    cls = type(mod)
    ifaces = _interface_attrs(cls)
    for name, sub in mod._modules.items():
        if sub is not None:
            iface = ifaces.get(name)
            more = _interface_methods(iface) if iface is not None else ()
            attrs.append((name, "module", _script_module(sub, memo, more)._c))
    attrs += _plain_attributes(mod)
    qualname, wanted, pyfns_of = _class_info(mod, cls)
    obj = _C._make_object(qualname, True, attrs)
    for name in mod._modules:
        if name in ifaces:
            _C._iface_attr(obj, name, ifaces[name].__dict__["__pyts_class__"])
    known = _CLASS_TYPES.get(cls)
    if not (known and any(_C._adopt_class(obj, c) for c in known)):
        _compile_methods(obj, cls, wanted)
        _container_methods(obj, mod)
        if known is None:
            known = _CLASS_TYPES[cls] = []
        if len(known) < _MAX_TYPES_PER_CLASS:
            known.append(_C._class_of(obj))
    missing = [m for m in extra if m not in obj._methods()]
    if missing:
        for m in missing:
            if not inspect.isfunction(getattr(cls, m, None)):
                raise AttributeError(f"'{cls.__name__}' object has no attribute '{m}'")   # torch's words
        _compile_named(obj, missing, _Resolver(getattr(cls, missing[0]), cls), lambda name: getattr(cls, name))
    methods = tuple(obj._methods())
    pyfns = pyfns_of.get(methods)
    if pyfns is None:
        pyfns = pyfns_of[methods] = _python_methods(cls, methods, obj)
    sm = RecursiveScriptModule(obj, mod, pyfns)
    if wanted:
        _SCRIPTED[_C._object_id(obj)] = sm   # what @ignore'd methods get as self
    memo[id(mod)] = sm
    return sm


def _container_methods(obj, mod):
    """ModuleList, Sequential and ModuleDict get __len__ (their length, a constant) and a
    ModuleDict __contains__ (its keys), as torch.jit.script defines them on every such container:
    len(self.layers) and `k in self.heads` call them (prim::CallMethod)."""
    from ..nn import ModuleDict, ModuleList, Sequential
    if not isinstance(mod, (ModuleList, Sequential, ModuleDict)):
        return
    have = obj._methods()
    if "__len__" not in have:
        _C._compile_method(obj, "def __len__(self):\n   return %d\n" % len(mod), "<string>", 0, _Resolver(lambda: None))
    if isinstance(mod, ModuleDict) and "__contains__" not in have:
        keys = list(mod.keys())
        body = "key in %r" % keys if keys else "False"
        _C._compile_method(obj, "def __contains__(self, key: str):\n   return %s\n" % body, "<string>", 0,
                           _Resolver(lambda: None))


def _compile_methods(obj, cls, wanted):
    if not wanted and not _properties(cls):
        return
    resolver = _Resolver(getattr(cls, wanted[0]) if wanted else (lambda: None), cls)
    if not wanted:
        mod = sys.modules.get(cls.__module__)
        if mod is not None:
            resolver.scopes.append(vars(mod))
    _compile_properties(obj, cls, resolver)
    _compile_named(obj, wanted, resolver, lambda name: getattr(cls, name))


def _properties(cls):
    """[(name, property)] TorchScript compiles for a class or module class: every property of the
    class and its bases (as torch's get_class_properties) except those listed in
    __jit_unused_properties__ and those whose getter is @ignore'd/@unused. Found once per class
    (getmembers walks every attribute) and kept on the class itself: a cache keyed by the class
    would hold it through the properties' globals."""
    cached = cls.__dict__.get("__pyts_properties__")
    if cached is None:
        cached = _find_properties(cls)
        try:
            type.__setattr__(cls, "__pyts_properties__", cached)
        except (AttributeError, TypeError):
            pass
    return cached


def _find_properties(cls):
    unused = getattr(cls, "__jit_unused_properties__", None) or []
    out = []
    seen = set()
    for klass in cls.__mro__:
        for name, p in vars(klass).items():
            if name in seen:
                continue
            seen.add(name)
            if isinstance(p, property):
                out.append((name, p))
    out.sort()
    kept = []
    for name, p in out:
        if name in unused or p.fget is None:
            continue
        if getattr(p.fget, "_pyts_ignore", False) or getattr(p.fget, "_pyts_unused", False):
            continue
        kept.append((name, p))
    return kept


def _compile_properties(target, cls, resolver):
    """Compile each property's getter (and setter) as the methods `__<name>_getter` and
    `__<name>_setter`, TorchScript's names: `obj.name` in compiled code calls them."""
    for name, p in _properties(cls):
        for fn, which in ((p.fget, "getter"), (p.fset, "setter")):
            if fn is None or ("__%s_%s" % (name, which)) in target._methods():
                continue
            resolver._add(fn)
            src, file, off = _source_of(fn)
            _C._compile_method(target, src, file, off, resolver, "__%s_%s" % (name, which))


def _compile_named(target, names, resolver, lookup):
    """Compile the methods `names` (found with lookup) into target, an object or a class
    prototype, skipping those compiled already because an earlier one called them."""
    for name in names:
        if name in target._methods():
            continue
        m = lookup(name)
        if getattr(m, "_pyts_unused", False):
            src, file, off = _unused_source(m)
        else:
            _check_markers(m, name)
            resolver._add(m)
            src, file, off = _source_of(m)
        _C._compile_method(target, src, file, off, resolver)


# ---- interfaces ----
def _interface_methods(iface):
    """The method names of an interface class, in TorchScript's order (by name)."""
    return iface.__dict__["__pyts_interface__"]


def interface(obj):
    """Declare a TorchScript interface (torch.jit.interface): the class's methods are signatures
    (bodies are not compiled). Annotating a parameter, variable or list with it accepts objects of
    every script class that has those methods; a subclass of nn.Module is a module interface, the
    type a module attribute can be annotated with (`proxy: OneTwoModule`) so that any module with
    those methods may fill it, and be swapped in later."""
    if not inspect.isclass(obj):
        raise RuntimeError("interface must be applied to a class")
    base = _nn_module()
    is_module = issubclass(obj, base) and len(obj.__mro__) == 3
    if not is_module and len(obj.__mro__) > 2:
        raise RuntimeError("TorchScript interface does not support inheritance yet. Please directly inherit from "
                           "'object' or 'nn.Module'.")
    # the functions of the class body (torch's get_jit_class_def: inspect.getmembers, by name)
    names = sorted(n for n, m in vars(obj).items()
                   if inspect.isfunction(m) and not isinstance(inspect.getattr_static(obj, n), staticmethod))
    proto = _C._make_object(_class_qualname(obj), is_module, [])
    _C._class_interface(proto)
    type.__setattr__(obj, "__pyts_class__", proto)   # signatures may name the interface itself
    try:
        if names:
            resolver = _Resolver(obj.__dict__[names[0]], obj)
            for n in names:
                fn = obj.__dict__[n]
                resolver._add(fn)
                src, file, off = _source_of(fn)
                _C._compile_method(proto, src, file, off, resolver)
    except BaseException:
        type.__delattr__(obj, "__pyts_class__")
        raise
    type.__setattr__(obj, "__pyts_interface__", tuple(names))
    return obj


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compile a function or a module instance as TorchScript (see torch.jit.script).

    >>> @script
    ... def f(x, n: int):
    ...     for i in range(n):
    ...         x = x * 2
    ...     return x
    """
    if isinstance(obj, (ScriptModule, ScriptFunction)):
        return obj
    if _is_module(obj):
        return _script_module(obj, {})
    if inspect.isclass(obj):
        if _is_module_class(obj):
            raise CompileError(f"scripting module classes is not supported: script an instance of {obj.__name__}")
        if not _is_namedtuple(obj) and len(obj.__mro__) > 2:
            # torch.jit.script's own check on a decorated class (compiled code naming a subclass
            # compiles it without its bases, as torch does)
            raise RuntimeError("TorchScript classes does not support inheritance yet. "
                               "Please directly inherit from 'object'.")
        _script_class(obj)   # the class stays a Python class; compiled code uses its compiled form
        return obj
    if getattr(obj, "_pyts_builtin", False):
        raise TypeError("<class 'builtin_function_or_method'> is a built-in class")   # as torch
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return _script_function(obj.__func__ if inspect.ismethod(obj) else obj)
    if type(obj) is _OP_TYPE:
        raise TypeError(f"{type(obj)} is a built-in class")   # torch's words for its builtins
    raise RuntimeError(f"Type '{type(obj).__name__}' cannot be compiled by pyts.jit.script")
