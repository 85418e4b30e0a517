/* k_nn_conv.c: convolution kernels (conv1d, conv2d, their padding='valid'/'same' overloads and
 * the generic convolution / _convolution / _convolution_mode that traces record). Floating
 * inputs run im2col + one gemm per batch element and group (1x1 stride-1 kernels skip im2col);
 * integer inputs, which PyTorch also accepts, run a direct int64 loop. Up to 3 spatial dims;
 * transposed convolution is not implemented yet. */
#include <stdio.h>

#include "blas.h"
#include "nn.h"

typedef struct ConvGeom {
    int nsp;                    /* spatial dims: 1..3; arrays below are padded to 3 as D, H, W */
    int64_t n, c, oc, groups;   /* batch, input channels, output channels, groups */
    int64_t in[3], k[3], out[3];
    int64_t stride[3], pad_lo[3], pad_hi[3], dil[3];
} ConvGeom;

/* ---- im2col: col[(c, kd, kh, kw), (od, oh, ow)] for cg channels of one batch element ---- */
#define DEF_IM2COL(S, T)                                                                       \
    static void im2col_##S(const T *x, T *col, int64_t cg, const ConvGeom *g) {                \
        const int64_t *in = g->in, *o = g->out, *st = g->stride, *pl = g->pad_lo, *dl = g->dil; \
        T *dst = col;                                                                          \
        for (int64_t c = 0; c < cg; c++) {                                                     \
            const T *xc = x + c * in[0] * in[1] * in[2];                                       \
            for (int64_t kd = 0; kd < g->k[0]; kd++)                                           \
                for (int64_t kh = 0; kh < g->k[1]; kh++)                                       \
                    for (int64_t kw = 0; kw < g->k[2]; kw++)                                   \
                        for (int64_t od = 0; od < o[0]; od++) {                                \
                            int64_t id = od * st[0] - pl[0] + kd * dl[0];                      \
                            if (id < 0 || id >= in[0]) {                                       \
                                memset(dst, 0, sizeof(T) * (size_t)(o[1] * o[2]));             \
                                dst += o[1] * o[2];                                            \
                                continue;                                                      \
                            }                                                                  \
                            for (int64_t oh = 0; oh < o[1]; oh++, dst += o[2]) {               \
                                int64_t ih = oh * st[1] - pl[1] + kh * dl[1];                  \
                                if (ih < 0 || ih >= in[1]) {                                   \
                                    memset(dst, 0, sizeof(T) * (size_t)o[2]);                  \
                                    continue;                                                  \
                                }                                                              \
                                const T *row = xc + (id * in[1] + ih) * in[2];                 \
                                int64_t iw0 = kw * dl[2] - pl[2];                              \
                                if (st[2] == 1) {                                              \
                                    /* ow is valid where 0 <= ow + iw0 < in[2] */              \
                                    int64_t lo = iw0 < 0 ? -iw0 : 0;                           \
                                    int64_t hi = in[2] - iw0 < o[2] ? in[2] - iw0 : o[2];      \
                                    if (lo > o[2]) lo = o[2];                                  \
                                    if (hi < lo) hi = lo;                                      \
                                    memset(dst, 0, sizeof(T) * (size_t)lo);                    \
                                    memcpy(dst + lo, row + lo + iw0, sizeof(T) * (size_t)(hi - lo)); \
                                    memset(dst + hi, 0, sizeof(T) * (size_t)(o[2] - hi));      \
                                } else {                                                       \
                                    for (int64_t ow = 0; ow < o[2]; ow++) {                    \
                                        int64_t iw = ow * st[2] + iw0;                         \
                                        dst[ow] = (iw >= 0 && iw < in[2]) ? row[iw] : (T)0;    \
                                    }                                                          \
                                }                                                              \
                            }                                                                  \
                        }                                                                      \
        }                                                                                      \
    }
DEF_IM2COL(f32, float)
DEF_IM2COL(f64, double)

/* ---- depthwise (one input channel per group): a gemm per group would have one row, so
 * accumulate each kernel tap into the output plane directly ---- */
#define DEF_CONV_DW(S, T)                                                                      \
    static void conv_dw_##S(const T *x, const T *w, const T *bias, T *y, const ConvGeom *g) {  \
        int64_t ocg = g->oc / g->groups;                                                       \
        int64_t lin = g->in[0] * g->in[1] * g->in[2], l = g->out[0] * g->out[1] * g->out[2];   \
        const int64_t *in = g->in, *k = g->k, *o = g->out, *st = g->stride, *pl = g->pad_lo;   \
        const int64_t *dl = g->dil;                                                            \
        for (int64_t b = 0; b < g->n; b++)                                                     \
            for (int64_t oc = 0; oc < g->oc; oc++) {                                           \
                const T *xp = x + (b * g->c + oc / ocg) * lin;                                 \
                const T *wo = w + oc * k[0] * k[1] * k[2];                                     \
                T *yp = y + (b * g->oc + oc) * l, b0 = bias ? bias[oc] : (T)0;                 \
                /* one output row at a time: it stays in L1 while every tap adds into it */    \
                for (int64_t od = 0; od < o[0]; od++)                                          \
                    for (int64_t oh = 0; oh < o[1]; oh++) {                                    \
                        T *restrict yr = yp + (od * o[1] + oh) * o[2];                         \
                        for (int64_t ow = 0; ow < o[2]; ow++) yr[ow] = b0;                     \
                        for (int64_t kd = 0; kd < k[0]; kd++) {                                \
                            int64_t id = od * st[0] - pl[0] + kd * dl[0];                      \
                            if (id < 0 || id >= in[0]) continue;                               \
                            for (int64_t kh = 0; kh < k[1]; kh++) {                            \
                                int64_t ih = oh * st[1] - pl[1] + kh * dl[1];                  \
                                if (ih < 0 || ih >= in[1]) continue;                           \
                                const T *restrict row = xp + (id * in[1] + ih) * in[2];        \
                                const T *wk = wo + (kd * k[1] + kh) * k[2];                    \
                                for (int64_t kw = 0; kw < k[2]; kw++) {                        \
                                    T wv = wk[kw];                                             \
                                    int64_t iw0 = kw * dl[2] - pl[2];                          \
                                    if (st[2] == 1) {                                          \
                                        int64_t lo = iw0 < 0 ? -iw0 : 0;                       \
                                        int64_t hi = in[2] - iw0 < o[2] ? in[2] - iw0 : o[2];  \
                                        for (int64_t ow = lo; ow < hi; ow++) yr[ow] += wv * row[ow + iw0]; \
                                    } else {                                                   \
                                        for (int64_t ow = 0; ow < o[2]; ow++) {                \
                                            int64_t iw = ow * st[2] + iw0;                     \
                                            if (iw >= 0 && iw < in[2]) yr[ow] += wv * row[iw]; \
                                        }                                                      \
                                    }                                                          \
                                }                                                              \
                            }                                                                  \
                        }                                                                      \
                    }                                                                          \
            }                                                                                  \
    }
DEF_CONV_DW(f32, float)
DEF_CONV_DW(f64, double)

/* ---- the floating path ---- */
#define DEF_CONV_GEMM(S, T, GEMM)                                                              \
    static PtsStatus conv_gemm_##S(const T *x, const T *w, const T *bias, T *y,                \
                                   const ConvGeom *g, PtsError *err) {                         \
        int64_t cg = g->c / g->groups, ocg = g->oc / g->groups;                                \
        int64_t kk = cg * g->k[0] * g->k[1] * g->k[2];                                         \
        int64_t lin = g->in[0] * g->in[1] * g->in[2], l = g->out[0] * g->out[1] * g->out[2];   \
        if (cg == 1 && g->groups > 1) { conv_dw_##S(x, w, bias, y, g); return PTS_OK; }        \
        bool direct = true;                                                                    \
        for (int d = 0; d < 3; d++)                                                            \
            if (g->k[d] != 1 || g->stride[d] != 1 || g->pad_lo[d] || g->pad_hi[d]) direct = false; \
        T *col = NULL;                                                                         \
        if (!direct) {                                                                         \
            int64_t ncol;                                                                      \
            if (!pts_mul_ok(kk, l, &ncol) || !pts_mul_ok(ncol, (int64_t)sizeof(T), &ncol))     \
                return pts_fail(err, PTS_ERR_NOMEM, "convolution: im2col buffer too large");   \
            col = pts_aligned_alloc((size_t)ncol);                                             \
            if (!col) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");                    \
        }                                                                                      \
        for (int64_t b = 0; b < g->n; b++)                                                     \
            for (int64_t gi = 0; gi < g->groups; gi++) {                                       \
                const T *xg = x + (b * g->c + gi * cg) * lin;                                  \
                T *yg = y + (b * g->oc + gi * ocg) * l;                                        \
                if (!direct) im2col_##S(xg, col, cg, g);                                       \
                if (kk == 0) memset(yg, 0, sizeof(T) * (size_t)(ocg * l));                     \
                else GEMM(false, false, ocg, l, kk, 1, w + gi * ocg * kk, kk,                  \
                          direct ? xg : col, l, 0, yg, l);                                     \
                if (bias)                                                                      \
                    for (int64_t o = 0; o < ocg; o++) {                                        \
                        T bv = bias[gi * ocg + o], *yo = yg + o * l;                           \
                        for (int64_t i = 0; i < l; i++) yo[i] += bv;                           \
                    }                                                                          \
            }                                                                                  \
        pts_aligned_free(col);                                                                 \
        return PTS_OK;                                                                         \
    }
DEF_CONV_GEMM(f32, float, pts_sgemm)
DEF_CONV_GEMM(f64, double, pts_dgemm)

/* ---- the integer path: direct loops in int64 (wrapping to the input dtype as ATen's integer
 * arithmetic does) ---- */
static void conv_direct_i64(const int64_t *x, const int64_t *w, const int64_t *bias, int64_t *y,
                            const ConvGeom *g) {
    int64_t cg = g->c / g->groups, ocg = g->oc / g->groups;
    int64_t lin = g->in[0] * g->in[1] * g->in[2], ksz = g->k[0] * g->k[1] * g->k[2];
    const int64_t *in = g->in, *k = g->k, *st = g->stride, *pl = g->pad_lo, *dl = g->dil;
    for (int64_t b = 0; b < g->n; b++)
        for (int64_t oc = 0; oc < g->oc; oc++) {
            int64_t gi = oc / ocg;
            const int64_t *wo = w + oc * cg * ksz;
            for (int64_t od = 0; od < g->out[0]; od++)
                for (int64_t oh = 0; oh < g->out[1]; oh++)
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {
                        uint64_t acc = bias ? (uint64_t)bias[oc] : 0;
                        for (int64_t c = 0; c < cg; c++) {
                            const int64_t *xc = x + (b * g->c + gi * cg + c) * lin;
                            const int64_t *wc = wo + c * ksz;
                            for (int64_t kd = 0; kd < k[0]; kd++) {
                                int64_t id = od * st[0] - pl[0] + kd * dl[0];
                                if (id < 0 || id >= in[0]) continue;
                                for (int64_t kh = 0; kh < k[1]; kh++) {
                                    int64_t ih = oh * st[1] - pl[1] + kh * dl[1];
                                    if (ih < 0 || ih >= in[1]) continue;
                                    for (int64_t kw = 0; kw < k[2]; kw++) {
                                        int64_t iw = ow * st[2] - pl[2] + kw * dl[2];
                                        if (iw < 0 || iw >= in[2]) continue;
                                        acc += (uint64_t)xc[(id * in[1] + ih) * in[2] + iw] *
                                               (uint64_t)wc[(kd * k[1] + kh) * k[2] + kw];
                                    }
                                }
                            }
                        }
                        *y++ = (int64_t)acc;
                    }
        }
}

/* Read stride / padding / dilation: one value or nsp values, expanded to nsp. */
static PtsStatus conv_param(PtsValue v, const char *name, int nsp, int64_t *dst, PtsError *err) {
    int64_t xs[PTS_MAX_DIMS];
    int n;
    PTS_TRY(nn_ints(v, xs, PTS_MAX_DIMS, &n, err));
    if (n == 1)
        for (int i = 1; i < nsp; i++) xs[i] = xs[0];
    else if (n != nsp) {
        char b[128];
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "expected %s to be a single integer value or a list of %d values to match the "
                        "convolution dimensions, but got %s=%s",
                        name, nsp, name, nn_list_str(xs, n, b, sizeof b));
    }
    for (int i = 0; i < nsp; i++) dst[i] = xs[i];
    return PTS_OK;
}

/* Geometry and checks of a convolution. x must be batched (rank of w). pad_mode NULL: numeric
 * padding (pad_v). oshape gets the output's shape. */
static PtsStatus conv_setup(PtsTensor *x, PtsTensor *w, PtsTensor *bias, PtsValue stride_v,
                            PtsValue pad_v, const char *pad_mode, PtsValue dil_v, int64_t groups,
                            PtsError *err, ConvGeom *gp, int64_t *oshape) {
    char b1[256], b2[256];
    int nsp = w->ndim - 2;
    int64_t stride[PTS_MAX_DIMS], pad[PTS_MAX_DIMS], dil[PTS_MAX_DIMS];
    PTS_TRY(conv_param(stride_v, "stride", nsp < 0 ? 0 : nsp, stride, err));
    if (!pad_mode) PTS_TRY(conv_param(pad_v, "padding", nsp < 0 ? 0 : nsp, pad, err));
    PTS_TRY(conv_param(dil_v, "dilation", nsp < 0 ? 0 : nsp, dil, err));
    PTS_CHECK(nsp >= 1 && nsp <= 3, err, RUNTIME,
              "convolution: weight of %d dimensions is not supported (expected 3, 4 or 5)", w->ndim);
    PTS_CHECK(x->ndim == w->ndim, err, RUNTIME,
              "Expected %d-dimensional input for %d-dimensional weight %s, but got %d-dimensional "
              "input of size %s instead", w->ndim, w->ndim, pts_shape_str(w->ndim, w->shape, b1, sizeof b1),
              x->ndim, pts_shape_str(x->ndim, x->shape, b2, sizeof b2));
    if (x->dtype != w->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME, "expected scalar type %s but found %s",
                        nn_type_name(x->dtype), nn_type_name(w->dtype));
    if (bias && bias->dtype != x->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME, "Input type (%s) and bias type (%s) should be the same",
                        pts_dtype_cpp_name(x->dtype), pts_dtype_cpp_name(bias->dtype));
    ConvGeom g;
    g.nsp = nsp;
    int off = 3 - nsp;   /* spatial dim i of the op is geometry dim off + i */
    for (int d = 0; d < 3; d++) {
        g.in[d] = g.k[d] = g.out[d] = g.stride[d] = g.dil[d] = 1;
        g.pad_lo[d] = g.pad_hi[d] = 0;
    }
    if (pad_mode) {
        if (strcmp(pad_mode, "valid") == 0) {
            for (int i = 0; i < nsp; i++) pad[i] = 0;
        } else if (strcmp(pad_mode, "same") == 0) {
            for (int i = 0; i < nsp; i++)
                PTS_CHECK(stride[i] == 1, err, RUNTIME, "padding='same' is not supported for strided convolutions");
        } else {
            return pts_fail(err, PTS_ERR_RUNTIME, "Invalid padding string: '%s'", pad_mode);
        }
    }
    for (int i = 0; i < nsp; i++) {
        if (!pad_mode || strcmp(pad_mode, "same") != 0) {
            PTS_CHECK(pad[i] >= 0, err, RUNTIME, "negative padding is not supported");
        }
        PTS_CHECK(stride[i] > 0, err, RUNTIME, "non-positive stride is not supported");
    }
    for (int i = 0; i < nsp; i++)
        PTS_CHECK(dil[i] > 0, err, RUNTIME, "dilation should be greater than zero, but got %s",
                  nn_list_str(dil, nsp, b1, sizeof b1));
    PTS_CHECK(groups > 0, err, RUNTIME, "non-positive groups is not supported");
    pts_shape_str(w->ndim, w->shape, b1, sizeof b1);
    PTS_CHECK(w->shape[0] >= groups, err, RUNTIME,
              "Given groups=%lld, expected weight to be at least %lld at dimension 0, but got weight of "
              "size %s instead", (long long)groups, (long long)groups, b1);
    PTS_CHECK(w->shape[0] % groups == 0, err, RUNTIME,
              "Given groups=%lld, expected weight to be divisible by %lld at dimension 0, but got weight "
              "of size [%s] instead", (long long)groups, (long long)groups, b1);
    PTS_CHECK(x->shape[1] == w->shape[1] * groups, err, RUNTIME,
              "Given groups=%lld, weight of size %s, expected input%s to have %lld channels, but got "
              "%lld channels instead", (long long)groups, b1, pts_shape_str(x->ndim, x->shape, b2, sizeof b2),
              (long long)(w->shape[1] * groups), (long long)x->shape[1]);
    PTS_CHECK(!bias || (bias->ndim == 1 && bias->shape[0] == w->shape[0]), err, RUNTIME,
              "Given weight of size %s, expected bias to be 1-dimensional with %lld elements, but got "
              "bias of size %s instead", b1, (long long)w->shape[0],
              pts_shape_str(bias ? bias->ndim : 0, bias ? bias->shape : NULL, b2, sizeof b2));
    g.n = x->shape[0];
    g.c = x->shape[1];
    g.oc = w->shape[0];
    g.groups = groups;
    bool too_small = false;
    for (int i = 0; i < nsp; i++) {
        int d = off + i;
        g.in[d] = x->shape[2 + i];
        g.k[d] = w->shape[2 + i];
        g.stride[d] = stride[i];
        g.dil[d] = dil[i];
        if (pad_mode && strcmp(pad_mode, "same") == 0) {
            int64_t total = dil[i] * (g.k[d] - 1);
            g.pad_lo[d] = total / 2;            /* the odd one goes on the right, as ATen does */
            g.pad_hi[d] = total - total / 2;
        } else {
            g.pad_lo[d] = g.pad_hi[d] = pad[i];
        }
        if (g.in[d] + g.pad_lo[d] + g.pad_hi[d] < dil[i] * (g.k[d] - 1) + 1) too_small = true;
    }
    if (too_small) {
        char ps[128] = "", ks[128] = "";
        size_t pk = 0, kk = 0;
        for (int i = 0; i < nsp; i++) {
            int d = off + i;
            pk += (size_t)snprintf(ps + pk, sizeof ps - pk, "%s%lld", i ? " x " : "",
                                   (long long)(g.in[d] + g.pad_lo[d] + g.pad_hi[d]));
            kk += (size_t)snprintf(ks + kk, sizeof ks - kk, "%s%lld", i ? " x " : "",
                                   (long long)(dil[i] * (g.k[d] - 1) + 1));
        }
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Calculated padded input size per channel: (%s). Kernel size: (%s). Kernel size "
                        "can't be greater than actual input size", ps, ks);
    }
    if (x->dtype == PTS_BOOL)
        return nn_not_impl(err, nsp == 3 ? "slow_conv3d_cpu" : "slow_conv2d_cpu", x->dtype);
    oshape[0] = g.n;
    oshape[1] = g.oc;
    for (int i = 0; i < nsp; i++) {
        int d = off + i;
        g.out[d] = (g.in[d] + g.pad_lo[d] + g.pad_hi[d] - g.dil[d] * (g.k[d] - 1) - 1) / g.stride[d] + 1;
        oshape[2 + i] = g.out[d];
    }
    *gp = g;
    return PTS_OK;
}

/* The shared forward body (see conv_setup). */
static PtsStatus conv_run(PtsTensor *x, PtsTensor *w, PtsTensor *bias, PtsValue stride_v,
                          PtsValue pad_v, const char *pad_mode, PtsValue dil_v, int64_t groups,
                          PtsError *err, PtsTensor **res) {
    *res = NULL;
    ConvGeom g = { 0 };
    int64_t oshape[PTS_MAX_DIMS] = { 0 };
    PTS_TRY(conv_setup(x, w, bias, stride_v, pad_v, pad_mode, dil_v, groups, err, &g, oshape));
    bool fl = pts_dtype_is_float(x->dtype);
    PtsDType ct = fl ? nn_acc_dtype(x->dtype) : PTS_INT64;
    PtsTensor *xc = NULL, *wc = NULL, *bc = NULL, *y = NULL;
    PtsStatus s;
    if ((s = pts_tensor_to(x, ct, false, err, &xc))) goto fail;
    if ((s = pts_tensor_to(w, ct, false, err, &wc))) goto fail;
    if (bias && (s = pts_tensor_to(bias, ct, false, err, &bc))) goto fail;
    if ((s = pts_tensor_new(ct, x->ndim, oshape, err, &y))) goto fail;
    if (pts_numel(y) > 0) {
        const void *bp = bc ? pts_tensor_data(bc) : NULL;
        if (ct == PTS_FLOAT32)
            s = conv_gemm_f32((const float *)pts_tensor_data(xc), (const float *)pts_tensor_data(wc),
                              bp, (float *)pts_tensor_data(y), &g, err);
        else if (ct == PTS_FLOAT64)
            s = conv_gemm_f64((const double *)pts_tensor_data(xc), (const double *)pts_tensor_data(wc),
                              bp, (double *)pts_tensor_data(y), &g, err);
        else
            conv_direct_i64((const int64_t *)pts_tensor_data(xc), (const int64_t *)pts_tensor_data(wc),
                            bp, (int64_t *)pts_tensor_data(y), &g);
        if (s) goto fail;
    }
    pts_tensor_release(xc);
    pts_tensor_release(wc);
    pts_tensor_release(bc);
    PtsValue r;
    PTS_TRY(nn_result(y, x->dtype, err, &r));
    *res = r.u.t;
    return PTS_OK;
fail:
    pts_tensor_release(xc);
    pts_tensor_release(wc);
    pts_tensor_release(bc);
    pts_tensor_release(y);
    return s;
}

/* conv1d / conv2d: args (input, weight, bias, stride, padding, dilation, groups); an unbatched
 * input (rank nsp + 1) runs as a batch of one. */
static PtsStatus conv_nd(PtsValue *a, int nsp, bool str_pad, PtsValue *out, PtsError *err) {
    PtsTensor *x = a[0].u.t, *xb = NULL, *r = NULL;
    if (x->ndim != nsp + 1 && x->ndim != nsp + 2) {
        char b[256];
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Expected %dD (unbatched) or %dD (batched) input to conv%dd, but got input of size: %s",
                        nsp + 1, nsp + 2, nsp, pts_shape_str(x->ndim, x->shape, b, sizeof b));
    }
    bool unbatched = x->ndim == nsp + 1;
    if (unbatched) {
        int64_t shape[PTS_MAX_DIMS] = { 1 };
        memcpy(shape + 1, x->shape, sizeof(int64_t) * (size_t)x->ndim);
        PTS_TRY(nn_view(x, x->ndim + 1, shape, err, &xb));
        x = xb;
    }
    const char *mode = str_pad ? pts_as_str(a[4])->data : NULL;
    PtsStatus s = conv_run(x, a[1].u.t, nn_opt(a[2]), a[3], a[4], mode, a[5], a[6].u.i, err, &r);
    pts_tensor_release(xb);
    if (s) return s;
    if (unbatched) {
        PtsTensor *v;
        s = nn_view(r, r->ndim - 1, r->shape + 1, err, &v);
        pts_tensor_release(r);
        if (s) return s;
        r = v;
    }
    *out = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_CONV1D(PtsValue *a, PtsValue *out, PtsError *err) { return conv_nd(a, 1, false, out, err); }
PtsStatus k_CONV1D_PADDING(PtsValue *a, PtsValue *out, PtsError *err) { return conv_nd(a, 1, true, out, err); }
PtsStatus k_CONV2D(PtsValue *a, PtsValue *out, PtsError *err) { return conv_nd(a, 2, false, out, err); }
PtsStatus k_CONV2D_PADDING(PtsValue *a, PtsValue *out, PtsError *err) { return conv_nd(a, 2, true, out, err); }

/* convolution / _convolution: (input, weight, bias, stride, padding, dilation, transposed,
 * output_padding, groups, ...) */
static PtsStatus convolution_generic(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[6].u.b)
        return pts_fail(err, PTS_ERR_NOTIMPL, "pyts: transposed convolution is not implemented yet");
    PtsTensor *r;
    PTS_TRY(conv_run(a[0].u.t, a[1].u.t, nn_opt(a[2]), a[3], a[4], NULL, a[5], a[8].u.i, err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}
PtsStatus k_CONVOLUTION(PtsValue *a, PtsValue *out, PtsError *err) { return convolution_generic(a, out, err); }
PtsStatus k__CONVOLUTION(PtsValue *a, PtsValue *out, PtsError *err) { return convolution_generic(a, out, err); }

PtsStatus k__CONVOLUTION_MODE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r;
    PTS_TRY(conv_run(a[0].u.t, a[1].u.t, nn_opt(a[2]), a[3], pts_none(), pts_as_str(a[4])->data, a[5],
                     a[6].u.i, err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}

/* ================= convolution_backward =================
 * Per batch element and group, with col = im2col(x): grad_weight += g col^T, grad_col = W^T g
 * folded back into grad_input (col2im), grad_bias = g summed over batch and space. */
#define DEF_COL2IM(S, T)                                                                       \
    static void col2im_##S(const T *col, T *x, int64_t cg, const ConvGeom *g) {                \
        const int64_t *in = g->in, *o = g->out, *st = g->stride, *pl = g->pad_lo, *dl = g->dil; \
        for (int64_t c = 0; c < cg; c++) {                                                     \
            T *xc = x + c * in[0] * in[1] * in[2];                                             \
            for (int64_t kd = 0; kd < g->k[0]; kd++)                                           \
                for (int64_t kh = 0; kh < g->k[1]; kh++)                                       \
                    for (int64_t kw = 0; kw < g->k[2]; kw++)                                   \
                        for (int64_t od = 0; od < o[0]; od++) {                                \
                            int64_t id = od * st[0] - pl[0] + kd * dl[0];                      \
                            for (int64_t oh = 0; oh < o[1]; oh++, col += o[2]) {               \
                                int64_t ih = oh * st[1] - pl[1] + kh * dl[1];                  \
                                if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1]) continue;  \
                                T *row = xc + (id * in[1] + ih) * in[2];                       \
                                for (int64_t ow = 0; ow < o[2]; ow++) {                        \
                                    int64_t iw = ow * st[2] - pl[2] + kw * dl[2];              \
                                    if (iw >= 0 && iw < in[2]) row[iw] += col[ow];             \
                                }                                                              \
                            }                                                                  \
                        }                                                                      \
        }                                                                                      \
    }
DEF_COL2IM(f32, float)
DEF_COL2IM(f64, double)

#define DEF_CONV_BW(S, T, GEMM)                                                                \
    static PtsStatus conv_bw_##S(const T *go, const T *x, const T *w, T *gx, T *gw, T *gb,     \
                                 const ConvGeom *g, PtsError *err) {                           \
        int64_t cg = g->c / g->groups, ocg = g->oc / g->groups;                                \
        int64_t kk = cg * g->k[0] * g->k[1] * g->k[2];                                         \
        int64_t lin = g->in[0] * g->in[1] * g->in[2], l = g->out[0] * g->out[1] * g->out[2];   \
        int64_t ncol;                                                                          \
        if (!pts_mul_ok(kk, l, &ncol) || !pts_mul_ok(ncol, (int64_t)sizeof(T), &ncol))         \
            return pts_fail(err, PTS_ERR_NOMEM, "convolution_backward: im2col buffer too large"); \
        T *col = pts_aligned_alloc((size_t)(ncol > 0 ? ncol : 1));                             \
        if (!col) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");                        \
        for (int64_t b = 0; b < g->n; b++)                                                     \
            for (int64_t gi = 0; gi < g->groups; gi++) {                                       \
                const T *xg = x + (b * g->c + gi * cg) * lin;                                  \
                const T *gg = go + (b * g->oc + gi * ocg) * l;                                 \
                if (gw && kk > 0 && l > 0) {                                                   \
                    im2col_##S(xg, col, cg, g);                                                \
                    GEMM(false, true, ocg, kk, l, 1, gg, l, col, l, 1, gw + gi * ocg * kk, kk); \
                }                                                                              \
                if (gx && kk > 0 && l > 0) {                                                   \
                    GEMM(true, false, kk, l, ocg, 1, w + gi * ocg * kk, kk, gg, l, 0, col, l); \
                    col2im_##S(col, gx + (b * g->c + gi * cg) * lin, cg, g);                   \
                }                                                                              \
                if (gb)                                                                        \
                    for (int64_t o = 0; o < ocg; o++) {                                        \
                        T acc = 0;                                                             \
                        for (int64_t i = 0; i < l; i++) acc += gg[o * l + i];                  \
                        gb[gi * ocg + o] += acc;                                               \
                    }                                                                          \
            }                                                                                  \
        pts_aligned_free(col);                                                                 \
        return PTS_OK;                                                                         \
    }
DEF_CONV_BW(f32, float, pts_sgemm)
DEF_CONV_BW(f64, double, pts_dgemm)

/* convolution_backward(grad_output, input, weight, bias_sizes, stride, padding, dilation,
 * transposed, output_padding, groups, output_mask) -> (grad_input, grad_weight, grad_bias).
 * Outputs left out by output_mask come back as zeros (PyTorch leaves them undefined). */
PtsStatus k_CONVOLUTION_BACKWARD(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *go = a[0].u.t, *x = a[1].u.t, *w = a[2].u.t;
    for (int i = 0; i < 3; i++) out[i] = pts_none();
    if (a[7].u.b) return pts_fail(err, PTS_ERR_NOTIMPL, "pyts: transposed convolution is not implemented yet");
    bool mask[3] = { true, true, true };
    PtsList *ml = pts_as_list(a[10]);
    PTS_CHECK(ml->len == 3, err, RUNTIME, "convolution_backward: output_mask must have 3 entries");
    for (int i = 0; i < 3; i++) mask[i] = ml->items[i].tag == PTS_V_BOOL && ml->items[i].u.b;
    ConvGeom g = { 0 };
    int64_t oshape[PTS_MAX_DIMS] = { 0 };
    char b1[256], b2[256];
    PTS_TRY(conv_setup(x, w, NULL, a[4], a[5], NULL, a[6], a[9].u.i, err, &g, oshape));
    bool ok = go->ndim == x->ndim;
    for (int i = 0; ok && i < x->ndim; i++) ok = go->shape[i] == oshape[i];
    PTS_CHECK(ok, err, RUNTIME, "convolution_backward: expected grad_output of shape %s, but got %s",
              pts_shape_str(x->ndim, oshape, b1, sizeof b1), pts_shape_str(go->ndim, go->shape, b2, sizeof b2));
    PTS_CHECK(go->dtype == x->dtype, err, RUNTIME, "expected scalar type %s but found %s", nn_type_name(x->dtype),
              nn_type_name(go->dtype));
    if (!pts_dtype_is_float(x->dtype)) return nn_not_impl(err, "convolution_backward", x->dtype);
    PtsDType ct = nn_acc_dtype(x->dtype);
    int64_t bshape[1] = { g.oc };
    PtsTensor *gc = NULL, *xc = NULL, *wc = NULL, *gx = NULL, *gw = NULL, *gb = NULL;
    PtsStatus s;
    if ((s = nn_dense(go, ct, go->ndim, go->shape, err, &gc)) || (s = nn_dense(x, ct, x->ndim, x->shape, err, &xc)) ||
        (s = nn_dense(w, ct, w->ndim, w->shape, err, &wc)) ||
        (s = pts_tensor_zeros(ct, x->ndim, x->shape, err, &gx)) || (s = pts_tensor_zeros(ct, w->ndim, w->shape, err, &gw)) ||
        (s = pts_tensor_zeros(ct, 1, bshape, err, &gb)))
        goto done;
    if (pts_numel(gc) > 0) {
        if (ct == PTS_FLOAT64)
            s = conv_bw_f64((const double *)pts_tensor_data(gc), (const double *)pts_tensor_data(xc),
                            (const double *)pts_tensor_data(wc), mask[0] ? (double *)pts_tensor_data(gx) : NULL,
                            mask[1] ? (double *)pts_tensor_data(gw) : NULL, mask[2] ? (double *)pts_tensor_data(gb) : NULL,
                            &g, err);
        else
            s = conv_bw_f32((const float *)pts_tensor_data(gc), (const float *)pts_tensor_data(xc),
                            (const float *)pts_tensor_data(wc), mask[0] ? (float *)pts_tensor_data(gx) : NULL,
                            mask[1] ? (float *)pts_tensor_data(gw) : NULL, mask[2] ? (float *)pts_tensor_data(gb) : NULL,
                            &g, err);
        if (s) goto done;
    }
    if ((s = nn_result(gx, x->dtype, err, &out[0]))) { gx = NULL; goto done; }
    gx = NULL;
    if ((s = nn_result(gw, x->dtype, err, &out[1]))) { gw = NULL; goto done; }
    gw = NULL;
    s = nn_result(gb, x->dtype, err, &out[2]);
    gb = NULL;
done:
    if (s) {
        pts_value_release(&out[0]);
        pts_value_release(&out[1]);
    }
    pts_tensor_release(gc); pts_tensor_release(xc); pts_tensor_release(wc);
    pts_tensor_release(gx); pts_tensor_release(gw); pts_tensor_release(gb);
    return s;
}
