/* k_complex_tensor3.c: the third set of complex64 / complex128 kernels (pts_cx_rows3, read by
 * complex_guard.c next to the other two tables): logsumexp, and the composite rows (cross,
 * linalg.cross) whose kernels already compute with rows that take complex operands. */
#include <math.h>
#include <stdio.h>

#include "complex_tensor.h"

#define TV(t) pts_vtensor(t)

/* logsumexp over dims: the shift is the max of the real parts (an infinite max shifts by 0), so
 * log(sum(exp(x - m))) + m, as torch computes it for complex inputs; an empty input is
 * log(sum(exp(x))) */
static PtsStatus logsumexp(PtsValue *a, PtsTensor *out, PtsError *e, PtsValue *o) {
    PtsTensor *x = a[0].u.t, *re = NULL, *m = NULL, *ab = NULL, *inf = NULL, *d = NULL, *ex = NULL, *sm = NULL,
              *lg = NULL, *ms = NULL, *r = NULL;
    bool keep = a[2].tag == PTS_V_BOOL && a[2].u.b;
    PtsStatus s;
    if (out && !pts_dtype_is_complex(out->dtype) && !pts_dtype_is_float(out->dtype))
        return pts_fail(e, PTS_ERR_RUNTIME, "logsumexp(): Expected floating point type for result tensor, but got: %s",
                        pts_dtype_scalar_name(out->dtype, "?"));
    if (pts_numel(x) == 0) {
        if (!(s = pts_op_call_t(PTS_OP_EXP, 1, (PtsValue[]){ TV(x) }, e, &ex)) &&
            !(s = pts_op_call_t(PTS_OP_SUM_DIM_INTLIST, 3, (PtsValue[]){ TV(ex), a[1], pts_vbool(keep) }, e, &sm)))
            s = pts_op_call_t(PTS_OP_LOG, 1, (PtsValue[]){ TV(sm) }, e, &r);
    } else if (!(s = pts_op_call_t(PTS_OP_REAL, 1, (PtsValue[]){ TV(x) }, e, &re)) &&
               !(s = pts_op_call_t(PTS_OP_AMAX, 3, (PtsValue[]){ TV(re), a[1], pts_vbool(true) }, e, &m)) &&
               !(s = pts_op_call_t(PTS_OP_ABS, 1, (PtsValue[]){ TV(m) }, e, &ab)) &&
               !(s = pts_op_call_t(PTS_OP_EQ_SCALAR, 2, (PtsValue[]){ TV(ab), pts_vdouble(INFINITY) }, e, &inf)) &&
               !(s = pts_op_call_t(PTS_OP_MASKED_FILL_SCALAR, 3, (PtsValue[]){ TV(m), TV(inf), pts_vint(0) }, e, &ms)) &&
               !(s = pts_op_call_t(PTS_OP_SUB_TENSOR, 2, (PtsValue[]){ TV(x), TV(ms) }, e, &d)) &&
               !(s = pts_op_call_t(PTS_OP_EXP, 1, (PtsValue[]){ TV(d) }, e, &ex)) &&
               !(s = pts_op_call_t(PTS_OP_SUM_DIM_INTLIST, 3, (PtsValue[]){ TV(ex), a[1], pts_vbool(keep) }, e, &sm)) &&
               !(s = pts_op_call_t(PTS_OP_LOG, 1, (PtsValue[]){ TV(sm) }, e, &lg))) {
        PtsTensor *mk = pts_tensor_retain(ms);
        if (!keep) {
            pts_tensor_release(mk);
            mk = NULL;
            s = pts_op_call_t(PTS_OP_SQUEEZE_DIMS, 2, (PtsValue[]){ TV(ms), a[1] }, e, &mk);
        }
        if (!s) s = pts_op_call_t(PTS_OP_ADD_TENSOR, 2, (PtsValue[]){ TV(lg), TV(mk) }, e, &r);
        pts_tensor_release(mk);
    }
    PtsTensor *all[] = { re, m, ab, inf, d, ex, sm, lg, ms };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) pts_tensor_release(all[k]);
    if (s) return s;
    if (!out) return pts_cx_ret1(o, r);
    s = pts_out_assign(out, r, e);
    pts_tensor_release(r);
    if (s) return s;
    return pts_cx_ret1(o, pts_tensor_retain(out));
}
static PtsStatus cx_LOGSUMEXP(PtsValue *a, PtsValue *o, PtsError *e) { return logsumexp(a, NULL, e, o); }
static PtsStatus cx_LOGSUMEXP_OUT(PtsValue *a, PtsValue *o, PtsError *e) { return logsumexp(a, a[3].u.t, e, o); }

/* ================= the table ================= */
#define PASS(ID) { PTS_OP_##ID, NULL },
#define CX(ID, fn) { PTS_OP_##ID, fn },
const PtsCxRow pts_cx_rows3[] = {
    CX(LOGSUMEXP, cx_LOGSUMEXP) CX(LOGSUMEXP_OUT, cx_LOGSUMEXP_OUT)
    /* composites of expand / index_select / narrow / mul / sub / cat */
    PASS(CROSS) PASS(LINALG_CROSS)
    { -1, NULL },
};
