/* zip.c: the zip container of TorchScript archives. The reader trusts nothing: it locates the
 * (ZIP64) end records, checks every central-directory entry against the file (offsets, sizes,
 * overlap, names, methods), and inflates with zlib into buffers of exactly the declared size. The
 * writer lays records out as PyTorch's miniz writer does (64-byte aligned data, 'FB' padding,
 * data descriptors, ZIP64 end records always). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "serial.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u
#define SIG_DESC 0x08074b50u
#define U32_MAX_FIELD 0xFFFFFFFFu
#define U16_MAX_FIELD 0xFFFFu
#define MAX_ENTRIES (1 << 24)

static PtsStatus bad(PtsError *err, const char *what) {
    return pts_fail(err, PTS_ERR_FORMAT, "invalid archive: %s", what);
}

/* ================= reader ================= */
typedef struct EndInfo {
    uint64_t nentries, cd_size, cd_off;
    uint64_t data_end;  /* the directory must end here (start of the end records) */
} EndInfo;

static PtsStatus find_end(const uint8_t *buf, size_t len, PtsError *err, EndInfo *ei) {
    if (len >= 8 && memcmp(buf, "PYTORCH1", 8) == 0)
        return bad(err, "this is a pre-1.4 PyTorch archive (PYTORCH1 magic), which is not supported");
    if (len >= 2 && buf[0] == 0x80 && buf[1] == 0x02)
        return bad(err, "this is a legacy torch.save pickle, not a TorchScript zip archive");
    if (len < 22) return bad(err, "file too short to be a zip archive");
    /* the end record is the last 22 bytes plus a comment of at most 65535 bytes */
    size_t lo = len - 22 > 65535 ? len - 22 - 65535 : 0;
    size_t pos = (size_t)-1;
    for (size_t p = len - 22 + 1; p-- > lo;) {
        PtsRd r = pts_rd_init(buf, len);
        pts_rd_seek(&r, p);
        if (pts_rd_u32(&r) != SIG_EOCD) continue;
        pts_rd_seek(&r, p + 20);
        if (p + 22 + pts_rd_u16(&r) == len) { pos = p; break; }
    }
    if (pos == (size_t)-1) return bad(err, "no zip end-of-central-directory record (not a zip file?)");
    PtsRd r = pts_rd_init(buf, len);
    pts_rd_seek(&r, pos + 4);
    uint16_t disk = pts_rd_u16(&r), cd_disk = pts_rd_u16(&r);
    uint16_t n_disk = pts_rd_u16(&r), n_total = pts_rd_u16(&r);
    uint32_t cd_size = pts_rd_u32(&r), cd_off = pts_rd_u32(&r);
    ei->data_end = pos;
    /* ZIP64: a locator right before the end record points at the ZIP64 end record */
    if (pos >= 20) {
        PtsRd l = pts_rd_init(buf, len);
        pts_rd_seek(&l, pos - 20);
        if (pts_rd_u32(&l) == SIG_Z64_LOC) {
            uint32_t ldisk = pts_rd_u32(&l);
            uint64_t z64 = pts_rd_u64(&l);
            uint32_t ndisks = pts_rd_u32(&l);
            if (ldisk != 0 || ndisks > 1) return bad(err, "multi-disk zip archives are not supported");
            if (z64 > pos - 20 || pos - 20 - z64 < 56) return bad(err, "ZIP64 end record lies outside the file");
            PtsRd z = pts_rd_init(buf, pos - 20);
            pts_rd_seek(&z, z64);
            if (pts_rd_u32(&z) != SIG_Z64_EOCD) return bad(err, "ZIP64 end record signature mismatch");
            uint64_t rsize = pts_rd_u64(&z);
            if (rsize < 44 || rsize > pos - 20 - z64 - 12) return bad(err, "ZIP64 end record size is wrong");
            pts_rd_u16(&z);
            pts_rd_u16(&z);
            uint32_t zdisk = pts_rd_u32(&z), zcd_disk = pts_rd_u32(&z);
            uint64_t zn_disk = pts_rd_u64(&z), zn_total = pts_rd_u64(&z);
            ei->cd_size = pts_rd_u64(&z);
            ei->cd_off = pts_rd_u64(&z);
            if (z.bad) return bad(err, "truncated ZIP64 end record");
            if (zdisk != 0 || zcd_disk != 0 || zn_disk != zn_total)
                return bad(err, "multi-disk zip archives are not supported");
            ei->nentries = zn_total;
            ei->data_end = z64;
            /* the classic record must agree wherever it does not defer to ZIP64 */
            if ((n_total != U16_MAX_FIELD && n_total != zn_total) ||
                (cd_size != U32_MAX_FIELD && cd_size != ei->cd_size) ||
                (cd_off != U32_MAX_FIELD && cd_off != ei->cd_off))
                return bad(err, "ZIP64 and classic end records disagree");
            return PTS_OK;
        }
    }
    if (r.bad) return bad(err, "truncated end-of-central-directory record");
    if (disk != 0 || cd_disk != 0 || n_disk != n_total) return bad(err, "multi-disk zip archives are not supported");
    if (n_total == U16_MAX_FIELD || cd_size == U32_MAX_FIELD || cd_off == U32_MAX_FIELD)
        return bad(err, "end record defers to a missing ZIP64 record");
    ei->nentries = n_total;
    ei->cd_size = cd_size;
    ei->cd_off = cd_off;
    return PTS_OK;
}

/* ZIP64 extended information: the 64-bit values of the fields that hold 0xFFFFFFFF */
static bool read_zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                             uint64_t *off, bool want_u, bool want_c, bool want_o) {
    PtsRd r = pts_rd_init(x, xlen);
    while (r.pos + 4 <= r.len) {
        uint16_t id = pts_rd_u16(&r), sz = pts_rd_u16(&r);
        const uint8_t *d = pts_rd_bytes(&r, sz);
        if (!d) return false;
        if (id != 1) continue;
        PtsRd f = pts_rd_init(d, sz);
        if (want_u) *usize = pts_rd_u64(&f);
        if (want_c) *csize = pts_rd_u64(&f);
        if (want_o) *off = pts_rd_u64(&f);
        return !f.bad;
    }
    return !(want_u || want_c || want_o);
}

typedef struct NameIx { const char *name; int ix; } NameIx;
static int cmp_name(const void *a, const void *b) {
    return strcmp(((const NameIx *)a)->name, ((const NameIx *)b)->name);
}

typedef struct Span { uint64_t lo, hi; } Span;
static int cmp_span(const void *a, const void *b) {
    const Span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void pts_zip_close(PtsZip *z) {
    for (int i = 0; i < z->n; i++) pts_free(z->e[i].name);
    pts_free(z->e);
    pts_free(z->sorted);
    memset(z, 0, sizeof *z);
}

static PtsStatus parse_entry(const uint8_t *buf, size_t len, PtsRd *cd, const EndInfo *ei,
                             PtsError *err, PtsZipEntry *e, uint64_t *local_off) {
    if (pts_rd_u32(cd) != SIG_CENTRAL) return bad(err, "central directory entry signature mismatch");
    pts_rd_u16(cd);                             /* version made by */
    pts_rd_u16(cd);                             /* version needed */
    uint16_t flags = pts_rd_u16(cd), method = pts_rd_u16(cd);
    pts_rd_u32(cd);                             /* time, date */
    uint32_t crc = pts_rd_u32(cd);
    uint64_t csize = pts_rd_u32(cd), usize = pts_rd_u32(cd);
    uint16_t nlen = pts_rd_u16(cd), xlen = pts_rd_u16(cd), clen = pts_rd_u16(cd);
    uint16_t disk = pts_rd_u16(cd);
    pts_rd_u16(cd);                             /* internal attributes */
    pts_rd_u32(cd);                             /* external attributes */
    uint64_t loff = pts_rd_u32(cd);
    const uint8_t *name = pts_rd_bytes(cd, nlen), *extra = pts_rd_bytes(cd, xlen);
    pts_rd_bytes(cd, clen);
    if (cd->bad) return bad(err, "truncated central directory");
    if (flags & 0x41) return bad(err, "encrypted zip entries are not supported");
    if (method != 0 && method != 8) return bad(err, "zip entry uses a compression method other than stored or deflate");
    if (disk != 0 && disk != U16_MAX_FIELD) return bad(err, "multi-disk zip archives are not supported");
    if (nlen == 0 || nlen > PTS_ARCHIVE_MAX_NAME || memchr(name, 0, nlen))
        return bad(err, "zip entry with an empty, overlong or NUL-containing name");
    bool wu = usize == U32_MAX_FIELD, wc = csize == U32_MAX_FIELD, wo = loff == U32_MAX_FIELD;
    if (!read_zip64_extra(extra, xlen, &usize, &csize, &loff, wu, wc, wo))
        return bad(err, "zip entry lacks the ZIP64 sizes its header defers to");
    /* the local header: same name, data right after it, all before the central directory */
    if (loff > ei->cd_off || ei->cd_off - loff < 30) return bad(err, "zip entry lies outside the file");
    PtsRd l = pts_rd_init(buf, (size_t)ei->cd_off);
    pts_rd_seek(&l, loff);
    if (pts_rd_u32(&l) != SIG_LOCAL) return bad(err, "local header signature mismatch");
    pts_rd_seek(&l, loff + 8);
    uint16_t lmethod = pts_rd_u16(&l);
    pts_rd_seek(&l, loff + 26);
    uint16_t lnlen = pts_rd_u16(&l), lxlen = pts_rd_u16(&l);
    const uint8_t *lname = pts_rd_bytes(&l, lnlen);
    if (l.bad || lnlen != nlen || memcmp(lname, name, nlen) != 0 || lmethod != method)
        return bad(err, "local header does not match the central directory");
    uint64_t data_off = loff + 30 + lnlen + (uint64_t)lxlen;
    if (data_off > ei->cd_off || csize > ei->cd_off - data_off)
        return bad(err, "zip entry data runs past the central directory");
    if (method == 0 && csize != usize) return bad(err, "stored zip entry with different sizes");
    if (method == 8 && (usize / PTS_ZIP_MAX_RATIO > csize))
        return bad(err, "deflated zip entry declares an impossible size");
    if (usize > (uint64_t)SIZE_MAX / 2) return bad(err, "zip entry too large");
    (void)len;
    e->name = pts_malloc((size_t)nlen + 1);
    if (!e->name) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    memcpy(e->name, name, nlen);
    e->name[nlen] = 0;
    e->csize = csize;
    e->usize = usize;
    e->data_off = data_off;
    e->crc = crc;
    e->method = method;
    *local_off = loff;
    return PTS_OK;
}

PtsStatus pts_zip_open(const uint8_t *buf, size_t len, PtsError *err, PtsZip *z) {
    memset(z, 0, sizeof *z);
    z->buf = buf;
    z->len = len;
    EndInfo ei = { 0 };
    PTS_TRY(find_end(buf, len, err, &ei));
    if (ei.cd_off > ei.data_end || ei.cd_size > ei.data_end - ei.cd_off)
        return bad(err, "central directory lies outside the file");
    if (ei.nentries > ei.cd_size / 46 || ei.nentries > MAX_ENTRIES)
        return bad(err, "central directory declares more entries than it can hold");
    if (ei.nentries == 0) return bad(err, "the zip archive has no entries");
    int n = (int)ei.nentries;
    z->e = pts_calloc((size_t)n, sizeof *z->e);
    z->sorted = pts_malloc(sizeof(int) * (size_t)n);
    Span *spans = pts_malloc(sizeof(Span) * (size_t)n);
    if (!z->e || !z->sorted || !spans) {
        pts_free(spans);
        pts_zip_close(z);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    PtsRd cd = pts_rd_init(buf, (size_t)(ei.cd_off + ei.cd_size));
    pts_rd_seek(&cd, ei.cd_off);
    PtsStatus s = PTS_OK;
    for (int i = 0; i < n && !s; i++) {
        uint64_t loff = 0;
        s = parse_entry(buf, len, &cd, &ei, err, &z->e[i], &loff);
        if (!s) {
            z->n = i + 1;
            spans[i].lo = loff;
            spans[i].hi = z->e[i].data_off + z->e[i].csize;
        }
    }
    if (!s) {
        /* no two entries share bytes: a shared deflate stream would multiply what a small file
         * can make the reader inflate */
        qsort(spans, (size_t)n, sizeof *spans, cmp_span);
        for (int i = 1; i < n && !s; i++)
            if (spans[i].lo < spans[i - 1].hi) s = bad(err, "zip entries overlap");
    }
    pts_free(spans);
    if (!s) {
        NameIx *ix = pts_malloc(sizeof *ix * (size_t)n);
        if (!ix) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        for (int i = 0; ix && i < n; i++) ix[i] = (NameIx){ z->e[i].name, i };
        if (ix) qsort(ix, (size_t)n, sizeof *ix, cmp_name);
        for (int i = 0; ix && i < n; i++) z->sorted[i] = ix[i].ix;
        for (int i = 1; ix && i < n && !s; i++)
            if (strcmp(ix[i].name, ix[i - 1].name) == 0) s = bad(err, "duplicate zip entry name");
        pts_free(ix);
    }
    if (s) pts_zip_close(z);
    return s;
}

int pts_zip_find(const PtsZip *z, const char *name) {
    int lo = 0, hi = z->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(z->e[z->sorted[mid]].name, name);
        if (c == 0) return z->sorted[mid];
        if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

static uint32_t crc_of(const uint8_t *p, uint64_t n) { return pts_crc32_update(0, p, (size_t)n); }

/* Inflates entry e into *buf (cap bytes). When grow is set the buffer starts small and doubles
 * as output actually arrives (up to usize), so a record that merely claims a large size never
 * gets that allocation. Exactly usize bytes must come out. */
static PtsStatus inflate_entry(const PtsZip *z, const PtsZipEntry *e, uint8_t **buf, size_t cap, bool grow,
                               PtsError *err) {
    const uint8_t *src = z->buf + e->data_off;
    uint64_t in_left = e->csize;
    size_t usize = (size_t)e->usize, produced = 0;
    uint8_t scratch;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsStatus s = PTS_OK;
    bool in_scratch = false;
    for (;;) {
        if (zs.avail_in == 0 && in_left) {
            uInt k = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
            zs.next_in = (Bytef *)src;
            zs.avail_in = k;
            src += k;
            in_left -= k;
        }
        if (zs.avail_out == 0) {
            if (!in_scratch) produced = (size_t)(zs.next_out ? zs.next_out - *buf : 0);
            if (in_scratch || produced == usize) {
                if (in_scratch) {   /* the stream wrote past the declared size */
                    s = pts_fail(err, PTS_ERR_FORMAT, "invalid archive: '%s' inflates to more than its declared size", e->name);
                    break;
                }
                zs.next_out = &scratch;   /* one spare byte detects overlong streams */
                zs.avail_out = 1;
                in_scratch = true;
            } else {
                if (produced == cap) {
                    if (!grow) { s = pts_fail(err, PTS_ERR_INTERNAL, "inflate buffer too small"); break; }
                    size_t ncap = cap > usize / 2 ? usize : cap * 2;
                    uint8_t *nb = pts_realloc(*buf, ncap + 1);
                    if (!nb) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory inflating '%s'", e->name); break; }
                    *buf = nb;
                    cap = ncap;
                }
                size_t room = cap - produced;
                zs.next_out = *buf + produced;
                zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
            }
        }
        int ret = inflate(&zs, Z_NO_FLUSH);
        if (ret == Z_STREAM_END) break;
        if (ret == Z_OK) continue;
        if (ret == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) {
            s = pts_fail(err, PTS_ERR_FORMAT, "invalid archive: deflated data of '%s' is truncated", e->name);
            break;
        }
        if (ret == Z_BUF_ERROR) continue;   /* only needed more output room */
        if (ret == Z_MEM_ERROR) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        else s = pts_fail(err, PTS_ERR_FORMAT, "invalid archive: corrupt deflated data in '%s'", e->name);
        break;
    }
    if (!s) {
        if (in_scratch && zs.avail_out == 0)
            s = pts_fail(err, PTS_ERR_FORMAT, "invalid archive: '%s' inflates to more than its declared size", e->name);
        else if (!in_scratch && (size_t)(zs.next_out ? zs.next_out - *buf : 0) != usize)
            s = pts_fail(err, PTS_ERR_FORMAT, "invalid archive: '%s' inflates to less than its declared size", e->name);
    }
    inflateEnd(&zs);
    return s;
}

static PtsStatus check_crc(const PtsZipEntry *e, const uint8_t *data, PtsError *err) {
    if (crc_of(data, e->usize) != e->crc)
        return pts_fail(err, PTS_ERR_FORMAT, "invalid archive: CRC-32 mismatch in '%s'", e->name);
    return PTS_OK;
}

PtsStatus pts_zip_read(const PtsZip *z, int i, PtsError *err, uint8_t **out) {
    const PtsZipEntry *e = &z->e[i];
    *out = NULL;
    size_t usize = (size_t)e->usize;
    /* stored bytes are in the file already; deflated ones start at a size the input justifies */
    size_t cap = usize;
    if (e->method == 8) {
        size_t start = e->csize < (1u << 20) ? (size_t)e->csize * 4 + 4096 : (size_t)e->csize * 2;
        if (start < cap) cap = start;
    }
    uint8_t *buf = pts_malloc(cap + 1);
    if (!buf) return pts_fail(err, PTS_ERR_NOMEM, "out of memory reading '%s'", e->name);
    PtsStatus s;
    if (e->method == 0) {
        if (usize) memcpy(buf, z->buf + e->data_off, usize);
        s = PTS_OK;
    } else s = inflate_entry(z, e, &buf, cap, true, err);
    if (!s) s = check_crc(e, buf, err);
    if (s) { pts_free(buf); return s; }
    buf[usize] = 0;
    *out = buf;
    return PTS_OK;
}

/* ================= writer ================= */
#define STAGE_MAX (256u << 10)   /* staged header bytes are handed to a sink at this size */
#define DIRECT_MIN (64u << 10)   /* record data this long goes to a sink from its own memory */
#define CRC_CHUNK (1u << 20)     /* data is checksummed and written in turns, while it is cached */

void pts_zipw_init(PtsZipWriter *w, PtsSinkFn sink, void *sink_ctx) {
    memset(w, 0, sizeof *w);
    w->sink = sink;
    w->sink_ctx = sink_ctx;
}

void pts_zipw_free(PtsZipWriter *w) {
    for (int i = 0; i < w->n; i++) pts_free(w->e[i].name);
    pts_free(w->e);
    pts_buf_free(&w->out);
    memset(w, 0, sizeof *w);
}

static void put(PtsZipWriter *w, const void *p, size_t n) {
    pts_buf_putn(&w->out, (const char *)p, n);
    w->pos += n;
}

static void put_le(PtsZipWriter *w, uint64_t v, int n) {
    pts_wr_le(&w->out, v, n);
    w->pos += (uint64_t)n;
}

static PtsStatus wfail_oom(PtsError *err) { return pts_fail(err, PTS_ERR_NOMEM, "out of memory writing the archive"); }

/* hands the staged bytes to the sink (nothing to do in memory) */
static PtsStatus flush(PtsZipWriter *w, PtsError *err) {
    if (w->out.oom) return wfail_oom(err);
    if (!w->sink || !w->out.len) return PTS_OK;
    PtsStatus s = w->sink(w->sink_ctx, w->out.data, w->out.len, err);
    w->out.len = 0;
    w->out.data[0] = 0;
    return s;
}

static PtsStatus deflate_all(const void *data, size_t n, PtsError *err, uint8_t **out, size_t *outn) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    uLong cap = deflateBound(&zs, (uLong)n);
    uint8_t *buf = pts_malloc(cap);
    if (!buf) { deflateEnd(&zs); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int ret = deflate(&zs, Z_FINISH);
    *outn = zs.total_out;
    deflateEnd(&zs);
    if (ret != Z_STREAM_END) { pts_free(buf); return pts_fail(err, PTS_ERR_INTERNAL, "deflate failed"); }
    *out = buf;
    return PTS_OK;
}

/* The record's stored bytes: checksummed (crc of the raw data when raw) and written a chunk at a
 * time, each chunk straight from the caller's memory when streaming a large record. */
static PtsStatus put_data(PtsZipWriter *w, const uint8_t *p, size_t n, bool raw, uint32_t *crc, PtsError *err) {
    bool direct = w->sink && n >= DIRECT_MIN;
    if (direct) PTS_TRY(flush(w, err));
    uint32_t c = 0;
    while (n) {
        size_t k = n < CRC_CHUNK ? n : CRC_CHUNK;
        if (raw) c = pts_crc32_update(c, p, k);
        if (direct) {
            PTS_TRY(w->sink(w->sink_ctx, p, k, err));
            w->pos += k;
        } else {
            put(w, p, k);
            if (w->out.oom) return wfail_oom(err);
        }
        p += k;
        n -= k;
    }
    if (raw) *crc = c;
    return PTS_OK;
}

PtsStatus pts_zipw_add(PtsZipWriter *w, const char *name, const void *data, size_t n, bool deflate,
                       PtsError *err) {
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > PTS_ARCHIVE_MAX_NAME) return pts_fail(err, PTS_ERR_VALUE, "bad record name '%s'", name);
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 16;
        PtsZipWEntry *e = pts_realloc(w->e, sizeof *e * (size_t)cap);
        if (!e) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        w->e = e;
        w->cap = cap;
    }
    uint8_t *packed = NULL;
    size_t csize = n;
    uint16_t method = 0;
    uint32_t crc = 0;
    if (deflate && n < (1u << 30)) {
        PTS_TRY(deflate_all(data, n, err, &packed, &csize));
        method = 8;
        crc = pts_crc32_update(0, data, n);
    }
    char *nm = pts_strdup(name);
    if (!nm) { pts_free(packed); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    uint64_t off = w->pos;
    bool z64 = n >= U32_MAX_FIELD || csize >= U32_MAX_FIELD || off >= U32_MAX_FIELD;
    /* pad the local header with an 'FB' field so the data starts on a 64-byte boundary */
    uint64_t before = off + 30 + nlen + (z64 ? 20 : 0) + 4;
    uint16_t pad = (uint16_t)((PTS_ARCHIVE_ALIGN - before % PTS_ARCHIVE_ALIGN) % PTS_ARCHIVE_ALIGN);
    static const char zpad[PTS_ARCHIVE_ALIGN] = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";
    put_le(w, SIG_LOCAL, 4);
    put_le(w, z64 ? 45 : method == 8 ? 20 : 0, 2);
    put_le(w, 0x0808, 2);                       /* data descriptor follows; UTF-8 name */
    put_le(w, method, 2);
    put_le(w, 0, 4);                            /* DOS time and date */
    put_le(w, 0, 4);                            /* CRC: in the descriptor */
    put_le(w, z64 ? U32_MAX_FIELD : 0, 4);
    put_le(w, z64 ? U32_MAX_FIELD : 0, 4);
    put_le(w, nlen, 2);
    put_le(w, (z64 ? 20 : 0) + 4 + pad, 2);
    put(w, name, nlen);
    if (z64) {
        put_le(w, 1, 2);
        put_le(w, 16, 2);
        put_le(w, n, 8);
        put_le(w, csize, 8);
    }
    put(w, "FB", 2);
    put_le(w, pad, 2);
    put(w, zpad, pad);
    PtsStatus s = put_data(w, packed ? packed : (const uint8_t *)data, csize, !packed, &crc, err);
    pts_free(packed);
    if (!s) {
        put_le(w, SIG_DESC, 4);
        put_le(w, crc, 4);
        put_le(w, csize, z64 ? 8 : 4);
        put_le(w, n, z64 ? 8 : 4);
        if (w->out.oom) s = wfail_oom(err);
        else if (w->out.len >= STAGE_MAX) s = flush(w, err);
    }
    if (s) { pts_free(nm); return s; }
    w->e[w->n++] = (PtsZipWEntry){ nm, off, csize, n, crc, method };
    return PTS_OK;
}

PtsStatus pts_zipw_finish(PtsZipWriter *w, PtsError *err, uint8_t **out, size_t *outn) {
    *out = NULL;
    *outn = 0;
    uint64_t cd_off = w->pos;
    for (int i = 0; i < w->n; i++) {
        const PtsZipWEntry *e = &w->e[i];
        bool bu = e->usize >= U32_MAX_FIELD, bc = e->csize >= U32_MAX_FIELD, bo = e->offset >= U32_MAX_FIELD;
        int x = (bu + bc + bo) * 8;
        size_t nlen = strlen(e->name);
        put_le(w, SIG_CENTRAL, 4);
        put_le(w, 0, 2);                        /* version made by */
        put_le(w, x ? 45 : e->method == 8 ? 20 : 0, 2);
        put_le(w, 0x0808, 2);
        put_le(w, e->method, 2);
        put_le(w, 0, 4);
        put_le(w, e->crc, 4);
        put_le(w, bc ? U32_MAX_FIELD : e->csize, 4);
        put_le(w, bu ? U32_MAX_FIELD : e->usize, 4);
        put_le(w, nlen, 2);
        put_le(w, x ? x + 4 : 0, 2);
        put_le(w, 0, 2);                        /* comment */
        put_le(w, 0, 2);                        /* disk */
        put_le(w, 0, 2);                        /* internal attributes */
        put_le(w, 0, 4);                        /* external attributes */
        put_le(w, bo ? U32_MAX_FIELD : e->offset, 4);
        put(w, e->name, nlen);
        if (x) {
            put_le(w, 1, 2);
            put_le(w, (uint64_t)x, 2);
            if (bu) put_le(w, e->usize, 8);
            if (bc) put_le(w, e->csize, 8);
            if (bo) put_le(w, e->offset, 8);
        }
    }
    uint64_t cd_size = w->pos - cd_off, z64_off = w->pos, n = (uint64_t)w->n;
    put_le(w, SIG_Z64_EOCD, 4);
    put_le(w, 44, 8);
    put_le(w, 0x031e, 2);                       /* made by: as PyTorch writes */
    put_le(w, 45, 2);
    put_le(w, 0, 4);
    put_le(w, 0, 4);
    put_le(w, n, 8);
    put_le(w, n, 8);
    put_le(w, cd_size, 8);
    put_le(w, cd_off, 8);
    put_le(w, SIG_Z64_LOC, 4);
    put_le(w, 0, 4);
    put_le(w, z64_off, 8);
    put_le(w, 1, 4);
    put_le(w, SIG_EOCD, 4);
    put_le(w, 0, 2);
    put_le(w, 0, 2);
    put_le(w, n >= U16_MAX_FIELD ? U16_MAX_FIELD : n, 2);
    put_le(w, n >= U16_MAX_FIELD ? U16_MAX_FIELD : n, 2);
    put_le(w, cd_size >= U32_MAX_FIELD ? U32_MAX_FIELD : cd_size, 4);
    put_le(w, cd_off >= U32_MAX_FIELD ? U32_MAX_FIELD : cd_off, 4);
    put_le(w, 0, 2);
    PTS_TRY(flush(w, err));
    if (w->sink) return PTS_OK;
    *outn = w->out.len;
    *out = (uint8_t *)w->out.data;
    memset(&w->out, 0, sizeof w->out);
    return PTS_OK;
}

/* ================= file descriptor sink ================= */
#define WRITEBACK_STEP (8u << 20)

PtsStatus pts_fd_sink(void *ctx, const void *data, size_t n, PtsError *err) {
    PtsFdSink *fs = ctx;
    const char *p = data;
    while (n) {
        size_t k = n < (1u << 30) ? n : (1u << 30);
        ssize_t r = write(fs->fd, p, k);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            fs->err_no = r < 0 ? errno : ENOSPC;   /* a write of 0 bytes: the device took nothing */
            return pts_fail(err, PTS_ERR_VALUE, "writing the archive failed: %s", strerror(fs->err_no));
        }
        p += r;
        n -= (size_t)r;
        fs->written += (uint64_t)r;
    }
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    /* start writeback of what is written so far: the disk works while the rest is produced, and
     * the caller's fsync waits for the tail only. Failures (pipes, old kernels) change nothing. */
    if (fs->written - fs->synced >= WRITEBACK_STEP) {
        (void)sync_file_range(fs->fd, (off64_t)fs->synced, (off64_t)(fs->written - fs->synced), SYNC_FILE_RANGE_WRITE);
        fs->synced = fs->written;
    }
#endif
    return PTS_OK;
}
