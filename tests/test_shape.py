"""Behaviour of the shape rows beyond values: views share storage and report PyTorch's strides,
identity results, tuple results, overload binding, in-place returns; random view chains against
NumPy (values) and PyTorch (strides, offsets, which views are legal, writes through views)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
import oracle
from oracle import T_pyts, T_torch, assert_same, rand

import pyts

torch = pytest.importorskip("torch")
cases_shape = __import__("importlib").import_module("cases.cases_shape")


def _flags():
    return {r[0]: r[3] for r in pyts._C._ops()}


VIEW_CALLS = {
    "VIEW": lambda x: x.view(6, 2),
    "SQUEEZE": lambda x: x.unsqueeze(0).squeeze(),
    "SQUEEZE_DIM": lambda x: x.squeeze(0),
    "SQUEEZE_DIMS": lambda x: x.squeeze((0, 1)),
    "UNSQUEEZE": lambda x: x.unsqueeze(1),
    "PERMUTE": lambda x: x.permute(1, 0),
    "TRANSPOSE_INT": lambda x: x.transpose(0, 1),
    "T": lambda x: x.t(),
    "EXPAND": lambda x: x[:1].expand(5, 4),
    "SELECT_INT": lambda x: x.select(1, 2),
    "SLICE_TENSOR": lambda x: x[1:],
    "ALIAS": lambda x: x[...],
    "DETACH": lambda x: x.detach(),
    "SPLIT_TENSOR": lambda x: x.split(2)[1],
    "SPLIT_WITH_SIZES": lambda x: x.split_with_sizes([1, 2])[1],
    "UNBIND_INT": lambda x: x.unbind(1)[3],
}


def _write_first(y, v):
    """y[0, ..., 0] = v through __setitem__"""
    y[(0,) * y.dim() if y.dim() else ...] = v


def test_view_rows_share_storage():
    flags = _flags()
    shape_rows = set(oracle.load_cases())  # rows of every topic; keep the VIEW ones listed here
    view_rows = {k for k in shape_rows if k in flags and flags[k] & 16}
    assert set(VIEW_CALLS) <= view_rows
    assert not (view_rows - set(VIEW_CALLS)) & set(cases_shape.CASES), "untested view row"
    for row, call in VIEW_CALLS.items():
        x = pyts.from_numpy(rand(3, 4))
        y = call(x)
        _write_first(y, 123.0)
        assert 123.0 in x.view(-1).tolist(), row


def test_composites_are_views_or_copies_like_torch():
    data = rand(3, 4)
    for f in [lambda x: x.reshape(12), lambda x: x.t().reshape(12), lambda x: x.flatten(),
              lambda x: x.contiguous(), lambda x: x.t().contiguous(), lambda x: x.narrow(1, 1, 2),
              lambda x: x.unflatten(1, (2, 2)), lambda x: x.view_as(x), lambda x: x.chunk(2, 1)[1],
              lambda x: x.swapaxes(0, 1), lambda x: x.expand_as(x), lambda x: x.clone(),
              lambda x: x.repeat(1, 1), lambda x: x.split([2, 1])[0], lambda x: x.t().flip(0)]:
        res = []
        for T in (T_pyts, T_torch):
            x = T(data.copy())
            y = f(x)
            _write_first(y, 50.0)
            res.append((x.tolist(), tuple(y.stride()), y.storage_offset()))
        assert res[0] == res[1]


def test_identity_results():
    x = pyts.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.flatten(1, 1) is x        # ATen returns self itself
    assert x.contiguous() is x
    assert x.view(2, 2) is not x
    assert x[...] is not x


def test_tuple_results_and_split_binding():
    x = pyts.from_numpy(rand(3, 4))
    for r in (x.split(2), x.split([1, 2]), x.chunk(2), x.unbind(), pyts.split(x, [2, 1]),
              x.split_with_sizes([3])):
        assert type(r) is tuple
    assert [p.shape[0] for p in x.split([1, 2])] == [1, 2]
    assert [p.shape[1] for p in x.split(3, 1)] == [3, 1]


def test_inplace_and_out_return_their_target():
    x = pyts.from_numpy(rand(3, 3))
    assert x.tril_() is x and x.triu_(1) is x
    assert x.scatter_(0, pyts.tensor([[0]]), 1.0) is x
    assert x.index_put_((pyts.tensor([0]),), pyts.tensor(2.0)) is x
    out = pyts.from_numpy(rand(6))
    assert pyts.cat([x[0], x[1]], out=out) is out


def test_hidden_rows_not_bound():
    flags = _flags()
    for row in ("SIZE_INT", "DIM", "NUMEL", "SLICE_TENSOR", "ALIAS", "INDEX_TENSOR"):
        assert flags[row] & 32, row
    assert not hasattr(pyts, "slice") and not hasattr(pyts, "alias")
    assert "size.int(Tensor self, int dim) -> int" in [r[1] for r in pyts._C._ops()]


def test_exact_messages():
    x = pyts.from_numpy(rand(3, 4))
    cases = [
        (lambda: x.view(-1, -1), "only one dimension can be inferred"),
        (lambda: x.expand(2, 3, 5), "The expanded size of the tensor (5) must match the existing size (4) "
                                    "at non-singleton dimension 2.  Target sizes: [2, 3, 5].  Tensor sizes: [3, 4]"),
        (lambda: pyts.cat([x, pyts.from_numpy(rand(3, 3))]),
         "Sizes of tensors must match except in dimension 0. Expected size 4 but got size 3 for tensor number 1 in the list."),
        (lambda: x.split([1, 1]), "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size "
                                  "at dimension 0), but got split_sizes=[1, 1]"),
        (lambda: x.select(0, 5), "select(): index 5 out of range for tensor of size [3, 4] at dimension 0"),
        (lambda: x.permute(0, 0), "permute(): duplicate dims are not allowed."),
        (lambda: x.unflatten(1, (3, 2)), "unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 1 "
                                         "(4) in the input tensor"),
        (lambda: x.index_put_((pyts.tensor([0]),), pyts.tensor([1])),
         "Index put requires the source and destination dtypes match, got Float for the destination and Long for the source."),
    ]
    for f, msg in cases:
        with pytest.raises(Exception) as ei:
            f()
        assert str(ei.value) == msg


def test_large_inputs_match_torch():
    data = rand(64, 33)
    for f in [lambda L, x: x.repeat(3, 1, 2), lambda L, x: L.cat([x, x.t()[:33, :33]], 0),
              lambda L, x: x.roll((5, -7), (0, 1)), lambda L, x: x.flip(1).tril(3),
              lambda L, x: x.t()[::3, 1::4], lambda L, x: x[[3, 60, 7]][:, [0, 32]],
              lambda L, x: x.gather(1, x.new_index), lambda L, x: x.index_put_((x.new_index, x.new_index), x.clone(),
                                                                             accumulate=True)]:
        res = []
        for L, T in ((pyts, T_pyts), (torch, T_torch)):
            x = T(data.copy())
            x.new_index = T(np.random.default_rng(5).integers(0, 33, (64, 33)))
            res.append(f(L, x))
        assert_same(*res)


# ---------------- random view chains ----------------

OPS = ["permute", "transpose", "slice", "select", "view", "reshape", "unsqueeze", "squeeze", "expand", "flip_copy"]


@st.composite
def chains(draw):
    nd = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd)))
    steps = draw(st.lists(st.tuples(st.sampled_from(OPS), st.randoms(use_true_random=False)), max_size=6))
    return shape, steps


def _factor_shape(n, rnd):
    """a random shape with n elements"""
    out = []
    while n > 1 and len(out) < 4:
        divs = [d for d in range(2, n + 1) if n % d == 0]
        d = rnd.choice(divs)
        out.append(d)
        n //= d
    if n > 1:   # four factors taken and some left: the last one takes the rest
        out[-1] *= n
    if rnd.random() < 0.3:
        out.insert(rnd.randrange(len(out) + 1), 1)
    return out or [1]


def _step(op, rnd, t, a, L):
    """apply one op to torch tensor t, numpy array a and return the call as (fn, np_result)"""
    nd = t.dim()
    if op == "permute" and nd:
        p = list(range(nd))
        rnd.shuffle(p)
        return lambda x: x.permute(*p), np.transpose(a, p)
    if op == "transpose" and nd:
        i, j = rnd.randrange(nd), rnd.randrange(nd)
        return lambda x: x.transpose(i, j), np.swapaxes(a, i, j)
    if op == "slice" and nd:
        d = rnd.randrange(nd)
        n = a.shape[d]
        s0, s1, step = rnd.randrange(-n - 1, n + 2), rnd.randrange(-n - 1, n + 2), rnd.randrange(1, 4)
        key = (slice(None),) * d + (slice(s0, s1, step),)
        return lambda x: x[key], a[key]
    if op == "select" and nd and all(s > 0 for s in a.shape):
        d = rnd.randrange(nd)
        i = rnd.randrange(-a.shape[d], a.shape[d])
        return lambda x: x.select(d, i), np.take(a, i, axis=d)
    if op in ("view", "reshape"):
        shape = _factor_shape(a.size, rnd) if a.size else [0, rnd.randrange(1, 3)]
        return (lambda x: getattr(x, op)(*shape)), a.reshape(shape)
    if op == "unsqueeze" and nd < 5:
        d = rnd.randrange(-nd - 1, nd + 1)
        return lambda x: x.unsqueeze(d), np.expand_dims(a, d if d >= 0 else nd + 1 + d)
    if op == "squeeze":
        return lambda x: x.squeeze(), a.squeeze()
    if op == "expand" and nd < 5:
        shape = [2] + [s if s != 1 else rnd.choice([1, 3]) for s in a.shape]
        return lambda x: x.expand(*shape), np.broadcast_to(a, shape)
    if op == "flip_copy" and nd:
        d = rnd.randrange(nd)
        return lambda x: x.flip(d), np.flip(a, d)
    return None


@given(chains())
def test_random_view_chains(chain):
    shape, steps = chain
    base = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    px, tx = T_pyts(base.copy()), T_torch(base.copy())
    p, t, a = px, tx, base
    for op, rnd in steps:
        s = _step(op, rnd, t, a, None)
        if s is None:
            continue
        fn, a2 = s
        try:
            t2 = fn(t)
        except RuntimeError:
            with pytest.raises(RuntimeError):  # view() refuses exactly when torch does
                fn(p)
            continue
        p2 = fn(p)
        p, t, a = p2, t2, a2
        assert tuple(p.shape) == tuple(t.shape) == a.shape
        assert tuple(p.stride()) == tuple(t.stride()), op
        assert p.storage_offset() == t.storage_offset(), op
        np.testing.assert_array_equal(p.detach().numpy(), a)
    # writes through the chain land in the same places of the base tensor
    if t.numel() and all(st_ != 0 for st_ in t.stride()):
        t[...] = -1.0
        p[...] = -1.0
        assert px.tolist() == tx.tolist()
