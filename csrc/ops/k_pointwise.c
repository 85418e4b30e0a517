/* k_pointwise.c: elementwise arithmetic of two operands: add/sub/rsub (alpha), mul, div (with
 * rounding modes), remainder, fmod, floor_divide, pow, maximum/minimum. Loop tables plus the
 * k_<ID> wrappers bound to the rows in ops_pointwise.def. Integer semantics follow PyTorch:
 * overflow wraps, division by zero raises "ZeroDivisionError", Python-style remainder. */
#include "pwloops.h"

/* ---- add / sub: plain, and with alpha in c->d / c->i ---- */
PTS_BIN_F(add, x + y)
PTS_BIN_I(add, PTS_WADD(x, y))
PTS_BIN_B(add, x || y)
static const PtsPwOp op_add = { "add_cpu", 0, { PTS_T_F(add), PTS_T_I(add), PTS_T_B(add) } };
PTS_BIN_F(add_a, x + (PTS_T(x))c->d * y)
PTS_BIN_I(add_a, PTS_WADD(x, PTS_WMUL((PTS_T(x))c->i, y)))
PTS_BIN_B(add_a, x || (c->i != 0 && y))
static const PtsPwOp op_add_alpha = { "add_cpu", 0, { PTS_T_F(add_a), PTS_T_I(add_a), PTS_T_B(add_a) } };

PTS_BIN_F(sub, x - y)
PTS_BIN_I(sub, PTS_WSUB(x, y))
static const PtsPwOp op_sub = { "sub_cpu", 0, { PTS_T_F(sub), PTS_T_I(sub) } };
PTS_BIN_F(sub_a, x - (PTS_T(x))c->d * y)
PTS_BIN_I(sub_a, PTS_WSUB(x, PTS_WMUL((PTS_T(x))c->i, y)))
static const PtsPwOp op_sub_alpha = { "sub_cpu", 0, { PTS_T_F(sub_a), PTS_T_I(sub_a) } };

/* ---- mul, true division ---- */
PTS_BIN_F(mul, x * y)
PTS_BIN_I(mul, PTS_WMUL(x, y))
PTS_BIN_B(mul, x && y)
static const PtsPwOp op_mul = { "mul_cpu", 0, { PTS_T_F(mul), PTS_T_I(mul), PTS_T_B(mul) } };

PTS_BIN_F(div, x / y)
static const PtsPwOp op_div = { "div_true_cpu", PTS_PW_FLOAT, { PTS_T_F(div) } };

/* ---- integer division family ----
 * A zero divisor sets the fault (the engine raises); a / -1 negates (wrapping) instead of
 * trapping on the minimum value. */
#define DEF_IDIV(S, T, _)                                                                      \
    static inline T idiv_trunc_##S(T a, T b, const PtsPwCtx *c) {                              \
        if (b == 0) { PTS_PW_SET_FAULT(c, PTS_PW_FAULT_ZERODIV); return 0; }                            \
        if ((T)-1 < (T)0 && b == (T)-1) return PTS_WNEG(a);                                    \
        return (T)(a / b);                                                                     \
    }                                                                                          \
    static inline T idiv_floor_##S(T a, T b, const PtsPwCtx *c) {                              \
        if (b == 0) { PTS_PW_SET_FAULT(c, PTS_PW_FAULT_ZERODIV); return 0; }                            \
        if ((T)-1 < (T)0 && b == (T)-1) return PTS_WNEG(a);                                    \
        T q = (T)(a / b), r = (T)(a % b);                                                      \
        return (r != 0 && ((r < (T)0) != (b < (T)0))) ? (T)(q - 1) : q;                        \
    }                                                                                          \
    static inline T irem_##S(T a, T b, const PtsPwCtx *c) {                                    \
        if (b == 0) { PTS_PW_SET_FAULT(c, PTS_PW_FAULT_ZERODIV); return 0; }                            \
        if ((T)-1 < (T)0 && b == (T)-1) return 0;                                              \
        T r = (T)(a % b);                                                                      \
        return (r != 0 && ((r < (T)0) != (b < (T)0))) ? (T)(r + b) : r;                        \
    }                                                                                          \
    static inline T ifmod_##S(T a, T b, const PtsPwCtx *c) {                                   \
        if (b == 0) { PTS_PW_SET_FAULT(c, PTS_PW_FAULT_ZERODIV); return 0; }                            \
        if ((T)-1 < (T)0 && b == (T)-1) return 0;                                              \
        return (T)(a % b);                                                                     \
    }                                                                                          \
    /* PyTorch's powi: negative exponents give 1, +-1 or 0 */                                  \
    static inline T ipow_##S(T a, T b) {                                                       \
        if ((T)-1 < (T)0 && b < (T)0) {                                                        \
            if (a == 1) return 1;                                                              \
            if ((T)-1 < (T)0 && a == (T)-1) return (b & 1) ? (T)-1 : (T)1;                     \
            return 0;                                                                          \
        }                                                                                      \
        T r = 1;                                                                               \
        while (b) {                                                                            \
            if (b & 1) r = PTS_WMUL(r, a);                                                     \
            b = (T)(b / 2);                                                                    \
            a = PTS_WMUL(a, a);                                                                \
        }                                                                                      \
        return r;                                                                              \
    }
PTS_FOR_I(DEF_IDIV, 0)

/* float floor division and remainder exactly as PyTorch's div_floor_floating / remainder */
#define DEF_FDIV(S, T, _)                                                                      \
    static inline T fdiv_floor_##S(T a, T b) {                                                 \
        if (b == 0) return a / b;                                                              \
        T mod = PTS_FN2(fmod, a, b);                                                           \
        T div = (a - mod) / b;                                                                 \
        if (mod != 0 && (b < 0) != (mod < 0)) div -= (T)1;                                     \
        if (div == 0) return PTS_FN2(copysign, (T)0, a / b);                                   \
        T fl = PTS_FN1(floor, div);                                                            \
        if (div - fl > (T)0.5) fl += (T)1;                                                     \
        return fl;                                                                             \
    }                                                                                          \
    static inline T frem_##S(T a, T b) {                                                       \
        T mod = PTS_FN2(fmod, a, b);                                                           \
        if (mod != 0 && (b < 0) != (mod < 0)) mod += b;                                        \
        return mod;                                                                            \
    }
PTS_FOR_F(DEF_FDIV, 0)

PTS_BIN_F(div_trunc, PTS_FN1(trunc, x / y))
PTS_BIN_I(div_trunc, PTS_IGEN(idiv_trunc, x)(x, y, c))
static const PtsPwOp op_div_trunc = { "div_trunc_cpu", 0, { PTS_T_F(div_trunc), PTS_T_I(div_trunc) } };
PTS_BIN_F(div_floor, PTS_FGEN(fdiv_floor, x)(x, y))
PTS_BIN_I(div_floor, PTS_IGEN(idiv_floor, x)(x, y, c))
static const PtsPwOp op_div_floor = { "div_floor_cpu", 0, { PTS_T_F(div_floor), PTS_T_I(div_floor) } };
PTS_BIN_F(rem, PTS_FGEN(frem, x)(x, y))
PTS_BIN_I(rem, PTS_IGEN(irem, x)(x, y, c))
static const PtsPwOp op_remainder = { "remainder_cpu", 0, { PTS_T_F(rem), PTS_T_I(rem) } };
PTS_BIN_F(fmod, PTS_FN2(fmod, x, y))
PTS_BIN_I(fmod, PTS_IGEN(ifmod, x)(x, y, c))
static const PtsPwOp op_fmod = { "fmod_cpu", 0, { PTS_T_F(fmod), PTS_T_I(fmod) } };

/* ---- maximum / minimum: NaN propagates ---- */
PTS_BIN_F(max, x != x ? x : (y != y ? y : (x > y ? x : y)))
PTS_BIN_I(max, x > y ? x : y)
PTS_BIN_B(max, x || y)
static const PtsPwOp op_maximum = { "maximum_cpu", 0, { PTS_T_F(max), PTS_T_I(max), PTS_T_B(max) } };
PTS_BIN_F(min, x != x ? x : (y != y ? y : (x < y ? x : y)))
PTS_BIN_I(min, x < y ? x : y)
PTS_BIN_B(min, x && y)
static const PtsPwOp op_minimum = { "minimum_cpu", 0, { PTS_T_F(min), PTS_T_I(min), PTS_T_B(min) } };

/* ---- pow ---- */
PTS_BIN_F(pow, PTS_FN2(pow, x, y))
PTS_BIN_I(pow, PTS_IGEN(ipow, x)(x, y))
static const PtsPwOp op_pow = { "pow", 0, { PTS_T_F(pow), PTS_T_I(pow) } };
/* pow(tensor, scalar): PyTorch's special cases, then the generic form with the exponent in c */
PTS_UN_F(pow_s, PTS_FN2(pow, x, (PTS_T(x))c->d))
PTS_UN_I(pow_s, PTS_IGEN(ipow, x)(x, (PTS_T(x))c->i))
static const PtsPwOp op_pow_s = { "pow", 0, { PTS_T_F(pow_s), PTS_T_I(pow_s) } };
PTS_UN_F(pow_2, x * x)
static const PtsPwOp op_pow_2 = { "pow", 0, { PTS_T_F(pow_2) } };
PTS_UN_F(pow_3, x * x * x)
static const PtsPwOp op_pow_3 = { "pow", 0, { PTS_T_F(pow_3) } };
PTS_UN_F(pow_m2, (PTS_T(x))1 / (x * x))
static const PtsPwOp op_pow_m2 = { "pow", 0, { PTS_T_F(pow_m2) } };
PTS_UN_F(pow_half, PTS_FN1(sqrt, x))
static const PtsPwOp op_pow_half = { "pow", 0, { PTS_T_F(pow_half) } };
PTS_UN_F(pow_mhalf, (PTS_T(x))1 / PTS_FN1(sqrt, x))
static const PtsPwOp op_pow_mhalf = { "pow", 0, { PTS_T_F(pow_mhalf) } };
PTS_UN_F(pow_m1, (PTS_T(x))1 / x)
static const PtsPwOp op_pow_m1 = { "pow", 0, { PTS_T_F(pow_m1) } };
/* exponent 0 fills ones, exponent 1 copies (any dtype, bool included) */
PTS_UN_F(one, (PTS_T(x))1)
PTS_UN_I(one, (PTS_T(x))1)
PTS_UN_B(one, true)
static const PtsPwOp op_pow_0 = { "pow", 0, { PTS_T_F(one), PTS_T_I(one), PTS_T_B(one) } };
PTS_UN_F(copy, x)
PTS_UN_I(copy, x)
PTS_UN_B(copy, x)
static const PtsPwOp op_pow_1 = { "pow", 0, { PTS_T_F(copy), PTS_T_I(copy), PTS_T_B(copy) } };

/* ---- helpers ---- */
static int scalar_kind(PtsValue v) {
    if (v.tag == PTS_V_TENSOR) return pts_dtype_kind(v.u.t->dtype);
    return v.tag == PTS_V_DOUBLE ? PTS_KIND_FLOAT : v.tag == PTS_V_INT ? PTS_KIND_INT : PTS_KIND_BOOL;
}

/* Runs op over (a, b) with the common dtype `common` already computed. */
static PtsStatus run2(const PtsPwOp *op, PtsTensor *a, PtsTensor *b, PtsDType common,
                      PtsTensor *out, const PtsPwCtx *c, PtsError *err, PtsValue *res) {
    PtsTensor *pair[2] = { a, b }, *r;
    return pts_pw_ret(pts_pointwise(op, 2, pair, NULL, common, out, c, err, &r), &r, res);
}

/* ---- add / sub / rsub ---- */
static PtsStatus addsub(bool sub, PtsValue a, PtsValue b, PtsValue alpha, PtsTensor *out,
                        PtsError *err, PtsValue *res) {
    PtsTensor *ta = NULL, *tb = NULL;
    PtsStatus s;
    if ((s = pts_wrap_scalar(a, err, &ta)) || (s = pts_wrap_scalar(b, err, &tb))) goto done;
    if (sub && (ta->dtype == PTS_BOOL || tb->dtype == PTS_BOOL)) {
        s = pts_fail(err, PTS_ERR_RUNTIME, ta->dtype == tb->dtype
                     ? "Subtraction, the `-` operator, with two bool tensors is not supported. "
                       "Use the `^` or `logical_xor()` operator instead."
                     : "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                       "are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        goto done;
    }
    PtsTensor *pair[2] = { ta, tb };
    PtsDType common = pts_result_type(pair, 2);
    int ak = scalar_kind(alpha);
    if (ak == PTS_KIND_BOOL && common != PTS_BOOL) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "Boolean alpha only supported for Boolean results.");
        goto done;
    }
    if (ak == PTS_KIND_FLOAT && !pts_dtype_is_float(common)) {
        s = pts_fail(err, PTS_ERR_RUNTIME,
                     "For integral input tensors, argument alpha must not be a floating point number.");
        goto done;
    }
    if ((s = pts_pw_check_scalar(alpha, common, err))) goto done;
    PtsPwCtx c = { pts_value_to_f64(alpha), 0, pts_value_to_i64(alpha), 0 };
    const PtsPwOp *op = c.d == 1.0 ? (sub ? &op_sub : &op_add) : (sub ? &op_sub_alpha : &op_add_alpha);
    s = run2(op, ta, tb, common, out, &c, err, res);
done:
    pts_tensor_release(ta);
    pts_tensor_release(tb);
    return s;
}

PtsStatus k_ADD_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_ADD_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_ADD__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_ADD__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_ADD_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], a[3].u.t, err, out); }
PtsStatus k_ADD_SCALAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(false, a[0], a[1], a[2], a[3].u.t, err, out); }
PtsStatus k_SUB_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_SUB_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_SUB__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_SUB__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_SUB_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], a[3].u.t, err, out); }
PtsStatus k_SUB_SCALAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[0], a[1], a[2], a[3].u.t, err, out); }
/* rsub(self, other, alpha) = other - alpha * self */
PtsStatus k_RSUB_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[1], a[0], a[2], NULL, err, out); }
PtsStatus k_RSUB_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return addsub(true, a[1], a[0], a[2], NULL, err, out); }

/* ---- mul, div, remainder, fmod, floor_divide, maximum, minimum ---- */
PTS_BIN_IMPL(mul_impl, op_mul)
PTS_BIN_IMPL(div_impl, op_div)
PTS_BIN_IMPL(remainder_impl, op_remainder)
PTS_BIN_IMPL(fmod_impl, op_fmod)
PTS_BIN_IMPL(floor_divide_impl, op_div_floor)
PTS_BIN_IMPL(maximum_impl, op_maximum)
PTS_BIN_IMPL(minimum_impl, op_minimum)

PTS_BIN_NEW(MUL_TENSOR, mul_impl)
PTS_BIN_NEW(MUL_SCALAR, mul_impl)
PTS_BIN_INPLACE(MUL__TENSOR, mul_impl)
PTS_BIN_INPLACE(MUL__SCALAR, mul_impl)
PTS_BIN_OUT(MUL_OUT, mul_impl)
PTS_BIN_OUT(MUL_SCALAR_OUT, mul_impl)

PTS_BIN_NEW(DIV_TENSOR, div_impl)
PTS_BIN_NEW(DIV_SCALAR, div_impl)
PTS_BIN_INPLACE(DIV__TENSOR, div_impl)
PTS_BIN_INPLACE(DIV__SCALAR, div_impl)
PTS_BIN_OUT(DIV_OUT, div_impl)
PTS_BIN_OUT(DIV_SCALAR_OUT, div_impl)
PTS_BIN_NEW(TRUE_DIVIDE_TENSOR, div_impl)
PTS_BIN_NEW(TRUE_DIVIDE_SCALAR, div_impl)
PTS_BIN_INPLACE(TRUE_DIVIDE__TENSOR, div_impl)
PTS_BIN_INPLACE(TRUE_DIVIDE__SCALAR, div_impl)
PTS_BIN_OUT(TRUE_DIVIDE_OUT, div_impl)

static PtsStatus div_mode(PtsValue a, PtsValue b, PtsValue mode, PtsTensor *out, PtsError *err,
                          PtsValue *res) {
    const PtsPwOp *op = &op_div;
    if (mode.tag == PTS_V_STR) {
        const char *m = pts_as_str(mode)->data;
        if (strcmp(m, "trunc") == 0) op = &op_div_trunc;
        else if (strcmp(m, "floor") == 0) op = &op_div_floor;
        else
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                            "found '%s'", m);
    }
    return pts_binary_v(op, a, b, out, NULL, err, res);
}
PtsStatus k_DIV_TENSOR_MODE(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_DIV_SCALAR_MODE(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], NULL, err, out); }
PtsStatus k_DIV__TENSOR_MODE(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_DIV__SCALAR_MODE(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_DIV_OUT_MODE(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], a[3].u.t, err, out); }
PtsStatus k_DIV_SCALAR_MODE_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return div_mode(a[0], a[1], a[2], a[3].u.t, err, out); }

PTS_BIN_NEW(REMAINDER_TENSOR, remainder_impl)
PTS_BIN_NEW(REMAINDER_SCALAR, remainder_impl)
PTS_BIN_NEW(REMAINDER_SCALAR_TENSOR, remainder_impl)
PTS_BIN_INPLACE(REMAINDER__TENSOR, remainder_impl)
PTS_BIN_INPLACE(REMAINDER__SCALAR, remainder_impl)
PTS_BIN_OUT(REMAINDER_TENSOR_OUT, remainder_impl)
PTS_BIN_OUT(REMAINDER_SCALAR_OUT, remainder_impl)

PTS_BIN_NEW(FMOD_TENSOR, fmod_impl)
PTS_BIN_NEW(FMOD_SCALAR, fmod_impl)
PTS_BIN_INPLACE(FMOD__TENSOR, fmod_impl)
PTS_BIN_INPLACE(FMOD__SCALAR, fmod_impl)
PTS_BIN_OUT(FMOD_TENSOR_OUT, fmod_impl)
PTS_BIN_OUT(FMOD_SCALAR_OUT, fmod_impl)

PTS_BIN_NEW(FLOOR_DIVIDE, floor_divide_impl)
PTS_BIN_NEW(FLOOR_DIVIDE_SCALAR, floor_divide_impl)
PTS_BIN_INPLACE(FLOOR_DIVIDE__TENSOR, floor_divide_impl)
PTS_BIN_INPLACE(FLOOR_DIVIDE__SCALAR, floor_divide_impl)
PTS_BIN_OUT(FLOOR_DIVIDE_OUT, floor_divide_impl)
PTS_BIN_OUT(FLOOR_DIVIDE_SCALAR_OUT, floor_divide_impl)

PTS_BIN_NEW(MAXIMUM, maximum_impl)
PTS_BIN_OUT(MAXIMUM_OUT, maximum_impl)
PTS_BIN_NEW(MINIMUM, minimum_impl)
PTS_BIN_OUT(MINIMUM_OUT, minimum_impl)

/* ---- pow ---- */
/* pow(tensor, scalar exponent): the exponent decides the loop, as in PyTorch's Pow.cpp. */
static PtsStatus pow_ts(PtsTensor *self, PtsValue e, PtsTensor *out, PtsError *err, PtsValue *res) {
    int ek = scalar_kind(e);
    double ed = pts_value_to_f64(e);
    int64_t ei = pts_value_to_i64(e);
    PTS_CHECK(!(!pts_dtype_is_float(self->dtype) && ek != PTS_KIND_FLOAT && ei < 0), err, RUNTIME,
              "Integers to negative integer powers are not allowed.");
    PtsTensor *te;
    PTS_TRY(pts_wrap_scalar(e.tag == PTS_V_TENSOR ? (ek == PTS_KIND_FLOAT ? pts_vdouble(ed)
                                                     : ek == PTS_KIND_INT ? pts_vint(ei)
                                                                          : pts_vbool(ei != 0))
                                                  : e, err, &te));
    PtsTensor *pair[2] = { self, te };
    PtsDType common = pts_result_type(pair, 2);
    pts_tensor_release(te);
    /* the exponent becomes the loop's type: integers and the reduced floats check its range */
    if (!pts_dtype_is_float(common) || common == PTS_FLOAT16 || common == PTS_BFLOAT16)
        PTS_TRY(pts_pw_check_scalar(e, common, err));
    PtsPwCtx c = { ed, 0, ei, 0 };
    const PtsPwOp *op = &op_pow_s;
    if (ed == 0) op = &op_pow_0;
    else if (ed == 1) op = &op_pow_1;
    else if (pts_dtype_is_float(common)) {
        /* the exponent in the tensor's precision for the reduced float types */
        if (common == PTS_FLOAT16) c.d = pts_half_to_float(pts_float_to_half((float)ed));
        if (common == PTS_BFLOAT16) c.d = pts_bf16_to_float(pts_float_to_bf16((float)ed));
        if (common != PTS_FLOAT16) {
            if (ed == 0.5) op = &op_pow_half;
            else if (ed == -0.5) op = &op_pow_mhalf;
            else if (ed == -1) op = &op_pow_m1;
            else if (c.d == 2) op = &op_pow_2;
            else if (c.d == 3) op = &op_pow_3;
            else if (c.d == -2) op = &op_pow_m2;
        }
    }
    PtsTensor *r;
    return pts_pw_ret(pts_pointwise(op, 1, &self, NULL, common, out, &c, err, &r), &r, res);
}

/* pow(scalar base, tensor): a base of one fills ones, else the tensor-tensor form */
static PtsStatus pow_st(PtsValue base, PtsTensor *e, PtsTensor *out, PtsError *err, PtsValue *res) {
    /* a bool base never equals 1 (PyTorch's Scalar::equal) */
    bool is_bool = base.tag == PTS_V_BOOL || (base.tag == PTS_V_TENSOR && base.u.t->dtype == PTS_BOOL);
    if (is_bool || pts_value_to_f64(base) != 1.0) return pts_binary_v(&op_pow, base, pts_vtensor(e), out, NULL, err, res);
    PtsTensor *tb;
    PTS_TRY(pts_wrap_scalar(base, err, &tb));
    PtsTensor *pair[2] = { tb, e };
    PtsDType common = pts_result_type(pair, 2);
    pts_tensor_release(tb);
    PtsTensor *r;
    return pts_pw_ret(pts_pointwise(&op_pow_0, 1, &e, NULL, common, out, NULL, err, &r), &r, res);
}

/* Python numbers reach the Tensor overload as wrapped numbers; they take the Scalar forms. */
static PtsStatus pow_tt(PtsValue a, PtsValue b, PtsTensor *out, PtsError *err, PtsValue *res) {
    if (b.tag != PTS_V_TENSOR || (b.u.t->flags & PTS_TF_WRAPPED_NUMBER)) {
        if (a.tag == PTS_V_TENSOR && !(a.u.t->flags & PTS_TF_WRAPPED_NUMBER))
            return pow_ts(a.u.t, b, out, err, res);
    } else if (a.tag != PTS_V_TENSOR || (a.u.t->flags & PTS_TF_WRAPPED_NUMBER)) {
        return pow_st(a, b.u.t, out, err, res);
    }
    return pts_binary_v(&op_pow, a, b, out, NULL, err, res);
}
static PtsStatus pow_ts_v(PtsValue a, PtsValue b, PtsTensor *out, PtsError *err, PtsValue *res) {
    return pow_ts(a.u.t, b, out, err, res);
}
static PtsStatus pow_st_v(PtsValue a, PtsValue b, PtsTensor *out, PtsError *err, PtsValue *res) {
    return pow_st(a, b.u.t, out, err, res);
}
PTS_BIN_NEW(POW_TENSOR_TENSOR, pow_tt)
PTS_BIN_NEW(POW_TENSOR_SCALAR, pow_ts_v)
PTS_BIN_NEW(POW_SCALAR, pow_st_v)
PTS_BIN_INPLACE(POW__TENSOR, pow_tt)
PTS_BIN_INPLACE(POW__SCALAR, pow_ts_v)
PTS_BIN_OUT(POW_TENSOR_TENSOR_OUT, pow_tt)
PTS_BIN_OUT(POW_TENSOR_SCALAR_OUT, pow_ts_v)
PTS_BIN_OUT(POW_SCALAR_OUT, pow_st_v)
