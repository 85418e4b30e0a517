/* k_pointwise_cmp.c: comparisons (eq ... ge), logical and/or/xor, bitwise and/or/xor and
 * shifts, and the operator rows (__and__, __iand__, ...) that Tensor's & | ^ << >> record.
 * Comparisons run in the promoted dtype and return bool; bitwise ops take integers and bool. */
#include "pwloops.h"

/* ---- comparisons ---- */
#define CMP_OP(NAME, EXPR)                                                                     \
    PTS_CMP_ALL(NAME, EXPR)                                                                    \
    static const PtsPwOp op_##NAME = { #NAME "_cpu", PTS_PW_BOOL_OUT, { PTS_T_ALL(NAME) } };  \
    PTS_BIN_IMPL(NAME##_impl, op_##NAME)
CMP_OP(eq, x == y)
CMP_OP(ne, x != y)
CMP_OP(lt, x < y)
CMP_OP(le, x <= y)
CMP_OP(gt, x > y)
CMP_OP(ge, x >= y)

#define CMP_KERNELS(ID, IMPL)                                                                  \
    PTS_BIN_NEW(ID##_TENSOR, IMPL)                                                             \
    PTS_BIN_NEW(ID##_SCALAR, IMPL)                                                             \
    PTS_BIN_INPLACE(ID##__TENSOR, IMPL)                                                        \
    PTS_BIN_INPLACE(ID##__SCALAR, IMPL)                                                        \
    PTS_BIN_OUT(ID##_TENSOR_OUT, IMPL)                                                         \
    PTS_BIN_OUT(ID##_SCALAR_OUT, IMPL)
CMP_KERNELS(EQ, eq_impl)
CMP_KERNELS(NE, ne_impl)
CMP_KERNELS(LT, lt_impl)
CMP_KERNELS(LE, le_impl)
CMP_KERNELS(GT, gt_impl)
CMP_KERNELS(GE, ge_impl)

/* ---- logical and / or / xor: truth of each operand, any dtype ---- */
CMP_OP(land, (x != 0) && (y != 0))
CMP_OP(lor, (x != 0) || (y != 0))
CMP_OP(lxor, (x != 0) != (y != 0))
PTS_BIN_NEW(LOGICAL_AND, land_impl)
PTS_BIN_INPLACE(LOGICAL_AND_, land_impl)
PTS_BIN_OUT(LOGICAL_AND_OUT, land_impl)
PTS_BIN_NEW(LOGICAL_OR, lor_impl)
PTS_BIN_INPLACE(LOGICAL_OR_, lor_impl)
PTS_BIN_OUT(LOGICAL_OR_OUT, lor_impl)
PTS_BIN_NEW(LOGICAL_XOR, lxor_impl)
PTS_BIN_INPLACE(LOGICAL_XOR_, lxor_impl)
PTS_BIN_OUT(LOGICAL_XOR_OUT, lxor_impl)

/* ---- bitwise and / or / xor: integers and bool ---- */
#define BIT_OP(NAME, EXPR)                                                                     \
    PTS_BIN_I(NAME, (PTS_T(x))(EXPR))                                                          \
    PTS_BIN_B(NAME, EXPR)                                                                      \
    static const PtsPwOp op_##NAME = { "bitwise_" #NAME "_cpu", 0,                             \
                                       { PTS_T_I(NAME), PTS_T_B(NAME) } };                     \
    PTS_BIN_IMPL(NAME##_impl, op_##NAME)
BIT_OP(and, x & y)
BIT_OP(or, x | y)
BIT_OP(xor, x ^ y)

#define BIT_KERNELS(ID, IMPL)                                                                  \
    PTS_BIN_NEW(BITWISE_##ID##_TENSOR, IMPL)                                                   \
    PTS_BIN_NEW(BITWISE_##ID##_SCALAR, IMPL)                                                   \
    PTS_BIN_NEW(BITWISE_##ID##_SCALAR_TENSOR, IMPL)                                            \
    PTS_BIN_INPLACE(BITWISE_##ID##__TENSOR, IMPL)                                              \
    PTS_BIN_INPLACE(BITWISE_##ID##__SCALAR, IMPL)                                              \
    PTS_BIN_OUT(BITWISE_##ID##_TENSOR_OUT, IMPL)                                               \
    PTS_BIN_OUT(BITWISE_##ID##_SCALAR_OUT, IMPL)                                               \
    PTS_BIN_NEW(DUNDER_##ID##_TENSOR, IMPL)                                                    \
    PTS_BIN_NEW(DUNDER_##ID##_SCALAR, IMPL)                                                    \
    PTS_BIN_INPLACE(DUNDER_I##ID##_TENSOR, IMPL)                                               \
    PTS_BIN_INPLACE(DUNDER_I##ID##_SCALAR, IMPL)
BIT_KERNELS(AND, and_impl)
BIT_KERNELS(OR, or_impl)
BIT_KERNELS(XOR, xor_impl)

/* ---- shifts (integers only), as PyTorch's lshift/rshift kernels: a negative or too large
 * shift gives 0 to the left and the sign fill to the right; uint8 shifts count as int8. ---- */
#define SHIFT_NEG(y) ((PTS_ISUNS(y) ? (int64_t)(int8_t)(y) : (int64_t)(y)) < 0)
#define SHIFT_BITS(x) ((int64_t)sizeof(x) * 8)
PTS_BIN_I(lshift, (SHIFT_NEG(y) || (int64_t)y >= SHIFT_BITS(x)) ? (PTS_T(x))0
                                                                : (PTS_T(x))((uint64_t)x << y))
#define RSHIFT_MAX(x) (SHIFT_BITS(x) - !PTS_ISUNS(x))
PTS_BIN_I(rshift, (SHIFT_NEG(y) || (int64_t)y >= RSHIFT_MAX(x)) ? (PTS_T(x))(x >> RSHIFT_MAX(x))
                                                                : (PTS_T(x))(x >> y))
static const PtsPwOp op_lshift = { "lshift_cpu", 0, { PTS_T_I(lshift) } };
static const PtsPwOp op_rshift = { "rshift_cpu", 0, { PTS_T_I(rshift) } };
PTS_BIN_IMPL(lshift_impl, op_lshift)
PTS_BIN_IMPL(rshift_impl, op_rshift)

#define SHIFT_KERNELS(ID, DUNDER, IMPL)                                                        \
    PTS_BIN_NEW(ID##_TENSOR, IMPL)                                                             \
    PTS_BIN_NEW(ID##_TENSOR_SCALAR, IMPL)                                                      \
    PTS_BIN_NEW(ID##_SCALAR_TENSOR, IMPL)                                                      \
    PTS_BIN_INPLACE(ID##__TENSOR, IMPL)                                                        \
    PTS_BIN_INPLACE(ID##__TENSOR_SCALAR, IMPL)                                                 \
    PTS_BIN_OUT(ID##_TENSOR_OUT, IMPL)                                                         \
    PTS_BIN_OUT(ID##_TENSOR_SCALAR_OUT, IMPL)                                                  \
    PTS_BIN_NEW(DUNDER_##DUNDER##_TENSOR, IMPL)                                                \
    PTS_BIN_NEW(DUNDER_##DUNDER##_SCALAR, IMPL)                                                \
    PTS_BIN_INPLACE(DUNDER_I##DUNDER##_TENSOR, IMPL)                                           \
    PTS_BIN_INPLACE(DUNDER_I##DUNDER##_SCALAR, IMPL)
SHIFT_KERNELS(BITWISE_LEFT_SHIFT, LSHIFT, lshift_impl)
SHIFT_KERNELS(BITWISE_RIGHT_SHIFT, RSHIFT, rshift_impl)
