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

#endif
