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

void (*pts_container_type_release_hook)(void *type) = NULL;
void (*pts_value_type_text_hook)(PtsBuf *b, PtsValue v) = NULL;

static void list_destroy(PtsHeap *h) {
    PtsList *l = (PtsList *)h;
    if (l->type && pts_container_type_release_hook) pts_container_type_release_hook(l->type);
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
    l->type = NULL;
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

/* ---- dict ---- */
static void dict_destroy(PtsHeap *h) {
    PtsDict *d = (PtsDict *)h;
    if (d->type && pts_container_type_release_hook) pts_container_type_release_hook(d->type);
    for (int64_t i = 0; i < d->len; i++) {
        pts_value_release(&d->keys[i]);
        pts_value_release(&d->vals[i]);
    }
    pts_free(d->keys);
    pts_free(d->vals);
    pts_free(d->index);
    pts_free(d);
}

static bool dict_key_ok(PtsValue k) {
    return k.tag == PTS_V_STR || k.tag == PTS_V_INT || k.tag == PTS_V_BOOL || k.tag == PTS_V_DOUBLE ||
           k.tag == PTS_V_TENSOR || k.tag == PTS_V_COMPLEX;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

static uint64_t key_hash(PtsValue k) {
    switch (k.tag) {
    case PTS_V_STR: {
        const PtsStr *s = pts_as_str(k);
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < s->len; i++) h = (h ^ (uint8_t)s->data[i]) * 1099511628211ULL;
        return mix64(h);
    }
    case PTS_V_INT: return mix64((uint64_t)k.u.i);
    case PTS_V_BOOL: return mix64(k.u.b);
    case PTS_V_DOUBLE: {
        double d = k.u.d == 0 ? 0.0 : k.u.d;  /* -0.0 == 0.0 */
        uint64_t u;
        memcpy(&u, &d, sizeof u);
        return mix64(u);
    }
    case PTS_V_COMPLEX: {   /* by value, as the doubles above */
        double p[2] = { pts_as_complex(k)->re, pts_as_complex(k)->im };
        uint64_t u[2];
        for (int i = 0; i < 2; i++) if (p[i] == 0) p[i] = 0.0;
        memcpy(u, p, sizeof u);
        return mix64(u[0] ^ mix64(u[1]));
    }
    default: return mix64((uint64_t)(uintptr_t)k.u.t);
    }
}

static bool key_eq(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    switch (a.tag) {
    case PTS_V_STR:
        return pts_as_str(a)->len == pts_as_str(b)->len &&
               memcmp(pts_as_str(a)->data, pts_as_str(b)->data, pts_as_str(a)->len) == 0;
    case PTS_V_INT: return a.u.i == b.u.i;
    case PTS_V_BOOL: return a.u.b == b.u.b;
    case PTS_V_DOUBLE: return a.u.d == b.u.d;
    case PTS_V_COMPLEX: return pts_as_complex(a)->re == pts_as_complex(b)->re && pts_as_complex(a)->im == pts_as_complex(b)->im;
    default: return a.u.t == b.u.t;
    }
}

static void dict_reindex(PtsDict *d) {
    for (int64_t i = 0; i < d->nindex; i++) d->index[i] = -1;
    for (int64_t e = 0; e < d->len; e++) {
        uint64_t m = (uint64_t)d->nindex - 1, s = key_hash(d->keys[e]) & m;
        while (d->index[s] >= 0) s = (s + 1) & m;
        d->index[s] = e;
    }
}

static bool dict_grow(PtsDict *d, int64_t cap) {
    int64_t nindex = 8;
    while (nindex <= 2 * cap) nindex *= 2;
    PtsValue *k = pts_realloc(d->keys, sizeof(PtsValue) * (size_t)cap);
    if (!k) return false;
    d->keys = k;
    PtsValue *v = pts_realloc(d->vals, sizeof(PtsValue) * (size_t)cap);
    if (!v) return false;
    d->vals = v;
    int64_t *ix = pts_malloc(sizeof(int64_t) * (size_t)nindex);
    if (!ix) return false;
    pts_free(d->index);
    d->index = ix;
    d->nindex = nindex;
    d->cap = cap;
    dict_reindex(d);
    return true;
}

PtsStatus pts_dict_new(int64_t cap, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsDict *d = pts_calloc(1, sizeof *d);
    if (!d) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&d->h.refcnt, 1);
    d->h.destroy = dict_destroy;
    if (cap < 4) cap = 4;
    if (cap > (INT64_C(1) << 40) || !dict_grow(d, cap)) {
        dict_destroy(&d->h);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    out->tag = PTS_V_DICT;
    out->u.h = &d->h;
    return PTS_OK;
}

int64_t pts_dict_find(PtsValue dict, PtsValue key) {
    PtsDict *d = pts_as_dict(dict);
    if (!dict_key_ok(key)) return -1;
    uint64_t m = (uint64_t)d->nindex - 1, s = key_hash(key) & m;
    for (; d->index[s] >= 0; s = (s + 1) & m)
        if (key_eq(d->keys[d->index[s]], key)) return d->index[s];
    return -1;
}

PtsStatus pts_dict_set(PtsValue dict, PtsValue key, PtsValue val, PtsError *err) {
    PtsDict *d = pts_as_dict(dict);
    if (!dict_key_ok(key)) {
        pts_value_release(&key);
        pts_value_release(&val);
        return pts_fail(err, PTS_ERR_TYPE, "dict keys must be str, int, float, bool or Tensor");
    }
    int64_t e = pts_dict_find(dict, key);
    if (e >= 0) {
        pts_value_release(&key);
        pts_value_release(&d->vals[e]);
        d->vals[e] = val;
        return PTS_OK;
    }
    if (d->len == d->cap && (d->cap > (INT64_C(1) << 40) || !dict_grow(d, d->cap * 2))) {
        pts_value_release(&key);
        pts_value_release(&val);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    e = d->len++;
    d->keys[e] = key;
    d->vals[e] = val;
    uint64_t m = (uint64_t)d->nindex - 1, s = key_hash(key) & m;
    while (d->index[s] >= 0) s = (s + 1) & m;
    d->index[s] = e;
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
