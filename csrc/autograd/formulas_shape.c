/* formulas_shape.c: backward formulas of the shape and view rows (see derivatives.def). Each reads the
 * output gradients and the kept values from its context and stores the gradients of the inputs
 * that need one, computing through registry ops only. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= shape ================= */

/* any op that keeps the elements in order (view, reshape, unsqueeze, squeeze, flatten) */
PtsStatus pts_bw_reshape(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call_shape(PTS_AG_RESHAPE, G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_expand(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_sum_to(G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_transpose(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[3] = { pts_vtensor(G(c)), c->args[1], c->args[2] };
    PTS_TRY(call(PTS_AG_TRANSPOSE, 3, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

