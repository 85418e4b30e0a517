/* funcref.c: a compiled function held as a value (tag PTS_V_HEAP), the callee that a
 * prim::CallFunction node keeps in its "fn" attribute. The node's graph owns one reference to the
 * wrapper, the wrapper one to the function, so a caller keeps its callees alive; a callee of the
 * unit compiling the caller is borrowed (the unit owns both: a method calling a function that
 * makes its class would otherwise be a cycle). */
#include "ir.h"

typedef struct PtsFunctionRef {
    PtsHeap h;
    PtsFunction *fn;    /* +1 when owns */
    bool owns;
} PtsFunctionRef;

static void function_ref_destroy(PtsHeap *h) {
    PtsFunctionRef *r = (PtsFunctionRef *)h;
    if (r->owns) pts_function_release(r->fn);
    pts_free(r);
}

PtsStatus pts_function_ref_new(PtsFunction *f, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsFunctionRef *r = pts_malloc(sizeof *r);
    if (!r) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&r->h.refcnt, 1);
    r->h.destroy = function_ref_destroy;
    r->owns = !pts_unit_borrows(f->unit);
    r->fn = r->owns ? pts_function_retain(f) : f;
    out->tag = PTS_V_HEAP;
    out->u.h = &r->h;
    return PTS_OK;
}

PtsFunction *pts_function_ref_get(PtsValue v) {
    if (v.tag != PTS_V_HEAP || v.u.h->destroy != function_ref_destroy) return NULL;
    return ((PtsFunctionRef *)v.u.h)->fn;
}
