/* k_nn_pool.c: pooling and padding kernels: max_pool2d(_with_indices), avg_pool2d,
 * (_)adaptive_avg_pool2d, constant_pad_nd, pad and the per-mode padding ops it dispatches to
 * (reflection / replication 1d-3d, _pad_circular). Pools run over [planes, H, W] contiguous
 * buffers (float32 / float64 / int64 compute types); padding ops gather bytes and so work for
 * every dtype. */
#include <stdio.h>

#include "nn.h"

/* ================= pooling geometry ================= */
typedef struct PoolGeom {
    int64_t planes, ih, iw, oh, ow;     /* planes = product of the leading dims */
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
} PoolGeom;

static int64_t div_floor(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ATen's pooling_output_shape, with its checks */
static PtsStatus pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil,
                               bool ceil_mode, PtsError *err, int64_t *out) {
    PTS_CHECK(stride != 0, err, RUNTIME, "stride should not be zero");
    PTS_CHECK(pad >= 0, err, RUNTIME, "pad must be non-negative, but got pad: %lld", (long long)pad);
    PTS_CHECK(pad <= ((k - 1) * dil + 1) / 2, err, RUNTIME,
              "pad should be at most half of effective kernel size, but got pad=%lld, kernel_size=%lld "
              "and dilation=%lld", (long long)pad, (long long)k, (long long)dil);
    int64_t o = div_floor(in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
    /* the last window must start inside the input (or its left padding) */
    if (ceil_mode && (o - 1) * stride >= in + pad) o--;
    *out = o;
    return PTS_OK;
}

/* kernel_size / stride / padding / dilation lists of the 2d pools; empty stride = kernel. */
static PtsStatus pool_params(const char *op, PtsValue *a, bool has_dilation, int64_t *k, int64_t *s,
                             int64_t *p, int64_t *d, PtsError *err) {
    int64_t xs[PTS_MAX_DIMS];
    int n;
    PTS_TRY(nn_ints(a[1], xs, PTS_MAX_DIMS, &n, err));
    PTS_CHECK(n == 1 || n == 2, err, RUNTIME, "%s: kernel_size must either be a single int, or a tuple of two ints", op);
    k[0] = xs[0];
    k[1] = n == 2 ? xs[1] : xs[0];
    PTS_TRY(nn_ints(a[2], xs, PTS_MAX_DIMS, &n, err));
    PTS_CHECK(n <= 2, err, RUNTIME, "%s: stride must either be omitted, a single int, or a tuple of two ints", op);
    s[0] = n == 0 ? k[0] : xs[0];
    s[1] = n == 0 ? k[1] : n == 2 ? xs[1] : xs[0];
    PTS_TRY(nn_ints(a[3], xs, PTS_MAX_DIMS, &n, err));
    PTS_CHECK(n == 1 || n == 2, err, RUNTIME, "%s: padding must either be a single int, or a tuple of two ints", op);
    p[0] = xs[0];
    p[1] = n == 2 ? xs[1] : xs[0];
    d[0] = d[1] = 1;
    if (has_dilation) {
        PTS_TRY(nn_ints(a[4], xs, PTS_MAX_DIMS, &n, err));
        PTS_CHECK(n == 1 || n == 2, err, RUNTIME, "%s: dilation must be either a single int, or a tuple of two ints", op);
        d[0] = xs[0];
        d[1] = n == 2 ? xs[1] : xs[0];
    }
    return PTS_OK;
}

/* ATen's pool2d_shape_check */
static PtsStatus pool_shape_check(const PtsTensor *x, const PoolGeom *g, PtsError *err) {
    char b[256];
    PTS_CHECK(g->kw > 0 && g->kh > 0, err, RUNTIME, "kernel size should be greater than zero, but got kH: %lld kW: %lld",
              (long long)g->kh, (long long)g->kw);
    PTS_CHECK(g->sw > 0 && g->sh > 0, err, RUNTIME, "stride should be greater than zero, but got dH: %lld dW: %lld",
              (long long)g->sh, (long long)g->sw);
    PTS_CHECK(g->dw > 0 && g->dh > 0, err, RUNTIME,
              "dilation should be greater than zero, but got dilationH: %lld dilationW: %lld",
              (long long)g->dh, (long long)g->dw);
    int nd = x->ndim;
    bool valid = x->shape[1] != 0 && x->shape[2] != 0;
    PTS_CHECK((nd == 3 && x->shape[0] != 0 && valid) || (nd == 4 && valid && x->shape[3] != 0), err, RUNTIME,
              "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:%s",
              pts_shape_str(nd, x->shape, b, sizeof b));
    PTS_CHECK(g->kw / 2 >= g->pw && g->kh / 2 >= g->ph, err, RUNTIME,
              "pad should be smaller than or equal to half of kernel size, but got padW = %lld, padH = %lld, "
              "kW = %lld, kH = %lld", (long long)g->pw, (long long)g->ph, (long long)g->kw, (long long)g->kh);
    PTS_CHECK(g->ow >= 1 && g->oh >= 1, err, RUNTIME,
              "Given input size: (%lldx%lldx%lld). Calculated output size: (%lldx%lldx%lld). Output size is too small",
              (long long)x->shape[nd - 3], (long long)g->ih, (long long)g->iw, (long long)x->shape[nd - 3],
              (long long)g->oh, (long long)g->ow);
    return PTS_OK;
}

/* Geometry and checks shared by max_pool2d and avg_pool2d. */
static PtsStatus pool_setup(const char *op, PtsValue *a, bool has_dilation, bool ceil_mode,
                            PoolGeom *g, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t k[2] = { 0, 0 }, s[2] = { 0, 0 }, p[2] = { 0, 0 }, d[2] = { 1, 1 };
    PTS_TRY(pool_params(op, a, has_dilation, k, s, p, d, err));
    if (has_dilation) {
        PTS_CHECK(x->ndim == 3 || x->ndim == 4, err, RUNTIME, "non-empty 3D or 4D (batch mode) tensor expected for input");
    } else {
        int dummy;
        PTS_TRY(pts_wrap_dim(-3, x->ndim, err, &dummy));   /* avg_pool2d reads input.size(-3) first */
        PTS_CHECK(x->ndim == 3 || x->ndim == 4, err, RUNTIME, "non-empty 3D or 4D (batch mode) tensor expected for input");
    }
    g->ih = x->shape[x->ndim - 2];
    g->iw = x->shape[x->ndim - 1];
    g->planes = 1;
    for (int i = 0; i < x->ndim - 2; i++) g->planes *= x->shape[i];
    g->kh = k[0]; g->kw = k[1]; g->sh = s[0]; g->sw = s[1];
    g->ph = p[0]; g->pw = p[1]; g->dh = d[0]; g->dw = d[1];
    PTS_TRY(pool_out_size(g->ih, g->kh, g->ph, g->sh, g->dh, ceil_mode, err, &g->oh));
    PTS_TRY(pool_out_size(g->iw, g->kw, g->pw, g->sw, g->dw, ceil_mode, err, &g->ow));
    return pool_shape_check(x, g, err);
}

/* ================= max_pool2d ================= */
#define DEF_MAX_POOL(S, T, LOWEST)                                                             \
    static void max_pool_##S(const T *x, T *y, int64_t *ind, const PoolGeom *g) {              \
        for (int64_t p = 0; p < g->planes; p++) {                                              \
            const T *xp = x + p * g->ih * g->iw;                                               \
            for (int64_t oh = 0; oh < g->oh; oh++)                                             \
                for (int64_t ow = 0; ow < g->ow; ow++) {                                       \
                    int64_t h0 = oh * g->sh - g->ph, w0 = ow * g->sw - g->pw;                  \
                    int64_t h1 = h0 + (g->kh - 1) * g->dh + 1, w1 = w0 + (g->kw - 1) * g->dw + 1; \
                    if (h1 > g->ih) h1 = g->ih;                                                \
                    if (w1 > g->iw) w1 = g->iw;                                                \
                    while (h0 < 0) h0 += g->dh;                                                \
                    while (w0 < 0) w0 += g->dw;                                                \
                    int64_t best = h0 * g->iw + w0;                                            \
                    T m = LOWEST;                                                              \
                    for (int64_t h = h0; h < h1; h += g->dh)                                   \
                        for (int64_t w = w0; w < w1; w += g->dw) {                             \
                            T v = xp[h * g->iw + w];                                           \
                            /* NaN wins, as in ATen */                                         \
                            if (v > m || v != v) { m = v; best = h * g->iw + w; }              \
                        }                                                                      \
                    *y++ = m;                                                                  \
                    *ind++ = best;                                                             \
                }                                                                              \
        }                                                                                      \
    }
DEF_MAX_POOL(f32, float, -INFINITY)
DEF_MAX_POOL(f64, double, -INFINITY)
DEF_MAX_POOL(i64, int64_t, INT64_MIN)

/* The output shape: input's leading dims + (oh, ow). */
static void pool_out_shape(const PtsTensor *x, int64_t oh, int64_t ow, int64_t *shape) {
    for (int i = 0; i < x->ndim - 2; i++) shape[i] = x->shape[i];
    shape[x->ndim - 2] = oh;
    shape[x->ndim - 1] = ow;
}

/* float16/bfloat16 pool in float32, integers in int64 */
static PtsDType pool_compute_dtype(PtsDType d) {
    return pts_dtype_is_float(d) ? nn_acc_dtype(d) : PTS_INT64;
}

PtsStatus k_MAX_POOL2D_WITH_INDICES(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    PoolGeom g;
    PTS_TRY(pool_setup("max_pool2d", a, true, a[5].u.b, &g, err));
    if (x->dtype == PTS_BOOL) return nn_not_impl(err, "max_pool2d", x->dtype);
    int64_t shape[PTS_MAX_DIMS];
    pool_out_shape(x, g.oh, g.ow, shape);
    PtsDType ct = pool_compute_dtype(x->dtype);
    PtsTensor *xc = NULL, *y = NULL, *ind = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, shape, err, &y))) goto fail;
    if ((s = pts_tensor_new(PTS_INT64, x->ndim, shape, err, &ind))) goto fail;
    if (pts_numel(y) > 0) {
        int64_t *ip = (int64_t *)pts_tensor_data(ind);
        if (ct == PTS_FLOAT32) max_pool_f32((const float *)pts_tensor_data(xc), (float *)pts_tensor_data(y), ip, &g);
        else if (ct == PTS_FLOAT64) max_pool_f64((const double *)pts_tensor_data(xc), (double *)pts_tensor_data(y), ip, &g);
        else max_pool_i64((const int64_t *)pts_tensor_data(xc), (int64_t *)pts_tensor_data(y), ip, &g);
    }
    pts_tensor_release(xc);
    if ((s = nn_result(y, x->dtype, err, &out[0]))) { pts_tensor_release(ind); return s; }
    out[1] = pts_vtensor(ind);
    return PTS_OK;
fail:
    pts_tensor_release(xc);
    pts_tensor_release(y);
    pts_tensor_release(ind);
    return s;
}

PtsStatus k_MAX_POOL2D(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue res[2] = { pts_none(), pts_none() };
    PTS_TRY(pts_op_call(PTS_OP_MAX_POOL2D_WITH_INDICES, a, res, err));
    out[0] = res[0];
    pts_value_release(&res[1]);
    return PTS_OK;
}

/* ================= avg_pool2d ================= */
/* The input window [h0, h1) x [w0, w1) of output (oh, ow), clipped to the input, and the divisor
 * of its sum (divisor_override, the padded window with count_include_pad, else the clipped one);
 * 0 for a window that lies entirely in the padding. Forward and backward share it. */
static int64_t avg_window(const PoolGeom *g, int64_t oh, int64_t ow, bool count_pad, int64_t divisor,
                          int64_t *h0, int64_t *h1, int64_t *w0, int64_t *w1) {
    int64_t a = oh * g->sh - g->ph, c = ow * g->sw - g->pw;
    int64_t b = a + g->kh, d = c + g->kw;
    if (b > g->ih + g->ph) b = g->ih + g->ph;
    if (d > g->iw + g->pw) d = g->iw + g->pw;
    int64_t pool = (b - a) * (d - c);
    if (a < 0) a = 0;
    if (c < 0) c = 0;
    if (b > g->ih) b = g->ih;
    if (d > g->iw) d = g->iw;
    *h0 = a, *h1 = b, *w0 = c, *w1 = d;
    if (a >= b || c >= d) return 0;
    return divisor ? divisor : count_pad ? pool : (b - a) * (d - c);
}

#define DEF_AVG_POOL(S, T, ACC)                                                                \
    static void avg_pool_##S(const T *x, T *y, const PoolGeom *g, bool count_pad, int64_t divisor) { \
        for (int64_t p = 0; p < g->planes; p++) {                                              \
            const T *xp = x + p * g->ih * g->iw;                                               \
            for (int64_t oh = 0; oh < g->oh; oh++)                                             \
                for (int64_t ow = 0; ow < g->ow; ow++) {                                       \
                    int64_t h0, h1, w0, w1;                                                    \
                    int64_t div = avg_window(g, oh, ow, count_pad, divisor, &h0, &h1, &w0, &w1); \
                    if (!div) { *y++ = 0; continue; }                                          \
                    ACC sum = 0;                                                               \
                    for (int64_t h = h0; h < h1; h++)                                          \
                        for (int64_t w = w0; w < w1; w++) sum += xp[h * g->iw + w];            \
                    *y++ = (T)(sum / (ACC)div);                                                \
                }                                                                              \
        }                                                                                      \
    }
DEF_AVG_POOL(f32, float, double)
DEF_AVG_POOL(f64, double, double)
DEF_AVG_POOL(i64, int64_t, int64_t)

PtsStatus k_AVG_POOL2D(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    bool ceil_mode = a[4].u.b, count_pad = a[5].u.b;
    int64_t divisor = a[6].tag == PTS_V_INT ? a[6].u.i : 0;
    PTS_CHECK(a[6].tag != PTS_V_INT || divisor != 0, err, RUNTIME, "divisor must be not zero");
    PoolGeom g;
    PTS_TRY(pool_setup("avg_pool2d", a, false, ceil_mode, &g, err));
    if (!pts_dtype_is_float(x->dtype) && x->dtype != PTS_INT64) return nn_not_impl(err, "avg_pool2d", x->dtype);
    int64_t shape[PTS_MAX_DIMS];
    pool_out_shape(x, g.oh, g.ow, shape);
    PtsDType ct = pool_compute_dtype(x->dtype);
    PtsTensor *xc = NULL, *y = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, shape, err, &y))) goto fail;
    if (pts_numel(y) > 0) {
        if (ct == PTS_FLOAT32) avg_pool_f32((const float *)pts_tensor_data(xc), (float *)pts_tensor_data(y), &g, count_pad, divisor);
        else if (ct == PTS_FLOAT64) avg_pool_f64((const double *)pts_tensor_data(xc), (double *)pts_tensor_data(y), &g, count_pad, divisor);
        else avg_pool_i64((const int64_t *)pts_tensor_data(xc), (int64_t *)pts_tensor_data(y), &g, count_pad, divisor);
    }
    pts_tensor_release(xc);
    return nn_result(y, x->dtype, err, out);
fail:
    pts_tensor_release(xc);
    pts_tensor_release(y);
    return s;
}

/* ================= adaptive_avg_pool2d ================= */
#define DEF_ADAPTIVE(S, T)                                                                     \
    static void adaptive_##S(const T *x, T *y, int64_t planes, int64_t ih, int64_t iw,         \
                             int64_t oh, int64_t ow) {                                         \
        for (int64_t p = 0; p < planes; p++) {                                                 \
            const T *xp = x + p * ih * iw;                                                     \
            for (int64_t i = 0; i < oh; i++) {                                                 \
                int64_t h0 = (i * ih) / oh, h1 = ((i + 1) * ih + oh - 1) / oh;                 \
                for (int64_t j = 0; j < ow; j++) {                                             \
                    int64_t w0 = (j * iw) / ow, w1 = ((j + 1) * iw + ow - 1) / ow;             \
                    double sum = 0;                                                            \
                    for (int64_t h = h0; h < h1; h++)                                          \
                        for (int64_t w = w0; w < w1; w++) sum += xp[h * iw + w];               \
                    *y++ = (T)(sum / (double)((h1 - h0) * (w1 - w0)));                         \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }
DEF_ADAPTIVE(f32, float)
DEF_ADAPTIVE(f64, double)

/* Average the last two dims of x into (oh, ow) windows. */
static PtsStatus adaptive_run(PtsTensor *x, int64_t oh, int64_t ow, PtsError *err, PtsValue *out) {
    int64_t shape[PTS_MAX_DIMS];
    pool_out_shape(x, oh, ow, shape);
    int64_t ih = x->shape[x->ndim - 2], iw = x->shape[x->ndim - 1], planes = 1;
    for (int i = 0; i < x->ndim - 2; i++) planes *= x->shape[i];
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *xc = NULL, *y = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, shape, err, &y))) goto fail;
    if (pts_numel(y) > 0) {
        if (ct == PTS_FLOAT64) adaptive_f64((const double *)pts_tensor_data(xc), (double *)pts_tensor_data(y), planes, ih, iw, oh, ow);
        else adaptive_f32((const float *)pts_tensor_data(xc), (float *)pts_tensor_data(y), planes, ih, iw, oh, ow);
    }
    pts_tensor_release(xc);
    return nn_result(y, x->dtype, err, out);
fail:
    pts_tensor_release(xc);
    pts_tensor_release(y);
    return s;
}

static PtsStatus adaptive_size(PtsValue v, int64_t *o, PtsError *err) {
    int n;
    int64_t xs[PTS_MAX_DIMS];
    PTS_TRY(nn_ints(v, xs, PTS_MAX_DIMS, &n, err));
    PTS_CHECK(n == 2, err, RUNTIME, "adaptive_avg_pool2d: output_size must be 2");
    PTS_CHECK(xs[0] >= 0 && xs[1] >= 0, err, RUNTIME,
              "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
              "received {%lld, %lld}", (long long)xs[0], (long long)xs[1]);
    o[0] = xs[0];
    o[1] = xs[1];
    return PTS_OK;
}

PtsStatus k__ADAPTIVE_AVG_POOL2D(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t o[2] = { 0, 0 };
    char b[256];
    PTS_TRY(adaptive_size(a[1], o, err));
    PTS_CHECK(x->ndim == 3 || x->ndim == 4, err, RUNTIME, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got %s",
              pts_shape_str(x->ndim, x->shape, b, sizeof b));
    for (int i = x->ndim - 2; i < x->ndim; i++)
        PTS_CHECK(x->shape[i] > 0, err, RUNTIME,
                  "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but "
                  "input has sizes %s with dimension %d being empty", pts_shape_str(x->ndim, x->shape, b, sizeof b), i);
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "adaptive_avg_pool2d", x->dtype);
    return adaptive_run(x, o[0], o[1], err, out);
}

PtsStatus k_ADAPTIVE_AVG_POOL2D(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t o[2] = { 0, 0 };
    PTS_TRY(adaptive_size(a[1], o, err));
    if (o[0] == 1 && o[1] == 1) {
        /* ATen computes this case as input.mean((-1, -2), keepdim=True): any rank >= 2 */
        int d;
        PTS_TRY(pts_wrap_dim(-2, x->ndim, err, &d));
        if (!pts_dtype_is_float(x->dtype))
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "mean(): could not infer output dtype. Input dtype must be either a floating "
                            "point or complex dtype. Got: %s", nn_type_name(x->dtype));
        /* through mean.dim, so autograd records MeanBackward1 as PyTorch does */
        int64_t dims[2] = { -1, -2 };
        PtsValue args[4] = { a[0], pts_none(), pts_vbool(true), pts_none() };
        PTS_TRY(pts_int_list_new(dims, 2, err, &args[1]));
        PtsStatus s = pts_op_call(PTS_OP_MEAN_DIM, args, out, err);
        pts_value_release(&args[1]);
        return s;
    }
    return pts_op_call(PTS_OP__ADAPTIVE_AVG_POOL2D, a, out, err);
}

/* ================= padding ================= */
/* out[j] of every padded dim reads in[map[j]]; leading dims copy straight through. Byte copies,
 * so every dtype works. maps[i] holds shape[nd - npad + i] entries. */
static PtsStatus gather_pad(PtsTensor *x, int npad, const int64_t *lo, const int64_t *hi,
                            int64_t *const *maps, PtsError *err, PtsTensor **res) {
    int nd = x->ndim;
    int64_t shape[PTS_MAX_DIMS];
    for (int i = 0; i < nd; i++) shape[i] = x->shape[i];
    for (int i = 0; i < npad; i++) shape[nd - npad + i] = x->shape[nd - npad + i] + lo[i] + hi[i];
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(x->dtype, nd, shape, err, &r));
    int64_t n = pts_numel(r);
    size_t isz = pts_dtype_size(x->dtype);
    char *dst = pts_tensor_data(r);
    const char *src = pts_tensor_data(x);
    int64_t idx[PTS_MAX_DIMS] = { 0 };
    for (int64_t e = 0; e < n; e++) {
        int64_t off = 0;
        for (int d = 0; d < nd; d++) {
            int k = d - (nd - npad);
            int64_t i = k >= 0 ? maps[k][idx[d]] : idx[d];
            off += i * x->strides[d];
        }
        memcpy(dst, src + off * (int64_t)isz, isz);
        dst += isz;
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) break;
            idx[d] = 0;
        }
    }
    *res = r;
    return PTS_OK;
}

enum { PAD_REFLECT, PAD_REPLICATE, PAD_CIRCULAR };

/* Index maps of the last npad dims of an input of shape ishape (pads given last dim first, as
 * PyTorch lists them): output index j of padded dim i reads input index maps[i][j]. lo / hi are
 * the pads by padded dim; maps[0..npad) are allocated (the caller frees them, also on error). */
static PtsStatus pad_maps(int nd, const int64_t *ishape, const int64_t *pads, int npad, int mode,
                          int64_t *lo, int64_t *hi, int64_t **maps, PtsError *err) {
    for (int i = 0; i < npad; i++) {
        /* geometry dim i counts from the first padded dim; pads[0..1] belong to the last dim */
        lo[i] = pads[2 * (npad - 1 - i)];
        hi[i] = pads[2 * (npad - 1 - i) + 1];
        int64_t in = ishape[nd - npad + i], o;
        /* a hostile pad (2^62) overflows the size or the map's byte count: out of memory, as the
         * output could not be allocated either */
        if (__builtin_add_overflow(in, lo[i], &o) || __builtin_add_overflow(o, hi[i], &o) ||
            o > INT64_MAX / (int64_t)sizeof(int64_t))
            return pts_fail(err, PTS_ERR_NOMEM, "out of memory: padded size of dimension %d is too large", i);
        maps[i] = pts_malloc(sizeof(int64_t) * (size_t)(o > 0 ? o : 1));
        if (!maps[i]) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        int64_t istart = lo[i] < 0 ? -lo[i] : 0, ostart = lo[i] > 0 ? lo[i] : 0;
        for (int64_t j = 0; j < o; j++) {
            int64_t ip;
            if (mode == PAD_CIRCULAR) {
                /* ATen crops by the negative pads first, then wraps the kept core */
                int64_t core = in - istart - (hi[i] < 0 ? -hi[i] : 0);
                if (core <= 0) return pts_fail(err, PTS_ERR_RUNTIME, "Padding value causes wrapping around more than once.");
                ip = (j - ostart) % core;
                maps[i][j] = istart + (ip < 0 ? ip + core : ip);
                continue;
            }
            /* ATen's reflection / replication index formulas, which also handle negative pads */
            if (mode == PAD_REFLECT) {
                if (j < lo[i]) ip = lo[i] * 2 - j;
                else if (j < in + lo[i]) ip = j;
                else ip = (in + lo[i] - 1) * 2 - j;
            } else {
                if (j < lo[i]) ip = lo[i];
                else if (j < in + lo[i]) ip = j;
                else ip = in + lo[i] - 1;
            }
            maps[i][j] = ip - ostart + istart;
        }
    }
    return PTS_OK;
}

/* Pad the last npad dims of x by mode. */
static PtsStatus pad_mode_run(PtsTensor *x, const int64_t *pads, int npad, int mode, PtsError *err,
                              PtsValue *out) {
    int64_t lo[3], hi[3];
    int64_t *maps[3] = { NULL, NULL, NULL };
    PtsTensor *r;
    PtsStatus s = pad_maps(x->ndim, x->shape, pads, npad, mode, lo, hi, maps, err);
    if (!s) s = gather_pad(x, npad, lo, hi, maps, err, &r);
    if (!s) *out = pts_vtensor(r);
    for (int i = 0; i < 3; i++) pts_free(maps[i]);
    return s;
}

/* reflection_padNd / replication_padNd: checks as ATen words them, then the gather. */
static PtsStatus pad_nd_op(PtsValue *a, int dim, int mode, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t pads[6];
    int n;
    char b[256];
    const char *opname = mode == PAD_REFLECT ? "reflection_pad" : "replication_pad";
    PTS_TRY(nn_ints(a[1], pads, 6, &n, err));
    PTS_CHECK(n == 2 * dim, err, RUNTIME, "padding size is expected to be %d, but got: %d", 2 * dim, n);
    bool batch = x->ndim == dim + 2, valid = x->ndim == dim + 1 || batch;
    for (int i = batch ? 1 : 0; valid && i < x->ndim; i++)
        if (x->shape[i] == 0) valid = false;
    PTS_CHECK(valid, err, RUNTIME,
              "Expected %dD or %dD (batch mode) tensor with possibly 0 batch size and other non-zero "
              "dimensions for input, but got: %s", dim + 1, dim + 2, pts_shape_str(x->ndim, x->shape, b, sizeof b));
    static const char *dname[3] = { "D", "H", "W" };
    if (mode == PAD_REFLECT) {
        /* W first (argument #4), then H (#6), then D (#8) */
        for (int k = 0; k < dim; k++) {
            int d = x->ndim - 1 - k;
            PTS_CHECK(pads[2 * k] < x->shape[d] && pads[2 * k + 1] < x->shape[d], err, RUNTIME,
                      "Argument #%d: Padding size should be less than the corresponding input dimension, but "
                      "got: padding (%lld, %lld) at dimension %d of input %s", 4 + 2 * k,
                      (long long)pads[2 * k], (long long)pads[2 * k + 1], d,
                      pts_shape_str(x->ndim, x->shape, b, sizeof b));
        }
    }
    /* ATen rejects an output whose dims are all < 1 (1d: the one dim); a single empty dim of a
     * 2d/3d pad is allowed, a negative one is not */
    int64_t osz[3];
    bool all_small = true, negative = false;
    char ins[96] = "", outs[96] = "";
    size_t ki = 0, ko = 0;
    for (int k = dim - 1; k >= 0; k--) {
        int d = x->ndim - 1 - k;
        osz[k] = x->shape[d] + pads[2 * k] + pads[2 * k + 1];
        if (osz[k] >= 1) all_small = false;
        if (osz[k] < 0) negative = true;
        ki += (size_t)snprintf(ins + ki, sizeof ins - ki, "%s%s: %lld", k == dim - 1 ? "" : ", ", dname[2 - k],
                               (long long)x->shape[d]);
        ko += (size_t)snprintf(outs + ko, sizeof outs - ko, "%s%s: %lld", k == dim - 1 ? "" : " ", dname[2 - k],
                               (long long)osz[k]);
    }
    PTS_CHECK(!all_small, err, RUNTIME, "input (%s) is too small. Calculated output %s", ins, outs);
    PTS_CHECK(!negative, err, RUNTIME, "Trying to create tensor with negative dimension: output %s", outs);
    if (x->dtype == PTS_BOOL) {
        char k[32];
        snprintf(k, sizeof k, "%s%dd", opname, dim);
        return nn_not_impl(err, k, x->dtype);
    }
    return pad_mode_run(x, pads, dim, mode, err, out);
}

PtsStatus k_REFLECTION_PAD1D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 1, PAD_REFLECT, out, err); }
PtsStatus k_REFLECTION_PAD2D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 2, PAD_REFLECT, out, err); }
PtsStatus k_REFLECTION_PAD3D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 3, PAD_REFLECT, out, err); }
PtsStatus k_REPLICATION_PAD1D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 1, PAD_REPLICATE, out, err); }
PtsStatus k_REPLICATION_PAD2D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 2, PAD_REPLICATE, out, err); }
PtsStatus k_REPLICATION_PAD3D(PtsValue *a, PtsValue *out, PtsError *err) { return pad_nd_op(a, 3, PAD_REPLICATE, out, err); }

PtsStatus k__PAD_CIRCULAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t pads[PTS_MAX_DIMS];
    int n;
    PTS_TRY(nn_ints(a[1], pads, PTS_MAX_DIMS, &n, err));
    PTS_CHECK(n % 2 == 0, err, RUNTIME, "Padding length must be divisible by 2");
    int npad = n / 2, nonpad = x->ndim - npad;
    PTS_CHECK(nonpad == 1 || nonpad == 2, err, RUNTIME,
              "Invalid padding size, expected 1 or 2 non-padded dimensions, which would be equivalent to "
              "padding of length %d or %d respectively but got %d", (x->ndim - 1) * 2, (x->ndim - 2) * 2, n);
    PTS_CHECK(npad <= 3, err, RUNTIME, "pyts: circular padding of more than 3 dimensions is not supported");
    for (int k = 0; k < npad; k++) {
        int64_t in = x->shape[x->ndim - 1 - k];
        PTS_CHECK(pads[2 * k] <= in && pads[2 * k + 1] <= in, err, RUNTIME,
                  "Padding value causes wrapping around more than once.");
        PTS_CHECK(in + pads[2 * k] + pads[2 * k + 1] >= 0, err, RUNTIME,
                  "Negative padding value is resulting in an empty dimension.");
    }
    return pad_mode_run(x, pads, npad, PAD_CIRCULAR, err, out);
}

PtsStatus k_CONSTANT_PAD_ND(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    int64_t pads[2 * PTS_MAX_DIMS + 2];
    int n;
    PTS_TRY(nn_ints(a[1], pads, 2 * PTS_MAX_DIMS + 2, &n, err));
    PTS_CHECK(n % 2 == 0, err, RUNTIME, "Length of pad must be even but instead it equals %d", n);
    int nd = x->ndim, npad = n / 2;
    PTS_CHECK(npad <= nd, err, RUNTIME,
              "Length of pad should be no more than twice the number of dimensions of the input. Pad length "
              "is %dwhile the input has %ddimensions.", n, nd);
    int64_t shape[PTS_MAX_DIMS], ist[PTS_MAX_DIMS], ishape[PTS_MAX_DIMS], oshape[PTS_MAX_DIMS];
    int64_t ioff = x->offset, ooff = 0;
    for (int i = 0; i < nd; i++) { shape[i] = ishape[i] = oshape[i] = x->shape[i]; ist[i] = x->strides[i]; }
    int64_t istart[PTS_MAX_DIMS] = { 0 }, ostart[PTS_MAX_DIMS] = { 0 };
    for (int k = 0; k < npad; k++) {
        int d = nd - 1 - k;
        int64_t l = pads[2 * k], h = pads[2 * k + 1];
        /* negative pads crop the input (ATen narrows it), positive ones grow the output */
        int64_t keep = x->shape[d] + (l < 0 ? l : 0) + (h < 0 ? h : 0);
        PTS_CHECK(keep >= 0, err, RUNTIME, "narrow(): length must be non-negative.");
        shape[d] = x->shape[d] + l + h;
        PTS_CHECK(shape[d] >= 0, err, RUNTIME,
                  "The input size %lld, plus negative padding %lld and %lld resulted in a negative output "
                  "size, which is invalid. Check dimension %d of your input.",
                  (long long)x->shape[d], (long long)l, (long long)h, d);
        istart[d] = l < 0 ? -l : 0;
        ostart[d] = l > 0 ? l : 0;
        ishape[d] = oshape[d] = keep;
    }
    PtsTensor *r = NULL, *iv = NULL, *ov = NULL;
    PTS_TRY(pts_tensor_new(x->dtype, nd, shape, err, &r));
    /* fill with value converted to the dtype (ints truncate, bool is value != 0) */
    PtsTensor *fill = NULL;
    PtsStatus s;
    if (a[2].tag == PTS_V_DOUBLE) s = pts_tensor_scalar_f64(x->dtype, a[2].u.d, err, &fill);
    else s = pts_tensor_scalar_i64(x->dtype, pts_value_to_i64(a[2]), err, &fill);
    if (!s) s = pts_tensor_copy_(r, fill, err);
    pts_tensor_release(fill);
    if (s) goto fail;
    int64_t ost[PTS_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        ost[i] = r->strides[i];
        ioff += istart[i] * ist[i];
        ooff += ostart[i] * ost[i];
    }
    if (pts_shape_numel(nd, ishape) > 0) {
        if ((s = pts_tensor_view(x, nd, ishape, ist, ioff, err, &iv))) goto fail;
        if ((s = pts_tensor_view(r, nd, oshape, ost, ooff, err, &ov))) goto fail;
        if ((s = pts_tensor_copy_(ov, iv, err))) goto fail;
    }
    pts_tensor_release(iv);
    pts_tensor_release(ov);
    *out = pts_vtensor(r);
    return PTS_OK;
fail:
    pts_tensor_release(iv);
    pts_tensor_release(ov);
    pts_tensor_release(r);
    return s;
}

PtsStatus k_PAD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t;
    const char *mode = pts_as_str(a[2])->data;
    int m;
    if (strcmp(mode, "constant") == 0) m = -1;
    else if (strcmp(mode, "reflect") == 0) m = PAD_REFLECT;
    else if (strcmp(mode, "replicate") == 0) m = PAD_REPLICATE;
    else if (strcmp(mode, "circular") == 0) m = PAD_CIRCULAR;
    else return pts_fail(err, PTS_ERR_NOTIMPL, "Unrecognised padding mode %s", mode);
    int64_t pads[2 * PTS_MAX_DIMS + 2];
    int n;
    PTS_TRY(nn_ints(a[1], pads, 2 * PTS_MAX_DIMS + 2, &n, err));
    PTS_CHECK(n % 2 == 0, err, RUNTIME, "Padding length must be divisible by 2");
    PTS_CHECK(n <= 2 * x->ndim, err, RUNTIME,
              "Padding length should be less than or equal to two times the input dimension but got padding "
              "length %d and input of dimension %d", n, x->ndim);
    if (m < 0) {
        PtsValue v = a[3].tag == PTS_V_DOUBLE ? a[3] : pts_vdouble(0.0);
        PtsValue args[3] = { a[0], a[1], v };
        return pts_op_call(PTS_OP_CONSTANT_PAD_ND, args, out, err);
    }
    PTS_CHECK(a[3].tag != PTS_V_DOUBLE || a[3].u.d == 0, err, RUNTIME,
              "Padding mode \"%s\" doesn't take in value argument", mode);
    int nd = x->ndim;
    PtsOpId op = PTS_OP__COUNT;
    if (n == 2 && (nd == 2 || nd == 3))
        op = m == PAD_REFLECT ? PTS_OP_REFLECTION_PAD1D : m == PAD_REPLICATE ? PTS_OP_REPLICATION_PAD1D : PTS_OP__PAD_CIRCULAR;
    else if (n == 4 && (nd == 3 || nd == 4))
        op = m == PAD_REFLECT ? PTS_OP_REFLECTION_PAD2D : m == PAD_REPLICATE ? PTS_OP_REPLICATION_PAD2D : PTS_OP__PAD_CIRCULAR;
    else if (n == 6 && (nd == 4 || nd == 5))
        op = m == PAD_REFLECT ? PTS_OP_REFLECTION_PAD3D : m == PAD_REPLICATE ? PTS_OP_REPLICATION_PAD3D : PTS_OP__PAD_CIRCULAR;
    if (op == PTS_OP__COUNT)
        return pts_fail(err, PTS_ERR_NOTIMPL,
                        "Padding size %d is not supported for %dD input tensor.\n"
                        "Supported combinations for non-constant padding:\n"
                        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)", n, nd);
    PtsValue args[2] = { a[0], a[1] };
    return pts_op_call(op, args, out, err);
}

/* ================= backward of the reflection / replication pads =================
 * X_backward(grad_output, self, padding): grad_output summed back into self's shape along the
 * forward's index maps (every output position adds to the input position it read). */
#define DEF_SCATTER_PAD(S, T)                                                                  \
    static void scatter_pad_##S(const T *g, T *gi, int nd, const int64_t *gshape,              \
                                const int64_t *ishape, int npad, int64_t *const *maps) {       \
        int64_t n = pts_shape_numel(nd, gshape), idx[PTS_MAX_DIMS] = { 0 }, ist[PTS_MAX_DIMS]; \
        int64_t st = 1;                                                                        \
        for (int d = nd - 1; d >= 0; d--) { ist[d] = st; st *= ishape[d]; }                    \
        for (int64_t e = 0; e < n; e++) {                                                      \
            int64_t off = 0;                                                                   \
            for (int d = 0; d < nd; d++) {                                                     \
                int k = d - (nd - npad);                                                       \
                off += (k >= 0 ? maps[k][idx[d]] : idx[d]) * ist[d];                           \
            }                                                                                  \
            gi[off] += g[e];                                                                   \
            for (int d = nd - 1; d >= 0; d--) {                                                \
                if (++idx[d] < gshape[d]) break;                                               \
                idx[d] = 0;                                                                    \
            }                                                                                  \
        }                                                                                      \
    }
DEF_SCATTER_PAD(f32, float)
DEF_SCATTER_PAD(f64, double)

static PtsStatus pad_backward_op(PtsValue *a, int dim, int mode, PtsValue *out, PtsError *err) {
    PtsTensor *g = a[0].u.t, *x = a[1].u.t;
    int64_t pads[6];
    int n;
    char b[256], b2[256], kname[48];
    snprintf(kname, sizeof kname, "%s_pad%dd_backward", mode == PAD_REFLECT ? "reflection" : "replication", dim);
    PTS_TRY(nn_ints(a[2], pads, 6, &n, err));
    PTS_CHECK(n == 2 * dim, err, RUNTIME, "padding size is expected to be %d, but got: %d", 2 * dim, n);
    PTS_CHECK(x->ndim == dim + 1 || x->ndim == dim + 2, err, RUNTIME,
              "Expected %dD or %dD (batch mode) tensor for input, but got: %s", dim + 1, dim + 2,
              pts_shape_str(x->ndim, x->shape, b, sizeof b));
    PTS_CHECK(g->dtype == x->dtype, err, RUNTIME, "expected scalar type %s but found %s", nn_type_name(g->dtype),
              nn_type_name(x->dtype));
    static const char *const dname[3] = { "width", "height", "depth" };
    int nd = x->ndim;
    PTS_CHECK(g->ndim == nd, err, RUNTIME, "grad_output must have the input's %d dims, but got: %s", nd,
              pts_shape_str(g->ndim, g->shape, b, sizeof b));
    for (int k = 0; k < dim; k++) {
        int d = nd - 1 - k;
        int64_t want = x->shape[d] + pads[2 * k] + pads[2 * k + 1];
        PTS_CHECK(g->shape[d] == want, err, RUNTIME, "grad_output %s unexpected. Expected: %lld, Got: %lld", dname[k],
                  (long long)want, (long long)g->shape[d]);
    }
    for (int d = 0; d < nd - dim; d++)
        PTS_CHECK(g->shape[d] == x->shape[d], err, RUNTIME, "grad_output of shape %s does not match input of shape %s",
                  pts_shape_str(g->ndim, g->shape, b, sizeof b), pts_shape_str(nd, x->shape, b2, sizeof b2));
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, kname, x->dtype);
    int64_t lo[3], hi[3];
    int64_t *maps[3] = { NULL, NULL, NULL };
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *gc = NULL, *r = NULL;
    PtsStatus s;
    if ((s = pad_maps(nd, x->shape, pads, dim, mode, lo, hi, maps, err))) goto done;
    for (int k = 0; k < dim; k++) {   /* pads the forward would have refused: no index may leave self */
        int64_t in = x->shape[nd - dim + k];
        for (int64_t j = 0; j < g->shape[nd - dim + k]; j++)
            if (maps[k][j] < 0 || maps[k][j] >= in) {
                s = pts_fail(err, PTS_ERR_RUNTIME, "%s: padding %s does not fit an input of shape %s", kname,
                             nn_list_str(pads, n, b2, sizeof b2), pts_shape_str(nd, x->shape, b, sizeof b));
                goto done;
            }
    }
    if ((s = nn_dense(g, ct, nd, g->shape, err, &gc)) || (s = pts_tensor_zeros(ct, nd, x->shape, err, &r))) goto done;
    if (pts_numel(gc) > 0) {
        if (ct == PTS_FLOAT64)
            scatter_pad_f64((const double *)pts_tensor_data(gc), (double *)pts_tensor_data(r), nd, g->shape, x->shape, dim, maps);
        else
            scatter_pad_f32((const float *)pts_tensor_data(gc), (float *)pts_tensor_data(r), nd, g->shape, x->shape, dim, maps);
    }
    s = nn_result(r, x->dtype, err, out);
    r = NULL;
done:
    for (int i = 0; i < 3; i++) pts_free(maps[i]);
    pts_tensor_release(gc);
    pts_tensor_release(r);
    return s;
}

PtsStatus k_REFLECTION_PAD1D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 1, PAD_REFLECT, out, err); }
PtsStatus k_REFLECTION_PAD2D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 2, PAD_REFLECT, out, err); }
PtsStatus k_REFLECTION_PAD3D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 3, PAD_REFLECT, out, err); }
PtsStatus k_REPLICATION_PAD1D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 1, PAD_REPLICATE, out, err); }
PtsStatus k_REPLICATION_PAD2D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 2, PAD_REPLICATE, out, err); }
PtsStatus k_REPLICATION_PAD3D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) { return pad_backward_op(a, 3, PAD_REPLICATE, out, err); }

/* ================= backward of avg_pool2d / _adaptive_avg_pool2d =================
 * Each output gradient is spread evenly over the input cells of its window (the windows and
 * divisors of the forward kernels above). */
#define DEF_AVG_POOL_BW(S, T)                                                                  \
    static void avg_pool_bw_##S(const T *go, T *gi, const PoolGeom *g, bool count_pad, int64_t divisor) { \
        for (int64_t p = 0; p < g->planes; p++) {                                              \
            T *gp = gi + p * g->ih * g->iw;                                                    \
            for (int64_t oh = 0; oh < g->oh; oh++)                                             \
                for (int64_t ow = 0; ow < g->ow; ow++) {                                       \
                    T v = *go++;                                                               \
                    int64_t h0, h1, w0, w1;                                                    \
                    int64_t div = avg_window(g, oh, ow, count_pad, divisor, &h0, &h1, &w0, &w1); \
                    if (!div) continue;                                                        \
                    T share = v / (T)div;                                                      \
                    for (int64_t h = h0; h < h1; h++)                                          \
                        for (int64_t w = w0; w < w1; w++) gp[h * g->iw + w] += share;          \
                }                                                                              \
        }                                                                                      \
    }
DEF_AVG_POOL_BW(f32, float)
DEF_AVG_POOL_BW(f64, double)

#define DEF_ADAPTIVE_BW(S, T)                                                                  \
    static void adaptive_bw_##S(const T *go, T *gi, int64_t planes, int64_t ih, int64_t iw,    \
                                int64_t oh, int64_t ow) {                                      \
        for (int64_t p = 0; p < planes; p++) {                                                 \
            T *gp = gi + p * ih * iw;                                                          \
            for (int64_t i = 0; i < oh; i++) {                                                 \
                int64_t h0 = (i * ih) / oh, h1 = ((i + 1) * ih + oh - 1) / oh;                 \
                for (int64_t j = 0; j < ow; j++) {                                             \
                    int64_t w0 = (j * iw) / ow, w1 = ((j + 1) * iw + ow - 1) / ow;             \
                    T share = *go++ / (T)((h1 - h0) * (w1 - w0));                              \
                    for (int64_t h = h0; h < h1; h++)                                          \
                        for (int64_t w = w0; w < w1; w++) gp[h * iw + w] += share;             \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }
DEF_ADAPTIVE_BW(f32, float)
DEF_ADAPTIVE_BW(f64, double)

/* grad_output must have self's leading dims and (oh, ow) last */
static PtsStatus pool_grad_check(const char *op, const PtsTensor *go, const PtsTensor *x, int64_t oh, int64_t ow,
                                 PtsError *err) {
    char b[256], b2[256];
    int64_t want[PTS_MAX_DIMS];
    pool_out_shape(x, oh, ow, want);
    bool ok = go->ndim == x->ndim;
    for (int i = 0; ok && i < x->ndim; i++) ok = go->shape[i] == want[i];
    PTS_CHECK(ok, err, RUNTIME, "%s: expected grad_output of shape %s, but got %s", op,
              pts_shape_str(x->ndim, want, b, sizeof b), pts_shape_str(go->ndim, go->shape, b2, sizeof b2));
    PTS_CHECK(go->dtype == x->dtype, err, RUNTIME, "expected scalar type %s but found %s", nn_type_name(go->dtype),
              nn_type_name(x->dtype));
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, op, x->dtype);
    return PTS_OK;
}

/* avg_pool2d_backward(grad_output, self, kernel_size, stride, padding, ceil_mode,
 * count_include_pad, divisor_override) */
PtsStatus k_AVG_POOL2D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *go = a[0].u.t, *x = a[1].u.t;
    bool ceil_mode = a[5].u.b, count_pad = a[6].u.b;
    int64_t divisor = a[7].tag == PTS_V_INT ? a[7].u.i : 0;
    PTS_CHECK(a[7].tag != PTS_V_INT || divisor != 0, err, RUNTIME, "divisor must be not zero");
    PoolGeom g;
    PTS_TRY(pool_setup("avg_pool2d_backward", a + 1, false, ceil_mode, &g, err));
    PTS_TRY(pool_grad_check("avg_pool2d_backward_out_frame", go, x, g.oh, g.ow, err));
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *gc = NULL, *r = NULL;
    PtsStatus s;
    if ((s = nn_dense(go, ct, go->ndim, go->shape, err, &gc)) || (s = pts_tensor_zeros(ct, x->ndim, x->shape, err, &r)))
        goto fail;
    if (pts_numel(gc) > 0) {
        if (ct == PTS_FLOAT64) avg_pool_bw_f64((const double *)pts_tensor_data(gc), (double *)pts_tensor_data(r), &g, count_pad, divisor);
        else avg_pool_bw_f32((const float *)pts_tensor_data(gc), (float *)pts_tensor_data(r), &g, count_pad, divisor);
    }
    pts_tensor_release(gc);
    return nn_result(r, x->dtype, err, out);
fail:
    pts_tensor_release(gc);
    pts_tensor_release(r);
    return s;
}

/* _adaptive_avg_pool2d_backward(grad_output, self): the output size is grad_output's last two */
PtsStatus k__ADAPTIVE_AVG_POOL2D_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *go = a[0].u.t, *x = a[1].u.t;
    char b[256];
    PTS_CHECK(x->ndim == 3 || x->ndim == 4, err, RUNTIME,
              "adaptive_avg_pool2d_backward(): Expected 3D or 4D tensor, but got %s",
              pts_shape_str(x->ndim, x->shape, b, sizeof b));
    PTS_CHECK(go->ndim == x->ndim, err, RUNTIME,
              "adaptive_avg_pool2d_backward(): Expected grad_output to have the same dimension as input, but got %s",
              pts_shape_str(go->ndim, go->shape, b, sizeof b));
    int64_t oh = go->shape[go->ndim - 2], ow = go->shape[go->ndim - 1];
    PTS_TRY(pool_grad_check("adaptive_avg_pool2d_backward_cpu", go, x, oh, ow, err));
    int64_t ih = x->shape[x->ndim - 2], iw = x->shape[x->ndim - 1], planes = 1;
    for (int i = 0; i < x->ndim - 2; i++) planes *= x->shape[i];
    PtsDType ct = nn_acc_dtype(x->dtype);
    PtsTensor *gc = NULL, *r = NULL;
    PtsStatus s;
    if ((s = nn_dense(go, ct, go->ndim, go->shape, err, &gc)) || (s = pts_tensor_zeros(ct, x->ndim, x->shape, err, &r)))
        goto fail;
    if (pts_numel(gc) > 0 && ih > 0 && iw > 0) {
        if (ct == PTS_FLOAT64) adaptive_bw_f64((const double *)pts_tensor_data(gc), (double *)pts_tensor_data(r), planes, ih, iw, oh, ow);
        else adaptive_bw_f32((const float *)pts_tensor_data(gc), (float *)pts_tensor_data(r), planes, ih, iw, oh, ow);
    }
    pts_tensor_release(gc);
    return nn_result(r, x->dtype, err, out);
fail:
    pts_tensor_release(gc);
    pts_tensor_release(r);
    return s;
}
