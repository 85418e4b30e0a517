/* zip.c: the zip container of TorchScript archives. The reader trusts nothing: it locates the
 * (ZIP64) end records, checks every central-directory entry against the file (offsets, sizes,
 * overlap, names, methods), and inflates with zlib into buffers of exactly the declared size. The
 * writer lays records out as PyTorch's miniz writer does (64-byte aligned data, 'FB' padding,
 * data descriptors, ZIP64 end records always). */
#include <stdlib.h>
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

static uint32_t crc_of(const uint8_t *p, uint64_t n) {
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

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
void pts_zipw_init(PtsZipWriter *w) { memset(w, 0, sizeof *w); }

void pts_zipw_free(PtsZipWriter *w) {
    for (int i = 0; i < w->n; i++) pts_free(w->e[i].name);
    pts_free(w->e);
    pts_buf_free(&w->out);
    memset(w, 0, sizeof *w);
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
    if (deflate && n < (1u << 30)) {
        PTS_TRY(deflate_all(data, n, err, &packed, &csize));
        method = 8;
    }
    char *nm = pts_strdup(name);
    if (!nm) { pts_free(packed); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    PtsBuf *b = &w->out;
    uint64_t off = b->len;
    bool z64 = n >= U32_MAX_FIELD || csize >= U32_MAX_FIELD || off >= U32_MAX_FIELD;
    uint32_t crc = crc_of(data, n);
    /* pad the local header with an 'FB' field so the data starts on a 64-byte boundary */
    uint64_t before = off + 30 + nlen + (z64 ? 20 : 0) + 4;
    uint16_t pad = (uint16_t)((PTS_ARCHIVE_ALIGN - before % PTS_ARCHIVE_ALIGN) % PTS_ARCHIVE_ALIGN);
    pts_wr_le(b, SIG_LOCAL, 4);
    pts_wr_le(b, z64 ? 45 : method == 8 ? 20 : 0, 2);
    pts_wr_le(b, 0x0808, 2);                    /* data descriptor follows; UTF-8 name */
    pts_wr_le(b, method, 2);
    pts_wr_le(b, 0, 4);                         /* DOS time and date */
    pts_wr_le(b, 0, 4);                         /* CRC: in the descriptor */
    pts_wr_le(b, z64 ? U32_MAX_FIELD : 0, 4);
    pts_wr_le(b, z64 ? U32_MAX_FIELD : 0, 4);
    pts_wr_le(b, nlen, 2);
    pts_wr_le(b, (z64 ? 20 : 0) + 4 + pad, 2);
    pts_buf_putn(b, name, nlen);
    if (z64) {
        pts_wr_le(b, 1, 2);
        pts_wr_le(b, 16, 2);
        pts_wr_le(b, n, 8);
        pts_wr_le(b, csize, 8);
    }
    pts_buf_putn(b, "FB", 2);
    pts_wr_le(b, pad, 2);
    for (int i = 0; i < pad; i++) pts_buf_putn(b, "Z", 1);
    if (csize) pts_buf_putn(b, packed ? (const char *)packed : (const char *)data, csize);
    pts_wr_le(b, SIG_DESC, 4);
    pts_wr_le(b, crc, 4);
    pts_wr_le(b, csize, z64 ? 8 : 4);
    pts_wr_le(b, n, z64 ? 8 : 4);
    pts_free(packed);
    if (b->oom) { pts_free(nm); return pts_fail(err, PTS_ERR_NOMEM, "out of memory writing the archive"); }
    w->e[w->n++] = (PtsZipWEntry){ nm, off, csize, n, crc, method };
    return PTS_OK;
}

PtsStatus pts_zipw_finish(PtsZipWriter *w, PtsError *err, uint8_t **out, size_t *outn) {
    PtsBuf *b = &w->out;
    uint64_t cd_off = b->len;
    for (int i = 0; i < w->n; i++) {
        const PtsZipWEntry *e = &w->e[i];
        bool bu = e->usize >= U32_MAX_FIELD, bc = e->csize >= U32_MAX_FIELD, bo = e->offset >= U32_MAX_FIELD;
        int x = (bu + bc + bo) * 8;
        size_t nlen = strlen(e->name);
        pts_wr_le(b, SIG_CENTRAL, 4);
        pts_wr_le(b, 0, 2);                     /* version made by */
        pts_wr_le(b, x ? 45 : e->method == 8 ? 20 : 0, 2);
        pts_wr_le(b, 0x0808, 2);
        pts_wr_le(b, e->method, 2);
        pts_wr_le(b, 0, 4);
        pts_wr_le(b, e->crc, 4);
        pts_wr_le(b, bc ? U32_MAX_FIELD : e->csize, 4);
        pts_wr_le(b, bu ? U32_MAX_FIELD : e->usize, 4);
        pts_wr_le(b, nlen, 2);
        pts_wr_le(b, x ? x + 4 : 0, 2);
        pts_wr_le(b, 0, 2);                     /* comment */
        pts_wr_le(b, 0, 2);                     /* disk */
        pts_wr_le(b, 0, 2);                     /* internal attributes */
        pts_wr_le(b, 0, 4);                     /* external attributes */
        pts_wr_le(b, bo ? U32_MAX_FIELD : e->offset, 4);
        pts_buf_putn(b, e->name, nlen);
        if (x) {
            pts_wr_le(b, 1, 2);
            pts_wr_le(b, (uint64_t)x, 2);
            if (bu) pts_wr_le(b, e->usize, 8);
            if (bc) pts_wr_le(b, e->csize, 8);
            if (bo) pts_wr_le(b, e->offset, 8);
        }
    }
    uint64_t cd_size = b->len - cd_off, z64_off = b->len, n = (uint64_t)w->n;
    pts_wr_le(b, SIG_Z64_EOCD, 4);
    pts_wr_le(b, 44, 8);
    pts_wr_le(b, 0x031e, 2);                    /* made by: as PyTorch writes */
    pts_wr_le(b, 45, 2);
    pts_wr_le(b, 0, 4);
    pts_wr_le(b, 0, 4);
    pts_wr_le(b, n, 8);
    pts_wr_le(b, n, 8);
    pts_wr_le(b, cd_size, 8);
    pts_wr_le(b, cd_off, 8);
    pts_wr_le(b, SIG_Z64_LOC, 4);
    pts_wr_le(b, 0, 4);
    pts_wr_le(b, z64_off, 8);
    pts_wr_le(b, 1, 4);
    pts_wr_le(b, SIG_EOCD, 4);
    pts_wr_le(b, 0, 2);
    pts_wr_le(b, 0, 2);
    pts_wr_le(b, n >= U16_MAX_FIELD ? U16_MAX_FIELD : n, 2);
    pts_wr_le(b, n >= U16_MAX_FIELD ? U16_MAX_FIELD : n, 2);
    pts_wr_le(b, cd_size >= U32_MAX_FIELD ? U32_MAX_FIELD : cd_size, 4);
    pts_wr_le(b, cd_off >= U32_MAX_FIELD ? U32_MAX_FIELD : cd_off, 4);
    pts_wr_le(b, 0, 2);
    if (b->oom) return pts_fail(err, PTS_ERR_NOMEM, "out of memory writing the archive");
    *outn = b->len;
    *out = (uint8_t *)b->data;
    memset(b, 0, sizeof *b);
    return PTS_OK;
}
