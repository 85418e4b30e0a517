/* future.c: the Future[T] value made by torch.jit.fork (prim::fork) and read by aten::wait, and
 * the Await[T] of torch.jit._awaitable (prim::awaitable / prim::awaitable_wait): one refcounted
 * heap value (PTS_V_HEAP, known by its destroy function) completed once with a value or an error.
 * A future may carry its task: a fork's is queued on the inter-op pool (csrc/base/interop.c), an
 * await's runs at its first wait. A waiter that finds the task not yet taken runs it inline (so
 * forks nested deeper than the pool has threads never deadlock); otherwise it blocks on the
 * condition variable, through the block hook (the Python layer releases the GIL there). */
#include <pthread.h>
#include <stdio.h>

#include "ir.h"
#include "../base/pool.h"

enum { T_NONE, T_QUEUED, T_RUNNING };

struct PtsFuture {
    PtsHeap h;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    bool is_await;
    uint8_t task;               /* T_*: the task's state, under mu */
    bool grad;                  /* the forking thread's grad mode, the task's too (torch's
                                 * at::launch carries the thread-local state to the task) */
    PtsFutureTaskFn fn;         /* the task, with its context (owned, dropped after it ran) */
    void *ctx;
    PtsFutureCtxFree drop;
    PtsValue value;             /* owned, once done without error */
    PtsStatus code;             /* PTS_OK or the error's code */
    char *msg;                  /* the error's message (owned) */
};

void *(*pts_future_block_begin)(void) = NULL;
void (*pts_future_block_end)(void *state) = NULL;
void (*pts_future_task_failed)(void) = NULL;

static void future_destroy(PtsHeap *h) {
    PtsFuture *f = (PtsFuture *)h;
    /* an await never waited for: its task never runs */
    if (f->drop && f->ctx) f->drop(f->ctx);
    pts_value_release(&f->value);
    pts_free(f->msg);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    pts_free(f);
}

static PtsFuture *as_future(PtsValue v) {
    return v.tag == PTS_V_HEAP && v.u.h->destroy == future_destroy ? (PtsFuture *)v.u.h : NULL;
}

bool pts_is_future(PtsValue v) {
    PtsFuture *f = as_future(v);
    return f && !f->is_await;
}

bool pts_is_await(PtsValue v) {
    PtsFuture *f = as_future(v);
    return f && f->is_await;
}

static PtsStatus future_alloc(bool is_await, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsFuture *f = pts_calloc(1, sizeof *f);
    if (!f) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (pthread_mutex_init(&f->mu, NULL)) { pts_free(f); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    if (pthread_cond_init(&f->cv, NULL)) {
        pthread_mutex_destroy(&f->mu);
        pts_free(f);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    atomic_init(&f->h.refcnt, 1);
    f->h.destroy = future_destroy;
    f->value = pts_none();
    f->is_await = is_await;
    out->tag = PTS_V_HEAP;
    out->u.h = &f->h;
    return PTS_OK;
}

PtsStatus pts_future_new(PtsError *err, PtsValue *out) { return future_alloc(false, err, out); }
PtsStatus pts_await_new(PtsError *err, PtsValue *out) { return future_alloc(true, err, out); }

static void complete(PtsFuture *f, PtsValue v, PtsStatus code, char *msg) {
    pthread_mutex_lock(&f->mu);
    if (f->done) {   /* once only: a second completion is dropped */
        pthread_mutex_unlock(&f->mu);
        pts_value_release(&v);
        pts_free(msg);
        return;
    }
    f->value = v;
    f->code = code;
    f->msg = msg;
    f->done = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void pts_future_set_value(PtsValue fv, PtsValue v) {
    PtsFuture *f = as_future(fv);
    if (!f) { pts_value_release(&v); return; }
    complete(f, v, PTS_OK, NULL);
}

static void set_error(PtsFuture *f, const PtsError *e) {
    /* without memory for the message, the error still completes the future (msg NULL) */
    complete(f, pts_none(), e->code ? e->code : PTS_ERR_RUNTIME, pts_strdup(e->msg));
}

void pts_future_set_error(PtsValue fv, const PtsError *e) {
    PtsFuture *f = as_future(fv);
    if (f) set_error(f, e);
}

/* Runs f's task on this thread (the caller claimed it: T_RUNNING), under the forking thread's
 * grad mode, and completes f. */
static void run_task(PtsFuture *f) {
    bool grad = pts_tls_grad_enabled;
    pts_tls_grad_enabled = f->grad;
    PtsError e;
    pts_error_clear(&e);
    PtsValue r = pts_none();
    PtsStatus st = f->fn(f->ctx, &e, &r);
    pts_tls_grad_enabled = grad;
    void *ctx = f->ctx;
    f->ctx = NULL;   /* only the claimer touches ctx once claimed */
    if (f->drop) f->drop(ctx);
    if (st) {
        pts_value_release(&r);
        if (pts_future_task_failed) pts_future_task_failed();
        set_error(f, &e);
    } else {
        complete(f, r, PTS_OK, NULL);
    }
}

static bool claim(PtsFuture *f) {
    pthread_mutex_lock(&f->mu);
    bool mine = f->task == T_QUEUED;
    if (mine) f->task = T_RUNNING;
    pthread_mutex_unlock(&f->mu);
    return mine;
}

/* the pool's entry: the queue's reference to the future is released here */
static void pool_entry(void *arg) {
    PtsFuture *f = arg;
    if (claim(f)) run_task(f);
    pts_heap_release(&f->h);
}

PtsStatus pts_future_task(PtsFutureTaskFn fn, void *ctx, PtsFutureCtxFree drop, bool lazy, PtsError *err,
                          PtsValue *out) {
    PtsStatus st = future_alloc(lazy, err, out);
    if (st) {
        if (drop) drop(ctx);
        return st;
    }
    PtsFuture *f = as_future(*out);
    f->fn = fn;
    f->ctx = ctx;
    f->drop = drop;
    f->grad = pts_tls_grad_enabled;
    f->task = T_QUEUED;
    /* the queue holds a reference until a worker has taken the task (or found it claimed); if it
     * cannot be queued the first wait runs it */
    if (!lazy && !pts_interop_submit(pool_entry, pts_heap_retain(&f->h))) pts_heap_release(&f->h);
    return PTS_OK;
}

PtsStatus pts_await_nowait(PtsValue v, PtsError *err, PtsValue *out) {
    PtsStatus st = future_alloc(true, err, out);
    if (st) { pts_value_release(&v); return st; }
    complete(as_future(*out), v, PTS_OK, NULL);
    return PTS_OK;
}

bool pts_future_done(PtsValue fv) {
    PtsFuture *f = as_future(fv);
    if (!f) return false;
    pthread_mutex_lock(&f->mu);
    bool d = f->done;
    pthread_mutex_unlock(&f->mu);
    return d;
}

/* Waits for f to complete: runs its task if nobody has taken it, else blocks (GIL released). */
static void await_done(PtsFuture *f) {
    if (claim(f)) { run_task(f); return; }
    pthread_mutex_lock(&f->mu);
    if (f->done) { pthread_mutex_unlock(&f->mu); return; }
    pthread_mutex_unlock(&f->mu);
    void *hs = pts_future_block_begin ? pts_future_block_begin() : NULL;
    pthread_mutex_lock(&f->mu);
    while (!f->done) pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    if (pts_future_block_end) pts_future_block_end(hs);
}

PtsStatus pts_future_wait_raw(PtsValue fv, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsFuture *f = as_future(fv);
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "wait() expects a Future");
    await_done(f);
    /* done is final: value/code/msg no longer change */
    if (f->code) {
        if (f->code == PTS_ERR_NOMEM) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return pts_fail(err, f->code, "%s", f->msg ? f->msg : "(message lost: out of memory)");
    }
    *out = pts_value_retain(f->value);
    return PTS_OK;
}

PtsStatus pts_future_wait(PtsValue fv, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsFuture *f = as_future(fv);
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "wait() expects a Future");
    await_done(f);
    if (f->code) {
        /* torch's interpreter rethrows a forked task's failure as a RuntimeError naming it */
        if (f->code == PTS_ERR_NOMEM) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return pts_fail(err, PTS_ERR_RUNTIME, "The following operation failed in the TorchScript interpreter.\n%s",
                        f->msg ? f->msg : "(message lost: out of memory)");
    }
    *out = pts_value_retain(f->value);
    return PTS_OK;
}
