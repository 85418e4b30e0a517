/* nn.h: helpers shared by the neural-network kernels (k_nn.c, k_nn_conv.c, k_nn_pool.c,
 * k_nn_loss.c): PyTorch's dtype names for messages, conversion to the compute dtype, access to
 * optional and int-list arguments, loss reductions and the dropout random source. */
#ifndef PTS_NN_H
#define PTS_NN_H

#include <math.h>

#include "ops.h"

enum { NN_RED_NONE = 0, NN_RED_MEAN = 1, NN_RED_SUM = 2 };  /* at::Reduction */

/* PyTorch's ScalarType name ("Float", "Long"), as its "not implemented for" messages use it. */
PTS_INTERNAL const char *nn_type_name(PtsDType d);
/* NotImplementedError: "<kernel>" not implemented for '<Type>'. */
PTS_INTERNAL PtsStatus nn_not_impl(PtsError *err, const char *kernel, PtsDType d);

/* Floating inputs compute in float32 (float16 and bfloat16 included) or float64. */
static inline PtsDType nn_acc_dtype(PtsDType d) { return d == PTS_FLOAT64 ? PTS_FLOAT64 : PTS_FLOAT32; }
static inline PtsTensor *nn_opt(PtsValue v) { return v.tag == PTS_V_TENSOR ? v.u.t : NULL; }

/* A contiguous tensor of dtype dt with t's values viewed (broadcast) at shape (t retained when it
 * already is one). */
PTS_INTERNAL PtsStatus nn_dense(PtsTensor *t, PtsDType dt, int ndim, const int64_t *shape,
                                PtsError *err, PtsTensor **out);
/* out = r converted to dtype dt (steals r). */
PTS_INTERNAL PtsStatus nn_result(PtsTensor *r, PtsDType dt, PtsError *err, PtsValue *out);
/* A view of t with new geometry sharing its storage (the unbatched <-> batched reshapes). */
PTS_INTERNAL PtsStatus nn_view(PtsTensor *t, int ndim, const int64_t *shape, PtsError *err,
                               PtsTensor **out);
/* Int list argument into xs (at most max entries). */
PTS_INTERNAL PtsStatus nn_ints(PtsValue v, int64_t *xs, int max, int *n, PtsError *err);
/* "[2, 3]" of an int list, for messages. */
PTS_INTERNAL const char *nn_list_str(const int64_t *xs, int n, char *buf, size_t bn);

/* Reduce n double losses: none -> a tensor of `shape`, mean -> sum/n (NaN when empty),
 * sum -> sum; the result has dtype dt. */
PTS_INTERNAL PtsStatus nn_reduce_loss(const double *loss, int ndim, const int64_t *shape,
                                      int64_t reduction, PtsDType dt, PtsError *err, PtsValue *out);

#endif
