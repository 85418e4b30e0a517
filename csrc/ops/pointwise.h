/* pointwise.h: the generic elementwise engine. An elementwise op is a row of per-dtype inner
 * loops; pts_pointwise (and its unary / binary / ternary wrappers) does promotion, broadcasting,
 * dtype conversion, in-place and out= handling once for all of them. Kernels in k_pointwise*.c
 * are thin wrappers that pick the loop table and the common dtype. */
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
    PTS_PW_STRICT_OUT = 16, /* an out= tensor must have exactly the result dtype (abs, clamp) */
};

typedef struct PtsPwOp {
    const char *name;                 /* for messages, PyTorch's kernel name: "abs_cpu" */
    unsigned flags;                   /* PTS_PW_* */
    PtsLoop loops[PTS_DTYPE_SLOTS];   /* by compute dtype; NULL = unsupported */
} PtsPwOp;

/* Loop context: a scalar parameter (alpha, min/max, exponent, ...) in both representations. */
typedef struct PtsPwCtx { double d, d2; int64_t i, i2; } PtsPwCtx;

/* What a loop's ctx pointer really points to: the op's context plus where a loop reports a
 * fault it cannot return (integer division by zero). The engine raises after the loop. */
typedef struct PtsPwRun {
    PtsPwCtx c;           /* first member: loops see it as their PtsPwCtx */
    int *fault;           /* PTS_PW_FAULT_* */
} PtsPwRun;
enum { PTS_PW_FAULT_NONE = 0, PTS_PW_FAULT_ZERODIV = 1 };
#define PTS_PW_SET_FAULT(c, code) (*((const PtsPwRun *)(const void *)(c))->fault = (code))

#define PTS_PW_MAX_IN 3

/* The general form. in[0..nin) are broadcast together; in_dt[i] is the dtype loop operand i
 * expects, or PTS_DTYPE_INVALID for "the compute dtype of `common`" (masks and conditions keep
 * bool). `common` is the promoted dtype the caller computed; the op's flags refine it (FLOAT).
 * out: NULL for a new result; out == in[0] means in place (the broadcast shape must equal
 * out's shape); any other out is an out= tensor, resized when its shape differs. The result is
 * then out, retained. */
PTS_INTERNAL PtsStatus pts_pointwise(const PtsPwOp *op, int nin, PtsTensor *const *in,
                                     const PtsDType *in_dt, PtsDType common, PtsTensor *out,
                                     const PtsPwCtx *ctx, PtsError *err, PtsTensor **res);
/* a op b with PyTorch's promotion over both. */
PTS_INTERNAL PtsStatus pts_binary(const PtsPwOp *op, PtsTensor *a, PtsTensor *b, PtsTensor *out,
                                  const PtsPwCtx *ctx, PtsError *err, PtsTensor **res);
/* op a, computed in a's dtype (or the default float with PTS_PW_FLOAT). */
PTS_INTERNAL PtsStatus pts_unary(const PtsPwOp *op, PtsTensor *a, PtsTensor *out,
                                 const PtsPwCtx *ctx, PtsError *err, PtsTensor **res);
/* Same as pts_binary for kernels taking PtsValue Tensor-or-Scalar operands. */
PTS_INTERNAL PtsStatus pts_binary_v(const PtsPwOp *op, PtsValue a, PtsValue b, PtsTensor *out,
                                    const PtsPwCtx *ctx, PtsError *err, PtsValue *res);

/* The dtype a loop computes in: float16 and bfloat16 run in float32. */
PTS_INTERNAL PtsDType pts_pw_compute_dtype(PtsDType d);
/* PyTorch's Scalar::to<T> range check: a scalar parameter (alpha, a clamp bound, a fill value;
 * a number or a one-element tensor) that does not fit dtype d raises "value cannot be converted
 * to type int8_t without overflow". Negative ints may wrap into uint8; bool targets never fail. */
PTS_INTERNAL PtsStatus pts_pw_check_scalar(PtsValue v, PtsDType d, PtsError *err);

/* PyTorch's ScalarType name of a dtype, as its messages print it ("Float", "Long"). */
PTS_INTERNAL const char *pts_pw_type_name(PtsDType d);
/* The NotImplementedError PyTorch raises for a kernel without a dtype: "\"abs_cpu\" not
 * implemented for 'Bool'". */
PTS_INTERNAL PtsStatus pts_pw_not_impl(const char *name, PtsDType d, PtsError *err);

#endif
