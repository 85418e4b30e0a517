/* k_opsweep.c: kernels of the rows in ops_opsweep.def. broadcast_tensors is composite (ATen's
 * CompositeImplicitAutograd): each tensor expanded to the common shape through the expand row, so
 * autograd records the expands and the tracer the row itself. */
#include "builtin.h"

PtsStatus k_BROADCAST_TENSORS(PtsValue *a, PtsValue *out, PtsError *err) {
    PTS_CHECK(a[0].tag == PTS_V_LIST, err, TYPE, "broadcast_tensors(): expected a list of tensors");
    PtsList *l = pts_as_list(a[0]);
    int nd = 0;
    int64_t shape[PTS_MAX_DIMS];
    for (int64_t i = 0; i < l->len; i++) {
        PTS_CHECK(l->items[i].tag == PTS_V_TENSOR, err, TYPE, "broadcast_tensors(): expected a list of tensors");
        const PtsTensor *t = l->items[i].u.t;
        int64_t next[PTS_MAX_DIMS];
        int nn;
        PTS_TRY(pts_broadcast_shapes(nd, shape, t->ndim, t->shape, &nn, next, err));
        nd = nn;
        memcpy(shape, next, sizeof(int64_t) * (size_t)nd);
    }
    PtsValue res;
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, &res));
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < l->len && !s; i++) {
        PtsValue ea[3] = { l->items[i], pts_none(), pts_vbool(false) };
        s = pts_int_list_new(shape, nd, err, &ea[1]);
        PtsTensor *e = NULL;
        if (!s) s = pts_op_call_t(PTS_OP_EXPAND, 3, ea, err, &e);
        pts_value_release(&ea[1]);
        if (!s) s = pts_list_append(res, pts_vtensor(e), err);
    }
    if (s) { pts_value_release(&res); return s; }
    out[0] = res;
    return PTS_OK;
}
