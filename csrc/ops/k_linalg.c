/* k_linalg.c: matrix products (mm, bmm, matmul, addmm, addmv, mv, dot), outer/ger, t and linear.
 * Every product runs through one batched core: float32/float64 call pts_sgemm/pts_dgemm and pass
 * transposed operands by the transpose flag (a copy only for layouts BLAS cannot read),
 * float16/bfloat16 compute in float32, integers use a plain loop with wrap-around arithmetic.
 * Checks, their order and their messages follow ATen's (LinearAlgebra.cpp, Blas.cpp). */
#include <stdio.h>

#include "blas.h"
#include "ops.h"

static const char *st_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "?");
}

#define SHAPE_STR(t) pts_shape_str((t)->ndim, (t)->shape, (char[256]){0}, 256)

/* ---- batched operands ----
 * A product reads its operands as batches of matrices: a tensor's last two dims (AS_MAT, leading
 * dims are batch dims, broadcast to the common batch shape), or a 1-D tensor as one row (AS_ROW,
 * 1 x n) or one column (AS_COL, n x 1). Nothing is copied to get this view. */
enum { AS_MAT, AS_ROW, AS_COL };

typedef struct BMat {
    char *data;                  /* element (0, ..., 0) */
    int64_t bst[PTS_MAX_DIMS];   /* batch strides (elements) over the common batch shape, 0 when broadcast */
    int64_t rs, cs;              /* row and column strides (elements) */
} BMat;

static void bmat_of(const PtsTensor *t, int mode, int nb, const int64_t *bshape, BMat *m) {
    m->data = pts_tensor_data(t);
    int tb = mode == AS_MAT ? t->ndim - 2 : 0;   /* batch dims of t, right-aligned */
    for (int d = 0; d < nb; d++) {
        int j = d - (nb - tb);
        m->bst[d] = (j >= 0 && t->shape[j] != 1 && bshape[d] != 1) ? t->strides[j] : 0;
    }
    if (mode == AS_MAT) {
        m->rs = t->strides[t->ndim - 2];
        m->cs = t->strides[t->ndim - 1];
    } else if (mode == AS_ROW) {
        m->rs = 0;
        m->cs = t->strides[0];
    } else {
        m->rs = t->strides[0];
        m->cs = 0;
    }
}

/* How BLAS can read an r x c matrix with strides (rs, cs): row-major (trans false) or
 * column-major (trans true, a transposed contiguous matrix such as weight.t()) with leading
 * dimension ld. false when neither fits (expanded or doubly strided): the caller copies. */
static bool blas_layout(int64_t r, int64_t c, int64_t rs, int64_t cs, bool *trans, int64_t *ld) {
    int64_t c1 = c > 1 ? c : 1, r1 = r > 1 ? r : 1;
    if (r == 0 || c == 0) { *trans = false; *ld = c1; return true; }   /* nothing is read */
    if (cs == 1 || c <= 1) {
        int64_t l = r <= 1 ? c1 : rs;
        if (l >= c1) { *trans = false; *ld = l; return true; }
    }
    if (rs == 1 || r <= 1) {
        int64_t l = c <= 1 ? r1 : cs;
        if (l >= r1) { *trans = true; *ld = l; return true; }
    }
    return false;
}

/* One product: dst = beta * self + alpha * (a @ b) over the batch. */
typedef struct Prod {
    PtsTensor *a, *b;               /* operands (borrowed), of one dtype */
    int amode, bmode;               /* AS_* */
    int nb;                         /* rank of the common batch shape */
    int64_t bshape[PTS_MAX_DIMS];   /* common batch shape */
    int64_t M, N, K;                /* a is M x K, b is K x N per batch */
    int rndim;                      /* result rank and shape; its memory is (bshape, M, N) row-major */
    int64_t rshape[PTS_MAX_DIMS];
    PtsTensor *self;                /* addmm/addmv input (borrowed), NULL for plain products */
    PtsValue beta, alpha;           /* scalars of addmm/addmv */
} Prod;

static void prod_init(Prod *p, PtsTensor *a, int amode, PtsTensor *b, int bmode) {
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    p->amode = amode;
    p->bmode = bmode;
    p->beta = pts_vint(0);
    p->alpha = pts_vint(1);
}

static void gemm(PtsDType dt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                 const char *a, int64_t lda, const char *b, int64_t ldb, double beta, char *c,
                 int64_t ldc) {
    if (dt == PTS_FLOAT32)
        pts_sgemm(ta, tb, m, n, k, (float)alpha, (const float *)a, lda, (const float *)b, ldb,
                  (float)beta, (float *)c, ldc);
    else
        pts_dgemm(ta, tb, m, n, k, alpha, (const double *)a, lda, (const double *)b, ldb, beta,
                  (double *)c, ldc);
}

/* Float batches into c (contiguous (bshape, M, N)). When b is the same matrix for every batch and
 * a's rows run on evenly across batches (a contiguous [B, M, K] @ [K, N], as in linear layers),
 * the batch folds into M and one gemm call does the lot. */
static void run_float(PtsDType dt, const Prod *p, const BMat *A, bool ta, int64_t lda,
                      const BMat *B, bool tb, int64_t ldb, char *c, double alpha, double beta) {
    const int64_t M = p->M, N = p->N, K = p->K;
    const int64_t isz = (int64_t)pts_dtype_size(dt);
    int64_t nbatch = pts_shape_numel(p->nb, p->bshape);
    if (nbatch > 1 && !ta) {
        bool fold = true;
        for (int d = 0; d < p->nb; d++)
            if (p->bshape[d] > 1 && B->bst[d] != 0) fold = false;
        int64_t row = M > 1 ? lda : -1, span = M;
        for (int d = p->nb - 1; d >= 0 && fold; d--) {
            if (p->bshape[d] == 1) continue;
            if (row < 0) row = A->bst[d];   /* M == 1: consecutive batches are the rows */
            fold = A->bst[d] == row * span;
            span *= p->bshape[d];
        }
        if (fold && row >= (K > 1 ? K : 1)) {
            gemm(dt, false, tb, M * nbatch, N, K, alpha, A->data, row, B->data, ldb, beta, c, N);
            return;
        }
    }
    int64_t idx[PTS_MAX_DIMS] = { 0 };
    for (int64_t it = 0; it < nbatch; it++) {
        int64_t ao = 0, bo = 0;
        for (int d = 0; d < p->nb; d++) {
            ao += idx[d] * A->bst[d];
            bo += idx[d] * B->bst[d];
        }
        gemm(dt, ta, tb, M, N, K, alpha, A->data + ao * isz, lda, B->data + bo * isz, ldb, beta,
             c + it * M * N * isz, N);
        for (int d = p->nb - 1; d >= 0; d--) {
            if (++idx[d] < p->bshape[d]) break;
            idx[d] = 0;
        }
    }
}

/* Integer products wrap around like the integer types do: sums in uint64 reduced mod 2^bits at
 * the end give the same bits as accumulating in the element type. */
typedef void (*IntGemm)(const char *pa, int64_t ars, int64_t acs, const char *pb, int64_t brs,
                        int64_t bcs, char *pc, int64_t M, int64_t N, int64_t K, uint64_t alpha,
                        uint64_t beta, bool acc);
#define INT_GEMM(NAME, T)                                                                      \
    static void NAME(const char *pa, int64_t ars, int64_t acs, const char *pb, int64_t brs,    \
                     int64_t bcs, char *pc, int64_t M, int64_t N, int64_t K, uint64_t alpha,   \
                     uint64_t beta, bool acc) {                                                \
        const T *a = (const T *)pa, *b = (const T *)pb;                                        \
        T *c = (T *)pc;                                                                        \
        for (int64_t i = 0; i < M; i++)                                                        \
            for (int64_t j = 0; j < N; j++) {                                                  \
                uint64_t s = 0;                                                                \
                for (int64_t q = 0; q < K; q++)                                                \
                    s += (uint64_t)(int64_t)a[i * ars + q * acs] *                             \
                         (uint64_t)(int64_t)b[q * brs + j * bcs];                              \
                s *= alpha;                                                                    \
                if (acc) s += beta * (uint64_t)(int64_t)c[i * N + j];                          \
                c[i * N + j] = (T)s;                                                           \
            }                                                                                  \
    }
INT_GEMM(gemm_i64, int64_t)
INT_GEMM(gemm_i32, int32_t)
INT_GEMM(gemm_i16, int16_t)
INT_GEMM(gemm_i8, int8_t)
INT_GEMM(gemm_u8, uint8_t)

static void run_int(const Prod *p, char *c, bool acc) {
    IntGemm fn;
    switch (p->a->dtype) {
    case PTS_INT64: fn = gemm_i64; break;
    case PTS_INT32: fn = gemm_i32; break;
    case PTS_INT16: fn = gemm_i16; break;
    case PTS_INT8: fn = gemm_i8; break;
    default: fn = gemm_u8; break;
    }
    BMat A, B;
    bmat_of(p->a, p->amode, p->nb, p->bshape, &A);
    bmat_of(p->b, p->bmode, p->nb, p->bshape, &B);
    const int64_t isz = (int64_t)pts_dtype_size(p->a->dtype);
    uint64_t alpha = (uint64_t)pts_value_to_i64(p->alpha), beta = (uint64_t)pts_value_to_i64(p->beta);
    int64_t nbatch = pts_shape_numel(p->nb, p->bshape);
    int64_t idx[PTS_MAX_DIMS] = { 0 };
    for (int64_t it = 0; it < nbatch; it++) {
        int64_t ao = 0, bo = 0;
        for (int d = 0; d < p->nb; d++) {
            ao += idx[d] * A.bst[d];
            bo += idx[d] * B.bst[d];
        }
        fn(A.data + ao * isz, A.rs, A.cs, B.data + bo * isz, B.rs, B.cs,
           c + it * p->M * p->N * isz, p->M, p->N, p->K, alpha, beta, acc);
        for (int d = p->nb - 1; d >= 0; d--) {
            if (++idx[d] < p->bshape[d]) break;
            idx[d] = 0;
        }
    }
}

static int64_t op_rows(const PtsTensor *t, int mode) {
    return mode == AS_MAT ? t->shape[t->ndim - 2] : mode == AS_ROW ? 1 : t->shape[0];
}
static int64_t op_cols(const PtsTensor *t, int mode) {
    return mode == AS_MAT ? t->shape[t->ndim - 1] : mode == AS_ROW ? t->shape[0] : 1;
}

/* An operand as BLAS reads it: in the float compute dtype, and copied to contiguous only when its
 * matrix layout is not one BLAS takes. *t is replaced by an owned tensor. */
static PtsStatus blas_operand(PtsTensor **t, int mode, PtsDType cd, const Prod *p, BMat *m,
                              bool *trans, int64_t *ld, PtsError *err) {
    PtsTensor *x = *t;
    if (x->dtype != cd) PTS_TRY(pts_tensor_to(x, cd, false, err, &x));
    else pts_tensor_retain(x);
    bmat_of(x, mode, p->nb, p->bshape, m);
    int64_t r = op_rows(x, mode), c = op_cols(x, mode);
    if (!blas_layout(r, c, m->rs, m->cs, trans, ld)) {
        PtsTensor *y;
        PtsStatus s = pts_tensor_contiguous(x, err, &y);
        pts_tensor_release(x);
        if (s) return s;
        x = y;
        bmat_of(x, mode, p->nb, p->bshape, m);
        if (!blas_layout(r, c, m->rs, m->cs, trans, ld))
            return pts_tensor_release(x), pts_fail(err, PTS_ERR_INTERNAL, "matmul: unexpected layout");
    }
    *t = x;
    return PTS_OK;
}

/* dst (contiguous, laid out as (bshape, M, N), the operands' dtype) = beta * dst + alpha * a @ b;
 * dst's content is not read when !acc (beta = 0 ignores NaN there, as BLAS does). */
static PtsStatus compute(const Prod *p, PtsTensor *dst, bool acc, PtsError *err) {
    PtsDType dt = p->a->dtype;
    if (pts_shape_numel(p->nb, p->bshape) == 0 || p->M == 0 || p->N == 0) return PTS_OK;
    if (!pts_dtype_is_float(dt)) {
        run_int(p, pts_tensor_data(dst), acc);
        return PTS_OK;
    }
    bool low = dt == PTS_FLOAT16 || dt == PTS_BFLOAT16;
    PtsDType cd = low ? PTS_FLOAT32 : dt;
    PtsTensor *a = p->a, *b = p->b, *c = NULL;
    BMat A, B;
    bool ta, tb;
    int64_t lda, ldb;
    PtsStatus s = blas_operand(&a, p->amode, cd, p, &A, &ta, &lda, err);
    if (s) return s;
    if ((s = blas_operand(&b, p->bmode, cd, p, &B, &tb, &ldb, err))) {
        pts_tensor_release(a);
        return s;
    }
    if (!low) c = pts_tensor_retain(dst);
    else if (acc) { if ((s = pts_tensor_to(dst, cd, true, err, &c))) goto done; }
    else if ((s = pts_tensor_new(cd, dst->ndim, dst->shape, err, &c))) goto done;
    double alpha = pts_value_to_f64(p->alpha), beta = acc ? pts_value_to_f64(p->beta) : 0.0;
    run_float(cd, p, &A, ta, lda, &B, tb, ldb, pts_tensor_data(c), alpha, beta);
    if (low) s = pts_tensor_copy_(dst, c, err);
done:
    pts_tensor_release(a);
    pts_tensor_release(b);
    pts_tensor_release(c);
    return s;
}

/* ---- results, out= and in-place ---- */
static bool shares(const PtsTensor *x, const PtsTensor *y) {
    return x && y && x->storage == y->storage;
}

/* Resize an out= tensor to the result shape, contiguous, as ATen's resize_output does. */
static PtsStatus out_resize(PtsTensor *out, int ndim, const int64_t *shape, PtsError *err) {
    if (out->ndim == ndim && memcmp(out->shape, shape, sizeof(int64_t) * (size_t)ndim) == 0)
        return PTS_OK;
    int64_t isz = (int64_t)pts_dtype_size(out->dtype), need;
    PTS_CHECK(pts_mul_ok(pts_shape_numel(ndim, shape), isz, &need), err, RUNTIME, "tensor size overflows int64");
    if ((uint64_t)need > out->storage->nbytes - (uint64_t)(out->offset * isz)) {
        PtsStorage *st;
        PTS_TRY(pts_storage_new((size_t)need, err, &st));
        pts_storage_release(out->storage);
        out->storage = st;
        out->offset = 0;
    }
    out->ndim = ndim;
    memcpy(out->shape, shape, sizeof(int64_t) * (size_t)ndim);
    pts_contiguous_strides(ndim, shape, out->strides);
    return PTS_OK;
}

static PtsStatus out_dtype_check(const PtsTensor *out, PtsDType dt, PtsError *err) {
    PTS_CHECK(out->dtype == dt, err, RUNTIME, "Expected out tensor to have dtype %s, but got %s instead",
              pts_dtype_cpp_name(dt), pts_dtype_cpp_name(out->dtype));
    return PTS_OK;
}

/* self must broadcast to shape the way expand() allows (addmm, addmv inputs). */
static PtsStatus expand_check(const PtsTensor *self, int ndim, const int64_t *shape, PtsError *err) {
    if (self->ndim > ndim) {
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "expand(pyts.%sTensor{%s}, size=%s): the number of sizes provided (%d) must "
                        "be greater or equal to the number of dimensions in the tensor (%d)",
                        st_name(self->dtype), SHAPE_STR(self), pts_shape_str(ndim, shape, (char[256]){0}, 256), ndim,
                        self->ndim);
    }
    for (int i = ndim - 1, j = self->ndim - 1; j >= 0; i--, j--)
        if (self->shape[j] != 1 && self->shape[j] != shape[i])
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "The expanded size of the tensor (%lld) must match the existing size (%lld) "
                            "at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                            (long long)shape[i], (long long)self->shape[j], i,
                            pts_shape_str(ndim, shape, (char[256]){0}, 256), SHAPE_STR(self));
    return PTS_OK;
}

static PtsStatus inplace_check(const PtsTensor *self, int ndim, const int64_t *shape, PtsError *err) {
    if (self->ndim != ndim || memcmp(self->shape, shape, sizeof(int64_t) * (size_t)ndim) != 0)
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Bad in-place call: input tensor size %s and output tensor size %s should match",
                        SHAPE_STR(self), pts_shape_str(ndim, shape, (char[256]){0}, 256));
    return PTS_OK;
}

/* Runs a checked product. The result goes to a new tensor, to out (resized), or into self
 * (in place). The kernel writes straight into out/self when they are contiguous and share no
 * memory with the operands; otherwise through a temporary. */
static PtsStatus prod_run(const Prod *p, PtsTensor *out, bool inplace, PtsError *err, PtsValue *res) {
    PtsDType dt = p->a->dtype;
    bool acc = false;
    if (p->self)
        acc = pts_dtype_is_float(dt) ? pts_value_to_f64(p->beta) != 0 : pts_value_to_i64(p->beta) != 0;
    PtsTensor *target = inplace ? p->self : out;
    if (out) PTS_TRY(out_resize(out, p->rndim, p->rshape, err));
    bool direct = target && pts_tensor_is_contiguous(target) && !shares(target, p->a) &&
                  !shares(target, p->b) && (inplace || !shares(target, p->self));
    PtsTensor *dst;
    if (direct) dst = pts_tensor_retain(target);
    else PTS_TRY(pts_tensor_new(dt, p->rndim, p->rshape, err, &dst));
    PtsStatus s = PTS_OK;
    if (acc && dst != p->self) s = pts_tensor_copy_(dst, p->self, err);   /* broadcasts self */
    if (!s) s = compute(p, dst, acc, err);
    if (!s && target) {
        if (dst != target) s = pts_tensor_copy_(target, dst, err);
        else pts_tensor_bump_version(target);
    }
    if (s) {
        pts_tensor_release(dst);
        return s;
    }
    if (target) {
        pts_tensor_release(dst);
        *res = pts_vtensor(pts_tensor_retain(target));
    } else {
        atomic_store(&dst->storage->version, 0);
        *res = pts_vtensor(dst);
    }
    return PTS_OK;
}

/* ---- checks shared by the entry points ---- */
static PtsStatus mm_check(int64_t m, int64_t k1, int64_t k2, int64_t n, PtsDType da, PtsDType db,
                          PtsError *err) {
    PTS_CHECK(k1 == k2, err, RUNTIME, "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
              (long long)m, (long long)k1, (long long)k2, (long long)n);
    PTS_CHECK(da == db, err, RUNTIME, "expected m1 and m2 to have the same dtype, but got: %s != %s",
              pts_dtype_cpp_name(da), pts_dtype_cpp_name(db));
    PTS_CHECK(da != PTS_BOOL, err, NOTIMPL, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
    return PTS_OK;
}

/* mv's checks; self NULL for mv (the result takes the vector's dtype). */
static PtsStatus mv_check(const PtsTensor *self, int64_t m, int64_t k, int mat_ndim, PtsDType mat_dt,
                          const PtsTensor *vec, PtsError *err) {
    int sd = self ? self->ndim : 1;
    PTS_CHECK(mat_ndim == 2 && vec->ndim == 1 && sd <= 1, err, RUNTIME,
              "vector + matrix @ vector expected, got %d, %d, %d", sd, mat_ndim, vec->ndim);
    int64_t sn = self ? pts_numel(self) : m;
    if (k != vec->shape[0] || (sn != m && sn != 1)) {
        /* ATen names self.size(0) here, which a 0-d self does not have */
        PTS_CHECK(!self || self->ndim == 1, err, INDEX, "Dimension specified as 0 but tensor has no dimensions");
        return pts_fail(err, PTS_ERR_RUNTIME, "size mismatch, got input (%lld), mat (%lldx%lld), vec (%lld)",
                        (long long)(self ? self->shape[0] : m), (long long)m, (long long)k,
                        (long long)vec->shape[0]);
    }
    PtsDType sdt = self ? self->dtype : vec->dtype;
    PTS_CHECK(sdt == mat_dt && mat_dt == vec->dtype, err, RUNTIME,
              "addmv input tensors must have the same dtype, but got %s, %s, and %s", st_name(sdt),
              st_name(mat_dt), st_name(vec->dtype));
    PTS_CHECK(mat_dt != PTS_BOOL, err, NOTIMPL, "\"addmv_impl_cpu\" not implemented for 'Bool'");
    return PTS_OK;
}

static PtsStatus dot_check(const PtsTensor *a, const PtsTensor *b, PtsError *err) {
    PTS_CHECK(a->ndim == 1 && b->ndim == 1, err, RUNTIME, "1D tensors expected, but got %dD and %dD tensors",
              a->ndim, b->ndim);
    PTS_CHECK(a->dtype == b->dtype, err, RUNTIME,
              "dot : expected both vectors to have same dtype, but found %s and %s", st_name(a->dtype),
              st_name(b->dtype));
    PTS_CHECK(a->shape[0] == b->shape[0], err, RUNTIME,
              "inconsistent tensor size, expected tensor [%lld] and src [%lld] to have the same number "
              "of elements, but got %lld and %lld elements respectively",
              (long long)a->shape[0], (long long)b->shape[0], (long long)a->shape[0], (long long)b->shape[0]);
    PTS_CHECK(a->dtype != PTS_BOOL, err, NOTIMPL, "\"dot\" not implemented for 'Bool'");
    return PTS_OK;
}

static PtsStatus dot_out_check(const PtsTensor *out, PtsDType dt, PtsError *err) {
    PTS_CHECK(out->dtype == dt, err, RUNTIME, "result dtype %s does not match input dtype %s",
              st_name(out->dtype), st_name(dt));
    return PTS_OK;
}

static PtsStatus bmm_check(int64_t bs, int64_t k1, int64_t b0, int64_t k2, PtsDType da, PtsDType db,
                           PtsError *err) {
    PTS_CHECK(b0 == bs && k2 == k1, err, RUNTIME,
              "Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but got: [%lld, %lld].",
              (long long)bs, (long long)k1, (long long)b0, (long long)k2);
    PTS_CHECK(da == db, err, RUNTIME, "expected scalar type %s but found %s", st_name(da), st_name(db));
    PTS_CHECK(da != PTS_BOOL, err, NOTIMPL, "\"bmm\" not implemented for 'Bool'");
    return PTS_OK;
}

/* ---- mm, bmm, dot, mv, addmv, addmm ---- */
static PtsStatus mm_impl(PtsTensor *a, PtsTensor *b, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(a->ndim == 2, err, RUNTIME, "self must be a matrix");
    PTS_CHECK(b->ndim == 2, err, RUNTIME, "mat2 must be a matrix");
    PTS_TRY(mm_check(a->shape[0], a->shape[1], b->shape[0], b->shape[1], a->dtype, b->dtype, err));
    if (out) PTS_TRY(out_dtype_check(out, a->dtype, err));
    Prod p;
    prod_init(&p, a, AS_MAT, b, AS_MAT);
    p.M = a->shape[0], p.K = a->shape[1], p.N = b->shape[1];
    p.rndim = 2, p.rshape[0] = p.M, p.rshape[1] = p.N;
    return prod_run(&p, out, false, err, res);
}

static PtsStatus bmm_impl(PtsTensor *a, PtsTensor *b, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(a->ndim == 3, err, RUNTIME, "batch1 must be a 3D tensor");
    PTS_CHECK(b->ndim == 3, err, RUNTIME, "batch2 must be a 3D tensor");
    PTS_TRY(bmm_check(a->shape[0], a->shape[2], b->shape[0], b->shape[1], a->dtype, b->dtype, err));
    if (out) PTS_TRY(out_dtype_check(out, a->dtype, err));
    Prod p;
    prod_init(&p, a, AS_MAT, b, AS_MAT);
    p.nb = 1, p.bshape[0] = a->shape[0];
    p.M = a->shape[1], p.K = a->shape[2], p.N = b->shape[2];
    p.rndim = 3, p.rshape[0] = a->shape[0], p.rshape[1] = p.M, p.rshape[2] = p.N;
    return prod_run(&p, out, false, err, res);
}

static PtsStatus dot_impl(PtsTensor *a, PtsTensor *b, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_TRY(dot_check(a, b, err));
    if (out) PTS_TRY(dot_out_check(out, a->dtype, err));
    Prod p;
    prod_init(&p, a, AS_ROW, b, AS_COL);
    p.M = 1, p.N = 1, p.K = a->shape[0];
    p.rndim = 0;
    return prod_run(&p, out, false, err, res);
}

static PtsStatus addmv_impl(PtsTensor *self, PtsTensor *mat, PtsTensor *vec, PtsValue beta,
                            PtsValue alpha, PtsTensor *out, bool inplace, PtsError *err, PtsValue *res) {
    int64_t m = mat->ndim == 2 ? mat->shape[0] : 0, k = mat->ndim == 2 ? mat->shape[1] : 0;
    PTS_TRY(mv_check(self, m, k, mat->ndim, mat->dtype, vec, err));
    if (out && pts_can_cast(vec->dtype, out->dtype))   /* ATen: castable out= fails later, as an input */
        PTS_CHECK(out->dtype == vec->dtype, err, RUNTIME,
                  "addmv input tensors must have the same dtype, but got %s, %s, and %s",
                  st_name(out->dtype), st_name(mat->dtype), st_name(vec->dtype));
    else if (out) PTS_TRY(out_dtype_check(out, vec->dtype, err));
    Prod p;
    prod_init(&p, mat, AS_MAT, vec, AS_COL);
    p.M = m, p.K = k, p.N = 1;
    p.rndim = 1, p.rshape[0] = m;
    if (inplace) PTS_TRY(inplace_check(self, 1, p.rshape, err));
    p.self = self, p.beta = beta, p.alpha = alpha;
    return prod_run(&p, out, inplace, err, res);
}

static PtsStatus addmm_impl(PtsTensor *self, PtsTensor *m1, PtsTensor *m2, PtsValue beta,
                            PtsValue alpha, PtsTensor *out, bool inplace, PtsError *err, PtsValue *res) {
    PTS_CHECK(m1->ndim == 2, err, RUNTIME, "mat1 must be a matrix, got %d-D tensor", m1->ndim);
    PTS_CHECK(m2->ndim == 2, err, RUNTIME, "mat2 must be a matrix, got %d-D tensor", m2->ndim);
    PTS_CHECK(self->dtype == m2->dtype, err, RUNTIME, "self and mat2 must have the same dtype, but got %s and %s",
              st_name(self->dtype), st_name(m2->dtype));
    PTS_CHECK(m1->dtype == m2->dtype, err, RUNTIME, "mat1 and mat2 must have the same dtype, but got %s and %s",
              st_name(m1->dtype), st_name(m2->dtype));
    PTS_TRY(mm_check(m1->shape[0], m1->shape[1], m2->shape[0], m2->shape[1], m1->dtype, m2->dtype, err));
    Prod p;
    prod_init(&p, m1, AS_MAT, m2, AS_MAT);
    p.M = m1->shape[0], p.K = m1->shape[1], p.N = m2->shape[1];
    p.rndim = 2, p.rshape[0] = p.M, p.rshape[1] = p.N;
    if (inplace) PTS_TRY(inplace_check(self, 2, p.rshape, err));
    else PTS_TRY(expand_check(self, 2, p.rshape, err));
    if (out) PTS_TRY(out_dtype_check(out, m1->dtype, err));
    p.self = self, p.beta = beta, p.alpha = alpha;
    return prod_run(&p, out, inplace, err, res);
}

/* ---- matmul: torch.matmul's case analysis ----
 * 1-D @ 1-D is dot, 2-D @ 1-D mv, 1-D @ 2-D and 2-D @ 2-D mm, (>=3-D) @ (<=2-D) folds the batch of
 * the left operand into its rows, everything else is a broadcast batched product. The checks
 * (and so the messages) are those of the op ATen reaches for the case; the computation is the
 * one batched core for all of them. */
static bool torch_folds(const PtsTensor *a, const PtsTensor *b, const PtsTensor **t1, bool *tr) {
    int da = a->ndim, db = b->ndim;
    *tr = db > da;
    *t1 = *tr ? b : a;
    int d1 = (*t1)->ndim, d2 = *tr ? da : db;
    if (!(d1 >= 3 && d2 <= 2)) return false;
    if (a->ndim == 2) return false;   /* 2-D @ batch: ATen does not fold (it would need a copy) */
    const PtsTensor *t = *t1;
    if (pts_numel(t) == 0) return true;
    int64_t sh[PTS_MAX_DIMS], st[PTS_MAX_DIMS];
    for (int i = 0; i < d1; i++) sh[i] = t->shape[i], st[i] = t->strides[i];
    if (*tr) { /* t1 is b.mT */
        int64_t x = sh[d1 - 1]; sh[d1 - 1] = sh[d1 - 2]; sh[d1 - 2] = x;
        x = st[d1 - 1]; st[d1 - 1] = st[d1 - 2]; st[d1 - 2] = x;
    }
    for (int i = 0; i < d1 - 2; i++)
        if (st[i] != st[i + 1] * sh[i + 1]) return false;
    return true;
}

static PtsStatus matmul_impl(PtsTensor *a, PtsTensor *b, PtsTensor *out, PtsError *err, PtsValue *res) {
    int da = a->ndim, db = b->ndim;
    PTS_CHECK(da >= 1 && db >= 1, err, RUNTIME,
              "both arguments to matmul need to be at least 1D, but they are %dD and %dD", da, db);
    Prod p;
    prod_init(&p, a, da == 1 ? AS_ROW : AS_MAT, b, db == 1 ? AS_COL : AS_MAT);
    p.M = da == 1 ? 1 : a->shape[da - 2];
    p.K = a->shape[da - 1];
    int64_t k2 = db == 1 ? b->shape[0] : b->shape[db - 2];
    p.N = db == 1 ? 1 : b->shape[db - 1];
    bool dot_out = false;
    const PtsTensor *t1;
    bool tr;
    if (da == 1 && db == 1) {
        PTS_TRY(dot_check(a, b, err));
        dot_out = true;
    } else if (da == 2 && db == 1) {
        PTS_TRY(mv_check(NULL, p.M, p.K, 2, a->dtype, b, err));
    } else if (db == 2 && da <= 2) {
        PTS_TRY(mm_check(p.M, p.K, k2, p.N, a->dtype, b->dtype, err));
    } else if (torch_folds(a, b, &t1, &tr)) {
        if (!tr) {
            int64_t rows = pts_shape_numel(da - 1, a->shape);
            if (db == 2) PTS_TRY(mm_check(rows, p.K, k2, p.N, a->dtype, b->dtype, err));
            else PTS_TRY(mv_check(NULL, rows, p.K, 2, a->dtype, b, err));
        } else { /* 1-D @ batch: b.mT folded, times the vector a */
            int64_t rows = pts_shape_numel(db - 2, b->shape) * b->shape[db - 1];
            PTS_TRY(mv_check(NULL, rows, b->shape[db - 2], 2, b->dtype, a, err));
        }
    } else {
        /* broadcast batch: ATen expands both and calls bmm on the flattened batch */
        PTS_TRY(pts_broadcast_shapes(da > 2 ? da - 2 : 0, a->shape, db > 2 ? db - 2 : 0, b->shape,
                                     &p.nb, p.bshape, err));
        int64_t bs = pts_shape_numel(p.nb, p.bshape);
        PTS_TRY(bmm_check(bs, p.K, bs, k2, a->dtype, b->dtype, err));
    }
    if (!(da == 1 && db == 1) && !(da <= 2 && db <= 2) && p.nb == 0) {
        /* folded cases: the batch is the larger operand's leading dims */
        const PtsTensor *big = da >= db ? a : b;
        p.nb = big->ndim - 2;
        for (int i = 0; i < p.nb; i++) p.bshape[i] = big->shape[i];
    }
    for (int i = 0; i < p.nb; i++) p.rshape[p.rndim++] = p.bshape[i];
    if (da > 1) p.rshape[p.rndim++] = p.M;
    if (db > 1) p.rshape[p.rndim++] = p.N;
    if (out) PTS_TRY(dot_out ? dot_out_check(out, a->dtype, err) : out_dtype_check(out, a->dtype, err));
    return prod_run(&p, out, false, err, res);
}

/* ---- outer / ger: ATen computes self.reshape(-1, 1) * vec2, so dtypes promote as mul does ---- */
static PtsStatus outer_impl(PtsTensor *a, PtsTensor *b, PtsTensor *out, PtsError *err, PtsValue *res) {
    PTS_CHECK(a->ndim == 1, err, RUNTIME, "outer: Expected 1-D argument self, but got %d-D", a->ndim);
    PTS_CHECK(b->ndim == 1, err, RUNTIME, "outer: Expected 1-D argument vec2, but got %d-D", b->ndim);
    PtsTensor *pair[2] = { a, b };
    PtsDType dt = pts_result_type(pair, 2);
    if (out)
        PTS_CHECK(pts_can_cast(dt, out->dtype), err, RUNTIME,
                  "result type %s can't be cast to the desired output type %s", st_name(dt),
                  st_name(out->dtype));
    int64_t n = a->shape[0], m = b->shape[0], shape[2] = { n, m };
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(dt, 2, shape, err, &r));
    const int64_t as = a->strides[0] * (int64_t)pts_dtype_size(a->dtype);
    const int64_t bs = b->strides[0] * (int64_t)pts_dtype_size(b->dtype);
    const char *pa = pts_tensor_data(a), *pb = pts_tensor_data(b);
    char *pr = pts_tensor_data(r);
    const size_t rsz = pts_dtype_size(dt);
    if (dt == PTS_FLOAT32 && a->dtype == dt && b->dtype == dt) {
        float *o = (float *)pr;
        for (int64_t i = 0; i < n; i++) {
            float x = *(const float *)(pa + i * as);
            for (int64_t j = 0; j < m; j++) o[i * m + j] = x * *(const float *)(pb + j * bs);
        }
    } else if (pts_dtype_is_float(dt)) {
        /* float16/bfloat16 products of two values are exact in double: one rounding, as in float */
        for (int64_t i = 0; i < n; i++) {
            double x = pts_load_f64(a->dtype, pa + i * as);
            for (int64_t j = 0; j < m; j++)
                pts_store_f64(dt, pr + (size_t)(i * m + j) * rsz, x * pts_load_f64(b->dtype, pb + j * bs));
        }
    } else if (dt == PTS_BOOL) {
        for (int64_t i = 0; i < n; i++) {
            bool x = pts_load_i64(a->dtype, pa + i * as) != 0;
            for (int64_t j = 0; j < m; j++)
                pr[i * m + j] = x && pts_load_i64(b->dtype, pb + j * bs) != 0;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            uint64_t x = (uint64_t)pts_load_i64(a->dtype, pa + i * as);
            for (int64_t j = 0; j < m; j++)
                pts_store_i64(dt, pr + (size_t)(i * m + j) * rsz,
                              (int64_t)(x * (uint64_t)pts_load_i64(b->dtype, pb + j * bs)));
        }
    }
    if (!out) {
        *res = pts_vtensor(r);
        return PTS_OK;
    }
    PtsStatus s = out_resize(out, 2, shape, err);
    if (!s) s = pts_tensor_copy_(out, r, err);
    pts_tensor_release(r);
    if (!s) *res = pts_vtensor(pts_tensor_retain(out));
    return s;
}

/* ---- kernels ---- */
/* Each product row and its .out row share one implementation; out= is the last argument. */
#define PAIR2(ID, impl)                                                                    \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                          \
        return impl(a[0].u.t, a[1].u.t, NULL, err, out);                                   \
    }                                                                                      \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return impl(a[0].u.t, a[1].u.t, a[2].u.t, err, out);                               \
    }
PAIR2(MM, mm_impl)
PAIR2(BMM, bmm_impl)
PAIR2(MATMUL, matmul_impl)
PAIR2(DOT, dot_impl)
PAIR2(OUTER, outer_impl)
PAIR2(GER, outer_impl)

/* addmv/addmm and their in-place and out= rows; mv is addmv with beta=0, alpha=1 and no self */
#define ADD3(ID, impl)                                                                     \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                          \
        return impl(a[0].u.t, a[1].u.t, a[2].u.t, a[3], a[4], NULL, false, err, out);      \
    }                                                                                      \
    PtsStatus k_##ID##_(PtsValue *a, PtsValue *out, PtsError *err) {                       \
        return impl(a[0].u.t, a[1].u.t, a[2].u.t, a[3], a[4], NULL, true, err, out);       \
    }                                                                                      \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return impl(a[0].u.t, a[1].u.t, a[2].u.t, a[3], a[4], a[5].u.t, false, err, out);  \
    }
ADD3(ADDMV, addmv_impl)
ADD3(ADDMM, addmm_impl)

PtsStatus k_MV(PtsValue *a, PtsValue *out, PtsError *err) {
    return addmv_impl(NULL, a[0].u.t, a[1].u.t, pts_vint(0), pts_vint(1), NULL, false, err, out);
}
PtsStatus k_MV_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return addmv_impl(NULL, a[0].u.t, a[1].u.t, pts_vint(0), pts_vint(1), a[2].u.t, false, err, out);
}

/* t: a view with the two dims swapped; 0-d and 1-d tensors come back as they are. */
PtsStatus k_T(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *s = a[0].u.t, *r;
    PTS_CHECK(s->ndim <= 2, err, RUNTIME, "t() expects a tensor with <= 2 dimensions, but self is %dD", s->ndim);
    int64_t shape[2], strides[2];
    for (int i = 0; i < s->ndim; i++) {
        shape[i] = s->shape[s->ndim - 1 - i];
        strides[i] = s->strides[s->ndim - 1 - i];
    }
    PTS_TRY(pts_tensor_view(s, s->ndim, shape, strides, s->offset, err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}

PtsStatus k_T_(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *s = a[0].u.t;
    PTS_CHECK(s->ndim <= 2, err, RUNTIME, "t_() expects a tensor with <= 2 dimensions, but self is %dD", s->ndim);
    if (s->ndim == 2) {
        int64_t x = s->shape[0]; s->shape[0] = s->shape[1]; s->shape[1] = x;
        x = s->strides[0]; s->strides[0] = s->strides[1]; s->strides[1] = x;
    }
    *out = pts_vtensor(pts_tensor_retain(s));
    return PTS_OK;
}

/* ---- linear: composite of t, addmm, matmul and add_, as ATen's linear ---- */
static PtsStatus call_t(PtsOpId id, PtsValue *args, PtsError *err, PtsTensor **r) {
    PtsValue o[PTS_MAX_RETS] = { { 0 } };
    *r = NULL;
    PTS_TRY(pts_op_call(id, args, o, err));
    *r = o[0].u.t;
    return PTS_OK;
}

/* ATen sends a contiguous input with a "fusable" bias (1-D, or one non-1 dim) through
 * addmm on the input flattened to 2-D; the bias then broadcasts against [rows, out]. */
static bool bias_fusable(const PtsTensor *bias) {
    if (!pts_tensor_is_contiguous(bias)) return false;
    if (bias->ndim == 1) return true;
    int big = 0;
    for (int i = 0; i < bias->ndim; i++) big += bias->shape[i] != 1;
    return big == 1;
}

static PtsStatus linear_flat(PtsTensor *input, PtsTensor *wt, PtsTensor *bias, PtsError *err,
                             PtsTensor **res) {
    /* addmm on input viewed as [rows, in], the result viewed back as [..., out] */
    int64_t k = input->shape[input->ndim - 1];
    int64_t fshape[2] = { pts_shape_numel(input->ndim - 1, input->shape), k }, fstr[2] = { k, 1 };
    PtsTensor *flat, *r2;
    PTS_TRY(pts_tensor_view(input, 2, fshape, fstr, input->offset, err, &flat));
    PtsValue args[5] = { pts_vtensor(bias), pts_vtensor(flat), pts_vtensor(wt), pts_vint(1), pts_vint(1) };
    PtsStatus s = call_t(PTS_OP_ADDMM, args, err, &r2);
    pts_tensor_release(flat);
    if (s) return s;
    int64_t shape[PTS_MAX_DIMS], strides[PTS_MAX_DIMS];
    for (int i = 0; i < input->ndim - 1; i++) shape[i] = input->shape[i];
    shape[input->ndim - 1] = r2->shape[1];
    pts_contiguous_strides(input->ndim, shape, strides);
    s = pts_tensor_view(r2, input->ndim, shape, strides, r2->offset, err, res);
    pts_tensor_release(r2);
    return s;
}

static PtsStatus linear_impl(PtsTensor *input, PtsTensor *weight, PtsTensor *bias, PtsError *err,
                             PtsTensor **res) {
    PTS_CHECK(input->ndim >= 1 && weight->ndim >= 1, err, RUNTIME,
              "both arguments to linear need to be at least 1D, but they are %dD and %dD", input->ndim,
              weight->ndim);
    PtsTensor *wt, *r = NULL;
    PtsValue targ[1] = { pts_vtensor(weight) };
    PTS_TRY(call_t(PTS_OP_T, targ, err, &wt));
    PtsStatus s;
    if (bias && input->ndim == 2) {
        PtsValue args[5] = { pts_vtensor(bias), pts_vtensor(input), pts_vtensor(wt), pts_vint(1), pts_vint(1) };
        s = call_t(PTS_OP_ADDMM, args, err, &r);
        goto done;
    }
    if (bias && bias_fusable(bias) && pts_tensor_is_contiguous(input)) {
        /* A bias that adds the same way to [rows, out] as to [..., out] takes matmul + add_
         * (same values, and autograd sees no internal views); others need the flattened form. */
        bool same = bias->ndim == 1 || (bias->ndim == 2 && bias->shape[0] == 1 && input->ndim >= 2);
        if (!same || wt->ndim != 2) {
            s = linear_flat(input, wt, bias, err, &r);
            goto done;
        }
        if (bias->dtype != wt->dtype) {
            s = pts_fail(err, PTS_ERR_RUNTIME, "self and mat2 must have the same dtype, but got %s and %s",
                         st_name(bias->dtype), st_name(wt->dtype));
            goto done;
        }
        int64_t target[2] = { pts_shape_numel(input->ndim - 1, input->shape), wt->shape[1] };
        if ((s = expand_check(bias, 2, target, err))) goto done;
    }
    PtsValue margs[2] = { pts_vtensor(input), pts_vtensor(wt) };
    if ((s = call_t(PTS_OP_MATMUL, margs, err, &r))) goto done;
    if (bias) {
        PtsTensor *r2;
        PtsValue aargs[3] = { pts_vtensor(r), pts_vtensor(bias), pts_vint(1) };
        s = call_t(PTS_OP_ADD__TENSOR, aargs, err, &r2);
        if (!s) pts_tensor_release(r2);   /* add_ returns r itself */
    }
done:
    pts_tensor_release(wt);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    *res = r;
    return PTS_OK;
}

PtsStatus k_LINEAR(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *r = NULL;
    PTS_TRY(linear_impl(a[0].u.t, a[1].u.t, a[2].tag == PTS_V_TENSOR ? a[2].u.t : NULL, err, &r));
    *out = pts_vtensor(r);
    return PTS_OK;
}

/* linear.out as ATen: addmm.out for 2-D input with bias, else matmul.out then add_. */
PtsStatus k_LINEAR_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *input = a[0].u.t, *weight = a[1].u.t, *o = a[3].u.t;
    PtsTensor *bias = a[2].tag == PTS_V_TENSOR ? a[2].u.t : NULL;
    PTS_CHECK(input->ndim >= 1 && weight->ndim >= 1, err, RUNTIME,
              "both arguments to linear need to be at least 1D, but they are %dD and %dD", input->ndim,
              weight->ndim);
    PtsTensor *wt, *r = NULL;
    PtsValue targ[1] = { pts_vtensor(weight) };
    PTS_TRY(call_t(PTS_OP_T, targ, err, &wt));
    PtsStatus s;
    if (bias && input->ndim == 2) {
        PtsValue args[6] = { pts_vtensor(bias), pts_vtensor(input), pts_vtensor(wt), pts_vint(1),
                             pts_vint(1), pts_vtensor(o) };
        s = call_t(PTS_OP_ADDMM_OUT, args, err, &r);
    } else {
        PtsValue args[3] = { pts_vtensor(input), pts_vtensor(wt), pts_vtensor(o) };
        s = call_t(PTS_OP_MATMUL_OUT, args, err, &r);
        if (!s && bias) {
            PtsTensor *r2;
            PtsValue aargs[3] = { pts_vtensor(r), pts_vtensor(bias), pts_vint(1) };
            s = call_t(PTS_OP_ADD__TENSOR, aargs, err, &r2);
            if (!s) pts_tensor_release(r2);
        }
    }
    pts_tensor_release(wt);
    if (s) {
        pts_tensor_release(r);
        return s;
    }
    *out = pts_vtensor(r);
    return PTS_OK;
}
