/* mapfile.c: an archive file mapped into memory (mmap, MAP_PRIVATE) as a refcounted object, so
 * storage records can become storages that point into it: each such storage holds a reference and
 * the mapping goes when the last one does. Writes to those tensors are private copy-on-write
 * pages that never reach the file. Where mapping fails (pipes, special files, no mmap) the file is
 * read into one heap buffer that storages share the same way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "serial.h"

#if defined(__unix__) || defined(__APPLE__)
#define PTS_HAVE_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#define PTS_HAVE_MMAP 0
#endif

/* read(2)-style fallback: the whole stream into one growing heap buffer */
static PtsStatus read_all(FILE *f, const char *path, size_t max, PtsError *err, uint8_t **out, size_t *outn) {
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : (size_t)1 << 16;
            if (c2 > max && cap >= max) {
                pts_free(buf);
                return pts_fail(err, PTS_ERR_VALUE, "'%s' is larger than %zu bytes", path, max);
            }
            if (c2 > max) c2 = max;
            uint8_t *b2 = pts_realloc(buf, c2 + 1);
            if (!b2) { pts_free(buf); return pts_fail(err, PTS_ERR_NOMEM, "out of memory reading '%s'", path); }
            buf = b2;
            cap = c2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) { pts_free(buf); return pts_fail(err, PTS_ERR_VALUE, "cannot read '%s': %s", path, strerror(errno)); }
            break;
        }
    }
    *out = buf;
    *outn = n;
    return PTS_OK;
}

PtsStatus pts_mapping_open(const char *path, size_t max, PtsError *err, PtsMapping **out) {
    *out = NULL;
    PtsMapping *m = pts_calloc(1, sizeof *m);
    if (!m) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&m->refcnt, 1);
#if PTS_HAVE_MMAP
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        pts_free(m);
        return pts_fail(err, PTS_ERR_VALUE, "cannot open '%s': %s", path, strerror(e));
    }
    struct stat st;
    bool have_st = fstat(fd, &st) == 0;
    if (have_st && S_ISCHR(st.st_mode)) {   /* /dev/zero would be read until memory runs out */
        close(fd);
        pts_free(m);
        return pts_fail(err, PTS_ERR_VALUE, "cannot read '%s': not a regular file", path);
    }
    if (have_st && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= (uint64_t)max) {
        /* PROT_WRITE with MAP_PRIVATE: tensors may be written in place; the first write to a
         * page copies it (the file never changes) */
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            m->base = p;
            m->len = (size_t)st.st_size;
            m->mapped = true;
            *out = m;
            return PTS_OK;
        }
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        pts_free(m);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
#else
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        pts_free(m);
        return pts_fail(err, PTS_ERR_VALUE, "cannot open '%s': %s", path, strerror(e));
    }
#endif
    PtsStatus s = read_all(f, path, max, err, &m->base, &m->len);
    fclose(f);
    if (s) { pts_free(m); return s; }
    *out = m;
    return PTS_OK;
}

PtsMapping *pts_mapping_retain(PtsMapping *m) {
    if (m) atomic_fetch_add_explicit(&m->refcnt, 1, memory_order_relaxed);
    return m;
}

void pts_mapping_release(PtsMapping *m) {
    if (!m || atomic_fetch_sub_explicit(&m->refcnt, 1, memory_order_acq_rel) != 1) return;
#if PTS_HAVE_MMAP
    if (m->mapped) munmap(m->base, m->len);
    else pts_free(m->base);
#else
    pts_free(m->base);
#endif
    pts_free(m);
}

/* storage deleter: the storage's data lies inside the mapping (ctx) */
void pts_mapping_deleter(void *data, void *ctx) {
    (void)data;
    pts_mapping_release(ctx);
}
