"""pyts.linalg beyond the row cases (tests/cases/cases_linalg2.py): LinAlgError and torch's
messages, named results, batches against per-matrix results, scripted torch.linalg code and its
.code as torch prints it, and gradients of sign-invariant functions of the factorizations
(SVD, eigh, QR) against torch's on inputs where the factors' signs may differ."""
import warnings

import numpy as np
import pytest
import torch

import pyts

RNG = np.random.default_rng(5)


def gen(*shape):
    n = shape[-1]
    return RNG.uniform(-2, 2, size=shape) + 3 * np.eye(n)


def P(a):
    return pyts.from_numpy(np.array(a, copy=True))


def Tt(a):
    return torch.from_numpy(np.array(a, copy=True))


def raises_same(fp, ft, cls=RuntimeError):
    with pytest.raises(cls) as ep:
        fp()
    with pytest.raises(cls) as et:
        ft()
    assert str(ep.value) == str(et.value)
    return ep.value, et.value


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
NOT_PD = [[1.0, 2.0], [2.0, 1.0]]


def test_linalg_error_class():
    assert pyts.linalg.LinAlgError is pyts._C._LinAlgError
    assert issubclass(pyts.linalg.LinAlgError, RuntimeError)
    assert pyts.linalg.LinAlgError.__name__ == torch.linalg.LinAlgError.__name__


@pytest.mark.parametrize("name,args", [
    ("inv", lambda L: (L.tensor(SINGULAR),)),
    ("inv", lambda L: (L.zeros(2, 3, 3),)),
    ("cholesky", lambda L: (L.tensor(NOT_PD),)),
    ("cholesky", lambda L: (-L.eye(3).expand(2, 3, 3),)),
    ("solve", lambda L: (L.tensor(SINGULAR), L.ones(2))),
    ("solve", lambda L: (L.tensor(SINGULAR).expand(3, 2, 2), L.ones(3, 2, 1))),
])
def test_linalg_errors_are_torchs(name, args):
    ep, et = raises_same(lambda: getattr(pyts.linalg, name)(*args(pyts)), lambda: getattr(torch.linalg, name)(*args(torch)))
    assert isinstance(ep, pyts.linalg.LinAlgError) and isinstance(et, torch.linalg.LinAlgError)


def test_torch_spellings_raise_linalg_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ep, _ = raises_same(lambda: pyts.cholesky(pyts.tensor(NOT_PD)), lambda: torch.cholesky(torch.tensor(NOT_PD)))
    assert isinstance(ep, pyts.linalg.LinAlgError)
    ep, _ = raises_same(lambda: pyts.inverse(pyts.tensor(SINGULAR)), lambda: torch.inverse(torch.tensor(SINGULAR)))
    assert isinstance(ep, pyts.linalg.LinAlgError)


def test_other_errors_are_plain_runtime_errors():
    ep, _ = raises_same(lambda: pyts.linalg.det(pyts.ones(2, 3)), lambda: torch.linalg.det(torch.ones(2, 3)))
    assert not isinstance(ep, pyts.linalg.LinAlgError)
    raises_same(lambda: pyts.linalg.det(pyts.ones(3)), lambda: torch.linalg.det(torch.ones(3)))
    raises_same(lambda: pyts.linalg.inv(pyts.ones(3, 3, dtype=pyts.int64)),
                lambda: torch.linalg.inv(torch.ones(3, 3, dtype=torch.int64)))
    raises_same(lambda: pyts.linalg.inv(pyts.ones(3, 3, dtype=pyts.float16)),
                lambda: torch.linalg.inv(torch.ones(3, 3, dtype=torch.float16)))
    raises_same(lambda: pyts.linalg.eigh(pyts.ones(3, 3, dtype=pyts.int64)),
                lambda: torch.linalg.eigh(torch.ones(3, 3, dtype=torch.int64)), NotImplementedError)
    raises_same(lambda: pyts.linalg.pinv(pyts.ones(3, 3, dtype=pyts.int64)),
                lambda: torch.linalg.pinv(torch.ones(3, 3, dtype=torch.int64)))
    # a later unrelated RuntimeError is not taken for a LinAlgError
    with pytest.raises(pyts.linalg.LinAlgError):
        pyts.linalg.inv(pyts.tensor(SINGULAR))
    with pytest.raises(RuntimeError) as e:
        pyts.linalg.det(pyts.ones(2, 3))
    assert type(e.value) is RuntimeError


def test_info_results_do_not_raise():
    a = np.stack([gen(3, 3), np.zeros((3, 3))])
    for L, mk in ((pyts, P), (torch, Tt)):
        assert L.linalg.inv_ex(mk(a)).info.tolist() == [0, 1]
        assert L.linalg.cholesky_ex(mk(-np.eye(3))).info.item() == 1
        assert L.linalg.solve_ex(mk(a), mk(np.ones((2, 3)))).info.tolist() == [0, 1]
    assert pyts.linalg.inv_ex(P(a)).info.dtype == pyts.int32


def test_named_results():
    a = gen(3, 3)
    sym = a + a.T
    pairs = [
        (lambda L, x: L.linalg.slogdet(x), ("sign", "logabsdet")),
        (lambda L, x: L.slogdet(x), ("sign", "logabsdet")),
        (lambda L, x: L.linalg.qr(x), ("Q", "R")),
        (lambda L, x: L.linalg.svd(x), ("U", "S", "Vh")),
        (lambda L, x: L.svd(x), ("U", "S", "V")),
        (lambda L, x: L.linalg.inv_ex(x), ("inverse", "info")),
        (lambda L, x: L.linalg.solve_ex(x, x), ("result", "info")),
        (lambda L, x: L.linalg.cholesky_ex(x @ x.mT), ("L", "info")),
    ]
    for f, names in pairs:
        p, t = f(pyts, P(a)), f(torch, Tt(a))
        assert type(p).__name__ == type(t).__name__ and len(p) == len(t) == len(names)
        for n in names:
            assert tuple(getattr(p, n).shape) == tuple(getattr(t, n).shape)
    w = pyts.linalg.eigh(P(sym))
    assert type(w).__name__ == type(torch.linalg.eigh(Tt(sym))).__name__ and w.eigenvectors is w[1]
    np.testing.assert_allclose(w.eigenvalues.numpy(), np.linalg.eigvalsh(sym), rtol=1e-10)


def test_batched_matches_per_matrix():
    a = gen(2, 3, 4, 4)
    b = RNG.uniform(-1, 1, size=(2, 3, 4, 2))
    det = pyts.linalg.det(P(a)).numpy()
    inv = pyts.linalg.inv(P(a)).numpy()
    sol = pyts.linalg.solve(P(a), P(b)).numpy()
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(det[i, j], np.linalg.det(a[i, j]), rtol=1e-10)
            np.testing.assert_allclose(inv[i, j], np.linalg.inv(a[i, j]), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(sol[i, j], np.linalg.solve(a[i, j], b[i, j]), rtol=1e-10, atol=1e-12)


def test_factorizations_reconstruct():
    a = RNG.uniform(-1, 1, size=(2, 5, 3))
    for mode in ("reduced", "complete"):
        q, r = pyts.linalg.qr(P(a), mode=mode)
        np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)
        np.testing.assert_allclose((q.mT @ q).numpy(), np.broadcast_to(np.eye(q.shape[-1]), (2,) + (q.shape[-1],) * 2),
                                   atol=1e-12)
    u, s, vh = pyts.linalg.svd(P(a), full_matrices=False)
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ vh).numpy(), a, atol=1e-12)
    sym = a @ np.swapaxes(a, -1, -2)
    w, v = pyts.linalg.eigh(P(sym))
    np.testing.assert_allclose(((v * w.unsqueeze(-2)) @ v.mT).numpy(), sym, atol=1e-12)
    lo = pyts.linalg.cholesky(P(sym + 5 * np.eye(5)))
    np.testing.assert_allclose((lo @ lo.mT).numpy(), sym + 5 * np.eye(5), atol=1e-12)


def linalg_fn(x, b):
    d = torch.linalg.det(x)
    s = torch.linalg.slogdet(x)
    q, r = torch.linalg.qr(x)
    n = torch.linalg.norm(x) + torch.linalg.vector_norm(x, 1) + torch.linalg.matrix_norm(x) + torch.linalg.matrix_norm(x, 2)
    p = torch.linalg.pinv(x) + torch.linalg.pinv(x, 0.1) + torch.linalg.pinv(x, atol=0.1)
    k = torch.linalg.matrix_rank(x)
    e = torch.det(x) + torch.logdet(x @ x.t()) + x.det() + torch.inverse(x).sum() + torch.linalg.inv(x).sum()
    e = e + torch.linalg.solve(x, b).sum()
    c = torch.linalg.cholesky(x @ x.t()) + torch.linalg.matrix_power(x, 2) + torch.pinverse(x) + x.matrix_power(3)
    # named results read in place (an assigned one is named after its variable in pyts's .code)
    return (d, s.sign, s.logabsdet, r.abs(), torch.linalg.svd(x, full_matrices=False).S,
            torch.linalg.eigh(x + x.t()).eigenvalues, n, p, k, e, c, torch.svd(x)[1], torch.linalg.svdvals(x),
            torch.linalg.inv_ex(x).info, torch.linalg.cross(b, b.flip(0), dim=0))


def test_scripted_linalg_runs_as_torch():
    x, b = gen(3, 3), RNG.uniform(-1, 1, size=(3, 2))
    sp, st = pyts.jit.script(linalg_fn), torch.jit.script(linalg_fn)
    rp, rt = sp(P(x), P(b)), st(Tt(x), Tt(b))
    assert len(rp) == len(rt)
    for i, (p, t) in enumerate(zip(rp, rt)):
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], i
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-9, atol=1e-10, err_msg=str(i))


def test_scripted_code_as_torch():
    code_p = pyts.jit.script(linalg_fn).code
    code_t = torch.jit.script(linalg_fn).code
    assert code_p == code_t


def test_scripted_pyts_linalg_names():
    def f(x):
        return pyts.linalg.det(x) + pyts.linalg.slogdet(x).logabsdet + pyts.det(x)

    def g(x):
        return torch.linalg.det(x) + torch.linalg.slogdet(x).logabsdet + torch.det(x)

    x = gen(2, 3, 3)
    sf = pyts.jit.script(f)
    np.testing.assert_allclose(sf(P(x)).numpy(), torch.jit.script(g)(Tt(x)).numpy(), rtol=1e-12)
    assert sf.code == torch.jit.script(g).code.replace("def g(", "def f(")


def test_scripted_linalg_error_is_raised():
    def inv(x):
        return torch.linalg.inv(x)

    fn = pyts.jit.script(inv)
    with pytest.raises(RuntimeError, match="the inversion could not be completed"):
        fn(pyts.tensor(SINGULAR))


# gradients of functions that do not depend on the factors' signs, against torch
def _grad(L, mk, f, a):
    x = mk(a).requires_grad_()
    (g,) = L.autograd.grad(f(L, x), [x])
    return g.detach().numpy()


@pytest.mark.parametrize("f", [
    lambda L, x: (L.linalg.svd(x, full_matrices=False).U ** 2 * L.arange(12.0, dtype=L.float64).reshape(4, 3)).sum(),
    lambda L, x: (L.linalg.svd(x, full_matrices=False).Vh ** 2 * L.arange(9.0, dtype=L.float64).reshape(3, 3)).sum()
    + L.linalg.svdvals(x).sum(),
    lambda L, x: (L.linalg.svd(x).U[..., :3] ** 2).sum() + L.linalg.svd(x).S.prod(),
    lambda L, x: L.linalg.matrix_norm(x, "nuc") + L.linalg.matrix_norm(x, 2),
    lambda L, x: (L.linalg.pinv(x) ** 2).sum(),
])
def test_svd_gradients_sign_free(f):
    a = RNG.uniform(-1, 1, size=(4, 3))
    np.testing.assert_allclose(_grad(pyts, P, f, a), _grad(torch, Tt, f, a), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("f", [
    lambda L, x: (L.linalg.eigh(x).eigenvectors ** 2 * L.arange(16.0, dtype=L.float64).reshape(4, 4)).sum(),
    lambda L, x: (L.linalg.eigh(x, UPLO="U").eigenvectors[..., 0] ** 2).sum() + L.linalg.eigvalsh(x)[..., -1].sum(),
    lambda L, x: (L.linalg.qr(x).Q ** 2 * L.arange(16.0, dtype=L.float64).reshape(4, 4)).sum() + L.linalg.qr(x).R.abs().sum(),
])
def test_eigh_qr_gradients_sign_free(f):
    a = RNG.uniform(-1, 1, size=(2, 4, 4))
    a = a + np.swapaxes(a, -1, -2) + np.diag([0.0, 2.0, 4.0, 6.0])
    np.testing.assert_allclose(_grad(pyts, P, f, a), _grad(torch, Tt, f, a), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("f", [
    lambda L, x: L.linalg.det(x).sum() + L.logdet(x @ x.mT).sum(),
    lambda L, x: (L.linalg.inv(x) * L.arange(9.0, dtype=L.float64).reshape(3, 3)).sum(),
    lambda L, x: L.linalg.solve(x, L.ones(3, dtype=L.float64)).sum() + L.linalg.solve(x, x.mT, left=False).sum(),
    lambda L, x: L.linalg.norm(x) + L.linalg.vector_norm(x, 3, dim=-1).sum() + L.linalg.matrix_norm(x, 1).sum(),
    lambda L, x: L.linalg.matrix_power(x, -2).sum() + L.linalg.cross(x, x.flip(-1)).pow(2).sum(),
])
def test_composite_gradients(f):
    a = gen(2, 3, 3)
    np.testing.assert_allclose(_grad(pyts, P, f, a), _grad(torch, Tt, f, a), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("f", [
    lambda L, A, S, B, R: L.linalg.inv(A),
    lambda L, A, S, B, R: L.linalg.inv_ex(A).inverse,
    lambda L, A, S, B, R: L.inverse(A),
    lambda L, A, S, B, R: L.linalg.solve(A, B),
    lambda L, A, S, B, R: L.linalg.solve(A, B.mT, left=False),
    lambda L, A, S, B, R: L.linalg.cholesky(S),
    lambda L, A, S, B, R: L.linalg.cholesky(S, upper=True),
    lambda L, A, S, B, R: L.linalg.qr(R).Q,
    lambda L, A, S, B, R: L.linalg.qr(R, "complete").R,
    lambda L, A, S, B, R: L.linalg.svd(R).U,
    lambda L, A, S, B, R: L.linalg.svd(R, full_matrices=False).Vh,
    lambda L, A, S, B, R: L.svd(R).V,
    lambda L, A, S, B, R: L.linalg.eigh(S).eigenvectors,
    lambda L, A, S, B, R: L.linalg.inv(A.float()),
])
def test_results_are_column_major_as_torchs(f):
    """torch returns LAPACK's column-major layout (strides (..., 1, rows)); so does pyts"""
    a = gen(2, 3, 3)
    args = [a, a @ np.swapaxes(a, -1, -2), RNG.uniform(-1, 1, size=(2, 3, 2)), RNG.uniform(-1, 1, size=(2, 4, 3))]
    p, t = f(pyts, *map(P, args)), f(torch, *map(Tt, args))
    assert p.stride() == t.stride() and tuple(p.shape) == tuple(t.shape)
    assert p.is_contiguous() == t.is_contiguous()
