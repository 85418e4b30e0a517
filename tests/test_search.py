"""ops_search.def and the Tensor conveniences beyond the row cases: the same functions scripted
(pyts.jit.script resolves the rows by schema) against torch.jit.script, and views that must
share storage."""
import numpy as np
import pytest

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
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-7)
    else:
        assert p == t and type(p) is type(t)


def search_fn(x, y):
    v, i = torch.sort(x, dim=1, descending=True)
    s = x.sort(stable=True)
    tv, ti = torch.topk(x, 2, largest=False)
    kv, ki = x.kthvalue(2, 0)
    return (v, i, s[0], s[1], tv, ti, kv, ki, torch.argsort(x, 0), x.msort(),
            torch.isclose(x, y, atol=0.5), torch.allclose(x, x), torch.equal(x, y), torch.nonzero(x > 0),
            torch.count_nonzero(x > 0, 1), torch.count_nonzero(x, [0, 1]), (x[0, 0] > 0).is_nonzero())


def test_scripted_search():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-2, 2, (4, 5)).astype(np.float32), rng.uniform(-2, 2, (4, 5)).astype(np.float32)
    _same(*_both(search_fn, x, y))


def test_sort_named_results():
    x = pyts.tensor([[3.0, 1.0, 2.0]])
    r = x.sort()
    assert type(r).__name__ == "sort" and r.values.tolist() == [[1.0, 2.0, 3.0]] and r.indices.tolist() == [[1, 2, 0]]
    t = x.topk(1)
    assert type(t).__name__ == "topk" and t.values.tolist() == [[3.0]] and t.indices.tolist() == [[0]]


def named_results_fn(x):
    m = x.max(dim=0)
    s = torch.sort(x, descending=True)
    t = x.topk(2)
    return m.values, m.indices, s.values, s.indices, t.indices, torch.min(x, 1).values


def test_scripted_named_results():
    """r.values / r.indices of an op's named results, read in scripted code as in torch; the
    .code is torch's (the tuple unpacked into its items)"""
    rng = np.random.default_rng(6)
    _same(*_both(named_results_fn, rng.uniform(-2, 2, (4, 5)).astype(np.float32)))
    assert pyts.jit.script(named_results_fn).code == torch.jit.script(named_results_fn).code


def test_sort_gradient_flows_through_gather():
    x = pyts.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, _ = x.sort()
    (v * pyts.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def _arr(*shape):
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (3,), ()])
@pytest.mark.parametrize("attr", ["T", "mT", "H", "mH"])
def test_transpose_properties(attr, shape):
    a = _arr(*shape)
    p, t = pyts.from_numpy(a.copy()), torch.from_numpy(a.copy())
    try:
        want = getattr(t, attr)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e).split(".")[0]):
            getattr(p, attr)
        return
    got = getattr(p, attr)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    if got.numel():
        got.fill_(7.0)                     # a view: writes reach the base
        assert p.numpy().flat[0] == 7.0


def test_tensor_conveniences():
    a = _arr(2, 3)
    p, t = pyts.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert p.cpu() is p and t.cpu() is t
    assert p.nbytes == t.nbytes == 24
    for dt in ("uint8", "bool", "int8", "float32", "int64"):
        assert p.to(getattr(pyts, dt)).is_signed() == t.to(getattr(torch, dt)).is_signed(), dt
    assert pyts.is_tensor(p) and not pyts.is_tensor(3) and not pyts.is_tensor(a)
    assert pyts.numel(p) == torch.numel(t) == 6
    assert pyts.is_floating_point(p) and not pyts.is_floating_point(p.long())
    q = pyts.from_numpy(a.copy()).requires_grad_()
    np.testing.assert_array_equal(q.numpy(force=True), a)
    b = pyts.broadcast_to(p[:, :1], (2, 4))
    p[0, 0] = 9.0                          # broadcast_to is a view
    assert b[0, 3].item() == 9.0


def tile_clip_fn(x):
    return x.clip(-1.0, 1.0), torch.clip(x, max=0.5), x.tile([2]), torch.broadcast_to(x[:1], [3, 5])


def test_scripted_aliases():
    rng = np.random.default_rng(4)
    _same(*_both(tile_clip_fn, rng.uniform(-2, 2, (4, 5)).astype(np.float32)))


@pytest.mark.parametrize("other", [0.5, "tensor", "f64"])
def test_where_method(other):
    rng = np.random.default_rng(5)
    a, c = rng.uniform(-1, 1, (3, 4)).astype(np.float32), rng.uniform(-1, 1, (3, 4)) > 0
    o = {"tensor": rng.uniform(-1, 1, (4,)).astype(np.float32), "f64": rng.uniform(-1, 1, (1, 4))}.get(other, other)
    lib = lambda L: L.from_numpy(o.copy()) if isinstance(o, np.ndarray) else o  # noqa: E731
    p = pyts.from_numpy(a.copy()).where(pyts.from_numpy(c.copy()), lib(pyts))
    t = torch.from_numpy(a.copy()).where(torch.from_numpy(c.copy()), lib(torch))
    assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy())
    with pytest.raises(RuntimeError):
        pyts.from_numpy(a.copy()).where(pyts.from_numpy(c[:2].copy()), lib(pyts))
    with pytest.raises(RuntimeError):
        torch.from_numpy(a.copy()).where(torch.from_numpy(c[:2].copy()), lib(torch))
