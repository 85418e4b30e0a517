"""Complex tensors (complex64 / complex128) against torch 2.13: creation, dtype facts, printing
byte for byte, NumPy sharing both ways, type promotion, conversions, refusals with torch's
messages, autograd recording, scripted functions and archives both ways. The per-row differential
cases are in tests/cases/cases_complex_tensor.py."""
import io
import math
import warnings

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")


def both(f):
    return f(pyts), f(torch)


def same_repr(p, t):
    assert repr(p) == repr(t).replace("torch.", "pyts."), (repr(p), repr(t))


# ---- creation and dtype facts ----------------------------------------------------------------
@pytest.mark.parametrize("data", [
    [1 + 2j, 3], 1j, -0.5 - 0.25j, [[1e5 + 2j, -3.5j], [0.001, 1e-5j]], [1e10 + 1j], [1e-5 + 1e5j, 2],
    [float("nan") + 1j, float("inf") - 2j, complex(0, float("nan"))], [[1.25 + 1j, -2j]], [1 + 1j] * 300,
    [[0j, -0.0 + 0j]], [2j, 4j], [[[1 + 1j, 2], [3, 4 - 1j]]], [complex(-1e-9, 3)] * 2000,
])
@pytest.mark.parametrize("dtype", [None, "complex64", "complex128"])
def test_repr_matches_torch(data, dtype):
    p, t = both(lambda L: L.tensor(data, dtype=getattr(L, dtype) if dtype else None))
    same_repr(p, t)
    assert p.dtype.is_complex and str(p.dtype) == str(t.dtype).replace("torch", "pyts")


def test_repr_empty_and_options():
    for shape in [(0,), (2, 0)]:
        p, t = both(lambda L: L.zeros(shape, dtype=L.complex64))
        same_repr(p, t)
    p, t = both(lambda L: L.ones(3, dtype=L.complex128) * (1 + 1j) / 3)
    try:
        for lib in (pyts, torch):
            lib.set_printoptions(precision=2, linewidth=30, sci_mode=True)
        same_repr(p, t)
    finally:
        for lib in (pyts, torch):
            lib.set_printoptions(profile="default")
            lib.set_printoptions(sci_mode=None)


def test_default_dtype_picks_the_complex_dtype():
    try:
        for lib in (pyts, torch):
            lib.set_default_dtype(lib.float64)
        for f in [lambda L: L.tensor([1j]), lambda L: L.tensor([1j], dtype=L.complex64),
                  lambda L: L.ones(2, dtype=L.float32) * 1j, lambda L: L.tensor(1j), lambda L: L.ones(2) * 1j]:
            p, t = both(f)
            same_repr(p, t)
    finally:
        for lib in (pyts, torch):
            lib.set_default_dtype(lib.float32)


def test_dtype_objects():
    for name in ["complex64", "complex128", "cfloat", "cdouble"]:
        p, t = getattr(pyts, name), getattr(torch, name)
        assert str(p) == str(t).replace("torch", "pyts")
        assert (p.is_complex, p.is_floating_point, p.is_signed, p.itemsize) == \
               (t.is_complex, t.is_floating_point, t.is_signed, t.itemsize)
    assert pyts.cfloat is pyts.complex64 and pyts.cdouble is pyts.complex128
    assert not pyts.float32.is_complex
    x = pyts.tensor([1j])
    assert x.is_complex() and not x.is_floating_point() and x.element_size() == 8
    assert pyts.tensor([1j], dtype=pyts.cdouble).element_size() == 16


def test_python_conversions():
    p, t = both(lambda L: L.tensor([[1 + 2j, 3], [-1j, 0]]))
    assert p.tolist() == t.tolist()
    assert p[0, 0].item() == t[0, 0].item() and type(p[0, 0].item()) is complex
    assert complex(p[1, 0]) == complex(t[1, 0])
    assert bool(pyts.tensor(1j)) is True and bool(pyts.tensor(0j)) is False
    assert float(pyts.tensor(1.5 + 0j)) == 1.5 and int(pyts.tensor(2 + 0j)) == 2
    for conv, msg in [(float, "double"), (int, "int64_t")]:
        with pytest.raises(RuntimeError, match=f"value cannot be converted to type {msg} without overflow"):
            conv(torch.tensor(1j))
        with pytest.raises(RuntimeError, match=f"value cannot be converted to type {msg} without overflow"):
            conv(pyts.tensor(1j))
    assert f"{pyts.tensor(1 + 2j):.1f}" == f"{torch.tensor(1 + 2j):.1f}"


def test_from_data_errors_match():
    for f in [lambda L: L.tensor([1j], dtype=L.float32), lambda L: L.tensor([1j], dtype=L.int64),
              lambda L: L.tensor([1.0, 2j], dtype=L.float64)]:
        with pytest.raises(TypeError):
            f(torch)
        with pytest.raises(TypeError):
            f(pyts)
    p, t = both(lambda L: L.tensor([1j, 2], dtype=L.bool))
    assert p.tolist() == t.tolist()
    p, t = both(lambda L: L.tensor([L.tensor(1j), 2]))
    same_repr(p, t)


# ---- NumPy -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", [np.complex64, np.complex128])
def test_numpy_shares_memory_both_ways(dt):
    a = (np.arange(6) + 1j * np.arange(6)[::-1]).astype(dt).reshape(2, 3)
    x = pyts.from_numpy(a)
    assert str(x.dtype) == "pyts." + np.dtype(dt).name
    a[0, 0] = 7 - 7j
    assert x[0, 0].item() == 7 - 7j
    b = x.numpy()
    assert b.dtype == dt and np.shares_memory(a, b)
    x.mul_(1j)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pyts.from_numpy(a[:, ::2]).numpy(), a[:, ::2])
    np.testing.assert_array_equal(pyts.tensor(a.T).numpy(), a.T)


# ---- promotion and conversion ------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L: L.ones(2) * 1j, lambda L: L.ones(2, dtype=L.float64) * 1j, lambda L: L.ones(2, dtype=L.int64) + 1j,
    lambda L: L.ones(2, dtype=L.bool) * 2j, lambda L: 1j - L.ones(2), lambda L: 1j / L.ones(2, dtype=L.float64),
    lambda L: L.ones(2, dtype=L.complex64) + L.ones(2, dtype=L.float64),
    lambda L: L.ones(2, dtype=L.complex64) + L.tensor(1.0, dtype=L.float64),
    lambda L: L.tensor(1j, dtype=L.complex128) + L.ones(2),
    lambda L: L.ones(2, dtype=L.int32) + L.tensor(1j),
    lambda L: L.ones(2, dtype=L.complex128) * L.ones(2, dtype=L.complex64),
    lambda L: L.ones(2) ** (1 + 1j), lambda L: (1 + 1j) ** L.ones(2, dtype=L.float64),
])
def test_promotion(make):
    p, t = both(make)
    same_repr(p, t)


def test_promote_types_and_casting():
    for a, b in [("complex64", "float64"), ("complex64", "float16"), ("complex128", "int8"),
                 ("complex64", "complex128"), ("bool", "complex64"), ("bfloat16", "complex64")]:
        assert str(pyts.promote_types(getattr(pyts, a), getattr(pyts, b))) == \
               str(torch.promote_types(getattr(torch, a), getattr(torch, b))).replace("torch", "pyts")
    x = pyts.tensor([1 + 2j, -3.5 - 1j])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.tensor([1 + 2j, -3.5 - 1j])
        for d in ["float32", "float64", "int64", "int8", "bool", "float16", "complex128"]:
            assert x.to(getattr(pyts, d)).tolist() == t.to(getattr(torch, d)).tolist(), d
    # a real out= / in-place target cannot take a complex result
    for f in [lambda L: L.ones(2).add_(L.ones(2, dtype=L.complex64)),
              lambda L: L.mul(L.ones(2), 1j, out=L.zeros(2))]:
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type Float"):
            f(pyts)
        with pytest.raises(RuntimeError):
            f(torch)


# ---- views ----------------------------------------------------------------------------------
def test_real_imag_are_views():
    x = pyts.tensor([1 + 2j, 3 - 4j])
    x.real.mul_(10)
    x.imag[1] = 0.5
    assert x.tolist() == [10 + 2j, 30 + 0.5j]
    x.real = pyts.tensor([1.0, 2.0])
    x.imag = 7
    assert x.tolist() == [1 + 7j, 2 + 7j]
    r = pyts.view_as_real(x)
    r[0, 1] = -1
    assert x[0].item() == 1 - 1j and r.shape == (2, 2)
    c = pyts.view_as_complex(r)
    c.mul_(2)
    assert x.tolist() == [2 - 2j, 4 + 14j]
    y = pyts.tensor([1.0, 2.0])
    assert y.real is not None and y.real.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes."):
        y.imag
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes."):
        torch.ones(2).imag


# ---- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    lambda L, x: L.clamp(x, min=0), lambda L, x: x.floor(), lambda L, x: x.ceil(), lambda L, x: x.sign(),
    lambda L, x: x.argmax(), lambda L, x: x.max(), lambda L, x: L.maximum(x, x), lambda L, x: x < x,
    lambda L, x: L.sort(x), lambda L, x: L.topk(x, 1), lambda L, x: L.relu(x), lambda L, x: L.fmod(x, x),
    lambda L, x: L.remainder(x, x), lambda L, x: L.arange(5, dtype=L.complex64), lambda L, x: L.erf(x),
    lambda L, x: x.round(), lambda L, x: L.nansum(x), lambda L, x: L.isposinf(x), lambda L, x: L.isneginf(x),
    lambda L, x: L.deg2rad(x), lambda L, x: L.rad2deg(x), lambda L, x: L.msort(x), lambda L, x: x.cummax(0),
    lambda L, x: L.nn.functional.softmax(x, 0), lambda L, x: L.nn.functional.mse_loss(x, x),
])
def test_refusals_match_torch(f):
    x_p, x_t = pyts.tensor([1 + 2j, 3]), torch.tensor([1 + 2j, 3])
    with pytest.raises(Exception) as et:
        f(torch, x_t)
    with pytest.raises(Exception) as ep:
        f(pyts, x_p)
    assert isinstance(ep.value, type(et.value)) or (
        isinstance(et.value, RuntimeError) and isinstance(ep.value, RuntimeError)), (ep.value, et.value)
    tmsg, pmsg = str(et.value), str(ep.value)
    # the wording where torch has its own sentence; kernel names (round_vml_cpu) may differ
    if "not implemented for 'Complex" not in tmsg:
        assert pmsg.replace("pyts", "torch") == tmsg


def test_unsupported_complex_op_names_the_dtype():
    with pytest.raises(NotImplementedError, match="\"cummax_cpu\" not implemented for 'ComplexDouble'"):
        pyts.tensor([1j], dtype=pyts.complex128).cummax(0)
    with pytest.raises(NotImplementedError, match="'ComplexFloat'"):
        pyts.nn.functional.softmax(pyts.tensor([1j, 2]), 0)


def test_autograd_records_complex_ops():
    # these were refused before complex autograd (tests/test_complex_autograd.py checks the values)
    for f, name in [(lambda L: L.tensor([1j], requires_grad=True) * 2, "MulBackward0"),
                    (lambda L: L.tensor([1j]).requires_grad_().exp(), "ExpBackward0"),
                    (lambda L: L.ones(2, requires_grad=True) * 1j, "MulBackward0"),
                    (lambda L: L.ones(2, requires_grad=True).to(L.complex64), "ToCopyBackward0"),
                    (lambda L: L.ones(2, requires_grad=True) + L.tensor([1j, 2]), "AddBackward0")]:
        p, t = both(f)
        assert type(p.grad_fn).__name__ == type(t.grad_fn).__name__ == name
        assert str(p.dtype) == str(t.dtype).replace("torch", "pyts")
    with pyts.no_grad():
        assert (pyts.ones(2, requires_grad=True) * 1j).dtype == pyts.complex64
    # comparisons record nothing
    assert (pyts.ones(2, requires_grad=True) == pyts.tensor([1j, 1])).tolist() == [False, True]
    # a row with no complex kernel keeps its own refusal under autograd
    for L in (pyts, torch):
        with pytest.raises(RuntimeError, match="clamp is not supported for complex types"):
            L.tensor([1j], requires_grad=True).clamp(0, 1)


# ---- scripted code and archives ------------------------------------------------------------------
SRC = '''
import {lib}
from {lib} import Tensor

def f(x: Tensor, a: complex):
    y = x * 2j + a
    z = {lib}.tensor(1j) + {lib}.tensor(2 - 1j, dtype={lib}.complex128)
    w = x.cfloat() * y.imag - x.cdouble()
    return (y.sum() + z, y.abs(), {lib}.view_as_real(y), y.real, y.conj().resolve_conj(), w,
            y == a, {lib}.matmul(y, y.t()), y.mean(1), {lib}.exp(y) / (y - 1j))
'''


def _script(tmp_path, lib):
    import importlib.util
    p = tmp_path / f"cxmod_{lib.__name__}.py"
    p.write_text(SRC.format(lib=lib.__name__))
    spec = importlib.util.spec_from_file_location(p.stem, p)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return lib.jit.script(m.f)


def test_scripted_complex_tensor_ops(tmp_path):
    fp, ft = _script(tmp_path, pyts), _script(tmp_path, torch)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    rp, rt = fp(pyts.from_numpy(x), 1 - 1j), ft(torch.from_numpy(x), 1 - 1j)
    assert len(rp) == len(rt)
    for a, b in zip(rp, rt):
        np.testing.assert_allclose(a.numpy(), b.resolve_conj().numpy(), rtol=1e-5)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert fp.code == ft.code
    # the same function loaded from torch's archive runs in pyts
    buf = io.BytesIO()
    torch.jit.save(ft, buf)
    buf.seek(0)
    lp = pyts.jit.load(buf)
    for a, b in zip(lp(pyts.from_numpy(x), 2j), ft(torch.from_numpy(x), 2j)):
        np.testing.assert_allclose(a.numpy(), b.resolve_conj().numpy(), rtol=1e-5)


class _Holder:
    pass


def _module(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("w", lib.tensor([[1 + 2j, -3j], [0.5, 4]]))
            self.register_buffer("d", lib.tensor([1j, 2], dtype=lib.complex128))

        def forward(self, x):
            return self.w @ x.to(self.w.dtype) + self.d.sum()
    return lib.jit.script(M())


def test_archives_both_ways():
    mp, mt = _module(pyts), _module(torch)
    x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype=np.float32)
    want = mt(torch.from_numpy(x)).numpy()
    # pyts saves, torch loads
    buf = io.BytesIO()
    pyts.jit.save(mp, buf)
    buf.seek(0)
    lt = torch.jit.load(buf)
    assert lt.w.dtype == torch.complex64 and lt.d.dtype == torch.complex128
    np.testing.assert_allclose(lt(torch.from_numpy(x)).numpy(), want, rtol=1e-6)
    # torch saves, pyts loads
    buf = io.BytesIO()
    torch.jit.save(mt, buf)
    buf.seek(0)
    lp = pyts.jit.load(buf)
    assert lp.w.dtype == pyts.complex64 and lp.d.dtype == pyts.complex128
    np.testing.assert_allclose(lp(pyts.from_numpy(x)).numpy(), want, rtol=1e-6)
    assert lp.d.tolist() == [1j, 2 + 0j]
    assert math.isclose(abs(lp.w[0, 0].item()), math.sqrt(5), rel_tol=1e-6)


def test_conjugate_transpose_and_conj_values():
    p, t = both(lambda L: L.tensor([[1 + 2j, 3], [4j, -1 - 1j]]))
    assert p.H.tolist() == t.H.resolve_conj().tolist()
    assert p.mH.tolist() == t.mH.resolve_conj().tolist()
    # torch's conj is a lazy view (is_conj() True); pyts materialises it: same values, no bit
    assert p.conj().tolist() == t.conj().resolve_conj().tolist() and t.conj().is_conj()
    assert not p.conj().is_conj() and p.conj().resolve_conj().tolist() == p.conj().tolist()
    r = pyts.tensor([1.0, -2.0])
    assert pyts.conj(r) is r and pyts.real(r) is r and r.view(1, 2).H.tolist() == [[1.0], [-2.0]]


def test_item_assignment():
    p, t = both(lambda L: L.zeros(3, dtype=L.complex64))
    for x in (p, t):
        x[1] = 2 - 1j
        x[2] = 4
        x[0:1] = x[1:2] * 1j
    assert p.tolist() == t.tolist()
    p, t = both(lambda L: L.zeros(2))
    for x in (p, t):
        x[0] = 1 + 0j
    assert p.tolist() == t.tolist()
    for x in (pyts.zeros(2), torch.zeros(2)):
        with pytest.raises(RuntimeError, match="value cannot be converted to type float without overflow"):
            x[0] = 1j


# ---- session 8: ops that took complex operands later -----------------------------------------
def test_complex32_is_refused_clearly():
    """torch's complex32 (ComplexHalf) is experimental on CPU (no sum, exp, matmul, numpy);
    pyts has no such dtype and says so by name."""
    for name in ("complex32", "chalf"):
        assert getattr(torch, name) is torch.complex32
        with pytest.raises(AttributeError, match="does not support complex32"):
            getattr(pyts, name)


def test_conj_materialises():
    """torch's conj() is a lazy view (is_conj True, shares storage); pyts's computes the values
    (is_conj False, a new tensor), and both agree once resolved."""
    x_p, x_t = pyts.tensor([1 + 2j, -3j]), torch.tensor([1 + 2j, -3j])
    c_p, c_t = x_p.conj(), x_t.conj()
    assert c_t.is_conj() and not c_p.is_conj()
    np.testing.assert_array_equal(c_p.numpy(), c_t.resolve_conj().numpy())
    x_p[0] = 5
    assert c_p[0].item() == 1 - 2j   # a copy: the later write to x does not show


def test_new_ops_chain_matches_torch():
    """A chain through rows that refused complex operands before: products, scans, var, where,
    scatter_add, index_put, linalg, isclose."""
    rng = np.random.default_rng(5)
    a = (rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))).astype(np.complex128)
    v = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex128)

    def chain(L, A, b):
        inv = L.linalg.inv(A)
        y = L.addmv(b, inv, b, beta=0.5, alpha=1 - 1j)
        z = L.where(y.real > 0, y.cumsum(0), y.cumprod(0))
        w = L.zeros(4, dtype=L.complex128).scatter_add(0, L.tensor([0, 0, 3, 1]), z)
        w = w.index_put((L.tensor([2]),), L.tensor(1j, dtype=L.complex128), accumulate=True)
        out = [L.linalg.det(A), L.vdot(w, b), L.outer(w, b).var(1), L.isclose(A @ inv, L.eye(4, dtype=L.complex128),
                                                                              atol=1e-9)]
        return out + [L.linalg.solve(A, b), L.sgn(w).prod(), A.tril().log1p().mean()]

    for p, t in zip(chain(pyts, pyts.from_numpy(a), pyts.from_numpy(v)), chain(torch, torch.from_numpy(a), torch.from_numpy(v))):
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(p.numpy(), t.resolve_conj().numpy(), rtol=1e-9, atol=1e-12)


SRC8 = """
import {lib}
from {lib} import Tensor


def g(x: Tensor, m: Tensor):
    y = {lib}.where(m, x.cumsum(0), x.sgn())
    return y.prod(), y.var(), {lib}.linalg.det({lib}.outer(y, y) + {lib}.eye(3)), y.isnan().any(), y.asinh()
"""


def test_scripted_new_complex_ops(tmp_path):
    import importlib.util
    outs = []
    for lib in (pyts, torch):
        p = tmp_path / f"cx8_{lib.__name__}.py"
        p.write_text(SRC8.format(lib=lib.__name__))
        spec = importlib.util.spec_from_file_location(p.stem, p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        f = lib.jit.script(m.g)
        x = lib.tensor([1 + 1j, -2j, 0.5], dtype=lib.complex64)
        outs.append(f(x, lib.tensor([True, False, True])))
    for a, b in zip(*outs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
