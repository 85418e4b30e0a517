/* builtin.h: TorchScript's printing of values (C++ IValue style: `1.`, `[1, 2]`, `{a: 1.}`,
 * tensors as at::print with their `[ CPUFloatType{2} ]` footer), shared by str(), format() and
 * prim::Print (interpreter). */
#ifndef PTS_BUILTIN_H
#define PTS_BUILTIN_H

#include "ops.h"

/* Append the printed form of v to b (strings unquoted, at any depth, as TorchScript). */
PTS_INTERNAL PtsStatus pts_builtin_print_value(PtsBuf *b, PtsValue v, PtsError *err);
/* Python's str.format for "{}" fields (positional, in order; "{{" and "}}" escapes) over args. */
PTS_INTERNAL PtsStatus pts_builtin_format(const char *fmt, size_t len, const PtsValue *args, int nargs,
                                          PtsError *err, PtsValue *out);

#endif
