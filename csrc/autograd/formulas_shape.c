/* formulas_shape.c: backward formulas of the shape and view rows (see derivatives.def). Each reads the
 * output gradients and the kept values from its context and stores the gradients of the inputs
 * that need one, computing through registry ops only. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= shape ================= */

/* any op that keeps the elements in order (view, reshape, unsqueeze, squeeze, flatten) */
PtsStatus pts_bw_reshape(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call_shape(PTS_AG_RESHAPE, G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_expand(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_sum_to(G(c), IN(c, 0)->ndim, IN(c, 0)->shape, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_transpose(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[3] = { pts_vtensor(G(c)), c->args[1], c->args[2] };
    PTS_TRY(call(PTS_AG_TRANSPOSE, 3, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}


/* ================= more shape rows ================= */

PtsStatus pts_bw_permute(PtsGradCtx *c) {   /* the inverse permutation */
    if (!need(c, 0)) return PTS_OK;
    int64_t p[PTS_MAX_DIMS], inv[PTS_MAX_DIMS];
    int n = 0, nd = IN(c, 0)->ndim;
    PTS_TRY(pts_value_int_list(c->args[1], p, PTS_MAX_DIMS, &n, E(c)));
    if (n != nd) return pts_fail(E(c), PTS_ERR_INTERNAL, "permute: %d dims for a %d-d input", n, nd);
    for (int i = 0; i < n; i++) inv[(p[i] % nd + nd) % nd] = i;
    PtsTensor *r;
    PTS_TRY(call_shape(PTS_AG_PERMUTE, G(c), n, inv, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* The gradient of a view that picks `index` (an int64 tensor) along dim: g put into zeros of the
 * input's shape at those positions (index_put, so create_graph records it). */
static PtsStatus embed(PtsGradCtx *c, int dim, PtsTensor *index, bool accumulate, PtsTensor **out) {
    PtsTensor *z = NULL;
    PtsValue idx = pts_none();
    PtsStatus s;
    if ((s = pts_ag_fill(IN(c, 0), 0.0, E(c), &z)) || (s = pts_list_new(PTS_V_LIST, dim + 1, E(c), &idx))) goto done;
    for (int i = 0; i < dim && !s; i++) s = pts_list_append(idx, pts_none(), E(c));
    if (!s) s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(index)), E(c));
    if (!s) {
        PtsValue v[4] = { pts_vtensor(z), idx, pts_vtensor(G(c)), pts_vbool(accumulate) };
        s = call(PTS_AG_INDEX_PUT, 4, v, E(c), out);
    }
done:
    pts_tensor_release(z);
    pts_value_release(&idx);
    return s;
}

/* int64 tensor start, start+step, ... (n values), or a 0-d one when scalar */
static PtsStatus arange_index(int64_t start, int64_t step, int64_t n, bool scalar, PtsError *err, PtsTensor **out) {
    if (scalar) return pts_tensor_scalar_i64(PTS_INT64, start, err, out);
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, &n, err, out));
    int64_t *p = (int64_t *)pts_tensor_data(*out);
    for (int64_t i = 0; i < n; i++) p[i] = start + i * step;
    return PTS_OK;
}

static PtsStatus dim_of(PtsGradCtx *c, PtsValue v, int *d) {
    return pts_wrap_dim(pts_value_to_i64(v), IN(c, 0)->ndim, E(c), d);
}

PtsStatus pts_bw_select(PtsGradCtx *c) {   /* select.int(self, dim, index) */
    if (!need(c, 0)) return PTS_OK;
    int d;
    PTS_TRY(dim_of(c, c->args[1], &d));
    int64_t i = pts_value_to_i64(c->args[2]), n = IN(c, 0)->shape[d];
    PtsTensor *idx, *r;
    PTS_TRY(arange_index(i < 0 ? i + n : i, 1, 1, true, E(c), &idx));
    PtsStatus s = embed(c, d, idx, false, &r);
    pts_tensor_release(idx);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

/* Python slice bounds as ATen clamps them */
static void slice_bounds(int64_t n, PtsValue vs, PtsValue ve, int64_t step, int64_t *start, int64_t *count) {
    int64_t s = vs.tag == PTS_V_NONE ? 0 : pts_value_to_i64(vs);
    int64_t e = ve.tag == PTS_V_NONE ? n : pts_value_to_i64(ve);
    if (s < 0) s += n;
    if (e < 0) e += n;
    if (s < 0) s = 0;
    if (s > n) s = n;
    if (e < s) e = s;
    if (e > n) e = n;
    *start = s;
    *count = step > 0 ? (e - s + step - 1) / step : 0;
}

PtsStatus pts_bw_slice(PtsGradCtx *c) {   /* slice.Tensor(self, dim, start, end, step) */
    if (!need(c, 0)) return PTS_OK;
    int d;
    PTS_TRY(dim_of(c, c->args[1], &d));
    int64_t step = pts_value_to_i64(c->args[4]), start, count;
    slice_bounds(IN(c, 0)->shape[d], c->args[2], c->args[3], step, &start, &count);
    PtsTensor *idx, *r;
    PTS_TRY(arange_index(start, step, count, false, E(c), &idx));
    PtsStatus s = embed(c, d, idx, false, &r);
    pts_tensor_release(idx);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_narrow(PtsGradCtx *c) {   /* narrow(self, dim, start, length) */
    if (!need(c, 0)) return PTS_OK;
    int d;
    PTS_TRY(dim_of(c, c->args[1], &d));
    int64_t start = pts_value_to_i64(c->args[2]);
    if (start < 0) start += IN(c, 0)->shape[d];
    PtsTensor *idx, *r;
    PTS_TRY(arange_index(start, 1, pts_value_to_i64(c->args[3]), false, E(c), &idx));
    PtsStatus s = embed(c, d, idx, false, &r);
    pts_tensor_release(idx);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_index_select(PtsGradCtx *c) {   /* index_select(self, dim, index) */
    if (!need(c, 0)) return PTS_OK;
    int d;
    PTS_TRY(dim_of(c, c->args[1], &d));
    ARG(c, 2, index);
    PtsTensor *r;
    PTS_TRY(embed(c, d, index, true, &r));
    set(c, 0, r);
    return PTS_OK;
}

/* cat(tensors, dim): each input gets its slice of g */
PtsStatus pts_bw_cat(PtsGradCtx *c) {
    PtsNode *n = c->node;
    int first = n->arg_edge[0], count = n->arg_nedge[0];
    if (first < 0) return PTS_OK;
    int64_t off = 0;
    for (int j = 0; j < count; j++) {
        const PtsTensorMeta *m = &n->in_meta[first + j];
        int d;
        /* PyTorch skips legacy empty 1-d inputs when concatenating */
        if (m->ndim == 1 && m->shape[0] == 0 && G(c)->ndim != 1) continue;
        PTS_TRY(pts_wrap_dim(pts_value_to_i64(c->args[1]), m->ndim, E(c), &d));
        int64_t size = m->shape[d];
        if (n->next[first + j].fn) {
            PtsValue v[5] = { pts_vtensor(G(c)), pts_vint(d), pts_vint(off), pts_vint(off + size), pts_vint(1) };
            PtsTensor *r;
            PTS_TRY(call(PTS_AG_SLICE, 5, v, E(c), &r));
            pts_ag_set_edge(c, first + j, r);
        }
        off += size;
    }
    return PTS_OK;
}

/* stack(tensors, dim): each input gets g selected at its position */
PtsStatus pts_bw_stack(PtsGradCtx *c) {
    PtsNode *n = c->node;
    int first = n->arg_edge[0], count = n->arg_nedge[0];
    for (int j = 0; first >= 0 && j < count; j++) {
        if (!n->next[first + j].fn) continue;
        PtsValue v[3] = { pts_vtensor(G(c)), c->args[1], pts_vint(j) };
        PtsTensor *r;
        PTS_TRY(call(PTS_AG_SELECT, 3, v, E(c), &r));
        pts_ag_set_edge(c, first + j, r);
    }
    return PTS_OK;
}

/* split / chunk / unbind: the output gradients (zeros for unused pieces) joined back */
static PtsStatus join_outputs(PtsGradCtx *c, int op, PtsValue dim) {
    if (!need(c, 0)) return PTS_OK;
    PtsValue l = pts_none();
    PtsTensor *r;
    PTS_TRY(pts_list_new(PTS_V_LIST, c->node->nout, E(c), &l));
    PtsStatus s = PTS_OK;
    for (int k = 0; k < c->node->nout && !s; k++) s = pts_list_append(l, pts_vtensor(pts_tensor_retain(c->go[k])), E(c));
    if (!s) {
        PtsValue v[2] = { l, dim };
        if (!(s = call(op, 2, v, E(c), &r))) set(c, 0, r);
    }
    pts_value_release(&l);
    return s;
}

PtsStatus pts_bw_split(PtsGradCtx *c) { return join_outputs(c, PTS_AG_CAT, c->args[2]); }
PtsStatus pts_bw_unbind(PtsGradCtx *c) { return join_outputs(c, PTS_AG_STACK, c->args[1]); }

/* ops that map g through themselves with the same or negated arguments */
PtsStatus pts_bw_flip(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[2] = { pts_vtensor(G(c)), c->args[1] };
    PtsTensor *r;
    PTS_TRY(call(PTS_AG_FLIP, 2, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_roll(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    int64_t sh[PTS_MAX_DIMS];
    int n;
    PTS_TRY(pts_value_int_list(c->args[1], sh, PTS_MAX_DIMS, &n, E(c)));
    for (int i = 0; i < n; i++) sh[i] = -sh[i];
    PtsValue v[3] = { pts_vtensor(G(c)), pts_none(), c->args[2] };
    PTS_TRY(pts_int_list_new(sh, n, E(c), &v[1]));
    PtsTensor *r;
    PtsStatus s = call(PTS_AG_ROLL, 3, v, E(c), &r);
    pts_value_release(&v[1]);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus tri_bw(PtsGradCtx *c, int op) {
    if (!need(c, 0)) return PTS_OK;
    PtsValue v[2] = { pts_vtensor(G(c)), c->args[1] };
    PtsTensor *r;
    PTS_TRY(call(op, 2, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
PtsStatus pts_bw_tril(PtsGradCtx *c) { return tri_bw(c, PTS_AG_TRIL); }
PtsStatus pts_bw_triu(PtsGradCtx *c) { return tri_bw(c, PTS_AG_TRIU); }

PtsStatus pts_bw_constant_pad(PtsGradCtx *c) {   /* pad with the negated pads crops */
    if (!need(c, 0)) return PTS_OK;
    int64_t p[2 * PTS_MAX_DIMS];
    int n;
    PTS_TRY(pts_value_int_list(c->args[1], p, 2 * PTS_MAX_DIMS, &n, E(c)));
    for (int i = 0; i < n; i++) p[i] = -p[i];
    PtsTensor *r;
    PTS_TRY(call_shape(PTS_AG_PAD, G(c), n, p, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

/* repeat(self, repeats): g viewed as (r0, s0, r1, s1, ...) summed over the r's */
PtsStatus pts_bw_repeat(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    int64_t rep[PTS_MAX_DIMS], shape[2 * PTS_MAX_DIMS], dims[PTS_MAX_DIMS];
    int nr;
    PTS_TRY(pts_value_int_list(c->args[1], rep, PTS_MAX_DIMS, &nr, E(c)));
    const PtsTensorMeta *m = IN(c, 0);
    int lead = nr - m->ndim;
    if (2 * nr > PTS_MAX_DIMS)
        return pts_fail(E(c), PTS_ERR_NOTIMPL, "pyts autograd: repeat backward supports up to %d dims", PTS_MAX_DIMS / 2);
    for (int i = 0; i < nr; i++) {
        shape[2 * i] = rep[i];
        shape[2 * i + 1] = i < lead ? 1 : m->shape[i - lead];
        dims[i] = 2 * i;
    }
    PtsTensor *v = NULL, *sm = NULL, *r;
    PtsStatus s = call_shape(PTS_AG_RESHAPE, G(c), 2 * nr, shape, E(c), &v);
    if (!s) {
        PtsValue a[3] = { pts_vtensor(v), pts_none(), pts_vbool(false) };
        if (!(s = pts_int_list_new(dims, nr, E(c), &a[1]))) {
            s = call(PTS_AG_SUM_DIM, 3, a, E(c), &sm);
            pts_value_release(&a[1]);
        }
    }
    if (!s && !(s = call_shape(PTS_AG_RESHAPE, sm, m->ndim, m->shape, E(c), &r))) set(c, 0, r);
    pts_tensor_release(v);
    pts_tensor_release(sm);
    return s;
}

/* ---- gather / scatter / index ---- */
PtsStatus pts_bw_gather(PtsGradCtx *c) {   /* zeros.scatter_add(dim, index, g) */
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 2, index);
    PtsTensor *z, *r;
    PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z));
    PtsValue v[4] = { pts_vtensor(z), c->args[1], pts_vtensor(index), pts_vtensor(G(c)) };
    PtsStatus s = call(PTS_AG_SCATTER_ADD, 4, v, E(c), &r);
    pts_tensor_release(z);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

/* scatter.src / scatter.value / scatter_add: self keeps g (minus the overwritten places for
 * scatter), src gets g gathered at the index */
static PtsStatus scatter_common(PtsGradCtx *c, bool overwrite) {
    ARG(c, 2, index);
    PtsTensor *r;
    if (need(c, 0)) {
        if (overwrite) {
            PtsTensor *z;
            PTS_TRY(pts_ag_fill(&c->node->out_meta[0], 0.0, E(c), &z));
            PtsValue v[4] = { pts_vtensor(G(c)), c->args[1], pts_vtensor(index), pts_vint(0) };
            /* g.scatter(dim, index, 0) as scatter.src with a zero source of g's shape */
            v[3] = pts_vtensor(z);
            PtsStatus s = call(PTS_AG_SCATTER, 4, v, E(c), &r);
            pts_tensor_release(z);
            PTS_TRY(s);
        } else {
            r = pts_tensor_retain(G(c));
        }
        set(c, 0, r);
    }
    if (c->node->nargs > 3 && need(c, 3)) {
        PtsValue v[3] = { pts_vtensor(G(c)), c->args[1], pts_vtensor(index) };
        PTS_TRY(call(PTS_AG_GATHER, 3, v, E(c), &r));
        set(c, 3, r);
    }
    return PTS_OK;
}
PtsStatus pts_bw_scatter(PtsGradCtx *c) { return scatter_common(c, true); }
PtsStatus pts_bw_scatter_add(PtsGradCtx *c) { return scatter_common(c, false); }

PtsStatus pts_bw_index(PtsGradCtx *c) {   /* index.Tensor(self, indices): zeros.index_put(indices, g, True) */
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *z, *r;
    PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z));
    PtsValue v[4] = { pts_vtensor(z), c->args[1], pts_vtensor(G(c)), pts_vbool(true) };
    PtsStatus s = call(PTS_AG_INDEX_PUT, 4, v, E(c), &r);
    pts_tensor_release(z);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_index_put(PtsGradCtx *c) {   /* index_put(self, indices, values, accumulate) */
    bool acc = c->args[3].tag == PTS_V_BOOL && c->args[3].u.b;
    PtsTensor *r;
    if (need(c, 0)) {
        if (acc) {
            r = pts_tensor_retain(G(c));
        } else {
            PtsTensor *z;
            PTS_TRY(pts_tensor_scalar_f64(G(c)->dtype, 0.0, E(c), &z));
            PtsValue v[4] = { pts_vtensor(G(c)), c->args[1], pts_vtensor(z), pts_vbool(false) };
            PtsStatus s = call(PTS_AG_INDEX_PUT, 4, v, E(c), &r);
            pts_tensor_release(z);
            PTS_TRY(s);
        }
        set(c, 0, r);
    }
    if (need(c, 2)) {   /* g at the indexed places; the engine sums to values' shape */
        PtsValue v[2] = { pts_vtensor(G(c)), c->args[1] };
        PTS_TRY(call(PTS_AG_INDEX, 2, v, E(c), &r));
        set(c, 2, r);
    }
    return PTS_OK;
}

PtsStatus pts_bw_masked_select(PtsGradCtx *c) {   /* zeros.index_put([mask], g, True) */
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 1, mask);
    /* mask and self broadcast together: work at the common shape, the engine sums back */
    PtsTensorMeta m = *IN(c, 0);
    PTS_TRY(pts_broadcast_shapes(m.ndim, m.shape, mask->ndim, mask->shape, &m.ndim, m.shape, E(c)));
    PtsTensor *z = NULL, *mk = NULL, *r;
    PtsValue idx = pts_none();
    PtsStatus s;
    if (!(s = pts_ag_fill(&m, 0.0, E(c), &z)) && !(s = call_shape(PTS_AG_EXPAND, mask, m.ndim, m.shape, E(c), &mk)) &&
        !(s = pts_list_new(PTS_V_LIST, 1, E(c), &idx)) &&
        !(s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(mk)), E(c)))) {
        PtsValue v[4] = { pts_vtensor(z), idx, pts_vtensor(G(c)), pts_vbool(true) };
        if (!(s = call(PTS_AG_INDEX_PUT, 4, v, E(c), &r))) set(c, 0, r);
    }
    pts_tensor_release(z);
    pts_tensor_release(mk);
    pts_value_release(&idx);
    return s;
}

/* copy_(self, src): self's old values are gone (zero gradient), src gets g */
PtsStatus pts_bw_copy(PtsGradCtx *c) {
    PtsTensor *z;
    if (need(c, 0)) { PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z)); set(c, 0, z); }
    if (need(c, 1)) set(c, 1, pts_tensor_retain(G(c)));
    return PTS_OK;
}

/* fill_(self, value): zero for self; a tensor value gets the sum of g */
PtsStatus pts_bw_fill(PtsGradCtx *c) {
    PtsTensor *z;
    if (need(c, 0)) { PTS_TRY(pts_ag_fill(IN(c, 0), 0.0, E(c), &z)); set(c, 0, z); }
    if (need(c, 1)) set(c, 1, pts_tensor_retain(G(c)));   /* fill_.Tensor: summed to 0-d by the engine */
    return PTS_OK;
}

/* _to_copy: the gradient converted back to the input's dtype (ToCopyBackward0) */
PtsStatus pts_bw_to_copy(PtsGradCtx *c) {
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(pts_ag_cast(G(c), IN(c, 0)->dtype, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}
