/* formulas_linalg.c: backward formulas of the reduction and linear algebra rows (see derivatives.def). Each reads the
 * output gradients and the kept values from its context and stores the gradients of the inputs
 * that need one, computing through registry ops only. */
#include <math.h>

#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= reductions ================= */

/* grad of a reduction over `dims` (NONE or empty: all) back to the input's shape. */
/* g of a reduction over `dims` (NONE or empty: all) with the reduced dims put back as size 1 */
static PtsStatus to_keepdim(PtsGradCtx *c, PtsTensor *g, PtsValue dims, bool keepdim, PtsTensor **out) {
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
    if (!keepdim && g->ndim != m->ndim) return call_shape(PTS_AG_RESHAPE, g, m->ndim, kshape, E(c), out);
    *out = pts_tensor_retain(g);
    return PTS_OK;
}

/* ... and broadcast back to the input's shape */
static PtsStatus reduce_bw(PtsGradCtx *c, PtsTensor *g, PtsValue dims, bool keepdim, PtsTensor **out) {
    PtsTensor *k;
    PTS_TRY(to_keepdim(c, g, dims, keepdim, &k));
    PtsStatus s = call_shape(PTS_AG_EXPAND, k, IN(c, 0)->ndim, IN(c, 0)->shape, E(c), out);
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


/* ================= more linear algebra ================= */

PtsStatus pts_bw_bmm(PtsGradCtx *c) {   /* self: g @ mat2^T, mat2: self^T @ g (batched) */
    PtsTensor *tt, *r;
    PtsStatus s;
    if (need(c, 0)) {
        ARG(c, 1, mat2);
        PTS_TRY(transpose_last(mat2, E(c), &tt));
        s = call2(PTS_AG_BMM, G(c), tt, E(c), &r);
        pts_tensor_release(tt);
        PTS_TRY(s);
        set(c, 0, r);
    }
    if (need(c, 1)) {
        ARG(c, 0, self);
        PTS_TRY(transpose_last(self, E(c), &tt));
        s = call2(PTS_AG_BMM, tt, G(c), E(c), &r);
        pts_tensor_release(tt);
        PTS_TRY(s);
        set(c, 1, r);
    }
    return PTS_OK;
}

/* matrix-vector parts shared by mv and addmv: mat gets outer(g, vec), vec gets mat^T @ g */
static PtsStatus mv_grads(PtsGradCtx *c, int imat, int ivec, PtsValue alpha) {
    PtsTensor *p = NULL, *tt = NULL, *r;
    PtsStatus s = PTS_OK;
    if (need(c, imat)) {
        ARG(c, ivec, vec);
        if (!(s = call2(PTS_AG_OUTER, G(c), vec, E(c), &p)) && !(s = scale(p, alpha, E(c), &r))) set(c, imat, r);
        pts_tensor_release(p);
        p = NULL;
        PTS_TRY(s);
    }
    if (need(c, ivec)) {
        ARG(c, imat, mat);
        if (!(s = call1(PTS_AG_T, mat, E(c), &tt)) && !(s = call2(PTS_AG_MV, tt, G(c), E(c), &p)) &&
            !(s = scale(p, alpha, E(c), &r)))
            set(c, ivec, r);
    }
    pts_tensor_release(p);
    pts_tensor_release(tt);
    return s;
}

PtsStatus pts_bw_mv(PtsGradCtx *c) { return mv_grads(c, 0, 1, pts_vint(1)); }

PtsStatus pts_bw_addmv(PtsGradCtx *c) {   /* beta * self + alpha * mat @ vec */
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(scale(G(c), c->args[3], E(c), &r)); set(c, 0, r); }
    return mv_grads(c, 1, 2, c->args[4]);
}

PtsStatus pts_bw_dot(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { ARG(c, 1, tensor); PTS_TRY(call2(PTS_AG_MUL, G(c), tensor, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) { ARG(c, 0, self); PTS_TRY(call2(PTS_AG_MUL, G(c), self, E(c), &r)); set(c, 1, r); }
    return PTS_OK;
}

PtsStatus pts_bw_outer(PtsGradCtx *c) {   /* self: g @ vec2, vec2: g^T @ self */
    PtsTensor *tt, *r;
    if (need(c, 0)) { ARG(c, 1, vec2); PTS_TRY(call2(PTS_AG_MV, G(c), vec2, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) {
        ARG(c, 0, self);
        PTS_TRY(call1(PTS_AG_T, G(c), E(c), &tt));
        PtsStatus s = call2(PTS_AG_MV, tt, self, E(c), &r);
        pts_tensor_release(tt);
        PTS_TRY(s);
        set(c, 1, r);
    }
    return PTS_OK;
}

/* ================= more reductions ================= */

/* g spread evenly over the elements equal to the (kept-dim) result: max(), amax, ... */
static PtsStatus select_equal(PtsGradCtx *c, PtsValue dims, bool keepdim) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *rk = NULL, *gk = NULL, *mask = NULL, *cnt = NULL, *q = NULL, *r;
    PtsStatus s;
    if (!(s = to_keepdim(c, c->res[0], dims, keepdim, &rk)) && !(s = to_keepdim(c, G(c), dims, keepdim, &gk)) &&
        !(s = call2(PTS_AG_EQ, self, rk, E(c), &mask))) {
        /* the number of maxima per reduced slice */
        PtsValue v[3] = { pts_vtensor(mask), dims.tag == PTS_V_LIST ? dims : pts_none(), pts_vbool(true) };
        if (dims.tag != PTS_V_LIST) {
            int64_t all[PTS_MAX_DIMS];
            for (int i = 0; i < self->ndim; i++) all[i] = i;
            s = pts_int_list_new(all, self->ndim, E(c), &v[1]);
        } else {
            v[1] = pts_value_retain(dims);
        }
        if (!s) s = call(PTS_AG_SUM_DIM, 3, v, E(c), &cnt);
        pts_value_release(&v[1]);
        if (!s && !(s = call2(PTS_AG_DIV, gk, cnt, E(c), &q))) {
            PtsValue w[3] = { pts_vtensor(mask), pts_vtensor(q), pts_vint(0) };
            if (!(s = call(PTS_AG_WHERE_SO, 3, w, E(c), &r))) set(c, 0, r);
        }
    }
    pts_tensor_release(rk); pts_tensor_release(gk); pts_tensor_release(mask);
    pts_tensor_release(cnt); pts_tensor_release(q);
    return s;
}

PtsStatus pts_bw_max_all(PtsGradCtx *c) { return select_equal(c, pts_none(), false); }

PtsStatus pts_bw_amax(PtsGradCtx *c) {
    return select_equal(c, c->args[1], c->args[2].tag == PTS_V_BOOL && c->args[2].u.b);
}

/* max.dim / min.dim: g scattered to the positions of the indices result */
PtsStatus pts_bw_max_dim(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *idx = c->res[1];
    if (!idx) return pts_ag_missing(c, "result1");
    bool keepdim = c->args[2].tag == PTS_V_BOOL && c->args[2].u.b;
    PtsValue dims = pts_none();
    int64_t d = pts_value_to_i64(c->args[1]);
    PTS_TRY(pts_int_list_new(&d, 1, E(c), &dims));
    PtsTensor *gk = NULL, *ik = NULL, *z = NULL, *r;
    PtsStatus s;
    if (!(s = to_keepdim(c, G(c), dims, keepdim, &gk)) && !(s = to_keepdim(c, idx, dims, keepdim, &ik)) &&
        !(s = pts_ag_fill(IN(c, 0), 0.0, E(c), &z))) {
        PtsValue v[4] = { pts_vtensor(z), c->args[1], pts_vtensor(ik), pts_vtensor(gk) };
        if (!(s = call(PTS_AG_SCATTER, 4, v, E(c), &r))) set(c, 0, r);
    }
    pts_value_release(&dims);
    pts_tensor_release(gk); pts_tensor_release(ik); pts_tensor_release(z);
    return s;
}

/* var / std over dims with a correction (unbiased=True is correction 1) */
static PtsStatus var_grad(PtsGradCtx *c, PtsTensor *g, PtsValue dims, double corr, bool keepdim, PtsTensor **out) {
    ARG(c, 0, self);
    PtsTensor *gk = NULL, *mean = NULL, *d = NULL, *p = NULL;
    PtsValue v[3] = { pts_vtensor(self), pts_none(), pts_vbool(true) };
    PtsStatus s;
    if (dims.tag == PTS_V_LIST && pts_as_list(dims)->len > 0) {
        v[1] = pts_value_retain(dims);
    } else {
        int64_t all[PTS_MAX_DIMS];
        for (int i = 0; i < self->ndim; i++) all[i] = i;
        if ((s = pts_int_list_new(all, self->ndim, E(c), &v[1]))) return s;
    }
    double n = (double)reduced_count(IN(c, 0), dims) - corr;
    if (!(s = to_keepdim(c, g, dims, keepdim, &gk)) && !(s = call(PTS_AG_MEAN_DIM, 3, v, E(c), &mean)) &&
        !(s = call2(PTS_AG_SUB, self, mean, E(c), &d)) && !(s = call2(PTS_AG_MUL, gk, d, E(c), &p)))
        s = call_scalar(PTS_AG_MUL, p, pts_vdouble(2.0 / n), false, E(c), out);
    pts_value_release(&v[1]);
    pts_tensor_release(gk); pts_tensor_release(mean); pts_tensor_release(d); pts_tensor_release(p);
    return s;
}

/* the (dims, correction, keepdim) of var / std and their overloads */
static void var_args(PtsGradCtx *c, PtsValue *dims, double *corr, bool *keepdim) {
    int n = c->node->nargs;
    *dims = pts_none();
    *keepdim = false;
    *corr = 1;
    if (n == 2) {                                   /* var(self, unbiased) */
        *corr = c->args[1].u.b ? 1 : 0;
    } else if (c->args[2].tag == PTS_V_BOOL) {      /* var.dim(self, dim, unbiased, keepdim) */
        *dims = c->args[1];
        *corr = c->args[2].u.b ? 1 : 0;
        *keepdim = c->args[3].u.b;
    } else {                                        /* var.correction(self, dim, *, correction, keepdim) */
        *dims = c->args[1];
        *corr = c->args[2].tag == PTS_V_NONE ? 1 : pts_value_to_f64(c->args[2]);
        *keepdim = c->args[3].tag == PTS_V_BOOL && c->args[3].u.b;
    }
}

PtsStatus pts_bw_var(PtsGradCtx *c) {
    PtsValue dims;
    double corr;
    bool keepdim;
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    var_args(c, &dims, &corr, &keepdim);
    PTS_TRY(var_grad(c, G(c), dims, corr, keepdim, &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_std(PtsGradCtx *c) {   /* var's gradient of g / (2 std) */
    PtsValue dims;
    double corr;
    bool keepdim;
    PtsTensor *d, *q, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    var_args(c, &dims, &corr, &keepdim);
    PTS_TRY(call_scalar(PTS_AG_MUL, c->res[0], pts_vint(2), false, E(c), &d));
    PtsStatus s = call2(PTS_AG_DIV, G(c), d, E(c), &q);
    pts_tensor_release(d);
    PTS_TRY(s);
    s = var_grad(c, q, dims, corr, keepdim, &r);
    pts_tensor_release(q);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_logsumexp(PtsGradCtx *c) {   /* g * exp(x - y) */
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    bool keepdim = c->args[2].tag == PTS_V_BOOL && c->args[2].u.b;
    PtsTensor *rk = NULL, *gk = NULL, *d = NULL, *e = NULL, *r;
    PtsStatus s;
    if (!(s = to_keepdim(c, c->res[0], c->args[1], keepdim, &rk)) &&
        !(s = to_keepdim(c, G(c), c->args[1], keepdim, &gk)) && !(s = call2(PTS_AG_SUB, self, rk, E(c), &d)) &&
        !(s = call1(PTS_AG_EXP, d, E(c), &e)) && !(s = call2(PTS_AG_MUL, gk, e, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(rk); pts_tensor_release(gk); pts_tensor_release(d); pts_tensor_release(e);
    return s;
}

PtsStatus pts_bw_cumsum(PtsGradCtx *c) {   /* flip(cumsum(flip(g))) along dim */
    if (!need(c, 0)) return PTS_OK;
    int64_t d = pts_value_to_i64(c->args[1]);
    PtsTensor *f1 = NULL, *cs = NULL, *r;
    PtsStatus s;
    PtsValue v[2] = { pts_vtensor(G(c)), pts_none() };
    if ((s = pts_int_list_new(&d, 1, E(c), &v[1]))) return s;
    if (!(s = call(PTS_AG_FLIP, 2, v, E(c), &f1))) {
        PtsValue w[2] = { pts_vtensor(f1), c->args[1] };
        if (!(s = call(PTS_AG_CUMSUM, 2, w, E(c), &cs))) {
            v[0] = pts_vtensor(cs);
            if (!(s = call(PTS_AG_FLIP, 2, v, E(c), &r))) set(c, 0, r);
        }
    }
    pts_value_release(&v[1]);
    pts_tensor_release(f1);
    pts_tensor_release(cs);
    return s;
}

/* prod: g * (product of the other elements of the slice). Without zeros that is y / x, exact
 * to every order. With zeros: for a first-order backward, y / x off the zeros, the product of
 * the nonzero others at a slice's only zero, 0 with two zeros or more; under create_graph the
 * products of the others are formed explicitly (an n x n slice per position, small dims only)
 * so that higher derivatives through the zeros stay right. Safe divisors avoid inf * 0. */
static PtsStatus exclusive_products(PtsGradCtx *c, PtsTensor *x, int d, PtsTensor **out) {
    int nd = x->ndim;
    int64_t n = x->shape[d];
    if (nd + 1 > PTS_MAX_DIMS || n > 2048)
        return pts_fail(E(c), PTS_ERR_NOTIMPL,
                        "pyts autograd: create_graph through prod of a slice of %lld elements containing "
                        "zeros is not supported", (long long)n);
    /* eye[j, k, 1, ...]: true on the diagonal, broadcast over the dims after d */
    int64_t es[PTS_MAX_DIMS], xs[PTS_MAX_DIMS];
    int ne = 0;
    es[ne++] = n;
    es[ne++] = n;
    for (int i = d + 1; i < nd; i++) es[ne++] = 1;
    PtsTensor *eye, *xu = NULL, *xe = NULL, *m = NULL;
    PTS_TRY(pts_tensor_zeros(PTS_BOOL, ne, es, E(c), &eye));
    for (int64_t j = 0; j < n; j++) ((bool *)pts_tensor_data(eye))[j * n + j] = true;
    for (int i = 0; i <= nd; i++) xs[i] = i < d ? x->shape[i] : (i == d ? n : x->shape[i - 1]);
    PtsStatus s;
    PtsValue u[2] = { pts_vtensor(x), pts_vint(d) };
    if (!(s = call(PTS_AG_UNSQUEEZE, 2, u, E(c), &xu)) && !(s = call_shape(PTS_AG_EXPAND, xu, nd + 1, xs, E(c), &xe))) {
        PtsValue w[3] = { pts_vtensor(eye), pts_vint(1), pts_vtensor(xe) };
        if (!(s = call(PTS_AG_WHERE_SS, 3, w, E(c), &m))) {
            PtsValue a[3] = { pts_vtensor(m), pts_vint(d + 1), pts_vbool(false) };
            s = call(PTS_AG_PROD_DIM, 3, a, E(c), out);
        }
    }
    pts_tensor_release(eye); pts_tensor_release(xu); pts_tensor_release(xe); pts_tensor_release(m);
    return s;
}

static PtsStatus prod_grad(PtsGradCtx *c, PtsTensor *x, PtsValue dims, bool keepdim, PtsTensor **out) {
    PtsTensor *isz = NULL, *xs = NULL, *yk = NULL, *gk = NULL, *nz = NULL, *pnz = NULL, *q = NULL, *one = NULL,
              *only = NULL, *inner = NULL, *others = NULL, *nzs = NULL, *total = NULL, *flat = NULL, *ex = NULL;
    PtsStatus s;
    PtsValue v0[2] = { pts_vtensor(x), pts_vint(0) };
    PtsValue dl = pts_none();
    bool all = dims.tag != PTS_V_LIST;
    if (!all) dl = pts_value_retain(dims);
    else {
        int64_t ad[PTS_MAX_DIMS];
        for (int i = 0; i < x->ndim; i++) ad[i] = i;
        if ((s = pts_int_list_new(ad, x->ndim, E(c), &dl))) return s;
    }
    if ((s = call(PTS_AG_EQ_SCALAR, 2, v0, E(c), &isz))) goto done;
    {
        PtsValue w[3] = { pts_vtensor(isz), pts_vint(1), pts_vtensor(x) };
        PtsValue a[1] = { pts_vtensor(isz) };
        if ((s = call(PTS_AG_WHERE_SS, 3, w, E(c), &xs)) || (s = call(PTS_AG_SUM, 1, a, E(c), &total))) goto done;
    }
    if ((s = to_keepdim(c, c->res[0], dims, keepdim, &yk)) || (s = to_keepdim(c, G(c), dims, keepdim, &gk)) ||
        (s = call2(PTS_AG_DIV, yk, xs, E(c), &q)))
        goto done;
    if (pts_tensor_item_i64(total) == 0) {
        others = pts_tensor_retain(q);
    } else if (pts_grad_enabled()) {
        if (all) {
            int64_t m1 = -1;
            if ((s = call_shape(PTS_AG_RESHAPE, x, 1, &m1, E(c), &flat)) || (s = exclusive_products(c, flat, 0, &ex)) ||
                (s = call_shape(PTS_AG_RESHAPE, ex, x->ndim, x->shape, E(c), &others)))
                goto done;
        } else {
            int d0;   /* prod.dim_int: one dim */
            if ((s = pts_wrap_dim(pts_value_to_i64(pts_as_list(dl)->items[0]), x->ndim, E(c), &d0)) ||
                (s = exclusive_products(c, x, d0, &others)))
                goto done;
        }
    } else {
        {
            PtsValue a[3] = { pts_vtensor(isz), dl, pts_vbool(true) };
            if ((s = call(PTS_AG_SUM_DIM, 3, a, E(c), &nz))) goto done;   /* zeros per slice */
        }
        pnz = pts_tensor_retain(xs);   /* the product of the nonzero elements per slice */
        PtsList *l = pts_as_list(dl);
        for (int64_t j = 0; j < l->len && !s; j++) {
            PtsTensor *nx;
            PtsValue a[3] = { pts_vtensor(pnz), l->items[j], pts_vbool(true) };
            if (!(s = call(PTS_AG_PROD_DIM, 3, a, E(c), &nx))) { pts_tensor_release(pnz); pnz = nx; }
        }
        if (s) goto done;
        PtsValue e1[2] = { pts_vtensor(nz), pts_vint(1) }, e0[2] = { pts_vtensor(nz), pts_vint(0) };
        if ((s = call(PTS_AG_EQ_SCALAR, 2, e1, E(c), &one)) || (s = call2(PTS_AG_LOGICAL_AND, one, isz, E(c), &only)) ||
            (s = call(PTS_AG_EQ_SCALAR, 2, e0, E(c), &nzs)))
            goto done;
        PtsValue w1[3] = { pts_vtensor(only), pts_vtensor(pnz), pts_vint(0) };
        if ((s = call(PTS_AG_WHERE_SO, 3, w1, E(c), &inner))) goto done;
        PtsValue w2[3] = { pts_vtensor(nzs), pts_vtensor(q), pts_vtensor(inner) };
        if ((s = call(PTS_AG_WHERE, 3, w2, E(c), &others))) goto done;
    }
    s = call2(PTS_AG_MUL, others, gk, E(c), out);
done:
    pts_value_release(&dl);
    pts_tensor_release(isz); pts_tensor_release(xs); pts_tensor_release(yk); pts_tensor_release(gk);
    pts_tensor_release(nz); pts_tensor_release(pnz); pts_tensor_release(q); pts_tensor_release(one);
    pts_tensor_release(only); pts_tensor_release(inner); pts_tensor_release(others); pts_tensor_release(nzs);
    pts_tensor_release(total); pts_tensor_release(flat); pts_tensor_release(ex);
    return s;
}

PtsStatus pts_bw_prod(PtsGradCtx *c) {   /* prod(self, *, dtype) over everything */
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    PtsTensor *r;
    PTS_TRY(prod_grad(c, self, pts_none(), false, &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_prod_dim(PtsGradCtx *c) {   /* prod.dim_int(self, dim, keepdim, *, dtype) */
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    if (self->ndim == 0) return pts_bw_self(c);
    int d;
    PTS_TRY(pts_wrap_dim(pts_value_to_i64(c->args[1]), self->ndim, E(c), &d));
    PtsValue dims = pts_none();
    int64_t dd = d;
    PTS_TRY(pts_int_list_new(&dd, 1, E(c), &dims));
    PtsTensor *r;
    PtsStatus s = prod_grad(c, self, dims, c->args[2].tag == PTS_V_BOOL && c->args[2].u.b, &r);
    pts_value_release(&dims);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

/* norm(self, p, dims, keepdim): PyTorch's norm_backward for p = 0, 1, 2, inf and other p */
PtsStatus pts_bw_norm(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!c->res[0]) return pts_ag_missing(c, "result");
    int na = c->node->nargs;
    double p = c->args[1].tag == PTS_V_NONE ? 2.0 : pts_value_to_f64(c->args[1]);
    /* norm.Scalar(self, p), norm.ScalarOpt_dtype(self, p, dtype): all dims; the dim forms have
     * (dim, keepdim) next */
    bool has_dim = na >= 4 && c->args[2].tag == PTS_V_LIST;
    PtsValue dims = has_dim ? c->args[2] : pts_none();
    bool keepdim = has_dim && c->args[3].tag == PTS_V_BOOL && c->args[3].u.b;
    PtsTensor *gk = NULL, *nk = NULL, *t1 = NULL, *t2 = NULL, *t3 = NULL, *z = NULL, *r = NULL;
    PtsStatus s;
    if ((s = to_keepdim(c, G(c), dims, keepdim, &gk)) || (s = to_keepdim(c, c->res[0], dims, keepdim, &nk))) goto done;
    if (p == 0.0) {
        s = pts_ag_fill(IN(c, 0), 0.0, E(c), &r);
    } else if (p == 1.0) {
        if (!(s = call1(PTS_AG_SIGN, self, E(c), &t1))) s = call2(PTS_AG_MUL, t1, gk, E(c), &r);
    } else if (isinf(p)) {
        pts_tensor_release(gk);
        pts_tensor_release(nk);
        gk = nk = NULL;
        /* the gradient spread over the elements whose |x| is the norm, signed */
        PtsTensor *ab = NULL, *eq = NULL, *cnt = NULL, *q = NULL, *sg = NULL;
        if (!(s = call1(PTS_AG_SIGN, self, E(c), &sg)) && !(s = call2(PTS_AG_MUL, self, sg, E(c), &ab)) &&
            !(s = to_keepdim(c, c->res[0], dims, keepdim, &nk)) && !(s = to_keepdim(c, G(c), dims, keepdim, &gk)) &&
            !(s = call2(PTS_AG_EQ, ab, nk, E(c), &eq))) {
            PtsValue v[3] = { pts_vtensor(eq), pts_none(), pts_vbool(true) };
            if (has_dim) v[1] = pts_value_retain(dims);
            else {
                int64_t all[PTS_MAX_DIMS];
                for (int i = 0; i < self->ndim; i++) all[i] = i;
                s = pts_int_list_new(all, self->ndim, E(c), &v[1]);
            }
            if (!s && !(s = call(PTS_AG_SUM_DIM, 3, v, E(c), &cnt)) && !(s = call2(PTS_AG_DIV, gk, cnt, E(c), &q))) {
                PtsValue w[3] = { pts_vtensor(eq), pts_vtensor(q), pts_vint(0) };
                if (!(s = call(PTS_AG_WHERE_SO, 3, w, E(c), &t1))) s = call2(PTS_AG_MUL, t1, sg, E(c), &r);
            }
            pts_value_release(&v[1]);
        }
        pts_tensor_release(ab); pts_tensor_release(eq); pts_tensor_release(cnt); pts_tensor_release(q);
        pts_tensor_release(sg);
    } else {
        /* x |x|^(p-2) g / n^(p-1), 0 where the norm is 0 */
        PtsTensor *ab = NULL, *sg = NULL;
        PtsValue pe[2] = { pts_none(), pts_vdouble(p - 2) }, pn[2] = { pts_vtensor(nk), pts_vdouble(p - 1) };
        if (!(s = call1(PTS_AG_SIGN, self, E(c), &sg)) && !(s = call2(PTS_AG_MUL, self, sg, E(c), &ab))) {
            pe[0] = pts_vtensor(ab);
            if (p == 2.0) s = call2(PTS_AG_MUL, self, gk, E(c), &t2);
            else if (!(s = call(PTS_AG_POW_TS, 2, pe, E(c), &t1)) && !(s = call2(PTS_AG_MUL, self, t1, E(c), &t3)))
                s = call2(PTS_AG_MUL, t3, gk, E(c), &t2);
            if (!s) {
                PtsTensor *den = NULL, *q = NULL, *mask = NULL;
                if (p == 2.0) den = pts_tensor_retain(nk);
                else s = call(PTS_AG_POW_TS, 2, pn, E(c), &den);
                PtsValue v0[2] = { pts_vtensor(nk), pts_vint(0) };
                if (!s && !(s = call2(PTS_AG_DIV, t2, den, E(c), &q)) && !(s = call(PTS_AG_EQ_SCALAR, 2, v0, E(c), &mask))) {
                    PtsValue w[3] = { pts_vtensor(mask), pts_vint(0), pts_vtensor(q) };
                    s = call(PTS_AG_WHERE_SS, 3, w, E(c), &r);
                }
                pts_tensor_release(den); pts_tensor_release(q); pts_tensor_release(mask);
            }
        }
        pts_tensor_release(ab);
        pts_tensor_release(sg);
    }
    if (!s) set(c, 0, r);
done:
    pts_tensor_release(gk); pts_tensor_release(nk); pts_tensor_release(t1); pts_tensor_release(t2);
    pts_tensor_release(t3); pts_tensor_release(z);
    return s;
}

/* cumprod(self, dim, *, dtype): dx_k = sum_{i >= k} g_i prod_{j <= i, j != k} x_j. Without zeros
 * that is flip(cumsum(flip(g y))) / x, exact to every order (y is recorded under create_graph).
 * With zeros the products of the others are formed explicitly: an n x n block per slice,
 * E[k, j] = (j == k ? 1 : x_j), cumprod over j, kept where i >= k, weighted by g_i and summed. */
static PtsStatus cumprod_with_zeros(PtsGradCtx *c, PtsTensor *x, PtsTensor *g, int d, PtsTensor **out) {
    int nd = x->ndim;
    int64_t n = x->shape[d];
    if (nd + 1 > PTS_MAX_DIMS || n > 2048)
        return pts_fail(E(c), PTS_ERR_NOTIMPL,
                        "pyts autograd: cumprod backward over %lld elements containing zeros is not supported",
                        (long long)n);
    int64_t es[PTS_MAX_DIMS], xs[PTS_MAX_DIMS];
    int ne = 0;
    es[ne++] = n;
    es[ne++] = n;
    for (int i = d + 1; i < nd; i++) es[ne++] = 1;
    PtsTensor *eye = NULL, *upper = NULL, *xu = NULL, *xe = NULL, *m = NULL, *cp = NULL, *gu = NULL, *p = NULL,
              *pm = NULL;
    PtsStatus s;
    if ((s = pts_tensor_zeros(PTS_BOOL, ne, es, E(c), &eye)) || (s = pts_tensor_zeros(PTS_BOOL, ne, es, E(c), &upper)))
        goto done;
    for (int64_t k = 0; k < n; k++) {
        ((bool *)pts_tensor_data(eye))[k * n + k] = true;
        for (int64_t i = k; i < n; i++) ((bool *)pts_tensor_data(upper))[k * n + i] = true;
    }
    for (int i = 0; i <= nd; i++) xs[i] = i < d ? x->shape[i] : (i == d ? n : x->shape[i - 1]);
    PtsValue u[2] = { pts_vtensor(x), pts_vint(d) }, ug[2] = { pts_vtensor(g), pts_vint(d) };
    if ((s = call(PTS_AG_UNSQUEEZE, 2, u, E(c), &xu)) || (s = call_shape(PTS_AG_EXPAND, xu, nd + 1, xs, E(c), &xe)))
        goto done;
    PtsValue w[3] = { pts_vtensor(eye), pts_vint(1), pts_vtensor(xe) };
    if ((s = call(PTS_AG_WHERE_SS, 3, w, E(c), &m))) goto done;
    PtsValue cv[2] = { pts_vtensor(m), pts_vint(d + 1) };
    if ((s = call(PTS_AG_CUMPROD, 2, cv, E(c), &cp)) || (s = call(PTS_AG_UNSQUEEZE, 2, ug, E(c), &gu)) ||
        (s = call2(PTS_AG_MUL, cp, gu, E(c), &p)))
        goto done;
    PtsValue w2[3] = { pts_vtensor(upper), pts_vtensor(p), pts_vint(0) };
    if ((s = call(PTS_AG_WHERE_SO, 3, w2, E(c), &pm))) goto done;
    int64_t dd = d + 1;
    PtsValue sv[3] = { pts_vtensor(pm), pts_none(), pts_vbool(false) };
    if ((s = pts_int_list_new(&dd, 1, E(c), &sv[1]))) goto done;
    s = call(PTS_AG_SUM_DIM, 3, sv, E(c), out);
    pts_value_release(&sv[1]);
done:
    pts_tensor_release(eye); pts_tensor_release(upper); pts_tensor_release(xu); pts_tensor_release(xe);
    pts_tensor_release(m); pts_tensor_release(cp); pts_tensor_release(gu); pts_tensor_release(p);
    pts_tensor_release(pm);
    return s;
}

PtsStatus pts_bw_cumprod(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsTensor *y = c->res[0];
    if (!y) return pts_ag_missing(c, "result");
    PtsTensor *g = NULL, *isz = NULL, *total = NULL, *gy = NULL, *f1 = NULL, *cs = NULL, *f2 = NULL, *r = NULL;
    PtsValue dl = pts_none();
    PtsStatus s;
    if ((s = pts_ag_cast(G(c), self->dtype, E(c), &g))) return s;   /* a dtype= result: back to self's */
    if (self->ndim == 0 || pts_numel(self) == 0) { set(c, 0, g); return PTS_OK; }
    int d;
    if ((s = pts_wrap_dim(pts_value_to_i64(c->args[1]), self->ndim, E(c), &d))) goto done;
    PtsValue v0[2] = { pts_vtensor(self), pts_vint(0) };
    if ((s = call(PTS_AG_EQ_SCALAR, 2, v0, E(c), &isz))) goto done;
    PtsValue a1[1] = { pts_vtensor(isz) };
    if ((s = call(PTS_AG_SUM, 1, a1, E(c), &total))) goto done;
    if (pts_tensor_item_i64(total) != 0) {
        if ((s = cumprod_with_zeros(c, self, g, d, &r))) goto done;
    } else {
        int64_t dd = d;
        PtsTensor *yc = NULL;
        if ((s = pts_int_list_new(&dd, 1, E(c), &dl)) || (s = pts_ag_cast(y, self->dtype, E(c), &yc))) goto done;
        s = call2(PTS_AG_MUL, g, yc, E(c), &gy);
        pts_tensor_release(yc);
        if (s) goto done;
        PtsValue fv[2] = { pts_vtensor(gy), dl };
        if ((s = call(PTS_AG_FLIP, 2, fv, E(c), &f1))) goto done;
        PtsValue cv[2] = { pts_vtensor(f1), pts_vint(d) };
        if ((s = call(PTS_AG_CUMSUM, 2, cv, E(c), &cs))) goto done;
        fv[0] = pts_vtensor(cs);
        if ((s = call(PTS_AG_FLIP, 2, fv, E(c), &f2)) || (s = call2(PTS_AG_DIV, f2, self, E(c), &r))) goto done;
    }
    set(c, 0, r);
    r = NULL;
done:
    pts_value_release(&dl);
    pts_tensor_release(g); pts_tensor_release(isz); pts_tensor_release(total); pts_tensor_release(gy);
    pts_tensor_release(f1); pts_tensor_release(cs); pts_tensor_release(f2); pts_tensor_release(r);
    return s;
}
