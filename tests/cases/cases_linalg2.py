"""Differential cases for ops_linalg2.def rows (see tests/oracle.py): det/slogdet/logdet,
inv/solve/cholesky (+ their _ex rows), qr, svd, eigh, norms, pinv, matrix_rank, matrix_power and
cross over float32/float64, batches (broadcast for solve), empty and non-contiguous inputs,
keyword arguments, and the errors torch raises. Factorizations are compared on what is unique:
reconstructions, R/singular values/eigenvalues, and absolute values of vectors (distinct
singular values and eigenvalues, so each vector is unique up to its sign)."""
import numpy as np

from oracle import noncontig, rand

f32, f64, f16 = np.float32, np.float64, np.float16
i64 = np.int64


def gen(*shape, dtype=f32):
    """a well-conditioned square (batch of) matrix: random plus a dominant diagonal"""
    a = rand(*shape, dtype=f64)
    n = shape[-1]
    return (a + 3 * np.eye(n)).astype(dtype)


def spd(*shape, dtype=f32):
    """symmetric positive-definite (batch of) matrix with well separated eigenvalues"""
    a = rand(*shape, dtype=f64)
    n = shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1.0, n + 1) * 2)).astype(dtype)


def sym(*shape, dtype=f32):
    """symmetric (indefinite) with distinct eigenvalues"""
    a = rand(*shape, dtype=f64)
    n = shape[-1]
    return (a + np.swapaxes(a, -1, -2) + np.diag(np.arange(n) * 3.0 - n)).astype(dtype)


def singular(dtype=f32):
    # a zero row: every LU gives an exactly zero pivot. With a row that is only a multiple of
    # another, torch's slogdet/logdet (MKL, on some CPUs) round the last pivot to +-1e-16 and
    # report sign -1 / nan, so the expected value would depend on the machine.
    return np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]], dtype=dtype)


def tall(*shape, dtype=f32):
    return rand(*shape, dtype=dtype)


def qr_parts(L, A, *a, **k):
    q, r = L.linalg.qr(A, *a, **k)
    return (q @ r).double(), r.abs().double(), q.abs().double(), q.shape, r.shape


def svd_parts(L, A, full=True):
    u, s, vh = L.linalg.svd(A, full_matrices=full)
    k = s.shape[-1]
    rec = (u[..., :, :k] * s.unsqueeze(-2)) @ vh[..., :k, :]
    return rec.double(), s, u[..., :, :k].abs().double(), vh[..., :k, :].abs().double(), u.shape, vh.shape


def eigh_parts(L, A, *a):
    w, v = L.linalg.eigh(A, *a)
    return w, v.abs().double(), v.shape


CASES = {
    "LINALG_DET": [
        lambda L, T: L.linalg.det(T(gen(3, 3))),
        lambda L, T: L.linalg.det(T(gen(2, 4, 4, dtype=f64))),
        lambda L, T: L.linalg.det(T(noncontig(gen(3, 3)))),
        lambda L, T: L.linalg.det(T(gen(4, 4).T)),
        lambda L, T: L.linalg.det(T(singular())),
        lambda L, T: L.linalg.det(T(np.zeros((0, 0), f32))),
        lambda L, T: L.linalg.det(T(np.zeros((2, 0, 0), f64))),
        lambda L, T: L.linalg.det(T(np.zeros((0, 3, 3), f32))),
        lambda L, T: L.linalg.det(T(gen(1, 1))),
        lambda L, T: L.linalg.det(A=T(gen(2, 2))),
        lambda L, T: L.linalg.det(T(gen(3, 3, dtype=i64))),
        lambda L, T: L.linalg.det(T(gen(3, 3, dtype=f16))),
        lambda L, T: L.linalg.det(T(rand(2, 3))),
        lambda L, T: L.linalg.det(T(rand(3))),
    ],
    "DET": [
        lambda L, T: L.det(T(gen(3, 3))),
        lambda L, T: T(gen(2, 3, 3, dtype=f64)).det(),
        lambda L, T: L.det(T(rand(3, 2))),
    ],
    "LINALG_SLOGDET": [
        lambda L, T: tuple(L.linalg.slogdet(T(gen(3, 3)))),
        lambda L, T: tuple(L.linalg.slogdet(T(-gen(2, 3, 3, dtype=f64)))),
        lambda L, T: L.linalg.slogdet(T(noncontig(gen(4, 4)))).logabsdet,
        lambda L, T: L.linalg.slogdet(T(gen(4, 4))).sign,
        lambda L, T: tuple(L.linalg.slogdet(T(singular(f64)))),
        lambda L, T: tuple(L.linalg.slogdet(T(np.zeros((0, 0), f32)))),
        lambda L, T: L.linalg.slogdet(T(gen(3, 3, dtype=f16))),
        lambda L, T: L.linalg.slogdet(T(gen(3, 3, dtype=i64))),
    ],
    "SLOGDET": [
        lambda L, T: tuple(L.slogdet(T(gen(3, 3)))),
        lambda L, T: T(gen(2, 2, 2, dtype=f64)).slogdet().logabsdet,
    ],
    "LOGDET": [
        lambda L, T: L.logdet(T(spd(3, 3))),
        lambda L, T: L.logdet(T(-spd(2, 3, 3, dtype=f64))),
        lambda L, T: T(spd(4, 4)).logdet(),
        lambda L, T: L.logdet(T(singular(f64))),
        lambda L, T: L.logdet(T(gen(3, 3, dtype=i64))),
    ],
    "LINALG_INV_EX": [
        lambda L, T: tuple(L.linalg.inv_ex(T(gen(3, 3)))),
        lambda L, T: tuple(L.linalg.inv_ex(T(gen(2, 4, 4, dtype=f64)), check_errors=True)),
        lambda L, T: L.linalg.inv_ex(T(np.stack([singular(), gen(3, 3)]))).info,
        lambda L, T: L.linalg.inv_ex(T(np.stack([gen(3, 3), singular()])), check_errors=True),
        lambda L, T: L.linalg.inv_ex(T(rand(2, 3))),
    ],
    "LINALG_INV": [
        lambda L, T: L.linalg.inv(T(gen(3, 3))),
        lambda L, T: L.linalg.inv(T(gen(2, 3, 4, 4, dtype=f64))),
        lambda L, T: L.linalg.inv(T(noncontig(gen(3, 3)))),
        lambda L, T: L.linalg.inv(T(np.zeros((0, 0), f32))),
        lambda L, T: L.linalg.inv(T(np.zeros((0, 2, 2), f64))),
        lambda L, T: L.linalg.inv(T(singular())),
        lambda L, T: L.linalg.inv(T(gen(3, 3, dtype=i64))),
        lambda L, T: L.linalg.inv(T(gen(3, 3, dtype=f16))),
        lambda L, T: L.linalg.inv(T(rand(3, 4))),
    ],
    "INVERSE": [
        lambda L, T: L.inverse(T(gen(3, 3))),
        lambda L, T: T(gen(2, 2, 2, dtype=f64)).inverse(),
        lambda L, T: L.inverse(T(singular())),
    ],
    "LINALG_SOLVE_EX": [
        lambda L, T: tuple(L.linalg.solve_ex(T(gen(3, 3)), T(rand(3, 2)))),
        lambda L, T: tuple(L.linalg.solve_ex(T(gen(2, 3, 3, dtype=f64)), T(rand(3, dtype=f64)), check_errors=True)),
        lambda L, T: L.linalg.solve_ex(T(singular()), T(rand(3, 2))).info,
        lambda L, T: L.linalg.solve_ex(T(singular()), T(rand(3, 2)), check_errors=True),
    ],
    "LINALG_SOLVE": [
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(3, 2))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(3))),
        lambda L, T: L.linalg.solve(T(gen(2, 3, 3, dtype=f64)), T(rand(2, 3, dtype=f64))),      # batch of vectors
        lambda L, T: L.linalg.solve(T(gen(2, 1, 3, 3, dtype=f64)), T(rand(4, 3, 2, dtype=f64))),  # broadcast
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(2, 5, 3, 4))),
        lambda L, T: L.linalg.solve(T(noncontig(gen(3, 3))), T(noncontig(rand(3, 2)))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(2, 3)), left=False),
        lambda L, T: L.linalg.solve(T(gen(2, 3, 3, dtype=f64)), T(rand(2, 4, 3, dtype=f64)), left=False),
        lambda L, T: L.linalg.solve(T(np.zeros((0, 0), f32)), T(np.zeros((0, 2), f32))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(np.zeros((3, 0), f32))),
        lambda L, T: L.linalg.solve(T(singular()), T(rand(3, 1))),
        lambda L, T: L.linalg.solve(T(np.stack([gen(3, 3), singular()])), T(rand(2, 3, 1))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(4, 2))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(4))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(3, 2, dtype=f64))),
        lambda L, T: L.linalg.solve(T(gen(3, 3, dtype=i64)), T(rand(3, 2, dtype=i64))),
        lambda L, T: L.linalg.solve(T(gen(3, 3)), T(rand(3)), left=False),
        lambda L, T: L.linalg.solve(T(rand(3, 4)), T(rand(3, 2))),
    ],
    "LINALG_CHOLESKY_EX": [
        lambda L, T: tuple(L.linalg.cholesky_ex(T(spd(3, 3)))),
        lambda L, T: tuple(L.linalg.cholesky_ex(T(spd(2, 4, 4, dtype=f64)), upper=True)),
        lambda L, T: L.linalg.cholesky_ex(T(np.stack([-np.eye(3), np.eye(3)]).astype(f32))).info,
        lambda L, T: L.linalg.cholesky_ex(T(-np.eye(3, dtype=f32)), check_errors=True),
    ],
    "LINALG_CHOLESKY": [
        lambda L, T: L.linalg.cholesky(T(spd(3, 3))),
        lambda L, T: L.linalg.cholesky(T(spd(2, 3, 5, 5, dtype=f64))),
        lambda L, T: L.linalg.cholesky(T(spd(4, 4)), upper=True),
        lambda L, T: L.linalg.cholesky(T(noncontig(spd(3, 3)))),
        lambda L, T: L.linalg.cholesky(T(np.zeros((0, 0), f64))),
        lambda L, T: L.linalg.cholesky(T(np.array([[1.0, 2.0], [2.0, 1.0]], f32))),
        lambda L, T: L.linalg.cholesky(T(-np.eye(3, dtype=f32)[None].repeat(2, 0))),
        lambda L, T: L.linalg.cholesky(T(spd(3, 3, dtype=f16))),
        lambda L, T: L.linalg.cholesky(T(spd(3, 3, dtype=i64))),
        lambda L, T: L.linalg.cholesky(T(rand(2, 3))),
    ],
    "CHOLESKY": [
        lambda L, T: L.cholesky(T(spd(3, 3))),
        lambda L, T: T(spd(2, 3, 3, dtype=f64)).cholesky(upper=True),
        lambda L, T: L.cholesky(T(np.array([[1.0, 2.0], [2.0, 1.0]], f32))),
        lambda L, T: L.cholesky(T(spd(3, 3, dtype=i64))),
    ],
    "LINALG_QR": [
        lambda L, T: qr_parts(L, T(tall(4, 3))),
        lambda L, T: qr_parts(L, T(tall(3, 5, dtype=f64))),
        lambda L, T: qr_parts(L, T(tall(2, 5, 3)), "complete"),
        lambda L, T: qr_parts(L, T(tall(3, 3, dtype=f64)), mode="reduced"),
        lambda L, T: qr_parts(L, T(noncontig(tall(4, 3)))),
        lambda L, T: tuple(x.shape for x in L.linalg.qr(T(tall(4, 3)), mode="r")),
        lambda L, T: L.linalg.qr(T(tall(4, 3)), mode="r").R.abs(),
        lambda L, T: qr_parts(L, T(np.zeros((0, 3), f32))),
        lambda L, T: qr_parts(L, T(np.zeros((3, 0), f64)), "complete"),
        lambda L, T: L.linalg.qr(T(tall(3, 3)), mode="bad"),
        lambda L, T: L.linalg.qr(T(tall(3, 3, dtype=i64))),
        lambda L, T: L.linalg.qr(T(tall(3))),
    ],
    "QR": [
        lambda L, T: tuple(x.abs() for x in L.qr(T(tall(4, 3)))),
        lambda L, T: tuple(x.shape for x in T(tall(4, 3, dtype=f64)).qr(some=False)),
    ],
    "_LINALG_SVD": [
        lambda L, T: L._linalg_svd(T(tall(4, 3, dtype=f64)))[1],
        lambda L, T: tuple(x.shape for x in L._linalg_svd(T(tall(4, 3)), compute_uv=False)),
        lambda L, T: L._linalg_svd(T(tall(3, 3)), driver="gesvd"),
    ],
    "LINALG_SVD": [
        lambda L, T: svd_parts(L, T(tall(4, 3))),
        lambda L, T: svd_parts(L, T(tall(3, 5, dtype=f64)), full=False),
        lambda L, T: svd_parts(L, T(tall(2, 3, 4, dtype=f64))),
        lambda L, T: svd_parts(L, T(noncontig(tall(3, 3)))),
        lambda L, T: svd_parts(L, T(np.zeros((0, 3), f32))),
        lambda L, T: svd_parts(L, T(np.zeros((2, 0), f64)), full=False),
        lambda L, T: L.linalg.svd(T(tall(3, 3, dtype=i64))),
        lambda L, T: L.linalg.svd(T(tall(3, 3, dtype=f16))),
        lambda L, T: L.linalg.svd(T(tall(3))),
    ],
    "LINALG_SVDVALS": [
        lambda L, T: L.linalg.svdvals(T(tall(4, 3))),
        lambda L, T: L.linalg.svdvals(T(tall(2, 3, 5, dtype=f64))),
        lambda L, T: L.linalg.svdvals(T(np.zeros((0, 4), f32))),
        lambda L, T: L.linalg.svdvals(T(singular(f64))),
    ],
    "SVD": [
        lambda L, T: (lambda u, s, v: ((u * s.unsqueeze(-2)) @ v.mT, s, u.abs(), v.abs()))(*L.svd(T(tall(4, 3, dtype=f64)))),
        lambda L, T: tuple(x.shape for x in L.svd(T(tall(4, 3)), some=False)),
        lambda L, T: tuple(L.svd(T(tall(3, 2)), compute_uv=False)),
        lambda L, T: T(tall(2, 3, 3, dtype=f64)).svd().S,
    ],
    "_LINALG_EIGH": [
        lambda L, T: L._linalg_eigh(T(sym(4, 4, dtype=f64)))[0],
        lambda L, T: tuple(x.shape for x in L._linalg_eigh(T(sym(4, 4)), compute_v=False)),
    ],
    "LINALG_EIGH": [
        lambda L, T: eigh_parts(L, T(sym(4, 4))),
        lambda L, T: eigh_parts(L, T(sym(2, 3, 3, dtype=f64))),
        lambda L, T: eigh_parts(L, T(np.triu(sym(4, 4, dtype=f64))), "U"),
        lambda L, T: eigh_parts(L, T(np.tril(sym(4, 4, dtype=f64))), "L"),
        lambda L, T: eigh_parts(L, T(noncontig(sym(3, 3)))),
        lambda L, T: eigh_parts(L, T(np.zeros((0, 0), f32))),
        lambda L, T: L.linalg.eigh(T(sym(3, 3)), UPLO="X"),
        lambda L, T: L.linalg.eigh(T(sym(3, 3, dtype=i64))),
        lambda L, T: L.linalg.eigh(T(rand(2, 3))),
    ],
    "LINALG_EIGVALSH": [
        lambda L, T: L.linalg.eigvalsh(T(sym(4, 4))),
        lambda L, T: L.linalg.eigvalsh(T(np.triu(sym(2, 4, 4, dtype=f64))), UPLO="U"),
        lambda L, T: L.linalg.eigvalsh(T(sym(3, 3, dtype=f16))),
    ],
    "LINALG_VECTOR_NORM": [
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4))),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4, dtype=f64)), 1),
        lambda L, T: L.linalg.vector_norm(T(rand(2, 3, 4)), 3.5, dim=(0, 2)),
        lambda L, T: L.linalg.vector_norm(T(rand(2, 3, 4)), float("inf"), dim=-1, keepdim=True),
        lambda L, T: L.linalg.vector_norm(T(rand(2, 3, 4)), -float("inf"), dim=1),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4)), 0),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4)), keepdim=True),
        lambda L, T: L.linalg.vector_norm(T(noncontig(rand(3, 4))), ord=2, dim=0),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4)), dtype=L.float64),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4, dtype=f16)), 2),
        lambda L, T: L.linalg.vector_norm(T(np.array(-2.5, f32))),
        lambda L, T: L.linalg.vector_norm(T(np.zeros((0, 3), f32))),
        lambda L, T: L.linalg.vector_norm(T(np.zeros((0, 3), f32)), dim=1),
        lambda L, T: L.linalg.vector_norm(T(rand(3, 4, dtype=i64))),
    ],
    "LINALG_MATRIX_NORM": [
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4)), 1),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), -1),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), float("inf")),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4)), -float("inf"), keepdim=True),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), 2),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), -2, dim=(0, 2), keepdim=True),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), 1, dim=(2, 0)),
        lambda L, T: L.linalg.matrix_norm(T(noncontig(rand(3, 4))), 2),
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4)), 3),
        lambda L, T: L.linalg.matrix_norm(T(rand(3)), 1),
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4)), 1, dim=(0, 0)),
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4, dtype=i64)), 1),
    ],
    "LINALG_MATRIX_NORM_STR_ORD": [
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4))),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), "nuc"),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4)), "fro", dim=(0, 1), keepdim=True),
        lambda L, T: L.linalg.matrix_norm(T(rand(2, 3, 4, dtype=f64)), "nuc", keepdim=True),
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4)), dtype=L.float64),
        lambda L, T: L.linalg.matrix_norm(T(rand(3, 4)), "bad"),
    ],
    "LINALG_NORM": [
        lambda L, T: L.linalg.norm(T(rand(3, 4))),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4, dtype=f64))),
        lambda L, T: L.linalg.norm(T(rand(5)), 3),
        lambda L, T: L.linalg.norm(T(rand(3, 4, dtype=f64)), 2),
        lambda L, T: L.linalg.norm(T(rand(3, 4)), float("inf")),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), 1, dim=(1, 2)),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), 1, dim=1, keepdim=True),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), dim=(0, 1)),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), 2),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), 2, dim=(0, 1, 2)),
    ],
    "LINALG_NORM_ORD_STR": [
        lambda L, T: L.linalg.norm(T(rand(3, 4)), "fro"),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4, dtype=f64)), "nuc", dim=(1, 2)),
        lambda L, T: L.linalg.norm(T(rand(3, 4)), "nuc", keepdim=True),
        lambda L, T: L.linalg.norm(T(rand(4)), "fro"),
        lambda L, T: L.linalg.norm(T(rand(2, 3, 4)), "fro"),
    ],
    "LINALG_PINV_ATOL_RTOL_FLOAT": [
        lambda L, T: L.linalg.pinv(T(rand(4, 3))),
        lambda L, T: L.linalg.pinv(T(rand(2, 3, 5, dtype=f64))),
        lambda L, T: L.linalg.pinv(T(singular(f64))),
        lambda L, T: L.linalg.pinv(T(tall(4, 3, dtype=f64)), atol=0.5),
        lambda L, T: L.linalg.pinv(T(tall(4, 3, dtype=f64)), rtol=0.3),
        lambda L, T: L.linalg.pinv(T(sym(4, 4, dtype=f64)), hermitian=True),
        lambda L, T: L.linalg.pinv(T(np.zeros((0, 3), f32))),
        lambda L, T: L.linalg.pinv(T(noncontig(rand(3, 3, dtype=f64)))),
        lambda L, T: L.linalg.pinv(T(rand(3, 3, dtype=i64))),
        lambda L, T: L.linalg.pinv(T(rand(3))),
    ],
    "LINALG_PINV": [
        lambda L, T: L.linalg.pinv(T(singular(f64)), 0.1),
        lambda L, T: L.linalg.pinv(T(sym(3, 3, dtype=f64)), 1e-3, True),
    ],
    "PINVERSE": [
        lambda L, T: L.pinverse(T(rand(4, 3, dtype=f64))),
        lambda L, T: T(singular(f64)).pinverse(rcond=0.01),
        lambda L, T: L.pinverse(T(rand(3, 3, dtype=i64))),
    ],
    "LINALG_MATRIX_RANK_ATOL_RTOL_FLOAT": [
        lambda L, T: L.linalg.matrix_rank(T(rand(4, 3))),
        lambda L, T: L.linalg.matrix_rank(T(singular(f64))),
        lambda L, T: L.linalg.matrix_rank(T(np.stack([singular(), np.eye(3, dtype=f32), np.zeros((3, 3), f32)]))),
        lambda L, T: L.linalg.matrix_rank(T(tall(4, 3, dtype=f64)), atol=1.0, rtol=0.0),
        lambda L, T: L.linalg.matrix_rank(T(sym(4, 4, dtype=f64)), hermitian=True),
        lambda L, T: L.linalg.matrix_rank(T(np.zeros((2, 0, 3), f32))),
        lambda L, T: L.linalg.matrix_rank(T(rand(3, 3, dtype=i64))),
    ],
    "LINALG_MATRIX_RANK": [
        lambda L, T: L.linalg.matrix_rank(T(tall(4, 3, dtype=f64)), 0.5),
        lambda L, T: L.linalg.matrix_rank(T(sym(3, 3, dtype=f64)), 0.5, True),
    ],
    "LINALG_MATRIX_POWER": [
        lambda L, T: L.linalg.matrix_power(T(rand(3, 3)), 2),
        lambda L, T: L.linalg.matrix_power(T(rand(2, 3, 3, dtype=f64)), 5),
        lambda L, T: L.linalg.matrix_power(T(rand(3, 3)), 1),
        lambda L, T: L.linalg.matrix_power(T(rand(2, 3, 3)), 0),
        lambda L, T: L.linalg.matrix_power(T(gen(3, 3, dtype=f64)), -3),
        lambda L, T: L.linalg.matrix_power(T(rand(3, 3, dtype=i64, low=-3, high=3)), 3),
        lambda L, T: L.linalg.matrix_power(T(noncontig(rand(3, 3))), 2),
        lambda L, T: L.linalg.matrix_power(T(np.zeros((0, 2, 2), f32)), 3),
        lambda L, T: L.linalg.matrix_power(T(rand(3, 3, dtype=i64)), -1),
        lambda L, T: L.linalg.matrix_power(T(rand(3, 4)), 2),
        lambda L, T: L.linalg.matrix_power(T(rand(3)), 2),
    ],
    "MATRIX_POWER": [
        lambda L, T: L.matrix_power(T(rand(3, 3)), 3),
        lambda L, T: T(gen(2, 2, 2, dtype=f64)).matrix_power(-1),
    ],
    "LINALG_CROSS": [
        lambda L, T: L.linalg.cross(T(rand(4, 3)), T(rand(4, 3))),
        lambda L, T: L.linalg.cross(T(rand(3, 4, dtype=f64)), T(rand(3, 4, dtype=f64)), dim=0),
        lambda L, T: L.linalg.cross(T(rand(2, 1, 3)), T(rand(1, 5, 3))),
        lambda L, T: L.linalg.cross(T(rand(4, 3, dtype=i64)), T(rand(4, 3, dtype=i64))),
        lambda L, T: L.linalg.cross(T(rand(4, 3)), T(rand(4, 3, dtype=f64))),
        lambda L, T: L.linalg.cross(T(noncontig(rand(2, 3))), T(rand(2, 3))),
        lambda L, T: L.linalg.cross(T(rand(4, 2)), T(rand(4, 2))),
        lambda L, T: L.linalg.cross(T(rand(4, 3)), T(rand(3))),
    ],
    "CROSS": [
        lambda L, T: L.cross(T(rand(4, 3)), T(rand(4, 3)), dim=1),
        lambda L, T: T(rand(3, 4, dtype=f64)).cross(T(rand(3, 4, dtype=f64)), 0),
        lambda L, T: L.cross(T(rand(2, 3, 4)), T(rand(2, 3, 4))),
    ],
}
