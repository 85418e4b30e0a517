"""Reductions beyond the per-row differential cases: hypothesis properties against NumPy over
random shapes, dims, keepdim, dtypes and strides; float32 accuracy on large inputs; PyTorch's
error messages; and the speed of whole-tensor and tiny sums."""
import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import pyts

torch = pytest.importorskip("torch")

FLOATS = [np.float32, np.float64]
INTS = [np.int64, np.int32, np.int16, np.int8, np.uint8]
ALL = FLOATS + INTS + [np.bool_]


@st.composite
def arrays(draw, dtypes, min_dims=0, max_dims=4, max_side=5, min_side=0, elements=None):
    """A NumPy array of a drawn dtype and shape, often non-contiguous (every other element of a
    wider array, or a transpose)."""
    dt = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side))
    if elements is None:
        if dt.kind == "f":
            elements = st.floats(-10, 10, width=32)
        elif dt.kind == "b":
            elements = st.booleans()
        else:
            info = np.iinfo(dt)
            elements = st.integers(max(info.min, -20), min(info.max, 20))
    layout = draw(st.sampled_from(["c", "strided", "transposed"])) if shape else "c"
    if layout == "strided":
        wide = draw(hnp.arrays(dt, shape[:-1] + (shape[-1] * 2,), elements=elements))
        return wide[..., ::2]
    a = draw(hnp.arrays(dt, shape, elements=elements))
    if layout == "transposed":
        perm = draw(st.permutations(range(len(shape))))
        a = np.ascontiguousarray(a).transpose(perm)
    return a


@st.composite
def dims_of(draw, ndim, allow_empty=True):
    """(pyts dims as a tuple of possibly negative ints, NumPy axes)."""
    if ndim == 0:
        d = draw(st.sampled_from([(), (0,), (-1,)]) if allow_empty else st.sampled_from([(0,), (-1,)]))
        return d, None
    axes = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=0 if allow_empty else 1, max_size=ndim))
    dims = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    return dims, tuple(axes)


def P(a):
    return pyts.from_numpy(np.asarray(a))


def N(t):
    return t.numpy()


def close(got, want, rtol=1e-5, atol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind == "f" or got.dtype.kind == "f":
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def np_axes(dims_axes, ndim, empty_all=True):
    """NumPy axis argument for pyts dims: an empty dim list reduces everything (sum, mean,
    amax, std, norm) unless the op is any/all."""
    dims, axes = dims_axes
    if ndim == 0:
        return None
    if not axes and empty_all:
        return None
    return axes


# ---------------- properties against NumPy ----------------

@given(st.data())
def test_sum_matches_numpy(data):
    a = data.draw(arrays(ALL))
    d = data.draw(dims_of(a.ndim))
    keep = data.draw(st.booleans())
    got = P(a).sum(d[0], keepdim=keep)
    acc = np.float64 if a.dtype.kind == "f" else np.int64
    want = np.sum(a, axis=np_axes(d, a.ndim), keepdims=keep, dtype=acc)
    assert got.dtype == (pyts.int64 if a.dtype.kind in "iub" else getattr(pyts, a.dtype.name))
    close(N(got), want, atol=1e-4)


@given(st.data())
def test_sum_dtype_matches_numpy(data):
    a = data.draw(arrays([np.int32, np.bool_, np.uint8]))
    d = data.draw(dims_of(a.ndim))
    got = P(a).sum(d[0], dtype=pyts.float64)
    assert got.dtype == pyts.float64
    close(N(got), np.sum(a.astype(np.float64), axis=np_axes(d, a.ndim)))


@given(st.data())
def test_mean_matches_numpy(data):
    a = data.draw(arrays(FLOATS))
    d = data.draw(dims_of(a.ndim))
    keep = data.draw(st.booleans())
    got = P(a).mean(d[0], keepdim=keep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.mean(a.astype(np.float64), axis=np_axes(d, a.ndim), keepdims=keep)
    close(N(got), want)


@given(st.data())
def test_prod_matches_numpy(data):
    a = data.draw(arrays(FLOATS + INTS + [np.bool_], max_side=4))
    if a.dtype.kind == "f":
        a = np.clip(a, -1.5, 1.5)
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    keep = data.draw(st.booleans())
    got = P(a).prod(dim, keepdim=keep)
    acc = np.float64 if a.dtype.kind == "f" else np.int64
    want = np.prod(a, axis=None if a.ndim == 0 else dim, keepdims=keep and a.ndim > 0, dtype=acc)
    close(N(got), want)


@given(st.data())
def test_amax_amin_match_numpy(data):
    a = data.draw(arrays(ALL, min_side=1))
    d = data.draw(dims_of(a.ndim))
    keep = data.draw(st.booleans())
    ax = np_axes(d, a.ndim)
    close(N(P(a).amax(d[0], keep)), np.amax(a, axis=ax, keepdims=keep))
    close(N(P(a).amin(d[0], keep)), np.amin(a, axis=ax, keepdims=keep))


@given(st.data())
def test_max_dim_matches_numpy(data):
    a = data.draw(arrays(FLOATS + INTS + [np.bool_], min_dims=1, min_side=1))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keep = data.draw(st.booleans())
    values, indices = P(a).max(dim, keepdim=keep)
    close(N(values), np.max(a, axis=dim, keepdims=keep))
    close(N(indices), np.argmax(a, axis=dim, keepdims=keep))
    values, indices = pyts.min(P(a), dim, keep)
    close(N(values), np.min(a, axis=dim, keepdims=keep))
    close(N(indices), np.argmin(a, axis=dim, keepdims=keep))


@given(st.data())
def test_argmax_with_nan_and_ties_matches_numpy(data):
    # few distinct values make ties; NaNs must win at their first position, as in NumPy
    a = data.draw(arrays([np.float32, np.float64], min_side=1,
                         elements=st.sampled_from([0.0, 1.0, 2.0, float("nan")])))
    dim = data.draw(st.none() | st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    if a.ndim == 0 and dim is not None:
        dim = 0
    ax = None if a.ndim == 0 else dim
    close(N(P(a).argmax(dim)), np.argmax(a, axis=ax))
    close(N(P(a).argmin(dim)), np.argmin(a, axis=ax))


@given(st.data())
def test_var_std_match_numpy(data):
    a = data.draw(arrays(FLOATS))
    d = data.draw(dims_of(a.ndim))
    keep = data.draw(st.booleans())
    corr = data.draw(st.sampled_from([0, 1, 2, 0.5]))
    ax = np_axes(d, a.ndim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.var(a.astype(np.float64), axis=ax, ddof=corr, keepdims=keep)
        got_v = P(a).var(d[0], correction=corr, keepdim=keep)
        got_s = pyts.std(P(a), d[0], correction=corr, keepdim=keep)
    close(N(got_v), want, rtol=1e-4)
    close(N(got_s), np.sqrt(want), rtol=1e-4)


@given(st.data())
def test_norm_matches_numpy(data):
    a = data.draw(arrays(FLOATS, min_side=1))
    d = data.draw(dims_of(a.ndim))
    p = data.draw(st.sampled_from([1, 2, 3, 0.5, 0, float("inf"), -float("inf")]))
    keep = data.draw(st.booleans())
    ax = np_axes(d, a.ndim)
    x = np.abs(a.astype(np.float64))
    with np.errstate(divide="ignore"):
        if p == float("inf"):
            want = np.max(x, axis=ax, keepdims=keep)
        elif p == -float("inf"):
            want = np.min(x, axis=ax, keepdims=keep)
        elif p == 0:
            want = np.sum(x != 0, axis=ax, keepdims=keep).astype(np.float64)
        else:
            want = np.sum(x ** p, axis=ax, keepdims=keep) ** (1.0 / p)
    close(N(pyts.norm(P(a), p, d[0], keep)), want, rtol=1e-4)


@given(st.data())
def test_logsumexp_matches_numpy(data):
    a = data.draw(arrays(FLOATS + [np.int32]))
    d = data.draw(dims_of(a.ndim, allow_empty=False))
    keep = data.draw(st.booleans())
    got = pyts.logsumexp(P(a), d[0], keep)
    x = a.astype(np.float64)
    ax = np_axes(d, a.ndim)
    with np.errstate(divide="ignore"):
        m = np.max(x, axis=ax, keepdims=True) if x.size else np.zeros([1] * x.ndim)
        m = np.where(np.isfinite(m), m, 0)
        want = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
    if not keep:
        want = want.reshape(np.sum(x, axis=ax).shape)
    assert got.dtype == (pyts.float32 if a.dtype != np.float64 else pyts.float64)
    close(N(got), want, rtol=1e-5)


@given(st.data())
def test_any_all_match_numpy(data):
    a = data.draw(arrays(ALL, elements=None))
    d = data.draw(st.none() | dims_of(a.ndim))
    keep = data.draw(st.booleans())
    if d is None:
        got_any, got_all = P(a).any(None, keep), P(a).all(None, keep)
        ax = None
        kd = keep
    else:
        got_any, got_all = P(a).any(d[0], keep), P(a).all(d[0], keep)
        ax = None if a.ndim == 0 else d[1]
        kd = keep
    want_dtype = pyts.uint8 if a.dtype == np.uint8 else pyts.bool
    assert got_any.dtype == want_dtype and got_all.dtype == want_dtype
    close(N(got_any), np.any(a, axis=ax, keepdims=kd).astype(N(got_any).dtype))
    close(N(got_all), np.all(a, axis=ax, keepdims=kd).astype(N(got_all).dtype))


@given(st.data())
def test_cumsum_cumprod_match_numpy(data):
    a = data.draw(arrays(FLOATS + INTS + [np.bool_], max_side=4))
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    acc = np.float64 if a.dtype.kind == "f" else np.int64
    ax = None if a.ndim == 0 else dim
    want = np.cumsum(a, axis=ax, dtype=acc).reshape(a.shape)
    close(N(P(a).cumsum(dim)), want)
    b = np.clip(a, -1.5, 1.5) if a.dtype.kind == "f" else a
    close(N(P(b).cumprod(dim)), np.cumprod(b, axis=ax, dtype=acc).reshape(a.shape))


@given(st.data())
def test_reductions_leave_input_alone(data):
    a = data.draw(arrays(FLOATS, min_side=1))
    before = a.copy()
    t = P(a)
    t.sum(), t.mean(0 if a.ndim else None), t.var(), t.cumsum(0), t.max(), t.norm()
    np.testing.assert_array_equal(a, before)


# ---------------- accuracy and large inputs ----------------

def test_float32_sum_of_a_million_is_accurate():
    rng = np.random.default_rng(7)
    a = rng.standard_normal(1_000_000).astype(np.float32) + np.float32(0.25)
    truth = a.astype(np.float64).sum()
    got = P(a).sum().item()
    np.testing.assert_allclose(got, torch.from_numpy(a).sum().item(), rtol=1e-5)
    np.testing.assert_allclose(got, truth, rtol=1e-6)
    np.testing.assert_allclose(P(a).mean().item(), truth / a.size, rtol=1e-6)


@pytest.mark.parametrize("shape,dim", [((1000, 1000), 0), ((1000, 1000), 1), ((8, 125000), 0),
                                       ((125000, 8), 0), ((125000, 8), 1), ((50, 80, 250), (0, 2))])
def test_float32_large_partial_sums_are_accurate(shape, dim):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(shape).astype(np.float32) + np.float32(0.5)
    want = a.astype(np.float64).sum(axis=dim)
    np.testing.assert_allclose(N(P(a).sum(dim)), want, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(N(P(a).sum(dim)), torch.from_numpy(a).sum(dim).detach().numpy(), rtol=1e-4,
                               atol=1e-3)


def test_max_of_large_input_with_nan():
    a = np.random.default_rng(1).standard_normal(100_003).astype(np.float32)
    assert P(a).max().item() == a.max()
    a[77_777] = np.nan
    assert math.isnan(P(a).max().item()) and math.isnan(P(a).min().item())
    assert P(a).argmax().item() == 77_777


def test_int_sums_wrap_like_torch():
    a = np.full(4, 2**62, dtype=np.int64)
    assert P(a).sum().item() == torch.from_numpy(a).sum().item()
    assert P(a).prod().item() == torch.from_numpy(a).prod().item()


# ---------------- binding forms ----------------

def test_std_var_overloads_bind_like_torch():
    a = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    p, t = P(a), torch.from_numpy(a)
    for f in [lambda x: x.std(0), lambda x: x.std(unbiased=False), lambda x: x.var(dim=1, correction=0),
              lambda x: x.var(0, False, True), lambda x: x.std(keepdim=True), lambda x: x.std(True),
              lambda x: x.var((0, 1), unbiased=False), lambda x: x.std(dim=None, correction=2)]:
        np.testing.assert_allclose(N(f(p)), f(t).detach().numpy(), rtol=1e-5)


def test_max_dim_returns_values_then_indices():
    a = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], dtype=np.float32)
    values, indices = P(a).max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    r = pyts.min(P(a), dim=0, keepdim=True)
    assert len(r) == 2 and r[0].shape == (1, 3) and r[1].dtype == pyts.int64


# ---------------- errors: same class and message as PyTorch ----------------

E = np.zeros((0, 4), dtype=np.float32)
I = np.arange(12, dtype=np.int32).reshape(3, 4)
# (case, whether PyTorch's message is the one pyts gives)
ERRORS = [
    (lambda L, T: T(I).sum(2), True),
    (lambda L, T: T(I).sum((0, -2)), True),
    (lambda L, T: T(I).mean(), True),
    (lambda L, T: T(I).mean(dtype=L.int64), True),
    (lambda L, T: T(I).amax(-3), True),
    (lambda L, T: T(I).std(), True),
    (lambda L, T: T(I).max(5), True),
    (lambda L, T: L.argmax(T(I).bool()), True),
    (lambda L, T: L.norm(T(I)), False),   # torch.norm is Python there and calls linalg.vector_norm
    (lambda L, T: T(I).cumsum(2), True),
    (lambda L, T: T(E).max(), True),
    (lambda L, T: T(E).argmax(), True),
    (lambda L, T: T(E).amax(0), True),
    (lambda L, T: T(E).min(0), True),
    (lambda L, T: T(E).amin(), True),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    f, same_msg = ERRORS[i]
    with pytest.raises(Exception) as te:
        f(torch, torch.from_numpy)
    with pytest.raises(Exception) as pe:
        f(pyts, pyts.from_numpy)
    base = IndexError if isinstance(te.value, IndexError) else RuntimeError
    assert isinstance(te.value, base) and type(pe.value) is base, (te.value, pe.value)
    if same_msg:
        assert str(pe.value) == str(te.value)
