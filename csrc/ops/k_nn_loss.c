/* k_nn_loss.c: loss kernels: nll_loss / nll_loss2d / nll_loss_nd, cross_entropy_loss (the
 * log_softmax + nll_loss_nd composite, plus ATen's label-smoothing and class-probability
 * variants), mse_loss, binary_cross_entropy(_with_logits). Losses are computed per element in
 * double and reduced by at::Reduction (0 none, 1 mean, 2 sum). */
#include <stdio.h>

#include "nn.h"

/* ================= nll_loss ================= */
/* The per-element losses of input [n, c, s] against target [n, s]: loss = -w[t] * x[n, t, s],
 * 0 where t == ignore. Reduced by the total weight for mean. x must be a floating tensor, target
 * int64 or uint8, weight (c) of x's dtype; out_shape is the reduction=none shape. */
static PtsStatus nll_compute(PtsTensor *x, PtsTensor *t, PtsTensor *w, int64_t reduction,
                             int64_t ignore, int64_t n, int64_t c, int64_t s, int out_ndim,
                             const int64_t *out_shape, PtsError *err, PtsValue *out) {
    PtsTensor *xc = NULL, *tc = NULL, *wc = NULL;
    double *loss = NULL;
    PtsStatus st;
    /* only n * s of the n * c * s inputs are read: no float64 copy of the whole input */
    if ((st = pts_tensor_contiguous(x, err, &xc))) goto done;
    if ((st = pts_tensor_to(t, PTS_INT64, false, err, &tc))) goto done;
    if (w && (st = pts_tensor_to(w, PTS_FLOAT64, false, err, &wc))) goto done;
    loss = pts_malloc(sizeof(double) * (size_t)(n * s > 0 ? n * s : 1));
    if (!loss) { st = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    const char *xv = pts_tensor_data(xc);
    size_t isz = pts_dtype_size(x->dtype);
    const double *wv = wc ? (const double *)pts_tensor_data(wc) : NULL;
    const int64_t *tv = (const int64_t *)pts_tensor_data(tc);
    double wsum = 0, sum = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = 0; k < s; k++) {
            int64_t tt = tv[i * s + k];
            double *l = &loss[i * s + k];
            if (tt == ignore) { *l = 0; continue; }
            if (tt < 0 || tt >= c) {
                st = pts_fail(err, PTS_ERR_INDEX, "Target %lld is out of bounds.", (long long)tt);
                goto done;
            }
            double wt = wv ? wv[tt] : 1.0;
            *l = -wt * pts_load_f64(x->dtype, xv + (size_t)((i * c + tt) * s + k) * isz);
            wsum += wt;
            sum += *l;
        }
    if (reduction == NN_RED_NONE) {
        st = nn_reduce_loss(loss, out_ndim, out_shape, NN_RED_NONE, x->dtype, err, out);
    } else {
        PtsTensor *r;
        st = pts_tensor_scalar_f64(x->dtype, reduction == NN_RED_MEAN ? sum / wsum : sum, err, &r);
        if (!st) *out = pts_vtensor(r);
    }
done:
    pts_free(loss);
    pts_tensor_release(xc);
    pts_tensor_release(tc);
    pts_tensor_release(wc);
    return st;
}

/* checks shared by the nll rows: input dtype, target dtype, weight size and dtype */
static PtsStatus nll_check_types(const PtsTensor *x, const PtsTensor *t, const PtsTensor *w, int64_t c,
                                 const char *kernel, bool byte_ok, PtsError *err) {
    char b[256];
    PTS_CHECK(!w || (w->ndim == 1 && w->shape[0] == c), err, RUNTIME,
              "weight tensor should be defined either for all %lld classes or no classes but got weight "
              "tensor of shape: %s", (long long)c, pts_shape_str(w ? w->ndim : 0, w ? w->shape : NULL, b, sizeof b));
    if (t->dtype != PTS_INT64 && t->dtype != PTS_UINT8)
        return pts_fail(err, PTS_ERR_RUNTIME, "expected target dtype to be Long or Byte, but got %s",
                        nn_type_name(t->dtype));
    if (t->dtype == PTS_UINT8 && !byte_ok)
        return pts_fail(err, PTS_ERR_RUNTIME, "expected scalar type Long but found Byte");
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, kernel, x->dtype);
    if (w && w->dtype != x->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME, "expected scalar type %s but found %s", nn_type_name(x->dtype),
                        nn_type_name(w->dtype));
    return PTS_OK;
}

PtsStatus k_NLL_LOSS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t, *w = nn_opt(a[2]);
    int64_t reduction = a[3].u.i, ignore = a[4].u.i;
    char b1[256], b2[256];
    PTS_CHECK(x->ndim > 0 && x->ndim <= 2, err, RUNTIME, "input tensor should be 1D or 2D");
    PTS_CHECK(t->ndim <= 1, err, RUNTIME, "0D or 1D target tensor expected, multi-target not supported");
    /* a 1-d input is one sample: its target is 0-d or holds one class */
    bool no_batch = x->ndim == 1;
    PTS_CHECK(!(no_batch && t->ndim == 1 && t->shape[0] != 1), err, VALUE,
              "For 1D input, 1D target must have size 1, but got target size: %lld", (long long)t->shape[0]);
    PTS_CHECK(no_batch || (t->ndim == 1 && x->shape[0] == t->shape[0]), err, RUNTIME,
              "size mismatch (got input: %s, target: %s)", pts_shape_str(x->ndim, x->shape, b1, sizeof b1),
              pts_shape_str(t->ndim, t->shape, b2, sizeof b2));
    int64_t c = x->shape[x->ndim - 1];
    PTS_TRY(nll_check_types(x, t, w, c, "nll_loss_out_frame", true, err));
    int64_t n = x->ndim == 2 ? x->shape[0] : 1;
    return nll_compute(x, t, w, reduction, ignore, n, c, 1, x->ndim == 2 ? 1 : 0, &n, err, out);
}

PtsStatus k_NLL_LOSS2D(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t, *w = nn_opt(a[2]);
    char b1[256], b2[256];
    PTS_CHECK(t->ndim == 3, err, RUNTIME,
              "only batches of spatial targets supported (3D tensors) but got targets of dimension: %d", t->ndim);
    PTS_CHECK(x->ndim == 4, err, RUNTIME,
              "only batches of spatial inputs supported (4D tensors), but got input of dimension: %d", x->ndim);
    PTS_CHECK(!w || pts_numel(w) == x->shape[1], err, RUNTIME, "weight tensor should be defined either for all or no classes");
    PTS_CHECK(x->shape[0] == t->shape[0] && x->shape[2] == t->shape[1] && x->shape[3] == t->shape[2], err, RUNTIME,
              "size mismatch (got input: %s , target: %s", pts_shape_str(x->ndim, x->shape, b1, sizeof b1),
              pts_shape_str(t->ndim, t->shape, b2, sizeof b2));
    PTS_TRY(nll_check_types(x, t, w, x->shape[1], "nll_loss2d_forward_out_frame", false, err));
    return nll_compute(x, t, w, a[3].u.i, a[4].u.i, x->shape[0], x->shape[1], x->shape[2] * x->shape[3], 3,
                       t->shape, err, out);
}

/* Registry-op calls for the composites below (autograd records each op, as in ATen's
 * CompositeImplicit losses). Every result is kept in a small pool released in one place. */
typedef struct { PtsTensor *t[24]; int n; } NnPool;

static PtsStatus pcall(NnPool *k, PtsOpId id, PtsValue *args, PtsError *err, PtsTensor **r) {
    PtsValue o = pts_none();
    if (k->n >= 24) return pts_fail(err, PTS_ERR_INTERNAL, "loss composite: too many temporaries");
    PTS_TRY(pts_op_call(id, args, &o, err));
    if (o.tag != PTS_V_TENSOR) { pts_value_release(&o); return pts_fail(err, PTS_ERR_INTERNAL, "loss composite: not a tensor"); }
    *r = k->t[k->n++] = o.u.t;
    return PTS_OK;
}

static void pool_release(NnPool *k) {
    for (int i = 0; i < k->n; i++) pts_tensor_release(k->t[i]);
    k->n = 0;
}

static PtsStatus p_shape(NnPool *k, PtsOpId id, PtsTensor *x, int n, const int64_t *shape, PtsError *err,
                         PtsTensor **r) {
    PtsValue l = pts_none();
    PTS_TRY(pts_int_list_new(shape, n, err, &l));
    PtsValue a[2] = { pts_vtensor(x), l };
    PtsStatus st = pcall(k, id, a, err, r);
    pts_value_release(&l);
    return st;
}

static PtsStatus p_sum(NnPool *k, PtsTensor *x, int dim, PtsError *err, PtsTensor **r) {
    if (dim < 0) {
        PtsValue a[2] = { pts_vtensor(x), pts_none() };
        return pcall(k, PTS_OP_SUM, a, err, r);
    }
    int64_t d = dim;
    PtsValue l = pts_none();
    PTS_TRY(pts_int_list_new(&d, 1, err, &l));
    PtsValue a[4] = { pts_vtensor(x), l, pts_vbool(false), pts_none() };
    PtsStatus st = pcall(k, PTS_OP_SUM_DIM_INTLIST, a, err, r);
    pts_value_release(&l);
    return st;
}

static PtsStatus p_bin(NnPool *k, PtsOpId id, PtsTensor *x, PtsTensor *y, PtsError *err, PtsTensor **r) {
    PtsValue a[2] = { pts_vtensor(x), pts_vtensor(y) };
    return pcall(k, id, a, err, r);
}

static PtsStatus p_scal(NnPool *k, PtsOpId id, PtsTensor *x, double v, PtsError *err, PtsTensor **r) {
    PtsValue a[2] = { pts_vtensor(x), pts_vdouble(v) };
    return pcall(k, id, a, err, r);
}

static PtsStatus p_un(NnPool *k, PtsOpId id, PtsTensor *x, PtsError *err, PtsTensor **r) {
    PtsValue a[1] = { pts_vtensor(x) };
    return pcall(k, id, a, err, r);
}

/* weight (c) viewed as [1, c, 1, ...] to broadcast against input along class_dim */
static PtsStatus p_weight_bcast(NnPool *k, PtsTensor *w, int ndim, int class_dim, PtsError *err, PtsTensor **r) {
    int64_t shape[PTS_MAX_DIMS];
    for (int i = 0; i < ndim; i++) shape[i] = 1;
    shape[class_dim] = pts_numel(w);
    return p_shape(k, PTS_OP_VIEW, w, ndim, shape, err, r);
}

PtsStatus k_NLL_LOSS_ND(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t;
    PTS_CHECK(x->ndim >= 1, err, VALUE, "Expected 1 or more dimensions (got %d)", x->ndim);
    if (x->ndim != 1) {
        PTS_CHECK(t->ndim >= 1, err, RUNTIME, "0D or 1D target tensor expected, multi-target not supported");
        PTS_CHECK(x->shape[0] == t->shape[0], err, VALUE,
                  "Expected input batch_size (%lld) to match target batch_size (%lld).",
                  (long long)x->shape[0], (long long)t->shape[0]);
    }
    if (x->ndim <= 2) return pts_op_call(PTS_OP_NLL_LOSS, a, out, err);
    if (x->ndim == 4) return pts_op_call(PTS_OP_NLL_LOSS2D, a, out, err);
    /* 3-d or >4-d: as ATen, input viewed as [n, c, 1, -1] and target as [n, 1, -1] for nll_loss2d,
     * the reduction=none result viewed back to [n, d2, ...] (through registry ops for autograd) */
    int64_t shape[PTS_MAX_DIMS];
    shape[0] = x->shape[0];
    for (int i = 2; i < x->ndim; i++) shape[i - 1] = x->shape[i];
    if (t->ndim != x->ndim - 1 || memcmp(t->shape + 1, shape + 1, sizeof(int64_t) * (size_t)(x->ndim - 2)) != 0) {
        char b1[256], b2[256];
        return pts_fail(err, PTS_ERR_RUNTIME, "Expected target size %s, got %s",
                        pts_shape_str(x->ndim - 1, shape, b1, sizeof b1), pts_shape_str(t->ndim, t->shape, b2, sizeof b2));
    }
    NnPool k = { { NULL }, 0 };
    PtsTensor *xv = NULL, *tv = NULL, *r = NULL;
    bool xe = pts_numel(x) == 0, te = pts_numel(t) == 0;
    int64_t xs[4] = { x->shape[0], x->shape[1], xe ? 0 : 1, xe ? 0 : -1 };
    int64_t ts[3] = { t->shape[0], te ? 0 : 1, te ? 0 : -1 };
    PtsStatus st;
    if ((st = p_shape(&k, PTS_OP_RESHAPE, x, 4, xs, err, &xv))) goto done;
    if ((st = p_shape(&k, PTS_OP_RESHAPE, t, 3, ts, err, &tv))) goto done;
    {
        PtsValue b[5] = { pts_vtensor(xv), pts_vtensor(tv), a[2], a[3], a[4] };
        if ((st = pcall(&k, PTS_OP_NLL_LOSS2D, b, err, &r))) goto done;
    }
    if (a[3].u.i == NN_RED_NONE && (st = p_shape(&k, PTS_OP_RESHAPE, r, x->ndim - 1, shape, err, &r))) goto done;
    *out = pts_vtensor(pts_tensor_retain(r));
done:
    pool_release(&k);
    return st;
}

/* ================= cross_entropy_loss ================= */
static PtsStatus log_softmax_of(PtsTensor *x, int class_dim, PtsError *err, PtsValue *out) {
    PtsValue args[3] = { pts_vtensor(x), pts_vint(class_dim), pts_vint(x->dtype) };
    return pts_op_call(PTS_OP_LOG_SOFTMAX_INT, args, out, err);
}

/* Soft targets, ATen's composite: -(log_softmax(x) * target' * w).sum(...), target' smoothed */
static PtsStatus ce_prob_target(PtsTensor *x, PtsTensor *t, PtsTensor *w, int64_t reduction, double ls,
                                PtsError *err, PtsValue *out) {
    char b[256];
    int class_dim = x->ndim == 1 ? 0 : 1;
    int dchk;
    PTS_TRY(pts_wrap_dim(class_dim, x->ndim, err, &dchk));
    int64_t c = x->shape[class_dim];
    PTS_CHECK(!w || (w->ndim == 1 && pts_numel(w) == c), err, RUNTIME,
              "cross_entropy: weight tensor should be defined either for all %lld classes or no classes but got "
              "weight tensor of shape: %s", (long long)c, pts_shape_str(w ? w->ndim : 0, w ? w->shape : NULL, b, sizeof b));
    PTS_CHECK(ls <= 1.0, err, RUNTIME, "label_smoothing must be between 0.0 and 1.0. Got: %g", ls);
    NnPool k = { { NULL }, 0 };
    PtsValue lpv = pts_none();
    PtsTensor *tg = t, *prod = NULL, *wb = NULL, *s = NULL, *r = NULL;
    PtsStatus st;
    if ((st = log_softmax_of(x, class_dim, err, &lpv))) return st;
    k.t[k.n++] = lpv.u.t;
    if (ls > 0.0) {
        PtsValue a3[3] = { pts_none(), pts_vdouble(ls / (double)c), pts_vint(1) };
        if ((st = p_scal(&k, PTS_OP_MUL_SCALAR, t, 1.0 - ls, err, &tg))) goto done;
        a3[0] = pts_vtensor(tg);
        if ((st = pcall(&k, PTS_OP_ADD_SCALAR, a3, err, &tg))) goto done;
    }
    if ((st = p_bin(&k, PTS_OP_MUL_TENSOR, lpv.u.t, tg, err, &prod))) goto done;
    if (w) {
        if ((st = p_weight_bcast(&k, w, x->ndim, class_dim, err, &wb))) goto done;
        if ((st = p_bin(&k, PTS_OP_MUL_TENSOR, prod, wb, err, &prod))) goto done;
    }
    if ((st = p_sum(&k, prod, reduction == NN_RED_NONE ? class_dim : -1, err, &s))) goto done;
    if ((st = p_un(&k, PTS_OP_NEG, s, err, &r))) goto done;
    if (reduction == NN_RED_MEAN) {
        /* mean over the non-class elements: numel / C (0 / 0, NaN, for empty input) */
        int64_t numel = pts_numel(x);
        if ((st = p_scal(&k, PTS_OP_DIV_SCALAR, r, numel ? (double)(numel / c) : 0.0, err, &r))) goto done;
    }
    *out = pts_vtensor(pts_tensor_retain(r));
done:
    pool_release(&k);
    return st;
}

/* Class targets with label smoothing, ATen's composite: (1 - ls) * nll + ls / C * smooth, smooth
 * the (weighted) -sum of log-probabilities over classes, 0 at ignored targets */
static PtsStatus ce_label_smoothing(PtsValue *a, double ls, PtsError *err, PtsValue *out) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t, *w = nn_opt(a[2]);
    int64_t reduction = a[3].u.i, ignore = a[4].u.i;
    int class_dim = x->ndim == 1 ? 0 : 1;
    int64_t c = x->shape[class_dim];
    NnPool k = { { NULL }, 0 };
    PtsValue lpv = pts_none();
    PtsTensor *lp, *nll = NULL, *mask = NULL, *prod, *smooth = NULL, *ret = NULL, *keep = NULL, *den = NULL, *r = NULL;
    PtsStatus st;
    if ((st = log_softmax_of(x, class_dim, err, &lpv))) return st;
    lp = k.t[k.n++] = lpv.u.t;
    {
        PtsValue n5[5] = { pts_vtensor(lp), a[1], a[2], a[3], a[4] };
        if ((st = pcall(&k, PTS_OP_NLL_LOSS_ND, n5, err, &nll))) goto done;
    }
    {
        PtsValue e[2] = { pts_vtensor(t), pts_vint(ignore) };
        if ((st = pcall(&k, PTS_OP_EQ_SCALAR, e, err, &mask))) goto done;
    }
    prod = lp;
    if (w) {
        PtsTensor *wb = NULL;
        if ((st = p_weight_bcast(&k, w, x->ndim, class_dim, err, &wb))) goto done;
        if ((st = p_bin(&k, PTS_OP_MUL_TENSOR, lp, wb, err, &prod))) goto done;
    }
    if ((st = p_sum(&k, prod, class_dim, err, &smooth))) goto done;
    if ((st = p_un(&k, PTS_OP_NEG, smooth, err, &smooth))) goto done;
    {
        PtsValue m3[3] = { pts_vtensor(smooth), pts_vtensor(mask), pts_vdouble(0.0) };
        if ((st = pcall(&k, PTS_OP_MASKED_FILL_SCALAR, m3, err, &smooth))) goto done;
    }
    if (reduction == NN_RED_NONE) {
        ret = smooth;
    } else {
        if ((st = p_sum(&k, smooth, -1, err, &ret))) goto done;
        if (reduction == NN_RED_MEAN) {
            /* normalised as nll_loss_nd: by the weights of the kept targets (their count unweighted) */
            if ((st = p_un(&k, PTS_OP_LOGICAL_NOT, mask, err, &keep))) goto done;
            if (w) {
                PtsTensor *sel = NULL, *g = NULL;
                if ((st = p_bin(&k, PTS_OP_MASKED_SELECT, t, keep, err, &sel))) goto done;
                PtsValue g4[4] = { pts_vtensor(w), pts_vint(0), pts_vtensor(sel), pts_vbool(false) };
                if ((st = pcall(&k, PTS_OP_GATHER, g4, err, &g))) goto done;
                keep = g;
            }
            if ((st = p_sum(&k, keep, -1, err, &den))) goto done;
            if ((st = p_bin(&k, PTS_OP_DIV_TENSOR, ret, den, err, &ret))) goto done;
        }
    }
    if ((st = p_scal(&k, PTS_OP_MUL_SCALAR, nll, 1.0 - ls, err, &nll))) goto done;
    if ((st = p_scal(&k, PTS_OP_MUL_SCALAR, ret, ls / (double)c, err, &ret))) goto done;
    {
        PtsValue a3[3] = { pts_vtensor(nll), pts_vtensor(ret), pts_vint(1) };
        if ((st = pcall(&k, PTS_OP_ADD_TENSOR, a3, err, &r))) goto done;
    }
    *out = pts_vtensor(pts_tensor_retain(r));
done:
    pool_release(&k);
    return st;
}

PtsStatus k_CROSS_ENTROPY_LOSS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t;
    double ls = a[5].u.d;
    if (x->ndim == t->ndim && memcmp(x->shape, t->shape, sizeof(int64_t) * (size_t)x->ndim) == 0) {
        /* same shapes: the target holds class probabilities */
        PTS_CHECK(pts_dtype_is_float(t->dtype), err, RUNTIME,
                  "Expected floating point type for target with class probabilities, got %s", nn_type_name(t->dtype));
        PTS_CHECK(a[4].u.i < 0, err, RUNTIME, "ignore_index is not supported for floating point target");
        return ce_prob_target(x, t, nn_opt(a[2]), a[3].u.i, ls, err, out);
    }
    if (ls > 0.0) {
        PTS_CHECK(ls <= 1.0, err, RUNTIME, "label_smoothing must be between 0.0 and 1.0. Got: %g", ls);
        return ce_label_smoothing(a, ls, err, out);
    }
    PtsValue lp = pts_none();
    PTS_TRY(log_softmax_of(x, x->ndim == 1 ? 0 : 1, err, &lp));
    PtsValue nargs[5] = { lp, a[1], a[2], a[3], a[4] };
    PtsStatus st = pts_op_call(PTS_OP_NLL_LOSS_ND, nargs, out, err);
    pts_value_release(&lp);
    return st;
}

/* ================= elementwise losses ================= */
/* Broadcast shape of up to four tensors (NULLs skipped). */
static PtsStatus bshape(PtsTensor *const *ts, int nt, int *nd, int64_t *shape, PtsError *err) {
    *nd = 0;
    for (int i = 0; i < nt; i++)
        if (ts[i]) PTS_TRY(pts_broadcast_shapes(*nd, shape, ts[i]->ndim, ts[i]->shape, nd, shape, err));
    return PTS_OK;
}

/* Dense float64 copies of ts (NULLs stay NULL) at shape. */
static PtsStatus dense_all(PtsTensor *const *ts, int nt, int nd, const int64_t *shape, PtsTensor **out,
                           PtsError *err) {
    for (int i = 0; i < nt; i++) out[i] = NULL;
    for (int i = 0; i < nt; i++) {
        if (!ts[i]) continue;
        PtsStatus s = nn_dense(ts[i], PTS_FLOAT64, nd, shape, err, &out[i]);
        if (s) {
            for (int j = 0; j < i; j++) pts_tensor_release(out[j]);
            return s;
        }
    }
    return PTS_OK;
}

static void release_all(PtsTensor **ts, int nt) {
    for (int i = 0; i < nt; i++) pts_tensor_release(ts[i]);
}

static const double *dv(PtsTensor *t) { return t ? (const double *)pts_tensor_data(t) : NULL; }

/* mse of two contiguous float32 tensors of one shape, the common case, without float64 copies */
static PtsStatus mse_f32(PtsTensor *x, PtsTensor *y, int64_t reduction, PtsError *err, PtsValue *out) {
    int64_t n = pts_numel(x);
    const float *xv = (const float *)pts_tensor_data(x), *yv = (const float *)pts_tensor_data(y);
    PtsTensor *r;
    if (reduction == NN_RED_MEAN || reduction == NN_RED_SUM) {
        float acc[8] = { 0 };
        int64_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) { float d = xv[i + j] - yv[i + j]; acc[j] += d * d; }
        double sum = 0;
        for (int j = 0; j < 8; j++) sum += acc[j];
        for (; i < n; i++) sum += ((double)xv[i] - yv[i]) * ((double)xv[i] - yv[i]);
        PTS_TRY(pts_tensor_scalar_f64(PTS_FLOAT32, reduction == NN_RED_SUM ? sum : n ? sum / (double)n : NAN, err, &r));
    } else {
        PTS_TRY(pts_tensor_new(PTS_FLOAT32, x->ndim, x->shape, err, &r));
        float *o = (float *)pts_tensor_data(r);
        for (int64_t i = 0; i < n; i++) o[i] = (xv[i] - yv[i]) * (xv[i] - yv[i]);
    }
    *out = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_MSE_LOSS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *ts[2] = { a[0].u.t, a[1].u.t }, *d[2];
    PtsDType dt = pts_result_type(ts, 2);
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(bshape(ts, 2, &nd, shape, err));
    if (!pts_dtype_is_float(dt)) return nn_not_impl(err, "mse_cpu", dt);
    if (ts[0]->dtype == PTS_FLOAT32 && ts[1]->dtype == PTS_FLOAT32 && ts[0]->ndim == nd && ts[1]->ndim == nd &&
        memcmp(ts[0]->shape, shape, sizeof(int64_t) * (size_t)nd) == 0 &&
        memcmp(ts[1]->shape, shape, sizeof(int64_t) * (size_t)nd) == 0 &&
        pts_tensor_is_contiguous(ts[0]) && pts_tensor_is_contiguous(ts[1]))
        return mse_f32(ts[0], ts[1], a[2].u.i, err, out);
    PTS_TRY(dense_all(ts, 2, nd, shape, d, err));
    int64_t n = pts_shape_numel(nd, shape);
    double *loss = pts_malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!loss) { release_all(d, 2); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    const double *x = dv(d[0]), *y = dv(d[1]);
    for (int64_t i = 0; i < n; i++) loss[i] = (x[i] - y[i]) * (x[i] - y[i]);
    PtsStatus s = nn_reduce_loss(loss, nd, shape, a[2].u.i, dt, err, out);
    pts_free(loss);
    release_all(d, 2);
    return s;
}

PtsStatus k_BINARY_CROSS_ENTROPY(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t, *w = nn_opt(a[2]), *d[3];
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "binary_cross_entropy", x->dtype);
    if (t->dtype != x->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME, "Found dtype %s but expected %s", nn_type_name(t->dtype),
                        nn_type_name(x->dtype));
    /* the loss has input's shape; target and weight broadcast to it */
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PtsTensor *ts[3] = { x, t, w };
    PTS_TRY(bshape(ts, 3, &nd, shape, err));
    if (nd != x->ndim || memcmp(shape, x->shape, sizeof(int64_t) * (size_t)nd) != 0) {
        char b1[256], b2[256];
        return pts_fail(err, PTS_ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s",
                        pts_shape_str(x->ndim, x->shape, b1, sizeof b1), pts_shape_str(nd, shape, b2, sizeof b2));
    }
    PTS_TRY(dense_all(ts, 3, nd, shape, d, err));
    int64_t n = pts_numel(x);
    double *loss = pts_malloc(sizeof(double) * (size_t)(n ? n : 1));
    PtsStatus s = PTS_OK;
    if (!loss) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
    const double *xv = dv(d[0]), *tv = dv(d[1]), *wv = dv(d[2]);
    for (int64_t i = 0; i < n; i++) {
        if (!(xv[i] >= 0 && xv[i] <= 1)) { s = pts_fail(err, PTS_ERR_RUNTIME, "all elements of input should be between 0 and 1"); goto done; }
        if (!(tv[i] >= 0 && tv[i] <= 1)) { s = pts_fail(err, PTS_ERR_RUNTIME, "all elements of target should be between 0 and 1"); goto done; }
        /* logs clamped at -100 so that 0 * log(0) stays finite, as PyTorch does */
        double l1 = fmax(log(xv[i]), -100.0), l0 = fmax(log1p(-xv[i]), -100.0);
        loss[i] = -(tv[i] * l1 + (1 - tv[i]) * l0) * (wv ? wv[i] : 1.0);
    }
    s = nn_reduce_loss(loss, nd, shape, a[3].u.i, x->dtype, err, out);
done:
    pts_free(loss);
    release_all(d, 3);
    return s;
}

PtsStatus k_BINARY_CROSS_ENTROPY_WITH_LOGITS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *t = a[1].u.t, *w = nn_opt(a[2]), *pw = nn_opt(a[3]), *d[4];
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "log_sigmoid_cpu", x->dtype);
    /* ATen computes (1 - target).mul_(input) ...: the loss has target's dtype and shape */
    PtsDType dt = t->dtype;
    PtsTensor *pair[2] = { x, t };
    if (!pts_dtype_is_float(dt))
        return pts_fail(err, PTS_ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                        nn_type_name(pts_result_type(pair, 2)), nn_type_name(dt));
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PtsTensor *ts[4] = { x, t, w, pw };
    PTS_TRY(bshape(ts, 4, &nd, shape, err));
    if (nd != t->ndim || memcmp(shape, t->shape, sizeof(int64_t) * (size_t)nd) != 0) {
        char b1[256], b2[256];
        return pts_fail(err, PTS_ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s",
                        pts_shape_str(t->ndim, t->shape, b1, sizeof b1), pts_shape_str(nd, shape, b2, sizeof b2));
    }
    PTS_TRY(dense_all(ts, 4, nd, shape, d, err));
    int64_t n = pts_shape_numel(nd, shape);
    double *loss = pts_malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!loss) { release_all(d, 4); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    const double *xv = dv(d[0]), *tv = dv(d[1]), *wv = dv(d[2]), *pv = dv(d[3]);
    for (int64_t i = 0; i < n; i++) {
        /* log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), stable for large |x| */
        double ls = fmin(xv[i], 0.0) - log1p(exp(-fabs(xv[i])));
        if (pv) ls *= (pv[i] - 1) * tv[i] + 1;
        double l = (1 - tv[i]) * xv[i] - ls;
        loss[i] = wv ? l * wv[i] : l;
    }
    PtsStatus s = nn_reduce_loss(loss, nd, shape, a[4].u.i, dt, err, out);
    pts_free(loss);
    release_all(d, 4);
    return s;
}
