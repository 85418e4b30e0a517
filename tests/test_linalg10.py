"""Complex linear algebra and linalg.eig beyond the row cases (tests/cases/cases_linalg10.py):
gradients against torch's (svd, svdvals, torch.svd, eigh, eigvalsh, qr, eig, eigvals, and the
complex det/inv/solve/cholesky), torch's phase-invariance errors, node names, batches against
per-matrix results, the structure of eig's results (real eigenvalues of real matrices, exact
conjugate pairs), complex singular inputs raising pyts.linalg.LinAlgError with torch's sentences,
and scripted calls compared with torch.jit.script (op kinds of the graph and values)."""
import re
import warnings

import numpy as np
import pytest
import torch

import pyts

RNG = np.random.default_rng(10)


def cr(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def re_(*shape):
    return RNG.standard_normal(shape)


def herm(n):
    a = cr(n, n)
    return a @ a.conj().T + n * np.eye(n)


def P(a):
    return pyts.from_numpy(np.array(a, copy=True))


def Tt(a):
    return torch.from_numpy(np.array(a, copy=True))


def npy(t):
    return t.detach().resolve_conj().numpy()


def csort(w):
    """eigenvalues in a rounding-proof order: by real part (to 6 decimals), then imaginary part"""
    w = np.asarray(w).reshape(-1)
    return w[np.lexsort((w.imag, np.round(w.real, 6)))]


# ---- gradients against torch's -----------------------------------------------------------------
GRAD_CASES = {
    "svdvals": (lambda: cr(4, 3), lambda L, x: L.linalg.svdvals(x).sum()),
    "svd_U_abs": (lambda: cr(4, 3), lambda L, x: L.linalg.svd(x, full_matrices=False)[0].abs().sum()),
    "svd_UVh": (lambda: cr(3, 3), lambda L, x: (lambda u, s, vh: (u @ vh).real.sum())(*L.linalg.svd(x))),
    "svd_wide": (lambda: cr(2, 4), lambda L, x: (lambda u, s, vh: (u * s.unsqueeze(-2) @ vh).abs().sum() + vh.abs().sum())(
        *L.linalg.svd(x, full_matrices=False))),
    "svd_tall_full_S": (lambda: cr(4, 2), lambda L, x: L.linalg.svd(x)[1].pow(2).sum()),
    "svd_batch": (lambda: cr(2, 3, 2), lambda L, x: (lambda u, s, vh: s.sum() + u[..., 0, :].abs().sum() + (vh.abs() ** 2).sum())(
        *L.linalg.svd(x, full_matrices=False))),
    "torch_svd": (lambda: cr(3, 2), lambda L, x: (lambda u, s, v: s.sum() + u.abs().sum() + v.abs().sum())(*L.svd(x))),
    "svd_c64": (lambda: cr(3, 3).astype(np.complex64), lambda L, x: (lambda u, s, vh: s.sum() + (u.abs() ** 2 * s).sum())(
        *L.linalg.svd(x))),
    "eigh": (lambda: cr(3, 3), lambda L, x: (lambda w, v: w.sum() + (v.abs() ** 2 * w).sum() + v[..., 0, :].abs().sum())(
        *L.linalg.eigh(x))),
    "eigh_upper_batch": (lambda: cr(2, 3, 3), lambda L, x: (lambda w, v: (w ** 2).sum() + v.abs().sum())(
        *L.linalg.eigh(x, UPLO="U"))),
    "eigvalsh": (lambda: cr(2, 3, 3), lambda L, x: (L.linalg.eigvalsh(x, UPLO="U") ** 2).sum()),
    "qr": (lambda: cr(4, 3), lambda L, x: (lambda q, r: q.real.sum() + r.imag.sum())(*L.linalg.qr(x))),
    "qr_wide": (lambda: cr(2, 4), lambda L, x: (lambda q, r: q.real.sum() + r.abs().sum())(*L.linalg.qr(x))),
    "qr_complete_wide": (lambda: cr(2, 3), lambda L, x: (lambda q, r: q.imag.sum() + r.real.sum())(
        *L.linalg.qr(x, mode="complete"))),
    "qr_batch_c64": (lambda: cr(2, 3, 3).astype(np.complex64), lambda L, x: (lambda q, r: (q * q).real.sum() + r.abs().sum())(
        *L.linalg.qr(x))),
    "eigvals_real": (lambda: re_(4, 4), lambda L, x: L.linalg.eigvals(x).abs().sum()),
    "eigvals_cx": (lambda: cr(3, 3), lambda L, x: (L.linalg.eigvals(x) ** 2).real.sum()),
    "eig_cx": (lambda: cr(3, 3), lambda L, x: (lambda w, v: w.real.sum() + v.abs().sum())(*L.linalg.eig(x))),
    "eig_real": (lambda: re_(3, 3), lambda L, x: (lambda w, v: (v.abs() ** 2).sum() + w.imag.abs().sum() + v[..., 1, :].abs().sum())(
        *L.linalg.eig(x))),
    "eig_batch": (lambda: cr(2, 3, 3), lambda L, x: (lambda w, v: (w * w).real.sum() + v[..., 1, :].abs().sum())(
        *L.linalg.eig(x))),
    "eig_f32": (lambda: re_(3, 3).astype(np.float32), lambda L, x: (lambda w, v: w.abs().sum() + v.abs().sum())(*L.linalg.eig(x))),
    "det": (lambda: cr(3, 3), lambda L, x: L.linalg.det(x).abs()),
    "inv": (lambda: cr(3, 3), lambda L, x: (L.linalg.inv(x) * L.inverse(x)).real.sum()),
    "solve": (lambda: cr(2, 3, 3), lambda L, x: L.linalg.solve(x, L.ones(3, 2, dtype=x.dtype)).abs().sum()),
    "solve_vec": (lambda: cr(3, 3), lambda L, x: L.linalg.solve(x, L.ones(3, dtype=x.dtype)).abs().sum()),
    "solve_right": (lambda: cr(3, 3), lambda L, x: L.linalg.solve(x, L.ones(2, 3, dtype=x.dtype), left=False).real.sum()),
    "cholesky": (lambda: herm(3), lambda L, x: L.linalg.cholesky(x).abs().sum()),
    "cholesky_upper": (lambda: herm(3), lambda L, x: L.linalg.cholesky(x, upper=True).real.sum()),
    "cholesky_ex": (lambda: herm(3), lambda L, x: L.linalg.cholesky_ex(x)[0].imag.sum()),
}


def _grad(L, a, f):
    x = (Tt(a) if L is torch else P(a)).requires_grad_()
    y = f(L, x)
    (g,) = L.autograd.grad(y, [x])
    return g, y


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradient_matches_torch(name):
    mk, f = GRAD_CASES[name]
    a = mk()
    gt, yt = _grad(torch, a, f)
    gp, yp = _grad(pyts, a, f)
    assert str(gp.dtype).split(".")[-1] == str(gt.dtype).split(".")[-1]
    tol = 1e-4 if gt.dtype in (torch.float32, torch.complex64) else 1e-8
    np.testing.assert_allclose(npy(yp), npy(yt), rtol=tol, atol=tol)
    np.testing.assert_allclose(npy(gp), npy(gt), rtol=tol, atol=tol)


def test_gradient_matches_finite_differences():
    # d/dA of a phase-invariant function of eig, checked numerically on the real and imaginary parts
    a = cr(3, 3)

    def f(m):
        w, v = pyts.linalg.eig(P(m))
        return float((w.real.sum() + (v.abs() ** 2 * w.abs()).sum()).item())

    x = P(a).requires_grad_()
    w, v = pyts.linalg.eig(x)
    (g,) = pyts.autograd.grad(w.real.sum() + (v.abs() ** 2 * w.abs()).sum(), [x])
    g = npy(g)
    h = 1e-6
    for i in range(3):
        for j in range(3):
            for d, part in ((1, "re"), (1j, "im")):
                e = np.zeros((3, 3), complex)
                e[i, j] = d * h
                fd = (f(a + e) - f(a - e)) / (2 * h)
                want = g[i, j].real if part == "re" else g[i, j].imag
                assert abs(fd - want) < 1e-5, (i, j, part, fd, want)


@pytest.mark.parametrize("op,node", [
    (lambda L, x: L.linalg.svd(x)[1], "LinalgSvdBackward0"),
    (lambda L, x: L.linalg.svdvals(x), "LinalgSvdBackward0"),
    (lambda L, x: L.linalg.eigh(x)[0], "LinalgEighBackward0"),
    (lambda L, x: L.linalg.qr(x)[0], "LinalgQrBackward0"),
    (lambda L, x: L.linalg.eig(x)[0], "LinalgEigBackward0"),
    (lambda L, x: L.linalg.eigvals(x), "LinalgEigBackward0"),
    (lambda L, x: L.linalg.inv(x), "LinalgInvExBackward0"),
    (lambda L, x: L.linalg.eig(x.real)[1], "LinalgEigBackward0"),
])
def test_node_names(op, node):
    a = cr(3, 3)
    for L, mk in ((torch, Tt), (pyts, P)):
        y = op(L, mk(a).requires_grad_())
        assert type(y.grad_fn).__name__ == node if L is torch else y.grad_fn.name() == node


@pytest.mark.parametrize("f", [
    lambda L, x: L.linalg.svd(x)[0].real.sum(),
    lambda L, x: L.linalg.svd(x, full_matrices=False)[2].imag.sum(),
    lambda L, x: L.linalg.eigh(x)[1].real.sum(),
    lambda L, x: L.linalg.eig(x)[1].real.sum(),
    lambda L, x: L.linalg.eig(x.real)[1].imag.sum(),
], ids=["svd_U", "svd_Vh", "eigh_V", "eig_V", "eig_real_V"])
def test_phase_dependent_loss_raises_as_torch(f):
    a = cr(3, 3)
    msgs = []
    for L, mk in ((torch, Tt), (pyts, P)):
        x = mk(a).requires_grad_()
        with pytest.raises(RuntimeError) as ei:
            L.autograd.grad(f(L, x), [x])
        msgs.append(str(ei.value))
    assert msgs[1] == msgs[0]
    assert "e^{i phi}" in msgs[1]


def test_qr_r_mode_and_complete_tall_not_differentiable():
    for mode in ("r", "complete"):
        msgs = []
        for L, mk in ((torch, Tt), (pyts, P)):
            x = mk(cr(4, 3)).requires_grad_()
            out = L.linalg.qr(x, mode=mode)
            with pytest.raises(RuntimeError) as ei:
                L.autograd.grad(out[1].abs().sum(), [x])
            msgs.append(str(ei.value))
        assert msgs[0] == msgs[1], mode


# ---- values: batches, structure -----------------------------------------------------------------
def test_batched_results_are_the_per_matrix_results():
    a = cr(3, 4, 4)
    w, v = pyts.linalg.eig(P(a))
    u, s, vh = pyts.linalg.svd(P(a))
    q, r = pyts.linalg.qr(P(a))
    ew, ev = pyts.linalg.eigh(P(a))
    for i in range(3):
        w1, v1 = pyts.linalg.eig(P(a[i]))
        np.testing.assert_allclose(npy(w)[i], npy(w1), atol=1e-12)
        np.testing.assert_allclose(npy(v)[i], npy(v1), atol=1e-12)
        np.testing.assert_allclose(npy(s)[i], npy(pyts.linalg.svdvals(P(a[i]))), atol=1e-12)
        np.testing.assert_allclose(npy(r)[i], npy(pyts.linalg.qr(P(a[i]))[1]), atol=1e-12)
        np.testing.assert_allclose(npy(ew)[i], npy(pyts.linalg.eigvalsh(P(a[i]))), atol=1e-12)
    np.testing.assert_allclose(npy(u) @ (npy(s)[..., None] * npy(vh)), a, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 5, 8, 12, 20])
def test_eig_of_real_matrix_structure(n):
    a = re_(n, n)
    w, v = pyts.linalg.eig(P(a))
    tw = torch.linalg.eigvals(Tt(a)).numpy()
    wn, vn = npy(w), npy(v)
    assert w.dtype == pyts.complex128 and v.dtype == pyts.complex128
    np.testing.assert_allclose(a @ vn, vn * wn[None, :], atol=1e-10)
    np.testing.assert_allclose(csort(wn), csort(tw), atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(vn, axis=0), 1, atol=1e-12)
    k = 0
    while k < n:   # real eigenvalues with real vectors; pairs as geev: + imaginary first, exact conjugates
        if wn[k].imag == 0:
            assert np.all(vn[:, k].imag == 0)
            k += 1
        else:
            assert wn[k].imag > 0 and wn[k + 1] == np.conj(wn[k])
            assert np.array_equal(vn[:, k + 1], np.conj(vn[:, k]))
            k += 2


def test_eig_defective_and_repeated():
    for a in (np.array([[1.0, 1.0], [0.0, 1.0]]), np.eye(3) * 2, np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0.0]])):
        w = npy(pyts.linalg.eigvals(P(a)))
        tw = torch.linalg.eigvals(Tt(a)).numpy()
        np.testing.assert_allclose(csort(w), csort(tw), atol=1e-6)


def test_eigh_reads_only_its_triangle():
    h = herm(4)
    junk = h.copy()
    iu = np.triu_indices(4, 1)
    junk[iu] = 99 + 7j
    jl = h.copy()
    jl[np.tril_indices(4, -1)] = -5j
    np.testing.assert_allclose(npy(pyts.linalg.eigvalsh(P(junk))), np.linalg.eigvalsh(h), atol=1e-10)
    np.testing.assert_allclose(npy(pyts.linalg.eigvalsh(P(jl), UPLO="U")), np.linalg.eigvalsh(h), atol=1e-10)
    # the imaginary part of the diagonal is not read either, as LAPACK
    d = h + 3j * np.eye(4)
    np.testing.assert_allclose(npy(pyts.linalg.eigvalsh(P(d))), npy(torch.linalg.eigvalsh(Tt(d))), atol=1e-10)


def test_qr_matches_torch_exactly_in_layout_convention():
    a = cr(5, 3)
    for mode in ("reduced", "complete"):
        q, r = pyts.linalg.qr(P(a), mode=mode)
        tq, tr = torch.linalg.qr(Tt(a), mode=mode)
        np.testing.assert_allclose(npy(q), tq.numpy(), atol=1e-12)
        np.testing.assert_allclose(npy(r), tr.numpy(), atol=1e-12)
        assert np.all(np.diagonal(npy(r)).imag == 0)   # geqrf: a real diagonal


def test_svd_rank_deficient_full_matrices_unitary():
    a = np.outer(cr(4), cr(3))   # rank 1
    u, s, vh = pyts.linalg.svd(P(a))
    un, vn = npy(u), npy(vh)
    np.testing.assert_allclose(un.conj().T @ un, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(vn @ vn.conj().T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(npy(s), torch.linalg.svdvals(Tt(a)).numpy(), atol=1e-12)
    np.testing.assert_allclose(un[:, :3] * npy(s) @ vn, a, atol=1e-12)


def test_extreme_scales():
    # inputs scaled by powers of two before the iterations: no overflow in the sums of squares
    for scale in (1e-200, 1e200):
        a = cr(4, 4) * scale
        np.testing.assert_allclose(npy(pyts.linalg.svdvals(P(a))), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
        np.testing.assert_allclose(csort(npy(pyts.linalg.eigvals(P(a)))), csort(np.linalg.eigvals(a)), rtol=1e-10)
        h = a + a.conj().T
        np.testing.assert_allclose(npy(pyts.linalg.eigvalsh(P(h))), np.linalg.eigvalsh(h), rtol=1e-10, atol=1e-12 * scale)
        np.testing.assert_allclose(npy(pyts.linalg.qr(P(a))[1]), torch.linalg.qr(Tt(a))[1].numpy(), rtol=1e-10,
                                   atol=1e-12 * scale)


@pytest.mark.parametrize("shape", [(6, 9), (9, 6), (2, 7), (7, 7)])
def test_svd_full_matrices_unitary(shape):
    for a in (cr(*shape), np.ones(shape, complex), np.zeros(shape, complex)):
        u, s, vh = (npy(t) for t in pyts.linalg.svd(P(a)))
        np.testing.assert_allclose(u.conj().T @ u, np.eye(shape[0]), atol=1e-12)
        np.testing.assert_allclose(vh @ vh.conj().T, np.eye(shape[1]), atol=1e-12)
        k = min(shape)
        np.testing.assert_allclose((u[:, :k] * s) @ vh[:k], a, atol=1e-12)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-12)


def test_factor_strides_as_torch():
    a = cr(2, 4, 3)
    h = a[..., :3, :]
    for f in (lambda L, x: L.linalg.svd(x), lambda L, x: L.linalg.svd(x, full_matrices=False), lambda L, x: L.svd(x),
              lambda L, x: L.linalg.qr(x), lambda L, x: L.linalg.qr(x, mode="complete"),
              lambda L, x: L.linalg.eigh(x[..., :3, :]), lambda L, x: L.linalg.eig(x[..., :3, :]),
              lambda L, x: L.linalg.eig(x[..., :3, :].real)):
        sp = [t.stride() for t in f(pyts, P(a))]
        st = [t.stride() for t in f(torch, Tt(a))]
        assert sp == st
    assert h.shape == (2, 3, 3)


def test_named_results():
    a = cr(3, 3)
    r = pyts.linalg.eig(P(a))
    assert r.eigenvalues is r[0] and r.eigenvectors is r[1]
    assert type(r).__name__ == "linalg_eig"


# ---- errors -------------------------------------------------------------------------------------
def _same_error(f, cls=RuntimeError):
    errs = []
    for L, mk in ((torch, Tt), (pyts, P)):
        with pytest.raises(cls) as ei:
            f(L, mk)
        errs.append(ei.value)
    assert str(errs[1]) == str(errs[0])
    return errs


@pytest.mark.parametrize("f", [
    lambda L, mk: L.linalg.inv(mk(np.array([[1 + 1j, 2], [2 + 2j, 4]]))),
    lambda L, mk: L.linalg.inv(mk(np.stack([np.eye(2), np.zeros((2, 2))]).astype(np.complex64))),
    lambda L, mk: L.linalg.inv_ex(mk(np.zeros((2, 2), np.complex128)), check_errors=True),
    lambda L, mk: L.inverse(mk(np.zeros((3, 3), np.complex128))),
    lambda L, mk: L.linalg.solve(mk(np.zeros((2, 2), np.complex128)), mk(np.ones(2, np.complex128))),
    lambda L, mk: L.linalg.solve(mk(np.stack([np.eye(2), np.zeros((2, 2))]).astype(np.complex128)),
                                 mk(np.ones((2, 2, 1), np.complex128))),
    lambda L, mk: L.linalg.solve_ex(mk(np.zeros((2, 2), np.complex128)), mk(np.ones(2, np.complex128)), check_errors=True),
    lambda L, mk: L.linalg.cholesky(mk(-np.eye(2, dtype=np.complex128))),
    lambda L, mk: L.linalg.cholesky(mk(np.stack([np.eye(2), -np.eye(2)]).astype(np.complex128))),
], ids=["inv", "inv_batch", "inv_ex", "inverse", "solve", "solve_batch", "solve_ex", "cholesky", "cholesky_batch"])
def test_complex_singular_raises_linalgerror(f):
    et, ep = None, None
    (ep, et) = _same_error(f)[::-1]
    assert isinstance(et, torch.linalg.LinAlgError)
    assert isinstance(ep, pyts.linalg.LinAlgError) and isinstance(ep, RuntimeError)


@pytest.mark.parametrize("f,cls", [
    (lambda L, mk: L.linalg.eig(mk(np.ones((2, 3)))), RuntimeError),
    (lambda L, mk: L.linalg.eig(mk(np.ones(3))), RuntimeError),
    (lambda L, mk: L.linalg.eig(mk(np.ones((2, 2), np.int64))), RuntimeError),
    (lambda L, mk: L.linalg.eig(mk(np.ones((2, 2), np.float16))), NotImplementedError),
    (lambda L, mk: L.linalg.eigvals(mk(np.ones((2, 3), np.complex64))), RuntimeError),
    (lambda L, mk: L.linalg.eig(mk(np.full((3, 3), np.nan))), RuntimeError),
    (lambda L, mk: L.linalg.eig(mk(np.array([[1, np.inf], [0, 1j]]))), RuntimeError),
    (lambda L, mk: L.linalg.svd(mk(np.array([[1, np.nan], [0, 1j]]))), RuntimeError),
    (lambda L, mk: L.linalg.qr(mk(np.ones((2, 2), np.complex64)), mode="x"), RuntimeError),
    (lambda L, mk: L.linalg.eigh(mk(np.ones((2, 2), np.complex64)), UPLO="l "), RuntimeError),
    (lambda L, mk: L.linalg.svd(mk(np.ones((2, 2), np.complex64)), driver="gesvd"), RuntimeError),
    (lambda L, mk: L.linalg.svd(mk(np.ones(2, np.complex64))), RuntimeError),
], ids=["eig_rect", "eig_1d", "eig_int", "eig_half", "eigvals_rect", "eig_nan", "eig_inf", "svd_nan", "qr_mode", "eigh_uplo", "svd_driver", "svd_1d"])
def test_errors_as_torch(f, cls):
    _same_error(f, cls)


# ---- scripted -----------------------------------------------------------------------------------
def kinds(graph):
    return sorted(k for k in re.findall(r"= ((?:aten|prim)::\w+)", str(graph)) if k != "prim::Constant")


def cx_fn(x, h):
    w, v = torch.linalg.eig(x)
    ev = torch.linalg.eigvals(x)
    u, s, vh = torch.linalg.svd(x, full_matrices=False)
    sv = torch.linalg.svdvals(x)
    q, r = torch.linalg.qr(x, mode="complete")
    ew, evec = torch.linalg.eigh(h, UPLO="U")
    eh = torch.linalg.eigvalsh(h)
    u2, s2, v2 = torch.svd(x)
    q2, r2 = torch.qr(x)
    return (w.abs().sum(), ev.real.sum(), s, sv, r, q.abs(), ew, eh, s2, r2, evec.abs(), v.abs().sum(0),
            (u * s.unsqueeze(-2).to(u.dtype)) @ vh)


def test_scripted_complex_linalg_as_torch():
    x, h = cr(3, 3), herm(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sp, st = pyts.jit.script(cx_fn), torch.jit.script(cx_fn)
        rp, rt = sp(P(x), P(h)), st(Tt(x), Tt(h))
    assert kinds(sp.graph) == kinds(st.graph)
    for op in ("aten::linalg_eig", "aten::linalg_eigvals", "aten::linalg_svd", "aten::linalg_svdvals",
               "aten::linalg_qr", "aten::linalg_eigh", "aten::linalg_eigvalsh", "aten::svd", "aten::qr"):
        assert op in kinds(sp.graph)
    assert sp.code == st.code
    assert len(rp) == len(rt)
    for i, (p, t) in enumerate(zip(rp, rt)):
        assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], i
        np.testing.assert_allclose(npy(p), npy(t), rtol=1e-9, atol=1e-9, err_msg=str(i))


def test_scripted_eig_of_real_input_and_gradient():
    def f(x):
        w, v = torch.linalg.eig(x)
        return w.abs().sum() + v.abs().pow(2).sum()

    a = re_(4, 4)
    sp, st = pyts.jit.script(f), torch.jit.script(f)
    assert kinds(sp.graph) == kinds(st.graph)
    xp, xt = P(a).requires_grad_(), Tt(a).requires_grad_()
    yp, yt = sp(xp), st(xt)
    np.testing.assert_allclose(yp.item(), yt.item(), rtol=1e-10)
    (gp,), (gt,) = pyts.autograd.grad(yp, [xp]), torch.autograd.grad(yt, [xt])
    np.testing.assert_allclose(npy(gp), gt.numpy(), atol=1e-9)


def test_scripted_singular_raises_linalgerror():
    def f(x):
        return torch.linalg.inv(x)

    fn = pyts.jit.script(f)
    with pytest.raises(pyts.linalg.LinAlgError, match="the input matrix is singular"):
        fn(pyts.zeros(2, 2, dtype=pyts.complex64))
