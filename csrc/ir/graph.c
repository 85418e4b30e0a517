/* graph.c: building and editing graphs (values, nodes, blocks, attributes, use lists), functions,
 * and the printer of TorchScript's graph text format. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ir.h"
#include "../ops/complex.h"

static const char *const prim_names[] = {
#define PTS_PRIM(ID, name) name,
#include "prims.def"
#undef PTS_PRIM
};

const char *pts_node_kind_name(int kind) {
    if (pts_kind_is_op(kind)) {
        /* rows of torch's prim:: namespace that are registered without it (their bare names are
         * what the frontend and archive code look up) */
        switch (kind) {
        case PTS_OP_PRIM_DTYPE: return "prim::dtype";
        case PTS_OP_PRIM_DEVICE: return "prim::device";
        case PTS_OP_PRIM_REQUIRES_GRAD: return "prim::requires_grad";
        case PTS_OP_PRIM_IS_NESTED: return "prim::is_nested";
        default: return pts_op_info[kind].schema.qualname;
        }
    }
    if (kind >= PTS_PRIM_BASE && kind < PTS_PRIM_BASE + PTS_PRIM__COUNT) return prim_names[kind - PTS_PRIM_BASE];
    return "prim::Unknown";
}

int pts_prim_find(const char *qualname) {
    for (int i = 0; i < PTS_PRIM__COUNT; i++)
        if (strcmp(prim_names[i], qualname) == 0) return PTS_KIND_PRIM(i);
    return -1;
}

/* ---- allocation owned by the graph ---- */
static void *galloc(PtsGraph *g, size_t n) {
    if (g->nallocs == g->cap_allocs) {
        int cap = g->cap_allocs ? g->cap_allocs * 2 : 64;
        void **a = pts_realloc(g->allocs, sizeof(void *) * (size_t)cap);
        if (!a) return NULL;
        g->allocs = a;
        g->cap_allocs = cap;
    }
    void *p = pts_calloc(1, n);
    if (p) g->allocs[g->nallocs++] = p;
    return p;
}

/* growable pointer arrays inside graph objects are plain heap arrays tracked by the graph too:
 * they are reallocated, so we track the final pointer at free time through the objects */
static bool grow(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return true;
    int c = *cap ? *cap * 2 : 4;
    while (c < need) c *= 2;
    void *n = pts_realloc(*arr, elem * (size_t)c);
    if (!n) return false;
    *arr = n;
    *cap = c;
    return true;
}

PtsGraph *pts_graph_new(void) {
    PtsGraph *g = pts_calloc(1, sizeof *g);
    if (!g) return NULL;
    g->top = galloc(g, sizeof(PtsBlock));
    if (!g->top) { pts_free(g->allocs); pts_free(g); return NULL; }
    pts_ir_live_add(3, 1);
    return g;
}

static void free_block(PtsBlock *b);

static void free_value(PtsIrValue *v) {
    pts_type_release(v->type);
    pts_free(v->uses);
}

static void free_node(PtsNode *n) {
    for (int i = 0; i < n->noutputs; i++) free_value(n->outputs[i]);
    for (int i = 0; i < n->nblocks; i++) free_block(n->blocks[i]);
    for (int i = 0; i < n->nattrs; i++) {
        pts_value_release(&n->attrs[i].v);
        pts_type_release(n->attrs[i].type);
    }
    pts_free(n->inputs);
    pts_free(n->attrs);
}

static void free_block(PtsBlock *b) {
    for (PtsNode *n = b->first; n; n = n->next) free_node(n);
    for (int i = 0; i < b->ninputs; i++) free_value(b->inputs[i]);
    pts_free(b->inputs);
    pts_free(b->outputs);
}

void pts_graph_free(PtsGraph *g) {
    if (!g) return;
    free_block(g->top);
    for (int i = 0; i < g->nallocs; i++) pts_free(g->allocs[i]);
    pts_free(g->allocs);
    for (int i = 0; i < g->nnames; i++) pts_free(g->names[i]);
    pts_free(g->names);
    pts_free(g->name_counts);
    pts_free(g);
    pts_ir_live_add(3, -1);
}

const char *pts_graph_intern(PtsGraph *g, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = galloc(g, n);
    if (p) memcpy(p, s, n);
    return p;
}

static PtsIrValue *new_value(PtsGraph *g, PtsType *type) {
    PtsIrValue *v = galloc(g, sizeof *v);
    if (!v) { pts_type_release(type); return NULL; }
    v->id = g->next_value_id++;
    v->type = type;
    return v;
}

static bool add_use(PtsIrValue *v, PtsUse u) {
    if (!grow((void **)&v->uses, &v->cap_uses, v->nuses + 1, sizeof(PtsUse))) return false;
    v->uses[v->nuses++] = u;
    return true;
}

static void drop_use(PtsIrValue *v, PtsNode *user, int index, PtsBlock *blk) {
    for (int i = 0; i < v->nuses; i++)
        if (v->uses[i].user == user && v->uses[i].index == index && v->uses[i].block == blk) {
            v->uses[i] = v->uses[--v->nuses];
            return;
        }
}

void pts_value_set_name(PtsGraph *g, PtsIrValue *v, const char *name) {
    if (!name || !*name) return;
    /* names that are plain numbers would collide with value ids */
    bool digits = true;
    for (const char *p = name; *p; p++) if (*p < '0' || *p > '9') digits = false;
    if (digits) return;
    int i;
    for (i = 0; i < g->nnames; i++) if (strcmp(g->names[i], name) == 0) break;
    if (i == g->nnames) {
        int capn = g->cap_names;
        if (!grow((void **)&g->names, &capn, g->nnames + 1, sizeof(char *))) return;
        int capc = g->cap_names;
        if (!grow((void **)&g->name_counts, &capc, g->nnames + 1, sizeof(int))) return;
        g->cap_names = capn < capc ? capn : capc;
        g->names[i] = pts_strdup(name);
        if (!g->names[i]) return;
        g->name_counts[i] = 0;
        g->nnames++;
        v->name_suffix = 0;
    } else {
        v->name_suffix = ++g->name_counts[i];
    }
    v->name = g->names[i];
}

PtsIrValue *pts_block_add_input(PtsGraph *g, PtsBlock *b, PtsType *type, const char *name) {
    if (!grow((void **)&b->inputs, &b->cap_inputs, b->ninputs + 1, sizeof(PtsIrValue *))) {
        pts_type_release(type);
        return NULL;
    }
    PtsIrValue *v = new_value(g, type);
    if (!v) return NULL;
    v->param_of = b;
    v->offset = b->ninputs;
    b->inputs[b->ninputs++] = v;
    pts_value_set_name(g, v, name);
    return v;
}

PtsStatus pts_block_add_output(PtsGraph *g, PtsBlock *b, PtsIrValue *v, PtsError *err) {
    (void)g;
    if (!grow((void **)&b->outputs, &b->cap_outputs, b->noutputs + 1, sizeof(PtsIrValue *)) ||
        !add_use(v, (PtsUse){ NULL, b->noutputs, b }))
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    b->outputs[b->noutputs++] = v;
    return PTS_OK;
}

PtsNode *pts_node_new(PtsGraph *g, PtsBlock *b, int kind, int ninputs, PtsIrValue *const *inputs,
                      int noutputs, PtsType **out_types) {
    PtsNode *n = galloc(g, sizeof *n);
    PtsIrValue **outs = noutputs ? galloc(g, sizeof(PtsIrValue *) * (size_t)noutputs) : NULL;
    if (!n || (noutputs && !outs)) goto oom;
    n->kind = kind;
    n->owner = b;
    if (ninputs && !grow((void **)&n->inputs, &n->cap_inputs, ninputs, sizeof(PtsIrValue *))) goto oom;
    for (int i = 0; i < ninputs; i++) {
        n->inputs[i] = inputs[i];
        if (!add_use(inputs[i], (PtsUse){ n, i, NULL })) { n->ninputs = i; goto oom_linked; }
        n->ninputs = i + 1;
    }
    n->outputs = outs;
    for (int i = 0; i < noutputs; i++) {
        PtsIrValue *v = new_value(g, out_types[i]);
        out_types[i] = NULL;
        if (!v) goto oom_linked;
        v->node = n;
        v->offset = i;
        outs[i] = v;
        n->noutputs = i + 1;
    }
    /* append */
    n->prev = b->last;
    if (b->last) b->last->next = n; else b->first = n;
    b->last = n;
    return n;
oom_linked:
    for (int i = 0; i < n->ninputs; i++) drop_use(n->inputs[i], n, i, NULL);
    for (int i = 0; i < n->noutputs; i++) free_value(n->outputs[i]);
    pts_free(n->inputs);
    n->inputs = NULL;
oom:
    for (int i = 0; i < noutputs; i++) { pts_type_release(out_types[i]); out_types[i] = NULL; }
    return NULL;
}

PtsStatus pts_node_add_input(PtsGraph *g, PtsNode *n, PtsIrValue *v, PtsError *err) {
    (void)g;
    if (!grow((void **)&n->inputs, &n->cap_inputs, n->ninputs + 1, sizeof(PtsIrValue *)) ||
        !add_use(v, (PtsUse){ n, n->ninputs, NULL }))
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    n->inputs[n->ninputs++] = v;
    return PTS_OK;
}

PtsBlock *pts_node_add_block(PtsGraph *g, PtsNode *n) {
    PtsBlock *b = galloc(g, sizeof *b);
    PtsBlock **bs = galloc(g, sizeof(PtsBlock *) * (size_t)(n->nblocks + 1));
    if (!b || !bs) return NULL;
    for (int i = 0; i < n->nblocks; i++) bs[i] = n->blocks[i];
    bs[n->nblocks] = b;
    n->blocks = bs;   /* old array stays owned by the graph */
    n->nblocks++;
    b->owner = n;
    return b;
}

static void unlink_node(PtsNode *n) {
    PtsBlock *b = n->owner;
    if (n->prev) n->prev->next = n->next; else b->first = n->next;
    if (n->next) n->next->prev = n->prev; else b->last = n->prev;
    n->prev = n->next = NULL;
}

static void drop_block_uses(PtsBlock *b) {
    for (int i = 0; i < b->noutputs; i++) drop_use(b->outputs[i], NULL, i, b);
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->ninputs; i++) drop_use(n->inputs[i], n, i, NULL);
        for (int i = 0; i < n->nblocks; i++) drop_block_uses(n->blocks[i]);
    }
}

void pts_node_destroy(PtsNode *n) {
    for (int i = 0; i < n->ninputs; i++) drop_use(n->inputs[i], n, i, NULL);
    for (int i = 0; i < n->nblocks; i++) drop_block_uses(n->blocks[i]);
    unlink_node(n);
    free_node(n);
    n->ninputs = n->noutputs = n->nblocks = n->nattrs = 0;
    n->inputs = NULL;
    n->attrs = NULL;
}

/* shift the later returns of blk down over position i (its use dropped by the caller): so do their
 * uses' indexes (ascending, so an index k - 1 is free when output k moves there) */
static void close_block_output(PtsBlock *blk, int i) {
    for (int k = i + 1; k < blk->noutputs; k++) {
        PtsIrValue *v = blk->outputs[k];
        for (int u = 0; u < v->nuses; u++)
            if (!v->uses[u].user && v->uses[u].block == blk && v->uses[u].index == k) {
                v->uses[u].index = k - 1;
                break;
            }
        blk->outputs[k - 1] = v;
    }
    blk->noutputs--;
}

/* free output i of n (unused) and move the later ones down */
static void close_node_output(PtsNode *n, int i) {
    free_value(n->outputs[i]);
    for (int k = i + 1; k < n->noutputs; k++) {
        n->outputs[k - 1] = n->outputs[k];
        n->outputs[k - 1]->offset = k - 1;
    }
    n->noutputs--;
}

void pts_node_erase_output(PtsNode *n, int i) {
    for (int b = 0; b < n->nblocks; b++) {
        PtsBlock *blk = n->blocks[b];
        if (i >= blk->noutputs) continue;
        drop_use(blk->outputs[i], NULL, i, blk);
        close_block_output(blk, i);
    }
    close_node_output(n, i);
}

bool pts_loop_carried_dead(const PtsNode *n, int i) {
    PtsBlock *blk = n->blocks[0];
    const PtsIrValue *p = blk->inputs[i + 1];
    if (n->outputs[i]->nuses) return false;
    for (int u = 0; u < p->nuses; u++)
        if (p->uses[u].user || p->uses[u].block != blk || p->uses[u].index != i + 1) return false;
    return true;
}

void pts_loop_erase_carried(PtsNode *n, int i) {
    PtsBlock *blk = n->blocks[0];
    int bi = i + 1, ni = i + 2;
    drop_use(blk->outputs[bi], NULL, bi, blk);
    close_block_output(blk, bi);
    free_value(blk->inputs[bi]);
    for (int k = bi + 1; k < blk->ninputs; k++) {
        blk->inputs[k - 1] = blk->inputs[k];
        blk->inputs[k - 1]->offset = k - 1;
    }
    blk->ninputs--;
    drop_use(n->inputs[ni], n, ni, NULL);
    for (int k = ni + 1; k < n->ninputs; k++) {
        PtsIrValue *v = n->inputs[k];
        for (int u = 0; u < v->nuses; u++)
            if (v->uses[u].user == n && v->uses[u].index == k) {
                v->uses[u].index = k - 1;
                break;
            }
        n->inputs[k - 1] = v;
    }
    n->ninputs--;
    close_node_output(n, i);
}

/* one more output (type stolen), as torch's Node::addOutput: the outputs array is graph-owned,
 * so a longer copy replaces it (the old one is freed with the graph) */
PtsIrValue *pts_node_add_output(PtsGraph *g, PtsNode *n, PtsType *type) {
    PtsIrValue **outs = galloc(g, sizeof(PtsIrValue *) * (size_t)(n->noutputs + 1));
    if (!outs) { pts_type_release(type); return NULL; }
    PtsIrValue *v = new_value(g, type);
    if (!v) return NULL;
    for (int i = 0; i < n->noutputs; i++) outs[i] = n->outputs[i];
    v->node = n;
    v->offset = n->noutputs;
    outs[n->noutputs++] = v;
    n->outputs = outs;
    return v;
}

void pts_node_move_before(PtsNode *n, PtsNode *before) {
    unlink_node(n);
    PtsBlock *b = before->owner;
    n->owner = b;
    n->next = before;
    n->prev = before->prev;
    if (before->prev) before->prev->next = n; else b->first = n;
    before->prev = n;
}

PtsStatus pts_node_set_attr(PtsGraph *g, PtsNode *n, const char *name, PtsAttrValKind kind, PtsValue v,
                            PtsType *type, PtsError *err) {
    const char *nm = pts_graph_intern(g, name);
    PtsNodeAttr *a = nm ? pts_realloc(n->attrs, sizeof *a * (size_t)(n->nattrs + 1)) : NULL;
    if (!a) {
        pts_value_release(&v);
        pts_type_release(type);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    n->attrs = a;
    n->attrs[n->nattrs++] = (PtsNodeAttr){ nm, (uint8_t)kind, v, type };
    return PTS_OK;
}

const PtsNodeAttr *pts_node_attr(const PtsNode *n, const char *name) {
    for (int i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

void pts_value_replace_uses(PtsIrValue *from, PtsIrValue *to) {
    while (from->nuses > 0) {
        PtsUse u = from->uses[--from->nuses];
        if (u.user) u.user->inputs[u.index] = to;
        else u.block->outputs[u.index] = to;
        add_use(to, u);
    }
}

bool pts_node_replace_input(PtsNode *n, int i, PtsIrValue *v) {
    if (!add_use(v, (PtsUse){ n, i, NULL })) return false;
    drop_use(n->inputs[i], n, i, NULL);
    n->inputs[i] = v;
    return true;
}

bool pts_block_replace_output(PtsBlock *b, int i, PtsIrValue *v) {
    if (!add_use(v, (PtsUse){ NULL, i, b })) return false;
    drop_use(b->outputs[i], NULL, i, b);
    b->outputs[i] = v;
    return true;
}

static PtsType *type_of_value(PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: return pts_type_get(PTS_TY_NONE);
    case PTS_V_BOOL: return pts_type_get(PTS_TY_BOOL);
    case PTS_V_INT: return pts_type_get(PTS_TY_INT);
    case PTS_V_DOUBLE: return pts_type_get(PTS_TY_FLOAT);
    case PTS_V_COMPLEX: return pts_type_get(PTS_TY_COMPLEX);
    case PTS_V_STR: return pts_type_get(PTS_TY_STR);
    case PTS_V_DEVICE: return pts_type_get(PTS_TY_DEVICE);
    case PTS_V_TENSOR: return pts_type_tensor_of(v.u.t, false);
    case PTS_V_LIST: {
        PtsList *l = pts_as_list(v);
        PtsTypeKind k = PTS_TY_INT;
        if (l->len > 0) {
            if (l->items[0].tag == PTS_V_DOUBLE) k = PTS_TY_FLOAT;
            else if (l->items[0].tag == PTS_V_BOOL) k = PTS_TY_BOOL;
            else if (l->items[0].tag == PTS_V_TENSOR) k = PTS_TY_TENSOR;
            else if (l->items[0].tag == PTS_V_STR) k = PTS_TY_STR;
            const PtsType *et;   /* [__torch__.Color.RED, ...]: a list of the enum */
            if (pts_enum_get(l->items[0], &et, NULL, NULL)) return pts_type_list((PtsType *)et);
        }
        return pts_type_list(pts_type_get(k));
    }
    default: {
        const PtsType *et;   /* an enum member: its enum type */
        if (pts_enum_get(v, &et, NULL, NULL)) return pts_type_retain((PtsType *)et);
        return pts_type_get(PTS_TY_ANY);
    }
    }
}

PtsIrValue *pts_graph_constant(PtsGraph *g, PtsBlock *b, PtsValue v) {
    PtsType *t = type_of_value(v);
    if (!t) { pts_value_release(&v); return NULL; }
    PtsNode *n = pts_node_new(g, b, PTS_KIND_PRIM(PTS_PRIM_CONSTANT), 0, NULL, 1, &t);
    if (!n) { pts_value_release(&v); return NULL; }
    if (v.tag != PTS_V_NONE) {
        PtsError err = { 0 };
        if (pts_node_set_attr(g, n, "value", PTS_AV_IVALUE, v, NULL, &err)) return NULL;
    }
    return n->outputs[0];
}

/* ================= printer ================= */
static void print_value_name(PtsBuf *b, const PtsIrValue *v) {
    if (v->name) {
        if (v->name_suffix) pts_buf_printf(b, "%%%s.%d", v->name, v->name_suffix);
        else pts_buf_printf(b, "%%%s", v->name);
    } else pts_buf_printf(b, "%%%d", v->id);
}

static void print_typed(PtsBuf *b, const PtsIrValue *v) {
    print_value_name(b, v);
    pts_buf_puts(b, " : ");
    pts_type_print(b, v->type, false);
}

/* a double as torch's IValue::repr writes it: a whole number below 1e10 as "3." ("-0." for
 * negative zero), anything else with 17 significant digits (%.17g) */
static void print_double(PtsBuf *b, double d) {
    if (isnan(d)) { pts_buf_puts(b, "nan"); return; }
    if (isinf(d)) { pts_buf_puts(b, d > 0 ? "inf" : "-inf"); return; }
    if (fabs(d) < 1e10 && (d == 0.0 || fpclassify(d) == FP_NORMAL) && (double)(int64_t)d == d) {
        int64_t i = (int64_t)d;
        pts_buf_printf(b, "%s%lld.", i == 0 && signbit(d) ? "-" : "", (long long)i);
        return;
    }
    pts_buf_printf(b, "%.17g", d);
}

/* a string in double quotes as torch's printQuotedString: C escapes, other bytes outside
 * printable ASCII as a backslash and three digits computed from the (signed) char, as C++ does */
static void print_quoted(PtsBuf *b, const char *s, size_t n) {
    pts_buf_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        signed char c = (signed char)s[i];
        switch (c) {
        case '\\': pts_buf_puts(b, "\\\\"); break;
        case '\'': pts_buf_puts(b, "\\'"); break;
        case '"': pts_buf_puts(b, "\\\""); break;
        case '\a': pts_buf_puts(b, "\\a"); break;
        case '\b': pts_buf_puts(b, "\\b"); break;
        case '\f': pts_buf_puts(b, "\\f"); break;
        case '\n': pts_buf_puts(b, "\\n"); break;
        case '\r': pts_buf_puts(b, "\\r"); break;
        case '\t': pts_buf_puts(b, "\\t"); break;
        case '\v': pts_buf_puts(b, "\\v"); break;
        default:
            if (c > 0x1f && c < 0x7f) pts_buf_printf(b, "%c", c);
            else {
                int v = c;
                char d[5] = { '\\', '0', '0', '0', 0 };
                d[3] = (char)(d[3] + v % 8);
                v /= 8;
                d[2] = (char)(d[2] + v % 8);
                v /= 8;
                d[1] = (char)(d[1] + v);
                pts_buf_puts(b, d);
            }
            break;
        }
    }
    pts_buf_puts(b, "\"");
}

/* {==== tensor attributes, as torch's printAttrValue ====
 * One element: {value} (a float as C++'s ostream writes a double: %g). Up to 10 elements of
 * 1 or 2 dims: at::print's text with its newlines as spaces (` 0  2 [ CPULongType{2} ]`); more:
 * <Tensor>. */
static const char *legacy_type(PtsDType d) {
    switch (d) {
    case PTS_FLOAT32: return "Float";
    case PTS_FLOAT64: return "Double";
    case PTS_FLOAT16: return "Half";
    case PTS_BFLOAT16: return "BFloat16";
    case PTS_INT64: return "Long";
    case PTS_INT32: return "Int";
    case PTS_INT16: return "Short";
    case PTS_INT8: return "Char";
    case PTS_UINT8: return "Byte";
    case PTS_BOOL: return "Bool";
    default: return NULL;
    }
}

static void tensor_values(const PtsTensor *t, double *out, int64_t n) {
    /* element k of the row-major order, through the strides */
    const char *base = pts_tensor_data(t);
    size_t es = pts_dtype_size(t->dtype);
    for (int64_t k = 0; k < n; k++) {
        int64_t rem = k, off = 0;
        for (int d = t->ndim - 1; d >= 0; d--) {
            int64_t sz = t->shape[d];
            off += (rem % sz) * t->strides[d];
            rem /= sz;
        }
        out[k] = pts_load_f64(t->dtype, base + off * (int64_t)es);
    }
}

static void print_tensor_attr(PtsBuf *b, const PtsTensor *t) {
    int64_t n = pts_numel(t);
    const char *tn = legacy_type(t->dtype);
    if (n == 1) {   /* the element is at the offset whatever the strides */
        if (pts_dtype_is_float(t->dtype)) pts_buf_printf(b, "{%g}", pts_tensor_item_f64(t));
        else pts_buf_printf(b, "{%lld}", (long long)pts_tensor_item_i64(t));
        return;
    }
    if (n == 0 || n > 10 || !tn || t->ndim < 1 || t->ndim > 2) { pts_buf_puts(b, "<Tensor>"); return; }
    double v[10];
    tensor_values(t, v, n);
    /* at::__printFormat */
    bool int_mode = true;
    for (int64_t i = 0; i < n; i++) if (isfinite(v[i]) && v[i] != ceil(v[i])) int_mode = false;
    int64_t off = 0;
    while (off < n && !isfinite(v[off])) off++;
    double emin = 1, emax = 1;
    if (off < n) {
        emin = emax = fabs(v[off]);
        for (int64_t i = off; i < n; i++) {
            double z = fabs(v[i]);
            if (isfinite(z)) {
                if (z < emin) emin = z;
                if (v[i] > emax) emax = z;
            }
        }
        emin = emin != 0 ? floor(log10(emin)) + 1 : 1;
        emax = emax != 0 ? floor(log10(emax)) + 1 : 1;
    }
    double scale = 1;
    int sz = 11;
    char mode = 'g';   /* g: defaultfloat, e: scientific(4), f: fixed(4) */
    if (int_mode) {
        if (emax > 9) mode = 'e';
        else sz = (int)emax + 1;
    } else if (emax - emin > 4) {
        mode = 'e';
        if (fabs(emax) > 99 || fabs(emin) > 99) sz++;
    } else if (emax > 5 || emax < 0) {
        sz = 7;
        scale = pow(10, emax - 1);
        mode = 'f';
    } else {
        sz = emax == 0 ? 7 : (int)emax + 6;
        mode = 'f';
    }
    if (scale != 1) pts_buf_printf(b, "%g * ", scale);
    for (int64_t i = 0; i < n; i++) {
        double x = v[i] / scale;
        if (mode == 'e') pts_buf_printf(b, "%*.4e", sz, x);
        else if (mode == 'f') pts_buf_printf(b, "%*.4f", sz, x);
        else pts_buf_printf(b, "%*g", sz, x);
        pts_buf_puts(b, " ");   /* a newline (end of a row or 1-d item) or the column separator */
    }
    if (t->ndim == 1) pts_buf_printf(b, "[ CPU%sType{%lld} ]", tn, (long long)t->shape[0]);
    else pts_buf_printf(b, "[ CPU%sType{%lld,%lld} ]", tn, (long long)t->shape[0], (long long)t->shape[1]);
}
/* }==== */

static void print_ivalue(PtsBuf *b, PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: pts_buf_puts(b, "None"); break;
    case PTS_V_BOOL: pts_buf_puts(b, v.u.b ? "1" : "0"); break;
    case PTS_V_INT: pts_buf_printf(b, "%lld", (long long)v.u.i); break;
    case PTS_V_DOUBLE: print_double(b, v.u.d); break;
    case PTS_V_COMPLEX: pts_complex_print(b, pts_as_complex(v)->re, pts_as_complex(v)->im); break;
    case PTS_V_STR: print_quoted(b, pts_as_str(v)->data, (size_t)pts_as_str(v)->len); break;
    case PTS_V_DEVICE: pts_buf_puts(b, "\"cpu\""); break;
    case PTS_V_TENSOR: print_tensor_attr(b, v.u.t); break;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(v);
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "[" : "(");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            print_ivalue(b, l->items[i]);
        }
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "]" : ")");
        break;
    }
    default: {
        const PtsType *et;   /* an enum member: __torch__.Color.RED */
        const char *nm;
        if (pts_enum_get(v, &et, &nm, NULL)) pts_buf_printf(b, "%s.%s", et->name, nm);
        else pts_buf_puts(b, "<IValue>");
        break;
    }
    }
}

/* Nodes whose body prints after the graph, as torch prints a node with a Subgraph attribute:
 * `prim::fork_0(%x)` in place and `with prim::fork_0 = graph(...)` after the return. */
typedef struct Groups {
    const PtsNode **nodes;
    int n, cap;
} Groups;

static void print_block(PtsBuf *b, const PtsBlock *blk, int indent, Groups *gr);
static void print_graph_body(PtsBuf *b, const PtsBlock *blk);

static void print_node(PtsBuf *b, const PtsNode *n, int indent, Groups *gr) {
    pts_buf_printf(b, "%*s", indent, "");
    if ((n->kind == PTS_KIND_PRIM(PTS_PRIM_FORK) || n->kind == PTS_KIND_PRIM(PTS_PRIM_AWAITABLE)) && n->nblocks == 1) {
        for (int i = 0; i < n->noutputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            print_typed(b, n->outputs[i]);
        }
        pts_buf_printf(b, " = %s_%d(", pts_node_kind_name(n->kind), gr->n);
        for (int i = 0; i < n->ninputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            print_value_name(b, n->inputs[i]);
        }
        pts_buf_puts(b, ")");
        if (n->range.file) pts_buf_printf(b, " # %s:%d:%d", n->range.file, n->range.line, n->range.col > 0 ? n->range.col - 1 : 0);
        pts_buf_puts(b, "\n");
        if (gr->n == gr->cap) {
            int cap = gr->cap ? gr->cap * 2 : 4;
            const PtsNode **nn = pts_realloc(gr->nodes, sizeof *nn * (size_t)cap);
            if (!nn) { b->oom = true; return; }
            gr->nodes = nn;
            gr->cap = cap;
        }
        gr->nodes[gr->n++] = n;
        return;
    }
    const PtsNodeAttr *fv = n->kind == PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION) ? pts_node_attr(n, "fnval") : NULL;
    const PtsNodeAttr *fq = fv ? pts_node_attr(n, "qualname") : NULL;
    if (fv && fq && fv->kind == PTS_AV_INT && fq->v.tag == PTS_V_STR) {
        /* a traced call of a compiled function, as PyTorch prints it: the function constant, then
         * prim::CallFunction(%fn, args) */
        const char *q = pts_as_str(fq->v)->data, *dot = strrchr(q, '.');
        pts_buf_printf(b, "%%%lld : Function = prim::Constant[name=\"%s\"]()\n%*s", (long long)fv->v.u.i, dot ? dot + 1 : q,
                       indent, "");
        for (int i = 0; i < n->noutputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            print_typed(b, n->outputs[i]);
        }
        pts_buf_printf(b, " = prim::CallFunction(%%%lld", (long long)fv->v.u.i);
        for (int i = 0; i < n->ninputs; i++) {
            pts_buf_puts(b, ", ");
            print_value_name(b, n->inputs[i]);
        }
        pts_buf_puts(b, ")\n");
        return;
    }
    for (int i = 0; i < n->noutputs; i++) {
        if (i) pts_buf_puts(b, ", ");
        print_typed(b, n->outputs[i]);
    }
    pts_buf_puts(b, n->noutputs ? " = " : " = ");
    pts_buf_puts(b, pts_node_kind_name(n->kind));
    if (n->nattrs) {
        pts_buf_puts(b, "[");
        for (int i = 0; i < n->nattrs; i++) {
            const PtsNodeAttr *a = &n->attrs[i];
            if (i) pts_buf_puts(b, ", ");
            pts_buf_printf(b, "%s=", a->name);
            if (a->kind == PTS_AV_TYPE && n->kind == PTS_KIND_PRIM(PTS_PRIM_ISINSTANCE) && a->type->kind == PTS_TY_TUPLE) {
                /* prim::isinstance[types=[float, int]]: the tuple holds the list of types */
                pts_buf_puts(b, "[");
                for (int k = 0; k < a->type->n; k++) {
                    if (k) pts_buf_puts(b, ", ");
                    pts_type_print(b, a->type->elems[k], false);
                }
                pts_buf_puts(b, "]");
            } else if (a->kind == PTS_AV_TYPE) {
                pts_buf_puts(b, "[");
                pts_type_print(b, a->type, false);
                pts_buf_puts(b, "]");
            } else print_ivalue(b, a->v);
        }
        pts_buf_puts(b, "]");
    }
    pts_buf_puts(b, "(");
    for (int i = 0; i < n->ninputs; i++) {
        if (i) pts_buf_puts(b, ", ");
        print_value_name(b, n->inputs[i]);
    }
    pts_buf_puts(b, ")");
    if (n->scope) pts_buf_printf(b, ", scope: %s", n->scope);
    /* torch prints 0-based columns; the script frontend's are 1-based (a traced node's is 0) */
    if (n->range.file) pts_buf_printf(b, " # %s:%d:%d", n->range.file, n->range.line, n->range.col > 0 ? n->range.col - 1 : 0);
    pts_buf_puts(b, "\n");
    for (int i = 0; i < n->nblocks; i++) {
        const PtsBlock *blk = n->blocks[i];
        pts_buf_printf(b, "%*sblock%d(", indent + 2, "", i);
        for (int k = 0; k < blk->ninputs; k++) {
            if (k) pts_buf_puts(b, ", ");
            print_typed(b, blk->inputs[k]);
        }
        pts_buf_puts(b, "):\n");
        print_block(b, blk, indent + 4, gr);
        pts_buf_printf(b, "%*s-> (", indent + 4, "");
        for (int k = 0; k < blk->noutputs; k++) {
            if (k) pts_buf_puts(b, ", ");
            print_value_name(b, blk->outputs[k]);
        }
        pts_buf_puts(b, ")\n");
    }
}

static void print_block(PtsBuf *b, const PtsBlock *blk, int indent, Groups *gr) {
    for (const PtsNode *n = blk->first; n; n = n->next) print_node(b, n, indent, gr);
}

/* graph(inputs): nodes, return (outputs), then the bodies of its fork nodes, each numbered in
 * the order met and printed the same way (a fork inside a fork numbers its own from 0) */
static void print_graph_body(PtsBuf *b, const PtsBlock *blk) {
    Groups gr = { 0 };
    pts_buf_puts(b, "graph(");
    for (int i = 0; i < blk->ninputs; i++) {
        if (i) pts_buf_puts(b, ",\n      ");
        print_typed(b, blk->inputs[i]);
    }
    pts_buf_puts(b, "):\n");
    print_block(b, blk, 2, &gr);
    pts_buf_puts(b, "  return (");
    for (int i = 0; i < blk->noutputs; i++) {
        if (i) pts_buf_puts(b, ", ");
        print_value_name(b, blk->outputs[i]);
    }
    pts_buf_puts(b, ")\n");
    for (int i = 0; i < gr.n; i++) {
        pts_buf_printf(b, "with %s_%d = ", pts_node_kind_name(gr.nodes[i]->kind), i);
        print_graph_body(b, gr.nodes[i]->blocks[0]);
    }
    pts_free(gr.nodes);
}

char *pts_graph_str(const PtsGraph *g, const char *self_name) {
    (void)self_name;
    PtsBuf b;
    pts_buf_init(&b);
    print_graph_body(&b, g->top);
    return pts_buf_steal(&b);
}

/* ================= functions ================= */
PtsFunction *pts_function_new(const char *name, PtsGraph *g, bool is_method) {
    PtsFunction *f = pts_calloc(1, sizeof *f);
    if (!f) { pts_graph_free(g); return NULL; }
    atomic_init(&f->refcnt, 1);
    f->name = pts_strdup(name);
    if (!f->name) { pts_graph_free(g); pts_free(f); return NULL; }
    f->graph = g;
    f->is_method = is_method;
    atomic_flag_clear(&f->code_lock);
    pts_ir_live_add(2, 1);
    /* made while a unit compiles: the unit owns it (the caller's reference is the unit's) */
    if (!pts_unit_adopt_function(f)) { pts_function_release(f); return NULL; }
    return f;
}

PtsFunction *pts_function_retain(PtsFunction *f) {
    if (f && f->unit) pts_unit_retain(f->unit);
    else if (f) atomic_fetch_add(&f->refcnt, 1);
    return f;
}

void (*pts_code_free_hook)(struct PtsCode *c) = NULL;

void pts_function_clear(PtsFunction *f) {
    if (f->code && pts_code_free_hook) pts_code_free_hook(f->code);
    f->code = NULL;
    pts_graph_free(f->graph);
    f->graph = NULL;
    for (int i = 0; i < f->nargs; i++) {
        if (f->arg_names) pts_free(f->arg_names[i]);
        if (f->defaults) pts_value_release(&f->defaults[i]);
    }
    pts_free(f->arg_names);
    pts_free(f->defaults);
    pts_free(f->has_default);
    pts_free(f->list_n);
    pts_free(f->inferred);
    for (int i = 0; i < f->nheld_units; i++) pts_unit_release(f->held_units[i]);
    pts_free(f->held_units);
    f->held_units = NULL;
    f->nheld_units = 0;
    pts_free(f->name);
    f->arg_names = NULL;
    f->defaults = NULL;
    f->has_default = NULL;
    f->list_n = NULL;
    f->inferred = NULL;
    f->name = NULL;
    f->nargs = 0;
}

void pts_function_release(PtsFunction *f) {
    if (!f) return;
    if (f->unit) { pts_unit_release(f->unit); return; }
    if (atomic_fetch_sub(&f->refcnt, 1) != 1) return;
    pts_function_clear(f);
    pts_free(f);
    pts_ir_live_add(2, -1);
}
