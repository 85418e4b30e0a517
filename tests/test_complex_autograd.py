"""Autograd for complex tensors against torch 2.13: for every row with a complex kernel, the
gradients of real losses ((f(x).abs()**2).sum() and f(x).real.sum()) on the same complex128
inputs as torch's, central finite differences over the real and imaginary parts (torch's
convention: the gradient is dL/dRe + 1j dL/dIm, real inputs get the real part), second
derivatives through create_graph, node names, and the errors (implicit gradient of a complex
output, grad_output dtype mismatch)."""
import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")


def carr(*shape, seed=0, real=False, pos=False):
    rng = np.random.default_rng(seed + 17 * len(shape) + sum(shape))
    a = rng.uniform(0.3, 1.5, shape) * rng.choice([-1, 1], shape) if not pos else rng.uniform(0.3, 1.5, shape)
    if real:
        return a
    return a + 1j * rng.uniform(-1.2, 1.2, shape)


def leaf(L, a, grad=True):
    t = L.from_numpy(np.array(a, copy=True))
    return t.requires_grad_() if grad else t


def npy(t):
    return t.detach().resolve_conj().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def loss_abs2(y):
    return (y.abs() ** 2).sum()


def loss_real(y):
    return y.real.sum()


def loss_mix(y):   # a complex weight mixes real and imaginary parts
    w = y.new_ones(()) * (0.7 - 0.4j) if y.is_complex() else 1.0
    return (y * w).real.sum() + (y.abs() ** 2).sum() * 0.25


LOSSES = {"abs2": loss_abs2, "real": loss_real, "mix": loss_mix}


def run(L, f, arrays, loss, create_graph=False):
    xs = [leaf(L, a) for a in arrays]
    out = f(L, *xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    total = sum(loss(o) for o in outs)
    gs = L.autograd.grad(total, xs, create_graph=create_graph)
    return xs, gs


# name -> (f(L, *inputs), input arrays)
C = carr
CASES = {
    "neg": (lambda L, x: -x, [C(2, 3)]),
    "conj": (lambda L, x: x.conj() * x.new_ones(()) * (1 + 2j), [C(3)]),
    "conj_physical": (lambda L, x: L.conj_physical(x) * (2 - 1j), [C(2, 2)]),
    "exp": (lambda L, x: x.exp(), [C(2, 3)]),
    "log": (lambda L, x: x.log(), [C(4)]),
    "sqrt": (lambda L, x: x.sqrt(), [C(3, 2)]),
    "sin": (lambda L, x: x.sin(), [C(3)]),
    "cos": (lambda L, x: L.cos(x), [C(2, 2)]),
    "tan": (lambda L, x: x.tan(), [C(3) * 0.5]),
    "tanh": (lambda L, x: x.tanh(), [C(3) * 0.5]),
    "sigmoid": (lambda L, x: x.sigmoid(), [C(2, 3)]),
    "reciprocal": (lambda L, x: x.reciprocal(), [C(3)]),
    "abs": (lambda L, x: x.abs() * 3, [C(2, 3)]),
    "angle": (lambda L, x: x.angle(), [C(5)]),
    "real_attr": (lambda L, x: x.real * 2, [C(2, 3)]),
    "imag_attr": (lambda L, x: x.imag * 2, [C(2, 3)]),
    "real_fn": (lambda L, x: L.real(x * x), [C(3)]),
    "imag_fn": (lambda L, x: L.imag(x * x), [C(3)]),
    "view_as_real": (lambda L, x: L.view_as_real(x * x) * 2, [C(2, 3)]),
    "view_as_complex": (lambda L, r: L.view_as_complex(r * 2) ** 2, [C(3, 2, real=True)]),
    "view_as_complex_slice": (lambda L, r: L.view_as_complex(r[1:]) * (1 + 1j), [C(3, 2, real=True)]),
    "add": (lambda L, x, y: x + y, [C(2, 3), C(3)]),
    "add_alpha": (lambda L, x, y: x.add(y, alpha=2), [C(2, 3), C(2, 3)]),
    "add_alpha_complex": (lambda L, x, y: x.add(y, alpha=1 - 2j), [C(3), C(3)]),
    "sub": (lambda L, x, y: x - y, [C(3), C(2, 3)]),
    "sub_alpha_complex": (lambda L, x, y: L.sub(x, y, alpha=0.5j), [C(3), C(3)]),
    "rsub": (lambda L, x: 2 - x, [C(3)]),
    "mul": (lambda L, x, y: x * y, [C(2, 3), C(2, 3)]),
    "mul_broadcast": (lambda L, x, y: x * y, [C(2, 1), C(3)]),
    "mul_scalar": (lambda L, x: x * (0.5 + 2j), [C(4)]),
    "mul_real_tensor": (lambda L, x, r: x * r, [C(2, 3), C(2, 3, real=True)]),
    "div": (lambda L, x, y: x / y, [C(2, 3), C(2, 3)]),
    "div_scalar": (lambda L, x: x / (1 - 1j), [C(3)]),
    "div_real_tensor": (lambda L, r, x: r / x, [C(3, real=True), C(3)]),
    "pow_int": (lambda L, x: x ** 2, [C(2, 3)]),
    "pow_float": (lambda L, x: x ** 1.5, [C(3)]),
    "pow_complex_exp": (lambda L, x: x ** (0.5 + 1j), [C(3)]),
    "pow_zero": (lambda L, x: x ** 0 + x, [C(3)]),
    "pow_tensor": (lambda L, x, y: x ** y, [C(3), C(3) * 0.5]),
    "pow_real_base_tensor": (lambda L, r, y: r ** y, [C(3, pos=True, real=True), C(3)]),
    "pow_scalar_base": (lambda L, y: 2 ** y, [C(3)]),
    "pow_complex_scalar_base": (lambda L, y: (1 + 1j) ** y, [C(3)]),
    "sum": (lambda L, x: x.sum() * (1 + 1j), [C(2, 3)]),
    "sum_dim": (lambda L, x: x.sum(1), [C(2, 3)]),
    "sum_dim_keepdim": (lambda L, x: x.sum((0, 2), keepdim=True) ** 2, [C(2, 3, 2)]),
    "mean": (lambda L, x: x.mean() ** 2, [C(2, 3)]),
    "mean_dim": (lambda L, x: x.mean(0), [C(3, 2)]),
    "mm": (lambda L, a, b: a.mm(b), [C(2, 3), C(3, 4)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [C(2, 2, 3), C(2, 3, 2)]),
    "matmul_2d": (lambda L, a, b: a @ b, [C(3, 2), C(2, 3)]),
    "matmul_vec": (lambda L, a, b: a @ b, [C(3, 2), C(2)]),
    "matmul_dot": (lambda L, a, b: L.matmul(a, b), [C(4), C(4)]),
    "matmul_batched": (lambda L, a, b: a @ b, [C(2, 3, 2), C(2, 4)]),
    "reshape": (lambda L, x: x.reshape(3, 2) * x.view(3, 2), [C(2, 3)]),
    "transpose_t": (lambda L, x: x.t() @ x.transpose(0, 1).conj().t(), [C(2, 3)]),
    "permute": (lambda L, x: x.permute(2, 0, 1) ** 2, [C(2, 3, 2)]),
    "select": (lambda L, x: x[1] * x.select(1, 0), [C(3, 3)]),
    "slice": (lambda L, x: x[:, 1:] * x[:, ::2][:, :2], [C(3, 3)]),
    "narrow": (lambda L, x: x.narrow(0, 1, 2) ** 2, [C(3, 2)]),
    "index_tensor": (lambda L, x: x[L.tensor([0, 2, 2])] * 2j, [C(3, 2)]),
    "index_select": (lambda L, x: x.index_select(1, L.tensor([1, 1, 0])) ** 2, [C(2, 3)]),
    "masked_select": (lambda L, x: x.masked_select(L.tensor([True, False, True])) ** 2, [C(2, 3)]),
    "cat": (lambda L, x, y: L.cat([x, y * y, x], 0), [C(2, 3), C(1, 3)]),
    "stack": (lambda L, x, y: L.stack([x, y], 1) ** 2, [C(2, 3), C(2, 3)]),
    "flip_expand": (lambda L, x: x.flip(0).expand(2, 3) * x.unsqueeze(0).squeeze(0), [C(3)]),
    "split_unbind": (lambda L, x: [a * 1j for a in x.split(1)] + list(x.unbind(1)), [C(2, 3)]),
    "chunk_roll": (lambda L, x: x.chunk(2)[1].roll(1) ** 2, [C(4)]),
    "repeat": (lambda L, x: x.repeat(2, 1) ** 2, [C(1, 3)]),
    "clone_contiguous": (lambda L, x: x.t().contiguous().clone() ** 2, [C(2, 3)]),
    "to_complex": (lambda L, r: r.to(L.complex128) * (1 + 1j), [C(2, 3, real=True)]),
    "to_real": (lambda L, x: (x * x).to(L.float64) ** 2, [C(3)]),
    "real_times_j": (lambda L, r: (r * 1j + r) ** 2, [C(3, real=True)]),
    "complex_fn": (lambda L, a, b: L.complex(a, b) ** 2, [C(2, 3, real=True), C(3, real=True)]),
    "polar": (lambda L, a, b: L.polar(a, b) ** 2, [C(4, real=True, pos=True), C(4, real=True)]),
    "mixed_chain": (lambda L, x, r: ((x * r).exp() / (x + 2)).sum(0), [C(2, 2), C(2, 2, real=True)]),
    "inplace": (lambda L, x, y: (x * 1).mul_(y).add_(x, alpha=1j).exp_(), [C(3), C(3)]),
    "inplace_real_view": (lambda L, x: _set_real(L, x), [C(3)]),
    "copy_into_complex": (lambda L, x, r: (x * 2).copy_(r * 3) * x, [C(3), C(3, real=True)]),
    "copy_from_complex": (lambda L, r, x: (r * 2).copy_(x * x) * r, [C(3, real=True), C(3)]),
    "true_divide": (lambda L, x, y: x.true_divide(y) + x.true_divide(2j) + (x * 1).true_divide_(y),
                    [C(3), C(3)]),
    # rows whose complex kernels came later (k_complex_tensor2.c)
    "cumsum": (lambda L, x: x.cumsum(1) ** 2, [C(2, 3)]),
    "where": (lambda L, x, y: L.where(L.tensor([True, False, True]), x, y) ** 2, [C(2, 3), C(3)]),
    "masked_fill": (lambda L, x: x.masked_fill(L.tensor([False, True, True]), 2 - 1j) * 2
                    + x.masked_fill(L.tensor([True, False, False]), 0.5) ** 2, [C(2, 3)]),
    "triu_tril": (lambda L, x: x.triu(1) ** 2 + x.tril() * 1j, [C(3, 3)]),
    "diagonal_embed_trace": (lambda L, x: L.diag_embed(x.diagonal() ** 2) * L.trace(x), [C(3, 3)]),
    "gather": (lambda L, x: x.gather(1, L.tensor([[0, 0], [2, 1]])) ** 2, [C(2, 3)]),
    "addmm": (lambda L, b, x, w: L.addmm(b, x, w, beta=0.5, alpha=2), [C(3), C(2, 4), C(4, 3)]),
    "addmv_mv": (lambda L, b, m, v: L.addmv(b, m, v) + L.mv(m, v * 1j), [C(2), C(2, 3), C(3)]),
    "dot_outer": (lambda L, x, y: L.dot(x, y) * L.outer(x, y), [C(3), C(3, seed=1)]),
    "unary_more": (lambda L, x: [x.rsqrt(), x.log10(), x.log2(), x.log1p(), x.expm1()], [C(4)]),
    "inverse_trig": (lambda L, x: [x.asin(), x.acos(), x.atan(), x.sinh(), x.cosh(), x.asinh(),
                                   x.atanh()], [C(4) * 0.6]),
    "addcmul_addcdiv_lerp": (lambda L, a, b, c: [L.addcmul(a, b, c, value=0.5), L.addcdiv(a, b, c, value=2),
                                                 L.lerp(a, b, 0.3), L.lerp(a, b, c)], [C(3), C(3, seed=1), C(3, seed=2)]),
}


def _set_real(L, x):
    y = x * 2
    y.real.mul_(3)
    return y * y


def test_complex_only_rows_have_cases():
    # tests/test_autograd.py leaves these rows to this file
    from test_autograd import COMPLEX_ROWS
    called = {"imag": "imag_fn", "view_as_real": "view_as_real", "view_as_complex": "view_as_complex",
              "complex": "complex_fn", "polar": "polar"}
    assert set(called) == COMPLEX_ROWS and all(v in CASES for v in called.values())


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("key", list(CASES))
def test_gradients_match_torch(key, loss):
    f, arrays = CASES[key]
    _, gp = run(pyts, f, arrays, LOSSES[loss])
    _, gt = run(torch, f, arrays, LOSSES[loss])
    for i, (a, b) in enumerate(zip(gp, gt)):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts"), (key, i)
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-9, atol=1e-10, err_msg=f"{key} grad {i}")


def _forward(f, arrays, loss):
    with pyts.no_grad():
        out = f(pyts, *[leaf(pyts, a, grad=False) for a in arrays])
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return float(sum(loss(o) for o in outs).item())


@pytest.mark.parametrize("key", list(CASES))
def test_finite_differences(key):
    f, arrays = CASES[key]
    _, g = run(pyts, f, arrays, loss_mix)
    eps = 1e-6
    for i, base in enumerate(arrays):
        num = np.zeros(base.shape, dtype=base.dtype)
        steps = [1.0, 1j] if np.iscomplexobj(base) else [1.0]
        for idx in np.ndindex(base.shape):
            for st in steps:
                hi, lo = [list(arrays) for _ in range(2)]
                hi[i] = base.copy()
                lo[i] = base.copy()
                hi[i][idx] += eps * st
                lo[i][idx] -= eps * st
                d = (_forward(f, hi, loss_mix) - _forward(f, lo, loss_mix)) / (2 * eps)
                num[idx] += d * st
        np.testing.assert_allclose(npy(g[i]), num, rtol=1e-5, atol=1e-6, err_msg=f"{key} input {i}")


SECOND = ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "reciprocal", "abs", "angle", "imag_fn",
          "view_as_real", "view_as_complex", "mul", "div", "pow_float", "pow_complex_exp", "pow_tensor",
          "mm", "matmul_vec", "select", "index_tensor", "cat", "complex_fn", "polar", "to_complex",
          "mul_real_tensor", "conj", "sum_dim_keepdim"]


@pytest.mark.parametrize("key", SECOND)
def test_second_order_matches_torch(key):
    f, arrays = CASES[key]
    res = []
    for L in (pyts, torch):
        xs, gs = run(L, f, arrays, loss_mix, create_graph=True)
        # a real function of the first gradients, differentiated again
        s = sum(((g * g.new_ones(()) * (0.3 + 0.9j)).real.sum() if g.is_complex() else (g * 0.3).sum())
                + (g.abs() ** 2).sum() for g in gs)
        res.append(L.autograd.grad(s, xs, allow_unused=True))
    for i, (a, b) in enumerate(zip(*res)):
        assert (a is None) == (b is None), (key, i)
        if a is not None:
            np.testing.assert_allclose(npy(a), npy(b), rtol=1e-8, atol=1e-9, err_msg=f"{key} second {i}")


# ---- leaves, dtypes, accumulation --------------------------------------------------------------
def test_complex_leaf_grad_is_complex_real_leaf_grad_is_real():
    for L in (pyts, torch):
        x = leaf(L, carr(3))
        r = leaf(L, carr(3, real=True))
        ((x * r * 1j).abs() ** 2).sum().backward()
        ((x * r).real ** 2).sum().backward()   # accumulates into .grad
        assert x.grad.dtype == L.complex128 and r.grad.dtype == L.float64
    gx = []
    for L in (pyts, torch):
        x = leaf(L, carr(3))
        r = leaf(L, carr(3, real=True))
        for _ in range(2):
            ((x * r * 1j).abs() ** 2).sum().backward()
        gx.append((npy(x.grad), npy(r.grad)))
    np.testing.assert_allclose(gx[0][0], gx[1][0], rtol=1e-12)
    np.testing.assert_allclose(gx[0][1], gx[1][1], rtol=1e-12)


@pytest.mark.parametrize("factory", [
    lambda L: L.tensor([1 + 2j, 3j], requires_grad=True),
    lambda L: L.zeros(2, dtype=L.complex64, requires_grad=True),
    lambda L: L.ones(2, 2, dtype=L.complex128).requires_grad_(),
])
def test_complex_tensors_can_require_grad(factory):
    p, t = factory(pyts), factory(torch)
    assert p.requires_grad and t.requires_grad and str(p.dtype) == str(t.dtype).replace("torch", "pyts")
    (p * p).abs().sum().backward()
    (t * t).abs().sum().backward()
    np.testing.assert_allclose(npy(p.grad), npy(t.grad), rtol=1e-6)


def test_complex64_gradients():
    a, b = carr(2, 3).astype(np.complex64), carr(3, 2).astype(np.complex64)
    res = []
    for L in (pyts, torch):
        x, y = leaf(L, a), leaf(L, b)
        loss_mix((x @ y).exp() / x.sum()).backward()
        assert x.grad.dtype == L.complex64
        res.append((npy(x.grad), npy(y.grad)))
    for p, t in zip(*res):
        np.testing.assert_allclose(p, t, rtol=1e-4, atol=1e-5)


def test_grad_with_complex_outputs_and_grad_outputs():
    a, v = carr(2, 3), carr(2, 3, seed=5)
    res = []
    for L in (pyts, torch):
        x = leaf(L, a)
        y = x.exp() * x
        res.append(npy(L.autograd.grad(y, x, L.from_numpy(v.copy()))[0]))
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


def test_node_names_match_torch():
    a, r = carr(3), carr(3, real=True)
    cases = [lambda L, x, y: x * x, lambda L, x, y: x.abs(), lambda L, x, y: x.angle(), lambda L, x, y: x.conj(),
             lambda L, x, y: L.view_as_real(x), lambda L, x, y: L.complex(y, y), lambda L, x, y: L.polar(y, y),
             lambda L, x, y: x ** 2, lambda L, x, y: x.exp(), lambda L, x, y: x @ x, lambda L, x, y: x[1:],
             lambda L, x, y: y.to(L.complex128), lambda L, x, y: L.view_as_complex(y.reshape(-1, 1).expand(3, 2).contiguous()),
             lambda L, x, y: x.sum(), lambda L, x, y: x.conj_physical()]
    for f in cases:
        p = f(pyts, leaf(pyts, a), leaf(pyts, r))
        t = f(torch, leaf(torch, a), leaf(torch, r))
        assert type(p.grad_fn).__name__ == type(t.grad_fn).__name__


# ---- errors --------------------------------------------------------------------------------------
def _same_error(f):
    with pytest.raises(Exception) as ep:
        f(pyts)
    with pytest.raises(Exception) as et:
        f(torch)
    assert type(ep.value) is type(et.value)
    assert str(ep.value) == str(et.value).replace("torch.", "pyts."), (str(ep.value), str(et.value))


def test_backward_of_complex_scalar_needs_a_gradient():
    _same_error(lambda L: (leaf(L, carr(3)) * 2).sum().backward())
    _same_error(lambda L: (lambda x: L.autograd.grad((x * 2).sum(), [x]))(leaf(L, carr(3))))


def test_complex_outputs_of_several_elements():
    _same_error(lambda L: (leaf(L, carr(3)) * 2).backward())


def test_grad_output_dtype_mismatch():
    _same_error(lambda L: (leaf(L, carr(3)) * 2).sum().backward(L.tensor(1.0, dtype=L.float64)))
    _same_error(lambda L: (leaf(L, carr(3, real=True)) * 2).sum().backward(L.tensor(1.0, dtype=L.complex128)))


def test_real_only_paths_unchanged():
    # a real graph next to a complex one keeps real gradients and real node names
    res = []
    for L in (pyts, torch):
        r = leaf(L, carr(4, real=True))
        y = (r.sin() * r).sum()
        z = (r.to(L.complex128) * 1j).exp().real.sum()
        (y + z).backward()
        res.append((type(y.grad_fn).__name__, npy(r.grad)))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)


def test_pow_at_zero_matches_torch():
    # torch's zero gradients where the base is 0 and the exponent is 0 (self) or real >= 0 (exponent)
    xa = np.array([0, 0, 1 + 1j, 0, 2j])
    ea = np.array([0, 2, 0, 1.5 + 0j, 0.5 - 1j])
    for f, arrays in [(lambda L, x, e: x ** e, [xa, ea]), (lambda L, r, e: r ** e, [xa.real[:4].copy(), ea[:4]])]:
        res = [run(L, f, arrays, loss_real)[1] for L in (pyts, torch)]
        for a, b in zip(*res):
            np.testing.assert_allclose(npy(a), npy(b), rtol=1e-12, equal_nan=True)
    # (a real 0 base with e = 0.5-1j is left out: 0 ** (e - 1) and 0 * log(0) are nan in torch, inf in
    # pyts's C complex arithmetic)
    res = [run(L, lambda L, e: 0 ** e, [ea[:4]], loss_real)[1][0] for L in (pyts, torch)]
    np.testing.assert_allclose(npy(res[0]), npy(res[1]), rtol=1e-12, equal_nan=True)


def test_retain_grad_and_grad_assignment():
    res = []
    for L in (pyts, torch):
        x = leaf(L, carr(2, 3))
        y = x * x.conj() * 1j + x
        y.retain_grad()
        loss_mix(y.exp()).backward()
        x.grad = x.grad * 2
        res.append((npy(y.grad), npy(x.grad)))
    for p, t in zip(*res):
        np.testing.assert_allclose(p, t, rtol=1e-12)


def _scripted(x, y):
    return ((x * y).exp() / (x + 2)).abs().sum() + (x.conj() * y).real.sum()


def test_scripted_function_gradients():
    a, b = carr(2, 3), carr(3)
    res = []
    for L in (pyts, torch):
        f = L.jit.script(_scripted)
        x, y = leaf(L, a), leaf(L, b)
        f(x, y).backward()
        res.append((npy(x.grad), npy(y.grad)))
    for p, t in zip(*res):
        np.testing.assert_allclose(p, t, rtol=1e-10)
