/* pwloops.h: macros that stamp out the per-dtype inner loops of elementwise ops. An op's
 * expression sees x (and y, z) of the compute type and the loop context c (PtsPwCtx). Included
 * only by kernel files. Fast paths: all contiguous, and the other operands broadcast scalars;
 * those loops are plain indexed loops the compiler vectorises, so keep expressions branch-free
 * where possible (?: on both sides compiles to a blend). */
#ifndef PTS_PWLOOPS_H
#define PTS_PWLOOPS_H

#include <math.h>
#include "pointwise.h"

/* Expressions are written once for every integer type, so `x < 0` on uint8 is expected. */
#pragma GCC diagnostic ignored "-Wtype-limits"

#define PTS_LOOP2(NAME, TI, TO, EXPR)                                                          \
    static void NAME(char **p, const int64_t *s, int64_t n, void *vctx) {                      \
        const PtsPwCtx *c = vctx; (void)c;                                                     \
        char *po = p[0]; const char *pa = p[1], *pb = p[2];                                    \
        if (s[0] == sizeof(TO) && s[1] == sizeof(TI) && s[2] == sizeof(TI)) {                  \
            TO *o = (TO *)po; const TI *A = (const TI *)pa, *B = (const TI *)pb;               \
            for (int64_t i = 0; i < n; i++) { TI x = A[i], y = B[i]; o[i] = (TO)(EXPR); }      \
        } else if (s[0] == sizeof(TO) && s[1] == sizeof(TI) && s[2] == 0) {                    \
            TO *o = (TO *)po; const TI *A = (const TI *)pa; const TI y = *(const TI *)pb;      \
            for (int64_t i = 0; i < n; i++) { TI x = A[i]; o[i] = (TO)(EXPR); }                \
        } else if (s[0] == sizeof(TO) && s[1] == 0 && s[2] == sizeof(TI)) {                    \
            TO *o = (TO *)po; const TI x = *(const TI *)pa; const TI *B = (const TI *)pb;      \
            for (int64_t i = 0; i < n; i++) { TI y = B[i]; o[i] = (TO)(EXPR); }                \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                TI x = *(const TI *)(pa + i * s[1]), y = *(const TI *)(pb + i * s[2]);         \
                *(TO *)(po + i * s[0]) = (TO)(EXPR);                                           \
            }                                                                                  \
        }                                                                                      \
    }

#define PTS_LOOP1(NAME, TI, TO, EXPR)                                                          \
    static void NAME(char **p, const int64_t *s, int64_t n, void *vctx) {                      \
        const PtsPwCtx *c = vctx; (void)c;                                                     \
        char *po = p[0]; const char *pa = p[1];                                                \
        if (s[0] == sizeof(TO) && s[1] == sizeof(TI)) {                                        \
            TO *o = (TO *)po; const TI *A = (const TI *)pa;                                    \
            for (int64_t i = 0; i < n; i++) { TI x = A[i]; (void)x; o[i] = (TO)(EXPR); }      \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                TI x = *(const TI *)(pa + i * s[1]); (void)x;                                  \
                *(TO *)(po + i * s[0]) = (TO)(EXPR);                                           \
            }                                                                                  \
        }                                                                                      \
    }

/* Three inputs of types TA, TB, TC seen as x, y, z (where: bool x; masked_fill: bool y). */
#define PTS_LOOP3(NAME, TA, TB, TC, TO, EXPR)                                                  \
    static void NAME(char **p, const int64_t *s, int64_t n, void *vctx) {                      \
        const PtsPwCtx *c = vctx; (void)c;                                                     \
        char *po = p[0]; const char *pa = p[1], *pb = p[2], *pc = p[3];                        \
        if (s[0] == sizeof(TO) && s[1] == sizeof(TA) && s[2] == sizeof(TB) &&                  \
            s[3] == sizeof(TC)) {                                                              \
            TO *o = (TO *)po; const TA *A = (const TA *)pa; const TB *B = (const TB *)pb;      \
            const TC *C = (const TC *)pc;                                                      \
            for (int64_t i = 0; i < n; i++) {                                                  \
                TA x = A[i]; TB y = B[i]; TC z = C[i]; o[i] = (TO)(EXPR);                      \
            }                                                                                  \
        } else if (s[0] == sizeof(TO) && s[1] == sizeof(TA) && s[2] == 0 && s[3] == 0) {       \
            TO *o = (TO *)po; const TA *A = (const TA *)pa;                                    \
            const TB y = *(const TB *)pb; const TC z = *(const TC *)pc;                        \
            for (int64_t i = 0; i < n; i++) { TA x = A[i]; o[i] = (TO)(EXPR); }                \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                TA x = *(const TA *)(pa + i * s[1]);                                           \
                TB y = *(const TB *)(pb + i * s[2]);                                           \
                TC z = *(const TC *)(pc + i * s[3]);                                           \
                *(TO *)(po + i * s[0]) = (TO)(EXPR);                                           \
            }                                                                                  \
        }                                                                                      \
    }

/* ---- type lists: M(suffix, C type, ...) for each compute dtype of a kind ---- */
#define PTS_FOR_F(M, ...) M(f32, float, __VA_ARGS__) M(f64, double, __VA_ARGS__)
#define PTS_FOR_I(M, ...)                                                                      \
    M(i64, int64_t, __VA_ARGS__) M(i32, int32_t, __VA_ARGS__) M(i16, int16_t, __VA_ARGS__)     \
    M(i8, int8_t, __VA_ARGS__) M(u8, uint8_t, __VA_ARGS__)
#define PTS_FOR_B(M, ...) M(b, bool, __VA_ARGS__)

#define PTS_ONE_BIN_(S, T, OP, EXPR) PTS_LOOP2(OP##_##S, T, T, EXPR)
#define PTS_ONE_CMP_(S, T, OP, EXPR) PTS_LOOP2(OP##_##S, T, bool, EXPR)
#define PTS_ONE_UN_(S, T, OP, EXPR) PTS_LOOP1(OP##_##S, T, T, EXPR)
#define PTS_ONE_PRED_(S, T, OP, EXPR) PTS_LOOP1(OP##_##S, T, bool, EXPR)
#define PTS_ONE_TER_(S, T, OP, EXPR) PTS_LOOP3(OP##_##S, T, T, T, T, EXPR)

/* Float loops (float32, float64) of one expression. */
#define PTS_BIN_F(OP, EXPR) PTS_FOR_F(PTS_ONE_BIN_, OP, EXPR)
/* Integer loops (int64..uint8) of one expression. */
#define PTS_BIN_I(OP, EXPR) PTS_FOR_I(PTS_ONE_BIN_, OP, EXPR)
#define PTS_BIN_B(OP, EXPR) PTS_LOOP2(OP##_b, bool, bool, EXPR)
/* Predicates: every compute dtype in, bool out. */
#define PTS_CMP_ALL(OP, EXPR)                                                                  \
    PTS_FOR_F(PTS_ONE_CMP_, OP, EXPR) PTS_FOR_I(PTS_ONE_CMP_, OP, EXPR)                        \
    PTS_FOR_B(PTS_ONE_CMP_, OP, EXPR)

#define PTS_UN_F(OP, EXPR) PTS_FOR_F(PTS_ONE_UN_, OP, EXPR)
#define PTS_UN_I(OP, EXPR) PTS_FOR_I(PTS_ONE_UN_, OP, EXPR)
#define PTS_UN_B(OP, EXPR) PTS_LOOP1(OP##_b, bool, bool, EXPR)
/* Unary predicates over every compute dtype, bool out; one expression per kind. */
#define PTS_PRED_ALL(OP, EXPR_F, EXPR_I)                                                       \
    PTS_FOR_F(PTS_ONE_PRED_, OP, EXPR_F) PTS_FOR_I(PTS_ONE_PRED_, OP, EXPR_I)                  \
    PTS_FOR_B(PTS_ONE_PRED_, OP, EXPR_I)

/* Ternary loops with x, y, z all of the compute type. */
#define PTS_TER_F(OP, EXPR) PTS_FOR_F(PTS_ONE_TER_, OP, EXPR)
#define PTS_TER_I(OP, EXPR) PTS_FOR_I(PTS_ONE_TER_, OP, EXPR)
#define PTS_TER_B(OP, EXPR) PTS_LOOP3(OP##_b, bool, bool, bool, bool, EXPR)

/* Table initialisers for PtsPwOp.loops */
#define PTS_T_F(OP) [PTS_FLOAT32] = OP##_f32, [PTS_FLOAT64] = OP##_f64
#define PTS_T_I(OP) [PTS_INT64] = OP##_i64, [PTS_INT32] = OP##_i32, [PTS_INT16] = OP##_i16, \
                    [PTS_INT8] = OP##_i8, [PTS_UINT8] = OP##_u8
#define PTS_T_B(OP) [PTS_BOOL] = OP##_b
#define PTS_T_ALL(OP) PTS_T_F(OP), PTS_T_I(OP), PTS_T_B(OP)

/* ---- type-generic helpers for expressions (all fold at compile time) ---- */
#define PTS_T(x) __typeof__(x)
#define PTS_ISFLT(x) ((PTS_T(x))0.5 == 0.5)           /* float, double */
#define PTS_ISUNS(x) ((PTS_T(x))-1 > 0)               /* uint8, bool */
/* A context scalar in the loop's type: the float form for floats, else the integer form (which
 * wraps into narrow types as PyTorch's Scalar::to does). */
#define PTS_CTX_AS(x, dv, iv) (PTS_ISFLT(x) ? (PTS_T(x))(dv) : (PTS_T(x))(iv))
/* Integer arithmetic that wraps (two's complement) instead of overflowing. */
#define PTS_WADD(x, y) ((PTS_T(x))((uint64_t)(x) + (uint64_t)(y)))
#define PTS_WSUB(x, y) ((PTS_T(x))((uint64_t)(x) - (uint64_t)(y)))
#define PTS_WMUL(x, y) ((PTS_T(x))((uint64_t)(x) * (uint64_t)(y)))
#define PTS_WNEG(x) ((PTS_T(x))(0 - (uint64_t)(x)))
/* Transcendental functions with vector variants in glibc's libmvec (2.35+, x86-64): declared
 * const with the simd attribute under another C name, so the vectoriser calls _ZGVbN4v_expf on
 * four floats at a time (within 4 ulp, as PyTorch's Sleef). Elsewhere the plain libm call. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) && !defined(PTS_NO_LIBMVEC)
#define PTS_VEC_DECL_(fn, T) \
    T pts_vec_##fn(T) __asm__(#fn) __attribute__((__simd__("notinbranch"), __const__, __nothrow__));
#define PTS_VEC_DECL(fn) PTS_VEC_DECL_(fn##f, float) PTS_VEC_DECL_(fn, double)
PTS_VEC_DECL(exp) PTS_VEC_DECL(expm1) PTS_VEC_DECL(log) PTS_VEC_DECL(log1p) PTS_VEC_DECL(log2)
PTS_VEC_DECL(sin) PTS_VEC_DECL(cos) PTS_VEC_DECL(tan) PTS_VEC_DECL(tanh) PTS_VEC_DECL(erf)
#define PTS_VFN1(fn, x) \
    (sizeof(x) == 4 ? (PTS_T(x))pts_vec_##fn##f((float)(x)) : (PTS_T(x))pts_vec_##fn((double)(x)))
/* A loop calling them, compiled also for AVX2 and AVX-512 and picked at load time (an ifunc), so
 * the vectoriser calls the 8- and 16-lane variants (_ZGVdN8v_tanhf, _ZGVeN16v_tanhf) where the CPU
 * has them; the build itself stays at the x86-64 baseline. */
#if !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PTS_MV_LOOP __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PTS_MV_LOOP
#endif
#else
#define PTS_MV_LOOP
#define PTS_VFN1(fn, x) PTS_FN1(fn, x)
#endif

/* float32 loops call the float functions of libm (expf), float64 ones the double ones. */
#define PTS_FN1(fn, x) (sizeof(x) == 4 ? (PTS_T(x))fn##f((float)(x)) : (PTS_T(x))fn((double)(x)))
#define PTS_FN2(fn, x, y) \
    (sizeof(x) == 4 ? (PTS_T(x))fn##f((float)(x), (float)(y)) : (PTS_T(x))fn((double)(x), (double)(y)))

/* ---- kernel wrappers ---- */
/* A kernel's single result: *r as an owned value when s is PTS_OK (r is read after the call
 * that filled it, so `return pts_pw_ret(f(..., &r), &r, out)` is well sequenced). */
static inline PtsStatus pts_pw_ret(PtsStatus s, PtsTensor **r, PtsValue *out) {
    if (s == PTS_OK) *out = pts_vtensor(*r);
    return s;
}

/* k_ID, k_ID_ and k_ID_OUT of a unary op whose schema is (Tensor self [, *, Tensor(a!) out]). */
#define PTS_UNARY_KERNELS(ID, OP)                                                              \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        PtsTensor *r;                                                                          \
        return pts_pw_ret(pts_unary(&OP, a[0].u.t, NULL, NULL, err, &r), &r, out);              \
    }                                                                                          \
    PtsStatus k_##ID##_(PtsValue *a, PtsValue *out, PtsError *err) {                           \
        PtsTensor *r;                                                                          \
        return pts_pw_ret(pts_unary(&OP, a[0].u.t, a[0].u.t, NULL, err, &r), &r, out);          \
    }                                                                                          \
    PtsStatus k_##ID##_OUT(PtsValue *a, PtsValue *out, PtsError *err) {                        \
        PtsTensor *r;                                                                          \
        return pts_pw_ret(pts_unary(&OP, a[0].u.t, a[1].u.t, NULL, err, &r), &r, out);          \
    }

/* Binary kernels over an implementation function
 *   static PtsStatus IMPL(PtsValue self, PtsValue other, PtsTensor *out, PtsError *err, PtsValue *res)
 * for schemas (self, other) -> Tensor, in place on self, and (self, other, *, out). */
#define PTS_BIN_NEW(ID, IMPL)                                                                  \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return IMPL(a[0], a[1], NULL, err, out);                                               \
    }
#define PTS_BIN_INPLACE(ID, IMPL)                                                              \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return IMPL(a[0], a[1], a[0].u.t, err, out);                                           \
    }
#define PTS_BIN_OUT(ID, IMPL)                                                                  \
    PtsStatus k_##ID(PtsValue *a, PtsValue *out, PtsError *err) {                              \
        return IMPL(a[0], a[1], a[2].u.t, err, out);                                           \
    }
/* An IMPL that runs one loop table with PyTorch's promotion of both operands. */
#define PTS_BIN_IMPL(NAME, OP)                                                                 \
    static PtsStatus NAME(PtsValue a, PtsValue b, PtsTensor *out, PtsError *err,               \
                          PtsValue *res) {                                                     \
        return pts_binary_v(&OP, a, b, out, NULL, err, res);                                   \
    }

/* Integer helpers per dtype picked by the loop variable's type. */
#define PTS_IGEN(F, x) \
    _Generic((x), int64_t: F##_i64, int32_t: F##_i32, int16_t: F##_i16, int8_t: F##_i8, uint8_t: F##_u8)
#define PTS_FGEN(F, x) _Generic((x), float: F##_f32, double: F##_f64)

#endif
