/* k_shape.c: kernels of the shape and view rows in ops_shape.def: views (view, reshape, squeeze,
 * permute, expand, select, slice, split, ...), copies that move data without arithmetic (clone,
 * contiguous, repeat, cat, stack, flip, roll, tril/triu) and the size queries. Views share self's
 * storage with new geometry; "composite" kernels call other rows through pts_op_call, as ATen's
 * CompositeImplicitAutograd ops do, so autograd and the tracer see the inner ops. */
#include <stdio.h>

#include "index.h"

/* ================= helpers ================= */

const char *pts_scalar_type_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "Undefined");
}

#define SHAPE_STR(nd, sh) pts_shape_str((nd), (sh), (char[512]){0}, 512)

/* A borrowed stack copy of t with other geometry, for pts_tensor_copy_ between views without
 * allocating: it shares t's storage pointer but holds no reference. */
static PtsTensor geom(const PtsTensor *t, int nd, const int64_t *shape, const int64_t *strides,
                      int64_t offset) {
    PtsTensor v = *t;
    v.ndim = nd;
    for (int i = 0; i < nd; i++) {
        v.shape[i] = shape[i];
        v.strides[i] = strides[i];
    }
    v.offset = offset;
    v.autograd = NULL;
    v.owner = NULL;
    return v;
}

static PtsStatus ret_tensor(PtsTensor *t, PtsValue *out) {
    out[0] = pts_vtensor(t);
    return PTS_OK;
}

/* a new view of self as out[0] */
static PtsStatus ret_view(const PtsTensor *self, int nd, const int64_t *shape,
                          const int64_t *strides, int64_t offset, PtsValue *out, PtsError *err) {
    PtsTensor *t;
    PTS_TRY(pts_tensor_view(self, nd, shape, strides, offset, err, &t));
    return ret_tensor(t, out);
}

static PtsStatus int_list(PtsValue v, int64_t *xs, int *n, PtsError *err) {
    return pts_value_int_list(v, xs, PTS_MAX_DIMS, n, err);
}

/* Call a row whose first result is a tensor; *res owned. */
static PtsStatus call_t(PtsOpId id, PtsValue *args, PtsTensor **res, PtsError *err) {
    PtsValue out[PTS_MAX_RETS] = { 0 };
    *res = NULL;
    PTS_TRY(pts_op_call(id, args, out, err));
    *res = out[0].u.t;
    return PTS_OK;
}

/* Call a row taking (self, int list) (view, reshape, expand). */
static PtsStatus call_shape_op(PtsOpId id, PtsTensor *self, int n, const int64_t *shape,
                               PtsValue *out, PtsError *err) {
    PtsValue args[3] = { pts_vtensor(self), pts_none(), pts_vbool(false) };
    PTS_TRY(pts_int_list_new(shape, n, err, &args[1]));
    PtsStatus s = pts_op_call(id, args, out, err);
    pts_value_release(&args[1]);
    return s;
}

/* Strides PyTorch gives an empty_like(self, preserve_format) result: self's own strides when
 * self is non-overlapping and dense, else dense strides keeping self's dim order (ATen's
 * infer_dense_strides, the same ordering TensorIterator uses). */
static void preserve_strides(const PtsTensor *t, int64_t *st) {
    int nd = t->ndim;
    int perm[PTS_MAX_DIMS];
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;   /* innermost first */
    for (int i = 1; i < nd; i++) {
        int d1 = i;
        for (int j = 1; j <= i; j++) {
            int d0 = i - j;
            int64_t s0 = t->strides[perm[d0]], s1 = t->strides[perm[d1]];
            int cmp = 0;
            if (s0 == 0 || s1 == 0) cmp = 0;
            else if (s0 < s1) cmp = -1;
            else if (s0 > s1) cmp = 1;
            else if (t->shape[perm[d0]] > t->shape[perm[d1]]) cmp = 1;
            if (cmp > 0) {
                int tmp = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = tmp;
                d1 = d0;
            } else if (cmp < 0) break;
        }
    }
    int64_t cur = 1;
    for (int i = 0; i < nd; i++) {
        st[perm[i]] = cur;
        if (t->shape[perm[i]] > 1) cur *= t->shape[perm[i]];
    }
    /* non-overlapping and dense: keep the exact strides (they differ only on size-1 dims); an
     * empty tensor counts as contiguous in ATen, so it keeps its strides whatever they are */
    bool dense = true;
    for (int i = 0; i < nd; i++)
        if (t->shape[i] == 0) goto keep;
    int64_t need = 1;
    for (int i = 0; i < nd && dense; i++) {
        int d = perm[i];
        if (t->shape[d] < 2) continue;
        if (t->strides[d] != need) dense = false;
        need *= t->shape[d];
    }
    if (!dense || nd == 0) return;
keep:
    memcpy(st, t->strides, sizeof(int64_t) * (size_t)nd);
}

/* A new tensor with t's values; contiguous, or with preserve_format strides. */
static PtsStatus copy_new(PtsTensor *t, bool preserve, PtsError *err, PtsTensor **out) {
    *out = NULL;
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(t->dtype, t->ndim, t->shape, err, &r));
    if (preserve) preserve_strides(t, r->strides);
    PtsStatus s = pts_tensor_copy_(r, t, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    *out = r;
    return PTS_OK;
}

/* ================= view / reshape ================= */

/* Resolve one -1 in shape against numel (ATen's infer_size). */
static PtsStatus infer_size(int64_t *shape, int n, int64_t numel, PtsError *err) {
    int64_t newsize = 1;
    int infer = -1;
    for (int d = 0; d < n; d++) {
        if (shape[d] == -1) {
            PTS_CHECK(infer < 0, err, RUNTIME, "only one dimension can be inferred");
            infer = d;
        } else if (shape[d] >= 0) {
            if (!pts_mul_ok(newsize, shape[d], &newsize)) newsize = INT64_MAX;
        } else {
            return pts_fail(err, PTS_ERR_RUNTIME, "invalid shape dimension %lld at index %d of shape %s",
                            (long long)shape[d], d, SHAPE_STR(n, shape));
        }
    }
    if (numel == newsize || (infer >= 0 && newsize > 0 && numel % newsize == 0)) {
        if (infer >= 0) {
            PTS_CHECK(newsize != 0, err, RUNTIME,
                      "cannot reshape tensor of 0 elements into shape %s because the unspecified "
                      "dimension size -1 can be any value and is ambiguous", SHAPE_STR(n, shape));
            shape[infer] = numel / newsize;
        }
        return PTS_OK;
    }
    return pts_fail(err, PTS_ERR_RUNTIME, "shape '%s' is invalid for input of size %lld",
                    SHAPE_STR(n, shape), (long long)numel);
}

/* Strides for viewing (oshape, ostride) as nshape without copying, if possible (ATen's
 * computeStride): dims are grouped into chunks that are contiguous with each other, and each
 * chunk must map onto whole dims of the new shape. */
static bool compute_stride(int ond, const int64_t *oshape, const int64_t *ostride, int nnd,
                           const int64_t *nshape, int64_t *nstride) {
    if (ond == 0) {
        for (int i = 0; i < nnd; i++) nstride[i] = 1;
        return true;
    }
    int64_t numel = pts_shape_numel(ond, oshape);
    if (numel == 0) {
        if (ond == nnd && memcmp(oshape, nshape, sizeof(int64_t) * (size_t)ond) == 0) {
            memcpy(nstride, ostride, sizeof(int64_t) * (size_t)ond);
            return true;
        }
        for (int d = nnd - 1; d >= 0; d--)
            nstride[d] = d == nnd - 1 ? 1 : (nshape[d + 1] > 1 ? nshape[d + 1] : 1) * nstride[d + 1];
        return true;
    }
    int view_d = nnd - 1;
    int64_t chunk_base = ostride[ond - 1], tensor_numel = 1, view_numel = 1;
    for (int td = ond - 1; td >= 0; td--) {
        tensor_numel *= oshape[td];
        if (td == 0 || (oshape[td - 1] != 1 && ostride[td - 1] != tensor_numel * chunk_base)) {
            while (view_d >= 0 && (view_numel < tensor_numel || nshape[view_d] == 1)) {
                nstride[view_d] = view_numel * chunk_base;
                view_numel *= nshape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel) return false;
            if (td > 0) {
                chunk_base = ostride[td - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

PtsStatus k_VIEW(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], shape, &n, err));
    PTS_TRY(infer_size(shape, n, pts_numel(self), err));
    if (!compute_stride(self->ndim, self->shape, self->strides, n, shape, st))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "view size is not compatible with input tensor's size and stride (at least "
                        "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                        "instead.");
    return ret_view(self, n, shape, st, self->offset, out, err);
}

/* composite: view when the strides allow it, else a contiguous clone viewed */
PtsStatus k_RESHAPE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], shape, &n, err));
    PTS_TRY(infer_size(shape, n, pts_numel(self), err));
    if (compute_stride(self->ndim, self->shape, self->strides, n, shape, st))
        return call_shape_op(PTS_OP_VIEW, self, n, shape, out, err);
    PtsValue cargs[2] = { pts_vtensor(self), pts_vint(0) /* contiguous_format */ };
    PtsTensor *c;
    PTS_TRY(call_t(PTS_OP_CLONE, cargs, &c, err));
    PtsStatus s = call_shape_op(PTS_OP_VIEW, c, n, shape, out, err);
    pts_tensor_release(c);
    return s;
}

PtsStatus k_VIEW_AS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *o = a[1].u.t;
    return call_shape_op(PTS_OP_VIEW, a[0].u.t, o->ndim, o->shape, out, err);
}

PtsStatus k_RESHAPE_AS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *o = a[1].u.t;
    return call_shape_op(PTS_OP_RESHAPE, a[0].u.t, o->ndim, o->shape, out, err);
}

/* composite: reshape (flatten of a single dim returns self itself, as ATen does) */
PtsStatus k_FLATTEN_USING_INTS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int s0, s1;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &s0));
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &s1));
    PTS_CHECK(s0 <= s1, err, RUNTIME, "flatten() has invalid args: start_dim cannot come after end_dim");
    if (self->ndim == 0) {
        int64_t one = 1;
        return call_shape_op(PTS_OP_RESHAPE, self, 1, &one, out, err);
    }
    if (s0 == s1) return ret_tensor(pts_tensor_retain(self), out);
    int64_t shape[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < s0; i++) shape[n++] = self->shape[i];
    int64_t m = 1;
    for (int i = s0; i <= s1; i++) m *= self->shape[i];
    shape[n++] = m;
    for (int i = s1 + 1; i < self->ndim; i++) shape[n++] = self->shape[i];
    return call_shape_op(PTS_OP_RESHAPE, self, n, shape, out, err);
}

/* composite: view */
PtsStatus k_UNFLATTEN_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int d;
    /* torch wraps the dim of a 0-dim tensor strictly (no scalar-as-1-d rule) */
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "unflatten got an unexpected error:\nDimension specified as %lld but "
              "tensor has no dimensions", (long long)a[1].u.i);
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    int64_t sizes[PTS_MAX_DIMS];
    int k;
    PTS_TRY(int_list(a[2], sizes, &k, err));
    PTS_CHECK(k > 0, err, RUNTIME, "unflatten: sizes must be non-empty");
    int64_t dsize = self->ndim ? self->shape[d] : 1;
    PtsError tmp = { 0 };
    if (infer_size(sizes, k, dsize, &tmp))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "unflatten: Provided sizes %s don't multiply up to the size of dim %d (%lld) "
                        "in the input tensor", SHAPE_STR(k, sizes), d, (long long)dsize);
    PTS_CHECK(self->ndim - 1 + k <= PTS_MAX_DIMS, err, RUNTIME,
              "tensors have at most %d dimensions", PTS_MAX_DIMS);
    int64_t shape[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < d; i++) shape[n++] = self->shape[i];
    for (int i = 0; i < k; i++) shape[n++] = sizes[i];
    for (int i = d + 1; i < self->ndim; i++) shape[n++] = self->shape[i];
    return call_shape_op(PTS_OP_VIEW, self, n, shape, out, err);
}

/* ================= squeeze / unsqueeze / permute / transpose ================= */

/* the view of self without the dims flagged in drop[] */
static PtsStatus squeeze_view(PtsTensor *self, const bool *drop, PtsValue *out, PtsError *err) {
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (drop[i] && self->shape[i] == 1) continue;
        shape[n] = self->shape[i];
        st[n++] = self->strides[i];
    }
    return ret_view(self, n, shape, st, self->offset, out, err);
}

PtsStatus k_SQUEEZE(PtsValue *a, PtsValue *out, PtsError *err) {
    bool drop[PTS_MAX_DIMS];
    for (int i = 0; i < PTS_MAX_DIMS; i++) drop[i] = true;
    return squeeze_view(a[0].u.t, drop, out, err);
}

PtsStatus k_SQUEEZE_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    bool drop[PTS_MAX_DIMS] = { 0 };
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    if (self->ndim) drop[d] = true;
    return squeeze_view(self, drop, out, err);
}

/* Wrap a list of dims, rejecting repeats; marks them in seen[]. */
static PtsStatus dim_set(PtsValue v, int ndim, bool *seen, int *dims, int *n, PtsError *err) {
    int64_t xs[PTS_MAX_DIMS];
    PTS_TRY(int_list(v, xs, n, err));
    memset(seen, 0, sizeof(bool) * PTS_MAX_DIMS);
    for (int i = 0; i < *n; i++) {
        int d;
        PTS_TRY(pts_wrap_dim(xs[i], ndim, err, &d));
        PTS_CHECK(!seen[d], err, RUNTIME, "dim %d appears multiple times in the list of dims", d);
        seen[d] = true;
        if (dims) dims[i] = d;
    }
    return PTS_OK;
}

PtsStatus k_SQUEEZE_DIMS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    bool drop[PTS_MAX_DIMS];
    int n;
    PTS_TRY(dim_set(a[1], self->ndim, drop, NULL, &n, err));
    return squeeze_view(self, drop, out, err);
}

PtsStatus k_UNSQUEEZE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim + 1, err, &d));
    PTS_CHECK(self->ndim < PTS_MAX_DIMS, err, RUNTIME, "tensors have at most %d dimensions", PTS_MAX_DIMS);
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i <= self->ndim; i++) {
        if (i == d) {
            shape[n] = 1;
            st[n++] = d >= self->ndim ? 1 : self->shape[d] * self->strides[d];
        }
        if (i < self->ndim) {
            shape[n] = self->shape[i];
            st[n++] = self->strides[i];
        }
    }
    return ret_view(self, n, shape, st, self->offset, out, err);
}

PtsStatus k_PERMUTE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t xs[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], xs, &n, err));
    PTS_CHECK(n == self->ndim, err, RUNTIME,
              "permute(sparse_coo): number of dimensions in the tensor input does not match the "
              "length of the desired ordering of dimensions i.e. input.dim() = %d is not equal to "
              "len(dims) = %d", self->ndim, n);
    bool seen[PTS_MAX_DIMS] = { 0 };
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        int d;
        PTS_TRY(pts_wrap_dim(xs[i], self->ndim, err, &d));
        PTS_CHECK(!seen[d], err, RUNTIME, "permute(): duplicate dims are not allowed.");
        seen[d] = true;
        shape[i] = self->shape[d];
        st[i] = self->strides[d];
    }
    return ret_view(self, n, shape, st, self->offset, out, err);
}

static PtsStatus transpose_view(PtsTensor *self, int64_t d0, int64_t d1, PtsValue *out,
                                PtsError *err) {
    int a, b;
    PTS_TRY(pts_wrap_dim(d0, self->ndim, err, &a));
    PTS_TRY(pts_wrap_dim(d1, self->ndim, err, &b));
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    memcpy(shape, self->shape, sizeof shape);
    memcpy(st, self->strides, sizeof st);
    if (self->ndim) {
        shape[a] = self->shape[b];
        shape[b] = self->shape[a];
        st[a] = self->strides[b];
        st[b] = self->strides[a];
    }
    return ret_view(self, self->ndim, shape, st, self->offset, out, err);
}

PtsStatus k_TRANSPOSE_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    return transpose_view(a[0].u.t, a[1].u.i, a[2].u.i, out, err);
}

/* composite: transpose */
static PtsStatus call_transpose(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[3] = { a[0], a[1], a[2] };
    return pts_op_call(PTS_OP_TRANSPOSE_INT, args, out, err);
}
PtsStatus k_SWAPAXES(PtsValue *a, PtsValue *out, PtsError *err) { return call_transpose(a, out, err); }
PtsStatus k_SWAPDIMS(PtsValue *a, PtsValue *out, PtsError *err) { return call_transpose(a, out, err); }

/* ================= expand ================= */

static PtsStatus expand_geometry(const PtsTensor *self, int n, const int64_t *sizes,
                                 int64_t *shape, int64_t *st, PtsError *err) {
    PTS_CHECK(n >= self->ndim, err, RUNTIME,
              "expand(pyts.%sTensor{%s}, size=%s): the number of sizes provided (%d) must be "
              "greater or equal to the number of dimensions in the tensor (%d)",
              pts_scalar_type_name(self->dtype), SHAPE_STR(self->ndim, self->shape),
              SHAPE_STR(n, sizes), n, self->ndim);
    for (int i = n - 1; i >= 0; i--) {
        int d = self->ndim - n + i;
        int64_t size = d >= 0 ? self->shape[d] : 1;
        int64_t stride = d >= 0 ? self->strides[d] : (i + 1 < n ? shape[i + 1] * st[i + 1] : 1);
        int64_t target = sizes[i];
        if (target == -1) {
            PTS_CHECK(d >= 0, err, RUNTIME,
                      "The expanded size of the tensor (-1) isn't allowed in a leading, "
                      "non-existing dimension %d", i);
            target = size;
        }
        if (size != target) {
            PTS_CHECK(size == 1, err, RUNTIME,
                      "The expanded size of the tensor (%lld) must match the existing size (%lld) "
                      "at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                      (long long)target, (long long)size, i, SHAPE_STR(n, sizes),
                      SHAPE_STR(self->ndim, self->shape));
            size = target;
            stride = 0;
        }
        shape[i] = size;
        st[i] = stride;
    }
    return PTS_OK;
}

PtsStatus k_EXPAND(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t sizes[PTS_MAX_DIMS], shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], sizes, &n, err));
    PTS_TRY(expand_geometry(self, n, sizes, shape, st, err));
    return ret_view(self, n, shape, st, self->offset, out, err);
}

PtsStatus k_EXPAND_AS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *o = a[1].u.t;
    return call_shape_op(PTS_OP_EXPAND, a[0].u.t, o->ndim, o->shape, out, err);
}

/* ================= select / slice / narrow / alias ================= */

PtsStatus k_SELECT_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, INDEX, "select() cannot be applied to a 0-dim tensor.");
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    int64_t size = self->shape[d], index = a[2].u.i;
    if (index < -size || index >= size)
        return pts_fail(err, PTS_ERR_INDEX, "select(): index %lld out of range for tensor of size %s "
                        "at dimension %d", (long long)index, SHAPE_STR(self->ndim, self->shape), d);
    if (index < 0) index += size;
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (i == d) continue;
        shape[n] = self->shape[i];
        st[n++] = self->strides[i];
    }
    return ret_view(self, n, shape, st, self->offset + index * self->strides[d], out, err);
}

/* the slice geometry of ATen's slice(): clamps start/end into [0, size] */
static void slice_geometry(const PtsTensor *self, int d, int64_t start, int64_t end, int64_t step,
                           int64_t *shape, int64_t *st, int64_t *offset) {
    int64_t size = self->shape[d];
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    else if (start >= size) start = size;
    if (end < start) end = start;
    else if (end >= size) end = size;
    memcpy(shape, self->shape, sizeof(int64_t) * PTS_MAX_DIMS);
    memcpy(st, self->strides, sizeof(int64_t) * PTS_MAX_DIMS);
    int64_t len = end - start;
    shape[d] = len / step + (len % step != 0);
    st[d] = self->strides[d] * step;
    *offset = self->offset + start * self->strides[d];
}

PtsStatus k_SLICE_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, INDEX, "slice() cannot be applied to a 0-dim tensor.");
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    int64_t start = a[2].tag == PTS_V_INT ? a[2].u.i : 0;
    int64_t end = a[3].tag == PTS_V_INT ? a[3].u.i : INT64_MAX;
    int64_t step = a[4].u.i;
    PTS_CHECK(step > 0, err, RUNTIME, "slice step must be positive");
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS], off;
    slice_geometry(self, d, start, end, step, shape, st, &off);
    return ret_view(self, self->ndim, shape, st, off, out, err);
}

/* composite: slice */
PtsStatus k_NARROW(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "narrow() cannot be applied to a 0-dim tensor.");
    PTS_CHECK(a[3].u.i >= 0, err, RUNTIME, "narrow(): length must be non-negative.");
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    int64_t cur = self->shape[d], start = a[2].u.i, len = a[3].u.i;
    if (start < -cur || start > cur)
        return pts_fail(err, PTS_ERR_INDEX, "start out of range (expected to be in range of [%lld, "
                        "%lld], but got %lld)", (long long)-cur, (long long)cur, (long long)start);
    if (start < 0) start += cur;
    PTS_CHECK(start <= cur - len, err, RUNTIME, "start (%lld) + length (%lld) exceeds dimension size (%lld).",
              (long long)start, (long long)len, (long long)cur);
    PtsValue args[5] = { a[0], pts_vint(d), pts_vint(start), pts_vint(start + len), pts_vint(1) };
    return pts_op_call(PTS_OP_SLICE_TENSOR, args, out, err);
}

PtsStatus k_ALIAS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *s = a[0].u.t;
    return ret_view(s, s->ndim, s->shape, s->strides, s->offset, out, err);
}

PtsStatus k_DETACH(PtsValue *a, PtsValue *out, PtsError *err) { return k_ALIAS(a, out, err); }

/* ================= split / chunk / unbind ================= */

/* out[0] = list of slices of self along d at the given lengths (views) */
static PtsStatus split_views(PtsTensor *self, int d, const int64_t *lens, int64_t n, PtsValue *out,
                             PtsError *err) {
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, &list));
    int64_t start = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS], off;
        slice_geometry(self, d, start, start + lens[i], 1, shape, st, &off);
        start += lens[i];
        PtsTensor *v;
        PtsStatus s = pts_tensor_view(self, self->ndim, shape, st, off, err, &v);
        if (!s) s = pts_list_append(list, pts_vtensor(v), err);
        if (s) { pts_value_release(&list); return s; }
    }
    out[0] = list;
    return PTS_OK;
}

PtsStatus k_SPLIT_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "split expects at least a 1-dimensional tensor");
    int64_t ss = a[1].u.i;
    PTS_CHECK(ss >= 0, err, RUNTIME, "split expects split_size be non-negative, but got split_size=%lld",
              (long long)ss);
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    int64_t size = self->shape[d];
    PTS_CHECK(ss > 0 || size == 0, err, RUNTIME,
              "split_size can only be 0 if dimension size is 0, but got dimension size of %lld",
              (long long)size);
    int64_t n = 1;
    if (ss) n = (size + ss - 1) / ss > 1 ? (size + ss - 1) / ss : 1;
    int64_t *lens = pts_malloc(sizeof(int64_t) * (size_t)n);
    if (!lens) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) lens[i] = i < n - 1 ? ss : ss - (ss * n - size);
    PtsStatus s = split_views(self, d, lens, n, out, err);
    pts_free(lens);
    return s;
}

PtsStatus k_SPLIT_WITH_SIZES(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "split expects at least a 1-dimensional tensor");
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    PTS_CHECK(a[1].tag == PTS_V_LIST, err, TYPE, "split_with_sizes expects a list of ints");
    PtsList *l = pts_as_list(a[1]);
    int64_t n = l->len, sum = 0;
    int64_t *lens = pts_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!lens) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsBuf b;
    pts_buf_init(&b);
    for (int64_t i = 0; i < n; i++) {
        if (l->items[i].tag != PTS_V_INT) {
            pts_free(lens);
            pts_buf_free(&b);
            return pts_fail(err, PTS_ERR_TYPE, "split_with_sizes expects a list of ints");
        }
        lens[i] = l->items[i].u.i;
        pts_buf_printf(&b, i ? ", %lld" : "%lld", (long long)lens[i]);
        sum += lens[i];
    }
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < n && !s; i++)
        if (lens[i] < 0)
            s = pts_fail(err, PTS_ERR_RUNTIME, "split_with_sizes expects split_sizes have only "
                         "non-negative entries, but got split_sizes=[%s]", b.data ? b.data : "");
    if (!s && sum != self->shape[d])
        s = pts_fail(err, PTS_ERR_RUNTIME, "split_with_sizes expects split_sizes to sum exactly to "
                     "%lld (input tensor's size at dimension %d), but got split_sizes=[%s]",
                     (long long)self->shape[d], d, b.data ? b.data : "");
    if (!s) s = split_views(self, d, lens, n, out, err);
    pts_buf_free(&b);
    pts_free(lens);
    return s;
}

/* composite: split_with_sizes */
PtsStatus k_SPLIT_SIZES(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[3] = { a[0], a[1], a[2] };
    return pts_op_call(PTS_OP_SPLIT_WITH_SIZES, args, out, err);
}

/* composite: split, or split_with_sizes when everything is empty (keeps `chunks` pieces) */
PtsStatus k_CHUNK(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "chunk expects at least a 1-dimensional tensor");
    int64_t chunks = a[1].u.i;
    PTS_CHECK(chunks > 0, err, RUNTIME, "chunk expects `chunks` to be greater than 0, got: %lld",
              (long long)chunks);
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    int64_t size = self->shape[d];
    int64_t ss = size / chunks + (size % chunks != 0);
    if (ss == 0 && size == 0) {
        PTS_CHECK(chunks <= 1 << 20, err, RUNTIME, "chunk: too many chunks");
        PtsValue args[3] = { a[0], pts_none(), pts_vint(d) };
        PTS_TRY(pts_list_new(PTS_V_LIST, chunks, err, &args[1]));
        for (int64_t i = 0; i < chunks; i++) pts_as_list(args[1])->items[i] = pts_vint(0);
        pts_as_list(args[1])->len = chunks;
        PtsStatus s = pts_op_call(PTS_OP_SPLIT_WITH_SIZES, args, out, err);
        pts_value_release(&args[1]);
        return s;
    }
    PtsValue args[3] = { a[0], pts_vint(ss), pts_vint(d) };
    return pts_op_call(PTS_OP_SPLIT_TENSOR, args, out, err);
}

PtsStatus k_UNBIND_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, INDEX, "Dimension specified as %lld but tensor has no dimensions",
              (long long)a[1].u.i);
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, self->shape[d], err, &list));
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (i == d) continue;
        shape[n] = self->shape[i];
        st[n++] = self->strides[i];
    }
    for (int64_t i = 0; i < self->shape[d]; i++) {
        PtsTensor *v;
        PtsStatus s = pts_tensor_view(self, n, shape, st, self->offset + i * self->strides[d], err, &v);
        if (!s) s = pts_list_append(list, pts_vtensor(v), err);
        if (s) { pts_value_release(&list); return s; }
    }
    out[0] = list;
    return PTS_OK;
}

/* ================= copies ================= */

/* memory_format values: None / "preserve_format" / 1 keep the layout; anything else is
 * contiguous (PyTorch's MemoryFormat enum numbers Contiguous 0, Preserve 1). */
static bool wants_preserve(PtsValue mf) {
    if (mf.tag == PTS_V_NONE) return true;
    if (mf.tag == PTS_V_STR) return strcmp(pts_as_str(mf)->data, "preserve_format") == 0;
    if (mf.tag == PTS_V_INT) return mf.u.i == 1;
    return false;
}

PtsStatus k_CLONE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    PTS_TRY(copy_new(a[0].u.t, wants_preserve(a[1]), err, &r));
    return ret_tensor(r, out);
}

/* composite: self when already contiguous, else clone */
PtsStatus k_CONTIGUOUS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    if (pts_tensor_is_contiguous(self)) return ret_tensor(pts_tensor_retain(self), out);
    PtsValue args[2] = { a[0], pts_vint(0) };
    return pts_op_call(PTS_OP_CLONE, args, out, err);
}

PtsStatus k_REPEAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t reps[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], reps, &n, err));
    PTS_CHECK(n >= self->ndim, err, RUNTIME,
              "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    int64_t xs[PTS_MAX_DIMS], xst[PTS_MAX_DIMS], shape[PTS_MAX_DIMS];
    int pad = n - self->ndim;
    for (int i = 0; i < n; i++) {
        xs[i] = i < pad ? 1 : self->shape[i - pad];
        xst[i] = i < pad ? 0 : self->strides[i - pad];
        if (!pts_mul_ok(xs[i], reps[i], &shape[i])) shape[i] = INT64_MAX;
    }
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(self->dtype, n, shape, err, &r));
    if (pts_numel(r) == 0) return ret_tensor(r, out);
    /* r viewed as (reps[i], xs[i]) pairs, src as (reps[i] with stride 0, xs[i]); a pair collapses
     * to one dim when either side is 1 */
    int64_t ds[PTS_MAX_DIMS], dst[PTS_MAX_DIMS], sst[PTS_MAX_DIMS];
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (reps[i] != 1) {
            if (m == PTS_MAX_DIMS) goto too_many;
            ds[m] = reps[i];
            dst[m] = xs[i] * r->strides[i];
            sst[m++] = 0;
        }
        if (xs[i] != 1 || reps[i] == 1) {
            if (m == PTS_MAX_DIMS) goto too_many;
            ds[m] = xs[i];
            dst[m] = r->strides[i];
            sst[m++] = xst[i];
        }
    }
    PtsTensor dv = geom(r, m, ds, dst, 0), sv = geom(self, m, ds, sst, self->offset);
    PtsStatus s = pts_tensor_copy_(&dv, &sv, err);
    if (s) { pts_tensor_release(r); return s; }
    return ret_tensor(r, out);
too_many:
    pts_tensor_release(r);
    return pts_fail(err, PTS_ERR_RUNTIME, "repeat: too many repeated dimensions (limit %d)", PTS_MAX_DIMS);
}

/* ---- cat / stack ---- */

static PtsStatus tensor_list(PtsValue v, const char *fn, PtsList **out, PtsError *err) {
    PTS_CHECK(v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE, err, TYPE, "%s(): expected a list of Tensors", fn);
    PtsList *l = pts_as_list(v);
    for (int64_t i = 0; i < l->len; i++) {
        PtsValue e = l->items[i];
        if (e.tag != PTS_V_TENSOR || (e.u.t->flags & PTS_TF_WRAPPED_NUMBER)) {
            const char *got = e.tag != PTS_V_TENSOR ? "value" : pts_dtype_is_float(e.u.t->dtype) ? "float"
                              : e.u.t->dtype == PTS_BOOL ? "bool" : "int";
            return pts_fail(err, PTS_ERR_TYPE, "expected Tensor as element %lld in argument 0, but got %s",
                            (long long)i, got);
        }
    }
    *out = l;
    return PTS_OK;
}

static bool cat_skip(const PtsTensor *t) { return t->ndim == 1 && t->shape[0] == 0; }

static PtsStatus cat_impl(PtsValue tv, int64_t dim, PtsError *err, PtsTensor **out) {
    *out = NULL;
    PtsList *l;
    PTS_TRY(tensor_list(tv, "cat", &l, err));
    int64_t n = l->len;
    for (int64_t i = 0; i < n; i++)
        PTS_CHECK(l->items[i].u.t->ndim > 0, err, RUNTIME,
                  "zero-dimensional tensor (at position %lld) cannot be concatenated", (long long)i);
    PTS_CHECK(n > 0, err, VALUE, "torch.cat(): expected a non-empty list of Tensors");
    PtsTensor **ts = pts_malloc(sizeof(PtsTensor *) * (size_t)n);
    if (!ts) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) ts[i] = l->items[i].u.t;
    PtsDType dt = pts_result_type(ts, (int)(n > INT32_MAX ? INT32_MAX : n));
    PtsStatus s = PTS_OK;
    int64_t valid = -1;
    for (int64_t i = 0; i < n; i++)
        if (!cat_skip(ts[i])) { valid = i; break; }
    PtsTensor *r = NULL;
    if (valid < 0) {
        int64_t zero = 0;
        s = pts_tensor_new(dt, 1, &zero, err, &r);
        goto done;
    }
    const PtsTensor *first = ts[valid];
    int d;
    if ((s = pts_wrap_dim(dim, first->ndim, err, &d))) goto done;
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, first->shape, sizeof shape);
    shape[d] = 0;
    for (int64_t i = 0; i < n; i++) {
        const PtsTensor *t = ts[i];
        if (cat_skip(t)) continue;
        if (t->ndim != first->ndim) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "Tensors must have same number of dimensions: got %d and %d",
                         first->ndim, t->ndim);
            goto done;
        }
        for (int k = 0; k < t->ndim; k++) {
            if (k == d || t->shape[k] == first->shape[k]) continue;
            s = pts_fail(err, PTS_ERR_RUNTIME, "Sizes of tensors must match except in dimension %d. "
                         "Expected size %lld but got size %lld for tensor number %lld in the list.",
                         d, (long long)first->shape[k], (long long)t->shape[k], (long long)i);
            goto done;
        }
        shape[d] += t->shape[d];
    }
    if ((s = pts_tensor_new(dt, first->ndim, shape, err, &r))) goto done;
    int64_t at = 0;
    for (int64_t i = 0; i < n && !s; i++) {
        const PtsTensor *t = ts[i];
        if (cat_skip(t)) continue;
        int64_t sh[PTS_MAX_DIMS];
        memcpy(sh, r->shape, sizeof sh);
        sh[d] = t->shape[d];
        PtsTensor part = geom(r, r->ndim, sh, r->strides, at * r->strides[d]);
        s = pts_tensor_copy_(&part, t, err);
        at += t->shape[d];
    }
    if (!s) atomic_store(&r->storage->version, 0);
done:
    pts_free(ts);
    if (s) { pts_tensor_release(r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus k_CAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    PTS_TRY(cat_impl(a[0], a[1].u.i, err, &r));
    return ret_tensor(r, out);
}

PtsStatus k_CAT_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r, *o = a[2].u.t;
    PTS_TRY(cat_impl(a[0], a[1].u.i, err, &r));
    PtsStatus s = pts_out_assign(o, r, err);
    pts_tensor_release(r);
    if (s) return s;
    return ret_tensor(pts_tensor_retain(o), out);
}

/* composite: unsqueeze each, then cat */
PtsStatus k_STACK(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *l;
    PTS_TRY(tensor_list(a[0], "stack", &l, err));
    PTS_CHECK(l->len > 0, err, RUNTIME, "stack expects a non-empty TensorList");
    const PtsTensor *t0 = l->items[0].u.t;
    for (int64_t i = 1; i < l->len; i++) {
        const PtsTensor *t = l->items[i].u.t;
        if (t->ndim != t0->ndim || memcmp(t->shape, t0->shape, sizeof(int64_t) * (size_t)t->ndim))
            return pts_fail(err, PTS_ERR_RUNTIME, "stack expects each tensor to be equal size, but got "
                            "%s at entry 0 and %s at entry %lld", SHAPE_STR(t0->ndim, t0->shape),
                            SHAPE_STR(t->ndim, t->shape), (long long)i);
    }
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, t0->ndim + 1, err, &d));
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, &list));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < l->len && !s; i++) {
        PtsValue args[2] = { l->items[i], pts_vint(d) };
        PtsTensor *u;
        s = call_t(PTS_OP_UNSQUEEZE, args, &u, err);
        if (!s) s = pts_list_append(list, pts_vtensor(u), err);
    }
    if (!s) {
        PtsValue args[2] = { list, pts_vint(d) };
        s = pts_op_call(PTS_OP_CAT, args, out, err);
    }
    pts_value_release(&list);
    return s;
}

/* ---- flip / roll ---- */

PtsStatus k_FLIP(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t xs[PTS_MAX_DIMS];
    int n;
    PTS_TRY(int_list(a[1], xs, &n, err));
    bool flip[PTS_MAX_DIMS] = { 0 };
    for (int i = 0; i < n; i++) {
        int d;
        PTS_TRY(pts_wrap_dim(xs[i], self->ndim, err, &d));
        PTS_CHECK(!flip[d], err, RUNTIME, "dim %d appears multiple times in the list of dims", d);
        flip[d] = true;
    }
    /* copy from a view with negated strides on the flipped dims */
    int64_t st[PTS_MAX_DIMS], off = self->offset;
    for (int i = 0; i < self->ndim; i++) {
        st[i] = flip[i] ? -self->strides[i] : self->strides[i];
        if (flip[i] && self->shape[i] > 0) off += (self->shape[i] - 1) * self->strides[i];
    }
    PtsTensor v = geom(self, self->ndim, self->shape, st, pts_numel(self) ? off : self->offset);
    /* the result takes self's layout (empty_like with preserve_format), not the flipped view's */
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(self->dtype, self->ndim, self->shape, err, &r));
    preserve_strides(self, r->strides);
    PtsStatus s = pts_tensor_copy_(r, &v, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    return ret_tensor(r, out);
}

/* contiguous copy of t rolled by `shift` along d */
static PtsStatus roll1(PtsTensor *t, int64_t shift, int64_t dim, PtsError *err, PtsTensor **out) {
    *out = NULL;
    int d;
    PTS_TRY(pts_wrap_dim(dim, t->ndim, err, &d));
    if (t->ndim == 0) return pts_tensor_to(t, t->dtype, true, err, out);
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(t->dtype, t->ndim, t->shape, err, &r));
    int64_t size = t->shape[d];
    if (size > 0 && pts_numel(t) > 0) {
        int64_t start = (size - shift % size) % size;
        if (start < 0) start += size;
        /* r[0 : size-start] = t[start:], r[size-start :] = t[:start] */
        int64_t sh[PTS_MAX_DIMS];
        memcpy(sh, t->shape, sizeof sh);
        sh[d] = size - start;
        PtsTensor dst = geom(r, r->ndim, sh, r->strides, 0);
        PtsTensor src = geom(t, t->ndim, sh, t->strides, t->offset + start * t->strides[d]);
        PtsStatus s = pts_tensor_copy_(&dst, &src, err);
        sh[d] = start;
        dst = geom(r, r->ndim, sh, r->strides, (size - start) * r->strides[d]);
        src = geom(t, t->ndim, sh, t->strides, t->offset);
        if (!s && start) s = pts_tensor_copy_(&dst, &src, err);
        if (s) { pts_tensor_release(r); return s; }
        atomic_store(&r->storage->version, 0);
    }
    *out = r;
    return PTS_OK;
}

PtsStatus k_ROLL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t shifts[PTS_MAX_DIMS], dims[PTS_MAX_DIMS];
    int ns, nd;
    PTS_TRY(int_list(a[1], shifts, &ns, err));
    PTS_TRY(int_list(a[2], dims, &nd, err));
    PTS_CHECK(ns > 0, err, RUNTIME, "`shifts` required");
    if (nd == 0 && ns == 1) {
        /* roll the flattened tensor, then restore the shape */
        PtsTensor *c, *r;
        PTS_TRY(pts_tensor_contiguous(self, err, &c));
        int64_t n = pts_numel(self);
        PtsTensor flat = geom(c, 1, &n, (int64_t[]){ 1 }, c->offset);
        PtsStatus s = roll1(&flat, shifts[0], 0, err, &r);
        pts_tensor_release(c);
        if (s) return s;
        r->ndim = self->ndim;
        memcpy(r->shape, self->shape, sizeof r->shape);
        pts_contiguous_strides(r->ndim, r->shape, r->strides);
        return ret_tensor(r, out);
    }
    PTS_CHECK(ns == nd, err, RUNTIME, "shifts and dimensions must align. shifts: %d, dims:%d", ns, nd);
    PtsTensor *cur = pts_tensor_retain(self);
    for (int i = 0; i < ns; i++) {
        PtsTensor *r;
        PtsStatus s = roll1(cur, shifts[i], dims[i], err, &r);
        pts_tensor_release(cur);
        if (s) return s;
        cur = r;
    }
    return ret_tensor(cur, out);
}

/* ---- tril / triu ---- */

/* Zero the elements of t above (tril) or below (triu) the k-th diagonal of its last two dims. */
static void tri_zero(PtsTensor *t, int64_t k, bool lower) {
    int nd = t->ndim;
    int64_t rows = t->shape[nd - 2], cols = t->shape[nd - 1];
    int64_t rs = t->strides[nd - 2], cs = t->strides[nd - 1];
    int64_t isz = (int64_t)pts_dtype_size(t->dtype);
    int64_t nb = pts_shape_numel(nd - 2, t->shape);
    if (nb == 0 || rows == 0 || cols == 0) return;
    int64_t idx[PTS_MAX_DIMS] = { 0 };
    char *base = pts_tensor_data(t);
    for (int64_t b = 0; b < nb; b++) {
        int64_t off = 0;
        for (int i = 0; i < nd - 2; i++) off += idx[i] * t->strides[i];
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++) {
                bool zero = lower ? j - i > k : j - i < k;
                if (zero) memset(base + (off + i * rs + j * cs) * isz, 0, (size_t)isz);
            }
        for (int i = nd - 3; i >= 0; i--) {
            if (++idx[i] < t->shape[i]) break;
            idx[i] = 0;
        }
    }
}

static PtsStatus tri(PtsValue *a, PtsValue *out, PtsError *err, bool lower, bool inplace) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim >= 2, err, RUNTIME, "%s: input tensor must have at least 2 dimensions",
              lower ? "tril" : "triu");
    PtsTensor *r;
    if (inplace) {
        r = pts_tensor_retain(self);
        pts_tensor_bump_version(r);
    } else {
        PTS_TRY(pts_tensor_to(self, self->dtype, true, err, &r));
    }
    tri_zero(r, a[1].u.i, lower);
    return ret_tensor(r, out);
}

PtsStatus k_TRIL(PtsValue *a, PtsValue *out, PtsError *err) { return tri(a, out, err, true, false); }
PtsStatus k_TRIL_(PtsValue *a, PtsValue *out, PtsError *err) { return tri(a, out, err, true, true); }
PtsStatus k_TRIU(PtsValue *a, PtsValue *out, PtsError *err) { return tri(a, out, err, false, false); }
PtsStatus k_TRIU_(PtsValue *a, PtsValue *out, PtsError *err) { return tri(a, out, err, false, true); }

/* ================= queries ================= */

PtsStatus k_SIZE_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, INDEX, "dimension specified as %lld but tensor has no dimensions",
              (long long)a[1].u.i);
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    out[0] = pts_vint(self->shape[d]);
    return PTS_OK;
}

PtsStatus k_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vint(a[0].u.t->ndim);
    return PTS_OK;
}

PtsStatus k_NUMEL(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vint(pts_numel(a[0].u.t));
    return PTS_OK;
}

/* ================= dtype conversion ================= */

/* aten::_to_copy: a new tensor of the requested dtype laid out like self (preserve_format). */
PtsStatus k__TO_COPY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t, *r;
    PtsDType dt = a[1].tag == PTS_V_NONE ? t->dtype : (PtsDType)a[1].u.i;
    PTS_TRY(pts_tensor_new(dt, t->ndim, t->shape, err, &r));
    if (wants_preserve(a[6])) preserve_strides(t, r->strides);
    PtsStatus s = pts_tensor_copy_(r, t, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    return ret_tensor(r, out);
}

/* The to() overloads: self itself unless the dtype changes or a copy is asked for. */
static PtsStatus to_dtype(PtsValue self, PtsValue dtype, bool copy, PtsValue memfmt, PtsValue *out,
                          PtsError *err) {
    PtsTensor *t = self.u.t;
    /* to.prim_dtype takes a plain int from scripts: 2**40 must not wrap to a valid dtype */
    PTS_CHECK(dtype.tag == PTS_V_NONE || pts_dtype_valid(dtype.u.i < 0 || dtype.u.i > 255 ? -1 : (int)dtype.u.i),
              err, RUNTIME, "Unknown ScalarType %lld", (long long)dtype.u.i);
    if (!copy && (dtype.tag == PTS_V_NONE || dtype.u.i == (int64_t)t->dtype))
        return ret_tensor(pts_tensor_retain(t), out);
    PtsValue args[7] = { self, dtype, pts_none(), pts_none(), pts_none(), pts_vbool(false), memfmt };
    return pts_op_call(PTS_OP__TO_COPY, args, out, err);
}

PtsStatus k_TO_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], a[1], a[3].u.b, a[4], out, err);
}
PtsStatus k_TO_OTHER(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], pts_vint(a[1].u.t->dtype), a[3].u.b, a[4], out, err);
}
PtsStatus k_TO_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], a[2], a[4].u.b, a[5], out, err);
}
PtsStatus k_TO_DTYPE_LAYOUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], a[1], a[6].u.b, a[7], out, err);
}
PtsStatus k_TO_PRIM_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], a[2], a[4].u.b, pts_none(), out, err);
}
PtsStatus k_TO_PRIM_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], a[1], a[3].u.b, pts_none(), out, err);
}
PtsStatus k_TO_PRIM_OTHER(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], pts_none(), a[2].u.b, pts_none(), out, err);
}
/* type_as(self, other) is self.to(other.dtype), as in ATen */
PtsStatus k_TYPE_AS(PtsValue *a, PtsValue *out, PtsError *err) {
    return to_dtype(a[0], pts_vint(a[1].u.t->dtype), false, pts_none(), out, err);
}
