/* node.c: the objects of the autograd graph. Per-tensor metadata (requires_grad, .grad, grad_fn),
 * graph nodes with their edges and saved tensors, AccumulateGrad nodes for leaves (weakly cached
 * on the leaf, as PyTorch does, so every use of a leaf shares one), retain_grad hooks, and the
 * version check of saved tensors. One recursive lock guards the few cross-thread mutations. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "autograd.h"

/* Recursive: accumulating into .grad may run ops that look up accumulators again. */
static pthread_mutex_t ag_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
void pts_autograd_lock(void) { pthread_mutex_lock(&ag_mutex); }
void pts_autograd_unlock(void) { pthread_mutex_unlock(&ag_mutex); }

static atomic_uint_fast64_t next_seq;

/* ================= metadata ================= */

PtsAutogradMeta *pts_meta_get(PtsTensor *t, PtsError *err) {
    if (t->autograd) return t->autograd;
    pts_autograd_lock();
    if (!t->autograd) {
        PtsAutogradMeta *m = pts_calloc(1, sizeof *m);
        if (m) t->autograd = m;
    }
    pts_autograd_unlock();
    if (!t->autograd) pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return t->autograd;
}

static void retain_hook_unlink(PtsAutogradMeta *m) {
    /* caller holds the lock; the hook lives on m->grad_fn's list */
    PtsRetainHook *h = m->retain;
    if (!h) return;
    if (m->grad_fn) {
        for (PtsRetainHook **pp = &m->grad_fn->retains; *pp; pp = &(*pp)->next)
            if (*pp == h) { *pp = h->next; break; }
    }
    h->next = NULL;
}

void pts_autograd_meta_free(PtsAutogradMeta *m) {
    if (!m) return;
    if (m->retain) {
        pts_autograd_lock();
        retain_hook_unlink(m);
        pts_autograd_unlock();
        pts_free(m->retain);
    }
    pts_tensor_release(m->grad);
    pts_node_release(m->grad_fn);
    pts_tensor_release(m->base);
    pts_free(m);
}

bool pts_requires_grad(const PtsTensor *t) {
    const PtsAutogradMeta *m = t->autograd;
    return m && (m->requires_grad || m->grad_fn);
}

bool pts_is_leaf(const PtsTensor *t) { return !t->autograd || !t->autograd->grad_fn; }

int pts_output_nr(const PtsTensor *t) { return t->autograd ? (int)t->autograd->output_nr : 0; }

bool pts_retains_grad(const PtsTensor *t) { return t->autograd && t->autograd->retains_grad; }

PtsStatus pts_set_requires_grad(PtsTensor *t, bool on, PtsError *err) {
    if (!pts_is_leaf(t)) {
        if (on) return pts_fail(err, PTS_ERR_RUNTIME, "you can only change requires_grad flags of leaf variables.");
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "you can only change requires_grad flags of leaf variables. If you want to use "
                        "a computed variable in a subgraph that doesn't require differentiation use "
                        "var_no_grad = var.detach().");
    }
    if (on && !pts_ag_dtype_ok(t->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME, "only Tensors of floating point dtype can require gradients");
    if (!on && !t->autograd) return PTS_OK;
    PtsAutogradMeta *m = pts_meta_get(t, err);
    if (!m) return err->code;
    m->requires_grad = on;
    if (on) t->flags |= PTS_TF_REQUIRES_GRAD;
    else t->flags &= ~(uint32_t)PTS_TF_REQUIRES_GRAD;
    return PTS_OK;
}

PtsTensor *pts_grad_get(PtsTensor *t) {
    if (!t->autograd) return NULL;
    pts_autograd_lock();
    PtsTensor *g = pts_tensor_retain(t->autograd->grad);
    pts_autograd_unlock();
    return g;
}

PtsStatus pts_grad_set(PtsTensor *t, PtsTensor *g, PtsError *err) {
    if (g) {
        PTS_CHECK(g != t, err, RUNTIME, "can't assign Variable as its own grad");
        if (g->dtype != t->dtype)
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "attempting to assign a gradient with dtype '%s' to a tensor with grad_dtype "
                            "'%s'. The gradient must match the tensor's grad_dtype (defaults to the "
                            "tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                            "specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                            "Diverging the dtypes of a tensor and its gradient may break downstream "
                            "systems that assume they match.",
                            /* torch's wording: the gradient's C++ type, the tensor's ScalarType */
                            pts_dtype_cpp_name(g->dtype), pts_dtype_scalar_name(t->dtype, "?"));
        if (g->ndim != t->ndim || memcmp(g->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim) != 0) {
            char a[256], b[256];
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "attempting to assign a gradient of size '%s' to a tensor of size '%s'. "
                            "Please ensure that the gradient and the tensor are the same size",
                            pts_shape_str(g->ndim, g->shape, a, sizeof a),
                            pts_shape_str(t->ndim, t->shape, b, sizeof b));
        }
    }
    if (!g && !t->autograd) return PTS_OK;
    PtsAutogradMeta *m = pts_meta_get(t, err);
    if (!m) return err->code;
    pts_autograd_lock();
    PtsTensor *old = m->grad;
    m->grad = pts_tensor_retain(g);
    pts_autograd_unlock();
    pts_tensor_release(old);
    return PTS_OK;
}

PtsNode *pts_grad_fn_get(PtsTensor *t) {
    if (!t->autograd) return NULL;
    pts_autograd_lock();
    PtsNode *n = pts_node_retain(t->autograd->grad_fn);
    pts_autograd_unlock();
    return n;
}

PtsStatus pts_retain_grad(PtsTensor *t, PtsError *err) {
    if (!pts_requires_grad(t))
        return pts_fail(err, PTS_ERR_RUNTIME, "can't retain_grad on Tensor that has requires_grad=False");
    if (pts_is_leaf(t)) return PTS_OK;   /* leaves keep their grad anyway */
    PtsAutogradMeta *m = t->autograd;
    pts_autograd_lock();
    if (!m->retain) {
        PtsRetainHook *h = pts_calloc(1, sizeof *h);
        if (!h) {
            pts_autograd_unlock();
            return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        }
        h->meta = m;
        h->output_nr = (int)m->output_nr;
        h->next = m->grad_fn->retains;
        m->grad_fn->retains = h;
        m->retain = h;
    }
    m->retains_grad = true;
    pts_autograd_unlock();
    return PTS_OK;
}

PtsStatus pts_detach(PtsTensor *t, PtsError *err, PtsTensor **out) {
    return pts_tensor_view(t, t->ndim, t->shape, t->strides, t->offset, err, out);
}

PtsStatus pts_detach_(PtsTensor *t, PtsError *err) {
    (void)err;
    PtsAutogradMeta *m = t->autograd;
    if (!m) return PTS_OK;
    pts_autograd_lock();
    retain_hook_unlink(m);
    pts_free(m->retain);
    m->retain = NULL;
    m->retains_grad = false;
    PtsNode *old = m->grad_fn;
    m->grad_fn = NULL;
    m->output_nr = 0;
    m->requires_grad = false;
    pts_autograd_unlock();
    t->flags &= ~(uint32_t)PTS_TF_REQUIRES_GRAD;
    pts_node_release(old);
    return PTS_OK;
}

PtsStatus pts_set_history(PtsTensor *t, PtsNode *node, int output_nr, PtsError *err) {
    PtsAutogradMeta *m = pts_meta_get(t, err);
    if (!m) return err->code;
    pts_autograd_lock();
    if (m->retain) {  /* the retained grad now comes from the new node */
        retain_hook_unlink(m);
        m->retain->output_nr = output_nr;
        m->retain->next = node->retains;
        node->retains = m->retain;
    }
    PtsNode *old = m->grad_fn;
    m->grad_fn = pts_node_retain(node);
    m->output_nr = (uint32_t)output_nr;
    m->view_version = atomic_load(&t->storage->version);
    pts_autograd_unlock();
    pts_node_release(old);
    return PTS_OK;
}

/* ================= nodes ================= */

PtsNode *pts_node_retain(PtsNode *n) {
    if (n) atomic_fetch_add_explicit(&n->refcnt, 1, memory_order_relaxed);
    return n;
}

/* +1 unless the count already reached zero (a dying node found through a weak pointer). */
static bool node_try_retain(PtsNode *n) {
    int c = atomic_load(&n->refcnt);
    while (c > 0)
        if (atomic_compare_exchange_weak(&n->refcnt, &c, c + 1)) return true;
    return false;
}

void pts_node_free_saved(PtsNode *n) {
    for (int i = 0; i < n->nsaved; i++) {
        pts_tensor_release(n->saved[i].data);
        n->saved[i].data = NULL;
    }
    if (n->had_saved) n->saved_freed = true;
}

static void node_destroy(PtsNode *n) {
    if (n->variable) {
        pts_autograd_lock();
        PtsAutogradMeta *m = n->variable->autograd;
        if (m && m->grad_acc == n) m->grad_acc = NULL;
        pts_autograd_unlock();
        pts_tensor_release(n->variable);
    }
    for (int i = 0; i < n->nnext; i++) pts_node_release(n->next[i].fn);
    pts_node_release(n->inner);
    pts_free(n->geom);
    for (int i = 0; i < n->nsaved; i++) pts_tensor_release(n->saved[i].data);
    for (int i = 0; i < n->nargs; i++) pts_value_release(&n->args[i]);
    /* hooks outlive a node only if their tensor died first (it unlinks itself) */
    PtsRetainHook *h = n->retains;
    while (h) {
        PtsRetainHook *nx = h->next;
        h->next = NULL;
        h = nx;
    }
    pts_free(n->next);
    pts_free(n->in_meta);
    pts_free(n->out_meta);
    pts_free(n->out_saved);
    pts_free(n->args);
    pts_free(n->saved);
    pts_free(n);
}

/* Destruction is queued per thread: freeing a node releases its edges and saved tensors, which
 * may free their nodes in turn; a 100k-step chain must not recurse 100k frames. */
static _Thread_local PtsNode *free_list;
static _Thread_local bool draining;

void pts_node_release(PtsNode *n) {
    if (!n) return;
    if (atomic_fetch_sub_explicit(&n->refcnt, 1, memory_order_acq_rel) != 1) return;
    n->free_next = free_list;
    free_list = n;
    if (draining) return;
    draining = true;
    while (free_list) {
        PtsNode *x = free_list;
        free_list = x->free_next;
        node_destroy(x);
    }
    draining = false;
}

PtsStatus pts_grad_node_new(const char *name, int nnext, int nout, int nargs, PtsError *err, PtsNode **out) {
    *out = NULL;
    PtsNode *n = pts_calloc(1, sizeof *n);
    if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&n->refcnt, 1);
    n->name = name;
    n->op = -1;
    n->seq = atomic_fetch_add(&next_seq, 1);
    n->nnext = nnext;
    n->nout = nout;
    n->nargs = nargs;
    for (int i = 0; i < PTS_MAX_ARGS; i++) n->arg_edge[i] = n->arg_saved[i] = -1;
    n->next = pts_calloc((size_t)(nnext ? nnext : 1), sizeof *n->next);
    n->in_meta = pts_calloc((size_t)(nnext ? nnext : 1), sizeof *n->in_meta);
    n->out_meta = pts_calloc((size_t)(nout ? nout : 1), sizeof *n->out_meta);
    n->out_saved = pts_malloc(sizeof *n->out_saved * (size_t)(nout ? nout : 1));
    n->args = pts_calloc((size_t)(nargs ? nargs : 1), sizeof *n->args);
    if (!n->next || !n->in_meta || !n->out_meta || !n->out_saved || !n->args) {
        node_destroy(n);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < nout; i++) n->out_saved[i] = -1;
    *out = n;
    return PTS_OK;
}

void pts_meta_tensor(const PtsTensor *t, PtsTensorMeta *m) {
    m->dtype = t->dtype;
    m->ndim = t->ndim;
    memcpy(m->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
}

const char *pts_node_name(const PtsNode *n) { return n->name; }
int pts_node_num_next(const PtsNode *n) { return n->nnext; }
PtsNode *pts_node_next(const PtsNode *n, int i, int *input_nr) {
    if (i < 0 || i >= n->nnext) return NULL;
    if (input_nr) *input_nr = n->next[i].input_nr;
    return n->next[i].fn;
}
PtsTensor *pts_node_variable(const PtsNode *n) { return n->variable; }
void **pts_node_owner_slot(PtsNode *n) { return &n->owner; }

PtsStatus pts_grad_accumulator(PtsTensor *leaf, PtsError *err, PtsNode **out) {
    *out = NULL;
    PtsAutogradMeta *m = pts_meta_get(leaf, err);
    if (!m) return err->code;
    pts_autograd_lock();
    if (m->grad_acc && node_try_retain(m->grad_acc)) {
        *out = m->grad_acc;
        pts_autograd_unlock();
        return PTS_OK;
    }
    PtsNode *n;
    PtsStatus s = pts_grad_node_new("AccumulateGrad", 0, 1, 0, err, &n);
    if (s) {
        pts_autograd_unlock();
        return s;
    }
    n->variable = pts_tensor_retain(leaf);
    pts_meta_tensor(leaf, &n->out_meta[0]);
    m->grad_acc = n;   /* weak: cleared by node_destroy */
    pts_autograd_unlock();
    *out = n;
    return PTS_OK;
}

PtsStatus pts_edge_of(PtsTensor *t, PtsError *err, PtsEdge *e) {
    e->fn = NULL;
    e->input_nr = 0;
    PtsAutogradMeta *m = t->autograd;
    if (!m) return PTS_OK;
    /* a view whose base changed in place reads the base's current history */
    if (m->is_view && m->base && !pts_is_leaf(m->base) && atomic_load(&t->storage->version) != m->view_version)
        PTS_TRY(pts_view_regenerate(t, err));
    pts_autograd_lock();
    if (m->grad_fn) {
        e->fn = pts_node_retain(m->grad_fn);
        e->input_nr = (int)m->output_nr;
        pts_autograd_unlock();
        return PTS_OK;
    }
    pts_autograd_unlock();
    if (m->requires_grad) return pts_grad_accumulator(t, err, &e->fn);
    return PTS_OK;
}

/* ================= saved tensors ================= */

/* PyTorch's legacy type names for messages: pyts.FloatTensor. */
static const char *legacy_type(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "");
}

/* "TanhBackward0" -> "Tanh", as PyTorch prints the producer in the version error. */
static void short_name(const char *name, char *buf, size_t n) {
    snprintf(buf, n, "%s", name);
    char *p = strstr(buf, "Backward");
    if (p && p != buf) {
        const char *q = p + 8;
        while (*q >= '0' && *q <= '9') q++;
        if (!*q) *p = 0;
    }
}

static const char FREED_MSG[] =
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.";

PtsStatus pts_saved_unpack(PtsNode *node, int slot, PtsError *err, PtsTensor **out) {
    *out = NULL;
    if (node->saved_freed) return pts_fail(err, PTS_ERR_RUNTIME, "%s", FREED_MSG);
    PtsSaved *s = &node->saved[slot];
    if (!s->data) return PTS_OK;   /* not needed for the gradients asked for */
    unsigned now = atomic_load(&s->data->storage->version);
    if (now != s->version) {
        char shape[256], who[160] = "", nm[96];
        PtsNode *fn = s->is_output ? pts_node_retain(node) : pts_grad_fn_get(s->data);
        int onr = s->is_output ? s->output_nr : pts_output_nr(s->data);
        if (fn) {
            short_name(fn->name, nm, sizeof nm);
            snprintf(who, sizeof who, ", which is output %d of %s,", onr, nm);
        }
        pts_node_release(fn);
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "one of the variables needed for gradient computation has been modified by an "
                        "inplace operation: [pyts.%sTensor %s]%s is at version %u; expected version %u "
                        "instead. Hint: the tensor was changed in place after it was saved for the "
                        "backward pass; clone it before the in-place operation or use the out-of-place "
                        "version of that operation.",
                        legacy_type(s->data->dtype),
                        pts_shape_str(s->data->ndim, s->data->shape, shape, sizeof shape), who, now,
                        s->version);
    }
    if (!s->is_output) {
        *out = pts_tensor_retain(s->data);
        return PTS_OK;
    }
    /* an output: a fresh alias that, under create_graph, has this node as its history again */
    PTS_TRY(pts_detach(s->data, err, out));
    if (pts_grad_enabled() && pts_ag_dtype_ok((*out)->dtype)) {
        PtsStatus st = pts_set_history(*out, node, s->output_nr, err);
        if (st) {
            pts_tensor_release(*out);
            *out = NULL;
            return st;
        }
    }
    return PTS_OK;
}
