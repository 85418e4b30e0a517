/* reduce2.h: a small kit for the composite kernels of ops_reduce2.def (and the formulas of
 * formulas_reduce2.c). A scope holds every value its calls produce, so a composite written as a
 * chain of registry calls frees all intermediates with one r2_end on every path. Calls go through
 * pts_op_call, so autograd and the tracer see the inner ops. */
#ifndef PTS_REDUCE2_H
#define PTS_REDUCE2_H

#include <string.h>

#include "ops.h"

typedef struct R2Scope {
    PtsValue *held;
    int n, cap;
    PtsError *err;
} R2Scope;

#define R2_SCOPE(name, e) R2Scope name = { NULL, 0, 0, (e) }

static inline void r2_end(R2Scope *S) {
    for (int i = 0; i < S->n; i++) pts_value_release(&S->held[i]);
    pts_free(S->held);
    S->held = NULL;
    S->n = S->cap = 0;
}

/* keep v (owned) until r2_end; on failure v is released at once */
static inline PtsStatus r2_hold(R2Scope *S, PtsValue v) {
    if (S->n == S->cap) {
        int cap = S->cap ? S->cap * 2 : 32;
        PtsValue *p = pts_realloc(S->held, sizeof(PtsValue) * (size_t)cap);
        if (!p) {
            pts_value_release(&v);
            return pts_fail(S->err, PTS_ERR_NOMEM, "out of memory");
        }
        S->held = p;
        S->cap = cap;
    }
    S->held[S->n++] = v;
    return PTS_OK;
}

static inline PtsStatus r2_hold_t(R2Scope *S, PtsTensor *t) { return r2_hold(S, pts_vtensor(t)); }

/* op(a[0..n), defaults for the rest); every result held, res[0..nret) borrowed copies */
static inline PtsStatus r2_call(R2Scope *S, PtsOpId id, int n, const PtsValue *a, PtsValue *res) {
    PtsValue r[PTS_MAX_RETS] = { { 0 } };   /* None */
    PTS_TRY(pts_op_call_n(id, n, a, r, S->err));
    int nret = pts_op_info[id].schema.nret;
    if (nret < 1) nret = 1;
    for (int k = 0; k < nret && k < PTS_MAX_RETS; k++) {
        if (res) res[k] = r[k];
        PTS_TRY(r2_hold(S, r[k]));
    }
    return PTS_OK;
}

/* ... with one tensor result */
static inline PtsStatus r2_t(R2Scope *S, PtsOpId id, int n, const PtsValue *a, PtsTensor **out) {
    PtsValue r[PTS_MAX_RETS];
    PTS_TRY(r2_call(S, id, n, a, r));
    if (r[0].tag != PTS_V_TENSOR) return pts_fail(S->err, PTS_ERR_INTERNAL, "pyts: expected a tensor result");
    *out = r[0].u.t;
    return PTS_OK;
}

#define R2_N(...) ((int)(sizeof((PtsValue[]){ __VA_ARGS__ }) / sizeof(PtsValue)))
/* R2(S, &out, ID, args...): out = ID(args...) */
#define R2(S, out, ID, ...) r2_t((S), PTS_OP_##ID, R2_N(__VA_ARGS__), (PtsValue[]){ __VA_ARGS__ }, (out))
#define TV(t) pts_vtensor(t)
#define IV(i) pts_vint(i)
#define BV(b) pts_vbool(b)
#define DV(d) pts_vdouble(d)
#define NV pts_none()

/* an int list value held by the scope */
static inline PtsStatus r2_ilist(R2Scope *S, const int64_t *xs, int n, PtsValue *out) {
    PtsValue v;
    PTS_TRY(pts_int_list_new(xs, n, S->err, &v));
    *out = v;
    return r2_hold(S, v);
}

/* a list of tensors (borrowed from the caller, retained by the list) held by the scope */
static inline PtsStatus r2_tlist(R2Scope *S, PtsTensor *const *ts, int n, PtsValue *out) {
    PtsValue v;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, S->err, &v));
    PTS_TRY(r2_hold(S, v));
    for (int i = 0; i < n; i++) PTS_TRY(pts_list_append(v, pts_value_retain(pts_vtensor(ts[i])), S->err));
    *out = v;
    return PTS_OK;
}

/* an owned (+1) value of a tensor the scope holds, for a kernel's out[] */
static inline PtsValue r2_ret(PtsTensor *t) { return pts_vtensor(pts_tensor_retain(t)); }

#endif
