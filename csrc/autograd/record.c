/* record.c: the dispatch hook that builds the graph. For a registry row whose inputs require grad
 * it checks in-place rules, keeps what the row's formula needs (derivatives.def: arguments by
 * name, results), runs the kernel with recording off for nested ops, and makes the node the
 * grad_fn of the outputs (an in-place op on a view also rebases the view's base). Composite rows
 * (no formula function) run with recording on so their inner ops record themselves; rows with
 * no line in derivatives.def get a NotImplemented node that fails only in backward. */
#include <stdio.h>

#include "autograd.h"

static PtsStatus run_nograd(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    bool prev = pts_tls_grad_enabled;
    pts_tls_grad_enabled = false;
    PtsStatus s = pts_op_kernel(id, args, out, err);
    pts_tls_grad_enabled = prev;
    return s;
}

/* Is argument i an input (not an out= destination)? */
static bool is_input_arg(const PtsSchema *s, int i) {
    return !(s->has_out && s->args[i].kwarg_only && s->args[i].type.write);
}

static bool any_requires_grad(const PtsSchema *s, const PtsValue *args) {
    for (int i = 0; i < s->nargs; i++) {
        if (!is_input_arg(s, i)) continue;
        if (args[i].tag == PTS_V_TENSOR && pts_requires_grad(args[i].u.t)) return true;
        if (args[i].tag == PTS_V_LIST) {
            /* only Tensor[] / Tensor?[] arguments: a generic list op (append, len, [i]...) never
             * records a gradient, and scanning its list on every call made append loops quadratic */
            PtsList *l = pts_as_list(args[i]);
            if (s->args[i].type.kind != PTS_T_TENSOR) continue;
            for (int64_t j = 0; j < l->len; j++)
                if (l->items[j].tag == PTS_V_TENSOR && pts_requires_grad(l->items[j].u.t)) return true;
        }
    }
    return false;
}

static PtsStatus check_inplace(PtsTensor *self, PtsError *err) {
    PtsAutogradMeta *m = self->autograd;
    if (!m) return PTS_OK;
    if (!m->grad_fn && m->requires_grad)
        return pts_fail(err, PTS_ERR_RUNTIME, "a leaf Variable that requires grad is being used in an in-place operation.");
    if (m->is_view && m->base && pts_is_leaf(m->base) && pts_requires_grad(m->base))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    return PTS_OK;
}

/* Visit the tensors of the input arguments in edge order. */
#define FOR_INPUT_TENSORS(s, args, I_, T_, BODY)                                               \
    for (int I_ = 0; I_ < (s)->nargs; I_++) {                                                  \
        if (!is_input_arg((s), I_)) continue;                                                  \
        if ((args)[I_].tag == PTS_V_TENSOR) {                                                  \
            PtsTensor *T_ = (args)[I_].u.t;                                                    \
            BODY                                                                               \
        } else if ((args)[I_].tag == PTS_V_LIST) {                                             \
            PtsList *l_ = pts_as_list((args)[I_]);                                             \
            for (int64_t j_ = 0; j_ < l_->len; j_++) {                                         \
                if (l_->items[j_].tag != PTS_V_TENSOR) continue;                               \
                PtsTensor *T_ = l_->items[j_].u.t;                                             \
                BODY                                                                           \
            }                                                                                  \
        }                                                                                      \
    }

/* Is a save spec item's condition unmet (no listed argument needs a gradient, or its bool
 * argument is true)? */
static bool skip_save(const PtsSaveItem *it, uint32_t needs, const PtsValue *args) {
    if (it->cond && !(it->cond & needs)) return true;
    return it->unless >= 0 && args[it->unless].tag == PTS_V_BOOL && args[it->unless].u.b;
}

/* Flattened tensor outputs: out[r] tensor, or each tensor of a list result. */
static int count_outputs(const PtsSchema *s, const PtsValue *out) {
    int n = 0;
    for (int r = 0; r < s->nret; r++) {
        if (out[r].tag == PTS_V_TENSOR) n++;
        else if (out[r].tag == PTS_V_LIST || out[r].tag == PTS_V_TUPLE) n += (int)pts_as_list(out[r])->len;
    }
    return n;
}

static PtsTensor *output_at(const PtsSchema *s, const PtsValue *out, int k) {
    for (int r = 0; r < s->nret; r++) {
        if (out[r].tag == PTS_V_TENSOR) {
            if (k == 0) return out[r].u.t;
            k--;
        } else if (out[r].tag == PTS_V_LIST || out[r].tag == PTS_V_TUPLE) {
            PtsList *l = pts_as_list(out[r]);
            if (k < l->len) return l->items[k].tag == PTS_V_TENSOR ? l->items[k].u.t : NULL;
            k -= (int)l->len;
        }
    }
    return NULL;
}

/* Record row id with formula e. composite_done: the (composite) kernel already ran with
 * recording on; outputs its inner ops left without history get e's node (NotImplemented). */
static PtsStatus record(PtsOpId id, const PtsGradEntry *e, PtsValue *args, PtsValue *out,
                        bool composite_done, PtsError *err) {
    const PtsSchema *s = &pts_op_info[id].schema;
    const PtsSaveSpec *sp = composite_done ? pts_grad_saves(PTS_OP__COUNT) : pts_grad_entry_saves(e, id);
    bool inplace = s->inplace;
    PtsStatus st = PTS_OK;
    PtsEdge *edges = NULL;
    PtsTensorMeta *in_meta = NULL;
    PtsSaved *saved = NULL;
    PtsNode *node = NULL;
    bool ran = false;
    int nsaved = 0, cap_saved = 0;
    int16_t arg_edge[PTS_MAX_ARGS], arg_nedge[PTS_MAX_ARGS], arg_saved[PTS_MAX_ARGS];
    uint32_t needs = 0;   /* bit i: argument i needs a gradient */

    /* 1. edges of every tensor input (the old history of self for in-place rows) */
    int nedge = 0;
    FOR_INPUT_TENSORS(s, args, i, t, { (void)t; nedge++; })
    edges = pts_calloc((size_t)(nedge ? nedge : 1), sizeof *edges);
    in_meta = pts_calloc((size_t)(nedge ? nedge : 1), sizeof *in_meta);
    if (!edges || !in_meta) { st = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
    for (int i = 0; i < PTS_MAX_ARGS; i++) arg_edge[i] = arg_saved[i] = -1, arg_nedge[i] = 0;
    {
        int k = 0;
        FOR_INPUT_TENSORS(s, args, i, t, {
            if (arg_edge[i] < 0) arg_edge[i] = (int16_t)k;
            arg_nedge[i]++;
            pts_meta_tensor(t, &in_meta[k]);
            if (pts_ag_dtype_ok(t->dtype) && pts_requires_grad(t)) {
                if ((st = pts_edge_of(t, err, &edges[k]))) goto fail;
                if (edges[k].fn) needs |= 1u << i;
            }
            k++;
        })
    }

    /* 2. inputs to keep, taken before the kernel runs: their versions are checked in backward */
    for (int q = 0; q < sp->n; q++) cap_saved += sp->s[q].output ? 1 : 0;
    FOR_INPUT_TENSORS(s, args, i, t, { (void)t; cap_saved++; })
    saved = pts_calloc((size_t)(cap_saved ? cap_saved : 1), sizeof *saved);
    if (!saved) { st = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
    for (int q = 0; q < sp->n; q++) {
        if (sp->s[q].output || skip_save(&sp->s[q], needs, args)) continue;
        int i = sp->s[q].idx;
        if (arg_saved[i] >= 0) continue;
        if (args[i].tag == PTS_V_TENSOR) {
            PtsTensor *t = args[i].u.t;
            arg_saved[i] = (int16_t)nsaved;
            PtsSaved *sv = &saved[nsaved++];
            if (inplace && i == 0) {
                /* the original self, before the kernel overwrites it, with its old history */
                if ((st = pts_tensor_to(t, t->dtype, true, err, &sv->data))) goto fail;
                if (!pts_is_leaf(t) &&
                    (st = pts_set_history(sv->data, t->autograd->grad_fn, (int)t->autograd->output_nr, err)))
                    goto fail;
            } else {
                sv->data = pts_tensor_retain(t);
            }
            sv->version = atomic_load(&sv->data->storage->version);
        } else if (args[i].tag == PTS_V_LIST) {
            PtsList *l = pts_as_list(args[i]);
            arg_saved[i] = (int16_t)nsaved;
            for (int64_t j = 0; j < l->len; j++) {
                if (l->items[j].tag != PTS_V_TENSOR) continue;
                PtsSaved *sv = &saved[nsaved++];
                sv->data = pts_tensor_retain(l->items[j].u.t);
                sv->version = atomic_load(&sv->data->storage->version);
            }
        }
    }

    /* 3. the kernel, with nested ops not recorded */
    if (!composite_done && (st = run_nograd(id, args, out, err))) goto fail;
    ran = true;

    /* 4. the node */
    int nout = count_outputs(s, out);
    const char *name = e->name ? e->name : e->name_fn(args);
    if ((st = pts_grad_node_new(name, 0, nout, s->nargs, err, &node))) goto fail;
    node->entry = e;
    node->op = (int)id;
    pts_free(node->next);
    pts_free(node->in_meta);
    node->next = edges;
    node->in_meta = in_meta;
    node->nnext = nedge;
    edges = NULL;
    in_meta = NULL;
    memcpy(node->arg_edge, arg_edge, sizeof arg_edge);
    memcpy(node->arg_nedge, arg_nedge, sizeof arg_nedge);
    memcpy(node->arg_saved, arg_saved, sizeof arg_saved);
    for (int i = 0; i < s->nargs; i++) {
        /* tensors and Tensor[] are inputs (kept only as the save spec says); a Tensor?[] index
         * list is kept whole, None entries and all, like any other non-differentiable value */
        bool tensor_list = args[i].tag == PTS_V_LIST && s->args[i].type.kind == PTS_T_TENSOR &&
                           !s->args[i].type.elem_optional;
        node->args[i] = args[i].tag == PTS_V_TENSOR || tensor_list ? pts_none() : pts_value_retain(args[i]);
        node->arg_list[i] = tensor_list;
    }
    for (int k = 0; k < nout; k++) {
        PtsTensor *t = output_at(s, out, k);
        if (t) pts_meta_tensor(t, &node->out_meta[k]);
    }
    /* outputs to keep: bare aliases, re-attached to the node when unpacked */
    for (int q = 0; q < sp->n; q++) {
        if (!sp->s[q].output || skip_save(&sp->s[q], needs, args)) continue;
        int k = sp->s[q].idx;
        PtsTensor *t = k < nout ? output_at(s, out, k) : NULL;
        if (!t || node->out_saved[k] >= 0) continue;
        PtsSaved *sv = &saved[nsaved];
        if ((st = pts_detach(t, err, &sv->data))) goto fail;
        sv->version = atomic_load(&t->storage->version);
        sv->is_output = true;
        sv->output_nr = k;
        node->out_saved[k] = (int16_t)nsaved++;
    }
    node->saved = saved;
    node->nsaved = nsaved;
    node->had_saved = nsaved > 0;
    saved = NULL;

    /* 5. history of the outputs. A result that is one of the inputs itself (an op that returned
     * its argument unchanged) keeps its own history. */
    for (int k = 0; k < nout; k++) {
        PtsTensor *t = output_at(s, out, k);
        if (!t || !pts_ag_dtype_ok(t->dtype)) continue;
        if (composite_done && !pts_is_leaf(t)) continue;   /* the inner ops recorded it */
        if (!inplace) {
            bool alias = false;
            FOR_INPUT_TENSORS(s, args, i, a, { if (a == t) alias = true; })
            if (alias) continue;
        }
        if ((st = pts_set_history(t, node, k, err))) goto fail;
        if ((pts_op_info[id].flags & PTS_F_VIEW) && !inplace && s->nargs > 0 &&
            args[0].tag == PTS_V_TENSOR) {
            PtsAutogradMeta *m = t->autograd;
            PtsTensor *self = args[0].u.t;
            PtsTensor *base = self->autograd && self->autograd->is_view && self->autograd->base
                                  ? self->autograd->base : self;
            m->is_view = true;
            pts_tensor_release(m->base);
            m->base = pts_tensor_retain(base);
        }
    }
    pts_node_release(node);
    return PTS_OK;

fail:
    if (ran)
        for (int r = 0; r < s->nret; r++) pts_value_release(&out[r]);
    if (edges)
        for (int k = 0; k < nedge; k++) pts_node_release(edges[k].fn);
    if (saved)
        for (int k = 0; k < cap_saved; k++) pts_tensor_release(saved[k].data);
    pts_free(edges);
    pts_free(in_meta);
    pts_free(saved);
    pts_node_release(node);
    return st;
}

/* A complex tensor among the values (arguments or results). */
static bool any_complex(int n, const PtsValue *v) {
    for (int i = 0; i < n; i++) {
        if (v[i].tag == PTS_V_TENSOR && pts_dtype_is_complex(v[i].u.t->dtype)) return true;
        if (v[i].tag == PTS_V_LIST) {
            PtsList *l = pts_as_list(v[i]);
            for (int64_t j = 0; j < l->len; j++)
                if (l->items[j].tag == PTS_V_TENSOR && pts_dtype_is_complex(l->items[j].u.t->dtype)) return true;
        }
    }
    return false;
}

/* Does a call of row id involve complex values: a complex tensor, a complex number or a complex
 * ScalarType among its arguments? Then the row's complex formula records it. */
static bool complex_call(const PtsSchema *s, const PtsValue *args) {
    if (any_complex(s->nargs, args)) return true;
    for (int i = 0; i < s->nargs; i++) {
        if (args[i].tag == PTS_V_COMPLEX) return true;
        if (s->args[i].type.kind == PTS_T_SCALARTYPE && args[i].tag == PTS_V_INT &&
            pts_dtype_is_complex((PtsDType)args[i].u.i))
            return true;
    }
    return false;
}

/* A complex call of a row without a complex formula: the kernel's own error when it has no
 * complex kernel either (torch's message, as without autograd), else pyts's refusal. */
static PtsStatus refuse_complex(PtsOpId id, PtsValue *args, PtsError *err) {
    const PtsSchema *s = &pts_op_info[id].schema;
    PtsValue out[PTS_MAX_RETS];
    for (int r = 0; r < PTS_MAX_RETS; r++) out[r] = pts_none();
    if (!s->inplace && !s->has_out) {
        PTS_TRY(run_nograd(id, args, out, err));
        for (int r = 0; r < PTS_MAX_RETS; r++) pts_value_release(&out[r]);
    }
    return pts_fail(err, PTS_ERR_NOTIMPL,
                    "pyts autograd: %s%s%s has no complex gradient formula yet (an input that requires "
                    "grad met a complex value)", s->qualname, s->overload[0] ? "." : "", s->overload);
}

static PtsStatus dispatch(PtsOpId id, PtsValue *args, PtsValue *out, const PtsGradEntry *ce, PtsError *err);

PtsStatus pts_autograd_dispatch(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    const PtsOpInfo *info = &pts_op_info[id];
    const PtsSchema *s = &info->schema;
    if (!pts_tls_grad_enabled || !any_requires_grad(s, args)) return run_nograd(id, args, out, err);
    if (info->flags & PTS_F_NODIFF) return dispatch(id, args, out, NULL, err);
    /* complex values: the row's complex formula (formulas_complex.c), refused when it has none */
    const PtsGradEntry *ce = NULL;
    if (complex_call(s, args) && !(ce = pts_cx_grad_entry(id))) return refuse_complex(id, args, err);
    PTS_TRY(dispatch(id, args, out, ce, err));
    /* a real call that made a complex result through a row without a complex formula */
    if (!ce && any_complex(s->nret, out) && !pts_cx_grad_entry(id)) {
        for (int r = 0; r < s->nret; r++) pts_value_release(&out[r]);
        return pts_fail(err, PTS_ERR_NOTIMPL, "pyts autograd: %s%s%s has no complex gradient formula yet (an "
                        "input that requires grad made a complex result)", s->qualname,
                        s->overload[0] ? "." : "", s->overload);
    }
    return PTS_OK;
}

static PtsStatus dispatch(PtsOpId id, PtsValue *args, PtsValue *out, const PtsGradEntry *ce, PtsError *err) {
    const PtsOpInfo *info = &pts_op_info[id];
    const PtsSchema *s = &info->schema;
    if (s->has_out)
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "%s(): functions with out=... arguments don't support automatic "
                        "differentiation, but one of the arguments requires grad.", s->name);
    PtsTensor *self = s->inplace ? args[0].u.t : NULL;
    if (self) PTS_TRY(check_inplace(self, err));
    const PtsGradEntry *e = ce ? ce : pts_grad_entry(id);
    if (info->flags & PTS_F_NODIFF) {
        /* an in-place row that overwrites values (fill_, zero_, uniform_) records a node with
         * zero gradient when it has a formula, as PyTorch does; otherwise it cuts the history */
        if (!self || !e || !e->fn) {
            PTS_TRY(run_nograd(id, args, out, err));
            if (self && pts_requires_grad(self)) pts_detach_(self, err);
            return PTS_OK;
        }
    }
    /* a row without a formula still runs, as in PyTorch: its node raises only in backward */
    if (!e) e = &pts_not_implemented_entry;
    if (!e->fn) {
        /* composite: the inner ops record themselves; a result they left without history (a
         * path computed directly) gets a NotImplemented node so backward cannot skip it */
        PTS_TRY(pts_op_kernel(id, args, out, err));
        return record(id, &pts_not_implemented_entry, args, out, true, err);
    }
    PTS_TRY(record(id, e, args, out, false, err));
    /* an in-place op on a view changed its base too */
    if (self && self->autograd && self->autograd->is_view && self->autograd->base && !pts_is_leaf(self)) {
        PtsStatus st = pts_view_rebase(self, err);
        if (st) {
            for (int r = 0; r < s->nret; r++) pts_value_release(&out[r]);
            return st;
        }
    }
    return PTS_OK;
}
