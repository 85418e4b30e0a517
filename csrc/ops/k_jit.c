/* k_jit.c: kernels of ops_jit.def, the TorchScript builtins archive code needs that no other
 * topic owns (tensor size lists, prim::dtype, prim::device, torch.device("cpu")). pyts runs on
 * the CPU only, so every device is the CPU and any other device string is an error. */
#include <string.h>

#include "ops.h"
#include "../serial/serial.h"   /* pts_archive_set_requires_grad: autograd, where it is linked */

PtsStatus k_SIZE(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsTensor *t = a[0].u.t;
    return pts_int_list_new(t->shape, t->ndim, err, &out[0]);
}

PtsStatus k_PRIM_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vint(a[0].u.t->dtype);
    return PTS_OK;
}

PtsStatus k_PRIM_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = (PtsValue){ PTS_V_DEVICE, { .i = -1 } };
    return PTS_OK;
}

/* prim::type(device): the device type's name; pyts has only the CPU */
PtsStatus k_PRIM_TYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    return pts_str_new("cpu", 3, err, &out[0]);
}

/* torch.device(str): "cpu" and "cpu:N" (N >= 0) as PyTorch parses them; other types name the
 * CPU-only limitation, malformed strings get PyTorch's message */
PtsStatus k_DEVICE_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsStr *s = pts_as_str(a[0]);
    const char *d = s->data;
    size_t n = s->len;
    if (n >= 3 && memcmp(d, "cpu", 3) == 0) {
        bool ok = n == 3;
        if (n > 4 && d[3] == ':') {
            ok = n - 4 <= 9;
            for (size_t i = 4; i < n && ok; i++) ok = d[i] >= '0' && d[i] <= '9';
        }
        if (ok) {
            out[0] = (PtsValue){ PTS_V_DEVICE, { .i = -1 } };
            return PTS_OK;
        }
    }
    static const char *const others[] = { "cuda", "mps", "xpu", "meta", "hip", "xla", "ipu", "hpu", "mtia", NULL };
    for (int i = 0; others[i]; i++) {
        size_t k = strlen(others[i]);
        if (n >= k && memcmp(d, others[i], k) == 0 && (n == k || d[k] == ':'))
            return pts_fail(err, PTS_ERR_RUNTIME, "pyts runs on the CPU only; device '%.*s' is not available",
                            (int)(n > 64 ? 64 : n), d);
    }
    return pts_fail(err, PTS_ERR_RUNTIME,
                    "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
                    "vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: %.*s",
                    (int)(n > 64 ? 64 : n), d);
}

PtsStatus k_IS_FLOATING_POINT(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vbool(pts_dtype_is_float(a[0].u.t->dtype));
    return PTS_OK;
}

static bool int_lists_equal(PtsValue x, PtsValue y) {
    const PtsList *a = pts_as_list(x), *b = pts_as_list(y);
    if (a->len != b->len) return false;
    for (int64_t i = 0; i < a->len; i++)
        if (a->items[i].u.i != b->items[i].u.i) return false;
    return true;
}

PtsStatus k_EQ_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vbool(int_lists_equal(a[0], a[1]));
    return PTS_OK;
}

PtsStatus k_NE_INT_LIST(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vbool(!int_lists_equal(a[0], a[1]));
    return PTS_OK;
}

/* ---- aten::tensor: a new tensor from a number or a (nested, rectangular) list of numbers ----
 * The elements' own kind gives the dtype (bool, int64, or the default float dtype), as torch's;
 * dtype= converts. Shapes and element kinds are checked with torch's messages. */
typedef struct TensorData {
    int ndim;
    int64_t shape[PTS_MAX_DIMS];
    int kind;            /* PTS_V_BOOL / INT / DOUBLE of the first element, 0 before it */
    int64_t n;
    double *f;           /* one of these holds the elements, by kind */
    int64_t *i;
} TensorData;

static PtsStatus tensor_shape(PtsValue v, int depth, TensorData *d, PtsError *err) {
    if (v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE) {
        const PtsList *l = pts_as_list(v);
        if (depth == d->ndim) {
            PTS_CHECK(depth < PTS_MAX_DIMS, err, VALUE, "tensor(): too many dimensions");
            PTS_CHECK(d->kind == 0, err, TYPE, "must be real number, not list");
            d->shape[d->ndim++] = l->len;
        } else PTS_CHECK(d->shape[depth] == l->len, err, RUNTIME, "Expected sequence of length %lld at dim %d (got %lld)",
                         (long long)d->shape[depth], depth, (long long)l->len);
        for (int64_t k = 0; k < l->len; k++) PTS_TRY(tensor_shape(l->items[k], depth + 1, d, err));
        return PTS_OK;
    }
    PTS_CHECK(v.tag == PTS_V_BOOL || v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE, err, TYPE,
              "tensor(): expected numbers or lists of numbers");
    PTS_CHECK(depth == d->ndim, err, TYPE, "not a sequence");
    if (!d->kind) d->kind = v.tag;
    PTS_CHECK(d->kind == v.tag, err, TYPE, "tensor(): all elements must have the same type");
    return PTS_OK;
}

static void tensor_fill(PtsValue v, TensorData *d) {
    if (v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE) {
        const PtsList *l = pts_as_list(v);
        for (int64_t k = 0; k < l->len; k++) tensor_fill(l->items[k], d);
    } else if (v.tag == PTS_V_DOUBLE) d->f[d->n++] = v.u.d;
    else d->i[d->n++] = v.tag == PTS_V_BOOL ? v.u.b : v.u.i;
}

static PtsStatus tensor_from(PtsValue data, PtsValue *a, PtsValue *out, PtsError *err) {
    TensorData d = { 0 };
    PTS_TRY(tensor_shape(data, 0, &d, err));
    PtsDType natural = d.kind == PTS_V_BOOL ? PTS_BOOL : d.kind == PTS_V_INT ? PTS_INT64 : pts_default_dtype();
    PtsDType dt = natural;
    if (a[1].tag != PTS_V_NONE) {
        PTS_CHECK(a[1].tag == PTS_V_INT && pts_dtype_valid((int)a[1].u.i), err, VALUE, "unsupported dtype");
        dt = (PtsDType)a[1].u.i;
    }
    PtsTensor *raw = NULL, *r = NULL;
    PtsDType store = d.kind == PTS_V_DOUBLE || !d.kind ? PTS_FLOAT64 : PTS_INT64;
    PTS_TRY(pts_tensor_new(store, d.ndim, d.shape, err, &raw));
    if (store == PTS_FLOAT64) d.f = raw->storage->data;
    else d.i = raw->storage->data;
    tensor_fill(data, &d);
    /* through the natural dtype first: [True, 2] rules aside, bools become 0/1 then the target */
    PtsStatus s = pts_tensor_to(raw, natural, false, err, &r);
    pts_tensor_release(raw);
    if (s) return s;
    if (dt != natural) {
        PtsTensor *c = NULL;
        s = pts_tensor_to(r, dt, false, err, &c);
        pts_tensor_release(r);
        if (s) return s;
        r = c;
    }
    if (a[3].tag == PTS_V_BOOL && a[3].u.b && pts_archive_set_requires_grad &&
        (s = pts_archive_set_requires_grad(r, true, err))) {
        pts_tensor_release(r);
        return s;
    }
    out[0] = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_TENSOR_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return tensor_from(a[0], a, out, err); }
PtsStatus k_TENSOR_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return tensor_from(a[0], a, out, err); }
PtsStatus k_TENSOR_INT(PtsValue *a, PtsValue *out, PtsError *err) { return tensor_from(a[0], a, out, err); }
PtsStatus k_TENSOR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return tensor_from(a[0], a, out, err); }

PtsStatus k_EQ_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vbool(a[0].u.i == a[1].u.i);
    return PTS_OK;
}
PtsStatus k_NE_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vbool(a[0].u.i != a[1].u.i);
    return PTS_OK;
}
