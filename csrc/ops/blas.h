/* blas.h: the BLAS the matmul kernels call. Our own prototypes (no cblas.h dependency) with the
 * symbol prefix chosen at build time: PTS_BLAS_PREFIX=scipy_ for the scipy-openblas32 wheel,
 * empty for a system OpenBLAS; PTS_BLAS_NONE builds the portable C gemm only. */
#ifndef PTS_BLAS_H
#define PTS_BLAS_H

#include "../base/base.h"

PTS_INTERNAL const char *pts_blas_name(void);

/* Row-major C = alpha * op(A) op(B) + beta * C, with lda/ldb/ldc in elements. */
PTS_INTERNAL void pts_sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                            const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                            float *c, int64_t ldc);
PTS_INTERNAL void pts_dgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                            const double *a, int64_t lda, const double *b, int64_t ldb, double beta,
                            double *c, int64_t ldc);

#endif
