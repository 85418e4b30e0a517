/* formulas_reduce2.c: backward formulas of the primitive rows of ops_reduce2.def (the others
 * are composites and record their inner ops). Computed through registry calls (reduce2.h), so
 * create_graph records them. */
#include <float.h>

#define PTS_FORMULA_FILE
#include "autograd.h"
#include "ops/reduce2.h"

/* flip(logcumsumexp(flip(x, dim), dim), dim) */
static PtsStatus reverse_lcse(R2Scope *S, PtsTensor *x, PtsValue dims, PtsValue dim, PtsTensor **out) {
    PtsTensor *f = NULL, *l = NULL;
    PTS_TRY(R2(S, &f, FLIP, TV(x), dims));
    PTS_TRY(R2(S, &l, LOGCUMSUMEXP, TV(f), dim));
    return R2(S, out, FLIP, TV(l), dims);
}

/* ATen's logcumsumexp_backward: the positive and negative parts of the gradient go through
 * log space separately, so no exp overflows */
PtsStatus pts_bw_logcumsumexp(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsTensor *res = c->res[0], *g = G(c);
    if (!res) return pts_ag_missing(c, "result");
    if (g->ndim == 0 || pts_numel(g) == 0) {
        set(c, 0, pts_tensor_retain(g));
        return PTS_OK;
    }
    double lowest = g->dtype == PTS_FLOAT64 ? -DBL_MAX : g->dtype == PTS_FLOAT16 ? -65504.0 : -FLT_MAX;
    R2_SCOPE(S, E(c));
    int64_t d = pts_value_to_i64(c->args[1]);
    PtsValue dims;
    PtsTensor *ab = NULL, *lg = NULL, *gp = NULL, *gn = NULL, *pos = NULL, *neg = NULL, *r = NULL, *parts[2] = { NULL, NULL };
    PtsStatus s = r2_ilist(&S, &d, 1, &dims);
    if (!s && !(s = R2(&S, &ab, ABS, TV(g))) && !(s = R2(&S, &lg, LOG, TV(ab))) &&
        !(s = R2(&S, &gp, GT_SCALAR, TV(g), IV(0))) && !(s = R2(&S, &gn, LT_SCALAR, TV(g), IV(0))) &&
        !(s = R2(&S, &pos, WHERE_SCALAROTHER, TV(gp), TV(lg), DV(lowest))))
        s = R2(&S, &neg, WHERE_SCALAROTHER, TV(gn), TV(lg), DV(lowest));
    for (int k = 0; k < 2 && !s; k++) {
        PtsTensor *dl = NULL, *rl = NULL, *sx = NULL;
        if (!(s = R2(&S, &dl, SUB_TENSOR, TV(k ? neg : pos), TV(res), IV(1))) &&
            !(s = reverse_lcse(&S, dl, dims, c->args[1], &rl)) && !(s = R2(&S, &sx, ADD_TENSOR, TV(rl), TV(self), IV(1))))
            s = R2(&S, &parts[k], EXP, TV(sx));
    }
    if (!s) s = R2(&S, &r, SUB_TENSOR, TV(parts[0]), TV(parts[1]), IV(1));
    if (!s) set(c, 0, pts_tensor_retain(r));
    r2_end(&S);
    return s;
}
