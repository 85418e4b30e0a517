/* k_pointwise_unary.c: elementwise ops of one tensor: abs, neg, sign, the exp/log/trig family,
 * rounding, relu/sigmoid/silu/gelu, predicates (isnan, ...) and logical/bitwise not. Each op is
 * a loop table run by pts_unary; the k_<ID> wrappers are bound to ops_pointwise.def rows. */
#include <stdio.h>

#include "pwloops.h"

/* ---- sign, abs, neg ---- */
PTS_UN_F(abs, PTS_FN1(fabs, x))
PTS_UN_I(abs, x < 0 ? PTS_WNEG(x) : x)
static const PtsPwOp op_abs = { "abs_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(abs), PTS_T_I(abs) } };

PTS_UN_F(neg, -x)
PTS_UN_I(neg, PTS_WNEG(x))
static const PtsPwOp op_neg = { "neg_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(neg), PTS_T_I(neg) } };

/* NaN has sign 0, as in PyTorch */
PTS_UN_F(sign, (PTS_T(x))((0 < x) - (x < 0)))
PTS_UN_I(sign, (PTS_T(x))((0 < x) - (x < 0)))
PTS_UN_B(sign, x)
static const PtsPwOp op_sign = { "sign_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(sign), PTS_T_I(sign), PTS_T_B(sign) } };

/* ---- float functions: integer inputs promote to the default float ---- */
#define FLOAT_OP(NAME, EXPR)                                                                   \
    PTS_UN_F(NAME, EXPR)                                                                       \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", PTS_PW_FLOAT, { PTS_T_F(NAME) } };
/* the same over the vector math functions: loops multiversioned for AVX2 / AVX-512 */
#define PTS_ONE_UNV_(S, T, OP, EXPR) PTS_MV_LOOP PTS_LOOP1(OP##_##S, T, T, EXPR)
#define FLOAT_OPV(NAME, EXPR)                                                                  \
    PTS_FOR_F(PTS_ONE_UNV_, NAME, EXPR)                                                        \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", PTS_PW_FLOAT, { PTS_T_F(NAME) } };
FLOAT_OPV(exp, PTS_VFN1(exp, x))
FLOAT_OPV(expm1, PTS_VFN1(expm1, x))
FLOAT_OPV(log, PTS_VFN1(log, x))
FLOAT_OPV(log1p, PTS_VFN1(log1p, x))
FLOAT_OPV(log2, PTS_VFN1(log2, x))
FLOAT_OP(sqrt, PTS_FN1(sqrt, x))
FLOAT_OP(rsqrt, (PTS_T(x))1 / PTS_FN1(sqrt, x))
FLOAT_OPV(sin, PTS_VFN1(sin, x))
FLOAT_OPV(cos, PTS_VFN1(cos, x))
FLOAT_OPV(tan, PTS_VFN1(tan, x))
FLOAT_OPV(tanh, PTS_VFN1(tanh, x))
FLOAT_OPV(erf, PTS_VFN1(erf, x))
FLOAT_OPV(sigmoid, (PTS_T(x))1 / ((PTS_T(x))1 + PTS_VFN1(exp, -x)))
FLOAT_OP(reciprocal, (PTS_T(x))1 / x)

/* ---- rounding: identity on integers, unsupported on bool ---- */
PTS_UN_I(ident, x)
#define ROUND_OP(NAME, TORCH, EXPR)                                                            \
    PTS_UN_F(NAME, EXPR)                                                                       \
    static const PtsPwOp op_##NAME = { TORCH, PTS_PW_STRICT_OUT, { PTS_T_F(NAME), PTS_T_I(ident) } };
ROUND_OP(floor, "floor_vml_cpu", PTS_FN1(floor, x))
ROUND_OP(ceil, "ceil_vml_cpu", PTS_FN1(ceil, x))
ROUND_OP(trunc, "trunc_vml_cpu", PTS_FN1(trunc, x))
/* round half to even: nearbyint under the default rounding mode */
ROUND_OP(round, "round_vml_cpu", PTS_FN1(nearbyint, x))

/* round(decimals): c->d is 10^|decimals| (in the loop type, as PyTorch's opmath), c->i says
 * whether decimals was negative. */
PTS_UN_F(round_dec, c->i ? PTS_FN1(nearbyint, x / (PTS_T(x))c->d) * (PTS_T(x))c->d
                         : PTS_FN1(nearbyint, x * (PTS_T(x))c->d) / (PTS_T(x))c->d)
static const PtsPwOp op_round_dec = { "round_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(round_dec) } };

/* ---- activations ---- */
/* relu propagates NaN (PyTorch computes it as clamp_min(x, 0)) */
PTS_UN_F(relu, (x > 0 || x != x) ? x : (PTS_T(x))0)
PTS_UN_I(relu, x > 0 ? x : (PTS_T(x))0)
static const PtsPwOp op_relu = { "clamp_min_scalar_cpu", 0, { PTS_T_F(relu), PTS_T_I(relu) } };

PTS_UN_F(silu, x / ((PTS_T(x))1 + PTS_VFN1(exp, -x)))
static const PtsPwOp op_silu = { "silu_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(silu) } };

/* gelu: exact x/2 (1 + erf(x/sqrt 2)); tanh form x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
PTS_UN_F(gelu, x * (PTS_T(x))0.5 * ((PTS_T(x))1 + PTS_VFN1(erf, x * (PTS_T(x))M_SQRT1_2)))
PTS_UN_F(gelu_tanh, (PTS_T(x))0.5 * x *
                        ((PTS_T(x))1 + PTS_VFN1(tanh, (PTS_T(x))(M_SQRT2 * M_2_SQRTPI * 0.5) *
                                                         (x + (PTS_T(x))0.044715 * (x * x * x)))))
static const PtsPwOp op_gelu = { "GeluKernelImpl", PTS_PW_STRICT_OUT, { PTS_T_F(gelu) } };
static const PtsPwOp op_gelu_tanh = { "GeluKernelImpl", PTS_PW_STRICT_OUT, { PTS_T_F(gelu_tanh) } };

/* ---- predicates: bool results for every input dtype ---- */
PTS_PRED_ALL(isnan, x != x, 0)
static const PtsPwOp op_isnan = { "isnan", PTS_PW_BOOL_OUT, { PTS_T_ALL(isnan) } };
PTS_PRED_ALL(isinf, x == (PTS_T(x))INFINITY || x == -(PTS_T(x))INFINITY, 0)
static const PtsPwOp op_isinf = { "isinf", PTS_PW_BOOL_OUT, { PTS_T_ALL(isinf) } };
PTS_PRED_ALL(isfinite, x == x && x != (PTS_T(x))INFINITY && x != -(PTS_T(x))INFINITY, 1)
static const PtsPwOp op_isfinite = { "isfinite", PTS_PW_BOOL_OUT, { PTS_T_ALL(isfinite) } };
PTS_PRED_ALL(lnot, x == 0, x == 0)
static const PtsPwOp op_logical_not = { "logical_not_cpu", PTS_PW_BOOL_OUT, { PTS_T_ALL(lnot) } };

PTS_UN_I(bnot, ~x)
PTS_UN_B(bnot, !x)
static const PtsPwOp op_bitwise_not = { "bitwise_not_cpu", PTS_PW_STRICT_OUT, { PTS_T_I(bnot), PTS_T_B(bnot) } };

/* ---- kernels ---- */
PTS_UNARY_KERNELS(ABS, op_abs)
PTS_UNARY_KERNELS(SIGN, op_sign)
PTS_UNARY_KERNELS(EXP, op_exp)
PTS_UNARY_KERNELS(EXPM1, op_expm1)
PTS_UNARY_KERNELS(LOG, op_log)
PTS_UNARY_KERNELS(LOG1P, op_log1p)
PTS_UNARY_KERNELS(LOG2, op_log2)
PTS_UNARY_KERNELS(SQRT, op_sqrt)
PTS_UNARY_KERNELS(RSQRT, op_rsqrt)
PTS_UNARY_KERNELS(SIN, op_sin)
PTS_UNARY_KERNELS(COS, op_cos)
PTS_UNARY_KERNELS(TAN, op_tan)
PTS_UNARY_KERNELS(TANH, op_tanh)
PTS_UNARY_KERNELS(SIGMOID, op_sigmoid)
PTS_UNARY_KERNELS(ERF, op_erf)
PTS_UNARY_KERNELS(FLOOR, op_floor)
PTS_UNARY_KERNELS(CEIL, op_ceil)
PTS_UNARY_KERNELS(ROUND, op_round)
PTS_UNARY_KERNELS(TRUNC, op_trunc)
PTS_UNARY_KERNELS(RECIPROCAL, op_reciprocal)
PTS_UNARY_KERNELS(SILU, op_silu)
PTS_UNARY_KERNELS(LOGICAL_NOT, op_logical_not)
PTS_UNARY_KERNELS(BITWISE_NOT, op_bitwise_not)

/* the predicates have no in-place rows, and PyTorch binds no out= for them in Python */
PtsStatus k_ISNAN(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_isnan, a[0].u.t, NULL, NULL, err, &r), &r, out);
}
PtsStatus k_ISINF(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_isinf, a[0].u.t, NULL, NULL, err, &r), &r, out);
}
PtsStatus k_ISFINITE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_isfinite, a[0].u.t, NULL, NULL, err, &r), &r, out);
}

/* neg and relu reject bool with their own messages */
static PtsStatus neg_impl(PtsTensor *self, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(self->dtype != PTS_BOOL, err, RUNTIME,
              "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
              "to invert a mask, use the `~` or `logical_not()` operator instead.");
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_neg, self, out, NULL, err, &r), &r, res);
}
PtsStatus k_NEG(PtsValue *a, PtsValue *out, PtsError *err) { return neg_impl(a[0].u.t, NULL, err, out); }
PtsStatus k_NEG_(PtsValue *a, PtsValue *out, PtsError *err) { return neg_impl(a[0].u.t, a[0].u.t, err, out); }
PtsStatus k_NEG_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return neg_impl(a[0].u.t, a[1].u.t, err, out); }

static PtsStatus relu_impl(PtsTensor *self, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(self->dtype != PTS_BOOL, err, RUNTIME, "Boolean inputs not supported for relu");
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_relu, self, out, NULL, err, &r), &r, res);
}
PtsStatus k_RELU(PtsValue *a, PtsValue *out, PtsError *err) { return relu_impl(a[0].u.t, NULL, err, out); }
PtsStatus k_RELU_(PtsValue *a, PtsValue *out, PtsError *err) { return relu_impl(a[0].u.t, a[0].u.t, err, out); }

/* ---- round(decimals) ---- */
static PtsStatus round_dec_impl(PtsTensor *self, int64_t decimals, PtsTensor *out, PtsError *err,
                                PtsValue *res) {
    bool neg = decimals < 0;
    /* PyTorch: std::pow(10, |decimals|) cast to the loop's float type */
    double p = pow(10.0, (double)(neg ? -(decimals + 1) + 1.0 : decimals));
    PtsPwCtx c = { self->dtype == PTS_FLOAT64 ? p : (double)(float)p, 0, neg, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_round_dec, self, out, &c, err, &r), &r, res);
}
PtsStatus k_ROUND_DECIMALS(PtsValue *a, PtsValue *out, PtsError *err) {
    return round_dec_impl(a[0].u.t, a[1].u.i, NULL, err, out);
}
PtsStatus k_ROUND__DECIMALS(PtsValue *a, PtsValue *out, PtsError *err) {
    return round_dec_impl(a[0].u.t, a[1].u.i, a[0].u.t, err, out);
}
PtsStatus k_ROUND_DECIMALS_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return round_dec_impl(a[0].u.t, a[1].u.i, a[2].u.t, err, out);
}

/* ---- gelu(approximate) ---- */
static PtsStatus gelu_impl(PtsTensor *self, PtsValue approx, PtsTensor *out, PtsError *err,
                           PtsValue *res) {
    const char *s = approx.tag == PTS_V_STR ? pts_as_str(approx)->data : "none";
    const PtsPwOp *op;
    if (strcmp(s, "none") == 0) op = &op_gelu;
    else if (strcmp(s, "tanh") == 0) op = &op_gelu_tanh;
    else return pts_fail(err, PTS_ERR_RUNTIME, "approximate argument must be either none or tanh.");
    PtsTensor *r;
    return pts_pw_ret(pts_unary(op, self, out, NULL, err, &r), &r, res);
}
PtsStatus k_GELU(PtsValue *a, PtsValue *out, PtsError *err) { return gelu_impl(a[0].u.t, a[1], NULL, err, out); }
PtsStatus k_GELU_(PtsValue *a, PtsValue *out, PtsError *err) { return gelu_impl(a[0].u.t, a[1], a[0].u.t, err, out); }
PtsStatus k_GELU_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return gelu_impl(a[0].u.t, a[1], a[2].u.t, err, out); }
