/* k_builtin.c: kernels of the hidden int/float/bool builtins (ops_builtin.def): the arithmetic,
 * comparisons and conversions TorchScript code runs on Python numbers, with PyTorch's results
 * (int64 wraps around, `/` on ints gives float, `//` and `%` round toward negative infinity,
 * shifts take the count modulo 64) and PyTorch's error messages. */
#include <math.h>

#include "ops.h"

/* arguments arrive typed by the schema; reading through the converters keeps a stray bool or
 * int where a float is expected harmless */
#define I(k) pts_value_to_i64(a[k])
#define F(k) pts_value_to_f64(a[k])
#define B(k) (a[k].tag == PTS_V_BOOL ? a[k].u.b : pts_value_to_i64(a[k]) != 0)

#define K_INT(ID, expr)                                                                        \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        (void)err;                                                                             \
        out[0] = pts_vint(expr);                                                               \
        return PTS_OK;                                                                         \
    }
#define K_FLOAT(ID, expr)                                                                      \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        (void)err;                                                                             \
        out[0] = pts_vdouble(expr);                                                            \
        return PTS_OK;                                                                         \
    }
#define K_BOOL(ID, expr)                                                                       \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        (void)err;                                                                             \
        out[0] = pts_vbool(expr);                                                              \
        return PTS_OK;                                                                         \
    }

/* wrapping int64 arithmetic without signed overflow */
static int64_t wadd(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static int64_t wsub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static int64_t wmul(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }

/* ---- + - * ---- */
#define ARITH(NAME, iop, fop)                                                                  \
    K_INT(NAME##_INT, iop(I(0), I(1)))                                                         \
    K_FLOAT(NAME##_FLOAT, F(0) fop F(1))                                                       \
    K_FLOAT(NAME##_INT_FLOAT, F(0) fop F(1))                                                   \
    K_FLOAT(NAME##_FLOAT_INT, F(0) fop F(1))
ARITH(ADD, wadd, +)
ARITH(SUB, wsub, -)
ARITH(MUL, wmul, *)

K_FLOAT(DIV_INT, F(0) / F(1))
K_FLOAT(DIV_FLOAT, F(0) / F(1))

/* ---- // and % (Python rounding) ---- */
static double fl_floordiv(double x, double y) { return floor(x / y); }
static double fl_remainder(double x, double y) { return x - y * floor(x / y); }

PtsStatus k_FLOORDIV_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t x = I(0), y = I(1);
    if (y == 0) return pts_fail(err, PTS_ERR_RUNTIME, "division by 0");
    if (y == -1) { out[0] = pts_vint(wsub(0, x)); return PTS_OK; }   /* INT64_MIN // -1 wraps */
    int64_t q = x / y;
    if (x % y != 0 && ((x < 0) != (y < 0))) q--;
    out[0] = pts_vint(q);
    return PTS_OK;
}
K_FLOAT(FLOORDIV_FLOAT, fl_floordiv(F(0), F(1)))
K_FLOAT(FLOORDIV_INT_FLOAT, fl_floordiv(F(0), F(1)))
K_FLOAT(FLOORDIV_FLOAT_INT, fl_floordiv(F(0), F(1)))

PtsStatus k_REMAINDER_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t x = I(0), y = I(1);
    if (y == 0) return pts_fail(err, PTS_ERR_RUNTIME, "ZeroDivisionError: integer modulo by zero");
    if (y == -1) { out[0] = pts_vint(0); return PTS_OK; }
    int64_t r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    out[0] = pts_vint(r);
    return PTS_OK;
}
K_FLOAT(REMAINDER_FLOAT, fl_remainder(F(0), F(1)))
K_FLOAT(REMAINDER_INT_FLOAT, fl_remainder(F(0), F(1)))
K_FLOAT(REMAINDER_FLOAT_INT, fl_remainder(F(0), F(1)))

/* ---- ** (always float for these overloads) ---- */
static PtsStatus fpow(double x, double y, PtsValue *out, PtsError *err) {
    if (x == 0.0 && y < 0) return pts_fail(err, PTS_ERR_RUNTIME, "0.0 cannot be raised to a negative power");
    out[0] = pts_vdouble(pow(x, y));
    return PTS_OK;
}
PtsStatus k_POW_INT(PtsValue *a, PtsValue *out, PtsError *err) { return fpow(F(0), F(1), out, err); }
PtsStatus k_POW_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return fpow(F(0), F(1), out, err); }
PtsStatus k_POW_INT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return fpow(F(0), F(1), out, err); }
PtsStatus k_POW_FLOAT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return fpow(F(0), F(1), out, err); }

K_INT(NEG_INT, wsub(0, I(0)))
K_FLOAT(NEG_FLOAT, -F(0))

/* ---- comparisons ---- */
#define COMPARE(NAME, op)                                                                      \
    K_BOOL(NAME##_INT, I(0) op I(1))                                                           \
    K_BOOL(NAME##_FLOAT, F(0) op F(1))                                                         \
    K_BOOL(NAME##_INT_FLOAT, F(0) op F(1))                                                     \
    K_BOOL(NAME##_FLOAT_INT, F(0) op F(1))
COMPARE(LT, <)
COMPARE(GT, >)
COMPARE(LE, <=)
COMPARE(GE, >=)
COMPARE(EQ, ==)
COMPARE(NE, !=)
K_BOOL(EQ_BOOL, B(0) == B(1))
K_BOOL(NE_BOOL, B(0) != B(1))

/* ---- logic and bits ---- */
K_BOOL(NOT_BOOL, !B(0))
K_BOOL(AND_BOOL, B(0) && B(1))
K_BOOL(OR_BOOL, B(0) || B(1))
K_BOOL(XOR_BOOL, B(0) != B(1))
K_INT(AND_INT, I(0) & I(1))
K_INT(OR_INT, I(0) | I(1))
K_INT(XOR_INT, I(0) ^ I(1))
/* the shift count is taken modulo 64, as the x86 instruction PyTorch compiles to does */
K_INT(LSHIFT_INT, (int64_t)((uint64_t)I(0) << (I(1) & 63)))
K_INT(RSHIFT_INT, I(0) >> (I(1) & 63))

/* ---- conversions ---- */
static PtsStatus one_element(const PtsTensor *t, PtsError *err) {
    int64_t n = pts_numel(t);
    if (n != 1) return pts_fail(err, PTS_ERR_RUNTIME, "a Tensor with %lld elements cannot be converted to Scalar", (long long)n);
    return PTS_OK;
}

PtsStatus k_BOOL_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    int64_t n = pts_numel(t);
    if (n == 0) return pts_fail(err, PTS_ERR_RUNTIME, "Boolean value of Tensor with no values is ambiguous");
    if (n > 1) return pts_fail(err, PTS_ERR_RUNTIME, "Boolean value of Tensor with more than one value is ambiguous");
    out[0] = pts_vbool(pts_dtype_is_float(t->dtype) ? pts_tensor_item_f64(t) != 0 : pts_tensor_item_i64(t) != 0);
    return PTS_OK;
}
K_BOOL(BOOL_INT, I(0) != 0)
K_BOOL(BOOL_FLOAT, F(0) != 0)

static PtsStatus f64_to_i64(double d, PtsError *err, int64_t *out) {
    if (isnan(d)) return pts_fail(err, PTS_ERR_RUNTIME, "cannot convert float NaN to integer");
    if (!(d > -9223372036854775808.0 - 1 && d < 9223372036854775808.0))
        return pts_fail(err, PTS_ERR_RUNTIME, "cannot convert float %g to integer", d);
    *out = (int64_t)d;
    return PTS_OK;
}

PtsStatus k_INT_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(one_element(t, err));
    int64_t v = 0;
    if (pts_dtype_is_float(t->dtype)) PTS_TRY(f64_to_i64(pts_tensor_item_f64(t), err, &v));
    else v = pts_tensor_item_i64(t);
    out[0] = pts_vint(v);
    return PTS_OK;
}
K_INT(INT_BOOL, B(0) ? 1 : 0)
PtsStatus k_INT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t v = 0;
    PTS_TRY(f64_to_i64(F(0), err, &v));
    out[0] = pts_vint(v);
    return PTS_OK;
}

PtsStatus k_FLOAT_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(one_element(t, err));
    out[0] = pts_vdouble(pts_tensor_item_f64(t));
    return PTS_OK;
}
K_FLOAT(FLOAT_INT, (double)I(0))
K_FLOAT(FLOAT_BOOL, B(0) ? 1.0 : 0.0)

/* the implicit conversions the compiler inserts where a number is expected and a tensor given */
static PtsStatus zero_dim(const PtsTensor *t, PtsError *err) {
    if (t->ndim != 0) return pts_fail(err, PTS_ERR_RUNTIME, "Cannot input a tensor of dimension other than 0 as a scalar argument");
    return PTS_OK;
}

static const char *scalar_type_name(PtsDType d) {
    switch (d) {
    case PTS_FLOAT16: return "Half";
    case PTS_FLOAT32: return "Float";
    case PTS_FLOAT64: return "Double";
    case PTS_BFLOAT16: return "BFloat16";
    case PTS_BOOL: return "Bool";
    default: return pts_dtype_name(d);
    }
}

PtsStatus k_INTIMPLICIT(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(zero_dim(t, err));
    if (pts_dtype_is_float(t->dtype) || t->dtype == PTS_BOOL)
        return pts_fail(err, PTS_ERR_RUNTIME, "Cannot input a tensor of type %s as an integral argument",
                        scalar_type_name(t->dtype));
    out[0] = pts_vint(pts_tensor_item_i64(t));
    return PTS_OK;
}

PtsStatus k_FLOATIMPLICIT(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(zero_dim(t, err));
    out[0] = pts_vdouble(pts_tensor_item_f64(t));
    return PTS_OK;
}

PtsStatus k_SCALARIMPLICIT(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(zero_dim(t, err));
    if (pts_dtype_is_float(t->dtype)) out[0] = pts_vdouble(pts_tensor_item_f64(t));
    else if (t->dtype == PTS_BOOL) out[0] = pts_vbool(pts_tensor_item_i64(t) != 0);
    else out[0] = pts_vint(pts_tensor_item_i64(t));
    return PTS_OK;
}

/* ---- loops ---- */
/* number of values of range(lo, hi, step) */
PtsStatus k_RANGE_LENGTH(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t lo = I(0), hi = I(1), step = I(2);
    if (step == 0) return pts_fail(err, PTS_ERR_RUNTIME, "range() arg 3 must not be zero");
    /* spans computed in unsigned arithmetic: hi - lo may exceed INT64_MAX */
    uint64_t n = 0;
    if (step > 0 && lo < hi) n = 1 + ((uint64_t)hi - (uint64_t)lo - 1) / (uint64_t)step;
    else if (step < 0 && lo > hi) n = 1 + ((uint64_t)lo - (uint64_t)hi - 1) / (0 - (uint64_t)step);
    out[0] = pts_vint((int64_t)n);
    return PTS_OK;
}
K_INT(DERIVE_INDEX, wadd(I(1), wmul(I(0), I(2))))

PtsStatus k_LEN_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    if (t->ndim == 0) return pts_fail(err, PTS_ERR_RUNTIME, "len() of a 0-d tensor");
    out[0] = pts_vint(t->shape[0]);
    return PTS_OK;
}
