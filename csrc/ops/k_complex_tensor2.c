/* k_complex_tensor2.c: the second set of complex64 / complex128 kernels (pts_cx_rows2, read by
 * complex_guard.c next to k_complex_tensor.c's table): the rest of the unary math family,
 * predicates, where / masked_fill, element moves with a complex fill value, scans, products,
 * var/std, the BLAS-shaped products and LAPACK-backed linalg. Formulas follow c10's complex
 * math where torch's differs from a plain <complex.h> call (log1p, expm1, sgn). */
#include <complex.h>
#include <stdio.h>

#include "complex_tensor.h"
#include "pwloops.h"

typedef float _Complex cf;
typedef double _Complex cd;

static PtsStatus ret1(PtsValue *out, PtsTensor *t) { out[0] = pts_vtensor(t); return PTS_OK; }

/* A number or one-element tensor as (re, im); false when v is neither. */
static bool scalar_parts(PtsValue v, double *re, double *im) {
    *im = 0;
    switch (v.tag) {
    case PTS_V_BOOL: *re = v.u.b; return true;
    case PTS_V_INT: *re = (double)v.u.i; return true;
    case PTS_V_DOUBLE: *re = v.u.d; return true;
    case PTS_V_COMPLEX: *re = pts_as_complex(v)->re; *im = pts_as_complex(v)->im; return true;
    case PTS_V_TENSOR:
        if (pts_numel(v.u.t) != 1) return false;
        pts_load_c128(v.u.t->dtype, pts_tensor_data(v.u.t), re, im);
        return true;
    default: return false;
    }
}

/* torch's Scalar::to<T> check for a complex value written to a real dtype */
static PtsStatus check_real_target(PtsDType d, double im, PtsError *err) {
    if (pts_dtype_is_complex(d) || im == 0) return PTS_OK;
    const char *n = d == PTS_FLOAT32 ? "float" : d == PTS_FLOAT64 ? "double" : d == PTS_INT64 ? "int64_t"
                    : d == PTS_BOOL ? "bool" : pts_dtype_cpp_name(d);
    return pts_fail(err, PTS_ERR_RUNTIME, "value cannot be converted to type %s without overflow", n);
}

/* ================= unary complex -> complex ================= */
#define CX_UN(OP, E64, E128) PTS_LOOP1(OP##_c64, cf, cf, E64) PTS_LOOP1(OP##_c128, cd, cd, E128)
#define CX_T(OP) [PTS_COMPLEX64] = OP##_c64, [PTS_COMPLEX128] = OP##_c128

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

#define CX_UNOP(NAME, loop, kname)                                                             \
    static const PtsPwOp op_##NAME = { kname, 0, { CX_T(loop) } };                             \
    static PtsStatus cx_##NAME(PtsValue *a, PtsValue *o, PtsError *e) {                        \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, NULL, NULL, e, &r)); return ret1(o, r); } \
    static PtsStatus cx_##NAME##_(PtsValue *a, PtsValue *o, PtsError *e) {                     \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, a[0].u.t, NULL, e, &r)); return ret1(o, r); } \
    static PtsStatus cx_##NAME##_OUT(PtsValue *a, PtsValue *o, PtsError *e) {                  \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, a[1].u.t, NULL, e, &r)); return ret1(o, r); }
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
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, NULL, NULL, e, &r)); return ret1(o, r); }
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
    return ret1(o, r);
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
    PTS_CHECK(scalar_parts(value, &re, &im), err, TYPE, "masked_fill: value must be a number");
    PTS_TRY(check_real_target(self->dtype, im, err));
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
    return ret1(res, r);
}
static PtsStatus cx_MASKED_FILL(PtsValue *a, PtsValue *o, PtsError *e) { return masked_fill_impl(a, NULL, e, o); }
static PtsStatus cx_MASKED_FILL_(PtsValue *a, PtsValue *o, PtsError *e) { return masked_fill_impl(a, a[0].u.t, e, o); }

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
    { -1, NULL },
};
