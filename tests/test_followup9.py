"""Follow-ups (session 9), each against torch:
1. annotate(Dict[K, V], {...}) (torch.jit's and pyts.jit's), `d: Dict[K, V] = {...}` and dict
   comprehensions take the annotated type; mismatches raise torch's messages.
2. A scripted function called while tracing is recorded as prim::CallFunction (its control flow
   kept), in .graph, .code and archives both ways; script_if_tracing keeps the if.
3. `return self.n` in a script class method prints inlined, as torch's printer."""
import io
import re
from typing import Dict, List, Tuple

import pytest
import torch

import pyts


def _strip_loc(g):
    return [re.sub(r"\s*# .*$", "", line) for line in str(g).splitlines()]


# ---- 1. annotated dicts ----
def ann_empty_torch(x: torch.Tensor) -> Dict[str, int]:
    d = torch.jit.annotate(Dict[str, int], {})
    d["a"] = 1
    return d


def ann_empty_pyts(x: torch.Tensor) -> Dict[str, int]:
    d = pyts.jit.annotate(Dict[str, int], {})
    d["a"] = 1
    return d


def ann_items(x: torch.Tensor) -> Dict[str, int]:
    d = torch.jit.annotate(Dict[str, int], {"a": 1, "b": 2})
    return d


def ann_comp(x: torch.Tensor) -> Dict[str, float]:
    d = torch.jit.annotate(Dict[str, float], {k: 1.0 for k in ["a", "b"]})
    return d


def ann_decl_empty(x: torch.Tensor) -> Dict[str, int]:
    d: Dict[str, int] = {}
    d["x"] = 3
    return d


def ann_decl_items(x: torch.Tensor) -> Dict[str, float]:
    d: Dict[str, float] = {"a": 1.0}
    return d


def ann_decl_comp(x: torch.Tensor) -> Dict[str, float]:
    d: Dict[str, float] = {k: 1.0 for k in ["a"]}
    return d


def ann_tensor_values(x: torch.Tensor) -> Dict[str, torch.Tensor]:
    d = torch.jit.annotate(Dict[str, torch.Tensor], {"a": x, "b": x + 1})
    return d


def ann_list_comp(x: torch.Tensor) -> List[float]:
    return torch.jit.annotate(List[float], [float(i) for i in range(3)])


ANNOTATED = [ann_empty_torch, ann_empty_pyts, ann_items, ann_comp, ann_decl_empty, ann_decl_items,
             ann_decl_comp, ann_tensor_values, ann_list_comp]


@pytest.mark.parametrize("fn", ANNOTATED, ids=lambda f: f.__name__)
def test_annotated_dict_code_and_values(fn):
    src = fn
    if fn is ann_empty_pyts:   # torch cannot compile pyts.jit.annotate: its twin is the oracle
        src = ann_empty_torch
    t = torch.jit.script(src)
    p = pyts.jit.script(fn)
    assert p.code.replace("ann_empty_pyts", "ann_empty_torch") == t.code
    want = t(torch.ones(2))
    got = p(pyts.ones(2))
    if isinstance(want, dict):
        assert list(got.keys()) == list(want.keys())
        for k in want:
            w, g = want[k], got[k]
            if isinstance(w, torch.Tensor):
                assert g.numpy().tolist() == w.numpy().tolist()
            else:
                assert type(g) is type(w) and g == w
    else:
        assert got == want
    # the containers have torch's types
    for kind in ("prim::DictConstruct", "prim::ListConstruct"):
        tl = [s.split(" : ")[1].split(" = ")[0] for s in _strip_loc(t.graph) if kind in s]
        pl = [s.split(" : ")[1].split(" = ")[0] for s in _strip_loc(p.graph) if kind in s]
        assert sorted(pl) == sorted(tl)


def bad_value(x: torch.Tensor) -> Dict[str, int]:
    return torch.jit.annotate(Dict[str, int], {"a": 1.0})


def bad_values_unified(x: torch.Tensor):
    return torch.jit.annotate(Dict[str, int], {"a": 1, "b": 2.0})


def bad_key(x: torch.Tensor) -> Dict[str, int]:
    return torch.jit.annotate(Dict[str, int], {1: 1})


def bad_nested_empty(x: torch.Tensor):
    d: Dict[str, List[int]] = {"a": []}
    return d


def bad_comp(x: torch.Tensor) -> Dict[str, int]:
    return torch.jit.annotate(Dict[str, int], {k: 1.0 for k in ["a"]})


@pytest.mark.parametrize("fn", [bad_value, bad_values_unified, bad_key, bad_nested_empty, bad_comp],
                         ids=lambda f: f.__name__)
def test_annotated_dict_mismatch_messages(fn):
    with pytest.raises(Exception) as te:
        torch.jit.script(fn)
    with pytest.raises(Exception) as pe:
        pyts.jit.script(fn)
    # torch's message, up to its source excerpt
    want = str(te.value).strip().split(":\n  File")[0].strip()
    assert str(pe.value).split("\n  File")[0] == want


# ---- 3. attribute reads that end a block print inlined ----
class Counter:
    def __init__(self, n: int):
        self.n = n

    def get(self) -> int:
        return self.n

    def get_plus(self) -> int:
        m = self.n
        return m + 1

    def get_if(self, k: int) -> int:
        if k > 0:
            return self.n
        return k


class UsesCounter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 4

    def forward(self, x: int) -> int:
        c = Counter(x)
        return c.get() + c.get_plus() + c.get_if(x) + self.k


class UsesCounterP(pyts.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 4

    def forward(self, x: int) -> int:
        c = Counter(x)
        return c.get() + c.get_plus() + c.get_if(x) + self.k


class ReturnsAttr(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n = 3

    def forward(self, x: int) -> int:
        return self.n


class ReturnsAttrP(pyts.nn.Module):
    def __init__(self):
        super().__init__()
        self.n = 3

    def forward(self, x: int) -> int:
        return self.n


def _archive_code(save):
    import zipfile
    buf = io.BytesIO()
    save(buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return "".join(z.read(n).decode() for n in z.namelist() if "/code/" in n and n.endswith(".py"))


def test_return_attribute_prints_inlined():
    t = torch.jit.script(ReturnsAttr())
    p = pyts.jit.script(ReturnsAttrP())
    assert p.code == t.code
    assert "return self.n\n" in p.code
    assert p(2) == t(2) == 3


def test_script_class_return_attribute_code():
    t = torch.jit.script(UsesCounter())
    p = pyts.jit.script(UsesCounterP())
    assert p(5) == t(5) == 5 + 6 + 5 + 4
    tc = _archive_code(lambda b: torch.jit.save(t, b))
    pc = _archive_code(p.save)
    t_cls = tc[tc.index("class Counter:"):]
    p_cls = pc[pc.index("class Counter:"):]
    # torch numbers the temporaries of a code file across its classes; pyts per class
    assert re.sub(r"\b_\d+\b", "_N", p_cls).strip() == re.sub(r"\b_\d+\b", "_N", t_cls).strip()
    assert re.search(r"  def get\(self: [\w.]+\.Counter\) -> int:\n    return self.n\n", p_cls)
    assert "    if torch.gt(k, 0):\n      _0 = self.n\n" in p_cls
    # the forward's attribute read feeds an op: assigned (`k = self.k`), as torch
    assert p.code.replace("UsesCounterP", "UsesCounter") == t.code


# ---- 2. scripted functions called while tracing ----
def _sign_step_src(x):
    if bool(x.sum() > 0):
        return x * 2
    return x - 1


sign_step_t = torch.jit.script(_sign_step_src)
sign_step_p = pyts.jit.script(_sign_step_src)


def traced_caller_t(x):
    y = x + 1
    return sign_step_t(y) + 3


def traced_caller_p(x):
    y = x + 1
    return sign_step_p(y) + 3


class CallerT(torch.nn.Module):
    def forward(self, x):
        return sign_step_t(x).relu()


class CallerP(pyts.nn.Module):
    def forward(self, x):
        return sign_step_p(x).relu()


def _norm(text, *pairs):
    for a, b in pairs:
        text = text.replace(a, b)
    return text


def test_traced_call_of_scripted_function_graph_and_code():
    t = torch.jit.trace(traced_caller_t, torch.ones(3))
    p = pyts.jit.trace(traced_caller_p, pyts.ones(3))
    assert "prim::CallFunction" in str(p.graph)
    # the same graph, value numbers included (the two callers sit on different lines)
    assert _strip_loc(p.graph) == _strip_loc(t.graph)
    assert '  %4 : Function = prim::Constant[name="_sign_step_src"]()' in _strip_loc(p.graph)
    assert _norm(p.code, ("_p", "_t")) == t.code
    # the call keeps the function's if: it follows the input at replay
    for v in ([1.0, 2.0, 3.0], [-5.0, -5.0, -5.0]):
        want = t(torch.tensor(v))
        got = p(pyts.tensor(v))
        assert got.numpy().tolist() == want.numpy().tolist()


def test_traced_module_calling_scripted_function():
    t = torch.jit.trace(CallerT(), torch.ones(3))
    p = pyts.jit.trace(CallerP(), pyts.ones(3))
    assert _norm(p.code, ("_p", "_t")) == t.code

    def canon(g):   # value numbers differ in traced module graphs (pyts numbers from 1 after self)
        lines = _strip_loc(g)
        return [re.sub(r"%\d+", "%N", re.sub(r"%self(\.\d+)?", "%self", s)) for s in lines]

    assert _norm("\n".join(canon(p.graph)), ("CallerP", "CallerT"), ("_p", "_t")) == "\n".join(canon(t.graph))
    for v in ([1.0, -2.0, 3.0], [-5.0, 1.0, -5.0]):
        assert p(pyts.tensor(v)).numpy().tolist() == t(torch.tensor(v)).numpy().tolist()


def test_traced_scripted_call_archives_both_ways():
    t = torch.jit.trace(CallerT(), torch.ones(3))
    p = pyts.jit.trace(CallerP(), pyts.ones(3))
    pb, tb = io.BytesIO(), io.BytesIO()
    p.save(pb)
    torch.jit.save(t, tb)
    in_torch = torch.jit.load(io.BytesIO(pb.getvalue()))
    in_pyts = pyts.jit.load(io.BytesIO(tb.getvalue()))
    for v in ([1.0, -2.0, 3.0], [-5.0, 1.0, -5.0]):
        want = t(torch.tensor(v)).numpy().tolist()
        assert in_torch(torch.tensor(v)).numpy().tolist() == want
        assert in_pyts(pyts.tensor(v)).numpy().tolist() == want
    assert in_pyts.code == t.code
    assert _norm(in_torch.code, ("_p", "_t"), ("CallerP", "CallerT")) == t.code


def _plain_step(x):
    if bool(x.sum() > 0):
        return x * 2
    return x - 1


step_if_tracing_t = torch.jit.script_if_tracing(_plain_step)
step_if_tracing_p = pyts.jit.script_if_tracing(_plain_step)


def test_script_if_tracing_keeps_the_if():
    t = torch.jit.trace(lambda x: step_if_tracing_t(x), torch.ones(3))
    p = pyts.jit.trace(lambda x: step_if_tracing_p(x), pyts.ones(3))
    assert "prim::CallFunction" in str(p.graph)
    assert str(p.graph) == str(t.graph)
    assert p.code == t.code
    neg = [-1.0, -2.0, -3.0]
    assert p(pyts.tensor(neg)).numpy().tolist() == t(torch.tensor(neg)).numpy().tolist() == [-2.0, -3.0, -4.0]
    # outside tracing the Python function runs
    assert step_if_tracing_p(pyts.tensor(neg)).numpy().tolist() == [-2.0, -3.0, -4.0]


def _pair(x, n: int) -> Tuple[torch.Tensor, torch.Tensor]:
    return x + n, x * n


pair_t = torch.jit.script(_pair)
pair_p = pyts.jit.script(_pair)


def test_traced_call_with_tuple_result_and_int_argument():
    def ft(x):
        a, b = pair_t(x, 3)
        return a - b

    def fp(x):
        a, b = pair_p(x, 3)
        return a - b

    t = torch.jit.trace(ft, torch.ones(2))
    p = pyts.jit.trace(fp, pyts.ones(2))
    assert p.code.replace("fp(", "ft(") == t.code
    assert _strip_loc(p.graph) == _strip_loc(t.graph)
    v = [1.0, 2.0]
    assert p(pyts.tensor(v)).numpy().tolist() == t(torch.tensor(v)).numpy().tolist()
