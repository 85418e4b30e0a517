/* blas.c: gemm through OpenBLAS when built with it, a portable C gemm otherwise (and for tiny
 * problems, where calling BLAS costs more than the arithmetic); BLAS thread count. */
#include <stdio.h>

#include "blas.h"

#include <pthread.h>

#include "../base/pool.h"

#ifndef PTS_BLAS_NONE
#ifndef PTS_BLAS_PREFIX
#define PTS_BLAS_PREFIX
#endif
#define PTS_CAT_(a, b) a##b
#define PTS_CAT(a, b) PTS_CAT_(a, b)
#define PTS_CBLAS(name) PTS_CAT(PTS_BLAS_PREFIX, name)

enum { CblasRowMajor = 101 };
enum { CblasNoTrans = 111, CblasTrans = 112 };
void PTS_CBLAS(cblas_sgemm)(int order, int ta, int tb, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta, float *c,
                            int ldc);
void PTS_CBLAS(cblas_dgemm)(int order, int ta, int tb, int m, int n, int k, double alpha,
                            const double *a, int lda, const double *b, int ldb, double beta,
                            double *c, int ldc);
void PTS_CBLAS(openblas_set_num_threads)(int n);
int PTS_CBLAS(openblas_get_num_threads)(void);
char *PTS_CBLAS(openblas_get_config)(void);
#endif

/* The portable gemm: rows of C accumulate rows of B (unit stride, vectorisable) unless B is
 * transposed, where each C element is a dot product of two unit-stride rows. */
#define DEFINE_REF_GEMM(NAME, T)                                                               \
    static void NAME(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T *a,   \
                     int64_t lda, const T *b, int64_t ldb, T beta, T *c, int64_t ldc) {        \
        for (int64_t i = 0; i < m; i++) {                                                      \
            T *ci = c + i * ldc;                                                               \
            if (tb && !ta) {                                                                   \
                const T *ai = a + i * lda;                                                     \
                for (int64_t j = 0; j < n; j++) {                                              \
                    const T *bj = b + j * ldb;                                                 \
                    T s = 0;                                                                   \
                    for (int64_t p = 0; p < k; p++) s += ai[p] * bj[p];                        \
                    ci[j] = beta == 0 ? alpha * s : alpha * s + beta * ci[j];                  \
                }                                                                              \
                continue;                                                                      \
            }                                                                                  \
            if (beta == 0) for (int64_t j = 0; j < n; j++) ci[j] = 0;                          \
            else if (beta != 1) for (int64_t j = 0; j < n; j++) ci[j] *= beta;                 \
            for (int64_t p = 0; p < k; p++) {                                                  \
                T av = alpha * (ta ? a[p * lda + i] : a[i * lda + p]);                         \
                if (!tb) { const T *bp = b + p * ldb; for (int64_t j = 0; j < n; j++) ci[j] += av * bp[j]; } \
                else for (int64_t j = 0; j < n; j++) ci[j] += av * b[j * ldb + p];             \
            }                                                                                  \
        }                                                                                      \
    }
DEFINE_REF_GEMM(ref_sgemm, float)
DEFINE_REF_GEMM(ref_dgemm, double)

#ifndef PTS_BLAS_NONE
/* Below this many multiply-adds (m*n*k) the C loop beats the BLAS call itself (argument checks,
 * buffer set-up, thread decisions): 3x4 @ 4x4 and similar tiny products stay here. */
#define SMALL_WORK 4096

static bool small_work(int64_t m, int64_t n, int64_t k) {
    int64_t w;
    if (m == 0 || n == 0 || k == 0) return true;
    return !__builtin_mul_overflow(m, n, &w) && !__builtin_mul_overflow(w, k, &w) && w < SMALL_WORK;
}

static bool fits_int(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc) {
    const int64_t lim = 0x7fffffff;
    return m <= lim && n <= lim && k <= lim && lda <= lim && ldb <= lim && ldc <= lim;
}
#endif

/* Threading: OpenBLAS runs single-threaded (set once, below) and pyts splits a large product
 * into row or column panels over its own pool, taking the share of the thread budget that is
 * free (base/pool.h). One caller alone uses every core; concurrent callers (threads serving
 * requests) each run on their own core instead of contending for OpenBLAS's one threaded server
 * and its spinning workers. */
#ifndef PTS_BLAS_NONE
#define PANEL 16                       /* rows or columns per unit handed out */
#define PARALLEL_WORK ((int64_t)1 << 19) /* multiply-adds below which one thread is faster */

typedef struct GemmJob {
    bool dbl, ta, tb, split_m;
    int64_t m, n, k, lda, ldb, ldc;
    double alpha, beta;
    const void *a, *b;
    void *c;
} GemmJob;

static void blas_call(const GemmJob *g, int64_t m, int64_t n, const void *a, const void *b, void *c) {
    int ta = g->ta ? CblasTrans : CblasNoTrans, tb = g->tb ? CblasTrans : CblasNoTrans;
    if (g->dbl)
        PTS_CBLAS(cblas_dgemm)(CblasRowMajor, ta, tb, (int)m, (int)n, (int)g->k, g->alpha, a, (int)g->lda,
                               b, (int)g->ldb, g->beta, c, (int)g->ldc);
    else
        PTS_CBLAS(cblas_sgemm)(CblasRowMajor, ta, tb, (int)m, (int)n, (int)g->k, (float)g->alpha, a,
                               (int)g->lda, b, (int)g->ldb, (float)g->beta, c, (int)g->ldc);
}

static void gemm_panels(void *ctx, int64_t lo, int64_t hi) {
    const GemmJob *g = ctx;
    size_t es = g->dbl ? sizeof(double) : sizeof(float);
    const char *a = g->a, *b = g->b;
    char *c = g->c;
    int64_t dim = g->split_m ? g->m : g->n;
    int64_t r0 = lo * PANEL, r1 = hi * PANEL < dim ? hi * PANEL : dim;
    if (g->split_m)
        blas_call(g, r1 - r0, g->n, a + (size_t)(g->ta ? r0 : r0 * g->lda) * es, b,
                  c + (size_t)(r0 * g->ldc) * es);
    else
        blas_call(g, g->m, r1 - r0, a, b + (size_t)(g->tb ? r0 * g->ldb : r0) * es, c + (size_t)r0 * es);
}

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single_threaded(void) { PTS_CBLAS(openblas_set_num_threads)(1); }

static void blas_gemm(GemmJob *g) {
    pthread_once(&blas_once, blas_single_threaded);
    int64_t work;
    if (__builtin_mul_overflow(g->m, g->n, &work) || __builtin_mul_overflow(work, g->k, &work))
        work = INT64_MAX;
    if (work < 2 * PARALLEL_WORK) { blas_call(g, g->m, g->n, g->a, g->b, g->c); return; }
    /* Large products count as running kernels even when they get one thread: that is what tells
     * a concurrent caller the cores are taken. */
    int share = pts_parallel_enter();
    g->split_m = g->m >= g->n;
    int64_t units = ((g->split_m ? g->m : g->n) + PANEL - 1) / PANEL, by_work = work / PARALLEL_WORK;
    int pieces = share;
    if (pieces > units) pieces = (int)units;
    if (pieces > by_work) pieces = (int)by_work;
    if (pieces > 1) pts_parallel_run(units, pieces, gemm_panels, g);
    else blas_call(g, g->m, g->n, g->a, g->b, g->c);
    pts_parallel_leave();
}
#endif

void pts_sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
               int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
#ifndef PTS_BLAS_NONE
    if (!small_work(m, n, k) && fits_int(m, n, k, lda, ldb, ldc)) {
        GemmJob g = { false, ta, tb, false, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c };
        blas_gemm(&g);
        return;
    }
#endif
    ref_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void pts_dgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double *a,
               int64_t lda, const double *b, int64_t ldb, double beta, double *c, int64_t ldc) {
#ifndef PTS_BLAS_NONE
    if (!small_work(m, n, k) && fits_int(m, n, k, lda, ldb, ldc)) {
        GemmJob g = { true, ta, tb, false, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c };
        blas_gemm(&g);
        return;
    }
#endif
    ref_dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char *pts_blas_name(void) {
#ifdef PTS_BLAS_NONE
    return "builtin";
#else
    static char name[160];
    const char *cfg = PTS_CBLAS(openblas_get_config)();
    snprintf(name, sizeof name, "openblas (%s)", cfg ? cfg : "");
    return name;
#endif
}
