/* freeze.c: module freezing (torch.jit.freeze) and the frozen-graph optimisations.
 *
 * Freezing makes a new module object from a module in eval mode: its preserved methods (forward
 * and those named) get graphs with every call inlined, and each attribute read through a chain of
 * GetAttrs from self that no method mutates becomes a prim::Constant named after its path
 * (`%self.sub.lin.weight`), inserted before the graph's first node as torch does; then the usual
 * clean-up (dead code, common subexpressions, constant propagation and pooling). The new module's
 * class keeps only the attributes the frozen graphs still read and those the caller preserved;
 * the methods not preserved are gone. Attributes that are mutated (SetAttr, or written in place by
 * an op or through a view of it) stay attributes, as do values a constant cannot hold (objects,
 * tuples, dicts, empty lists).
 *
 * Where this differs from torch: submodules that stay (a mutated attribute of theirs, a preserved
 * `sub.x`) are copied whole, not stripped of their unused attributes and methods; calls through
 * interfaces stay calls (torch inlines the module the attribute holds); fork bodies are not
 * frozen (their GetAttrs stay); constant loops are not unrolled. */
#include <stdio.h>
#include <stdlib.h>

#include "ir.h"

#define PRIM(p) PTS_KIND_PRIM(PTS_PRIM_##p)
#define MAX_PATH 64

static PtsStatus oom(PtsError *err) { return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }

static bool grow(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return true;
    int c = *cap ? *cap * 2 : 8;
    while (c < need) c *= 2;
    void *n = pts_realloc(*arr, elem * (size_t)c);
    if (!n) return false;
    *arr = n;
    *cap = c;
    return true;
}

typedef struct Scalar { PtsObject *obj; const char *name; } Scalar;   /* borrowed */
typedef struct Memo { PtsObject *obj; const char *name; PtsIrValue *c; } Memo;

typedef struct Frz {
    PtsObject *root;
    Scalar *scal;               /* preserved attributes of immutable types, by owner and name */
    int nscal, capscal;
    PtsValue *mut;              /* preserved values of mutable types (borrowed from the tree) */
    int nmut, capmut;
    PtsUnit **units;            /* units the frozen graphs borrow from (retained) */
    int nunits, capunits;
    const PtsFunction **seen;   /* functions whose units were collected */
    int nseen, capseen;
    const char *path[MAX_PATH]; /* attribute names from self to the module last resolved */
    int npath;
} Frz;

static const char *attr_name(const PtsNode *n) {
    const PtsNodeAttr *a = pts_node_attr(n, "name");
    return a && a->v.tag == PTS_V_STR ? pts_as_str(a->v)->data : NULL;
}

/* torch's AliasDb::isMutableType on the value an attribute holds */
static bool mutable_value(PtsValue v) {
    switch (v.tag) {
    case PTS_V_TENSOR: case PTS_V_LIST: case PTS_V_DICT: case PTS_V_OBJECT: case PTS_V_GENERATOR: return true;
    case PTS_V_HEAP: return !pts_enum_get(v, NULL, NULL, NULL);
    case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(v);
        for (int64_t i = 0; i < l->len; i++) if (mutable_value(l->items[i])) return true;
        return false;
    }
    default: return false;
    }
}

static bool same_value(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    if (a.tag == PTS_V_TENSOR) return a.u.t == b.u.t;
    return pts_is_heap_tag(a.tag) && a.u.h == b.u.h;
}

/* IValue::overlaps: the same object, or tensors sharing storage */
static bool overlaps(PtsValue a, PtsValue b) {
    if (a.tag == PTS_V_TENSOR && b.tag == PTS_V_TENSOR) return a.u.t->storage == b.u.t->storage;
    return same_value(a, b);
}

static bool is_preserved_mut(const Frz *z, PtsValue v) {
    for (int i = 0; i < z->nmut; i++) if (same_value(z->mut[i], v)) return true;
    return false;
}

static bool is_preserved_scalar(const Frz *z, const PtsObject *o, const char *name) {
    for (int i = 0; i < z->nscal; i++) if (z->scal[i].obj == o && strcmp(z->scal[i].name, name) == 0) return true;
    return false;
}

static PtsStatus insert_mutable(Frz *z, PtsObject *owner, const char *name, PtsValue v, PtsError *err) {
    if (mutable_value(v)) {
        if (is_preserved_mut(z, v)) return PTS_OK;
        if (!grow((void **)&z->mut, &z->capmut, z->nmut + 1, sizeof *z->mut)) return oom(err);
        z->mut[z->nmut++] = v;
    } else {
        if (is_preserved_scalar(z, owner, name)) return PTS_OK;
        if (!grow((void **)&z->scal, &z->capscal, z->nscal + 1, sizeof *z->scal)) return oom(err);
        z->scal[z->nscal++] = (Scalar){ owner, name };
    }
    return PTS_OK;
}

/* The module object value v is when it comes from self through GetAttrs of modules none of which
 * is preserved; z->path names the chain. NULL otherwise. */
static PtsObject *module_of(Frz *z, const PtsGraph *g, PtsIrValue *v) {
    const char *names[MAX_PATH];
    int n = 0;
    while (v != g->top->inputs[0]) {
        PtsNode *p = v->node;
        if (!p || p->kind != PRIM(GETATTR) || p->ninputs != 1 || n == MAX_PATH) return NULL;
        if (!(names[n++] = attr_name(p))) return NULL;
        v = p->inputs[0];
    }
    PtsObject *o = z->root;
    z->npath = 0;
    for (int i = n - 1; i >= 0; i--) {
        int s = pts_class_find_attr(o->cls, names[i]);
        if (s < 0 || s >= o->nslots || o->slots[s].tag != PTS_V_OBJECT || is_preserved_mut(z, o->slots[s])) return NULL;
        o = pts_as_object(o->slots[s]);
        z->path[z->npath++] = names[i];
    }
    return o;
}

/* torch's findConstantAttr: may GetAttr/SetAttr `name` of input be folded? *owner is the module. */
static bool constant_attr(Frz *z, const PtsGraph *g, PtsIrValue *input, const char *name, PtsObject **owner,
                          int *slot) {
    const PtsType *t = input->type;
    if (!name || t->kind != PTS_TY_CLASS || !t->cls || !t->cls->is_module || t->cls->is_interface) return false;
    PtsObject *o = module_of(z, g, input);
    if (!o) return false;
    int s = pts_class_find_attr(o->cls, name);
    if (s < 0 || s >= o->nslots) return false;
    *owner = o;
    *slot = s;
    PtsValue v = o->slots[s];
    if (!mutable_value(v)) return !is_preserved_scalar(z, o, name);
    if (is_preserved_mut(z, v)) return false;
    if (v.tag != PTS_V_OBJECT)
        for (int i = 0; i < z->nmut; i++)
            if (z->mut[i].tag != PTS_V_OBJECT && overlaps(z->mut[i], v)) return false;
    return true;
}

/* ---- writes to a value (a simple stand-in for torch's AliasDb::hasOutputWriters) ---- */
typedef struct VList { PtsIrValue **v; int n, cap; } VList;

static bool vl_add(VList *l, PtsIrValue *v) {
    for (int i = 0; i < l->n; i++) if (l->v[i] == v) return true;
    if (!grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return false;
    l->v[l->n++] = v;
    return true;
}

/* Is v, or a value that may alias it (views, If/Loop results, containers holding it), written in
 * place, set as an attribute or handed to a call that is not inlined? -1 on OOM. */
static int has_writers(PtsIrValue *v0) {
    VList l = { 0 };
    int r = 0;
    if (!vl_add(&l, v0)) return -1;
    for (int k = 0; k < l.n && !r; k++) {
        PtsIrValue *v = l.v[k];
        for (int i = 0; i < v->nuses && !r; i++) {
            PtsNode *u = v->uses[i].user;
            int ix = v->uses[i].index;
            bool ok = true;
            if (!u) {   /* a block's return: the If/Loop result it becomes */
                PtsNode *own = v->uses[i].block ? v->uses[i].block->owner : NULL;
                if (own && own->kind == PRIM(IF) && ix < own->noutputs) ok = vl_add(&l, own->outputs[ix]);
                else if (own && own->kind == PRIM(LOOP) && ix >= 1 && ix - 1 < own->noutputs) {
                    ok = vl_add(&l, own->outputs[ix - 1]);
                    if (ok && own->nblocks && ix < own->blocks[0]->ninputs) ok = vl_add(&l, own->blocks[0]->inputs[ix]);
                }
            } else if (pts_kind_is_op(u->kind)) {
                const PtsSchema *s = &pts_op_info[u->kind].schema;
                if (ix < s->nargs && s->args[ix].type.write) r = 1;
                else if (ix < s->nargs && s->args[ix].type.alias)
                    for (int j = 0; j < s->nret && j < u->noutputs && ok; j++)
                        if (s->rets[j].alias) ok = vl_add(&l, u->outputs[j]);
            } else if (u->kind == PRIM(SETATTR) || u->kind == PRIM(CALLMETHOD) || u->kind == PRIM(CALLFUNCTION) ||
                       u->kind == PRIM(PYTHONOP) || u->kind == PRIM(FORK) || u->kind == PRIM(AWAITABLE)) {
                r = 1;
            } else if (u->kind == PRIM(LOOP)) {
                if (ix >= 2 && ix - 2 < u->noutputs) {
                    ok = vl_add(&l, u->outputs[ix - 2]);
                    if (ok && u->nblocks && ix - 1 < u->blocks[0]->ninputs) ok = vl_add(&l, u->blocks[0]->inputs[ix - 1]);
                }
            } else if (u->kind != PRIM(IF) && u->kind != PRIM(PRINT) && u->kind != PRIM(ISINSTANCE) &&
                       u->kind != PRIM(RAISE)) {
                /* containers, unpacks, casts: their results may hold or be v */
                for (int j = 0; j < u->noutputs && ok; j++) ok = vl_add(&l, u->outputs[j]);
            }
            if (!ok) r = -1;
        }
    }
    pts_free(l.v);
    return r;
}

/* ---- the passes of torch's AttributePropagator ---- */
static PtsStatus record_mutable(Frz *z, const PtsGraph *g, PtsBlock *b, PtsError *err) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(record_mutable(z, g, n->blocks[i], err));
        if ((n->kind != PRIM(GETATTR) && n->kind != PRIM(SETATTR)) || n->ninputs < 1) continue;
        const char *name = attr_name(n);
        PtsObject *owner;
        int slot;
        if (!constant_attr(z, g, n->inputs[0], name, &owner, &slot)) continue;
        PtsValue v = owner->slots[slot];
        if (n->kind == PRIM(GETATTR)) {
            if (v.tag == PTS_V_OBJECT || !mutable_value(v)) continue;
            int w = has_writers(n->outputs[0]);
            if (w < 0) return oom(err);
            if (!w) continue;
        }
        PTS_TRY(insert_mutable(z, owner, name, v, err));
    }
    return PTS_OK;
}

/* A value a prim::Constant can hold (and the graph print), with its type right: a list takes the
 * attribute's type t (List[int|float|bool|str]), so an empty one keeps its element type. */
static bool materializable(PtsValue v, const PtsType *t) {
    switch (v.tag) {
    case PTS_V_NONE: case PTS_V_BOOL: case PTS_V_INT: case PTS_V_DOUBLE: case PTS_V_STR: case PTS_V_TENSOR:
    case PTS_V_DEVICE: case PTS_V_COMPLEX:
        return true;
    case PTS_V_LIST: {
        PtsList *l = pts_as_list(v);
        if (t->kind != PTS_TY_LIST || t->n != 1) return false;
        int tag;
        switch (t->elems[0]->kind) {
        case PTS_TY_INT: tag = PTS_V_INT; break;
        case PTS_TY_FLOAT: tag = PTS_V_DOUBLE; break;
        case PTS_TY_BOOL: tag = PTS_V_BOOL; break;
        case PTS_TY_STR: tag = PTS_V_STR; break;
        default: return false;
        }
        for (int64_t i = 0; i < l->len; i++) if (l->items[i].tag != tag) return false;
        return true;
    }
    case PTS_V_TUPLE: {   /* of numbers, bools, strings and Nones, typed by the attribute */
        PtsList *l = pts_as_list(v);
        if (t->kind != PTS_TY_TUPLE || t->field_names || l->len == 0) return false;
        for (int64_t i = 0; i < l->len; i++) {
            int tag = l->items[i].tag;
            if (tag != PTS_V_INT && tag != PTS_V_DOUBLE && tag != PTS_V_BOOL && tag != PTS_V_STR && tag != PTS_V_NONE)
                return false;
        }
        return true;
    }
    case PTS_V_HEAP: return pts_enum_get(v, NULL, NULL, NULL);
    default: return false;
    }
}

/* torch's overrideGradient: a tensor requiring grad becomes a detached alias of it. Owned. */
static PtsStatus detached(PtsValue v, PtsError *err, PtsValue *out) {
    if (v.tag != PTS_V_TENSOR || (!(v.u.t->flags & PTS_TF_REQUIRES_GRAD) && !v.u.t->autograd)) {
        *out = pts_value_retain(v);
        return PTS_OK;
    }
    const PtsTensor *t = v.u.t;
    PtsTensor *d;
    PTS_TRY(pts_tensor_view(t, t->ndim, t->shape, t->strides, t->offset, err, &d));
    *out = pts_vtensor(d);
    return PTS_OK;
}

static PtsStatus propagate(Frz *z, PtsGraph *g, PtsError *err) {
    PtsNode *m = g->top->first;
    if (!m) return PTS_OK;
    PtsBlock **stack = NULL;
    int nstack = 0, capstack = 0;
    Memo *memo = NULL;
    int nmemo = 0, capmemo = 0;
    PtsNode **dead = NULL;
    int ndead = 0, capdead = 0;
    PtsBuf nm;
    pts_buf_init(&nm);
    PtsStatus s = PTS_OK;
    if (!grow((void **)&stack, &capstack, 1, sizeof *stack)) { s = oom(err); goto done; }
    stack[nstack++] = g->top;
    while (nstack && !s) {
        PtsBlock *b = stack[--nstack];
        for (PtsNode *n = b->first; n && !s; n = n->next) {
            if (n->kind != PRIM(FORK) && n->kind != PRIM(AWAITABLE))
                for (int i = 0; i < n->nblocks; i++) {
                    if (!grow((void **)&stack, &capstack, nstack + 1, sizeof *stack)) { s = oom(err); break; }
                    stack[nstack++] = n->blocks[i];
                }
            if (s || n->kind != PRIM(GETATTR) || n->ninputs != 1) continue;
            const char *name = attr_name(n);
            PtsObject *owner;
            int slot;
            if (!constant_attr(z, g, n->inputs[0], name, &owner, &slot)) continue;
            PtsIrValue *c = NULL;
            for (int i = 0; i < nmemo && !c; i++)
                if (memo[i].obj == owner && strcmp(memo[i].name, name) == 0) c = memo[i].c;
            if (!c) {
                PtsValue v = owner->slots[slot];
                PtsType *at = owner->cls->attrs[slot].type;
                if (!materializable(v, at)) continue;
                PtsValue cv;
                if ((s = detached(v, err, &cv))) break;
                if (!(c = pts_graph_constant(g, g->top, cv))) { s = oom(err); break; }
                if (v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE) {
                    pts_type_release(c->type);
                    c->type = pts_type_retain(at);
                }
                pts_node_move_before(c->node, m);
                nm.len = 0;
                if (nm.data) nm.data[0] = 0;
                pts_buf_puts(&nm, "self.");
                for (int i = 0; i < z->npath; i++) pts_buf_printf(&nm, "%s.", z->path[i]);
                pts_buf_puts(&nm, name);
                if (nm.oom || !grow((void **)&memo, &capmemo, nmemo + 1, sizeof *memo)) { s = oom(err); break; }
                pts_value_steal_name(g, c, nm.data);
                memo[nmemo++] = (Memo){ owner, name, c };
            }
            pts_value_replace_uses(n->outputs[0], c);
            if (!grow((void **)&dead, &capdead, ndead + 1, sizeof *dead)) { s = oom(err); break; }
            dead[ndead++] = n;
        }
    }
    for (int i = 0; i < ndead; i++) pts_node_destroy(dead[i]);
done:
    pts_buf_free(&nm);
    pts_free(stack);
    pts_free(memo);
    pts_free(dead);
    return s;
}

/* ---- tensor types lose what tracing recorded (shapes, dtypes), as in torch's frozen graphs ---- */
static bool shaped(const PtsType *t) {
    if (t->kind == PTS_TY_TENSOR) return t != pts_type_tensor();
    if (t->kind != PTS_TY_TUPLE && t->kind != PTS_TY_LIST && t->kind != PTS_TY_OPTIONAL) return false;
    if (t->kind == PTS_TY_TUPLE && (t->field_names || t->n > 64)) return false;
    for (int i = 0; i < t->n; i++) if (shaped(t->elems[i])) return true;
    return false;
}

static PtsType *unshaped(PtsType *t) {   /* owned; NULL on OOM */
    if (!shaped(t)) return pts_type_retain(t);
    if (t->kind == PTS_TY_TENSOR) return pts_type_retain(pts_type_tensor());
    PtsType *es[64];
    for (int i = 0; i < t->n; i++)
        if (!(es[i] = unshaped(t->elems[i]))) {
            for (int k = 0; k < i; k++) pts_type_release(es[k]);
            return NULL;
        }
    PtsType *r = t->kind == PTS_TY_TUPLE ? pts_type_tuple(t->n, es)
               : t->kind == PTS_TY_LIST ? pts_type_list(es[0]) : pts_type_optional(es[0]);
    for (int i = 0; i < t->n; i++) pts_type_release(es[i]);
    return r;
}

static bool retype(PtsIrValue *v) {
    if (!shaped(v->type)) return true;
    PtsType *t = unshaped(v->type);
    if (!t) return false;
    pts_type_release(v->type);
    v->type = t;
    return true;
}

static PtsStatus erase_shapes(PtsBlock *b, PtsError *err) {
    for (int i = 0; i < b->ninputs; i++) if (!retype(b->inputs[i])) return oom(err);
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++) if (!retype(n->outputs[i])) return oom(err);
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(erase_shapes(n->blocks[i], err));
    }
    return PTS_OK;
}

/* runOptimization as freezing runs it (no loop unrolling), then EliminateNoOps / LowerSimpleTuples
 * have nothing left that pyts's passes did not already do */
static PtsStatus optimize(PtsGraph *g, PtsError *err) {
    pts_pass_dce(g);
    PTS_TRY(pts_pass_cse(g, err));
    PTS_TRY(pts_pass_constant_propagation(g, err));
    PTS_TRY(pts_pass_constant_pooling(g, err));
    return pts_pass_cse(g, err);
}

/* ---- units the frozen graphs borrow from: those of every function reachable by calls ---- */
static PtsStatus add_unit(Frz *z, PtsUnit *u, PtsError *err) {
    if (!u) return PTS_OK;
    for (int i = 0; i < z->nunits; i++) if (z->units[i] == u) return PTS_OK;
    if (!grow((void **)&z->units, &z->capunits, z->nunits + 1, sizeof *z->units)) return oom(err);
    z->units[z->nunits++] = pts_unit_retain(u);
    return PTS_OK;
}

static PtsStatus collect_units(Frz *z, const PtsFunction *f, PtsError *err);

static PtsStatus collect_block(Frz *z, const PtsBlock *b, PtsError *err) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(collect_block(z, n->blocks[i], err));
        const PtsFunction *f = NULL;
        if (n->kind == PRIM(CALLMETHOD) && n->ninputs) {
            const char *name = attr_name(n);
            const PtsType *t = n->inputs[0]->type;
            if (name && t->kind == PTS_TY_CLASS && t->cls && !t->cls->is_interface) f = pts_class_find_method(t->cls, name);
        } else if (n->kind == PRIM(CALLFUNCTION)) {
            const PtsNodeAttr *a = pts_node_attr(n, "fn");
            if (a && a->kind == PTS_AV_IVALUE) f = pts_function_ref_get(a->v);
        }
        if (f) PTS_TRY(collect_units(z, f, err));
    }
    return PTS_OK;
}

static PtsStatus collect_units(Frz *z, const PtsFunction *f, PtsError *err) {
    for (int i = 0; i < z->nseen; i++) if (z->seen[i] == f) return PTS_OK;
    if (!grow((void **)&z->seen, &z->capseen, z->nseen + 1, sizeof *z->seen)) return oom(err);
    z->seen[z->nseen++] = f;
    PTS_TRY(add_unit(z, f->unit, err));
    /* a frozen function frozen again: its graph borrows what the first freeze held */
    for (int i = 0; i < f->nheld_units; i++) PTS_TRY(add_unit(z, f->held_units[i], err));
    return f->graph ? collect_block(z, f->graph->top, err) : PTS_OK;
}

/* ---- the new module ---- */
static PtsStatus copy_signature(PtsFunction *dst, const PtsFunction *src, PtsError *err) {
    int n = src->nargs;
    dst->nargs = 0;
    if (n == 0) return PTS_OK;
    dst->arg_names = pts_calloc((size_t)n, sizeof(char *));
    dst->defaults = pts_calloc((size_t)n, sizeof(PtsValue));
    dst->has_default = pts_calloc((size_t)n, sizeof(bool));
    if (!dst->arg_names || !dst->defaults || !dst->has_default) return oom(err);
    if (src->list_n) {
        if (!(dst->list_n = pts_calloc((size_t)n, sizeof(int8_t)))) return oom(err);
        memcpy(dst->list_n, src->list_n, (size_t)n);
    }
    if (src->inferred) {
        if (!(dst->inferred = pts_calloc((size_t)n, 1))) return oom(err);
        memcpy(dst->inferred, src->inferred, (size_t)n);
    }
    for (int i = 0; i < n; i++) {
        dst->defaults[i] = pts_none();
        if (src->arg_names && src->arg_names[i] && !(dst->arg_names[i] = pts_strdup(src->arg_names[i]))) return oom(err);
        dst->nargs = i + 1;
        if (src->defaults) dst->defaults[i] = pts_value_retain(src->defaults[i]);
        if (src->has_default) dst->has_default[i] = src->has_default[i];
    }
    return PTS_OK;
}

/* A copy of module object o (the same class): its submodules copied too, other values shared. */
static PtsStatus clone_module(PtsObject *o, PtsError *err, PtsValue *out) {
    PTS_TRY(pts_object_new(o->cls, err, out));
    PtsObject *c = pts_as_object(*out);
    for (int i = 0; i < o->nslots && i < c->nslots; i++) {
        PtsValue v = o->slots[i];
        if (v.tag == PTS_V_OBJECT && pts_as_object(v)->cls->is_module) {
            PtsStatus s = clone_module(pts_as_object(v), err, &c->slots[i]);
            if (s) { pts_value_release(out); return s; }
        } else {
            c->slots[i] = pts_value_retain(v);
        }
    }
    return PTS_OK;
}

/* root attributes the frozen graphs still read (GetAttr/SetAttr on self, in any block) */
static void mark_self_reads(const PtsGraph *g, const PtsBlock *b, const PtsClassType *cls, bool *keep) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) mark_self_reads(g, n->blocks[i], cls, keep);
        if ((n->kind == PRIM(GETATTR) || n->kind == PRIM(SETATTR)) && n->ninputs && n->inputs[0] == g->top->inputs[0]) {
            const char *name = attr_name(n);
            int s = name ? pts_class_find_attr(cls, name) : -1;
            if (s >= 0) keep[s] = true;
        }
    }
}

/* a fork (or awaitable) handed a module: its body calls methods the frozen class will not have */
static const PtsNode *fork_of_module(const PtsBlock *b) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (n->kind == PRIM(FORK) || n->kind == PRIM(AWAITABLE))
            for (int i = 0; i < n->ninputs; i++) {
                const PtsType *t = n->inputs[i]->type;
                if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_module) return n;
            }
        for (int i = 0; i < n->nblocks; i++) {
            const PtsNode *r = fork_of_module(n->blocks[i]);
            if (r) return r;
        }
    }
    return NULL;
}

static bool returns_type(const PtsGraph *g, const PtsClassType *cls) {
    for (int i = 0; i < g->top->noutputs; i++) {
        const PtsType *t = g->top->outputs[i]->type;
        if (t->kind == PTS_TY_CLASS && t->cls == cls) return true;
    }
    return false;
}

PtsStatus pts_module_freeze(PtsValue mod, int npreserved, const char *const *preserved, PtsError *err, PtsValue *out) {
    *out = pts_none();
    if (mod.tag != PTS_V_OBJECT || !pts_as_object(mod)->cls->is_module)
        return pts_fail(err, PTS_ERR_VALUE, "freezing expects a module");
    PtsObject *root = pts_as_object(mod);
    PtsClassType *cls = root->cls;
    PtsFunction *fwd = pts_class_find_method(cls, "forward");
    if (fwd && fwd->graph && returns_type(fwd->graph, cls))
        return pts_fail(err, PTS_ERR_RUNTIME, "attempted to freeze a module that return itself");

    Frz z = { .root = root };
    PtsFunction **methods = pts_calloc((size_t)npreserved + 1, sizeof *methods);
    PtsGraph **graphs = pts_calloc((size_t)npreserved + 1, sizeof *graphs);
    bool *keep = pts_calloc((size_t)cls->nattrs + 1, sizeof(bool));
    PtsClassType *nc = NULL;
    PtsStatus s = PTS_OK;
    int nm = 0;
    if (!methods || !graphs || !keep) { s = oom(err); goto done; }
    if (fwd) methods[nm++] = fwd;

    /* the names to preserve: attributes (of submodules with dotted names) and methods of self */
    for (int i = 0; i < npreserved && !s; i++) {
        const char *name = preserved[i];
        PtsObject *o = root;
        const char *p = name, *dot;
        bool ok = true;
        int first_slot = -1;
        while ((dot = strchr(p, '.'))) {
            size_t len = (size_t)(dot - p);
            int found = -1;
            for (int k = 0; k < o->cls->nattrs && found < 0; k++)
                if (o->cls->attrs[k].kind == PTS_ATTR_MODULE && strlen(o->cls->attrs[k].name) == len &&
                    strncmp(o->cls->attrs[k].name, p, len) == 0 && o->slots[k].tag == PTS_V_OBJECT)
                    found = k;
            if (found < 0) { ok = false; break; }
            if (o == root) first_slot = found;
            o = pts_as_object(o->slots[found]);
            p = dot + 1;
        }
        int slot = ok ? pts_class_find_attr(o->cls, p) : -1;
        PtsFunction *f = ok && slot < 0 ? pts_class_find_method(o->cls, p) : NULL;
        if (!ok || (slot < 0 && !f)) { s = pts_fail(err, PTS_ERR_RUNTIME, "Unknown name: %s", name); break; }
        if (first_slot >= 0) keep[first_slot] = true;
        if (slot >= 0) {
            if (o == root) keep[slot] = true;
            s = insert_mutable(&z, o, o->cls->attrs[slot].name, o->slots[slot], err);
        } else if (o != root) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "freezing preserves methods of the module itself only, not '%s'", name);
        } else {
            bool dup = false;
            for (int k = 0; k < nm; k++) dup |= methods[k] == f;
            if (!dup) methods[nm++] = f;
        }
    }
    if (s) goto done;

    for (int i = 0; i < nm && !s; i++) {
        if (!methods[i]->graph || !methods[i]->graph->top->ninputs) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "cannot freeze method '%s': it has no graph", methods[i]->name);
            break;
        }
        s = collect_units(&z, methods[i], err);
        if (!s) s = pts_graph_copy(methods[i]->graph, err, &graphs[i]);
        if (!s) s = pts_pass_inline(graphs[i], err);
        if (!s) s = erase_shapes(graphs[i]->top, err);
    }
    for (int i = 0; i < nm && !s; i++)
        if (fork_of_module(graphs[i]->top))
            s = pts_fail(err, PTS_ERR_NOTIMPL, "cannot freeze method '%s': it forks a call on a module (torch freezes "
                         "the forked method too; pyts does not)", methods[i]->name);
    for (int i = 0; i < nm && !s; i++) s = record_mutable(&z, graphs[i], graphs[i]->top, err);
    for (int i = 0; i < nm && !s; i++) {
        s = propagate(&z, graphs[i], err);
        if (!s) s = optimize(graphs[i], err);
        if (!s) s = pts_graph_maybe_verify(graphs[i], err);
    }
    if (s) goto done;

    /* the frozen class: the attributes still read or preserved, the preserved methods */
    for (int i = 0; i < nm; i++) mark_self_reads(graphs[i], graphs[i]->top, cls, keep);
    if (!(nc = pts_class_new(cls->qualname, true))) { s = oom(err); goto done; }
    for (int i = 0; i < cls->nattrs && !s; i++)
        if (keep[i] && pts_class_add_attr(nc, cls->attrs[i].name, pts_type_retain(cls->attrs[i].type),
                                          (PtsAttrKind)cls->attrs[i].kind) < 0)
            s = oom(err);
    if (!s && cls->nconsts) {
        nc->const_names = pts_calloc((size_t)cls->nconsts, sizeof(char *));
        nc->const_values = pts_calloc((size_t)cls->nconsts, sizeof(PtsValue));
        if (!nc->const_names || !nc->const_values) s = oom(err);
        for (int i = 0; i < cls->nconsts && !s; i++) {
            if (!(nc->const_names[i] = pts_strdup(cls->const_names[i]))) { s = oom(err); break; }
            nc->const_values[i] = pts_value_retain(cls->const_values[i]);
            nc->nconsts = i + 1;
        }
    }
    for (int i = 0; i < nm && !s; i++) {
        PtsType *st = pts_type_class(nc);
        if (!st) { s = oom(err); break; }
        PtsIrValue *self = graphs[i]->top->inputs[0];
        pts_type_release(self->type);
        self->type = st;
        PtsFunction *f = pts_function_new(methods[i]->name, graphs[i], true);
        graphs[i] = NULL;
        if (!f) { s = oom(err); break; }
        s = copy_signature(f, methods[i], err);
        if (!s && z.nunits) {
            f->held_units = pts_calloc((size_t)z.nunits, sizeof(PtsUnit *));
            if (!f->held_units) s = oom(err);
            for (int k = 0; k < z.nunits && !s; k++) f->held_units[f->nheld_units++] = pts_unit_retain(z.units[k]);
        }
        if (!s) s = pts_class_add_method(nc, f, err);
        pts_function_release(f);
    }
    if (!s) s = pts_object_new(nc, err, out);
    for (int i = 0, k = 0; i < cls->nattrs && !s; i++) {
        if (!keep[i]) continue;
        PtsValue v = root->slots[i];
        if (v.tag == PTS_V_OBJECT && pts_as_object(v)->cls->is_module) s = clone_module(pts_as_object(v), err, &pts_as_object(*out)->slots[k]);
        else pts_as_object(*out)->slots[k] = pts_value_retain(v);
        k++;
    }
    if (s) pts_value_release(out);
done:
    for (int i = 0; i < nm; i++) pts_graph_free(graphs[i]);
    for (int i = 0; i < z.nunits; i++) pts_unit_release(z.units[i]);
    pts_class_release(nc);
    pts_free(z.units);
    pts_free(z.seen);
    pts_free(z.scal);
    pts_free(z.mut);
    pts_free(methods);
    pts_free(graphs);
    pts_free(keep);
    return s;
}

/* ---- run_frozen_optimizations ---- */
static bool kind_is(int kind, const char *name) { return strcmp(pts_node_kind_name(kind), name) == 0; }

/* torch's removeDropout: dropout in eval mode (train a constant False) is its input */
static int remove_dropout(PtsBlock *b) {
    int removed = 0;
    for (PtsNode *n = b->first, *next; n; n = next) {
        next = n->next;
        for (int i = 0; i < n->nblocks; i++) removed += remove_dropout(n->blocks[i]);
        if (!pts_kind_is_op(n->kind) || n->ninputs != 3 || n->noutputs != 1) continue;
        if (!kind_is(n->kind, "aten::dropout") && !kind_is(n->kind, "aten::feature_dropout") &&
            !kind_is(n->kind, "aten::alpha_dropout") && !kind_is(n->kind, "aten::feature_alpha_dropout"))
            continue;
        const PtsNode *t = n->inputs[2]->node;
        const PtsNodeAttr *a = t && t->kind == PRIM(CONSTANT) ? pts_node_attr(t, "value") : NULL;
        if (!a || a->v.tag != PTS_V_BOOL || a->v.u.b) continue;
        pts_value_replace_uses(n->outputs[0], n->inputs[0]);
        pts_node_destroy(n);
        removed++;
    }
    return removed;
}

PtsStatus pts_pass_optimize_frozen(PtsGraph *g, bool optimize_numerics, PtsError *err) {
    (void)optimize_numerics;   /* no numerics-changing folds are implemented */
    if (remove_dropout(g->top)) pts_pass_dce(g);
    return pts_graph_maybe_verify(g, err);
}
