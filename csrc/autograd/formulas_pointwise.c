/* formulas_pointwise.c: backward formulas of the elementwise rows (see derivatives.def). Each reads the
 * output gradients and the kept values from its context and stores the gradients of the inputs
 * that need one, computing through registry ops only. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= formulas: pointwise ================= */

/* gradient passes through unchanged (add.Scalar, clone, contiguous, ...) */
PtsStatus pts_bw_self(PtsGradCtx *c) {
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    return PTS_OK;
}

PtsStatus pts_bw_add(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    if (need(c, 1)) { PTS_TRY(scale(G(c), c->args[2], E(c), &r)); set(c, 1, r); }
    return PTS_OK;
}

PtsStatus pts_bw_sub(PtsGradCtx *c) {
    PtsTensor *r, *n;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    if (need(c, 1)) {
        PTS_TRY(call1(PTS_AG_NEG, G(c), E(c), &n));
        PtsStatus s = scale(n, c->args[2], E(c), &r);
        pts_tensor_release(n);
        PTS_TRY(s);
        set(c, 1, r);
    }
    return PTS_OK;
}

PtsStatus pts_bw_rsub(PtsGradCtx *c) {   /* other - alpha * self */
    PtsTensor *r, *n;
    if (need(c, 1)) set(c, 1, pts_tensor_retain(G(c)));
    if (need(c, 0)) {
        PTS_TRY(call1(PTS_AG_NEG, G(c), E(c), &n));
        PtsStatus s = scale(n, c->args[2], E(c), &r);
        pts_tensor_release(n);
        PTS_TRY(s);
        set(c, 0, r);
    }
    return PTS_OK;
}

PtsStatus pts_bw_rsub_scalar(PtsGradCtx *c) { return pts_bw_rsub(c); }

PtsStatus pts_bw_mul(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { ARG(c, 1, other); PTS_TRY(call2(PTS_AG_MUL, G(c), other, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) { ARG(c, 0, self); PTS_TRY(call2(PTS_AG_MUL, G(c), self, E(c), &r)); set(c, 1, r); }
    return PTS_OK;
}

PtsStatus pts_bw_mul_scalar(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call_scalar(PTS_AG_MUL, G(c), c->args[1], false, E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

PtsStatus pts_bw_div(PtsGradCtx *c) {
    PtsTensor *r, *q = NULL, *q2 = NULL, *m = NULL;
    ARG(c, 1, other);
    if (need(c, 0)) { PTS_TRY(call2(PTS_AG_DIV, G(c), other, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) {
        /* -grad * ((self / other) / other) */
        ARG(c, 0, self);
        PtsStatus s;
        if (!(s = call2(PTS_AG_DIV, self, other, E(c), &q)) && !(s = call2(PTS_AG_DIV, q, other, E(c), &q2)) &&
            !(s = call2(PTS_AG_MUL, G(c), q2, E(c), &m)) && !(s = call1(PTS_AG_NEG, m, E(c), &r)))
            set(c, 1, r);
        pts_tensor_release(q);
        pts_tensor_release(q2);
        pts_tensor_release(m);
        return s;
    }
    return PTS_OK;
}

PtsStatus pts_bw_div_scalar(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call_scalar(PTS_AG_DIV, G(c), c->args[1], false, E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

PtsStatus pts_bw_neg(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call1(PTS_AG_NEG, G(c), E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

PtsStatus pts_bw_tanh(PtsGradCtx *c) {   /* grad * (1 - y * y) */
    PtsTensor *y = c->res[0], *yy = NULL, *d = NULL, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!y) return pts_ag_missing(c, "result");
    PtsStatus s;
    if (!(s = call2(PTS_AG_MUL, y, y, E(c), &yy)) &&
        !(s = call_scalar(PTS_AG_SUB, yy, pts_vint(1), true, E(c), &d)) &&
        !(s = call2(PTS_AG_MUL, G(c), d, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(yy);
    pts_tensor_release(d);
    return s;
}

PtsStatus pts_bw_sigmoid(PtsGradCtx *c) {   /* grad * y * (1 - y) */
    PtsTensor *y = c->res[0], *d = NULL, *gy = NULL, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!y) return pts_ag_missing(c, "result");
    PtsStatus s;
    if (!(s = call_scalar(PTS_AG_SUB, y, pts_vint(1), true, E(c), &d)) &&
        !(s = call2(PTS_AG_MUL, G(c), y, E(c), &gy)) && !(s = call2(PTS_AG_MUL, gy, d, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(d);
    pts_tensor_release(gy);
    return s;
}

PtsStatus pts_bw_exp(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PTS_TRY(call2(PTS_AG_MUL, G(c), c->res[0], E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_log(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call2(PTS_AG_DIV, G(c), self, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_relu(PtsGradCtx *c) {   /* grad where y > 0 */
    PtsTensor *mask, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsValue v[2] = { pts_vtensor(c->res[0]), pts_vint(0) };
    PTS_TRY(call(PTS_AG_GT_SCALAR, 2, v, E(c), &mask));
    PtsStatus s = call2(PTS_AG_MUL, G(c), mask, E(c), &r);
    pts_tensor_release(mask);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}


/* ================= more elementwise rows ================= */

/* g * f, where f is computed from kept values by the caller (helper for one-input rows) */
static PtsStatus set_mul(PtsGradCtx *c, int i, PtsTensor *f) {
    PtsTensor *r;
    PtsStatus s = call2(PTS_AG_MUL, G(c), f, E(c), &r);
    pts_tensor_release(f);
    PTS_TRY(s);
    set(c, i, r);
    return PTS_OK;
}

/* rounding and sign functions: zero gradient, as PyTorch */
PtsStatus pts_bw_zero(PtsGradCtx *c) {
    PtsTensor *z;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z));
    set(c, 0, z);
    return PTS_OK;
}

PtsStatus pts_bw_abs(PtsGradCtx *c) {   /* g * sign(x) */
    PtsTensor *f;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call1(PTS_AG_SIGN, self, E(c), &f));
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_expm1(PtsGradCtx *c) {   /* g * (y + 1) */
    PtsTensor *f;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PTS_TRY(call_scalar(PTS_AG_ADD, c->res[0], pts_vint(1), false, E(c), &f));
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_log1p(PtsGradCtx *c) {   /* g / (x + 1) */
    PtsTensor *d, *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call_scalar(PTS_AG_ADD, self, pts_vint(1), false, E(c), &d));
    PtsStatus s = call2(PTS_AG_DIV, G(c), d, E(c), &r);
    pts_tensor_release(d);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_log2(PtsGradCtx *c) {   /* g / (x * ln 2) */
    PtsTensor *d, *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call_scalar(PTS_AG_MUL, self, pts_vdouble(0.693147180559945309417232121458), false, E(c), &d));
    PtsStatus s = call2(PTS_AG_DIV, G(c), d, E(c), &r);
    pts_tensor_release(d);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_sqrt(PtsGradCtx *c) {   /* g / (2 y) */
    PtsTensor *d, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PTS_TRY(call_scalar(PTS_AG_MUL, c->res[0], pts_vint(2), false, E(c), &d));
    PtsStatus s = call2(PTS_AG_DIV, G(c), d, E(c), &r);
    pts_tensor_release(d);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

/* g * k * y^p from the kept result (rsqrt: -0.5 y^3, reciprocal: -y^2, tan: handled below) */
static PtsStatus result_power(PtsGradCtx *c, double k, double p) {
    PtsTensor *yp, *f;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsValue v[2] = { pts_vtensor(c->res[0]), pts_vdouble(p) };   /* exponent is a Scalar parameter */
    PTS_TRY(call(PTS_AG_POW_TS, 2, v, E(c), &yp));
    PtsStatus s = call_scalar(PTS_AG_MUL, yp, pts_vdouble(k), false, E(c), &f);
    pts_tensor_release(yp);
    PTS_TRY(s);
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_rsqrt(PtsGradCtx *c) { return result_power(c, -0.5, 3.0); }
PtsStatus pts_bw_reciprocal(PtsGradCtx *c) { return result_power(c, -1.0, 2.0); }

PtsStatus pts_bw_sin(PtsGradCtx *c) {   /* g * cos(x) */
    PtsTensor *f;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call1(PTS_AG_COS, self, E(c), &f));
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_cos(PtsGradCtx *c) {   /* -g * sin(x) */
    PtsTensor *sn, *f;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call1(PTS_AG_SIN, self, E(c), &sn));
    PtsStatus s = call1(PTS_AG_NEG, sn, E(c), &f);
    pts_tensor_release(sn);
    PTS_TRY(s);
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_tan(PtsGradCtx *c) {   /* g * (1 + y^2) */
    PtsTensor *yy, *f;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PTS_TRY(call2(PTS_AG_MUL, c->res[0], c->res[0], E(c), &yy));
    PtsStatus s = call_scalar(PTS_AG_ADD, yy, pts_vint(1), false, E(c), &f);
    pts_tensor_release(yy);
    PTS_TRY(s);
    return set_mul(c, 0, f);
}

PtsStatus pts_bw_erf(PtsGradCtx *c) {   /* g * 2/sqrt(pi) * exp(-x^2) */
    PtsTensor *xx = NULL, *e = NULL, *f;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsStatus s;
    if (!(s = call2(PTS_AG_MUL, self, self, E(c), &xx)) &&
        !(s = call_scalar(PTS_AG_MUL, xx, pts_vdouble(-1.0), false, E(c), &f))) {
        s = call1(PTS_AG_EXP, f, E(c), &e);
        pts_tensor_release(f);
        if (!s && !(s = call_scalar(PTS_AG_MUL, e, pts_vdouble(1.12837916709551257389615890312), false, E(c), &f)))
            s = set_mul(c, 0, f);
    }
    pts_tensor_release(xx);
    pts_tensor_release(e);
    return s;
}

PtsStatus pts_bw_silu(PtsGradCtx *c) {   /* g * s * (1 + x * (1 - s)), s = sigmoid(x) */
    PtsTensor *sg = NULL, *om = NULL, *xo = NULL, *f = NULL;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsStatus s;
    if (!(s = call1(PTS_AG_SIGMOID, self, E(c), &sg)) &&
        !(s = call_scalar(PTS_AG_SUB, sg, pts_vint(1), true, E(c), &om)) &&
        !(s = call2(PTS_AG_MUL, self, om, E(c), &xo)) &&
        !(s = call_scalar(PTS_AG_ADD, xo, pts_vint(1), false, E(c), &f))) {
        PtsTensor *ff;
        s = call2(PTS_AG_MUL, sg, f, E(c), &ff);
        if (!s) s = set_mul(c, 0, ff);
    }
    pts_tensor_release(sg);
    pts_tensor_release(om);
    pts_tensor_release(xo);
    pts_tensor_release(f);
    return s;
}

/* gelu: exact g * (Phi(x) + x phi(x)); approximate='tanh' as ATen's GeluBackward */
PtsStatus pts_bw_gelu(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    bool tanh_approx = c->args[1].tag == PTS_V_STR && strcmp(pts_as_str(c->args[1])->data, "tanh") == 0;
    PtsTensor *t[8] = { 0 }, *f = NULL;
    PtsStatus s;
    if (!tanh_approx) {
        /* t0 = erf(x / sqrt2), t1 = 0.5 (1 + t0) = Phi; t2 = exp(-x^2/2) / sqrt(2 pi); t3 = x t2 */
        if (!(s = call_scalar(PTS_AG_MUL, self, pts_vdouble(0.707106781186547524400844362105), false, E(c), &t[4])) &&
            !(s = call1(PTS_AG_ERF, t[4], E(c), &t[0])) &&
            !(s = call_scalar(PTS_AG_ADD, t[0], pts_vint(1), false, E(c), &t[5])) &&
            !(s = call_scalar(PTS_AG_MUL, t[5], pts_vdouble(0.5), false, E(c), &t[1])) &&
            !(s = call2(PTS_AG_MUL, self, self, E(c), &t[6])) &&
            !(s = call_scalar(PTS_AG_MUL, t[6], pts_vdouble(-0.5), false, E(c), &t[7])) &&
            !(s = call1(PTS_AG_EXP, t[7], E(c), &t[3])) &&
            !(s = call_scalar(PTS_AG_MUL, t[3], pts_vdouble(0.398942280401432677939946059934), false, E(c), &t[2]))) {
            pts_tensor_release(t[3]);
            t[3] = NULL;
            if (!(s = call2(PTS_AG_MUL, self, t[2], E(c), &t[3])) && !(s = call2(PTS_AG_ADD, t[1], t[3], E(c), &f)))
                s = set_mul(c, 0, f);
        }
    } else {
        /* inner = b (x + k x^3); th = tanh(inner); d = 0.5 (1 + th) + 0.5 x (1 - th^2) b (1 + 3 k x^2) */
        const double b = 0.797884560802865355879892119869, k = 0.044715;
        PtsTensor *u[10] = { 0 };
        if (!(s = call2(PTS_AG_MUL, self, self, E(c), &u[0])) &&                          /* x^2 */
            !(s = call2(PTS_AG_MUL, u[0], self, E(c), &u[1])) &&                          /* x^3 */
            !(s = call_scalar(PTS_AG_MUL, u[1], pts_vdouble(k), false, E(c), &u[2])) &&
            !(s = call2(PTS_AG_ADD, self, u[2], E(c), &u[3])) &&
            !(s = call_scalar(PTS_AG_MUL, u[3], pts_vdouble(b), false, E(c), &u[4])) &&  /* inner */
            !(s = call1(PTS_AG_TANH, u[4], E(c), &u[5])) &&                               /* th */
            !(s = call_scalar(PTS_AG_ADD, u[5], pts_vint(1), false, E(c), &u[6])) &&
            !(s = call_scalar(PTS_AG_MUL, u[6], pts_vdouble(0.5), false, E(c), &t[0])) && /* left' */
            !(s = call2(PTS_AG_MUL, u[5], u[5], E(c), &u[7])) &&
            !(s = call_scalar(PTS_AG_SUB, u[7], pts_vint(1), true, E(c), &u[8])) &&      /* 1 - th^2 */
            !(s = call_scalar(PTS_AG_MUL, u[0], pts_vdouble(3 * k), false, E(c), &u[9])) &&
            !(s = call_scalar(PTS_AG_ADD, u[9], pts_vint(1), false, E(c), &t[1])) &&
            !(s = call_scalar(PTS_AG_MUL, t[1], pts_vdouble(b * 0.5), false, E(c), &t[2])) &&
            !(s = call2(PTS_AG_MUL, u[8], t[2], E(c), &t[3])) &&
            !(s = call2(PTS_AG_MUL, self, t[3], E(c), &t[4])) &&
            !(s = call2(PTS_AG_ADD, t[0], t[4], E(c), &f)))
            s = set_mul(c, 0, f);
        for (int i = 0; i < 10; i++) pts_tensor_release(u[i]);
    }
    for (int i = 0; i < 8; i++) pts_tensor_release(t[i]);
    return s;
}

/* ---- powers ---- */

/* g * e * x^(e-1), 0 where e == 0 (PyTorch's pow_backward); e a number or a tensor */
static PtsStatus pow_self_grad(PtsGradCtx *c, PtsTensor *self, PtsValue e, PtsTensor **out) {
    PtsTensor *em1 = NULL, *p = NULL, *f = NULL, *z = NULL, *m = NULL;
    PtsStatus s;
    if (e.tag != PTS_V_TENSOR) {
        double ev = pts_value_to_f64(e);
        if (ev == 0.0) return pts_ag_fill(IN(c, 0), 0.0, E(c), out);
        PtsValue v[2] = { pts_vtensor(self), pts_vdouble(ev - 1) };
        if (!(s = call(PTS_AG_POW_TS, 2, v, E(c), &p)) &&
            !(s = call_scalar(PTS_AG_MUL, p, e, false, E(c), &f)))
            s = call2(PTS_AG_MUL, G(c), f, E(c), out);
    } else {
        PtsValue v[2] = { pts_vtensor(e.u.t), pts_vint(0) };
        if (!(s = call_scalar(PTS_AG_SUB, e.u.t, pts_vint(1), false, E(c), &em1)) &&
            !(s = call2(PTS_AG_POW_TT, self, em1, E(c), &p)) && !(s = call2(PTS_AG_MUL, p, e.u.t, E(c), &f)) &&
            !(s = call2(PTS_AG_MUL, G(c), f, E(c), &m)) && !(s = call(PTS_AG_EQ_SCALAR, 2, v, E(c), &z))) {
            PtsValue w[3] = { pts_vtensor(z), pts_vint(0), pts_vtensor(m) };
            s = call(PTS_AG_WHERE_SS, 3, w, E(c), out);
        }
    }
    pts_tensor_release(em1); pts_tensor_release(p); pts_tensor_release(f);
    pts_tensor_release(z); pts_tensor_release(m);
    return s;
}

/* g * y * log(base), 0 where base == 0 and exponent >= 0 (pow_backward_exponent) */
static PtsStatus pow_exp_grad(PtsGradCtx *c, PtsTensor *y, PtsValue base, PtsTensor *e, PtsTensor **out) {
    PtsTensor *lg = NULL, *gy = NULL, *prod = NULL, *m1 = NULL, *m2 = NULL, *mask = NULL, *b = NULL;
    PtsStatus s;
    if ((s = pts_wrap_scalar(base, E(c), &b))) return s;   /* a tensor base is retained as is */
    PtsValue v0[2] = { pts_vtensor(b), pts_vint(0) }, v1[2] = { pts_vtensor(e), pts_vint(0) };
    if (!(s = call1(PTS_AG_LOG, b, E(c), &lg)) && !(s = call2(PTS_AG_MUL, G(c), y, E(c), &gy)) &&
        !(s = call2(PTS_AG_MUL, gy, lg, E(c), &prod)) && !(s = call(PTS_AG_EQ_SCALAR, 2, v0, E(c), &m1)) &&
        !(s = call(PTS_AG_GE_SCALAR, 2, v1, E(c), &m2)) && !(s = call2(PTS_AG_LOGICAL_AND, m1, m2, E(c), &mask))) {
        PtsValue w[3] = { pts_vtensor(mask), pts_vint(0), pts_vtensor(prod) };
        s = call(PTS_AG_WHERE_SS, 3, w, E(c), out);
    }
    pts_tensor_release(lg); pts_tensor_release(gy); pts_tensor_release(prod);
    pts_tensor_release(m1); pts_tensor_release(m2); pts_tensor_release(mask); pts_tensor_release(b);
    return s;
}

PtsStatus pts_bw_pow_ts(PtsGradCtx *c) {   /* pow.Tensor_Scalar(self, exponent) */
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(pow_self_grad(c, self, c->args[1], &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_pow_tt(PtsGradCtx *c) {   /* pow.Tensor_Tensor(self, exponent) */
    PtsTensor *r;
    ARG(c, 0, self);
    ARG(c, 1, exponent);
    if (need(c, 0)) {
        PTS_TRY(pow_self_grad(c, self, pts_vtensor(exponent), &r));
        set(c, 0, r);
    }
    if (need(c, 1)) {
        if (!c->res[0]) return pts_ag_missing(c, "result");
        PTS_TRY(pow_exp_grad(c, c->res[0], pts_vtensor(self), exponent, &r));
        set(c, 1, r);
    }
    return PTS_OK;
}

PtsStatus pts_bw_pow_scalar(PtsGradCtx *c) {   /* pow.Scalar(Scalar self, Tensor exponent) */
    PtsTensor *r;
    if (!need(c, 1)) return PTS_OK;
    ARG(c, 1, exponent);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PTS_TRY(pow_exp_grad(c, c->res[0], c->args[0], exponent, &r));
    set(c, 1, r);
    return PTS_OK;
}

/* ---- selection by masks ---- */

/* where(mask, g, 0) or where(mask, 0, g) */
static PtsStatus g_where(PtsGradCtx *c, PtsTensor *mask, bool keep_true, PtsTensor **out) {
    if (keep_true) {
        PtsValue w[3] = { pts_vtensor(mask), pts_vtensor(G(c)), pts_vint(0) };
        return call(PTS_AG_WHERE_SO, 3, w, E(c), out);
    }
    PtsValue w[3] = { pts_vtensor(mask), pts_vint(0), pts_vtensor(G(c)) };
    return call(PTS_AG_WHERE_SS, 3, w, E(c), out);
}

/* maximum / minimum: the larger (smaller) side gets g, ties split it in halves */
static PtsStatus extremum_bw(PtsGradCtx *c, int cmp) {
    ARG(c, 0, self);
    ARG(c, 1, other);
    PtsTensor *eq = NULL, *half = NULL, *win = NULL, *tmp = NULL, *r;
    PtsStatus s;
    if ((s = call2(PTS_AG_EQ, self, other, E(c), &eq)) ||
        (s = call_scalar(PTS_AG_DIV, G(c), pts_vint(2), false, E(c), &half)))
        goto done;
    for (int side = 0; side < 2 && !s; side++) {
        if (!need(c, side)) continue;
        PtsTensor *a = side ? other : self, *b = side ? self : other;
        if ((s = call2(cmp, a, b, E(c), &win)) || (s = g_where(c, win, true, &tmp))) break;
        PtsValue w[3] = { pts_vtensor(eq), pts_vtensor(half), pts_vtensor(tmp) };
        if ((s = call(PTS_AG_WHERE, 3, w, E(c), &r))) break;
        set(c, side, r);
        pts_tensor_release(win);
        pts_tensor_release(tmp);
        win = tmp = NULL;
    }
done:
    pts_tensor_release(eq); pts_tensor_release(half); pts_tensor_release(win); pts_tensor_release(tmp);
    return s;
}

PtsStatus pts_bw_maximum(PtsGradCtx *c) { return extremum_bw(c, PTS_AG_GT); }
PtsStatus pts_bw_minimum(PtsGradCtx *c) { return extremum_bw(c, PTS_AG_LT); }

/* clamp(self, min?, max?) with Scalar or Tensor bounds: self gets g inside [min, max]; a tensor
 * bound gets g where it was the one taken */
static PtsStatus clamp_common(PtsGradCtx *c, int imin, int imax) {
    ARG(c, 0, self);
    PtsTensor *lo = NULL, *hi = NULL, *in = NULL, *r;
    PtsStatus s = PTS_OK;
    PtsValue vmin = imin >= 0 ? c->args[imin] : pts_none(), vmax = imax >= 0 ? c->args[imax] : pts_none();
    bool tmin = vmin.tag == PTS_V_TENSOR, tmax = vmax.tag == PTS_V_TENSOR;
    if (vmin.tag != PTS_V_NONE) {
        if (tmin) s = call2(PTS_AG_GE, self, vmin.u.t, E(c), &lo);
        else { PtsValue v[2] = { pts_vtensor(self), vmin }; s = call(PTS_AG_GE_SCALAR, 2, v, E(c), &lo); }
    }
    if (!s && vmax.tag != PTS_V_NONE) {
        if (tmax) s = call2(PTS_AG_LE, self, vmax.u.t, E(c), &hi);
        else { PtsValue v[2] = { pts_vtensor(self), vmax }; s = call(PTS_AG_LE_SCALAR, 2, v, E(c), &hi); }
    }
    if (s) goto done;
    if (lo && hi) s = call2(PTS_AG_LOGICAL_AND, lo, hi, E(c), &in);
    else in = pts_tensor_retain(lo ? lo : hi);
    if (s) goto done;
    if (need(c, 0)) {
        if (in) { if ((s = g_where(c, in, true, &r))) goto done; }
        else r = pts_tensor_retain(G(c));
        set(c, 0, r);
    }
    if (tmin && need(c, imin)) {   /* min taken where self < min (and min <= max) */
        if ((s = g_where(c, lo, false, &r))) goto done;
        if (hi) {
            PtsTensor *r2;
            PtsValue w[3] = { pts_vtensor(hi), pts_vtensor(r), pts_vint(0) };
            s = tmax ? call(PTS_AG_WHERE_SO, 3, w, E(c), &r2) : (r2 = pts_tensor_retain(r), PTS_OK);
            pts_tensor_release(r);
            if (s) goto done;
            r = r2;
        }
        set(c, imin, r);
    }
    if (tmax && need(c, imax)) {   /* max taken where self > max */
        if ((s = g_where(c, hi, false, &r))) goto done;
        set(c, imax, r);
    }
done:
    pts_tensor_release(lo); pts_tensor_release(hi); pts_tensor_release(in);
    return s;
}

PtsStatus pts_bw_clamp(PtsGradCtx *c) { return clamp_common(c, 1, 2); }
PtsStatus pts_bw_clamp_min(PtsGradCtx *c) { return clamp_common(c, 1, -1); }
PtsStatus pts_bw_clamp_max(PtsGradCtx *c) { return clamp_common(c, -1, 1); }

/* where(condition, self, other) and its Scalar forms */
PtsStatus pts_bw_where(PtsGradCtx *c) {
    ARG(c, 0, condition);
    PtsTensor *r;
    if (need(c, 1)) { PTS_TRY(g_where(c, condition, true, &r)); set(c, 1, r); }
    if (need(c, 2)) { PTS_TRY(g_where(c, condition, false, &r)); set(c, 2, r); }
    return PTS_OK;
}

/* masked_fill(self, mask, value): self keeps g off the mask; a tensor value gets g on it */
PtsStatus pts_bw_masked_fill(PtsGradCtx *c) {
    ARG(c, 1, mask);
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(g_where(c, mask, false, &r)); set(c, 0, r); }
    if (need(c, 2)) { PTS_TRY(g_where(c, mask, true, &r)); set(c, 2, r); }   /* summed to 0-d by the engine */
    return PTS_OK;
}

/* addcmul(self, t1, t2, value): self + value t1 t2 */
PtsStatus pts_bw_addcmul(PtsGradCtx *c) {
    PtsTensor *p, *r;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    for (int i = 1; i <= 2; i++) {
        if (!need(c, i)) continue;
        PtsTensor *o = A(c, 3 - i);
        if (!o) return pts_ag_missing(c, i == 1 ? "tensor2" : "tensor1");
        PTS_TRY(call2(PTS_AG_MUL, G(c), o, E(c), &p));
        PtsStatus s = scale(p, c->args[3], E(c), &r);
        pts_tensor_release(p);
        PTS_TRY(s);
        set(c, i, r);
    }
    return PTS_OK;
}

/* addcdiv(self, t1, t2, value): self + value t1 / t2 */
PtsStatus pts_bw_addcdiv(PtsGradCtx *c) {
    PtsTensor *p = NULL, *q = NULL, *r;
    PtsStatus s = PTS_OK;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    ARG(c, 2, tensor2);
    if (need(c, 1)) {
        PTS_TRY(call2(PTS_AG_DIV, G(c), tensor2, E(c), &p));
        s = scale(p, c->args[3], E(c), &r);
        pts_tensor_release(p);
        PTS_TRY(s);
        set(c, 1, r);
    }
    if (need(c, 2)) {   /* -g value t1 / t2^2 */
        ARG(c, 1, tensor1);
        PtsTensor *t22 = NULL;
        if (!(s = call2(PTS_AG_MUL, tensor2, tensor2, E(c), &t22)) && !(s = call2(PTS_AG_DIV, tensor1, t22, E(c), &p)) &&
            !(s = call2(PTS_AG_MUL, G(c), p, E(c), &q))) {
            PtsTensor *n;
            if (!(s = call1(PTS_AG_NEG, q, E(c), &n))) {
                s = scale(n, c->args[3], E(c), &r);
                pts_tensor_release(n);
                if (!s) set(c, 2, r);
            }
        }
        pts_tensor_release(t22);
        pts_tensor_release(p);
        pts_tensor_release(q);
    }
    return s;
}

/* lerp(self, end, weight): self + weight (end - self) */
PtsStatus pts_bw_lerp(PtsGradCtx *c) {
    PtsTensor *w1, *r;
    PtsValue w = c->args[2];
    if (w.tag == PTS_V_NONE) return pts_ag_missing(c, "weight");
    if (need(c, 0)) {   /* g (1 - w) */
        if (w.tag == PTS_V_TENSOR) {
            PTS_TRY(call_scalar(PTS_AG_SUB, w.u.t, pts_vint(1), true, E(c), &w1));
            PtsStatus s = call2(PTS_AG_MUL, G(c), w1, E(c), &r);
            pts_tensor_release(w1);
            PTS_TRY(s);
        } else {
            PTS_TRY(call_scalar(PTS_AG_MUL, G(c), pts_vdouble(1.0 - pts_value_to_f64(w)), false, E(c), &r));
        }
        set(c, 0, r);
    }
    if (need(c, 1)) {
        if (w.tag == PTS_V_TENSOR) PTS_TRY(call2(PTS_AG_MUL, G(c), w.u.t, E(c), &r));
        else PTS_TRY(call_scalar(PTS_AG_MUL, G(c), w, false, E(c), &r));
        set(c, 1, r);
    }
    if (w.tag == PTS_V_TENSOR && need(c, 2)) {   /* g (end - self) */
        ARG(c, 0, self);
        ARG(c, 1, end);
        PtsTensor *d;
        PTS_TRY(call2(PTS_AG_SUB, end, self, E(c), &d));
        PtsStatus s = call2(PTS_AG_MUL, G(c), d, E(c), &r);
        pts_tensor_release(d);
        PTS_TRY(s);
        set(c, 2, r);
    }
    return PTS_OK;
}

/* div with rounding_mode: as div without one; 'trunc' / 'floor' have zero gradient */
static bool rounding(PtsGradCtx *c) { return c->args[c->node->nargs - 1].tag == PTS_V_STR; }

PtsStatus pts_bw_div_tensor_mode(PtsGradCtx *c) {
    if (!rounding(c)) return pts_bw_div(c);
    PTS_TRY(pts_bw_zero(c));
    if (need(c, 1)) {
        PtsTensor *z;
        PTS_TRY(pts_ag_fill(IN(c, 1), 0.0, E(c), &z));
        set(c, 1, z);
    }
    return PTS_OK;
}

PtsStatus pts_bw_div_scalar_mode(PtsGradCtx *c) {
    return rounding(c) ? pts_bw_zero(c) : pts_bw_div_scalar(c);
}

/* remainder / fmod: self gets g; a tensor divisor gets -g * floor(x / y) (trunc(x / y)) */
static PtsStatus mod_bw(PtsGradCtx *c, const char *mode) {
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    if (c->node->nargs < 2 || !need(c, 1)) return PTS_OK;
    ARG(c, 0, self);
    ARG(c, 1, other);
    PtsTensor *q = NULL, *m = NULL, *r;
    PtsValue v[3] = { pts_vtensor(self), pts_vtensor(other), pts_none() };
    PtsStatus s = pts_str_new(mode, strlen(mode), E(c), &v[2]);
    if (!s && !(s = call(PTS_AG_DIV_MODE, 3, v, E(c), &q)) && !(s = call2(PTS_AG_MUL, G(c), q, E(c), &m)) &&
        !(s = call1(PTS_AG_NEG, m, E(c), &r)))
        set(c, 1, r);
    pts_value_release(&v[2]);
    pts_tensor_release(q);
    pts_tensor_release(m);
    return s;
}

PtsStatus pts_bw_remainder(PtsGradCtx *c) { return mod_bw(c, "floor"); }
PtsStatus pts_bw_fmod(PtsGradCtx *c) { return mod_bw(c, "trunc"); }

/* normal(mean, std) with tensor parameters: the draw is treated as constant (zero gradients);
 * also the Tensor overloads of the in-place comparisons (zeros for self and other) */
PtsStatus pts_bw_zero_tensors(PtsGradCtx *c) {
    PtsTensor *z;
    for (int i = 0; i < 2; i++) {
        if (c->node->arg_edge[i] < 0 || !need(c, i)) continue;
        PTS_TRY(pts_ag_fill(IN(c, i), 0.0, E(c), &z));
        set(c, i, z);
    }
    return PTS_OK;
}
