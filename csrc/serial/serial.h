/* serial.h: the archive layer. TorchScript's zip container (zip.c), the protocol-2 pickle subset
 * PyTorch uses for data.pkl and constants.pkl (pickle.c), annotation types and class headers of
 * code/ files (annot.c), and the archive reader and writer tying them to objects (archive.c).
 * Archive bytes are never trusted: every read goes through the bounds-checked cursor below and
 * every failure is PTS_ERR_FORMAT with a message. Includes ir and below; never Python. */
#ifndef PTS_SERIAL_H
#define PTS_SERIAL_H

#include "../ir/ir.h"

/* ---- limits ---- */
#define PTS_ARCHIVE_MAX_DEPTH 200        /* nesting of containers and objects in a pickle */
#define PTS_PICKLE_MAX_ITEMS (1 << 24)   /* pickle stack entries and memo ids */
#define PTS_ARCHIVE_MAX_TYPE_DEPTH 64    /* nesting inside one annotation type */
#define PTS_ARCHIVE_MAX_CLASS_NEST 64    /* classes resolved from one another's annotations */
#define PTS_ARCHIVE_MAX_NAME 4096        /* bytes of one record name or qualified name */
#define PTS_ZIP_MAX_RATIO 1100           /* deflate never expands more than 1032:1 */
#define PTS_ARCHIVE_MIN_VERSION 1        /* file format versions PyTorch reads */
#define PTS_ARCHIVE_MAX_VERSION 10
#define PTS_ARCHIVE_PRODUCED_MIN 3       /* what PyTorch writes when no op needs more */
#define PTS_ARCHIVE_ALIGN 64             /* record data alignment in written archives */

/* ---- bounds-checked reading cursor with a sticky error flag ----
 * A short read sets bad and yields zeros, so a parser can read a whole header and test bad once. */
typedef struct PtsRd {
    const uint8_t *p;   /* borrowed bytes */
    size_t len;         /* bytes available at p */
    size_t pos;         /* next byte to read */
    bool bad;           /* sticky: a read or seek went out of bounds */
} PtsRd;

static inline PtsRd pts_rd_init(const void *p, size_t len) {
    PtsRd r = { (const uint8_t *)p, len, 0, false };
    return r;
}
static inline bool pts_rd_has(PtsRd *r, size_t n) {
    if (r->bad || r->pos > r->len || n > r->len - r->pos) { r->bad = true; return false; }
    return true;
}
static inline const uint8_t *pts_rd_bytes(PtsRd *r, size_t n) {
    if (!pts_rd_has(r, n)) return NULL;
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}
static inline uint64_t pts_rd_le(PtsRd *r, int n) {
    const uint8_t *q = pts_rd_bytes(r, (size_t)n);
    uint64_t v = 0;
    if (q) for (int i = n - 1; i >= 0; i--) v = (v << 8) | q[i];
    return v;
}
static inline uint8_t pts_rd_u8(PtsRd *r) { return (uint8_t)pts_rd_le(r, 1); }
static inline uint16_t pts_rd_u16(PtsRd *r) { return (uint16_t)pts_rd_le(r, 2); }
static inline uint32_t pts_rd_u32(PtsRd *r) { return (uint32_t)pts_rd_le(r, 4); }
static inline uint64_t pts_rd_u64(PtsRd *r) { return pts_rd_le(r, 8); }
static inline void pts_rd_seek(PtsRd *r, uint64_t pos) {
    if (pos > r->len) r->bad = true;
    else r->pos = (size_t)pos;
}

/* little-endian writers on a PtsBuf (its oom flag is sticky too) */
static inline void pts_wr_le(PtsBuf *b, uint64_t v, int n) {
    char tmp[8];
    for (int i = 0; i < n; i++) tmp[i] = (char)(v >> (8 * i));
    pts_buf_putn(b, tmp, (size_t)n);
}

/* ---- small open-addressing maps (pickle.c) ---- */
typedef struct PtsPtrMap { uintptr_t *keys; uint32_t *vals; size_t cap, n; } PtsPtrMap;
typedef struct PtsStrMap { char **keys; size_t *lens; uint32_t *vals; size_t cap, n; } PtsStrMap;
PTS_INTERNAL bool pts_ptrmap_get(const PtsPtrMap *m, const void *k, uint32_t *v);
PTS_INTERNAL bool pts_ptrmap_put(PtsPtrMap *m, const void *k, uint32_t v);   /* false: OOM */
PTS_INTERNAL void pts_ptrmap_free(PtsPtrMap *m);
PTS_INTERNAL bool pts_strmap_get(const PtsStrMap *m, const char *k, size_t n, uint32_t *v);
/* Adds a key that is not present yet (copied); false on OOM. */
PTS_INTERNAL bool pts_strmap_put(PtsStrMap *m, const char *k, size_t n, uint32_t v);
PTS_INTERNAL void pts_strmap_free(PtsStrMap *m);
PTS_INTERNAL bool pts_utf8_valid(const uint8_t *s, size_t n);

/* ---- zip container (zip.c) ---- */
typedef struct PtsZipEntry {
    char *name;          /* owned, NUL-terminated, no NUL inside */
    uint64_t csize;      /* stored bytes */
    uint64_t usize;      /* bytes after inflation */
    uint64_t data_off;   /* offset of the stored bytes in the file */
    uint32_t crc;        /* CRC-32 of the uncompressed bytes */
    uint16_t method;     /* 0 stored, 8 deflated */
} PtsZipEntry;

typedef struct PtsZip {
    const uint8_t *buf;  /* borrowed archive bytes */
    size_t len;
    int n;               /* entries in central-directory order */
    PtsZipEntry *e;      /* owned */
    int *sorted;         /* entry numbers sorted by name, for lookups (owned) */
} PtsZip;

/* Parses and checks the central directory (ZIP64 aware): entries lie inside the file, do not
 * overlap each other or the directory, names are unique, methods are stored/deflate, no
 * encryption, declared sizes are possible for their stored bytes. */
PTS_INTERNAL PtsStatus pts_zip_open(const uint8_t *buf, size_t len, PtsError *err, PtsZip *z);
PTS_INTERNAL void pts_zip_close(PtsZip *z);
PTS_INTERNAL int pts_zip_find(const PtsZip *z, const char *name);   /* entry number or -1 */
/* The entry's bytes in a new buffer (pts_free) with a NUL after them. A deflated entry's buffer
 * grows with the bytes actually inflated, never on the strength of its declared size alone. */
PTS_INTERNAL PtsStatus pts_zip_read(const PtsZip *z, int i, PtsError *err, uint8_t **out);

typedef struct PtsZipWEntry {
    char *name;          /* owned */
    uint64_t offset;     /* of the local header */
    uint64_t csize, usize;
    uint32_t crc;
    uint16_t method;
} PtsZipWEntry;

/* Where a streamed archive goes: called with the archive's bytes in order; a failure (disk full,
 * a raising file object) stops the save with that error. */
typedef PtsStatus (*PtsSinkFn)(void *ctx, const void *data, size_t n, PtsError *err);

typedef struct PtsZipWriter {
    PtsBuf out;          /* bytes not handed to the sink yet; the whole archive without a sink */
    uint64_t pos;        /* archive bytes so far (handed over and staged) */
    PtsSinkFn sink;      /* NULL: build the archive in out */
    void *sink_ctx;
    int n, cap;
    PtsZipWEntry *e;
} PtsZipWriter;

/* sink NULL: the archive is built in memory and handed over by pts_zipw_finish. Otherwise
 * headers are staged in a small buffer and record data goes to the sink straight from the
 * caller's memory (a tensor storage is never copied into an archive buffer). */
PTS_INTERNAL void pts_zipw_init(PtsZipWriter *w, PtsSinkFn sink, void *sink_ctx);
PTS_INTERNAL void pts_zipw_free(PtsZipWriter *w);
/* Appends one record as PyTorch writes it: data aligned to 64 bytes with an 'FB' padding field,
 * a data descriptor, ZIP64 fields when needed; deflated when deflate is set. */
PTS_INTERNAL PtsStatus pts_zipw_add(PtsZipWriter *w, const char *name, const void *data, size_t n,
                                    bool deflate, PtsError *err);
/* Central directory, ZIP64 end records and the end record. In memory the bytes move to *out
 * (pts_free); with a sink everything is handed over and *out is NULL. */
PTS_INTERNAL PtsStatus pts_zipw_finish(PtsZipWriter *w, PtsError *err, uint8_t **out, size_t *n);

/* CRC-32 of zip (crc 0 to start; feed the result back to continue), carry-less multiply where
 * the CPU has it (crc32.c); pts_crc32_portable is the table path alone, for tests. */
PTS_INTERNAL uint32_t pts_crc32_update(uint32_t crc, const void *data, size_t n);
PTS_INTERNAL uint32_t pts_crc32_portable(uint32_t crc, const void *data, size_t n);

/* A sink writing to a file descriptor (ctx: PtsFdSink): whole writes across EINTR and short
 * writes; on Linux every few MB written are handed to writeback at once (sync_file_range), so
 * that the fsync which makes a saved file durable finds most of it on disk already. Errors: VALUE
 * with the OS message and errno set in err_no. */
typedef struct PtsFdSink {
    int fd;
    uint64_t written, synced;   /* bytes written; bytes handed to writeback */
    int err_no;                 /* errno of a failed write, 0 otherwise */
} PtsFdSink;
PTS_INTERNAL PtsStatus pts_fd_sink(void *ctx, const void *data, size_t n, PtsError *err);

/* ---- annotation types and class headers (annot.c) ---- */
/* Finds the class of a qualified name ("__torch__.a.B"); the caller owns it (borrowed here). */
typedef PtsStatus (*PtsClassResolve)(void *ctx, const char *qualname, PtsError *err,
                                     PtsClassType **out);

/* Parses one annotation type (section 3.6 grammar: Tensor, int, List[int], Dict[str, Tensor],
 * Optional[...], Tuple[...], Union[...], __torch__.Cls ...) spanning all of s[0..n). */
PTS_INTERNAL PtsStatus pts_annot_parse(const char *s, size_t n, PtsClassResolve resolve, void *ctx,
                                       PtsError *err, PtsType **out);
/* Does value v fit type t (recursively; objects by class)? */
PTS_INTERNAL bool pts_value_fits(PtsValue v, const PtsType *t);

typedef enum PtsClassKind {
    PTS_CLASSDEF_MODULE, PTS_CLASSDEF_CLASS, PTS_CLASSDEF_NAMEDTUPLE, PTS_CLASSDEF_OTHER,
    PTS_CLASSDEF_INTERFACE,         /* `class I(Interface):`: method signatures only */
    PTS_CLASSDEF_MODULE_INTERFACE,  /* `class I(ModuleInterface):` */
    PTS_CLASSDEF_ENUM,              /* `class E(Enum):`: members `NAME = literal` (attrs with value,
                                     * no type) */
} PtsClassKind;

typedef struct PtsClassDefAttr {
    const char *name; size_t name_len;   /* borrowed spans of the source */
    const char *type; size_t type_len;
    const char *value; size_t value_len; /* Final constants: the literal; NULL otherwise */
} PtsClassDefAttr;

/* The header of `class Name...:` in a code file: its kind, attribute annotation lines in order,
 * the __parameters__ / __buffers__ lists, and whether it defines __setstate__. Spans borrow the
 * source text. */
typedef struct PtsClassDef {
    PtsClassKind kind;
    int nattrs;
    PtsClassDefAttr *attrs;              /* owned array */
    int nparams, nbuffers;
    char **params, **buffers;            /* owned names */
    bool has_setstate;
} PtsClassDef;

/* Finds `class <name>` at the top level of src, starting at byte `from` (a line start), and
 * parses its header. Missing class: FORMAT. */
PTS_INTERNAL PtsStatus pts_classdef_parse(const char *src, size_t n, size_t from, const char *name,
                                          PtsError *err, PtsClassDef *out);
/* Calls fn(ctx, name, len, line offset) for every top-level `class Name` line of src. */
PTS_INTERNAL bool pts_classdef_scan(const char *src, size_t n,
                                    bool (*fn)(void *ctx, const char *name, size_t len, size_t off),
                                    void *ctx);
PTS_INTERNAL void pts_classdef_free(PtsClassDef *d);
/* Makes cls (new, empty) the enum a PTS_CLASSDEF_ENUM header declares (FORMAT on bad members). */
PTS_INTERNAL PtsStatus pts_classdef_enum(PtsClassType *cls, const PtsClassDef *d, PtsError *err);
/* A literal as printed for Final constants (int, float, bool, None, str, tuples, device). */
PTS_INTERNAL PtsStatus pts_literal_parse(const char *s, size_t n, PtsError *err, PtsValue *out);
/* Prints a constant value as a TorchScript literal (the inverse of pts_literal_parse). */
PTS_INTERNAL void pts_literal_print(PtsBuf *b, PtsValue v);

/* ---- pickle (pickle.c) ---- */
/* Reader callbacks supplied by the archive loader. */
typedef struct PtsUnpickleHooks {
    void *ctx;
    /* The class of a GLOBAL outside the fixed whitelist (a __torch__ name); borrowed. */
    PtsClassResolve resolve_class;
    /* The storage of a persistent id ('storage', dtype, key, location, numel); +1. */
    PtsStatus (*load_storage)(void *ctx, PtsDType dtype, const char *key, int64_t numel,
                              PtsError *err, PtsStorage **out);
    /* An object of class cls from its pickled state (state borrowed). */
    PtsStatus (*build_object)(void *ctx, PtsClassType *cls, PtsValue state, PtsError *err,
                              PtsValue *out);
} PtsUnpickleHooks;

/* Runs the protocol-2 subset PyTorch's C++ unpickler accepts (and nothing else) over data. */
PTS_INTERNAL PtsStatus pts_unpickle(const uint8_t *data, size_t n, const PtsUnpickleHooks *h,
                                    PtsError *err, PtsValue *out);

/* One storage met while pickling: written as record <key> (its index) by the archive writer. */
typedef struct PtsPickledStorage {
    PtsStorage *st;      /* borrowed (the values being pickled keep it alive) */
    PtsDType dtype;
    int64_t numel;       /* whole storage, in elements */
} PtsPickledStorage;

typedef struct PtsPickler PtsPickler;
typedef struct PtsPickleHooks {
    void *ctx;
    /* Class name as written (mangled for clashing classes); NULL keeps cls->qualname. */
    const char *(*class_name)(void *ctx, const PtsClassType *cls);
    /* Static type of attribute i (what the class header declares); NULL keeps attrs[i].type. */
    const PtsType *(*attr_type)(void *ctx, const PtsClassType *cls, int i);
} PtsPickleHooks;
PTS_INTERNAL PtsStatus pts_pickler_new(const PtsPickleHooks *hooks, PtsError *err, PtsPickler **out);
PTS_INTERNAL void pts_pickler_free(PtsPickler *p);
/* Pickles v as PyTorch's C++ pickler does (section 2.2 opcodes only); static_type (may be
 * NULL) gives container element types for type tags. The bytes end with STOP. */
PTS_INTERNAL PtsStatus pts_pickle_dump(PtsPickler *p, PtsValue v, const PtsType *static_type,
                                       PtsError *err);
PTS_INTERNAL const PtsBuf *pts_pickler_bytes(const PtsPickler *p);
PTS_INTERNAL int pts_pickler_nstorages(const PtsPickler *p);
PTS_INTERNAL const PtsPickledStorage *pts_pickler_storage(const PtsPickler *p, int i);
/* The static type of a value for annotations and type tags, inferred from its contents when the
 * given type is missing or imprecise (Any). Owned; NULL with TYPE error for mixed containers. */
PTS_INTERNAL PtsType *pts_value_static_type(PtsValue v, const PtsType *given, PtsError *err);

/* requires_grad of tensors as the archive sees it; the autograd layer may install its own. */
PTS_INTERNAL extern bool (*pts_archive_requires_grad)(const PtsTensor *t);
PTS_INTERNAL extern PtsStatus (*pts_archive_set_requires_grad)(PtsTensor *t, bool on, PtsError *err);

/* ---- mapped archive files (mapfile.c) ---- */
typedef struct PtsMapping {
    atomic_int refcnt;   /* the loader and every storage pointing into the bytes */
    uint8_t *base;       /* the file's bytes: a MAP_PRIVATE mapping, or a heap copy */
    size_t len;
    bool mapped;         /* base came from mmap */
} PtsMapping;

/* Maps the file at path (read/write, private copy-on-write); files that cannot be mapped are read
 * into one heap buffer (at most max bytes). Errors: VALUE with the OS message. */
PTS_INTERNAL PtsStatus pts_mapping_open(const char *path, size_t max, PtsError *err, PtsMapping **out);
PTS_INTERNAL PtsMapping *pts_mapping_retain(PtsMapping *m);
PTS_INTERNAL void pts_mapping_release(PtsMapping *m);
/* PtsDeleter for storages inside a mapping: ctx is the mapping (one reference). */
PTS_INTERNAL void pts_mapping_deleter(void *data, void *ctx);

/* ---- archives (archive.c) ---- */
typedef struct PtsArchiveFile {
    char *name;          /* owned: "meta.txt" for extra/, "code/__torch__.py" for code */
    uint8_t *data;       /* owned bytes (NUL-terminated for convenience) */
    size_t len;
} PtsArchiveFile;

typedef struct PtsSaveOptions {
    const char *folder;             /* top folder of every record ("archive" for streams) */
    PtsFunction *fn;                /* when set: saved as the forward of a synthesized
                                       __torch__.PlaceholderModule instead of root */
    const PtsArchiveFile *extra;    /* extra/<name> records */
    int nextra;
    /* Pass-through of a loaded module whose methods are not compiled: these code/ files are
     * written verbatim instead of printed classes, with the constant table they index and at
     * least the version of the archive they came from. */
    const PtsArchiveFile *code;
    int ncode;
    PtsValue constants;             /* tuple (with code) */
    int min_version;
    PtsSinkFn sink;                 /* when set: the archive streams to it (see PtsZipWriter) */
    void *sink_ctx;
} PtsSaveOptions;

/* Writes the module object root as a TorchScript archive; *out is owned (pts_free), or NULL when
 * the archive went to opt->sink. */
PTS_INTERNAL PtsStatus pts_archive_save(PtsValue root, const PtsSaveOptions *opt, PtsError *err,
                                        uint8_t **out, size_t *outlen);

typedef struct PtsLoaded {
    PtsValue root;       /* the top-level object */
    PtsValue constants;  /* tuple: CONSTANTS.cN */
    int version;         /* file format version */
    int ncode;
    PtsArchiveFile *code;   /* code/...py sources (names without the top folder) */
    int nextra;
    PtsArchiveFile *extra;  /* extra/ records (names without extra/) */
    PtsUnit *unit;       /* owns the classes of the archive and the functions compiled from it
                          * (pts_archive_compile); the objects of the tree hold it too */
} PtsLoaded;

/* Reads an archive without running anything: objects, tensors (checked against their storage
 * records), constants, the code sources and extra files. */
PTS_INTERNAL PtsStatus pts_archive_load(const uint8_t *buf, size_t len, PtsError *err,
                                        PtsLoaded *out);
/* The same over a mapped file: stored storage records whose data offset suits their dtype become
 * storages pointing into the mapping (zero-copy, each holding a reference to it). */
PTS_INTERNAL PtsStatus pts_archive_load_mapped(PtsMapping *m, PtsError *err, PtsLoaded *out);
PTS_INTERNAL void pts_loaded_free(PtsLoaded *l);
/* The archive version needed by the ops the functions of these classes call (section 1.3). */
PTS_INTERNAL int pts_archive_version_for_op(int op);

#endif
