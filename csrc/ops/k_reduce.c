/* k_reduce.c: reductions and scans bound to the rows of ops_reduce.def: sum, mean, prod,
 * max/min, amax/amin, argmax/argmin, std/var, norm, logsumexp, any/all, cumsum/cumprod.
 * One planner turns (tensor, reduced dims, keepdim) into coalesced kept and reduced loops. The
 * "inner" driver folds each result's reduced elements (a contiguous run gets a vectorised
 * kernel); the "outer" driver folds whole rows into a block of results when the kept innermost
 * dim is the contiguous one (column sums). Nothing is allocated but the result, except a
 * converted copy of float16/bfloat16 or dtype= inputs and a contiguous copy for a flattened
 * argmax of a strided input. */
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "pwloops.h"

/* ================= dims, dtypes, messages ================= */

/* PyTorch's ScalarType names, which its messages use ("Got: Int"). */
static const char *st_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "?");
}

static PtsDType opt_dtype(PtsValue v) {
    return v.tag == PTS_V_INT && pts_dtype_valid((int)v.u.i) ? (PtsDType)v.u.i : PTS_DTYPE_INVALID;
}

static bool is_intlike(PtsDType d) { return !pts_dtype_is_float(d); }

/* The reduced dims as a bit mask over self's dims. dimv is None, an int or an int list; None
 * means every dim, and so does an empty list when empty_all (sum, amax, ...; any.dims reduces
 * nothing then). A 0-dim tensor accepts 0 and -1 and has nothing to reduce. *listed is set when
 * dims were named (not None, not an empty list). */
static PtsStatus dim_mask(PtsValue dimv, int ndim, bool empty_all, uint32_t *mask, bool *listed,
                          PtsError *err) {
    uint32_t all = (uint32_t)((1u << ndim) - 1u);
    if (listed) *listed = false;
    if (dimv.tag == PTS_V_NONE) {
        *mask = all;
        return PTS_OK;
    }
    int64_t dims[64];
    int n = 0;
    PTS_TRY(pts_value_int_list(dimv, dims, 64, &n, err));
    if (n == 0) {
        *mask = empty_all ? all : 0;
        return PTS_OK;
    }
    uint32_t seen = 0;
    for (int k = 0; k < n; k++) {
        int d;
        PTS_TRY(pts_wrap_dim(dims[k], ndim, err, &d));
        if (seen >> d & 1u)
            return pts_fail(err, PTS_ERR_RUNTIME, "dim %d appears multiple times in the list of dims", d);
        seen |= 1u << d;
    }
    *mask = seen & all;
    if (listed) *listed = true;
    return PTS_OK;
}

/* A retained tensor the kernels can read: converted to `want` when given and different (PyTorch
 * casts the input first when dtype= is passed), then float16/bfloat16 widened to float32. */
static PtsStatus prepare(PtsTensor *self, PtsDType want, PtsError *err, PtsTensor **out) {
    PtsTensor *t = NULL, *u = NULL;
    if (want != PTS_DTYPE_INVALID && want != self->dtype) PTS_TRY(pts_tensor_to(self, want, false, err, &t));
    else t = pts_tensor_retain(self);
    if (t->dtype == PTS_FLOAT16 || t->dtype == PTS_BFLOAT16) {
        PtsStatus s = pts_tensor_to(t, PTS_FLOAT32, false, err, &u);
        pts_tensor_release(t);
        if (s) return s;
        t = u;
    }
    *out = t;
    return PTS_OK;
}

/* Deliver result r (owned) as the kernel's value, or into out= (then out is the value). */
static PtsStatus finish(PtsTensor *r, PtsTensor *out, PtsError *err, PtsValue *res) {
    if (!out) {
        *res = pts_vtensor(r);
        return PTS_OK;
    }
    PtsStatus s = pts_out_assign(out, r, err);
    pts_tensor_release(r);
    if (s) return s;
    *res = pts_vtensor(pts_tensor_retain(out));
    return PTS_OK;
}

/* ================= the planner ================= */

typedef struct Plan {
    int out_ndim;                    /* rank of the result (keepdim applied) */
    int64_t out_shape[PTS_MAX_DIMS]; /* its shape */
    int nk;                          /* kept loops; the result is contiguous in this order */
    int64_t kshape[PTS_MAX_DIMS];    /* sizes of the kept loops */
    int64_t kst[PTS_MAX_DIMS];       /* their input strides, bytes */
    int nr;                          /* reduced loops, largest stride first */
    int64_t rshape[PTS_MAX_DIMS];    /* sizes of the reduced loops */
    int64_t rst[PTS_MAX_DIMS];       /* their input strides, bytes */
    int64_t kn, rn;                  /* results; reduced elements per result */
    const char *base;                /* input element [0, ..., 0] */
    int64_t isz;                     /* input element size */
} Plan;

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

static void plan_make(const PtsTensor *t, uint32_t mask, bool keepdim, Plan *P) {
    P->isz = (int64_t)pts_dtype_size(t->dtype);
    P->out_ndim = P->nk = P->nr = 0;
    P->kn = P->rn = 1;
    P->base = pts_tensor_data(t);
    for (int i = 0; i < t->ndim; i++) {
        int64_t n = t->shape[i], st = t->strides[i] * P->isz;
        if (mask >> i & 1u) {
            P->rn *= n;
            if (keepdim) P->out_shape[P->out_ndim++] = 1;
            if (n != 1) {
                P->rshape[P->nr] = n;
                P->rst[P->nr++] = st;
            }
            continue;
        }
        P->kn *= n;
        P->out_shape[P->out_ndim++] = n;
        if (n == 1) continue;
        /* merging two kept loops keeps the result's row-major order, so it is always allowed
         * when the input strides line up, even across a reduced dim */
        if (P->nk > 0 && P->kst[P->nk - 1] == st * n) {
            P->kshape[P->nk - 1] *= n;
            P->kst[P->nk - 1] = st;
        } else {
            P->kshape[P->nk] = n;
            P->kst[P->nk++] = st;
        }
    }
    /* reduced loops: order does not matter to the result, so walk memory in order (smallest
     * stride innermost) and merge loops that form one run */
    for (int i = 1; i < P->nr; i++)
        for (int j = i; j > 0 && iabs64(P->rst[j - 1]) < iabs64(P->rst[j]); j--) {
            int64_t a = P->rshape[j], b = P->rst[j];
            P->rshape[j] = P->rshape[j - 1];
            P->rst[j] = P->rst[j - 1];
            P->rshape[j - 1] = a;
            P->rst[j - 1] = b;
        }
    int w = 0;
    for (int i = 0; i < P->nr; i++) {
        if (w > 0 && P->rst[w - 1] == P->rst[i] * P->rshape[i]) {
            P->rshape[w - 1] *= P->rshape[i];
            P->rst[w - 1] = P->rst[i];
            continue;
        }
        P->rshape[w] = P->rshape[i];
        P->rst[w++] = P->rst[i];
    }
    P->nr = w;
}

/* Advance an odometer over n loops (pointer p follows); false after the last position. */
static inline bool odo_next(int n, const int64_t *shape, const int64_t *st, int64_t *idx,
                            const char **p) {
    for (int d = n - 1; d >= 0; d--) {
        *p += st[d];
        if (++idx[d] < shape[d]) return true;
        *p -= st[d] * shape[d];
        idx[d] = 0;
    }
    return false;
}

/* ================= fold kernels ================= */

/* Per-call parameters of a fold: p of a p-norm, the shift of std/var/logsumexp. */
typedef struct RCtx {
    double p;       /* norm order */
    double shift;   /* subtracted before squaring (var) or exponentiating (logsumexp) */
} RCtx;

/* Fold n elements at p (byte stride st) into *acc (a double or an int64). */
typedef void (*RunFn)(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c);
/* Fold k rows (byte stride rs) of m contiguous elements into accs[0..m). */
typedef void (*RowFn)(const char *p, int64_t k, int64_t rs, int64_t m, void *accs, const RCtx *c);

/* STEP sees the element v (its own type T) and the accumulator a (type TA). */
#define RED_RUN(NAME, T, TA, STEP)                                                             \
    static void NAME##_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {   \
        (void)c;                                                                               \
        TA a = *(TA *)acc;                                                                     \
        if (st == (int64_t)sizeof(T)) {                                                        \
            const T *x = (const T *)p;                                                         \
            for (int64_t i = 0; i < n; i++) { T v = x[i]; STEP; }                              \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) { T v = *(const T *)(p + i * st); STEP; }          \
        }                                                                                      \
        *(TA *)acc = a;                                                                        \
    }
#define RED_ROW(NAME, T, TA, STEP)                                                             \
    static void NAME##_row(const char *p, int64_t k, int64_t rs, int64_t m, void *accs,        \
                           const RCtx *c) {                                                    \
        (void)c;                                                                               \
        TA *A = (TA *)accs;                                                                    \
        for (int64_t r = 0; r < k; r++) {                                                      \
            const T *x = (const T *)(p + r * rs);                                              \
            for (int64_t j = 0; j < m; j++) { TA a = A[j]; T v = x[j]; STEP; A[j] = a; }       \
        }                                                                                      \
    }
#define RED_FNS(NAME, T, TA, STEP) RED_RUN(NAME, T, TA, STEP) RED_ROW(NAME, T, TA, STEP)

/* every readable dtype; bool is read as its byte (0 or 1) */
#define RED_INTS(OP, STEP)                                                                     \
    RED_FNS(OP##_i64, int64_t, int64_t, STEP) RED_FNS(OP##_i32, int32_t, int64_t, STEP)        \
    RED_FNS(OP##_i16, int16_t, int64_t, STEP) RED_FNS(OP##_i8, int8_t, int64_t, STEP)          \
    RED_FNS(OP##_u8, uint8_t, int64_t, STEP) RED_FNS(OP##_b, uint8_t, int64_t, STEP)
#define RED_FLOATS(OP, TA, STEP) RED_FNS(OP##_f32, float, TA, STEP) RED_FNS(OP##_f64, double, TA, STEP)

#define TBL_I(OP, K) [PTS_INT64] = OP##_i64_##K, [PTS_INT32] = OP##_i32_##K, \
    [PTS_INT16] = OP##_i16_##K, [PTS_INT8] = OP##_i8_##K, [PTS_UINT8] = OP##_u8_##K, [PTS_BOOL] = OP##_b_##K
#define TBL_F(OP, K) [PTS_FLOAT32] = OP##_f32_##K, [PTS_FLOAT64] = OP##_f64_##K

/* sum: floats in double; contiguous float32/float64 runs take the vector kernels below */
RED_RUN(sumg_f32, float, double, a += v)
RED_FNS(sumg_f64, double, double, a += v)
RED_INTS(sum, a = (int64_t)((uint64_t)a + (uint64_t)(int64_t)v))   /* wraps, as PyTorch */

#if defined(__GNUC__)
typedef float v4f __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef int64_t v2l __attribute__((vector_size(16)));

static inline v4f ld4f(const float *x) { v4f v; memcpy(&v, x, sizeof v); return v; }
static inline v2d ld2d(const double *x) { v2d v; memcpy(&v, x, sizeof v); return v; }
/* float lanes 0-1 and 2-3 widened to double (cvtps2pd on x86-64, whose baseline has SSE2) */
#if defined(__SSE2__)
static inline v2d lo2d(v4f u) { return (v2d)_mm_cvtps_pd((__m128)u); }
static inline v2d hi2d(v4f u) { return (v2d)_mm_cvtps_pd(_mm_movehl_ps((__m128)u, (__m128)u)); }
#else
static inline v2d lo2d(v4f u) { return (v2d){ u[0], u[1] }; }
static inline v2d hi2d(v4f u) { return (v2d){ u[2], u[3] }; }
#endif

/* Contiguous float32 sum: 8 vectors of 4 float lanes over blocks of 128 elements (each lane
 * adds only 4 values, so float rounding stays tiny), block totals widened and added in double
 * lanes. More accurate than PyTorch's cascade sum and still bound by memory bandwidth. */
#define SUM_F32_BLOCKS(NAME, F, FS)                                                           \
    static double NAME(const float *x, int64_t n) {                                            \
        v2d lo = { 0, 0 }, hi = { 0, 0 };                                                      \
        int64_t i = 0;                                                                         \
        for (; i + 128 <= n; i += 128) {                                                       \
            v4f a[8];                                                                          \
            for (int j = 0; j < 8; j++) { v4f v = ld4f(x + i + 4 * j); a[j] = F; }             \
            for (int k = 32; k < 128; k += 32)                                                 \
                for (int j = 0; j < 8; j++) { v4f v = ld4f(x + i + k + 4 * j); a[j] += F; }    \
            v4f s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));         \
            lo += lo2d(s);                                                                     \
            hi += hi2d(s);                                                                     \
        }                                                                                      \
        double t = (lo[0] + lo[1]) + (hi[0] + hi[1]);                                          \
        for (; i < n; i++) { double v = x[i]; t += FS; }                                       \
        return t;                                                                              \
    }
static inline v4f abs4f(v4f v) {
    v4i m = { INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX };
    return (v4f)((v4i)v & m);
}
#if defined(__x86_64__) && (defined(__clang__) || __GNUC__ >= 5)
/* The same sum in AVX2 lanes (four doubles per add), chosen at run time: the build stays the
 * x86-64 baseline, a machine with AVX2 takes this loop. */
#define SUM_F32_AVX2 1
__attribute__((target("avx2"))) static double sum_f32_avx2(const float *x, int64_t n) {
    __m256d a[8];
    for (int j = 0; j < 8; j++) a[j] = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 8; j++) a[j] = _mm256_add_pd(a[j], _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * j)));
    for (int j = 1; j < 8; j++) a[0] = _mm256_add_pd(a[0], a[j]);
    double l[4];
    _mm256_storeu_pd(l, a[0]);
    double t = (l[0] + l[1]) + (l[2] + l[3]);
    for (; i < n; i++) t += x[i];
    return t;
}
static int cpu_avx2 = -1;   /* -1 unknown; racing first calls store the same answer */
#endif

/* float32 sum: every element widened and added in eight double chains (a float lane would add
 * its rounding errors block by block), so the result is float32's rounding of a double sum */
static double sum_f32_contig(const float *x, int64_t n) {
#ifdef SUM_F32_AVX2
    if (cpu_avx2 < 0) cpu_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    if (cpu_avx2) return sum_f32_avx2(x, n);
#endif
    v2d a[8] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 4; j++) {
            v4f u = ld4f(x + i + 4 * j);
            a[2 * j] += lo2d(u);
            a[2 * j + 1] += hi2d(u);
        }
    v2d r = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    double t = r[0] + r[1];
    for (; i < n; i++) t += x[i];
    return t;
}
SUM_F32_BLOCKS(sumsq_f32_fast, v * v, v * v)
SUM_F32_BLOCKS(sumabs_f32_fast, abs4f(v), fabs(v))

/* float64 sum: blocks of at most 1024 elements in eight chains (128 adds per chain), block
 * totals added pairwise (a cascade, as torch's), so the error grows with log n */
static double sum_f64_block(const double *x, int64_t n) {
    v2d a[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 4; j++) a[j] += ld2d(x + i + 2 * j);
    v2d s = (a[0] + a[1]) + (a[2] + a[3]);
    double t = s[0] + s[1];
    for (; i < n; i++) t += x[i];
    return t;
}
static double sum_f64_contig(const double *x, int64_t n) {
    if (n <= 1024) return sum_f64_block(x, n);
    int64_t h = (n / 2 + 7) & ~(int64_t)7;
    return sum_f64_contig(x, h) + sum_f64_contig(x + h, n - h);
}

/* Contiguous product, sum of squares and sum of absolute values: four (float64: eight) independent
 * double chains, so the multiply/add latency is hidden; float32 is widened lane by lane. */
#define CONTIG_F32(NAME, INIT, STEP)                                                           \
    static double NAME(const float *x, int64_t n) {                                            \
        v2d a0 = { INIT, INIT }, a1 = a0, a2 = a0, a3 = a0;                                    \
        int64_t i = 0;                                                                         \
        for (; i + 8 <= n; i += 8) {                                                           \
            v4f u = ld4f(x + i), w = ld4f(x + i + 4);                                          \
            v2d b0 = lo2d(u), b1 = hi2d(u), b2 = lo2d(w), b3 = hi2d(w);                        \
            STEP(a0, b0); STEP(a1, b1); STEP(a2, b2); STEP(a3, b3);                            \
        }                                                                                      \
        double t = INIT;                                                                       \
        for (; i < n; i++) { v2d b = { x[i], INIT }; STEP(a0, b); }                            \
        v2d r = a0;                                                                            \
        STEP(r, a1); STEP(r, a2); STEP(r, a3);                                                 \
        STEP_S(t, r[0]); STEP_S(t, r[1]);                                                      \
        return t;                                                                              \
    }
#define CONTIG_F64(NAME, INIT, STEP)                                                           \
    static double NAME(const double *x, int64_t n) {                                           \
        v2d a[8];                                                                              \
        for (int j = 0; j < 8; j++) a[j] = (v2d){ INIT, INIT };                                \
        int64_t i = 0;                                                                         \
        for (; i + 16 <= n; i += 16)                                                           \
            for (int j = 0; j < 8; j++) { v2d b = ld2d(x + i + 2 * j); STEP(a[j], b); }         \
        for (; i < n; i++) { v2d b = { x[i], INIT }; STEP(a[0], b); }                          \
        for (int j = 1; j < 8; j++) STEP(a[0], a[j]);                                          \
        double t = INIT;                                                                       \
        STEP_S(t, a[0][0]); STEP_S(t, a[0][1]);                                                \
        return t;                                                                              \
    }
/* STEP(acc, b) folds vector b into acc; the tail and the final merge fold lanes whose partner
 * is the identity, and STEP_S folds a lane total into a double */
#define MUL_(acc, b) ((acc) *= (b))
#define STEP_S(t, v) ((t) = FOLD_S(t, v))
#define FOLD_S(t, v) ((t) * (v))
CONTIG_F32(prod_f32_contig, 1.0, MUL_)
CONTIG_F64(prod_f64_contig, 1.0, MUL_)
#undef FOLD_S
#define FOLD_S(t, v) ((t) + (v))
#define CONTIG_SUMOF(NAME, T, LD, FN)                                                       \
    static double NAME(const T *x, int64_t n) {                                                \
        v2d a[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };                                 \
        int64_t i = 0;                                                                         \
        for (; i + 8 <= n; i += 8) {                                                           \
            v2d b[4];                                                                          \
            LD(x + i, b);                                                                      \
            for (int j = 0; j < 4; j++) a[j] += FN(b[j]);                                      \
        }                                                                                      \
        v2d r = (a[0] + a[1]) + (a[2] + a[3]);                                                 \
        double t = r[0] + r[1];                                                                \
        for (; i < n; i++) { double v = (double)x[i]; t += FN##S(v); }                        \
        return t;                                                                              \
    }
static inline void ld8f(const float *x, v2d *b) {
    v4f u = ld4f(x), w = ld4f(x + 4);
    b[0] = lo2d(u), b[1] = hi2d(u), b[2] = lo2d(w), b[3] = hi2d(w);
}
static inline void ld8d(const double *x, v2d *b) {
    for (int j = 0; j < 4; j++) b[j] = ld2d(x + 2 * j);
}
static inline v2d sq2(v2d b) { return b * b; }
static inline double sq2S(double v) { return v * v; }
static inline v2d abs2(v2d b) {
    v2l m = { INT64_MAX, INT64_MAX };
    return (v2d)((v2l)b & m);
}
static inline double abs2S(double v) { return fabs(v); }
CONTIG_SUMOF(sumsq_f32_wide, float, ld8f, sq2)
CONTIG_SUMOF(sumabs_f32_wide, float, ld8f, abs2)
/* float32 squares (or magnitudes) are added in float lanes a block of 4 per lane at a time, like
 * sum; a total that overflowed, or is so small that squares below float's range may have been
 * lost, is done again in double lanes, so the result is float32's norm of the double sum */
static double sumsq_f32_contig(const float *x, int64_t n) {
    double t = sumsq_f32_fast(x, n);
    return isfinite(t) && t >= (double)n * 1e-28 ? t : sumsq_f32_wide(x, n);
}
static double sumabs_f32_contig(const float *x, int64_t n) {
    double t = sumabs_f32_fast(x, n);
    return isfinite(t) ? t : sumabs_f32_wide(x, n);
}
CONTIG_SUMOF(sumsq_f64_block, double, ld8d, sq2)
CONTIG_SUMOF(sumabs_f64_block, double, ld8d, abs2)
static double sumsq_f64_contig(const double *x, int64_t n) {
    if (n <= 1024) return sumsq_f64_block(x, n);
    int64_t h = (n / 2 + 7) & ~(int64_t)7;
    return sumsq_f64_contig(x, h) + sumsq_f64_contig(x + h, n - h);
}
static double sumabs_f64_contig(const double *x, int64_t n) {
    if (n <= 1024) return sumabs_f64_block(x, n);
    int64_t h = (n / 2 + 7) & ~(int64_t)7;
    return sumabs_f64_contig(x, h) + sumabs_f64_contig(x + h, n - h);
}
#undef FOLD_S
#undef STEP_S

/* A[0..4) += s, widened to double. */
static inline void acc4(double *A, v4f s) {
    v2d a0 = ld2d(A) + (v2d){ s[0], s[1] }, a1 = ld2d(A + 2) + (v2d){ s[2], s[3] };
    memcpy(A, &a0, sizeof a0);
    memcpy(A + 2, &a1, sizeof a1);
}

/* Column sums of float32 rows: a chunk of rows at a time in float vector lanes (at most 32
 * adds per lane, so the accuracy holds), then widened into the double accumulators. */
static void sum_f32_row(const char *p, int64_t k, int64_t rs, int64_t m, void *accs, const RCtx *c) {
    (void)c;
    double *A = accs;
    int64_t chunk = m >= 64 ? 8 : 32;   /* narrow rows: longer chunks amortise the widening */
    for (int64_t r0 = 0; r0 < k; r0 += chunk) {
        int64_t kr = k - r0 < chunk ? k - r0 : chunk;
        const char *base = p + r0 * rs;
        int64_t j = 0;
        for (; j + 16 <= m; j += 16) {
            v4f s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
            for (int64_t r = 0; r < kr; r++) {
                const float *x = (const float *)(base + r * rs) + j;
                s0 += ld4f(x);
                s1 += ld4f(x + 4);
                s2 += ld4f(x + 8);
                s3 += ld4f(x + 12);
            }
            acc4(A + j, s0);
            acc4(A + j + 4, s1);
            acc4(A + j + 8, s2);
            acc4(A + j + 12, s3);
        }
        /* two column vectors times odd and even rows keep four chains going */
        for (; j + 8 <= m; j += 8) {
            v4f s0 = { 0 }, s1 = { 0 }, t0 = { 0 }, t1 = { 0 };
            int64_t r = 0;
            for (; r + 2 <= kr; r += 2) {
                const float *x = (const float *)(base + r * rs) + j;
                const float *y = (const float *)(base + (r + 1) * rs) + j;
                s0 += ld4f(x);
                s1 += ld4f(x + 4);
                t0 += ld4f(y);
                t1 += ld4f(y + 4);
            }
            if (r < kr) {
                const float *x = (const float *)(base + r * rs) + j;
                s0 += ld4f(x);
                s1 += ld4f(x + 4);
            }
            acc4(A + j, s0 + t0);
            acc4(A + j + 4, s1 + t1);
        }
        for (; j + 4 <= m; j += 4) {
            v4f s0 = { 0 };
            for (int64_t r = 0; r < kr; r++) s0 += ld4f((const float *)(base + r * rs) + j);
            acc4(A + j, s0);
        }
        for (; j < m; j++) {
            float s0 = 0;
            for (int64_t r = 0; r < kr; r++) s0 += ((const float *)(base + r * rs))[j];
            A[j] += s0;
        }
    }
}
#define sum_f64_row sumg_f64_row

/* Contiguous float max/min in vector lanes of the input type; a NaN lane stays NaN. */
#if defined(__SSE2__)
/* maxps/minps lanes (four chains) and an unordered-compare flag: a NaN anywhere gives NaN */
#define EXT_SSE(NAME, T, M, W, LOAD, OP, UNORD, OR, MASK, CMP)                                   \
    static T NAME(const T *x, int64_t n, T a) {                                                \
        int64_t i = 0;                                                                         \
        if (n >= 4 * W) {                                                                      \
            M m[4] = { LOAD(x), LOAD(x + W), LOAD(x + 2 * W), LOAD(x + 3 * W) };               \
            M nan = UNORD(m[0], m[0]);                                                         \
            for (int j = 1; j < 4; j++) nan = OR(nan, UNORD(m[j], m[j]));                      \
            for (i = 4 * W; i + 4 * W <= n; i += 4 * W)                                        \
                for (int j = 0; j < 4; j++) {                                                  \
                    M b = LOAD(x + i + j * W);                                                 \
                    nan = OR(nan, UNORD(b, b));                                                \
                    m[j] = OP(m[j], b);                                                        \
                }                                                                              \
            if (MASK(nan)) return (T)NAN;                                                      \
            T l[4 * W];                                                                        \
            memcpy(l, m, sizeof l);                                                            \
            for (int j = 0; j < 4 * W; j++)                                                    \
                if (l[j] CMP a || l[j] != l[j]) a = l[j];                                      \
        }                                                                                      \
        for (; i < n; i++) { T v = x[i]; if (v CMP a || v != v) a = v; }                       \
        return a;                                                                              \
    }
EXT_SSE(max_f32_contig, float, __m128, 4, _mm_loadu_ps, _mm_max_ps, _mm_cmpunord_ps, _mm_or_ps, _mm_movemask_ps, >)
EXT_SSE(min_f32_contig, float, __m128, 4, _mm_loadu_ps, _mm_min_ps, _mm_cmpunord_ps, _mm_or_ps, _mm_movemask_ps, <)
EXT_SSE(max_f64_contig, double, __m128d, 2, _mm_loadu_pd, _mm_max_pd, _mm_cmpunord_pd, _mm_or_pd, _mm_movemask_pd, >)
EXT_SSE(min_f64_contig, double, __m128d, 2, _mm_loadu_pd, _mm_min_pd, _mm_cmpunord_pd, _mm_or_pd, _mm_movemask_pd, <)
#define EXT_DONE 1
#endif
#define EXT_CONTIG(NAME, T, V, VI, W, LD, CMP)                                                 \
    static T NAME(const T *x, int64_t n, T a) {                                                \
        int64_t i = 0;                                                                         \
        if (n >= 4 * W) {                                                                      \
            V m[4] = { LD(x), LD(x + W), LD(x + 2 * W), LD(x + 3 * W) };                       \
            for (i = 4 * W; i + 4 * W <= n; i += 4 * W)                                        \
                for (int j = 0; j < 4; j++) {                                                  \
                    V b = LD(x + i + j * W);                                                   \
                    VI take = (b CMP m[j]) | (b != b);                                         \
                    m[j] = (V)(((VI)m[j] & ~take) | ((VI)b & take));                           \
                }                                                                              \
            for (int j = 0; j < 4; j++)                                                        \
                for (int l = 0; l < W; l++) {                                                  \
                    T v = m[j][l];                                                             \
                    if (v CMP a || v != v) a = v;                                              \
                }                                                                              \
        }                                                                                      \
        for (; i < n; i++) { T v = x[i]; if (v CMP a || v != v) a = v; }                       \
        return a;                                                                              \
    }
#else
static double sum_f32_contig(const float *x, int64_t n) {
    double total = 0;
    int64_t i = 0;
    for (; i + 128 <= n; i += 128) {
        float a[16] = { 0 };
        for (int k = 0; k < 128; k += 16)
            for (int j = 0; j < 16; j++) a[j] += x[i + k + j];
        for (int j = 0; j < 16; j++) total += a[j];
    }
    for (; i < n; i++) total += x[i];
    return total;
}

static double sum_f64_contig(const double *x, int64_t n) {
    double a[8] = { 0 };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) a[j] += x[i + j];
    double t = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; i < n; i++) t += x[i];
    return t;
}
static double prod_f32_contig(const float *x, int64_t n) {
    double a[4] = { 1, 1, 1, 1 };
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) a[j] *= x[i + j];
    for (; i < n; i++) a[0] *= x[i];
    return (a[0] * a[1]) * (a[2] * a[3]);
}
static double prod_f64_contig(const double *x, int64_t n) {
    double a[4] = { 1, 1, 1, 1 };
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) a[j] *= x[i + j];
    for (; i < n; i++) a[0] *= x[i];
    return (a[0] * a[1]) * (a[2] * a[3]);
}
#define SUMOF_FALLBACK(NAME, T, F)                                                             \
    static double NAME(const T *x, int64_t n) {                                                \
        double a[4] = { 0, 0, 0, 0 };                                                          \
        int64_t i = 0;                                                                         \
        for (; i + 4 <= n; i += 4)                                                             \
            for (int j = 0; j < 4; j++) { double v = (double)x[i + j]; a[j] += F; }            \
        for (; i < n; i++) { double v = (double)x[i]; a[0] += F; }                             \
        return (a[0] + a[1]) + (a[2] + a[3]);                                                  \
    }
SUMOF_FALLBACK(sumsq_f32_contig, float, v * v)
SUMOF_FALLBACK(sumsq_f64_contig, double, v * v)
SUMOF_FALLBACK(sumabs_f32_contig, float, fabs(v))
SUMOF_FALLBACK(sumabs_f64_contig, double, fabs(v))
RED_ROW(sumg_f32, float, double, a += v)
#define sum_f32_row sumg_f32_row
#define sum_f64_row sumg_f64_row
#define EXT_CONTIG(NAME, T, V, VI, W, LD, CMP)                                                 \
    static T NAME(const T *x, int64_t n, T a) {                                                \
        for (int64_t i = 0; i < n; i++) { T v = x[i]; if (v CMP a || v != v) a = v; }          \
        return a;                                                                              \
    }
#endif
#ifndef EXT_DONE
EXT_CONTIG(max_f32_contig, float, v4f, v4i, 4, ld4f, >)
EXT_CONTIG(min_f32_contig, float, v4f, v4i, 4, ld4f, <)
EXT_CONTIG(max_f64_contig, double, v2d, v2l, 2, ld2d, >)
EXT_CONTIG(min_f64_contig, double, v2d, v2l, 2, ld2d, <)
#endif

static void sum_f32_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(float)) *(double *)acc += sum_f32_contig((const float *)p, n);
    else sumg_f32_run(p, n, st, acc, c);
}
static void sum_f64_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(double)) *(double *)acc += sum_f64_contig((const double *)p, n);
    else sumg_f64_run(p, n, st, acc, c);
}

/* prod: integers wrap around as in PyTorch (unsigned multiply keeps that defined); contiguous
 * float runs take the vector kernels */
RED_FLOATS(prodg, double, a *= v)
#define CONTIG_RUN(OP, T, SFX, COMBINE)                                                        \
    static void OP##_##SFX##_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) { \
        if (st == (int64_t)sizeof(T)) {                                                        \
            double *a = acc;                                                                   \
            double v = OP##_##SFX##_contig((const T *)p, n);                                   \
            *a = COMBINE;                                                                      \
        } else OP##g_##SFX##_run(p, n, st, acc, c);                                            \
    }
CONTIG_RUN(prod, float, f32, *a * v) CONTIG_RUN(prod, double, f64, *a * v)
#define prod_f32_row prodg_f32_row
#define prod_f64_row prodg_f64_row
RED_INTS(prod, a = (int64_t)((uint64_t)a * (uint64_t)(int64_t)v))

/* max / min: a NaN wins and stays */
RED_FLOATS(maxg, double, if (v > a || v != v) a = v)
RED_FLOATS(ming, double, if (v < a || v != v) a = v)
#define EXT_RUN(OP, T, SFX)                                                                    \
    static void OP##_##SFX##_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) { \
        if (st == (int64_t)sizeof(T))                                                           \
            *(double *)acc = OP##_##SFX##_contig((const T *)p, n, (T) * (double *)acc);        \
        else OP##g_##SFX##_run(p, n, st, acc, c);                                              \
    }
EXT_RUN(max, float, f32) EXT_RUN(max, double, f64) EXT_RUN(min, float, f32) EXT_RUN(min, double, f64)
#define max_f32_row maxg_f32_row
#define max_f64_row maxg_f64_row
#define min_f32_row ming_f32_row
#define min_f64_row ming_f64_row
RED_INTS(max, if (v > a) a = v)
RED_INTS(min, if (v < a) a = v)

/* any / all: integer accumulators for every input dtype (NaN counts as true) */
RED_FNS(any_f32, float, int64_t, a |= (v != 0)) RED_FNS(any_f64, double, int64_t, a |= (v != 0))
RED_INTS(any, a |= (v != 0))
RED_FNS(all_f32, float, int64_t, a &= (v != 0)) RED_FNS(all_f64, double, int64_t, a &= (v != 0))
RED_INTS(all, a &= (v != 0))

/* vector norms (floating inputs only) */
RED_FLOATS(norm1g, double, a += fabs((double)v))
RED_FLOATS(norm2g, double, a += (double)v * (double)v)
static void norm1_f32_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(float)) *(double *)acc += sumabs_f32_contig((const float *)p, n);
    else norm1g_f32_run(p, n, st, acc, c);
}
static void norm1_f64_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(double)) *(double *)acc += sumabs_f64_contig((const double *)p, n);
    else norm1g_f64_run(p, n, st, acc, c);
}
static void norm2_f32_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(float)) *(double *)acc += sumsq_f32_contig((const float *)p, n);
    else norm2g_f32_run(p, n, st, acc, c);
}
static void norm2_f64_run(const char *p, int64_t n, int64_t st, void *acc, const RCtx *c) {
    if (st == (int64_t)sizeof(double)) *(double *)acc += sumsq_f64_contig((const double *)p, n);
    else norm2g_f64_run(p, n, st, acc, c);
}
#define norm1_f32_row norm1g_f32_row
#define norm1_f64_row norm1g_f64_row
#define norm2_f32_row norm2g_f32_row
#define norm2_f64_row norm2g_f64_row
RED_FLOATS(norm0, double, a += (v != 0))
RED_FLOATS(normp, double, a += pow(fabs((double)v), c->p))
RED_FLOATS(norminf, double, { double w = fabs((double)v); if (w > a || w != w) a = w; })
RED_FLOATS(normninf, double, { double w = fabs((double)v); if (w < a || w != w) a = w; })

/* second passes of var and logsumexp */
RED_RUN(sqdev_f32, float, double, { double w = (double)v - c->shift; a += w * w; })
RED_RUN(sqdev_f64, double, double, { double w = v - c->shift; a += w * w; })
RED_RUN(sumexp_f32, float, double, a += exp((double)v - c->shift))
RED_RUN(sumexp_f64, double, double, a += exp(v - c->shift))

/* ================= simple reductions ================= */

typedef union Acc { double d; int64_t i; } Acc;

typedef struct SimpleOp {
    RunFn run[PTS_DTYPE_SLOTS];
    RowFn row[PTS_DTYPE_SLOTS];
    double init_d;                 /* identity of float accumulators */
    int64_t init_i;                /* identity of integer accumulators */
    bool int_acc;                  /* integer accumulator whatever the input (any, all) */
    double (*fin)(double a, int64_t n, const RCtx *c);  /* float results: a -> value */
} SimpleOp;

static double fin_mean(double a, int64_t n, const RCtx *c) { (void)c; return a / (double)n; }
static double fin_sqrt(double a, int64_t n, const RCtx *c) { (void)n; (void)c; return sqrt(a); }
static double fin_root(double a, int64_t n, const RCtx *c) { (void)n; return pow(a, 1.0 / c->p); }

#define ALL_TBL(OP) { TBL_F(OP, run), TBL_I(OP, run) }, { TBL_F(OP, row), TBL_I(OP, row) }
#define F_TBL(OP) { TBL_F(OP, run) }, { TBL_F(OP, row) }

static const SimpleOp op_sum = { ALL_TBL(sum), 0.0, 0, false, NULL };
static const SimpleOp op_mean = { ALL_TBL(sum), 0.0, 0, false, fin_mean };
static const SimpleOp op_prod = { ALL_TBL(prod), 1.0, 1, false, NULL };
static const SimpleOp op_max = { ALL_TBL(max), -INFINITY, INT64_MIN, false, NULL };
static const SimpleOp op_min = { ALL_TBL(min), INFINITY, INT64_MAX, false, NULL };
static const SimpleOp op_any = { ALL_TBL(any), 0.0, 0, true, NULL };
static const SimpleOp op_all = { ALL_TBL(all), 0.0, 1, true, NULL };
static const SimpleOp op_norm1 = { F_TBL(norm1), 0.0, 0, false, NULL };
static const SimpleOp op_norm2 = { F_TBL(norm2), 0.0, 0, false, fin_sqrt };
static const SimpleOp op_norm0 = { F_TBL(norm0), 0.0, 0, false, NULL };
static const SimpleOp op_normp = { F_TBL(normp), 0.0, 0, false, fin_root };
static const SimpleOp op_norminf = { F_TBL(norminf), 0.0, 0, false, NULL };
static const SimpleOp op_normninf = { F_TBL(normninf), INFINITY, 0, false, NULL };

/* Fold every reduced element of the result whose reduced block starts at base. */
static void fold_reduced(const Plan *P, const char *base, RunFn run, void *acc, const RCtx *c) {
    if (P->rn == 0) return;
    int last = P->nr - 1;
    if (last < 0) {
        run(base, 1, 0, acc, c);
        return;
    }
    int64_t idx[PTS_MAX_DIMS];
    for (int d = 0; d < last; d++) idx[d] = 0;
    const char *q = base;
    do run(q, P->rshape[last], P->rst[last], acc, c);
    while (odo_next(last, P->rshape, P->rst, idx, &q));
}

static inline void store_acc(const SimpleOp *op, bool fl, Acc a, int64_t n, const RCtx *c,
                             PtsDType dt, char *dst) {
    if (!fl) {
        if (dt == PTS_INT64) *(int64_t *)dst = a.i;
        else pts_store_i64(dt, dst, a.i);
        return;
    }
    double v = op->fin ? op->fin(a.d, n, c) : a.d;
    if (dt == PTS_FLOAT32) *(float *)dst = (float)v;
    else if (dt == PTS_FLOAT64) *(double *)dst = v;
    else pts_store_f64(dt, dst, v);
}

#define OUTER_BLOCK 256   /* results folded together by the outer driver (stack accumulators) */

/* Reduce t (a dtype the op reads; see prepare) over mask into a new tensor of dtype out_dt. */
static PtsStatus simple_reduce(const SimpleOp *op, const PtsTensor *t, uint32_t mask, bool keepdim,
                               PtsDType out_dt, const RCtx *c, PtsError *err, PtsTensor **res) {
    *res = NULL;
    RunFn run = op->run[t->dtype];
    RowFn row = op->row[t->dtype];
    if (!run)
        return pts_fail(err, PTS_ERR_RUNTIME, "reduction not implemented for '%s'", st_name(t->dtype));
    Plan P;
    plan_make(t, mask, keepdim, &P);
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(out_dt, P.out_ndim, P.out_shape, err, &r));
    *res = r;
    if (P.kn == 0) return PTS_OK;
    bool fl = !op->int_acc && pts_dtype_is_float(t->dtype);
    Acc init;
    if (fl) init.d = op->init_d;
    else init.i = op->init_i;
    char *dst = pts_tensor_data(r);
    size_t osz = pts_dtype_size(out_dt);
    int64_t idx[PTS_MAX_DIMS] = { 0 };
    const char *q = P.base;
    /* outer driver: the kept innermost loop is contiguous and the reduced one is not, so fold
     * whole rows into a block of accumulators (vectorises, reads memory in order) */
    if (row && P.nk > 0 && P.nr > 0 && P.kst[P.nk - 1] == P.isz && P.rst[P.nr - 1] != P.isz &&
        P.kshape[P.nk - 1] >= 2) {
        int64_t m = P.kshape[P.nk - 1], o = 0;
        Acc accs[OUTER_BLOCK];
        do {
            for (int64_t j0 = 0; j0 < m; j0 += OUTER_BLOCK) {
                int64_t mb = m - j0 < OUTER_BLOCK ? m - j0 : OUTER_BLOCK;
                for (int64_t j = 0; j < mb; j++) accs[j] = init;
                if (P.rn > 0) {
                    int last = P.nr - 1;
                    int64_t ridx[PTS_MAX_DIMS] = { 0 };
                    const char *rq = q + j0 * P.isz;
                    do row(rq, P.rshape[last], P.rst[last], mb, accs, c);
                    while (odo_next(last, P.rshape, P.rst, ridx, &rq));
                }
                for (int64_t j = 0; j < mb; j++)
                    store_acc(op, fl, accs[j], P.rn, c, out_dt, dst + (size_t)(o + j0 + j) * osz);
            }
            o += m;
        } while (odo_next(P.nk - 1, P.kshape, P.kst, idx, &q));
        return PTS_OK;
    }
    /* inner driver: one accumulator per result */
    int64_t o = 0;
    if (P.nr <= 1) {   /* one reduced run per result: skip the reduced odometer */
        int64_t n = P.rn, st = P.nr ? P.rst[0] : 0;
        void *ap;
        do {
            Acc a = init;
            ap = fl ? (void *)&a.d : (void *)&a.i;
            if (n) run(q, n, st, ap, c);
            store_acc(op, fl, a, n, c, out_dt, dst + (size_t)o * osz);
            o++;
        } while (odo_next(P.nk, P.kshape, P.kst, idx, &q));
        return PTS_OK;
    }
    do {
        Acc a = init;
        fold_reduced(&P, q, run, fl ? (void *)&a.d : (void *)&a.i, c);
        store_acc(op, fl, a, P.rn, c, out_dt, dst + (size_t)o * osz);
        o++;
    } while (odo_next(P.nk, P.kshape, P.kst, idx, &q));
    return PTS_OK;
}

/* max/amax/argmax have no identity: an empty reduction is an error, worded as PyTorch words it.
 * `all` is true when no dim was named (then PyTorch complains about the whole input). */
static PtsStatus check_nonempty(const char *name, const PtsTensor *t, uint32_t mask, bool all,
                                PtsStatus all_code, const char *all_tail, PtsError *err) {
    if (all) {
        if (pts_numel(t) == 0)
            return pts_fail(err, all_code,
                            "%s(): Expected reduction dim to be specified for input.numel() == 0.%s",
                            name, all_tail);
        return PTS_OK;
    }
    for (int d = 0; d < t->ndim; d++)
        if ((mask >> d & 1u) && t->shape[d] == 0)
            return pts_fail(err, PTS_ERR_INDEX,
                            "%s(): Expected reduction dim %d to have non-zero size.", name, d);
    return PTS_OK;
}

static const char *SPECIFY_DIM = " Specify the reduction dim with the 'dim' argument.";

/* ================= sum, mean, prod ================= */

/* Result dtype of sum/prod/cumsum: dtype= if given, else integers and bool widen to int64. */
static PtsDType widened(PtsDType d, PtsDType want) {
    if (want != PTS_DTYPE_INVALID) return want;
    return is_intlike(d) ? PTS_INT64 : d;
}

static PtsStatus out_dtype_matches(PtsDType want, const PtsTensor *out, PtsError *err) {
    if (want != PTS_DTYPE_INVALID && out && want != out->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME, "Expected out tensor to have dtype %s, but got %s instead",
                        pts_dtype_name(want), pts_dtype_name(out->dtype));
    return PTS_OK;
}

/* sum and prod: dims (None/[] = all), dtype= (the input is cast first), optional out=. */
static PtsStatus sumprod_impl(const SimpleOp *op, PtsTensor *self, PtsValue dimv, bool keepdim,
                              PtsValue dtypev, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsDType want = opt_dtype(dtypev);
    PTS_TRY(out_dtype_matches(want, out, err));
    if (out && want == PTS_DTYPE_INVALID) want = out->dtype;   /* PyTorch sums in out's dtype */
    PtsDType rd = widened(self->dtype, want);
    uint32_t mask;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, NULL, err));
    /* integer inputs are read in their own type; only a float->int or narrowing cast must
     * happen before the fold */
    bool cast = rd != self->dtype && !(rd == PTS_INT64 && is_intlike(self->dtype));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, cast ? rd : PTS_DTYPE_INVALID, err, &t));
    RCtx c = { 0, 0 };
    PtsStatus s = simple_reduce(op, t, mask, keepdim, rd, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

PtsStatus k_SUM(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_sum, a[0].u.t, pts_none(), false, a[1], NULL, err, out);
}
PtsStatus k_SUM_DIM_INTLIST(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_sum, a[0].u.t, a[1], a[2].u.b, a[3], NULL, err, out);
}
PtsStatus k_SUM_INTLIST_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_sum, a[0].u.t, a[1], a[2].u.b, a[3], a[4].u.t, err, out);
}
PtsStatus k_PROD(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_prod, a[0].u.t, pts_none(), false, a[1], NULL, err, out);
}
PtsStatus k_PROD_DIM_INT(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_prod, a[0].u.t, a[1], a[2].u.b, a[3], NULL, err, out);
}
PtsStatus k_PROD_INT_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return sumprod_impl(&op_prod, a[0].u.t, a[1], a[2].u.b, a[3], a[4].u.t, err, out);
}

static PtsStatus mean_impl(PtsTensor *self, PtsValue dimv, bool keepdim, PtsValue dtypev,
                           PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsDType want = opt_dtype(dtypev);
    if (want != PTS_DTYPE_INVALID && !pts_dtype_is_float(want))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "mean(): could not infer output dtype. Optional dtype must be either a "
                        "floating point or complex dtype. Got: %s", st_name(want));
    if (want == PTS_DTYPE_INVALID && !pts_dtype_is_float(self->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "mean(): could not infer output dtype. Input dtype must be either a "
                        "floating point or complex dtype. Got: %s", st_name(self->dtype));
    PtsDType rd = want != PTS_DTYPE_INVALID ? want : self->dtype;
    uint32_t mask;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, NULL, err));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, rd, err, &t));
    RCtx c = { 0, 0 };
    PtsStatus s = simple_reduce(&op_mean, t, mask, keepdim, rd, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

PtsStatus k_MEAN(PtsValue *a, PtsValue *out, PtsError *err) {
    return mean_impl(a[0].u.t, pts_none(), false, a[1], NULL, err, out);
}
PtsStatus k_MEAN_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    return mean_impl(a[0].u.t, a[1], a[2].u.b, a[3], NULL, err, out);
}
PtsStatus k_MEAN_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return mean_impl(a[0].u.t, a[1], a[2].u.b, a[3], a[4].u.t, err, out);
}
PtsStatus k_MEAN_DTYPE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return mean_impl(a[0].u.t, pts_none(), false, a[1], a[2].u.t, err, out);
}

/* ================= max, min, amax, amin ================= */

/* Whole-tensor max/min: a 0-dim result of self's dtype. */
static PtsStatus extreme_all(bool is_max, PtsTensor *self, PtsTensor *out, PtsError *err,
                             PtsValue *res) {
    const char *name = is_max ? "max" : "min";
    PTS_TRY(check_nonempty(name, self, 0, true, PTS_ERR_RUNTIME, SPECIFY_DIM, err));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &t));
    RCtx c = { 0, 0 };
    uint32_t all = (uint32_t)((1u << self->ndim) - 1u);
    PtsStatus s = simple_reduce(is_max ? &op_max : &op_min, t, all, false, self->dtype, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

PtsStatus k_MAX(PtsValue *a, PtsValue *out, PtsError *err) { return extreme_all(true, a[0].u.t, NULL, err, out); }
PtsStatus k_MIN(PtsValue *a, PtsValue *out, PtsError *err) { return extreme_all(false, a[0].u.t, NULL, err, out); }
PtsStatus k_MAX_UNARY_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return extreme_all(true, a[0].u.t, a[1].u.t, err, out);
}
PtsStatus k_MIN_UNARY_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return extreme_all(false, a[0].u.t, a[1].u.t, err, out);
}

static PtsStatus amaxmin_impl(bool is_max, PtsTensor *self, PtsValue dimv, bool keepdim,
                              PtsTensor *out, PtsError *err, PtsValue *res) {
    const char *name = is_max ? "amax" : "amin";
    if (out && out->dtype != self->dtype)
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "Expected the dtype for input and out to match, but got %s for input's dtype "
                        "and %s for out's dtype.", st_name(self->dtype), st_name(out->dtype));
    uint32_t mask;
    bool listed;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, &listed, err));
    PTS_TRY(check_nonempty(name, self, mask, !listed, PTS_ERR_RUNTIME, SPECIFY_DIM, err));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &t));
    RCtx c = { 0, 0 };
    PtsStatus s = simple_reduce(is_max ? &op_max : &op_min, t, mask, keepdim, self->dtype, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

/* amax/amin, argmax/argmin with their out= rows: (self, dim, keepdim[, out]) */
#define KEEPDIM_PAIR(ID, IS_MAX, impl)                                               \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return impl(IS_MAX, a[0].u.t, a[1], a[2].u.b, NULL, err, out);               \
    }                                                                                \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {              \
        return impl(IS_MAX, a[0].u.t, a[1], a[2].u.b, a[3].u.t, err, out);           \
    }
KEEPDIM_PAIR(AMAX, true, amaxmin_impl)
KEEPDIM_PAIR(AMIN, false, amaxmin_impl)

/* max.other / min.other: elementwise with promotion and broadcasting; a NaN on either side
 * wins, as in torch.maximum. */
PTS_BIN_F(maximum, (x != x) ? x : (y != y) ? y : (x > y ? x : y))
PTS_BIN_I(maximum, x > y ? x : y)
PTS_BIN_B(maximum, x || y)
static const PtsPwOp op_maximum = { "maximum", 0, { PTS_T_F(maximum), PTS_T_I(maximum), PTS_T_B(maximum) } };
PTS_BIN_F(minimum, (x != x) ? x : (y != y) ? y : (x < y ? x : y))
PTS_BIN_I(minimum, x < y ? x : y)
PTS_BIN_B(minimum, x && y)
static const PtsPwOp op_minimum = { "minimum", 0, { PTS_T_F(minimum), PTS_T_I(minimum), PTS_T_B(minimum) } };

PtsStatus k_MAX_OTHER(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_binary_v(&op_maximum, a[0], a[1], NULL, NULL, err, out);
}
PtsStatus k_MAX_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_binary_v(&op_maximum, a[0], a[1], a[2].u.t, NULL, err, out);
}
PtsStatus k_MIN_OTHER(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_binary_v(&op_minimum, a[0], a[1], NULL, NULL, err, out);
}
PtsStatus k_MIN_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return pts_binary_v(&op_minimum, a[0], a[1], a[2].u.t, NULL, err, out);
}

/* ================= argmax, argmin, max.dim, min.dim ================= */

/* Index of the first extreme of n elements at p (byte stride st); the first NaN wins. */
typedef int64_t (*ArgFn)(const char *p, int64_t n, int64_t st);
#define ARG_FN(NAME, T, BETTER)                                                                \
    static int64_t NAME(const char *p, int64_t n, int64_t st) {                                \
        T b = *(const T *)p;                                                                   \
        int64_t bi = 0;                                                                        \
        for (int64_t i = 1; i < n; i++) {                                                      \
            T v = *(const T *)(p + i * st);                                                    \
            if (BETTER) { b = v; bi = i; }                                                     \
        }                                                                                      \
        return bi;                                                                             \
    }
#define ARG_ALL(OP, CMPF, CMPI)                                                                \
    ARG_FN(OP##_f32, float, CMPF) ARG_FN(OP##_f64, double, CMPF)                               \
    ARG_FN(OP##_i64, int64_t, CMPI) ARG_FN(OP##_i32, int32_t, CMPI)                            \
    ARG_FN(OP##_i16, int16_t, CMPI) ARG_FN(OP##_i8, int8_t, CMPI)                              \
    ARG_FN(OP##_u8, uint8_t, CMPI) ARG_FN(OP##_b, uint8_t, CMPI)
ARG_ALL(argmax, b == b && (v > b || v != v), v > b)
ARG_ALL(argmin, b == b && (v < b || v != v), v < b)
#define ARG_TBL(OP) { [PTS_FLOAT32] = OP##_f32, [PTS_FLOAT64] = OP##_f64, [PTS_INT64] = OP##_i64, \
    [PTS_INT32] = OP##_i32, [PTS_INT16] = OP##_i16, [PTS_INT8] = OP##_i8, [PTS_UINT8] = OP##_u8, \
    [PTS_BOOL] = OP##_b }
static const ArgFn argmax_fns[PTS_DTYPE_SLOTS] = ARG_TBL(argmax);
static const ArgFn argmin_fns[PTS_DTYPE_SLOTS] = ARG_TBL(argmin);

/* Indices (int64) of the extremes along dim (None: over the flattened tensor), and when vals
 * is non-NULL the extremes themselves (self's dtype). */
static PtsStatus arg_reduce(bool is_max, PtsTensor *self, PtsValue dimv, bool keepdim,
                            PtsTensor **vals, PtsTensor **idxs, PtsError *err) {
    *idxs = NULL;
    if (vals) *vals = NULL;
    PtsTensor *t = NULL, *vr = NULL, *ir = NULL;
    PtsStatus s = PTS_OK;
    Plan P;
    if (dimv.tag == PTS_V_NONE) {
        /* flattened order is row-major order, so read a contiguous copy as one run */
        PtsTensor *u;
        PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &u));
        s = pts_tensor_contiguous(u, err, &t);
        pts_tensor_release(u);
        if (s) return s;
        int64_t n = pts_numel(t);
        P.isz = (int64_t)pts_dtype_size(t->dtype);
        P.base = pts_tensor_data(t);
        P.out_ndim = keepdim ? self->ndim : 0;
        for (int i = 0; i < P.out_ndim; i++) P.out_shape[i] = 1;
        P.nk = 0;
        P.kn = 1;
        P.rn = n;
        P.nr = n > 1 ? 1 : 0;
        P.rshape[0] = n;
        P.rst[0] = P.isz;
    } else {
        int d;
        PTS_TRY(pts_wrap_dim(dimv.u.i, self->ndim, err, &d));
        PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &t));
        plan_make(t, self->ndim ? 1u << d : 0u, keepdim, &P);
    }
    ArgFn fn = (is_max ? argmax_fns : argmin_fns)[t->dtype];
    if ((s = pts_tensor_new(PTS_INT64, P.out_ndim, P.out_shape, err, &ir))) goto fail;
    if (vals && (s = pts_tensor_new(self->dtype, P.out_ndim, P.out_shape, err, &vr))) goto fail;
    if (P.kn > 0) {
        int64_t *id = (int64_t *)pts_tensor_data(ir);
        char *vd = vr ? pts_tensor_data(vr) : NULL;
        size_t vsz = pts_dtype_size(self->dtype);
        bool same = t->dtype == self->dtype, fl = pts_dtype_is_float(t->dtype);
        int64_t n = P.rn, st = P.nr ? P.rst[0] : 0;
        int64_t kidx[PTS_MAX_DIMS] = { 0 };
        const char *q = P.base;
        int64_t o = 0;
        do {
            int64_t bi = fn(q, n, st);
            id[o] = bi;
            if (vd) {
                const char *src = q + bi * st;
                char *dst = vd + (size_t)o * vsz;
                if (same) memcpy(dst, src, vsz);
                else if (fl) pts_store_f64(self->dtype, dst, pts_load_f64(t->dtype, src));
                else pts_store_i64(self->dtype, dst, pts_load_i64(t->dtype, src));
            }
            o++;
        } while (odo_next(P.nk, P.kshape, P.kst, kidx, &q));
    }
    pts_tensor_release(t);
    *idxs = ir;
    if (vals) *vals = vr;
    return PTS_OK;
fail:
    pts_tensor_release(t);
    pts_tensor_release(vr);
    pts_tensor_release(ir);
    return s;
}

static PtsStatus argmaxmin_impl(bool is_max, PtsTensor *self, PtsValue dimv, bool keepdim,
                                PtsTensor *out, PtsError *err, PtsValue *res) {
    const char *name = is_max ? "argmax" : "argmin";
    if (self->dtype == PTS_BOOL)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s(): does not support bool input", name);
    if (out && out->dtype != PTS_INT64)
        return pts_fail(err, PTS_ERR_RUNTIME, "Expected out tensor to have dtype long int, but got %s instead",
                        pts_dtype_name(out->dtype));
    if (dimv.tag == PTS_V_NONE) {
        PTS_TRY(check_nonempty(name, self, 0, true, PTS_ERR_INDEX, "", err));
    } else {
        int d;
        PTS_TRY(pts_wrap_dim(dimv.u.i, self->ndim, err, &d));
        if (self->ndim) PTS_TRY(check_nonempty(name, self, 1u << d, false, PTS_ERR_INDEX, "", err));
    }
    PtsTensor *r;
    PTS_TRY(arg_reduce(is_max, self, dimv, keepdim, NULL, &r, err));
    return finish(r, out, err, res);
}

KEEPDIM_PAIR(ARGMAX, true, argmaxmin_impl)
KEEPDIM_PAIR(ARGMIN, false, argmaxmin_impl)

/* max.dim / min.dim: (values, indices) */
static PtsStatus extreme_dim(bool is_max, PtsValue *a, PtsValue *out, PtsError *err) {
    PtsTensor *self = a[0].u.t;
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    if (self->ndim)
        PTS_TRY(check_nonempty(is_max ? "max" : "min", self, 1u << d, false, PTS_ERR_INDEX, "", err));
    PtsTensor *v, *i;
    PTS_TRY(arg_reduce(is_max, self, a[1], a[2].u.b, &v, &i, err));
    out[0] = pts_vtensor(v);
    out[1] = pts_vtensor(i);
    return PTS_OK;
}

PtsStatus k_MAX_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return extreme_dim(true, a, out, err); }
PtsStatus k_MIN_DIM(PtsValue *a, PtsValue *out, PtsError *err) { return extreme_dim(false, a, out, err); }

/* ================= std, var ================= */

/* Two passes per result in double: the mean, then the squared deviations from it (stable where
 * the one-pass formula cancels). divisor = max(N - correction, 0), as PyTorch. */
static PtsStatus var_impl(bool take_sqrt, PtsTensor *self, PtsValue dimv, double correction,
                          bool keepdim, PtsTensor *out, PtsError *err, PtsValue *res) {
    if (!pts_dtype_is_float(self->dtype))
        return pts_fail(err, PTS_ERR_RUNTIME, "std and var only support floating point and complex dtypes");
    uint32_t mask;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, NULL, err));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &t));
    Plan P;
    plan_make(t, mask, keepdim, &P);
    PtsStatus s = pts_tensor_new(self->dtype, P.out_ndim, P.out_shape, err, &r);
    if (s) {
        pts_tensor_release(t);
        return s;
    }
    RunFn sum = op_sum.run[t->dtype], dev = t->dtype == PTS_FLOAT32 ? sqdev_f32_run : sqdev_f64_run;
    char *dst = pts_tensor_data(r);
    size_t osz = pts_dtype_size(self->dtype);
    double n = (double)P.rn, div = n - correction > 0 ? n - correction : 0;
    if (P.kn > 0) {
        int64_t idx[PTS_MAX_DIMS] = { 0 };
        const char *q = P.base;
        int64_t o = 0;
        do {
            RCtx c = { 0, 0 };
            double sum_v = 0, ss = 0;
            fold_reduced(&P, q, sum, &sum_v, &c);
            c.shift = sum_v / n;
            fold_reduced(&P, q, dev, &ss, &c);
            double v = ss / div;
            pts_store_f64(self->dtype, dst + (size_t)o * osz, take_sqrt ? sqrt(v) : v);
            o++;
        } while (odo_next(P.nk, P.kshape, P.kst, idx, &q));
    }
    pts_tensor_release(t);
    return finish(r, out, err, res);
}

static double correction_of(PtsValue v) { return v.tag == PTS_V_NONE ? 1.0 : pts_value_to_f64(v); }

#define VAR_KERNELS(ID, SQRT)                                                                  \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return var_impl(SQRT, a[0].u.t, pts_none(), a[1].u.b ? 1 : 0, false, NULL, err, out);  \
    }                                                                                          \
    PtsStatus k_##ID##_DIM(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return var_impl(SQRT, a[0].u.t, a[1], a[2].u.b ? 1 : 0, a[3].u.b, NULL, err, out);     \
    }                                                                                          \
    PtsStatus k_##ID##_CORRECTION(PtsValue *a, PtsValue *out, PtsError *err) {                 \
        return var_impl(SQRT, a[0].u.t, a[1], correction_of(a[2]), a[3].u.b, NULL, err, out);  \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return var_impl(SQRT, a[0].u.t, a[1], a[2].u.b ? 1 : 0, a[3].u.b, a[4].u.t, err, out); \
    }                                                                                          \
    PtsStatus k_##ID##_CORRECTION_OUT(PtsValue *a, PtsValue *out, PtsError *err) {             \
        return var_impl(SQRT, a[0].u.t, a[1], correction_of(a[2]), a[3].u.b, a[4].u.t, err, out); \
    }
VAR_KERNELS(STD, true)
VAR_KERNELS(VAR, false)

/* ================= norm ================= */

static PtsStatus norm_impl(PtsTensor *self, PtsValue pv, PtsValue dimv, bool keepdim,
                           PtsValue dtypev, PtsTensor *out, PtsError *err, PtsValue *res) {
    PtsDType want = opt_dtype(dtypev);
    if (want != PTS_DTYPE_INVALID) {
        if (!pts_dtype_is_float(want))
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "norm(): the desired output dtype should be either floating point or "
                            "complex. Got %s instead.", st_name(want));
        if (!pts_dtype_is_float(self->dtype))
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "linalg.vector_norm: Expected a floating point or complex tensor as "
                            "input. Got %s", st_name(self->dtype));
        if (pts_promote_types(self->dtype, want) != want)
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "linalg.vector_norm: the dtype of the input (%s) should be convertible "
                            "without narrowing to the specified dtype (%s)",
                            st_name(self->dtype), st_name(want));
    } else if (!pts_dtype_is_float(self->dtype)) {
        return pts_fail(err, PTS_ERR_RUNTIME,
                        "norm(): input dtype should be either floating point or complex. Got %s instead.",
                        st_name(self->dtype));
    }
    PtsDType rd = want != PTS_DTYPE_INVALID ? want : self->dtype;
    double p = pv.tag == PTS_V_NONE ? 2.0 : pts_value_to_f64(pv);
    uint32_t mask;
    bool listed;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, &listed, err));
    if (isinf(p)) {
        /* max/min of |x| have no identity */
        if (!listed && pts_numel(self) == 0)
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "linalg.vector_norm cannot compute the %s norm on an empty tensor because "
                            "the operation does not have an identity", p > 0 ? "inf" : "-inf");
        for (int d = 0; listed && d < self->ndim; d++)
            if ((mask >> d & 1u) && self->shape[d] == 0)
                return pts_fail(err, PTS_ERR_RUNTIME,
                                "linalg.vector_norm cannot compute the %s norm on the dimension %d"
                                "because this dimension is empty and the operation does not have an "
                                "identity", p > 0 ? "inf" : "-inf", d);
    }
    const SimpleOp *op = p == 2 ? &op_norm2 : p == 1 ? &op_norm1 : p == 0 ? &op_norm0
                       : isinf(p) ? (p > 0 ? &op_norminf : &op_normninf) : &op_normp;
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, rd, err, &t));
    RCtx c = { p, 0 };
    PtsStatus s = simple_reduce(op, t, mask, keepdim, rd, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

PtsStatus k_NORM_SCALAR(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], pts_none(), false, pts_none(), NULL, err, out);
}
PtsStatus k_NORM_SCALAROPT_DIM(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], a[2], a[3].u.b, pts_none(), NULL, err, out);
}
PtsStatus k_NORM_SCALAROPT_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], pts_none(), false, a[2], NULL, err, out);
}
PtsStatus k_NORM_SCALAROPT_DIM_DTYPE(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], a[2], a[3].u.b, a[4], NULL, err, out);
}
PtsStatus k_NORM_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], a[2], a[3].u.b, pts_none(), a[4].u.t, err, out);
}
PtsStatus k_NORM_DTYPE_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return norm_impl(a[0].u.t, a[1], a[2], a[3].u.b, a[4], a[5].u.t, err, out);
}

/* ================= logsumexp ================= */

/* log(sum(exp(x - m))) + m with m the max, replaced by 0 when infinite (all -inf gives -inf,
 * a +inf gives +inf). Integer inputs give the default float dtype. */
static PtsStatus logsumexp_impl(PtsTensor *self, PtsValue dimv, bool keepdim, PtsTensor *out,
                                PtsError *err, PtsValue *res) {
    PtsDType rd = pts_dtype_is_float(self->dtype) ? self->dtype : pts_default_dtype();
    uint32_t mask;
    bool listed;
    PTS_TRY(dim_mask(dimv, self->ndim, true, &mask, &listed, err));
    if (!listed && self->ndim > 0 && !keepdim) {
        /* PyTorch reduces everything but then fails writing the [1, ...] result */
        char b[256];
        int64_t ones[PTS_MAX_DIMS];
        for (int i = 0; i < self->ndim; i++) ones[i] = 1;
        return pts_fail(err, PTS_ERR_RUNTIME, "output with shape [] doesn't match the broadcast shape %s",
                        pts_shape_str(self->ndim, ones, b, sizeof b));
    }
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, rd, err, &t));
    Plan P;
    plan_make(t, mask, keepdim, &P);
    PtsStatus s = pts_tensor_new(rd, P.out_ndim, P.out_shape, err, &r);
    if (s) {
        pts_tensor_release(t);
        return s;
    }
    RunFn mx = op_max.run[t->dtype], se = t->dtype == PTS_FLOAT32 ? sumexp_f32_run : sumexp_f64_run;
    char *dst = pts_tensor_data(r);
    size_t osz = pts_dtype_size(rd);
    if (P.kn > 0) {
        int64_t idx[PTS_MAX_DIMS] = { 0 };
        const char *q = P.base;
        int64_t o = 0;
        do {
            RCtx c = { 0, 0 };
            double m = -INFINITY, sum_v = 0;
            fold_reduced(&P, q, mx, &m, &c);
            c.shift = isinf(m) ? 0 : m;
            fold_reduced(&P, q, se, &sum_v, &c);
            pts_store_f64(rd, dst + (size_t)o * osz, log(sum_v) + c.shift);
            o++;
        } while (odo_next(P.nk, P.kshape, P.kst, idx, &q));
    }
    pts_tensor_release(t);
    return finish(r, out, err, res);
}

PtsStatus k_LOGSUMEXP(PtsValue *a, PtsValue *out, PtsError *err) {
    return logsumexp_impl(a[0].u.t, a[1], a[2].u.b, NULL, err, out);
}
PtsStatus k_LOGSUMEXP_OUT(PtsValue *a, PtsValue *out, PtsError *err) {
    return logsumexp_impl(a[0].u.t, a[1], a[2].u.b, a[3].u.t, err, out);
}

/* ================= any, all ================= */

/* Result: uint8 for uint8 input (PyTorch keeps that for compatibility), else bool. dims: None
 * reduces everything, an empty list nothing. */
static PtsStatus anyall_impl(bool is_any, PtsTensor *self, PtsValue dimv, bool keepdim,
                             PtsTensor *out, PtsError *err, PtsValue *res) {
    if (out && out->dtype != PTS_BOOL && out->dtype != PTS_UINT8)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s only supports bool tensor for result, got: %s",
                        is_any ? "any" : "all", st_name(out->dtype));
    PtsDType rd = self->dtype == PTS_UINT8 ? PTS_UINT8 : PTS_BOOL;
    uint32_t mask;
    PTS_TRY(dim_mask(dimv, self->ndim, false, &mask, NULL, err));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, PTS_DTYPE_INVALID, err, &t));
    RCtx c = { 0, 0 };
    PtsStatus s = simple_reduce(is_any ? &op_any : &op_all, t, mask, keepdim, rd, &c, err, &r);
    pts_tensor_release(t);
    if (s) return s;
    return finish(r, out, err, res);
}

#define ANYALL_KERNELS(ID, ANY)                                                                \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return anyall_impl(ANY, a[0].u.t, pts_none(), false, NULL, err, out);                  \
    }                                                                                          \
    PtsStatus k_##ID##_DIM(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return anyall_impl(ANY, a[0].u.t, a[1], a[2].u.b, NULL, err, out);                     \
    }                                                                                          \
    PtsStatus k_##ID##_DIMS(PtsValue *a, PtsValue *out, PtsError *err) {                       \
        return anyall_impl(ANY, a[0].u.t, a[1], a[2].u.b, NULL, err, out);                     \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        return anyall_impl(ANY, a[0].u.t, a[1], a[2].u.b, a[3].u.t, err, out);                 \
    }                                                                                          \
    PtsStatus k_##ID##_ALL_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                    \
        return anyall_impl(ANY, a[0].u.t, pts_none(), false, a[1].u.t, err, out);              \
    }                                                                                          \
    PtsStatus k_##ID##_DIMS_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                   \
        return anyall_impl(ANY, a[0].u.t, a[1], a[2].u.b, a[3].u.t, err, out);                 \
    }
ANYALL_KERNELS(ANY, true)
ANYALL_KERNELS(ALL, false)

/* ================= cumsum, cumprod ================= */

/* Scan lines of n elements: src (byte stride ss, dtype of the compute copy) into dst (byte
 * stride ds, result dtype rd). Floats accumulate in double, integers in int64 (wrapping). */
static void scan_line(bool prod, PtsDType sd, const char *src, int64_t ss, PtsDType rd, char *dst,
                      int64_t ds, int64_t n) {
    if (pts_dtype_is_float(sd)) {
        double a = prod ? 1.0 : 0.0;
        for (int64_t k = 0; k < n; k++) {
            double v = sd == PTS_FLOAT32 ? *(const float *)(src + k * ss) : *(const double *)(src + k * ss);
            a = prod ? a * v : a + v;
            if (rd == PTS_FLOAT32) *(float *)(dst + k * ds) = (float)a;
            else if (rd == PTS_FLOAT64) *(double *)(dst + k * ds) = a;
            else pts_store_f64(rd, dst + k * ds, a);
        }
        return;
    }
    int64_t a = prod ? 1 : 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t v = sd == PTS_INT64 ? *(const int64_t *)(src + k * ss) : pts_load_i64(sd, src + k * ss);
        a = prod ? (int64_t)((uint64_t)a * (uint64_t)v) : (int64_t)((uint64_t)a + (uint64_t)v);
        if (rd == PTS_INT64) *(int64_t *)(dst + k * ds) = a;
        else pts_store_i64(rd, dst + k * ds, a);
    }
}

/* mode: 0 functional, 1 in-place on self, 2 into out */
static PtsStatus cum_impl(bool prod, PtsValue *a, int mode, PtsError *err, PtsValue *res) {
    PtsTensor *self = a[0].u.t, *out = mode == 2 ? a[3].u.t : NULL;
    const char *name = prod ? "cumprod" : "cumsum";
    PtsDType want = opt_dtype(a[2]), rd;
    if (mode == 1) {
        if (want != PTS_DTYPE_INVALID && want != self->dtype)
            return pts_fail(err, PTS_ERR_RUNTIME,
                            "Bad in-place call: input tensor dtype %s and output tensor dtype %s should match",
                            pts_dtype_name(self->dtype), pts_dtype_name(want));
        rd = self->dtype;
    } else {
        PTS_TRY(out_dtype_matches(want, out, err));
        rd = out && want == PTS_DTYPE_INVALID ? out->dtype : widened(self->dtype, want);
    }
    if (rd == PTS_BOOL)
        return pts_fail(err, PTS_ERR_NOTIMPL, "\"%s_out_cpu\" not implemented for 'Bool'", name);
    int d;
    PTS_TRY(pts_wrap_dim(a[1].u.i, self->ndim, err, &d));
    /* cast first (dtype=, or an integer scan in a narrower type), then widen halves */
    bool cast = rd != self->dtype && !(rd == PTS_INT64 && is_intlike(self->dtype));
    PtsTensor *t, *r;
    PTS_TRY(prepare(self, cast ? rd : PTS_DTYPE_INVALID, err, &t));
    PtsStatus s = pts_tensor_new(rd, self->ndim, self->shape, err, &r);
    if (s) {
        pts_tensor_release(t);
        return s;
    }
    Plan P;
    plan_make(t, self->ndim ? 1u << d : 0u, false, &P);
    if (P.kn > 0 && P.rn > 0) {
        /* the result is contiguous: line o (row-major over the other dims) starts at
         * (o / inner) * n * inner + o % inner, elements inner apart */
        int64_t n = P.rn, inner = 1;
        for (int i = d + 1; i < self->ndim; i++) inner *= self->shape[i];
        size_t osz = pts_dtype_size(rd);
        int64_t st = P.nr ? P.rst[0] : 0;
        char *dst = pts_tensor_data(r);
        int64_t idx[PTS_MAX_DIMS] = { 0 };
        const char *q = P.base;
        int64_t o = 0;
        do {
            int64_t start = (o / inner) * n * inner + o % inner;
            scan_line(prod, t->dtype, q, st, rd, dst + (size_t)start * osz, inner * (int64_t)osz, n);
            o++;
        } while (odo_next(P.nk, P.kshape, P.kst, idx, &q));
    }
    pts_tensor_release(t);
    if (mode == 1) {
        s = pts_tensor_copy_(self, r, err);
        pts_tensor_release(r);
        if (s) return s;
        *res = pts_vtensor(pts_tensor_retain(self));
        return PTS_OK;
    }
    return finish(r, out, err, res);
}

PtsStatus k_CUMSUM(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(false, a, 0, err, out); }
PtsStatus k_CUMSUM_(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(false, a, 1, err, out); }
PtsStatus k_CUMSUM_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(false, a, 2, err, out); }
PtsStatus k_CUMPROD(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(true, a, 0, err, out); }
PtsStatus k_CUMPROD_(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(true, a, 1, err, out); }
PtsStatus k_CUMPROD_OUT(PtsValue *a, PtsValue *out, PtsError *err) { return cum_impl(true, a, 2, err, out); }
