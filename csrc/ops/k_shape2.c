/* k_shape2.c: kernels of the rows in ops_shape2.def. Primitives (diagonal, diag_embed, rot90,
 * narrow_copy, take, repeat_interleave.Tensor, tril/triu_indices) compute directly; the rest are
 * composite, as ATen's CompositeImplicitAutograd ops: they call other rows through pts_op_call,
 * so autograd records their inner ops and the tracer records the row itself. Checks and messages
 * follow ATen's (TensorShape.cpp, Repeat.cpp, ReduceOps.cpp, TensorFactories.cpp). */
#include <stdatomic.h>
#include <stdio.h>

#include "builtin.h"
#include "index.h"

#define SHAPE_STR(nd, sh) pts_shape_str((nd), (sh), (char[512]){0}, 512)

/* ================= helpers ================= */


/* row(t, int list) (view, reshape, permute, flip) */
static PtsStatus opt_ints(PtsOpId id, PtsTensor *t, int n, const int64_t *xs, PtsError *err, PtsTensor **res) {
    PtsValue a[2] = { pts_vtensor(t), pts_none() };
    PTS_TRY(pts_int_list_new(xs, n, err, &a[1]));
    PtsStatus s = pts_op_call_t(id, 2, a, err, res);
    pts_value_release(&a[1]);
    return s;
}

static PtsStatus ret_tensor(PtsTensor *t, PtsValue *out) {
    out[0] = pts_vtensor(t);
    return PTS_OK;
}

/* A Tensor[] argument: every element a tensor (scripts and bindings type it already; this keeps
 * the C entry points safe on their own). */
static PtsStatus tensor_list(PtsValue v, const char *fn, PtsList **out, PtsError *err) {
    PTS_CHECK(v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE, err, TYPE, "%s(): expected a list of Tensors", fn);
    PtsList *l = pts_as_list(v);
    for (int64_t i = 0; i < l->len; i++)
        PTS_CHECK(l->items[i].tag == PTS_V_TENSOR, err, TYPE,
                  "%s(): expected Tensor as element %lld in argument 0", fn, (long long)i);
    *out = l;
    return PTS_OK;
}

/* out[0] = a new list holding row id applied to each tensor of l (with extra int args) */
static PtsStatus map_list(PtsOpId id, PtsList *l, PtsValue *out, PtsError *err) {
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, &list));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < l->len && !s; i++) {
        PtsTensor *r;
        s = pts_op_call_t(id, 1, &l->items[i], err, &r);
        if (!s) s = pts_list_append(list, pts_vtensor(r), err);
    }
    if (s) { pts_value_release(&list); return s; }
    out[0] = list;
    return PTS_OK;
}

/* The out= rows: compute with the functional row, then write into out (resized as ATen does). */
static PtsStatus out_variant(PtsOpId id, int n, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r, *o = a[n].u.t;
    PTS_TRY(pts_op_call_t(id, n, a, err, &r));
    PtsStatus s = pts_out_assign(o, r, err);
    pts_tensor_release(r);
    if (s) return s;
    return ret_tensor(pts_tensor_retain(o), out);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* ================= diagonals ================= */

/* Geometry of self.diagonal(offset, d1, d2) (dims already wrapped and distinct): the two dims
 * dropped and the diagonal appended last, as ATen lays it out. */
static int diag_geometry(const PtsTensor *t, int64_t offset, int d1, int d2, int64_t *shape,
                         int64_t *st, int64_t *off) {
    int64_t s1 = t->shape[d1], s2 = t->shape[d2], n;
    /* compared before subtracting, so any int64 offset is safe */
    if (offset >= 0) n = offset >= s2 ? 0 : min64(s1, s2 - offset);
    else n = offset <= -s1 ? 0 : min64(s1 + offset, s2);
    *off = t->offset;
    if (n > 0) *off += offset >= 0 ? offset * t->strides[d2] : -offset * t->strides[d1];
    int k = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d1 || i == d2) continue;
        shape[k] = t->shape[i];
        st[k++] = t->strides[i];
    }
    shape[k] = n;
    st[k++] = t->strides[d1] + t->strides[d2];
    return k;
}

static PtsStatus wrap_pair(int64_t a, int64_t b, int ndim, int *d1, int *d2, PtsError *err) {
    PTS_TRY(pts_wrap_dim(a, ndim, err, d1));
    PTS_TRY(pts_wrap_dim(b, ndim, err, d2));
    PTS_CHECK(*d1 != *d2, err, RUNTIME, "diagonal dimensions cannot be identical %lld, %lld", (long long)a, (long long)b);
    return PTS_OK;
}

PtsStatus k_DIAGONAL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *r;
    int d1, d2;
    PTS_TRY(wrap_pair(a[2].u.i, a[3].u.i, self->ndim, &d1, &d2, err));
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS], off;
    int n = diag_geometry(self, a[1].u.i, d1, d2, shape, st, &off);
    PTS_TRY(pts_tensor_view(self, n, shape, st, off, err, &r));
    return ret_tensor(r, out);
}

PtsStatus k_DIAG_EMBED(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *r;
    int nd = self->ndim + 1, d1, d2;
    PTS_TRY(wrap_pair(a[2].u.i, a[3].u.i, nd, &d1, &d2, err));
    PTS_CHECK(self->ndim > 0, err, INDEX, "Dimension specified as -1 but tensor has no dimensions");
    PTS_CHECK(nd <= PTS_MAX_DIMS, err, RUNTIME, "tensors have at most %d dimensions", PTS_MAX_DIMS);
    int64_t offset = a[1].u.i, last = self->shape[self->ndim - 1];
    PTS_CHECK(offset > -(INT64_MAX - last) && offset < INT64_MAX - last, err, RUNTIME,
              "diag_embed: offset %lld is too large", (long long)offset);
    int64_t len = (offset < 0 ? -offset : offset) + last;
    int64_t sizes[PTS_MAX_DIMS];
    int lo = d1 < d2 ? d1 : d2, hi = d1 < d2 ? d2 : d1, k = 0;
    for (int i = 0; i < nd; i++) sizes[i] = (i == lo || i == hi) ? len : self->shape[k++];
    PTS_TRY(pts_tensor_zeros(self->dtype, nd, sizes, err, &r));
    int64_t shape[PTS_MAX_DIMS], st[PTS_MAX_DIMS], off;
    int n = diag_geometry(r, offset, d1, d2, shape, st, &off);
    PtsTensor v = *r;   /* a borrowed view of r's diagonal, for the copy */
    v.ndim = n;
    memcpy(v.shape, shape, sizeof(int64_t) * (size_t)n);
    memcpy(v.strides, st, sizeof(int64_t) * (size_t)n);
    v.offset = off;
    v.autograd = NULL;
    v.owner = NULL;
    PtsStatus s = pts_tensor_copy_(&v, self, err);
    if (s) { pts_tensor_release(r); return s; }
    atomic_store(&r->storage->version, 0);
    return ret_tensor(r, out);
}

PtsStatus k_DIAG_EMBED_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return out_variant(PTS_OP_DIAG_EMBED, 4, a, out, err);
}

/* composite: diag_embed of a vector, a copy of a matrix's diagonal */
PtsStatus k_DIAG(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim == 1 || self->ndim == 2, err, RUNTIME, "diag(): Supports 1D or 2D tensors. Got %dD", self->ndim);
    if (self->ndim == 1) {
        PtsValue args[4] = { a[0], a[1], pts_vint(0), pts_vint(1) };
        return pts_op_call_n(PTS_OP_DIAG_EMBED, 4, args, out, err);
    }
    PtsValue args[4] = { a[0], a[1], pts_vint(0), pts_vint(1) };
    PtsTensor *d;
    PTS_TRY(pts_op_call_t(PTS_OP_DIAGONAL, 4, args, err, &d));
    PtsValue cargs[2] = { pts_vtensor(d), pts_vint(0) /* contiguous_format */ };
    PtsStatus s = pts_op_call_n(PTS_OP_CLONE, 2, cargs, out, err);
    pts_tensor_release(d);
    return s;
}

PtsStatus k_DIAG_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_DIAG, 2, a, out, err); }

/* composite: self.contiguous().view(-1).diag(offset) */
PtsStatus k_DIAGFLAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *c, *f;
    PTS_TRY(pts_op_call_t(PTS_OP_CONTIGUOUS, 1, a, err, &c));
    int64_t m1 = -1;
    PtsStatus s = opt_ints(PTS_OP_VIEW, c, 1, &m1, err, &f);
    pts_tensor_release(c);
    PTS_TRY(s);
    PtsValue args[2] = { pts_vtensor(f), a[1] };
    s = pts_op_call_n(PTS_OP_DIAG, 2, args, out, err);
    pts_tensor_release(f);
    return s;
}

/* ---- tril_indices / triu_indices ---- */

/* ATen's get_tril_size: the number of (r, c) with c <= r + offset in a row x col matrix, or -1
 * when it exceeds int64 (the products are taken in 128 bits, as sizes up to 2**63 are valid) */
static int64_t tril_size(int64_t row, int64_t col, int64_t offset) {
    if (row == 0 || col == 0) return 0;
    /* offsets beyond the matrix change nothing; clamping keeps the arithmetic in range */
    if (offset > col) offset = col;
    if (offset < -row) offset = -row;
    __int128 m_first = offset > 0 ? min64(col, 1 + offset) : (row + offset > 0);
    __int128 m_last = max64(0, min64(col, row + offset));
    __int128 n_all = max64(0, min64(row, row + offset));
    __int128 n_trap = m_last - m_first + 1;
    __int128 size = (m_first + m_last) * n_trap / 2;
    __int128 diff = n_all - n_trap;
    if (diff > 0) size += diff * col;
    return size > INT64_MAX ? -1 : (int64_t)size;
}

static PtsStatus tri_indices(PtsValue *a, PtsValue *out, PtsError *err, bool lower) {
    int64_t row = a[0].u.i, col = a[1].u.i, offset = a[2].u.i;
    PtsDType dt = a[3].tag == PTS_V_NONE ? PTS_INT64 : (PtsDType)a[3].u.i;
    const char *fn = lower ? "tril_indices" : "triu_indices";
    PTS_CHECK(row >= 0, err, RUNTIME, "row must be non-negative, got%lld", (long long)row);
    PTS_CHECK(col >= 0, err, RUNTIME, "col must be non-negative, got%lld", (long long)col);
    PTS_CHECK(a[4].tag == PTS_V_NONE || a[4].u.i == 0, err, RUNTIME, "%s: only strided layout is supported", fn);
    /* ATen dispatches over the index types only */
    if (dt != PTS_INT64 && dt != PTS_INT32)
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", fn, pts_scalar_type_name(dt));
    int64_t n;
    PTS_CHECK(a[6].tag != PTS_V_BOOL || !a[6].u.b, err, RUNTIME, "pin_memory=True requires a CUDA or other "
              "accelerator backend; no pinned memory allocator is available on this system.");
    if (lower) {
        n = tril_size(row, col, offset);
    } else {
        int64_t all, below = tril_size(row, col, offset < -row ? -row : offset - 1);
        /* offset - 1 without wrapping: below -row every offset gives the same empty tril */
        n = pts_mul_ok(row, col, &all) && below >= 0 ? all - below : -1;
    }
    PTS_CHECK(n >= 0 && n <= INT64_MAX / 2, err, RUNTIME, "%s: a %lld x %lld matrix has too many elements", fn,
              (long long)row, (long long)col);
    int64_t shape[2] = { 2, n };
    PtsTensor *t;
    PTS_TRY(pts_tensor_new(PTS_INT64, 2, shape, err, &t));
    int64_t *p = (int64_t *)pts_tensor_data(t);
    /* walk the kept positions in row-major order (ATen's loops; n bounds the walk) */
    if (lower) {
        int64_t r = offset < 0 ? -offset : 0, c = 0;
        for (int64_t i = 0; i < n; i++) {
            p[i] = r;
            p[n + i] = c;
            c += 1;
            if (c > r + offset || c >= col) { r += 1; c = 0; }
        }
    } else {
        int64_t c = offset > 0 ? offset : 0, r = 0;
        for (int64_t i = 0; i < n; i++) {
            p[i] = r;
            p[n + i] = c;
            c += 1;
            if (c >= col) { r += 1; c = max64(0, r + offset); }
        }
    }
    if (dt != PTS_INT64) {
        PtsTensor *cv;
        PtsStatus s = pts_tensor_to(t, dt, true, err, &cv);
        pts_tensor_release(t);
        PTS_TRY(s);
        t = cv;
    }
    return ret_tensor(t, out);
}

PtsStatus k_TRIL_INDICES(PtsValue *a, PtsValue *out, PtsError *err) { return tri_indices(a, out, err, true); }
PtsStatus k_TRIU_INDICES(PtsValue *a, PtsValue *out, PtsError *err) { return tri_indices(a, out, err, false); }

/* ================= moves, flattening, rotations ================= */

static PtsStatus list_str(PtsValue v, char *buf, size_t n) {
    int64_t xs[PTS_MAX_DIMS * 4];
    int k = 0;
    PtsError e = { 0 };
    if (pts_value_int_list(v, xs, PTS_MAX_DIMS * 4, &k, &e)) k = 0;
    pts_shape_str(k, xs, buf, n);
    return PTS_OK;
}

/* composite: permute (a 0-dim tensor gets an alias) */
static PtsStatus movedim(PtsTensor *self, PtsValue src, PtsValue dst, PtsValue *out, PtsError *err) {
    int64_t s[PTS_MAX_DIMS], d[PTS_MAX_DIMS];
    int ns, ndst;
    char b1[256], b2[256];
    if (pts_value_int_list(src, s, PTS_MAX_DIMS, &ns, err) || pts_value_int_list(dst, d, PTS_MAX_DIMS, &ndst, err)) {
        /* a list longer than any tensor's rank: some dim repeats or is out of range */
        return pts_fail(err, PTS_ERR_INDEX, "movedim: too many dims for a tensor of %d dimensions", self->ndim);
    }
    if (ns != ndst) {
        list_str(src, b1, sizeof b1);
        list_str(dst, b2, sizeof b2);
        return pts_fail(err, PTS_ERR_RUNTIME, "movedim: Invalid source or destination dims: source (%s dims) "
                        "should contain the same number of dims as destination (%s dims)", b1, b2);
    }
    int ws[PTS_MAX_DIMS], wd[PTS_MAX_DIMS];
    for (int i = 0; i < ns; i++) PTS_TRY(pts_wrap_dim(s[i], self->ndim, err, &ws[i]));
    for (int i = 0; i < ns; i++) PTS_TRY(pts_wrap_dim(d[i], self->ndim, err, &wd[i]));
    for (int i = 0; i < ns; i++)
        for (int j = i + 1; j < ns; j++) {
            if (ws[i] == ws[j]) {
                list_str(src, b1, sizeof b1);
                return pts_fail(err, PTS_ERR_RUNTIME, "movedim: repeated dim in `source` (%s)", b1);
            }
        }
    for (int i = 0; i < ns; i++)
        for (int j = i + 1; j < ns; j++) {
            if (wd[i] == wd[j]) {
                list_str(dst, b2, sizeof b2);
                return pts_fail(err, PTS_ERR_RUNTIME, "movedim: repeated dim in `destination` (%s)", b2);
            }
        }
    PtsValue sv = pts_vtensor(self);
    if (self->ndim == 0) return pts_op_call_n(PTS_OP_ALIAS, 1, &sv, out, err);
    /* the moved dims take their destinations; the others keep their order in the free places */
    int64_t order[PTS_MAX_DIMS];
    bool src_used[PTS_MAX_DIMS] = { 0 }, dst_used[PTS_MAX_DIMS] = { 0 };
    for (int i = 0; i < ns; i++) {
        order[wd[i]] = ws[i];
        src_used[ws[i]] = true;
        dst_used[wd[i]] = true;
    }
    int next = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (dst_used[i]) continue;
        while (src_used[next]) next++;
        order[i] = next++;
    }
    PtsTensor *r;
    PTS_TRY(opt_ints(PTS_OP_PERMUTE, self, self->ndim, order, err, &r));
    return ret_tensor(r, out);
}

PtsStatus k_MOVEDIM_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue s, d;
    PTS_TRY(pts_int_list_new(&a[1].u.i, 1, err, &s));
    PtsStatus st = pts_int_list_new(&a[2].u.i, 1, err, &d);
    if (!st) {
        st = movedim(a[0].u.t, s, d, out, err);
        pts_value_release(&d);
    }
    pts_value_release(&s);
    return st;
}
PtsStatus k_MOVEDIM_INTLIST(PtsValue *a, PtsValue *out, PtsError *err) { return movedim(a[0].u.t, a[1], a[2], out, err); }
PtsStatus k_MOVEAXIS_INT(PtsValue *a, PtsValue *out, PtsError *err) { return k_MOVEDIM_INT(a, out, err); }
PtsStatus k_MOVEAXIS_INTLIST(PtsValue *a, PtsValue *out, PtsError *err) { return k_MOVEDIM_INTLIST(a, out, err); }

/* composite: self.contiguous().view(-1) */
PtsStatus k_RAVEL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *c, *r;
    PTS_TRY(pts_op_call_t(PTS_OP_CONTIGUOUS, 1, a, err, &c));
    int64_t m1 = -1;
    PtsStatus s = opt_ints(PTS_OP_VIEW, c, 1, &m1, err, &r);
    pts_tensor_release(c);
    PTS_TRY(s);
    return ret_tensor(r, out);
}

/* narrow, copied to a new contiguous tensor (ATen's narrow_copy_dense_cpu checks) */
PtsStatus k_NARROW_COPY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME, "narrow() cannot be applied to a 0-dim tensor.");
    int d;
    if (a[1].u.i < 0) PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    else {
        PTS_CHECK(a[1].u.i < self->ndim, err, RUNTIME,
                  "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.");
        d = (int)a[1].u.i;
    }
    int64_t cur = self->shape[d], start = a[2].u.i, len = a[3].u.i;
    if (start < -cur || start > cur)
        return pts_fail(err, PTS_ERR_INDEX, "start out of range (expected to be in range of [%lld, %lld], but got %lld)",
                        (long long)-cur, (long long)cur, (long long)start);
    if (start < 0) start += cur;
    PTS_CHECK(len >= 0 && start <= cur - len, err, RUNTIME, "start (%lld) + length (%lld) exceeds dimension size (%lld).",
              (long long)start, (long long)len, (long long)cur);
    PtsValue args[4] = { a[0], pts_vint(d), pts_vint(start), pts_vint(len) };
    PtsTensor *v;
    PTS_TRY(pts_op_call_t(PTS_OP_NARROW, 4, args, err, &v));
    PtsValue cargs[2] = { pts_vtensor(v), pts_vint(0) /* contiguous_format */ };
    PtsStatus s = pts_op_call_n(PTS_OP_CLONE, 2, cargs, out, err);
    pts_tensor_release(v);
    return s;
}

PtsStatus k_NARROW_COPY_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return out_variant(PTS_OP_NARROW_COPY, 4, a, out, err);
}

/* rot90: flips and a transpose, as ATen's (its own node, Rot90Backward0) */
PtsStatus k_ROT90(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t dims[PTS_MAX_DIMS];
    int n;
    if (pts_value_int_list(a[2], dims, PTS_MAX_DIMS, &n, err)) n = PTS_MAX_DIMS + 1;
    PTS_CHECK(n == 2, err, RUNTIME, "expected total rotation dims == 2, but got dims = %d", n);
    int nd = self->ndim;
    PTS_CHECK(nd >= 2, err, RUNTIME, "expected total dims >= 2, but got total dims = %d", nd);
    /* the dims are wrapped first (IndexError), then compared as wrapped */
    int w0, w1;
    PTS_TRY(pts_wrap_dim(dims[0], nd, err, &w0));
    PTS_TRY(pts_wrap_dim(dims[1], nd, err, &w1));
    PTS_CHECK(w0 != w1, err, RUNTIME, "expected rotation dims to be different, but got dim0 = %lld and dim1 = %lld",
              (long long)dims[0], (long long)dims[1]);
    int64_t k = ((a[1].u.i % 4) + 4) % 4;
    PtsTensor *f;
    if (k == 0) {
        PtsValue cargs[2] = { a[0], pts_vint(0) /* contiguous_format */ };
        return pts_op_call_n(PTS_OP_CLONE, 2, cargs, out, err);
    }
    if (k == 2) {
        int64_t both[2] = { w0, w1 };
        PTS_TRY(opt_ints(PTS_OP_FLIP, self, 2, both, err, &f));
        return ret_tensor(f, out);
    }
    int64_t one = k == 1 ? w1 : w0;
    PTS_TRY(opt_ints(PTS_OP_FLIP, self, 1, &one, err, &f));
    PtsValue targs[3] = { pts_vtensor(f), pts_vint(w0), pts_vint(w1) };
    PtsStatus s = pts_op_call_n(PTS_OP_TRANSPOSE_INT, 3, targs, out, err);
    pts_tensor_release(f);
    return s;
}

PtsStatus k_ROT90_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_ROT90, 3, a, out, err); }

/* composite: flip of one dim */
static PtsStatus flip1(PtsValue *a, int64_t dim, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    PTS_TRY(opt_ints(PTS_OP_FLIP, a[0].u.t, 1, &dim, err, &r));
    return ret_tensor(r, out);
}
PtsStatus k_FLIPLR(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].u.t->ndim >= 2, err, RUNTIME, "Input must be >= 2-d.");
    return flip1(a, 1, out, err);
}
PtsStatus k_FLIPUD(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].u.t->ndim >= 1, err, RUNTIME, "Input must be >= 1-d.");
    return flip1(a, 0, out, err);
}

/* ================= at least N dims, stacking ================= */

/* composite: reshape a 0-dim tensor, unsqueeze a smaller one, else self itself (as ATen) */
static PtsStatus atleast(PtsValue *a, int n, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *r, *u;
    if (self->ndim >= n) return ret_tensor(pts_tensor_retain(self), out);
    if (self->ndim == 0) {
        int64_t ones[3] = { 1, 1, 1 };
        PTS_TRY(opt_ints(PTS_OP_RESHAPE, self, n, ones, err, &r));
        return ret_tensor(r, out);
    }
    if (n == 3 && self->ndim == 1) {
        PtsValue ua[2] = { a[0], pts_vint(0) };
        PTS_TRY(pts_op_call_t(PTS_OP_UNSQUEEZE, 2, ua, err, &u));
        PtsValue ub[2] = { pts_vtensor(u), pts_vint(-1) };
        PtsStatus s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, ub, err, &r);
        pts_tensor_release(u);
        PTS_TRY(s);
        return ret_tensor(r, out);
    }
    /* atleast_2d of a vector: unsqueeze(0); atleast_3d of a matrix: unsqueeze(-1) */
    PtsValue ua[2] = { a[0], pts_vint(n == 2 ? 0 : -1) };
    PTS_TRY(pts_op_call_t(PTS_OP_UNSQUEEZE, 2, ua, err, &r));
    return ret_tensor(r, out);
}

PtsStatus k_ATLEAST_1D(PtsValue *a, PtsValue *out, PtsError *err) { return atleast(a, 1, out, err); }
PtsStatus k_ATLEAST_2D(PtsValue *a, PtsValue *out, PtsError *err) { return atleast(a, 2, out, err); }
PtsStatus k_ATLEAST_3D(PtsValue *a, PtsValue *out, PtsError *err) { return atleast(a, 3, out, err); }

static PtsStatus atleast_seq(PtsOpId id, const char *fn, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *l = NULL;
    PTS_TRY(tensor_list(a[0], fn, &l, err));
    return map_list(id, l, out, err);
}
PtsStatus k_ATLEAST_1D_SEQUENCE(PtsValue *a, PtsValue *out, PtsError *err) {
    return atleast_seq(PTS_OP_ATLEAST_1D, "atleast_1d", a, out, err);
}
PtsStatus k_ATLEAST_2D_SEQUENCE(PtsValue *a, PtsValue *out, PtsError *err) {
    return atleast_seq(PTS_OP_ATLEAST_2D, "atleast_2d", a, out, err);
}
PtsStatus k_ATLEAST_3D_SEQUENCE(PtsValue *a, PtsValue *out, PtsError *err) {
    return atleast_seq(PTS_OP_ATLEAST_3D, "atleast_3d", a, out, err);
}

/* cat(list, dim), list borrowed */
static PtsStatus cat_list(PtsValue list, int64_t dim, PtsValue *out, PtsError *err) {
    PtsValue args[2] = { list, pts_vint(dim) };
    return pts_op_call_n(PTS_OP_CAT, 2, args, out, err);
}

/* composite: atleast_Nd of every tensor, then cat along dim (-1: hstack's choice) */
static PtsStatus stack_family(PtsValue *a, PtsOpId atleast_id, const char *fn, int64_t dim, PtsValue *out,
                              PtsError *err) {
    PtsList *l = NULL;
    PTS_TRY(tensor_list(a[0], fn, &l, err));
    PTS_CHECK(l->len > 0, err, RUNTIME, "%s expects a non-empty TensorList", fn);
    PtsValue rep[1];
    PTS_TRY(map_list(atleast_id, l, rep, err));
    if (dim < 0) dim = pts_as_list(rep[0])->items[0].u.t->ndim == 1 ? 0 : 1;
    PtsStatus s = cat_list(rep[0], dim, out, err);
    pts_value_release(&rep[0]);
    return s;
}

PtsStatus k_HSTACK(PtsValue *a, PtsValue *out, PtsError *err) {
    return stack_family(a, PTS_OP_ATLEAST_1D, "hstack", -1, out, err);
}
PtsStatus k_VSTACK(PtsValue *a, PtsValue *out, PtsError *err) {
    return stack_family(a, PTS_OP_ATLEAST_2D, "vstack", 0, out, err);
}
PtsStatus k_ROW_STACK(PtsValue *a, PtsValue *out, PtsError *err) {
    return stack_family(a, PTS_OP_ATLEAST_2D, "vstack", 0, out, err);
}
PtsStatus k_DSTACK(PtsValue *a, PtsValue *out, PtsError *err) {
    return stack_family(a, PTS_OP_ATLEAST_3D, "dstack", 2, out, err);
}

/* composite: vectors and scalars become (n, 1) columns, then cat along dim 1 */
PtsStatus k_COLUMN_STACK(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *l = NULL;
    PTS_TRY(tensor_list(a[0], "column_stack", &l, err));
    PTS_CHECK(l->len > 0, err, RUNTIME, "column_stack expects a non-empty TensorList");
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, &list));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < l->len && !s; i++) {
        PtsTensor *t = l->items[i].u.t, *r;
        if (t->ndim <= 1) {
            int64_t shape[2] = { pts_numel(t), 1 };
            s = opt_ints(PTS_OP_RESHAPE, t, 2, shape, err, &r);
        } else {
            r = pts_tensor_retain(t);
        }
        if (!s) s = pts_list_append(list, pts_vtensor(r), err);
    }
    if (!s) s = cat_list(list, 1, out, err);
    pts_value_release(&list);
    return s;
}

PtsStatus k_HSTACK_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_HSTACK, 1, a, out, err); }
PtsStatus k_VSTACK_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_VSTACK, 1, a, out, err); }
PtsStatus k_ROW_STACK_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_ROW_STACK, 1, a, out, err); }
PtsStatus k_DSTACK_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_DSTACK, 1, a, out, err); }
PtsStatus k_COLUMN_STACK_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return out_variant(PTS_OP_COLUMN_STACK, 1, a, out, err);
}

/* ================= splitting ================= */

/* out[0] = [self.slice(dim, b[i], b[i+1]) for i < n] (n + 1 bounds) */
static PtsStatus slices(PtsTensor *self, int dim, const int64_t *b, int64_t n, PtsValue *out, PtsError *err) {
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, &list));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < n && !s; i++) {
        PtsValue args[5] = { pts_vtensor(self), pts_vint(dim), pts_vint(b[i]), pts_vint(b[i + 1]), pts_vint(1) };
        PtsTensor *r;
        s = pts_op_call_t(PTS_OP_SLICE_TENSOR, 5, args, err, &r);
        if (!s) s = pts_list_append(list, pts_vtensor(r), err);
    }
    if (s) { pts_value_release(&list); return s; }
    out[0] = list;
    return PTS_OK;
}

static PtsStatus split_sections(PtsTensor *self, int64_t sections, int64_t dim, PtsValue *out, PtsError *err) {
    PTS_CHECK(self->ndim > 0, err, RUNTIME,
              "tensor_split expected at least a 1-dimensional tensor, but got a tensor with %d dims", self->ndim);
    PTS_CHECK(sections > 0, err, RUNTIME, "number of sections must be larger than 0, got %lld", (long long)sections);
    int d;
    PTS_TRY(pts_wrap_dim(dim, self->ndim, err, &d));
    int64_t size = self->shape[d];
    /* more sections than elements give empty pieces; torch makes them all, pyts refuses lists
     * of more than 2**24 views (a hostile size would otherwise exhaust memory one view at a time) */
    PTS_CHECK(sections <= (int64_t)1 << 24, err, RUNTIME, "tensor_split: too many sections (%lld)", (long long)sections);
    int64_t *b = pts_malloc(sizeof(int64_t) * (size_t)(sections + 1));
    if (!b) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    int64_t min_size = size / sections, extra = size % sections;
    b[0] = 0;
    for (int64_t i = 0; i < sections; i++) b[i + 1] = b[i] + min_size + (i < extra);
    PtsStatus s = slices(self, d, b, sections, out, err);
    pts_free(b);
    return s;
}

static PtsStatus split_indices(PtsTensor *self, PtsValue indices, int64_t dim, PtsValue *out, PtsError *err) {
    PTS_CHECK(self->ndim > 0, err, RUNTIME,
              "tensor_split expected at least a 1-dimensional tensor, but got a tensor with %d dims", self->ndim);
    int d;
    PTS_TRY(pts_wrap_dim(dim, self->ndim, err, &d));
    PTS_CHECK(indices.tag == PTS_V_LIST || indices.tag == PTS_V_TUPLE, err, TYPE, "tensor_split(): expected a list of ints");
    PtsList *l = pts_as_list(indices);
    int64_t n = l->len;
    int64_t *b = pts_malloc(sizeof(int64_t) * (size_t)(n + 2));
    if (!b) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    b[0] = 0;
    for (int64_t i = 0; i < n; i++) b[i + 1] = pts_value_to_i64(l->items[i]);
    b[n + 1] = self->shape[d];
    /* ATen slices from the previous index: a start past the end clamps to an empty piece */
    PtsStatus s = slices(self, d, b, n + 1, out, err);
    pts_free(b);
    return s;
}

PtsStatus k_TENSOR_SPLIT_SECTIONS(PtsValue *a, PtsValue *out, PtsError *err) {
    return split_sections(a[0].u.t, a[1].u.i, a[2].u.i, out, err);
}
PtsStatus k_TENSOR_SPLIT_INDICES(PtsValue *a, PtsValue *out, PtsError *err) {
    return split_indices(a[0].u.t, a[1], a[2].u.i, out, err);
}

PtsStatus k_TENSOR_SPLIT_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *t = a[1].u.t;
    PTS_CHECK(self->ndim > 0, err, RUNTIME,
              "tensor_split expected at least a 1-dimensional tensor, but got a tensor with %d dims", self->ndim);
    PTS_CHECK(t->dtype == PTS_INT64, err, RUNTIME,
              "tensor_split expected tensor_indices_or_sections to have dtype of long, but got %s",
              pts_scalar_type_name(t->dtype));
    PTS_CHECK(t->ndim <= 1, err, RUNTIME, "tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
              "or one-dimensional tensor, but got a tensor with %d dims", t->ndim);
    if (t->ndim == 0) return split_sections(self, pts_tensor_item_i64(t), a[2].u.i, out, err);
    int64_t n = t->shape[0];
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, &list));
    PtsStatus s = PTS_OK;
    const char *base = pts_tensor_data(t);
    for (int64_t i = 0; i < n && !s; i++)
        s = pts_list_append(list, pts_vint(*(const int64_t *)(base + (size_t)(i * t->strides[0]) * sizeof(int64_t))), err);
    if (!s) s = split_indices(self, list, a[2].u.i, out, err);
    pts_value_release(&list);
    return s;
}

/* hsplit / vsplit / dsplit: tensor_split along 1 (0 for vectors), 0 or 2 */
static PtsStatus xsplit(PtsValue *a, char which, int min_dims, bool sections, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim >= min_dims, err, RUNTIME,
              "torch.%csplit requires a tensor with at least %d dimension, but got a tensor with %d dimensions!",
              which, min_dims, self->ndim);
    int dim = which == 'h' ? (self->ndim == 1 ? 0 : 1) : which == 'v' ? 0 : 2;
    if (!sections) return split_indices(self, a[1], dim, out, err);
    int64_t k = a[1].u.i;
    PTS_CHECK(k != 0 && self->shape[dim] % k == 0, err, RUNTIME,
              "torch.%csplit attempted to split along dimension %d, but the size of the dimension %lld is not "
              "divisible by the split_size %lld!", which, dim, (long long)self->shape[dim], (long long)k);
    return split_sections(self, k, dim, out, err);
}

PtsStatus k_HSPLIT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'h', 1, true, out, err); }
PtsStatus k_HSPLIT_ARRAY(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'h', 1, false, out, err); }
PtsStatus k_VSPLIT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'v', 2, true, out, err); }
PtsStatus k_VSPLIT_ARRAY(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'v', 2, false, out, err); }
PtsStatus k_DSPLIT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'd', 3, true, out, err); }
PtsStatus k_DSPLIT_ARRAY(PtsValue *a, PtsValue *out, PtsError *err) { return xsplit(a, 'd', 3, false, out, err); }

/* ================= taking and repeating ================= */

/* take: self's elements in row-major order at index (negative counts from the end) */
PtsStatus k_TAKE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *index = a[1].u.t;
    PTS_CHECK(index->dtype == PTS_INT64, err, RUNTIME, "take(): Expected a long tensor for index, but got %s",
              pts_scalar_type_name(index->dtype));
    int64_t numel = pts_numel(self), n = pts_numel(index);
    PTS_CHECK(numel > 0 || n == 0, err, INDEX, "take(): tried to take from an empty tensor");
    PtsTensor *ci, *cs, *r;
    PTS_TRY(pts_tensor_contiguous(index, err, &ci));
    PtsStatus s = pts_tensor_contiguous(self, err, &cs);
    if (s) { pts_tensor_release(ci); return s; }
    s = pts_tensor_new(self->dtype, index->ndim, index->shape, err, &r);
    if (!s) {
        const int64_t *ix = (const int64_t *)pts_tensor_data(ci);
        size_t isz = pts_dtype_size(self->dtype);
        const char *src = pts_tensor_data(cs);
        char *dst = pts_tensor_data(r);
        for (int64_t i = 0; i < n; i++) {
            int64_t k = ix[i];
            if (k < -numel || k >= numel) {
                s = pts_fail(err, PTS_ERR_INDEX, "out of range: tried to access index %lld on a tensor of %lld elements.",
                             (long long)k, (long long)numel);
                break;
            }
            if (k < 0) k += numel;
            memcpy(dst + (size_t)i * isz, src + (size_t)k * isz, isz);
        }
    }
    pts_tensor_release(ci);
    pts_tensor_release(cs);
    if (s) { pts_tensor_release(r); return s; }
    return ret_tensor(r, out);
}

PtsStatus k_TAKE_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_TAKE, 2, a, out, err); }

/* composite: gather of both broadcast against each other (or of the flattened self) */
PtsStatus k_TAKE_ALONG_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *idx = a[1].u.t;
    if (a[2].tag == PTS_V_NONE) {
        int64_t m1 = -1;
        PtsTensor *sf, *xf;
        PTS_TRY(opt_ints(PTS_OP_VIEW, self, 1, &m1, err, &sf));
        PtsStatus s = opt_ints(PTS_OP_VIEW, idx, 1, &m1, err, &xf);
        if (!s) {
            PtsValue g[3] = { pts_vtensor(sf), pts_vint(0), pts_vtensor(xf) };
            s = pts_op_call_n(PTS_OP_GATHER, 3, g, out, err);
            pts_tensor_release(xf);
        }
        pts_tensor_release(sf);
        return s;
    }
    PTS_CHECK(self->ndim == idx->ndim, err, RUNTIME, "torch.take_along_dim(): input and indices should have the same "
              "number of dimensions, but got %d dimensions for input, and %d dimensions for indices", self->ndim, idx->ndim);
    PTS_CHECK(idx->dtype == PTS_INT64, err, RUNTIME, "torch.take_along_dim(): dtype of indices should be Long but got %s",
              pts_scalar_type_name(idx->dtype));
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    int64_t sizes[PTS_MAX_DIMS], ish[PTS_MAX_DIMS], ssh[PTS_MAX_DIMS];
    int nd = self->ndim, ni, ns;
    memcpy(sizes, self->shape, sizeof sizes);
    if (nd) sizes[d] = idx->shape[d];
    PTS_TRY(pts_broadcast_shapes(nd, sizes, nd, idx->shape, &ni, ish, err));
    memcpy(sizes, idx->shape, sizeof sizes);
    if (nd) sizes[d] = self->shape[d];
    PTS_TRY(pts_broadcast_shapes(nd, sizes, nd, self->shape, &ns, ssh, err));
    PtsTensor *ib, *sb;
    PTS_TRY(opt_ints(PTS_OP_BROADCAST_TO, idx, ni, ish, err, &ib));
    PtsStatus s = opt_ints(PTS_OP_BROADCAST_TO, self, ns, ssh, err, &sb);
    if (!s) {
        PtsValue g[3] = { pts_vtensor(sb), pts_vint(d), pts_vtensor(ib) };
        s = pts_op_call_n(PTS_OP_GATHER, 3, g, out, err);
        pts_tensor_release(sb);
    }
    pts_tensor_release(ib);
    return s;
}

PtsStatus k_TAKE_ALONG_DIM_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return out_variant(PTS_OP_TAKE_ALONG_DIM, 3, a, out, err);
}

/* repeat_interleave(repeats): i repeated repeats[i] times, in repeats' dtype (int32 or int64) */
PtsStatus k_REPEAT_INTERLEAVE_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *rep = a[0].u.t, *r;
    if (rep->dtype != PTS_INT64 && rep->dtype != PTS_INT32)
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"repeat_interleave_cpu\" not implemented for '%s'",
                        pts_scalar_type_name(rep->dtype));
    PTS_CHECK(rep->ndim == 1, err, RUNTIME, "repeat_interleave only accept 1D vector as repeat");
    int64_t n = rep->shape[0];
    if (n == 0) {
        PTS_TRY(pts_tensor_new(rep->dtype, 1, &n, err, &r));
        return ret_tensor(r, out);
    }
    int64_t total = 0;
    bool neg = false;
    const char *base = pts_tensor_data(rep);
    size_t isz = pts_dtype_size(rep->dtype);
    for (int64_t i = 0; i < n; i++) {
        int64_t v = pts_load_i64(rep->dtype, base + (size_t)(i * rep->strides[0]) * isz);
        if (v < 0) neg = true;
        else total = v > INT64_MAX - total ? INT64_MAX : total + v;
    }
    if (a[1].tag == PTS_V_INT) {
        PTS_CHECK(!neg && a[1].u.i == total, err, RUNTIME,
                  neg ? "repeats can not be negative" : "allocated size does not match required size");
    }
    PTS_CHECK(!neg, err, RUNTIME, "repeats can not be negative");
    PTS_TRY(pts_tensor_new(rep->dtype, 1, &total, err, &r));
    char *dst = pts_tensor_data(r);
    int64_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t v = pts_load_i64(rep->dtype, base + (size_t)(i * rep->strides[0]) * isz);
        for (int64_t j = 0; j < v; j++) pts_store_i64(rep->dtype, dst + (size_t)(at++) * isz, i);
    }
    return ret_tensor(r, out);
}

PtsStatus k_REPEAT_INTERLEAVE_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return out_variant(PTS_OP_REPEAT_INTERLEAVE_TENSOR, 2, a, out, err);
}

/* composite: the input (flattened when dim is None) unsqueezed after dim, expanded `repeats`
 * times there, cloned and that dim merged back */
PtsStatus k_REPEAT_INTERLEAVE_SELF_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *input, *u = NULL, *e = NULL;
    int64_t repeats = a[1].u.i;
    int d;
    PTS_TRY(pts_wrap_dim(a[2].tag == PTS_V_INT ? a[2].u.i : 0, self->ndim, err, &d));
    PTS_CHECK(repeats >= 0, err, RUNTIME, "Repeats must be non-negative");
    if (a[2].tag == PTS_V_NONE) {
        PtsValue fa[3] = { a[0], pts_vint(0), pts_vint(-1) };
        PTS_TRY(pts_op_call_t(PTS_OP_FLATTEN_USING_INTS, 3, fa, err, &input));
    } else {
        input = pts_tensor_retain(self);
    }
    PtsStatus s = PTS_OK;
    int nd = input->ndim;
    int64_t shape[PTS_MAX_DIMS];
    if (nd == 0) {   /* a 0-dim input with dim=0: unsqueeze(1) is out of range, as in ATen */
        int bad;
        s = pts_wrap_dim(d + 1, 1, err, &bad);
        pts_tensor_release(input);
        return s ? s : pts_fail(err, PTS_ERR_INTERNAL, "repeat_interleave: 0-dim input");
    }
    int64_t total;
    if (!pts_mul_ok(input->shape[d], repeats, &total)) total = INT64_MAX;
    if (a[3].tag == PTS_V_INT && a[3].u.i != total) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "repeat_interleave: Invalid output_size, expected %lld but got %lld",
                     (long long)total, (long long)a[3].u.i);
        goto done;
    }
    if (nd + 1 > PTS_MAX_DIMS) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "tensors have at most %d dimensions", PTS_MAX_DIMS);
        goto done;
    }
    PtsValue ua[2] = { pts_vtensor(input), pts_vint(d + 1) };
    if ((s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, ua, err, &u))) goto done;
    for (int i = 0; i <= nd; i++) shape[i] = u->shape[i];
    shape[d + 1] = repeats;
    if ((s = opt_ints(PTS_OP_EXPAND, u, nd + 1, shape, err, &e))) goto done;
    {
        /* a contiguous copy, then the repeated dim merged (a view, as ATen's flatten) */
        PtsTensor *cl, *r;
        PtsValue ca[2] = { pts_vtensor(e), pts_vint(0) /* contiguous_format */ };
        if ((s = pts_op_call_t(PTS_OP_CLONE, 2, ca, err, &cl))) goto done;
        PtsValue fa[3] = { pts_vtensor(cl), pts_vint(d), pts_vint(d + 1) };
        s = pts_op_call_t(PTS_OP_FLATTEN_USING_INTS, 3, fa, err, &r);
        pts_tensor_release(cl);
        if (!s) out[0] = pts_vtensor(r);
    }
done:
    pts_tensor_release(input);
    pts_tensor_release(u);
    pts_tensor_release(e);
    return s;
}

/* composite: index_select with repeat_interleave(repeats) as the index */
PtsStatus k_REPEAT_INTERLEAVE_SELF_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *rep = a[1].u.t, *input, *rr = NULL, *ix = NULL;
    int d = 0;
    if (a[2].tag == PTS_V_NONE) {
        PtsValue fa[3] = { a[0], pts_vint(0), pts_vint(-1) };
        PTS_TRY(pts_op_call_t(PTS_OP_FLATTEN_USING_INTS, 3, fa, err, &input));
    } else {
        PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
        input = pts_tensor_retain(self);
    }
    PtsStatus s = PTS_OK;
    int64_t size = input->ndim ? input->shape[d] : 1;
    if (rep->ndim == 0 || (rep->ndim == 1 && rep->shape[0] == 1)) {
        int64_t one = 1;
        PtsTensor *v;
        if ((s = opt_ints(PTS_OP_RESHAPE, rep, 1, &one, err, &v))) goto done;
        s = opt_ints(PTS_OP_EXPAND, v, 1, &size, err, &rr);
        pts_tensor_release(v);
        if (s) goto done;
    } else if (rep->ndim == 1) {
        if (rep->shape[0] != size) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "repeats must have the same size as input along dim, but got "
                         "repeats.size(0) = %lld and input.size(%d) = %lld", (long long)rep->shape[0], d, (long long)size);
            goto done;
        }
        rr = pts_tensor_retain(rep);
    } else {
        s = pts_fail(err, PTS_ERR_RUNTIME, "repeats must be 0-dim or 1-dim tensor");
        goto done;
    }
    {
        PtsValue ra[2] = { pts_vtensor(rr), a[3] };
        if ((s = pts_op_call_t(PTS_OP_REPEAT_INTERLEAVE_TENSOR, 2, ra, err, &ix))) goto done;
        PtsValue sa[3] = { pts_vtensor(input), pts_vint(d), pts_vtensor(ix) };
        s = pts_op_call_n(PTS_OP_INDEX_SELECT, 3, sa, out, err);
    }
done:
    pts_tensor_release(input);
    pts_tensor_release(rr);
    pts_tensor_release(ix);
    return s;
}

/* ================= differences, grids, combinations ================= */

static PtsStatus diff_compatible(PtsTensor *self, PtsValue other, int d, PtsError *err) {
    if (other.tag != PTS_V_TENSOR) return PTS_OK;
    PtsTensor *o = other.u.t;
    PTS_CHECK(o->ndim == self->ndim, err, RUNTIME, "diff expects prepend or append to be the same dimension as input");
    for (int i = 0; i < o->ndim; i++) {
        if (i == d) continue;
        PTS_CHECK(o->shape[i] == self->shape[i], err, RUNTIME,
                  "diff expects the shape of tensor to prepend or append to match that of input except along the "
                  "differencing dimension; input.size(%d) = %lld, but got tensor.size(%d) = %lld",
                  i, (long long)self->shape[i], i, (long long)o->shape[i]);
    }
    return PTS_OK;
}

/* composite: narrow(1:) - narrow(:-1), n times (logical_xor for bool), after cat of the
 * prepended and appended values */
PtsStatus k_DIFF(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t n = a[1].u.i;
    PTS_CHECK(self->ndim >= 1, err, RUNTIME, "diff expects input to be at least one-dimensional");
    PTS_CHECK(n >= 0, err, RUNTIME, "order must be non-negative but got %lld", (long long)n);
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    PTS_TRY(diff_compatible(self, a[3], d, err));
    PTS_TRY(diff_compatible(self, a[4], d, err));
    if (n == 0) {   /* ATen: zeros_like(self).copy_(self) */
        PtsTensor *z, *r;
        PtsValue za[1] = { a[0] };
        PTS_TRY(pts_op_call_t(PTS_OP_ZEROS_LIKE, 1, za, err, &z));
        PtsValue ca[3] = { pts_vtensor(z), a[0], pts_vbool(false) };
        PtsStatus s = pts_op_call_t(PTS_OP_COPY_, 3, ca, err, &r);
        pts_tensor_release(z);
        PTS_TRY(s);
        return ret_tensor(r, out);
    }
    PtsTensor *cur;
    if (a[3].tag == PTS_V_TENSOR || a[4].tag == PTS_V_TENSOR) {
        PtsValue list;
        PTS_TRY(pts_list_new(PTS_V_LIST, 3, err, &list));
        PtsStatus s = PTS_OK;
        if (a[3].tag == PTS_V_TENSOR) s = pts_list_append(list, pts_value_retain(a[3]), err);
        if (!s) s = pts_list_append(list, pts_value_retain(a[0]), err);
        if (!s && a[4].tag == PTS_V_TENSOR) s = pts_list_append(list, pts_value_retain(a[4]), err);
        PtsValue ca[2] = { list, pts_vint(d) };
        if (!s) s = pts_op_call_t(PTS_OP_CAT, 2, ca, err, &cur);
        pts_value_release(&list);
        PTS_TRY(s);
    } else {
        cur = pts_tensor_retain(self);
    }
    int64_t size = cur->shape[d], len = size - 1;
    if (n > size) n = size;
    bool is_bool = cur->dtype == PTS_BOOL;
    for (int64_t i = 0; i < n; i++, len--) {
        PtsValue hi_a[4] = { pts_vtensor(cur), pts_vint(d), pts_vint(1), pts_vint(len) };
        PtsValue lo_a[4] = { pts_vtensor(cur), pts_vint(d), pts_vint(0), pts_vint(len) };
        PtsTensor *hi, *lo = NULL, *r = NULL;
        PtsStatus s = pts_op_call_t(PTS_OP_NARROW, 4, hi_a, err, &hi);
        if (!s) s = pts_op_call_t(PTS_OP_NARROW, 4, lo_a, err, &lo);
        if (!s) {
            PtsValue b[3] = { pts_vtensor(hi), pts_vtensor(lo), pts_vint(1) };
            s = is_bool ? pts_op_call_t(PTS_OP_LOGICAL_XOR, 2, b, err, &r) : pts_op_call_t(PTS_OP_SUB_TENSOR, 3, b, err, &r);
        }
        pts_tensor_release(hi);
        pts_tensor_release(lo);
        pts_tensor_release(cur);
        PTS_TRY(s);
        cur = r;
    }
    return ret_tensor(cur, out);
}

PtsStatus k_DIFF_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return out_variant(PTS_OP_DIFF, 5, a, out, err); }

/* composite: ones in column 0, x in the others, cumprod along 1 (powers 0..N-1), flipped
 * unless increasing; integer and bool x give int64 (cumprod's promotion) */
PtsStatus k_VANDER(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    PTS_CHECK(x->ndim == 1, err, RUNTIME, "x must be a one-dimensional tensor.");
    int64_t rows = x->shape[0], n = rows;
    if (a[1].tag == PTS_V_INT) {
        n = a[1].u.i;
        PTS_CHECK(n >= 0, err, RUNTIME, "N must be non-negative.");
    }
    PtsDType dt = pts_promote_types(x->dtype, PTS_INT64);
    PtsTensor *res = NULL;
    PtsStatus s = PTS_OK;
    if (n <= 1) {
        int64_t shape[2] = { rows, n };
        PtsTensor *o;
        PTS_TRY(pts_tensor_new(dt, 2, shape, err, &o));
        char *p = pts_tensor_data(o);
        for (int64_t i = 0; i < rows * n; i++) pts_store_f64(dt, p + (size_t)i * pts_dtype_size(dt), 1.0);
        res = o;
    } else {
        /* cat([ones(rows, 1), x[:, None].expand(rows, n - 1)], 1).cumprod(1) */
        PtsTensor *ones = NULL, *u = NULL, *e = NULL, *c = NULL;
        int64_t oshape[2] = { rows, 1 }, eshape[2] = { rows, n - 1 };
        PtsValue list = pts_none();
        if ((s = pts_tensor_new(dt, 2, oshape, err, &ones))) goto fail;
        for (int64_t i = 0; i < rows; i++) pts_store_f64(dt, pts_tensor_data(ones) + (size_t)i * pts_dtype_size(dt), 1.0);
        {
            PtsValue ua[2] = { a[0], pts_vint(1) };
            if ((s = pts_op_call_t(PTS_OP_UNSQUEEZE, 2, ua, err, &u))) goto fail;
        }
        if ((s = opt_ints(PTS_OP_EXPAND, u, 2, eshape, err, &e))) goto fail;
        if ((s = pts_list_new(PTS_V_LIST, 2, err, &list))) goto fail;
        if ((s = pts_list_append(list, pts_vtensor(pts_tensor_retain(ones)), err))) goto fail;
        if ((s = pts_list_append(list, pts_vtensor(pts_tensor_retain(e)), err))) goto fail;
        {
            PtsValue ca[2] = { list, pts_vint(1) };
            if ((s = pts_op_call_t(PTS_OP_CAT, 2, ca, err, &c))) goto fail;
            PtsValue pa[3] = { pts_vtensor(c), pts_vint(1), pts_vint(dt) };
            s = pts_op_call_t(PTS_OP_CUMPROD, 3, pa, err, &res);
        }
    fail:
        pts_tensor_release(ones);
        pts_tensor_release(u);
        pts_tensor_release(e);
        pts_tensor_release(c);
        pts_value_release(&list);
        PTS_TRY(s);
    }
    if (a[2].u.b) return ret_tensor(res, out);
    int64_t one = 1;
    PtsTensor *f;
    s = opt_ints(PTS_OP_FLIP, res, 1, &one, err, &f);
    pts_tensor_release(res);
    PTS_TRY(s);
    return ret_tensor(f, out);
}

static atomic_bool meshgrid_warned;

/* composite: each input viewed along its own dim and expanded to the grid ('xy' swaps the
 * first two) */
static PtsStatus meshgrid(PtsValue tv, const char *indexing, size_t ilen, PtsValue *out, PtsError *err) {
    PtsList *l = NULL;
    PTS_TRY(tensor_list(tv, "meshgrid", &l, err));
    int64_t size = l->len;
    PTS_CHECK(size > 0, err, RUNTIME, "meshgrid expects a non-empty TensorList");
    for (int64_t i = 0; i + 1 < size; i++)
        PTS_CHECK(l->items[i].u.t->dtype == l->items[i + 1].u.t->dtype, err, RUNTIME,
                  "meshgrid expects all tensors to have the same dtype");
    bool swap = false;
    if (ilen == 2 && memcmp(indexing, "xy", 2) == 0) swap = size >= 2;
    else if (!(ilen == 2 && memcmp(indexing, "ij", 2) == 0))
        return pts_fail(err, PTS_ERR_RUNTIME, "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: %.*s",
                        (int)(ilen > 200 ? 200 : ilen), indexing);
    PTS_CHECK(size <= PTS_MAX_DIMS, err, RUNTIME, "meshgrid: at most %d tensors (tensors have at most %d dimensions)",
              PTS_MAX_DIMS, PTS_MAX_DIMS);
    PtsTensor *refs[PTS_MAX_DIMS];
    int64_t shape[PTS_MAX_DIMS], view[PTS_MAX_DIMS];
    for (int64_t i = 0; i < size; i++) refs[i] = l->items[i].u.t;
    if (swap) { PtsTensor *t = refs[0]; refs[0] = refs[1]; refs[1] = t; }
    for (int64_t i = 0; i < size; i++) {
        if (refs[i]->ndim > 1) {
            /* torch prints the tensor; its shape says as much here */
            return pts_fail(err, PTS_ERR_RUNTIME, "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                            "a tensor of shape %s", SHAPE_STR(refs[i]->ndim, refs[i]->shape));
        }
        shape[i] = pts_numel(refs[i]);
        view[i] = 1;
    }
    PtsValue list;
    PTS_TRY(pts_list_new(PTS_V_LIST, size, err, &list));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < size && !s; i++) {
        view[i] = -1;
        PtsTensor *v, *e;
        s = opt_ints(PTS_OP_VIEW, refs[i], (int)size, view, err, &v);
        if (!s) {
            s = opt_ints(PTS_OP_EXPAND, v, (int)size, shape, err, &e);
            pts_tensor_release(v);
            if (!s) s = pts_list_append(list, pts_vtensor(e), err);
        }
        view[i] = 1;
    }
    if (s) { pts_value_release(&list); return s; }
    if (swap) {
        PtsList *g = pts_as_list(list);
        PtsValue t = g->items[0];
        g->items[0] = g->items[1];
        g->items[1] = t;
    }
    out[0] = list;
    return PTS_OK;
}

PtsStatus k_MESHGRID(PtsValue *a, PtsValue *out, PtsError *err) {
    if (!atomic_exchange(&meshgrid_warned, true)) {
        static const char msg[] = "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.";
        if (pts_warn_hook) PTS_TRY(pts_warn_hook(msg, sizeof msg - 1, err));
        else fprintf(stderr, "UserWarning: %s\n", msg);
    }
    return meshgrid(a[0], "ij", 2, out, err);
}

PtsStatus k_MESHGRID_INDEXING(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[1].tag == PTS_V_STR, err, TYPE, "meshgrid(): indexing must be a str");
    PtsStr *st = pts_as_str(a[1]);
    return meshgrid(a[0], st->data, st->len, out, err);
}

/* composite: meshgrid 'ij', each grid flattened, stacked as columns */
PtsStatus k_CARTESIAN_PROD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *l = NULL;
    PTS_TRY(tensor_list(a[0], "cartesian_prod", &l, err));
    for (int64_t i = 0; i < l->len; i++) {
        PtsTensor *t = l->items[i].u.t;
        PTS_CHECK(t->ndim == 1, err, RUNTIME, "Expect a 1D vector, but got shape %s", SHAPE_STR(t->ndim, t->shape));
    }
    if (l->len == 1) return ret_tensor(pts_tensor_retain(l->items[0].u.t), out);
    PtsValue grids[1], flat = pts_none();
    PTS_TRY(meshgrid(a[0], "ij", 2, grids, err));
    PtsStatus s;
    PtsList *g = pts_as_list(grids[0]);
    s = pts_list_new(PTS_V_LIST, g->len, err, &flat);
    for (int64_t i = 0; i < g->len && !s; i++) {
        PtsValue fa[3] = { g->items[i], pts_vint(0), pts_vint(-1) };
        PtsTensor *f;
        s = pts_op_call_t(PTS_OP_FLATTEN_USING_INTS, 3, fa, err, &f);
        if (!s) s = pts_list_append(flat, pts_vtensor(f), err);
    }
    if (!s) {
        PtsValue sa[2] = { flat, pts_vint(1) };
        s = pts_op_call_n(PTS_OP_STACK, 2, sa, out, err);
    }
    pts_value_release(&flat);
    pts_value_release(&grids[0]);
    return s;
}

/* composite: the r-fold meshgrid of self, each grid masked to increasing (non-decreasing with
 * replacement) index tuples, stacked as columns */
PtsStatus k_COMBINATIONS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t r = a[1].u.i;
    bool repl = a[2].u.b;
    PTS_CHECK(self->ndim == 1, err, RUNTIME, "Expect a 1D vector, but got shape %s", SHAPE_STR(self->ndim, self->shape));
    PTS_CHECK(r >= 0, err, RUNTIME, "Expect a non-negative number, but got %lld", (long long)r);
    if (r == 0) {
        int64_t zero = 0;
        PtsTensor *e;
        PTS_TRY(pts_tensor_new(self->dtype, 1, &zero, err, &e));
        return ret_tensor(e, out);
    }
    PTS_CHECK(r <= PTS_MAX_DIMS, err, RUNTIME, "combinations: r = %lld is more than the %d dimensions a tensor may have",
              (long long)r, PTS_MAX_DIMS);
    int64_t n = self->shape[0], shape[PTS_MAX_DIMS];
    for (int i = 0; i < r; i++) shape[i] = n;
    PtsTensor *mask;
    PTS_TRY(pts_tensor_new(PTS_BOOL, (int)r, shape, err, &mask));
    /* the mask of index tuples (i0, i1, ...) with i0 < i1 < ... (<= with replacement) */
    int64_t total = pts_numel(mask), idx[PTS_MAX_DIMS] = { 0 };
    bool *m = (bool *)pts_tensor_data(mask);
    for (int64_t k = 0; k < total; k++) {
        bool ok = true;
        for (int i = 0; i + 1 < r && ok; i++) ok = repl ? idx[i] <= idx[i + 1] : idx[i] < idx[i + 1];
        m[k] = ok;
        for (int i = (int)r - 1; i >= 0; i--) {
            if (++idx[i] < n) break;
            idx[i] = 0;
        }
    }
    PtsValue list = pts_none(), grids[1] = { pts_none() }, cols = pts_none();
    PtsStatus s = pts_list_new(PTS_V_LIST, r, err, &list);
    for (int64_t i = 0; i < r && !s; i++) s = pts_list_append(list, pts_value_retain(a[0]), err);
    if (!s) s = meshgrid(list, "ij", 2, grids, err);
    if (!s) s = pts_list_new(PTS_V_LIST, r, err, &cols);
    for (int64_t i = 0; i < r && !s; i++) {
        PtsValue ma[2] = { pts_as_list(grids[0])->items[i], pts_vtensor(mask) };
        PtsTensor *c;
        s = pts_op_call_t(PTS_OP_MASKED_SELECT, 2, ma, err, &c);
        if (!s) s = pts_list_append(cols, pts_vtensor(c), err);
    }
    if (!s) {
        PtsValue sa[2] = { cols, pts_vint(1) };
        s = pts_op_call_n(PTS_OP_STACK, 2, sa, out, err);
    }
    pts_tensor_release(mask);
    pts_value_release(&list);
    pts_value_release(&grids[0]);
    pts_value_release(&cols);
    return s;
}
