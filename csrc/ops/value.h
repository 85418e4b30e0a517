/* value.h: the runtime value every layer above tensors passes around: op arguments and results,
 * interpreter registers, archive objects. A small tagged union; heap kinds (strings, lists,
 * tuples, dicts, objects, generators) share one refcounted header. */
#ifndef PTS_VALUE_H
#define PTS_VALUE_H

#include "../tensor/tensor.h"

typedef enum PtsVTag {
    PTS_V_NONE = 0,
    PTS_V_BOOL,
    PTS_V_INT,
    PTS_V_DOUBLE,
    PTS_V_TENSOR,    /* u.t, +1 when owned */
    PTS_V_STR,       /* u.h -> PtsStr */
    PTS_V_LIST,      /* u.h -> PtsList */
    PTS_V_TUPLE,     /* u.h -> PtsList (fixed length) */
    PTS_V_DICT,      /* u.h -> layer-defined */
    PTS_V_OBJECT,    /* u.h -> layer-defined */
    PTS_V_DEVICE,    /* u.i: device index, -1 for cpu */
    PTS_V_GENERATOR, /* u.h -> PtsGenerator */
    PTS_V_HEAP,      /* u.h -> any other refcounted heap kind */
    PTS_V_COMPLEX,   /* u.h -> PtsComplex (boxed: PtsValue stays 16 bytes) */
} PtsVTag;

/* Header of every refcounted heap value. destroy frees the object itself. */
typedef struct PtsHeap {
    atomic_int refcnt;
    void (*destroy)(struct PtsHeap *h);
} PtsHeap;

typedef struct PtsValue {
    uint8_t tag;        /* PtsVTag */
    union {
        bool b;
        int64_t i;
        double d;
        PtsTensor *t;
        PtsHeap *h;
    } u;
} PtsValue;

typedef struct PtsStr {
    PtsHeap h;
    size_t len;      /* bytes, excluding NUL */
    char data[];     /* NUL-terminated UTF-8 */
} PtsStr;

typedef struct PtsList {
    PtsHeap h;
    int64_t len, cap;  /* items used / allocated */
    PtsValue *items;   /* owned values */
    void *type;        /* PTS_V_LIST: its static type (an ir PtsType List[T], owned reference) when
                        * the code that built it knew one, as torch's lists know their element
                        * type; NULL when unknown (then the elements decide, see ir/ctag.c) */
} PtsList;

static inline PtsValue pts_none(void) { PtsValue v = { PTS_V_NONE, { .i = 0 } }; return v; }
static inline PtsValue pts_vbool(bool b) { PtsValue v = { PTS_V_BOOL, { .b = b } }; return v; }
static inline PtsValue pts_vint(int64_t i) { PtsValue v = { PTS_V_INT, { .i = i } }; return v; }
static inline PtsValue pts_vdouble(double d) { PtsValue v = { PTS_V_DOUBLE, { .d = d } }; return v; }
static inline PtsValue pts_vtensor(PtsTensor *t) { PtsValue v = { PTS_V_TENSOR, { .t = t } }; return v; }
static inline bool pts_is_heap_tag(int tag) {
    return tag == PTS_V_STR || tag == PTS_V_LIST || tag == PTS_V_TUPLE || tag == PTS_V_DICT ||
           tag == PTS_V_OBJECT || tag == PTS_V_GENERATOR || tag == PTS_V_HEAP || tag == PTS_V_COMPLEX;
}

PTS_INTERNAL void pts_value_release(PtsValue *v);     /* drops the reference, sets NONE */
PTS_INTERNAL PtsValue pts_value_retain(PtsValue v);   /* returns v with +1 */
PTS_INTERNAL PtsHeap *pts_heap_retain(PtsHeap *h);
/* The qualified class name of a PTS_V_OBJECT, for printing (`<__torch__.V object at 0x...>`):
 * set by the layer that defines objects (csrc/ir); NULL for objects it does not know. */
PTS_INTERNAL extern const char *(*pts_object_qualname_hook)(const PtsHeap *h);
/* Printing of other PTS_V_HEAP values (enum members, csrc/ir/enum.c): appends the value's text and
 * returns true when the layer knows h. */
PTS_INTERNAL extern bool (*pts_heap_print_hook)(PtsBuf *b, const PtsHeap *h);
PTS_INTERNAL void pts_heap_release(PtsHeap *h);
/* Drops the type reference a list or dict holds (PtsList.type): set by csrc/ir with the first type
 * it attaches, so this layer needs no knowledge of types. */
PTS_INTERNAL extern void (*pts_container_type_release_hook)(void *type);
/* Appends the static type of a list, dict or object in torch's words ('List[int]', 'Dict[str, int]'),
 * for messages; set by csrc/ir with the hook above. */
PTS_INTERNAL extern void (*pts_value_type_text_hook)(PtsBuf *b, PtsValue v);

/* A TorchScript complex: an immutable refcounted box (ops/k_complex.c makes them). */
typedef struct PtsComplex {
    PtsHeap h;
    double re, im;
} PtsComplex;
PTS_INTERNAL PtsStatus pts_complex_new(double re, double im, PtsError *err, PtsValue *out);
static inline const PtsComplex *pts_as_complex(PtsValue v) { return (const PtsComplex *)v.u.h; }

PTS_INTERNAL PtsStatus pts_str_new(const char *s, size_t n, PtsError *err, PtsValue *out);
static inline PtsStr *pts_as_str(PtsValue v) { return (PtsStr *)v.u.h; }
PTS_INTERNAL PtsStatus pts_list_new(int tag, int64_t cap, PtsError *err, PtsValue *out);
/* Append steals v (released on failure too). */
PTS_INTERNAL PtsStatus pts_list_append(PtsValue list, PtsValue v, PtsError *err);
static inline PtsList *pts_as_list(PtsValue v) { return (PtsList *)v.u.h; }
/* Int list helpers: read a list of ints (or a single int broadcast to `want` entries when want>0). */
PTS_INTERNAL PtsStatus pts_value_int_list(PtsValue v, int64_t *out, int max, int *n, PtsError *err);
PTS_INTERNAL PtsStatus pts_int_list_new(const int64_t *xs, int n, PtsError *err, PtsValue *out);
PTS_INTERNAL PtsStatus pts_tuple_new2(PtsValue a, PtsValue b, PtsError *err, PtsValue *out); /* steals */

/* Dict (PTS_V_DICT): insertion-ordered entries plus an open-addressing index, so lookups stay
 * O(1) for the large dicts an archive may hold. Keys are str, int, bool, float or Tensor (by
 * identity), as TorchScript allows. */
typedef struct PtsDict {
    PtsHeap h;
    int64_t len, cap;      /* entries used / allocated */
    PtsValue *keys, *vals; /* owned, insertion order */
    int64_t *index;        /* nindex slots holding entry numbers, -1 when empty */
    int64_t nindex;        /* power of two, > 2 * cap */
    void *type;            /* static type Dict[K, V] (owned ir PtsType) or NULL, as PtsList.type */
} PtsDict;
static inline PtsDict *pts_as_dict(PtsValue v) { return (PtsDict *)v.u.h; }
PTS_INTERNAL PtsStatus pts_dict_new(int64_t cap, PtsError *err, PtsValue *out);
/* Entry number of key, or -1. */
PTS_INTERNAL int64_t pts_dict_find(PtsValue dict, PtsValue key);
/* Insert, or replace the value of an equal key (keeps its position). Steals key and val, also on
 * failure. TYPE error for a key kind dicts cannot hold. */
PTS_INTERNAL PtsStatus pts_dict_set(PtsValue dict, PtsValue key, PtsValue val, PtsError *err);
/* Scalar value (bool/int/double) as double / int64. */
PTS_INTERNAL double pts_value_to_f64(PtsValue v);
PTS_INTERNAL int64_t pts_value_to_i64(PtsValue v);

#endif
