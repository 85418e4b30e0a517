/* ir.h: the graph IR shared by the tracer, the script compiler, the archive loader and the
 * interpreter, modelled on TorchScript's: a Graph owns Blocks, Nodes and Values; a Node has a kind
 * (a registry op id or a prim), input and output Values, nested Blocks (prim::If, prim::Loop),
 * attributes, a source range and a scope. Values are SSA and typed. Types are immutable and
 * refcounted. Class types describe modules and script classes (attributes + methods); the class
 * types and functions compiled together belong to one compilation unit (PtsUnit below).
 * Everything in a Graph dies with it. */
#ifndef PTS_IR_H
#define PTS_IR_H

#include "../ops/ops.h"

/* ================= types ================= */
typedef enum PtsTypeKind {
    PTS_TY_TENSOR, PTS_TY_INT, PTS_TY_FLOAT, PTS_TY_BOOL, PTS_TY_STR, PTS_TY_NONE,
    PTS_TY_NUMBER,   /* Scalar */
    PTS_TY_COMPLEX,  /* complex: a subtype of number, as int and float */
    PTS_TY_DEVICE, PTS_TY_ANY, PTS_TY_GENERATOR, PTS_TY_LAYOUT, PTS_TY_MEMFORMAT,
    PTS_TY_SCALARTYPE,  /* printed as int */
    PTS_TY_OPTIONAL, PTS_TY_LIST, PTS_TY_TUPLE, PTS_TY_DICT, PTS_TY_UNION,
    PTS_TY_CLASS, PTS_TY_FUNCTION,
    PTS_TY_FUTURE,   /* Future[T] of torch.jit.fork (1 elem); not a singleton kind */
    PTS_TY_AWAIT,    /* Await[T] of torch.jit._awaitable (1 elem) */
} PtsTypeKind;

struct PtsClassType;
struct PtsFunction;

/* ================= compilation units =================
 * One owner for everything compiled together (torch's CompilationUnit): the class types and
 * functions made by one archive load or one outermost script compile belong to the unit that was
 * current on their thread when they were made. Retaining or releasing such a class or function
 * retains or releases its unit; the unit frees them all at once when its count drops to zero.
 * References inside a unit are borrowed (a type, call or method of the unit naming a class or
 * function of the same unit), so classes and functions that name one another form no cycle;
 * everything outside (objects, module and function handles, capsules, other units' graphs)
 * holds the unit through the class or function it names. */
typedef struct PtsUnit PtsUnit;
PTS_INTERNAL PtsUnit *pts_unit_new(void);            /* owned; NULL on OOM */
PTS_INTERNAL PtsUnit *pts_unit_retain(PtsUnit *u);
PTS_INTERNAL void pts_unit_release(PtsUnit *u);
/* The unit new classes and functions join on this thread (NULL: none, they are refcounted on
 * their own). enter makes u current and returns the previous one, which leave restores. */
PTS_INTERNAL PtsUnit *pts_unit_current(void);
PTS_INTERNAL PtsUnit *pts_unit_enter(PtsUnit *u);
PTS_INTERNAL void pts_unit_leave(PtsUnit *prev);
/* Does a reference made now to a member of unit u borrow it? (u is the unit compiling now) */
static inline bool pts_unit_borrows(const PtsUnit *u) { return u && u == pts_unit_current(); }
/* Live counts for leak tests: units, class types, functions and graphs. */
PTS_INTERNAL void pts_ir_live_counts(long out[4]);
/* ---- for type.c and graph.c ---- */
PTS_INTERNAL void pts_ir_live_add(int kind, int d);   /* kind: index in pts_ir_live_counts */
/* A new class/function joins the current unit (nothing without one); false on OOM. */
PTS_INTERNAL bool pts_unit_adopt_class(struct PtsClassType *c);
PTS_INTERNAL bool pts_unit_adopt_function(struct PtsFunction *f);
/* Free what a class/function holds, not the struct (a dying unit frees the structs after). */
PTS_INTERNAL void pts_class_clear(struct PtsClassType *c);
PTS_INTERNAL void pts_function_clear(struct PtsFunction *f);

typedef struct PtsType {
    atomic_int refcnt;          /* static singletons have a huge count and are never freed */
    uint8_t kind;               /* PtsTypeKind */
    /* PTS_TY_TENSOR refinements (from tracing): -1 = unknown */
    int8_t dtype;               /* PtsDType or -1 */
    int8_t ndim;                /* rank or -1 */
    int8_t requires_grad;       /* 0, 1 or -1 */
    int64_t *sizes, *strides;   /* ndim entries each when known (owned) */
    /* containers: OPTIONAL/LIST 1 elem, DICT 2, TUPLE/UNION n */
    int n;
    struct PtsType **elems;     /* owned references */
    char **field_names;         /* NamedTuple fields (owned), NULL otherwise */
    char *name;                 /* NamedTuple / class qualified name (owned) */
    struct PtsClassType *cls;   /* PTS_TY_CLASS: the class; a NamedTuple TUPLE: its declaring class */
    bool owns_cls;              /* the type holds a reference to cls (its unit's): false for a type
                                 * made while cls's own unit compiles (see PtsUnit), and for the
                                 * classes of modules outside units (their objects hold them) */
} PtsType;

PTS_INTERNAL PtsType *pts_type_get(PtsTypeKind k);  /* borrowed singleton for simple kinds */
PTS_INTERNAL PtsType *pts_type_tensor(void);        /* borrowed: unrefined Tensor */
/* Complete tensor type as the tracer records it (owned). */
PTS_INTERNAL PtsType *pts_type_tensor_of(const PtsTensor *t, bool requires_grad);
PTS_INTERNAL PtsType *pts_type_list(PtsType *elem);           /* owned; borrows elem (retains) */
PTS_INTERNAL PtsType *pts_type_optional(PtsType *elem);
PTS_INTERNAL PtsType *pts_type_dict(PtsType *k, PtsType *v);
PTS_INTERNAL PtsType *pts_type_tuple(int n, PtsType *const *elems);
PTS_INTERNAL PtsType *pts_type_future(PtsType *elem);          /* owned; retains elem */
PTS_INTERNAL PtsType *pts_type_await(PtsType *elem);           /* owned; retains elem */
/* Union[elems] normalised as torch's UnionType: nested unions and Optionals flattened, members
 * another member covers dropped, sorted in torch's order (kind, then text); one member is that
 * type, two with None are Optional[T]. Owned; NULL on OOM or n == 0. */
PTS_INTERNAL PtsType *pts_type_union(int n, PtsType *const *elems);
/* Sort types in place in torch's union order (TypeKind, then annotation text). */
PTS_INTERNAL void pts_type_sort(int n, PtsType **types);
/* `list` / `tuple` as isinstance() types (torch's AnyListType / AnyTupleType): a LIST with no
 * element, a TUPLE named "tuple" with no fields. Only prim::isinstance's "types" attribute holds
 * them. Owned. */
PTS_INTERNAL PtsType *pts_type_any_container(PtsTypeKind k);
PTS_INTERNAL bool pts_type_is_any_list(const PtsType *t);
PTS_INTERNAL bool pts_type_is_any_tuple(const PtsType *t);
/* Does a run-time value have type t? (prim::isinstance; a list or dict with a static type tag is
 * judged by it, an untagged one is a List[T] when every element is a T) */
PTS_INTERNAL bool pts_value_isinstance(PtsValue v, const PtsType *t);
/* ctag.c: the static type a list or dict carries (PtsList.type). set: attach t (retained) to an
 * untagged list (t a List[T]) or dict (t a Dict[K, V]); other values and mismatched kinds are left
 * alone. tag: NULL when unknown. */
PTS_INTERNAL void pts_value_set_type(PtsValue v, const PtsType *t);
PTS_INTERNAL const PtsType *pts_value_type_tag(PtsValue v);
/* Equal types, tensor refinements aside (what isinstance compares a container's tag with). */
PTS_INTERNAL bool pts_type_same_static(const PtsType *a, const PtsType *b);
/* Attach the static types of parameter type t to the containers of argument v (an Any position
 * infers them as torch does): 0, -1 with *bad the value whose type cannot be inferred and torch's
 * reason in why, -2 out of memory. */
PTS_INTERNAL int pts_value_tag_arg(PtsValue v, const PtsType *t, PtsValue *bad, PtsBuf *why);
/* The type of a list or dict in annotation syntax (its tag, else what its elements say). */
PTS_INTERNAL void pts_value_type_text(PtsBuf *b, PtsValue v);
PTS_INTERNAL PtsType *pts_type_class(struct PtsClassType *cls);
/* The tuple type of a NamedTuple class (cls->is_namedtuple): fields are its attributes. Owned. */
PTS_INTERNAL PtsType *pts_type_namedtuple(struct PtsClassType *cls);
/* The type a class name denotes: the object type, or the tuple type of a NamedTuple. Owned. */
PTS_INTERNAL PtsType *pts_type_of_class(struct PtsClassType *cls);
PTS_INTERNAL PtsType *pts_type_retain(PtsType *t);
PTS_INTERNAL void pts_type_release(PtsType *t);
PTS_INTERNAL bool pts_type_equal(const PtsType *a, const PtsType *b);
/* Subtyping as TorchScript's: refined Tensor <: Tensor, T <: Optional[T], None <: Optional[T],
 * int/float <: number, List[T] invariant, Tuple covariant, anything <: Any. */
PTS_INTERNAL bool pts_type_subtype(const PtsType *a, const PtsType *b);
/* Graph syntax ("Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)", "int[]", "Tensor?",
 * "(Tensor, Tensor)") or annotation syntax for code ("List[int]", "Optional[Tensor]"). */
PTS_INTERNAL void pts_type_print(PtsBuf *b, const PtsType *t, bool annotation);
/* Per-thread renaming of class types in pts_type_print: the archive writer gives classes whose
 * qualified names clash a mangled name. The namer returns NULL to keep the type's own name.
 * Pass NULL to remove it. */
typedef const char *(*PtsClassNamer)(const PtsType *t, void *ctx);
PTS_INTERNAL void pts_type_set_class_namer(PtsClassNamer fn, void *ctx);
/* The type of a registry schema argument/return. Owned. */
PTS_INTERNAL PtsType *pts_type_from_arg(PtsArgType a);

/* ================= classes and functions ================= */
typedef enum PtsAttrKind {
    PTS_ATTR_PARAMETER, PTS_ATTR_BUFFER, PTS_ATTR_MODULE, PTS_ATTR_PLAIN, PTS_ATTR_CONSTANT,
} PtsAttrKind;

typedef struct PtsClassAttr {
    char *name;                 /* owned */
    PtsType *type;              /* owned */
    uint8_t kind;               /* PtsAttrKind */
} PtsClassAttr;

typedef struct PtsClassType {
    atomic_int refcnt;          /* unused while the class belongs to a unit: the unit counts */
    PtsUnit *unit;              /* borrowed: the unit owning the class, or NULL */
    char *qualname;             /* "__torch__.MyCell" (owned) */
    bool is_module;
    bool is_namedtuple;         /* a NamedTuple: attrs are its fields, values are plain tuples */
    int nattrs, cap_attrs;
    PtsClassAttr *attrs;        /* slot i of an object is attribute i */
    int nmethods, cap_methods;
    struct PtsFunction **methods;  /* owned references, borrowed when of the class's own unit */
    int nconsts;
    char **const_names;         /* Final constants, printed in code as `name : Final[T] = v` */
    PtsValue *const_values;
    int ndefaults;              /* NamedTuple: the last ndefaults fields have these defaults */
    PtsValue *defaults;
    bool is_interface;          /* torch.jit.interface: methods are signatures only (their graphs
                                 * have no body); values are objects of classes implementing them,
                                 * calls dispatch on the object's class at run time. With is_module,
                                 * a module interface (printed `InterfaceType<Name>` in graphs) */
    bool is_enum;               /* a Python Enum (enum.c): its members are const_names/const_values
                                 * (name, raw int/float/str value) in definition order; no attributes,
                                 * no methods; typed PTS_TY_CLASS, printed `Enum<qualname>` in graphs */
} PtsClassType;

PTS_INTERNAL PtsClassType *pts_class_new(const char *qualname, bool is_module);
PTS_INTERNAL PtsClassType *pts_class_retain(PtsClassType *c);
PTS_INTERNAL void pts_class_release(PtsClassType *c);
/* Adds an attribute (steals type); returns its slot index or -1 on OOM. */
PTS_INTERNAL int pts_class_add_attr(PtsClassType *c, const char *name, PtsType *type, PtsAttrKind kind);
PTS_INTERNAL int pts_class_find_attr(const PtsClassType *c, const char *name);
PTS_INTERNAL PtsStatus pts_class_add_method(PtsClassType *c, struct PtsFunction *f, PtsError *err); /* retains f */
PTS_INTERNAL struct PtsFunction *pts_class_find_method(const PtsClassType *c, const char *name);
/* Interfaces (iface.c). Does c (a class or an interface) have every method of iface with a
 * compatible schema (torch's ClassType::isSubtypeOfExt on an InterfaceType: same parameter names,
 * iface's parameter types subtypes of c's, c's return type a subtype of iface's)? When not and why
 * is not NULL, torch's explanation is appended to it. */
PTS_INTERNAL bool pts_class_implements(const PtsClassType *c, const PtsClassType *iface, PtsBuf *why);
/* A method's schema as torch prints it: `forward(__torch__.M self, Tensor x) -> Tensor`. */
PTS_INTERNAL void pts_function_schema_print(PtsBuf *b, const struct PtsFunction *f);

/* ================= graph ================= */
typedef struct PtsNode PtsNode;
typedef struct PtsBlock PtsBlock;
typedef struct PtsGraph PtsGraph;

typedef struct PtsUse {
    PtsNode *user;              /* NULL when the use is a block's return */
    int index;                  /* input index in user (or output index of the block) */
    PtsBlock *block;            /* the returning block when user is NULL */
} PtsUse;

typedef struct PtsIrValue {
    int id;                     /* unique within the graph; printed when there is no name */
    char *name;                 /* debug name without the .N suffix (owned), or NULL */
    int name_suffix;            /* .N uniquing suffix, 0 for none */
    PtsType *type;              /* owned */
    PtsNode *node;              /* producer (NULL for block/graph inputs) */
    PtsBlock *param_of;         /* the block whose input this is, for inputs */
    int offset;                 /* output index in node, or input index in the block */
    int nuses, cap_uses;
    PtsUse *uses;
} PtsIrValue;

typedef enum PtsAttrValKind { PTS_AV_INT, PTS_AV_FLOAT, PTS_AV_STR, PTS_AV_TYPE, PTS_AV_IVALUE } PtsAttrValKind;
typedef struct PtsNodeAttr {
    const char *name;           /* static or graph-owned */
    uint8_t kind;               /* PtsAttrValKind */
    PtsValue v;                 /* INT/FLOAT/STR/IVALUE (owned) */
    PtsType *type;              /* TYPE (owned) */
} PtsNodeAttr;

enum { PTS_PRIM_BASE = 100000 };
typedef enum PtsPrimKind {
#define PTS_PRIM(ID, name) PTS_PRIM_##ID,
#include "prims.def"
#undef PTS_PRIM
    PTS_PRIM__COUNT
} PtsPrimKind;
#define PTS_KIND_PRIM(p) (PTS_PRIM_BASE + (p))
static inline bool pts_kind_is_op(int kind) { return kind >= 0 && kind < PTS_OP__COUNT; }

struct PtsNode {
    int kind;                   /* PtsOpId, or PTS_KIND_PRIM(p) */
    int ninputs, cap_inputs;
    PtsIrValue **inputs;
    int noutputs;
    PtsIrValue **outputs;
    int nblocks;
    PtsBlock **blocks;
    int nattrs;
    PtsNodeAttr *attrs;
    PtsSrcRange range;          /* file borrowed from the graph's string pool */
    const char *scope;          /* "__module.linear" or NULL (pool) */
    PtsBlock *owner;
    PtsNode *prev, *next;       /* in owner's node list */
};

struct PtsBlock {
    PtsNode *owner;             /* NULL for the graph's top block */
    int ninputs, cap_inputs;
    PtsIrValue **inputs;
    int noutputs, cap_outputs;
    PtsIrValue **outputs;       /* returned values */
    PtsNode *first, *last;
};

struct PtsGraph {
    PtsBlock *top;
    int next_value_id;
    /* allocation: everything below is freed with the graph */
    void **allocs;
    int nallocs, cap_allocs;
    /* name uniquing: base name -> highest suffix */
    char **names;
    int *name_counts;
    int nnames, cap_names;
};

PTS_INTERNAL PtsGraph *pts_graph_new(void);
PTS_INTERNAL void pts_graph_free(PtsGraph *g);
/* String owned by the graph (file names, scopes, debug names). NULL on OOM. */
PTS_INTERNAL const char *pts_graph_intern(PtsGraph *g, const char *s);
PTS_INTERNAL PtsIrValue *pts_block_add_input(PtsGraph *g, PtsBlock *b, PtsType *type, const char *name);
PTS_INTERNAL PtsStatus pts_block_add_output(PtsGraph *g, PtsBlock *b, PtsIrValue *v, PtsError *err);
/* New node appended to block b with the given outputs (types stolen). */
PTS_INTERNAL PtsNode *pts_node_new(PtsGraph *g, PtsBlock *b, int kind, int ninputs,
                                   PtsIrValue *const *inputs, int noutputs, PtsType **out_types);
PTS_INTERNAL PtsStatus pts_node_add_input(PtsGraph *g, PtsNode *n, PtsIrValue *v, PtsError *err);
PTS_INTERNAL PtsBlock *pts_node_add_block(PtsGraph *g, PtsNode *n);
PTS_INTERNAL void pts_node_destroy(PtsNode *n);  /* unlinks; outputs must be unused */
PTS_INTERNAL void pts_node_move_before(PtsNode *n, PtsNode *before);
/* drop output i of an If (it must be unused) with output i of each of its blocks */
PTS_INTERNAL void pts_node_erase_output(PtsNode *n, int i);
/* carried slot i of a prim::Loop (node input i + 2, output i, block param and return i + 1):
 * dead when the output is unused and the param is read by nothing but its own return;
 * pts_loop_erase_carried drops a dead one, as torch's DCE drops unused loop-carried values */
PTS_INTERNAL bool pts_loop_carried_dead(const PtsNode *n, int i);
PTS_INTERNAL void pts_loop_erase_carried(PtsNode *n, int i);
/* append an output of the given type (stolen) to n; NULL on OOM */
PTS_INTERNAL PtsIrValue *pts_node_add_output(PtsGraph *g, PtsNode *n, PtsType *type);
PTS_INTERNAL PtsStatus pts_node_set_attr(PtsGraph *g, PtsNode *n, const char *name, PtsAttrValKind kind,
                                         PtsValue v, PtsType *type, PtsError *err);  /* steals v, type */
PTS_INTERNAL const PtsNodeAttr *pts_node_attr(const PtsNode *n, const char *name);
PTS_INTERNAL void pts_value_set_name(PtsGraph *g, PtsIrValue *v, const char *name);
PTS_INTERNAL void pts_value_replace_uses(PtsIrValue *from, PtsIrValue *to);
/* Use v as input i of n / output i of b instead of what is there (use lists kept); false on OOM. */
PTS_INTERNAL bool pts_node_replace_input(PtsNode *n, int i, PtsIrValue *v);
PTS_INTERNAL bool pts_block_replace_output(PtsBlock *b, int i, PtsIrValue *v);
PTS_INTERNAL const char *pts_node_kind_name(int kind); /* "aten::add", "prim::If" */
PTS_INTERNAL int pts_prim_find(const char *qualname);   /* "prim::If" -> kind, -1 */
/* Constant node with an IValue (steals v); output typed from the value. */
PTS_INTERNAL PtsIrValue *pts_graph_constant(PtsGraph *g, PtsBlock *b, PtsValue v);

/* Text in TorchScript's graph format. */
PTS_INTERNAL char *pts_graph_str(const PtsGraph *g, const char *self_name);  /* owned */
/* verify.c: structural checks (dominance, use lists, schema arity, If/Loop blocks, types);
 * PTS_ERR_INTERNAL naming the problem, followed by the graph text. maybe_verify runs it only when
 * verification is on (PYTS_VERIFY=1 in the environment, or pts_graph_set_verify). */
PTS_INTERNAL PtsStatus pts_graph_verify(const PtsGraph *g, PtsError *err);
PTS_INTERNAL bool pts_graph_verify_enabled(void);
PTS_INTERNAL void pts_graph_set_verify(bool on);
PTS_INTERNAL PtsStatus pts_graph_maybe_verify(const PtsGraph *g, PtsError *err);

/* passes.c. copy renumbers values in creation order (as TorchScript's Graph::copy) and keeps names. */
PTS_INTERNAL PtsStatus pts_graph_copy(const PtsGraph *g, PtsError *err, PtsGraph **out);
/* Replace prim::CallMethod / prim::CallFunction by the callee's body (recursively), as
 * TorchScript's Inline: the callee is first inlined and constant-pooled itself. */
PTS_INTERNAL PtsStatus pts_pass_inline(PtsGraph *g, PtsError *err);
/* Fold deterministic, non-mutating ops whose inputs are all constants (registry ops and prims on
 * ints/floats/bools/lists/tuples); constant If conditions select their branch. */
PTS_INTERNAL PtsStatus pts_pass_constant_propagation(PtsGraph *g, PtsError *err);
/* Remove nodes whose outputs are unused and which have no side effects (in-place/out= ops,
 * SetAttr, prints, raises, calls and nondeterministic ops stay). Returns the number removed. */
PTS_INTERNAL int pts_pass_dce(PtsGraph *g);
/* Common subexpression elimination over pure nodes (same kind, inputs and attributes). */
PTS_INTERNAL PtsStatus pts_pass_cse(PtsGraph *g, PtsError *err);
/* Deduplicate constants and hoist them to the top of the graph (TorchScript's ConstantPooling). */
PTS_INTERNAL PtsStatus pts_pass_constant_pooling(PtsGraph *g, PtsError *err);
/* The same on values of immutable types only (numbers, bools, strs, None, tuples of them), as the
 * script compiler's ConstantPropagationImmutableTypes; also a constant-index TupleIndex of a
 * TupleConstruct. No dead-code pass. */
PTS_INTERNAL PtsStatus pts_pass_constant_propagation_immutable(PtsGraph *g, PtsError *err);
/* One prim::Uninitialized per type, at the top of the graph (where torch's exit transform puts them). */
PTS_INTERNAL PtsStatus pts_pass_hoist_uninitialized(PtsGraph *g, PtsError *err);
/* Order the outputs of every If and Loop by their first use (TorchScript's CanonicalizeOutputs). */
PTS_INTERNAL PtsStatus pts_pass_canonicalize_outputs(PtsGraph *g, PtsError *err);
/* exit_transform.c: torch's TransformExits (prim::LoopContinuation and prim::ReturnStmt markers
 * become carried "exited" flags and guarded rest-of-blocks), then CanonicalizeModifiedLoops;
 * unify joins two types (NULL: no join, the Union is used); ns (or NULL) hears torch's naming
 * events of the transform (tnames.h). */
typedef const PtsType *(*PtsUnifyFn)(void *ctx, const PtsType *a, const PtsType *b);
typedef struct PtsNameSim PtsNameSim;
PTS_INTERNAL PtsStatus pts_pass_transform_exits(PtsGraph *g, PtsUnifyFn unify, void *ctx, PtsNameSim *ns, PtsError *err);
PTS_INTERNAL PtsStatus pts_pass_canonicalize_modified_loops(PtsGraph *g, PtsError *err);
/* torch's ConstantPropagator clean-up of control flow: If outputs equal (or the same constant) in
 * both branches are replaced by that value */
PTS_INTERNAL void pts_pass_remove_extra_if_outputs(PtsGraph *g);
/* Name v as TorchScript's tracer does: a value already holding the name moves to `name.N`. */
PTS_INTERNAL void pts_value_steal_name(PtsGraph *g, PtsIrValue *v, const char *name);
PTS_INTERNAL bool pts_ir_tensor_constants_equal(const PtsTensor *a, const PtsTensor *b);
/* freeze.c: torch.jit.freeze. A new module object (*out, owned) whose class has the preserved
 * methods of mod (forward and the method names in preserved) with calls inlined and the attributes
 * no method mutates folded into constants, and the attributes still read or named in preserved
 * (`sub.x` keeps submodule sub). RuntimeError with torch's words for unknown names and modules
 * returning themselves. */
PTS_INTERNAL PtsStatus pts_module_freeze(PtsValue mod, int npreserved, const char *const *preserved, PtsError *err,
                                         PtsValue *out);
/* torch's OptimizeFrozenGraph on a frozen graph: dropout in eval mode removed. */
PTS_INTERNAL PtsStatus pts_pass_optimize_frozen(PtsGraph *g, bool optimize_numerics, PtsError *err);
/* Graph with every call inlined, as `.inlined_graph` prints it (owned). */
PTS_INTERNAL PtsStatus pts_graph_inlined(const PtsGraph *g, PtsError *err, PtsGraph **out);

/* ================= functions ================= */
typedef struct PtsFunction {
    atomic_int refcnt;          /* unused while the function belongs to a unit: the unit counts */
    PtsUnit *unit;              /* borrowed: the unit owning the function, or NULL */
    char *name;                 /* "forward" or qualified function name (owned) */
    PtsGraph *graph;            /* owned; inputs: (self?, args...) */
    struct PtsCode *code;       /* interpreter form, built lazily once (owned) */
    atomic_flag code_lock;      /* spin lock guarding lazy compilation */
    char **arg_names;           /* user-visible argument names (owned) */
    PtsValue *defaults;         /* default values or NONE with has_default false */
    bool *has_default;
    int nargs;                  /* including self for methods */
    bool is_method;
    int8_t *list_n;             /* per argument: N of a BroadcastingListN[T] parameter (one T or a
                                 * tuple is accepted for its List[T]), else 0; NULL when none */
    uint8_t *inferred;          /* per argument: 1 for a parameter given no annotation (a Tensor by
                                 * default, named in compile errors); NULL when none */
    PtsUnit **held_units;       /* units a graph made outside them borrows from (a frozen module's
                                 * methods inline other units' functions): retained, released with f */
    int nheld_units;
} PtsFunction;

PTS_INTERNAL PtsFunction *pts_function_new(const char *name, PtsGraph *g, bool is_method);  /* steals g */
PTS_INTERNAL PtsFunction *pts_function_retain(PtsFunction *f);
/* Set by the interpreter layer to free compiled code. */
PTS_INTERNAL extern void (*pts_code_free_hook)(struct PtsCode *c);
PTS_INTERNAL void pts_function_release(PtsFunction *f);

/* The function as TorchScript source (`def forward(self, x: Tensor) -> Tensor: ...`) appended to b.
 * Tensor constants are appended to const_list (a PTS_V_LIST) and printed as CONSTANTS.cN.
 * with_self_type prints `self: <class>` as archive code files do. */
PTS_INTERNAL PtsStatus pts_function_code(const PtsFunction *f, bool with_self_type, PtsBuf *b,
                                         PtsValue *const_list, PtsError *err);

/* A function as a value (tag PTS_V_HEAP), held by prim::CallFunction in its "fn" attribute
 * (funcref.c). new retains f (borrows it when made while f's unit compiles: the caller belongs to
 * that unit); get returns it borrowed, or NULL when v is not such a value. */
PTS_INTERNAL PtsStatus pts_function_ref_new(PtsFunction *f, PtsError *err, PtsValue *out);
PTS_INTERNAL PtsFunction *pts_function_ref_get(PtsValue v);

/* ================= futures (future.c) =================
 * The value of torch.jit.fork (tag PTS_V_HEAP): completed with a value or an error by the fork,
 * read by aten::wait. A future is immutable once completed; pts_future_wait blocks until then
 * (forks run on the worker pool complete it from another thread). */
typedef struct PtsFuture PtsFuture;
/* A new pending future (owned value). */
PTS_INTERNAL PtsStatus pts_future_new(PtsError *err, PtsValue *out);
/* Complete f with a value (stolen) or with the error in e (its message copied). Once only. */
PTS_INTERNAL void pts_future_set_value(PtsValue f, PtsValue v);
PTS_INTERNAL void pts_future_set_error(PtsValue f, const PtsError *e);
/* Is v a future? */
PTS_INTERNAL bool pts_is_future(PtsValue v);
PTS_INTERNAL bool pts_future_done(PtsValue f);
/* Wait for f; its value (owned) to *out, or its error raised as torch raises it at wait
 * (RuntimeError). */
PTS_INTERNAL PtsStatus pts_future_wait(PtsValue f, PtsError *err, PtsValue *out);
/* The same, the error raised with its own code and message (eager Python tasks, csrc/python). */
PTS_INTERNAL PtsStatus pts_future_wait_raw(PtsValue f, PtsError *err, PtsValue *out);
/* A future computed by fn(ctx): queued on the inter-op pool (a fork), or, lazy, run at the first
 * wait (an Await[T]). fn runs once, on a worker or inline in a waiter, under the grad mode of the
 * thread calling this; drop(ctx) (may be NULL) frees ctx after it ran or when it never will. */
typedef PtsStatus (*PtsFutureTaskFn)(void *ctx, PtsError *err, PtsValue *out);
typedef void (*PtsFutureCtxFree)(void *ctx);
PTS_INTERNAL PtsStatus pts_future_task(PtsFutureTaskFn fn, void *ctx, PtsFutureCtxFree drop, bool lazy,
                                       PtsError *err, PtsValue *out);
/* Await[T]: is v one; a completed one holding v (stolen) (torch.jit._awaitable_nowait). */
PTS_INTERNAL bool pts_is_await(PtsValue v);
PTS_INTERNAL PtsStatus pts_await_new(PtsError *err, PtsValue *out);   /* pending, no task */
PTS_INTERNAL PtsStatus pts_await_nowait(PtsValue v, PtsError *err, PtsValue *out);
/* Around a blocking wait (set by the Python layer: releases the GIL when this thread holds it). */
PTS_INTERNAL extern void *(*pts_future_block_begin)(void);
PTS_INTERNAL extern void (*pts_future_block_end)(void *state);
/* Called on the thread where a task failed (set by the Python layer: drops the Python exception a
 * PythonOp of the task kept for that thread, so that wait raises the same error wherever the task
 * ran, as torch's RuntimeError). */
PTS_INTERNAL extern void (*pts_future_task_failed)(void);

/* ================= objects ================= */
typedef struct PtsObject {
    PtsHeap h;
    PtsClassType *cls;          /* +1 */
    int nslots;
    PtsValue slots[];           /* owned values, one per class attribute */
} PtsObject;
PTS_INTERNAL PtsStatus pts_object_new(PtsClassType *cls, PtsError *err, PtsValue *out);
static inline PtsObject *pts_as_object(PtsValue v) { return (PtsObject *)v.u.h; }

/* ================= enums (enum.c) =================
 * An enum member as a value (tag PTS_V_HEAP, told apart by its destroy function, as funcref.c):
 * its enum type (+1; the type's name is the class's qualified name, owned by the type, so it stays
 * valid whatever happens to the class), the member name and its raw value. Members are equal when
 * their class names and member names are. */
PTS_INTERNAL PtsStatus pts_enum_member(PtsClassType *cls, int i, PtsError *err, PtsValue *out);
PTS_INTERNAL PtsStatus pts_enum_value_new(PtsType *type, const char *name, PtsValue value, PtsError *err,
                                          PtsValue *out);   /* retains type, value */
PTS_INTERNAL bool pts_enum_get(PtsValue v, const PtsType **type, const char **name, PtsValue *value);
static inline bool pts_is_enum_type(const PtsType *t) { return t->kind == PTS_TY_CLASS && t->cls && t->cls->is_enum; }
/* Make cls an enum with these members (values borrowed, retained); checks torch's rules: at least
 * one member, values all int, all float or all str (PTS_ERR_COMPILE otherwise, torch's words). */
PTS_INTERNAL PtsStatus pts_enum_define(PtsClassType *cls, int n, const char *const *names, const PtsValue *values,
                                       PtsError *err);
/* the type of the members' values (int, float or str), borrowed */
PTS_INTERNAL PtsType *pts_enum_value_type(const PtsClassType *cls);
PTS_INTERNAL int pts_enum_find(const PtsClassType *cls, const char *name);

/* ================= registry index (opindex.c) ================= */
/* The registry rows whose schema name is the first n bytes of name ("add"), in row order: sets
 * *rows to them and returns how many; -1 when the registry could not be initialised. */
PTS_INTERNAL int pts_op_rows_named(const char *name, size_t n, const int **rows);

#endif
