"""Audit of issue 5's "Modules" bullet, differential against torch 2.13.

Every module class is written once, generic over L (pyts or torch), and scripted by both; the
outputs agree, `.code` is torch's text, and archives go both ways (pyts saves -> torch loads,
torch saves -> pyts loads) with the same outputs after loading."""
import io
import os
import sys
from typing import Dict, Final, List, NamedTuple, Optional, Tuple

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.dirname(__file__))


class Pair(NamedTuple):
    a: int
    b: float


def build(L, which):
    nn = L.nn
    jit = L.jit
    Tensor = L.Tensor

    class Leaf(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(L.ones(3) * 2)
            self.register_buffer("buf", L.arange(3).float())

        def forward(self, x):
            return x * self.w + self.buf

    class Nested(nn.Module):
        def __init__(self):
            super().__init__()
            L.manual_seed(0)
            self.leaf = Leaf()
            self.lin = nn.Linear(3, 3)
            self.scale = nn.Parameter(L.full([3], 0.5))
            self.register_buffer("offset", L.ones(3))

        def forward(self, x):
            return self.lin(self.leaf(x)) * self.scale + self.offset

    class Lists(nn.Module):
        def __init__(self):
            super().__init__()
            L.manual_seed(1)
            self.layers = nn.ModuleList([nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3)])
            self.acts = nn.ModuleList([nn.ReLU(), nn.Sigmoid(), nn.Tanh()])

        def forward(self, x):
            for m in self.layers:
                x = m(x)
            x = self.layers[0](x) + self.layers[-1](x)
            for i, m in enumerate(self.layers):
                x = m(x) * (i + 1)
            for a, b in zip(self.layers, self.acts):
                x = b(a(x))
            return x + len(self.layers)

    class Dicts(nn.Module):
        def __init__(self):
            super().__init__()
            L.manual_seed(2)
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 3), "b": nn.Tanh(), "c": nn.ReLU()})

        def forward(self, x):
            y = self.heads["a"](x)
            for k, m in self.heads.items():
                y = m(y)
            n = 0
            for k in self.heads.keys():
                n += len(k)
            for m in self.heads.values():
                y = m(y)
            if "b" in self.heads:
                y = y + 1
            if "z" in self.heads:
                y = y + 100
            return y + n + len(self.heads)

    class Seq(nn.Module):
        def __init__(self):
            super().__init__()
            L.manual_seed(3)
            self.seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3))

        def forward(self, x):
            y = self.seq(x)
            for m in self.seq:
                x = m(x)
            return x + y + self.seq[0](y).sum() + len(self.seq)

    class Consts(nn.Module):
        __constants__ = ["k", "names"]
        n: Final[int]
        f: Final[float]
        t: Final[Tuple[int, int]]

        def __init__(self):
            super().__init__()
            self.k = 3
            self.names = ["a", "bb"]
            self.n = 4
            self.f = 0.5
            self.t = (1, 2)

        def forward(self, x):
            return x * self.f + self.k + self.n + self.t[1] + len(self.names)

    class Attrs(nn.Module):
        i: int
        fl: float
        b: bool
        s: str
        li: List[int]
        d: Dict[str, float]
        tp: Tuple[int, str]
        oi: Optional[int]
        ot: Optional[Tensor]
        nt: Pair

        def __init__(self):
            super().__init__()
            self.i = 2
            self.fl = 1.5
            self.b = True
            self.s = "hey"
            self.li = [1, 2, 3]
            self.d = {"x": 0.25, "y": 2.0}
            self.tp = (7, "seven")
            self.oi = None
            self.ot = None
            self.nt = Pair(3, 0.5)

        def forward(self, x):
            y = x * self.i + self.fl
            if self.b:
                y = y + len(self.s)
            y = y + sum(self.li) + self.d["y"] + self.tp[0] + len(self.tp[1])
            oi = self.oi
            if oi is not None:
                y = y + oi
            if self.ot is None:
                y = y - 1
            return y + self.nt.a * self.nt.b

    class Inferred(nn.Module):
        def __init__(self):
            super().__init__()
            self.i = 2
            self.fl = 1.5
            self.b = False
            self.s = "hey"
            self.li = [1.0, 2.0]
            self.d = {"x": 1, "y": 2}
            self.tp = (1, 2.5)

        def forward(self, x):
            y = x * self.i + self.fl + self.li[1] + self.d["y"] + self.tp[1]
            if not self.b:
                y = y + len(self.s)
            return y

    class Methods(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 2

        def helper(self, x, n: int):
            return x * n + self.k

        def other(self, x) -> Tuple[Tensor, int]:
            return self.helper(x, 3), self.k

        def forward(self, x):
            y, k = self.other(x)
            return self.helper(y, k)

    class Exported(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 2

        @jit.export
        def double(self, x):
            return x * self.k

        @jit.export
        def info(self) -> str:
            return "k=" + str(self.k)

        def forward(self, x):
            return self.double(x) + 1

    class Counter(nn.Module):
        hist: List[int]

        def __init__(self):
            super().__init__()
            self.count = 0
            self.total = 0.0
            self.hist = []
            self.register_buffer("acc", L.zeros(3))

        def forward(self, x):
            self.count += 1
            self.total = self.total + 0.5
            self.hist.append(self.count)
            self.acc = self.acc + x
            return x * self.count

    class Training(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            if self.training:
                return x + 1
            return self.drop(x) - 1

    return {"nested": Nested, "lists": Lists, "dicts": Dicts, "seq": Seq, "consts": Consts,
            "attrs": Attrs, "inferred": Inferred, "methods": Methods, "exported": Exported,
            "counter": Counter, "training": Training}[which]()


NAMES = ["nested", "lists", "dicts", "seq", "consts", "attrs", "inferred", "methods", "exported",
         "counter", "training"]


def inp():
    return np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)


def run(m, L, a):
    with L.no_grad():
        return m(L.tensor(a)).numpy()


@pytest.mark.parametrize("which", NAMES)
def test_outputs_and_code(which):
    ms = pyts.jit.script(build(pyts, which))
    mt = torch.jit.script(build(torch, which))
    a = inp()
    np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a), rtol=1e-5, atol=1e-6)
    assert ms.code == mt.code


@pytest.mark.parametrize("which", NAMES)
def test_pyts_archive_loads_in_torch(which):
    ms = pyts.jit.script(build(pyts, which))
    bio = io.BytesIO()
    pyts.jit.save(ms, bio)
    mt = torch.jit.load(io.BytesIO(bio.getvalue()))
    a = inp()
    np.testing.assert_allclose(run(mt, torch, a), run(ms, pyts, a), rtol=1e-5, atol=1e-6)
    assert mt.code == ms.code


@pytest.mark.parametrize("which", NAMES)
def test_torch_archive_loads_in_pyts(which):
    mt = torch.jit.script(build(torch, which))
    bio = io.BytesIO()
    torch.jit.save(mt, bio)
    ms = pyts.jit.load(io.BytesIO(bio.getvalue()))
    a = inp()
    np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a), rtol=1e-5, atol=1e-6)
    assert ms.code == mt.code


# ---- attribute writes, training flag ----
def test_attribute_writes_visible_after_calls():
    ms = pyts.jit.script(build(pyts, "counter"))
    mt = torch.jit.script(build(torch, "counter"))
    a = np.ones(3, np.float32)
    for k in range(1, 4):
        np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a))
        assert ms.count == mt.count == k
        assert ms.total == mt.total == 0.5 * k
        assert ms.hist == mt.hist == list(range(1, k + 1))
        np.testing.assert_allclose(ms.acc.numpy(), mt.acc.numpy())
    # written from Python, read by compiled code
    ms.count = 10
    mt.count = 10
    np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a))
    assert ms.count == mt.count == 11
    # the state travels in archives, both ways
    for src, dst_load, save in ((ms, torch.jit.load, pyts.jit.save), (mt, pyts.jit.load, torch.jit.save)):
        bio = io.BytesIO()
        save(src, bio)
        got = dst_load(io.BytesIO(bio.getvalue()))
        assert got.count == 11 and got.hist == [1, 2, 3, 11] and got.total == 2.0


def test_training_flag():
    ms = pyts.jit.script(build(pyts, "training"))
    mt = torch.jit.script(build(torch, "training"))
    a = inp()
    assert ms.training is True and mt.training is True
    np.testing.assert_allclose(run(ms, pyts, a), a + 1)
    ms.eval()
    mt.eval()
    assert ms.training is False and ms.drop.training is False
    np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a), rtol=1e-6)
    np.testing.assert_allclose(run(ms, pyts, a), a - 1)
    ms.train()
    assert ms.training is True and ms.drop.training is True
    # the flag is saved: an eval'd module loads eval'd, both ways
    mt.eval()
    ms.eval()
    bio = io.BytesIO()
    pyts.jit.save(ms, bio)
    t = torch.jit.load(io.BytesIO(bio.getvalue()))
    assert t.training is False and t.drop.training is False
    bio = io.BytesIO()
    torch.jit.save(mt, bio)
    p = pyts.jit.load(io.BytesIO(bio.getvalue()))
    assert p.training is False and p.drop.training is False
    np.testing.assert_allclose(run(p, pyts, a), a - 1)


def test_attribute_values_and_types():
    ms = pyts.jit.script(build(pyts, "attrs"))
    mt = torch.jit.script(build(torch, "attrs"))
    for k in ("i", "fl", "b", "s", "li", "d", "tp", "oi", "ot"):
        assert getattr(ms, k) == getattr(mt, k), k
    assert tuple(ms.nt) == tuple(mt.nt) == (3, 0.5)
    ms.oi = 5
    mt.oi = 5
    np.testing.assert_allclose(run(ms, pyts, inp()), run(mt, torch, inp()), rtol=1e-6)


def test_exported_methods():
    ms = pyts.jit.script(build(pyts, "exported"))
    mt = torch.jit.script(build(torch, "exported"))
    a = inp()
    with pyts.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ms.double(pyts.tensor(a)).numpy(), mt.double(torch.tensor(a)).numpy())
    assert ms.info() == mt.info() == "k=2"
    assert ms.double.code == mt.double.code
    assert ms.info.code == mt.info.code
    bio = io.BytesIO()
    pyts.jit.save(ms, bio)
    t = torch.jit.load(io.BytesIO(bio.getvalue()))
    assert t.info() == "k=2"
    bio = io.BytesIO()
    torch.jit.save(mt, bio)
    p = pyts.jit.load(io.BytesIO(bio.getvalue()))
    assert p.info() == "k=2"
    np.testing.assert_allclose(run(p, pyts, a), run(mt, torch, a))


# ---- @ignore, @unused ----
def build_markers(L):
    nn, jit = L.nn, L.jit

    class Ignored(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 1

        @jit.ignore
        def py_side(self, x):
            return x + sum(i for i in range(self.k + 1))   # a generator: Python only

        def forward(self, x):
            return self.py_side(x) * 2

    class Unused(nn.Module):
        def __init__(self, use: bool):
            super().__init__()
            self.use = use

        @jit.unused
        def never(self, x):
            return x.numpy()   # not TorchScript: never compiled

        def forward(self, x):
            if self.use:
                return self.never(x)
            return x + 1

    return Ignored, Unused


def test_ignore_runs_in_python_and_cannot_be_saved():
    IP, _ = build_markers(pyts)
    IT, _ = build_markers(torch)
    ms, mt = pyts.jit.script(IP()), torch.jit.script(IT())
    a = inp()
    np.testing.assert_allclose(run(ms, pyts, a), run(mt, torch, a))
    np.testing.assert_allclose(run(ms, pyts, a), (a + 1) * 2, rtol=1e-6)
    assert ms.code == mt.code
    with pytest.raises(Exception) as et:
        torch.jit.save(mt, io.BytesIO())
    with pytest.raises(Exception) as ep:
        pyts.jit.save(ms, io.BytesIO())
    assert type(ep.value).__name__ == type(et.value).__name__ == "RuntimeError"
    # torch's message, and where: the file and line of the call (torch's highlight spans the
    # callee `self.py_side` with the function's lines around it; pyts quotes the line only)
    head = str(et.value).split(":\n")[0]
    assert head.startswith("\nCould not export Python function call 'py_side'")
    assert str(ep.value).split(":\n")[0] == head
    where = 'File "%s", line %d' % (__file__, build_markers.__code__.co_firstlineno + 13)
    assert where in str(et.value) and where in str(ep.value)


def test_unused_raises_when_called():
    _, UP = build_markers(pyts)
    _, UT = build_markers(torch)
    a = inp()
    for use in (False, True):
        ms, mt = pyts.jit.script(UP(use)), torch.jit.script(UT(use))
        assert ms.code == mt.code
        if not use:
            np.testing.assert_allclose(run(ms, pyts, a), a + 1)
            continue
        with pytest.raises(Exception) as et:
            run(mt, torch, a)
        with pytest.raises(Exception) as ep:
            run(ms, pyts, a)
        msg = "This Python function is annotated to be ignored and cannot be run"
        assert msg in str(et.value) and msg in str(ep.value)
    # a module with an @unused method saves (the stub raises), and loads both ways
    ms = pyts.jit.script(UP(False))
    bio = io.BytesIO()
    pyts.jit.save(ms, bio)
    t = torch.jit.load(io.BytesIO(bio.getvalue()))
    np.testing.assert_allclose(run(t, torch, a), a + 1)


# ---- free functions, the decorator, script classes ----
def helper_fn(x, n: int):
    return x * n + 1


def build_fns(L):
    jit = L.jit
    Tensor = L.Tensor

    @jit.script
    def decorated(x, k: int = 2) -> List[Tensor]:
        out = []
        for i in range(k):
            out.append(helper_fn(x, i))
        return out

    @jit.script
    class Acc:
        def __init__(self, start: int):
            self.total = start
            self.items: List[int] = []

        def add(self, v: int) -> int:
            self.total += v
            self.items.append(v)
            return self.total

    class UsesAll(L.nn.Module):
        def forward(self, x):
            a = Acc(1)
            a.add(2)
            a.add(3)
            ys = decorated(x, 3)
            return ys[-1] + helper_fn(x, a.total) + len(a.items)

    return decorated, Acc, UsesAll


def test_free_functions_decorator_and_script_classes():
    a = inp()
    res = {}
    for L in (torch, pyts):
        decorated, Acc, UsesAll = build_fns(L)
        m = L.jit.script(UsesAll())
        with L.no_grad():
            res[L.__name__] = dict(
                dec=[y.numpy() for y in decorated(L.tensor(a), 3)], fn_code=decorated.code, code=m.code,
                out=m(L.tensor(a)).numpy(), acc=(lambda o: (o.add(4), o.total, list(o.items)))(Acc(5)), mod=m)
    p, t = res["pyts"], res["torch"]
    assert p["fn_code"] == t["fn_code"]
    assert p["code"] == t["code"]
    for x, y in zip(p["dec"], t["dec"]):
        np.testing.assert_allclose(x, y)
    np.testing.assert_allclose(p["out"], t["out"], rtol=1e-6)
    assert p["acc"] == t["acc"] == (9, 9, [4])
    # the module with its functions and class, through archives both ways
    bio = io.BytesIO()
    pyts.jit.save(p["mod"], bio)
    with torch.no_grad():
        np.testing.assert_allclose(torch.jit.load(io.BytesIO(bio.getvalue()))(torch.tensor(a)).numpy(), t["out"], rtol=1e-6)
    bio = io.BytesIO()
    torch.jit.save(t["mod"], bio)
    with pyts.no_grad():
        np.testing.assert_allclose(pyts.jit.load(io.BytesIO(bio.getvalue()))(pyts.tensor(a)).numpy(), t["out"], rtol=1e-6)


# ---- traced inside scripted, scripted inside traced: the seed's MyRNNLoop and WrapRNN ----
def seed_models(L, seed=0):
    from tutorial_models import tutorial
    T = tutorial(L)
    rng = np.random.default_rng(seed)
    x, h = (L.tensor(rng.random((3, 4), dtype=np.float32)) for _ in range(2))
    cell = T.MyCell(L.jit.script(T.MyDecisionGate()))
    with L.no_grad():
        cell.linear.weight.copy_(L.tensor(rng.standard_normal((4, 4)).astype(np.float32)))
        cell.linear.bias.copy_(L.tensor(rng.standard_normal(4).astype(np.float32)))
    traced_cell = L.jit.trace(cell, (x, h))
    loop = L.jit.script(T.MyRNNLoop(traced_cell))
    xs = L.tensor(rng.random((10, 3, 4), dtype=np.float32))
    wrap = L.jit.trace(T.WrapRNN(loop), (xs,))
    return loop, wrap


def test_seed_mixing_code_outputs_and_archives():
    lp, wp = seed_models(pyts)
    lt, wt = seed_models(torch)
    assert lp.code == lt.code
    assert wp.code == wt.code
    assert wp.loop.code == wt.loop.code
    xs = np.random.default_rng(5).random((6, 3, 4), dtype=np.float32)
    with pyts.no_grad(), torch.no_grad():
        want = wt(torch.tensor(xs)).numpy()
        np.testing.assert_allclose(wp(pyts.tensor(xs)).numpy(), want, rtol=1e-5, atol=1e-6)
        for a, b in zip(lp(pyts.tensor(xs)), lt(torch.tensor(xs))):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
        bio = io.BytesIO()
        pyts.jit.save(wp, bio)
        t = torch.jit.load(io.BytesIO(bio.getvalue()))
        assert t.code == wt.code
        np.testing.assert_allclose(t(torch.tensor(xs)).numpy(), want, rtol=1e-5, atol=1e-6)
        bio = io.BytesIO()
        torch.jit.save(wt, bio)
        p = pyts.jit.load(io.BytesIO(bio.getvalue()))
        assert p.code == wt.code
        np.testing.assert_allclose(p(pyts.tensor(xs)).numpy(), want, rtol=1e-5, atol=1e-6)
