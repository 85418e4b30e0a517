/* derivatives.c: the formula table built from derivatives.def and the formulas themselves. A
 * formula reads the output gradients (c->go), the kept arguments and results, and stores the
 * gradient of each input that needs one. Formulas compute only through registry ops (looked up
 * by schema name once, so rows of other topics are used as soon as they exist), which lets
 * create_graph record the backward pass. Reducing a gradient to its input's shape and dtype is
 * left to the engine, as in PyTorch. */
#include <stdio.h>
#include <pthread.h>

#include "autograd.h"

/* ================= registry ops the formulas call ================= */
#define AG_OPS(X)                                                                              \
    X(ADD, "add.Tensor") X(SUB, "sub.Tensor") X(MUL, "mul.Tensor") X(DIV, "div.Tensor")        \
    X(NEG, "neg") X(SUM_DIM, "sum.dim_IntList") X(EXPAND, "expand") X(RESHAPE, "reshape")      \
    X(T, "t") X(MM, "mm") X(MATMUL, "matmul") X(TRANSPOSE, "transpose.int")                    \
    X(GT_SCALAR, "gt.Scalar") X(TO_DTYPE, "to.dtype")

enum {
#define X(ID, name) AG_##ID,
    AG_OPS(X)
#undef X
    AG__COUNT
};
static const char *const ag_op_names[AG__COUNT] = {
#define X(ID, name) name,
    AG_OPS(X)
#undef X
};
static int ag_op_ids[AG__COUNT];

/* Call op on the first n arguments (borrowed), defaults for the rest; one tensor result (+1). */
static PtsStatus call(int op, int n, const PtsValue *a, PtsError *err, PtsTensor **out) {
    *out = NULL;
    int id = ag_op_ids[op];
    if (id < 0)
        return pts_fail(err, PTS_ERR_NOTIMPL,
                        "pyts autograd: this backward needs the op '%s', which is not in the registry",
                        ag_op_names[op]);
    PtsValue args[PTS_MAX_ARGS], res[PTS_MAX_RETS];
    for (int i = 0; i < n; i++) args[i] = a[i];
    pts_op_fill_defaults((PtsOpId)id, args, n);
    for (int k = 0; k < PTS_MAX_RETS; k++) res[k] = pts_none();
    PTS_TRY(pts_op_call((PtsOpId)id, args, res, err));
    if (res[0].tag != PTS_V_TENSOR) {
        for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&res[k]);
        return pts_fail(err, PTS_ERR_INTERNAL, "pyts autograd: '%s' did not return a tensor", ag_op_names[op]);
    }
    *out = res[0].u.t;
    return PTS_OK;
}

static PtsStatus call1(int op, PtsTensor *a, PtsError *err, PtsTensor **out) {
    PtsValue v[1] = { pts_vtensor(a) };
    return call(op, 1, v, err, out);
}

static PtsStatus call2(int op, PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out) {
    PtsValue v[2] = { pts_vtensor(a), pts_vtensor(b) };
    return call(op, 2, v, err, out);
}

/* op(a, number) where the number is a PyTorch "wrapped number" (lowest promotion tier). */
static PtsStatus call_scalar(int op, PtsTensor *a, PtsValue num, bool num_first, PtsError *err,
                             PtsTensor **out) {
    PtsTensor *w;
    PTS_TRY(pts_wrap_scalar(num, err, &w));
    PtsStatus s = num_first ? call2(op, w, a, err, out) : call2(op, a, w, err, out);
    pts_tensor_release(w);
    return s;
}

/* op(a, int list) for reshape / expand. */
static PtsStatus call_shape(int op, PtsTensor *a, int n, const int64_t *shape, PtsError *err,
                            PtsTensor **out) {
    PtsValue v[2] = { pts_vtensor(a), pts_none() };
    PTS_TRY(pts_int_list_new(shape, n, err, &v[1]));
    PtsStatus s = call(op, 2, v, err, out);
    pts_value_release(&v[1]);
    return s;
}

static PtsStatus transpose_last(PtsTensor *a, PtsError *err, PtsTensor **out) {
    PtsValue v[3] = { pts_vtensor(a), pts_vint(-1), pts_vint(-2) };
    return call(AG_TRANSPOSE, 3, v, err, out);
}

static bool is_one(PtsValue v) {
    return (v.tag == PTS_V_INT && v.u.i == 1) || (v.tag == PTS_V_DOUBLE && v.u.d == 1.0) ||
           (v.tag == PTS_V_BOOL && v.u.b);
}

/* t * alpha, skipped when alpha is 1 (as PyTorch's maybe_multiply). */
static PtsStatus scale(PtsTensor *t, PtsValue alpha, PtsError *err, PtsTensor **out) {
    if (is_one(alpha)) {
        *out = pts_tensor_retain(t);
        return PTS_OK;
    }
    return call_scalar(AG_MUL, t, alpha, false, err, out);
}

/* ================= helpers shared with the engine ================= */

PtsStatus pts_ag_add(PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out) {
    return call2(AG_ADD, a, b, err, out);
}

PtsStatus pts_ag_fill(const PtsTensorMeta *m, double v, PtsError *err, PtsTensor **out) {
    if (v == 0.0) return pts_tensor_zeros(m->dtype, m->ndim, m->shape, err, out);
    PTS_TRY(pts_tensor_new(m->dtype, m->ndim, m->shape, err, out));
    int64_t n = pts_numel(*out);
    size_t isz = pts_dtype_size(m->dtype);
    char *p = pts_tensor_data(*out);
    for (int64_t i = 0; i < n; i++) pts_store_f64(m->dtype, p + (size_t)i * isz, v);
    return PTS_OK;
}

PtsStatus pts_ag_cast(PtsTensor *g, PtsDType dt, PtsError *err, PtsTensor **out) {
    if (g->dtype == dt) {
        *out = pts_tensor_retain(g);
        return PTS_OK;
    }
    if (pts_grad_enabled() && ag_op_ids[AG_TO_DTYPE] >= 0) {
        PtsValue v[2] = { pts_vtensor(g), pts_vint(dt) };
        return call(AG_TO_DTYPE, 2, v, err, out);
    }
    return pts_tensor_to(g, dt, false, err, out);
}

typedef struct AccCtx { PtsDType dd, sd; } AccCtx;

/* dst[i] += src[i]; dst strides may be 0 (the reduced dims), which the sequential loop allows */
static void acc_loop(char **p, const int64_t *s, int64_t n, void *vctx) {
    const AccCtx *c = vctx;
    if (c->dd == PTS_FLOAT32 && c->sd == PTS_FLOAT32) {
        for (int64_t i = 0; i < n; i++) *(float *)(p[0] + i * s[0]) += *(const float *)(p[1] + i * s[1]);
    } else if (c->dd == PTS_FLOAT64 && c->sd == PTS_FLOAT64) {
        for (int64_t i = 0; i < n; i++) *(double *)(p[0] + i * s[0]) += *(const double *)(p[1] + i * s[1]);
    } else {
        for (int64_t i = 0; i < n; i++) {
            char *d = p[0] + i * s[0];
            pts_store_f64(c->dd, d, pts_load_f64(c->dd, d) + pts_load_f64(c->sd, p[1] + i * s[1]));
        }
    }
}

/* The backward of the fallback reduction: broadcast the gradient back (0 + grad). */
static PtsStatus sum_to_bw(PtsGradCtx *c);
static const PtsGradEntry sum_to_entry = { "", "SumBackward1", NULL, "", sum_to_bw };

static PtsStatus record_sum_to(PtsTensor *g, PtsTensor *r, PtsError *err) {
    PtsNode *node;
    PTS_TRY(pts_node_new(sum_to_entry.name, 1, 1, 0, err, &node));
    node->entry = &sum_to_entry;
    node->arg_edge[0] = 0;
    node->arg_nedge[0] = 1;
    pts_meta_tensor(g, &node->in_meta[0]);
    pts_meta_tensor(r, &node->out_meta[0]);
    PtsStatus s = pts_edge_of(g, err, &node->next[0]);
    if (!s) s = pts_set_history(r, node, 0, err);
    pts_node_release(node);
    return s;
}

PtsStatus pts_ag_sum_to(PtsTensor *g, int ndim, const int64_t *shape, PtsError *err, PtsTensor **out) {
    *out = NULL;
    if (g->ndim == ndim && memcmp(g->shape, shape, sizeof(int64_t) * (size_t)ndim) == 0) {
        *out = pts_tensor_retain(g);
        return PTS_OK;
    }
    /* shape must broadcast to g's shape */
    bool ok = ndim <= g->ndim;
    int lead = g->ndim - ndim;
    for (int i = 0; ok && i < ndim; i++)
        if (shape[i] != g->shape[lead + i] && shape[i] != 1) ok = false;
    if (!ok) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_RUNTIME, "invalid gradient: got %s but expected shape compatible with %s",
                        pts_shape_str(g->ndim, g->shape, a, sizeof a), pts_shape_str(ndim, shape, b, sizeof b));
    }
    if (ag_op_ids[AG_SUM_DIM] >= 0) {
        /* through the registry, so create_graph records it: leading dims, then kept size-1 dims */
        int64_t dims[PTS_MAX_DIMS];
        PtsTensor *r = pts_tensor_retain(g), *r2;
        PtsStatus s = PTS_OK;
        for (int pass = 0; pass < 2 && !s; pass++) {
            int nd = 0;
            if (pass == 0) for (int i = 0; i < lead; i++) dims[nd++] = i;
            else for (int i = 0; i < ndim; i++) if (shape[i] == 1 && r->shape[i] != 1) dims[nd++] = i;
            if (!nd) continue;
            PtsValue v[3] = { pts_vtensor(r), pts_none(), pts_vbool(pass == 1) };
            if ((s = pts_int_list_new(dims, nd, err, &v[1]))) break;
            s = call(AG_SUM_DIM, 3, v, err, &r2);
            pts_value_release(&v[1]);
            if (!s) {
                pts_tensor_release(r);
                r = r2;
            }
        }
        if (s) {
            pts_tensor_release(r);
            return s;
        }
        *out = r;
        return PTS_OK;
    }
    /* no sum op in the registry yet: a direct reduction, recorded by hand as its own node when
     * it is part of a graph (create_graph) */
    PtsTensor *r;
    PTS_TRY(pts_tensor_zeros(g->dtype, ndim, shape, err, &r));
    PtsIterOperand ops[2];
    pts_iter_operand(&ops[0], r, g->ndim, g->shape);
    pts_iter_operand(&ops[1], g, g->ndim, g->shape);
    AccCtx c = { r->dtype, g->dtype };
    pts_iter_run(2, ops, g->ndim, g->shape, acc_loop, &c);
    if (pts_grad_enabled() && pts_requires_grad(g)) {
        PtsStatus s = record_sum_to(g, r, err);
        if (s) {
            pts_tensor_release(r);
            return s;
        }
    }
    *out = r;
    return PTS_OK;
}

/* ================= formula context ================= */
static inline PtsTensor *A(PtsGradCtx *c, int i) {
    return c->args[i].tag == PTS_V_TENSOR ? c->args[i].u.t : NULL;
}
static inline bool need(PtsGradCtx *c, int i) {
    int e = c->node->arg_edge[i];
    return e >= 0 && c->node->next[e].fn != NULL;
}
static inline const PtsTensorMeta *IN(PtsGradCtx *c, int i) {
    return &c->node->in_meta[c->node->arg_edge[i]];
}
/* store g (+1, stolen) as the gradient of argument i */
static inline void set(PtsGradCtx *c, int i, PtsTensor *g) {
    PtsTensor **slot = &c->gi[c->node->arg_edge[i]];
    pts_tensor_release(*slot);
    *slot = g;
}
/* The gradient argument i would need when its tensor was not kept: a formula bug. */
static PtsStatus missing(PtsGradCtx *c, const char *what) {
    return pts_fail(c->err, PTS_ERR_INTERNAL, "pyts autograd: %s needs '%s', which it did not save",
                    c->node->name, what);
}
#define ARG(c, i, name) PtsTensor *name = A(c, i); if (!name) return missing(c, #name)
#define G(c) ((c)->go[0])
#define E(c) ((c)->err)

/* ================= formulas: pointwise ================= */

/* gradient passes through unchanged (add.Scalar, clone, contiguous, ...) */
static PtsStatus self_bw(PtsGradCtx *c) {
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    return PTS_OK;
}

static PtsStatus add_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    if (need(c, 1)) { PTS_TRY(scale(G(c), c->args[2], E(c), &r)); set(c, 1, r); }
    return PTS_OK;
}

static PtsStatus sub_bw(PtsGradCtx *c) {
    PtsTensor *r, *n;
    if (need(c, 0)) set(c, 0, pts_tensor_retain(G(c)));
    if (need(c, 1)) {
        PTS_TRY(call1(AG_NEG, G(c), E(c), &n));
        PtsStatus s = scale(n, c->args[2], E(c), &r);
        pts_tensor_release(n);
        PTS_TRY(s);
        set(c, 1, r);
    }
    return PTS_OK;
}

static PtsStatus rsub_bw(PtsGradCtx *c) {   /* other - alpha * self */
    PtsTensor *r, *n;
    if (need(c, 1)) set(c, 1, pts_tensor_retain(G(c)));
    if (need(c, 0)) {
        PTS_TRY(call1(AG_NEG, G(c), E(c), &n));
        PtsStatus s = scale(n, c->args[2], E(c), &r);
        pts_tensor_release(n);
        PTS_TRY(s);
        set(c, 0, r);
    }
    return PTS_OK;
}

static PtsStatus rsub_scalar_bw(PtsGradCtx *c) { return rsub_bw(c); }

static PtsStatus mul_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { ARG(c, 1, other); PTS_TRY(call2(AG_MUL, G(c), other, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) { ARG(c, 0, self); PTS_TRY(call2(AG_MUL, G(c), self, E(c), &r)); set(c, 1, r); }
    return PTS_OK;
}

static PtsStatus mul_scalar_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call_scalar(AG_MUL, G(c), c->args[1], false, E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

static PtsStatus div_bw(PtsGradCtx *c) {
    PtsTensor *r, *q = NULL, *q2 = NULL, *m = NULL;
    ARG(c, 1, other);
    if (need(c, 0)) { PTS_TRY(call2(AG_DIV, G(c), other, E(c), &r)); set(c, 0, r); }
    if (need(c, 1)) {
        /* -grad * ((self / other) / other) */
        ARG(c, 0, self);
        PtsStatus s;
        if (!(s = call2(AG_DIV, self, other, E(c), &q)) && !(s = call2(AG_DIV, q, other, E(c), &q2)) &&
            !(s = call2(AG_MUL, G(c), q2, E(c), &m)) && !(s = call1(AG_NEG, m, E(c), &r)))
            set(c, 1, r);
        pts_tensor_release(q);
        pts_tensor_release(q2);
        pts_tensor_release(m);
        return s;
    }
    return PTS_OK;
}

static PtsStatus div_scalar_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call_scalar(AG_DIV, G(c), c->args[1], false, E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

static PtsStatus neg_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(call1(AG_NEG, G(c), E(c), &r)); set(c, 0, r); }
    return PTS_OK;
}

static PtsStatus tanh_bw(PtsGradCtx *c) {   /* grad * (1 - y * y) */
    PtsTensor *y = c->res[0], *yy = NULL, *d = NULL, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!y) return missing(c, "result");
    PtsStatus s;
    if (!(s = call2(AG_MUL, y, y, E(c), &yy)) &&
        !(s = call_scalar(AG_SUB, yy, pts_vint(1), true, E(c), &d)) &&
        !(s = call2(AG_MUL, G(c), d, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(yy);
    pts_tensor_release(d);
    return s;
}

static PtsStatus sigmoid_bw(PtsGradCtx *c) {   /* grad * y * (1 - y) */
    PtsTensor *y = c->res[0], *d = NULL, *gy = NULL, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!y) return missing(c, "result");
    PtsStatus s;
    if (!(s = call_scalar(AG_SUB, y, pts_vint(1), true, E(c), &d)) &&
        !(s = call2(AG_MUL, G(c), y, E(c), &gy)) && !(s = call2(AG_MUL, gy, d, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(d);
    pts_tensor_release(gy);
    return s;
}

static PtsStatus exp_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return missing(c, "result");
    PTS_TRY(call2(AG_MUL, G(c), c->res[0], E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus log_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(call2(AG_DIV, G(c), self, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus relu_bw(PtsGradCtx *c) {   /* grad where y > 0 */
    PtsTensor *mask, *r;
    if (!need(c, 0)) return PTS_OK;
    if (!c->res[0]) return missing(c, "result");
    PtsValue v[2] = { pts_vtensor(c->res[0]), pts_vint(0) };
    PTS_TRY(call(AG_GT_SCALAR, 2, v, E(c), &mask));
    PtsStatus s = call2(AG_MUL, G(c), mask, E(c), &r);
    pts_tensor_release(mask);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

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
    if (!keepdim && g->ndim != m->ndim) PTS_TRY(call_shape(AG_RESHAPE, g, m->ndim, kshape, E(c), &k));
    else k = pts_tensor_retain(g);
    PtsStatus s = call_shape(AG_EXPAND, k, m->ndim, m->shape, E(c), out);
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

static PtsStatus sum_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(reduce_bw(c, G(c), pts_none(), true, &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus sum_dim_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(reduce_bw(c, G(c), c->args[1], c->args[2].tag == PTS_V_BOOL && c->args[2].u.b, &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus mean_common(PtsGradCtx *c, PtsValue dims, bool keepdim) {
    PtsTensor *q, *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call_scalar(AG_DIV, G(c), pts_vint(reduced_count(IN(c, 0), dims)), false, E(c), &q));
    PtsStatus s = reduce_bw(c, q, dims, keepdim, &r);
    pts_tensor_release(q);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus mean_bw(PtsGradCtx *c) { return mean_common(c, pts_none(), true); }
static PtsStatus mean_dim_bw(PtsGradCtx *c) {
    return mean_common(c, c->args[1], c->args[2].tag == PTS_V_BOOL && c->args[2].u.b);
}

/* ================= linear algebra ================= */

static PtsStatus t_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call1(AG_T, G(c), E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* grad_a = g @ b^T, grad_b = a^T @ g (times alpha), for mm and addmm */
static PtsStatus mm_grads(PtsGradCtx *c, int ia, int ib, PtsValue alpha) {
    PtsTensor *tt = NULL, *p = NULL, *r;
    PtsStatus s = PTS_OK;
    if (need(c, ia)) {
        ARG(c, ib, b);
        if (!(s = call1(AG_T, b, E(c), &tt)) && !(s = call2(AG_MM, G(c), tt, E(c), &p)) &&
            !(s = scale(p, alpha, E(c), &r)))
            set(c, ia, r);
        pts_tensor_release(tt);
        pts_tensor_release(p);
        tt = p = NULL;
        PTS_TRY(s);
    }
    if (need(c, ib)) {
        ARG(c, ia, a);
        if (!(s = call1(AG_T, a, E(c), &tt)) && !(s = call2(AG_MM, tt, G(c), E(c), &p)) &&
            !(s = scale(p, alpha, E(c), &r)))
            set(c, ib, r);
        pts_tensor_release(tt);
        pts_tensor_release(p);
    }
    return s;
}

static PtsStatus mm_bw(PtsGradCtx *c) { return mm_grads(c, 0, 1, pts_vint(1)); }

static PtsStatus addmm_bw(PtsGradCtx *c) {   /* beta * self + alpha * mat1 @ mat2 */
    PtsTensor *r;
    if (need(c, 0)) { PTS_TRY(scale(G(c), c->args[3], E(c), &r)); set(c, 0, r); }
    return mm_grads(c, 1, 2, c->args[4]);
}

static const char *matmul_name(const PtsValue *args) {
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
static PtsStatus matmul_bw(PtsGradCtx *c) {
    const int da = IN(c, 0)->ndim, db = IN(c, 1)->ndim;
    PtsStatus s = PTS_OK;
    PtsTensor *g2 = NULL, *x2 = NULL, *xt = NULL, *p = NULL, *q = NULL, *r;
    if (da == 1 && db == 1) {   /* dot: g is 0-d */
        if (need(c, 0)) { ARG(c, 1, other); PTS_TRY(call2(AG_MUL, G(c), other, E(c), &r)); set(c, 0, r); }
        if (need(c, 1)) { ARG(c, 0, self); PTS_TRY(call2(AG_MUL, G(c), self, E(c), &r)); set(c, 1, r); }
        return PTS_OK;
    }
    /* g with the unit dims matmul dropped put back */
    int64_t gs[PTS_MAX_DIMS + 2];
    int gn = G(c)->ndim;
    memcpy(gs, G(c)->shape, sizeof(int64_t) * (size_t)gn);
    if (da == 1) { gs[gn] = gs[gn - 1]; gs[gn - 1] = 1; gn++; }
    if (db == 1) gs[gn++] = 1;
    PTS_TRY(call_shape(AG_RESHAPE, G(c), gn, gs, E(c), &g2));
    if (need(c, 0)) {   /* g2 @ b2^T */
        PtsTensor *b = A(c, 1);
        if (!b) { s = missing(c, "other"); goto done; }
        int64_t bs[2] = { IN(c, 1)->shape[0], 1 };
        if (db == 1) { if ((s = call_shape(AG_RESHAPE, b, 2, bs, E(c), &x2))) goto done; }
        else x2 = pts_tensor_retain(b);
        if ((s = transpose_last(x2, E(c), &xt)) || (s = call2(AG_MATMUL, g2, xt, E(c), &p))) goto done;
        if (da == 1) {
            int64_t one[2] = { 1, IN(c, 0)->shape[0] };
            if ((s = pts_ag_sum_to(p, 2, one, E(c), &q)) ||
                (s = call_shape(AG_RESHAPE, q, 1, &one[1], E(c), &r)))
                goto done;
        } else r = pts_tensor_retain(p);
        set(c, 0, r);
        pts_tensor_release(x2); pts_tensor_release(xt); pts_tensor_release(p); pts_tensor_release(q);
        x2 = xt = p = q = NULL;
    }
    if (need(c, 1)) {   /* a2^T @ g2 */
        PtsTensor *a = A(c, 0);
        if (!a) { s = missing(c, "self"); goto done; }
        int64_t as[2] = { 1, IN(c, 0)->shape[0] };
        if (da == 1) { if ((s = call_shape(AG_RESHAPE, a, 2, as, E(c), &x2))) goto done; }
        else x2 = pts_tensor_retain(a);
        if ((s = transpose_last(x2, E(c), &xt)) || (s = call2(AG_MATMUL, xt, g2, E(c), &p))) goto done;
        if (db == 1) {
            int64_t col[2] = { IN(c, 1)->shape[0], 1 };
            if ((s = pts_ag_sum_to(p, 2, col, E(c), &q)) ||
                (s = call_shape(AG_RESHAPE, q, 1, col, E(c), &r)))
                goto done;
        } else r = pts_tensor_retain(p);
        set(c, 1, r);
    }
done:
    pts_tensor_release(g2); pts_tensor_release(x2); pts_tensor_release(xt);
    pts_tensor_release(p); pts_tensor_release(q);
    return s;
}

static const char *linear_name(const PtsValue *args) {
    int d = args[0].u.t->ndim;
    bool bias = args[2].tag == PTS_V_TENSOR;
    if (d == 2) return bias ? "AddmmBackward0" : "MmBackward0";
    if (bias) return "ViewBackward0";
    return d == 1 ? "SqueezeBackward4" : "UnsafeViewBackward0";
}

/* y = input @ weight^T + bias over any leading dims of input */
static PtsStatus linear_bw(PtsGradCtx *c) {
    PtsStatus s = PTS_OK;
    PtsTensor *g2 = NULL, *gt = NULL, *i2 = NULL, *r;
    if (need(c, 0)) { ARG(c, 1, weight); PTS_TRY(call2(AG_MATMUL, G(c), weight, E(c), &r)); set(c, 0, r); }
    if (need(c, 2)) set(c, 2, pts_tensor_retain(G(c)));   /* the engine sums to bias's shape */
    if (need(c, 1)) {
        ARG(c, 0, input);
        const PtsTensorMeta *w = IN(c, 1);
        int64_t gs[2] = { -1, w->shape[0] }, is[2] = { -1, w->shape[1] };
        if (!(s = call_shape(AG_RESHAPE, G(c), 2, gs, E(c), &g2)) &&
            !(s = call_shape(AG_RESHAPE, input, 2, is, E(c), &i2)) && !(s = call1(AG_T, g2, E(c), &gt)) &&
            !(s = call2(AG_MM, gt, i2, E(c), &r)))
            set(c, 1, r);
    }
    pts_tensor_release(g2);
    pts_tensor_release(gt);
    pts_tensor_release(i2);
    return s;
}

/* ================= shape ================= */

/* any op that keeps the elements in order (view, reshape, unsqueeze, squeeze, flatten) */
static PtsStatus reshape_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call_shape(AG_RESHAPE, G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus expand_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_sum_to(G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus sum_to_bw(PtsGradCtx *c) {
    PtsTensor *z, *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z));
    PtsStatus s = call2(AG_ADD, z, G(c), E(c), &r);
    pts_tensor_release(z);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus transpose_bw(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[3] = { pts_vtensor(G(c)), c->args[1], c->args[2] };
    PTS_TRY(call(AG_TRANSPOSE, 3, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* ================= the table ================= */
static const PtsGradEntry entries[] = {
#define PTS_GRAD(row, name, saves, fn) { row, name, NULL, saves, fn },
#define PTS_GRAD_NAMED(row, name_fn, saves, fn) { row, NULL, name_fn, saves, fn },
#define PTS_GRAD_COMPOSITE(row) { row, NULL, NULL, "", NULL },
#include "derivatives.def"
#undef PTS_GRAD
#undef PTS_GRAD_NAMED
#undef PTS_GRAD_COMPOSITE
};
#define N_ENTRIES ((int)(sizeof entries / sizeof entries[0]))

static int16_t entry_of_row[PTS_OP__COUNT];
static PtsSaveSpec specs[N_ENTRIES];

const PtsGradEntry *pts_grad_entry(PtsOpId id) {
    return entry_of_row[id] >= 0 ? &entries[entry_of_row[id]] : NULL;
}
const PtsSaveSpec *pts_grad_saves(PtsOpId id) { return &specs[entry_of_row[id]]; }
int pts_grad_entry_count(void) { return N_ENTRIES; }
const PtsGradEntry *pts_grad_entry_at(int i) { return i >= 0 && i < N_ENTRIES ? &entries[i] : NULL; }

static int arg_index(const PtsSchema *s, const char *name, size_t n) {
    for (int i = 0; i < s->nargs; i++)
        if (strlen(s->args[i].name) == n && strncmp(s->args[i].name, name, n) == 0) return i;
    return -1;
}

/* "self?other other result1" against the row's schema */
static PtsStatus parse_saves(const PtsGradEntry *e, const PtsSchema *s, PtsSaveSpec *sp, PtsError *err) {
    const char *p = e->saves;
    sp->n = 0;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *w = p;
        while (*p && *p != ' ' && *p != '?') p++;
        size_t wn = (size_t)(p - w);
        PTS_CHECK(sp->n < PTS_MAX_SAVES, err, INTERNAL, "derivatives.def: %s saves too much", e->op);
        int k = sp->n++;
        sp->s[k].cond = 0;
        if (wn >= 6 && strncmp(w, "result", 6) == 0) {
            sp->s[k].output = true;
            sp->s[k].idx = (int8_t)(wn > 6 ? w[6] - '0' : 0);
        } else {
            int i = arg_index(s, w, wn);
            PTS_CHECK(i >= 0, err, INTERNAL, "derivatives.def: %s saves unknown argument '%.*s'", e->op,
                      (int)wn, w);
            sp->s[k].output = false;
            sp->s[k].idx = (int8_t)i;
        }
        if (*p == '?') {
            p++;
            for (;;) {
                const char *cw = p;
                while (*p && *p != ' ' && *p != ',') p++;
                int i = arg_index(s, cw, (size_t)(p - cw));
                PTS_CHECK(i >= 0, err, INTERNAL, "derivatives.def: %s: unknown argument '%.*s'", e->op,
                          (int)(p - cw), cw);
                sp->s[k].cond |= 1u << i;
                if (*p != ',') break;
                p++;
            }
        }
    }
    return PTS_OK;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static PtsError init_err;

static void init_impl(void) {
    for (int k = 0; k < AG__COUNT; k++) ag_op_ids[k] = pts_op_find(ag_op_names[k]);
    for (int i = 0; i < PTS_OP__COUNT; i++) entry_of_row[i] = -1;
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        const PtsSchema *s = &pts_op_info[i].schema;
        char key[160];
        snprintf(key, sizeof key, "%s%s%s", s->name, s->overload[0] ? "." : "", s->overload);
        for (int e = 0; e < N_ENTRIES; e++) {
            if (strcmp(entries[e].op, key) != 0) continue;
            if (entry_of_row[i] >= 0) {
                pts_fail(&init_err, PTS_ERR_INTERNAL, "derivatives.def: two lines for %s", key);
                return;
            }
            entry_of_row[i] = (int16_t)e;
            if (parse_saves(&entries[e], s, &specs[e], &init_err)) return;
        }
    }
}

PtsStatus pts_derivatives_init(PtsError *err) {
    pthread_once(&init_once, init_impl);
    if (init_err.code) return pts_fail(err, init_err.code, "%s", init_err.msg);
    return PTS_OK;
}
