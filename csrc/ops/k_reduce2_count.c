/* k_reduce2_count.c: the counting and searching kernels of ops_reduce2.def: bincount, histc,
 * bucketize, searchsorted, isin and the unique family. All are primitive and not
 * differentiable; values are read through contiguous float64 (float dtypes) or int64 (the
 * others) copies, which hold every value exactly and keep its order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce2.h"

/* ================= helpers ================= */

typedef struct Work {
    PtsTensor *t;          /* contiguous float64 or int64 copy (owned) */
    bool fl;
    const double *f;
    const int64_t *i;
} Work;

static PtsStatus work_of(PtsTensor *t, bool as_float, PtsError *err, Work *w) {
    w->fl = as_float;
    PTS_TRY(pts_tensor_to(t, as_float ? PTS_FLOAT64 : PTS_INT64, false, err, &w->t));
    w->f = (const double *)pts_tensor_data(w->t);
    w->i = (const int64_t *)pts_tensor_data(w->t);
    return PTS_OK;
}

static void work_free(Work *w) {
    pts_tensor_release(w->t);
    w->t = NULL;
}

static double wget(const Work *w, int64_t k) { return w->fl ? w->f[k] : (double)w->i[k]; }

/* -1, 0, 1 with NaN after everything (and NaN == NaN here: callers that treat NaNs as
 * distinct check for them) */
static int cmp_at(const Work *w, int64_t a, int64_t b) {
    if (w->fl) {
        double x = w->f[a], y = w->f[b];
        bool nx = isnan(x), ny = isnan(y);
        if (nx || ny) return nx == ny ? 0 : nx ? 1 : -1;
        return (x > y) - (x < y);
    }
    return (w->i[a] > w->i[b]) - (w->i[a] < w->i[b]);
}

static bool is_nan_at(const Work *w, int64_t k) { return w->fl && isnan(w->f[k]); }

/* qsort context: elements compared by slices of `len` values starting at idx * len */
static _Thread_local const Work *g_cmp_work;
static _Thread_local int64_t g_cmp_len;

static int cmp_slices(const void *pa, const void *pb) {
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    for (int64_t k = 0; k < g_cmp_len; k++) {
        int c = cmp_at(g_cmp_work, a * g_cmp_len + k, b * g_cmp_len + k);
        if (c) return c;
    }
    return (a > b) - (a < b);   /* stable */
}

/* qsort has no context argument: the context is per thread */
static PtsStatus sort_slices(const Work *w, int64_t n, int64_t len, int64_t *order, PtsError *err) {
    (void)err;
    for (int64_t i = 0; i < n; i++) order[i] = i;
    g_cmp_work = w;
    g_cmp_len = len;
    if (n > 1) qsort(order, (size_t)n, sizeof(int64_t), cmp_slices);
    return PTS_OK;
}

static bool slices_equal(const Work *w, int64_t a, int64_t b, int64_t len) {
    for (int64_t k = 0; k < len; k++) {
        if (is_nan_at(w, a * len + k) || is_nan_at(w, b * len + k)) return false;
        if (cmp_at(w, a * len + k, b * len + k)) return false;
    }
    return true;
}

static void store_from(PtsTensor *dst, int64_t di, const Work *w, int64_t si) {
    char *p = pts_tensor_data(dst) + di * (int64_t)pts_dtype_size(dst->dtype);
    if (w->fl) pts_store_f64(dst->dtype, p, w->f[si]);
    else pts_store_i64(dst->dtype, p, w->i[si]);
}

/* ================= bincount / histc ================= */

PtsStatus k_BINCOUNT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *wt = a[1].tag == PTS_V_TENSOR ? a[1].u.t : NULL, *r = NULL;
    int64_t minlength = a[2].u.i;
    PTS_CHECK(minlength >= 0, err, RUNTIME, "minlength should be >= 0");
    PTS_CHECK(pts_dtype_kind(self->dtype) == PTS_KIND_INT, err, NOTIMPL, "\"bincount_cpu\" not implemented for '%s'",
              pts_dtype_scalar_name(self->dtype, "?"));
    PtsDType rd = !wt ? PTS_INT64 : wt->dtype == PTS_FLOAT32 ? PTS_FLOAT32 : PTS_FLOAT64;
    if (self->ndim == 1 && self->shape[0] == 0) {
        PTS_TRY(pts_tensor_zeros(PTS_INT64, 1, &minlength, err, &r));
        out[0] = pts_vtensor(r);
        return PTS_OK;
    }
    Work x = { 0 }, w = { 0 };
    PTS_TRY(work_of(self, false, err, &x));
    int64_t n = pts_numel(self), mx = -1;
    bool ok = self->ndim == 1;
    for (int64_t k = 0; k < n && ok; k++) {
        if (x.i[k] < 0) ok = false;
        else if (x.i[k] > mx) mx = x.i[k];
    }
    PtsStatus s = PTS_OK;
    if (!ok) s = pts_fail(err, PTS_ERR_RUNTIME, "bincount only supports 1-d non-negative integral inputs.");
    else if (wt && (wt->ndim != 1 || wt->shape[0] != n))
        s = pts_fail(err, PTS_ERR_RUNTIME, "weights should be 1-d and have the same length as input");
    else if (wt) s = work_of(wt, true, err, &w);
    int64_t len = mx + 1 > minlength ? mx + 1 : minlength;
    if (!s) s = pts_tensor_zeros(rd == PTS_INT64 ? PTS_INT64 : PTS_FLOAT64, 1, &len, err, &r);
    if (!s) {
        if (wt) {
            double *o = (double *)pts_tensor_data(r);
            for (int64_t k = 0; k < n; k++) o[x.i[k]] += w.f[k];
        } else {
            int64_t *o = (int64_t *)pts_tensor_data(r);
            for (int64_t k = 0; k < n; k++) o[x.i[k]]++;
        }
        if (rd == PTS_FLOAT32) {
            PtsTensor *c = NULL;
            s = pts_tensor_to(r, PTS_FLOAT32, false, err, &c);
            pts_tensor_release(r);
            r = c;
        }
    }
    work_free(&x);
    if (wt) work_free(&w);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ATen's histc: bins over [min, max] (the data's range when min == max, widened by 1 each way
 * when that is a single value); a value's bin is computed in the input's precision, the
 * maximum goes into the last bin, values outside are not counted */
PtsStatus k_HISTC(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *r = NULL;
    int64_t bins = a[1].u.i;
    PTS_CHECK(pts_dtype_is_float(self->dtype), err, NOTIMPL, "\"histogram_cpu\" not implemented for '%s'",
              pts_dtype_scalar_name(self->dtype, "?"));
    PTS_CHECK(bins > 0, err, RUNTIME, "torch.histogram(): bins must be > 0, but got %lld for dimension 0", (long long)bins);
    bool dbl = self->dtype == PTS_FLOAT64;
    double lo = pts_value_to_f64(a[2]), hi = pts_value_to_f64(a[3]);
    if (!dbl) {
        lo = (float)lo;
        hi = (float)hi;
    }
    Work x = { 0 };
    PTS_TRY(work_of(self, true, err, &x));
    int64_t n = pts_numel(self);
    if (lo == hi && n > 0) {
        lo = INFINITY;
        hi = -INFINITY;
        bool nan = false;
        for (int64_t k = 0; k < n; k++) {
            double v = x.f[k];
            if (isnan(v)) nan = true;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (nan) lo = hi = NAN;
    }
    PtsStatus s = PTS_OK;
    if (lo > hi) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "torch.histc: max must be larger than min");
    } else {
        if (lo == hi) {
            lo -= 1;
            hi += 1;
        }
        if (!isfinite(lo) || !isfinite(hi))
            s = pts_fail(err, PTS_ERR_RUNTIME, "torch.histc: range of [%g, %g] is not finite", lo, hi);
    }
    if (!s) s = pts_tensor_zeros(PTS_FLOAT64, 1, &bins, err, &r);
    if (!s) {
        double *o = (double *)pts_tensor_data(r);
        for (int64_t k = 0; k < n; k++) {
            double v = x.f[k];
            if (!(v >= lo && v <= hi)) continue;
            int64_t pos;
            if (dbl) pos = (int64_t)((v - lo) * (double)bins / (hi - lo));
            else pos = (int64_t)(((float)v - (float)lo) * (float)bins / ((float)hi - (float)lo));
            if (pos >= bins) pos = bins - 1;
            if (pos < 0) pos = 0;
            o[pos] += 1;
        }
        PtsTensor *c = NULL;
        s = pts_tensor_to(r, self->dtype, false, err, &c);
        pts_tensor_release(r);
        r = c;
    }
    work_free(&x);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ================= bucketize / searchsorted ================= */

/* ATen's cus_lower_bound / cus_upper_bound over bd[start..end) (through sorter when given) */
static int64_t bound(const Work *bd, int64_t start, int64_t end, double v, const int64_t *sorter, bool upper) {
    int64_t orig = start;
    while (start < end) {
        int64_t mid = start + ((end - start) >> 1);
        double m = wget(bd, sorter ? sorter[mid] + orig : mid);
        bool go_right = upper ? !(m > v) : !(m >= v);
        if (go_right) start = mid + 1;
        else end = mid;
    }
    return start - orig;
}

/* int64 work compare, exact for wide integers */
static int64_t bound_i(const Work *bd, int64_t start, int64_t end, int64_t v, const int64_t *sorter, bool upper) {
    int64_t orig = start;
    while (start < end) {
        int64_t mid = start + ((end - start) >> 1);
        int64_t m = bd->i[sorter ? sorter[mid] + orig : mid];
        bool go_right = upper ? !(m > v) : !(m >= v);
        if (go_right) start = mid + 1;
        else end = mid;
    }
    return start - orig;
}

static PtsStatus search_core(PtsTensor *bd, PtsTensor *vals, bool out_int32, bool right, PtsTensor *sorter,
                             PtsError *err, PtsValue *out) {
    bool fl = pts_dtype_is_float(bd->dtype) || pts_dtype_is_float(vals->dtype);
    Work b = { 0 }, v = { 0 }, so = { 0 };
    PtsTensor *r = NULL;
    PtsStatus s = work_of(bd, fl, err, &b);
    if (!s) s = work_of(vals, fl, err, &v);
    if (!s && sorter) s = work_of(sorter, false, err, &so);
    int64_t len = bd->ndim ? bd->shape[bd->ndim - 1] : 1, nb = pts_numel(bd);
    if (!s && sorter) {
        for (int64_t k = 0; k < nb && !s; k++)
            if (so.i[k] < 0 || so.i[k] >= len) s = pts_fail(err, PTS_ERR_RUNTIME, "torch.searchsorted(): sorter index out of range");
    }
    if (!s) s = pts_tensor_new(out_int32 ? PTS_INT32 : PTS_INT64, vals->ndim, vals->shape, err, &r);
    if (!s) {
        int64_t n = pts_numel(vals), inner = vals->ndim ? vals->shape[vals->ndim - 1] : 1;
        for (int64_t k = 0; k < n; k++) {
            int64_t row = bd->ndim > 1 && inner ? k / inner : 0, start = row * len, pos;
            const int64_t *sp = sorter ? so.i : NULL;
            if (fl) pos = bound(&b, start, start + len, v.f[k], sp, right);
            else pos = bound_i(&b, start, start + len, v.i[k], sp, right);
            if (out_int32) ((int32_t *)pts_tensor_data(r))[k] = (int32_t)pos;
            else ((int64_t *)pts_tensor_data(r))[k] = pos;
        }
    }
    work_free(&b);
    work_free(&v);
    if (sorter) work_free(&so);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

static PtsStatus bucketize(PtsTensor *self, PtsTensor *bd, bool out_int32, bool right, PtsError *err, PtsValue *out) {
    PTS_CHECK(bd->ndim == 1, err, RUNTIME, "boundaries tensor must be 1 dimension, but got dim(%d)", bd->ndim);
    return search_core(bd, self, out_int32, right, NULL, err, out);
}

PtsStatus k_BUCKETIZE_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return bucketize(a[0].u.t, a[1].u.t, a[2].u.b, a[3].u.b, err, out);
}

PtsStatus k_BUCKETIZE_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *v = NULL;
    PTS_TRY(pts_wrap_scalar(a[0], err, &v));
    PtsStatus s = bucketize(v, a[1].u.t, a[2].u.b, a[3].u.b, err, out);
    pts_tensor_release(v);
    return s;
}

static PtsStatus searchsorted(PtsTensor *bd, PtsTensor *self, PtsValue *a, PtsError *err, PtsValue *out) {
    bool out_int32 = a[2].u.b, right = a[3].u.b;
    PtsTensor *sorter = a[5].tag == PTS_V_TENSOR ? a[5].u.t : NULL;
    if (a[4].tag == PTS_V_STR) {
        const char *side = pts_as_str(a[4])->data;
        PTS_CHECK(!strcmp(side, "left") || !strcmp(side, "right"), err, RUNTIME,
                  "torch.searchsorted(): side can only be 'left' or 'right' but got %s", side);
        PTS_CHECK(!(right && !strcmp(side, "left")), err, RUNTIME,
                  "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
        right = !strcmp(side, "right");
    }
    if (sorter) {
        PTS_CHECK(sorter->dtype == PTS_INT64, err, RUNTIME, "torch.searchsorted(): sorter must be a tensor of long dtype but got %s",
                  pts_dtype_scalar_name(sorter->dtype, "?"));
        char b1[96], b2[96];
        PTS_CHECK(sorter->ndim == bd->ndim && !memcmp(sorter->shape, bd->shape, sizeof(int64_t) * (size_t)bd->ndim), err, RUNTIME,
                  "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor %s and got sorter tensor %s",
                  pts_shape_str(bd->ndim, bd->shape, b1, sizeof b1), pts_shape_str(sorter->ndim, sorter->shape, b2, sizeof b2));
    }
    if (self->ndim == 0 && bd->ndim != 1)
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got "
                        "boundaries tensor dim(%d) and input value's dim(%d) numel(%lld)",
                        bd->ndim, self->ndim, (long long)pts_numel(self));
    PTS_CHECK(bd->ndim > 0, err, RUNTIME,
              "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
    if (bd->ndim != 1) {
        bool match = bd->ndim == self->ndim;
        for (int i = 0; match && i < bd->ndim - 1; i++) match = bd->shape[i] == self->shape[i];
        char b1[96], b2[96];
        PTS_CHECK(match, err, RUNTIME,
                  "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
                  "tensor and input value tensor must match, but we got boundaries tensor %s and input value tensor %s",
                  pts_shape_str(bd->ndim, bd->shape, b1, sizeof b1), pts_shape_str(self->ndim, self->shape, b2, sizeof b2));
    }
    return search_core(bd, self, out_int32, right, sorter, err, out);
}

PtsStatus k_SEARCHSORTED_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return searchsorted(a[0].u.t, a[1].u.t, a, err, out);
}

PtsStatus k_SEARCHSORTED_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *v = NULL;
    PTS_TRY(pts_wrap_scalar(a[1], err, &v));
    PtsStatus s = searchsorted(a[0].u.t, v, a, err, out);
    pts_tensor_release(v);
    return s;
}

/* ================= isin ================= */

static PtsStatus isin(PtsTensor *el, PtsTensor *test, bool invert, PtsError *err, PtsValue *out) {
    PTS_CHECK(el->dtype != PTS_BOOL && test->dtype != PTS_BOOL, err, RUNTIME,
              "Unsupported input type encountered for isin(): Bool");
    bool fl = pts_dtype_is_float(el->dtype) || pts_dtype_is_float(test->dtype);
    Work e = { 0 }, t = { 0 };
    PtsTensor *r = NULL;
    int64_t nt = pts_numel(test), ne = pts_numel(el);
    int64_t *order = pts_malloc(sizeof(int64_t) * (size_t)(nt ? nt : 1));
    PtsStatus s = order ? PTS_OK : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (!s) s = work_of(el, fl, err, &e);
    if (!s) s = work_of(test, fl, err, &t);
    if (!s) s = pts_tensor_new(PTS_BOOL, el->ndim, el->shape, err, &r);
    if (!s) {
        sort_slices(&t, nt, 1, order, err);
        bool *o = (bool *)pts_tensor_data(r);
        for (int64_t k = 0; k < ne; k++) {
            bool found = false;
            int64_t lo = 0, hi = nt;
            while (lo < hi) {   /* first sorted test value >= e[k] (NaNs sort last) */
                int64_t mid = lo + ((hi - lo) >> 1);
                bool less = fl ? (!isnan(t.f[order[mid]]) && (isnan(e.f[k]) || t.f[order[mid]] < e.f[k]))
                               : t.i[order[mid]] < e.i[k];
                if (less) lo = mid + 1;
                else hi = mid;
            }
            if (lo < nt) found = fl ? t.f[order[lo]] == e.f[k] : t.i[order[lo]] == e.i[k];
            o[k] = found != invert;
        }
    }
    pts_free(order);
    work_free(&e);
    work_free(&t);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_ISIN_TENSOR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return isin(a[0].u.t, a[1].u.t, a[3].u.b, err, out);
}

PtsStatus k_ISIN_TENSOR_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = NULL;
    PTS_TRY(pts_wrap_scalar(a[1], err, &t));
    PtsStatus s = isin(a[0].u.t, t, a[3].u.b, err, out);
    pts_tensor_release(t);
    return s;
}

PtsStatus k_ISIN_SCALAR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *e = NULL;
    PTS_TRY(pts_wrap_scalar(a[0], err, &e));
    PtsStatus s = isin(e, a[1].u.t, a[3].u.b, err, out);
    pts_tensor_release(e);
    return s;
}

/* ================= unique ================= */

/* The unique slices of x along dim (dim < 0: over the flattened values), sorted, or
 * consecutive runs only. out[0] values, out[1] inverse (the input's shape; the dim's length
 * with a dim; empty when not asked), out[2] counts (empty when not asked). */
static PtsStatus unique_impl(PtsTensor *self, int dim, bool consecutive, bool want_inv, bool want_cnt,
                             PtsError *err, PtsValue *out) {
    Work w = { 0 };
    PtsTensor *moved = NULL, *vals = NULL, *inv = NULL, *cnt = NULL;
    int64_t n, len;
    PtsStatus s;
    if (dim < 0) {
        n = pts_numel(self);
        len = 1;
        s = work_of(self, pts_dtype_is_float(self->dtype), err, &w);
    } else {
        /* dim to the front, the rest flattened: slice i is w[i * len .. (i + 1) * len) */
        int64_t shape[PTS_MAX_DIMS], strides[PTS_MAX_DIMS];
        int k = 0;
        shape[k] = self->shape[dim];
        strides[k++] = self->strides[dim];
        for (int i = 0; i < self->ndim; i++)
            if (i != dim) {
                shape[k] = self->shape[i];
                strides[k++] = self->strides[i];
            }
        n = self->shape[dim];
        len = n ? pts_numel(self) / n : 1;
        s = pts_tensor_view(self, self->ndim, shape, strides, self->offset, err, &moved);
        if (!s) s = work_of(moved, pts_dtype_is_float(self->dtype), err, &w);
    }
    int64_t *order = NULL, *group = NULL, ng = 0;
    if (!s) {
        order = pts_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        group = pts_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        if (!order || !group) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    if (!s) {
        if (consecutive) {
            for (int64_t i = 0; i < n; i++) order[i] = i;
        } else {
            sort_slices(&w, n, len, order, err);
        }
        /* group[j]: the group of the j-th slice in order */
        for (int64_t j = 0; j < n; j++) {
            if (j == 0 || !slices_equal(&w, order[j - 1], order[j], len)) ng++;
            group[j] = ng - 1;
        }
        /* values: the first slice of each group */
        int64_t vshape[PTS_MAX_DIMS];
        int vnd;
        if (dim < 0) {
            vnd = 1;
            vshape[0] = ng;
        } else {
            vnd = self->ndim;
            memcpy(vshape, self->shape, sizeof(int64_t) * (size_t)self->ndim);
            vshape[dim] = ng;
        }
        s = pts_tensor_new(self->dtype, vnd, vshape, err, &vals);
        int64_t cnt_len = want_cnt ? ng : 0, inv_len = want_inv ? n : 0;
        if (!s) s = pts_tensor_zeros(PTS_INT64, 1, &cnt_len, err, &cnt);
        if (!s) {
            if (want_inv && dim < 0) {
                s = pts_tensor_new(PTS_INT64, self->ndim, self->shape, err, &inv);
            } else {
                s = pts_tensor_new(PTS_INT64, 1, &inv_len, err, &inv);
            }
        }
        if (!s) {
            int64_t *ip = (int64_t *)pts_tensor_data(inv), *cp = (int64_t *)pts_tensor_data(cnt);
            /* the values tensor in dim-front order, permuted back below */
            PtsTensor *vfront = NULL;
            int64_t fshape[PTS_MAX_DIMS];
            int k = 0;
            if (dim >= 0) {
                fshape[k++] = ng;
                for (int i = 0; i < self->ndim; i++)
                    if (i != dim) fshape[k++] = self->shape[i];
            }
            s = dim < 0 ? PTS_OK : pts_tensor_new(self->dtype, self->ndim, fshape, err, &vfront);
            PtsTensor *vt = dim < 0 ? vals : vfront;
            for (int64_t j = 0; j < n && !s; j++) {
                if (j == 0 || group[j] != group[j - 1])
                    for (int64_t q = 0; q < len; q++) store_from(vt, group[j] * len + q, &w, order[j] * len + q);
                if (want_inv) ip[order[j]] = group[j];
                if (want_cnt) cp[group[j]]++;
            }
            if (!s && dim >= 0) {
                /* vals[..., g, ...] = vfront[g, ...] */
                int64_t st[PTS_MAX_DIMS], vst[PTS_MAX_DIMS];
                pts_contiguous_strides(self->ndim, vshape, vst);
                st[0] = vst[dim];
                k = 1;
                for (int i = 0; i < self->ndim; i++)
                    if (i != dim) st[k++] = vst[i];
                PtsTensor *view = NULL;
                s = pts_tensor_view(vals, self->ndim, fshape, st, 0, err, &view);
                if (!s) s = pts_tensor_copy_(view, vfront, err);
                pts_tensor_release(view);
            }
            pts_tensor_release(vfront);
        }
    }
    pts_free(order);
    pts_free(group);
    work_free(&w);
    pts_tensor_release(moved);
    if (s) {
        pts_tensor_release(vals);
        pts_tensor_release(inv);
        pts_tensor_release(cnt);
        return s;
    }
    out[0] = pts_vtensor(vals);
    out[1] = pts_vtensor(inv);
    out[2] = pts_vtensor(cnt);
    return PTS_OK;
}

/* _unique2(self, sorted, return_inverse, return_counts): CPU sorts either way, as ATen does */
PtsStatus k__UNIQUE2(PtsValue *a, PtsValue *out, PtsError *err) {
    return unique_impl(a[0].u.t, -1, false, a[2].u.b, a[3].u.b, err, out);
}

PtsStatus k__UNIQUE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r[3];
    PTS_TRY(unique_impl(a[0].u.t, -1, false, a[2].u.b, false, err, r));
    pts_value_release(&r[2]);
    out[0] = r[0];
    out[1] = r[1];
    return PTS_OK;
}

static PtsStatus unique_dim_check(PtsTensor *self, int64_t dim, PtsError *err, int *d) {
    PTS_CHECK(self->ndim > 0, err, INDEX, "Dimension specified as %lld but tensor has no dimensions", (long long)dim);
    PTS_TRY(pts_wrap_dim(dim, self->ndim, err, d));
    if (self->shape[*d] != 0) {
        for (int i = 0; i < self->ndim; i++)
            PTS_CHECK(i == *d || self->shape[i] != 0, err, RUNTIME,
                      "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
    }
    return PTS_OK;
}

PtsStatus k_UNIQUE_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int d;
    PTS_TRY(unique_dim_check(self, a[1].u.i, err, &d));
    /* along a dim ATen computes the inverse and the counts whatever the flags ask */
    return unique_impl(self, d, false, true, true, err, out);
}

PtsStatus k_UNIQUE_CONSECUTIVE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    /* ATen takes dim=0 of a 1-d tensor (not -1) as no dim: the flags hold */
    if (a[3].tag == PTS_V_NONE || (a[3].u.i == 0 && self->ndim == 1))
        return unique_impl(self, -1, true, a[1].u.b, a[2].u.b, err, out);
    int d;
    PTS_TRY(unique_dim_check(self, a[3].u.i, err, &d));
    return unique_impl(self, d, true, true, true, err, out);   /* as unique_dim's */
}
