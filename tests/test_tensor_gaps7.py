"""Everyday tensor behaviours closed in session 7, compared with torch 2.13: x.numpy() refuses a
tensor that requires grad while grad mode is on (force=True detaches), np.asarray / np.array of a
tensor go through x.numpy() (they made object arrays before), and isclose / allclose on float16
and bfloat16 round every step to the input dtype as ATen's tensor ops do."""
import numpy as np
import pytest
import torch

import pyts


def _outcome(f, lib):
    try:
        return "ok", f(lib)
    except Exception as e:  # noqa: BLE001 (class and message are compared)
        return "raise", e


def _same(f):
    kt, vt = _outcome(f, torch)
    kp, vp = _outcome(f, pyts)
    assert kp == kt, (vp, vt)
    if kt == "raise":
        assert type(vp) is type(vt) and str(vp) == str(vt)
    else:
        assert type(vp) is type(vt), (vp, vt)
        if isinstance(vt, np.ndarray):
            assert vp.dtype == vt.dtype and vp.shape == vt.shape
            np.testing.assert_array_equal(vp, vt)
        else:
            assert vp == vt


NUMPY = {
    "leaf": lambda L: L.ones(2, requires_grad=True).numpy(),
    "nonleaf": lambda L: (L.ones(2, requires_grad=True) * 2).numpy(),
    "force": lambda L: L.ones(2, requires_grad=True).numpy(force=True),
    "force_nonleaf": lambda L: (L.ones(2, 3, requires_grad=True) * 2).numpy(force=True),
    "detach": lambda L: (L.ones(2, requires_grad=True) * 2).detach().numpy(),
    "plain": lambda L: L.arange(6).view(2, 3).numpy(),
    "positional": lambda L: L.ones(2).numpy(True),
    "asarray": lambda L: np.asarray(L.arange(6).view(2, 3)),
    "asarray_grad": lambda L: np.asarray(L.ones(2, requires_grad=True)),
    "asarray_dtype": lambda L: np.asarray(L.ones(2, 3), dtype=np.float64),
    "array_copy": lambda L: np.array(L.arange(3.0)[::2]),
    "array_bool": lambda L: np.array(L.tensor([True, False])),
    "array_0d": lambda L: np.asarray(L.tensor(3.5)),
}


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_numpy(name):
    _same(NUMPY[name])


def test_numpy_in_no_grad():
    """torch checks requires_grad only while grad mode is on"""
    for L in (torch, pyts):
        x = L.ones(3, requires_grad=True)
        with L.no_grad():
            a = x.numpy()
        assert a.tolist() == [1.0, 1.0, 1.0]


def test_asarray_shares_memory():
    x = pyts.zeros(3)
    a = np.asarray(x)
    a[1] = 5
    assert x.tolist() == [0.0, 5.0, 0.0]


def _pairs(seed, n=4000):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal(n).astype(np.float32) * 10.0 ** rng.integers(-6, 4, n)
    pert = base * (1 + rng.standard_normal(n).astype(np.float32) * 10.0 ** rng.integers(-5, -1, n))
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 65504.0, 1.0], dtype=np.float32)
    return np.concatenate([base, special, special]), np.concatenate([pert, special, special[::-1]])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("rtol,atol,equal_nan", [(1e-5, 1e-8, False), (1e-3, 1e-5, True), (1e-2, 0.0, False),
                                                 (0.0, 1e-3, False), (0.05, 0.0, True)])
def test_isclose_low_precision(dtype, rtol, atol, equal_nan):
    """borderline pairs decide as torch's: every step rounded to the input dtype"""
    a, b = _pairs(int(rtol * 1e6) + len(dtype))
    ta, tb = torch.tensor(a).to(getattr(torch, dtype)), torch.tensor(b).to(getattr(torch, dtype))
    pa, pb = pyts.tensor(a).to(getattr(pyts, dtype)), pyts.tensor(b).to(getattr(pyts, dtype))
    rt = torch.isclose(ta, tb, rtol=rtol, atol=atol, equal_nan=equal_nan).numpy()
    rp = pyts.isclose(pa, pb, rtol=rtol, atol=atol, equal_nan=equal_nan).numpy()
    np.testing.assert_array_equal(rp, rt)
    assert pyts.allclose(pa[:50], pb[:50], rtol=rtol, atol=atol) == torch.allclose(ta[:50], tb[:50], rtol=rtol, atol=atol)


def test_isclose_half_borderline():
    """a pair float32 arithmetic calls far apart and half arithmetic close (torch: close)"""
    a, b = [-0.0205230712890625], [-0.0204925537109375]
    for L in (torch, pyts):
        x, y = L.tensor(a, dtype=L.float16), L.tensor(b, dtype=L.float16)
        assert L.isclose(x, y, rtol=1e-3, atol=1e-5).tolist() == [True]
