"""Differential cases for ops_linalg10.def (linalg.eig, linalg.eigvals) and for the complex
inputs of the ops_linalg2.def factorisations (qr, svd, svdvals, torch.svd, eigh, eigvalsh; native
complex128 kernels in k_complex_linalg.c). QR follows LAPACK's convention, so Q and R are compared
as they are; the other factorisations on what is unique: values (eigenvalues sorted by real and
imaginary part apart), reconstructions / residuals, and moduli of vectors (distinct values, so
each vector is unique up to a phase)."""
import numpy as np

from oracle import noncontig, rand

f32, f64, c64, c128 = np.float32, np.float64, np.complex64, np.complex128


def crand(*shape, dtype=c128):
    return (rand(*shape, dtype=f64) + 1j * rand(*shape, dtype=f64)).astype(dtype)


def herm(*shape, dtype=c128):
    """Hermitian with well separated eigenvalues"""
    a = crand(*shape)
    n = shape[-1]
    return (a + np.swapaxes(a, -1, -2).conj() + np.diag(np.arange(n) * 4.0 - n)).astype(dtype)


def eig_parts(L, A):
    w, v = L.linalg.eig(A)
    res = A.to(v.dtype) @ v - v * w.unsqueeze(-2)
    return (res.abs().amax().double() < 1e-4, L.sort(w.real, -1)[0].double(), L.sort(w.imag, -1)[0].double(),
            L.linalg.vector_norm(v, dim=-2).double(), w.dtype, v.dtype, v.shape)


def eigvals_parts(L, A):
    w = L.linalg.eigvals(A)
    return L.sort(w.real, -1)[0].double(), L.sort(w.imag, -1)[0].double(), w.dtype


def svd_parts(L, A, full=True):
    u, s, vh = L.linalg.svd(A, full_matrices=full)
    k = s.shape[-1]
    rec = (u[..., :, :k] * s.unsqueeze(-2).to(u.dtype)) @ vh[..., :k, :]
    return rec, s, u[..., :, :k].abs().double(), vh[..., :k, :].abs().double(), u.shape, vh.shape, u.dtype, s.dtype


def eigh_parts(L, A, *a, **k):
    w, v = L.linalg.eigh(A, *a, **k)
    return w, v.abs().double(), v.shape, v.dtype


CASES = {
    "LINALG_EIG": [
        lambda L, T: eig_parts(L, T(rand(4, 4, dtype=f64))),
        lambda L, T: eig_parts(L, T(rand(3, 3))),
        lambda L, T: eig_parts(L, T(crand(4, 4))),
        lambda L, T: eig_parts(L, T(crand(2, 3, 3, dtype=c64))),
        lambda L, T: eig_parts(L, T(noncontig(rand(3, 3, dtype=f64)))),
        lambda L, T: eig_parts(L, T(np.diag([3.0, -1.0, 2.0]))),
        lambda L, T: eig_parts(L, T(np.array([[0.0, -1.0], [1.0, 0.0]]))),   # +-i
        lambda L, T: tuple(L.linalg.eig(T(np.zeros((0, 0), f32)))),
        lambda L, T: L.linalg.eig(T(np.zeros((2, 0, 0), c128))).eigenvectors,
        lambda L, T: L.linalg.eig(T(np.array([[2.5]]))).eigenvalues,
        lambda L, T: L.linalg.eig(T(rand(2, 3))),
        lambda L, T: L.linalg.eig(T(rand(3))),
        lambda L, T: L.linalg.eig(T(rand(3, 3, dtype=np.int64))),
        lambda L, T: L.linalg.eig(T(rand(3, 3, dtype=np.float16))),
    ],
    "LINALG_EIGVALS": [
        lambda L, T: eigvals_parts(L, T(rand(5, 5, dtype=f64))),
        lambda L, T: eigvals_parts(L, T(crand(2, 3, 3))),
        lambda L, T: eigvals_parts(L, T(rand(3, 3))),
        lambda L, T: L.linalg.eigvals(T(np.diag([1.0, 2.0]))),
        lambda L, T: L.linalg.eigvals(T(np.zeros((0, 0), c64))),
        lambda L, T: L.linalg.eigvals(T(crand(2, 3))),
    ],
    "LINALG_QR": [
        lambda L, T: tuple(L.linalg.qr(T(crand(4, 3)))),
        lambda L, T: tuple(L.linalg.qr(T(crand(3, 5)), mode="complete")),
        lambda L, T: tuple(L.linalg.qr(T(crand(5, 3)), mode="complete")),
        lambda L, T: L.linalg.qr(T(crand(4, 3)), mode="r"),
        lambda L, T: tuple(L.linalg.qr(T(crand(2, 3, 3, dtype=c64)))),
        lambda L, T: tuple(L.linalg.qr(T(noncontig(crand(3, 3))))),
        lambda L, T: tuple(L.linalg.qr(T(np.zeros((0, 3), c128)))),
        lambda L, T: tuple(L.linalg.qr(T(np.zeros((3, 0), c128)), mode="complete")),
        lambda L, T: L.linalg.qr(T(crand(3, 3)), mode="full"),
        lambda L, T: L.linalg.qr(T(crand(3))),
    ],
    "QR": [
        lambda L, T: tuple(L.qr(T(crand(4, 2)))),
        lambda L, T: tuple(L.qr(T(crand(4, 2, dtype=c64)), some=False)),
    ],
    "_LINALG_SVD": [
        lambda L, T: L._linalg_svd(T(crand(3, 2)))[1],
        lambda L, T: L._linalg_svd(T(crand(2, 3)), compute_uv=False)[1],
    ],
    "LINALG_SVD": [
        lambda L, T: svd_parts(L, T(crand(4, 3))),
        lambda L, T: svd_parts(L, T(crand(3, 5)), False),
        lambda L, T: svd_parts(L, T(crand(3, 5))),
        lambda L, T: svd_parts(L, T(crand(2, 3, 3, dtype=c64)), False),
        lambda L, T: svd_parts(L, T(noncontig(crand(4, 2)))),
        lambda L, T: tuple(L.linalg.svd(T(np.zeros((0, 3), c128)))),
        lambda L, T: tuple(L.linalg.svd(T(np.zeros((2, 0), c64)), full_matrices=False)),
        lambda L, T: L.linalg.svd(T(np.ones((3, 2), c128)))[1],   # rank 1
        lambda L, T: L.linalg.svd(T(crand(3, 3)), driver="gesvd"),
        lambda L, T: L.linalg.svd(T(crand(3))),
    ],
    "LINALG_SVDVALS": [
        lambda L, T: L.linalg.svdvals(T(crand(4, 3))),
        lambda L, T: L.linalg.svdvals(T(crand(2, 2, 5, dtype=c64))),
    ],
    "SVD": [
        lambda L, T: (lambda u, s, v: (u.abs().double(), s, v.abs().double(), u.shape, v.shape))(*L.svd(T(crand(4, 2)))),
        lambda L, T: (lambda u, s, v: (u.shape, s, v.shape))(*L.svd(T(crand(2, 4)), some=False)),
        lambda L, T: tuple(x.resolve_conj() for x in L.svd(T(crand(3, 2)), compute_uv=False)),
    ],
    "_LINALG_EIGH": [
        lambda L, T: L._linalg_eigh(T(herm(3, 3)))[0],
        lambda L, T: L._linalg_eigh(T(herm(3, 3)), "U", False)[0],
    ],
    "LINALG_EIGH": [
        lambda L, T: eigh_parts(L, T(herm(4, 4))),
        lambda L, T: eigh_parts(L, T(herm(2, 3, 3, dtype=c64)), UPLO="U"),
        lambda L, T: eigh_parts(L, T(np.tril(crand(3, 3)))),            # the upper triangle is not read
        lambda L, T: eigh_parts(L, T(np.triu(crand(3, 3))), "U"),
        lambda L, T: eigh_parts(L, T(noncontig(herm(3, 3)))),
        lambda L, T: tuple(L.linalg.eigh(T(np.zeros((0, 0), c128)))),
        lambda L, T: L.linalg.eigh(T(herm(3, 3)), UPLO="X"),
        lambda L, T: L.linalg.eigh(T(crand(2, 3))),
    ],
    "LINALG_EIGVALSH": [
        lambda L, T: L.linalg.eigvalsh(T(herm(5, 5))),
        lambda L, T: L.linalg.eigvalsh(T(crand(2, 3, 3)), UPLO="U"),
    ],
}
