/* blas.c: gemm through OpenBLAS when built with it, a portable C gemm otherwise (and for tiny
 * problems, where calling BLAS costs more than the arithmetic); BLAS thread count. */
#include <stdio.h>

#include "blas.h"

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

void pts_sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
               int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
#ifndef PTS_BLAS_NONE
    if (!small_work(m, n, k) && fits_int(m, n, k, lda, ldb, ldc)) {
        PTS_CBLAS(cblas_sgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                               (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
        return;
    }
#endif
    ref_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void pts_dgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double *a,
               int64_t lda, const double *b, int64_t ldb, double beta, double *c, int64_t ldc) {
#ifndef PTS_BLAS_NONE
    if (!small_work(m, n, k) && fits_int(m, n, k, lda, ldb, ldc)) {
        PTS_CBLAS(cblas_dgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                               (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
        return;
    }
#endif
    ref_dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int fallback_threads = 1;

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

void pts_blas_set_threads(int n) {
#ifdef PTS_BLAS_NONE
    fallback_threads = n;
#else
    PTS_CBLAS(openblas_set_num_threads)(n);
#endif
}

int pts_blas_get_threads(void) {
#ifdef PTS_BLAS_NONE
    return fallback_threads;
#else
    (void)fallback_threads;
    return PTS_CBLAS(openblas_get_num_threads)();
#endif
}
