"""Tensor indexing in scripted code, against torch.jit.script: reads with ints, slices, None,
'...', lists and tensors (aten::index), writes `x[...] = v` (aten::copy_ into the view, or
aten::index_put_) and `x[...] op= v`, lowered as torch lowers them, so .code is torch's text.
Also the calls that pack trailing ints into a list (x.view(-1), torch.zeros(3)), torch.tensor(...),
Tensor.new_* and `torch.dtype` annotations."""
import types
from typing import List, Optional, Tuple

import numpy as np
import pytest
import torch

import pyts
import pyts.jit

CompileError = pyts.jit.CompileError


def _for(fn, lib):
    g = dict(fn.__globals__)
    g["torch"] = lib
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__)


def _np(v):
    if isinstance(v, (tuple, list)):
        return [_np(a) for a in v]
    return v.detach().numpy() if isinstance(v, torch.Tensor) else v.numpy()


def _check(fn, make_args):
    """pyts's .code is torch's; results (values and dtypes, and the inputs mutated in place) agree."""
    ps, ts = pyts.jit.script(_for(fn, pyts)), torch.jit.script(_for(fn, torch))
    assert ps.code == ts.code
    pa, ta = make_args(pyts), make_args(torch)
    got, want = _np(ps(*pa)), _np(ts(*ta))
    for g, w in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)
    for p, t in zip(pa, ta):
        if isinstance(t, torch.Tensor):
            np.testing.assert_array_equal(_np(p), _np(t))
    return ps, ts


# ---------------------------------------------------------------- reads
def read_basic(x: torch.Tensor, a: int, b: int):
    return x[a + 1:b * 2, b - 1, ..., a * 2], x[..., 1, None], x[..., None, 1], x[None, ..., 0], x[1, ..., None, 0], x[-1]


def read_advanced(x: torch.Tensor, m: torch.Tensor, idx: List[int]):
    return x[m], x[1:, [0, 2]], x[idx], x[m, 0], x[None, m], x[:, torch.tensor([2, 0])], x[x > 3]


def test_reads_basic_and_advanced():
    _check(read_basic, lambda L: (L.arange(120.0).reshape(2, 3, 4, 5), 0, 2))
    _check(read_advanced, lambda L: (L.arange(6.0).reshape(2, 3), L.tensor([True, False]), [1, 0, 1]))


def test_read_graph_is_aten_index_with_none_for_untouched_dims():
    ps, _ = _check(read_advanced, lambda L: (L.arange(6.0).reshape(2, 3), L.tensor([False, True]), [0]))
    kinds = [n.kind() for n in ps.graph.nodes()] if hasattr(ps.graph, "nodes") else None
    text = str(ps.graph)
    assert "aten::index(" in text and "Tensor?[] = prim::ListConstruct(" in text
    assert kinds is None or "aten::index" in kinds


# ---------------------------------------------------------------- writes
def write_all(x: torch.Tensor, y: torch.Tensor, i: int):
    x[0, 1:] = 3.0
    x[x > 5] = 0.0
    x[i] = y
    x[..., None, 1] = y[0]
    x[[0, 1]] = 1
    x[:, torch.tensor([0])] = -2
    x[0:2, 0] += 2
    x[..., 2] *= 3
    return x


def write_int_tensor(x: torch.Tensor, m: torch.Tensor):
    x[m] += 1
    x[1, m] = 7
    x[0] -= 2
    return x


def test_writes_copy_into_the_view_or_index_put():
    _check(write_all, lambda L: (L.arange(6.0).reshape(2, 3), L.tensor([7.0, 8.0, 9.0]), 1))
    _check(write_int_tensor, lambda L: (L.arange(9).reshape(3, 3), L.tensor([True, False, True])))


def test_number_written_takes_the_views_dtype():
    def f(x: torch.Tensor):
        x[0] = 2.7
        x[1] = True
        return x
    _check(f, lambda L: (L.zeros(2, 2, dtype=L.int32),))


def test_writes_run_in_loops_and_keep_aliasing():
    def f(n: int):
        out = torch.zeros(n, 3)
        for i in range(n):
            row = out[i]
            row[:] = float(i)
            out[i, i % 3] += 10
        return out
    _check(f, lambda L: (4,))


def test_write_of_a_wrong_value_is_a_compile_error():
    def f(x: torch.Tensor):
        x[0] = "a"
        return x
    with pytest.raises(CompileError, match="a tensor element can only be assigned a Tensor, int, float or bool, not str") as e:
        pyts.jit.script(f)
    assert 'x[0] = "a"' in str(e.value) and "^" in str(e.value)


def test_ellipsis_then_tensor_index_is_torchs_error():
    def f(x: torch.Tensor, m: torch.Tensor):
        return x[..., m]
    with pytest.raises(Exception, match="Ellipses followed by tensor indexing is currently not supported"):
        torch.jit.script(f)
    with pytest.raises(CompileError, match="Ellipses followed by tensor indexing is currently not supported"):
        pyts.jit.script(_for(f, pyts))


def test_bad_index_type_is_a_compile_error():
    def f(x: torch.Tensor):
        return x["a"]
    with pytest.raises(CompileError, match="indexing tensor with unsupported index type 'str'"):
        pyts.jit.script(_for(f, pyts))


def test_runtime_index_errors_are_python_exceptions():
    def f(x: torch.Tensor, i: int):
        x[i] = 1.0
        return x[i]
    ps = pyts.jit.script(_for(f, pyts))
    with pytest.raises(IndexError):
        ps(pyts.zeros(2), 5)


# ---------------------------------------------------------------- archives
def test_archives_go_both_ways(tmp_path):
    ps, ts = _check(write_all, lambda L: (L.arange(6.0).reshape(2, 3), L.tensor([7.0, 8.0, 9.0]), 0))
    pyts.jit.save(ps, str(tmp_path / "p.pt"))
    torch.jit.save(ts, str(tmp_path / "t.pt"))
    in_torch, in_pyts = torch.jit.load(str(tmp_path / "p.pt")), pyts.jit.load(str(tmp_path / "t.pt"))
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    y = np.array([7.0, 8.0, 9.0], np.float32)
    want = ts(torch.tensor(x), torch.tensor(y), 1).numpy()
    np.testing.assert_array_equal(in_torch(torch.tensor(x), torch.tensor(y), 1).detach().numpy(), want)
    np.testing.assert_array_equal(in_pyts(pyts.tensor(x), pyts.tensor(y), 1).detach().numpy(), want)


# ---------------------------------------------------------------- int lists, torch.tensor, new_*, dtype
def packs(x: torch.Tensor):
    s = torch.zeros(3)
    for row in x:
        s = s + row
    return (s, x.view(-1), x.view(3, 2), x.permute(1, 0), x.repeat(2, 1), x.reshape(-1), x.expand(2, 2, 3),
            torch.ones(2), x.new_zeros(2, 3), x.new_ones(1), x.new_full([2], 4))


def literals(x: torch.Tensor, d: torch.dtype):
    return (torch.tensor([[1.0, 2.0], [3.0, 4.0]]) + torch.tensor(3), torch.tensor([True, False]),
            torch.tensor(2.5, dtype=torch.float64), torch.tensor([1, 2], dtype=d), x.to(d), torch.tensor([[0, 1]]))


def test_trailing_ints_pack_into_a_list_and_tensor_literals():
    _check(packs, lambda L: (L.arange(6.0).reshape(2, 3),))
    _check(literals, lambda L: (L.ones(2), L.float64))


def test_tensor_literal_of_a_ragged_list_fails_at_run_time_as_torch():
    def f(n: int):
        return torch.tensor([[1.0, 2.0], [3.0] * n])
    for lib in (pyts, torch):
        g = lib.jit.script(_for(f, lib))
        assert g(2).shape == (2, 2)
        with pytest.raises(RuntimeError, match="Expected sequence of length 2 at dim 1 \\(got 1\\)"):
            g(1)


def test_annotated_list_literals_take_the_annotated_element_type():
    def f(x: torch.Tensor):
        a: List[Optional[int]] = [1, None]
        b = torch.jit.annotate(List[Optional[Tensor]], [x, None])
        c: List[float] = [1.5]
        return len(a) + len(b), a[0], c
    ns = {"List": List, "Optional": Optional, "Tensor": torch.Tensor}
    for lib in (pyts, torch):
        g = _for(f, lib)
        g.__globals__.update(ns)
        assert lib.jit.script(g)(lib.ones(1)) == (4, 1, [1.5])
    def bad(x: torch.Tensor):
        a: List[int] = [1, 2.5]
        return a
    with pytest.raises(CompileError, match="List type annotation `List\\[int\\]` did not match the types of the given "
                                           "list elements, which were unified to Union\\[float, int\\]"):
        pyts.jit.script(_for(bad, pyts))


def test_tuple_items_are_tuple_index_as_torch():
    def f(t: Tuple[int, str, float], x: torch.Tensor):
        a = t[1]
        b = t[-1]
        c = (x, x + 1)[0]
        return a, b, c
    ns = {"Tuple": Tuple}
    p, q = _for(f, pyts), _for(f, torch)
    p.__globals__.update(ns)
    q.__globals__.update(ns)
    ps, ts = pyts.jit.script(p), torch.jit.script(q)
    assert ps.code == ts.code
    assert "prim::TupleIndex" in str(ps.graph) and "prim::TupleUnpack" not in str(ps.graph)
    assert ps((1, "s", 2.5), pyts.ones(1))[:2] == ("s", 2.5)


def test_a_number_written_goes_through_float_as_torch():
    def f(x: torch.Tensor, y: torch.Tensor, i: int):
        a = y.item()
        x[0, i] = a * 2 + 1
        return x
    _check(f, lambda L: (L.zeros(2, 2), L.tensor([1.25]), 1))
