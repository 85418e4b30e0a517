/* k_complex_tensor.c: complex64 / complex128 tensors. The table of rows that accept complex
 * operands (pts_cx_rows, read by complex_guard.c), the complex kernels those rows switch to
 * (arithmetic through the pointwise engine with <complex.h> loops, reductions and matmul through
 * the real ops on (re, im) views), and the new rows of ops_complex_tensor.def (real, imag,
 * view_as_real, view_as_complex, conj, angle, complex, polar). */
#include <complex.h>
#include <math.h>
#include <stdio.h>

#include "../serial/serial.h"
#include "builtin.h"
#include "complex_loops.h"

/* ================= helpers ================= */

/* A number or one-element tensor as (re, im); false when v is neither. */
bool pts_cx_scalar_parts(PtsValue v, double *re, double *im) {
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
static bool is_cx_value(PtsValue v) {
    return v.tag == PTS_V_COMPLEX || (v.tag == PTS_V_TENSOR && pts_dtype_is_complex(v.u.t->dtype));
}

/* torch's Scalar::to<T> check for a complex value written to a real dtype */
PtsStatus pts_cx_check_real_target(PtsDType d, double im, PtsError *err) {
    if (pts_dtype_is_complex(d) || im == 0) return PTS_OK;
    const char *n = d == PTS_FLOAT32 ? "float" : d == PTS_FLOAT64 ? "double" : d == PTS_INT64 ? "int64_t"
                    : d == PTS_BOOL ? "bool" : pts_dtype_cpp_name(d);
    return pts_fail(err, PTS_ERR_RUNTIME, "value cannot be converted to type %s without overflow", n);
}

typedef struct FillCtx { PtsDType d; double re, im; } FillCtx;
static void fill_loop(char **p, const int64_t *s, int64_t n, void *vctx) {
    const FillCtx *c = vctx;
    for (int64_t i = 0; i < n; i++) pts_store_c128(c->d, p[0] + i * s[0], c->re, c->im);
}
static void fill_parts(PtsTensor *t, double re, double im) {
    PtsIterOperand op;
    pts_iter_operand(&op, t, t->ndim, t->shape);
    FillCtx c = { t->dtype, re, im };
    pts_iter_run(1, &op, t->ndim, t->shape, fill_loop, &c);
}

/* A strided view of complex t's storage as its real dtype: (re, im) pairs as a trailing dim of 2
 * (view_as_real), or one part (part 0 real, 1 imag) with t's shape. */
PtsStatus pts_cx_real_view(PtsTensor *t, int part, PtsError *err, PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int nd = t->ndim;
    for (int i = 0; i < nd; i++) { shape[i] = t->shape[i]; st[i] = t->strides[i] * 2; }
    if (part < 0) {
        PTS_CHECK(nd < PTS_MAX_DIMS, err, RUNTIME, "view_as_real: too many dimensions");
        shape[nd] = 2;
        st[nd] = 1;
        nd++;
    }
    return pts_tensor_from_storage(t->storage, pts_dtype_to_real(t->dtype), nd, shape, st,
                                   t->offset * 2 + (part > 0 ? 1 : 0), err, out);
}

/* ================= factories and fills =================
 * The row's own kernel makes the tensor (filled with 0, dtype fixed here); the complex value is
 * written afterwards. fill_at: the Scalar's position; dtype_at: the ScalarType's (-1 none);
 * like_at: the tensor giving the default dtype (-1: the default complex dtype). */
static PtsStatus cx_fill_call(PtsOpId id, PtsKernel k, PtsValue *a, PtsValue *out, PtsError *err,
                              int fill_at, int dtype_at, int like_at, PtsTensor *target) {
    double re, im;
    if (!pts_cx_scalar_parts(a[fill_at], &re, &im))
        return pts_fail(err, PTS_ERR_RUNTIME, "fill value must be a number or a one-element tensor");
    PtsDType d;
    if (target) d = target->dtype;
    else if (dtype_at >= 0 && a[dtype_at].tag == PTS_V_INT) d = (PtsDType)a[dtype_at].u.i;
    else if (like_at >= 0) d = a[like_at].u.t->dtype;
    else d = is_cx_value(a[fill_at]) ? pts_dtype_to_complex(pts_default_dtype()) : pts_default_dtype();
    PTS_TRY(pts_cx_check_real_target(d, im, err));
    PtsValue b[PTS_MAX_ARGS];
    memcpy(b, a, sizeof(PtsValue) * (size_t)pts_op_info[id].schema.nargs);
    b[fill_at] = pts_vint(0);
    if (dtype_at >= 0) b[dtype_at] = pts_vint(d);
    PTS_TRY(k(b, out, err));   /* the row's kernel itself: its guard would send b back here */
    fill_parts(out[0].u.t, re, im);
    return PTS_OK;
}
static PtsStatus cx_FULL(PtsValue *a, PtsValue *o, PtsError *e) { return cx_fill_call(PTS_OP_FULL, k_FULL, a, o, e, 1, 2, -1, NULL); }
static PtsStatus cx_FULL_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return cx_fill_call(PTS_OP_FULL_OUT, k_FULL_OUT, a, o, e, 1, -1, -1, a[2].u.t); }
static PtsStatus cx_NEW_FULL(PtsValue *a, PtsValue *o, PtsError *e) { return cx_fill_call(PTS_OP_NEW_FULL, k_NEW_FULL, a, o, e, 2, 3, 0, NULL); }
static PtsStatus cx_FULL_LIKE(PtsValue *a, PtsValue *o, PtsError *e) { return cx_fill_call(PTS_OP_FULL_LIKE, k_FULL_LIKE, a, o, e, 1, 2, 0, NULL); }
static PtsStatus cx_FILL__SCALAR(PtsValue *a, PtsValue *o, PtsError *e) { return cx_fill_call(PTS_OP_FILL__SCALAR, k_FILL__SCALAR, a, o, e, 1, -1, -1, a[0].u.t); }
/* torch's TORCH_WARN_ONCE of copy_ from a complex tensor into a real one: one UserWarning per
 * process, the imaginary part dropped */
static PtsStatus warn_discard_imag(PtsError *err) {
    static _Atomic bool warned = false;
    static const char msg[] = "Casting complex values to real discards the imaginary part";
    return pts_warn_once(&warned, msg, sizeof msg - 1, err);
}
static PtsStatus cx_FILL__TENSOR(PtsValue *a, PtsValue *o, PtsError *e) {
    PTS_CHECK(a[1].u.t->ndim == 0, e, RUNTIME,
              "fill_ only supports 0-dimension value tensor but got tensor with %d dimensions.", a[1].u.t->ndim);
    if (pts_dtype_is_complex(a[1].u.t->dtype) && !pts_dtype_is_complex(a[0].u.t->dtype)) {
        /* as torch, a tensor value is copied in (copy_'s rules): the real part, with copy_'s warning */
        double re, im;
        pts_load_c128(a[1].u.t->dtype, pts_tensor_data(a[1].u.t), &re, &im);
        PTS_TRY(warn_discard_imag(e));
        PtsValue b[2] = { a[0], pts_vdouble(re) };
        return cx_fill_call(PTS_OP_FILL__SCALAR, k_FILL__SCALAR, b, o, e, 1, -1, -1, a[0].u.t);
    }
    return cx_fill_call(PTS_OP_FILL__SCALAR, k_FILL__SCALAR, a, o, e, 1, -1, -1, a[0].u.t);
}
/* copy_ of a complex source into a real tensor: the real parts (the kernel's conversion), warned */
static PtsStatus cx_COPY_(PtsValue *a, PtsValue *o, PtsError *e) {
    if (pts_dtype_is_complex(a[1].u.t->dtype) && !pts_dtype_is_complex(a[0].u.t->dtype))
        PTS_TRY(warn_discard_imag(e));
    return k_COPY_(a, o, e);
}

/* item() and bool() of one complex element */
static PtsStatus cx_ITEM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    int64_t n = pts_numel(t);
    PTS_CHECK(n == 1, err, RUNTIME, "a Tensor with %lld elements cannot be converted to Scalar", (long long)n);
    double re, im;
    pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
    return pts_complex_new(re, im, err, out);
}
static PtsStatus cx_BOOL_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    int64_t n = pts_numel(t);
    if (n == 0) return pts_fail(err, PTS_ERR_RUNTIME, "Boolean value of Tensor with no values is ambiguous");
    if (n > 1) return pts_fail(err, PTS_ERR_RUNTIME, "Boolean value of Tensor with more than one value is ambiguous");
    double re, im;
    pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
    out[0] = pts_vbool(re != 0 || im != 0);
    return PTS_OK;
}

/* ================= elementwise ================= */
#define CX_PAIR(OP, EXPR) PTS_LOOP2(OP##_c64, cf, cf, EXPR) PTS_LOOP2(OP##_c128, cd, cd, EXPR)
#define CX_CMP(OP, EXPR) PTS_LOOP2(OP##_c64, cf, bool, EXPR) PTS_LOOP2(OP##_c128, cd, bool, EXPR)
/* torch's complex arithmetic (c10::complex and its vectorised kernels): the plain product, without
 * C99's recovery of infinities (so 1 * (inf + inf j) is nan + nan j, as in torch, whose add is
 * self + alpha * other), and numpy's scaled quotient */
#define CX_MAKE(T, re, im) ({ T z_; __real__ z_ = (re); __imag__ z_ = (im); z_; })
#define NMUL(x, y)                                                                             \
    ({ __typeof__((x) + 0) a_ = (x), b_ = (y);                                                 \
       CX_MAKE(__typeof__((x) + 0), __real__ a_ * __real__ b_ - __imag__ a_ * __imag__ b_,           \
               __real__ a_ * __imag__ b_ + __imag__ a_ * __real__ b_); })
#define NDIV(x, y)                                                                             \
    ({ __typeof__((x) + 0) a_ = (x), b_ = (y);                                                 \
       __typeof__(__real__ a_ + 0) ar_ = __real__ a_, ai_ = __imag__ a_, c_ = __real__ b_, d_ = __imag__ b_, \
           r_, s_, re_, im_;                                                                   \
       if (fabs(c_) >= fabs(d_)) {                                                             \
           if (c_ == 0 && d_ == 0) { re_ = ar_ / fabs(c_); im_ = ai_ / fabs(d_); }             \
           else { r_ = d_ / c_; s_ = 1 / (c_ + d_ * r_); re_ = (ar_ + ai_ * r_) * s_; im_ = (ai_ - ar_ * r_) * s_; } \
       } else { r_ = c_ / d_; s_ = 1 / (d_ + c_ * r_); re_ = (ar_ * r_ + ai_) * s_; im_ = (ai_ * r_ - ar_) * s_; } \
       CX_MAKE(__typeof__((x) + 0), re_, im_); })
#define ALPHA(x) CX_MAKE(__typeof__((x) + 0), c->d, c->d2)

CX_PAIR(add_a, x + NMUL(ALPHA(x), y))
CX_PAIR(sub_a, x - NMUL(ALPHA(x), y))
CX_PAIR(mul, NMUL(x, y))
CX_PAIR(div, NDIV(x, y))
CX_PAIR(pow, sizeof(x) == 8 ? (PTS_T(x))cpowf((cf)x, (cf)y) : (PTS_T(x))cpow((cd)x, (cd)y))
CX_CMP(eq, x == y)
CX_CMP(ne, x != y)
static const PtsPwOp op_add = { "add_cpu", 0, { CX_T(add_a) } };
static const PtsPwOp op_sub = { "sub_cpu", 0, { CX_T(sub_a) } };
static const PtsPwOp op_mul = { "mul_cpu", 0, { CX_T(mul) } };
static const PtsPwOp op_div = { "div_true_cpu", 0, { CX_T(div) } };
static const PtsPwOp op_pow = { "pow_cpu", 0, { CX_T(pow) } };
static const PtsPwOp op_eq = { "eq_cpu", PTS_PW_BOOL_OUT, { CX_T(eq) } };
static const PtsPwOp op_ne = { "ne_cpu", PTS_PW_BOOL_OUT, { CX_T(ne) } };

/* a op b (Tensor or Scalar each), into out (NULL: new; == a: in place) */
static PtsStatus bin(const PtsPwOp *op, PtsValue a, PtsValue b, PtsTensor *out, const PtsPwCtx *ctx,
                     PtsError *err, PtsValue *res) {
    return pts_binary_v(op, a, b, out, ctx, err, res);
}

static PtsStatus addsub(bool sub, PtsValue x, PtsValue y, PtsValue alpha, PtsTensor *out, PtsError *err,
                        PtsValue *res) {
    double re, im;
    if (!pts_cx_scalar_parts(alpha, &re, &im)) return pts_fail(err, PTS_ERR_TYPE, "alpha must be a number");
    if (im != 0 && !is_cx_value(x) && !is_cx_value(y))
        return pts_fail(err, PTS_ERR_RUNTIME, "For non-complex input tensors, argument alpha must not be a complex number.");
    PtsPwCtx c = { re, im, 0, 0 };
    return bin(sub ? &op_sub : &op_add, x, y, out, &c, err, res);
}
static PtsStatus cx_ADD(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(false, a[0], a[1], a[2], NULL, e, o); }
static PtsStatus cx_ADD_(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(false, a[0], a[1], a[2], a[0].u.t, e, o); }
static PtsStatus cx_ADD_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(false, a[0], a[1], a[2], a[3].u.t, e, o); }
static PtsStatus cx_SUB(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(true, a[0], a[1], a[2], NULL, e, o); }
static PtsStatus cx_SUB_(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(true, a[0], a[1], a[2], a[0].u.t, e, o); }
static PtsStatus cx_SUB_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(true, a[0], a[1], a[2], a[3].u.t, e, o); }
static PtsStatus cx_RSUB(PtsValue *a, PtsValue *o, PtsError *e) { return addsub(true, a[1], a[0], a[2], NULL, e, o); }

#define CX_BIN(NAME, OP)                                                                       \
    static PtsStatus cx_##NAME(PtsValue *a, PtsValue *o, PtsError *e) { return bin(&OP, a[0], a[1], NULL, NULL, e, o); } \
    static PtsStatus cx_##NAME##_(PtsValue *a, PtsValue *o, PtsError *e) { return bin(&OP, a[0], a[1], a[0].u.t, NULL, e, o); } \
    static PtsStatus cx_##NAME##_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return bin(&OP, a[0], a[1], a[2].u.t, NULL, e, o); }
CX_BIN(MUL, op_mul)
CX_BIN(DIV, op_div)
CX_BIN(POW, op_pow)

CX_BIN(EQ, op_eq)
CX_BIN(NE, op_ne)

/* unary complex -> complex */
CX_UN(neg, -x, -x)
CX_UN(exp, cexpf(x), cexp(x))
CX_UN(log, clogf(x), clog(x))
CX_UN(sqrt, csqrtf(x), csqrt(x))
CX_UN(sin, csinf(x), csin(x))
CX_UN(cos, ccosf(x), ccos(x))
CX_UN(tan, ctanf(x), ctan(x))
CX_UN(tanh, ctanhf(x), ctanh(x))
CX_UN(sigmoid, 1.0f / (1.0f + cexpf(-x)), 1.0 / (1.0 + cexp(-x)))
CX_UN(recip, NDIV((cf)1, x), NDIV((cd)1, x))
/* pow's special exponents, as torch's kernel: x * x, x * x * x, 1 / (x * x), 1 / sqrt(x) */
CX_UN(pow_sq, NMUL(x, x), NMUL(x, x))
CX_UN(pow_cube, NMUL(NMUL(x, x), x), NMUL(NMUL(x, x), x))
CX_UN(pow_m2, NDIV((cf)1, NMUL(x, x)), NDIV((cd)1, NMUL(x, x)))
CX_UN(pow_mhalf, NDIV((cf)1, csqrtf(x)), NDIV((cd)1, csqrt(x)))
CX_UN(conj, conjf(x), conj(x))
CX_UNOP(NEG, neg, "neg_cpu")
CX_UNOP(EXP, exp, "exp_vml_cpu")
CX_UNOP(LOG, log, "log_vml_cpu")
CX_UNOP(SQRT, sqrt, "sqrt_vml_cpu")
CX_UNOP(SIN, sin, "sin_vml_cpu")
CX_UNOP(COS, cos, "cos_vml_cpu")
CX_UNOP(TAN, tan, "tan_vml_cpu")
CX_UNOP(TANH, tanh, "tanh_vml_cpu")
CX_UNOP(SIGMOID, sigmoid, "sigmoid_cpu")
CX_UNOP(RECIPROCAL, recip, "reciprocal_cpu")

/* pow.Tensor_Scalar with torch's special exponents: 0 gives ones, 1 a copy, 0.5 / -0.5 / -1 sqrt,
 * rsqrt and reciprocal, 2 / 3 / -2 products; pow.Scalar with base 1 gives ones */
static const PtsPwOp op_pow_sq = { "pow_cpu", 0, { CX_T(pow_sq) } };
static const PtsPwOp op_pow_cube = { "pow_cpu", 0, { CX_T(pow_cube) } };
static const PtsPwOp op_pow_m2 = { "pow_cpu", 0, { CX_T(pow_m2) } };
static const PtsPwOp op_pow_mhalf = { "pow_cpu", 0, { CX_T(pow_mhalf) } };
static const PtsPwOp op_sqrt_p = { "pow_cpu", 0, { CX_T(sqrt) } };
static const PtsPwOp op_recip_p = { "pow_cpu", 0, { CX_T(recip) } };
static bool real_number(PtsValue v, double *re) {
    double im;
    return v.tag != PTS_V_TENSOR && pts_cx_scalar_parts(v, re, &im) && im == 0;
}
/* kind: 0 new, 1 in place, 2 out= (a[2]) */
static PtsStatus pow_ts(PtsValue *a, int kind, PtsError *err, PtsValue *o) {
    PtsTensor *x = a[0].u.t, *dst = kind == 1 ? x : kind == 2 ? a[2].u.t : NULL;
    double e;
    const PtsPwOp *op = NULL;
    if (a[1].tag == PTS_V_COMPLEX && !pts_dtype_is_complex(x->dtype) && kind != 1 && real_number(a[1], &e)) {
        /* a real base with a complex exponent of zero imaginary part: the base in the complex dtype */
        PtsTensor *xc;
        PTS_TRY(pts_tensor_to(x, pts_cx_result_dtype(PTS_OP_POW_TENSOR_SCALAR, a), false, err, &xc));
        PtsValue b[3] = { pts_vtensor(xc), a[1], kind == 2 ? a[2] : pts_none() };
        PtsStatus s = pow_ts(b, kind, err, o);
        pts_tensor_release(xc);
        return s;
    }
    if (real_number(a[1], &e) && pts_dtype_is_complex(x->dtype)) {
        if (e == 1 && kind == 1) return pts_cx_ret1(o, pts_tensor_retain(x));
        if (e == 0 || e == 1) {   /* ones or a copy, in the shape and dtype pow gives */
            PTS_TRY(bin(&op_pow, a[0], a[1], dst, NULL, err, o));
            PtsTensor *r = o[0].u.t;
            if (e == 0) fill_parts(r, 1, 0);
            else if (r != x) {
                PtsStatus s = pts_tensor_copy_(r, x, err);
                if (s) { pts_value_release(&o[0]); return s; }
            }
            return PTS_OK;
        }
        op = e == 0.5 ? &op_sqrt_p : e == -0.5 ? &op_pow_mhalf : e == -1 ? &op_recip_p : e == 2 ? &op_pow_sq
           : e == 3 ? &op_pow_cube : e == -2 ? &op_pow_m2 : NULL;
    }
    if (!op) return bin(&op_pow, a[0], a[1], dst, NULL, err, o);
    if (kind == 2) {
        PtsTensor *r;
        PTS_TRY(pts_unary(op, x, NULL, NULL, err, &r));
        PtsStatus s = pts_out_assign(dst, r, err);
        pts_tensor_release(r);
        if (s) return s;
        return pts_cx_ret1(o, pts_tensor_retain(dst));
    }
    PtsTensor *r;
    PTS_TRY(pts_unary(op, x, dst, NULL, err, &r));
    return pts_cx_ret1(o, r);
}
static PtsStatus cx_POW_TS(PtsValue *a, PtsValue *o, PtsError *e) { return pow_ts(a, 0, e, o); }
static PtsStatus cx_POW_TS_(PtsValue *a, PtsValue *o, PtsError *e) { return pow_ts(a, 1, e, o); }
static PtsStatus cx_POW_TS_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return pow_ts(a, 2, e, o); }
static PtsStatus pow_s(PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *o) {
    double b;
    PTS_TRY(bin(&op_pow, a[0], a[1], out, NULL, err, o));
    if (a[0].tag != PTS_V_BOOL && real_number(a[0], &b) && b == 1) fill_parts(o[0].u.t, 1, 0);   /* not True */
    return PTS_OK;
}
static PtsStatus cx_POW_S(PtsValue *a, PtsValue *o, PtsError *e) { return pow_s(a, NULL, e, o); }
static PtsStatus cx_POW_S_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return pow_s(a, a[2].u.t, e, o); }
static const PtsPwOp op_CONJ_PHYSICAL = { "conj_cpu", 0, { CX_T(conj) } };
static PtsStatus cx_CONJ_PHYSICAL(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *r;
    PTS_TRY(pts_unary(&op_CONJ_PHYSICAL, a[0].u.t, NULL, NULL, e, &r));
    return pts_cx_ret1(o, r);
}

/* complex -> real (abs, angle) and real -> real (angle of a real tensor) */
typedef struct RealCtx { PtsDType sd, dd; int what; } RealCtx;   /* what: 0 abs, 1 angle */
static void to_real_loop(char **p, const int64_t *s, int64_t n, void *vctx) {
    const RealCtx *c = vctx;
    for (int64_t i = 0; i < n; i++) {
        double re, im, r;
        pts_load_c128(c->sd, p[1] + i * s[1], &re, &im);
        if (c->what == 0) r = c->sd == PTS_COMPLEX64 ? (double)cabsf((float)re + (float)im * I) : cabs(re + im * I);
        else if (pts_dtype_is_complex(c->sd))
            r = c->sd == PTS_COMPLEX64 ? (double)atan2f((float)im, (float)re) : atan2(im, re);
        else r = re != re ? re : re < 0 ? M_PI : 0.0;   /* torch's angle of a real number */
        pts_store_f64(c->dd, p[0] + i * s[0], r);
    }
}
static PtsStatus to_real(PtsTensor *t, int what, PtsDType dd, PtsError *err, PtsTensor **out) {
    PTS_TRY(pts_tensor_new(dd, t->ndim, t->shape, err, out));
    PtsIterOperand ops[2];
    pts_iter_operand(&ops[0], *out, t->ndim, t->shape);
    pts_iter_operand(&ops[1], t, t->ndim, t->shape);
    RealCtx c = { t->dtype, dd, what };
    pts_iter_run(2, ops, t->ndim, t->shape, to_real_loop, &c);
    return PTS_OK;
}
static PtsStatus cx_ABS(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *r;
    PTS_TRY(to_real(a[0].u.t, 0, pts_dtype_to_real(a[0].u.t->dtype), e, &r));
    return pts_cx_ret1(o, r);
}
PtsStatus k_ANGLE(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t, *r;
    PtsDType d = pts_dtype_is_complex(t->dtype) ? pts_dtype_to_real(t->dtype)
                 : pts_dtype_is_float(t->dtype) ? t->dtype : pts_default_dtype();
    PTS_TRY(to_real(t, 1, d, e, &r));
    return pts_cx_ret1(o, r);
}

/* ================= new rows ================= */
PtsStatus k_IS_COMPLEX(PtsValue *a, PtsValue *o, PtsError *e) {
    (void)e;
    o[0] = pts_vbool(pts_dtype_is_complex(a[0].u.t->dtype));
    return PTS_OK;
}
PtsStatus k_IS_CONJ(PtsValue *a, PtsValue *o, PtsError *e) {
    (void)a; (void)e;
    o[0] = pts_vbool(false);   /* pyts materialises conj(): no tensor carries a lazy conjugate bit */
    return PTS_OK;
}
/* real/imag/view_as_real: views of the complex storage; real() of a real tensor is itself */
PtsStatus k_REAL(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t, *r;
    if (!pts_dtype_is_complex(t->dtype)) return pts_cx_ret1(o, pts_tensor_retain(t));
    PTS_TRY(pts_cx_real_view(t, 0, e, &r));
    return pts_cx_ret1(o, r);
}
PtsStatus k_IMAG(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t, *r;
    PTS_CHECK(pts_dtype_is_complex(t->dtype), e, RUNTIME, "imag is not implemented for tensors with non-complex dtypes.");
    PTS_TRY(pts_cx_real_view(t, 1, e, &r));
    return pts_cx_ret1(o, r);
}
PtsStatus k_VIEW_AS_REAL(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t, *r;
    PTS_CHECK(pts_dtype_is_complex(t->dtype), e, RUNTIME,
              "view_as_real is only supported for complex tensors");
    PTS_TRY(pts_cx_real_view(t, -1, e, &r));
    return pts_cx_ret1(o, r);
}
PtsStatus k_VIEW_AS_COMPLEX(PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t;
    PTS_CHECK(t->dtype == PTS_FLOAT32 || t->dtype == PTS_FLOAT64, e, RUNTIME,
              "view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: %s",
              pts_dtype_scalar_name(t->dtype, "?"));
    PTS_CHECK(t->ndim > 0, e, RUNTIME, "Input tensor must have one or more dimensions");
    PTS_CHECK(t->shape[t->ndim - 1] == 2, e, RUNTIME, "Tensor must have a last dimension of size 2");
    PTS_CHECK(t->strides[t->ndim - 1] == 1, e, RUNTIME, "Tensor must have a last dimension with stride 1");
    int64_t st[PTS_MAX_DIMS];
    for (int i = 0; i < t->ndim - 1; i++) {
        PTS_CHECK(t->strides[i] % 2 == 0, e, RUNTIME, "Tensor must have a stride divisible by 2 for all but last dimension");
        st[i] = t->strides[i] / 2;
    }
    PTS_CHECK(t->offset % 2 == 0, e, RUNTIME, "Tensor must have a storage_offset divisible by 2");
    PtsTensor *r;
    PTS_TRY(pts_tensor_from_storage(t->storage, pts_dtype_to_complex(t->dtype), t->ndim - 1, t->shape, st,
                                    t->offset / 2, e, &r));
    return pts_cx_ret1(o, r);
}
/* conj: torch returns a lazily conjugated view; pyts computes the values (a new tensor) */
PtsStatus k_CONJ(PtsValue *a, PtsValue *o, PtsError *e) {
    if (!pts_dtype_is_complex(a[0].u.t->dtype)) return pts_cx_ret1(o, pts_tensor_retain(a[0].u.t));
    return cx_CONJ_PHYSICAL(a, o, e);
}
PtsStatus k_CONJ_PHYSICAL(PtsValue *a, PtsValue *o, PtsError *e) {
    if (!pts_dtype_is_complex(a[0].u.t->dtype)) return pts_cx_ret1(o, pts_tensor_retain(a[0].u.t));   /* torch: self */
    return cx_CONJ_PHYSICAL(a, o, e);
}
PtsStatus k_RESOLVE_CONJ(PtsValue *a, PtsValue *o, PtsError *e) {
    (void)e;
    return pts_cx_ret1(o, pts_tensor_retain(a[0].u.t));
}
/* complex(real, imag) and polar(abs, angle): two float tensors of one dtype, broadcast */
static PtsStatus make_complex(PtsValue *a, PtsValue *o, PtsError *e, bool polar) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t;
    PTS_CHECK(x->dtype == PTS_FLOAT32 || x->dtype == PTS_FLOAT64 || x->dtype == PTS_FLOAT16, e, RUNTIME,
              "Expected both inputs to be Half, Float or Double tensors but got %s and %s",
              pts_dtype_scalar_name(x->dtype, "?"), pts_dtype_scalar_name(y->dtype, "?"));
    PTS_CHECK(y->dtype == PTS_FLOAT32 || y->dtype == PTS_FLOAT64 || y->dtype == PTS_FLOAT16, e, RUNTIME,
              "Expected both inputs to be Half, Float or Double tensors but got %s and %s",
              pts_dtype_scalar_name(x->dtype, "?"), pts_dtype_scalar_name(y->dtype, "?"));
    PTS_CHECK(x->dtype == y->dtype, e, RUNTIME, "Expected object of scalar type %s but got scalar type %s for second argument",
              pts_dtype_scalar_name(x->dtype, "?"), pts_dtype_scalar_name(y->dtype, "?"));
    PTS_CHECK(x->dtype != PTS_FLOAT16, e, NOTIMPL, "\"%s\" not implemented for 'ComplexHalf'", polar ? "polar_cpu" : "complex_cpu");
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(x->ndim, x->shape, y->ndim, y->shape, &nd, shape, e));
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(pts_dtype_to_complex(x->dtype), nd, shape, e, &r));
    PtsTensor *re, *im;
    PtsStatus s = pts_cx_real_view(r, 0, e, &re);
    if (s) { pts_tensor_release(r); return s; }
    s = pts_cx_real_view(r, 1, e, &im);
    if (s) { pts_tensor_release(re); pts_tensor_release(r); return s; }
    if (!polar) {
        s = pts_tensor_copy_(re, x, e);
        if (!s) s = pts_tensor_copy_(im, y, e);
    } else {
        s = pts_tensor_copy_(re, y, e);   /* angles, then r * (cos, sin) in place */
        if (!s) s = pts_tensor_copy_(im, y, e);
        if (!s) {
            PtsTensor *ab;
            s = pts_tensor_new(x->dtype, nd, shape, e, &ab);
            if (!s) {
                s = pts_tensor_copy_(ab, x, e);
                int64_t n = pts_numel(r);
                for (int64_t i = 0; !s && i < n; i++) {
                    double mag = pts_load_f64(ab->dtype, pts_tensor_data(ab) + i * (int64_t)pts_dtype_size(ab->dtype));
                    char *p = pts_tensor_data(r) + i * (int64_t)pts_dtype_size(r->dtype);
                    double th = pts_load_f64(x->dtype, p);
                    pts_store_c128(r->dtype, p, mag * cos(th), mag * sin(th));
                }
                pts_tensor_release(ab);
            }
        }
    }
    pts_tensor_release(re);
    pts_tensor_release(im);
    if (s) { pts_tensor_release(r); return s; }
    return pts_cx_ret1(o, r);
}
PtsStatus k_COMPLEX(PtsValue *a, PtsValue *o, PtsError *e) { return make_complex(a, o, e, false); }
PtsStatus k_POLAR(PtsValue *a, PtsValue *o, PtsError *e) { return make_complex(a, o, e, true); }

/* torch.tensor(<complex>, dtype=None, device=None, requires_grad=False) in scripted code */
PtsStatus k_TENSOR_COMPLEX(PtsValue *a, PtsValue *o, PtsError *e) {
    double re, im;
    PTS_CHECK(pts_cx_scalar_parts(a[0], &re, &im), e, TYPE, "tensor(): expected a complex number");
    PtsDType d = a[1].tag == PTS_V_INT ? (PtsDType)a[1].u.i : pts_dtype_to_complex(pts_default_dtype());
    PTS_CHECK(pts_dtype_valid((int)d), e, RUNTIME, "Unknown ScalarType %d", (int)d);
    PTS_TRY(pts_cx_check_real_target(d, im, e));
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(d, 0, NULL, e, &r));
    pts_store_c128(d, pts_tensor_data(r), re, im);
    if (a[3].tag == PTS_V_BOOL && a[3].u.b && pts_archive_set_requires_grad) {
        PtsStatus s = pts_archive_set_requires_grad(r, true, e);
        if (s) { pts_tensor_release(r); return s; }
    }
    return pts_cx_ret1(o, r);
}

/* ================= reductions: the real op over the (re, im) view ================= */
static PtsStatus cx_reduce(PtsOpId real_op, PtsKernel row, PtsValue *a, bool has_dim, PtsValue *o, PtsError *e) {
    PtsTensor *t = a[0].u.t;
    int dt_at = has_dim ? 3 : 1;
    PtsDType want = t->dtype;
    if (a[dt_at].tag == PTS_V_INT) want = (PtsDType)a[dt_at].u.i;
    if (!pts_dtype_is_complex(want)) {
        /* a real dtype= reduces the real parts (torch casts first, dropping the imaginary part) */
        PtsTensor *c;
        PTS_TRY(pts_tensor_to(t, want, false, e, &c));
        PtsValue b[4] = { pts_vtensor(c), a[1], has_dim ? a[2] : pts_none(), has_dim ? a[3] : pts_none() };
        PtsStatus s = row(b, o, e);
        pts_tensor_release(c);
        return s;
    }
    PtsTensor *src;
    if (!pts_dtype_is_complex(t->dtype) || t->dtype != want) PTS_TRY(pts_tensor_to(t, want, false, e, &src));
    else src = pts_tensor_retain(t);
    if (src->ndim == 0) {   /* one element: the sum and the mean are the element */
        PtsTensor *r;
        PtsStatus s = pts_tensor_to(src, src->dtype, true, e, &r);
        pts_tensor_release(src);
        if (s) return s;
        return pts_cx_ret1(o, r);
    }
    /* dims of the complex tensor, wrapped against its rank (the view has one more) */
    int64_t dims[PTS_MAX_DIMS];
    int nd = 0;
    bool keep = false;
    if (has_dim && a[1].tag == PTS_V_LIST && pts_as_list(a[1])->len > 0) {
        PtsList *l = pts_as_list(a[1]);
        for (int64_t i = 0; i < l->len && i < PTS_MAX_DIMS; i++) {
            int w;
            PtsStatus s = pts_wrap_dim(l->items[i].u.i, src->ndim, e, &w);
            if (s) { pts_tensor_release(src); return s; }
            dims[nd++] = w;
        }
    } else {
        for (int i = 0; i < src->ndim; i++) dims[nd++] = i;
    }
    if (has_dim) keep = a[2].tag == PTS_V_BOOL && a[2].u.b;
    PtsTensor *v;
    PtsStatus s = pts_cx_real_view(src, -1, e, &v);
    pts_tensor_release(src);
    if (s) return s;
    PtsValue dl;
    s = pts_int_list_new(dims, nd, e, &dl);
    if (s) { pts_tensor_release(v); return s; }
    PtsValue args[4] = { pts_vtensor(v), dl, pts_vbool(keep), pts_none() }, r = pts_none();
    s = pts_op_call(real_op, args, &r, e);
    pts_value_release(&dl);
    pts_tensor_release(v);
    if (s) return s;
    PtsTensor *rt, *c;
    s = pts_tensor_contiguous(r.u.t, e, &rt);
    pts_value_release(&r);
    if (s) return s;
    PtsValue va = pts_vtensor(rt), vo = pts_none();
    s = k_VIEW_AS_COMPLEX(&va, &vo, e);
    pts_tensor_release(rt);
    if (s) return s;
    c = vo.u.t;
    return pts_cx_ret1(o, c);
}
static PtsStatus cx_SUM(PtsValue *a, PtsValue *o, PtsError *e) { return cx_reduce(PTS_OP_SUM_DIM_INTLIST, k_SUM, a, false, o, e); }
static PtsStatus cx_SUM_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return cx_reduce(PTS_OP_SUM_DIM_INTLIST, k_SUM_DIM_INTLIST, a, true, o, e); }
static PtsStatus cx_MEAN(PtsValue *a, PtsValue *o, PtsError *e) { return cx_reduce(PTS_OP_MEAN_DIM, k_MEAN, a, false, o, e); }
static PtsStatus cx_MEAN_DIM(PtsValue *a, PtsValue *o, PtsError *e) { return cx_reduce(PTS_OP_MEAN_DIM, k_MEAN_DIM, a, true, o, e); }

/* ================= matmul family: four real products over the part views ================= */
static PtsStatus cx_matmul_op(PtsOpId id, PtsValue *a, PtsValue *o, PtsError *e) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t;
    if (x->dtype != y->dtype) {
        if (id == PTS_OP_MATMUL)
            return pts_fail(e, PTS_ERR_RUNTIME, "expected m1 and m2 to have the same dtype, but got: %s != %s",
                            pts_dtype_cpp_name(x->dtype), pts_dtype_cpp_name(y->dtype));
        return pts_fail(e, PTS_ERR_RUNTIME, "expected %s and %s to have the same dtype, but got: %s != %s",
                        "self", "mat2", pts_dtype_cpp_name(x->dtype), pts_dtype_cpp_name(y->dtype));
    }
    PtsTensor *p[4] = { NULL, NULL, NULL, NULL };   /* x.re, x.im, y.re, y.im */
    PtsValue r[4] = { pts_none(), pts_none(), pts_none(), pts_none() };
    PtsTensor *res = NULL;
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 4 && !s; i++) s = pts_cx_real_view(i < 2 ? x : y, i % 2, e, &p[i]);
    /* re = xr yr - xi yi, im = xr yi + xi yr */
    static const int pairs[4][2] = { { 0, 2 }, { 1, 3 }, { 0, 3 }, { 1, 2 } };
    for (int i = 0; i < 4 && !s; i++) {
        PtsValue args[2] = { pts_vtensor(p[pairs[i][0]]), pts_vtensor(p[pairs[i][1]]) };
        s = pts_op_call(id, args, &r[i], e);
    }
    if (!s) s = pts_tensor_new(x->dtype, r[0].u.t->ndim, r[0].u.t->shape, e, &res);
    if (!s) {
        PtsTensor *re = NULL, *im = NULL;
        s = pts_cx_real_view(res, 0, e, &re);
        if (!s) s = pts_cx_real_view(res, 1, e, &im);
        PtsValue v = pts_none();
        if (!s) { PtsValue args[3] = { r[0], r[1], pts_vint(1) }; s = pts_op_call(PTS_OP_SUB_TENSOR, args, &v, e); }
        if (!s) s = pts_tensor_copy_(re, v.u.t, e);
        pts_value_release(&v);
        if (!s) { PtsValue args[3] = { r[2], r[3], pts_vint(1) }; s = pts_op_call(PTS_OP_ADD_TENSOR, args, &v, e); }
        if (!s) s = pts_tensor_copy_(im, v.u.t, e);
        pts_value_release(&v);
        pts_tensor_release(re);
        pts_tensor_release(im);
    }
    for (int i = 0; i < 4; i++) { pts_tensor_release(p[i]); pts_value_release(&r[i]); }
    if (s) { pts_tensor_release(res); return s; }
    return pts_cx_ret1(o, res);
}
static PtsStatus cx_MM(PtsValue *a, PtsValue *o, PtsError *e) { return cx_matmul_op(PTS_OP_MM, a, o, e); }
static PtsStatus cx_BMM(PtsValue *a, PtsValue *o, PtsError *e) { return cx_matmul_op(PTS_OP_BMM, a, o, e); }
static PtsStatus cx_MATMUL(PtsValue *a, PtsValue *o, PtsError *e) { return cx_matmul_op(PTS_OP_MATMUL, a, o, e); }

/* ================= the table ================= */
#define PASS(ID) { PTS_OP_##ID, NULL },
#define CX(ID, fn) { PTS_OP_##ID, fn },
const PtsCxRow pts_cx_rows[] = {
    /* views, copies and element moves: the kernels are dtype-agnostic (element size only) */
    PASS(VIEW) PASS(VIEW_AS) PASS(RESHAPE) PASS(RESHAPE_AS) PASS(FLATTEN_USING_INTS) PASS(UNFLATTEN_INT)
    PASS(SQUEEZE) PASS(SQUEEZE_DIM) PASS(SQUEEZE_DIMS) PASS(UNSQUEEZE) PASS(PERMUTE) PASS(TRANSPOSE_INT)
    PASS(SWAPAXES) PASS(SWAPDIMS) PASS(EXPAND) PASS(EXPAND_AS) PASS(NARROW) PASS(SELECT_INT) PASS(SLICE_TENSOR)
    PASS(ALIAS) PASS(DETACH) PASS(SPLIT_TENSOR) PASS(SPLIT_SIZES) PASS(SPLIT_WITH_SIZES) PASS(CHUNK)
    PASS(UNBIND_INT) PASS(CONTIGUOUS) PASS(CLONE) PASS(REPEAT) PASS(CAT) PASS(CAT_OUT) PASS(STACK) PASS(FLIP)
    PASS(ROLL) PASS(INDEX_SELECT) PASS(INDEX_TENSOR) PASS(MASKED_SELECT) PASS(T) PASS(NUMPY_T) PASS(BROADCAST_TO)
    PASS(TILE)
    /* metadata */
    PASS(SIZE_INT) PASS(DIM) PASS(NUMEL) PASS(SIZE) PASS(LEN_TENSOR) PASS(PRIM_IS_CUDA) PASS(PRIM_DATA)
    PASS(PRIM_DTYPE) PASS(PRIM_DEVICE) PASS(IS_FLOATING_POINT)
    PASS(ELEMENT_SIZE) PASS(PRIM_NBYTES) PASS(PRIM_ITEMSIZE) PASS(IS_LEAF) PASS(PRIM_LAYOUT) PASS(GET_DEVICE)
    PASS(IS_SIGNED) PASS(PRIM_IS_SPARSE) PASS(PRIM_IS_QUANTIZED) PASS(PRIM_IS_META) PASS(PRIM_IS_MKLDNN)
    /* conversions and factories (pts_tensor_copy_ and pts_store_* know complex) */
    PASS(TO_DTYPE) PASS(TO_OTHER) PASS(TO_DEVICE) PASS(TO_DTYPE_LAYOUT) PASS(TO_PRIM_DEVICE) PASS(TO_PRIM_DTYPE)
    PASS(TO_PRIM_OTHER) PASS(TYPE_AS) PASS(_TO_COPY) PASS(ZEROS) PASS(ZEROS_OUT) PASS(ONES) PASS(ONES_OUT)
    PASS(EMPTY_MEMORY_FORMAT) PASS(NEW_ZEROS) PASS(NEW_ONES) PASS(NEW_EMPTY) PASS(ZEROS_LIKE) PASS(ONES_LIKE)
    PASS(EMPTY_LIKE) PASS(ZERO_) CX(COPY_, cx_COPY_) PASS(EYE) PASS(EYE_M) PASS(EYE_OUT) PASS(EYE_M_OUT)
    /* the rows of ops_complex_tensor.def decide for themselves */
    PASS(REAL) PASS(IMAG) PASS(VIEW_AS_REAL) PASS(VIEW_AS_COMPLEX) PASS(CONJ) PASS(CONJ_PHYSICAL)
    PASS(RESOLVE_CONJ) PASS(IS_CONJ) PASS(IS_COMPLEX) PASS(ANGLE) PASS(COMPLEX) PASS(POLAR) PASS(TENSOR_COMPLEX)
    /* scripted torch.tensor(data, dtype=torch.cfloat): the data converts through pts_tensor_to */
    PASS(TENSOR_BOOL) PASS(TENSOR_FLOAT) PASS(TENSOR_INT) PASS(TENSOR_LIST)
    /* complex kernels */
    CX(FULL, cx_FULL) CX(FULL_OUT, cx_FULL_OUT) CX(NEW_FULL, cx_NEW_FULL) CX(FULL_LIKE, cx_FULL_LIKE)
    CX(FILL__SCALAR, cx_FILL__SCALAR) CX(FILL__TENSOR, cx_FILL__TENSOR) CX(ITEM, cx_ITEM)
    CX(BOOL_TENSOR, cx_BOOL_TENSOR)
    CX(ADD_TENSOR, cx_ADD) CX(ADD_SCALAR, cx_ADD) CX(ADD__TENSOR, cx_ADD_) CX(ADD__SCALAR, cx_ADD_)
    CX(ADD_OUT, cx_ADD_OUT) CX(ADD_SCALAR_OUT, cx_ADD_OUT)
    CX(SUB_TENSOR, cx_SUB) CX(SUB_SCALAR, cx_SUB) CX(SUB__TENSOR, cx_SUB_) CX(SUB__SCALAR, cx_SUB_)
    CX(SUB_OUT, cx_SUB_OUT) CX(SUB_SCALAR_OUT, cx_SUB_OUT) CX(RSUB_TENSOR, cx_RSUB) CX(RSUB_SCALAR, cx_RSUB)
    CX(MUL_TENSOR, cx_MUL) CX(MUL_SCALAR, cx_MUL) CX(MUL__TENSOR, cx_MUL_) CX(MUL__SCALAR, cx_MUL_)
    CX(MUL_OUT, cx_MUL_OUT) CX(MUL_SCALAR_OUT, cx_MUL_OUT)
    CX(DIV_TENSOR, cx_DIV) CX(DIV_SCALAR, cx_DIV) CX(DIV__TENSOR, cx_DIV_) CX(DIV__SCALAR, cx_DIV_)
    CX(DIV_OUT, cx_DIV_OUT) CX(DIV_SCALAR_OUT, cx_DIV_OUT)
    CX(TRUE_DIVIDE_TENSOR, cx_DIV) CX(TRUE_DIVIDE_SCALAR, cx_DIV) CX(TRUE_DIVIDE__TENSOR, cx_DIV_)
    CX(TRUE_DIVIDE__SCALAR, cx_DIV_) CX(TRUE_DIVIDE_OUT, cx_DIV_OUT)
    CX(POW_TENSOR_TENSOR, cx_POW) CX(POW_TENSOR_SCALAR, cx_POW_TS) CX(POW_SCALAR, cx_POW_S) CX(POW__TENSOR, cx_POW_)
    CX(POW__SCALAR, cx_POW_TS_) CX(POW_TENSOR_TENSOR_OUT, cx_POW_OUT) CX(POW_TENSOR_SCALAR_OUT, cx_POW_TS_OUT)
    CX(POW_SCALAR_OUT, cx_POW_S_OUT)
    CX(EQ_TENSOR, cx_EQ) CX(EQ_SCALAR, cx_EQ) CX(EQ__TENSOR, cx_EQ_) CX(EQ__SCALAR, cx_EQ_)
    CX(EQ_TENSOR_OUT, cx_EQ_OUT) CX(EQ_SCALAR_OUT, cx_EQ_OUT)
    CX(NE_TENSOR, cx_NE) CX(NE_SCALAR, cx_NE) CX(NE__TENSOR, cx_NE_) CX(NE__SCALAR, cx_NE_)
    CX(NE_TENSOR_OUT, cx_NE_OUT) CX(NE_SCALAR_OUT, cx_NE_OUT)
    CX(NEG, cx_NEG) CX(NEG_, cx_NEG_) CX(NEG_OUT, cx_NEG_OUT)
    CX(EXP, cx_EXP) CX(EXP_, cx_EXP_) CX(EXP_OUT, cx_EXP_OUT)
    CX(LOG, cx_LOG) CX(LOG_, cx_LOG_) CX(LOG_OUT, cx_LOG_OUT)
    CX(SQRT, cx_SQRT) CX(SQRT_, cx_SQRT_) CX(SQRT_OUT, cx_SQRT_OUT)
    CX(SIN, cx_SIN) CX(SIN_, cx_SIN_) CX(SIN_OUT, cx_SIN_OUT)
    CX(COS, cx_COS) CX(COS_, cx_COS_) CX(COS_OUT, cx_COS_OUT)
    CX(TAN, cx_TAN) CX(TAN_, cx_TAN_) CX(TAN_OUT, cx_TAN_OUT)
    CX(TANH, cx_TANH) CX(TANH_, cx_TANH_) CX(TANH_OUT, cx_TANH_OUT)
    CX(SIGMOID, cx_SIGMOID) CX(SIGMOID_, cx_SIGMOID_) CX(SIGMOID_OUT, cx_SIGMOID_OUT)
    CX(RECIPROCAL, cx_RECIPROCAL) CX(RECIPROCAL_, cx_RECIPROCAL_) CX(RECIPROCAL_OUT, cx_RECIPROCAL_OUT)
    CX(ABS, cx_ABS)
    CX(SUM, cx_SUM) CX(SUM_DIM_INTLIST, cx_SUM_DIM) CX(MEAN, cx_MEAN) CX(MEAN_DIM, cx_MEAN_DIM)
    CX(MM, cx_MM) CX(BMM, cx_BMM) CX(MATMUL, cx_MATMUL)
    { -1, NULL },
};
