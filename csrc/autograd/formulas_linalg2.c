/* formulas_linalg2.c: backward formulas of the LAPACK-backed rows (ops_linalg2.def): det,
 * slogdet, inv, solve, cholesky, eigh, svd, qr, cross, vector_norm. Each follows torch's
 * FunctionsManual.cpp (eigh, svd and qr also for complex inputs, with conjugate transposes and
 * torch's phase-invariance checks) and computes through registry ops only (so create_graph
 * records the backward pass itself). */
#include <math.h>

#define PTS_FORMULA_FILE
#include "autograd.h"


#define T(x) pts_vtensor(x)
static PtsStatus mul(PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_MUL_TENSOR, 2, (PtsValue[]){ T(a), T(b) }, e, o); }
static PtsStatus divt(PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_DIV_TENSOR, 2, (PtsValue[]){ T(a), T(b) }, e, o); }
static PtsStatus add(PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_ADD_TENSOR, 2, (PtsValue[]){ T(a), T(b) }, e, o); }
static PtsStatus sub(PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_SUB_TENSOR, 2, (PtsValue[]){ T(a), T(b) }, e, o); }
static PtsStatus neg(PtsTensor *a, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_NEG, 1, (PtsValue[]){ T(a) }, e, o); }
static PtsStatus mm(PtsTensor *a, PtsTensor *b, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_MATMUL, 2, (PtsValue[]){ T(a), T(b) }, e, o); }
static PtsStatus mT(PtsTensor *a, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, (PtsValue[]){ T(a), pts_vint(-2), pts_vint(-1) }, e, o);
}
static bool iscx(const PtsTensor *t) { return t && pts_dtype_is_complex(t->dtype); }
/* the conjugate transpose (the transpose of a real tensor) */
static PtsStatus mH(PtsTensor *a, PtsError *e, PtsTensor **o) {
    if (!iscx(a)) return mT(a, e, o);
    PtsTensor *t;
    PTS_TRY(mT(a, e, &t));
    PtsStatus s = pts_op_call_t(PTS_OP_CONJ, 1, (PtsValue[]){ T(t) }, e, o);
    pts_tensor_release(t);
    return s;
}
static PtsStatus diag_of(PtsTensor *a, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(PTS_OP_DIAGONAL, 4, (PtsValue[]){ T(a), pts_vint(0), pts_vint(-2), pts_vint(-1) }, e, o);
}
static PtsStatus diag_embed(PtsTensor *a, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(PTS_OP_DIAG_EMBED, 4, (PtsValue[]){ T(a), pts_vint(0), pts_vint(-2), pts_vint(-1) }, e, o);
}
static PtsStatus part(PtsTensor *a, bool imag, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(imag ? PTS_OP_IMAG : PTS_OP_REAL, 1, (PtsValue[]){ T(a) }, e, o);
}
static PtsStatus unsq(PtsTensor *a, int d, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_UNSQUEEZE, 2, (PtsValue[]){ T(a), pts_vint(d) }, e, o); }
static PtsStatus inv(PtsTensor *a, PtsError *e, PtsTensor **o) { return pts_op_call_t(PTS_OP_LINALG_INV, 1, (PtsValue[]){ T(a) }, e, o); }
/* t[..., None, None] */
static PtsStatus unsq2(PtsTensor *a, PtsError *e, PtsTensor **o) {
    PtsTensor *u;
    PTS_TRY(unsq(a, -1, e, &u));
    PtsStatus s = unsq(u, -1, e, o);
    pts_tensor_release(u);
    return s;
}

/* release a NULL-terminated run of temporaries */
static void rel(PtsTensor **ts, int n) {
    for (int i = 0; i < n; i++) pts_tensor_release(ts[i]);
}

/* Is t all zeros? The engine passes zeros for outputs that got no gradient; torch's formulas
 * take their shortcuts for undefined gradients there (svdvals, eigvalsh). */
static bool all_zero(PtsTensor *t) {
    if (!t) return true;
    PtsTensor *c = NULL;
    PtsError e = { 0 };
    bool cx = iscx(t);
    if (pts_tensor_to(t, cx ? PTS_COMPLEX128 : PTS_FLOAT64, false, &e, &c)) return false;
    const double *d = (const double *)pts_tensor_data(c);
    int64_t n = pts_numel(c) * (cx ? 2 : 1);
    bool z = true;
    for (int64_t i = 0; i < n && z; i++) z = d[i] == 0.0;
    pts_tensor_release(c);
    return z;
}

/* allclose(a, b, rtol=1e-2, atol=1e-2) of two real tensors of one shape (b NULL: zeros), torch's
 * tolerance in its phase-invariance checks */
static bool lax_close(PtsTensor *a, PtsTensor *b) {
    PtsTensor *ca = NULL, *cb = NULL;
    PtsError e = { 0 };
    bool ok = true;
    if (pts_tensor_to(a, PTS_FLOAT64, false, &e, &ca) || (b && pts_tensor_to(b, PTS_FLOAT64, false, &e, &cb))) {
        ok = false;
    } else {
        const double *x = (const double *)pts_tensor_data(ca), *y = cb ? (const double *)pts_tensor_data(cb) : NULL;
        for (int64_t i = 0, n = pts_numel(ca); i < n && ok; i++) {
            double yv = y ? y[i] : 0.0;
            ok = fabs(x[i] - yv) <= 1e-2 + 1e-2 * fabs(yv);
        }
    }
    pts_tensor_release(ca);
    pts_tensor_release(cb);
    return ok;
}

/* a constant identity of t's trailing square size, t's dtype */
static PtsStatus eye_of(PtsTensor *t, int64_t n, PtsError *err, PtsTensor **out) {
    PTS_TRY(pts_tensor_zeros(t->dtype, 2, (int64_t[]){ n, n }, err, out));
    for (int64_t i = 0; i < n; i++) pts_store_f64(t->dtype, pts_tensor_data(*out) + (size_t)(i * n + i) * pts_dtype_size(t->dtype), 1.0);
    return PTS_OK;
}

/* ---- det: gA = (g conj(det)) A^{-H} ---- */
PtsStatus pts_bw_linalg_det(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, A);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *t[5] = { 0 }, *r = NULL;
    PtsStatus s;
    if (!(s = iscx(c->res[0]) ? pts_op_call_t(PTS_OP_CONJ, 1, (PtsValue[]){ T(c->res[0]) }, E(c), &t[4])
                              : (t[4] = pts_tensor_retain(c->res[0]), PTS_OK)) &&
        !(s = mul(G(c), t[4], E(c), &t[0])) && !(s = unsq2(t[0], E(c), &t[1])) && !(s = inv(A, E(c), &t[2])) &&
        !(s = mH(t[2], E(c), &t[3])))
        s = mul(t[1], t[3], E(c), &r);
    rel(t, 5);
    if (!s) set(c, 0, r);
    return s;
}

/* ---- slogdet: only logabsdet carries a gradient for real input: g A^{-T} ---- */
PtsStatus pts_bw_linalg_slogdet(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, A);
    PtsTensor *t[4] = { 0 }, *r = NULL;
    PtsStatus s;
    if (!(s = unsq2(c->go[1], E(c), &t[0])) && !(s = inv(A, E(c), &t[1])) && !(s = mT(t[1], E(c), &t[2])))
        s = mul(t[0], t[2], E(c), &r);
    rel(t, 4);
    if (!s) set(c, 0, r);
    return s;
}

/* ---- inv: gA = -A^{-H} g A^{-H} ---- */
PtsStatus pts_bw_linalg_inv_ex(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *t[3] = { 0 }, *r = NULL;
    PtsStatus s;
    if (!(s = mH(c->res[0], E(c), &t[0])) && !(s = mm(t[0], G(c), E(c), &t[1])) && !(s = mm(t[1], t[0], E(c), &t[2])))
        s = neg(t[2], E(c), &r);
    rel(t, 3);
    if (!s) set(c, 0, r);
    return s;
}

/* ---- solve: gB = solve(A^H, g), gA = -gB X^H (left); X A = B: gB = solve(A^H, g, left=False),
 * gA = -X^H gB. Vector right-hand sides as torch's linalg_solve_is_vector_rhs. ---- */
PtsStatus pts_bw_linalg_solve_ex(PtsGradCtx *c) {
    bool nA = need(c, 0), nB = need(c, 1);
    if (!nA && !nB) return PTS_OK;
    ARG(c, 0, A);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *X = c->res[0];
    bool left = c->args[2].u.b;
    const PtsTensorMeta *bm = IN(c, 1);
    bool vec = bm->ndim == 1 || (bm->ndim == A->ndim - 1 && memcmp(bm->shape, A->shape, sizeof(int64_t) * (size_t)bm->ndim) == 0);
    PtsTensor *t[6] = { 0 }, *gB = NULL, *gA = NULL, *r = NULL;
    PtsStatus s;
    if ((s = mH(A, E(c), &t[0])) ||
        (s = pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(t[0]), T(G(c)), pts_vbool(left) }, E(c), &gB)))
        goto done;
    if (nA) {
        if (vec) {   /* -gB[..., :, None] * conj(X)[..., None, :] */
            if (!(s = iscx(X) ? pts_op_call_t(PTS_OP_CONJ, 1, (PtsValue[]){ T(X) }, E(c), &t[5])
                              : (t[5] = pts_tensor_retain(X), PTS_OK)) &&
                !(s = unsq(gB, -1, E(c), &t[1])) && !(s = unsq(t[5], -2, E(c), &t[2])) && !(s = mul(t[1], t[2], E(c), &t[3])))
                s = neg(t[3], E(c), &t[4]);
        } else if (left) {
            if (!(s = mH(X, E(c), &t[1])) && !(s = mm(gB, t[1], E(c), &t[3]))) s = neg(t[3], E(c), &t[4]);
        } else {
            if (!(s = mH(X, E(c), &t[1])) && !(s = mm(t[1], gB, E(c), &t[3]))) s = neg(t[3], E(c), &t[4]);
        }
        if (s || (s = pts_ag_sum_to(t[4], IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &gA))) goto done;
        set(c, 0, gA);
    }
    if (nB) {
        if ((s = pts_ag_sum_to(gB, bm->ndim, bm->shape, E(c), &r))) goto done;
        set(c, 1, r);
    }
done:
    rel(t, 6);
    pts_tensor_release(gB);
    return s;
}

/* ---- cholesky: torch's cholesky_backward:
 * gA = L^{-H} Phi(L^H gL) L^{-1}, Phi(X) = (tril(X) + tril(X, -1)^H) / 2, symmetrised ---- */
static PtsStatus chol_bw(PtsGradCtx *c, bool upper) {
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *t[12] = { 0 }, *L = NULL, *gL = NULL, *r = NULL;
    PtsStatus s;
    if (upper) {
        if ((s = mH(c->res[0], E(c), &L)) || (s = mH(G(c), E(c), &gL))) goto done;
    } else {
        L = pts_tensor_retain(c->res[0]);
        gL = pts_tensor_retain(G(c));
    }
    /* gA = tril(L^H gL); gA = 0.5 (gA + tril(gA, -1)^H) */
    if ((s = mH(L, E(c), &t[0])) || (s = mm(t[0], gL, E(c), &t[1])) ||
        (s = pts_op_call_t(PTS_OP_TRIL, 2, (PtsValue[]){ T(t[1]), pts_vint(0) }, E(c), &t[2])) ||
        (s = pts_op_call_t(PTS_OP_TRIL, 2, (PtsValue[]){ T(t[2]), pts_vint(-1) }, E(c), &t[3])) || (s = mH(t[3], E(c), &t[4])) ||
        (s = add(t[2], t[4], E(c), &t[5])) ||
        (s = pts_op_call_t(PTS_OP_MUL_SCALAR, 2, (PtsValue[]){ T(t[5]), pts_vdouble(0.5) }, E(c), &t[6])))
        goto done;
    /* gA = L^{-H} gA, then gA L^{-1} (solves with the triangular factor) */
    if ((s = pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(t[0]), T(t[6]), pts_vbool(true) }, E(c), &t[7])) ||
        (s = pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(L), T(t[7]), pts_vbool(false) }, E(c), &r)))
        goto done;
    set(c, 0, r);
done:
    rel(t, 12);
    pts_tensor_release(L);
    pts_tensor_release(gL);
    return s;
}

PtsStatus pts_bw_linalg_cholesky_ex(PtsGradCtx *c) { return chol_bw(c, c->args[1].u.b); }
PtsStatus pts_bw_cholesky(PtsGradCtx *c) { return chol_bw(c, c->args[1].u.b); }

/* ---- eigh (torch's linalg_eig_backward, hermitian case):
 * gA = V (diag(gL) + skew(V^H gV) / E) V^H, skew(X) = (X - X^H) / 2, E_ij = L_j - L_i off the
 * diagonal; a complex gV must not depend on the phases of the eigenvectors (Im diag(V^H gV) = 0) ---- */
PtsStatus pts_bw_linalg_eigh(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *L = c->res[0], *V = c->res[1];
    if (!L || !V) return pts_ag_missing(c, "result");
    PtsTensor *gL = c->go[0], *gV = c->go[1];
    if (V->ndim < 2 && !all_zero(gV))
        return pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_eigh_backward: torch.linalg.eigh: Setting compute_v=False makes "
                        "the eigenvectors unavailable for the backward");
    if (V->ndim < 2) return pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_eigh_backward: the eigenvectors were not computed");
    int64_t n = V->shape[V->ndim - 1];
    PtsTensor *t[20] = { 0 }, *r = NULL, *I = NULL;
    PtsStatus s;
    if ((s = mH(V, E(c), &t[0])) || (s = eye_of(V, n, E(c), &I))) goto done;
    /* M = I * gL[..., None, :]  (diag(gL)) */
    if ((s = unsq(gL, -2, E(c), &t[1])) || (s = mul(I, t[1], E(c), &t[2]))) goto done;
    PtsTensor *M = t[2];
    if (!all_zero(gV)) {
        if ((s = mm(t[0], gV, E(c), &t[3]))) goto done;
        if (iscx(t[3])) {
            if ((s = diag_of(t[3], E(c), &t[14])) || (s = part(t[14], true, E(c), &t[15]))) goto done;
            if (!lax_close(t[15], NULL)) {
                s = pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_eigh_backward: The eigenvectors in the complex case are "
                             "specified up to multiplication by e^{i phi}. The specified loss function depends on this "
                             "quantity, so it is ill-defined.");
                goto done;
            }
        }
        /* S = 0.5 (V^H gV - (V^H gV)^H); E = L[..., None, :] - L[..., :, None] + I */
        if ((s = mH(t[3], E(c), &t[4])) || (s = sub(t[3], t[4], E(c), &t[5])) ||
            (s = pts_op_call_t(PTS_OP_MUL_SCALAR, 2, (PtsValue[]){ T(t[5]), pts_vdouble(0.5) }, E(c), &t[6])) ||
            (s = unsq(L, -2, E(c), &t[7])) || (s = unsq(L, -1, E(c), &t[8])) || (s = sub(t[7], t[8], E(c), &t[9])) ||
            (s = add(t[9], I, E(c), &t[10])) || (s = divt(t[6], t[10], E(c), &t[11])))
            goto done;
        M = t[11];
        if (!all_zero(gL)) {   /* torch writes gL over the diagonal */
            if ((s = mul(t[11], I, E(c), &t[16])) || (s = sub(t[11], t[16], E(c), &t[17])) ||
                (s = add(t[17], t[2], E(c), &t[12])))
                goto done;
            M = t[12];
        }
    }
    if ((s = mm(V, M, E(c), &t[13]))) goto done;
    if ((s = mm(t[13], t[0], E(c), &r))) goto done;
    set(c, 0, r);
done:
    rel(t, 20);
    pts_tensor_release(I);
    return s;
}

/* ---- svd (torch's svd_backward; full_matrices narrows to the first k columns). Complex: the loss
 * must not depend on the phases of the singular vectors (Im diag(U^H gU) = -Im diag(V^H gV)), and
 * the diagonal gets diag(skew(U^H gU)) / (2S) when both gU and gVh are given ---- */
static PtsStatus narrow(PtsTensor *t, int dim, int64_t k, PtsError *e, PtsTensor **o) {
    return pts_op_call_t(PTS_OP_SLICE_TENSOR, 5, (PtsValue[]){ T(t), pts_vint(dim), pts_vint(0), pts_vint(k), pts_vint(1) }, e, o);
}

PtsStatus pts_bw_linalg_svd(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *U0 = c->res[0], *S = c->res[1], *Vh0 = c->res[2];
    if (!U0 || !S || !Vh0) return pts_ag_missing(c, "result");
    bool full = c->args[1].u.b;
    bool hasU = !all_zero(c->go[0]), hasV = !all_zero(c->go[2]);
    PtsTensor *gS = c->go[1];
    if ((hasU || hasV) && U0->ndim < 2)
        return pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_svd_backward: Setting compute_uv=False in torch.linalg.svd and "
                        "using the U or Vh outputs in the backward is not supported");
    if (U0->ndim < 2) return pts_fail(E(c), PTS_ERR_RUNTIME, "linalg_svd_backward: U and Vh were not computed");
    int64_t m = U0->shape[U0->ndim - 2], n = Vh0->shape[Vh0->ndim - 1], k = S->shape[S->ndim - 1];
    /* temporaries by name; all released at the end */
    enum { Ut, V, S2, Er, Ec, Ed, E1, Sr, Sc, gs, dg, a0, a1, a2, a3, b0, b1, b2, b3, b4, acc, in0, in1, x0, x1,
           x2, x3, x4, x5, c0, c1, c2, c3, c4, c5, c6, c7, NT };
    PtsTensor *t[NT] = { 0 }, *U = NULL, *Vh = NULL, *gU = NULL, *gVh = NULL, *I = NULL, *r = NULL;
    PtsStatus s;
    if (full) {
        if ((s = narrow(U0, -1, k, E(c), &U)) || (s = narrow(Vh0, -2, k, E(c), &Vh)) ||
            (s = narrow(c->go[0], -1, k, E(c), &gU)) || (s = narrow(c->go[2], -2, k, E(c), &gVh)))
            goto done;
    } else {
        U = pts_tensor_retain(U0);
        Vh = pts_tensor_retain(Vh0);
        gU = pts_tensor_retain(c->go[0]);
        gVh = pts_tensor_retain(c->go[2]);
    }
    if (!hasU && !hasV) {   /* svdvals: U diag(gS) Vh */
        if (m >= n) s = unsq(gS, -1, E(c), &t[x0]) || mul(t[x0], Vh, E(c), &t[x1]) || mm(U, t[x1], E(c), &r);
        else s = unsq(gS, -2, E(c), &t[x0]) || mul(U, t[x0], E(c), &t[x1]) || mm(t[x1], Vh, E(c), &r);
        if (s) s = E(c)->code;
        else set(c, 0, r);
        goto done;
    }
    /* E = S^2[None, :] - S^2[:, None] with ones on the diagonal */
    if (mH(U, E(c), &t[Ut]) || mH(Vh, E(c), &t[V]) || mul(S, S, E(c), &t[S2]) || eye_of(S, k, E(c), &I) ||
        unsq(t[S2], -2, E(c), &t[Er]) || unsq(t[S2], -1, E(c), &t[Ec]) || sub(t[Er], t[Ec], E(c), &t[Ed]) ||
        add(t[Ed], I, E(c), &t[E1]) || unsq(S, -2, E(c), &t[Sr]) || unsq(S, -1, E(c), &t[Sc]))
        goto fail;
    PtsTensor *sum = NULL;
    if (hasU) {   /* skew(U^T gU) * S[None, :] */
        if (mm(t[Ut], gU, E(c), &t[a0]) || mH(t[a0], E(c), &t[a1]) || sub(t[a0], t[a1], E(c), &t[a2]) ||
            mul(t[a2], t[Sr], E(c), &t[a3]))
            goto fail;
        sum = t[a3];
    }
    if (hasV) {   /* S[:, None] * skew(Vh gVh^T) */
        if (mH(gVh, E(c), &t[b0]) || mm(Vh, t[b0], E(c), &t[b1]) || mH(t[b1], E(c), &t[b2]) ||
            sub(t[b1], t[b2], E(c), &t[b3]) || mul(t[Sc], t[b3], E(c), &t[b4]))
            goto fail;
        if (sum) {
            if (add(sum, t[b4], E(c), &t[acc])) goto fail;
            sum = t[acc];
        } else {
            sum = t[b4];
        }
    }
    if (iscx(U)) {   /* Im diag(skew(U^H gU)) against -Im diag(skew(V^H gV)) */
        if ((hasU && (diag_of(t[a2], E(c), &t[c0]) || part(t[c0], true, E(c), &t[c1]))) ||
            (hasV && (diag_of(t[b3], E(c), &t[c2]) || part(t[c2], true, E(c), &t[c3]) || neg(t[c3], E(c), &t[c4]))))
            goto fail;
        bool ok = hasU && hasV ? lax_close(t[c1], t[c4]) : hasU ? lax_close(t[c1], NULL) : lax_close(t[c4], NULL);
        if (!ok) {
            pts_fail(E(c), PTS_ERR_RUNTIME, "svd_backward: The singular vectors in the complex case are specified up to "
                     "multiplication by e^{i phi}. The specified loss function depends on this phase term, making it "
                     "ill-defined.");
            goto fail;
        }
    }
    /* inner = sum / E + diag(gS) (+ diag(skew(U^H gU)) / (2S), complex) */
    if (divt(sum, t[E1], E(c), &t[in0]) || unsq(gS, -2, E(c), &t[gs]) || mul(I, t[gs], E(c), &t[dg]) ||
        add(t[in0], t[dg], E(c), &t[in1]))
        goto fail;
    if (iscx(U) && hasU && hasV) {
        if (pts_op_call_t(PTS_OP_MUL_SCALAR, 2, (PtsValue[]){ T(S), pts_vdouble(2.0) }, E(c), &t[c5]) ||
            divt(t[c0], t[c5], E(c), &t[c6]) || diag_embed(t[c6], E(c), &t[c7]))
            goto fail;
        PtsTensor *sum2 = NULL;
        if (add(t[in1], t[c7], E(c), &sum2)) goto fail;
        pts_tensor_release(t[in1]);
        t[in1] = sum2;
    }
    if (m > n && hasU) {
        /* gA = [U inner + (gU - U U^T gU) / S] Vh */
        if (mm(U, t[in1], E(c), &t[x0]) || divt(gU, t[Sr], E(c), &t[x1]) || mm(t[Ut], t[x1], E(c), &t[x2]) ||
            mm(U, t[x2], E(c), &t[x3]) || sub(t[x1], t[x3], E(c), &t[x4]) || add(t[x0], t[x4], E(c), &t[x5]) ||
            mm(t[x5], Vh, E(c), &r))
            goto fail;
    } else if (m < n && hasV) {
        /* gA = U [inner Vh + (gVh - gVh V Vh) / S[:, None]] */
        if (mm(t[in1], Vh, E(c), &t[x0]) || divt(gVh, t[Sc], E(c), &t[x1]) || mm(t[x1], t[V], E(c), &t[x2]) ||
            mm(t[x2], Vh, E(c), &t[x3]) || sub(t[x1], t[x3], E(c), &t[x4]) || add(t[x0], t[x4], E(c), &t[x5]) ||
            mm(U, t[x5], E(c), &r))
            goto fail;
    } else if (mm(U, t[in1], E(c), &t[x0]) || mm(t[x0], Vh, E(c), &r)) {
        goto fail;
    }
    set(c, 0, r);
    s = PTS_OK;
    goto done;
fail:
    s = E(c)->code ? E(c)->code : PTS_ERR_INTERNAL;
    pts_tensor_release(r);
done:
    rel(t, NT);
    pts_tensor_release(U);
    pts_tensor_release(Vh);
    pts_tensor_release(gU);
    pts_tensor_release(gVh);
    pts_tensor_release(I);
    return s;
}

/* ---- qr (torch's linalg_qr_backward). X = gR R^H - Q^H gQ.
 * m >= n: gA = (Q (triu(X, 1) + triu(X, 1)^H + Re diag(X)) + gQ) R^{-H}
 * m <  n: gA = [Q (tril(D, -1) + diag(D) / 2) R[:, :m]^{-H}, 0] + Q gR with D = X^H - X ---- */
PtsStatus pts_bw_linalg_qr(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *Q = c->res[0], *R = c->res[1];
    if (!Q || !R) return pts_ag_missing(c, "result");
    const char *mode = pts_as_str(c->args[1])->data;
    PTS_CHECK(strcmp(mode, "r") != 0, E(c), RUNTIME,
              "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
              "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    int64_t m = Q->shape[Q->ndim - 2], n = R->shape[R->ndim - 1];
    PTS_CHECK(strcmp(mode, "reduced") == 0 || m <= n, E(c), RUNTIME,
              "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    PtsTensor *gQ = c->go[0], *gR = c->go[1];
    enum { Qt, Rt, a0, a1, X, s0, s1, s2, s3, s4, s5, s6, s7, s8, d0, d1, d2, d3, NT };
    PtsTensor *t[NT] = { 0 }, *r = NULL;
    PtsStatus s = PTS_OK;
    if (mH(Q, E(c), &t[Qt]) || mH(R, E(c), &t[Rt]) || mm(gR, t[Rt], E(c), &t[a0]) || mm(t[Qt], gQ, E(c), &t[a1]) ||
        sub(t[a0], t[a1], E(c), &t[X]))
        goto fail;
    if (m >= n) {
        if (pts_op_call_t(PTS_OP_TRIU, 2, (PtsValue[]){ T(t[X]), pts_vint(1) }, E(c), &t[s0]) || mH(t[s0], E(c), &t[s1]) ||
            add(t[s0], t[s1], E(c), &t[s2]) || diag_of(t[X], E(c), &t[d0]))
            goto fail;
        PtsTensor *dr = t[d0];
        if (iscx(t[X])) {
            if (part(t[d0], false, E(c), &t[d1])) goto fail;
            dr = t[d1];
        }
        if (diag_embed(dr, E(c), &t[d2]) || add(t[s2], t[d2], E(c), &t[s3]) || mm(Q, t[s3], E(c), &t[s4]) ||
            add(t[s4], gQ, E(c), &t[s5]) ||
            pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(t[Rt]), T(t[s5]), pts_vbool(false) }, E(c), &r))
            goto fail;
    } else {
        PtsValue pad;
        if (mH(t[X], E(c), &t[s0]) || sub(t[s0], t[X], E(c), &t[s1]) ||
            pts_op_call_t(PTS_OP_TRIL, 2, (PtsValue[]){ T(t[s1]), pts_vint(-1) }, E(c), &t[d0]) ||
            diag_of(t[s1], E(c), &t[d1]) ||
            pts_op_call_t(PTS_OP_MUL_SCALAR, 2, (PtsValue[]){ T(t[d1]), pts_vdouble(0.5) }, E(c), &t[d2]) ||
            diag_embed(t[d2], E(c), &t[d3]) || add(t[d0], t[d3], E(c), &t[s2]) || mm(Q, t[s2], E(c), &t[s3]) ||
            pts_op_call_t(PTS_OP_SLICE_TENSOR, 5, (PtsValue[]){ T(t[Rt]), pts_vint(-2), pts_vint(0), pts_vint(m), pts_vint(1) }, E(c), &t[s4]) ||
            pts_op_call_t(PTS_OP_LINALG_SOLVE, 3, (PtsValue[]){ T(t[s4]), T(t[s3]), pts_vbool(false) }, E(c), &t[s5]))
            goto fail;
        if ((s = pts_int_list_new((int64_t[]){ 0, n - m }, 2, E(c), &pad))) goto done;
        s = pts_op_call_t(PTS_OP_CONSTANT_PAD_ND, 3, (PtsValue[]){ T(t[s5]), pad, pts_vint(0) }, E(c), &t[s6]);
        pts_value_release(&pad);
        if (s || mm(Q, gR, E(c), &t[s7]) || add(t[s6], t[s7], E(c), &r)) goto fail;
    }
    set(c, 0, r);
    s = PTS_OK;
    goto done;
fail:
    s = E(c)->code ? E(c)->code : PTS_ERR_INTERNAL;
    pts_tensor_release(r);
done:
    rel(t, NT);
    return s;
}
