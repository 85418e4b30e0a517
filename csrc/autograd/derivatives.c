/* derivatives.c: the formula table built from derivatives.def (row -> node name, what to keep,
 * formula) and the kit the formulas share: registry ops looked up once by schema name, so a
 * formula uses another topic's op as soon as the registry has it, and gradient reduction to an
 * input's shape and dtype for the engine. The formulas live in formulas_<topic>.c; they compute
 * only through registry ops, which lets create_graph record them. */
#include <stdio.h>
#include <pthread.h>

#include "autograd.h"

/* ================= registry ops the formulas call ================= */
static const char *const ag_op_names[PTS_AG__COUNT] = {
#define X(ID, name) name,
    PTS_AG_OPS(X)
#undef X
};
static int ag_op_ids[PTS_AG__COUNT];

bool pts_ag_has(int op) { return ag_op_ids[op] >= 0; }


/* Call op on the first n arguments (borrowed), defaults for the rest; one tensor result (+1). */
PtsStatus pts_ag_call(int op, int n, const PtsValue *a, PtsError *err, PtsTensor **out) {
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

PtsStatus pts_ag_call1(int op, PtsTensor *a, PtsError *err, PtsTensor **out) {
    PtsValue v[1] = { pts_vtensor(a) };
    return pts_ag_call(op, 1, v, err, out);
}

PtsStatus pts_ag_call2(int op, PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out) {
    PtsValue v[2] = { pts_vtensor(a), pts_vtensor(b) };
    return pts_ag_call(op, 2, v, err, out);
}

/* op(a, number) where the number is a PyTorch "wrapped number" (lowest promotion tier). */
PtsStatus pts_ag_call_scalar(int op, PtsTensor *a, PtsValue num, bool num_first, PtsError *err,
                             PtsTensor **out) {
    PtsTensor *w;
    PTS_TRY(pts_wrap_scalar(num, err, &w));
    PtsStatus s = num_first ? pts_ag_call2(op, w, a, err, out) : pts_ag_call2(op, a, w, err, out);
    pts_tensor_release(w);
    return s;
}

/* op(a, int list) for reshape / expand. */
PtsStatus pts_ag_call_shape(int op, PtsTensor *a, int n, const int64_t *shape, PtsError *err,
                            PtsTensor **out) {
    PtsValue v[2] = { pts_vtensor(a), pts_none() };
    PTS_TRY(pts_int_list_new(shape, n, err, &v[1]));
    PtsStatus s = pts_ag_call(op, 2, v, err, out);
    pts_value_release(&v[1]);
    return s;
}

PtsStatus pts_ag_transpose_last(PtsTensor *a, PtsError *err, PtsTensor **out) {
    PtsValue v[3] = { pts_vtensor(a), pts_vint(-1), pts_vint(-2) };
    return pts_ag_call(PTS_AG_TRANSPOSE, 3, v, err, out);
}

bool pts_ag_is_one(PtsValue v) {
    return (v.tag == PTS_V_INT && v.u.i == 1) || (v.tag == PTS_V_DOUBLE && v.u.d == 1.0) ||
           (v.tag == PTS_V_BOOL && v.u.b);
}

/* t * alpha, skipped when alpha is 1 (as PyTorch's maybe_multiply). */
PtsStatus pts_ag_scale(PtsTensor *t, PtsValue alpha, PtsError *err, PtsTensor **out) {
    if (pts_ag_is_one(alpha)) {
        *out = pts_tensor_retain(t);
        return PTS_OK;
    }
    return pts_ag_call_scalar(PTS_AG_MUL, t, alpha, false, err, out);
}

PtsStatus pts_ag_missing(PtsGradCtx *c, const char *what) {
    return pts_fail(c->err, PTS_ERR_INTERNAL, "pyts autograd: %s needs '%s', which it did not save",
                    c->node->name, what);
}

/* ================= helpers shared with the engine ================= */

PtsStatus pts_ag_add(PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out) {
    return pts_ag_call2(PTS_AG_ADD, a, b, err, out);
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
    if (pts_grad_enabled() && ag_op_ids[PTS_AG_TO_DTYPE] >= 0) {
        PtsValue v[2] = { pts_vtensor(g), pts_vint(dt) };
        return pts_ag_call(PTS_AG_TO_DTYPE, 2, v, err, out);
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
    PTS_TRY(pts_grad_node_new(sum_to_entry.name, 1, 1, 0, err, &node));
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
    if (ag_op_ids[PTS_AG_SUM_DIM] >= 0) {
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
            s = pts_ag_call(PTS_AG_SUM_DIM, 3, v, err, &r2);
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

static PtsStatus sum_to_bw(PtsGradCtx *c) {
    PtsTensor *z, *r;
    if (!pts_ag_need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_fill(pts_ag_in(c, 0), 0.0, c->err, &z));
    PtsStatus s = pts_ag_call2(PTS_AG_ADD, z, c->go[0], c->err, &r);
    pts_tensor_release(z);
    PTS_TRY(s);
    pts_ag_set(c, 0, r);
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

const PtsGradEntry pts_not_implemented_entry = { "", "NotImplemented", NULL, "", pts_bw_not_implemented };
static const PtsSaveSpec no_saves;

PtsStatus pts_bw_not_implemented(PtsGradCtx *c) {
    const PtsSchema *s = c->node->op >= 0 ? &pts_op_info[c->node->op].schema : NULL;
    return pts_fail(c->err, PTS_ERR_RUNTIME, "derivative for %s is not implemented",
                    s ? s->qualname : "this operation");
}

const PtsGradEntry *pts_grad_entry(PtsOpId id) {
    return entry_of_row[id] >= 0 ? &entries[entry_of_row[id]] : NULL;
}
const PtsSaveSpec *pts_grad_saves(PtsOpId id) {
    return id < PTS_OP__COUNT && entry_of_row[id] >= 0 ? &specs[entry_of_row[id]] : &no_saves;
}
int pts_grad_entry_count(void) { return N_ENTRIES; }
const PtsGradEntry *pts_grad_entry_at(int i) { return i >= 0 && i < N_ENTRIES ? &entries[i] : NULL; }

static int arg_index(const PtsSchema *s, const char *name, size_t n) {
    for (int i = 0; i < s->nargs; i++)
        if (strlen(s->args[i].name) == n && strncmp(s->args[i].name, name, n) == 0) return i;
    return -1;
}

/* "self?other other result1" against the row's schema */
PtsStatus pts_grad_parse_saves(const PtsGradEntry *e, const PtsSchema *s, PtsSaveSpec *sp, PtsError *err) {
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
        sp->s[k].unless = -1;
        if (*p == '?') {
            p++;
            for (;;) {
                /* `a`: argument a needs a gradient; `!b`: bool argument b is false */
                bool neg = *p == '!';
                if (neg) p++;
                const char *cw = p;
                while (*p && *p != ' ' && *p != ',') p++;
                int i = arg_index(s, cw, (size_t)(p - cw));
                PTS_CHECK(i >= 0, err, INTERNAL, "derivatives.def: %s: unknown argument '%.*s'", e->op,
                          (int)(p - cw), cw);
                if (neg) sp->s[k].unless = (int8_t)i;
                else sp->s[k].cond |= 1u << i;
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
    for (int k = 0; k < PTS_AG__COUNT; k++) ag_op_ids[k] = pts_op_find(ag_op_names[k]);
    for (int i = 0; i < PTS_OP__COUNT; i++) entry_of_row[i] = -1;
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        const PtsSchema *s = &pts_op_info[i].schema;
        /* keyed by the qualified name: a line without a namespace is an aten:: row, so
         * "min" is aten::min and never prim::min (a row "prim::min(Scalar a, Scalar b)") */
        char key[160];
        snprintf(key, sizeof key, "%s%s%s", s->qualname, s->overload[0] ? "." : "", s->overload);
        for (int e = 0; e < N_ENTRIES; e++) {
            const char *k = entries[e].op;
            if (!strstr(k, "::") && strncmp(key, "aten::", 6) != 0) continue;
            if (strcmp(k, strstr(k, "::") ? key : key + 6) != 0) continue;
            if (entry_of_row[i] >= 0) {
                pts_fail(&init_err, PTS_ERR_INTERNAL, "derivatives.def: two lines for %s", key);
                return;
            }
            entry_of_row[i] = (int16_t)e;
            if (pts_grad_parse_saves(&entries[e], s, &specs[e], &init_err)) return;
        }
    }
    pts_cx_grad_init(&init_err);   /* the complex table reuses the entries above */
}

PtsStatus pts_derivatives_init(PtsError *err) {
    pthread_once(&init_once, init_impl);
    if (init_err.code) return pts_fail(err, init_err.code, "%s", init_err.msg);
    return PTS_OK;
}
