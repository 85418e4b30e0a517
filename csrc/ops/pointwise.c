/* pointwise.c: promotion, broadcasting, conversion and output handling for every elementwise op;
 * the per-dtype loops come from the op tables in k_pointwise.c. */
#include "pointwise.h"

/* float16/bfloat16 are computed in float32 */
static PtsDType compute_dtype(PtsDType d) {
    return (d == PTS_FLOAT16 || d == PTS_BFLOAT16) ? PTS_FLOAT32 : d;
}

static PtsStatus check_out(const PtsPwOp *op, PtsTensor *out, PtsDType rd, int ndim,
                           const int64_t *shape, PtsError *err) {
    if (!pts_can_cast(rd, out->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "result type %s can't be cast to the desired output type %s",
                        pts_dtype_name(rd), pts_dtype_name(out->dtype));
    if (out->ndim != ndim || memcmp(out->shape, shape, sizeof(int64_t) * (size_t)ndim) != 0) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "output with shape %s doesn't match the broadcast shape %s",
                        pts_shape_str(out->ndim, out->shape, a, 256), pts_shape_str(ndim, shape, b, 256));
    }
    (void)op;
    return PTS_OK;
}

static PtsStatus kind_check(const PtsPwOp *op, PtsDType common, PtsError *err) {
    if ((op->flags & PTS_PW_INT_ONLY) && pts_dtype_is_float(common))
        return pts_fail(err, PTS_ERR_RUNTIME, "\"%s_cpu\" not implemented for '%s'", op->name,
                        pts_dtype_name(common));
    if ((op->flags & PTS_PW_NO_BOOL) && common == PTS_BOOL)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s is not supported on bool tensors", op->name);
    return PTS_OK;
}

/* Runs loop over (dst, srcs...) where dst has `shape`; allocates dst when *dst is NULL. */
static PtsStatus run(PtsLoop loop, int nin, PtsTensor **in, PtsDType dst_dt, int ndim,
                     const int64_t *shape, const PtsPwCtx *ctx, PtsError *err, PtsTensor **dst) {
    if (!*dst) PTS_TRY(pts_tensor_new(dst_dt, ndim, shape, err, dst));
    PtsIterOperand ops[3];
    pts_iter_operand(&ops[0], *dst, ndim, shape);
    for (int i = 0; i < nin; i++) pts_iter_operand(&ops[1 + i], in[i], ndim, shape);
    pts_iter_run(1 + nin, ops, ndim, shape, loop, (void *)ctx);
    return PTS_OK;
}

/* Finish: result computed in `tmp` (compute dtype); deliver as result dtype rd or into out. */
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

PtsStatus pts_binary(const PtsPwOp *op, PtsTensor *a, PtsTensor *b, PtsTensor *out,
                     const PtsPwCtx *ctx, PtsError *err, PtsTensor **res) {
    *res = NULL;
    PtsTensor *pair[2] = { a, b };
    PtsDType common = pts_result_type(pair, 2);
    PTS_TRY(kind_check(op, common, err));
    if ((op->flags & PTS_PW_FLOAT) && !pts_dtype_is_float(common)) common = pts_default_dtype();
    PtsDType cd = compute_dtype(common);
    PtsDType rd = (op->flags & PTS_PW_BOOL_OUT) ? PTS_BOOL : common;
    PtsLoop loop = op->loops[cd];
    if (!loop)
        return pts_fail(err, PTS_ERR_RUNTIME, "\"%s_cpu\" not implemented for '%s'", op->name,
                        pts_dtype_name(common));
    int ndim;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(a->ndim, a->shape, b->ndim, b->shape, &ndim, shape, err));
    if (out) PTS_TRY(check_out(op, out, rd, ndim, shape, err));
    PtsTensor *ca = NULL, *cb = NULL, *tmp = NULL;
    PtsStatus s;
    /* operands keep their strides when already of the compute dtype */
    if (a->dtype == cd) ca = pts_tensor_retain(a);
    else if ((s = pts_tensor_to(a, cd, false, err, &ca))) goto done;
    if (b->dtype == cd) cb = pts_tensor_retain(b);
    else if ((s = pts_tensor_to(b, cd, false, err, &cb))) goto done;
    PtsDType loop_out = (op->flags & PTS_PW_BOOL_OUT) ? PTS_BOOL : cd;
    if (out && out->dtype == loop_out) tmp = pts_tensor_retain(out);
    PtsTensor *ins[2] = { ca, cb };
    if ((s = run(loop, 2, ins, loop_out, ndim, shape, ctx, err, &tmp))) goto done;
    s = deliver(tmp, rd, out, err, res);
    tmp = NULL;
done:
    pts_tensor_release(ca);
    pts_tensor_release(cb);
    pts_tensor_release(tmp);
    return s;
}

PtsStatus pts_unary(const PtsPwOp *op, PtsTensor *a, PtsTensor *out, const PtsPwCtx *ctx,
                    PtsError *err, PtsTensor **res) {
    *res = NULL;
    PtsDType common = a->dtype;
    PTS_TRY(kind_check(op, common, err));
    if ((op->flags & PTS_PW_FLOAT) && !pts_dtype_is_float(common)) common = pts_default_dtype();
    PtsDType cd = compute_dtype(common);
    PtsDType rd = (op->flags & PTS_PW_BOOL_OUT) ? PTS_BOOL : common;
    PtsLoop loop = op->loops[cd];
    if (!loop)
        return pts_fail(err, PTS_ERR_RUNTIME, "\"%s_cpu\" not implemented for '%s'", op->name,
                        pts_dtype_name(common));
    if (out) PTS_TRY(check_out(op, out, rd, a->ndim, a->shape, err));
    PtsTensor *ca = NULL, *tmp = NULL;
    PtsStatus s;
    if (a->dtype == cd) ca = pts_tensor_retain(a);
    else if ((s = pts_tensor_to(a, cd, false, err, &ca))) return s;
    PtsDType loop_out = (op->flags & PTS_PW_BOOL_OUT) ? PTS_BOOL : cd;
    if (out && out->dtype == loop_out) tmp = pts_tensor_retain(out);
    if ((s = run(loop, 1, &ca, loop_out, a->ndim, a->shape, ctx, err, &tmp))) goto done;
    s = deliver(tmp, rd, out, err, res);
    tmp = NULL;
done:
    pts_tensor_release(ca);
    pts_tensor_release(tmp);
    return s;
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
