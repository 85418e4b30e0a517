/* formulas_rnn.c: backward of the fused LSTM pointwise step (_thnn_fused_lstm_cell, see
 * ops_rnn.def). The gate gradient comes from one pass of _thnn_fused_lstm_cell_backward_impl and
 * flows to both gate inputs; the biases get its column sums. Under create_graph the same
 * gradients are computed through registry ops from the kept inputs instead (PyTorch's
 * _thnn_differentiable_lstm_cell_backward), so they can be differentiated again. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* temporaries of the differentiable path, released together */
typedef struct Arena { PtsTensor *t[48]; int n; PtsError *err; } Arena;

/* t is read after the call that filled it (an argument r would be evaluated in unspecified order) */
static PtsTensor *keep(Arena *a, PtsStatus s, PtsTensor **tp) {
    if (s) return NULL;
    PtsTensor *t = *tp;
    if (a->n == 48) { pts_tensor_release(t); pts_fail(a->err, PTS_ERR_INTERNAL, "lstm backward: arena full"); return NULL; }
    return a->t[a->n++] = t;
}
static PtsTensor *op2(Arena *a, int op, PtsTensor *x, PtsTensor *y) {
    PtsTensor *r = NULL;
    if (!x || !y) return NULL;
    return keep(a, call2(op, x, y, a->err, &r), &r);
}
static PtsTensor *op1(Arena *a, int op, PtsTensor *x) {
    PtsTensor *r = NULL;
    if (!x) return NULL;
    return keep(a, call1(op, x, a->err, &r), &r);
}
static PtsTensor *one_minus(Arena *a, PtsTensor *x) {
    PtsTensor *r = NULL;
    if (!x) return NULL;
    return keep(a, call_scalar(PTS_AG_SUB, x, pts_vint(1), true, a->err, &r), &r);
}
/* x (1 - x): the derivative of a sigmoid through its value */
static PtsTensor *dsig(Arena *a, PtsTensor *x) { return op2(a, PTS_AG_MUL, x, one_minus(a, x)); }

static PtsStatus differentiable_backward(PtsGradCtx *c, PtsTensor *cx, PtsTensor *cy, bool bias_i, bool bias_h) {
    PtsTensor *ig = A(c, 0), *hg = A(c, 1), *bi = A(c, 3), *bh = A(c, 4), *go = c->go[0], *gcy = c->go[1];
    if (!ig || !hg) return pts_ag_missing(c, "input_gates/hidden_gates");
    Arena a = { .n = 0, .err = E(c) };
    PtsStatus s = PTS_OK;
    PtsTensor *gates = op2(&a, PTS_AG_ADD, ig, hg);
    if (gates && bi) gates = op2(&a, PTS_AG_ADD, gates, bi);
    if (gates && bh) gates = op2(&a, PTS_AG_ADD, gates, bh);
    PtsTensor *part[4] = { NULL, NULL, NULL, NULL };
    if (gates) {
        PtsValue ca[3] = { pts_vtensor(gates), pts_vint(4), pts_vint(1) }, r[PTS_MAX_RETS];
        for (int k = 0; k < PTS_MAX_RETS; k++) r[k] = pts_none();
        if (!pts_op_call(PTS_OP_CHUNK, ca, r, E(c))) {
            PtsList *l = pts_as_list(r[0]);
            for (int k = 0; k < 4 && k < l->len; k++) part[k] = keep(&a, PTS_OK, &(PtsTensor *){ pts_tensor_retain(l->items[k].u.t) });
        }
        for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&r[k]);
    }
    PtsTensor *i = op1(&a, PTS_AG_SIGMOID, part[0]), *f = op1(&a, PTS_AG_SIGMOID, part[1]);
    PtsTensor *g = op1(&a, PTS_AG_TANH, part[2]), *o = op1(&a, PTS_AG_SIGMOID, part[3]);
    PtsTensor *tc = op1(&a, PTS_AG_TANH, cy);
    /* gc = go o (1 - tc^2) + gcy */
    PtsTensor *gc = op2(&a, PTS_AG_ADD, op2(&a, PTS_AG_MUL, op2(&a, PTS_AG_MUL, go, o),
                                              one_minus(&a, op2(&a, PTS_AG_MUL, tc, tc))), gcy);
    PtsTensor *gi = op2(&a, PTS_AG_MUL, op2(&a, PTS_AG_MUL, gc, g), dsig(&a, i));
    PtsTensor *gf = op2(&a, PTS_AG_MUL, op2(&a, PTS_AG_MUL, gc, cx), dsig(&a, f));
    PtsTensor *gg = op2(&a, PTS_AG_MUL, op2(&a, PTS_AG_MUL, gc, i), one_minus(&a, op2(&a, PTS_AG_MUL, g, g)));
    PtsTensor *gO = op2(&a, PTS_AG_MUL, op2(&a, PTS_AG_MUL, go, tc), dsig(&a, o));
    PtsTensor *gx = op2(&a, PTS_AG_MUL, gc, f);
    PtsTensor *gall = NULL, *gb = NULL;
    if (gi && gf && gg && gO && gx) {
        PtsValue l = pts_none();
        PtsTensor *parts[4] = { gi, gf, gg, gO };
        if (!(s = pts_list_new(PTS_V_LIST, 4, E(c), &l))) {
            for (int k = 0; k < 4 && !s; k++) s = pts_list_append(l, pts_vtensor(pts_tensor_retain(parts[k])), E(c));
            PtsValue ca[2] = { l, pts_vint(1) };
            PtsTensor *r = NULL;
            if (!s) gall = keep(&a, s = call(PTS_AG_CAT, 2, ca, E(c), &r), &r);
            pts_value_release(&l);
        }
        if (gall && (bias_i || bias_h)) {
            int64_t d0 = 0;
            PtsValue sa[3] = { pts_vtensor(gall), pts_none(), pts_vbool(false) };
            PtsTensor *r = NULL;
            if (!(s = pts_int_list_new(&d0, 1, E(c), &sa[1]))) {
                gb = keep(&a, s = call(PTS_AG_SUM_DIM, 3, sa, E(c), &r), &r);
                pts_value_release(&sa[1]);
            }
        }
    }
    if (!gall || !gx || ((bias_i || bias_h) && !gb)) {
        if (!E(c)->code) pts_fail(E(c), PTS_ERR_INTERNAL, "lstm backward failed");
        s = E(c)->code;
    } else {
        if (pts_ag_need(c, 0)) set(c, 0, pts_tensor_retain(gall));
        if (pts_ag_need(c, 1)) set(c, 1, pts_tensor_retain(gall));
        if (pts_ag_need(c, 2)) set(c, 2, pts_tensor_retain(gx));
        if (bias_i) set(c, 3, pts_tensor_retain(gb));
        if (bias_h) set(c, 4, pts_tensor_retain(gb));
    }
    for (int k = 0; k < a.n; k++) pts_tensor_release(a.t[k]);
    return s;
}

/* _thnn_fused_lstm_cell(input_gates, hidden_gates, cx, input_bias?, hidden_bias?) -> (hy, cy, ws) */
PtsStatus pts_bw_thnn_fused_lstm_cell(PtsGradCtx *c) {
    PtsTensor *cx = pts_ag_arg(c, 2), *cy = c->res[1], *ws = c->res[2];
    if (!cx) return pts_ag_missing(c, "cx");
    if (!cy || !ws) return pts_ag_missing(c, "result1/result2");
    bool bias_i = c->node->arg_edge[3] >= 0 && pts_ag_need(c, 3);
    bool bias_h = c->node->arg_edge[4] >= 0 && pts_ag_need(c, 4);
    if (pts_grad_enabled()) return differentiable_backward(c, cx, cy, bias_i, bias_h);
    PtsValue a[6] = { pts_vtensor(c->go[0]), pts_vtensor(c->go[1]), pts_vtensor(cx), pts_vtensor(cy),
                      pts_vtensor(ws), pts_vbool(bias_i || bias_h) };
    PtsValue r[PTS_MAX_RETS];
    for (int k = 0; k < PTS_MAX_RETS; k++) r[k] = pts_none();
    PTS_TRY(pts_op_call(PTS_OP__THNN_FUSED_LSTM_CELL_BACKWARD_IMPL, a, r, c->err));
    PtsTensor *gg = r[0].u.t, *gcx = r[1].u.t, *gb = r[2].u.t;
    if (pts_ag_need(c, 0)) pts_ag_set(c, 0, pts_tensor_retain(gg));
    if (pts_ag_need(c, 1)) pts_ag_set(c, 1, pts_tensor_retain(gg));
    if (pts_ag_need(c, 2)) pts_ag_set(c, 2, pts_tensor_retain(gcx));
    if (bias_i) pts_ag_set(c, 3, pts_tensor_retain(gb));
    if (bias_h) pts_ag_set(c, 4, pts_tensor_retain(gb));
    for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&r[k]);
    return PTS_OK;
}
