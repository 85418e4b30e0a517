/* k_jit.c: kernels of ops_jit.def, the TorchScript builtins archive code needs that no other
 * topic owns (tensor size lists, prim::dtype, prim::device, torch.device("cpu")). pyts runs on
 * the CPU only, so every device is the CPU and any other device string is an error. */
#include <string.h>

#include "ops.h"

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
