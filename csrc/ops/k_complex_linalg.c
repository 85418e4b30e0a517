/* k_complex_linalg.c: the factorisations of complex matrices (svd, qr, eigh) and the general
 * eigendecomposition linalg.eig / linalg.eigvals of real and complex matrices (ops_linalg10.def),
 * computed natively in complex128 (no LAPACK needed, like the complex LU and Cholesky):
 *   qr    Householder reflections with LAPACK's geqrf convention (R has a real diagonal), so Q and R
 *         are the ones torch returns;
 *   eigh  cyclic Jacobi rotations of the Hermitian matrix read from one triangle (UPLO);
 *   svd   one-sided (Hestenes) Jacobi on the columns of A (of A^H when wider than tall), the
 *         singular vectors of zero singular values and of full_matrices completed by Gram-Schmidt;
 *   eig   Householder reduction to Hessenberg form, shifted QR to the complex Schur form, and
 *         eigenvectors by back substitution, scaled as LAPACK's geev (unit norm, the largest
 *         component real); a real input gives real eigenvalues and vectors where they are real.
 * The complex table pts_cx_rows4 routes the complex calls of the ops_linalg2.def primitives here;
 * their composites (linalg.svd, svdvals, torch.svd, torch.qr, eigvalsh) call the primitives. */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "complex_tensor.h"
#include "lapack.h"

typedef double _Complex zc;

#define EPS DBL_EPSILON

/* ================= shared checks and buffers ================= */
static PtsStatus check_matrix(const char *fn, PtsTensor *A, bool square, PtsError *e) {
    PTS_CHECK(A->ndim >= 2, e, RUNTIME, "%s: The input tensor A must have at least 2 dimensions.", fn);
    if (square)
        PTS_CHECK(A->shape[A->ndim - 1] == A->shape[A->ndim - 2], e, RUNTIME,
                  "%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
                  (long long)A->shape[A->ndim - 2], (long long)A->shape[A->ndim - 1]);
    for (int i = A->ndim - 2; i < A->ndim; i++)
        PTS_CHECK(A->shape[i] <= 46340, e, RUNTIME, "%s: matrices of %lld rows or columns are too large", fn,
                  (long long)A->shape[i]);
    return PTS_OK;
}

static zc *zalloc(int64_t n) { return (zc *)pts_malloc(sizeof(zc) * (size_t)(n > 0 ? n : 1)); }

/* a new complex128 tensor: the batch dims of A followed by the given dims */
static PtsStatus znew(const PtsTensor *A, int nextra, const int64_t *extra, PtsDType dt, PtsError *e, PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS];
    int nb = A->ndim - 2;
    PTS_CHECK(nb + nextra <= PTS_MAX_DIMS, e, RUNTIME, "too many dimensions");
    memcpy(shape, A->shape, sizeof(int64_t) * (size_t)nb);
    for (int i = 0; i < nextra; i++) shape[nb + i] = extra[i];
    return pts_tensor_zeros(dt, nb + nextra, shape, e, out);
}

/* convert t (steals it) to dtype dt */
static PtsStatus retype(PtsTensor *t, PtsDType dt, PtsError *e, PtsValue *out) {
    PtsTensor *r;
    PtsStatus s = pts_tensor_to(t, dt, false, e, &r);
    pts_tensor_release(t);
    if (!s) *out = pts_vtensor(r);
    return s;
}

/* a (batch of) matrix t (steals it) as dtype dt in column-major layout, strides (..., 1, rows), as
 * torch returns LAPACK's factors */
static PtsStatus retype_cm(PtsTensor *t, PtsDType dt, PtsError *e, PtsValue *out) {
    int nd = t->ndim;
    int64_t sh[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    memcpy(sh, t->shape, sizeof(int64_t) * (size_t)nd);
    sh[nd - 2] = t->shape[nd - 1];
    sh[nd - 1] = t->shape[nd - 2];
    PtsTensor *base = NULL, *view = NULL;
    PtsStatus s = pts_tensor_new(dt, nd, sh, e, &base);
    if (!s) {
        memcpy(st, base->strides, sizeof(int64_t) * (size_t)nd);
        st[nd - 2] = 1;
        st[nd - 1] = t->shape[nd - 2];
        s = pts_tensor_view(base, nd, t->shape, st, 0, e, &view);
    }
    if (!s) s = pts_tensor_copy_(view, t, e);
    pts_tensor_release(base);
    pts_tensor_release(t);
    if (s) { pts_tensor_release(view); return s; }
    *out = pts_vtensor(view);
    return PTS_OK;
}

static PtsStatus empty1(PtsDType dt, PtsError *e, PtsValue *out) {
    PtsTensor *t;
    PTS_TRY(pts_tensor_new(dt, 1, (int64_t[]){ 0 }, e, &t));
    *out = pts_vtensor(t);
    return PTS_OK;
}

static bool all_finite(const zc *a, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(creal(a[i])) || !isfinite(cimag(a[i]))) return false;
    return true;
}

static double abs2(zc z) { return creal(z) * creal(z) + cimag(z) * cimag(z); }

/* Scales the n values of a by a power of two (exact) so the largest part is near 1, as LAPACK
 * scales its inputs: sums of squares then neither overflow nor underflow. Returns the factor
 * that scales the results back (1 for zero or non-finite input). */
static double pow2_scale(zc *a, int64_t n) {
    double amax = 0;
    for (int64_t i = 0; i < n; i++) amax = fmax(amax, fmax(fabs(creal(a[i])), fabs(cimag(a[i]))));
    if (!(amax > 0) || !isfinite(amax)) return 1;
    int ex = ilogb(amax);
    if (ex > -8 && ex < 8) return 1;
    double down = ldexp(1.0, -ex);
    for (int64_t i = 0; i < n; i++) a[i] *= down;
    return ldexp(1.0, ex);
}

/* The 2x2 unitary U that diagonalises the Hermitian [[a, g], [conj(g), b]] (a, b real):
 * U = diag(1, e^{-i arg g}) [[c, s], [-s, c]], as a Jacobi rotation of the real [[a, |g|], [|g|, b]] */
static void jacobi2(double a, double b, zc g, zc U[4]) {
    double ag = cabs(g), zeta = (b - a) / (2 * ag);
    double t = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1 + zeta * zeta));
    double c = 1 / sqrt(1 + t * t), s = c * t;
    zc ph = conj(g) / ag;   /* e^{-i arg g} */
    U[0] = c;
    U[1] = s;
    U[2] = -s * ph;
    U[3] = c * ph;
}

/* columns p, q of the r x ncols row-major X times U */
static void rot_cols(zc *X, int64_t r, int64_t ncols, int64_t p, int64_t q, const zc U[4]) {
    for (int64_t k = 0; k < r; k++) {
        zc xp = X[k * ncols + p], xq = X[k * ncols + q];
        X[k * ncols + p] = xp * U[0] + xq * U[2];
        X[k * ncols + q] = xp * U[1] + xq * U[3];
    }
}

/* ================= Householder QR (LAPACK's geqrf / ungqr convention) ================= */
/* Reflector H = I - tau v v^H with v = [1; x / (alpha - beta)], H^H [alpha; x] = [beta; 0], beta
 * real. Overwrites col[0] with beta and col[1..len) with v's tail. */
static zc house(zc *col, int64_t len, int64_t stride) {
    double xn2 = 0;
    for (int64_t i = 1; i < len; i++) xn2 += abs2(col[i * stride]);
    zc alpha = col[0];
    if (xn2 == 0 && cimag(alpha) == 0) return 0;
    double beta = -copysign(sqrt(creal(alpha) * creal(alpha) + cimag(alpha) * cimag(alpha) + xn2), creal(alpha));
    zc tau = (beta - creal(alpha)) / beta - I * (cimag(alpha) / beta);
    zc sc = 1 / (alpha - beta);
    for (int64_t i = 1; i < len; i++) col[i * stride] *= sc;
    col[0] = beta;
    return tau;
}

/* m x n row-major a -> R (rr x n, rr = qc rows kept) and Q (m x qc); q may be NULL (mode 'r') */
static PtsStatus qr_one(zc *a, int64_t m, int64_t n, int64_t qc, zc *R, int64_t rr, zc *Q, PtsError *e) {
    int64_t k = m < n ? m : n;
    zc *tau = zalloc(k), *w = zalloc(n > qc ? n : qc);
    if (!tau || !w) { pts_free(tau); pts_free(w); return pts_fail(e, PTS_ERR_NOMEM, "out of memory"); }
    for (int64_t j = 0; j < k; j++) {
        tau[j] = house(a + j * n + j, m - j, n);
        /* A[j:, j+1:] = H^H A[j:, j+1:]: w = v^H A, A -= conj(tau) v w */
        for (int64_t c = j + 1; c < n; c++) {
            zc s = a[j * n + c];
            for (int64_t i = j + 1; i < m; i++) s += conj(a[i * n + j]) * a[i * n + c];
            s *= conj(tau[j]);
            a[j * n + c] -= s;
            for (int64_t i = j + 1; i < m; i++) a[i * n + c] -= a[i * n + j] * s;
        }
    }
    for (int64_t i = 0; i < rr; i++)
        for (int64_t c = 0; c < n; c++) R[i * n + c] = (i <= c && i < k) ? a[i * n + c] : 0;
    if (Q) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t c = 0; c < qc; c++) Q[i * qc + c] = i == c;
        for (int64_t j = k - 1; j >= 0; j--) {   /* Q = H_0 (H_1 (... H_{k-1} I)) */
            for (int64_t c = 0; c < qc; c++) {
                zc s = Q[j * qc + c];
                for (int64_t i = j + 1; i < m; i++) s += conj(a[i * n + j]) * Q[i * qc + c];
                s *= tau[j];
                Q[j * qc + c] -= s;
                for (int64_t i = j + 1; i < m; i++) Q[i * qc + c] -= a[i * n + j] * s;
            }
        }
    }
    pts_free(tau);
    pts_free(w);
    return PTS_OK;
}

static PtsStatus cx_qr(PtsTensor *A, const char *mode, PtsError *e, PtsValue *o) {
    PTS_TRY(check_matrix("linalg.qr", A, false, e));
    bool complete = strcmp(mode, "complete") == 0, ronly = strcmp(mode, "r") == 0;
    PTS_CHECK(complete || ronly || strcmp(mode, "reduced") == 0, e, RUNTIME,
              "qr received unrecognized mode '%s' but expected one of 'reduced' (default), 'r', or 'complete'", mode);
    int nb = A->ndim - 2;
    int64_t m = A->shape[nb], n = A->shape[nb + 1], k = m < n ? m : n, batch = pts_shape_numel(nb, A->shape);
    int64_t qc = complete ? m : k, rr = complete ? m : k;
    PtsTensor *z = NULL, *q = NULL, *r = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(A, PTS_COMPLEX128, true, e, &z)) || (s = znew(A, 2, (int64_t[]){ rr, n }, PTS_COMPLEX128, e, &r)))
        goto done;
    if (!ronly && (s = znew(A, 2, (int64_t[]){ m, qc }, PTS_COMPLEX128, e, &q))) goto done;
    zc *zd = (zc *)pts_tensor_data(z), *rd = (zc *)pts_tensor_data(r), *qd = q ? (zc *)pts_tensor_data(q) : NULL;
    for (int64_t b = 0; b < batch && !s; b++) {
        double back = pow2_scale(zd + b * m * n, m * n);
        s = qr_one(zd + b * m * n, m, n, qc, rd + b * rr * n, rr, qd ? qd + b * m * qc : NULL, e);
        for (int64_t i = 0; back != 1 && i < rr * n; i++) rd[b * rr * n + i] *= back;
    }
    if (s) goto done;
    if (ronly) s = empty1(A->dtype, e, &o[0]);
    else { s = retype_cm(q, A->dtype, e, &o[0]); q = NULL; }
    if (s) goto done;
    if ((s = retype_cm(r, A->dtype, e, &o[1]))) pts_value_release(&o[0]);
    r = NULL;
done:
    pts_tensor_release(z);
    pts_tensor_release(q);
    pts_tensor_release(r);
    return s;
}
static PtsStatus cx_LINALG_QR(PtsValue *a, PtsValue *o, PtsError *e) { return cx_qr(a[0].u.t, pts_as_str(a[1])->data, e, o); }

/* ================= Hermitian eigendecomposition by Jacobi rotations ================= */
/* H (n x n, full Hermitian, overwritten) -> ascending w, and V (columns) when wanted. Returns
 * false when the sweeps do not converge. */
static bool herm_eig(zc *H, int64_t n, double *w, zc *V, int64_t *perm) {
    if (V)
        for (int64_t i = 0; i < n * n; i++) V[i] = (i / n) == (i % n);
    double tot = 0;
    for (int64_t i = 0; i < n * n; i++) tot += abs2(H[i]);
    bool ok = false;
    /* a rotation is skipped when its entry is negligible next to its diagonal pair or to the
     * whole matrix; a sweep without rotations ends the iteration */
    double floor2 = tot * EPS * EPS * 1e-4;
    for (int sweep = 0; sweep < 100 && !ok; sweep++) {
        ok = true;
        for (int64_t p = 0; p < n; p++)
            for (int64_t q = p + 1; q < n; q++) {
                zc g = H[p * n + q];
                double g2 = abs2(g);
                if (g2 == 0 || g2 <= floor2 ||
                    g2 <= EPS * EPS * 1e-2 * fabs(creal(H[p * n + p])) * fabs(creal(H[q * n + q])))
                    continue;
                ok = false;
                zc U[4];
                jacobi2(creal(H[p * n + p]), creal(H[q * n + q]), g, U);
                rot_cols(H, n, n, p, q, U);
                for (int64_t c = 0; c < n; c++) {   /* rows: U^H H */
                    zc hp = H[p * n + c], hq = H[q * n + c];
                    H[p * n + c] = conj(U[0]) * hp + conj(U[2]) * hq;
                    H[q * n + c] = conj(U[1]) * hp + conj(U[3]) * hq;
                }
                H[p * n + q] = H[q * n + p] = 0;
                H[p * n + p] = creal(H[p * n + p]);
                H[q * n + q] = creal(H[q * n + q]);
                if (V) rot_cols(V, n, n, p, q, U);
            }
    }
    if (!ok || !isfinite(tot)) return false;
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = 1; i < n; i++) {   /* insertion sort of the indices by eigenvalue */
        int64_t x = perm[i], j = i;
        while (j > 0 && creal(H[perm[j - 1] * n + perm[j - 1]]) > creal(H[x * n + x])) { perm[j] = perm[j - 1]; j--; }
        perm[j] = x;
    }
    for (int64_t i = 0; i < n; i++) w[i] = creal(H[perm[i] * n + perm[i]]);
    return true;
}

static PtsStatus cx_eigh(PtsTensor *A, const char *uplo, bool want_v, PtsError *e, PtsValue *o) {
    PTS_TRY(check_matrix("linalg.eigh", A, true, e));
    PTS_CHECK((uplo[0] == 'L' || uplo[0] == 'U' || uplo[0] == 'l' || uplo[0] == 'u') && !uplo[1], e, RUNTIME,
              "Expected UPLO argument to be 'L' or 'U', but got %s", uplo);
    bool upper = uplo[0] == 'U' || uplo[0] == 'u';
    int nb = A->ndim - 2;
    int64_t n = A->shape[nb], batch = pts_shape_numel(nb, A->shape);
    PtsTensor *z = NULL, *w = NULL, *v = NULL;
    zc *H = zalloc(n * n), *V = zalloc(n * n);
    int64_t *perm = pts_malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    PtsStatus s = PTS_OK;
    if (!H || !V || !perm) { s = pts_fail(e, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_COMPLEX128, true, e, &z)) || (s = znew(A, 1, &n, PTS_FLOAT64, e, &w)) ||
        (want_v && (s = znew(A, 2, (int64_t[]){ n, n }, PTS_COMPLEX128, e, &v))))
        goto done;
    const zc *zd = (const zc *)pts_tensor_data(z);
    for (int64_t b = 0; b < batch; b++) {
        const zc *a = zd + b * n * n;
        for (int64_t i = 0; i < n; i++)   /* the Hermitian matrix of the chosen triangle */
            for (int64_t j = 0; j <= i; j++) {
                zc x = upper ? conj(a[j * n + i]) : a[i * n + j];
                if (i == j) x = creal(x);
                H[i * n + j] = x;
                H[j * n + i] = conj(x);
            }
        double *wd = (double *)pts_tensor_data(w) + b * n, back = pow2_scale(H, n * n);
        bool conv = herm_eig(H, n, wd, want_v ? V : NULL, perm);
        for (int64_t i = 0; i < n; i++) wd[i] *= back;
        if (!conv) {
            char pb[64] = "";
            if (A->ndim > 2) snprintf(pb, sizeof pb, "(Batch element %lld): ", (long long)b);
            s = pts_linalg_fail(e, "linalg.eigh: %sThe algorithm failed to converge because the input matrix is "
                                "ill-conditioned or has too many repeated eigenvalues (error code: %lld).", pb, (long long)n);
            goto done;
        }
        if (want_v) {
            zc *vd = (zc *)pts_tensor_data(v) + b * n * n;
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = 0; j < n; j++) vd[i * n + j] = V[i * n + perm[j]];
        }
    }
    if ((s = retype(w, pts_dtype_to_real(A->dtype), e, &o[0]))) { w = NULL; goto done; }
    w = NULL;
    if (want_v) { s = retype_cm(v, A->dtype, e, &o[1]); v = NULL; }
    else s = empty1(A->dtype, e, &o[1]);
    if (s) pts_value_release(&o[0]);
done:
    pts_tensor_release(z);
    pts_tensor_release(w);
    pts_tensor_release(v);
    pts_free(H);
    pts_free(V);
    pts_free(perm);
    return s;
}
static PtsStatus cx__LINALG_EIGH(PtsValue *a, PtsValue *o, PtsError *e) {
    return cx_eigh(a[0].u.t, pts_as_str(a[1])->data, a[2].u.b, e, o);
}

/* ================= SVD by one-sided Jacobi ================= */
/* Completes the columns of the m x c matrix U (row-major, leading dim c) flagged missing in
 * `have` to an orthonormal set: each gets the standard basis vector with the largest component
 * outside the columns already there, Gram-Schmidt-orthogonalised (twice) against them. tmp holds
 * 2 m. */
static void complete_basis(zc *U, int64_t m, int64_t c, bool *have, zc *tmp) {
    zc *best = tmp + m;
    for (int64_t j = 0; j < c; j++) {
        if (have[j]) continue;
        double bn = -1;
        for (int64_t e = 0; e < m; e++) {
            for (int64_t i = 0; i < m; i++) tmp[i] = i == e;
            for (int pass = 0; pass < 2; pass++)
                for (int64_t l = 0; l < c; l++) {
                    if (!have[l]) continue;
                    zc d = 0;
                    for (int64_t i = 0; i < m; i++) d += conj(U[i * c + l]) * tmp[i];
                    for (int64_t i = 0; i < m; i++) tmp[i] -= d * U[i * c + l];
                }
            double nr = 0;
            for (int64_t i = 0; i < m; i++) nr += abs2(tmp[i]);
            if (nr > bn) {
                bn = nr;
                memcpy(best, tmp, sizeof(zc) * (size_t)m);
            }
        }
        bn = sqrt(bn);
        for (int64_t i = 0; i < m; i++) U[i * c + j] = bn > 0 ? best[i] / bn : 0;
        have[j] = true;
    }
}

/* a (m x n, m >= n, row-major, overwritten) = U S V^H: S (n, descending), U (m x uc, uc = n or m),
 * V (n x n) when uv. Returns false when the sweeps do not converge. */
static bool svd_tall(zc *a, int64_t m, int64_t n, double *S, zc *U, int64_t uc, zc *V, bool uv, zc *Vw, int64_t *perm,
                     bool *have, zc *tmp) {
    for (int64_t i = 0; i < n * n; i++) Vw[i] = (i / n) == (i % n);
    /* columns at the rounding level of the whole matrix are zero columns (zero singular values) */
    double fro2 = 0;
    for (int64_t i = 0; i < m * n; i++) fro2 += abs2(a[i]);
    double noise = fro2 * EPS * EPS;
    bool ok = false;
    for (int sweep = 0; sweep < 100 && !ok; sweep++) {
        ok = true;
        for (int64_t p = 0; p < n; p++)
            for (int64_t q = p + 1; q < n; q++) {
                double al = 0, be = 0;
                zc g = 0;
                for (int64_t i = 0; i < m; i++) {
                    al += abs2(a[i * n + p]);
                    be += abs2(a[i * n + q]);
                    g += conj(a[i * n + p]) * a[i * n + q];
                }
                if (!(cabs(g) > EPS * sqrt(al * be)) || al <= noise || be <= noise) continue;
                ok = false;
                zc R[4];
                jacobi2(al, be, g, R);
                rot_cols(a, m, n, p, q, R);
                rot_cols(Vw, n, n, p, q, R);
            }
    }
    if (!ok) return false;
    for (int64_t j = 0; j < n; j++) {
        double s2 = 0;
        for (int64_t i = 0; i < m; i++) s2 += abs2(a[i * n + j]);
        S[j] = sqrt(s2);
        perm[j] = j;
    }
    for (int64_t i = 1; i < n; i++) {   /* descending */
        int64_t x = perm[i], j = i;
        while (j > 0 && S[perm[j - 1]] < S[x]) { perm[j] = perm[j - 1]; j--; }
        perm[j] = x;
    }
    for (int64_t j = 0; j < n; j++) tmp[j] = S[perm[j]];
    for (int64_t j = 0; j < n; j++) S[j] = creal(tmp[j]);
    if (!uv) return true;
    double tol = (n > 0 ? S[0] : 0) * (double)(m > n ? m : n) * EPS;
    for (int64_t j = 0; j < uc; j++) have[j] = false;
    for (int64_t j = 0; j < n; j++) {
        int64_t src = perm[j];
        for (int64_t i = 0; i < n; i++) V[i * n + j] = Vw[i * n + src];
        if (S[j] > tol && S[j] > 0) {
            for (int64_t i = 0; i < m; i++) U[i * uc + j] = a[i * n + src] / S[j];
            have[j] = true;
        } else {
            for (int64_t i = 0; i < m; i++) U[i * uc + j] = 0;
        }
    }
    complete_basis(U, m, uc, have, tmp);
    return true;
}

static PtsStatus cx_svd(PtsTensor *A, bool full, bool uv, PtsError *e, PtsValue *o) {
    PTS_TRY(check_matrix("linalg.svd", A, false, e));
    int nb = A->ndim - 2;
    int64_t m = A->shape[nb], n = A->shape[nb + 1], k = m < n ? m : n, batch = pts_shape_numel(nb, A->shape);
    int64_t uc = full ? m : k, vr = full ? n : k;
    bool wide = m < n;
    int64_t tm = wide ? n : m, tn = wide ? m : n;    /* the tall problem: tm x tn, tm >= tn */
    int64_t tuc = wide ? (full ? n : k) : uc;        /* columns of its U */
    PtsTensor *z = NULL, *u = NULL, *sv = NULL, *vh = NULL;
    zc *w = zalloc(tm * tn), *Ut = zalloc(tm * tuc), *Vt = zalloc(tn * tn), *Vw = zalloc(tn * tn),
       *tmp = zalloc(2 * (tm > tn ? tm : tn));
    int64_t *perm = pts_malloc(sizeof(int64_t) * (size_t)(tn > 0 ? tn : 1));
    bool *have = pts_malloc(sizeof(bool) * (size_t)(tm > 0 ? tm : 1));
    PtsStatus s = PTS_OK;
    if (!w || !Ut || !Vt || !Vw || !tmp || !perm || !have) { s = pts_fail(e, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_COMPLEX128, true, e, &z)) || (s = znew(A, 1, &k, PTS_FLOAT64, e, &sv))) goto done;
    if (uv && ((s = znew(A, 2, (int64_t[]){ m, uc }, PTS_COMPLEX128, e, &u)) ||
               (s = znew(A, 2, (int64_t[]){ vr, n }, PTS_COMPLEX128, e, &vh))))
        goto done;
    const zc *zd = (const zc *)pts_tensor_data(z);
    for (int64_t b = 0; b < batch; b++) {
        const zc *a = zd + b * m * n;
        if (!all_finite(a, m * n)) {
            s = pts_linalg_fail(e, "linalg.svd: The algorithm failed to converge because the input matrix contained "
                                "non-finite values.");
            goto done;
        }
        for (int64_t i = 0; i < m; i++)   /* the tall problem: A, or A^H when wide */
            for (int64_t j = 0; j < n; j++) {
                if (wide) w[j * tn + i] = conj(a[i * n + j]);
                else w[i * tn + j] = a[i * n + j];
            }
        double *S = (double *)pts_tensor_data(sv) + b * k, back = pow2_scale(w, tm * tn);
        bool conv = svd_tall(w, tm, tn, S, Ut, tuc, Vt, uv, Vw, perm, have, tmp);
        for (int64_t i = 0; i < k; i++) S[i] *= back;
        if (!conv) {
            char pb[64] = "";
            if (A->ndim > 2) snprintf(pb, sizeof pb, "(Batch element %lld): ", (long long)b);
            s = pts_linalg_fail(e, "linalg.svd: %sThe algorithm failed to converge because the input matrix is "
                                "ill-conditioned or has too many repeated singular values (error code: %lld).", pb,
                                (long long)k);
            goto done;
        }
        if (!uv) continue;
        zc *ud = (zc *)pts_tensor_data(u) + b * m * uc, *vd = (zc *)pts_tensor_data(vh) + b * vr * n;
        if (!wide) {   /* U = Ut (m x uc), Vh = Vt^H (k x n; full: n = k) */
            memcpy(ud, Ut, sizeof(zc) * (size_t)(m * uc));
            for (int64_t i = 0; i < vr; i++)
                for (int64_t j = 0; j < n; j++) vd[i * n + j] = conj(Vt[j * tn + i]);
        } else {       /* A^H = Ut S Vt^H: U = Vt (m x m), Vh = Ut^H (vr x n) */
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < uc; j++) ud[i * uc + j] = Vt[i * tn + j];
            for (int64_t i = 0; i < vr; i++)
                for (int64_t j = 0; j < n; j++) vd[i * n + j] = conj(Ut[j * tuc + i]);
        }
    }
    if (uv) { s = retype_cm(u, A->dtype, e, &o[0]); u = NULL; }
    else s = empty1(A->dtype, e, &o[0]);
    if (s) goto done;
    if ((s = retype(sv, pts_dtype_to_real(A->dtype), e, &o[1]))) { sv = NULL; pts_value_release(&o[0]); goto done; }
    sv = NULL;
    if (uv) { s = retype_cm(vh, A->dtype, e, &o[2]); vh = NULL; }
    else s = empty1(A->dtype, e, &o[2]);
    if (s) { pts_value_release(&o[0]); pts_value_release(&o[1]); }
done:
    pts_tensor_release(z);
    pts_tensor_release(u);
    pts_tensor_release(sv);
    pts_tensor_release(vh);
    pts_free(w);
    pts_free(Ut);
    pts_free(Vt);
    pts_free(Vw);
    pts_free(tmp);
    pts_free(perm);
    pts_free(have);
    return s;
}
static PtsStatus cx__LINALG_SVD(PtsValue *a, PtsValue *o, PtsError *e) {
    PTS_CHECK(a[3].tag == PTS_V_NONE, e, RUNTIME,
              "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend.");
    return cx_svd(a[0].u.t, a[1].u.b, a[2].u.b, e, o);
}

/* ================= general eigendecomposition: Hessenberg + shifted QR ================= */
/* the complex Givens rotation G = [[c, s], [-conj(s), c]] (c real) with G [x; y] = [r; 0] */
static void givens(zc x, zc y, double *c, zc *s) {
    double ax = cabs(x), ay = cabs(y);
    if (ay == 0) { *c = 1; *s = 0; return; }
    if (ax == 0) { *c = 0; *s = conj(y) / ay; return; }
    double nr = hypot(ax, ay);
    zc ph = x / ax;
    *c = ax / nr;
    *s = ph * conj(y) / nr;
}

/* H (n x n, overwritten by its Schur form T) = Z T Z^H; returns false when the QR iterations do
 * not converge */
static bool schur(zc *H, int64_t n, zc *Z, zc *tmp) {
    for (int64_t i = 0; i < n * n; i++) Z[i] = (i / n) == (i % n);
    /* Householder reduction to Hessenberg form: P = I - 2 u u^H zeroes H[k+2:, k] */
    for (int64_t k = 0; k + 2 < n; k++) {
        int64_t len = n - k - 1;
        double xn = 0;
        for (int64_t i = 0; i < len; i++) xn += abs2(H[(k + 1 + i) * n + k]);
        xn = sqrt(xn);
        if (xn == 0) continue;
        zc x0 = H[(k + 1) * n + k];
        zc ph = cabs(x0) > 0 ? x0 / cabs(x0) : 1;
        for (int64_t i = 0; i < len; i++) tmp[i] = H[(k + 1 + i) * n + k];
        tmp[0] += ph * xn;   /* u = x + e^{i arg x0} |x| e1 */
        double un = 0;
        for (int64_t i = 0; i < len; i++) un += abs2(tmp[i]);
        un = sqrt(un);
        if (un == 0) continue;
        for (int64_t i = 0; i < len; i++) tmp[i] /= un;
        for (int64_t c = 0; c < n; c++) {   /* H = P H */
            zc d = 0;
            for (int64_t i = 0; i < len; i++) d += conj(tmp[i]) * H[(k + 1 + i) * n + c];
            for (int64_t i = 0; i < len; i++) H[(k + 1 + i) * n + c] -= 2 * tmp[i] * d;
        }
        for (int64_t r = 0; r < n; r++) {   /* H = H P, Z = Z P */
            zc d = 0, dz = 0;
            for (int64_t i = 0; i < len; i++) {
                d += H[r * n + k + 1 + i] * tmp[i];
                dz += Z[r * n + k + 1 + i] * tmp[i];
            }
            for (int64_t i = 0; i < len; i++) {
                H[r * n + k + 1 + i] -= 2 * d * conj(tmp[i]);
                Z[r * n + k + 1 + i] -= 2 * dz * conj(tmp[i]);
            }
        }
        for (int64_t i = 2; i <= len; i++) H[(k + i) * n + k] = 0;
    }
    double *cs = (double *)(tmp + n);   /* n rotations: cosines then sines after them */
    zc *sn = tmp;
    int64_t hi = n - 1;
    int iter = 0, total = 0;
    while (hi > 0) {
        int64_t l = hi;
        for (; l > 0; l--) {
            double sub = cabs(H[l * n + l - 1]), d = cabs(H[(l - 1) * n + l - 1]) + cabs(H[l * n + l]);
            if (sub <= EPS * d || sub < DBL_MIN) { H[l * n + l - 1] = 0; break; }
        }
        if (l == hi) { hi--; iter = 0; continue; }
        if (++iter > 60 || ++total > 100 * (int)n) return false;
        zc mu;
        if (iter % 11 == 10) {   /* an exceptional shift breaks a cycle */
            mu = H[hi * n + hi] + cabs(H[hi * n + hi - 1]) + (hi >= 2 ? cabs(H[(hi - 1) * n + hi - 2]) : 0);
        } else {   /* Wilkinson: the eigenvalue of the trailing 2x2 closer to its last entry */
            zc a = H[(hi - 1) * n + hi - 1], b = H[(hi - 1) * n + hi], c = H[hi * n + hi - 1], d = H[hi * n + hi];
            zc tr = (a - d) / 2, sq = csqrt(tr * tr + b * c);
            zc m1 = d - b * c / (tr + sq), m2 = d - b * c / (tr - sq);
            if (tr + sq == 0) m1 = d;
            if (tr - sq == 0) m2 = d;
            mu = cabs(m1 - d) < cabs(m2 - d) ? m1 : m2;
            if (!isfinite(creal(mu)) || !isfinite(cimag(mu))) mu = d;
        }
        for (int64_t i = l; i <= hi; i++) H[i * n + i] -= mu;
        for (int64_t k = l; k < hi; k++) {   /* H - mu I = Q R: rows k, k+1 */
            double c;
            zc s;
            givens(H[k * n + k], H[(k + 1) * n + k], &c, &s);
            cs[k] = c;
            sn[k] = s;
            for (int64_t j = k; j < n; j++) {
                zc x = H[k * n + j], y = H[(k + 1) * n + j];
                H[k * n + j] = c * x + s * y;
                H[(k + 1) * n + j] = -conj(s) * x + c * y;
            }
        }
        for (int64_t k = l; k < hi; k++) {   /* R Q: columns k, k+1 (G^H on the right) */
            double c = cs[k];
            zc s = sn[k];
            int64_t top = k + 2 < hi ? k + 2 : hi;
            for (int64_t r = 0; r <= top; r++) {
                zc x = H[r * n + k], y = H[r * n + k + 1];
                H[r * n + k] = c * x + conj(s) * y;
                H[r * n + k + 1] = -s * x + c * y;
            }
            for (int64_t r = 0; r < n; r++) {
                zc x = Z[r * n + k], y = Z[r * n + k + 1];
                Z[r * n + k] = c * x + conj(s) * y;
                Z[r * n + k + 1] = -s * x + c * y;
            }
        }
        for (int64_t i = l; i <= hi; i++) H[i * n + i] += mu;
    }
    return true;
}

/* eigenvectors of the upper triangular T (back substitution), X = Z Y, each scaled as LAPACK's
 * geev: unit norm, the component of largest modulus real and positive */
static void schur_vectors(const zc *T, int64_t n, const zc *Z, zc *X, zc *y, double tnorm) {
    double smin = fmax(EPS * tnorm, DBL_MIN);
    for (int64_t k = 0; k < n; k++) {
        zc lam = T[k * n + k];
        for (int64_t j = 0; j < n; j++) y[j] = 0;
        y[k] = 1;
        for (int64_t j = k - 1; j >= 0; j--) {
            zc sum = 0;
            for (int64_t i = j + 1; i <= k; i++) sum += T[j * n + i] * y[i];
            zc d = T[j * n + j] - lam;
            if (cabs(d) < smin) d = smin;
            y[j] = -sum / d;
            double ay = cabs(y[j]);
            if (ay > 1e100) {   /* rescale against overflow */
                for (int64_t i = j; i <= k; i++) y[i] /= ay;
            }
        }
        double nr = 0;
        for (int64_t r = 0; r < n; r++) {
            zc v = 0;
            for (int64_t i = 0; i <= k; i++) v += Z[r * n + i] * y[i];
            X[r * n + k] = v;
            nr += abs2(v);
        }
        nr = sqrt(nr);
        int64_t big = 0;
        double bm = -1;
        for (int64_t r = 0; r < n; r++) {
            double m2 = abs2(X[r * n + k]);
            if (m2 > bm) { bm = m2; big = r; }
        }
        zc ph = bm > 0 ? conj(X[big * n + k]) / sqrt(bm) : 1;
        for (int64_t r = 0; r < n; r++) X[r * n + k] *= (nr > 0 ? ph / nr : 1);
        X[big * n + k] = creal(X[big * n + k]);
    }
}

/* A real matrix's results as geev gives them: real eigenvalues with real vectors (the imaginary
 * rounding residue dropped), complex ones in conjugate pairs, the one of positive imaginary part
 * first and the second value and vector the exact conjugates of the first. w (n), V (n x n
 * columns) reordered in place; wt, vt scratch of n and n * n. */
static void pair_conjugates(zc *w, zc *V, int64_t n, double anorm, zc *wt, zc *vt) {
    double tol = (double)n * EPS * anorm, ptol = 1e-6 * (anorm > 1 ? anorm : 1);
    bool *used = pts_malloc(sizeof(bool) * (size_t)(n > 0 ? n : 1));
    if (!used) return;
    for (int64_t k = 0; k < n; k++) used[k] = false;
    int64_t out = 0;
    for (int64_t k = 0; k < n; k++) {
        if (used[k]) continue;
        used[k] = true;
        int64_t j = -1;
        if (fabs(cimag(w[k])) > tol) {   /* its partner: the unused value nearest its conjugate */
            double best = ptol;
            for (int64_t i = k + 1; i < n; i++)
                if (!used[i] && cabs(w[i] - conj(w[k])) <= best) { best = cabs(w[i] - conj(w[k])); j = i; }
        }
        if (j < 0) {   /* real (or unpaired: kept as computed) */
            bool real = fabs(cimag(w[k])) <= tol;
            wt[out] = real ? creal(w[k]) : w[k];
            for (int64_t r = 0; r < n; r++) vt[r * n + out] = real ? creal(V[r * n + k]) : V[r * n + k];
            out++;
            continue;
        }
        used[j] = true;
        int64_t first = cimag(w[k]) > 0 ? k : j;
        wt[out] = w[first];
        wt[out + 1] = conj(w[first]);
        for (int64_t r = 0; r < n; r++) {
            vt[r * n + out] = V[r * n + first];
            vt[r * n + out + 1] = conj(V[r * n + first]);
        }
        out += 2;
    }
    memcpy(w, wt, sizeof(zc) * (size_t)n);
    memcpy(V, vt, sizeof(zc) * (size_t)(n * n));
    pts_free(used);
}

static PtsStatus eig_impl(PtsTensor *A, PtsError *e, PtsValue *o) {
    PTS_TRY(check_matrix("linalg.eig", A, true, e));
    PtsDType d = A->dtype;
    if (pts_dtype_is_float(d) && d != PTS_FLOAT32 && d != PTS_FLOAT64)
        return pts_fail(e, PTS_ERR_NOTIMPL, "\"linalg_eig_out_cpu\" not implemented for '%s'", pts_dtype_scalar_name(d, "?"));
    if (!pts_dtype_is_float(d) && !pts_dtype_is_complex(d))
        return pts_fail(e, PTS_ERR_RUNTIME, "Unknown Complex ScalarType for %s", pts_dtype_scalar_name(d, "?"));
    bool real_in = !pts_dtype_is_complex(d);
    PtsDType cd = real_in ? pts_dtype_to_complex(d) : d;
    int nb = A->ndim - 2;
    int64_t n = A->shape[nb], batch = pts_shape_numel(nb, A->shape);
    PtsTensor *z = NULL, *w = NULL, *v = NULL;
    zc *H = zalloc(n * n), *Z = zalloc(n * n), *tmp = zalloc(2 * n + 2);
    PtsStatus s = PTS_OK;
    if (!H || !Z || !tmp) { s = pts_fail(e, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_COMPLEX128, true, e, &z)) || (s = znew(A, 1, &n, PTS_COMPLEX128, e, &w)) ||
        (s = znew(A, 2, (int64_t[]){ n, n }, PTS_COMPLEX128, e, &v)))
        goto done;
    const zc *zd = (const zc *)pts_tensor_data(z);
    if (!all_finite(zd, batch * n * n)) {
        s = pts_fail(e, PTS_ERR_RUNTIME, "torch.linalg.eig: input tensor should not contain infs or NaNs.");
        goto done;
    }
    for (int64_t b = 0; b < batch; b++) {
        memcpy(H, zd + b * n * n, sizeof(zc) * (size_t)(n * n));
        double back = pow2_scale(H, n * n), anorm = 0;
        for (int64_t i = 0; i < n * n; i++) anorm += abs2(H[i]);
        anorm = sqrt(anorm);
        if (!isfinite(anorm) || !schur(H, n, Z, tmp)) {
            char pb[64] = "";
            if (A->ndim > 2) snprintf(pb, sizeof pb, "(Batch element %lld): ", (long long)b);
            s = pts_linalg_fail(e, "linalg.eig: %sThe algorithm failed to converge because the input matrix is "
                                "ill-conditioned or has too many repeated eigenvalues (error code: %lld).", pb, (long long)n);
            goto done;
        }
        zc *wd = (zc *)pts_tensor_data(w) + b * n;
        for (int64_t i = 0; i < n; i++) wd[i] = H[i * n + i] * back;
        zc *vd = (zc *)pts_tensor_data(v) + b * n * n;
        schur_vectors(H, n, Z, vd, tmp, anorm);
        if (real_in) pair_conjugates(wd, vd, n, anorm * back, (zc *)H, (zc *)Z);
    }
    if ((s = retype(w, cd, e, &o[0]))) { w = NULL; goto done; }
    w = NULL;
    if ((s = retype_cm(v, cd, e, &o[1]))) pts_value_release(&o[0]);
    v = NULL;
done:
    pts_tensor_release(z);
    pts_tensor_release(w);
    pts_tensor_release(v);
    pts_free(H);
    pts_free(Z);
    pts_free(tmp);
    return s;
}

PtsStatus k_LINALG_EIG(PtsValue *a, PtsValue *o, PtsError *e) { return eig_impl(a[0].u.t, e, o); }

/* eigvals: the vectors too (through the registry), so the gradient (LinalgEigBackward0) has them */
PtsStatus k_LINALG_EIGVALS(PtsValue *a, PtsValue *o, PtsError *e) {
    PTS_TRY(check_matrix("linalg.eigvals", a[0].u.t, true, e));
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP_LINALG_EIG, (PtsValue[]){ a[0] }, r, e));
    pts_value_release(&r[1]);
    o[0] = r[0];
    return PTS_OK;
}

/* ================= the table ================= */
#define PASS(ID) { PTS_OP_##ID, NULL },
#define CX(ID, fn) { PTS_OP_##ID, fn },
const PtsCxRow pts_cx_rows4[] = {
    CX(LINALG_QR, cx_LINALG_QR) CX(_LINALG_EIGH, cx__LINALG_EIGH) CX(_LINALG_SVD, cx__LINALG_SVD)
    CX(LINALG_EIG, k_LINALG_EIG) CX(LINALG_EIGVALS, k_LINALG_EIGVALS)
    /* composites of the primitives above */
    PASS(QR) PASS(LINALG_SVD) PASS(LINALG_SVDVALS) PASS(SVD) PASS(LINALG_EIGH) PASS(LINALG_EIGVALSH)
    { -1, NULL },
};
