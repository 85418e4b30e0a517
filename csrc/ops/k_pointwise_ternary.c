/* k_pointwise_ternary.c: elementwise ops with bounds, conditions or weights: clamp (Scalar and
 * Tensor bounds, clamp_min, clamp_max), where, masked_fill, lerp, addcmul, addcdiv. Scalar
 * parameters ride in the loop context; tensor parameters are broadcast operands. */
#include "pwloops.h"

/* ---- clamp ----
 * NaN in the input or in a bound gives NaN (PyTorch's vectorised clamp, and its rule that a NaN
 * Scalar bound fills NaN); a lower bound above the upper one gives the upper. */
#define CLAMP_LO(x, lo)                                                                        \
    ({ PTS_T(x) lo_ = (lo), t_ = (x) < lo_ ? lo_ : (x); lo_ != lo_ ? lo_ : t_; })
#define CLAMP_HI(x, hi)                                                                        \
    ({ PTS_T(x) hi_ = (hi), t_ = (x) > hi_ ? hi_ : (x); hi_ != hi_ ? hi_ : t_; })
/* written with temporaries so the compiler if-converts and vectorises it; a NaN x stays NaN
 * through both comparisons */
#define CLAMP(x, lo, hi)                                                                       \
    ({                                                                                         \
        PTS_T(x) lo_ = (lo), hi_ = (hi);                                                       \
        PTS_T(x) t_ = (x) < lo_ ? lo_ : (x);                                                   \
        t_ = t_ > hi_ ? hi_ : t_;                                                              \
        (lo_ != lo_ || hi_ != hi_) ? (PTS_T(x))(lo_ + hi_) : t_;                               \
    })
/* scalar bounds: c->d / c->i min, c->d2 / c->i2 max */
#define S_LO(x) PTS_CTX_AS(x, c->d, c->i)
#define S_HI(x) PTS_CTX_AS(x, c->d2, c->i2)
PTS_UN_F(clamp_s, CLAMP(x, S_LO(x), S_HI(x)))
PTS_UN_I(clamp_s, CLAMP(x, S_LO(x), S_HI(x)))
static const PtsPwOp op_clamp_s = { "clamp_scalar_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(clamp_s), PTS_T_I(clamp_s) } };
PTS_UN_F(clamp_min_s, CLAMP_LO(x, S_LO(x)))
PTS_UN_I(clamp_min_s, CLAMP_LO(x, S_LO(x)))
static const PtsPwOp op_clamp_min_s = { "clamp_min_scalar_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(clamp_min_s), PTS_T_I(clamp_min_s) } };
PTS_UN_F(clamp_max_s, CLAMP_HI(x, S_LO(x)))
PTS_UN_I(clamp_max_s, CLAMP_HI(x, S_LO(x)))
static const PtsPwOp op_clamp_max_s = { "clamp_max_scalar_cpu", PTS_PW_STRICT_OUT, { PTS_T_F(clamp_max_s), PTS_T_I(clamp_max_s) } };
/* tensor bounds: both -> clamp (no bool); one -> maximum / minimum (bool allowed) */
PTS_TER_F(clamp_t, CLAMP(x, y, z))
PTS_TER_I(clamp_t, CLAMP(x, y, z))
static const PtsPwOp op_clamp_t = { "clamp_cpu", 0, { PTS_T_F(clamp_t), PTS_T_I(clamp_t) } };
PTS_BIN_F(cmax, x != x ? x : (y != y ? y : (x > y ? x : y)))
PTS_BIN_I(cmax, x > y ? x : y)
PTS_BIN_B(cmax, x || y)
static const PtsPwOp op_cmax = { "maximum_cpu", 0, { PTS_T_F(cmax), PTS_T_I(cmax), PTS_T_B(cmax) } };
PTS_BIN_F(cmin, x != x ? x : (y != y ? y : (x < y ? x : y)))
PTS_BIN_I(cmin, x < y ? x : y)
PTS_BIN_B(cmin, x && y)
static const PtsPwOp op_cmin = { "minimum_cpu", 0, { PTS_T_F(cmin), PTS_T_I(cmin), PTS_T_B(cmin) } };

static bool is_wrapped(const PtsTensor *t) { return t && (t->flags & PTS_TF_WRAPPED_NUMBER); }

/* A bound as a Scalar value: NONE, a number, or a wrapped-number tensor's value. */
static PtsValue bound_value(PtsValue v) {
    if (v.tag != PTS_V_TENSOR) return v;
    PtsTensor *t = v.u.t;
    if (pts_dtype_is_float(t->dtype)) return pts_vdouble(pts_tensor_item_f64(t));
    if (t->dtype == PTS_BOOL) return pts_vbool(pts_tensor_item_i64(t) != 0);
    return pts_vint(pts_tensor_item_i64(t));
}

/* which: 0 clamp, 1 clamp_min, 2 clamp_max (lo carries the one bound) */
static PtsStatus clamp_scalar(int which, PtsTensor *self, PtsValue lo, PtsValue hi, PtsTensor *out,
                              PtsError *err, PtsValue *res) {
    lo = bound_value(lo);
    hi = bound_value(hi);
    if (lo.tag == PTS_V_NONE && hi.tag == PTS_V_NONE)
        return pts_fail(err, PTS_ERR_RUNTIME, "torch.clamp: At least one of 'min' or 'max' must not be None");
    if (which == 0 && lo.tag == PTS_V_NONE) { which = 2; lo = hi; hi = pts_none(); }
    else if (which == 0 && hi.tag == PTS_V_NONE) which = 1;
    PtsTensor *ts[3] = { self, NULL, NULL };
    PtsStatus s = PTS_OK;
    if ((s = pts_wrap_scalar(lo, err, &ts[1]))) goto done;
    if (hi.tag != PTS_V_NONE && (s = pts_wrap_scalar(hi, err, &ts[2]))) goto done;
    PtsDType common = pts_result_type(ts, 3);
    if ((s = pts_pw_check_scalar(lo, common, err)) || (s = pts_pw_check_scalar(hi, common, err)))
        goto done;
    PtsPwCtx c = { pts_value_to_f64(lo), pts_value_to_f64(hi), pts_value_to_i64(lo),
                   pts_value_to_i64(hi) };
    const PtsPwOp *op = which == 0 ? &op_clamp_s : which == 1 ? &op_clamp_min_s : &op_clamp_max_s;
    PtsTensor *r;
    s = pts_pw_ret(pts_pointwise(op, 1, &self, NULL, common, out, &c, err, &r), &r, res);
done:
    pts_tensor_release(ts[1]);
    pts_tensor_release(ts[2]);
    return s;
}

/* Tensor bounds; Python numbers (wrapped numbers) take the Scalar form, as PyTorch binds them. */
static PtsStatus clamp_tensor(int which, PtsTensor *self, PtsValue lo, PtsValue hi,
                              PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsTensor *tl = lo.tag == PTS_V_TENSOR ? lo.u.t : NULL, *th = hi.tag == PTS_V_TENSOR ? hi.u.t : NULL;
    if ((!tl || is_wrapped(tl)) && (!th || is_wrapped(th)))
        return clamp_scalar(which, self, lo, hi, out, err, res);
    /* PyTorch binds either two Tensor bounds or two Scalar bounds */
    PTS_CHECK(!is_wrapped(tl) && !is_wrapped(th), err, TYPE,
              "clamp() received an invalid combination of arguments - got a Tensor and a number "
              "as bounds");
    if (which == 0 && !tl) { which = 2; tl = th; th = NULL; }
    else if (which == 0 && !th) which = 1;
    PtsTensor *ts[3] = { self, tl, th }, *r;
    PtsDType common = pts_result_type(ts, th ? 3 : 2);
    const PtsPwOp *op = which == 0 ? &op_clamp_t : which == 1 ? &op_cmax : &op_cmin;
    return pts_pw_ret(pts_pointwise(op, th ? 3 : 2, ts, NULL, common, out, NULL, err, &r), &r, res);
}

PtsStatus k_CLAMP(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_scalar(0, a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_CLAMP_(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_scalar(0, a[0].u.t, a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_CLAMP_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_scalar(0, a[0].u.t, a[1], a[2], a[3].u.t, err, out); }
PtsStatus k_CLAMP_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_tensor(0, a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_CLAMP__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_tensor(0, a[0].u.t, a[1], a[2], a[0].u.t, err, out); }
PtsStatus k_CLAMP_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return clamp_tensor(0, a[0].u.t, a[1], a[2], a[3].u.t, err, out); }
#define CLAMP1_KERNELS(ID, WHICH)                                                              \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return clamp_scalar(WHICH, a[0].u.t, a[1], pts_none(), NULL, err, out);                \
    }                                                                                          \
    PtsStatus k_##ID##_(PtsValue *a, PtsValue *out, PtsError *err) {                           \
        return clamp_scalar(WHICH, a[0].u.t, a[1], pts_none(), a[0].u.t, err, out);            \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return clamp_scalar(WHICH, a[0].u.t, a[1], pts_none(), a[2].u.t, err, out);            \
    }                                                                                          \
    PtsStatus k_##ID##_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                     \
        return clamp_tensor(WHICH, a[0].u.t, a[1], pts_none(), NULL, err, out);                \
    }                                                                                          \
    PtsStatus k_##ID##__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return clamp_tensor(WHICH, a[0].u.t, a[1], pts_none(), a[0].u.t, err, out);            \
    }                                                                                          \
    PtsStatus k_##ID##_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                 \
        return clamp_tensor(WHICH, a[0].u.t, a[1], pts_none(), a[2].u.t, err, out);            \
    }
CLAMP1_KERNELS(CLAMP_MIN, 1)
CLAMP1_KERNELS(CLAMP_MAX, 2)

/* ---- where(condition, self, other) ---- */
/* conditions and masks are read as bytes: the compiler vectorises a uint8 select, not a bool */
#define WHERE_ONE_(S, T, _) PTS_LOOP3(where_##S, uint8_t, T, T, T, x != 0 ? y : z)
PTS_FOR_F(WHERE_ONE_, 0)
PTS_FOR_I(WHERE_ONE_, 0)
PTS_FOR_B(WHERE_ONE_, 0)
static const PtsPwOp op_where = { "where_cpu", PTS_PW_STRICT_OUT, { PTS_T_ALL(where) } };

static PtsStatus where_impl(PtsTensor *cond, PtsValue a, PtsValue b, PtsTensor *out,
                            PtsError *err, PtsValue *res) {
    /* uint8 conditions are still accepted (deprecated in PyTorch) */
    PTS_CHECK(cond->dtype == PTS_BOOL || cond->dtype == PTS_UINT8, err, RUNTIME,
              "where expected condition to be a boolean tensor, but got a tensor with dtype %s",
              pts_pw_type_name(cond->dtype));
    PtsTensor *ts[3] = { cond, NULL, NULL }, *r;
    PtsStatus s;
    if ((s = pts_wrap_scalar(a, err, &ts[1])) || (s = pts_wrap_scalar(b, err, &ts[2]))) goto done;
    static const PtsDType in_dt[3] = { PTS_BOOL, PTS_DTYPE_INVALID, PTS_DTYPE_INVALID };
    PtsDType common = pts_result_type(ts + 1, 2);
    /* numbers are range-checked against the result dtype (not for float16/bfloat16, which
     * PyTorch fills through float) */
    for (int i = 1; i < 3 && pts_pw_compute_dtype(common) == common; i++)
        if (is_wrapped(ts[i]) && (s = pts_pw_check_scalar(pts_vtensor(ts[i]), common, err))) goto done;
    s = pts_pw_ret(pts_pointwise(&op_where, 3, ts, in_dt, common, out, NULL, err, &r), &r, res);
done:
    pts_tensor_release(ts[1]);
    pts_tensor_release(ts[2]);
    return s;
}
PtsStatus k_WHERE_SELF(PtsValue *a, PtsValue *out, PtsError *err) { return where_impl(a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_WHERE_SCALARSELF(PtsValue *a, PtsValue *out, PtsError *err) { return where_impl(a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_WHERE_SCALAROTHER(PtsValue *a, PtsValue *out, PtsError *err) { return where_impl(a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_WHERE_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return where_impl(a[0].u.t, a[1], a[2], NULL, err, out); }
PtsStatus k_WHERE_SELF_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return where_impl(a[0].u.t, a[1], a[2], a[3].u.t, err, out); }

/* ---- masked_fill(self, mask, value): the value is cast to self's dtype ---- */
#define MFILL_ONE_(S, T, _) PTS_LOOP3(mfill_##S, T, uint8_t, T, T, y != 0 ? z : x)
PTS_FOR_F(MFILL_ONE_, 0)
PTS_FOR_I(MFILL_ONE_, 0)
PTS_FOR_B(MFILL_ONE_, 0)
static const PtsPwOp op_masked_fill = { "masked_fill", 0, { PTS_T_ALL(mfill) } };

static PtsStatus masked_fill_impl(PtsTensor *self, PtsTensor *mask, PtsValue value, PtsTensor *out,
                                  PtsError *err, PtsValue *res) {
    PTS_CHECK(mask->dtype == PTS_BOOL, err, RUNTIME,
              "masked_fill_ only supports boolean masks, but got mask with dtype %s",
              pts_dtype_name(mask->dtype));
    PTS_CHECK(value.tag != PTS_V_TENSOR || value.u.t->ndim == 0, err, RUNTIME,
              "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with %d "
              "dimension(s).", value.tag == PTS_V_TENSOR ? value.u.t->ndim : 0);
    PTS_TRY(pts_pw_check_scalar(value, self->dtype, err));
    PtsTensor *ts[3] = { self, mask, NULL }, *r;
    PTS_TRY(pts_wrap_scalar(value, err, &ts[2]));
    static const PtsDType in_dt[3] = { PTS_DTYPE_INVALID, PTS_BOOL, PTS_DTYPE_INVALID };
    PtsStatus s = pts_pw_ret(pts_pointwise(&op_masked_fill, 3, ts, in_dt, self->dtype, out, NULL,
                                           err, &r), &r, res);
    pts_tensor_release(ts[2]);
    return s;
}
PtsStatus k_MASKED_FILL_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return masked_fill_impl(a[0].u.t, a[1].u.t, a[2], NULL, err, out); }
PtsStatus k_MASKED_FILL_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return masked_fill_impl(a[0].u.t, a[1].u.t, a[2], NULL, err, out); }
PtsStatus k_MASKED_FILL__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return masked_fill_impl(a[0].u.t, a[1].u.t, a[2], a[0].u.t, err, out); }
PtsStatus k_MASKED_FILL__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return masked_fill_impl(a[0].u.t, a[1].u.t, a[2], a[0].u.t, err, out); }

/* ---- lerp: self + w (end - self), from the far end when |w| >= 0.5 (PyTorch's Lerp.h) ---- */
#define LERP(x, y, w) \
    (PTS_FN1(fabs, w) < (PTS_T(x))0.5 ? x + (w) * ((y) - (x)) : (y) - ((y) - (x)) * ((PTS_T(x))1 - (w)))
PTS_BIN_F(lerp_s, LERP(x, y, (PTS_T(x))c->d))
static const PtsPwOp op_lerp_s = { "lerp_kernel_scalar", 0, { PTS_T_F(lerp_s) } };
PTS_TER_F(lerp_t, LERP(x, y, z))
static const PtsPwOp op_lerp_t = { "lerp_kernel_tensor", PTS_PW_STRICT_OUT, { PTS_T_F(lerp_t) } };

static PtsStatus lerp_impl(PtsTensor *self, PtsTensor *end, PtsValue weight, PtsTensor *out,
                           PtsError *err, PtsValue *res) {
    PTS_CHECK(self->dtype == end->dtype, err, RUNTIME, "expected dtype %s for `end` but got dtype %s",
              pts_dtype_name(self->dtype), pts_dtype_name(end->dtype));
    PtsTensor *r;
    if (weight.tag != PTS_V_TENSOR || is_wrapped(weight.u.t)) {
        PTS_TRY(pts_pw_check_scalar(weight, pts_pw_compute_dtype(self->dtype), err));
        PtsPwCtx c = { pts_value_to_f64(weight), 0, 0, 0 };
        PtsTensor *ts[2] = { self, end };
        return pts_pw_ret(pts_pointwise(&op_lerp_s, 2, ts, NULL, self->dtype, out, &c, err, &r), &r, res);
    }
    /* a 0-dim weight of another real dtype is converted, as torch promotes it (a complex one
     * takes the complex kernels) */
    PTS_CHECK(self->dtype == weight.u.t->dtype || weight.u.t->ndim == 0, err, RUNTIME,
              "expected dtype %s for `weight` but got dtype %s", pts_dtype_name(self->dtype),
              pts_dtype_name(weight.u.t->dtype));
    PtsTensor *w = NULL;
    PTS_TRY(pts_tensor_to(weight.u.t, self->dtype, false, err, &w));
    PtsTensor *ts[3] = { self, end, w };
    PtsStatus s = pts_pw_ret(pts_pointwise(&op_lerp_t, 3, ts, NULL, self->dtype, out, NULL, err, &r), &r, res);
    pts_tensor_release(w);
    return s;
}
PtsStatus k_LERP_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], NULL, err, out); }
PtsStatus k_LERP_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], NULL, err, out); }
PtsStatus k_LERP__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], a[0].u.t, err, out); }
PtsStatus k_LERP__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], a[0].u.t, err, out); }
PtsStatus k_LERP_SCALAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], a[3].u.t, err, out); }
PtsStatus k_LERP_TENSOR_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return lerp_impl(a[0].u.t, a[1].u.t, a[2], a[3].u.t, err, out); }

/* ---- addcmul: self + value * t1 * t2; addcdiv: self + value * t1 / t2 ---- */
PTS_TER_F(addcmul, x + (PTS_T(x))c->d * y * z)
PTS_TER_I(addcmul, PTS_WADD(x, PTS_WMUL(PTS_WMUL((PTS_T(x))c->i, y), z)))
static const PtsPwOp op_addcmul = { "addcmul_cpu_out", 0, { PTS_T_F(addcmul), PTS_T_I(addcmul) } };
PTS_TER_F(addcdiv, x + (PTS_T(x))c->d * y / z)
static const PtsPwOp op_addcdiv = { "addcdiv_cpu_out", 0, { PTS_T_F(addcdiv) } };

static PtsStatus addc_impl(bool div, PtsValue *a, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsTensor *ts[3] = { a[0].u.t, a[1].u.t, a[2].u.t }, *r;
    if (div && !pts_dtype_is_float(ts[1]->dtype) && !pts_dtype_is_float(ts[2]->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Integer division with addcdiv is no longer supported, and in a future  "
                        "release addcdiv will perform a true division of tensor1 and tensor2. The "
                        "historic addcdiv behavior can be implemented as (input + value * "
                        "torch.trunc(tensor1 / tensor2)).to(input.dtype) using Python 3 division "
                        "(the '/' operator).");
    PtsDType common = pts_result_type(ts, 3);
    PTS_TRY(pts_pw_check_scalar(a[3], pts_pw_compute_dtype(common), err));
    PtsPwCtx c = { pts_value_to_f64(a[3]), 0, pts_value_to_i64(a[3]), 0 };
    return pts_pw_ret(pts_pointwise(div ? &op_addcdiv : &op_addcmul, 3, ts, NULL, common, out, &c,
                                    err, &r), &r, res);
}
PtsStatus k_ADDCMUL(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(false, a, NULL, err, out); }
PtsStatus k_ADDCMUL_(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(false, a, a[0].u.t, err, out); }
PtsStatus k_ADDCMUL_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(false, a, a[4].u.t, err, out); }
PtsStatus k_ADDCDIV(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(true, a, NULL, err, out); }
PtsStatus k_ADDCDIV_(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(true, a, a[0].u.t, err, out); }
PtsStatus k_ADDCDIV_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return addc_impl(true, a, a[4].u.t, err, out); }
