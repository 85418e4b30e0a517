/* value.c: refcounting of heap values, strings and lists. */
#include <stdlib.h>

#include "value.h"

PtsHeap *pts_heap_retain(PtsHeap *h) {
    if (h) atomic_fetch_add_explicit(&h->refcnt, 1, memory_order_relaxed);
    return h;
}

void pts_heap_release(PtsHeap *h) {
    if (!h) return;
    if (atomic_fetch_sub_explicit(&h->refcnt, 1, memory_order_acq_rel) == 1) h->destroy(h);
}

void pts_value_release(PtsValue *v) {
    if (v->tag == PTS_V_TENSOR) pts_tensor_release(v->u.t);
    else if (pts_is_heap_tag(v->tag)) pts_heap_release(v->u.h);
    v->tag = PTS_V_NONE;
    v->u.i = 0;
}

PtsValue pts_value_retain(PtsValue v) {
    if (v.tag == PTS_V_TENSOR) pts_tensor_retain(v.u.t);
    else if (pts_is_heap_tag(v.tag)) pts_heap_retain(v.u.h);
    return v;
}

static void str_destroy(PtsHeap *h) { pts_free(h); }

PtsStatus pts_str_new(const char *s, size_t n, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsStr *p = pts_malloc(sizeof *p + n + 1);
    if (!p) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&p->h.refcnt, 1);
    p->h.destroy = str_destroy;
    p->len = n;
    memcpy(p->data, s, n);
    p->data[n] = 0;
    out->tag = PTS_V_STR;
    out->u.h = &p->h;
    return PTS_OK;
}

static void list_destroy(PtsHeap *h) {
    PtsList *l = (PtsList *)h;
    for (int64_t i = 0; i < l->len; i++) pts_value_release(&l->items[i]);
    pts_free(l->items);
    pts_free(l);
}

PtsStatus pts_list_new(int tag, int64_t cap, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsList *l = pts_malloc(sizeof *l);
    if (!l) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (cap < 4) cap = 4;
    l->items = pts_malloc(sizeof(PtsValue) * (size_t)cap);
    if (!l->items) { pts_free(l); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    atomic_init(&l->h.refcnt, 1);
    l->h.destroy = list_destroy;
    l->len = 0;
    l->cap = cap;
    out->tag = (uint8_t)tag;
    out->u.h = &l->h;
    return PTS_OK;
}

PtsStatus pts_list_append(PtsValue list, PtsValue v, PtsError *err) {
    PtsList *l = pts_as_list(list);
    if (l->len == l->cap) {
        PtsValue *n = pts_realloc(l->items, sizeof(PtsValue) * (size_t)l->cap * 2);
        if (!n) { pts_value_release(&v); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
        l->items = n;
        l->cap *= 2;
    }
    l->items[l->len++] = v;
    return PTS_OK;
}

PtsStatus pts_value_int_list(PtsValue v, int64_t *out, int max, int *n, PtsError *err) {
    if (v.tag == PTS_V_INT) {
        out[0] = v.u.i;
        *n = 1;
        return PTS_OK;
    }
    PTS_CHECK(v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE, err, TYPE, "expected a list of ints");
    PtsList *l = pts_as_list(v);
    PTS_CHECK(l->len <= max, err, VALUE, "list of %lld ints is longer than the limit %d",
              (long long)l->len, max);
    for (int64_t i = 0; i < l->len; i++) {
        PTS_CHECK(l->items[i].tag == PTS_V_INT, err, TYPE, "expected a list of ints");
        out[i] = l->items[i].u.i;
    }
    *n = (int)l->len;
    return PTS_OK;
}

PtsStatus pts_int_list_new(const int64_t *xs, int n, PtsError *err, PtsValue *out) {
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, out));
    PtsList *l = pts_as_list(*out);
    for (int i = 0; i < n; i++) l->items[i] = pts_vint(xs[i]);
    l->len = n;
    return PTS_OK;
}

PtsStatus pts_tuple_new2(PtsValue a, PtsValue b, PtsError *err, PtsValue *out) {
    PtsStatus s = pts_list_new(PTS_V_TUPLE, 2, err, out);
    if (s) { pts_value_release(&a); pts_value_release(&b); return s; }
    PtsList *l = pts_as_list(*out);
    l->items[0] = a;
    l->items[1] = b;
    l->len = 2;
    return PTS_OK;
}

double pts_value_to_f64(PtsValue v) {
    switch (v.tag) {
    case PTS_V_BOOL: return v.u.b;
    case PTS_V_INT: return (double)v.u.i;
    case PTS_V_DOUBLE: return v.u.d;
    case PTS_V_TENSOR: return pts_tensor_item_f64(v.u.t);
    default: return 0;
    }
}

int64_t pts_value_to_i64(PtsValue v) {
    switch (v.tag) {
    case PTS_V_BOOL: return v.u.b;
    case PTS_V_INT: return v.u.i;
    case PTS_V_DOUBLE: return (int64_t)v.u.d;
    case PTS_V_TENSOR: return pts_tensor_item_i64(v.u.t);
    default: return 0;
    }
}
