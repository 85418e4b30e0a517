"""ops_shape2.def beyond the row cases: views that must share storage with their input (and
copies that must not), the Python-level variadic functions (meshgrid, cartesian_prod,
atleast_Nd), the meshgrid warning, vander's gradient, and the rows scripted and traced as torch
scripts and traces them."""
import re

import numpy as np
import pytest

import torch

import pyts


def _lib_pair(a):
    return pyts.from_numpy(a.copy()), torch.from_numpy(a.copy())


def _same(p, t):
    if isinstance(t, (tuple, list)):
        assert isinstance(p, (tuple, list)) and len(p) == len(t)
        for a, b in zip(p, t):
            _same(a, b)
    elif isinstance(t, torch.Tensor):
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(p.shape) == tuple(t.shape)
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-7)
    else:
        assert p == t and type(p) is type(t)


RNG = np.random.default_rng(7)
A = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
A3 = RNG.uniform(-2, 2, (2, 3, 4)).astype(np.float32)

# (name, f(L, x) -> result); whether the result shares x's storage is asked of torch
VIEW_FNS = [
    ("diagonal", lambda L, x: x.diagonal(1)),
    ("diagonal_3d", lambda L, x: L.diagonal(x.view(3, 2, 2), 0, 1, 2)),
    ("movedim", lambda L, x: L.movedim(x, 0, 1)),
    ("moveaxis_list", lambda L, x: x.moveaxis([0, 1], [1, 0])),
    ("ravel", lambda L, x: x.ravel()),
    ("ravel_t", lambda L, x: x.t().ravel()),
    ("atleast_3d", lambda L, x: L.atleast_3d(x)),
    ("tensor_split", lambda L, x: L.tensor_split(x, 2, 1)[1]),
    ("hsplit", lambda L, x: x.hsplit([1])[1]),
    ("vsplit", lambda L, x: L.vsplit(x, 3)[2]),
    ("meshgrid", lambda L, x: L.meshgrid(x[0], x[1, :2], indexing="ij")[1]),
    ("diag", lambda L, x: L.diag(x)),
    ("narrow_copy", lambda L, x: x.narrow_copy(0, 1, 1)),
    ("rot90", lambda L, x: L.rot90(x)),
    ("fliplr", lambda L, x: x.fliplr()),
    ("take", lambda L, x: x.take(L.tensor([0, 1]))),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(1)),
    ("diff_n0", lambda L, x: x.diff(0)),
]


@pytest.mark.parametrize("name,fn", VIEW_FNS, ids=[n for n, _ in VIEW_FNS])
def test_views_share_storage_as_torch(name, fn):
    px, tx = _lib_pair(A)
    py, ty = fn(pyts, px), fn(torch, tx)
    _same(py, ty)
    # an in-place change of the input shows in a view, not in a copy
    yp0, yt0 = py.clone(), ty.clone()
    px.add_(100.0)
    tx.add_(100.0)
    shared = not torch.equal(ty, yt0)
    assert (not pyts.equal(py, yp0)) == shared, f"{name}: torch view={shared}"
    _same(py, ty)
    if shared and name != "meshgrid":
        # and a write through the view shows in the input
        py.mul_(-1.0)
        ty.mul_(-1.0)
        _same(px, tx)


def test_diagonal_write_through():
    px, tx = _lib_pair(A3)
    for L, x in ((pyts, px), (torch, tx)):
        d = x.diagonal(-1, 2, 1)
        d.mul_(10.0)
        d[0, 0] = -5.0
    _same(px, tx)
    assert px.diagonal(offset=0, dim1=0, dim2=1).stride() == tx.diagonal(offset=0, dim1=0, dim2=1).stride()


def test_meshgrid_views_refuse_inplace_writes():
    # expanded outputs overlap themselves: torch refuses to write them in place
    for L in (pyts, torch):
        g = L.meshgrid(L.arange(3.0), L.arange(2.0), indexing="ij")
        assert g[0].stride() == (1, 0) and g[1].stride() == (0, 1)
        with pytest.raises(RuntimeError):
            g[0].add_(1.0)


def test_variadic_and_list_forms():
    px, tx = _lib_pair(A)
    for args in [(0,), (1,)]:
        del args
    _same(pyts.meshgrid(px[0], px[1], indexing="xy"), torch.meshgrid(tx[0], tx[1], indexing="xy"))
    _same(pyts.meshgrid([px[0], px[1]], indexing="ij"), torch.meshgrid([tx[0], tx[1]], indexing="ij"))
    _same(pyts.meshgrid((px[0],), indexing="xy"), torch.meshgrid((tx[0],), indexing="xy"))
    _same(pyts.cartesian_prod(px[0], px[1, :2]), torch.cartesian_prod(tx[0], tx[1, :2]))
    for n in ("atleast_1d", "atleast_2d", "atleast_3d"):
        p, t = getattr(pyts, n), getattr(torch, n)
        _same(p(px[0, 0]), t(tx[0, 0]))
        _same(p(px[0, 0], px[0]), t(tx[0, 0], tx[0]))
        _same(p([px[0, 0], px]), t([tx[0, 0], tx]))
        _same(p((px,)), t((tx,)))
        _same(p(), t())
    assert pyts.atleast_1d(px) is px and pyts.atleast_2d(px) is px   # returned as they are, as torch
    with pytest.raises(TypeError):
        pyts.cartesian_prod([px[0]])
    with pytest.raises(TypeError):
        torch.cartesian_prod([tx[0]])


def test_meshgrid_warns_once_without_indexing():
    import subprocess
    import sys
    code = ("import warnings, {L}\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    {L}.meshgrid({L}.ones(2), {L}.ones(3)); {L}.meshgrid({L}.ones(2), {L}.ones(3))\n"
            "    {L}.meshgrid({L}.ones(2), indexing='ij')\n"
            "print(len(w), w[0].category.__name__, str(w[0].message).split(' (Triggered')[0])\n")
    out = {}
    for L in ("pyts", "torch"):
        r = subprocess.run([sys.executable, "-c", code.format(L=L)], capture_output=True, text=True, timeout=120,
                           env={**__import__("os").environ})
        assert r.returncode == 0, r.stderr
        out[L] = r.stdout.strip()
    assert out["pyts"] == out["torch"]


def test_vander_gradient():
    # torch 2.13 cannot differentiate vander at all (its in-place cumprod trips the version check),
    # so the gradient is checked against the derivative of the powers
    a = RNG.uniform(-2, 2, (4,))
    for kw in ({}, {"N": 3, "increasing": True}, {"N": 5}, {"increasing": True}, {"N": 2}):
        n = kw.get("N", 4)
        p = pyts.from_numpy(a.copy()).requires_grad_()
        pv = pyts.vander(p, **kw)
        powers = np.arange(n) if kw.get("increasing") else np.arange(n)[::-1]
        np.testing.assert_allclose(pv.detach().numpy(), a[:, None] ** powers, rtol=1e-12)
        w = RNG.uniform(-1, 1, (4, n))
        (gp,) = pyts.autograd.grad([pv], [p], [pyts.from_numpy(w.copy())])
        expect = (w * powers * a[:, None] ** np.maximum(powers - 1, 0)).sum(1)
        np.testing.assert_allclose(gp.numpy(), expect, rtol=1e-10, atol=1e-12)
    with pytest.raises(RuntimeError):
        torch.vander(torch.ones(3, requires_grad=True)).sum().backward()   # still broken in torch?


def test_rot90_and_diagonal_double_backward():
    a = RNG.uniform(-2, 2, (3, 4))
    outs = []
    for L in (pyts, torch):
        x = L.from_numpy(a.copy()).requires_grad_()
        y = (L.rot90(x, 1, [1, 0]) ** 2).sum() + (x.diagonal(1) ** 3).sum() + (L.diag_embed(x) ** 2).sum()
        (g,) = L.autograd.grad([y], [x], create_graph=True)
        (h,) = L.autograd.grad([g.sum()], [x])
        outs.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-10)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-10)


# ---- scripted and traced ----

def shape2_fn(x, y):
    a, b = torch.meshgrid([x[0], y[0]], indexing="ij")
    parts = torch.tensor_split(x, 2, 1)
    return (torch.diag(x), x.diagonal(1), torch.diag_embed(x, 1), torch.diagflat(x[0]),
            torch.movedim(x, 0, 1), x.moveaxis([0, 1], [1, 0]), torch.ravel(x), x.narrow_copy(0, 1, 1),
            torch.rot90(x, 3, [0, 1]), torch.fliplr(x), x.flipud(), torch.atleast_3d(x), torch.atleast_2d([x, y]),
            torch.hstack([x, y]), torch.vstack([x, y]), torch.dstack([x, y]), torch.column_stack([x, y]),
            torch.row_stack([x, y]), parts[0], torch.hsplit(x, [1])[1], torch.vsplit(x, 3)[0],
            torch.take(x, torch.tensor([0, 5])), torch.take_along_dim(x, torch.argsort(x, 1), 1),
            x.repeat_interleave(2), torch.repeat_interleave(x, torch.tensor([1, 0, 2]), 0),
            torch.repeat_interleave(torch.tensor([2, 1])), torch.diff(x, 2, 0, append=y),
            torch.vander(x[0], 3), a + b, torch.cartesian_prod([x[0], y[0]]), torch.combinations(x[0], 2, True),
            torch.tril_indices(3, 4, -1), torch.triu_indices(3, 3))


def test_scripted_shape2():
    x = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
    y = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
    p = pyts.jit.script(shape2_fn)(pyts.from_numpy(x.copy()), pyts.from_numpy(y.copy()))
    t = torch.jit.script(shape2_fn)(torch.from_numpy(x.copy()), torch.from_numpy(y.copy()))
    _same(p, t)


def out_fn(x, o1, o2, o3, r):
    torch.diag_embed(x, 1, out=o1)
    torch.rot90(x, 1, [0, 1], out=o2)
    torch.repeat_interleave(r, out=o3)
    return o1, o2, o3


def test_scripted_hidden_out_rows():
    """diag_embed.out, rot90.out and repeat_interleave.Tensor_out: reachable from scripts only"""
    x = RNG.uniform(-2, 2, (2, 3)).astype(np.float32)
    res = []
    for L in (pyts, torch):
        args = (L.from_numpy(x.copy()), L.empty(0), L.empty(0), L.empty(0, dtype=L.int64), L.tensor([2, 0, 1]))
        res.append(L.jit.script(out_fn)(*args))
    _same(*res)


def code_fn(x):
    a, b = torch.meshgrid([x, x], indexing="xy")
    return torch.diag(x), torch.atleast_2d(x), torch.cartesian_prod([x, x]), torch.hstack([a, b]), x.repeat_interleave(2)


def test_scripted_code_matches_torch():
    assert pyts.jit.script(code_fn).code == torch.jit.script(code_fn).code


def _trace_fn(L):
    def trace_fn(x, i):
        return (L.diag(x), L.ravel(x), L.hstack([x, x]), L.atleast_2d(x),
                L.meshgrid(x, x, indexing="xy")[0], L.fliplr(x.view(2, 2)), x.repeat_interleave(2),
                L.diagonal(x.view(2, 2)), L.take(x, i), L.tensor_split(x, i, 0)[1])
    return trace_fn


def test_trace_records_the_rows():
    """the tracer records each composite row itself (aten::diag, aten::hstack...), not its inner ops"""
    x, i = np.arange(4, dtype=np.float32), np.array([1, 3])
    tp = pyts.jit.trace(_trace_fn(pyts), (pyts.from_numpy(x.copy()), pyts.from_numpy(i)))
    tt = torch.jit.trace(_trace_fn(torch), (torch.from_numpy(x.copy()), torch.from_numpy(i)))

    def kinds(g):
        return re.findall(r"aten::\w+", str(g))
    assert kinds(tp.graph) == kinds(tt.graph)
    assert "aten::diag" in kinds(tp.graph) and "aten::meshgrid" in kinds(tp.graph)
    i2 = np.array([0, 2])
    _same(tp(pyts.from_numpy(x + 1), pyts.from_numpy(i2)), tt(torch.from_numpy(x + 1), torch.from_numpy(i2)))
