"""Lifetime of compiled code: everything one pyts.jit.load or one script compile makes (class
types, methods, free functions, their graphs) belongs to one compilation unit, freed when the last
module, object, function or class handle of it goes. Code whose classes and functions name one
another in a cycle must not keep itself alive: loading or scripting it again and again leaves the
number of live IR objects (_C._ir_live) and the process size where they were."""
import gc
import io
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import pyts
import pyts.jit

ROOT = Path(__file__).resolve().parents[1]

# each module's forward closes one cycle shape
SRC = '''
from typing import List, Optional


# 1. two classes whose methods make each other
class A:
    def __init__(self, v: int):
        self.v = v

    def to_b(self) -> "B":
        return B(self.v + 1)


class B:
    def __init__(self, v: int):
        self.v = v

    def to_a(self) -> A:
        return A(self.v * 2)


# 2. a method calling a free function that makes the method's class
class C:
    def __init__(self, v: int):
        self.v = v

    def bump(self) -> "C":
        return make_c(self.v + 1)


def make_c(v: int) -> C:
    return C(v)


# 3. two free functions, each making the class whose methods call the other
class D:
    def __init__(self, v: int):
        self.v = v

    def step(self) -> int:
        return to_e(self.v).v


class E:
    def __init__(self, v: int):
        self.v = v

    def step(self) -> int:
        return to_d(self.v).v


def to_e(v: int) -> E:
    return E(v + 3)


def to_d(v: int) -> D:
    return D(v * 5)


# 4. two classes with attributes of each other's type
class P:
    def __init__(self, v: int):
        self.v = v
        self.q: Optional[Q] = None

    def link(self, q: "Q") -> int:
        self.q = q
        return self.v + q.v


class Q:
    def __init__(self, v: int):
        self.v = v
        self.p: Optional[P] = None

    def back(self) -> int:
        p = self.p
        if p is None:
            return -1
        return p.v


class M1(torch.nn.Module):
    def forward(self, t: Tensor) -> Tensor:
        return t * float(A(1).to_b().to_a().v)


class M2(torch.nn.Module):
    def forward(self, t: Tensor) -> Tensor:
        return t * float(C(2).bump().bump().v)


class M3(torch.nn.Module):
    def forward(self, t: Tensor) -> Tensor:
        return t * float(D(1).step() + E(2).step())


class M4(torch.nn.Module):
    def forward(self, t: Tensor) -> Tensor:
        p, q = P(3), Q(4)   # linked one way only: objects that hold each other are a cycle
        return t * float(p.link(q) + q.back())   # of values, which refcounting never frees
'''

SHAPES = ["M1", "M2", "M3", "M4"]
EXPECTED = {"M1": 4.0, "M2": 4.0, "M3": 14.0, "M4": 6.0}   # what forward multiplies by
_count = [0]


def fresh_module(tmp_path, lib, shape):
    """An instance of module class `shape` from SRC run as a new Python module (new classes and
    functions each time, as a function defining them would make) with `torch` = lib (torch's
    compiler recurses without end on every shape: only pyts compiles them)."""
    _count[0] += 1
    name = f"cu_src_{lib.__name__}_{_count[0]}"
    path = tmp_path / f"cu_src_{lib.__name__}.py"   # one file: linecache keeps each file's lines
    if not path.exists():
        path.write_text(SRC)
    mod = types.ModuleType(name)
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor)
    sys.modules[name] = mod
    try:
        exec(compile(SRC, str(path), "exec"), mod.__dict__)
        return getattr(mod, shape)()
    finally:
        del sys.modules[name]   # the module lives on through what it made, no longer


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _live():
    gc.collect()
    return pyts._C._ir_live()


def _assert_no_growth(step, n):
    """Run step() n times after a warm-up: the live units, classes, functions and graphs are as
    many as before, and the process grew by less than a bound far below what leaking would take."""
    for i in range(20):
        step(i)
    before, r0 = _live(), _rss()
    for i in range(n):
        step(i)
    after = _live()
    assert after == before, f"(units, classes, functions, graphs) {before} -> {after} after {n} runs"
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):   # ASan's quarantine keeps freed memory
        assert _rss() - r0 < 2 * 2**20


def _archive(m, lib=pyts):
    buf = io.BytesIO()
    lib.jit.save(m, buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cu")
    return {s: _archive(pyts.jit.script(fresh_module(tmp, pyts, s))) for s in SHAPES}


@pytest.mark.parametrize("shape", SHAPES)
def test_archives_of_cycles_run_as_torch(archives, shape):
    """Every shape runs in pyts, and its archive loads and runs the same in pyts and in torch.
    (torch.jit.script recurses without end on every shape; torch.jit.load reads the archives of
    the method cycles, not the one of classes with attributes of each other's type: it wants a
    class declared before an attribute names it.)"""
    x = np.array([1.0, 2.0], np.float32)
    r = pyts.jit.load(io.BytesIO(archives[shape]))(pyts.tensor(x))
    np.testing.assert_allclose(r.detach().numpy(), x * EXPECTED[shape])
    if shape != "M4":
        import torch   # here only: the other tests run without torch (.ci/asan)
        t = torch.jit.load(io.BytesIO(archives[shape]))(torch.tensor(x))
        np.testing.assert_allclose(r.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize("shape", SHAPES)
def test_loading_cycles_does_not_leak(archives, shape):
    x = pyts.tensor([1.0, 2.0])
    data = archives[shape]

    def step(i):
        m = pyts.jit.load(io.BytesIO(data))
        assert m(x).tolist() == [EXPECTED[shape], 2 * EXPECTED[shape]]
        m.code   # code and graphs printed from the unit's functions
        m.graph

    _assert_no_growth(step, 200)


@pytest.mark.parametrize("shape", SHAPES)
def test_scripting_cycles_does_not_leak(tmp_path, shape):
    x = pyts.tensor([1.0, 2.0])

    def step(i):
        sm = pyts.jit.script(fresh_module(tmp_path, pyts, shape))
        assert sm(x).tolist() == [EXPECTED[shape], 2 * EXPECTED[shape]]

    _assert_no_growth(step, 200)


def test_handles_keep_their_unit_alive(tmp_path):
    """What escapes to the user keeps the whole unit: an object returned by compiled code, a
    method read from it, a free function, after the module, the archive and the source are gone."""
    src = fresh_module(tmp_path, pyts, "M2")
    sm = pyts.jit.script(src)
    make_c = pyts.jit.script(type(src).forward.__globals__["make_c"])   # compiled with sm
    c = make_c(5)
    bump = c.bump
    del src, sm
    m = pyts.jit.load(io.BytesIO(_archive(pyts.jit.script(fresh_module(tmp_path, pyts, "M1")))))
    gc.collect()
    assert bump().v == 6 and c.bump().bump().v == 7 and make_c(1).v == 1
    before = _live()
    del m
    after = _live()
    assert after[0] == before[0] - 1 and after[1] < before[1]   # the load's unit went with its module
    del make_c, c, bump
    assert _live()[0] < after[0]


@pytest.fixture(scope="module")
def cli():
    exe = ROOT / "pyts" / "bin" / "pyts-run"
    if not exe.exists():
        pytest.fail("pyts-run is not built (python setup.py build_ext --inplace)")
    return exe


def _valgrind():
    try:
        return subprocess.run(["valgrind", "--version"], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.mark.parametrize("shape", ["M1", "M2", "M3", "M4"])
def test_runtime_frees_the_cycles(archives, shape, tmp_path, cli):
    """The C runtime (pyts-run, no Python) loads, runs and frees each shape: valgrind finds no
    block lost at exit."""
    if not _valgrind():
        pytest.fail("valgrind is needed for this test")
    model = tmp_path / f"{shape}.pt"
    model.write_bytes(archives[shape])
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0], np.float32))
    r = subprocess.run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                        "--error-exitcode=99", str(cli), str(model), str(tmp_path / "x.npy"), "-o", str(tmp_path / "y"),
                        "--threads", "1"], capture_output=True, text=True, timeout=600,
                       env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})   # no ASan (.ci/asan)
    assert r.returncode == 0, r.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "y0.npy"), np.array([1.0, 2.0]) * EXPECTED[shape])


def test_failed_loads_and_compiles_free_their_unit(archives, tmp_path):
    """Out of memory at every point of a load or a script compile: the partly built unit goes
    with the error, nothing of it stays alive (and nothing is freed twice: .ci/asan)."""
    x = pyts.tensor([1.0, 2.0])
    before = _live()
    ok = failed = 0
    for k in range(0, 3000, 17):
        pyts._C._alloc_fail_after(k)
        try:
            m = pyts.jit.load(io.BytesIO(archives["M1"]))
            pyts._C._alloc_fail_after(-1)
            assert m(x).tolist() == [4.0, 8.0]
            ok += 1
        except (MemoryError, RuntimeError):
            failed += 1
        finally:
            pyts._C._alloc_fail_after(-1)
        m = None
    for k in range(0, 2000, 23):
        mod = fresh_module(tmp_path, pyts, "M2")
        pyts._C._alloc_fail_after(k)
        try:
            sm = pyts.jit.script(mod)
            pyts._C._alloc_fail_after(-1)
            assert sm(x).tolist() == [4.0, 8.0]
            ok += 1
        except (MemoryError, RuntimeError):
            failed += 1
        finally:
            pyts._C._alloc_fail_after(-1)
        sm = mod = None
    assert ok and failed
    assert _live() == before
