/* k_nn_fastpath.c: the ops PyTorch's nn.TransformerEncoderLayer / nn.MultiheadAttention code
 * calls on its inference fast path (_native_multi_head_attention, _transformer_encoder_layer_fwd),
 * the tensor predicates that code checks first (prim::requires_grad, prim::is_nested,
 * is_autocast_enabled) and baddbmm (the slow path's masked attention weights). The two fast-path
 * ops are composites over registry ops (linear, matmul, softmax, layer_norm ...) following ATen's
 * CPU math (attention.cpp, transformer.cpp); PyTorch cannot differentiate them either. */
#include <math.h>
#include <string.h>

#include "nn.h"
#include "../autograd/autograd.h"

/* ================= predicates ================= */
PtsStatus k_PRIM_REQUIRES_GRAD(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    /* pts_requires_grad's test, read from the header's struct: the C runtime has no autograd
     * layer to link (its tensors never carry autograd metadata) */
    const PtsAutogradMeta *m = a[0].u.t->autograd;
    out[0] = pts_vbool(m && (m->requires_grad || m->grad_fn));
    return PTS_OK;
}

/* pyts has no nested tensors */
PtsStatus k_PRIM_IS_NESTED(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vbool(false);
    return PTS_OK;
}

/* pyts has no autocast */
PtsStatus k_IS_AUTOCAST_ENABLED(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vbool(false);
    return PTS_OK;
}

/* ================= composites: temporaries released together ================= */
typedef struct {
    PtsTensor *t[48];
    int n;
} Temps;

static void temps_free(Temps *tp) {
    for (int i = 0; i < tp->n; i++) pts_tensor_release(tp->t[i]);
    tp->n = 0;
}

static PtsStatus keep(Temps *tp, PtsTensor *t, PtsError *err) {
    if (tp->n >= (int)(sizeof(tp->t) / sizeof(tp->t[0]))) {
        pts_tensor_release(t);
        return pts_fail(err, PTS_ERR_RUNTIME, "internal: too many temporaries in a fast-path kernel");
    }
    tp->t[tp->n++] = t;
    return PTS_OK;
}

/* Run op id (single tensor result) and keep the result in tp; *r borrows it. */
static PtsStatus call(Temps *tp, PtsOpId id, PtsValue *args, PtsError *err, PtsTensor **r) {
    PtsValue o[PTS_MAX_RETS] = { { 0 } };
    *r = NULL;
    PTS_TRY(pts_op_call(id, args, o, err));
    PTS_TRY(keep(tp, o[0].u.t, err));
    *r = o[0].u.t;
    return PTS_OK;
}

/* An op of shape (self, int[] xs, extra) (reshape, view, expand, sum.dim_IntList). */
static PtsStatus call_ints(Temps *tp, PtsOpId id, PtsTensor *t, int n, const int64_t *xs, PtsValue extra,
                           PtsValue extra2, PtsError *err, PtsTensor **r) {
    PtsValue args[4] = { pts_vtensor(t), pts_none(), extra, extra2 };
    PTS_TRY(pts_int_list_new(xs, n, err, &args[1]));
    PtsStatus s = call(tp, id, args, err, r);
    pts_value_release(&args[1]);
    return s;
}

static PtsStatus reshape(Temps *tp, PtsTensor *t, int n, const int64_t *xs, PtsError *err, PtsTensor **r) {
    return call_ints(tp, PTS_OP_RESHAPE, t, n, xs, pts_none(), pts_none(), err, r);
}

static PtsStatus linear(Temps *tp, PtsTensor *x, PtsTensor *w, PtsTensor *b, PtsError *err, PtsTensor **r) {
    PtsValue args[3] = { pts_vtensor(x), pts_vtensor(w), b ? pts_vtensor(b) : pts_none() };
    return call(tp, PTS_OP_LINEAR, args, err, r);
}

static PtsStatus transpose(Temps *tp, PtsTensor *x, int64_t d0, int64_t d1, PtsError *err, PtsTensor **r) {
    PtsValue args[3] = { pts_vtensor(x), pts_vint(d0), pts_vint(d1) };
    return call(tp, PTS_OP_TRANSPOSE_INT, args, err, r);
}

static PtsStatus narrow(Temps *tp, PtsTensor *x, int64_t start, int64_t len, PtsError *err, PtsTensor **r) {
    PtsValue args[4] = { pts_vtensor(x), pts_vint(0), pts_vint(start), pts_vint(len) };
    return call(tp, PTS_OP_NARROW, args, err, r);
}

/* ================= _native_multi_head_attention =================
 * ATen's CPU path (native_multi_head_attention_cpu): q, k, v projections, q scaled by
 * 1/sqrt(head_dim) after its bias, q k^T, a masked softmax (the mask converted to bool: true
 * masks a position out), times v, heads merged, output
 * projection. The weights (need_weights) are the softmax, averaged over heads by sum / heads. */

/* The mask as ATen's _masked_softmax uses it, broadcast to the scores' shape (B, H, T, S):
 * mask_type 1 is a (B, S) key padding mask, 0 an (L, S) attention mask (both only for a 2-D
 * mask); anything else must have the scores' shape already. */
static PtsStatus softmax_mask(Temps *tp, PtsTensor *mask, int64_t mask_type, bool has_type, PtsTensor *scores,
                              PtsError *err, PtsTensor **r) {
    PtsTensor *m = mask;
    if (m->dtype != PTS_BOOL) {
        PtsValue nargs[2] = { pts_vtensor(m), pts_vint(0) };
        PTS_TRY(call(tp, PTS_OP_NE_SCALAR, nargs, err, &m));   /* to(bool): nonzero (and NaN) is true */
    }
    const int64_t *sh = scores->shape;
    if (!has_type) return pts_fail(err, PTS_ERR_RUNTIME, "Mask Type should be defined");
    if (m->ndim != 2 || scores->ndim != 4) mask_type = 2;
    if (mask_type == 1) {
        PTS_CHECK(sh[0] == m->shape[0] && sh[2] == m->shape[1], err, RUNTIME,
                  "For mask_type == 1 mask shape should be (B, L)");
        int64_t v[4] = { sh[0], 1, 1, sh[2] };
        PTS_TRY(reshape(tp, m, 4, v, err, &m));
    } else if (mask_type == 0) {
        PTS_CHECK(sh[2] == m->shape[0] && sh[2] == m->shape[1], err, RUNTIME,
                  "For mask_type == 0 mask shape should be (L, L)");
        int64_t v[4] = { 1, 1, sh[2], sh[2] };
        PTS_TRY(reshape(tp, m, 4, v, err, &m));
    } else {
        bool same = m->ndim == scores->ndim;
        for (int i = 0; same && i < m->ndim; i++) same = m->shape[i] == sh[i];
        PTS_CHECK(same, err, RUNTIME, "For mask_type == 2 mask shape should match input shape");
    }
    *r = m;
    return PTS_OK;
}

/* softmax over the last dim with masked positions left out (a row masked out entirely is NaN,
 * as in ATen's CPU kernel) */
static PtsStatus masked_softmax(Temps *tp, PtsTensor *scores, PtsTensor *m, PtsError *err, PtsTensor **r) {
    if (m) {
        PtsValue fargs[3] = { pts_vtensor(scores), pts_vtensor(m), pts_vdouble(-INFINITY) };
        PTS_TRY(call(tp, PTS_OP_MASKED_FILL_SCALAR, fargs, err, &scores));
    }
    PtsValue sargs[3] = { pts_vtensor(scores), pts_vint(-1), pts_none() };
    return call(tp, PTS_OP_SOFTMAX_INT, sargs, err, r);
}

static PtsStatus check_mha(PtsTensor *q, PtsTensor *k, PtsTensor *v, int64_t D, int64_t H, PtsTensor *qkv_w,
                           PtsTensor *qkv_b, PtsError *err) {
    PTS_CHECK(q->ndim == 3, err, RUNTIME, "expected 3-D `query`, got %d-D tensor", q->ndim);
    PTS_CHECK(q->shape[2] == D, err, RUNTIME, "passed-in embed_dim %lld didn't match last dim of query %lld",
              (long long)D, (long long)q->shape[2]);
    PTS_CHECK(k->ndim == 3, err, RUNTIME, "expected 3-D `key`, got %d-D tensor", k->ndim);
    PTS_CHECK(v->ndim == 3, err, RUNTIME, "expected 3-D `value`, got %d-D tensor", v->ndim);
    bool same = true;
    for (int i = 0; i < 3; i++) same = same && q->shape[i] == k->shape[i] && k->shape[i] == v->shape[i];
    PTS_CHECK(same, err, RUNTIME, "expected `query`/`key`/`value` shapes to match");
    PTS_CHECK(qkv_w->ndim == 2, err, RUNTIME, "expected 2-D `qkv_weight`, got %d-D tensor", qkv_w->ndim);
    PTS_CHECK(D * 3 == qkv_w->shape[0], err, RUNTIME, "expected `qkv_weight` first dim to be 3x embed_dim");
    PTS_CHECK(D == qkv_w->shape[1], err, RUNTIME, "expected `qkv_weight` second dim to be embed_Dim");
    PTS_CHECK(qkv_b->ndim == 1, err, RUNTIME, "expected 1-D `qkv_bias`, got %d-D tensor", qkv_b->ndim);
    PTS_CHECK(qkv_b->shape[0] == 3 * D, err, RUNTIME,
              "expected `qkv_bias` first dim and first dim of query to be equal");
    PTS_CHECK(H > 0 && D % H == 0, err, RUNTIME, "`embed_dim` must divide evenly by `num_heads`");
    return PTS_OK;
}

static PtsStatus native_mha(Temps *tp, PtsValue *a, PtsError *err, PtsTensor **res, PtsTensor **weights) {
    PtsTensor *in[3] = { a[0].u.t, a[1].u.t, a[2].u.t };
    int64_t D = a[3].u.i, H = a[4].u.i;
    PtsTensor *qkv_w = a[5].u.t, *qkv_b = a[6].u.t, *pw = a[7].u.t, *pb = a[8].u.t, *mask = nn_opt(a[9]);
    bool need_weights = a[10].u.b, average = a[11].u.b;
    bool has_type = a[12].tag == PTS_V_INT;
    int64_t mask_type = has_type ? a[12].u.i : -1;
    *weights = NULL;
    PTS_TRY(check_mha(in[0], in[1], in[2], D, H, qkv_w, qkv_b, err));
    int64_t B = in[0]->shape[0], T = in[0]->shape[1], dh = D / H;
    if (pts_numel(in[0]) == 0) {
        /* ATen: an empty projection returns empty_like(query) and no weights */
        PtsValue eargs[6] = { pts_vtensor(in[0]), pts_none(), pts_none(), pts_none(), pts_none(), pts_none() };
        return call(tp, PTS_OP_EMPTY_LIKE, eargs, err, res);
    }
    PtsTensor *p[3];
    for (int i = 0; i < 3; i++) {
        PtsTensor *w, *b, *y, *y4;
        PTS_TRY(narrow(tp, qkv_w, i * D, D, err, &w));
        PTS_TRY(narrow(tp, qkv_b, i * D, D, err, &b));
        PTS_TRY(linear(tp, in[i], w, b, err, &y));                      /* (B, T, D) */
        int64_t v4[4] = { B, T, H, dh };
        PTS_TRY(reshape(tp, y, 4, v4, err, &y4));
        PTS_TRY(transpose(tp, y4, 1, 2, err, &p[i]));                   /* (B, H, T, dh) */
    }
    PtsTensor *qs, *kt, *scores, *m = NULL, *attn, *ctx, *ctx_t, *merged;
    PtsValue sargs[2] = { pts_vtensor(p[0]), pts_vdouble(1.0 / sqrt((double)dh)) };
    PTS_TRY(call(tp, PTS_OP_MUL_SCALAR, sargs, err, &qs));
    PTS_TRY(transpose(tp, p[1], -2, -1, err, &kt));
    PtsValue margs[2] = { pts_vtensor(qs), pts_vtensor(kt) };
    PTS_TRY(call(tp, PTS_OP_MATMUL, margs, err, &scores));              /* (B, H, T, T) */
    if (mask) PTS_TRY(softmax_mask(tp, mask, mask_type, has_type, scores, err, &m));
    PTS_TRY(masked_softmax(tp, scores, m, err, &attn));
    PtsValue cargs[2] = { pts_vtensor(attn), pts_vtensor(p[2]) };
    PTS_TRY(call(tp, PTS_OP_MATMUL, cargs, err, &ctx));                 /* (B, H, T, dh) */
    PTS_TRY(transpose(tp, ctx, 1, 2, err, &ctx_t));
    int64_t v3[3] = { B, T, D };
    PTS_TRY(reshape(tp, ctx_t, 3, v3, err, &merged));
    PTS_TRY(linear(tp, merged, pw, pb, err, res));
    if (need_weights) {
        *weights = attn;
        if (average) {
            PtsTensor *sum;
            int64_t d1 = 1;
            PTS_TRY(call_ints(tp, PTS_OP_SUM_DIM_INTLIST, attn, 1, &d1, pts_vbool(false), pts_none(), err, &sum));
            PtsValue dargs[2] = { pts_vtensor(sum), pts_vint(H) };
            PTS_TRY(call(tp, PTS_OP_DIV_SCALAR, dargs, err, weights));
        }
    }
    return PTS_OK;
}

PtsStatus k__NATIVE_MULTI_HEAD_ATTENTION(PtsValue *a, PtsValue *out, PtsError *err) {
    Temps tp = { .n = 0 };
    PtsTensor *res = NULL, *w = NULL;
    PtsStatus s = native_mha(&tp, a, err, &res, &w);
    if (!s) {
        out[0] = pts_vtensor(pts_tensor_retain(res));
        out[1] = w ? pts_vtensor(pts_tensor_retain(w)) : pts_none();   /* ATen: an undefined tensor */
    }
    temps_free(&tp);
    return s;
}

/* ================= _transformer_encoder_layer_fwd =================
 * ATen's transformer_encoder_layer_forward: self-attention through _native_multi_head_attention
 * (no weights), residual, layer norm, feed-forward (linear, relu or exact gelu, linear), residual,
 * layer norm; with norm_first the norms come before each block instead. */
static PtsStatus norm(Temps *tp, PtsTensor *x, int64_t D, double eps, PtsTensor *w, PtsTensor *b, PtsError *err,
                      PtsTensor **r) {
    PtsValue args[6] = { pts_vtensor(x), pts_none(), pts_vtensor(w), pts_vtensor(b), pts_vdouble(eps), pts_vbool(true) };
    PTS_TRY(pts_int_list_new(&D, 1, err, &args[1]));
    PtsStatus s = call(tp, PTS_OP_LAYER_NORM, args, err, r);
    pts_value_release(&args[1]);
    return s;
}

static PtsStatus encoder_layer(Temps *tp, PtsValue *a, PtsError *err, PtsTensor **res) {
    PtsTensor *src = a[0].u.t;
    int64_t D = a[1].u.i;
    bool use_gelu = a[7].u.b, norm_first = a[8].u.b;
    double eps = pts_value_to_f64(a[9]);
    PtsTensor *n1w = a[10].u.t, *n1b = a[11].u.t, *n2w = a[12].u.t, *n2b = a[13].u.t;
    PtsTensor *f1w = a[14].u.t, *f1b = a[15].u.t, *f2w = a[16].u.t, *f2b = a[17].u.t;
    if (pts_numel(src) == 0) {
        PtsValue cargs[2] = { pts_vtensor(src), pts_none() };
        return call(tp, PTS_OP_CLONE, cargs, err, res);
    }
    PtsTensor *x = src, *attn, *w, *h, *pre;
    if (norm_first) PTS_TRY(norm(tp, x, D, eps, n1w, n1b, err, &x));
    {
        PtsValue margs[13] = { pts_vtensor(x), pts_vtensor(x), pts_vtensor(x), a[1], a[2], a[3], a[4], a[5], a[6],
                               a[18], pts_vbool(false), pts_vbool(true), a[19] };
        PtsValue o[2] = { { 0 }, { 0 } };
        PTS_TRY(pts_op_call(PTS_OP__NATIVE_MULTI_HEAD_ATTENTION, margs, o, err));
        pts_value_release(&o[1]);
        PTS_TRY(keep(tp, o[0].u.t, err));
        attn = o[0].u.t;
    }
    PtsValue aargs[3] = { pts_vtensor(attn), pts_vtensor(src), pts_vint(1) };
    PTS_TRY(call(tp, PTS_OP_ADD_TENSOR, aargs, err, &x));
    if (!norm_first) PTS_TRY(norm(tp, x, D, eps, n1w, n1b, err, &x));
    pre = x;
    if (norm_first) PTS_TRY(norm(tp, x, D, eps, n2w, n2b, err, &x));
    PTS_TRY(linear(tp, x, f1w, f1b, err, &h));
    if (use_gelu) {
        PtsValue gargs[2] = { pts_vtensor(h), pts_none() };
        PTS_TRY(pts_str_new("none", 4, err, &gargs[1]));
        PtsStatus s = call(tp, PTS_OP_GELU, gargs, err, &w);
        pts_value_release(&gargs[1]);
        PTS_TRY(s);
    } else {
        PtsValue rargs[1] = { pts_vtensor(h) };
        PTS_TRY(call(tp, PTS_OP_RELU, rargs, err, &w));
    }
    PTS_TRY(linear(tp, w, f2w, f2b, err, &x));
    PtsValue rargs[3] = { pts_vtensor(x), pts_vtensor(pre), pts_vint(1) };
    PTS_TRY(call(tp, PTS_OP_ADD_TENSOR, rargs, err, &x));
    if (!norm_first) PTS_TRY(norm(tp, x, D, eps, n2w, n2b, err, &x));
    *res = x;
    return PTS_OK;
}

PtsStatus k__TRANSFORMER_ENCODER_LAYER_FWD(PtsValue *a, PtsValue *out, PtsError *err) {
    Temps tp = { .n = 0 };
    PtsTensor *res = NULL;
    PtsStatus s = encoder_layer(&tp, a, err, &res);
    if (!s) out[0] = pts_vtensor(pts_tensor_retain(res));
    temps_free(&tp);
    return s;
}

/* ================= baddbmm =================
 * beta * self + alpha * (batch1 @ batch2), self broadcast to (B, N, P); with beta == 0 self is
 * not read (its NaNs do not propagate), as in ATen. A composite over bmm / mul / add. */
static PtsStatus baddbmm(Temps *tp, PtsValue *a, PtsError *err, PtsTensor **res) {
    PtsTensor *self = a[0].u.t, *b1 = a[1].u.t, *b2 = a[2].u.t, *prod, *se;
    PTS_CHECK(self->dtype == b1->dtype && self->dtype == b2->dtype, err, RUNTIME,
              "Input dtypes must be the same, got: input %s, batch1: %s, batch2: %s",
              pts_dtype_cpp_name(self->dtype), pts_dtype_cpp_name(b1->dtype), pts_dtype_cpp_name(b2->dtype));
    PTS_CHECK(b1->ndim == 3, err, RUNTIME, "batch1 must be a 3D tensor");
    PTS_CHECK(b2->ndim == 3, err, RUNTIME, "batch2 must be a 3D tensor");
    PTS_CHECK(b2->shape[0] == b1->shape[0] && b2->shape[1] == b1->shape[2], err, RUNTIME,
              "Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but got: [%lld, %lld].",
              (long long)b1->shape[0], (long long)b1->shape[2], (long long)b2->shape[0], (long long)b2->shape[1]);
    int64_t shape[3] = { b1->shape[0], b1->shape[1], b2->shape[2] };
    PTS_TRY(call_ints(tp, PTS_OP_EXPAND, self, 3, shape, pts_vbool(false), pts_none(), err, &se));
    PtsValue bargs[2] = { pts_vtensor(b1), pts_vtensor(b2) };
    PTS_TRY(call(tp, PTS_OP_BMM, bargs, err, &prod));
    if (!(a[4].tag == PTS_V_INT && a[4].u.i == 1)) {
        PtsValue margs[2] = { pts_vtensor(prod), a[4] };
        PTS_TRY(call(tp, PTS_OP_MUL_SCALAR, margs, err, &prod));
    }
    if (pts_value_to_f64(a[3]) == 0.0) {
        *res = prod;
        return PTS_OK;
    }
    PtsValue aargs[3] = { pts_vtensor(prod), pts_vtensor(se), a[3] };
    return call(tp, PTS_OP_ADD_TENSOR, aargs, err, res);
}

PtsStatus k_BADDBMM(PtsValue *a, PtsValue *out, PtsError *err) {
    Temps tp = { .n = 0 };
    PtsTensor *res = NULL;
    PtsStatus s = baddbmm(&tp, a, err, &res);
    if (!s) out[0] = pts_vtensor(pts_tensor_retain(res));
    temps_free(&tp);
    return s;
}

/* ================= the nested-tensor precheck ================= */
/* Is every row of the (N, L) bool padding mask left aligned (trues, then only falses)? ATen's
 * checks and messages; TransformerEncoder calls it before building a nested tensor. */
/* ATen's checks of a (N, L, D) input and its (N, L) bool padding mask */
static PtsStatus check_padding_mask(const PtsTensor *t, const PtsTensor *mask, PtsError *err) {
    PTS_CHECK(mask->dtype == PTS_BOOL, err, RUNTIME, "Expected mask to be of ScalarType Bool, but got %s instead.",
              pts_dtype_scalar_name(mask->dtype, "?"));
    PTS_CHECK(mask->ndim == 2, err, RUNTIME, "Padding mask should be 2D");
    PTS_CHECK(t->ndim == 3, err, RUNTIME, "Input should be a 3D tensor, N * L * D");
    PTS_CHECK(mask->shape[0] == t->shape[0] && mask->shape[1] == t->shape[1], err, RUNTIME,
              "Mask size should match input size");
    return PTS_OK;
}

PtsStatus k__NESTED_TENSOR_FROM_MASK_LEFT_ALIGNED(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t, *mask = a[1].u.t, *mc;
    PTS_TRY(check_padding_mask(t, mask, err));
    int64_t N = mask->shape[0], L = mask->shape[1];
    PTS_TRY(pts_tensor_contiguous(mask, err, &mc));
    const bool *m = (const bool *)pts_tensor_data(mc);
    bool aligned = true;
    for (int64_t i = 0; i < N && aligned; i++) {
        bool seen_false = false;
        for (int64_t j = 0; j < L; j++) {
            if (!m[i * L + j]) seen_false = true;
            else if (seen_false) { aligned = false; break; }
        }
    }
    pts_tensor_release(mc);
    out[0] = pts_vbool(aligned);
    return PTS_OK;
}

/* any(int[]) (aten::any.int): TransformerEncoderLayer's code asks whether any hook counts are
 * nonzero */
PtsStatus k_ANY_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    PtsList *l = pts_as_list(a[0]);
    bool r = false;
    for (int64_t i = 0; i < l->len && !r; i++) r = l->items[i].u.i != 0;
    out[0] = pts_vbool(r);
    return PTS_OK;
}

/* ================= nested tensors =================
 * pyts has no nested tensors. TransformerEncoder's code names these two ops on its nested-tensor
 * fast path (batch_first, eval, no grad, a key padding mask, enable_nested_tensor=True), so they
 * exist for the archive to compile; reaching them is a clean NotImplementedError. */
PtsStatus k__NESTED_TENSOR_FROM_MASK(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)out;
    PTS_TRY(check_padding_mask(a[0].u.t, a[1].u.t, err));
    return pts_fail(err, PTS_ERR_NOTIMPL,
                    "pyts has no nested tensors (aten::_nested_tensor_from_mask): TransformerEncoder's nested-tensor "
                    "fast path is not supported; build the encoder with enable_nested_tensor=False");
}

/* on a dense tensor ATen has no kernel either (NotImplementedError) */
PtsStatus k_TO_PADDED_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)out;
    return pts_fail(err, PTS_ERR_NOTIMPL,
                    "Could not run 'aten::to_padded_tensor' with arguments from the 'CPU' backend (pyts has no "
                    "nested tensors)");
}
