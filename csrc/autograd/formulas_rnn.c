/* formulas_rnn.c: backward of the fused LSTM pointwise step (_thnn_fused_lstm_cell, see
 * ops_rnn.def). The gate gradient comes from one pass of _thnn_fused_lstm_cell_backward_impl and
 * flows to both gate inputs; the biases get its column sums. That row has no derivative (as in
 * PyTorch, where double backward takes a separate differentiable path): create_graph through an
 * LSTM cell records a node that raises if differentiated again. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* _thnn_fused_lstm_cell(input_gates, hidden_gates, cx, input_bias?, hidden_bias?) -> (hy, cy, ws) */
PtsStatus pts_bw_thnn_fused_lstm_cell(PtsGradCtx *c) {
    PtsTensor *cx = pts_ag_arg(c, 2), *cy = c->res[1], *ws = c->res[2];
    if (!cx) return pts_ag_missing(c, "cx");
    if (!cy || !ws) return pts_ag_missing(c, "result1/result2");
    bool bias_i = c->node->arg_edge[3] >= 0 && pts_ag_need(c, 3);
    bool bias_h = c->node->arg_edge[4] >= 0 && pts_ag_need(c, 4);
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
