/* npy.c: the .npy reader and writer of pyts-run (format: numpy/lib/format.py). The reader parses
 * the header dict by hand (three known keys, Python literal syntax), maps descr to a pyts dtype and
 * wraps the file's bytes as the tensor without copying when they are aligned. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

static const char MAGIC[6] = { '\x93', 'N', 'U', 'M', 'P', 'Y' };

static int fail(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return -1;
}

static void free_ctx(void *data, void *ctx) {
    (void)data;
    free(ctx);
}

/* {==================== header dict ==================== */
typedef struct Hdr {
    const char *s;
    size_t n, pos;
} Hdr;

static void ws(Hdr *h) {
    while (h->pos < h->n && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' || h->s[h->pos] == '\n' || h->s[h->pos] == '\r'))
        h->pos++;
}

static int eat(Hdr *h, char c) {
    ws(h);
    if (h->pos < h->n && h->s[h->pos] == c) { h->pos++; return 1; }
    return 0;
}

/* a quoted string without escapes into out (NUL-terminated) */
static int str(Hdr *h, char *out, size_t cap) {
    ws(h);
    if (h->pos >= h->n || (h->s[h->pos] != '\'' && h->s[h->pos] != '"')) return 0;
    char q = h->s[h->pos++];
    size_t k = 0;
    while (h->pos < h->n && h->s[h->pos] != q) {
        if (h->s[h->pos] == '\\' || k + 1 >= cap) return 0;
        out[k++] = h->s[h->pos++];
    }
    if (h->pos >= h->n) return 0;
    h->pos++;
    out[k] = 0;
    return 1;
}

static int word(Hdr *h, const char *w) {
    ws(h);
    size_t n = strlen(w);
    if (h->n - h->pos < n || memcmp(h->s + h->pos, w, n) != 0) return 0;
    h->pos += n;
    return 1;
}

static int shape(Hdr *h, int64_t *dims, int *nd) {
    *nd = 0;
    if (!eat(h, '(')) return 0;
    for (;;) {
        if (eat(h, ')')) return 1;
        ws(h);
        if (h->pos >= h->n || h->s[h->pos] < '0' || h->s[h->pos] > '9') return 0;
        int64_t v = 0;
        while (h->pos < h->n && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
            if (v > (INT64_MAX - 9) / 10) return 0;
            v = v * 10 + (h->s[h->pos++] - '0');
        }
        if (h->pos < h->n && h->s[h->pos] == 'L') h->pos++;   /* Python 2 long */
        if (*nd >= PYTS_MAX_DIMS) return 0;
        dims[(*nd)++] = v;
        if (eat(h, ',')) continue;
        if (eat(h, ')')) return 1;
        return 0;
    }
}

static int dtype_of(const char *d, int *dt) {
    static const struct { const char *name; int dt; } map[] = {
        {"f4", PYTS_FLOAT32}, {"f8", PYTS_FLOAT64}, {"f2", PYTS_FLOAT16}, {"i8", PYTS_INT64}, {"i4", PYTS_INT32},
        {"i2", PYTS_INT16}, {"i1", PYTS_INT8}, {"u1", PYTS_UINT8}, {"b1", PYTS_BOOL},
    };
    if (strcmp(d, "?") == 0 || strcmp(d, "|?") == 0) { *dt = PYTS_BOOL; return 0; }
    char order = d[0];
    if (order == '<' || order == '|' || order == '=') d++;
    else if (order == '>') {
        /* byte order does not matter for one-byte types */
        if (strcmp(d + 1, "i1") && strcmp(d + 1, "u1") && strcmp(d + 1, "b1")) return -2;
        d++;
    }
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(d, map[i].name) == 0) { *dt = map[i].dt; return 0; }
    return -1;
}
/* }==================== */

int npy_parse(void *buf, size_t n, pyts_value **out, char *msg, size_t msgn) {
    *out = NULL;
    const unsigned char *b = buf;
    if (n < 10 || memcmp(b, MAGIC, 6) != 0) {
        free(buf);
        return fail(msg, msgn, "not a .npy file (bad magic)");
    }
    int major = b[6];
    size_t hlen, off;
    if (major == 1) { hlen = (size_t)b[8] | (size_t)b[9] << 8; off = 10; }
    else if (major == 2 || major == 3) {
        if (n < 12) { free(buf); return fail(msg, msgn, "truncated .npy header"); }
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        off = 12;
    } else {
        int minor = b[7];
        free(buf);
        return fail(msg, msgn, ".npy format version %d.%d is not supported (1.0, 2.0, 3.0 are)", major, minor);
    }
    if (hlen > NPY_MAX_HEADER) { free(buf); return fail(msg, msgn, ".npy header longer than %d bytes", NPY_MAX_HEADER); }
    if (hlen > n - off) { free(buf); return fail(msg, msgn, "truncated .npy header"); }
    Hdr h = { (const char *)b + off, hlen, 0 };
    off += hlen;
    char key[32], descr[32] = "";
    int fortran = -1, nd = -1;
    int64_t dims[PYTS_MAX_DIMS];
    int ok = eat(&h, '{');
    while (ok && !eat(&h, '}')) {
        if (!str(&h, key, sizeof key) || !eat(&h, ':')) { ok = 0; break; }
        if (strcmp(key, "descr") == 0) ok = str(&h, descr, sizeof descr);
        else if (strcmp(key, "fortran_order") == 0) {
            if (word(&h, "True")) fortran = 1;
            else if (word(&h, "False")) fortran = 0;
            else ok = 0;
        } else if (strcmp(key, "shape") == 0) ok = shape(&h, dims, &nd);
        else ok = 0;
        if (ok && !eat(&h, ',')) {
            ok = eat(&h, '}');
            break;
        }
    }
    ws(&h);
    while (ok && h.pos < h.n && h.s[h.pos] == '\0') h.pos++;   /* some writers pad with NULs */
    if (!ok || h.pos != h.n || !descr[0] || fortran < 0 || nd < 0) {
        free(buf);
        return fail(msg, msgn, "bad .npy header (expected {'descr': ..., 'fortran_order': ..., 'shape': (...)} with at most "
                    "%d dims)", PYTS_MAX_DIMS);
    }
    int dt;
    int r = dtype_of(descr, &dt);
    if (r) {
        free(buf);
        if (r == -2) return fail(msg, msgn, "big-endian .npy data ('%s') is not supported", descr);
        return fail(msg, msgn, "unsupported .npy dtype '%s' (pyts reads float16/32/64, int8/16/32/64, uint8, bool)", descr);
    }
    size_t isz = pyts_dtype_size(dt);
    uint64_t numel = 1;
    for (int i = 0; i < nd; i++)
        if (__builtin_mul_overflow(numel, (uint64_t)dims[i], &numel)) numel = UINT64_MAX;
    uint64_t need;
    if (__builtin_mul_overflow(numel, (uint64_t)isz, &need) || need > n - off) {
        unsigned long long have = (unsigned long long)(n - off);
        free(buf);
        return fail(msg, msgn, "the .npy data is truncated or its shape is too large (%llu data bytes present)", have);
    }
    if (need != n - off) {
        free(buf);
        return fail(msg, msgn, "the .npy file has bytes after its data");
    }
    int64_t strides[PYTS_MAX_DIMS];
    if (fortran) {
        int64_t s = 1;
        for (int i = 0; i < nd; i++) { strides[i] = s; s *= dims[i] > 1 ? dims[i] : 1; }
    }
    void *data = (char *)buf + off;
    void *owner = buf;
    if ((uintptr_t)data % isz) {
        /* header lengths that are not multiples of the element size: move the data */
        owner = malloc(need ? need : 1);
        if (!owner) { free(buf); return fail(msg, msgn, "out of memory"); }
        memcpy(owner, data, need);
        free(buf);
        data = owner;
    }
    *out = pyts_tensor_wrap((pyts_dtype)dt, nd, dims, fortran ? strides : NULL, need ? data : NULL, free_ctx, owner);
    if (!*out) return fail(msg, msgn, "%s", pyts_last_error());
    return 0;
}

int npy_load(const char *path, pyts_value **out, char *msg, size_t msgn) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msgn, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t n = 0, cap = 1 << 16;
    unsigned char *buf = malloc(cap);
    int err = 0;
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) { err = ferror(f); break; }
        /* a stream that is no .npy (/dev/zero) must not be read to the end: stop at the magic */
        if (n >= 6 && n - k < 6 && memcmp(buf, MAGIC, 6) != 0) break;
        if (n == cap) {
            if (cap > SIZE_MAX / 2) { free(buf); buf = NULL; break; }
            unsigned char *b2 = realloc(buf, cap * 2);
            if (!b2) { free(buf); buf = NULL; break; }
            buf = b2;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) { snprintf(msg, msgn, "out of memory reading '%s'", path); return -1; }
    if (err) {
        free(buf);
        snprintf(msg, msgn, "cannot read '%s'", path);
        return -1;
    }
    char why[512];
    if (npy_parse(buf, n, out, why, sizeof why)) {
        snprintf(msg, msgn, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

static const char *descr_of(int dt) {
    switch (dt) {
    case PYTS_FLOAT32: case PYTS_BFLOAT16: return "<f4";
    case PYTS_FLOAT64: return "<f8";
    case PYTS_FLOAT16: return "<f2";
    case PYTS_INT64: return "<i8";
    case PYTS_INT32: return "<i4";
    case PYTS_INT16: return "<i2";
    case PYTS_INT8: return "|i1";
    case PYTS_UINT8: return "|u1";
    case PYTS_BOOL: return "|b1";
    default: return NULL;
    }
}

int npy_save(const char *path, const pyts_value *t, char *msg, size_t msgn) {
    int dt = pyts_tensor_dtype(t), nd = pyts_tensor_ndim(t);
    const char *descr = descr_of(dt);
    if (!descr || nd < 0) { snprintf(msg, msgn, "cannot write a value of dtype %d as .npy", dt); return -1; }
    const int64_t *shape = pyts_tensor_shape(t);
    char hdr[1024];
    int k = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < nd; i++) k += snprintf(hdr + k, sizeof hdr - (size_t)k, "%lld,%s", (long long)shape[i], i + 1 < nd ? " " : "");
    k += snprintf(hdr + k, sizeof hdr - (size_t)k, "), }");
    /* pad with spaces and a newline so that magic + length + header is a multiple of 64 */
    size_t total = 10 + (size_t)k + 1;
    size_t pad = (64 - total % 64) % 64;
    memset(hdr + k, ' ', pad);
    k += (int)pad;
    hdr[k++] = '\n';
    size_t numel = (size_t)pyts_tensor_numel(t), isz = pyts_dtype_size(dt);
    size_t nbytes = numel * isz;
    unsigned char *data = malloc(nbytes ? nbytes : 1);
    if (!data) { snprintf(msg, msgn, "out of memory writing '%s'", path); return -1; }
    if (pyts_tensor_copy_to(t, data, nbytes)) {
        snprintf(msg, msgn, "%s", pyts_last_error());
        free(data);
        return -1;
    }
    unsigned char *out = data;
    size_t outn = nbytes;
    if (dt == PYTS_BFLOAT16) {
        /* NumPy has no bfloat16: widen to float32, exactly */
        out = malloc(numel * 4 + 1);
        if (!out) { free(data); snprintf(msg, msgn, "out of memory writing '%s'", path); return -1; }
        for (size_t i = 0; i < numel; i++) {
            uint32_t bits = (uint32_t)(data[2 * i] | data[2 * i + 1] << 8) << 16;
            memcpy(out + 4 * i, &bits, 4);
        }
        outn = numel * 4;
    }
    FILE *f = fopen(path, "wb");
    int ok = f != NULL;
    if (ok) {
        unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(k & 0xff), (unsigned char)(k >> 8) };
        ok = fwrite(pre, 1, 10, f) == 10 && fwrite(hdr, 1, (size_t)k, f) == (size_t)k && fwrite(out, 1, outn, f) == outn;
        ok = (fclose(f) == 0) && ok;
    }
    int e = errno;
    if (out != data) free(out);
    free(data);
    if (!ok) {
        if (f) remove(path);
        snprintf(msg, msgn, "cannot write '%s': %s", path, strerror(e));
        return -1;
    }
    return 0;
}
