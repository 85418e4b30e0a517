/* passes.c: graph copy and the optimisation passes: call inlining (behind `.inlined_graph`),
 * constant pooling, constant propagation, dead code elimination and common subexpression
 * elimination. They follow TorchScript's passes of the same names closely enough that an inlined
 * graph prints as PyTorch prints it (value numbering, debug-name stealing, constant hoisting). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ir.h"

#define PRIM(p) PTS_KIND_PRIM(PTS_PRIM_##p)
#define MAX_INLINE_DEPTH 64

static PtsStatus oom(PtsError *err) { return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }

/* ================= debug names with TorchScript's semantics =================
 * Value::setDebugName: a name already held by another value moves that value to the next free
 * `base.N`; a per-graph table remembers the last suffix handed out per base. */
typedef struct Suffix { const char *base; int next; } Suffix;
typedef struct Namer {
    PtsGraph *g;
    Suffix *sfx;
    int nsfx, capsfx;
} Namer;

static bool same_name(const PtsIrValue *v, const char *base, int suffix) {
    return v->name && v->name_suffix == suffix && strcmp(v->name, base) == 0;
}

static PtsIrValue *find_in_block(PtsBlock *b, const char *base, int suffix, const PtsIrValue *skip) {
    for (int i = 0; i < b->ninputs; i++)
        if (b->inputs[i] != skip && same_name(b->inputs[i], base, suffix)) return b->inputs[i];
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++)
            if (n->outputs[i] != skip && same_name(n->outputs[i], base, suffix)) return n->outputs[i];
        for (int i = 0; i < n->nblocks; i++) {
            PtsIrValue *r = find_in_block(n->blocks[i], base, suffix, skip);
            if (r) return r;
        }
    }
    return NULL;
}

static PtsStatus set_debug_name(Namer *nm, PtsIrValue *v, const char *base, int suffix, PtsError *err) {
    if (!base) return PTS_OK;
    PtsGraph *g = nm->g;
    const char *b = pts_graph_intern(g, base);
    if (!b) return oom(err);
    PtsIrValue *owner = find_in_block(g->top, b, suffix, v);
    if (owner) {
        int s = suffix ? suffix : 1;
        int k;
        for (k = 0; k < nm->nsfx; k++) if (strcmp(nm->sfx[k].base, b) == 0) break;
        if (k < nm->nsfx && nm->sfx[k].next + 1 > s) s = nm->sfx[k].next + 1;
        while (find_in_block(g->top, b, s, NULL)) s++;
        if (k == nm->nsfx) {
            if (nm->nsfx == nm->capsfx) {
                int cap = nm->capsfx ? nm->capsfx * 2 : 8;
                Suffix *n = pts_realloc(nm->sfx, sizeof *n * (size_t)cap);
                if (!n) return oom(err);
                nm->sfx = n;
                nm->capsfx = cap;
            }
            nm->sfx[nm->nsfx++] = (Suffix){ b, 0 };
        }
        nm->sfx[k].next = s + 1;
        owner->name_suffix = s;
    }
    v->name = (char *)b;
    v->name_suffix = suffix;
    return PTS_OK;
}

/* The tracer's naming (Value::setDebugName on one growing graph): the graph's own name table
 * holds the per-base suffix TorchScript keeps in name_base_suffix_. */
void pts_value_steal_name(PtsGraph *g, PtsIrValue *v, const char *name) {
    if (!name || !*name) return;
    for (const char *p = name; *p; p++) if (*p < '0' || *p > '9') goto named;
    return;   /* plain numbers would collide with value ids */
named:;
    const char *b = pts_graph_intern(g, name);
    if (!b) return;
    PtsIrValue *owner = find_in_block(g->top, b, 0, v);
    if (owner) {
        int i;
        for (i = 0; i < g->nnames; i++) if (strcmp(g->names[i], b) == 0) break;
        int s = 1;
        if (i < g->nnames && g->name_counts[i] + 1 > s) s = g->name_counts[i] + 1;
        while (find_in_block(g->top, b, s, NULL)) s++;
        /* register the base through the ordinary path, then record the next suffix */
        if (i == g->nnames) {
            PtsIrValue tmp = { 0 };
            pts_value_set_name(g, &tmp, b);
            for (i = 0; i < g->nnames; i++) if (strcmp(g->names[i], b) == 0) break;
            if (i == g->nnames) return;
        }
        g->name_counts[i] = s + 1;
        owner->name_suffix = s;
    }
    v->name = (char *)b;
    v->name_suffix = 0;
}

/* ================= cloning ================= */
typedef struct Cloner {
    Namer *nm;
    PtsIrValue **map;     /* source value id -> destination value */
    int nmap;
} Cloner;

static PtsIrValue *mapped(Cloner *c, const PtsIrValue *v, PtsError *err) {
    if (!v || v->id < 0 || v->id >= c->nmap || !c->map[v->id]) {
        pts_fail(err, PTS_ERR_INTERNAL, "graph copy: a value is used outside its definition's scope");
        return NULL;
    }
    return c->map[v->id];
}

static PtsStatus clone_into(Cloner *c, PtsBlock *dst, PtsNode *before, const PtsBlock *src, PtsError *err);

static PtsStatus clone_node(Cloner *c, PtsBlock *dst, PtsNode *before, const PtsNode *sn, PtsError *err) {
    PtsGraph *g = c->nm->g;
    PtsIrValue *ins[256];
    PtsType *ts[64];
    if (sn->ninputs > 256 || sn->noutputs > 64) return pts_fail(err, PTS_ERR_INTERNAL, "node too large to copy");
    for (int i = 0; i < sn->ninputs; i++)
        if (!(ins[i] = mapped(c, sn->inputs[i], err))) return err->code;
    for (int i = 0; i < sn->noutputs; i++) ts[i] = pts_type_retain(sn->outputs[i]->type);
    PtsNode *n = pts_node_new(g, dst, sn->kind, sn->ninputs, ins, sn->noutputs, ts);
    if (!n) return oom(err);
    if (before) pts_node_move_before(n, before);
    for (int i = 0; i < sn->nattrs; i++) {
        const PtsNodeAttr *a = &sn->attrs[i];
        PTS_TRY(pts_node_set_attr(g, n, a->name, (PtsAttrValKind)a->kind, pts_value_retain(a->v),
                                  a->type ? pts_type_retain(a->type) : NULL, err));
    }
    n->range = sn->range;
    if (sn->range.file && !(n->range.file = pts_graph_intern(g, sn->range.file))) return oom(err);
    if (sn->scope && !(n->scope = pts_graph_intern(g, sn->scope))) return oom(err);
    for (int i = 0; i < sn->noutputs; i++) {
        c->map[sn->outputs[i]->id] = n->outputs[i];
        PTS_TRY(set_debug_name(c->nm, n->outputs[i], sn->outputs[i]->name, sn->outputs[i]->name_suffix, err));
    }
    for (int k = 0; k < sn->nblocks; k++) {
        const PtsBlock *sb = sn->blocks[k];
        PtsBlock *nb = pts_node_add_block(g, n);
        if (!nb) return oom(err);
        for (int i = 0; i < sb->ninputs; i++) {
            PtsIrValue *v = pts_block_add_input(g, nb, pts_type_retain(sb->inputs[i]->type), NULL);
            if (!v) return oom(err);
            c->map[sb->inputs[i]->id] = v;
            PTS_TRY(set_debug_name(c->nm, v, sb->inputs[i]->name, sb->inputs[i]->name_suffix, err));
        }
        PTS_TRY(clone_into(c, nb, NULL, sb, err));
        for (int i = 0; i < sb->noutputs; i++) {
            PtsIrValue *v = mapped(c, sb->outputs[i], err);
            if (!v) return err->code;
            PTS_TRY(pts_block_add_output(g, nb, v, err));
        }
    }
    return PTS_OK;
}

static PtsStatus clone_into(Cloner *c, PtsBlock *dst, PtsNode *before, const PtsBlock *src, PtsError *err) {
    for (const PtsNode *n = src->first; n; n = n->next) PTS_TRY(clone_node(c, dst, before, n, err));
    return PTS_OK;
}

PtsStatus pts_graph_copy(const PtsGraph *src, PtsError *err, PtsGraph **out) {
    *out = NULL;
    PtsGraph *g = pts_graph_new();
    Namer nm = { g, NULL, 0, 0 };
    Cloner c = { &nm, pts_calloc((size_t)(src->next_value_id + 1), sizeof(PtsIrValue *)), src->next_value_id };
    if (!g || !c.map) { pts_graph_free(g); pts_free(c.map); return oom(err); }
    PtsStatus s = PTS_OK;
    for (int i = 0; i < src->top->ninputs && !s; i++) {
        const PtsIrValue *sv = src->top->inputs[i];
        PtsIrValue *v = pts_block_add_input(g, g->top, pts_type_retain(sv->type), NULL);
        if (!v) { s = oom(err); break; }
        c.map[sv->id] = v;
        s = set_debug_name(&nm, v, sv->name, sv->name_suffix, err);
    }
    if (!s) s = clone_into(&c, g->top, NULL, src->top, err);
    for (int i = 0; i < src->top->noutputs && !s; i++) {
        PtsIrValue *v = mapped(&c, src->top->outputs[i], err);
        s = v ? pts_block_add_output(g, g->top, v, err) : err->code;
    }
    pts_free(c.map);
    pts_free(nm.sfx);
    if (s) { pts_graph_free(g); return s; }
    *out = g;
    return PTS_OK;
}

/* ================= constant pooling ================= */
/* Tensor constants are equal as TorchScript compares them when pooling and when printing
 * CONSTANTS.cN: same dtype, sizes and strides and equal contents (here: equal bytes of a
 * contiguous tensor); tensors that need grad only to themselves. */
bool pts_ir_tensor_constants_equal(const PtsTensor *x, const PtsTensor *y) {
    if (x == y) return true;
    if (x->dtype != y->dtype || x->ndim != y->ndim) return false;
    if (((x->flags | y->flags) & PTS_TF_REQUIRES_GRAD) || x->autograd || y->autograd) return false;
    for (int i = 0; i < x->ndim; i++)
        if (x->shape[i] != y->shape[i] || x->strides[i] != y->strides[i]) return false;
    if (!pts_tensor_is_contiguous(x) || !pts_tensor_is_contiguous(y) || !x->storage || !y->storage) return false;
    size_t n = (size_t)pts_numel(x) * pts_dtype_size(x->dtype);
    return n == 0 || memcmp(pts_tensor_data(x), pts_tensor_data(y), n) == 0;
}

static bool ivalue_equal(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    switch (a.tag) {
    case PTS_V_NONE: return true;
    case PTS_V_BOOL: return a.u.b == b.u.b;
    case PTS_V_INT: case PTS_V_DEVICE: return a.u.i == b.u.i;
    case PTS_V_DOUBLE: return memcmp(&a.u.d, &b.u.d, sizeof(double)) == 0;
    case PTS_V_COMPLEX: return memcmp(&pts_as_complex(a)->re, &pts_as_complex(b)->re, sizeof(double)) == 0 &&
                               memcmp(&pts_as_complex(a)->im, &pts_as_complex(b)->im, sizeof(double)) == 0;
    case PTS_V_TENSOR: return pts_ir_tensor_constants_equal(a.u.t, b.u.t);
    case PTS_V_STR: return strcmp(pts_as_str(a)->data, pts_as_str(b)->data) == 0;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *x = pts_as_list(a), *y = pts_as_list(b);
        if (x->len != y->len) return false;
        for (int64_t i = 0; i < x->len; i++) if (!ivalue_equal(x->items[i], y->items[i])) return false;
        return true;
    }
    default: {
        /* enum members: the same member of the same class (the constants torch pools) */
        const PtsType *ta, *tb;
        const char *na, *nb;
        if (pts_enum_get(a, &ta, &na, NULL) && pts_enum_get(b, &tb, &nb, NULL))
            return strcmp(na, nb) == 0 && ta->name && tb->name && strcmp(ta->name, tb->name) == 0;
        return a.u.h == b.u.h;
    }
    }
}

static bool attrs_equal(const PtsNode *a, const PtsNode *b) {
    if (a->nattrs != b->nattrs) return false;
    for (int i = 0; i < a->nattrs; i++) {
        const PtsNodeAttr *x = &a->attrs[i], *y = &b->attrs[i];
        if (strcmp(x->name, y->name) != 0 || x->kind != y->kind) return false;
        if (x->kind == PTS_AV_TYPE) { if (!pts_type_equal(x->type, y->type)) return false; }
        else if (!ivalue_equal(x->v, y->v)) return false;
    }
    return true;
}

static bool constants_equal(const PtsNode *a, const PtsNode *b) {
    return pts_type_equal(a->outputs[0]->type, b->outputs[0]->type) && attrs_equal(a, b);
}

typedef struct NodeList { PtsNode **v; int n, cap; } NodeList;
static bool nl_push(NodeList *l, PtsNode *n) {
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        PtsNode **a = pts_realloc(l->v, sizeof *a * (size_t)cap);
        if (!a) return false;
        l->v = a;
        l->cap = cap;
    }
    l->v[l->n++] = n;
    return true;
}

/* One node of each kind-`kind` class (same() tells when two are interchangeable) at the top of
 * the graph, in first-use order; later equal ones are replaced by it. Shared by constant pooling
 * and the hoisting of uninitialized values. */
static PtsStatus hoist_block(PtsGraph *g, PtsBlock *b, NodeList *seen, int kind,
                             bool (*same)(const PtsNode *, const PtsNode *), PtsError *err) {
    for (PtsNode *n = b->first, *next; n; n = next) {
        next = n->next;
        if (n->nblocks) {
            /* a fork's body is a graph of its own in torch (a Subgraph attribute): left alone */
            if (n->kind == PRIM(FORK) || n->kind == PRIM(AWAITABLE)) continue;
            for (int i = 0; i < n->nblocks; i++) PTS_TRY(hoist_block(g, n->blocks[i], seen, kind, same, err));
            continue;
        }
        if (n->kind != kind || n->noutputs != 1) continue;
        PtsNode *first = NULL;
        for (int i = 0; i < seen->n && !first; i++) if (same(seen->v[i], n)) first = seen->v[i];
        if (first) {
            pts_value_replace_uses(n->outputs[0], first->outputs[0]);
            pts_node_destroy(n);
            continue;
        }
        if (!nl_push(seen, n)) return oom(err);
        /* each new one goes before the graph's first node, as TorchScript's pooling does */
        if (g->top->first != n) pts_node_move_before(n, g->top->first);
    }
    return PTS_OK;
}

PtsStatus pts_pass_constant_pooling(PtsGraph *g, PtsError *err) {
    NodeList seen = { 0 };
    PtsStatus s = hoist_block(g, g->top, &seen, PRIM(CONSTANT), constants_equal, err);
    pts_free(seen.v);
    return s;
}

/* ================= inlining ================= */
static PtsFunction *callee_of(const PtsNode *n) {
    if (n->kind == PRIM(CALLMETHOD)) {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        const PtsType *t = n->ninputs ? n->inputs[0]->type : NULL;
        if (!a || a->v.tag != PTS_V_STR || !t || t->kind != PTS_TY_CLASS || !t->cls) return NULL;
        if (t->cls->is_interface) return NULL;   /* dispatched at run time: nothing to inline */
        return pts_class_find_method(t->cls, pts_as_str(a->v)->data);
    }
    if (n->kind == PRIM(CALLFUNCTION)) {
        const PtsNodeAttr *a = pts_node_attr(n, "fn");
        return a && a->kind == PTS_AV_IVALUE ? pts_function_ref_get(a->v) : NULL;
    }
    return NULL;
}

static PtsStatus inline_graph(PtsGraph *g, Namer *nm, int depth, PtsError *err);

/* The callee as TorchScript inlines it: its graph copied, inlined itself and constant-pooled
 * (GraphFunction::optimized_graph). */
static PtsStatus optimized_callee(const PtsFunction *f, int depth, PtsError *err, PtsGraph **out) {
    PTS_TRY(pts_graph_copy(f->graph, err, out));
    Namer nm = { *out, NULL, 0, 0 };
    PtsStatus s = inline_graph(*out, &nm, depth + 1, err);
    pts_free(nm.sfx);
    if (!s) s = pts_pass_constant_pooling(*out, err);
    if (s) { pts_graph_free(*out); *out = NULL; }
    return s;
}

static PtsStatus inline_call(Namer *nm, PtsNode *call, PtsFunction *f, int depth, PtsError *err) {
    PtsGraph *cg;
    PTS_TRY(optimized_callee(f, depth, err, &cg));
    PtsStatus s = PTS_OK;
    if (cg->top->ninputs != call->ninputs || cg->top->noutputs != call->noutputs) {
        s = pts_fail(err, PTS_ERR_INTERNAL, "cannot inline %s: it takes %d arguments and returns %d values, the call "
                     "has %d and %d", f->name, cg->top->ninputs, cg->top->noutputs, call->ninputs, call->noutputs);
        goto done;
    }
    Cloner c = { nm, pts_calloc((size_t)(cg->next_value_id + 1), sizeof(PtsIrValue *)), cg->next_value_id };
    if (!c.map) { s = oom(err); goto done; }
    for (int i = 0; i < call->ninputs; i++) c.map[cg->top->inputs[i]->id] = call->inputs[i];
    s = clone_into(&c, call->owner, call, cg->top, err);
    for (int i = 0; i < call->noutputs && !s; i++) {
        PtsIrValue *nv = mapped(&c, cg->top->outputs[i], err), *old = call->outputs[i];
        if (!nv) { s = err->code; break; }
        if (old->name) s = set_debug_name(nm, nv, old->name, old->name_suffix, err);
        pts_value_replace_uses(old, nv);
    }
    pts_free(c.map);
    if (!s) pts_node_destroy(call);
done:
    pts_graph_free(cg);
    return s;
}

static PtsStatus inline_block(PtsGraph *g, Namer *nm, PtsBlock *b, int depth, PtsError *err) {
    for (PtsNode *n = b->first, *next; n; n = next) {
        next = n->next;
        PtsFunction *f = callee_of(n);
        if (f && f->graph) {
            if (depth >= MAX_INLINE_DEPTH)
                return pts_fail(err, PTS_ERR_RUNTIME, "cannot inline %s: calls nest deeper than %d (recursion?)",
                                f->name, MAX_INLINE_DEPTH);
            PTS_TRY(inline_call(nm, n, f, depth, err));
            continue;
        }
        /* nor inlined into (torch's Inline does not enter a fork's Subgraph) */
        if (n->kind == PRIM(FORK) || n->kind == PRIM(AWAITABLE)) continue;
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(inline_block(g, nm, n->blocks[i], depth, err));
    }
    return PTS_OK;
}

static PtsStatus inline_graph(PtsGraph *g, Namer *nm, int depth, PtsError *err) {
    return inline_block(g, nm, g->top, depth, err);
}

PtsStatus pts_pass_inline(PtsGraph *g, PtsError *err) {
    Namer nm = { g, NULL, 0, 0 };
    PtsStatus s = inline_graph(g, &nm, 0, err);
    pts_free(nm.sfx);
    return s;
}

PtsStatus pts_graph_inlined(const PtsGraph *src, PtsError *err, PtsGraph **out) {
    PTS_TRY(pts_graph_copy(src, err, out));
    PtsStatus s = pts_pass_inline(*out, err);
    if (!s) s = pts_graph_maybe_verify(*out, err);
    if (s) { pts_graph_free(*out); *out = NULL; }
    return s;
}

/* ================= effects ================= */
static bool op_writes(int kind) {
    const PtsSchema *s = &pts_op_info[kind].schema;
    if (s->inplace || s->has_out) return true;
    for (int i = 0; i < s->nargs; i++) if (s->args[i].type.write) return true;
    return false;
}

/* Nodes DCE must keep even when nothing reads their outputs. Nondeterministic ops stay too:
 * dropping an unused rand() would shift the generator's stream for the ops after it. */
static bool has_side_effects(const PtsNode *n) {
    /* an op returning nothing (aten::warn) runs only for its effect */
    if (pts_kind_is_op(n->kind))
        return op_writes(n->kind) || (pts_op_info[n->kind].flags & PTS_F_NONDET) || pts_op_info[n->kind].schema.nret == 0;
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_SETATTR: case PTS_PRIM_PRINT: case PTS_PRIM_RAISE: case PTS_PRIM_CALLMETHOD:
    case PTS_PRIM_CALLFUNCTION: case PTS_PRIM_PYTHONOP: case PTS_PRIM_ENTER: case PTS_PRIM_EXIT:
        return true;
    default: break;
    }
    for (int i = 0; i < n->nblocks; i++)
        for (const PtsNode *m = n->blocks[i]->first; m; m = m->next)
            if (has_side_effects(m)) return true;
    return false;
}

/* ================= dead code elimination ================= */
static int dce_block(PtsBlock *b) {
    int removed = 0;
    for (PtsNode *n = b->last, *prev; n; n = prev) {
        prev = n->prev;
        for (int i = 0; i < n->nblocks; i++) removed += dce_block(n->blocks[i]);
        bool used = false;
        for (int i = 0; i < n->noutputs && !used; i++) used = n->outputs[i]->nuses > 0;
        if (used || has_side_effects(n)) continue;
        pts_node_destroy(n);
        removed++;
    }
    return removed;
}

int pts_pass_dce(PtsGraph *g) {
    int total = 0, r;
    while ((r = dce_block(g->top)) > 0) total += r;
    return total;
}

/* ================= common subexpression elimination ================= */
static bool graph_has(const PtsBlock *b, bool (*pred)(const PtsNode *)) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (pred(n)) return true;
        for (int i = 0; i < n->nblocks; i++) if (graph_has(n->blocks[i], pred)) return true;
    }
    return false;
}
static bool is_setattr(const PtsNode *n) { return n->kind == PRIM(SETATTR); }
static bool is_writer(const PtsNode *n) { return pts_kind_is_op(n->kind) && op_writes(n->kind); }

typedef struct CseCtx { bool setattr, writers; } CseCtx;

static bool cse_candidate(const CseCtx *cx, const PtsNode *n) {
    if (n->nblocks || n->noutputs == 0) return false;
    if (pts_kind_is_op(n->kind)) {
        if (op_writes(n->kind) || (pts_op_info[n->kind].flags & PTS_F_NONDET)) return false;
        /* with in-place ops around, two equal results may not stay equal */
        return !cx->writers;
    }
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_GETATTR: return !cx->setattr;
    case PTS_PRIM_TUPLECONSTRUCT: case PTS_PRIM_TUPLEUNPACK: case PTS_PRIM_TUPLEINDEX:
    case PTS_PRIM_NUMTOTENSOR: case PTS_PRIM_CONSTANT:
        return true;
    default: return false;   /* lists and dicts are mutable; calls and effects never merge */
    }
}

static bool same_expr(const PtsNode *a, const PtsNode *b) {
    if (a->kind != b->kind || a->ninputs != b->ninputs || a->noutputs != b->noutputs) return false;
    for (int i = 0; i < a->ninputs; i++) if (a->inputs[i] != b->inputs[i]) return false;
    for (int i = 0; i < a->noutputs; i++) if (!pts_type_equal(a->outputs[i]->type, b->outputs[i]->type)) return false;
    return attrs_equal(a, b);
}

static PtsStatus cse_block(const CseCtx *cx, PtsBlock *b, NodeList *avail, PtsError *err) {
    int mark = avail->n;
    for (PtsNode *n = b->first, *next; n; n = next) {
        next = n->next;
        /* a fork's body reads only its own inputs (lifted): outer expressions are not available */
        for (int i = 0; i < n->nblocks && n->kind != PRIM(FORK) && n->kind != PRIM(AWAITABLE); i++) PTS_TRY(cse_block(cx, n->blocks[i], avail, err));
        if (!cse_candidate(cx, n)) continue;
        PtsNode *same = NULL;
        for (int i = 0; i < avail->n && !same; i++) if (same_expr(avail->v[i], n)) same = avail->v[i];
        if (same) {
            for (int i = 0; i < n->noutputs; i++) pts_value_replace_uses(n->outputs[i], same->outputs[i]);
            pts_node_destroy(n);
        } else if (!nl_push(avail, n)) return oom(err);
    }
    avail->n = mark;   /* what a block defined is not visible after it */
    return PTS_OK;
}

PtsStatus pts_pass_cse(PtsGraph *g, PtsError *err) {
    CseCtx cx = { graph_has(g->top, is_setattr), graph_has(g->top, is_writer) };
    NodeList avail = { 0 };
    PtsStatus s = cse_block(&cx, g->top, &avail, err);
    pts_free(avail.v);
    return s;
}

/* ================= constant propagation ================= */
static bool is_const(const PtsIrValue *v) { return v->node && v->node->kind == PRIM(CONSTANT); }

static PtsValue const_value(const PtsIrValue *v) {
    const PtsNodeAttr *a = pts_node_attr(v->node, "value");
    return a ? a->v : pts_none();
}

/* Values a Constant node can hold and print. */
static bool foldable_value(PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: case PTS_V_BOOL: case PTS_V_INT: case PTS_V_DOUBLE: case PTS_V_STR: case PTS_V_TENSOR:
    case PTS_V_DEVICE: case PTS_V_COMPLEX:
        return true;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(v);
        /* tuples may nest tuples (torch folds (2, (3, 4.5)) into one constant) */
        for (int64_t i = 0; i < l->len; i++)
            if (l->items[i].tag == PTS_V_LIST || (l->items[i].tag == PTS_V_TUPLE && v.tag != PTS_V_TUPLE) ||
                !foldable_value(l->items[i]))
                return false;
        return true;
    }
    default: return pts_enum_get(v, NULL, NULL, NULL);   /* an enum member: __torch__.E.A */
    }
}

/* A list built from constants may only become a constant when nothing writes to it. */
static bool written_by_a_user(const PtsIrValue *v) {
    for (int i = 0; i < v->nuses; i++) {
        const PtsNode *u = v->uses[i].user;
        if (!u) continue;
        if (!pts_kind_is_op(u->kind)) {
            if (u->kind != PRIM(LISTUNPACK) && u->kind != PRIM(TUPLEUNPACK) && u->kind != PRIM(TUPLEINDEX)) return true;
            continue;
        }
        const PtsSchema *s = &pts_op_info[u->kind].schema;
        int k = v->uses[i].index;
        if (k < s->nargs && s->args[k].type.write) return true;
        /* a view of a mutable list (e.g. returned aliases) is treated as a write */
        if (k < s->nargs && s->args[k].type.alias) return true;
    }
    return false;
}

/* Replace n's outputs by constants holding vals (stolen); n is destroyed. */
static PtsStatus replace_by_constants(PtsGraph *g, PtsNode *n, int nv, PtsValue *vals, PtsError *err) {
    for (int i = 0; i < nv; i++) {
        PtsIrValue *c = pts_graph_constant(g, n->owner, vals[i]);
        vals[i] = pts_none();
        if (!c) {
            for (int k = i + 1; k < nv; k++) pts_value_release(&vals[k]);
            return oom(err);
        }
        pts_node_move_before(c->node, n);
        c->node->scope = n->scope;   /* no source range: torch's propagation inserts bare constants */
        pts_value_replace_uses(n->outputs[i], c);
    }
    pts_node_destroy(n);
    return PTS_OK;
}

/* Try to fold node n. *folded tells whether n was replaced. */
static PtsStatus fold_node(PtsGraph *g, PtsNode *n, bool *folded, PtsError *err) {
    *folded = false;
    for (int i = 0; i < n->ninputs; i++) if (!is_const(n->inputs[i])) return PTS_OK;
    if (pts_kind_is_op(n->kind)) {
        const PtsOpInfo *info = &pts_op_info[n->kind];
        const PtsSchema *s = &info->schema;
        if (op_writes(n->kind) || (info->flags & PTS_F_NONDET) || n->noutputs != s->nret || n->noutputs == 0 ||
            n->ninputs > s->nargs)
            return PTS_OK;
        PtsValue args[PTS_MAX_ARGS], outs[PTS_MAX_RETS];
        int k = 0;
        for (; k < n->ninputs; k++) args[k] = const_value(n->inputs[k]);
        for (; k < s->nargs; k++) args[k] = s->args[k].def;
        for (int j = 0; j < PTS_MAX_RETS; j++) outs[j] = pts_none();
        PtsError e2 = { 0 };
        /* the kernel itself: no autograd recording, no tracing; errors leave the node as is (it
         * raises when it runs, as in TorchScript) */
        PtsStatus st = pts_op_kernel((PtsOpId)n->kind, args, outs, &e2);
        bool ok = !st;
        for (int j = 0; ok && j < s->nret; j++) ok = foldable_value(outs[j]);
        if (!ok) {
            for (int j = 0; j < PTS_MAX_RETS; j++) pts_value_release(&outs[j]);
            return PTS_OK;
        }
        *folded = true;
        return replace_by_constants(g, n, s->nret, outs, err);
    }
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_LISTCONSTRUCT:
    case PTS_PRIM_TUPLECONSTRUCT: {
        bool tuple = n->kind == PRIM(TUPLECONSTRUCT);
        if (!tuple && written_by_a_user(n->outputs[0])) return PTS_OK;
        PtsValue l;
        PTS_TRY(pts_list_new(tuple ? PTS_V_TUPLE : PTS_V_LIST, n->ninputs, err, &l));
        for (int i = 0; i < n->ninputs; i++) PTS_TRY(pts_list_append(l, pts_value_retain(const_value(n->inputs[i])), err));
        if (!foldable_value(l)) { pts_value_release(&l); return PTS_OK; }
        *folded = true;
        if (tuple) {
            /* a tuple of constants is one constant (() too), typed as the construction was */
            const PtsType *tt = n->outputs[0]->type;
            PtsIrValue *c = pts_graph_constant(g, n->owner, l);
            if (!c) return oom(err);
            pts_node_move_before(c->node, n);
            c->node->scope = n->scope;
            pts_type_release(c->type);
            c->type = pts_type_retain((PtsType *)tt);
            pts_value_replace_uses(n->outputs[0], c);
            pts_node_destroy(n);
            return PTS_OK;
        }
        return replace_by_constants(g, n, 1, &l, err);
    }
    case PTS_PRIM_LISTUNPACK:
    case PTS_PRIM_TUPLEUNPACK: {
        PtsValue l = const_value(n->inputs[0]);
        if ((l.tag != PTS_V_LIST && l.tag != PTS_V_TUPLE) || pts_as_list(l)->len != n->noutputs || n->noutputs > 64)
            return PTS_OK;
        PtsValue vals[64];
        for (int i = 0; i < n->noutputs; i++) vals[i] = pts_value_retain(pts_as_list(l)->items[i]);
        *folded = true;
        return replace_by_constants(g, n, n->noutputs, vals, err);
    }
    case PTS_PRIM_TUPLEINDEX: {
        PtsValue l = const_value(n->inputs[0]), k = const_value(n->inputs[1]);
        if (l.tag != PTS_V_TUPLE || k.tag != PTS_V_INT) return PTS_OK;
        int64_t len = pts_as_list(l)->len, i = k.u.i < 0 ? k.u.i + len : k.u.i;
        if (i < 0 || i >= len) return PTS_OK;
        PtsValue v = pts_value_retain(pts_as_list(l)->items[i]);
        *folded = true;
        return replace_by_constants(g, n, 1, &v, err);
    }
    case PTS_PRIM_NUMTOTENSOR: {
        PtsTensor *t;
        PtsError e2 = { 0 };
        if (pts_wrap_scalar(const_value(n->inputs[0]), &e2, &t)) return PTS_OK;
        t->flags &= ~(uint32_t)PTS_TF_WRAPPED_NUMBER;
        PtsValue v = pts_vtensor(t);
        *folded = true;
        return replace_by_constants(g, n, 1, &v, err);
    }
    default:
        return PTS_OK;
    }
}

/* Tuple values that come straight from a TupleConstruct: unpacking/indexing reads its inputs. */
static bool fold_tuple_access(PtsNode *n) {
    if (n->kind != PRIM(TUPLEUNPACK) || n->ninputs != 1) return false;
    PtsNode *tc = n->inputs[0]->node;
    if (!tc || tc->kind != PRIM(TUPLECONSTRUCT) || tc->ninputs != n->noutputs) return false;
    for (int i = 0; i < n->noutputs; i++) pts_value_replace_uses(n->outputs[i], tc->inputs[i]);
    pts_node_destroy(n);
    return true;
}

static PtsStatus cp_block(PtsGraph *g, PtsBlock *b, PtsError *err);

/* prim::If on a constant: the taken block's nodes move before the If, which goes away. */
static PtsStatus fold_if(PtsNode *n, bool *folded) {
    *folded = false;
    if (n->kind != PRIM(IF) || n->nblocks != 2 || !is_const(n->inputs[0])) return PTS_OK;
    PtsValue c = const_value(n->inputs[0]);
    if (c.tag != PTS_V_BOOL && c.tag != PTS_V_INT) return PTS_OK;
    PtsBlock *taken = n->blocks[pts_value_to_i64(c) ? 0 : 1];
    while (taken->first) pts_node_move_before(taken->first, n);
    for (int i = 0; i < n->noutputs; i++) pts_value_replace_uses(n->outputs[i], taken->outputs[i]);
    pts_node_destroy(n);
    *folded = true;
    return PTS_OK;
}

/* TorchScript's mutable types (AliasDb::isMutableType): what is not a number, bool, str, None,
 * device or a tuple/optional of those */
static bool mutable_type(const PtsType *t) {
    switch (t->kind) {
    case PTS_TY_INT: case PTS_TY_FLOAT: case PTS_TY_BOOL: case PTS_TY_STR: case PTS_TY_NONE: case PTS_TY_NUMBER:
    case PTS_TY_DEVICE: case PTS_TY_LAYOUT: case PTS_TY_MEMFORMAT: case PTS_TY_SCALARTYPE:
        return false;
    case PTS_TY_OPTIONAL: case PTS_TY_TUPLE: case PTS_TY_UNION:
        for (int i = 0; i < t->n; i++) if (mutable_type(t->elems[i])) return true;
        return false;
    default: return true;
    }
}

/* may the immutable-types propagation fold n? (inputs, all constants, checked by fold_node) */
static bool immutable_node(const PtsNode *n) {
    /* is_grad_enabled() and the like read state; an empty tuple is a constant */
    if (n->ninputs == 0 && n->kind != PRIM(TUPLECONSTRUCT)) return false;
    for (int i = 0; i < n->ninputs; i++) if (mutable_type(n->inputs[i]->type)) return false;
    for (int i = 0; i < n->noutputs; i++) if (mutable_type(n->outputs[i]->type)) return false;
    return true;
}

/* TupleIndex of a TupleConstruct at a constant index reads the element (LowerSimpleTuples) */
static bool fold_tuple_index(PtsNode *n) {
    if (n->kind != PRIM(TUPLEINDEX) || n->ninputs != 2 || !is_const(n->inputs[1])) return false;
    PtsNode *tc = n->inputs[0]->node;
    PtsValue k = const_value(n->inputs[1]);
    if (!tc || tc->kind != PRIM(TUPLECONSTRUCT) || k.tag != PTS_V_INT) return false;
    int64_t i = k.u.i < 0 ? k.u.i + tc->ninputs : k.u.i;
    if (i < 0 || i >= tc->ninputs) return false;
    pts_value_replace_uses(n->outputs[0], tc->inputs[i]);
    pts_node_destroy(n);
    return true;
}

static PtsStatus cp_block_mode(PtsGraph *g, PtsBlock *b, bool immutable, PtsError *err) {
    for (PtsNode *n = b->first, *next; n; n = next) {
        PtsNode *prev = n->prev;
        bool folded;
        PTS_TRY(fold_if(n, &folded));
        if (folded) {
            /* continue with the nodes that moved out of the branch */
            next = prev ? prev->next : b->first;
            continue;
        }
        next = n->next;
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(cp_block_mode(g, n->blocks[i], immutable, err));
        if (fold_tuple_access(n)) continue;
        if (n->kind == PRIM(UNCHECKED_CAST) && n->ninputs == 1 && is_const(n->inputs[0])) {
            /* a refined constant is that constant (torch's propagation runs the cast) */
            pts_value_replace_uses(n->outputs[0], n->inputs[0]);
            pts_node_destroy(n);
            continue;
        }
        if (immutable && (fold_tuple_index(n) || !immutable_node(n))) continue;
        PTS_TRY(fold_node(g, n, &folded, err));
    }
    return PTS_OK;
}

static PtsStatus cp_block(PtsGraph *g, PtsBlock *b, PtsError *err) { return cp_block_mode(g, b, false, err); }

PtsStatus pts_pass_constant_propagation(PtsGraph *g, PtsError *err) {
    PTS_TRY(cp_block(g, g->top, err));
    pts_pass_dce(g);
    return PTS_OK;
}

PtsStatus pts_pass_constant_propagation_immutable(PtsGraph *g, PtsError *err) {
    return cp_block_mode(g, g->top, true, err);
}

/* ================= canonical control-flow outputs =================
 * TorchScript's CanonicalizeOutputs: the outputs of every prim::If and prim::Loop are ordered by
 * the place of their first use (nodes in the order a dump prints them, a block's return after its
 * nodes; uses by the same node by input position); unused outputs go last in their old order.
 * Blocks are visited last node first, a node's outputs before its blocks', as torch does, since
 * reordering a node's outputs reorders the returns of the blocks inside it. */
typedef struct Order { const void **keys; int n, cap; } Order;

static bool order_add(Order *o, const void *key) {
    if (o->n == o->cap) {
        int cap = o->cap ? o->cap * 2 : 64;
        const void **k = pts_realloc(o->keys, sizeof *k * (size_t)cap);
        if (!k) return false;
        o->keys = k;
        o->cap = cap;
    }
    o->keys[o->n++] = key;
    return true;
}

/* every node, then (after its nodes) every block, in dump order: position = index */
static bool order_block(Order *o, const PtsBlock *b) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (!order_add(o, n)) return false;
        for (int i = 0; i < n->nblocks; i++) if (!order_block(o, n->blocks[i])) return false;
    }
    return order_add(o, b);
}

static int key_cmp(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;
    return x < y ? -1 : x > y;
}

/* pointer -> dump position, by binary search over (key, position) pairs sorted by key */
typedef struct OrderIdx { const void *key; int pos; } OrderIdx;
static int oi_cmp(const void *a, const void *b) { return key_cmp(a, b); }

static int order_pos(const OrderIdx *ix, int n, const void *key) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        uintptr_t k = (uintptr_t)ix[mid].key;
        if (k == (uintptr_t)key) return ix[mid].pos;
        if (k < (uintptr_t)key) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* (position of the user, input/output index) of a use; a block's return is the block's position */
static void use_place(const OrderIdx *ix, int n, const PtsUse *u, int *pos, int *idx) {
    *pos = order_pos(ix, n, u->user ? (const void *)u->user : (const void *)u->block);
    *idx = u->index;
}

/* first use of v as (pos, idx); false when unused */
static bool first_use(const OrderIdx *ix, int n, const PtsIrValue *v, int *pos, int *idx) {
    if (!v->nuses) return false;
    use_place(ix, n, &v->uses[0], pos, idx);
    for (int i = 1; i < v->nuses; i++) {
        int p, k;
        use_place(ix, n, &v->uses[i], &p, &k);
        if (p < *pos || (p == *pos && k < *idx)) { *pos = p; *idx = k; }
    }
    return true;
}

/* the use of v that is `user`'s input (or `blk`'s output when user is NULL) number old */
static PtsUse *use_at(PtsIrValue *v, const PtsNode *user, const PtsBlock *blk, int old) {
    for (int i = 0; i < v->nuses; i++) {
        PtsUse *u = &v->uses[i];
        if (u->user == user && u->index == old && (user || u->block == blk)) return u;
    }
    return NULL;
}

/* reorder slots [from, from + k) of a value array that is user's inputs or blk's outputs:
 * new slot from + j takes old slot from + perm[j] (use records follow) */
static bool permute_uses(PtsIrValue **vals, int from, int k, const int *perm, PtsNode *user, PtsBlock *blk) {
    PtsIrValue *old[512];
    PtsUse *uses[512];
    if (k > 512) return false;
    for (int j = 0; j < k; j++) {
        old[j] = vals[from + j];
        uses[j] = use_at(old[j], user, blk, from + j);
    }
    for (int j = 0; j < k; j++) {
        vals[from + j] = old[perm[j]];
        if (uses[perm[j]]) uses[perm[j]]->index = from + j;
    }
    return true;
}

/* reorder slots [from, from + k) of values that are defined there (node outputs, block inputs) */
static void permute_defs(PtsIrValue **vals, int from, int k, const int *perm) {
    PtsIrValue *old[512];
    for (int j = 0; j < k; j++) old[j] = vals[from + j];
    for (int j = 0; j < k; j++) {
        vals[from + j] = old[perm[j]];
        vals[from + j]->offset = from + j;
    }
}

static void canonical_node(const OrderIdx *ix, int nix, PtsNode *n) {
    bool loop = n->kind == PRIM(LOOP);
    if ((!loop && n->kind != PRIM(IF)) || n->noutputs < 2 || n->noutputs > 512) return;
    int k = n->noutputs, perm[512], pos[512], idx[512];
    bool used[512];
    for (int i = 0; i < k; i++) {
        perm[i] = i;
        used[i] = first_use(ix, nix, n->outputs[i], &pos[i], &idx[i]);
    }
    /* insertion sort: a strict order (distinct outputs have distinct first uses) */
    for (int i = 1; i < k; i++) {
        int c = perm[i], j = i - 1;
        for (; j >= 0; j--) {
            int p = perm[j];
            bool before;   /* does c go before p? */
            if (!used[c]) before = false;
            else if (!used[p]) before = true;
            else before = pos[c] < pos[p] || (pos[c] == pos[p] && idx[c] < idx[p]);
            if (!before) break;
            perm[j + 1] = p;
        }
        perm[j + 1] = c;
    }
    bool same = true;
    for (int i = 0; i < k; i++) same &= perm[i] == i;
    if (same) return;
    if (loop) {
        /* Loop(trip, cond, carried...) with body (iter, carried...) -> (cond, carried...) */
        PtsBlock *b = n->blocks[0];
        if (n->ninputs != k + 2 || b->ninputs != k + 1 || b->noutputs != k + 1) return;
        permute_uses(n->inputs, 2, k, perm, n, NULL);
        permute_defs(b->inputs, 1, k, perm);
        permute_uses(b->outputs, 1, k, perm, NULL, b);
    } else {
        for (int i = 0; i < n->nblocks; i++)
            if (n->blocks[i]->noutputs != k) return;
        for (int i = 0; i < n->nblocks; i++) permute_uses(n->blocks[i]->outputs, 0, k, perm, NULL, n->blocks[i]);
    }
    permute_defs(n->outputs, 0, k, perm);
}

static void canonical_block(const OrderIdx *ix, int nix, PtsBlock *b) {
    for (PtsNode *n = b->last; n; n = n->prev) {
        canonical_node(ix, nix, n);
        for (int i = 0; i < n->nblocks; i++) canonical_block(ix, nix, n->blocks[i]);
    }
}

PtsStatus pts_pass_canonicalize_outputs(PtsGraph *g, PtsError *err) {
    Order o = { 0 };
    if (!order_block(&o, g->top)) { pts_free(o.keys); return oom(err); }
    OrderIdx *ix = pts_malloc(sizeof *ix * (size_t)(o.n ? o.n : 1));
    if (!ix) { pts_free(o.keys); return oom(err); }
    for (int i = 0; i < o.n; i++) { ix[i].key = o.keys[i]; ix[i].pos = i; }
    qsort(ix, (size_t)o.n, sizeof *ix, oi_cmp);
    canonical_block(ix, o.n, g->top);
    pts_free(ix);
    pts_free(o.keys);
    return PTS_OK;
}

/* ================= uninitialized values at the top =================
 * torch's exit transform makes one prim::Uninitialized per type, each new one put first in the
 * graph (after the parameters); uses of the others move to it. The first of each type in dump
 * order is kept, so the top holds them last-made first. */
static bool same_output_type(const PtsNode *a, const PtsNode *b) {
    return pts_type_equal(a->outputs[0]->type, b->outputs[0]->type);
}

PtsStatus pts_pass_hoist_uninitialized(PtsGraph *g, PtsError *err) {
    NodeList seen = { 0 };
    PtsStatus s = hoist_block(g, g->top, &seen, PRIM(UNINITIALIZED), same_output_type, err);
    pts_free(seen.v);
    return s;
}
