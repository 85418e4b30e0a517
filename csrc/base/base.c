/* base.c: errors, allocation wrappers with a failure-injection hook, and the string buffer. */
#include "base.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const status_names[] = {
#define PTS_STATUS(id, name, pyexc) name,
#include "status.def"
#undef PTS_STATUS
};
static const char *const status_pyexc[] = {
#define PTS_STATUS(id, name, pyexc) pyexc,
#include "status.def"
#undef PTS_STATUS
};

const char *pts_status_name(PtsStatus s) {
    return (unsigned)s < PTS_STATUS__COUNT ? status_names[s] : "unknown";
}
const char *pts_status_pyexc(PtsStatus s) {
    return (unsigned)s < PTS_STATUS__COUNT ? status_pyexc[s] : "SystemError";
}

PtsStatus pts_vfail(PtsError *err, PtsStatus code, const char *fmt, va_list ap) {
    if (err && err->code == PTS_OK) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

PtsStatus pts_fail(PtsError *err, PtsStatus code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pts_vfail(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void pts_error_clear(PtsError *err) {
    err->code = PTS_OK;
    err->msg[0] = 0;
    memset(&err->range, 0, sizeof err->range);
}

/* ---- allocation ---- */
static atomic_long fail_countdown = -1;

static bool should_fail(void) {
    long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (PTS_LIKELY(n < 0)) return false;
    if (n == 0) return true;
    atomic_fetch_sub(&fail_countdown, 1);
    return false;
}

void pts_alloc_fail_after(long n) { atomic_store(&fail_countdown, n); }

void *pts_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *pts_calloc(size_t n, size_t size) {
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}
void *pts_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void pts_free(void *p) { free(p); }
void *pts_aligned_alloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 1) != 0) return NULL;
    return p;
}
void pts_aligned_free(void *p) { free(p); }
char *pts_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *r = pts_malloc(n);
    if (r) memcpy(r, s, n);
    return r;
}

/* ---- string buffer ---- */
void pts_buf_init(PtsBuf *b) { memset(b, 0, sizeof *b); }
void pts_buf_free(PtsBuf *b) { pts_free(b->data); memset(b, 0, sizeof *b); }

static bool buf_reserve(PtsBuf *b, size_t extra) {
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *d = pts_realloc(b->data, cap);
    if (!d) { b->oom = true; return false; }
    b->data = d;
    b->cap = cap;
    return true;
}

void pts_buf_putn(PtsBuf *b, const char *s, size_t n) {
    if (!buf_reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
void pts_buf_puts(PtsBuf *b, const char *s) { pts_buf_putn(b, s, strlen(s)); }
void pts_buf_printf(PtsBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { pts_buf_putn(b, tmp, (size_t)n); return; }
    if (!buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
char *pts_buf_steal(PtsBuf *b) {
    if (b->oom) { pts_buf_free(b); return NULL; }
    if (!b->data) { pts_buf_init(b); return pts_strdup(""); }
    char *d = b->data;
    memset(b, 0, sizeof *b);
    return d;
}
