"""Differential cases for ops_reduce2.def rows (see tests/oracle.py): trace, nansum/nanmean,
std_mean/var_mean, aminmax, argwhere, cummax/cummin, logcumsumexp, dist, addr/addbmm, vdot,
inner, kron, cross, tensordot, trapezoid/trapz, ... over dtypes, negative dims, keyword
arguments, 0-dim, empty and non-contiguous inputs, NaN, and the errors PyTorch raises."""
import warnings

import numpy as np

from oracle import noncontig, rand

f32, f64, f16 = np.float32, np.float64, np.float16
i64, i32, i16, i8, u8, b = np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_
NAN, INF = float("nan"), float("inf")


def nans(*shape, dtype=f32):
    a = rand(*shape, dtype=dtype)
    flat = a.reshape(-1)
    flat[::3] = NAN
    return a


def ties(dtype=f32):
    return np.array([[1, 3, 3, 0, 1], [2, 2, 1, 2, 2], [0, 0, 0, 0, 0]], dtype=dtype)


def quiet(f):
    """call f with warnings silenced (torch.cross without dim warns once per process)"""
    def g(L, T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f(L, T)
    return g


CASES = {
    "TRACE": [
        lambda L, T: L.trace(T(rand(3, 3))),
        lambda L, T: T(rand(3, 5)).trace(),
        lambda L, T: L.trace(T(rand(5, 2, dtype=f64))),
        lambda L, T: L.trace(T(noncontig(rand(4, 4)))),
        lambda L, T: L.trace(T(rand(4, 3).T)),
        lambda L, T: L.trace(T(rand(3, 3, dtype=i32))),
        lambda L, T: L.trace(T(rand(3, 3, dtype=u8, high=9))),
        lambda L, T: L.trace(T(rand(3, 3, dtype=f16))),
        lambda L, T: L.trace(T(rand(0, 3))),
        lambda L, T: L.trace(T(nans(3, 3))),
        lambda L, T: L.trace(T(rand(3))),
        lambda L, T: L.trace(T(rand(2, 2, 2))),
        lambda L, T: L.trace(T(rand(2, 2, dtype=b))),
    ],
    "NANSUM": [
        lambda L, T: L.nansum(T(nans(3, 4))),
        lambda L, T: T(nans(3, 4)).nansum(1),
        lambda L, T: L.nansum(T(nans(3, 4)), dim=-1, keepdim=True),
        lambda L, T: L.nansum(T(nans(2, 3, 4)), (0, 2)),
        lambda L, T: L.nansum(T(nans(3, 4, dtype=f64)), 0, dtype=L.float32),
        lambda L, T: L.nansum(T(noncontig(nans(3, 4))), 0),
        lambda L, T: L.nansum(T(rand(3, 4, dtype=i32))),
        lambda L, T: L.nansum(T(rand(3, 4, dtype=i8)), 1),
        lambda L, T: L.nansum(T(rand(3, 4, dtype=b)), 0),
        lambda L, T: L.nansum(T(np.array([NAN, NAN], dtype=f32))),
        lambda L, T: L.nansum(T(np.float32(NAN))),
        lambda L, T: L.nansum(T(rand(0, 3)), 0),
        lambda L, T: L.nansum(T(nans(4, dtype=f16))),
        lambda L, T: L.nansum(T(rand(3, 4)), 2),
    ],
    "NANMEAN": [
        lambda L, T: L.nanmean(T(nans(3, 4))),
        lambda L, T: T(nans(3, 4)).nanmean(1),
        lambda L, T: L.nanmean(T(nans(3, 4, dtype=f64)), dim=0, keepdim=True),
        lambda L, T: L.nanmean(T(noncontig(nans(2, 3, 4))), (-1, 0)),
        lambda L, T: L.nanmean(T(np.array([[NAN, NAN], [1, 2]], dtype=f32)), 1),
        lambda L, T: L.nanmean(T(rand(0, 3)), 0),
        lambda L, T: L.nanmean(T(np.float32(2.5))),
        lambda L, T: L.nanmean(T(rand(3, dtype=i64))),
        lambda L, T: L.nanmean(T(rand(3, dtype=b))),
    ],
    "STD_MEAN": [
        lambda L, T: L.std_mean(T(rand(3, 4))),
        lambda L, T: L.std_mean(T(rand(3, 4, dtype=f64)), False),
        lambda L, T: L.std_mean(T(rand(3, 4, dtype=i32))),
        lambda L, T: L.std_mean(T(np.float32(1.0))),
    ],
    "STD_MEAN_DIM": [
        lambda L, T: L.std_mean(T(rand(3, 4)), 1),
        lambda L, T: L.std_mean(T(rand(3, 4)), [0, 1], False, True),
        lambda L, T: L.std_mean(T(noncontig(rand(3, 4))), -1, keepdim=True),
        lambda L, T: L.std_mean(T(rand(3, 4)), dim=2),
    ],
    "STD_MEAN_CORRECTION": [
        lambda L, T: L.std_mean(T(rand(3, 4)), 1, correction=0),
        lambda L, T: L.std_mean(T(rand(3, 4)), correction=2),
        lambda L, T: L.std_mean(T(rand(3, 4, dtype=f64)), dim=(0,), correction=1, keepdim=True),
        lambda L, T: L.std_mean(T(rand(2, 3)), dim=None, correction=0.5),
    ],
    "VAR_MEAN": [
        lambda L, T: L.var_mean(T(rand(3, 4))),
        lambda L, T: L.var_mean(T(rand(5, dtype=f64)), unbiased=False),
        lambda L, T: L.var_mean(T(rand(3, dtype=b))),
        lambda L, T: L.var_mean(T(rand(0))),
    ],
    "VAR_MEAN_DIM": [
        lambda L, T: L.var_mean(T(rand(3, 4)), 0),
        lambda L, T: L.var_mean(T(rand(2, 3, 4)), (0, -1), True, True),
        lambda L, T: L.var_mean(T(rand(3, 4, dtype=f16)), 1),
    ],
    "VAR_MEAN_CORRECTION": [
        lambda L, T: L.var_mean(T(rand(3, 4)), 1, correction=0),
        lambda L, T: L.var_mean(T(noncontig(rand(3, 4))), correction=3, keepdim=True),
        lambda L, T: L.var_mean(T(rand(3, 4, dtype=i32)), correction=0),
    ],
    "AMINMAX": [
        lambda L, T: L.aminmax(T(rand(3, 4))),
        lambda L, T: T(rand(3, 4)).aminmax(dim=1),
        lambda L, T: L.aminmax(T(rand(3, 4)), dim=-2, keepdim=True),
        lambda L, T: L.aminmax(T(rand(3, 4)), keepdim=True),
        lambda L, T: L.aminmax(T(rand(3, 4, dtype=i32)), dim=0).max,
        lambda L, T: L.aminmax(T(noncontig(rand(3, 4, dtype=i8)))).min,
        lambda L, T: L.aminmax(T(rand(5, dtype=b))),
        lambda L, T: L.aminmax(T(nans(3, 4)), dim=1),
        lambda L, T: L.aminmax(T(np.float64(3.0))),
        lambda L, T: L.aminmax(T(np.float64(3.0)), dim=0),
        lambda L, T: L.aminmax(T(rand(0, 3)), dim=1),
        lambda L, T: L.aminmax(T(rand(0, 3))),
        lambda L, T: L.aminmax(T(rand(0, 3)), dim=0),
        lambda L, T: L.aminmax(T(rand(3)), dim=1),
    ],
    "ARGWHERE": [
        lambda L, T: L.argwhere(T(ties())),
        lambda L, T: T(rand(3, 4, dtype=b)).argwhere(),
        lambda L, T: L.argwhere(T(noncontig(ties(i32)))),
        lambda L, T: L.argwhere(T(np.float32(2.0))),
        lambda L, T: L.argwhere(T(np.float32(0.0))),
        lambda L, T: L.argwhere(T(rand(0, 2))),
        lambda L, T: L.argwhere(T(nans(2, 3))),
    ],
    "CUMMAX": [
        lambda L, T: L.cummax(T(rand(3, 5)), 1),
        lambda L, T: T(ties()).cummax(dim=1),
        lambda L, T: L.cummax(T(ties(i32)), 0),
        lambda L, T: L.cummax(T(nans(3, 4)), -1),
        lambda L, T: L.cummax(T(noncontig(rand(3, 4, dtype=f64))), 0).indices,
        lambda L, T: L.cummax(T(rand(6, dtype=b)), 0),
        lambda L, T: L.cummax(T(rand(6, dtype=u8, high=5)), 0),
        lambda L, T: L.cummax(T(np.float32(3.0)), 0),
        lambda L, T: L.cummax(T(rand(0, 3)), 1),
        lambda L, T: L.cummax(T(rand(2, 3)), 2),
        lambda L, T: L.cummax(T(rand(4, dtype=f16)), 0),
    ],
    "CUMMIN": [
        lambda L, T: L.cummin(T(rand(3, 5)), 1),
        lambda L, T: T(ties()).cummin(dim=-1),
        lambda L, T: L.cummin(T(ties(i64)), 0).values,
        lambda L, T: L.cummin(T(nans(3, 4)), 1),
        lambda L, T: L.cummin(T(rand(6, dtype=b)), 0),
        lambda L, T: L.cummin(T(np.int32(3)), -1),
        lambda L, T: L.cummin(T(rand(3, 0)), 0),
        lambda L, T: L.cummin(T(rand(3)), -2),
    ],
    "LOGCUMSUMEXP": [
        lambda L, T: L.logcumsumexp(T(rand(3, 5)), 1),
        lambda L, T: T(rand(3, 5, dtype=f64)).logcumsumexp(0),
        lambda L, T: L.logcumsumexp(T(np.array([-1000.0, 0.0, NAN, 1.0], dtype=f32)), 0),
        lambda L, T: L.logcumsumexp(T(np.array([-INF, -INF, INF, 2.0, INF], dtype=f64)), 0),
        lambda L, T: L.logcumsumexp(T(np.array([800.0, 800.0, -800.0], dtype=f64)), 0),
        lambda L, T: L.logcumsumexp(T(noncontig(rand(3, 4))), -1),
        lambda L, T: L.logcumsumexp(T(np.float32(2.0)), 0),
        lambda L, T: L.logcumsumexp(T(rand(0, 4)), 1),
        lambda L, T: L.logcumsumexp(T(rand(4, dtype=f16)), 0),
        lambda L, T: L.logcumsumexp(T(rand(4, dtype=i64)), 0),
        lambda L, T: L.logcumsumexp(T(rand(4)), 1),
    ],
    "DIST": [
        lambda L, T: L.dist(T(rand(3, 4)), T(rand(3, 4))),
        lambda L, T: T(rand(3, 4)).dist(T(rand(4)), 1),
        lambda L, T: L.dist(T(rand(3, 4, dtype=f64)), T(rand(3, 4)), p=3.5),
        lambda L, T: L.dist(T(rand(3, 4)), T(rand(3, 4)), p=0),
        lambda L, T: L.dist(T(rand(3, 4)), T(rand(3, 4)), INF),
        lambda L, T: L.dist(T(noncontig(rand(3, 4))), T(np.float32(1.0))),
        lambda L, T: L.dist(T(rand(3, dtype=i64)), T(rand(3))),
        lambda L, T: L.dist(T(rand(0, 3)), T(rand(0, 3))),
        lambda L, T: L.dist(T(rand(3, dtype=i64)), T(rand(3, dtype=i64))),
        lambda L, T: L.dist(T(rand(3)), T(rand(4))),
    ],
    "ADDR": [
        lambda L, T: L.addr(T(rand(2, 3)), T(rand(2)), T(rand(3))),
        lambda L, T: T(rand(3)).addr(T(rand(2)), T(rand(3)), beta=0.5, alpha=2),
        lambda L, T: L.addr(T(nans(2, 3)), T(rand(2)), T(rand(3)), beta=0),
        lambda L, T: L.addr(T(rand(2, 3, dtype=i64)), T(rand(2, dtype=i64)), T(rand(3, dtype=i64)), alpha=3),
        lambda L, T: L.addr(T(rand(3)), T(rand(2, dtype=i64)), T(rand(3, dtype=i64))),
        lambda L, T: L.addr(T(rand(2, 3, dtype=b)), T(rand(2, dtype=b)), T(rand(3, dtype=b))),
        lambda L, T: L.addr(T(np.float64(1.0)), T(noncontig(rand(2))), T(rand(0))),
        lambda L, T: L.addr(T(rand(1, 2, 3)), T(rand(2)), T(rand(3))),
        lambda L, T: L.addr(T(rand(2, 3)), T(rand(2, 1)), T(rand(3))),
        lambda L, T: L.addr(T(rand(4, 3)), T(rand(2)), T(rand(3))),
        lambda L, T: L.addr(T(rand(2, 3)), T(rand(2)), T(rand(3)), beta=True),
    ],
    "ADDR_": [
        lambda L, T: T(rand(2, 3)).addr_(T(rand(2)), T(rand(3))),
        lambda L, T: T(rand(2, 3, dtype=f64)).addr_(T(rand(2)), T(rand(3)), beta=2, alpha=-1),
        lambda L, T: T(rand(2, 3)).addr_(T(rand(2)), T(rand(3, dtype=f64))),
        lambda L, T: T(rand(2, 3, dtype=i64)).addr_(T(rand(2)), T(rand(3))),
        lambda L, T: T(rand(1, 3)).addr_(T(rand(2)), T(rand(3))),
    ],
    "ADDBMM": [
        lambda L, T: L.addbmm(T(rand(3, 5)), T(rand(4, 3, 2)), T(rand(4, 2, 5))),
        lambda L, T: T(rand(5)).addbmm(T(rand(4, 3, 2)), T(rand(4, 2, 5)), beta=0.5, alpha=2),
        lambda L, T: L.addbmm(T(nans(3, 5)), T(rand(4, 3, 2)), T(rand(4, 2, 5)), beta=0),
        lambda L, T: L.addbmm(T(rand(3, 5, dtype=f64)), T(rand(4, 3, 2, dtype=f64)), T(rand(4, 2, 5, dtype=f64))),
        lambda L, T: L.addbmm(T(rand(3, 5)), T(rand(0, 3, 2)), T(rand(0, 2, 5))),
        lambda L, T: L.addbmm(T(rand(3, 5)), T(rand(3, 2)), T(rand(4, 2, 5))),
        lambda L, T: L.addbmm(T(rand(3, 5)), T(rand(4, 3, 2)), T(rand(4, 3, 5))),
    ],
    "ADDBMM_": [
        lambda L, T: T(rand(3, 5)).addbmm_(T(rand(4, 3, 2)), T(rand(4, 2, 5))),
        lambda L, T: T(rand(3, 5)).addbmm_(T(rand(4, 3, 2)), T(rand(4, 2, 5)), alpha=0.5),
        lambda L, T: T(rand(5)).addbmm_(T(rand(4, 3, 2)), T(rand(4, 2, 5))),
    ],
    "VDOT": [
        lambda L, T: L.vdot(T(rand(5)), T(rand(5))),
        lambda L, T: T(rand(5, dtype=f64)).vdot(T(noncontig(rand(5, dtype=f64)))),
        lambda L, T: L.vdot(T(rand(5, dtype=i64)), T(rand(5, dtype=i64))),
        lambda L, T: L.vdot(T(rand(0)), T(rand(0))),
        lambda L, T: L.vdot(T(rand(5)), T(rand(5, dtype=f64))),
        lambda L, T: L.vdot(T(rand(5)), T(rand(4))),
        lambda L, T: L.vdot(T(rand(2, 2)), T(rand(2, 2))),
    ],
    "INNER": [
        lambda L, T: L.inner(T(rand(4)), T(rand(4))),
        lambda L, T: T(rand(2, 3, 4)).inner(T(rand(5, 4))),
        lambda L, T: L.inner(T(rand(3, 4)), T(np.float32(2.0))),
        lambda L, T: L.inner(T(np.float64(2.0)), T(rand(3, 4))),
        lambda L, T: L.inner(T(noncontig(rand(3, 4, dtype=f64))), T(rand(2, 4, dtype=f64))),
        lambda L, T: L.inner(T(rand(3, 4, dtype=i32)), T(rand(4, dtype=i32))),
        lambda L, T: L.inner(T(rand(0, 4)), T(rand(3, 4))),
        lambda L, T: L.inner(T(rand(3, 4)), T(rand(3))),
        lambda L, T: L.inner(T(rand(3, 4)), T(rand(4, dtype=f64))),
    ],
    "KRON": [
        lambda L, T: L.kron(T(rand(2, 3)), T(rand(3, 2))),
        lambda L, T: T(rand(2)).kron(T(rand(2, 3))),
        lambda L, T: L.kron(T(rand(2, 1, 3)), T(noncontig(rand(2, 2)))),
        lambda L, T: L.kron(T(rand(2, dtype=i32)), T(rand(2, 2))),
        lambda L, T: L.kron(T(np.float32(3.0)), T(rand(2, 2, dtype=f64))),
        lambda L, T: L.kron(T(rand(0, 2)), T(rand(2, 2))),
        lambda L, T: L.kron(T(rand(2, 2, dtype=b)), T(rand(2, dtype=b))),
    ],
    "CROSS": [
        lambda L, T: L.cross(T(rand(4, 3)), T(rand(4, 3)), dim=1),
        lambda L, T: T(rand(3, 4)).cross(T(rand(3, 4)), 0),
        lambda L, T: L.cross(T(rand(2, 3)), T(rand(1, 3)), dim=-1),
        lambda L, T: L.cross(T(noncontig(rand(2, 3, dtype=f64))), T(rand(2, 3, dtype=f64)), -1),
        lambda L, T: L.cross(T(rand(2, 3, dtype=i64)), T(rand(2, 3, dtype=i64)), 1),
        quiet(lambda L, T: L.cross(T(rand(3, 3)), T(rand(3, 3)))),
        quiet(lambda L, T: L.cross(T(rand(2, 3)), T(rand(2, 3)))),
        quiet(lambda L, T: L.cross(T(rand(2, 4)), T(rand(2, 4)))),
        lambda L, T: L.cross(T(rand(2, 4)), T(rand(2, 4)), dim=1),
        lambda L, T: L.cross(T(rand(2, 3)), T(rand(3)), dim=-1),
        lambda L, T: L.cross(T(rand(2, 3)), T(rand(2, 3)), dim=2),
        lambda L, T: L.cross(T(rand(0, 3)), T(rand(0, 3)), dim=1),
    ],
    "TENSORDOT": [
        lambda L, T: L.tensordot(T(rand(3, 4, 5)), T(rand(4, 5, 6)), 2),
        lambda L, T: L.tensordot(T(rand(3, 4, 5)), T(rand(5, 3, 2)), ([0, 2], [1, 0])),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(4, 3)), dims=([1], [0])),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(5, 6)), 0),
        lambda L, T: L.tensordot(T(noncontig(rand(3, 4, dtype=f64))), T(rand(4, 3, dtype=f64)), [[-1], [-2]]),
        lambda L, T: L.tensordot(T(rand(3, 1)), T(rand(4, 3)), ([1], [0])),
        lambda L, T: L.tensordot(T(rand(3, 4, dtype=i64)), T(rand(4, 2, dtype=i64)), 1),
        lambda L, T: L.tensordot(T(rand(0, 4)), T(rand(4, 2)), 1),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(4, 2, dtype=f64)), 1),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(3, 2)), 1),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(4, 2)), ([0, 1], [0])),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(4, 2)), 3),
        lambda L, T: L.tensordot(T(rand(3, 4)), T(rand(4, 2)), -1),
    ],
    "TRAPEZOID_X": [
        lambda L, T: L.trapezoid(T(rand(3, 4)), T(np.array([0, 1, 3, 4], dtype=f32))),
        lambda L, T: L.trapezoid(T(rand(3, 4)), T(rand(3, 4)), dim=0),
        lambda L, T: L.trapezoid(T(rand(3, 4, dtype=f64)), x=T(np.array([0, 1, 3], dtype=f64)), dim=-2),
        lambda L, T: L.trapezoid(T(rand(3, 4, dtype=i64)), T(rand(4, dtype=i64))),
        lambda L, T: L.trapezoid(T(noncontig(rand(2, 5))), T(rand(1, 5))),
        lambda L, T: L.trapezoid(T(rand(3, 0)), T(rand(0))),
        lambda L, T: L.trapezoid(T(rand(3, 4)), T(rand(3))),
        lambda L, T: L.trapezoid(T(np.float32(1.0)), T(rand(1))),
    ],
    "TRAPEZOID_DX": [
        lambda L, T: L.trapezoid(T(rand(3, 4))),
        lambda L, T: L.trapezoid(T(rand(3, 4)), dx=0.5),
        lambda L, T: L.trapezoid(T(rand(3, 4, dtype=f64)), dx=2, dim=0),
        lambda L, T: L.trapezoid(T(rand(3, 4, dtype=i32))),
        lambda L, T: L.trapezoid(T(noncontig(rand(3, 4)))),
        lambda L, T: L.trapezoid(T(rand(3, 1))),
        lambda L, T: L.trapezoid(T(rand(3, 0))),
        lambda L, T: L.trapezoid(T(np.float32(1.0))),
        lambda L, T: L.trapezoid(T(rand(3, 4)), dim=2),
    ],
    "TRAPZ_X": [
        lambda L, T: L.trapz(T(rand(3, 4)), T(np.array([0, 1, 3, 4], dtype=f32))),
        lambda L, T: L.trapz(T(rand(3, 4)), T(rand(3, 4)), dim=0),
        lambda L, T: L.trapz(T(rand(3, 4)), T(rand(5))),
    ],
    "TRAPZ_DX": [
        lambda L, T: L.trapz(T(rand(3, 4))),
        lambda L, T: L.trapz(T(rand(3, 4, dtype=f64)), dx=0.25, dim=0),
        lambda L, T: L.trapz(T(rand(2, 0))),
    ],
}
