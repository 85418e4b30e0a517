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

