/* k_complex_tensor2.c: the second set of complex64 / complex128 kernels (pts_cx_rows2, read by
 * complex_guard.c next to k_complex_tensor.c's table): the rest of the unary math family,
 * predicates, where / masked_fill, element moves with a complex fill value, scans, products,
 * var/std, the BLAS-shaped products and LAPACK-backed linalg. Formulas follow c10's complex
 * math where torch's differs from a plain <complex.h> call (log1p, expm1, sgn). */
#include <complex.h>
#include <stdio.h>

#include "complex_loops.h"
#include "lapack.h"

/* ================= unary complex -> complex ================= */

/* c10's log1p: accurate near 0, where clog(1 + z) loses the digits of a small z */
#define LOG1P_C(T, z, LOG1P, LOG, HYPOT, ATAN2, ABS)                                           \
    ({                                                                                         \
        T x_ = creal(z), y_ = cimag(z), th_ = ATAN2(y_, x_ + (T)1), re_;                       \
        if (ABS(z) < (T)0.5) {                                                                 \
            T r_ = x_ * ((T)2 + x_) + y_ * y_;                                                 \
            re_ = r_ == 0 ? x_ : (T)0.5 * LOG1P(r_);                                           \
        } else re_ = LOG(HYPOT(x_ + (T)1, y_));                                                \
        re_ + th_ * I;                                                                         \
    })
/* c10's expm1: (e^x - 1) cos y - 2 sin^2(y/2) + i e^x sin y */
#define EXPM1_C(T, z, EXPM1, EXP, SIN, COS)                                                    \
    ({                                                                                         \
        T x_ = creal(z), y_ = cimag(z), a_ = SIN(y_ / (T)2);                                   \
        (EXPM1(x_) * COS(y_) - (T)2 * a_ * a_) + (EXP(x_) * SIN(y_)) * I;                      \
    })
/* sgn: z / |z|, 0 at 0 */
#define SGN_C(T, z, ABS) ({ T a_ = ABS(z); a_ == 0 ? (__typeof__(z))0 : (z) / a_; })
/* sinc: sin(pi z) / (pi z), 1 at 0 */
#define SINC_C(T, z, SIN) ({ __typeof__(z) p_ = (z) * (T)M_PI; (z) == 0 ? (__typeof__(z))1 : SIN(p_) / p_; })

CX_UN(rsqrt, 1.0f / csqrtf(x), 1.0 / csqrt(x))
CX_UN(log10, clogf(x) / logf(10.0f), clog(x) / log(10.0))
CX_UN(log2, clogf(x) / logf(2.0f), clog(x) / log(2.0))
CX_UN(log1p, LOG1P_C(float, x, log1pf, logf, hypotf, atan2f, cabsf), LOG1P_C(double, x, log1p, log, hypot, atan2, cabs))
CX_UN(expm1, EXPM1_C(float, x, expm1f, expf, sinf, cosf), EXPM1_C(double, x, expm1, exp, sin, cos))
CX_UN(asin, casinf(x), casin(x))
CX_UN(acos, cacosf(x), cacos(x))
CX_UN(atan, catanf(x), catan(x))
CX_UN(sinh, csinhf(x), csinh(x))
CX_UN(cosh, ccoshf(x), ccosh(x))
CX_UN(asinh, casinhf(x), casinh(x))
CX_UN(acosh, cacoshf(x), cacosh(x))
CX_UN(atanh, catanhf(x), catanh(x))
CX_UN(square, x * x, x * x)
CX_UN(exp2, cexpf(x * logf(2.0f)), cexp(x * log(2.0)))
CX_UN(sgn, SGN_C(float, x, cabsf), SGN_C(double, x, cabs))
CX_UN(sinc, SINC_C(float, x, csinf), SINC_C(double, x, csin))

CX_UNOP(RSQRT, rsqrt, "rsqrt_cpu")
CX_UNOP(LOG10, log10, "log10_cpu")
CX_UNOP(LOG2, log2, "log2_cpu")
CX_UNOP(LOG1P, log1p, "log1p_cpu")
CX_UNOP(EXPM1, expm1, "expm1_cpu")
CX_UNOP(ASIN, asin, "asin_cpu")
CX_UNOP(ACOS, acos, "acos_cpu")
CX_UNOP(ATAN, atan, "atan_cpu")
CX_UNOP(SINH, sinh, "sinh_cpu")
CX_UNOP(COSH, cosh, "cosh_cpu")
CX_UNOP(ASINH, asinh, "asinh_cpu")
CX_UNOP(ACOSH, acosh, "acosh_cpu")
CX_UNOP(ATANH, atanh, "atanh_cpu")
CX_UNOP(SQUARE, square, "square_cpu")
CX_UNOP(EXP2, exp2, "exp2_cpu")
CX_UNOP(SGN, sgn, "sgn_cpu")
CX_UNOP(SINC, sinc, "sinc_cpu")

/* ================= predicates: complex -> bool ================= */
#define CX_PRED(OP, E64, E128) PTS_LOOP1(OP##_c64, cf, bool, E64) PTS_LOOP1(OP##_c128, cd, bool, E128)
CX_PRED(isnan, isnan(crealf(x)) || isnan(cimagf(x)), isnan(creal(x)) || isnan(cimag(x)))
CX_PRED(isinf, isinf(crealf(x)) || isinf(cimagf(x)), isinf(creal(x)) || isinf(cimag(x)))
CX_PRED(isfinite, isfinite(crealf(x)) && isfinite(cimagf(x)), isfinite(creal(x)) && isfinite(cimag(x)))
CX_PRED(isreal, cimagf(x) == 0, cimag(x) == 0)
#define CX_PREDOP(NAME, loop, kname)                                                           \
    static const PtsPwOp op_##NAME = { kname, PTS_PW_BOOL_OUT, { CX_T(loop) } };               \
    static PtsStatus cx_##NAME(PtsValue *a, PtsValue *o, PtsError *e) {                        \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, NULL, NULL, e, &r)); return pts_cx_ret1(o, r); }
CX_PREDOP(ISNAN, isnan, "isnan_cpu")
CX_PREDOP(ISINF, isinf, "isinf_cpu")
CX_PREDOP(ISFINITE, isfinite, "isfinite_cpu")
CX_PREDOP(ISREAL, isreal, "isreal_cpu")

/* nan_to_num on the real and imaginary parts separately, as torch's. The context carries nan (d),
 * posinf (d2) and neginf (its bits in i: the context has two double slots) */
static inline double nan_num(double v, const PtsPwCtx *c) {
    double neg;
    memcpy(&neg, &c->i, sizeof neg);
    return v != v ? c->d : v == INFINITY ? c->d2 : v == -INFINITY ? neg : v;
}
PTS_LOOP1(n2n_c64, cf, cf, (float)nan_num(crealf(x), c) + (float)nan_num(cimagf(x), c) * I)
PTS_LOOP1(n2n_c128, cd, cd, nan_num(creal(x), c) + nan_num(cimag(x), c) * I)
static const PtsPwOp op_n2n = { "nan_to_num", 0, { CX_T(n2n) } };
/* the bounds default to the real dtype's largest finite values */
static PtsStatus nan_to_num(PtsValue *a, PtsTensor *out, PtsError *e, PtsValue *o) {
    PtsTensor *t = a[0].u.t;
    double big = t->dtype == PTS_COMPLEX64 ? 3.4028234663852886e38 : 1.7976931348623157e308;
    PtsPwCtx c = { a[1].tag == PTS_V_DOUBLE ? a[1].u.d : 0.0, a[2].tag == PTS_V_DOUBLE ? a[2].u.d : big, 0, 0 };
    double neg = a[3].tag == PTS_V_DOUBLE ? a[3].u.d : -big;
    memcpy(&c.i, &neg, sizeof neg);
    PtsTensor *r;
    PTS_TRY(pts_unary(&op_n2n, t, out, &c, e, &r));
    return pts_cx_ret1(o, r);
}
static PtsStatus cx_NAN_TO_NUM(PtsValue *a, PtsValue *o, PtsError *e) { return nan_to_num(a, NULL, e, o); }
static PtsStatus cx_NAN_TO_NUM_(PtsValue *a, PtsValue *o, PtsError *e) { return nan_to_num(a, a[0].u.t, e, o); }
static PtsStatus cx_NAN_TO_NUM_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return nan_to_num(a, a[4].u.t, e, o); }

/* ================= where / masked_fill ================= */
PTS_LOOP3(where_c64, uint8_t, cf, cf, cf, x != 0 ? y : z)
PTS_LOOP3(where_c128, uint8_t, cd, cd, cd, x != 0 ? y : z)
static const PtsPwOp op_where = { "where_cpu", PTS_PW_STRICT_OUT, { CX_T(where) } };
static PtsStatus where_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsTensor *cond = a[0].u.t;
    PTS_CHECK(cond->dtype == PTS_BOOL || cond->dtype == PTS_UINT8, err, RUNTIME,
              "where expected condition to be a boolean tensor, but got a tensor with dtype %s",
              pts_pw_type_name(cond->dtype));
    PtsTensor *ts[3] = { cond, NULL, NULL }, *r = NULL;
    PtsStatus s;
    if ((s = pts_wrap_scalar(a[1], err, &ts[1])) || (s = pts_wrap_scalar(a[2], err, &ts[2]))) goto done;
    static const PtsDType in_dt[3] = { PTS_BOOL, PTS_DTYPE_INVALID, PTS_DTYPE_INVALID };
    PtsDType common = pts_result_type(ts + 1, 2);
    /* the guard sends only complex operands here, and a complex operand makes a complex result */
    PTS_CHECK(pts_dtype_is_complex(common), err, RUNTIME, "where: expected a complex operand");
    if ((s = pts_pointwise(&op_where, 3, ts, in_dt, common, out, NULL, err, &r))) goto done;
    *res = pts_vtensor(r);
done:
    pts_tensor_release(ts[1]);
    pts_tensor_release(ts[2]);
    return s;
}
static PtsStatus cx_WHERE(PtsValue *a, PtsValue *o, PtsError *e) { return where_impl(a, NULL, e, o); }
static PtsStatus cx_WHERE_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return where_impl(a, a[3].u.t, e, o); }

PTS_LOOP3(mfill_c64, cf, uint8_t, cf, cf, y != 0 ? z : x)
PTS_LOOP3(mfill_c128, cd, uint8_t, cd, cd, y != 0 ? z : x)
static const PtsPwOp op_mfill = { "masked_fill", 0, { CX_T(mfill) } };
static PtsStatus masked_fill_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsTensor *self = a[0].u.t, *mask = a[1].u.t;
    PtsValue value = a[2];
    PTS_CHECK(mask->dtype == PTS_BOOL, err, RUNTIME,
              "masked_fill_ only supports boolean masks, but got mask with dtype %s", pts_dtype_name(mask->dtype));
    PTS_CHECK(value.tag != PTS_V_TENSOR || value.u.t->ndim == 0, err, RUNTIME,
              "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with %d "
              "dimension(s).", value.tag == PTS_V_TENSOR ? value.u.t->ndim : 0);
    double re, im;
    PTS_CHECK(pts_cx_scalar_parts(value, &re, &im), err, TYPE, "masked_fill: value must be a number");
    PTS_TRY(pts_cx_check_real_target(self->dtype, im, err));
    if (!pts_dtype_is_complex(self->dtype)) {   /* a real self with a complex value of zero imaginary part */
        PtsValue b[3] = { a[0], a[1], pts_vdouble(re) };
        return out ? k_MASKED_FILL__SCALAR(b, res, err) : k_MASKED_FILL_SCALAR(b, res, err);
    }
    PtsTensor *ts[3] = { self, mask, NULL }, *r;
    PTS_TRY(pts_wrap_scalar(value, err, &ts[2]));
    static const PtsDType in_dt[3] = { PTS_DTYPE_INVALID, PTS_BOOL, PTS_DTYPE_INVALID };
    PtsStatus s = pts_pointwise(&op_mfill, 3, ts, in_dt, self->dtype, out, NULL, err, &r);
    pts_tensor_release(ts[2]);
    if (s) return s;
    return pts_cx_ret1(res, r);
}
static PtsStatus cx_MASKED_FILL(PtsValue *a, PtsValue *o, PtsError *e) { return masked_fill_impl(a, NULL, e, o); }
static PtsStatus cx_MASKED_FILL_(PtsValue *a, PtsValue *o, PtsError *e) { return masked_fill_impl(a, a[0].u.t, e, o); }

/* ================= shared helpers ================= */
/* A strided view of complex t's storage as its real dtype: (re, im) pairs as a trailing dim of 2
 * (part -1), or one part (0 real, 1 imaginary) with t's shape. */
static bool is_zero(PtsValue v) { double re, im; return pts_cx_scalar_parts(v, &re, &im) && re == 0 && im == 0; }
static bool is_one(PtsValue v) { double re, im; return pts_cx_scalar_parts(v, &re, &im) && re == 1 && im == 0; }
/* a 0-dim tensor as a one-element 1-d view (the part-view tricks need a dim to index) */
static PtsStatus as_1d(PtsTensor *t, PtsError *err, PtsTensor **out) {
    if (t->ndim) { *out = pts_tensor_retain(t); return PTS_OK; }
    int64_t one = 1;
    return pts_tensor_view(t, 1, &one, &one, t->offset, err, out);
}
static PtsStatus call1(PtsOpId id, int n, const PtsValue *a, PtsError *err, PtsTensor **r) {
    return pts_op_call_t(id, n, a, err, r);
}
static PtsStatus out_done(PtsTensor *r, PtsTensor *out, PtsError *err, PtsValue *o) {
    if (!out) return pts_cx_ret1(o, r);
    PtsStatus s = pts_out_assign(out, r, err);
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(out));
}
/* torch's cumsum/cumprod/var/std .out rows cast their result to out's dtype, whatever it is */
static PtsStatus out_done_cast(PtsTensor *r, PtsTensor *out, PtsError *err, PtsValue *o) {
    if (out && out->dtype != r->dtype) {
        PtsTensor *c;
        PtsStatus s = pts_tensor_to(r, out->dtype, false, err, &c);
        pts_tensor_release(r);
        PTS_TRY(s);
        r = c;
    }
    return out_done(r, out, err, o);
}

/* ================= products: four real products over the part views =================
 * (x.re y.re - x.im y.im) + i (x.re y.im + x.im y.re), each product the real row itself (BLAS). */
static PtsStatus cx_prod(PtsOpId id, PtsTensor *x, PtsTensor *y, PtsError *e, PtsTensor **res) {
    *res = NULL;
    if (x->dtype != y->dtype) {
        if (id == PTS_OP_DOT)
            return pts_fail(e, PTS_ERR_RUNTIME, "dot : expected both vectors to have same dtype, but found %s and %s",
                            pts_pw_type_name(x->dtype), pts_pw_type_name(y->dtype));
        return pts_fail(e, PTS_ERR_RUNTIME, "expected m1 and m2 to have the same dtype, but got: %s != %s",
                        pts_dtype_cpp_name(x->dtype), pts_dtype_cpp_name(y->dtype));
    }
    PtsTensor *p[4] = { NULL, NULL, NULL, NULL }, *r[4] = { NULL, NULL, NULL, NULL }, *t = NULL;
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 4 && !s; i++) s = pts_cx_real_view(i < 2 ? x : y, i % 2, e, &p[i]);
    static const int pairs[4][2] = { { 0, 2 }, { 1, 3 }, { 0, 3 }, { 1, 2 } };
    for (int i = 0; i < 4 && !s; i++) {
        PtsValue args[2] = { pts_vtensor(p[pairs[i][0]]), pts_vtensor(p[pairs[i][1]]) };
        s = call1(id, 2, args, e, &r[i]);
    }
    if (!s) s = pts_tensor_new(x->dtype, r[0]->ndim, r[0]->shape, e, &t);
    PtsTensor *re = NULL, *im = NULL;
    if (!s) s = pts_cx_real_view(t, 0, e, &re);
    if (!s) s = pts_cx_real_view(t, 1, e, &im);
    if (!s) { PtsValue a3[4] = { pts_vtensor(r[0]), pts_vtensor(r[1]), pts_vint(1), pts_vtensor(re) };
              PtsValue o = pts_none(); s = pts_op_call(PTS_OP_SUB_OUT, a3, &o, e); pts_value_release(&o); }
    if (!s) { PtsValue a3[4] = { pts_vtensor(r[2]), pts_vtensor(r[3]), pts_vint(1), pts_vtensor(im) };
              PtsValue o = pts_none(); s = pts_op_call(PTS_OP_ADD_OUT, a3, &o, e); pts_value_release(&o); }
    pts_tensor_release(re);
    pts_tensor_release(im);
    for (int i = 0; i < 4; i++) { pts_tensor_release(p[i]); pts_tensor_release(r[i]); }
    if (s) { pts_tensor_release(t); return s; }
    *res = t;
    return PTS_OK;
}
static PtsStatus prod2(PtsOpId id, PtsValue *a, PtsTensor *out, PtsError *e, PtsValue *o) {
    PtsTensor *r;
    PTS_TRY(cx_prod(id, a[0].u.t, a[1].u.t, e, &r));
    return out_done(r, out, e, o);
}
static PtsStatus cx_MM_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_MM, a, a[2].u.t, e, o); }
static PtsStatus cx_BMM_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_BMM, a, a[2].u.t, e, o); }
static PtsStatus cx_MATMUL_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_MATMUL, a, a[2].u.t, e, o); }
static PtsStatus cx_MV(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_MV, a, NULL, e, o); }
static PtsStatus cx_MV_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_MV, a, a[2].u.t, e, o); }
static PtsStatus cx_DOT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_DOT, a, NULL, e, o); }
static PtsStatus cx_DOT_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod2(PTS_OP_DOT, a, a[2].u.t, e, o); }
/* vdot conjugates its first argument */
static PtsStatus cx_VDOT(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *x = a[0].u.t, *c;
    PTS_CHECK(x->ndim == 1 && a[1].u.t->ndim == 1, e, RUNTIME,
              "1D tensors expected, but got %dD and %dD tensors", x->ndim, a[1].u.t->ndim);
    if (x->dtype != a[1].u.t->dtype)
        return pts_fail(e, PTS_ERR_RUNTIME, "vdot : expected both vectors to have same dtype, but found %s and %s",
                        pts_pw_type_name(x->dtype), pts_pw_type_name(a[1].u.t->dtype));
    /* through the registry, so that autograd records conj_physical and dot */
    PTS_TRY(call1(PTS_OP_CONJ_PHYSICAL, 1, a, e, &c));
    PtsValue b[2] = { pts_vtensor(c), a[1] };
    PtsStatus s = pts_op_call(PTS_OP_DOT, b, o, e);
    pts_tensor_release(c);
    return s;
}
/* outer(x, y) = x[:, None] * y, which promotes as torch's */
static PtsStatus outer(PtsValue *a, PtsTensor *out, PtsError *e, PtsValue *o) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t, *u, *r;
    PTS_CHECK(x->ndim == 1 && y->ndim == 1, e, RUNTIME, "outer: Expected 1-D argument self, but got %dD", x->ndim == 1 ? y->ndim : x->ndim);
    PtsValue ua[2] = { a[0], pts_vint(1) };
    PTS_TRY(call1(PTS_OP_UNSQUEEZE, 2, ua, e, &u));
    PtsValue ma[2] = { pts_vtensor(u), a[1] };
    PtsStatus s = call1(PTS_OP_MUL_TENSOR, 2, ma, e, &r);
    pts_tensor_release(u);
    if (s) return s;
    return out_done(r, out, e, o);
}
static PtsStatus cx_OUTER(PtsValue *a, PtsValue *o, PtsError *e) { return outer(a, NULL, e, o); }
static PtsStatus cx_OUTER_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return outer(a, a[2].u.t, e, o); }

/* beta * self + alpha * prod (beta == 0: self only gives its shape), then new / in place / out= */
static PtsStatus add_scaled(PtsTensor *self, PtsTensor *p, PtsValue beta, PtsValue alpha, PtsTensor *out,
                            bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *r = NULL, *t = NULL;
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    char b1[128], b2[128];
    PtsStatus s = pts_broadcast_shapes(self->ndim, self->shape, p->ndim, p->shape, &nd, shape, e);
    if (!s && (nd != p->ndim || memcmp(shape, p->shape, sizeof(int64_t) * (size_t)nd) != 0))
        s = pts_fail(e, PTS_ERR_RUNTIME, "The size of tensor self %s must be broadcastable to the result %s",
                     pts_shape_str(self->ndim, self->shape, b1, sizeof b1), pts_shape_str(p->ndim, p->shape, b2, sizeof b2));
    if (!s && inplace && (self->ndim != p->ndim || memcmp(self->shape, p->shape, sizeof(int64_t) * (size_t)p->ndim) != 0))
        s = pts_fail(e, PTS_ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s",
                     pts_shape_str(self->ndim, self->shape, b1, sizeof b1), pts_shape_str(p->ndim, p->shape, b2, sizeof b2));
    if (s) { pts_tensor_release(p); return s; }
    if (is_one(alpha)) r = p;
    else {
        PtsValue ma[2] = { pts_vtensor(p), alpha };
        s = call1(PTS_OP_MUL_SCALAR, 2, ma, e, &r);
        pts_tensor_release(p);
        if (s) return s;
    }
    if (!is_zero(beta)) {
        PtsValue ma[2] = { pts_vtensor(self), beta };
        if (!(s = call1(PTS_OP_MUL_SCALAR, 2, ma, e, &t))) {
            PtsValue aa[3] = { pts_vtensor(t), pts_vtensor(r), pts_vint(1) };
            PtsTensor *q;
            s = call1(PTS_OP_ADD_TENSOR, 3, aa, e, &q);
            pts_tensor_release(t);
            if (!s) { pts_tensor_release(r); r = q; }
        }
        if (s) { pts_tensor_release(r); return s; }
    }
    if (inplace) {
        s = pts_tensor_copy_(self, r, e);
        pts_tensor_release(r);
        if (s) return s;
        return pts_cx_ret1(o, pts_tensor_retain(self));
    }
    return out_done(r, out, e, o);
}
/* the three operands of an addmm-like row share one dtype in torch */
static PtsStatus same3(PtsTensor *a, PtsTensor *b, PtsTensor *c, PtsError *e) {
    if (a->dtype == b->dtype && b->dtype == c->dtype) return PTS_OK;
    PtsTensor *o = a->dtype != b->dtype ? b : c;
    return pts_fail(e, PTS_ERR_RUNTIME, "self and mat2 must have the same dtype, but got %s and %s",
                    pts_pw_type_name(a->dtype), pts_pw_type_name(o->dtype));
}
enum { K_MM, K_MV, K_BMM, K_ADDBMM, K_OUTER };
static PtsStatus addx(int kind, PtsValue *a, PtsTensor *out, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *self = a[0].u.t, *m1 = a[1].u.t, *m2 = a[2].u.t, *p = NULL;
    if (kind != K_OUTER) PTS_TRY(same3(self, m1, m2, e));
    PtsStatus s;
    if (kind == K_MM) {
        PTS_CHECK(m1->ndim == 2 && m2->ndim == 2, e, RUNTIME, "mat1 must be a matrix, got %d-D tensor", m1->ndim);
        s = cx_prod(PTS_OP_MM, m1, m2, e, &p);
    } else if (kind == K_MV) s = cx_prod(PTS_OP_MV, m1, m2, e, &p);
    else if (kind == K_OUTER) {
        PTS_CHECK(m1->ndim == 1, e, RUNTIME, "addr: Expected 1-D argument vec1, but got %d-D", m1->ndim);
        PTS_CHECK(m2->ndim == 1, e, RUNTIME, "addr: Expected 1-D argument vec2, but got %d-D", m2->ndim);
        PtsValue r = pts_none();
        s = outer(a + 1, NULL, e, &r);
        p = r.u.t;
    } else {
        PTS_CHECK(m1->ndim == 3, e, RUNTIME, "batch1 must be a 3D tensor");
        PTS_CHECK(m2->ndim == 3, e, RUNTIME, "batch2 must be a 3D tensor");
        s = cx_prod(PTS_OP_BMM, m1, m2, e, &p);
        if (!s && kind == K_ADDBMM) {
            int64_t zero = 0;
            PtsValue dl;
            PtsTensor *q;
            if (!(s = pts_int_list_new(&zero, 1, e, &dl))) {
                PtsValue sa[4] = { pts_vtensor(p), dl, pts_vbool(false), pts_none() };
                s = call1(PTS_OP_SUM_DIM_INTLIST, 4, sa, e, &q);
                pts_value_release(&dl);
                pts_tensor_release(p);
                p = s ? NULL : q;
            }
        }
    }
    if (s) return s;
    return add_scaled(self, p, a[3], a[4], out, inplace, e, o);
}
static PtsStatus cx_ADDMM(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MM, a, NULL, false, e, o); }
static PtsStatus cx_ADDMM_(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MM, a, NULL, true, e, o); }
static PtsStatus cx_ADDMM_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MM, a, a[5].u.t, false, e, o); }
static PtsStatus cx_ADDMV(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MV, a, NULL, false, e, o); }
static PtsStatus cx_ADDMV_(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MV, a, NULL, true, e, o); }
static PtsStatus cx_ADDMV_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_MV, a, a[5].u.t, false, e, o); }
static PtsStatus cx_BADDBMM(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_BMM, a, NULL, false, e, o); }
static PtsStatus cx_ADDBMM(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_ADDBMM, a, NULL, false, e, o); }
static PtsStatus cx_ADDBMM_(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_ADDBMM, a, NULL, true, e, o); }
static PtsStatus cx_ADDR(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_OUTER, a, NULL, false, e, o); }
static PtsStatus cx_ADDR_(PtsValue *a, PtsValue *o, PtsError *e) { return addx(K_OUTER, a, NULL, true, e, o); }

/* ================= isclose / allclose ================= */
#define ISCLOSE_C(x, y, ABS, ISNAN, RE, IM)                                                    \
    ({                                                                                         \
        __typeof__(RE(x)) ae_ = ABS((x) - (y));                                                \
        (x) == (y) || (c->i && (ISNAN(RE(x)) || ISNAN(IM(x))) && (ISNAN(RE(y)) || ISNAN(IM(y)))) || \
            (isfinite(ae_) && ae_ <= (__typeof__(ae_))c->d2 + ABS((__typeof__(ae_))c->d * (y)));  \
    })
PTS_LOOP2(isclose_c64, cf, bool, ISCLOSE_C(x, y, cabsf, isnan, crealf, cimagf))
PTS_LOOP2(isclose_c128, cd, bool, ISCLOSE_C(x, y, cabs, isnan, creal, cimag))
static const PtsPwOp op_isclose = { "isclose", PTS_PW_BOOL_OUT, { CX_T(isclose) } };
static PtsStatus isclose(PtsValue *a, PtsError *e, PtsTensor **r) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t;
    PTS_CHECK(x->dtype == y->dtype, e, RUNTIME, "%s(): expected self and other to have the same dtype, but got %s and %s",
              "isclose", pts_pw_type_name(x->dtype), pts_pw_type_name(y->dtype));
    double rtol = a[2].u.d, atol = a[3].u.d;
    PTS_CHECK(rtol >= 0, e, RUNTIME, "rtol must be greater than or equal to zero, but got %g", rtol);
    PTS_CHECK(atol >= 0, e, RUNTIME, "atol must be greater than or equal to zero, but got %g", atol);
    PtsPwCtx c = { rtol, atol, a[4].u.b, 0 };
    return pts_binary(&op_isclose, x, y, NULL, &c, e, r);
}
static PtsStatus cx_ISCLOSE(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *r;
    PTS_TRY(isclose(a, e, &r));
    return pts_cx_ret1(o, r);
}
static PtsStatus cx_ALLCLOSE(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *r;
    PTS_TRY(isclose(a, e, &r));
    const bool *b = (const bool *)pts_tensor_data(r);
    bool all = true;
    for (int64_t i = 0, n = pts_numel(r); i < n && all; i++) all = b[i];
    pts_tensor_release(r);
    o[0] = pts_vbool(all);
    return PTS_OK;
}

/* ================= truth tests: through a bool copy (nonzero = either part nonzero) ========= */
static PtsStatus via_bool(PtsKernel k, int nargs, PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t, *b;
    if (!pts_dtype_is_complex(t->dtype)) return k(a, o, e);
    PTS_TRY(pts_tensor_to(t, PTS_BOOL, false, e, &b));
    PtsValue args[PTS_MAX_ARGS];
    memcpy(args, a, sizeof(PtsValue) * (size_t)nargs);
    args[0] = pts_vtensor(b);
    PtsStatus s = k(args, o, e);
    pts_tensor_release(b);
    return s;
}
#define VIA_BOOL(ID) static PtsStatus cx_##ID(PtsValue *a, PtsValue *o, PtsError *e) { return via_bool(k_##ID, pts_op_info[PTS_OP_##ID].schema.nargs, a, o, e); }
VIA_BOOL(ANY) VIA_BOOL(ANY_DIM) VIA_BOOL(ANY_DIMS) VIA_BOOL(ANY_OUT) VIA_BOOL(ANY_ALL_OUT) VIA_BOOL(ANY_DIMS_OUT)
VIA_BOOL(ALL) VIA_BOOL(ALL_DIM) VIA_BOOL(ALL_DIMS) VIA_BOOL(ALL_OUT) VIA_BOOL(ALL_ALL_OUT) VIA_BOOL(ALL_DIMS_OUT)
VIA_BOOL(NONZERO) VIA_BOOL(NONZERO_NUMPY) VIA_BOOL(COUNT_NONZERO) VIA_BOOL(COUNT_NONZERO_DIM_INTLIST)
VIA_BOOL(LOGICAL_NOT) VIA_BOOL(LOGICAL_NOT_OUT)

/* ================= scans and products along a dim =================
 * The dim is moved last in a contiguous copy; rows are scanned / multiplied in complex128. */
static PtsStatus dim_last(PtsTensor *t, int d, PtsError *e, PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < t->ndim; i++) if (i != d) { shape[k] = t->shape[i]; st[k++] = t->strides[i]; }
    if (t->ndim) { shape[k] = t->shape[d]; st[k++] = t->strides[d]; }
    PtsTensor *v;
    PTS_TRY(pts_tensor_view(t, k, shape, st, t->offset, e, &v));
    PtsStatus s = pts_tensor_to(v, v->dtype, true, e, out);
    pts_tensor_release(v);
    return s;
}
static PtsStatus scan(PtsValue *a, bool prod, PtsTensor *out, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *t = a[0].u.t;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, t->ndim, e, &d));
    PtsDType want = a[2].tag == PTS_V_INT ? (PtsDType)a[2].u.i : t->dtype;
    if (!pts_dtype_is_complex(want)) {   /* a real dtype=: torch casts first (imag dropped) */
        PtsTensor *c;
        PTS_TRY(pts_tensor_to(t, want, false, e, &c));
        PtsValue b[4] = { pts_vtensor(c), a[1], a[2], a[3] };
        PtsStatus s = inplace ? pts_fail(e, PTS_ERR_RUNTIME, "%s_(): dtype %s cannot hold a complex result",
                                         prod ? "cumprod" : "cumsum", pts_pw_type_name(want))
                    : (prod ? (out ? k_CUMPROD_OUT : k_CUMPROD) : (out ? k_CUMSUM_OUT : k_CUMSUM))(b, o, e);
        pts_tensor_release(c);
        return s;
    }
    PtsTensor *src, *c;
    PTS_TRY(pts_tensor_to(t, want, false, e, &src));
    PtsStatus s = dim_last(src, d, e, &c);
    pts_tensor_release(src);
    PTS_TRY(s);
    int64_t n = c->ndim ? c->shape[c->ndim - 1] : 1, rows = n ? pts_numel(c) / n : 0;
    size_t isz = pts_dtype_size(want);
    char *p = pts_tensor_data(c);
    for (int64_t r = 0; r < rows; r++) {
        double _Complex acc = prod ? 1 : 0;
        for (int64_t j = 0; j < n; j++) {
            char *q = p + (size_t)(r * n + j) * isz;
            double re, im;
            pts_load_c128(want, q, &re, &im);
            if (prod) acc *= re + im * I; else acc += re + im * I;
            if (want == PTS_COMPLEX64) {   /* torch accumulates complex64 in complex64 */
                acc = (float _Complex)acc;
            }
            pts_store_c128(want, q, creal(acc), cimag(acc));
        }
    }
    /* back to t's dim order: c holds dims (others..., d) */
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < t->ndim; i++) if (i != d) { shape[i] = c->shape[k]; st[i] = c->strides[k++]; }
    if (t->ndim) { shape[d] = c->shape[k]; st[d] = c->strides[k]; }
    PtsTensor *v, *r;
    s = pts_tensor_view(c, t->ndim, shape, st, c->offset, e, &v);
    pts_tensor_release(c);
    PTS_TRY(s);
    s = pts_tensor_to(v, want, true, e, &r);
    pts_tensor_release(v);
    PTS_TRY(s);
    if (inplace) {
        s = pts_tensor_copy_(t, r, e);
        pts_tensor_release(r);
        if (s) return s;
        return pts_cx_ret1(o, pts_tensor_retain(t));
    }
    return out_done_cast(r, out, e, o);
}
static PtsStatus cx_CUMSUM(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, false, NULL, false, e, o); }
static PtsStatus cx_CUMSUM_(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, false, NULL, true, e, o); }
static PtsStatus cx_CUMSUM_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, false, a[3].u.t, false, e, o); }
static PtsStatus cx_CUMPROD(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, true, NULL, false, e, o); }
static PtsStatus cx_CUMPROD_(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, true, NULL, true, e, o); }
static PtsStatus cx_CUMPROD_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return scan(a, true, a[3].u.t, false, e, o); }

/* prod over all elements (dim < 0) or one dim */
static PtsStatus prod(PtsTensor *t, int64_t dim, bool all, bool keep, PtsValue dt, PtsTensor *out, PtsError *e,
                      PtsValue *o) {
    PtsDType want = dt.tag == PTS_V_INT ? (PtsDType)dt.u.i : t->dtype;
    if (!pts_dtype_is_complex(want)) {
        PtsTensor *c;
        PTS_TRY(pts_tensor_to(t, want, false, e, &c));
        PtsStatus s;
        if (all) { PtsValue b[2] = { pts_vtensor(c), dt }; s = k_PROD(b, o, e); }
        else if (!out) { PtsValue b[4] = { pts_vtensor(c), pts_vint(dim), pts_vbool(keep), dt }; s = k_PROD_DIM_INT(b, o, e); }
        else { PtsValue b[5] = { pts_vtensor(c), pts_vint(dim), pts_vbool(keep), dt, pts_vtensor(out) }; s = k_PROD_INT_OUT(b, o, e); }
        pts_tensor_release(c);
        return s;
    }
    int d = 0;
    if (!all) PTS_TRY(pts_wrap_dim(dim, t->ndim, e, &d));
    PtsTensor *src, *c;
    PTS_TRY(pts_tensor_to(t, want, false, e, &src));
    PtsStatus s;
    if (all) s = pts_tensor_to(src, want, true, e, &c);   /* contiguous: one row of numel */
    else s = dim_last(src, d, e, &c);
    pts_tensor_release(src);
    PTS_TRY(s);
    int64_t n = all ? pts_numel(c) : (c->ndim ? c->shape[c->ndim - 1] : 1), rows = all ? 1 : (n ? pts_numel(c) / n : 0);
    int64_t rshape[PTS_MAX_DIMS];
    int rnd = 0;
    if (!all) {
        for (int i = 0; i < t->ndim; i++) {
            if (i != d) rshape[rnd++] = t->shape[i];
            else if (keep) rshape[rnd++] = 1;
        }
        if (n == 0) rows = pts_shape_numel(rnd, rshape);
    }
    PtsTensor *r;
    s = pts_tensor_new(want, rnd, rshape, e, &r);
    if (s) { pts_tensor_release(c); return s; }
    size_t isz = pts_dtype_size(want);
    const char *p = pts_tensor_data(c);
    char *q = pts_tensor_data(r);
    for (int64_t i = 0; i < rows; i++) {
        double _Complex acc = 1;
        for (int64_t j = 0; j < n; j++) {
            double re, im;
            pts_load_c128(want, p + (size_t)(i * n + j) * isz, &re, &im);
            acc *= re + im * I;
            if (want == PTS_COMPLEX64) acc = (float _Complex)acc;
        }
        pts_store_c128(want, q + (size_t)i * isz, creal(acc), cimag(acc));
    }
    pts_tensor_release(c);
    return out_done(r, out, e, o);
}
static PtsStatus cx_PROD(PtsValue *a, PtsValue *o, PtsError *e) { return prod(a[0].u.t, 0, true, false, a[1], NULL, e, o); }
static PtsStatus cx_PROD_DIM_INT(PtsValue *a, PtsValue *o, PtsError *e) { return prod(a[0].u.t, a[1].u.i, false, a[2].u.b, a[3], NULL, e, o); }
static PtsStatus cx_PROD_INT_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return prod(a[0].u.t, a[1].u.i, false, a[2].u.b, a[3], a[4].u.t, e, o); }

/* ================= var / std: var(z) = var(re) + var(im), a real result ================= */
/* row: the real row of the same arguments (VAR_*); std takes the square root; mean_id: the
 * complex mean of *_MEAN rows (MEAN_DIM over the same dims), -1 none */
static PtsStatus var_std(PtsOpId row, int nargs, bool sqrt_, bool with_mean, PtsValue *a, PtsTensor *out,
                         PtsError *e, PtsValue *o) {
    PtsTensor *t = a[0].u.t, *re = NULL, *im = NULL, *vr = NULL, *vi = NULL, *v = NULL, *m = NULL;
    if (with_mean) {
        /* the var / std row and the mean through the registry, so that autograd records both */
        PtsOpId vrow = !sqrt_ ? row : row == PTS_OP_VAR ? PTS_OP_STD : row == PTS_OP_VAR_DIM ? PTS_OP_STD_DIM
                                                                                               : PTS_OP_STD_CORRECTION;
        PtsStatus s = call1(vrow, nargs, a, e, &v);
        PtsValue ma[4] = { a[0], nargs == 2 ? pts_none() : a[1], pts_vbool(nargs == 2 ? false : a[3].u.b), pts_none() };
        if (!s) s = call1(PTS_OP_MEAN_DIM, 4, ma, e, &m);
        if (s) { pts_tensor_release(v); return s; }
        o[0] = pts_vtensor(v);
        o[1] = pts_vtensor(m);
        return PTS_OK;
    }
    PtsStatus s = pts_cx_real_view(t, 0, e, &re);
    if (!s) s = pts_cx_real_view(t, 1, e, &im);
    PtsValue b[8];
    memcpy(b, a, sizeof(PtsValue) * (size_t)nargs);
    if (!s) { b[0] = pts_vtensor(re); s = call1(row, nargs, b, e, &vr); }
    if (!s) { b[0] = pts_vtensor(im); s = call1(row, nargs, b, e, &vi); }
    if (!s) { PtsValue aa[3] = { pts_vtensor(vr), pts_vtensor(vi), pts_vint(1) }; s = call1(PTS_OP_ADD_TENSOR, 3, aa, e, &v); }
    if (!s && sqrt_) {
        PtsTensor *q;
        PtsValue sa[1] = { pts_vtensor(v) };
        s = call1(PTS_OP_SQRT, 1, sa, e, &q);
        pts_tensor_release(v);
        v = s ? NULL : q;
    }
    pts_tensor_release(re); pts_tensor_release(im); pts_tensor_release(vr); pts_tensor_release(vi);
    if (s) { pts_tensor_release(v); return s; }
    return out_done_cast(v, out, e, o);
}
static PtsStatus cx_VAR(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR, 2, false, false, a, NULL, e, o); }
static PtsStatus cx_VAR_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, false, false, a, NULL, e, o); }
static PtsStatus cx_VAR_CORRECTION(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, false, false, a, NULL, e, o); }
static PtsStatus cx_VAR_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, false, false, a, a[4].u.t, e, o); }
static PtsStatus cx_VAR_CORRECTION_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, false, false, a, a[4].u.t, e, o); }
static PtsStatus cx_STD(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR, 2, true, false, a, NULL, e, o); }
static PtsStatus cx_STD_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, true, false, a, NULL, e, o); }
static PtsStatus cx_STD_CORRECTION(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, true, false, a, NULL, e, o); }
static PtsStatus cx_STD_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, true, false, a, a[4].u.t, e, o); }
static PtsStatus cx_STD_CORRECTION_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, true, false, a, a[4].u.t, e, o); }
static PtsStatus cx_VAR_MEAN(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR, 2, false, true, a, NULL, e, o); }
static PtsStatus cx_VAR_MEAN_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, false, true, a, NULL, e, o); }
static PtsStatus cx_VAR_MEAN_CORRECTION(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, false, true, a, NULL, e, o); }
static PtsStatus cx_STD_MEAN(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR, 2, true, true, a, NULL, e, o); }
static PtsStatus cx_STD_MEAN_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_DIM, 4, true, true, a, NULL, e, o); }
static PtsStatus cx_STD_MEAN_CORRECTION(PtsValue *a, PtsValue *o, PtsError *e) { return var_std(PTS_OP_VAR_CORRECTION, 4, true, true, a, NULL, e, o); }

/* ================= scatter / index_put with complex values ================= */
/* value (a number) as a 0-dim tensor of dtype d expanded to shape (stride 0) */
static PtsStatus value_expanded(PtsValue v, PtsDType d, int nd, const int64_t *shape, PtsError *e, PtsTensor **out) {
    double re, im;
    PTS_CHECK(pts_cx_scalar_parts(v, &re, &im), e, TYPE, "scatter(): expected a number as value");
    PTS_TRY(pts_cx_check_real_target(d, im, e));
    PtsTensor *z;
    PTS_TRY(pts_tensor_new(d, 0, NULL, e, &z));
    pts_store_c128(d, pts_tensor_data(z), re, im);
    int64_t st[PTS_MAX_DIMS] = { 0 };
    PtsStatus s = pts_tensor_view(z, nd, shape, st, 0, e, out);
    pts_tensor_release(z);
    return s;
}
static PtsStatus scatter_value(PtsValue *a, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *self = a[0].u.t, *index = a[2].u.t, *src;
    PTS_TRY(value_expanded(a[3], self->dtype, index->ndim, index->shape, e, &src));
    PtsValue b[4] = { a[0], a[1], a[2], pts_vtensor(src) };
    PtsStatus s = inplace ? k_SCATTER__SRC(b, o, e) : k_SCATTER_SRC(b, o, e);
    pts_tensor_release(src);
    return s;
}
static bool wrapped(PtsValue v) { return v.tag == PTS_V_TENSOR && (v.u.t->flags & PTS_TF_WRAPPED_NUMBER); }
static PtsStatus cx_SCATTER_VALUE(PtsValue *a, PtsValue *o, PtsError *e) { return scatter_value(a, false, e, o); }
static PtsStatus cx_SCATTER__VALUE(PtsValue *a, PtsValue *o, PtsError *e) { return scatter_value(a, true, e, o); }
static PtsStatus cx_SCATTER_SRC(PtsValue *a, PtsValue *o, PtsError *e) {
    return wrapped(a[3]) ? scatter_value(a, false, e, o) : k_SCATTER_SRC(a, o, e);
}
static PtsStatus cx_SCATTER__SRC(PtsValue *a, PtsValue *o, PtsError *e) {
    return wrapped(a[3]) ? scatter_value(a, true, e, o) : k_SCATTER__SRC(a, o, e);
}
/* scatter_add on the (re, im) views: the index gains a trailing dim of 2 (stride 0) */
static PtsStatus scatter_add(PtsValue *a, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *self = a[0].u.t, *index = a[2].u.t, *src = a[3].u.t;
    if (!pts_dtype_is_complex(self->dtype) || src->dtype != self->dtype || index->dtype != PTS_INT64)
        return inplace ? k_SCATTER_ADD_(a, o, e) : k_SCATTER_ADD(a, o, e);   /* its own errors */
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, e, &d));
    PtsTensor *target, *s1 = NULL, *i1 = NULL, *r1 = NULL, *sv = NULL, *rv = NULL, *iv = NULL;
    if (inplace) target = pts_tensor_retain(self);
    else PTS_TRY(pts_tensor_to(self, self->dtype, true, e, &target));
    PtsStatus s = as_1d(target, e, &s1);
    if (!s) s = as_1d(index, e, &i1);
    if (!s) s = as_1d(src, e, &r1);
    if (!s && i1->ndim != s1->ndim)
        s = pts_fail(e, PTS_ERR_RUNTIME, "Index tensor must have the same number of dimensions as self tensor");
    if (!s) s = pts_cx_real_view(s1, -1, e, &sv);
    if (!s) s = pts_cx_real_view(r1, -1, e, &rv);
    if (!s) {
        int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
        int nd = i1->ndim;
        memcpy(shape, i1->shape, sizeof(int64_t) * (size_t)nd);
        memcpy(st, i1->strides, sizeof(int64_t) * (size_t)nd);
        shape[nd] = 2;
        st[nd] = 0;
        s = pts_tensor_view(i1, nd + 1, shape, st, i1->offset, e, &iv);
    }
    if (!s) {
        PtsValue b[4] = { pts_vtensor(sv), pts_vint(d), pts_vtensor(iv), pts_vtensor(rv) }, r = pts_none();
        s = k_SCATTER_ADD_(b, &r, e);
        pts_value_release(&r);
    }
    pts_tensor_release(s1); pts_tensor_release(i1); pts_tensor_release(r1);
    pts_tensor_release(sv); pts_tensor_release(rv); pts_tensor_release(iv);
    if (s) { pts_tensor_release(target); return s; }
    return pts_cx_ret1(o, target);
}
static PtsStatus cx_SCATTER_ADD(PtsValue *a, PtsValue *o, PtsError *e) { return scatter_add(a, false, e, o); }
static PtsStatus cx_SCATTER_ADD_(PtsValue *a, PtsValue *o, PtsError *e) { return scatter_add(a, true, e, o); }

/* index_put_ on the (re, im) views of a complex self; a one-element value under a single mask
 * converts to self's dtype first, as torch's masked-fill path does */
static bool one_mask(PtsValue ilist) {
    if (ilist.tag != PTS_V_LIST) return false;
    const PtsList *l = pts_as_list(ilist);
    int masks = 0;
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].tag != PTS_V_TENSOR) continue;
        PtsDType d = l->items[i].u.t->dtype;
        if (d != PTS_BOOL && d != PTS_UINT8) return false;
        masks++;
    }
    return masks == 1;
}
static PtsStatus index_put(PtsTensor *self, PtsValue *a, PtsError *e) {
    PtsTensor *v = a[2].u.t, *vc = NULL, *sv = NULL, *vv = NULL;
    bool acc = a[3].u.b;
    int n = a[1].tag == PTS_V_LIST ? (int)pts_as_list(a[1])->len : 0;
    PTS_CHECK(n <= self->ndim, e, INDEX, "too many indices for tensor of dimension %d (got %d)", self->ndim, n);
    bool fill = !acc && pts_numel(v) == 1 && one_mask(a[1]);
    PtsValue r = pts_none();
    PtsStatus s;
    if (v->dtype != self->dtype && !fill) {   /* the real kernel's dtype error */
        PtsValue b[4] = { pts_vtensor(self), a[1], a[2], a[3] };
        s = k_INDEX_PUT_(b, &r, e);
        pts_value_release(&r);
        return s;
    }
    if (fill && v->dtype != self->dtype) {
        double re, im;
        pts_load_c128(v->dtype, pts_tensor_data(v), &re, &im);
        PTS_TRY(pts_cx_check_real_target(self->dtype, im, e));
        PTS_TRY(pts_tensor_to(v, self->dtype, false, e, &vc));
    } else vc = pts_tensor_retain(v);
    if (!pts_dtype_is_complex(self->dtype)) {
        PtsValue b[4] = { pts_vtensor(self), a[1], pts_vtensor(vc), a[3] };
        s = k_INDEX_PUT_(b, &r, e);
    } else {
        s = pts_cx_real_view(self, -1, e, &sv);
        if (!s) s = pts_cx_real_view(vc, -1, e, &vv);
        if (!s) {
            PtsValue b[4] = { pts_vtensor(sv), a[1], pts_vtensor(vv), a[3] };
            s = k_INDEX_PUT_(b, &r, e);
        }
    }
    pts_value_release(&r);
    pts_tensor_release(vc); pts_tensor_release(sv); pts_tensor_release(vv);
    return s;
}
static PtsStatus cx_INDEX_PUT_(PtsValue *a, PtsValue *o, PtsError *e) {
    PTS_TRY(index_put(a[0].u.t, a, e));
    return pts_cx_ret1(o, pts_tensor_retain(a[0].u.t));
}
static PtsStatus cx_INDEX_PUT(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *c;
    PTS_TRY(pts_tensor_to(a[0].u.t, a[0].u.t->dtype, true, e, &c));
    PtsStatus s = index_put(c, a, e);
    if (s) { pts_tensor_release(c); return s; }
    return pts_cx_ret1(o, c);
}

/* ================= norms: the real norm of |z| ================= */
/* a[0] replaced by abs(a[0]) (real), the row's own kernel called on it; a complex dtype= is
 * refused as torch does for norms */
static PtsStatus via_abs(PtsKernel k, int nargs, PtsValue *a, PtsValue *o, PtsError *e) {
    PtsValue args[PTS_MAX_ARGS];
    memcpy(args, a, sizeof(PtsValue) * (size_t)nargs);
    PtsTensor *ab[2] = { NULL, NULL };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 2 && i < nargs && !s; i++)
        if (a[i].tag == PTS_V_TENSOR && pts_dtype_is_complex(a[i].u.t->dtype)) {
            PtsValue aa[1] = { a[i] };
            if (!(s = call1(PTS_OP_ABS, 1, aa, e, &ab[i]))) args[i] = pts_vtensor(ab[i]);
        }
    if (!s) s = k(args, o, e);
    pts_tensor_release(ab[0]);
    pts_tensor_release(ab[1]);
    return s;
}
#define VIA_ABS(ID) static PtsStatus cx_##ID(PtsValue *a, PtsValue *o, PtsError *e) { return via_abs(k_##ID, pts_op_info[PTS_OP_##ID].schema.nargs, a, o, e); }
VIA_ABS(LINALG_VECTOR_NORM) VIA_ABS(NORM_SCALAR) VIA_ABS(NORM_SCALAROPT_DIM)
/* dist(x, y, p) = norm(x - y, p) */
static PtsStatus cx_DIST(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *d;
    PtsValue sa[3] = { a[0], a[1], pts_vint(1) };
    PTS_TRY(call1(PTS_OP_SUB_TENSOR, 3, sa, e, &d));
    PtsValue na[2] = { pts_vtensor(d), a[2] };
    PtsStatus s = via_abs(k_NORM_SCALAR, 2, na, o, e);
    pts_tensor_release(d);
    return s;
}

/* ================= addcmul / addcdiv / lerp: composites of complex arithmetic ============= */
static PtsStatus addc(bool div, PtsValue *a, PtsTensor *out, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *q = NULL, *w = NULL, *r = NULL;
    PtsValue ta[2] = { a[1], a[2] };
    PtsStatus s = call1(div ? PTS_OP_DIV_TENSOR : PTS_OP_MUL_TENSOR, 2, ta, e, &q);
    if (!s) { PtsValue ma[2] = { pts_vtensor(q), a[3] }; s = call1(PTS_OP_MUL_SCALAR, 2, ma, e, &w); }
    if (!s) {
        if (inplace) {
            PtsValue aa[3] = { a[0], pts_vtensor(w), pts_vint(1) };
            s = call1(PTS_OP_ADD__TENSOR, 3, aa, e, &r);
        } else {
            PtsValue aa[3] = { a[0], pts_vtensor(w), pts_vint(1) };
            s = call1(PTS_OP_ADD_TENSOR, 3, aa, e, &r);
        }
    }
    pts_tensor_release(q);
    pts_tensor_release(w);
    if (s) return s;
    return out_done(r, out, e, o);
}
static PtsStatus cx_ADDCMUL(PtsValue *a, PtsValue *o, PtsError *e) { return addc(false, a, NULL, false, e, o); }
static PtsStatus cx_ADDCMUL_(PtsValue *a, PtsValue *o, PtsError *e) { return addc(false, a, NULL, true, e, o); }
static PtsStatus cx_ADDCMUL_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addc(false, a, a[4].u.t, false, e, o); }
static PtsStatus cx_ADDCDIV(PtsValue *a, PtsValue *o, PtsError *e) { return addc(true, a, NULL, false, e, o); }
static PtsStatus cx_ADDCDIV_(PtsValue *a, PtsValue *o, PtsError *e) { return addc(true, a, NULL, true, e, o); }
static PtsStatus cx_ADDCDIV_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addc(true, a, a[4].u.t, false, e, o); }
/* lerp(x, y, w) = x + w (y - x); torch wants x and y of one dtype */
static PtsStatus lerp(PtsValue *a, bool wt, PtsTensor *out, bool inplace, PtsError *e, PtsValue *o) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t, *d = NULL, *m = NULL, *r = NULL;
    PTS_CHECK(x->dtype == y->dtype, e, RUNTIME, "expected dtype %s for `end` but got dtype %s",
              pts_dtype_name(x->dtype), pts_dtype_name(y->dtype));
    if (wt) PTS_CHECK(a[2].u.t->dtype == x->dtype || a[2].u.t->ndim == 0, e, RUNTIME, "expected dtype %s for `weight` but got dtype %s",
                      pts_dtype_name(x->dtype), pts_dtype_name(a[2].u.t->dtype));
    PtsValue sa[3] = { a[1], a[0], pts_vint(1) };
    PtsStatus s = call1(PTS_OP_SUB_TENSOR, 3, sa, e, &d);
    if (!s) { PtsValue ma[2] = { pts_vtensor(d), a[2] }; s = call1(wt ? PTS_OP_MUL_TENSOR : PTS_OP_MUL_SCALAR, 2, ma, e, &m); }
    if (!s) { PtsValue aa[3] = { a[0], pts_vtensor(m), pts_vint(1) }; s = call1(inplace ? PTS_OP_ADD__TENSOR : PTS_OP_ADD_TENSOR, 3, aa, e, &r); }
    pts_tensor_release(d);
    pts_tensor_release(m);
    if (s) return s;
    return out_done(r, out, e, o);
}
static PtsStatus cx_LERP_SCALAR(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, false, NULL, false, e, o); }
static PtsStatus cx_LERP_TENSOR(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, true, NULL, false, e, o); }
static PtsStatus cx_LERP__SCALAR(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, false, NULL, true, e, o); }
static PtsStatus cx_LERP__TENSOR(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, true, NULL, true, e, o); }
static PtsStatus cx_LERP_SCALAR_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, false, a[3].u.t, false, e, o); }
static PtsStatus cx_LERP_TENSOR_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return lerp(a, true, a[3].u.t, false, e, o); }

/* ================= det / inv / solve: LU with partial pivoting in complex128 =================
 * Our own elimination rather than LAPACK's c/z routines: the runtime may be built without BLAS,
 * and matrices are small; every matrix is computed in complex128 and cast back. */
typedef double _Complex zc;
static PtsStatus square_check(const char *fn, PtsTensor *A, PtsError *e) {
    PTS_CHECK(A->ndim >= 2, e, RUNTIME, "%s: The input tensor A must have at least 2 dimensions.", fn);
    PTS_CHECK(A->shape[A->ndim - 1] == A->shape[A->ndim - 2], e, RUNTIME,
              "%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
              (long long)A->shape[A->ndim - 2], (long long)A->shape[A->ndim - 1]);
    return PTS_OK;
}
/* LU of the n x n row-major matrix m in place; returns the sign of the permutation, 0 when
 * singular (a zero pivot, *zero_at its 1-based column) */
static int lu(zc *m, int64_t n, int64_t *perm, int64_t *zero_at) {
    int sign = 1;
    *zero_at = 0;
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t k = 0; k < n; k++) {
        int64_t p = k;
        double best = cabs(m[k * n + k]);
        for (int64_t i = k + 1; i < n; i++) if (cabs(m[i * n + k]) > best) { best = cabs(m[i * n + k]); p = i; }
        if (best == 0) { if (!*zero_at) *zero_at = k + 1; sign = 0; continue; }
        if (p != k) {
            for (int64_t j = 0; j < n; j++) { zc t = m[k * n + j]; m[k * n + j] = m[p * n + j]; m[p * n + j] = t; }
            int64_t t = perm[k]; perm[k] = perm[p]; perm[p] = t;
            sign = -sign;
        }
        for (int64_t i = k + 1; i < n; i++) {
            zc f = m[i * n + k] / m[k * n + k];
            m[i * n + k] = f;
            for (int64_t j = k + 1; j < n; j++) m[i * n + j] -= f * m[k * n + j];
        }
    }
    return sign;
}
/* A as a contiguous complex128 copy; its matrices are n x n blocks */
static PtsStatus z_copy(PtsTensor *A, PtsError *e, PtsTensor **out) { return pts_tensor_to(A, PTS_COMPLEX128, true, e, out); }

static PtsStatus cx_LINALG_DET(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *A = a[0].u.t, *z, *r = NULL;
    PTS_TRY(square_check("linalg.det", A, e));
    int64_t n = A->shape[A->ndim - 1], nb = pts_shape_numel(A->ndim - 2, A->shape);
    PTS_TRY(z_copy(A, e, &z));
    PtsStatus s = pts_tensor_new(A->dtype, A->ndim - 2, A->shape, e, &r);
    int64_t *perm = NULL;
    if (!s && n && !(perm = pts_malloc(sizeof(int64_t) * (size_t)n))) s = pts_fail(e, PTS_ERR_NOMEM, "out of memory");
    if (s) { pts_tensor_release(z); pts_tensor_release(r); return s; }
    zc *m = (zc *)pts_tensor_data(z);
    for (int64_t b = 0; b < nb; b++) {
        zc *mb = m + b * n * n, d;
        int64_t zat;
        int sign = lu(mb, n, perm, &zat);
        d = sign;
        for (int64_t i = 0; sign && i < n; i++) d *= mb[i * n + i];
        pts_store_c128(A->dtype, (char *)pts_tensor_data(r) + b * (int64_t)pts_dtype_size(A->dtype), creal(d), cimag(d));
    }
    pts_free(perm);
    pts_tensor_release(z);
    return pts_cx_ret1(o, r);
}
/* inverse of each matrix by solving LU X = P I; info (int32, batch shape) is the first zero
 * pivot's column, and check raises torch's LinAlgError sentence */
/* solver: NULL for inv's own sentence, else the solving function's name in the solver's sentence */
/* name: the function named in inv's sentence (linalg.inv, linalg.inv_ex) */
static PtsStatus inv(PtsTensor *A, bool check, const char *solver, const char *name, PtsError *e, PtsTensor **res,
                     PtsTensor **info) {
    PTS_TRY(square_check("linalg.inv", A, e));
    int64_t n = A->shape[A->ndim - 1], nb = pts_shape_numel(A->ndim - 2, A->shape);
    PtsTensor *z, *x = NULL, *inf = NULL;
    PTS_TRY(z_copy(A, e, &z));
    PtsStatus s = pts_tensor_new(PTS_COMPLEX128, A->ndim, A->shape, e, &x);
    if (!s) s = pts_tensor_zeros(PTS_INT32, A->ndim - 2, A->shape, e, &inf);
    int64_t *perm = NULL;
    if (!s && n && !(perm = pts_malloc(sizeof(int64_t) * (size_t)n))) s = pts_fail(e, PTS_ERR_NOMEM, "out of memory");
    zc *m = s ? NULL : (zc *)pts_tensor_data(z), *xs = s ? NULL : (zc *)pts_tensor_data(x);
    for (int64_t b = 0; !s && b < nb; b++) {
        zc *mb = m + b * n * n, *xb = xs + b * n * n;
        int64_t zat;
        lu(mb, n, perm, &zat);
        ((int32_t *)pts_tensor_data(inf))[b] = (int32_t)zat;
        if (zat) {
            if (check) {
                char bb[64] = "";
                if (nb > 1 || A->ndim > 2) snprintf(bb, sizeof bb, "(Batch element %lld): ", (long long)b);
                if (solver)
                    s = pts_linalg_fail(e, "%s: %sThe solver failed because the input matrix is singular.", solver, bb);
                else
                    s = pts_linalg_fail(e, "%s: %sThe diagonal element %lld is zero, the inversion could not be "
                                        "completed because the input matrix is singular.", name, bb, (long long)zat);
            }
            for (int64_t i = 0; i < n * n; i++) xb[i] = NAN;
            continue;
        }
        for (int64_t c = 0; c < n; c++) {   /* column c of the inverse: L U x = P e_c */
            for (int64_t i = 0; i < n; i++) {
                zc v = perm[i] == c ? 1 : 0;
                for (int64_t k = 0; k < i; k++) v -= mb[i * n + k] * xb[k * n + c];
                xb[i * n + c] = v;
            }
            for (int64_t i = n - 1; i >= 0; i--) {
                zc v = xb[i * n + c];
                for (int64_t k = i + 1; k < n; k++) v -= mb[i * n + k] * xb[k * n + c];
                xb[i * n + c] = v / mb[i * n + i];
            }
        }
    }
    pts_free(perm);
    pts_tensor_release(z);
    PtsTensor *r = NULL;
    if (!s) s = pts_tensor_to(x, A->dtype, false, e, &r);
    pts_tensor_release(x);
    if (s) { pts_tensor_release(inf); return s; }
    *res = r;
    if (info) *info = inf; else pts_tensor_release(inf);
    return PTS_OK;
}
/* The first failure in an info tensor (int32, batch shape) as torch's LinAlgError: inv's or
 * solve's sentence. */
static PtsStatus info_fail(PtsTensor *info, int ndim, bool solver, PtsError *e) {
    const int32_t *v = (const int32_t *)pts_tensor_data(info);
    for (int64_t b = 0, nb = pts_numel(info); b < nb; b++) {
        if (v[b] <= 0) continue;
        char bb[64] = "";
        if (ndim > 2) snprintf(bb, sizeof bb, "(Batch element %lld): ", (long long)b);
        if (solver) return pts_linalg_fail(e, "torch.linalg.solve: %sThe solver failed because the input matrix is singular.", bb);
        return pts_linalg_fail(e, "linalg.inv: %sThe diagonal element %d is zero, the inversion could not be completed "
                               "because the input matrix is singular.", bb, v[b]);
    }
    return PTS_OK;
}
/* inv and solve through their _ex rows (the ones that record a gradient), info checked after */
static PtsStatus cx_LINALG_INV(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP_LINALG_INV_EX, (PtsValue[]){ a[0], pts_vbool(false) }, r, e));
    PtsStatus s = info_fail(r[1].u.t, a[0].u.t->ndim, false, e);
    pts_value_release(&r[1]);
    if (s) { pts_value_release(&r[0]); return s; }
    o[0] = r[0];
    return PTS_OK;
}
static PtsStatus cx_LINALG_INV_EX(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *r, *info;
    PTS_TRY(inv(a[0].u.t, a[1].u.b, NULL, "linalg.inv_ex", e, &r, &info));
    o[0] = pts_vtensor(r);
    o[1] = pts_vtensor(info);
    return PTS_OK;
}
/* solve(A, B): inv(A) @ B (left) or B @ inv(A), in complex128; B is a batch of vectors when it
 * is 1-D or has A's batch shape */
static PtsStatus solve(PtsValue *a, bool check, PtsError *e, PtsValue *o, bool ex) {
    PtsTensor *A = a[0].u.t, *B = a[1].u.t;
    bool left = a[2].u.b;
    PTS_CHECK(A->dtype == B->dtype, e, RUNTIME, "linalg.solve: Expected A and B to have the same dtype, but found "
              "A of type %s and B of type %s instead", pts_pw_type_name(A->dtype), pts_pw_type_name(B->dtype));
    PTS_TRY(square_check("linalg.solve", A, e));
    bool vec = B->ndim == 1 || (left && B->ndim == A->ndim - 1 &&
                                memcmp(B->shape, A->shape, sizeof(int64_t) * (size_t)B->ndim) == 0);
    PTS_CHECK(!(vec && !left), e, RUNTIME, "linalg.solve: Vector broadcasting of the left hand side is not "
              "supported for left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)");
    PtsTensor *Ai = NULL, *info = NULL, *Bz = NULL, *Bu = NULL, *X = NULL, *Xs = NULL, *R = NULL;
    PtsTensor *Az = NULL;
    PtsStatus s = pts_tensor_to(A, PTS_COMPLEX128, false, e, &Az);
    if (!s) s = inv(Az, check, ex ? "torch.linalg.solve_ex" : "torch.linalg.solve", "linalg.inv", e, &Ai, &info);
    if (!s) s = pts_tensor_to(B, PTS_COMPLEX128, false, e, &Bz);
    if (!s) {
        if (vec) { PtsValue ua[2] = { pts_vtensor(Bz), pts_vint(-1) }; s = call1(PTS_OP_UNSQUEEZE, 2, ua, e, &Bu); }
        else Bu = pts_tensor_retain(Bz);
    }
    if (!s) { PtsValue ma[2] = { pts_vtensor(left ? Ai : Bu), pts_vtensor(left ? Bu : Ai) }; s = call1(PTS_OP_MATMUL, 2, ma, e, &X); }
    if (!s) {
        if (vec) { PtsValue sa[2] = { pts_vtensor(X), pts_vint(-1) }; s = call1(PTS_OP_SQUEEZE_DIM, 2, sa, e, &Xs); }
        else Xs = pts_tensor_retain(X);
    }
    if (!s) s = pts_tensor_to(Xs, A->dtype, false, e, &R);
    pts_tensor_release(Az); pts_tensor_release(Ai); pts_tensor_release(Bz); pts_tensor_release(Bu);
    pts_tensor_release(X); pts_tensor_release(Xs);
    if (s) { pts_tensor_release(info); return s; }
    o[0] = pts_vtensor(R);
    if (ex) o[1] = pts_vtensor(info); else pts_tensor_release(info);
    return PTS_OK;
}
static PtsStatus cx_LINALG_SOLVE(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsValue r[2];
    PTS_TRY(pts_op_call(PTS_OP_LINALG_SOLVE_EX, (PtsValue[]){ a[0], a[1], a[2], pts_vbool(false) }, r, e));
    /* the info of the broadcast batch */
    PtsStatus s = info_fail(r[1].u.t, r[1].u.t->ndim + 2, true, e);
    pts_value_release(&r[1]);
    if (s) { pts_value_release(&r[0]); return s; }
    o[0] = r[0];
    return PTS_OK;
}
static PtsStatus cx_LINALG_SOLVE_EX(PtsValue *a, PtsValue *o, PtsError *e) { return solve(a, a[3].u.b, e, o, true); }

/* einsum: operands of mixed dtypes promote (torch's einsum does); the real kernel then runs on
 * complex operands of one dtype, its products and sums being complex rows */
static PtsStatus cx_EINSUM(PtsValue *a, PtsValue *o, PtsError *e) {
    const PtsList *l = pts_as_list(a[1]);
    PtsTensor *ts[PTS_MAX_DIMS * 2] = { NULL };
    int n = 0;
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].tag != PTS_V_TENSOR || n == (int)(sizeof ts / sizeof ts[0])) return k_EINSUM(a, o, e);
        ts[n++] = l->items[i].u.t;
    }
    PtsDType d = pts_result_type(ts, n);
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, e, &list));
    PtsStatus s = PTS_OK;
    for (int i = 0; i < n && !s; i++) {
        PtsTensor *c;
        if (!(s = pts_tensor_to(ts[i], d, false, e, &c))) s = pts_list_append(list, pts_vtensor(c), e);
    }
    if (!s) {
        PtsValue b[3] = { a[0], list, a[2] };
        s = k_EINSUM(b, o, e);
    }
    pts_value_release(&list);
    return s;
}

/* ================= the table ================= */
#define PASS(ID) { PTS_OP_##ID, NULL },
#define CX(ID, fn) { PTS_OP_##ID, fn },
#define CX3(ID, fn) CX(ID, cx_##fn) CX(ID##_, cx_##fn##_) CX(ID##_OUT, cx_##fn##_OUT)
const PtsCxRow pts_cx_rows2[] = {
    CX3(RSQRT, RSQRT) CX3(LOG10, LOG10) CX3(LOG2, LOG2) CX3(LOG1P, LOG1P) CX3(EXPM1, EXPM1)
    CX3(ASIN, ASIN) CX3(ARCSIN, ASIN) CX3(ACOS, ACOS) CX3(ARCCOS, ACOS) CX3(ATAN, ATAN) CX3(ARCTAN, ATAN)
    CX3(SINH, SINH) CX3(COSH, COSH) CX3(ASINH, ASINH) CX3(ARCSINH, ASINH) CX3(ACOSH, ACOSH)
    CX3(ARCCOSH, ACOSH) CX3(ATANH, ATANH) CX3(ARCTANH, ATANH) CX3(SQUARE, SQUARE) CX3(EXP2, EXP2)
    CX3(SGN, SGN) CX3(SINC, SINC) CX3(NAN_TO_NUM, NAN_TO_NUM)
    CX(ISNAN, cx_ISNAN) CX(ISINF, cx_ISINF) CX(ISFINITE, cx_ISFINITE) CX(ISREAL, cx_ISREAL)
    PASS(POSITIVE)
    CX(WHERE_SELF, cx_WHERE) CX(WHERE_SCALARSELF, cx_WHERE) CX(WHERE_SCALAROTHER, cx_WHERE)
    CX(WHERE_SCALAR, cx_WHERE) CX(WHERE_SELF_OUT, cx_WHERE_OUT)
    CX(MASKED_FILL_TENSOR, cx_MASKED_FILL) CX(MASKED_FILL_SCALAR, cx_MASKED_FILL)
    CX(MASKED_FILL__TENSOR, cx_MASKED_FILL_) CX(MASKED_FILL__SCALAR, cx_MASKED_FILL_)
    /* products */
    CX(MM_OUT, cx_MM_OUT) CX(BMM_OUT, cx_BMM_OUT) CX(MATMUL_OUT, cx_MATMUL_OUT) CX(MV, cx_MV) CX(MV_OUT, cx_MV_OUT)
    CX(DOT, cx_DOT) CX(DOT_OUT, cx_DOT_OUT) CX(VDOT, cx_VDOT) CX(OUTER, cx_OUTER) CX(OUTER_OUT, cx_OUTER_OUT)
    CX(GER, cx_OUTER) CX(GER_OUT, cx_OUTER_OUT)
    CX3(ADDMM, ADDMM) CX3(ADDMV, ADDMV) CX(BADDBMM, cx_BADDBMM) CX(ADDBMM, cx_ADDBMM) CX(ADDBMM_, cx_ADDBMM_)
    CX(ADDR, cx_ADDR) CX(ADDR_, cx_ADDR_)
    CX(ISCLOSE, cx_ISCLOSE) CX(ALLCLOSE, cx_ALLCLOSE)
    CX(ANY, cx_ANY) CX(ANY_DIM, cx_ANY_DIM) CX(ANY_DIMS, cx_ANY_DIMS) CX(ANY_OUT, cx_ANY_OUT) CX(ANY_ALL_OUT, cx_ANY_ALL_OUT)
    CX(ANY_DIMS_OUT, cx_ANY_DIMS_OUT) CX(ALL, cx_ALL) CX(ALL_DIM, cx_ALL_DIM) CX(ALL_DIMS, cx_ALL_DIMS) CX(ALL_OUT, cx_ALL_OUT)
    CX(ALL_ALL_OUT, cx_ALL_ALL_OUT) CX(ALL_DIMS_OUT, cx_ALL_DIMS_OUT) CX(NONZERO, cx_NONZERO)
    CX(NONZERO_NUMPY, cx_NONZERO_NUMPY) CX(COUNT_NONZERO, cx_COUNT_NONZERO)
    CX(COUNT_NONZERO_DIM_INTLIST, cx_COUNT_NONZERO_DIM_INTLIST) CX(LOGICAL_NOT, cx_LOGICAL_NOT)
    CX(LOGICAL_NOT_OUT, cx_LOGICAL_NOT_OUT)
    /* scans, products, var/std */
    CX3(CUMSUM, CUMSUM) CX3(CUMPROD, CUMPROD) CX(PROD, cx_PROD) CX(PROD_DIM_INT, cx_PROD_DIM_INT)
    CX(PROD_INT_OUT, cx_PROD_INT_OUT)
    CX(VAR, cx_VAR) CX(VAR_DIM, cx_VAR_DIM) CX(VAR_CORRECTION, cx_VAR_CORRECTION) CX(VAR_OUT, cx_VAR_OUT)
    CX(VAR_CORRECTION_OUT, cx_VAR_CORRECTION_OUT) CX(STD, cx_STD) CX(STD_DIM, cx_STD_DIM)
    CX(STD_CORRECTION, cx_STD_CORRECTION) CX(STD_OUT, cx_STD_OUT) CX(STD_CORRECTION_OUT, cx_STD_CORRECTION_OUT)
    CX(VAR_MEAN, cx_VAR_MEAN) CX(VAR_MEAN_DIM, cx_VAR_MEAN_DIM) CX(VAR_MEAN_CORRECTION, cx_VAR_MEAN_CORRECTION)
    CX(STD_MEAN, cx_STD_MEAN) CX(STD_MEAN_DIM, cx_STD_MEAN_DIM) CX(STD_MEAN_CORRECTION, cx_STD_MEAN_CORRECTION)
    /* element moves */
    CX(SCATTER_SRC, cx_SCATTER_SRC) CX(SCATTER__SRC, cx_SCATTER__SRC) CX(SCATTER_VALUE, cx_SCATTER_VALUE)
    CX(SCATTER__VALUE, cx_SCATTER__VALUE) CX(SCATTER_ADD, cx_SCATTER_ADD) CX(SCATTER_ADD_, cx_SCATTER_ADD_)
    CX(INDEX_PUT_, cx_INDEX_PUT_) CX(INDEX_PUT, cx_INDEX_PUT)
    /* dtype-agnostic element moves and composites of rows that take complex operands */
    PASS(GATHER) PASS(TAKE) PASS(TAKE_OUT) PASS(TAKE_ALONG_DIM) PASS(TAKE_ALONG_DIM_OUT) PASS(TRIU) PASS(TRIU_)
    PASS(TRIL) PASS(TRIL_) PASS(DIAG) PASS(DIAG_OUT) PASS(DIAGONAL) PASS(DIAG_EMBED) PASS(DIAG_EMBED_OUT)
    PASS(DIAGFLAT) PASS(MOVEDIM_INT) PASS(MOVEDIM_INTLIST) PASS(MOVEAXIS_INT) PASS(MOVEAXIS_INTLIST) PASS(RAVEL)
    PASS(NARROW_COPY) PASS(NARROW_COPY_OUT) PASS(ROT90) PASS(FLIPLR) PASS(FLIPUD) PASS(ATLEAST_1D) PASS(ATLEAST_2D)
    PASS(ATLEAST_3D) PASS(HSTACK) PASS(VSTACK) PASS(DSTACK) PASS(COLUMN_STACK) PASS(TENSOR_SPLIT_SECTIONS)
    PASS(TENSOR_SPLIT_INDICES) PASS(HSPLIT_INT) PASS(VSPLIT_INT) PASS(REPEAT_INTERLEAVE_SELF_INT) PASS(DIFF)
    PASS(DIFF_OUT) PASS(VANDER) PASS(TRACE) PASS(KRON) PASS(INNER) PASS(TENSORDOT) PASS(LINEAR) PASS(LINEAR_OUT)
    CX(EINSUM, cx_EINSUM)
    /* norms, addcmul/addcdiv/lerp, det/inv/solve */
    CX(LINALG_VECTOR_NORM, cx_LINALG_VECTOR_NORM) CX(NORM_SCALAR, cx_NORM_SCALAR) CX(NORM_SCALAROPT_DIM, cx_NORM_SCALAROPT_DIM)
    CX(DIST, cx_DIST) CX3(ADDCMUL, ADDCMUL) CX3(ADDCDIV, ADDCDIV)
    CX(LERP_SCALAR, cx_LERP_SCALAR) CX(LERP_TENSOR, cx_LERP_TENSOR) CX(LERP__SCALAR, cx_LERP__SCALAR)
    CX(LERP__TENSOR, cx_LERP__TENSOR) CX(LERP_SCALAR_OUT, cx_LERP_SCALAR_OUT) CX(LERP_TENSOR_OUT, cx_LERP_TENSOR_OUT)
    CX(LINALG_DET, cx_LINALG_DET) PASS(DET) CX(LINALG_INV, cx_LINALG_INV) CX(LINALG_INV_EX, cx_LINALG_INV_EX)
    PASS(INVERSE) CX(LINALG_SOLVE, cx_LINALG_SOLVE) CX(LINALG_SOLVE_EX, cx_LINALG_SOLVE_EX)
    { -1, NULL },
};
