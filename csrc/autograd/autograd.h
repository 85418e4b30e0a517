/* autograd.h: the autograd layer. Sits on the op registry: a dispatch hook records one graph node
 * (PtsNode, named as PyTorch names it: "TanhBackward0") per differentiable op call, the formula
 * table (derivatives.def) gives each registry row its backward, and the engine walks the graph in
 * topological order to accumulate gradients into leaves (.grad) or return them (grad()).
 * Includes ops and below; never Python. Grad mode is per thread. */
#ifndef PTS_AUTOGRAD_H
#define PTS_AUTOGRAD_H

#include "../ops/ops.h"

typedef struct PtsNode PtsNode;

/* ---- per-tensor metadata (PtsTensor.autograd, owned by the tensor) ---- */
typedef struct PtsRetainHook PtsRetainHook;

typedef struct PtsAutogradMeta {
    bool requires_grad;        /* leaf flag set by the user (non-leaves: grad_fn != NULL) */
    bool retains_grad;         /* non-leaf asked to keep its .grad (retain_grad()) */
    bool is_view;              /* made by a PTS_F_VIEW row; base below */
    uint32_t output_nr;        /* which output of grad_fn this tensor is */
    unsigned view_version;     /* views: storage version when the history was set (staleness) */
    PtsTensor *grad;           /* +1 or NULL: the accumulated gradient */
    PtsNode *grad_fn;          /* +1 or NULL (leaf): the node that made this tensor */
    PtsNode *grad_acc;         /* weak: the AccumulateGrad node of a leaf while one lives */
    PtsTensor *base;           /* +1, views only: the tensor this one is a view of */
    PtsRetainHook *retain;     /* the hook registered on grad_fn by retain_grad(), or NULL */
} PtsAutogradMeta;

/* Tensors of these dtypes carry gradients: floating point and complex. */
static inline bool pts_ag_dtype_ok(PtsDType d) { return pts_dtype_is_float(d) || pts_dtype_is_complex(d); }

/* ---- grad mode (thread-local; pts_tls_grad_enabled lives in ops/common.c) ---- */
static inline bool pts_grad_enabled(void) { return pts_tls_grad_enabled; }
static inline void pts_set_grad_enabled(bool on) { pts_tls_grad_enabled = on; }

/* Installs the dispatch hook and the metadata free hook, resolves the formula table against the
 * registry. Idempotent; call after pts_ops_init. */
PTS_INTERNAL PtsStatus pts_autograd_init(PtsError *err);

/* ---- tensor-level API (all thread-safe; tensors borrowed) ---- */
PTS_INTERNAL bool pts_requires_grad(const PtsTensor *t);
PTS_INTERNAL bool pts_is_leaf(const PtsTensor *t);
/* Set the leaf flag. Errors as PyTorch: non-leaf, non-float dtype. */
PTS_INTERNAL PtsStatus pts_set_requires_grad(PtsTensor *t, bool on, PtsError *err);
PTS_INTERNAL PtsTensor *pts_grad_get(PtsTensor *t);         /* +1 or NULL */
/* Replace .grad (g borrowed, NULL clears); checks size and dtype like PyTorch. */
PTS_INTERNAL PtsStatus pts_grad_set(PtsTensor *t, PtsTensor *g, PtsError *err);
PTS_INTERNAL PtsNode *pts_grad_fn_get(PtsTensor *t);        /* +1 or NULL */
PTS_INTERNAL int pts_output_nr(const PtsTensor *t);
PTS_INTERNAL PtsStatus pts_retain_grad(PtsTensor *t, PtsError *err);
PTS_INTERNAL bool pts_retains_grad(const PtsTensor *t);
/* A new tensor sharing t's storage and geometry, without history. */
PTS_INTERNAL PtsStatus pts_detach(PtsTensor *t, PtsError *err, PtsTensor **out);
/* Drop t's history in place (t becomes a leaf that does not require grad). */
PTS_INTERNAL PtsStatus pts_detach_(PtsTensor *t, PtsError *err);
/* The AccumulateGrad node of a leaf that requires grad (+1), created on first use. */
PTS_INTERNAL PtsStatus pts_grad_accumulator(PtsTensor *leaf, PtsError *err, PtsNode **out);

/* ---- nodes ---- */
PTS_INTERNAL PtsNode *pts_node_retain(PtsNode *n);
PTS_INTERNAL void pts_node_release(PtsNode *n);   /* NULL-safe; frees long chains iteratively */
PTS_INTERNAL const char *pts_node_name(const PtsNode *n);     /* static string */
PTS_INTERNAL int pts_node_num_next(const PtsNode *n);
/* Edge i: the next node (borrowed, NULL when that input needs no gradient) and its input_nr. */
PTS_INTERNAL PtsNode *pts_node_next(const PtsNode *n, int i, int *input_nr);
PTS_INTERNAL PtsTensor *pts_node_variable(const PtsNode *n);  /* AccumulateGrad: the leaf */
/* Slot for the binding layer's wrapper object (borrowed back-pointer; never used below). */
PTS_INTERNAL void **pts_node_owner_slot(PtsNode *n);

/* ---- engine ----
 * roots[n] with their gradients grads[n] (NULL entries: implicit ones for one-element roots).
 * backward: accumulates into .grad of the leaves (only those in inputs[] when ninputs > 0;
 * non-leaf inputs get their .grad set too). grad: returns d roots / d inputs[i] in results[i]
 * (+1, NULL when unused and allow_unused). Saved tensors are freed unless retain_graph; with
 * create_graph the backward pass itself is recorded. */
PTS_INTERNAL PtsStatus pts_autograd_backward(int n, PtsTensor *const *roots, PtsTensor *const *grads,
                                             bool retain_graph, bool create_graph, int ninputs,
                                             PtsTensor *const *inputs, PtsError *err);
PTS_INTERNAL PtsStatus pts_autograd_grad(int n, PtsTensor *const *roots, PtsTensor *const *grads,
                                         bool retain_graph, bool create_graph, int ninputs,
                                         PtsTensor *const *inputs, bool allow_unused,
                                         PtsTensor **results, PtsError *err);

/* ================= internals shared by the layer's files ================= */

/* Shape and dtype of a forward input or output: to validate gradients and make zeros. */
typedef struct PtsTensorMeta {
    PtsDType dtype;                 /* element type */
    int ndim;                       /* rank */
    int64_t shape[PTS_MAX_DIMS];    /* sizes */
} PtsTensorMeta;

typedef struct PtsEdge {
    PtsNode *fn;                    /* +1, or NULL: this input does not need a gradient */
    int input_nr;                   /* which output of fn the gradient flows into */
} PtsEdge;

/* A tensor kept for backward. Outputs of the node itself are kept as bare aliases (no autograd
 * metadata, else tensor -> node -> tensor would be a cycle) and get the node back on unpack. */
typedef struct PtsSaved {
    PtsTensor *data;                /* +1, NULL when not saved (or freed) */
    unsigned version;               /* storage version at save time */
    bool is_output;                 /* output output_nr of this node */
    int output_nr;
} PtsSaved;

struct PtsRetainHook {
    PtsRetainHook *next;            /* list on the node */
    PtsAutogradMeta *meta;          /* borrowed: the tensor that retains its grad */
    int output_nr;
};

struct PtsGradEntry;

/* Storage geometry of a view and of its base, for mapping gradients between them. */
typedef struct PtsViewGeom {
    PtsDType dtype;
    PtsDType view_dtype;                             /* differs for real/imag/view_as_* views */
    size_t nbytes;                                   /* the storage's size */
    int base_ndim, view_ndim;
    int64_t base_shape[PTS_MAX_DIMS], base_strides[PTS_MAX_DIMS], base_offset;
    int64_t view_shape[PTS_MAX_DIMS], view_strides[PTS_MAX_DIMS], view_offset;
} PtsViewGeom;

struct PtsNode {
    atomic_int refcnt;
    const char *name;               /* "TanhBackward0", "AccumulateGrad" (static) */
    int op;                         /* the registry row it records, -1 for others */
    const struct PtsGradEntry *entry;   /* formula; NULL for AccumulateGrad */
    uint64_t seq;                   /* creation order */
    PtsTensor *variable;            /* AccumulateGrad: +1 on the leaf */
    int nnext;                      /* edges = differentiable tensor inputs, flattened */
    PtsEdge *next;                  /* [nnext] */
    PtsTensorMeta *in_meta;         /* [nnext] shape/dtype of each input */
    int nout;                       /* forward outputs (flattened tensor results) */
    PtsTensorMeta *out_meta;        /* [nout] */
    int nargs;                      /* forward arguments */
    PtsValue *args;                 /* [nargs] non-tensor args retained; tensors NONE */
    int16_t arg_edge[PTS_MAX_ARGS]; /* first edge of each tensor arg, -1 for none */
    int16_t arg_nedge[PTS_MAX_ARGS];/* edges of each arg (tensor lists have several) */
    bool arg_list[PTS_MAX_ARGS];    /* the arg is a tensor list */
    int nsaved;
    PtsSaved *saved;                /* [nsaved] */
    int16_t arg_saved[PTS_MAX_ARGS];/* first saved slot of each arg, -1 when not saved */
    int16_t *out_saved;             /* [nout] saved slot of each output, -1 when not saved */
    bool had_saved;                 /* saved something (so a freed graph is an error) */
    bool saved_freed;               /* released after a backward without retain_graph */
    PtsRetainHook *retains;         /* retain_grad() hooks, guarded by the autograd lock */
    PtsNode *free_next;             /* pending-destruction list (flattens long release chains) */
    PtsNode *inner;                 /* CopySlices: +1 on the in-place op's node */
    PtsViewGeom *geom;              /* CopySlices / AsStridedBackward0: owned geometry */
    void *owner;                    /* binding layer back-pointer */
};

/* Context a formula sees. go[k] is the gradient of output k (zeros when it got none); args are
 * the forward arguments with saved tensors unpacked (NONE for tensors not saved); res[k] the saved
 * outputs. The formula stores +1 gradients for inputs with ag_set. */
typedef struct PtsGradCtx {
    PtsNode *node;
    PtsValue *args;                 /* [nargs], borrowed */
    PtsTensor **res;                /* [nout], borrowed, NULL when not saved */
    PtsTensor **go;                 /* [nout], borrowed */
    PtsTensor **gi;                 /* [nnext], +1 results */
    PtsError *err;
    bool retain_graph;              /* of the running backward (for nodes that run inner nodes) */
} PtsGradCtx;

typedef PtsStatus (*PtsGradFormula)(PtsGradCtx *c);
typedef const char *(*PtsGradNameFn)(const PtsValue *args);

#define PTS_MAX_SAVES 8
typedef struct PtsGradEntry {
    const char *op;                 /* registry row, as "name.overload" ("add.Tensor") */
    const char *name;               /* node name, or NULL when name_fn picks it */
    PtsGradNameFn name_fn;          /* node name by arguments (linear, matmul), or NULL */
    const char *saves;              /* "self?other other?self result": what to keep */
    PtsGradFormula fn;              /* NULL: composite row, its inner ops record themselves */
} PtsGradEntry;

/* Resolved save spec of an entry: one item per name in its "saves" string. */
typedef struct PtsSaveItem {
    bool output;                    /* result k instead of argument */
    int8_t idx;                     /* argument or output index */
    int8_t unless;                  /* ... only when this bool argument is false (-1: no such rule) */
    uint32_t cond;                  /* ... only when one of these args needs grad (0: always) */
} PtsSaveItem;

typedef struct PtsSaveSpec {
    int n;
    PtsSaveItem s[PTS_MAX_SAVES];
} PtsSaveSpec;

/* The node of rows with no formula (PyTorch's "NotImplemented"): backward through it fails. */
PTS_INTERNAL extern const PtsGradEntry pts_not_implemented_entry;
PTS_INTERNAL PtsStatus pts_bw_not_implemented(PtsGradCtx *c);

/* Formula of a row, or NULL; and its save spec (empty for id PTS_OP__COUNT or no formula). */
PTS_INTERNAL const PtsGradEntry *pts_grad_entry(PtsOpId id);
PTS_INTERNAL const PtsSaveSpec *pts_grad_saves(PtsOpId id);
/* Number of formula entries and entry i (for introspection). */
PTS_INTERNAL int pts_grad_entry_count(void);
PTS_INTERNAL const PtsGradEntry *pts_grad_entry_at(int i);
PTS_INTERNAL PtsStatus pts_derivatives_init(PtsError *err);
/* Parse an entry's "saves" string against the row's schema (derivatives.c). */
PTS_INTERNAL PtsStatus pts_grad_parse_saves(const PtsGradEntry *e, const PtsSchema *s, PtsSaveSpec *sp,
                                            PtsError *err);

/* formulas_complex.c: the formula of a row called with complex values (conjugate Wirtinger
 * derivatives, as torch), NULL when pyts has none (the call is refused); the save spec of any
 * entry (complex ones have their own). */
PTS_INTERNAL PtsStatus pts_cx_grad_init(PtsError *err);
PTS_INTERNAL const PtsGradEntry *pts_cx_grad_entry(PtsOpId id);
PTS_INTERNAL const PtsSaveSpec *pts_grad_entry_saves(const PtsGradEntry *e, PtsOpId id);

/* node.c */
PTS_INTERNAL PtsAutogradMeta *pts_meta_get(PtsTensor *t, PtsError *err); /* creates; NULL on OOM */
PTS_INTERNAL PtsStatus pts_grad_node_new(const char *name, int nnext, int nout, int nargs,
                                    PtsError *err, PtsNode **out);
PTS_INTERNAL void pts_meta_tensor(const PtsTensor *t, PtsTensorMeta *m);
/* The edge a gradient for t flows along: its grad_fn or its leaf accumulator (+1 in e->fn). */
PTS_INTERNAL PtsStatus pts_edge_of(PtsTensor *t, PtsError *err, PtsEdge *e);
/* Make t an output of node: sets grad_fn (+1) and output_nr, moves retain_grad hooks. */
PTS_INTERNAL PtsStatus pts_set_history(PtsTensor *t, PtsNode *node, int output_nr, PtsError *err);
PTS_INTERNAL PtsStatus pts_saved_unpack(PtsNode *node, int slot, PtsError *err, PtsTensor **out);
PTS_INTERNAL void pts_node_free_saved(PtsNode *node);
PTS_INTERNAL void pts_autograd_lock(void);
PTS_INTERNAL void pts_autograd_unlock(void);
PTS_INTERNAL void pts_autograd_meta_free(PtsAutogradMeta *m);

/* engine.c: views. After an in-place op on a tracked view, make its base's history a
 * CopySlices node (and the view's a view of that); give a view whose base changed in place a
 * history read from the base's current one. */
PTS_INTERNAL PtsStatus pts_view_rebase(PtsTensor *view, PtsError *err);
PTS_INTERNAL PtsStatus pts_view_regenerate(PtsTensor *view, PtsError *err);

/* record.c */
PTS_INTERNAL PtsStatus pts_autograd_dispatch(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err);

/* Shared helpers for formulas and the engine (derivatives.c). */
/* Sum g down to shape (ndim, shape) over broadcast dims; error when g is not expandable from it. */
PTS_INTERNAL PtsStatus pts_ag_sum_to(PtsTensor *g, int ndim, const int64_t *shape, PtsError *err,
                                     PtsTensor **out);
/* Convert to dtype (recorded when grad mode is on and the registry has to.dtype). */
PTS_INTERNAL PtsStatus pts_ag_cast(PtsTensor *g, PtsDType dt, PtsError *err, PtsTensor **out);
/* a + b through the registry (recorded under create_graph). */
PTS_INTERNAL PtsStatus pts_ag_add(PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsStatus pts_ag_fill(const PtsTensorMeta *m, double v, PtsError *err, PtsTensor **out);


/* ================= the formula kit (derivatives.c) =================
 * Registry ops the formulas call, by schema name; resolved once at init, so a formula can use a
 * row of another topic as soon as the registry has it (calling a missing one is an error). */
#define PTS_AG_OPS(X)                                                                          \
    X(ADD, "add.Tensor") X(SUB, "sub.Tensor") X(MUL, "mul.Tensor") X(DIV, "div.Tensor")        \
    X(NEG, "neg") X(SUM_DIM, "sum.dim_IntList") X(EXPAND, "expand") X(RESHAPE, "reshape")      \
    X(T, "t") X(MM, "mm") X(MATMUL, "matmul") X(TRANSPOSE, "transpose.int")                    \
    X(GT_SCALAR, "gt.Scalar") X(TO_DTYPE, "to.dtype") X(SIGN, "sign") X(SIN, "sin")            \
    X(COS, "cos") X(EXP, "exp") X(LOG, "log") X(SIGMOID, "sigmoid") X(TANH, "tanh")            \
    X(ERF, "erf") X(POW_TS, "pow.Tensor_Scalar") X(EQ, "eq.Tensor") X(LT, "lt.Tensor")         \
    X(GT, "gt.Tensor") X(GE_SCALAR, "ge.Scalar") X(LE_SCALAR, "le.Scalar")                     \
    X(LT_SCALAR, "lt.Scalar") X(EQ_SCALAR, "eq.Scalar") X(GE, "ge.Tensor") X(LE, "le.Tensor")  \
    X(LOGICAL_AND, "logical_and") X(LOGICAL_OR, "logical_or") X(WHERE, "where.self")           \
    X(WHERE_SO, "where.ScalarOther") X(WHERE_SS, "where.ScalarSelf")                           \
    X(MASKED_FILL_S, "masked_fill.Scalar") X(SELECT, "select.int") X(SLICE, "slice.Tensor")    \
    X(CAT, "cat") X(STACK, "stack") X(PERMUTE, "permute") X(FLIP, "flip") X(ROLL, "roll")      \
    X(TRIL, "tril") X(TRIU, "triu") X(PAD, "constant_pad_nd") X(INDEX_PUT, "index_put")        \
    X(INDEX, "index.Tensor") X(SCATTER, "scatter.src") X(SCATTER_ADD, "scatter_add")           \
    X(GATHER, "gather") X(BMM, "bmm") X(MV, "mv") X(OUTER, "outer") X(CUMSUM, "cumsum")        \
    X(MEAN_DIM, "mean.dim") X(LOGICAL_NOT, "logical_not") X(UNSQUEEZE, "unsqueeze")           \
    X(POW_TT, "pow.Tensor_Tensor") X(DIV_MODE, "div.Tensor_mode") X(NE_SCALAR, "ne.Scalar")    \
    X(SUM, "sum") X(AMAX, "amax") X(SQUEEZE_DIM, "squeeze.dim") X(TO_OTHER, "to.other")       \
    X(CUMPROD, "cumprod") X(PROD_DIM, "prod.dim_int")                                         \
    X(REFL1, "reflection_pad1d") X(REFL2, "reflection_pad2d") X(REFL3, "reflection_pad3d")     \
    X(REPL1, "replication_pad1d") X(REPL2, "replication_pad2d") X(REPL3, "replication_pad3d")  \
    X(REFL1_BW, "reflection_pad1d_backward") X(REFL2_BW, "reflection_pad2d_backward")          \
    X(REFL3_BW, "reflection_pad3d_backward") X(REPL1_BW, "replication_pad1d_backward")         \
    X(REPL2_BW, "replication_pad2d_backward") X(REPL3_BW, "replication_pad3d_backward")        \
    X(AVG_POOL2D, "avg_pool2d") X(AVG_POOL2D_BW, "avg_pool2d_backward")                        \
    X(ADAPTIVE_AVG, "_adaptive_avg_pool2d") X(ADAPTIVE_AVG_BW, "_adaptive_avg_pool2d_backward") \
    X(CONVOLUTION, "convolution") X(CONVOLUTION_BW, "convolution_backward")                   \
    X(REAL, "real") X(IMAG, "imag") X(CONJ, "conj") X(COMPLEX, "complex") X(ABS, "abs")        \
    X(VIEW_AS_REAL, "view_as_real") X(VIEW_AS_COMPLEX, "view_as_complex")                      \
    X(CONTIGUOUS, "contiguous")

enum {
#define X(ID, name) PTS_AG_##ID,
    PTS_AG_OPS(X)
#undef X
    PTS_AG__COUNT
};

PTS_INTERNAL bool pts_ag_has(int op);   /* is the op in the registry? */
/* op(args[0..n), defaults for the rest) through pts_op_call; one tensor result (+1). */
PTS_INTERNAL PtsStatus pts_ag_call(int op, int n, const PtsValue *a, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsStatus pts_ag_call1(int op, PtsTensor *a, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsStatus pts_ag_call2(int op, PtsTensor *a, PtsTensor *b, PtsError *err, PtsTensor **out);
/* op(a, number) (or op(number, a)) with the number as a PyTorch wrapped number: for Tensor
 * parameters only (a Scalar parameter takes the number itself) */
PTS_INTERNAL PtsStatus pts_ag_call_scalar(int op, PtsTensor *a, PtsValue num, bool num_first,
                                          PtsError *err, PtsTensor **out);
/* op(a, int list): reshape, expand, permute, ... */
PTS_INTERNAL PtsStatus pts_ag_call_shape(int op, PtsTensor *a, int n, const int64_t *shape,
                                         PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsStatus pts_ag_transpose_last(PtsTensor *a, PtsError *err, PtsTensor **out);
PTS_INTERNAL bool pts_ag_is_one(PtsValue v);
/* t * alpha, or t itself (retained) when alpha is 1 (PyTorch's maybe_multiply) */
PTS_INTERNAL PtsStatus pts_ag_scale(PtsTensor *t, PtsValue alpha, PtsError *err, PtsTensor **out);

/* Context accessors: argument i as kept (NULL when not a kept tensor), whether it needs a
 * gradient, its shape/dtype, and storing its gradient (steals g). */
static inline PtsTensor *pts_ag_arg(PtsGradCtx *c, int i) {
    return c->args[i].tag == PTS_V_TENSOR ? c->args[i].u.t : NULL;
}
static inline bool pts_ag_need(PtsGradCtx *c, int i) {
    int e = c->node->arg_edge[i];
    return e >= 0 && c->node->next[e].fn != NULL;
}
/* for an argument that is a tensor list: does element j need a gradient? */
static inline bool pts_ag_need_elem(PtsGradCtx *c, int i, int j) {
    int e = c->node->arg_edge[i];
    return e >= 0 && j < c->node->arg_nedge[i] && c->node->next[e + j].fn != NULL;
}
static inline const PtsTensorMeta *pts_ag_in(PtsGradCtx *c, int i) {
    return &c->node->in_meta[c->node->arg_edge[i]];
}
static inline void pts_ag_set_edge(PtsGradCtx *c, int e, PtsTensor *g) {
    pts_tensor_release(c->gi[e]);
    c->gi[e] = g;
}
static inline void pts_ag_set(PtsGradCtx *c, int i, PtsTensor *g) {
    pts_ag_set_edge(c, c->node->arg_edge[i], g);
}
/* A formula reading a value it did not keep: a derivatives.def bug, reported as such. */
PTS_INTERNAL PtsStatus pts_ag_missing(PtsGradCtx *c, const char *what);

/* The formulas and node-name functions named in derivatives.def. */
#define PTS_GRAD(row, name, saves, fn) PTS_INTERNAL PtsStatus fn(PtsGradCtx *c);
#define PTS_GRAD_NAMED(row, name_fn, saves, fn) \
    PTS_INTERNAL PtsStatus fn(PtsGradCtx *c); PTS_INTERNAL const char *name_fn(const PtsValue *args);
#define PTS_GRAD_COMPOSITE(row)
#include "derivatives.def"
#undef PTS_GRAD
#undef PTS_GRAD_NAMED
#undef PTS_GRAD_COMPOSITE

#ifdef PTS_FORMULA_FILE
/* Short names inside formulas_*.c only. */
#define A(c, i) pts_ag_arg(c, i)
#define need(c, i) pts_ag_need(c, i)
#define IN(c, i) pts_ag_in(c, i)
#define set(c, i, g) pts_ag_set(c, i, g)
#define G(c) ((c)->go[0])
#define E(c) ((c)->err)
#define ARG(c, i, name) PtsTensor *name = pts_ag_arg(c, i); if (!name) return pts_ag_missing(c, #name)
#define call pts_ag_call
#define call1 pts_ag_call1
#define call2 pts_ag_call2
#define call_scalar pts_ag_call_scalar
#define call_shape pts_ag_call_shape
#define scale pts_ag_scale
#define transpose_last pts_ag_transpose_last
#endif

#endif
