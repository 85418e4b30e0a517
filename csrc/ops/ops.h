/* ops.h: the op registry. Every op overload is one row in ops.def (and the files it includes):
 * an id, flags and its schema in TorchScript's schema language. The schemas are parsed once by
 * pts_ops_init and drive the Python bindings, the tracer, the script compiler, the code printer
 * and the interpreter. Kernels are named k_<ID> and share one signature: arguments in schema
 * order (defaults filled in, borrowed), results written to out (owned). */
#ifndef PTS_OPS_H
#define PTS_OPS_H

#include "value.h"

/* row flags */
enum {
    PTS_F_FN      = 1u << 0,  /* exposed as a function: pyts.X / torch.X */
    PTS_F_METHOD  = 1u << 1,  /* exposed as a Tensor method: x.X */
    PTS_F_NONDET  = 1u << 2,  /* random: never constant-folded, reported by check_trace */
    PTS_F_NODIFF  = 1u << 3,  /* not differentiable (comparisons, integer results) */
    PTS_F_VIEW    = 1u << 4,  /* the result aliases the first argument's storage */
    PTS_F_HIDDEN  = 1u << 5,  /* not bound in Python under its own name */
};
#define PTS_F_BOTH (PTS_F_FN | PTS_F_METHOD)

typedef enum PtsOpId {
#define PTS_OP(ID, flags, schema) PTS_OP_##ID,
#include "ops.def"
#undef PTS_OP
    PTS_OP__COUNT
} PtsOpId;

typedef PtsStatus (*PtsKernel)(PtsValue *args, PtsValue *out, PtsError *err);
#define PTS_OP(ID, flags, schema) PTS_INTERNAL PtsStatus k_##ID(PtsValue *args, PtsValue *out, PtsError *err);
#include "ops.def"
#undef PTS_OP

/* ---- schema ---- */
typedef enum PtsArgKind {
    PTS_T_TENSOR, PTS_T_INT, PTS_T_FLOAT, PTS_T_BOOL, PTS_T_SCALAR, PTS_T_SCALARTYPE,
    PTS_T_LAYOUT, PTS_T_DEVICE, PTS_T_MEMFORMAT, PTS_T_STR, PTS_T_GENERATOR, PTS_T_ANY,
    PTS_T_COMPLEX,   /* TorchScript's complex scalar (ops_complex.def) */
    PTS_T_KIND__COUNT
} PtsArgKind;

typedef struct PtsArgType {
    uint8_t kind;          /* PtsArgKind of the element */
    bool optional;         /* T? (or T[]?) */
    bool is_list;          /* T[] / T[N] */
    bool elem_optional;    /* T?[] */
    int8_t list_n;         /* N of T[N], 0 when unsized */
    bool write;            /* alias annotation with '!': written in place */
    char alias;            /* alias set letter, 0 when none */
} PtsArgType;

#define PTS_MAX_ARGS 24   /* _transformer_encoder_layer_fwd has 20; autograd masks hold 32 */
#define PTS_MAX_RETS 4

typedef struct PtsArg {
    const char *name;      /* owned by the schema table */
    PtsArgType type;
    bool has_default;
    bool kwarg_only;       /* after '*' */
    PtsValue def;          /* default value (owned) */
    const char *def_text;  /* default as written in the schema, for printing */
} PtsArg;

typedef struct PtsSchema {
    const char *text;      /* the row's schema text (static) */
    const char *name;      /* "add" */
    const char *overload;  /* "Tensor", or "" */
    const char *qualname;  /* "aten::add" */
    int nargs, nret;
    PtsArg args[PTS_MAX_ARGS];
    PtsArgType rets[PTS_MAX_RETS];
    const char *ret_names[PTS_MAX_RETS];  /* NULL when unnamed */
    bool ret_list;         /* returns Tensor[] */
    bool inplace;          /* name ends with '_' and writes self */
    bool has_out;          /* has a keyword-only write argument named out */
    bool varargs;          /* ends in `...` (format): any further positional values */
} PtsSchema;

typedef struct PtsOpInfo {
    const char *id_name;   /* "ADD_TENSOR" */
    unsigned flags;
    PtsKernel kernel;
    PtsSchema schema;      /* filled by pts_ops_init */
} PtsOpInfo;

PTS_INTERNAL extern PtsOpInfo pts_op_info[PTS_OP__COUNT];

/* Parse every schema (idempotent, thread-safe). */
PTS_INTERNAL PtsStatus pts_ops_init(PtsError *err);
/* Parse one schema text into s (used by init and by the frontend for builtin schemas). */
PTS_INTERNAL PtsStatus pts_schema_parse(const char *text, PtsSchema *s, PtsError *err);
/* Find an op by "aten::add.Tensor" or "add.Tensor" or "add" (first overload), or a row of
 * another namespace by its qualified name ("prim::min.int"). -1 if none. */
PTS_INTERNAL int pts_op_find(const char *name);
/* Render a type as the schema writes it ("int[]?"). */
PTS_INTERNAL const char *pts_argtype_str(PtsArgType t, char *buf, size_t n);

/* ---- dispatch ----
 * pts_op_call runs the kernel for op id on fully bound arguments. When a dispatch hook is set
 * (autograd recording, tracing), it runs instead and decides how to call the kernel. */
typedef PtsStatus (*PtsDispatchHook)(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err);
PTS_INTERNAL extern PtsDispatchHook pts_dispatch_hook;
/* Per-thread switch consulted before the hook: when false the hook is skipped. */
PTS_INTERNAL bool pts_dispatch_hook_wanted(PtsOpId id, const PtsValue *args);
/* The per-thread state it reads (ops/common.c): grad mode (autograd records only when on) and
 * the depth of hooks that want every op regardless (tracing). */
PTS_INTERNAL extern _Thread_local bool pts_tls_grad_enabled;
PTS_INTERNAL extern _Thread_local int pts_tls_hook_depth;
static inline PtsStatus pts_op_kernel(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    return pts_op_info[id].kernel(args, out, err);
}
PTS_INTERNAL PtsStatus pts_op_call(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err);
/* The tracer's hook runs instead of dispatch while this thread traces (pts_tls_tracing > 0); it
 * calls pts_op_call_untraced to compute and then records the node. */
PTS_INTERNAL extern PtsDispatchHook pts_trace_hook;
PTS_INTERNAL extern _Thread_local int pts_tls_tracing;
PTS_INTERNAL PtsStatus pts_op_call_untraced(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err);
/* Fill args[first..nargs) with the schema defaults (borrowed copies; do not release). */
PTS_INTERNAL void pts_op_fill_defaults(PtsOpId id, PtsValue *args, int first);
/* Composite ops and formulas: row id on a[0..n) (borrowed; the schema defaults for the rest)
 * through pts_op_call, so autograd and the tracer see it. out: the row's results, owned, as
 * pts_op_call writes them. */
PTS_INTERNAL PtsStatus pts_op_call_n(PtsOpId id, int n, const PtsValue *a, PtsValue *out, PtsError *err);
/* The same for a row with one tensor result: *out owned (+1), any other results released. */
PTS_INTERNAL PtsStatus pts_op_call_t(PtsOpId id, int n, const PtsValue *a, PtsError *err, PtsTensor **out);

/* Complex tensors (ops/complex_guard.c): every kernel that does not take complex operands gets
 * a guard that refuses them with torch's NotImplementedError; rows with a complex kernel switch
 * to it when a complex tensor, dtype or number is among the arguments. Run by pts_ops_init. */
PTS_INTERNAL void pts_complex_guard_install(void);
/* Does op id accept complex values for its Scalar arguments (the interpreter asks)? */
PTS_INTERNAL bool pts_complex_scalar_ok(int id);

/* ---- shared kernel helpers (ops/common.c) ---- */
/* Result dtype of PyTorch's promotion over tensors, with its three tiers: dimensioned tensors,
 * zero-dim tensors, wrapped numbers. */
PTS_INTERNAL PtsDType pts_result_type(PtsTensor *const *ts, int n);
PTS_INTERNAL PtsDType pts_result_type_scalar(const PtsTensor *t, PtsValue scalar);
PTS_INTERNAL PtsStatus pts_wrap_scalar(PtsValue v, PtsError *err, PtsTensor **out);
PTS_INTERNAL PtsDType pts_default_dtype(void);
PTS_INTERNAL void pts_set_default_dtype(PtsDType d);
/* Normalise dim into [0, ndim) (ndim 0 accepts -1 and 0); IndexError as PyTorch words it. */
PTS_INTERNAL PtsStatus pts_wrap_dim(int64_t dim, int ndim, PtsError *err, int *out);
/* Can a value of dtype `from` be written to `to` in place (no float->int, no int->bool)? */
PTS_INTERNAL bool pts_can_cast(PtsDType from, PtsDType to);
/* Write result into an out= tensor: resize if needed (only when out is empty or same size). */
PTS_INTERNAL PtsStatus pts_out_assign(PtsTensor *out, PtsTensor *result, PtsError *err);

#endif
