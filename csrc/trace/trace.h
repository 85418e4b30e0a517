/* trace.h: the tracer. While a thread traces, every dispatched op is executed and recorded as a
 * node of the current frame's graph; tensors are mapped to the IR values that produced them.
 * Frames nest for submodule calls: each traced module gets its own `forward` graph and the
 * parent records prim::GetAttr + prim::CallMethod, as TorchScript does. */
#ifndef PTS_TRACE_H
#define PTS_TRACE_H

#include "../ir/ir.h"

/* Push a frame. self: the module object being traced (NONE for a free function); inputs: the
 * example inputs (tensors, or tuples/lists of tensors), names: their debug names (may be NULL). */
PTS_INTERNAL PtsStatus pts_trace_push(PtsValue self, int nin, const PtsValue *inputs,
                                      const char *const *names, const char *scope, PtsError *err);
/* Pop the current frame, making `output` (a tensor or nested tuples of tensors) the graph's
 * result; returns the frame's function (owned). If a parent frame exists and the frame's module is
 * an attribute of the parent's module, the parent records the GetAttr + CallMethod pair (or,
 * when record_call is false, nothing). */
PTS_INTERNAL PtsStatus pts_trace_pop(PtsValue output, bool record_call, PtsError *err, PtsFunction **fn);
/* Abandon every frame of this thread (after an exception). */
PTS_INTERNAL void pts_trace_abort(void);
PTS_INTERNAL bool pts_trace_active(void);
PTS_INTERNAL int pts_trace_depth(void);
/* Source location that the next recorded nodes get (file borrowed until the next call). */
PTS_INTERNAL void pts_trace_set_location(const char *file, int line);
/* Give the value of tensor t in the current frame a debug name (the Python variable bound to it),
 * unless it has one: traced code then reads `y = torch.sub(...)` as PyTorch's does. */
PTS_INTERNAL void pts_trace_name_tensor(const PtsTensor *t, const char *name);
/* Record a call of an already compiled method (a scripted submodule inside a trace): runs it and
 * records prim::CallMethod on the attribute `attr` of the current module. */
PTS_INTERNAL PtsStatus pts_trace_record_method_call(PtsValue obj, const char *attr, PtsFunction *f,
                                                    int nargs, const PtsValue *args, PtsValue *out,
                                                    PtsError *err);

/* Record a call of a compiled free function (a scripted function called inside a trace): runs
 * it and records prim::CallFunction of it, printed as `qual(args, )`, as PyTorch's tracer does. */
PTS_INTERNAL PtsStatus pts_trace_record_function_call(PtsFunction *f, const char *qual, int nargs,
                                                      const PtsValue *args, PtsValue *out, PtsError *err);

/* Sizes while tracing (torch's tracer::getSizeOf / getNumelOf): records
 * `%d = prim::Constant[value=dim]`, `%n = aten::size(%t, %d)` (or `aten::numel(%t)`) and
 * `%s = prim::NumToTensor(%n)`, and returns a new 0-dim int64 tensor mapped to %s, so sizes stay
 * data flow in the trace. dim must be valid for t (the caller checks it). */
PTS_INTERNAL PtsStatus pts_trace_size(PtsTensor *t, int64_t dim, bool numel, PtsError *err,
                                      PtsTensor **out);
/* torch's ArgumentStash: the argument binder saw traced tensor t (a traced size) where op argument
 * `arg` (element `elem` of an int list, -1 for a scalar argument, -2 for every element of a list
 * made from one number) takes an int, a float or a Scalar; conv is PTS_OP_INT_TENSOR,
 * PTS_OP_FLOAT_TENSOR or PTS_OP_SCALARIMPLICIT. The next recorded op reads that argument as
 * `conv(%t)`, inserted right after t's producer, instead of a constant. Ignored for tensors the
 * trace does not know. clear drops what the next op has not used (a failed overload). */
PTS_INTERNAL void pts_trace_stash(int arg, int elem, PtsTensor *t, PtsOpId conv);
PTS_INTERNAL void pts_trace_stash_clear(void);
/* The same for the items of an indexing key (torch's recordSliceTrace / recordSelectTrace): the
 * key's items run as one aten::slice (op PTS_OP_SLICE_TENSOR) or aten::select (PTS_OP_SELECT_INT)
 * each, in key order. pts_trace_index_item queues the op the next item records, and
 * pts_trace_index_bound(arg, t) says that its argument `arg` (start 2, end 3, step 4; index 2)
 * is traced tensor t, read as aten::Int(%t). Each recorded slice/select takes the next queued
 * item; one out of step drops the queue (its bounds stay constants). clear after the key ran. */
PTS_INTERNAL void pts_trace_index_item(PtsOpId op);
PTS_INTERNAL void pts_trace_index_bound(int arg, PtsTensor *t);
PTS_INTERNAL void pts_trace_index_clear(void);

/* torch.jit.fork while tracing: begin opens a prim::fork node in the current frame (the forked
 * call's ops are recorded into its body), end closes it with `result` as the body's output and
 * gives a token for its future; abort drops the innermost open fork's state (the node stays, dead,
 * for the error path only). wait records aten::wait on the token's future and maps result's
 * tensors to its output (a token of another frame records nothing). */
PTS_INTERNAL PtsStatus pts_trace_fork_begin(PtsError *err);
PTS_INTERNAL PtsStatus pts_trace_fork_end(PtsValue result, PtsError *err, int64_t *token);
PTS_INTERNAL void pts_trace_fork_abort(void);
PTS_INTERNAL PtsStatus pts_trace_wait(int64_t token, PtsValue result, PtsError *err);

#endif
