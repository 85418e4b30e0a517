/* pool.h: the thread budget of the process and a small worker pool for data-parallel kernels.
 * The budget (pts_num_threads) is shared by every concurrent caller: a kernel entered while k other
 * kernels are running gets budget/(k+1) threads, so N Python threads serving requests each run
 * single-threaded instead of oversubscribing the machine, and one caller alone gets all of it. */
#ifndef PTS_POOL_H
#define PTS_POOL_H

#include "base.h"

/* fn runs on the half-open range [begin, end) of piece indices. */
typedef void (*PtsParallelFn)(void *ctx, int64_t begin, int64_t end);

PTS_INTERNAL int pts_num_threads(void);
/* The CPUs this process may run on (its affinity mask: taskset and cpusets are honoured). */
PTS_INTERNAL int pts_cpu_count(void);
PTS_INTERNAL void pts_set_num_threads(int n);

/* Split [0, n) into at most `pieces` contiguous ranges and run fn on each, the calling thread
 * taking one of them; returns when all are done. pieces <= 1 runs fn(ctx, 0, n) inline. Never
 * fails: if a worker cannot be started, the caller runs the ranges itself. */
PTS_INTERNAL void pts_parallel_run(int64_t n, int pieces, PtsParallelFn fn, void *ctx);

/* Bracket a kernel that runs now: enter returns its share of the budget (>= 1), budget divided
 * by the kernels running at that moment, itself included. */
PTS_INTERNAL int pts_parallel_enter(void);
PTS_INTERNAL void pts_parallel_leave(void);

/* ---- the inter-op pool (interop.c): tasks of torch.jit.fork ---- */
typedef void (*PtsTaskFn)(void *arg);
/* The pool's thread count: the one set, else the machine's cores (torch's default). */
PTS_INTERNAL int pts_num_interop_threads(void);
/* Fix the count before first use: 0, or -1 when n < 1 or it was already set or used. */
PTS_INTERNAL int pts_set_num_interop_threads(int n);
/* Queue fn(arg) for a worker (false: out of memory, nothing queued). Workers start on demand;
 * if none can, the task stays queued: its submitter must be able to run it itself. */
PTS_INTERNAL bool pts_interop_submit(PtsTaskFn fn, void *arg);

#endif
