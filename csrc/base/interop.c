/* interop.c: the inter-op task pool behind torch.jit.fork (torch's at::launch pool): a FIFO of
 * tasks run by num_interop_threads detached workers, started on demand. The count is fixed at
 * first use, as torch's: set_num_interop_threads afterwards fails. A task is a function and its
 * argument; whoever queued it (csrc/ir/future.c) arranges for a waiter to run it inline when no
 * worker has taken it yet, so a full pool never deadlocks on nested forks. */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#define MAX_INTEROP 256

typedef struct Task {
    PtsTaskFn fn;
    void *arg;
    struct Task *next;
} Task;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static Task *head, *tail;
static int nworkers, nidle, nqueued;   /* under lock */
static atomic_int wanted;       /* 0 unset, >0 set or fixed by first use */
static atomic_bool consumed;    /* the pool was used: the count can no longer change */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* torch's default: the machine's cores (OMP_NUM_THREADS is for intra-op only); the affinity mask
 * counts, so taskset and cpusets are honoured */
static int default_count(void) {
    int n = pts_cpu_count();
    return n > MAX_INTEROP ? MAX_INTEROP : n;
}

int pts_num_interop_threads(void) {
    int n = atomic_load(&wanted);
    return n > 0 ? n : default_count();
}

int pts_set_num_interop_threads(int n) {
    if (n < 1) return -1;
    if (n > MAX_INTEROP) n = MAX_INTEROP;
    int expected = 0;
    if (atomic_load(&consumed) || !atomic_compare_exchange_strong(&wanted, &expected, n)) return -1;
    return 0;
}

static void *worker_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head) pthread_cond_wait(&cv, &lock);
        Task *t = head;
        head = t->next;
        if (!head) tail = NULL;
        nqueued--;
        nidle--;
        pthread_mutex_unlock(&lock);
        t->fn(t->arg);
        pts_free(t);
        pthread_mutex_lock(&lock);
        nidle++;
    }
    return NULL;
}

/* A forked child process has only the forking thread: forget the workers and the queue. */
static void atfork_prepare(void) { pthread_mutex_lock(&lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&lock); }
static void atfork_child(void) {
    pthread_mutex_t l = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    lock = l;
    cv = c;
    head = tail = NULL;   /* queued tasks belong to the parent's threads: dropped (leaked) */
    nworkers = nidle = nqueued = 0;
}
static void register_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

/* one more worker, signals blocked (Python's handlers stay on its main thread). Under lock. */
static void start_worker(void) {
    pthread_once(&atfork_once, register_atfork);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        if (pthread_create(&t, &attr, worker_main, NULL) == 0) {
            nworkers++;
            nidle++;
        }
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

bool pts_interop_submit(PtsTaskFn fn, void *arg) {
    Task *t = pts_malloc(sizeof *t);
    if (!t) return false;
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    if (!atomic_load(&consumed)) {
        /* fix the count now (torch's pool takes the default at first use too) */
        int expected = 0;
        atomic_compare_exchange_strong(&wanted, &expected, default_count());
        atomic_store(&consumed, true);
    }
    pthread_mutex_lock(&lock);
    if (tail) tail->next = t;
    else head = t;
    tail = t;
    /* a queued task an idle worker will not take soon gets a new worker, up to the count; with
     * none started the task waits for its waiter, which runs it inline */
    nqueued++;
    if (nqueued > nidle && nworkers < atomic_load(&wanted)) start_worker();
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&lock);
    return true;
}
