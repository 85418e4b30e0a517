/* verify.c: the graph verifier. Checks that a graph is well formed before anything runs or prints
 * it: every use dominated by its definition (across nested blocks), use lists consistent with
 * node inputs, node input/output counts against the op schema or the prim's shape, If/Loop
 * blocks against their node, and the types the interpreter relies on. A bad graph is reported as
 * PTS_ERR_INTERNAL with the reason and the graph's text, never a crash. */
#include <stdlib.h>
#include <stdio.h>

#include "ir.h"

typedef struct V {
    const PtsGraph *g;
    uint8_t *live;           /* per value id: 1 while the value is visible */
    int nids;
    char why[320];
} V;

static bool bad(V *v, const char *fmt, const char *a, int x) {
    snprintf(v->why, sizeof v->why, fmt, a, x);
    return false;
}

static void value_label(const PtsIrValue *x, char *buf, size_t n) {
    if (x->name && x->name_suffix) snprintf(buf, n, "%%%s.%d", x->name, x->name_suffix);
    else if (x->name) snprintf(buf, n, "%%%s", x->name);
    else snprintf(buf, n, "%%%d", x->id);
}

static bool has_use(const PtsIrValue *x, const PtsNode *user, int index, const PtsBlock *blk) {
    for (int i = 0; i < x->nuses; i++)
        if (x->uses[i].user == user && x->uses[i].index == index && x->uses[i].block == blk) return true;
    return false;
}

static bool check_used(V *v, const PtsIrValue *x, const char *where) {
    char lab[96];
    if (!x) return bad(v, "null value used by %s%d", where, 0);
    value_label(x, lab, sizeof lab);
    if (x->id < 0 || x->id >= v->nids || !v->live[x->id]) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s used by %s before its definition (or outside its block)", lab, where);
        return bad(v, "%s%.0d", msg, 0);
    }
    if (!x->type) return bad(v, "%s has no type%.0d", lab, 0);
    return true;
}

static bool define(V *v, PtsIrValue *x) {
    if (!x || x->id < 0 || x->id >= v->nids) return bad(v, "value with an id out of range (%s%d)", "", x ? x->id : -1);
    if (v->live[x->id]) {
        char lab[96];
        value_label(x, lab, sizeof lab);
        return bad(v, "%s is defined twice%.0d", lab, 0);
    }
    if (!x->type) return bad(v, "value without a type (%s%d)", "", x->id);
    v->live[x->id] = 1;
    return true;
}

static void undefine_block(V *v, const PtsBlock *b);
static void undefine_node(V *v, const PtsNode *n) {
    for (int i = 0; i < n->noutputs; i++) if (n->outputs[i]) v->live[n->outputs[i]->id] = 0;
    for (int i = 0; i < n->nblocks; i++) undefine_block(v, n->blocks[i]);
}
static void undefine_block(V *v, const PtsBlock *b) {
    for (int i = 0; i < b->ninputs; i++) if (b->inputs[i]) v->live[b->inputs[i]->id] = 0;
    for (const PtsNode *n = b->first; n; n = n->next) undefine_node(v, n);
}

static bool is_bool_like(const PtsType *t) {
    return t->kind == PTS_TY_BOOL || t->kind == PTS_TY_ANY;
}

static bool check_block(V *v, const PtsBlock *b, const PtsNode *owner);

static bool check_prim(V *v, const PtsNode *n) {
    const char *kn = pts_node_kind_name(n->kind);
    int p = n->kind - PTS_PRIM_BASE;
    switch (p) {
    case PTS_PRIM_CONSTANT:
        if (n->ninputs != 0 || n->noutputs != 1) return bad(v, "%s must have no inputs and one output%.0d", kn, 0);
        break;
    case PTS_PRIM_GETATTR:
    case PTS_PRIM_SETATTR: {
        int want_in = p == PTS_PRIM_GETATTR ? 1 : 2, want_out = p == PTS_PRIM_GETATTR ? 1 : 0;
        if (n->ninputs != want_in || n->noutputs != want_out) return bad(v, "%s has the wrong number of inputs/outputs%.0d", kn, 0);
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        if (!a || a->v.tag != PTS_V_STR) return bad(v, "%s without a name attribute%.0d", kn, 0);
        const PtsType *t = n->inputs[0]->type;
        if (t->kind == PTS_TY_CLASS && t->cls && pts_class_find_attr(t->cls, pts_as_str(a->v)->data) < 0) {
            snprintf(v->why, sizeof v->why, "%s: %s has no attribute '%s'", kn, t->cls->qualname,
                     pts_as_str(a->v)->data);
            return false;
        }
        break;
    }
    case PTS_PRIM_CALLMETHOD: {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        if (n->ninputs < 1 || !a || a->v.tag != PTS_V_STR) return bad(v, "%s needs an object and a name%.0d", kn, 0);
        const PtsType *t = n->inputs[0]->type;
        if (t->kind != PTS_TY_CLASS || !t->cls) return bad(v, "%s on a value that is not an object%.0d", kn, 0);
        const PtsFunction *f = pts_class_find_method(t->cls, pts_as_str(a->v)->data);
        /* methods are attached after the caller's graph is built while tracing: only a known
         * callee is checked against */
        if (f && f->graph) {
            if (f->graph->top->ninputs != n->ninputs)
                return bad(v, "%s passes the wrong number of arguments (callee takes %d)", kn, f->graph->top->ninputs);
            if (f->graph->top->noutputs != n->noutputs)
                return bad(v, "%s has the wrong number of outputs (callee returns %d)", kn, f->graph->top->noutputs);
        }
        break;
    }
    case PTS_PRIM_CALLFUNCTION: {
        const PtsNodeAttr *a = pts_node_attr(n, "fn");
        const PtsFunction *f = a && a->kind == PTS_AV_IVALUE ? pts_function_ref_get(a->v) : NULL;
        if (f && f->graph && (f->graph->top->ninputs != n->ninputs || f->graph->top->noutputs != n->noutputs))
            return bad(v, "%s: arguments or results do not match the callee (%d inputs)", kn, f->graph->top->ninputs);
        break;
    }
    case PTS_PRIM_TUPLECONSTRUCT:
    case PTS_PRIM_LISTCONSTRUCT:
    case PTS_PRIM_DICTCONSTRUCT: {
        if (n->noutputs != 1) return bad(v, "%s must have one output%.0d", kn, 0);
        const PtsType *t = n->outputs[0]->type;
        if (p == PTS_PRIM_TUPLECONSTRUCT && t->kind == PTS_TY_TUPLE && t->n != n->ninputs)
            return bad(v, "%s of %s values typed as a tuple of another size", kn, n->ninputs);
        if (p == PTS_PRIM_TUPLECONSTRUCT && t->kind != PTS_TY_TUPLE && t->kind != PTS_TY_ANY)
            return bad(v, "%s output is not a tuple%.0d", kn, 0);
        if (p == PTS_PRIM_LISTCONSTRUCT && t->kind != PTS_TY_LIST) return bad(v, "%s output is not a list%.0d", kn, 0);
        if (p == PTS_PRIM_DICTCONSTRUCT && (n->ninputs % 2)) return bad(v, "%s needs key/value pairs (%d inputs)", kn, n->ninputs);
        break;
    }
    case PTS_PRIM_TUPLEUNPACK:
    case PTS_PRIM_LISTUNPACK: {
        if (n->ninputs != 1) return bad(v, "%s takes one input%.0d", kn, 0);
        const PtsType *t = n->inputs[0]->type;
        if (p == PTS_PRIM_TUPLEUNPACK && t->kind == PTS_TY_TUPLE && t->n != n->noutputs)
            return bad(v, "%s of a tuple into %d values of another count", kn, n->noutputs);
        break;
    }
    case PTS_PRIM_IF: {
        if (n->ninputs != 1 || n->nblocks != 2) return bad(v, "%s needs one condition and two blocks%.0d", kn, 0);
        if (!is_bool_like(n->inputs[0]->type)) return bad(v, "%s condition is not a bool%.0d", kn, 0);
        for (int k = 0; k < 2; k++) {
            const PtsBlock *b = n->blocks[k];
            if (b->ninputs != 0) return bad(v, "%s block%d has inputs", kn, k);
            if (b->noutputs != n->noutputs)
                return bad(v, "%s block%d returns a different number of values than the node has outputs", kn, k);
        }
        break;
    }
    case PTS_PRIM_LOOP: {
        if (n->ninputs < 2 || n->nblocks != 1) return bad(v, "%s needs a trip count, a condition and one block%.0d", kn, 0);
        int ncar = n->ninputs - 2;
        const PtsBlock *b = n->blocks[0];
        if (n->noutputs != ncar) return bad(v, "%s has %d outputs but a different number of carried values", kn, n->noutputs);
        if (b->ninputs != ncar + 1) return bad(v, "%s body takes %d inputs, expected the counter and the carried values", kn, b->ninputs);
        if (b->noutputs != ncar + 1) return bad(v, "%s body returns %d values, expected the condition and the carried values", kn, b->noutputs);
        if (n->inputs[0]->type->kind != PTS_TY_INT) return bad(v, "%s trip count is not an int%.0d", kn, 0);
        if (!is_bool_like(n->inputs[1]->type)) return bad(v, "%s condition is not a bool%.0d", kn, 0);
        if (b->inputs[0]->type->kind != PTS_TY_INT) return bad(v, "%s counter is not an int%.0d", kn, 0);
        break;
    }
    case PTS_PRIM_FORK:
    case PTS_PRIM_AWAITABLE: {
        /* the body is lifted: its inputs are the node's inputs (emit_fork.inc) */
        if (n->nblocks != 1 || n->noutputs != 1) return bad(v, "%s needs one body block and one output%.0d", kn, 0);
        const PtsBlock *b = n->blocks[0];
        if (b->ninputs != n->ninputs) return bad(v, "%s body takes %d inputs, the node has another number", kn, b->ninputs);
        if (b->noutputs != 1) return bad(v, "%s body returns %d values, expected one", kn, b->noutputs);
        if (n->outputs[0]->type->kind != (p == PTS_PRIM_FORK ? PTS_TY_FUTURE : PTS_TY_AWAIT))
            return bad(v, "%s output is not a Future/Await%.0d", kn, 0);
        break;
    }
    case PTS_PRIM_AWAITABLE_WAIT:
        if (n->ninputs != 1 || n->noutputs != 1 || n->inputs[0]->type->kind != PTS_TY_AWAIT)
            return bad(v, "%s takes one Await and has one output%.0d", kn, 0);
        break;
    case PTS_PRIM_AWAITABLE_NOWAIT:
        if (n->ninputs != 1 || n->noutputs != 1 || n->outputs[0]->type->kind != PTS_TY_AWAIT)
            return bad(v, "%s takes one value and makes an Await%.0d", kn, 0);
        break;
    case PTS_PRIM_WAIT:
        if (n->ninputs != 1 || n->noutputs != 1 || n->inputs[0]->type->kind != PTS_TY_FUTURE)
            return bad(v, "%s takes one Future and has one output%.0d", kn, 0);
        break;
    case PTS_PRIM_NUMTOTENSOR:
    case PTS_PRIM_UNCHECKED_CAST:
        if (n->ninputs != 1 || n->noutputs != 1) return bad(v, "%s takes one input and has one output%.0d", kn, 0);
        break;
    default:
        break;
    }
    if (p != PTS_PRIM_IF && p != PTS_PRIM_LOOP && p != PTS_PRIM_FORK && p != PTS_PRIM_AWAITABLE && n->nblocks)
        return bad(v, "%s cannot have blocks%.0d", kn, 0);
    return true;
}

static bool check_node(V *v, const PtsNode *n, const PtsBlock *b) {
    const char *kn = pts_node_kind_name(n->kind);
    char where[128];
    if (n->owner != b) return bad(v, "%s node is linked in a block that does not own it%.0d", kn, 0);
    snprintf(where, sizeof where, "%s", kn);
    for (int i = 0; i < n->ninputs; i++) {
        if (!check_used(v, n->inputs[i], where)) return false;
        if (!has_use(n->inputs[i], n, i, NULL)) return bad(v, "the use list of input %d of %s is missing its entry", kn, i);
    }
    if (pts_kind_is_op(n->kind)) {
        const PtsSchema *s = &pts_op_info[n->kind].schema;
        int required = 0;
        for (int i = 0; i < s->nargs; i++) if (!s->args[i].has_default) required = i + 1;
        if ((n->ninputs > s->nargs && !s->varargs) || n->ninputs < required)
            return bad(v, "%s has %d inputs, its schema does not accept that", kn, n->ninputs);
        if (n->noutputs > s->nret || (n->noutputs < s->nret && n->noutputs != 0 && s->nret > 0 && n->noutputs != s->nret))
            return bad(v, "%s has %d outputs, its schema returns another number", kn, n->noutputs);
        if (n->nblocks) return bad(v, "%s cannot have blocks%.0d", kn, 0);
    } else if (n->kind >= PTS_PRIM_BASE && n->kind < PTS_PRIM_BASE + PTS_PRIM__COUNT) {
        if (!check_prim(v, n)) return false;
    } else {
        return bad(v, "node of unknown kind %s%d", "", n->kind);
    }
    /* nested blocks see everything defined so far (but not the node's own outputs) */
    for (int i = 0; i < n->nblocks; i++) {
        if (!n->blocks[i] || n->blocks[i]->owner != n) return bad(v, "%s block%d is not owned by its node", kn, i);
        if (!check_block(v, n->blocks[i], n)) return false;
        undefine_block(v, n->blocks[i]);
    }
    for (int i = 0; i < n->noutputs; i++) {
        PtsIrValue *o = n->outputs[i];
        if (!o || o->node != n || o->offset != i) return bad(v, "output %d of %s does not point back at its node", kn, i);
        if (!define(v, o)) return false;
    }
    return true;
}

static bool check_block(V *v, const PtsBlock *b, const PtsNode *owner) {
    (void)owner;
    for (int i = 0; i < b->ninputs; i++) {
        if (!b->inputs[i] || b->inputs[i]->param_of != b || b->inputs[i]->offset != i)
            return bad(v, "block input %s%d does not point back at its block", "", i);
        if (!define(v, b->inputs[i])) return false;
    }
    const PtsNode *prev = NULL;
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (n->prev != prev) return bad(v, "broken node list around %s%.0d", pts_node_kind_name(n->kind), 0);
        if (!check_node(v, n, b)) return false;
        prev = n;
    }
    if (b->last != prev) return bad(v, "block's last node is not the end of its list%s%.0d", "", 0);
    for (int i = 0; i < b->noutputs; i++) {
        if (!check_used(v, b->outputs[i], "a block return")) return false;
        if (!has_use(b->outputs[i], NULL, i, b)) return bad(v, "the use list of block output %s%d is missing its entry", "", i);
    }
    return true;
}

/* Every recorded use must be a real input/return. */
static bool check_uses_block(V *v, const PtsBlock *b);
static bool check_value_uses(V *v, const PtsIrValue *x) {
    for (int i = 0; i < x->nuses; i++) {
        PtsUse u = x->uses[i];
        bool ok = u.user ? (u.index >= 0 && u.index < u.user->ninputs && u.user->inputs[u.index] == x)
                         : (u.block && u.index >= 0 && u.index < u.block->noutputs && u.block->outputs[u.index] == x);
        if (!ok) {
            char lab[96];
            value_label(x, lab, sizeof lab);
            return bad(v, "%s has a stale use (entry %d)", lab, i);
        }
    }
    return true;
}
static bool check_uses_block(V *v, const PtsBlock *b) {
    for (int i = 0; i < b->ninputs; i++) if (!check_value_uses(v, b->inputs[i])) return false;
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++) if (!check_value_uses(v, n->outputs[i])) return false;
        for (int i = 0; i < n->nblocks; i++) if (!check_uses_block(v, n->blocks[i])) return false;
    }
    return true;
}

PtsStatus pts_graph_verify(const PtsGraph *g, PtsError *err) {
    if (!g || !g->top) return pts_fail(err, PTS_ERR_INTERNAL, "graph verification failed: no graph");
    V v = { g, NULL, g->next_value_id, "" };
    v.live = pts_calloc((size_t)(v.nids ? v.nids : 1), 1);
    if (!v.live) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    bool ok = g->top->owner == NULL && check_block(&v, g->top, NULL) && check_uses_block(&v, g->top);
    pts_free(v.live);
    if (ok) return PTS_OK;
    char *text = pts_graph_str(g, NULL);
    pts_fail(err, PTS_ERR_INTERNAL, "graph verification failed: %s\n%s", v.why, text ? text : "");
    pts_free(text);
    return PTS_ERR_INTERNAL;
}

/* PYTS_VERIFY=1 in the environment (read once) makes every traced, compiled and loaded graph go
 * through the verifier before it runs; pts_graph_set_verify overrides it (tests). */
static atomic_int verify_mode = -1;

bool pts_graph_verify_enabled(void) {
    int m = atomic_load(&verify_mode);
    if (m < 0) {
        const char *e = getenv("PYTS_VERIFY");
        m = e && *e && strcmp(e, "0") != 0;
        atomic_store(&verify_mode, m);
    }
    return m != 0;
}

void pts_graph_set_verify(bool on) { atomic_store(&verify_mode, on ? 1 : 0); }

PtsStatus pts_graph_maybe_verify(const PtsGraph *g, PtsError *err) {
    return pts_graph_verify_enabled() ? pts_graph_verify(g, err) : PTS_OK;
}
