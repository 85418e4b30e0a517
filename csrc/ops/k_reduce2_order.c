/* k_reduce2_order.c: order statistics of ops_reduce2.def: median/nanmedian (with and without a
 * dim) and quantile/nanquantile. Positions are chosen here from a float64 copy; values are
 * gathered (and interpolated with lerp) through the registry, so gradients are those ops'. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce2.h"

typedef struct Pair {
    double v;
    int64_t i;
} Pair;

/* ascending, NaN last, stable by index */
static int cmp_pair(const void *pa, const void *pb) {
    const Pair *a = pa, *b = pb;
    bool na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->v != b->v) return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* for each slice along dim of self: the index of its (nan)median, as ATen picks it: the first
 * NaN when NaN propagates, else the k-th smallest with k = (count - 1) / 2 over the non-NaN
 * values (nanmedian) or all of them */
static PtsStatus median_indices(PtsTensor *self, int dim, bool ignore_nan, PtsError *err, PtsTensor **out) {
    PtsTensor *w = NULL, *idx = NULL;
    PTS_TRY(pts_tensor_to(self, PTS_FLOAT64, false, err, &w));
    int64_t outer = 1, inner = 1, n = self->ndim ? self->shape[dim] : 1;
    for (int i = 0; i < self->ndim; i++) {
        if (i < dim) outer *= self->shape[i];
        else if (i > dim) inner *= self->shape[i];
    }
    int64_t shape[PTS_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < self->ndim; i++)
        if (i != dim) shape[nd++] = self->shape[i];
    Pair *ps = pts_malloc(sizeof(Pair) * (size_t)(n ? n : 1));
    PtsStatus s = ps ? pts_tensor_new(PTS_INT64, nd, shape, err, &idx) : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (!s) {
        const double *d = (const double *)pts_tensor_data(w);
        int64_t *o = (int64_t *)pts_tensor_data(idx);
        for (int64_t a = 0; a < outer; a++) {
            for (int64_t c = 0; c < inner; c++) {
                int64_t base = a * n * inner + c, nn = 0, first_nan = -1;
                for (int64_t j = 0; j < n; j++) {
                    double v = d[base + j * inner];
                    if (isnan(v)) {
                        if (first_nan < 0) first_nan = j;
                        nn++;
                    }
                    ps[j].v = v;
                    ps[j].i = j;
                }
                int64_t pick;
                if (!ignore_nan && first_nan >= 0) {
                    pick = first_nan;
                } else {
                    int64_t size = n - (ignore_nan ? nn : 0);
                    int64_t k = ((size > 0 ? size : 1) - 1) / 2;
                    qsort(ps, (size_t)n, sizeof(Pair), cmp_pair);
                    pick = ps[k].i;
                }
                o[a * inner + c] = pick;
            }
        }
    }
    pts_free(ps);
    pts_tensor_release(w);
    if (s) {
        pts_tensor_release(idx);
        return s;
    }
    *out = idx;
    return PTS_OK;
}

static PtsStatus median_dim(PtsValue *a, PtsValue *out, PtsError *err, bool ignore_nan) {
    PtsTensor *self = a[0].u.t, *idx = NULL, *ik = NULL, *vals = NULL, *v = NULL, *ir = NULL;
    bool keep = a[2].u.b;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    const char *name = ignore_nan ? "nanmedian" : "median";
    PTS_CHECK(self->dtype != PTS_BOOL, err, NOTIMPL, "\"%s_out\" not implemented for 'Bool'", name);
    PTS_CHECK(!self->ndim || self->shape[d] > 0, err, INDEX,
              "%s(): Expected reduction dim %d to have non-zero size.", name, d);
    R2_SCOPE(S, err);
    PtsStatus s = median_indices(self, self->ndim ? d : 0, ignore_nan, err, &idx);
    if (!s) s = r2_hold_t(&S, idx);
    if (!s && !self->ndim) {
        s = R2(&S, &vals, CLONE, TV(self), NV);
        if (!s) {
            out[0] = r2_ret(vals);
            out[1] = r2_ret(idx);
        }
        r2_end(&S);
        return s;
    }
    if (!s && !(s = R2(&S, &ik, UNSQUEEZE, TV(idx), IV(d))) && !(s = R2(&S, &v, GATHER, TV(self), IV(d), TV(ik), BV(false)))) {
        if (keep) {
            vals = v;
            ir = ik;
        } else if (!(s = R2(&S, &vals, SQUEEZE_DIM, TV(v), IV(d)))) {
            ir = idx;
        }
    }
    if (!s) {
        out[0] = r2_ret(vals);
        out[1] = r2_ret(ir);
    }
    r2_end(&S);
    return s;
}

PtsStatus k_MEDIAN_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return median_dim(a, out, err, false); }
PtsStatus k_NANMEDIAN_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return median_dim(a, out, err, true); }

/* over all values: the flattened tensor's median along 0, as a 0-dim tensor (empty: NaN) */
static PtsStatus median_all(PtsValue *a, PtsValue *out, PtsError *err, bool ignore_nan) {
    PtsTensor *self = a[0].u.t, *flat = NULL, *res = NULL;
    PTS_CHECK(self->dtype != PTS_BOOL, err, NOTIMPL, "\"%s_cpu\" not implemented for 'Bool'", ignore_nan ? "nanmedian" : "median");
    R2_SCOPE(S, err);
    int64_t all = -1;
    PtsValue l;
    PtsStatus s = r2_ilist(&S, &all, 1, &l);
    if (!s) s = R2(&S, &flat, RESHAPE, TV(self), l);
    if (!s && pts_numel(self) == 0) {
        PtsTensor *e = NULL;
        if (!(s = pts_tensor_scalar_f64(self->dtype, NAN, err, &e)) && !(s = r2_hold_t(&S, e))) res = e;
    } else if (!s) {
        PtsValue r[2];
        PtsValue args[3] = { TV(flat), IV(0), BV(false) };
        if (!(s = r2_call(&S, ignore_nan ? PTS_OP_NANMEDIAN_DIM : PTS_OP_MEDIAN_DIM, 3, args, r))) res = r[0].u.t;
    }
    if (!s) out[0] = r2_ret(res);
    r2_end(&S);
    return s;
}

PtsStatus k_MEDIAN(PtsValue *a, PtsValue *out, PtsError *err) { return median_all(a, out, err, false); }
PtsStatus k_NANMEDIAN(PtsValue *a, PtsValue *out, PtsError *err) { return median_all(a, out, err, true); }

/* ================= quantile ================= */

enum { Q_LINEAR, Q_LOWER, Q_HIGHER, Q_MIDPOINT, Q_NEAREST };

/* ATen's quantile_impl: sort each slice, rank = q * (count - 1) in the input's precision
 * (count: all values, with a NaN slice sent to its last (NaN) value; or the non-NaN ones),
 * rounded per the interpolation, values gathered below/above and lerped */
static PtsStatus quantile_impl(PtsTensor *self, PtsTensor *q, PtsValue dimv, bool keepdim, const char *interp,
                               bool ignore_nan, PtsError *err, PtsValue *out) {
    PTS_CHECK(pts_numel(self) > 0, err, RUNTIME, "quantile() input tensor must be non-empty");
    PTS_CHECK(q->ndim <= 1, err, RUNTIME, "quantile() q must be a scalar or 1D tensor");
    PTS_CHECK(self->dtype == PTS_FLOAT32 || self->dtype == PTS_FLOAT64, err, RUNTIME,
              "quantile() input tensor must be either float or double dtype");
    PTS_CHECK(q->dtype == self->dtype, err, RUNTIME, "quantile() q tensor must be same dtype as the input tensor");
    int mode;
    if (!strcmp(interp, "linear")) mode = Q_LINEAR;
    else if (!strcmp(interp, "lower")) mode = Q_LOWER;
    else if (!strcmp(interp, "higher")) mode = Q_HIGHER;
    else if (!strcmp(interp, "midpoint")) mode = Q_MIDPOINT;
    else if (!strcmp(interp, "nearest")) mode = Q_NEAREST;
    else
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest. Got %s", interp);
    int d = -1;
    if (dimv.tag != PTS_V_NONE) PTS_TRY(pts_wrap_dim(dimv.u.i, self->ndim, err, &d));
    if (!self->ndim) d = -1;
    PtsTensor *qd = NULL;
    PTS_TRY(pts_tensor_to(q, PTS_FLOAT64, false, err, &qd));
    int64_t nq = pts_numel(q);
    const double *qv = (const double *)pts_tensor_data(qd);
    for (int64_t k = 0; k < nq; k++) {
        if (!(qv[k] >= 0 && qv[k] <= 1)) {
            pts_tensor_release(qd);
            return pts_fail(err, PTS_ERR_RUNTIME, "quantile() q values must be in the range [0, 1]");
        }
    }
    /* the reduced shape (keepdim: size 1 in place) */
    int64_t rshape[PTS_MAX_DIMS + 1];
    int rnd = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (d < 0 || i == d) {
            if (keepdim) rshape[rnd++] = 1;
        } else {
            rshape[rnd++] = self->shape[i];
        }
    }
    R2_SCOPE(S, err);
    PtsStatus s = r2_hold_t(&S, qd);
    /* slices as rows: [R, n] */
    PtsTensor *moved = self, *rows = NULL, *sorted = NULL, *lo = NULL, *hi = NULL, *wt = NULL, *vb = NULL, *va = NULL,
              *res = NULL, *fin = NULL;
    int64_t n = d < 0 ? pts_numel(self) : self->shape[d], R = pts_numel(self) / n;
    if (!s && d >= 0 && d != self->ndim - 1) {
        /* dim to the last place, the others in order */
        int64_t perm[PTS_MAX_DIMS];
        int k = 0;
        for (int i = 0; i < self->ndim; i++)
            if (i != d) perm[k++] = i;
        perm[k] = d;
        PtsValue pl;
        if (!(s = r2_ilist(&S, perm, self->ndim, &pl))) s = R2(&S, &moved, PERMUTE, TV(self), pl);
    }
    int64_t rs[2] = { R, n };
    PtsValue l;
    if (!s && !(s = r2_ilist(&S, rs, 2, &l)) && !(s = R2(&S, &rows, RESHAPE, TV(moved), l)))
        s = R2(&S, &sorted, SORT, TV(rows), IV(-1), BV(false));
    int64_t qs[2] = { R, nq };
    if (!s && !(s = pts_tensor_new(PTS_INT64, 2, qs, err, &lo))) s = r2_hold_t(&S, lo);
    if (!s && !(s = pts_tensor_new(PTS_INT64, 2, qs, err, &hi))) s = r2_hold_t(&S, hi);
    if (!s && !(s = pts_tensor_new(PTS_FLOAT64, 2, qs, err, &wt))) s = r2_hold_t(&S, wt);
    if (!s) {
        PtsTensor *sw = NULL;
        s = pts_tensor_to(sorted, PTS_FLOAT64, false, err, &sw);
        if (!s) s = r2_hold_t(&S, sw);
        if (!s) {
            const double *sv = (const double *)pts_tensor_data(sw);
            int64_t *lp = (int64_t *)pts_tensor_data(lo), *hp = (int64_t *)pts_tensor_data(hi);
            double *wp = (double *)pts_tensor_data(wt);
            bool f32 = self->dtype == PTS_FLOAT32;
            for (int64_t r = 0; r < R; r++) {
                int64_t valid = 0;
                bool any_nan = false;
                for (int64_t j = 0; j < n; j++) {
                    if (isnan(sv[r * n + j])) any_nan = true;
                    else valid++;
                }
                for (int64_t k = 0; k < nq; k++) {
                    double rank;
                    if (ignore_nan) {
                        rank = f32 ? (double)((float)qv[k] * (float)(valid - 1)) : qv[k] * (double)(valid - 1);
                        if (rank < 0) rank = 0;
                    } else {
                        rank = any_nan ? (double)(n - 1) : f32 ? (double)((float)qv[k] * (float)(n - 1)) : qv[k] * (double)(n - 1);
                    }
                    if (mode == Q_LOWER) rank = floor(rank);
                    else if (mode == Q_HIGHER) rank = ceil(rank);
                    else if (mode == Q_NEAREST) rank = nearbyint(rank);
                    int64_t below = (int64_t)rank, above = (int64_t)ceil(rank);
                    double w = mode == Q_MIDPOINT ? 0.5 : rank - (double)below;
                    if (f32) w = (float)w;
                    lp[r * nq + k] = below;
                    hp[r * nq + k] = above;
                    wp[r * nq + k] = w;
                }
            }
        }
    }
    if (!s) s = R2(&S, &vb, GATHER, TV(sorted), IV(1), TV(lo), BV(false));
    if (!s && (mode == Q_LINEAR || mode == Q_MIDPOINT)) {
        PtsTensor *wd = NULL;
        if (!(s = R2(&S, &va, GATHER, TV(sorted), IV(1), TV(hi), BV(false))) &&
            !(s = R2(&S, &wd, TO_DTYPE, TV(wt), IV(self->dtype), BV(false), BV(false), NV)))
            s = R2(&S, &res, LERP_TENSOR, TV(vb), TV(va), TV(wd));
    } else if (!s) {
        res = vb;
    }
    /* [R, Q] -> reduced shape + [Q] -> q first (1-d q) or dropped (0-d q) */
    if (!s) {
        int64_t fs[PTS_MAX_DIMS + 1];
        memcpy(fs, rshape, sizeof(int64_t) * (size_t)rnd);
        fs[rnd] = nq;
        if (!(s = r2_ilist(&S, fs, q->ndim ? rnd + 1 : rnd, &l))) s = R2(&S, &fin, RESHAPE, TV(res), l);
        if (!s && q->ndim && rnd) {
            int64_t perm[PTS_MAX_DIMS + 1];
            perm[0] = rnd;
            for (int i = 0; i < rnd; i++) perm[i + 1] = i;
            if (!(s = r2_ilist(&S, perm, rnd + 1, &l))) s = R2(&S, &fin, PERMUTE, TV(fin), l);
        }
    }
    if (!s) out[0] = r2_ret(fin);
    r2_end(&S);
    return s;
}


/* a float q becomes a 0-dim tensor of the input's dtype, as ATen's scalar_tensor(q, self) */
static PtsStatus quantile_scalar(PtsValue *a, PtsValue *out, PtsError *err, bool ignore_nan) {
    PtsTensor *self = a[0].u.t, *q = NULL;
    PtsDType qt = pts_dtype_is_float(self->dtype) ? self->dtype : PTS_FLOAT32;
    PTS_TRY(pts_tensor_scalar_f64(qt, a[1].u.d, err, &q));
    PtsStatus s = quantile_impl(self, q, a[2], a[3].u.b, pts_as_str(a[4])->data, ignore_nan, err, out);
    pts_tensor_release(q);
    return s;
}

/* q given as a Python number binds the Tensor row first (a wrapped number): read as the float */
static PtsStatus quantile_tensor(PtsValue *a, PtsValue *out, PtsError *err, bool ignore_nan) {
    PtsTensor *q = a[1].u.t;
    if (q->flags & PTS_TF_WRAPPED_NUMBER) {
        PtsValue b[5] = { a[0], pts_vdouble(pts_tensor_item_f64(q)), a[2], a[3], a[4] };
        return quantile_scalar(b, out, err, ignore_nan);
    }
    return quantile_impl(a[0].u.t, q, a[2], a[3].u.b, pts_as_str(a[4])->data, ignore_nan, err, out);
}

PtsStatus k_QUANTILE(PtsValue *a, PtsValue *out, PtsError *err) { return quantile_tensor(a, out, err, false); }
PtsStatus k_NANQUANTILE(PtsValue *a, PtsValue *out, PtsError *err) { return quantile_tensor(a, out, err, true); }
PtsStatus k_QUANTILE_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return quantile_scalar(a, out, err, false); }
PtsStatus k_NANQUANTILE_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return quantile_scalar(a, out, err, true); }
