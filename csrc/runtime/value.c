/* value.c: the value half of libpyts: the thread-local error record, BLAS threads, value handles
 * (scalars, strings, lists, tuples) and tensors made from or read into caller memory. Every
 * public function checks its handles and sizes and reports through pts_rt_fail. */
#include <pthread.h>
#include <stdio.h>

#include "runtime.h"
#include "../ops/blas.h"
#include "../base/pool.h"

_Static_assert(PYTS_ERR_INTERNAL == (int)PTS_ERR_INTERNAL && PYTS_ERR_FORMAT == (int)PTS_ERR_FORMAT &&
               PYTS_ERR_NOMEM == (int)PTS_ERR_NOMEM && PTS_STATUS__COUNT == 12,
               "pyts_status must mirror base/status.def");
_Static_assert(PYTS_MAX_DIMS == PTS_MAX_DIMS, "PYTS_MAX_DIMS must match the tensor layer");

/* {==================== errors ==================== */
static _Thread_local PtsError tls_err;

PtsError *pts_rt_err(void) { return &tls_err; }

void pts_rt_set(const PtsError *e) {
    tls_err = *e;
    if (tls_err.code == PTS_OK) tls_err.code = PTS_ERR_INTERNAL;   /* a failure always has a code */
}

pyts_status pts_rt_fail(pyts_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pts_error_clear(&tls_err);
    pts_vfail(&tls_err, (PtsStatus)s, fmt, ap);
    va_end(ap);
    return s;
}

const char *pyts_last_error(void) { return tls_err.code ? tls_err.msg : ""; }
pyts_status pyts_last_status(void) { return (pyts_status)tls_err.code; }
void pyts_clear_error(void) { pts_error_clear(&tls_err); }

const char *pyts_status_name(pyts_status s) {
    if (s == PYTS_ERR_IO) return "i/o error";
    if (s == PYTS_ERR_ARGUMENT) return "bad argument";
    return (unsigned)s < PTS_STATUS__COUNT ? pts_status_name((PtsStatus)s) : "unknown status";
}

const char *pyts_version(void) { return "0.1.0"; }

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static PtsError init_err;
static void init_ops(void) { pts_ops_init(&init_err); }

bool pts_rt_init(void) {
    pthread_once(&init_once, init_ops);
    if (init_err.code) { pts_rt_set(&init_err); return false; }
    return true;
}
/* }==================== */

/* {==================== threads ==================== */
pyts_status pyts_set_num_threads(int n) {
    if (n < 1) return pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_set_num_threads: expected a positive number of threads, got %d", n);
    pts_set_num_threads(n);
    return PYTS_OK;
}
int pyts_get_num_threads(void) { return pts_num_threads(); }
const char *pyts_blas_name(void) { return pts_blas_name(); }
/* }==================== */

/* {==================== handles ==================== */
pyts_value *pts_rt_value(PtsValue v) {
    pyts_value *h = pts_malloc(sizeof *h);
    if (!h) {
        pts_value_release(&v);
        pts_rt_fail(PYTS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    h->v = v;
    return h;
}

void pyts_value_free(pyts_value *v) {
    if (!v) return;
    pts_value_release(&v->v);
    pts_free(v);
}

static bool check(const pyts_value *v, const char *fn) {
    if (v) return true;
    pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: the value is NULL", fn);
    return false;
}

pyts_value *pyts_value_ref(const pyts_value *v) {
    return check(v, "pyts_value_ref") ? pts_rt_value(pts_value_retain(v->v)) : NULL;
}

pyts_value *pyts_none(void) { return pts_rt_value(pts_none()); }
pyts_value *pyts_bool(int b) { return pts_rt_value(pts_vbool(b != 0)); }
pyts_value *pyts_int(int64_t i) { return pts_rt_value(pts_vint(i)); }
pyts_value *pyts_float(double d) { return pts_rt_value(pts_vdouble(d)); }

pyts_value *pyts_str(const char *s) {
    if (!s) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_str: the string is NULL"); return NULL; }
    size_t n = strlen(s);
    if (!pts_utf8_valid((const uint8_t *)s, n)) { pts_rt_fail(PYTS_ERR_VALUE, "pyts_str: the string is not valid UTF-8"); return NULL; }
    PtsError e = { 0 };
    PtsValue v;
    if (pts_str_new(s, n, &e, &v)) { pts_rt_set(&e); return NULL; }
    return pts_rt_value(v);
}

static pyts_value *sequence(int tag, pyts_value *const *items, int n, const char *fn) {
    if (n < 0 || (n > 0 && !items)) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: bad item count %d or NULL items", fn, n); return NULL; }
    for (int i = 0; i < n; i++) {
        if (!items[i]) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: item %d is NULL", fn, i); return NULL; }
        if (tag == PTS_V_LIST && items[i]->v.tag != items[0]->v.tag) {
            pts_rt_fail(PYTS_ERR_TYPE, "%s: list items must all be of one kind (item 0 and item %d differ)", fn, i);
            return NULL;
        }
    }
    PtsError e = { 0 };
    PtsValue l;
    if (pts_list_new(tag, n, &e, &l)) { pts_rt_set(&e); return NULL; }
    for (int i = 0; i < n; i++)
        if (pts_list_append(l, pts_value_retain(items[i]->v), &e)) {
            pts_value_release(&l);
            pts_rt_set(&e);
            return NULL;
        }
    return pts_rt_value(l);
}
pyts_value *pyts_list(pyts_value *const *items, int n) { return sequence(PTS_V_LIST, items, n, "pyts_list"); }
pyts_value *pyts_tuple(pyts_value *const *items, int n) { return sequence(PTS_V_TUPLE, items, n, "pyts_tuple"); }
/* }==================== */

/* {==================== tensors ==================== */
size_t pyts_dtype_size(int dtype) { return pts_dtype_valid(dtype) ? pts_dtype_size((PtsDType)dtype) : 0; }
const char *pyts_dtype_name(int dtype) { return pts_dtype_valid(dtype) ? pts_dtype_name((PtsDType)dtype) : NULL; }

static bool check_geometry(int dtype, int ndim, const int64_t *shape, const char *fn) {
    if (!pts_dtype_valid(dtype)) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: unknown dtype %d", fn, dtype); return false; }
    if (ndim < 0 || ndim > PTS_MAX_DIMS) {
        pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: ndim %d is outside 0..%d", fn, ndim, PTS_MAX_DIMS);
        return false;
    }
    if (ndim > 0 && !shape) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: shape is NULL", fn); return false; }
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: negative size %lld in dim %d", fn, (long long)shape[i], i); return false; }
        if (!pts_mul_ok(n, shape[i], &n) || !pts_mul_ok(n, (int64_t)pts_dtype_size((PtsDType)dtype), &(int64_t){ 0 })) {
            pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: the tensor's byte size overflows", fn);
            return false;
        }
    }
    return true;
}

pyts_value *pyts_tensor_new(pyts_dtype dtype, int ndim, const int64_t *shape, const void *data) {
    if (!pts_rt_init() || !check_geometry((int)dtype, ndim, shape, "pyts_tensor_new")) return NULL;
    PtsError e = { 0 };
    PtsTensor *t;
    PtsStatus s = data ? pts_tensor_new((PtsDType)dtype, ndim, shape, &e, &t) : pts_tensor_zeros((PtsDType)dtype, ndim, shape, &e, &t);
    if (s) { pts_rt_set(&e); return NULL; }
    if (data) {
        size_t nbytes = (size_t)pts_numel(t) * pts_dtype_size(t->dtype);
        if (nbytes) memcpy(pts_tensor_data(t), data, nbytes);
    }
    return pts_rt_value(pts_vtensor(t));
}

pyts_value *pyts_tensor_wrap(pyts_dtype dtype, int ndim, const int64_t *shape, const int64_t *strides, void *data,
                             void (*deleter)(void *data, void *ctx), void *ctx) {
    pyts_status bad = PYTS_OK;
    if (!pts_rt_init()) bad = pyts_last_status();
    else if (!check_geometry((int)dtype, ndim, shape, "pyts_tensor_wrap")) bad = PYTS_ERR_ARGUMENT;
    size_t isz = bad ? 1 : pts_dtype_size((PtsDType)dtype);
    int64_t st[PTS_MAX_DIMS], hi = 0;
    bool empty = false;
    for (int i = 0; !bad && i < ndim; i++) {
        st[i] = strides ? strides[i] : 0;
        if (strides && st[i] < 0) bad = pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_wrap: negative stride %lld in dim %d", (long long)st[i], i);
        if (shape[i] == 0) empty = true;
    }
    if (!bad && !strides) pts_contiguous_strides(ndim, shape, st);
    /* highest element offset the tensor can touch: the memory the caller vouches for */
    for (int i = 0; !bad && !empty && i < ndim; i++) {
        int64_t span;
        if (shape[i] > 1 && (!pts_mul_ok(st[i], shape[i] - 1, &span) || __builtin_add_overflow(hi, span, &hi)))
            bad = pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_wrap: strides overflow");
    }
    int64_t nbytes = 0;
    if (!bad && !empty && !pts_mul_ok(hi + 1, (int64_t)isz, &nbytes))
        bad = pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_wrap: strides overflow");
    if (!bad && !data && !empty) bad = pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_wrap: data is NULL");
    if (!bad && data && (uintptr_t)data % isz)
        bad = pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_wrap: data %p is not aligned to the %zu-byte elements of %s", data,
                          isz, pts_dtype_name((PtsDType)dtype));
    if (bad) {
        if (deleter) deleter(data, ctx);
        return NULL;
    }
    PtsError e = { 0 };
    PtsStorage *storage;
    /* an empty tensor over NULL still needs a storage object; it never reads data */
    if (pts_storage_wrap(data, (size_t)nbytes, deleter, ctx, &e, &storage)) { pts_rt_set(&e); return NULL; }
    PtsTensor *t;
    PtsStatus s = pts_tensor_from_storage(storage, (PtsDType)dtype, ndim, shape, st, 0, &e, &t);
    pts_storage_release(storage);
    if (s) { pts_rt_set(&e); return NULL; }
    return pts_rt_value(pts_vtensor(t));
}

static const PtsTensor *tensor_of(const pyts_value *t, const char *fn) {
    if (!check(t, fn)) return NULL;
    if (t->v.tag != PTS_V_TENSOR) { pts_rt_fail(PYTS_ERR_TYPE, "%s: the value is not a tensor", fn); return NULL; }
    return t->v.u.t;
}

int pyts_tensor_dtype(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_dtype");
    return x ? (int)x->dtype : -1;
}
int pyts_tensor_ndim(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_ndim");
    return x ? x->ndim : -1;
}
const int64_t *pyts_tensor_shape(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_shape");
    return x ? x->shape : NULL;
}
const int64_t *pyts_tensor_strides(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_strides");
    return x ? x->strides : NULL;
}
int64_t pyts_tensor_numel(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_numel");
    return x ? pts_numel(x) : -1;
}
int pyts_tensor_is_contiguous(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_is_contiguous");
    return x ? pts_tensor_is_contiguous(x) : -1;
}
void *pyts_tensor_data(const pyts_value *t) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_data");
    return x && x->storage->data ? pts_tensor_data(x) : NULL;
}

pyts_status pyts_tensor_copy_to(const pyts_value *t, void *dst, size_t nbytes) {
    const PtsTensor *x = tensor_of(t, "pyts_tensor_copy_to");
    if (!x) return pyts_last_status();
    size_t need = (size_t)pts_numel(x) * pts_dtype_size(x->dtype);
    if (nbytes < need)
        return pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_copy_to: the destination holds %zu bytes, the tensor needs %zu", nbytes, need);
    if (!need) return PYTS_OK;
    if (!dst) return pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_tensor_copy_to: dst is NULL");
    if (pts_tensor_is_contiguous(x)) {
        memcpy(dst, pts_tensor_data(x), need);
        return PYTS_OK;
    }
    /* a contiguous tensor over dst, filled by the converting copy */
    PtsError e = { 0 };
    PtsStorage *st;
    PtsTensor *d = NULL;
    int64_t strides[PTS_MAX_DIMS];
    pts_contiguous_strides(x->ndim, x->shape, strides);
    if (pts_storage_wrap(dst, need, NULL, NULL, &e, &st)) { pts_rt_set(&e); return pyts_last_status(); }
    PtsStatus s = pts_tensor_from_storage(st, x->dtype, x->ndim, x->shape, strides, 0, &e, &d);
    pts_storage_release(st);
    if (!s) s = pts_tensor_copy_(d, x, &e);
    pts_tensor_release(d);
    if (s) { pts_rt_set(&e); return pyts_last_status(); }
    return PYTS_OK;
}
/* }==================== */

/* {==================== reading values ==================== */
pyts_kind pyts_value_kind(const pyts_value *v) {
    if (!v) return PYTS_KIND_NONE;
    switch (v->v.tag) {
    case PTS_V_NONE: return PYTS_KIND_NONE;
    case PTS_V_BOOL: return PYTS_KIND_BOOL;
    case PTS_V_INT: return PYTS_KIND_INT;
    case PTS_V_DOUBLE: return PYTS_KIND_FLOAT;
    case PTS_V_STR: return PYTS_KIND_STR;
    case PTS_V_TENSOR: return PYTS_KIND_TENSOR;
    case PTS_V_LIST: return PYTS_KIND_LIST;
    case PTS_V_TUPLE: return PYTS_KIND_TUPLE;
    case PTS_V_DICT: return PYTS_KIND_DICT;
    case PTS_V_OBJECT: return PYTS_KIND_OBJECT;
    default: return PYTS_KIND_OTHER;
    }
}

pyts_status pyts_value_get_bool(const pyts_value *v, int *out) {
    if (!check(v, "pyts_value_get_bool")) return PYTS_ERR_ARGUMENT;
    if (v->v.tag != PTS_V_BOOL) return pts_rt_fail(PYTS_ERR_TYPE, "pyts_value_get_bool: the value is not a bool");
    if (out) *out = v->v.u.b;
    return PYTS_OK;
}

pyts_status pyts_value_get_int(const pyts_value *v, int64_t *out) {
    if (!check(v, "pyts_value_get_int")) return PYTS_ERR_ARGUMENT;
    if (v->v.tag != PTS_V_INT && v->v.tag != PTS_V_BOOL) return pts_rt_fail(PYTS_ERR_TYPE, "pyts_value_get_int: the value is not an int");
    if (out) *out = v->v.tag == PTS_V_INT ? v->v.u.i : v->v.u.b;
    return PYTS_OK;
}

pyts_status pyts_value_get_float(const pyts_value *v, double *out) {
    if (!check(v, "pyts_value_get_float")) return PYTS_ERR_ARGUMENT;
    if (v->v.tag != PTS_V_INT && v->v.tag != PTS_V_BOOL && v->v.tag != PTS_V_DOUBLE)
        return pts_rt_fail(PYTS_ERR_TYPE, "pyts_value_get_float: the value is not a number");
    if (out) *out = pts_value_to_f64(v->v);
    return PYTS_OK;
}

const char *pyts_value_get_str(const pyts_value *v) {
    if (!check(v, "pyts_value_get_str")) return NULL;
    if (v->v.tag != PTS_V_STR) { pts_rt_fail(PYTS_ERR_TYPE, "pyts_value_get_str: the value is not a str"); return NULL; }
    return pts_as_str(v->v)->data;
}

int64_t pyts_value_len(const pyts_value *v) {
    if (!v) return -1;
    if (v->v.tag == PTS_V_LIST || v->v.tag == PTS_V_TUPLE) return pts_as_list(v->v)->len;
    if (v->v.tag == PTS_V_DICT) return pts_as_dict(v->v)->len;
    return -1;
}

static pyts_value *item(const pyts_value *v, int64_t i, bool key, const char *fn) {
    if (!check(v, fn)) return NULL;
    int64_t n = pyts_value_len(v);
    if (n < 0 || (key && v->v.tag != PTS_V_DICT)) {
        pts_rt_fail(PYTS_ERR_TYPE, "%s: the value is not a %s", fn, key ? "dict" : "list, tuple or dict");
        return NULL;
    }
    if (i < 0 || i >= n) {
        pts_rt_fail(PYTS_ERR_INDEX, "%s: index %lld is out of range for %lld items", fn, (long long)i, (long long)n);
        return NULL;
    }
    if (v->v.tag == PTS_V_DICT)
        return pts_rt_value(pts_value_retain(key ? pts_as_dict(v->v)->keys[i] : pts_as_dict(v->v)->vals[i]));
    return pts_rt_value(pts_value_retain(pts_as_list(v->v)->items[i]));
}
pyts_value *pyts_value_item(const pyts_value *v, int64_t i) { return item(v, i, false, "pyts_value_item"); }
pyts_value *pyts_value_dict_key(const pyts_value *v, int64_t i) { return item(v, i, true, "pyts_value_dict_key"); }
/* }==================== */
