/* common.c: helpers shared by kernels: type promotion with PyTorch's tiers, scalar wrapping,
 * dim wrapping, cast rules, out= assignment, and the per-thread gate of the dispatch hook. */
#include <stdio.h>

#include "ops.h"

static _Atomic int default_dtype = PTS_FLOAT32;
PtsDType pts_default_dtype(void) { return (PtsDType)atomic_load_explicit(&default_dtype, memory_order_relaxed); }
void pts_set_default_dtype(PtsDType d) { atomic_store(&default_dtype, (int)d); }

/* Promotion: the highest category (bool < int < float) among all operands decides the kind; within
 * the winning kind, dimensioned tensors decide first, then zero-dim tensors, then wrapped numbers.
 * A wrapped float over integer tensors gives the default dtype. */
PtsDType pts_result_type(PtsTensor *const *ts, int n) {
    PtsDType tier[3] = { PTS_DTYPE_INVALID, PTS_DTYPE_INVALID, PTS_DTYPE_INVALID };
    for (int i = 0; i < n; i++) {
        const PtsTensor *t = ts[i];
        if (!t) continue;
        int k = (t->flags & PTS_TF_WRAPPED_NUMBER) ? 2 : (t->ndim == 0 ? 1 : 0);
        PtsDType d = t->dtype;
        if (k == 2) { /* wrapped numbers: int64, float64 (-> default), bool, complex */
            if (pts_dtype_is_float(d)) d = pts_default_dtype();
            else if (pts_dtype_is_complex(d)) d = pts_dtype_to_complex(pts_default_dtype());
        }
        tier[k] = tier[k] == PTS_DTYPE_INVALID ? d : pts_promote_types(tier[k], d);
    }
    PtsDType r = PTS_DTYPE_INVALID;
    for (int k = 0; k < 3; k++) {
        if (tier[k] == PTS_DTYPE_INVALID) continue;
        if (r == PTS_DTYPE_INVALID) { r = tier[k]; continue; }
        /* complex (torch's combine_categories): a complex lower tier over a floating higher one
         * keeps the higher one's precision (float64 tensor * 1j -> complex128) */
        if (pts_dtype_is_complex(r)) continue;
        if (pts_dtype_is_complex(tier[k])) {
            r = pts_dtype_is_float(r) ? pts_dtype_to_complex(r) : tier[k];
            continue;
        }
        /* a lower tier only matters when its kind is higher */
        if (pts_dtype_kind(tier[k]) > pts_dtype_kind(r)) {
            if (k == 2 && pts_dtype_is_float(tier[k])) r = pts_default_dtype();
            else if (k == 2 && tier[k] == PTS_INT64) r = PTS_INT64;
            else r = tier[k];
        }
    }
    return r == PTS_DTYPE_INVALID ? pts_default_dtype() : r;
}

PtsDType pts_result_type_scalar(const PtsTensor *t, PtsValue scalar) {
    int sk = scalar.tag == PTS_V_COMPLEX ? PTS_KIND_COMPLEX
             : scalar.tag == PTS_V_DOUBLE ? PTS_KIND_FLOAT : scalar.tag == PTS_V_INT ? PTS_KIND_INT
                                                                                 : PTS_KIND_BOOL;
    if (sk > pts_dtype_kind(t->dtype)) {
        if (sk == PTS_KIND_COMPLEX)
            return pts_dtype_to_complex(pts_dtype_is_float(t->dtype) ? t->dtype : pts_default_dtype());
        return sk == PTS_KIND_FLOAT ? pts_default_dtype() : PTS_INT64;
    }
    return t->dtype;
}

PtsStatus pts_wrap_scalar(PtsValue v, PtsError *err, PtsTensor **out) {
    switch (v.tag) {
    case PTS_V_BOOL: PTS_TRY(pts_tensor_scalar_i64(PTS_BOOL, v.u.b, err, out)); break;
    case PTS_V_INT: PTS_TRY(pts_tensor_scalar_i64(PTS_INT64, v.u.i, err, out)); break;
    case PTS_V_DOUBLE: PTS_TRY(pts_tensor_scalar_f64(PTS_FLOAT64, v.u.d, err, out)); break;
    case PTS_V_COMPLEX:
        PTS_TRY(pts_tensor_new(PTS_COMPLEX128, 0, NULL, err, out));
        pts_store_c128(PTS_COMPLEX128, pts_tensor_data(*out), pts_as_complex(v)->re, pts_as_complex(v)->im);
        break;
    case PTS_V_TENSOR: *out = pts_tensor_retain(v.u.t); return PTS_OK;
    default: return pts_fail(err, PTS_ERR_TYPE, "expected a number");
    }
    (*out)->flags |= PTS_TF_WRAPPED_NUMBER;
    return PTS_OK;
}

PtsStatus pts_wrap_dim(int64_t dim, int ndim, PtsError *err, int *out) {
    int64_t n = ndim > 0 ? ndim : 1;
    if (dim < -n || dim >= n)
        return pts_fail(err, PTS_ERR_INDEX,
                        "Dimension out of range (expected to be in range of [%lld, %lld], but got %lld)",
                        (long long)-n, (long long)(n - 1), (long long)dim);
    *out = (int)(dim < 0 ? dim + n : dim);
    return PTS_OK;
}

bool pts_can_cast(PtsDType from, PtsDType to) {
    int kf = pts_dtype_kind(from), kt = pts_dtype_kind(to);
    if (kf == PTS_KIND_COMPLEX && kt != PTS_KIND_COMPLEX) return false;
    if (kf == PTS_KIND_FLOAT && kt != PTS_KIND_FLOAT) return false;
    if (kf != PTS_KIND_BOOL && kt == PTS_KIND_BOOL) return false;
    return true;
}

PtsStatus pts_out_assign(PtsTensor *out, PtsTensor *result, PtsError *err) {
    if (!pts_can_cast(result->dtype, out->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                        pts_dtype_name(result->dtype), pts_dtype_name(out->dtype));
    bool same = out->ndim == result->ndim &&
                memcmp(out->shape, result->shape, sizeof(int64_t) * (size_t)out->ndim) == 0;
    if (!same) {
        PTS_CHECK(pts_numel(out) == 0 || pts_numel(out) == pts_numel(result), err, RUNTIME,
                  "out= tensor of %lld elements cannot be resized to %lld elements",
                  (long long)pts_numel(out), (long long)pts_numel(result));
        /* resize in place: new contiguous storage when too small */
        size_t need = (size_t)pts_numel(result) * pts_dtype_size(out->dtype);
        if (need > out->storage->nbytes - (size_t)out->offset * pts_dtype_size(out->dtype)) {
            PtsStorage *st;
            PTS_TRY(pts_storage_new(need, err, &st));
            pts_storage_release(out->storage);
            out->storage = st;
            out->offset = 0;
        }
        out->ndim = result->ndim;
        memcpy(out->shape, result->shape, sizeof(int64_t) * (size_t)result->ndim);
        pts_contiguous_strides(out->ndim, out->shape, out->strides);
    }
    return pts_tensor_copy_(out, result, err);
}

/* ---- dispatch hook gate ---- */
_Thread_local int pts_tls_hook_depth = 0;    /* >0 while a hook (tracing) wants every op */
_Thread_local bool pts_tls_grad_enabled = true;

static bool tensor_wants(const PtsTensor *t) { return t && t->autograd != NULL; }

bool pts_dispatch_hook_wanted(PtsOpId id, const PtsValue *args) {
    if (pts_tls_hook_depth > 0) return true;
    if (!pts_tls_grad_enabled) return false;
    const PtsSchema *s = &pts_op_info[id].schema;
    for (int i = 0; i < s->nargs; i++) {
        if (args[i].tag == PTS_V_TENSOR && tensor_wants(args[i].u.t)) return true;
        if (args[i].tag == PTS_V_LIST) {
            /* only Tensor[] / Tensor?[] arguments: a generic list op (append, len, [i]...) never
             * records a gradient, and scanning its list on every call made append loops quadratic */
            PtsList *l = pts_as_list(args[i]);
            if (s->args[i].type.kind != PTS_T_TENSOR) continue;
            for (int64_t j = 0; j < l->len; j++)
                if (l->items[j].tag == PTS_V_TENSOR && tensor_wants(l->items[j].u.t)) return true;
        }
    }
    return false;
}
