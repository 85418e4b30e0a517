/* k_act.c: kernels of ops_act.def. The activations are loop tables run by the pointwise engine
 * (float16/bfloat16 compute in float32; integer inputs raise PyTorch's NotImplementedError, except
 * hardtanh, a clamp in PyTorch); their *_backward rows are binary loops of (grad_output, input).
 * relu6 is hardtanh(0, 6) through the registry, as in PyTorch. */
#include <string.h>

#include "pwloops.h"

/* Scalar parameters become PyTorch's opmath values: the loop type's own cast (float for float32
 * loops) is applied in the expressions through PTS_T. */
static double sv(PtsValue v) { return pts_value_to_f64(v); }

/* ---- leaky_relu ---- */
PTS_UN_F(leaky, x > 0 ? x : x * (PTS_T(x))c->d)
static const PtsPwOp op_leaky = { "leaky_relu_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(leaky) } };
PTS_BIN_F(leaky_bw, y > 0 ? x : x * (PTS_T(x))c->d)
static const PtsPwOp op_leaky_bw = { "leaky_relu_backward_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(leaky_bw) } };

static PtsStatus leaky_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsPwCtx c = { sv(a[1]), 0, 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_leaky, a[0].u.t, out, &c, err, &r), &r, res);
}
PtsStatus k_LEAKY_RELU(PtsValue *a, PtsValue *out, PtsError *err) { return leaky_impl(a, NULL, err, out); }
PtsStatus k_LEAKY_RELU_(PtsValue *a, PtsValue *out, PtsError *err) { return leaky_impl(a, a[0].u.t, err, out); }
PtsStatus k_LEAKY_RELU_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return leaky_impl(a, a[2].u.t, err, out); }
PtsStatus k_LEAKY_RELU_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    double slope = sv(a[2]);
    PTS_CHECK(!(a[3].u.b && slope < 0), err, RUNTIME,
              "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
              "supported. This is caused by calling in-place forward function with a negative slope, "
              "please call out-of-place version instead. File an issue at "
              "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward "
              "calculation with negative slope");
    PtsPwCtx c = { slope, 0, 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_binary(&op_leaky_bw, a[0].u.t, a[1].u.t, NULL, &c, err, &r), &r, out);
}

/* ---- elu: scale * (x > 0 ? x : alpha * expm1(x * input_scale)). c->d = alpha * scale (negcoef),
 * c->d2 = scale, c->i holds input_scale's bits (the context has two double slots). ---- */
static inline double ctx_is(const PtsPwCtx *c) {
    double d;
    memcpy(&d, &c->i, sizeof d);
    return d;
}
#define NEGC(x) ((PTS_T(x))c->d)
#define POSC(x) ((PTS_T(x))c->d2)
#define INSC(x) ((PTS_T(x))ctx_is(c))
PTS_UN_F(elu, x <= 0 ? PTS_VFN1(expm1, x * INSC(x)) * NEGC(x) : x * POSC(x))
static const PtsPwOp op_elu = { "elu_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(elu) } };
/* backward from the input (y = x) or from the result (y = elu(x)), x = grad_output */
PTS_BIN_F(elu_bw_x, y <= 0 ? x * INSC(x) * NEGC(x) * PTS_VFN1(exp, y * INSC(x)) : x * POSC(x))
PTS_BIN_F(elu_bw_r, y <= 0 ? x * INSC(x) * (y + NEGC(x)) : x * POSC(x))
static const PtsPwOp op_elu_bw_x = { "elu_backward_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(elu_bw_x) } };
static const PtsPwOp op_elu_bw_r = { "elu_backward_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(elu_bw_r) } };

static PtsPwCtx elu_ctx(PtsValue alpha, PtsValue scale, PtsValue input_scale, PtsDType dt) {
    double al = sv(alpha), sc = sv(scale), is = sv(input_scale);
    /* PyTorch multiplies alpha and scale in the loop's opmath type */
    double neg = dt == PTS_FLOAT64 ? al * sc : (double)((float)al * (float)sc);
    PtsPwCtx c = { neg, sc, 0, 0 };
    memcpy(&c.i, &is, sizeof is);
    return c;
}
static PtsStatus elu_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsPwCtx c = elu_ctx(a[1], a[2], a[3], a[0].u.t->dtype);
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_elu, a[0].u.t, out, &c, err, &r), &r, res);
}
PtsStatus k_ELU(PtsValue *a, PtsValue *out, PtsError *err) { return elu_impl(a, NULL, err, out); }
PtsStatus k_ELU_(PtsValue *a, PtsValue *out, PtsError *err) { return elu_impl(a, a[0].u.t, err, out); }
PtsStatus k_ELU_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return elu_impl(a, a[4].u.t, err, out); }
PtsStatus k_ELU_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    bool is_result = a[4].u.b;
    PTS_CHECK(!(is_result && sv(a[1]) < 0), err, RUNTIME,
              "In-place elu backward calculation is triggered with a negative slope which is not "
              "supported. This is caused by calling in-place forward function with a negative slope, "
              "please call out-of-place version instead.");
    PtsPwCtx c = elu_ctx(a[1], a[2], a[3], a[0].u.t->dtype);
    PtsTensor *r;
    return pts_pw_ret(pts_binary(is_result ? &op_elu_bw_r : &op_elu_bw_x, a[0].u.t, a[5].u.t, NULL, &c, err, &r),
                      &r, out);
}

/* ---- softplus: x * beta > threshold ? x : log1p(exp(x * beta)) / beta ---- */
PTS_UN_F(softplus, x * (PTS_T(x))c->d > (PTS_T(x))c->d2 ? x
                   : PTS_VFN1(log1p, PTS_VFN1(exp, x * (PTS_T(x))c->d)) / (PTS_T(x))c->d)
static const PtsPwOp op_softplus = { "softplus_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(softplus) } };
PTS_BIN_F(softplus_bw, y * (PTS_T(x))c->d > (PTS_T(x))c->d2 ? x
                       : x * PTS_VFN1(exp, y * (PTS_T(x))c->d) / (PTS_VFN1(exp, y * (PTS_T(x))c->d) + (PTS_T(x))1))
static const PtsPwOp op_softplus_bw = { "softplus_backward_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(softplus_bw) } };

static PtsStatus softplus_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsPwCtx c = { sv(a[1]), sv(a[2]), 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_softplus, a[0].u.t, out, &c, err, &r), &r, res);
}
PtsStatus k_SOFTPLUS(PtsValue *a, PtsValue *out, PtsError *err) { return softplus_impl(a, NULL, err, out); }
PtsStatus k_SOFTPLUS_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return softplus_impl(a, a[3].u.t, err, out); }
PtsStatus k_SOFTPLUS_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsPwCtx c = { sv(a[2]), sv(a[3]), 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_binary(&op_softplus_bw, a[0].u.t, a[1].u.t, NULL, &c, err, &r), &r, out);
}

/* ---- hardtanh: clamp(x, min_val, max_val), NaN propagating; integers clamp too ---- */
#define HT_LO(x) PTS_CTX_AS(x, c->d, c->i)
#define HT_HI(x) PTS_CTX_AS(x, c->d2, c->i2)
/* min(max(x, lo), hi): with min_val > max_val everything becomes max_val, as PyTorch's clamp */
#define HT_EXPR(x) ((x) < HT_LO(x) ? (HT_LO(x) > HT_HI(x) ? HT_HI(x) : HT_LO(x)) : ((x) > HT_HI(x) ? HT_HI(x) : (x)))
PTS_UN_F(hardtanh, HT_EXPR(x))
PTS_UN_I(hardtanh, HT_EXPR(x))
static const PtsPwOp op_hardtanh = { "hardtanh_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(hardtanh), PTS_T_I(hardtanh) } };
PTS_BIN_F(hardtanh_bw, (y <= (PTS_T(x))c->d || y >= (PTS_T(x))c->d2) ? (PTS_T(x))0 : x)
static const PtsPwOp op_hardtanh_bw = { "hardtanh_backward_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(hardtanh_bw) } };

static PtsStatus hardtanh_impl(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(a[0].u.t->dtype != PTS_BOOL, err, RUNTIME, "Bool inputs not supported for hardtanh");
    double lo = sv(a[1]), hi = sv(a[2]);
    PTS_CHECK(!(a[0].u.t->dtype == PTS_UINT8 && (lo < 0 || hi < 0)), err, RUNTIME,
              "cannot do hardtanh on an unsigned type with negative limits");
    PtsPwCtx c = { lo, hi, (int64_t)lo, (int64_t)hi };
    PtsTensor *r;
    return pts_pw_ret(pts_unary(&op_hardtanh, a[0].u.t, out, &c, err, &r), &r, res);
}
PtsStatus k_HARDTANH(PtsValue *a, PtsValue *out, PtsError *err) { return hardtanh_impl(a, NULL, err, out); }
PtsStatus k_HARDTANH_(PtsValue *a, PtsValue *out, PtsError *err) { return hardtanh_impl(a, a[0].u.t, err, out); }
PtsStatus k_HARDTANH_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return hardtanh_impl(a, a[3].u.t, err, out); }
PtsStatus k_HARDTANH_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsPwCtx c = { sv(a[2]), sv(a[3]), 0, 0 };
    PtsTensor *r;
    return pts_pw_ret(pts_binary(&op_hardtanh_bw, a[0].u.t, a[1].u.t, NULL, &c, err, &r), &r, out);
}

/* ---- relu6 = hardtanh(self, 0, 6), through the registry so autograd records HardtanhBackward0 ---- */
static PtsStatus relu6_impl(PtsOpId id, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[3] = { a[0], pts_vint(0), pts_vint(6) };
    return pts_op_call(id, args, out, err);
}
PtsStatus k_RELU6(PtsValue *a, PtsValue *out, PtsError *err) { return relu6_impl(PTS_OP_HARDTANH, a, out, err); }
PtsStatus k_RELU6_(PtsValue *a, PtsValue *out, PtsError *err) { return relu6_impl(PTS_OP_HARDTANH_, a, out, err); }
