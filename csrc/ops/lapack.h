/* lapack.h: what the rest of pyts needs to know about the LAPACK-backed kernels (k_lapack.c):
 * whether an error record holds a linear-algebra failure, which the Python layer raises as
 * pyts.linalg.LinAlgError (a RuntimeError subclass, as torch.linalg.LinAlgError). */
#ifndef PTS_LAPACK_H
#define PTS_LAPACK_H

#include "../base/base.h"

/* True when err's message is the last linear-algebra failure this thread reported (singular
 * matrix, not positive-definite, no convergence). The status stays PTS_ERR_RUNTIME. */
PTS_INTERNAL bool pts_linalg_error_is(const PtsError *err);

/* fail with a linear-algebra error (raised as LinAlgError) from outside k_lapack.c */
PTS_INTERNAL PTS_PRINTF(2, 3) PtsStatus pts_linalg_fail(PtsError *err, const char *fmt, ...);

#endif
