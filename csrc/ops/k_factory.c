/* k_factory.c: kernels of ops_factory.def: tensor creation (zeros, full, arange, linspace, eye,
 * the *_like family), random tensors (rand, randn, randint, randperm, normal, bernoulli) and the
 * in-place fills (uniform_, normal_, fill_, zero_, copy_). Checks and messages follow ATen; the
 * sampling itself lives in random.c. arange and linspace repeat the arithmetic of ATen's
 * vectorised CPU loops (see fill_arange) so that float results agree to the last bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"
#include "random.h"

/* ================= argument helpers ================= */
static PtsStatus arg_dtype(PtsValue v, PtsDType def, PtsError *err, PtsDType *out) {
    if (v.tag == PTS_V_NONE) { *out = def; return PTS_OK; }
    PTS_CHECK(v.tag == PTS_V_INT && pts_dtype_valid((int)v.u.i), err, VALUE, "unsupported dtype");
    *out = (PtsDType)v.u.i;
    return PTS_OK;
}

static PtsStatus arg_size(PtsValue v, int *nd, int64_t *shape, PtsError *err) {
    return pts_value_int_list(v, shape, PTS_MAX_DIMS, nd, err);
}

static bool scalar_is_float(PtsValue v) {
    return v.tag == PTS_V_DOUBLE || (v.tag == PTS_V_TENSOR && pts_dtype_is_float(v.u.t->dtype));
}
static bool scalar_is_bool(PtsValue v) {
    return v.tag == PTS_V_BOOL || (v.tag == PTS_V_TENSOR && v.u.t->dtype == PTS_BOOL);
}

/* a Scalar argument, normalised to BOOL, INT or DOUBLE */
static PtsValue scalar_of(PtsValue v) {
    if (v.tag != PTS_V_TENSOR) return v;
    if (pts_dtype_is_float(v.u.t->dtype)) return pts_vdouble(pts_tensor_item_f64(v.u.t));
    if (v.u.t->dtype == PTS_BOOL) return pts_vbool(pts_tensor_item_i64(v.u.t) != 0);
    return pts_vint(pts_tensor_item_i64(v.u.t));
}

static PtsValue ret_tensor(PtsValue *out, PtsTensor *t) {
    out[0] = pts_vtensor(t);
    return out[0];
}

/* c10's type names in conversion messages ("value cannot be converted to type uint8_t ...") */
static const char *c10_type_name(PtsDType d) {
    switch (d) {
    case PTS_UINT8: return "uint8_t";
    case PTS_INT8: return "int8_t";
    case PTS_INT16: return "int16_t";
    case PTS_INT32: return "int";
    case PTS_INT64: return "int64_t";
    case PTS_FLOAT16: return "c10::Half";
    case PTS_BFLOAT16: return "c10::BFloat16";
    case PTS_FLOAT32: return "float";
    case PTS_FLOAT64: return "double";
    default: return "bool";
    }
}

/* TypeMeta names, used by the random_ / uniform_ bound messages ("to - 1 is out of bounds for int") */
static const char *typemeta_name(PtsDType d) {
    switch (d) {
    case PTS_UINT8: return "unsigned char";
    case PTS_INT8: return "signed char";
    case PTS_INT16: return "short int";
    case PTS_INT32: return "int";
    case PTS_INT64: return "long int";
    case PTS_FLOAT16: return "c10::Half";
    case PTS_BFLOAT16: return "c10::BFloat16";
    case PTS_FLOAT32: return "float";
    case PTS_FLOAT64: return "double";
    default: return "bool";
    }
}

static void dtype_limits(PtsDType d, double *lo, double *hi) {
    switch (d) {
    case PTS_UINT8: *lo = 0; *hi = 255; break;
    case PTS_INT8: *lo = -128; *hi = 127; break;
    case PTS_INT16: *lo = -32768; *hi = 32767; break;
    case PTS_INT32: *lo = -2147483648.0; *hi = 2147483647.0; break;
    case PTS_INT64: *lo = -9223372036854775808.0; *hi = 9223372036854775807.0; break;
    case PTS_FLOAT16: *lo = -65504.0; *hi = 65504.0; break;
    case PTS_BFLOAT16: *lo = -3.3895313892515355e38; *hi = 3.3895313892515355e38; break;
    case PTS_FLOAT32: *lo = -3.4028234663852886e38; *hi = 3.4028234663852886e38; break;
    case PTS_FLOAT64: *lo = -1.7976931348623157e308; *hi = 1.7976931348623157e308; break;
    default: *lo = 0; *hi = 1; break;
    }
}

static PtsStatus not_implemented(const char *what, PtsDType d, PtsError *err) {
    return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s\" not implemented for '%s'", what,
                    pts_dtype_torch_name(d));
}

/* c10::checked_convert: a fill value must fit the element type. Integers wrap into uint8 from
 * as low as -255; floats may be inf or NaN; bool takes anything. (ATen's one-element fill skips
 * the check for Half and BFloat16; so do we.) A Python int past int64 reaches us as a double, so
 * 2^63 is refused for int64 as torch refuses the int. */
static PtsStatus check_fits(PtsValue v, PtsDType dt, int64_t numel, PtsError *err) {
    v = scalar_of(v);
    if (dt == PTS_BOOL || v.tag == PTS_V_BOOL) return PTS_OK;
    if (numel == 1 && (dt == PTS_FLOAT16 || dt == PTS_BFLOAT16)) return PTS_OK;
    double lo, hi;
    dtype_limits(dt, &lo, &hi);
    bool bad;
    if (v.tag == PTS_V_INT) {
        int64_t i = v.u.i;
        if (dt == PTS_UINT8) bad = i > 255 || i < -255;
        else if (dt == PTS_INT64) bad = false;
        else bad = (double)i < lo || (double)i > hi;
    } else {
        double d = v.u.d;
        if (pts_dtype_is_float(dt)) bad = isfinite(d) && (d < lo || d > hi);
        else bad = isnan(d) || d < lo || d > hi || (dt == PTS_INT64 && d >= 9223372036854775808.0);
    }
    PTS_CHECK(!bad, err, RUNTIME, "value cannot be converted to type %s without overflow",
              c10_type_name(dt));
    return PTS_OK;
}

/* t[...] = v (converted to t's dtype; float to integer truncates) */
static PtsStatus fill_value(PtsTensor *t, PtsValue v, PtsError *err) {
    v = scalar_of(v);
    PtsTensor *s;
    if (v.tag == PTS_V_DOUBLE) PTS_TRY(pts_tensor_scalar_f64(t->dtype, v.u.d, err, &s));
    else PTS_TRY(pts_tensor_scalar_i64(t->dtype, v.tag == PTS_V_BOOL ? v.u.b : v.u.i, err, &s));
    PtsStatus st = pts_tensor_copy_(t, s, err);
    pts_tensor_release(s);
    return st;
}

/* The result of an out= variant: written into out (resized when empty), out returned. */
static PtsStatus to_out(PtsTensor *out, PtsTensor *r, PtsError *err, PtsValue *res) {
    PtsStatus s = pts_out_assign(out, r, err);
    pts_tensor_release(r);
    if (s) return s;
    ret_tensor(res, pts_tensor_retain(out));
    return PTS_OK;
}

/* A tensor shaped like self whose strides keep self's dim order (memory_format=preserve). */
static PtsStatus new_like(const PtsTensor *self, PtsDType dt, PtsError *err, PtsTensor **out) {
    int nd = self->ndim, order[PTS_MAX_DIMS];
    int64_t strides[PTS_MAX_DIMS], st = 1;
    pts_visit_order(self, order);
    for (int k = nd - 1; k >= 0; k--) {
        strides[order[k]] = st;
        st *= self->shape[order[k]] > 1 ? self->shape[order[k]] : 1;
    }
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(dt, nd, self->shape, err, &r));
    memcpy(r->strides, strides, sizeof(int64_t) * (size_t)nd);
    *out = r;
    return PTS_OK;
}

/* ================= zeros, ones, empty, full ================= */
static PtsStatus make_filled(PtsValue size, PtsDType dt, PtsValue fill, bool zeros_msg,
                             PtsError *err, PtsTensor **out) {
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(arg_size(size, &nd, shape, err));
    if (zeros_msg)
        for (int i = 0; i < nd; i++)
            PTS_CHECK(shape[i] >= 0, err, RUNTIME, "zeros: Dimension size must be non-negative.");
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(dt, nd, shape, err, &r));
    PtsStatus s = PTS_OK;
    if (fill.tag == PTS_V_NONE) memset(r->storage->data, 0, r->storage->nbytes);
    else s = fill_value(r, fill, err);
    if (s) { pts_tensor_release(r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus k_ZEROS(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[1], pts_default_dtype(), err, &dt));
    PTS_TRY(make_filled(a[0], dt, pts_none(), true, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_ZEROS_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(make_filled(a[0], a[1].u.t->dtype, pts_none(), true, err, &r));
    return to_out(a[1].u.t, r, err, out);
}

PtsStatus k_ONES(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[1], pts_default_dtype(), err, &dt));
    PTS_TRY(make_filled(a[0], dt, pts_vint(1), false, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_ONES_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(make_filled(a[0], a[1].u.t->dtype, pts_vint(1), false, err, &r));
    return to_out(a[1].u.t, r, err, out);
}

/* empty() returns zeroed memory: reading it is undefined in PyTorch, and zeros keep results
 * reproducible. */
PtsStatus k_EMPTY_MEMORY_FORMAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[1], pts_default_dtype(), err, &dt));
    PTS_TRY(make_filled(a[0], dt, pts_none(), false, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

/* full infers its dtype from the fill value: bool, int64, or the default float */
static PtsDType dtype_of_scalar(PtsValue v) {
    if (scalar_is_bool(v)) return PTS_BOOL;
    if (scalar_is_float(v)) return pts_default_dtype();
    return PTS_INT64;
}

static PtsStatus full_impl(PtsValue size, PtsValue fill, PtsDType dt, PtsError *err,
                           PtsTensor **out) {
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(arg_size(size, &nd, shape, err));
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(dt, nd, shape, err, &r));
    PtsStatus s = check_fits(fill, dt, pts_numel(r), err);
    if (!s) s = fill_value(r, fill, err);
    if (s) { pts_tensor_release(r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus k_FULL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[2], dtype_of_scalar(a[1]), err, &dt));
    PTS_TRY(full_impl(a[0], a[1], dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_FULL_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(full_impl(a[0], a[1], a[2].u.t->dtype, err, &r));
    return to_out(a[2].u.t, r, err, out);
}

/* ================= new_zeros, new_ones, new_empty, new_full =================
 * self gives the default dtype (and device); new_empty is zero-filled, as empty is. */
static PtsStatus new_filled(PtsValue *a, PtsValue dtype, PtsValue fill, bool zeros_msg, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(dtype, a[0].u.t->dtype, err, &dt));
    PTS_TRY(make_filled(a[1], dt, fill, zeros_msg, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_NEW_ZEROS(PtsValue *a, PtsValue *out, PtsError *err) { return new_filled(a, a[2], pts_none(), true, out, err); }
PtsStatus k_NEW_ONES(PtsValue *a, PtsValue *out, PtsError *err) { return new_filled(a, a[2], pts_vint(1), false, out, err); }
PtsStatus k_NEW_EMPTY(PtsValue *a, PtsValue *out, PtsError *err) { return new_filled(a, a[2], pts_none(), false, out, err); }

PtsStatus k_NEW_FULL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[3], a[0].u.t->dtype, err, &dt));
    PTS_TRY(full_impl(a[1], a[2], dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

/* ================= arange =================
 * ATen computes in the accumulate type (int64 for integers, double for float/double, float for
 * Half/BFloat16). Its contiguous loop fills vectors of W = 32 bytes / itemsize elements two at a
 * time: each vector starts from base = start + step * idx and holds base + k * step; the tail past
 * the last pair of vectors is start + step * idx per element. The AVX2 build fuses both
 * multiply-adds. Elements after the first of a vector can differ in the last bit from the direct
 * formula, so we repeat the scheme. */
static int vec_width(PtsDType dt) { return 32 / (int)pts_dtype_size(dt); }

static void fill_arange_f64(PtsTensor *r, double start, double step) {
    int64_t n = pts_numel(r);
    int w = vec_width(r->dtype);
    char *d = pts_tensor_data(r);
    bool f32 = r->dtype == PTS_FLOAT32;
    int64_t i = 0;
    for (; i + 2 * w <= n; i += 2 * w) {
        for (int v = 0; v < 2; v++) {
            int64_t idx = i + (int64_t)v * w;
            double base = fma(step, (double)idx, start);
            if (f32) {
                float b = (float)base;
                for (int k = 0; k < w; k++) ((float *)d)[idx + k] = (float)fma((double)k, step, (double)b);
            } else {
                for (int k = 0; k < w; k++) ((double *)d)[idx + k] = fma((double)k, step, base);
            }
        }
    }
    for (; i < n; i++) {
        double x = fma(step, (double)i, start);
        if (f32) ((float *)d)[i] = (float)x;
        else ((double *)d)[i] = x;
    }
}

static inline float round_low(PtsDType dt, float x) {
    return dt == PTS_FLOAT16 ? pts_half_to_float(pts_float_to_half(x))
                             : pts_bf16_to_float(pts_float_to_bf16(x));
}

static void fill_arange_low(PtsTensor *r, float start, float step) {
    int64_t n = pts_numel(r), i = 0;
    int w = vec_width(r->dtype);
    uint16_t *d = (uint16_t *)pts_tensor_data(r);
    PtsDType dt = r->dtype;
    for (; i + 2 * w <= n; i += 2 * w)
        for (int v = 0; v < 2; v++) {
            int64_t idx = i + (int64_t)v * w;
            float base = round_low(dt, fmaf(step, (float)idx, start));
            for (int k = 0; k < w; k++)
                pts_store_f64(dt, d + idx + k, fmaf((float)k, step, base));
        }
    for (; i < n; i++) pts_store_f64(dt, d + i, fmaf(step, (float)i, start));
}

static PtsStatus scalar_to_i64(PtsValue v, PtsError *err, int64_t *out) {
    v = scalar_of(v);
    if (v.tag == PTS_V_DOUBLE) {
        double d = v.u.d;
        PTS_CHECK(!isnan(d) && d >= -9223372036854775808.0 && d <= 9223372036854775807.0, err,
                  RUNTIME, "value cannot be converted to type int64_t without overflow");
        *out = d >= 9223372036854775807.0 ? INT64_MAX : (int64_t)d;
    } else {
        *out = v.tag == PTS_V_BOOL ? v.u.b : v.u.i;
    }
    return PTS_OK;
}

static PtsStatus arange_impl(PtsValue vstart, PtsValue vend, PtsValue vstep, PtsDType dt,
                             PtsError *err, PtsTensor **out) {
    *out = NULL;
    if (dt == PTS_BOOL) return not_implemented("arange_cpu", dt, err);
    double size_d;
    int64_t istart = 0, istep = 0;
    double dstart = pts_value_to_f64(scalar_of(vstart)), dend = pts_value_to_f64(scalar_of(vend));
    double dstep = pts_value_to_f64(scalar_of(vstep));
    if (dt == PTS_INT64) {
        int64_t iend;
        PTS_TRY(scalar_to_i64(vstart, err, &istart));
        PTS_TRY(scalar_to_i64(vend, err, &iend));
        PTS_TRY(scalar_to_i64(vstep, err, &istep));
        /* a fractional step that truncates to 0 is a ValueError in PyTorch, a zero step a
         * RuntimeError */
        if (istep == 0)
            return pts_fail(err, dstep != 0 ? PTS_ERR_VALUE : PTS_ERR_RUNTIME, "step must be nonzero");
        PTS_CHECK((istep > 0 && iend >= istart) || (istep < 0 && iend <= istart), err, RUNTIME,
                  "upper bound and lower bound inconsistent with step sign");
        int64_t sgn = istep > 0 ? 1 : -1;
        uint64_t span = (uint64_t)iend - (uint64_t)istart + (uint64_t)istep - (uint64_t)sgn;
        size_d = (double)((int64_t)span / istep);
    } else {
        /* other dtypes check and count with doubles; smaller integer types then compute the
         * values from the int64-truncated start and step (so a step of 0.5 repeats start) */
        if (pts_dtype_is_int(dt)) {
            PTS_TRY(scalar_to_i64(vstart, err, &istart));
            PTS_TRY(scalar_to_i64(vstep, err, &istep));
        }
        PTS_CHECK(dstep != 0, err, RUNTIME, "step must be nonzero");
        PTS_CHECK(isfinite(dstart) && isfinite(dend), err, RUNTIME, "unsupported range: %g -> %g",
                  dstart, dend);
        PTS_CHECK((dstep > 0 && dend >= dstart) || (dstep < 0 && dend <= dstart), err, RUNTIME,
                  "upper bound and lower bound inconsistent with step sign");
        size_d = ceil((dend - dstart) / dstep);
    }
    PTS_CHECK(size_d >= 0 && size_d <= 9223372036854775807.0, err, RUNTIME,
              "invalid size, possible overflow?");
    int64_t n = (int64_t)size_d;
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(dt, 1, &n, err, &r));
    char *d = pts_tensor_data(r);
    if (pts_dtype_is_int(dt)) {
        size_t isz = pts_dtype_size(dt);
        for (int64_t i = 0; i < n; i++)
            pts_store_i64(dt, d + (size_t)i * isz,
                          (int64_t)((uint64_t)istart + (uint64_t)istep * (uint64_t)i));
    } else if (dt == PTS_FLOAT32 || dt == PTS_FLOAT64) {
        fill_arange_f64(r, dstart, dstep);
    } else {
        fill_arange_low(r, (float)dstart, (float)dstep);
    }
    *out = r;
    return PTS_OK;
}

static PtsDType arange_dtype(PtsValue a, PtsValue b, PtsValue c) {
    if (scalar_is_float(a) || scalar_is_float(b) || scalar_is_float(c)) return pts_default_dtype();
    return PTS_INT64;
}

static PtsStatus arange_k(PtsValue start, PtsValue end, PtsValue step, PtsValue dtv, PtsError *err,
                          PtsValue *out) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(dtv, arange_dtype(start, end, step), err, &dt));
    PTS_TRY(arange_impl(start, end, step, dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_ARANGE(PtsValue *a, PtsValue *out, PtsError *err) {
    return arange_k(pts_vint(0), a[0], pts_vint(1), a[1], err, out);
}
PtsStatus k_ARANGE_START(PtsValue *a, PtsValue *out, PtsError *err) {
    return arange_k(a[0], a[1], pts_vint(1), a[2], err, out);
}
PtsStatus k_ARANGE_START_STEP(PtsValue *a, PtsValue *out, PtsError *err) {
    return arange_k(a[0], a[1], a[2], a[3], err, out);
}
PtsStatus k_ARANGE_START_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(arange_impl(a[0], a[1], a[2], a[3].u.t->dtype, err, &r));
    return to_out(a[3].u.t, r, err, out);
}
PtsStatus k_ARANGE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(arange_impl(pts_vint(0), a[0], pts_vint(1), a[1].u.t->dtype, err, &r));
    return to_out(a[1].u.t, r, err, out);
}

/* ================= linspace =================
 * The first half counts up from start, the second half down from end. The step type is the
 * element type for floating dtypes (so Half rounds every operation) and double for integers. */
#define LIN_MAD(a, b, c) fma((a), (b), (c))    /* the AVX2 build fuses these */
#define LIN_MADF(a, b, c) fmaf((a), (b), (c))
static PtsStatus linspace_impl(PtsValue vs, PtsValue ve, int64_t steps, PtsDType dt, PtsError *err,
                               PtsTensor **out) {
    *out = NULL;
    PTS_CHECK(steps >= 0, err, RUNTIME, "number of steps must be non-negative");
    vs = scalar_of(vs);
    ve = scalar_of(ve);
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(dt, 1, &steps, err, &r));
    if (steps == 0) { *out = r; return PTS_OK; }
    PtsStatus s = PTS_OK;
    if (steps == 1) {
        s = fill_value(r, vs, err);
        if (s) { pts_tensor_release(r); return s; }
        *out = r;
        return PTS_OK;
    }
    if (dt == PTS_BOOL) { pts_tensor_release(r); return not_implemented("linspace_cpu", dt, err); }
    char *d = pts_tensor_data(r);
    int64_t half = steps / 2;
    size_t isz = pts_dtype_size(dt);
    if (pts_dtype_is_int(dt)) {
        /* start and end are converted to the element type first; the step is a double */
        if ((s = check_fits(vs, dt, 2, err)) || (s = check_fits(ve, dt, 2, err))) {
            pts_tensor_release(r);
            return s;
        }
        char buf[8];
        if (vs.tag == PTS_V_DOUBLE) pts_store_f64(dt, buf, vs.u.d); else pts_store_i64(dt, buf, pts_value_to_i64(vs));
        double start = (double)pts_load_i64(dt, buf);
        if (ve.tag == PTS_V_DOUBLE) pts_store_f64(dt, buf, ve.u.d); else pts_store_i64(dt, buf, pts_value_to_i64(ve));
        double end = (double)pts_load_i64(dt, buf);
        double step = (end - start) / (double)(steps - 1);
        for (int64_t i = 0; i < steps; i++)
            pts_store_f64(dt, d + (size_t)i * isz, i < half ? LIN_MAD(step, (double)i, start)
                                                            : LIN_MAD(-step, (double)(steps - i - 1), end));
    } else if (dt == PTS_FLOAT32) {
        float start = (float)pts_value_to_f64(vs), end = (float)pts_value_to_f64(ve);
        float step = (end - start) / (float)(steps - 1);
        float *o = (float *)d;
        for (int64_t i = 0; i < steps; i++)
            o[i] = i < half ? LIN_MADF(step, (float)i, start) : LIN_MADF(-step, (float)(steps - i - 1), end);
    } else if (dt == PTS_FLOAT64) {
        double start = pts_value_to_f64(vs), end = pts_value_to_f64(ve);
        double step = (end - start) / (double)(steps - 1);
        double *o = (double *)d;
        for (int64_t i = 0; i < steps; i++)
            o[i] = i < half ? LIN_MAD(step, (double)i, start) : LIN_MAD(-step, (double)(steps - i - 1), end);
    } else {
        /* Half / BFloat16 arithmetic: every operation rounds to the element type */
#define RL(x) round_low(dt, (x))
        float start = RL((float)pts_value_to_f64(vs)), end = RL((float)pts_value_to_f64(ve));
        float step = RL(RL(end - start) / RL((float)(steps - 1)));
        for (int64_t i = 0; i < steps; i++)
            pts_store_f64(dt, d + (size_t)i * isz, i < half ? RL(start + RL(step * RL((float)i)))
                                                             : RL(end - RL(step * RL((float)(steps - i - 1)))));
#undef RL
    }
    *out = r;
    return PTS_OK;
}

static PtsStatus linspace_k(PtsValue *a, PtsError *err, PtsValue *out) {
    for (int i = 0; i < 2; i++)
        if (a[i].tag == PTS_V_TENSOR && !(a[i].u.t->flags & PTS_TF_WRAPPED_NUMBER))
            PTS_CHECK(a[i].u.t->ndim == 0, err, RUNTIME,
                      "linspace only supports 0-dimensional start and end tensors, but got %s with %d dimension(s).",
                      i == 0 ? "start" : "end", a[i].u.t->ndim);
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[3], pts_default_dtype(), err, &dt));
    PTS_TRY(linspace_impl(a[0], a[1], pts_value_to_i64(a[2]), dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_LINSPACE(PtsValue *a, PtsValue *out, PtsError *err) { return linspace_k(a, err, out); }
PtsStatus k_LINSPACE_TENSOR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return linspace_k(a, err, out); }
PtsStatus k_LINSPACE_TENSOR_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) { return linspace_k(a, err, out); }
PtsStatus k_LINSPACE_SCALAR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return linspace_k(a, err, out); }
PtsStatus k_LINSPACE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(linspace_impl(a[0], a[1], pts_value_to_i64(a[2]), a[3].u.t->dtype, err, &r));
    return to_out(a[3].u.t, r, err, out);
}

/* ================= eye ================= */
static PtsStatus eye_impl(int64_t n, int64_t m, PtsDType dt, PtsError *err, PtsTensor **out) {
    PTS_CHECK(n >= 0, err, RUNTIME, "n must be greater or equal to 0, got %lld", (long long)n);
    PTS_CHECK(m >= 0, err, RUNTIME, "m must be greater or equal to 0, got %lld", (long long)m);
    int64_t shape[2] = { n, m };
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_zeros(dt, 2, shape, err, &r));
    char *d = pts_tensor_data(r);
    size_t isz = pts_dtype_size(dt);
    for (int64_t i = 0; i < n && i < m; i++) pts_store_i64(dt, d + (size_t)(i * m + i) * isz, 1);
    *out = r;
    return PTS_OK;
}

PtsStatus k_EYE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[1], pts_default_dtype(), err, &dt));
    PTS_TRY(eye_impl(pts_value_to_i64(a[0]), pts_value_to_i64(a[0]), dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_EYE_M(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[2], pts_default_dtype(), err, &dt));
    PTS_TRY(eye_impl(pts_value_to_i64(a[0]), pts_value_to_i64(a[1]), dt, err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_EYE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(eye_impl(pts_value_to_i64(a[0]), pts_value_to_i64(a[0]), a[1].u.t->dtype, err, &r));
    return to_out(a[1].u.t, r, err, out);
}
PtsStatus k_EYE_M_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(eye_impl(pts_value_to_i64(a[0]), pts_value_to_i64(a[1]), a[2].u.t->dtype, err, &r));
    return to_out(a[2].u.t, r, err, out);
}

/* ================= random fills with ATen's checks ================= */
static PtsStatus uniform_checked(PtsTensor *t, double from, double to, PtsGenerator *g,
                                 PtsError *err) {
    PtsDType dt = t->dtype;
    if (!pts_dtype_is_float(dt)) return not_implemented("check_uniform_bounds", dt, err);
    double lo, hi;
    dtype_limits(dt, &lo, &hi);
    PTS_CHECK(from >= lo && from <= hi, err, RUNTIME, "from is out of bounds for %s", typemeta_name(dt));
    PTS_CHECK(to >= lo && to <= hi, err, RUNTIME, "to is out of bounds for %s", typemeta_name(dt));
    PTS_CHECK(from <= to, err, RUNTIME,
              "uniform_ expects to return a [from, to) range, but found from=%g > to=%g", from, to);
    PTS_CHECK(to - from <= hi, err, RUNTIME,
              "uniform_ expects to-from <= std::numeric_limits<%s>::max(), but found to=%g and from=%g "
              "which result in to-from to exceed the limit", pts_dtype_torch_name(dt), to, from);
    if (pts_numel(t) == 0) return PTS_OK;
    return pts_sample_uniform_(t, from, to, g, err);
}

static PtsStatus normal_checked(PtsTensor *t, double mean, double std, PtsGenerator *g,
                                PtsError *err) {
    PTS_CHECK(std >= 0.0, err, RUNTIME, "normal expects std >= 0.0, but found std %g", std);
    if (pts_numel(t) == 0) return PTS_OK;
    if (!pts_dtype_is_float(t->dtype)) return not_implemented("normal_kernel_cpu", t->dtype, err);
    return pts_sample_normal_(t, mean, std, g, err);
}

/* update_from / update_to: move a bound inward until it survives the cast to a float dtype */
static double cast_float_dtype(PtsDType dt, int64_t v) {
    if (dt == PTS_FLOAT64) return (double)v;
    float f = (float)v;
    if (dt == PTS_FLOAT16) f = pts_half_to_float(pts_float_to_half(f));
    else if (dt == PTS_BFLOAT16) f = pts_bf16_to_float(pts_float_to_bf16(f));
    return f;
}
static int64_t to_i64_sat(double d) {
    if (!(d < 9223372036854775807.0)) return INT64_MAX;
    if (d < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}
static int float_digits(PtsDType dt) {
    return dt == PTS_FLOAT64 ? 53 : dt == PTS_FLOAT32 ? 24 : dt == PTS_FLOAT16 ? 11 : 8;
}
static int ilog2_u(uint64_t x) { int n = 0; while (x >>= 1) n++; return n; }
static int64_t update_from(PtsDType dt, int64_t from) {
    int64_t p1 = to_i64_sat(cast_float_dtype(dt, from + 1));
    if (p1 < from) {
        int n = ilog2_u((uint64_t)llabs(from + 1));
        int sh = n - float_digits(dt) + 1;
        from = p1 + (sh >= 0 ? (INT64_C(1) << sh) : 0);
    }
    return from;
}
static int64_t update_to(PtsDType dt, int64_t to) {
    int64_t m1 = to_i64_sat(cast_float_dtype(dt, to - 1));
    if (m1 >= to) {
        int n = ilog2_u((uint64_t)llabs(to - 1));
        int sh = n - float_digits(dt) + 1;
        to = m1 - (sh >= 0 ? (INT64_C(1) << sh) : 0);
    }
    return to;
}

/* random_(from, to): integers in [from, to) */
static PtsStatus randint_checked(PtsTensor *t, int64_t from, int64_t to, PtsGenerator *g,
                                 PtsError *err) {
    PtsDType dt = t->dtype;
    PTS_CHECK(from < to, err, RUNTIME,
              "random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld",
              (long long)from, (long long)to);
    if (pts_dtype_is_float(dt)) {
        from = update_from(dt, from);
        to = update_to(dt, to);
        PTS_CHECK(from < to, err, RUNTIME,
                  "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but "
                  "got from=%lld >= to=%lld", (long long)from, (long long)to);
    }
    double lo, hi;
    dtype_limits(dt, &lo, &hi);
    PTS_CHECK((double)from >= lo && (double)from <= hi, err, RUNTIME, "from is out of bounds for %s",
              typemeta_name(dt));
    PTS_CHECK((double)(to - 1) >= lo && (double)(to - 1) <= hi, err, RUNTIME,
              "to - 1 is out of bounds for %s", typemeta_name(dt));
    if (pts_numel(t) == 0) return PTS_OK;
    return pts_sample_int_(t, (uint64_t)to - (uint64_t)from, from, g, err);
}

/* ================= *_like ================= */
static PtsStatus like_k(PtsValue *a, int dtype_at, PtsValue fill, PtsError *err, PtsTensor **out) {
    PtsTensor *self = a[0].u.t, *r = NULL;
    PtsDType dt = PTS_FLOAT32;
    PTS_TRY(arg_dtype(a[dtype_at], self->dtype, err, &dt));
    PTS_TRY(new_like(self, dt, err, &r));
    PtsStatus s = PTS_OK;
    if (fill.tag == PTS_V_NONE) memset(r->storage->data, 0, r->storage->nbytes);
    else {
        s = check_fits(fill, dt, pts_numel(r), err);
        if (!s) s = fill_value(r, fill, err);
    }
    if (s) { pts_tensor_release(r); return s; }
    *out = r;
    return PTS_OK;
}

PtsStatus k_ZEROS_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(like_k(a, 1, pts_none(), err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_ONES_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(like_k(a, 1, pts_vint(1), err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_EMPTY_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(like_k(a, 1, pts_none(), err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_FULL_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(like_k(a, 2, a[1], err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}

/* what a random *_like kernel does with its fresh tensor */
typedef enum { LIKE_UNIFORM, LIKE_NORMAL, LIKE_INT } LikeKind;

static PtsStatus random_like(PtsValue *a, int dtype_at, PtsValue gen, LikeKind kind, int64_t lo,
                             int64_t hi, PtsError *err, PtsValue *out) {
    PtsTensor *r = NULL;
    PTS_TRY(like_k(a, dtype_at, pts_none(), err, &r));
    PtsGenerator *g = pts_generator_arg(gen);
    PtsStatus s = kind == LIKE_UNIFORM ? uniform_checked(r, 0, 1, g, err)
                : kind == LIKE_NORMAL ? normal_checked(r, 0, 1, g, err)
                : randint_checked(r, lo, hi, g, err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_RAND_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 1, pts_none(), LIKE_UNIFORM, 0, 0, err, out);
}
PtsStatus k_RAND_LIKE_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 2, a[1], LIKE_UNIFORM, 0, 0, err, out);
}
PtsStatus k_RANDN_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 1, pts_none(), LIKE_NORMAL, 0, 0, err, out);
}
PtsStatus k_RANDN_LIKE_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 2, a[1], LIKE_NORMAL, 0, 0, err, out);
}
PtsStatus k_RANDINT_LIKE(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 2, pts_none(), LIKE_INT, 0, pts_value_to_i64(a[1]), err, out);
}
PtsStatus k_RANDINT_LIKE_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 3, a[2], LIKE_INT, 0, pts_value_to_i64(a[1]), err, out);
}
PtsStatus k_RANDINT_LIKE_LOW_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 3, pts_none(), LIKE_INT, pts_value_to_i64(a[1]), pts_value_to_i64(a[2]), err, out);
}
PtsStatus k_RANDINT_LIKE_LOW_GENERATOR_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_like(a, 4, a[3], LIKE_INT, pts_value_to_i64(a[1]), pts_value_to_i64(a[2]), err, out);
}

/* ================= rand, randn, randint ================= */
static PtsStatus new_sized(PtsValue size, PtsDType dt, PtsError *err, PtsTensor **out) {
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(arg_size(size, &nd, shape, err));
    return pts_tensor_new(dt, nd, shape, err, out);
}

static PtsStatus random_sized(PtsValue size, PtsValue dtv, PtsDType def, PtsValue gen, LikeKind kind,
                              int64_t lo, int64_t hi, PtsTensor *outt, PtsError *err, PtsValue *out) {
    PtsDType dt = def;
    if (outt) dt = outt->dtype;
    else PTS_TRY(arg_dtype(dtv, def, err, &dt));
    PtsTensor *r = NULL;
    PTS_TRY(new_sized(size, dt, err, &r));
    PtsGenerator *g = pts_generator_arg(gen);
    PtsStatus s = kind == LIKE_UNIFORM ? uniform_checked(r, 0, 1, g, err)
                : kind == LIKE_NORMAL ? normal_checked(r, 0, 1, g, err)
                : randint_checked(r, lo, hi, g, err);
    if (s) { pts_tensor_release(r); return s; }
    if (outt) return to_out(outt, r, err, out);
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_RAND(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], a[1], pts_default_dtype(), pts_none(), LIKE_UNIFORM, 0, 0, NULL, err, out);
}
PtsStatus k_RAND_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], a[2], pts_default_dtype(), a[1], LIKE_UNIFORM, 0, 0, NULL, err, out);
}
PtsStatus k_RAND_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], pts_none(), PTS_FLOAT32, pts_none(), LIKE_UNIFORM, 0, 0, a[1].u.t, err, out);
}
PtsStatus k_RANDN(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], a[1], pts_default_dtype(), pts_none(), LIKE_NORMAL, 0, 0, NULL, err, out);
}
PtsStatus k_RANDN_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], a[2], pts_default_dtype(), a[1], LIKE_NORMAL, 0, 0, NULL, err, out);
}
PtsStatus k_RANDN_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[0], pts_none(), PTS_FLOAT32, pts_none(), LIKE_NORMAL, 0, 0, a[1].u.t, err, out);
}
PtsStatus k_RANDINT(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[1], a[2], PTS_INT64, pts_none(), LIKE_INT, 0, pts_value_to_i64(a[0]), NULL, err, out);
}
PtsStatus k_RANDINT_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[1], a[3], PTS_INT64, a[2], LIKE_INT, 0, pts_value_to_i64(a[0]), NULL, err, out);
}
PtsStatus k_RANDINT_LOW(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[2], a[3], PTS_INT64, pts_none(), LIKE_INT, pts_value_to_i64(a[0]), pts_value_to_i64(a[1]), NULL, err, out);
}
PtsStatus k_RANDINT_LOW_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[2], a[4], PTS_INT64, a[3], LIKE_INT, pts_value_to_i64(a[0]), pts_value_to_i64(a[1]), NULL, err, out);
}
PtsStatus k_RANDINT_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[1], pts_none(), PTS_INT64, pts_none(), LIKE_INT, 0, pts_value_to_i64(a[0]), a[2].u.t, err, out);
}
PtsStatus k_RANDINT_LOW_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return random_sized(a[2], pts_none(), PTS_INT64, pts_none(), LIKE_INT, pts_value_to_i64(a[0]), pts_value_to_i64(a[1]), a[3].u.t, err, out);
}

/* ================= randperm ================= */
static PtsStatus randperm_impl(int64_t n, PtsDType dt, PtsValue gen, PtsError *err, PtsTensor **out) {
    PTS_CHECK(n >= 0, err, RUNTIME, "Trying to create tensor with negative dimension %lld: [%lld]",
              (long long)n, (long long)n);
    if (dt == PTS_BOOL) return not_implemented("randperm", dt, err);
    if (dt == PTS_FLOAT16)
        PTS_CHECK(n <= 2049, err, RUNTIME, "n cannot be greater than 2049 for Half type.");
    else if (dt == PTS_FLOAT32)
        PTS_CHECK(n <= (INT64_C(1) << 24) + 1, err, RUNTIME, "n cannot be greater than 2^24+1 for Float type.");
    else if (dt == PTS_FLOAT64)
        PTS_CHECK(n <= (INT64_C(1) << 53) + 1, err, RUNTIME, "n cannot be greater than 2^53+1 for Double type.");
    else if (pts_dtype_is_int(dt) && dt != PTS_INT64) {
        double lo, hi;
        dtype_limits(dt, &lo, &hi);
        PTS_CHECK((double)(n - 1) <= hi, err, RUNTIME,
                  "value cannot be converted to type %s without overflow", c10_type_name(dt));
    }
    PtsTensor *p;
    PTS_TRY(pts_sample_perm(n, pts_generator_arg(gen), err, &p));
    PtsStatus s = pts_tensor_to(p, dt, false, err, out);
    pts_tensor_release(p);
    return s;
}

PtsStatus k_RANDPERM(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[1], PTS_INT64, err, &dt));
    PTS_TRY(randperm_impl(pts_value_to_i64(a[0]), dt, pts_none(), err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_RANDPERM_GENERATOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[2], PTS_INT64, err, &dt));
    PTS_TRY(randperm_impl(pts_value_to_i64(a[0]), dt, a[1], err, &r));
    ret_tensor(out, r);
    return PTS_OK;
}
PtsStatus k_RANDPERM_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(randperm_impl(pts_value_to_i64(a[0]), a[1].u.t->dtype, pts_none(), err, &r));
    return to_out(a[1].u.t, r, err, out);
}

/* ================= normal ================= */
/* out op= other through the pointwise kernels (in-place mul_ / add_) */
static PtsStatus inplace_binary(PtsOpId id, PtsTensor *self, PtsTensor *other, PtsError *err) {
    PtsValue args[3] = { pts_vtensor(self), pts_vtensor(other), pts_vint(1) };
    PtsValue res = pts_none();
    PTS_TRY(pts_op_kernel(id, args, &res, err));
    pts_value_release(&res);
    return PTS_OK;
}

static PtsStatus check_std_tensor(const PtsTensor *std, PtsError *err) {
    PtsTensor *d;
    PTS_TRY(pts_tensor_to((PtsTensor *)std, PTS_FLOAT64, false, err, &d));
    const double *p = (const double *)pts_tensor_data(d);
    int64_t n = pts_numel(d);
    bool ok = true;
    for (int64_t i = 0; i < n && ok; i++) ok = p[i] >= 0.0;
    pts_tensor_release(d);
    PTS_CHECK(ok, err, RUNTIME, "normal expects all elements of std >= 0.0");
    return PTS_OK;
}

/* normal(Tensor mean, float std): normal_(0, std) in mean's shape and dtype, then += mean */
static PtsStatus normal_tensor_float(PtsTensor *mean, double std, PtsValue gen, PtsError *err,
                                     PtsValue *out) {
    PTS_CHECK(std >= 0.0, err, RUNTIME, "normal expects std >= 0.0, but found std %g", std);
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(mean->dtype, mean->ndim, mean->shape, err, &r));
    PtsStatus s = normal_checked(r, 0, std, pts_generator_arg(gen), err);
    if (!s) s = inplace_binary(PTS_OP_ADD__TENSOR, r, mean, err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

/* normal(float mean, Tensor std): normal_(0, 1) in std's shape and dtype, *= std, += mean */
static PtsStatus normal_float_tensor(double mean, PtsTensor *std, PtsValue gen, PtsError *err,
                                     PtsValue *out) {
    PTS_TRY(check_std_tensor(std, err));
    PtsTensor *r = NULL, *m = NULL;
    PTS_TRY(pts_tensor_new(std->dtype, std->ndim, std->shape, err, &r));
    PtsStatus s = normal_checked(r, 0, 1, pts_generator_arg(gen), err);
    if (!s) s = inplace_binary(PTS_OP_MUL__TENSOR, r, std, err);
    if (!s) s = pts_tensor_scalar_f64(r->dtype, mean, err, &m);
    if (!s) s = inplace_binary(PTS_OP_ADD__TENSOR, r, m, err);
    pts_tensor_release(m);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_NORMAL_TENSOR_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *mean = a[0].u.t, *std = a[1].u.t;
    bool mw = mean->flags & PTS_TF_WRAPPED_NUMBER, sw = std->flags & PTS_TF_WRAPPED_NUMBER;
    /* Python numbers stand for the float overloads */
    PTS_CHECK(!(mw && sw), err, TYPE,
              "normal() received an invalid combination of arguments - got (float, float), but "
              "expected (Tensor mean, Tensor std) or (float mean, float std, tuple of ints size)");
    if (sw) return normal_tensor_float(mean, pts_tensor_item_f64(std), a[2], err, out);
    if (mw) return normal_float_tensor(pts_tensor_item_f64(mean), std, a[2], err, out);
    PTS_TRY(check_std_tensor(std, err));
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(mean->ndim, mean->shape, std->ndim, std->shape, &nd, shape, err));
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(mean->dtype, nd, shape, err, &r));
    PtsStatus s = normal_checked(r, 0, 1, pts_generator_arg(a[2]), err);
    if (!s) s = inplace_binary(PTS_OP_MUL__TENSOR, r, std, err);
    if (!s) s = inplace_binary(PTS_OP_ADD__TENSOR, r, mean, err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_NORMAL_TENSOR_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    return normal_tensor_float(a[0].u.t, pts_value_to_f64(a[1]), a[2], err, out);
}

PtsStatus k_NORMAL_FLOAT_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    return normal_float_tensor(pts_value_to_f64(a[0]), a[1].u.t, a[2], err, out);
}

PtsStatus k_NORMAL_FLOAT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    double mean = pts_value_to_f64(a[0]), std = pts_value_to_f64(a[1]);
    PTS_CHECK(std >= 0.0, err, RUNTIME, "normal expects std >= 0.0, but found std %g", std);
    PtsDType dt = PTS_FLOAT32;
    PtsTensor *r = NULL;
    PTS_TRY(arg_dtype(a[4], pts_default_dtype(), err, &dt));
    PTS_TRY(new_sized(a[2], dt, err, &r));
    PtsStatus s = normal_checked(r, mean, std, pts_generator_arg(a[3]), err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

/* ================= Bernoulli ================= */
static PtsStatus bernoulli_p_checked(PtsTensor *t, double p, PtsValue gen, PtsError *err) {
    PTS_CHECK(p >= 0 && p <= 1, err, RUNTIME, "bernoulli_ expects p to be in [0, 1], but got p=%g", p);
    if (pts_numel(t) == 0) return PTS_OK;
    return pts_sample_bernoulli_p_(t, p, pts_generator_arg(gen), err);
}

static PtsStatus bernoulli_tensor_checked(PtsTensor *t, PtsTensor *p, PtsValue gen, PtsError *err) {
    if (!pts_dtype_is_float(p->dtype)) return not_implemented("bernoulli_tensor_cpu_p_", p->dtype, err);
    int nd;
    int64_t shape[PTS_MAX_DIMS];
    PTS_TRY(pts_broadcast_shapes(t->ndim, t->shape, p->ndim, p->shape, &nd, shape, err));
    if (nd != t->ndim || memcmp(shape, t->shape, sizeof(int64_t) * (size_t)nd) != 0) {
        char a[256], b[256];
        return pts_fail(err, PTS_ERR_RUNTIME, "The expanded size of the tensor must match the existing "
                        "size. Target sizes: %s.  Tensor sizes: %s", pts_shape_str(t->ndim, t->shape, a, 256),
                        pts_shape_str(p->ndim, p->shape, b, 256));
    }
    return pts_sample_bernoulli_tensor_(t, p, pts_generator_arg(gen), err);
}

PtsStatus k_BERNOULLI(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *r = NULL;
    if (!pts_dtype_is_float(self->dtype)) return not_implemented("bernoulli_tensor_cpu_p_", self->dtype, err);
    /* ATen allocates the result contiguous here (LEGACY_CONTIGUOUS_MEMORY_FORMAT) */
    PTS_TRY(pts_tensor_new(self->dtype, self->ndim, self->shape, err, &r));
    PtsStatus s = bernoulli_tensor_checked(r, self, a[1], err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_BERNOULLI_P(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(pts_tensor_new(a[0].u.t->dtype, a[0].u.t->ndim, a[0].u.t->shape, err, &r));
    PtsStatus s = bernoulli_p_checked(r, pts_value_to_f64(a[1]), a[2], err);
    if (s) { pts_tensor_release(r); return s; }
    ret_tensor(out, r);
    return PTS_OK;
}

PtsStatus k_BERNOULLI__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *p = a[1].u.t;
    if (p->flags & PTS_TF_WRAPPED_NUMBER) PTS_TRY(bernoulli_p_checked(self, pts_tensor_item_f64(p), a[2], err));
    else PTS_TRY(bernoulli_tensor_checked(self, p, a[2], err));
    ret_tensor(out, pts_tensor_retain(self));
    return PTS_OK;
}

PtsStatus k_BERNOULLI__FLOAT(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_TRY(bernoulli_p_checked(a[0].u.t, pts_value_to_f64(a[1]), a[2], err));
    ret_tensor(out, pts_tensor_retain(a[0].u.t));
    return PTS_OK;
}

/* ================= in-place fills ================= */
PtsStatus k_UNIFORM_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    PTS_TRY(uniform_checked(t, pts_value_to_f64(a[1]), pts_value_to_f64(a[2]), pts_generator_arg(a[3]), err));
    ret_tensor(out, pts_tensor_retain(t));
    return PTS_OK;
}

PtsStatus k_NORMAL_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    PTS_TRY(normal_checked(t, pts_value_to_f64(a[1]), pts_value_to_f64(a[2]), pts_generator_arg(a[3]), err));
    ret_tensor(out, pts_tensor_retain(t));
    return PTS_OK;
}

PtsStatus k_FILL__SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    PTS_TRY(check_fits(a[1], t->dtype, pts_numel(t), err));
    PTS_TRY(fill_value(t, a[1], err));
    ret_tensor(out, pts_tensor_retain(t));
    return PTS_OK;
}

PtsStatus k_FILL__TENSOR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t, *v = a[1].u.t;
    PTS_CHECK(v->ndim == 0, err, RUNTIME,
              "fill_ only supports 0-dimension value tensor but got tensor with %d dimensions.", v->ndim);
    PTS_TRY(check_fits(pts_vtensor(v), t->dtype, pts_numel(t), err));
    PTS_TRY(fill_value(t, pts_vtensor(v), err));
    ret_tensor(out, pts_tensor_retain(t));
    return PTS_OK;
}

PtsStatus k_ZERO_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *t = a[0].u.t;
    PTS_TRY(fill_value(t, pts_vint(0), err));
    ret_tensor(out, pts_tensor_retain(t));
    return PTS_OK;
}

/* ---- copy_ and ATen's memory-overlap rules ---- */
/* dims of size >= 2 sorted by stride tile memory exactly (c10's is_non_overlapping_and_dense) */
static bool non_overlapping_and_dense(const PtsTensor *t) {
    int idx[PTS_MAX_DIMS], n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] == 0) return true;
        if (t->shape[i] >= 2) idx[n++] = i;
    }
    for (int i = 1; i < n; i++)   /* insertion sort by stride */
        for (int j = i; j > 0 && t->strides[idx[j]] < t->strides[idx[j - 1]]; j--) {
            int tmp = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = tmp;
        }
    int64_t want = 1;
    for (int i = 0; i < n; i++) {
        if (t->strides[idx[i]] != want) return false;
        want *= t->shape[idx[i]];
    }
    return true;
}

static void byte_span(const PtsTensor *t, const char **lo, const char **hi) {
    *lo = pts_tensor_data(t);
    *hi = *lo + pts_numel(t) * (int64_t)pts_dtype_size(t->dtype);
}

PtsStatus k_COPY_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t, *src = a[1].u.t;
    if (self != src && pts_numel(self) > 0 && pts_numel(src) > 0) {
        if (!non_overlapping_and_dense(self))
            for (int i = 0; i < self->ndim; i++)
                PTS_CHECK(!(self->strides[i] == 0 && self->shape[i] > 1), err, RUNTIME,
                          "unsupported operation: more than one element of the written-to tensor "
                          "refers to a single memory location. Please clone() the tensor before "
                          "performing the operation.");
        PtsTensor *tmp = NULL;
        if (self->storage == src->storage) {
            const char *a0, *a1, *b0, *b1;
            byte_span(self, &a0, &a1);
            byte_span(src, &b0, &b1);
            bool dense = non_overlapping_and_dense(self) && non_overlapping_and_dense(src);
            bool same = a0 == b0 && a1 == b1 && self->ndim == src->ndim &&
                        memcmp(self->strides, src->strides, sizeof(int64_t) * (size_t)self->ndim) == 0;
            PTS_CHECK(!(dense && !same && a0 < b1 && b0 < a1), err, RUNTIME,
                      "unsupported operation: some elements of the input tensor and the written-to "
                      "tensor refer to a single memory location. Please clone() the tensor before "
                      "performing the operation.");
            /* aliasing layouts ATen cannot classify: read everything before writing */
            if (!same) PTS_TRY(pts_tensor_to(src, src->dtype, true, err, &tmp));
        }
        PtsStatus s = pts_tensor_copy_(self, tmp ? tmp : src, err);
        pts_tensor_release(tmp);
        PTS_TRY(s);
    } else if (self != src) {
        PTS_TRY(pts_tensor_copy_(self, src, err));  /* empty: only the shape check */
    }
    ret_tensor(out, pts_tensor_retain(self));
    return PTS_OK;
}
