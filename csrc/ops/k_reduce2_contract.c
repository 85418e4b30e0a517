/* k_reduce2_contract.c: einsum, block_diag, chain_matmul and cdist from ops_reduce2.def, all
 * composites through the registry (reduce2.h). einsum contracts left to right as ATen does
 * without a path: each pair becomes one bmm over [batch, kept-left, contracted] x
 * [batch, contracted, kept-right], so BLAS does the work. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce2.h"

/* ================= einsum ================= */

#define EIN_LETTERS 52                  /* A-Z -> 0..25, a-z -> 26..51 (torch's sublist ids) */
#define EIN_MAX_LABELS (EIN_LETTERS + PTS_MAX_DIMS)

typedef struct EinOp {
    int n;                              /* labels, one per dim after the diagonal step */
    int lab[PTS_MAX_DIMS];
    PtsTensor *t;                       /* held by the scope */
} EinOp;

static int ein_label(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    return -1;
}

static char ein_char(int l) { return (char)(l < 26 ? 'A' + l : 'a' + l - 26); }

/* one operand's subscripts: labels (ellipsis as -2) and whether it has one */
typedef struct EinSub {
    int n;
    int lab[PTS_MAX_DIMS + 1];
    bool ell;
} EinSub;

static PtsStatus ein_parse_sub(const char *s, size_t len, int idx, bool is_out, PtsError *err, EinSub *out) {
    out->n = 0;
    out->ell = false;
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (c == ' ') continue;
        if (c == '.') {
            if (out->ell) {
                if (is_out) return pts_fail(err, PTS_ERR_RUNTIME, "einsum(): found '.' for output but an ellipsis (...) was already found");
                return pts_fail(err, PTS_ERR_RUNTIME,
                                "einsum(): found '.' for operand %d for which an ellipsis was already found", idx);
            }
            if (k + 2 >= len || s[k + 1] != '.' || s[k + 2] != '.') {
                if (is_out) return pts_fail(err, PTS_ERR_RUNTIME, "einsum(): found '.' for output that is not part of any ellipsis (...)");
                return pts_fail(err, PTS_ERR_RUNTIME,
                                "einsum(): found '.' for operand %d that is not part of any ellipsis (...)", idx);
            }
            k += 2;
            out->ell = true;
            if (out->n > PTS_MAX_DIMS) return pts_fail(err, PTS_ERR_RUNTIME, "einsum(): too many subscripts");
            out->lab[out->n++] = -2;
            continue;
        }
        int l = ein_label(c);
        PTS_CHECK(l >= 0, err, RUNTIME,
                  "einsum(): invalid subscript given at index %zu in the equation string, subscripts must be in [a-zA-Z]", k);
        PTS_CHECK(out->n <= PTS_MAX_DIMS, err, RUNTIME, "einsum(): too many subscripts");
        out->lab[out->n++] = l;
    }
    return PTS_OK;
}

/* the diagonal of t over dims i < j (same size): dim j is dropped, the diagonal stays at i */
static PtsStatus ein_diagonal(R2Scope *S, PtsTensor *t, int i, int j, PtsTensor **out) {
    int nd = t->ndim;
    int64_t perm[PTS_MAX_DIMS], shape[PTS_MAX_DIMS], n = t->shape[i];
    int k = 0;
    for (int d = 0; d < nd; d++)
        if (d != i && d != j) perm[k++] = d;
    perm[k++] = i;
    perm[k++] = j;
    PtsValue pl, sl;
    PtsTensor *p = NULL, *m = NULL, *idx = NULL, *sel = NULL, *back = NULL;
    PTS_TRY(r2_ilist(S, perm, nd, &pl));
    PTS_TRY(R2(S, &p, PERMUTE, TV(t), pl));
    for (int d = 0; d < nd - 2; d++) shape[d] = p->shape[d];
    shape[nd - 2] = n * n;
    PTS_TRY(r2_ilist(S, shape, nd - 1, &sl));
    PTS_TRY(R2(S, &m, RESHAPE, TV(p), sl));
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, &n, S->err, &idx));
    PTS_TRY(r2_hold_t(S, idx));
    for (int64_t q = 0; q < n; q++) ((int64_t *)pts_tensor_data(idx))[q] = q * (n + 1);
    PTS_TRY(R2(S, &sel, INDEX_SELECT, TV(m), IV(nd - 2), TV(idx)));
    /* move the diagonal (last) back to position i */
    int64_t inv[PTS_MAX_DIMS];
    k = 0;
    for (int d = 0; d < nd - 1; d++) {
        if (d == i) inv[d] = nd - 2;
        else inv[d] = k++;
    }
    PtsValue il;
    PTS_TRY(r2_ilist(S, inv, nd - 1, &il));
    PTS_TRY(R2(S, &back, PERMUTE, TV(sel), il));
    *out = back;
    return PTS_OK;
}

static PtsStatus ein_sum_labels(R2Scope *S, EinOp *op, const bool *drop) {
    int64_t dims[PTS_MAX_DIMS];
    int nd = 0, k = 0;
    for (int d = 0; d < op->n; d++) {
        if (drop[op->lab[d]]) dims[nd++] = d;
        else op->lab[k++] = op->lab[d];
    }
    if (!nd) return PTS_OK;
    PtsValue l;
    PTS_TRY(r2_ilist(S, dims, nd, &l));
    PTS_TRY(R2(S, &op->t, SUM_DIM_INTLIST, TV(op->t), l, BV(false), NV));
    op->n = k;
    return PTS_OK;
}

static int ein_find(const EinOp *op, int l) {
    for (int d = 0; d < op->n; d++)
        if (op->lab[d] == l) return d;
    return -1;
}

/* a x b over their labels: needed[l] marks labels used after this pair */
static PtsStatus ein_pair(R2Scope *S, EinOp *a, EinOp *b, const bool *needed, EinOp *out) {
    int batch[PTS_MAX_DIMS], con[PTS_MAX_DIMS], lo[PTS_MAX_DIMS], ro[PTS_MAX_DIMS];
    int nb = 0, nc = 0, nl = 0, nr = 0;
    for (int d = 0; d < a->n; d++) {
        int l = a->lab[d];
        if (ein_find(b, l) >= 0) {
            if (needed[l]) batch[nb++] = l;
            else con[nc++] = l;
        } else {
            lo[nl++] = l;
        }
    }
    for (int d = 0; d < b->n; d++)
        if (ein_find(a, b->lab[d]) < 0) ro[nr++] = b->lab[d];
    PTS_CHECK(nb + nl + nr <= PTS_MAX_DIMS, S->err, RUNTIME, "einsum(): too many dimensions");
    /* size-1 dims against larger ones: contracted ones are summed on the larger side first,
     * batch ones are expanded */
    for (int k = 0; k < nc; k++) {
        int da = ein_find(a, con[k]), db = ein_find(b, con[k]);
        int64_t sa = a->t->shape[da], sb = b->t->shape[db];
        if (sa == sb) continue;
        EinOp *big = sa == 1 ? b : a;
        int64_t dd = sa == 1 ? db : da;
        PtsValue l;
        PTS_TRY(r2_ilist(S, &dd, 1, &l));
        PTS_TRY(R2(S, &big->t, SUM_DIM_INTLIST, TV(big->t), l, BV(true), NV));
    }
    int64_t es_a[PTS_MAX_DIMS], es_b[PTS_MAX_DIMS];
    bool exp_a = false, exp_b = false;
    for (int d = 0; d < a->n; d++) es_a[d] = a->t->shape[d];
    for (int d = 0; d < b->n; d++) es_b[d] = b->t->shape[d];
    for (int k = 0; k < nb; k++) {
        int da = ein_find(a, batch[k]), db = ein_find(b, batch[k]);
        if (es_a[da] == es_b[db]) continue;
        if (es_a[da] == 1) {
            es_a[da] = es_b[db];
            exp_a = true;
        } else {
            es_b[db] = es_a[da];
            exp_b = true;
        }
    }
    PtsValue l;
    if (exp_a) {
        PTS_TRY(r2_ilist(S, es_a, a->n, &l));
        PTS_TRY(R2(S, &a->t, EXPAND, TV(a->t), l, BV(false)));
    }
    if (exp_b) {
        PTS_TRY(r2_ilist(S, es_b, b->n, &l));
        PTS_TRY(R2(S, &b->t, EXPAND, TV(b->t), l, BV(false)));
    }
    /* a -> [batch, left, con], b -> [batch, con, right] */
    int64_t pa[PTS_MAX_DIMS], pb[PTS_MAX_DIMS], rs[PTS_MAX_DIMS];
    int64_t B = 1, M = 1, K = 1, N = 1;
    int k = 0, nrs = 0;
    for (int q = 0; q < nb; q++) {
        pa[k++] = ein_find(a, batch[q]);
        B *= a->t->shape[pa[k - 1]];
        rs[nrs++] = a->t->shape[pa[k - 1]];
    }
    for (int q = 0; q < nl; q++) {
        pa[k++] = ein_find(a, lo[q]);
        M *= a->t->shape[pa[k - 1]];
        rs[nrs++] = a->t->shape[pa[k - 1]];
    }
    for (int q = 0; q < nc; q++) {
        pa[k++] = ein_find(a, con[q]);
        K *= a->t->shape[pa[k - 1]];
    }
    k = 0;
    for (int q = 0; q < nb; q++) pb[k++] = ein_find(b, batch[q]);
    for (int q = 0; q < nc; q++) pb[k++] = ein_find(b, con[q]);
    for (int q = 0; q < nr; q++) {
        pb[k++] = ein_find(b, ro[q]);
        N *= b->t->shape[pb[k - 1]];
        rs[nrs++] = b->t->shape[pb[k - 1]];
    }
    PtsTensor *ap = NULL, *bp = NULL, *am = NULL, *bm = NULL, *m = NULL, *r = NULL;
    int64_t s3a[3] = { B, M, K }, s3b[3] = { B, K, N };
    PTS_TRY(r2_ilist(S, pa, a->n, &l));
    PTS_TRY(R2(S, &ap, PERMUTE, TV(a->t), l));
    PTS_TRY(r2_ilist(S, pb, b->n, &l));
    PTS_TRY(R2(S, &bp, PERMUTE, TV(b->t), l));
    PTS_TRY(r2_ilist(S, s3a, 3, &l));
    PTS_TRY(R2(S, &am, RESHAPE, TV(ap), l));
    PTS_TRY(r2_ilist(S, s3b, 3, &l));
    PTS_TRY(R2(S, &bm, RESHAPE, TV(bp), l));
    PTS_TRY(R2(S, &m, BMM, TV(am), TV(bm)));
    PTS_TRY(r2_ilist(S, rs, nrs, &l));
    PTS_TRY(R2(S, &r, RESHAPE, TV(m), l));
    out->t = r;
    out->n = 0;
    for (int q = 0; q < nb; q++) out->lab[out->n++] = batch[q];
    for (int q = 0; q < nl; q++) out->lab[out->n++] = lo[q];
    for (int q = 0; q < nr; q++) out->lab[out->n++] = ro[q];
    return PTS_OK;
}

static PtsStatus einsum_impl(R2Scope *S, const char *eq, PtsList *tl, PtsTensor **res) {
    PtsError *err = S->err;
    int nops = (int)tl->len;
    PTS_CHECK(nops > 0, err, RUNTIME, "einsum(): must provide at least one operand");
    for (int i = 0; i < nops; i++)
        PTS_CHECK(tl->items[i].tag == PTS_V_TENSOR, err, TYPE, "einsum(): expected a list of tensors");
    const char *arrow = strstr(eq, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - eq) : strlen(eq);
    EinSub *subs = pts_malloc(sizeof(EinSub) * (size_t)nops);
    EinOp *ops = pts_malloc(sizeof(EinOp) * (size_t)nops);
    PtsStatus s = subs && ops ? PTS_OK : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    /* operands' subscripts */
    int curr = 0;
    size_t start = 0;
    for (size_t k = 0; k <= lhs_len && !s; k++) {
        if (k == lhs_len || eq[k] == ',') {
            if (curr >= nops) {
                s = pts_fail(err, PTS_ERR_RUNTIME, "einsum(): more operands were provided than specified in the equation");
                break;
            }
            s = ein_parse_sub(eq + start, k - start, curr, false, err, &subs[curr]);
            curr++;
            start = k + 1;
        }
    }
    if (!s && curr < nops) s = pts_fail(err, PTS_ERR_RUNTIME, "einsum(): fewer operands were provided than specified in the equation");
    if (!s && curr > nops) s = pts_fail(err, PTS_ERR_RUNTIME, "einsum(): more operands were provided than specified in the equation");
    /* labels per dim: ellipsis dims get ids EIN_LETTERS + (position from the right) */
    int ell_nd = 0, count[EIN_MAX_LABELS] = { 0 };
    for (int i = 0; i < nops && !s; i++) {
        PtsTensor *t = tl->items[i].u.t;
        int nlab = subs[i].n - (subs[i].ell ? 1 : 0);
        if (subs[i].ell) {
            if (nlab > t->ndim)
                s = pts_fail(err, PTS_ERR_RUNTIME,
                             "einsum(): the number of subscripts in the equation (%d) is more than the number of dimensions (%d) for operand %d",
                             nlab, t->ndim, i);
        } else if (nlab != t->ndim) {
            s = pts_fail(err, PTS_ERR_RUNTIME,
                         "einsum(): the number of subscripts in the equation (%d) does not match the number of dimensions (%d) "
                         "for operand %d and no ellipsis was given", nlab, t->ndim, i);
        }
        if (s) break;
        int e = t->ndim - nlab, d = 0;
        if (subs[i].ell && e > ell_nd) ell_nd = e;
        ops[i].t = t;
        ops[i].n = t->ndim;
        for (int q = 0; q < subs[i].n; q++) {
            if (subs[i].lab[q] == -2) {
                for (int r = 0; r < e; r++) ops[i].lab[d++] = EIN_LETTERS + (e - 1 - r);
            } else {
                ops[i].lab[d++] = subs[i].lab[q];
            }
        }
    }
    /* output labels */
    int out_lab[EIN_MAX_LABELS], nout = 0;
    bool in_out[EIN_MAX_LABELS] = { false };
    if (!s) {
        for (int i = 0; i < nops; i++) {
            bool seen[EIN_MAX_LABELS] = { false };
            for (int d = 0; d < ops[i].n; d++) {
                count[ops[i].lab[d]] += seen[ops[i].lab[d]] ? 0 : 1;
                seen[ops[i].lab[d]] = true;
                if (ops[i].lab[d] < EIN_LETTERS) {
                    /* a label repeated within one operand counts as more than once */
                    int rep = 0;
                    for (int q = 0; q < ops[i].n; q++) rep += ops[i].lab[q] == ops[i].lab[d];
                    if (rep > 1) count[ops[i].lab[d]] = 2;
                }
            }
        }
    }
    if (!s && arrow) {
        EinSub os;
        s = ein_parse_sub(arrow + 2, strlen(arrow + 2), 0, true, err, &os);
        for (int q = 0; q < os.n && !s; q++) {
            if (os.lab[q] == -2) {
                for (int r = ell_nd - 1; r >= 0; r--) {
                    out_lab[nout++] = EIN_LETTERS + r;
                    in_out[EIN_LETTERS + r] = true;
                }
                continue;
            }
            int l = os.lab[q];
            if (in_out[l]) s = pts_fail(err, PTS_ERR_RUNTIME, "einsum(): output subscript %c appears more than once in the output", ein_char(l));
            else if (!count[l]) s = pts_fail(err, PTS_ERR_RUNTIME,
                                              "einsum(): output subscript %c does not appear in the equation for any input operand", ein_char(l));
            else {
                out_lab[nout++] = l;
                in_out[l] = true;
            }
        }
    } else if (!s) {
        for (int r = ell_nd - 1; r >= 0; r--) {
            out_lab[nout++] = EIN_LETTERS + r;
            in_out[EIN_LETTERS + r] = true;
        }
        for (int l = 0; l < EIN_LETTERS; l++)
            if (count[l] == 1) {
                out_lab[nout++] = l;
                in_out[l] = true;
            }
    }
    /* repeated labels within an operand: diagonals */
    for (int i = 0; i < nops && !s; i++) {
        for (int d = 0; d < ops[i].n && !s; d++) {
            for (int q = d + 1; q < ops[i].n && !s; q++) {
                if (ops[i].lab[q] != ops[i].lab[d]) continue;
                if (ops[i].t->shape[d] != ops[i].t->shape[q]) {
                    s = pts_fail(err, PTS_ERR_RUNTIME,
                                 "einsum(): subscript %c is repeated for operand %d but the sizes don't match, %lld != %lld",
                                 ein_char(ops[i].lab[d]), i, (long long)ops[i].t->shape[d], (long long)ops[i].t->shape[q]);
                    break;
                }
                if ((s = ein_diagonal(S, ops[i].t, d, q, &ops[i].t))) break;
                for (int r = q; r + 1 < ops[i].n; r++) ops[i].lab[r] = ops[i].lab[r + 1];
                ops[i].n--;
                q--;
            }
        }
    }
    /* label sizes broadcast (equal or 1) */
    int64_t size[EIN_MAX_LABELS];
    for (int l = 0; l < EIN_MAX_LABELS; l++) size[l] = -1;
    for (int i = 0; i < nops && !s; i++) {
        for (int d = 0; d < ops[i].n; d++) {
            int l = ops[i].lab[d];
            int64_t n = ops[i].t->shape[d];
            if (size[l] < 0 || size[l] == 1) size[l] = n;
            else if (n != 1 && n != size[l]) {
                s = pts_fail(err, PTS_ERR_RUNTIME,
                             "einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript %c has sizes %lld and %lld",
                             l < EIN_LETTERS ? ein_char(l) : '.', (long long)size[l], (long long)n);
                break;
            }
        }
    }
    /* left to right: first sum each operand's labels used nowhere else, then pair up */
    for (int i = 0; i < nops && !s; i++) {
        bool drop[EIN_MAX_LABELS] = { false };
        for (int d = 0; d < ops[i].n; d++) {
            int l = ops[i].lab[d];
            bool used = in_out[l];
            for (int j = 0; j < nops && !used; j++) used = j != i && ein_find(&ops[j], l) >= 0;
            drop[l] = !used;
        }
        s = ein_sum_labels(S, &ops[i], drop);
    }
    EinOp acc = { 0 };
    if (!s) acc = ops[0];
    for (int i = 1; i < nops && !s; i++) {
        bool needed[EIN_MAX_LABELS];
        for (int l = 0; l < EIN_MAX_LABELS; l++) {
            needed[l] = in_out[l];
            for (int j = i + 1; j < nops && !needed[l]; j++) needed[l] = ein_find(&ops[j], l) >= 0;
        }
        EinOp r;
        s = ein_pair(S, &acc, &ops[i], needed, &r);
        if (!s) acc = r;
    }
    /* the result in the output's order; a label of size 1 against a broadcast larger one (a
     * single operand) stays as it is */
    if (!s) {
        int64_t perm[PTS_MAX_DIMS];
        for (int q = 0; q < nout; q++) perm[q] = ein_find(&acc, out_lab[q]);
        PtsValue l;
        if (!(s = r2_ilist(S, perm, nout, &l))) s = R2(S, res, PERMUTE, TV(acc.t), l);
    }
    pts_free(subs);
    pts_free(ops);
    return s;
}

PtsStatus k_EINSUM(PtsValue *a, PtsValue *out, PtsError *err) {
    R2_SCOPE(S, err);
    PtsTensor *res = NULL;
    PtsStatus s = einsum_impl(&S, pts_as_str(a[0])->data, pts_as_list(a[1]), &res);
    if (!s) out[0] = r2_ret(res);
    r2_end(&S);
    return s;
}

/* ================= block_diag / chain_matmul ================= */

/* each tensor (0-d: 1x1, 1-d: 1xn) padded with zeros left and right, the rows concatenated */
PtsStatus k_BLOCK_DIAG(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *tl = pts_as_list(a[0]);
    int n = (int)tl->len;
    R2_SCOPE(S, err);
    PtsTensor *res = NULL;
    PtsStatus s = PTS_OK;
    int64_t cols = 0, rows = 0;
    PtsDType dt = PTS_FLOAT32;
    PtsTensor **mats = pts_malloc(sizeof(PtsTensor *) * (size_t)(n ? n : 1));
    if (!mats) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && !s; i++) {
        PtsTensor *t = tl->items[i].u.t;
        if (t->ndim > 2) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input %d has %d dimensions",
                         i, t->ndim);
            break;
        }
        dt = i ? pts_promote_types(dt, t->dtype) : t->dtype;
        int64_t shape[2] = { 1, 1 };
        if (t->ndim == 1) shape[1] = t->shape[0];
        if (t->ndim == 2) {
            shape[0] = t->shape[0];
            shape[1] = t->shape[1];
        }
        PtsValue l;
        if (!(s = r2_ilist(&S, shape, 2, &l))) s = R2(&S, &mats[i], RESHAPE, TV(t), l);
        cols += shape[1];
        rows += shape[0];
    }
    if (!s && n == 0) {
        int64_t z[2] = { 1, 0 };   /* torch's empty block_diag() is 1 x 0 */
        PtsValue l;
        if (!(s = r2_ilist(&S, z, 2, &l))) s = R2(&S, &res, ZEROS, l, NV, NV, NV, NV);
    } else if (!s) {
        PtsTensor **padded = pts_malloc(sizeof(PtsTensor *) * (size_t)n);
        if (!padded) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        int64_t left = 0;
        for (int i = 0; i < n && !s; i++) {
            PtsTensor *m = mats[i];
            if (m->dtype != dt) s = R2(&S, &m, TO_DTYPE, TV(m), IV(dt), BV(false), BV(false), NV);
            int64_t pad[2] = { left, cols - left - m->shape[1] };
            PtsValue l;
            if (!s && !(s = r2_ilist(&S, pad, 2, &l))) s = R2(&S, &padded[i], CONSTANT_PAD_ND, TV(m), l, IV(0));
            left += m->shape[1];
        }
        PtsValue l;
        if (!s && !(s = r2_tlist(&S, padded, n, &l))) s = R2(&S, &res, CAT, l, IV(0));
        pts_free(padded);
    }
    pts_free(mats);
    (void)rows;
    if (!s) out[0] = r2_ret(res);
    r2_end(&S);
    return s;
}

/* deprecated in torch (warns once); mm left to right */
PtsStatus k_CHAIN_MATMUL(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsList *tl = pts_as_list(a[0]);
    PTS_CHECK(tl->len > 0, err, RUNTIME, "chain_matmul(): Expected one or more matrices");
    R2_SCOPE(S, err);
    PtsTensor *acc = tl->items[0].u.t;
    PtsStatus s = PTS_OK;
    for (int64_t i = 0; i < tl->len && !s; i++) {
        PtsTensor *t = tl->items[i].u.t;
        if (t->ndim != 2)
            s = pts_fail(err, PTS_ERR_RUNTIME, "Tensor dimension is %d, expected 2 instead.", t->ndim);
    }
    if (!s && tl->len == 1) s = R2(&S, &acc, CLONE, TV(acc), NV);
    for (int64_t i = 1; i < tl->len && !s; i++) s = R2(&S, &acc, MM, TV(acc), TV(tl->items[i].u.t));
    if (!s) out[0] = r2_ret(acc);
    r2_end(&S);
    return s;
}

/* ================= cdist ================= */

/* ATen's _euclidean_dist: |x1|^2 - 2 x1.x2 + |x2|^2 through one matmul of padded operands,
 * clamped at 1e-30 before the root */
static PtsStatus euclid_mm(R2Scope *S, PtsTensor *x1, PtsTensor *x2, PtsTensor **out) {
    PtsTensor *sq1 = NULL, *sq2 = NULL, *n1 = NULL, *n2 = NULL, *o1 = NULL, *o2 = NULL, *m2 = NULL, *p1 = NULL, *p2 = NULL,
              *t2 = NULL, *r = NULL, *c = NULL;
    int64_t m1 = -1;
    PtsValue dl, list;
    PTS_TRY(r2_ilist(S, &m1, 1, &dl));
    PTS_TRY(R2(S, &sq1, POW_TENSOR_SCALAR, TV(x1), IV(2)));
    PTS_TRY(R2(S, &n1, SUM_DIM_INTLIST, TV(sq1), dl, BV(true), NV));
    PTS_TRY(R2(S, &sq2, POW_TENSOR_SCALAR, TV(x2), IV(2)));
    PTS_TRY(R2(S, &n2, SUM_DIM_INTLIST, TV(sq2), dl, BV(true), NV));
    PTS_TRY(R2(S, &o1, ONES_LIKE, TV(n1), NV, NV, NV, NV, NV));
    PTS_TRY(R2(S, &o2, ONES_LIKE, TV(n2), NV, NV, NV, NV, NV));
    PTS_TRY(R2(S, &m2, MUL_SCALAR, TV(x1), IV(-2)));
    PtsTensor *l1[3] = { m2, n1, o1 }, *l2[3] = { x2, o2, n2 };
    PTS_TRY(r2_tlist(S, l1, 3, &list));
    PTS_TRY(R2(S, &p1, CAT, list, IV(-1)));
    PTS_TRY(r2_tlist(S, l2, 3, &list));
    PTS_TRY(R2(S, &p2, CAT, list, IV(-1)));
    PTS_TRY(R2(S, &t2, TRANSPOSE_INT, TV(p2), IV(-1), IV(-2)));
    PTS_TRY(R2(S, &r, MATMUL, TV(p1), TV(t2)));
    PTS_TRY(R2(S, &c, CLAMP_MIN, TV(r), DV(1e-30)));
    return R2(S, out, SQRT, TV(c));
}

PtsStatus k_CDIST(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *x1 = a[0].u.t, *x2 = a[1].u.t, *res = NULL;
    double p = pts_value_to_f64(a[2]);
    PTS_CHECK(x1->ndim >= 2, err, RUNTIME, "cdist only supports at least 2D tensors, X1 got: %dD", x1->ndim);
    PTS_CHECK(x2->ndim >= 2, err, RUNTIME, "cdist only supports at least 2D tensors, X2 got: %dD", x2->ndim);
    PTS_CHECK(x1->shape[x1->ndim - 1] == x2->shape[x2->ndim - 1], err, RUNTIME,
              "X1 and X2 must have the same number of columns. X1: %lld X2: %lld",
              (long long)x1->shape[x1->ndim - 1], (long long)x2->shape[x2->ndim - 1]);
    PTS_CHECK(pts_dtype_is_float(x1->dtype) && x1->dtype != PTS_FLOAT16 && x1->dtype != PTS_BFLOAT16, err, RUNTIME,
              "cdist only supports floating-point dtypes, X1 got: %s", pts_dtype_scalar_name(x1->dtype, "?"));
    PTS_CHECK(pts_dtype_is_float(x2->dtype) && x2->dtype != PTS_FLOAT16 && x2->dtype != PTS_BFLOAT16, err, RUNTIME,
              "cdist only supports floating-point dtypes, X2 got: %s", pts_dtype_scalar_name(x2->dtype, "?"));
    PTS_CHECK(p >= 0, err, RUNTIME, "cdist only supports non-negative p values");
    int64_t mode = a[3].tag == PTS_V_INT ? a[3].u.i : 0;
    PTS_CHECK(mode >= 0 && mode <= 2, err, RUNTIME, "%lld is not a valid value for compute_mode", (long long)mode);
    int64_t r1 = x1->shape[x1->ndim - 2], r2 = x2->shape[x2->ndim - 2];
    R2_SCOPE(S, err);
    PtsStatus s;
    /* torch uses the matmul form for p = 2 when asked, or by default beyond 25 rows */
    bool use_mm = p == 2 && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)));
    if (use_mm) {
        s = euclid_mm(&S, x1, x2, &res);
    } else {
        /* |x1[..., i, None, :] - x2[..., None, j, :]|_p over the last dim */
        PtsTensor *u1 = NULL, *u2 = NULL, *d = NULL;
        int64_t last = -1;
        PtsValue dl;
        if (!(s = R2(&S, &u1, UNSQUEEZE, TV(x1), IV(-2))) && !(s = R2(&S, &u2, UNSQUEEZE, TV(x2), IV(-3))) &&
            !(s = R2(&S, &d, SUB_TENSOR, TV(u1), TV(u2), IV(1))) && !(s = r2_ilist(&S, &last, 1, &dl)))
            s = R2(&S, &res, NORM_SCALAROPT_DIM, TV(d), isinf(p) ? DV(INFINITY) : DV(p), dl, BV(false));
    }
    if (!s) out[0] = r2_ret(res);
    r2_end(&S);
    return s;
}
