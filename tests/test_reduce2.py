"""ops_reduce2.def beyond the row cases: the same functions scripted by both libraries (values
and .code), named results (aminmax, cummax, median), the Python faces (unique's result forms,
einsum's sublist form, tensordot's dims), and gradients through the composites."""
import numpy as np

import torch

import pyts


def _both(fn, *arrays):
    """fn scripted by both libraries, run on the same inputs"""
    p = pyts.jit.script(fn)(*[pyts.from_numpy(a.copy()) for a in arrays])
    t = torch.jit.script(fn)(*[torch.from_numpy(a.copy()) for a in arrays])
    return p, t


def _same(p, t):
    if isinstance(t, (tuple, list)):
        assert len(p) == len(t)
        for a, b in zip(p, t):
            _same(a, b)
    elif isinstance(t, torch.Tensor):
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(p.shape) == tuple(t.shape)
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    else:
        assert p == t and type(p) is type(t)


def reduce_fn(x, y):
    mn, mx = torch.aminmax(x, dim=1)
    c = x.cummax(0)
    s, m = torch.std_mean(x, 1)
    md = x.median(dim=1)
    return (torch.trace(x), x.nansum(1), torch.nanmean(x), mn, mx, c.values, c.indices, torch.cummin(x, 1)[1],
            x.logcumsumexp(1), torch.dist(x, y), s, m, md.values, md.indices, x.median(), torch.nanmedian(x),
            torch.quantile(x, 0.25, dim=0), x.nanquantile(0.5), torch.argwhere(x > 0), torch.var_mean(x, correction=0))


def contract_fn(x, y, v):
    return (torch.kron(x, y), torch.inner(x, y), torch.vdot(v, v), torch.addr(x, v[:4], v), torch.cross(x[:, :3], y[:, :3], dim=1),
            torch.trapezoid(x), torch.trapz(x, dx=0.5), torch.addbmm(x, x[:, :4].unsqueeze(0), y[:4].unsqueeze(0)),
            torch.einsum("ij,kj->ik", [x, y]), torch.einsum("ii", [x[:, :4]]), torch.block_diag([x, y]),
            torch.chain_matmul([x, y.t()]))


def count_fn(i, x, b):
    return (torch.bincount(i), i.bincount(minlength=10), torch.histc(x, 4), torch.bucketize(x, b, right=True),
            torch.searchsorted(b, x), torch.isin(i, i[:2]), torch._unique2(i)[0])


def _data(seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2, 2, (4, 5)).astype(np.float32), rng.uniform(-2, 2, (4, 5)).astype(np.float32)


def test_scripted_reductions():
    x, y = _data(1)
    _same(*_both(reduce_fn, x, y))


def test_scripted_contractions():
    x, y = _data(2)
    _same(*_both(contract_fn, x, y, np.arange(5, dtype=np.float32)))


def test_scripted_counting():
    i = np.array([1, 3, 3, 0, 7, 7, 2], dtype=np.int64)
    x = np.linspace(-1, 1, 7).astype(np.float32)
    _same(*_both(count_fn, i, x, np.array([-0.5, 0.0, 0.5], dtype=np.float32)))


def test_scripted_code_is_torchs():
    for fn in (reduce_fn, contract_fn, count_fn):
        assert pyts.jit.script(fn).code == torch.jit.script(fn).code


def test_named_results():
    x = pyts.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    r = x.aminmax(dim=1)
    assert type(r).__name__ == "aminmax" and r.min.tolist() == [1.0, 0.0] and r.max.tolist() == [3.0, 5.0]
    c = pyts.cummax(x, 1)
    assert type(c).__name__ == "cummax" and c.values.tolist() == [[3.0, 3.0, 3.0], [0.0, 5.0, 5.0]]
    assert c.indices.tolist() == [[0, 0, 0], [0, 1, 1]]
    m = x.median(1)
    assert type(m).__name__ == "median" and m.values.tolist() == [2.0, 4.0] and m.indices.tolist() == [2, 2]


def test_unique_result_forms():
    x = pyts.tensor([3, 1, 3, 2])
    assert x.unique().tolist() == [1, 2, 3]
    out, inv = pyts.unique(x, return_inverse=True)
    assert inv.tolist() == [2, 0, 2, 1]
    out, cnt = x.unique(return_counts=True)
    assert cnt.tolist() == [1, 1, 2]
    assert len(pyts.unique(x, True, True, True)) == 3
    assert x.unique_consecutive(return_counts=True)[1].tolist() == [1, 1, 1, 1]


def test_einsum_forms_and_tensordot_dims():
    a, b = np.random.default_rng(4).uniform(-1, 1, (2, 3, 4)), np.random.default_rng(5).uniform(-1, 1, (4, 3))
    for L in (pyts, torch):
        A, B = L.from_numpy(a), L.from_numpy(b)
        r = [L.einsum("bij,jk->bik", A, B), L.einsum(A, [0, 1, 2], B, [2, 1], [0]), L.tensordot(A, B, ([1, 2], [1, 0])),
             L.tensordot(A, B, dims=L.tensor([[2], [0]]))]
        if L is pyts:
            p = [t.numpy() for t in r]
        else:
            for got, want in zip(p, r):
                np.testing.assert_allclose(got, want.numpy(), rtol=1e-12)


def test_gradients_through_einsum_and_quantile():
    a = np.random.default_rng(6).uniform(-1, 1, (3, 4))
    grads = []
    for L in (pyts, torch):
        x = L.from_numpy(a.copy()).requires_grad_()
        (L.einsum("ij,ij->", x, x) + L.quantile(x, 0.3, dim=1).sum() + x.logcumsumexp(0).sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_out_arguments_of_python_faces():
    for L in (pyts, torch):
        a, b = L.ones(2, 3), L.ones(3, 2)
        o1, o2 = L.empty(0), L.empty(0)
        r1 = L.tensordot(a, b, 1, out=o1)
        with __import__("warnings").catch_warnings():
            __import__("warnings").simplefilter("ignore")
            r2 = L.chain_matmul(a, b, out=o2)
        assert r1 is o1 and r2 is o2 and o1.tolist() == [[3.0, 3.0], [3.0, 3.0]] and o2.tolist() == o1.tolist()
