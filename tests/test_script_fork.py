"""torch.jit.fork / torch.jit.wait and Future[T] against torch 2.13 on the same source: eager
fork/wait, scripted forks of free functions, script functions, ops, module methods and submodules,
lists of futures built in one loop and waited in another, futures returned to Python, errors raised
at wait, the printed .code and the fork lines of .graph, torch's compile errors, archives both ways
(torch's nested `def __forked_function` code parsed by pyts's loader) and the C runtime on them."""
import importlib.util
import io
import re
import subprocess
import sys

import numpy as np
import pytest

import pyts
import pyts.config
import pyts.jit

torch = pytest.importorskip("torch")

from script_diff import same_value  # noqa: E402

LIBS = (pyts, torch)
X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], dtype=np.float32)

SRC = '''
from typing import List, Tuple


def foo(a, b: int = 1):
    return a + b


@torch.jit.script
def sfoo(a: Tensor, b: int = 1):
    return a * b


def bad(x: Tensor) -> Tensor:
    if bool(x.sum() > 100):
        raise ValueError("boom")
    return x


def two(x: Tensor) -> Tuple[Tensor, Tensor]:
    return x + 1, x * 2


@torch.jit.script
def f_free(x):
    fut = torch.jit.fork(foo, x, b=2)
    return torch.jit.wait(fut)


@torch.jit.script
def f_loop(x):
    futs: List[torch.jit.Future[torch.Tensor]] = []
    for i in range(3):
        futs.append(torch.jit.fork(sfoo, x, i))
    res: List[Tensor] = []
    for f in futs:
        res.append(torch.jit.wait(f))
    return torch.stack(res)


@torch.jit.script
def f_private(x):
    return torch.jit._wait(torch.jit._fork(torch.neg, x))


@torch.jit.script
def f_ret(x):
    fut: torch.jit.Future[torch.Tensor] = torch.jit.fork(sfoo, x)
    return fut


@torch.jit.script
def f_op(x):
    fut = torch.jit.fork(torch.add, x, x, alpha=2)
    return fut.wait()


@torch.jit.script
def f_nested(x):
    fut = torch.jit.fork(f_free, x)
    return torch.jit.wait(fut) * 2


@torch.jit.script
def f_tuple(x):
    fut = torch.jit.fork(two, x)
    a, b = torch.jit.wait(fut)
    return a - b


@torch.jit.script
def f_err(x):
    fut = torch.jit.fork(bad, x)
    y = x + 1
    return torch.jit.wait(fut) + y


@torch.jit.script
def f_err_unwaited(x):
    fut = torch.jit.fork(bad, x)
    return x + 1


@torch.jit.ignore
def pyside(x: Tensor) -> Tensor:
    return x * 3


@torch.jit.script
def f_ignored(x):
    return torch.jit.wait(torch.jit.fork(pyside, x)) + 1


@torch.jit.script
def f_takes(f: torch.jit.Future[torch.Tensor]) -> Tensor:
    return torch.jit.wait(f) * 2


class N(torch.nn.Module):
    def forward(self, x):
        f = torch.jit.fork(self.tw, x)
        return torch.jit.wait(f)

    def tw(self, x):
        return x.relu(), x.neg()


class Sub(torch.nn.Module):
    def forward(self, x):
        return x + 1


class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = Sub()

    def helper(self, x: Tensor, k: int):
        return x * k

    def forward(self, x):
        f1 = torch.jit.fork(self.sub.forward, x)
        f2 = torch.jit.fork(self.helper, x, 3)
        f3 = torch.jit.fork(self.sub, x)
        futs: List[torch.jit.Future[torch.Tensor]] = []
        for i in range(2):
            futs.append(torch.jit.fork(torch.neg, x + i))
        s = torch.jit.wait(f1) + torch.jit.wait(f2) + f3.wait()
        for f in futs:
            s = s + torch.jit.wait(f)
        return s
'''

FUNCS = ["f_free", "f_loop", "f_op", "f_nested", "f_tuple", "f_err", "f_ignored", "f_private"]


def load(tmp_path, name, src, lib):
    """src imported as the module `name` with `torch` = lib (torch reads scripted functions'
    source through their module's file)."""
    d = tmp_path / lib.__name__
    d.mkdir(exist_ok=True)
    path = d / f"{name}.py"
    path.write_text(("import pyts as torch\n" if lib is pyts else "import torch\n") + "Tensor = torch.Tensor\n" + src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[name]
    return mod


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fork")
    return {lib: load(tmp, "fork_mods", SRC, lib) for lib in LIBS}


def fork_lines(graph):
    """The fork and wait lines of a graph's text, value names and source locations dropped."""
    out = []
    for line in str(graph).splitlines():
        if "prim::fork" in line or "aten::wait" in line:
            out.append(re.sub(r"%[\w.]+", "%v", line.split(" # ")[0]).strip())
    return out


# ---- eager ----
def test_eager_fork_runs_the_function_and_wait_returns_its_result():
    for lib in LIBS:
        f = lib.jit.fork(lambda a, b=1: a + b, 1, b=5)
        # torch's eager fork returns a torch._C.Future (printed torch.Future)
        assert isinstance(f, pyts.jit.Future) if lib is pyts else type(f).__name__ == "Future"
        assert f.wait() == 6 and lib.jit.wait(f) == 6 and f.value() == 6 and f.done()
    fp = pyts.jit.fork(pyts.add, pyts.tensor(X), pyts.tensor(X), alpha=2)
    ft = torch.jit.fork(torch.add, torch.tensor(X), torch.tensor(X), alpha=2)
    same_value(pyts.jit.wait(fp), torch.jit.wait(ft))


def test_eager_fork_raises_the_functions_error_at_wait():
    # torch's eager fork calls the function at once (its exception comes out of fork); pyts's
    # submits it to the inter-op pool, so the function's own exception comes out of wait
    def boom(x):
        raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):
        torch.jit.fork(boom, 1)
    f = pyts.jit.fork(boom, 1)
    with pytest.raises(ValueError, match="boom"):
        f.wait()
    with pytest.raises(ValueError, match="boom"):   # again: the same error
        pyts.jit.wait(f)
    assert f.done()


def test_eager_errors_are_torchs():
    for lib in LIBS:
        with pytest.raises(TypeError, match="Object of type 'int' is not an instance of 'function'"):
            lib.jit.fork(3)
        with pytest.raises(TypeError, match="wait\\(\\): incompatible function arguments"):
            lib.jit.wait(3)


# ---- scripted ----
@pytest.mark.parametrize("name", FUNCS)
def test_scripted_forks_compute_as_torch(mods, name):
    for x in (X, X[:, ::2], np.float32(2.5) * np.ones((), np.float32)):
        got = getattr(mods[pyts], name)(pyts.tensor(x))
        want = getattr(mods[torch], name)(torch.tensor(x))
        same_value(got, want)


@pytest.mark.parametrize("name", ["f_free", "f_ret", "f_op", "f_nested", "f_tuple", "f_err", "f_err_unwaited",
                                  "f_ignored", "f_private"])
def test_code_is_torchs(mods, name):
    cp, ct = getattr(mods[pyts], name).code, getattr(mods[torch], name).code
    # torch drops a fork nobody waits for (f_err_unwaited): so does pyts
    forks = name != "f_err_unwaited"
    assert ("def __forked_function():" in ct and " = fork(__forked_function)" in ct) == forks
    assert cp == ct


def test_loop_of_futures_code_and_graph(mods):
    cp, ct = mods[pyts].f_loop.code, mods[torch].f_loop.code
    want = ("  for i in range(3):\n    def __forked_function():\n      return __torch__.fork_mods.sfoo(x, i, )\n"
            "    _0 = fork(__forked_function)\n")
    assert want in ct and want in cp
    assert "futs = annotate(List[Future[Tensor]], [])" in cp
    assert fork_lines(mods[pyts].f_loop.graph) == fork_lines(mods[torch].f_loop.graph)
    assert "Future[Tensor][] = prim::ListConstruct()" in str(mods[pyts].f_loop.graph)


@pytest.mark.parametrize("name", ["f_free", "f_ret", "f_op", "f_nested", "f_tuple"])
def test_graph_fork_lines_are_torchs(mods, name):
    gp, gt = str(getattr(mods[pyts], name).graph), str(getattr(mods[torch], name).graph)
    assert fork_lines(gp) == fork_lines(gt) != []
    # the body prints after the graph, as torch prints a node's Subgraph
    assert gp.count("with prim::fork_0 = graph(") == gt.count("with prim::fork_0 = graph(") == 1


def test_future_returned_to_python(mods):
    rp, rt = mods[pyts].f_ret(pyts.tensor(X)), mods[torch].f_ret(torch.tensor(X))
    # torch returns a torch._C.Future (printed torch.Future), pyts a pyts.jit.Future
    assert isinstance(rp, pyts.jit.Future) and type(rt).__name__ == "Future"
    assert rp.done()
    same_value(rp.wait(), rt.wait())
    same_value(pyts.jit.wait(rp), torch.jit.wait(rt))
    assert str(mods[pyts].f_ret.graph).splitlines()[1].startswith("  %fut.1 : Future[Tensor] = prim::fork_0(")


def test_future_passed_to_scripted_code(mods):
    # a Future[T] parameter takes the Future another scripted function returned
    for lib in LIBS:
        r = mods[lib].f_takes(mods[lib].f_ret(lib.tensor(X)))
        same_value(r, torch.tensor(X * 2))
    for lib in LIBS:
        # (pyts raises its argument errors as TypeError, torch as RuntimeError: same text)
        msg = "Expected a value of type 'Future\\[Tensor\\]' for argument 'f'"
        with pytest.raises((RuntimeError, TypeError), match=msg):
            mods[lib].f_takes(3)


def test_forked_method_returning_a_tuple(mods):
    x = np.array([1.0, -1.0, 0.0], np.float32)
    mp, mt = pyts.jit.script(mods[pyts].N()), torch.jit.script(mods[torch].N())
    same_value(mp(pyts.tensor(x)), mt(torch.tensor(x)))
    assert mp.code == mt.code
    assert "Future[(Tensor, Tensor)] = prim::fork_0(%self, %x.1)" in str(mp.graph)


def test_error_in_fork_is_raised_at_wait(mods):
    big = np.full((2, 3), 50.0, np.float32)
    msgs = {}
    for lib in LIBS:
        with pytest.raises(RuntimeError) as e:
            mods[lib].f_err(lib.tensor(big))
        msgs[lib] = str(e.value)
        # a failed fork nobody waits for does not fail the caller
        same_value(mods[lib].f_err_unwaited(lib.tensor(big)), torch.tensor(big + 1))
        r = mods[lib].f_ret(lib.tensor(big))
        same_value(r.wait(), torch.tensor(big))
    for lib in LIBS:
        assert "The following operation failed in the TorchScript interpreter." in msgs[lib]
        assert "boom" in msgs[lib]


ERRORS = [
    ("def h(x: int):\n    return torch.jit.wait(x)\n",
     "Could not match type int to Future[t] in argument 'self': Cannot match a future to int."),
    ("def h(x: int):\n    return torch.jit.fork(x)\n", "cannot call a value of type 'int'"),
    ("def h(x: int):\n    return torch.jit.fork(x, 1)\n", "cannot call a value of type 'int'"),
    ("def h(x: Tensor):\n    return torch.jit.fork()\n", "Expected at least one argument to fork()"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_compile_errors_are_torchs(tmp_path, k):
    src, msg = ERRORS[k]
    for lib in LIBS:
        mod = load(tmp_path, f"fork_err{k}", src, lib)
        with pytest.raises(RuntimeError) as e:
            lib.jit.script(mod.h)
        assert msg in str(e.value), (lib.__name__, str(e.value))


def test_nested_def_in_python_source_is_refused(tmp_path):
    src = ("def h(x: Tensor):\n    def inner():\n        return x\n"
           "    return torch.jit.wait(torch.jit.fork(inner))\n")
    for lib in LIBS:
        mod = load(tmp_path, "fork_nested_def", src, lib)
        with pytest.raises(Exception) as e:
            lib.jit.script(mod.h)
        assert "def" in str(e.value) or "function definitions" in str(e.value)


# ---- modules ----
@pytest.fixture(scope="module")
def scripted(mods):
    return {lib: lib.jit.script(mods[lib].M()) for lib in LIBS}


def test_module_method_and_submodule_forks(scripted):
    for x in (X, X.T, np.zeros((0, 3), np.float32)):
        same_value(scripted[pyts](pyts.tensor(x)), scripted[torch](torch.tensor(x)))
    assert scripted[pyts].code == scripted[torch].code
    assert fork_lines(scripted[pyts].graph) == fork_lines(scripted[torch].graph)
    gp = str(scripted[pyts].graph)
    assert 'prim::CallMethod[name="helper"](%self, %x.1, %' in gp.split("with prim::fork_1 = graph(")[1]


def saved(lib, m):
    b = io.BytesIO()
    lib.jit.save(m, b)
    return b.getvalue()


def test_archives_both_ways(scripted):
    xp, xt = pyts.tensor(X), torch.tensor(X)
    want = scripted[torch](xt)
    # pyts's archive: torch loads and runs it
    mt = torch.jit.load(io.BytesIO(saved(pyts, scripted[pyts])))
    same_value(mt(xt), want)
    # torch's archive (nested `def __forked_function():` code): pyts loads and runs it
    mp = pyts.jit.load(io.BytesIO(saved(torch, scripted[torch])))
    same_value(mp(xp), want)
    assert mp.code == scripted[torch].code
    # and its own
    mp2 = pyts.jit.load(io.BytesIO(saved(pyts, scripted[pyts])))
    same_value(mp2(xp), want)
    # which constants a loaded closure captures differs (torch's loader hoists some): the
    # forks and waits themselves are the same
    def shape(g):
        return [re.sub(r"\(.*\)", "()", line) for line in fork_lines(g)]
    assert shape(mp.graph) == shape(torch.jit.load(io.BytesIO(saved(torch, scripted[torch]))).graph) != []


def test_function_archives_both_ways(mods, tmp_path):
    xp, xt = pyts.tensor(X), torch.tensor(X)
    for name in ("f_free", "f_loop", "f_nested"):
        want = getattr(mods[torch], name)(xt)
        mt = torch.jit.load(io.BytesIO(saved(pyts, getattr(mods[pyts], name))))
        same_value(mt(xt), want)
        mp = pyts.jit.load(io.BytesIO(saved(torch, getattr(mods[torch], name))))
        same_value(mp(xp), want)


def test_c_runtime_runs_fork_archives(scripted, tmp_path):
    cli = pyts.config.get_cli()
    np.save(tmp_path / "x.npy", X)
    want = scripted[torch](torch.tensor(X)).numpy()
    for i, lib in enumerate(LIBS):
        path = tmp_path / f"m{i}.pt"
        lib.jit.save(scripted[lib], str(path))
        r = subprocess.run([cli, str(path), str(tmp_path / "x.npy"), "-o", str(tmp_path / f"r{i}_")],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        np.testing.assert_allclose(np.load(tmp_path / f"r{i}_0.npy"), want, rtol=1e-6)


# ---- tracing ----
def _strip_ids(text):
    # value numbers differ (torch builds the fork node after its body and numbers a subgraph
    # on its own); names and structure must not
    return re.sub(r"%[0-9]+", "%_", text)


def _trace_fns(lib):
    def f(x):
        return x * 2

    def g(x):
        fut = lib.jit.fork(f, x)
        y = lib.jit.wait(fut)
        return y + 1

    def two(x, w):
        a = lib.jit.fork(lambda u: lib.mm(u, w).relu(), x)
        b = lib.jit.fork(lib.neg, x)
        return lib.jit.wait(a) - lib.jit.wait(b).sum()

    def nested(x):
        def inner(u):
            fu = lib.jit.fork(lib.tanh, u)
            return lib.jit.wait(fu) * 3
        return lib.jit.wait(lib.jit.fork(inner, x)) + x
    return {"g": g, "two": two, "nested": nested}


TRACE_ARGS = {"g": lambda L: (L.tensor(X),), "two": lambda L: (L.tensor(X), L.tensor(X.T.copy())),
              "nested": lambda L: (L.tensor(X),)}


@pytest.mark.parametrize("name", ["g", "two", "nested"])
def test_trace_of_fork_records_prim_fork_as_torch(name, tmp_path):
    tp = pyts.jit.trace(_trace_fns(pyts)[name], TRACE_ARGS[name](pyts))
    tt = torch.jit.trace(_trace_fns(torch)[name], TRACE_ARGS[name](torch))
    # the graph: prim::fork_0 with its subgraph, aten::wait (no source locations on either)
    gp = "\n".join(line.split(" # ")[0] for line in str(tp.graph).split("\n"))
    gt = "\n".join(line.split(" # ")[0] for line in str(tt.graph).split("\n"))
    assert "prim::fork_0" in gp and "aten::wait" in gp
    assert _strip_ids(gp) == _strip_ids(gt)
    assert tp.code == tt.code
    # runs (through the pool), as torch's
    args = [a * 1.5 for a in TRACE_ARGS[name](pyts)]
    argt = [a * 1.5 for a in TRACE_ARGS[name](torch)]
    same_value(tp(*args), tt(*argt))
    # archives: saved and loaded both ways
    pyts.jit.save(tp, str(tmp_path / "p.pt"))
    torch.jit.save(tt, str(tmp_path / "t.pt"))
    same_value(pyts.jit.load(str(tmp_path / "t.pt"))(*args), tt(*argt))
    same_value(pyts.jit.load(str(tmp_path / "p.pt"))(*args), tt(*argt))
    same_value(torch.jit.load(str(tmp_path / "p.pt"))(*argt), tt(*argt))


def test_trace_of_a_failing_fork_is_abandoned():
    def bad(x):
        raise ValueError("no")

    def h(x):
        return pyts.jit.wait(pyts.jit.fork(bad, x))
    with pytest.raises(ValueError, match="no"):
        pyts.jit.trace(h, pyts.tensor(X))
    # the next trace starts clean
    tp = pyts.jit.trace(_trace_fns(pyts)["g"], pyts.tensor(X))
    same_value(tp(pyts.tensor(X)), torch.jit.trace(_trace_fns(torch)["g"], torch.tensor(X))(torch.tensor(X)))


# ---- parallelism (the inter-op pool) ----
PAR_SRC = '''
import threading
from typing import List

E1 = threading.Event()
E2 = threading.Event()


@torch.jit.ignore
def left(x: Tensor) -> Tensor:
    E1.set()
    # only true when `right` runs at the same time on another thread
    return x + float(E2.wait(10))


@torch.jit.ignore
def right(x: Tensor) -> Tensor:
    E2.set()
    return x * float(E1.wait(10))


@torch.jit.ignore
def pyboom(x: Tensor) -> Tensor:
    raise ValueError("boom here")


def fork_pyboom(x: Tensor) -> Tensor:
    return torch.jit.wait(torch.jit.fork(pyboom, x))


def both(x: Tensor) -> Tensor:
    a = torch.jit.fork(left, x)
    b = torch.jit.fork(right, x)
    return torch.jit.wait(a) + torch.jit.wait(b)


def grad_mode(x: Tensor) -> bool:
    return torch.is_grad_enabled()


def fork_grad_mode(x: Tensor) -> bool:
    return torch.jit.wait(torch.jit.fork(grad_mode, x))


def leaf(x: Tensor) -> Tensor:
    return x + 1


def mid(x: Tensor) -> Tensor:
    futs: List[torch.jit.Future[Tensor]] = []
    for i in range(6):
        futs.append(torch.jit.fork(leaf, x))
    r = x
    for f in futs:
        r = r + torch.jit.wait(f)
    return r


def nested(x: Tensor) -> Tensor:
    futs: List[torch.jit.Future[Tensor]] = []
    for i in range(6):
        futs.append(torch.jit.fork(mid, x))
    r = x
    for f in futs:
        r = r + torch.jit.wait(f)
    return r


def many(x: Tensor, n: int) -> Tensor:
    futs: List[torch.jit.Future[Tensor]] = []
    for i in range(n):
        futs.append(torch.jit.fork(torch.mm, x, x))
    r = x
    for f in futs:
        r = r + torch.jit.wait(f)
    return r
'''


@pytest.fixture(scope="module")
def par(tmp_path_factory):
    d = tmp_path_factory.mktemp("par")
    out = {}
    for lib in LIBS:
        p = d / f"par_{lib.__name__}.py"
        p.write_text(("import pyts as torch\nfrom pyts import Tensor\n" if lib is pyts
                      else "import torch\nfrom torch import Tensor\n") + PAR_SRC)
        spec = importlib.util.spec_from_file_location(f"par_{lib.__name__}", p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        out[lib] = m
    return out


def test_scripted_forks_of_python_functions_overlap(par):
    # left and right each wait for the other's event: both return their input unchanged only
    # when they run at the same time (a serial run would time out and multiply by 0)
    for lib in LIBS:
        m = par[lib]
        m.E1.clear()
        m.E2.clear()
        f = lib.jit.script(m.both)
        x = lib.tensor(X)
        np.testing.assert_allclose(f(x).numpy(), 2 * X + 1)


def test_python_error_in_a_scripted_fork_is_a_runtime_error(par):
    # whether a worker or the waiter ran the fork, wait raises torch's RuntimeError (never the
    # Python function's ValueError itself)
    for lib in LIBS:
        f = lib.jit.script(par[lib].fork_pyboom)
        for _ in range(6):
            with pytest.raises(RuntimeError, match="boom here") as e:
                f(lib.tensor(X))
            assert not isinstance(e.value, ValueError)


def test_eager_forks_overlap():
    import threading
    e1, e2 = threading.Event(), threading.Event()

    def a():
        e1.set()
        return e2.wait(10)

    def b():
        e2.set()
        return e1.wait(10)
    fa, fb = pyts.jit.fork(a), pyts.jit.fork(b)
    assert fa.wait() is True and fb.wait() is True


def test_forks_nested_deeper_than_the_pool(par):
    # every fork waits on a fork of its own: more forks than threads, no deadlock
    same_value(pyts.jit.script(par[pyts].nested)(pyts.tensor(X)), torch.jit.script(par[torch].nested)(torch.tensor(X)))

    def pyfib(n):
        if n < 2:
            return n
        f = pyts.jit.fork(pyfib, n - 1)
        return pyfib(n - 2) + f.wait()
    assert pyfib(12) == 144


def test_many_forks_of_an_op_compute_as_torch(par):
    xp = pyts.tensor(X[:, :2].copy())
    xt = torch.tensor(X[:, :2].copy())
    same_value(pyts.jit.script(par[pyts].many)(xp, 40), torch.jit.script(par[torch].many)(xt, 40))


def test_fork_inherits_grad_mode(par):
    for lib in LIBS:
        f = lib.jit.script(par[lib].fork_grad_mode)
        x = lib.tensor(X)
        assert f(x) is True
        with lib.no_grad():
            assert f(x) is False
        # eager forks as well (pyts runs them on a worker thread)
        with lib.no_grad():
            assert lib.jit.fork(lib.is_grad_enabled).wait() is False


def test_forked_intra_op_parallel_kernels():
    # big matmuls and reductions inside forks use the intra-op pool from inter-op workers
    a = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)

    @pyts.jit.script
    def g(x: pyts.Tensor) -> pyts.Tensor:
        return x.mm(x).sum(0)

    def run(x):
        futs = [pyts.jit.fork(g, x) for _ in range(6)]
        return [pyts.jit.wait(f) for f in futs]
    for r in run(pyts.tensor(a)):
        np.testing.assert_allclose(r.numpy(), (a @ a).sum(0), rtol=1e-3, atol=1e-2)


def test_scripted_future_returned_pending_is_waited_in_python(par):
    import threading
    ev = threading.Event()

    @pyts.jit.ignore
    def slow(x: pyts.Tensor) -> pyts.Tensor:
        ev.wait(10)
        return x + 1

    @pyts.jit.script
    def start(x: pyts.Tensor) -> pyts.jit.Future[pyts.Tensor]:
        return pyts.jit.fork(slow, x)
    fut = start(pyts.tensor(X))
    assert isinstance(fut, pyts.jit.Future)
    ev.set()
    np.testing.assert_allclose(fut.wait().numpy(), X + 1)
    assert fut.done()


INTEROP_SCRIPT = r'''
import sys
lib = __import__(sys.argv[1])
out = [lib.get_num_interop_threads()]
for n in (0, -1):
    try:
        lib.set_num_interop_threads(n)
    except RuntimeError as e:
        out.append(str(e))
lib.set_num_interop_threads(3)
out.append(lib.get_num_interop_threads())
try:
    lib.set_num_interop_threads(2)
except RuntimeError as e:
    out.append(str(e))
print(repr(out))
'''


def test_num_interop_threads_as_torch():
    res = []
    for name in ("pyts", "torch"):
        r = subprocess.run([sys.executable, "-c", INTEROP_SCRIPT, name], capture_output=True, text=True,
                           env={**__import__("os").environ, "PYTHONPATH": ":".join(sys.path)})
        assert r.returncode == 0, r.stderr
        res.append(r.stdout)
    assert res[0] == res[1]
    assert "cannot set number of interop threads" in res[0]
