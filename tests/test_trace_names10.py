"""Traced graphs print torch's value names: the text of `traced.graph` and of each traced
submodule's graph equals torch 2.13's, for the seed's models and small module trees.

torch numbers its unnamed values with a counter that also counts the values its tracer makes and
removes (the inlined submodule bodies, the lifted blocks); pyts's counter does not, so the numbers
of unnamed values (%12) are renumbered in order of appearance on both sides before comparing.
Everything else must be the same: every named value (%self.1, %x, %y, %linear...), the types,
scopes and source locations (of this file; library files compare by module name), and the class
names, with torch's ___torch_mangle_N (a process-wide counter) taken out."""
import os
import re
import sys

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.dirname(__file__))
from tutorial_models import tutorial  # noqa: E402


def norm(g):
    g = re.sub(r"___torch_mangle_\d+\.", "", str(g))
    g = re.sub(r"# \S*/(torch|pyts)/nn/modules/(\w+)\.py:\d+:\d+", r"# LIB/\2", g)
    seen = {}
    return re.sub(r"%(\d+)\b", lambda m: seen.setdefault(m.group(1), "%%N%d" % len(seen)), g)


def set_linear(L, lin, seed):
    rng = np.random.default_rng(seed)
    with L.no_grad():
        lin.weight.copy_(L.tensor(rng.standard_normal(tuple(lin.weight.shape)).astype(np.float32)))
        lin.bias.copy_(L.tensor(rng.standard_normal(tuple(lin.bias.shape)).astype(np.float32)))


def seed_graphs(L):
    T = tutorial(L)
    rng = np.random.default_rng(0)
    x, h = (L.tensor(rng.random((3, 4), dtype=np.float32)) for _ in range(2))

    class MyCell(L.nn.Module):   # the seed's first traced cell
        def __init__(self):
            super().__init__()
            self.linear = L.nn.Linear(4, 4)

        def forward(self, x, h):
            new_h = L.tanh(self.linear(x) + h)
            return new_h, new_h

    c1 = MyCell()
    set_linear(L, c1.linear, 1)
    tc = L.jit.trace(c1, (x, h))
    c2 = T.MyCell(T.MyDecisionGate())      # a traced gate (its branch recorded)
    set_linear(L, c2.linear, 2)
    tc2 = L.jit.trace(c2, (x, h))
    c3 = T.MyCell(L.jit.script(T.MyDecisionGate()))   # a scripted gate inside the trace
    set_linear(L, c3.linear, 2)
    tc3 = L.jit.trace(c3, (x, h))
    loop = L.jit.script(T.MyRNNLoop(tc3))
    xs = L.tensor(rng.random((10, 3, 4), dtype=np.float32))
    wrap = L.jit.trace(T.WrapRNN(loop), (xs,))   # a scripted loop inside a trace
    return {"cell": tc.graph, "cell.linear": tc.linear.graph, "gate_cell": tc2.graph, "gate_cell.dg": tc2.dg.graph,
            "gate_cell.linear": tc2.linear.graph,
            "scripted_gate_cell": tc3.graph, "scripted_gate_cell.linear": tc3.linear.graph,
            "wrap": wrap.graph}


def tree_graphs(L):
    class A(L.nn.Module):
        def forward(self, x):
            return x * 2

    class B(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = A()

        def forward(self, x):
            return self.a(x) + 1

    class C(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.jit.script(A())

        def forward(self, x):
            return self.a(x) + 1

    class Pair(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.c = L.jit.script(Twice())

        def forward(self, x):
            y, z = self.c(x)
            return y - z

    class Twice(L.nn.Module):
        def forward(self, x):
            return x + 1, x * 3

    class D(L.nn.Module):   # two traced submodules: the second's input named from its `x`
        def __init__(self):
            super().__init__()
            self.a = A()
            self.b = A()

        def forward(self, x):
            return self.b(self.a(x) + 1)

    class Loop(L.nn.Module):   # a ModuleList's items called in turn: one container read per call
        def __init__(self):
            super().__init__()
            self.subs = L.nn.ModuleList([A() for _ in range(3)])

        def forward(self, x):
            for s in self.subs:
                x = s(x) + 1
            return x

    x = L.ones(2)
    a, b, c, p, d, lp = (L.jit.trace(M(), (x,)) for M in (A, B, C, Pair, D, Loop))
    return {"A": a.graph, "B": b.graph, "B.a": b.a.graph, "C": c.graph, "Pair": p.graph, "D": d.graph,
            "D.a": d.a.graph, "D.b": d.b.graph, "Loop": lp.graph, "Loop.0": getattr(lp.subs, "0").graph,
            "Loop.1": getattr(lp.subs, "1").graph, "Loop.2": getattr(lp.subs, "2").graph}


SEED = ["cell", "cell.linear", "gate_cell", "gate_cell.dg", "gate_cell.linear", "scripted_gate_cell",
        "scripted_gate_cell.linear", "wrap"]
TREE = ["A", "B", "B.a", "C", "Pair", "D", "D.a", "D.b", "Loop", "Loop.0", "Loop.1", "Loop.2"]
_cache = {}


def graphs(which):
    if which not in _cache:
        f = seed_graphs if which == "seed" else tree_graphs
        _cache[which] = (f(pyts), f(torch))
    return _cache[which]


@pytest.mark.parametrize("name", SEED)
def test_seed_traced_graph_names(name):
    p, t = graphs("seed")
    assert norm(p[name]) == norm(t[name])


@pytest.mark.parametrize("name", TREE)
def test_module_tree_traced_graph_names(name):
    p, t = graphs("tree")
    assert norm(p[name]) == norm(t[name])


def test_self_is_renamed_only_around_traced_submodules():
    p, _ = graphs("tree")
    assert str(p["A"]).startswith("graph(%self : ")        # nothing lifted
    assert str(p["C"]).startswith("graph(%self : ")        # a scripted submodule is called, not traced
    assert str(p["B"]).startswith("graph(%self.1 : ")      # a traced submodule's body took %self
    assert str(p["B.a"]).startswith("graph(%self : ")
    # each traced submodule's body takes %self in turn: the earlier ones end as %self.3, %self.5
    assert [str(p[k]).split(" ")[0] for k in ("Loop", "Loop.0", "Loop.1", "Loop.2")] == \
        ["graph(%self.1", "graph(%self.3", "graph(%self.5", "graph(%self"]


def test_names_given_inside_a_callee_rename_the_callers_value():
    """gate_cell: the Linear's result is named `x` when the gate's forward uses it (the gate's local
    `x`), in the Linear's graph; the caller's input `x` becomes `x.1` there and in the caller."""
    p, _ = graphs("seed")
    assert str(p["gate_cell"]).splitlines()[1].strip().startswith("%x.1 : Float(3, 4")
    lin = str(p["gate_cell.linear"])
    assert "%x : Float(3, 4, strides=[4, 1], requires_grad=1, device=cpu) = aten::linear(%x.1, %weight, %bias)" in lin
    assert lin.rstrip().endswith("return (%x)")


def test_unpacked_results_of_scripted_calls_are_typed_from_the_trace():
    p, t = graphs("tree")
    line = [ln for ln in str(p["Pair"]).splitlines() if "prim::TupleUnpack" in ln][0]
    assert line.count("Float(2, strides=[1], requires_grad=0, device=cpu)") == 2
    assert norm(p["Pair"]) == norm(t["Pair"])
