/* engine.c: the backward pass. From the roots' grad_fn nodes it discovers the graph, counts
 * dependencies and orders the nodes topologically, marks which nodes must run when only some
 * inputs are asked for, then runs each node once all gradients into it have arrived: formula
 * nodes produce input gradients (reduced to each input's shape and dtype, summed when several
 * arrive), AccumulateGrad nodes add into a leaf's .grad. Grad mode is create_graph while it runs,
 * so a create_graph pass records the formulas' ops as a new graph. */
#include <stdio.h>

#include "autograd.h"

typedef struct Task {
    PtsNode *fn;          /* +1 */
    int deps;             /* edges into it (for the topological order) */
    PtsTensor **buf;      /* [fn->nout] gradients arrived so far, +1 each */
    bool needed;          /* must run (else its gradients are only captured, or not wanted) */
    bool reach;           /* leads to a wanted gradient */
    bool exec_target;     /* an AccumulateGrad to run for backward(inputs=...) */
} Task;

typedef struct Graph {
    Task *tasks;
    int n, cap;
    int *slots;           /* open addressing: task index + 1, 0 empty */
    int nslots;
} Graph;

static size_t hash_ptr(const void *p) {
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static int graph_find(const Graph *g, const PtsNode *fn) {
    if (!g->nslots) return -1;
    size_t mask = (size_t)g->nslots - 1;
    for (size_t h = hash_ptr(fn) & mask;; h = (h + 1) & mask) {
        int s = g->slots[h];
        if (!s) return -1;
        if (g->tasks[s - 1].fn == fn) return s - 1;
    }
}

static PtsStatus graph_rehash(Graph *g, PtsError *err) {
    int ns = g->nslots ? g->nslots * 2 : 64;
    int *slots = pts_calloc((size_t)ns, sizeof *slots);
    if (!slots) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    size_t mask = (size_t)ns - 1;
    for (int i = 0; i < g->n; i++) {
        size_t h = hash_ptr(g->tasks[i].fn) & mask;
        while (slots[h]) h = (h + 1) & mask;
        slots[h] = i + 1;
    }
    pts_free(g->slots);
    g->slots = slots;
    g->nslots = ns;
    return PTS_OK;
}

/* Index of fn's task, adding it (retained) when new; *added tells which. */
static PtsStatus graph_add(Graph *g, PtsNode *fn, PtsError *err, int *idx, bool *added) {
    *added = false;
    int i = graph_find(g, fn);
    if (i >= 0) { *idx = i; return PTS_OK; }
    if ((g->n + 1) * 2 > g->nslots) PTS_TRY(graph_rehash(g, err));
    if (g->n == g->cap) {
        int nc = g->cap ? g->cap * 2 : 32;
        Task *t = pts_realloc(g->tasks, sizeof *t * (size_t)nc);
        if (!t) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        g->tasks = t;
        g->cap = nc;
    }
    Task *t = &g->tasks[g->n];
    memset(t, 0, sizeof *t);
    t->buf = pts_calloc((size_t)(fn->nout ? fn->nout : 1), sizeof *t->buf);
    if (!t->buf) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    t->fn = pts_node_retain(fn);
    size_t mask = (size_t)g->nslots - 1;
    size_t h = hash_ptr(fn) & mask;
    while (g->slots[h]) h = (h + 1) & mask;
    g->slots[h] = g->n + 1;
    *idx = g->n++;
    *added = true;
    return PTS_OK;
}

static void graph_free(Graph *g) {
    for (int i = 0; i < g->n; i++) {
        Task *t = &g->tasks[i];
        for (int k = 0; k < t->fn->nout; k++) pts_tensor_release(t->buf[k]);
        pts_free(t->buf);
        pts_node_release(t->fn);
    }
    pts_free(g->tasks);
    pts_free(g->slots);
}

/* buf[k] += g (steals g) */
static PtsStatus buf_add(PtsTensor **slot, PtsTensor *g, PtsError *err) {
    if (!*slot) { *slot = g; return PTS_OK; }
    PtsTensor *sum;
    PtsStatus s = pts_ag_add(*slot, g, err, &sum);
    pts_tensor_release(g);
    PTS_TRY(s);
    pts_tensor_release(*slot);
    *slot = sum;
    return PTS_OK;
}

/* Bring a gradient to the shape and dtype of the input it is for (PyTorch's validate_outputs). */
static PtsStatus validate(const PtsNode *fn, int index, PtsTensor *g, const PtsTensorMeta *m,
                          PtsError *err, PtsTensor **out) {
    bool ok = g->ndim >= m->ndim;
    for (int i = 0; ok && i < m->ndim; i++)
        if (m->shape[i] != g->shape[g->ndim - m->ndim + i] && m->shape[i] != 1) ok = false;
    if (!ok) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Function %s returned an invalid gradient at index %d - got %s but expected "
                        "shape compatible with %s", fn->name, index,
                        pts_shape_str(g->ndim, g->shape, a, sizeof a), pts_shape_str(m->ndim, m->shape, b, sizeof b));
    }
    PtsTensor *r, *re;
    PTS_TRY(pts_ag_sum_to(g, m->ndim, m->shape, err, &r));
    /* a real input whose gradient came through complex ops gets the real part (torch's
     * validate_outputs / handle_r_to_c) */
    if (pts_dtype_is_complex(r->dtype) && !pts_dtype_is_complex(m->dtype)) {
        PtsStatus s = pts_ag_call1(PTS_AG_REAL, r, err, &re);
        pts_tensor_release(r);
        PTS_TRY(s);
        r = re;
    }
    PtsStatus s = pts_ag_cast(r, m->dtype, err, out);
    pts_tensor_release(r);
    return s;
}

/* .grad += g for a leaf (or a non-leaf given in backward(inputs=...)). Under the lock so that
 * concurrent backward passes into one leaf add up; nothing is freed while it is held (a freed
 * NumPy-backed storage takes the GIL, which a thread waiting for the lock may hold). */
static PtsStatus accumulate(PtsTensor *var, PtsTensor *g, bool create_graph, PtsError *err) {
    PtsAutogradMeta *m = pts_meta_get(var, err);
    if (!m) return err->code;
    PtsStatus s = PTS_OK;
    pts_autograd_lock();
    PtsTensor *old = m->grad, *nw = NULL;
    if (!old) {
        /* keep g itself when nothing else can see it, else a private copy */
        bool private = atomic_load(&g->refcnt) == 1 && atomic_load(&g->storage->refcnt) == 1 &&
                       !g->autograd && pts_tensor_is_contiguous(g) && !(g->flags & PTS_TF_WRAPPED_NUMBER);
        if (create_graph || private) nw = pts_tensor_retain(g);
        else s = pts_tensor_to(g, g->dtype, true, err, &nw);
    } else if (!create_graph && !pts_requires_grad(old)) {
        PtsValue a[3] = { pts_vtensor(old), pts_vtensor(g), pts_vint(1) }, r[PTS_MAX_RETS];
        for (int k = 0; k < PTS_MAX_RETS; k++) r[k] = pts_none();
        s = pts_op_kernel(PTS_OP_ADD__TENSOR, a, r, err);   /* in place, as PyTorch: old grad objects see it */
        for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&r[k]);   /* +1 on old: not a free */
        if (!s) nw = pts_tensor_retain(old);
    } else {
        s = pts_ag_add(old, g, err, &nw);
    }
    if (!s) m->grad = nw;
    pts_autograd_unlock();
    if (!s) pts_tensor_release(old);
    return s;
}

/* retain_grad(): the gradient flowing into output k of fn, copied into the tensor's .grad */
static PtsStatus run_retain_hooks(PtsNode *fn, PtsTensor **buf, PtsError *err) {
    if (!fn->retains) return PTS_OK;
    PtsStatus s = PTS_OK;
    pts_autograd_lock();
    int n = 0;
    for (PtsRetainHook *h = fn->retains; h; h = h->next) n++;
    PtsTensor **drop = pts_calloc((size_t)n, sizeof *drop);   /* old grads, freed after unlocking */
    if (!drop) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    int k = 0;
    for (PtsRetainHook *h = fn->retains; h && !s; h = h->next) {
        PtsTensor *g = buf[h->output_nr], *nw;
        if (!g) continue;
        if (!h->meta->grad) s = pts_tensor_to(g, g->dtype, true, err, &nw);
        else s = pts_ag_add(h->meta->grad, g, err, &nw);
        if (!s) {
            drop[k++] = h->meta->grad;
            h->meta->grad = nw;
        }
    }
    pts_autograd_unlock();
    for (int i = 0; i < k; i++) pts_tensor_release(drop[i]);
    pts_free(drop);
    return s;
}

/* Run fn's formula on the output gradients go (NULL entries: zeros), its kept values unpacked;
 * gi[nnext] receives the input gradients (+1, NULL where none). Frees the kept values unless
 * retain_graph. */
static PtsStatus run_formula(PtsNode *fn, PtsTensor *const *go_in, PtsTensor **gi, bool retain_graph,
                             PtsError *err) {
    PtsStatus s = PTS_OK;
    int nargs = fn->nargs, nout = fn->nout;
    PtsValue *args = pts_calloc((size_t)(nargs ? nargs : 1), sizeof *args);
    PtsTensor **res = pts_calloc((size_t)(nout ? nout : 1), sizeof *res);
    PtsTensor **go = pts_calloc((size_t)(nout ? nout : 1), sizeof *go);
    if (!args || !res || !go) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    for (int k = 0; k < nout; k++) {
        if (go_in[k]) go[k] = pts_tensor_retain(go_in[k]);
        else if ((s = pts_ag_fill(&fn->out_meta[k], 0.0, err, &go[k]))) goto done;
    }
    for (int i = 0; i < nargs; i++) {
        int slot = fn->arg_saved[i];
        if (slot < 0) { args[i] = pts_value_retain(fn->args[i]); continue; }
        if (!fn->arg_list[i]) {
            PtsTensor *u;
            if ((s = pts_saved_unpack(fn, slot, err, &u))) goto done;
            args[i] = u ? pts_vtensor(u) : pts_none();
            continue;
        }
        if ((s = pts_list_new(PTS_V_LIST, fn->arg_nedge[i], err, &args[i]))) goto done;
        for (int j = 0; j < fn->arg_nedge[i]; j++) {
            PtsTensor *u;
            if ((s = pts_saved_unpack(fn, slot + j, err, &u))) goto done;
            if ((s = pts_list_append(args[i], u ? pts_vtensor(u) : pts_none(), err))) goto done;
        }
    }
    for (int k = 0; k < nout; k++)
        if (fn->out_saved[k] >= 0 && (s = pts_saved_unpack(fn, fn->out_saved[k], err, &res[k]))) goto done;
    PtsGradCtx ctx = { fn, args, res, go, gi, err, retain_graph };
    if ((s = fn->entry->fn(&ctx))) goto done;
    if (!retain_graph) pts_node_free_saved(fn);
done:
    if (args) for (int i = 0; i < nargs; i++) pts_value_release(&args[i]);
    if (res) for (int k = 0; k < nout; k++) pts_tensor_release(res[k]);
    if (go) for (int k = 0; k < nout; k++) pts_tensor_release(go[k]);
    pts_free(args);
    pts_free(res);
    pts_free(go);
    return s;
}

/* Run a formula node of the graph and deliver its input gradients, each reduced to its input's
 * shape and dtype, summed into the next node. */
static PtsStatus call_function(Graph *g, Task *t, bool retain_graph, PtsError *err) {
    PtsNode *fn = t->fn;
    int nnext = fn->nnext;
    PtsTensor **gi = pts_calloc((size_t)(nnext ? nnext : 1), sizeof *gi);
    if (!gi) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsStatus s = run_retain_hooks(fn, t->buf, err);
    if (!s) s = run_formula(fn, t->buf, gi, retain_graph, err);
    for (int e = 0; e < nnext && !s; e++) {
        if (!gi[e] || !fn->next[e].fn) continue;
        PtsTensor *v;
        if ((s = validate(fn, e, gi[e], &fn->in_meta[e], err, &v))) break;
        int ci = graph_find(g, fn->next[e].fn);
        if (ci < 0) { pts_tensor_release(v); continue; }
        s = buf_add(&g->tasks[ci].buf[fn->next[e].input_nr], v, err);
    }
    for (int e = 0; e < nnext; e++) pts_tensor_release(gi[e]);
    pts_free(gi);
    return s;
}

/* ================= views: CopySlices and regenerated view history =================
 * An in-place op on a view changes its base: the base's history becomes a CopySlices node that
 * runs the op's node on the view's part of the base gradient and passes the rest through. A
 * view whose base changed in place gets its history regenerated (AsStridedBackward0) from the
 * base's current one. Both map gradients by the view's storage geometry, as PyTorch's
 * as_strided does; they compute directly, so create_graph cannot go through them. */

/* zeros over a fresh storage laid out like the base's: the base-shaped tensor, and the view's
 * part of it */
static PtsStatus geom_tensors(const PtsViewGeom *vg, PtsError *err, PtsTensor **base, PtsTensor **view) {
    PtsStorage *st;
    *base = *view = NULL;
    PTS_TRY(pts_storage_new(vg->nbytes, err, &st));
    memset(st->data, 0, vg->nbytes);
    PtsStatus s = pts_tensor_from_storage(st, vg->dtype, vg->base_ndim, vg->base_shape, vg->base_strides,
                                          vg->base_offset, err, base);
    if (!s) s = pts_tensor_from_storage(st, vg->view_dtype, vg->view_ndim, vg->view_shape, vg->view_strides,
                                        vg->view_offset, err, view);
    pts_storage_release(st);
    if (s) {
        pts_tensor_release(*base);
        pts_tensor_release(*view);
        *base = *view = NULL;
    }
    return s;
}

static PtsStatus no_double_backward(PtsGradCtx *c) {
    if (pts_grad_enabled())
        return pts_fail(c->err, PTS_ERR_NOTIMPL,
                        "pyts autograd: create_graph through %s (an in-place operation on a view, or a "
                        "view of a tensor changed in place) is not supported", c->node->name);
    return PTS_OK;
}

/* AsStridedBackward0: g placed at the view's positions of a zero base-shaped gradient */
static PtsStatus as_strided_bw(PtsGradCtx *c) {
    PTS_TRY(no_double_backward(c));
    PtsTensor *b, *v;
    PTS_TRY(geom_tensors(c->node->geom, c->err, &b, &v));
    PtsStatus s = pts_tensor_copy_(v, c->go[0], c->err);
    pts_tensor_release(v);
    if (s) { pts_tensor_release(b); return s; }
    pts_ag_set_edge(c, 0, b);
    return PTS_OK;
}

/* CopySlices: the base gradient with the view's part replaced by what the in-place op's node
 * gives its self input; the op's other inputs get their gradients through */
static PtsStatus copy_slices_bw(PtsGradCtx *c) {
    PTS_TRY(no_double_backward(c));
    PtsNode *fn = c->node->inner;
    PtsTensor *b = NULL, *v = NULL, *slice = NULL, *self_g = NULL;
    PtsTensor **gi = pts_calloc((size_t)(fn->nnext ? fn->nnext : 1), sizeof *gi);
    PtsStatus s;
    if (!gi) return pts_fail(c->err, PTS_ERR_NOMEM, "out of memory");
    if ((s = geom_tensors(c->node->geom, c->err, &b, &v)) || (s = pts_tensor_copy_(b, c->go[0], c->err)) ||
        (s = pts_tensor_to(v, v->dtype, true, c->err, &slice)) ||
        (s = run_formula(fn, &slice, gi, c->retain_graph, c->err)))
        goto done;
    if (gi[0]) {
        if ((s = validate(fn, 0, gi[0], &fn->in_meta[0], c->err, &self_g)) || (s = pts_tensor_copy_(v, self_g, c->err)))
            goto done;
    } else {
        PtsTensor *z;
        if ((s = pts_tensor_scalar_f64(v->dtype, 0.0, c->err, &z))) goto done;
        s = pts_tensor_copy_(v, z, c->err);
        pts_tensor_release(z);
        if (s) goto done;
    }
    pts_ag_set_edge(c, 0, b);
    b = NULL;
    for (int e = 1; e < fn->nnext; e++) {
        pts_ag_set_edge(c, e, gi[e]);
        gi[e] = NULL;
    }
done:
    for (int e = 0; e < fn->nnext; e++) pts_tensor_release(gi[e]);
    pts_free(gi);
    pts_tensor_release(b);
    pts_tensor_release(v);
    pts_tensor_release(slice);
    pts_tensor_release(self_g);
    return s;
}

static const PtsGradEntry as_strided_entry = { "", "AsStridedBackward0", NULL, "", as_strided_bw };
static const PtsGradEntry copy_slices_entry = { "", "CopySlices", NULL, "", copy_slices_bw };

static PtsStatus geom_of(const PtsTensor *base, const PtsTensor *view, PtsError *err, PtsViewGeom **out) {
    PtsViewGeom *g = pts_calloc(1, sizeof *g);
    if (!g) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    g->dtype = base->dtype;
    g->view_dtype = view->dtype;   /* x.real of a complex x: a float view of complex storage */
    g->nbytes = base->storage->nbytes;
    g->base_ndim = base->ndim;
    memcpy(g->base_shape, base->shape, sizeof g->base_shape);
    memcpy(g->base_strides, base->strides, sizeof g->base_strides);
    g->base_offset = base->offset;
    g->view_ndim = view->ndim;
    memcpy(g->view_shape, view->shape, sizeof g->view_shape);
    memcpy(g->view_strides, view->strides, sizeof g->view_strides);
    g->view_offset = view->offset;
    *out = g;
    return PTS_OK;
}

PtsStatus pts_view_regenerate(PtsTensor *view, PtsError *err) {
    PtsAutogradMeta *m = view->autograd;
    PtsNode *n;
    PTS_TRY(pts_grad_node_new(as_strided_entry.name, 1, 1, 0, err, &n));
    n->entry = &as_strided_entry;
    n->arg_edge[0] = 0;
    n->arg_nedge[0] = 1;
    pts_meta_tensor(m->base, &n->in_meta[0]);
    pts_meta_tensor(view, &n->out_meta[0]);
    PtsStatus s = geom_of(m->base, view, err, &n->geom);
    if (!s) s = pts_edge_of(m->base, err, &n->next[0]);
    if (!s) s = pts_set_history(view, n, 0, err);
    pts_node_release(n);
    return s;
}

PtsStatus pts_view_rebase(PtsTensor *view, PtsError *err) {
    PtsAutogradMeta *m = view->autograd;
    PtsNode *fn = pts_grad_fn_get(view), *cs = NULL;
    if (!fn) return PTS_OK;
    PtsStatus s = pts_grad_node_new(copy_slices_entry.name, fn->nnext, 1, 0, err, &cs);
    if (s) goto done;
    cs->entry = &copy_slices_entry;
    cs->inner = pts_node_retain(fn);
    for (int e = 0; e < fn->nnext; e++) {
        cs->in_meta[e] = fn->in_meta[e];
        if (e > 0) cs->next[e] = (PtsEdge){ pts_node_retain(fn->next[e].fn), fn->next[e].input_nr };
    }
    pts_meta_tensor(m->base, &cs->in_meta[0]);
    pts_meta_tensor(m->base, &cs->out_meta[0]);
    if ((s = geom_of(m->base, view, err, &cs->geom)) || (s = pts_edge_of(m->base, err, &cs->next[0])) ||
        (s = pts_set_history(m->base, cs, 0, err)))
        goto done;
    s = pts_view_regenerate(view, err);   /* the view now reads the base's new history */
done:
    pts_node_release(fn);
    pts_node_release(cs);
    return s;
}

typedef struct Target {
    PtsNode *fn;          /* +1: where the gradient of input i arrives */
    int nr;               /* which of fn's outputs */
    int task;             /* its task, -1 when not in the graph (unused input) */
    PtsTensor *grad;      /* +1 captured gradient */
} Target;

static PtsStatus root_grad(int i, PtsTensor *root, PtsTensor *given, PtsError *err, PtsTensor **out) {
    *out = NULL;
    if (!given) {
        PTS_CHECK(pts_numel(root) == 1, err, RUNTIME, "grad can be implicitly created only for scalar outputs");
        PTS_CHECK(!pts_dtype_is_complex(root->dtype), err, RUNTIME,
                  "grad can be implicitly created only for real scalar outputs but got pyts.%s",
                  pts_dtype_name(root->dtype));
        PtsTensorMeta m;
        pts_meta_tensor(root, &m);
        return pts_ag_fill(&m, 1.0, err, out);
    }
    if (given->ndim != root->ndim ||
        memcmp(given->shape, root->shape, sizeof(int64_t) * (size_t)root->ndim) != 0) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Mismatch in shape: grad_output[%d] has a shape of pyts.Size(%s) and output[%d] "
                        "has a shape of pyts.Size(%s).",
                        i, pts_shape_str(given->ndim, given->shape, a, sizeof a), i,
                        pts_shape_str(root->ndim, root->shape, b, sizeof b));
    }
    if (pts_dtype_is_complex(given->dtype) != pts_dtype_is_complex(root->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "For complex Tensors, both grad_output and output are required to have the same "
                        "dtype. Mismatch in dtype: grad_output[%d] has a dtype of pyts.%s and output[%d] has "
                        "a dtype of pyts.%s.", i, pts_dtype_name(given->dtype), i, pts_dtype_name(root->dtype));
    return pts_ag_cast(given, root->dtype, err, out);
}

static PtsStatus engine_run(int n, PtsTensor *const *roots, PtsTensor *const *grads,
                            bool retain_graph, bool create_graph, int ninputs,
                            PtsTensor *const *inputs, bool accumulate_mode, PtsTensor **results,
                            PtsError *err) {
    Graph g = { 0 };
    Target *tg = NULL;
    int *order = NULL, *stack = NULL;
    PtsStatus s = PTS_OK;
    bool prev_mode = pts_grad_enabled();
    if (n <= 0) return pts_fail(err, PTS_ERR_RUNTIME, "backward expects at least one tensor");
    if (ninputs > 0 && !(tg = pts_calloc((size_t)ninputs, sizeof *tg)))
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");

    /* 1. roots and their gradients, fed into the roots' nodes */
    for (int i = 0; i < n && !s; i++) {
        PtsEdge e;
        if ((s = pts_edge_of(roots[i], err, &e))) break;
        if (!e.fn) {
            s = pts_fail(err, PTS_ERR_RUNTIME,
                         "element %d of tensors does not require grad and does not have a grad_fn", i);
            break;
        }
        PtsTensor *rg;
        int ti;
        bool added;
        if (!(s = root_grad(i, roots[i], grads ? grads[i] : NULL, err, &rg)) &&
            !(s = graph_add(&g, e.fn, err, &ti, &added)))
            s = buf_add(&g.tasks[ti].buf[e.input_nr], rg, err);
        else if (!s) pts_tensor_release(rg);
        pts_node_release(e.fn);
    }
    /* 2. where the gradients of the inputs arrive */
    for (int i = 0; i < ninputs && !s; i++) {
        PtsTensor *t = inputs[i];
        if (!pts_requires_grad(t)) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "One of the differentiated Tensors does not require grad");
            break;
        }
        PtsEdge e;
        if ((s = pts_edge_of(t, err, &e))) break;
        tg[i].fn = e.fn;
        tg[i].nr = e.input_nr;
        tg[i].task = -1;
    }
    if (s) goto done;

    /* 3. discover the graph (iteratively: graphs can be long chains) and count dependencies */
    stack = pts_malloc(sizeof *stack * (size_t)(g.n > 0 ? g.n : 1));
    int cap_stack = g.n > 0 ? g.n : 1, sp = 0;
    if (!stack) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    for (int i = 0; i < g.n; i++) stack[sp++] = i;
    while (sp > 0 && !s) {
        int ti = stack[--sp];
        PtsNode *fn = g.tasks[ti].fn;
        for (int e = 0; e < fn->nnext; e++) {
            PtsNode *child = fn->next[e].fn;
            if (!child) continue;
            int ci;
            bool added;
            if ((s = graph_add(&g, child, err, &ci, &added))) break;
            g.tasks[ci].deps++;
            if (added) {
                if (sp == cap_stack) {
                    int *ns = pts_realloc(stack, sizeof *stack * (size_t)cap_stack * 2);
                    if (!ns) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); break; }
                    stack = ns;
                    cap_stack *= 2;
                }
                stack[sp++] = ci;
            }
        }
    }
    if (s) goto done;

    /* 4. topological order (Kahn): a node runs after every node that sends it a gradient */
    order = pts_malloc(sizeof *order * (size_t)(g.n ? g.n : 1));
    if (!order) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    int head = 0, tail = 0;
    {
        int *deps = stack;   /* reuse: the discovery stack is empty now */
        if (cap_stack < g.n) {
            int *ns = pts_realloc(stack, sizeof *stack * (size_t)g.n);
            if (!ns) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
            stack = deps = ns;
        }
        for (int i = 0; i < g.n; i++) {
            deps[i] = g.tasks[i].deps;
            if (!deps[i]) order[tail++] = i;
        }
        while (head < tail) {
            PtsNode *fn = g.tasks[order[head++]].fn;
            for (int e = 0; e < fn->nnext; e++) {
                if (!fn->next[e].fn) continue;
                int ci = graph_find(&g, fn->next[e].fn);
                if (--deps[ci] == 0) order[tail++] = ci;
            }
        }
    }

    /* 5. which nodes must run: all for a plain backward; else only those on a path to an input */
    for (int i = 0; i < ninputs; i++) {
        tg[i].task = tg[i].fn ? graph_find(&g, tg[i].fn) : -1;
        if (tg[i].task < 0) continue;
        Task *t = &g.tasks[tg[i].task];
        t->reach = true;
        if (accumulate_mode && t->fn->variable) t->exec_target = true;
    }
    for (int k = tail - 1; k >= 0; k--) {
        Task *t = &g.tasks[order[k]];
        if (ninputs == 0) { t->needed = true; continue; }
        bool child_reach = false;
        for (int e = 0; e < t->fn->nnext; e++) {
            if (!t->fn->next[e].fn) continue;
            if (g.tasks[graph_find(&g, t->fn->next[e].fn)].reach) child_reach = true;
        }
        t->needed = t->exec_target || child_reach;
        if (child_reach) t->reach = true;
    }

    /* 6. run */
    pts_set_grad_enabled(create_graph);
    for (int k = 0; k < tail && !s; k++) {
        Task *t = &g.tasks[order[k]];
        for (int i = 0; i < ninputs; i++)
            if (tg[i].task == order[k] && t->buf[tg[i].nr] && !tg[i].grad)
                tg[i].grad = pts_tensor_retain(t->buf[tg[i].nr]);
        bool any = false;
        for (int o = 0; o < t->fn->nout; o++) any |= t->buf[o] != NULL;
        if (t->needed && any) {
            if (t->fn->variable) s = accumulate(t->fn->variable, t->buf[0], create_graph, err);
            else s = call_function(&g, t, retain_graph, err);
        }
        for (int o = 0; o < t->fn->nout; o++) {
            pts_tensor_release(t->buf[o]);
            t->buf[o] = NULL;
        }
    }
    pts_set_grad_enabled(prev_mode);
    if (s) goto done;

    /* 7. hand out the inputs' gradients */
    for (int i = 0; i < ninputs && !s; i++) {
        if (!accumulate_mode) {
            results[i] = tg[i].grad;
            tg[i].grad = NULL;
        } else if (tg[i].grad && !pts_is_leaf(inputs[i])) {
            /* backward(inputs=[non-leaf]) fills that tensor's .grad */
            s = accumulate(inputs[i], tg[i].grad, create_graph, err);
        }
    }

done:
    pts_set_grad_enabled(prev_mode);
    if (tg) {
        for (int i = 0; i < ninputs; i++) {
            pts_node_release(tg[i].fn);
            pts_tensor_release(tg[i].grad);
        }
        pts_free(tg);
    }
    pts_free(order);
    pts_free(stack);
    graph_free(&g);
    return s;
}

PtsStatus pts_autograd_backward(int n, PtsTensor *const *roots, PtsTensor *const *grads,
                                bool retain_graph, bool create_graph, int ninputs,
                                PtsTensor *const *inputs, PtsError *err) {
    return engine_run(n, roots, grads, retain_graph, create_graph, ninputs, inputs, true, NULL, err);
}

PtsStatus pts_autograd_grad(int n, PtsTensor *const *roots, PtsTensor *const *grads,
                            bool retain_graph, bool create_graph, int ninputs,
                            PtsTensor *const *inputs, bool allow_unused, PtsTensor **results,
                            PtsError *err) {
    for (int i = 0; i < ninputs; i++) results[i] = NULL;
    PtsStatus s = engine_run(n, roots, grads, retain_graph, create_graph, ninputs, inputs, false,
                             results, err);
    for (int i = 0; i < ninputs && !s; i++)
        if (!results[i] && !allow_unused)
            s = pts_fail(err, PTS_ERR_RUNTIME,
                         "The differentiated Tensor at index %d appears to not have been used in the "
                         "graph. Set allow_unused=True if this is the desired behavior.", i);
    if (s)
        for (int i = 0; i < ninputs; i++) {
            pts_tensor_release(results[i]);
            results[i] = NULL;
        }
    return s;
}

/* ================= init ================= */

static void meta_free_hook(struct PtsAutogradMeta *m) { pts_autograd_meta_free(m); }

PtsStatus pts_autograd_init(PtsError *err) {
    PTS_TRY(pts_derivatives_init(err));
    pts_autograd_meta_free_hook = meta_free_hook;
    pts_dispatch_hook = pts_autograd_dispatch;
    return PTS_OK;
}
