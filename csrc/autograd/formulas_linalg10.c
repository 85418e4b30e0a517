/* formulas_linalg10.c: the backward of linalg.eig (ops_linalg10.def), torch's
 * linalg_eig_backward for the general case:
 *   gA = V^{-H} (diag(gL) + (V^H gV - V^H V Re diag(V^H gV)) / conj(E)) V^H
 * with E_ij = L_j - L_i off the diagonal (1 on it), the eigenvectors being of unit norm; the loss
 * must not depend on their phases (Im diag(V^H gV) = 0); a real input gets the real part. Only
 * registry ops, so create_graph records it. */
#include <math.h>

#define PTS_FORMULA_FILE
#include "autograd.h"

#define T(x) pts_vtensor(x)

static PtsStatus op1(PtsOpId id, PtsTensor *a, PtsError *e, PtsTensor **o) { return pts_op_call_t(id, 1, (PtsValue[]){ T(a) }, e, o); }
static PtsStatus op2(PtsOpId id, PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(id, 2, (PtsValue[]){ T(a), T(b) }, e, o);
}
static PtsStatus unsq(PtsTensor *a, int d, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ T(a), pts_vint(d) }, e, o);
}
/* the conjugate transpose of a complex tensor */
static PtsStatus mH(PtsTensor *a, PtsError *e, PtsTensor **o) {
    PtsTensor *t;
    PTS_TRY(pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, (PtsValue[]){ T(a), pts_vint(-2), pts_vint(-1) }, e, &t));
    PtsStatus s = op1(PTS_OP_CONJ, t, e, o);
    pts_tensor_release(t);
    return s;
}

/* every element of t (complex) zero; NULL counts as zero */
static bool all_zero(PtsTensor *t) {
    if (!t) return true;
    PtsTensor *c = NULL;
    PtsError e = { 0 };
    if (pts_tensor_to(t, PTS_COMPLEX128, false, &e, &c)) return false;
    const double *d = (const double *)pts_tensor_data(c);
    bool z = true;
    for (int64_t i = 0, n = 2 * pts_numel(c); i < n && z; i++) z = d[i] == 0.0;
    pts_tensor_release(c);
    return z;
}

/* |t| <= 1e-2 everywhere (torch's allclose(t, 0, rtol=1e-2, atol=1e-2)) for a real t */
static bool near_zero(PtsTensor *t) {
    PtsTensor *c = NULL;
    PtsError e = { 0 };
    if (pts_tensor_to(t, PTS_FLOAT64, false, &e, &c)) return false;
    const double *d = (const double *)pts_tensor_data(c);
    bool ok = true;
    for (int64_t i = 0, n = pts_numel(c); i < n && ok; i++) ok = fabs(d[i]) <= 1e-2;
    pts_tensor_release(c);
    return ok;
}

PtsStatus pts_bw_linalg_eig(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *L = c->res[0], *V = c->res[1];
    if (!L || !V) return pts_ag_missing(c, "result");
    PtsTensor *gL = c->go[0], *gV = c->go[1];
    int64_t n = V->shape[V->ndim - 1];
    enum { Vh, I, gLr, dgL, VhgV, dg, dgi, dgr, dgr2, Vd, VhVd, P, Lc, Lr, Lcol, Ed, E1, Q, Qm, Qd, M, MV, X, NT };
    PtsTensor *t[NT] = { 0 }, *r = NULL;
    PtsStatus s = PTS_OK;
    if (mH(V, E(c), &t[Vh])) goto fail;
    if ((s = pts_tensor_zeros(V->dtype, 2, (int64_t[]){ n, n }, E(c), &t[I]))) goto done;
    for (int64_t i = 0; i < n; i++)
        pts_store_f64(V->dtype, pts_tensor_data(t[I]) + (size_t)(i * n + i) * pts_dtype_size(V->dtype), 1.0);
    /* diag(gL) */
    if (unsq(gL, -2, E(c), &t[gLr]) || op2(PTS_OP_MUL_TENSOR, t[I], t[gLr], E(c), &t[dgL])) goto fail;
    PtsTensor *mid = t[dgL];
    if (!all_zero(gV)) {
        if (op2(PTS_OP_MATMUL, t[Vh], gV, E(c), &t[VhgV]) ||
            pts_op_call_t(PTS_OP_DIAGONAL, 4, (PtsValue[]){ T(t[VhgV]), pts_vint(0), pts_vint(-2), pts_vint(-1) }, E(c), &t[dg]) ||
            op1(PTS_OP_IMAG, t[dg], E(c), &t[dgi]))
            goto fail;
        if (!near_zero(t[dgi])) {
            pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_eig_backward: The eigenvectors in the complex case are specified up "
                     "to multiplication by e^{i phi}. The specified loss function depends on this quantity, so it is "
                     "ill-defined.");
            goto fail;
        }
        /* P = V^H gV - V^H (V * Re diag(V^H gV)[..., None, :]) */
        if (op1(PTS_OP_REAL, t[dg], E(c), &t[dgr]) || unsq(t[dgr], -2, E(c), &t[dgr2]) ||
            op2(PTS_OP_MUL_TENSOR, V, t[dgr2], E(c), &t[Vd]) || op2(PTS_OP_MATMUL, t[Vh], t[Vd], E(c), &t[VhVd]) ||
            op2(PTS_OP_SUB_TENSOR, t[VhgV], t[VhVd], E(c), &t[P]))
            goto fail;
        /* conj(E) = conj(L)[..., None, :] - conj(L)[..., :, None] + I */
        if (op1(PTS_OP_CONJ, L, E(c), &t[Lc]) || unsq(t[Lc], -2, E(c), &t[Lr]) || unsq(t[Lc], -1, E(c), &t[Lcol]) ||
            op2(PTS_OP_SUB_TENSOR, t[Lr], t[Lcol], E(c), &t[Ed]) || op2(PTS_OP_ADD_TENSOR, t[Ed], t[I], E(c), &t[E1]) ||
            op2(PTS_OP_DIV_TENSOR, t[P], t[E1], E(c), &t[Q]))
            goto fail;
        mid = t[Q];
        if (!all_zero(gL)) {   /* torch writes gL over the diagonal */
            if (op2(PTS_OP_MUL_TENSOR, t[Q], t[I], E(c), &t[Qd]) || op2(PTS_OP_SUB_TENSOR, t[Q], t[Qd], E(c), &t[Qm]) ||
                op2(PTS_OP_ADD_TENSOR, t[Qm], t[dgL], E(c), &t[M]))
                goto fail;
            mid = t[M];
        }
    }
    /* gA = solve(V^H, mid V^H) */
    if (op2(PTS_OP_MATMUL, mid, t[Vh], E(c), &t[MV]) ||
        pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(t[Vh]), T(t[MV]), pts_vbool(true) }, E(c), &t[X]))
        goto fail;
    if (!pts_dtype_is_complex(IN(c, 0)->dtype)) {
        if (op1(PTS_OP_REAL, t[X], E(c), &r)) goto fail;
    } else {
        r = pts_tensor_retain(t[X]);
    }
    set(c, 0, r);
    s = PTS_OK;
    goto done;
fail:
    s = E(c)->code ? E(c)->code : PTS_ERR_INTERNAL;
done:
    for (int i = 0; i < NT; i++) pts_tensor_release(t[i]);
    return s;
}
