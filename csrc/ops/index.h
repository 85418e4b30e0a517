/* index.h: the indexing engine behind Tensor.__getitem__ / __setitem__ (and, later, subscripts in
 * TorchScript). A key is an array of parsed items (int, slice, None, Ellipsis, bool, tensor); the
 * engine applies them as PyTorch's applySlicing does, through registry ops (select, slice,
 * unsqueeze, alias, index, view, expand, copy_, fill_, index_put_) called with pts_op_call, so
 * autograd and the tracer see exactly the ops PyTorch records. */
#ifndef PTS_INDEX_H
#define PTS_INDEX_H

#include "ops.h"

#define PTS_MAX_INDEX_ITEMS 64   /* items in one key (PyTorch has no limit; numpy uses 64) */

typedef enum PtsIndexKind {
    PTS_IDX_INT,       /* x[3]: select */
    PTS_IDX_SLICE,     /* x[a:b:c]: slice */
    PTS_IDX_NONE,      /* x[None]: unsqueeze */
    PTS_IDX_ELLIPSIS,  /* x[...] */
    PTS_IDX_BOOL,      /* x[True] / x[False]: unsqueeze + a 1-or-0 element index */
    PTS_IDX_TENSOR,    /* advanced index (long/int/bool/uint8), or a 0-dim int tensor (select) */
} PtsIndexKind;

typedef struct PtsIndexItem {
    uint8_t kind;                 /* PtsIndexKind */
    bool b;                       /* PTS_IDX_BOOL value */
    int64_t i;                    /* PTS_IDX_INT index (negative counts from the end) */
    int64_t start, stop, step;    /* PTS_IDX_SLICE, unpacked as PyTorch does: an omitted start is
                                     0, an omitted stop INT64_MAX, an omitted step 1 */
    PtsTensor *t;                 /* PTS_IDX_TENSOR, borrowed */
} PtsIndexItem;

/* self[items] -> *out (owned). Basic keys give views of self (x[...] gives an alias); keys with
 * tensors give a copy via aten::index. disable_slice_opt keeps full slices (x[0:n]) as
 * aten::slice instead of skipping them; the tracer sets it, as PyTorch does while tracing.
 * Errors: IndexError / ValueError / RuntimeError with PyTorch's messages. */
PTS_INTERNAL PtsStatus pts_index_get(PtsTensor *self, const PtsIndexItem *items, int n,
                                     bool disable_slice_opt, PtsError *err, PtsTensor **out);

/* self[items] = value (value borrowed; a tensor of any dtype, broadcast to the indexed shape and
 * converted; callers turn Python numbers into 0-dim tensors of self's dtype first). Writes self
 * in place through copy_ / fill_ / index_put_. */
PTS_INTERNAL PtsStatus pts_index_set(PtsTensor *self, const PtsIndexItem *items, int n,
                                     PtsTensor *value, bool disable_slice_opt, PtsError *err);

/* PyTorch's legacy ScalarType name used in messages: "Float", "Long", ... (k_shape.c) */
PTS_INTERNAL const char *pts_scalar_type_name(PtsDType d);

#endif
