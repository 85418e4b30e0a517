/* formulas_math.c: backward formulas of the ops_math.def rows (see derivatives.def), following
 * torch's derivatives.yaml. They compute through registry rows (pts_op_call) only, so a
 * create_graph backward records them. A small kit keeps the temporaries of one formula and its
 * first error, so each formula reads as the expression it computes. */
#define PTS_FORMULA_FILE
#include <float.h>
#include <math.h>

#include "autograd.h"

typedef struct K {
    PtsGradCtx *c;
    PtsStatus s;
    int n;
    PtsTensor *t[32];
} K;

/* id(args, defaults for the rest) -> a kept temporary, or NULL once anything failed */
static PtsTensor *kop(K *k, PtsOpId id, int n, PtsValue *v) {
    if (k->s) return NULL;
    if (k->n == 32) {
        k->s = pts_fail(E(k->c), PTS_ERR_INTERNAL, "pyts autograd: formula uses too many temporaries");
        return NULL;
    }
    PtsTensor *t;
    if ((k->s = pts_op_call_t(id, n, v, E(k->c), &t))) return NULL;
    return k->t[k->n++] = t;
}
#define T_(x) pts_vtensor(x)
#define OP1(id, a) kop(&k, PTS_OP_##id, 1, (PtsValue[]){ T_(a) })
#define OP2(id, a, b) kop(&k, PTS_OP_##id, 2, (PtsValue[]){ T_(a), T_(b) })
#define MUL(a, b) OP2(MUL_TENSOR, a, b)
#define DIV(a, b) OP2(DIV_TENSOR, a, b)
#define ADD(a, b) OP2(ADD_TENSOR, a, b)
#define SUB(a, b) OP2(SUB_TENSOR, a, b)
/* a Python number as torch's formulas use them (a wrapped number: lowest promotion tier) */
static PtsTensor *knum(K *k, double v) {
    if (k->s) return NULL;
    PtsTensor *w;
    if ((k->s = pts_wrap_scalar(pts_vdouble(v), E(k->c), &w))) return NULL;
    return k->t[k->n++] = w;
}
#define NUM(v) knum(&k, (v))
#define KSTART(c) K k = { (c), PTS_OK, 0, { NULL } }
/* store the gradient of argument i (a kept temporary) */
static void kset(K *k, int i, PtsTensor *g) {
    if (!k->s && g) set(k->c, i, pts_tensor_retain(g));
}
static PtsStatus kend(K *k) {
    for (int i = 0; i < k->n; i++) pts_tensor_release(k->t[i]);
    return k->s;
}
#define ARGT(i) pts_ag_arg(c, i)
#define NEED_SAVED(i, name) if (!ARGT(i)) return pts_ag_missing(c, name)
#define NEED_RESULT(j) if (!c->res[j]) return pts_ag_missing(c, "result")

/* ---- one-input functions: g * f(self) ---- */

PtsStatus pts_bw_acos(PtsGradCtx *c) {   /* -g / sqrt(1 - x^2) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, OP1(NEG, MUL(G(c), OP1(RSQRT, SUB(NUM(1), MUL(x, x))))));
    return kend(&k);
}

PtsStatus pts_bw_asin(PtsGradCtx *c) {   /* g / sqrt(1 - x^2) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, MUL(G(c), OP1(RSQRT, SUB(NUM(1), MUL(x, x)))));
    return kend(&k);
}

PtsStatus pts_bw_atan(PtsGradCtx *c) {   /* g / (x^2 + 1) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, DIV(G(c), ADD(MUL(x, x), NUM(1))));
    return kend(&k);
}

PtsStatus pts_bw_acosh(PtsGradCtx *c) {   /* g / sqrt(x^2 - 1) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, MUL(G(c), OP1(RSQRT, SUB(MUL(x, x), NUM(1)))));
    return kend(&k);
}

PtsStatus pts_bw_asinh(PtsGradCtx *c) {   /* g / sqrt(x^2 + 1) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, MUL(G(c), OP1(RSQRT, ADD(MUL(x, x), NUM(1)))));
    return kend(&k);
}

PtsStatus pts_bw_atanh(PtsGradCtx *c) {   /* g / (1 - x^2) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, DIV(G(c), SUB(NUM(1), MUL(x, x))));
    return kend(&k);
}

PtsStatus pts_bw_cosh(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, MUL(G(c), OP1(SINH, ARGT(0))));
    return kend(&k);
}

PtsStatus pts_bw_sinh(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, MUL(G(c), OP1(COSH, ARGT(0))));
    return kend(&k);
}

PtsStatus pts_bw_erfc(PtsGradCtx *c) {   /* -2/sqrt(pi) exp(-x^2) g */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    kset(&k, 0, MUL(MUL(NUM(-M_2_SQRTPI), OP1(EXP, OP1(NEG, MUL(x, x)))), G(c)));
    return kend(&k);
}

PtsStatus pts_bw_erfinv(PtsGradCtx *c) {   /* sqrt(pi)/2 exp(erfinv(x)^2) g */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *e = OP1(ERFINV, ARGT(0));
    kset(&k, 0, MUL(MUL(NUM(0.5 * sqrt(M_PI)), OP1(EXP, MUL(e, e))), G(c)));
    return kend(&k);
}

PtsStatus pts_bw_exp2(PtsGradCtx *c) {   /* g * result * ln 2 */
    if (!need(c, 0)) return PTS_OK;
    NEED_RESULT(0);
    KSTART(c);
    kset(&k, 0, MUL(G(c), MUL(c->res[0], NUM(M_LN2))));
    return kend(&k);
}

PtsStatus pts_bw_log10(PtsGradCtx *c) {   /* g / (x ln 10) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, DIV(G(c), MUL(ARGT(0), NUM(M_LN10))));
    return kend(&k);
}

PtsStatus pts_bw_i0(PtsGradCtx *c) {   /* g * i1(x) */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, MUL(G(c), OP1(SPECIAL_I1, ARGT(0))));
    return kend(&k);
}

/* torch's i1_backward: g * (i0(x) - i1(x)/x), 0.5 g near 0 */
PtsStatus pts_bw_special_i1(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    NEED_RESULT(0);
    KSTART(c);
    PtsTensor *x = ARGT(0);
    double eps = x->dtype == PTS_FLOAT64 ? DBL_EPSILON : FLT_EPSILON;
    PtsTensor *big = kop(&k, PTS_OP_GT_SCALAR, 2, (PtsValue[]){ T_(OP1(ABS, x)), pts_vdouble(eps) });
    PtsTensor *safe = kop(&k, PTS_OP_WHERE_SCALAROTHER, 3, (PtsValue[]){ T_(big), T_(x), pts_vdouble(eps) });
    PtsTensor *gx = SUB(OP1(I0, safe), DIV(c->res[0], safe));
    PtsTensor *f = kop(&k, PTS_OP_WHERE_SCALAROTHER, 3, (PtsValue[]){ T_(big), T_(gx), pts_vdouble(0.5) });
    kset(&k, 0, MUL(G(c), f));
    return kend(&k);
}

PtsStatus pts_bw_lgamma(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, MUL(G(c), OP1(DIGAMMA, ARGT(0))));
    return kend(&k);
}

/* g * polygamma(n + 1, x); self is argument si, n argument ni (polygamma_ swaps them) */
static PtsStatus polygamma_grad(PtsGradCtx *c, int si, int64_t n) {
    if (!need(c, si)) return PTS_OK;
    NEED_SAVED(si, "self");
    KSTART(c);
    PtsTensor *p = kop(&k, PTS_OP_POLYGAMMA, 2, (PtsValue[]){ pts_vint(n + 1), T_(ARGT(si)) });
    kset(&k, si, MUL(G(c), p));
    return kend(&k);
}
PtsStatus pts_bw_digamma(PtsGradCtx *c) { return polygamma_grad(c, 0, 0); }
PtsStatus pts_bw_polygamma(PtsGradCtx *c) { return polygamma_grad(c, 1, c->args[0].u.i); }
PtsStatus pts_bw_polygamma_(PtsGradCtx *c) { return polygamma_grad(c, 0, c->args[1].u.i); }

/* release every temporary but `keep` (loops that would outgrow the kit) */
static void kcollapse(K *k, PtsTensor *keep) {
    if (k->s) return;
    for (int i = 0; i < k->n; i++)
        if (k->t[i] != keep) pts_tensor_release(k->t[i]);
    k->t[0] = keep;
    k->n = 1;
}

/* g * sum_j digamma(x - j/2), j < p */
PtsStatus pts_bw_mvlgamma(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0), *s = OP1(DIGAMMA, x);
    for (int64_t j = 1; j < c->args[1].u.i && !k.s; j++) {
        s = ADD(s, OP1(DIGAMMA, SUB(x, NUM(0.5 * (double)j))));
        kcollapse(&k, s);
    }
    kset(&k, 0, MUL(G(c), s));
    return kend(&k);
}

/* torch's sinc_backward: g (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 where x == 0 */
PtsStatus pts_bw_sinc(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    PtsTensor *xp = MUL(x, NUM(M_PI));
    PtsTensor *sq = MUL(MUL(x, x), NUM(M_PI));
    PtsTensor *out = DIV(MUL(G(c), SUB(MUL(xp, OP1(COS, xp)), OP1(SIN, xp))), sq);
    PtsTensor *z = kop(&k, PTS_OP_EQ_SCALAR, 2, (PtsValue[]){ T_(sq), pts_vdouble(0.0) });
    kset(&k, 0, kop(&k, PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ T_(out), T_(z), pts_vdouble(0.0) }));
    return kend(&k);
}

PtsStatus pts_bw_deg2rad(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    KSTART(c);
    kset(&k, 0, MUL(G(c), NUM(M_PI / 180.0)));
    return kend(&k);
}

PtsStatus pts_bw_rad2deg(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    KSTART(c);
    kset(&k, 0, MUL(G(c), NUM(180.0 / M_PI)));
    return kend(&k);
}

/* logit: g / (x (1 - x)); with eps, 0 outside [eps, 1 - eps] */
PtsStatus pts_bw_logit(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    PtsTensor *x = ARGT(0);
    PtsTensor *r = DIV(G(c), MUL(x, SUB(NUM(1), x)));
    if (c->args[1].tag != PTS_V_NONE) {
        double eps = pts_value_to_f64(c->args[1]);
        PtsTensor *lo = kop(&k, PTS_OP_LT_SCALAR, 2, (PtsValue[]){ T_(x), pts_vdouble(eps) });
        PtsTensor *hi = kop(&k, PTS_OP_GT_SCALAR, 2, (PtsValue[]){ T_(x), pts_vdouble(1.0 - eps) });
        r = kop(&k, PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ T_(r), T_(OP2(LOGICAL_OR, lo, hi)), pts_vdouble(0.0) });
    }
    kset(&k, 0, r);
    return kend(&k);
}

PtsStatus pts_bw_nan_to_num(PtsGradCtx *c) {   /* g where x is finite */
    if (!need(c, 0)) return PTS_OK;
    NEED_SAVED(0, "self");
    KSTART(c);
    kset(&k, 0, MUL(G(c), OP1(ISFINITE, ARGT(0))));
    return kend(&k);
}

/* frexp: g / 2^exponent */
PtsStatus pts_bw_frexp(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[1]) return pts_ag_missing(c, "exponent");
    KSTART(c);
    kset(&k, 0, DIV(G(c), OP1(EXP2, c->res[1])));
    return kend(&k);
}

/* ---- two-input functions ---- */

static bool is_num(PtsValue v) {
    return v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE || v.tag == PTS_V_BOOL;
}

static void zero_grad(PtsGradCtx *c, int i) {
    PtsTensor *z;
    if (need(c, i) && !pts_ag_fill(IN(c, i), 0.0, E(c), &z)) set(c, i, z);
}

PtsStatus pts_bw_atan2(PtsGradCtx *c) {   /* (g y, -g x) / (x^2 + y^2) */
    NEED_SAVED(0, "self");
    NEED_SAVED(1, "other");
    KSTART(c);
    PtsTensor *x = ARGT(0), *y = ARGT(1);
    PtsTensor *recip = OP1(RECIPROCAL, ADD(MUL(x, x), MUL(y, y)));
    if (need(c, 0)) kset(&k, 0, MUL(MUL(G(c), y), recip));
    if (need(c, 1)) kset(&k, 1, MUL(MUL(G(c), OP1(NEG, x)), recip));
    return kend(&k);
}

PtsStatus pts_bw_hypot(PtsGradCtx *c) {   /* g x / r, g y / r */
    NEED_RESULT(0);
    if (need(c, 0)) NEED_SAVED(0, "self");
    if (need(c, 1)) NEED_SAVED(1, "other");
    KSTART(c);
    if (need(c, 0)) kset(&k, 0, DIV(MUL(G(c), ARGT(0)), c->res[0]));
    if (need(c, 1)) kset(&k, 1, DIV(MUL(G(c), ARGT(1)), c->res[0]));
    return kend(&k);
}

/* logaddexp(2): g / (1 + e(other - self)) and g / (1 + e(self - other)), e = exp or exp2 */
static PtsStatus logaddexp_grad(PtsGradCtx *c, PtsOpId e) {
    NEED_SAVED(0, "self");
    NEED_SAVED(1, "other");
    KSTART(c);
    PtsTensor *x = ARGT(0), *y = ARGT(1);
    if (need(c, 0)) kset(&k, 0, DIV(G(c), ADD(kop(&k, e, 1, (PtsValue[]){ T_(SUB(y, x)) }), NUM(1))));
    if (need(c, 1)) kset(&k, 1, DIV(G(c), ADD(kop(&k, e, 1, (PtsValue[]){ T_(SUB(x, y)) }), NUM(1))));
    return kend(&k);
}
PtsStatus pts_bw_logaddexp(PtsGradCtx *c) { return logaddexp_grad(c, PTS_OP_EXP); }
PtsStatus pts_bw_logaddexp2(PtsGradCtx *c) { return logaddexp_grad(c, PTS_OP_EXP2); }

/* fmax/fmin: self gets g where (self >= other) | isnan(other) (<= for fmin), other the rest */
static PtsStatus fmaxmin_grad(PtsGradCtx *c, PtsOpId cmp) {
    NEED_SAVED(0, "self");
    NEED_SAVED(1, "other");
    KSTART(c);
    PtsTensor *x = ARGT(0), *y = ARGT(1);
    PtsTensor *m = OP2(LOGICAL_OR, kop(&k, cmp, 2, (PtsValue[]){ T_(x), T_(y) }), OP1(ISNAN, y));
    if (need(c, 0))
        kset(&k, 0, kop(&k, PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ T_(G(c)), T_(OP1(LOGICAL_NOT, m)), pts_vdouble(0.0) }));
    if (need(c, 1))
        kset(&k, 1, kop(&k, PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ T_(G(c)), T_(m), pts_vdouble(0.0) }));
    return kend(&k);
}
PtsStatus pts_bw_fmax(PtsGradCtx *c) { return fmaxmin_grad(c, PTS_OP_GE_TENSOR); }
PtsStatus pts_bw_fmin(PtsGradCtx *c) { return fmaxmin_grad(c, PTS_OP_LE_TENSOR); }

/* copysign: g * (result / self), 0 where self == 0; other: zeros */
PtsStatus pts_bw_copysign(PtsGradCtx *c) {
    if (need(c, 0)) {
        NEED_SAVED(0, "self");
        NEED_RESULT(0);
    }
    KSTART(c);
    if (need(c, 0)) {
        PtsTensor *x = ARGT(0);
        PtsTensor *ratio = DIV(c->res[0], x);
        PtsTensor *z = kop(&k, PTS_OP_EQ_SCALAR, 2, (PtsValue[]){ T_(x), pts_vdouble(0.0) });
        kset(&k, 0, MUL(G(c), kop(&k, PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ T_(ratio), T_(z), pts_vdouble(0.0) })));
    }
    PtsStatus s = kend(&k);
    if (!s && !is_num(c->args[1])) zero_grad(c, 1);   /* copysign.Tensor: other gets zeros */
    return s;
}

/* xlogy: self: g * xlogy(self != 0, other); other: g * self / other. Either may be a number
 * (xlogy.Scalar_Self, xlogy.Scalar_Other). */
PtsStatus pts_bw_xlogy(PtsGradCtx *c) {
    bool self_num = is_num(c->args[0]), other_num = is_num(c->args[1]);
    bool g0 = !self_num && need(c, 0), g1 = !other_num && need(c, 1);
    if (g0 || g1) {
        if (!self_num) NEED_SAVED(0, "self");
        if (!other_num) NEED_SAVED(1, "other");
    }
    KSTART(c);
    if (g0) {
        /* the mask in self's dtype, so a number other computes at self's precision */
        PtsTensor *nz = kop(&k, PTS_OP_NE_SCALAR, 2, (PtsValue[]){ T_(ARGT(0)), pts_vint(0) });
        nz = kop(&k, PTS_OP_TO_DTYPE, 2, (PtsValue[]){ T_(nz), pts_vint(ARGT(0)->dtype) });
        PtsOpId id = other_num ? PTS_OP_XLOGY_SCALAR_OTHER : PTS_OP_XLOGY_TENSOR;
        kset(&k, 0, MUL(G(c), kop(&k, id, 2, (PtsValue[]){ T_(nz), other_num ? c->args[1] : T_(ARGT(1)) })));
    }
    if (g1) {
        PtsTensor *x = self_num ? NULL : ARGT(0);
        if (self_num && !k.s) {   /* the number as a wrapped one */
            PtsTensor *w;
            if (!(k.s = pts_wrap_scalar(c->args[0], E(c), &w))) x = k.t[k.n++] = w;
        }
        kset(&k, 1, DIV(MUL(G(c), x), ARGT(1)));
    }
    return kend(&k);
}

/* ldexp: self: g * 2^other; other: g * result * ln 2 */
PtsStatus pts_bw_ldexp(PtsGradCtx *c) {
    if (need(c, 0)) NEED_SAVED(1, "other");
    if (need(c, 1)) NEED_RESULT(0);
    KSTART(c);
    if (need(c, 0)) kset(&k, 0, MUL(G(c), OP1(EXP2, ARGT(1))));
    if (need(c, 1)) kset(&k, 1, MUL(G(c), MUL(c->res[0], NUM(M_LN2))));
    return kend(&k);
}

/* nextafter: torch passes the gradient to self and gives other zeros */
PtsStatus pts_bw_nextafter(PtsGradCtx *c) {
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    zero_grad(c, 1);
    return PTS_OK;
}

/* acosh_, asinh_, atanh_: torch records the node but has no in-place derivative */
PtsStatus pts_bw_inplace_not_implemented(PtsGradCtx *c) {
    const PtsSchema *s = c->node->op >= 0 ? &pts_op_info[c->node->op].schema : NULL;
    int n = s ? (int)strlen(s->name) - 1 : 0;
    return pts_fail(E(c), PTS_ERR_NOTIMPL, "the derivative for 'inplace version of %.*s' is not implemented.",
                    n, s ? s->name : "");
}
