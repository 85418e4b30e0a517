/* trace.c: recording dispatched ops into graphs (see trace.h). State is per thread. */
#include <stdio.h>

#include "trace.h"
#include "../interp/interp.h"

typedef struct MapEntry { PtsTensor *t; PtsIrValue *v; } MapEntry;  /* t retained */
/* A result of a traced submodule call: the caller's value and the callee's, so a Python name the
 * caller gives it lands in the callee's graph as in PyTorch's (its traces are lifted from one
 * flat graph). fn is retained. */
typedef struct CallLink { PtsIrValue *outer, *inner; PtsFunction *fn; } CallLink;

typedef struct Frame {
    PtsGraph *g;
    PtsValue self;          /* retained module object, or NONE */
    PtsIrValue *self_val;   /* %self */
    MapEntry *map;
    int nmap, cap_map;
    const char *scope;      /* graph-interned */
    /* parent-side record of the call, filled at push */
    PtsIrValue **parent_inputs;
    int nparent_inputs;
    PtsIrValue **sub_vals;  /* GetAttr of each submodule slot, made at push (NULL for others) */
    int nsub;
    CallLink *links;
    int nlinks, cap_links;
    struct Frame *parent;
    PtsBlock *blk;          /* where nodes go: the graph's top block, or an open fork's body */
    struct ForkRec *forks;  /* open forks, innermost first */
    PtsIrValue **futs;      /* the futures forks returned, by token */
    int nfuts, cap_futs;
    int64_t serial;         /* tokens name their frame */
    bool self_renamed;      /* the outermost %self became %self.1 (a traced submodule was entered) */
    /* the outermost frame: traced submodules entered so far, and the %self of the last one (in its
     * frame's graph, or in prev_fn's once popped): PyTorch's lifting names the i-th %self.<2i+1>,
     * except the last entered, which keeps %self */
    int nsub_entered;
    PtsIrValue *prev_self;
    PtsFunction *prev_fn;
    /* per submodule slot: the container reads made for calls of its items so far, and the last */
    int *chain_n;
    PtsIrValue **chain_last;
} Frame;

/* a fork being recorded: its node, and what to restore when its body ends */
typedef struct ForkRec {
    PtsNode *node;
    PtsBlock *saved_blk;
    int saved_nmap;
    PtsIrValue **saved_vals;   /* the values of the first saved_nmap tensors (the body may remap
                                * them: an in-place op on a captured tensor) */
    struct ForkRec *next;
} ForkRec;

static _Thread_local Frame *top;
static _Thread_local int depth;
static _Thread_local int64_t frame_serial;
static _Thread_local const char *loc_file;
static _Thread_local int loc_line;

bool pts_trace_active(void) { return top != NULL; }
int pts_trace_depth(void) { return depth; }
void pts_trace_set_location(const char *file, int line) { loc_file = file; loc_line = line; }

static PtsIrValue *lookup(Frame *f, const PtsTensor *t) {
    for (int i = f->nmap - 1; i >= 0; i--)
        if (f->map[i].t == t) return f->map[i].v;
    return NULL;
}

static bool map_put(Frame *f, PtsTensor *t, PtsIrValue *v) {
    for (int i = f->nmap - 1; i >= 0; i--)
        if (f->map[i].t == t) { f->map[i].v = v; return true; }
    if (f->nmap == f->cap_map) {
        int cap = f->cap_map ? f->cap_map * 2 : 32;
        MapEntry *n = pts_realloc(f->map, sizeof *n * (size_t)cap);
        if (!n) return false;
        f->map = n;
        f->cap_map = cap;
    }
    f->map[f->nmap++] = (MapEntry){ pts_tensor_retain(t), v };
    return true;
}

static void frame_free(Frame *f) {
    for (int i = 0; i < f->nmap; i++) pts_tensor_release(f->map[i].t);
    pts_free(f->map);
    pts_free(f->parent_inputs);
    pts_free(f->sub_vals);
    for (int i = 0; i < f->nlinks; i++) pts_function_release(f->links[i].fn);
    pts_free(f->links);
    if (f->prev_fn) pts_function_release(f->prev_fn);
    pts_free(f->chain_n);
    pts_free(f->chain_last);
    while (f->forks) {
        ForkRec *r = f->forks;
        f->forks = r->next;
        pts_free(r->saved_vals);
        pts_free(r);
    }
    pts_free(f->futs);
    pts_value_release(&f->self);
    pts_graph_free(f->g);
    pts_free(f);
}

static void set_loc(Frame *f, PtsNode *n) {
    if (loc_file) {
        n->range.file = pts_graph_intern(f->g, loc_file);
        n->range.line = loc_line;
        n->range.col = 0;
    }
    n->scope = f->scope;
}

static bool tensor_requires_grad(const PtsTensor *t) {
    return (t->flags & PTS_TF_REQUIRES_GRAD) || t->autograd != NULL;
}

/* prim::GetAttr for t when it is a parameter/buffer of the frame's module; NULL otherwise (err
 * set only on failure). */
/* Slot path from object o to tensor t through submodules (at most `depth` levels), or 0. */
static int attr_path(PtsObject *o, const PtsTensor *t, int depth, int *path) {
    for (int i = 0; i < o->nslots; i++)
        if (o->slots[i].tag == PTS_V_TENSOR && o->slots[i].u.t == t) { path[0] = i; return 1; }
    if (depth <= 1) return 0;
    for (int i = 0; i < o->nslots; i++) {
        if (o->slots[i].tag != PTS_V_OBJECT || o->cls->attrs[i].kind != PTS_ATTR_MODULE) continue;
        int n = attr_path(pts_as_object(o->slots[i]), t, depth - 1, path + 1);
        if (n) { path[0] = i; return n + 1; }
    }
    return 0;
}

/* A parameter or buffer of the frame's module, or of a submodule whose call was inlined into this
 * frame (a call with keyword arguments): read through a prim::GetAttr chain, so the trace keeps
 * using the module's tensors instead of baking them in as constants. */
static PtsIrValue *value_of_attr_only(Frame *f, PtsTensor *t, PtsError *err) {
    if (f->self.tag != PTS_V_OBJECT) return NULL;
    int path[8];
    PtsObject *o = pts_as_object(f->self);
    int n = attr_path(o, t, 8, path);
    if (!n) return NULL;
    PtsIrValue *from = f->self_val;
    for (int k = 0; k < n; k++) {
        const PtsClassAttr *at = &o->cls->attrs[path[k]];
        PtsType *ty = pts_type_retain(k == n - 1 ? pts_type_tensor() : at->type);
        PtsNode *nd = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_GETATTR), 1, &from, 1, &ty);
        PtsValue nm;
        if (!nd || pts_str_new(at->name, strlen(at->name), err, &nm)) goto oom;
        if (pts_node_set_attr(f->g, nd, "name", PTS_AV_STR, nm, NULL, err)) return NULL;
        char vn[80];
        snprintf(vn, sizeof vn, "%s%s", (at->name[0] >= '0' && at->name[0] <= '9') ? "_" : "", at->name);
        pts_value_set_name(f->g, nd->outputs[0], vn);
        from = nd->outputs[0];
        if (k < n - 1) o = pts_as_object(o->slots[path[k]]);
    }
    if (!map_put(f, t, from)) goto oom;
    return from;
oom:
    pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return NULL;
}

/* The IR value of tensor t in frame f: mapped, a parameter/buffer of the frame's module (recorded
 * as prim::GetAttr on first use), or else a constant. */
static PtsIrValue *value_of(Frame *f, PtsTensor *t, PtsError *err) {
    PtsIrValue *v = lookup(f, t);
    if (v) return v;
    v = value_of_attr_only(f, t, err);
    if (v || err->code) return v;
    /* a tensor the trace did not produce: baked in as a constant */
    PtsIrValue *c = pts_graph_constant(f->g, f->blk, pts_vtensor(pts_tensor_retain(t)));
    if (!c) goto oom;
    c->node->range.file = loc_file ? pts_graph_intern(f->g, loc_file) : NULL;
    c->node->range.line = loc_line;
    if (!map_put(f, t, c)) goto oom;
    return c;
oom:
    pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return NULL;
}

/* ---- traced sizes passed where an op takes a number (torch's ArgumentStash) ---- */
typedef struct Stash { int arg, elem; PtsTensor *t; PtsOpId conv; } Stash;   /* t retained */
static _Thread_local Stash stash[32];
static _Thread_local int nstash;

void pts_trace_stash_clear(void) {
    for (int i = 0; i < nstash; i++) pts_tensor_release(stash[i].t);
    nstash = 0;
}

void pts_trace_stash(int arg, int elem, PtsTensor *t, PtsOpId conv) {
    if (!top || nstash == (int)(sizeof stash / sizeof stash[0]) || !lookup(top, t)) return;
    stash[nstash++] = (Stash){ arg, elem, pts_tensor_retain(t), conv };
}

/* the items of an indexing key, each a slice or select to be recorded, with its traced bounds */
#define IDX_MAX_ITEMS 64
#define IDX_MAX_BOUNDS 3
typedef struct IdxItem { PtsOpId op; int n; Stash s[IDX_MAX_BOUNDS]; } IdxItem;
static _Thread_local IdxItem idxq[IDX_MAX_ITEMS];
static _Thread_local int idxq_n, idxq_head;
static _Thread_local bool idxq_broken;   /* more items than fit: nothing is taken from the queue */

void pts_trace_index_clear(void) {
    for (int i = 0; i < idxq_n; i++)
        for (int j = 0; j < idxq[i].n; j++) pts_tensor_release(idxq[i].s[j].t);
    idxq_n = idxq_head = 0;
    idxq_broken = false;
}

void pts_trace_index_item(PtsOpId op) {
    if (!top) return;
    if (idxq_n == IDX_MAX_ITEMS) { idxq_broken = true; return; }
    idxq[idxq_n++] = (IdxItem){ .op = op };
}

void pts_trace_index_bound(int arg, PtsTensor *t) {
    if (!top || !idxq_n || idxq_broken || !lookup(top, t)) return;
    IdxItem *it = &idxq[idxq_n - 1];
    if (it->n < IDX_MAX_BOUNDS) it->s[it->n++] = (Stash){ arg, -1, pts_tensor_retain(t), PTS_OP_INT_TENSOR };
}

/* op id is being recorded: a slice or select takes the next queued item's bounds into the stash */
static void index_take(PtsOpId id) {
    if (idxq_head >= idxq_n || (id != PTS_OP_SLICE_TENSOR && id != PTS_OP_SELECT_INT)) return;
    IdxItem *it = &idxq[idxq_head];
    if (idxq_broken || it->op != id) {   /* out of step with the key: record constants */
        pts_trace_index_clear();
        return;
    }
    idxq_head++;
    for (int j = 0; j < it->n; j++) {
        if (nstash < (int)(sizeof stash / sizeof stash[0])) stash[nstash++] = it->s[j];   /* moves the reference */
        else pts_tensor_release(it->s[j].t);
    }
    it->n = 0;
}

static const Stash *stash_find(int arg, int elem) {
    for (int i = 0; i < nstash; i++)
        if (stash[i].arg == arg && (stash[i].elem == elem || stash[i].elem == -2)) return &stash[i];
    return NULL;
}

/* `conv(%t)` placed right after the node that made %t (the first node for a graph input), as
 * torch's stash inserts aten::Int / aten::ScalarImplicit; it carries no source location. */
static PtsIrValue *stash_value(Frame *f, const Stash *s, PtsError *err) {
    PtsIrValue *tv = lookup(f, s->t);
    if (!tv) { pts_fail(err, PTS_ERR_INTERNAL, "traced size lost"); return NULL; }
    PtsType *ty = pts_type_from_arg(pts_op_info[s->conv].schema.rets[0]);
    PtsNode *n = ty ? pts_node_new(f->g, f->blk, s->conv, 1, &tv, 1, &ty) : NULL;
    if (!n) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    n->scope = f->scope;
    PtsNode *after = tv->node ? tv->node->next : tv->param_of ? tv->param_of->first : f->blk->first;
    if (after && after != n) pts_node_move_before(n, after);
    return n->outputs[0];
}

/* IR value for an op argument of any kind; argi >= 0: the op's argument index, whose stashed
 * traced sizes replace the constants. */
static PtsIrValue *arg_value_at(Frame *f, PtsValue v, int argi, const PtsArgType *decl, PtsError *err) {
    if (v.tag == PTS_V_TENSOR && !(v.u.t->flags & PTS_TF_WRAPPED_NUMBER)) return value_of(f, v.u.t, err);
    const Stash *st;
    if (argi >= 0 && v.tag != PTS_V_LIST && (st = stash_find(argi, -1))) return stash_value(f, st, err);
    if (v.tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(v);
        bool tensors = l->len > 0 && l->items[0].tag == PTS_V_TENSOR;
        PtsIrValue *items[64];
        if (l->len > 64) { pts_fail(err, PTS_ERR_RUNTIME, "list too long to trace"); return NULL; }
        for (int64_t i = 0; i < l->len; i++) {
            if (argi >= 0 && (st = stash_find(argi, (int)i))) {
                items[i] = stash_value(f, st, err);
            } else {
                items[i] = arg_value_at(f, l->items[i], -1, NULL, err);
            }
            if (!items[i]) return NULL;
        }
        for (int64_t i = 0; i < l->len; i++) tensors = tensors || l->items[i].tag == PTS_V_TENSOR;
        PtsType *et = tensors ? pts_type_tensor() : l->len ? items[0]->type : pts_type_get(PTS_TY_INT);
        /* a Tensor?[] argument (aten::index's indices) is built as List[Optional[Tensor]], as
         * torch's tracer types it (and prints `annotate(List[Optional[Tensor]], [i])`) */
        PtsType *lt = decl && decl->is_list && decl->elem_optional && decl->kind == PTS_T_TENSOR
                          ? pts_type_from_arg(*decl) : pts_type_list(tensors ? pts_type_tensor() : et);
        if (!lt) goto oom;
        PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_LISTCONSTRUCT), (int)l->len, items, 1, &lt);
        if (!n) goto oom;
        n->scope = f->scope;   /* torch's tracer gives the lists it builds no source location */
        return n->outputs[0];
    }
    PtsIrValue *c = pts_graph_constant(f->g, f->blk, pts_value_retain(v));
    if (!c) goto oom;
    set_loc(f, c->node);
    if (v.tag == PTS_V_NONE) c->node->range.file = NULL;   /* PyTorch prints None without a location */
    return c;
oom:
    pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return NULL;
}

static PtsIrValue *arg_value(Frame *f, PtsValue v, PtsError *err) { return arg_value_at(f, v, -1, NULL, err); }

PtsStatus pts_trace_size(PtsTensor *t, int64_t dim, bool numel, PtsError *err, PtsTensor **out) {
    Frame *f = top;
    *out = NULL;
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "no trace in progress");
    int64_t n = numel ? pts_numel(t) : t->shape[dim < 0 ? dim + t->ndim : dim];
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(PTS_INT64, 0, NULL, err, &r));
    *(int64_t *)pts_tensor_data(r) = n;
    PtsIrValue *tv = value_of(f, t, err);
    if (!tv) goto fail;
    PtsNode *sz;
    PtsType *it = pts_type_get(PTS_TY_INT);
    if (numel) {
        sz = pts_node_new(f->g, f->blk, PTS_OP_NUMEL, 1, &tv, 1, &it);
    } else {
        PtsIrValue *ins[2] = { tv, pts_graph_constant(f->g, f->blk, pts_vint(dim)) };
        if (!ins[1]) goto oom;
        set_loc(f, ins[1]->node);
        sz = pts_node_new(f->g, f->blk, PTS_OP_SIZE_INT, 2, ins, 1, &it);
    }
    if (!sz) goto oom;
    set_loc(f, sz);
    /* prim::NumToTensor: `Long(device=cpu)`, requires_grad unknown, no source location */
    PtsType *lt = pts_type_tensor_of(r, false);
    if (!lt) goto oom;
    lt->requires_grad = -1;
    PtsNode *nt = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_NUMTOTENSOR), 1, &sz->outputs[0], 1, &lt);
    if (!nt) goto oom;
    nt->scope = f->scope;
    if (!map_put(f, r, nt->outputs[0])) goto oom;
    *out = r;
    return PTS_OK;
oom:
    pts_fail(err, PTS_ERR_NOMEM, "out of memory");
fail:
    pts_tensor_release(r);
    return err->code;
}

static PtsStatus trace_hook(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    Frame *f = top;
    if (!f) return pts_op_call_untraced(id, args, out, err);
    /* the op runs untraced: composite kernels record only themselves */
    pts_tls_tracing--;
    PtsStatus s = pts_op_call_untraced(id, args, out, err);
    pts_tls_tracing++;
    if (s) return s;
    if (PTS_UNLIKELY(idxq_n)) index_take(id);
    const PtsSchema *sc = &pts_op_info[id].schema;
    PtsIrValue *ins[PTS_MAX_ARGS];
    /* module attributes first, last argument first: PyTorch's traces read `bias` before `weight`
     * for linear(x, weight, bias) */
    for (int i = sc->nargs - 1; i >= 0; i--)
        if (args[i].tag == PTS_V_TENSOR && !lookup(f, args[i].u.t) && !(args[i].u.t->flags & PTS_TF_WRAPPED_NUMBER) &&
            f->self.tag == PTS_V_OBJECT && !value_of_attr_only(f, args[i].u.t, err) && err->code)
            goto fail;
    for (int i = 0; i < sc->nargs; i++)
        if (!(ins[i] = arg_value_at(f, args[i], nstash ? i : -1, &sc->args[i].type, err))) goto fail;
    pts_trace_stash_clear();
    PtsType *otypes[PTS_MAX_RETS];
    for (int k = 0; k < sc->nret; k++) {
        if (out[k].tag == PTS_V_TENSOR) otypes[k] = pts_type_tensor_of(out[k].u.t, tensor_requires_grad(out[k].u.t));
        else otypes[k] = pts_type_from_arg(sc->rets[k]);
        if (!otypes[k]) {
            for (int j = 0; j < k; j++) pts_type_release(otypes[j]);
            pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    PtsNode *n = pts_node_new(f->g, f->blk, id, sc->nargs, ins, sc->nret, otypes);
    if (!n) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
    set_loc(f, n);
    for (int k = 0; k < sc->nret; k++) {
        if (out[k].tag == PTS_V_TENSOR && !map_put(f, out[k].u.t, n->outputs[k])) {
            pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (out[k].tag == PTS_V_LIST) {
            /* Tensor[] results (split, unbind): unpack so each tensor has its value */
            PtsList *l = pts_as_list(out[k]);
            PtsType *ts[64];
            if (l->len > 64) continue;
            for (int64_t j = 0; j < l->len; j++)
                ts[j] = l->items[j].tag == PTS_V_TENSOR ? pts_type_tensor_of(l->items[j].u.t, false) : pts_type_get(PTS_TY_ANY);
            PtsNode *u = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_LISTUNPACK), 1, &n->outputs[k], (int)l->len, ts);
            if (!u) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
            for (int64_t j = 0; j < l->len; j++)
                if (l->items[j].tag == PTS_V_TENSOR) map_put(f, l->items[j].u.t, u->outputs[j]);
        }
    }
    return PTS_OK;
fail:
    pts_trace_stash_clear();
    for (int k = 0; k < sc->nret; k++) pts_value_release(&out[k]);
    return err->code;
}

/* The graph type of a traced input: tensors, and tuples, lists and str-keyed dicts of them
 * (nested), as PyTorch's tracer accepts. NULL with err set otherwise. */
static PtsType *input_type(PtsValue v, int depth, PtsError *err) {
    if (depth > 16) { pts_fail(err, PTS_ERR_TYPE, "traced input nested too deeply"); return NULL; }
    if (v.tag == PTS_V_TENSOR) return pts_type_tensor_of(v.u.t, tensor_requires_grad(v.u.t));
    if (v.tag == PTS_V_TUPLE || v.tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(v);
        PtsType *ts[64];
        if (l->len > 64) { pts_fail(err, PTS_ERR_TYPE, "traced input tuple or list too long (more than 64 items)"); return NULL; }
        if (v.tag == PTS_V_LIST) {
            for (int64_t i = 0; i < l->len; i++)
                if (l->items[i].tag != PTS_V_TENSOR) {
                    pts_fail(err, PTS_ERR_TYPE, "Only lists of Tensors can be traced as inputs");
                    return NULL;
                }
            return pts_type_list(pts_type_tensor());
        }
        for (int64_t i = 0; i < l->len; i++)
            if (!(ts[i] = input_type(l->items[i], depth + 1, err))) {
                for (int64_t j = 0; j < i; j++) pts_type_release(ts[j]);
                return NULL;
            }
        PtsType *t = pts_type_tuple((int)l->len, ts);
        for (int64_t i = 0; i < l->len; i++) pts_type_release(ts[i]);
        if (!t) pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return t;
    }
    if (v.tag == PTS_V_DICT) {
        PtsDict *d = pts_as_dict(v);
        for (int64_t i = 0; i < d->len; i++)
            if (d->keys[i].tag != PTS_V_STR || d->vals[i].tag != PTS_V_TENSOR) {
                pts_fail(err, PTS_ERR_TYPE, "Only dicts with str keys and Tensor values can be traced as inputs");
                return NULL;
            }
        PtsType *t = pts_type_dict(pts_type_get(PTS_TY_STR), pts_type_tensor());
        if (!t) pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return t;
    }
    pts_fail(err, PTS_ERR_TYPE, "Type '%s' cannot be traced. Only Tensors and (possibly nested) Lists, Dicts, and Tuples of Tensors can be traced",
             v.tag == PTS_V_INT ? "int" : v.tag == PTS_V_DOUBLE ? "float" : v.tag == PTS_V_BOOL ? "bool" :
             v.tag == PTS_V_STR ? "str" : v.tag == PTS_V_NONE ? "NoneType" : "value");
    return NULL;
}

/* Give the tensors inside a traced input their graph values: tuples and lists unpack
 * (prim::TupleUnpack / prim::ListUnpack), dicts read each key (aten::__getitem__), as PyTorch. */
static PtsStatus bind_input(Frame *f, PtsValue v, PtsIrValue *iv, PtsError *err) {
    if (v.tag == PTS_V_TENSOR)
        return map_put(f, v.u.t, iv) ? PTS_OK : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (v.tag == PTS_V_TUPLE || v.tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(v);
        PtsType *ts[64];
        for (int64_t i = 0; i < l->len; i++)
            ts[i] = v.tag == PTS_V_TUPLE ? pts_type_retain(iv->type->elems[i])
                                         : pts_type_tensor_of(l->items[i].u.t, tensor_requires_grad(l->items[i].u.t));
        PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(v.tag == PTS_V_TUPLE ? PTS_PRIM_TUPLEUNPACK : PTS_PRIM_LISTUNPACK),
                                  1, &iv, (int)l->len, ts);
        if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < l->len; i++) PTS_TRY(bind_input(f, l->items[i], n->outputs[i], err));
        return PTS_OK;
    }
    PtsDict *d = pts_as_dict(v);
    for (int64_t i = 0; i < d->len; i++) {
        PtsIrValue *ins[2] = { iv, pts_graph_constant(f->g, f->blk, pts_value_retain(d->keys[i])) };
        if (!ins[1]) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        PtsType *t = pts_type_tensor_of(d->vals[i].u.t, tensor_requires_grad(d->vals[i].u.t));
        PtsNode *n = t ? pts_node_new(f->g, f->blk, PTS_OP_GETITEM_DICT_STR, 2, ins, 1, &t) : NULL;
        if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        PTS_TRY(bind_input(f, d->vals[i], n->outputs[0], err));
    }
    return PTS_OK;
}

static PtsIrValue *add_input(Frame *f, PtsValue v, const char *name, PtsError *err) {
    PtsType *t = input_type(v, 0, err);
    if (!t) return NULL;
    PtsIrValue *iv = pts_block_add_input(f->g, f->g->top, t, name);
    if (!iv) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    return bind_input(f, v, iv, err) ? NULL : iv;
}

PtsStatus pts_trace_push(PtsValue self, int nin, const PtsValue *inputs, const char *const *names,
                         const char *scope, PtsError *err) {
    Frame *f = pts_calloc(1, sizeof *f);
    if (!f || !(f->g = pts_graph_new())) {
        pts_free(f);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    f->self = pts_value_retain(self);
    f->blk = f->g->top;
    f->serial = ++frame_serial;
    f->scope = scope ? pts_graph_intern(f->g, scope) : NULL;
    if (self.tag == PTS_V_OBJECT) {
        PtsType *st = pts_type_class(pts_as_object(self)->cls);
        if (!st || !(f->self_val = pts_block_add_input(f->g, f->g->top, st, "self"))) goto oom;
        /* as PyTorch, whose tracer lifts each traced submodule's body out of the one graph it
         * records: the submodule's own %self takes the name and the outermost becomes %self.1
         * (a trace that enters no traced submodule keeps %self) */
        Frame *root = top;
        while (root && root->parent) root = root->parent;
        if (root && root->self_val && !root->self_renamed) {
            pts_value_set_name(root->g, root->self_val, "self");
            root->self_renamed = true;
        }
        if (root) {
            if (root->prev_self) root->prev_self->name_suffix = 2 * root->nsub_entered + 1;
            if (root->prev_fn) pts_function_release(root->prev_fn);
            root->prev_fn = NULL;
            root->nsub_entered++;
            root->prev_self = f->self_val;
        }
        /* every submodule is read up front, in attribute order, as PyTorch's traces do; the
         * unused reads are dropped at pop */
        PtsObject *o = pts_as_object(self);
        f->nsub = o->nslots;
        f->sub_vals = pts_calloc((size_t)(o->nslots ? o->nslots : 1), sizeof(PtsIrValue *));
        if (!f->sub_vals) goto oom;
        for (int i = 0; i < o->nslots; i++) {
            if (o->slots[i].tag != PTS_V_OBJECT || o->cls->attrs[i].kind != PTS_ATTR_MODULE) continue;
            PtsType *ct = pts_type_retain(o->cls->attrs[i].type);
            PtsNode *ga = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_GETATTR), 1, &f->self_val, 1, &ct);
            PtsValue nm;
            if (!ga || pts_str_new(o->cls->attrs[i].name, strlen(o->cls->attrs[i].name), err, &nm)) goto oom;
            if (pts_node_set_attr(f->g, ga, "name", PTS_AV_STR, nm, NULL, err)) goto fail;
            pts_value_set_name(f->g, ga->outputs[0], o->cls->attrs[i].name);
            f->sub_vals[i] = ga->outputs[0];
        }
    }
    /* values of the inputs in the parent frame, for the CallMethod the parent records at pop */
    if (top) {
        f->parent_inputs = pts_calloc((size_t)(nin ? nin : 1), sizeof(PtsIrValue *));
        if (!f->parent_inputs) goto oom;
        for (int i = 0; i < nin; i++) {
            if (inputs[i].tag != PTS_V_TENSOR) {
                pts_fail(err, PTS_ERR_TYPE, "only tensor arguments can be passed to a traced submodule");
                goto fail;
            }
            if (!(f->parent_inputs[i] = value_of(top, inputs[i].u.t, err))) goto fail;
        }
        f->nparent_inputs = nin;
    }
    for (int i = 0; i < nin; i++) {
        const char *nm = names ? names[i] : NULL;
        char buf[32];
        if (!nm && top && f->parent_inputs[i]->name) nm = f->parent_inputs[i]->name;
        /* a traced submodule's input for a value the caller has not named stays unnamed (%3), as
         * PyTorch's lifted block input copies the caller's value */
        if (!nm && !top) { snprintf(buf, sizeof buf, "argument_%d", i + 1); nm = buf; }
        if (!add_input(f, inputs[i], nm, err)) goto fail;
    }
    f->parent = top;
    top = f;
    depth++;
    if (depth == 1) {
        pts_trace_hook = trace_hook;
        pts_tls_tracing++;
    }
    return PTS_OK;
oom:
    pts_fail(err, PTS_ERR_NOMEM, "out of memory");
fail:
    frame_free(f);
    return err->code;
}

/* Graph value for an output structure: tensors map, tuples construct. */
static PtsIrValue *output_value(Frame *f, PtsValue v, PtsError *err) {
    if (v.tag == PTS_V_TENSOR) return value_of(f, v.u.t, err);
    if (v.tag == PTS_V_TUPLE || v.tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(v);
        PtsIrValue *items[64];
        PtsType *ts[64];
        if (l->len > 64) { pts_fail(err, PTS_ERR_RUNTIME, "output tuple too long"); return NULL; }
        for (int64_t i = 0; i < l->len; i++) {
            if (!(items[i] = output_value(f, l->items[i], err))) return NULL;
            ts[i] = items[i]->type;
        }
        PtsType *t = v.tag == PTS_V_TUPLE ? pts_type_tuple((int)l->len, ts) : pts_type_list(pts_type_tensor());
        if (!t) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        PtsNode *n = pts_node_new(f->g, f->blk,
                                  PTS_KIND_PRIM(v.tag == PTS_V_TUPLE ? PTS_PRIM_TUPLECONSTRUCT : PTS_PRIM_LISTCONSTRUCT),
                                  (int)l->len, items, 1, &t);
        if (!n) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        return n->outputs[0];
    }
    if (v.tag == PTS_V_DICT) {
        /* {str: Tensor} (strict=False): key constants and values pair up in prim::DictConstruct */
        PtsDict *d = pts_as_dict(v);
        PtsIrValue *items[128];
        if (d->len > 64) { pts_fail(err, PTS_ERR_RUNTIME, "output dict too long"); return NULL; }
        PtsType *vt = NULL;
        for (int64_t i = 0; i < d->len; i++) {
            if (d->keys[i].tag != PTS_V_STR) {
                pts_fail(err, PTS_ERR_RUNTIME, "only dicts with str keys can be output from traced functions");
                return NULL;
            }
            if (!(items[2 * i] = arg_value(f, d->keys[i], err))) return NULL;
            if (!(items[2 * i + 1] = output_value(f, d->vals[i], err))) return NULL;
            if (!vt) vt = items[2 * i + 1]->type;
        }
        PtsType *t = pts_type_dict(pts_type_get(PTS_TY_STR), vt && vt->kind != PTS_TY_TENSOR ? vt : pts_type_tensor());
        if (!t) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_DICTCONSTRUCT), (int)(2 * d->len), items, 1, &t);
        if (!n) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        return n->outputs[0];
    }
    pts_fail(err, PTS_ERR_RUNTIME, "Only tensors, lists, tuples of tensors, or dictionary of tensors can be output from traced functions");
    return NULL;
}

/* The type of a call's result as PyTorch records it: tensors lose their traced shapes. */
static PtsType *erase_shapes(PtsType *t) {
    if (t->kind == PTS_TY_TENSOR) return pts_type_retain(pts_type_tensor());
    if (t->kind != PTS_TY_TUPLE) return pts_type_retain(t);
    PtsType *es[64];
    if (t->n > 64) return NULL;
    for (int i = 0; i < t->n; i++)
        if (!(es[i] = erase_shapes(t->elems[i]))) {
            for (int k = 0; k < i; k++) pts_type_release(es[k]);
            return NULL;
        }
    PtsType *r = pts_type_tuple(t->n, es);
    for (int i = 0; i < t->n; i++) pts_type_release(es[i]);
    return r;
}

/* Map the tensors of `v` in frame f to the value `iv` (unpacking tuples). */
static PtsStatus map_outputs(Frame *f, PtsValue v, PtsIrValue *iv, bool keep_known, PtsError *err) {
    if (v.tag == PTS_V_TENSOR) {
        /* a traced call that returns a tensor the caller already knows (an identity branch) keeps
         * the caller's value, as PyTorch's tracer does */
        if (keep_known && lookup(f, v.u.t)) return PTS_OK;
        if (!map_put(f, v.u.t, iv)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return PTS_OK;
    }
    if (v.tag == PTS_V_TUPLE) {
        PtsList *l = pts_as_list(v);
        PtsType *ts[64];
        if (l->len > 64) return pts_fail(err, PTS_ERR_RUNTIME, "output tuple too long");
        for (int64_t i = 0; i < l->len; i++) ts[i] = pts_type_retain(iv->type->kind == PTS_TY_TUPLE ? iv->type->elems[i] : pts_type_tensor());
        PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &iv, (int)l->len, ts);
        if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < l->len; i++) PTS_TRY(map_outputs(f, l->items[i], n->outputs[i], keep_known, err));
    }
    return PTS_OK;
}

/* In the parent, `%child = prim::GetAttr[name=attr](%self)` then
 * `%out = prim::CallMethod[name="forward"](%child, inputs...)`. */
static PtsStatus record_call(Frame *parent, PtsValue child, const char *method, int nin,
                             PtsIrValue *const *ins, PtsType *ret_type, PtsValue output,
                             bool keep_known, PtsError *err) {
    PtsObject *po = parent->self.tag == PTS_V_OBJECT ? pts_as_object(parent->self) : NULL;
    int slot = -1, inner = -1;
    for (int i = 0; po && i < po->nslots; i++)
        if (po->slots[i].tag == PTS_V_OBJECT && po->slots[i].u.h == child.u.h) { slot = i; break; }
    /* a module held by a container submodule (self.layers[0], self.heads["a"]): PyTorch reads the
     * container and then its item, `%1 = prim::GetAttr[name="0"](%layers)` */
    for (int i = 0; po && slot < 0 && i < po->nslots; i++) {
        if (po->slots[i].tag != PTS_V_OBJECT || po->cls->attrs[i].kind != PTS_ATTR_MODULE) continue;
        PtsObject *c = pts_as_object(po->slots[i]);
        for (int j = 0; j < c->nslots; j++)
            if (c->slots[j].tag == PTS_V_OBJECT && c->slots[j].u.h == child.u.h) { slot = i; inner = j; break; }
    }
    if (slot < 0) {
        pts_type_release(ret_type);
        return pts_fail(err, PTS_ERR_RUNTIME, "traced submodule is not an attribute of its caller");
    }
    PtsValue nm;
    PtsIrValue *cins[65];
    if (nin > 64 || slot >= parent->nsub || !parent->sub_vals[slot]) {
        pts_type_release(ret_type);
        return pts_fail(err, PTS_ERR_RUNTIME, "traced submodule call could not be recorded");
    }
    cins[0] = parent->sub_vals[slot];
    if (inner >= 0) {
        /* as PyTorch's tracer: a fresh `container -> item` GetAttr chain inserted at the top of
         * the graph, so chains read later come first and each re-reads the container */
        PtsObject *c = pts_as_object(po->slots[slot]);
        const char *names[2] = { po->cls->attrs[slot].name, c->cls->attrs[inner].name };
        PtsType *types[2] = { po->cls->attrs[slot].type, c->cls->attrs[inner].type };
        PtsIrValue *from = parent->self_val;
        PtsNode *chain[2];
        for (int k = 0; k < 2; k++) {
            PtsType *ct = pts_type_retain(types[k]);
            chain[k] = pts_node_new(parent->g, parent->g->top, PTS_KIND_PRIM(PTS_PRIM_GETATTR), 1, &from, 1, &ct);
            if (!chain[k] || pts_str_new(names[k], strlen(names[k]), err, &nm)) {
                pts_type_release(ret_type);
                return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            }
            PTS_TRY(pts_node_set_attr(parent->g, chain[k], "name", PTS_AV_STR, nm, NULL, err));
            /* PyTorch names an item by its attribute: `%_0` for "0" */
            char vn[80];
            snprintf(vn, sizeof vn, "%s%s", (names[k][0] >= '0' && names[k][0] <= '9') ? "_" : "", names[k]);
            pts_value_set_name(parent->g, chain[k]->outputs[0], vn);
            from = chain[k]->outputs[0];
        }
        /* PyTorch lifts each call's reads: the latest container read is %layers, the i-th earlier
         * one %layers.<2i-1> */
        if (!parent->chain_n) {
            parent->chain_n = pts_calloc((size_t)parent->nsub, sizeof(int));
            parent->chain_last = pts_calloc((size_t)parent->nsub, sizeof(PtsIrValue *));
        }
        if (parent->chain_n && parent->chain_last) {
            PtsIrValue *prev = parent->chain_last[slot];
            if (prev) prev->name_suffix = 2 * parent->chain_n[slot] - 1;
            chain[0]->outputs[0]->name_suffix = 0;
            parent->chain_n[slot]++;
            parent->chain_last[slot] = chain[0]->outputs[0];
        }
        PtsNode *first = parent->g->top->first;
        if (first != chain[0]) {
            pts_node_move_before(chain[1], first);
            pts_node_move_before(chain[0], chain[1]);
        }
        cins[0] = from;
    }
    for (int i = 0; i < nin; i++) cins[i + 1] = ins[i];
    PtsNode *cm = pts_node_new(parent->g, parent->blk, PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD), nin + 1, cins, 1, &ret_type);
    if (!cm || pts_str_new(method, strlen(method), err, &nm)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PTS_TRY(pts_node_set_attr(parent->g, cm, "name", PTS_AV_STR, nm, NULL, err));
    return map_outputs(parent, output, cm->outputs[0], keep_known, err);
}

/* Remember, for each tensor the call returned, its value in the caller and in the callee. Best
 * effort: without memory the names are simply not shared. */
static void link_results(Frame *parent, Frame *child, PtsFunction *fn, PtsValue out) {
    if (out.tag == PTS_V_TUPLE || out.tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(out);
        for (int64_t i = 0; i < l->len; i++) link_results(parent, child, fn, l->items[i]);
        return;
    }
    if (out.tag != PTS_V_TENSOR) return;
    PtsIrValue *o = lookup(parent, out.u.t), *in = lookup(child, out.u.t);
    if (!o || !in || !o->node || !in->node || o->name) return;
    if (parent->nlinks == parent->cap_links) {
        int cap = parent->cap_links ? parent->cap_links * 2 : 8;
        CallLink *n = pts_realloc(parent->links, sizeof *n * (size_t)cap);
        if (!n) return;
        parent->links = n;
        parent->cap_links = cap;
    }
    parent->links[parent->nlinks++] = (CallLink){ o, in, pts_function_retain(fn) };
}

/* PyTorch's traces read the module's attributes (submodules, parameters, buffers, and GetAttr
 * chains into submodules and containers) up front, in the reverse order of their first use (its
 * tracer lifts each read out of one flat graph and puts it first): reorder the reads so. */
#define MAX_CHAIN 8
static void order_attribute_reads(Frame *f) {
    if (!f->self_val) return;
    int n = 0;
    PtsNode *reads[128][MAX_CHAIN];
    int len[128];
    long first_use[128];
    for (int u = 0; u < f->self_val->nuses && n < 128; u++) {
        PtsNode *r = f->self_val->uses[u].user;
        if (!r || r->kind != PTS_KIND_PRIM(PTS_PRIM_GETATTR) || r->owner != f->g->top || r->noutputs != 1) continue;
        /* follow a chain while its value is read by exactly one more GetAttr */
        int k = 0;
        reads[n][k++] = r;
        PtsIrValue *v = r->outputs[0];
        while (k < MAX_CHAIN && v->nuses == 1 && v->uses[0].user &&
               v->uses[0].user->kind == PTS_KIND_PRIM(PTS_PRIM_GETATTR)) {
            reads[n][k++] = v->uses[0].user;
            v = v->uses[0].user->outputs[0];
        }
        bool more = false;   /* a chain that branches further is left where it is */
        for (int j = 0; j < v->nuses; j++)
            more = more || (v->uses[j].user && v->uses[j].user->kind == PTS_KIND_PRIM(PTS_PRIM_GETATTR));
        if (more) continue;
        long pos = 0, best = 1L << 40;
        for (PtsNode *m = f->g->top->first; m; m = m->next, pos++)
            for (int j = 0; j < v->nuses; j++)
                if (v->uses[j].user == m && pos * 256 + v->uses[j].index < best) best = pos * 256 + v->uses[j].index;
        len[n] = k;
        first_use[n++] = best;
    }
    if (n < 2) return;
    /* the first node that is not one of the reads: they all go before it */
    PtsNode *anchor = f->g->top->first;
    for (bool is_read = true; anchor && is_read; ) {
        is_read = false;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < len[i]; k++) if (reads[i][k] == anchor) is_read = true;
        if (is_read) anchor = anchor->next;
    }
    if (!anchor) return;
    bool done[128] = { false };
    for (int k = 0; k < n; k++) {   /* latest first use first */
        int best = -1;
        for (int i = 0; i < n; i++) if (!done[i] && (best < 0 || first_use[i] > first_use[best])) best = i;
        for (int j = 0; j < len[best]; j++) pts_node_move_before(reads[best][j], anchor);
        done[best] = true;
    }
}

PtsStatus pts_trace_pop(PtsValue output, bool record, PtsError *err, PtsFunction **fn) {
    *fn = NULL;
    Frame *f = top;
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "no trace in progress");
    PtsIrValue *ov = output_value(f, output, err);
    if (!ov || pts_block_add_output(f->g, f->g->top, ov, err)) {
        pts_trace_abort();
        return err->code;
    }
    for (int i = 0; i < f->nsub; i++)
        if (f->sub_vals[i] && f->sub_vals[i]->nuses == 0) {
            pts_node_destroy(f->sub_vals[i]->node);
            f->sub_vals[i] = NULL;
        }
    /* torch's tracer ends with dead code elimination: the sizes, comparisons and other results
     * the Python code computed but did not feed into the outputs (an `if x.size(0) > 2:` test)
     * leave the graph. A submodule read that went with them is forgotten too. */
    if (pts_pass_dce(f->g) > 0)
        for (int i = 0; i < f->nsub; i++) {
            if (!f->sub_vals[i]) continue;
            bool live = false;
            for (PtsNode *m = f->g->top->first; m && !live; m = m->next)
                for (int k = 0; k < m->noutputs && !live; k++) live = m->outputs[k] == f->sub_vals[i];
            if (!live) f->sub_vals[i] = NULL;
        }
    order_attribute_reads(f);
    PtsType *ret_type = erase_shapes(ov->type);
    if (!ret_type) { pts_trace_abort(); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    top = f->parent;
    depth--;
    if (depth == 0) pts_tls_tracing--;
    PtsStatus s = PTS_OK;
    /* each traced call of a submodule becomes its own method, as in torch: forward, forward1, ... */
    char mname[32] = "forward";
    if (record && top && f->self.tag == PTS_V_OBJECT) {
        const PtsClassType *cls = pts_as_object(f->self)->cls;
        for (int k = 1; k < 100000 && pts_class_find_method(cls, mname); k++) snprintf(mname, sizeof mname, "forward%d", k);
        s = record_call(top, f->self, mname, f->nparent_inputs, f->parent_inputs, pts_type_retain(ret_type), output, true, err);
    }
    pts_type_release(ret_type);
    PtsGraph *g = f->g;
    f->g = NULL;
    bool method = f->self.tag == PTS_V_OBJECT;
    if (!s) s = pts_graph_maybe_verify(g, err);
    if (s) { frame_free(f); pts_graph_free(g); pts_trace_abort(); return s; }
    *fn = pts_function_new(mname, g, method);
    if (!*fn) { frame_free(f); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    if (record && top) link_results(top, f, *fn, output);
    /* the last traced submodule entered: its %self may still be renamed by a later one */
    Frame *root = top;
    while (root && root->parent) root = root->parent;
    if (root && f->self_val && root->prev_self == f->self_val && !root->prev_fn) root->prev_fn = pts_function_retain(*fn);
    frame_free(f);
    return PTS_OK;
}

void pts_trace_abort(void) {
    pts_trace_stash_clear();
    pts_trace_index_clear();
    while (top) {
        Frame *f = top;
        top = f->parent;
        frame_free(f);
    }
    if (depth > 0) pts_tls_tracing--;
    depth = 0;
}

/* the unpacked tensors of a tuple result (the TupleUnpack on call value cv) typed with what they
 * are in this trace, as PyTorch's setValue does; the call itself keeps the declared tuple type */
static void type_unpacked(PtsIrValue *cv, PtsValue out) {
    if (out.tag != PTS_V_TUPLE || cv->nuses != 1 || !cv->uses[0].user ||
        cv->uses[0].user->kind != PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK))
        return;
    PtsNode *u = cv->uses[0].user;
    PtsList *l = pts_as_list(out);
    for (int i = 0; i < u->noutputs && i < l->len; i++) {
        if (l->items[i].tag != PTS_V_TENSOR) continue;
        PtsType *t = pts_type_tensor_of(l->items[i].u.t, tensor_requires_grad(l->items[i].u.t));
        if (!t) continue;   /* best effort: the declared type stays */
        pts_type_release(u->outputs[i]->type);
        u->outputs[i]->type = t;
    }
}

PtsStatus pts_trace_record_method_call(PtsValue obj, const char *attr, PtsFunction *fn, int nargs,
                                       const PtsValue *args, PtsValue *out, PtsError *err) {
    (void)attr;
    Frame *f = top;
    PtsIrValue *ins[64];
    if (!f || nargs > 64) return pts_fail(err, PTS_ERR_RUNTIME, "no trace in progress");
    for (int i = 0; i < nargs; i++)
        if (!(ins[i] = arg_value(f, args[i], err))) return err->code;
    PtsValue all[65];
    all[0] = obj;
    for (int i = 0; i < nargs; i++) all[i + 1] = args[i];
    pts_tls_tracing--;
    PtsStatus s = pts_interp_run(fn, all, nargs + 1, out, err);
    pts_tls_tracing++;
    if (s) return s;
    /* a tensor result is typed with what it is in this trace, as PyTorch records it */
    PtsType *rt = out->tag == PTS_V_TENSOR ? pts_type_tensor_of(out->u.t, tensor_requires_grad(out->u.t))
                                           : pts_type_retain(fn->graph->top->outputs[0]->type);
    if (!rt) { pts_value_release(out); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    PTS_TRY(record_call(f, obj, fn->name, nargs, ins, rt, *out, false, err));
    for (PtsNode *n = f->blk->last; n; n = n->prev)
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD)) {
            type_unpacked(n->outputs[0], *out);
            break;
        }
    return PTS_OK;
}

PtsStatus pts_trace_record_function_call(PtsFunction *fn, const char *qual, int nargs, const PtsValue *args,
                                         PtsValue *out, PtsError *err) {
    Frame *f = top;
    PtsIrValue *ins[64];
    if (!f || nargs > 64) return pts_fail(err, PTS_ERR_RUNTIME, "no trace in progress");
    if (fn->graph->top->noutputs != 1) return pts_fail(err, PTS_ERR_RUNTIME, "traced function call must return one value");
    for (int i = 0; i < nargs; i++)
        if (!(ins[i] = arg_value(f, args[i], err))) return err->code;
    pts_tls_tracing--;
    PtsStatus s = pts_interp_run(fn, args, nargs, out, err);
    pts_tls_tracing++;
    if (s) return s;
    /* a tensor result is typed with what it is in this trace, as PyTorch records it */
    PtsType *rt = out->tag == PTS_V_TENSOR ? pts_type_tensor_of(out->u.t, tensor_requires_grad(out->u.t))
                                           : pts_type_retain(fn->graph->top->outputs[0]->type);
    if (!rt) { pts_value_release(out); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    /* PyTorch's graph reads the function from a `%k : Function = prim::Constant[name="g"]()` made
     * just before the call: its number is reserved here and the graph printer shows it ("fnval") */
    int fnval = f->g->next_value_id++;
    PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION), nargs, ins, 1, &rt);
    PtsValue ref, q;
    if (!n) { pts_value_release(out); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    n->scope = f->scope;   /* torch's traced call carries no source location */
    if (pts_function_ref_new(fn, err, &ref) || pts_node_set_attr(f->g, n, "fn", PTS_AV_IVALUE, ref, NULL, err) ||
        pts_str_new(qual, strlen(qual), err, &q) || pts_node_set_attr(f->g, n, "qualname", PTS_AV_IVALUE, q, NULL, err) ||
        pts_node_set_attr(f->g, n, "fnval", PTS_AV_INT, pts_vint(fnval), NULL, err)) {
        pts_value_release(out);
        return err->code;
    }
    s = map_outputs(f, *out, n->outputs[0], false, err);
    if (s) { pts_value_release(out); return s; }
    type_unpacked(n->outputs[0], *out);
    return PTS_OK;
}

/* ---- torch's one flat trace graph, mirrored across pyts's graph per traced module ----
 * PyTorch traces a module tree into one graph, whose debug names are unique across it: a name
 * given to a value renames its earlier owner (x -> x.1) everywhere that value appears once the
 * submodules' bodies are lifted into graphs of their own. pyts records each traced module in a
 * graph of its own, so a rename is mirrored to the same value in the caller and the callees. */
static PtsIrValue *named_owner(PtsBlock *b, const char *base, const PtsIrValue *not) {
    for (int i = 0; i < b->ninputs; i++)
        if (b->inputs[i] != not && b->inputs[i]->name && !b->inputs[i]->name_suffix && strcmp(b->inputs[i]->name, base) == 0)
            return b->inputs[i];
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++)
            if (n->outputs[i] != not && n->outputs[i]->name && !n->outputs[i]->name_suffix &&
                strcmp(n->outputs[i]->name, base) == 0)
                return n->outputs[i];
        for (int k = 0; k < n->nblocks; k++) {
            PtsIrValue *r = named_owner(n->blocks[k], base, not);
            if (r) return r;
        }
    }
    return NULL;
}

/* value w (named base, no suffix) of graph g is the same traced value as one renamed base.sfx */
static void mirror_suffix(PtsGraph *g, PtsIrValue *w, const char *base, int sfx) {
    if (!w || !w->name || w->name_suffix || strcmp(w->name, base) != 0 || sfx <= 0) return;
    w->name_suffix = sfx;
    for (int i = 0; i < g->nnames; i++)
        if (strcmp(g->names[i], base) == 0 && g->name_counts[i] < sfx) g->name_counts[i] = sfx;
}

/* the graph of the traced method a prim::CallMethod of graph-owning frame f calls, or NULL */
static PtsGraph *callee_graph(const PtsNode *cm) {
    if (cm->kind != PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD) || cm->ninputs < 1 || cm->inputs[0]->type->kind != PTS_TY_CLASS ||
        !cm->inputs[0]->type->cls)
        return NULL;
    const PtsNodeAttr *a = pts_node_attr(cm, "name");
    if (!a || a->v.tag != PTS_V_STR) return NULL;
    PtsFunction *fn = pts_class_find_method(cm->inputs[0]->type->cls, pts_as_str(a->v)->data);
    return fn && fn->graph ? fn->graph : NULL;
}

/* caller value old of frame f became base.sfx: the callees it was passed to see the rename */
static void mirror_into_callees(Frame *f, PtsIrValue *old, const char *base, int sfx) {
    for (int u = 0; u < old->nuses; u++) {
        PtsNode *cm = old->uses[u].user;
        int k = old->uses[u].index;
        PtsGraph *cg = k >= 1 ? callee_graph(cm) : NULL;
        if (!cg || cg == f->g || k >= cg->top->ninputs) continue;
        mirror_suffix(cg, cg->top->inputs[k], base, sfx);
    }
}

/* steal name for v in graph g (PyTorch's setDebugName); returns the earlier owner, now suffixed */
static PtsIrValue *steal_tracked(PtsGraph *g, PtsIrValue *v, const char *name) {
    PtsIrValue *old = named_owner(g->top, name, v);
    pts_value_steal_name(g, v, name);
    return old && old->name_suffix ? old : NULL;
}

void pts_trace_name_tensor(const PtsTensor *t, const char *name) {
    Frame *f = top;
    if (!f || !name || !*name) return;
    PtsIrValue *v = lookup(f, t);
    /* only op results: PyTorch leaves the results of submodule calls unnamed */
    /* an input of a traced submodule's forward: PyTorch names the caller's value (its trace is
     * one flat graph), e.g. `input` for what a Linear receives */
    if (v && !v->node && v->param_of == f->g->top && f->parent && f->parent_inputs) {
        int k = v->offset - (f->self_val ? 1 : 0);
        PtsIrValue *pv = k >= 0 && k < f->nparent_inputs ? f->parent_inputs[k] : NULL;
        if (pv && !pv->name && pv->node && pv->node->kind != PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD) &&
            pv->node->kind != PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK)) {
            PtsIrValue *old = steal_tracked(f->parent->g, pv, name);
            if (!v->name) pts_value_steal_name(f->g, v, name);   /* the lifted input copies it */
            if (old) mirror_into_callees(f->parent, old, name, old->name_suffix);
        } else if (pv && !pv->name && pv->node) {
            /* the result of an earlier traced submodule call: the name goes to the value in that
             * callee (its body's result), renaming there; a caller value renamed with it mirrors */
            for (int i = 0; i < f->parent->nlinks; i++) {
                CallLink *l = &f->parent->links[i];
                if (l->outer != pv || l->inner->name || !l->inner->node ||
                    l->inner->node->kind == PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD) ||
                    l->inner->node->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK))
                    continue;
                PtsGraph *cg = l->fn->graph;
                PtsIrValue *old = steal_tracked(cg, l->inner, name);
                PtsNode *cm = pv->node->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK) ? pv->node->inputs[0]->node : pv->node;
                if (old && !old->node && old->param_of == cg->top && cm && old->offset < cm->ninputs) {
                    PtsIrValue *w = cm->inputs[old->offset];
                    mirror_suffix(f->parent->g, w, name, old->name_suffix);
                    if (w->name_suffix == old->name_suffix) mirror_into_callees(f->parent, w, name, w->name_suffix);
                }
                break;
            }
        }
        return;
    }
    bool linked = false;
    for (int i = 0; v && i < f->nlinks; i++) linked = linked || f->links[i].outer == v;
    /* results of traced submodule calls stay unnamed (PyTorch lifts them from its flat trace);
     * results of compiled (scripted) calls are named like op results */
    if (v && !v->name && v->node && !linked) pts_value_steal_name(f->g, v, name);
    /* the result of a traced submodule: the name goes to the callee's value */
    for (int i = 0; v && i < f->nlinks; i++)
        if (f->links[i].outer == v && !f->links[i].inner->name) {
            PtsIrValue *in = f->links[i].inner;
            if (in->node && in->node->kind != PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD) && in->node->kind != PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK))
                pts_value_steal_name(f->links[i].fn->graph, in, name);
        }
}

/* ---- forks (torch's tracer: prim::fork with the forked call's ops as its subgraph) ----
 * While a fork is open, the frame's nodes go into the body block of a prim::fork node. At its end
 * the body's result becomes the block output and every value the body read from outside becomes a
 * body input and the node's input (torch's lambda lifting of a traced fork), named as the value
 * it captures; tensors first mapped inside the body are forgotten again. */
PtsStatus pts_trace_fork_begin(PtsError *err) {
    Frame *f = top;
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "no trace in progress");
    ForkRec *r = pts_calloc(1, sizeof *r);
    if (r && f->nmap) r->saved_vals = pts_malloc(sizeof *r->saved_vals * (size_t)f->nmap);
    if (!r || (f->nmap && !r->saved_vals)) {
        if (r) pts_free(r);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < f->nmap; i++) r->saved_vals[i] = f->map[i].v;
    PtsType *any = pts_type_retain(pts_type_get(PTS_TY_ANY));
    PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_FORK), 0, NULL, 1, &any);
    PtsBlock *body = n ? pts_node_add_block(f->g, n) : NULL;
    if (!body) {
        if (n) pts_node_destroy(n);
        pts_free(r->saved_vals);
        pts_free(r);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    n->scope = f->scope;   /* torch's fork and wait carry no source location */
    r->node = n;
    r->saved_blk = f->blk;
    r->saved_nmap = f->nmap;
    r->next = f->forks;
    f->forks = r;
    f->blk = body;
    return PTS_OK;
}

/* is v defined inside body (by one of its nodes, or as an input of it or of a block in it)? */
static bool inside(const PtsIrValue *v, const PtsBlock *body) {
    const PtsBlock *b = v->node ? v->node->owner : v->param_of;
    while (b) {
        if (b == body) return true;
        b = b->owner ? b->owner->owner : NULL;
    }
    return false;
}

typedef struct Lift {
    PtsGraph *g;
    PtsNode *fork;
    PtsBlock *body;
    PtsIrValue **from, **to;
    int n, cap;
} Lift;

static PtsIrValue *lifted(Lift *L, PtsIrValue *v, PtsError *err) {
    for (int i = 0; i < L->n; i++) if (L->from[i] == v) return L->to[i];
    if (L->n == L->cap) {
        int cap = L->cap ? 2 * L->cap : 16;
        PtsIrValue **a = pts_realloc(L->from, sizeof *a * (size_t)cap), **b = a ? pts_realloc(L->to, sizeof *b * (size_t)cap) : NULL;
        if (a) L->from = a;
        if (!b) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        L->to = b;
        L->cap = cap;
    }
    PtsIrValue *in = pts_block_add_input(L->g, L->body, pts_type_retain(v->type), NULL);
    if (!in) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    in->name = v->name;   /* torch's copyMetadata: %x in the subgraph too */
    in->name_suffix = v->name_suffix;
    if (pts_node_add_input(L->g, L->fork, v, err)) return NULL;
    L->from[L->n] = v;
    L->to[L->n++] = in;
    return in;
}

static bool lift_block(Lift *L, PtsBlock *b, PtsError *err) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->ninputs; i++) {
            if (inside(n->inputs[i], L->body)) continue;
            PtsIrValue *in = lifted(L, n->inputs[i], err);
            if (!in) return false;
            if (!pts_node_replace_input(n, i, in)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory"), false;
        }
        for (int k = 0; k < n->nblocks; k++)
            if (!lift_block(L, n->blocks[k], err)) return false;
    }
    for (int i = 0; i < b->noutputs; i++) {
        if (inside(b->outputs[i], L->body)) continue;
        PtsIrValue *in = lifted(L, b->outputs[i], err);
        if (!in) return false;
        if (!pts_block_replace_output(b, i, in)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory"), false;
    }
    return true;
}

/* close the innermost fork: restore the frame's block and its tensors' values (dropping the
 * node when the fork failed) */
static void fork_close(Frame *f, bool drop) {
    ForkRec *r = f->forks;
    f->forks = r->next;
    f->blk = r->saved_blk;
    for (int i = r->saved_nmap; i < f->nmap; i++) pts_tensor_release(f->map[i].t);
    if (f->nmap > r->saved_nmap) f->nmap = r->saved_nmap;
    for (int i = 0; i < f->nmap; i++) f->map[i].v = r->saved_vals[i];
    if (drop) pts_node_destroy(r->node);
    pts_free(r->saved_vals);
    pts_free(r);
}

PtsStatus pts_trace_fork_end(PtsValue result, PtsError *err, int64_t *token) {
    *token = -1;
    Frame *f = top;
    if (!f || !f->forks) return pts_fail(err, PTS_ERR_RUNTIME, "no traced fork in progress");
    PtsNode *n = f->forks->node;
    PtsBlock *body = f->blk;
    PtsIrValue *ov = output_value(f, result, err);
    if (!ov || pts_block_add_output(f->g, body, ov, err)) goto fail;
    Lift L = { f->g, n, body, NULL, NULL, 0, 0 };
    bool ok = lift_block(&L, body, err);
    pts_free(L.from);
    pts_free(L.to);
    if (!ok) goto fail;
    PtsType *ft = pts_type_future(body->outputs[0]->type);
    if (!ft) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
    pts_type_release(n->outputs[0]->type);
    n->outputs[0]->type = ft;
    if (f->nfuts == f->cap_futs) {
        int cap = f->cap_futs ? 2 * f->cap_futs : 8;
        PtsIrValue **a = pts_realloc(f->futs, sizeof *a * (size_t)cap);
        if (!a) { pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
        f->futs = a;
        f->cap_futs = cap;
    }
    f->futs[f->nfuts] = n->outputs[0];
    *token = f->serial * 1000000 + f->nfuts++;
    fork_close(f, false);
    return PTS_OK;
fail:
    fork_close(f, true);
    return err->code;
}

void pts_trace_fork_abort(void) {
    Frame *f = top;
    if (f && f->forks) fork_close(f, true);
}

PtsStatus pts_trace_wait(int64_t token, PtsValue result, PtsError *err) {
    Frame *f = top;
    /* a future of another frame (or of no trace): nothing to record, the value is a constant */
    if (!f || token < 0 || token / 1000000 != f->serial || token % 1000000 >= f->nfuts) return PTS_OK;
    PtsIrValue *fut = f->futs[token % 1000000];
    PtsType *t = pts_type_retain(fut->type->elems[0]);
    PtsNode *n = pts_node_new(f->g, f->blk, PTS_KIND_PRIM(PTS_PRIM_WAIT), 1, &fut, 1, &t);
    if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    n->scope = f->scope;
    return map_outputs(f, result, n->outputs[0], false, err);
}
