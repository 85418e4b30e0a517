/* k_index.c: gather-like kernels (index_select, gather, scatter*, index.Tensor, index_put(_),
 * masked_select) and the indexing engine of index.h that Tensor.__getitem__/__setitem__ use.
 * Advanced indexing follows ATen: masks become their nonzero() coordinates, index tensors
 * broadcast together, and the indexed dims go where the first one was when they are adjacent,
 * else to the front. Data moves by element size, so every dtype shares one loop. */
#include <stdio.h>

#include "index.h"

#define SHAPE_STR(nd, sh) pts_shape_str((nd), (sh), (char[512]){0}, 512)

/* ================= element helpers ================= */

static inline void elem_copy(char *d, const char *s, size_t isz) {
    switch (isz) {
    case 1: *d = *s; break;
    case 2: memcpy(d, s, 2); break;
    case 4: memcpy(d, s, 4); break;
    case 16: memcpy(d, s, 16); break;   /* complex128 */
    default: memcpy(d, s, 8); break;
    }
}

/* d += s, both of dtype dt (half and bfloat16 round through float) */
static inline void elem_add(PtsDType dt, char *d, const char *s) {
    switch (pts_dtype_kind(dt)) {
    case PTS_KIND_FLOAT: pts_store_f64(dt, d, pts_load_f64(dt, d) + pts_load_f64(dt, s)); break;
    case PTS_KIND_INT: pts_store_i64(dt, d, (int64_t)((uint64_t)pts_load_i64(dt, d) + (uint64_t)pts_load_i64(dt, s))); break;
    default: *(bool *)d = *(bool *)d || *(const bool *)s; break;
    }
}

static inline int64_t load_index(const PtsTensor *t, int64_t off) {
    const char *p = (const char *)t->storage->data + (t->offset + off) * (int64_t)pts_dtype_size(t->dtype);
    return t->dtype == PTS_INT32 ? *(const int32_t *)p : *(const int64_t *)p;
}

static bool is_mask_dtype(PtsDType d) { return d == PTS_BOOL || d == PTS_UINT8; }

/* An odometer over a shape carrying up to 4 element offsets (one per operand). */
typedef struct Walk {
    int nd;
    int64_t shape[PTS_MAX_DIMS], idx[PTS_MAX_DIMS];
    int nops;
    int64_t st[4][PTS_MAX_DIMS];
    int64_t off[4];
} Walk;

static void walk_init(Walk *w, int nd, const int64_t *shape) {
    w->nd = nd;
    w->nops = 0;
    for (int i = 0; i < nd; i++) {
        w->shape[i] = shape[i];
        w->idx[i] = 0;
    }
}

static void walk_op(Walk *w, const int64_t *strides, int64_t base) {
    int k = w->nops++;
    for (int i = 0; i < w->nd; i++) w->st[k][i] = strides ? strides[i] : 0;
    w->off[k] = base;
}

static bool walk_next(Walk *w) {
    for (int i = w->nd - 1; i >= 0; i--) {
        for (int k = 0; k < w->nops; k++) w->off[k] += w->st[k][i];
        if (++w->idx[i] < w->shape[i]) return true;
        for (int k = 0; k < w->nops; k++) w->off[k] -= w->st[k][i] * w->shape[i];
        w->idx[i] = 0;
    }
    return false;
}

/* is_non_overlapping_and_dense: some permutation of the dims is contiguous */
static bool dense_nonoverlap(const PtsTensor *t) {
    int d[PTS_MAX_DIMS], n = 0;
    for (int i = 0; i < t->ndim; i++)
        if (t->shape[i] >= 2) d[n++] = i;
    for (int i = 1; i < n; i++)   /* sort by stride */
        for (int j = i; j > 0 && t->strides[d[j - 1]] > t->strides[d[j]]; j--) {
            int x = d[j];
            d[j] = d[j - 1];
            d[j - 1] = x;
        }
    int64_t need = 1;
    for (int i = 0; i < n; i++) {
        if (t->strides[d[i]] != need) return false;
        need *= t->shape[d[i]];
    }
    return true;
}

/* ATen's assert_no_overlap: writing a from b must not read memory a writes (full or partial
 * overlap of dense tensors; strided layouts too hard to judge pass). */
static PtsStatus check_no_overlap(const PtsTensor *a, const PtsTensor *b, PtsError *err) {
    bool overlap = false;
    if (a == b) overlap = true;
    else if (pts_numel(a) && pts_numel(b) && a->storage == b->storage && dense_nonoverlap(a) &&
             dense_nonoverlap(b)) {
        const char *a0 = pts_tensor_data(a), *b0 = pts_tensor_data(b);
        const char *a1 = a0 + pts_numel(a) * (int64_t)pts_dtype_size(a->dtype);
        const char *b1 = b0 + pts_numel(b) * (int64_t)pts_dtype_size(b->dtype);
        overlap = a0 < b1 && b0 < a1;
    }
    PTS_CHECK(!overlap, err, RUNTIME,
              "unsupported operation: some elements of the input tensor and the written-to tensor "
              "refer to a single memory location. Please clone() the tensor before performing the "
              "operation.");
    return PTS_OK;
}

/* a 0-dim scalar value in dtype dt, as raw bytes */
static void scalar_bytes(PtsValue v, PtsDType dt, char *buf) {
    if (v.tag == PTS_V_DOUBLE) pts_store_f64(dt, buf, v.u.d);
    else pts_store_i64(dt, buf, pts_value_to_i64(v));
}

/* ================= index_select / gather ================= */

PtsStatus k_INDEX_SELECT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *index = a[2].u.t;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    PTS_CHECK(index->ndim <= 1, err, INDEX, "index_select(): Index is supposed to be a vector");
    PTS_CHECK(index->dtype == PTS_INT64 || index->dtype == PTS_INT32, err, RUNTIME,
              "index_select(): Expected dtype int32 or int64 for index");
    int64_t n = pts_numel(index);
    if (self->ndim == 0)
        PTS_CHECK(n == 1, err, INDEX, "index_select(): Index to scalar can have only 1 value, got %lld value(s)",
                  (long long)n);
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, self->shape, sizeof shape);
    int64_t size = self->ndim ? self->shape[d] : 1, dstride = self->ndim ? self->strides[d] : 0;
    if (self->ndim) shape[d] = n;
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(self->dtype, self->ndim, shape, err, &r));
    int64_t istride = index->ndim ? index->strides[0] : 0;
    /* copy one slice self[..., idx, ...] per index through the converting copy */
    int64_t sh[PTS_MAX_DIMS];
    memcpy(sh, self->shape, sizeof sh);
    if (self->ndim) sh[d] = 1;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = load_index(index, i * istride);
        if (v < 0 || v >= size) {
            pts_tensor_release(r);
            return pts_fail(err, PTS_ERR_INDEX, "index out of range in self");
        }
        PtsTensor src = *self, dst = *r;
        memcpy(src.shape, sh, sizeof sh);
        memcpy(dst.shape, sh, sizeof sh);
        src.offset = self->offset + v * dstride;
        dst.offset = self->ndim ? i * r->strides[d] : 0;
        PtsStatus s = pts_tensor_copy_(&dst, &src, err);
        if (s) { pts_tensor_release(r); return s; }
    }
    atomic_store(&r->storage->version, 0);
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* strides of t for a loop over `nd` dims (0-dim tensors act as shape [1]) */
static void nonempty_strides(const PtsTensor *t, int nd, int64_t *st) {
    for (int i = 0; i < nd; i++) st[i] = i < t->ndim ? t->strides[i] : 0;
}
static int64_t nonempty_size(const PtsTensor *t, int i) { return t->ndim ? t->shape[i] : 1; }
static int nonempty_dim(const PtsTensor *t) { return t->ndim ? t->ndim : 1; }

PtsStatus k_GATHER(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *index = a[2].u.t;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    PTS_CHECK(index->dtype == PTS_INT64 || index->dtype == PTS_INT32, err, RUNTIME,
              "gather(): Expected dtype int32/int64 for index");
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(self->dtype, index->ndim, index->shape, err, &r));
    if (pts_numel(index) == 0) { out[0] = pts_vtensor(r); return PTS_OK; }
    PtsStatus s = PTS_OK;
    if (nonempty_dim(self) != nonempty_dim(index)) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "Index tensor must have the same number of dimensions as input tensor");
        goto done;
    }
    for (int i = 0; i < nonempty_dim(self); i++)
        if (i != d && nonempty_size(index, i) > nonempty_size(self, i)) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "Size does not match at dimension %d expected index %s to be "
                         "no larger than self %s apart from dimension %d", i,
                         SHAPE_STR(index->ndim, index->shape), SHAPE_STR(self->ndim, self->shape), d);
            goto done;
        }
    int nd = index->ndim;
    int64_t sst[PTS_MAX_DIMS];
    nonempty_strides(self, nd, sst);
    int64_t dsize = nonempty_size(self, d), dstride = self->ndim ? self->strides[d] : 0;
    if (nd) sst[d] = 0;
    Walk w;
    walk_init(&w, nd, index->shape);
    walk_op(&w, index->strides, 0);
    walk_op(&w, sst, self->offset);
    walk_op(&w, r->strides, 0);
    size_t isz = pts_dtype_size(self->dtype);
    char *sb = self->storage->data, *rb = r->storage->data;
    do {
        int64_t v = load_index(index, w.off[0]);
        if (v < 0 || v >= dsize) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "index %lld is out of bounds for dimension %d with size %lld",
                         (long long)v, d, (long long)dsize);
            goto done;
        }
        elem_copy(rb + w.off[2] * (int64_t)isz, sb + (w.off[1] + v * dstride) * (int64_t)isz, isz);
    } while (walk_next(&w));
done:
    if (s) { pts_tensor_release(r); return s; }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ================= scatter ================= */

enum { SC_SRC, SC_VALUE, SC_ADD };

/* self[... index[i] ...] = src[i] (or value, or += src[i]) along dim d, in place on self */
static PtsStatus scatter_into(PtsTensor *self, int64_t dim, PtsTensor *index, PtsTensor *src,
                              PtsValue value, int mode, const char *name, PtsError *err) {
    int d;
    PTS_TRY(pts_wrap_dim(dim, self->ndim, err, &d));
    PTS_CHECK(index->dtype == PTS_INT64, err, RUNTIME, "%s(): Expected dtype int64 for index", name);
    if (src)
        PTS_CHECK(src->dtype == self->dtype, err, RUNTIME, "%s(): Expected self.dtype to be equal to src.dtype",
                  name);
    if (pts_numel(index) == 0) return PTS_OK;
    PTS_CHECK(nonempty_dim(self) == nonempty_dim(index), err, RUNTIME,
              "Index tensor must have the same number of dimensions as self tensor");
    bool wrong = false;
    for (int i = 0; i < nonempty_dim(self); i++)
        if (i != d && nonempty_size(index, i) > nonempty_size(self, i)) wrong = true;
    if (!wrong && src) {
        PTS_CHECK(nonempty_dim(src) == nonempty_dim(index), err, RUNTIME,
                  "Index tensor must have the same number of dimensions as src tensor");
        for (int i = 0; i < nonempty_dim(src); i++)
            if (nonempty_size(index, i) > nonempty_size(src, i)) wrong = true;
    }
    if (wrong) {
        if (src)
            return pts_fail(err, PTS_ERR_RUNTIME, "Expected index %s to be no larger than self %s apart "
                            "from dimension %d and to be no larger size than src %s",
                            SHAPE_STR(index->ndim, index->shape), SHAPE_STR(self->ndim, self->shape), d,
                            SHAPE_STR(src->ndim, src->shape));
        return pts_fail(err, PTS_ERR_RUNTIME, "Expected index %s to be no larger than self %s apart from "
                        "dimension %d", SHAPE_STR(index->ndim, index->shape),
                        SHAPE_STR(self->ndim, self->shape), d);
    }
    int nd = index->ndim;
    int64_t sst[PTS_MAX_DIMS], rst[PTS_MAX_DIMS];
    nonempty_strides(self, nd, sst);
    if (src) nonempty_strides(src, nd, rst);
    int64_t dsize = nonempty_size(self, d), dstride = self->ndim ? self->strides[d] : 0;
    if (nd) sst[d] = 0;
    Walk w;
    walk_init(&w, nd, index->shape);
    walk_op(&w, index->strides, 0);
    walk_op(&w, sst, self->offset);
    walk_op(&w, src ? rst : NULL, src ? src->offset : 0);
    size_t isz = pts_dtype_size(self->dtype);
    char vbuf[8];
    if (!src) scalar_bytes(value, self->dtype, vbuf);
    char *sb = self->storage->data, *rb = src ? src->storage->data : NULL;
    pts_tensor_bump_version(self);
    do {
        int64_t v = load_index(index, w.off[0]);
        if (v < 0 || v >= dsize)
            return pts_fail(err, PTS_ERR_RUNTIME, "index %lld is out of bounds for dimension %d with size %lld",
                            (long long)v, d, (long long)dsize);
        char *dp = sb + (w.off[1] + v * dstride) * (int64_t)isz;
        const char *sp = src ? rb + w.off[2] * (int64_t)isz : vbuf;
        if (mode == SC_ADD) elem_add(self->dtype, dp, sp);
        else elem_copy(dp, sp, isz);
    } while (walk_next(&w));
    return PTS_OK;
}

/* a[3] is the src tensor; a Python number bound to it means the value overload */
static PtsStatus scatter_k(PtsValue *a, PtsValue *out, PtsError *err, int mode, bool inplace) {
    PtsTensor *self = a[0].u.t, *target;
    PtsTensor *src = a[3].tag == PTS_V_TENSOR ? a[3].u.t : NULL;
    PtsValue value = a[3];
    if (src && (src->flags & PTS_TF_WRAPPED_NUMBER) && mode == SC_SRC) {
        value = pts_dtype_is_float(src->dtype) ? pts_vdouble(pts_tensor_item_f64(src))
                                               : pts_vint(pts_tensor_item_i64(src));
        src = NULL;
    }
    if (mode == SC_VALUE) src = NULL;
    if (inplace) target = pts_tensor_retain(self);
    else PTS_TRY(pts_tensor_to(self, self->dtype, true, err, &target));
    PtsStatus s = scatter_into(target, a[1].u.i, a[2].u.t, src, value, mode == SC_VALUE ? SC_SRC : mode,
                               mode == SC_ADD ? "scatter_add" : "scatter", err);
    if (s) { pts_tensor_release(target); return s; }
    out[0] = pts_vtensor(target);
    return PTS_OK;
}

PtsStatus k_SCATTER_SRC(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_SRC, false); }
PtsStatus k_SCATTER_VALUE(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_VALUE, false); }
PtsStatus k_SCATTER__SRC(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_SRC, true); }
PtsStatus k_SCATTER__VALUE(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_VALUE, true); }
PtsStatus k_SCATTER_ADD(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_ADD, false); }
PtsStatus k_SCATTER_ADD_(PtsValue *a, PtsValue *out, PtsError *err) { return scatter_k(a, out, err, SC_ADD, true); }

/* ================= advanced indexing ================= */

/* The shape of self[indices]: P + B + Q, where B is the broadcast shape of the index tensors and
 * P / Q the untouched dims around them (P empty when the indexed dims are not adjacent). The
 * element (p, b, q) of the result is self at offset base + P-offset(p) + boff[b] + Q-offset(q). */
typedef struct Plan {
    int np, nb, nq;
    int64_t shape[PTS_MAX_DIMS];       /* P ++ B ++ Q */
    int64_t pst[PTS_MAX_DIMS];         /* self strides of the P dims */
    int64_t qst[PTS_MAX_DIMS];         /* self strides of the Q dims */
    int64_t nbel;                      /* numel of B */
    int64_t *boff;                     /* owned: offset of each B element in self */
    int nidx;                          /* index operands (after mask expansion) */
    int64_t ibst[PTS_MAX_DIMS][PTS_MAX_DIMS]; /* their strides in bytes over B, as ATen's
                                          expanded int64 indexers have them */
} Plan;

static void plan_free(Plan *p) { pts_free(p->boff); p->boff = NULL; }

/* The k coordinate vectors (int64, length nnz) of the true elements of mask. */
static PtsStatus nonzero(const PtsTensor *mask, PtsTensor **coords, PtsError *err) {
    int k = mask->ndim;
    int64_t nnz = 0;
    Walk w;
    const char *mb = (const char *)mask->storage->data;
    if (pts_numel(mask) > 0) {
        walk_init(&w, k, mask->shape);
        walk_op(&w, mask->strides, mask->offset);
        do nnz += mb[w.off[0]] != 0; while (walk_next(&w));
    }
    for (int j = 0; j < k; j++) coords[j] = NULL;
    for (int j = 0; j < k; j++) {
        PtsStatus s = pts_tensor_new(PTS_INT64, 1, &nnz, err, &coords[j]);
        if (s) {
            for (int i = 0; i < j; i++) { pts_tensor_release(coords[i]); coords[i] = NULL; }
            return s;
        }
    }
    if (nnz == 0) return PTS_OK;
    int64_t at = 0;
    walk_init(&w, k, mask->shape);
    walk_op(&w, mask->strides, mask->offset);
    do {
        if (mb[w.off[0]]) {
            for (int j = 0; j < k; j++) ((int64_t *)coords[j]->storage->data)[at] = w.idx[j];
            at++;
        }
    } while (walk_next(&w));
    return PTS_OK;
}

/* Build the plan of self[idx] from a Tensor?[] list (NULL entries = full dims). */
static PtsStatus plan_build(const PtsTensor *self, PtsTensor *const *idx, int n, PtsError *err,
                            Plan *pl) {
    memset(pl, 0, sizeof *pl);
    PTS_CHECK(n <= self->ndim, err, INDEX, "too many indices for tensor of dimension %d (got %d)",
              self->ndim, n);
    /* per self dim: a long/int index tensor or NULL; masks expand into their coordinates */
    PtsTensor *per[PTS_MAX_DIMS] = { 0 };
    bool owned[PTS_MAX_DIMS] = { 0 };
    int mask_k[PTS_MAX_DIMS] = { 0 };
    PtsStatus s = PTS_OK;
    int pos = 0;
    for (int j = 0; j < n && !s; j++) {
        PtsTensor *t = idx[j];
        if (!t) { pos++; continue; }
        if (is_mask_dtype(t->dtype)) {
            if (pos + t->ndim > self->ndim) {
                s = pts_fail(err, PTS_ERR_INDEX, "too many indices for tensor of dimension %d", self->ndim);
                break;
            }
            for (int k = 0; k < t->ndim && !s; k++)
                if (t->shape[k] != self->shape[pos + k])
                    s = pts_fail(err, PTS_ERR_INDEX, "The shape of the mask %s at index %d does not match "
                                 "the shape of the indexed tensor %s at index %d",
                                 SHAPE_STR(t->ndim, t->shape), k, SHAPE_STR(self->ndim, self->shape), pos + k);
            if (s) break;
            s = nonzero(t, per + pos, err);
            for (int k = 0; k < t->ndim; k++) { owned[pos + k] = true; mask_k[pos + k] = t->ndim; }
            pos += t->ndim;
        } else if (t->dtype == PTS_INT64 || t->dtype == PTS_INT32) {
            per[pos++] = t;
        } else {
            s = pts_fail(err, PTS_ERR_INDEX, "tensors used as indices must be long, int, byte or bool tensors");
        }
    }
    /* broadcast the index tensors together */
    int nb = 0, first = -1, last = -1, count = 0;
    int64_t bshape[PTS_MAX_DIMS];
    for (int d = 0; d < self->ndim && !s; d++) {
        if (!per[d]) continue;
        if (first < 0) first = d;
        last = d;
        count++;
        PtsError tmp = { 0 };
        if (pts_broadcast_shapes(nb, bshape, per[d]->ndim, per[d]->shape, &nb, bshape, &tmp)) {
            PtsBuf b;
            pts_buf_init(&b);
            for (int e = 0; e < self->ndim; e++)
                if (per[e]) pts_buf_printf(&b, "%s%s", b.len ? ", " : "", SHAPE_STR(per[e]->ndim, per[e]->shape));
            s = pts_fail(err, PTS_ERR_INDEX, "shape mismatch: indexing tensors could not be broadcast "
                         "together with shapes %s", b.data ? b.data : "");
            pts_buf_free(&b);
        }
    }
    if (s) goto done;
    bool adjacent = count == 0 || last - first + 1 == count;
    int np = 0, nq = 0;
    int64_t pshape[PTS_MAX_DIMS], qshape[PTS_MAX_DIMS];
    for (int d = 0; d < self->ndim; d++) {
        if (per[d]) continue;
        if (adjacent && (count == 0 || d < first)) { pshape[np] = self->shape[d]; pl->pst[np++] = self->strides[d]; }
        else { qshape[nq] = self->shape[d]; pl->qst[nq++] = self->strides[d]; }
    }
    if (np + nb + nq > PTS_MAX_DIMS) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "indexing result would have more than %d dimensions", PTS_MAX_DIMS);
        goto done;
    }
    pl->np = np; pl->nb = nb; pl->nq = nq;
    memcpy(pl->shape, pshape, sizeof(int64_t) * (size_t)np);
    memcpy(pl->shape + np, bshape, sizeof(int64_t) * (size_t)nb);
    memcpy(pl->shape + np + nb, qshape, sizeof(int64_t) * (size_t)nq);
    pl->nbel = pts_shape_numel(nb, bshape);
    pl->boff = pts_malloc(sizeof(int64_t) * (size_t)(pl->nbel ? pl->nbel : 1));
    if (!pl->boff) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    if (pl->nbel == 0) goto done;
    for (int64_t b = 0; b < pl->nbel; b++) pl->boff[b] = 0;
    for (int d = 0; d < self->ndim && !s; d++) {
        if (!per[d]) continue;
        int64_t st[PTS_MAX_DIMS];
        pts_broadcast_strides(per[d], nb, bshape, st);
        /* mask coordinates are columns of a (nnz, k) nonzero() result in ATen */
        int64_t colstride = owned[d] ? mask_k[d] : 1;
        for (int i = 0; i < nb; i++) pl->ibst[pl->nidx][i] = st[i] * colstride * 8;
        pl->nidx++;
        Walk w;
        walk_init(&w, nb, bshape);
        walk_op(&w, st, 0);
        int64_t b = 0, size = self->shape[d];
        do {
            int64_t v = load_index(per[d], w.off[0]);
            if (v < -size || v >= size) {
                s = pts_fail(err, PTS_ERR_INDEX, "index %lld is out of bounds for dimension %d with size %lld",
                             (long long)v, d, (long long)size);
                break;
            }
            if (v < 0) v += size;
            pl->boff[b++] += v * self->strides[d];
        } while (walk_next(&w));
    }
done:
    for (int d = 0; d < PTS_MAX_DIMS; d++)
        if (owned[d]) pts_tensor_release(per[d]);
    if (s) plan_free(pl);
    return s;
}

/* Walk the plan: f(self element, other element) for every result element, where `other` is
 * broadcast to the result shape (its strides ost, in elements, with base ooff). */
typedef void (*PlanFn)(char *self_el, char *other_el, void *ctx);

static PtsStatus plan_run(const Plan *pl, PtsTensor *self, PtsTensor *other, PlanFn f, void *ctx,
                          PtsError *err) {
    int nd = pl->np + pl->nb + pl->nq;
    int64_t ost[PTS_MAX_DIMS];
    pts_broadcast_strides(other, nd, pl->shape, ost);
    if (pts_shape_numel(nd, pl->shape) == 0) return PTS_OK;
    /* offsets of `other` per B element */
    int64_t *vb = pts_malloc(sizeof(int64_t) * (size_t)pl->nbel);
    if (!vb) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    Walk w;
    walk_init(&w, pl->nb, pl->shape + pl->np);
    walk_op(&w, ost + pl->np, 0);
    int64_t b = 0;
    do vb[b++] = w.off[0]; while (walk_next(&w));
    size_t ssz = pts_dtype_size(self->dtype), osz = pts_dtype_size(other->dtype);
    char *sbase = self->storage->data, *obase = other->storage->data;
    Walk wp, wq;
    walk_init(&wp, pl->np, pl->shape);
    walk_op(&wp, pl->pst, self->offset);
    walk_op(&wp, ost, other->offset);
    do {
        for (int64_t bi = 0; bi < pl->nbel; bi++) {
            walk_init(&wq, pl->nq, pl->shape + pl->np + pl->nb);
            walk_op(&wq, pl->qst, wp.off[0] + pl->boff[bi]);
            walk_op(&wq, ost + pl->np + pl->nb, wp.off[1] + vb[bi]);
            do f(sbase + wq.off[0] * (int64_t)ssz, obase + wq.off[1] * (int64_t)osz, ctx);
            while (walk_next(&wq));
        }
    } while (walk_next(&wp));
    pts_free(vb);
    return PTS_OK;
}

static void fn_get(char *s, char *o, void *ctx) { elem_copy(o, s, *(size_t *)ctx); }
static void fn_put(char *s, char *o, void *ctx) { elem_copy(s, o, *(size_t *)ctx); }
static void fn_acc(char *s, char *o, void *ctx) { elem_add(*(PtsDType *)ctx, s, o); }

/* Read a Tensor?[] value into an array of borrowed tensors (NULL for None). */
static PtsStatus index_list(PtsValue v, PtsTensor **idx, int *n, PtsError *err) {
    PTS_CHECK(v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE, err, TYPE, "indices must be a list of optional Tensors");
    PtsList *l = pts_as_list(v);
    PTS_CHECK(l->len <= PTS_MAX_DIMS, err, INDEX, "too many indices (%lld)", (long long)l->len);
    for (int64_t i = 0; i < l->len; i++) {
        PtsValue e = l->items[i];
        PTS_CHECK(e.tag == PTS_V_TENSOR || e.tag == PTS_V_NONE, err, TYPE,
                  "indices must be a list of optional Tensors");
        idx[i] = e.tag == PTS_V_TENSOR ? e.u.t : NULL;
    }
    *n = (int)l->len;
    return PTS_OK;
}

/* Strides of the result of aten::index, as TensorIterator allocates it: its dims are ordered by
 * the strides of the inputs (self restrided with 0 over B, then each indexer), first operand with
 * a strict difference deciding (TensorIteratorBase::reorder_dimensions), and laid out densely in
 * that order. */
static void index_result_strides(const Plan *pl, const PtsTensor *self, int64_t *out) {
    int nd = pl->np + pl->nb + pl->nq;
    const int64_t *shape = pl->shape;
    int64_t isz = (int64_t)pts_dtype_size(self->dtype);
    int64_t ops[PTS_MAX_DIMS + 1][PTS_MAX_DIMS];
    int nops = 0;
    for (int i = 0; i < nd; i++) {
        int q = i - pl->np - pl->nb;
        ops[0][i] = i < pl->np ? pl->pst[i] * isz : q >= 0 ? pl->qst[q] * isz : 0;
    }
    nops = 1;
    for (int k = 0; k < pl->nidx; k++, nops++)
        for (int i = 0; i < nd; i++) {
            int b = i - pl->np;
            ops[nops][i] = b >= 0 && b < pl->nb ? pl->ibst[k][b] : 0;
        }
    int perm[PTS_MAX_DIMS];
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    for (int i = 1; i < nd; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int a = perm[d0], b = perm[d1], cmp = 0;
            for (int k = 0; k < nops && !cmp; k++) {
                int64_t s0 = ops[k][a], s1 = ops[k][b];
                if (s0 == 0 || s1 == 0) continue;
                if (s0 < s1) cmp = -1;
                else if (s0 > s1) cmp = 1;
                else if (shape[a] > shape[b]) cmp = 1;
            }
            if (cmp > 0) {
                perm[d0] = b;
                perm[d1] = a;
                d1 = d0;
            } else if (cmp < 0) break;
        }
    }
    int64_t cur = 1;
    for (int i = 0; i < nd; i++) {
        out[perm[i]] = cur;
        cur *= shape[perm[i]];
    }
    bool inverted = true;
    for (int i = 0; i < nd; i++) inverted &= perm[i] == nd - 1 - i;
    if (inverted) pts_contiguous_strides(nd, shape, out);
}

PtsStatus k_INDEX_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *idx[PTS_MAX_DIMS];
    int n;
    PTS_TRY(index_list(a[1], idx, &n, err));
    Plan pl;
    PTS_TRY(plan_build(self, idx, n, err, &pl));
    PtsTensor *r;
    PtsStatus s = pts_tensor_new(self->dtype, pl.np + pl.nb + pl.nq, pl.shape, err, &r);
    if (!s) {
        if (pts_numel(r) > 0) index_result_strides(&pl, self, r->strides);
        size_t isz = pts_dtype_size(self->dtype);
        s = plan_run(&pl, self, r, fn_get, &isz, err);
        if (s) pts_tensor_release(r);
    }
    plan_free(&pl);
    if (s) return s;
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ATen's canDispatchToMaskedFill: a single bool/uint8 mask (other entries None) with a
 * one-element value becomes a masked fill with value.item(), converted to self's dtype. */
static bool single_mask(PtsTensor *const *idx, int n) {
    int masks = 0;
    for (int i = 0; i < n; i++) {
        if (!idx[i]) continue;
        if (!is_mask_dtype(idx[i]->dtype)) return false;
        masks++;
    }
    return masks == 1;
}

static PtsStatus index_put_impl(PtsTensor *self, PtsValue ilist, PtsTensor *values, bool accumulate,
                                PtsError *err) {
    PtsTensor *idx[PTS_MAX_DIMS];
    int n;
    PTS_TRY(index_list(ilist, idx, &n, err));
    PTS_CHECK(n <= self->ndim, err, INDEX, "too many indices for tensor of dimension %d (got %d)",
              self->ndim, n);
    bool fill = !accumulate && pts_numel(values) == 1 && single_mask(idx, n);
    if (!fill) {
        PTS_TRY(check_no_overlap(self, values, err));
        for (int i = 0; i < n; i++)
            if (idx[i]) PTS_TRY(check_no_overlap(self, idx[i], err));
    }
    PtsTensor *v;
    if (!fill) v = pts_tensor_retain(values);
    else {
        PTS_TRY(pts_tensor_new(self->dtype, 0, NULL, err, &v));
        char tmp[8];
        if (pts_dtype_is_float(values->dtype)) pts_store_f64(self->dtype, tmp, pts_tensor_item_f64(values));
        else pts_store_i64(self->dtype, tmp, pts_tensor_item_i64(values));
        memcpy(v->storage->data, tmp, pts_dtype_size(self->dtype));
    }
    Plan pl;
    PtsStatus s = plan_build(self, idx, n, err, &pl);
    if (s) { pts_tensor_release(v); return s; }
    int nd = pl.np + pl.nb + pl.nq, bn;
    int64_t bshape[PTS_MAX_DIMS];
    PtsError tmp = { 0 };
    if (pts_broadcast_shapes(nd, pl.shape, v->ndim, v->shape, &bn, bshape, &tmp) || bn != nd ||
        memcmp(bshape, pl.shape, sizeof(int64_t) * (size_t)nd) != 0)
        s = pts_fail(err, PTS_ERR_RUNTIME, "shape mismatch: value tensor of shape %s cannot be broadcast "
                     "to indexing result of shape %s", SHAPE_STR(v->ndim, v->shape), SHAPE_STR(nd, pl.shape));
    else if (v->dtype != self->dtype)
        s = pts_fail(err, PTS_ERR_RUNTIME, "Index put requires the source and destination dtypes match, got "
                     "%s for the destination and %s for the source.", pts_scalar_type_name(self->dtype),
                     pts_scalar_type_name(v->dtype));
    if (!s) {
        size_t isz = pts_dtype_size(self->dtype);
        PtsDType dt = self->dtype;
        pts_tensor_bump_version(self);
        s = plan_run(&pl, self, v, accumulate ? fn_acc : fn_put, accumulate ? (void *)&dt : (void *)&isz, err);
    }
    plan_free(&pl);
    pts_tensor_release(v);
    return s;
}

PtsStatus k_INDEX_PUT_(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(index_put_impl(a[0].u.t, a[1], a[2].u.t, a[3].u.b, err));
    out[0] = pts_vtensor(pts_tensor_retain(a[0].u.t));
    return PTS_OK;
}

/* self.clone(preserve_format).index_put_(...), with the clone kernel called directly: index_put
 * is one op to autograd */
PtsStatus k_INDEX_PUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue cargs[2] = { a[0], pts_none() }, c[PTS_MAX_RETS] = { 0 };
    PTS_TRY(k_CLONE(cargs, c, err));
    PtsTensor *r = c[0].u.t;
    PtsStatus s = index_put_impl(r, a[1], a[2].u.t, a[3].u.b, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_MASKED_SELECT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *mask = a[1].u.t;
    PTS_CHECK(mask->dtype == PTS_BOOL, err, RUNTIME, "masked_select: expected BoolTensor for mask");
    int nd;
    int64_t shape[PTS_MAX_DIMS], sst[PTS_MAX_DIMS], mst[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(mask->ndim, mask->shape, self->ndim, self->shape, &nd, shape, err));
    pts_broadcast_strides(self, nd, shape, sst);
    pts_broadcast_strides(mask, nd, shape, mst);
    int64_t total = pts_shape_numel(nd, shape), nnz = 0;
    const char *mb = mask->storage->data;
    Walk w;
    if (total) {
        walk_init(&w, nd, shape);
        walk_op(&w, mst, mask->offset);
        do nnz += mb[w.off[0]] != 0; while (walk_next(&w));
    }
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(self->dtype, 1, &nnz, err, &r));
    if (nnz) {
        size_t isz = pts_dtype_size(self->dtype);
        char *rb = r->storage->data, *sb = self->storage->data;
        walk_init(&w, nd, shape);
        walk_op(&w, mst, mask->offset);
        walk_op(&w, sst, self->offset);
        do {
            if (mb[w.off[0]]) { elem_copy(rb, sb + w.off[1] * (int64_t)isz, isz); rb += isz; }
        } while (walk_next(&w));
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ================= the indexing engine (index.h) =================
 * Mirrors PyTorch's TensorIndexing.h (applySlicing, handleDimInMultiDimIndexing, get_item,
 * set_item, copy_to). Every step is a registry op so autograd and the tracer record it. */

static PtsStatus call_t(PtsOpId id, PtsValue *args, PtsTensor **res, PtsError *err) {
    PtsValue out[PTS_MAX_RETS] = { 0 };
    *res = NULL;
    PTS_TRY(pts_op_call(id, args, out, err));
    *res = out[0].u.t;
    return PTS_OK;
}

static PtsStatus op_select(PtsTensor *t, int64_t dim, int64_t index, PtsTensor **r, PtsError *err) {
    PtsValue args[3] = { pts_vtensor(t), pts_vint(dim), pts_vint(index) };
    return call_t(PTS_OP_SELECT_INT, args, r, err);
}

static PtsStatus op_unsqueeze(PtsTensor *t, int64_t dim, PtsTensor **r, PtsError *err) {
    PtsValue args[2] = { pts_vtensor(t), pts_vint(dim) };
    return call_t(PTS_OP_UNSQUEEZE, args, r, err);
}

static PtsStatus op_alias(PtsTensor *t, PtsTensor **r, PtsError *err) {
    PtsValue args[1] = { pts_vtensor(t) };
    return call_t(PTS_OP_ALIAS, args, r, err);
}

static PtsStatus op_shape(PtsOpId id, PtsTensor *t, int n, const int64_t *shape, PtsTensor **r,
                          PtsError *err) {
    PtsValue args[3] = { pts_vtensor(t), pts_none(), pts_vbool(false) };
    PTS_TRY(pts_int_list_new(shape, n, err, &args[1]));
    PtsStatus s = call_t(id, args, r, err);
    pts_value_release(&args[1]);
    return s;
}

/* applySelect: bounds are checked here so the message names the key position real_dim */
static PtsStatus apply_select(PtsTensor *t, int dim, int64_t index, int real_dim, PtsTensor **r,
                              PtsError *err) {
    PTS_CHECK(!(real_dim == 0 && t->ndim == 0), err, INDEX,
              "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
              "in C++ to convert a 0-dim tensor to a number");
    PTS_CHECK(dim < t->ndim, err, INDEX, "too many indices for tensor of dimension %d", t->ndim);
    int64_t size = t->shape[dim];
    PTS_CHECK(size > -1 - index && size > index, err, INDEX,
              "index %lld is out of bounds for dimension %d with size %lld", (long long)index, real_dim,
              (long long)size);
    return op_select(t, dim, index, r, err);
}

/* applySlice: a full slice is skipped unless disabled (tracing) */
static PtsStatus apply_slice(PtsTensor *t, int dim, const PtsIndexItem *it, bool disable_opt,
                             PtsTensor **r, PtsError *err) {
    PTS_CHECK(it->step > 0, err, VALUE, "step must be greater than zero");
    if (!disable_opt && dim < t->ndim && it->start == 0 && it->stop == t->shape[dim] && it->step == 1) {
        *r = pts_tensor_retain(t);
        return PTS_OK;
    }
    PtsValue args[5] = { pts_vtensor(t), pts_vint(dim), pts_vint(it->start), pts_vint(it->stop),
                         pts_vint(it->step) };
    return call_t(PTS_OP_SLICE_TENSOR, args, r, err);
}

/* boolToIndexingTensor: True indexes the new size-1 dim as [0], False as [] */
static PtsStatus bool_index(bool v, PtsTensor **r, PtsError *err) {
    int64_t n = v ? 1 : 0;
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, &n, err, r));
    if (v) *(int64_t *)(*r)->storage->data = 0;
    return PTS_OK;
}

/* Advanced indices recorded while slicing: one slot per result dim, NULL = none. */
typedef struct Slicing {
    PtsTensor *idx[PTS_MAX_DIMS];  /* borrowed or owned (see own) */
    bool own[PTS_MAX_DIMS];
    int n;                         /* slots used */
    bool any;                      /* a tensor index was recorded */
} Slicing;

static void slicing_free(Slicing *s) {
    for (int i = 0; i < s->n; i++)
        if (s->own[i]) pts_tensor_release(s->idx[i]);
    s->n = 0;
}

static PtsStatus record_index(Slicing *sl, PtsTensor *t, bool own, int *dim, PtsError *err) {
    if (*dim >= PTS_MAX_DIMS) {
        if (own) pts_tensor_release(t);
        return pts_fail(err, PTS_ERR_INDEX, "too many indices");
    }
    while (sl->n <= *dim) { sl->idx[sl->n] = NULL; sl->own[sl->n] = false; sl->n++; }
    sl->idx[*dim] = t;
    sl->own[*dim] = own;
    sl->any = true;
    *dim += is_mask_dtype(t->dtype) ? t->ndim : 1;
    return PTS_OK;
}

/* applySlicing: basic items become views; tensor items are recorded for aten::index */
static PtsStatus apply_slicing(PtsTensor *self, const PtsIndexItem *items, int n, bool disable_opt,
                               Slicing *sl, PtsTensor **out, PtsError *err) {
    *out = NULL;
    memset(sl, 0, sizeof *sl);
    int64_t specified = 0;
    for (int i = 0; i < n; i++) {
        const PtsIndexItem *it = &items[i];
        if (it->kind == PTS_IDX_INT || it->kind == PTS_IDX_SLICE) specified++;
        else if (it->kind == PTS_IDX_TENSOR)
            specified += is_mask_dtype(it->t->dtype) ? it->t->ndim : 1;
    }
    PTS_CHECK(specified <= self->ndim, err, INDEX, "too many indices for tensor of dimension %d", self->ndim);
    PtsTensor *res = pts_tensor_retain(self), *next = NULL;
    int dim = 0;
    PtsStatus s = PTS_OK;
    for (int i = 0; i < n && !s; i++) {
        const PtsIndexItem *it = &items[i];
        next = NULL;
        switch (it->kind) {
        case PTS_IDX_INT:
            s = apply_select(res, dim, it->i, i, &next, err);
            break;
        case PTS_IDX_SLICE:
            s = apply_slice(res, dim, it, disable_opt, &next, err);
            dim++;
            break;
        case PTS_IDX_ELLIPSIS:
            dim += (int)(self->ndim - specified);
            break;
        case PTS_IDX_NONE:
            s = op_unsqueeze(res, dim, &next, err);
            dim++;
            break;
        case PTS_IDX_BOOL: {
            s = op_unsqueeze(res, dim, &next, err);
            PtsTensor *bi;
            if (!s && !(s = bool_index(it->b, &bi, err))) s = record_index(sl, bi, true, &dim, err);
            break;
        }
        case PTS_IDX_TENSOR: {
            PtsTensor *t = it->t;
            if (t->ndim == 0 && pts_dtype_kind(t->dtype) != PTS_KIND_FLOAT) {
                if (t->dtype != PTS_UINT8 && t->dtype != PTS_BOOL) {
                    s = apply_select(res, dim, pts_tensor_item_i64(t), i, &next, err);
                } else {
                    s = op_unsqueeze(res, dim, &next, err);
                    PtsTensor *bi;
                    if (!s && !(s = bool_index(pts_tensor_item_i64(t) != 0, &bi, err)))
                        s = record_index(sl, bi, true, &dim, err);
                }
            } else {
                s = record_index(sl, t, false, &dim, err);
            }
            break;
        }
        default:
            s = pts_fail(err, PTS_ERR_INTERNAL, "bad index item kind %d", it->kind);
        }
        if (next) {
            pts_tensor_release(res);
            res = next;
        }
    }
    if (s) {
        pts_tensor_release(res);
        slicing_free(sl);
        return s;
    }
    *out = res;
    return PTS_OK;
}

static PtsStatus op_index(PtsTensor *t, Slicing *sl, PtsTensor **r, PtsError *err) {
    PtsValue args[2] = { pts_vtensor(t), pts_none() };
    PTS_TRY(pts_list_new(PTS_V_LIST, sl->n, err, &args[1]));
    PtsStatus s = PTS_OK;
    for (int i = 0; i < sl->n && !s; i++)
        s = pts_list_append(args[1], sl->idx[i] ? pts_vtensor(pts_tensor_retain(sl->idx[i])) : pts_none(), err);
    if (!s) s = call_t(PTS_OP_INDEX_TENSOR, args, r, err);
    pts_value_release(&args[1]);
    return s;
}

PtsStatus pts_index_get(PtsTensor *self, const PtsIndexItem *items, int n, bool disable_slice_opt,
                        PtsError *err, PtsTensor **out) {
    *out = NULL;
    PTS_CHECK(n >= 0 && n <= PTS_MAX_INDEX_ITEMS, err, INDEX, "too many indices for tensor of dimension %d",
              self->ndim);
    if (n == 1) {  /* get_item's single-index fast paths */
        const PtsIndexItem *it = &items[0];
        switch (it->kind) {
        case PTS_IDX_INT: return apply_select(self, 0, it->i, 0, out, err);
        case PTS_IDX_SLICE:
            return apply_slice(self, 0, it, true, out, err);
        case PTS_IDX_NONE: return op_unsqueeze(self, 0, out, err);
        case PTS_IDX_ELLIPSIS: return op_alias(self, out, err);
        default: break;
        }
    }
    Slicing sl;
    PtsTensor *sliced;
    PTS_TRY(apply_slicing(self, items, n, disable_slice_opt, &sl, &sliced, err));
    PtsStatus s;
    if (!sl.any) {
        if (sliced == self) {  /* x[...] and friends still return a new tensor */
            s = op_alias(self, out, err);
            pts_tensor_release(sliced);
        } else {
            *out = sliced;
            s = PTS_OK;
        }
        return s;
    }
    s = op_index(sliced, &sl, out, err);
    pts_tensor_release(sliced);
    slicing_free(&sl);
    return s;
}

/* ---- assignment ---- */

/* copy_ and fill_ belong to the factory rows; they are looked up by name once so this file
 * works (unrecorded, through pts_tensor_copy_) while they are absent. */
static int copy_op_id = -2, fill_tensor_id = -2, fill_scalar_id = -2;

/* the id of row `name` if its schema starts (Tensor(a!) self, <second>), else -1 */
static int find_cached(int *slot, const char *name, int second) {
    int v = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (v == -2) {
        v = pts_op_find(name);
        if (v >= 0) {
            const PtsSchema *sc = &pts_op_info[v].schema;
            if (sc->nargs < 2 || sc->args[0].type.kind != PTS_T_TENSOR || sc->args[1].type.kind != second ||
                sc->args[1].type.is_list)
                v = -1;
            for (int i = 2; v >= 0 && i < sc->nargs; i++)
                if (!sc->args[i].has_default) v = -1;
        }
        __atomic_store_n(slot, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* run in-place row id on (dst, x, defaults...) */
static PtsStatus call_inplace(int id, PtsTensor *dst, PtsValue x, PtsError *err) {
    PtsValue args[PTS_MAX_ARGS];
    args[0] = pts_vtensor(dst);
    args[1] = x;
    pts_op_fill_defaults((PtsOpId)id, args, 2);
    PtsTensor *r;
    PTS_TRY(call_t((PtsOpId)id, args, &r, err));
    pts_tensor_release(r);
    return PTS_OK;
}

/* dst.copy_(src) */
static PtsStatus do_copy(PtsTensor *dst, PtsTensor *src, PtsError *err) {
    int id = find_cached(&copy_op_id, "copy_", PTS_T_TENSOR);
    if (id < 0) return pts_tensor_copy_(dst, src, err);
    return call_inplace(id, dst, pts_vtensor(src), err);
}

/* dst.fill_(src) for a 0-dim src: fill_.Tensor, else fill_.Scalar with its value */
static PtsStatus do_fill(PtsTensor *dst, PtsTensor *src, PtsError *err) {
    int id = find_cached(&fill_tensor_id, "fill_.Tensor", PTS_T_TENSOR);
    if (id >= 0) return call_inplace(id, dst, pts_vtensor(src), err);
    id = find_cached(&fill_scalar_id, "fill_.Scalar", PTS_T_SCALAR);
    if (id < 0) return pts_tensor_copy_(dst, src, err);
    PtsValue v = pts_dtype_is_float(src->dtype) ? pts_vdouble(pts_tensor_item_f64(src))
                 : src->dtype == PTS_BOOL     ? pts_vbool(pts_tensor_item_i64(src) != 0)
                                              : pts_vint(pts_tensor_item_i64(src));
    return call_inplace(id, dst, v, err);
}

/* value's shape without leading 1s (slicePrefix1sSize) */
static int strip_ones(const PtsTensor *v, int64_t *shape) {
    int i = 0;
    while (i < v->ndim && v->shape[i] == 1) i++;
    memcpy(shape, v->shape + i, sizeof(int64_t) * (size_t)(v->ndim - i));
    return v->ndim - i;
}

static bool same_shape(const PtsTensor *a, const PtsTensor *b) {
    return a->ndim == b->ndim && memcmp(a->shape, b->shape, sizeof(int64_t) * (size_t)a->ndim) == 0;
}

/* copy_to: copy_ for equal shapes, fill_ for a 0-dim value, else view + expand + copy_ */
static PtsStatus copy_to(PtsTensor *dst, PtsTensor *src, PtsError *err) {
    if (same_shape(dst, src)) return do_copy(dst, src, err);
    if (src->ndim == 0) return do_fill(dst, src, err);
    int64_t shape[PTS_MAX_DIMS];
    int n = strip_ones(src, shape);
    PtsTensor *v, *e;
    PTS_TRY(op_shape(PTS_OP_VIEW, src, n, shape, &v, err));
    PtsStatus s = PTS_OK;
    if (same_shape(dst, v)) e = pts_tensor_retain(v);
    else s = op_shape(PTS_OP_EXPAND, v, dst->ndim, dst->shape, &e, err);
    pts_tensor_release(v);
    if (s) return s;
    s = do_copy(dst, e, err);
    pts_tensor_release(e);
    return s;
}

PtsStatus pts_index_set(PtsTensor *self, const PtsIndexItem *items, int n, PtsTensor *value,
                        bool disable_slice_opt, PtsError *err) {
    PTS_CHECK(n >= 0 && n <= PTS_MAX_INDEX_ITEMS, err, INDEX, "too many indices for tensor of dimension %d",
              self->ndim);
    PtsTensor *dst = NULL;
    PtsStatus s;
    if (n == 1) {  /* set_item's single-index fast paths */
        const PtsIndexItem *it = &items[0];
        switch (it->kind) {
        case PTS_IDX_BOOL:  /* False assigns nothing; True is like None */
            if (!it->b) return PTS_OK;
            PTS_TRY(op_unsqueeze(self, 0, &dst, err));
            break;
        case PTS_IDX_NONE: PTS_TRY(op_unsqueeze(self, 0, &dst, err)); break;
        case PTS_IDX_ELLIPSIS: return copy_to(self, value, err);
        case PTS_IDX_INT: PTS_TRY(apply_select(self, 0, it->i, 0, &dst, err)); break;
        case PTS_IDX_SLICE:
            PTS_TRY(apply_slice(self, 0, it, disable_slice_opt, &dst, err));
            break;
        default: break;
        }
        if (dst) {
            s = copy_to(dst, value, err);
            pts_tensor_release(dst);
            return s;
        }
    }
    Slicing sl;
    PtsTensor *sliced;
    PTS_TRY(apply_slicing(self, items, n, disable_slice_opt, &sl, &sliced, err));
    if (!sl.any) {
        s = copy_to(sliced, value, err);
        pts_tensor_release(sliced);
        return s;
    }
    /* index_put_(sliced, indices, value viewed without leading 1s) */
    int64_t shape[PTS_MAX_DIMS];
    int vn = strip_ones(value, shape);
    PtsTensor *v;
    if (vn != value->ndim) s = op_shape(PTS_OP_VIEW, value, vn, shape, &v, err);
    else { v = pts_tensor_retain(value); s = PTS_OK; }
    if (!s) {
        PtsValue args[4] = { pts_vtensor(sliced), pts_none(), pts_vtensor(v), pts_vbool(false) };
        s = pts_list_new(PTS_V_LIST, sl.n, err, &args[1]);
        for (int i = 0; i < sl.n && !s; i++)
            s = pts_list_append(args[1], sl.idx[i] ? pts_vtensor(pts_tensor_retain(sl.idx[i])) : pts_none(), err);
        PtsTensor *r;
        if (!s && !(s = call_t(PTS_OP_INDEX_PUT_, args, &r, err))) pts_tensor_release(r);
        pts_value_release(&args[1]);
        pts_tensor_release(v);
    }
    pts_tensor_release(sliced);
    slicing_free(&sl);
    return s;
}
