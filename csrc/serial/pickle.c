/* pickle.c: the protocol-2 pickle subset of TorchScript archives (data.pkl, constants.pkl).
 * The reader is a stack machine over exactly the opcodes and globals PyTorch's C++ unpickler
 * accepts; it runs nothing, allocates only what the bytes justify, bounds nesting and the expanded
 * size of shared values, and hands storages, classes and objects to the loader's hooks. The writer
 * emits what PyTorch's C++ pickler emits, memoizing strings, globals, storages and shared values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "serial.h"

enum {
    OP_MARK = '(', OP_STOP = '.', OP_BININT = 'J', OP_BININT1 = 'K', OP_BININT2 = 'M',
    OP_NONE = 'N', OP_BINPERSID = 'Q', OP_REDUCE = 'R', OP_BINUNICODE = 'X', OP_APPEND = 'a',
    OP_BUILD = 'b', OP_GLOBAL = 'c', OP_DICT = 'd', OP_EMPTY_DICT = '}', OP_APPENDS = 'e',
    OP_BINGET = 'h', OP_LONG_BINGET = 'j', OP_LIST = 'l', OP_EMPTY_LIST = ']', OP_BINPUT = 'q',
    OP_LONG_BINPUT = 'r', OP_SETITEM = 's', OP_TUPLE = 't', OP_EMPTY_TUPLE = ')', OP_SETITEMS = 'u',
    OP_BINFLOAT = 'G', OP_PROTO = 0x80, OP_NEWOBJ = 0x81, OP_TUPLE1 = 0x85, OP_TUPLE2 = 0x86,
    OP_TUPLE3 = 0x87, OP_NEWTRUE = 0x88, OP_NEWFALSE = 0x89, OP_LONG1 = 0x8a, OP_BINUNICODE8 = 0x8d,
};

/* ================= shared: storage type names ================= */
static const char *storage_name(PtsDType d) {
    switch (d) {
    case PTS_UINT8: return "ByteStorage"; case PTS_INT8: return "CharStorage";
    case PTS_INT16: return "ShortStorage"; case PTS_INT32: return "IntStorage";
    case PTS_INT64: return "LongStorage"; case PTS_FLOAT16: return "HalfStorage";
    case PTS_FLOAT32: return "FloatStorage"; case PTS_FLOAT64: return "DoubleStorage";
    case PTS_BOOL: return "BoolStorage"; case PTS_BFLOAT16: return "BFloat16Storage";
    case PTS_COMPLEX64: return "ComplexFloatStorage"; case PTS_COMPLEX128: return "ComplexDoubleStorage";
    default: return NULL;
    }
}

/* storages PyTorch knows but pyts cannot hold: named in the error */
static const char *const foreign_storages[] = {
    "ComplexHalfStorage", "QInt8Storage",
    "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage", "Bits1x8Storage",
    "Bits2x4Storage", "Bits4x2Storage", "Bits8Storage", "Bits16Storage", "Float8_e5m2Storage",
    "Float8_e4m3fnStorage", "Float8_e5m2fnuzStorage", "Float8_e4m3fnuzStorage", "UInt16Storage",
    "UInt32Storage", "UInt64Storage", NULL,
};

bool (*pts_archive_requires_grad)(const PtsTensor *t);
PtsStatus (*pts_archive_set_requires_grad)(PtsTensor *t, bool on, PtsError *err);

static bool default_requires_grad(const PtsTensor *t) { return (t->flags & PTS_TF_REQUIRES_GRAD) != 0; }
static PtsStatus default_set_requires_grad(PtsTensor *t, bool on, PtsError *err) {
    (void)err;
    if (on) t->flags |= PTS_TF_REQUIRES_GRAD; else t->flags &= ~(uint32_t)PTS_TF_REQUIRES_GRAD;
    return PTS_OK;
}

/* ================= reader ================= */
/* Stack items are values plus bookkeeping. Globals and not-yet-built objects use private tags
 * that never escape: lists, dicts, object states and the result reject items marked internal. */
enum { TAG_GLOBAL = 250, TAG_CLASS = 251, TAG_PENDING = 252 };
enum {
    G_REBUILD_TENSOR, G_RESTORE_TYPE_TAG, G_INTLIST, G_DOUBLELIST, G_BOOLLIST, G_TENSORLIST,
    G_ORDEREDDICT, G_DEVICE, G_COMPLEX, G_STORAGE, /* G_STORAGE carries the dtype in bits 8.. */
};

typedef struct StorageRef {
    PtsHeap h;
    PtsStorage *st;     /* +1 */
    PtsDType dtype;
    int64_t numel;
} StorageRef;

static void storage_ref_destroy(PtsHeap *h) {
    pts_storage_release(((StorageRef *)h)->st);
    pts_free(h);
}
static StorageRef *as_storage_ref(PtsValue v) {
    return v.tag == PTS_V_HEAP && v.u.h->destroy == storage_ref_destroy ? (StorageRef *)v.u.h : NULL;
}

typedef struct Item {
    PtsValue v;         /* owned (private tags hold no references) */
    uint32_t depth;     /* nesting of containers inside */
    bool internal;      /* is or holds a global, pending object or storage reference */
    uint64_t weight;    /* values reachable counting repeats: bounds work on shared data */
} Item;

typedef struct Un {
    PtsRd r;
    const PtsUnpickleHooks *h;
    PtsError *err;
    Item *stack;
    size_t sp, cap;
    size_t *marks;
    size_t nmarks, capmarks;
    Item *memo;
    size_t nmemo;
    uint64_t weight_limit;
} Un;

static PtsStatus ufail(Un *u, const char *fmt, ...) PTS_PRINTF(2, 3);
static PtsStatus ufail(Un *u, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pts_fail(u->err, PTS_ERR_FORMAT, "invalid archive: pickle: %s (at byte %zu)", msg, u->r.pos);
}

static void item_release(Item *it) {
    if (it->v.tag < TAG_GLOBAL) pts_value_release(&it->v);
    it->v = pts_none();
}

static Item item_copy(const Item *it) {
    Item c = *it;
    if (c.v.tag < TAG_GLOBAL) pts_value_retain(c.v);
    return c;
}

static PtsStatus push(Un *u, Item it) {
    if (u->sp >= PTS_PICKLE_MAX_ITEMS) {
        item_release(&it);
        return ufail(u, "more than %d values on the stack", PTS_PICKLE_MAX_ITEMS);
    }
    if (u->sp == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        Item *s = pts_realloc(u->stack, sizeof *s * cap);
        if (!s) { item_release(&it); return pts_fail(u->err, PTS_ERR_NOMEM, "out of memory"); }
        u->stack = s;
        u->cap = cap;
    }
    u->stack[u->sp++] = it;
    return PTS_OK;
}

static PtsStatus push_val(Un *u, PtsValue v) {
    Item it = { v, 0, false, 1 };
    return push(u, it);
}

static size_t top_mark(const Un *u) { return u->nmarks ? u->marks[u->nmarks - 1] : 0; }

/* items above the innermost mark may be popped one by one */
static PtsStatus need(Un *u, size_t n) {
    if (u->sp - top_mark(u) < n) return ufail(u, "stack underflow");
    return PTS_OK;
}

static Item pop(Un *u) { return u->stack[--u->sp]; }

static PtsStatus pop_mark(Un *u, size_t *base) {
    if (!u->nmarks) return ufail(u, "no MARK on the stack");
    *base = u->marks[--u->nmarks];
    return PTS_OK;
}

/* combine bookkeeping of children into a new container item */
static PtsStatus account(Un *u, Item *parent, const Item *kids, size_t n) {
    uint32_t d = 0;
    uint64_t w = 1;
    bool internal = false;
    for (size_t i = 0; i < n; i++) {
        if (kids[i].depth > d) d = kids[i].depth;
        w += kids[i].weight;
        if (w > u->weight_limit) w = u->weight_limit + 1;
        internal |= kids[i].internal;
    }
    parent->depth = d + 1;
    parent->weight = w;
    parent->internal = internal;
    if (parent->depth > PTS_ARCHIVE_MAX_DEPTH) return ufail(u, "values nest deeper than %d", PTS_ARCHIVE_MAX_DEPTH);
    if (w > u->weight_limit) return ufail(u, "shared values expand to more than %llu entries",
                                          (unsigned long long)u->weight_limit);
    return PTS_OK;
}

static PtsStatus make_seq(Un *u, int tag, size_t base, Item *out) {
    size_t n = u->sp - base;
    Item *kids = u->stack + base;
    if (tag == PTS_V_LIST)
        for (size_t i = 0; i < n; i++)
            if (kids[i].internal) return ufail(u, "a list holds a global or an unbuilt object");
    PTS_TRY(account(u, out, kids, n));
    PTS_TRY(pts_list_new(tag, (int64_t)n, u->err, &out->v));
    PtsList *l = pts_as_list(out->v);
    for (size_t i = 0; i < n; i++) l->items[i] = kids[i].v;
    l->len = (int64_t)n;
    u->sp = base;
    return PTS_OK;
}

static Item *top(Un *u) { return &u->stack[u->sp - 1]; }

/* fold one more child into a container's bookkeeping */
static PtsStatus absorb(Un *u, Item *parent, const Item *kid) {
    if (kid->depth + 1 > parent->depth) parent->depth = kid->depth + 1;
    parent->weight += kid->weight;
    if (parent->depth > PTS_ARCHIVE_MAX_DEPTH) return ufail(u, "values nest deeper than %d", PTS_ARCHIVE_MAX_DEPTH);
    if (parent->weight > u->weight_limit)
        return ufail(u, "shared values expand to more than %llu entries", (unsigned long long)u->weight_limit);
    return PTS_OK;
}

/* A container may only grow while the stack alone holds it: filling a memoized list would let
 * it contain itself (a cycle) or outgrow the size recorded for its other references. */
static PtsStatus fill_target(Un *u, size_t base, int tag, Item **out) {
    if (base == 0 || base - 1 < top_mark(u)) return ufail(u, "APPENDS/SETITEMS without a target");
    Item *t = &u->stack[base - 1];
    if (t->v.tag != tag) return ufail(u, "APPENDS/SETITEMS target is not a %s", tag == PTS_V_LIST ? "list" : "dict");
    if (atomic_load(&t->v.u.h->refcnt) != 1) return ufail(u, "APPENDS/SETITEMS on a list or dict that is already shared");
    *out = t;
    return PTS_OK;
}

/* add items [base, sp) to the list below them */
static PtsStatus do_appends(Un *u, size_t base) {
    Item *lst;
    PTS_TRY(fill_target(u, base, PTS_V_LIST, &lst));
    for (size_t i = base; i < u->sp; i++) {
        if (u->stack[i].internal) return ufail(u, "a list holds a global or an unbuilt object");
        PTS_TRY(absorb(u, lst, &u->stack[i]));
        PtsValue v = u->stack[i].v;
        u->stack[i].v = pts_none();
        PTS_TRY(pts_list_append(lst->v, v, u->err));
    }
    u->sp = base;
    return PTS_OK;
}

static PtsStatus do_setitems(Un *u, size_t base) {
    Item *d;
    PTS_TRY(fill_target(u, base, PTS_V_DICT, &d));
    if ((u->sp - base) % 2) return ufail(u, "SETITEMS with an odd number of items");
    for (size_t i = base; i < u->sp; i += 2) {
        Item *k = &u->stack[i], *v = &u->stack[i + 1];
        if (k->internal || v->internal) return ufail(u, "a dict holds a global or an unbuilt object");
        int kt = k->v.tag;
        if (kt != PTS_V_STR && kt != PTS_V_INT && kt != PTS_V_BOOL && kt != PTS_V_DOUBLE && kt != PTS_V_TENSOR &&
            kt != PTS_V_COMPLEX)
            return ufail(u, "dict key of an unsupported kind");
        PTS_TRY(absorb(u, d, k));
        PTS_TRY(absorb(u, d, v));
        PtsValue kv = k->v, vv = v->v;
        k->v = pts_none();
        v->v = pts_none();
        PTS_TRY(pts_dict_set(d->v, kv, vv, u->err));
    }
    u->sp = base;
    return PTS_OK;
}

static bool utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) { i++; continue; }
        int k;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
        else return false;
        if (n - i <= (size_t)k) return false;
        for (int j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += (size_t)k + 1;
    }
    return true;
}

PTS_INTERNAL bool pts_utf8_valid(const uint8_t *s, size_t n);
bool pts_utf8_valid(const uint8_t *s, size_t n) { return utf8_valid(s, n); }

static PtsStatus read_line(Un *u, char *buf, size_t cap) {
    size_t k = 0;
    for (;;) {
        if (!pts_rd_has(&u->r, 1)) return ufail(u, "truncated GLOBAL");
        char c = (char)pts_rd_u8(&u->r);
        if (c == '\n') break;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.';
        if (k + 1 >= cap || !ok)
            return ufail(u, "GLOBAL name is too long or has characters outside [A-Za-z0-9_.]");
        buf[k++] = c;
    }
    buf[k] = 0;
    if (k == 0) return ufail(u, "empty GLOBAL name");
    return PTS_OK;
}

static PtsStatus do_global(Un *u) {
    char mod[PTS_ARCHIVE_MAX_NAME / 2], name[PTS_ARCHIVE_MAX_NAME / 2];
    PTS_TRY(read_line(u, mod, sizeof mod));
    PTS_TRY(read_line(u, name, sizeof name));
    Item it = { pts_none(), 0, true, 1 };
    it.v.tag = TAG_GLOBAL;
    int g = -1;
    if (strcmp(mod, "torch._utils") == 0 && strcmp(name, "_rebuild_tensor_v2") == 0) g = G_REBUILD_TENSOR;
    else if (strcmp(mod, "torch.jit._pickle") == 0) {
        if (strcmp(name, "restore_type_tag") == 0) g = G_RESTORE_TYPE_TAG;
        else if (strcmp(name, "build_intlist") == 0) g = G_INTLIST;
        else if (strcmp(name, "build_doublelist") == 0) g = G_DOUBLELIST;
        else if (strcmp(name, "build_boollist") == 0) g = G_BOOLLIST;
        else if (strcmp(name, "build_tensorlist") == 0) g = G_TENSORLIST;
    } else if (strcmp(mod, "collections") == 0 && strcmp(name, "OrderedDict") == 0) g = G_ORDEREDDICT;
    else if (strcmp(mod, "builtins") == 0 && strcmp(name, "complex") == 0) g = G_COMPLEX;
    else if (strcmp(mod, "torch") == 0 && strcmp(name, "device") == 0) g = G_DEVICE;
    else if (strcmp(mod, "torch") == 0) {
#define PTS_DTYPE(ID, v, ct, nm, kind, sz) \
        if (storage_name(PTS_##ID) && strcmp(name, storage_name(PTS_##ID)) == 0) g = G_STORAGE | (v << 8);
#include "../tensor/dtypes.def"
#undef PTS_DTYPE
        if (g < 0) {
            for (int i = 0; foreign_storages[i]; i++)
                if (strcmp(name, foreign_storages[i]) == 0)
                    return ufail(u, "tensors of storage type torch.%s are not supported by pyts", name);
            return ufail(u, "unknown torch global 'torch.%s'", name);
        }
    } else if (strncmp(mod, "__torch__", 9) == 0 && (mod[9] == 0 || mod[9] == '.')) {
        if (strncmp(mod, "__torch__.torch.classes", 23) == 0)
            return ufail(u, "TorchBind class '%s.%s' is not supported by pyts", mod, name);
        char q[PTS_ARCHIVE_MAX_NAME + 2];
        snprintf(q, sizeof q, "%s.%s", mod, name);
        PtsClassType *cls;
        PTS_TRY(u->h->resolve_class(u->h->ctx, q, u->err, &cls));
        it.v.tag = TAG_CLASS;
        it.v.u.h = (PtsHeap *)(void *)cls;   /* borrowed: the loader's table owns it */
        return push(u, it);
    }
    if (g < 0) {
        if (strcmp(mod, "torch._utils") == 0 && (strcmp(name, "_rebuild_qtensor") == 0 ||
                                                 strcmp(name, "_rebuild_sparse_tensor") == 0))
            return ufail(u, "quantized and sparse tensors (%s.%s) are not supported by pyts", mod, name);
        return ufail(u, "global '%s.%s' is not allowed in a TorchScript archive", mod, name);
    }
    it.v.u.i = g;
    return push(u, it);
}

static PtsStatus do_persid(Un *u) {
    PTS_TRY(need(u, 1));
    Item pid = pop(u);
    PtsStatus s = PTS_OK;
    PtsList *t = pid.v.tag == PTS_V_TUPLE ? pts_as_list(pid.v) : NULL;
    if (!t || t->len != 5 || t->items[0].tag != PTS_V_STR || strcmp(pts_as_str(t->items[0])->data, "storage") != 0)
        s = ufail(u, "persistent id is not a ('storage', type, key, location, numel) tuple");
    else if (t->items[1].tag != TAG_GLOBAL || (t->items[1].u.i & 0xff) != G_STORAGE)
        s = ufail(u, "persistent id names no storage type");
    else if (t->items[2].tag != PTS_V_STR || t->items[3].tag != PTS_V_STR || t->items[4].tag != PTS_V_INT)
        s = ufail(u, "persistent id has a bad key, location or size");
    else if (t->items[4].u.i < 0)
        s = ufail(u, "negative storage size");
    if (s) { item_release(&pid); return s; }
    const PtsStr *loc = pts_as_str(t->items[3]);
    if (loc->len > 64) { item_release(&pid); return ufail(u, "storage location string too long"); }
    PtsDType dt = (PtsDType)(t->items[1].u.i >> 8);
    PtsStorage *st;
    s = u->h->load_storage(u->h->ctx, dt, pts_as_str(t->items[2])->data, t->items[4].u.i, u->err, &st);
    int64_t numel = t->items[4].u.i;
    item_release(&pid);
    if (s) return s;
    StorageRef *ref = pts_malloc(sizeof *ref);
    if (!ref) { pts_storage_release(st); return pts_fail(u->err, PTS_ERR_NOMEM, "out of memory"); }
    atomic_init(&ref->h.refcnt, 1);
    ref->h.destroy = storage_ref_destroy;
    ref->st = st;
    ref->dtype = dt;
    ref->numel = numel;
    Item it = { { PTS_V_HEAP, { .h = &ref->h } }, 0, true, 1 };
    return push(u, it);
}

static bool int_tuple(PtsValue v, int64_t *out, int *n) {
    if (v.tag != PTS_V_TUPLE) return false;
    const PtsList *l = pts_as_list(v);
    if (l->len > PTS_MAX_DIMS) return false;
    for (int64_t i = 0; i < l->len; i++) {
        if (l->items[i].tag != PTS_V_INT) return false;
        out[i] = l->items[i].u.i;
    }
    *n = (int)l->len;
    return true;
}

static PtsStatus rebuild_tensor(Un *u, const PtsList *a, PtsValue *out) {
    if (a->len != 6 && a->len != 7) return ufail(u, "_rebuild_tensor_v2 takes 6 or 7 arguments, got %lld", (long long)a->len);
    StorageRef *ref = as_storage_ref(a->items[0]);
    if (!ref) return ufail(u, "_rebuild_tensor_v2 without a storage");
    int64_t size[PTS_MAX_DIMS], stride[PTS_MAX_DIMS];
    int nd, ns;
    if (a->items[1].tag != PTS_V_INT) return ufail(u, "tensor storage offset is not an int");
    if (!int_tuple(a->items[2], size, &nd) || !int_tuple(a->items[3], stride, &ns) || nd != ns)
        return ufail(u, "tensor sizes and strides must be tuples of ints of the same length (at most %d)", PTS_MAX_DIMS);
    if (a->items[4].tag != PTS_V_BOOL) return ufail(u, "tensor requires_grad is not a bool");
    if (a->items[5].tag != PTS_V_NONE) return ufail(u, "tensor backward hooks must be an empty OrderedDict");
    if (a->len == 7) {
        /* 2.x tensor metadata (conj/neg bits, backend keys): pyts can honour none of them set */
        if (a->items[6].tag != PTS_V_DICT) return ufail(u, "tensor metadata is not a dict");
        const PtsDict *md = pts_as_dict(a->items[6]);
        for (int64_t i = 0; i < md->len; i++)
            if (md->keys[i].tag != PTS_V_STR || md->vals[i].tag != PTS_V_BOOL || md->vals[i].u.b)
                return ufail(u, "tensor metadata '%s' is not supported by pyts",
                             md->keys[i].tag == PTS_V_STR ? pts_as_str(md->keys[i])->data : "?");
    }
    int64_t offset = a->items[1].u.i, numel = ref->numel;
    if (offset < 0 || offset > numel) return ufail(u, "tensor storage offset %lld outside its storage of %lld elements",
                                                   (long long)offset, (long long)numel);
    bool empty = false;
    int64_t last = offset;  /* highest element index touched */
    for (int i = 0; i < nd; i++) {
        if (size[i] < 0 || stride[i] < 0) return ufail(u, "negative tensor size or stride");
        if (size[i] == 0) empty = true;
    }
    if (!empty) {
        for (int i = 0; i < nd; i++) {
            int64_t span;
            if (!pts_mul_ok(size[i] - 1, stride[i], &span) || __builtin_add_overflow(last, span, &last))
                return ufail(u, "tensor extent overflows");
        }
        if (last >= numel)
            return ufail(u, "tensor of sizes %s, strides %s, offset %lld reaches element %lld of a storage of %lld elements",
                         pts_shape_str(nd, size, (char[256]){0}, 256), pts_shape_str(nd, stride, (char[256]){0}, 256),
                         (long long)offset, (long long)last, (long long)numel);
    } else {
        int64_t total = 1;
        for (int i = 0; i < nd; i++)
            if (!pts_mul_ok(total, size[i] ? size[i] : 1, &total)) return ufail(u, "tensor size overflows");
    }
    bool rg = a->items[4].u.b;
    if (rg && !pts_dtype_is_float(ref->dtype)) return ufail(u, "a %s tensor cannot require grad", pts_dtype_name(ref->dtype));
    PtsTensor *t;
    PtsError e2 = { 0 };
    if (pts_tensor_from_storage(ref->st, ref->dtype, nd, size, stride, offset, &e2, &t))
        return e2.code == PTS_ERR_NOMEM ? pts_fail(u->err, PTS_ERR_NOMEM, "%s", e2.msg) : ufail(u, "%s", e2.msg);
    if (rg) {
        PtsStatus s = (pts_archive_set_requires_grad ? pts_archive_set_requires_grad : default_set_requires_grad)(t, true, u->err);
        if (s) { pts_tensor_release(t); return s; }
    }
    *out = pts_vtensor(t);
    return PTS_OK;
}

static bool list_all(const PtsList *l, int tag) {
    for (int64_t i = 0; i < l->len; i++) if (l->items[i].tag != tag) return false;
    return true;
}

/* An enum member as torch pickles it: the class called on the member's value (REDUCE) */
static PtsStatus enum_by_value(Un *u, PtsClassType *cls, PtsValue x, PtsValue *out) {
    if (!cls->is_enum) return ufail(u, "REDUCE on class '%s', which is not an enum", cls->qualname);
    if (x.tag != PTS_V_INT && x.tag != PTS_V_DOUBLE && x.tag != PTS_V_STR)
        return ufail(u, "enum '%s' is rebuilt from an int, float or str value", cls->qualname);
    for (int i = 0; i < cls->nconsts; i++) {
        PtsValue m = cls->const_values[i];
        if (m.tag != x.tag) continue;
        bool eq = m.tag == PTS_V_INT ? m.u.i == x.u.i : m.tag == PTS_V_DOUBLE ? m.u.d == x.u.d :
                  m.tag == PTS_V_STR && strcmp(pts_as_str(m)->data, pts_as_str(x)->data) == 0;
        if (eq) return pts_enum_member(cls, i, u->err, out);
    }
    return ufail(u, "enum '%s' has no member of the pickled value", cls->qualname);
}

static PtsStatus do_reduce(Un *u) {
    PTS_TRY(need(u, 2));
    Item args = pop(u), fn = pop(u);
    Item res = { pts_none(), 1, false, 1 };
    PtsStatus s = PTS_OK;
    const PtsList *a = args.v.tag == PTS_V_TUPLE ? pts_as_list(args.v) : NULL;
    /* torch pickles an enum member as its class and the bare value (no argument tuple) */
    if (fn.v.tag == TAG_CLASS) s = enum_by_value(u, (PtsClassType *)(void *)fn.v.u.h, args.v, &res.v);
    else if (!a) s = ufail(u, "REDUCE arguments are not a tuple");
    else if (fn.v.tag != TAG_GLOBAL) s = ufail(u, "REDUCE on something that is not a global");
    else {
        int g = (int)(fn.v.u.i & 0xff);
        switch (g) {
        case G_REBUILD_TENSOR:
            s = rebuild_tensor(u, a, &res.v);
            break;
        case G_INTLIST: case G_DOUBLELIST: case G_BOOLLIST: case G_TENSORLIST: {
            static const int tags[] = { [G_INTLIST] = PTS_V_INT, [G_DOUBLELIST] = PTS_V_DOUBLE,
                                        [G_BOOLLIST] = PTS_V_BOOL, [G_TENSORLIST] = PTS_V_TENSOR };
            if (a->len != 1 || a->items[0].tag != PTS_V_LIST) s = ufail(u, "typed list builder takes one list");
            else if (!list_all(pts_as_list(a->items[0]), tags[g])) s = ufail(u, "typed list holds items of another type");
            else {
                res.v = pts_value_retain(a->items[0]);
                res.depth = args.depth - 1;
                res.weight = args.weight;
            }
            break;
        }
        case G_RESTORE_TYPE_TAG: {
            if (args.internal || a->len != 2 || a->items[1].tag != PTS_V_STR) {
                s = ufail(u, "restore_type_tag takes (value, type string)");
                break;
            }
            const PtsStr *ts = pts_as_str(a->items[1]);
            PtsType *ty;
            s = pts_annot_parse(ts->data, ts->len, u->h->resolve_class, u->h->ctx, u->err, &ty);
            if (s) break;
            if (!pts_value_fits(a->items[0], ty)) s = ufail(u, "value does not match its type tag '%s'", ts->data);
            pts_type_release(ty);
            if (!s) {
                res.v = pts_value_retain(a->items[0]);
                res.depth = args.depth - 1;
                res.weight = args.weight;
            }
            break;
        }
        case G_ORDEREDDICT:
            if (a->len != 0) s = ufail(u, "OrderedDict with contents (backward hooks) is not supported");
            break;  /* tensor backward hooks: dropped, as PyTorch's C++ reader does */
        case G_DEVICE: {
            if (a->len != 1 || a->items[0].tag != PTS_V_STR) { s = ufail(u, "torch.device takes one string"); break; }
            const char *d = pts_as_str(a->items[0])->data;
            res.v.tag = PTS_V_DEVICE;
            if (strcmp(d, "cpu") == 0) res.v.u.i = -1;
            else if (strncmp(d, "cuda", 4) == 0) {
                /* kept as an attribute value; tensors are always mapped to the CPU */
                long long idx = 0;
                if (d[4] == ':') {
                    char *end;
                    idx = strtoll(d + 5, &end, 10);
                    if (d[5] == 0 || *end || idx < 0 || idx > 1 << 20) { s = ufail(u, "bad device string '%s'", d); break; }
                } else if (d[4]) { s = ufail(u, "bad device string '%s'", d); break; }
                res.v.u.i = idx;
            } else s = ufail(u, "unsupported device '%.40s'", d);
            break;
        }
        case G_COMPLEX:   /* builtins.complex(re, im), as torch pickles a complex */
            if (a->len != 2 || (a->items[0].tag != PTS_V_DOUBLE && a->items[0].tag != PTS_V_INT) ||
                (a->items[1].tag != PTS_V_DOUBLE && a->items[1].tag != PTS_V_INT))
                s = ufail(u, "complex takes (real, imag) numbers");
            else s = pts_complex_new(pts_value_to_f64(a->items[0]), pts_value_to_f64(a->items[1]), u->err, &res.v);
            break;
        default: s = ufail(u, "this global cannot be called"); break;
        }
    }
    item_release(&args);
    item_release(&fn);
    if (s) { item_release(&res); return s; }
    return push(u, res);
}

static PtsStatus do_build(Un *u) {
    PTS_TRY(need(u, 2));
    Item state = pop(u);
    Item *obj = top(u);
    PtsStatus s = PTS_OK;
    if (obj->v.tag != TAG_PENDING) s = ufail(u, "BUILD on something that is not a new object");
    else if (state.internal) s = ufail(u, "object state holds a global or an unbuilt object");
    if (!s) {
        PtsClassType *cls = (PtsClassType *)(void *)obj->v.u.h;
        Item res;
        s = account(u, &res, &state, 1);
        if (!s) s = u->h->build_object(u->h->ctx, cls, state.v, u->err, &res.v);
        if (!s) *obj = res;
    }
    item_release(&state);
    return s;
}

static PtsStatus memo_put(Un *u, uint64_t id) {
    if (u->sp == 0) return ufail(u, "memo store from an empty stack");
    /* ids are small and dense in real pickles; each store costs bytes, so this bound keeps the
     * memo proportional to the input */
    if (id >= u->r.len + 16 || id >= PTS_PICKLE_MAX_ITEMS) return ufail(u, "memo id %llu out of range", (unsigned long long)id);
    if (id >= u->nmemo) {
        size_t n = u->nmemo ? u->nmemo : 16;
        while (n <= id) n *= 2;
        Item *m = pts_realloc(u->memo, sizeof *m * n);
        if (!m) return pts_fail(u->err, PTS_ERR_NOMEM, "out of memory");
        for (size_t i = u->nmemo; i < n; i++) m[i] = (Item){ { 0xff, { 0 } }, 0, false, 0 };
        u->memo = m;
        u->nmemo = n;
    }
    item_release(&u->memo[id]);
    u->memo[id] = item_copy(top(u));
    return PTS_OK;
}

static PtsStatus memo_get(Un *u, uint64_t id) {
    if (id >= u->nmemo || u->memo[id].v.tag == 0xff) return ufail(u, "memo id %llu was never stored", (unsigned long long)id);
    return push(u, item_copy(&u->memo[id]));
}

static PtsStatus step(Un *u, uint8_t op, bool *stop) {
    PtsRd *r = &u->r;
    size_t base = 0;
    Item it = { pts_none(), 0, false, 1 };
    switch (op) {
    case OP_PROTO: return ufail(u, "PROTO may appear only at the start");
    case OP_STOP: *stop = true; return PTS_OK;
    case OP_MARK:
        if (u->nmarks == u->capmarks) {
            size_t cap = u->capmarks ? u->capmarks * 2 : 16;
            size_t *m = pts_realloc(u->marks, sizeof *m * cap);
            if (!m) return pts_fail(u->err, PTS_ERR_NOMEM, "out of memory");
            u->marks = m;
            u->capmarks = cap;
        }
        u->marks[u->nmarks++] = u->sp;
        return PTS_OK;
    case OP_EMPTY_LIST: PTS_TRY(pts_list_new(PTS_V_LIST, 0, u->err, &it.v)); return push(u, it);
    case OP_EMPTY_TUPLE: PTS_TRY(pts_list_new(PTS_V_TUPLE, 0, u->err, &it.v)); return push(u, it);
    case OP_EMPTY_DICT: PTS_TRY(pts_dict_new(0, u->err, &it.v)); return push(u, it);
    case OP_NONE: return push(u, it);
    case OP_NEWTRUE: return push_val(u, pts_vbool(true));
    case OP_NEWFALSE: return push_val(u, pts_vbool(false));
    case OP_BININT1: { uint8_t v = pts_rd_u8(r); if (r->bad) break; return push_val(u, pts_vint(v)); }
    case OP_BININT2: { uint16_t v = pts_rd_u16(r); if (r->bad) break; return push_val(u, pts_vint(v)); }
    case OP_BININT: { int32_t v = (int32_t)pts_rd_u32(r); if (r->bad) break; return push_val(u, pts_vint(v)); }
    case OP_LONG1: {
        uint8_t n = pts_rd_u8(r);
        if (r->bad) break;
        if (n != 8) return ufail(u, "LONG1 of %u bytes (PyTorch writes 8)", n);
        int64_t v = (int64_t)pts_rd_u64(r);
        if (r->bad) break;
        return push_val(u, pts_vint(v));
    }
    case OP_BINFLOAT: {
        const uint8_t *q = pts_rd_bytes(r, 8);
        if (!q) break;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits = (bits << 8) | q[i];
        double d;
        memcpy(&d, &bits, sizeof d);
        return push_val(u, pts_vdouble(d));
    }
    case OP_BINUNICODE: case OP_BINUNICODE8: {
        uint64_t n = op == OP_BINUNICODE ? pts_rd_u32(r) : pts_rd_u64(r);
        if (r->bad) break;
        const uint8_t *q = pts_rd_bytes(r, n > SIZE_MAX ? SIZE_MAX : (size_t)n);
        if (!q) break;
        if (!utf8_valid(q, (size_t)n)) return ufail(u, "string is not valid UTF-8");
        PTS_TRY(pts_str_new((const char *)q, (size_t)n, u->err, &it.v));
        return push(u, it);
    }
    case OP_BINPUT: { uint8_t id = pts_rd_u8(r); if (r->bad) break; return memo_put(u, id); }
    case OP_LONG_BINPUT: { uint32_t id = pts_rd_u32(r); if (r->bad) break; return memo_put(u, id); }
    case OP_BINGET: { uint8_t id = pts_rd_u8(r); if (r->bad) break; return memo_get(u, id); }
    case OP_LONG_BINGET: { uint32_t id = pts_rd_u32(r); if (r->bad) break; return memo_get(u, id); }
    case OP_TUPLE:
        PTS_TRY(pop_mark(u, &base));
        PTS_TRY(make_seq(u, PTS_V_TUPLE, base, &it));
        return push(u, it);
    case OP_TUPLE1: case OP_TUPLE2: case OP_TUPLE3: {
        size_t n = (size_t)(op - OP_TUPLE1 + 1);
        PTS_TRY(need(u, n));
        PTS_TRY(make_seq(u, PTS_V_TUPLE, u->sp - n, &it));
        return push(u, it);
    }
    case OP_LIST:
        PTS_TRY(pop_mark(u, &base));
        PTS_TRY(make_seq(u, PTS_V_LIST, base, &it));
        return push(u, it);
    case OP_DICT: {
        PTS_TRY(pop_mark(u, &base));
        PTS_TRY(pts_dict_new(0, u->err, &it.v));
        /* put the new dict under the items, then treat them as SETITEMS */
        PtsStatus s = push(u, it);
        if (s) return s;
        Item d = u->stack[u->sp - 1];
        memmove(&u->stack[base + 1], &u->stack[base], sizeof(Item) * (u->sp - 1 - base));
        u->stack[base] = d;
        return do_setitems(u, base + 1);
    }
    case OP_APPEND: PTS_TRY(need(u, 2)); return do_appends(u, u->sp - 1);
    case OP_APPENDS: PTS_TRY(pop_mark(u, &base)); return do_appends(u, base);
    case OP_SETITEM: PTS_TRY(need(u, 3)); return do_setitems(u, u->sp - 2);
    case OP_SETITEMS: PTS_TRY(pop_mark(u, &base)); return do_setitems(u, base);
    case OP_GLOBAL: return do_global(u);
    case OP_BINPERSID: return do_persid(u);
    case OP_REDUCE: return do_reduce(u);
    case OP_BUILD: return do_build(u);
    case OP_NEWOBJ: {
        PTS_TRY(need(u, 2));
        Item args = pop(u);
        Item *cls = top(u);
        bool ok = cls->v.tag == TAG_CLASS && args.v.tag == PTS_V_TUPLE && pts_as_list(args.v)->len == 0;
        item_release(&args);
        if (!ok) return ufail(u, "NEWOBJ needs a class and an empty tuple");
        cls->v.tag = TAG_PENDING;
        return PTS_OK;
    }
    default:
        return ufail(u, "opcode 0x%02x is not allowed in a TorchScript archive", op);
    }
    return ufail(u, "truncated data");
}

PtsStatus pts_unpickle(const uint8_t *data, size_t n, const PtsUnpickleHooks *h, PtsError *err, PtsValue *out) {
    *out = pts_none();
    Un u = { 0 };
    u.r = pts_rd_init(data, n);
    u.h = h;
    u.err = err;
    /* every entry costs at least one byte unless shared; sharing may multiply it, within reason */
    u.weight_limit = (uint64_t)n * 16 + (1u << 20);
    PtsStatus s = PTS_OK;
    if (pts_rd_u8(&u.r) != OP_PROTO || pts_rd_u8(&u.r) != 2 || u.r.bad) {
        u.r.pos = 0;
        s = ufail(&u, "only pickle protocol 2 is supported (stream must start with PROTO 2)");
    }
    bool stop = false;
    while (!s && !stop) {
        if (!pts_rd_has(&u.r, 1)) { s = ufail(&u, "truncated pickle (no STOP)"); break; }
        s = step(&u, pts_rd_u8(&u.r), &stop);
    }
    if (!s && u.r.pos != u.r.len) s = ufail(&u, "data after STOP");
    if (!s && (u.sp != 1 || u.nmarks)) s = ufail(&u, "pickle leaves %zu values and %zu marks on the stack", u.sp, u.nmarks);
    if (!s && u.stack[0].internal) s = ufail(&u, "pickle result is a global or an unbuilt object");
    if (!s) { *out = u.stack[0].v; u.sp = 0; }
    for (size_t i = 0; i < u.sp; i++) item_release(&u.stack[i]);
    for (size_t i = 0; i < u.nmemo; i++) if (u.memo[i].v.tag != 0xff) item_release(&u.memo[i]);
    pts_free(u.stack);
    pts_free(u.marks);
    pts_free(u.memo);
    return s;
}

/* ================= writer ================= */
/* open-addressing maps (serial.h): pointers -> ids, strings -> ids */

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}
static uint64_t hash_ptr(uintptr_t p) { uint64_t x = p; x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; return x ^ (x >> 29); }

bool pts_ptrmap_get(const PtsPtrMap *m, const void *k, uint32_t *v) {
    if (!m->cap) return false;
    for (size_t i = hash_ptr((uintptr_t)k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return false;
        if (m->keys[i] == (uintptr_t)k) { *v = m->vals[i]; return true; }
    }
}
bool pts_ptrmap_put(PtsPtrMap *m, const void *k, uint32_t v) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uintptr_t *keys = pts_calloc(cap, sizeof *keys);
        uint32_t *vals = pts_calloc(cap, sizeof *vals);
        if (!keys || !vals) { pts_free(keys); pts_free(vals); return false; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = hash_ptr(m->keys[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        pts_free(m->keys);
        pts_free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    size_t i = hash_ptr((uintptr_t)k) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != (uintptr_t)k) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = (uintptr_t)k;
    m->vals[i] = v;
    return true;
}
void pts_ptrmap_free(PtsPtrMap *m) { pts_free(m->keys); pts_free(m->vals); memset(m, 0, sizeof *m); }

bool pts_strmap_get(const PtsStrMap *m, const char *k, size_t n, uint32_t *v) {
    if (!m->cap) return false;
    for (size_t i = hash_bytes(k, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return false;
        if (m->lens[i] == n && memcmp(m->keys[i], k, n) == 0) { *v = m->vals[i]; return true; }
    }
}
bool pts_strmap_put(PtsStrMap *m, const char *k, size_t n, uint32_t v) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        char **keys = pts_calloc(cap, sizeof *keys);
        size_t *lens = pts_calloc(cap, sizeof *lens);
        uint32_t *vals = pts_calloc(cap, sizeof *vals);
        if (!keys || !lens || !vals) { pts_free(keys); pts_free(lens); pts_free(vals); return false; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = hash_bytes(m->keys[i], m->lens[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            lens[j] = m->lens[i];
            vals[j] = m->vals[i];
        }
        pts_free(m->keys);
        pts_free(m->lens);
        pts_free(m->vals);
        m->keys = keys;
        m->lens = lens;
        m->vals = vals;
        m->cap = cap;
    }
    char *c = pts_malloc(n + 1);
    if (!c) return false;
    memcpy(c, k, n);
    c[n] = 0;
    size_t i = hash_bytes(k, n) & (m->cap - 1);
    while (m->keys[i]) i = (i + 1) & (m->cap - 1);
    m->keys[i] = c;
    m->lens[i] = n;
    m->vals[i] = v;
    m->n++;
    return true;
}
void pts_strmap_free(PtsStrMap *m) {
    for (size_t i = 0; i < m->cap; i++) pts_free(m->keys[i]);
    pts_free(m->keys);
    pts_free(m->lens);
    pts_free(m->vals);
    memset(m, 0, sizeof *m);
}

struct PtsPickler {
    PtsBuf b;
    uint32_t next_memo;
    PtsStrMap strs;            /* strings, globals ("\1mod\nname"), devices ("\2cpu") */
    PtsPtrMap ptrs;            /* tensors, objects, shared lists/dicts, storage tuples -> memo id */
    PtsPtrMap storage_ix;      /* storage -> index in storages */
    PtsPickledStorage *storages;
    int nstorages, capstorages;
    PtsPickleHooks hooks;
    const void *active[PTS_ARCHIVE_MAX_DEPTH + 1];  /* objects being written: cycle check */
    bool param_hint;      /* the value being written is a module parameter */
    int depth;
    PtsError *err;
};

static PtsStatus wnomem(PtsPickler *p) { return pts_fail(p->err, PTS_ERR_NOMEM, "out of memory"); }
static void op1(PtsPickler *p, int op) { char c = (char)op; pts_buf_putn(&p->b, &c, 1); }

static uint32_t put_memo(PtsPickler *p) {
    uint32_t id = p->next_memo++;
    if (id < 256) { op1(p, OP_BINPUT); op1(p, (int)id); }
    else { op1(p, OP_LONG_BINPUT); pts_wr_le(&p->b, id, 4); }
    return id;
}
static void get_memo(PtsPickler *p, uint32_t id) {
    if (id < 256) { op1(p, OP_BINGET); op1(p, (int)id); }
    else { op1(p, OP_LONG_BINGET); pts_wr_le(&p->b, id, 4); }
}

static void w_int(PtsPickler *p, int64_t v) {
    if (v >= 0 && v < 256) { op1(p, OP_BININT1); op1(p, (int)v); }
    else if (v >= 0 && v < 65536) { op1(p, OP_BININT2); pts_wr_le(&p->b, (uint64_t)v, 2); }
    else if (v >= INT32_MIN && v <= INT32_MAX) { op1(p, OP_BININT); pts_wr_le(&p->b, (uint64_t)(uint32_t)(int32_t)v, 4); }
    else { op1(p, OP_LONG1); op1(p, 8); pts_wr_le(&p->b, (uint64_t)v, 8); }
}

static void w_float(PtsPickler *p, double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    op1(p, OP_BINFLOAT);
    for (int i = 7; i >= 0; i--) op1(p, (int)((bits >> (8 * i)) & 0xff));
}

static PtsStatus w_memo_str(PtsPickler *p, char prefix, const char *s, size_t n, bool *hit) {
    /* key with a kind prefix so strings, globals and devices never alias */
    char small[256], *key = n + 1 <= sizeof small ? small : pts_malloc(n + 1);
    if (!key) return wnomem(p);
    key[0] = prefix;
    memcpy(key + 1, s, n);
    uint32_t id;
    *hit = pts_strmap_get(&p->strs, key, n + 1, &id);
    PtsStatus st = PTS_OK;
    if (*hit) get_memo(p, id);
    else if (prefix == 0) {
        op1(p, OP_BINUNICODE);
        pts_wr_le(&p->b, n, 4);
        pts_buf_putn(&p->b, s, n);
        if (!pts_strmap_put(&p->strs, key, n + 1, put_memo(p))) st = wnomem(p);
    }
    if (key != small) pts_free(key);
    return st;
}

static PtsStatus w_str(PtsPickler *p, const char *s, size_t n) {
    if (n > UINT32_MAX) return pts_fail(p->err, PTS_ERR_VALUE, "string too long to save");
    bool hit;
    return w_memo_str(p, 0, s, n, &hit);
}

static PtsStatus w_global(PtsPickler *p, const char *mod, const char *name) {
    char key[PTS_ARCHIVE_MAX_NAME * 2 + 4];
    int k = snprintf(key, sizeof key, "\1%s\n%s", mod, name);
    if (k < 0 || (size_t)k >= sizeof key) return pts_fail(p->err, PTS_ERR_VALUE, "class name too long to save");
    uint32_t id;
    if (pts_strmap_get(&p->strs, key, (size_t)k, &id)) { get_memo(p, id); return PTS_OK; }
    op1(p, OP_GLOBAL);
    pts_buf_puts(&p->b, mod);
    pts_buf_puts(&p->b, "\n");
    pts_buf_puts(&p->b, name);
    pts_buf_puts(&p->b, "\n");
    if (!pts_strmap_put(&p->strs, key, (size_t)k, put_memo(p))) return wnomem(p);
    return PTS_OK;
}

static PtsStatus w_value(PtsPickler *p, PtsValue v, const PtsType *t);

static PtsStatus w_storage(PtsPickler *p, PtsTensor *x) {
    PtsStorage *st = x->storage;
    uint32_t ix;
    if (pts_ptrmap_get(&p->storage_ix, st, &ix)) {
        if (p->storages[ix].dtype != x->dtype)
            return pts_fail(p->err, PTS_ERR_VALUE, "cannot save tensors of different dtypes (%s, %s) sharing one storage",
                            pts_dtype_name(p->storages[ix].dtype), pts_dtype_name(x->dtype));
        uint32_t id;
        if (!pts_ptrmap_get(&p->ptrs, st, &id)) return pts_fail(p->err, PTS_ERR_INTERNAL, "storage memo lost");
        get_memo(p, id);
        return PTS_OK;
    }
    const char *sname = storage_name(x->dtype);
    if (!sname) return pts_fail(p->err, PTS_ERR_VALUE, "cannot save tensors of dtype %d", (int)x->dtype);
    if (p->nstorages == p->capstorages) {
        int cap = p->capstorages ? p->capstorages * 2 : 16;
        PtsPickledStorage *s = pts_realloc(p->storages, sizeof *s * (size_t)cap);
        if (!s) return wnomem(p);
        p->storages = s;
        p->capstorages = cap;
    }
    int64_t numel = (int64_t)(st->nbytes / pts_dtype_size(x->dtype));
    ix = (uint32_t)p->nstorages;
    p->storages[p->nstorages++] = (PtsPickledStorage){ st, x->dtype, numel };
    if (!pts_ptrmap_put(&p->storage_ix, st, ix)) return wnomem(p);
    char key[24];
    snprintf(key, sizeof key, "%u", ix);
    op1(p, OP_MARK);
    PTS_TRY(w_str(p, "storage", 7));
    PTS_TRY(w_global(p, "torch", sname));
    PTS_TRY(w_str(p, key, strlen(key)));
    PTS_TRY(w_str(p, "cpu", 3));
    w_int(p, numel);
    op1(p, OP_TUPLE);
    op1(p, OP_BINPERSID);
    if (!pts_ptrmap_put(&p->ptrs, st, put_memo(p))) return wnomem(p);
    return PTS_OK;
}

static PtsStatus w_tensor(PtsPickler *p, PtsTensor *x) {
    uint32_t id;
    if (pts_ptrmap_get(&p->ptrs, x, &id)) { get_memo(p, id); return PTS_OK; }
    PTS_TRY(w_global(p, "torch._utils", "_rebuild_tensor_v2"));
    op1(p, OP_MARK);
    PTS_TRY(w_storage(p, x));
    w_int(p, x->offset);
    op1(p, OP_MARK);
    for (int i = 0; i < x->ndim; i++) w_int(p, x->shape[i]);
    op1(p, OP_TUPLE);
    op1(p, OP_MARK);
    for (int i = 0; i < x->ndim; i++) w_int(p, x->strides[i]);
    op1(p, OP_TUPLE);
    /* without an autograd hook, parameters are saved as requiring grad, as PyTorch's are */
    bool rg = pts_archive_requires_grad ? pts_archive_requires_grad(x)
                                        : default_requires_grad(x) || (p->param_hint && pts_dtype_is_float(x->dtype));
    op1(p, rg ? OP_NEWTRUE : OP_NEWFALSE);
    PTS_TRY(w_global(p, "collections", "OrderedDict"));
    op1(p, OP_EMPTY_TUPLE);
    op1(p, OP_REDUCE);
    op1(p, OP_TUPLE);
    op1(p, OP_REDUCE);
    if (!pts_ptrmap_put(&p->ptrs, x, put_memo(p))) return wnomem(p);
    return PTS_OK;
}

static bool shared(PtsValue v) { return atomic_load(&v.u.h->refcnt) > 1; }

static PtsStatus w_type_tag(PtsPickler *p, const PtsType *t) {
    PtsBuf tb;
    pts_buf_init(&tb);
    pts_type_print(&tb, t, true);
    if (tb.oom) { pts_buf_free(&tb); return wnomem(p); }
    PtsStatus s = w_str(p, tb.data, tb.len);
    pts_buf_free(&tb);
    return s;
}

static PtsStatus w_list(PtsPickler *p, PtsValue v, const PtsType *given) {
    uint32_t id;
    if (pts_ptrmap_get(&p->ptrs, v.u.h, &id)) { get_memo(p, id); return PTS_OK; }
    PtsType *t = pts_value_static_type(v, given, p->err);
    if (!t) return p->err->code ? p->err->code : wnomem(p);
    const PtsList *l = pts_as_list(v);
    const PtsType *et = t->kind == PTS_TY_LIST ? t->elems[0] : pts_type_get(PTS_TY_ANY);
    const char *builder = NULL;
    switch (et->kind) {
    case PTS_TY_INT: builder = "build_intlist"; break;
    case PTS_TY_FLOAT: builder = "build_doublelist"; break;
    case PTS_TY_BOOL: builder = "build_boollist"; break;
    case PTS_TY_TENSOR: builder = "build_tensorlist"; break;
    default: break;
    }
    PtsStatus s = w_global(p, "torch.jit._pickle", builder ? builder : "restore_type_tag");
    if (!s && builder) op1(p, OP_MARK);
    op1(p, OP_EMPTY_LIST);
    op1(p, OP_MARK);
    for (int64_t i = 0; !s && i < l->len; i++) s = w_value(p, l->items[i], et);
    op1(p, OP_APPENDS);
    if (!s && builder) op1(p, OP_TUPLE);
    else if (!s) { s = w_type_tag(p, t); op1(p, OP_TUPLE2); }
    op1(p, OP_REDUCE);
    pts_type_release(t);
    if (!s && shared(v) && !pts_ptrmap_put(&p->ptrs, v.u.h, put_memo(p))) s = wnomem(p);
    return s;
}

static PtsStatus w_dict(PtsPickler *p, PtsValue v, const PtsType *given) {
    uint32_t id;
    if (pts_ptrmap_get(&p->ptrs, v.u.h, &id)) { get_memo(p, id); return PTS_OK; }
    PtsType *t = pts_value_static_type(v, given, p->err);
    if (!t) return p->err->code ? p->err->code : wnomem(p);
    const PtsDict *d = pts_as_dict(v);
    const PtsType *kt = t->kind == PTS_TY_DICT ? t->elems[0] : pts_type_get(PTS_TY_ANY);
    const PtsType *vt = t->kind == PTS_TY_DICT ? t->elems[1] : pts_type_get(PTS_TY_ANY);
    PtsStatus s = w_global(p, "torch.jit._pickle", "restore_type_tag");
    op1(p, OP_EMPTY_DICT);
    op1(p, OP_MARK);
    for (int64_t i = 0; !s && i < d->len; i++) {
        s = w_value(p, d->keys[i], kt);
        if (!s) s = w_value(p, d->vals[i], vt);
    }
    op1(p, OP_SETITEMS);
    if (!s) s = w_type_tag(p, t);
    op1(p, OP_TUPLE2);
    op1(p, OP_REDUCE);
    pts_type_release(t);
    if (!s && shared(v) && !pts_ptrmap_put(&p->ptrs, v.u.h, put_memo(p))) s = wnomem(p);
    return s;
}

static PtsStatus w_object(PtsPickler *p, PtsValue v) {
    uint32_t id;
    if (pts_ptrmap_get(&p->ptrs, v.u.h, &id)) { get_memo(p, id); return PTS_OK; }
    PtsObject *o = pts_as_object(v);
    for (int i = 0; i < p->depth; i++)
        if (p->active[i] == o) return pts_fail(p->err, PTS_ERR_VALUE, "cannot save an object that contains itself (class '%s')", o->cls->qualname);
    const char *qn = p->hooks.class_name ? p->hooks.class_name(p->hooks.ctx, o->cls) : NULL;
    if (!qn) qn = o->cls->qualname;
    const char *dot = strrchr(qn, '.');
    if (!dot || dot == qn || !dot[1]) return pts_fail(p->err, PTS_ERR_VALUE, "class name '%s' has no module part", qn);
    char mod[PTS_ARCHIVE_MAX_NAME + 1];
    if ((size_t)(dot - qn) > PTS_ARCHIVE_MAX_NAME) return pts_fail(p->err, PTS_ERR_VALUE, "class name too long to save");
    memcpy(mod, qn, (size_t)(dot - qn));
    mod[dot - qn] = 0;
    PTS_TRY(w_global(p, mod, dot + 1));
    op1(p, OP_EMPTY_TUPLE);
    op1(p, OP_NEWOBJ);
    op1(p, OP_EMPTY_DICT);
    op1(p, OP_MARK);
    p->active[p->depth - 1] = o;  /* depth was raised by w_value */
    PtsStatus s = PTS_OK;
    for (int i = 0; !s && i < o->nslots && i < o->cls->nattrs; i++) {
        const PtsClassAttr *a = &o->cls->attrs[i];
        if (a->kind == PTS_ATTR_CONSTANT) continue;
        s = w_str(p, a->name, strlen(a->name));
        p->param_hint = a->kind == PTS_ATTR_PARAMETER;
        const PtsType *at = p->hooks.attr_type ? p->hooks.attr_type(p->hooks.ctx, o->cls, i) : NULL;
        if (!s) s = w_value(p, o->slots[i], at ? at : a->type);
        p->param_hint = false;
        if (s && p->err->code != PTS_ERR_NOMEM && !strstr(p->err->msg, "attribute '"))
            /* name the attribute that could not be saved */
            snprintf(p->err->msg + strlen(p->err->msg), sizeof p->err->msg - strlen(p->err->msg),
                     " (attribute '%s' of '%s')", a->name, o->cls->qualname);
    }
    op1(p, OP_SETITEMS);
    op1(p, OP_BUILD);
    p->active[p->depth - 1] = NULL;
    if (!s && !pts_ptrmap_put(&p->ptrs, v.u.h, put_memo(p))) s = wnomem(p);
    return s;
}

/* an enum member as torch pickles it: GLOBAL '<module> <Class>', its value, REDUCE (the class
 * called on the value, as Python's Enum lookup by value) */
static PtsStatus w_enum(PtsPickler *p, PtsValue v) {
    const PtsType *et;
    PtsValue raw;
    pts_enum_get(v, &et, NULL, &raw);
    const char *qn = et->cls && p->hooks.class_name ? p->hooks.class_name(p->hooks.ctx, et->cls) : NULL;
    if (!qn) qn = et->name;
    const char *dot = qn ? strrchr(qn, '.') : NULL;
    if (!dot || dot == qn || !dot[1]) return pts_fail(p->err, PTS_ERR_VALUE, "enum class name '%s' has no module part", qn ? qn : "?");
    char mod[PTS_ARCHIVE_MAX_NAME + 1];
    if ((size_t)(dot - qn) > PTS_ARCHIVE_MAX_NAME) return pts_fail(p->err, PTS_ERR_VALUE, "class name too long to save");
    memcpy(mod, qn, (size_t)(dot - qn));
    mod[dot - qn] = 0;
    PTS_TRY(w_global(p, mod, dot + 1));
    PTS_TRY(w_value(p, raw, NULL));
    op1(p, OP_REDUCE);
    return PTS_OK;
}

static PtsStatus w_value(PtsPickler *p, PtsValue v, const PtsType *t) {
    if (p->depth >= PTS_ARCHIVE_MAX_DEPTH)
        return pts_fail(p->err, PTS_ERR_VALUE, "values nest deeper than %d and cannot be saved", PTS_ARCHIVE_MAX_DEPTH);
    p->active[p->depth++] = NULL;
    PtsStatus s = PTS_OK;
    if (t && t->kind == PTS_TY_OPTIONAL && v.tag != PTS_V_NONE) t = t->elems[0];
    if (t && t->kind != PTS_TY_ANY && t->kind != PTS_TY_UNION && t->kind != PTS_TY_NUMBER && !pts_value_fits(v, t)) {
        PtsBuf tb;
        pts_buf_init(&tb);
        pts_type_print(&tb, t, true);
        s = pts_fail(p->err, PTS_ERR_TYPE, "cannot save a value that does not match its declared type %s", tb.data ? tb.data : "?");
        pts_buf_free(&tb);
    } else switch (v.tag) {
    case PTS_V_NONE: op1(p, OP_NONE); break;
    case PTS_V_BOOL: op1(p, v.u.b ? OP_NEWTRUE : OP_NEWFALSE); break;
    case PTS_V_INT: w_int(p, v.u.i); break;
    case PTS_V_DOUBLE: w_float(p, v.u.d); break;
    case PTS_V_COMPLEX:   /* builtins.complex(re, im), as torch writes it */
        s = w_global(p, "builtins", "complex");
        w_float(p, pts_as_complex(v)->re);
        w_float(p, pts_as_complex(v)->im);
        op1(p, OP_TUPLE2);
        op1(p, OP_REDUCE);
        break;
    case PTS_V_STR: s = w_str(p, pts_as_str(v)->data, pts_as_str(v)->len); break;
    case PTS_V_TENSOR: s = w_tensor(p, v.u.t); break;
    case PTS_V_DEVICE: {
        char dev[32];
        if (v.u.i < 0) snprintf(dev, sizeof dev, "cpu");
        else snprintf(dev, sizeof dev, "cuda:%lld", (long long)v.u.i);
        bool hit;
        s = w_memo_str(p, 2, dev, strlen(dev), &hit);
        if (s || hit) break;
        s = w_global(p, "torch", "device");
        if (!s) s = w_str(p, dev, strlen(dev));
        op1(p, OP_TUPLE1);
        op1(p, OP_REDUCE);
        char key[34];
        key[0] = 2;
        memcpy(key + 1, dev, strlen(dev));
        if (!s && !pts_strmap_put(&p->strs, key, strlen(dev) + 1, put_memo(p))) s = wnomem(p);
        break;
    }
    case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        bool typed = t && t->kind == PTS_TY_TUPLE && t->n == l->len;
        if (l->len == 0) { op1(p, OP_EMPTY_TUPLE); break; }
        if (l->len > 3) op1(p, OP_MARK);
        for (int64_t i = 0; !s && i < l->len; i++) s = w_value(p, l->items[i], typed ? t->elems[i] : NULL);
        op1(p, l->len == 1 ? OP_TUPLE1 : l->len == 2 ? OP_TUPLE2 : l->len == 3 ? OP_TUPLE3 : OP_TUPLE);
        break;
    }
    case PTS_V_LIST: s = w_list(p, v, t); break;
    case PTS_V_DICT: s = w_dict(p, v, t); break;
    case PTS_V_OBJECT: s = w_object(p, v); break;
    case PTS_V_HEAP:
        if (pts_enum_get(v, NULL, NULL, NULL)) { s = w_enum(p, v); break; }
        s = pts_fail(p->err, PTS_ERR_TYPE, "cannot save a value of this kind (tag %d) in a TorchScript archive", v.tag);
        break;
    default:
        s = pts_fail(p->err, PTS_ERR_TYPE, "cannot save a value of this kind (tag %d) in a TorchScript archive", v.tag);
        break;
    }
    p->depth--;
    if (!s && p->b.oom) s = wnomem(p);
    return s;
}

PtsStatus pts_pickler_new(const PtsPickleHooks *hooks, PtsError *err, PtsPickler **out) {
    *out = pts_calloc(1, sizeof **out);
    if (!*out) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    if (hooks) (*out)->hooks = *hooks;
    return PTS_OK;
}

void pts_pickler_free(PtsPickler *p) {
    if (!p) return;
    pts_buf_free(&p->b);
    pts_strmap_free(&p->strs);
    pts_ptrmap_free(&p->ptrs);
    pts_ptrmap_free(&p->storage_ix);
    pts_free(p->storages);
    pts_free(p);
}

PtsStatus pts_pickle_dump(PtsPickler *p, PtsValue v, const PtsType *static_type, PtsError *err) {
    p->err = err;
    op1(p, OP_PROTO);
    op1(p, 2);
    PTS_TRY(w_value(p, v, static_type));
    op1(p, OP_STOP);
    return p->b.oom ? wnomem(p) : PTS_OK;
}

const PtsBuf *pts_pickler_bytes(const PtsPickler *p) { return &p->b; }
int pts_pickler_nstorages(const PtsPickler *p) { return p->nstorages; }
const PtsPickledStorage *pts_pickler_storage(const PtsPickler *p, int i) { return &p->storages[i]; }

/* ================= static types of values ================= */
static PtsType *unify(PtsType *a, PtsType *b, PtsError *err) {  /* steals both */
    if (!a || !b) { pts_type_release(a); pts_type_release(b); return NULL; }
    if (pts_type_equal(a, b)) { pts_type_release(b); return a; }
    PtsType *r = NULL;
    if (a->kind == PTS_TY_NONE || b->kind == PTS_TY_NONE) {
        PtsType *x = a->kind == PTS_TY_NONE ? b : a;
        r = x->kind == PTS_TY_OPTIONAL ? pts_type_retain(x) : pts_type_optional(x);
    } else if (a->kind == PTS_TY_OPTIONAL && pts_type_equal(a->elems[0], b)) r = pts_type_retain(a);
    else if (b->kind == PTS_TY_OPTIONAL && pts_type_equal(b->elems[0], a)) r = pts_type_retain(b);
    else {
        PtsBuf x, y;
        pts_buf_init(&x);
        pts_buf_init(&y);
        pts_type_print(&x, a, true);
        pts_type_print(&y, b, true);
        pts_fail(err, PTS_ERR_TYPE, "cannot save a container mixing %s and %s values", x.data ? x.data : "?", y.data ? y.data : "?");
        pts_buf_free(&x);
        pts_buf_free(&y);
    }
    pts_type_release(a);
    pts_type_release(b);
    return r;
}

static bool precise(const PtsType *t) {
    if (t->kind == PTS_TY_ANY) return false;
    for (int i = 0; i < t->n; i++) if (!precise(t->elems[i])) return false;
    return true;
}

static PtsType *infer(PtsValue v, int depth, PtsError *err) {
    if (depth > PTS_ARCHIVE_MAX_DEPTH) {
        pts_fail(err, PTS_ERR_VALUE, "values nest deeper than %d and cannot be saved", PTS_ARCHIVE_MAX_DEPTH);
        return NULL;
    }
    switch (v.tag) {
    case PTS_V_NONE: return pts_type_get(PTS_TY_NONE);
    case PTS_V_BOOL: return pts_type_get(PTS_TY_BOOL);
    case PTS_V_INT: return pts_type_get(PTS_TY_INT);
    case PTS_V_DOUBLE: return pts_type_get(PTS_TY_FLOAT);
    case PTS_V_COMPLEX: return pts_type_get(PTS_TY_COMPLEX);
    case PTS_V_STR: return pts_type_get(PTS_TY_STR);
    case PTS_V_TENSOR: return pts_type_tensor();
    case PTS_V_DEVICE: return pts_type_get(PTS_TY_DEVICE);
    case PTS_V_OBJECT: return pts_type_class(pts_as_object(v)->cls);
    case PTS_V_HEAP: {
        const PtsType *et;   /* an enum member: its enum type */
        if (pts_enum_get(v, &et, NULL, NULL)) return pts_type_retain((PtsType *)et);
        pts_fail(err, PTS_ERR_TYPE, "cannot save a value of this kind (tag %d) in a TorchScript archive", v.tag);
        return NULL;
    }
    case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        if (l->len > 4096) { pts_fail(err, PTS_ERR_VALUE, "tuple too long to save"); return NULL; }
        PtsType **es = pts_calloc((size_t)l->len + 1, sizeof *es);
        if (!es) return NULL;
        PtsType *r = NULL;
        int64_t i = 0;
        for (; i < l->len; i++) if (!(es[i] = infer(l->items[i], depth + 1, err))) break;
        if (i == l->len) r = pts_type_tuple((int)l->len, es);
        for (int64_t k = 0; k < i; k++) pts_type_release(es[k]);
        pts_free(es);
        return r;
    }
    case PTS_V_LIST: {
        const PtsList *l = pts_as_list(v);
        PtsType *e = l->len ? infer(l->items[0], depth + 1, err) : pts_type_tensor();
        for (int64_t i = 1; e && i < l->len; i++) e = unify(e, infer(l->items[i], depth + 1, err), err);
        if (!e) return NULL;
        PtsType *r = pts_type_list(e);
        pts_type_release(e);
        return r;
    }
    case PTS_V_DICT: {
        const PtsDict *d = pts_as_dict(v);
        PtsType *k = d->len ? infer(d->keys[0], depth + 1, err) : pts_type_get(PTS_TY_STR);
        PtsType *x = d->len ? infer(d->vals[0], depth + 1, err) : pts_type_tensor();
        for (int64_t i = 1; k && x && i < d->len; i++) {
            k = unify(k, infer(d->keys[i], depth + 1, err), err);
            x = unify(x, infer(d->vals[i], depth + 1, err), err);
        }
        PtsType *r = k && x ? pts_type_dict(k, x) : NULL;
        pts_type_release(k);
        pts_type_release(x);
        return r;
    }
    default:
        pts_fail(err, PTS_ERR_TYPE, "cannot save a value of this kind (tag %d) in a TorchScript archive", v.tag);
        return NULL;
    }
}

PtsType *pts_value_static_type(PtsValue v, const PtsType *given, PtsError *err) {
    if (given && precise(given) && (given->kind != PTS_TY_NONE || v.tag == PTS_V_NONE))
        return pts_type_retain((PtsType *)given);
    PtsType *t = infer(v, 0, err);
    if (!t && !err->code) pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return t;
}
