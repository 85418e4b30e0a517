/* complex.h: helpers for TorchScript's `complex` scalar shared by the printers (IValue, graph,
 * code), the interpreter and the archive code (kernels in k_complex.c). */
#ifndef PTS_COMPLEX_H
#define PTS_COMPLEX_H

#include "ops.h"

/* torch's printComplex, used by str(), print, graphs and code alike: the real part, '+' or '-' by
 * the sign of imag (NaN counts as '-'), the magnitude of imag, 'j'; each part as an IValue double
 * (17 significant digits, integral values with a '.': "2."). */
PTS_INTERNAL void pts_complex_print(PtsBuf *b, double re, double im);
/* Does the kernel of op accept complex values for its Scalar parameters? (the rows of
 * ops_complex.def and int()/float() of a number; every other kernel reads a Scalar as int or
 * double) */
static inline bool pts_complex_op_accepts(int op) {
    return (op >= PTS_OP_C_COMPLEX_SCALAR && op <= PTS_OP_C_SUM) || op == PTS_OP_INT_SCALAR || op == PTS_OP_FLOAT_SCALAR;
}

#endif
