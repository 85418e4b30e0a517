/* formulas_complex.c: autograd for complex tensors, with torch's convention (gradients are
 * conjugate Wirtinger derivatives; a real input's gradient is the real part). The table below says
 * how each row records when a complex value is involved: its real formula as is (real-linear
 * ops with real coefficients: views, sums), conjugated around it (holomorphic ops: a formula
 * g * f'(x) becomes conj(conj(g) * f'(x)) = g * conj(f'(x))), split into real and imaginary
 * halves (real-linear formulas built on ops without complex kernels, like index_put), or its own
 * formula here. Rows without a line are refused when a complex value meets an input requiring
 * grad (autograd/record.c). Every formula computes with registry ops, so create_graph works. */
#include <stdio.h>

#define PTS_FORMULA_FILE
#include "autograd.h"

/* ================= helpers ================= */

static bool cx(const PtsTensor *t) { return t && pts_dtype_is_complex(t->dtype); }

/* conj(t) for a complex t, else t itself (+1) */
static PtsStatus conj_of(PtsTensor *t, PtsError *err, PtsTensor **out) {
    if (!cx(t)) {
        *out = pts_tensor_retain(t);
        return PTS_OK;
    }
    return call1(PTS_AG_CONJ, t, err, out);
}

static PtsStatus zeros_like_meta(const PtsTensor *t, PtsDType d, PtsError *err, PtsTensor **out) {
    PtsTensorMeta m;
    pts_meta_tensor(t, &m);
    m.dtype = d;
    return pts_ag_fill(&m, 0.0, err, out);
}

/* t * 1j */
static PtsStatus times_i(PtsTensor *t, PtsError *err, PtsTensor **out) {
    PtsValue j;
    PTS_TRY(pts_complex_new(0.0, 1.0, err, &j));
    PtsStatus s = call_scalar(PTS_AG_MUL, t, j, false, err, out);
    pts_value_release(&j);
    return s;
}

/* x / d where d is a real tensor, with 1 in place of d's zeros (so 0 / 0 gives 0: sgn(0) = 0) */
static PtsStatus div_nz(PtsTensor *x, PtsTensor *d, PtsError *err, PtsTensor **out) {
    PtsTensor *m = NULL, *dd = NULL;
    PtsValue v[2] = { pts_vtensor(d), pts_vint(0) };
    PtsStatus s;
    if (!(s = call(PTS_AG_EQ_SCALAR, 2, v, err, &m)) && !(s = call2(PTS_AG_ADD, d, m, err, &dd)))
        s = call2(PTS_AG_DIV, x, dd, err, out);
    pts_tensor_release(m);
    pts_tensor_release(dd);
    return s;
}

/* sgn(x) = x / |x| (0 at 0), torch's sgn */
static PtsStatus sgn_of(PtsTensor *x, PtsError *err, PtsTensor **out) {
    PtsTensor *a;
    PTS_TRY(call1(PTS_AG_ABS, x, err, &a));
    PtsStatus s = div_nz(x, a, err, out);
    pts_tensor_release(a);
    return s;
}

/* g * conj(f) into input i (steals f) */
static PtsStatus set_mul_conj(PtsGradCtx *c, int i, PtsTensor *f) {
    PtsTensor *fc, *r;
    PtsStatus s = conj_of(f, E(c), &fc);
    pts_tensor_release(f);
    PTS_TRY(s);
    s = call2(PTS_AG_MUL, G(c), fc, E(c), &r);
    pts_tensor_release(fc);
    PTS_TRY(s);
    set(c, i, r);
    return PTS_OK;
}

/* ================= rows of derivatives.def ================= */

/* imag: the gradient of the imaginary part is g * 1j */
PtsStatus pts_bw_imag(PtsGradCtx *c) {
    PtsTensor *z, *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(zeros_like_meta(G(c), G(c)->dtype, E(c), &z));
    PtsStatus s = call2(PTS_AG_COMPLEX, z, G(c), E(c), &r);
    pts_tensor_release(z);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_view_as_real(PtsGradCtx *c) {   /* view_as_complex(g.contiguous()) */
    PtsTensor *g, *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call1(PTS_AG_CONTIGUOUS, G(c), E(c), &g));
    PtsStatus s = call1(PTS_AG_VIEW_AS_COMPLEX, g, E(c), &r);
    pts_tensor_release(g);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_view_as_complex(PtsGradCtx *c) {   /* view_as_real(g) */
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(call1(PTS_AG_VIEW_AS_REAL, G(c), E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_conj(PtsGradCtx *c) {   /* conj and conj_physical: g.conj() */
    PtsTensor *r;
    if (!need(c, 0)) return PTS_OK;
    PTS_TRY(conj_of(G(c), E(c), &r));
    set(c, 0, r);
    return PTS_OK;
}

PtsStatus pts_bw_complex(PtsGradCtx *c) {   /* complex(real, imag): real(g), imag(g) */
    PtsTensor *r;
    for (int i = 0; i < 2; i++) {
        if (!need(c, i)) continue;
        if (!cx(G(c))) PTS_TRY(i == 0 ? (r = pts_tensor_retain(G(c)), PTS_OK) : zeros_like_meta(G(c), G(c)->dtype, E(c), &r));
        else PTS_TRY(call1(i == 0 ? PTS_AG_REAL : PTS_AG_IMAG, G(c), E(c), &r));
        set(c, i, r);
    }
    return PTS_OK;
}

/* polar(abs, angle) = abs * e^(i angle): abs gets real(conj(g) * sgn(y)), angle real(conj(g) * y * 1j)
 * = -imag(conj(g) * y) (torch's polar_backward) */
PtsStatus pts_bw_polar(PtsGradCtx *c) {
    PtsTensor *y = c->res[0], *gc = NULL, *sg = NULL, *p = NULL, *q = NULL, *r;
    if (!need(c, 0) && !need(c, 1)) return PTS_OK;
    if (!y) return pts_ag_missing(c, "result");
    PtsStatus s = conj_of(G(c), E(c), &gc);
    if (!s && need(c, 0) && !(s = sgn_of(y, E(c), &sg)) && !(s = call2(PTS_AG_MUL, gc, sg, E(c), &p)) &&
        !(s = call1(PTS_AG_REAL, p, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(p);
    p = NULL;
    if (!s && need(c, 1) && !(s = call2(PTS_AG_MUL, gc, y, E(c), &p)) && !(s = call1(PTS_AG_IMAG, p, E(c), &q)) &&
        !(s = call1(PTS_AG_NEG, q, E(c), &r)))
        set(c, 1, r);
    pts_tensor_release(gc);
    pts_tensor_release(sg);
    pts_tensor_release(p);
    pts_tensor_release(q);
    return s;
}

/* ================= complex versions of real rows ================= */

static PtsStatus cx_bw_abs(PtsGradCtx *c) {   /* g * sgn(x) */
    PtsTensor *sg, *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PTS_TRY(sgn_of(self, E(c), &sg));
    PtsStatus s = call2(PTS_AG_MUL, G(c), sg, E(c), &r);
    pts_tensor_release(sg);
    PTS_TRY(s);
    set(c, 0, r);
    return PTS_OK;
}

static PtsStatus cx_bw_angle(PtsGradCtx *c) {   /* g * x / |x|^2 * 1j, 0 where x == 0 */
    PtsTensor *a = NULL, *a2 = NULL, *q = NULL, *gq = NULL, *r;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    if (!cx(self)) return pts_bw_zero(c);
    PtsStatus s;
    if (!(s = call1(PTS_AG_ABS, self, E(c), &a)) && !(s = call2(PTS_AG_MUL, a, a, E(c), &a2)) &&
        !(s = div_nz(self, a2, E(c), &q)) && !(s = call2(PTS_AG_MUL, G(c), q, E(c), &gq)) &&
        !(s = times_i(gq, E(c), &r)))
        set(c, 0, r);
    pts_tensor_release(a);
    pts_tensor_release(a2);
    pts_tensor_release(q);
    pts_tensor_release(gq);
    return s;
}

/* e - 1 for a number e (complex stays complex) */
static PtsStatus minus_one(PtsValue e, PtsError *err, PtsValue *out) {
    if (e.tag == PTS_V_COMPLEX) return pts_complex_new(pts_as_complex(e)->re - 1, pts_as_complex(e)->im, err, out);
    *out = pts_vdouble(pts_value_to_f64(e) - 1);
    return PTS_OK;
}

static bool is_zero_number(PtsValue e) {
    if (e.tag == PTS_V_COMPLEX) return pts_as_complex(e)->re == 0 && pts_as_complex(e)->im == 0;
    return pts_value_to_f64(e) == 0;
}

/* pow.Tensor_Scalar: g * conj(e * x^(e-1)), 0 when e == 0 */
static PtsStatus cx_bw_pow_ts(PtsGradCtx *c) {
    PtsTensor *p = NULL, *f = NULL;
    PtsValue em1 = pts_none();
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsValue e = c->args[1];
    if (is_zero_number(e)) return pts_bw_zero(c);
    PtsStatus s = minus_one(e, E(c), &em1);
    if (!s) {
        PtsValue v[2] = { pts_vtensor(self), em1 };
        if (!(s = call(PTS_AG_POW_TS, 2, v, E(c), &p)) && !(s = call_scalar(PTS_AG_MUL, p, e, false, E(c), &f))) {
            s = set_mul_conj(c, 0, f);
            f = NULL;
        }
    }
    pts_value_release(&em1);
    pts_tensor_release(p);
    return s;
}

/* where(mask, 0, t) for a real or complex t (where has no complex kernel: the parts go apart) */
static PtsStatus zero_where(PtsTensor *mask, PtsTensor *t, PtsError *err, PtsTensor **out) {
    if (!cx(t)) {
        PtsValue w[3] = { pts_vtensor(mask), pts_vint(0), pts_vtensor(t) };
        return call(PTS_AG_WHERE_SS, 3, w, err, out);
    }
    PtsTensor *p[2] = { NULL, NULL }, *q[2] = { NULL, NULL };
    PtsStatus s = PTS_OK;
    for (int i = 0; i < 2 && !s; i++) {
        if ((s = call1(i ? PTS_AG_IMAG : PTS_AG_REAL, t, err, &p[i]))) break;
        PtsValue w[3] = { pts_vtensor(mask), pts_vint(0), pts_vtensor(p[i]) };
        s = call(PTS_AG_WHERE_SS, 3, w, err, &q[i]);
    }
    if (!s) s = call2(PTS_AG_COMPLEX, q[0], q[1], err, out);
    for (int i = 0; i < 2; i++) { pts_tensor_release(p[i]); pts_tensor_release(q[i]); }
    return s;
}

/* g * conj(y * log(base)), the base cast to y's dtype (a negative real base has a complex log);
 * 0 where base == 0 and the exponent is real and >= 0 (torch's pow_backward_exponent) */
static PtsStatus exp_grad(PtsGradCtx *c, int i, PtsValue base, PtsTensor *exponent, PtsTensor *y) {
    PtsTensor *b = NULL, *bc = NULL, *lg = NULL, *f = NULL, *fc = NULL, *gf = NULL, *m0 = NULL, *m1 = NULL,
              *er = NULL, *ei = NULL, *mask = NULL, *r;
    PtsStatus s;
    if (!(s = pts_wrap_scalar(base, E(c), &b)) && !(s = pts_ag_cast(b, y->dtype, E(c), &bc)) &&
        !(s = call1(PTS_AG_LOG, bc, E(c), &lg)) && !(s = call2(PTS_AG_MUL, y, lg, E(c), &f)) &&
        !(s = conj_of(f, E(c), &fc)) && !(s = call2(PTS_AG_MUL, G(c), fc, E(c), &gf))) {
        PtsValue v0[2] = { pts_vtensor(b), pts_vint(0) };
        s = call(PTS_AG_EQ_SCALAR, 2, v0, E(c), &m0);
        if (!s && cx(exponent)) {   /* imag(e) == 0 and real(e) >= 0 */
            if (!(s = call1(PTS_AG_REAL, exponent, E(c), &er)) && !(s = call1(PTS_AG_IMAG, exponent, E(c), &ei))) {
                PtsValue v1[2] = { pts_vtensor(er), pts_vint(0) }, v2[2] = { pts_vtensor(ei), pts_vint(0) };
                PtsTensor *a1 = NULL, *a2 = NULL;
                if (!(s = call(PTS_AG_GE_SCALAR, 2, v1, E(c), &a1)) && !(s = call(PTS_AG_EQ_SCALAR, 2, v2, E(c), &a2)))
                    s = call2(PTS_AG_LOGICAL_AND, a1, a2, E(c), &m1);
                pts_tensor_release(a1);
                pts_tensor_release(a2);
            }
        } else if (!s) {
            PtsValue v1[2] = { pts_vtensor(exponent), pts_vint(0) };
            s = call(PTS_AG_GE_SCALAR, 2, v1, E(c), &m1);
        }
        if (!s && !(s = call2(PTS_AG_LOGICAL_AND, m0, m1, E(c), &mask)) && !(s = zero_where(mask, gf, E(c), &r)))
            set(c, i, r);
    }
    PtsTensor *all[] = { b, bc, lg, f, fc, gf, m0, m1, er, ei, mask };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) pts_tensor_release(all[k]);
    return s;
}

/* pow.Tensor_Tensor: self g * conj(e * x^(e-1)) (0 where e == 0), exponent g * conj(y * log(x)) */
static PtsStatus cx_bw_pow_tt(PtsGradCtx *c) {
    PtsTensor *em1 = NULL, *p = NULL, *f = NULL, *fc = NULL, *gf = NULL, *m = NULL, *r;
    ARG(c, 0, self);
    ARG(c, 1, exponent);
    PtsStatus s = PTS_OK;
    if (need(c, 0)) {
        PtsValue v[2] = { pts_vtensor(exponent), pts_vint(0) };
        if (!(s = call_scalar(PTS_AG_SUB, exponent, pts_vint(1), false, E(c), &em1)) &&
            !(s = call2(PTS_AG_POW_TT, self, em1, E(c), &p)) && !(s = call2(PTS_AG_MUL, p, exponent, E(c), &f)) &&
            !(s = conj_of(f, E(c), &fc)) && !(s = call2(PTS_AG_MUL, G(c), fc, E(c), &gf)) &&
            !(s = call(PTS_AG_EQ_SCALAR, 2, v, E(c), &m)) && !(s = zero_where(m, gf, E(c), &r)))
            set(c, 0, r);
        PtsTensor *all[] = { em1, p, f, fc, gf, m };
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) pts_tensor_release(all[k]);
        PTS_TRY(s);
    }
    if (need(c, 1)) {
        if (!c->res[0]) return pts_ag_missing(c, "result");
        PTS_TRY(exp_grad(c, 1, pts_vtensor(self), exponent, c->res[0]));
    }
    return PTS_OK;
}

static PtsStatus cx_bw_pow_scalar(PtsGradCtx *c) {   /* pow.Scalar(Scalar self, Tensor exponent) */
    if (!need(c, 1)) return PTS_OK;
    if (!c->res[0]) return pts_ag_missing(c, "result");
    ARG(c, 1, exponent);
    return exp_grad(c, 1, c->args[0], exponent, c->res[0]);
}

/* acosh: g * conj(rsqrt(x - 1) * rsqrt(x + 1)), the derivative of the principal branch (torch's;
 * the real formula's rsqrt(x^2 - 1) has the opposite sign where re(x) < 0) */
static PtsStatus cx_bw_acosh(PtsGradCtx *c) {
    PtsTensor *xm = NULL, *xp = NULL, *rm = NULL, *rp = NULL, *f = NULL;
    if (!need(c, 0)) return PTS_OK;
    ARG(c, 0, self);
    PtsStatus s;
    if (!(s = call_scalar(PTS_AG_SUB, self, pts_vint(1), false, E(c), &xm)) &&
        !(s = call_scalar(PTS_AG_ADD, self, pts_vint(1), false, E(c), &xp)) &&
        !(s = pts_op_call_t(PTS_OP_RSQRT, 1, (PtsValue[]){ pts_vtensor(xm) }, E(c), &rm)) &&
        !(s = pts_op_call_t(PTS_OP_RSQRT, 1, (PtsValue[]){ pts_vtensor(xp) }, E(c), &rp)) &&
        !(s = call2(PTS_AG_MUL, rm, rp, E(c), &f))) {
        s = set_mul_conj(c, 0, f);
    }
    pts_tensor_release(xm);
    pts_tensor_release(xp);
    pts_tensor_release(rm);
    pts_tensor_release(rp);
    return s;
}

/* ================= the generic modes ================= */

/* holomorphic rows: conj(F(conj(g))) with F the row's real formula */
static PtsStatus cx_wrap(PtsGradCtx *c) {
    const PtsGradEntry *re = pts_grad_entry((PtsOpId)c->node->op);
    int nout = c->node->nout;
    PtsTensor **go = pts_calloc((size_t)(nout ? nout : 1), sizeof *go);
    if (!go) return pts_fail(E(c), PTS_ERR_NOMEM, "out of memory");
    PtsStatus s = PTS_OK;
    for (int k = 0; k < nout && !s; k++) s = conj_of(c->go[k], E(c), &go[k]);
    if (!s) {
        PtsGradCtx c2 = *c;
        c2.go = go;
        s = re->fn(&c2);
    }
    for (int e = 0; e < c->node->nnext && !s; e++) {
        if (!cx(c->gi[e])) continue;
        PtsTensor *r;
        if (!(s = call1(PTS_AG_CONJ, c->gi[e], E(c), &r))) pts_ag_set_edge(c, e, r);
    }
    for (int k = 0; k < nout; k++) pts_tensor_release(go[k]);
    pts_free(go);
    return s;
}

/* real-linear rows whose formula needs ops without complex kernels: F(re g) + 1j F(im g), the
 * formula seeing real inputs */
static PtsStatus cx_split(PtsGradCtx *c) {
    const PtsGradEntry *re = pts_grad_entry((PtsOpId)c->node->op);
    PtsNode *node = c->node;
    int nout = node->nout, nnext = node->nnext;
    PtsNode copy = *node;
    PtsTensorMeta *meta = pts_calloc((size_t)(nnext ? nnext : 1), sizeof *meta);
    PtsTensor **go = pts_calloc((size_t)(nout ? nout : 1) * 2, sizeof *go);
    PtsTensor **gi = pts_calloc((size_t)(nnext ? nnext : 1) * 2, sizeof *gi);
    PtsStatus s = PTS_OK;
    if (!meta || !go || !gi) { s = pts_fail(E(c), PTS_ERR_NOMEM, "out of memory"); goto done; }
    for (int e = 0; e < nnext; e++) {
        meta[e] = node->in_meta[e];
        meta[e].dtype = pts_dtype_to_real(meta[e].dtype);
    }
    copy.in_meta = meta;
    for (int k = 0; k < nout && !s; k++) {
        PtsTensor *g = c->go[k];
        if (cx(g)) {
            if (!(s = call1(PTS_AG_REAL, g, E(c), &go[k]))) s = call1(PTS_AG_IMAG, g, E(c), &go[nout + k]);
        } else {
            go[k] = pts_tensor_retain(g);
            s = zeros_like_meta(g, g->dtype, E(c), &go[nout + k]);
        }
    }
    for (int part = 0; part < 2 && !s; part++) {
        PtsGradCtx c2 = *c;
        c2.node = &copy;
        c2.go = go + part * nout;
        c2.gi = gi + part * nnext;
        s = re->fn(&c2);
    }
    for (int e = 0; e < nnext && !s; e++) {
        PtsTensor *h[2] = { gi[e], gi[nnext + e] }, *r;
        if (!h[0] && !h[1]) continue;
        for (int part = 0; part < 2 && !s; part++) {
            PtsTensor *t = NULL;
            if (!h[part]) s = zeros_like_meta(h[1 - part], pts_dtype_to_real(h[1 - part]->dtype), E(c), &t);
            else if (cx(h[part])) s = call1(PTS_AG_REAL, h[part], E(c), &t);
            else t = pts_tensor_retain(h[part]);
            if (!s) {
                pts_tensor_release(gi[part * nnext + e]);
                gi[part * nnext + e] = t;
            }
        }
        if (!s && !(s = call2(PTS_AG_COMPLEX, gi[e], gi[nnext + e], E(c), &r))) pts_ag_set_edge(c, e, r);
    }
done:
    if (go) for (int k = 0; k < 2 * nout; k++) pts_tensor_release(go[k]);
    if (gi) for (int e = 0; e < 2 * nnext; e++) pts_tensor_release(gi[e]);
    pts_free(go);
    pts_free(gi);
    pts_free(meta);
    return s;
}

/* ================= the table ================= */
enum { ASIS, WRAP, SPLIT, OWN };

typedef struct CxLine {
    const char *row;
    int mode;
    const char *name, *saves;   /* OWN only */
    PtsGradFormula fn;          /* OWN only */
} CxLine;

#define L_ASIS(r) { r, ASIS, NULL, NULL, NULL },
#define L_WRAP(r) { r, WRAP, NULL, NULL, NULL },
#define L_SPLIT(r) { r, SPLIT, NULL, NULL, NULL },
#define L_OWN(r, name, saves, fn) { r, OWN, name, saves, fn },
static const CxLine lines[] = {
    /* views and reshapes, reductions, joins: real-linear with real coefficients */
    L_ASIS("view") L_ASIS("view_as") L_ASIS("reshape") L_ASIS("reshape_as") L_ASIS("flatten.using_ints")
    L_ASIS("unflatten.int") L_ASIS("squeeze") L_ASIS("squeeze.dim") L_ASIS("squeeze.dims") L_ASIS("unsqueeze")
    L_ASIS("permute") L_ASIS("transpose.int") L_ASIS("swapaxes") L_ASIS("swapdims") L_ASIS("expand")
    L_ASIS("expand_as") L_ASIS("t") L_ASIS("alias") L_ASIS("clone") L_ASIS("contiguous") L_ASIS("cat")
    L_ASIS("stack") L_ASIS("flip") L_ASIS("roll") L_ASIS("split.Tensor") L_ASIS("split.sizes")
    L_ASIS("split_with_sizes") L_ASIS("chunk") L_ASIS("unbind.int") L_ASIS("repeat") L_ASIS("sum")
    L_ASIS("sum.dim_IntList") L_ASIS("mean") L_ASIS("mean.dim") L_ASIS("_to_copy") L_ASIS("copy_")
    L_ASIS("fill_.Tensor")
    /* the complex rows of derivatives.def */
    L_ASIS("real") L_ASIS("imag") L_ASIS("view_as_real") L_ASIS("view_as_complex") L_ASIS("conj")
    L_ASIS("conj_physical") L_ASIS("resolve_conj") L_ASIS("complex") L_ASIS("polar")
    /* their formulas put the gradient into zeros with index_put */
    L_SPLIT("select.int") L_SPLIT("slice.Tensor") L_SPLIT("narrow") L_SPLIT("index.Tensor")
    L_SPLIT("index_select") L_SPLIT("masked_select")
    /* holomorphic */
    L_WRAP("add.Tensor") L_WRAP("add_.Tensor") L_WRAP("sub.Tensor") L_WRAP("sub_.Tensor") L_WRAP("mul.Tensor")
    L_WRAP("mul_.Tensor") L_WRAP("div.Tensor") L_WRAP("div_.Tensor") L_WRAP("true_divide.Tensor")
    L_WRAP("true_divide.Scalar") L_WRAP("true_divide_.Tensor") L_WRAP("true_divide_.Scalar")
    L_WRAP("neg") L_WRAP("neg_") L_WRAP("add.Scalar") L_WRAP("add_.Scalar") L_WRAP("sub.Scalar")
    L_WRAP("sub_.Scalar") L_WRAP("mul.Scalar") L_WRAP("mul_.Scalar") L_WRAP("div.Scalar") L_WRAP("div_.Scalar")
    L_WRAP("rsub.Tensor") L_WRAP("rsub.Scalar") L_WRAP("exp") L_WRAP("exp_") L_WRAP("log") L_WRAP("log_")
    L_WRAP("sqrt") L_WRAP("sqrt_") L_WRAP("reciprocal") L_WRAP("reciprocal_") L_WRAP("sin") L_WRAP("sin_")
    L_WRAP("cos") L_WRAP("cos_") L_WRAP("tan") L_WRAP("tan_") L_WRAP("tanh") L_WRAP("tanh_")
    L_WRAP("sigmoid") L_WRAP("sigmoid_") L_WRAP("mm") L_WRAP("bmm") L_WRAP("matmul")
    /* rows whose complex kernels came later (k_complex_tensor2.c) */
    L_ASIS("cumsum") L_ASIS("where.self") L_ASIS("where.ScalarSelf") L_ASIS("where.ScalarOther")
    L_ASIS("masked_fill.Scalar") L_ASIS("masked_fill.Tensor")
    L_ASIS("triu") L_ASIS("tril") L_ASIS("diagonal") L_ASIS("diag_embed") L_ASIS("gather")
    L_WRAP("addmm") L_WRAP("addmv") L_WRAP("mv") L_WRAP("dot") L_WRAP("outer")
    L_WRAP("rsqrt") L_WRAP("log10") L_WRAP("log2") L_WRAP("log1p")
    L_WRAP("expm1") L_WRAP("asin") L_WRAP("acos") L_WRAP("atan") L_WRAP("sinh") L_WRAP("cosh")
    L_WRAP("asinh") L_WRAP("atanh") L_WRAP("addcmul") L_WRAP("addcdiv")
    L_WRAP("lerp.Scalar") L_WRAP("lerp.Tensor") L_WRAP("div.Tensor_mode") L_WRAP("div_.Tensor_mode")
    L_WRAP("div.Scalar_mode") L_WRAP("div_.Scalar_mode")
    /* var / std: a real gradient times (x - mean(x)); prod, cumprod, logsumexp: holomorphic */
    L_ASIS("var") L_ASIS("var.dim") L_ASIS("var.correction") L_ASIS("std") L_ASIS("std.dim")
    L_ASIS("std.correction") L_WRAP("prod") L_WRAP("prod.dim_int") L_WRAP("cumprod")
    L_WRAP("logsumexp")
    /* factorisations whose formulas take complex values (formulas_linalg2.c, formulas_linalg10.c) */
    L_ASIS("_linalg_svd") L_ASIS("_linalg_eigh") L_ASIS("linalg_qr") L_ASIS("linalg_eig")
    L_ASIS("linalg_det") L_ASIS("linalg_inv_ex") L_ASIS("linalg_solve_ex") L_ASIS("linalg_cholesky_ex") L_ASIS("cholesky")
    /* their in-place forms: the same formulas */
    L_ASIS("masked_fill_.Scalar") L_ASIS("masked_fill_.Tensor") L_WRAP("lerp_.Scalar") L_WRAP("lerp_.Tensor")
    L_WRAP("addcmul_") L_WRAP("addcdiv_")
    /* not holomorphic, or their real formula reads the exponent as a real number */
    L_OWN("abs", "AbsBackward0", "self", cx_bw_abs)
    L_OWN("angle", "AngleBackward0", "self", cx_bw_angle)
    L_OWN("pow.Tensor_Scalar", "PowBackward0", "self", cx_bw_pow_ts)
    L_OWN("pow_.Scalar", "PowBackward0", "self", cx_bw_pow_ts)
    L_OWN("pow.Tensor_Tensor", "PowBackward1", "self exponent result?exponent", cx_bw_pow_tt)
    L_OWN("pow_.Tensor", "PowBackward1", "self exponent result?exponent", cx_bw_pow_tt)
    L_OWN("pow.Scalar", "PowBackward2", "exponent result", cx_bw_pow_scalar)
    L_OWN("acosh", "AcoshBackward0", "self", cx_bw_acosh)
};
#define N_LINES ((int)(sizeof lines / sizeof lines[0]))

static PtsGradEntry cx_entries[N_LINES];
static PtsSaveSpec cx_specs[N_LINES];
static int16_t cx_of_row[PTS_OP__COUNT];

/* the aten:: row named "name.overload" (as derivatives.def keys them), or -1 */
static int aten_row(const char *row) {
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        const PtsSchema *s = &pts_op_info[i].schema;
        char key[160];
        snprintf(key, sizeof key, "%s%s%s", s->qualname, s->overload[0] ? "." : "", s->overload);
        if (strncmp(key, "aten::", 6) == 0 && strcmp(key + 6, row) == 0) return i;
    }
    return -1;
}

PtsStatus pts_cx_grad_init(PtsError *err) {
    for (int i = 0; i < PTS_OP__COUNT; i++) cx_of_row[i] = -1;
    for (int k = 0; k < N_LINES; k++) {
        const CxLine *l = &lines[k];
        int id = aten_row(l->row);
        PTS_CHECK(id >= 0, err, INTERNAL, "formulas_complex.c: no registry row %s", l->row);
        const PtsGradEntry *re = pts_grad_entry((PtsOpId)id);
        PtsGradEntry *e = &cx_entries[k];
        if (l->mode == OWN) {
            *e = (PtsGradEntry){ l->row, l->name, NULL, l->saves, l->fn };
            PTS_TRY(pts_grad_parse_saves(e, &pts_op_info[id].schema, &cx_specs[k], err));
        } else {
            PTS_CHECK(re && re->fn, err, INTERNAL, "formulas_complex.c: %s has no formula to reuse", l->row);
            *e = *re;
            if (l->mode == WRAP) e->fn = cx_wrap;
            else if (l->mode == SPLIT) e->fn = cx_split;
            cx_specs[k] = *pts_grad_saves((PtsOpId)id);
        }
        cx_of_row[id] = (int16_t)k;
    }
    return PTS_OK;
}

const PtsGradEntry *pts_cx_grad_entry(PtsOpId id) {
    if (cx_of_row[id] >= 0) return &cx_entries[cx_of_row[id]];
    /* a composite row: its inner ops record (or refuse) themselves */
    const PtsGradEntry *e = pts_grad_entry(id);
    return e && !e->fn ? e : NULL;
}

const PtsSaveSpec *pts_grad_entry_saves(const PtsGradEntry *e, PtsOpId id) {
    if (e >= cx_entries && e < cx_entries + N_LINES) return &cx_specs[e - cx_entries];
    return pts_grad_saves(id);
}
