/* complex_loops.h: the elementwise loop macros the complex kernel files (k_complex_tensor.c,
 * k_complex_tensor2.c) share: complex64/complex128 loops of one expression pair, their table
 * initialiser, and the three kernels (op, op_, op.out) of a unary row over such a loop. */
#ifndef PTS_COMPLEX_LOOPS_H
#define PTS_COMPLEX_LOOPS_H

#include <complex.h>

#include "complex_tensor.h"
#include "pwloops.h"

typedef float _Complex cf;
typedef double _Complex cd;

#define CX_UN(OP, E64, E128) PTS_LOOP1(OP##_c64, cf, cf, E64) PTS_LOOP1(OP##_c128, cd, cd, E128)
#define CX_T(OP) [PTS_COMPLEX64] = OP##_c64, [PTS_COMPLEX128] = OP##_c128
#define CX_UNOP(NAME, loop, kname)                                                             \
    static const PtsPwOp op_##NAME = { kname, 0, { CX_T(loop) } };                             \
    static PtsStatus cx_##NAME(PtsValue *a, PtsValue *o, PtsError *e) {                        \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, NULL, NULL, e, &r)); return pts_cx_ret1(o, r); } \
    static PtsStatus cx_##NAME##_(PtsValue *a, PtsValue *o, PtsError *e) {                     \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, a[0].u.t, NULL, e, &r)); return pts_cx_ret1(o, r); } \
    static PtsStatus cx_##NAME##_OUT(PtsValue *a, PtsValue *o, PtsError *e) {                  \
        PtsTensor *r; PTS_TRY(pts_unary(&op_##NAME, a[0].u.t, a[1].u.t, NULL, e, &r)); return pts_cx_ret1(o, r); }

#endif
