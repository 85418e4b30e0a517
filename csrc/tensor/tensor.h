/* tensor.h: the tensor layer. Dtypes, refcounted storage, strided tensors (views share storage),
 * broadcasting, type promotion, dtype conversion and the N-d strided loop driver that every kernel
 * uses. Includes only base. Sizes and strides are in elements, as in PyTorch. */
#ifndef PTS_TENSOR_H
#define PTS_TENSOR_H

#include <stdatomic.h>

#include "../base/base.h"

#define PTS_MAX_DIMS 16      /* rank limit of every tensor */
#define PTS_DTYPE_SLOTS 16   /* ScalarType numbers are < this */

typedef enum PtsDType {
#define PTS_DTYPE(ID, v, ct, name, kind, sz) PTS_##ID = v,
#include "dtypes.def"
#undef PTS_DTYPE
    PTS_DTYPE_INVALID = -1
} PtsDType;

enum { PTS_KIND_BOOL = 0, PTS_KIND_INT = 1, PTS_KIND_FLOAT = 2, PTS_KIND_COMPLEX = 3 };

PTS_INTERNAL bool pts_dtype_valid(int d);
PTS_INTERNAL const char *pts_dtype_name(PtsDType d);      /* "float32" */
/* PyTorch's ScalarType name ("Float"), or fallback for an invalid dtype. */
PTS_INTERNAL const char *pts_dtype_scalar_name(PtsDType d, const char *fallback);
PTS_INTERNAL const char *pts_dtype_cpp_name(PtsDType d);
PTS_INTERNAL int pts_dtype_kind(PtsDType d);
PTS_INTERNAL size_t pts_dtype_size(PtsDType d);
PTS_INTERNAL PtsDType pts_dtype_from_name(const char *name); /* also accepts "float", "long", ... */
PTS_INTERNAL PtsDType pts_promote_types(PtsDType a, PtsDType b);
static inline bool pts_dtype_is_float(PtsDType d) { return pts_dtype_kind(d) == PTS_KIND_FLOAT; }
static inline bool pts_dtype_is_int(PtsDType d) { return pts_dtype_kind(d) == PTS_KIND_INT; }
static inline bool pts_dtype_is_complex(PtsDType d) { return d == PTS_COMPLEX64 || d == PTS_COMPLEX128; }
/* complex64 <-> float32, complex128 <-> float64 (torch's toComplexType / toRealValueType). */
PTS_INTERNAL PtsDType pts_dtype_to_complex(PtsDType d);
PTS_INTERNAL PtsDType pts_dtype_to_real(PtsDType d);

/* float16 / bfloat16 conversion (round to nearest even). */
PTS_INTERNAL float pts_half_to_float(uint16_t h);
PTS_INTERNAL uint16_t pts_float_to_half(float f);
static inline float pts_bf16_to_float(uint16_t h) {
    union { uint32_t u; float f; } v = { (uint32_t)h << 16 };
    return v.f;
}
static inline uint16_t pts_float_to_bf16(float f) {
    union { float f; uint32_t u; } v = { f };
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40); /* quiet NaN */
    uint32_t round = 0x7fffu + ((v.u >> 16) & 1u);
    return (uint16_t)((v.u + round) >> 16);
}

/* Read/write one element of any dtype as double or int64. */
PTS_INTERNAL double pts_load_f64(PtsDType d, const void *p);
PTS_INTERNAL int64_t pts_load_i64(PtsDType d, const void *p);
PTS_INTERNAL void pts_store_f64(PtsDType d, void *p, double v);
PTS_INTERNAL void pts_store_i64(PtsDType d, void *p, int64_t v);
/* Complex dtypes load their real part above and store (v, 0); these read/write both parts of
 * any dtype (imag 0 for real dtypes; a real dtype drops imag, as torch's complex->real cast). */
PTS_INTERNAL void pts_load_c128(PtsDType d, const void *p, double *re, double *im);
PTS_INTERNAL void pts_store_c128(PtsDType d, void *p, double re, double im);

/* ---- storage ---- */
typedef void (*PtsDeleter)(void *data, void *ctx);

typedef struct PtsStorage {
    atomic_int refcnt;     /* owners: tensors and views */
    void *data;            /* element memory; inline after the struct unless foreign */
    size_t nbytes;         /* usable bytes at data */
    PtsDeleter deleter;    /* frees foreign memory (NumPy, caller memory); NULL for inline */
    void *deleter_ctx;     /* passed to deleter */
    atomic_uint version;   /* bumped by every in-place write (autograd checks it) */
} PtsStorage;

PTS_INTERNAL PtsStatus pts_storage_new(size_t nbytes, PtsError *err, PtsStorage **out);
/* Wrap foreign memory; deleter(data, ctx) runs when the last reference goes (may be NULL). */
PTS_INTERNAL PtsStatus pts_storage_wrap(void *data, size_t nbytes, PtsDeleter deleter, void *ctx,
                                        PtsError *err, PtsStorage **out);
PTS_INTERNAL PtsStorage *pts_storage_retain(PtsStorage *s);
PTS_INTERNAL void pts_storage_release(PtsStorage *s);

/* ---- tensor ---- */
enum {
    PTS_TF_WRAPPED_NUMBER = 1u << 0,  /* made from a Python/TorchScript scalar: lowest promotion tier */
    PTS_TF_REQUIRES_GRAD  = 1u << 1,  /* leaf flag; see autograd */
};

struct PtsAutogradMeta;

typedef struct PtsTensor {
    atomic_int refcnt;                /* owners */
    PtsDType dtype;                   /* element type */
    int ndim;                         /* rank, 0..PTS_MAX_DIMS */
    int64_t shape[PTS_MAX_DIMS];      /* size of each dim */
    int64_t strides[PTS_MAX_DIMS];    /* in elements, may be 0 (expanded) */
    int64_t offset;                   /* in elements, into storage */
    PtsStorage *storage;              /* +1 reference */
    uint32_t flags;                   /* PTS_TF_* */
    struct PtsAutogradMeta *autograd; /* owned by the autograd layer, NULL when none */
    void *owner;                      /* borrowed back-pointer kept by the binding layer (its
                                         wrapper object, cleared when that dies); never used below */
} PtsTensor;

PTS_INTERNAL PtsStatus pts_tensor_new(PtsDType dt, int ndim, const int64_t *shape, PtsError *err,
                                      PtsTensor **out);                    /* contiguous, uninit */
PTS_INTERNAL PtsStatus pts_tensor_zeros(PtsDType dt, int ndim, const int64_t *shape, PtsError *err,
                                        PtsTensor **out);
PTS_INTERNAL PtsStatus pts_tensor_scalar_f64(PtsDType dt, double v, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsStatus pts_tensor_scalar_i64(PtsDType dt, int64_t v, PtsError *err, PtsTensor **out);
/* A view of `base`'s storage with new geometry; checks it stays inside the storage. */
PTS_INTERNAL PtsStatus pts_tensor_view(const PtsTensor *base, int ndim, const int64_t *shape,
                                       const int64_t *strides, int64_t offset, PtsError *err,
                                       PtsTensor **out);
PTS_INTERNAL PtsStatus pts_tensor_from_storage(PtsStorage *st, PtsDType dt, int ndim,
                                               const int64_t *shape, const int64_t *strides,
                                               int64_t offset, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsTensor *pts_tensor_retain(PtsTensor *t);
PTS_INTERNAL void pts_tensor_release(PtsTensor *t);
/* Hook the autograd layer installs to free its metadata. */
extern void (*pts_autograd_meta_free_hook)(struct PtsAutogradMeta *m);

PTS_INTERNAL int64_t pts_numel(const PtsTensor *t);
PTS_INTERNAL int64_t pts_shape_numel(int ndim, const int64_t *shape);
PTS_INTERNAL bool pts_tensor_is_contiguous(const PtsTensor *t);
PTS_INTERNAL void pts_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides);
static inline char *pts_tensor_data(const PtsTensor *t) {
    return (char *)t->storage->data + t->offset * (int64_t)pts_dtype_size(t->dtype);
}
/* Returns t retained if contiguous, else a contiguous copy. */
PTS_INTERNAL PtsStatus pts_tensor_contiguous(PtsTensor *t, PtsError *err, PtsTensor **out);
/* New contiguous tensor of dtype dt with t's values (t retained if already so). */
PTS_INTERNAL PtsStatus pts_tensor_to(PtsTensor *t, PtsDType dt, bool force_copy, PtsError *err,
                                     PtsTensor **out);
/* dst[...] = src broadcast to dst's shape, converting dtype. */
PTS_INTERNAL PtsStatus pts_tensor_copy_(PtsTensor *dst, const PtsTensor *src, PtsError *err);
PTS_INTERNAL void pts_tensor_bump_version(PtsTensor *t);
PTS_INTERNAL double pts_tensor_item_f64(const PtsTensor *t);  /* first element */
PTS_INTERNAL int64_t pts_tensor_item_i64(const PtsTensor *t);

/* Broadcast two shapes; error names both. */
PTS_INTERNAL PtsStatus pts_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b,
                                            int *nout, int64_t *out, PtsError *err);
/* Strides (elements) of t seen as shape (ndim, shape) under broadcasting: 0 on expanded dims. */
PTS_INTERNAL void pts_broadcast_strides(const PtsTensor *t, int ndim, const int64_t *shape,
                                        int64_t *strides);
/* "[3, 4]" into buf. */
PTS_INTERNAL const char *pts_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);

/* ---- N-d loop driver ----
 * Runs fn over the common shape of up to PTS_ITER_MAX operands given as base pointer plus byte
 * strides; dims are coalesced so contiguous data becomes one call. fn gets the inner run length
 * and the byte strides of the innermost dim. */
#define PTS_ITER_MAX 4
typedef void (*PtsLoopFn)(char **ptrs, const int64_t *strides, int64_t n, void *ctx);
typedef struct PtsIterOperand {
    char *data;                     /* address of element [0,...,0] */
    int64_t strides[PTS_MAX_DIMS];  /* bytes */
} PtsIterOperand;
PTS_INTERNAL void pts_iter_run(int nops, PtsIterOperand *ops, int ndim, const int64_t *shape,
                               PtsLoopFn fn, void *ctx);
/* Fill an operand for tensor t viewed (broadcast) at the given shape. */
PTS_INTERNAL void pts_iter_operand(PtsIterOperand *op, const PtsTensor *t, int ndim,
                                   const int64_t *shape);

/* ---- printing (format.c) ----
 * Tensors print exactly as PyTorch 2.13 prints them (torch/_tensor_str.py), with "pyts." where
 * PyTorch writes "torch.". The options are one process-wide record, as torch's PRINT_OPTS. */
typedef struct PtsPrintOptions {
    int precision;       /* digits after the point (default 4); 0..PTS_PRINT_MAX_PRECISION */
    double threshold;    /* summarise with "..." when numel > threshold (default 1000; may be inf) */
    int64_t edgeitems;   /* items kept at each end of a summarised dim (default 3); >= 0 */
    int64_t linewidth;   /* characters per line before 1-D rows wrap (default 80) */
    int sci_mode;        /* -1 chosen per tensor (default), 0 never, 1 always scientific */
} PtsPrintOptions;
#define PTS_PRINT_MAX_PRECISION 1000

/* profile: "default", "short" or "full" (as torch.set_printoptions(profile=...)). */
PTS_INTERNAL PtsStatus pts_print_options_profile(const char *profile, PtsPrintOptions *o,
                                                 PtsError *err);
PTS_INTERNAL void pts_print_options_get(PtsPrintOptions *o);
/* Checks every field (VALUE error names it) before replacing the process-wide options. */
PTS_INTERNAL PtsStatus pts_print_options_set(const PtsPrintOptions *o, PtsError *err);

/* The repr of t: prefix ("tensor(" when NULL), the values, the size= and dtype= suffixes torch
 * adds (dtype shown unless it is default_dtype, int64 or bool), then the caller's extra suffixes
 * (borrowed strings such as "grad_fn=<TanhBackward0>"), each moved to its own line when it would
 * pass the line width. opts NULL means the process-wide options. *out is an owned NUL-terminated
 * string (free with pts_free); NULL on failure (NOMEM or VALUE for bad options). */
PTS_INTERNAL PtsStatus pts_tensor_format(const PtsTensor *t, const PtsPrintOptions *opts,
                                         const char *prefix, PtsDType default_dtype,
                                         const char *const *suffixes, int nsuffixes,
                                         PtsError *err, char **out);

#endif
