/* k_reduce2.c: kernels of ops_reduce2.def, first part: reductions and scans (trace, nansum,
 * nanmean, std_mean/var_mean, aminmax, argwhere, cummax/cummin, logcumsumexp, dist) and the
 * products (addr, addbmm, vdot, inner, kron, cross, tensordot, trapezoid). Composites are written
 * as ATen writes them, as chains of registry calls in an R2Scope (reduce2.h). */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "builtin.h"
#include "reduce2.h"

/* ================= helpers ================= */

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

/* int64 tensor [start, start + step, ...) of n values (no autograd: index data) */
static PtsStatus r2_arange(R2Scope *S, int64_t n, int64_t start, int64_t step, PtsTensor **out) {
    PtsTensor *t = NULL;
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, &n, S->err, &t));
    int64_t *p = (int64_t *)pts_tensor_data(t);
    for (int64_t i = 0; i < n; i++) p[i] = start + i * step;
    *out = t;
    return r2_hold_t(S, t);
}

/* t reshaped (through the registry) to shape */
static PtsStatus r2_reshape(R2Scope *S, PtsTensor *t, int n, const int64_t *shape, PtsTensor **out) {
    PtsValue l;
    PTS_TRY(r2_ilist(S, shape, n, &l));
    return R2(S, out, RESHAPE, TV(t), l);
}

static PtsStatus r2_permute(R2Scope *S, PtsTensor *t, int n, const int64_t *perm, PtsTensor **out) {
    PtsValue l;
    PTS_TRY(r2_ilist(S, perm, n, &l));
    return R2(S, out, PERMUTE, TV(t), l);
}

static PtsStatus r2_expand(R2Scope *S, PtsTensor *t, int n, const int64_t *shape, PtsTensor **out) {
    PtsValue l;
    PTS_TRY(r2_ilist(S, shape, n, &l));
    return R2(S, out, EXPAND, TV(t), l);
}

static PtsStatus r2_sum_dims(R2Scope *S, PtsTensor *t, int n, const int64_t *dims, bool keepdim, PtsTensor **out) {
    PtsValue l;
    PTS_TRY(r2_ilist(S, dims, n, &l));
    return R2(S, out, SUM_DIM_INTLIST, TV(t), l, BV(keepdim), NV);
}

/* finish a kernel: on success out[0] = +1 of r; the scope is released either way */
static PtsStatus r2_done1(R2Scope *S, PtsStatus s, PtsTensor *r, PtsValue *out) {
    if (!s) out[0] = r2_ret(r);
    r2_end(S);
    return s;
}

static PtsStatus r2_done2(R2Scope *S, PtsStatus s, PtsTensor *a, PtsTensor *b, PtsValue *out) {
    if (!s) {
        out[0] = r2_ret(a);
        out[1] = r2_ret(b);
    }
    r2_end(S);
    return s;
}

static bool is_floatish(PtsDType d) { return pts_dtype_is_float(d); }

/* ================= reductions ================= */

/* the diagonal gathered from the flattened matrix (index_select, so its gradient is exact),
 * then summed with sum's result dtypes (ints -> int64) */
PtsStatus k_TRACE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    PTS_CHECK(self->ndim == 2, err, RUNTIME, "trace: expected a matrix, but got tensor with dim %d", self->ndim);
    PTS_CHECK(self->dtype != PTS_BOOL, err, NOTIMPL, "\"trace\" not implemented for 'Bool'");
    R2_SCOPE(S, err);
    int64_t r = self->shape[0], c = self->shape[1], n = r < c ? r : c, all = -1;
    PtsTensor *flat = NULL, *idx = NULL, *d = NULL, *res = NULL;
    PtsStatus s;
    if (!(s = r2_reshape(&S, self, 1, &all, &flat)) && !(s = r2_arange(&S, n, 0, c + 1, &idx)) &&
        !(s = R2(&S, &d, INDEX_SELECT, TV(flat), IV(0), TV(idx))))
        s = R2(&S, &res, SUM, TV(d), NV);
    return r2_done1(&S, s, res, out);
}

/* sum with NaN read as 0 (integers cannot hold NaN: plain sum) */
PtsStatus k_NANSUM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *x = self, *m = NULL, *res = NULL;
    R2_SCOPE(S, err);
    PtsStatus s = PTS_OK;
    if (is_floatish(self->dtype) && !(s = R2(&S, &m, ISNAN, TV(self))))
        s = R2(&S, &x, WHERE_SCALARSELF, TV(m), IV(0), TV(self));
    if (!s) s = R2(&S, &res, SUM_DIM_INTLIST, TV(x), a[1], a[2], a[3]);
    return r2_done1(&S, s, res, out);
}

/* nansum / count of the non-NaN values (ATen's nanmean) */
PtsStatus k_NANMEAN(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *m = NULL, *keep = NULL, *cnt = NULL, *sum = NULL, *res = NULL;
    PTS_CHECK(is_floatish(self->dtype), err, RUNTIME,
              "nanmean(): expected input to have floating point or complex dtype but got %s",
              pts_dtype_scalar_name(self->dtype, "?"));
    R2_SCOPE(S, err);
    PtsStatus s;
    if (!(s = R2(&S, &m, ISNAN, TV(self))) && !(s = R2(&S, &keep, LOGICAL_NOT, TV(m))) &&
        !(s = R2(&S, &cnt, SUM_DIM_INTLIST, TV(keep), a[1], a[2], NV)) &&
        !(s = R2(&S, &sum, NANSUM, TV(self), a[1], a[2], a[3])))
        s = R2(&S, &res, DIV_TENSOR, TV(sum), TV(cnt));
    return r2_done1(&S, s, res, out);
}

/* (std or var, mean) over the same dims */
static PtsStatus stat_mean(PtsValue *a, PtsValue *out, PtsError *err, bool is_std, int form) {
    PtsTensor *self = a[0].u.t, *v = NULL, *m = NULL;
    PTS_CHECK(is_floatish(self->dtype), err, RUNTIME, "%s only support floating point and complex dtypes",
              is_std ? "std_mean" : "var_mean");
    R2_SCOPE(S, err);
    PtsStatus s;
    if (form == 0) {         /* (self, unbiased) */
        if (!(s = r2_t(&S, is_std ? PTS_OP_STD : PTS_OP_VAR, 2, a, &v))) s = R2(&S, &m, MEAN, TV(self), NV);
    } else if (form == 1) {  /* (self, dim, unbiased, keepdim) */
        if (!(s = r2_t(&S, is_std ? PTS_OP_STD_DIM : PTS_OP_VAR_DIM, 4, a, &v)))
            s = R2(&S, &m, MEAN_DIM, TV(self), a[1], a[3], NV);
    } else {                 /* (self, dim, correction, keepdim) */
        if (!(s = r2_t(&S, is_std ? PTS_OP_STD_CORRECTION : PTS_OP_VAR_CORRECTION, 4, a, &v)))
            s = R2(&S, &m, MEAN_DIM, TV(self), a[1], a[3], NV);
    }
    return r2_done2(&S, s, v, m, out);
}

PtsStatus k_STD_MEAN(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, true, 0); }
PtsStatus k_STD_MEAN_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, true, 1); }
PtsStatus k_STD_MEAN_CORRECTION(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, true, 2); }
PtsStatus k_VAR_MEAN(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, false, 0); }
PtsStatus k_VAR_MEAN_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, false, 1); }
PtsStatus k_VAR_MEAN_CORRECTION(PtsValue *a, PtsValue *out, PtsError *err) { return stat_mean(a, out, err, false, 2); }

/* (amin, amax) over dim, or over everything (keepdim then keeps every dim as size 1) */
PtsStatus k_AMINMAX(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *lo = NULL, *hi = NULL;
    bool keep = a[2].u.b;
    int d = 0;
    if (a[1].tag == PTS_V_NONE) {
        PTS_CHECK(pts_numel(self) > 0, err, RUNTIME,
                  "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
    } else {
        PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
        PTS_CHECK(!self->ndim || self->shape[d] > 0, err, INDEX,
                  "aminmax(): Expected reduction dim %d to have non-zero size.", d);
    }
    R2_SCOPE(S, err);
    PtsValue dims;
    int64_t dd = d;
    PtsStatus s = r2_ilist(&S, &dd, a[1].tag == PTS_V_NONE ? 0 : 1, &dims);
    if (!s && !(s = R2(&S, &lo, AMIN, TV(self), dims, BV(keep)))) s = R2(&S, &hi, AMAX, TV(self), dims, BV(keep));
    return r2_done2(&S, s, lo, hi, out);
}

PtsStatus k_ARGWHERE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[1] = { a[0] };
    return pts_op_call(PTS_OP_NONZERO, args, out, err);
}

/* ================= scans ================= */

/* cummax/cummin: the running index here (ATen's rule: a NaN or a value >= (<=) the running
 * one takes over, so ties take the later index and NaN sticks), values gathered through the
 * registry (gradient: gather's) */
static PtsStatus cum_minmax(PtsValue *a, PtsValue *out, PtsError *err, bool is_max) {
    PtsTensor *self = a[0].u.t, *w = NULL, *idx = NULL, *vals = NULL;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    bool fl = is_floatish(self->dtype);
    PTS_TRY(pts_tensor_to(self, fl ? PTS_FLOAT64 : PTS_INT64, false, err, &w));
    R2_SCOPE(S, err);
    PtsStatus s = r2_hold_t(&S, w);
    if (!s && !(s = pts_tensor_new(PTS_INT64, self->ndim, self->shape, err, &idx))) s = r2_hold_t(&S, idx);
    if (!s) {
        int64_t outer, n, inner;
        split_dim(self, d, &outer, &n, &inner);
        const double *fd = (const double *)pts_tensor_data(w);
        const int64_t *id = (const int64_t *)pts_tensor_data(w);
        int64_t *o = (int64_t *)pts_tensor_data(idx);
        for (int64_t p = 0; p < outer; p++) {
            for (int64_t q = 0; q < inner; q++) {
                int64_t base = p * n * inner + q, best = 0;
                for (int64_t j = 0; j < n; j++) {
                    int64_t at = base + j * inner, cur = base + best * inner;
                    bool take;
                    if (fl) {
                        double x = fd[at], y = fd[cur];
                        take = isnan(x) || (!isnan(y) && (is_max ? x >= y : x <= y));
                    } else {
                        take = is_max ? id[at] >= id[cur] : id[at] <= id[cur];
                    }
                    if (take) best = j;
                    o[at] = best;
                }
            }
        }
        s = R2(&S, &vals, GATHER, TV(self), IV(d), TV(idx), BV(false));
    }
    return r2_done2(&S, s, vals, idx, out);
}

PtsStatus k_CUMMAX(PtsValue *a, PtsValue *out, PtsError *err) { return cum_minmax(a, out, err, true); }
PtsStatus k_CUMMIN(PtsValue *a, PtsValue *out, PtsError *err) { return cum_minmax(a, out, err, false); }

/* ATen's _log_add_exp_helper: NaN propagates, two equal infinities stay as they are */
static double log_add_exp(double x, double y) {
    double lo = isnan(y) ? y : (x < y ? x : y), hi = isnan(y) ? y : (x < y ? y : x);
    if (lo != hi || isfinite(lo)) return hi + log1p(exp(lo - hi));
    return x;
}

/* primitive (formula in formulas_reduce2.c); float dtypes only, computed in double */
PtsStatus k_LOGCUMSUMEXP(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *w = NULL, *r = NULL;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    PTS_CHECK(is_floatish(self->dtype), err, NOTIMPL, "\"logcumsumexp_out_cpu\" not implemented for '%s'",
              pts_dtype_scalar_name(self->dtype, "?"));
    PTS_TRY(pts_tensor_to(self, PTS_FLOAT64, true, err, &w));
    if (!pts_tensor_is_contiguous(w)) {
        PtsTensor *c = NULL;
        PtsStatus s = pts_tensor_contiguous(w, err, &c);
        pts_tensor_release(w);
        PTS_TRY(s);
        w = c;
    }
    int64_t outer, n, inner;
    split_dim(self, d, &outer, &n, &inner);
    double *p = (double *)pts_tensor_data(w);
    for (int64_t i = 0; i < outer; i++) {
        for (int64_t q = 0; q < inner; q++) {
            double acc = -INFINITY;
            for (int64_t j = 0; j < n; j++) {
                double *x = &p[i * n * inner + j * inner + q];
                acc = log_add_exp(acc, *x);
                *x = acc;
            }
        }
    }
    PtsStatus s = pts_tensor_to(w, self->dtype, false, err, &r);
    pts_tensor_release(w);
    PTS_TRY(s);
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

/* ||self - other||_p (ATen: at::norm(self - other, p)) */
PtsStatus k_DIST(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *diff = NULL, *res = NULL;
    R2_SCOPE(S, err);
    PtsStatus s = R2(&S, &diff, SUB_TENSOR, a[0], a[1], IV(1));
    if (!s) {
        if (!is_floatish(diff->dtype))
            s = pts_fail(err, PTS_ERR_RUNTIME, "norm(): input dtype should be either floating point or complex. Got %s instead.",
                         pts_dtype_scalar_name(diff->dtype, "?"));
        else
            s = R2(&S, &res, NORM_SCALAR, TV(diff), a[2]);
    }
    return r2_done1(&S, s, res, out);
}

/* ================= products ================= */

static bool scalar_is(PtsValue v, double x) { return pts_value_to_f64(v) == x; }

/* beta * self + alpha * prod with self expanded to prod's shape (beta == 0: self is ignored,
 * NaN included, as ATen does) */
static PtsStatus add_scaled(R2Scope *S, PtsTensor *self, PtsTensor *prod, PtsValue beta, PtsValue alpha,
                            PtsTensor **out) {
    PtsTensor *e = NULL, *p = prod, *b = NULL;
    PTS_TRY(r2_expand(S, self, prod->ndim, prod->shape, &e));
    if (!scalar_is(alpha, 1)) PTS_TRY(R2(S, &p, MUL_SCALAR, TV(prod), alpha));
    if (scalar_is(beta, 0)) {
        PtsDType rt = pts_promote_types(self->dtype, p->dtype);
        if (rt == p->dtype) {
            *out = p;
            return PTS_OK;
        }
        return R2(S, out, TO_DTYPE, TV(p), IV(rt), BV(false), BV(false), NV);
    }
    b = e;
    if (!scalar_is(beta, 1)) PTS_TRY(R2(S, &b, MUL_SCALAR, TV(e), beta));
    return R2(S, out, ADD_TENSOR, TV(b), TV(p), IV(1));
}

static PtsStatus check_bool_scalars(PtsTensor *self, PtsValue beta, PtsValue alpha, PtsError *err) {
    if (self->dtype == PTS_BOOL) return PTS_OK;
    PTS_CHECK(beta.tag != PTS_V_BOOL && alpha.tag != PTS_V_BOOL, err, RUNTIME,
              "Boolean beta only supported for Boolean results.");
    return PTS_OK;
}

PtsStatus k_ADDR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *v1 = a[1].u.t, *v2 = a[2].u.t, *o = NULL, *res = NULL;
    PTS_CHECK(v1->ndim == 1, err, RUNTIME, "addr: Expected 1-D argument vec1, but got %d-D", v1->ndim);
    PTS_CHECK(v2->ndim == 1, err, RUNTIME, "addr: Expected 1-D argument vec2, but got %d-D", v2->ndim);
    PTS_TRY(check_bool_scalars(self, a[3], a[4], err));
    R2_SCOPE(S, err);
    PtsStatus s = R2(&S, &o, OUTER, TV(v1), TV(v2));
    if (!s) s = add_scaled(&S, self, o, a[3], a[4], &res);
    return r2_done1(&S, s, res, out);
}

/* in place: the shape of self must be the outer product's, and the result castable to self */
static PtsStatus inplace_from(PtsOpId id, PtsValue *a, PtsValue *out, PtsError *err, const char *what) {
    PtsTensor *self = a[0].u.t;
    PtsValue r[1];
    PTS_TRY(pts_op_call(id, a, r, err));
    PtsTensor *res = r[0].u.t;
    PtsStatus s = PTS_OK;
    if (res->ndim != self->ndim || memcmp(res->shape, self->shape, sizeof(int64_t) * (size_t)self->ndim)) {
        char b1[96], b2[96];
        s = pts_fail(err, PTS_ERR_RUNTIME, "%s: the result of shape %s cannot be written to self of shape %s", what,
                     pts_shape_str(res->ndim, res->shape, b1, sizeof b1),
                     pts_shape_str(self->ndim, self->shape, b2, sizeof b2));
    } else if (!pts_can_cast(res->dtype, self->dtype)) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                     pts_dtype_scalar_name(res->dtype, "?"), pts_dtype_scalar_name(self->dtype, "?"));
    } else {
        PtsValue cargs[3] = { pts_vtensor(self), pts_vtensor(res), pts_vbool(false) }, cr;
        s = pts_op_call(PTS_OP_COPY_, cargs, &cr, err);
        if (!s) pts_value_release(&cr);
    }
    pts_tensor_release(res);
    PTS_TRY(s);
    out[0] = pts_vtensor(pts_tensor_retain(self));
    return PTS_OK;
}

PtsStatus k_ADDR_(PtsValue *a, PtsValue *out, PtsError *err) { return inplace_from(PTS_OP_ADDR, a, out, err, "addr_"); }

PtsStatus k_ADDBMM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *b1 = a[1].u.t, *b2 = a[2].u.t, *bm = NULL, *p = NULL, *res = NULL;
    PTS_CHECK(b1->ndim == 3, err, RUNTIME, "batch1 must be a 3D tensor");
    PTS_CHECK(b2->ndim == 3, err, RUNTIME, "batch2 must be a 3D tensor");
    PTS_TRY(check_bool_scalars(self, a[3], a[4], err));
    R2_SCOPE(S, err);
    int64_t zero = 0;
    PtsStatus s = R2(&S, &bm, BMM, TV(b1), TV(b2));
    if (!s && !(s = r2_sum_dims(&S, bm, 1, &zero, false, &p))) s = add_scaled(&S, self, p, a[3], a[4], &res);
    return r2_done1(&S, s, res, out);
}

PtsStatus k_ADDBMM_(PtsValue *a, PtsValue *out, PtsError *err) {
    return inplace_from(PTS_OP_ADDBMM, a, out, err, "addbmm_");
}

/* real tensors: vdot is dot */
PtsStatus k_VDOT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[2] = { a[0], a[1] };
    return pts_op_call(PTS_OP_DOT, args, out, err);
}

PtsStatus k_INNER(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t, *res = NULL;
    R2_SCOPE(S, err);
    PtsStatus s;
    if (!x->ndim || !y->ndim) {
        s = R2(&S, &res, MUL_TENSOR, TV(x), TV(y));
    } else if (x->shape[x->ndim - 1] != y->shape[y->ndim - 1]) {
        char b1[96], b2[96];
        s = pts_fail(err, PTS_ERR_RUNTIME,
                     "inner() the last dimension must match on both input tensors but got shapes %s and %s",
                     pts_shape_str(x->ndim, x->shape, b1, sizeof b1), pts_shape_str(y->ndim, y->shape, b2, sizeof b2));
    } else {
        PtsValue d1, d2;
        int64_t m1 = -1;
        if (!(s = r2_ilist(&S, &m1, 1, &d1)) && !(s = r2_ilist(&S, &m1, 1, &d2)))
            s = R2(&S, &res, TENSORDOT, TV(x), TV(y), d1, d2);
    }
    return r2_done1(&S, s, res, out);
}

/* ATen's kron: self viewed as [s0,1,s1,1,...], other as [1,o0,1,o1,...], multiplied, merged */
PtsStatus k_KRON(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t, *xr = NULL, *yr = NULL, *m = NULL, *res = NULL;
    int nd = x->ndim > y->ndim ? x->ndim : y->ndim;
    int px = nd - x->ndim, py = nd - y->ndim;
    int64_t as[2 * PTS_MAX_DIMS], bs[2 * PTS_MAX_DIMS], rs[PTS_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        as[2 * i] = i >= px ? x->shape[i - px] : 1;
        as[2 * i + 1] = 1;
        bs[2 * i] = 1;
        bs[2 * i + 1] = i >= py ? y->shape[i - py] : 1;
        rs[i] = as[2 * i] * bs[2 * i + 1];
    }
    R2_SCOPE(S, err);
    PtsStatus s;
    if (!(s = r2_reshape(&S, x, 2 * nd, as, &xr)) && !(s = r2_reshape(&S, y, 2 * nd, bs, &yr)) &&
        !(s = R2(&S, &m, MUL_TENSOR, TV(xr), TV(yr))))
        s = r2_reshape(&S, m, nd, rs, &res);
    return r2_done1(&S, s, res, out);
}

/* torch's TORCH_WARN_ONCE for cross without dim: one UserWarning per process */
static PtsStatus warn_cross_dim(PtsError *err) {
    static _Atomic bool warned = false;
    static const char msg[] = "Using torch.cross without specifying the dim arg is deprecated.\n"
                              "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                              "The default value of dim will change to agree with that of linalg.cross in a future release.";
    return pts_warn_once(&warned, msg, sizeof msg - 1, err);
}

/* torch.cross: linalg.cross along dim (default: the first dim of size 3, deprecated); the
 * components through narrow views, so the gradient is that of the products */
PtsStatus k_CROSS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *y = a[1].u.t, *res = NULL;
    PTS_CHECK(x->ndim == y->ndim, err, RUNTIME, "linalg.cross: inputs must have the same number of dimensions.");
    int d = -1;
    if (a[2].tag == PTS_V_NONE) {
        PTS_TRY(warn_cross_dim(err));
        for (int i = 0; i < x->ndim && d < 0; i++)
            if (x->shape[i] == 3) d = i;
        PTS_CHECK(d >= 0, err, RUNTIME, "no dimension of size 3 in input");
    } else {
        PTS_CHECK(x->ndim > 0, err, INDEX, "Dimension specified as %lld but tensor has no dimensions", (long long)a[2].u.i);
        PTS_TRY(pts_wrap_dim(a[2].u.i, x->ndim, err, &d));
    }
    PTS_CHECK(x->shape[d] == 3 && y->shape[d] == 3, err, RUNTIME,
              "linalg.cross: inputs dimension %d must have length 3. Got %lld and %lld", d,
              (long long)x->shape[d], (long long)y->shape[d]);
    R2_SCOPE(S, err);
    PtsTensor *xc[3] = { NULL }, *yc[3] = { NULL }, *c[3] = { NULL };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 3 && !s; i++) {
        if (!(s = R2(&S, &xc[i], NARROW, TV(x), IV(d), IV(i), IV(1)))) s = R2(&S, &yc[i], NARROW, TV(y), IV(d), IV(i), IV(1));
    }
    for (int i = 0; i < 3 && !s; i++) {
        int j = (i + 1) % 3, k = (i + 2) % 3;
        PtsTensor *p = NULL, *q = NULL;
        if (!(s = R2(&S, &p, MUL_TENSOR, TV(xc[j]), TV(yc[k]))) && !(s = R2(&S, &q, MUL_TENSOR, TV(xc[k]), TV(yc[j]))))
            s = R2(&S, &c[i], SUB_TENSOR, TV(p), TV(q), IV(1));
    }
    if (!s) {
        PtsValue l;
        if (!(s = r2_tlist(&S, c, 3, &l))) s = R2(&S, &res, CAT, l, IV(d));
    }
    return r2_done1(&S, s, res, out);
}

/* ATen's tensordot: size-1 contracted dims against larger ones are summed first; the rest is
 * permuted to [free, contracted] x [contracted, free] and multiplied by mm */
PtsStatus k_TENSORDOT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t1 = a[0].u.t, *t2 = a[1].u.t, *res = NULL;
    int64_t d1[PTS_MAX_DIMS], d2[PTS_MAX_DIMS];
    int n1, n2;
    PTS_TRY(pts_value_int_list(a[2], d1, PTS_MAX_DIMS, &n1, err));
    PTS_TRY(pts_value_int_list(a[3], d2, PTS_MAX_DIMS, &n2, err));
    PTS_CHECK(n1 == n2, err, RUNTIME, "both dimension lists should have same length");
    PTS_CHECK(t1->dtype == t2->dtype, err, RUNTIME, "both inputs should have same dtype");
    bool c1[PTS_MAX_DIMS] = { false }, c2[PTS_MAX_DIMS] = { false };
    int w1[PTS_MAX_DIMS], w2[PTS_MAX_DIMS];
    R2_SCOPE(S, err);
    PtsStatus s = PTS_OK;
    for (int i = 0; i < n1 && !s; i++) {
        if ((s = pts_wrap_dim(d1[i], t1->ndim, err, &w1[i])) || (s = pts_wrap_dim(d2[i], t2->ndim, err, &w2[i]))) break;
        if (c1[w1[i]] || c2[w2[i]]) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "dim %d appears multiple times in the list of dims",
                         c1[w1[i]] ? w1[i] : w2[i]);
            break;
        }
        c1[w1[i]] = c2[w2[i]] = true;
    }
    PtsTensor *x = t1, *y = t2;
    for (int i = 0; i < n1 && !s; i++) {
        int64_t s1 = t1->ndim ? t1->shape[w1[i]] : 1, s2 = t2->ndim ? t2->shape[w2[i]] : 1;
        int64_t dd;
        if (s1 == s2) continue;
        if (s2 == 1) {
            dd = w1[i];
            s = r2_sum_dims(&S, x, 1, &dd, true, &x);
        } else if (s1 == 1) {
            dd = w2[i];
            s = r2_sum_dims(&S, y, 1, &dd, true, &y);
        } else {
            s = pts_fail(err, PTS_ERR_RUNTIME,
                         "contracted dimensions need to match, but first has size %lld in dim %d and second has size %lld in dim %d",
                         (long long)s1, w1[i], (long long)s2, w2[i]);
        }
    }
    if (!s) {
        int64_t p1[PTS_MAX_DIMS], p2[PTS_MAX_DIMS], rs[2 * PTS_MAX_DIMS];
        int np1 = 0, np2 = 0, nr = 0;
        int64_t size1 = 1, size2 = 1, csize = 1;
        for (int i = 0; i < t1->ndim; i++)
            if (!c1[i]) {
                p1[np1++] = i;
                size1 *= x->shape[i];
                rs[nr++] = x->shape[i];
            }
        for (int i = 0; i < n1; i++) {
            p1[np1++] = w1[i];
            csize *= x->shape[w1[i]];
        }
        for (int i = 0; i < n1; i++) p2[np2++] = w2[i];
        for (int i = 0; i < t2->ndim; i++)
            if (!c2[i]) {
                p2[np2++] = i;
                size2 *= y->shape[i];
                rs[nr++] = y->shape[i];
            }
        PtsTensor *xp = NULL, *yp = NULL, *xm = NULL, *ym = NULL, *m = NULL;
        int64_t s1[2] = { size1, csize }, s2[2] = { csize, size2 };
        if (!(s = r2_permute(&S, x, np1, p1, &xp)) && !(s = r2_permute(&S, y, np2, p2, &yp)) &&
            !(s = r2_reshape(&S, xp, 2, s1, &xm)) && !(s = r2_reshape(&S, yp, 2, s2, &ym)) &&
            !(s = R2(&S, &m, MM, TV(xm), TV(ym))))
            s = r2_reshape(&S, m, nr, rs, &res);
    }
    return r2_done1(&S, s, res, out);
}

/* ================= trapezoid ================= */

/* y's shape without dim, zeros (ATen's zeros_like_except for an empty dim) */
static PtsStatus zeros_except(R2Scope *S, PtsTensor *y, int d, PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < y->ndim; i++)
        if (i != d) shape[n++] = y->shape[i];
    PtsValue l;
    PTS_TRY(r2_ilist(S, shape, n, &l));
    return R2(S, out, ZEROS, l, IV(y->dtype), NV, NV, NV);
}

static PtsStatus trapz_dx(PtsTensor *y, PtsValue dx, int64_t dim, PtsValue *out, PtsError *err) {
    int d;
    PTS_TRY(pts_wrap_dim(dim, y->ndim, err, &d));
    PTS_CHECK(y->ndim > 0, err, INDEX, "Dimension specified as %lld but tensor has no dimensions", (long long)dim);
    R2_SCOPE(S, err);
    PtsTensor *res = NULL, *sum = NULL, *first = NULL, *last = NULL, *ends = NULL, *half = NULL, *diff = NULL;
    PtsStatus s;
    int64_t dd = d;
    if (y->shape[d] == 0) {
        s = zeros_except(&S, y, d, &res);
    } else if (!(s = r2_sum_dims(&S, y, 1, &dd, false, &sum)) && !(s = R2(&S, &first, SELECT_INT, TV(y), IV(d), IV(0))) &&
               !(s = R2(&S, &last, SELECT_INT, TV(y), IV(d), IV(-1))) &&
               !(s = R2(&S, &ends, ADD_TENSOR, TV(first), TV(last), IV(1))) &&
               !(s = R2(&S, &half, MUL_SCALAR, TV(ends), DV(0.5))) &&
               !(s = R2(&S, &diff, SUB_TENSOR, TV(sum), TV(half), IV(1)))) {
        s = R2(&S, &res, MUL_SCALAR, TV(diff), dx);
    }
    return r2_done1(&S, s, res, out);
}

static PtsStatus trapz_x(PtsTensor *y, PtsTensor *x, int64_t dim, PtsValue *out, PtsError *err) {
    int d;
    PTS_TRY(pts_wrap_dim(dim, y->ndim, err, &d));
    PTS_CHECK(y->ndim > 0, err, INDEX, "Dimension specified as %lld but tensor has no dimensions", (long long)dim);
    R2_SCOPE(S, err);
    PtsTensor *res = NULL, *xv = x, *xl = NULL, *xr = NULL, *dx = NULL, *yl = NULL, *yr = NULL, *ys = NULL, *p = NULL, *sum = NULL;
    PtsStatus s = PTS_OK;
    int64_t dd = d;
    if (y->shape[d] == 0) {
        s = zeros_except(&S, y, d, &res);
        return r2_done1(&S, s, res, out);
    }
    if (x->ndim == 1) {
        if (x->shape[0] != y->shape[d]) {
            r2_end(&S);
            return pts_fail(err, PTS_ERR_RUNTIME, "trapezoid: There must be one `x` value for each sample point");
        }
        int64_t vs[PTS_MAX_DIMS];
        for (int i = 0; i < y->ndim; i++) vs[i] = i == d ? x->shape[0] : 1;
        s = r2_reshape(&S, x, y->ndim, vs, &xv);
    }
    if (!s && !(s = R2(&S, &xl, SLICE_TENSOR, TV(xv), IV(d), IV(0), IV(-1), IV(1))) &&
        !(s = R2(&S, &xr, SLICE_TENSOR, TV(xv), IV(d), IV(1), NV, IV(1))) &&
        !(s = R2(&S, &dx, SUB_TENSOR, TV(xr), TV(xl), IV(1))) &&
        !(s = R2(&S, &yl, SLICE_TENSOR, TV(y), IV(d), IV(0), IV(-1), IV(1))) &&
        !(s = R2(&S, &yr, SLICE_TENSOR, TV(y), IV(d), IV(1), NV, IV(1))) &&
        !(s = R2(&S, &ys, ADD_TENSOR, TV(yl), TV(yr), IV(1))) && !(s = R2(&S, &p, MUL_TENSOR, TV(dx), TV(ys))) &&
        !(s = r2_sum_dims(&S, p, 1, &dd, false, &sum)))
        s = R2(&S, &res, DIV_SCALAR, TV(sum), DV(2.0));
    return r2_done1(&S, s, res, out);
}

PtsStatus k_TRAPEZOID_X(PtsValue *a, PtsValue *out, PtsError *err) { return trapz_x(a[0].u.t, a[1].u.t, a[2].u.i, out, err); }
PtsStatus k_TRAPEZOID_DX(PtsValue *a, PtsValue *out, PtsError *err) { return trapz_dx(a[0].u.t, a[1], a[2].u.i, out, err); }
PtsStatus k_TRAPZ_X(PtsValue *a, PtsValue *out, PtsError *err) { return trapz_x(a[0].u.t, a[1].u.t, a[2].u.i, out, err); }
PtsStatus k_TRAPZ_DX(PtsValue *a, PtsValue *out, PtsError *err) { return trapz_dx(a[0].u.t, a[1], a[2].u.i, out, err); }
