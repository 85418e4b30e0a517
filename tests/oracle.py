"""Differential test harness: run the same case against pyts and PyTorch 2.13 (and NumPy where
useful) and compare values, dtypes, shapes, and error-or-not.

A case is a function ``f(lib, T)``: ``lib`` is ``pyts`` or ``torch``; ``T(array)`` turns a NumPy
array into a tensor of that library sharing the array's strides (so non-contiguous inputs are
made with NumPy slicing or transposes, without relying on the library's own view ops).
Per-topic case tables live in ``tests/cases/cases_<topic>.py`` as ``CASES = {"OP_ID": [f, ...]}``
keyed by registry row ids (``pyts._C._ops()``); ``tests/test_ops.py`` runs them all and fails for
any registry row without a case.
"""
from __future__ import annotations

import importlib
import pathlib

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _reseed(seed=1234):
    """Both libraries see the same inputs: the generator restarts before each run."""
    global RNG
    RNG = np.random.default_rng(seed)


def T_pyts(a):
    a = np.asarray(a)
    return pyts.from_numpy(a) if a.dtype != object else pyts.tensor(a.tolist())


def T_torch(a):
    a = np.asarray(a)
    if any(s < 0 for s in a.strides) or a.dtype.byteorder == ">":
        a = a.copy()
    # torch.from_numpy keeps strides; same inputs as pyts
    return torch.from_numpy(a)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    """Random array; float in [low, high), ints in [low, high], bool 50/50."""
    RNG = globals()["RNG"]
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return RNG.random(shape) < 0.5
    if dt.kind in "iu":
        lo = max(int(low), np.iinfo(dt).min)
        return RNG.integers(lo, int(high) + 1, size=shape).astype(dt)
    return (RNG.random(shape) * (high - low) + low).astype(dt)


def noncontig(a):
    """A non-contiguous view with the same values as `a` (every other column of a wider array)."""
    a = np.asarray(a)
    if a.ndim == 0:
        return a
    wide = np.empty(a.shape[:-1] + (a.shape[-1] * 2,), dtype=a.dtype)
    wide[..., ::2] = a
    return wide[..., ::2]


def to_numpy(x):
    if isinstance(x, pyts.Tensor):
        x = x.detach()   # numpy() refuses a tensor that requires grad, as torch's
        return x.numpy() if x.dtype not in (pyts.bfloat16,) else x.float().numpy()
    if isinstance(x, torch.Tensor):
        x = x.detach()
        return x.numpy() if x.dtype != torch.bfloat16 else x.float().numpy()
    return x


def dtype_name(x):
    return str(x.dtype).split(".")[-1]


def assert_same(p, t, rtol=1e-5, atol=1e-6, path="result"):
    """pyts result p against torch result t."""
    if isinstance(t, torch.Tensor):
        assert isinstance(p, pyts.Tensor), f"{path}: expected a Tensor, got {type(p).__name__}"
        assert dtype_name(p) == dtype_name(t), f"{path}: dtype {p.dtype} != torch {t.dtype}"
        assert tuple(p.shape) == tuple(t.shape), f"{path}: shape {tuple(p.shape)} != torch {tuple(t.shape)}"
        pn, tn = to_numpy(p), to_numpy(t)
        if pn.dtype.kind in "fc":  # complex64/complex128 compare like floats
            tol = 1e-2 if dtype_name(t) in ("float16", "bfloat16") else None
            np.testing.assert_allclose(pn, tn, rtol=tol or rtol, atol=tol or atol, equal_nan=True,
                                       err_msg=path)
        else:
            np.testing.assert_array_equal(pn, tn, err_msg=path)
    elif isinstance(t, (tuple, list)):
        assert isinstance(p, (tuple, list)), f"{path}: expected a sequence, got {type(p).__name__}"
        assert len(p) == len(t), f"{path}: length {len(p)} != torch {len(t)}"
        for i, (a, b) in enumerate(zip(p, t)):
            assert_same(a, b, rtol, atol, f"{path}[{i}]")
    elif isinstance(t, torch.Size):
        assert tuple(p) == tuple(t), path
    elif isinstance(t, float):
        assert isinstance(p, float), f"{path}: expected float, got {type(p).__name__}"
        np.testing.assert_allclose(p, t, rtol=rtol, atol=atol, equal_nan=True)
    elif isinstance(t, torch.dtype):
        assert str(p).split(".")[-1] == str(t).split(".")[-1], path
    else:
        assert p == t and type(p) is type(t), f"{path}: {p!r} != torch {t!r}"


def run_case(f, rtol=1e-5, atol=1e-6):
    """Run f on both libraries; both must succeed with equal results or both raise the same
    exception type."""
    _reseed()
    try:
        t = f(torch, T_torch)
        t_exc = None
    except Exception as e:  # noqa: BLE001 - the oracle decides
        t, t_exc = None, e
    _reseed()
    try:
        p = f(pyts, T_pyts)
        p_exc = None
    except Exception as e:  # noqa: BLE001
        p, p_exc = None, e
    if t_exc is not None:
        assert p_exc is not None, f"torch raised {type(t_exc).__name__}: {t_exc}; pyts returned {p!r}"
        assert isinstance(p_exc, _exc_family(t_exc)), (
            f"torch raised {type(t_exc).__name__}: {t_exc}\npyts raised {type(p_exc).__name__}: {p_exc}")
        return
    if p_exc is not None:
        raise AssertionError(f"pyts raised {type(p_exc).__name__}: {p_exc}; torch returned {t!r}") from p_exc
    assert_same(p, t, rtol, atol)


def _exc_family(e):
    # torch raises RuntimeError subclasses in places; accept the builtin base it derives from
    for base in (IndexError, TypeError, ValueError, NotImplementedError, RuntimeError):
        if isinstance(e, base):
            return base
    return Exception


def load_cases():
    """All CASES tables, merged: {op_id: [case, ...]}."""
    out: dict[str, list] = {}
    here = pathlib.Path(__file__).parent / "cases"
    for f in sorted(here.glob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(f"cases.{f.stem}", f)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for k, v in mod.CASES.items():
            out.setdefault(k, []).extend(v)
    return out
