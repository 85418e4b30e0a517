"""Sizes in traces and submodule calls with keyword arguments, against torch.jit.trace (2.13).

While tracing, x.size(d), x.size(), x.shape and x.numel() are traced values (aten::size /
aten::numel + prim::NumToTensor), and ops taking ints read them through aten::Int (or
aten::ScalarImplicit), so a trace made at one batch size runs at another. Each pattern is written
once with `L` = pyts or torch: the graphs must have torch's node kinds, the trace must give the
eager result at a second batch size, and the saved archive must run in torch.jit.load there."""
import re
import warnings

import numpy as np
import pytest

import pyts
from layer_inputs import kinds  # noqa: E402
import pyts.jit

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# name -> (function of L returning the traced callable, example shape, second shape)
FUNCS = {
    "view_size0": (lambda L: lambda x: x.view(x.size(0), -1), (4, 3, 2), (7, 3, 2)),
    "reshape_shape0": (lambda L: lambda x: x.reshape(x.shape[0], -1), (4, 3, 2), (5, 3, 2)),
    "zeros_size0": (lambda L: lambda x: L.zeros(x.size(0), 5) + x.sum(), (4, 3), (6, 3)),
    "size_neg_dim": (lambda L: lambda x: x.view(-1, x.size(-1)), (4, 3, 2), (3, 5, 2)),
    "arith_mul": (lambda L: lambda x: x.reshape(x.size(0) * 2, -1), (4, 6), (8, 6)),
    "arith_floordiv": (lambda L: lambda x: L.ones(x.size(0) // 2, 3), (4, 3), (9, 3)),
    "arith_sub_add": (lambda L: lambda x: x.narrow(0, 1, x.size(0) - 1).view(x.size(0) - 1 + 0, -1), (4, 3), (6, 3)),
    "expand_size0": (lambda L: lambda x: x[:, :1].expand(x.size(0), 5, 2), (4, 3, 2), (2, 3, 2)),
    "arange_size0": (lambda L: lambda x: L.arange(x.size(0)) * x.sum(), (4, 3), (7, 3)),
    "numel": (lambda L: lambda x: x.view(x.numel()), (4, 3, 2), (2, 3, 5)),
    "zeros_of_shape": (lambda L: lambda x: L.zeros(x.shape) + x, (4, 3), (2, 3)),
    "zeros_of_size_slice": (lambda L: lambda x: L.zeros(x.size()[:2]) + x[:, :, 0], (4, 3, 2), (5, 3, 2)),
    "full_of_size": (lambda L: lambda x: L.full((x.size(0), 2), 1.5), (4, 3), (6, 3)),
    # slice bounds from sizes: aten::Int of the size feeds aten::slice
    "slice_stop_size": (lambda L: lambda x: x[: x.size(0) // 2] * 2, (6, 3), (10, 3)),
    "slice_start_size": (lambda L: lambda x: x[x.size(1) - 2:], (6, 3), (9, 3)),
    # every bound and integer index of a multi-item key (torch's recordSliceTrace/recordSelectTrace)
    "multi_half_cols": (lambda L: lambda x: x[:, :x.size(1) // 2], (4, 6), (5, 8)),
    "multi_ellipsis_stop": (lambda L: lambda x: x[..., :x.size(0)], (3, 5), (4, 7)),
    "multi_start_stop_int": (lambda L: lambda x: x[1:x.size(0), 0], (4, 3), (6, 3)),
    "multi_select_size": (lambda L: lambda x: x[:, x.size(1) - 1], (4, 3), (5, 6)),
    "multi_select_size_first": (lambda L: lambda x: x[x.size(0) - 1, 1:], (4, 3), (5, 6)),
    "multi_select_negative": (lambda L: lambda x: x[:, x.size(1) - 4], (4, 3), (5, 6)),
    "multi_step_size": (lambda L: lambda x: x[:, ::x.size(0)], (2, 7), (3, 7)),
    "multi_start_size": (lambda L: lambda x: x[:, x.size(0):], (2, 7), (3, 7)),
    "multi_none_slice_int": (lambda L: lambda x: x[None, :x.size(0) - 1, 1], (4, 3), (6, 3)),
    "multi_two_sizes": (lambda L: lambda x: x[x.size(1):, :x.size(0)], (3, 5), (2, 6)),
    "multi_same_size_twice": (lambda L: lambda x: x[x.size(1) - 3:, :x.size(1) - 3], (5, 4), (6, 5)),
    "multi_three_dims": (lambda L: lambda x: x[1:, :x.size(2), x.size(1) // 2], (3, 4, 5), (4, 6, 7)),
    "multi_none_ellipsis": (lambda L: lambda x: x[None, ..., :x.size(0)], (3, 5), (4, 7)),
    "lone_select_size": (lambda L: lambda x: x[x.size(0) - 1], (4, 3), (6, 3)),
    "lone_step_stop_size": (lambda L: lambda x: x[:x.size(0) * 2:x.size(0)], (2, 3), (3, 3)),
    "halves_added": (lambda L: lambda x: x[:, :x.size(1) // 2] * 2 + x[:, x.size(1) // 2:], (4, 6), (3, 8)),
}


def unpack(L):
    def f(x):
        b, t, c = x.size()
        return x.view(b, t * c)
    return f


def shape_tuple_unpack(L):
    def f(x):
        n, d = x.shape
        return x.reshape(n, d // 3, 3).sum(1)
    return f


FUNCS["unpack_size"] = (unpack, (4, 3, 2), (6, 3, 2))
FUNCS["unpack_shape"] = (shape_tuple_unpack, (4, 6), (3, 6))


def trace_both(name, warn_ok=True):
    build, shape, _ = FUNCS[name]
    x = arr(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp = pyts.jit.trace(build(pyts), pyts.from_numpy(x))
        tt = torch.jit.trace(build(torch), torch.from_numpy(x))
    return tp, tt


@pytest.mark.parametrize("name", list(FUNCS))
def test_function_graph_kinds_as_torch(name):
    tp, tt = trace_both(name)
    kp, kt = kinds(tp.graph), kinds(tt.graph)
    assert kp == kt
    assert "aten::size" in kp or "aten::numel" in kp
    assert "prim::NumToTensor" in kp


@pytest.mark.parametrize("name", list(FUNCS))
def test_function_runs_at_other_sizes(name, tmp_path):
    build, shape, shape2 = FUNCS[name]
    tp, _ = trace_both(name)
    x2 = arr(*shape2, seed=1)
    eager = build(pyts)(pyts.from_numpy(x2))
    got = tp(pyts.from_numpy(x2))
    assert tuple(got.shape) == tuple(eager.shape)
    np.testing.assert_allclose(got.detach().numpy(), eager.detach().numpy(), rtol=1e-6)
    # archive -> torch.jit.load at the second size equals torch's eager result; pyts loads it too
    path = str(tmp_path / "f.pt")
    pyts.jit.save(tp, path)
    want = build(torch)(torch.from_numpy(x2))
    np.testing.assert_allclose(torch.jit.load(path)(torch.from_numpy(x2)).detach().numpy(), want.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(pyts.jit.load(path)(pyts.from_numpy(x2)).detach().numpy(), want.detach().numpy(), rtol=1e-6)


CODE_SAME = ["view_size0", "reshape_shape0", "size_neg_dim", "arith_mul", "numel", "unpack_size",
             "expand_size0"] + [n for n in FUNCS if n.startswith(("multi_", "lone_", "halves_"))]


@pytest.mark.parametrize("name", CODE_SAME)
def test_function_code_as_torch(name):
    tp, tt = trace_both(name)
    assert tp.code.strip() == tt.code.strip()


def test_sizes_graph_text_as_torch():
    """the size nodes print as torch's: dim constant and aten::size at the user's line,
    NumToTensor typed Long(device=cpu) without a location, aten::Int right after it"""
    tp, tt = trace_both("view_size0")
    loose = lambda g: re.sub(r"%\d+", "%N", re.sub(r" # [^\n]*", " #", str(g)))  # noqa: E731
    assert loose(tp.graph) == loose(tt.graph)
    assert "prim::NumToTensor(%2)\n" in str(tp.graph)


def test_eager_sizes_stay_ints():
    x = pyts.zeros(4, 3)
    assert type(x.size(0)) is int and type(x.shape[1]) is int and type(x.numel()) is int
    assert all(type(s) is int for s in x.size())


def test_sizes_inside_trace_are_tensors_like_torch():
    seen = {}

    def f(L):
        def g(x):
            seen[L.__name__] = (type(x.size(0)).__name__, x.size(0).dtype, type(x.shape).__name__,
                                x.shape[1].dim(), type(x.dim()).__name__)
            return x * 2
        return g
    x = arr(4, 3)
    pyts.jit.trace(f(pyts), pyts.from_numpy(x), check_trace=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.trace(f(torch), torch.from_numpy(x), check_trace=False)
    p, t = seen["pyts"], seen["torch"]
    assert p[0] == t[0] == "Tensor"
    assert str(p[1]) == "pyts.int64" and str(t[1]) == "torch.int64"
    assert p[2] == t[2] == "Size"
    assert p[3] == t[3] == 0
    assert p[4] == t[4] == "int"


# ---- modules ----
def flatten_net(L):
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(6, 2)

        def forward(self, x):
            return self.fc(x.view(x.size(0), -1))
    return Net()


def init_state_net(L):
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(3, 4)

        def forward(self, x):
            h = L.zeros(x.size(0), 4)
            return self.fc(x) + h
    return Net()


def kwarg_net(L):
    class Cell(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = L.nn.Linear(3, 3)

        def forward(self, x, h=None, scale=2.0):
            y = self.lin(x)
            if h is not None:
                y = y + h
            return L.tanh(y) * scale

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = Cell()
            self.lin = L.nn.Linear(3, 3)

        def forward(self, x, h):
            a = self.lin(input=x)
            b = self.cell(a, h=h)
            return self.cell(x=b)
    return Net()


def kwarg_none_result_net(L):
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = L.nn.MultiheadAttention(4, 2)

        def forward(self, x):
            y, _ = self.attn(x, x, x, need_weights=False)
            return y.reshape(y.size(0), -1)
    return Net()


# name -> (constructor, example shapes, second shapes)
MODULES = {
    "flatten": (flatten_net, [(4, 3, 2)], [(9, 3, 2)]),
    "init_state": (init_state_net, [(4, 3)], [(2, 3)]),
    "kwarg_calls": (kwarg_net, [(2, 3), (2, 3)], [(5, 3), (5, 3)]),
    "kwarg_none_result": (kwarg_none_result_net, [(3, 2, 4)], [(5, 3, 4)]),
}


def build_module(name, L):
    L.manual_seed(3)
    return MODULES[name][0](L).eval()


def module_inputs(name, L, which, seed):
    shapes = MODULES[name][1 if which == 0 else 2]
    return tuple(L.from_numpy(arr(*s, seed=seed + i)) for i, s in enumerate(shapes))


def trace_modules(name):
    mp, mt = build_module(name, pyts), build_module(name, torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp = pyts.jit.trace(mp, module_inputs(name, pyts, 0, 1))
        tt = torch.jit.trace(mt, module_inputs(name, torch, 0, 1))
    return mp, mt, tp, tt


@pytest.mark.parametrize("name", list(MODULES))
def test_module_graph_kinds_as_torch(name):
    _, _, tp, tt = trace_modules(name)
    assert kinds(tp.graph) == kinds(tt.graph)
    if name != "kwarg_none_result":
        # (inside MultiheadAttention pyts.nn.functional's ops differ from torch's: see KIND_DIFFS
        # in test_trace_layers.py; the call itself is compared above)
        assert kinds(tp.inlined_graph) == kinds(tt.inlined_graph)


@pytest.mark.parametrize("name", list(MODULES))
def test_module_runs_at_other_sizes_and_loads_in_torch(name, tmp_path):
    mp, mt, tp, _ = trace_modules(name)
    xp, xt = module_inputs(name, pyts, 1, 7), module_inputs(name, torch, 1, 7)
    with pyts.no_grad():
        np.testing.assert_allclose(tp(*xp).detach().numpy(), mp(*xp).detach().numpy(), rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "m.pt")
    pyts.jit.save(tp, path)
    with torch.no_grad():
        np.testing.assert_allclose(torch.jit.load(path)(*xt).detach().numpy(), mt(*xt).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_kwarg_calls_record_call_methods_as_torch():
    """self.lin(input=x), self.cell(a, h=h), self.cell(x=b): three CallMethods; the second call
    of cell is its own method forward1 taking only the tensors it was given"""
    _, _, tp, tt = trace_modules("kwarg_calls")
    assert kinds(tp.graph) == ["prim::GetAttr", "prim::GetAttr"] + ["prim::CallMethod"] * 3
    calls = lambda g: re.findall(r'CallMethod\[name="(\w+)"\]\(([^)]*)\)', str(g))  # noqa: E731
    strip = lambda cs: [(n, re.sub(r"%[\w.]+", "%v", a)) for n, a in cs]  # noqa: E731
    assert strip(calls(tp.graph)) == strip(calls(tt.graph))
    assert [n for n, _ in calls(tp.graph)] == ["forward", "forward", "forward1"]
    assert kinds(tp.cell.graph) == kinds(tt.cell.graph)


def test_same_submodule_called_twice_gets_forward1():
    def net(L):
        class Net(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = L.nn.Linear(3, 3)

            def forward(self, x, y):
                return self.lin(x) + self.lin(y)
        return Net()
    x = arr(2, 3)
    tp = pyts.jit.trace(net(pyts), (pyts.from_numpy(x), pyts.from_numpy(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.jit.trace(net(torch), (torch.from_numpy(x), torch.from_numpy(x)))
    assert tp.code == tt.code


# ---- TracerWarning: sizes turned into Python values ----
def warn_int(L):
    return lambda x: x.view(int(x.size(0)), -1)


def warn_bool(L):
    def f(x):
        if x.size(0) > 2:
            return x + 1
        return x
    return f


def warn_len(L):
    return lambda x: x.view(len(x), -1)


def warn_range(L):
    def f(x):
        out = x
        for _ in range(x.size(1)):
            out = out + 1
        return out
    return f


def no_warn_dim(L):
    return lambda x: x.view(x.dim(), -1)


WARN_CASES = {"int": warn_int, "bool": warn_bool, "len": warn_len, "range": warn_range, "dim": no_warn_dim}


def tracer_warnings(L, build):
    x = L.from_numpy(arr(4, 3))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        tr = L.jit.trace(build(L), x, check_trace=False)
    return tr, [str(m.message) for m in w if issubclass(m.category, L.jit.TracerWarning)]


@pytest.mark.parametrize("name", list(WARN_CASES))
def test_tracer_warnings_as_torch(name):
    tp, wp = tracer_warnings(pyts, WARN_CASES[name])
    tt, wt = tracer_warnings(torch, WARN_CASES[name])
    assert wp == wt
    # range() takes the size through __index__, which torch 2.13 does not warn about
    assert (name in ("dim", "range")) == (not wp)
    # the Python value is frozen: no size nodes survive (dead code elimination, as torch)
    assert kinds(tp.graph) == kinds(tt.graph)
    assert "aten::size" not in kinds(tp.graph)


def test_check_inputs_of_another_batch_size_pass():
    """check_inputs at other batch sizes re-run the trace without mismatch warnings (they were
    frozen sizes before)"""
    f = FUNCS["view_size0"][0]
    x, x2 = arr(4, 3, 2), arr(6, 3, 2, seed=2)
    for L in (pyts, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            tr = L.jit.trace(f(L), L.from_numpy(x), check_inputs=[(L.from_numpy(x2),)])
        assert not [m for m in w if issubclass(m.category, L.jit.TracerWarning)], L.__name__
        assert tuple(tr(L.from_numpy(x2)).shape) == (6, 6)


# ---- traced sizes inside multi-item indexing keys ----
INDEX_GRAPH_SAME = [n for n in FUNCS if n.startswith(("multi_", "lone_", "halves_"))]


@pytest.mark.parametrize("name", INDEX_GRAPH_SAME)
def test_index_bounds_graph_text_as_torch(name):
    """aten::Int of each traced bound sits right after the size's producer and feeds its
    aten::slice / aten::select, as in torch's graph (value numbers aside)"""
    tp, tt = trace_both(name)
    loose = lambda g: re.sub(r"%\d+", "%N", re.sub(r" # [^\n]*", " #", str(g)))  # noqa: E731
    assert loose(tp.graph) == loose(tt.graph)
    assert kinds(tp.graph).count("aten::Int") == kinds(tt.graph).count("aten::Int") >= 1


def test_full_slice_recorded_while_tracing_as_torch():
    """x[0:4, 1] on 4 rows: the full slice is still recorded while tracing (torch disables the
    slice shortcut when tracing), so later items keep their place"""
    f = lambda L: lambda x: x[0:4, x.size(1) - 2]  # noqa: E731
    x = arr(4, 3)
    tp = pyts.jit.trace(f(pyts), pyts.from_numpy(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.jit.trace(f(torch), torch.from_numpy(x))
    assert kinds(tp.graph) == kinds(tt.graph)
    assert tp.code.strip() == tt.code.strip()
    assert kinds(tp.graph).count("aten::slice") == 1 and "aten::Int" in kinds(tp.graph)
    x2 = arr(4, 5, seed=3)
    np.testing.assert_allclose(tp(pyts.from_numpy(x2)).detach().numpy(), x2[0:4, 3])


def test_index_error_while_tracing_leaves_no_bounds_behind():
    """an out-of-range traced index raises torch's IndexError (torch 2.13's message); the next
    trace records its own bounds only (nothing queued by the failed key leaks into it). torch is
    not traced here: its stash keeps the failed key's bounds and breaks its next trace."""
    bad = lambda x: x[:, x.size(1)]  # noqa: E731
    with pytest.raises(IndexError, match="^index 3 is out of bounds for dimension 1 with size 3$"):
        pyts.jit.trace(bad, pyts.from_numpy(arr(4, 3)))
    tp, tt = trace_both("multi_start_stop_int")
    assert kinds(tp.graph) == kinds(tt.graph)
    assert kinds(tp.graph).count("aten::Int") == 1


def test_index_with_tensor_items_keeps_traced_bounds():
    """an advanced (tensor) index next to a traced bound: the slice follows the size and the
    aten::index after it still runs at a second size (in pyts, torch.jit.load and pyts.jit.load)"""
    f = lambda L: lambda x: x[L.tensor([0, 2]), :x.size(0)]  # noqa: E731
    x, x2 = arr(3, 5), arr(4, 6, seed=2)
    tp = pyts.jit.trace(f(pyts), pyts.from_numpy(x))
    assert "aten::Int" in kinds(tp.graph) and "aten::index" in kinds(tp.graph)
    want = x2[[0, 2], :4]
    np.testing.assert_allclose(tp(pyts.from_numpy(x2)).detach().numpy(), want)


def index_net(L):
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(3, 2)

        def forward(self, x):
            half = x.size(1) // 2   # named in the trace as in torch's: the bound reads a local
            y = x * 2
            return self.fc(y[:, :half, 1:]) + x[:, half:, :2].sum(1, keepdim=True)
    return Net()


MODULES["index_bounds"] = (index_net, [(2, 4, 4)], [(3, 6, 4)])


@pytest.mark.parametrize("name", ["index_bounds"])
def test_index_module_as_torch_at_other_sizes(name, tmp_path):
    _, _, tp, tt = trace_modules(name)
    assert kinds(tp.graph) == kinds(tt.graph)
    assert tp.code.strip() == tt.code.strip()
    test_module_runs_at_other_sizes_and_loads_in_torch(name, tmp_path)
    mp = build_module(name, pyts)
    xp = module_inputs(name, pyts, 1, 7)
    path = str(tmp_path / "m.pt")
    pyts.jit.save(tp, path)
    with pyts.no_grad():
        np.testing.assert_allclose(pyts.jit.load(path)(*xp).detach().numpy(), mp(*xp).detach().numpy(), rtol=1e-5, atol=1e-6)


def set_half(L):
    def f(x):
        y = x.clone()
        y[:, :y.size(1) // 2] = 0
        return y
    return f


def set_rows_add(L):
    def f(x):
        y = x * 1
        n = y.size(0)
        y[0:4, y.size(1) - 1] = 2
        y[..., :n] += 1
        return y
    return f


def set_lone_stop(L):
    def f(x):
        y = x.clone()
        y[:y.size(0) - 1] = 1
        return y
    return f


SETITEM = {"set_half": (set_half, (4, 6), (3, 8)), "set_rows_add": (set_rows_add, (4, 6), (4, 7)),
           "set_lone_stop": (set_lone_stop, (4, 6), (6, 2))}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_bounds_follow_sizes_as_torch(name, tmp_path):
    """x[key] = v and x[key] += v record the traced bounds of their key too (getitem and setitem
    share torch's applySlicing), and the assigned-to local is named as torch names it"""
    build, shape, shape2 = SETITEM[name]
    x, x2 = arr(*shape), arr(*shape2, seed=4)
    tp = pyts.jit.trace(build(pyts), pyts.from_numpy(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.jit.trace(build(torch), torch.from_numpy(x))
    assert kinds(tp.graph) == kinds(tt.graph)
    assert "aten::Int" in kinds(tp.graph)
    assert tp.code.strip() == tt.code.strip()
    want = build(torch)(torch.from_numpy(x2)).numpy()
    np.testing.assert_allclose(tp(pyts.from_numpy(x2)).detach().numpy(), want)
    path = str(tmp_path / "s.pt")
    pyts.jit.save(tp, path)
    np.testing.assert_allclose(torch.jit.load(path)(torch.from_numpy(x2)).detach().numpy(), want)
    np.testing.assert_allclose(pyts.jit.load(path)(pyts.from_numpy(x2)).detach().numpy(), want)


def test_index_names_locals_as_torch():
    """y = x * 2; n = ...; y[:, :n]: the indexed tensor and the bound are named after their locals"""
    def f(x):
        y = x * 2
        n = x.size(1) // 2
        z = y[:, :n]
        return z.relu() + y[:, n:]
    x = arr(4, 6)
    tp = pyts.jit.trace(f, pyts.from_numpy(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.jit.trace(f, torch.from_numpy(x))
    assert tp.code.strip() == tt.code.strip()
    assert "y = torch.mul(" in tp.code and "n = torch.floor_divide(" in tp.code
