/* random.c: the generator (PyTorch's CPU engine: mt19937 seeded as at::mt19937 does, 64-bit draws
 * as two 32-bit ones high word first, a cached second Box-Muller sample) and the samplers that fill
 * tensors. Each sampler follows the algorithm of ATen's CPU kernel for the same op, including
 * which draws it takes, the order it visits elements in and where its floating-point arithmetic
 * rounds, so that seeded streams reproduce torch's bit for bit (see the notes at each sampler). */
#include <fcntl.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "random.h"

/* ================= engine ================= */
#define MT_M 397

static void mt_seed(PtsGenerator *g, uint64_t seed) {
    g->seed = seed;
    g->state[0] = (uint32_t)seed;  /* only the low 32 bits reach the engine, as in ATen */
    for (int j = 1; j < PTS_MT_N; j++)
        g->state[j] = 1812433253u * (g->state[j - 1] ^ (g->state[j - 1] >> 30)) + (uint32_t)j;
    g->left = 1;
    g->next = 0;
    g->has_next_double = g->has_next_float = false;
    g->next_double = 0;
    g->next_float = 0;
}

static inline uint32_t mt_twist(uint32_t u, uint32_t v) {
    uint32_t mix = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (mix >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
}

static void mt_next_state(PtsGenerator *g) {
    uint32_t *s = g->state;
    int k = 0;
    for (; k < PTS_MT_N - MT_M; k++) s[k] = s[k + MT_M] ^ mt_twist(s[k], s[k + 1]);
    for (; k < PTS_MT_N - 1; k++) s[k] = s[k + MT_M - PTS_MT_N] ^ mt_twist(s[k], s[k + 1]);
    s[k] = s[k + MT_M - PTS_MT_N] ^ mt_twist(s[k], s[0]);
    g->left = PTS_MT_N;
    g->next = 0;
}

/* CPUGeneratorImpl::random() */
static inline uint32_t rng_u32(PtsGenerator *g) {
    if (--g->left == 0) mt_next_state(g);
    uint32_t y = g->state[g->next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* CPUGeneratorImpl::random64(): the first draw is the high word */
static inline uint64_t rng_u64(PtsGenerator *g) {
    uint64_t hi = rng_u32(g);
    uint64_t lo = rng_u32(g);
    return (hi << 32) | lo;
}

/* uniform_real_distribution<T>(0, 1) before scaling: the low `digits` bits of a draw */
static inline float unit_f32(PtsGenerator *g) { return (float)(rng_u32(g) & 0xffffffu) * 0x1p-24f; }
static inline double unit_f64(PtsGenerator *g) {
    return (double)(rng_u64(g) & ((UINT64_C(1) << 53) - 1)) * 0x1p-53;
}

/* ================= generator objects ================= */
static void gen_destroy(PtsHeap *h) {
    PtsGenerator *g = (PtsGenerator *)h;
    pthread_mutex_destroy(&g->mu);
    pts_free(g);
}

PtsStatus pts_generator_new(uint64_t seed, PtsError *err, PtsGenerator **out) {
    *out = NULL;
    PtsGenerator *g = pts_malloc(sizeof *g);
    if (!g) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&g->h.refcnt, 1);
    g->h.destroy = gen_destroy;
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        pts_free(g);
        return pts_fail(err, PTS_ERR_RUNTIME, "cannot create a generator mutex");
    }
    mt_seed(g, seed);
    *out = g;
    return PTS_OK;
}

/* 53 random bits, as c10 masks them so that a seed survives a round trip through a double */
static uint64_t nondeterministic_seed(void) {
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    bool ok = false;
    if (fd >= 0) {
        ok = read(fd, &s, sizeof s) == (ssize_t)sizeof s;
        close(fd);
    }
    if (!ok) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&s;
    }
    return s & ((UINT64_C(1) << 53) - 1);
}

/* The default generator is static storage: its base reference is never dropped. */
static PtsGenerator default_gen;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static void default_destroy(PtsHeap *h) { (void)h; }
static void default_init(void) {
    atomic_init(&default_gen.h.refcnt, 1);
    default_gen.h.destroy = default_destroy;
    pthread_mutex_init(&default_gen.mu, NULL);
    mt_seed(&default_gen, nondeterministic_seed());
}

PtsGenerator *pts_generator_default(void) {
    pthread_once(&default_once, default_init);
    return &default_gen;
}

PtsGenerator *pts_generator_arg(PtsValue v) {
    if (v.tag == PTS_V_GENERATOR && v.u.h) return (PtsGenerator *)v.u.h;
    return pts_generator_default();
}

void pts_generator_manual_seed(PtsGenerator *g, uint64_t seed) {
    pthread_mutex_lock(&g->mu);
    mt_seed(g, seed);
    pthread_mutex_unlock(&g->mu);
}

uint64_t pts_generator_initial_seed(PtsGenerator *g) {
    pthread_mutex_lock(&g->mu);
    uint64_t s = g->seed;
    pthread_mutex_unlock(&g->mu);
    return s;
}

uint64_t pts_generator_seed(PtsGenerator *g) {
    uint64_t s = nondeterministic_seed();
    pts_generator_manual_seed(g, s);
    return s;
}

/* CPUGeneratorImplState byte offsets (x86-64 / aarch64 layout of the C++ struct) */
enum {
    ST_SEED = 0, ST_LEFT = 8, ST_SEEDED = 12, ST_NEXT = 16, ST_STATE = 24,
    ST_NORMAL_Y = 24 + 8 * PTS_MT_N + 8, ST_NORMAL_VALID = 24 + 8 * PTS_MT_N + 24,
    ST_FLOAT = 24 + 8 * PTS_MT_N + 32, ST_FLOAT_VALID = ST_FLOAT + 4,
};
_Static_assert(ST_FLOAT_VALID + 4 == PTS_RNG_STATE_SIZE, "state layout");

void pts_generator_get_state(PtsGenerator *g, uint8_t *out) {
    memset(out, 0, PTS_RNG_STATE_SIZE);
    pthread_mutex_lock(&g->mu);
    int32_t left = g->left, seeded = 1, valid = g->has_next_double;
    uint64_t next = (uint64_t)g->next;
    memcpy(out + ST_SEED, &g->seed, 8);
    memcpy(out + ST_LEFT, &left, 4);
    memcpy(out + ST_SEEDED, &seeded, 4);
    memcpy(out + ST_NEXT, &next, 8);
    for (int i = 0; i < PTS_MT_N; i++) {
        uint64_t w = g->state[i];  /* the legacy layout stores each word in 64 bits */
        memcpy(out + ST_STATE + 8 * i, &w, 8);
    }
    if (valid) memcpy(out + ST_NORMAL_Y, &g->next_double, 8);
    memcpy(out + ST_NORMAL_VALID, &valid, 4);
    if (g->has_next_float) {
        memcpy(out + ST_FLOAT, &g->next_float, 4);
        out[ST_FLOAT_VALID] = 1;
    }
    pthread_mutex_unlock(&g->mu);
}

PtsStatus pts_generator_set_state(PtsGenerator *g, const uint8_t *st, int64_t n, PtsError *err) {
    PTS_CHECK(n == PTS_RNG_STATE_SIZE, err, RUNTIME,
              "Expected a CPUGeneratorImplState of size %d but found the input RNG state size to be %lld",
              PTS_RNG_STATE_SIZE, (long long)n);
    uint64_t seed, next;
    int32_t left, seeded, valid;
    memcpy(&seed, st + ST_SEED, 8);
    memcpy(&left, st + ST_LEFT, 4);
    memcpy(&seeded, st + ST_SEEDED, 4);
    memcpy(&next, st + ST_NEXT, 8);
    memcpy(&valid, st + ST_NORMAL_VALID, 4);
    /* ATen narrows next to 32 bits and seeded to a bool before validating */
    PTS_CHECK((seeded & 0xff) != 0 && left > 0 && left <= PTS_MT_N && (uint32_t)next <= PTS_MT_N,
              err, RUNTIME, "Invalid mt19937 state");
    pthread_mutex_lock(&g->mu);
    g->seed = seed;
    g->left = left;
    g->next = (int)(uint32_t)next;
    for (int i = 0; i < PTS_MT_N; i++) {
        uint64_t w;
        memcpy(&w, st + ST_STATE + 8 * i, 8);
        g->state[i] = (uint32_t)w;
    }
    g->has_next_double = valid != 0;
    g->next_double = 0;
    if (valid) memcpy(&g->next_double, st + ST_NORMAL_Y, 8);
    g->has_next_float = st[ST_FLOAT_VALID] != 0;
    g->next_float = 0;
    if (g->has_next_float) memcpy(&g->next_float, st + ST_FLOAT, 4);
    pthread_mutex_unlock(&g->mu);
    return PTS_OK;
}

const char *pts_dtype_torch_name(PtsDType d) {
    return pts_dtype_scalar_name((PtsDType)(d), "?");
}

/* ================= visiting order =================
 * A sampler draws one value per element in the order ATen's TensorIterator visits the output:
 * memory order for a permuted tensor, logical order otherwise. The iterator sorts dims by stride
 * with an insertion sort that leaves broadcast (stride 0) dims and ties where they are; this is
 * that sort. The samplers below fill a contiguous buffer in draw order and scatter it into the
 * tensor seen through the permuted view. */
static int should_swap(const PtsTensor *t, int a, int b) {
    int64_t s0 = t->strides[a], s1 = t->strides[b];
    if (s0 == 0 || s1 == 0) return 0;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    return t->shape[a] > t->shape[b] ? 1 : 0;
}

/* order[k] is the dim of t visited k-th from the outside */
void pts_visit_order(const PtsTensor *t, int *order) {
    int nd = t->ndim, perm[PTS_MAX_DIMS];   /* perm[0] is the innermost dim */
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    for (int i = 1; i < nd; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int c = should_swap(t, perm[d0], perm[d1]);
            if (c > 0) {
                int tmp = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = tmp;
                d1 = d0;
            } else if (c < 0) {
                break;
            }
        }
    }
    for (int k = 0; k < nd; k++) order[k] = perm[nd - 1 - k];
}

static PtsStatus permuted_view(PtsTensor *t, const int *order, PtsError *err, PtsTensor **out) {
    int64_t shape[PTS_MAX_DIMS], strides[PTS_MAX_DIMS];
    for (int k = 0; k < t->ndim; k++) {
        shape[k] = t->shape[order[k]];
        strides[k] = t->strides[order[k]];
    }
    return pts_tensor_view(t, t->ndim, shape, strides, t->offset, err, out);
}

static PtsStatus visiting_view(PtsTensor *t, PtsError *err, PtsTensor **out) {
    int order[PTS_MAX_DIMS];
    pts_visit_order(t, order);
    return permuted_view(t, order, err, out);
}

typedef void (*FillFn)(char *data, int64_t n, PtsDType dt, void *ctx);

/* Run fn over n elements in visiting order: straight into t when it is contiguous, else into a
 * buffer that is then copied through the visiting view. The caller holds the generator lock. */
static PtsStatus fill_in_order(PtsTensor *t, FillFn fn, void *ctx, PtsError *err) {
    int64_t n = pts_numel(t);
    if (n == 0) return PTS_OK;
    if (pts_tensor_is_contiguous(t)) {
        fn(pts_tensor_data(t), n, t->dtype, ctx);
        pts_tensor_bump_version(t);
        return PTS_OK;
    }
    PtsTensor *view = NULL, *buf = NULL;
    PtsStatus s = visiting_view(t, err, &view);
    if (!s) s = pts_tensor_new(t->dtype, view->ndim, view->shape, err, &buf);
    if (!s) {
        fn(pts_tensor_data(buf), n, t->dtype, ctx);
        s = pts_tensor_copy_(view, buf, err);
    }
    pts_tensor_release(view);
    pts_tensor_release(buf);
    return s;
}

/* ---- float results stored as float, Half or BFloat16 ---- */
static inline float round_to(PtsDType dt, float x) {
    if (dt == PTS_FLOAT16) return pts_half_to_float(pts_float_to_half(x));
    if (dt == PTS_BFLOAT16) return pts_bf16_to_float(pts_float_to_bf16(x));
    return x;
}
static inline void store_f32(PtsDType dt, char *p, float v) {
    if (dt == PTS_FLOAT16) *(uint16_t *)p = pts_float_to_half(v);
    else if (dt == PTS_BFLOAT16) *(uint16_t *)p = pts_float_to_bf16(v);
    else *(float *)p = v;
}
/* ================= uniform =================
 * uniform_real_distribution: x = (draw & (2^digits - 1)) * 2^-digits, then x * (to - from) + from,
 * which the AVX2 build of ATen contracts into one fma. double uses 53 bits of a 64-bit draw;
 * float, Half and BFloat16 all compute in float with 24 bits of a 32-bit draw, Half and BFloat16
 * rounding the float result once. A result that rounds up to `to` is replaced by `from`, keeping
 * the interval half-open as ATen does. */
typedef struct UniformCtx { PtsGenerator *g; double from, to; } UniformCtx;

static void fill_uniform(char *d, int64_t n, PtsDType dt, void *vctx) {
    UniformCtx *c = vctx;
    PtsGenerator *g = c->g;
    if (dt == PTS_FLOAT64) {
        double from = c->from, to = c->to, range = to - from, *o = (double *)d;
        for (int64_t i = 0; i < n; i++) {
            double v = fma(unit_f64(g), range, from);
            o[i] = v >= to ? from : v;
        }
        return;
    }
    float from = (float)c->from, to = (float)c->to, range = to - from;
    if (dt == PTS_FLOAT32) {
        float *o = (float *)d;
        for (int64_t i = 0; i < n; i++) {
            float v = fmaf(unit_f32(g), range, from);
            o[i] = v >= to ? from : v;
        }
        return;
    }
    /* Half and BFloat16: the float computation, rounded to the element type before the check */
    float from_r = round_to(dt, from), to_r = round_to(dt, to);
    for (int64_t i = 0; i < n; i++) {
        float v = round_to(dt, fmaf(unit_f32(g), range, from));
        store_f32(dt, d + 2 * i, v >= to_r ? from_r : v);
    }
}

PtsStatus pts_sample_uniform_(PtsTensor *t, double from, double to, PtsGenerator *g, PtsError *err) {
    UniformCtx c = { g, from, to };
    pthread_mutex_lock(&g->mu);
    PtsStatus s = fill_in_order(t, fill_uniform, &c, err);
    pthread_mutex_unlock(&g->mu);
    return s;
}

/* ================= normal =================
 * ATen has three paths:
 *  - float32, contiguous, >= 16 elements: draw every element uniform on [0, 1), then turn each
 *    block of 16 into normals by Box-Muller, pairing element j with j + 8, with AVX2 and the
 *    Cephes-style log/sincos of avx_mathfun.h; a ragged tail redraws the last 16 elements and
 *    transforms them again. The emulation below repeats those float operations one lane at a
 *    time, with fma exactly where the compiled kernel has one.
 *  - Half/BFloat16, contiguous, >= 16 elements: the float32 blocks, but each block draws its
 *    uniforms just before its transform; rounded at the end.
 *  - double, contiguous, >= 16 elements: the same blocks in scalar double code.
 *  - everything else: normal_distribution<double> per element, whose second sample is cached in
 *    the generator and used by the next such draw. */

#define FMADD(a, b, c) __builtin_fmaf((a), (b), (c))

static inline float bits_f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t f_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* log256_ps for one lane (x > 0 here: x = 1 - u with u in [0, 1)) */
static inline __attribute__((always_inline)) float avx_log(float x) {
    bool invalid = x <= 0.0f;
    if (!(x >= bits_f(0x00800000u))) x = bits_f(0x00800000u);  /* max_ps keeps x when x is NaN */
    int32_t ex = (int32_t)(f_bits(x) >> 23);
    x = bits_f((f_bits(x) & ~0x7f800000u) | f_bits(0.5f));
    ex -= 0x7f;
    float e = (float)ex;
    e = e + 1.0f;
    bool m = x < 0.707106781186547524f;
    float tmp = m ? x : 0.0f;
    x = x - 1.0f;
    e = e - (m ? 1.0f : 0.0f);
    x = x + tmp;
    float z = x * x;
    float y = 7.0376836292E-2f;
    y = FMADD(y, x, -1.1514610310E-1f);
    y = FMADD(y, x, 1.1676998740E-1f);
    y = FMADD(y, x, -1.2420140846E-1f);
    y = FMADD(y, x, 1.4249322787E-1f);
    y = FMADD(y, x, -1.6668057665E-1f);
    y = FMADD(y, x, 2.0000714765E-1f);
    y = FMADD(y, x, -2.4999993993E-1f);
    y = FMADD(y, x, 3.3333331174E-1f);
    y = y * x;
    float eq1 = e * -2.12194440e-4f;
    y = FMADD(y, z, eq1);
    y = FMADD(-z, 0.5f, y);
    x = x + y;
    x = FMADD(e, 0.693359375f, x);
    return invalid ? bits_f(0xffffffffu) : x;
}

/* sincos256_ps for one lane */
static inline __attribute__((always_inline)) void avx_sincos(float x, float *s, float *c) {
    uint32_t sign_sin = f_bits(x) & 0x80000000u;
    x = bits_f(f_bits(x) & 0x7fffffffu);
    float y = x * 1.27323954473516f;
    int32_t j = (int32_t)y;  /* cvttps: x is a small non-negative angle here */
    j = (j + 1) & ~1;
    y = (float)j;
    uint32_t swap_sin = (uint32_t)(j & 4) << 29;
    bool poly = (j & 2) == 0;
    x = FMADD(y, -0.78515625f, x);
    x = FMADD(y, -2.4187564849853515625e-4f, x);
    x = FMADD(y, -3.77489497744594108e-8f, x);
    uint32_t sign_cos = (uint32_t)(~(j - 2) & 4) << 29;
    sign_sin ^= swap_sin;
    float z = x * x;
    float yc = 2.443315711809948E-005f;
    yc = FMADD(yc, z, -1.388731625493765E-003f);
    yc = FMADD(yc, z, 4.166664568298827E-002f);
    yc = yc * z;
    float half_z = z * 0.5f;
    yc = FMADD(yc, z, -half_z);
    yc = yc + 1.0f;
    float ys = -1.9515295891E-4f;
    ys = FMADD(ys, z, 8.3321608736E-3f);
    ys = FMADD(ys, z, -1.6666654611E-1f);
    ys = ys * z;
    ys = FMADD(ys, x, x);
    float sin2 = poly ? ys : 0.0f, sin1 = poly ? 0.0f : yc;
    ys = ys - sin2;
    yc = yc - sin1;
    *s = bits_f(f_bits(sin1 + sin2) ^ sign_sin);
    *c = bits_f(f_bits(yc + ys) ^ sign_cos);
}

static inline __attribute__((always_inline)) void normal16_body(float *d, float mean, float std) {
    const float two_pi = (float)(2.0 * M_PI);
    for (int j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j], u2 = d[j + 8];
        float radius = sqrtf(-2.0f * avx_log(u1));
        float theta = two_pi * u2;
        float sn, cs;
        avx_sincos(theta, &sn, &cs);
        float n1 = radius * cs, n2 = radius * sn;
        d[j] = FMADD(n1, std, mean);
        d[j + 8] = FMADD(n2, std, mean);
    }
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
/* Same code compiled for CPUs with fma, where __builtin_fmaf is one instruction; elsewhere it is
 * libm's correctly rounded fmaf, with identical results. */
__attribute__((target("fma"))) static void normal16_fma(float *d, float mean, float std) {
    normal16_body(d, mean, std);
}
static void normal16_soft(float *d, float mean, float std) { normal16_body(d, mean, std); }
static void normal16(float *d, float mean, float std) {
    static _Atomic int has_fma = -1;   /* probed once; every thread computes the same answer */
    int f = atomic_load_explicit(&has_fma, memory_order_relaxed);
    if (f < 0) {
        f = __builtin_cpu_supports("fma") ? 1 : 0;
        atomic_store_explicit(&has_fma, f, memory_order_relaxed);
    }
    if (f) normal16_fma(d, mean, std);
    else normal16_soft(d, mean, std);
}
#else
static void normal16(float *d, float mean, float std) { normal16_body(d, mean, std); }
#endif

static void normal_fill_f32(PtsGenerator *g, float *d, int64_t n, float mean, float std) {
    for (int64_t i = 0; i < n; i++) d[i] = unit_f32(g);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal16(d + i, mean, std);
    if (n % 16 != 0) {
        float *t = d + n - 16;
        for (int i = 0; i < 16; i++) t[i] = unit_f32(g);
        normal16(t, mean, std);
    }
}

/* Half/BFloat16: each block of 16 draws its own uniforms just before its transform (the float
 * path draws all first), so a ragged tail takes the next 16 draws; results rounded at the store */
static void normal_fill_chunked(PtsGenerator *g, float *d, int64_t n, float mean, float std) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 16; k++) d[i + k] = unit_f32(g);
        normal16(d + i, mean, std);
    }
    if (n % 16 != 0) {
        float *t = d + n - 16;
        for (int k = 0; k < 16; k++) t[k] = unit_f32(g);
        normal16(t, mean, std);
    }
}

/* normal_fill_16<double> */
static void normal16_f64(double *d, double mean, double std) {
    for (int j = 0; j < 8; j++) {
        double u1 = 1 - d[j], u2 = d[j + 8];
        double radius = sqrt(-2 * log(u1));
        double theta = 2.0 * M_PI * u2;
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

static void normal_fill_f64(PtsGenerator *g, double *d, int64_t n, double mean, double std) {
    for (int64_t i = 0; i < n; i++) d[i] = unit_f64(g);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal16_f64(d + i, mean, std);
    if (n % 16 != 0) {
        double *t = d + n - 16;
        for (int i = 0; i < 16; i++) t[i] = unit_f64(g);
        normal16_f64(t, mean, std);
    }
}

/* normal_distribution<double>: Box-Muller with a cached second sample */
static double normal_f64(PtsGenerator *g, double mean, double std) {
    double r;
    if (g->has_next_double) {
        r = g->next_double;
        g->has_next_double = false;
    } else {
        double u1 = unit_f64(g), u2 = unit_f64(g);
        double radius = sqrt(-2.0 * log1p(-u2));
        double theta = 2.0 * M_PI * u1;
        g->next_double = radius * sin(theta);
        g->has_next_double = true;
        r = radius * cos(theta);
    }
    return fma(r, std, mean);
}

typedef struct NormalCtx { PtsGenerator *g; double mean, std; } NormalCtx;

static void fill_normal_serial(char *d, int64_t n, PtsDType dt, void *vctx) {
    NormalCtx *c = vctx;
    size_t isz = pts_dtype_size(dt);
    for (int64_t i = 0; i < n; i++) pts_store_f64(dt, d + (size_t)i * isz, normal_f64(c->g, c->mean, c->std));
}

PtsStatus pts_sample_normal_(PtsTensor *t, double mean, double std, PtsGenerator *g, PtsError *err) {
    int64_t n = pts_numel(t);
    if (n == 0) return PTS_OK;
    PtsStatus s = PTS_OK;
    if (n >= 16 && pts_tensor_is_contiguous(t)) {
        float *w = NULL;
        if (t->dtype == PTS_FLOAT16 || t->dtype == PTS_BFLOAT16) {
            w = pts_malloc(sizeof(float) * (size_t)n);
            if (!w) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        }
        PtsDType dt = t->dtype;
        pthread_mutex_lock(&g->mu);
        char *d = pts_tensor_data(t);
        if (dt == PTS_FLOAT32) normal_fill_f32(g, (float *)d, n, (float)mean, (float)std);
        else if (dt == PTS_FLOAT64) normal_fill_f64(g, (double *)d, n, mean, std);
        else normal_fill_chunked(g, w, n, (float)mean, (float)std);
        pthread_mutex_unlock(&g->mu);
        if (w)
            for (int64_t i = 0; i < n; i++) store_f32(dt, d + 2 * i, w[i]);
        pts_free(w);
        pts_tensor_bump_version(t);
        return PTS_OK;
    }
    NormalCtx c = { g, mean, std };
    pthread_mutex_lock(&g->mu);
    s = fill_in_order(t, fill_normal_serial, &c, err);
    pthread_mutex_unlock(&g->mu);
    return s;
}

/* ================= integers =================
 * uniform_int_from_to_distribution: (draw % range) + base, with a 64-bit draw only when the range
 * needs it and the dtype can hold it (int64, double, float, bfloat16). */
typedef struct IntCtx { PtsGenerator *g; uint64_t range; int64_t base; } IntCtx;

static void fill_int(char *d, int64_t n, PtsDType dt, void *vctx) {
    IntCtx *c = vctx;
    bool wide = c->range >= (UINT64_C(1) << 32) &&
                (dt == PTS_INT64 || dt == PTS_FLOAT64 || dt == PTS_FLOAT32 || dt == PTS_BFLOAT16);
    size_t isz = pts_dtype_size(dt);
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = wide ? rng_u64(c->g) : rng_u32(c->g);
        int64_t x = (int64_t)(v % c->range + (uint64_t)c->base);
        if (dt == PTS_INT64) ((int64_t *)d)[i] = x;
        else if (dt == PTS_FLOAT32) ((float *)d)[i] = (float)x;
        else pts_store_i64(dt, d + (size_t)i * isz, x);
    }
}

PtsStatus pts_sample_int_(PtsTensor *t, uint64_t range, int64_t base, PtsGenerator *g,
                          PtsError *err) {
    PTS_CHECK(range > 0, err, INTERNAL, "empty integer range");
    IntCtx c = { g, range, base };
    pthread_mutex_lock(&g->mu);
    PtsStatus s = fill_in_order(t, fill_int, &c, err);
    pthread_mutex_unlock(&g->mu);
    return s;
}

/* ================= permutations =================
 * randperm_cpu: start from 0..n-1 and swap element i with one of i..n-1 chosen by a 32-bit draw
 * modulo the remaining count (64-bit draws when n nears 2^32, where ATen switches too). */
PtsStatus pts_sample_perm(int64_t n, PtsGenerator *g, PtsError *err, PtsTensor **out) {
    *out = NULL;
    int64_t shape[1] = { n };
    PtsTensor *r;
    PTS_TRY(pts_tensor_new(PTS_INT64, 1, shape, err, &r));
    int64_t *p = (int64_t *)pts_tensor_data(r);
    for (int64_t i = 0; i < n; i++) p[i] = i;
    bool small = n < (int64_t)(UINT32_MAX / 20);
    pthread_mutex_lock(&g->mu);
    for (int64_t i = 0; i < n - 1; i++) {
        uint64_t draw = small ? rng_u32(g) : rng_u64(g);
        int64_t z = (int64_t)(draw % (uint64_t)(n - i));
        int64_t tmp = p[i];
        p[i] = p[z + i];
        p[z + i] = tmp;
    }
    pthread_mutex_unlock(&g->mu);
    *out = r;
    return PTS_OK;
}

/* ================= Bernoulli =================
 * With a scalar p, bernoulli_distribution<double>: a 53-bit uniform < p. (ATen's Intel-only MKL
 * path draws from MKL's stream instead; the oracle machines take this path.) With a tensor p,
 * the uniform is a double for double p, a 24-bit float otherwise. */
typedef struct BernCtx { PtsGenerator *g; double p; const double *ps; bool p_double; } BernCtx;

static void fill_bernoulli(char *d, int64_t n, PtsDType dt, void *vctx) {
    BernCtx *c = vctx;
    size_t isz = pts_dtype_size(dt);
    for (int64_t i = 0; i < n; i++) {
        bool hit;
        if (!c->ps) hit = unit_f64(c->g) < c->p;
        else if (c->p_double) hit = unit_f64(c->g) < c->ps[i];
        else hit = unit_f32(c->g) < (float)c->ps[i];
        pts_store_i64(dt, d + (size_t)i * isz, hit);
    }
}

PtsStatus pts_sample_bernoulli_p_(PtsTensor *t, double p, PtsGenerator *g, PtsError *err) {
    BernCtx c = { g, p, NULL, true };
    pthread_mutex_lock(&g->mu);
    PtsStatus s = fill_in_order(t, fill_bernoulli, &c, err);
    pthread_mutex_unlock(&g->mu);
    return s;
}

PtsStatus pts_sample_bernoulli_tensor_(PtsTensor *t, const PtsTensor *p, PtsGenerator *g,
                                       PtsError *err) {
    if (pts_numel(t) == 0) return PTS_OK;
    /* p as seen at t's shape, read in t's visiting order, as doubles */
    PtsTensor *pv = NULL, *pd = NULL, *pt = NULL;
    int64_t pst[PTS_MAX_DIMS];
    int order[PTS_MAX_DIMS];
    pts_broadcast_strides(p, t->ndim, t->shape, pst);
    PtsStatus s = pts_tensor_from_storage(p->storage, p->dtype, t->ndim, t->shape, pst, p->offset,
                                          err, &pt);
    pts_visit_order(t, order);
    if (!s) s = permuted_view(pt, order, err, &pv);
    if (!s) s = pts_tensor_to(pv, PTS_FLOAT64, true, err, &pd);
    if (!s) {
        const double *ps = (const double *)pts_tensor_data(pd);
        int64_t n = pts_numel(pd);
        for (int64_t i = 0; i < n; i++)
            if (!(ps[i] >= 0 && ps[i] <= 1)) {
                s = pts_fail(err, PTS_ERR_RUNTIME,
                             "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                             "error message be improved?  If so, please report an enhancement request "
                             "to PyTorch.)");
                break;
            }
    }
    if (!s) {
        BernCtx c = { g, 0, (const double *)pts_tensor_data(pd), p->dtype == PTS_FLOAT64 };
        pthread_mutex_lock(&g->mu);
        s = fill_in_order(t, fill_bernoulli, &c, err);
        pthread_mutex_unlock(&g->mu);
    }
    pts_tensor_release(pt);
    pts_tensor_release(pv);
    pts_tensor_release(pd);
    return s;
}
