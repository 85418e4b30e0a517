/* tensor.c: storage and strided tensors: creation, views, refcounts, contiguity, dtype-converting
 * copy with broadcasting, and the N-d loop driver. */
#include <stdio.h>

#include "tensor.h"

void (*pts_autograd_meta_free_hook)(struct PtsAutogradMeta *m) = NULL;

/* ---- storage ----
 * Large blocks are recycled through a small cache keyed by exact size: a fresh multi-megabyte
 * block from the system costs a page fault per 4 KiB on first touch, which doubled the time of
 * elementwise ops on a million elements. The cache holds at most CACHE_SLOTS blocks and
 * CACHE_BYTES in total; anything else goes back to the system. */
#include <pthread.h>

#define CACHE_MIN (256u * 1024u)
#define CACHE_SLOTS 8
#define CACHE_BYTES ((size_t)256 << 20)
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { void *p; size_t n; } cache[CACHE_SLOTS];
static size_t cache_total;

static void *block_alloc(size_t n) {
    if (n >= CACHE_MIN) {
        pthread_mutex_lock(&cache_lock);
        for (int i = 0; i < CACHE_SLOTS; i++)
            if (cache[i].p && cache[i].n == n) {
                void *p = cache[i].p;
                cache[i].p = NULL;
                cache_total -= n;
                pthread_mutex_unlock(&cache_lock);
                return p;
            }
        pthread_mutex_unlock(&cache_lock);
    }
    return pts_aligned_alloc(n);
}

static void block_free(void *p, size_t n) {
    if (n >= CACHE_MIN && n <= CACHE_BYTES / 4) {
        pthread_mutex_lock(&cache_lock);
        int slot = -1;
        for (int i = 0; i < CACHE_SLOTS; i++) if (!cache[i].p) { slot = i; break; }
        if (slot >= 0 && cache_total + n <= CACHE_BYTES) {
            cache[slot].p = p;
            cache[slot].n = n;
            cache_total += n;
            p = NULL;
        }
        pthread_mutex_unlock(&cache_lock);
        if (!p) return;
    }
    pts_aligned_free(p);
}
PtsStatus pts_storage_new(size_t nbytes, PtsError *err, PtsStorage **out) {
    *out = NULL;
    /* header padded to 64 bytes so inline data is cache-line (and SIMD) aligned */
    size_t hdr = (sizeof(PtsStorage) + 63) & ~(size_t)63;
    if (nbytes > SIZE_MAX - hdr)
        return pts_fail(err, PTS_ERR_NOMEM, "cannot allocate %zu bytes", nbytes);
    /* small blocks: plain malloc with the data aligned inside (posix_memalign splits and frees
     * remainders, and freeing them next to the heap top consolidated every fastbin per call) */
    bool small = hdr + nbytes < CACHE_MIN;
    PtsStorage *s = small ? pts_malloc(sizeof(PtsStorage) + 63 + nbytes) : block_alloc(hdr + nbytes);
    if (!s) return pts_fail(err, PTS_ERR_NOMEM,
                            "DefaultCPUAllocator: not enough memory: you tried to allocate %zu bytes.",
                            nbytes);
    atomic_init(&s->refcnt, 1);
    s->data = small ? (void *)(((uintptr_t)(s + 1) + 63) & ~(uintptr_t)63) : (void *)((char *)s + hdr);
    s->nbytes = nbytes;
    s->deleter = NULL;
    s->deleter_ctx = NULL;
    atomic_init(&s->version, 0);
    *out = s;
    return PTS_OK;
}

PtsStatus pts_storage_wrap(void *data, size_t nbytes, PtsDeleter deleter, void *ctx, PtsError *err,
                           PtsStorage **out) {
    *out = NULL;
    PtsStorage *s = pts_aligned_alloc(sizeof *s);
    if (!s) {
        if (deleter) deleter(data, ctx);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    atomic_init(&s->refcnt, 1);
    s->data = data;
    s->nbytes = nbytes;
    s->deleter = deleter;
    s->deleter_ctx = ctx;
    atomic_init(&s->version, 0);
    *out = s;
    return PTS_OK;
}

PtsStorage *pts_storage_retain(PtsStorage *s) {
    if (s) atomic_fetch_add_explicit(&s->refcnt, 1, memory_order_relaxed);
    return s;
}

void pts_storage_release(PtsStorage *s) {
    if (!s) return;
    if (atomic_fetch_sub_explicit(&s->refcnt, 1, memory_order_acq_rel) != 1) return;
    if (s->deleter) {
        s->deleter(s->data, s->deleter_ctx);
        pts_aligned_free(s);
    } else {
        size_t hdr = (sizeof(PtsStorage) + 63) & ~(size_t)63;
        if (hdr + s->nbytes < CACHE_MIN) pts_free(s);
        else block_free(s, hdr + s->nbytes);
    }
}

/* ---- tensors ---- */
int64_t pts_shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
}
int64_t pts_numel(const PtsTensor *t) { return pts_shape_numel(t->ndim, t->shape); }

void pts_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides) {
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i] > 1 ? shape[i] : 1;
    }
}

bool pts_tensor_is_contiguous(const PtsTensor *t) {
    int64_t s = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 0) return true;
        if (t->shape[i] != 1 && t->strides[i] != s) return false;
        s *= t->shape[i];
    }
    return true;
}

static PtsStatus check_shape(int ndim, const int64_t *shape, PtsDType dt, PtsError *err,
                             int64_t *nbytes) {
    PTS_CHECK(ndim >= 0 && ndim <= PTS_MAX_DIMS, err, VALUE,
              "tensors have at most %d dimensions, got %d", PTS_MAX_DIMS, ndim);
    /* a dtype from a script int (x.to(d), zeros(n, dtype=d)) is not checked before this */
    PTS_CHECK(pts_dtype_valid((int)dt), err, RUNTIME, "Unknown ScalarType %d", (int)dt);
    int64_t n = (int64_t)pts_dtype_size(dt);
    for (int i = 0; i < ndim; i++) {
        PTS_CHECK(shape[i] >= 0, err, RUNTIME,
                  "Trying to create tensor with negative dimension %lld: %s", (long long)shape[i],
                  pts_shape_str(ndim, shape, (char[256]){0}, 256));
        PTS_CHECK(pts_mul_ok(n, shape[i], &n), err, RUNTIME, "tensor size overflows int64");
    }
    *nbytes = n;
    return PTS_OK;
}

static PtsTensor *tensor_alloc(void) {
    PtsTensor *t = pts_malloc(sizeof *t);
    if (!t) return NULL;
    atomic_init(&t->refcnt, 1);
    t->flags = 0;
    t->autograd = NULL;
    t->owner = NULL;
    t->offset = 0;
    return t;
}

PtsStatus pts_tensor_new(PtsDType dt, int ndim, const int64_t *shape, PtsError *err, PtsTensor **out) {
    *out = NULL;
    int64_t nbytes;
    PTS_TRY(check_shape(ndim, shape, dt, err, &nbytes));
    PtsStorage *st;
    PTS_TRY(pts_storage_new((size_t)nbytes, err, &st));
    PtsTensor *t = tensor_alloc();
    if (!t) {
        pts_storage_release(st);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    t->dtype = dt;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    pts_contiguous_strides(ndim, shape, t->strides);
    t->storage = st;
    *out = t;
    return PTS_OK;
}

PtsStatus pts_tensor_zeros(PtsDType dt, int ndim, const int64_t *shape, PtsError *err,
                           PtsTensor **out) {
    PTS_TRY(pts_tensor_new(dt, ndim, shape, err, out));
    memset((*out)->storage->data, 0, (*out)->storage->nbytes);
    return PTS_OK;
}

PtsStatus pts_tensor_scalar_f64(PtsDType dt, double v, PtsError *err, PtsTensor **out) {
    PTS_TRY(pts_tensor_new(dt, 0, NULL, err, out));
    pts_store_f64(dt, (*out)->storage->data, v);
    return PTS_OK;
}

PtsStatus pts_tensor_scalar_i64(PtsDType dt, int64_t v, PtsError *err, PtsTensor **out) {
    PTS_TRY(pts_tensor_new(dt, 0, NULL, err, out));
    pts_store_i64(dt, (*out)->storage->data, v);
    return PTS_OK;
}

PtsStatus pts_tensor_from_storage(PtsStorage *st, PtsDType dt, int ndim, const int64_t *shape,
                                  const int64_t *strides, int64_t offset, PtsError *err,
                                  PtsTensor **out) {
    *out = NULL;
    int64_t nbytes;
    PTS_TRY(check_shape(ndim, shape, dt, err, &nbytes));
    PTS_CHECK(offset >= 0, err, RUNTIME, "negative storage offset %lld", (long long)offset);
    /* the extent the view touches must lie inside the storage */
    int64_t isz = (int64_t)pts_dtype_size(dt), lo = offset, hi = offset;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) empty = true;
        if (shape[i] <= 1) continue;
        int64_t span;
        PTS_CHECK(pts_mul_ok(strides[i], shape[i] - 1, &span), err, RUNTIME, "stride overflow");
        if (span < 0) lo += span; else hi += span;
    }
    if (!empty) {
        int64_t end;
        PTS_CHECK(lo >= 0 && pts_mul_ok(hi + 1, isz, &end) && (uint64_t)end <= st->nbytes, err,
                  RUNTIME,
                  "setStorage: sizes %s, strides %s, storage offset %lld, and itemsize %lld "
                  "requiring a storage size of %lld are out of bounds for storage of size %zu",
                  pts_shape_str(ndim, shape, (char[256]){0}, 256),
                  pts_shape_str(ndim, strides, (char[256]){0}, 256), (long long)offset,
                  (long long)isz, (long long)((hi + 1) * isz), st->nbytes);
    }
    PtsTensor *t = tensor_alloc();
    if (!t) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    t->dtype = dt;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) {
        t->shape[i] = shape[i];
        t->strides[i] = strides[i];
    }
    t->offset = offset;
    t->storage = pts_storage_retain(st);
    *out = t;
    return PTS_OK;
}

PtsStatus pts_tensor_view(const PtsTensor *base, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t offset, PtsError *err, PtsTensor **out) {
    return pts_tensor_from_storage(base->storage, base->dtype, ndim, shape, strides, offset, err, out);
}

PtsTensor *pts_tensor_retain(PtsTensor *t) {
    if (t) atomic_fetch_add_explicit(&t->refcnt, 1, memory_order_relaxed);
    return t;
}

void pts_tensor_release(PtsTensor *t) {
    if (!t) return;
    if (atomic_fetch_sub_explicit(&t->refcnt, 1, memory_order_acq_rel) != 1) return;
    if (t->autograd && pts_autograd_meta_free_hook) pts_autograd_meta_free_hook(t->autograd);
    pts_storage_release(t->storage);
    pts_free(t);
}

void pts_tensor_bump_version(PtsTensor *t) {
    atomic_fetch_add_explicit(&t->storage->version, 1, memory_order_relaxed);
}

const char *pts_shape_str(int ndim, const int64_t *shape, char *buf, size_t n) {
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n - k, "[");
    for (int i = 0; i < ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
    return buf;
}

/* ---- broadcasting ---- */
PtsStatus pts_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b, int *nout,
                               int64_t *out, PtsError *err) {
    int n = na > nb ? na : nb;
    int64_t tmp[PTS_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        int ia = na - n + i, ib = nb - n + i;
        int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
        if (sa == sb || sb == 1) tmp[i] = sa;
        else if (sa == 1) tmp[i] = sb;
        else
            return pts_fail(err, PTS_ERR_SHAPE,
                            "The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                            "non-singleton dimension %d",
                            (long long)sa, (long long)sb, i);
    }
    memcpy(out, tmp, sizeof(int64_t) * (size_t)n);
    *nout = n;
    return PTS_OK;
}

void pts_broadcast_strides(const PtsTensor *t, int ndim, const int64_t *shape, int64_t *strides) {
    int off = ndim - t->ndim;
    for (int i = 0; i < ndim; i++) {
        int j = i - off;
        strides[i] = (j >= 0 && t->shape[j] == shape[i] && shape[i] != 1) ? t->strides[j] : 0;
    }
}

/* ---- loop driver ---- */
void pts_iter_operand(PtsIterOperand *op, const PtsTensor *t, int ndim, const int64_t *shape) {
    int64_t isz = (int64_t)pts_dtype_size(t->dtype);
    int64_t st[PTS_MAX_DIMS];
    pts_broadcast_strides(t, ndim, shape, st);
    op->data = pts_tensor_data(t);
    for (int i = 0; i < ndim; i++) op->strides[i] = st[i] * isz;
}

void pts_iter_run(int nops, PtsIterOperand *ops, int ndim, const int64_t *shape, PtsLoopFn fn,
                  void *ctx) {
    int64_t sh[PTS_MAX_DIMS];
    int64_t st[PTS_ITER_MAX][PTS_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) return;
        if (shape[i] == 1) continue;   /* size-1 dims contribute nothing */
        sh[nd] = shape[i];
        for (int k = 0; k < nops; k++) st[k][nd] = ops[k].strides[i];
        nd++;
    }
    /* coalesce dim d-1 into d when every operand is contiguous across them */
    int w = 0;
    for (int d = 0; d < nd; d++) {
        if (w > 0) {
            bool ok = true;
            for (int k = 0; k < nops; k++)
                if (st[k][w - 1] != st[k][d] * sh[d]) { ok = false; break; }
            if (ok) {
                sh[w - 1] *= sh[d];
                for (int k = 0; k < nops; k++) st[k][w - 1] = st[k][d];
                continue;
            }
        }
        sh[w] = sh[d];
        for (int k = 0; k < nops; k++) st[k][w] = st[k][d];
        w++;
    }
    nd = w;
    char *ptrs[PTS_ITER_MAX];
    int64_t inner_st[PTS_ITER_MAX];
    for (int k = 0; k < nops; k++) ptrs[k] = ops[k].data;
    if (nd == 0) {
        for (int k = 0; k < nops; k++) inner_st[k] = 0;
        fn(ptrs, inner_st, 1, ctx);
        return;
    }
    for (int k = 0; k < nops; k++) inner_st[k] = st[k][nd - 1];
    int64_t inner = sh[nd - 1];
    if (nd == 1) { fn(ptrs, inner_st, inner, ctx); return; }
    int64_t idx[PTS_MAX_DIMS] = {0};
    for (;;) {
        fn(ptrs, inner_st, inner, ctx);
        int d = nd - 2;
        for (; d >= 0; d--) {
            idx[d]++;
            for (int k = 0; k < nops; k++) ptrs[k] += st[k][d];
            if (idx[d] < sh[d]) break;
            for (int k = 0; k < nops; k++) ptrs[k] -= st[k][d] * sh[d];
            idx[d] = 0;
        }
        if (d < 0) break;
    }
}

/* ---- copy with conversion ---- */
typedef struct CopyCtx { PtsDType dd, sd; } CopyCtx;

static void copy_loop(char **p, const int64_t *s, int64_t n, void *vctx) {
    const CopyCtx *c = vctx;
    char *d = p[0], *src = p[1];
    if (c->dd == c->sd) {
        size_t isz = pts_dtype_size(c->dd);
        if (s[0] == (int64_t)isz && s[1] == (int64_t)isz) { memmove(d, src, isz * (size_t)n); return; }
        switch (isz) {
#define CP(T) for (int64_t i = 0; i < n; i++) *(T *)(d + i * s[0]) = *(const T *)(src + i * s[1]); break
        case 1: CP(uint8_t);
        case 2: CP(uint16_t);
        case 4: CP(uint32_t);
        case 8: CP(uint64_t);
        case 16:   /* complex128: two doubles */
            for (int64_t i = 0; i < n; i++) memcpy(d + i * s[0], src + i * s[1], 16);
            break;
#undef CP
        }
        return;
    }
    if (pts_dtype_is_complex(c->dd) || pts_dtype_is_complex(c->sd)) {
        /* both parts through double; a real destination keeps the real part (torch warns) */
        for (int64_t i = 0; i < n; i++) {
            double re, im;
            pts_load_c128(c->sd, src + i * s[1], &re, &im);
            pts_store_c128(c->dd, d + i * s[0], re, im);
        }
        return;
    }
    if (c->dd == PTS_FLOAT32 && c->sd == PTS_FLOAT64) {
        for (int64_t i = 0; i < n; i++) *(float *)(d + i * s[0]) = (float)*(const double *)(src + i * s[1]);
        return;
    }
    if (c->dd == PTS_FLOAT64 && c->sd == PTS_FLOAT32) {
        for (int64_t i = 0; i < n; i++) *(double *)(d + i * s[0]) = *(const float *)(src + i * s[1]);
        return;
    }
    bool intpath = pts_dtype_kind(c->dd) != PTS_KIND_FLOAT && pts_dtype_kind(c->sd) != PTS_KIND_FLOAT;
    if (intpath)
        for (int64_t i = 0; i < n; i++) pts_store_i64(c->dd, d + i * s[0], pts_load_i64(c->sd, src + i * s[1]));
    else
        for (int64_t i = 0; i < n; i++) pts_store_f64(c->dd, d + i * s[0], pts_load_f64(c->sd, src + i * s[1]));
}

PtsStatus pts_tensor_copy_(PtsTensor *dst, const PtsTensor *src, PtsError *err) {
    int n;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(dst->ndim, dst->shape, src->ndim, src->shape, &n, shape, err));
    if (n != dst->ndim || memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)n) != 0) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_SHAPE,
                        "output with shape %s doesn't match the broadcast shape %s",
                        pts_shape_str(dst->ndim, dst->shape, a, 256), pts_shape_str(n, shape, b, 256));
    }
    PtsIterOperand ops[2];
    pts_iter_operand(&ops[0], dst, dst->ndim, dst->shape);
    pts_iter_operand(&ops[1], src, dst->ndim, dst->shape);
    CopyCtx c = { dst->dtype, src->dtype };
    pts_iter_run(2, ops, dst->ndim, dst->shape, copy_loop, &c);
    pts_tensor_bump_version(dst);
    return PTS_OK;
}

PtsStatus pts_tensor_to(PtsTensor *t, PtsDType dt, bool force_copy, PtsError *err, PtsTensor **out) {
    *out = NULL;
    if (!force_copy && t->dtype == dt && pts_tensor_is_contiguous(t)) {
        *out = pts_tensor_retain(t);
        return PTS_OK;
    }
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(dt, t->ndim, t->shape, err, &r));
    PtsStatus s = pts_tensor_copy_(r, t, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    *out = r;
    return PTS_OK;
}

PtsStatus pts_tensor_contiguous(PtsTensor *t, PtsError *err, PtsTensor **out) {
    return pts_tensor_to(t, t->dtype, false, err, out);
}

double pts_tensor_item_f64(const PtsTensor *t) { return pts_load_f64(t->dtype, pts_tensor_data(t)); }
int64_t pts_tensor_item_i64(const PtsTensor *t) { return pts_load_i64(t->dtype, pts_tensor_data(t)); }
