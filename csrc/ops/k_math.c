/* k_math.c: kernels of ops_math.def. Elementwise math functions as loop tables run by the
 * pointwise engine (float16/bfloat16 compute in float32), the special functions they need
 * (digamma, polygamma, erfinv, i0/i1 as torch computes them), and torch's aliases (arccos,
 * absolute, fix, square, ...) as composites that call the primary row through the registry. */
#include <float.h>
#include <stdio.h>

#include "pwloops.h"

/* ================= special functions (double precision) ================= */

/* Cephes' Hurwitz zeta(x, q), as PyTorch's zeta(): Euler-Maclaurin summation. */
static double zeta_d(double x, double q) {
    static const double MACHEP = 1.11022302462515654042E-16;
    static const double A[] = { 12.0, -720.0, 30240.0, -1209600.0, 47900160.0,
                                -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12,
                                1.1646782814350067249e14, -4.5979787224074726105e15,
                                1.8152105401943546773e17, -7.1661652561756670113e18 };
    if (x == 1.0) return INFINITY;
    if (x < 1.0) return NAN;
    if (q <= 0.0) {
        if (q == floor(q)) return INFINITY;
        if (x != floor(x)) return NAN;
    }
    double s = pow(q, -x), a = q, b = 0.0;
    int i = 0;
    while (i < 9 || a <= 9.0) {
        i += 1;
        a += 1.0;
        b = pow(a, -x);
        s += b;
        if (fabs(b / s) < MACHEP) return s;
    }
    double w = a, k = 0.0;
    s += b * w / (x - 1.0);
    s -= 0.5 * b;
    a = 1.0;
    for (i = 0; i < 12; i++) {
        a *= x + k;
        b /= w;
        double t = a * b / A[i];
        s += t;
        if (fabs(t / s) < MACHEP) return s;
        k += 1.0;
        a *= x + k;
        b /= w;
        k += 1.0;
    }
    return s;
}

/* PyTorch's calc_digamma: reflection below 0, recurrence up to 10, asymptotic series. */
static double digamma_d(double x) {
    static const double PSI_10 = 2.25175258906672110764;
    if (x == 0) return copysign(INFINITY, -x);
    if (x < 0) {
        if (x == trunc(x)) return NAN;
        double q, r = modf(x, &q);
        return digamma_d(1 - x) - M_PI / tan(M_PI * r);
    }
    double result = 0;
    while (x < 10) {
        result -= 1 / x;
        x += 1;
    }
    if (x == 10) return result + PSI_10;
    static const double A[] = { 8.33333333333333333333E-2, -2.10927960927960927961E-2,
                                7.57575757575757575758E-3, -4.16666666666666666667E-3,
                                3.96825396825396825397E-3, -8.33333333333333333333E-3,
                                8.33333333333333333333E-2 };
    double y = 0;
    if (x < 1.0e17) {
        double z = 1.0 / (x * x), p = 0;
        for (int i = 0; i < 7; i++) p = p * z + A[i];
        y = z * p;
    }
    return result + log(x) - (0.5 / x) - y;
}

/* PyTorch's calc_trigamma */
static double trigamma_d(double x) {
    double sign = +1, result = 0;
    if (x < 0.5) {
        sign = -1;
        double s = sin(M_PI * x);
        result -= (M_PI * M_PI) / (s * s);
        x = 1 - x;
    }
    for (int i = 0; i < 6; ++i) {
        result += 1 / (x * x);
        x += 1;
    }
    double ixx = 1 / (x * x);
    result += (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x;
    return sign * result;
}

static double polygamma_d(double x, int64_t n) {
    if (n == 0) return digamma_d(x);
    if (n == 1) return trigamma_d(x);
    return ((n % 2) ? 1.0 : -1.0) * exp(lgamma((double)n + 1.0)) * zeta_d((double)n + 1.0, x);
}

/* erfinv: Giles' single-precision approximation refined by Newton steps on erf (erfc in the
 * tails, where 1 - |y| is exact and erf(x) - y would cancel). */
static double erfinv_d(double y) {
    if (isnan(y) || y < -1 || y > 1) return NAN;
    if (y == 1) return INFINITY;
    if (y == -1) return -INFINITY;
    if (y == 0) return y;
    double ay = fabs(y), w = -log((1.0 - ay) * (1.0 + ay)), p;
    if (w < 5.0) {
        w -= 2.5;
        p = 2.81022636e-08;
        p = 3.43273939e-07 + p * w;
        p = -3.5233877e-06 + p * w;
        p = -4.39150654e-06 + p * w;
        p = 0.00021858087 + p * w;
        p = -0.00125372503 + p * w;
        p = -0.00417768164 + p * w;
        p = 0.246640727 + p * w;
        p = 1.50140941 + p * w;
    } else {
        w = sqrt(w) - 3.0;
        p = -0.000200214257;
        p = 0.000100950558 + p * w;
        p = 0.00134934322 + p * w;
        p = -0.00367342844 + p * w;
        p = 0.00573950773 + p * w;
        p = -0.0076224613 + p * w;
        p = 0.00943887047 + p * w;
        p = 1.00167406 + p * w;
        p = 2.83297682 + p * w;
    }
    double x = p * ay, cy = 1.0 - ay;
    for (int i = 0; i < 4; i++) {
        double d = M_2_SQRTPI * exp(-x * x);
        if (d == 0) break;
        double f = ay > 0.5 ? cy - erfc(x) : erf(x) - ay;
        x -= f / d;
    }
    return y < 0 ? -x : x;
}

/* Modified Bessel functions of the first kind by their power series (positive terms, so the
 * sum is accurate to a few ulp; ~|x| terms, overflowing to inf where the function does). */
static double i0_d(double x) {
    double q = x * x / 4.0, t = 1.0, s = 1.0;
    if (isnan(x)) return x;
    if (isinf(x)) return NAN;   /* as torch's Cephes form: exp(x) * chbevl(...) / sqrt(x) */
    for (int k = 1; k < 2000; k++) {
        t *= q / ((double)k * (double)k);
        s += t;
        if (t <= s * 1e-17 || isinf(s)) break;
    }
    return s;
}

static double i1_d(double x) {
    if (isnan(x) || isinf(x)) return NAN;   /* as torch */
    double q = x * x / 4.0, t = x / 2.0, s = t;
    for (int k = 1; k < 2000; k++) {
        t *= q / ((double)k * (double)(k + 1));
        s += t;
        if (fabs(t) <= fabs(s) * 1e-17 || isinf(s)) break;
    }
    return s;
}

/* ================= unary loop tables ================= */

/* float functions: integer and bool inputs promote to the default float */
#define FLOAT_OP(NAME, EXPR)                                                                   \
    PTS_UN_F(NAME, EXPR)                                                                       \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", PTS_PW_FLOAT, { PTS_T_F(NAME) } };
/* a double-precision helper applied to either float type */
#define DFN(f, x) ((PTS_T(x))f((double)(x)))

FLOAT_OP(acos, PTS_FN1(acos, x))
FLOAT_OP(asin, PTS_FN1(asin, x))
FLOAT_OP(atan, PTS_FN1(atan, x))
FLOAT_OP(acosh, PTS_FN1(acosh, x))
FLOAT_OP(asinh, PTS_FN1(asinh, x))
FLOAT_OP(atanh, PTS_FN1(atanh, x))
FLOAT_OP(cosh, PTS_FN1(cosh, x))
FLOAT_OP(sinh, PTS_FN1(sinh, x))
FLOAT_OP(erfc, PTS_FN1(erfc, x))
FLOAT_OP(exp2, PTS_FN1(exp2, x))
FLOAT_OP(log10, PTS_FN1(log10, x))
FLOAT_OP(lgamma, PTS_FN1(lgamma, x))
FLOAT_OP(erfinv, DFN(erfinv_d, x))
FLOAT_OP(digamma, DFN(digamma_d, x))
FLOAT_OP(i0, DFN(i0_d, x))
FLOAT_OP(i1, DFN(i1_d, x))
/* torch: the product pi * x in the loop type, sin(p) / p, 1 at 0 */
FLOAT_OP(sinc, x == 0 ? (PTS_T(x))1
                      : PTS_FN1(sin, (PTS_T(x))M_PI * x) / ((PTS_T(x))M_PI * x))
FLOAT_OP(deg2rad, x * (PTS_T(x))(M_PI / 180.0))
FLOAT_OP(rad2deg, x * (PTS_T(x))(180.0 / M_PI))
/* polygamma: c->i is n; mvlgamma: c->i is p, c->d the constant p(p-1)/4 log(pi) */
FLOAT_OP(polygamma, (PTS_T(x))polygamma_d((double)x, c->i))
static double mvlgamma_d(double x, int64_t p, double k) {
    double s = 0;
    for (int64_t j = 0; j < p; j++) s += lgamma(x - (double)j * 0.5);
    return s + k;
}
FLOAT_OP(mvlgamma, (PTS_T(x))mvlgamma_d((double)x, c->i, c->d))
/* logit: c->d is eps, negative when None (no clamping) */
#define LOGIT_(x, z) ((z) == (PTS_T(x))1 ? (PTS_T(x))INFINITY : PTS_FN1(log, (z) / ((PTS_T(x))1 - (z))))
#define CLAMP01_(x, lo, hi) ((x) < (lo) ? (lo) : ((x) > (hi) ? (hi) : (x)))
FLOAT_OP(logit, c->d < 0 ? LOGIT_(x, x)
                         : LOGIT_(x, CLAMP01_(x, (PTS_T(x))c->d, (PTS_T(x))1 - (PTS_T(x))c->d)))

/* frac: floats only, as torch */
PTS_UN_F(frac, x - PTS_FN1(trunc, x))
static const PtsPwOp op_frac = { "frac_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(frac) } };

/* sgn of real tensors is sign (NaN gives 0) */
PTS_UN_F(sgn, (PTS_T(x))((0 < x) - (x < 0)))
PTS_UN_I(sgn, (PTS_T(x))((0 < x) - (x < 0)))
PTS_UN_B(sgn, x)
static const PtsPwOp op_sgn = { "sgn_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(sgn), PTS_T_I(sgn), PTS_T_B(sgn) } };

/* nan_to_num: c->d replaces NaN, c->d2 +inf, c->i holds the bits of the -inf replacement */
static inline double bits_d(int64_t i) { double d; memcpy(&d, &i, sizeof d); return d; }
static inline int64_t d_bits(double d) { int64_t i; memcpy(&i, &d, sizeof i); return i; }
PTS_UN_F(nan2num, x != x ? (PTS_T(x))c->d
                         : x == (PTS_T(x))INFINITY ? (PTS_T(x))c->d2
                         : x == -(PTS_T(x))INFINITY ? (PTS_T(x))bits_d(c->i) : x)
PTS_UN_I(nan2num, x)
PTS_UN_B(nan2num, x)
static const PtsPwOp op_nan_to_num = { "nan_to_num", 0, { PTS_T_F(nan2num), PTS_T_I(nan2num), PTS_T_B(nan2num) } };

/* predicates: bool results for every input dtype */
PTS_PRED_ALL(signbit, signbit(x) != 0, (int64_t)(x) < 0)
static const PtsPwOp op_signbit = { "signbit_cpu", PTS_PW_BOOL_OUT, { PTS_T_ALL(signbit) } };
PTS_PRED_ALL(isneginf, x == -(PTS_T(x))INFINITY, 0)
static const PtsPwOp op_isneginf = { "isneginf", PTS_PW_BOOL_OUT, { PTS_T_ALL(isneginf) } };
PTS_PRED_ALL(isposinf, x == (PTS_T(x))INFINITY, 0)
static const PtsPwOp op_isposinf = { "isposinf", PTS_PW_BOOL_OUT, { PTS_T_ALL(isposinf) } };
PTS_PRED_ALL(isreal, 1, 1)
static const PtsPwOp op_isreal = { "isreal", PTS_PW_BOOL_OUT, { PTS_T_ALL(isreal) } };
/* ================= binary loop tables ================= */

#define FLOAT_BIN(NAME, EXPR)                                                                  \
    PTS_BIN_F(NAME, EXPR)                                                                      \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", PTS_PW_FLOAT, { PTS_T_F(NAME) } };
/* floats only: integer inputs raise torch's "not implemented for 'Long'" */
#define FONLY_BIN(NAME, EXPR)                                                                  \
    PTS_BIN_F(NAME, EXPR)                                                                      \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", 0, { PTS_T_F(NAME) } };

FLOAT_BIN(atan2, PTS_FN2(atan2, x, y))
FLOAT_BIN(copysign, PTS_FN2(copysign, x, y))
FLOAT_BIN(xlogy, y != y ? y : x == 0 ? (PTS_T(x))0 : x * PTS_FN1(log, y))
FLOAT_BIN(ldexp, x * PTS_FN1(exp2, y))
FONLY_BIN(hypot, PTS_FN2(hypot, x, y))
/* torch: equal infinities give themselves; else max + log1p(exp(-|a - b|)) */
#define LAE_(x, y, E, K)                                                                       \
    ((isinf(x) && x == y) ? x                                                          \
     : (x > y ? x : y) + PTS_FN1(log1p, PTS_FN1(E, -PTS_FN1(fabs, x - y))) * (PTS_T(x))(K))
FONLY_BIN(logaddexp, LAE_(x, y, exp, 1.0))
FONLY_BIN(logaddexp2, LAE_(x, y, exp2, M_LOG2E))

/* fmax/fmin ignore NaN (C's fmax); every dtype */
PTS_BIN_F(fmax, PTS_FN2(fmax, x, y))
PTS_BIN_I(fmax, x > y ? x : y)
PTS_BIN_B(fmax, x || y)
static const PtsPwOp op_fmax = { "fmax_cpu", 0, { PTS_T_F(fmax), PTS_T_I(fmax), PTS_T_B(fmax) } };
PTS_BIN_F(fmin, PTS_FN2(fmin, x, y))
PTS_BIN_I(fmin, x < y ? x : y)
PTS_BIN_B(fmin, x && y)
static const PtsPwOp op_fmin = { "fmin_cpu", 0, { PTS_T_F(fmin), PTS_T_I(fmin), PTS_T_B(fmin) } };

/* gcd, lcm: integers only, as torch computes them: magnitudes taken in the tensor's type (so
 * the most negative value stays negative), Euclid on signed values with C's remainder. */
static inline int64_t gcd_s(int64_t a, int64_t b) {
    while (a != 0) {
        int64_t t = a;
        a = a == -1 ? 0 : b % a;   /* INT64_MIN % -1 traps; the remainder is 0 */
        b = t;
    }
    return b;
}
/* |x| wrapping in x's own type */
#define WABS_(x) ((x) < 0 ? PTS_WNEG(x) : (x))
#define GCD_(x, y) ((PTS_T(x))gcd_s((int64_t)WABS_(x), (int64_t)WABS_(y)))
/* torch: std::abs(a / g * b), computed in int for the narrow types (exact) and wrapping in
 * int32 / int64 for the wide ones; the caller casts to the type */
static inline int64_t lcm_s(int64_t a, int64_t b, int64_t g, size_t bytes) {
    if (g == 0) return 0;
    int64_t q = (g == -1) ? (int64_t)(0 - (uint64_t)a) : a / g;
    int64_t r = (int64_t)((uint64_t)q * (uint64_t)b);
    if (bytes == 4) r = (int32_t)(uint32_t)(uint64_t)r;
    return r < 0 ? (int64_t)(0 - (uint64_t)r) : r;
}
PTS_BIN_I(gcd, GCD_(x, y))
static const PtsPwOp op_gcd = { "gcd_cpu", PTS_PW_INT_ONLY | PTS_PW_NO_BOOL, { PTS_T_I(gcd) } };
PTS_BIN_I(lcm, (PTS_T(x))lcm_s((int64_t)x, (int64_t)y, (int64_t)GCD_(x, y), sizeof(x)))
static const PtsPwOp op_lcm = { "lcm_cpu", PTS_PW_INT_ONLY | PTS_PW_NO_BOOL, { PTS_T_I(lcm) } };

/* heaviside: y where x == 0, else x > 0 (NaN gives 0) */
PTS_BIN_F(heaviside, x == 0 ? y : (PTS_T(x))(x > 0))
PTS_BIN_I(heaviside, x == 0 ? y : (PTS_T(x))(x > 0))
PTS_BIN_B(heaviside, x ? true : y)
static const PtsPwOp op_heaviside = { "heaviside_cpu", 0, { PTS_T_F(heaviside), PTS_T_I(heaviside), PTS_T_B(heaviside) } };

/* nextafter steps in the tensor's own type: float16/bfloat16 (computed in float32) step on
 * their 16-bit patterns. c->i is the tensor dtype. */
static float nxt16(float x, float y, bool bf) {
    if (isnan(x) || isnan(y)) return NAN;
    if (x == y) return y;
    uint16_t b = bf ? pts_float_to_bf16(x) : pts_float_to_half(x);
    if (x == 0) b = (uint16_t)((y > 0 ? 0 : 0x8000) | 1);
    else if ((x < y) == (x > 0)) b++;
    else b--;
    return bf ? pts_bf16_to_float(b) : pts_half_to_float(b);
}
static float nxt_f32(float x, float y, int64_t dt) {
    return dt == PTS_FLOAT16 ? nxt16(x, y, false) : dt == PTS_BFLOAT16 ? nxt16(x, y, true) : nextafterf(x, y);
}
static double nxt_f64(double x, double y, int64_t dt) { (void)dt; return nextafter(x, y); }
PTS_BIN_F(nextafter, PTS_FGEN(nxt, x)(x, y, c->i))
static const PtsPwOp op_nextafter = { "nextafter_cpu", 0, { PTS_T_F(nextafter) } };

/* ================= kernels: unary ================= */

PTS_UNARY_KERNELS(ACOS, op_acos)
PTS_UNARY_KERNELS(ASIN, op_asin)
PTS_UNARY_KERNELS(ATAN, op_atan)
PTS_UNARY_KERNELS(ACOSH, op_acosh)
PTS_UNARY_KERNELS(ASINH, op_asinh)
PTS_UNARY_KERNELS(ATANH, op_atanh)
PTS_UNARY_KERNELS(COSH, op_cosh)
PTS_UNARY_KERNELS(SINH, op_sinh)
PTS_UNARY_KERNELS(ERFC, op_erfc)
PTS_UNARY_KERNELS(ERFINV, op_erfinv)
PTS_UNARY_KERNELS(EXP2, op_exp2)
PTS_UNARY_KERNELS(LOG10, op_log10)
PTS_UNARY_KERNELS(LGAMMA, op_lgamma)
PTS_UNARY_KERNELS(DIGAMMA, op_digamma)
PTS_UNARY_KERNELS(I0, op_i0)
PTS_UNARY_KERNELS(SINC, op_sinc)
PTS_UNARY_KERNELS(DEG2RAD, op_deg2rad)
PTS_UNARY_KERNELS(RAD2DEG, op_rad2deg)
PTS_UNARY_KERNELS(FRAC, op_frac)
PTS_UNARY_KERNELS(SGN, op_sgn)

PtsStatus k_SPECIAL_I1(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_i1, a[0].u.t, NULL, NULL, err, &r), &r, out);
}

/* predicates: no in-place rows; out= must be bool, as torch checks */
static PtsStatus pred(const PtsPwOp *op, PtsTensor *self, PtsTensor *o, const char *name,
                      PtsError *err, PtsValue *res) {
    PTS_CHECK(!o || o->dtype == PTS_BOOL, err, RUNTIME, "%s does not support non-boolean outputs.", name);
    PtsTensor *r;
    return pts_pw_ret(pts_unary(op, self, o, NULL, err, &r), &r, res);
}
PtsStatus k_SIGNBIT(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_signbit, a[0].u.t, NULL, "signbit", err, out); }
PtsStatus k_SIGNBIT_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_signbit, a[0].u.t, a[1].u.t, "signbit", err, out); }
PtsStatus k_ISNEGINF(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_isneginf, a[0].u.t, NULL, "isneginf", err, out); }
PtsStatus k_ISNEGINF_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_isneginf, a[0].u.t, a[1].u.t, "isneginf", err, out); }
PtsStatus k_ISPOSINF(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_isposinf, a[0].u.t, NULL, "isposinf", err, out); }
PtsStatus k_ISPOSINF_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_isposinf, a[0].u.t, a[1].u.t, "isposinf", err, out); }
PtsStatus k_ISREAL(PtsValue *a, PtsValue *out, PtsError *err) { return pred(&op_isreal, a[0].u.t, NULL, "isreal", err, out); }

/* polygamma(n, self) / polygamma_(self, n) */
static PtsStatus polygamma_impl(int64_t n, PtsTensor *self, PtsTensor *o, PtsError *err, PtsValue *res) {
    PTS_CHECK(n >= 0, err, RUNTIME, "polygamma(n, x) does not support negative n.");
    PtsPwCtx c = { 0, 0, n, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_polygamma, self, o, &c, err, &r), &r, res);
}
PtsStatus k_POLYGAMMA(PtsValue *a, PtsValue *out, PtsError *err) { return polygamma_impl(a[0].u.i, a[1].u.t, NULL, err, out); }
PtsStatus k_POLYGAMMA_(PtsValue *a, PtsValue *out, PtsError *err) { return polygamma_impl(a[1].u.i, a[0].u.t, a[0].u.t, err, out); }
PtsStatus k_POLYGAMMA_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return polygamma_impl(a[0].u.i, a[1].u.t, a[2].u.t, err, out); }

static PtsStatus mvlgamma_impl(PtsTensor *self, int64_t p, PtsTensor *o, PtsError *err, PtsValue *res) {
    PTS_CHECK(self->dtype != PTS_BOOL, err, RUNTIME, "The input tensor may not be a boolean tensor.");
    PTS_CHECK(p >= 1, err, RUNTIME, "p has to be greater than or equal to 1");
    /* torch evaluates p terms per element as one (numel, p) tensor; pyts sums them in a loop, so
     * a hostile p would run for hours: past what torch could allocate (2^28 terms), refuse */
    int64_t n = pts_numel(self);
    PTS_CHECK(n == 0 || p <= ((int64_t)1 << 28) / n, err, NOMEM,
              "mvlgamma: %lld elements with p=%lld need %lld terms; more than pyts evaluates (2^28)",
              (long long)n, (long long)p, (long long)(p > INT64_MAX / (n ? n : 1) ? INT64_MAX : n * p));
    PtsPwCtx c = { (double)p * (double)(p - 1) * log(M_PI) * 0.25, 0, p, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_mvlgamma, self, o, &c, err, &r), &r, res);
}
PtsStatus k_MVLGAMMA(PtsValue *a, PtsValue *out, PtsError *err) { return mvlgamma_impl(a[0].u.t, a[1].u.i, NULL, err, out); }
PtsStatus k_MVLGAMMA_(PtsValue *a, PtsValue *out, PtsError *err) { return mvlgamma_impl(a[0].u.t, a[1].u.i, a[0].u.t, err, out); }
PtsStatus k_MVLGAMMA_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return mvlgamma_impl(a[0].u.t, a[1].u.i, a[2].u.t, err, out); }

static PtsStatus logit_impl(PtsTensor *self, PtsValue eps, PtsTensor *o, PtsError *err, PtsValue *res) {
    PtsPwCtx c = { eps.tag == PTS_V_NONE ? -1.0 : pts_value_to_f64(eps), 0, 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_logit, self, o, &c, err, &r), &r, res);
}
PtsStatus k_LOGIT(PtsValue *a, PtsValue *out, PtsError *err) { return logit_impl(a[0].u.t, a[1], NULL, err, out); }
PtsStatus k_LOGIT_(PtsValue *a, PtsValue *out, PtsError *err) { return logit_impl(a[0].u.t, a[1], a[0].u.t, err, out); }
PtsStatus k_LOGIT_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return logit_impl(a[0].u.t, a[1], a[2].u.t, err, out); }

/* nan_to_num: the infinities default to the limits of self's dtype (float16's 65504, ...) */
static PtsStatus nan_to_num_impl(PtsValue *a, PtsTensor *o, PtsError *err, PtsValue *res) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(!o || o->dtype == self->dtype, err, RUNTIME,
              "nan_to_num: dtype of out: %s should be same as input: %s",
              pts_pw_type_name(o ? o->dtype : self->dtype), pts_pw_type_name(self->dtype));
    double mx = self->dtype == PTS_FLOAT16 ? 65504.0 : self->dtype == PTS_BFLOAT16 ? 3.3895313892515355e38
                : self->dtype == PTS_FLOAT32 ? (double)FLT_MAX : DBL_MAX;
    double nan = a[1].tag == PTS_V_NONE ? 0.0 : pts_value_to_f64(a[1]);
    double pinf = a[2].tag == PTS_V_NONE ? mx : pts_value_to_f64(a[2]);
    double ninf = a[3].tag == PTS_V_NONE ? -mx : pts_value_to_f64(a[3]);
    PtsPwCtx c = { nan, pinf, d_bits(ninf), 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_nan_to_num, self, o, &c, err, &r), &r, res);
}
PtsStatus k_NAN_TO_NUM(PtsValue *a, PtsValue *out, PtsError *err) { return nan_to_num_impl(a, NULL, err, out); }
PtsStatus k_NAN_TO_NUM_(PtsValue *a, PtsValue *out, PtsError *err) { return nan_to_num_impl(a, a[0].u.t, err, out); }
PtsStatus k_NAN_TO_NUM_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return nan_to_num_impl(a, a[4].u.t, err, out); }

/* positive: self itself (torch returns the same tensor); bool has no unary plus */
PtsStatus k_POSITIVE(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].u.t->dtype != PTS_BOOL, err, RUNTIME, "The `+` operator, on a bool tensor is not supported.");
    *out = pts_vtensor(pts_tensor_retain(a[0].u.t));
    return PTS_OK;
}

/* frexp: mantissa in self's dtype, exponent int32; computed in double (exact for every float
 * type) over a contiguous copy. */
static PtsStatus frexp_compute(PtsTensor *self, PtsError *err, PtsTensor **mant, PtsTensor **expo) {
    *mant = *expo = NULL;
    PTS_CHECK(pts_dtype_is_float(self->dtype), err, RUNTIME, "torch.frexp() only supports floating-point dtypes");
    PtsTensor *d = NULL, *m = NULL, *e = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(self, PTS_FLOAT64, true, err, &d))) goto done;
    if ((s = pts_tensor_contiguous(d, err, &m))) goto done;
    pts_tensor_release(d);
    d = m;
    m = NULL;
    if ((s = pts_tensor_new(PTS_INT32, self->ndim, self->shape, err, &e))) goto done;
    double *pd = (double *)pts_tensor_data(d);
    int32_t *pe = (int32_t *)pts_tensor_data(e);
    for (int64_t i = 0, n = pts_numel(d); i < n; i++) {
        int ex = 0;
        if (isfinite(pd[i])) pd[i] = frexp(pd[i], &ex);
        pe[i] = ex;
    }
    if ((s = pts_tensor_to(d, self->dtype, false, err, &m))) goto done;
    *mant = m;
    *expo = e;
    e = NULL;
done:
    pts_tensor_release(d);
    pts_tensor_release(e);
    return s;
}
PtsStatus k_FREXP_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *m, *e;
    PTS_TRY(frexp_compute(a[0].u.t, err, &m, &e));
    out[0] = pts_vtensor(m);
    out[1] = pts_vtensor(e);
    return PTS_OK;
}
PtsStatus k_FREXP_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *om = a[1].u.t, *oe = a[2].u.t, *m, *e;
    PTS_CHECK(om->dtype == self->dtype, err, RUNTIME,
              "torch.frexp() expects mantissa to have dtype %s but got %s",
              pts_dtype_name(self->dtype), pts_dtype_name(om->dtype));
    PTS_CHECK(oe->dtype == PTS_INT32, err, RUNTIME,
              "torch.frexp() expects exponent to have int dtype but got %s", pts_dtype_name(oe->dtype));
    PTS_TRY(frexp_compute(self, err, &m, &e));
    PtsStatus s = pts_out_assign(om, m, err);
    if (!s) s = pts_out_assign(oe, e, err);
    pts_tensor_release(m);
    pts_tensor_release(e);
    PTS_TRY(s);
    out[0] = pts_vtensor(pts_tensor_retain(om));
    out[1] = pts_vtensor(pts_tensor_retain(oe));
    return PTS_OK;
}

/* ================= kernels: binary ================= */

PTS_BIN_IMPL(atan2_impl, op_atan2)
PTS_BIN_NEW(ATAN2, atan2_impl)
PTS_BIN_INPLACE(ATAN2_, atan2_impl)
PTS_BIN_OUT(ATAN2_OUT, atan2_impl)
PTS_BIN_IMPL(hypot_impl, op_hypot)
PTS_BIN_NEW(HYPOT, hypot_impl)
PTS_BIN_INPLACE(HYPOT_, hypot_impl)
PTS_BIN_OUT(HYPOT_OUT, hypot_impl)
PTS_BIN_IMPL(logaddexp_impl, op_logaddexp)
PTS_BIN_NEW(LOGADDEXP, logaddexp_impl)
PTS_BIN_OUT(LOGADDEXP_OUT, logaddexp_impl)
PTS_BIN_IMPL(logaddexp2_impl, op_logaddexp2)
PTS_BIN_NEW(LOGADDEXP2, logaddexp2_impl)
PTS_BIN_OUT(LOGADDEXP2_OUT, logaddexp2_impl)
PTS_BIN_IMPL(fmax_impl, op_fmax)
PTS_BIN_NEW(FMAX, fmax_impl)
PTS_BIN_OUT(FMAX_OUT, fmax_impl)
PTS_BIN_IMPL(fmin_impl, op_fmin)
PTS_BIN_NEW(FMIN, fmin_impl)
PTS_BIN_OUT(FMIN_OUT, fmin_impl)
PTS_BIN_IMPL(gcd_impl, op_gcd)
PTS_BIN_NEW(GCD, gcd_impl)
PTS_BIN_INPLACE(GCD_, gcd_impl)
PTS_BIN_OUT(GCD_OUT, gcd_impl)
PTS_BIN_IMPL(lcm_impl, op_lcm)
PTS_BIN_NEW(LCM, lcm_impl)
PTS_BIN_INPLACE(LCM_, lcm_impl)
PTS_BIN_OUT(LCM_OUT, lcm_impl)
PTS_BIN_IMPL(ldexp_impl, op_ldexp)
PTS_BIN_NEW(LDEXP_TENSOR, ldexp_impl)
PTS_BIN_INPLACE(LDEXP_, ldexp_impl)
PTS_BIN_OUT(LDEXP_OUT, ldexp_impl)
/* copysign and xlogy: the Tensor and Scalar overloads share one implementation */
PTS_BIN_IMPL(copysign_impl, op_copysign)
PTS_BIN_NEW(COPYSIGN_TENSOR, copysign_impl)
PTS_BIN_NEW(COPYSIGN_SCALAR, copysign_impl)
PTS_BIN_INPLACE(COPYSIGN__TENSOR, copysign_impl)
PTS_BIN_INPLACE(COPYSIGN__SCALAR, copysign_impl)
PTS_BIN_OUT(COPYSIGN_OUT, copysign_impl)
PTS_BIN_OUT(COPYSIGN_SCALAR_OUT, copysign_impl)
PTS_BIN_IMPL(xlogy_impl, op_xlogy)
PTS_BIN_NEW(XLOGY_TENSOR, xlogy_impl)
PTS_BIN_NEW(XLOGY_SCALAR_OTHER, xlogy_impl)
PTS_BIN_NEW(XLOGY_SCALAR_SELF, xlogy_impl)
PTS_BIN_INPLACE(XLOGY__TENSOR, xlogy_impl)
PTS_BIN_INPLACE(XLOGY__SCALAR_OTHER, xlogy_impl)
PTS_BIN_OUT(XLOGY_OUTTENSOR, xlogy_impl)
PTS_BIN_OUT(XLOGY_OUTSCALAR_SELF, xlogy_impl)
PTS_BIN_OUT(XLOGY_OUTSCALAR_OTHER, xlogy_impl)

static PtsStatus heaviside_impl(PtsValue a, PtsValue b, PtsTensor *o, PtsError *err, PtsValue *res) {
    PTS_CHECK(a.u.t->dtype == b.u.t->dtype && (!o || o->dtype == a.u.t->dtype), err, RUNTIME,
              "heaviside is not yet implemented for tensors with different dtypes.");
    return pts_binary_v(&op_heaviside, a, b, o, NULL, err, res);
}
PTS_BIN_NEW(HEAVISIDE, heaviside_impl)
PTS_BIN_INPLACE(HEAVISIDE_, heaviside_impl)
PTS_BIN_OUT(HEAVISIDE_OUT, heaviside_impl)

static PtsStatus nextafter_impl(PtsValue a, PtsValue b, PtsTensor *o, PtsError *err, PtsValue *res) {
    PtsTensor *pair[2] = { a.u.t, b.u.t };
    PtsDType dt = o == a.u.t ? o->dtype : pts_result_type(pair, 2);
    PtsPwCtx c = { 0, 0, (int64_t)dt, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_binary(&op_nextafter, a.u.t, b.u.t, o, &c, err, &r), &r, res);
}
PTS_BIN_NEW(NEXTAFTER, nextafter_impl)
PTS_BIN_INPLACE(NEXTAFTER_, nextafter_impl)
PTS_BIN_OUT(NEXTAFTER_OUT, nextafter_impl)

/* ================= composites: through the registry, so autograd records the inner op ===== */


/* an alias row has the primary row's argument layout: call it with the same arguments */
#define ALIAS(NEW, OLD) \
    PtsStatus k_##NEW(PtsValue *a, PtsValue *out, PtsError *err) { return pts_op_call(PTS_OP_##OLD, a, out, err); }
#define ALIAS3(NEW, OLD) ALIAS(NEW, OLD) ALIAS(NEW##_, OLD##_) ALIAS(NEW##_OUT, OLD##_OUT)
ALIAS3(ABSOLUTE, ABS)
ALIAS3(NEGATIVE, NEG)
ALIAS3(FIX, TRUNC)
ALIAS3(ARCCOS, ACOS)
ALIAS3(ARCCOSH, ACOSH)
ALIAS3(ARCSIN, ASIN)
ALIAS3(ARCSINH, ASINH)
ALIAS3(ARCTAN, ATAN)
ALIAS3(ARCTANH, ATANH)
ALIAS3(ARCTAN2, ATAN2)

/* square is pow(self, 2), as torch (so its grad_fn is PowBackward0 and bool gives int64) */
PtsStatus k_SQUARE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[2] = { a[0], pts_vint(2) };
    return pts_op_call_n(PTS_OP_POW_TENSOR_SCALAR, 2, v, out, err);
}
PtsStatus k_SQUARE_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[2] = { a[0], pts_vint(2) };
    return pts_op_call_n(PTS_OP_POW__SCALAR, 2, v, out, err);
}
PtsStatus k_SQUARE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[3] = { a[0], pts_vint(2), a[1] };
    return pts_op_call_n(PTS_OP_POW_TENSOR_SCALAR_OUT, 3, v, out, err);
}

/* float_power: pow in float64 (torch converts the tensors with .to(double)) */
static PtsStatus to_double(PtsValue t, PtsError *err, PtsValue *out) {
    PtsValue v[2] = { t, pts_vint(PTS_FLOAT64) };
    return pts_op_call_n(PTS_OP_TO_DTYPE, 2, v, out, err);
}
static PtsValue scalar_double(PtsValue s) {
    return s.tag == PTS_V_TENSOR ? s : pts_vdouble(pts_value_to_f64(s));
}
static PtsStatus fp_check(PtsTensor *t, const char *what, PtsError *err) {
    PTS_CHECK(t->dtype == PTS_FLOAT64, err, RUNTIME,
              "the %s given to float_power has dtype %s but the operation's result requires dtype Double",
              what, pts_pw_type_name(t->dtype));
    return PTS_OK;
}
/* id(self?, exponent?, out?) after converting the tensor operands (tensor_mask bits) */
static PtsStatus fp_call(PtsOpId id, int n, PtsValue *v, unsigned tensor_mask, PtsError *err, PtsValue *out) {
    PtsValue conv[4] = { pts_none(), pts_none(), pts_none(), pts_none() };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < n && !s; i++) {
        if (tensor_mask & (1u << i)) {
            if (!(s = to_double(v[i], err, &conv[i]))) v[i] = conv[i];
        }
    }
    if (!s) s = pts_op_call_n(id, n, v, out, err);
    for (int i = 0; i < 4; i++) pts_value_release(&conv[i]);
    return s;
}
PtsStatus k_FLOAT_POWER_TENSOR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[2] = { a[0], a[1] };
    return fp_call(PTS_OP_POW_TENSOR_TENSOR, 2, v, 3u, err, out);
}
PtsStatus k_FLOAT_POWER_TENSOR_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[2] = { a[0], scalar_double(a[1]) };
    return fp_call(PTS_OP_POW_TENSOR_SCALAR, 2, v, 1u, err, out);
}
PtsStatus k_FLOAT_POWER_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue v[2] = { scalar_double(a[0]), a[1] };
    return fp_call(PTS_OP_POW_SCALAR, 2, v, 2u, err, out);
}
PtsStatus k_FLOAT_POWER__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].u.t->dtype == PTS_FLOAT64, err, RUNTIME,
              "the base given to float_power_ has dtype %s but the operation's result requires dtype Double",
              pts_pw_type_name(a[0].u.t->dtype));
    PtsValue v[2] = { a[0], a[1] };
    return fp_call(PTS_OP_POW__TENSOR, 2, v, 2u, err, out);
}
PtsStatus k_FLOAT_POWER__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].u.t->dtype == PTS_FLOAT64, err, RUNTIME,
              "the base given to float_power_ has dtype %s but the operation's result requires dtype Double",
              pts_pw_type_name(a[0].u.t->dtype));
    PtsValue v[2] = { a[0], scalar_double(a[1]) };
    return pts_op_call_n(PTS_OP_POW__SCALAR, 2, v, out, err);
}
PtsStatus k_FLOAT_POWER_TENSOR_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(fp_check(a[2].u.t, "output", err));
    PtsValue v[3] = { a[0], a[1], a[2] };
    return fp_call(PTS_OP_POW_TENSOR_TENSOR_OUT, 3, v, 3u, err, out);
}
PtsStatus k_FLOAT_POWER_TENSOR_SCALAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(fp_check(a[2].u.t, "output", err));
    PtsValue v[3] = { a[0], scalar_double(a[1]), a[2] };
    return fp_call(PTS_OP_POW_TENSOR_SCALAR_OUT, 3, v, 1u, err, out);
}
PtsStatus k_FLOAT_POWER_SCALAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(fp_check(a[2].u.t, "output", err));
    PtsValue v[3] = { scalar_double(a[0]), a[1], a[2] };
    return fp_call(PTS_OP_POW_SCALAR_OUT, 3, v, 2u, err, out);
}
