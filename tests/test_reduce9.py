"""Full reductions over contiguous float32/float64 (the vector kernels of k_reduce.c): precision
against float64 NumPy (no worse than torch's), values at every block boundary, NaN and overflow."""
import math

import numpy as np
import pytest
import torch

import pyts


def _err(got, truth):
    return abs(float(got) - float(truth))


@pytest.mark.parametrize("n", [1_000_000, 10_000_000])
@pytest.mark.parametrize("kind", ["uniform", "normal", "large_offset"])
def test_float32_sum_error_no_worse_than_torch(n, kind):
    rng = np.random.default_rng(n + len(kind))
    if kind == "uniform":
        a = rng.random(n, dtype=np.float32)
    elif kind == "normal":
        a = rng.standard_normal(n, dtype=np.float32)
    else:
        a = (1000.0 + rng.random(n, dtype=np.float32)).astype(np.float32)
    truth = math.fsum(a.astype(np.float64).tolist()) if n <= 1_000_000 else a.astype(np.float64).sum()
    p = pyts.tensor(a)
    t = torch.from_numpy(a)
    for red in ("sum", "mean"):
        want = truth if red == "sum" else truth / n
        ep = _err(getattr(p, red)().item(), want)
        et = _err(getattr(t, red)().item(), want)
        # float32 results: both are rounded to float32 at the end, so allow that rounding
        ulp = np.spacing(np.float32(abs(want)))
        assert ep <= max(et, float(ulp)), (red, ep, et)


@pytest.mark.parametrize("n", [1_000_000, 10_000_000])
def test_float64_sum_error_no_worse_than_torch(n):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(n)
    truth = math.fsum(a.tolist())
    ep = _err(pyts.tensor(a).sum().item(), truth)
    et = _err(torch.from_numpy(a).sum().item(), truth)
    # both are cascades over double lanes: the same order of error (which is the smaller varies
    # with the data); a chain over the whole array would be ~100x worse at these sizes
    bound = 1e-16 * np.abs(a).sum()
    assert ep <= max(4 * et, bound), (ep, et, bound)


@pytest.mark.parametrize("n", [1_000_000])
def test_float32_norm_and_prod_precision(n):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(n, dtype=np.float32)
    truth = math.sqrt(math.fsum((a.astype(np.float64) ** 2).tolist()))
    ep = _err(pyts.linalg.vector_norm(pyts.tensor(a)).item(), truth)
    et = _err(torch.linalg.vector_norm(torch.from_numpy(a)).item(), truth)
    assert ep <= max(et, float(np.spacing(np.float32(truth))))
    truth1 = math.fsum(np.abs(a.astype(np.float64)).tolist())
    ep = _err(pyts.linalg.vector_norm(pyts.tensor(a), 1).item(), truth1)
    et = _err(torch.linalg.vector_norm(torch.from_numpy(a), 1).item(), truth1)
    assert ep <= max(et, float(np.spacing(np.float32(truth1))))
    b = (1.0 + (rng.random(n) - 0.5) * 1e-4).astype(np.float32)
    truthp = math.exp(math.fsum(np.log(b.astype(np.float64)).tolist()))
    ep = _err(pyts.tensor(b).prod().item(), truthp)
    et = _err(torch.from_numpy(b).prod().item(), truthp)
    assert ep <= max(et, float(np.spacing(np.float32(truthp))))


SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1001]


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_every_block_boundary(dt):
    rng = np.random.default_rng(11)
    for n in SIZES:
        a = rng.standard_normal(n).astype(dt)
        w = a.astype(np.float64)
        x = pyts.tensor(a)
        checks = [
            (x.sum(), w.sum()), (pyts.linalg.vector_norm(x), np.sqrt((w * w).sum())),
            (pyts.linalg.vector_norm(x, 1), np.abs(w).sum()),
            (x.prod(), np.prod(w)),
        ]
        if n:
            checks += [(x.mean(), w.mean()), (x.amax(), w.max()), (x.amin(), w.min()),
                       (x.max(), w.max()), (x.min(), w.min())]
        for got, want in checks:
            assert str(got.dtype).split(".")[1] == dt
            assert got.item() == pytest.approx(want, rel=1e-5, abs=1e-30), (n, got, want)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_nan_anywhere_wins(dt):
    for n in (5, 16, 17, 40, 129):
        for k in range(n):
            a = np.arange(n, dtype=dt)
            a[k] = np.nan
            x = pyts.tensor(a)
            for r in (x.amax(), x.amin(), x.max(), x.min(), x.sum(), pyts.linalg.vector_norm(x), x.prod()):
                assert math.isnan(r.item()), (n, k)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_infinities(dt):
    for n in (5, 40, 200):
        a = np.ones(n, dtype=dt)
        a[n // 2] = np.inf
        a[1] = -np.inf
        x = pyts.tensor(a)
        t = torch.from_numpy(a)
        for f in (lambda L, v: v.amax(), lambda L, v: v.amin(), lambda L, v: v.sum(),
                  lambda L, v: L.linalg.vector_norm(v), lambda L, v: v.prod()):
            got, want = f(pyts, x).item(), f(torch, t).item()
            assert (math.isnan(got) and math.isnan(want)) or got == want


def test_float32_norm_of_values_whose_squares_leave_float_range():
    # squares above float32's range or below it: the total is still float32's norm of the exact
    # sum (torch gives inf / 0 here: pyts is the more accurate, at every length)
    for n in (3, 127, 128, 129, 1000):
        big = pyts.linalg.vector_norm(pyts.tensor(np.full(n, 3e20, dtype=np.float32))).item()
        assert big == pytest.approx(3e20 * math.sqrt(n), rel=1e-6)
        small = pyts.linalg.vector_norm(pyts.tensor(np.full(n, 1e-30, dtype=np.float32))).item()
        assert small == pytest.approx(1e-30 * math.sqrt(n), rel=1e-5)
        one = pyts.linalg.vector_norm(pyts.tensor(np.full(n, 3e38, dtype=np.float32)), 1).item()
        assert one == math.inf   # n * 3e38 does not fit float32
        assert pyts.tensor(np.full(n, 3e38, dtype=np.float32)).sum().item() == math.inf


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_strided_and_dim_reductions_unchanged(dt):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((37, 41)).astype(dt)
    x, t = pyts.tensor(a), torch.from_numpy(a)
    for f in (lambda L, v: v.t().prod(0), lambda L, v: v[:, ::3].amax(1), lambda L, v: v.amin(0),
              lambda L, v: L.linalg.vector_norm(v, dim=1), lambda L, v: L.linalg.vector_norm(v[::2], 1),
              lambda L, v: v.sum(1), lambda L, v: v[:, 1:].prod(1)):
        np.testing.assert_allclose(f(pyts, x).numpy(), f(torch, t).numpy(), rtol=1e-5, atol=1e-30)
