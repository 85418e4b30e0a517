"""Complex rows of session 9 against torch 2.13: gradients of var/std (every overload), var_mean /
std_mean, prod (with and without dim, zeros included), cumprod, vdot, acosh, logsumexp and
cross / linalg.cross on complex128 inputs (vs torch and central finite differences, second
derivatives through create_graph), their forward values and special values."""
import numpy as np
import pytest

import pyts
from test_complex_autograd import LOSSES, _forward, carr, leaf, loss_mix, npy, run

torch = pytest.importorskip("torch")

C = carr


def with_zeros(a, *idx):
    a = a.copy()
    for i in idx:
        a[i] = 0
    return a


# name -> (f(L, *inputs), input arrays)
CASES = {
    "var": (lambda L, x: x.var(), [C(2, 3)]),
    "var_biased": (lambda L, x: x.var(False) * 2, [C(4)]),
    "var_dim": (lambda L, x: x.var(1), [C(2, 3)]),
    "var_dim_keepdim": (lambda L, x: L.var(x, [0, 2], unbiased=False, keepdim=True), [C(2, 3, 2)]),
    "var_correction": (lambda L, x: L.var(x, dim=0, correction=2), [C(4, 2)]),
    "var_correction_all": (lambda L, x: x.var(correction=0), [C(2, 3)]),
    "std": (lambda L, x: x.std(), [C(2, 3)]),
    "std_dim": (lambda L, x: L.std(x, 1, keepdim=True), [C(3, 3)]),
    "std_correction": (lambda L, x: x.std(dim=[0], correction=0), [C(3, 2)]),
    "var_mean": (lambda L, x: list(L.var_mean(x, 1)), [C(2, 3)]),
    "std_mean": (lambda L, x: list(L.std_mean(x, dim=0, correction=0, keepdim=True)), [C(3, 2)]),
    "std_mean_all": (lambda L, x: list(L.std_mean(x)), [C(2, 2)]),
    "prod": (lambda L, x: x.prod(), [C(2, 3) * 1.1]),
    "prod_one_zero": (lambda L, x: x.prod() * (1 + 1j), [with_zeros(C(2, 3), (1, 2))]),
    "prod_two_zeros": (lambda L, x: x.prod() + x.sum(), [with_zeros(C(2, 3), (0, 0), (1, 2))]),
    "prod_dim": (lambda L, x: x.prod(1), [C(3, 4)]),
    "prod_dim_zeros": (lambda L, x: L.prod(x, 0, keepdim=True),
                       [with_zeros(C(3, 3), (0, 0), (1, 1), (2, 1), (2, 2))]),
    "cumprod": (lambda L, x: x.cumprod(1), [C(2, 4)]),
    "cumprod_zero": (lambda L, x: x.cumprod(0), [with_zeros(C(4, 2), (1, 0))]),
    "vdot": (lambda L, x, y: L.vdot(x, y) * x.vdot(x), [C(4), C(4, seed=3)]),
    "acosh": (lambda L, x: x.acosh(), [C(5, pos=True) + 0.5]),
    "logsumexp": (lambda L, x: L.logsumexp(x, 1), [C(2, 4)]),
    "logsumexp_dims_keepdim": (lambda L, x: x.logsumexp([0, 2], keepdim=True), [C(2, 3, 2)]),
    "cross": (lambda L, x, y: L.cross(x, y, dim=1), [C(2, 3), C(2, 3, seed=4)]),
    "linalg_cross": (lambda L, x, y: L.linalg.cross(x, y), [C(2, 3), C(1, 3, seed=4)]),
    "linalg_cross_dim": (lambda L, x, y: L.linalg.cross(x, y, dim=0), [C(3, 2), C(3, 2, seed=5)]),
}


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("key", list(CASES))
def test_gradients_match_torch(key, loss):
    f, arrays = CASES[key]
    _, gp = run(pyts, f, arrays, LOSSES[loss])
    _, gt = run(torch, f, arrays, LOSSES[loss])
    for i, (a, b) in enumerate(zip(gp, gt)):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts"), (key, i)
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-9, atol=1e-10, err_msg=f"{key} grad {i}")


@pytest.mark.parametrize("key", list(CASES))
def test_values_match_torch(key):
    f, arrays = CASES[key]
    with pyts.no_grad():
        p = f(pyts, *[leaf(pyts, a, grad=False) for a in arrays])
    t = f(torch, *[leaf(torch, a, grad=False) for a in arrays])
    ps, ts = (list(p), list(t)) if isinstance(p, list) else ([p], [t])
    for a, b in zip(ps, ts):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts") and tuple(a.shape) == tuple(b.shape), key
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-12, atol=1e-13, err_msg=key)


@pytest.mark.parametrize("key", list(CASES))
def test_finite_differences(key):
    f, arrays = CASES[key]
    _, g = run(pyts, f, arrays, loss_mix)
    eps = 1e-6
    for i, base in enumerate(arrays):
        num = np.zeros(base.shape, dtype=base.dtype)
        for idx in np.ndindex(base.shape):
            for st in [1.0, 1j]:
                hi, lo = list(arrays), list(arrays)
                hi[i] = base.copy()
                lo[i] = base.copy()
                hi[i][idx] += eps * st
                lo[i][idx] -= eps * st
                num[idx] += (_forward(f, hi, loss_mix) - _forward(f, lo, loss_mix)) / (2 * eps) * st
        np.testing.assert_allclose(npy(g[i]), num, rtol=1e-5, atol=1e-6, err_msg=f"{key} input {i}")


SECOND = ["var_dim", "var_correction", "std_dim", "var_mean", "prod", "prod_one_zero", "prod_dim_zeros",
          "cumprod", "vdot", "acosh", "logsumexp", "cross", "linalg_cross"]


@pytest.mark.parametrize("key", SECOND)
def test_second_order_matches_torch(key):
    f, arrays = CASES[key]
    res = []
    for L in (pyts, torch):
        xs, gs = run(L, f, arrays, loss_mix, create_graph=True)
        s = sum((g * g.new_ones(()) * (0.3 + 0.9j)).real.sum() + (g.abs() ** 2).sum() for g in gs)
        res.append(L.autograd.grad(s, xs, allow_unused=True))
    for i, (a, b) in enumerate(zip(*res)):
        assert (a is None) == (b is None), (key, i)
        if a is not None:
            np.testing.assert_allclose(npy(a), npy(b), rtol=1e-8, atol=1e-9, err_msg=f"{key} second {i}")


def test_acosh_gradient_is_torchs_on_the_whole_plane():
    # torch's acosh gradient is conj(1 / (sqrt(z - 1) sqrt(z + 1))), the derivative of the principal
    # branch: it equals conj(1 / sqrt(z^2 - 1)) only where re(z) > 0; compare both half planes
    z = np.array([2 + 0.5j, -2 + 0.5j, 0.3 - 0.2j, -0.5 - 1j, -2 - 0.5j, 0.5 + 0j, -2 + 0j, 3j, -3j])
    res = [run(L, lambda L, x: x.acosh(), [z], loss_mix)[1][0] for L in (pyts, torch)]
    np.testing.assert_allclose(npy(res[0]), npy(res[1]), rtol=1e-12)
    # and finite differences agree away from the branch cut (real axis below 1)
    off = z[np.abs(z.imag) > 0.1]
    _, g = run(pyts, lambda L, x: x.acosh(), [off], loss_mix)
    eps = 1e-6
    num = np.zeros_like(off)
    for k in range(len(off)):
        for st in [1.0, 1j]:
            hi, lo = off.copy(), off.copy()
            hi[k] += eps * st
            lo[k] -= eps * st
            num[k] += (_forward(lambda L, x: x.acosh(), [hi], loss_mix)
                       - _forward(lambda L, x: x.acosh(), [lo], loss_mix)) / (2 * eps) * st
    np.testing.assert_allclose(npy(g[0]), num, rtol=1e-5, atol=1e-6)


def test_node_names_match_torch():
    a = carr(2, 3)
    for f in [lambda L, x: x.var(1), lambda L, x: x.std(), lambda L, x: x.prod(), lambda L, x: x.prod(0),
              lambda L, x: x.cumprod(1), lambda L, x: x.acosh(), lambda L, x: x.logsumexp(1)]:
        p, t = f(pyts, leaf(pyts, a)), f(torch, leaf(torch, a))
        assert type(p.grad_fn).__name__ == type(t.grad_fn).__name__


def cplx(*vals):
    return np.array([complex(v) for v in vals])


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("rows", [
    [[1 + 1j, complex(INF, 0)]], [[1 + 1j, complex(-INF, 0)]], [[complex(-INF, 0), complex(-INF, 0)]],
    [[complex(INF, 1), complex(INF, 0)]], [[1000 + 1j, 1000 + 2j]], [[-1000 + 1j, -1001 - 2j]],
    [[complex(NAN, 0), 1j]], [[1e-300 + 0j, -1e-300 + 1j]],
])
def test_logsumexp_special_values(rows):
    a = np.array(rows, dtype=np.complex128)
    for keep in (False, True):
        p = npy(pyts.logsumexp(pyts.from_numpy(a.copy()), 1, keepdim=keep))
        t = npy(torch.logsumexp(torch.from_numpy(a.copy()), 1, keepdim=keep))
        np.testing.assert_allclose(p, t, rtol=1e-12, equal_nan=True)


def test_logsumexp_empty_complex64_and_out():
    e = [L.logsumexp(L.zeros(0, 2, dtype=L.complex128), 0) for L in (pyts, torch)]
    np.testing.assert_array_equal(npy(e[0]), npy(e[1]))
    a = carr(3, 4).astype(np.complex64)
    r = [L.logsumexp(L.from_numpy(a.copy()), 0) for L in (pyts, torch)]
    assert r[0].dtype == pyts.complex64
    np.testing.assert_allclose(npy(r[0]), npy(r[1]), rtol=1e-5)
    outs = []
    for L in (pyts, torch):
        o = L.empty(3, dtype=L.complex128)
        L.logsumexp(L.from_numpy(carr(3, 4)), 1, out=o)
        outs.append(npy(o))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)


def _same_error(f):
    with pytest.raises(Exception) as ep:
        f(pyts)
    with pytest.raises(Exception) as et:
        f(torch)
    assert type(ep.value) is type(et.value)
    assert str(ep.value) == str(et.value).replace("torch.", "pyts."), (str(ep.value), str(et.value))


def test_cross_errors():
    _same_error(lambda L: L.linalg.cross(L.from_numpy(carr(2, 3)), L.from_numpy(carr(2, 4))))
    _same_error(lambda L: L.linalg.cross(L.from_numpy(carr(3)), L.from_numpy(carr(3, real=True))))
    _same_error(lambda L: L.logsumexp(L.from_numpy(carr(3)), 0, out=L.empty(0, dtype=L.int64)))
