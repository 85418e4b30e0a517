/* pool.c: the process's thread budget and the worker pool behind pts_parallel_run.
 * Workers sleep on a condition variable between jobs (no spinning: an idle pyts costs no CPU
 * beside a busy neighbour); a job is a stack-allocated record the caller waits on, so nothing is
 * allocated per call. The caller always runs pieces too, so a pool that could not start a thread
 * degrades to running everything inline. */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 256

typedef struct Job {
    PtsParallelFn fn;
    void *ctx;
    int64_t n;
    int pieces;
    int next;          /* next piece to hand out (under lock) */
    int done;          /* pieces finished (under lock) */
    struct Job *qnext; /* queue link while pieces remain to hand out */
} Job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static Job *queue;         /* jobs with pieces not yet handed out */
static int nworkers;       /* workers started (under lock) */
static atomic_int budget;  /* 0 until first asked */
static atomic_int active;  /* kernels inside pts_parallel_enter/leave */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* The default budget: OMP_NUM_THREADS when set (PyTorch's convention), else the CPUs this process
 * may run on (affinity mask, so taskset and cpusets are honoured). */
static int default_budget(void) {
    const char *env = getenv("OMP_NUM_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 1) return v > MAX_THREADS ? MAX_THREADS : (int)v;
    }
    int n = pts_cpu_count();
    return n > MAX_THREADS ? MAX_THREADS : n;
}

int pts_cpu_count(void) {
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n < 1) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c < 1 ? 1 : (int)c;
    }
    return n;
}

int pts_num_threads(void) {
    int b = atomic_load_explicit(&budget, memory_order_relaxed);
    if (PTS_LIKELY(b)) return b;
    int expected = 0;
    atomic_compare_exchange_strong(&budget, &expected, default_budget());
    return atomic_load(&budget);
}

void pts_set_num_threads(int n) {
    if (n < 1) n = 1;
    if (n > MAX_THREADS) n = MAX_THREADS;
    atomic_store(&budget, n);
}

int pts_parallel_enter(void) {
    int a = atomic_fetch_add(&active, 1) + 1;
    int s = pts_num_threads() / a;
    return s < 1 ? 1 : s;
}

void pts_parallel_leave(void) { atomic_fetch_sub(&active, 1); }

/* Hands out the next piece of j, unlinking it once all are out. Under lock. */
static int take_piece(Job *j) {
    if (j->next >= j->pieces) return -1;
    int p = j->next++;
    if (j->next == j->pieces) {
        for (Job **pp = &queue; *pp; pp = &(*pp)->qnext)
            if (*pp == j) { *pp = j->qnext; break; }
    }
    return p;
}

static void run_piece(Job *j, int p) {
    int64_t b = j->n * p / j->pieces, e = j->n * (p + 1) / j->pieces;
    if (e > b) j->fn(j->ctx, b, e);
}

static void *worker_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!queue) pthread_cond_wait(&work_cv, &lock);
        Job *j = queue;
        int p = take_piece(j);
        pthread_mutex_unlock(&lock);
        run_piece(j, p);
        pthread_mutex_lock(&lock);
        if (++j->done == j->pieces) pthread_cond_broadcast(&done_cv);
    }
    return NULL;
}

/* A forked child has only the forking thread: forget the workers and start afresh. */
static void atfork_prepare(void) { pthread_mutex_lock(&lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&lock); }
static void atfork_child(void) {
    pthread_mutex_t l = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    lock = l;
    work_cv = c;
    done_cv = c;
    queue = NULL;
    nworkers = 0;
    atomic_store(&active, 0);
}
static void register_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

/* Starts workers until `want` exist. Under lock. Workers block all signals, so signal handlers
 * (Python's included) keep running on the threads that expect them. */
static void start_workers(int want) {
    if (nworkers >= want) return;
    pthread_once(&atfork_once, register_atfork);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        while (nworkers < want) {
            pthread_t t;
            if (pthread_create(&t, &attr, worker_main, NULL) != 0) break;
            nworkers++;
        }
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void pts_parallel_run(int64_t n, int pieces, PtsParallelFn fn, void *ctx) {
    if (n <= 0) return;
    if (pieces > n) pieces = (int)n;
    if (pieces <= 1) { fn(ctx, 0, n); return; }
    Job j = { fn, ctx, n, pieces, 0, 0, NULL };
    pthread_mutex_lock(&lock);
    start_workers(pieces - 1 > MAX_THREADS ? MAX_THREADS : pieces - 1);
    if (nworkers > 0) {
        Job **tail = &queue;
        while (*tail) tail = &(*tail)->qnext;
        *tail = &j;
        pthread_cond_broadcast(&work_cv);
    } else {
        j.next = pieces;   /* no workers: the caller runs everything below */
        pthread_mutex_unlock(&lock);
        for (int p = 0; p < pieces; p++) run_piece(&j, p);
        return;
    }
    for (;;) {
        int p = take_piece(&j);
        if (p < 0) break;
        pthread_mutex_unlock(&lock);
        run_piece(&j, p);
        pthread_mutex_lock(&lock);
        j.done++;
    }
    while (j.done < j.pieces) pthread_cond_wait(&done_cv, &lock);
    pthread_mutex_unlock(&lock);
}
