/* formulas_shape2.c: backward formulas of the primitive rows in ops_shape2.def (diagonal,
 * diag_embed, rot90, take; narrow_copy reuses narrow's). They compute with registry ops only, so
 * create_graph records them; the composite rows of that file need none. */
#define PTS_FORMULA_FILE
#include "autograd.h"


/* int64 tensor start, start+1, ..., (n values) */
static PtsStatus arange_from(int64_t start, int64_t n, PtsError *err, PtsTensor **out) {
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, &n, err, out));
    int64_t *p = (int64_t *)pts_tensor_data(*out);
    for (int64_t i = 0; i < n; i++) p[i] = start + i;
    return PTS_OK;
}

/* diagonal(self, offset, dim1, dim2): g written on that diagonal of zeros. The zeros are permuted
 * so the two dims come last; index_put with the (row, col) index pair there takes values shaped
 * (other dims..., diagonal), which is g's shape; the result is permuted back. */
PtsStatus pts_bw_diagonal(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    const PtsTensorMeta *m = IN(c, 0);
    int nd = m->ndim, d1, d2;
    int64_t offset = pts_value_to_i64(c->args[1]);
    PTS_TRY(pts_wrap_dim(pts_value_to_i64(c->args[2]), nd, E(c), &d1));
    PTS_TRY(pts_wrap_dim(pts_value_to_i64(c->args[3]), nd, E(c), &d2));
    PtsTensor *z, *zp = NULL, *rows = NULL, *cols = NULL, *put = NULL, *r;
    PTS_TRY(pts_ag_fill(m, 0.0, E(c), &z));
    PtsTensor *g = G(c);
    int64_t len = g->ndim ? g->shape[g->ndim - 1] : 0;
    if (len == 0) { set(c, 0, z); return PTS_OK; }
    int64_t perm[PTS_MAX_DIMS], inv[PTS_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < nd; i++)
        if (i != d1 && i != d2) perm[k++] = i;
    perm[k++] = d1;
    perm[k++] = d2;
    for (int i = 0; i < nd; i++) inv[perm[i]] = i;
    PtsValue idx = pts_none();
    PtsStatus s = call_shape(PTS_AG_PERMUTE, z, nd, perm, E(c), &zp);
    if (!s) s = arange_from(offset < 0 ? -offset : 0, len, E(c), &rows);
    if (!s) s = arange_from(offset > 0 ? offset : 0, len, E(c), &cols);
    if (!s) s = pts_list_new(PTS_V_LIST, nd, E(c), &idx);
    for (int i = 0; i < nd - 2 && !s; i++) s = pts_list_append(idx, pts_none(), E(c));
    if (!s) s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(rows)), E(c));
    if (!s) s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(cols)), E(c));
    if (!s) {
        PtsValue v[4] = { pts_vtensor(zp), idx, pts_vtensor(g), pts_vbool(false) };
        s = call(PTS_AG_INDEX_PUT, 4, v, E(c), &put);
    }
    if (!s && !(s = call_shape(PTS_AG_PERMUTE, put, nd, inv, E(c), &r))) set(c, 0, r);
    pts_tensor_release(z);
    pts_tensor_release(zp);
    pts_tensor_release(rows);
    pts_tensor_release(cols);
    pts_tensor_release(put);
    pts_value_release(&idx);
    return s;
}

/* diag_embed(self, offset, dim1, dim2): g's diagonal */
PtsStatus pts_bw_diag_embed(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[4] = { pts_vtensor(G(c)), c->args[1], c->args[2], c->args[3] };
    PtsTensor *r;
    PTS_TRY(pts_op_call_t(PTS_OP_DIAGONAL, 4, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* rot90(self, k, dims): g rotated back */
PtsStatus pts_bw_rot90(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    int64_t k = pts_value_to_i64(c->args[1]);
    PtsValue v[3] = { pts_vtensor(G(c)), pts_vint(k == INT64_MIN ? 0 : -k), c->args[2] };
    PtsTensor *r;
    PTS_TRY(pts_op_call_t(PTS_OP_ROT90, 3, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* take(self, index): g accumulated into flat zeros at index (repeats add up), reshaped */
PtsStatus pts_bw_take(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 1, index);
    const PtsTensorMeta *m = IN(c, 0);
    PtsTensorMeta flat = *m;
    flat.ndim = 1;
    flat.shape[0] = pts_shape_numel(m->ndim, m->shape);
    int64_t m1 = -1;
    PtsTensor *z, *fi = NULL, *fg = NULL, *put = NULL, *r;
    PtsValue idx = pts_none();
    PTS_TRY(pts_ag_fill(&flat, 0.0, E(c), &z));
    PtsStatus s = call_shape(PTS_AG_RESHAPE, index, 1, &m1, E(c), &fi);
    if (!s) s = call_shape(PTS_AG_RESHAPE, G(c), 1, &m1, E(c), &fg);
    if (!s) s = pts_list_new(PTS_V_LIST, 1, E(c), &idx);
    if (!s) s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(fi)), E(c));
    if (!s) {
        PtsValue v[4] = { pts_vtensor(z), idx, pts_vtensor(fg), pts_vbool(true) };
        s = call(PTS_AG_INDEX_PUT, 4, v, E(c), &put);
    }
    if (!s && !(s = call_shape(PTS_AG_RESHAPE, put, m->ndim, m->shape, E(c), &r))) set(c, 0, r);
    pts_tensor_release(z);
    pts_tensor_release(fi);
    pts_tensor_release(fg);
    pts_tensor_release(put);
    pts_value_release(&idx);
    return s;
}
