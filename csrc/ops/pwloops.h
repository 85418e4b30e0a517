/* pwloops.h: macros that stamp out the per-dtype inner loops of elementwise ops. An op's
 * expression sees x (and y) of the compute type T and the loop context c (PtsPwCtx). Included
 * only by kernel files. Fast paths: all contiguous, and one operand a broadcast scalar. */
#ifndef PTS_PWLOOPS_H
#define PTS_PWLOOPS_H

#include <math.h>
#include "pointwise.h"

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
            for (int64_t i = 0; i < n; i++) { TI x = A[i]; o[i] = (TO)(EXPR); }                \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                TI x = *(const TI *)(pa + i * s[1]);                                           \
                *(TO *)(po + i * s[0]) = (TO)(EXPR);                                           \
            }                                                                                  \
        }                                                                                      \
    }

/* Float loops (float32, float64) of one expression. */
#define PTS_BIN_F(OP, EXPR) PTS_LOOP2(OP##_f32, float, float, EXPR) PTS_LOOP2(OP##_f64, double, double, EXPR)
/* Integer loops (int64..uint8) of one expression. */
#define PTS_BIN_I(OP, EXPR)                                                                    \
    PTS_LOOP2(OP##_i64, int64_t, int64_t, EXPR) PTS_LOOP2(OP##_i32, int32_t, int32_t, EXPR)    \
    PTS_LOOP2(OP##_i16, int16_t, int16_t, EXPR) PTS_LOOP2(OP##_i8, int8_t, int8_t, EXPR)       \
    PTS_LOOP2(OP##_u8, uint8_t, uint8_t, EXPR)
#define PTS_BIN_B(OP, EXPR) PTS_LOOP2(OP##_b, bool, bool, EXPR)
/* Predicates: every compute dtype in, bool out. */
#define PTS_CMP_ALL(OP, EXPR)                                                                  \
    PTS_LOOP2(OP##_f32, float, bool, EXPR) PTS_LOOP2(OP##_f64, double, bool, EXPR)             \
    PTS_LOOP2(OP##_i64, int64_t, bool, EXPR) PTS_LOOP2(OP##_i32, int32_t, bool, EXPR)          \
    PTS_LOOP2(OP##_i16, int16_t, bool, EXPR) PTS_LOOP2(OP##_i8, int8_t, bool, EXPR)            \
    PTS_LOOP2(OP##_u8, uint8_t, bool, EXPR) PTS_LOOP2(OP##_b, bool, bool, EXPR)

#define PTS_UN_F(OP, EXPR) PTS_LOOP1(OP##_f32, float, float, EXPR) PTS_LOOP1(OP##_f64, double, double, EXPR)
#define PTS_UN_I(OP, EXPR)                                                                     \
    PTS_LOOP1(OP##_i64, int64_t, int64_t, EXPR) PTS_LOOP1(OP##_i32, int32_t, int32_t, EXPR)    \
    PTS_LOOP1(OP##_i16, int16_t, int16_t, EXPR) PTS_LOOP1(OP##_i8, int8_t, int8_t, EXPR)       \
    PTS_LOOP1(OP##_u8, uint8_t, uint8_t, EXPR)
#define PTS_UN_B(OP, EXPR) PTS_LOOP1(OP##_b, bool, bool, EXPR)

/* Table initialisers for PtsPwOp.loops */
#define PTS_T_F(OP) [PTS_FLOAT32] = OP##_f32, [PTS_FLOAT64] = OP##_f64
#define PTS_T_I(OP) [PTS_INT64] = OP##_i64, [PTS_INT32] = OP##_i32, [PTS_INT16] = OP##_i16, \
                    [PTS_INT8] = OP##_i8, [PTS_UINT8] = OP##_u8
#define PTS_T_B(OP) [PTS_BOOL] = OP##_b

#endif
