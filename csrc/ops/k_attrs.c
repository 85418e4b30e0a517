/* k_attrs.c: kernels of ops_attrs.def, the tensor attributes scripted code reads. pyts tensors
 * are dense, strided, CPU tensors: the layout is torch.strided (0), the device index is -1 (the
 * CPU's), and no tensor is sparse, quantized, meta or mkldnn. */
#include "ops.h"
#include "../autograd/autograd.h"

PtsStatus k_ELEMENT_SIZE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    out[0] = pts_vint((int64_t)pts_dtype_size(a[0].u.t->dtype));
    return PTS_OK;
}

PtsStatus k_PRIM_ITEMSIZE(PtsValue *a, PtsValue *out, PtsError *err) { return k_ELEMENT_SIZE(a, out, err); }

/* the bytes of the elements the tensor's shape covers (not of its whole storage) */
PtsStatus k_PRIM_NBYTES(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    const PtsTensor *t = a[0].u.t;
    out[0] = pts_vint(pts_numel(t) * (int64_t)pts_dtype_size(t->dtype));
    return PTS_OK;
}

PtsStatus k_IS_LEAF(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    /* pts_is_leaf's test, read from the header's struct: the C runtime has no autograd layer to
     * link (its tensors never carry autograd metadata) */
    const PtsAutogradMeta *m = a[0].u.t->autograd;
    out[0] = pts_vbool(!m || !m->grad_fn);
    return PTS_OK;
}

PtsStatus k_PRIM_LAYOUT(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vint(0);   /* torch.strided */
    return PTS_OK;
}

PtsStatus k_GET_DEVICE(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)a;
    (void)err;
    out[0] = pts_vint(-1);   /* a CPU tensor's */
    return PTS_OK;
}

/* unsigned: bool and uint8; every float, complex and other int dtype is signed */
PtsStatus k_IS_SIGNED(PtsValue *a, PtsValue *out, PtsError *err) {
    (void)err;
    PtsDType d = a[0].u.t->dtype;
    out[0] = pts_vbool(d != PTS_BOOL && d != PTS_UINT8);
    return PTS_OK;
}

static PtsStatus no(PtsValue *out) {
    out[0] = pts_vbool(false);
    return PTS_OK;
}
PtsStatus k_PRIM_IS_SPARSE(PtsValue *a, PtsValue *out, PtsError *err) { (void)a; (void)err; return no(out); }
PtsStatus k_PRIM_IS_QUANTIZED(PtsValue *a, PtsValue *out, PtsError *err) { (void)a; (void)err; return no(out); }
PtsStatus k_PRIM_IS_META(PtsValue *a, PtsValue *out, PtsError *err) { (void)a; (void)err; return no(out); }
PtsStatus k_PRIM_IS_MKLDNN(PtsValue *a, PtsValue *out, PtsError *err) { (void)a; (void)err; return no(out); }

/* tensordot.out: the contraction, then written to out with the out= rules */
PtsStatus k_TENSORDOT_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue r;
    PTS_TRY(pts_op_call(PTS_OP_TENSORDOT, a, &r, err));
    PtsTensor *o = a[4].u.t;
    PtsStatus s = PTS_OK;
    if (o->dtype != r.u.t->dtype)
        s = pts_fail(err, PTS_ERR_RUNTIME, "tensordot: Expected the output tensor to have dtype %s, but got an output "
                     "tensor with dtype %s", pts_dtype_scalar_name(r.u.t->dtype, "?"), pts_dtype_scalar_name(o->dtype, "?"));
    if (!s) s = pts_out_assign(o, r.u.t, err);
    pts_value_release(&r);
    if (s) return s;
    out[0] = pts_vtensor(pts_tensor_retain(o));
    return PTS_OK;
}
