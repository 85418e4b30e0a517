/* k_rnn.c: kernels of ops_rnn.def. The cells and the full-sequence RNNs are composites over
 * registry ops called through pts_op_call (linear, add, sigmoid, tanh, chunk, stack, ...), laid
 * out as ATen's RNN.cpp does on the CPU (input projections of a whole layer computed at once, then
 * one cell per step), so autograd records the inner ops and the tracer the outer row. The LSTM's
 * pointwise step is one pass (_thnn_fused_lstm_cell) with a one-pass backward. */
#include <stdio.h>

#include "nn.h"
#include "pwloops.h"

/* ================= calling other rows ================= */

static PtsValue vt(PtsTensor *t) { return t ? pts_vtensor(t) : pts_none(); }

static PtsStatus op_linear(PtsTensor *x, PtsTensor *w, PtsTensor *b, PtsError *err, PtsTensor **out) {
    PtsValue a[3] = { pts_vtensor(x), pts_vtensor(w), vt(b) };
    return pts_op_call_t(PTS_OP_LINEAR, 3, a, err, out);
}
static PtsStatus op2(PtsOpId id, PtsTensor *x, PtsTensor *y, PtsError *err, PtsTensor **out) {
    PtsValue a[2] = { pts_vtensor(x), pts_vtensor(y) };
    return pts_op_call_t(id, 2, a, err, out);
}
static PtsStatus op1(PtsOpId id, PtsTensor *x, PtsError *err, PtsTensor **out) {
    PtsValue a[1] = { pts_vtensor(x) };
    return pts_op_call_t(id, 1, a, err, out);
}
static PtsStatus op_select(PtsTensor *x, int64_t dim, int64_t i, PtsError *err, PtsTensor **out) {
    PtsValue a[3] = { pts_vtensor(x), pts_vint(dim), pts_vint(i) };
    return pts_op_call_t(PTS_OP_SELECT_INT, 3, a, err, out);
}
static PtsStatus op_transpose01(PtsTensor *x, PtsError *err, PtsTensor **out) {
    PtsValue a[3] = { pts_vtensor(x), pts_vint(0), pts_vint(1) };
    return pts_op_call_t(PTS_OP_TRANSPOSE_INT, 3, a, err, out);
}
/* chunk(x, n, 1) into parts[0..n) (+1 each) */
static PtsStatus op_chunk(PtsTensor *x, int n, PtsError *err, PtsTensor **parts) {
    PtsValue a[3] = { pts_vtensor(x), pts_vint(n), pts_vint(1) }, res[PTS_MAX_RETS] = { { 0 } };
    for (int i = 0; i < n; i++) parts[i] = NULL;
    PTS_TRY(pts_op_call_n(PTS_OP_CHUNK, 3, a, res, err));
    PtsStatus s = PTS_OK;
    PtsList *l = res[0].tag == PTS_V_LIST ? pts_as_list(res[0]) : NULL;
    if (!l || l->len != n) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "chunk: expected %d chunks of the gates", n);
    } else {
        for (int i = 0; i < n; i++) parts[i] = pts_tensor_retain(l->items[i].u.t);
    }
    for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&res[k]);
    return s;
}
/* stack / cat of n tensors (borrowed) along dim */
static PtsStatus op_join(PtsOpId id, PtsTensor *const *ts, int64_t n, int64_t dim, PtsError *err,
                         PtsTensor **out) {
    PtsValue l;
    PTS_TRY(pts_list_new(PTS_V_LIST, n, err, &l));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < n && !s; i++) s = pts_list_append(l, pts_vtensor(pts_tensor_retain(ts[i])), err);
    if (!s) {
        PtsValue a[2] = { l, pts_vint(dim) };
        s = pts_op_call_t(id, 2, a, err, out);
    }
    pts_value_release(&l);
    return s;
}

static void release_all(PtsTensor **ts, int n) {
    for (int i = 0; i < n; i++) { pts_tensor_release(ts[i]); ts[i] = NULL; }
}

/* ================= argument checks (ATen's check_rnn_cell_forward_*) ================= */
static PtsStatus size_at(const PtsTensor *t, int dim, PtsError *err, int64_t *out) {
    int d;
    PTS_TRY(pts_wrap_dim(dim, t->ndim, err, &d));
    *out = t->ndim ? t->shape[d] : 1;
    return PTS_OK;
}

/* weights: w_ih [gates * H, I], w_hh [gates * H, H]; H is w_hh.size(1) */
static PtsStatus check_cell_weights(const PtsTensor *w_ih, const PtsTensor *w_hh, int gates, PtsError *err,
                                    int64_t *hidden) {
    int64_t h, r_ih, r_hh;
    PTS_TRY(size_at(w_hh, 1, err, &h));
    PTS_TRY(size_at(w_ih, 0, err, &r_ih));
    PTS_TRY(size_at(w_hh, 0, err, &r_hh));
    PTS_CHECK(r_ih == gates * h, err, RUNTIME, "weight_ih first dim must be %d * hidden_size = %lld, but got %lld",
              gates, (long long)(gates * h), (long long)r_ih);
    PTS_CHECK(r_hh == gates * h, err, RUNTIME, "weight_hh first dim must be %d * hidden_size = %lld, but got %lld",
              gates, (long long)(gates * h), (long long)r_hh);
    *hidden = h;
    return PTS_OK;
}

static PtsStatus check_cell_input(const PtsTensor *x, const PtsTensor *w_ih, PtsError *err) {
    int64_t got, want;
    PTS_TRY(size_at(x, 1, err, &got));
    PTS_TRY(size_at(w_ih, 1, err, &want));
    PTS_CHECK(got == want, err, RUNTIME, "input has inconsistent input_size: got %lld expected %lld",
              (long long)got, (long long)want);
    return PTS_OK;
}

static PtsStatus check_cell_hidden(const PtsTensor *x, const PtsTensor *hx, int64_t hidden, int label,
                                   PtsError *err) {
    int64_t xb, hb, hs;
    PTS_TRY(size_at(x, 0, err, &xb));
    PTS_TRY(size_at(hx, 0, err, &hb));
    PTS_CHECK(xb == hb, err, RUNTIME, "Input batch size %lld doesn't match hidden%d batch size %lld",
              (long long)xb, label, (long long)hb);
    PTS_TRY(size_at(hx, 1, err, &hs));
    PTS_CHECK(hs == hidden, err, RUNTIME, "hidden%d has inconsistent hidden_size: got %lld, expected %lld",
              label, (long long)hs, (long long)hidden);
    return PTS_OK;
}

/* ================= cells over precomputed input gates =================
 * ig: the input projection (with b_ih) or NULL to compute it from x. ATen's cells add the hidden
 * projection first (linear_hh(h).add_(ig)); the sums are the same in either order. */
static PtsStatus input_gates(PtsTensor *x, PtsTensor *ig, PtsTensor *w_ih, PtsTensor *b_ih, PtsError *err,
                             PtsTensor **out) {
    if (ig) { *out = pts_tensor_retain(ig); return PTS_OK; }
    return op_linear(x, w_ih, b_ih, err, out);
}

static PtsStatus simple_cell(bool relu, PtsTensor *x, PtsTensor *ig, PtsTensor *h, PtsTensor *w_ih,
                             PtsTensor *w_hh, PtsTensor *b_ih, PtsTensor *b_hh, PtsError *err, PtsTensor **out) {
    PtsTensor *t[3] = { NULL, NULL, NULL };
    PtsStatus s;
    if (!(s = op_linear(h, w_hh, b_hh, err, &t[0])) && !(s = input_gates(x, ig, w_ih, b_ih, err, &t[1])) &&
        !(s = op2(PTS_OP_ADD_TENSOR, t[0], t[1], err, &t[2])))
        s = op1(relu ? PTS_OP_RELU : PTS_OP_TANH, t[2], err, out);
    release_all(t, 3);
    return s;
}

/* ATen activates the LSTM / GRU gates in place (sigmoid_ on integer gates fails) */
static PtsStatus int_gates(const PtsTensor *g, PtsError *err) {
    if (pts_dtype_is_float(g->dtype)) return PTS_OK;
    return pts_fail(err, PTS_ERR_RUNTIME, "result type Float can't be cast to the desired output type %s",
                    nn_type_name(g->dtype));
}

static PtsStatus gru_step(PtsTensor *x, PtsTensor *ig, PtsTensor *h, PtsTensor *w_ih, PtsTensor *w_hh,
                          PtsTensor *b_ih, PtsTensor *b_hh, PtsError *err, PtsTensor **out) {
    enum { IGA, HGA, I0, I1, I2, H0, H1, H2, S0, R, S1, Z, M, S2, N, D, DZ, NT };
    PtsTensor *t[NT] = { 0 };
    PtsStatus s;
    if ((s = input_gates(x, ig, w_ih, b_ih, err, &t[IGA])) || (s = op_linear(h, w_hh, b_hh, err, &t[HGA])) ||
        (s = int_gates(t[HGA], err)) || (s = op_chunk(t[IGA], 3, err, &t[I0])) ||
        (s = op_chunk(t[HGA], 3, err, &t[H0])))
        goto done;
    /* r = sigmoid(hr + ir); z = sigmoid(hz + iz); n = tanh(in + hn * r); h' = (h - n) * z + n */
    if ((s = op2(PTS_OP_ADD_TENSOR, t[H0], t[I0], err, &t[S0])) || (s = op1(PTS_OP_SIGMOID, t[S0], err, &t[R])) ||
        (s = op2(PTS_OP_ADD_TENSOR, t[H1], t[I1], err, &t[S1])) || (s = op1(PTS_OP_SIGMOID, t[S1], err, &t[Z])) ||
        (s = op2(PTS_OP_MUL_TENSOR, t[H2], t[R], err, &t[M])) || (s = op2(PTS_OP_ADD_TENSOR, t[I2], t[M], err, &t[S2])) ||
        (s = op1(PTS_OP_TANH, t[S2], err, &t[N])) || (s = op2(PTS_OP_SUB_TENSOR, h, t[N], err, &t[D])) ||
        (s = op2(PTS_OP_MUL_TENSOR, t[D], t[Z], err, &t[DZ])))
        goto done;
    s = op2(PTS_OP_ADD_TENSOR, t[DZ], t[N], err, out);
done:
    release_all(t, NT);
    return s;
}

/* LSTM step through the fused pointwise row when the shapes are the plain ones, else ATen's
 * chunk/sigmoid/tanh composite (broadcasting hidden states, other dtypes). */
static bool fused_ok(const PtsTensor *ig, const PtsTensor *hg, const PtsTensor *cx, const PtsTensor *b_ih,
                     const PtsTensor *b_hh) {
    PtsDType d = ig->dtype;
    if ((d != PTS_FLOAT32 && d != PTS_FLOAT64) || hg->dtype != d || cx->dtype != d) return false;
    if (ig->ndim != 2 || hg->ndim != 2 || cx->ndim != 2) return false;
    int64_t b = ig->shape[0], g = ig->shape[1];
    if (g % 4 || hg->shape[0] != b || hg->shape[1] != g || cx->shape[0] != b || cx->shape[1] != g / 4) return false;
    const PtsTensor *bs[2] = { b_ih, b_hh };
    for (int i = 0; i < 2; i++)
        if (bs[i] && (bs[i]->dtype != d || bs[i]->ndim != 1 || bs[i]->shape[0] != g)) return false;
    return true;
}

static PtsStatus lstm_step(PtsTensor *x, PtsTensor *ig_pre, PtsTensor *h, PtsTensor *c, PtsTensor *w_ih,
                           PtsTensor *w_hh, PtsTensor *b_ih, PtsTensor *b_hh, PtsError *err, PtsTensor **hy,
                           PtsTensor **cy) {
    enum { IG, HG, G, C0, C1, C2, C3, I, F, GG, O, FC, IC, CY, TC, NT };
    PtsTensor *t[NT] = { 0 };
    PtsStatus s;
    *hy = *cy = NULL;
    /* the fused row adds the biases itself: project without them */
    PtsTensor *bi = ig_pre ? NULL : b_ih;
    if ((s = ig_pre ? (t[IG] = pts_tensor_retain(ig_pre), PTS_OK) : op_linear(x, w_ih, NULL, err, &t[IG])) ||
        (s = op_linear(h, w_hh, NULL, err, &t[HG])) || (s = int_gates(t[HG], err)))
        goto done;
    if (fused_ok(t[IG], t[HG], c, bi, b_hh)) {
        PtsValue a[5] = { pts_vtensor(t[IG]), pts_vtensor(t[HG]), pts_vtensor(c), vt(bi), vt(b_hh) }, res[PTS_MAX_RETS] = { { 0 } };
        if ((s = pts_op_call_n(PTS_OP__THNN_FUSED_LSTM_CELL, 5, a, res, err))) goto done;
        *hy = res[0].u.t;
        *cy = res[1].u.t;
        pts_value_release(&res[2]);
        goto done;
    }
    /* composite: gates = (h W_hh^T + b_hh) + (x W_ih^T + b_ih) */
    release_all(t, 2);
    if ((s = op_linear(h, w_hh, b_hh, err, &t[HG])) || (s = input_gates(x, ig_pre, w_ih, b_ih, err, &t[IG])) ||
        (s = op2(PTS_OP_ADD_TENSOR, t[HG], t[IG], err, &t[G])) || (s = op_chunk(t[G], 4, err, &t[C0])) ||
        (s = op1(PTS_OP_SIGMOID, t[C0], err, &t[I])) || (s = op1(PTS_OP_SIGMOID, t[C1], err, &t[F])) ||
        (s = op1(PTS_OP_TANH, t[C2], err, &t[GG])) || (s = op1(PTS_OP_SIGMOID, t[C3], err, &t[O])) ||
        (s = op2(PTS_OP_MUL_TENSOR, t[F], c, err, &t[FC])) || (s = op2(PTS_OP_MUL_TENSOR, t[I], t[GG], err, &t[IC])) ||
        (s = op2(PTS_OP_ADD_TENSOR, t[FC], t[IC], err, &t[CY])) || (s = op1(PTS_OP_TANH, t[CY], err, &t[TC])) ||
        (s = op2(PTS_OP_MUL_TENSOR, t[O], t[TC], err, hy)))
        goto done;
    *cy = t[CY];
    t[CY] = NULL;
done:
    release_all(t, NT);
    return s;
}

/* ================= cell rows ================= */
static PtsStatus cell_common(PtsValue *a, int gates, PtsTensor *hx0, PtsError *err, int64_t *hidden) {
    PtsTensor *x = a[0].u.t, *w_ih = a[2].u.t, *w_hh = a[3].u.t;
    PTS_TRY(check_cell_input(x, w_ih, err));
    PTS_TRY(check_cell_weights(w_ih, w_hh, gates, err, hidden));
    return check_cell_hidden(x, hx0, *hidden, 0, err);
}

static PtsStatus simple_cell_row(bool relu, PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t hidden;
    PTS_TRY(cell_common(a, 1, a[1].u.t, err, &hidden));
    PtsTensor *r;
    PTS_TRY(simple_cell(relu, a[0].u.t, NULL, a[1].u.t, a[2].u.t, a[3].u.t, nn_opt(a[4]), nn_opt(a[5]), err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_RNN_TANH_CELL(PtsValue *a, PtsValue *out, PtsError *err) { return simple_cell_row(false, a, out, err); }
PtsStatus k_RNN_RELU_CELL(PtsValue *a, PtsValue *out, PtsError *err) { return simple_cell_row(true, a, out, err); }

PtsStatus k_GRU_CELL(PtsValue *a, PtsValue *out, PtsError *err) {
    int64_t hidden;
    PTS_TRY(cell_common(a, 3, a[1].u.t, err, &hidden));
    PtsTensor *r;
    PTS_TRY(gru_step(a[0].u.t, NULL, a[1].u.t, a[2].u.t, a[3].u.t, nn_opt(a[4]), nn_opt(a[5]), err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_LSTM_CELL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *hl = pts_as_list(a[1]);
    PTS_CHECK(hl->len == 2, err, RUNTIME, "lstm_cell expects two hidden states");
    PtsTensor *h = hl->items[0].u.t, *c = hl->items[1].u.t;
    int64_t hidden;
    PTS_TRY(cell_common(a, 4, h, err, &hidden));
    PTS_TRY(check_cell_hidden(a[0].u.t, c, hidden, 1, err));
    PtsTensor *hy, *cy;
    PTS_TRY(lstm_step(a[0].u.t, NULL, h, c, a[2].u.t, a[3].u.t, nn_opt(a[4]), nn_opt(a[5]), err, &hy, &cy));
    out[0] = pts_vtensor(hy);
    out[1] = pts_vtensor(cy);
    return PTS_OK;
}

/* ================= fused LSTM pointwise step =================
 * gates = ig + hg (+ b_ih + b_hh); i, f, o = sigmoid, g = tanh; cy = f cx + i g; hy = o tanh(cy).
 * The workspace keeps the activated gates for the backward. Contiguous [B, 4H] / [B, H]. */
/* Plain loops over rows so the vectoriser runs exp / tanh four lanes at a time (libmvec, see
 * pwloops.h); ~2 ulp, like PyTorch's Sleef kernels. */
#define DEF_LSTM_FWD(S, T)                                                                           \
    static void lstm_fwd_##S(const T *ig, const T *hg, const T *cx, const T *bi, const T *bh, T *hy, \
                             T *cy, T *ws, int64_t nb, int64_t nh) {                                 \
        int64_t g = 4 * nh;                                                                          \
        for (int64_t b = 0; b < nb; b++) {                                                           \
            const T *ib = ig + b * g, *hb = hg + b * g, *cb = cx + b * nh;                           \
            T *wb = ws + b * g, *hyb = hy + b * nh, *cyb = cy + b * nh;                              \
            for (int64_t k = 0; k < g; k++) wb[k] = ib[k] + hb[k];                                   \
            if (bi) for (int64_t k = 0; k < g; k++) wb[k] += bi[k];                                  \
            if (bh) for (int64_t k = 0; k < g; k++) wb[k] += bh[k];                                  \
            for (int64_t k = 0; k < 2 * nh; k++) wb[k] = (T)1 / ((T)1 + PTS_VFN1(exp, -wb[k]));      \
            for (int64_t k = 2 * nh; k < 3 * nh; k++) wb[k] = PTS_VFN1(tanh, wb[k]);                 \
            for (int64_t k = 3 * nh; k < g; k++) wb[k] = (T)1 / ((T)1 + PTS_VFN1(exp, -wb[k]));      \
            const T *wi = wb, *wf = wb + nh, *wg = wb + 2 * nh, *wo = wb + 3 * nh;                   \
            for (int64_t k = 0; k < nh; k++) cyb[k] = wf[k] * cb[k] + wi[k] * wg[k];                 \
            for (int64_t k = 0; k < nh; k++) hyb[k] = wo[k] * PTS_VFN1(tanh, cyb[k]);                \
        }                                                                                            \
    }
DEF_LSTM_FWD(f32, float)
DEF_LSTM_FWD(f64, double)

/* backward of the step: gc = go o (1 - tanh(cy)^2) + gcy; gates' gradients through the
 * activations; grad_cx = gc f; grad_bias = column sums of the gate gradients. tc is scratch [nh]. */
#define DEF_LSTM_BWD(S, T)                                                                           \
    static void lstm_bwd_##S(const T *ghy, const T *gcy, const T *cx, const T *cy, const T *ws, T *gg, \
                             T *gcx, T *gb, T *tc, int64_t nb, int64_t nh) {                         \
        int64_t g = 4 * nh;                                                                          \
        if (gb) for (int64_t k = 0; k < g; k++) gb[k] = 0;                                           \
        for (int64_t b = 0; b < nb; b++) {                                                           \
            const T *wi = ws + b * g, *wf = wi + nh, *wg = wi + 2 * nh, *wo = wi + 3 * nh;           \
            const T *go = ghy + b * nh, *gc1 = gcy + b * nh, *cb = cx + b * nh, *cyb = cy + b * nh;  \
            T *gi = gg + b * g, *gf = gi + nh, *gG = gi + 2 * nh, *gO = gi + 3 * nh, *gx = gcx + b * nh; \
            for (int64_t k = 0; k < nh; k++) tc[k] = PTS_VFN1(tanh, cyb[k]);                         \
            for (int64_t k = 0; k < nh; k++) {                                                       \
                T i = wi[k], f = wf[k], gv = wg[k], o = wo[k], t = tc[k];                            \
                T gc = go[k] * o * ((T)1 - t * t) + gc1[k];                                          \
                gi[k] = gc * gv * i * ((T)1 - i);                                                    \
                gf[k] = gc * cb[k] * f * ((T)1 - f);                                                 \
                gG[k] = gc * i * ((T)1 - gv * gv);                                                   \
                gO[k] = go[k] * t * o * ((T)1 - o);                                                  \
                gx[k] = gc * f;                                                                      \
            }                                                                                        \
            if (gb) for (int64_t k = 0; k < g; k++) gb[k] += gi[k];                                  \
        }                                                                                            \
    }
DEF_LSTM_BWD(f32, float)
DEF_LSTM_BWD(f64, double)

/* t as a contiguous tensor of its dtype with shape (n0, n1) exactly; RuntimeError naming what */
static PtsStatus dense2(PtsTensor *t, PtsDType d, int ndim, int64_t n0, int64_t n1, const char *what,
                        PtsError *err, PtsTensor **out) {
    *out = NULL;
    int64_t shape[2] = { ndim == 1 ? n1 : n0, n1 };
    bool ok = t->dtype == d && t->ndim == ndim && t->shape[0] == shape[0] && (ndim == 1 || t->shape[1] == n1);
    if (!ok) {
        char want[64], got[64];
        pts_shape_str(ndim, shape, want, sizeof want);
        pts_shape_str(t->ndim, t->shape, got, sizeof got);
        return pts_fail(err, PTS_ERR_RUNTIME, "_thnn_fused_lstm_cell: %s must be a %s tensor of size %s, got %s of size %s",
                        what, nn_type_name(d), want, nn_type_name(t->dtype), got);
    }
    return pts_tensor_contiguous(t, err, out);
}

PtsStatus k__THNN_FUSED_LSTM_CELL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *ig = a[0].u.t;
    PtsDType d = ig->dtype;
    if (d != PTS_FLOAT32 && d != PTS_FLOAT64) return nn_not_impl(err, "_thnn_fused_lstm_cell", d);
    PTS_CHECK(ig->ndim == 2 && ig->shape[1] % 4 == 0, err, RUNTIME,
              "_thnn_fused_lstm_cell: input_gates must be 2-D with a multiple of 4 columns");
    int64_t nb = ig->shape[0], nh = ig->shape[1] / 4;
    PtsTensor *in[5] = { 0 }, *r[3] = { 0 };
    static const char *names[5] = { "input_gates", "hidden_gates", "cx", "input_bias", "hidden_bias" };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 5 && !s; i++) {
        PtsTensor *t = nn_opt(a[i]);
        if (t) s = dense2(t, d, i < 3 ? 2 : 1, nb, i == 2 ? nh : 4 * nh, names[i], err, &in[i]);
    }
    int64_t gs[2] = { nb, 4 * nh }, hs[2] = { nb, nh };
    if (s || (s = pts_tensor_new(d, 2, hs, err, &r[0])) || (s = pts_tensor_new(d, 2, hs, err, &r[1])) ||
        (s = pts_tensor_new(d, 2, gs, err, &r[2])))
        goto done;
#define P(T, t) ((t) ? (const T *)pts_tensor_data(t) : NULL)
#define W(T, t) ((T *)pts_tensor_data(t))
    if (d == PTS_FLOAT32)
        lstm_fwd_f32(P(float, in[0]), P(float, in[1]), P(float, in[2]), P(float, in[3]), P(float, in[4]),
                     W(float, r[0]), W(float, r[1]), W(float, r[2]), nb, nh);
    else
        lstm_fwd_f64(P(double, in[0]), P(double, in[1]), P(double, in[2]), P(double, in[3]), P(double, in[4]),
                     W(double, r[0]), W(double, r[1]), W(double, r[2]), nb, nh);
#undef P
#undef W
    for (int k = 0; k < 3; k++) { out[k] = pts_vtensor(r[k]); r[k] = NULL; }
done:
    release_all(in, 5);
    release_all(r, 3);
    return s;
}

PtsStatus k__THNN_FUSED_LSTM_CELL_BACKWARD_IMPL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *ws = a[4].u.t;
    PtsDType d = ws->dtype;
    if (d != PTS_FLOAT32 && d != PTS_FLOAT64) return nn_not_impl(err, "_thnn_fused_lstm_cell_backward", d);
    PTS_CHECK(ws->ndim == 2 && ws->shape[1] % 4 == 0, err, RUNTIME,
              "_thnn_fused_lstm_cell_backward: workspace must be 2-D with a multiple of 4 columns");
    int64_t nb = ws->shape[0], nh = ws->shape[1] / 4;
    bool has_bias = a[5].u.b;
    PtsTensor *in[5] = { 0 }, *r[4] = { 0 };
    static const char *names[5] = { "grad_hy", "grad_cy", "cx", "cy", "workspace" };
    int64_t gs[2] = { nb, 4 * nh }, hs[2] = { nb, nh }, bs[1] = { has_bias ? 4 * nh : 0 };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 5 && !s; i++) {
        PtsTensor *t = nn_opt(a[i]);
        if (t) s = dense2(t, d, 2, nb, i == 4 ? 4 * nh : nh, names[i], err, &in[i]);
        else s = pts_tensor_zeros(d, 2, hs, err, &in[i]);   /* an undefined output gradient */
    }
    if (s || (s = pts_tensor_new(d, 2, gs, err, &r[0])) || (s = pts_tensor_new(d, 2, hs, err, &r[1])) ||
        (s = pts_tensor_new(d, 1, bs, err, &r[2])) || (s = pts_tensor_new(d, 1, &nh, err, &r[3])))
        goto done;
#define P(T, t) ((const T *)pts_tensor_data(t))
#define W(T, t) ((T *)pts_tensor_data(t))
    if (d == PTS_FLOAT32)
        lstm_bwd_f32(P(float, in[0]), P(float, in[1]), P(float, in[2]), P(float, in[3]), P(float, in[4]),
                     W(float, r[0]), W(float, r[1]), has_bias ? W(float, r[2]) : NULL, W(float, r[3]), nb, nh);
    else
        lstm_bwd_f64(P(double, in[0]), P(double, in[1]), P(double, in[2]), P(double, in[3]), P(double, in[4]),
                     W(double, r[0]), W(double, r[1]), has_bias ? W(double, r[2]) : NULL, W(double, r[3]), nb, nh);
#undef P
#undef W
    for (int k = 0; k < 3; k++) { out[k] = pts_vtensor(r[k]); r[k] = NULL; }
done:
    release_all(in, 5);
    release_all(r, 4);
    return s;
}

/* ================= full-sequence rows =================
 * ATen's _rnn_impl on the CPU: per layer and direction, the input projection of every step at
 * once (linear over [T, B, I]), then one cell per step; the reverse direction walks the steps
 * backwards and writes outputs at their own time index; directions are concatenated on the last
 * dim; dropout (drawing from the default generator as ATen does) between layers when training. */
enum { RNN_LSTM, RNN_GRU, RNN_TANH, RNN_RELU };
static const char *const rnn_names[4] = { "lstm", "gru", "rnn_tanh", "rnn_relu" };
static const int rnn_gates[4] = { 4, 3, 1, 1 };

static PtsStatus check_hidden_state(const PtsTensor *h, int64_t n, int64_t b, int64_t hsz, const char *what,
                                    PtsError *err) {
    if (h->ndim == 3 && h->shape[0] >= n && h->shape[1] == b && h->shape[2] == hsz) return PTS_OK;
    char want[64], got[64];
    int64_t ws[3] = { n, b, hsz };
    pts_shape_str(3, ws, want, sizeof want);
    pts_shape_str(h->ndim, h->shape, got, sizeof got);
    return pts_fail(err, PTS_ERR_RUNTIME, "Expected %s size %s, got %s", what, want, got);
}

static PtsStatus rnn_seq(int mode, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *input = a[0].u.t;
    PtsList *pl = pts_as_list(a[2]);
    bool has_biases = a[3].u.b, train = a[6].u.b, bidir = a[7].u.b, batch_first = a[8].u.b;
    int64_t layers = a[4].u.i;
    double dropout = a[5].u.d;
    int dirs = bidir ? 2 : 1, per = has_biases ? 4 : 2, gates = rnn_gates[mode];
    PtsTensor *h0 = NULL, *c0 = NULL;
    if (mode == RNN_LSTM) {
        PtsList *hl = pts_as_list(a[1]);
        PTS_CHECK(hl->len == 2, err, RUNTIME, "lstm expects two hidden states");
        h0 = hl->items[0].u.t;
        c0 = hl->items[1].u.t;
    } else {
        h0 = a[1].u.t;
    }
    PTS_CHECK(layers >= 1, err, RUNTIME, "%s: num_layers must be at least 1, got %lld", rnn_names[mode], (long long)layers);
    PTS_CHECK(pl->len == layers * dirs * per, err, RUNTIME,
              "%s: expected %lld parameter tensors (num_layers * num_directions * %d), got %lld", rnn_names[mode],
              (long long)(layers * dirs * per), per, (long long)pl->len);
    for (int64_t i = 0; i < pl->len; i++) {
        const PtsTensor *p = pl->items[i].u.t;
        bool is_w = i % per < 2;
        PTS_CHECK(p->ndim == (is_w ? 2 : 1), err, RUNTIME, "%s: parameter %lld must be %d-D, got %d-D",
                  rnn_names[mode], (long long)i, is_w ? 2 : 1, p->ndim);
    }
    int dim2;
    PTS_TRY(pts_wrap_dim(2, input->ndim, err, &dim2));
    PTS_CHECK(input->ndim == 3, err, RUNTIME, "%s: input must have 3 dimensions, got %d", rnn_names[mode], input->ndim);
    int64_t steps = input->shape[batch_first ? 1 : 0], batch = input->shape[batch_first ? 0 : 1];
    PTS_CHECK(steps > 0, err, RUNTIME, "Expected sequence length to be larger than 0 in RNN");
    int64_t hsz = pl->items[1].u.t->shape[1];
    PTS_TRY(check_hidden_state(h0, layers * dirs, batch, hsz, mode == RNN_LSTM ? "hx[0]" : "hx", err));
    if (c0) PTS_TRY(check_hidden_state(c0, layers * dirs, batch, hsz, "hx[1]", err));
    PTS_CHECK(dropout >= 0 && dropout <= 1, err, RUNTIME,
              "dropout probability has to be between 0 and 1, but got %g", dropout);

    int64_t nfinal = layers * dirs;
    PtsTensor **hn = pts_calloc((size_t)(2 * nfinal + steps), sizeof(PtsTensor *));
    if (!hn) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsTensor **cn = hn + nfinal, **outs = hn + 2 * nfinal;
    PtsValue igs = pts_none();
    PtsTensor *x = NULL, *dirout[2] = { NULL, NULL }, *ig_all = NULL, *h = NULL, *c = NULL, *t0 = NULL, *t1 = NULL;
    PtsStatus s;
    if (batch_first) s = op_transpose01(input, err, &x);
    else { x = pts_tensor_retain(input); s = PTS_OK; }
    for (int64_t l = 0; l < layers && !s; l++) {
        for (int d = 0; d < dirs && !s; d++) {
            int64_t k = l * dirs + d;
            PtsTensor *w_ih = pl->items[k * per].u.t, *w_hh = pl->items[k * per + 1].u.t;
            PtsTensor *b_ih = has_biases ? pl->items[k * per + 2].u.t : NULL;
            PtsTensor *b_hh = has_biases ? pl->items[k * per + 3].u.t : NULL;
            if (w_hh->shape[0] != gates * hsz || w_hh->shape[1] != hsz || w_ih->shape[0] != gates * hsz) {
                s = pts_fail(err, PTS_ERR_RUNTIME, "%s: weights of layer %lld have the wrong shape for hidden_size %lld",
                             rnn_names[mode], (long long)l, (long long)hsz);
                break;
            }
            if ((s = op_linear(x, w_ih, b_ih, err, &ig_all)) || (s = op_select(h0, 0, k, err, &h))) break;
            if (c0 && (s = op_select(c0, 0, k, err, &c))) break;
            /* the steps' input gates by unbind (one UnbindBackward0 stacking their gradients, as
             * ATen's FullLayer does), not a select per step (each backward a full-size scatter) */
            PtsValue ua[2] = { pts_vtensor(ig_all), pts_vint(0) }, ures[PTS_MAX_RETS] = { { 0 } };
            if ((s = pts_op_call_n(PTS_OP_UNBIND_INT, 2, ua, ures, err))) break;
            for (int q = 1; q < PTS_MAX_RETS; q++) pts_value_release(&ures[q]);
            igs = ures[0];
            if (igs.tag != PTS_V_LIST || pts_as_list(igs)->len != steps) {
                s = pts_fail(err, PTS_ERR_INTERNAL, "rnn: unbind gave the wrong number of steps");
                break;
            }
            for (int64_t i = 0; i < steps && !s; i++) {
                int64_t t = d ? steps - 1 - i : i;
                PtsTensor *hy = NULL, *cy = NULL;
                t0 = pts_tensor_retain(pts_as_list(igs)->items[t].u.t);
                if (mode == RNN_LSTM) s = lstm_step(NULL, t0, h, c, w_ih, w_hh, NULL, b_hh, err, &hy, &cy);
                else if (mode == RNN_GRU) s = gru_step(NULL, t0, h, w_ih, w_hh, NULL, b_hh, err, &hy);
                else s = simple_cell(mode == RNN_RELU, NULL, t0, h, w_ih, w_hh, NULL, b_hh, err, &hy);
                pts_tensor_release(t0);
                t0 = NULL;
                if (s) break;
                pts_tensor_release(h);
                h = hy;
                if (cy) { pts_tensor_release(c); c = cy; }
                pts_tensor_release(outs[t]);
                outs[t] = pts_tensor_retain(hy);
            }
            pts_tensor_release(ig_all);
            ig_all = NULL;
            pts_value_release(&igs);
            if (s) break;
            hn[k] = h;
            cn[k] = c;
            h = c = NULL;
            s = op_join(PTS_OP_STACK, outs, steps, 0, err, &dirout[d]);
        }
        if (s) break;
        pts_tensor_release(x);
        x = NULL;
        if (dirs == 2) s = op_join(PTS_OP_CAT, dirout, 2, 2, err, &x);
        else { x = dirout[0]; dirout[0] = NULL; }
        release_all(dirout, 2);
        if (!s && dropout != 0 && train && l < layers - 1) {
            PtsValue da[3] = { pts_vtensor(x), pts_vdouble(dropout), pts_vbool(true) };
            if (!(s = pts_op_call_t(PTS_OP_DROPOUT, 3, da, err, &t1))) { pts_tensor_release(x); x = t1; t1 = NULL; }
        }
    }
    PtsTensor *res[3] = { NULL, NULL, NULL };
    if (!s) {
        if (batch_first) s = op_transpose01(x, err, &res[0]);
        else res[0] = pts_tensor_retain(x);
    }
    if (!s) s = op_join(PTS_OP_STACK, hn, nfinal, 0, err, &res[1]);
    if (!s && mode == RNN_LSTM) s = op_join(PTS_OP_STACK, cn, nfinal, 0, err, &res[2]);
    if (!s) {
        for (int k = 0; k < (mode == RNN_LSTM ? 3 : 2); k++) { out[k] = pts_vtensor(res[k]); res[k] = NULL; }
    }
    release_all(res, 3);
    release_all(hn, (int)(2 * nfinal + steps));
    pts_free(hn);
    release_all(dirout, 2);
    pts_tensor_release(x);
    pts_tensor_release(ig_all);
    pts_value_release(&igs);
    pts_tensor_release(h);
    pts_tensor_release(c);
    pts_tensor_release(t0);
    pts_tensor_release(t1);
    return s;
}

PtsStatus k_LSTM_INPUT(PtsValue *a, PtsValue *out, PtsError *err) { return rnn_seq(RNN_LSTM, a, out, err); }
PtsStatus k_GRU_INPUT(PtsValue *a, PtsValue *out, PtsError *err) { return rnn_seq(RNN_GRU, a, out, err); }
PtsStatus k_RNN_TANH_INPUT(PtsValue *a, PtsValue *out, PtsError *err) { return rnn_seq(RNN_TANH, a, out, err); }
PtsStatus k_RNN_RELU_INPUT(PtsValue *a, PtsValue *out, PtsError *err) { return rnn_seq(RNN_RELU, a, out, err); }
