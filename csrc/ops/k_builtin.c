/* k_builtin.c: kernels of the hidden int/float/bool builtins (ops_builtin.def): the arithmetic,
 * comparisons and conversions TorchScript code runs on Python numbers, with PyTorch's results
 * (int64 wraps around, `/` on ints gives float, `//` and `%` round toward negative infinity,
 * shifts take the count modulo 64) and PyTorch's error messages. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "complex.h"

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

/* ---- identity (x is None, x is y) ---- */
static bool same_identity(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    switch (a.tag) {
    case PTS_V_NONE: return true;
    case PTS_V_BOOL: return a.u.b == b.u.b;
    case PTS_V_INT: case PTS_V_DEVICE: return a.u.i == b.u.i;
    case PTS_V_DOUBLE: return a.u.d == b.u.d;
    case PTS_V_TENSOR: return a.u.t == b.u.t;
    default: return a.u.h == b.u.h;
    }
}
K_BOOL(IS, same_identity(a[0], a[1]))
K_BOOL(ISNOT, !same_identity(a[0], a[1]))

/* {==================== printing (TorchScript's C++ forms) ==================== */
#include "builtin.h"

/* doubles as C++ prints them with max_digits10, a '.' added to integral values ("1.") */
static void print_double(PtsBuf *b, double d) {
    char s[64];
    snprintf(s, sizeof s, "%.17g", d);
    if (isfinite(d) && !strpbrk(s, ".e")) strcat(s, ".");
    pts_buf_puts(b, s);
}

static const char *cpu_type_name(PtsDType d) {
    switch (d) {
    case PTS_FLOAT32: return "CPUFloatType";
    case PTS_FLOAT64: return "CPUDoubleType";
    case PTS_FLOAT16: return "CPUHalfType";
    case PTS_BFLOAT16: return "CPUBFloat16Type";
    case PTS_INT64: return "CPULongType";
    case PTS_INT32: return "CPUIntType";
    case PTS_INT16: return "CPUShortType";
    case PTS_INT8: return "CPUCharType";
    case PTS_UINT8: return "CPUByteType";
    case PTS_BOOL: return "CPUBoolType";
    default: return "CPUType";
    }
}

/* at::print's number format for a set of values (Formatting.cpp __printFormat): width, scale and
 * one of fixed (precision 4), scientific (precision 4) or default (%g) */
typedef struct TFmt { int sz; double scale; char mode; } TFmt;   /* mode 'f', 'e' or 'g' */

static TFmt tensor_fmt(const double *p, int64_t n) {
    TFmt f = { 11, 1, 'g' };
    if (n == 0) { f.sz = 0; return f; }
    bool int_mode = true;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(p[i]) && p[i] != ceil(p[i])) { int_mode = false; break; }
    int64_t off = 0;
    while (off < n && !isfinite(p[off])) off++;
    double emin = 1, emax = 1;
    if (off != n) {
        emin = fabs(p[off]);
        emax = fabs(p[off]);
        for (int64_t i = off; i < n; i++) {
            double z = fabs(p[i]);
            if (isfinite(z)) {
                if (z < emin) emin = z;
                if (p[i] > emax) emax = z;   /* signed comparison, as PyTorch */
            }
        }
        emin = emin != 0 ? floor(log10(emin)) + 1 : 1;
        emax = emax != 0 ? floor(log10(emax)) + 1 : 1;
    }
    if (int_mode) {
        if (emax > 9) { f.sz = 11; f.mode = 'e'; }
        else { f.sz = (int)emax + 1; f.mode = 'g'; }
    } else if (emax - emin > 4) {
        f.sz = 11 + (fabs(emax) > 99 || fabs(emin) > 99);
        f.mode = 'e';
    } else if (emax > 5 || emax < 0) {
        f.sz = 7;
        f.scale = pow(10, emax - 1);
        f.mode = 'f';
    } else {
        f.sz = emax == 0 ? 7 : (int)emax + 6;
        f.mode = 'f';
    }
    return f;
}

static void put_num(PtsBuf *b, TFmt f, double v) {
    if (f.mode == 'f') pts_buf_printf(b, "%*.4f", f.sz, v / f.scale);
    else if (f.mode == 'e') pts_buf_printf(b, "%*.4e", f.sz, v / f.scale);
    else pts_buf_printf(b, "%*g", f.sz, v / f.scale);
}

static void put_scale(PtsBuf *b, TFmt f) {
    if (f.scale != 1) pts_buf_printf(b, "%g *\n", f.scale);
}

/* matrix rows x cols at p (contiguous), as __printMatrix with 80 columns per line */
static void print_matrix(PtsBuf *b, const double *p, int64_t rows, int64_t cols, TFmt f) {
    int64_t per_line = 80 / (f.sz + 1);
    if (per_line < 1) per_line = 1;
    for (int64_t first = 0; first < cols;) {
        int64_t last = first + per_line <= cols ? first + per_line - 1 : cols - 1;
        if (per_line < cols) {
            if (first != 0) pts_buf_puts(b, "\n");
            pts_buf_printf(b, "Columns %lld to %lld", (long long)first + 1, (long long)last + 1);
        }
        put_scale(b, f);
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = first; c <= last; c++) {
                put_num(b, f, p[r * cols + c]);
                if (c == last) {
                    pts_buf_puts(b, "\n");
                    if (r != rows - 1 && f.scale != 1) pts_buf_puts(b, " ");
                } else pts_buf_puts(b, " ");
            }
        first = last + 1;
    }
}

static PtsStatus print_tensor(PtsBuf *b, PtsTensor *t, PtsError *err) {
    PtsTensor *d;
    PTS_TRY(pts_tensor_to(t, PTS_FLOAT64, false, err, &d));
    const double *p = (const double *)pts_tensor_data(d);
    int64_t n = pts_numel(d);
    if (n == 0) {
        /* nothing but the footer */
    } else if (d->ndim == 0) {
        pts_buf_printf(b, "%g\n", p[0]);
    } else if (d->ndim == 1) {
        TFmt f = tensor_fmt(p, n);
        put_scale(b, f);
        for (int64_t i = 0; i < n; i++) {
            put_num(b, f, p[i]);
            pts_buf_puts(b, "\n");
        }
    } else if (d->ndim == 2) {
        print_matrix(b, p, d->shape[0], d->shape[1], tensor_fmt(p, n));
    } else {
        /* slices over the leading dims: "(i,j,.,.) = " then the matrix */
        int64_t rows = d->shape[d->ndim - 2], cols = d->shape[d->ndim - 1], mat = rows * cols;
        TFmt f = tensor_fmt(p, n);
        int64_t idx[PTS_MAX_DIMS] = { 0 };
        for (int64_t m = 0; m < n / mat; m++) {
            if (m) pts_buf_puts(b, "\n");
            pts_buf_puts(b, "(");
            for (int k = 0; k < d->ndim - 2; k++) pts_buf_printf(b, "%lld,", (long long)idx[k] + 1);
            pts_buf_puts(b, ".,.) = \n");
            print_matrix(b, p + m * mat, rows, cols, f);
            for (int k = d->ndim - 3; k >= 0; k--) {
                if (++idx[k] < d->shape[k]) break;
                idx[k] = 0;
            }
        }
    }
    pts_buf_printf(b, "[ %s{", cpu_type_name(t->dtype));
    for (int k = 0; k < t->ndim; k++) pts_buf_printf(b, k ? ",%lld" : "%lld", (long long)t->shape[k]);
    pts_buf_puts(b, "} ]");
    pts_tensor_release(d);
    return PTS_OK;
}

const char *(*pts_object_qualname_hook)(const PtsHeap *h);
bool (*pts_heap_print_hook)(PtsBuf *b, const PtsHeap *h);

PtsStatus pts_builtin_print_value(PtsBuf *b, PtsValue v, PtsError *err) {
    switch (v.tag) {
    case PTS_V_NONE: pts_buf_puts(b, "None"); break;
    case PTS_V_BOOL: pts_buf_puts(b, v.u.b ? "True" : "False"); break;
    case PTS_V_INT: pts_buf_printf(b, "%lld", (long long)v.u.i); break;
    case PTS_V_DOUBLE: print_double(b, v.u.d); break;
    case PTS_V_COMPLEX: pts_complex_print(b, pts_as_complex(v)->re, pts_as_complex(v)->im); break;
    case PTS_V_STR: pts_buf_putn(b, pts_as_str(v)->data, pts_as_str(v)->len); break;
    case PTS_V_TENSOR: PTS_TRY(print_tensor(b, v.u.t, err)); break;
    case PTS_V_DEVICE: pts_buf_puts(b, v.u.i < 0 ? "cpu" : "cuda"); break;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(v);
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "[" : "(");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            PTS_TRY(pts_builtin_print_value(b, l->items[i], err));
        }
        if (v.tag == PTS_V_TUPLE && l->len == 1) pts_buf_puts(b, ",");
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "]" : ")");
        break;
    }
    case PTS_V_DICT: {
        PtsDict *d = pts_as_dict(v);
        pts_buf_puts(b, "{");
        for (int64_t i = 0; i < d->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            PTS_TRY(pts_builtin_print_value(b, d->keys[i], err));
            pts_buf_puts(b, ": ");
            PTS_TRY(pts_builtin_print_value(b, d->vals[i], err));
        }
        pts_buf_puts(b, "}");
        break;
    }
    case PTS_V_OBJECT: {
        const char *q = pts_object_qualname_hook ? pts_object_qualname_hook(v.u.h) : NULL;
        if (q) pts_buf_printf(b, "<%s object at %p>", q, (void *)v.u.h);
        else pts_buf_puts(b, "<object>");
        break;
    }
    case PTS_V_HEAP:
        if (!pts_heap_print_hook || !pts_heap_print_hook(b, v.u.h)) pts_buf_puts(b, "<object>");
        break;
    default: pts_buf_puts(b, "<object>"); break;
    }
    if (b->oom) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return PTS_OK;
}

static PtsStatus buf_to_str(PtsBuf *b, PtsError *err, PtsValue *out) {
    if (b->oom) { pts_buf_free(b); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    PtsStatus s = pts_str_new(b->data ? b->data : "", b->len, err, out);
    pts_buf_free(b);
    return s;
}

PtsStatus pts_builtin_format(const char *fmt, size_t len, const PtsValue *args, int nargs, PtsError *err,
                             PtsValue *out) {
    PtsBuf b;
    pts_buf_init(&b);
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = fmt[i];
        if (c == '{' && i + 1 < len && fmt[i + 1] == '{') { pts_buf_puts(&b, "{"); i++; continue; }
        if (c == '}' && i + 1 < len && fmt[i + 1] == '}') { pts_buf_puts(&b, "}"); i++; continue; }
        if (c == '{' && i + 1 < len && fmt[i + 1] == '}') {
            if (k >= nargs) {
                pts_buf_free(&b);
                return pts_fail(err, PTS_ERR_RUNTIME, "Too few arguments for format string: %.*s", (int)len, fmt);
            }
            PtsStatus s = pts_builtin_print_value(&b, args[k++], err);
            if (s) { pts_buf_free(&b); return s; }
            i++;
            continue;
        }
        pts_buf_putn(&b, &c, 1);
    }
    return buf_to_str(&b, err, out);
}
/* }==================== */

/* {==================== lists ==================== */
#define LIST(k) pts_as_list(a[k])
#define DICT(k) pts_as_dict(a[k])
#define STRV(k) pts_as_str(a[k])

static PtsStatus need(PtsValue v, int tag, const char *what, PtsError *err) {
    if (v.tag != tag) return pts_fail(err, PTS_ERR_TYPE, "expected a %s", what);
    return PTS_OK;
}

/* a list index, negative from the end; "list index out of range" as TorchScript, whose
 * interpreter raises it as a RuntimeError (not Python's IndexError) */
static PtsStatus list_index(int64_t len, int64_t i, PtsError *err, int64_t *out) {
    if (i < 0) i += len;
    if (i < 0 || i >= len) return pts_fail(err, PTS_ERR_RUNTIME, "list index out of range");
    *out = i;
    return PTS_OK;
}

PtsStatus k_LEN_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    out[0] = pts_vint(LIST(0)->len);
    return PTS_OK;
}
PtsStatus k_LEN_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    /* bytes, as PyTorch's kernel (not characters) */
    out[0] = pts_vint((int64_t)STRV(0)->len);
    return PTS_OK;
}
static PtsStatus dict_len(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    out[0] = pts_vint(DICT(0)->len);
    return PTS_OK;
}
PtsStatus k_LEN_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_len(a, out, err); }
PtsStatus k_LEN_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_len(a, out, err); }

PtsStatus k_GETITEM_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    int64_t i = 0;
    PTS_TRY(list_index(LIST(0)->len, I(1), err, &i));
    out[0] = pts_value_retain(LIST(0)->items[i]);
    return PTS_OK;
}

PtsStatus k_GETITEM_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    int64_t n = (int64_t)s->len, i = I(1);   /* bytes, as PyTorch */
    if (i < 0) i += n;
    /* torch indexes with std::string::at: its out_of_range message, the index as a size_t */
    if (i < 0 || i >= n)
        return pts_fail(err, PTS_ERR_RUNTIME, "basic_string::at: __n (which is %llu) >= this->size() (which is %llu)",
                        (unsigned long long)(uint64_t)i, (unsigned long long)n);
    return pts_str_new(s->data + i, 1, err, out);
}

static PtsStatus dict_get(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    int64_t e = pts_dict_find(a[0], a[1]);
    if (e < 0) {
        PtsBuf b;
        pts_buf_init(&b);
        PtsStatus s = pts_builtin_print_value(&b, a[1], err);
        /* a Tensor key prints as the tensor's operator<< does: [ torch.FloatTensor{3} ], not
         * print()'s [ CPUFloatType{3} ] */
        char *cpu = b.data && a[1].tag == PTS_V_TENSOR ? strstr(b.data, "[ CPU") : NULL, *ty = cpu ? strstr(cpu, "Type{") : NULL;
        if (!s && ty)
            s = pts_fail(err, PTS_ERR_RUNTIME, "KeyError: %.*s[ torch.%.*sTensor%s", (int)(cpu - b.data), b.data,
                         (int)(ty - cpu - 5), cpu + 5, ty + 4);
        else if (!s) s = pts_fail(err, PTS_ERR_RUNTIME, "KeyError: %s", b.data ? b.data : "");
        pts_buf_free(&b);
        return s;
    }
    out[0] = pts_value_retain(DICT(0)->vals[e]);
    return PTS_OK;
}
PtsStatus k_GETITEM_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get(a, out, err); }
PtsStatus k_GETITEM_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get(a, out, err); }

PtsStatus k_SET_ITEM_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    int64_t i = 0;
    PTS_TRY(list_index(LIST(0)->len, I(1), err, &i));
    PtsValue v = pts_value_retain(a[2]);
    pts_value_release(&LIST(0)->items[i]);
    LIST(0)->items[i] = v;
    out[0] = pts_value_retain(a[0]);
    return PTS_OK;
}
static PtsStatus dict_set(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PTS_TRY(pts_dict_set(a[0], pts_value_retain(a[1]), pts_value_retain(a[2]), err));
    (void)out;
    return PTS_OK;
}
PtsStatus k_SET_ITEM_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_set(a, out, err); }
PtsStatus k_SET_ITEM_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_set(a, out, err); }

/* list(l): a shallow copy (archive code copies lists before mutating them) */
PtsStatus k_LIST_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    PtsValue r;
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, &r));
    for (int64_t i = 0; i < l->len; i++) {
        PtsStatus s = pts_list_append(r, pts_value_retain(l->items[i]), err);
        if (s) { pts_value_release(&r); return s; }
    }
    out[0] = r;
    return PTS_OK;
}

PtsTextHook pts_print_hook = NULL;
PtsTextHook pts_warn_hook = NULL;

PtsStatus pts_warn_once(_Atomic bool *warned, const char *msg, size_t len, PtsError *err) {
    if (atomic_exchange(warned, true) || !pts_warn_hook) return PTS_OK;
    return pts_warn_hook(msg, len, err);
}

/* warnings.warn(message) in TorchScript: through pts_warn_hook (Python's warnings module, whose
 * default filter shows a message once per calling line), else to stderr */
PtsStatus k_WARN(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *m = pts_as_str(a[0]);
    if (pts_warn_hook) return pts_warn_hook(m->data, m->len, err);
    fprintf(stderr, "UserWarning: %s\n", m->data);
    return PTS_OK;
}

PtsStatus k_APPEND_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PTS_TRY(pts_list_append(a[0], pts_value_retain(a[1]), err));
    out[0] = pts_value_retain(a[0]);
    return PTS_OK;
}

PtsStatus k_POP_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    if (l->len == 0) return pts_fail(err, PTS_ERR_RUNTIME, "pop from empty list");
    int64_t i = 0;
    PTS_TRY(list_index(l->len, I(1), err, &i));
    out[0] = l->items[i];
    memmove(&l->items[i], &l->items[i + 1], sizeof(PtsValue) * (size_t)(l->len - i - 1));
    l->len--;
    return PTS_OK;
}

static bool scalar_eq(PtsValue x, PtsValue y) {
    if (x.tag == PTS_V_STR && y.tag == PTS_V_STR)
        return pts_as_str(x)->len == pts_as_str(y)->len && memcmp(pts_as_str(x)->data, pts_as_str(y)->data, pts_as_str(x)->len) == 0;
    if ((x.tag == PTS_V_INT || x.tag == PTS_V_BOOL) && (y.tag == PTS_V_INT || y.tag == PTS_V_BOOL))
        return pts_value_to_i64(x) == pts_value_to_i64(y);
    if (x.tag == PTS_V_DOUBLE || y.tag == PTS_V_DOUBLE) return pts_value_to_f64(x) == pts_value_to_f64(y);
    return false;
}
static PtsStatus list_contains(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    bool r = false;
    for (int64_t i = 0; i < LIST(0)->len && !r; i++) r = scalar_eq(LIST(0)->items[i], a[1]);
    out[0] = pts_vbool(r);
    return PTS_OK;
}
PtsStatus k_CONTAINS_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_contains(a, out, err); }
PtsStatus k_CONTAINS_FLOAT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_contains(a, out, err); }
PtsStatus k_CONTAINS_STR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_contains(a, out, err); }
static PtsStatus dict_contains(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    out[0] = pts_vbool(pts_dict_find(a[0], a[1]) >= 0);
    return PTS_OK;
}
PtsStatus k_CONTAINS_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_contains(a, out, err); }
PtsStatus k_CONTAINS_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_contains(a, out, err); }

static PtsStatus dict_list(PtsValue *a, PtsValue *out, PtsError *err, bool keys) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    PTS_TRY(pts_list_new(PTS_V_LIST, d->len, err, out));
    for (int64_t i = 0; i < d->len; i++) {
        PtsStatus s = pts_list_append(*out, pts_value_retain(keys ? d->keys[i] : d->vals[i]), err);
        if (s) { pts_value_release(out); return s; }
    }
    return PTS_OK;
}
PtsStatus k_KEYS_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_list(a, out, err, true); }
PtsStatus k_KEYS_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_list(a, out, err, true); }
PtsStatus k_VALUES_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_list(a, out, err, false); }
PtsStatus k_VALUES_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_list(a, out, err, false); }

/* d.items(): a list of (key, value) tuples in insertion order (for k, v in d.items() iterates it) */
static PtsStatus dict_items(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    PTS_TRY(pts_list_new(PTS_V_LIST, d->len, err, out));
    for (int64_t i = 0; i < d->len; i++) {
        PtsValue pair;
        PtsStatus s = pts_list_new(PTS_V_TUPLE, 2, err, &pair);
        if (!s) {
            PtsList *l = pts_as_list(pair);
            l->items[0] = pts_value_retain(d->keys[i]);
            l->items[1] = pts_value_retain(d->vals[i]);
            l->len = 2;
            s = pts_list_append(*out, pair, err);
        }
        if (s) { pts_value_release(out); return s; }
    }
    return PTS_OK;
}
PtsStatus k_ITEMS_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_items(a, out, err); }
PtsStatus k_ITEMS_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_items(a, out, err); }

static PtsStatus dict_get_default(PtsValue *a, PtsValue *out, PtsError *err, bool has_default) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    int64_t e = pts_dict_find(a[0], a[1]);
    out[0] = e >= 0 ? pts_value_retain(DICT(0)->vals[e]) : has_default ? pts_value_retain(a[2]) : pts_none();
    return PTS_OK;
}
PtsStatus k_GET_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get_default(a, out, err, false); }
PtsStatus k_GET_DEFAULT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get_default(a, out, err, true); }
PtsStatus k_GET_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get_default(a, out, err, false); }
PtsStatus k_GET_DEFAULT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_get_default(a, out, err, true); }

static PtsStatus dict_setdefault(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    int64_t e = pts_dict_find(a[0], a[1]);
    if (e < 0) PTS_TRY(pts_dict_set(a[0], pts_value_retain(a[1]), pts_value_retain(a[2]), err));
    out[0] = e >= 0 ? pts_value_retain(DICT(0)->vals[e]) : pts_value_retain(a[2]);
    return PTS_OK;
}
PtsStatus k_SETDEFAULT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_setdefault(a, out, err); }
PtsStatus k_SETDEFAULT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_setdefault(a, out, err); }

/* removal rebuilds the dict's index: a new dict of the other entries takes over the storage */
static PtsStatus dict_pop(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    int64_t e = pts_dict_find(a[0], a[1]);
    if (e < 0) return dict_get(a, out, err);   /* the KeyError */
    PtsValue nd;
    PTS_TRY(pts_dict_new(d->len, err, &nd));
    for (int64_t i = 0; i < d->len; i++) {
        if (i == e) continue;
        PtsStatus s = pts_dict_set(nd, pts_value_retain(d->keys[i]), pts_value_retain(d->vals[i]), err);
        if (s) { pts_value_release(&nd); return s; }
    }
    out[0] = pts_value_retain(d->vals[e]);
    PtsDict *n = pts_as_dict(nd), tmp = *d;
    d->len = n->len; d->cap = n->cap; d->keys = n->keys; d->vals = n->vals; d->index = n->index; d->nindex = n->nindex;
    n->len = tmp.len; n->cap = tmp.cap; n->keys = tmp.keys; n->vals = tmp.vals; n->index = tmp.index; n->nindex = tmp.nindex;
    pts_value_release(&nd);
    return PTS_OK;
}
PtsStatus k_POP_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_pop(a, out, err); }
PtsStatus k_POP_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_pop(a, out, err); }

/* d.pop(k, default): the default when k is absent, the dict unchanged */
static PtsStatus dict_pop_default(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    if (pts_dict_find(a[0], a[1]) < 0) {
        out[0] = pts_value_retain(a[2]);
        return PTS_OK;
    }
    return dict_pop(a, out, err);
}
PtsStatus k_POP_DICT_DEFAULT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_pop_default(a, out, err); }
PtsStatus k_POP_DICT_DEFAULT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_pop_default(a, out, err); }

/* d.popitem(): torch removes the first entry in insertion order (Python removes the last) */
static PtsStatus dict_popitem(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    if (d->len == 0) return pts_fail(err, PTS_ERR_RUNTIME, "popitem(): dictionary is empty");
    PtsValue pair, key = pts_value_retain(d->keys[0]), popped = pts_none();
    PtsStatus s = pts_list_new(PTS_V_TUPLE, 2, err, &pair);
    if (s) { pts_value_release(&key); return s; }
    PtsValue args[2] = { a[0], key };
    if ((s = dict_pop(args, &popped, err))) {
        pts_value_release(&key);
        pts_value_release(&pair);
        return s;
    }
    PtsList *l = pts_as_list(pair);
    l->items[0] = key;
    l->items[1] = popped;
    l->len = 2;
    out[0] = pair;
    return PTS_OK;
}
PtsStatus k_POPITEM_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_popitem(a, out, err); }
PtsStatus k_POPITEM_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_popitem(a, out, err); }

static PtsStatus dict_update(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PTS_TRY(need(a[1], PTS_V_DICT, "dict", err));
    PtsDict *s = DICT(1);
    for (int64_t i = 0, n = s->len; i < n; i++)
        PTS_TRY(pts_dict_set(a[0], pts_value_retain(s->keys[i]), pts_value_retain(s->vals[i]), err));
    return PTS_OK;
}
PtsStatus k_UPDATE_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_update(a, out, err); }
PtsStatus k_UPDATE_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_update(a, out, err); }
/* }==================== */

/* {==================== strings ==================== */
PtsStatus k_ADD_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    PTS_TRY(need(a[1], PTS_V_STR, "str", err));
    PtsBuf b;
    pts_buf_init(&b);
    pts_buf_putn(&b, STRV(0)->data, STRV(0)->len);
    pts_buf_putn(&b, STRV(1)->data, STRV(1)->len);
    return buf_to_str(&b, err, out);
}
K_BOOL(EQ_STR, scalar_eq(a[0], a[1]))
K_BOOL(NE_STR, !scalar_eq(a[0], a[1]))

PtsStatus k_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsBuf b;
    pts_buf_init(&b);
    PtsStatus s = pts_builtin_print_value(&b, a[0], err);
    if (s) { pts_buf_free(&b); return s; }
    return buf_to_str(&b, err, out);
}

/* called with the format string only (the interpreter passes the varargs through I_FORMAT) */
PtsStatus k_FORMAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    return pts_builtin_format(STRV(0)->data, STRV(0)->len, NULL, 0, err, out);
}

static PtsStatus str_args(PtsValue *a, int nstr, PtsError *err) {
    for (int k = 0; k < nstr; k++) PTS_TRY(need(a[k], PTS_V_STR, "str", err));
    return PTS_OK;
}

static void torch_bounds(const PtsStr *s, int64_t *start, int64_t *end);
static PtsStatus torch_substr(const PtsStr *s, int64_t start, int64_t end, size_t *b, size_t *n, PtsError *err);
/* the window is PyTorch's substr(start, end - start) (see torch_substr) */
static PtsStatus starts_ends(PtsValue *a, PtsValue *out, PtsError *err, bool ends) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *p = STRV(1);
    int64_t start = I(2), end = I(3);
    torch_bounds(s, &start, &end);
    size_t b = 0, n = 0;
    PTS_TRY(torch_substr(s, start, end, &b, &n, err));
    out[0] = pts_vbool(n >= p->len && memcmp(s->data + b + (ends ? n - p->len : 0), p->data, p->len) == 0);
    return PTS_OK;
}
PtsStatus k_STARTSWITH(PtsValue *a, PtsValue *out, PtsError *err) { return starts_ends(a, out, err, false); }
PtsStatus k_ENDSWITH(PtsValue *a, PtsValue *out, PtsError *err) { return starts_ends(a, out, err, true); }
static PtsStatus find_impl(PtsValue *a, bool reverse, PtsError *err, int64_t *res);
PtsStatus k_FIND(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t r;
    PTS_TRY(find_impl(a, false, err, &r));
    out[0] = pts_vint(r);
    return PTS_OK;
}


PtsStatus k_SPLIT_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    int64_t max = I(2);
    PTS_TRY(pts_list_new(PTS_V_LIST, 4, err, out));
    PtsStatus st = PTS_OK;
    PtsValue piece;
    if (a[1].tag == PTS_V_NONE) {
        /* PyTorch's splitNoneSeparator: non-empty runs between bytes of its whitespace set (that
         * of splitlines plus space and tab, so U+0085/U+2028/U+2029's bytes split too); max is
         * not consulted */
        static const char ws[] = " \t\n\r\v\f\x1c\x1d\x1e\x85\xe2\x80\xa8\xa9";
        size_t prev = 0;
        for (size_t i = 0; i <= s->len && !st; i++) {
            if (i < s->len && !memchr(ws, s->data[i], sizeof ws - 1)) continue;
            if (i > prev && !(st = pts_str_new(s->data + prev, i - prev, err, &piece))) st = pts_list_append(*out, piece, err);
            prev = i + 1;
        }
    } else {
        PTS_TRY(need(a[1], PTS_V_STR, "str", err));
        const PtsStr *sep = STRV(1);
        if (sep->len == 0) { pts_value_release(out); return pts_fail(err, PTS_ERR_RUNTIME, "ValueError: empty separator"); }
        size_t i = 0;
        int64_t splits = 0;
        for (;;) {
            size_t j = i;
            bool found = false;
            if (max < 0 || splits < max)
                for (; j + sep->len <= s->len; j++)
                    if (memcmp(s->data + j, sep->data, sep->len) == 0) { found = true; break; }
            if (!found) j = s->len;
            if ((st = pts_str_new(s->data + i, j - i, err, &piece)) || (st = pts_list_append(*out, piece, err))) break;
            if (!found) break;
            splits++;
            i = j + sep->len;
        }
    }
    if (st) pts_value_release(out);
    return st;
}

PtsStatus k_JOIN(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    PTS_TRY(need(a[1], PTS_V_LIST, "list", err));
    PtsBuf b;
    pts_buf_init(&b);
    for (int64_t i = 0; i < LIST(1)->len; i++) {
        PtsValue x = LIST(1)->items[i];
        if (x.tag != PTS_V_STR) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_TYPE, "join() expects a list of str"); }
        if (i) pts_buf_putn(&b, STRV(0)->data, STRV(0)->len);
        pts_buf_putn(&b, pts_as_str(x)->data, pts_as_str(x)->len);
    }
    return buf_to_str(&b, err, out);
}

static PtsStatus str_case(PtsValue *a, PtsValue *out, PtsError *err, bool upper) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    PtsBuf b;
    pts_buf_init(&b);
    for (size_t i = 0; i < STRV(0)->len; i++) {
        char c = STRV(0)->data[i];
        if (upper && c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (!upper && c >= 'A' && c <= 'Z') c = (char)(c + 32);
        pts_buf_putn(&b, &c, 1);
    }
    return buf_to_str(&b, err, out);
}
PtsStatus k_LOWER(PtsValue *a, PtsValue *out, PtsError *err) { return str_case(a, out, err, false); }
PtsStatus k_UPPER(PtsValue *a, PtsValue *out, PtsError *err) { return str_case(a, out, err, true); }

PtsStatus k_STRIP(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *cs = STRV(1);
    /* the schema's default is written with escapes (" \\n\\t\\f\\v"): it means whitespace */
    static const char ws[] = " \n\t\f\v";
    if (cs->len == 9 && memcmp(cs->data, " \\n\\t\\f\\v", 9) == 0) {
        size_t b = 0, e = s->len;
        while (b < e && memchr(ws, s->data[b], sizeof ws - 1)) b++;
        while (e > b && memchr(ws, s->data[e - 1], sizeof ws - 1)) e--;
        return pts_str_new(s->data + b, e - b, err, out);
    }
    size_t b = 0, e = s->len;
    while (b < e && memchr(cs->data, s->data[b], cs->len)) b++;
    while (e > b && memchr(cs->data, s->data[e - 1], cs->len)) e--;
    return pts_str_new(s->data + b, e - b, err, out);
}

PtsStatus k_REPLACE(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(str_args(a, 3, err));
    const PtsStr *s = STRV(0), *o = STRV(1), *n = STRV(2);
    int64_t max = I(3), done = 0;
    PtsBuf b;
    pts_buf_init(&b);
    size_t i = 0;
    while (i <= s->len) {
        if ((max < 0 || done < max) && i + o->len <= s->len && memcmp(s->data + i, o->data, o->len) == 0) {
            pts_buf_putn(&b, n->data, n->len);
            done++;
            if (o->len == 0) {
                if (i < s->len) pts_buf_putn(&b, s->data + i, 1);
                i++;
            } else i += o->len;
            continue;
        }
        if (i < s->len) pts_buf_putn(&b, s->data + i, 1);
        i++;
    }
    return buf_to_str(&b, err, out);
}
/* }==================== */

/* {==================== math and numeric builtins ==================== */
/* C's results (nan, -inf), as PyTorch's kernels: no math domain errors */
K_FLOAT(SQRT_INT, sqrt(F(0)))
K_FLOAT(SQRT_FLOAT, sqrt(F(0)))
K_FLOAT(EXP_INT, exp(F(0)))
K_FLOAT(EXP_FLOAT, exp(F(0)))
K_FLOAT(LOG_INT, log(F(0)))
K_FLOAT(LOG_FLOAT, log(F(0)))
PtsStatus k_FLOOR_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t v = 0;
    PTS_TRY(f64_to_i64(floor(F(0)), err, &v));
    out[0] = pts_vint(v);
    return PTS_OK;
}
PtsStatus k_CEIL_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t v = 0;
    PTS_TRY(f64_to_i64(ceil(F(0)), err, &v));
    out[0] = pts_vint(v);
    return PTS_OK;
}
K_BOOL(ISNAN_FLOAT, isnan(F(0)))
K_BOOL(ISINF_FLOAT, isinf(F(0)))
/* round half to even, as Python */
K_FLOAT(ROUND_FLOAT, nearbyint(F(0)))
K_INT(ABS_INT, I(0) < 0 ? wsub(0, I(0)) : I(0))
K_FLOAT(ABS_FLOAT, fabs(F(0)))

PtsStatus k_DIVMOD_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    if (I(1) == 0) return pts_fail(err, PTS_ERR_RUNTIME, "ZeroDivisionError: integer division or modulo by zero");
    PTS_TRY(k_FLOORDIV_INT(a, &out[0], err));
    return k_REMAINDER_INT(a, &out[1], err);
}
PtsStatus k_DIVMOD_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    if (F(1) == 0) return pts_fail(err, PTS_ERR_RUNTIME, "ZeroDivisionError: float divmod()");
    double x = F(0), y = F(1), m = fmod(x, y), q = (x - m) / y;
    if (m != 0 && ((y < 0) != (m < 0))) { m += y; q -= 1; }
    out[0] = pts_vdouble(q);
    out[1] = pts_vdouble(m);
    return PTS_OK;
}
K_INT(MIN_INT, I(0) < I(1) ? I(0) : I(1))
K_INT(MAX_INT, I(0) > I(1) ? I(0) : I(1))
/* torch's `a < b ? a : b` (DEFINE_BINARY_OP): a NaN wins only as the second operand,
 * min(nan, 1.0) is 1.0 and min(1.0, nan) is nan */
K_FLOAT(MIN_FLOAT, F(0) < F(1) ? F(0) : F(1))
K_FLOAT(MAX_FLOAT, F(0) > F(1) ? F(0) : F(1))
K_FLOAT(MIN_INT_FLOAT, F(0) < F(1) ? F(0) : F(1))
K_FLOAT(MIN_FLOAT_INT, F(0) < F(1) ? F(0) : F(1))
K_FLOAT(MAX_INT_FLOAT, F(0) > F(1) ? F(0) : F(1))
K_FLOAT(MAX_FLOAT_INT, F(0) > F(1) ? F(0) : F(1))

static PtsStatus list_extreme(PtsValue *a, PtsValue *out, PtsError *err, bool want_max, bool is_float) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    if (l->len == 0) return pts_fail(err, PTS_ERR_RUNTIME, "%s() arg is an empty sequence", want_max ? "max" : "min");
    PtsValue best = l->items[0];
    for (int64_t i = 1; i < l->len; i++) {
        PtsValue x = l->items[i];
        bool better = is_float ? (want_max ? pts_value_to_f64(x) > pts_value_to_f64(best) : pts_value_to_f64(x) < pts_value_to_f64(best))
                               : (want_max ? pts_value_to_i64(x) > pts_value_to_i64(best) : pts_value_to_i64(x) < pts_value_to_i64(best));
        if (better) best = x;
    }
    out[0] = is_float ? pts_vdouble(pts_value_to_f64(best))
             : best.tag == PTS_V_BOOL ? pts_vbool(best.u.b) : pts_vint(pts_value_to_i64(best));
    return PTS_OK;
}
PtsStatus k_MIN_SELF_INT(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, false, false); }
PtsStatus k_MIN_SELF_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, false, true); }
PtsStatus k_MAX_SELF_INT(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, true, false); }
PtsStatus k_MAX_SELF_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, true, true); }
PtsStatus k_MIN_SELF_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, false, false); }
PtsStatus k_MAX_SELF_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return list_extreme(a, out, err, true, false); }

/* min(l, r) / max(l, r) of two lists: torch's minList/maxList with a = l, b = r: the first
 * differing item decides (a[i] < b[i] ? a : b, so a NaN picks r), else the shorter list (r only
 * when strictly shorter); the result is one of the two lists, not a copy */
static PtsStatus list_pick(PtsValue *args, PtsValue *out, PtsError *err, bool want_max, bool is_float) {
    PTS_TRY(need(args[0], PTS_V_LIST, "list", err));
    PTS_TRY(need(args[1], PTS_V_LIST, "list", err));
    const PtsList *a = pts_as_list(args[0]), *b = pts_as_list(args[1]);
    int64_t n = a->len < b->len ? a->len : b->len;
    const PtsValue *pick = NULL;
    for (int64_t i = 0; i < n && !pick; i++) {
        PtsValue x = a->items[i], y = b->items[i];
        if (is_float) {
            double u = pts_value_to_f64(x), v = pts_value_to_f64(y);
            if (u == v) continue;
            pick = (want_max ? u > v : u < v) ? &args[0] : &args[1];
        } else {
            int64_t u = pts_value_to_i64(x), v = pts_value_to_i64(y);
            if (u == v) continue;
            pick = (want_max ? u > v : u < v) ? &args[0] : &args[1];
        }
    }
    if (!pick) pick = (want_max ? b->len > a->len : b->len < a->len) ? &args[1] : &args[0];
    out[0] = pts_value_retain(*pick);
    return PTS_OK;
}
PtsStatus k_MIN_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, false, false); }
PtsStatus k_MIN_FLOAT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, false, true); }
PtsStatus k_MIN_BOOL_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, false, false); }
PtsStatus k_MAX_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, true, false); }
PtsStatus k_MAX_FLOAT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, true, true); }
PtsStatus k_MAX_BOOL_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return list_pick(a, out, err, true, false); }

PtsStatus k_SUM_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    int64_t s = 0;
    for (int64_t i = 0; i < LIST(0)->len; i++) s = wadd(s, pts_value_to_i64(LIST(0)->items[i]));
    out[0] = pts_vint(s);
    return PTS_OK;
}
PtsStatus k_SUM_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    double s = 0;
    for (int64_t i = 0; i < LIST(0)->len; i++) s += pts_value_to_f64(LIST(0)->items[i]);
    out[0] = pts_vdouble(s);
    return PTS_OK;
}
/* Python's truth of a list item (any/all of bool, int, float and str lists) */
static bool truthy(PtsValue v) {
    switch (v.tag) {
    case PTS_V_INT: return v.u.i != 0;
    case PTS_V_DOUBLE: return v.u.d != 0;
    case PTS_V_BOOL: return v.u.b;
    case PTS_V_STR: return pts_as_str(v)->len != 0;
    default: return true;
    }
}

PtsStatus pts_builtin_any_all(PtsValue *a, PtsValue *out, PtsError *err, bool any) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    bool r = !any;
    for (int64_t i = 0; i < LIST(0)->len; i++)
        if (truthy(LIST(0)->items[i]) == any) { r = any; break; }
    out[0] = pts_vbool(r);
    return PTS_OK;
}
PtsStatus k_ANY_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, true); }
PtsStatus k_ALL_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, false); }

static int cmp_int(const void *x, const void *y) {
    int64_t a = pts_value_to_i64(*(const PtsValue *)x), b = pts_value_to_i64(*(const PtsValue *)y);
    return (a > b) - (a < b);
}
static int cmp_float(const void *x, const void *y) {
    double a = pts_value_to_f64(*(const PtsValue *)x), b = pts_value_to_f64(*(const PtsValue *)y);
    return (a > b) - (a < b);
}
static int cmp_str(const void *x, const void *y) {
    const PtsStr *a = pts_as_str(*(const PtsValue *)x), *b = pts_as_str(*(const PtsValue *)y);
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}
/* a sorted copy; merge-stable order is not needed for equal scalars */
static PtsStatus sorted_copy(PtsValue *a, PtsValue *out, PtsError *err, int (*cmp)(const void *, const void *), int tag) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    for (int64_t i = 0; i < l->len; i++)
        if (tag == PTS_V_STR ? l->items[i].tag != PTS_V_STR : l->items[i].tag == PTS_V_STR)
            return pts_fail(err, PTS_ERR_TYPE, "sorted() of a list of mixed types");
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, out));
    for (int64_t i = 0; i < l->len; i++) {
        PtsStatus s = pts_list_append(*out, pts_value_retain(l->items[i]), err);
        if (s) { pts_value_release(out); return s; }
    }
    PtsList *r = pts_as_list(*out);
    if (r->len > 1) qsort(r->items, (size_t)r->len, sizeof(PtsValue), cmp);
    return PTS_OK;
}
PtsStatus k_SORTED_INT(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, cmp_int, PTS_V_INT); }
PtsStatus k_SORTED_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, cmp_float, PTS_V_DOUBLE); }
PtsStatus k_SORTED_STR(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, cmp_str, PTS_V_STR); }
/* }==================== */

/* {==================== grad mode ==================== */
/* NONDET in the registry keeps them from being dropped or reordered as pure ops */
PtsStatus k_IS_GRAD_ENABLED(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vbool(pts_tls_grad_enabled);
    return PTS_OK;
}
PtsStatus k_SET_GRAD_ENABLED(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    (void)err;
    pts_tls_grad_enabled = B(0);
    return PTS_OK;
}
/* }==================== */

/* {==================== slicing and list arithmetic ====================
 * Python slice semantics (negative bounds from the end, clamped, any non-zero step) shared by
 * lists and strings (bytes, as PyTorch); list + list, list * n and their in-place forms. */
static PtsStatus slice_bounds(int64_t len, PtsValue *a, int64_t *start, int64_t *step, int64_t *count, PtsError *err) {
    int64_t st = I(3);
    if (st == 0) return pts_fail(err, PTS_ERR_RUNTIME, "List slice should have non-zero step");
    if (st < -INT64_MAX) return pts_fail(err, PTS_ERR_RUNTIME, "List slice step is out of bounds");
    /* torch's slice_indices_adjust: an absent bound is INT64_MAX, and INT64_MAX (absent or
     * written, as slice(None, None, -1) prints it) means "from the end the step starts at" */
    int64_t lo = a[1].tag != PTS_V_NONE ? I(1) : INT64_MAX, hi = a[2].tag != PTS_V_NONE ? I(2) : INT64_MAX;
    if (lo == INT64_MAX) lo = st < 0 ? INT64_MAX : 0;
    if (hi == INT64_MAX) hi = st < 0 ? INT64_MIN : INT64_MAX;
    if (lo < 0) { lo += len; if (lo < 0) lo = st < 0 ? -1 : 0; } else if (lo >= len) lo = st < 0 ? len - 1 : len;
    if (hi < 0) { hi += len; if (hi < 0) hi = st < 0 ? -1 : 0; } else if (hi >= len) hi = st < 0 ? len - 1 : len;
    if (st < 0) *count = hi < lo ? (lo - hi - 1) / (-st) + 1 : 0;
    else *count = lo < hi ? (hi - lo - 1) / st + 1 : 0;
    *start = lo;
    *step = st;
    return PTS_OK;
}

PtsStatus k_SLICE_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    int64_t start, step, n;
    PTS_TRY(slice_bounds(l->len, a, &start, &step, &n, err));
    PtsValue r;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, &r));
    for (int64_t k = 0; k < n; k++) {
        PtsStatus s = pts_list_append(r, pts_value_retain(l->items[start + k * step]), err);
        if (s) { pts_value_release(&r); return s; }
    }
    out[0] = r;
    return PTS_OK;
}

PtsStatus k_SLICE_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    int64_t start, step, n;
    PTS_TRY(slice_bounds((int64_t)s->len, a, &start, &step, &n, err));
    if (step == 1) return pts_str_new(s->data + start, (size_t)n, err, out);
    PtsBuf b;
    pts_buf_init(&b);
    for (int64_t k = 0; k < n; k++) pts_buf_putn(&b, s->data + start + k * step, 1);
    return buf_to_str(&b, err, out);
}

/* a repeated list longer than this fails up front instead of exhausting memory item by item */
#define PTS_MAX_LIST_ITEMS ((int64_t)1 << 32)

/* dst gets the items of src appended (n copies of them when reps > 1) */
static PtsStatus list_extend(PtsValue dst, const PtsList *src, int64_t reps, PtsError *err) {
    int64_t len = src->len;   /* src may be dst: its length is read once */
    for (int64_t r = 0; r < reps; r++)
        for (int64_t i = 0; i < len; i++) PTS_TRY(pts_list_append(dst, pts_value_retain(src->items[i]), err));
    return PTS_OK;
}

static PtsStatus list_concat(const PtsList *x, const PtsList *y, int64_t reps, PtsError *err, PtsValue *out) {
    int64_t n = x->len + (y ? y->len : 0);
    if (reps > 1 && n > PTS_MAX_LIST_ITEMS / reps) return pts_fail(err, PTS_ERR_NOMEM, "std::bad_alloc");
    PtsValue r;
    PTS_TRY(pts_list_new(PTS_V_LIST, n * (reps > 1 ? reps : 1), err, &r));
    PtsStatus s = list_extend(r, x, reps, err);
    if (!s && y) s = list_extend(r, y, 1, err);
    if (s) { pts_value_release(&r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus k_ADD_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PTS_TRY(need(a[1], PTS_V_LIST, "list", err));
    return list_concat(LIST(0), LIST(1), 1, err, out);
}

PtsStatus k_ADD__T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PTS_TRY(need(a[1], PTS_V_LIST, "list", err));
    PTS_TRY(list_extend(a[0], LIST(1), 1, err));
    out[0] = pts_value_retain(a[0]);
    return PTS_OK;
}

PtsStatus k_EXTEND_T(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PTS_TRY(need(a[1], PTS_V_LIST, "list", err));
    return list_extend(a[0], LIST(1), 1, err);
}

/* list * n: PyTorch reserves len * n items first, so a negative n fails as its std::vector does */
static PtsStatus list_repeat(PtsValue l, int64_t n, PtsError *err, PtsValue *out) {
    PTS_TRY(need(l, PTS_V_LIST, "list", err));
    if (n < 0 && pts_as_list(l)->len > 0) return pts_fail(err, PTS_ERR_RUNTIME, "vector::reserve");
    return list_concat(pts_as_list(l), NULL, n, err, out);
}
PtsStatus k_MUL_LEFT_T(PtsValue *a, PtsValue *out, PtsError *err) { return list_repeat(a[0], I(1), err, out); }
PtsStatus k_MUL_RIGHT_(PtsValue *a, PtsValue *out, PtsError *err) { return list_repeat(a[1], I(0), err, out); }

PtsStatus k_MUL__T(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    int64_t n = I(1);
    if (n <= 0) {
        for (int64_t i = 0; i < l->len; i++) pts_value_release(&l->items[i]);
        l->len = 0;
    } else {
        if (l->len && n > PTS_MAX_LIST_ITEMS / l->len) return pts_fail(err, PTS_ERR_NOMEM, "std::bad_alloc");
        PTS_TRY(list_extend(a[0], l, n - 1, err));
    }
    out[0] = pts_value_retain(a[0]);
    return PTS_OK;
}
/* }==================== */

/* {==================== list methods and del ====================
 * Python's list methods as TorchScript's kernels: every failure is a RuntimeError with
 * PyTorch's message (the interpreter reports them so, unlike Python's ValueError/IndexError). */
static void list_drop_at(PtsList *l, int64_t i) {
    pts_value_release(&l->items[i]);
    memmove(&l->items[i], &l->items[i + 1], sizeof(PtsValue) * (size_t)(l->len - i - 1));
    l->len--;
}

PtsStatus k_INSERT_T(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    int64_t len = l->len, i = I(1);
    /* Python's clamping: a position before the start inserts first, past the end appends */
    if (i < 0) { i += len; if (i < 0) i = 0; }
    if (i > len) i = len;
    PTS_TRY(pts_list_append(a[0], pts_value_retain(a[2]), err));
    l = LIST(0);   /* append may have moved the items */
    PtsValue v = l->items[len];
    memmove(&l->items[i + 1], &l->items[i], sizeof(PtsValue) * (size_t)(len - i));
    l->items[i] = v;
    return PTS_OK;
}

/* the printed form of a value for messages ("'99' is not in list") */
static PtsStatus list_find(PtsValue *a, int64_t *at, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    *at = -1;
    for (int64_t i = 0; i < LIST(0)->len; i++)
        if (scalar_eq(LIST(0)->items[i], a[1])) { *at = i; break; }
    return PTS_OK;
}

static PtsStatus index_of(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t i;
    PTS_TRY(list_find(a, &i, err));
    if (i < 0) {
        PtsBuf b;
        pts_buf_init(&b);
        PtsStatus s = pts_builtin_print_value(&b, a[1], err);
        if (!s) s = pts_fail(err, PTS_ERR_RUNTIME, "'%s' is not in list", b.data ? b.data : "");
        pts_buf_free(&b);
        return s;
    }
    out[0] = pts_vint(i);
    return PTS_OK;
}
PtsStatus k_INDEX_LIST_INT(PtsValue *a, PtsValue *out, PtsError *err) { return index_of(a, out, err); }
PtsStatus k_INDEX_LIST_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return index_of(a, out, err); }
PtsStatus k_INDEX_LIST_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return index_of(a, out, err); }
PtsStatus k_INDEX_LIST_STR(PtsValue *a, PtsValue *out, PtsError *err) { return index_of(a, out, err); }

static PtsStatus count_of(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    int64_t n = 0;
    for (int64_t i = 0; i < LIST(0)->len; i++) n += scalar_eq(LIST(0)->items[i], a[1]);
    out[0] = pts_vint(n);
    return PTS_OK;
}
PtsStatus k_COUNT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return count_of(a, out, err); }
PtsStatus k_COUNT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return count_of(a, out, err); }
PtsStatus k_COUNT_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return count_of(a, out, err); }
PtsStatus k_COUNT_STR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return count_of(a, out, err); }

static PtsStatus remove_first(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    int64_t i;
    PTS_TRY(list_find(a, &i, err));
    if (i < 0) return pts_fail(err, PTS_ERR_RUNTIME, "list.remove(x): x not in list");
    list_drop_at(LIST(0), i);
    return PTS_OK;
}
PtsStatus k_REMOVE_INT(PtsValue *a, PtsValue *out, PtsError *err) { return remove_first(a, out, err); }
PtsStatus k_REMOVE_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return remove_first(a, out, err); }
PtsStatus k_REMOVE_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return remove_first(a, out, err); }
PtsStatus k_REMOVE_STR(PtsValue *a, PtsValue *out, PtsError *err) { return remove_first(a, out, err); }

static void reverse_items(PtsList *l) {
    for (int64_t i = 0, j = l->len - 1; i < j; i++, j--) {
        PtsValue t = l->items[i];
        l->items[i] = l->items[j];
        l->items[j] = t;
    }
}

/* sorted in place; with reverse=True the order of equal items is not observable for these
 * scalar types, so sorting and reversing gives Python's result */
static PtsStatus sort_in_place(PtsValue *a, int (*cmp)(const void *, const void *), int tag, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    for (int64_t i = 0; i < l->len; i++)
        if (tag == PTS_V_STR ? l->items[i].tag != PTS_V_STR : l->items[i].tag == PTS_V_STR)
            return pts_fail(err, PTS_ERR_TYPE, "sort() of a list of mixed types");
    if (l->len > 1) qsort(l->items, (size_t)l->len, sizeof(PtsValue), cmp);
    if (B(1)) reverse_items(l);
    return PTS_OK;
}
static int cmp_bool(const void *x, const void *y) { return cmp_int(x, y); }
PtsStatus k_SORT_INT(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, cmp_int, PTS_V_INT, err); }
PtsStatus k_SORT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, cmp_float, PTS_V_DOUBLE, err); }
PtsStatus k_SORT_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, cmp_bool, PTS_V_BOOL, err); }
PtsStatus k_SORT_STR(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, cmp_str, PTS_V_STR, err); }

PtsStatus k_REVERSE_T(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    reverse_items(LIST(0));
    return PTS_OK;
}

PtsStatus k_CLEAR_T(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    PtsList *l = LIST(0);
    for (int64_t i = 0; i < l->len; i++) pts_value_release(&l->items[i]);
    l->len = 0;
    return PTS_OK;
}

PtsStatus k_COPY_T(PtsValue *a, PtsValue *out, PtsError *err) { return k_LIST_T(a, out, err); }

PtsStatus k_DELETE_T(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_LIST, "list", err));
    int64_t len = LIST(0)->len, i = I(1);
    if (i < 0) i += len;
    /* torch's listDelete goes through its pop: an empty list has that message */
    if (len == 0) return pts_fail(err, PTS_ERR_RUNTIME, "pop index out of range");
    if (i < 0 || i >= len) return pts_fail(err, PTS_ERR_RUNTIME, "list index out of range");
    list_drop_at(LIST(0), i);
    return PTS_OK;
}

static PtsStatus dict_delete(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PtsValue popped = pts_none();
    PTS_TRY(dict_pop(a, &popped, err));   /* KeyError: k when missing, as PyTorch */
    pts_value_release(&popped);
    return PTS_OK;
}
PtsStatus k_DELETE_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_delete(a, out, err); }
PtsStatus k_DELETE_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_delete(a, out, err); }

/* an emptied dict: a fresh empty one takes over the storage (as dict_pop does) */
static PtsStatus dict_clear(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    PtsValue nd;
    PTS_TRY(pts_dict_new(0, err, &nd));
    PtsDict *n = pts_as_dict(nd), tmp = *d;
    d->len = n->len; d->cap = n->cap; d->keys = n->keys; d->vals = n->vals; d->index = n->index; d->nindex = n->nindex;
    n->len = tmp.len; n->cap = tmp.cap; n->keys = tmp.keys; n->vals = tmp.vals; n->index = tmp.index; n->nindex = tmp.nindex;
    pts_value_release(&nd);
    return PTS_OK;
}
PtsStatus k_CLEAR_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_clear(a, out, err); }
PtsStatus k_CLEAR_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_clear(a, out, err); }

static PtsStatus dict_copy(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_DICT, "dict", err));
    PtsDict *d = DICT(0);
    PTS_TRY(pts_dict_new(d->len, err, out));
    for (int64_t i = 0; i < d->len; i++) {
        PtsStatus s = pts_dict_set(*out, pts_value_retain(d->keys[i]), pts_value_retain(d->vals[i]), err);
        if (s) { pts_value_release(out); return s; }
    }
    return PTS_OK;
}
PtsStatus k_COPY_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_copy(a, out, err); }
PtsStatus k_COPY_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_copy(a, out, err); }
/* }==================== */

/* {==================== str methods, ord/chr/hex/oct/bin, int()/float() of str ====================
 * PyTorch's string kernels work on bytes with C's ASCII character classes; where they differ from
 * Python (find's end < -1 counts from one past the end, zfill ignores signs, splitlines treats
 * "\r\n" as two breaks, expandtabs does not restart columns at newlines) they are followed. */
#include <errno.h>

static int uc(char c) { return (unsigned char)c; }

static int str_cmp(const PtsStr *x, const PtsStr *y) {
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}
#define STR_COMPARE(ID, op)                                                                    \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        PTS_TRY(str_args(a, 2, err));                                                          \
        out[0] = pts_vbool(str_cmp(STRV(0), STRV(1)) op 0);                                    \
        return PTS_OK;                                                                         \
    }
STR_COMPARE(LT_STR, <)
STR_COMPARE(GT_STR, >)
STR_COMPARE(LE_STR, <=)
STR_COMPARE(GE_STR, >=)

/* non-empty and every byte in the class */
static PtsStatus str_all(PtsValue *a, PtsValue *out, PtsError *err, int (*cls)(int)) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    bool r = s->len > 0;
    for (size_t i = 0; r && i < s->len; i++) r = cls(uc(s->data[i])) != 0;
    out[0] = pts_vbool(r);
    return PTS_OK;
}
static int c_isdigit(int c) { return c >= '0' && c <= '9'; }
static int c_isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int c_isalnum(int c) { return c_isdigit(c) || c_isalpha(c); }
static int c_isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int c_islower(int c) { return c >= 'a' && c <= 'z'; }
static int c_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static int c_isprint(int c) { return c >= 0x20 && c < 0x7f; }
static char c_lower(char c) { return c_isupper(uc(c)) ? (char)(c + 32) : c; }
static char c_upper(char c) { return c_islower(uc(c)) ? (char)(c - 32) : c; }

PtsStatus k_ISDIGIT(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isdigit); }
PtsStatus k_ISALPHA(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isalpha); }
PtsStatus k_ISALNUM(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isalnum); }
/* torch's isidentifier (its Python 2 rule): not empty, no leading digit, every byte a letter or
 * digit; so "_x" is not an identifier there, and pyts answers as torch */
PtsStatus k_ISIDENTIFIER(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    bool ok = s->len > 0 && !(s->data[0] >= '0' && s->data[0] <= '9');
    for (size_t i = 0; ok && i < s->len; i++) {
        unsigned char c = (unsigned char)s->data[i];
        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    out[0] = pts_vbool(ok);
    return PTS_OK;
}
PtsStatus k_ISSPACE(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isspace); }
PtsStatus k_ISDECIMAL(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isdigit); }
PtsStatus k_ISNUMERIC(PtsValue *a, PtsValue *out, PtsError *err) { return str_all(a, out, err, c_isdigit); }

/* every byte printable; the empty string is printable (as Python) */
PtsStatus k_ISPRINTABLE(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    bool r = true;
    for (size_t i = 0; r && i < s->len; i++) r = c_isprint(uc(s->data[i])) != 0;
    out[0] = pts_vbool(r);
    return PTS_OK;
}

/* at least one letter, and every letter lower (upper) */
static PtsStatus str_cased(PtsValue *a, PtsValue *out, PtsError *err, bool upper) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    bool any = false, ok = true;
    for (size_t i = 0; ok && i < s->len; i++) {
        int c = uc(s->data[i]);
        if (!c_isalpha(c)) continue;
        any = true;
        ok = upper ? c_isupper(c) : c_islower(c);
    }
    out[0] = pts_vbool(any && ok);
    return PTS_OK;
}
PtsStatus k_ISLOWER(PtsValue *a, PtsValue *out, PtsError *err) { return str_cased(a, out, err, false); }
PtsStatus k_ISUPPER(PtsValue *a, PtsValue *out, PtsError *err) { return str_cased(a, out, err, true); }

/* upper case only after a non-letter, lower case only after a letter, at least one letter */
PtsStatus k_ISTITLE(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    bool any = false, ok = true, prev_alpha = false;
    for (size_t i = 0; ok && i < s->len; i++) {
        int c = uc(s->data[i]);
        if (c_isupper(c)) { ok = !prev_alpha; any = true; prev_alpha = true; }
        else if (c_islower(c)) { ok = prev_alpha; any = true; prev_alpha = true; }
        else prev_alpha = false;
    }
    out[0] = pts_vbool(any && ok);
    return PTS_OK;
}

/* a copy of self with each byte mapped by f(byte, previous byte was a letter, position) */
static PtsStatus str_map(PtsValue *a, PtsValue *out, PtsError *err, char (*f)(char, bool, size_t)) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    PtsBuf b;
    pts_buf_init(&b);
    bool prev_alpha = false;
    for (size_t i = 0; i < s->len; i++) {
        char c = f(s->data[i], prev_alpha, i);
        prev_alpha = c_isalpha(uc(s->data[i])) != 0;
        pts_buf_putn(&b, &c, 1);
    }
    return buf_to_str(&b, err, out);
}
static char m_title(char c, bool prev_alpha, size_t i) { (void)i; return prev_alpha ? c_lower(c) : c_upper(c); }
static char m_capitalize(char c, bool prev_alpha, size_t i) { (void)prev_alpha; return i == 0 ? c_upper(c) : c_lower(c); }
static char m_swapcase(char c, bool prev_alpha, size_t i) {
    (void)prev_alpha;
    (void)i;
    return c_isupper(uc(c)) ? c_lower(c) : c_upper(c);
}
PtsStatus k_TITLE(PtsValue *a, PtsValue *out, PtsError *err) { return str_map(a, out, err, m_title); }
PtsStatus k_CAPITALIZE(PtsValue *a, PtsValue *out, PtsError *err) { return str_map(a, out, err, m_capitalize); }
PtsStatus k_SWAPCASE(PtsValue *a, PtsValue *out, PtsError *err) { return str_map(a, out, err, m_swapcase); }

/* strip's chars from the left and/or the right (the schema default is the whitespace) */
static PtsStatus str_strip(PtsValue *a, PtsValue *out, PtsError *err, bool left, bool right) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *cs = STRV(1);
    const char *set = cs->data;
    size_t nset = cs->len;
    size_t b = 0, e = s->len;
    while (left && b < e && memchr(set, s->data[b], nset)) b++;
    while (right && e > b && memchr(set, s->data[e - 1], nset)) e--;
    return pts_str_new(s->data + b, e - b, err, out);
}
PtsStatus k_LSTRIP(PtsValue *a, PtsValue *out, PtsError *err) { return str_strip(a, out, err, true, false); }
PtsStatus k_RSTRIP(PtsValue *a, PtsValue *out, PtsError *err) { return str_strip(a, out, err, false, true); }

/* PyTorch's bounds for find/startswith...: a negative start counts from the end, a negative end
 * from one past the end (end=-1 is the end) */
static void torch_bounds(const PtsStr *s, int64_t *start, int64_t *end) {
    int64_t size = (int64_t)s->len;
    if (*start < 0) *start = size + *start > 0 ? size + *start : 0;
    if (*end < 0) *end = size + *end + 1 > 0 ? size + *end + 1 : 0;
}

/* std::string::substr(start, end - start): the count is unsigned (end < start means "to the
 * end"), a start past the end fails; as a script error this is a RuntimeError in PyTorch */
static PtsStatus torch_substr(const PtsStr *s, int64_t start, int64_t end, size_t *b, size_t *n, PtsError *err) {
    if (start > (int64_t)s->len)
        return pts_fail(err, PTS_ERR_RUNTIME, "basic_string::substr: __pos (which is %lld) > this->size() (which is %zu)",
                        (long long)start, s->len);
    uint64_t want = (uint64_t)end - (uint64_t)start;
    *b = (size_t)start;
    *n = want < s->len - *b ? (size_t)want : s->len - *b;
    return PTS_OK;
}

/* PyTorch's stringFindImpl: the window is substr(start, end - start) when end > start, else
 * empty; a match's position counts from start (so an empty needle is found at start) */
static PtsStatus find_impl(PtsValue *a, bool reverse, PtsError *err, int64_t *res) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *p = STRV(1);
    int64_t start = I(2), end = I(3);
    torch_bounds(s, &start, &end);
    size_t b = 0, n = 0;
    if (end > start) PTS_TRY(torch_substr(s, start, end, &b, &n, err));
    *res = -1;
    if (n >= p->len) {
        if (reverse) {
            for (size_t i = n - p->len + 1; i-- > 0;)
                if (memcmp(s->data + b + i, p->data, p->len) == 0) { *res = start + (int64_t)i; break; }
        } else {
            for (size_t i = 0; i + p->len <= n; i++)
                if (memcmp(s->data + b + i, p->data, p->len) == 0) { *res = start + (int64_t)i; break; }
        }
    }
    return PTS_OK;
}
PtsStatus k_RFIND(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t r;
    PTS_TRY(find_impl(a, true, err, &r));
    out[0] = pts_vint(r);
    return PTS_OK;
}
static PtsStatus str_index(PtsValue *a, PtsValue *out, PtsError *err, bool reverse) {
    int64_t r;
    PTS_TRY(find_impl(a, reverse, err, &r));
    if (r < 0) return pts_fail(err, PTS_ERR_RUNTIME, "ValueError: substring not found");
    out[0] = pts_vint(r);
    return PTS_OK;
}
PtsStatus k_INDEX_STR(PtsValue *a, PtsValue *out, PtsError *err) { return str_index(a, out, err, false); }
PtsStatus k_RINDEX(PtsValue *a, PtsValue *out, PtsError *err) { return str_index(a, out, err, true); }

/* non-overlapping occurrences starting before end (PyTorch's bounds; an empty substring counts
 * the positions of the window, as Python, where PyTorch's kernel never returns) */
PtsStatus k_COUNT_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *p = STRV(1);
    int64_t size = (int64_t)s->len, start = I(2), end = I(3), n = 0;
    if (start > size) { out[0] = pts_vint(0); return PTS_OK; }
    if (start < 0) start = size + start > 0 ? size + start : 0;
    if (end < 0) end = size + end + 1 > 0 ? size + end + 1 : 0;
    if (p->len == 0) {
        /* PyTorch: 0 for an empty window; otherwise its loop never ends (Python's count here) */
        int64_t e = end < size ? end : size;
        out[0] = pts_vint(start < end && e >= start ? e - start + 1 : 0);
        return PTS_OK;
    }
    for (size_t i = (size_t)start; i + p->len <= s->len && (int64_t)i < end;) {
        if (memcmp(s->data + i, p->data, p->len) == 0) { n++; i += p->len; }
        else i++;
    }
    out[0] = pts_vint(n);
    return PTS_OK;
}

/* pad to width with fill on the left (l) and right (r) */
static PtsStatus str_pad(const PtsStr *s, int64_t l, int64_t r, char fill, PtsError *err, PtsValue *out) {
    if (l + r > ((int64_t)1 << 32)) return pts_fail(err, PTS_ERR_NOMEM, "std::bad_alloc");
    PtsBuf b;
    pts_buf_init(&b);
    for (int64_t i = 0; i < l; i++) pts_buf_putn(&b, &fill, 1);
    pts_buf_putn(&b, s->data, s->len);
    for (int64_t i = 0; i < r; i++) pts_buf_putn(&b, &fill, 1);
    return buf_to_str(&b, err, out);
}
PtsStatus k_ZFILL(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    int64_t w = I(1), n = (int64_t)STRV(0)->len;
    return str_pad(STRV(0), w > n ? w - n : 0, 0, '0', err, out);
}
static PtsStatus justify(PtsValue *a, PtsValue *out, PtsError *err, int how) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    PTS_TRY(need(a[2], PTS_V_STR, "str", err));
    if (STRV(2)->len != 1)
        return pts_fail(err, PTS_ERR_RUNTIME, "TypeError: The fill character must be exactly one character long");
    int64_t w = I(1), n = (int64_t)STRV(0)->len, pad = w > n ? w - n : 0, l;
    if (how < 0) l = 0;
    else if (how > 0) l = pad;
    else l = pad / 2 + (pad & w & 1);   /* Python's centering: the odd space goes left when width is odd */
    return str_pad(STRV(0), l, pad - l, STRV(2)->data[0], err, out);
}
PtsStatus k_CENTER(PtsValue *a, PtsValue *out, PtsError *err) { return justify(a, out, err, 0); }
PtsStatus k_LJUST(PtsValue *a, PtsValue *out, PtsError *err) { return justify(a, out, err, -1); }
PtsStatus k_RJUST(PtsValue *a, PtsValue *out, PtsError *err) { return justify(a, out, err, 1); }

/* (before, separator, after) around the first (last) occurrence */
static PtsStatus str_partition(PtsValue *a, PtsValue *out, PtsError *err, bool reverse) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *p = STRV(1);
    int64_t at = -1;
    if (p->len <= s->len) {
        if (reverse) {
            for (size_t i = s->len - p->len + 1; i-- > 0;)
                if (memcmp(s->data + i, p->data, p->len) == 0) { at = (int64_t)i; break; }
        } else {
            for (size_t i = 0; i + p->len <= s->len; i++)
                if (memcmp(s->data + i, p->data, p->len) == 0) { at = (int64_t)i; break; }
        }
    }
    size_t pos[3], len[3];
    if (at < 0) {
        /* not found: all of it first (partition) or last (rpartition) */
        pos[0] = pos[1] = pos[2] = 0;
        len[0] = reverse ? 0 : s->len;
        len[1] = 0;
        len[2] = reverse ? s->len : 0;
    } else {
        pos[0] = 0;
        len[0] = (size_t)at;
        pos[1] = (size_t)at;
        len[1] = p->len;
        pos[2] = (size_t)at + p->len;
        len[2] = s->len - pos[2];
    }
    for (int k = 0; k < 3; k++) {
        PtsStatus st = pts_str_new(s->data + pos[k], len[k], err, &out[k]);
        if (st) {
            for (int j = 0; j < k; j++) pts_value_release(&out[j]);
            return st;
        }
    }
    return PTS_OK;
}
PtsStatus k_PARTITION(PtsValue *a, PtsValue *out, PtsError *err) { return str_partition(a, out, err, false); }
PtsStatus k_RPARTITION(PtsValue *a, PtsValue *out, PtsError *err) { return str_partition(a, out, err, true); }

/* split on separator from the right, at most max splits (max < 0: all) */
PtsStatus k_RSPLIT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(str_args(a, 2, err));
    const PtsStr *s = STRV(0), *sep = STRV(1);
    if (sep->len == 0) return pts_fail(err, PTS_ERR_RUNTIME, "ValueError: empty separator");
    int64_t max = I(2), splits = 0;
    /* pieces are found right to left, then reversed */
    PTS_TRY(pts_list_new(PTS_V_LIST, 4, err, out));
    PtsStatus st = PTS_OK;
    size_t end = s->len;
    for (;;) {
        int64_t at = -1;
        if ((max < 0 || splits < max) && end >= sep->len)
            for (size_t i = end - sep->len + 1; i-- > 0;)
                if (memcmp(s->data + i, sep->data, sep->len) == 0) { at = (int64_t)i; break; }
        size_t from = at < 0 ? 0 : (size_t)at + sep->len;
        PtsValue piece;
        if ((st = pts_str_new(s->data + from, end - from, err, &piece)) || (st = pts_list_append(*out, piece, err))) break;
        if (at < 0) break;
        splits++;
        end = (size_t)at;
    }
    if (st) { pts_value_release(out); return st; }
    reverse_items(pts_as_list(*out));
    return PTS_OK;
}

/* PyTorch's splitlines: every byte of its delimiter set ends a line (so "\r\n" ends two, and the
 * bytes of U+0085, U+2028 and U+2029 split multi-byte characters); keepends adds each
 * delimiter as its own item */
PtsStatus k_SPLITLINES(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    static const char delims[] = "\n\r\v\f\x1c\x1d\x1e\x85\xe2\x80\xa8\xa9";
    const PtsStr *s = STRV(0);
    bool keep = B(1);
    PTS_TRY(pts_list_new(PTS_V_LIST, 4, err, out));
    PtsStatus st = PTS_OK;
    size_t prev = 0;
    PtsValue piece;
    for (size_t i = 0; i < s->len && !st; i++) {
        if (!memchr(delims, s->data[i], sizeof delims - 1)) continue;
        if (!(st = pts_str_new(s->data + prev, i - prev, err, &piece))) st = pts_list_append(*out, piece, err);
        if (!st && keep && !(st = pts_str_new(s->data + i, 1, err, &piece))) st = pts_list_append(*out, piece, err);
        prev = i + 1;
    }
    if (!st && prev != s->len && !(st = pts_str_new(s->data + prev, s->len - prev, err, &piece)))
        st = pts_list_append(*out, piece, err);
    if (st) pts_value_release(out);
    return st;
}

/* tabs padded to the next multiple of tabsize, counting every byte (newlines too) */
PtsStatus k_EXPANDTABS(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    int64_t ts = I(1), col = 0;
    PtsBuf b;
    pts_buf_init(&b);
    for (size_t i = 0; i < s->len && !b.oom; i++) {
        if (s->data[i] != '\t') { pts_buf_putn(&b, s->data + i, 1); col++; continue; }
        if (ts <= 0) continue;
        do { pts_buf_putn(&b, " ", 1); col++; } while (col % ts && !b.oom);
    }
    return buf_to_str(&b, err, out);
}

PtsStatus k_ORD(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    if (s->len != 1) return pts_fail(err, PTS_ERR_RUNTIME, "String for ord() must be 1 character, found %zu", s->len);
    out[0] = pts_vint((int64_t)(signed char)s->data[0]);   /* std::string's char, as PyTorch */
    return PTS_OK;
}

/* PyTorch's chr keeps the low byte of the code point (ASCII is right; beyond it, as PyTorch, the
 * result is one byte, not the UTF-8 form) */
PtsStatus k_CHR(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t i = I(0);
    if (i < 0 || i >= 1114111) return pts_fail(err, PTS_ERR_RUNTIME, "chr() arg not in range(0x110000), found %lld", (long long)i);
    char c = (char)(unsigned char)(i & 0xff);
    return pts_str_new(&c, 1, err, out);
}

static PtsStatus int_radix(PtsValue *a, PtsValue *out, PtsError *err, unsigned bits, const char *prefix) {
    int64_t i = I(0);
    uint64_t m = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    char digits[72];
    int n = 0;
    unsigned mask = (1u << bits) - 1;
    do { digits[n++] = "0123456789abcdef"[m & mask]; m >>= bits; } while (m);
    char s[80];
    int k = 0;
    if (i < 0) s[k++] = '-';
    for (const char *p = prefix; *p;) s[k++] = *p++;
    while (n) s[k++] = digits[--n];
    return pts_str_new(s, (size_t)k, err, out);
}
PtsStatus k_HEX(PtsValue *a, PtsValue *out, PtsError *err) { return int_radix(a, out, err, 4, "0x"); }
PtsStatus k_OCT(PtsValue *a, PtsValue *out, PtsError *err) { return int_radix(a, out, err, 3, "0o"); }
PtsStatus k_BIN(PtsValue *a, PtsValue *out, PtsError *err) { return int_radix(a, out, err, 1, "0b"); }

/* int(str): std::stoll (leading whitespace, a sign, decimal digits; "stoll" when nothing converts
 * or it overflows), then the whole string must have been used */
PtsStatus k_INT_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    if (memchr(s->data, 0, s->len)) return pts_fail(err, PTS_ERR_RUNTIME, "invalid literal for int() with base 10: '%s'", s->data);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s->data, &end, 10);
    if (end == s->data || errno == ERANGE) return pts_fail(err, PTS_ERR_RUNTIME, "stoll");
    if ((size_t)(end - s->data) != s->len)
        return pts_fail(err, PTS_ERR_RUNTIME, "invalid literal for int() with base 10: '%s'", s->data);
    out[0] = pts_vint((int64_t)v);
    return PTS_OK;
}

/* float(str): std::stod (strtod's forms: inf, nan, hex floats), then the whole string used */
PtsStatus k_FLOAT_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(need(a[0], PTS_V_STR, "str", err));
    const PtsStr *s = STRV(0);
    if (memchr(s->data, 0, s->len)) return pts_fail(err, PTS_ERR_RUNTIME, "could not convert string to float: '%s'", s->data);
    char *end = NULL;
    errno = 0;
    double v = strtod(s->data, &end);
    if (end == s->data || errno == ERANGE) return pts_fail(err, PTS_ERR_RUNTIME, "stod");
    if ((size_t)(end - s->data) != s->len)
        return pts_fail(err, PTS_ERR_RUNTIME, "could not convert string to float: '%s'", s->data);
    out[0] = pts_vdouble(v);
    return PTS_OK;
}

K_BOOL(ISFINITE_FLOAT, isfinite(F(0)))
/* }==================== */

/* {==================== tensors in script ==================== */
/* x.item(): the one element as a number of the tensor's kind (any rank) */
PtsStatus k_ITEM(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    PTS_TRY(one_element(t, err));
    if (pts_dtype_is_float(t->dtype)) out[0] = pts_vdouble(pts_tensor_item_f64(t));
    else if (t->dtype == PTS_BOOL) out[0] = pts_vbool(pts_tensor_item_i64(t) != 0);
    else out[0] = pts_vint(pts_tensor_item_i64(t));
    return PTS_OK;
}

/* pyts runs on the CPU only */
PtsStatus k_PRIM_IS_CUDA(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vbool(false);
    return PTS_OK;
}

/* x.data: the same storage, cut from autograd (a detach, through the registry) */
PtsStatus k_PRIM_DATA(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[1] = { a[0] };
    return pts_op_call(PTS_OP_DETACH, args, out, err);
}
/* }==================== */

/* int()/float() of a number (x.item()): C++'s conversions, as PyTorch's Scalar::to<> */
PtsStatus k_INT_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag == PTS_V_COMPLEX) {   /* torch's checked conversion: only a zero imaginary part */
        if (pts_as_complex(a[0])->im != 0)
            return pts_fail(err, PTS_ERR_RUNTIME, "value cannot be converted to type int without overflow");
        PtsValue re = pts_vdouble(pts_as_complex(a[0])->re);
        return k_INT_FLOAT(&re, out, err);
    }
    if (a[0].tag == PTS_V_DOUBLE) return k_INT_FLOAT(a, out, err);
    out[0] = pts_vint(I(0));
    return PTS_OK;
}
/* float() of a complex is its real part, as torch's */
K_FLOAT(FLOAT_SCALAR, a[0].tag == PTS_V_COMPLEX ? pts_as_complex(a[0])->re : F(0))

/* x.T: permute with the dims reversed, through the registry so autograd records the permute */
PtsStatus k_NUMPY_T(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    int64_t dims[PTS_MAX_DIMS];
    for (int k = 0; k < t->ndim; k++) dims[k] = t->ndim - 1 - k;
    PtsValue args[2] = { a[0], pts_none() };
    PTS_TRY(pts_int_list_new(dims, t->ndim, err, &args[1]));
    PtsStatus s = pts_op_call(PTS_OP_PERMUTE, args, out, err);
    pts_value_release(&args[1]);
    return s;
}

/* {==================== numbers (Scalar) ====================
 * torch's DEFINE_SCALAR_BINARY_OP: the int kernel when both arguments are ints at run time, the
 * mixed or float one otherwise (div always divides as doubles) */
#define K_NUM2(ID, OP)                                                                         \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        bool fx = a[0].tag == PTS_V_DOUBLE, fy = a[1].tag == PTS_V_DOUBLE;                     \
        return fx ? (fy ? k_##OP##_FLOAT(a, out, err) : k_##OP##_FLOAT_INT(a, out, err))        \
                  : (fy ? k_##OP##_INT_FLOAT(a, out, err) : k_##OP##_INT(a, out, err));          \
    }
K_NUM2(ADD_NUM, ADD)
K_NUM2(SUB_NUM, SUB)
K_NUM2(MUL_NUM, MUL)
K_NUM2(FLOORDIV_NUM, FLOORDIV)
K_NUM2(REMAINDER_NUM, REMAINDER)
K_NUM2(LT_NUM, LT)
K_NUM2(GT_NUM, GT)
K_NUM2(LE_NUM, LE)
K_NUM2(GE_NUM, GE)
K_NUM2(EQ_NUM, EQ)
K_NUM2(NE_NUM, NE)
K_FLOAT(DIV_NUM, F(0) / F(1))
/* pow.Scalar_Scalar is std::pow on doubles: 0 ** -1 is inf here (pow.int raises) */
K_FLOAT(POW_NUM, pow(F(0), F(1)))
/* torch's int case casts -a to C's int (static_cast<int> in DEFINE_UNARY_OP_WITH_COMPLEX_CAST):
 * the low 32 bits, sign-extended (-(2**40) gives 0) */
PtsStatus k_NEG_NUM(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag == PTS_V_DOUBLE) return k_NEG_FLOAT(a, out, err);
    out[0] = pts_vint((int32_t)(uint32_t)(0u - (uint64_t)I(0)));
    return PTS_OK;
}
/* floor/ceil.Scalar give ints (an int argument through torch's C int cast), round and sqrt give
 * floats; torch's sqrt.Scalar computes in single precision */
/* torch computes in double and casts through int64 to C's int: the low 32 bits (2**53 + 1 gives 0) */
static PtsStatus floor_ceil_num(double d, PtsValue *out, PtsError *err) {
    int64_t v = 0;
    PTS_TRY(f64_to_i64(d, err, &v));
    out[0] = pts_vint((int32_t)(uint32_t)(uint64_t)v);
    return PTS_OK;
}
PtsStatus k_FLOOR_NUM(PtsValue *a, PtsValue *out, PtsError *err) { return floor_ceil_num(floor(F(0)), out, err); }
PtsStatus k_CEIL_NUM(PtsValue *a, PtsValue *out, PtsError *err) { return floor_ceil_num(ceil(F(0)), out, err); }
K_FLOAT(ROUND_NUM, nearbyint(F(0)))
K_FLOAT(SQRT_NUM, (double)sqrtf((float)F(0)))
/* prim::min / prim::max (Scalar a, Scalar b): the int kernel for two ints, else a double; a bool
 * (item() of a bool tensor) fails as torch's IValue::toInt does */
static PtsStatus num_extreme(PtsValue *a, PtsValue *out, PtsError *err, bool want_max) {
    if (a[0].tag == PTS_V_BOOL || a[1].tag == PTS_V_BOOL) return pts_fail(err, PTS_ERR_RUNTIME, "expected int");
    if (a[0].tag == PTS_V_DOUBLE || a[1].tag == PTS_V_DOUBLE)
        return want_max ? k_MAX_FLOAT(a, out, err) : k_MIN_FLOAT(a, out, err);
    return want_max ? k_MAX_INT(a, out, err) : k_MIN_INT(a, out, err);
}
PtsStatus k_MIN_NUM(PtsValue *a, PtsValue *out, PtsError *err) { return num_extreme(a, out, err, false); }
PtsStatus k_MAX_NUM(PtsValue *a, PtsValue *out, PtsError *err) { return num_extreme(a, out, err, true); }
/* prim::abs.Scalar: the same C int cast of an int result */
PtsStatus k_ABS_NUM(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag == PTS_V_DOUBLE) return k_ABS_FLOAT(a, out, err);
    uint64_t u = (uint64_t)I(0);
    out[0] = pts_vint((int32_t)(uint32_t)(I(0) < 0 ? 0u - u : u));
    return PTS_OK;
}
/* }==================== */

/* {==================== prim::tolist ====================
 * x.tolist() in script: the compiler passes the annotated result as the list depth `dim` and the
 * element code `elem` (0 int, 1 float, 2 bool, 3 complex), as torch's Graph::insertToList. The
 * checks and messages are torch's (register_prim_ops.cpp): the element type first (a float
 * annotation takes any floating tensor, int only int64, bool only bool), then the depth. */
static PtsStatus tolist_rec(const PtsTensor *t, const char *p, int d, int elem, PtsError *err, PtsValue *out) {
    if (d == t->ndim) {
        if (elem == 1) *out = pts_vdouble(pts_load_f64(t->dtype, p));
        else if (elem == 2) *out = pts_vbool(pts_load_i64(t->dtype, p) != 0);
        else *out = pts_vint(pts_load_i64(t->dtype, p));
        return PTS_OK;
    }
    PTS_TRY(pts_list_new(PTS_V_LIST, t->shape[d], err, out));
    int64_t step = t->strides[d] * (int64_t)pts_dtype_size(t->dtype);
    for (int64_t i = 0; i < t->shape[d]; i++) {
        PtsValue item;
        PtsStatus st = tolist_rec(t, p + i * step, d + 1, elem, err, &item);
        if (!st) st = pts_list_append(*out, item, err);
        if (st) { pts_value_release(out); return st; }
    }
    return PTS_OK;
}

PtsStatus pts_builtin_tolist(const PtsValue *args, PtsError *err, PtsValue *out) {
    *out = pts_none();
    if (args[0].tag != PTS_V_TENSOR || args[1].tag != PTS_V_INT || args[2].tag != PTS_V_INT)
        return pts_fail(err, PTS_ERR_RUNTIME, "prim::tolist takes a tensor, a dimension and an element type");
    const PtsTensor *t = args[0].u.t;
    int64_t dim = args[1].u.i, elem = args[2].u.i;
    if (elem < 0 || elem > 3)
        return pts_fail(err, PTS_ERR_RUNTIME, "Unsupported element type for tolist; only int, float, complex and bool are supported");
    bool ok = elem == 0 ? t->dtype == PTS_INT64 : elem == 1 ? pts_dtype_is_float(t->dtype) : elem == 2 && t->dtype == PTS_BOOL;
    /* torch names the annotation by its ScalarType: int -> Long, float -> Float (pyts has no
     * complex tensors; torch prints Bool for complex) */
    if (!ok)
        return pts_fail(err, PTS_ERR_RUNTIME, "Output annotation element type and runtime tensor element type must match "
                        "for tolist(): %s vs %s", elem == 0 ? "Long" : elem == 1 ? "Float" : "Bool",
                        pts_dtype_scalar_name(t->dtype, "Undefined"));
    if (dim != t->ndim)
        return pts_fail(err, PTS_ERR_RUNTIME, "Output annotation list dimension and runtime tensor dimension must match for tolist()");
    /* torch converts floating elements from float and double only */
    if (elem == 1 && t->dtype != PTS_FLOAT32 && t->dtype != PTS_FLOAT64)
        return pts_fail(err, PTS_ERR_RUNTIME, "Unexpected scalar type for Tensor");
    return tolist_rec(t, pts_tensor_data(t), 0, (int)elem, err, out);
}
/* }==================== */

/* {==================== math.* on numbers (s5-scalar) ====================
 * torch's DEFINE_UNARY_OP / DEFINE_BINARY_FLOAT_OP kernels: the int and float overloads compute
 * in double; the unary .Scalar ones cast the result to C float (static_cast<float>) and back,
 * whether the argument is an int or a float. C's libm gives the values torch's does (no Python
 * domain errors: math.sqrt(-1) is nan). */
static double pts_degrees(double x) { return x * (180.0 / M_PI); }
static double pts_radians(double x) { return x * (M_PI / 180.0); }
static double pts_log_base(double x, double b) { return log(x) / log(b); }

#define K_MATH1(N, fn)                                                                         \
    K_FLOAT(N##_INT, fn((double)I(0)))                                                         \
    K_FLOAT(N##_FLOAT, fn(F(0)))                                                               \
    K_FLOAT(N##_NUM, (double)(float)fn(F(0)))
#define K_MATH2(N, fn)                                                                         \
    K_FLOAT(N##_INT, fn((double)I(0), (double)I(1)))                                           \
    K_FLOAT(N##_FLOAT, fn(F(0), F(1)))                                                         \
    K_FLOAT(N##_INT_FLOAT, fn((double)I(0), F(1)))                                             \
    K_FLOAT(N##_FLOAT_INT, fn(F(0), (double)I(1)))                                             \
    K_FLOAT(N##_NUM, fn(F(0), F(1)))
K_MATH1(ERF, erf)
K_MATH1(ERFC, erfc)
K_MATH1(EXPM1, expm1)
K_MATH1(FABS, fabs)
K_MATH1(GAMMA, tgamma)
K_MATH1(LGAMMA, lgamma)
K_MATH1(LOG10, log10)
K_MATH1(LOG1P, log1p)
K_MATH1(ASINH, asinh)
K_MATH1(ATANH, atanh)
K_MATH1(COSH, cosh)
K_MATH1(SINH, sinh)
K_MATH1(TANH, tanh)
K_MATH1(ACOS, acos)
K_MATH1(ASIN, asin)
K_MATH1(ATAN, atan)
K_MATH1(COS, cos)
K_MATH1(SIN, sin)
K_MATH1(TAN, tan)
K_MATH1(ACOSH, acosh)
K_MATH1(DEGREES, pts_degrees)
K_MATH1(RADIANS, pts_radians)
K_FLOAT(EXP_NUM, (double)(float)exp(F(0)))
K_FLOAT(LOG_NUM, (double)(float)log(F(0)))
K_MATH2(COPYSIGN, copysign)
K_MATH2(ATAN2, atan2)
K_MATH2(FMOD, fmod)
K_MATH2(MATHREMAINDER, remainder)
K_MATH2(LOGB, pts_log_base)

K_INT(CEIL_INT, I(0))
K_INT(FLOOR_INT, I(0))
K_FLOAT(ROUND_INT, (double)I(0))

/* modf(a) -> (fractional part, integral part) and frexp(a) -> (mantissa, exponent), as Python */
PtsStatus k_MODF(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    double ip, fp = modf(F(0), &ip);
    out[0] = pts_vdouble(fp);
    out[1] = pts_vdouble(ip);
    return PTS_OK;
}
PtsStatus k_FREXP(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    int e = 0;
    double m = frexp(F(0), &e);
    out[0] = pts_vdouble(m);
    out[1] = pts_vint(e);
    return PTS_OK;
}
/* torch passes the int64 exponent to std::ldexp's int: the low 32 bits */
K_FLOAT(LDEXP, ldexp(F(0), (int32_t)(uint32_t)(uint64_t)I(1)))

/* torch's gcd: Euclid on int64 and the absolute value (wrapping at INT64_MIN) */
PtsStatus k_GCD_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    int64_t x = I(0), y = I(1);
    while (y != 0) {
        int64_t r = y == -1 ? 0 : x % y;
        x = y;
        y = r;
    }
    out[0] = pts_vint(x < 0 ? wsub(0, x) : x);
    return PTS_OK;
}
/* torch's factorial: a negative argument raises, the product wraps around in int64 */
PtsStatus k_FACTORIAL_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t n = I(0), r = 1;
    if (n < 0) return pts_fail(err, PTS_ERR_RUNTIME, "factorial() not defined for negative values");
    /* past 20! the int64 product is 0 from 66 on (it has 64 factors of two); stop early there */
    for (int64_t k = n; k > 0 && r != 0; k--) r = wmul(r, k);
    out[0] = pts_vint(r);
    return PTS_OK;
}
/* hash(x): torch's IValue::hash, which is C++'s std::hash as libstdc++ computes it: an int is
 * itself, a bool 0 or 1, None 0, a float and a str the bytes through _Hash_bytes (a 64-bit Murmur
 * variant, seed 0xc70f6907; 0.0 and -0.0 hash to 0), a tensor its address, a tuple its items
 * folded with hash_combine */
static uint64_t shift_mix(uint64_t v) { return v ^ (v >> 47); }
static uint64_t hash_bytes(const unsigned char *p, size_t len) {
    const uint64_t mul = (0xc6a4a793ull << 32) + 0x5bd1e995ull;
    uint64_t h = 0xc70f6907ull ^ ((uint64_t)len * mul);
    size_t aligned = len & ~(size_t)7;
    for (size_t i = 0; i < aligned; i += 8) {
        uint64_t d;
        memcpy(&d, p + i, 8);
        h ^= shift_mix(d * mul) * mul;
        h *= mul;
    }
    if (len & 7) {
        uint64_t d = 0;
        for (size_t n = len & 7; n-- > 0;) d = (d << 8) + p[aligned + n];
        h ^= d;
        h *= mul;
    }
    h = shift_mix(h) * mul;
    return shift_mix(h);
}
static PtsStatus hash_value(PtsValue v, PtsError *err, uint64_t *out) {
    switch (v.tag) {
    case PTS_V_NONE: *out = 0; return PTS_OK;
    case PTS_V_BOOL: *out = v.u.b; return PTS_OK;
    case PTS_V_INT: *out = (uint64_t)v.u.i; return PTS_OK;
    case PTS_V_DOUBLE: {
        double d = v.u.d;
        *out = d != 0.0 ? hash_bytes((const unsigned char *)&d, sizeof d) : 0;
        return PTS_OK;
    }
    case PTS_V_STR: {
        const PtsStr *s = pts_as_str(v);
        *out = hash_bytes((const unsigned char *)s->data, (size_t)s->len);
        return PTS_OK;
    }
    case PTS_V_TENSOR: *out = (uint64_t)(uintptr_t)v.u.t; return PTS_OK;
    /* std::hash<c10::Device>: type << 16 | (uint8_t)index (cpu: type 0, index -1) */
    case PTS_V_DEVICE: *out = v.u.i < 0 ? 255u : (UINT64_C(1) << 16) | (uint8_t)v.u.i; return PTS_OK;
    case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        uint64_t seed = 0;
        for (int64_t i = 0; i < l->len; i++) {
            uint64_t h;
            PTS_TRY(hash_value(l->items[i], err, &h));
            seed ^= h + 0x9e3779b9ull + (seed << 6) + (seed >> 2);
        }
        *out = seed;
        return PTS_OK;
    }
    default: {
        /* torch: unhashable type: 'List[int]' (the value's static type; an enum member's is
         * Enum<__torch__.E>) */
        PtsBuf b;
        pts_buf_init(&b);
        if (pts_value_type_text_hook && (v.tag == PTS_V_LIST || v.tag == PTS_V_DICT || v.tag == PTS_V_OBJECT || v.tag == PTS_V_HEAP))
            pts_value_type_text_hook(&b, v);
        else pts_buf_puts(&b, v.tag == PTS_V_LIST ? "list" : v.tag == PTS_V_DICT ? "dict" : "object");
        PtsStatus s = b.oom ? pts_fail(err, PTS_ERR_NOMEM, "out of memory")
                            : pts_fail(err, PTS_ERR_RUNTIME, "unhashable type: '%s'", b.data);
        pts_buf_free(&b);
        return s;
    }
    }
}
PtsStatus k_HASH_GENERIC(PtsValue *a, PtsValue *out, PtsError *err) {
    uint64_t h = 0;
    PTS_TRY(hash_value(a[0], err, &h));
    out[0] = pts_vint((int64_t)h);
    return PTS_OK;
}
/* }==================== */
