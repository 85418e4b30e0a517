"""ops_math.def beyond the row cases: the functions scripted (pyts.jit.script resolves the rows by
schema) against torch.jit.script, values and .code; special-function accuracy over wide ranges;
the aliases record their primary op's node; positive returns its input."""
import numpy as np
import pytest

import torch

import pyts


def _both(fn, *arrays):
    """fn scripted by both libraries, run on the same inputs"""
    p = pyts.jit.script(fn)(*[pyts.from_numpy(a.copy()) for a in arrays])
    t = torch.jit.script(fn)(*[torch.from_numpy(a.copy()) for a in arrays])
    return p, t


def _same(p, t, rtol=1e-6, atol=1e-7):
    if isinstance(t, (tuple, list)):
        assert len(p) == len(t)
        for a, b in zip(p, t):
            _same(a, b, rtol, atol)
    else:
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def unary_fn(x):
    y = torch.acos(x.clamp(-1, 1)) + torch.arcsinh(x) - x.atanh().nan_to_num(0.0)
    z = torch.erfinv(x / 3) * torch.lgamma(x.abs() + 1) + torch.digamma(x + 3.0).square()
    w = torch.logit(x.sigmoid(), eps=1e-6) + torch.polygamma(1, x.abs() + 0.5) + x.sinc()
    return y, z, w, torch.signbit(x), torch.frac(x), torch.exp2(x).log10(), x.deg2rad().rad2deg()


def binary_fn(x, y):
    a = torch.atan2(x, y) + torch.hypot(x, y) - torch.logaddexp(x, y) + torch.logaddexp2(x, y)
    b = torch.xlogy(x, y.abs()) + torch.copysign(x, y) + torch.fmax(x, y) - torch.fmin(x, y)
    c = torch.float_power(x.abs(), y) + torch.ldexp(x, y.round())
    return a, b, c, torch.nextafter(x, y), torch.heaviside(x, y)


def int_fn(a, b):
    return torch.gcd(a, b), torch.lcm(a, b), a.square(), torch.sgn(a), torch.isposinf(a)


def inplace_fn(x):
    y = x.clone()
    y.asin_()
    y.mul_(2.0).cosh_()
    y.xlogy_(2.0)
    torch.negative_(y)
    return y, torch.frexp(x)[0], torch.frexp(x)[1]


@pytest.mark.parametrize("fn,make", [
    (unary_fn, lambda r: (r.uniform(-0.99, 0.99, (4, 5)),)),
    (binary_fn, lambda r: (r.uniform(-3, 3, (4, 5)), r.uniform(-3, 3, (5,)))),
    (int_fn, lambda r: (r.integers(-30, 30, (4, 5)), r.integers(-30, 30, (4, 5)))),
    (inplace_fn, lambda r: (r.uniform(-0.4, 0.4, (3, 4)),)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scripted_math(fn, make, dtype):
    arrays = make(np.random.default_rng(5))
    if arrays[0].dtype.kind == "f":
        arrays = tuple(a.astype(dtype) for a in arrays)
    _same(*_both(fn, *arrays), rtol=1e-5, atol=1e-6)
    assert pyts.jit.script(fn).code == torch.jit.script(fn).code


def test_scripted_graph_names_the_rows():
    g = str(pyts.jit.script(binary_fn).graph)
    for name in ("aten::atan2", "aten::hypot", "aten::xlogy", "aten::float_power", "aten::ldexp",
                 "aten::nextafter", "aten::heaviside"):
        assert name in g, name


@pytest.mark.parametrize("name,lo,hi", [("digamma", -30.0, 60.0), ("lgamma", -30.0, 60.0),
                                         ("erfinv", -1.0, 1.0), ("i0", -700.0, 700.0),
                                         ("erfc", -10.0, 27.0), ("sinc", -50.0, 50.0)])
def test_special_functions_wide_range(name, lo, hi):
    """float64 special functions over a wide range against torch (relative 1e-12)."""
    x = np.linspace(lo, hi, 2001)
    p = getattr(pyts, name)(pyts.from_numpy(x)).numpy()
    t = getattr(torch, name)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(p, t, rtol=1e-12, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_polygamma_wide_range(n):
    x = np.linspace(-9.7, 40.0, 997)
    p = pyts.polygamma(n, pyts.from_numpy(x)).numpy()
    t = torch.polygamma(n, torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(p, t, rtol=1e-10, equal_nan=True)


@pytest.mark.parametrize("alias,primary", [("arccos", "AcosBackward0"), ("absolute", "AbsBackward0"),
                                           ("negative", "NegBackward0"), ("fix", "TruncBackward0"),
                                           ("square", "PowBackward0"), ("arctanh", "AtanhBackward0")])
def test_alias_records_primary_node(alias, primary):
    x = pyts.tensor([0.25, -0.5], requires_grad=True)
    y = getattr(pyts, alias)(x)
    assert type(y.grad_fn).__name__ == primary == type(getattr(torch, alias)(torch.tensor([0.25, -0.5], requires_grad=True)).grad_fn).__name__


def test_positive_returns_input():
    x = pyts.tensor([1.0, -2.0])
    assert pyts.positive(x) is x or pyts.positive(x).data_ptr() == x.data_ptr()


def test_float_power_records_to_copy():
    """float32 input: torch converts with .to(double) first, so the graph holds ToCopyBackward0"""
    x = pyts.tensor([1.5, 2.0], requires_grad=True)
    y = pyts.float_power(x, 2)
    t = torch.float_power(torch.tensor([1.5, 2.0], requires_grad=True), 2)
    assert type(y.grad_fn).__name__ == type(t.grad_fn).__name__
    assert [type(f).__name__ for f, _ in y.grad_fn.next_functions] == \
        [type(f).__name__ for f, _ in t.grad_fn.next_functions]
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
