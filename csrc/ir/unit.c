/* unit.c: compilation units (see ir.h). A unit owns the class types and functions made while it
 * was current on their thread; their reference counts are the unit's, and the unit frees them all
 * together, so references among them (borrowed) can form no cycle that keeps them alive. Also the
 * live counters of IR objects that the leak tests read. */
#include "ir.h"

struct PtsUnit {
    atomic_int refcnt;
    int nclasses, cap_classes;
    PtsClassType **classes;     /* members; their guts and structs are freed with the unit */
    int nfns, cap_fns;
    PtsFunction **fns;
};

/* a count no retain/release sequence brings back to 1: set while the unit frees its members */
#define DYING (1 << 30)

static _Thread_local PtsUnit *current;
static atomic_long live[4];     /* units, classes, functions, graphs */

void pts_ir_live_add(int kind, int d) { atomic_fetch_add(&live[kind], d); }

void pts_ir_live_counts(long out[4]) {
    for (int i = 0; i < 4; i++) out[i] = atomic_load(&live[i]);
}

PtsUnit *pts_unit_new(void) {
    PtsUnit *u = pts_calloc(1, sizeof *u);
    if (!u) return NULL;
    atomic_init(&u->refcnt, 1);
    pts_ir_live_add(0, 1);
    return u;
}

PtsUnit *pts_unit_retain(PtsUnit *u) {
    if (u) atomic_fetch_add(&u->refcnt, 1);
    return u;
}

void pts_unit_release(PtsUnit *u) {
    if (!u || atomic_fetch_sub(&u->refcnt, 1) != 1) return;
    /* members release what they hold first (other units, objects, values); a release of this
     * unit from inside (an object of its class in a default value) meets the DYING count */
    atomic_store(&u->refcnt, DYING);
    for (int i = 0; i < u->nfns; i++) pts_function_clear(u->fns[i]);
    for (int i = 0; i < u->nclasses; i++) pts_class_clear(u->classes[i]);
    /* then the structs: borrowed references among members were followed until here */
    for (int i = 0; i < u->nfns; i++) {
        pts_free(u->fns[i]);
        pts_ir_live_add(2, -1);
    }
    for (int i = 0; i < u->nclasses; i++) {
        pts_free(u->classes[i]);
        pts_ir_live_add(1, -1);
    }
    pts_free(u->fns);
    pts_free(u->classes);
    pts_free(u);
    pts_ir_live_add(0, -1);
}

PtsUnit *pts_unit_current(void) { return current; }

PtsUnit *pts_unit_enter(PtsUnit *u) {
    PtsUnit *prev = current;
    current = u;
    return prev;
}

void pts_unit_leave(PtsUnit *prev) { current = prev; }

bool pts_unit_adopt_class(PtsClassType *c) {
    PtsUnit *u = current;
    if (!u) return true;
    if (u->nclasses == u->cap_classes) {
        int cap = u->cap_classes ? u->cap_classes * 2 : 8;
        PtsClassType **n = pts_realloc(u->classes, sizeof *n * (size_t)cap);
        if (!n) return false;
        u->classes = n;
        u->cap_classes = cap;
    }
    u->classes[u->nclasses++] = c;
    c->unit = u;
    pts_unit_retain(u);   /* the caller's reference to the new class */
    return true;
}

bool pts_unit_adopt_function(PtsFunction *f) {
    PtsUnit *u = current;
    if (!u) return true;
    if (u->nfns == u->cap_fns) {
        int cap = u->cap_fns ? u->cap_fns * 2 : 8;
        PtsFunction **n = pts_realloc(u->fns, sizeof *n * (size_t)cap);
        if (!n) return false;
        u->fns = n;
        u->cap_fns = cap;
    }
    u->fns[u->nfns++] = f;
    f->unit = u;
    pts_unit_retain(u);
    return true;
}
