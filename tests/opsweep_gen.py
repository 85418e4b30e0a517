"""Sources for the registry sweep through the script compiler (tests/test_script_opsweep.py).

Every registry row (pyts._C._ops()) gives TorchScript functions that call the op from parameters
typed after its schema: as torch.X, as a Tensor method x.X when the first argument is `self`, with
every argument given by keyword, and under its public namespace (torch.linalg / torch.special /
torch.fft / torch.nn.functional). Each source is compiled by pyts and by torch 2.13; the test
compares compile success, the ops of the graphs (kind and schema) and the values on generated
inputs. `torch` in a source is pyts or torch (the module it is defined in decides)."""
from __future__ import annotations

import linecache
import re
import typing

import numpy as np
import torch

NAMES = {"List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional}

# Schema types as parameter annotations. Scalar parameters take a float (an implicit conversion
# from float to Scalar); ScalarType, Layout, MemoryFormat, Generator, Device parameters are left to
# their defaults (a row that requires one is skipped, with the reason test_script_opsweep.py lists).
_ANN = {
    "Tensor": "Tensor", "int": "int", "SymInt": "int", "float": "float", "bool": "bool", "str": "str",
    "Scalar": "float", "number": "float", "complex": "complex", "Device": "Device",
}


def parse(schema_text):
    """torch's parse of a row's schema (aten:: unless the row names its namespace)."""
    head = schema_text.split("(")[0]
    return torch._C.parse_schema(schema_text if "::" in head else "aten::" + schema_text)


def _base(t):
    """(base type, is_list, is_optional) of a schema argument type written like 'int[2]?'."""
    opt = t.endswith("?")
    t = t.rstrip("?")
    lst = None
    m = re.fullmatch(r"(.*?)\[(\d*)\]", t)
    if m:
        t, lst = m.group(1), m.group(2) or ""
        # Tensor?[]
        if t.endswith("?"):
            return t[:-1], lst, opt, True
    t = re.sub(r"\(.*\)", "", t)     # Tensor(a!) -> Tensor
    return t, lst, opt, False


def arg_types(schema_text):
    """[(name, type text, has default, kwarg only)] from the row's schema text."""
    sch = parse(schema_text)
    out = []
    # the text form keeps SymInt / Scalar / int[2] that torch's parsed types fold away
    parts = _split_args(schema_text)
    for a, txt in zip(sch.arguments, parts):
        ty = txt.rsplit(" ", 1)[0] if "=" not in txt else txt.split("=")[0].rsplit(" ", 1)[0]
        out.append((a.name, ty.strip(), a.default_value is not None or "=" in txt, a.kwarg_only))
    return out


def _split_args(schema_text):
    depth, cur, parts = 0, "", []
    s = schema_text[schema_text.index("(") + 1:]
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return [p for p in parts if p != "*"]


def annotation(ty):
    """The parameter annotation for a schema type, or None when the sweep cannot build one."""
    base, lst, opt, inner_opt = _base(ty)
    if base not in _ANN or base == "Device":
        return None
    a = _ANN[base]
    if inner_opt:
        a = f"Optional[{a}]"
    if lst is not None:
        a = f"List[{a}]"
    if opt:
        a = f"Optional[{a}]"
    return a


class Form(typing.NamedTuple):
    kind: str          # "fn" | "method" | "kw" | "ns"
    src: str
    params: list       # [(param name, schema type, schema argument name)]


def forms(row):
    """(forms, reason): the sources for a row, or no forms and why not."""
    rid, text, name, flags = row
    head = text.split("(")[0]
    if "::" in head:
        return [], "prim:: row: called through a Python builtin (min, abs, ...), not a torch.X name"
    base = head.split(".")[0]
    try:
        args = arg_types(text)
    except Exception as e:  # noqa: BLE001
        return [], f"schema not parsed by torch: {e}"
    params, call_pos, call_kw = [], [], []
    for i, (an, ty, has_def, kwonly) in enumerate(args):
        ann = annotation(ty)
        if ann is None:
            if has_def:
                continue
            return [], f"required argument of type {ty}"
        if has_def and not (an == "out"):
            continue   # defaults are the schema's
        p = f"a{i}"
        params.append((p, ty, ann, an))
        if not kwonly:
            call_pos.append(p)
        else:
            call_pos.append(f"{an}={p}")
        call_kw.append(f"{an}={p}")
    sig = ", ".join(f"{p}: {ann}" for p, _, ann, _ in params)
    out = []

    def mk(kind, expr):
        out.append(Form(kind, f"def f({sig}):\n    return {expr}\n", [(p, ty, an) for p, ty, _, an in params]))

    mk("fn", f"torch.{base}({', '.join(call_pos)})")
    if args and args[0][0] == "self" and _base(args[0][1])[0] == "Tensor" and _base(args[0][1])[1] is None \
                and params and params[0][0] == "a0":
        mk("method", f"a0.{base}({', '.join(call_pos[1:])})")
    if call_kw:
        mk("kw", f"torch.{base}({', '.join(call_kw)})")
    for prefix, ns in (("linalg_", "linalg"), ("special_", "special"), ("fft_", "fft")):
        if base.startswith(prefix):
            mk("ns", f"torch.{ns}.{base[len(prefix):]}({', '.join(call_pos)})")
    return out, None


_counter = [0]


def define(lib, src, fn_globals=None):
    """The function f of `src` run as a module where `torch` is lib."""
    _counter[0] += 1
    fname = f"<opsweep_{_counter[0]}_{lib.__name__}>"
    linecache.cache[fname] = (len(src), None, src.splitlines(True), fname)
    ns = {"torch": lib, "Tensor": lib.Tensor, "Device": lib.device, "F": lib.nn.functional,
          "__name__": f"opsweep_{_counter[0]}", **NAMES, **(fn_globals or {})}
    exec(compile(src, fname, "exec"), ns)
    return ns["f"]


def op_nodes(graph):
    """[(kind, schema)] of the nodes of a graph (nested blocks included) that are ops."""
    nodes = graph._all_nodes() if hasattr(graph, "_all_nodes") else _torch_all(graph)
    return [(n.kind(), n.schema()) for n in nodes if n.schema() != "(no schema)"]


def _torch_all(graph):
    out = []

    def walk(block_nodes):
        for n in block_nodes:
            out.append(n)
            for b in n.blocks():
                walk(b.nodes())
    walk(graph.nodes())
    return out


def value_for(ty, rng, lib, name=""):
    """A generated input for a schema type (the same for both libraries given equal rng). An out=
    tensor is empty (resized to the result, as torch does without a warning)."""
    base, lst, opt, inner_opt = _base(ty)
    if name == "out" and base == "Tensor" and lst is None:
        return lib.empty(0)
    if base == "Tensor":
        def one():
            a = rng.random((3, 3)).astype(np.float32) * 0.8 + 0.2 + np.eye(3, dtype=np.float32) * 2
            return lib.tensor(a)
        if lst is not None:
            return [one(), one()]
        return one()
    if base in ("int", "SymInt"):
        v = 1
        return [v] * (int(lst) if lst else 1) if lst is not None else v
    if base in ("float", "Scalar", "number"):
        return [0.5] if lst is not None else 0.5
    if base == "bool":
        return [False] * (int(lst) if lst else 1) if lst is not None else False
    if base == "str":
        return ["mean", "sum"] if lst is not None else "mean"
    if base == "complex":
        return 0.5 + 0.25j
    raise ValueError(ty)
