/* formulas_linalg.c: backward formulas of the reduction and linear algebra rows (see derivatives.def). Each reads the
 * output gradients and the kept values from its context and stores the gradients of the inputs
 * that need one, computing through registry ops only. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= reductions ================= */

/* grad of a reduction over `dims` (NONE or empty: all) back to the input's shape. */
static PtsStatus reduce_bw(PtsGradCtx *c, PtsTensor *g, PtsValue dims, bool keepdim, PtsTensor **out) {
    const PtsTensorMeta *m = IN(c, 0);
    int64_t kshape[PTS_MAX_DIMS];
    memcpy(kshape, m->shape, sizeof(int64_t) * (size_t)m->ndim);
    bool all = dims.tag != PTS_V_LIST || pts_as_list(dims)->len == 0;
    if (all) {
        for (int i = 0; i < m->ndim; i++) kshape[i] = 1;
    } else {
        PtsList *l = pts_as_list(dims);
        for (int64_t j = 0; j < l->len; j++) {
            int d;
            PTS_TRY(pts_wrap_dim(pts_value_to_i64(l->items[j]), m->ndim, E(c), &d));
            if (m->ndim) kshape[d] = 1;
        }
    }
    PtsTensor *k = NULL;
    if (!keepdim && g->ndim != m->ndim) PTS_TRY(call_shape(PTS_AG_RESHAPE, g, m->ndim, kshape, E(c), &k));
    else k = pts_tensor_retain(g);
    PtsStatus s = call_shape(PTS_AG_EXPAND, k, m->ndim, m->shape, E(c), out);
    pts_tensor_release(k);
    return s;
}

static int64_t reduced_count(const PtsTensorMeta *m, PtsValue dims) {
    if (dims.tag != PTS_V_LIST || pts_as_list(dims)->len == 0) return pts_shape_numel(m->ndim, m->shape);
    PtsList *l = pts_as_list(dims);
    int64_t n = 1;
    for (int64_t j = 0; j < l->len; j++) {
        int64_t d = pts_value_to_i64(l->items[j]);
        if (d < 0) d += m->ndim;
        if (d >= 0 && d < m->ndim) n *= m->shape[d];
    }
    return n;
}

PtsStatus pts_bw_sum(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(reduce_bw(c, G(c), pts_none(), true, &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_sum_dim(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(reduce_bw(c, G(c), c->args[1], c->args[2].tag == PTS_V_BOOL && c->args[2].u.b, &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus mean_common(PtsGradCtx *c, PtsValue dims, bool keepdim) {
    PtsTensor *q, *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call_scalar(PTS_AG_DIV, G(c), pts_vint(reduced_count(IN(c, 0), dims)), false, E(c), &q));
    PtsStatus s = reduce_bw(c, q, dims, keepdim, &r);
    pts_tensor_release(q);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_mean(PtsGradCtx *c) { return mean_common(c, pts_none(), true); }
PtsStatus pts_bw_mean_dim(PtsGradCtx *c) {
    return mean_common(c, c->args[1], c->args[2].tag == PTS_V_BOOL && c->args[2].u.b);
}

/* ================= linear algebra ================= */

PtsStatus pts_bw_t(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call1(PTS_AG_T, G(c), E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* grad_a = g @ b^T, grad_b = a^T @ g (times alpha), for mm and addmm */
static PtsStatus mm_grads(PtsGradCtx *c, int ia, int ib, PtsValue alpha) {
    PtsTensor *tt = NULL, *p = NULL, *r;
    PtsStatus s = PTS_OK;
    if (need(c, ia)) {
        ARG(c, ib, b);
        if (!(s = call1(PTS_AG_T, b, E(c), &tt)) && !(s = call2(PTS_AG_MM, G(c), tt, E(c), &p)) &&
            !(s = scale(p, alpha, E(c), &r)))
            set(c, ia, r);
        pts_tensor_release(tt);
        pts_tensor_release(p);
        tt = p = NULL;
        PTS_TRY(s);
    }
    if (need(c, ib)) {
        ARG(c, ia, a);
        if (!(s = call1(PTS_AG_T, a, E(c), &tt)) && !(s = call2(PTS_AG_MM, tt, G(c), E(c), &p)) &&
            !(s = scale(p, alpha, E(c), &r)))
            set(c, ib, r);
        pts_tensor_release(tt);
        pts_tensor_release(p);
    }
    return s;
}

PtsStatus pts_bw_mm(PtsGradCtx *c) { return mm_grads(c, 0, 1, pts_vint(1)); }

PtsStatus pts_bw_addmm(PtsGradCtx *c) {   /* beta * self + alpha * mat1 @ mat2 */
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(scale(G(c), c->args[3], E(c), &r)); set(c, 0, r); }
    return mm_grads(c, 1, 2, c->args[4]);
}

const char *pts_bwname_matmul(const PtsValue *args) {
    int da = args[0].u.t->ndim, db = args[1].u.t->ndim;
    if (da == 1 && db == 1) return "DotBackward0";
    if (da == 2 && db == 2) return "MmBackward0";
    if (da == 2 && db == 1) return "MvBackward0";
    if (da == 1 && db == 2) return "SqueezeBackward4";
    /* PyTorch transposes a batched product and copies when the matrix side needs a gradient */
    if (da == 2 && db >= 3 && pts_requires_grad(args[0].u.t)) return "CloneBackward0";
    return "UnsafeViewBackward0";
}

/* 1-d operands are matrices with a unit dim for the product, as matmul defines them; the
 * engine sums broadcast batch dims away, except for a 1-d operand whose unit dim must go first. */
PtsStatus pts_bw_matmul(PtsGradCtx *c) {
    const int da = IN(c, 0)->ndim, db = IN(c, 1)->ndim;
    PtsStatus s = PTS_OK;
    PtsTensor *g2 = NULL, *x2 = NULL, *xt = NULL, *p = NULL, *q = NULL, *r;
    if (da == 1 && db == 1) {   /* dot: g is 0-d */
        if (need(c, 0)) { ARG(c, 1, other); PTS_TRY(call2(PTS_AG_MUL, G(c), other, E(c), &r)); set(c, 0, r); }
        if (need(c, 1)) { ARG(c, 0, self); PTS_TRY(call2(PTS_AG_MUL, G(c), self, E(c), &r)); set(c, 1, r); }
        return PTS_OK;
    }
    /* g with the unit dims matmul dropped put back */
    int64_t gs[PTS_MAX_DIMS + 2];
    int gn = G(c)->ndim;
    memcpy(gs, G(c)->shape, sizeof(int64_t) * (size_t)gn);
    if (da == 1) { gs[gn] = gs[gn - 1]; gs[gn - 1] = 1; gn++; }
    if (db == 1) gs[gn++] = 1;
    PTS_TRY(call_shape(PTS_AG_RESHAPE, G(c), gn, gs, E(c), &g2));
    if (need(c, 0)) {   /* g2 @ b2^T */
        PtsTensor *b = A(c, 1);
        if (!b) { s = pts_ag_missing(c, "other"); goto done; }
        int64_t bs[2] = { IN(c, 1)->shape[0], 1 };
        if (db == 1) { if ((s = call_shape(PTS_AG_RESHAPE, b, 2, bs, E(c), &x2))) goto done; }
        else x2 = pts_tensor_retain(b);
        if ((s = transpose_last(x2, E(c), &xt)) || (s = call2(PTS_AG_MATMUL, g2, xt, E(c), &p))) goto done;
        if (da == 1) {
            int64_t one[2] = { 1, IN(c, 0)->shape[0] };
            if ((s = pts_ag_sum_to(p, 2, one, E(c), &q)) ||
                (s = call_shape(PTS_AG_RESHAPE, q, 1, &one[1], E(c), &r)))
                goto done;
        } else r = pts_tensor_retain(p);
        set(c, 0, r);
        pts_tensor_release(x2); pts_tensor_release(xt); pts_tensor_release(p); pts_tensor_release(q);
        x2 = xt = p = q = NULL;
    }
    if (need(c, 1)) {   /* a2^T @ g2 */
        PtsTensor *a = A(c, 0);
        if (!a) { s = pts_ag_missing(c, "self"); goto done; }
        int64_t as[2] = { 1, IN(c, 0)->shape[0] };
        if (da == 1) { if ((s = call_shape(PTS_AG_RESHAPE, a, 2, as, E(c), &x2))) goto done; }
        else x2 = pts_tensor_retain(a);
        if ((s = transpose_last(x2, E(c), &xt)) || (s = call2(PTS_AG_MATMUL, xt, g2, E(c), &p))) goto done;
        if (db == 1) {
            int64_t col[2] = { IN(c, 1)->shape[0], 1 };
            if ((s = pts_ag_sum_to(p, 2, col, E(c), &q)) ||
                (s = call_shape(PTS_AG_RESHAPE, q, 1, col, E(c), &r)))
                goto done;
        } else r = pts_tensor_retain(p);
        set(c, 1, r);
    }
done:
    pts_tensor_release(g2); pts_tensor_release(x2); pts_tensor_release(xt);
    pts_tensor_release(p); pts_tensor_release(q);
    return s;
}

const char *pts_bwname_linear(const PtsValue *args) {
    int d = args[0].u.t->ndim;
    bool bias = args[2].tag == PTS_V_TENSOR;
    if (d == 2) return bias ? "AddmmBackward0" : "MmBackward0";
    if (bias) return "ViewBackward0";
    return d == 1 ? "SqueezeBackward4" : "UnsafeViewBackward0";
}

/* y = input @ weight^T + bias over any leading dims of input */
PtsStatus pts_bw_linear(PtsGradCtx *c) {
    PtsStatus s = PTS_OK;
    PtsTensor *g2 = NULL, *gt = NULL, *i2 = NULL, *r;
    if (need(c, 0)) { ARG(c, 1, weight); PTS_TRY(call2(PTS_AG_MATMUL, G(c), weight, E(c), &r)); set(c, 0, r); }
    if (need(c, 2)) set(c, 2, pts_tensor_retain(G(c)));   /* the engine sums to bias's shape */
    if (need(c, 1)) {
        ARG(c, 0, input);
        const PtsTensorMeta *w = IN(c, 1);
        int64_t gs[2] = { -1, w->shape[0] }, is[2] = { -1, w->shape[1] };
        if (!(s = call_shape(PTS_AG_RESHAPE, G(c), 2, gs, E(c), &g2)) &&
            !(s = call_shape(PTS_AG_RESHAPE, input, 2, is, E(c), &i2)) && !(s = call1(PTS_AG_T, g2, E(c), &gt)) &&
            !(s = call2(PTS_AG_MM, gt, i2, E(c), &r)))
            set(c, 1, r);
    }
    pts_tensor_release(g2);
    pts_tensor_release(gt);
    pts_tensor_release(i2);
    return s;
}

