"""Differential cases for ops_search.def rows (see tests/oracle.py): isclose/allclose/equal,
nonzero, count_nonzero, is_nonzero, sort/argsort/msort, topk, kthvalue over dtypes, negative
dims, keyword arguments, 0-dim, empty and non-contiguous inputs, NaN ordering, ties (sorting is
stable in both libraries), and the errors PyTorch raises."""
import numpy as np

from oracle import noncontig, rand

f32, f64, f16 = np.float32, np.float64, np.float16
i64, i32, i16, i8, u8, b = np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_
NAN, INF = float("nan"), float("inf")


def nans():
    a = rand(3, 5)
    a[0, 1] = NAN
    a[2, 3] = NAN
    a[1, 0] = INF
    a[1, 4] = -INF
    return a


def ties(dtype=f32):
    return np.array([[1, 3, 3, 0, 1], [2, 2, 1, 2, 2], [0, 0, 0, 0, 0]], dtype=dtype)


def near():
    """pairs that are close, barely not close, NaN and inf at the same places"""
    x = np.array([1.0, 1e-9, 100.0, NAN, INF, -INF, 0.0, 1.0], dtype=f64)
    y = np.array([1.0 + 1e-6, 0.0, 100.002, NAN, INF, INF, 1e-8, 1.1], dtype=f64)
    return x, y


def sorted_topk(L, T, a, k, **kw):
    """topk(sorted=False) leaves the order open: compare its values after sorting them"""
    v, _ = L.topk(T(a), k, sorted=False, **kw)
    return v.sort(descending=kw.get("largest", True)).values


CASES = {
    "ISCLOSE": [
        lambda L, T: L.isclose(T(near()[0]), T(near()[1])),
        lambda L, T: L.isclose(T(near()[0]), T(near()[1]), equal_nan=True),
        lambda L, T: L.isclose(T(near()[0]), T(near()[1]), rtol=1e-3, atol=1e-7),
        lambda L, T: T(near()[0].astype(f32)).isclose(T(near()[1].astype(f32)), 1e-4, 1e-6),
        lambda L, T: L.isclose(T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.isclose(T(noncontig(rand(3, 4))), T(noncontig(rand(3, 4)))),
        lambda L, T: L.isclose(T(rand(3, 4, dtype=i32)), T(rand(3, 4, dtype=i32)), atol=1.0),
        lambda L, T: L.isclose(T(np.array([200, 3], dtype=u8)), T(np.array([10, 4], dtype=u8)), atol=100.0),
        lambda L, T: L.isclose(T(rand(4, dtype=b)), T(rand(4, dtype=b))),
        lambda L, T: L.isclose(T(rand(5, dtype=f16)), T(rand(5, dtype=f16)), rtol=0.5),
        lambda L, T: L.isclose(T(np.float32(1.0)), T(np.float32(1.0 + 1e-7))),
        lambda L, T: L.isclose(T(rand(0, 3)), T(rand(3))),
        lambda L, T: L.isclose(T(rand(3)), T(rand(3, dtype=f64))),        # dtypes must match
        lambda L, T: L.isclose(T(rand(3)), T(rand(3)), rtol=-1.0),
        lambda L, T: L.isclose(T(rand(3)), T(rand(3)), atol=-1.0),
        lambda L, T: L.isclose(T(rand(3)), T(rand(4))),
    ],
    "ALLCLOSE": [
        lambda L, T: L.allclose(T(rand(3, 4)), T(rand(3, 4))),
        lambda L, T: L.allclose(T(ties()), T(ties() + np.float32(1e-7))),
        lambda L, T: T(ties()).allclose(T(ties() + np.float32(0.01)), atol=0.1),
        lambda L, T: L.allclose(T(nans()), T(nans())),
        lambda L, T: L.allclose(T(nans()), T(nans()), equal_nan=True),
        lambda L, T: L.allclose(T(rand(3, 4)), T(rand(3, 4)), rtol=10.0, atol=10.0),
        lambda L, T: L.allclose(T(ties(i64)), T(ties(i64)[0])),
        lambda L, T: L.allclose(T(rand(0)), T(rand(0))),
        lambda L, T: L.allclose(T(np.float64(2.0)), T(noncontig(np.full((2, 3), 2.0)))),
        lambda L, T: L.allclose(T(rand(3)), T(rand(3, dtype=f64))),
        lambda L, T: L.allclose(T(rand(3)), T(rand(2))),
    ],
    "EQUAL": [
        lambda L, T: L.equal(T(ties()), T(ties())),
        lambda L, T: L.equal(T(ties()), T(ties()[:, ::-1].copy())),
        lambda L, T: T(ties()).equal(T(ties()[:2])),
        lambda L, T: L.equal(T(ties(i64)), T(ties(f64))),          # promotion: compares numbers
        lambda L, T: L.equal(T(ties(i32)), T(noncontig(ties(i32)))),
        lambda L, T: L.equal(T(np.array([NAN], dtype=f32)), T(np.array([NAN], dtype=f32))),
        lambda L, T: L.equal(T(rand(0, 2)), T(rand(0, 2))),
        lambda L, T: L.equal(T(np.float32(3)), T(np.array([3.0], dtype=f32))),
        lambda L, T: L.equal(T(rand(4, dtype=b)), T(rand(4, dtype=b))),
    ],
    "NONZERO": [
        lambda L, T: L.nonzero(T(ties())),
        lambda L, T: T(nans()).nonzero(),
        lambda L, T: T(rand(2, 3, 4, dtype=b)).nonzero(),
        lambda L, T: T(noncontig(ties(i8))).nonzero(),
        lambda L, T: T(np.float32(0)).nonzero(),
        lambda L, T: T(np.int64(7)).nonzero(),
        lambda L, T: T(rand(0, 3)).nonzero(),
        lambda L, T: L.nonzero(T(ties(u8)), as_tuple=True),
        lambda L, T: T(noncontig(rand(2, 3, dtype=b))).nonzero(as_tuple=True),
        lambda L, T: T(np.float32(2)).nonzero(as_tuple=True),
        lambda L, T: L.nonzero(T(np.float32(0)), as_tuple=True),
        lambda L, T: L.nonzero(T(rand(0, 2)), as_tuple=True),
        lambda L, T: L.nonzero(T(rand(3)), as_tuple=False),
    ],
    "NONZERO_NUMPY": [
        # hidden row: reached through nonzero(as_tuple=True)
        lambda L, T: L.nonzero(T(ties(f64)), as_tuple=True),
    ],
    "COUNT_NONZERO_DIM_INTLIST": [
        lambda L, T: L.count_nonzero(T(ties()), (0, 1)),
        lambda L, T: L.count_nonzero(T(ties()), dim=[-1]),
        lambda L, T: T(rand(2, 3, 4, dtype=b)).count_nonzero([0, 2]),
        lambda L, T: T(noncontig(ties(i16))).count_nonzero((1,)),
        lambda L, T: L.count_nonzero(T(rand(0, 3)), (0,)),
        lambda L, T: L.count_nonzero(T(ties()), (0, 0)),
        lambda L, T: L.count_nonzero(T(ties()), (2,)),
    ],
    "COUNT_NONZERO": [
        lambda L, T: L.count_nonzero(T(ties())),
        lambda L, T: T(nans()).count_nonzero(),
        lambda L, T: L.count_nonzero(T(ties(i32)), 0),
        lambda L, T: L.count_nonzero(T(ties()), dim=-1),
        lambda L, T: T(np.float32(0)).count_nonzero(),
        lambda L, T: T(np.float32(5)).count_nonzero(0),
        lambda L, T: L.count_nonzero(T(rand(0, 2))),
        lambda L, T: L.count_nonzero(T(rand(3)), 1),
    ],
    "IS_NONZERO": [
        lambda L, T: L.is_nonzero(T(np.float32(2.5))),
        lambda L, T: T(np.array([0], dtype=i64)).is_nonzero(),
        lambda L, T: T(np.array([[NAN]], dtype=f32)).is_nonzero(),
        lambda L, T: T(np.array(True)).is_nonzero(),
        lambda L, T: T(rand(2)).is_nonzero(),
        lambda L, T: T(rand(0)).is_nonzero(),
    ],
    "ARGSORT": [
        lambda L, T: L.argsort(T(rand(3, 5))),
        lambda L, T: T(rand(3, 5)).argsort(0),
        lambda L, T: T(rand(2, 3, 4)).argsort(dim=-2, descending=True),
        lambda L, T: L.argsort(T(noncontig(rand(4, 6, dtype=f64))), 1),
        lambda L, T: T(rand(3, 4, dtype=i32)).argsort(),
        lambda L, T: T(rand(7, dtype=u8, high=255)).argsort(descending=True),
        lambda L, T: T(np.float32(3)).argsort(),
        lambda L, T: T(rand(0, 4)).argsort(),
        lambda L, T: T(rand(3, 4)).argsort(2),
    ],
    "ARGSORT_STABLE": [
        lambda L, T: L.argsort(T(ties()), stable=True),
        lambda L, T: T(ties(i64)).argsort(stable=True, descending=True),
        lambda L, T: T(ties(i8)).argsort(stable=True, dim=0),
        lambda L, T: T(nans()).argsort(stable=True, descending=True),
        lambda L, T: T(rand(9, dtype=b)).argsort(stable=True),
        lambda L, T: T(noncontig(ties(f16))).argsort(stable=True, dim=-1),
        lambda L, T: T(np.int32(3)).argsort(stable=True, dim=-1),
        lambda L, T: T(ties()).argsort(stable=True, dim=-3),
    ],
    "SORT": [
        lambda L, T: L.sort(T(rand(3, 5))),
        lambda L, T: T(rand(3, 5)).sort(0),
        lambda L, T: T(rand(3, 5)).sort(0).values,
        lambda L, T: T(rand(2, 3, 4)).sort(dim=1, descending=True).indices,
        lambda L, T: T(nans()).sort(),
        lambda L, T: T(nans()).sort(descending=True),
        lambda L, T: T(nans()).sort(0, True),
        lambda L, T: T(noncontig(rand(4, 6))).sort(),
        lambda L, T: T(rand(4, 6, dtype=f64)).sort(-2),
        lambda L, T: T(rand(4, 6, dtype=f16)).sort(),
        lambda L, T: T(rand(4, 6, dtype=i64, low=-1000, high=1000)).sort(),
        lambda L, T: T(rand(4, 6, dtype=i16, low=-1000, high=1000)).sort(descending=True),
        lambda L, T: T(rand(4, 6, dtype=u8, high=255)).sort(),
        lambda L, T: T(np.array([2 ** 62 + 1, 2 ** 62, -(2 ** 62)], dtype=i64)).sort(),
        lambda L, T: T(np.float32(4)).sort(),
        lambda L, T: T(rand(0, 4)).sort(),
        lambda L, T: T(rand(4, 0)).sort(0),
        lambda L, T: T(rand(3, 4)).sort(2),
        lambda L, T: T(rand(3, 4)).sort(-3),
    ],
    "SORT_STABLE": [
        lambda L, T: L.sort(T(ties()), stable=True),
        lambda L, T: T(ties()).sort(stable=True, descending=True),
        lambda L, T: T(ties(i32)).sort(stable=True, dim=0),
        lambda L, T: T(ties(i64)).sort(stable=None, dim=0, descending=True),
        lambda L, T: T(rand(11, dtype=b)).sort(stable=True),
        lambda L, T: T(rand(11, dtype=b)).sort(stable=False, descending=True),
        lambda L, T: T(noncontig(ties(f64))).sort(stable=True),
        lambda L, T: T(nans()).sort(stable=True, dim=0),
        lambda L, T: T(np.float64(1)).sort(stable=True),
        lambda L, T: T(rand(0)).sort(stable=True),
        lambda L, T: T(ties()).sort(stable=True, dim=5),
    ],
    "MSORT": [
        lambda L, T: L.msort(T(rand(4, 3))),
        lambda L, T: T(nans()).msort(),
        lambda L, T: T(noncontig(rand(4, 6, dtype=i32))).msort(),
        lambda L, T: L.msort(T(rand(5, dtype=f64))),
        lambda L, T: L.msort(T(np.float32(2))),
        lambda L, T: L.msort(T(rand(0, 3))),
    ],
    "TOPK": [
        lambda L, T: L.topk(T(rand(3, 6)), 2),
        lambda L, T: T(rand(3, 6)).topk(3, largest=False),
        lambda L, T: T(rand(3, 6)).topk(2, dim=0),
        lambda L, T: T(rand(2, 3, 4)).topk(k=1, dim=-2),
        lambda L, T: L.topk(T(rand(2, 3, 4)), 4, 2, False, True).values,
        lambda L, T: T(nans()).topk(2),
        lambda L, T: T(nans()).topk(3, largest=False),
        lambda L, T: T(noncontig(rand(4, 6, dtype=f64))).topk(3),
        lambda L, T: T(rand(4, 6, dtype=i64, low=-1000, high=1000)).topk(2),
        lambda L, T: T(rand(4, 6, dtype=i8, low=-100, high=100)).topk(2, largest=False),
        lambda L, T: T(rand(4, 6, dtype=f16)).topk(2),
        lambda L, T: T(ties()).topk(2).values,          # ties: values only (indices are open)
        lambda L, T: sorted_topk(L, T, rand(3, 7), 4),
        lambda L, T: sorted_topk(L, T, rand(3, 7), 3, largest=False),
        lambda L, T: T(rand(3, 6)).topk(0),
        lambda L, T: T(rand(3, 6)).topk(6),
        lambda L, T: T(np.float32(5)).topk(1),
        lambda L, T: T(np.float32(5)).topk(0),
        lambda L, T: T(rand(0, 3)).topk(2),
        lambda L, T: T(rand(3, 6)).topk(7),
        lambda L, T: T(rand(3, 6)).topk(-1),
        lambda L, T: T(rand(3, 6)).topk(1, dim=2),
        lambda L, T: T(rand(3, dtype=b)).topk(1),
    ],
    "KTHVALUE": [
        lambda L, T: L.kthvalue(T(rand(3, 6)), 2),
        lambda L, T: T(rand(3, 6)).kthvalue(1, 0),
        lambda L, T: T(rand(3, 6)).kthvalue(6, keepdim=True),
        lambda L, T: T(rand(2, 3, 4)).kthvalue(k=3, dim=-2, keepdim=False),
        lambda L, T: T(np.array([1.0, NAN, 0.0], dtype=f32)).kthvalue(3),
        lambda L, T: T(np.array([1.0, NAN, 0.0], dtype=f32)).kthvalue(2),
        lambda L, T: T(noncontig(rand(4, 6, dtype=f64))).kthvalue(4),
        lambda L, T: T(rand(4, 6, dtype=i32, low=-1000, high=1000)).kthvalue(2),
        lambda L, T: T(ties()).kthvalue(2).values,
        lambda L, T: T(np.float32(5)).kthvalue(1),
        lambda L, T: T(np.float32(5)).kthvalue(1, keepdim=True),
        lambda L, T: T(rand(3, 6)).kthvalue(0),
        lambda L, T: T(rand(3, 6)).kthvalue(7),
        lambda L, T: T(rand(3, 6)).kthvalue(1, 3),
        lambda L, T: T(rand(3, 0)).kthvalue(1),
        lambda L, T: T(rand(3, dtype=b)).kthvalue(1),
    ],
    "CLIP": [
        lambda L, T: L.clip(T(rand(3, 4)), -0.5, 0.5),
        lambda L, T: T(rand(3, 4)).clip(min=0),
        lambda L, T: T(noncontig(rand(3, 4, dtype=f64))).clip(max=1),
        lambda L, T: T(rand(3, 4, dtype=i32)).clip(-1, 1),
        lambda L, T: T(rand(3, 4, dtype=i32)).clip(-1.5, 1),
        lambda L, T: T(np.float32(3)).clip(0, 1),
        lambda L, T: T(rand(0, 2)).clip(0, 1),
        lambda L, T: T(rand(3)).clip(),
    ],
    "CLIP_TENSOR": [
        lambda L, T: L.clip(T(rand(3, 4)), T(rand(4)), None),
        lambda L, T: T(rand(3, 4)).clip(max=T(rand(3, 1))),
        lambda L, T: T(rand(3, 4, dtype=i64)).clip(T(rand(4, dtype=i64)), T(rand(4, dtype=f32))),
        lambda L, T: T(rand(3, 4)).clip(T(rand(5))),
    ],
    "CLIP_": [
        lambda L, T: T(rand(3, 4)).clip_(-0.5, 0.5),
        lambda L, T: T(rand(3, 4, dtype=f64)).clip_(max=0),
        lambda L, T: T(rand(3, 4, dtype=i32)).clip_(min=0),
        lambda L, T: T(rand(3)).clip_(),
    ],
    "CLIP__TENSOR": [
        lambda L, T: T(rand(3, 4)).clip_(T(rand(4)), T(rand(4) + 2)),
        lambda L, T: T(rand(3, 4)).clip_(max=T(rand(3, 1))),
        lambda L, T: T(rand(4)).clip_(T(rand(3, 4))),
    ],
    "CLIP_OUT": [
        lambda L, T: L.clip(T(rand(3, 4)), -0.5, 0.5, out=T(np.zeros((3, 4), f32))),
        lambda L, T: L.clip(T(rand(3, 4)), max=0.5, out=T(np.zeros((3, 4), f64))),
        lambda L, T: L.clip(T(rand(3, 4)), 0, 1, out=T(np.zeros((3, 4), i64))),
    ],
    "CLIP_TENSOR_OUT": [
        lambda L, T: L.clip(T(rand(3, 4)), T(rand(4)), out=T(np.zeros((3, 4), f32))),
        lambda L, T: L.clip(T(rand(3, 4)), None, T(rand(3, 1)), out=T(np.zeros((3, 4), f32))),
    ],
    "BROADCAST_TO": [
        lambda L, T: L.broadcast_to(T(rand(3)), (2, 3)),
        lambda L, T: T(rand(3, 1)).broadcast_to([3, 4]),
        lambda L, T: T(noncontig(rand(2, 1, 4, dtype=i32))).broadcast_to((5, 2, 3, 4)),
        lambda L, T: T(rand(3, 1)).broadcast_to((-1, 2)),
        lambda L, T: T(np.float32(2)).broadcast_to((2, 2)),
        lambda L, T: T(rand(0, 1)).broadcast_to((0, 3)),
        lambda L, T: T(rand(3)).broadcast_to((2, 4)),
        lambda L, T: T(rand(2, 3)).broadcast_to((3,)),
    ],
    "TILE": [
        lambda L, T: L.tile(T(rand(2, 3)), (2, 2)),
        lambda L, T: T(rand(2, 3)).tile((2,)),
        lambda L, T: T(rand(2, 3, dtype=i8)).tile(3, 1, 2),
        lambda L, T: T(noncontig(rand(2, 3))).tile((2, 1, 1)),
        lambda L, T: T(np.float64(1)).tile((3,)),
        lambda L, T: T(rand(0, 2)).tile((2, 2)),
        lambda L, T: T(rand(2, 3)).tile(()),
        lambda L, T: T(rand(2, 3)).tile((0, 2)),
        lambda L, T: T(rand(2, 3)).tile((-1, 2)),
    ],
}
