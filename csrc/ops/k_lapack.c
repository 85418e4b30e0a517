/* k_lapack.c: the LAPACK-backed rows of ops_linalg2.def (det, slogdet, inv, solve, cholesky, qr,
 * svd, eigh) and the torch.linalg composites built on them (norms, pinv, matrix_rank,
 * matrix_power, cross). Each matrix of a batch is copied into a column-major float64 buffer,
 * handed to OpenBLAS's LAPACK, and the results are converted back to the input's dtype: float32
 * computes in float64 (at least torch's precision), errors and messages are torch's. */
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "ops.h"
#include "lapack.h"

/* ================= LAPACK symbols ================= */
#ifndef PTS_BLAS_NONE
#ifndef PTS_BLAS_PREFIX
#define PTS_BLAS_PREFIX
#endif
#define LP_CAT_(a, b) a##b
#define LP_CAT(a, b) LP_CAT_(a, b)
#define LP(name) LP_CAT(PTS_BLAS_PREFIX, name)
/* Fortran interfaces (gfortran ABI: character arguments add hidden lengths at the end) */
void LP(dgetrf_)(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void LP(dgetri_)(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork,
                 int *info);
void LP(dgetrs_)(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
                 const int *ipiv, double *b, const int *ldb, int *info, size_t ltrans);
void LP(dpotrf_)(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t luplo);
void LP(dgeqrf_)(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
                 const int *lwork, int *info);
void LP(dorgqr_)(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
                 double *work, const int *lwork, int *info);
void LP(dgesdd_)(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
                 double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
                 int *iwork, int *info, size_t ljobz);
void LP(dsyevd_)(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                 double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t ljobz,
                 size_t luplo);
#define HAVE_LAPACK 1
#else
#define HAVE_LAPACK 0
/* a runtime built without BLAS (PTS_BLAS_NONE) keeps the rows, which raise; the LAPACK helpers
 * are then unused */
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

/* ================= LinAlgError ================= */
/* The message of this thread's last linear-algebra failure: the binding layer raises an error
 * carrying exactly this text as LinAlgError. */
static _Thread_local char linalg_msg[PTS_ERR_MSG_MAX];

bool pts_linalg_error_is(const PtsError *err) {
    return err && err->code == PTS_ERR_RUNTIME && linalg_msg[0] && strcmp(err->msg, linalg_msg) == 0;
}

PTS_PRINTF(2, 3) static PtsStatus linalg_fail(PtsError *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PtsStatus s = pts_vfail(err, PTS_ERR_RUNTIME, fmt, ap);
    va_end(ap);
    snprintf(linalg_msg, sizeof linalg_msg, "%s", err->msg);
    return s;
}

PtsStatus pts_linalg_fail(PtsError *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PtsStatus s = pts_vfail(err, PTS_ERR_RUNTIME, fmt, ap);
    va_end(ap);
    snprintf(linalg_msg, sizeof linalg_msg, "%s", err->msg);
    return s;
}

/* torch's "(Batch element k): " prefix, used when the input has batch dims */
static const char *batch_prefix(char *buf, size_t n, int ndim, int64_t b) {
    if (ndim <= 2) return "";
    snprintf(buf, n, "(Batch element %lld): ", (long long)b);
    return buf;
}

/* ================= argument checks ================= */
enum {
    CK_SQUARE = 1,      /* batches of square matrices */
    CK_LOWPREC = 2,     /* half/bfloat16: "Low precision dtypes not supported" (else impl's NotImpl) */
    CK_INT_NOTIMPL = 4, /* integer/bool: impl's NotImplementedError (eigh, torch.cholesky) */
};

static PtsStatus check_input(const char *fn, const char *impl, PtsTensor *A, unsigned flags, PtsError *err) {
    PtsDType d = A->dtype;
    if ((flags & CK_INT_NOTIMPL) && !pts_dtype_is_float(d))
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", impl,
                        pts_dtype_scalar_name(d, "?"));
    PTS_CHECK(A->ndim >= 2, err, RUNTIME, "%s: The input tensor A must have at least 2 dimensions.", fn);
    if (flags & CK_SQUARE)
        PTS_CHECK(A->shape[A->ndim - 1] == A->shape[A->ndim - 2], err, RUNTIME,
                  "%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
                  (long long)A->shape[A->ndim - 2], (long long)A->shape[A->ndim - 1]);
    /* a complex input reaches here only from a composite (torch.svd) whose primitive runs the
     * native complex kernel (k_complex_linalg.c) */
    if (pts_dtype_is_complex(d)) return PTS_OK;
    PTS_CHECK(pts_dtype_is_float(d), err, RUNTIME,
              "%s: Expected a floating point or complex tensor as input. Got %s", fn, pts_dtype_scalar_name(d, "?"));
    if (d == PTS_FLOAT16 || d == PTS_BFLOAT16) {
        if (flags & CK_LOWPREC)
            return pts_fail(err, PTS_ERR_RUNTIME, "%s: Low precision dtypes not supported. Got %s", fn,
                            pts_dtype_scalar_name(d, "?"));
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", impl, pts_dtype_scalar_name(d, "?"));
    }
    if (!HAVE_LAPACK) return pts_fail(err, PTS_ERR_NOTIMPL, "%s: pyts was built without LAPACK", fn);
    /* LAPACK's integers are 32-bit here */
    for (int i = A->ndim - 2; i < A->ndim; i++)
        PTS_CHECK(A->shape[i] <= 46340, err, RUNTIME, "%s: matrices of %lld rows or columns are too large for LAPACK",
                  fn, (long long)A->shape[i]);
    return PTS_OK;
}

static int64_t batch_count(const PtsTensor *t, int mdims) {
    return pts_shape_numel(t->ndim - mdims, t->shape);
}

/* row-major src (r x c) <-> column-major dst (leading dimension r) */
static void to_cm(const double *src, int64_t r, int64_t c, double *dst) {
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) dst[i + j * r] = src[i * c + j];
}
static void from_cm(const double *src, int64_t ld, int64_t r, int64_t c, double *dst) {
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) dst[i * c + j] = src[i + j * ld];
}

/* a new float64 tensor: batch dims of `like` (its first nb dims) followed by the given dims */
static PtsStatus new64(const PtsTensor *like, int nb, int nextra, const int64_t *extra, PtsError *err,
                       PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS];
    PTS_CHECK(nb + nextra <= PTS_MAX_DIMS, err, RUNTIME, "too many dimensions");
    memcpy(shape, like->shape, sizeof(int64_t) * (size_t)nb);
    for (int i = 0; i < nextra; i++) shape[nb + i] = extra[i];
    return pts_tensor_new(PTS_FLOAT64, nb + nextra, shape, err, out);
}

/* store a float64 result as dtype dt into *out (steals t) */
static PtsStatus finish(PtsTensor *t, PtsDType dt, PtsError *err, PtsValue *out) {
    if (dt == PTS_FLOAT64) {
        *out = pts_vtensor(t);
        return PTS_OK;
    }
    PtsTensor *r;
    PtsStatus s = pts_tensor_to(t, dt, false, err, &r);
    pts_tensor_release(t);
    if (!s) *out = pts_vtensor(r);
    return s;
}

static double *D(PtsTensor *t) { return (double *)pts_tensor_data(t); }

/* A (batch of) rows x cols matrix stored column-major, as torch returns LAPACK's results: shape
 * (batch..., rows, cols) with strides (..., 1, rows). Matrix b starts at b * rows * cols and is
 * LAPACK's column-major layout with leading dimension rows. */
static PtsStatus new_cm(const PtsTensor *like, int nb, int64_t rows, int64_t cols, PtsDType dt, PtsError *err,
                        PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    PTS_CHECK(nb + 2 <= PTS_MAX_DIMS, err, RUNTIME, "too many dimensions");
    memcpy(shape, like->shape, sizeof(int64_t) * (size_t)nb);
    shape[nb] = cols;
    shape[nb + 1] = rows;
    PtsTensor *base;
    PTS_TRY(pts_tensor_new(dt, nb + 2, shape, err, &base));
    memcpy(st, base->strides, sizeof(int64_t) * (size_t)(nb + 2));
    shape[nb] = rows;
    shape[nb + 1] = cols;
    st[nb] = 1;
    st[nb + 1] = rows;
    PtsStatus s = pts_tensor_view(base, nb + 2, shape, st, 0, err, out);
    pts_tensor_release(base);
    return s;
}

/* a column-major float64 result as dtype dt, keeping its layout (steals t) */
static PtsStatus finish_cm(PtsTensor *t, PtsDType dt, PtsError *err, PtsValue *out) {
    if (dt == PTS_FLOAT64) {
        *out = pts_vtensor(t);
        return PTS_OK;
    }
    int nb = t->ndim - 2;
    PtsTensor *r = NULL;
    PtsStatus s = new_cm(t, nb, t->shape[nb], t->shape[nb + 1], dt, err, &r);
    if (!s) s = pts_tensor_copy_(r, t, err);
    pts_tensor_release(t);
    if (s) pts_tensor_release(r);
    else *out = pts_vtensor(r);
    return s;
}

/* scratch doubles; NULL on out-of-memory */
static double *scratch(int64_t n) { return (double *)pts_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)); }

/* ================= LU: det, slogdet, inv ================= */

#if HAVE_LAPACK
/* LU of the column-major n x n matrix a; returns the info code */
static int lu(double *a, int n, int *ipiv) {
    int info = 0, ld = n > 1 ? n : 1;
    if (n == 0) return 0;
    LP(dgetrf_)(&n, &n, a, &ld, ipiv, &info);
    return info;
}
#endif

/* kind: 0 det, 1 slogdet */
static PtsStatus det_impl(const char *fn, PtsTensor *A, int kind, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input(fn, "lu_cpu", A, CK_SQUARE | (kind ? CK_LOWPREC : 0), err));
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t n = A->shape[A->ndim - 1], batch = batch_count(A, 2);
    PtsTensor *a64 = NULL, *r0 = NULL, *r1 = NULL;
    double *buf = scratch(n * n);
    int *ipiv = pts_malloc(sizeof(int) * (size_t)(n ? n : 1));
    PtsStatus s = PTS_OK;
    if (!buf || !ipiv) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) || (s = new64(A, nb, 0, NULL, err, &r0))) goto done;
    if (kind && (s = new64(A, nb, 0, NULL, err, &r1))) goto done;
    for (int64_t b = 0; b < batch; b++) {
        to_cm(D(a64) + b * n * n, n, n, buf);
        lu(buf, (int)n, ipiv);
        double det = 1.0, sign = 1.0, logabs = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double u = buf[i + i * n];
            bool swap = ipiv[i] != i + 1;
            det *= swap ? -u : u;
            if (swap) sign = -sign;
            sign *= u > 0 ? 1.0 : u < 0 ? -1.0 : (u == 0 ? 0.0 : NAN);
            logabs += log(fabs(u));
        }
        if (kind) {
            D(r0)[b] = sign;
            D(r1)[b] = logabs;
        } else {
            D(r0)[b] = det;
        }
    }
    if ((s = finish(r0, A->dtype, err, &out[0]))) { r0 = NULL; goto done; }
    r0 = NULL;
    if (kind && (s = finish(r1, A->dtype, err, &out[1]))) pts_value_release(&out[0]);
    r1 = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(r0);
    pts_tensor_release(r1);
    pts_free(buf);
    pts_free(ipiv);
    return s;
#else
    (void)out;
    return PTS_OK;
#endif
}

PtsStatus k_LINALG_DET(PtsValue *a, PtsValue *out, PtsError *err) { return det_impl("linalg.det", a[0].u.t, 0, err, out); }
PtsStatus k_LINALG_SLOGDET(PtsValue *a, PtsValue *out, PtsError *err) {
    return det_impl("linalg.slogdet", a[0].u.t, 1, err, out);
}
/* torch.det / torch.slogdet are torch.linalg's */
PtsStatus k_DET(PtsValue *a, PtsValue *out, PtsError *err) { return pts_op_call(PTS_OP_LINALG_DET, a, out, err); }
PtsStatus k_SLOGDET(PtsValue *a, PtsValue *out, PtsError *err) { return pts_op_call(PTS_OP_LINALG_SLOGDET, a, out, err); }

/* logdet: log|det| where det > 0, nan where negative, -inf where zero (torch's where()) */
PtsStatus k_LOGDET(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *A = a[0].u.t;
    PTS_TRY(check_input("logdet", "lu_cpu", A, CK_SQUARE | CK_LOWPREC, err));
    PtsValue sl[2], neg = pts_none();
    PTS_TRY(pts_op_call(PTS_OP_LINALG_SLOGDET, a, sl, err));
    PtsStatus s = pts_op_call(PTS_OP_LT_SCALAR, (PtsValue[]){ sl[0], pts_vint(0) }, &neg, err);
    if (!s) s = pts_op_call(PTS_OP_WHERE_SCALARSELF, (PtsValue[]){ neg, pts_vdouble(NAN), sl[1] }, out, err);
    pts_value_release(&neg);
    pts_value_release(&sl[0]);
    pts_value_release(&sl[1]);
    return s;
}

/* inverse by getrf + getri; info per matrix (int32, batch shape) */
static PtsStatus inv_impl(PtsTensor *A, bool check, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input("linalg.inv", "lu_cpu", A, CK_SQUARE | CK_LOWPREC, err));
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t n = A->shape[A->ndim - 1], batch = batch_count(A, 2);
    PtsTensor *a64 = NULL, *r = NULL, *info = NULL;
    double *buf = scratch(n * n), *work = NULL;
    int *ipiv = pts_malloc(sizeof(int) * (size_t)(n ? n : 1));
    int lwork = -1, in = (int)n, ld = n > 1 ? (int)n : 1, st;
    PtsStatus s = PTS_OK;
    if (!buf || !ipiv) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) || (s = new_cm(A, nb, n, n, PTS_FLOAT64, err, &r)) ||
        (s = pts_tensor_new(PTS_INT32, nb, A->shape, err, &info)))
        goto done;
    if (n > 0) {
        double q;
        LP(dgetri_)(&in, buf, &ld, ipiv, &q, &lwork, &st);
        lwork = q > n ? (int)q : in;
        if (!(work = scratch(lwork))) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    }
    for (int64_t b = 0; b < batch; b++) {
        to_cm(D(a64) + b * n * n, n, n, buf);
        int e = lu(buf, in, ipiv);
        if (!e && n > 0) LP(dgetri_)(&in, buf, &ld, ipiv, work, &lwork, &e);
        ((int32_t *)pts_tensor_data(info))[b] = e;
        if (e > 0 && check) {
            char pb[64];
            s = linalg_fail(err, "linalg.inv: %sThe diagonal element %d is zero, the inversion could not be completed "
                            "because the input matrix is singular.", batch_prefix(pb, sizeof pb, A->ndim, b), e);
            goto done;
        }
        memcpy(D(r) + b * n * n, buf, sizeof(double) * (size_t)(n * n));
    }
    if ((s = finish_cm(r, A->dtype, err, &out[0]))) { r = NULL; goto done; }
    r = NULL;
    out[1] = pts_vtensor(info);
    info = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(r);
    pts_tensor_release(info);
    pts_free(buf);
    pts_free(work);
    pts_free(ipiv);
    return s;
#else
    (void)check; (void)out;
    return PTS_OK;
#endif
}

/* linalg.inv_ex(check_errors=True) names itself linalg.inv_ex in the message */
PtsStatus k_LINALG_INV_EX(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsStatus s = inv_impl(a[0].u.t, a[1].u.b, err, out);
    if (s && pts_linalg_error_is(err) && strncmp(err->msg, "linalg.inv:", 11) == 0) {
        char m[PTS_ERR_MSG_MAX];
        snprintf(m, sizeof m, "linalg.inv_ex:%s", err->msg + 11);
        pts_error_clear(err);
        s = linalg_fail(err, "%s", m);
    }
    return s;
}

/* linalg.inv: inv_ex (the recorded op, as torch's LinalgInvExBackward0), then its info checked */
static PtsStatus check_info(PtsTensor *info, int ndim, const char *what, PtsError *err) {
    int64_t nb = pts_numel(info);
    PtsTensor *c = NULL;
    PTS_TRY(pts_tensor_contiguous(info, err, &c));
    const int32_t *v = (const int32_t *)pts_tensor_data(c);
    PtsStatus s = PTS_OK;
    for (int64_t b = 0; b < nb && !s; b++)
        if (v[b] > 0) {
            char pb[64];
            const char *p = batch_prefix(pb, sizeof pb, ndim, b);
            if (strcmp(what, "inv") == 0)
                s = linalg_fail(err, "linalg.inv: %sThe diagonal element %d is zero, the inversion could not be "
                                "completed because the input matrix is singular.", p, v[b]);
            else if (strcmp(what, "solve") == 0)
                s = linalg_fail(err, "torch.linalg.solve: %sThe solver failed because the input matrix is singular.", p);
            else
                s = linalg_fail(err, "%s: %sThe factorization could not be completed because the input is not "
                                "positive-definite (the leading minor of order %d is not positive-definite).", what, p, v[b]);
        }
    pts_tensor_release(c);
    return s;
}

PtsStatus k_LINALG_INV(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(check_input("linalg.inv", "lu_cpu", a[0].u.t, CK_SQUARE | CK_LOWPREC, err));
    PTS_TRY(pts_op_call(PTS_OP_LINALG_INV_EX, (PtsValue[]){ a[0], pts_vbool(false) }, r, err));
    PtsStatus s = check_info(r[1].u.t, a[0].u.t->ndim, "inv", err);
    pts_value_release(&r[1]);
    if (s) pts_value_release(&r[0]);
    else out[0] = r[0];
    return s;
}
PtsStatus k_INVERSE(PtsValue *a, PtsValue *out, PtsError *err) { return pts_op_call(PTS_OP_LINALG_INV, a, out, err); }

/* ================= solve ================= */

/* torch's rule: B is a (batch of) vector(s) when 1-D, or when its shape is A's without the last dim */
static bool vector_rhs(const PtsTensor *A, const PtsTensor *B) {
    if (B->ndim == 1) return true;
    if (B->ndim != A->ndim - 1) return false;
    for (int i = 0; i < B->ndim; i++)
        if (B->shape[i] != A->shape[i]) return false;
    return true;
}

/* X with A X = B (left) for A (*, n, n), B (*, n, k) broadcast over batch dims */
static PtsStatus solve_left(PtsTensor *A, PtsTensor *B, bool check, bool vec, PtsError *err, PtsValue *out) {
#if HAVE_LAPACK
    int64_t n = A->shape[A->ndim - 1];
    /* B as matrices: a vector rhs is one column */
    int bnd = vec ? B->ndim + 1 : B->ndim;
    int64_t bshape[PTS_MAX_DIMS];
    PTS_CHECK(bnd <= PTS_MAX_DIMS, err, RUNTIME, "too many dimensions");
    memcpy(bshape, B->shape, sizeof(int64_t) * (size_t)B->ndim);
    if (vec) bshape[B->ndim] = 1;
    int64_t k = bshape[bnd - 1];
    if (bshape[bnd - 2] != n) {
        if (vec)
            return pts_fail(err, PTS_ERR_RUNTIME, "linalg.solve: Incompatible shapes of A and B for the equation Ax = b "
                            "(%lldx%lld and %lld)", (long long)n, (long long)n, (long long)bshape[bnd - 2]);
        return pts_fail(err, PTS_ERR_RUNTIME, "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                        "(%lldx%lld and %lldx%lld)", (long long)n, (long long)n, (long long)bshape[bnd - 2], (long long)k);
    }
    PTS_CHECK(k <= 46340, err, RUNTIME, "linalg.solve: too many right-hand sides for LAPACK");
    int nbatch;
    int64_t bat[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(A->ndim - 2, A->shape, bnd - 2, bshape, &nbatch, bat, err));
    PTS_CHECK(nbatch + 2 <= PTS_MAX_DIMS, err, RUNTIME, "too many dimensions");
    int64_t ash[PTS_MAX_DIMS], ast[PTS_MAX_DIMS], bsh[PTS_MAX_DIMS], bst[PTS_MAX_DIMS];
    memcpy(ash, bat, sizeof(int64_t) * (size_t)nbatch);
    memcpy(bsh, bat, sizeof(int64_t) * (size_t)nbatch);
    ash[nbatch] = ash[nbatch + 1] = n;
    bsh[nbatch] = n;
    bsh[nbatch + 1] = k;
    PtsTensor *Bm = NULL, *Av = NULL, *Bv = NULL, *a64 = NULL, *b64 = NULL, *x = NULL, *info = NULL;
    double *abuf = scratch(n * n), *bbuf = scratch(n * k);
    int *ipiv = pts_malloc(sizeof(int) * (size_t)(n ? n : 1));
    PtsStatus s = PTS_OK;
    if (!abuf || !bbuf || !ipiv) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    /* B seen as (..., n, k) (a vector gets a unit column) */
    {
        int64_t st[PTS_MAX_DIMS];
        memcpy(st, B->strides, sizeof(int64_t) * (size_t)B->ndim);
        if (vec) st[B->ndim] = 1;
        if ((s = pts_tensor_view(B, bnd, bshape, st, B->offset, err, &Bm))) goto done;
    }
    pts_broadcast_strides(A, nbatch + 2, ash, ast);
    pts_broadcast_strides(Bm, nbatch + 2, bsh, bst);
    if ((s = pts_tensor_view(A, nbatch + 2, ash, ast, A->offset, err, &Av)) ||
        (s = pts_tensor_view(Bm, nbatch + 2, bsh, bst, Bm->offset, err, &Bv)) ||
        (s = pts_tensor_to(Av, PTS_FLOAT64, true, err, &a64)) || (s = pts_tensor_to(Bv, PTS_FLOAT64, true, err, &b64)) ||
        (s = (vec ? pts_tensor_new(PTS_FLOAT64, nbatch + 2, bsh, err, &x) : new_cm(Bv, nbatch, n, k, PTS_FLOAT64, err, &x))) ||
        (s = pts_tensor_new(PTS_INT32, nbatch, bat, err, &info)))
        goto done;
    int64_t batch = pts_shape_numel(nbatch, bat);
    int in = (int)n, ik = (int)k, ld = n > 1 ? (int)n : 1;
    for (int64_t b = 0; b < batch; b++) {
        to_cm(D(a64) + b * n * n, n, n, abuf);
        to_cm(D(b64) + b * n * k, n, k, bbuf);
        int e = lu(abuf, in, ipiv);
        if (!e && n > 0 && k > 0) LP(dgetrs_)("N", &in, &ik, abuf, &ld, ipiv, bbuf, &ld, &e, 1);
        ((int32_t *)pts_tensor_data(info))[b] = e;
        if (e > 0 && check) {
            char pb[64];
            s = linalg_fail(err, "torch.linalg.solve_ex: %sThe solver failed because the input matrix is singular.",
                            batch_prefix(pb, sizeof pb, nbatch + 2, b));
            goto done;
        }
        if (vec) from_cm(bbuf, n, n, k, D(x) + b * n * k);
        else memcpy(D(x) + b * n * k, bbuf, sizeof(double) * (size_t)(n * k));
    }
    if (vec) {   /* drop the unit column */
        x->ndim--;
        pts_contiguous_strides(x->ndim, x->shape, x->strides);
        s = finish(x, pts_promote_types(A->dtype, B->dtype), err, &out[0]);
    } else {
        s = finish_cm(x, pts_promote_types(A->dtype, B->dtype), err, &out[0]);
    }
    if (s) { x = NULL; goto done; }
    x = NULL;
    out[1] = pts_vtensor(info);
    info = NULL;
done:
    pts_tensor_release(Bm);
    pts_tensor_release(Av);
    pts_tensor_release(Bv);
    pts_tensor_release(a64);
    pts_tensor_release(b64);
    pts_tensor_release(x);
    pts_tensor_release(info);
    pts_free(abuf);
    pts_free(bbuf);
    pts_free(ipiv);
    return s;
#else
    (void)A; (void)B; (void)check; (void)vec; (void)out;
    return pts_fail(err, PTS_ERR_NOTIMPL, "linalg.solve: pyts was built without LAPACK");
#endif
}

static PtsStatus transpose_last_view(PtsTensor *t, PtsError *err, PtsTensor **out) {
    int64_t sh[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    memcpy(sh, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    memcpy(st, t->strides, sizeof(int64_t) * (size_t)t->ndim);
    int i = t->ndim - 2, j = t->ndim - 1;
    int64_t x = sh[i]; sh[i] = sh[j]; sh[j] = x;
    x = st[i]; st[i] = st[j]; st[j] = x;
    return pts_tensor_view(t, t->ndim, sh, st, t->offset, err, out);
}

static PtsStatus solve_ex(PtsTensor *A, PtsTensor *B, bool left, bool check, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input("linalg.solve", "lu_cpu", A, CK_SQUARE, err));
    PTS_CHECK(pts_dtype_is_float(B->dtype), err, RUNTIME,
              "linalg.solve: Expected a floating point or complex tensor as input. Got %s", pts_dtype_scalar_name(B->dtype, "?"));
    PTS_CHECK(A->dtype == B->dtype, err, RUNTIME,
              "linalg.solve: Expected A and B to have the same dtype, but found A of type %s and B of type %s instead",
              pts_dtype_scalar_name(A->dtype, "?"), pts_dtype_scalar_name(B->dtype, "?"));
    bool vec = vector_rhs(A, B);
    if (left) return solve_left(A, B, check, vec, err, out);
    PTS_CHECK(!vec, err, RUNTIME, "linalg.solve: Vector broadcasting of the left hand side is not supported for left=False. "
              "In this case linalg.solve is equivalent to B / A.squeeze(-1)");
    PTS_CHECK(B->ndim >= 2, err, RUNTIME, "linalg.solve: The input tensor B must have at least 2 dimensions.");
    /* X A = B  <=>  A^T X^T = B^T */
    PtsTensor *At = NULL, *Bt = NULL;
    PtsValue r[2] = { pts_none(), pts_none() };
    PtsStatus s;
    if (!(s = transpose_last_view(A, err, &At)) && !(s = transpose_last_view(B, err, &Bt)) &&
        !(s = solve_left(At, Bt, check, false, err, r))) {
        PtsTensor *x;
        if (!(s = transpose_last_view(r[0].u.t, err, &x))) {
            PtsTensor *xc;
            if (!(s = pts_tensor_contiguous(x, err, &xc))) {
                out[0] = pts_vtensor(xc);
                out[1] = r[1];
                r[1] = pts_none();
            }
            pts_tensor_release(x);
        }
    }
    pts_tensor_release(At);
    pts_tensor_release(Bt);
    pts_value_release(&r[0]);
    pts_value_release(&r[1]);
    return s;
}

PtsStatus k_LINALG_SOLVE_EX(PtsValue *a, PtsValue *out, PtsError *err) {
    return solve_ex(a[0].u.t, a[1].u.t, a[2].u.b, a[3].u.b, err, out);
}

PtsStatus k_LINALG_SOLVE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP_LINALG_SOLVE_EX, (PtsValue[]){ a[0], a[1], a[2], pts_vbool(false) }, r, err));
    PtsStatus s = check_info(r[1].u.t, r[1].u.t->ndim + 2, "solve", err);
    pts_value_release(&r[1]);
    if (s) pts_value_release(&r[0]);
    else out[0] = r[0];
    return s;
}

/* ================= cholesky ================= */

static PtsStatus chol_impl(const char *fn, const char *impl, unsigned flags, PtsTensor *A, bool upper, bool check,
                           PtsError *err, PtsValue *out) {
    PTS_TRY(check_input(fn, impl, A, CK_SQUARE | flags, err));
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t n = A->shape[A->ndim - 1], batch = batch_count(A, 2);
    PtsTensor *a64 = NULL, *r = NULL, *info = NULL;
    double *buf = scratch(n * n);
    PtsStatus s = PTS_OK;
    if (!buf) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) || (s = new_cm(A, nb, n, n, PTS_FLOAT64, err, &r)) ||
        (s = pts_tensor_new(PTS_INT32, nb, A->shape, err, &info)))
        goto done;
    int in = (int)n, ld = n > 1 ? (int)n : 1;
    for (int64_t b = 0; b < batch; b++) {
        to_cm(D(a64) + b * n * n, n, n, buf);
        int e = 0;
        if (n > 0) LP(dpotrf_)(upper ? "U" : "L", &in, buf, &ld, &e, 1);
        ((int32_t *)pts_tensor_data(info))[b] = e;
        if (e > 0 && check) {
            char pb[64];
            /* only cholesky_ex (check_errors=True) and torch.cholesky raise here */
            s = linalg_fail(err, "%s: %sThe factorization could not be completed because the input is not "
                            "positive-definite (the leading minor of order %d is not positive-definite).",
                            strcmp(fn, "linalg.cholesky") == 0 ? "linalg.cholesky_ex" : fn,
                            batch_prefix(pb, sizeof pb, A->ndim, b), e);
            goto done;
        }
        /* keep the factor's triangle, zero the other */
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++)
                if (upper ? i > j : i < j) buf[i + j * n] = 0.0;
        memcpy(D(r) + b * n * n, buf, sizeof(double) * (size_t)(n * n));
    }
    if ((s = finish_cm(r, A->dtype, err, &out[0]))) { r = NULL; goto done; }
    r = NULL;
    out[1] = pts_vtensor(info);
    info = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(r);
    pts_tensor_release(info);
    pts_free(buf);
    return s;
#else
    (void)upper; (void)check; (void)out;
    return PTS_OK;
#endif
}

PtsStatus k_LINALG_CHOLESKY_EX(PtsValue *a, PtsValue *out, PtsError *err) {
    return chol_impl("linalg.cholesky", "cholesky_cpu", 0, a[0].u.t, a[1].u.b, a[2].u.b, err, out);
}

PtsStatus k_LINALG_CHOLESKY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(check_input("linalg.cholesky", "cholesky_cpu", a[0].u.t, CK_SQUARE, err));
    PTS_TRY(pts_op_call(PTS_OP_LINALG_CHOLESKY_EX, (PtsValue[]){ a[0], a[1], pts_vbool(false) }, r, err));
    PtsStatus s = check_info(r[1].u.t, a[0].u.t->ndim, "linalg.cholesky", err);
    pts_value_release(&r[1]);
    if (s) pts_value_release(&r[0]);
    else out[0] = r[0];
    return s;
}

/* torch.cholesky: its own op (CholeskyBackward0), errors named "cholesky" */
PtsStatus k_CHOLESKY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(chol_impl("cholesky", "cholesky_cpu", CK_INT_NOTIMPL, a[0].u.t, a[1].u.b, true, err, r));
    pts_value_release(&r[1]);
    out[0] = r[0];
    return PTS_OK;
}

/* ================= QR ================= */

static PtsStatus qr_impl(PtsTensor *A, const char *mode, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input("linalg.qr", "geqrf_cpu", A, 0, err));
    bool complete = strcmp(mode, "complete") == 0, ronly = strcmp(mode, "r") == 0;
    PTS_CHECK(complete || ronly || strcmp(mode, "reduced") == 0, err, RUNTIME,
              "qr received unrecognized mode '%s' but expected one of 'reduced' (default), 'r', or 'complete'", mode);
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t m = A->shape[nb], n = A->shape[nb + 1], k = m < n ? m : n, batch = batch_count(A, 2);
    int64_t qc = complete ? m : k, rr = complete ? m : k;   /* Q is m x qc, R is rr x n */
    int64_t wcols = (n > qc ? n : qc);
    PtsTensor *a64 = NULL, *q = NULL, *r = NULL;
    double *buf = scratch(m * wcols), *tau = scratch(k), *work = NULL;
    PtsStatus s = PTS_OK;
    if (!buf || !tau) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) ||
        (s = new_cm(A, nb, rr, n, PTS_FLOAT64, err, &r)))
        goto done;
    if (ronly) s = pts_tensor_new(PTS_FLOAT64, 1, (int64_t[]){ 0 }, err, &q);
    else s = new_cm(A, nb, m, qc, PTS_FLOAT64, err, &q);
    if (s) goto done;
    int im = (int)m, in = (int)n, ik = (int)k, iqc = (int)qc, ld = m > 1 ? (int)m : 1, lwork = -1, e;
    if (k > 0) {
        double q1 = 0, q2 = 0;
        LP(dgeqrf_)(&im, &in, buf, &ld, tau, &q1, &lwork, &e);
        if (!ronly) LP(dorgqr_)(&im, &iqc, &ik, buf, &ld, tau, &q2, &lwork, &e);
        lwork = (int)(q1 > q2 ? q1 : q2);
        if (lwork < (int)wcols) lwork = (int)wcols;
        if (!(work = scratch(lwork))) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    }
    for (int64_t b = 0; b < batch; b++) {
        to_cm(D(a64) + b * m * n, m, n, buf);
        if (k > 0) LP(dgeqrf_)(&im, &in, buf, &ld, tau, work, &lwork, &e);
        double *R = D(r) + b * rr * n;
        for (int64_t i = 0; i < rr; i++)
            for (int64_t j = 0; j < n; j++) R[i + j * rr] = (i <= j && i < k) ? buf[i + j * m] : 0.0;
        if (ronly) continue;
        double *Q = D(q) + b * m * qc;
        if (k > 0) {
            LP(dorgqr_)(&im, &iqc, &ik, buf, &ld, tau, work, &lwork, &e);
            memcpy(Q, buf, sizeof(double) * (size_t)(m * qc));
        } else {   /* no reflectors: Q is the identity (complete) or empty */
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < qc; j++) Q[i + j * m] = i == j;
        }
    }
    if ((s = (ronly ? finish(q, A->dtype, err, &out[0]) : finish_cm(q, A->dtype, err, &out[0])))) { q = NULL; goto done; }
    q = NULL;
    if ((s = finish_cm(r, A->dtype, err, &out[1]))) pts_value_release(&out[0]);
    r = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(q);
    pts_tensor_release(r);
    pts_free(buf);
    pts_free(tau);
    pts_free(work);
    return s;
#else
    (void)out;
    return PTS_OK;
#endif
}

PtsStatus k_LINALG_QR(PtsValue *a, PtsValue *out, PtsError *err) {
    return qr_impl(a[0].u.t, pts_as_str(a[1])->data, err, out);
}

/* torch.qr(some): linalg.qr with mode 'reduced' or 'complete' */
PtsStatus k_QR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue mode;
    const char *m = a[1].u.b ? "reduced" : "complete";
    PTS_TRY(pts_str_new(m, strlen(m), err, &mode));
    PtsStatus s = pts_op_call(PTS_OP_LINALG_QR, (PtsValue[]){ a[0], mode }, out, err);
    pts_value_release(&mode);
    return s;
}

/* ================= SVD ================= */

static PtsStatus svd_impl(PtsTensor *A, bool full, bool uv, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input("linalg.svd", "linalg_svd_cpu", A, 0, err));
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t m = A->shape[nb], n = A->shape[nb + 1], k = m < n ? m : n, batch = batch_count(A, 2);
    int64_t uc = full ? m : k, vr = full ? n : k;
    PtsTensor *a64 = NULL, *u = NULL, *sv = NULL, *vh = NULL;
    double *buf = scratch(m * n), *ub = scratch(m * uc), *vb = scratch(vr * n), *sb = scratch(k), *work = NULL;
    int *iwork = pts_malloc(sizeof(int) * (size_t)(8 * k + 1));
    PtsStatus s = PTS_OK;
    if (!buf || !ub || !vb || !sb || !iwork) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) || (s = new64(A, nb, 1, &k, err, &sv))) goto done;
    if (uv) {
        if ((s = new_cm(A, nb, m, uc, PTS_FLOAT64, err, &u)) || (s = new_cm(A, nb, vr, n, PTS_FLOAT64, err, &vh)))
            goto done;
    } else if ((s = pts_tensor_new(PTS_FLOAT64, 1, (int64_t[]){ 0 }, err, &u)) ||
               (s = pts_tensor_new(PTS_FLOAT64, 1, (int64_t[]){ 0 }, err, &vh))) {
        goto done;
    }
    const char *jobz = !uv ? "N" : full ? "A" : "S";
    int im = (int)m, in = (int)n, ld = m > 1 ? (int)m : 1, ldu = m > 1 ? (int)m : 1, ldvt = vr > 1 ? (int)vr : 1;
    int lwork = -1, e = 0;
    if (k > 0) {
        double q = 0;
        LP(dgesdd_)(jobz, &im, &in, buf, &ld, sb, ub, &ldu, vb, &ldvt, &q, &lwork, iwork, &e, 1);
        lwork = (int)q > 1 ? (int)q : 1;
        if (!(work = scratch(lwork))) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    }
    for (int64_t b = 0; b < batch; b++) {
        if (k > 0) {
            to_cm(D(a64) + b * m * n, m, n, buf);
            LP(dgesdd_)(jobz, &im, &in, buf, &ld, sb, ub, &ldu, vb, &ldvt, work, &lwork, iwork, &e, 1);
            if (e > 0) {
                char pb[64];
                s = linalg_fail(err, "linalg.svd: %sThe algorithm failed to converge because the input matrix is "
                                "ill-conditioned or has too many repeated singular values (error code: %d).",
                                batch_prefix(pb, sizeof pb, A->ndim, b), e - 1);
                goto done;
            }
            memcpy(D(sv) + b * k, sb, sizeof(double) * (size_t)k);
            if (uv) {
                memcpy(D(u) + b * m * uc, ub, sizeof(double) * (size_t)(m * uc));
                memcpy(D(vh) + b * vr * n, vb, sizeof(double) * (size_t)(vr * n));
            }
        } else if (uv) {   /* an empty matrix: the full factors are identities */
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < uc; j++) D(u)[b * m * uc + i + j * m] = i == j;
            for (int64_t i = 0; i < vr; i++)
                for (int64_t j = 0; j < n; j++) D(vh)[b * vr * n + i + j * vr] = i == j;
        }
    }
    if ((s = (uv ? finish_cm(u, A->dtype, err, &out[0]) : finish(u, A->dtype, err, &out[0])))) { u = NULL; goto done; }
    u = NULL;
    if ((s = finish(sv, A->dtype, err, &out[1]))) { sv = NULL; pts_value_release(&out[0]); goto done; }
    sv = NULL;
    if ((s = (uv ? finish_cm(vh, A->dtype, err, &out[2]) : finish(vh, A->dtype, err, &out[2])))) {
        pts_value_release(&out[0]);
        pts_value_release(&out[1]);
    }
    vh = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(u);
    pts_tensor_release(sv);
    pts_tensor_release(vh);
    pts_free(buf);
    pts_free(ub);
    pts_free(vb);
    pts_free(sb);
    pts_free(work);
    pts_free(iwork);
    return s;
#else
    (void)full; (void)uv; (void)out;
    return PTS_OK;
#endif
}

static PtsStatus check_driver(PtsValue d, PtsError *err) {
    PTS_CHECK(d.tag == PTS_V_NONE, err, RUNTIME,
              "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend.");
    return PTS_OK;
}

PtsStatus k__LINALG_SVD(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(check_driver(a[3], err));
    return svd_impl(a[0].u.t, a[1].u.b, a[2].u.b, err, out);
}

PtsStatus k_LINALG_SVD(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_op_call(PTS_OP__LINALG_SVD, (PtsValue[]){ a[0], a[1], pts_vbool(true), a[2] }, out, err);
}

/* svdvals: the factors too, so the gradient (LinalgSvdBackward0) has them */
PtsStatus k_LINALG_SVDVALS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[3];
    PTS_TRY(pts_op_call(PTS_OP__LINALG_SVD, (PtsValue[]){ a[0], pts_vbool(false), pts_vbool(true), a[1] }, r, err));
    pts_value_release(&r[0]);
    pts_value_release(&r[2]);
    out[0] = r[1];
    return PTS_OK;
}

/* torch.svd(some, compute_uv): V (not Vh); without compute_uv, zero-filled U and V of full size */
PtsStatus k_SVD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *A = a[0].u.t;
    bool some = a[1].u.b, uv = a[2].u.b;
    PtsValue r[3];
    PTS_TRY(check_input("linalg.svd", "linalg_svd_cpu", A, 0, err));
    PTS_TRY(pts_op_call(PTS_OP__LINALG_SVD, (PtsValue[]){ a[0], pts_vbool(uv ? !some : false), pts_vbool(true), pts_none() },
                        r, err));
    PtsStatus s = PTS_OK;
    if (uv) {
        out[0] = r[0];
        out[1] = r[1];
        s = pts_op_call(PTS_OP_TRANSPOSE_INT, (PtsValue[]){ r[2], pts_vint(-2), pts_vint(-1) }, &out[2], err);
        pts_value_release(&r[2]);
        if (s) { pts_value_release(&out[0]); pts_value_release(&out[1]); }
        return s;
    }
    pts_value_release(&r[0]);
    pts_value_release(&r[2]);
    int nb = A->ndim - 2;
    int64_t m = A->shape[nb], n = A->shape[nb + 1], sh[PTS_MAX_DIMS];
    PtsTensor *u = NULL, *v = NULL;
    memcpy(sh, A->shape, sizeof(int64_t) * (size_t)nb);
    sh[nb] = m;
    sh[nb + 1] = m;
    if (!(s = pts_tensor_zeros(A->dtype, nb + 2, sh, err, &u))) {
        sh[nb] = n;
        sh[nb + 1] = n;
        s = pts_tensor_zeros(A->dtype, nb + 2, sh, err, &v);
    }
    if (s) {
        pts_tensor_release(u);
        pts_value_release(&r[1]);
        return s;
    }
    out[0] = pts_vtensor(u);
    out[1] = r[1];
    out[2] = pts_vtensor(v);
    return PTS_OK;
}

/* ================= eigh ================= */

static PtsStatus eigh_impl(PtsTensor *A, const char *uplo, bool want_v, PtsError *err, PtsValue *out) {
    PTS_TRY(check_input("linalg.eigh", "linalg_eigh_cpu", A, CK_SQUARE | CK_INT_NOTIMPL, err));
    PTS_CHECK((uplo[0] == 'L' || uplo[0] == 'U' || uplo[0] == 'l' || uplo[0] == 'u') && !uplo[1], err, RUNTIME,
              "Expected UPLO argument to be 'L' or 'U', but got %s", uplo);
#if HAVE_LAPACK
    int nb = A->ndim - 2;
    int64_t n = A->shape[nb], batch = batch_count(A, 2);
    PtsTensor *a64 = NULL, *w = NULL, *v = NULL;
    double *buf = scratch(n * n), *wb = scratch(n), *work = NULL;
    int *iwork = NULL;
    PtsStatus s = PTS_OK;
    if (!buf || !wb) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = pts_tensor_to(A, PTS_FLOAT64, false, err, &a64)) || (s = new64(A, nb, 1, &n, err, &w))) goto done;
    if (want_v) s = new_cm(A, nb, n, n, PTS_FLOAT64, err, &v);
    else s = pts_tensor_new(PTS_FLOAT64, 1, (int64_t[]){ 0 }, err, &v);
    if (s) goto done;
    const char *jobz = want_v ? "V" : "N", *ul = (uplo[0] == 'U' || uplo[0] == 'u') ? "U" : "L";
    int in = (int)n, ld = n > 1 ? (int)n : 1, lwork = -1, liwork = -1, e = 0, qi = 0;
    if (n > 0) {
        double q = 0;
        LP(dsyevd_)(jobz, ul, &in, buf, &ld, wb, &q, &lwork, &qi, &liwork, &e, 1, 1);
        lwork = (int)q > 1 ? (int)q : 1;
        liwork = qi > 1 ? qi : 1;
        work = scratch(lwork);
        iwork = pts_malloc(sizeof(int) * (size_t)liwork);
        if (!work || !iwork) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    }
    for (int64_t b = 0; b < batch && n > 0; b++) {
        to_cm(D(a64) + b * n * n, n, n, buf);
        LP(dsyevd_)(jobz, ul, &in, buf, &ld, wb, work, &lwork, iwork, &liwork, &e, 1, 1);
        if (e > 0) {
            char pb[64];
            s = linalg_fail(err, "linalg.eigh: %sThe algorithm failed to converge because the input matrix is "
                            "ill-conditioned or has too many repeated eigenvalues (error code: %d).",
                            batch_prefix(pb, sizeof pb, A->ndim, b), e);
            goto done;
        }
        memcpy(D(w) + b * n, wb, sizeof(double) * (size_t)n);
        if (want_v) memcpy(D(v) + b * n * n, buf, sizeof(double) * (size_t)(n * n));
    }
    if ((s = finish(w, A->dtype, err, &out[0]))) { w = NULL; goto done; }
    w = NULL;
    if ((s = (want_v ? finish_cm(v, A->dtype, err, &out[1]) : finish(v, A->dtype, err, &out[1])))) pts_value_release(&out[0]);
    v = NULL;
done:
    pts_tensor_release(a64);
    pts_tensor_release(w);
    pts_tensor_release(v);
    pts_free(buf);
    pts_free(wb);
    pts_free(work);
    pts_free(iwork);
    return s;
#else
    (void)want_v; (void)out;
    return PTS_OK;
#endif
}

PtsStatus k__LINALG_EIGH(PtsValue *a, PtsValue *out, PtsError *err) {
    return eigh_impl(a[0].u.t, pts_as_str(a[1])->data, a[2].u.b, err, out);
}
PtsStatus k_LINALG_EIGH(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_op_call(PTS_OP__LINALG_EIGH, (PtsValue[]){ a[0], a[1], pts_vbool(true) }, out, err);
}
/* eigvalsh: the vectors too, so the gradient (LinalgEighBackward0) has them */
PtsStatus k_LINALG_EIGVALSH(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP__LINALG_EIGH, (PtsValue[]){ a[0], a[1], pts_vbool(true) }, r, err));
    pts_value_release(&r[1]);
    out[0] = r[0];
    return PTS_OK;
}

/* ================= composites: norms, pinv, matrix_rank, matrix_power, cross ================= */

#define TV(x) pts_vtensor(x)

static void release_all(PtsTensor **t, int n) {
    for (int i = 0; i < n; i++) pts_tensor_release(t[i]);
}

static PtsStatus float_input(const char *fn, PtsTensor *A, PtsError *err) {
    PTS_CHECK(pts_dtype_is_float(A->dtype), err, RUNTIME,
              "%s: Expected a floating point or complex tensor as input. Got %s", fn, pts_dtype_scalar_name(A->dtype, "?"));
    return PTS_OK;
}

/* ---- vector_norm: the norm kernel (a primitive here, recorded as LinalgVectorNormBackward0) ---- */
PtsStatus k_LINALG_VECTOR_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    PTS_TRY(float_input("linalg.vector_norm", x, err));
    if (a[4].tag != PTS_V_NONE)
        PTS_CHECK(pts_dtype_valid((int)a[4].u.i) && pts_dtype_is_float((PtsDType)a[4].u.i), err, RUNTIME,
                  "linalg.vector_norm: dtype should be floating point or complex. Got %s",
                  pts_dtype_valid((int)a[4].u.i) ? pts_dtype_scalar_name((PtsDType)a[4].u.i, "?") : "?");
    double ord = pts_value_to_f64(a[1]);
    if (pts_numel(x) == 0 && (ord < 0 || isinf(ord)) && a[2].tag == PTS_V_NONE)
        return pts_fail(err, PTS_ERR_RUNTIME, "linalg.vector_norm cannot compute the %s norm on an empty tensor because "
                        "the operation does not have an identity", isinf(ord) ? (ord > 0 ? "inf" : "-inf") : "negative");
    PtsValue dims = a[2];
    bool own = false;
    if (dims.tag == PTS_V_NONE) {   /* every dim (the norm rows reduce all for an empty list too) */
        int64_t all[PTS_MAX_DIMS];
        for (int i = 0; i < x->ndim; i++) all[i] = i;
        PTS_TRY(pts_int_list_new(all, x->ndim, err, &dims));
        own = true;
    }
    PtsStatus s;
    if (a[4].tag == PTS_V_NONE)
        s = pts_op_kernel(PTS_OP_NORM_SCALAROPT_DIM, (PtsValue[]){ a[0], a[1], dims, a[3] }, out, err);
    else
        s = pts_op_kernel(PTS_OP_NORM_SCALAROPT_DIM_DTYPE, (PtsValue[]){ a[0], a[1], dims, a[3], a[4] }, out, err);
    if (own) pts_value_release(&dims);
    return s;
}

/* the two matrix dims of matrix_norm, wrapped and distinct */
static PtsStatus matrix_dims(PtsTensor *A, PtsValue dim, int *d0, int *d1, PtsError *err) {
    PTS_CHECK(A->ndim >= 2, err, RUNTIME, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
    PtsList *l = pts_as_list(dim);
    PTS_CHECK(l->len == 2, err, RUNTIME, "linalg.matrix_norm: dim must be a 2-tuple. Got %lld dims", (long long)l->len);
    PTS_TRY(pts_wrap_dim(pts_value_to_i64(l->items[0]), A->ndim, err, d0));
    PTS_TRY(pts_wrap_dim(pts_value_to_i64(l->items[1]), A->ndim, err, d1));
    PTS_CHECK(*d0 != *d1, err, RUNTIME, "linalg.matrix_norm: dims must be different. Got (%d, %d)", *d0, *d1);
    return PTS_OK;
}

/* singular values of A with dims (d0, d1) as the matrix, reduced by `red` (AMAX, AMIN, SUM) over
 * them; keepdim puts both dims back */
static PtsStatus svd_reduce(PtsTensor *A, int d0, int d1, PtsOpId red, bool keepdim, PtsValue dtype, PtsError *err,
                            PtsTensor **out) {
    int64_t perm[PTS_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < A->ndim; i++)
        if (i != d0 && i != d1) perm[k++] = i;
    perm[k++] = d0;
    perm[k++] = d1;
    PtsTensor *t[5] = { 0 };
    PtsValue pl = pts_none(), rd = pts_none();
    PtsStatus s;
    if (dtype.tag != PTS_V_NONE) s = pts_op_call_t(PTS_OP_TO_DTYPE, 2, (PtsValue[]){ TV(A), dtype }, err, &t[0]);
    else t[0] = pts_tensor_retain(A), s = PTS_OK;
    if (s || (s = pts_int_list_new(perm, A->ndim, err, &pl)) ||
        (s = pts_op_call_t(PTS_OP_PERMUTE, 2, (PtsValue[]){ TV(t[0]), pl }, err, &t[1])) ||
        (s = pts_op_call_t(PTS_OP_LINALG_SVDVALS, 1, (PtsValue[]){ TV(t[1]) }, err, &t[2])) ||
        (s = pts_int_list_new((int64_t[]){ -1 }, 1, err, &rd)))
        goto done;
    if (red == PTS_OP_SUM_DIM_INTLIST) s = pts_op_call_t(red, 3, (PtsValue[]){ TV(t[2]), rd, pts_vbool(false) }, err, &t[3]);
    else s = pts_op_call_t(red, 3, (PtsValue[]){ TV(t[2]), rd, pts_vbool(false) }, err, &t[3]);
    if (s) goto done;
    if (keepdim) {
        int lo = d0 < d1 ? d0 : d1, hi = d0 < d1 ? d1 : d0;
        if ((s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ TV(t[3]), pts_vint(lo) }, err, &t[4])) ||
            (s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ TV(t[4]), pts_vint(hi) }, err, out)))
            goto done;
    } else {
        *out = pts_tensor_retain(t[3]);
    }
done:
    pts_value_release(&pl);
    pts_value_release(&rd);
    release_all(t, 5);
    return s;
}

static PtsStatus matrix_norm_num(PtsTensor *A, double ord, PtsValue dim, bool keepdim, PtsValue dtype, PtsError *err,
                                 PtsValue *out) {
    int d0, d1;
    PTS_TRY(matrix_dims(A, dim, &d0, &d1, err));
    PTS_TRY(float_input("linalg.matrix_norm", A, err));
    double ab = fabs(ord);
    if (ab != 2.0 && ab != 1.0 && !isinf(ab)) {
        char b[64];
        snprintf(b, sizeof b, "%g", ord);
        return pts_fail(err, PTS_ERR_RUNTIME, "linalg.matrix_norm: Order %s not supported.", b);
    }
    PtsOpId red = ord > 0 ? PTS_OP_AMAX : PTS_OP_AMIN;
    PtsTensor *r = NULL;
    if (ab == 2.0) {
        PTS_TRY(svd_reduce(A, d0, d1, red, keepdim, dtype, err, &r));
        *out = TV(r);
        return PTS_OK;
    }
    if (isinf(ab)) { int x = d0; d0 = d1; d1 = x; }
    if (!keepdim && d0 < d1) d1--;
    PtsValue l0 = pts_none(), l1 = pts_none();
    PtsTensor *v = NULL;
    PtsStatus s;
    if (!(s = pts_int_list_new((int64_t[]){ d0 }, 1, err, &l0)) && !(s = pts_int_list_new((int64_t[]){ d1 }, 1, err, &l1)) &&
        !(s = pts_op_call_t(PTS_OP_LINALG_VECTOR_NORM, 5, (PtsValue[]){ TV(A), pts_vdouble(1.0), l0, pts_vbool(keepdim), dtype }, err, &v)) &&
        !(s = pts_op_call_t(red, 3, (PtsValue[]){ TV(v), l1, pts_vbool(keepdim) }, err, &r)))
        *out = TV(r);
    pts_value_release(&l0);
    pts_value_release(&l1);
    pts_tensor_release(v);
    return s;
}

static PtsStatus matrix_norm_str(PtsTensor *A, const char *ord, PtsValue dim, bool keepdim, PtsValue dtype, PtsError *err,
                                 PtsValue *out) {
    int d0, d1;
    PTS_TRY(matrix_dims(A, dim, &d0, &d1, err));
    PTS_TRY(float_input("linalg.matrix_norm", A, err));
    PtsTensor *r = NULL;
    if (strcmp(ord, "fro") == 0) {
        PTS_TRY(pts_op_call_t(PTS_OP_LINALG_VECTOR_NORM, 5, (PtsValue[]){ TV(A), pts_vdouble(2.0), dim, pts_vbool(keepdim), dtype },
                        err, &r));
    } else if (strcmp(ord, "nuc") == 0) {
        PTS_TRY(svd_reduce(A, d0, d1, PTS_OP_SUM_DIM_INTLIST, keepdim, dtype, err, &r));
    } else {
        return pts_fail(err, PTS_ERR_RUNTIME, "linalg.matrix_norm: Order %s not supported.", ord);
    }
    *out = TV(r);
    return PTS_OK;
}

PtsStatus k_LINALG_MATRIX_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    return matrix_norm_num(a[0].u.t, pts_value_to_f64(a[1]), a[2], a[3].u.b, a[4], err, out);
}
PtsStatus k_LINALG_MATRIX_NORM_STR_ORD(PtsValue *a, PtsValue *out, PtsError *err) {
    return matrix_norm_str(a[0].u.t, pts_as_str(a[1])->data, a[2], a[3].u.b, a[4], err, out);
}

/* linalg.norm: a matrix norm when ord is given over two dims (or a 2-D input), else a vector norm */
static PtsStatus norm_dims(PtsTensor *A, PtsValue dim, bool has_ord, int *ndims, PtsError *err) {
    if (dim.tag == PTS_V_LIST) {
        int64_t n = pts_as_list(dim)->len;
        PTS_CHECK(n == 1 || n == 2, err, RUNTIME, "linalg.norm: If dim is specified, it must be of length 1 or 2. Got %lld dims",
                  (long long)n);
        *ndims = (int)n;
    } else {
        if (has_ord)
            PTS_CHECK(A->ndim == 1 || A->ndim == 2, err, RUNTIME,
                      "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got %dD.", A->ndim);
        *ndims = has_ord ? A->ndim : 0;
    }
    return PTS_OK;
}

PtsStatus k_LINALG_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *A = a[0].u.t;
    int nd = 0;
    PTS_TRY(norm_dims(A, a[2], a[1].tag != PTS_V_NONE, &nd, err));
    PtsTensor *r = NULL;
    if (nd == 2 && a[1].tag != PTS_V_NONE) {   /* without ord: the 2-norm of the flattened dims */
        PtsValue dim = a[2];
        bool own = false;
        if (dim.tag != PTS_V_LIST) {
            PTS_TRY(pts_int_list_new((int64_t[]){ 0, 1 }, 2, err, &dim));
            own = true;
        }
        PtsStatus s = matrix_norm_num(A, pts_value_to_f64(a[1]), dim, a[3].u.b, a[4], err, out);
        if (own) pts_value_release(&dim);
        return s;
    }
    PtsValue ord = a[1].tag == PTS_V_NONE ? pts_vdouble(2.0) : a[1];
    PTS_TRY(pts_op_call_t(PTS_OP_LINALG_VECTOR_NORM, 5, (PtsValue[]){ a[0], ord, a[2], a[3], a[4] }, err, &r));
    *out = TV(r);
    return PTS_OK;
}

PtsStatus k_LINALG_NORM_ORD_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *A = a[0].u.t;
    int nd = 0;
    PTS_TRY(norm_dims(A, a[2], true, &nd, err));
    PTS_CHECK(nd == 2, err, RUNTIME, "linalg.norm: If dim is specified, it mut be of length 1 or 2. Got [%d]", nd);
    PtsValue dim = a[2];
    bool own = false;
    if (dim.tag != PTS_V_LIST) {
        PTS_TRY(pts_int_list_new((int64_t[]){ 0, 1 }, 2, err, &dim));
        own = true;
    }
    PtsStatus s = matrix_norm_str(A, pts_as_str(a[1])->data, dim, a[3].u.b, a[4], err, out);
    if (own) pts_value_release(&dim);
    return s;
}

/* ---- pinv / matrix_rank: singular values (eigenvalues when hermitian) against
 * tol = max(atol, rtol * largest); rtol defaults to eps * max(m, n) unless atol > 0 is given ---- */
static PtsStatus tolerances(PtsTensor *A, PtsValue atol, PtsValue rtol, double *at, double *rt) {
    int64_t m = A->shape[A->ndim - 2], n = A->shape[A->ndim - 1];
    double eps = A->dtype == PTS_FLOAT64 ? 2.220446049250313e-16 : 1.1920928955078125e-07;
    *at = atol.tag == PTS_V_NONE ? 0.0 : pts_value_to_f64(atol);
    if (rtol.tag != PTS_V_NONE) *rt = pts_value_to_f64(rtol);
    else if (atol.tag != PTS_V_NONE && *at > 0) *rt = 0.0;
    else *rt = eps * (double)(m > n ? m : n);
    return PTS_OK;
}

/* S (..., k) -> mask S > max(atol, rtol * max|S|) ; the spectrum's largest magnitude */
static PtsStatus above_tol(PtsTensor *S, double at, double rt, PtsError *err, PtsTensor **mask) {
    PtsTensor *t[4] = { 0 };
    PtsValue rd = pts_none();
    PtsStatus s;
    if (!(s = pts_op_call_t(PTS_OP_ABS, 1, (PtsValue[]){ TV(S) }, err, &t[0])) &&
        !(s = pts_int_list_new((int64_t[]){ -1 }, 1, err, &rd)) &&
        !(s = pts_op_call_t(PTS_OP_AMAX, 3, (PtsValue[]){ TV(t[0]), rd, pts_vbool(true) }, err, &t[1])) &&
        !(s = pts_op_call_t(PTS_OP_MUL_SCALAR, 2, (PtsValue[]){ TV(t[1]), pts_vdouble(rt) }, err, &t[2])) &&
        !(s = pts_op_call_t(PTS_OP_CLAMP_MIN, 2, (PtsValue[]){ TV(t[2]), pts_vdouble(at) }, err, &t[3])))
        s = pts_op_call_t(PTS_OP_GT_TENSOR, 2, (PtsValue[]){ TV(t[0]), TV(t[3]) }, err, mask);
    pts_value_release(&rd);
    release_all(t, 4);
    return s;
}

static PtsStatus pinv_check(PtsTensor *A, PtsError *err) {
    if (A->ndim >= 2 && (A->dtype == PTS_FLOAT32 || A->dtype == PTS_FLOAT64)) return PTS_OK;
    char b[256];
    return pts_fail(err, PTS_ERR_RUNTIME, "linalg.pinv(%s{%s}): expected a tensor with 2 or more dimensions of float, "
                    "double, cfloat or cdouble types", pts_dtype_scalar_name(A->dtype, "?"),
                    pts_shape_str(A->ndim, A->shape, b, sizeof b));
}

static PtsStatus pinv_impl(PtsTensor *A, PtsValue atol, PtsValue rtol, bool herm, PtsError *err, PtsValue *out) {
    PTS_TRY(pinv_check(A, err));
    int nb = A->ndim - 2;
    if (pts_numel(A) == 0) {   /* the (n, m) shape, empty */
        int64_t sh[PTS_MAX_DIMS];
        memcpy(sh, A->shape, sizeof(int64_t) * (size_t)nb);
        sh[nb] = A->shape[nb + 1];
        sh[nb + 1] = A->shape[nb];
        PtsTensor *r;
        PTS_TRY(pts_tensor_zeros(A->dtype, A->ndim, sh, err, &r));
        *out = TV(r);
        return PTS_OK;
    }
    double at, rt;
    tolerances(A, atol, rtol, &at, &rt);
    PtsValue f[3] = { pts_none(), pts_none(), pts_none() };
    PtsTensor *t[8] = { 0 }, *r = NULL;
    PtsStatus s;
    if (herm) {
        PtsValue up;
        PTS_TRY(pts_str_new("L", 1, err, &up));
        s = pts_op_call(PTS_OP_LINALG_EIGH, (PtsValue[]){ TV(A), up }, f, err);
        pts_value_release(&up);
        if (s) return s;
        /* V diag(1/L) V^T over the kept eigenvalues */
        if (!(s = above_tol(f[0].u.t, at, rt, err, &t[0])) &&
            !(s = pts_op_call_t(PTS_OP_RECIPROCAL, 1, (PtsValue[]){ f[0] }, err, &t[1])) &&
            !(s = pts_op_call_t(PTS_OP_WHERE_SCALAROTHER, 3, (PtsValue[]){ TV(t[0]), TV(t[1]), pts_vint(0) }, err, &t[2])) &&
            !(s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ TV(t[2]), pts_vint(-2) }, err, &t[3])) &&
            !(s = pts_op_call_t(PTS_OP_MUL_TENSOR, 2, (PtsValue[]){ f[1], TV(t[3]) }, err, &t[4])) &&
            !(s = pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, (PtsValue[]){ f[1], pts_vint(-2), pts_vint(-1) }, err, &t[5])))
            s = pts_op_call_t(PTS_OP_MATMUL, 2, (PtsValue[]){ TV(t[4]), TV(t[5]) }, err, &r);
    } else {
        s = pts_op_call(PTS_OP_LINALG_SVD, (PtsValue[]){ TV(A), pts_vbool(false), pts_none() }, f, err);
        if (s) return s;
        /* Vh^T diag(1/S) U^T over the kept singular values */
        if (!(s = above_tol(f[1].u.t, at, rt, err, &t[0])) &&
            !(s = pts_op_call_t(PTS_OP_RECIPROCAL, 1, (PtsValue[]){ f[1] }, err, &t[1])) &&
            !(s = pts_op_call_t(PTS_OP_WHERE_SCALAROTHER, 3, (PtsValue[]){ TV(t[0]), TV(t[1]), pts_vint(0) }, err, &t[2])) &&
            !(s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ TV(t[2]), pts_vint(-2) }, err, &t[3])) &&
            !(s = pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, (PtsValue[]){ f[2], pts_vint(-2), pts_vint(-1) }, err, &t[4])) &&
            !(s = pts_op_call_t(PTS_OP_MUL_TENSOR, 2, (PtsValue[]){ TV(t[4]), TV(t[3]) }, err, &t[5])) &&
            !(s = pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, (PtsValue[]){ f[0], pts_vint(-2), pts_vint(-1) }, err, &t[6])))
            s = pts_op_call_t(PTS_OP_MATMUL, 2, (PtsValue[]){ TV(t[5]), TV(t[6]) }, err, &r);
    }
    for (int i = 0; i < 3; i++) pts_value_release(&f[i]);
    release_all(t, 8);
    if (!s) *out = TV(r);
    return s;
}

PtsStatus k_LINALG_PINV_ATOL_RTOL_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    return pinv_impl(a[0].u.t, a[1], a[2], a[3].u.b, err, out);
}
PtsStatus k_LINALG_PINV(PtsValue *a, PtsValue *out, PtsError *err) {
    return pinv_impl(a[0].u.t, pts_vdouble(0.0), a[1], a[2].u.b, err, out);
}
PtsStatus k_PINVERSE(PtsValue *a, PtsValue *out, PtsError *err) {
    return pinv_impl(a[0].u.t, pts_vdouble(0.0), a[1], false, err, out);
}

static PtsStatus rank_impl(PtsTensor *A, PtsValue atol, PtsValue rtol, bool herm, PtsError *err, PtsValue *out) {
    PTS_CHECK(A->dtype == PTS_FLOAT32 || A->dtype == PTS_FLOAT64, err, RUNTIME,
              "This function doesn't handle types other than float and double");
    PTS_CHECK(A->ndim >= 2, err, RUNTIME, "linalg.matrix_rank: The input tensor input must have at least 2 dimensions.");
    int nb = A->ndim - 2;
    PtsTensor *S = NULL, *mask = NULL, *r = NULL;
    if (A->shape[nb] == 0 || A->shape[nb + 1] == 0) {
        PTS_TRY(pts_tensor_zeros(PTS_INT64, nb, A->shape, err, &r));
        *out = TV(r);
        return PTS_OK;
    }
    double at, rt;
    tolerances(A, atol, rtol, &at, &rt);
    PtsStatus s;
    if (herm) {
        PtsValue up;
        PTS_TRY(pts_str_new("L", 1, err, &up));
        s = pts_op_call_t(PTS_OP_LINALG_EIGVALSH, 2, (PtsValue[]){ TV(A), up }, err, &S);
        pts_value_release(&up);
    } else {
        s = pts_op_call_t(PTS_OP_LINALG_SVDVALS, 1, (PtsValue[]){ TV(A) }, err, &S);
    }
    PtsValue rd = pts_none();
    if (!s && !(s = above_tol(S, at, rt, err, &mask)) && !(s = pts_int_list_new((int64_t[]){ -1 }, 1, err, &rd)))
        s = pts_op_call_t(PTS_OP_SUM_DIM_INTLIST, 3, (PtsValue[]){ TV(mask), rd, pts_vbool(false) }, err, &r);
    pts_value_release(&rd);
    pts_tensor_release(S);
    pts_tensor_release(mask);
    if (!s) *out = TV(r);
    return s;
}

PtsStatus k_LINALG_MATRIX_RANK_ATOL_RTOL_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    return rank_impl(a[0].u.t, a[1], a[2], a[3].u.b, err, out);
}
PtsStatus k_LINALG_MATRIX_RANK(PtsValue *a, PtsValue *out, PtsError *err) {
    return rank_impl(a[0].u.t, a[1], pts_vdouble(0.0), a[2].u.b, err, out);
}

/* ---- matrix_power: binary powers by matmul (inverse first for n < 0), as torch ---- */
static PtsStatus matrix_power(const char *fn, PtsTensor *A, int64_t n, PtsError *err, PtsValue *out) {
    PTS_CHECK(A->ndim >= 2, err, RUNTIME, "%s: The input tensor A must have at least 2 dimensions.", fn);
    PTS_CHECK(A->shape[A->ndim - 1] == A->shape[A->ndim - 2], err, RUNTIME,
              "%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
              (long long)A->shape[A->ndim - 2], (long long)A->shape[A->ndim - 1]);
    PtsTensor *r = NULL;
    if (n == 0) {   /* identities of A's shape and dtype */
        PTS_TRY(pts_tensor_zeros(A->dtype, A->ndim, A->shape, err, &r));
        int64_t k = A->shape[A->ndim - 1], batch = batch_count(A, 2);
        size_t es = pts_dtype_size(A->dtype);
        for (int64_t b = 0; b < batch; b++)
            for (int64_t i = 0; i < k; i++) pts_store_f64(A->dtype, pts_tensor_data(r) + (size_t)(b * k * k + i * k + i) * es, 1.0);
        *out = TV(r);
        return PTS_OK;
    }
    PtsTensor *base = NULL, *z = NULL, *acc = NULL;
    if (n < 0) {
        PTS_TRY(pts_op_call_t(PTS_OP_LINALG_INV, 1, (PtsValue[]){ TV(A) }, err, &base));
        n = n == INT64_MIN ? INT64_MAX : -n;   /* beyond any useful power either way */
    } else {
        base = pts_tensor_retain(A);
    }
    if (n == 1) {
        PtsStatus s = pts_op_call_t(PTS_OP_CLONE, 1, (PtsValue[]){ TV(base) }, err, &r);
        pts_tensor_release(base);
        if (!s) *out = TV(r);
        return s;
    }
    PtsStatus s = PTS_OK;
    while (n > 0 && !s) {
        PtsTensor *nz;
        if (!z) z = pts_tensor_retain(base);
        else if (!(s = pts_op_call_t(PTS_OP_MATMUL, 2, (PtsValue[]){ TV(z), TV(z) }, err, &nz))) { pts_tensor_release(z); z = nz; }
        if (!s && (n & 1)) {
            if (!acc) acc = pts_tensor_retain(z);
            else if (!(s = pts_op_call_t(PTS_OP_MATMUL, 2, (PtsValue[]){ TV(acc), TV(z) }, err, &nz))) { pts_tensor_release(acc); acc = nz; }
        }
        n >>= 1;
    }
    pts_tensor_release(base);
    pts_tensor_release(z);
    if (s) { pts_tensor_release(acc); return s; }
    *out = TV(acc);
    return PTS_OK;
}

PtsStatus k_LINALG_MATRIX_POWER(PtsValue *a, PtsValue *out, PtsError *err) {
    return matrix_power("linalg.matrix_power", a[0].u.t, a[1].u.i, err, out);
}
PtsStatus k_MATRIX_POWER(PtsValue *a, PtsValue *out, PtsError *err) {
    return matrix_power("linalg.matrix_power", a[0].u.t, a[1].u.i, err, out);
}

/* ---- cross: a x b along dim = a[1,2,0] * b[2,0,1] - a[2,0,1] * b[1,2,0] (index_select), after
 * broadcasting ---- */
static PtsStatus cross_impl(PtsTensor *x, PtsTensor *y, int64_t dim, PtsError *err, PtsValue *out) {
    int nd;
    int64_t sh[PTS_MAX_DIMS];
    PTS_CHECK(x->ndim == y->ndim, err, RUNTIME,
              "linalg.cross: inputs must have the same number of dimensions.");
    int d;
    PTS_TRY(pts_wrap_dim(dim, x->ndim, err, &d));   /* the lengths are checked before broadcasting */
    PTS_CHECK(x->ndim > 0 && x->shape[d] == 3 && y->shape[d] == 3, err, RUNTIME,
              "linalg.cross: inputs dimension %lld must have length 3. Got %lld and %lld", (long long)dim,
              (long long)(x->ndim ? x->shape[d] : 0), (long long)(y->ndim ? y->shape[d] : 0));
    PTS_TRY(pts_broadcast_shapes(x->ndim, x->shape, y->ndim, y->shape, &nd, sh, err));
    PTS_CHECK(x->dtype != PTS_BOOL && y->dtype != PTS_BOOL, err, NOTIMPL, "\"cross\" not implemented for 'Bool'");
    PTS_CHECK(x->dtype == y->dtype, err, RUNTIME, "expected scalar type %s but found %s",
              pts_dtype_scalar_name(x->dtype, "?"), pts_dtype_scalar_name(y->dtype, "?"));
    PtsTensor *i1 = NULL, *i2 = NULL, *t[8] = { 0 }, *r = NULL;
    PtsValue sz = pts_none();
    PtsStatus s;
    if ((s = pts_tensor_new(PTS_INT64, 1, (int64_t[]){ 3 }, err, &i1)) || (s = pts_tensor_new(PTS_INT64, 1, (int64_t[]){ 3 }, err, &i2)))
        goto done;
    int64_t *p1 = (int64_t *)pts_tensor_data(i1), *p2 = (int64_t *)pts_tensor_data(i2);
    p1[0] = 1; p1[1] = 2; p1[2] = 0;
    p2[0] = 2; p2[1] = 0; p2[2] = 1;
    if ((s = pts_int_list_new(sh, nd, err, &sz)) ||
        (s = pts_op_call_t(PTS_OP_EXPAND, 2, (PtsValue[]){ TV(x), sz }, err, &t[6])) ||
        (s = pts_op_call_t(PTS_OP_EXPAND, 2, (PtsValue[]){ TV(y), sz }, err, &t[7])) ||
        (s = pts_op_call_t(PTS_OP_INDEX_SELECT, 3, (PtsValue[]){ TV(t[6]), pts_vint(d), TV(i1) }, err, &t[0])) ||
        (s = pts_op_call_t(PTS_OP_INDEX_SELECT, 3, (PtsValue[]){ TV(t[7]), pts_vint(d), TV(i2) }, err, &t[1])) ||
        (s = pts_op_call_t(PTS_OP_INDEX_SELECT, 3, (PtsValue[]){ TV(t[6]), pts_vint(d), TV(i2) }, err, &t[2])) ||
        (s = pts_op_call_t(PTS_OP_INDEX_SELECT, 3, (PtsValue[]){ TV(t[7]), pts_vint(d), TV(i1) }, err, &t[3])) ||
        (s = pts_op_call_t(PTS_OP_MUL_TENSOR, 2, (PtsValue[]){ TV(t[0]), TV(t[1]) }, err, &t[4])) ||
        (s = pts_op_call_t(PTS_OP_MUL_TENSOR, 2, (PtsValue[]){ TV(t[2]), TV(t[3]) }, err, &t[5])) ||
        (s = pts_op_call_t(PTS_OP_SUB_TENSOR, 2, (PtsValue[]){ TV(t[4]), TV(t[5]) }, err, &r)))
        goto done;
    *out = TV(r);
done:
    pts_value_release(&sz);
    pts_tensor_release(i1);
    pts_tensor_release(i2);
    release_all(t, 8);
    return s;
}

PtsStatus k_LINALG_CROSS(PtsValue *a, PtsValue *out, PtsError *err) {
    return cross_impl(a[0].u.t, a[1].u.t, a[2].u.i, err, out);
}
