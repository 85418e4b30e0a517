/* complex_guard.c: the separate dispatch for complex tensors. Kernels were written for real dtypes
 * (many switch on the dtype with a default branch), so none of them ever sees a complex operand
 * unless it is listed in k_complex_tensor.c: either as working unchanged (views, copies, factories)
 * or with a complex kernel that runs instead. Every other row refuses with torch's message. */
#include <stdio.h>

#include "complex.h"
#include "complex_tensor.h"

static PtsKernel cx_kernel[PTS_OP__COUNT];   /* the complex kernel of a row, NULL when none */
/* argument positions (bit i = args[i]) that can carry a complex value into a row */
static uint32_t m_tensor[PTS_OP__COUNT], m_dtype[PTS_OP__COUNT], m_scalar[PTS_OP__COUNT];

static inline bool cx(PtsDType d) { return d == PTS_COMPLEX64 || d == PTS_COMPLEX128; }

/* The complex dtype among the arguments of row id (a complex number counts as complex128), or
 * PTS_DTYPE_INVALID when there is none. */
static PtsDType involved_in(int id, const PtsValue *a, bool numbers) {
    for (uint32_t m = m_tensor[id]; m; m &= m - 1) {
        const PtsValue *v = &a[__builtin_ctz(m)];
        if (v->tag == PTS_V_TENSOR) {
            /* numbers: a complex wrapped number counts as a Scalar */
            if (cx(v->u.t->dtype) && (numbers || !(v->u.t->flags & PTS_TF_WRAPPED_NUMBER))) return v->u.t->dtype;
        } else if (v->tag == PTS_V_LIST) {
            const PtsList *l = pts_as_list(*v);
            for (int64_t j = 0; j < l->len; j++)
                if (l->items[j].tag == PTS_V_TENSOR && cx(l->items[j].u.t->dtype)) return l->items[j].u.t->dtype;
        }
    }
    for (uint32_t m = m_dtype[id]; m; m &= m - 1) {
        const PtsValue *v = &a[__builtin_ctz(m)];
        if (v->tag == PTS_V_INT && (v->u.i == PTS_COMPLEX64 || v->u.i == PTS_COMPLEX128)) return (PtsDType)v->u.i;
    }
    for (uint32_t m = numbers ? m_scalar[id] : 0; m; m &= m - 1)
        if (a[__builtin_ctz(m)].tag == PTS_V_COMPLEX) return PTS_COMPLEX128;
    return PTS_DTYPE_INVALID;
}
static PtsDType involved(int id, const PtsValue *a) { return involved_in(id, a, true); }

static bool name_is(const char *name, const char *const *list);

/* The complex dtype a row computes in: the complex tensor or dtype argument, else (a complex
 * number with real tensors) the complex dtype of the tensors' float dtype, or of the default dtype
 * when none is floating (a complex number promotes float32 and integer tensors to complex64). */
static PtsDType promoted(int id, const PtsValue *a, PtsDType d, bool *scalar_only) {
    *scalar_only = false;
    if (d != PTS_COMPLEX128) return d;   /* a complex number or wrapped number is complex128 */
    PtsDType t = involved_in(id, a, false);
    if (t != PTS_DTYPE_INVALID) return t;
    *scalar_only = true;
    PtsDType f = PTS_DTYPE_INVALID;
    for (uint32_t k = m_tensor[id]; k; k &= k - 1) {
        const PtsValue *v = &a[__builtin_ctz(k)];
        if (v->tag == PTS_V_TENSOR && !(v->u.t->flags & PTS_TF_WRAPPED_NUMBER) && pts_dtype_is_float(v->u.t->dtype) &&
            f != PTS_FLOAT64)
            f = v->u.t->dtype;
    }
    return pts_dtype_to_complex(f == PTS_DTYPE_INVALID ? pts_default_dtype() : f);
}

PtsDType pts_cx_result_dtype(int id, const PtsValue *a) {
    bool so;
    PtsDType d = involved(id, a);
    return d == PTS_DTYPE_INVALID ? d : promoted(id, a, d, &so);
}

/* Rows whose Scalars torch converts to a real type when no tensor is complex (its
 * "value cannot be converted" error), or refuses with a sentence of their own. */
enum { R_NONE, R_SELF_TYPE, R_SELF_TYPE_FLOAT, R_DOUBLE, R_DOUBLE_FLOAT, R_VECTOR_ORD, R_MATRIX_ORD, R_RENORM_P,
       R_TRAPEZOID_DX, R_ISIN };
static uint8_t rule[PTS_OP__COUNT];

static int rule_of(const PtsSchema *s) {
    static const char *const self_type[] = { "addmm", "addmm_", "addmv", "addmv_", "addr", "addr_", "baddbmm",
                                             "baddbmm_", "addbmm", "addbmm_", "addcmul", "addcmul_", "addcdiv",
                                             "addcdiv_", "constant_pad_nd", NULL };
    static const char *const self_float[] = { "elu", "elu_", "leaky_relu", "leaky_relu_", "softplus", "threshold",
                                              "threshold_", NULL };
    static const char *const dbl[] = { "histc", "arange", NULL };
    static const char *const dbl_float[] = { "clamp", "clamp_", "clip", "clip_", NULL };
    static const char *const vec[] = { "linalg_vector_norm", "norm", "dist", "linalg_norm", NULL };
    if (name_is(s->name, self_type)) return R_SELF_TYPE;
    if ((strcmp(s->name, "lerp") == 0 || strcmp(s->name, "lerp_") == 0) && strstr(s->overload, "Scalar")) return R_SELF_TYPE;
    if (name_is(s->name, self_float)) return R_SELF_TYPE_FLOAT;
    if (name_is(s->name, dbl)) return R_DOUBLE;
    if (name_is(s->name, dbl_float)) return R_DOUBLE_FLOAT;
    if (name_is(s->name, vec)) return R_VECTOR_ORD;
    if (strcmp(s->name, "linalg_matrix_norm") == 0) return R_MATRIX_ORD;
    if (strcmp(s->name, "renorm") == 0 || strcmp(s->name, "renorm_") == 0) return R_RENORM_P;
    if (strcmp(s->name, "trapezoid") == 0 || strcmp(s->name, "cumulative_trapezoid") == 0) return R_TRAPEZOID_DX;
    if (strcmp(s->name, "isin") == 0) return R_ISIN;
    return R_NONE;
}

static bool complex_number_arg(int id, const PtsValue *a) {
    for (uint32_t m = m_scalar[id]; m; m &= m - 1)
        if (a[__builtin_ctz(m)].tag == PTS_V_COMPLEX) return true;
    return false;
}

/* true (with *st set) when the row's rule decides the call */
static bool apply_rule(int id, const PtsValue *a, PtsDType d, PtsStatus *st, PtsError *err) {
    int r = rule[id];
    if (r == R_NONE) return false;
    const PtsSchema *s = &pts_op_info[id].schema;
    if (r == R_ISIN) {
        *st = pts_fail(err, PTS_ERR_RUNTIME, "Unsupported input type encountered for isin(): %s",
                       pts_dtype_scalar_name(d, "?"));
        return true;
    }
    if (!complex_number_arg(id, a)) return false;
    switch (r) {
    case R_VECTOR_ORD:
        *st = pts_fail(err, PTS_ERR_RUNTIME, "linalg.vector_norm: Expected a non-complex scalar as the order of norm.");
        return true;
    case R_MATRIX_ORD:
        *st = pts_fail(err, PTS_ERR_RUNTIME, "linalg.matrix_norm: Expected a non-complex scalar as the order of norm.");
        return true;
    case R_RENORM_P:
        *st = pts_fail(err, PTS_ERR_RUNTIME, "renorm: p must be real-valued");
        return true;
    case R_TRAPEZOID_DX:
        *st = pts_fail(err, PTS_ERR_RUNTIME, "%s: Currently, we only support dx as a real number.", s->name);
        return true;
    default: break;
    }
    bool so;
    promoted(id, a, d, &so);
    if (!so) return false;
    const PtsTensor *self = a[0].tag == PTS_V_TENSOR ? a[0].u.t : NULL;
    if ((r == R_SELF_TYPE_FLOAT || r == R_DOUBLE_FLOAT) && !(self && pts_dtype_is_float(self->dtype))) return false;
    PtsDType target = (r == R_DOUBLE || r == R_DOUBLE_FLOAT || !self) ? PTS_FLOAT64 : self->dtype;
    *st = pts_cx_check_real_target(target, 1.0, err);
    return true;
}

static bool name_is(const char *name, const char *const *list) {
    for (int i = 0; list[i]; i++) if (strcmp(name, list[i]) == 0) return true;
    return false;
}

/* torch's refusal for a row without complex support: its own sentence where it has one, else its
 * dispatch macro's "\"<kernel>\" not implemented for 'ComplexFloat'" (kernels are <op>_cpu). */
static PtsStatus refuse(int id, const PtsValue *a, PtsDType d, PtsError *err) {
    const PtsSchema *s = &pts_op_info[id].schema;
    bool so;
    d = promoted(id, a, d, &so);
    char base[96];
    snprintf(base, sizeof base, "%s", s->name);
    size_t n = strlen(base);
    if (n > 1 && base[n - 1] == '_' && base[n - 2] != '_') base[n - 1] = 0;   /* add_ -> add */
    static const char *const clamp[] = { "clamp", "clamp_min", "clamp_max", "clip", "relu", "hardtanh",
                                         "relu6", NULL };
    static const char *const rounding[] = { "floor", "ceil", "trunc", "fix", NULL };
    static const char *const sorting[] = { "sort", "argsort", "msort", NULL };
    const char *tn = pts_dtype_scalar_name(d, "?");
    if (name_is(base, clamp)) return pts_fail(err, PTS_ERR_NOTIMPL, "clamp is not supported for complex types");
    if (name_is(base, rounding))
        return pts_fail(err, PTS_ERR_NOTIMPL, "%s is not supported for complex inputs", base);
    if (strcmp(base, "sign") == 0)
        return pts_fail(err, PTS_ERR_NOTIMPL, "Unlike NumPy, torch.sign is not intended to support complex "
                        "numbers. Please use torch.sgn instead.");
    if (strcmp(base, "argmax") == 0 || strcmp(base, "argmin") == 0)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s(): does not support complex input", base);
    if (strcmp(base, "floor_divide") == 0) return pts_fail(err, PTS_ERR_NOTIMPL, "\"div_floor_cpu\" not implemented for '%s'", tn);
    if (strcmp(base, "__or__") == 0 || strcmp(base, "__and__") == 0 || strcmp(base, "__xor__") == 0)
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"bitwise_%s_cpu\" not implemented for '%s'",
                        base[2] == 'o' ? "or" : base[2] == 'a' ? "and" : "xor", tn);
    if (name_is(base, sorting)) return pts_fail(err, PTS_ERR_RUNTIME, " Sort does not support complex dtypes on CPU");
    if (strcmp(base, "topk") == 0) return pts_fail(err, PTS_ERR_RUNTIME, " topk does not support complex dtypes on CPU");
    if (strcmp(base, "maximum") == 0 || strcmp(base, "minimum") == 0)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s not implemented for complex tensors.", base);
    if (strcmp(base, "nansum") == 0) return pts_fail(err, PTS_ERR_RUNTIME, "nansum on CPU does not support complex inputs");
    if (strcmp(base, "isposinf") == 0 || strcmp(base, "isneginf") == 0)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s does not support complex inputs.", base);
    if (strcmp(base, "deg2rad") == 0 || strcmp(base, "rad2deg") == 0)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s is not supported for complex tensors.", base);
    if ((strcmp(base, "max") == 0 || strcmp(base, "min") == 0) && s->nargs == 1)
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s_all\" not implemented for '%s'", base, tn);
    return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s_cpu\" not implemented for '%s'", base, tn);
}

/* One guard per row: the row's own kernel when no complex value is involved. */
#define PTS_OP(ID, flags, schema)                                                              \
    static PtsStatus g_##ID(PtsValue *a, PtsValue *o, PtsError *e) {                           \
        PtsDType d = involved(PTS_OP_##ID, a);                                                 \
        if (PTS_LIKELY(d == PTS_DTYPE_INVALID)) return k_##ID(a, o, e);                        \
        PtsStatus st_;                                                                         \
        if (rule[PTS_OP_##ID] && apply_rule(PTS_OP_##ID, a, d, &st_, e)) return st_;           \
        if (cx_kernel[PTS_OP_##ID]) return cx_kernel[PTS_OP_##ID](a, o, e);                    \
        return refuse(PTS_OP_##ID, a, d, e);                                                   \
    }
#include "ops.def"
#undef PTS_OP

static const PtsKernel guards[PTS_OP__COUNT] = {
#define PTS_OP(ID, flags, schema) g_##ID,
#include "ops.def"
#undef PTS_OP
};

bool pts_complex_scalar_ok(int id) {
    return id >= 0 && id < PTS_OP__COUNT && (cx_kernel[id] != NULL || pts_complex_op_accepts(id));
}

void pts_complex_guard_install(void) {
    static bool pass[PTS_OP__COUNT];
    static const PtsCxRow *const tables[] = { pts_cx_rows, pts_cx_rows2, pts_cx_rows3, pts_cx_rows4 };
    for (int t = 0; t < 4; t++)
        for (const PtsCxRow *r = tables[t]; r->id >= 0; r++) {
            if (r->fn) cx_kernel[r->id] = r->fn;
            else pass[r->id] = true;
        }
    for (int id = 0; id < PTS_OP__COUNT; id++) {
        const PtsSchema *s = &pts_op_info[id].schema;
        uint32_t mt = 0, md = 0, ms = 0;
        for (int i = 0; i < s->nargs && i < 32; i++) {
            int k = s->args[i].type.kind;
            if (k == PTS_T_TENSOR) mt |= 1u << i;
            else if (k == PTS_T_SCALARTYPE) md |= 1u << i;
            else if (k == PTS_T_SCALAR && !s->args[i].type.is_list) ms |= 1u << i;
        }
        /* rows on numbers only (the scripted int/float/complex builtins) keep their own checks */
        if (!mt && !md) continue;
        rule[id] = (uint8_t)rule_of(s);
        if (pts_complex_op_accepts(id)) ms = 0;
        /* a row that works unchanged on complex tensors still reads its Scalars as real numbers */
        if (pass[id]) mt = md = 0;
        m_tensor[id] = mt;
        m_dtype[id] = md;
        m_scalar[id] = ms;
        if (mt || md || ms) pts_op_info[id].kernel = guards[id];
    }
}
