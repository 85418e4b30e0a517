/* base.h: the bottom layer of pyts. Status codes and the error record every fallible function
 * fills, allocation through hookable wrappers, small helpers. Includes only libc. */
#ifndef PTS_BASE_H
#define PTS_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define PTS_INTERNAL __attribute__((visibility("hidden")))
#define PTS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PTS_LIKELY(x) __builtin_expect(!!(x), 1)
#define PTS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PTS_INTERNAL
#define PTS_PRINTF(f, a)
#define PTS_LIKELY(x) (x)
#define PTS_UNLIKELY(x) (x)
#endif

typedef enum PtsStatus {
#define PTS_STATUS(id, name, pyexc) PTS_ERR_##id,
#include "status.def"
#undef PTS_STATUS
    PTS_STATUS__COUNT
} PtsStatus;
#define PTS_OK PTS_ERR_OK

#define PTS_ERR_MSG_MAX 2048

/* A position in source text (script files, archive code). Line and column are 1-based; 0 means
 * unknown. The file name is borrowed from whoever owns the source. */
typedef struct PtsSrcRange {
    const char *file;   /* borrowed file name, or NULL */
    int line, col;      /* start, 1-based */
    int end_line, end_col;
} PtsSrcRange;

/* The caller-owned error record. First error wins: pts_fail does not overwrite a set error. */
typedef struct PtsError {
    PtsStatus code;          /* PTS_OK while no error is set */
    char msg[PTS_ERR_MSG_MAX]; /* NUL-terminated message */
    PtsSrcRange range;       /* where, when known */
} PtsError;

PTS_INTERNAL PtsStatus pts_fail(PtsError *err, PtsStatus code, const char *fmt, ...) PTS_PRINTF(3, 4);
PTS_INTERNAL PtsStatus pts_vfail(PtsError *err, PtsStatus code, const char *fmt, va_list ap);
PTS_INTERNAL void pts_error_clear(PtsError *err);
PTS_INTERNAL const char *pts_status_name(PtsStatus s);
PTS_INTERNAL const char *pts_status_pyexc(PtsStatus s);

#define PTS_TRY(expr) do { PtsStatus _s = (expr); if (PTS_UNLIKELY(_s != PTS_OK)) return _s; } while (0)
#define PTS_CHECK(cond, err, code, ...) \
    do { if (PTS_UNLIKELY(!(cond))) return pts_fail((err), PTS_ERR_##code, __VA_ARGS__); } while (0)

/* Allocation. All C-core allocation goes through these; a test hook can make the Nth call fail.
 * pts_malloc(0) returns a valid unique pointer. */
PTS_INTERNAL void *pts_malloc(size_t n);
PTS_INTERNAL void *pts_calloc(size_t n, size_t size);
PTS_INTERNAL void *pts_realloc(void *p, size_t n);
PTS_INTERNAL void *pts_aligned_alloc(size_t n);   /* 64-byte aligned; free with pts_aligned_free */
PTS_INTERNAL void pts_aligned_free(void *p);
PTS_INTERNAL void pts_free(void *p);
PTS_INTERNAL char *pts_strdup(const char *s);
PTS_INTERNAL void pts_alloc_fail_after(long n);  /* test hook: fail after n more calls; -1 off */

/* Overflow-checked size arithmetic: return false on overflow. */
static inline bool pts_mul_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}

/* A growable byte buffer for building strings (printers, error messages). */
typedef struct PtsBuf {
    char *data;   /* owned, NUL-terminated while len < cap */
    size_t len;   /* bytes used */
    size_t cap;   /* bytes allocated */
    bool oom;     /* sticky: an append failed */
} PtsBuf;
PTS_INTERNAL void pts_buf_init(PtsBuf *b);
PTS_INTERNAL void pts_buf_free(PtsBuf *b);
PTS_INTERNAL void pts_buf_puts(PtsBuf *b, const char *s);
PTS_INTERNAL void pts_buf_putn(PtsBuf *b, const char *s, size_t n);
PTS_INTERNAL void pts_buf_printf(PtsBuf *b, const char *fmt, ...) PTS_PRINTF(2, 3);
PTS_INTERNAL char *pts_buf_steal(PtsBuf *b);  /* returns owned string (or NULL on oom) */

#endif
