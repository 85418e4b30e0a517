/* exit_transform.c: the front end emits `return`, `break` and `continue` as marker nodes
 * (prim::ReturnStmt(value), prim::LoopContinuation(keep_going, carried...)) where they stand; this
 * pass removes them as TorchScript's TransformExits does, so graphs and `.code` have torch's shape:
 * an "exited" bool and the exit values leave every If/Loop that may exit, the rest of a block after
 * such a node is guarded by `if exited`, loops stop on `not exited`. Then CanonicalizeModifiedLoops
 * (a for loop whose condition changed gets an explicit counter) and the If-output clean-up.
 * Value names: torch destroys the nodes after an exit and clones (rather than moves) the nodes
 * it merges into one If; its clones copy names, which renames the originals. The same events go
 * to the name simulation (tnames.h), in torch's order, so the names come out as torch's. */
#include <stdint.h>
#include <stdlib.h>

#include "ir.h"
#include "tnames.h"
#include "../ops/ops.h"

#define PRIM(p) PTS_KIND_PRIM(PTS_PRIM_##p)

typedef enum { WILL, MIGHT, WONT, THROWS } ExitStatus;

/* has exited (true_v / false_v / throws_v or a computed bool) and the values taken to the target */
typedef struct ExitPair {
    PtsIrValue *exited;
    PtsIrValue **vals;
    int n;
} ExitPair;

typedef struct Unit { const void *key; PtsIrValue *v; } Unit;   /* key: compared, never read */

typedef struct X {
    PtsGraph *g;
    PtsError *err;
    PtsUnifyFn unify;
    void *ctx;
    int kind;                    /* the marker being removed */
    PtsIrValue *true_v, *false_v, *throws_v;
    Unit *units;                 /* one prim::Uninitialized per type, made on demand */
    int nunits, capunits;
    PtsBlock *target;            /* where the current kind of exit goes */
    PtsNode ***guards;           /* the Ifs this pass made (shared by both runs) */
    int *nguards, *capguards;
    PtsNameSim *ns;              /* torch's naming events (NULL: none) */
    void **allocs;               /* value arrays of exit pairs */
    int nallocs, capallocs;
    bool failed;
} X;

static void fail_oom(X *x) {
    if (!x->failed) pts_fail(x->err, PTS_ERR_NOMEM, "out of memory");
    x->failed = true;
}

static PtsIrValue **vals_new(X *x, int n) {
    if (x->nallocs == x->capallocs) {
        int cap = x->capallocs ? x->capallocs * 2 : 32;
        void **a = pts_realloc(x->allocs, sizeof *a * (size_t)cap);
        if (!a) return fail_oom(x), NULL;
        x->allocs = a;
        x->capallocs = cap;
    }
    PtsIrValue **v = pts_calloc((size_t)(n ? n : 1), sizeof *v);
    if (!v) return fail_oom(x), NULL;
    x->allocs[x->nallocs++] = v;
    return v;
}

static void put_first(PtsGraph *g, PtsNode *n) {
    if (g->top->first != n) pts_node_move_before(n, g->top->first);
}

/* the Uninitialized value of type t (torch's getUnitValue: each new one first in the graph) */
static PtsIrValue *unit(X *x, const PtsType *t) {
    /* torch keys its cache by type object: tuple types are made afresh by each tuple expression */
    for (int i = 0; i < x->nunits; i++)
        if (pts_type_equal(x->units[i].v->type, t) && (t->kind != PTS_TY_TUPLE || x->units[i].key == (const void *)t))
            return x->units[i].v;
    if (x->nunits == x->capunits) {
        int cap = x->capunits ? x->capunits * 2 : 8;
        Unit *u = pts_realloc(x->units, sizeof *u * (size_t)cap);
        if (!u) return fail_oom(x), NULL;
        x->units = u;
        x->capunits = cap;
    }
    PtsType *ot = pts_type_retain((PtsType *)t);
    PtsNode *n = pts_node_new(x->g, x->g->top, PRIM(UNINITIALIZED), 0, NULL, 1, &ot);
    if (!n) return fail_oom(x), NULL;
    put_first(x->g, n);
    x->units[x->nunits++] = (Unit){ (const void *)t, n->outputs[0] };
    return n->outputs[0];
}

static ExitPair pair(PtsIrValue *e, PtsIrValue **vals, int n) { return (ExitPair){ e, vals, n }; }
static ExitPair wont(X *x) { return pair(x->false_v, NULL, 0); }

static ExitStatus status(const X *x, ExitPair p) {
    if (p.exited == x->true_v) return WILL;
    if (p.exited == x->false_v) return WONT;
    if (p.exited == x->throws_v) return THROWS;
    return MIGHT;
}

static bool add_out(X *x, PtsBlock *b, PtsIrValue *v) {
    if (x->failed) return false;
    if (pts_block_add_output(x->g, b, v, x->err)) return x->failed = true, false;
    return true;
}

/* If outputs joining then/else values (torch's addIfOutputs: unified, else their Union) */
static bool add_if_outputs(X *x, PtsNode *n, PtsIrValue *const *tv, PtsIrValue *const *fv, int k) {
    for (int i = 0; i < k; i++) {
        if (!add_out(x, n->blocks[0], tv[i]) || !add_out(x, n->blocks[1], fv[i])) return false;
        const PtsType *a = tv[i]->type, *b = fv[i]->type, *u;
        PtsType *t;
        if (pts_type_equal(a, b)) t = pts_type_retain((PtsType *)b);   /* torch's unifyTypes: the second */
        else if ((u = x->unify(x->ctx, a, b))) t = pts_type_retain((PtsType *)u);
        else t = pts_type_union(2, (PtsType *const[]){ (PtsType *)a, (PtsType *)b });
        if (!t || !pts_node_add_output(x->g, n, t)) return fail_oom(x), false;
    }
    return true;
}

static PtsIrValue **units_like(X *x, PtsIrValue *const *vals, int n) {
    PtsIrValue **out = vals_new(x, n);
    for (int i = 0; out && i < n; i++)
        if (!(out[i] = unit(x, vals[i]->type))) return NULL;
    return out;
}

/* a new If on cond at the end of b, remembered for inline_ifs */
static PtsNode *new_if(X *x, PtsBlock *b, PtsIrValue *cond) {
    PtsNode *n = pts_node_new(x->g, b, PRIM(IF), 1, &cond, 0, NULL);
    if (!n || !pts_node_add_block(x->g, n) || !pts_node_add_block(x->g, n)) return fail_oom(x), NULL;
    if (*x->nguards == *x->capguards) {
        int cap = *x->capguards ? *x->capguards * 2 : 16;
        PtsNode **gs = pts_realloc(*x->guards, sizeof *gs * (size_t)cap);
        if (!gs) return fail_oom(x), NULL;
        *x->guards = gs;
        *x->capguards = cap;
    }
    (*x->guards)[(*x->nguards)++] = n;
    return n;
}

static ExitPair transform_block(X *x, PtsBlock *b);

static ExitPair transform_loop(X *x, PtsNode *node) {
    PtsBlock *body = node->blocks[0];
    ExitPair p = transform_block(x, body);
    ExitStatus st = status(x, p);
    if (x->failed || st == WONT || st == THROWS) return wont(x);
    /* keep looping only when not exited: cond = exited ? false : cond */
    PtsNode *ni = new_if(x, body, p.exited);
    if (!ni || !add_out(x, ni->blocks[0], x->false_v) || !add_out(x, ni->blocks[1], body->outputs[0])) return wont(x);
    PtsIrValue *nc = pts_node_add_output(x->g, ni, pts_type_retain(pts_type_get(PTS_TY_BOOL)));
    if (!nc || !pts_block_replace_output(body, 0, nc)) return fail_oom(x), wont(x);
    /* exited and the exit values become carried (not exited before the first iteration) */
    if (pts_node_add_input(x->g, node, x->false_v, x->err)) return x->failed = true, wont(x);
    if (!pts_block_add_input(x->g, body, pts_type_retain(pts_type_get(PTS_TY_BOOL)), NULL) || !add_out(x, body, p.exited))
        return fail_oom(x), wont(x);
    PtsIrValue *ex = pts_node_add_output(x->g, node, pts_type_retain(pts_type_get(PTS_TY_BOOL)));
    if (!ex) return fail_oom(x), wont(x);
    PtsIrValue **vals = vals_new(x, p.n);
    if (!vals) return wont(x);
    for (int i = 0; i < p.n; i++) {
        PtsType *t = p.vals[i]->type;
        PtsIrValue *u = unit(x, t);
        if (!u) return wont(x);
        if (pts_node_add_input(x->g, node, u, x->err)) return x->failed = true, wont(x);
        if (!(vals[i] = pts_node_add_output(x->g, node, pts_type_retain(t))) ||
            !pts_block_add_input(x->g, body, pts_type_retain(t), NULL))
            return fail_oom(x), wont(x);
        if (!add_out(x, body, p.vals[i])) return wont(x);
    }
    return pair(ex, vals, p.n);
}

static ExitStatus if_status(ExitStatus a, ExitStatus b) {
    if (a == THROWS) return b;
    if (b == THROWS) return a;
    if (a == WONT && b == WONT) return WONT;
    if (a == WILL && b == WILL) return WILL;
    return MIGHT;
}

static ExitPair transform_if(X *x, PtsNode *node) {
    ExitPair tp = transform_block(x, node->blocks[0]);
    ExitPair fp = transform_block(x, node->blocks[1]);
    if (x->failed) return wont(x);
    ExitStatus ts = status(x, tp), fs = status(x, fp), st = if_status(ts, fs);
    if (st == THROWS) return pair(x->throws_v, NULL, 0);
    if (st == WONT) return wont(x);
    /* the side that does not exit hands over Uninitialized values it never uses */
    if (ts == WONT || ts == THROWS) {
        if (!(tp.vals = units_like(x, fp.vals, fp.n)) && fp.n) return wont(x);
        tp.n = fp.n;
    } else if (fs == WONT || fs == THROWS) {
        if (!(fp.vals = units_like(x, tp.vals, tp.n)) && tp.n) return wont(x);
        fp.n = tp.n;
    }
    PtsIrValue *exited;
    if (st == WILL) {
        exited = x->true_v;
    } else {
        if (!add_if_outputs(x, node, &tp.exited, &fp.exited, 1)) return wont(x);
        exited = node->outputs[node->noutputs - 1];
    }
    if (!add_if_outputs(x, node, tp.vals, fp.vals, tp.n)) return wont(x);
    return pair(exited, node->outputs + (node->noutputs - tp.n), tp.n);
}

static void append_to(PtsBlock *b, PtsNode *n) {
    /* unlink from its block, then put last in b */
    PtsBlock *o = n->owner;
    if (n->prev) n->prev->next = n->next; else o->first = n->next;
    if (n->next) n->next->prev = n->prev; else o->last = n->prev;
    n->owner = b;
    n->next = NULL;
    n->prev = b->last;
    if (b->last) b->last->next = n; else b->first = n;
    b->last = n;
}

/* the nodes from `from` on run only when not exited: they move into the else block of a new If */
static ExitPair guard_rest(X *x, PtsBlock *b, ExitPair p, PtsNode *from) {
    PtsNode *ni = new_if(x, b, p.exited);
    if (!ni) return wont(x);
    pts_node_move_before(ni, from);
    PtsBlock *exit_b = ni->blocks[0], *guard = ni->blocks[1];
    for (PtsNode *n = from, *next; n && n != ni; n = next) {
        next = n->next;
        append_to(guard, n);
    }
    int k = b->noutputs;
    for (int i = 0; i < k; i++) {
        PtsIrValue *u = unit(x, b->outputs[i]->type);
        if (!u || !add_out(x, exit_b, u) || !add_out(x, guard, b->outputs[i])) return wont(x);
        if (!pts_node_add_output(x->g, ni, pts_type_retain(b->outputs[i]->type))) return fail_oom(x), wont(x);
    }
    for (int i = 0; i < k; i++)
        if (!pts_block_replace_output(b, i, ni->outputs[i])) return fail_oom(x), wont(x);
    if (!pts_node_new(x->g, exit_b, x->kind, p.n, p.vals, 0, NULL)) return fail_oom(x), wont(x);
    return transform_if(x, ni);
}

/* after an exit nothing runs: the rest of the block goes, its values' uses (block outputs) read
 * Uninitialized values */
/* torch destroys n: the names of its values are free again */
static void drop_names(PtsNameSim *ns, const PtsNode *n) {
    for (int i = 0; i < n->noutputs; i++) pts_namesim_drop(ns, n->outputs[i]);
    for (int k = 0; k < n->nblocks; k++) {
        const PtsBlock *b = n->blocks[k];
        for (int i = 0; i < b->ninputs; i++) pts_namesim_drop(ns, b->inputs[i]);
        for (const PtsNode *m = b->first; m; m = m->next) drop_names(ns, m);
    }
}

static void delete_after(X *x, PtsBlock *b, PtsNode *from) {
    if (!from) return;
    for (PtsNode *n = b->last, *prev;; n = prev) {
        prev = n->prev;
        for (int i = 0; i < n->noutputs; i++)
            if (n->outputs[i]->nuses) {
                PtsIrValue *u = unit(x, n->outputs[i]->type);
                if (!u) return;
                pts_value_replace_uses(n->outputs[i], u);
            }
        bool last = n == from;
        if (x->ns) drop_names(x->ns, n);
        pts_node_destroy(n);
        if (last) break;
    }
}

static bool is_target(const X *x, const PtsBlock *b) {
    if (x->kind == PRIM(LOOP_CONTINUATION)) return b->owner && b->owner->kind == PRIM(LOOP);
    return b->owner == NULL;
}

static ExitPair transform_block(X *x, PtsBlock *b) {
    PtsBlock *prev_target = x->target;
    if (is_target(x, b)) x->target = b;
    ExitPair p = wont(x);
    for (PtsNode *it = b->first; it && !x->failed;) {
        PtsNode *n = it;
        it = it->next;
        if (n->kind == PRIM(RAISE)) {
            p = pair(x->throws_v, NULL, 0);
        } else if (n->kind == x->kind) {
            PtsIrValue **vals = vals_new(x, n->ninputs);
            if (!vals) break;
            for (int i = 0; i < n->ninputs; i++) vals[i] = n->inputs[i];
            p = pair(x->true_v, vals, n->ninputs);
            pts_node_destroy(n);
        } else if (n->kind == PRIM(IF) && n->nblocks == 2) {
            p = transform_if(x, n);
        } else if (n->kind == PRIM(LOOP) && n->nblocks == 1) {
            p = transform_loop(x, n);
        } else if (n->kind == PRIM(WITH) && n->nblocks == 2) {
            /* an exit in the body leaves it before the Exits (block 1), which stay with the node */
            p = transform_block(x, n->blocks[0]);
        }
        ExitStatus st = status(x, p);
        if (st == WILL || st == THROWS) {
            delete_after(x, b, it);
            break;
        }
        if (st == MIGHT) {
            if (it) p = guard_rest(x, b, p, it);
            break;
        }
    }
    if (x->target == b && !x->failed) {
        /* the exit lands here: the block returns the exit values when exited */
        ExitStatus st = status(x, p);
        if (st == MIGHT) {
            PtsNode *ni = new_if(x, b, p.exited);
            int k = b->noutputs;
            PtsIrValue **cur = ni ? vals_new(x, k) : NULL;
            if (cur) {
                for (int i = 0; i < k; i++) cur[i] = b->outputs[i];
                if (add_if_outputs(x, ni, p.vals, cur, k))
                    for (int i = 0; i < k; i++)
                        if (!pts_block_replace_output(b, i, ni->outputs[i])) fail_oom(x);
            }
        } else if (st == WILL) {
            for (int i = 0; i < b->noutputs && i < p.n; i++)
                if (!pts_block_replace_output(b, i, p.vals[i])) fail_oom(x);
        }
        p = wont(x);
    }
    x->target = prev_target;
    return p;
}

typedef struct Guards { PtsNode **v; int n, cap; } Guards;

static PtsStatus run(PtsGraph *g, int kind, PtsUnifyFn unify, void *ctx, Guards *gs, PtsNameSim *ns, PtsError *err) {
    X x = { .g = g, .err = err, .unify = unify, .ctx = ctx, .kind = kind, .guards = &gs->v, .nguards = &gs->n, .capguards = &gs->cap,
            .ns = ns };
    PtsIrValue *t = pts_graph_constant(g, g->top, pts_vbool(true));
    PtsIrValue *f = t ? pts_graph_constant(g, g->top, pts_vbool(false)) : NULL;
    if (!f) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    /* as torch: true, false before the first node */
    put_first(g, f->node);
    put_first(g, t->node);
    x.true_v = t;
    x.false_v = f;
    x.throws_v = unit(&x, pts_type_get(PTS_TY_BOOL));
    if (x.throws_v) transform_block(&x, g->top);
    for (int i = 0; i < x.nallocs; i++) pts_free(x.allocs[i]);
    pts_free(x.allocs);
    pts_free(x.units);
    if (x.failed || !x.throws_v) return err->code ? err->code : PTS_ERR_NOMEM;
    return PTS_OK;
}

/* {==== inlineConsecutiveIfs ====
 * `if c: exit... ` followed by `if exited: ... else: rest` (the second reading an output of the
 * first that is a different constant on each side) becomes one If: each side of the first gets
 * the nodes of the side of the second it selects. */
static bool const_bool(const PtsIrValue *v, bool *b) {
    if (!v->node || v->node->kind != PRIM(CONSTANT)) return false;
    const PtsNodeAttr *a = pts_node_attr(v->node, "value");
    if (!a || a->v.tag != PTS_V_BOOL) return false;
    *b = a->v.u.b;
    return true;
}

static bool inside(const PtsBlock *b, const PtsBlock *anc) {
    for (; b; b = b->owner ? b->owner->owner : NULL)
        if (b == anc) return true;
    return false;
}

/* uses of `first`'s outputs under src (node inputs, returns of nested blocks; not src's own
 * returns, mapped by the caller) read what side `from` returns instead: found through the use
 * lists, so a merge costs its uses, not the size of src */
static bool remap_uses(PtsNode *first, const PtsBlock *src, PtsBlock *from) {
    for (int o = 0; o < first->noutputs; o++) {
        PtsIrValue *v = first->outputs[o], *to = from->outputs[o];
        for (int u = 0; u < v->nuses;) {
            PtsUse us = v->uses[u];
            if (us.user && inside(us.user->owner, src)) {
                if (!pts_node_replace_input(us.user, us.index, to)) return false;
            } else if (!us.user && us.block != src && inside(us.block, src)) {
                if (!pts_block_replace_output(us.block, us.index, to)) return false;
            } else {
                u++;
            }
        }
    }
    return true;
}

/* torch merges by cloning the second If's blocks into the first's (Block::cloneFrom): each block
 * input copies its name once, each node output twice (createClone, then cloneFrom again), the
 * second copy taking the name the first gave the original; then the originals are destroyed.
 * pyts moves the nodes: each value is bound to its clone's holder afterwards. */
typedef struct Clone { PtsIrValue *v; int h; } Clone;
typedef struct Clones { Clone *c; int n, cap; } Clones;

static bool clone_push(Clones *cs, PtsIrValue *v, int h) {
    if (cs->n == cs->cap) {
        int cap = cs->cap ? cs->cap * 2 : 16;
        Clone *c = pts_realloc(cs->c, sizeof *c * (size_t)cap);
        if (!c) return false;
        cs->c = c;
        cs->cap = cap;
    }
    cs->c[cs->n++] = (Clone){ v, h };
    return true;
}

static bool clone_names_block(PtsNameSim *ns, Clones *cs, const PtsBlock *b);

static bool clone_names_node(PtsNameSim *ns, Clones *cs, const PtsNode *n) {
    int first = cs->n;
    for (int i = 0; i < n->noutputs; i++)
        if (!clone_push(cs, n->outputs[i], pts_namesim_copy(ns, -1, n->outputs[i]))) return false;
    for (int k = 0; k < n->nblocks; k++)
        if (!clone_names_block(ns, cs, n->blocks[k])) return false;
    for (int i = 0; i < n->noutputs; i++) (void)pts_namesim_copy(ns, cs->c[first + i].h, n->outputs[i]);
    return true;
}

static bool clone_names_block(PtsNameSim *ns, Clones *cs, const PtsBlock *b) {
    for (int i = 0; i < b->ninputs; i++)
        if (!clone_push(cs, b->inputs[i], pts_namesim_copy(ns, -1, b->inputs[i]))) return false;
    for (const PtsNode *n = b->first; n; n = n->next)
        if (!clone_names_node(ns, cs, n)) return false;
    return true;
}

/* the originals are destroyed, the clones (pyts's moved values) keep their names */
static void clone_names_bind(PtsNameSim *ns, const Clones *cs) {
    for (int i = 0; i < cs->n; i++) pts_namesim_drop(ns, cs->c[i].v);
    for (int i = 0; i < cs->n; i++) pts_namesim_bind(ns, cs->c[i].v, cs->c[i].h);
}

static bool inline_pair(PtsGraph *g, const Guards *gs, PtsNode *n, PtsNameSim *ns, PtsError *err, bool *ok) {
    *ok = true;
    PtsNode *s = n->next;
    if (n->kind != PRIM(IF) || !s || s->kind != PRIM(IF) || n->nblocks != 2 || s->nblocks != 2) return false;
    /* only the guards this pass made: pyts folds constant conditions (static isinstance...) while
     * emitting, where torch's emitter still has the computation, so a user's If could qualify here
     * and not in torch */
    bool guard = false;
    for (int i = 0; i < gs->n && !guard; i++) guard = gs->v[i] == s;
    if (!guard) return false;
    PtsIrValue *c = s->inputs[0];
    if (c->node != n) return false;
    bool tv, fv;
    if (!const_bool(n->blocks[0]->outputs[c->offset], &tv) || !const_bool(n->blocks[1]->outputs[c->offset], &fv) || tv == fv)
        return false;
    Clones cs = { 0 };
    if (ns)
        for (int k = 0; k < 2; k++)
            if (!clone_names_block(ns, &cs, s->blocks[(k == 0 ? tv : fv) ? 0 : 1])) {
                pts_free(cs.c);
                return *ok = false, false;
            }
    for (int k = 0; k < 2; k++) {
        PtsBlock *dst = n->blocks[k], *src = s->blocks[(k == 0 ? tv : fv) ? 0 : 1];
        if (!remap_uses(n, src, dst)) return pts_free(cs.c), *ok = false, false;
        while (src->first) append_to(dst, src->first);
        for (int i = 0; i < src->noutputs; i++) {
            PtsIrValue *v = src->outputs[i];
            if (v->node == n) v = dst->outputs[v->offset];
            if (pts_block_add_output(g, dst, v, err)) return pts_free(cs.c), *ok = false, false;
        }
    }
    /* the second If's outputs: new outputs of the first copy their names (torch's copyMetadata) */
    for (int i = 0; i < s->noutputs; i++) {
        PtsIrValue *o = s->outputs[i];
        PtsIrValue *nv = pts_node_add_output(g, n, pts_type_retain(o->type));
        if (!nv) return pts_free(cs.c), *ok = false, false;
        nv->name = o->name;
        nv->name_suffix = o->name_suffix;
        if (ns) {
            int h = pts_namesim_copy(ns, -1, o);
            pts_namesim_drop(ns, o);
            pts_namesim_bind(ns, nv, h);
        }
        pts_value_replace_uses(o, nv);
    }
    if (ns) clone_names_bind(ns, &cs);
    pts_free(cs.c);
    pts_node_destroy(s);
    return true;
}

static bool inline_ifs(PtsGraph *g, const Guards *gs, PtsBlock *b, PtsNameSim *ns, PtsError *err) {
    for (PtsNode *n = b->first; n;) {
        for (int k = 0; k < n->nblocks; k++)
            if (!inline_ifs(g, gs, n->blocks[k], ns, err)) return false;
        bool ok;
        if (!inline_pair(g, gs, n, ns, err, &ok)) {
            if (!ok) return false;
            n = n->next;
        }
    }
    return true;
}
/* }==== */

/* anything for the transform below the top block (markers, raises)? */
static bool nested_exits(const PtsBlock *b, bool top) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (n->kind == PRIM(RAISE) || n->kind == PRIM(LOOP_CONTINUATION) || (!top && n->kind == PRIM(RETURN_STMT))) return true;
        if (n->kind == PRIM(IF) || n->kind == PRIM(LOOP) || n->kind == PRIM(WITH))
            for (int k = 0; k < n->nblocks; k++)
                if (nested_exits(n->blocks[k], false)) return true;
    }
    return false;
}

/* {==== with regions ====
 * As torch, the pass sees each prim::Enter ... prim::Exit pair of a block as a prim::With node after
 * the Enter: block 0 holds the nodes between, block 1 the Exit. An exit inside the body is then
 * handled in the body, and the Exit stays after it; the regions are flattened back afterwards. */

/* the prim::Exit closing `enter` in its block (Enter/Exit pairs nest), or NULL */
static PtsNode *matching_exit(PtsNode *enter) {
    int depth = 0;
    for (PtsNode *n = enter->next; n; n = n->next) {
        if (n->kind == PRIM(ENTER)) depth++;
        else if (n->kind == PRIM(EXIT) && depth-- == 0) return n->ninputs == 1 && n->inputs[0] == enter->inputs[0] ? n : NULL;
    }
    return NULL;
}

/* 1 when some region was made, 0 when none, -1 on failure */
static int make_withs(PtsGraph *g, PtsBlock *b, PtsError *err) {
    int made = 0;
    for (PtsNode *n = b->first; n; n = n->next) {
        if (n->kind == PRIM(ENTER)) {
            PtsNode *ex = matching_exit(n);
            if (!ex) return pts_fail(err, PTS_ERR_INTERNAL, "prim::Enter without its prim::Exit in the same block"), -1;
            PtsNode *w = pts_node_new(g, b, PRIM(WITH), 0, NULL, 0, NULL);
            PtsBlock *body = w ? pts_node_add_block(g, w) : NULL, *exb = body ? pts_node_add_block(g, w) : NULL;
            if (!exb) return pts_fail(err, PTS_ERR_NOMEM, "out of memory"), -1;
            pts_node_move_before(w, n->next);
            while (w->next != ex) append_to(body, w->next);
            append_to(exb, ex);
            made = 1;
            continue;   /* the body is visited as w's block next */
        }
        for (int k = 0; k < n->nblocks; k++) {
            int r = make_withs(g, n->blocks[k], err);
            if (r < 0) return -1;
            made |= r;
        }
    }
    return made;
}

/* the regions flattened back: the body's nodes, then the Exit, in the With's place */
static void drop_withs(PtsBlock *b) {
    for (PtsNode *n = b->first, *next; n; n = next) {
        for (int k = 0; k < n->nblocks; k++) drop_withs(n->blocks[k]);
        next = n->next;
        if (n->kind != PRIM(WITH)) continue;
        for (int k = 0; k < 2; k++)
            while (n->blocks[k]->first) pts_node_move_before(n->blocks[k]->first, n);
        pts_node_destroy(n);
    }
}

/* every value read where it is visible (its definition's block encloses the use): torch's pass
 * breaks this when a with body guarded after a conditional return defines a value read after the
 * with, and fails there (an internal assert); here it is a compile error */
static bool visible(const PtsIrValue *v, const PtsBlock *at) {
    const PtsBlock *def = v->node ? v->node->owner : v->param_of;
    return !def || inside(at, def);
}

static bool scopes_ok(const PtsBlock *b) {
    for (int i = 0; i < b->noutputs; i++)
        if (!visible(b->outputs[i], b)) return false;
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->ninputs; i++)
            if (!visible(n->inputs[i], b)) return false;
        for (int k = 0; k < n->nblocks; k++)
            if (!scopes_ok(n->blocks[k])) return false;
    }
    return true;
}
/* }==== */

PtsStatus pts_pass_transform_exits(PtsGraph *g, PtsUnifyFn unify, void *ctx, PtsNameSim *ns, PtsError *err) {
    /* the common case, one return ending the body before the placeholder: what the transform
     * would leave, without its temporary constants and allocations */
    PtsBlock *top = g->top;
    PtsNode *ph = top->last, *r = ph ? ph->prev : NULL;
    if (r && r->kind == PRIM(RETURN_STMT) && r->ninputs == 1 && ph->kind == PRIM(UNINITIALIZED) && top->noutputs == 1 &&
        top->outputs[0] == ph->outputs[0] && ph->outputs[0]->nuses == 1 && !nested_exits(top, true)) {
        if (!pts_block_replace_output(top, 0, r->inputs[0])) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        pts_node_destroy(ph);
        pts_node_destroy(r);
        return PTS_OK;
    }
    int withs = make_withs(g, g->top, err);
    if (withs < 0) return err->code;
    Guards gs = { 0 };
    PtsStatus st = run(g, PRIM(LOOP_CONTINUATION), unify, ctx, &gs, ns, err);
    if (!st) st = run(g, PRIM(RETURN_STMT), unify, ctx, &gs, ns, err);
    if (!st && !inline_ifs(g, &gs, g->top, ns, err)) st = err->code ? err->code : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    pts_free(gs.v);
    if (withs) drop_withs(g->top);
    if (!st && withs && !scopes_ok(g->top))
        st = pts_fail(err, PTS_ERR_COMPILE, "a value assigned in a with statement after a return, break or continue inside "
                      "it cannot be used after the with statement (TorchScript cannot compile this either)");
    return st;
}

/* {==== CanonicalizeModifiedLoops ====
 * A for loop (a trip count) whose condition is not always true becomes a while loop with its own
 * counter: Loop(INT64_MAX, n > 0, ..., 0), body (..., i) -> (i + 1 < n and cond, ..., i + 1). */
static bool is_true(const PtsIrValue *v) {
    bool b;
    return const_bool(v, &b) && b;
}

static bool is_max_int(const PtsIrValue *v) {
    if (!v->node || v->node->kind != PRIM(CONSTANT)) return false;
    const PtsNodeAttr *a = pts_node_attr(v->node, "value");
    return a && a->v.tag == PTS_V_INT && a->v.u.i == INT64_MAX;
}

static PtsIrValue *op_before(PtsGraph *g, PtsBlock *b, PtsNode *before, int id, PtsIrValue *x, PtsIrValue *y,
                             PtsTypeKind rt) {
    PtsType *t = pts_type_retain(pts_type_get(rt));
    PtsNode *n = pts_node_new(g, b, id, 2, (PtsIrValue *const[]){ x, y }, 1, &t);
    if (!n) return NULL;
    if (before) pts_node_move_before(n, before);
    return n->outputs[0];
}

static PtsIrValue *const_before(PtsGraph *g, PtsNode *before, PtsValue v) {
    PtsIrValue *c = pts_graph_constant(g, before->owner, v);
    if (c) pts_node_move_before(c->node, before);
    return c;
}

static PtsStatus canon_loop(PtsGraph *g, PtsNode *n, PtsError *err) {
    PtsBlock *body = n->blocks[0];
    if (n->ninputs < 2 || body->noutputs < 1 || body->ninputs < 1) return PTS_OK;
    PtsIrValue *trip = n->inputs[0];
    if (is_max_int(trip)) return PTS_OK;   /* a while loop */
    if (is_true(n->inputs[1]) && is_true(body->outputs[0])) return PTS_OK;   /* a plain for loop */
    PtsIrValue *zero = const_before(g, n, pts_vint(0)), *one = zero ? const_before(g, n, pts_vint(1)) : NULL, *cond;
    if (!one || !(cond = op_before(g, n->owner, n, PTS_OP_GT_INT, trip, zero, PTS_TY_BOOL))) goto oom;
    PtsIrValue *mx = const_before(g, n, pts_vint(INT64_MAX));
    if (!mx || !pts_node_replace_input(n, 0, mx)) goto oom;
    if (!is_true(n->inputs[1]) && !(cond = op_before(g, n->owner, n, PTS_OP_AND_BOOL, cond, n->inputs[1], PTS_TY_BOOL)))
        goto oom;
    if (!pts_node_replace_input(n, 1, cond)) goto oom;
    if (!pts_node_add_output(g, n, pts_type_retain(pts_type_get(PTS_TY_INT)))) goto oom;
    PTS_TRY(pts_node_add_input(g, n, zero, err));
    PtsIrValue *it = pts_block_add_input(g, body, pts_type_retain(pts_type_get(PTS_TY_INT)), NULL);
    if (!it) goto oom;
    PtsIrValue *old = body->inputs[0];
    old->name = NULL;
    old->name_suffix = 0;
    pts_value_replace_uses(old, it);
    PtsIrValue *inc = op_before(g, body, NULL, PTS_OP_ADD_INT, it, one, PTS_TY_INT);
    if (!inc) goto oom;
    PTS_TRY(pts_block_add_output(g, body, inc, err));
    PtsIrValue *lt = op_before(g, body, NULL, PTS_OP_LT_INT, inc, trip, PTS_TY_BOOL), *nc;
    if (!lt || !(nc = op_before(g, body, NULL, PTS_OP_AND_BOOL, lt, body->outputs[0], PTS_TY_BOOL))) goto oom;
    if (!pts_block_replace_output(body, 0, nc)) goto oom;
    return PTS_OK;
oom:
    return err->code ? err->code : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
}

static PtsStatus canon_block(PtsGraph *g, PtsBlock *b, PtsError *err) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int k = 0; k < n->nblocks; k++) PTS_TRY(canon_block(g, n->blocks[k], err));
        if (n->kind == PRIM(LOOP) && n->nblocks == 1) PTS_TRY(canon_loop(g, n, err));
    }
    return PTS_OK;
}

PtsStatus pts_pass_canonicalize_modified_loops(PtsGraph *g, PtsError *err) { return canon_block(g, g->top, err); }
/* }==== */

/* {==== removeExtraIfOutputs ==== */
static bool same_constant(const PtsIrValue *a, const PtsIrValue *b) {
    if (!a->node || !b->node || a->node->kind != PRIM(CONSTANT) || b->node->kind != PRIM(CONSTANT)) return false;
    const PtsNodeAttr *x = pts_node_attr(a->node, "value"), *y = pts_node_attr(b->node, "value");
    if (!x || !y) return !x && !y && pts_type_equal(a->type, b->type);   /* None */
    if (x->v.tag != y->v.tag || !pts_type_equal(a->type, b->type)) return false;
    switch (x->v.tag) {
    case PTS_V_BOOL: return x->v.u.b == y->v.u.b;
    case PTS_V_INT: return x->v.u.i == y->v.u.i;
    case PTS_V_NONE: return true;
    default: return false;
    }
}

static void extra_block(PtsBlock *b) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int k = 0; k < n->nblocks; k++) extra_block(n->blocks[k]);
        if (n->kind != PRIM(IF) || n->nblocks != 2) continue;
        for (int i = 0; i < n->noutputs;) {
            PtsIrValue *t = n->blocks[0]->outputs[i], *f = n->blocks[1]->outputs[i];
            if (t == f || same_constant(t, f)) {
                /* a value defined outside (or a constant, pooled to the top later) */
                /* equal values come from outside the If; an equal constant moves before it */
                if (t != f && t->node->owner == n->blocks[0]) pts_node_move_before(t->node, n);
                pts_value_replace_uses(n->outputs[i], t);
                pts_node_erase_output(n, i);
                continue;
            }
            i++;
        }
    }
}

void pts_pass_remove_extra_if_outputs(PtsGraph *g) { extra_block(g->top); }
/* }==== */
