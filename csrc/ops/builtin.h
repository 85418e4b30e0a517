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

/* Where prim::Print lines and aten::warn messages go: NULL hooks write to stdout and stderr
 * ("UserWarning: message"), which is what the C runtime does; the Python layer sets hooks that
 * write to sys.stdout and raise a UserWarning through the warnings module (GIL taken inside). */
typedef PtsStatus (*PtsTextHook)(const char *text, size_t len, PtsError *err);
PTS_INTERNAL extern PtsTextHook pts_print_hook;
PTS_INTERNAL extern PtsTextHook pts_warn_hook;
/* torch's TORCH_WARN_ONCE: msg through pts_warn_hook the first time *warned is set, nothing after
 * (nor without a hook: the C runtime stays quiet about once-only notices) */
PTS_INTERNAL PtsStatus pts_warn_once(_Atomic bool *warned, const char *msg, size_t len, PtsError *err);

/* any(l) / all(l) of a bool, int, float or str list, by Python's truth of each item */
PTS_INTERNAL PtsStatus pts_builtin_any_all(PtsValue *a, PtsValue *out, PtsError *err, bool any);

/* prim::tolist(x, dim, elem): x's elements as nested lists of depth dim (elem: 0 int, 1 float,
 * 2 bool, 3 complex), with torch's checks of the annotation against x (k_builtin.c). */
PTS_INTERNAL PtsStatus pts_builtin_tolist(const PtsValue *args, PtsError *err, PtsValue *out);

#endif
