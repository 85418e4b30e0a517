/* random.h: pseudo-random number generators of the ops layer. A PtsGenerator is a refcounted heap
 * value (PTS_V_GENERATOR) running the engine of PyTorch's CPU generator (mt19937 with its seeding
 * and its cached Box-Muller sample), and the samplers below fill tensors the way ATen's CPU
 * kernels do, so that a stream after manual_seed(n) equals torch's. */
#ifndef PTS_RANDOM_H
#define PTS_RANDOM_H

#include <pthread.h>

#include "value.h"

#define PTS_MT_N 624                              /* mt19937 state words */
#define PTS_DEFAULT_RNG_SEED 67280421310721ULL    /* seed of a fresh torch.Generator() */
#define PTS_RNG_STATE_SIZE 5056                   /* bytes of torch.get_rng_state() */

typedef struct PtsGenerator {
    PtsHeap h;                 /* refcount header; tag PTS_V_GENERATOR */
    pthread_mutex_t mu;        /* guards every field below: generators are shared by threads */
    uint64_t seed;             /* the seed given to manual_seed (initial_seed()) */
    int left;                  /* draws left before the next twist, 1..PTS_MT_N */
    int next;                  /* index of the next state word to temper */
    uint32_t state[PTS_MT_N];  /* mt19937 state */
    bool has_next_double;      /* Box-Muller's second sample is cached (double samplers) */
    double next_double;
    bool has_next_float;       /* the float twin, kept only for get_state / set_state */
    float next_float;
} PtsGenerator;

/* A new generator seeded with seed (owned, +1). */
PTS_INTERNAL PtsStatus pts_generator_new(uint64_t seed, PtsError *err, PtsGenerator **out);
/* The process-wide default generator (borrowed; never freed). Seeded nondeterministically on first
 * use, like torch's default_generator. */
PTS_INTERNAL PtsGenerator *pts_generator_default(void);
/* The generator an op argument names: NONE means the default one. Borrowed. */
PTS_INTERNAL PtsGenerator *pts_generator_arg(PtsValue v);
static inline PtsGenerator *pts_generator_retain(PtsGenerator *g) {
    pts_heap_retain(&g->h);
    return g;
}
static inline void pts_generator_release(PtsGenerator *g) { if (g) pts_heap_release(&g->h); }

PTS_INTERNAL void pts_generator_manual_seed(PtsGenerator *g, uint64_t seed);
PTS_INTERNAL uint64_t pts_generator_initial_seed(PtsGenerator *g);
/* Reseed from a nondeterministic source; returns the new seed. */
PTS_INTERNAL uint64_t pts_generator_seed(PtsGenerator *g);
/* The state as torch lays it out (CPUGeneratorImplState), PTS_RNG_STATE_SIZE bytes. */
PTS_INTERNAL void pts_generator_get_state(PtsGenerator *g, uint8_t *out);
PTS_INTERNAL PtsStatus pts_generator_set_state(PtsGenerator *g, const uint8_t *st, int64_t n,
                                               PtsError *err);

/* ---- samplers: each locks g, writes every element of t (any strides) in the order ATen's
 * TensorIterator visits them, and bumps t's version. Argument checks are the caller's. ---- */
/* uniform on [from, to): floating dtypes only */
PTS_INTERNAL PtsStatus pts_sample_uniform_(PtsTensor *t, double from, double to, PtsGenerator *g,
                                           PtsError *err);
/* normal(mean, std): floating dtypes only */
PTS_INTERNAL PtsStatus pts_sample_normal_(PtsTensor *t, double mean, double std, PtsGenerator *g,
                                          PtsError *err);
/* integers base + [0, range): every dtype */
PTS_INTERNAL PtsStatus pts_sample_int_(PtsTensor *t, uint64_t range, int64_t base,
                                       PtsGenerator *g, PtsError *err);
/* a random permutation of 0..n-1 into a new 1-d int64 tensor */
PTS_INTERNAL PtsStatus pts_sample_perm(int64_t n, PtsGenerator *g, PtsError *err, PtsTensor **out);
/* 1 with probability p, else 0 */
PTS_INTERNAL PtsStatus pts_sample_bernoulli_p_(PtsTensor *t, double p, PtsGenerator *g,
                                               PtsError *err);
/* 1 with probability p[i] (p broadcast to t's shape, floating dtype, values in [0, 1]) */
PTS_INTERNAL PtsStatus pts_sample_bernoulli_tensor_(PtsTensor *t, const PtsTensor *p,
                                                    PtsGenerator *g, PtsError *err);

/* The order ATen's TensorIterator visits t's dims in, outermost first (order[0]): dims sorted by
 * stride, broadcast dims and ties left in place. empty_like lays out its result by it too. */
PTS_INTERNAL void pts_visit_order(const PtsTensor *t, int *order);

/* PyTorch's name of a dtype in dispatch errors: "Float", "Long", "Half", ... */
PTS_INTERNAL const char *pts_dtype_torch_name(PtsDType d);

#endif
