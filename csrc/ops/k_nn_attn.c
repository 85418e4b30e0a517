/* k_nn_attn.c: kernels of the attention rows of ops_nn.def: bilinear and
 * scaled_dot_product_attention. Both are composites that call other registry ops through
 * pts_op_call (reshape, matmul, softmax, where, dropout ...), so autograd records the inner ops
 * and no backward formula is needed. sdpa is ATen's math path (_scaled_dot_product_attention_math),
 * which is what PyTorch computes wherever its fused CPU kernel does not apply. */
#include <math.h>
#include <stdio.h>

#include "nn.h"

/* t.size(d) with PyTorch's wrap_dim errors (IndexError). */
static PtsStatus dim_size(const PtsTensor *t, int64_t d, PtsError *err, int64_t *out) {
    int n = t->ndim;
    if (n == 0)
        return pts_fail(err, PTS_ERR_INDEX, "Dimension specified as %lld but tensor has no dimensions",
                        (long long)d);
    if (d < -n || d >= n)
        return pts_fail(err, PTS_ERR_INDEX, "Dimension out of range (expected to be in range of [%d, %d], but got %lld)",
                        -n, n - 1, (long long)d);
    *out = t->shape[d < 0 ? d + n : d];
    return PTS_OK;
}

/* Temporaries of one kernel call, released together. */
typedef struct {
    PtsTensor *t[32];
    int n;
} Temps;

static void temps_free(Temps *tp) {
    for (int i = 0; i < tp->n; i++) pts_tensor_release(tp->t[i]);
    tp->n = 0;
}

/* Run op id and keep its (single tensor) result in tp; *r borrows it. */
static PtsStatus call(Temps *tp, PtsOpId id, PtsValue *args, PtsError *err, PtsTensor **r) {
    PtsValue o[PTS_MAX_RETS] = { { 0 } };
    *r = NULL;
    if (tp->n >= (int)(sizeof(tp->t) / sizeof(tp->t[0])))
        return pts_fail(err, PTS_ERR_RUNTIME, "internal: too many temporaries in an attention kernel");
    PTS_TRY(pts_op_call(id, args, o, err));
    *r = tp->t[tp->n++] = o[0].u.t;
    return PTS_OK;
}

/* An op of shape (self, int[] xs, extra...) (reshape, permute, expand). */
static PtsStatus call_ints(Temps *tp, PtsOpId id, PtsTensor *t, int n, const int64_t *xs, PtsValue extra, PtsError *err, PtsTensor **r) {
    PtsValue args[3] = { pts_vtensor(t), pts_none(), extra };
    PTS_TRY(pts_int_list_new(xs, n, err, &args[1]));
    PtsStatus s = call(tp, id, args, err, r);
    pts_value_release(&args[1]);
    return s;
}

static PtsStatus reshape(Temps *tp, PtsTensor *t, int n, const int64_t *xs, PtsError *err, PtsTensor **r) {
    return call_ints(tp, PTS_OP_RESHAPE, t, n, xs, pts_none(), err, r);
}

/* ================= bilinear =================
 * y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o]. ATen's checks and messages; the
 * product is x1 (N, I) @ W viewed as (I, O*J), then a batched product with x2 (N, J, 1). */
PtsStatus k_BILINEAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x1 = a[0].u.t, *x2 = a[1].u.t, *w = a[2].u.t, *b = nn_opt(a[3]);
    if (b) {
        PTS_CHECK(x1->dtype == x2->dtype && x1->dtype == w->dtype && x1->dtype == b->dtype, err, RUNTIME,
                  "All tensors must have the same dtype, got input1: %s, input2: %s, weight: %s, bias: %s",
                  pts_dtype_cpp_name(x1->dtype), pts_dtype_cpp_name(x2->dtype), pts_dtype_cpp_name(w->dtype),
                  pts_dtype_cpp_name(b->dtype));
    } else {
        PTS_CHECK(x1->dtype == x2->dtype && x1->dtype == w->dtype, err, RUNTIME,
                  "All tensors must have the same dtype, got input1: %s, input2: %s, weight: %s",
                  pts_dtype_cpp_name(x1->dtype), pts_dtype_cpp_name(x2->dtype), pts_dtype_cpp_name(w->dtype));
    }
    PTS_CHECK(x1->ndim == x2->ndim, err, RUNTIME, "bilinear(): input dimensions do not match: got %d and %d",
              x1->ndim, x2->ndim);
    for (int i = 0; i < x1->ndim - 1; i++)
        PTS_CHECK(x1->shape[i] == x2->shape[i], err, RUNTIME,
                  "bilinear(): input batch dimensions do not match at dim %d: got %lld and %lld", i,
                  (long long)x1->shape[i], (long long)x2->shape[i]);
    int64_t in1 = 0, in2 = 0, w1 = 0, w2 = 0, wo, bo = 0;
    PTS_TRY(dim_size(x1, -1, err, &in1));
    PTS_TRY(dim_size(w, 1, err, &w1));
    PTS_CHECK(in1 == w1, err, RUNTIME, "bilinear(): input1 size does not match weight size: got %lld but expected %lld",
              (long long)in1, (long long)w1);
    PTS_TRY(dim_size(x2, -1, err, &in2));
    PTS_TRY(dim_size(w, 2, err, &w2));
    PTS_CHECK(in2 == w2, err, RUNTIME, "bilinear(): input2 size does not match weight size: got %lld but expected %lld",
              (long long)in2, (long long)w2);
    wo = w->shape[0];
    if (b) {
        PTS_TRY(dim_size(b, 0, err, &bo));
        PTS_CHECK(bo == wo, err, RUNTIME, "bilinear(): bias size does not match weight size: got %lld but expected %lld",
                  (long long)bo, (long long)wo);
    }
    PTS_CHECK(w->ndim == 3, err, RUNTIME, "number of dimensions must match");   /* _trilinear's check */
    if (x1->dtype == PTS_BOOL) return nn_not_impl(err, "bmm", x1->dtype);   /* _trilinear's bmm */

    Temps tp = { .n = 0 };
    PtsTensor *x1f, *x2f, *wp, *wf, *t, *t3, *x2c, *y, *yr, *yb;
    int64_t oshape[PTS_MAX_DIMS];
    for (int i = 0; i < x1->ndim - 1; i++) oshape[i] = x1->shape[i];
    oshape[x1->ndim - 1] = wo;
    PtsStatus s;
    {
        int64_t s1[2] = { -1, in1 }, s2[2] = { -1, in2 }, perm[3] = { 1, 0, 2 }, sw[2] = { in1, wo * in2 };
        if ((s = reshape(&tp, x1, 2, s1, err, &x1f))) goto done;
        if ((s = reshape(&tp, x2, 2, s2, err, &x2f))) goto done;
        if ((s = call_ints(&tp, PTS_OP_PERMUTE, w, 3, perm, pts_none(), err, &wp))) goto done;
        if ((s = reshape(&tp, wp, 2, sw, err, &wf))) goto done;
        PtsValue margs[2] = { pts_vtensor(x1f), pts_vtensor(wf) };
        if ((s = call(&tp, PTS_OP_MM, margs, err, &t))) goto done;        /* (N, O*J) */
        int64_t n = x1f->shape[0];
        int64_t st3[3] = { n, wo, in2 }, sx[3] = { n, in2, 1 }, sy[2] = { n, wo };
        if ((s = reshape(&tp, t, 3, st3, err, &t3))) goto done;
        if ((s = reshape(&tp, x2f, 3, sx, err, &x2c))) goto done;
        PtsValue bargs[2] = { pts_vtensor(t3), pts_vtensor(x2c) };
        if ((s = call(&tp, PTS_OP_BMM, bargs, err, &y))) goto done;       /* (N, O, 1) */
        if ((s = reshape(&tp, y, 2, sy, err, &yr))) goto done;
        if ((s = reshape(&tp, yr, x1->ndim, oshape, err, &yb))) goto done;
        if (b) {
            PtsValue aargs[3] = { pts_vtensor(yb), pts_vtensor(b), pts_vint(1) };
            if ((s = call(&tp, PTS_OP_ADD_TENSOR, aargs, err, &yb))) goto done;
        }
        *out = pts_vtensor(pts_tensor_retain(yb));
    }
done:
    temps_free(&tp);
    return s;
}

/* ================= scaled_dot_product_attention ================= */
/* -inf above diagonal 0 of an (L, S) mask, 0 elsewhere (ATen: ones(L, S).tril() as a bool mask,
 * then converted), in dtype dt. */
static PtsStatus causal_mask(int64_t L, int64_t S, PtsDType dt, PtsError *err, PtsTensor **out) {
    int64_t shape[2] = { L, S };
    PtsTensor *m;
    PTS_TRY(pts_tensor_zeros(PTS_FLOAT32, 2, shape, err, &m));
    float *p = (float *)pts_tensor_data(m);
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 1; j < S; j++) p[i * S + j] = -INFINITY;
    PtsStatus s = pts_tensor_to(m, dt, false, err, out);
    pts_tensor_release(m);
    return s;
}

/* GQA: key / value of Hk heads repeated (interleaved) to the query's Hq heads along dim -3. */
static PtsStatus repeat_heads(Temps *tp, PtsTensor *t, int64_t rep, PtsError *err, PtsTensor **r) {
    int n = t->ndim;
    int64_t ex[PTS_MAX_DIMS], sh[PTS_MAX_DIMS];
    PtsTensor *u, *e;
    PtsValue uargs[2] = { pts_vtensor(t), pts_vint(n - 2) };
    PTS_TRY(call(tp, PTS_OP_UNSQUEEZE, uargs, err, &u));         /* (..., Hk, 1, S, D) */
    for (int i = 0; i < n + 1; i++) ex[i] = u->shape[i];
    ex[n - 2] = rep;
    PTS_TRY(call_ints(tp, PTS_OP_EXPAND, u, n + 1, ex, pts_vbool(false), err, &e));
    for (int i = 0; i < n; i++) sh[i] = t->shape[i];
    sh[n - 3] = t->shape[n - 3] * rep;
    return reshape(tp, e, n, sh, err, r);
}

PtsStatus k_SCALED_DOT_PRODUCT_ATTENTION(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *q = a[0].u.t, *k = a[1].u.t, *v = a[2].u.t, *mask = nn_opt(a[3]);
    double dropout_p = pts_value_to_f64(a[4]);
    bool is_causal = a[5].u.b, enable_gqa = a[7].u.b;
    bool has_scale = a[6].tag != PTS_V_NONE;
    double scale = has_scale ? pts_value_to_f64(a[6]) : 0.0;

    /* validate_sdpa_input */
    PTS_CHECK(q->dtype == k->dtype && q->dtype == v->dtype, err, RUNTIME,
              "Expected query, key, and value to have the same dtype, but got query.dtype: %s key.dtype: %s "
              "and value.dtype: %s instead.", pts_dtype_cpp_name(q->dtype), pts_dtype_cpp_name(k->dtype),
              pts_dtype_cpp_name(v->dtype));
    PTS_CHECK(q->ndim >= 2 && k->ndim >= 2 && v->ndim >= 2, err, RUNTIME,
              "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: %d "
              "key.dim: %d and value.dim: %d instead.", q->ndim, k->ndim, v->ndim);
    if (mask)
        PTS_CHECK(mask->dtype == PTS_BOOL || mask->dtype == PTS_FLOAT32 || mask->dtype == q->dtype, err, RUNTIME,
                  "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                  "attn_mask.dtype: %s and  query.dtype: %s instead.", pts_dtype_cpp_name(mask->dtype),
                  pts_dtype_cpp_name(q->dtype));
    if (is_causal)
        PTS_CHECK(!mask, err, RUNTIME,
                  "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");

    Temps tp = { .n = 0 };
    PtsStatus s = PTS_OK;
    PtsTensor *m = NULL, *qs, *kt, *kts, *attn, *kx = k, *vx = v, *res;
    /* a boolean mask says which positions take part: where(!mask, -inf, 0) in query's dtype */
    if (mask && mask->dtype == PTS_BOOL) {
        PtsTensor *nm, *zero;
        PtsValue nargs[1] = { pts_vtensor(mask) };
        if ((s = call(&tp, PTS_OP_LOGICAL_NOT, nargs, err, &nm))) goto done;
        if ((s = pts_tensor_scalar_f64(q->dtype, 0.0, err, &zero))) goto done;
        tp.t[tp.n++] = zero;
        PtsValue wargs[3] = { pts_vtensor(nm), pts_vdouble(-INFINITY), pts_vtensor(zero) };
        if ((s = call(&tp, PTS_OP_WHERE_SCALARSELF, wargs, err, &m))) goto done;
    } else {
        m = mask;
    }
    /* scale both q and k by sqrt(scale) before the product (ATen, for stability) */
    bool neg = has_scale && scale < 0.0;
    double sc = has_scale ? fabs(scale) : 1.0 / sqrt((double)q->shape[q->ndim - 1]);
    double sf = sqrt(sc);
    PtsValue qargs[2] = { pts_vtensor(q), pts_vdouble(neg ? 0.0 - sf : sf) };
    if ((s = call(&tp, PTS_OP_MUL_SCALAR, qargs, err, &qs))) goto done;
    if (is_causal) {
        PtsTensor *cm;
        if ((s = causal_mask(q->shape[q->ndim - 2], k->shape[k->ndim - 2], q->dtype, err, &cm))) goto done;
        tp.t[tp.n++] = cm;
        m = cm;
    }
    if (enable_gqa) {
        int64_t hq = 0, hk = 0, hv = 0;
        if ((s = dim_size(qs, -3, err, &hq)) || (s = dim_size(k, -3, err, &hk)) || (s = dim_size(v, -3, err, &hv)))
            goto done;
        bool all_equal = hq == hk && hk == hv;
        if (!all_equal && !(hk > 0 && hv > 0 && hq % hk == 0 && hq % hv == 0)) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "Number of heads in key and value must divide the number of heads in ");
            goto done;
        }
        if (!all_equal) {
            if ((s = repeat_heads(&tp, k, hq / hk, err, &kx))) goto done;
            if ((s = repeat_heads(&tp, v, hq / hv, err, &vx))) goto done;
        }
    }
    PtsValue targs[3] = { pts_vtensor(kx), pts_vint(-2), pts_vint(-1) };
    if ((s = call(&tp, PTS_OP_TRANSPOSE_INT, targs, err, &kt))) goto done;
    PtsValue kargs[2] = { pts_vtensor(kt), pts_vdouble(sf) };
    if ((s = call(&tp, PTS_OP_MUL_SCALAR, kargs, err, &kts))) goto done;
    PtsValue margs[2] = { pts_vtensor(qs), pts_vtensor(kts) };
    if ((s = call(&tp, PTS_OP_MATMUL, margs, err, &attn))) goto done;
    if (m) {
        PtsTensor *r;
        PtsValue aargs[3] = { pts_vtensor(attn), pts_vtensor(m), pts_vint(1) };
        if ((s = call(&tp, PTS_OP_ADD__TENSOR, aargs, err, &r))) goto done;
        /* _safe_softmax: rows masked out entirely (all -inf) give 0, not NaN. The masked rows are
         * zeroed before the softmax too, so their gradient is 0 rather than NaN. */
        PtsTensor *isinf, *rows, *a0, *sm;
        PtsValue eargs[2] = { pts_vtensor(attn), pts_vdouble(-INFINITY) };
        if ((s = call(&tp, PTS_OP_EQ_SCALAR, eargs, err, &isinf))) goto done;
        PtsValue rargs[3] = { pts_vtensor(isinf), pts_vint(-1), pts_vbool(true) };
        if ((s = call(&tp, PTS_OP_ALL_DIM, rargs, err, &rows))) goto done;
        PtsValue w0[3] = { pts_vtensor(rows), pts_vdouble(0.0), pts_vtensor(attn) };
        if ((s = call(&tp, PTS_OP_WHERE_SCALARSELF, w0, err, &a0))) goto done;
        PtsValue sargs[3] = { pts_vtensor(a0), pts_vint(-1), pts_none() };
        if ((s = call(&tp, PTS_OP_SOFTMAX_INT, sargs, err, &sm))) goto done;
        PtsValue w1[3] = { pts_vtensor(rows), pts_vdouble(0.0), pts_vtensor(sm) };
        if ((s = call(&tp, PTS_OP_WHERE_SCALARSELF, w1, err, &attn))) goto done;
    } else {
        PtsValue sargs[3] = { pts_vtensor(attn), pts_vint(-1), pts_none() };
        if ((s = call(&tp, PTS_OP_SOFTMAX_INT, sargs, err, &attn))) goto done;
    }
    if (dropout_p > 0.0) {
        PtsValue dargs[3] = { pts_vtensor(attn), pts_vdouble(dropout_p), pts_vbool(true) };
        if ((s = call(&tp, PTS_OP_DROPOUT, dargs, err, &attn))) goto done;
    }
    PtsValue oargs[2] = { pts_vtensor(attn), pts_vtensor(vx) };
    if ((s = call(&tp, PTS_OP_MATMUL, oargs, err, &res))) goto done;
    *out = pts_vtensor(pts_tensor_retain(res));
done:
    temps_free(&tp);
    return s;
}
