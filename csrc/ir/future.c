/* future.c: the Future[T] value made by torch.jit.fork (prim::fork) and read by aten::wait.
 * A refcounted heap value (PTS_V_HEAP, known by its destroy function, as funcref.c's) completed
 * once with a value or an error; waiters block on a condition variable until it is, so a fork
 * may complete it from another thread. */
#include <pthread.h>
#include <stdio.h>

#include "ir.h"

struct PtsFuture {
    PtsHeap h;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    PtsValue value;             /* owned, once done without error */
    PtsStatus code;             /* PTS_OK or the error's code */
    char *msg;                  /* the error's message (owned) */
};

static void future_destroy(PtsHeap *h) {
    PtsFuture *f = (PtsFuture *)h;
    pts_value_release(&f->value);
    pts_free(f->msg);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    pts_free(f);
}

static PtsFuture *as_future(PtsValue v) {
    return v.tag == PTS_V_HEAP && v.u.h->destroy == future_destroy ? (PtsFuture *)v.u.h : NULL;
}

bool pts_is_future(PtsValue v) { return as_future(v) != NULL; }

PtsStatus pts_future_new(PtsError *err, PtsValue *out) {
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
    out->tag = PTS_V_HEAP;
    out->u.h = &f->h;
    return PTS_OK;
}

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

void pts_future_set_error(PtsValue fv, const PtsError *e) {
    PtsFuture *f = as_future(fv);
    if (!f) return;
    /* without memory for the message, the error still completes the future (msg NULL) */
    complete(f, pts_none(), e->code ? e->code : PTS_ERR_RUNTIME, pts_strdup(e->msg));
}

bool pts_future_done(PtsValue fv) {
    PtsFuture *f = as_future(fv);
    if (!f) return false;
    pthread_mutex_lock(&f->mu);
    bool d = f->done;
    pthread_mutex_unlock(&f->mu);
    return d;
}

PtsStatus pts_future_wait(PtsValue fv, PtsError *err, PtsValue *out) {
    *out = pts_none();
    PtsFuture *f = as_future(fv);
    if (!f) return pts_fail(err, PTS_ERR_RUNTIME, "wait() expects a Future");
    pthread_mutex_lock(&f->mu);
    while (!f->done) pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    /* done is final: value/code/msg no longer change */
    if (f->code) {
        /* torch's interpreter rethrows a forked task's failure as a RuntimeError naming it */
        if (f->code == PTS_ERR_NOMEM) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        return pts_fail(err, PTS_ERR_RUNTIME, "The following operation failed in the TorchScript interpreter.\n%s",
                        f->msg ? f->msg : "(message lost: out of memory)");
    }
    *out = pts_value_retain(f->value);
    return PTS_OK;
}
