/* complex_tensor.h: complex64 / complex128 tensors. The rows that take complex operands and the
 * kernels they switch to (k_complex_tensor.c), read by the complex guard (complex_guard.c), and
 * helpers for reading a number or one element as (re, im). */
#ifndef PTS_COMPLEX_TENSOR_H
#define PTS_COMPLEX_TENSOR_H

#include "ops.h"

/* A row that accepts complex operands: fn is its complex kernel, or NULL when the row's own
 * kernel already works unchanged (views, copies, factories). Ends with id -1. */
typedef struct PtsCxRow { int id; PtsKernel fn; } PtsCxRow;
PTS_INTERNAL extern const PtsCxRow pts_cx_rows[];
/* the second table (k_complex_tensor2.c), same form */
PTS_INTERNAL extern const PtsCxRow pts_cx_rows2[];
/* the third table (k_complex_tensor3.c), same form */
PTS_INTERNAL extern const PtsCxRow pts_cx_rows3[];
/* the fourth table (k_complex_linalg.c): complex svd, qr, eigh, eig */
PTS_INTERNAL extern const PtsCxRow pts_cx_rows4[];

/* shared by both kernel files (defined in k_complex_tensor.c) */
static inline PtsStatus pts_cx_ret1(PtsValue *out, PtsTensor *t) { out[0] = pts_vtensor(t); return PTS_OK; }
/* a number or one-element tensor as (re, im); false when v is neither */
PTS_INTERNAL bool pts_cx_scalar_parts(PtsValue v, double *re, double *im);
/* torch's Scalar::to<T> check for a complex value written to a real dtype */
PTS_INTERNAL PtsStatus pts_cx_check_real_target(PtsDType d, double im, PtsError *err);
/* the real (part 0) or imaginary (part 1) view of a complex tensor, or view_as_real (part -1) */
PTS_INTERNAL PtsStatus pts_cx_real_view(PtsTensor *t, int part, PtsError *err, PtsTensor **out);

/* the complex dtype row id computes in for arguments a (a complex number with real tensors: the
 * complex dtype they promote to), PTS_DTYPE_INVALID when nothing is complex (complex_guard.c) */
PTS_INTERNAL PtsDType pts_cx_result_dtype(int id, const PtsValue *a);

#endif
