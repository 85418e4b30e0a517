/* formulas_act.c: backward formulas of the activation rows (ops_act.def). Each first derivative
 * is the matching *_backward row, as in PyTorch's derivatives.yaml, so create_graph records those
 * rows; their own formulas below give the second derivatives. */
#define PTS_FORMULA_FILE
#include "autograd.h"


/* gradient i = a zero tensor shaped like input i (the *_backward rows' `self`, as PyTorch) */
static PtsStatus set_zero(PtsGradCtx *c, int i) {
    PtsTensor *z;
    if (!need(c, i)) return PTS_OK;
    PTS_TRY(pts_ag_fill(IN(c, i), 0.0, E(c), &z));
    set(c, i, z);
    return PTS_OK;
}

/* g * where(cond, t, 0); steals t and cond */
static PtsStatus set_masked(PtsGradCtx *c, int i, PtsTensor *cond, PtsTensor *t) {
    PtsTensor *w = NULL, *r;
    PtsValue v[3] = { pts_vtensor(cond), pts_vtensor(t), pts_vint(0) };
    PtsStatus s = call(PTS_AG_WHERE_SO, 3, v, E(c), &w);
    pts_tensor_release(cond);
    pts_tensor_release(t);
    PTS_TRY(s);
    s = call2(PTS_AG_MUL, G(c), w, E(c), &r);
    pts_tensor_release(w);
    PTS_TRY(s);
    set(c, i, r);
    return PTS_OK;
}

/* ---- leaky_relu ---- */
PtsStatus pts_bw_leaky_relu(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[1], pts_vbool(false) };
    PTS_TRY(pts_op_call_t(PTS_OP_LEAKY_RELU_BACKWARD, 4, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
/* in place, from the result (PyTorch's: a negative slope raises there) */
PtsStatus pts_bw_leaky_relu_inplace(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(c->res[0]), c->args[1], pts_vbool(true) };
    PTS_TRY(pts_op_call_t(PTS_OP_LEAKY_RELU_BACKWARD, 4, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
PtsStatus pts_bw_leaky_relu_backward(PtsGradCtx *c) {
    if (need(c, 0)) {
        PtsTensor *r;
        ARG(c, 1, self);
        PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[2], pts_vbool(false) };
        PTS_TRY(pts_op_call_t(PTS_OP_LEAKY_RELU_BACKWARD, 4, v, E(c), &r));
        set(c, 0, r);
    }
    return set_zero(c, 1);
}

/* ---- elu ---- */
PtsStatus pts_bw_elu(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[6] = { pts_vtensor(G(c)), c->args[1], c->args[2], c->args[3], pts_vbool(false), pts_vtensor(self) };
    PTS_TRY(pts_op_call_t(PTS_OP_ELU_BACKWARD, 6, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
PtsStatus pts_bw_elu_inplace(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsValue v[6] = { pts_vtensor(G(c)), c->args[1], c->args[2], c->args[3], pts_vbool(true), pts_vtensor(c->res[0]) };
    PTS_TRY(pts_op_call_t(PTS_OP_ELU_BACKWARD, 6, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
/* d/dx of elu_backward(go, x): go * input_scale * (elu'(x) for x <= 0), i.e. the first derivative
 * times input_scale on the negative side; from the result y: go * input_scale for y <= 0. */
PtsStatus pts_bw_elu_backward(PtsGradCtx *c) {
    ARG(c, 5, sor);
    if (need(c, 0)) {
        PtsTensor *r;
        PtsValue v[6] = { pts_vtensor(G(c)), c->args[1], c->args[2], c->args[3], c->args[4], pts_vtensor(sor) };
        PTS_TRY(pts_op_call_t(PTS_OP_ELU_BACKWARD, 6, v, E(c), &r));
        set(c, 0, r);
    }
    if (need(c, 5)) {
        ARG(c, 0, go);
        PtsTensor *t = NULL, *t2, *mask;
        if (c->args[4].u.b) {
            t = pts_tensor_retain(go);
        } else {
            PtsValue v[6] = { pts_vtensor(go), c->args[1], c->args[2], c->args[3], pts_vbool(false), pts_vtensor(sor) };
            PTS_TRY(pts_op_call_t(PTS_OP_ELU_BACKWARD, 6, v, E(c), &t));
        }
        PtsStatus s = call_scalar(PTS_AG_MUL, t, pts_vdouble(pts_value_to_f64(c->args[3])), false, E(c), &t2);
        pts_tensor_release(t);
        PTS_TRY(s);
        PtsValue m[2] = { pts_vtensor(sor), pts_vint(0) };
        if ((s = call(PTS_AG_LE_SCALAR, 2, m, E(c), &mask))) { pts_tensor_release(t2); return s; }
        PTS_TRY(set_masked(c, 5, mask, t2));
    }
    return PTS_OK;
}

/* ---- softplus ---- */
PtsStatus pts_bw_softplus(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[1], c->args[2] };
    PTS_TRY(pts_op_call_t(PTS_OP_SOFTPLUS_BACKWARD, 4, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
/* d/dx of go * sigmoid(beta x) (below the threshold): go * beta * s (1 - s) */
PtsStatus pts_bw_softplus_backward(PtsGradCtx *c) {
    ARG(c, 1, self);
    if (need(c, 0)) {
        PtsTensor *r;
        PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[2], c->args[3] };
        PTS_TRY(pts_op_call_t(PTS_OP_SOFTPLUS_BACKWARD, 4, v, E(c), &r));
        set(c, 0, r);
    }
    if (need(c, 1)) {
        ARG(c, 0, go);
        double beta = pts_value_to_f64(c->args[2]);
        PtsTensor *u = NULL, *sg = NULL, *om = NULL, *d = NULL, *db = NULL, *t = NULL, *mask = NULL;
        PtsStatus s;
        if (!(s = call_scalar(PTS_AG_MUL, self, pts_vdouble(beta), false, E(c), &u)) &&
            !(s = call1(PTS_AG_SIGMOID, u, E(c), &sg)) &&
            !(s = call_scalar(PTS_AG_SUB, sg, pts_vint(1), true, E(c), &om)) &&
            !(s = call2(PTS_AG_MUL, sg, om, E(c), &d)) &&
            !(s = call_scalar(PTS_AG_MUL, d, pts_vdouble(beta), false, E(c), &db)) &&
            !(s = call2(PTS_AG_MUL, db, go, E(c), &t))) {
            PtsValue m[2] = { pts_vtensor(u), c->args[3] };
            if (!(s = call(PTS_AG_LE_SCALAR, 2, m, E(c), &mask))) {
                s = set_masked(c, 1, mask, t);
                t = NULL;
            }
        }
        pts_tensor_release(u);
        pts_tensor_release(sg);
        pts_tensor_release(om);
        pts_tensor_release(d);
        pts_tensor_release(db);
        pts_tensor_release(t);
        PTS_TRY(s);
    }
    return PTS_OK;
}

/* ---- hardtanh ---- */
PtsStatus pts_bw_hardtanh(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[1], c->args[2] };
    PTS_TRY(pts_op_call_t(PTS_OP_HARDTANH_BACKWARD, 4, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
PtsStatus pts_bw_hardtanh_backward(PtsGradCtx *c) {
    if (need(c, 0)) {
        PtsTensor *r;
        ARG(c, 1, self);
        PtsValue v[4] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[2], c->args[3] };
        PTS_TRY(pts_op_call_t(PTS_OP_HARDTANH_BACKWARD, 4, v, E(c), &r));
        set(c, 0, r);
    }
    return set_zero(c, 1);
}
