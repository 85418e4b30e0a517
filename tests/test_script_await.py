"""torch.jit._awaitable / _awaitable_wait / _awaitable_nowait and Await[T] against torch 2.13 on
the same source: eager (lazy: the function runs at the first wait, once), scripted functions
(values, errors, .code and the awaitable lines of .graph), Awaits returned to Python and passed
back, archives both ways."""
import importlib.util
import re

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")

from script_diff import same_value  # noqa: E402

LIBS = (pyts, torch)
X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], dtype=np.float32)

SRC = '''
from typing import List

CALLS = []


def f(x: Tensor, k: int) -> Tensor:
    return x * k


@torch.jit.ignore
def counted(x: Tensor) -> Tensor:
    CALLS.append(1)
    return x + 1


def bad(x: Tensor) -> Tensor:
    if bool(x.sum() > -100):
        raise ValueError("bad one")
    return x


def aw_basic(x: Tensor) -> Tensor:
    aw = torch.jit._awaitable(f, x, 2)
    y = x + 1
    return torch.jit._awaitable_wait(aw) + y


def aw_make(x: Tensor) -> _Await[Tensor]:
    return torch.jit._awaitable(f, x, 3)


def aw_nowait(x: int) -> _Await[int]:
    return torch.jit._awaitable_nowait(x)


def aw_take(aw: _Await[Tensor]) -> Tensor:
    return torch.jit._awaitable_wait(aw) * 2


def aw_lazy(x: Tensor, go: bool) -> Tensor:
    aw = torch.jit._awaitable(counted, x)
    if go:
        return torch.jit._awaitable_wait(aw)
    return x


def aw_twice(x: Tensor) -> Tensor:
    aw = torch.jit._awaitable(counted, x)
    return torch.jit._awaitable_wait(aw) + torch.jit._awaitable_wait(aw)


def aw_list(x: Tensor) -> Tensor:
    aws: List[_Await[Tensor]] = []
    for i in range(3):
        aws.append(torch.jit._awaitable(f, x, i))
    r = x
    for a in aws:
        r = r + torch.jit._awaitable_wait(a)
    return r


def aw_bad(x: Tensor) -> Tensor:
    return torch.jit._awaitable_wait(torch.jit._awaitable(bad, x))


class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(3))

    def forward(self, x: Tensor) -> Tensor:
        aw = torch.jit._awaitable(f, x, 4)
        n = torch.jit._awaitable_nowait(x * self.w)
        return torch.jit._awaitable_wait(aw) - torch.jit._awaitable_wait(n)
'''

FUNCS = ["aw_basic", "aw_list", "aw_twice"]


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    d = tmp_path_factory.mktemp("await")
    out = {}
    for lib in LIBS:
        head = ("import pyts as torch\nfrom pyts import Tensor\nfrom pyts._awaits import _Await\n" if lib is pyts
                else "import torch\nfrom torch import Tensor\nfrom torch._awaits import _Await\n")
        (d / lib.__name__).mkdir()
        p = d / lib.__name__ / "awsrc.py"
        p.write_text(head + SRC)
        # one module name for both, so qualified names in .code agree
        spec = importlib.util.spec_from_file_location("awsrc", p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        out[lib] = m
    return out


def _graph(fn):
    """The awaitable lines of a graph (value names and source locations dropped) and the count of
    its awaitable subgraphs, printed after the graph as torch prints a node's Subgraph."""
    lines = [re.sub(r"%[\w.]+", "%v", line.split(" # ")[0]).strip() for line in str(fn.graph).splitlines()
             if "awaitable" in line]
    assert lines
    return lines


# ---- eager ----
def test_eager_awaitable_is_lazy_and_runs_once():
    for lib in LIBS:
        calls = []

        def g(x, k=1):
            calls.append(k)
            return x * k
        aw = lib.jit._awaitable(g, lib.tensor(X), 3)
        assert calls == []   # nothing ran yet
        np.testing.assert_allclose(lib.jit._awaitable_wait(aw).numpy(), X * 3)
        lib.jit._awaitable_wait(aw)
        assert calls == [3]   # once
        assert aw.fn() is g and aw.args() == (aw.args()[0], 3) and aw.is_nowait() is False


def test_eager_nowait_and_errors():
    for lib in LIBS:
        n = lib.jit._awaitable_nowait(5)
        assert lib.jit._awaitable_wait(n) == 5 and n.is_nowait() is True

        def boom(x):
            raise ValueError("boom")
        aw = lib.jit._awaitable(boom, 1)   # not raised here: lazy
        with pytest.raises(ValueError, match="boom"):
            lib.jit._awaitable_wait(aw)
        with pytest.raises(TypeError, match="incompatible function arguments"):
            lib.jit._awaitable_wait(3)


# ---- scripted ----
@pytest.mark.parametrize("name", FUNCS)
def test_scripted_values_as_torch(mods, name):
    fp, ft = pyts.jit.script(getattr(mods[pyts], name)), torch.jit.script(getattr(mods[torch], name))
    same_value(fp(pyts.tensor(X)), ft(torch.tensor(X)))


@pytest.mark.parametrize("name", FUNCS + ["aw_make", "aw_nowait", "aw_take", "aw_lazy", "aw_bad"])
def test_code_and_graph_are_torchs(mods, name):
    fp, ft = pyts.jit.script(getattr(mods[pyts], name)), torch.jit.script(getattr(mods[torch], name))
    assert fp.code == ft.code
    assert _graph(fp) == _graph(ft)


def test_await_returned_to_python_and_passed_back(mods):
    for lib in LIBS:
        m = mods[lib]
        make, take, nowait = (lib.jit.script(getattr(m, n)) for n in ("aw_make", "aw_take", "aw_nowait"))
        aw = make(lib.tensor(X))
        assert type(aw).__name__ == "_Await"
        np.testing.assert_allclose(lib.jit._awaitable_wait(aw).numpy(), X * 3)
        np.testing.assert_allclose(take(make(lib.tensor(X))).numpy(), X * 6)
        assert lib.jit._awaitable_wait(nowait(7)) == 7


def test_scripted_awaitable_is_lazy(mods):
    for lib in LIBS:
        m = mods[lib]
        del m.CALLS[:]
        lazy = lib.jit.script(m.aw_lazy)
        lazy(lib.tensor(X), False)
        assert m.CALLS == []   # never waited: never ran
        np.testing.assert_allclose(lazy(lib.tensor(X), True).numpy(), X + 1)
        assert m.CALLS == [1]
        del m.CALLS[:]
        np.testing.assert_allclose(lib.jit.script(m.aw_twice)(lib.tensor(X)).numpy(), 2 * (X + 1))
        assert m.CALLS == [1]   # waited twice, ran once


def test_error_in_awaitable_is_raised_at_wait(mods):
    # torch raises its torch.jit.Error, pyts a RuntimeError; both name the interpreter and the error
    for lib, exc in ((pyts, RuntimeError), (torch, torch.jit.Error)):
        with pytest.raises(exc, match="(?s)The following operation failed in the TorchScript interpreter.*bad one"):
            lib.jit.script(mods[lib].aw_bad)(lib.tensor(X))


def test_wait_of_a_non_await_is_refused(tmp_path):
    src = ("def g(x: int) -> int:\n    return torch.jit._awaitable_wait(x)\n")
    for lib in LIBS:
        p = tmp_path / f"bad_{lib.__name__}.py"
        p.write_text(f"import {lib.__name__} as torch\n" + src)
        spec = importlib.util.spec_from_file_location(f"bad_{lib.__name__}", p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        with pytest.raises(RuntimeError, match="Could not match type int to Await"):
            lib.jit.script(m.g)


def test_module_archives_both_ways(mods, tmp_path):
    mp, mt = pyts.jit.script(mods[pyts].M()), torch.jit.script(mods[torch].M())
    assert mp.code == mt.code
    want = mt(torch.tensor(X)).detach()
    pyts.jit.save(mp, str(tmp_path / "p.pt"))
    torch.jit.save(mt, str(tmp_path / "t.pt"))
    same_value(pyts.jit.load(str(tmp_path / "t.pt"))(pyts.tensor(X)).detach(), want)
    same_value(pyts.jit.load(str(tmp_path / "p.pt"))(pyts.tensor(X)).detach(), want)
    same_value(torch.jit.load(str(tmp_path / "p.pt"))(torch.tensor(X)).detach(), want)
