/* k_nn.c: kernels of ops_nn.def (softmax family, layer and batch norm, dropout, embedding,
 * one_hot) and the helpers every nn kernel shares (nn.h). Floating kernels compute in float32
 * (float16/bfloat16 inputs converted) or float64 with double accumulators; composites (softmax,
 * layer_norm, batch_norm, dropout) call their parts through pts_op_call as ATen does. */
#include <stdio.h>

#include "nn.h"
#include "random.h"

/* ================= shared helpers ================= */
const char *nn_type_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "Undefined");
}

PtsStatus nn_not_impl(PtsError *err, const char *kernel, PtsDType d) {
    return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", kernel, nn_type_name(d));
}

PtsStatus nn_dense(PtsTensor *t, PtsDType dt, int ndim, const int64_t *shape, PtsError *err,
                   PtsTensor **out) {
    *out = NULL;
    bool same = t->ndim == ndim && memcmp(t->shape, shape, sizeof(int64_t) * (size_t)ndim) == 0;
    if (same) return pts_tensor_to(t, dt, false, err, out);
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(dt, ndim, shape, err, &r));
    PtsStatus s = pts_tensor_copy_(r, t, err);   /* broadcasts t to shape */
    if (s) { pts_tensor_release(r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus nn_result(PtsTensor *r, PtsDType dt, PtsError *err, PtsValue *out) {
    PtsTensor *c;
    PtsStatus s = pts_tensor_to(r, dt, false, err, &c);
    pts_tensor_release(r);
    if (s) return s;
    *out = pts_vtensor(c);
    return PTS_OK;
}

PtsStatus nn_view(PtsTensor *t, int ndim, const int64_t *shape, PtsError *err, PtsTensor **out) {
    /* only used on contiguous tensors or to add / drop a leading size-1 dim, where the strides
     * follow from t's */
    int64_t st[PTS_MAX_DIMS];
    if (ndim == t->ndim + 1) {
        st[0] = t->ndim ? t->strides[0] * t->shape[0] : 1;
        for (int i = 0; i < t->ndim; i++) st[i + 1] = t->strides[i];
    } else if (ndim == t->ndim - 1) {
        for (int i = 0; i < ndim; i++) st[i] = t->strides[i + 1];
    } else {
        pts_contiguous_strides(ndim, shape, st);
    }
    return pts_tensor_view(t, ndim, shape, st, t->offset, err, out);
}

PtsStatus nn_ints(PtsValue v, int64_t *xs, int max, int *n, PtsError *err) {
    return pts_value_int_list(v, xs, max, n, err);
}

const char *nn_list_str(const int64_t *xs, int n, char *buf, size_t bn) {
    return pts_shape_str(n, xs, buf, bn);
}

PtsStatus nn_reduce_loss(const double *loss, int ndim, const int64_t *shape, int64_t reduction,
                         PtsDType dt, PtsError *err, PtsValue *out) {
    int64_t n = pts_shape_numel(ndim, shape);
    PtsTensor *r;
    if (reduction == NN_RED_MEAN || reduction == NN_RED_SUM) {
        double s = 0;
        for (int64_t i = 0; i < n; i++) s += loss[i];
        if (reduction == NN_RED_MEAN) s = n ? s / (double)n : NAN;
        PTS_TRY(pts_tensor_scalar_f64(dt, s, err, &r));
    } else {
        PTS_TRY(pts_tensor_new(dt, ndim, shape, err, &r));
        char *p = pts_tensor_data(r);
        size_t isz = pts_dtype_size(dt);
        if (dt == PTS_FLOAT64) memcpy(p, loss, sizeof(double) * (size_t)n);
        else for (int64_t i = 0; i < n; i++) pts_store_f64(dt, p + (size_t)i * isz, loss[i]);
    }
    *out = pts_vtensor(r);
    return PTS_OK;
}


/* Is a norm parameter's dtype usable with input dtype d? PyTorch takes equal dtypes, and float32
 * parameters for float16/bfloat16 inputs ("mixed dtype"). */
static PtsStatus check_param_dtype(const PtsTensor *p, PtsDType d, PtsError *err) {
    if (!p || p->dtype == d) return PTS_OK;
    if ((d == PTS_FLOAT16 || d == PTS_BFLOAT16) && p->dtype == PTS_FLOAT32) return PTS_OK;
    return pts_fail(err, PTS_ERR_RUNTIME, "mixed dtype (CPU): expect parameter to have scalar type of %s",
                    nn_type_name(d));
}

/* ================= softmax / log_softmax =================
 * x is [outer, n, inner] contiguous; the reduction runs over n. inner == 1 (the last dim) walks
 * rows; otherwise whole inner planes are processed together so reads stay sequential. */
#define DEF_SOFTMAX(S, T, EXP, LOG)                                                            \
    static void softmax_##S(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, bool lg, \
                            double *mx, double *sm) {                                          \
        for (int64_t o = 0; o < outer; o++) {                                                  \
            const T *xo = x + o * n * inner;                                                   \
            T *yo = y + o * n * inner;                                                         \
            for (int64_t i = 0; i < inner; i++) { mx[i] = -INFINITY; sm[i] = 0; }              \
            for (int64_t k = 0; k < n; k++)                                                    \
                for (int64_t i = 0; i < inner; i++) {                                          \
                    double v = xo[k * inner + i];                                              \
                    if (v > mx[i] || v != v) mx[i] = v;                                        \
                }                                                                              \
            for (int64_t k = 0; k < n; k++)                                                    \
                for (int64_t i = 0; i < inner; i++) {                                          \
                    T e = EXP((T)(xo[k * inner + i] - (T)mx[i]));                              \
                    if (!lg) yo[k * inner + i] = e;                                            \
                    sm[i] += e;                                                                \
                }                                                                              \
            for (int64_t i = 0; i < inner; i++) sm[i] = lg ? LOG(sm[i]) : 1.0 / sm[i];          \
            for (int64_t k = 0; k < n; k++)                                                    \
                for (int64_t i = 0; i < inner; i++) {                                          \
                    if (lg) yo[k * inner + i] = (T)((xo[k * inner + i] - (T)mx[i]) - (T)sm[i]); \
                    else yo[k * inner + i] = (T)(yo[k * inner + i] * sm[i]);                   \
                }                                                                              \
        }                                                                                      \
    }
DEF_SOFTMAX(f64, double, exp, log)

/* Float32 row kernels on GCC/Clang vector extensions, 4 lanes (one SSE2 register; the baseline
 * x86-64 build has no AVX): plain loops with selects do not vectorise without -ffast-math. */
typedef float nn_vf __attribute__((vector_size(16)));
typedef int32_t nn_vi __attribute__((vector_size(16)));
#define NN_LANES 4
#define NN_VF(c) ((nn_vf){ c, c, c, c })

static inline nn_vf vf_load(const float *p) { nn_vf v; memcpy(&v, p, sizeof v); return v; }
static inline void vf_store(float *p, nn_vf v) { memcpy(p, &v, sizeof v); }
/* mask ? a : b, mask lanes all-ones or zero */
static inline nn_vf vf_select(nn_vi mask, nn_vf a, nn_vf b) {
    return (nn_vf)(((nn_vi)a & mask) | ((nn_vi)b & ~mask));
}

/* exp for x <= 0 (softmax's shifted inputs): Cephes' range reduction and degree-6 polynomial
 * (about 1 ulp). Underflows to 0 below -87.3 (no subnormals); NaN stays NaN. */
static inline nn_vf vf_exp_neg(nn_vf x) {
    nn_vi under = x < NN_VF(-87.3365f);
    nn_vf cx = vf_select(under, NN_VF(-87.3365f), x);
    nn_vf n = (cx * 1.44269504088896341f + 12582912.0f) - 12582912.0f;   /* round(x / ln 2) */
    nn_vf r = cx - n * 0.693359375f + n * 2.12194440e-4f;                  /* x - n ln 2, split */
    nn_vf p = NN_VF(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    nn_vi bits = (__builtin_convertvector(n, nn_vi) + 127) << 23;         /* 2^n */
    return vf_select(under, NN_VF(0.0f), p * (nn_vf)bits);
}

static inline float exp_neg_f32(float x) {
    float in[NN_LANES] = { x }, out[NN_LANES];
    vf_store(out, vf_exp_neg(vf_load(in)));
    return out[0];
}

static float row_max_f32(const float *x, int64_t n) {
    nn_vf m = NN_VF(-INFINITY);
    int64_t k = 0;
    for (; k + NN_LANES <= n; k += NN_LANES) {
        nn_vf v = vf_load(x + k);
        m = vf_select(v > m, v, m);
    }
    float r = -INFINITY;
    for (int j = 0; j < NN_LANES; j++) r = m[j] > r ? m[j] : r;
    for (; k < n; k++) r = x[k] > r ? x[k] : r;
    return r;
}

/* y = exp(x - sub); returns the sum of y */
static double row_exp_sum_f32(const float *x, float *y, int64_t n, float sub) {
    nn_vf acc = NN_VF(0.0f), vs = NN_VF(sub);
    int64_t k = 0;
    for (; k + NN_LANES <= n; k += NN_LANES) {
        nn_vf e = vf_exp_neg(vf_load(x + k) - vs);
        vf_store(y + k, e);
        acc += e;
    }
    double s = 0;
    for (int j = 0; j < NN_LANES; j++) s += acc[j];
    for (; k < n; k++) {
        y[k] = exp_neg_f32(x[k] - sub);
        s += y[k];
    }
    return s;
}

static void softmax_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, bool lg,
                        double *tmp, double *unused) {
    (void)unused;
    if (inner == 1) {
        for (int64_t o = 0; o < outer; o++) {
            const float *xo = x + o * n;
            float *yo = y + o * n;
            float m = row_max_f32(xo, n);
            double s = row_exp_sum_f32(xo, yo, n, m);
            if (m != m || s != s) m = NAN;   /* a NaN input poisons the whole row, as in ATen */
            if (lg) {
                /* (x - max) - log(sum), in this order, keeps the max entry's tiny result exact */
                float c = (float)log(s);
                for (int64_t k = 0; k < n; k++) yo[k] = (xo[k] - m) - c;
            } else {
                float inv = (float)(1.0 / s);
                for (int64_t k = 0; k < n; k++) yo[k] *= inv;
            }
        }
        return;
    }
    /* reduction over a strided dim: whole inner planes at a time (the 2 * inner doubles of tmp
     * hold 4 * inner floats) */
    float *mx = (float *)tmp, *sm = mx + inner;
    for (int64_t o = 0; o < outer; o++) {
        const float *xo = x + o * n * inner;
        float *yo = y + o * n * inner;
        for (int64_t i = 0; i < inner; i++) { mx[i] = -INFINITY; sm[i] = 0; }
        for (int64_t k = 0; k < n; k++) {
            const float *xk = xo + k * inner;
            for (int64_t i = 0; i < inner; i++) mx[i] = xk[i] > mx[i] ? xk[i] : mx[i];
        }
        for (int64_t k = 0; k < n; k++) {
            const float *xk = xo + k * inner;
            float *yk = yo + k * inner;
            int64_t i = 0;
            for (; i + NN_LANES <= inner; i += NN_LANES) {
                nn_vf e = vf_exp_neg(vf_load(xk + i) - vf_load(mx + i));
                vf_store(yk + i, e);
                vf_store(sm + i, vf_load(sm + i) + e);
            }
            for (; i < inner; i++) {
                yk[i] = exp_neg_f32(xk[i] - mx[i]);
                sm[i] += yk[i];
            }
        }
        for (int64_t i = 0; i < inner; i++)
            sm[i] = lg ? logf(sm[i]) : 1.0f / sm[i];
        for (int64_t k = 0; k < n; k++) {
            const float *xk = xo + k * inner;
            float *yk = yo + k * inner;
            if (lg) for (int64_t i = 0; i < inner; i++) yk[i] = (xk[i] - mx[i]) - sm[i];
            else for (int64_t i = 0; i < inner; i++) yk[i] *= sm[i];
        }
    }
}

static PtsStatus softmax_impl(PtsValue *a, bool lg, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    if (a[2].u.b)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s with half to float conversion is not supported on CPU",
                        lg ? "log_softmax" : "softmax");
    int dim;
    PTS_TRY(pts_wrap_dim(a[1].u.i, x->ndim, err, &dim));
    if (!pts_dtype_is_float(x->dtype)) {
        bool last = x->ndim == 0 || dim == x->ndim - 1;
        const char *k = lg ? (last ? "log_softmax_lastdim_kernel_impl" : "log_softmax_kernel_impl")
                           : (last ? "softmax_lastdim_kernel_impl" : "softmax_kernel_impl");
        return nn_not_impl(err, k, x->dtype);
    }
    int64_t outer = 1, n = x->ndim ? x->shape[dim] : 1, inner = 1;
    for (int i = 0; i < dim; i++) outer *= x->shape[i];
    for (int i = dim + 1; i < x->ndim; i++) inner *= x->shape[i];
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *xc = NULL, *y = NULL;
    double *tmp = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, x->shape, err, &y))) goto fail;
    tmp = pts_malloc(sizeof(double) * 2 * (size_t)(inner ? inner : 1));
    if (!tmp) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto fail; }
    if (pts_numel(x) > 0) {
        if (ct == PTS_FLOAT64)
            softmax_f64((const double *)pts_tensor_data(xc), (double *)pts_tensor_data(y), outer, n,
                        inner, lg, tmp, tmp + inner);
        else
            softmax_f32((const float *)pts_tensor_data(xc), (float *)pts_tensor_data(y), outer, n,
                        inner, lg, tmp, tmp + inner);
    }
    pts_free(tmp);
    pts_tensor_release(xc);
    return nn_result(y, x->dtype, err, out);
fail:
    pts_free(tmp);
    pts_tensor_release(xc);
    pts_tensor_release(y);
    return s;
}

PtsStatus k__SOFTMAX(PtsValue *a, PtsValue *out, PtsError *err) { return softmax_impl(a, false, out, err); }
PtsStatus k__LOG_SOFTMAX(PtsValue *a, PtsValue *out, PtsError *err) { return softmax_impl(a, true, out, err); }

/* softmax.int: convert to dtype when given, then _softmax(x, dim, false) */
static PtsStatus softmax_int(PtsOpId inner, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *xc = NULL;
    if (a[2].tag == PTS_V_INT && a[2].u.i != x->dtype) {
        PTS_CHECK(pts_dtype_valid((int)a[2].u.i), err, VALUE, "invalid dtype %lld", (long long)a[2].u.i);
        PTS_TRY(pts_tensor_to(x, (PtsDType)a[2].u.i, false, err, &xc));
        x = xc;
    }
    PtsValue args[3] = { pts_vtensor(x), a[1], pts_vbool(false) };
    PtsStatus s = pts_op_call(inner, args, out, err);
    pts_tensor_release(xc);
    return s;
}
PtsStatus k_SOFTMAX_INT(PtsValue *a, PtsValue *out, PtsError *err) { return softmax_int(PTS_OP__SOFTMAX, a, out, err); }
PtsStatus k_LOG_SOFTMAX_INT(PtsValue *a, PtsValue *out, PtsError *err) { return softmax_int(PTS_OP__LOG_SOFTMAX, a, out, err); }

/* ================= layer_norm ================= */
#define DEF_LAYER_NORM(S, T)                                                                   \
    static void layer_norm_##S(const T *x, const T *w, const T *b, T *y, T *mean, T *rstd,     \
                               int64_t m, int64_t n, double eps) {                             \
        for (int64_t i = 0; i < m; i++) {                                                      \
            const T *xi = x + i * n;                                                           \
            T *yi = y + i * n;                                                                 \
            double sum = 0, var = 0;                                                           \
            for (int64_t j = 0; j < n; j++) sum += xi[j];                                      \
            double mu = sum / (double)n;                                                       \
            for (int64_t j = 0; j < n; j++) { double d = xi[j] - mu; var += d * d; }           \
            double r = 1.0 / sqrt(var / (double)n + eps);                                      \
            T tm = (T)mu, tr = (T)r;                                                           \
            if (w && b) for (int64_t j = 0; j < n; j++) yi[j] = (xi[j] - tm) * tr * w[j] + b[j]; \
            else if (w) for (int64_t j = 0; j < n; j++) yi[j] = (xi[j] - tm) * tr * w[j];      \
            else if (b) for (int64_t j = 0; j < n; j++) yi[j] = (xi[j] - tm) * tr + b[j];      \
            else for (int64_t j = 0; j < n; j++) yi[j] = (xi[j] - tm) * tr;                    \
            mean[i] = tm;                                                                      \
            rstd[i] = tr;                                                                      \
        }                                                                                      \
    }
DEF_LAYER_NORM(f64, double)

/* float32: the two reductions run in vector lanes (float partial sums of at most n / 4 terms,
 * combined in double) */
static void layer_norm_f32(const float *x, const float *w, const float *b, float *y, float *mean,
                           float *rstd, int64_t m, int64_t n, double eps) {
    for (int64_t i = 0; i < m; i++) {
        const float *xi = x + i * n;
        float *yi = y + i * n;
        nn_vf acc = NN_VF(0.0f);
        int64_t j = 0;
        for (; j + NN_LANES <= n; j += NN_LANES) acc += vf_load(xi + j);
        double sum = 0;
        for (int k = 0; k < NN_LANES; k++) sum += acc[k];
        for (; j < n; j++) sum += xi[j];
        double mu = sum / (double)n;
        float fm = (float)mu;
        nn_vf vm = NN_VF(fm), sq = NN_VF(0.0f);
        for (j = 0; j + NN_LANES <= n; j += NN_LANES) {
            nn_vf d = vf_load(xi + j) - vm;
            sq += d * d;
        }
        double var = 0;
        for (int k = 0; k < NN_LANES; k++) var += sq[k];
        for (; j < n; j++) var += ((double)xi[j] - fm) * ((double)xi[j] - fm);
        float tr = (float)(1.0 / sqrt(var / (double)n + eps));
        if (w && b) for (j = 0; j < n; j++) yi[j] = (xi[j] - fm) * tr * w[j] + b[j];
        else if (w) for (j = 0; j < n; j++) yi[j] = (xi[j] - fm) * tr * w[j];
        else if (b) for (j = 0; j < n; j++) yi[j] = (xi[j] - fm) * tr + b[j];
        else for (j = 0; j < n; j++) yi[j] = (xi[j] - fm) * tr;
        mean[i] = fm;
        rstd[i] = tr;
    }
}

PtsStatus k_NATIVE_LAYER_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *w = nn_opt(a[2]), *b = nn_opt(a[3]);
    double eps = a[4].u.d;
    int64_t ns[PTS_MAX_DIMS];
    int nd;
    char b1[256], b2[256];
    PTS_TRY(nn_ints(a[1], ns, PTS_MAX_DIMS, &nd, err));
    PTS_CHECK(nd >= 1, err, RUNTIME,
              "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
              "element, but got normalized_shape = []");
    nn_list_str(ns, nd, b1, sizeof b1);
    PTS_CHECK(!w || (w->ndim == nd && memcmp(w->shape, ns, sizeof(int64_t) * (size_t)nd) == 0), err,
              RUNTIME, "Expected weight to be of same shape as normalized_shape, but got weight of "
              "shape %s and normalized_shape = %s", pts_shape_str(w ? w->ndim : 0, w ? w->shape : ns, b2, sizeof b2), b1);
    PTS_CHECK(!b || (b->ndim == nd && memcmp(b->shape, ns, sizeof(int64_t) * (size_t)nd) == 0), err,
              RUNTIME, "Expected bias to be of same shape as normalized_shape, but got bias of "
              "shape %s and normalized_shape = %s", pts_shape_str(b ? b->ndim : 0, b ? b->shape : ns, b2, sizeof b2), b1);
    int axis = x->ndim - nd;
    if (axis < 0 || memcmp(x->shape + axis, ns, sizeof(int64_t) * (size_t)nd) != 0) {
        char star[256];
        size_t k = (size_t)snprintf(star, sizeof star, "[*");
        for (int i = 0; i < nd && k < sizeof star; i++)
            k += (size_t)snprintf(star + k, sizeof star - k, ", %lld", (long long)ns[i]);
        if (k < sizeof star) snprintf(star + k, sizeof star - k, "]");
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Given normalized_shape=%s, expected input with shape %s, but got input of size%s",
                        b1, star, pts_shape_str(x->ndim, x->shape, b2, sizeof b2));
    }
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "LayerNormKernelImpl", x->dtype);
    PTS_TRY(check_param_dtype(w, x->dtype, err));
    PTS_TRY(check_param_dtype(b, x->dtype, err));
    int64_t m = 1, n = 1;
    for (int i = 0; i < axis; i++) m *= x->shape[i];
    for (int i = axis; i < x->ndim; i++) n *= x->shape[i];
    int64_t stat_shape[PTS_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) stat_shape[i] = i < axis ? x->shape[i] : 1;
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *xc = NULL, *wc = NULL, *bc = NULL, *y = NULL, *mean = NULL, *rstd = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if (w && (s = pts_tensor_to(w, ct, false, err, &wc))) goto fail;
    if (b && (s = pts_tensor_to(b, ct, false, err, &bc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, x->shape, err, &y))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, stat_shape, err, &mean))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, stat_shape, err, &rstd))) goto fail;
    if (m > 0 && n > 0) {
#define LN_CALL(S, T)                                                                          \
        layer_norm_##S((const T *)pts_tensor_data(xc), wc ? (const T *)pts_tensor_data(wc) : NULL, \
                       bc ? (const T *)pts_tensor_data(bc) : NULL, (T *)pts_tensor_data(y),    \
                       (T *)pts_tensor_data(mean), (T *)pts_tensor_data(rstd), m, n, eps)
        if (ct == PTS_FLOAT64) LN_CALL(f64, double);
        else LN_CALL(f32, float);
#undef LN_CALL
    } else if (m > 0) {
        /* an empty normalized shape: statistics of nothing */
        for (int64_t i = 0; i < m; i++) {
            pts_store_f64(ct, pts_tensor_data(mean) + (size_t)i * pts_dtype_size(ct), NAN);
            pts_store_f64(ct, pts_tensor_data(rstd) + (size_t)i * pts_dtype_size(ct), NAN);
        }
    }
    pts_tensor_release(xc); xc = NULL;
    pts_tensor_release(wc); wc = NULL;
    pts_tensor_release(bc); bc = NULL;
    if ((s = nn_result(y, x->dtype, err, &out[0]))) { y = NULL; goto fail; }
    y = NULL;
    /* statistics keep input's dtype, float32 with float32 parameters (ATen's mixed-type path) */
    PtsDType sdt = (w && w->dtype == PTS_FLOAT32) || (b && b->dtype == PTS_FLOAT32) ? PTS_FLOAT32 : x->dtype;
    if ((s = nn_result(mean, sdt, err, &out[1]))) { mean = NULL; goto fail; }
    mean = NULL;
    if ((s = nn_result(rstd, sdt, err, &out[2]))) { rstd = NULL; goto fail; }
    return PTS_OK;
fail:
    pts_value_release(&out[0]);
    pts_value_release(&out[1]);
    pts_tensor_release(xc);
    pts_tensor_release(wc);
    pts_tensor_release(bc);
    pts_tensor_release(y);
    pts_tensor_release(mean);
    pts_tensor_release(rstd);
    return s;
}

PtsStatus k_LAYER_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue res[3] = { pts_none(), pts_none(), pts_none() };
    PtsValue args[5] = { a[0], a[1], a[2], a[3], a[4] };
    PTS_TRY(pts_op_call(PTS_OP_NATIVE_LAYER_NORM, args, res, err));
    out[0] = res[0];
    pts_value_release(&res[1]);
    pts_value_release(&res[2]);
    return PTS_OK;
}

/* ================= batch_norm ================= */
/* Address of element i (row-major order) of any strided tensor. */
static char *elem_ptr(const PtsTensor *t, int64_t i) {
    int64_t off = 0;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t sz = t->shape[d] ? t->shape[d] : 1;
        off += (i % sz) * t->strides[d];
        i /= sz;
    }
    return pts_tensor_data(t) + off * (int64_t)pts_dtype_size(t->dtype);
}

static double param_at(const PtsTensor *t, int64_t i, double dflt) {
    return t ? pts_load_f64(t->dtype, elem_ptr(t, i)) : dflt;
}

/* y = (x - mean[c]) * scale[c] + bias[c] over x = [n, c, inner]; subtracting the mean first
 * keeps y == bias exact where x == mean (a single sample per channel) */
#define DEF_BN_APPLY(S, T)                                                                     \
    static void bn_apply_##S(const T *x, T *y, int64_t n, int64_t c, int64_t inner,            \
                             const double *mean, const double *scale, const double *bias) {    \
        for (int64_t i = 0; i < n; i++)                                                        \
            for (int64_t j = 0; j < c; j++) {                                                  \
                const T *xp = x + (i * c + j) * inner;                                         \
                T *yp = y + (i * c + j) * inner;                                               \
                T m = (T)mean[j], a = (T)scale[j], b = (T)bias[j];                             \
                for (int64_t k = 0; k < inner; k++) yp[k] = (xp[k] - m) * a + b;               \
            }                                                                                  \
    }
DEF_BN_APPLY(f32, float)
DEF_BN_APPLY(f64, double)

/* per-channel sums for the batch statistics */
#define DEF_BN_STATS(S, T)                                                                     \
    static void bn_stats_##S(const T *x, int64_t n, int64_t c, int64_t inner, double *mean,    \
                             double *varsum) {                                                 \
        double cnt = (double)(n * inner);                                                      \
        for (int64_t j = 0; j < c; j++) {                                                      \
            double s = 0, v = 0;                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                const T *xp = x + (i * c + j) * inner;                                         \
                for (int64_t k = 0; k < inner; k++) s += xp[k];                                \
            }                                                                                  \
            double mu = s / cnt;                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                const T *xp = x + (i * c + j) * inner;                                         \
                for (int64_t k = 0; k < inner; k++) { double d = xp[k] - mu; v += d * d; }     \
            }                                                                                  \
            mean[j] = mu;                                                                      \
            varsum[j] = v;                                                                     \
        }                                                                                      \
    }
DEF_BN_STATS(f32, float)
DEF_BN_STATS(f64, double)

PtsStatus k_NATIVE_BATCH_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *w = nn_opt(a[1]), *b = nn_opt(a[2]);
    PtsTensor *rm = nn_opt(a[3]), *rv = nn_opt(a[4]);
    bool training = a[5].u.b;
    double momentum = a[6].u.d, eps = a[7].u.d;
    PTS_CHECK(x->ndim >= 2, err, RUNTIME, "batch_norm: expected a 2D or higher input, got %dD", x->ndim);
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "batch_norm", x->dtype);
    int64_t n = x->shape[0], c = x->shape[1], inner = 1;
    for (int i = 2; i < x->ndim; i++) inner *= x->shape[i];
    const PtsTensor *params[4] = { w, b, rm, rv };
    static const char *pnames[4] = { "weight", "bias", "running_mean", "running_var" };
    for (int i = 0; i < 4; i++) {
        if (!params[i]) continue;
        PTS_TRY(check_param_dtype(params[i], x->dtype, err));
        PTS_CHECK(pts_numel(params[i]) == c, err, RUNTIME, "%s should contain %lld elements not %lld",
                  pnames[i], (long long)c, (long long)pts_numel(params[i]));
    }
    PTS_CHECK(training || (rm && rv), err, RUNTIME, "running_%s must be defined in evaluation mode",
              rm ? "var" : "mean");
    PtsDType ct = nn_acc_dtype(x->dtype);
    /* save_mean / save_invstd have input's dtype, float32 when float32 parameters accompany a
     * float16/bfloat16 input (ATen's mixed-type path) */
    PtsDType st = x->dtype;
    for (int i = 0; i < 4; i++)
        if (params[i] && params[i]->dtype == PTS_FLOAT32) st = PTS_FLOAT32;
    PtsTensor *xc = NULL, *y = NULL, *smean = NULL, *sinv = NULL;
    double *buf = NULL;
    PtsStatus s;
    buf = pts_malloc(sizeof(double) * 4 * (size_t)(c ? c : 1));
    if (!buf) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    double *mean = buf, *var = buf + c, *scale = buf + 2 * c, *shift = buf + 3 * c;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, x->shape, err, &y))) goto fail;
    int64_t sshape = training ? c : 0;
    if ((s = pts_tensor_new(st, 1, &sshape, err, &smean))) goto fail;
    if ((s = pts_tensor_new(st, 1, &sshape, err, &sinv))) goto fail;
    double cnt = (double)(n * inner);
    if (training) {
        if (ct == PTS_FLOAT64) bn_stats_f64((const double *)pts_tensor_data(xc), n, c, inner, mean, var);
        else bn_stats_f32((const float *)pts_tensor_data(xc), n, c, inner, mean, var);
        for (int64_t j = 0; j < c; j++) {
            double inv = 1.0 / sqrt(var[j] / cnt + eps);
            pts_store_f64(st, pts_tensor_data(smean) + (size_t)j * pts_dtype_size(st), mean[j]);
            pts_store_f64(st, pts_tensor_data(sinv) + (size_t)j * pts_dtype_size(st), inv);
            /* running statistics: momentum update with the unbiased variance */
            if (rm) {
                char *p = elem_ptr(rm, j);
                pts_store_f64(rm->dtype, p, momentum * mean[j] + (1 - momentum) * pts_load_f64(rm->dtype, p));
            }
            if (rv) {
                char *p = elem_ptr(rv, j);
                pts_store_f64(rv->dtype, p, momentum * var[j] / (cnt - 1) +
                                                (1 - momentum) * pts_load_f64(rv->dtype, p));
            }
            var[j] = inv;   /* reuse as invstd */
        }
        if (rm) pts_tensor_bump_version(rm);
        if (rv) pts_tensor_bump_version(rv);
    } else {
        for (int64_t j = 0; j < c; j++) {
            mean[j] = param_at(rm, j, 0);
            var[j] = 1.0 / sqrt(param_at(rv, j, 1) + eps);
        }
    }
    for (int64_t j = 0; j < c; j++) {
        scale[j] = var[j] * param_at(w, j, 1);
        shift[j] = param_at(b, j, 0);
    }
    if (ct == PTS_FLOAT64)
        bn_apply_f64((const double *)pts_tensor_data(xc), (double *)pts_tensor_data(y), n, c, inner, mean, scale, shift);
    else
        bn_apply_f32((const float *)pts_tensor_data(xc), (float *)pts_tensor_data(y), n, c, inner, mean, scale, shift);
    pts_free(buf);
    pts_tensor_release(xc);
    if ((s = nn_result(y, x->dtype, err, &out[0]))) { pts_tensor_release(smean); pts_tensor_release(sinv); return s; }
    out[1] = pts_vtensor(smean);
    out[2] = pts_vtensor(sinv);
    return PTS_OK;
fail:
    pts_free(buf);
    pts_tensor_release(xc);
    pts_tensor_release(y);
    pts_tensor_release(smean);
    pts_tensor_release(sinv);
    return s;
}

PtsStatus k_BATCH_NORM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    bool training = a[5].u.b;
    /* ATen reads input.size(1) first: a 0-d or 1-d input fails there */
    int cdim;
    PTS_TRY(pts_wrap_dim(1, x->ndim, err, &cdim));
    int64_t c = x->shape[1];
    static const char *pnames[4] = { "running_mean", "running_var", "weight", "bias" };
    const PtsTensor *params[4] = { nn_opt(a[3]), nn_opt(a[4]), nn_opt(a[1]), nn_opt(a[2]) };
    for (int i = 0; i < 4; i++) {
        if (params[i])
            PTS_CHECK(pts_numel(params[i]) == c, err, RUNTIME, "%s should contain %lld elements not %lld",
                      pnames[i], (long long)c, (long long)pts_numel(params[i]));
        else if (i < 2 && !training)
            return pts_fail(err, PTS_ERR_RUNTIME, "%s must be defined in evaluation mode", pnames[i]);
    }
    if (pts_numel(x) == 0) {
        /* nothing to normalise; a new tensor (not a view of input) keeps the graph intact */
        PtsTensor *r;
        PTS_TRY(pts_tensor_new(x->dtype, x->ndim, x->shape, err, &r));
        *out = pts_vtensor(r);
        return PTS_OK;
    }
    PtsValue res[3] = { pts_none(), pts_none(), pts_none() };
    PtsValue args[8] = { a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] };
    PTS_TRY(pts_op_call(PTS_OP_NATIVE_BATCH_NORM, args, res, err));
    out[0] = res[0];
    pts_value_release(&res[1]);
    pts_value_release(&res[2]);
    return PTS_OK;
}

/* empty_like(x) with preserve_format: dense strides in x's memory order (ATen's
 * infer_dense_strides), so bernoulli_ fills the noise in the order PyTorch does and a
 * transposed input drops the same elements as in PyTorch. */
static PtsStatus dropout_noise_like(const PtsTensor *x, PtsError *err, PtsTensor **out) {
    int n = x->ndim, perm[PTS_MAX_DIMS];
    for (int i = 0; i < n; i++) perm[i] = n - 1 - i;   /* perm[0]: innermost dim */
    for (int i = 1; i < n; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int64_t s0 = x->strides[perm[d0]], s1 = x->strides[perm[d1]];
            int cmp = 0;
            if (s0 != 0 && s1 != 0) {
                if (s0 < s1) cmp = -1;
                else if (s0 > s1) cmp = 1;
                else if (x->shape[perm[d0]] > x->shape[perm[d1]]) cmp = 1;
            }
            if (cmp > 0) {
                int t = perm[d0]; perm[d0] = perm[d1]; perm[d1] = t;
                d1 = d0;
            } else if (cmp < 0) {
                break;
            }
        }
    }
    int64_t st[PTS_MAX_DIMS], cur = 1;
    for (int i = 0; i < n; i++) {
        st[perm[i]] = cur;
        if (x->shape[perm[i]] > 1) cur *= x->shape[perm[i]];
    }
    PtsTensor *base, *r;
    PTS_TRY(pts_tensor_new(x->dtype, n, x->shape, err, &base));
    PtsStatus s = pts_tensor_view(base, n, x->shape, st, 0, err, &r);
    pts_tensor_release(base);
    if (s) return s;
    *out = r;
    return PTS_OK;
}

/* ================= dropout =================
 * ATen's CPU path: input * noise, noise = bernoulli(1 - p) / (1 - p) in input's dtype, through
 * mul.Tensor so autograd records MulBackward0. Not training (or p == 0) returns input itself. */
PtsStatus k_DROPOUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    double p = a[1].u.d;
    bool train = a[2].u.b;
    PTS_CHECK(p >= 0 && p <= 1, err, RUNTIME, "dropout probability has to be between 0 and 1, but got %g", p);
    if (p == 0 || !train || pts_numel(x) == 0) {
        *out = pts_vtensor(pts_tensor_retain(x));
        return PTS_OK;
    }
    PtsTensor *noise;
    if (p == 1) {
        PTS_TRY(pts_tensor_zeros(x->dtype, 0, NULL, err, &noise));
    } else {
        if (!pts_dtype_is_float(x->dtype))
            return pts_fail(err, PTS_ERR_RUNTIME, "result type Float can't be cast to the desired output type %s",
                            nn_type_name(x->dtype));
        PTS_TRY(dropout_noise_like(x, err, &noise));
        int64_t n = pts_numel(x);
        double keep = 1 - p, scale = 1 / keep;
        /* noise.bernoulli_(1 - p).div_(1 - p), drawing from the default generator as ATen does */
        PtsStatus bs = pts_sample_bernoulli_p_(noise, keep, pts_generator_default(), err);
        if (bs) { pts_tensor_release(noise); return bs; }
        char *d = pts_tensor_data(noise);
        size_t isz = pts_dtype_size(x->dtype);
        for (int64_t i = 0; i < n; i++)
            pts_store_f64(x->dtype, d + (size_t)i * isz, pts_load_f64(x->dtype, d + (size_t)i * isz) * scale);
    }
    PtsValue args[2] = { pts_vtensor(x), pts_vtensor(noise) };
    PtsStatus s = pts_op_call(PTS_OP_MUL_TENSOR, args, out, err);
    pts_tensor_release(noise);
    return s;
}

PtsStatus k_DROPOUT_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    PtsValue r = pts_none();
    PtsValue args[3] = { a[0], a[1], a[2] };
    PTS_TRY(pts_op_call(PTS_OP_DROPOUT, args, &r, err));
    PtsStatus s = r.u.t == x ? PTS_OK : pts_tensor_copy_(x, r.u.t, err);
    pts_value_release(&r);
    if (s) return s;
    *out = pts_vtensor(pts_tensor_retain(x));
    return PTS_OK;
}

/* ================= embedding ================= */
PtsStatus k_EMBEDDING(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *w = a[0].u.t, *idx = a[1].u.t;
    PTS_CHECK(w->ndim == 2, err, RUNTIME, "'weight' must be 2-D");
    if (idx->dtype != PTS_INT64 && idx->dtype != PTS_INT32)
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Expected tensor for argument #1 'indices' to have one of the following scalar "
                        "types: Long, Int; but got %sTensor instead (while checking arguments for embedding)",
                        nn_type_name(idx->dtype));
    PTS_CHECK(idx->ndim < PTS_MAX_DIMS, err, RUNTIME, "embedding: indices have too many dimensions");
    int64_t rows = w->shape[0], dcols = w->shape[1], n = pts_numel(idx);
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, idx->shape, sizeof(int64_t) * (size_t)idx->ndim);
    shape[idx->ndim] = dcols;
    PtsTensor *ic = NULL, *r = NULL;
    PTS_TRY(pts_tensor_to(idx, PTS_INT64, false, err, &ic));
    const int64_t *iv = (const int64_t *)pts_tensor_data(ic);
    for (int64_t i = 0; i < n; i++)
        if (iv[i] < 0 || iv[i] >= rows) {
            pts_tensor_release(ic);
            return pts_fail(err, PTS_ERR_INDEX, "index out of range in self");
        }
    PtsStatus s = pts_tensor_new(w->dtype, idx->ndim + 1, shape, err, &r);
    if (s) { pts_tensor_release(ic); return s; }
    size_t isz = pts_dtype_size(w->dtype);
    char *dst = pts_tensor_data(r);
    const char *src = pts_tensor_data(w);
    for (int64_t i = 0; i < n; i++) {
        const char *row = src + iv[i] * w->strides[0] * (int64_t)isz;
        if (w->strides[1] == 1) memcpy(dst, row, isz * (size_t)dcols);
        else
            for (int64_t j = 0; j < dcols; j++)
                memcpy(dst + (size_t)j * isz, row + j * w->strides[1] * (int64_t)isz, isz);
        dst += isz * (size_t)dcols;
    }
    pts_tensor_release(ic);
    *out = pts_vtensor(r);
    return PTS_OK;
}

/* ================= one_hot ================= */
PtsStatus k_ONE_HOT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t nc = a[1].u.i;
    PTS_CHECK(x->dtype == PTS_INT64, err, RUNTIME, "one_hot is only applicable to index tensor of type LongTensor.");
    PTS_CHECK(x->ndim < PTS_MAX_DIMS, err, RUNTIME, "one_hot: input has too many dimensions");
    int64_t n = pts_numel(x);
    PtsTensor *xc;
    PTS_TRY(pts_tensor_to(x, PTS_INT64, false, err, &xc));
    const int64_t *v = (const int64_t *)pts_tensor_data(xc);
    PtsStatus s = PTS_OK;
    if (n == 0) {
        if (nc == -1) s = pts_fail(err, PTS_ERR_RUNTIME, "Can not infer total number of classes from empty tensor.");
    } else {
        int64_t mn = v[0], mx = v[0];
        for (int64_t i = 1; i < n; i++) {
            if (v[i] < mn) mn = v[i];
            if (v[i] > mx) mx = v[i];
        }
        if (mn < 0) s = pts_fail(err, PTS_ERR_RUNTIME, "Class values must be non-negative.");
        else if (nc == -1) nc = mx + 1;
        else if (mx >= nc) s = pts_fail(err, PTS_ERR_RUNTIME, "Class values must be smaller than num_classes.");
    }
    if (!s && nc < 0) s = pts_fail(err, PTS_ERR_RUNTIME, "Class values must be smaller than num_classes.");
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    shape[x->ndim] = nc;
    PtsTensor *r = NULL;
    if (!s) s = pts_tensor_zeros(PTS_INT64, x->ndim + 1, shape, err, &r);
    if (!s) {
        int64_t *o = (int64_t *)pts_tensor_data(r);
        for (int64_t i = 0; i < n; i++) o[i * nc + v[i]] = 1;
        *out = pts_vtensor(r);
    }
    pts_tensor_release(xc);
    return s;
}
