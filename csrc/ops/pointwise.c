/* pointwise.c: promotion, broadcasting, conversion and output handling for every elementwise op;
 * the per-dtype loops come from the op tables in k_pointwise*.c. One general driver
 * (pts_pointwise) serves unary, binary and ternary ops. */
#include <stdio.h>

#include "pointwise.h"

#include <float.h>
#include <math.h>

/* float16/bfloat16 are computed in float32 */
static PtsDType compute_dtype(PtsDType d) {
    return (d == PTS_FLOAT16 || d == PTS_BFLOAT16) ? PTS_FLOAT32 : d;
}
PtsDType pts_pw_compute_dtype(PtsDType d) { return compute_dtype(d); }

const char *pts_pw_type_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "?");
}

/* the C++ type names PyTorch's overflow message uses */
static const char *ctype_name(PtsDType d) {
    switch (d) {
    case PTS_UINT8: return "uint8_t";
    case PTS_INT8: return "int8_t";
    case PTS_INT16: return "int16_t";
    case PTS_INT32: return "int";
    case PTS_INT64: return "int64_t";
    case PTS_FLOAT16: return "c10::Half";
    case PTS_FLOAT32: return "float";
    case PTS_FLOAT64: return "double";
    case PTS_BFLOAT16: return "c10::BFloat16";
    default: return "bool";
    }
}

PtsStatus pts_pw_check_scalar(PtsValue v, PtsDType d, PtsError *err) {
    if (v.tag == PTS_V_TENSOR) {
        const PtsTensor *t = v.u.t;
        if (pts_numel(t) != 1) return PTS_OK;
        v = pts_dtype_is_float(t->dtype) ? pts_vdouble(pts_tensor_item_f64(t))
            : t->dtype == PTS_BOOL ? pts_vbool(pts_tensor_item_i64(t) != 0)
                                   : pts_vint(pts_tensor_item_i64(t));
    }
    if (d == PTS_BOOL || (v.tag != PTS_V_INT && v.tag != PTS_V_DOUBLE)) return PTS_OK;
    bool bad;
    if (pts_dtype_is_float(d)) {
        double max = d == PTS_FLOAT16 ? 65504.0 : d == PTS_BFLOAT16 ? 3.3895313892515355e38
                     : d == PTS_FLOAT32 ? (double)FLT_MAX : DBL_MAX;
        double x = v.tag == PTS_V_INT ? (double)v.u.i : v.u.d;
        bad = !isinf(x) && !isnan(x) && (x < -max || x > max);
    } else {
        int bits = (int)pts_dtype_size(d) * 8;
        bool uns = d == PTS_UINT8;
        int64_t hi = uns ? 255 : bits == 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
        int64_t lo = uns ? 0 : bits == 64 ? INT64_MIN : -(INT64_C(1) << (bits - 1));
        if (v.tag == PTS_V_INT)  /* negative ints may wrap into unsigned types (a - b as a + 255 b) */
            bad = v.u.i > hi || (uns ? (v.u.i < 0 && v.u.i < -255) : v.u.i < lo);
        else
            bad = isnan(v.u.d) || v.u.d < (double)lo || v.u.d >= -(double)INT64_MIN ||
                  (bits < 64 && v.u.d > (double)hi);
    }
    if (bad)
        return pts_fail(err, PTS_ERR_RUNTIME, "value cannot be converted to type %s without overflow",
                        ctype_name(d));
    return PTS_OK;
}

PtsStatus pts_pw_not_impl(const char *name, PtsDType d, PtsError *err) {
    return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", name,
                    pts_pw_type_name(d));
}

/* out= tensors of the wrong shape are resized as PyTorch does (it also warns when out had
 * elements): contiguous, reusing the storage when it is large enough, growing it only when the
 * tensor owns its memory. */
static PtsStatus resize_out(PtsTensor *out, int ndim, const int64_t *shape, PtsError *err) {
    int64_t isz = (int64_t)pts_dtype_size(out->dtype), need = isz;
    for (int i = 0; i < ndim; i++)
        PTS_CHECK(pts_mul_ok(need, shape[i], &need), err, RUNTIME, "tensor size overflows int64");
    int64_t have = (int64_t)out->storage->nbytes - out->offset * isz;
    if (need > have) {
        /* memory the tensor does not own (NumPy arrays, caller buffers) cannot grow */
        PTS_CHECK(!out->storage->deleter, err, RUNTIME, "Trying to resize storage that is not resizable");
        PtsStorage *st;
        PTS_TRY(pts_storage_new((size_t)need, err, &st));
        pts_storage_release(out->storage);
        out->storage = st;
        out->offset = 0;
    }
    out->ndim = ndim;
    memcpy(out->shape, shape, sizeof(int64_t) * (size_t)ndim);
    pts_contiguous_strides(ndim, shape, out->strides);
    return PTS_OK;
}

/* One element converted between dtypes the way pts_tensor_copy_ converts. */
static void convert_one(PtsDType to, void *dst, PtsDType from, const void *src) {
    if (pts_dtype_is_complex(to) || pts_dtype_is_complex(from)) {
        double re, im;
        pts_load_c128(from, src, &re, &im);
        pts_store_c128(to, dst, re, im);
    } else if (pts_dtype_is_float(to) || pts_dtype_is_float(from))
        pts_store_f64(to, dst, pts_load_f64(from, src));
    else
        pts_store_i64(to, dst, pts_load_i64(from, src));
}

/* ---- memory overlap (PyTorch's MemOverlap.cpp) ----
 * Writing into a tensor that an input reads through a different view would give results that
 * depend on the loop order; PyTorch refuses, and so do we. Only the cases it can decide cheaply:
 * an expanded output, and two dense views of one storage that overlap without coinciding. */
static bool non_overlapping_and_dense(const PtsTensor *t) {
    int64_t expect = 1;
    bool used[PTS_MAX_DIMS] = { false };
    for (int k = 0; k < t->ndim; k++) {   /* walk dims from the smallest stride up */
        int best = -1;
        for (int i = 0; i < t->ndim; i++)
            if (!used[i] && t->shape[i] != 1 && (best < 0 || t->strides[i] < t->strides[best])) best = i;
        if (best < 0) break;
        used[best] = true;
        if (t->strides[best] != expect) return false;
        expect *= t->shape[best];
    }
    return true;
}

static PtsStatus check_overlap(const PtsTensor *out, PtsTensor *const *in, int nin, PtsError *err) {
    for (int i = 0; i < out->ndim; i++)
        PTS_CHECK(out->strides[i] != 0 || out->shape[i] <= 1, err, RUNTIME,
                  "unsupported operation: more than one element of the written-to tensor refers to "
                  "a single memory location. Please clone() the tensor before performing the operation.");
    if (pts_numel(out) == 0 || !non_overlapping_and_dense(out)) return PTS_OK;
    const char *ob = pts_tensor_data(out), *oe = ob + pts_numel(out) * (int64_t)pts_dtype_size(out->dtype);
    for (int k = 0; k < nin; k++) {
        const PtsTensor *t = in[k];
        if (t == out || t->storage != out->storage || pts_numel(t) == 0 || !non_overlapping_and_dense(t))
            continue;
        const char *b = pts_tensor_data(t), *e = b + pts_numel(t) * (int64_t)pts_dtype_size(t->dtype);
        bool partial;
        if (b == ob && e == oe)
            partial = t->ndim != out->ndim ||
                      memcmp(t->strides, out->strides, sizeof(int64_t) * (size_t)t->ndim) != 0;
        else
            partial = b < oe && ob < e;
        PTS_CHECK(!partial, err, RUNTIME,
                  "unsupported operation: some elements of the input tensor and the written-to tensor "
                  "refer to a single memory location. Please clone() the tensor before performing "
                  "the operation.");
    }
    return PTS_OK;
}

/* Finish: result computed in `tmp` (loop dtype); deliver as result dtype rd or into out. */
static PtsStatus deliver(PtsTensor *tmp, PtsDType rd, PtsTensor *out, PtsError *err, PtsTensor **res) {
    PtsStatus s = PTS_OK;
    if (out) {
        if (tmp != out) s = pts_tensor_copy_(out, tmp, err);
        else pts_tensor_bump_version(out);
        if (!s) *res = pts_tensor_retain(out);
        pts_tensor_release(tmp);
        return s;
    }
    if (tmp->dtype != rd) {
        s = pts_tensor_to(tmp, rd, false, err, res);
        pts_tensor_release(tmp);
        return s;
    }
    *res = tmp;
    return PTS_OK;
}

PtsStatus pts_pointwise(const PtsPwOp *op, int nin, PtsTensor *const *in, const PtsDType *in_dt,
                        PtsDType common, PtsTensor *out, const PtsPwCtx *ctx, PtsError *err,
                        PtsTensor **res) {
    *res = NULL;
    if ((op->flags & PTS_PW_INT_ONLY) && pts_dtype_is_float(common))
        return pts_pw_not_impl(op->name, common, err);
    if ((op->flags & PTS_PW_NO_BOOL) && common == PTS_BOOL)
        return pts_pw_not_impl(op->name, common, err);
    if ((op->flags & PTS_PW_FLOAT) && !pts_dtype_is_float(common)) common = pts_default_dtype();
    PtsDType cd = compute_dtype(common);
    bool bool_out = op->flags & PTS_PW_BOOL_OUT;
    PtsDType rd = bool_out ? PTS_BOOL : common;
    PtsLoop loop = op->loops[cd];
    if (!loop) return pts_pw_not_impl(op->name, common, err);

    int ndim = in[0]->ndim;
    int64_t shape[PTS_MAX_DIMS];
    memcpy(shape, in[0]->shape, sizeof(int64_t) * (size_t)ndim);
    for (int i = 1; i < nin; i++)
        PTS_TRY(pts_broadcast_shapes(ndim, shape, in[i]->ndim, in[i]->shape, &ndim, shape, err));

    if (out) {
        if (!pts_can_cast(rd, out->dtype))
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "result type %s can't be cast to the desired output type %s",
                            pts_pw_type_name(rd), pts_pw_type_name(out->dtype));
        if ((op->flags & PTS_PW_STRICT_OUT) && out->dtype != rd)
            return pts_fail(err, PTS_ERR_RUNTIME, "Found dtype %s but expected %s",
                            pts_pw_type_name(out->dtype), pts_pw_type_name(rd));
        if (out->ndim != ndim || memcmp(out->shape, shape, sizeof(int64_t) * (size_t)ndim) != 0) {
            if (out == in[0]) {
                char a[256], b[256];
                return pts_fail(err, PTS_ERR_RUNTIME,
                                "output with shape %s doesn't match the broadcast shape %s",
                                pts_shape_str(out->ndim, out->shape, a, sizeof a),
                                pts_shape_str(ndim, shape, b, sizeof b));
            }
            PTS_TRY(resize_out(out, ndim, shape, err));
        }
        PTS_TRY(check_overlap(out, in, nin, err));
    }

    /* Operands keep their strides when already of the loop's dtype. A zero-dim operand of
     * another dtype (a Python number) is converted into a local slot, not a new tensor. */
    PtsTensor *conv[PTS_PW_MAX_IN] = { NULL };
    union { double d; int64_t i; char c[16]; } slot[PTS_PW_MAX_IN];
    PtsIterOperand ops[1 + PTS_PW_MAX_IN];
    PtsTensor *tmp = NULL;
    PtsStatus s = PTS_OK;
    for (int i = 0; i < nin; i++) {
        PtsTensor *t = in[i];
        PtsDType want = (in_dt && in_dt[i] != PTS_DTYPE_INVALID) ? in_dt[i] : cd;
        if (t->dtype == want) {
            pts_iter_operand(&ops[1 + i], t, ndim, shape);
        } else if (t->ndim == 0) {
            convert_one(want, slot[i].c, t->dtype, pts_tensor_data(t));
            ops[1 + i].data = slot[i].c;
            memset(ops[1 + i].strides, 0, sizeof(int64_t) * (size_t)(ndim ? ndim : 1));
        } else {
            if ((s = pts_tensor_to(t, want, false, err, &conv[i]))) goto done;
            pts_iter_operand(&ops[1 + i], conv[i], ndim, shape);
        }
    }
    PtsDType loop_out = bool_out ? PTS_BOOL : cd;
    if (out && out->dtype == loop_out) tmp = pts_tensor_retain(out);
    else if ((s = pts_tensor_new(loop_out, ndim, shape, err, &tmp))) goto done;
    pts_iter_operand(&ops[0], tmp, ndim, shape);

    int fault = PTS_PW_FAULT_NONE;
    PtsPwRun run = { { 0, 0, 0, 0 }, &fault };
    if (ctx) run.c = *ctx;
    pts_iter_run(1 + nin, ops, ndim, shape, loop, &run);
    if (fault == PTS_PW_FAULT_ZERODIV) {
        s = pts_fail(err, PTS_ERR_RUNTIME, "ZeroDivisionError");
        goto done;
    }
    s = deliver(tmp, rd, out, err, res);
    tmp = NULL;
done:
    for (int i = 0; i < nin; i++) pts_tensor_release(conv[i]);
    pts_tensor_release(tmp);
    return s;
}

PtsStatus pts_binary(const PtsPwOp *op, PtsTensor *a, PtsTensor *b, PtsTensor *out,
                     const PtsPwCtx *ctx, PtsError *err, PtsTensor **res) {
    PtsTensor *pair[2] = { a, b };
    return pts_pointwise(op, 2, pair, NULL, pts_result_type(pair, 2), out, ctx, err, res);
}

PtsStatus pts_unary(const PtsPwOp *op, PtsTensor *a, PtsTensor *out, const PtsPwCtx *ctx,
                    PtsError *err, PtsTensor **res) {
    return pts_pointwise(op, 1, &a, NULL, a->dtype, out, ctx, err, res);
}

PtsStatus pts_binary_v(const PtsPwOp *op, PtsValue a, PtsValue b, PtsTensor *out,
                       const PtsPwCtx *ctx, PtsError *err, PtsValue *res) {
    PtsTensor *ta = NULL, *tb = NULL, *r = NULL;
    PtsStatus s;
    if ((s = pts_wrap_scalar(a, err, &ta))) goto done;
    if ((s = pts_wrap_scalar(b, err, &tb))) goto done;
    if ((s = pts_binary(op, ta, tb, out, ctx, err, &r))) goto done;
    *res = pts_vtensor(r);
done:
    pts_tensor_release(ta);
    pts_tensor_release(tb);
    return s;
}
