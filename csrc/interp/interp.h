/* interp.h: the interpreter. A function's graph is lowered once (lazily, thread-safe) to a flat
 * instruction array over a register file (one register per SSA value); running it needs no Python
 * and touches no shared mutable state, so many threads may run one function at once. */
#ifndef PTS_INTERP_H
#define PTS_INTERP_H

#include "../ir/ir.h"

#define PTS_MAX_CALL_DEPTH 200   /* nested CallMethod/CallFunction limit */

/* Run f on args (borrowed; for methods args[0] is self). Results (owned) go to outs, which must
 * have room for the graph's output count. */
PTS_INTERNAL PtsStatus pts_interp_run(PtsFunction *f, const PtsValue *args, int nargs, PtsValue *outs,
                                      PtsError *err);
/* Number of values f returns. */
PTS_INTERNAL int pts_function_nret(const PtsFunction *f);
/* prim::PythonOp (a call of an @ignore'd Python function): the interpreter stays Python-free and
 * calls through this hook, set by csrc/python (it takes the GIL around the call only). id is the
 * node's "pyid" attribute; the result (owned, checked against type) goes to *out. NULL hook: the
 * node fails. */
typedef PtsStatus (*PtsPythonCallHook)(int64_t id, const PtsValue *args, int nargs, const PtsType *type,
                                       PtsValue *out, PtsError *err);
PTS_INTERNAL extern PtsPythonCallHook pts_interp_python_hook;
/* Lower f now (normally done on first run). */
PTS_INTERNAL PtsStatus pts_interp_prepare(PtsFunction *f, PtsError *err);

#endif
