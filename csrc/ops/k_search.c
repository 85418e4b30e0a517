/* k_search.c: kernels of ops_search.def. Inputs are read through contiguous float64 (float
 * dtypes) or int64 (integer and bool dtypes) copies, which hold every value exactly and keep its
 * order. Sorting is one stable sort per slice (NaN sorts as the largest value, as in ATen);
 * sort/topk/kthvalue compute indices here and gather their values through pts_op_call, so
 * autograd and the tracer see a real gather. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

/* ================= helpers ================= */

/* Contiguous copy of t holding doubles (float dtypes) or int64 (others). */
static PtsStatus work_copy(PtsTensor *t, PtsError *err, PtsTensor **out, bool *is_float) {
    *is_float = pts_dtype_is_float(t->dtype);
    return pts_tensor_to(t, *is_float ? PTS_FLOAT64 : PTS_INT64, false, err, out);
}

/* outer x n x inner decomposition of t's shape around dim (0-dim: 1 x 1 x 1) */
static void split_dim(const PtsTensor *t, int dim, int64_t *outer, int64_t *n, int64_t *inner) {
    *outer = 1;
    *inner = 1;
    *n = t->ndim ? t->shape[dim] : 1;
    for (int i = 0; i < t->ndim; i++) {
        if (i < dim) *outer *= t->shape[i];
        else if (i > dim) *inner *= t->shape[i];
    }
}

typedef struct Key {
    union { double f; int64_t i; } v;
    int64_t idx;
} Key;

/* ascending with NaN largest; equal keys keep their index order, so qsort becomes stable */
static int cmp_f_asc(const void *pa, const void *pb) {
    const Key *a = pa, *b = pb;
    bool na = isnan(a->v.f), nb = isnan(b->v.f);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->v.f != b->v.f) return a->v.f < b->v.f ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}
static int cmp_f_desc(const void *pa, const void *pb) {
    const Key *a = pa, *b = pb;
    bool na = isnan(a->v.f), nb = isnan(b->v.f);
    if (na != nb) return na ? -1 : 1;
    if (!na && a->v.f != b->v.f) return a->v.f > b->v.f ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}
static int cmp_i_asc(const void *pa, const void *pb) {
    const Key *a = pa, *b = pb;
    if (a->v.i != b->v.i) return a->v.i < b->v.i ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}
static int cmp_i_desc(const void *pa, const void *pb) {
    const Key *a = pa, *b = pb;
    if (a->v.i != b->v.i) return a->v.i > b->v.i ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Indices (int64, self's shape with `keep` entries along dim) of the first `keep` elements of
 * each slice along dim in sorted order. */
static PtsStatus sort_indices(PtsTensor *self, int dim, bool desc, int64_t keep, PtsError *err,
                              PtsTensor **idx) {
    *idx = NULL;
    PtsTensor *w, *r = NULL;
    bool fl;
    PTS_TRY(work_copy(self, err, &w, &fl));
    int64_t outer, n, inner;
    split_dim(self, dim, &outer, &n, &inner);
    if (!self->ndim) keep = 1;   /* a 0-dim tensor is its own single slice (ATen: topk(0) too) */
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, self->shape, sizeof(int64_t) * (size_t)self->ndim);
    if (self->ndim) shape[dim] = keep;
    PtsStatus s = pts_tensor_new(PTS_INT64, self->ndim, shape, err, &r);
    Key *keys = s ? NULL : pts_malloc(sizeof(Key) * (size_t)(n ? n : 1));
    if (!s && !keys) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory sorting %lld elements", (long long)n);
    if (s) goto done;
    int (*cmp)(const void *, const void *) = fl ? (desc ? cmp_f_desc : cmp_f_asc) : (desc ? cmp_i_desc : cmp_i_asc);
    const double *fd = (const double *)pts_tensor_data(w);
    const int64_t *id = (const int64_t *)pts_tensor_data(w);
    int64_t *o = (int64_t *)pts_tensor_data(r);
    for (int64_t a = 0; a < outer; a++) {
        for (int64_t c = 0; c < inner; c++) {
            int64_t base = a * n * inner + c;
            for (int64_t j = 0; j < n; j++) {
                if (fl) keys[j].v.f = fd[base + j * inner];
                else keys[j].v.i = id[base + j * inner];
                keys[j].idx = j;
            }
            if (n > 1) qsort(keys, (size_t)n, sizeof(Key), cmp);
            for (int64_t j = 0; j < keep; j++) o[a * keep * inner + j * inner + c] = keys[j].idx;
        }
    }
done:
    pts_free(keys);
    pts_tensor_release(w);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    *idx = r;
    return PTS_OK;
}

/* values = gather(self, dim, idx) through the registry (autograd records GatherBackward0) */
static PtsStatus gather_values(PtsTensor *self, int dim, PtsTensor *idx, PtsError *err, PtsValue *out) {
    PtsValue args[4] = { pts_vtensor(self), pts_vint(dim), pts_vtensor(idx), pts_vbool(false) };
    return pts_op_call(PTS_OP_GATHER, args, out, err);
}

/* (values, indices) results: out[0] gathered from self at idx, out[1] idx (taken over; released
 * when the gather fails) */
static PtsStatus values_and_indices(PtsTensor *self, int dim, PtsTensor *idx, PtsError *err, PtsValue *out) {
    PtsStatus s = gather_values(self, dim, idx, err, &out[0]);
    if (s) {
        pts_tensor_release(idx);
        return s;
    }
    out[1] = pts_vtensor(idx);
    return PTS_OK;
}

static PtsStatus squeeze_value(PtsValue *v, int dim, PtsError *err) {
    PtsValue args[2] = { *v, pts_vint(dim) }, r;
    PtsStatus s = pts_op_call(PTS_OP_SQUEEZE_DIM, args, &r, err);
    pts_value_release(v);
    if (s) return s;
    *v = r;
    return PTS_OK;
}

/* ================= sort family ================= */

static PtsStatus sort_impl(PtsTensor *self, int64_t dim, bool desc, bool want_values, PtsValue *out,
                           PtsError *err) {
    int d;
    PTS_TRY(pts_wrap_dim(dim, self->ndim, err, &d));
    PtsTensor *idx;
    PTS_TRY(sort_indices(self, d, desc, self->ndim ? self->shape[d] : 1, err, &idx));
    if (!want_values) {
        out[0] = pts_vtensor(idx);
        return PTS_OK;
    }
    return values_and_indices(self, d, idx, err, out);
}

PtsStatus k_SORT(PtsValue *a, PtsValue *out, PtsError *err) {
    return sort_impl(a[0].u.t, a[1].u.i, a[2].u.b, true, out, err);
}
PtsStatus k_SORT_STABLE(PtsValue *a, PtsValue *out, PtsError *err) {
    return sort_impl(a[0].u.t, a[2].u.i, a[3].u.b, true, out, err);
}
PtsStatus k_ARGSORT(PtsValue *a, PtsValue *out, PtsError *err) {
    return sort_impl(a[0].u.t, a[1].u.i, a[2].u.b, false, out, err);
}
PtsStatus k_ARGSORT_STABLE(PtsValue *a, PtsValue *out, PtsError *err) {
    return sort_impl(a[0].u.t, a[2].u.i, a[3].u.b, false, out, err);
}
PtsStatus k_MSORT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[2];
    PTS_TRY(sort_impl(a[0].u.t, 0, false, true, r, err));
    pts_value_release(&r[1]);
    out[0] = r[0];
    return PTS_OK;
}

PtsStatus k_TOPK(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t k = a[1].u.i;
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    PTS_CHECK(self->dtype != PTS_BOOL, err, RUNTIME, "topk does not support bool dtypes on CPU");
    int64_t n = self->ndim ? self->shape[d] : 1;
    PTS_CHECK(k >= 0 && k <= n, err, RUNTIME, "selected index k out of range");
    /* sorted=False leaves the order unspecified in ATen; sorted order is one valid answer */
    PtsTensor *idx;
    PTS_TRY(sort_indices(self, d, a[3].u.b, k, err, &idx));
    return values_and_indices(self, d, idx, err, out);
}

PtsStatus k_KTHVALUE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t k = a[1].u.i;
    int d;
    PTS_TRY(pts_wrap_dim(a[2].u.i, self->ndim, err, &d));
    PTS_CHECK(self->dtype != PTS_BOOL, err, NOTIMPL, "\"kthvalue_cpu\" not implemented for 'Bool'");
    int64_t n = self->ndim ? self->shape[d] : 1;
    PTS_CHECK(n > 0, err, INDEX, "kthvalue(): Expected reduction dim %d to have non-zero size.", d);
    PTS_CHECK(k >= 1 && k <= n, err, RUNTIME,
              "kthvalue(): selected number k out of range for dimension %d", d);
    /* the k-th smallest: sort ascending, keep k, and take the last kept */
    PtsTensor *idx;
    PTS_TRY(sort_indices(self, d, false, k, err, &idx));
    PtsValue args[4] = { pts_vtensor(idx), pts_vint(self->ndim ? d : 0), pts_vint(k - 1), pts_vint(k) };
    PtsValue sel = pts_none();
    PtsStatus s = PTS_OK;
    if (self->ndim) {
        s = pts_op_call(PTS_OP_SLICE_TENSOR, (PtsValue[]){ args[0], args[1], args[2], args[3], pts_vint(1) },
                        &sel, err);
        pts_tensor_release(idx);
    } else {
        sel = pts_vtensor(idx);
    }
    if (s || (s = values_and_indices(self, d, sel.u.t, err, out))) return s;
    if (self->ndim && !a[3].u.b) {
        if ((s = squeeze_value(&out[0], d, err))) {
            pts_value_release(&out[1]);
            return s;
        }
        if ((s = squeeze_value(&out[1], d, err))) {
            pts_value_release(&out[0]);
            return s;
        }
    }
    return PTS_OK;
}

/* ================= comparisons ================= */

/* f rounded to dtype dt (half and bfloat16 store fewer bits than float32) */
static float round_to(float f, PtsDType dt) {
    if (dt == PTS_FLOAT16) return pts_half_to_float(pts_float_to_half(f));
    if (dt == PTS_BFLOAT16) return pts_bf16_to_float(pts_float_to_bf16(f));
    return f;
}

PtsStatus k_ISCLOSE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t;
    double rtol = a[2].u.d, atol = a[3].u.d;
    bool equal_nan = a[4].u.b;
    PTS_CHECK(x->dtype == y->dtype, err, RUNTIME, "%s did not match %s",
              pts_dtype_scalar_name(x->dtype, "?"), pts_dtype_scalar_name(y->dtype, "?"));
    PTS_CHECK(rtol >= 0, err, RUNTIME, "rtol must be greater than or equal to zero, but got %g", rtol);
    PTS_CHECK(atol >= 0, err, RUNTIME, "atol must be greater than or equal to zero, but got %g", atol);
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(x->ndim, x->shape, y->ndim, y->shape, &nd, shape, err));
    bool fl = pts_dtype_is_float(x->dtype);
    PtsDType wd = fl ? PTS_FLOAT64 : PTS_INT64;
    PtsTensor *wx = NULL, *wy = NULL, *r = NULL;
    PtsStatus s;
    if ((s = pts_tensor_new(wd, nd, shape, err, &wx)) || (s = pts_tensor_new(wd, nd, shape, err, &wy)) ||
        (s = pts_tensor_copy_(wx, x, err)) || (s = pts_tensor_copy_(wy, y, err)) ||
        (s = pts_tensor_new(PTS_BOOL, nd, shape, err, &r)))
        goto done;
    int64_t n = pts_shape_numel(nd, shape);
    bool *o = (bool *)pts_tensor_data(r);
    if (fl) {
        /* ATen computes with tensor ops in the input dtype: atol + (rtol * other).abs() and
         * (self - other).abs(), each result rounded to that dtype (float32 arithmetic below
         * float64, rounded to half / bfloat16 after every op), close when the actual error is
         * finite and not above the allowed one */
        const double *p = (const double *)pts_tensor_data(wx), *q = (const double *)pts_tensor_data(wy);
        PtsDType dt = x->dtype;
        for (int64_t i = 0; i < n; i++) {
            double u = p[i], v = q[i];
            bool c = u == v || (equal_nan && isnan(u) && isnan(v));
            if (!c) {
                double allowed, actual;
                if (dt == PTS_FLOAT64) {
                    allowed = atol + fabs(rtol * v);
                    actual = fabs(u - v);
                } else {
                    float t1 = round_to((float)rtol * (float)v, dt);
                    float al = round_to((float)atol + round_to(fabsf(t1), dt), dt);
                    float ac = round_to(fabsf(round_to((float)u - (float)v, dt)), dt);
                    allowed = al;
                    actual = ac;
                }
                c = isfinite(actual) && actual <= allowed;
            }
            o[i] = c;
        }
    } else {
        const int64_t *p = (const int64_t *)pts_tensor_data(wx), *q = (const int64_t *)pts_tensor_data(wy);
        for (int64_t i = 0; i < n; i++) {
            bool c = p[i] == q[i];
            if (!c && x->dtype != PTS_BOOL) {
                /* ATen compares integers as floats: no wraparound in self - other */
                double actual = fabs((double)p[i] - (double)q[i]);
                float allowed = (float)atol + fabsf((float)rtol * (float)q[i]);
                c = isfinite(allowed) && actual <= (double)allowed;
            }
            o[i] = c;
        }
    }
done:
    pts_tensor_release(wx);
    pts_tensor_release(wy);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_ALLCLOSE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r;
    PTS_TRY(k_ISCLOSE(a, &r, err));
    const bool *p = (const bool *)pts_tensor_data(r.u.t);
    int64_t n = pts_numel(r.u.t);
    bool all = true;
    for (int64_t i = 0; i < n && all; i++) all = p[i];
    pts_value_release(&r);
    out[0] = pts_vbool(all);
    return PTS_OK;
}

PtsStatus k_EQUAL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t;
    bool same = x->ndim == y->ndim;
    for (int i = 0; same && i < x->ndim; i++) same = x->shape[i] == y->shape[i];
    if (!same) {
        out[0] = pts_vbool(false);
        return PTS_OK;
    }
    /* values compare after type promotion (torch.equal(int, float) compares numbers) */
    PtsDType pd = pts_promote_types(x->dtype, y->dtype);
    PtsDType wd = pts_dtype_is_float(pd) ? PTS_FLOAT64 : PTS_INT64;
    PtsTensor *wx = NULL, *wy = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, wd, false, err, &wx)) || (s = pts_tensor_to(y, wd, false, err, &wy))) goto done;
    int64_t n = pts_numel(x);
    bool eq = true;
    if (wd == PTS_FLOAT64) {
        const double *p = (const double *)pts_tensor_data(wx), *q = (const double *)pts_tensor_data(wy);
        for (int64_t i = 0; i < n && eq; i++) eq = p[i] == q[i];
    } else {
        const int64_t *p = (const int64_t *)pts_tensor_data(wx), *q = (const int64_t *)pts_tensor_data(wy);
        for (int64_t i = 0; i < n && eq; i++) eq = p[i] == q[i];
    }
    out[0] = pts_vbool(eq);
done:
    pts_tensor_release(wx);
    pts_tensor_release(wy);
    return s;
}

/* ================= nonzero ================= */

static bool elem_nonzero(bool fl, const PtsTensor *w, int64_t i) {
    return fl ? ((const double *)pts_tensor_data(w))[i] != 0 : ((const int64_t *)pts_tensor_data(w))[i] != 0;
}

/* coordinates (n, ndim) of the nonzero elements in row-major order */
static PtsStatus nonzero_coords(PtsTensor *self, PtsError *err, PtsTensor **out) {
    PtsTensor *w, *r;
    bool fl;
    PTS_TRY(work_copy(self, err, &w, &fl));
    int64_t n = pts_numel(self), cnt = 0;
    for (int64_t i = 0; i < n; i++) cnt += elem_nonzero(fl, w, i);
    int64_t shape[2] = { cnt, self->ndim };
    PtsStatus s = pts_tensor_new(PTS_INT64, 2, shape, err, &r);
    if (s) {
        pts_tensor_release(w);
        return s;
    }
    int64_t *o = (int64_t *)pts_tensor_data(r);
    for (int64_t i = 0; i < n; i++) {
        if (!elem_nonzero(fl, w, i)) continue;
        int64_t rem = i;
        for (int d = self->ndim - 1; d >= 0; d--) {
            o[d] = rem % self->shape[d];
            rem /= self->shape[d];
        }
        o += self->ndim;
    }
    pts_tensor_release(w);
    *out = r;
    return PTS_OK;
}

PtsStatus k_NONZERO(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    PTS_TRY(nonzero_coords(a[0].u.t, err, &r));
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* one int64 vector per dim (a 0-dim input gives one vector of zeros, one per nonzero) */
PtsStatus k_NONZERO_NUMPY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *c;
    PTS_TRY(nonzero_coords(self, err, &c));
    int64_t cnt = c->shape[0];
    int k = self->ndim ? self->ndim : 1;
    PtsValue list;
    PtsStatus s = pts_list_new(PTS_V_LIST, k, err, &list);
    const int64_t *src = (const int64_t *)pts_tensor_data(c);
    for (int d = 0; !s && d < k; d++) {
        PtsTensor *v;
        if ((s = pts_tensor_new(PTS_INT64, 1, &cnt, err, &v))) break;
        int64_t *o = (int64_t *)pts_tensor_data(v);
        for (int64_t i = 0; i < cnt; i++) o[i] = self->ndim ? src[i * self->ndim + d] : 0;
        s = pts_list_append(list, pts_vtensor(v), err);
    }
    pts_tensor_release(c);
    if (s) {
        if (list.tag == PTS_V_LIST) pts_value_release(&list);
        return s;
    }
    out[0] = list;
    return PTS_OK;
}

/* count_nonzero = sum(self != 0) over the dims, int64 */
static PtsStatus count_nonzero_impl(PtsTensor *self, PtsValue dims, PtsError *err, PtsValue *out) {
    PtsValue ne;
    PTS_TRY(pts_op_call(PTS_OP_NE_SCALAR, (PtsValue[]){ pts_vtensor(self), pts_vint(0) }, &ne, err));
    PtsStatus s = pts_op_call(PTS_OP_SUM_DIM_INTLIST,
                              (PtsValue[]){ ne, dims, pts_vbool(false), pts_vint(PTS_INT64) }, out, err);
    pts_value_release(&ne);
    return s;
}

PtsStatus k_COUNT_NONZERO_DIM_INTLIST(PtsValue *a, PtsValue *out, PtsError *err) {
    /* an empty list counts over every dim, as sum does */
    return count_nonzero_impl(a[0].u.t, a[1], err, out);
}

PtsStatus k_COUNT_NONZERO(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[1].tag == PTS_V_NONE) return count_nonzero_impl(a[0].u.t, pts_none(), err, out);
    int64_t d = a[1].u.i;
    PtsValue l;
    PTS_TRY(pts_int_list_new(&d, 1, err, &l));
    PtsStatus s = count_nonzero_impl(a[0].u.t, l, err, out);
    pts_value_release(&l);
    return s;
}

PtsStatus k_IS_NONZERO(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    int64_t n = pts_numel(t);
    PTS_CHECK(n != 0, err, RUNTIME, "Boolean value of Tensor with no values is ambiguous");
    PTS_CHECK(n == 1, err, RUNTIME, "Boolean value of Tensor with more than one value is ambiguous");
    const char *p = pts_tensor_data(t);
    out[0] = pts_vbool(pts_dtype_is_float(t->dtype) ? pts_load_f64(t->dtype, p) != 0 : pts_load_i64(t->dtype, p) != 0);
    return PTS_OK;
}

/* ================= aliases ================= */

#define K_ALIAS(ID, TARGET) \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) { return pts_op_call(PTS_OP_##TARGET, a, out, err); }
K_ALIAS(CLIP, CLAMP)
K_ALIAS(CLIP_TENSOR, CLAMP_TENSOR)
K_ALIAS(CLIP_, CLAMP_)
K_ALIAS(CLIP__TENSOR, CLAMP__TENSOR)
K_ALIAS(CLIP_OUT, CLAMP_OUT)
K_ALIAS(CLIP_TENSOR_OUT, CLAMP_TENSOR_OUT)

PtsStatus k_BROADCAST_TO(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_op_call(PTS_OP_EXPAND, (PtsValue[]){ a[0], a[1], pts_vbool(false) }, out, err);
}

/* tile = repeat with dims padded by leading 1s to self's rank (ATen's tile) */
PtsStatus k_TILE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int64_t dims[PTS_MAX_DIMS];
    int n;
    PTS_TRY(pts_value_int_list(a[1], dims, PTS_MAX_DIMS, &n, err));
    if (n < self->ndim) {
        int pad = self->ndim - n;
        memmove(dims + pad, dims, sizeof(int64_t) * (size_t)n);
        for (int i = 0; i < pad; i++) dims[i] = 1;
        n = self->ndim;
    }
    PtsValue l;
    PTS_TRY(pts_int_list_new(dims, n, err, &l));
    PtsStatus s = pts_op_call(PTS_OP_REPEAT, (PtsValue[]){ a[0], l }, out, err);
    pts_value_release(&l);
    return s;
}
