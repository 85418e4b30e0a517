/* k_pointwise.c: elementwise kernels: the loop tables of each op and the k_<ID> wrappers bound to
 * the registry rows in ops_pointwise.def. */
#include "pwloops.h"

/* ---- add / sub (alpha in c->d / c->i) ---- */
PTS_BIN_F(add, x + (__typeof__(x))c->d * y)
PTS_BIN_I(add, (__typeof__(x))(x + (__typeof__(x))c->i * y))
PTS_BIN_B(add, x || (c->i && y))
static const PtsPwOp op_add = { "add", 0, { PTS_T_F(add), PTS_T_I(add), PTS_T_B(add) } };

PTS_BIN_F(sub, x - (__typeof__(x))c->d * y)
PTS_BIN_I(sub, (__typeof__(x))(x - (__typeof__(x))c->i * y))
static const PtsPwOp op_sub = { "sub", PTS_PW_NO_BOOL, { PTS_T_F(sub), PTS_T_I(sub) } };

PTS_BIN_F(mul, x * y)
PTS_BIN_I(mul, (__typeof__(x))(x * y))
PTS_BIN_B(mul, x && y)
static const PtsPwOp op_mul = { "mul", 0, { PTS_T_F(mul), PTS_T_I(mul), PTS_T_B(mul) } };

PTS_BIN_F(div, x / y)
static const PtsPwOp op_div = { "div", PTS_PW_FLOAT, { PTS_T_F(div) } };

PTS_UN_F(neg, -x)
PTS_UN_I(neg, (__typeof__(x))-x)
static const PtsPwOp op_neg = { "neg", PTS_PW_NO_BOOL, { PTS_T_F(neg), PTS_T_I(neg) } };

PTS_UN_F(tanh, sizeof(x) == 4 ? tanhf((float)x) : tanh((double)x))
static const PtsPwOp op_tanh = { "tanh", PTS_PW_FLOAT, { PTS_T_F(tanh) } };

/* ---- wrappers ---- */
static PtsPwCtx alpha_ctx(PtsValue alpha) {
    PtsPwCtx c = { pts_value_to_f64(alpha), 0, pts_value_to_i64(alpha), 0 };
    return c;
}

static PtsStatus check_alpha(PtsValue a, PtsValue b, PtsValue alpha, PtsError *err) {
    /* an integer result cannot take a float alpha */
    if (alpha.tag == PTS_V_DOUBLE) {
        bool af = a.tag == PTS_V_DOUBLE || (a.tag == PTS_V_TENSOR && pts_dtype_is_float(a.u.t->dtype));
        bool bf = b.tag == PTS_V_DOUBLE || (b.tag == PTS_V_TENSOR && pts_dtype_is_float(b.u.t->dtype));
        if (!af && !bf)
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "For integral input tensors, argument alpha must not be a floating point number.");
    }
    return PTS_OK;
}

#define BINARY_ALPHA_KERNELS(ID, OP)                                                           \
    PtsStatus k_##ID##_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                     \
        PtsPwCtx c = alpha_ctx(a[2]);                                                          \
        PTS_TRY(check_alpha(a[0], a[1], a[2], err));                                           \
        return pts_binary_v(&OP, a[0], a[1], NULL, &c, err, out);                              \
    }                                                                                          \
    PtsStatus k_##ID##__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        PtsPwCtx c = alpha_ctx(a[2]);                                                          \
        PTS_TRY(check_alpha(a[0], a[1], a[2], err));                                           \
        return pts_binary_v(&OP, a[0], a[1], a[0].u.t, &c, err, out);                          \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        PtsPwCtx c = alpha_ctx(a[2]);                                                          \
        PTS_TRY(check_alpha(a[0], a[1], a[2], err));                                           \
        return pts_binary_v(&OP, a[0], a[1], a[3].u.t, &c, err, out);                          \
    }
BINARY_ALPHA_KERNELS(ADD, op_add)
BINARY_ALPHA_KERNELS(SUB, op_sub)

#define BINARY_KERNELS(ID, OP)                                                                 \
    PtsStatus k_##ID##_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                     \
        return pts_binary_v(&OP, a[0], a[1], NULL, NULL, err, out);                            \
    }                                                                                          \
    PtsStatus k_##ID##__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return pts_binary_v(&OP, a[0], a[1], a[0].u.t, NULL, err, out);                        \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return pts_binary_v(&OP, a[0], a[1], a[2].u.t, NULL, err, out);                        \
    }
BINARY_KERNELS(MUL, op_mul)
BINARY_KERNELS(DIV, op_div)

#define UNARY_KERNELS(ID, OP)                                                                  \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        PtsTensor *r;                                                                          \
        PTS_TRY(pts_unary(&OP, a[0].u.t, NULL, NULL, err, &r));                                \
        *out = pts_vtensor(r);                                                                 \
        return PTS_OK;                                                                         \
    }                                                                                          \
    PtsStatus k_##ID##_(PtsValue *a, PtsValue *out, PtsError *err) {                           \
        PtsTensor *r;                                                                          \
        PTS_TRY(pts_unary(&OP, a[0].u.t, a[0].u.t, NULL, err, &r));                            \
        *out = pts_vtensor(r);                                                                 \
        return PTS_OK;                                                                         \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        PtsTensor *r;                                                                          \
        PTS_TRY(pts_unary(&OP, a[0].u.t, a[1].u.t, NULL, err, &r));                            \
        *out = pts_vtensor(r);                                                                 \
        return PTS_OK;                                                                         \
    }
UNARY_KERNELS(NEG, op_neg)
UNARY_KERNELS(TANH, op_tanh)
