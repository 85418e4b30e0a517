/* k_complex_tensor3.c: the third set of complex64 / complex128 kernels (pts_cx_rows3, read by
 * complex_guard.c next to the other two tables): logsumexp, and the composite rows (cross,
 * linalg.cross) whose kernels already compute with rows that take complex operands. */
#include <complex.h>
#include <math.h>
#include <stdio.h>

#include "complex_tensor.h"
#include "lapack.h"

#define TV(t) pts_vtensor(t)

/* logsumexp over dims: the shift is the max of the real parts (an infinite max shifts by 0), so
 * log(sum(exp(x - m))) + m, as torch computes it for complex inputs; an empty input is
 * log(sum(exp(x))) */
static PtsStatus logsumexp(PtsValue *a, PtsTensor *out, PtsError *e, PtsValue *o) {
    PtsTensor *x = a[0].u.t, *re = NULL, *m = NULL, *ab = NULL, *inf = NULL, *d = NULL, *ex = NULL, *sm = NULL,
              *lg = NULL, *ms = NULL, *r = NULL;
    bool keep = a[2].tag == PTS_V_BOOL && a[2].u.b;
    PtsStatus s;
    if (out && !pts_dtype_is_complex(out->dtype) && !pts_dtype_is_float(out->dtype))
        return pts_fail(e, PTS_ERR_RUNTIME, "logsumexp(): Expected floating point type for result tensor, but got: %s",
                        pts_dtype_scalar_name(out->dtype, "?"));
    if (pts_numel(x) == 0) {
        if (!(s = pts_op_call_t(PTS_OP_EXP, 1, (PtsValue[]){ TV(x) }, e, &ex)) &&
            !(s = pts_op_call_t(PTS_OP_SUM_DIM_INTLIST, 3, (PtsValue[]){ TV(ex), a[1], pts_vbool(keep) }, e, &sm)))
            s = pts_op_call_t(PTS_OP_LOG, 1, (PtsValue[]){ TV(sm) }, e, &r);
    } else if (!(s = pts_op_call_t(PTS_OP_REAL, 1, (PtsValue[]){ TV(x) }, e, &re)) &&
               !(s = pts_op_call_t(PTS_OP_AMAX, 3, (PtsValue[]){ TV(re), a[1], pts_vbool(true) }, e, &m)) &&
               !(s = pts_op_call_t(PTS_OP_ABS, 1, (PtsValue[]){ TV(m) }, e, &ab)) &&
               !(s = pts_op_call_t(PTS_OP_EQ_SCALAR, 2, (PtsValue[]){ TV(ab), pts_vdouble(INFINITY) }, e, &inf)) &&
               !(s = pts_op_call_t(PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ TV(m), TV(inf), pts_vint(0) }, e, &ms)) &&
               !(s = pts_op_call_t(PTS_OP_SUB_TENSOR, 2, (PtsValue[]){ TV(x), TV(ms) }, e, &d)) &&
               !(s = pts_op_call_t(PTS_OP_EXP, 1, (PtsValue[]){ TV(d) }, e, &ex)) &&
               !(s = pts_op_call_t(PTS_OP_SUM_DIM_INTLIST, 3, (PtsValue[]){ TV(ex), a[1], pts_vbool(keep) }, e, &sm)) &&
               !(s = pts_op_call_t(PTS_OP_LOG, 1, (PtsValue[]){ TV(sm) }, e, &lg))) {
        PtsTensor *mk = pts_tensor_retain(ms);
        if (!keep) {
            pts_tensor_release(mk);
            mk = NULL;
            s = pts_op_call_t(PTS_OP_SQUEEZE_DIMS, 2, (PtsValue[]){ TV(ms), a[1] }, e, &mk);
        }
        if (!s) s = pts_op_call_t(PTS_OP_ADD_TENSOR, 2, (PtsValue[]){ TV(lg), TV(mk) }, e, &r);
        pts_tensor_release(mk);
    }
    PtsTensor *all[] = { re, m, ab, inf, d, ex, sm, lg, ms };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) pts_tensor_release(all[k]);
    if (s) return s;
    if (!out) return pts_cx_ret1(o, r);
    s = pts_out_assign(out, r, e);
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(out));
}
static PtsStatus cx_LOGSUMEXP(PtsValue *a, PtsValue *o, PtsError *e) { return logsumexp(a, NULL, e, o); }
static PtsStatus cx_LOGSUMEXP_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return logsumexp(a, a[3].u.t, e, o); }


/* ================= float_power: pow computed in complex128 ================= */
static PtsStatus as_c128(PtsValue v, PtsError *e, PtsTensor **out) {
    if (v.tag == PTS_V_TENSOR)   /* through the registry, so that autograd records the cast */
        return pts_op_call_t(PTS_OP_TO_DTYPE, 2, (PtsValue[]){ v, pts_vint(PTS_COMPLEX128) }, e, out);
    double re, im;
    PTS_CHECK(pts_cx_scalar_parts(v, &re, &im), e, TYPE, "float_power(): expected a number");
    PTS_TRY(pts_tensor_new(PTS_COMPLEX128, 0, NULL, e, out));
    pts_store_c128(PTS_COMPLEX128, pts_tensor_data(*out), re, im);
    return PTS_OK;
}
/* kind: 0 new, 1 in place (into a[0]), 2 out= (a[2]) */
static PtsStatus float_power(PtsValue *a, int kind, PtsError *e, PtsValue *o) {
    PtsTensor *dst = kind == 1 ? a[0].u.t : kind == 2 ? a[2].u.t : NULL;
    if (dst && dst->dtype != PTS_COMPLEX128)
        return pts_fail(e, PTS_ERR_RUNTIME, "the %s given to float_power%s has dtype %s but the operation's result "
                        "requires dtype ComplexDouble", kind == 1 ? "base" : "output", kind == 1 ? "_" : "",
                        pts_dtype_scalar_name(dst->dtype, "?"));
    PtsTensor *x = NULL, *y = NULL, *r = NULL;
    PtsStatus s;
    if (!(s = as_c128(a[0], e, &x)) && !(s = as_c128(a[1], e, &y)))
        s = pts_op_call_t(PTS_OP_POW_TENSOR_TENSOR, 2, (PtsValue[]){ TV(x), TV(y) }, e, &r);
    pts_tensor_release(x);
    pts_tensor_release(y);
    if (s) return s;
    if (!dst) return pts_cx_ret1(o, r);
    if (kind == 1) {   /* the in-place row's own shape rules: the result must have self's shape */
        char b1[96], b2[96];
        if (r->ndim != dst->ndim || memcmp(r->shape, dst->shape, sizeof(int64_t) * (size_t)r->ndim) != 0) {
            s = pts_fail(e, PTS_ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s",
                         pts_shape_str(dst->ndim, dst->shape, b1, sizeof b1), pts_shape_str(r->ndim, r->shape, b2, sizeof b2));
        } else {
            s = pts_tensor_copy_(dst, r, e);
        }
    } else {
        s = pts_out_assign(dst, r, e);
    }
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(dst));
}
static PtsStatus cx_FLOAT_POWER(PtsValue *a, PtsValue *o, PtsError *e) { return float_power(a, 0, e, o); }
static PtsStatus cx_FLOAT_POWER_(PtsValue *a, PtsValue *o, PtsError *e) { return float_power(a, 1, e, o); }
static PtsStatus cx_FLOAT_POWER_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return float_power(a, 2, e, o); }

/* ================= div with a rounding mode: None divides, floor / trunc have no complex kernel ========= */
static PtsStatus div_mode(PtsOpId id, PtsValue *a, int kind, PtsError *e, PtsValue *o) {
    if (a[2].tag == PTS_V_STR) {
        const char *m = pts_as_str(a[2])->data;
        if (strcmp(m, "trunc") != 0 && strcmp(m, "floor") != 0)
            return pts_fail(e, PTS_ERR_RUNTIME, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                            "found '%s'", m);
        return pts_fail(e, PTS_ERR_NOTIMPL, "\"div_%s_cpu\" not implemented for '%s'", m,
                        pts_dtype_scalar_name(pts_cx_result_dtype(id, a), "?"));
    }
    bool tensor = a[1].tag == PTS_V_TENSOR;
    if (kind == 1) {
        PtsValue b[2] = { a[0], a[1] };
        return pts_op_call(tensor ? PTS_OP_DIV__TENSOR : PTS_OP_DIV__SCALAR, b, o, e);
    }
    PtsTensor *r;
    PTS_TRY(pts_op_call_t(tensor ? PTS_OP_DIV_TENSOR : PTS_OP_DIV_SCALAR, 2, (PtsValue[]){ a[0], a[1] }, e, &r));
    if (kind == 0) return pts_cx_ret1(o, r);
    PtsStatus s = pts_out_assign(a[3].u.t, r, e);
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(a[3].u.t));
}
static PtsStatus cx_DIV_TENSOR_MODE(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV_TENSOR_MODE, a, 0, e, o); }
static PtsStatus cx_DIV_SCALAR_MODE(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV_SCALAR_MODE, a, 0, e, o); }
static PtsStatus cx_DIV__TENSOR_MODE(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV__TENSOR_MODE, a, 1, e, o); }
static PtsStatus cx_DIV__SCALAR_MODE(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV__SCALAR_MODE, a, 1, e, o); }
static PtsStatus cx_DIV_OUT_MODE(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV_OUT_MODE, a, 2, e, o); }
static PtsStatus cx_DIV_SCALAR_MODE_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return div_mode(PTS_OP_DIV_SCALAR_MODE_OUT, a, 2, e, o); }

/* ================= constant_pad_nd: the parts padded apart with the parts of the value ========= */
static PtsStatus cx_CONSTANT_PAD_ND(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *x = a[0].u.t, *p[2] = { NULL, NULL }, *q[2] = { NULL, NULL }, *r = NULL;
    double v[2];
    PTS_CHECK(pts_cx_scalar_parts(a[2], &v[0], &v[1]), e, TYPE, "constant_pad_nd(): expected a number as value");
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 2 && !s; i++) {
        if (!(s = pts_op_call_t(i ? PTS_OP_IMAG : PTS_OP_REAL, 1, (PtsValue[]){ TV(x) }, e, &p[i])))
            s = pts_op_call_t(PTS_OP_CONSTANT_PAD_ND, 3, (PtsValue[]){ TV(p[i]), a[1], pts_vdouble(v[i]) }, e, &q[i]);
    }
    if (!s) s = pts_op_call_t(PTS_OP_COMPLEX, 2, (PtsValue[]){ TV(q[0]), TV(q[1]) }, e, &r);
    for (int i = 0; i < 2; i++) { pts_tensor_release(p[i]); pts_tensor_release(q[i]); }
    if (s) return s;
    return pts_cx_ret1(o, r);
}

/* ================= linspace with complex ends or a complex dtype ================= */
static PtsStatus linspace_into(PtsTensor *r, PtsValue vs, PtsValue ve, PtsError *e) {
    double sr, si, er, ei;
    PTS_CHECK(pts_cx_scalar_parts(vs, &sr, &si) && pts_cx_scalar_parts(ve, &er, &ei), e, TYPE,
              "linspace(): expected numbers as start and end");
    int64_t n = r->shape[0], half = n == 1 ? 1 : n / 2;   /* one step: start */
    size_t isz = pts_dtype_size(r->dtype);
    char *d = pts_tensor_data(r);
    if (r->dtype == PTS_COMPLEX64) {   /* in the element type, as torch's kernel */
        float _Complex st = (float)sr + (float)si * I, en = (float)er + (float)ei * I;
        float _Complex step = n > 1 ? (en - st) / (float _Complex)(float)(n - 1) : 0;
        for (int64_t i = 0; i < n; i++) {
            float _Complex z = i < half ? st + step * (float)i : en - step * (float)(n - i - 1);
            pts_store_c128(r->dtype, d + (size_t)i * isz, crealf(z), cimagf(z));
        }
    } else {
        double _Complex st = sr + si * I, en = er + ei * I;
        double _Complex step = n > 1 ? (en - st) / (double _Complex)(double)(n - 1) : 0;
        for (int64_t i = 0; i < n; i++) {
            double _Complex z = i < half ? st + step * (double)i : en - step * (double)(n - i - 1);
            pts_store_c128(r->dtype, d + (size_t)i * isz, creal(z), cimag(z));
        }
    }
    return PTS_OK;
}
static PtsStatus cx_LINSPACE(PtsValue *a, PtsValue *o, PtsError *e) {
    int64_t n = pts_value_to_i64(a[2]);
    PTS_CHECK(n >= 0, e, RUNTIME, "number of steps must be non-negative");
    PtsDType inferred = pts_dtype_to_complex(pts_default_dtype());
    PtsDType d = a[3].tag == PTS_V_INT ? (PtsDType)a[3].u.i : inferred;
    bool cx_ends = a[0].tag == PTS_V_COMPLEX || a[1].tag == PTS_V_COMPLEX;
    if (!pts_dtype_is_complex(d)) {
        if (cx_ends)
            return pts_fail(e, PTS_ERR_RUNTIME, "torch.linspace(): inferred dtype %s can't be safely cast to passed dtype %s",
                            pts_dtype_cpp_name(inferred), pts_dtype_scalar_name(d, "?"));
        return k_LINSPACE(a, o, e);
    }
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(d, 1, &n, e, &r));
    PtsStatus s = linspace_into(r, a[0], a[1], e);
    if (s) { pts_tensor_release(r); return s; }
    return pts_cx_ret1(o, r);
}
static PtsStatus cx_LINSPACE_OUT(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *out = a[3].u.t, *r;
    int64_t n = pts_value_to_i64(a[2]);
    PTS_CHECK(n >= 0, e, RUNTIME, "number of steps must be non-negative");
    if (!pts_dtype_is_complex(out->dtype)) {
        double re, im;
        for (int i = 0; i < 2; i++)
            if (pts_cx_scalar_parts(a[i], &re, &im)) PTS_TRY(pts_cx_check_real_target(out->dtype, im, e));
        return k_LINSPACE_OUT(a, o, e);
    }
    PTS_TRY(pts_tensor_new(out->dtype, 1, &n, e, &r));
    PtsStatus s = linspace_into(r, a[0], a[1], e);
    if (!s) s = pts_out_assign(out, r, e);
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(out));
}


/* ================= cholesky of Hermitian matrices (lower: the lower triangle is read, upper:
 * the upper one, as LAPACK's potrf); computed in complex128 ================= */
/* fn names the argument errors, fail_fn the factorization's */
static PtsStatus cx_cholesky(const char *fn, const char *fail_fn, PtsTensor *A, bool upper, bool check, PtsError *e,
                             PtsValue *o) {
    PTS_CHECK(A->ndim >= 2, e, RUNTIME, "%s: The input tensor A must have at least 2 dimensions.", fn);
    PTS_CHECK(A->shape[A->ndim - 1] == A->shape[A->ndim - 2], e, RUNTIME,
              "%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
              (long long)A->shape[A->ndim - 2], (long long)A->shape[A->ndim - 1]);
    int64_t n = A->shape[A->ndim - 1], nb = pts_shape_numel(A->ndim - 2, A->shape);
    PtsTensor *z = NULL, *r = NULL, *info = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(A, PTS_COMPLEX128, true, e, &z)) || (s = pts_tensor_zeros(PTS_COMPLEX128, A->ndim, A->shape, e, &r)) ||
        (s = pts_tensor_zeros(PTS_INT32, A->ndim - 2, A->shape, e, &info)))
        goto done;
    double _Complex *m = (double _Complex *)pts_tensor_data(z), *l = (double _Complex *)pts_tensor_data(r);
    for (int64_t b = 0; b < nb; b++) {
        double _Complex *a = m + b * n * n, *L = l + b * n * n;
        int32_t bad = 0;
        /* B = the lower triangle of A, or of A^H for upper (then U = L^H) */
#define B_(i, j) (upper ? conj(a[(j) * n + (i)]) : a[(i) * n + (j)])
        for (int64_t j = 0; j < n && !bad; j++) {
            double d = creal(B_(j, j));
            for (int64_t k = 0; k < j; k++) d -= creal(L[j * n + k]) * creal(L[j * n + k]) + cimag(L[j * n + k]) * cimag(L[j * n + k]);
            if (!(d > 0)) { bad = (int32_t)(j + 1); break; }
            double dj = sqrt(d);
            L[j * n + j] = dj;
            for (int64_t i = j + 1; i < n; i++) {
                double _Complex v = B_(i, j);
                for (int64_t k = 0; k < j; k++) v -= L[i * n + k] * conj(L[j * n + k]);
                L[i * n + j] = v / dj;
            }
        }
#undef B_
        ((int32_t *)pts_tensor_data(info))[b] = bad;
        if (bad && check) {
            char pb[64] = "";
            if (A->ndim > 2) snprintf(pb, sizeof pb, "(Batch element %lld): ", (long long)b);
            s = pts_linalg_fail(e, "%s: %sThe factorization could not be completed because the input is not "
                                "positive-definite (the leading minor of order %d is not positive-definite).", fail_fn, pb, bad);
            goto done;
        }
        if (upper)   /* U = L^H */
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = i; j < n; j++) {
                    double _Complex t = conj(L[j * n + i]);
                    L[j * n + i] = i == j ? t : 0;
                    L[i * n + j] = t;
                }
    }
    PtsTensor *c;
    if ((s = pts_tensor_to(r, A->dtype, false, e, &c))) goto done;
    o[0] = pts_vtensor(c);
    o[1] = pts_vtensor(info);
    info = NULL;
done:
    pts_tensor_release(z);
    pts_tensor_release(r);
    pts_tensor_release(info);
    return s;
}
static PtsStatus cx_LINALG_CHOLESKY_EX(PtsValue *a, PtsValue *o, PtsError *e) {
    return cx_cholesky("linalg.cholesky", "linalg.cholesky_ex", a[0].u.t, a[1].u.b, a[2].u.b, e, o);
}
/* through cholesky_ex (the row that records the gradient), its info checked after */
static PtsStatus cx_LINALG_CHOLESKY(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP_LINALG_CHOLESKY_EX, (PtsValue[]){ a[0], a[1], pts_vbool(false) }, r, e));
    const int32_t *v = (const int32_t *)pts_tensor_data(r[1].u.t);
    PtsStatus s = PTS_OK;
    for (int64_t b = 0, nb = pts_numel(r[1].u.t); b < nb && !s; b++) {
        if (v[b] <= 0) continue;
        char pb[64] = "";
        if (a[0].u.t->ndim > 2) snprintf(pb, sizeof pb, "(Batch element %lld): ", (long long)b);
        s = pts_linalg_fail(e, "linalg.cholesky: %sThe factorization could not be completed because the input is not "
                            "positive-definite (the leading minor of order %d is not positive-definite).", pb, v[b]);
    }
    pts_value_release(&r[1]);
    if (s) { pts_value_release(&r[0]); return s; }
    o[0] = r[0];
    return PTS_OK;
}
static PtsStatus cx_CHOLESKY(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsValue r[2];
    PTS_TRY(cx_cholesky("cholesky", "cholesky", a[0].u.t, a[1].u.b, true, e, r));
    pts_value_release(&r[1]);
    o[0] = r[0];
    return PTS_OK;
}

/* ================= the table ================= */
#define PASS(ID) { PTS_OP_##ID, NULL },
#define CX(ID, fn) { PTS_OP_##ID, fn },
const PtsCxRow pts_cx_rows3[] = {
    CX(LOGSUMEXP, cx_LOGSUMEXP) CX(LOGSUMEXP_OUT, cx_LOGSUMEXP_OUT)
    /* composites of expand / index_select / narrow / mul / sub / cat */
    PASS(CROSS) PASS(LINALG_CROSS)
    CX(FLOAT_POWER_TENSOR_TENSOR, cx_FLOAT_POWER) CX(FLOAT_POWER_TENSOR_SCALAR, cx_FLOAT_POWER)
    CX(FLOAT_POWER_SCALAR, cx_FLOAT_POWER) CX(FLOAT_POWER__TENSOR, cx_FLOAT_POWER_) CX(FLOAT_POWER__SCALAR, cx_FLOAT_POWER_)
    CX(FLOAT_POWER_TENSOR_TENSOR_OUT, cx_FLOAT_POWER_OUT) CX(FLOAT_POWER_SCALAR_OUT, cx_FLOAT_POWER_OUT)
    CX(FLOAT_POWER_TENSOR_SCALAR_OUT, cx_FLOAT_POWER_OUT)
    CX(DIV_TENSOR_MODE, cx_DIV_TENSOR_MODE) CX(DIV_SCALAR_MODE, cx_DIV_SCALAR_MODE) CX(DIV__TENSOR_MODE, cx_DIV__TENSOR_MODE)
    CX(DIV__SCALAR_MODE, cx_DIV__SCALAR_MODE) CX(DIV_OUT_MODE, cx_DIV_OUT_MODE) CX(DIV_SCALAR_MODE_OUT, cx_DIV_SCALAR_MODE_OUT)
    CX(LINALG_CHOLESKY_EX, cx_LINALG_CHOLESKY_EX) CX(LINALG_CHOLESKY, cx_LINALG_CHOLESKY) CX(CHOLESKY, cx_CHOLESKY)
    CX(CONSTANT_PAD_ND, cx_CONSTANT_PAD_ND) CX(LINSPACE, cx_LINSPACE) CX(LINSPACE_OUT, cx_LINSPACE_OUT)
    { -1, NULL },
};
