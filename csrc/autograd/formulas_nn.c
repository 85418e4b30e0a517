/* formulas_nn.c: backward formulas of the nn rows (softmax family, layer norm, losses,
 * embedding; see derivatives.def). Each reads the output gradients and the kept values from its
 * context and stores the gradients of the inputs that need one, through registry ops only. */
#define PTS_FORMULA_FILE
#include "autograd.h"

/* sum over dim keeping it */
static PtsStatus sum_keep(PtsTensor *t, PtsValue dim, PtsError *err, PtsTensor **out) {
    int64_t d = pts_value_to_i64(dim);
    PtsValue v[3] = { pts_vtensor(t), pts_none(), pts_vbool(true) };
    PTS_TRY(pts_int_list_new(&d, 1, err, &v[1]));
    PtsStatus s = call(PTS_AG_SUM_DIM, 3, v, err, out);
    pts_value_release(&v[1]);
    return s;
}

/* softmax: y * (g - sum(g * y)) along dim */
PtsStatus pts_bw_softmax(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *y = c->res[0], *gy = NULL, *sm = NULL, *d = NULL, *r;
    if (!y) return pts_ag_missing(c, "result");
    PtsStatus s;
    if (!(s = call2(PTS_AG_MUL, G(c), y, E(c), &gy)) && !(s = sum_keep(gy, c->args[1], E(c), &sm)) &&
        !(s = call2(PTS_AG_SUB, G(c), sm, E(c), &d)) && !(s = call2(PTS_AG_MUL, y, d, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(gy);
    pts_tensor_release(sm);
    pts_tensor_release(d);
    return s;
}

/* log_softmax: g - exp(y) * sum(g) along dim */
PtsStatus pts_bw_log_softmax(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *y = c->res[0], *e = NULL, *sm = NULL, *p = NULL, *r;
    if (!y) return pts_ag_missing(c, "result");
    PtsStatus s;
    if (!(s = call1(PTS_AG_EXP, y, E(c), &e)) && !(s = sum_keep(G(c), c->args[1], E(c), &sm)) &&
        !(s = call2(PTS_AG_MUL, e, sm, E(c), &p)) && !(s = call2(PTS_AG_SUB, G(c), p, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(e);
    pts_tensor_release(sm);
    pts_tensor_release(p);
    return s;
}

/* native_layer_norm(input, normalized_shape, weight?, bias?, eps) -> (out, mean, rstd):
 * xh = (x - mean) rstd over the last k dims; dx = rstd (gh - mean(gh) - xh mean(gh xh)) with
 * gh = g * weight; dweight = sum over the batch dims of g xh; dbias = sum of g */
PtsStatus pts_bw_native_layer_norm(PtsGradCtx *c) {
    ARG(c, 0, input);
    PtsTensor *mean = c->res[1], *rstd = c->res[2];
    if (!mean || !rstd) return pts_ag_missing(c, "result1/result2");
    int nd = IN(c, 0)->ndim, k = IN(c, 0)->ndim;
    int64_t ns[PTS_MAX_DIMS];
    PTS_TRY(pts_value_int_list(c->args[1], ns, PTS_MAX_DIMS, &k, E(c)));
    int64_t norm_dims[PTS_MAX_DIMS], batch_dims[PTS_MAX_DIMS];
    for (int i = 0; i < k; i++) norm_dims[i] = nd - k + i;
    for (int i = 0; i < nd - k; i++) batch_dims[i] = i;
    PtsTensor *xc = NULL, *xh = NULL, *gh = NULL, *m1 = NULL, *gx = NULL, *m2 = NULL, *t1 = NULL, *t2 = NULL,
              *t3 = NULL, *r;
    PtsValue nl = pts_none(), bl = pts_none();
    PtsStatus s;
    PtsTensor *g = G(c);
    PtsTensor *w = A(c, 2), *mean2 = NULL, *rstd2 = NULL;
    if ((s = pts_int_list_new(norm_dims, k, E(c), &nl)) || (s = pts_int_list_new(batch_dims, nd - k, E(c), &bl)))
        goto done;
    if (pts_grad_enabled()) {
        /* create_graph: mean and rstd recomputed from the input, so the second derivative sees
         * how they depend on it (the kept outputs are not differentiable, as in PyTorch) */
        PtsTensor *sq = NULL, *var = NULL, *ve = NULL;
        PtsValue a[3] = { pts_vtensor(input), nl, pts_vbool(true) };
        if (!(s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &mean2)) && !(s = call2(PTS_AG_SUB, input, mean2, E(c), &xc)) &&
            !(s = call2(PTS_AG_MUL, xc, xc, E(c), &sq))) {
            a[0] = pts_vtensor(sq);
            if (!(s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &var)) &&
                !(s = call_scalar(PTS_AG_ADD, var, c->args[4], false, E(c), &ve))) {
                PtsValue p[2] = { pts_vtensor(ve), pts_vdouble(-0.5) };
                s = call(PTS_AG_POW_TS, 2, p, E(c), &rstd2);
            }
        }
        pts_tensor_release(sq);
        pts_tensor_release(var);
        pts_tensor_release(ve);
        if (s) goto done;
        rstd = rstd2;
    } else if ((s = call2(PTS_AG_SUB, input, mean, E(c), &xc))) {
        goto done;
    }
    if ((s = call2(PTS_AG_MUL, xc, rstd, E(c), &xh))) goto done;
    if (need(c, 0)) {
        if (w) s = call2(PTS_AG_MUL, g, w, E(c), &gh);
        else gh = pts_tensor_retain(g);
        PtsValue a[3] = { pts_vtensor(gh), nl, pts_vbool(true) };
        if (s || (s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &m1)) || (s = call2(PTS_AG_MUL, gh, xh, E(c), &gx)))
            goto done;
        a[0] = pts_vtensor(gx);
        if ((s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &m2)) || (s = call2(PTS_AG_SUB, gh, m1, E(c), &t1)) ||
            (s = call2(PTS_AG_MUL, xh, m2, E(c), &t2)) || (s = call2(PTS_AG_SUB, t1, t2, E(c), &t3)) ||
            (s = call2(PTS_AG_MUL, t3, rstd, E(c), &r)))
            goto done;
        set(c, 0, r);
    }
    if (c->node->arg_edge[2] >= 0 && need(c, 2)) {
        PtsTensor *p;
        if ((s = call2(PTS_AG_MUL, g, xh, E(c), &p))) goto done;
        if (nd > k) {
            PtsValue a[3] = { pts_vtensor(p), bl, pts_vbool(false) };
            s = call(PTS_AG_SUM_DIM, 3, a, E(c), &r);
            pts_tensor_release(p);
            if (s) goto done;
        } else {
            r = p;
        }
        set(c, 2, r);
    }
    if (c->node->arg_edge[3] >= 0 && need(c, 3)) set(c, 3, pts_tensor_retain(g));   /* engine sums */
done:
    pts_value_release(&nl);
    pts_value_release(&bl);
    pts_tensor_release(mean2); pts_tensor_release(rstd2);
    pts_tensor_release(xc); pts_tensor_release(xh); pts_tensor_release(gh); pts_tensor_release(m1);
    pts_tensor_release(gx); pts_tensor_release(m2); pts_tensor_release(t1); pts_tensor_release(t2);
    pts_tensor_release(t3);
    return s;
}

enum { RED_NONE = 0, RED_MEAN = 1, RED_SUM = 2 };   /* at::Reduction */

/* g / N for mean reduction over n elements, else g */
static PtsStatus reduce_scale(PtsGradCtx *c, int64_t reduction, int64_t n, PtsTensor **out) {
    if (reduction == RED_MEAN) return call_scalar(PTS_AG_DIV, G(c), pts_vint(n), false, E(c), out);
    *out = pts_tensor_retain(G(c));
    return PTS_OK;
}

/* mse_loss(self, target, reduction): 2 (x - t) g (/ N) */
PtsStatus pts_bw_mse_loss(PtsGradCtx *c) {
    ARG(c, 0, self);
    ARG(c, 1, target);
    PtsTensor *d = NULL, *gs = NULL, *p = NULL, *r;
    PtsStatus s;
    if (!(s = call2(PTS_AG_SUB, self, target, E(c), &d)) &&
        !(s = reduce_scale(c, pts_value_to_i64(c->args[2]), pts_numel(d), &gs)) &&
        !(s = call2(PTS_AG_MUL, d, gs, E(c), &p))) {
        if (need(c, 0) && !(s = call_scalar(PTS_AG_MUL, p, pts_vint(2), false, E(c), &r))) set(c, 0, r);
        if (!s && need(c, 1) && !(s = call_scalar(PTS_AG_MUL, p, pts_vint(-2), false, E(c), &r))) set(c, 1, r);
    }
    pts_tensor_release(d);
    pts_tensor_release(gs);
    pts_tensor_release(p);
    return s;
}

/* binary_cross_entropy(self, target, weight?, reduction): g w (x - t) / (x (1 - x)) (/ N) */
PtsStatus pts_bw_bce(PtsGradCtx *c) {
    ARG(c, 0, self);
    ARG(c, 1, target);
    PtsTensor *w = A(c, 2), *d = NULL, *om = NULL, *den = NULL, *q = NULL, *gs = NULL, *p = NULL, *r;
    PtsStatus s;
    if (!(s = call2(PTS_AG_SUB, self, target, E(c), &d)) &&
        !(s = call_scalar(PTS_AG_SUB, self, pts_vint(1), true, E(c), &om)) &&
        !(s = call2(PTS_AG_MUL, self, om, E(c), &den)) && !(s = call2(PTS_AG_DIV, d, den, E(c), &q)) &&
        !(s = reduce_scale(c, pts_value_to_i64(c->args[3]), pts_numel(self), &gs)) &&
        !(s = call2(PTS_AG_MUL, q, gs, E(c), &p))) {
        if (w) {
            PtsTensor *pw;
            if (!(s = call2(PTS_AG_MUL, p, w, E(c), &pw))) { pts_tensor_release(p); p = pw; }
        }
        if (!s && need(c, 0)) set(c, 0, pts_tensor_retain(p));
        if (!s && need(c, 1)) {   /* -g w log(x / (1 - x)) (/ N) */
            PtsTensor *ratio = NULL, *lg = NULL, *m = NULL;
            if (!(s = call2(PTS_AG_DIV, self, om, E(c), &ratio)) && !(s = call1(PTS_AG_LOG, ratio, E(c), &lg)) &&
                !(s = call2(PTS_AG_MUL, lg, gs, E(c), &m))) {
                PtsTensor *mw = NULL;
                if (w) s = call2(PTS_AG_MUL, m, w, E(c), &mw);
                else mw = pts_tensor_retain(m);
                if (!s && !(s = call1(PTS_AG_NEG, mw, E(c), &r))) set(c, 1, r);
                pts_tensor_release(mw);
            }
            pts_tensor_release(ratio); pts_tensor_release(lg); pts_tensor_release(m);
        }
    }
    pts_tensor_release(d); pts_tensor_release(om); pts_tensor_release(den); pts_tensor_release(q);
    pts_tensor_release(gs); pts_tensor_release(p);
    return s;
}

/* binary_cross_entropy_with_logits(self, target, weight?, pos_weight?, reduction), s = sigmoid(x):
 * dx = ((1 - t + pw t) s - pw t) w g, dt = (log(1 - s) - pw log s) w g (each / N for mean) */
PtsStatus pts_bw_bce_logits(PtsGradCtx *c) {
    ARG(c, 0, self);
    ARG(c, 1, target);
    PtsTensor *w = A(c, 2), *pw = A(c, 3);
    PtsTensor *sg = NULL, *pt = NULL, *coef = NULL, *a = NULL, *b = NULL, *gs = NULL, *p = NULL;
    PtsStatus s;
    if ((s = call1(PTS_AG_SIGMOID, self, E(c), &sg)) ||
        (s = reduce_scale(c, pts_value_to_i64(c->args[4]), pts_numel(self), &gs)))
        goto done;
    if (pw) s = call2(PTS_AG_MUL, pw, target, E(c), &pt);       /* pw t */
    else pt = pts_tensor_retain(target);
    if (s) goto done;
    if (need(c, 0)) {
        /* (1 - t + pw t) sigmoid(x) - pw t */
        PtsTensor *one_t = NULL;
        if ((s = call_scalar(PTS_AG_SUB, target, pts_vint(1), true, E(c), &one_t))) goto done;
        s = call2(PTS_AG_ADD, one_t, pt, E(c), &coef);
        pts_tensor_release(one_t);
        if (s || (s = call2(PTS_AG_MUL, coef, sg, E(c), &a)) || (s = call2(PTS_AG_SUB, a, pt, E(c), &b)) ||
            (s = call2(PTS_AG_MUL, b, gs, E(c), &p)))
            goto done;
        if (w) {
            PtsTensor *q;
            if ((s = call2(PTS_AG_MUL, p, w, E(c), &q))) goto done;
            pts_tensor_release(p);
            p = q;
        }
        set(c, 0, pts_tensor_retain(p));
    }
    if (need(c, 1)) {
        /* d/dt of -(pw t log s + (1 - t) log(1 - s)) = -(pw log s - log(1 - s)) */
        PtsTensor *ls = NULL, *l1 = NULL, *om = NULL, *x1 = NULL, *d = NULL, *e = NULL, *f = NULL;
        if (!(s = call1(PTS_AG_LOG, sg, E(c), &ls)) &&
            !(s = call_scalar(PTS_AG_SUB, sg, pts_vint(1), true, E(c), &om)) && !(s = call1(PTS_AG_LOG, om, E(c), &l1))) {
            if (pw) s = call2(PTS_AG_MUL, pw, ls, E(c), &x1);
            else x1 = pts_tensor_retain(ls);
            if (!s && !(s = call2(PTS_AG_SUB, l1, x1, E(c), &d)) && !(s = call2(PTS_AG_MUL, d, gs, E(c), &e))) {
                if (w) s = call2(PTS_AG_MUL, e, w, E(c), &f);
                else f = pts_tensor_retain(e);
                if (!s) set(c, 1, pts_tensor_retain(f));
            }
        }
        pts_tensor_release(ls); pts_tensor_release(l1); pts_tensor_release(om); pts_tensor_release(x1);
        pts_tensor_release(d); pts_tensor_release(e); pts_tensor_release(f);
    }
done:
    pts_tensor_release(sg); pts_tensor_release(pt); pts_tensor_release(coef); pts_tensor_release(a);
    pts_tensor_release(b); pts_tensor_release(gs); pts_tensor_release(p);
    return s;
}

/* nll_loss(self, target, weight?, reduction, ignore_index) (and nll_loss2d): -w[t] g (/ the
 * summed weights for mean) scattered to the target class of each position */
PtsStatus pts_bw_nll_loss(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 1, target);
    PtsTensor *w = A(c, 2);
    int64_t reduction = pts_value_to_i64(c->args[3]), ignore = pts_value_to_i64(c->args[4]);
    int cls = IN(c, 0)->ndim == 1 ? 0 : 1;
    PtsTensor *keep = NULL, *tt = NULL, *wt = NULL, *coef = NULL, *den = NULL, *gi = NULL, *gu = NULL, *tu = NULL,
              *z = NULL, *q = NULL, *r;
    PtsStatus s;
    PtsValue v[2] = { pts_vtensor(target), pts_vint(ignore) };
    if ((s = call(PTS_AG_NE_SCALAR, 2, v, E(c), &keep))) goto done;
    {   /* a safe class index where the target is ignored */
        PtsValue w3[3] = { pts_vtensor(keep), pts_vtensor(target), pts_vint(0) };
        if ((s = call(PTS_AG_WHERE_SO, 3, w3, E(c), &tt))) goto done;
    }
    if (w) {   /* w[t] */
        PtsValue idx = pts_none();
        if ((s = pts_list_new(PTS_V_LIST, 1, E(c), &idx)) ||
            (s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(tt)), E(c)))) { pts_value_release(&idx); goto done; }
        PtsValue a[2] = { pts_vtensor(w), idx };
        s = call(PTS_AG_INDEX, 2, a, E(c), &wt);
        pts_value_release(&idx);
        if (s) goto done;
        PtsTensor *kf;
        if ((s = pts_ag_cast(keep, IN(c, 0)->dtype, E(c), &kf))) goto done;
        s = call2(PTS_AG_MUL, wt, kf, E(c), &coef);
        pts_tensor_release(kf);
        if (s) goto done;
    } else {
        if ((s = pts_ag_cast(keep, IN(c, 0)->dtype, E(c), &coef))) goto done;   /* a constant mask */
    }
    if (reduction == RED_MEAN) {   /* over the summed weights of the kept targets */
        PtsValue a[1] = { pts_vtensor(coef) };
        if ((s = call(PTS_AG_SUM, 1, a, E(c), &den)) || (s = call2(PTS_AG_DIV, coef, den, E(c), &q))) goto done;
        pts_tensor_release(coef);
        coef = q;
        q = NULL;
    }
    if ((s = call2(PTS_AG_MUL, coef, G(c), E(c), &q)) || (s = call1(PTS_AG_NEG, q, E(c), &z))) goto done;
    s = pts_ag_cast(z, IN(c, 0)->dtype, E(c), &gi);
    pts_tensor_release(z);
    z = NULL;
    if (s) goto done;
    /* scatter gi into zeros along the class dim at tt */
    if (IN(c, 0)->ndim == 1) {
        int64_t one = 1;
        if ((s = call_shape(PTS_AG_RESHAPE, gi, 1, &one, E(c), &gu)) || (s = call_shape(PTS_AG_RESHAPE, tt, 1, &one, E(c), &tu)))
            goto done;
    } else {
        PtsValue a[2] = { pts_vtensor(gi), pts_vint(cls) }, b[2] = { pts_vtensor(tt), pts_vint(cls) };
        if ((s = call(PTS_AG_UNSQUEEZE, 2, a, E(c), &gu)) || (s = call(PTS_AG_UNSQUEEZE, 2, b, E(c), &tu))) goto done;
    }
    if ((s = pts_ag_fill(IN(c, 0), 0.0, E(c), &z))) goto done;
    {
        PtsValue a[4] = { pts_vtensor(z), pts_vint(cls), pts_vtensor(tu), pts_vtensor(gu) };
        if (!(s = call(PTS_AG_SCATTER, 4, a, E(c), &r))) set(c, 0, r);
    }
done:
    pts_tensor_release(keep); pts_tensor_release(tt); pts_tensor_release(wt); pts_tensor_release(coef);
    pts_tensor_release(den); pts_tensor_release(gi); pts_tensor_release(gu); pts_tensor_release(tu);
    pts_tensor_release(z); pts_tensor_release(q);
    return s;
}

/* embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse): rows of g added into
 * zeros at the indices, the padding row left at zero */
PtsStatus pts_bw_embedding(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 1, indices);
    int64_t pad = pts_value_to_i64(c->args[2]);
    PtsTensor *g = pts_tensor_retain(G(c)), *z = NULL, *r;
    PtsValue idx = pts_none();
    PtsStatus s = PTS_OK;
    if (!(s = pts_list_new(PTS_V_LIST, 1, E(c), &idx)))
        s = pts_list_append(idx, pts_vtensor(pts_tensor_retain(indices)), E(c));
    if (!s && c->args[3].tag == PTS_V_BOOL && c->args[3].u.b) {
        /* scale_grad_by_freq: each row of g divided by how often its index occurs (as ATen) */
        PtsTensorMeta cm = *IN(c, 0), om;
        cm.dtype = g->dtype;
        cm.ndim = 1;
        om.dtype = g->dtype;
        om.ndim = indices->ndim;
        memcpy(om.shape, indices->shape, sizeof(int64_t) * (size_t)indices->ndim);
        PtsTensor *zc = NULL, *ones = NULL, *cnt = NULL, *per = NULL, *peru = NULL, *g2 = NULL;
        if (!(s = pts_ag_fill(&cm, 0.0, E(c), &zc)) && !(s = pts_ag_fill(&om, 1.0, E(c), &ones))) {
            PtsValue a[4] = { pts_vtensor(zc), idx, pts_vtensor(ones), pts_vbool(true) };
            if (!(s = call(PTS_AG_INDEX_PUT, 4, a, E(c), &cnt))) {
                PtsValue b[2] = { pts_vtensor(cnt), idx };
                if (!(s = call(PTS_AG_INDEX, 2, b, E(c), &per))) {
                    PtsValue u[2] = { pts_vtensor(per), pts_vint(-1) };
                    if (!(s = call(PTS_AG_UNSQUEEZE, 2, u, E(c), &peru))) {
                        PtsValue d[2] = { pts_vtensor(g), pts_vtensor(peru) };
                        if (!(s = call(PTS_AG_DIV, 2, d, E(c), &g2))) { pts_tensor_release(g); g = g2; }
                    }
                }
            }
        }
        pts_tensor_release(zc); pts_tensor_release(ones); pts_tensor_release(cnt);
        pts_tensor_release(per); pts_tensor_release(peru);
    }
    if (pad >= 0) {   /* zero the gradient rows of padding positions */
        PtsTensor *m = NULL, *mu = NULL, *g2 = NULL;
        PtsValue a[2] = { pts_vtensor(indices), pts_vint(pad) };
        if (!(s = call(PTS_AG_EQ_SCALAR, 2, a, E(c), &m))) {
            PtsValue b[2] = { pts_vtensor(m), pts_vint(-1) };
            if (!(s = call(PTS_AG_UNSQUEEZE, 2, b, E(c), &mu))) {
                PtsValue w3[3] = { pts_vtensor(mu), pts_vint(0), pts_vtensor(g) };
                if (!(s = call(PTS_AG_WHERE_SS, 3, w3, E(c), &g2))) { pts_tensor_release(g); g = g2; }
            }
        }
        pts_tensor_release(m);
        pts_tensor_release(mu);
    }
    if (!s && !(s = pts_ag_fill(IN(c, 0), 0.0, E(c), &z))) {
        PtsValue a[4] = { pts_vtensor(z), idx, pts_vtensor(g), pts_vbool(true) };
        if (!(s = call(PTS_AG_INDEX_PUT, 4, a, E(c), &r))) set(c, 0, r);
    }
    pts_tensor_release(g);
    pts_tensor_release(z);
    pts_value_release(&idx);
    return s;
}

/* max_pool2d_with_indices: g added into zeros at the flat (h * w) input positions the indices
 * name, one plane per leading (batch, channel) position */
PtsStatus pts_bw_max_pool2d(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    PtsTensor *idx = c->res[1];
    if (!idx) return pts_ag_missing(c, "result1");
    const PtsTensorMeta *m = IN(c, 0);
    if (m->ndim < 2) return pts_fail(E(c), PTS_ERR_INTERNAL, "max_pool2d input with %d dims", m->ndim);
    int64_t ps[PTS_MAX_DIMS];
    int np = 0;
    for (int i = 0; i < m->ndim - 2; i++) ps[np++] = m->shape[i];
    ps[np++] = -1;
    PtsTensorMeta flat = *m;
    flat.ndim = np;
    for (int i = 0; i < np - 1; i++) flat.shape[i] = m->shape[i];
    flat.shape[np - 1] = m->shape[m->ndim - 2] * m->shape[m->ndim - 1];
    PtsTensor *z = NULL, *gf = NULL, *ifl = NULL, *sc = NULL, *r;
    PtsStatus s;
    if (!(s = pts_ag_fill(&flat, 0.0, E(c), &z)) && !(s = call_shape(PTS_AG_RESHAPE, G(c), np, ps, E(c), &gf)) &&
        !(s = call_shape(PTS_AG_RESHAPE, idx, np, ps, E(c), &ifl))) {
        PtsValue v[4] = { pts_vtensor(z), pts_vint(-1), pts_vtensor(ifl), pts_vtensor(gf) };
        if (!(s = call(PTS_AG_SCATTER_ADD, 4, v, E(c), &sc)) &&
            !(s = call_shape(PTS_AG_RESHAPE, sc, m->ndim, m->shape, E(c), &r)))
            set(c, 0, r);
    }
    pts_tensor_release(z); pts_tensor_release(gf); pts_tensor_release(ifl); pts_tensor_release(sc);
    return s;
}

/* native_batch_norm(input, weight?, bias?, running_mean?, running_var?, training, momentum, eps)
 * -> (out, save_mean, save_invstd): per channel (dim 1) statistics over the other dims */
PtsStatus pts_bw_native_batch_norm(PtsGradCtx *c) {
    ARG(c, 0, input);
    const PtsTensorMeta *m = IN(c, 0);
    bool training = c->args[5].tag == PTS_V_BOOL && c->args[5].u.b;
    int nd = m->ndim;
    if (nd < 2) return pts_fail(E(c), PTS_ERR_INTERNAL, "batch_norm input with %d dims", nd);
    int64_t bshape[PTS_MAX_DIMS], red[PTS_MAX_DIMS];
    int nred = 0;
    for (int i = 0; i < nd; i++) {
        bshape[i] = i == 1 ? m->shape[1] : 1;
        if (i != 1) red[nred++] = i;
    }
    PtsTensor *w = A(c, 1), *g = G(c);
    PtsTensor *mean = NULL, *invstd = NULL, *xc = NULL, *xh = NULL, *wb = NULL, *gh = NULL, *t[8] = { 0 }, *r;
    PtsValue rl = pts_none();
    PtsStatus s;
    if ((s = pts_int_list_new(red, nred, E(c), &rl))) return s;
    PtsValue eps = c->args[7];
    if (training && !pts_grad_enabled() && c->res[1] && c->res[2]) {
        if ((s = call_shape(PTS_AG_RESHAPE, c->res[1], nd, bshape, E(c), &mean)) ||
            (s = call_shape(PTS_AG_RESHAPE, c->res[2], nd, bshape, E(c), &invstd)))
            goto done;
    } else if (training) {
        /* recomputed (create_graph): the second derivative sees their dependence on input */
        PtsValue a[3] = { pts_vtensor(input), rl, pts_vbool(true) };
        if ((s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &mean)) || (s = call2(PTS_AG_SUB, input, mean, E(c), &t[0])) ||
            (s = call2(PTS_AG_MUL, t[0], t[0], E(c), &t[1])))
            goto done;
        a[0] = pts_vtensor(t[1]);
        if ((s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &t[2])) || (s = call_scalar(PTS_AG_ADD, t[2], eps, false, E(c), &t[3])))
            goto done;
        PtsValue p[2] = { pts_vtensor(t[3]), pts_vdouble(-0.5) };
        if ((s = call(PTS_AG_POW_TS, 2, p, E(c), &invstd))) goto done;
    } else {
        PtsTensor *rm = A(c, 3), *rv = A(c, 4);
        if (!rm || !rv) { s = pts_ag_missing(c, "running_mean/running_var"); goto done; }
        if ((s = call_shape(PTS_AG_RESHAPE, rm, nd, bshape, E(c), &mean)) ||
            (s = call_shape(PTS_AG_RESHAPE, rv, nd, bshape, E(c), &t[4])) ||
            (s = call_scalar(PTS_AG_ADD, t[4], eps, false, E(c), &t[5])))
            goto done;
        PtsValue p[2] = { pts_vtensor(t[5]), pts_vdouble(-0.5) };
        if ((s = call(PTS_AG_POW_TS, 2, p, E(c), &invstd))) goto done;
    }
    if ((s = call2(PTS_AG_SUB, input, mean, E(c), &xc)) || (s = call2(PTS_AG_MUL, xc, invstd, E(c), &xh))) goto done;
    if (w) {
        if ((s = call_shape(PTS_AG_RESHAPE, w, nd, bshape, E(c), &wb)) || (s = call2(PTS_AG_MUL, g, wb, E(c), &gh)))
            goto done;
    } else {
        gh = pts_tensor_retain(g);
    }
    if (need(c, 0)) {
        if (training) {   /* invstd (gh - mean(gh) - xh mean(gh xh)) */
            PtsTensor *m1 = NULL, *gx = NULL, *m2 = NULL, *a1 = NULL, *a2 = NULL, *a3 = NULL;
            PtsValue a[3] = { pts_vtensor(gh), rl, pts_vbool(true) };
            if (!(s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &m1)) && !(s = call2(PTS_AG_MUL, gh, xh, E(c), &gx))) {
                a[0] = pts_vtensor(gx);
                if (!(s = call(PTS_AG_MEAN_DIM, 3, a, E(c), &m2)) && !(s = call2(PTS_AG_SUB, gh, m1, E(c), &a1)) &&
                    !(s = call2(PTS_AG_MUL, xh, m2, E(c), &a2)) && !(s = call2(PTS_AG_SUB, a1, a2, E(c), &a3)) &&
                    !(s = call2(PTS_AG_MUL, a3, invstd, E(c), &r)))
                    set(c, 0, r);
            }
            pts_tensor_release(m1); pts_tensor_release(gx); pts_tensor_release(m2);
            pts_tensor_release(a1); pts_tensor_release(a2); pts_tensor_release(a3);
        } else if (!(s = call2(PTS_AG_MUL, gh, invstd, E(c), &r))) {
            set(c, 0, r);
        }
        if (s) goto done;
    }
    if (c->node->arg_edge[1] >= 0 && need(c, 1)) {   /* sum of g xh per channel */
        if ((s = call2(PTS_AG_MUL, g, xh, E(c), &t[6]))) goto done;
        PtsValue a[3] = { pts_vtensor(t[6]), rl, pts_vbool(false) };
        if ((s = call(PTS_AG_SUM_DIM, 3, a, E(c), &r))) goto done;
        set(c, 1, r);
    }
    if (c->node->arg_edge[2] >= 0 && need(c, 2)) {   /* sum of g per channel */
        PtsValue a[3] = { pts_vtensor(g), rl, pts_vbool(false) };
        if ((s = call(PTS_AG_SUM_DIM, 3, a, E(c), &r))) goto done;
        set(c, 2, r);
    }
done:
    pts_value_release(&rl);
    pts_tensor_release(mean); pts_tensor_release(invstd); pts_tensor_release(xc); pts_tensor_release(xh);
    pts_tensor_release(wb); pts_tensor_release(gh);
    for (int i = 0; i < 8; i++) pts_tensor_release(t[i]);
    return s;
}

/* reflection_padNd / replication_padNd(self, padding): the matching _backward op sums g back
 * into self's shape; that op's own backward pads gg again (self gets zeros, as in PyTorch) */
static PtsStatus pad_grad(PtsGradCtx *c, int bw_op) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[3] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[1] };
    PtsTensor *r;
    PTS_TRY(call(bw_op, 3, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus pad_backward_grad(PtsGradCtx *c, int fwd_op) {
    PtsTensor *r;
    if (need(c, 0)) {
        PtsValue v[2] = { pts_vtensor(G(c)), c->args[2] };
        PTS_TRY(call(fwd_op, 2, v, E(c), &r));
        set(c, 0, r);
    }
    if (need(c, 1)) {
        PTS_TRY(pts_ag_fill(IN(c, 1), 0.0, E(c), &r));
        set(c, 1, r);
    }
    return PTS_OK;
}

#define PAD_FORMULAS(name, FWD)                                                                \
    PtsStatus pts_bw_##name(PtsGradCtx *c) { return pad_grad(c, PTS_AG_##FWD##_BW); }         \
    PtsStatus pts_bw_##name##_backward(PtsGradCtx *c) { return pad_backward_grad(c, PTS_AG_##FWD); }
PAD_FORMULAS(reflection_pad1d, REFL1)
PAD_FORMULAS(reflection_pad2d, REFL2)
PAD_FORMULAS(reflection_pad3d, REFL3)
PAD_FORMULAS(replication_pad1d, REPL1)
PAD_FORMULAS(replication_pad2d, REPL2)
PAD_FORMULAS(replication_pad3d, REPL3)
#undef PAD_FORMULAS

/* avg_pool2d(self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
 * avg_pool2d_backward spreads g over the windows; its own backward pools gg again */
PtsStatus pts_bw_avg_pool2d(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[8] = { pts_vtensor(G(c)), pts_vtensor(self), c->args[1], c->args[2], c->args[3], c->args[4],
                      c->args[5], c->args[6] };
    PtsTensor *r;
    PTS_TRY(call(PTS_AG_AVG_POOL2D_BW, 8, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_avg_pool2d_backward(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) {
        PtsValue v[7] = { pts_vtensor(G(c)), c->args[2], c->args[3], c->args[4], c->args[5], c->args[6], c->args[7] };
        PTS_TRY(call(PTS_AG_AVG_POOL2D, 7, v, E(c), &r));
        set(c, 0, r);
    }
    if (need(c, 1)) {
        PTS_TRY(pts_ag_fill(IN(c, 1), 0.0, E(c), &r));
        set(c, 1, r);
    }
    return PTS_OK;
}

/* _adaptive_avg_pool2d(self, output_size) and its backward (output size: grad_output's last two) */
PtsStatus pts_bw_adaptive_avg_pool2d(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue v[2] = { pts_vtensor(G(c)), pts_vtensor(self) };
    PtsTensor *r;
    PTS_TRY(call(PTS_AG_ADAPTIVE_AVG_BW, 2, v, E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_adaptive_avg_pool2d_backward(PtsGradCtx *c) {
    PtsTensor *r;
    if (need(c, 0)) {
        const PtsTensorMeta *m = IN(c, 0);
        if (m->ndim < 2) return pts_fail(E(c), PTS_ERR_INTERNAL, "adaptive_avg_pool2d grad_output with %d dims", m->ndim);
        PtsValue v[2] = { pts_vtensor(G(c)), pts_none() };
        PTS_TRY(pts_int_list_new(m->shape + m->ndim - 2, 2, E(c), &v[1]));
        PtsStatus s = call(PTS_AG_ADAPTIVE_AVG, 2, v, E(c), &r);
        pts_value_release(&v[1]);
        PTS_TRY(s);
        set(c, 0, r);
    }
    if (need(c, 1)) {
        PTS_TRY(pts_ag_fill(IN(c, 1), 0.0, E(c), &r));
        set(c, 1, r);
    }
    return PTS_OK;
}

/* ---- convolution ----
 * conv1d / conv2d (and their padding='valid'/'same' forms), convolution, _convolution and
 * _convolution_mode all differentiate through convolution_backward (PyTorch's
 * ConvolutionBackward0/1). 'same' with an odd total padding puts the extra one on the right: the
 * input is padded by it first (constant_pad_nd, as ATen does) and its gradient cropped back. */
static PtsStatus int_list_n(PtsValue v, int n, int64_t *dst, PtsError *err) {
    int64_t xs[PTS_MAX_DIMS];
    int k = PTS_MAX_DIMS;
    PTS_TRY(pts_value_int_list(v, xs, PTS_MAX_DIMS, &k, err));
    if (k != 1 && k != n) return pts_fail(err, PTS_ERR_INTERNAL, "convolution: a list of %d values for %d dims", k, n);
    for (int i = 0; i < n; i++) dst[i] = xs[k == 1 ? 0 : i];
    return PTS_OK;
}

/* convolution_backward(g, x, w, bias_sizes?, stride, padding, dilation, false, zeros, groups,
 * mask): the three results (+1, NONE where not computed) */
static PtsStatus conv_bw_call(PtsTensor *g, PtsTensor *x, PtsTensor *w, PtsValue bias_sizes, PtsValue stride,
                              PtsValue padding, PtsValue dilation, PtsValue out_pad, PtsValue groups,
                              const bool *mask, PtsError *err, PtsValue *res) {
    PtsValue ml = pts_none();
    PTS_TRY(pts_list_new(PTS_V_LIST, 3, err, &ml));
    for (int i = 0; i < 3; i++) pts_list_append(ml, pts_vbool(mask[i]), err);
    PtsValue v[11] = { pts_vtensor(g), pts_vtensor(x), pts_vtensor(w), bias_sizes, stride, padding, dilation,
                       pts_vbool(false), out_pad, groups, ml };
    for (int i = 0; i < 3; i++) res[i] = pts_none();
    PtsStatus s = pts_op_call(PTS_OP_CONVOLUTION_BACKWARD, v, res, err);
    pts_value_release(&ml);
    return s;
}

PtsStatus pts_bw_convolution(PtsGradCtx *c) {
    ARG(c, 0, input);
    ARG(c, 1, weight);
    int op = c->node->op;
    bool generic = op == PTS_OP_CONVOLUTION || op == PTS_OP__CONVOLUTION;
    if (generic && c->args[6].tag == PTS_V_BOOL && c->args[6].u.b)
        return pts_fail(E(c), PTS_ERR_NOTIMPL, "pyts: transposed convolution is not implemented yet");
    int nsp = weight->ndim - 2;
    if (nsp < 1 || nsp > 3) return pts_fail(E(c), PTS_ERR_INTERNAL, "convolution weight with %d dims", weight->ndim);
    PtsValue groups = c->args[generic ? 8 : 6];
    int64_t pd[3] = { 0, 0, 0 }, extra[3] = { 0, 0, 0 }, dl[3], zeros[3] = { 0, 0, 0 };
    bool any_extra = false;
    PTS_TRY(int_list_n(c->args[5], nsp, dl, E(c)));
    if (c->args[4].tag == PTS_V_STR) {
        if (strcmp(pts_as_str(c->args[4])->data, "same") == 0)
            for (int i = 0; i < nsp; i++) {
                int64_t total = dl[i] * (weight->shape[2 + i] - 1);
                pd[i] = total / 2;
                extra[i] = total - 2 * pd[i];
                if (extra[i]) any_extra = true;
            }
    } else {
        PTS_TRY(int_list_n(c->args[4], nsp, pd, E(c)));
    }
    bool unbatched = input->ndim == weight->ndim - 1;
    bool has_bias = c->node->arg_edge[2] >= 0;
    bool mask[3] = { need(c, 0), need(c, 1), has_bias && need(c, 2) };
    PtsTensor *x = NULL, *g = NULL, *xp = NULL;
    PtsValue pl = pts_none(), dll = pts_none(), zl = pts_none(), sl = pts_none(), bs = pts_none(), res[3];
    for (int i = 0; i < 3; i++) res[i] = pts_none();
    PtsStatus s;
    int64_t st[3];
    if ((s = int_list_n(c->args[3], nsp, st, E(c)))) return s;
    if (unbatched) {
        PtsValue u[2] = { pts_vtensor(input), pts_vint(0) }, ug[2] = { pts_vtensor(G(c)), pts_vint(0) };
        if ((s = call(PTS_AG_UNSQUEEZE, 2, u, E(c), &x)) || (s = call(PTS_AG_UNSQUEEZE, 2, ug, E(c), &g))) goto done;
    } else {
        x = pts_tensor_retain(input);
        g = pts_tensor_retain(G(c));
    }
    if (any_extra) {   /* pads list: last dim first, (left, right) */
        int64_t pads[6];
        for (int k = 0; k < nsp; k++) { pads[2 * k] = 0; pads[2 * k + 1] = extra[nsp - 1 - k]; }
        PtsValue v[3] = { pts_vtensor(x), pts_none(), pts_vint(0) };
        if ((s = pts_int_list_new(pads, 2 * nsp, E(c), &v[1]))) goto done;
        s = call(PTS_AG_PAD, 3, v, E(c), &xp);
        pts_value_release(&v[1]);
        if (s) goto done;
        pts_tensor_release(x);
        x = xp;
        xp = NULL;
    }
    if ((s = pts_int_list_new(pd, nsp, E(c), &pl)) || (s = pts_int_list_new(dl, nsp, E(c), &dll)) ||
        (s = pts_int_list_new(zeros, nsp, E(c), &zl)) || (s = pts_int_list_new(st, nsp, E(c), &sl)))
        goto done;
    if (has_bias && (s = pts_int_list_new(&weight->shape[0], 1, E(c), &bs))) goto done;
    if ((s = conv_bw_call(g, x, weight, bs, sl, pl, dll, zl, groups, mask, E(c), res))) goto done;
    if (mask[0]) {
        PtsTensor *gx = res[0].u.t, *t;
        res[0] = pts_none();
        for (int i = 0; i < nsp && !s; i++) {
            if (!extra[i]) continue;
            int64_t keep = input->shape[input->ndim - nsp + i];
            PtsValue v[5] = { pts_vtensor(gx), pts_vint(2 + i), pts_vint(0), pts_vint(keep), pts_vint(1) };
            if (!(s = call(PTS_AG_SLICE, 5, v, E(c), &t))) { pts_tensor_release(gx); gx = t; }
        }
        if (!s && unbatched) {
            PtsValue v[2] = { pts_vtensor(gx), pts_vint(0) };
            if (!(s = call(PTS_AG_SQUEEZE_DIM, 2, v, E(c), &t))) { pts_tensor_release(gx); gx = t; }
        }
        if (s) { pts_tensor_release(gx); goto done; }
        set(c, 0, gx);
    }
    if (mask[1]) { set(c, 1, res[1].u.t); res[1] = pts_none(); }
    if (mask[2]) { set(c, 2, res[2].u.t); res[2] = pts_none(); }
done:
    for (int i = 0; i < 3; i++) pts_value_release(&res[i]);
    pts_value_release(&pl); pts_value_release(&dll); pts_value_release(&zl); pts_value_release(&sl);
    pts_value_release(&bs);
    pts_tensor_release(x); pts_tensor_release(g); pts_tensor_release(xp);
    return s;
}

/* convolution_backward(gO, input, weight, bias_sizes, stride, padding, dilation, transposed,
 * output_padding, groups, output_mask): linear in (gO, weight) and in (gO, input), so
 * d gO = conv(ggI, W) + conv(x, ggW) + ggb; d x = grad_input of conv(., ggW) at gO;
 * d W = grad_weight of conv(ggI, .) at gO */
PtsStatus pts_bw_convolution_backward(PtsGradCtx *c) {
    ARG(c, 0, go);
    ARG(c, 1, input);
    ARG(c, 2, weight);
    if (c->args[7].tag == PTS_V_BOOL && c->args[7].u.b)
        return pts_fail(E(c), PTS_ERR_NOTIMPL, "pyts: transposed convolution is not implemented yet");
    PtsTensor *ggi = c->go[0], *ggw = c->go[1], *ggb = c->go[2];
    PtsTensor *a = NULL, *b = NULL, *ab = NULL, *gbr = NULL, *r = NULL;
    PtsValue res[3];
    for (int i = 0; i < 3; i++) res[i] = pts_none();
    PtsStatus s = PTS_OK;
    if (need(c, 0)) {
        PtsValue v[9] = { pts_vtensor(ggi), pts_vtensor(weight), pts_none(), c->args[4], c->args[5], c->args[6],
                          pts_vbool(false), c->args[8], c->args[9] };
        if ((s = call(PTS_AG_CONVOLUTION, 9, v, E(c), &a))) goto done;
        v[0] = pts_vtensor(input);
        v[1] = pts_vtensor(ggw);
        if ((s = call(PTS_AG_CONVOLUTION, 9, v, E(c), &b)) || (s = call2(PTS_AG_ADD, a, b, E(c), &ab))) goto done;
        int64_t bshape[PTS_MAX_DIMS];
        int nd = IN(c, 0)->ndim;
        for (int i = 0; i < nd; i++) bshape[i] = i == 1 ? IN(c, 0)->shape[1] : 1;
        if ((s = call_shape(PTS_AG_RESHAPE, ggb, nd, bshape, E(c), &gbr)) || (s = call2(PTS_AG_ADD, ab, gbr, E(c), &r)))
            goto done;
        set(c, 0, r);
    }
    if (need(c, 1)) {
        bool m[3] = { true, false, false };
        if ((s = conv_bw_call(go, input, ggw, pts_none(), c->args[4], c->args[5], c->args[6], c->args[8], c->args[9],
                              m, E(c), res)))
            goto done;
        set(c, 1, res[0].u.t);
        res[0] = pts_none();
        for (int i = 1; i < 3; i++) pts_value_release(&res[i]);
    }
    if (need(c, 2)) {
        bool m[3] = { false, true, false };
        if ((s = conv_bw_call(go, ggi, weight, pts_none(), c->args[4], c->args[5], c->args[6], c->args[8], c->args[9],
                              m, E(c), res)))
            goto done;
        set(c, 2, res[1].u.t);
        res[1] = pts_none();
    }
done:
    for (int i = 0; i < 3; i++) pts_value_release(&res[i]);
    pts_tensor_release(a); pts_tensor_release(b); pts_tensor_release(ab); pts_tensor_release(gbr);
    return s;
}

/* conv1d / conv2d of an unbatched input: ATen unsqueezes it, convolves and squeezes the result,
 * so the output's node is SqueezeBackward1 (here one node does all three) */
const char *pts_bwname_conv(const PtsValue *args) {
    if (args[0].tag == PTS_V_TENSOR && args[1].tag == PTS_V_TENSOR && args[0].u.t->ndim == args[1].u.t->ndim - 1)
        return "SqueezeBackward1";
    return "ConvolutionBackward0";
}

/* _pad_circular(self, pad): output index j of padded dim d reads input index
 * istart + (j - ostart) mod core (negative pads crop first, as the kernel does); the dims are
 * independent, so g is summed back one padded dim at a time with scatter_add. ATen builds this op
 * from slice copies, so its output's node is CopySlices; here one node does the whole pad. */
PtsStatus pts_bw_pad_circular(PtsGradCtx *c) {
    if (!need(c, 0)) return PTS_OK;
    const PtsTensorMeta *m = IN(c, 0);
    int64_t pads[2 * PTS_MAX_DIMS];
    int n = 2 * PTS_MAX_DIMS;
    PTS_TRY(pts_value_int_list(c->args[1], pads, 2 * PTS_MAX_DIMS, &n, E(c)));
    int npad = n / 2;
    if (npad > m->ndim) return pts_fail(E(c), PTS_ERR_INTERNAL, "_pad_circular: %d pads for %d dims", n, m->ndim);
    PtsTensor *g = pts_tensor_retain(G(c));
    PtsStatus s = PTS_OK;
    PtsTensorMeta cur;
    cur.dtype = m->dtype;
    cur.ndim = g->ndim;
    for (int i = 0; i < g->ndim; i++) cur.shape[i] = g->shape[i];
    for (int k = 0; k < npad && !s; k++) {
        int d = m->ndim - 1 - k;
        int64_t lo = pads[2 * k], hi = pads[2 * k + 1], in = m->shape[d], o = g->shape[d];
        int64_t istart = lo < 0 ? -lo : 0, ostart = lo > 0 ? lo : 0, core = in - istart - (hi < 0 ? -hi : 0);
        if (core <= 0 && o > 0) { s = pts_fail(E(c), PTS_ERR_INTERNAL, "_pad_circular: empty core"); break; }
        int64_t ishape[PTS_MAX_DIMS];
        for (int i = 0; i < g->ndim; i++) ishape[i] = i == d ? o : 1;
        PtsTensor *idx = NULL, *idxe = NULL, *z = NULL, *r = NULL;
        if ((s = pts_tensor_new(PTS_INT64, g->ndim, ishape, E(c), &idx))) break;
        int64_t *ip = (int64_t *)pts_tensor_data(idx);
        for (int64_t j = 0; j < o; j++) {
            int64_t q = (j - ostart) % core;
            ip[j] = istart + (q < 0 ? q + core : q);
        }
        cur.shape[d] = in;
        if (!(s = call_shape(PTS_AG_EXPAND, idx, g->ndim, g->shape, E(c), &idxe)) && !(s = pts_ag_fill(&cur, 0.0, E(c), &z))) {
            PtsValue v[4] = { pts_vtensor(z), pts_vint(d), pts_vtensor(idxe), pts_vtensor(g) };
            if (!(s = call(PTS_AG_SCATTER_ADD, 4, v, E(c), &r))) { pts_tensor_release(g); g = r; }
        }
        pts_tensor_release(idx); pts_tensor_release(idxe); pts_tensor_release(z);
    }
    if (s) { pts_tensor_release(g); return s; }
    set(c, 0, g);
    return PTS_OK;
}
