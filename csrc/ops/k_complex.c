/* k_complex.c: kernels of the complex builtins (ops_complex.def) and the complex value box.
 * Results follow PyTorch's C++ (c10::complex with libstdc++'s std:: functions over glibc's C99
 * complex functions): numpy's division algorithm, a scalar added to the real part only, std::pow's
 * real-exponent and real-base special forms, log10 as log(z) / log(10). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "complex.h"

static void complex_destroy(PtsHeap *h) { pts_free(h); }

PtsStatus pts_complex_new(double re, double im, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsComplex *c = pts_malloc(sizeof *c);
    if (!c) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&c->h.refcnt, 1);
    c->h.destroy = complex_destroy;
    c->re = re;
    c->im = im;
    out->tag = PTS_V_COMPLEX;
    out->u.h = &c->h;
    return PTS_OK;
}

/* IValue's operator<< for a double: 17 significant digits, a '.' added to an integral value */
static void ivalue_double(PtsBuf *b, double d) {
    char t[64];
    snprintf(t, sizeof t, "%.17g", d);
    pts_buf_puts(b, t);
    if (isfinite(d) && !strpbrk(t, ".e")) pts_buf_puts(b, ".");
}

void pts_complex_print(PtsBuf *b, double re, double im) {
    ivalue_double(b, re);
    pts_buf_puts(b, im >= 0 ? "+" : "-");
    ivalue_double(b, fabs(im));
    pts_buf_puts(b, "j");
}

typedef struct { double re, im; } Cx;

/* a complex, int, float or bool argument as a complex (the schema decides which arrive) */
static Cx arg(PtsValue v) {
    if (v.tag == PTS_V_COMPLEX) return (Cx){ pts_as_complex(v)->re, pts_as_complex(v)->im };
    return (Cx){ pts_value_to_f64(v), 0.0 };
}
static Cx of(double complex z) { return (Cx){ creal(z), cimag(z) }; }
static double complex cz(Cx x) { return CMPLX(x.re, x.im); }
static PtsStatus ret(Cx x, PtsValue *out, PtsError *err) { return pts_complex_new(x.re, x.im, err, out); }

/* c10::complex operator/ (numpy's algorithm: no overflow for large divisors) */
static Cx cdiv(Cx x, Cx y) {
    double a = x.re, b = x.im, c = y.re, d = y.im, ac = fabs(c), ad = fabs(d);
    if (ac >= ad) {
        if (ac == 0 && ad == 0) return (Cx){ a / ac, b / ad };
        double rat = d / c, scl = 1.0 / (c + d * rat);
        return (Cx){ (a + b * rat) * scl, (b - a * rat) * scl };
    }
    double rat = c / d, scl = 1.0 / (d + c * rat);
    return (Cx){ (a * rat + b) * scl, (b * rat - a) * scl };
}

/* ---- construction ---- */
static PtsStatus tensor_double(const PtsTensor *t, PtsError *err, double *out) {
    int64_t n = pts_numel(t);
    if (n != 1)
        return pts_fail(err, PTS_ERR_RUNTIME, "a Tensor with %lld elements cannot be converted to Scalar", (long long)n);
    *out = pts_tensor_item_f64(t);
    return PTS_OK;
}
static PtsStatus two_parts(PtsValue *a, PtsValue *out, PtsError *err) {
    double p[2];
    for (int k = 0; k < 2; k++) {
        if (a[k].tag == PTS_V_TENSOR) PTS_TRY(tensor_double(a[k].u.t, err, &p[k]));
        else p[k] = pts_value_to_f64(a[k]);
    }
    return pts_complex_new(p[0], p[1], err, out);
}
PtsStatus k_C_COMPLEX_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag == PTS_V_COMPLEX) { out[0] = pts_value_retain(a[0]); return PTS_OK; }
    return pts_complex_new(pts_value_to_f64(a[0]), 0.0, err, out);
}
#define K_PARTS(ID) PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { return two_parts(a, out, err); }
K_PARTS(C_COMPLEX_TENSOR_TENSOR)
K_PARTS(C_COMPLEX_INT_BOOL)
K_PARTS(C_COMPLEX_BOOL_INT)
K_PARTS(C_COMPLEX_FLOAT_BOOL)
K_PARTS(C_COMPLEX_BOOL_FLOAT)
K_PARTS(C_COMPLEX_FLOAT_INT)
K_PARTS(C_COMPLEX_INT_FLOAT)
K_PARTS(C_COMPLEX_INT_INT)
K_PARTS(C_COMPLEX_BOOL_BOOL)
K_PARTS(C_COMPLEX_FLOAT_FLOAT)
K_PARTS(C_COMPLEX_TENSOR_FLOAT)
K_PARTS(C_COMPLEX_FLOAT_TENSOR)
K_PARTS(C_COMPLEX_TENSOR_INT)
K_PARTS(C_COMPLEX_INT_TENSOR)
K_PARTS(C_COMPLEX_TENSOR_BOOL)
K_PARTS(C_COMPLEX_BOOL_TENSOR)
/* a tensor where a complex is expected: torch's checkImplicitTensorToNum (0-dim only) */
PtsStatus k_C_COMPLEXIMPLICIT(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    if (t->ndim != 0)
        return pts_fail(err, PTS_ERR_RUNTIME, "Cannot input a tensor of dimension other than 0 as a scalar argument");
    return pts_complex_new(pts_tensor_item_f64(t), 0.0, err, out);
}

/* ---- arithmetic: complex op complex; a real operand enters as c10's scalar forms ---- */
static Cx cadd(Cx x, Cx y) { return (Cx){ x.re + y.re, x.im + y.im }; }
static Cx csub(Cx x, Cx y) { return (Cx){ x.re - y.re, x.im - y.im }; }
static Cx cmul(Cx x, Cx y) { return (Cx){ x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re }; }
#define K_CC(ID, expr) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { Cx x = arg(a[0]), y = arg(a[1]); return ret(expr, out, err); }
/* a real y: complex + y adds to the real part, complex * y scales both parts; y - complex is
 * (-complex) + y (c10's operators with a scalar) */
#define K_CR(ID, expr) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { Cx x = arg(a[0]); double y = pts_value_to_f64(a[1]); return ret(expr, out, err); }
#define K_RC(ID, expr) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { double x = pts_value_to_f64(a[0]); Cx y = arg(a[1]); return ret(expr, out, err); }
K_CC(C_ADD, cadd(x, y))
K_RC(C_ADD_INT_COMPLEX, ((Cx){ y.re + x, y.im }))
K_CR(C_ADD_COMPLEX_INT, ((Cx){ x.re + y, x.im }))
K_RC(C_ADD_FLOAT_COMPLEX, ((Cx){ y.re + x, y.im }))
K_CR(C_ADD_COMPLEX_FLOAT, ((Cx){ x.re + y, x.im }))
K_CC(C_SUB, csub(x, y))
K_RC(C_SUB_INT_COMPLEX, ((Cx){ -y.re + x, -y.im }))
K_CR(C_SUB_COMPLEX_INT, ((Cx){ x.re - y, x.im }))
K_RC(C_SUB_FLOAT_COMPLEX, ((Cx){ -y.re + x, -y.im }))
K_CR(C_SUB_COMPLEX_FLOAT, ((Cx){ x.re - y, x.im }))
K_CC(C_MUL, cmul(x, y))
K_RC(C_MUL_INT_COMPLEX, ((Cx){ y.re * x, y.im * x }))
K_CR(C_MUL_COMPLEX_INT, ((Cx){ x.re * y, x.im * y }))
K_RC(C_MUL_FLOAT_COMPLEX, ((Cx){ y.re * x, y.im * x }))
K_CR(C_MUL_COMPLEX_FLOAT, ((Cx){ x.re * y, x.im * y }))
K_CC(C_DIV, cdiv(x, y))
/* std::pow(complex, complex) is C99's cpow; std::pow(complex, real) and std::pow(real, complex)
 * take libstdc++'s polar forms */
K_CC(C_POW, of(cpow(cz(x), cz(y))))
static Cx pow_cr(Cx x, double y) {
    if (x.im == 0 && x.re > 0) return (Cx){ pow(x.re, y), 0.0 };
    Cx t = of(clog(cz(x)));
    double r = exp(y * t.re), th = y * t.im;
    return (Cx){ r * cos(th), r * sin(th) };
}
static Cx pow_rc(double x, Cx y) {
    if (x > 0) {
        double r = pow(x, y.re), th = y.im * log(x);
        return (Cx){ r * cos(th), r * sin(th) };
    }
    return of(cpow(CMPLX(x, 0.0), cz(y)));
}
K_RC(C_POW_FLOAT_COMPLEX, pow_rc(x, y))
K_CR(C_POW_COMPLEX_FLOAT, pow_cr(x, y))
PtsStatus k_C_NEG(PtsValue *a, PtsValue *out, PtsError *err) { Cx x = arg(a[0]); return ret((Cx){ -x.re, -x.im }, out, err); }

/* ---- comparisons (a real equals a complex with a zero imaginary part) ---- */
#define K_CMP(ID, expr) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { (void)err; Cx x = arg(a[0]), y = arg(a[1]); out[0] = pts_vbool(expr); return PTS_OK; }
K_CMP(C_EQ, x.re == y.re && x.im == y.im)
K_CMP(C_EQ_FLOAT_COMPLEX, x.re == y.re && x.im == y.im)
K_CMP(C_EQ_COMPLEX_FLOAT, x.re == y.re && x.im == y.im)
K_CMP(C_NE, !(x.re == y.re && x.im == y.im))
K_CMP(C_NE_FLOAT_COMPLEX, !(x.re == y.re && x.im == y.im))
K_CMP(C_NE_COMPLEX_FLOAT, !(x.re == y.re && x.im == y.im))

/* ---- math ---- */
PtsStatus k_C_ABS(PtsValue *a, PtsValue *out, PtsError *err) { (void)err; Cx x = arg(a[0]); out[0] = pts_vdouble(hypot(x.re, x.im)); return PTS_OK; }
PtsStatus k_C_ANGLE(PtsValue *a, PtsValue *out, PtsError *err) { (void)err; Cx x = arg(a[0]); out[0] = pts_vdouble(atan2(x.im, x.re)); return PTS_OK; }
#define K_PRED(ID, expr) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { (void)err; Cx x = arg(a[0]); out[0] = pts_vbool(expr); return PTS_OK; }
K_PRED(C_ISNAN, isnan(x.re) || isnan(x.im))
K_PRED(C_ISINF, isinf(x.re) || isinf(x.im))
K_PRED(C_ISFINITE, isfinite(x.re) && isfinite(x.im))
#define K_FN(ID, fn) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { return ret(of(fn(cz(arg(a[0])))), out, err); }
K_FN(C_SQRT, csqrt)
K_FN(C_EXP, cexp)
K_FN(C_LOG, clog)
K_FN(C_SIN, csin)
K_FN(C_COS, ccos)
K_FN(C_TAN, ctan)
K_FN(C_ASIN, casin)
K_FN(C_ACOS, cacos)
K_FN(C_ATAN, catan)
K_FN(C_SINH, csinh)
K_FN(C_COSH, ccosh)
K_FN(C_TANH, ctanh)
K_FN(C_ASINH, casinh)
K_FN(C_ACOSH, cacosh)
K_FN(C_ATANH, catanh)
PtsStatus k_C_LOG10(PtsValue *a, PtsValue *out, PtsError *err) {
    Cx l = of(clog(cz(arg(a[0]))));
    double d = log(10.0);
    return ret((Cx){ l.re / d, l.im / d }, out, err);
}
/* log(a, b) = log(a) / log(b), each log of its own kind (a real log of a real, divided as c10) */
K_CC(C_LOG_COMPLEX_COMPLEX, cdiv(of(clog(cz(x))), of(clog(cz(y)))))
static Cx log_cr(Cx x, double y) { Cx l = of(clog(cz(x))); double d = log(y); return (Cx){ l.re / d, l.im / d }; }
static Cx log_rc(double x, Cx y) { return cdiv((Cx){ log(x), 0.0 }, of(clog(cz(y)))); }
K_RC(C_LOG_INT_COMPLEX, log_rc(x, y))
K_CR(C_LOG_COMPLEX_INT, log_cr(x, y))
K_RC(C_LOG_FLOAT_COMPLEX, log_rc(x, y))
K_CR(C_LOG_COMPLEX_FLOAT, log_cr(x, y))
/* c10::polar(r, theta) */
#define K_POLAR(ID) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { \
        double r = pts_value_to_f64(a[0]), th = pts_value_to_f64(a[1]); return ret((Cx){ r * cos(th), r * sin(th) }, out, err); }
K_POLAR(C_POLAR_INT)
K_POLAR(C_POLAR_FLOAT)
K_POLAR(C_POLAR_INT_FLOAT)
K_POLAR(C_POLAR_FLOAT_INT)
PtsStatus k_C_SUM(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].tag == PTS_V_LIST, err, TYPE, "sum() expects a list of complex");
    const PtsList *l = pts_as_list(a[0]);
    Cx s = { 0.0, 0.0 };
    for (int64_t i = 0; i < l->len; i++) s = cadd(s, arg(l->items[i]));
    return ret(s, out, err);
}
