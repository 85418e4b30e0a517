"""ScriptModule and ScriptFunction: Python views of compiled objects and functions held in C.

One object model serves traced, scripted and loaded modules: a C class type plus slots
(``pyts._C.ScriptObject``). Calls run in the C interpreter with the GIL released."""
from __future__ import annotations

from collections import OrderedDict

from .. import _C


class Graph:
    """A method's IR graph; ``str(g)`` is TorchScript's graph text."""

    def __init__(self, fn):
        self._fn = fn

    def __str__(self):
        return self._fn.graph_str()

    __repr__ = __str__

    def nodes(self):
        """The nodes of the top block in order, as torch's graph.nodes()."""
        return [Node(k, s) for k, s, d in self._fn.graph_nodes() if d == 0]

    def findAllNodes(self, kind):  # noqa: N802 (torch's name)
        """Every node of that kind, nested blocks included, as torch's graph.findAllNodes."""
        return [Node(k, s) for k, s, _ in self._fn.graph_nodes() if k == kind]

    def _all_nodes(self):
        """Every node, those of nested blocks after their owner."""
        return [Node(k, s) for k, s, _ in self._fn.graph_nodes()]


class Node:
    """A node of a graph, as far as torch's Node API is read: kind() and schema()."""

    def __init__(self, kind, schema):
        self._kind, self._schema = kind, schema

    def kind(self):
        return self._kind

    def schema(self):
        """The op's schema text, or "(no schema)" like torch for nodes that are not ops."""
        return self._schema if self._schema is not None else "(no schema)"

    def __repr__(self):
        return f"<Node {self._kind}>"


class _InlinedGraph(Graph):
    """``.inlined_graph``: the graph with every method/function call replaced by its body."""

    def __str__(self):
        return _C._ir_inlined_graph(self._fn)

    __repr__ = __str__


def _code_of(fn, with_constants=False):
    src, consts = fn.code()
    if with_constants:
        return src, ConstMap({f"c{i}": c for i, c in enumerate(consts)})
    return src


class ConstMap:
    def __init__(self, mapping):
        self.const_mapping = mapping

    def __getattr__(self, name):
        try:
            return self.const_mapping[name]
        except KeyError:
            raise AttributeError(name) from None


def _bind_args(fn, args, kwargs):
    """Positional arguments for compiled function fn from a Python call: keyword arguments by
    parameter name and the defaults the compiled signature records (TorchScript's own rules)."""
    sig = fn.signature()
    if not kwargs and len(args) == len(sig):
        return args
    if len(args) > len(sig):
        raise RuntimeError(f"{fn.name}() expected at most {len(sig)} argument(s) but received {len(args)} argument(s). "
                           f"Declaration: {fn.name}({', '.join(n for n, _, _ in sig)})")
    out = list(args)
    for name, has_default, default in sig[len(args):]:
        if name in kwargs:
            out.append(kwargs.pop(name))
        elif has_default:
            out.append(default)
        else:
            raise RuntimeError(f"{fn.name}() is missing value for argument '{name}'.")
    for name in kwargs:
        if any(n == name for n, _, _ in sig[:len(args)]):
            raise RuntimeError(f"{fn.name}() got multiple values for argument '{name}'")
        raise RuntimeError(f"{fn.name}() got an unexpected keyword argument '{name}'")
    return tuple(out)


class ScriptFunction:
    """A compiled free function (from tracing or scripting)."""

    def __init__(self, fn, name=None):
        self._fn = fn
        self.__name__ = name or fn.name
        self.name = self.__name__

    def __call__(self, *args):
        return self._fn(*args)

    @property
    def graph(self):
        return Graph(self._fn)

    @property
    def inlined_graph(self):
        return _InlinedGraph(self._fn)

    @property
    def code(self):
        return _code_of(self._fn)

    @property
    def code_with_constants(self):
        return _code_of(self._fn, True)

    def __repr__(self):
        return f"<pyts.jit.ScriptFunction object at {id(self):#x}>"


class ScriptMethod:
    """A compiled method of a module, bound to it (torch.ScriptMethod): calling it runs the
    method; graph and code show it."""

    def __init__(self, owner, name, call):
        self._owner = owner
        self._call = call
        self.name = self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    @property
    def owner(self):
        return self._owner

    @property
    def graph(self):
        return Graph(self._owner._c._method(self.name))

    @property
    def inlined_graph(self):
        return _InlinedGraph(self._owner._c._method(self.name))

    @property
    def code(self):
        return _code_of(self._owner._c._method(self.name))

    @property
    def code_with_constants(self):
        return _code_of(self._owner._c._method(self.name), True)

    def __repr__(self):
        return f"<pyts.jit.ScriptMethod {self.name!r}>"


class ScriptModule:
    """A module whose methods are compiled TorchScript (traced, scripted or loaded)."""

    _pyts_script_module = True   # pyts.nn.Module registers it as a submodule

    def __init__(self, obj, original=None):
        object.__setattr__(self, "_c", obj)
        qual = obj._qualname()
        object.__setattr__(self, "original_name", qual.rsplit(".", 1)[-1])
        object.__setattr__(self, "_submodules", {})
        object.__setattr__(self, "_original", original)

    # ---- attributes ----
    def _kinds(self):
        return dict(self._c._attrs())

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        kinds = self._kinds()
        if name in kinds:
            if kinds[name] == "module":
                subs = object.__getattribute__(self, "_submodules")
                if name not in subs:
                    subs[name] = ScriptModule(self._c._get(name))
                return subs[name]
            v = self._c._get(name)
            if isinstance(v, _C.ScriptObject):   # an object of a script class
                from ._script import _wrap_objects
                return _wrap_objects(v)
            return v
        if name in self._c._methods():
            fn = self._c._method(name)
            return ScriptMethod(self, name, lambda *args, **kwargs: self._c._run(name, _bind_args(fn, args, dict(kwargs))))
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        kinds = self._kinds()
        if name in kinds:
            if kinds[name] == "module":
                # a scripted module swapped in: of the attribute's class, or implementing the
                # module interface the attribute is typed with (_set checks which, as torch)
                if not isinstance(value, ScriptModule):
                    raise RuntimeError("Cannot re-assign modules in a ScriptModule with non-scripted module, "
                                       f"tried to replace existing module '{name}': {value!r}")
                self._c._set(name, value._c)
                object.__getattribute__(self, "_submodules").pop(name, None)
                return
            self._c._set(name, value)
        else:
            object.__setattr__(self, name, value)

    # ---- calls ----
    def __call__(self, *args, **kwargs):
        if not kwargs:   # positional arguments that match forward's parameters: straight into C
            r = self._c._call_forward(args)
            if r is not NotImplemented:
                return r
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        return self._c._run("forward", _bind_args(self._c._method("forward"), args, dict(kwargs)))

    # ---- introspection ----
    @property
    def graph(self):
        return Graph(self._c._method("forward"))

    @property
    def inlined_graph(self):
        return _InlinedGraph(self._c._method("forward"))

    @property
    def code(self):
        return _code_of(self._c._method("forward"))

    @property
    def code_with_constants(self):
        return _code_of(self._c._method("forward"), True)

    def named_children(self):
        for name, kind in self._c._attrs():
            if kind == "module":
                yield name, getattr(self, name)

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo=None, prefix=""):
        memo = memo if memo is not None else set()
        if id(self._c) not in memo:
            memo.add(id(self._c))
            yield prefix, self
            for name, m in self.named_children():
                yield from m.named_modules(memo, prefix + ("." if prefix else "") + name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def _named_tensors(self, kinds, prefix, recurse):
        for name, kind in self._c._attrs():
            if kind in kinds:
                v = self._c._get(name)
                if v is not None:
                    yield prefix + name, v
        if recurse:
            for cname, m in self.named_children():
                yield from m._named_tensors(kinds, prefix + cname + ".", True)

    def named_parameters(self, prefix="", recurse=True):
        return self._named_tensors(("parameter",), prefix + ("." if prefix else ""), recurse)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        return self._named_tensors(("buffer",), prefix + ("." if prefix else ""), recurse)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def state_dict(self):
        out = OrderedDict()
        for k, v in self._named_tensors(("parameter", "buffer"), "", True):
            out[k] = v.detach() if hasattr(v, "detach") else v
        return out

    def train(self, mode=True):
        for m in self.modules():
            if "training" in m._kinds():
                m._c._set("training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    @property
    def training(self):
        return bool(self._c._get("training")) if "training" in self._kinds() else False

    def __repr__(self):
        lines = [f"original_name={self.original_name}"]
        for name, m in self.named_children():
            sub = repr(m).split("\n")
            lines.append(f"({name}): " + "\n  ".join(sub))
        name = self.original_name
        if len(lines) == 1:
            return f"{name}({lines[0]})"
        return name + "(\n  " + "\n  ".join(lines) + "\n)"

    def save(self, f, _extra_files=None):
        from . import save
        save(self, f, _extra_files=_extra_files)


def _check_exportable(target):
    """Raise torch's RuntimeError when target (a ScriptObject or Function) calls an @ignore'd
    Python function: such calls cannot be written to an archive."""
    import linecache
    hit = _C._python_op_call(target)
    if hit is None:
        return
    name, file, line, col = hit
    where = ""
    text = linecache.getline(file, line) if line > 0 else ""
    if text:
        text = text.rstrip("\n")
        where = (f'  File "{file}", line {line}\n{text}\n' + " " * max(col - 1, 0) + "~" * len(name) + " <--- HERE\n")
    raise RuntimeError(f"\nCould not export Python function call '{name}'. Remove calls to Python functions before "
                       "export. Did you forget to add @script or @script_method annotation? If this is a "
                       f"nn.ModuleList, add it to __constants__:\n{where}")
