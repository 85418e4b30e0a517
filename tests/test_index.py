"""Tensor.__getitem__ / __setitem__ / __iter__ against PyTorch 2.13: a table of keys compared on
values, dtype, shape, whether the result shares the input's storage (basic indexing gives views,
advanced indexing copies), error class and message."""
import numpy as np
import pytest
import oracle
from oracle import T_pyts, T_torch, assert_same, rand

import pyts

torch = pytest.importorskip("torch")

LIBS = [(pyts, T_pyts), (torch, T_torch)]


def I(*xs):  # noqa: E743
    return np.array(xs, dtype=np.int64)


def mask(*shape, seed=3):
    return np.random.default_rng(seed).random(shape) < 0.5


# (input shape, key builder T -> key). Index tensors are made with T so each library gets its own.
GET_KEYS = [
    ((3, 4), lambda T: 0),
    ((3, 4), lambda T: -1),
    ((3, 4), lambda T: 3),
    ((3, 4), lambda T: -4),
    ((3, 4), lambda T: slice(None)),
    ((3, 4), lambda T: slice(1, 3)),
    ((3, 4), lambda T: slice(None, None, 2)),
    ((3, 4), lambda T: slice(-2, None)),
    ((3, 4), lambda T: slice(10, 20)),
    ((3, 4), lambda T: slice(0, 3)),
    ((3, 4), lambda T: slice(None, None, -1)),
    ((3, 4), lambda T: slice(None, None, 0)),
    ((3, 4), lambda T: (0, 1)),
    ((3, 4), lambda T: (slice(None), 1)),
    ((3, 4), lambda T: (slice(None), slice(1, None, 2))),
    ((3, 4), lambda T: (Ellipsis, 0)),
    ((3, 4), lambda T: (0, Ellipsis)),
    ((3, 4), lambda T: (Ellipsis, 5)),
    ((3, 4), lambda T: Ellipsis),
    ((3, 4), lambda T: (Ellipsis, Ellipsis)),
    ((3, 4), lambda T: None),
    ((3, 4), lambda T: (None, 0)),
    ((3, 4), lambda T: (0, None, slice(1, 3))),
    ((3, 4), lambda T: (Ellipsis, None)),
    ((3, 4), lambda T: True),
    ((3, 4), lambda T: False),
    ((3, 4), lambda T: (True, 0)),
    ((3, 4), lambda T: (0, False)),
    ((3, 4), lambda T: (slice(0, 3),)),
    ((3, 4), lambda T: (0, 0, 0)),
    ((3, 4), lambda T: 1.5),
    ((3, 4), lambda T: "a"),
    ((3, 4), lambda T: [0, 2]),
    ((3, 4), lambda T: [-1]),
    ((3, 4), lambda T: []),
    ((3, 4), lambda T: [0.0, 1.9]),
    ((3, 4), lambda T: [[0, 1], [1, 2]]),
    ((3, 4), lambda T: [True, False, True]),
    ((3, 4), lambda T: ([0, 1], slice(None))),
    ((3, 4), lambda T: (slice(None), [3, 0])),
    ((3, 4), lambda T: np.int64(2)),
    ((3, 4), lambda T: I(2, 1)),
    ((3, 4), lambda T: np.array([[0, 1], [1, 0]])),                 # an ndarray is one index
    ((3, 4), lambda T: range(2)),
    ((3, 4), lambda T: 2**70),
    ((3, 4), lambda T: slice(2**70, None)),
    ((3, 4), lambda T: ([0, 1], [[0], [1]])),
    ((3, 4), lambda T: [T(I(0, 1)), T(I(1, 2))]),                   # a list of tensors is a tuple
    ((3, 4), lambda T: [0, slice(None), 1]),
    ((3, 4), lambda T: {0: 1}),
    ((3, 4), lambda T: T(I(2, 0, 2))),
    ((3, 4), lambda T: T(np.array([2, 0], np.int32))),
    ((3, 4), lambda T: T(I(0, 1, 2, 0).reshape(2, 2))),
    ((3, 4), lambda T: T(I(1))),
    ((3, 4), lambda T: T(np.array(1))),
    ((3, 4), lambda T: (slice(None), T(np.array(-1)))),
    ((3, 4), lambda T: T(np.array(True))),
    ((3, 4), lambda T: T(np.array(False))),
    ((3, 4), lambda T: T(np.array(1, np.uint8))),
    ((3, 4), lambda T: T(mask(3, 4))),
    ((3, 4), lambda T: T(mask(3))),
    ((3, 4), lambda T: (Ellipsis, T(mask(4)))),
    ((3, 4), lambda T: T(mask(3, 4).astype(np.uint8))),
    ((3, 4), lambda T: T(mask(2))),
    ((3, 4), lambda T: T(I(3))),
    ((3, 4), lambda T: T(I(-4))),
    ((3, 4), lambda T: T(np.array([1.0]))),
    ((3, 4), lambda T: (T(I(0)), T(I(0, 1, 2)))),
    ((3, 4), lambda T: (T(I(0, 1)), T(I(0, 1, 2)))),
    ((3, 4), lambda T: (T(I(0, 2).reshape(2, 1)), T(I(1, 3)))),
    ((2, 3, 4), lambda T: (T(I(0, 1)), slice(None), T(I(1, 3)))),   # separated: dims go first
    ((2, 3, 4), lambda T: (slice(None), T(I(0, 2)), T(I(1, 3)))),   # adjacent: stay in place
    ((2, 3, 4), lambda T: (T(I(1)), None, T(I(0)))),
    ((2, 3, 4), lambda T: (T(I(1, 0)), 1)),
    ((2, 3, 4), lambda T: (0, T(I(1, 0)), slice(1, 3))),
    ((2, 3, 4), lambda T: (T(mask(2, 3)), 0)),
    ((2, 3, 4), lambda T: (T(mask(2, 3)), slice(None, None, 2))),
    ((2, 3, 4), lambda T: (Ellipsis, T(I(0, 3)))),
    ((2, 3, 4), lambda T: (None, Ellipsis, 0, None)),
    ((2, 3, 4), lambda T: (1, slice(None), T(I(2)), None)),
    ((), lambda T: Ellipsis),
    ((), lambda T: None),
    ((), lambda T: 0),
    ((), lambda T: True),
    ((), lambda T: False),
    ((), lambda T: (None, None)),
    ((), lambda T: T(np.array(True))),
    ((), lambda T: slice(None)),
    ((0, 3), lambda T: 0),
    ((0, 3), lambda T: (slice(None), 1)),
    ((0, 3), lambda T: T(mask(0, 3))),
    ((0, 3), lambda T: T(I())),
    ((5,), lambda T: slice(-100, 100, 3)),
]


def _shares(y, x):
    """y's first element lies inside x's memory (a view); false for copies"""
    if y.numel() == 0 or x.numel() == 0:
        return None
    lo = x.data_ptr()
    return lo <= y.data_ptr() < lo + x.numel() * x.element_size()


def _run(f):
    try:
        return f(), None
    except Exception as e:  # noqa: BLE001
        return None, e


def _msg(e):
    return str(e).replace("torch.", "pyts.")


def _compare_errors(te, pe):
    if te is None:
        assert pe is None, f"pyts raised {type(pe).__name__}: {pe}"
        return False
    assert pe is not None, f"torch raised {type(te).__name__}: {te}; pyts did not"
    assert type(pe) is type(te) or isinstance(pe, type(te).__mro__[1]), (te, pe)
    assert _msg(pe) == _msg(te)
    return True


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("shape,key", GET_KEYS, ids=[f"get{i}" for i in range(len(GET_KEYS))])
def test_getitem(shape, key, layout):
    data = rand(*shape)
    out = {}
    for L, T in LIBS:
        # a transposed input has other strides, which aten::index's result layout follows
        x = T(data.copy()) if layout == "contiguous" else T(data.T.copy().T)
        out[L.__name__] = (x,) + _run(lambda: x[key(T)])
    (tx, ty, te), (px, py, pe) = out["torch"], out["pyts"]
    if _compare_errors(te, pe):
        return
    assert_same(py, ty)
    assert _shares(py, px) == _shares(ty, tx)
    if ty.numel():
        assert py.stride() == ty.stride() and py.storage_offset() - px.storage_offset() == ty.storage_offset()
    assert py is not px   # x[...] is a new tensor object in both


SET_CASES = [
    ((3, 4), lambda T: 0, lambda T: 7),
    ((3, 4), lambda T: -1, lambda T: 2.5),
    ((3, 4), lambda T: (1, 2), lambda T: True),
    ((3, 4), lambda T: slice(1, None), lambda T: T(rand(4))),
    ((3, 4), lambda T: (slice(None), 1), lambda T: T(rand(3))),
    ((3, 4), lambda T: (slice(None), 1), lambda T: T(rand(1, 1, 3))),   # leading 1s dropped
    ((3, 4), lambda T: (slice(None), 1), lambda T: T(rand(2, 3))),
    ((3, 4), lambda T: (slice(None), 1), lambda T: T(rand(4))),
    ((3, 4), lambda T: Ellipsis, lambda T: T(rand(3, 4, dtype=np.int64))),  # copy_ converts
    ((3, 4), lambda T: Ellipsis, lambda T: T(rand(dtype=np.float64))),      # fill_
    ((3, 4), lambda T: None, lambda T: T(rand(4))),
    ((3, 4), lambda T: True, lambda T: 1),
    ((3, 4), lambda T: False, lambda T: 1),
    ((3, 4), lambda T: slice(None, None, 2), lambda T: -1.0),
    ((3, 4), lambda T: slice(None, None, -1), lambda T: 0),
    ((3, 4), lambda T: 3, lambda T: 0),
    ((3, 4), lambda T: [0, 2], lambda T: 5),
    ((3, 4), lambda T: [0, 2], lambda T: T(rand(2, 4))),
    ((3, 4), lambda T: [0, 2], lambda T: T(rand(4))),
    ((3, 4), lambda T: [0, 2], lambda T: T(rand(1, 2, 4))),
    ((3, 4), lambda T: [0, 2], lambda T: T(rand(3, 4))),
    ((3, 4), lambda T: [0, 2], lambda T: T(rand(4, dtype=np.int64))),      # index_put_ dtypes
    ((3, 4), lambda T: T(mask(3, 4)), lambda T: 0.0),
    ((3, 4), lambda T: T(mask(3, 4)), lambda T: T(np.array([9], np.int64))),  # masked fill
    ((3, 4), lambda T: T(mask(3)), lambda T: T(rand(4))),
    ((3, 4), lambda T: (slice(None), T(I(1, 1))), lambda T: T(rand(3, 2))),
    ((3, 4), lambda T: (T(I(0, 1)), T(I(3, 3))), lambda T: 4),
    ((2, 3, 4), lambda T: (T(I(0, 1)), slice(None), T(I(1, 3))), lambda T: T(rand(2, 3))),
    ((2, 3, 4), lambda T: (0, T(I(2)), Ellipsis), lambda T: T(rand(4))),
    ((3, 4), lambda T: T(I(7)), lambda T: 1),
    ((3, 4), lambda T: 0, lambda T: "x"),
    ((3, 4), lambda T: 0, lambda T: None),
    ((), lambda T: Ellipsis, lambda T: 3),
    ((), lambda T: None, lambda T: T(rand(1))),
    ((), lambda T: 0, lambda T: 3),
]
SET_DTYPES = [np.float32, np.int32, np.bool_]


@pytest.mark.parametrize("dtype", SET_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape,key,value", SET_CASES, ids=[f"set{i}" for i in range(len(SET_CASES))])
def test_setitem(shape, key, value, dtype):
    data = rand(*shape, dtype=dtype)
    out = {}
    for L, T in LIBS:
        x = T(data.copy())
        oracle._reseed(99)   # both libraries get the same values
        k, v = key(T), value(T)

        def assign():
            x[k] = v
        out[L.__name__] = (x,) + _run(assign)
    (tx, _, te), (px, _, pe) = out["torch"], out["pyts"]
    if _compare_errors(te, pe):
        return
    assert_same(px, tx)


def test_setitem_writes_through_views():
    data = rand(3, 4)
    res = []
    for L, T in LIBS:
        x = T(data.copy())
        y = x[1:, ::2]
        y[...] = 1.0
        y[0, 1] = 5.0
        x[0][1] = -3.0       # x[0] is a view, so this writes x
        x[[0]][0, 0] = 99.0  # x[[0]] is a copy, so this does not
        res.append(x.tolist())
    assert res[0] == res[1]
    assert res[0][1][2] == 5.0 and res[0][0][1] == -3.0 and res[0][0][0] != 99.0


def test_delitem():
    x = pyts.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="Tensor does not support deleting items"):
        del x[0]


def test_setitem_value_type_message():
    with pytest.raises(TypeError, match=r"can't assign a str to a pyts\.FloatTensor"):
        pyts.tensor([1.0])[0] = "a"


def test_iteration():
    data = rand(3, 2)
    p = list(T_pyts(data))
    t = list(T_torch(data))
    assert len(p) == 3
    assert_same(p, t)
    assert [r.tolist() for r in T_pyts(rand(0, 2))] == []
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(pyts.tensor(1.0))
    # rows are views: writing one writes the tensor
    x = T_pyts(rand(2, 2))
    for r in x:
        r[0] = 7.0
    assert x[:, 0].tolist() == [7.0, 7.0]
    a, b = T_pyts(rand(2, 3))
    assert a.shape == (3,) and b.shape == (3,)


def test_error_messages():
    x = pyts.tensor([[1.0, 2.0, 3.0]] * 3)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        pyts.tensor(1.0)[0]
    with pytest.raises(RuntimeError, match=r"shape '\[5\]' is invalid for input of size 9"):
        x.view(5)
    with pytest.raises(RuntimeError, match=r"view size is not compatible .* Use \.reshape\(\.\.\.\) instead\."):
        x.t().view(-1)
