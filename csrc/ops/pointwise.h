/* pointwise.h: the generic elementwise engine. A binary or unary op is a row of per-dtype inner
 * loops; pts_binary / pts_unary do promotion, broadcasting, dtype conversion, in-place and out=
 * handling once for all of them. Kernels in k_pointwise.c are thin wrappers. */
#ifndef PTS_POINTWISE_H
#define PTS_POINTWISE_H

#include "ops.h"

typedef void (*PtsLoop)(char **p, const int64_t *s, int64_t n, void *ctx);

enum {
    PTS_PW_SAME = 0,        /* result has the promoted dtype */
    PTS_PW_BOOL_OUT = 1,    /* comparisons, predicates: result is bool */
    PTS_PW_FLOAT = 2,       /* integer inputs promote to the default float (true div, tanh) */
    PTS_PW_INT_ONLY = 4,    /* bitwise: floats are rejected */
    PTS_PW_NO_BOOL = 8,     /* bool inputs are rejected (neg, sub) */
};

typedef struct PtsPwOp {
    const char *name;                 /* for messages: "add" */
    unsigned flags;                   /* PTS_PW_* */
    PtsLoop loops[PTS_DTYPE_SLOTS];   /* by compute dtype; NULL = unsupported */
} PtsPwOp;

/* Loop context: a scalar parameter (alpha, min/max, ...) in both representations. */
typedef struct PtsPwCtx { double d, d2; int64_t i, i2; } PtsPwCtx;

/* a op b. out: NULL for a new result, else the in-place target or out= tensor (result is then
 * out, retained). */
PTS_INTERNAL PtsStatus pts_binary(const PtsPwOp *op, PtsTensor *a, PtsTensor *b, PtsTensor *out,
                                  const PtsPwCtx *ctx, PtsError *err, PtsTensor **res);
PTS_INTERNAL PtsStatus pts_unary(const PtsPwOp *op, PtsTensor *a, PtsTensor *out,
                                 const PtsPwCtx *ctx, PtsError *err, PtsTensor **res);
/* Same as above for kernels taking PtsValue Tensor-or-Scalar operands. */
PTS_INTERNAL PtsStatus pts_binary_v(const PtsPwOp *op, PtsValue a, PtsValue b, PtsTensor *out,
                                    const PtsPwCtx *ctx, PtsError *err, PtsValue *res);

#endif
