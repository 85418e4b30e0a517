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

struct PtsNode {
    atomic_int refcnt;
    const char *name;               /* "TanhBackward0", "AccumulateGrad" (static) */
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

/* Resolved save spec of an entry. */
typedef struct PtsSaveSpec {
    int n;
    struct {
        bool output;                /* result k instead of argument */
        int8_t idx;                 /* argument or output index */
        uint32_t cond;              /* save only when one of these args needs grad (0: always) */
    } s[PTS_MAX_SAVES];
} PtsSaveSpec;

/* Formula of a row, or NULL; and its save spec. */
PTS_INTERNAL const PtsGradEntry *pts_grad_entry(PtsOpId id);
PTS_INTERNAL const PtsSaveSpec *pts_grad_saves(PtsOpId id);
/* Number of formula entries and entry i (for introspection). */
PTS_INTERNAL int pts_grad_entry_count(void);
PTS_INTERNAL const PtsGradEntry *pts_grad_entry_at(int i);
PTS_INTERNAL PtsStatus pts_derivatives_init(PtsError *err);

/* node.c */
PTS_INTERNAL PtsAutogradMeta *pts_meta_get(PtsTensor *t, PtsError *err); /* creates; NULL on OOM */
PTS_INTERNAL PtsStatus pts_node_new(const char *name, int nnext, int nout, int nargs,
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

#endif
