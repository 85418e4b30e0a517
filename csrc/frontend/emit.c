/* emit.c: AST -> typed SSA IR (the last stage of the front end). One pass over a `def`: every
 * expression is type-checked as it is lowered, locals are SSA values tracked in a scope chain,
 * `if` becomes prim::If whose outputs are the variables both branches define, `for ... in
 * range(...)` and `while` become prim::Loop carrying the variables the body reassigns, calls are
 * matched against the op registry's schemas (overloads in row order, first without and then with
 * implicit conversions), module attributes become prim::GetAttr and submodule/method calls
 * prim::CallMethod. return/break/continue are marker nodes that the exit transform
 * (csrc/ir/exit_transform.c) turns into "exited" flags and guarded blocks, as TorchScript does.
 * Errors are PTS_ERR_COMPILE with the offending node's range. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"
#include "../interp/interp.h"
#include "../ops/complex.h"
#include "../ir/tnames.h"
#include "hints.h"

#define PTS_MAX_GRAPH_VALUES (1 << 18)   /* values in one compiled graph (duplicated continuations) */
#define PTS_MAX_EXIT_NEST 2000           /* ifs with return/break/continue continued one inside another */

/* {==================== state ==================== */
typedef struct Var {
    const char *name;            /* arena */
    PtsIrValue *v;               /* current value; NULL when not defined on every path */
    const PtsType *decl;         /* the variable's type, fixed by its first assignment */
    const char *undef;           /* why v is NULL (message), arena */
    bool refined;                /* only an Optional refinement (`x is not None`), not an assignment */
    bool annotated;              /* bound by `x: T = v`: the variable is a T, not v's narrower type */
    bool loop_only;              /* bound here only by loops' outputs: torch's frame for this scope
                                  * does not define it (tnames) */
    struct Var *next;            /* older binding in the same scope */
} Var;

typedef struct Scope {
    Var *vars;                   /* bindings made in this scope, newest first */
    struct Scope *parent;
} Scope;

/* the innermost loop being emitted: its carried variables, which every path through the body
 * must hand to the next iteration (break/continue paths included) */
typedef struct LoopCtx {
    const char *const *names;
    const PtsType *const *types;
    int n;
    /* a while loop's condition (not `while True`): as torch inlines it at each continue and at
     * the end of the body, every path that keeps looping evaluates it itself */
    const PtsAst *while_cond;
    PtsBlock *body;              /* the loop's body block */
    /* what a continue hands on as the condition: a for loop's `true` (made before the loop,
     * torch's condition block reads it from outside), or the `True` of `while True:` (torch
     * clones the condition block's constant, with that literal's range) */
    PtsIrValue *for_true;
    const PtsAst *true_at;
} LoopCtx;

typedef struct CompileCtx {
    const char *names[PTS_MAX_COMPILE_NEST];  /* methods being compiled, outermost first */
    int n;
} CompileCtx;

typedef struct Emitter {
    const PtsSource *src;
    PtsArena *a;
    PtsError *err;
    const PtsResolver *res;
    CompileCtx *cc;
    PtsGraph *g;
    PtsBlock *blk;               /* insertion block */
    Scope *scope;                /* innermost scope */
    PtsClassType *cls;           /* the class of a method, else NULL */
    PtsIrValue *self_v;          /* %self of a method */
    const char *file;            /* graph-interned file name for node ranges */
    const PtsType *ret_decl;     /* annotated return type, or NULL */
    /* the type torch's emitter passes down as type_hint to the expression hint_at (`y: T = e`,
     * annotate(T, e), `return e` under an annotated return, both arms of a conditional); only
     * x.tolist() reads it (emit_hinted) */
    const PtsAst *hint_at;
    const PtsType *hint;
    PtsType **pool;              /* types this emitter owns (annotations, containers) */
    int npool, cap_pool;
    int loop_depth;              /* loops around the current statement */
    const LoopCtx *loop;         /* the innermost loop, or NULL */
    int exit_nest;               /* unrolled loops nested, bounded */
    /* the next emit_loop's item of iteration i (for over lists, dicts, zip...), NULL for range */
    struct PtsIrValue *(*for_item)(struct Emitter *E, PtsIrValue *i, const void *arg, const PtsAst *at);
    const void *for_item_arg;
    /* the latest empty list literals `[]`: typed List[Tensor], but an argument of any list type
     * of a builtin op, as in TorchScript (torch.zeros([])) */
    PtsIrValue *empty_lits[8];
    unsigned empty_next;
    /* the parameters given no annotation (Tensor by default: "Tensor (inferred)" in messages) */
    PtsIrValue *inferred[PTS_MAX_CALL_ARGS];
    int ninferred;
    /* ids of the values of unhinted `[]` literals: torch emits them as prim::EmptyListLiteral and
     * later replaces each with a fresh prim::ListConstruct, without name or source range */
    int *bare_ids;
    int nbare, cap_bare;
    /* returns inside loops (see "returns inside loops"): the type the first emission of the
     * outermost such loop found for the returned values, and whether that emission runs */
    const PtsType *merged_ret;   /* the join of the types returned so far (no annotation) */
    bool unrolled;               /* in the body of an unrolled loop (over a tuple or modules) */
    /* the iterable of the for statement being emitted, evaluated once by static_seq to see whether
     * it is a tuple: build_iter takes it from here */
    const PtsAst *pre_it_ast;
    PtsIrValue *pre_it_v;
    /* list(range/zip/enumerate(...)): the iterable evaluated before the list is made, as torch's
     * prim::list special form does; build_iter of that AST takes it */
    const PtsAst *pre_iter_ast;
    const struct Iter *pre_iter;
    const PtsAst *iter_at;       /* the for statement whose iterable build_iter is evaluating */
    struct ForkClosure *fork_closures;   /* archive code's nested defs passed to fork() (emit_fork.inc) */
    /* torch's value names (tnames.h): the naming events of torch's frontend, in its order; ns_off
     * silences re-emissions torch does not make (a while condition at the end of the body) */
    PtsNameSim *ns;
    int ns_off;
    bool tn_chain;                       /* binding the targets of `a = b = e` (torch: fresh loads) */
    uint8_t *tn_read;                    /* value id -> read from a variable (torch: a named load) */
    int tn_nread;
    struct { PtsValue k; bool named; } tn_consts[32];   /* torch's shared int/float literal constants */
    int tn_nconst;
    /* int, float and complex literals: one constant per value at the top of the graph, made by
     * the first literal with that value (torch's materializeConstant) */
    PtsIrValue **lits;
    int nlits, cap_lits;
    PtsIrValue **brk_false;      /* the false constants of breaks (emit_loop_continuation) */
    int nbrk, cap_brk;
    uint8_t *tn_outs;                    /* value id -> If/Loop output of a variable (name_output) */
    int tn_nouts;
    struct TnWhile *tn_whiles;           /* while loops: the names their condition gave (arena list) */
} Emitter;

/* sugared values: what a name or attribute denotes before it is used */
typedef enum { SV_VALUE, SV_NS, SV_BUILTIN, SV_OPFN, SV_METHOD, SV_FUNCTION, SV_CLASS } SvKind;
typedef struct Sv {
    int kind;                    /* SvKind */
    PtsIrValue *v;               /* VALUE: the value; METHOD: the receiver; CLASS: the class
                                  * type, stored by class_sv, read by sv_type (emit_class.inc) */
    const char *name;            /* NS: module path; BUILTIN/OPFN/METHOD/FUNCTION: function name */
    const char *path;            /* NS: the dotted name as written ("pyts.nn.functional");
                                  * FUNCTION: the name the resolver knows it by;
                                  * CLASS: "__new__" for Cls.__new__, else NULL */
} Sv;

/* how a statement list ends: falls through, returns (*ret), raises, or (in a loop body) breaks,
 * continues, or reaches the end of the iteration through paths that decided differently
 * (EXIT_LOOPEND, *ret = the bool "keep looping" flag) */
typedef enum { EXIT_NONE, EXIT_RETURN, EXIT_RAISE, EXIT_BREAK, EXIT_CONTINUE, EXIT_LOOPEND } ExitKind;

/* statements still to emit after the current block: the rest of an enclosing block */
typedef struct Cont {
    const PtsAst *block;
    int start;
    const struct Cont *next;
    const struct Unroll *unroll; /* set: iterations start.. of this unrolled loop (block unused) */
} Cont;
/* }==================== */

/* {==================== helpers ==================== */
#define EFAIL_MAX 1536   /* bytes of a message before its location (as pts_src_fail keeps) */
static void *efail(Emitter *E, const PtsAst *at, const char *fmt, ...) PTS_PRINTF(3, 4);
static void *efail(Emitter *E, const PtsAst *at, const char *fmt, ...) {
    char msg[EFAIL_MAX];   /* torch's "Arguments for call are not valid" lists can pass 1000 bytes */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pts_utf8_trim(msg);
    if (at) pts_src_fail(E->err, E->src, PTS_ERR_COMPILE, at->line, at->col, at->end_line, at->end_col, "%s", msg);
    else pts_fail(E->err, PTS_ERR_COMPILE, "%s", msg);
    return NULL;
}

/* The C stack the emitter may use below the outermost compile: an expression nested past it (a
 * chain of thousands of method calls, a sum of tens of thousands of terms: the parser bounds
 * brackets and blocks, not such chains) fails with a CompileError instead of overflowing the
 * stack. Python itself gives up earlier on most such sources (RecursionError). */
#define EMIT_STACK_BUDGET ((uintptr_t)6 << 20)   /* of the usual 8 MB thread stack */
static _Thread_local uintptr_t emit_stack_top;

static bool stack_ok(Emitter *E, const PtsAst *at) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (!emit_stack_top || here >= emit_stack_top || emit_stack_top - here < EMIT_STACK_BUDGET) return true;
    if (!E->err->code) efail(E, at, "expression nested too deeply to compile (split it into several statements)");
    return false;
}

static void *oom(Emitter *E) {
    pts_fail(E->err, PTS_ERR_NOMEM, "out of memory");
    return NULL;
}

/* take ownership of t (a fresh reference); borrowed until the emitter ends */
static PtsType *keep(Emitter *E, PtsType *t) {
    if (!t) return oom(E);
    if (E->npool == E->cap_pool) {
        int cap = E->cap_pool ? E->cap_pool * 2 : 32;
        PtsType **p = pts_realloc(E->pool, sizeof *p * (size_t)cap);
        if (!p) { pts_type_release(t); return oom(E); }
        E->pool = p;
        E->cap_pool = cap;
    }
    E->pool[E->npool++] = t;
    return t;
}

static PtsType *ty(PtsTypeKind k) { return pts_type_get(k); }
static PtsType *R(const PtsType *t) { return pts_type_retain((PtsType *)t); }

/* a type as an annotation ("Optional[int]"), arena string for messages */
static const char *tstr(Emitter *E, const PtsType *t) {
    PtsBuf b;
    pts_buf_init(&b);
    /* an enum reads Enum<__torch__.Color> in torch's messages (its repr_str), List[__torch__.Color] inside */
    pts_type_print(&b, t, !pts_is_enum_type(t));
    const char *s = b.data ? pts_arena_strndup(E->a, b.data, b.len) : "?";
    pts_buf_free(&b);
    return s ? s : "?";
}

static void set_range(Emitter *E, PtsNode *n, const PtsAst *at) {
    if (!at) return;
    n->range.file = E->file;
    n->range.line = at->line;
    n->range.col = at->col;
    n->range.end_line = at->end_line;
    n->range.end_col = at->end_col;
}

/* the range of a node inlined from one of torch's builtin functions, which torch compiles from
 * its own source ("<string>"): line and 0-based column as its graphs print them */
static void builtin_range(Emitter *E, PtsNode *n, int line, int col) {
    if (!n) return;
    memset(&n->range, 0, sizeof n->range);
    if (!(n->range.file = pts_graph_intern(E->g, "<string>"))) return;
    n->range.line = n->range.end_line = line;
    n->range.col = col + 1;
    n->range.end_col = col + 2;
}

/* the nodes torch's frontend makes with Graph::create and inserts without a source range
 * (containers, unpacking, refinement casts, attribute reads): printed without `# file:line:col` */
static bool torch_unranged(int kind) {
    switch (kind) {
    case PTS_KIND_PRIM(PTS_PRIM_LISTCONSTRUCT): case PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT):
    case PTS_KIND_PRIM(PTS_PRIM_DICTCONSTRUCT): case PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK):
    case PTS_KIND_PRIM(PTS_PRIM_UNCHECKED_CAST): case PTS_KIND_PRIM(PTS_PRIM_ISINSTANCE):
    case PTS_KIND_PRIM(PTS_PRIM_GETATTR): case PTS_KIND_PRIM(PTS_PRIM_TOLIST):
        return true;
    default: return false;
    }
}

/* a node in the insertion block; out_types are fresh references (stolen, also on failure) */
static PtsNode *mk(Emitter *E, int kind, int nin, PtsIrValue *const *ins, int nout, PtsType **otypes,
                   const PtsAst *at) {
    if (E->g->next_value_id > PTS_MAX_GRAPH_VALUES) {
        for (int i = 0; i < nout; i++) pts_type_release(otypes[i]);
        return efail(E, at, "function too large to compile (more than %d values)", PTS_MAX_GRAPH_VALUES);
    }
    for (int i = 0; i < nout; i++)
        if (!otypes[i]) {
            for (int k = 0; k < nout; k++) pts_type_release(otypes[k]);
            return oom(E);
        }
    PtsNode *n = pts_node_new(E->g, E->blk, kind, nin, ins, nout, otypes);
    if (!n) return oom(E);
    if (!torch_unranged(kind)) set_range(E, n, at);
    return n;
}

static PtsIrValue *mk1(Emitter *E, int kind, int nin, PtsIrValue *const *ins, PtsType *otype, const PtsAst *at) {
    PtsNode *n = mk(E, kind, nin, ins, 1, &otype, at);
    return n ? n->outputs[0] : NULL;
}

static bool set_name_attr(Emitter *E, PtsNode *n, const char *name) {
    PtsValue s;
    if (pts_str_new(name, strlen(name), E->err, &s)) return false;
    return pts_node_set_attr(E->g, n, "name", PTS_AV_STR, s, NULL, E->err) == PTS_OK;
}

static PtsIrValue *konst(Emitter *E, PtsValue v, const PtsAst *at) {
    if (E->g->next_value_id > PTS_MAX_GRAPH_VALUES) {
        pts_value_release(&v);
        return efail(E, at, "function too large to compile (more than %d values)", PTS_MAX_GRAPH_VALUES);
    }
    PtsIrValue *c = pts_graph_constant(E->g, E->blk, v);
    if (!c) return oom(E);
    set_range(E, c->node, at);
    return c;
}
/* a literal's value: the constant an earlier literal of the same value made, else a new one
 * before the first node of the graph (torch's materializeConstant: literals are inserted at the
 * graph's front, strings and bools where they are used) */
static bool lit_same(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    if (a.tag == PTS_V_INT) return a.u.i == b.u.i;
    if (a.tag == PTS_V_DOUBLE) return a.u.d == b.u.d;
    if (a.tag == PTS_V_COMPLEX) return pts_as_complex(a)->re == pts_as_complex(b)->re && pts_as_complex(a)->im == pts_as_complex(b)->im;
    return false;
}
static PtsIrValue *lit_const(Emitter *E, PtsValue v, const PtsAst *at) {
    for (int i = 0; i < E->nlits; i++) {
        const PtsNodeAttr *a = pts_node_attr(E->lits[i]->node, "value");
        if (a && a->kind == PTS_AV_IVALUE && lit_same(a->v, v)) {
            pts_value_release(&v);
            return E->lits[i];
        }
    }
    if (E->nlits == E->cap_lits) {
        int cap = E->cap_lits ? E->cap_lits * 2 : 16;
        PtsIrValue **l = pts_realloc(E->lits, sizeof *l * (size_t)cap);
        if (!l) { pts_value_release(&v); return oom(E); }
        E->lits = l;
        E->cap_lits = cap;
    }
    PtsBlock *saved = E->blk;
    E->blk = E->g->top;
    PtsIrValue *c = konst(E, v, at);
    E->blk = saved;
    if (!c) return NULL;
    if (E->g->top->first != c->node) pts_node_move_before(c->node, E->g->top->first);
    E->lits[E->nlits++] = c;
    return c;
}

static bool note_break_false(Emitter *E, PtsIrValue *c) {
    if (E->nbrk == E->cap_brk) {
        int cap = E->cap_brk ? E->cap_brk * 2 : 8;
        PtsIrValue **l = pts_realloc(E->brk_false, sizeof *l * (size_t)cap);
        if (!l) return oom(E), false;
        E->brk_false = l;
        E->cap_brk = cap;
    }
    E->brk_false[E->nbrk++] = c;
    return true;
}

static PtsIrValue *cint(Emitter *E, int64_t i, const PtsAst *at) { return konst(E, pts_vint(i), at); }
static PtsIrValue *cbool(Emitter *E, bool b, const PtsAst *at) { return konst(E, pts_vbool(b), at); }
static PtsIrValue *cnone(Emitter *E, const PtsAst *at) { return konst(E, pts_none(), at); }

static bool is_num(const PtsType *t) { return t->kind == PTS_TY_INT || t->kind == PTS_TY_FLOAT; }

/* give a value the name of the variable it is bound to, as TorchScript does: only values made in
 * the current block that have no name yet */
static void tn_assign(Emitter *E, PtsIrValue *v, const char *name);
static void tn_store(Emitter *E, const char *name);
static void name_value(Emitter *E, PtsIrValue *v, const char *name) {
    tn_assign(E, v, name);
    if (v->name || strcmp(name, "_") == 0 || name[0] == '$') return;   /* '$': compiler temporaries */
    PtsBlock *home = v->node ? v->node->owner : v->param_of;
    if (home != E->blk) return;
    pts_value_set_name(E->g, v, name);
}
/* an If or Loop output: torch names those after emission (tn_control_flow) */
static void name_output(Emitter *E, PtsIrValue *v, const char *name) {
    if (v->name || strcmp(name, "_") == 0 || name[0] == '$') return;
    pts_value_set_name(E->g, v, name);
    if (v->id >= E->tn_nouts) {
        int n = v->id * 2 + 64;
        uint8_t *r = pts_realloc(E->tn_outs, (size_t)n);
        if (!r) return;
        memset(r + E->tn_nouts, 0, (size_t)(n - E->tn_nouts));
        E->tn_outs = r;
        E->tn_nouts = n;
    }
    E->tn_outs[v->id] = 1;
}

/* {==== torch's naming events (tnames.h) ====
 * During emission, in source order: parameters, the output of every prim::Load torch emits for a
 * variable read (erased later, but holding the name meanwhile), values bound to a variable
 * (Environment::setSugaredVar), GetAttr outputs. After it, ConvertToSSA's: If outputs and Loop
 * block inputs/outputs per variable (sorted names, inner nodes first), then the clones of while
 * conditions (InlineLoopCondition). Temporaries keep their numbers (not torch's: torch counts the
 * values it creates and erases). */
typedef struct TnWhile {
    const PtsNode *loop;
    int h0, h1;                  /* holders the condition's emission made */
    struct TnWhile *next;
} TnWhile;

static void tn_name(Emitter *E, PtsIrValue *v, const char *name) {
    if (E->ns && !E->ns_off && pts_namesim_meaningful(name)) (void)pts_namesim_set(E->ns, v, name);
}

/* a variable read: torch's value is a named prim::Load */
static void tn_load(Emitter *E, PtsIrValue *v, const char *name) {
    tn_name(E, NULL, name);
    /* a compiler temporary's load has no name: the assignment it feeds names it */
    if (!E->ns || v->id < 0 || !pts_namesim_meaningful(name)) return;
    if (v->id >= E->tn_nread) {
        int n = v->id * 2 + 64;
        uint8_t *r = pts_realloc(E->tn_read, (size_t)n);
        if (!r) return;
        memset(r + E->tn_nread, 0, (size_t)(n - E->tn_nread));
        E->tn_read = r;
        E->tn_nread = n;
    }
    E->tn_read[v->id] = 1;
}

/* Environment::setSugaredVar names the value when it has no name yet and was made in the current
 * block. torch's value is a load (named) when read from a variable; int and float literals are
 * one constant per value at the top of the graph (materializeConstant), named by the first
 * top-level assignment only. */
static void tn_assign(Emitter *E, PtsIrValue *v, const char *name) {
    if (!E->ns || !pts_namesim_meaningful(name)) return;
    if (E->tn_chain) { tn_name(E, NULL, name); return; }   /* `a = b = e`: a = load($tmp) */
    if ((v->id >= 0 && v->id < E->tn_nread && E->tn_read[v->id]) || pts_namesim_has(E->ns, v)) return;
    PtsBlock *home = v->node ? v->node->owner : v->param_of;
    if (v->node && v->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT)) {
        const PtsNodeAttr *a = pts_node_attr(v->node, "value");
        if (a && a->kind == PTS_AV_IVALUE && (a->v.tag == PTS_V_INT || a->v.tag == PTS_V_DOUBLE)) {
            int k;
            for (k = 0; k < E->tn_nconst; k++)
                if (E->tn_consts[k].k.tag == a->v.tag &&
                    (a->v.tag == PTS_V_INT ? E->tn_consts[k].k.u.i == a->v.u.i
                                           : memcmp(&E->tn_consts[k].k.u.d, &a->v.u.d, sizeof(double)) == 0)) break;
            if (k < E->tn_nconst && E->tn_consts[k].named) return;
            if (E->blk != E->g->top) return;
            if (k == E->tn_nconst && k < 32) E->tn_consts[E->tn_nconst++].k = a->v;
            if (k < 32) E->tn_consts[k].named = true;
            home = E->g->top;
        }
    }
    if (home != E->blk) return;
    tn_name(E, v, name);
}

/* a variable the frames around the current one define, as torch's Environment finds it (a
 * module is a sugared value there, not loaded) */
static bool tn_outer_var(const Scope *from, const char *name) {
    for (const Scope *s = from; s; s = s->parent)
        for (const Var *v = s->vars; v; v = v->next)
            if (!v->loop_only && strcmp(v->name, name) == 0)
                return v->v && !(v->v->type->kind == PTS_TY_CLASS && v->v->type->cls->is_module);
    return false;
}

/* the frame of scope s defines name (an assignment there, not only a loop's output) */
static bool tn_frame_def(const Scope *s, const char *name) {
    for (const Var *w = s->vars; w; w = w->next)
        if (!w->loop_only && strcmp(w->name, name) == 0) return true;
    return false;
}

/* Environment::setSugaredVar looks the name up in the enclosing frames (findInParentFrame): a
 * load there when they define it */
static void tn_store(Emitter *E, const char *name) {
    if (E->scope && tn_outer_var(E->scope->parent, name)) tn_name(E, NULL, name);
}

/* emitIfElseBlocks after both branches: a variable one branch defines is looked up from the
 * other branch's frame (a load when found there or around), and each variable both define
 * (mutated) is read in each branch that does not exit */
static void tn_if_loads(Emitter *E, Scope *const sc[2], const bool exits[2]) {
    for (int k = 0; k < 2; k++)
        for (const Var *v = sc[k]->vars; v; v = v->next) {
            if (v->loop_only) continue;
            bool dup = false;
            for (const Var *w = sc[k]->vars; w != v; w = w->next) dup = dup || (!w->loop_only && strcmp(w->name, v->name) == 0);
            if (k == 1) dup = dup || tn_frame_def(sc[0], v->name);
            if (dup) continue;
            bool def[2] = { tn_frame_def(sc[0], v->name), tn_frame_def(sc[1], v->name) };
            bool mutated = false;
            int loads = 0;
            for (int j = 0; j < 2; j++) {
                if (!def[j]) continue;
                /* seen from the other branch: its own binding, else the enclosing frames */
                bool found = def[1 - j] || tn_outer_var(E->scope, v->name);
                loads += found;
                mutated = mutated || found || exits[1 - j];
            }
            /* both branches' values, then the enclosing frames' (its type joins them) */
            if (mutated) loads += !exits[0] + !exits[1] + tn_outer_var(E->scope, v->name);
            for (int i = 0; i < loads; i++) tn_name(E, NULL, v->name);
        }
}

static int tn_cmp(const void *a, const void *b) {
    const PtsIrValue *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void tn_control_flow(Emitter *E, const PtsBlock *b) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) tn_control_flow(E, n->blocks[i]);
        bool is_if = n->kind == PTS_KIND_PRIM(PTS_PRIM_IF), is_loop = n->kind == PTS_KIND_PRIM(PTS_PRIM_LOOP);
        if (!is_if && !is_loop) continue;
        PtsIrValue *outs[512];
        int k = 0;
        for (int i = 0; i < n->noutputs && k < 512; i++)
            if (n->outputs[i]->name && pts_namesim_meaningful(n->outputs[i]->name) && n->outputs[i]->id < E->tn_nouts &&
                E->tn_outs[n->outputs[i]->id])
                outs[k++] = n->outputs[i];
        qsort(outs, (size_t)k, sizeof *outs, tn_cmp);
        for (int i = 0; i < k; i++) {
            int o = outs[i]->offset;
            /* a loop-carried variable: the body's input first (Block::addInput(name)) */
            if (is_loop && n->nblocks && o + 1 < n->blocks[0]->ninputs)
                (void)pts_namesim_set(E->ns, n->blocks[0]->inputs[o + 1], outs[i]->name);
            (void)pts_namesim_set(E->ns, outs[i], outs[i]->name);
        }
    }
}

static void tn_while_clones(Emitter *E, const PtsBlock *b) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) tn_while_clones(E, n->blocks[i]);
        for (const TnWhile *w = E->tn_whiles; w; w = w->next) {
            if (w->loop != n) continue;
            /* Block::cloneFrom: each value's name copied twice, renaming the original twice */
            for (int h = w->h0; h < w->h1; h++)
                (void)pts_namesim_copy_holder(E->ns, pts_namesim_copy_holder(E->ns, -1, h), h);
        }
    }
}

/* after emission: ConvertToSSA's names, then the final names onto the graph */
/* values the compiler named that torch leaves unnamed (a literal bound inside a block) */
static void tn_unname(const PtsNameSim *ns, PtsBlock *b) {
    for (int i = 0; i < b->ninputs; i++)
        if (!pts_namesim_has(ns, b->inputs[i])) b->inputs[i]->name = NULL;
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++)
            if (!pts_namesim_has(ns, n->outputs[i])) n->outputs[i]->name = NULL;
        for (int i = 0; i < n->nblocks; i++) tn_unname(ns, n->blocks[i]);
        /* a lifted fork's inputs take the captured values' names (torch's copyMetadata) */
        if ((n->kind == PTS_KIND_PRIM(PTS_PRIM_FORK) || n->kind == PTS_KIND_PRIM(PTS_PRIM_AWAITABLE)) && n->nblocks == 1 &&
            n->blocks[0]->ninputs == n->ninputs)
            for (int i = 0; i < n->ninputs; i++) {
                n->blocks[0]->inputs[i]->name = n->inputs[i]->name;
                n->blocks[0]->inputs[i]->name_suffix = n->inputs[i]->name_suffix;
            }
    }
}

/* torch's LoopContinuations: a `continue` in a while loop clones the loop's condition there
 * (Block::cloneFrom: each value's name copied twice, renaming the original twice) */
static void tn_continue_clones(Emitter *E, const PtsBlock *b, const PtsNode *loop) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_LOOP_CONTINUATION) && loop && n->ninputs) {
            const PtsNode *c = n->inputs[0]->node;
            const PtsNodeAttr *a = c && c->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT) ? pts_node_attr(c, "value") : NULL;
            if (a && a->v.tag == PTS_V_BOOL && !a->v.u.b) continue;   /* break */
            for (const TnWhile *w = E->tn_whiles; w; w = w->next)
                if (w->loop == loop)
                    for (int h = w->h0; h < w->h1; h++)
                        (void)pts_namesim_copy_holder(E->ns, pts_namesim_copy_holder(E->ns, -1, h), h);
        }
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_IF))
            for (int i = 0; i < n->nblocks; i++) tn_continue_clones(E, n->blocks[i], loop);
        else if (n->kind == PTS_KIND_PRIM(PTS_PRIM_LOOP) && n->nblocks)
            tn_continue_clones(E, n->blocks[0], n);
    }
}

/* the names torch gives before its exit transform (which names through the same simulation) */
static void tn_finish(Emitter *E) {
    if (!E->ns) return;
    tn_control_flow(E, E->g->top);
    tn_continue_clones(E, E->g->top, NULL);
    tn_while_clones(E, E->g->top);
    pts_namesim_erase_unbound(E->ns);   /* EraseLoadStores */
}

/* after the exit transform: the final names onto the graph */
static void tn_unname_bare(Emitter *E, PtsBlock *b) {
    for (PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) tn_unname_bare(E, n->blocks[i]);
        if (n->kind != PTS_KIND_PRIM(PTS_PRIM_LISTCONSTRUCT) || n->ninputs || n->noutputs != 1) continue;
        for (int k = 0; k < E->nbare; k++)
            if (E->bare_ids[k] == n->outputs[0]->id) {
                n->outputs[0]->name = NULL;
                memset(&n->range, 0, sizeof n->range);
                break;
            }
    }
}

static void tn_apply(Emitter *E) {
    if (E->ns && pts_namesim_apply(E->ns, E->g)) tn_unname(E->ns, E->g->top);
    if (E->nbare) tn_unname_bare(E, E->g->top);
}
/* }==== */
/* }==================== */

/* {==================== scopes ==================== */
static Var *lookup(Emitter *E, const char *name) {
    for (Scope *s = E->scope; s; s = s->parent)
        for (Var *v = s->vars; v; v = v->next)
            if (strcmp(v->name, name) == 0) return v;
    return NULL;
}

static Var *lookup_local(Scope *s, const char *name) {
    for (Var *v = s->vars; v; v = v->next)
        if (strcmp(v->name, name) == 0) return v;
    return NULL;
}

static bool set_var(Emitter *E, const char *name, PtsIrValue *v, const PtsType *decl, const char *undef) {
    Var *x = lookup_local(E->scope, name);
    if (!x) {
        x = pts_arena_alloc(E->a, sizeof *x);
        if (!x) return oom(E), false;
        x->name = name;
        x->next = E->scope->vars;
        E->scope->vars = x;
    }
    x->v = v;
    x->decl = decl;
    x->undef = undef;
    x->refined = false;
    x->annotated = false;
    x->loop_only = false;
    return true;
}

static bool push_scope(Emitter *E) {
    Scope *s = pts_arena_alloc(E->a, sizeof *s);
    if (!s) return oom(E), false;
    s->parent = E->scope;
    E->scope = s;
    return true;
}
static void pop_scope(Emitter *E) { E->scope = E->scope->parent; }

/* the type a variable has now, as TorchScript: the type of the value last assigned (`y = 3` makes an
 * Optional[int] variable an int until a join), or the annotation after `y: T = v` */
static const PtsType *var_type(const Var *x) { return x->annotated && x->decl ? x->decl : x->v->type; }

#include "emit_hints.inc"

/* the binding of name in the blocks enclosing the current one (torch's findInParentFrame); NULL
 * when there is none or it holds no value */
static Var *lookup_parent(Emitter *E, const char *name) {
    for (Scope *s = E->scope->parent; s; s = s->parent) {
        Var *v = lookup_local(s, name);
        if (v) return v->v && !v->loop_only ? v : NULL;
    }
    return NULL;
}

static PtsIrValue *assign_convert(Emitter *E, const PtsType *pt, PtsIrValue *v, const PtsAst *at);

/* bind name to v, as torch's Environment::setSugaredVar: a name already bound in an enclosing
 * block (outside the if or loop) keeps the type it has there, the value converted to it where
 * torch converts (a Tensor to an int or float, a tuple to a list); within one block a name may be
 * rebound to a value of any type */
static bool bind(Emitter *E, const char *name, PtsIrValue *v, const PtsAst *at) {
    Var *parent = lookup_parent(E, name);
    if (parent) {
        const PtsType *pt = var_type(parent);
        PtsIrValue *orig = v;
        if (!(v = assign_convert(E, pt, v, at))) return false;
        if (v != orig) name_value(E, orig, name);   /* torch names the value before converting it */
        if (!pts_type_subtype(v->type, pt)) {
            efail(E, at, "Variable '%s' previously had type %s but is now being assigned to a value of type %s%s",
                  name, tstr(E, pt), tstr(E, v->type), hint_rebind(E, name, parent->v, pt, v->type));
            return false;
        }
    }
    const PtsType *decl = v->type;
    /* a `[]` bound to a variable is a List[Tensor], no longer a literal for op arguments */
    for (int k = 0; k < 8; k++)
        if (E->empty_lits[k] == v) E->empty_lits[k] = NULL;
    name_value(E, v, name);
    tn_store(E, name);
    return set_var(E, name, v, decl, NULL);
}
/* }==================== */

/* {==================== types from annotations ==================== */
static const PtsType *parse_type(Emitter *E, const PtsAst *n);
/* script classes and NamedTuples (emit_class.inc) */
static const PtsType *class_annotation(Emitter *E, const PtsAst *n, bool *bad);
static bool class_sv(Emitter *E, PtsResolved *r, Sv *out);
static bool class_attr_sv(Emitter *E, const Sv *base, const char *name, const PtsAst *at, Sv *out);
static bool namedtuple_attr(Emitter *E, PtsIrValue *obj, const char *name, const PtsAst *at, Sv *out);
static void *class_no_attr(Emitter *E, const PtsClassType *cls, const char *name, const PtsAst *at);
static PtsIrValue *class_call(Emitter *E, const Sv *callee, const PtsAst *n);
static int class_new_attr(Emitter *E, PtsIrValue *obj, const char *name, const PtsType *vt, const PtsType *decl,
                          const PtsAst *at);
static bool class_declare_attr(Emitter *E, const PtsAst *target, const PtsType *t);
static PtsIrValue *namedtuple_index(Emitter *E, PtsIrValue *x, int64_t k, int64_t written, const PtsAst *ix);
static bool class_property_get(Emitter *E, PtsIrValue *obj, const char *name, const PtsAst *at, Sv *out, bool *handled);
/* magic methods of script-class objects (emit_magic.inc) */
static PtsIrValue *magic_binary(Emitter *E, int op, PtsIrValue *x, PtsIrValue *y, const PtsAst *at, bool *handled);
static PtsIrValue *magic_unary(Emitter *E, int op, PtsIrValue *x, const PtsAst *at, bool *handled);
static PtsIrValue *magic_contains(Emitter *E, int op, PtsIrValue *item, PtsIrValue *box, const PtsAst *at, bool *handled);
static PtsIrValue *magic_cond(Emitter *E, PtsIrValue *v, const PtsAst *at);
static PtsIrValue *magic_getitem(Emitter *E, PtsIrValue *x, const PtsAst *n, bool *handled);
static bool magic_setitem(Emitter *E, PtsIrValue *x, const PtsAst *t, PtsIrValue *v, bool *handled);
static PtsIrValue *magic_getattr(Emitter *E, PtsIrValue *obj, const PtsAst *n);
static PtsIrValue *magic_aug(Emitter *E, int op, PtsIrValue *x, PtsIrValue *y, const PtsAst *at, bool *handled);
static bool class_property_set(Emitter *E, PtsIrValue *obj, const char *name, PtsIrValue *v, const PtsAst *at,
                               bool *handled);

static const char *type_head(const PtsAst *n) {
    if (n->kind == PTS_AST_NAME) return n->str;
    if (n->kind == PTS_AST_ATTR) return n->str;   /* torch.Tensor, typing.List */
    return NULL;
}

/* the key types torch's DictType::create accepts */
static bool dict_key_type_ok(const PtsType *k) {
    switch (k->kind) {
    case PTS_TY_ANY: case PTS_TY_INT: case PTS_TY_BOOL: case PTS_TY_FLOAT: case PTS_TY_COMPLEX: case PTS_TY_STR:
    case PTS_TY_TENSOR: case PTS_TY_DEVICE:
        return true;
    default: return false;
    }
}

static void *bad_dict_key(Emitter *E, const PtsAst *at, const PtsType *k) {
    PtsBuf b;   /* the key type as torch's str() spells it: int[], (int, int), int? */
    pts_buf_init(&b);
    pts_type_print(&b, k, false);
    efail(E, at, "Cannot create dict for key type '%s', only int, float, complex, Tensor, device and string keys are "
          "supported", b.data ? b.data : "?");
    pts_buf_free(&b);
    return NULL;
}

static const PtsType *parse_type(Emitter *E, const PtsAst *n) {
    if (n->kind == PTS_AST_NONE) return ty(PTS_TY_NONE);
    if (n->kind == PTS_AST_BINOP && n->op == PTS_TK_PIPE) {
        /* PEP 604: T | U is Union[T, U] (T | None is Optional[T]) */
        const PtsType *a = parse_type(E, n->kids[0]), *b = a ? parse_type(E, n->kids[1]) : NULL;
        if (!b) return NULL;
        PtsType *ab[2] = { (PtsType *)a, (PtsType *)b };
        return keep(E, pts_type_union(2, ab));
    }
    if (n->kind == PTS_AST_STR) {
        bool bad;
        const PtsType *ct = class_annotation(E, n, &bad);
        if (ct || bad) return ct;
        return efail(E, n, "string type annotations are not supported yet");
    }
    const char *h = type_head(n);
    if (h) {
        static const struct { const char *name; PtsTypeKind k; } simple[] = {
            {"Tensor", PTS_TY_TENSOR}, {"int", PTS_TY_INT}, {"float", PTS_TY_FLOAT}, {"bool", PTS_TY_BOOL},
            {"str", PTS_TY_STR}, {"NoneType", PTS_TY_NONE}, {"Any", PTS_TY_ANY}, {"number", PTS_TY_NUMBER},
            {"device", PTS_TY_DEVICE}, {"Device", PTS_TY_DEVICE}, {"dtype", PTS_TY_INT},   /* ScalarType is an int */
            {"complex", PTS_TY_COMPLEX},
        };
        for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
            if (strcmp(h, simple[i].name) == 0) return ty(simple[i].k);
        bool bad;
        const PtsType *ct = class_annotation(E, n, &bad);
        if (ct || bad) return ct;
        return efail(E, n, "Unknown type name '%s'", h);
    }
    if (n->kind != PTS_AST_SUBSCRIPT || !(h = type_head(n->kids[0])))
        return efail(E, n, "expected a type annotation");
    int nargs = n->n - 1;
    const PtsAst *const *args = (const PtsAst *const *)n->kids + 1;
    /* Tuple[a, b] parses as one index that is a tuple */
    if (nargs == 1 && args[0]->kind == PTS_AST_TUPLE) {
        nargs = args[0]->n;
        args = (const PtsAst *const *)args[0]->kids;
    }
    const PtsType *el[16];
    if (nargs > 16) return efail(E, n, "type annotation with too many arguments");
    for (int i = 0; i < nargs; i++) {
        if (args[i]->kind == PTS_AST_ELLIPSIS) return efail(E, args[i], "Tuple[T, ...] is not supported in TorchScript");
        if (!(el[i] = parse_type(E, args[i]))) return NULL;
    }
    if (strcmp(h, "Optional") == 0) {
        if (nargs != 1) return efail(E, n, "Optional takes one type argument");
        if (el[0]->kind == PTS_TY_OPTIONAL || el[0]->kind == PTS_TY_NONE) return el[0];
        if (el[0]->kind == PTS_TY_UNION) {
            /* Optional[Union[A, B]] is Union[A, B, None] */
            PtsType *un[2] = { (PtsType *)el[0], ty(PTS_TY_NONE) };
            return keep(E, pts_type_union(2, un));
        }
        return keep(E, pts_type_optional((PtsType *)el[0]));
    }
    if (strcmp(h, "List") == 0 || strcmp(h, "list") == 0) {
        if (nargs != 1) return efail(E, n, "List takes one type argument");
        return keep(E, pts_type_list((PtsType *)el[0]));
    }
    if (strcmp(h, "Tuple") == 0 || strcmp(h, "tuple") == 0) {
        /* Tuple[()] is the empty tuple */
        if (nargs == 1 && args[0]->kind == PTS_AST_TUPLE && args[0]->n == 0) nargs = 0;
        return keep(E, pts_type_tuple(nargs, (PtsType *const *)el));
    }
    if (strcmp(h, "Dict") == 0 || strcmp(h, "dict") == 0) {
        if (nargs != 2) return efail(E, n, "Dict takes two type arguments");
        if (!dict_key_type_ok(el[0]))   /* torch's DictType::create */
            return bad_dict_key(E, n, el[0]);
        return keep(E, pts_type_dict((PtsType *)el[0], (PtsType *)el[1]));
    }
    if (strcmp(h, "Future") == 0) {   /* torch.jit.Future[T] (emit_fork.inc) */
        if (nargs != 1) return efail(E, n, "Future takes one type argument");
        return keep(E, pts_type_future((PtsType *)el[0]));
    }
    if (strcmp(h, "Await") == 0 || strcmp(h, "_Await") == 0) {   /* torch._awaits._Await[T] (emit_fork.inc) */
        if (nargs != 1) return efail(E, n, "Await takes one type argument");
        return keep(E, pts_type_await((PtsType *)el[0]));
    }
    /* Final[T] is read from module class annotations by the Python layer; in code (locals, script
     * class attributes, signatures) torch knows no such constructor */
    if (strcmp(h, "Final") == 0)
        return efail(E, n, "Unknown type constructor Final\n(Final[T] is only supported on module attributes; in code, "
                     "annotate the type T)");
    if (strcmp(h, "Union") == 0) {
        /* normalised as torch's: Union[T, None] is Optional[T], nested unions flatten */
        if (nargs < 1) return efail(E, n, "Union needs at least one type argument");
        return keep(E, pts_type_union(nargs, (PtsType *const *)el));
    }
    /* torch._jit_internal.BroadcastingListN[T]: List[T] (a parameter so annotated also takes one
     * T, repeated N times: emit_def records N) */
    if (strncmp(h, "BroadcastingList", 16) == 0 && h[16] >= '1' && h[16] <= '6' && !h[17]) {
        if (nargs != 1) return efail(E, n, "BroadcastingList takes one type argument");
        return keep(E, pts_type_list((PtsType *)el[0]));
    }
    return efail(E, n, "Unknown type constructor '%s'", h);
}

/* N of a `BroadcastingListN[T]` or `Optional[BroadcastingListN[T]]` annotation, else 0 */
static int broadcast_n(const PtsAst *n) {
    if (!n || n->kind != PTS_AST_SUBSCRIPT || n->n != 2) return 0;
    const char *h = type_head(n->kids[0]);
    if (!h) return 0;
    if (strcmp(h, "Optional") == 0) return broadcast_n(n->kids[1]);
    if (strncmp(h, "BroadcastingList", 16) == 0 && h[16] >= '1' && h[16] <= '6' && !h[17]) return h[16] - '0';
    return 0;
}
/* }==================== */

/* {==================== schema matching ==================== */
typedef enum {
    CONV_NONE, CONV_REPEAT, CONV_TUPLE_TO_LIST, CONV_TENSOR_TO_INT, CONV_TENSOR_TO_FLOAT,
    CONV_TENSOR_TO_SCALAR, CONV_INT_TO_FLOAT, CONV_EMPTY_LIST, CONV_NUMBER_TO_INT, CONV_NUMBER_TO_FLOAT, CONV_BOOL_TO_INT, CONV_BOOL_TO_FLOAT,
    CONV_NO_MATCH,
} Conv;

static bool elem_ok(const PtsType *t, int k) {
    switch (k) {
    case PTS_T_TENSOR: return t->kind == PTS_TY_TENSOR;
    case PTS_T_INT: case PTS_T_SCALARTYPE: case PTS_T_LAYOUT: case PTS_T_MEMFORMAT:
        return t->kind == PTS_TY_INT || t->kind == PTS_TY_SCALARTYPE || t->kind == PTS_TY_LAYOUT ||
               t->kind == PTS_TY_MEMFORMAT;
    case PTS_T_FLOAT: return t->kind == PTS_TY_FLOAT;
    case PTS_T_BOOL: return t->kind == PTS_TY_BOOL;
    case PTS_T_SCALAR:
        return t->kind == PTS_TY_INT || t->kind == PTS_TY_FLOAT || t->kind == PTS_TY_NUMBER || t->kind == PTS_TY_COMPLEX;
    case PTS_T_COMPLEX: return t->kind == PTS_TY_COMPLEX;
    case PTS_T_STR: return t->kind == PTS_TY_STR;
    case PTS_T_DEVICE: return t->kind == PTS_TY_DEVICE;
    case PTS_T_GENERATOR: return t->kind == PTS_TY_GENERATOR;
    case PTS_T_ANY: return true;
    default: return false;
    }
}

/* how a value of type t can be passed for a schema argument of type a */
static Conv arg_conv(const PtsType *t, PtsArgType a, bool allow_conv) {
    if (a.optional) {
        if (t->kind == PTS_TY_NONE) return CONV_NONE;
        if (t->kind == PTS_TY_OPTIONAL) t = t->elems[0];
    } else if (t->kind == PTS_TY_OPTIONAL || t->kind == PTS_TY_NONE) {
        return a.kind == PTS_T_ANY && !a.is_list ? CONV_NONE : CONV_NO_MATCH;
    }
    if (a.is_list) {
        if (t->kind == PTS_TY_LIST) {
            const PtsType *e = t->elems[0];
            if (a.elem_optional && e->kind == PTS_TY_OPTIONAL) e = e->elems[0];
            return elem_ok(e, a.kind) ? CONV_NONE : CONV_NO_MATCH;
        }
        if (t->kind == PTS_TY_TUPLE) {
            for (int i = 0; i < t->n; i++)
                if (!elem_ok(t->elems[i], a.kind)) return CONV_NO_MATCH;
            return CONV_TUPLE_TO_LIST;
        }
        /* int[2] accepts one int, repeated */
        if (a.list_n > 0 && elem_ok(t, a.kind) && t->kind != PTS_TY_TENSOR) return CONV_REPEAT;
        return CONV_NO_MATCH;
    }
    if (elem_ok(t, a.kind)) return CONV_NONE;
    /* Union[int, float] (an isinstance refinement) is a number, as torch's Union subtyping */
    if (a.kind == PTS_T_SCALAR && t->kind == PTS_TY_UNION && pts_type_subtype(t, pts_type_get(PTS_TY_NUMBER)))
        return CONV_NONE;
    if (allow_conv && t->kind == PTS_TY_TENSOR) {
        if (a.kind == PTS_T_INT) return CONV_TENSOR_TO_INT;
        if (a.kind == PTS_T_FLOAT) return CONV_TENSOR_TO_FLOAT;
        if (a.kind == PTS_T_SCALAR) return CONV_TENSOR_TO_SCALAR;
    }
    /* a number (x.item()) where an int or float is expected: int(a) / float(a), as torch's
     * tryConvertToType (so bool(a) is bool(int(a)) and torch.tensor(a) is tensor(float(a))) */
    if (allow_conv && t->kind == PTS_TY_NUMBER) {
        if (a.kind == PTS_T_INT) return CONV_NUMBER_TO_INT;
        if (a.kind == PTS_T_FLOAT) return CONV_NUMBER_TO_FLOAT;
    }
    /* a bool where an int, float or number is expected (a + b, math.isfinite(x) + 1): torch's
     * tryConvertToType inserts aten::Float / aten::Int */
    if (allow_conv && t->kind == PTS_TY_BOOL) {
        if (a.kind == PTS_T_FLOAT) return CONV_BOOL_TO_FLOAT;
        if (a.kind == PTS_T_INT || a.kind == PTS_T_SCALAR) return CONV_BOOL_TO_INT;
    }
    return CONV_NO_MATCH;
}

typedef struct Call {
    PtsIrValue *pos[PTS_MAX_CALL_ARGS + 1];   /* positional values (self first for methods) */
    const PtsAst *pos_at[PTS_MAX_CALL_ARGS + 1];
    int npos;
    const char *kwn[PTS_MAX_CALL_ARGS];       /* keyword names and values */
    PtsIrValue *kwv[PTS_MAX_CALL_ARGS];
    int nkw;
} Call;

typedef struct Bound {
    PtsIrValue *v[PTS_MAX_ARGS];  /* value per schema argument, NULL = default */
    uint8_t conv[PTS_MAX_ARGS];
    int pack_from;                /* varargs: positional args >= this are packed into a list */
    int pack_at;                  /* the list argument receiving them, -1 if none */
} Bound;

static const char *argtype_name(Emitter *E, PtsArgType a) {
    PtsType *t = pts_type_from_arg(a);
    if (!t) return "?";
    const char *s = tstr(E, t);
    pts_type_release(t);
    return s;
}

/* v may be an item of a varargs list for the trailing positional list parameter i: an int for an
 * int[] (a single int too: x.view(-1)), a Tensor for a Tensor[] when conversions are allowed; never
 * for int[N], where a single int is repeated */
static bool varargs_list(const PtsSchema *s, int i, const PtsIrValue *v, bool allow_conv) {
    const PtsArgType *a = &s->args[i].type;
    if (!a->is_list || a->list_n != 0 || a->elem_optional) return false;
    if (a->kind == PTS_T_INT) return v->type->kind == PTS_TY_INT;
    return a->kind == PTS_T_TENSOR && allow_conv && v->type->kind == PTS_TY_TENSOR;
}

/* try one schema; on failure write the reason to why */
static bool match_schema(Emitter *E, const PtsSchema *s, const Call *c, bool allow_conv, Bound *b, char *why,
                         size_t nwhy) {
    memset(b, 0, sizeof *b);
    b->pack_at = -1;
    int npositional = 0;
    while (npositional < s->nargs && !s->args[npositional].kwarg_only) npositional++;
    int npos = c->npos;
    if (npos > npositional) {
        /* varargs: f(3, 4) for a trailing int[] parameter, and (with conversions, as torch's
         * varargsCanBeUsedAsList) torch.block_diag(x, y) / torch.einsum(eq, x, y) for a trailing
         * Tensor[] one */
        int last = npositional - 1;
        bool ok = last >= 0 && varargs_list(s, last, c->pos[last], allow_conv);
        for (int i = last + 1; ok && i < npos; i++) ok = varargs_list(s, last, c->pos[i], allow_conv);
        if (!ok) {
            snprintf(why, nwhy, "Expected at most %d arguments but found %d positional arguments.", npositional, npos);
            return false;
        }
        b->pack_at = last;
        b->pack_from = last;
        npos = last;
    } else if (npos == npositional && npos > 0) {
        /* x.view(-1): one int for a trailing int[] parameter is a list of one, as TorchScript's
         * varargs rule has it (not for int[N], where a single int is repeated) */
        const PtsArgType *la = &s->args[npos - 1].type;
        if (!la->optional && varargs_list(s, npos - 1, c->pos[npos - 1], allow_conv)) {
            b->pack_at = b->pack_from = npos - 1;
            npos--;
        }
    }
    for (int i = 0; i < npos; i++) b->v[i] = c->pos[i];
    int unknown = -1;   /* torch checks the schema's arguments first, unknown keywords last */
    for (int k = 0; k < c->nkw; k++) {
        int i;
        for (i = 0; i < s->nargs; i++)
            if (strcmp(s->args[i].name, c->kwn[k]) == 0) break;
        /* `input=` names the `self` of an aten op, as torch's schema matching allows */
        if (i == s->nargs && strcmp(c->kwn[k], "input") == 0 && strncmp(s->qualname, "aten::", 6) == 0)
            for (i = 0; i < s->nargs; i++)
                if (strcmp(s->args[i].name, "self") == 0) break;
        if (i == s->nargs) {
            if (unknown < 0) unknown = k;
            continue;
        }
        if (b->v[i] || i == b->pack_at) {
            snprintf(why, nwhy, "Argument %s specified twice in schema, submit one or the other.", c->kwn[k]);
            return false;
        }
        b->v[i] = c->kwv[k];
    }
    for (int i = 0; i < s->nargs; i++) {
        if (i == b->pack_at) continue;
        if (!b->v[i]) {
            if (!s->args[i].has_default) {
                snprintf(why, nwhy, "Argument %s not provided.", s->args[i].name);
                return false;
            }
            continue;
        }
        Conv cv = arg_conv(b->v[i]->type, s->args[i].type, allow_conv);
        if (cv == CONV_NO_MATCH && s->args[i].type.is_list) {
            for (int k = 0; k < 8; k++)
                if (E->empty_lits[k] == b->v[i]) cv = CONV_EMPTY_LIST;
        }
        if (cv == CONV_NO_MATCH) {
            /* TorchScript's hints: an unannotated parameter, a list of Tensors (an empty `[]`) */
            bool inf = value_inferred(E, b->v[i]);
            const PtsType *vt = b->v[i]->type;
            snprintf(why, nwhy, "Expected a value of type '%s' for argument '%s' but instead found type '%s'.%s%s%s%s",
                     argtype_name(E, s->args[i].type), s->args[i].name, value_tstr(E, b->v[i]),
                     inf ? "\nInferred the value for argument '" : "", inf ? s->args[i].name : "",
                     inf ? "' to be of type 'Tensor' because it was not annotated with an explicit type." : "",
                     vt->kind == PTS_TY_LIST && vt->elems[0]->kind == PTS_TY_TENSOR
                         ? "\nEmpty lists default to List[Tensor]. Add a variable annotation to the assignment to create "
                           "an empty list of another type (torch.jit.annotate(List[T, []]) where T is the type of "
                           "elements in the list for Python 2)" : "");
            return false;
        }
        b->conv[i] = (uint8_t)cv;
    }
    if (unknown >= 0) {
        snprintf(why, nwhy, "Keyword argument %s unknown.", c->kwn[unknown]);
        return false;
    }
    return true;
}

static PtsIrValue *list_construct(Emitter *E, int n, PtsIrValue *const *items, const PtsType *elem, const PtsAst *at) {
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_LISTCONSTRUCT), n, items, pts_type_list((PtsType *)elem), at);
}

static PtsIrValue *op1(Emitter *E, const char *qual, PtsIrValue *x, const PtsAst *at);

/* apply a conversion chosen by match_schema */
static PtsIrValue *convert(Emitter *E, PtsIrValue *v, Conv cv, PtsArgType a, const PtsAst *at) {
    switch (cv) {
    case CONV_NONE: return v;
    case CONV_REPEAT: {
        PtsIrValue *items[16];
        int n = a.list_n > 16 ? 16 : a.list_n;
        for (int i = 0; i < n; i++) items[i] = v;
        return list_construct(E, n, items, v->type, at);
    }
    case CONV_TUPLE_TO_LIST: {
        /* a tuple literal becomes a list literal of the same items */
        PtsNode *tn = v->node;
        PtsType *et = pts_type_from_arg((PtsArgType){ .kind = a.kind });
        if (!keep(E, et)) return NULL;
        /* a type variable (len.t's t[]) is bound to the items' one type, as torch unifies them:
         * len(("a", "b")) builds a str[] */
        if (et->kind == PTS_TY_ANY && v->type->n > 0) {
            bool same = true;
            for (int i = 1; i < v->type->n && same; i++) same = pts_type_equal(v->type->elems[0], v->type->elems[i]);
            if (same) et = v->type->elems[0];
        }
        if (tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT))
            return list_construct(E, tn->ninputs, tn->inputs, et, at);
        PtsType *ts[64];
        int n = v->type->n;
        if (n > 64) return efail(E, at, "tuple too long to convert to a list");
        for (int i = 0; i < n; i++) ts[i] = R(v->type->elems[i]);
        PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &v, n, ts, at);
        if (!u) return NULL;
        return list_construct(E, n, u->outputs, et, at);
    }
    case CONV_TENSOR_TO_INT: return op1(E, "IntImplicit", v, at);
    case CONV_TENSOR_TO_FLOAT: return op1(E, "FloatImplicit", v, at);
    case CONV_TENSOR_TO_SCALAR: return op1(E, "ScalarImplicit", v, at);
    case CONV_INT_TO_FLOAT: return op1(E, "Float.int", v, at);
    case CONV_NUMBER_TO_INT: return op1(E, "Int.Scalar", v, at);
    case CONV_NUMBER_TO_FLOAT: return op1(E, "Float.Scalar", v, at);
    case CONV_BOOL_TO_INT: return op1(E, "Int.bool", v, at);
    case CONV_BOOL_TO_FLOAT: return op1(E, "Float.bool", v, at);
    case CONV_EMPTY_LIST: {
        /* a fresh `[]` of the parameter's list type (the List[Tensor] one is left dead) */
        PtsType *lt = keep(E, pts_type_from_arg((PtsArgType){ .kind = a.kind, .is_list = true, .elem_optional = a.elem_optional }));
        return lt ? list_construct(E, 0, NULL, lt->elems[0], at) : NULL;
    }
    default: return efail(E, at, "internal error: bad conversion");
    }
}

/* torch's tryConvertToType (conversions allowed) for a value v assigned to a variable of type pt of
 * an enclosing block: a Tensor, number or bool to an int or float (Optional[T] as T), a tuple to a
 * list; v itself when none applies */
static PtsIrValue *assign_convert(Emitter *E, const PtsType *pt, PtsIrValue *v, const PtsAst *at) {
    const PtsType *t = v->type;
    if (pt->kind == PTS_TY_OPTIONAL && t->kind != PTS_TY_OPTIONAL && t->kind != PTS_TY_NONE) pt = pt->elems[0];
    if (t->kind == PTS_TY_TUPLE && pt->kind == PTS_TY_LIST) {
        const PtsType *et = pt->elems[0];
        if (t->n > 64) return v;
        for (int i = 0; i < t->n; i++)
            if (!pts_type_subtype(t->elems[i], et)) return v;
        if (v->node && v->node->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && v->node->ninputs == t->n)
            return list_construct(E, t->n, v->node->inputs, et, at);
        PtsType *ts[64];
        for (int i = 0; i < t->n; i++) ts[i] = R(t->elems[i]);
        PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &v, t->n, ts, at);
        return u ? list_construct(E, t->n, u->outputs, et, at) : NULL;
    }
    bool to_float = pt->kind == PTS_TY_FLOAT, to_int = pt->kind == PTS_TY_INT, to_num = pt->kind == PTS_TY_NUMBER;
    const char *q = NULL;
    if (t->kind == PTS_TY_TENSOR) q = to_float ? "FloatImplicit" : to_int ? "IntImplicit" : to_num ? "ScalarImplicit" : NULL;
    else if (t->kind == PTS_TY_NUMBER) q = to_float ? "Float.Scalar" : to_int ? "Int.Scalar" : NULL;
    else if (t->kind == PTS_TY_BOOL) q = to_float ? "Float.bool" : to_int || to_num ? "Int.bool" : NULL;
    return q ? op1(E, q, v, at) : v;
}

static PtsIrValue *complex_fold(Emitter *E, int op, PtsIrValue *const *ins);   /* emit_complex.inc */

/* torch's NormalizeOps pass (jit/passes/normalize_ops.cpp): an alias compiles to its canonical
 * op (torch.arccos(x) is aten::acos, x.clip_() aten::clamp_, torch.det aten::linalg_det), same
 * overload and arguments; in-place forms follow. */
static int canonical_row(int op) {
    static const char *const alias[][2] = {
        { "absolute", "abs" }, { "clip", "clamp" }, { "arccos", "acos" }, { "arcsin", "asin" },
        { "arctan", "atan" }, { "arccosh", "acosh" }, { "arcsinh", "asinh" }, { "arctanh", "atanh" },
        { "arctan2", "atan2" }, { "fix", "trunc" }, { "negative", "neg" }, { "subtract", "sub" },
        { "multiply", "mul" }, { "divide", "div" }, { "true_divide", "div" }, { "greater", "gt" },
        { "greater_equal", "ge" }, { "less", "lt" }, { "less_equal", "le" }, { "not_equal", "ne" },
        { "special_expit", "sigmoid" }, { "special_psi", "digamma" }, { "special_gammaln", "lgamma" },
        { "special_multigammaln", "mvlgamma" }, { "det", "linalg_det" }, { "inverse", "linalg_inv" },
        { "matrix_power", "linalg_matrix_power" }, { "ger", "outer" }, { "row_stack", "vstack" },
        { "swapaxes", "transpose" }, { "swapdims", "transpose" }, { "moveaxis", "movedim" },
    };
    const PtsSchema *s = &pts_op_info[op].schema;
    if (strncmp(s->qualname, "aten::", 6) != 0) return op;
    size_t nl = strlen(s->name);
    bool inplace = nl > 1 && s->name[nl - 1] == '_';
    for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++) {
        size_t al = strlen(alias[k][0]);
        if (al != nl - (inplace ? 1 : 0) || strncmp(s->name, alias[k][0], al) != 0) continue;
        size_t cl = strlen(alias[k][1]);
        for (int i = 0; i < PTS_OP__COUNT; i++) {
            const PtsSchema *t = &pts_op_info[i].schema;
            /* swapaxes(self, int, int) is transpose.int: the alias has no overload name */
            const char *want = strcmp(alias[k][1], "transpose") == 0 && !inplace ? "int" : s->overload;
            if (strlen(t->name) == cl + (inplace ? 1 : 0) && strncmp(t->name, alias[k][1], cl) == 0 &&
                (!inplace || t->name[cl] == '_') && strcmp(t->overload, want) == 0 &&
                t->nargs == s->nargs && strncmp(t->qualname, "aten::", 6) == 0)
                return i;
        }
        return op;
    }
    return op;
}

/* emit the op node for a matched schema */
static PtsIrValue *emit_matched(Emitter *E, int op, const Call *c, Bound *b, const PtsAst *at) {
    op = canonical_row(op);
    /* rsub(Tensor self, Tensor other, alpha) is sub(other, self, alpha) (torch rewrites it so) */
    bool rsub = op == PTS_OP_RSUB_TENSOR;
    if (rsub) op = PTS_OP_SUB_TENSOR;
    const PtsSchema *s = &pts_op_info[op].schema;
    PtsIrValue *ins[PTS_MAX_ARGS];
    for (int i0 = 0; i0 < s->nargs; i0++) {
        int i = rsub && i0 < 2 ? 1 - i0 : i0;
        if (i == b->pack_at) {
            const PtsType *et = s->args[i].type.kind == PTS_T_TENSOR ? ty(PTS_TY_TENSOR) : ty(PTS_TY_INT);
            if (!(ins[i0] = list_construct(E, c->npos - b->pack_from, c->pos + b->pack_from, et, at))) return NULL;
        } else if (b->v[i]) {
            if (!(ins[i0] = convert(E, b->v[i], (Conv)b->conv[i], s->args[i].type, at))) return NULL;
        } else {
            /* a schema default is a constant without a source range in torch's graphs */
            if (!(ins[i0] = konst(E, pts_value_retain(s->args[i].def), NULL))) return NULL;
        }
    }
    PtsType *ot[PTS_MAX_RETS];
    for (int k = 0; k < s->nret; k++) {
        /* a `t[]` result of a `t[]` argument (slice.t) has that argument's list type */
        const PtsArgType *rt = &s->rets[k];
        int from = -1;
        if (rt->kind == PTS_T_ANY && rt->is_list && !rt->optional)
            for (int i = 0; i < s->nargs && from < 0; i++)
                if (s->args[i].type.kind == PTS_T_ANY && s->args[i].type.is_list && ins[i] &&
                    ins[i]->type->kind == PTS_TY_LIST)
                    from = i;
        /* a Layout result (prim::layout) is an int in TorchScript's types */
        PtsArgType rk = *rt;
        if (rk.kind == PTS_T_LAYOUT && !rk.is_list && !rk.optional) rk.kind = PTS_T_INT;
        ot[k] = from >= 0 ? R(ins[from]->type) : pts_type_from_arg(rk);
    }
    if (pts_complex_op_accepts(op)) {   /* constant complex expressions fold, as torch's (emit_complex.inc) */
        PtsIrValue *f = complex_fold(E, op, ins);
        if (f || E->err->code) {
            for (int k = 0; k < s->nret; k++) pts_type_release(ot[k]);
            return f;
        }
    }
    PtsNode *n = mk(E, op, s->nargs, ins, s->nret, ot, at);
    if (!n) return NULL;
    if (s->nret == 1) return n->outputs[0];
    if (s->nret == 0) return cnone(E, at);
    PtsType *ts[PTS_MAX_RETS];
    for (int k = 0; k < s->nret; k++) ts[k] = n->outputs[k]->type;
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT), s->nret, n->outputs, pts_type_tuple(s->nret, ts), at);
}

/* enums (emit_enum.inc) */
static bool enum_row_ok(int row, const Call *c);
static bool enum_member_sv(Emitter *E, const PtsType *t, const char *name, const PtsAst *at, Sv *out);
static bool enum_value_attr(Emitter *E, PtsIrValue *obj, const char *name, const PtsAst *at, Sv *out);
static PtsIrValue *enum_iterable(Emitter *E, const PtsAst *n);
static PtsIrValue *enum_list_call(Emitter *E, const PtsAst *n, bool *handled);
static PtsIrValue *retype(PtsIrValue *v, const PtsType *t);
static const PtsType *sv_type(const Sv *s);

/* rows whose schema is named `name` ("add"), or "add.int" for one overload */
static bool row_matches(int i, const char *name) {
    const PtsSchema *s = &pts_op_info[i].schema;
    const char *dot = strchr(name, '.');
    size_t nl = dot ? (size_t)(dot - name) : strlen(name);
    if (strlen(s->name) != nl || strncmp(s->name, name, nl) != 0) return false;
    return !dot || strcmp(s->overload, dot + 1) == 0;
}

/* Resolve and emit a call of builtin op `name`. *found is false when no row has that name (no
 * error is set then, so callers can try an alternative). */
static PtsIrValue *emit_op(Emitter *E, const char *name, const Call *c, const PtsAst *at, bool *found) {
    *found = false;
    int cands[128], nc = 0;
    const char *dot = strchr(name, '.');
    const int *rows;
    int nrows = pts_op_rows_named(name, dot ? (size_t)(dot - name) : strlen(name), &rows);
    if (nrows < 0)   /* no index: scan every row */
        for (int i = 0; i < PTS_OP__COUNT && nc < 128; i++) {
            if (row_matches(i, name)) cands[nc++] = i;
        }
    for (int k = 0; k < nrows && nc < 128; k++)
        if (row_matches(rows[k], name)) cands[nc++] = rows[k];
    if (!nc) return NULL;
    {   /* the enum rows take enums only (AnyEnumType) */
        int w = 0;
        for (int k = 0; k < nc; k++) if (enum_row_ok(cands[k], c)) cands[w++] = cands[k];
        if (!w) return NULL;
        nc = w;
    }
    *found = true;
    {   /* overloads torch registers before a sibling that matches the same call (its first match
         * wins): clamp(Scalar?) before clamp.Tensor for `x.clamp()`, std.correction_out before
         * std.out, any.dims_out before any.all_out */
        static const char *const first[][2] = {
            { "clamp", "" }, { "clamp_", "" }, { "clamp", "out" }, { "std", "correction_out" },
            { "var", "correction_out" }, { "any", "dims_out" }, { "all", "dims_out" },
        };
        int w = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int k = w; k < nc; k++) {
                const PtsSchema *sk = &pts_op_info[cands[k]].schema;
                bool pref = false;
                for (size_t f = 0; f < sizeof first / sizeof first[0] && !pref; f++)
                    pref = strcmp(sk->name, first[f][0]) == 0 && strcmp(sk->overload, first[f][1]) == 0;
                if (pref == (pass == 0)) {   /* rotate it to position w, keeping the others' order */
                    int row = cands[k];
                    memmove(&cands[w + 1], &cands[w], sizeof cands[0] * (size_t)(k - w));
                    cands[w++] = row;
                }
            }
    }
    /* format(str self, ...): a str and then any values (torch.format in archive code) */
    if (nc == 1 && cands[0] == PTS_OP_FORMAT) {
        if (c->nkw) return efail(E, at, "format() with keyword arguments is not supported yet");
        if (c->npos < 1 || c->pos[0]->type->kind != PTS_TY_STR)
            return efail(E, at, "aten::format expects a str as its first argument");
        return mk1(E, PTS_OP_FORMAT, c->npos, c->pos, R(ty(PTS_TY_STR)), at);
    }
    /* percentFormat(str self, ...): the format and one value (a tuple of them) */
    if (nc == 1 && cands[0] == PTS_OP_PERCENTFORMAT) {
        if (c->nkw || c->npos != 2 || c->pos[0]->type->kind != PTS_TY_STR)
            return efail(E, at, "aten::percentFormat expects a str and one value");
        return mk1(E, PTS_OP_PERCENTFORMAT, 2, c->pos, R(ty(PTS_TY_STR)), at);
    }
    Bound b;
    char why[640];
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < nc; k++)
            if (match_schema(E, &pts_op_info[cands[k]].schema, c, pass == 1, &b, why, sizeof why))
                return emit_matched(E, cands[k], c, &b, at);
    /* report every variant, as TorchScript does */
    PtsBuf m;
    pts_buf_init(&m);
    if (nc == 1) {
        match_schema(E, &pts_op_info[cands[0]].schema, c, true, &b, why, sizeof why);
        const char *t0 = pts_op_info[cands[0]].schema.text;
        pts_buf_printf(&m, "\n%s%s:\n%s", strstr(t0, "::") ? "" : "aten::", t0, why);
    } else {
        pts_buf_puts(&m, "Arguments for call are not valid.\nThe following variants are available:\n");
        for (int k = 0; k < nc; k++) {
            match_schema(E, &pts_op_info[cands[k]].schema, c, true, &b, why, sizeof why);
            const char *tk = pts_op_info[cands[k]].schema.text;
            pts_buf_printf(&m, "  \n  %s%s:\n  ", strstr(tk, "::") ? "" : "aten::", tk);
            for (const char *w = why; *w; w++) pts_buf_printf(&m, w[0] == '\n' ? "\n  " : "%c", w[0]);
            pts_buf_puts(&m, "\n");
        }
    }
    /* our hints, after TorchScript's list: a misspelt keyword, an Optional to refine */
    const char *h = "";
    for (int k = 0; k < c->nkw && !h[0]; k++) {
        bool known = false;
        for (int j = 0; j < nc && !known; j++) {
            const PtsSchema *sj = &pts_op_info[cands[j]].schema;
            for (int a = 0; a < sj->nargs && !known; a++) known = strcmp(sj->args[a].name, c->kwn[k]) == 0;
        }
        if (!known) h = hint_kwarg_op(E, name, c->kwn[k]);
    }
    if (!h[0]) h = hint_refine_args(E, c->pos, c->npos);
    if (!h[0]) h = hint_refine_args(E, c->kwv, c->nkw);
    if (h[0] && m.data) {
        /* the hint stays whole: a list too long for a message loses its last variants */
        size_t hl = strlen(h), room = EFAIL_MAX - 1 - 8;
        if (m.len + hl > room && hl < room) {
            size_t cut = room - hl;
            while (cut > 0 && m.data[cut - 1] != '\n') cut--;
            m.len = cut;
            m.data[m.len] = 0;
            pts_buf_puts(&m, "  ...");
        }
        while (m.len && m.data[m.len - 1] == '\n') m.data[--m.len] = 0;
        pts_buf_puts(&m, h);
    }
    efail(E, at, "%s", m.data ? m.data : "Arguments for call are not valid.");
    pts_buf_free(&m);
    return NULL;
}

/* TorchScript's message for an op no row is named, with the similar ops it knows */
static void *unknown_op(Emitter *E, const char *name, const PtsAst *at) {
    PtsBuf m;
    pts_buf_init(&m);
    pts_hint_unknown_op(&m, name);
    efail(E, at, "%s", m.data ? m.data : "Unknown builtin op");
    pts_buf_free(&m);
    return NULL;
}

static PtsIrValue *op_call(Emitter *E, const char *name, const Call *c, const PtsAst *at) {
    bool found;
    PtsIrValue *r = emit_op(E, name, c, at, &found);
    if (!found && !E->err->code)
        return unknown_op(E, name, at);
    return r;
}

static PtsIrValue *op1(Emitter *E, const char *qual, PtsIrValue *x, const PtsAst *at) {
    Call c = { .npos = 1 };
    c.pos[0] = x;
    return op_call(E, qual, &c, at);
}

static PtsIrValue *op2(Emitter *E, const char *name, PtsIrValue *x, PtsIrValue *y, const PtsAst *at) {
    Call c = { .npos = 2 };
    c.pos[0] = x;
    c.pos[1] = y;
    return op_call(E, name, &c, at);
}
/* }==================== */

/* {==================== expressions ==================== */
static PtsIrValue *emit_expr(Emitter *E, const PtsAst *n);
static PtsIrValue *magic_builtin(Emitter *E, const char *name, const Call *c, const PtsAst *at, bool *handled);
/* calls of torch.jit._overload'ed functions and methods (emit_overload.inc) */
static PtsIrValue *overload_call(Emitter *E, const char *path, const Call *c, const PtsAst *at, bool *handled);
static PtsIrValue *overload_method_call(Emitter *E, PtsIrValue *obj, const char *name, const Call *c,
                                        const PtsAst *at, bool *handled);
static PtsIrValue *emit_hinted(Emitter *E, const PtsAst *n, const PtsType *t);
static bool emit_sugared(Emitter *E, const PtsAst *n, Sv *out);
static PtsIrValue *emit_call(Emitter *E, const PtsAst *n);
/* lists, dicts, strings and builtins (section at the end of the statements) */
static PtsIrValue *emit_dict(Emitter *E, const PtsAst *n);
static PtsIrValue *emit_comprehension(Emitter *E, const PtsAst *n);
static PtsIrValue *emit_container_index(Emitter *E, PtsIrValue *x, const PtsAst *n);
static bool emit_container_store(Emitter *E, PtsIrValue *x, const PtsAst *t, PtsIrValue *v, bool *handled);
static PtsIrValue *emit_contains(Emitter *E, int op, PtsIrValue *item, PtsIrValue *box, const PtsAst *at);
/* slices, list operators, list(), `in` on tuples (section "sequences" after the containers) */
static PtsIrValue *emit_seq_slice(Emitter *E, PtsIrValue *x, const PtsAst *sl, const PtsAst *at);
static PtsIrValue *emit_tuple_slice(Emitter *E, PtsIrValue *x, const PtsAst *sl, const PtsAst *at);
static PtsIrValue *emit_list_binary(Emitter *E, int op, PtsIrValue *x, PtsIrValue *y, const PtsAst *at, bool *handled);
static PtsIrValue *emit_list_call(Emitter *E, const PtsAst *n);
static PtsIrValue *tuple_as_list(Emitter *E, PtsIrValue *tup, const PtsAst *at);
static PtsIrValue *row_call(Emitter *E, const char *qual, int n, PtsIrValue *const *vals, const PtsType *ret,
                            const PtsAst *at);
static const PtsType *elem_of(const PtsType *t);
static const char *dict_key_suffix(Emitter *E, const PtsType *dict, const PtsAst *at);
static const char *dict_row(Emitter *E, const char *base, const char *sfx);
static bool check_fits(Emitter *E, PtsIrValue *v, const PtsType *want, const char *what, const PtsAst *at);
static PtsIrValue *emit_value_method(Emitter *E, PtsIrValue *self, const char *m, const PtsAst *n);
static PtsIrValue *emit_print(Emitter *E, const PtsAst *n);
static PtsIrValue *emit_more_builtins(Emitter *E, const char *name, const PtsAst *n, bool *handled);
static PtsIrValue *emit_tensor_cast(Emitter *E, PtsIrValue *x, const char *name, const PtsAst *n, bool *is_cast);
static bool emit_for_iter(Emitter *E, const PtsAst *s);
static int emit_with(Emitter *E, const PtsAst *s);
/* emit_complex.inc */
static const char *complex_math_name(const char *name);
static PtsIrValue *emit_complex_call(Emitter *E, const Call *c, const PtsAst *at);
/* emit_lang4.inc */
static PtsAst *synth(Emitter *E, int kind, const PtsAst *at, int n, PtsAst **kids);
static int fork_def_stmt(Emitter *E, const PtsAst *s);
static bool special_iter_call(Emitter *E, const PtsAst *it);
static bool is_builtin_name(Emitter *E, const PtsAst *f, const char *name);
static const PtsAst *subscript_slices(Emitter *E, const PtsAst *n);
static bool is_slice_call(Emitter *E, const PtsAst *n);
static bool bind_slice_var(Emitter *E, const char *name, const PtsAst *call);
static PtsIrValue *emit_dict_call(Emitter *E, const PtsAst *n);
static PtsIrValue *emit_list_call2(Emitter *E, const PtsAst *n, bool *handled);
static PtsIrValue *emit_tuple_call(Emitter *E, const PtsAst *n);
static PtsIrValue *dict_construct(Emitter *E, int n, PtsIrValue *const *kv, const PtsType *k, const PtsType *v,
                                  const PtsAst *at);

/* a value as a condition: bool, or an implicit bool() of Tensor/int/float */
static PtsIrValue *as_bool(Emitter *E, PtsIrValue *v, const PtsAst *at) {
    switch (v->type->kind) {
    case PTS_TY_BOOL: return v;
    case PTS_TY_TENSOR: return op1(E, "Bool.Tensor", v, at);
    case PTS_TY_INT: return op1(E, "Bool.int", v, at);
    case PTS_TY_FLOAT: return op1(E, "Bool.float", v, at);
    case PTS_TY_CLASS: if (v->type->cls && !v->type->cls->is_module) return magic_cond(E, v, at);
        /* fall through */
    default: return efail(E, at, "Could not cast value of type %s to bool", tstr(E, v->type));
    }
}

static PtsIrValue *emit_cond(Emitter *E, const PtsAst *n) {
    PtsIrValue *v = emit_expr(E, n);
    return v ? as_bool(E, v, n) : NULL;
}

/* Common supertype for values meeting at a join, or NULL */
static const PtsType *unify(Emitter *E, const PtsType *a, const PtsType *b) {
    if (pts_type_subtype(a, b)) return b;
    if (pts_type_subtype(b, a)) return a;
    if (a->kind == PTS_TY_TENSOR && b->kind == PTS_TY_TENSOR) return ty(PTS_TY_TENSOR);
    /* None meets T as Optional[T] (a Union too: Optional[Union[int, str]], as torch's join) */
    if (a->kind == PTS_TY_NONE) return keep(E, pts_type_optional((PtsType *)b));
    if (b->kind == PTS_TY_NONE) return keep(E, pts_type_optional((PtsType *)a));
    /* (Tensor, Tensor) and (Tensor, None) meet as (Tensor, Optional[Tensor]), element by element
     * (unnamed tuples of one length) */
    if (a->kind == PTS_TY_TUPLE && b->kind == PTS_TY_TUPLE && a->n == b->n && !a->name && !b->name && a->n <= 64) {
        PtsType *es[64];
        for (int i = 0; i < a->n; i++)
            if (!(es[i] = (PtsType *)unify(E, a->elems[i], b->elems[i]))) return NULL;
        return keep(E, pts_type_tuple(a->n, es));
    }
    return NULL;
}

/* Replace the output-less prim::If `old` by one with outputs of the given types, taking over its
 * blocks. Returns the new node. */
static PtsNode *rebuild_if(Emitter *E, PtsNode *old, int nout, const PtsType *const *types) {
    PtsType *ot[256];
    if (nout > 256) return efail(E, NULL, "too many variables assigned in one if statement");
    for (int i = 0; i < nout; i++) ot[i] = R(types[i]);
    PtsIrValue *cond = old->inputs[0];
    PtsBlock *saved = E->blk;
    E->blk = old->owner;
    PtsNode *n = mk(E, PTS_KIND_PRIM(PTS_PRIM_IF), 1, &cond, nout, ot, NULL);
    E->blk = saved;
    if (!n) return NULL;
    n->range = old->range;
    n->blocks = old->blocks;
    n->nblocks = old->nblocks;
    for (int i = 0; i < n->nblocks; i++) n->blocks[i]->owner = n;
    old->nblocks = 0;
    pts_node_destroy(old);   /* n was appended right after old */
    return n;
}

typedef struct Refine Refine;
static PtsIrValue *isinstance_any(Emitter *E, PtsIrValue *v, const PtsAst *tn, const PtsAst *at);
static const PtsType *any_refined_type(Emitter *E, const PtsType *t, const Refine *r, bool *failed);

/* {==== Optional and Union refinement ====
 * `x is not None` (also through not/and/or) proves a local Optional[T] variable is a T on one
 * side of a branch: there it is rebound to prim::unchecked_cast(x) of type T. isinstance(x, T)
 * narrows a Union (or Optional) local to the members that are T on the true side and to the
 * others on the false side, as torch's refinements. Only locals are refined, as in TorchScript. */
struct Refine {
    const char *name;
    const PtsAst *types;         /* isinstance's type argument, or NULL for `x is not None` */
    bool positive;               /* isinstance: the test's truth on this side */
};

static void refinements(const PtsAst *c, bool truth, Refine *out, int *n, int max) {
    if (!c) return;
    switch (c->kind) {
    case PTS_AST_NOT: refinements(c->kids[0], !truth, out, n, max); return;
    case PTS_AST_AND:
        if (truth) {
            refinements(c->kids[0], true, out, n, max);
            refinements(c->kids[1], true, out, n, max);
        }
        return;
    case PTS_AST_OR:
        if (!truth) {
            refinements(c->kids[0], false, out, n, max);
            refinements(c->kids[1], false, out, n, max);
        }
        return;
    case PTS_AST_CALL: {
        /* isinstance(x, T) / torch.jit.isinstance(x, T) */
        const PtsAst *f = c->kids[0];
        if (c->n != 3 || c->kids[1]->kind != PTS_AST_NAME || !f->str || strcmp(f->str, "isinstance") != 0 ||
            (f->kind != PTS_AST_NAME && f->kind != PTS_AST_ATTR) || c->kids[2]->kind == PTS_AST_KWARG)
            return;
        if (*n < max) out[(*n)++] = (Refine){ c->kids[1]->str, c->kids[2], truth };
        return;
    }
    case PTS_AST_COMPARE: {
        if (c->n != 2 || (c->ops[0] != PTS_TK_IS && c->ops[0] != PTS_TK_IS_NOT)) return;
        const PtsAst *a = c->kids[0], *b = c->kids[1];
        if (a->kind == PTS_AST_NONE) { const PtsAst *t = a; a = b; b = t; }
        if (a->kind != PTS_AST_NAME || b->kind != PTS_AST_NONE) return;
        bool not_none = (c->ops[0] == PTS_TK_IS_NOT) == truth;
        if (not_none && *n < max) out[(*n)++] = (Refine){ a->str, NULL, true };
        return;
    }
    default: return;
    }
}

/* the types isinstance's second argument lists (`int`, `(int, float)`, `List[int]`, `list`),
 * `list`/`tuple`/`dict` as torch's "any list"/"any tuple" (dict: NULL, decided by kind) */
static int isinst_types(Emitter *E, const PtsAst *tn, const PtsType **out, int max) {
    int nt = tn->kind == PTS_AST_TUPLE ? tn->n : 1;
    if (nt > max) return efail(E, tn, "isinstance() with too many types"), -1;
    for (int i = 0; i < nt; i++) {
        const PtsAst *one = tn->kind == PTS_AST_TUPLE ? tn->kids[i] : tn;
        const char *h = one->kind == PTS_AST_NAME ? one->str : NULL;
        if (h && (strcmp(h, "list") == 0 || strcmp(h, "tuple") == 0)) {
            if (!(out[i] = keep(E, pts_type_any_container(h[0] == 'l' ? PTS_TY_LIST : PTS_TY_TUPLE)))) return -1;
            continue;
        }
        if (h && strcmp(h, "dict") == 0) { out[i] = NULL; continue; }
        if (!(out[i] = parse_type(E, one))) return -1;
    }
    return nt;
}

/* is a value of (non-union) type m one of the listed types? */
static bool isinst_member(const PtsType *m, const PtsType *const *ts, int nt) {
    for (int i = 0; i < nt; i++) {
        const PtsType *t = ts[i];
        if (!t) { if (m->kind == PTS_TY_DICT) return true; continue; }
        if (pts_type_is_any_list(t)) { if (m->kind == PTS_TY_LIST) return true; continue; }
        if (pts_type_is_any_tuple(t)) { if (m->kind == PTS_TY_TUPLE) return true; continue; }
        if (pts_type_subtype(m, t)) return true;
    }
    return false;
}

/* the members of a union or Optional type (NULL for other types) */
static int union_members(const PtsType *t, const PtsType **m) {
    if (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_UNION) {
        /* Optional[Union[A, B]] (an If joining a Union and None) is A, B or None */
        int n = union_members(t->elems[0], m);
        if (n == 0 || n >= 64) return 0;
        m[n] = ty(PTS_TY_NONE);
        return n + 1;
    }
    if (t->kind == PTS_TY_OPTIONAL) { m[0] = t->elems[0]; m[1] = ty(PTS_TY_NONE); return 2; }
    if (t->kind != PTS_TY_UNION || t->n > 64) return 0;
    for (int i = 0; i < t->n; i++) m[i] = t->elems[i];
    return t->n;
}

/* the type x narrows to on one side of a refinement, or NULL when it does not narrow */
static const PtsType *refined_type(Emitter *E, const PtsType *t, const Refine *r, bool *failed) {
    const PtsType *m[64], *ts[32];
    PtsType *kept[64];
    int nm = union_members(t, m), nk = 0, nt = 0;
    *failed = false;
    if (t->kind == PTS_TY_ANY || (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_ANY))
        return any_refined_type(E, t, r, failed);
    /* isinstance of a value of one type: statically decided, and still refined (to that type) */
    if (!nm && r->types) m[nm++] = t;
    if (!nm) return NULL;
    if (r->types && (nt = isinst_types(E, r->types, ts, 32)) < 0) { *failed = true; return NULL; }
    for (int i = 0; i < nm; i++) {
        bool in = r->types ? isinst_member(m[i], ts, nt) == r->positive : m[i]->kind != PTS_TY_NONE;
        if (in) kept[nk++] = (PtsType *)m[i];
    }
    /* nothing kept: the side is dead. `x is None` teaches nothing on its None side and nothing
     * when x cannot be None; isinstance refines as torch's emitIsInstance, to the members it keeps
     * (all of them when it is statically true, a lone None on the false side of an Optional) */
    if (nk == 0 || (!r->types && (nk == nm || (nk == 1 && kept[0]->kind == PTS_TY_NONE)))) return NULL;
    const PtsType *u = keep(E, pts_type_union(nk, kept));
    if (!u) *failed = true;
    return u;
}

/* in the current (branch) scope, rebind the variables cond narrows */
static bool apply_refinements(Emitter *E, const PtsAst *cond, bool truth) {
    Refine rs[16];
    int n = 0;
    refinements(cond, truth, rs, &n, 16);
    for (int i = 0; i < n; i++) {
        /* one refinement per name (torch's RefinementSet keeps one) */
        bool seen = false;
        for (int j = 0; j < i; j++) seen = seen || strcmp(rs[j].name, rs[i].name) == 0;
        if (seen) continue;
        Var *v = lookup(E, rs[i].name);
        if (!v || !v->v) continue;
        PtsIrValue *x = v->v;
        bool failed;
        const PtsType *nt = refined_type(E, x->type, &rs[i], &failed);
        if (failed) return false;
        if (!nt) continue;
        tn_name(E, NULL, rs[i].name);   /* torch's insertRefinements loads the variable */
        PtsIrValue *c = mk1(E, PTS_KIND_PRIM(PTS_PRIM_UNCHECKED_CAST), 1, &x, R(nt), cond);
        if (!c) return false;
        name_value(E, c, rs[i].name);
        tn_store(E, rs[i].name);
        if (!set_var(E, rs[i].name, c, c->type, NULL)) return false;   /* torch's setVar of the cast */
        lookup_local(E->scope, rs[i].name)->refined = true;
    }
    return true;
}
/* }==== */

/* value-producing if: cond ? then-expr : else-expr, both emitted lazily in their blocks */
typedef PtsIrValue *(*BranchFn)(Emitter *E, const void *arg);

static PtsIrValue *emit_if_value(Emitter *E, PtsIrValue *cond, BranchFn tf, const void *targ, BranchFn ef,
                                 const void *earg, const PtsAst *at, const PtsAst *refine) {
    PtsNode *node = mk(E, PTS_KIND_PRIM(PTS_PRIM_IF), 1, &cond, 0, NULL, at);
    if (!node) return NULL;
    PtsBlock *bt = pts_node_add_block(E->g, node), *bf = pts_node_add_block(E->g, node);
    if (!bt || !bf) return oom(E);
    PtsBlock *saved = E->blk;
    PtsIrValue *tv = NULL, *fv = NULL;
    Scope *sc[2] = { NULL, NULL };
    E->blk = bt;
    if (push_scope(E)) {
        if (apply_refinements(E, refine, true)) tv = tf(E, targ);
        sc[0] = E->scope;
        pop_scope(E);
    }
    E->blk = bf;
    if (tv && push_scope(E)) {
        if (apply_refinements(E, refine, false)) fv = ef(E, earg);
        sc[1] = E->scope;
        pop_scope(E);
    }
    E->blk = saved;
    if (!tv || !fv) return NULL;
    const PtsType *t = unify(E, tv->type, fv->type);
    if (!t) return efail(E, at, "if-expression's true branch has type %s but false branch has type %s", tstr(E, tv->type), tstr(E, fv->type));
    if (pts_block_add_output(E->g, bt, tv, E->err) || pts_block_add_output(E->g, bf, fv, E->err)) return NULL;
    /* the variables a side refined leave the If too (torch's ControlFlowLoadStores sees their
     * stores), after the value; dead code elimination drops those nothing reads */
    const PtsType *types[65] = { t };
    const char *names[64];
    int nout = 1;
    for (int k = 0; k < 2; k++)
        for (Var *v = sc[k]->vars; v; v = v->next) {
            bool dup = false;
            for (int i = 0; i < nout - 1; i++) if (strcmp(names[i], v->name) == 0) dup = true;
            Var *outer = lookup(E, v->name), *a = lookup_local(sc[0], v->name), *b = lookup_local(sc[1], v->name);
            if (dup || !outer || !outer->v || nout == 65) continue;
            if (!a) a = outer;
            if (!b) b = outer;
            if (!a->v || !b->v || a->v == b->v) continue;
            /* the join, or the variable's declared type (a Union both sides narrowed) */
            const PtsType *u = unify(E, a->v->type, b->v->type);
            if (!u && outer->decl && pts_type_subtype(a->v->type, outer->decl) && pts_type_subtype(b->v->type, outer->decl))
                u = outer->decl;
            if (!u) continue;
            if (pts_block_add_output(E->g, bt, a->v, E->err) || pts_block_add_output(E->g, bf, b->v, E->err)) return NULL;
            names[nout - 1] = v->name;
            types[nout++] = u;
        }
    PtsNode *n = rebuild_if(E, node, nout, types);
    if (!n) return NULL;
    for (int i = 1; i < nout; i++) {
        Var *outer = lookup(E, names[i - 1]);
        bool ann = outer->annotated;
        name_output(E, n->outputs[i], names[i - 1]);
        if (!set_var(E, names[i - 1], n->outputs[i], outer->decl ? outer->decl : types[i], NULL)) return NULL;
        lookup_local(E->scope, names[i - 1])->annotated = ann;
    }
    return n->outputs[0];
}

static PtsIrValue *br_cond(Emitter *E, const void *a) { return emit_cond(E, a); }
static PtsIrValue *br_expr(Emitter *E, const void *a) { return emit_expr(E, a); }
static PtsIrValue *br_hinted(Emitter *E, const void *a) { return emit_hinted(E, a, E->hint); }
static PtsIrValue *br_true(Emitter *E, const void *a) { return cbool(E, true, a); }
static PtsIrValue *br_false(Emitter *E, const void *a) { return cbool(E, false, a); }

static const char *binop_name(int op) {
    switch (op) {
    case PTS_TK_PLUS: return "add";
    case PTS_TK_MINUS: return "sub";
    case PTS_TK_STAR: return "mul";
    case PTS_TK_SLASH: return "div";
    case PTS_TK_DSLASH: return "floordiv";
    case PTS_TK_PERCENT: return "remainder";
    case PTS_TK_DSTAR: return "pow";
    case PTS_TK_AT: return "matmul";
    case PTS_TK_AMP: return "__and__";
    case PTS_TK_PIPE: return "__or__";
    case PTS_TK_CARET: return "__xor__";
    case PTS_TK_LSHIFT: return "__lshift__";
    case PTS_TK_RSHIFT: return "__rshift__";
    case PTS_TK_LT: return "lt";
    case PTS_TK_GT: return "gt";
    case PTS_TK_LE: return "le";
    case PTS_TK_GE: return "ge";
    case PTS_TK_EQ: return "eq";
    case PTS_TK_NE: return "ne";
    default: return NULL;
    }
}

/* an operand whose emission makes no node with an effect: reads, literals, arithmetic, a[i] */
static bool pure_operand_at(const PtsAst *n, int depth) {
    if (depth > 64) return false;   /* deep enough to be no simple operand */
    switch (n->kind) {
    case PTS_AST_NAME: case PTS_AST_INT: case PTS_AST_FLOAT: case PTS_AST_STR: case PTS_AST_TRUE: case PTS_AST_FALSE:
    case PTS_AST_NONE: return true;
    case PTS_AST_UNARY: return pure_operand_at(n->kids[0], depth + 1);
    case PTS_AST_BINOP: return pure_operand_at(n->kids[0], depth + 1) && pure_operand_at(n->kids[1], depth + 1);
    case PTS_AST_SUBSCRIPT:
        for (int i = 0; i < n->n; i++)
            if (!pure_operand_at(n->kids[i], depth + 1)) return false;
        return n->n == 2;
    default: return false;
    }
}
static bool pure_operand(const PtsAst *n) { return pure_operand_at(n, 0); }

/* x <op> y, with the number-on-the-left forms a Tensor overload needs: 2 * x -> mul(x, 2),
 * 1 - x -> rsub(x, 1), 0 < x -> gt(x, 0) */
static PtsIrValue *emit_binary(Emitter *E, int op, PtsIrValue *x, PtsIrValue *y, const PtsAst *at) {
    const char *name = binop_name(op);
    if (!name) return efail(E, at, "unsupported operator %s", pts_tok_name(op));
    Call c = { .npos = 2 };
    c.pos[0] = x;
    c.pos[1] = y;
    bool found;
    /* fmt % args on a str: aten::percentFormat(fmt, args), args one value or a tuple */
    if (op == PTS_TK_PERCENT && x->type->kind == PTS_TY_STR)
        return mk1(E, PTS_OP_PERCENTFORMAT, 2, c.pos, R(ty(PTS_TY_STR)), at);
    if (x->type->kind == PTS_TY_CLASS) {
        bool handled;
        PtsIrValue *r = magic_binary(E, op, x, y, at, &handled);
        if (handled) return r;
    }
    if (x->type->kind == PTS_TY_LIST || y->type->kind == PTS_TY_LIST) {
        bool handled;
        PtsIrValue *r = emit_list_binary(E, op, x, y, at, &handled);
        if (handled) return r;
    }
    if (is_num(x->type) && y->type->kind == PTS_TY_TENSOR) {
        const char *swapped = NULL;
        switch (op) {
        case PTS_TK_PLUS: case PTS_TK_STAR: case PTS_TK_EQ: case PTS_TK_NE: case PTS_TK_AMP: case PTS_TK_PIPE:
        case PTS_TK_CARET: swapped = name; break;
        case PTS_TK_LT: swapped = "gt"; break;
        case PTS_TK_GT: swapped = "lt"; break;
        case PTS_TK_LE: swapped = "ge"; break;
        case PTS_TK_GE: swapped = "le"; break;
        case PTS_TK_MINUS: swapped = "rsub"; break;
        default: break;
        }
        if (swapped) {
            Call s = { .npos = 2 };
            s.pos[0] = y;
            s.pos[1] = x;
            return op_call(E, swapped, &s, at);
        }
    }
    PtsIrValue *r = emit_op(E, name, &c, at, &found);
    if (!found && !E->err->code)
        return unknown_op(E, name, at);
    return r;
}

/* comparison chain a < b < c: (a < b) and (b < c), b evaluated once */
typedef struct ChainArg { const PtsAst *n; int i; PtsIrValue *left; } ChainArg;
static PtsIrValue *emit_chain(Emitter *E, const PtsAst *n, int i, PtsIrValue *left);
static PtsIrValue *emit_compare_one(Emitter *E, int op, PtsIrValue *l, PtsIrValue *r, const PtsAst *at);
/* comparison i of a chain, its operands emitted again (torch's frontend repeats them) */
static PtsIrValue *br_chain(Emitter *E, const void *a) {
    const ChainArg *c = a;
    PtsIrValue *l = emit_expr(E, c->n->kids[c->i]), *r = l ? emit_expr(E, c->n->kids[c->i + 1]) : NULL;
    /* torch's desugared `b <= c` starts at its left operand */
    return r ? emit_compare_one(E, c->n->ops[c->i], l, r, c->n->kids[c->i]) : NULL;
}

static PtsIrValue *emit_compare_one(Emitter *E, int op, PtsIrValue *l, PtsIrValue *r, const PtsAst *at) {
    if (op == PTS_TK_IS || op == PTS_TK_IS_NOT) {
        /* only decidable statically for now: None against non-optional values */
        bool want = op == PTS_TK_IS;
        bool ln = l->type->kind == PTS_TY_NONE, rn = r->type->kind == PTS_TY_NONE;
        /* a Union holding None may be None too */
        bool lo = l->type->kind == PTS_TY_OPTIONAL || (l->type->kind == PTS_TY_UNION && pts_type_subtype(ty(PTS_TY_NONE), l->type));
        bool ro = r->type->kind == PTS_TY_OPTIONAL || (r->type->kind == PTS_TY_UNION && pts_type_subtype(ty(PTS_TY_NONE), r->type));
        if (ln && rn) return cbool(E, want, at);
        if ((ln && !ro) || (rn && !lo)) return cbool(E, !want, at);
        return op2(E, want ? "__is__" : "__isnot__", l, r, at);
    }
    if (op == PTS_TK_IN || op == PTS_TK_NOT_IN) return emit_contains(E, op, l, r, at);
    return emit_binary(E, op, l, r, at);
}

/* as torch's frontend: a < b <= c is (a < b) and (b <= c), the `and`s left-associative, so each
 * further comparison is an If on the chain so far */
static PtsIrValue *emit_chain(Emitter *E, const PtsAst *n, int i, PtsIrValue *left) {
    PtsIrValue *right = emit_expr(E, n->kids[i + 1]);
    if (!right) return NULL;
    PtsIrValue *r = emit_compare_one(E, n->ops[i], left, right, n);
    for (int k = i + 1; r && k + 1 < n->n; k++) {
        PtsIrValue *c = as_bool(E, r, n);
        if (!c) return NULL;
        ChainArg next = { n, k, NULL };
        r = emit_if_value(E, c, br_chain, &next, br_false, n, n, NULL);
    }
    return r;
}

static PtsIrValue *tuple_of(Emitter *E, int n, PtsIrValue *const *items, const PtsAst *at) {
    PtsType *ts[256];
    if (n > 256) return efail(E, at, "tuple literal too long");
    for (int i = 0; i < n; i++) ts[i] = items[i]->type;
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT), n, items, pts_type_tuple(n, ts), at);
}

static PtsIrValue *emit_list(Emitter *E, const PtsAst *n) {
    PtsIrValue *items[256];
    if (n->n > 256) return efail(E, n, "list literal too long (limit 256 items)");
    const PtsType *et = NULL;
    for (int i = 0; i < n->n; i++) {
        if (n->kids[i]->kind == PTS_AST_STARRED) return efail(E, n->kids[i], "starred expressions are not supported yet");
        if (!(items[i] = emit_expr(E, n->kids[i]))) return NULL;
        const PtsType *t = items[i]->type;
        if (!et) et = t->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : t;
        else if (!pts_type_subtype(t, et)) {
            const PtsType *u = unify(E, et, t);
            if (!u || u->kind == PTS_TY_OPTIONAL)
                return efail(E, n->kids[i], "Lists must contain only a single type, first element had type %s and "
                             "element %d had type %s", tstr(E, et), i, tstr(E, t));
            et = u;
        }
    }
    /* [] is List[Tensor] unless annotated or passed to a builtin op's list parameter */
    PtsIrValue *l = list_construct(E, n->n, items, et ? et : ty(PTS_TY_TENSOR), n);
    if (l && n->n == 0) {
        E->empty_lits[E->empty_next++ % 8] = l;
        if (E->nbare == E->cap_bare) {
            int cap = E->cap_bare ? E->cap_bare * 2 : 8;
            int *ids = pts_realloc(E->bare_ids, sizeof(int) * (size_t)cap);
            if (!ids) return oom(E);
            E->bare_ids = ids;
            E->cap_bare = cap;
        }
        E->bare_ids[E->nbare++] = l->id;
    }
    return l;
}

/* a list literal typed by an annotation (annotate(List[Optional[Tensor]], [m]), x: List[float] = [1.0]):
 * its items may be subtypes of the annotated element type */
static PtsIrValue *emit_typed_literal(Emitter *E, const PtsAst *n, const PtsType *t, bool *handled);

static PtsIrValue *annotated_list(Emitter *E, const PtsType *t, const PtsAst *lit) {
    bool typed;
    PtsIrValue *lv = emit_typed_literal(E, lit, t, &typed);   /* Union/Optional elements: checked per item */
    if (typed) return lv;
    PtsIrValue *items[256];
    if (lit->n > 256) return efail(E, lit, "list literal too long (limit 256 items)");
    bool fits = true;
    for (int i = 0; i < lit->n; i++) {
        if (lit->kids[i]->kind == PTS_AST_STARRED) return efail(E, lit->kids[i], "starred expressions are not supported yet");
        if (!(items[i] = emit_expr(E, lit->kids[i]))) return NULL;
        fits = fits && pts_type_subtype(items[i]->type, t->elems[0]);
    }
    if (!fits) {
        /* torch names the items' types unified into one */
        PtsType *ts[256];
        for (int i = 0; i < lit->n; i++) ts[i] = items[i]->type->kind == PTS_TY_TENSOR ? R(ty(PTS_TY_TENSOR)) : R(items[i]->type);
        PtsType *u = keep(E, pts_type_union(lit->n, ts));
        for (int i = 0; i < lit->n; i++) pts_type_release(ts[i]);
        return efail(E, lit, "List type annotation `%s` did not match the types of the given list elements, which were "
                     "unified to %s", tstr(E, t), u ? tstr(E, u) : "?");
    }
    return list_construct(E, lit->n, items, t->elems[0], lit);
}

/* a dict literal typed by an annotation (annotate(Dict[str, int], {}), d: Dict[str, float] = {"a": 1.0}):
 * the dict has the annotated key and value types; its keys and values, unified, must be subtypes */
static PtsIrValue *annotated_dict(Emitter *E, const PtsType *t, const PtsAst *lit) {
    bool typed;
    PtsIrValue *dv = emit_typed_literal(E, lit, t, &typed);   /* Union/Optional values: checked per item */
    if (typed) return dv;
    PtsIrValue *kv[256];
    if (lit->n > 256) return efail(E, lit, "dict literal too long (limit 128 items)");
    bool kfit = true, vfit = true;
    for (int i = 0; i < lit->n; i++) {
        if (lit->kids[i]->kind == PTS_AST_STARRED) return efail(E, lit->kids[i], "starred expressions are not supported yet");
        if (!(kv[i] = emit_expr(E, lit->kids[i]))) return NULL;
        bool fit = pts_type_subtype(kv[i]->type, t->elems[i % 2]);
        if (i % 2) vfit = vfit && fit;
        else kfit = kfit && fit;
    }
    if (!kfit || !vfit) {
        /* torch names the keys' (or values') types unified into one */
        PtsType *ts[128];
        int m = 0;
        for (int i = kfit ? 1 : 0; i < lit->n; i += 2)
            ts[m++] = kv[i]->type->kind == PTS_TY_TENSOR ? R(ty(PTS_TY_TENSOR)) : R(kv[i]->type);
        PtsType *u = keep(E, pts_type_union(m, ts));
        for (int i = 0; i < m; i++) pts_type_release(ts[i]);
        if (!kfit)
            return efail(E, lit, "Type annotation was inferred to be %sbut the type of keys given by the dict literal is %s",
                         tstr(E, t), u ? tstr(E, u) : "?");
        return efail(E, lit, "Type annotation was inferred to be `%s`, but the type of values given by the dict literal is %s",
                     tstr(E, t), u ? tstr(E, u) : "?");
    }
    return dict_construct(E, lit->n, kv, t->elems[0], t->elems[1], lit);
}

/* annotate(T, e) and `x: T = e`: a list or dict literal takes the annotated type (annotated_list,
 * annotated_dict), so does a comprehension (emit_comprehension reads the hint); *handled is false
 * for other expressions */
static PtsIrValue *annotated_literal(Emitter *E, const PtsType *t, const PtsAst *e, bool *handled) {
    *handled = true;
    if (e->kind == PTS_AST_LIST && t->kind == PTS_TY_LIST) return annotated_list(E, t, e);
    if (e->kind == PTS_AST_DICT && t->kind == PTS_TY_DICT) return annotated_dict(E, t, e);
    PtsIrValue *v = emit_typed_literal(E, e, t, handled);
    if (*handled) return v;
    if ((e->kind == PTS_AST_DICTCOMP && t->kind == PTS_TY_DICT) || (e->kind == PTS_AST_LISTCOMP && t->kind == PTS_TY_LIST)) {
        *handled = true;
        return emit_hinted(E, e, t);
    }
    return NULL;
}

/* {==== module containers (ModuleList, Sequential, ModuleDict, ParameterList) ====
 * Their members are fixed when the module is scripted, so indexing with a constant and len() are
 * decided at compile time: self.layers[-1] is prim::GetAttr[name="1"], self.heads["a"] is
 * prim::GetAttr[name="a"], as torch.jit.script emits them. */
static bool container_kind(const PtsClassType *cls, int *kind, bool *is_dict) {
    const char *q = strrchr(cls->qualname, '.');
    q = q ? q + 1 : cls->qualname;
    *is_dict = strcmp(q, "ModuleDict") == 0 || strcmp(q, "ParameterDict") == 0;
    if (strcmp(q, "ModuleList") == 0 || strcmp(q, "Sequential") == 0 || strcmp(q, "ModuleDict") == 0) *kind = PTS_ATTR_MODULE;
    else if (strcmp(q, "ParameterList") == 0 || strcmp(q, "ParameterDict") == 0) *kind = PTS_ATTR_PARAMETER;
    else return false;
    return true;
}

static bool object_attr(Emitter *E, PtsIrValue *obj, const char *name, const PtsAst *at, Sv *out);

static int container_len(const PtsClassType *cls, int kind) {
    int n = 0;
    for (int i = 0; i < cls->nattrs; i++) n += cls->attrs[i].kind == kind;
    return n;
}

static PtsIrValue *emit_module_index(Emitter *E, PtsIrValue *x, const PtsAst *n) {
    int kind;
    bool is_dict;
    const char *q = strrchr(x->type->cls->qualname, '.');
    q = q ? q + 1 : x->type->cls->qualname;
    if (!container_kind(x->type->cls, &kind, &is_dict))
        return efail(E, n, "'%s' object is not subscriptable", q);
    const PtsAst *ix = n->kids[1];
    char nm[64];
    if (is_dict) {
        if (ix->kind != PTS_AST_STR)
            return efail(E, ix, "Unable to extract string literal index. ModuleDict indexing is only supported with string literals.");
        if (ix->len >= sizeof nm) return efail(E, ix, "Key Error, %.*s", (int)ix->len, ix->str);
        snprintf(nm, sizeof nm, "%.*s", (int)ix->len, ix->str);
        int slot = pts_class_find_attr(x->type->cls, nm);
        if (slot < 0 || x->type->cls->attrs[slot].kind != kind) return efail(E, ix, "Key Error, %s", nm);
    } else {
        int64_t k;
        if (ix->kind == PTS_AST_INT) k = ix->ival;
        else if (ix->kind == PTS_AST_UNARY && ix->op == PTS_TK_MINUS && ix->kids[0]->kind == PTS_AST_INT) k = -ix->kids[0]->ival;
        else return efail(E, ix, "Expected integer literal for index. ModuleList/Sequential indexing is only supported with integer literals. "
                          "For example, 'i = 4, self.layers[i](x)' will fail because i is not a literal. Enumeration is supported, "
                          "e.g. 'for index, v in enumerate(self): out = v(inp)'");
        int len = container_len(x->type->cls, kind);
        int64_t k0 = k;
        if (k < 0) k += len;
        if (k < 0 || k >= len) return efail(E, ix, "Index %lld out of range", (long long)k0);
        snprintf(nm, sizeof nm, "%lld", (long long)k);
    }
    Sv sub;
    if (!object_attr(E, x, nm, n, &sub)) return NULL;
    return sub.v;
}

static PtsIrValue *emit_method_call(Emitter *E, PtsIrValue *obj, const char *name, const Call *c, const PtsAst *at);

/* len(self.layers): the container's __len__ (torch defines it on every scripted ModuleList,
 * Sequential and ModuleDict, and on a module class that has one), else a constant */
static PtsIrValue *emit_module_len(Emitter *E, PtsIrValue *x, const PtsAst *at) {
    int kind;
    bool is_dict;
    if (pts_class_find_method(x->type->cls, "__len__")) {
        Call c;
        memset(&c, 0, sizeof c);
        return emit_method_call(E, x, "__len__", &c, at);
    }
    if (!container_kind(x->type->cls, &kind, &is_dict)) {
        const char *q = strrchr(x->type->cls->qualname, '.');
        return efail(E, at, "object of type '%s' has no len()", q ? q + 1 : x->type->cls->qualname);
    }
    return cint(E, container_len(x->type->cls, kind), at);
}
/* }==== */

/* {==== tensor indexing: x[...] reads, x[...] = v and x[...] op= v ====
 * Lowered as torch.jit.script lowers them. The index expressions other than slices are evaluated
 * first, left to right (a list becomes aten::tensor(list, dtype=long)); then, in order, an int
 * selects, a slice slices and None unsqueezes, `dim` following the dimensions consumed so far
 * (after '...', counted from the end). Tensor indices are collected by the dimension they index
 * and applied together: aten::index to read, aten::index_put_ to write. A write without tensor
 * indices copies into the view (aten::copy_); a number is first made a tensor of the view's
 * dtype and device. x[...] op= v runs the in-place op on the view, or on the gathered values that
 * index_put_ then stores back. */
typedef struct TensorIndex {
    PtsIrValue *view;                   /* x after the selects, slices and unsqueezes */
    int n;                              /* tensor-index list length, 0 when there is none */
    PtsIrValue *idx[PTS_MAX_DIMS + 1];  /* per dimension; NULL where that dimension is not indexed */
} TensorIndex;

static bool tensor_indexing(Emitter *E, PtsIrValue *x, const PtsAst *n, TensorIndex *ti) {
    int nidx = n->n - 1, ell = -1;
    PtsIrValue *pre[64];
    ti->n = 0;
    if (nidx > 64) return efail(E, n, "too many indices for a tensor"), false;
    for (int i = 0; i < nidx; i++)
        if (n->kids[i + 1]->kind == PTS_AST_ELLIPSIS) {
            if (ell >= 0) return efail(E, n->kids[i + 1], "An index can only have a single ellipsis ('...')"), false;
            ell = i;
        }
    for (int i = 0; i < nidx; i++) {
        const PtsAst *ix = n->kids[i + 1];
        pre[i] = NULL;
        if (ix->kind == PTS_AST_SLICE || ix->kind == PTS_AST_NONE || ix->kind == PTS_AST_ELLIPSIS) continue;
        PtsIrValue *v = emit_expr(E, ix);
        if (!v) return false;
        if (v->type->kind == PTS_TY_LIST && (v->type->elems[0]->kind == PTS_TY_INT || v->type->elems[0]->kind == PTS_TY_BOOL)) {
            Call c = { .npos = 1, .nkw = 1 };
            c.pos[0] = v;
            c.kwn[0] = "dtype";
            if (!(c.kwv[0] = cint(E, v->type->elems[0]->kind == PTS_TY_INT ? PTS_INT64 : PTS_BOOL, ix)) ||
                !(v = op_call(E, "tensor", &c, ix)))
                return false;
        } else if (v->type->kind != PTS_TY_INT && v->type->kind != PTS_TY_TENSOR)
            return efail(E, ix, "Unsupported operation: indexing tensor with unsupported index type '%s'. Only ints, "
                         "slices, lists and tensors are supported", tstr(E, v->type)), false;
        pre[i] = v;
    }
    int64_t dim = 0;
    for (int i = 0; i < nidx; i++) {
        const PtsAst *ix = n->kids[i + 1];
        if (ix->kind == PTS_AST_ELLIPSIS) continue;
        if (ell >= 0 && i > ell) {
            /* after '...' dimensions count from the end: an index takes the place of the
             * non-None indices from it to the end, None goes in front of those after it */
            int rest = 0;
            for (int k = i; k < nidx; k++) rest += n->kids[k + 1]->kind != PTS_AST_NONE;
            dim = -rest - (ix->kind == PTS_AST_NONE);
        }
        if (pre[i] && pre[i]->type->kind == PTS_TY_TENSOR) {
            if (dim < 0) return efail(E, n, "Ellipses followed by tensor indexing is currently not supported"), false;
            if (dim >= PTS_MAX_DIMS) return efail(E, ix, "too many indices for a tensor"), false;
            while (ti->n < dim) ti->idx[ti->n++] = NULL;
            ti->idx[dim] = pre[i];
            ti->n = (int)dim + 1;
            dim++;
            continue;
        }
        /* torch gives the dims and the ops the range of the whole subscript expression */
        PtsIrValue *d = cint(E, dim, n);
        if (!d) return false;
        if (ix->kind == PTS_AST_NONE) {
            if (!(x = op2(E, "unsqueeze", x, d, n))) return false;
            dim++;
        } else if (ix->kind == PTS_AST_SLICE) {
            Call c = { .npos = 2 };
            c.pos[0] = x;
            c.pos[1] = d;
            for (int k = 0; k < 3; k++) {
                if (!ix->kids[k]) continue;
                static const char *const names[] = { "start", "end", "step" };
                PtsIrValue *v = emit_expr(E, ix->kids[k]);
                if (!v) return false;
                c.kwn[c.nkw] = names[k];
                c.kwv[c.nkw++] = v;
            }
            if (!(x = op_call(E, "slice", &c, n))) return false;
            dim++;
        } else {
            Call c = { .npos = 3 };
            c.pos[0] = x;
            c.pos[1] = d;
            c.pos[2] = pre[i];
            if (!(x = op_call(E, "select", &c, n))) return false;
            if (dim < 0) dim++;
        }
    }
    ti->view = x;
    return true;
}

/* the Tensor?[] of a TensorIndex */
static PtsIrValue *tensor_index_list(Emitter *E, const TensorIndex *ti, const PtsAst *at) {
    PtsIrValue *items[PTS_MAX_DIMS + 1];
    for (int i = 0; i < ti->n; i++)
        if (!(items[i] = ti->idx[i] ? ti->idx[i] : cnone(E, at))) return NULL;
    PtsType *ot = keep(E, pts_type_optional(R(ty(PTS_TY_TENSOR))));
    return ot ? list_construct(E, ti->n, items, ot, at) : NULL;
}

static PtsIrValue *tensor_index_read(Emitter *E, const TensorIndex *ti, const PtsAst *at) {
    if (!ti->n) return ti->view;
    PtsIrValue *l = tensor_index_list(E, ti, at);
    return l ? op2(E, "index", ti->view, l, at) : NULL;
}

/* x[...] = v */
static bool tensor_store(Emitter *E, PtsIrValue *x, const PtsAst *t, PtsIrValue *v) {
    TensorIndex ti;
    if (!tensor_indexing(E, x, t, &ti)) return false;
    if (v->type->kind == PTS_TY_INT || v->type->kind == PTS_TY_FLOAT || v->type->kind == PTS_TY_BOOL ||
        v->type->kind == PTS_TY_NUMBER) {
        /* a number (Scalar) goes through float(), as torch converts it for aten::tensor.float */
        Call c = { .npos = 1, .nkw = 2 };
        c.pos[0] = v;
        c.kwn[0] = "dtype";
        c.kwn[1] = "device";
        if (!(c.kwv[0] = op1(E, "dtype", ti.view, t)) || !(c.kwv[1] = op1(E, "device", ti.view, t)) ||
            !(v = op_call(E, "tensor", &c, t)))
            return false;
    } else if (v->type->kind != PTS_TY_TENSOR)
        return efail(E, t, "a tensor element can only be assigned a Tensor, int, float or bool, not %s",
                     tstr(E, v->type)), false;
    if (!ti.n) return op2(E, "copy_", ti.view, v, t) != NULL;
    PtsIrValue *l = tensor_index_list(E, &ti, t);
    Call c = { .npos = 3 };
    c.pos[0] = ti.view;
    c.pos[1] = l;
    c.pos[2] = v;
    return l && op_call(E, "index_put_", &c, t) != NULL;
}

static const char *inplace_op_name(int op) {
    /* on tensors the augmented operators are in place, as in Python; `%=` is fmod_, as torch's
     * frontend maps it (not remainder_, which `x % y` is) */
    static const struct { int op; const char *name; } inplace[] = {
        {PTS_TK_PLUS, "add_"}, {PTS_TK_MINUS, "sub_"}, {PTS_TK_STAR, "mul_"}, {PTS_TK_SLASH, "div_"},
        {PTS_TK_PERCENT, "fmod_"}, {PTS_TK_DSTAR, "pow_"}, {PTS_TK_AMP, "__iand__"}, {PTS_TK_PIPE, "__ior__"},
        {PTS_TK_CARET, "__ixor__"}, {PTS_TK_LSHIFT, "__ilshift__"}, {PTS_TK_RSHIFT, "__irshift__"},
        {PTS_TK_DSLASH, "floor_divide_"},
    };
    for (size_t i = 0; i < sizeof inplace / sizeof inplace[0]; i++)
        if (inplace[i].op == op) return inplace[i].name;
    return NULL;
}

/* x[...] op= v */
static bool tensor_aug_store(Emitter *E, PtsIrValue *x, const PtsAst *s) {
    const PtsAst *t = s->kids[0];
    const char *name = inplace_op_name(s->op);
    if (!name) return efail(E, s, "augmented assignment %s= on tensors is not supported", pts_tok_name(s->op)), false;
    TensorIndex ti;
    if (!tensor_indexing(E, x, t, &ti)) return false;
    PtsIrValue *l = ti.n ? tensor_index_list(E, &ti, t) : NULL, *cur, *rhs, *r;
    if (ti.n && !l) return false;
    if (!(cur = l ? op2(E, "index", ti.view, l, t) : ti.view) || !(rhs = emit_expr(E, s->kids[1])) ||
        !(r = op2(E, name, cur, rhs, s)))
        return false;
    if (!l) return true;
    Call c = { .npos = 3 };
    c.pos[0] = ti.view;
    c.pos[1] = l;
    c.pos[2] = r;
    return op_call(E, "index_put_", &c, t) != NULL;
}
/* }==== */

/* the output of the op node whose results tuple t packs, that the op's schema names `name`;
 * NULL unless t is a TupleConstruct of all of one op call's results, in order */
static PtsIrValue *op_result_by_name(const PtsIrValue *t, const char *name) {
    const PtsNode *tc = t->node;
    if (!tc || tc->kind != PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) || tc->ninputs == 0) return NULL;
    const PtsNode *op = tc->inputs[0]->node;
    if (!op || !pts_kind_is_op(op->kind) || op->noutputs != tc->ninputs) return NULL;
    const PtsSchema *s = &pts_op_info[op->kind].schema;
    if (s->nret != op->noutputs) return NULL;
    for (int k = 0; k < tc->ninputs; k++)
        if (tc->inputs[k] != op->outputs[k]) return NULL;
    for (int k = 0; k < s->nret; k++)
        if (s->ret_names[k] && strcmp(s->ret_names[k], name) == 0) return op->outputs[k];
    return NULL;
}

/* t[i] with an index known only at run time: torch allows it when every item has one type, so
 * the result type is that type; prim::TupleIndex checks the range when it runs */
static PtsIrValue *tuple_dynamic_index(Emitter *E, PtsIrValue *x, const PtsAst *ix, const PtsAst *n) {
    const PtsType *t = x->type;
    /* torch's emitTupleIndex checks the index's type first */
    PtsIrValue *i = emit_expr(E, ix);
    if (!i) return NULL;
    if (i->type->kind != PTS_TY_INT)
        return efail(E, n, "tuple index must be an integer\n(found an index of type %s)", tstr(E, i->type));
    bool same = t->n > 0;
    for (int k = 1; same && k < t->n; k++) same = pts_type_equal(t->elems[k], t->elems[0]);
    if (!same)
        return efail(E, n, "Cannot index into a %s with a non-integer literal because we cannot resolve the output type",
                     tstr(E, t));
    PtsIrValue *ins[2] = { x, i };
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEINDEX), 2, ins, R(t->elems[0]), NULL);
}

/* x[i], x[a:b], x[i, :, None] on tensors, t[k] on tuples */
static PtsIrValue *emit_subscript(Emitter *E, const PtsAst *n) {
    PtsIrValue *x = emit_expr(E, n->kids[0]);
    if (!x) return NULL;
    if (x->type->kind == PTS_TY_TUPLE) {
        const PtsAst *ix = n->kids[1];
        int64_t k;
        if (n->n != 2) return efail(E, n, "tuples take a single index");
        if (ix->kind == PTS_AST_SLICE) return emit_tuple_slice(E, x, ix, n);
        if (ix->kind == PTS_AST_INT) k = ix->ival;
        else if (ix->kind == PTS_AST_UNARY && ix->op == PTS_TK_MINUS && ix->kids[0]->kind == PTS_AST_INT) k = -ix->kids[0]->ival;
        else return tuple_dynamic_index(E, x, ix, n);
        int len = x->type->n;
        if (k < 0) k += len;
        if (k < 0 || k >= len) return efail(E, ix, "Tuple index out of range. Tuple is length %d and index is %lld", len,
                                            (long long)(ix->kind == PTS_AST_INT ? ix->ival : -ix->kids[0]->ival));
        /* an item of a tuple just built is that value; otherwise prim::TupleIndex, as torch */
        if (x->node && x->node->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && x->node->ninputs == len)
            return x->node->inputs[k];
        return namedtuple_index(E, x, k, ix->kind == PTS_AST_INT ? ix->ival : -ix->kids[0]->ival, ix);
    }
    if (x->type->kind == PTS_TY_LIST || x->type->kind == PTS_TY_DICT || x->type->kind == PTS_TY_STR)
        return emit_container_index(E, x, n);
    if (x->type->kind == PTS_TY_CLASS && x->type->cls->is_module) return emit_module_index(E, x, n);
    if (x->type->kind == PTS_TY_CLASS) {
        bool handled;
        PtsIrValue *r = magic_getitem(E, x, n, &handled);
        if (handled) return r;
    }
    if (x->type->kind != PTS_TY_TENSOR)
        return efail(E, n, "indexing values of type %s is not supported yet", tstr(E, x->type));
    TensorIndex ti;
    return tensor_indexing(E, x, n, &ti) ? tensor_index_read(E, &ti, n) : NULL;
}

/* a constant folded from a literal expression (defaults, negative literals) */
static bool const_value(Emitter *E, const PtsAst *n, PtsValue *out) {
    if (!stack_ok(E, n)) return false;
    switch (n->kind) {
    case PTS_AST_INT: *out = pts_vint(n->ival); return true;
    case PTS_AST_FLOAT: *out = pts_vdouble(n->fval); return true;
    case PTS_AST_IMAG: return pts_complex_new(0.0, n->fval, E->err, out) == PTS_OK;
    case PTS_AST_TRUE: *out = pts_vbool(true); return true;
    case PTS_AST_FALSE: *out = pts_vbool(false); return true;
    case PTS_AST_NONE: *out = pts_none(); return true;
    case PTS_AST_STR: return pts_str_new(n->str, n->len, E->err, out) == PTS_OK;
    case PTS_AST_UNARY:
        if (n->op == PTS_TK_MINUS && n->kids[0]->kind == PTS_AST_INT) {
            *out = pts_vint((int64_t)(0 - (uint64_t)n->kids[0]->ival));
            return true;
        }
        if (n->op == PTS_TK_MINUS && n->kids[0]->kind == PTS_AST_FLOAT) { *out = pts_vdouble(-n->kids[0]->fval); return true; }
        /* -2j is the constant 0.-2.j, as torch folds it */
        if (n->op == PTS_TK_MINUS && n->kids[0]->kind == PTS_AST_IMAG)
            return pts_complex_new(0.0, -n->kids[0]->fval, E->err, out) == PTS_OK;
        break;
    case PTS_AST_TUPLE: case PTS_AST_LIST: {
        if (pts_list_new(n->kind == PTS_AST_TUPLE ? PTS_V_TUPLE : PTS_V_LIST, n->n, E->err, out)) return false;
        for (int i = 0; i < n->n; i++) {
            PtsValue e;
            if (!const_value(E, n->kids[i], &e)) { pts_value_release(out); return false; }
            if (pts_list_append(*out, e, E->err)) { pts_value_release(out); return false; }
        }
        return true;
    }
    default: break;
    }
    efail(E, n, "default values must be constants (literals, tuples or lists of literals)");
    return false;
}

static PtsIrValue *function_value(Emitter *E, const char *path, const PtsAst *at);

/* a method named as a value: an error; when the object has no such method either, the message
 * for a missing attribute (TorchScript's), with the closest member */
static PtsIrValue *method_value(Emitter *E, const Sv *sv, const PtsAst *n) {
    PtsClassType *cls = sv->v && sv->v->type->kind == PTS_TY_CLASS ? sv->v->type->cls : NULL;
    if (cls && !pts_class_find_method(cls, sv->name) && cls == E->cls && E->res && E->res->method) {
        PtsOwnedSource os;
        memset(&os, 0, sizeof os);
        PtsError *scratch = pts_calloc(1, sizeof *scratch);   /* not on the stack of emit_expr's recursion */
        if (!scratch) return oom(E);
        PtsStatus st = E->res->method(E->res->ctx, sv->name, &os, scratch);
        pts_free(scratch);
        bool exists = st == PTS_OK && os.text;
        pts_free(os.text);
        pts_free(os.file);
        if (st == PTS_OK && !exists) {
            if (!cls->is_module) return class_no_attr(E, cls, sv->name, n);
            const char *sn = strrchr(cls->qualname, '.');
            return efail(E, n, "Module '%s' has no attribute '%s'%s", sn ? sn + 1 : cls->qualname, sv->name,
                         hint_class_member(E, cls, sv->name));
        }
    }
    return efail(E, n, "methods cannot be used as values (call '%s')", sv->name);
}

static PtsIrValue *emit_expr(Emitter *E, const PtsAst *n) {
    if (!stack_ok(E, n)) return NULL;
    switch (n->kind) {
    case PTS_AST_INT: return lit_const(E, pts_vint(n->ival), n);
    case PTS_AST_FLOAT: return lit_const(E, pts_vdouble(n->fval), n);
    case PTS_AST_IMAG: {
        PtsValue z;
        if (pts_complex_new(0.0, n->fval, E->err, &z)) return NULL;
        return lit_const(E, z, n);
    }
    case PTS_AST_TRUE: return cbool(E, true, n);
    case PTS_AST_FALSE: return cbool(E, false, n);
    case PTS_AST_NONE: return cnone(E, n);
    case PTS_AST_STR: {
        PtsValue s;
        if (pts_str_new(n->str, n->len, E->err, &s)) return NULL;
        return konst(E, s, n);
    }
    case PTS_AST_ELLIPSIS: return efail(E, n, "'...' can only be used in an index");
    case PTS_AST_NAME: case PTS_AST_ATTR: {
        Sv sv;
        if (!emit_sugared(E, n, &sv)) return NULL;
        if (sv.kind == SV_VALUE) return sv.v;
        if (sv.kind == SV_NS) return efail(E, n, "Module '%s' cannot be used as a value", sv.name);
        if (sv.kind == SV_METHOD) return method_value(E, &sv, n);
        if (sv.kind == SV_FUNCTION) return function_value(E, sv.path, n);
        if (sv.kind == SV_CLASS && pts_is_enum_type(sv_type(&sv))) return efail(E, n, "EnumClass cannot be used as a value");
        if (sv.kind == SV_CLASS) return efail(E, n, "class '%s' cannot be used as a value", sv.name);
        return efail(E, n, "builtin function '%s' cannot be used as a value", sv.name);
    }
    case PTS_AST_CALL: return emit_call(E, n);
    case PTS_AST_UNARY: {
        /* -literal is a negative constant */
        if (n->op == PTS_TK_MINUS && (n->kids[0]->kind == PTS_AST_INT || n->kids[0]->kind == PTS_AST_FLOAT ||
                                      n->kids[0]->kind == PTS_AST_IMAG)) {
            /* torch materializes the literal, then folds its negation into a constant where it
             * is used (the literal's constant stays for later literals of its value) */
            if (!emit_expr(E, n->kids[0])) return NULL;
            PtsValue v;
            if (!const_value(E, n, &v)) return NULL;
            return konst(E, v, n);
        }
        PtsIrValue *x = emit_expr(E, n->kids[0]);
        if (!x) return NULL;
        if (x->type->kind == PTS_TY_CLASS) {
            bool handled;
            PtsIrValue *r = magic_unary(E, n->op, x, n, &handled);
            if (handled) return r;
        }
        if (n->op == PTS_TK_PLUS) {
            if (!is_num(x->type) && x->type->kind != PTS_TY_TENSOR)
                return efail(E, n, "unary + on a value of type %s", tstr(E, x->type));
            return x;
        }
        if (n->op == PTS_TK_MINUS) return op1(E, "neg", x, n);
        /* torch has no int overload: ~a on an int is its 'Arguments for call are not valid' */
        return op1(E, "bitwise_not", x, n);
    }
    case PTS_AST_NOT: {
        PtsIrValue *c = emit_cond(E, n->kids[0]);
        if (!c) return NULL;
        /* `not torch.jit.is_scripting()`, `not isinstance(...)`: still decided at compile time, so
         * an `if` on it compiles only the live branch, as torch's static conditions (a literal
         * True/False stays a run-time value there) */
        if (c->node && c->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT) && n->kids[0]->kind != PTS_AST_TRUE &&
            n->kids[0]->kind != PTS_AST_FALSE) {
            const PtsNodeAttr *a = pts_node_attr(c->node, "value");
            if (a && a->v.tag == PTS_V_BOOL) return cbool(E, !a->v.u.b, n);
        }
        return op1(E, "__not__", c, n);
    }
    case PTS_AST_AND: case PTS_AST_OR: {
        PtsIrValue *c = emit_cond(E, n->kids[0]);
        if (!c) return NULL;
        if (n->kind == PTS_AST_AND) return emit_if_value(E, c, br_cond, n->kids[1], br_false, n, n, n->kids[0]);
        return emit_if_value(E, c, br_true, n, br_cond, n->kids[1], n, n->kids[0]);
    }
    case PTS_AST_IFEXP: {
        bool h = E->hint_at == n && E->hint;   /* torch hands a conditional's hint to both arms */
        PtsIrValue *c = emit_cond(E, n->kids[0]);
        return c ? emit_if_value(E, c, h ? br_hinted : br_expr, n->kids[1], h ? br_hinted : br_expr, n->kids[2], n, n->kids[0]) : NULL;
    }
    case PTS_AST_BINOP: {
        /* torch's frontend emits the left side of `%` twice (once to see whether it formats a
         * str): its variable reads name values twice. Repeated here when that makes no node
         * with an effect (reads, literals, arithmetic; the copy is dead) */
        if (n->op == PTS_TK_PERCENT && E->ns && pure_operand(n->kids[0]) && !emit_expr(E, n->kids[0])) return NULL;
        PtsIrValue *x = emit_expr(E, n->kids[0]), *y;
        if (!x || !(y = emit_expr(E, n->kids[1]))) return NULL;
        return emit_binary(E, n->op, x, y, n);
    }
    case PTS_AST_COMPARE: {
        PtsIrValue *l = emit_expr(E, n->kids[0]);
        return l ? emit_chain(E, n, 0, l) : NULL;
    }
    case PTS_AST_TUPLE: {
        PtsIrValue *items[256];
        if (n->n > 256) return efail(E, n, "tuple literal too long (limit 256 items)");
        for (int i = 0; i < n->n; i++) {
            if (n->kids[i]->kind == PTS_AST_STARRED) return efail(E, n->kids[i], "starred expressions are not supported yet");
            if (!(items[i] = emit_expr(E, n->kids[i]))) return NULL;
        }
        return tuple_of(E, n->n, items, n);
    }
    case PTS_AST_LIST: return emit_list(E, n);
    case PTS_AST_SUBSCRIPT: {
        const PtsAst *sn = subscript_slices(E, n);
        return sn ? emit_subscript(E, sn) : NULL;
    }
    case PTS_AST_DICT: return emit_dict(E, n);
    case PTS_AST_LISTCOMP: case PTS_AST_DICTCOMP: return emit_comprehension(E, n);
    case PTS_AST_STARRED: return efail(E, n, "starred expressions are not supported yet");
    case PTS_AST_SLICE: return efail(E, n, "slices can only be used in an index");
    default: return efail(E, n, "unexpected %s in an expression", pts_ast_kind_name(n->kind));
    }
}

/* what a global name refers to */
static bool resolve_global(Emitter *E, const PtsAst *at, const char *name, Sv *out) {
    static const char *const builtins[] = { "range", "len", "int", "float", "bool", "print", "isinstance",
                                            "min", "max", "abs", "str", "list", "tuple", "getattr", "hasattr",
                                            "zip", "enumerate", "sum", "round", "super", "divmod", "sorted",
                                            "fork", "awaitable", NULL };   /* archive code's (emit_fork.inc) */
    if (E->res && E->res->global) {
        PtsResolved r;
        memset(&r, 0, sizeof r);
        if (E->res->global(E->res->ctx, name, &r, E->err)) {
            pts_value_release(&r.value);
            if (E->err->code == PTS_OK) pts_fail(E->err, PTS_ERR_COMPILE, "name resolution of '%s' failed", name);
            return false;
        }
        r.ns[sizeof r.ns - 1] = 0;
        switch (r.kind) {
        case PTS_RES_NAMESPACE:
        case PTS_RES_BUILTIN: {
            const char *s = pts_arena_strndup(E->a, r.ns, strlen(r.ns));
            if (!s) return oom(E), false;
            *out = (Sv){ r.kind == PTS_RES_NAMESPACE ? SV_NS : SV_BUILTIN, NULL, s, name };
            return true;
        }
        case PTS_RES_OP: {
            const char *s = pts_arena_strndup(E->a, r.ns, strlen(r.ns));
            if (!s) return oom(E), false;
            *out = (Sv){ SV_OPFN, NULL, s, NULL };
            return true;
        }
        case PTS_RES_VALUE: {
            int tag = r.value.tag;
            if (tag != PTS_V_INT && tag != PTS_V_DOUBLE && tag != PTS_V_BOOL && tag != PTS_V_STR && tag != PTS_V_NONE &&
                tag != PTS_V_COMPLEX) {
                pts_value_release(&r.value);
                efail(E, at, "Python value '%s' cannot be used as a constant", name);
                return false;
            }
            PtsIrValue *v = konst(E, r.value, at);
            if (!v) return false;
            *out = (Sv){ SV_VALUE, v, NULL, NULL };
            return true;
        }
        case PTS_RES_FUNCTION:
            if (!r.fn) break;
            *out = (Sv){ SV_FUNCTION, NULL, name, name };
            return true;
        case PTS_RES_CLASS:
            if (!r.type) break;
            return class_sv(E, &r, out);
        case PTS_RES_OTHER:
            if (strcmp(r.ns, "function") == 0) {
                efail(E, at, "calling the Python function '%s' from TorchScript is not supported yet", name);
                return false;
            }
            efail(E, at, "Python value of type '%s' cannot be used as a value. Perhaps it is a closed over global "
                  "variable? If so, please consider passing it in as an argument or use a local variable instead.",
                  r.ns);
            return false;
        default: break;
        }
    } else {
        /* no resolver (archive code): the builtin namespaces */
        if (strcmp(name, "torch") == 0 || strcmp(name, "math") == 0) {
            *out = (Sv){ SV_NS, NULL, name, name };
            return true;
        }
        for (int i = 0; builtins[i]; i++)
            if (strcmp(builtins[i], name) == 0) {
                *out = (Sv){ SV_BUILTIN, NULL, builtins[i], NULL };
                return true;
            }
    }
    /* the float globals TorchScript's printer writes for infinities and NaN (`-inf`) */
    if (strcmp(name, "inf") == 0 || strcmp(name, "nan") == 0) {
        PtsIrValue *v = konst(E, pts_vdouble(name[0] == 'i' ? INFINITY : NAN), at);
        if (!v) return false;
        *out = (Sv){ SV_VALUE, v, NULL, NULL };
        return true;
    }
    efail(E, at, "undefined value %s%s", name, hint_undefined(E, name));
    return false;
}

/* the attribute `name` of a module object value */
static bool object_attr(Emitter *E, PtsIrValue *obj, const char *name, const PtsAst *at, Sv *out) {
    PtsClassType *cls = obj->type->cls;
    if (cls && cls->is_enum) return enum_value_attr(E, obj, name, at, out);
    for (int i = 0; i < cls->nconsts; i++)
        if (strcmp(cls->const_names[i], name) == 0) {   /* __constants__ / Final: a prim::Constant */
            /* a tuple (or list) constant is torch's TupleConstruct of item constants, folded by
             * constant propagation into one constant without a range */
            int ct = cls->const_values[i].tag;
            PtsIrValue *v = konst(E, pts_value_retain(cls->const_values[i]), ct == PTS_V_TUPLE || ct == PTS_V_LIST ? NULL : at);
            if (!v) return false;
            /* a tuple constant: the type the object's attribute was given from its value */
            int cs = pts_class_find_attr(cls, name);
            if (cs >= 0 && v->type->kind == PTS_TY_ANY && cls->attrs[cs].type->kind == PTS_TY_TUPLE) {
                pts_type_release(v->type);
                v->type = R(cls->attrs[cs].type);
            }
            *out = (Sv){ SV_VALUE, v, NULL, NULL };
            return true;
        }
    bool prop;
    if (class_property_get(E, obj, name, at, out, &prop) || prop) return prop && !E->err->code;
    int slot = pts_class_find_attr(cls, name);
    if (slot >= 0) {
        PtsNode *n = mk(E, PTS_KIND_PRIM(PTS_PRIM_GETATTR), 1, &obj, 1, (PtsType *[]){ R(cls->attrs[slot].type) }, at);
        if (!n || !set_name_attr(E, n, name)) return false;
        /* Graph::createGetAttr names its output, a number with '_' before it ("0" -> _0) */
        char vn[128];
        bool digits = name[0] != 0;
        for (const char *c = name; *c; c++) digits = digits && *c >= '0' && *c <= '9';
        if (digits && strlen(name) < sizeof vn - 1) {
            snprintf(vn, sizeof vn, "_%s", name);
            name = pts_arena_strndup(E->a, vn, strlen(vn));
            if (!name) return oom(E), false;
        }
        pts_value_set_name(E->g, n->outputs[0], name);
        if (E->ns && !E->ns_off) (void)pts_namesim_set(E->ns, n->outputs[0], name);   /* not gated by meaningfulName */
        *out = (Sv){ SV_VALUE, n->outputs[0], NULL, NULL };
        return true;
    }
    /* a method: known, or (on the class being compiled) available from the resolver */
    if (pts_class_find_method(cls, name) || (cls == E->cls && E->res && E->res->method)) {
        *out = (Sv){ SV_METHOD, obj, name, NULL };
        return true;
    }
    if (!cls->is_module) return class_no_attr(E, cls, name, at), false;
    const char *short_name = strrchr(cls->qualname, '.');
    efail(E, at, "Module '%s' has no attribute '%s'%s", short_name ? short_name + 1 : cls->qualname, name,
          hint_class_member(E, cls, name));
    return false;
}

static bool emit_sugared(Emitter *E, const PtsAst *n, Sv *out) {
    if (!stack_ok(E, n)) return false;
    if (n->kind == PTS_AST_NAME) {
        Var *v = lookup(E, n->str);
        if (v) {
            if (!v->v) {
                efail(E, n, "%s", v->undef ? v->undef : "undefined value");
                return false;
            }
            /* torch loads the variable (a module is a sugared value: no load) */
            if (!(v->v->type->kind == PTS_TY_CLASS && v->v->type->cls->is_module)) tn_load(E, v->v, n->str);
            *out = (Sv){ SV_VALUE, v->v, NULL, NULL };
            return true;
        }
        return resolve_global(E, n, n->str, out);
    }
    if (n->kind == PTS_AST_ATTR) {
        Sv base;
        if (!emit_sugared(E, n->kids[0], &base)) return false;
        const char *name = n->str;
        if (base.kind == SV_NS) {
            /* a function of an op namespace, resolved at the call; a value or module otherwise */
            char path[256];
            snprintf(path, sizeof path, "%s.%s", base.path ? base.path : base.name, name);
            if (E->res && E->res->global) {
                PtsResolved r;
                memset(&r, 0, sizeof r);
                if (E->res->global(E->res->ctx, path, &r, E->err)) { pts_value_release(&r.value); return false; }
                if (r.kind == PTS_RES_NAMESPACE) {
                    const char *s = pts_arena_strndup(E->a, r.ns, strnlen(r.ns, sizeof r.ns));
                    const char *p = pts_arena_strndup(E->a, path, strlen(path));
                    if (!s || !p) return oom(E), false;
                    *out = (Sv){ SV_NS, NULL, s, p };
                    return true;
                }
                if (r.kind == PTS_RES_VALUE) {
                    PtsIrValue *v = konst(E, r.value, n);
                    if (!v) return false;
                    *out = (Sv){ SV_VALUE, v, NULL, NULL };
                    return true;
                }
                if (r.kind == PTS_RES_CLASS && r.type) return class_sv(E, &r, out);
                if (r.kind == PTS_RES_OP) {   /* a registry function under another name (torch.special.expit) */
                    const char *s = pts_arena_strndup(E->a, r.ns, strnlen(r.ns, sizeof r.ns));
                    if (!s) return oom(E), false;
                    *out = (Sv){ SV_OPFN, NULL, s, NULL };
                    return true;
                }
                if (r.kind == PTS_RES_FUNCTION && r.fn) {
                    const char *p = pts_arena_strndup(E->a, path, strlen(path));
                    if (!p) return oom(E), false;
                    *out = (Sv){ SV_FUNCTION, NULL, p, p };
                    return true;
                }
                pts_value_release(&r.value);
                /* the module has no such attribute: an op of that name is not reachable through it
                 * (torch resolves module attributes through Python) */
                if (r.kind == PTS_RES_OTHER && strcmp(r.ns, "<missing>") == 0) {
                    PtsNearest near;
                    char line[160];
                    pts_nearest_init(&near, name);
                    pts_nearest_add_functions(&near);
                    efail(E, n, "module '%s' has no attribute '%s'%s", base.path ? base.path : base.name, name,
                          pts_nearest_line(&near, line, sizeof line));
                    return false;
                }
            }
            /* math.remainder is IEEE's remainder: torch's aten::mathremainder, not Python's % */
            if (base.name && strcmp(base.name, "math") == 0 && strcmp(name, "remainder") == 0) name = "mathremainder";
            /* cmath (resolved as the math namespace): phase is aten::angle, rect aten::polar */
            if (base.name && strcmp(base.name, "math") == 0) name = complex_math_name(name);
            /* torch.linalg.X is the op linalg_X (torch binds them so, in torch._C._linalg) */
            char lname[160];
            if (base.name && strcmp(base.name, "torch.linalg") == 0 && strlen(name) < 120) {
                snprintf(lname, sizeof lname, "linalg_%s", name);
                name = lname;
            }
            const char *s = pts_arena_strndup(E->a, name, strlen(name));
            if (!s) return oom(E), false;
            *out = (Sv){ SV_OPFN, NULL, s, NULL };
            return true;
        }
        if (base.kind == SV_CLASS) return class_attr_sv(E, &base, name, n, out);
        if (base.kind != SV_VALUE) {
            efail(E, n, "'%s' has no attribute '%s'", base.name ? base.name : "value", name);
            return false;
        }
        PtsIrValue *obj = base.v;
        if (obj->type->kind == PTS_TY_CLASS) return object_attr(E, obj, name, n, out);
        if (obj->type->kind == PTS_TY_TENSOR) {
            /* properties lowered to ops */
            static const struct { const char *attr, *op; } props[] = {
                {"shape", "size"}, {"ndim", "dim"}, {"T", "numpy_T"}, {"mT", "mT"}, {"H", "adjoint"},
                {"dtype", "dtype"}, {"device", "device"}, {"requires_grad", "requires_grad"}, {"is_cuda", "is_cuda"},
                {"data", "data"}, {"real", "real"}, {"imag", "imag"},
                /* ops_attrs.def */
                {"nbytes", "nbytes"}, {"itemsize", "itemsize"}, {"layout", "layout"},
                {"is_leaf", "is_leaf"}, {"is_sparse", "is_sparse"}, {"is_quantized", "is_quantized"},
                {"is_meta", "is_meta"}, {"is_mkldnn", "is_mkldnn"},
            };
            for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
                if (strcmp(props[i].attr, name) == 0) {
                    PtsIrValue *v = op1(E, props[i].op, obj, n);
                    if (!v) return false;
                    /* torch inserts the property's node without a source range, or, for the
                     * properties it defines as builtin functions in its own source ("<string>"),
                     * with the range of the inlined body's call */
                    static const struct { const char *attr; int line, col; } builtin_at[] = {
                        {"shape", 13, 9}, {"ndim", 3, 9}, {"T", 5, 9}, {"H", 7, 9},
                    };
                    if (v->node && v->node->noutputs == 1 && v->node->outputs[0] == v) {
                        memset(&v->node->range, 0, sizeof v->node->range);
                        for (size_t k = 0; k < sizeof builtin_at / sizeof builtin_at[0]; k++)
                            if (strcmp(builtin_at[k].attr, name) == 0) builtin_range(E, v->node, builtin_at[k].line, builtin_at[k].col);
                    }
                    *out = (Sv){ SV_VALUE, v, NULL, NULL };
                    return true;
                }
            *out = (Sv){ SV_METHOD, obj, name, NULL };
            return true;
        }
        if (obj->type->kind == PTS_TY_LIST || obj->type->kind == PTS_TY_DICT || obj->type->kind == PTS_TY_STR ||
            obj->type->kind == PTS_TY_FUTURE) {   /* fut.wait(): emit_fork.inc */
            *out = (Sv){ SV_METHOD, obj, name, NULL };
            return true;
        }
        if (obj->type->kind == PTS_TY_TUPLE && obj->type->field_names) return namedtuple_attr(E, obj, name, n, out);
        if (obj->type->kind == PTS_TY_TUPLE) {
            /* `r = x.max(dim=0); r.values`: the tuple of an op's named results (torch's
             * return_types) is read by result name */
            PtsIrValue *v = op_result_by_name(obj, name);
            if (v) {
                *out = (Sv){ SV_VALUE, v, NULL, NULL };
                return true;
            }
        }
        efail(E, n, "'%s' object has no attribute or method '%s'.", tstr(E, obj->type), name);
        return false;
    }
    PtsIrValue *v = emit_expr(E, n);
    if (!v) return false;
    *out = (Sv){ SV_VALUE, v, NULL, NULL };
    return true;
}
/* }==================== */

/* {==================== calls ==================== */
static PtsStatus compile_def(CompileCtx *cc, PtsClassType *cls, const PtsSource *src, const char *def_name,
                             const PtsResolver *r, PtsError *err, PtsFunction **out);

/* evaluate the arguments of a call node in source order */
static bool emit_args(Emitter *E, const PtsAst *n, Call *c) {
    for (int i = 1; i < n->n; i++) {
        const PtsAst *a = n->kids[i];
        if (a->kind == PTS_AST_STARRED) return efail(E, a, "starred arguments are not supported yet"), false;
        if (a->kind == PTS_AST_KWARG) {
            if (c->nkw >= PTS_MAX_CALL_ARGS) return efail(E, a, "too many arguments"), false;
            c->kwn[c->nkw] = a->str;
            if (!(c->kwv[c->nkw++] = emit_expr(E, a->kids[0]))) return false;
        } else {
            if (c->npos >= PTS_MAX_CALL_ARGS) return efail(E, a, "too many arguments"), false;
            c->pos_at[c->npos] = a;
            if (!(c->pos[c->npos++] = emit_expr(E, a))) return false;
        }
    }
    return true;
}

/* call of a compiled free function f (archive code: __torch__.a.b.fn(...)): arguments matched by
 * f's signature, a prim::CallFunction node holding f in its "fn" attribute */
/* as torch's tryConvertToType for a List[T] (or Optional[List[T]]) parameter: a tuple of T items
 * becomes a list, and one T is repeated n times for a BroadcastingListN parameter (n > 0).
 * Anything else is returned as it is, for the caller's type check. */
static PtsIrValue *convert_to_list(Emitter *E, PtsIrValue *v, const PtsType *want, int n, const PtsAst *at) {
    if (want->kind == PTS_TY_OPTIONAL) want = want->elems[0];
    if (want->kind != PTS_TY_LIST) return v;
    const PtsType *et = want->elems[0];
    if (v->type->kind == PTS_TY_TUPLE) {
        int k = v->type->n;
        if (k > 256) return v;
        for (int i = 0; i < k; i++)
            if (!pts_type_subtype(v->type->elems[i], et)) return v;
        PtsNode *tn = v->node;
        if (tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && tn->ninputs == k)
            return list_construct(E, k, tn->inputs, et, at);
        PtsType *ts[256];
        for (int i = 0; i < k; i++) ts[i] = R(v->type->elems[i]);
        PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &v, k, ts, at);
        return u ? list_construct(E, k, u->outputs, et, at) : NULL;
    }
    if (n > 0 && et->kind != PTS_TY_TENSOR && pts_type_subtype(v->type, et)) {
        PtsIrValue *items[8];
        for (int i = 0; i < n; i++) items[i] = v;
        return list_construct(E, n, items, et, at);
    }
    return v;
}

#include "emit_iface.inc"

static PtsIrValue *call_function(Emitter *E, PtsFunction *f, const Call *c, const PtsAst *at) {
    PtsBlock *top = f->graph->top;
    int np = top->ninputs;
    PtsIrValue *ins[PTS_MAX_CALL_ARGS] = { 0 };
    bool named = f->arg_names && f->nargs == np;
    if (np > PTS_MAX_CALL_ARGS) return efail(E, at, "function %s has too many parameters", f->name);
    if (c->npos > np) return efail(E, at, "%s() expected at most %d arguments but received %d", f->name, np, c->npos);
    for (int i = 0; i < c->npos; i++) ins[i] = c->pos[i];
    for (int k = 0; k < c->nkw; k++) {
        int i;
        for (i = 0; i < np; i++) {
            const char *pn = named ? f->arg_names[i] : top->inputs[i]->name;
            if (pn && strcmp(pn, c->kwn[k]) == 0) break;
        }
        if (i == np)
            return efail(E, at, "%s() got an unexpected keyword argument '%s'%s", f->name, c->kwn[k],
                         hint_kwarg_fn(E, f, c->kwn[k], 0));
        if (ins[i]) return efail(E, at, "%s() got multiple values for argument '%s'", f->name, c->kwn[k]);
        ins[i] = c->kwv[k];
    }
    for (int i = 0; i < np; i++) {
        const PtsIrValue *p = top->inputs[i];
        const char *pn = named ? f->arg_names[i] : p->name;
        if (!ins[i]) {
            if (named && f->has_default && f->has_default[i]) {
                if (!(ins[i] = konst(E, pts_value_retain(f->defaults[i]), NULL))) return NULL;   /* no range, as torch */
                continue;
            }
            return efail(E, at, "%s() is missing value for argument '%s'", f->name, pn ? pn : "?");
        }
        const PtsType *want = p->type->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : p->type;
        if (!pts_type_subtype(ins[i]->type, want) && !(ins[i] = convert_to_list(E, ins[i], want, f->list_n ? f->list_n[i] : 0, at)))
            return NULL;
        if (!pts_type_subtype(ins[i]->type, want))
            return efail(E, at, "\n%s:\nExpected a value of type '%s' for argument '%s' but instead found type '%s'.%s%s%s",
                         f->name, param_tstr(E, f, i, want), pn ? pn : "?", value_tstr(E, ins[i]),
                         iface_why(E, ins[i]->type, want), param_inferred_why(E, f, i, pn), hint_arg(E, ins[i], want));
    }
    int nret = top->noutputs;
    PtsType *ot[8];
    if (nret > 8) return efail(E, at, "function %s returns too many values", f->name);
    for (int k = 0; k < nret; k++) {
        const PtsType *t = top->outputs[k]->type;
        ot[k] = R(t->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : t);
    }
    PtsNode *n = mk(E, PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION), np, ins, nret, ot, at);
    if (!n) return NULL;
    PtsValue ref;
    if (pts_function_ref_new(f, E->err, &ref) || pts_node_set_attr(E->g, n, "fn", PTS_AV_IVALUE, ref, NULL, E->err))
        return NULL;
    return nret == 1 ? n->outputs[0] : cnone(E, at);
}

static int const_cond(const PtsIrValue *c);

/* torch's boolean_dispatch (F.max_pool2d on return_indices): a Python function whose attribute
 * `_pyts_dispatch` is "<argument>:<position>:<default 0/1>" stands for its `_pyts_dispatch_true`
 * or `_pyts_dispatch_false` function, chosen by the argument, which must be a constant bool.
 * Returns the path of the function to call (path itself for other functions), NULL on error. */
static const char *boolean_dispatch(Emitter *E, const char *path, const Call *c, const PtsAst *at) {
    char q[400];
    if (strlen(path) > 300) return path;
    snprintf(q, sizeof q, "%s._pyts_dispatch", path);
    PtsResolved r;
    memset(&r, 0, sizeof r);
    if (E->res->global(E->res->ctx, q, &r, E->err)) { pts_value_release(&r.value); return NULL; }
    if (r.kind != PTS_RES_VALUE || r.value.tag != PTS_V_STR) { pts_value_release(&r.value); return path; }
    char spec[160], arg[128];
    snprintf(spec, sizeof spec, "%s", pts_as_str(r.value)->data);
    pts_value_release(&r.value);
    int pos = -1, dflt = 0;
    char *c1 = strchr(spec, ':');
    if (!c1 || (size_t)(c1 - spec) >= sizeof arg || sscanf(c1 + 1, "%d:%d", &pos, &dflt) != 2)
        return efail(E, at, "malformed boolean dispatch of '%s'", path);
    snprintf(arg, sizeof arg, "%.*s", (int)(c1 - spec), spec);
    PtsIrValue *v = NULL;
    bool kw = false;
    for (int k = 0; k < c->nkw; k++) if (strcmp(c->kwn[k], arg) == 0) v = c->kwv[k], kw = true;
    if (!v && pos >= 0 && pos < c->npos) v = c->pos[pos];
    int which = dflt != 0;
    if (v && (v->type->kind != PTS_TY_BOOL || (which = const_cond(v)) < 0)) {
        /* torch's messages, on the callee */
        if (kw) return efail(E, at, "Keyword argument '%s' for boolean dispatch at position was not constant", arg);
        return efail(E, at, "Argument for boolean dispatch at position %d was not constant", pos);
    }
    snprintf(q, sizeof q, "%s._pyts_dispatch_%s", path, which ? "true" : "false");
    const char *p = pts_arena_strndup(E->a, q, strlen(q));
    return p ? p : oom(E);
}

/* the function the resolver knows as path; *qual (optional) gets its archive name: the one the
 * resolver reports in ns ("__torch__.mod.fn" for a Python function), else path itself */
static PtsFunction *resolve_function_q(Emitter *E, const char *path, const PtsAst *at, const char **qual) {
    PtsResolved r;
    memset(&r, 0, sizeof r);
    if (E->res->global(E->res->ctx, path, &r, E->err)) { pts_value_release(&r.value); return NULL; }
    pts_value_release(&r.value);
    if (r.kind != PTS_RES_FUNCTION || !r.fn) return efail(E, at, "'%s' is no longer a function", path);
    if (qual) {
        r.ns[sizeof r.ns - 1] = 0;
        *qual = r.ns[0] ? pts_arena_strndup(E->a, r.ns, strlen(r.ns)) : path;
        if (!*qual) return oom(E);
    }
    return r.fn;
}

static PtsIrValue *uninitialized(Emitter *E, const PtsType *t, const PtsAst *at);
static bool emit_raise_node(Emitter *E, PtsIrValue *m, const char *cls, const PtsAst *cls_at, const PtsAst *at);

/* the callee's archive name on a prim::CallFunction node, for the code printer */
static PtsIrValue *call_function_named(Emitter *E, PtsFunction *f, const char *qual, const Call *c, const PtsAst *at) {
    PtsIrValue *v = call_function(E, f, c, at);
    if (!v) return NULL;
    PtsNode *n = E->blk->last;
    while (n && n->kind != PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION)) n = n->prev;
    if (n && qual && qual[0] == '^' && qual[1] == '!') {
        /* an @unused (dropped) function or method ("^!:<name>"): f is its signature; as torch, the
         * call is prim::RaiseException and its result prim::Uninitialized of the return type */
        if (n->noutputs > 1 || (n->noutputs == 1 && (v != n->outputs[0] || v->nuses)))
            return efail(E, at, "internal: unexpected call of dropped function '%s'", qual + 3);
        const PtsType *rt = n->noutputs ? keep(E, R(n->outputs[0]->type)) : NULL;   /* outlives n */
        if (n->noutputs && !rt) return NULL;
        pts_node_destroy(n);
        static const char msg[] = "This Python function is annotated to be ignored and cannot be run";
        PtsValue s;
        PtsIrValue *m;
        if (pts_str_new(msg, sizeof msg - 1, E->err, &s) || !(m = konst(E, s, at)) || !emit_raise_node(E, m, NULL, NULL, at))
            return NULL;
        return rt ? uninitialized(E, rt, at) : cnone(E, at);
    }
    if (n && qual && qual[0] == '^') {
        /* an @ignore'd Python function ("^<pyid>:<name>" from the resolver): f is its compiled
         * signature (typing and defaults above); the call runs the Python function itself */
        char *end;
        long long id = strtoll(qual + 1, &end, 10);
        if (*end != ':') return efail(E, at, "malformed Python function reference '%s'", qual);
        PtsValue s;
        n->kind = PTS_KIND_PRIM(PTS_PRIM_PYTHONOP);
        if (pts_node_set_attr(E->g, n, "pyid", PTS_AV_INT, pts_vint(id), NULL, E->err) ||
            pts_str_new(end + 1, strlen(end + 1), E->err, &s) ||
            pts_node_set_attr(E->g, n, "name", PTS_AV_STR, s, NULL, E->err))
            return NULL;
        return v;
    }
    if (n && qual) {
        PtsValue s;
        if (pts_str_new(qual, strlen(qual), E->err, &s) ||
            pts_node_set_attr(E->g, n, "qualname", PTS_AV_IVALUE, s, NULL, E->err))
            return NULL;
    }
    return v;
}

/* a function used as a value (archive code hoists callees: `_0 = __torch__.m.f` ... `_0(x)`): a
 * constant of type Function holding it, called through call_function */
static PtsIrValue *function_value(Emitter *E, const char *path, const PtsAst *at) {
    const char *qual = NULL;
    PtsFunction *f = resolve_function_q(E, path, at, &qual);
    PtsValue ref;
    if (f && qual && qual[0] == '^')
        return efail(E, at, "the @ignore'd Python function '%s' can only be called, not used as a value", path);
    if (!f || pts_function_ref_new(f, E->err, &ref)) return NULL;
    PtsIrValue *v = konst(E, ref, at);
    if (!v) return NULL;
    pts_type_release(v->type);
    v->type = R(ty(PTS_TY_FUNCTION));
    return v;
}

/* call of a compiled method f on obj: arguments matched by f's signature */
static PtsIrValue *call_method(Emitter *E, PtsIrValue *obj, PtsFunction *f, const Call *c, const PtsAst *at) {
    PtsBlock *top = f->graph->top;
    int nparams = top->ninputs - 1;
    PtsIrValue *ins[PTS_MAX_CALL_ARGS + 1] = { 0 };
    if (nparams > PTS_MAX_CALL_ARGS) return efail(E, at, "method %s has too many parameters", f->name);
    if (c->npos > nparams)
        return efail(E, at, "%s() expected at most %d arguments but received %d", f->name, nparams, c->npos);
    for (int i = 0; i < c->npos; i++) ins[i + 1] = c->pos[i];
    for (int k = 0; k < c->nkw; k++) {
        int i;
        for (i = 0; i < nparams; i++) {
            const char *pn = f->arg_names && f->nargs == top->ninputs ? f->arg_names[i + 1] : top->inputs[i + 1]->name;
            if (pn && strcmp(pn, c->kwn[k]) == 0) break;
        }
        if (i == nparams)
            return efail(E, at, "%s() got an unexpected keyword argument '%s'%s", f->name, c->kwn[k],
                         hint_kwarg_fn(E, f, c->kwn[k], 1));
        if (ins[i + 1]) return efail(E, at, "%s() got multiple values for argument '%s'", f->name, c->kwn[k]);
        ins[i + 1] = c->kwv[k];
    }
    for (int i = 0; i < nparams; i++) {
        const PtsIrValue *p = top->inputs[i + 1];
        const char *pn = f->arg_names && f->nargs == top->ninputs ? f->arg_names[i + 1] : p->name;
        if (!ins[i + 1]) {
            if (f->has_default && f->nargs == top->ninputs && f->has_default[i + 1]) {
                if (!(ins[i + 1] = konst(E, pts_value_retain(f->defaults[i + 1]), NULL))) return NULL;   /* no range, as torch */
                continue;
            }
            return efail(E, at, "%s() is missing value for argument '%s'", f->name, pn ? pn : "?");
        }
        /* traced methods have refined Tensor parameter types: any Tensor is accepted */
        const PtsType *want = p->type->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : p->type;
        if (!pts_type_subtype(ins[i + 1]->type, want) &&
            !(ins[i + 1] = convert_to_list(E, ins[i + 1], want, f->list_n && f->nargs == top->ninputs ? f->list_n[i + 1] : 0, at)))
            return NULL;
        if (!pts_type_subtype(ins[i + 1]->type, want))
            return efail(E, at, "\n%s:\nExpected a value of type '%s' for argument '%s' but instead found type '%s'.%s%s%s",
                         f->name, param_tstr(E, f, i + 1, want), pn ? pn : "?", value_tstr(E, ins[i + 1]),
                         iface_why(E, ins[i + 1]->type, want), param_inferred_why(E, f, i + 1, pn),
                         hint_arg(E, ins[i + 1], want));
    }
    ins[0] = obj;
    int nret = top->noutputs;
    PtsType *ot[8];
    if (nret > 8) return efail(E, at, "method %s returns too many values", f->name);
    for (int k = 0; k < nret; k++) {
        /* results of traced methods carry shapes; callers see plain Tensor (also in tuples) */
        const PtsType *t = top->outputs[k]->type;
        if (t->kind == PTS_TY_TUPLE && !t->field_names && t->n <= 64) {
            PtsType *es[64];
            bool shaped = false;
            for (int i = 0; i < t->n; i++) {
                es[i] = t->elems[i]->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : (PtsType *)t->elems[i];
                shaped |= es[i] != t->elems[i];
            }
            if (shaped && !(t = keep(E, pts_type_tuple(t->n, es)))) {
                for (int i = 0; i < k; i++) pts_type_release(ot[i]);
                return NULL;
            }
        }
        ot[k] = R(t->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : t);
    }
    PtsNode *n = mk(E, PTS_KIND_PRIM(PTS_PRIM_CALLMETHOD), nparams + 1, ins, nret, ot, at);
    if (!n || !set_name_attr(E, n, f->name)) return NULL;
    return nret == 1 ? n->outputs[0] : cnone(E, at);
}

/* obj.name(...) where obj is a module */
static PtsIrValue *emit_method_call(Emitter *E, PtsIrValue *obj, const char *name, const Call *c, const PtsAst *at) {
    PtsClassType *cls = obj->type->cls;
    PtsFunction *f = pts_class_find_method(cls, name);
    if (!f && cls == E->cls && E->res && E->res->global) {
        /* an @ignore'd method: the resolver answers "^self.<name>" with its signature (self
         * dropped) and "^<pyid>:<name>"; the call is a prim::PythonOp on (self, args...) */
        char path[160];
        snprintf(path, sizeof path, "^self.%s", name);
        PtsResolved r;
        memset(&r, 0, sizeof r);
        if (E->res->global(E->res->ctx, path, &r, E->err)) { pts_value_release(&r.value); return NULL; }
        pts_value_release(&r.value);
        r.ns[sizeof r.ns - 1] = 0;
        if (r.kind == PTS_RES_FUNCTION && r.fn && r.ns[0] == '^') {
            const char *q = pts_arena_strndup(E->a, r.ns, strlen(r.ns));
            if (!q) return oom(E);
            PtsIrValue *v = call_function_named(E, r.fn, q, c, at);
            if (!v || q[1] == '!') return v;   /* @unused: a raise, no call */
            PtsNode *n = E->blk->last;
            while (n && n->kind != PTS_KIND_PRIM(PTS_PRIM_PYTHONOP)) n = n->prev;
            if (!n) return efail(E, at, "internal: no prim::PythonOp for '%s'", name);
            int np = n->ninputs;
            if (pts_node_add_input(E->g, n, obj, E->err)) return NULL;
            /* move self to the front; each use of n records its input index */
            for (int k = 0; k <= np; k++) {
                PtsIrValue *iv = n->inputs[k];
                bool dup = false;
                for (int j = 0; j < k; j++) dup = dup || n->inputs[j] == iv;
                if (dup) continue;
                for (int u = 0; u < iv->nuses; u++)
                    if (iv->uses[u].user == n) iv->uses[u].index = iv->uses[u].index == np ? 0 : iv->uses[u].index + 1;
            }
            for (int k = np; k > 0; k--) n->inputs[k] = n->inputs[k - 1];
            n->inputs[0] = obj;
            return v;
        }
    }
    if (!f && cls == E->cls && E->res && E->res->method) {
        /* a method of the class being compiled that is not compiled yet */
        CompileCtx *cc = E->cc;
        for (int i = 0; i < cc->n; i++)
            if (strcmp(cc->names[i], name) == 0)
                return efail(E, at, "method '%s' is called recursively; recursion is not supported in TorchScript", name);
        if (cc->n >= PTS_MAX_COMPILE_NEST) return efail(E, at, "methods call each other too deeply (limit %d)", PTS_MAX_COMPILE_NEST);
        PtsOwnedSource os;
        memset(&os, 0, sizeof os);
        if (E->res->method(E->res->ctx, name, &os, E->err)) {
            pts_free(os.text);
            pts_free(os.file);
            return NULL;
        }
        if (!os.text) {
            pts_free(os.file);
            if (!cls->is_module) return class_no_attr(E, cls, name, at);
            const char *sn = strrchr(cls->qualname, '.');
            return efail(E, at, "Module '%s' has no attribute '%s'%s", sn ? sn + 1 : cls->qualname, name,
                         hint_class_member(E, cls, name));
        }
        PtsSource s2 = { os.text, os.len, os.file, os.line_offset };
        PtsStatus st = compile_def(cc, cls, &s2, NULL, E->res, E->err, NULL);
        pts_free(os.text);
        pts_free(os.file);
        if (st) return NULL;
        f = pts_class_find_method(cls, name);
        if (!f) return efail(E, at, "method '%s' did not compile to a method of that name", name);
    }
    if (!f) {
        if (!cls->is_module) return class_no_attr(E, cls, name, at);
        const char *sn = strrchr(cls->qualname, '.');
        return efail(E, at, "Module '%s' has no method '%s'%s", sn ? sn + 1 : cls->qualname, name,
                     hint_class_member(E, cls, name));
    }
    return call_method(E, obj, f, c, at);
}

static PtsIrValue *uninitialized(Emitter *E, const PtsType *t, const PtsAst *at);

/* x.int(), x.float(), ...: torch's builtin methods `def int(self): return self.to(torch.int)`,
 * i.e. aten::to(x, <dtype>, False, False, None). torch has no x.bool() and x.bfloat16() in script;
 * pyts lowers them the same way (the printed torch.to(x, 11) loads in torch). *is_cast is false
 * when name is no such method. */
static PtsIrValue *emit_tensor_cast(Emitter *E, PtsIrValue *x, const char *name, const PtsAst *n, bool *is_cast) {
    static const struct { const char *name; int dtype; } casts[] = {
        {"byte", PTS_UINT8}, {"char", PTS_INT8}, {"short", PTS_INT16}, {"int", PTS_INT32}, {"long", PTS_INT64},
        {"half", PTS_FLOAT16}, {"float", PTS_FLOAT32}, {"double", PTS_FLOAT64}, {"bool", PTS_BOOL},
        {"bfloat16", PTS_BFLOAT16}, {"cfloat", PTS_COMPLEX64}, {"cdouble", PTS_COMPLEX128},
    };
    *is_cast = false;
    for (size_t i = 0; i < sizeof casts / sizeof casts[0]; i++) {
        if (strcmp(name, casts[i].name) != 0) continue;
        *is_cast = true;
        if (n->n != 1) return efail(E, n, "%s() takes no arguments (%d given)", name, n->n - 1);
        PtsIrValue *d = cint(E, casts[i].dtype, n);
        return d ? op2(E, "to.dtype", x, d, n) : NULL;
    }
    return NULL;
}

static PtsIrValue *emit_builtin_call(Emitter *E, const char *name, const PtsAst *n) {
    Call c;
    memset(&c, 0, sizeof c);
    if (strcmp(name, "range") == 0) return efail(E, n, "range() can only be used as the iterable of a for loop");
    if (strcmp(name, "print") == 0) return emit_print(E, n);
    if (strcmp(name, "list") == 0) {
        bool handled;
        PtsIrValue *r = enum_list_call(E, n, &handled);
        if (handled) return r;
    }
    {
        bool handled;
        PtsIrValue *r = emit_more_builtins(E, name, n, &handled);
        if (handled) return r;
    }
    if (strcmp(name, "isinstance") == 0) {
        /* decided statically from the value's type */
        if (n->n != 3) return efail(E, n, "isinstance() takes 2 arguments");
        PtsIrValue *v = emit_expr(E, n->kids[1]);
        if (!v) return NULL;
        const PtsAst *tn = n->kids[2];
        /* Any (and Optional[Any]) values are tested when the code runs */
        if (v->type->kind == PTS_TY_ANY || (v->type->kind == PTS_TY_OPTIONAL && v->type->elems[0]->kind == PTS_TY_ANY))
            return isinstance_any(E, v, tn, n);
        int nt = tn->kind == PTS_AST_TUPLE ? tn->n : 1;
        bool has_dict = false;
        for (int i = 0; i < nt; i++) {
            const PtsAst *one = tn->kind == PTS_AST_TUPLE ? tn->kids[i] : tn;
            has_dict = has_dict || (one->kind == PTS_AST_NAME && strcmp(one->str, "dict") == 0);
        }
        if (v->type->kind == PTS_TY_UNION || (v->type->kind == PTS_TY_OPTIONAL && !has_dict)) {
            /* decided statically when every member or none is one of the types, else tested at
             * run time: prim::isinstance[types=[...]] (the types in torch's order); an Optional
             * is the union of its type and None */
            const PtsType *ts[32], *m[64];
            int ntl = isinst_types(E, tn, ts, 32), nm = union_members(v->type, m), hit = 0;
            if (ntl < 0) return NULL;
            if (nm == 0) return efail(E, n, "isinstance() on a Union of more than 64 types is not supported");
            for (int i = 0; i < nm; i++) hit += isinst_member(m[i], ts, ntl);
            if (hit == 0 || hit == nm) return cbool(E, hit != 0, n);
            PtsType *st[32];
            int ns = 0;
            for (int i = 0; i < ntl; i++) {
                if (!ts[i]) return efail(E, tn, "isinstance(x, dict) on a Union is not supported yet; use Dict[K, V]");
                st[ns++] = (PtsType *)ts[i];
            }
            pts_type_sort(ns, st);
            PtsType *tt = pts_type_tuple(ns, st);
            if (!tt) return oom(E);
            PtsIrValue *r = mk1(E, PTS_KIND_PRIM(PTS_PRIM_ISINSTANCE), 1, &v, R(ty(PTS_TY_BOOL)), n);
            if (!r) { pts_type_release(tt); return NULL; }
            if (pts_node_set_attr(E->g, r->node, "types", PTS_AV_TYPE, pts_none(), tt, E->err)) return NULL;
            return r;
        }
        /* an Optional[U] value is a U or None: the test is `x is not None` / `x is None` when
         * only one of them matches (the branches refine x as that comparison does) */
        bool opt = v->type->kind == PTS_TY_OPTIONAL, r = false, none = false;
        const PtsType *inner = opt ? v->type->elems[0] : v->type;
        if (inner->kind == PTS_TY_ANY || inner->kind == PTS_TY_UNION)
            return efail(E, n, "isinstance() on values of type %s is not supported yet", tstr(E, v->type));
        for (int i = 0; i < nt; i++) {
            const PtsAst *one = tn->kind == PTS_AST_TUPLE ? tn->kids[i] : tn;
            const char *h = type_head(one);
            if (h && (strcmp(h, "list") == 0 || strcmp(h, "tuple") == 0 || strcmp(h, "dict") == 0)) {
                int k = h[0] == 'l' ? PTS_TY_LIST : h[0] == 't' ? PTS_TY_TUPLE : PTS_TY_DICT;
                r = r || inner->kind == k;
                continue;
            }
            const PtsType *t = parse_type(E, one);
            if (!t) return NULL;
            if (t->kind == PTS_TY_NONE) none = true;
            else r = r || pts_type_subtype(inner, t);
        }
        if (!opt || r == none) return cbool(E, r, n);
        PtsIrValue *nv = cnone(E, n);
        return nv ? op2(E, r ? "__isnot__" : "__is__", v, nv, n) : NULL;
    }
    /* archive code (and torch.jit's helpers): annotate(T, v), unchecked_cast(T, v), uninitialized(T);
     * getattr(obj, "name") names attributes that are not identifiers (Sequential's "0") */
    if (strcmp(name, "annotate") == 0 || strcmp(name, "unchecked_cast") == 0) {
        if (n->n != 3 || n->kids[1]->kind == PTS_AST_KWARG || n->kids[2]->kind == PTS_AST_KWARG)
            return efail(E, n, "%s() takes a type and a value", name);
        const PtsType *t = parse_type(E, n->kids[1]);
        PtsIrValue *v;
        if (!t) return NULL;
        if (name[0] == 'a') {
            /* annotate(List[Union[int, str]], [1, "a"]), annotate(Dict[str, int], {}): the literal
             * takes the annotated type */
            bool typed;
            PtsIrValue *lv = annotated_literal(E, t, n->kids[2], &typed);
            if (typed) return lv;
        }
        if (!(v = name[0] == 'a' ? emit_hinted(E, n->kids[2], t) : emit_expr(E, n->kids[2]))) return NULL;
        if (name[0] == 'a') {
            /* a Tensor where a number is annotated: TorchScript's implicit conversion (traces of
             * sizes print annotate(number, size) for a Scalar argument) */
            if (v->type->kind == PTS_TY_TENSOR && t->kind == PTS_TY_NUMBER) return op1(E, "ScalarImplicit", v, n);
            if (v->type->kind == PTS_TY_TENSOR && t->kind == PTS_TY_INT) return op1(E, "Int", v, n);
            if (v->type->kind == PTS_TY_TENSOR && t->kind == PTS_TY_FLOAT) return op1(E, "Float", v, n);
            if (!pts_type_subtype(v->type, t))
                return efail(E, n, "annotate(): expected a value of type %s but found %s", tstr(E, t), tstr(E, v->type));
            return v;
        }
        if (pts_type_subtype(v->type, t)) return v;
        return mk1(E, PTS_KIND_PRIM(PTS_PRIM_UNCHECKED_CAST), 1, &v, R(t), n);
    }
    if (strcmp(name, "uninitialized") == 0) {
        if (n->n != 2 || n->kids[1]->kind == PTS_AST_KWARG) return efail(E, n, "uninitialized() takes a type");
        const PtsType *t = parse_type(E, n->kids[1]);
        return t ? uninitialized(E, t, n) : NULL;
    }
    if (strcmp(name, "getattr") == 0) {
        if (n->n != 3 || n->kids[2]->kind != PTS_AST_STR || n->kids[1]->kind == PTS_AST_KWARG)
            return efail(E, n, "getattr() takes an object and an attribute name given as a string literal");
        PtsIrValue *obj = emit_expr(E, n->kids[1]);
        if (!obj) return NULL;
        if (obj->type->kind != PTS_TY_CLASS) return magic_getattr(E, obj, n);
        const char *an = n->kids[2]->str;
        if (strlen(an) != n->kids[2]->len) return efail(E, n->kids[2], "attribute names cannot contain NUL bytes");
        Sv sv;
        if (!object_attr(E, obj, an, n, &sv)) return NULL;
        if (sv.kind != SV_VALUE) return efail(E, n, "getattr() of method '%s' is not supported", an);
        return sv.v;
    }
    if (strcmp(name, "list") == 0) {
        bool handled;
        PtsIrValue *r = emit_list_call2(E, n, &handled);
        return handled ? r : emit_list_call(E, n);
    }
    if (strcmp(name, "dict") == 0) return emit_dict_call(E, n);
    if (strcmp(name, "tuple") == 0) return emit_tuple_call(E, n);
    if (strcmp(name, "slice") == 0) return efail(E, n, "Python slice value cannot be used as a value");
    if (!emit_args(E, n, &c)) return NULL;
    {
        bool handled;
        PtsIrValue *r = magic_builtin(E, name, &c, n, &handled);
        if (handled) return r;
    }
    if (strcmp(name, "int") == 0 || strcmp(name, "float") == 0 || strcmp(name, "bool") == 0) {
        static const char *const ops[] = { "Int", "Float", "Bool" };
        const char *op = ops[name[0] == 'i' ? 0 : name[0] == 'f' ? 1 : 2];
        if (c.nkw || c.npos > 1) return efail(E, n, "%s() takes at most 1 argument", name);
        if (c.npos == 0) {
            if (name[0] == 'i') return cint(E, 0, n);
            if (name[0] == 'f') return konst(E, pts_vdouble(0), n);
            return cbool(E, false, n);
        }
        /* bool(s) of a str is len(s) > 0: torch's builtin lowers it so */
        if (name[0] == 'b' && !c.nkw && c.pos[0]->type->kind == PTS_TY_STR) {
            PtsIrValue *len = op1(E, "len", c.pos[0], n), *zero = len ? cint(E, 0, n) : NULL;
            return zero ? op2(E, "gt", len, zero, n) : NULL;
        }
        /* a conversion to the same type is the value itself */
        PtsIrValue *x = c.pos[0];
        if ((name[0] == 'i' && x->type->kind == PTS_TY_INT) || (name[0] == 'f' && x->type->kind == PTS_TY_FLOAT) ||
            (name[0] == 'b' && x->type->kind == PTS_TY_BOOL))
            return x;
        return op_call(E, op, &c, n);
    }
    if (strcmp(name, "len") == 0 && c.npos == 1 && !c.nkw && c.pos[0]->type->kind == PTS_TY_CLASS &&
        c.pos[0]->type->cls->is_module)
        return emit_module_len(E, c.pos[0], n);
    /* hash(None) is 0: torch's constant propagation leaves that constant */
    if (strcmp(name, "hash") == 0 && c.npos == 1 && !c.nkw && c.pos[0]->type->kind == PTS_TY_NONE) return cint(E, 0, n);
    if (strcmp(name, "complex") == 0) return emit_complex_call(E, &c, n);
    static const char *const by_schema[] = { "len", "abs", "min", "max", "ord", "chr", "hex", "oct", "bin", "pow", "hash" };
    for (size_t i = 0; i < sizeof by_schema / sizeof by_schema[0]; i++)
        if (strcmp(name, by_schema[i]) == 0) return op_call(E, name, &c, n);
    /* torch resolves reversed() to a Python op taking a Tensor: its words for anything else */
    if (strcmp(name, "reversed") == 0 && c.npos == 1 && !c.nkw && c.pos[0]->type->kind != PTS_TY_TENSOR)
        return efail(E, n, "reversed(Tensor 0) -> Tensor 0:\nExpected a value of type 'Tensor' for argument '0' but instead "
                     "found type '%s'.", tstr(E, c.pos[0]->type));
    return efail(E, n, "builtin function '%s' is not supported yet", name);
}

/* {==================== x.tolist() ====================
 * As torch's special form: the result type is the hint (an annotation), which must be nested
 * lists of int, float, bool or complex; prim::tolist gets the depth and the element code and
 * checks them against the tensor when it runs. The call's arguments are ignored (not emitted), as
 * torch does. */
static PtsIrValue *emit_hinted(Emitter *E, const PtsAst *n, const PtsType *t) {
    const PtsAst *sat = E->hint_at;
    const PtsType *st = E->hint;
    E->hint_at = n;
    E->hint = t;
    PtsIrValue *v = emit_expr(E, n);
    E->hint_at = sat;
    E->hint = st;
    return v;
}

static PtsIrValue *emit_tolist(Emitter *E, PtsIrValue *x, const PtsType *t, const PtsAst *at) {
    if (!t) return efail(E, at, "Expected type hint for result of tolist()");
    int dim = 0;
    const PtsType *e = t;
    while (e->kind == PTS_TY_LIST) { e = e->elems[0]; dim++; }
    int code = e->kind == PTS_TY_INT ? 0 : e->kind == PTS_TY_FLOAT ? 1 : e->kind == PTS_TY_BOOL ? 2 : -1;
    /* torch's check has no source location (Graph::insertToList) */
    if (code < 0) return efail(E, NULL, "%s is not one of the supported element types for tolist: int, float, complex, bool", tstr(E, e));
    PtsIrValue *ins[3] = { x, cint(E, dim, NULL), cint(E, code, NULL) };   /* no range, as torch's insertToList */
    if (!ins[1] || !ins[2]) return NULL;
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_TOLIST), 3, ins, R(t), at);
}
/* }==================== */

static PtsIrValue *fork_call(Emitter *E, const Sv *callee, const PtsAst *n, bool *handled);
static PtsIrValue *emit_call(Emitter *E, const PtsAst *n) {
    Sv callee;
    if (!emit_sugared(E, n->kids[0], &callee)) return NULL;
    {
        bool handled;
        PtsIrValue *r = fork_call(E, &callee, n, &handled);
        if (handled) return r;
    }
    Call c;
    memset(&c, 0, sizeof c);
    switch (callee.kind) {
    case SV_BUILTIN: return emit_builtin_call(E, callee.name, n);
    case SV_FUNCTION: {
        if (!emit_args(E, n, &c)) return NULL;
        {
            bool handled;
            PtsIrValue *r = overload_call(E, callee.path, &c, n, &handled);
            if (handled) return r;
        }
        /* the resolver keeps the function alive; ask again for it by name */
        const char *qual = NULL, *path = boolean_dispatch(E, callee.path, &c, n->kids[0]);
        /* dispatches nest (torch.unique: on return_inverse, then on return_counts) */
        for (const char *prev = callee.path; path && path != prev;) {
            prev = path;
            path = boolean_dispatch(E, path, &c, n->kids[0]);
        }
        if (!path) return NULL;
        PtsFunction *f = resolve_function_q(E, path, n, &qual);
        return f ? call_function_named(E, f, qual, &c, n) : NULL;
    }
    case SV_NS: return efail(E, n, "Module '%s' is not callable", callee.name);
    case SV_CLASS: return class_call(E, &callee, n);
    case SV_OPFN: {
        /* torch.jit helpers that are not ops */
        const PtsAst *f = n->kids[0];
        if (f->kind == PTS_AST_ATTR && f->kids[0]->kind == PTS_AST_ATTR && f->kids[0]->str &&
            strcmp(f->kids[0]->str, "jit") == 0) {
            if (strcmp(callee.name, "is_scripting") == 0) return cbool(E, true, n);
            if (strcmp(callee.name, "isinstance") == 0) return emit_builtin_call(E, "isinstance", n);
            if (strcmp(callee.name, "is_tracing") == 0) return cbool(E, false, n);   /* torch's body: `if is_scripting(): return False` */
            if (strcmp(callee.name, "annotate") == 0) {
                if (n->n != 3) return efail(E, n, "annotate() takes a type and a value");
                const PtsType *t = parse_type(E, n->kids[1]);
                bool typed = false;
                PtsIrValue *lv = t ? annotated_literal(E, t, n->kids[2], &typed) : NULL;
                if (typed) return lv;
                PtsIrValue *v = t ? emit_hinted(E, n->kids[2], t) : NULL;
                if (!v) return NULL;
                if (!pts_type_subtype(v->type, t))
                    return efail(E, n, "annotate(): expected a value of type %s but found %s", tstr(E, t), tstr(E, v->type));
                return v;
            }
        }
        if (!emit_args(E, n, &c)) return NULL;
        /* ops.prim.X of archive code: the prims that are not registry ops */
        if (f->kind == PTS_AST_ATTR && f->kids[0]->kind == PTS_AST_ATTR && f->kids[0]->str &&
            strcmp(f->kids[0]->str, "prim") == 0 && f->kids[0]->kids[0]->kind == PTS_AST_NAME &&
            strcmp(f->kids[0]->kids[0]->str, "ops") == 0) {
            if (strcmp(callee.name, "RaiseException") == 0) {
                /* RaiseException(message[, "builtins.ValueError"]): no outputs, the value is None */
                if (c.nkw || c.npos < 1 || c.npos > 2 || c.pos[0]->type->kind != PTS_TY_STR ||
                    (c.npos == 2 && c.pos[1]->type->kind != PTS_TY_STR))
                    return efail(E, n, "ops.prim.RaiseException takes a message and an optional class name");
                /* the class defaults to None (torch's schema: str? cls=None) */
                if (c.npos == 1 && !(c.pos[c.npos++] = cnone(E, NULL))) return NULL;
                if (!mk(E, PTS_KIND_PRIM(PTS_PRIM_RAISE), c.npos, c.pos, 0, NULL, n)) return NULL;
                return cnone(E, n);
            }
            if (strcmp(callee.name, "NumToTensor") == 0) {
                if (c.nkw || c.npos != 1 || !is_num(c.pos[0]->type))
                    return efail(E, n, "ops.prim.NumToTensor takes one int or float");
                return mk1(E, PTS_KIND_PRIM(PTS_PRIM_NUMTOTENSOR), 1, c.pos, R(ty(PTS_TY_TENSOR)), n);
            }
        }
        return op_call(E, callee.name, &c, n);
    }
    case SV_METHOD: {
        c.pos[0] = callee.v;
        c.npos = 1;
        if (callee.v->type->kind == PTS_TY_CLASS) {
            Call mc;
            memset(&mc, 0, sizeof mc);
            if (!emit_args(E, n, &mc)) return NULL;
            bool handled;
            PtsIrValue *r = overload_method_call(E, callee.v, callee.name, &mc, n, &handled);
            if (handled) return r;
            return emit_method_call(E, callee.v, callee.name, &mc, n);
        }
        if (callee.v->type->kind != PTS_TY_TENSOR) return emit_value_method(E, callee.v, callee.name, n);
        if (strcmp(callee.name, "tolist") == 0) return emit_tolist(E, callee.v, E->hint_at == n ? E->hint : NULL, n->kids[0]);
        {
            bool is_cast;
            PtsIrValue *r = emit_tensor_cast(E, callee.v, callee.name, n, &is_cast);
            if (is_cast) return r;
        }
        if (!emit_args(E, n, &c)) return NULL;
        bool found;
        /* x.type(dtype, non_blocking, copy) is TorchScript's builtin over x.to (inlined: the to
         * row; x.type() is x.to()) */
        PtsIrValue *r = emit_op(E, strcmp(callee.name, "type") == 0 ? "to" : callee.name, &c, n, &found);
        if (!found && !E->err->code)
            return efail(E, n->kids[0], "'%s' object has no attribute or method '%s'.%s", value_tstr(E, callee.v), callee.name,
                         hint_tensor_member(E, callee.name));
        return r;
    }
    case SV_VALUE:
        if (callee.v->type->kind == PTS_TY_CLASS) {
            if (!emit_args(E, n, &c)) return NULL;
            return emit_method_call(E, callee.v, "forward", &c, n);
        }
        if (callee.v->type->kind == PTS_TY_FUNCTION && callee.v->node &&
            callee.v->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT)) {
            const PtsNodeAttr *a = pts_node_attr(callee.v->node, "value");
            PtsFunction *f = a ? pts_function_ref_get(a->v) : NULL;
            if (f) {
                if (!emit_args(E, n, &c)) return NULL;
                return call_function(E, f, &c, n);
            }
        }
        return efail(E, n, "'%s' object is not callable", tstr(E, callee.v->type));
    default: return efail(E, n, "not callable");
    }
}
/* }==================== */

#include "emit_class.inc"
#include "emit_enum.inc"
#include "emit_magic.inc"
#include "emit_overload.inc"
#include "emit_lang4.inc"
#include "emit_complex.inc"

/* {==================== statements ==================== */
static int emit_stmts(Emitter *E, const PtsAst *blk, int start, const Cont *cont, PtsIrValue **ret);
static PtsAst *synth(Emitter *E, int kind, const PtsAst *at, int n, PtsAst **kids);

static bool assign_to(Emitter *E, const PtsAst *t, PtsIrValue *v, const PtsAst *at);

/* a, b, c = <list>: prim::ListUnpack, whose length is checked when it runs (archive code unpacks
 * size lists: `batch_size, seq_len, _0, = torch.size(query)`) */
static bool assign_list_unpack(Emitter *E, const PtsAst *t, PtsIrValue *v, const PtsAst *at) {
    if (t->n > 64) return efail(E, t, "too many targets to unpack a list into (limit 64)"), false;
    PtsType *ts[64];
    for (int i = 0; i < t->n; i++) ts[i] = R(v->type->elems[0]);
    PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_LISTUNPACK), 1, &v, t->n, ts, at);
    if (!u) return false;
    for (int i = 0; i < t->n; i++)
        if (!assign_to(E, t->kids[i], u->outputs[i], at)) return false;
    return true;
}

/* assign value v (from expression at) to target t */
static bool assign_to(Emitter *E, const PtsAst *t, PtsIrValue *v, const PtsAst *at) {
    switch (t->kind) {
    case PTS_AST_NAME: return bind(E, t->str, v, t);
    case PTS_AST_TUPLE: case PTS_AST_LIST: {
        for (int i = 0; i < t->n; i++)
            if (t->kids[i]->kind == PTS_AST_STARRED) return efail(E, t->kids[i], "cannot statically infer the expected size of a list in this context"), false;
        if (v->type->kind == PTS_TY_LIST) return assign_list_unpack(E, t, v, at);
        if (v->type->kind != PTS_TY_TUPLE)
            return efail(E, at, "cannot unpack a value of type %s into %d variables (only tuples for now)",
                         tstr(E, v->type), t->n), false;
        if (v->type->n != t->n)
            return efail(E, at, "%s to unpack: need %d values, found %d", v->type->n < t->n ? "not enough values" : "too many values",
                         t->n, v->type->n), false;
        PtsIrValue *items[256];
        if (t->n > 256) return efail(E, t, "too many targets"), false;
        PtsNode *tn = v->node;
        const PtsNodeAttr *ca = tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT) ? pts_node_attr(tn, "value") : NULL;
        if (tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && tn->ninputs == t->n) {
            /* unpacking a tuple just built: take its items */
            for (int i = 0; i < t->n; i++) items[i] = tn->inputs[i];
        } else if (ca && ca->v.tag == PTS_V_TUPLE && pts_as_list(ca->v)->len == t->n) {
            /* a constant tuple (a Final attribute): its items are constants, as torch folds them */
            for (int i = 0; i < t->n; i++) {
                if (!(items[i] = konst(E, pts_value_retain(pts_as_list(ca->v)->items[i]), at))) return false;
                if (items[i]->type->kind == PTS_TY_ANY) {
                    pts_type_release(items[i]->type);
                    items[i]->type = R(v->type->elems[i]);
                }
            }
        } else {
            PtsType *ts[256];
            for (int i = 0; i < t->n; i++) ts[i] = R(v->type->elems[i]);
            PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &v, t->n, ts, at);
            if (!u) return false;
            for (int i = 0; i < t->n; i++) items[i] = u->outputs[i];
        }
        for (int i = 0; i < t->n; i++)
            if (!assign_to(E, t->kids[i], items[i], at)) return false;
        return true;
    }
    case PTS_AST_ATTR: {
        Sv base;
        if (!emit_sugared(E, t->kids[0], &base)) return false;
        if (base.kind == SV_VALUE && base.v->type->kind != PTS_TY_CLASS)   /* torch's words */
            return efail(E, t, "Tried to set an attribute: %s on a non-class: %s", t->str, tstr(E, base.v->type)), false;
        if (base.kind != SV_VALUE || base.v->type->kind != PTS_TY_CLASS)
            return efail(E, t, "attribute assignment is only supported on module attributes"), false;
        PtsClassType *cls = base.v->type->cls;
        bool prop;
        if (class_property_set(E, base.v, t->str, v, t, &prop) || prop) return !E->err->code;
        int slot = pts_class_find_attr(cls, t->str);
        if (slot < 0 && (slot = class_new_attr(E, base.v, t->str, v->type, NULL, t)) < 0) return false;
        if (!pts_type_subtype(v->type, cls->attrs[slot].type))
            return efail(E, at, "Wrong type for attribute assignment. Expected %s but got %s", tstr(E, cls->attrs[slot].type),
                         tstr(E, v->type)), false;
        PtsIrValue *ins[2] = { base.v, v };
        PtsNode *n = mk(E, PTS_KIND_PRIM(PTS_PRIM_SETATTR), 2, ins, 0, NULL, t);
        return n && set_name_attr(E, n, t->str);
    }
    case PTS_AST_SUBSCRIPT: {
        if (!(t = subscript_slices(E, t))) return false;
        PtsIrValue *x = emit_expr(E, t->kids[0]);
        bool handled;
        if (!x) return false;
        if (x->type->kind == PTS_TY_TENSOR) return tensor_store(E, x, t, v);
        bool ok = emit_container_store(E, x, t, v, &handled);
        if (handled) return ok;
        ok = magic_setitem(E, x, t, v, &handled);
        if (handled) return ok;
        if (x->type->kind == PTS_TY_TUPLE)
            return efail(E, t, "%s does not support subscripted assignment", tstr(E, x->type)), false;
        return efail(E, t, "assignment to subscripts is not supported yet"), false;
    }
    default: return efail(E, t, "cannot assign to this expression"), false;
    }
}

/* `self.x = v` where x is a module constant (`__constants__`, `x: Final[T]`): as in torch, a
 * constant is no attribute, so there is nothing to set (reported on the whole statement) */
static bool check_not_constant(Emitter *E, const PtsAst *t, const PtsAst *stmt) {
    if (t->kind == PTS_AST_TUPLE || t->kind == PTS_AST_LIST) {
        for (int i = 0; i < t->n; i++)
            if (!check_not_constant(E, t->kids[i], stmt)) return false;
        return true;
    }
    if (t->kind == PTS_AST_STARRED) return check_not_constant(E, t->kids[0], stmt);
    if (t->kind != PTS_AST_ATTR || t->kids[0]->kind != PTS_AST_NAME) return true;
    Var *b = lookup(E, t->kids[0]->str);
    if (!b || !b->v || b->v->type->kind != PTS_TY_CLASS || !b->v->type->cls->is_module) return true;
    const PtsClassType *cls = b->v->type->cls;
    int slot = pts_class_find_attr(cls, t->str);
    if (slot < 0 || cls->attrs[slot].kind != PTS_ATTR_CONSTANT) return true;
    return efail(E, stmt, "Tried to set nonexistent attribute: %s. Did you forget to initialize it in __init__()?", t->str), false;
}

static bool emit_assign(Emitter *E, const PtsAst *s) {
    const PtsAst *value = s->kids[s->n - 1];
    if (s->n == 2 && s->kids[0]->kind == PTS_AST_NAME && is_slice_call(E, value))
        return bind_slice_var(E, s->kids[0]->str, value);
    for (int i = 0; i < s->n - 1; i++)
        if (!check_not_constant(E, s->kids[i], s)) return false;
    /* a, b = b, a: evaluate every right-hand item, then bind (no tuple is built) */
    if (s->n == 2 && value->kind == PTS_AST_TUPLE && (s->kids[0]->kind == PTS_AST_TUPLE || s->kids[0]->kind == PTS_AST_LIST) &&
        s->kids[0]->n == value->n) {
        const PtsAst *t = s->kids[0];
        PtsIrValue *items[256];
        if (t->n > 256) return efail(E, t, "too many targets"), false;
        for (int i = 0; i < t->n; i++) {
            if (t->kids[i]->kind == PTS_AST_STARRED || value->kids[i]->kind == PTS_AST_STARRED)
                return efail(E, s, "cannot statically infer the expected size of a list in this context"), false;
            if (!(items[i] = emit_expr(E, value->kids[i]))) return false;
        }
        for (int i = 0; i < t->n; i++)
            if (!assign_to(E, t->kids[i], items[i], value->kids[i])) return false;
        return true;
    }
    PtsIrValue *v = emit_expr(E, value);
    if (!v) return false;
    E->tn_chain = s->n > 2;
    for (int i = 0; i < s->n - 1; i++)
        if (!assign_to(E, s->kids[i], v, value)) return E->tn_chain = false;
    E->tn_chain = false;
    return true;
}

/* `l: List[Union[int, str]] = [1, "a"]`, `d: Dict[str, Optional[int]] = {"a": None}`: a list or
 * dict literal whose element type cannot be inferred from its items (a Union, Optional, number or
 * Any) takes the annotated one; each item must be of it. *handled is false for other literals. */
static PtsIrValue *emit_typed_literal(Emitter *E, const PtsAst *n, const PtsType *t, bool *handled) {
    *handled = false;
    bool list = n->kind == PTS_AST_LIST && t->kind == PTS_TY_LIST, dict = n->kind == PTS_AST_DICT && t->kind == PTS_TY_DICT;
    if ((!list && !dict) || n->n == 0 || n->n > 256) return NULL;
    const PtsType *et = t->elems[list ? 0 : 1];
    if (et->kind != PTS_TY_UNION && et->kind != PTS_TY_OPTIONAL && et->kind != PTS_TY_NUMBER && et->kind != PTS_TY_ANY)
        return NULL;
    *handled = true;
    PtsIrValue *items[256];
    for (int i = 0; i < n->n; i++) {
        if (n->kids[i]->kind == PTS_AST_STARRED) return efail(E, n->kids[i], "starred expressions are not supported yet");
        if (!(items[i] = emit_expr(E, n->kids[i]))) return NULL;
        const PtsType *want = list || i % 2 ? et : t->elems[0];
        if (!pts_type_subtype(items[i]->type, want))
            return efail(E, n->kids[i], "%s type annotation `%s` did not match the types of the given %s elements",
                         list ? "List" : "Dict", tstr(E, t), list ? "list" : "dict");
    }
    return list ? list_construct(E, n->n, items, et, n) : dict_construct(E, n->n, items, t->elems[0], et, n);
}

static bool emit_ann_assign(Emitter *E, const PtsAst *s) {
    if (!check_not_constant(E, s->kids[0], s)) return false;
    const PtsType *t = parse_type(E, s->kids[1]);
    if (!t) return false;
    if (!s->kids[2]) return efail(E, s, "annotated declarations without a value are not supported yet"), false;
    PtsIrValue *v;
    /* a list or dict literal (or comprehension) takes the annotated element types */
    bool typed;
    v = annotated_literal(E, t, s->kids[2], &typed);
    if (!typed) v = emit_hinted(E, s->kids[2], t);
    if (!v) return false;
    if (!pts_type_subtype(v->type, t))
        return efail(E, s->kids[2], "Variable '%s' is annotated with type %s but is being assigned to a value of type %s%s",
                     s->kids[0]->kind == PTS_AST_NAME ? s->kids[0]->str : "?", tstr(E, t), tstr(E, v->type),
                     hint_refine(E, v, t)), false;
    if (s->kids[0]->kind != PTS_AST_NAME)
        return class_declare_attr(E, s->kids[0], t) && assign_to(E, s->kids[0], v, s->kids[2]);
    const char *name = s->kids[0]->str;
    if (lookup_parent(E, name))
        return efail(E, s, "Attempting to declare and annotate the type of variable '%s' but it is already defined in an "
                     "outer block", name), false;
    name_value(E, v, name);
    if (!set_var(E, name, v, t, NULL)) return false;
    lookup_local(E->scope, name)->annotated = !pts_type_equal(v->type, t);
    return true;
}

static bool emit_aug_assign(Emitter *E, const PtsAst *s) {
    const PtsAst *t = s->kids[0];
    if (!check_not_constant(E, t, s)) return false;
    if (t->kind == PTS_AST_SUBSCRIPT) {
        const PtsAst *st = subscript_slices(E, t);
        if (!st) return false;
        if (st != t) {
            /* x[slice(a, b)] += v is x[a:b] += v */
            PtsAst *s2 = synth(E, PTS_AST_AUG_ASSIGN, s, 2, (PtsAst *[]){ (PtsAst *)st, s->kids[1] });
            if (!s2) return false;
            s2->op = s->op;
            return emit_aug_assign(E, s2);
        }
        /* xs[i] += v on lists and dicts: read, operate, store */
        PtsIrValue *box = emit_expr(E, t->kids[0]), *cur, *rhs, *r;
        if (!box) return false;
        if (box->type->kind == PTS_TY_TENSOR) return tensor_aug_store(E, box, s);
        if (box->type->kind != PTS_TY_LIST && box->type->kind != PTS_TY_DICT)
            return efail(E, t, "augmented assignment to subscripts is not supported yet"), false;
        bool handled;
        if (!(cur = emit_container_index(E, box, t)) || !(rhs = emit_expr(E, s->kids[1])) ||
            !(r = emit_binary(E, s->op, cur, rhs, s)))
            return false;
        return emit_container_store(E, box, t, r, &handled);
    }
    PtsIrValue *cur = emit_expr(E, t), *rhs;
    if (!cur || !(rhs = emit_expr(E, s->kids[1]))) return false;
    PtsIrValue *r;
    if (cur->type->kind == PTS_TY_TENSOR) {
        const char *name = inplace_op_name(s->op);
        if (!name) return efail(E, s, "augmented assignment %s= on tensors is not supported", pts_tok_name(s->op)), false;
        r = op2(E, name, cur, rhs, s);
    } else if (cur->type->kind == PTS_TY_LIST && (s->op == PTS_TK_PLUS || s->op == PTS_TK_STAR)) {
        /* xs += ys / xs *= n extend the list in place (aten::add_.t / aten::mul_.t) */
        if (s->op == PTS_TK_PLUS && !(rhs->type->kind == PTS_TY_LIST && pts_type_equal(elem_of(rhs->type), elem_of(cur->type))))
            return efail(E, s, "Arguments for call are not valid: cannot add a value of type %s to a list of type %s",
                         tstr(E, rhs->type), tstr(E, cur->type)), false;
        if (s->op == PTS_TK_STAR && rhs->type->kind != PTS_TY_INT)
            return efail(E, s, "a list can only be multiplied by an int, not %s", tstr(E, rhs->type)), false;
        r = row_call(E, s->op == PTS_TK_PLUS ? "add_.t" : "mul_.t", 2, (PtsIrValue *[]){ cur, rhs }, cur->type, s);
    } else {
        bool handled;
        int ck = cur->type->kind, rk = rhs->type->kind;
        r = magic_aug(E, s->op, cur, rhs, s, &handled);
        /* a %= b on numbers is aten::fmod (a float, C's sign rule), as torch's frontend has it */
        if (!handled && s->op == PTS_TK_PERCENT && (ck == PTS_TY_INT || ck == PTS_TY_FLOAT) &&
            (rk == PTS_TY_INT || rk == PTS_TY_FLOAT))
            r = op2(E, "fmod", cur, rhs, s);
        else if (!handled) r = emit_binary(E, s->op, cur, rhs, s);
    }
    if (!r) return false;
    return assign_to(E, t, r, s);
}

/* names assigned anywhere in a statement list (loop bodies: the loop-carried candidates) */
typedef struct NameSet { const char **names; int n, cap; } NameSet;

static bool ns_add(Emitter *E, NameSet *s, const char *name) {
    for (int i = 0; i < s->n; i++) if (strcmp(s->names[i], name) == 0) return true;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        const char **nn = pts_arena_alloc(E->a, sizeof *nn * (size_t)cap);
        if (!nn) return oom(E), false;
        if (s->n) memcpy(nn, s->names, sizeof *nn * (size_t)s->n);
        s->names = nn;
        s->cap = cap;
    }
    s->names[s->n++] = name;
    return true;
}

static bool collect_targets(Emitter *E, NameSet *s, const PtsAst *t) {
    if (!t) return true;
    switch (t->kind) {
    case PTS_AST_NAME: return ns_add(E, s, t->str);
    case PTS_AST_TUPLE: case PTS_AST_LIST:
        for (int i = 0; i < t->n; i++) if (!collect_targets(E, s, t->kids[i])) return false;
        return true;
    case PTS_AST_STARRED: return collect_targets(E, s, t->kids[0]);
    default: return true;
    }
}

/* the Optional/Union variables a condition refines on either side: torch stores the refined
 * value in the branch, so a loop around carries the variable */
static bool collect_refined(Emitter *E, NameSet *s, const PtsAst *cond) {
    for (int truth = 0; truth < 2; truth++) {
        Refine rs[16];
        int n = 0;
        refinements(cond, truth, rs, &n, 16);
        for (int i = 0; i < n; i++) {
            Var *v = lookup(E, rs[i].name);
            if (!v || !v->v) continue;
            int k = v->v->type->kind;
            if ((k == PTS_TY_OPTIONAL || k == PTS_TY_UNION) && !ns_add(E, s, rs[i].name)) return false;
        }
    }
    return true;
}

static bool collect_assigned(Emitter *E, NameSet *s, const PtsAst *n) {
    if (!n) return true;
    switch (n->kind) {
    case PTS_AST_BLOCK:
        for (int i = 0; i < n->n; i++) if (!collect_assigned(E, s, n->kids[i])) return false;
        return true;
    case PTS_AST_ASSIGN:
        for (int i = 0; i < n->n - 1; i++) if (!collect_targets(E, s, n->kids[i])) return false;
        return true;
    case PTS_AST_ANN_ASSIGN: case PTS_AST_AUG_ASSIGN: return collect_targets(E, s, n->kids[0]);
    case PTS_AST_IF:
        return collect_refined(E, s, n->kids[0]) && collect_assigned(E, s, n->kids[1]) && collect_assigned(E, s, n->kids[2]);
    case PTS_AST_ASSERT: return collect_refined(E, s, n->kids[0]);
    case PTS_AST_WHILE: return collect_assigned(E, s, n->kids[1]);
    case PTS_AST_FOR: return collect_targets(E, s, n->kids[0]) && collect_assigned(E, s, n->kids[2]);
    case PTS_AST_WITH:
        for (int i = 0; i < n->n - 1; i++) if (!collect_targets(E, s, n->kids[i]->kids[1])) return false;
        return collect_assigned(E, s, n->kids[n->n - 1]);
    default: return true;
    }
}

/* a value of type t for a path that never produces it (it raised) */
static PtsIrValue *uninitialized(Emitter *E, const PtsType *t, const PtsAst *at) {
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_UNINITIALIZED), 0, NULL, R(t), at);
}

/* if statement whose branches fall through: merge the variables they assign */
/* the value of a constant bool condition (0/1), or -1 when it is computed at run time */
static int const_cond(const PtsIrValue *c) {
    if (!c->node || c->node->kind != PTS_KIND_PRIM(PTS_PRIM_CONSTANT)) return -1;
    const PtsNodeAttr *a = pts_node_attr(c->node, "value");
    return a && a->v.tag == PTS_V_BOOL ? a->v.u.b : -1;
}

/* if statement: both branches emitted, the variables they assign merged as the If's outputs. A
 * branch that exits (return, break, continue, raise) hands over Uninitialized values, as torch's
 * emitIfElseBlocks; the exit transform later routes the exits. Returns the ExitKind (not NONE
 * when both branches exit) or -1. */
static int emit_if(Emitter *E, const PtsAst *s) {
    PtsIrValue *cond = emit_cond(E, s->kids[0]);
    if (!cond) return -1;
    int k0 = const_cond(cond);
    if (k0 >= 0) {
        /* decided at compile time (isinstance, torch.jit.is_scripting()...): only the live
         * branch is compiled, in the enclosing scope */
        const PtsAst *live = s->kids[k0 ? 1 : 2];
        PtsIrValue *unused = NULL;
        if (!apply_refinements(E, s->kids[0], k0 == 1)) return -1;
        return live ? emit_stmts(E, live, 0, NULL, &unused) : EXIT_NONE;
    }
    PtsNode *node = mk(E, PTS_KIND_PRIM(PTS_PRIM_IF), 1, &cond, 0, NULL, s);
    if (!node) return -1;
    PtsBlock *blocks[2] = { pts_node_add_block(E->g, node), pts_node_add_block(E->g, node) };
    if (!blocks[0] || !blocks[1]) return oom(E), -1;
    Scope *scopes[2];
    int exits[2];
    PtsBlock *saved = E->blk;
    for (int k = 0; k < 2; k++) {
        if (!push_scope(E)) return -1;
        E->blk = blocks[k];
        PtsIrValue *unused = NULL;
        if (!apply_refinements(E, s->kids[0], k == 0)) exits[k] = -1;
        else exits[k] = s->kids[1 + k] ? emit_stmts(E, s->kids[1 + k], 0, NULL, &unused) : EXIT_NONE;
        scopes[k] = E->scope;
        pop_scope(E);
        E->blk = saved;
        if (exits[k] < 0) return -1;
    }
    /* as torch's emitter: return and raise end a branch (its variables do not leave it); a branch
     * that breaks or continues still hands over what it assigned */
    bool ex[2];
    for (int k = 0; k < 2; k++) ex[k] = exits[k] == EXIT_RETURN || exits[k] == EXIT_RAISE;
    tn_if_loads(E, scopes, ex);
    /* every name assigned in either branch */
    const char *names[512];
    int nn = 0;
    for (int k = 0; k < 2; k++)
        for (Var *v = scopes[k]->vars; v; v = v->next) {
            /* a refinement is an assignment of the branch (torch stores the unchecked_cast): the
             * variable leaves the If, whose unused outputs dead code elimination drops */
            bool dup = false;
            for (int i = 0; i < nn; i++) if (strcmp(names[i], v->name) == 0) dup = true;
            if (dup) continue;
            if (nn == 512) return efail(E, s, "too many variables assigned in one if statement"), -1;
            names[nn++] = v->name;
        }
    if (ex[0] && ex[1]) {
        /* both branches return or raise: nothing after the if runs */
        return exits[0] == EXIT_RAISE && exits[1] == EXIT_RAISE ? EXIT_RAISE : EXIT_RETURN;
    }
    const PtsType *types[512];
    PtsIrValue *vals[2][512];
    const char *out_names[512];
    int nout = 0;
    for (int i = 0; i < nn; i++) {
        Var *tv = lookup_local(scopes[0], names[i]), *fv = lookup_local(scopes[1], names[i]);
        Var *outer = lookup(E, names[i]);
        /* a branch that only refined the variable (`y is None` false: an int) passes that value on */
        if (!tv) tv = outer;
        if (!fv) fv = outer;
        /* a branch that exits defines nothing: the other branch's value leaves the If */
        if (ex[0]) tv = fv;
        if (ex[1]) fv = tv;
        if (!tv || !fv || !tv->v || !fv->v) {
            const char *which = (!fv || !fv->v) ? "false" : "true";
            char msg[300];
            snprintf(msg, sizeof msg, "%s is not defined in the %s branch", names[i], which);
            const char *m = pts_arena_strndup(E->a, msg, strlen(msg));
            if (!m || !set_var(E, names[i], NULL, NULL, m)) return oom(E), -1;
            continue;
        }
        if (tv->v == fv->v && !ex[0] && !ex[1]) {
            bool ann = tv->annotated;
            if (!set_var(E, names[i], tv->v, tv->decl, NULL)) return -1;
            lookup_local(E->scope, names[i])->annotated = ann;
            lookup_local(E->scope, names[i])->loop_only = !tn_frame_def(scopes[0], names[i]) && !tn_frame_def(scopes[1], names[i]);
            continue;
        }
        /* the join of the two branches' types (within the variable's declared type) */
        const PtsType *t = unify(E, var_type(tv), var_type(fv));
        if (!t && E->res && E->res->archive) {
            /* archive code: torch prints an If output that holds differently refined values (a
             * refinement through `and`: int on one side, str on the other) without a type, and
             * cannot load its own archive; pyts joins them as their Union, so both load here */
            PtsType *el[2] = { (PtsType *)var_type(tv), (PtsType *)var_type(fv) };
            t = keep(E, pts_type_union(2, el));
        }
        /* a name of an enclosing block: both branches hold values of its type there (bind checks
         * them), which the If outputs (a Union both branches narrowed) */
        if (!t && outer && outer->v && !outer->loop_only && pts_type_subtype(var_type(tv), var_type(outer)) &&
            pts_type_subtype(var_type(fv), var_type(outer)))
            t = var_type(outer);
        if (!t && outer && outer->v && !outer->loop_only)
            return efail(E, s, "Type mismatch: %s is set to type %s in the true branch and type %s in the false branch",
                         names[i], tstr(E, var_type(tv)), tstr(E, var_type(fv))), -1;
        if (!t) {
            /* as torch: for a name new to the if, an error only when it is used after the if */
            char msg[600];
            snprintf(msg, sizeof msg, "Type mismatch: %s is set to type %s in the true branch and type %s in the false "
                     "branch\n(the if statement on line %d assigns it differently in its branches)", names[i],
                     tstr(E, var_type(tv)), tstr(E, var_type(fv)), s->line);
            const char *m = pts_arena_strndup(E->a, msg, strlen(msg));
            if (!m || !set_var(E, names[i], NULL, NULL, m)) return oom(E), -1;
            continue;
        }
        types[nout] = t;
        vals[0][nout] = tv->v;
        vals[1][nout] = fv->v;
        out_names[nout++] = names[i];
    }
    for (int k = 0; k < 2; k++) {
        E->blk = blocks[k];
        for (int i = 0; i < nout; i++) {
            PtsIrValue *v = vals[k][i];
            /* after the branch's exit: the exit transform replaces it by its Uninitialized value */
            if (ex[k] && !(v = uninitialized(E, types[i], s))) return -1;
            if (pts_block_add_output(E->g, blocks[k], v, E->err)) return -1;
        }
    }
    E->blk = saved;
    PtsNode *n = rebuild_if(E, node, nout, types);
    if (!n) return -1;
    for (int i = 0; i < nout; i++) {
        name_output(E, n->outputs[i], out_names[i]);
        if (!set_var(E, out_names[i], n->outputs[i], types[i], NULL)) return -1;   /* torch's setType(unified) */
        /* only loops in the branches assigned it: torch's frame here does not define it either */
        lookup_local(E->scope, out_names[i])->loop_only =
            !tn_frame_def(scopes[0], out_names[i]) && !tn_frame_def(scopes[1], out_names[i]);
    }
    return EXIT_NONE;
}

/* prim::Loop(trip, cond, carried...) with body (iter, carried...) -> (cond, carried...). A for loop
 * whose condition the exit transform changes (break, return) becomes a while loop with an explicit
 * counter later (pts_pass_canonicalize_modified_loops), as TorchScript's CanonicalizeModifiedLoops. */
static bool emit_loop(Emitter *E, const PtsAst *s, PtsIrValue *trip, PtsIrValue *cond0, const PtsAst *target,
                      const PtsAst *body, const PtsAst *while_cond, PtsIrValue *range_start, PtsIrValue *range_step) {
    PtsIrValue *(*item_fn)(Emitter *, PtsIrValue *, const void *, const PtsAst *) = E->for_item;
    const void *item_arg = E->for_item_arg;
    E->for_item = NULL;   /* nested loops of the body iterate their own way */
    NameSet assigned = { 0 };
    /* the target too: a name bound before the loop holds the last item after it (torch assigns the
     * target in the body's frame) */
    if (!collect_assigned(E, &assigned, body) || (target && !collect_targets(E, &assigned, target))) return false;
    /* carried: assigned in the body and defined before the loop */
    const char *names[512];
    PtsIrValue *init[512];
    const PtsType *types[512];
    int nc = 0;
    for (int i = 0; i < assigned.n; i++) {
        Var *v = lookup(E, assigned.names[i]);
        if (!v || !v->v) continue;
        if (nc == 511) return efail(E, s, "too many loop-carried variables"), false;
        /* in name order, as torch's ConvertToSSA adds them (its CanonicalizeOutputs then orders
         * the used ones by first use) */
        int at = nc;
        while (at > 0 && strcmp(names[at - 1], assigned.names[i]) > 0) {
            names[at] = names[at - 1];
            init[at] = init[at - 1];
            types[at] = types[at - 1];
            at--;
        }
        names[at] = assigned.names[i];
        init[at] = v->v;
        types[at] = var_type(v);
        nc++;
    }
    int ntot = nc;
    PtsIrValue *ins[514];
    ins[0] = trip;
    ins[1] = cond0;
    for (int i = 0; i < ntot; i++) ins[i + 2] = init[i];
    PtsType *ot[512];
    for (int i = 0; i < ntot; i++) ot[i] = R(types[i]);
    PtsNode *loop = mk(E, PTS_KIND_PRIM(PTS_PRIM_LOOP), ntot + 2, ins, ntot, ot, s);
    if (!loop) return false;
    PtsBlock *b = pts_node_add_block(E->g, loop);
    if (!b) return oom(E), false;
    bool simple_range = target && target->kind == PTS_AST_NAME && !range_start && !item_fn;
    PtsIrValue *iter = pts_block_add_input(E->g, b, ty(PTS_TY_INT), simple_range && pts_namesim_meaningful(target->str) ? target->str : NULL);
    if (!iter) return oom(E), false;
    if (iter->name) tn_assign(E, iter, iter->name);   /* torch's setVar of the trip count */
    PtsBlock *saved = E->blk;
    E->blk = b;
    if (!push_scope(E)) return false;
    for (int i = 0; i < nc; i++) {
        PtsIrValue *p = pts_block_add_input(E->g, b, R(types[i]), names[i]);
        if (!p || !set_var(E, names[i], p, types[i], NULL)) return oom(E), false;
    }
    if (target) {
        PtsIrValue *iv = iter;
        if (range_start) {
            PtsIrValue *a3[3] = { iv, range_start, range_step };
            Call c = { .npos = 3 };
            memcpy(c.pos, a3, sizeof a3);
            if (!(iv = op_call(E, "__derive_index", &c, s))) return false;
        }
        if (item_fn && !(iv = item_fn(E, iv, item_arg, s))) return false;
        if (!assign_to(E, target, iv, s)) return false;
    }
    E->loop_depth++;
    LoopCtx ctx = { names, types, nc, while_cond && while_cond->kind != PTS_AST_TRUE ? while_cond : NULL, b,
                    while_cond ? NULL : cond0, while_cond && while_cond->kind == PTS_AST_TRUE ? while_cond : NULL };
    const LoopCtx *outer_loop = E->loop;
    bool outer_unrolled = E->unrolled;
    E->loop = &ctx;
    E->unrolled = false;
    PtsIrValue *unused = NULL;
    int ex = emit_stmts(E, body, 0, NULL, &unused);
    E->loop = outer_loop;
    E->unrolled = outer_unrolled;
    E->loop_depth--;
    if (ex < 0) return false;
    /* the end of an iteration: the condition again (true for a for loop) and the carried values.
     * After an exit this is unreachable: the exit transform drops what is made here */
    /* (a for loop's true is the one made before the loop, as torch's: nothing follows an exit
     * in the body, so the exit transform guards nothing there) */
    E->ns_off++;   /* torch emits a while condition once (cloned later: tn_while_clones) */
    PtsIrValue *cond = while_cond ? emit_cond(E, while_cond) : const_cond(cond0) == 1 ? cond0 : cbool(E, true, s);
    E->ns_off--;
    if (!cond || pts_block_add_output(E->g, b, cond, E->err)) return false;
    for (int i = 0; i < nc; i++) {
        Var *v = lookup(E, names[i]);
        PtsIrValue *val = v ? v->v : NULL;
        if (!val && ex != EXIT_NONE && !(val = uninitialized(E, types[i], s))) return false;
        if (!val) return efail(E, s, "%s", v && v->undef ? v->undef : "loop-carried variable is undefined"), false;
        if (!pts_type_subtype(val->type, types[i]))
            return efail(E, s, "Variable '%s' previously had type %s but is now being assigned to a value of type %s",
                         names[i], tstr(E, types[i]), tstr(E, val->type)), false;
        if (pts_block_add_output(E->g, b, val, E->err)) return false;
    }
    pop_scope(E);
    E->blk = saved;
    for (int i = 0; i < nc; i++) {
        name_output(E, loop->outputs[i], names[i]);
        /* torch's frontend leaves the body's assignments in the body's frame (ConvertToSSA
         * carries them later): the scope's own assignments alone define the name there */
        const Var *old = lookup_local(E->scope, names[i]);
        bool loop_only = old ? old->loop_only : true;
        if (!set_var(E, names[i], loop->outputs[i], types[i], NULL)) return false;
        lookup_local(E->scope, names[i])->loop_only = loop_only;
    }
    return true;
}

/* {==== unrolled loops ====
 * As TorchScript: `for` over a tuple or a module container (ModuleList, Sequential, ModuleDict
 * and its .keys()/.values()/.items(), ParameterList), or enumerate()/zip() of those, is unrolled:
 * the items are taken first (the tuple unpacked, every submodule's GetAttr), then the body is
 * emitted once per item in the enclosing scope, the target taking each item's own type. A return
 * inside is a prim::ReturnStmt as anywhere else; break and continue are rejected with
 * TorchScript's message. */
typedef struct UItem {
    PtsIrValue *v;               /* a leaf: the value */
    int n;                       /* a pack (enumerate, zip, .items()): its parts */
    struct UItem *parts;
} UItem;

typedef struct Unroll {
    const PtsAst *s;             /* the for statement */
    int n;
    UItem *items;
    bool outer_unrolled;         /* E->unrolled around the loop */
} Unroll;

#define UNROLL_NO (-2)           /* not an unrolled iterable (nothing with side effects emitted) */

/* a module container's items, or UNROLL_NO when v is not a module */
static int module_seq(Emitter *E, PtsIrValue *v, const char *view, const PtsAst *it, UItem **out) {
    if (v->type->kind != PTS_TY_CLASS || !v->type->cls->is_module) return UNROLL_NO;
    PtsClassType *cls = v->type->cls;
    /* what the container holds: its submodules (ModuleList, Sequential, ModuleDict) or, with none,
     * its parameters (ParameterList, ParameterDict) */
    int nmod = 0, npar = 0;
    for (int i = 0; i < cls->nattrs; i++) {
        if (cls->attrs[i].kind == PTS_ATTR_MODULE) nmod++;
        else if (cls->attrs[i].kind == PTS_ATTR_PARAMETER) npar++;
    }
    const char *q = strrchr(cls->qualname, '.');
    q = q ? q + 1 : cls->qualname;
    bool is_dict = strcmp(q, "ModuleDict") == 0 || strcmp(q, "ParameterDict") == 0;
    int want_kind = nmod || strcmp(q, "ModuleList") == 0 || strcmp(q, "Sequential") == 0 || strcmp(q, "ModuleDict") == 0
                    ? PTS_ATTR_MODULE : PTS_ATTR_PARAMETER;
    int ck;
    bool cd;
    /* a Sequential subclass still iterates its submodules */
    if (!container_kind(cls, &ck, &cd) && !nmod) return efail(E, it, "'%s' object is not iterable", q), -1;
    if (want_kind == PTS_ATTR_PARAMETER && is_dict)
        return efail(E, it, "iterating a ParameterDict is not supported in TorchScript"), -1;
    if (!is_dict && view) return efail(E, it, "'%s' object has no attribute or method '%s'", q, view), -1;
    int n = 0;
    for (int i = 0; i < cls->nattrs; i++) {
        if (cls->attrs[i].kind != want_kind) continue;
        char want[24];
        snprintf(want, sizeof want, "%d", n);
        if (!is_dict && strcmp(cls->attrs[i].name, want) != 0)
            return efail(E, it, "only ModuleList, Sequential, ModuleDict and ParameterList can be iterated (member '%s' of %s)",
                         cls->attrs[i].name, cls->qualname), -1;
        n++;
    }
    UItem *items = n ? pts_arena_alloc(E->a, sizeof *items * (size_t)n) : NULL;
    if (n && !items) return oom(E), -1;
    bool keys = view && strcmp(view, "keys") == 0, pairs = view && strcmp(view, "items") == 0;
    for (int i = 0, k = 0; i < cls->nattrs; i++) {
        if (cls->attrs[i].kind != want_kind) continue;
        const char *nm = cls->attrs[i].name;
        PtsIrValue *key = NULL, *item = NULL;
        if (keys || pairs) {
            PtsValue sv_;
            if (pts_str_new(nm, strlen(nm), E->err, &sv_) || !(key = konst(E, sv_, it))) return -1;
        }
        if (!keys) {
            Sv sub;
            if (!object_attr(E, v, nm, it, &sub)) return -1;
            item = sub.v;
        }
        memset(&items[k], 0, sizeof items[k]);
        if (pairs) {
            UItem *p = pts_arena_alloc(E->a, sizeof *p * 2);
            if (!p) return oom(E), -1;
            memset(p, 0, sizeof *p * 2);
            p[0].v = key;
            p[1].v = item;
            items[k].n = 2;
            items[k].parts = p;
        } else {
            items[k].v = keys ? key : item;
        }
        k++;
    }
    *out = items;
    return n;
}

/* the items of a tuple value */
static int tuple_seq(Emitter *E, PtsIrValue *tup, const PtsAst *at, UItem **out) {
    int n = tup->type->n;
    if (n > 256) return efail(E, at, "tuple too long to iterate"), -1;
    UItem *items = n ? pts_arena_alloc(E->a, sizeof *items * (size_t)n) : NULL;
    if (n && !items) return oom(E), -1;
    PtsNode *tn = tup->node;
    if (n && tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && tn->ninputs == n) {
        /* a tuple just built: its items (the unused construct is dropped later) */
        for (int i = 0; i < n; i++) {
            memset(&items[i], 0, sizeof items[i]);
            items[i].v = tn->inputs[i];
        }
    } else if (n) {
        PtsType *ts[256];
        for (int i = 0; i < n; i++) ts[i] = R(tup->type->elems[i]);
        PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &tup, n, ts, at);
        if (!u) return -1;
        for (int i = 0; i < n; i++) {
            memset(&items[i], 0, sizeof items[i]);
            items[i].v = u->outputs[i];
        }
    }
    *out = items;
    return n;
}

static bool is_builtin_name(Emitter *E, const PtsAst *f, const char *name) {
    return f->kind == PTS_AST_NAME && strcmp(f->str, name) == 0 && !lookup(E, name);
}

/* the stashed iterable of `it` (see Emitter.pre_it_ast), when it is defined where code is being
 * emitted now (a continuation emitted again in another branch evaluates it again) */
static PtsIrValue *pre_iterable(Emitter *E, const PtsAst *it) {
    if (E->pre_it_ast != it || !E->pre_it_v) return NULL;
    const PtsNode *def = E->pre_it_v->node;
    const PtsBlock *home = def ? def->owner : E->pre_it_v->param_of;
    for (const PtsBlock *b = E->blk; b; b = b->owner ? b->owner->owner : NULL)
        if (b == home) return E->pre_it_v;
    return NULL;
}

/* a call the loops know: x.items() / .keys() / .values(), enumerate(), zip(), range() */
static bool special_iter_call(Emitter *E, const PtsAst *it) {
    if (it->kind != PTS_AST_CALL) return false;
    const PtsAst *f = it->kids[0];
    return (f->kind == PTS_AST_ATTR && it->n == 1 &&
            (strcmp(f->str, "items") == 0 || strcmp(f->str, "keys") == 0 || strcmp(f->str, "values") == 0)) ||
           is_builtin_name(E, f, "enumerate") || is_builtin_name(E, f, "zip") || is_builtin_name(E, f, "range");
}

/* the items of an iterable TorchScript unrolls, their count, UNROLL_NO, or -1 on error */
static int static_seq(Emitter *E, const PtsAst *it, UItem **out) {
    if (it->kind == PTS_AST_TUPLE) {
        PtsIrValue *t = emit_expr(E, it);
        return t ? tuple_seq(E, t, it, out) : -1;
    }
    if (it->kind == PTS_AST_NAME || it->kind == PTS_AST_ATTR) {
        if (it->kind == PTS_AST_NAME && !lookup(E, it->str)) return UNROLL_NO;
        Sv sv;
        if (!emit_sugared(E, it, &sv)) return -1;
        /* anything else is an ordinary iteration (an unused GetAttr this made is dropped later) */
        if (sv.kind != SV_VALUE) return UNROLL_NO;
        if (sv.v->type->kind == PTS_TY_TUPLE) return tuple_seq(E, sv.v, it, out);
        return module_seq(E, sv.v, NULL, it, out);
    }
    const PtsAst *f = it->kind == PTS_AST_CALL ? it->kids[0] : NULL;
    if (!special_iter_call(E, it)) {
        /* any other expression (a call returning a tuple...): evaluated once, here */
        if (pre_iterable(E, it)) return UNROLL_NO;   /* evaluated before a probe of this loop */
        PtsIrValue *v = emit_expr(E, it);
        if (!v) return -1;
        if (v->type->kind == PTS_TY_TUPLE) return tuple_seq(E, v, it, out);
        E->pre_it_ast = it;
        E->pre_it_v = v;
        return UNROLL_NO;
    }
    if (is_builtin_name(E, f, "range")) return UNROLL_NO;
    /* self.heads.items() / .keys() / .values() */
    if (f->kind == PTS_AST_ATTR && it->n == 1 &&
        (strcmp(f->str, "items") == 0 || strcmp(f->str, "keys") == 0 || strcmp(f->str, "values") == 0)) {
        const PtsAst *o = f->kids[0];
        if (o->kind != PTS_AST_ATTR && (o->kind != PTS_AST_NAME || !lookup(E, o->str))) return UNROLL_NO;
        Sv sv;
        if (!emit_sugared(E, o, &sv)) return -1;
        if (sv.kind != SV_VALUE) return UNROLL_NO;
        return module_seq(E, sv.v, f->str, o, out);
    }
    bool en = is_builtin_name(E, f, "enumerate"), zip = is_builtin_name(E, f, "zip");
    if (!en && !zip) return UNROLL_NO;
    int nargs = it->n - 1;
    if (nargs < 1 || nargs > 64) return UNROLL_NO;
    for (int i = 1; i < it->n; i++)
        if (it->kids[i]->kind == PTS_AST_STARRED || (it->kids[i]->kind == PTS_AST_KWARG && (!en || i != 2))) return UNROLL_NO;
    if (en && nargs > 2) return UNROLL_NO;
    int nseq = en ? 1 : nargs, nst = 0;
    UItem *seqs[64];
    int lens[64];
    const PtsAst *dynamic = NULL;
    for (int i = 0; i < nseq; i++) {
        const PtsAst *a = it->kids[1 + i];
        /* a value that cannot be unrolled is evaluated by the ordinary loop: only look at forms
         * whose evaluation has no side effects */
        if (a->kind != PTS_AST_NAME && a->kind != PTS_AST_ATTR && a->kind != PTS_AST_TUPLE && !special_iter_call(E, a)) {
            dynamic = a;
            continue;
        }
        int k = static_seq(E, a, &seqs[i]);
        if (k == -1) return -1;
        if (k == UNROLL_NO) dynamic = a;
        else lens[nst++] = k;
    }
    if (!nst) return UNROLL_NO;
    if (dynamic)
        return efail(E, it, "Can not iterate over a module list or tuple with a value that does not have a statically "
                     "determinable length\n"), -1;
    if (en && it->kids[1]->kind == PTS_AST_KWARG) return UNROLL_NO;
    int n = lens[0];
    for (int i = 1; i < nseq; i++) if (lens[i] < n) n = lens[i];
    PtsIrValue *start = NULL;
    if (en && nargs == 2) {
        const PtsAst *sa = it->kids[2]->kind == PTS_AST_KWARG ? it->kids[2]->kids[0] : it->kids[2];
        if (it->kids[2]->kind == PTS_AST_KWARG && strcmp(it->kids[2]->str, "start") != 0)
            return efail(E, it->kids[2], "enumerate() got an unexpected keyword argument '%s'", it->kids[2]->str), -1;
        if (!(start = emit_expr(E, sa))) return -1;
        if (start->type->kind != PTS_TY_INT) return efail(E, sa, "enumerate() start must be int"), -1;
    }
    UItem *items = n ? pts_arena_alloc(E->a, sizeof *items * (size_t)n) : NULL;
    if (n && !items) return oom(E), -1;
    for (int k = 0; k < n; k++) {
        int np = en ? 2 : nseq;
        UItem *p = pts_arena_alloc(E->a, sizeof *p * (size_t)np);
        if (!p) return oom(E), -1;
        memset(p, 0, sizeof *p * (size_t)np);
        if (en) {
            int64_t c0 = 0;
            const PtsNodeAttr *ca = start && start->node && start->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT)
                                    ? pts_node_attr(start->node, "value") : NULL;
            if (ca && ca->v.tag == PTS_V_INT) c0 = ca->v.u.i;
            PtsIrValue *ix = !start || ca ? cint(E, c0 + k, it) : NULL;
            if (start && !ca) {
                PtsIrValue *ck = cint(E, k, it);
                ix = ck ? op2(E, "add", ck, start, it) : NULL;
            }
            if (!ix) return -1;
            p[0].v = ix;
            p[1] = seqs[0][k];
        } else {
            for (int i = 0; i < nseq; i++) p[i] = seqs[i][k];
        }
        memset(&items[k], 0, sizeof items[k]);
        items[k].n = np;
        items[k].parts = p;
    }
    *out = items;
    return n;
}

/* a pack as one tuple value (a single-name target of enumerate()/zip()) */
static PtsIrValue *uitem_value(Emitter *E, const UItem *u, const PtsAst *at) {
    if (!u->parts) return u->v;
    PtsIrValue *vs[64];
    for (int i = 0; i < u->n; i++) {
        if (!(vs[i] = uitem_value(E, &u->parts[i], at))) return NULL;
        if (vs[i]->type->kind == PTS_TY_CLASS && vs[i]->type->cls->is_module)
            return efail(E, at, "modules cannot be packed into a tuple: unpack the loop's items into names");
    }
    return tuple_of(E, u->n, vs, at);
}

static bool bind_uitem(Emitter *E, const PtsAst *t, const UItem *u, const PtsAst *at) {
    if (u->parts && (t->kind == PTS_AST_TUPLE || t->kind == PTS_AST_LIST)) {
        if (t->n != u->n)
            return efail(E, t, "%s to unpack: need %d values, found %d", u->n < t->n ? "not enough values" : "too many values",
                         t->n, u->n), false;
        for (int i = 0; i < t->n; i++)
            if (!bind_uitem(E, t->kids[i], &u->parts[i], at)) return false;
        return true;
    }
    PtsIrValue *v = uitem_value(E, u, at);
    if (!v) return false;
    if (t->kind == PTS_AST_NAME) {
        /* the target takes each item's own type; an item value (not a module) made here takes
         * the target's name, as torch's setVar names it */
        if (v->node && v->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT) && at->kind == PTS_AST_FOR &&
            at->kids[1]->kind != PTS_AST_TUPLE)
            tn_name(E, NULL, t->str);   /* torch: a TupleIndex, folded and pooled into the tuple's constant */
        else if (!(v->type->kind == PTS_TY_CLASS && v->type->cls->is_module)) name_value(E, v, t->str);
        return set_var(E, t->str, v, v->type, NULL);
    }
    if (v->type->kind == PTS_TY_CLASS && v->type->cls->is_module)
        return efail(E, t, "the target of a loop over modules must be a name"), false;
    return assign_to(E, t, v, at);
}

/* the unrolled loop of a for statement: 1 (*out set), 0 when it is an ordinary loop, -1 */
static int unroll_prepare(Emitter *E, const PtsAst *s, Unroll **out) {
    UItem *items = NULL;
    int n = static_seq(E, s->kids[1], &items);
    if (n == UNROLL_NO) return 0;
    if (n < 0) return -1;
    Unroll *u = pts_arena_alloc(E->a, sizeof *u);
    if (!u) return oom(E), -1;
    u->s = s;
    u->n = n;
    u->items = items;
    u->outer_unrolled = E->unrolled;
    *out = u;
    return 1;
}

/* a for statement over an unrolled iterable: the body once per item, in the enclosing scope.
 * Returns the ExitKind of the first iteration that always exits (the rest is unreachable),
 * EXIT_NONE, UNROLL_NO when it is an ordinary loop, or -1 */
static int emit_for_modules(Emitter *E, const PtsAst *s) {
    Unroll *u;
    int k = unroll_prepare(E, s, &u);
    if (k < 0) return -1;
    if (k == 0) return UNROLL_NO;
    if (++E->exit_nest > PTS_MAX_EXIT_NEST)
        return efail(E, s, "too many unrolled loops nested (limit %d)", PTS_MAX_EXIT_NEST), -1;
    int ex = EXIT_NONE;
    for (int i = 0; i < u->n && ex == EXIT_NONE; i++) {
        E->unrolled = true;
        PtsIrValue *unused = NULL;
        ex = bind_uitem(E, s->kids[0], &u->items[i], s) ? emit_stmts(E, s->kids[2], 0, NULL, &unused) : -1;
        E->unrolled = u->outer_unrolled;
    }
    E->exit_nest--;
    return ex;
}
/* }==== */

static int emit_for(Emitter *E, const PtsAst *s) {
    const PtsAst *target = s->kids[0], *it = s->kids[1];
    int unrolled = emit_for_modules(E, s);
    if (unrolled != UNROLL_NO) return unrolled;
    if (it->kind == PTS_AST_CALL && it->kids[0]->kind == PTS_AST_NAME) {
        Sv f;
        Var *local = lookup(E, it->kids[0]->str);
        if (!local) {
            if (!emit_sugared(E, it->kids[0], &f)) return -1;
            if (f.kind == SV_BUILTIN && strcmp(f.name, "range") == 0) {
                Call c;
                memset(&c, 0, sizeof c);
                if (!emit_args(E, it, &c)) return -1;
                if (c.nkw || c.npos < 1 || c.npos > 3)
                    return efail(E, it, "range() takes 1 to 3 positional arguments"), -1;
                for (int i = 0; i < c.npos; i++)
                    if (c.pos[i]->type->kind != PTS_TY_INT)
                        return efail(E, c.pos_at[i], "range() arguments must be int, not %s%s", value_tstr(E, c.pos[i]),
                                     hint_inferred(E, c.pos[i])), -1;
                if (target->kind != PTS_AST_NAME)
                    return efail(E, target, "the target of a for loop over range() must be a single name"), -1;
                PtsIrValue *trip, *start = NULL, *step = NULL;
                if (c.npos == 1) trip = c.pos[0];
                else {
                    start = c.pos[0];
                    if (!(step = c.npos == 3 ? c.pos[2] : cint(E, 1, it))) return -1;
                    Call rc = { .npos = 3 };
                    rc.pos[0] = start;
                    rc.pos[1] = c.pos[1];
                    rc.pos[2] = step;
                    if (!(trip = op_call(E, "__range_length", &rc, s))) return -1;
                }
                PtsIrValue *t = cbool(E, true, s);
                return t && emit_loop(E, s, trip, t, target, s->kids[2], NULL, start, step) ? EXIT_NONE : -1;
            }
        }
    }
    return emit_for_iter(E, s) ? EXIT_NONE : -1;
}

static bool emit_while(Emitter *E, const PtsAst *s) {
    PtsIrValue *trip = lit_const(E, pts_vint(INT64_MAX), s), *c0;   /* materialized, as torch's emitLoopCommon */
    int h0 = pts_namesim_count(E->ns);
    if (!trip || !(c0 = emit_cond(E, s->kids[0]))) return false;
    int h1 = pts_namesim_count(E->ns);
    if (!emit_loop(E, s, trip, c0, NULL, s->kids[1], s->kids[0], NULL, NULL)) return false;
    if (h1 > h0 && E->blk->last && E->blk->last->kind == PTS_KIND_PRIM(PTS_PRIM_LOOP)) {
        TnWhile *w = pts_arena_alloc(E->a, sizeof *w);
        if (!w) return oom(E), false;
        *w = (TnWhile){ E->blk->last, h0, h1, E->tn_whiles };
        E->tn_whiles = w;
    }
    return true;
}

/* the message of `raise E("msg")` / `assert c, "msg"` */
static PtsIrValue *raise_message(Emitter *E, const char *prefix, const PtsAst *msg, const PtsAst *at) {
    char buf[1024];
    if (msg && msg->kind != PTS_AST_STR) {
        /* a computed message (f-string, "x" + str(n)): prefixed at run time */
        PtsIrValue *v = emit_expr(E, msg), *p;
        if (!v) return NULL;
        if (v->type->kind != PTS_TY_STR) return efail(E, msg, "exception messages must be str, not %s", tstr(E, v->type));
        if (!prefix[0]) return v;
        snprintf(buf, sizeof buf, "%s: ", prefix);
        PtsValue ps;
        if (pts_str_new(buf, strlen(buf), E->err, &ps) || !(p = konst(E, ps, at))) return NULL;
        return op2(E, "add", p, v, at);
    }
    snprintf(buf, sizeof buf, "%s%s%.*s", prefix, msg && prefix[0] ? ": " : "", msg ? (int)(msg->len > 900 ? 900 : msg->len) : 0,
             msg ? msg->str : "");
    PtsValue s;
    if (pts_str_new(buf, strlen(buf), E->err, &s)) return NULL;
    /* torch: a literal message is the literal's constant; a prefixed one ("AssertionError: "
     * + literal) is folded by constant propagation into a constant without a range */
    return konst(E, s, prefix[0] ? NULL : msg ? msg : at);
}

/* prim::RaiseException(message[, qualified class name]) */
static bool emit_raise_node(Emitter *E, PtsIrValue *m, const char *cls, const PtsAst *cls_at, const PtsAst *at) {
    PtsIrValue *ins[2] = { m, NULL };
    if (cls) {
        char q[160];
        snprintf(q, sizeof q, "builtins.%s", cls);
        PtsValue s;
        if (pts_str_new(q, strlen(q), E->err, &s) || !(ins[1] = konst(E, s, cls_at))) return false;
    } else if (!(ins[1] = cnone(E, NULL))) {   /* torch's prim::RaiseException(str msg, str? cls=None) */
        return false;
    }
    return mk(E, PTS_KIND_PRIM(PTS_PRIM_RAISE), 2, ins, 0, NULL, at) != NULL;
}

static int emit_assert(Emitter *E, const PtsAst *s) {
    /* as torch's emitAssert: `if c: pass else: raise AssertionError(msg)`, so what the condition
     * proves (`assert x is not None`) leaves the If as its output */
    PtsAst *fail = synth(E, PTS_AST_RAISE, s, 3, (PtsAst *[]){ NULL, NULL, (PtsAst *)s }), *tb, *fb, *iff;
    if (!fail || !(tb = synth(E, PTS_AST_BLOCK, s, 0, NULL)) || !(fb = synth(E, PTS_AST_BLOCK, s, 1, &fail)) ||
        !(iff = synth(E, PTS_AST_IF, s, 3, (PtsAst *[]){ s->kids[0], tb, fb })))
        return -1;
    return emit_if(E, iff);
}

/* `return v`: prim::ReturnStmt(v); without an annotated return type, the function returns the
 * join of the returned types (torch's merged_return_type_) */
static int emit_return_value(Emitter *E, PtsIrValue *v, const PtsAst *s) {
    if (!E->ret_decl) {
        const PtsType *u = E->merged_ret ? unify(E, E->merged_ret, v->type) : v->type;
        if (!u)
            return efail(E, s, "Previous return statement returned a value of type %s but this return statement returns a "
                         "value of type %s%s", tstr(E, E->merged_ret), tstr(E, v->type), hint_return(E, E->merged_ret, v->type)), -1;
        E->merged_ret = u;
    }
    return mk(E, PTS_KIND_PRIM(PTS_PRIM_RETURN_STMT), 1, &v, 0, NULL, s) ? EXIT_RETURN : -1;
}

/* the loop-carried variables of the innermost loop as they are here (vals[0..L->n)) */
static bool carried_now(Emitter *E, const PtsAst *s, PtsIrValue **vals) {
    const LoopCtx *L = E->loop;
    for (int i = 0; i < L->n; i++) {
        Var *v = lookup(E, L->names[i]);
        PtsIrValue *val = v ? v->v : NULL;
        if (!val) return efail(E, s, "%s", v && v->undef ? v->undef : "loop-carried variable is undefined"), false;
        if (!pts_type_subtype(val->type, L->types[i]))
            return efail(E, s, "Variable '%s' previously had type %s but is now being assigned to a value of type %s",
                         L->names[i], tstr(E, L->types[i]), tstr(E, val->type)), false;
        vals[i] = val;
    }
    return true;
}

/* break / continue: prim::LoopContinuation(keep looping, carried...), as torch's LoopContinuations:
 * false for break; for continue the loop's condition evaluated again (true for a for loop) */
static int emit_loop_continuation(Emitter *E, const PtsAst *s) {
    const LoopCtx *L = E->loop;
    if (L->n > 510) return efail(E, s, "too many loop-carried variables"), -1;
    PtsIrValue *vals[512];
    bool brk = s->kind == PTS_AST_BREAK;
    E->ns_off++;   /* torch clones the condition here (tn_continue_clones), it does not read it again */
    vals[0] = brk ? cbool(E, false, NULL)
            : L->while_cond ? emit_cond(E, L->while_cond)
            : L->for_true ? L->for_true : cbool(E, true, L->true_at ? L->true_at : s);
    E->ns_off--;
    /* a break's false is torch's LoopContinuations constant, made at the top of the graph after
     * emission (before the exit transform's): moved there by emit_def */
    if (brk && vals[0] && !note_break_false(E, vals[0])) return -1;
    if (!vals[0] || !carried_now(E, s, vals + 1)) return -1;
    if (!mk(E, PTS_KIND_PRIM(PTS_PRIM_LOOP_CONTINUATION), L->n + 1, vals, 0, NULL, s)) return -1;
    return brk ? EXIT_BREAK : EXIT_CONTINUE;
}

static int emit_stmt(Emitter *E, const PtsAst *s, PtsIrValue **ret) {
    if (!stack_ok(E, s)) return -1;
    (void)ret;
    switch (s->kind) {
    case PTS_AST_EXPR_STMT:
        if (s->kids[0]->kind == PTS_AST_STR) return EXIT_NONE;   /* docstring */
        return emit_expr(E, s->kids[0]) ? EXIT_NONE : -1;
    case PTS_AST_PASS: return EXIT_NONE;
    case PTS_AST_ASSIGN: return emit_assign(E, s) ? EXIT_NONE : -1;
    case PTS_AST_ANN_ASSIGN: return emit_ann_assign(E, s) ? EXIT_NONE : -1;
    case PTS_AST_AUG_ASSIGN: return emit_aug_assign(E, s) ? EXIT_NONE : -1;
    case PTS_AST_IF: return emit_if(E, s);
    case PTS_AST_FOR: return emit_for(E, s);
    case PTS_AST_WHILE: return emit_while(E, s) ? EXIT_NONE : -1;
    case PTS_AST_ASSERT: return emit_assert(E, s);
    case PTS_AST_RETURN: {
        PtsIrValue *v = s->kids[0] ? emit_hinted(E, s->kids[0], E->ret_decl) : cnone(E, s);
        if (!v) return -1;
        /* a number (x.item()) returned as an annotated int or float: aten::Int / aten::Float, as torch */
        if (E->ret_decl && v->type->kind == PTS_TY_NUMBER && (E->ret_decl->kind == PTS_TY_INT || E->ret_decl->kind == PTS_TY_FLOAT) &&
            !(v = op1(E, E->ret_decl->kind == PTS_TY_INT ? "Int.Scalar" : "Float.Scalar", v, s)))
            return -1;
        if (E->ret_decl && !pts_type_subtype(v->type, E->ret_decl))
            return efail(E, s->kids[0] ? s->kids[0] : s, "Return value was annotated as having type %s but is actually of type %s%s",
                         tstr(E, E->ret_decl), tstr(E, v->type), hint_refine(E, v, E->ret_decl)), -1;
        return emit_return_value(E, v, s);
    }
    case PTS_AST_RAISE: {
        const PtsAst *x = s->kids[0];
        if (s->n == 3) {
            /* the failing side of `assert c, msg` (emit_assert): "AssertionError: msg", the
             * message empty when there is none, as torch raises AssertionError("") */
            const PtsAst *msg = s->kids[2]->kids[1];
            PtsIrValue *m = msg ? raise_message(E, "AssertionError", msg, s) : NULL;
            if (!msg) {
                PtsValue sv;
                if (pts_str_new("AssertionError: ", 16, E->err, &sv) || !(m = konst(E, sv, NULL))) return -1;
            }
            return m && emit_raise_node(E, m, NULL, NULL, s) ? EXIT_RAISE : -1;
        }
        if (!x) return efail(E, s, "a bare 'raise' is not supported in TorchScript"), -1;
        const char *cls = "Exception";
        const PtsAst *msg = NULL;
        if (x->kind == PTS_AST_CALL) {
            const PtsAst *f = x->kids[0];
            cls = f->str ? f->str : "Exception";
            if (x->n > 2) return efail(E, x, "exceptions take at most one message argument"), -1;
            if (x->n == 2) msg = x->kids[1];
        } else if (x->kind == PTS_AST_NAME || x->kind == PTS_AST_ATTR) cls = x->str;
        else return efail(E, x, "exceptions must be raised as Class(\"message\")"), -1;
        /* as PyTorch: AssertionError(msg) raises "AssertionError: msg" without a class name
         * (as a failed assert); other classes the message alone, and the exception's class */
        if (strcmp(cls, "AssertionError") == 0) {
            PtsIrValue *am = NULL;
            if (msg) am = raise_message(E, "AssertionError", msg, s);
            else {   /* AssertionError(): "AssertionError: ", as a failed assert without a message */
                PtsValue sv;
                if (pts_str_new("AssertionError: ", 16, E->err, &sv) || !(am = konst(E, sv, s))) return -1;
            }
            return am && emit_raise_node(E, am, NULL, NULL, s) ? EXIT_RAISE : -1;
        }
        PtsIrValue *m = raise_message(E, "", msg, s);
        if (!m || !emit_raise_node(E, m, cls, x, s)) return -1;   /* the class name: the exception's range */
        return EXIT_RAISE;
    }
    case PTS_AST_DEL:
        for (int i = 0; i < s->n; i++) {
            const PtsAst *t = s->kids[i];
            if (t->kind == PTS_AST_SUBSCRIPT && t->n == 2 && t->kids[1]->kind != PTS_AST_SLICE) {
                /* del xs[i] / del d[k]: aten::Delete */
                PtsIrValue *x = emit_expr(E, t->kids[0]), *ix;
                if (!x || !(ix = emit_expr(E, t->kids[1]))) return -1;
                const char *q = x->type->kind == PTS_TY_LIST ? "Delete.t" : NULL;
                if (x->type->kind == PTS_TY_DICT) {
                    const char *sfx = dict_key_suffix(E, x->type, t);
                    if (!sfx || !check_fits(E, ix, x->type->elems[0], "dict key", t->kids[1])) return -1;
                    q = dict_row(E, "Delete.Dict_", sfx);
                }
                if (!q) return efail(E, t, "del of subscripts of %s is not supported", tstr(E, x->type)), -1;
                if (!row_call(E, q, 2, (PtsIrValue *[]){ x, ix }, NULL, t)) return -1;
                continue;
            }
            if (t->kind != PTS_AST_NAME) return efail(E, t, "del of slices and attributes is not supported yet"), -1;
            Var *v = lookup(E, t->str);
            if (!v || (!v->v && v->undef != SLICE_VAR))
                return efail(E, t, "undefined value %s%s", t->str, v ? "" : hint_undefined(E, t->str)), -1;
            char msg[300];
            snprintf(msg, sizeof msg, "undefined value %s\n(it was deleted)", t->str);
            const char *m = pts_arena_strndup(E->a, msg, strlen(msg));
            if (!m || !set_var(E, t->str, NULL, NULL, m)) return oom(E), -1;
        }
        return EXIT_NONE;
    case PTS_AST_BREAK:
    case PTS_AST_CONTINUE:
        if (E->unrolled)
            return efail(E, s, "Because we emit iteration over modulelists or tuples as unrolled loops, we do not support "
                         "break or continue inside the body of these loops"), -1;
        if (!E->loop) return efail(E, s, "'%s' outside loop", s->kind == PTS_AST_BREAK ? "break" : "continue"), -1;
        return emit_loop_continuation(E, s);
    case PTS_AST_WITH: return emit_with(E, s);
    case PTS_AST_DEF: return fork_def_stmt(E, s);
    case PTS_AST_CLASS: return efail(E, s, "class definitions inside functions are not supported in TorchScript"), -1;
    default: return efail(E, s, "unexpected %s statement", pts_ast_kind_name(s->kind)), -1;
    }
}

/* Emit blk->kids[start..]. Returns the ExitKind of the statement that ends the block (the rest is
 * unreachable and not emitted) or -1 on error. return/break/continue are marker nodes the exit
 * transform (csrc/ir/exit_transform.c) removes, as TorchScript lowers them. */
static int emit_stmts(Emitter *E, const PtsAst *blk, int start, const Cont *cont, PtsIrValue **ret) {
    (void)cont;
    for (int i = start; i < blk->n; i++) {
        int ex = emit_stmt(E, blk->kids[i], ret);
        if (ex != EXIT_NONE) return ex;   /* error or exit: the rest is unreachable */
    }
    return EXIT_NONE;
}
/* }==================== */

/* {==================== lists, dicts, strings and builtins ====================
 * The TorchScript language beyond tensors: list/dict/str values, their methods and operators as
 * the generic builtin rows (typed here from the container: `xs[i]` of a List[int] is an int),
 * `for` over lists, tuples (unrolled), dicts, tensors, enumerate and zip, comprehensions (a loop
 * appending to a fresh list), print, f-strings and str.format (aten::format), `with no_grad()`. */

/* give an op's generic result (Any from the schema's `t`) its real type */
static PtsIrValue *retype(PtsIrValue *v, const PtsType *t) {
    if (!v || !t || v->type == t) return v;
    pts_type_release(v->type);
    v->type = R(t);
    return v;
}

/* a call of one overload ("append.t") on positional values, its result typed ret (NULL: keep) */
static PtsIrValue *row_call(Emitter *E, const char *qual, int n, PtsIrValue *const *vals, const PtsType *ret,
                            const PtsAst *at) {
    Call c = { .npos = n };
    for (int i = 0; i < n; i++) c.pos[i] = vals[i];
    return retype(op_call(E, qual, &c, at), ret);
}

static const PtsType *elem_of(const PtsType *t) {
    const PtsType *e = t->elems[0];
    return e->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : e;
}

/* which overload suffix serves a dict keyed by k: "str" / "int" */
static const char *dict_key_suffix_of(Emitter *E, const PtsType *dict, const PtsIrValue *key, const PtsAst *at) {
    int k = dict->elems[0]->kind;
    if (k == PTS_TY_ANY && key) k = key->type->kind;   /* a comprehension's dict, typed afterwards */
    if (k == PTS_TY_STR) return "str";
    if (k == PTS_TY_INT) return "int";
    /* torch's other key types, one overload each (ops_dictkeys.def); Tensor keys by identity */
    if (k == PTS_TY_FLOAT) return "float";
    if (k == PTS_TY_BOOL) return "bool";
    if (k == PTS_TY_COMPLEX) return "complex";
    if (k == PTS_TY_TENSOR) return "Tensor";
    const PtsType *kt = key && dict->elems[0]->kind == PTS_TY_ANY ? key->type : dict->elems[0];
    if (!dict_key_type_ok(kt)) return bad_dict_key(E, at, kt);   /* torch's words */
    return efail(E, at, "dicts with keys of type %s are not supported yet", tstr(E, kt));
}
static const char *dict_key_suffix(Emitter *E, const PtsType *dict, const PtsAst *at) {
    return dict_key_suffix_of(E, dict, NULL, at);
}
/* the name of a dict row for key suffix sfx: dict_row(E, "keys.", "float") is "keys.float" */
static const char *dict_row(Emitter *E, const char *base, const char *sfx) {
    char q[64];
    int n = snprintf(q, sizeof q, "%s%s", base, sfx);
    char *r = pts_arena_strndup(E->a, q, (size_t)n);
    return r ? r : oom(E);
}

/* torch reports a builtin call that matches no schema: a single overload by its schema, several by
 * "Arguments for call are not valid." */
static const char *fits_head(const char *what) {
    static const char *const single[][2] = {
        { "append()", "aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):" },
        { "insert()", "aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ():" },
        { "extend()", "aten::extend.t(t[](a!) self, t[] other) -> ():" },
    };
    for (size_t k = 0; k < sizeof single / sizeof single[0]; k++)
        if (strcmp(what, single[k][0]) == 0) return single[k][1];
    return "Arguments for call are not valid.";
}

static bool check_fits(Emitter *E, PtsIrValue *v, const PtsType *want, const char *what, const PtsAst *at) {
    if (want->kind == PTS_TY_ANY || pts_type_subtype(v->type, want)) return true;
    efail(E, at, "%s\n%s: expected a value of type %s but found %s", fits_head(what), what, tstr(E, want),
          tstr(E, v->type));
    return false;
}

/* the same for an item put into the list or dict box: an empty `[]` / `{}` holds Tensors */
static bool check_item_fits(Emitter *E, PtsIrValue *box, PtsIrValue *v, const PtsType *want, const char *what,
                            const PtsAst *at) {
    if (want->kind == PTS_TY_ANY || pts_type_subtype(v->type, want)) return true;
    efail(E, at, "%s\n%s: expected a value of type %s but found %s%s", fits_head(what), what, tstr(E, want),
          tstr(E, v->type), hint_empty_container(E, box, v->type));
    return false;
}

static PtsIrValue *dict_construct(Emitter *E, int n, PtsIrValue *const *kv, const PtsType *k, const PtsType *v,
                                  const PtsAst *at) {
    return mk1(E, PTS_KIND_PRIM(PTS_PRIM_DICTCONSTRUCT), n, kv, pts_type_dict((PtsType *)k, (PtsType *)v), at);
}

/* {k: v, ...}; {} is Dict[str, Tensor] unless annotated */
static PtsIrValue *emit_dict(Emitter *E, const PtsAst *n) {
    PtsIrValue *kv[256];
    if (n->n > 256) return efail(E, n, "dict literal too long (limit 128 items)");
    const PtsType *kt = NULL, *vt = NULL;
    for (int i = 0; i < n->n; i++) {
        if (n->kids[i]->kind == PTS_AST_STARRED) return efail(E, n->kids[i], "starred expressions are not supported yet");
        if (!(kv[i] = emit_expr(E, n->kids[i]))) return NULL;
        const PtsType *t = kv[i]->type->kind == PTS_TY_TENSOR ? ty(PTS_TY_TENSOR) : kv[i]->type;
        const PtsType **slot = i % 2 ? &vt : &kt;
        if (!*slot) *slot = t;
        else if (!pts_type_subtype(t, *slot)) {
            const PtsType *u = unify(E, *slot, t);
            if (!u || u->kind == PTS_TY_OPTIONAL || i % 2 == 0)
                return efail(E, n->kids[i], "Dict %s must contain only a single type. Expected: %s but found %s instead",
                             i % 2 ? "values" : "keys", tstr(E, *slot), tstr(E, t));
            *slot = u;
        }
    }
    if (kt && !dict_key_type_ok(kt)) return bad_dict_key(E, n, kt);   /* torch's words, as for a Dict[K, V] annotation */
    if (kt && kt->kind != PTS_TY_STR && kt->kind != PTS_TY_INT && kt->kind != PTS_TY_FLOAT && kt->kind != PTS_TY_BOOL &&
        kt->kind != PTS_TY_COMPLEX && kt->kind != PTS_TY_TENSOR)
        return efail(E, n, "dicts with keys of type %s are not supported yet", tstr(E, kt));
    return dict_construct(E, n->n, kv, kt ? kt : ty(PTS_TY_STR), vt ? vt : ty(PTS_TY_TENSOR), n);
}

/* xs[i] on lists, d[k] on dicts, s[i] on strings (NULL with no error set: not a container) */
static PtsIrValue *emit_container_index(Emitter *E, PtsIrValue *x, const PtsAst *n) {
    int k = x->type->kind;
    if (k != PTS_TY_LIST && k != PTS_TY_DICT && k != PTS_TY_STR) return NULL;
    if (n->n != 2) return efail(E, n, "%s indices must be a single value", tstr(E, x->type));
    if (n->kids[1]->kind == PTS_AST_SLICE) {
        if (k == PTS_TY_DICT) return efail(E, n->kids[1], "slicing values of type %s is not supported", tstr(E, x->type));
        return emit_seq_slice(E, x, n->kids[1], n);
    }
    PtsIrValue *i = emit_expr(E, n->kids[1]);
    if (!i) return NULL;
    PtsIrValue *ins[2] = { x, i };
    if (k == PTS_TY_DICT) {
        const char *sfx = dict_key_suffix(E, x->type, n);
        if (!sfx || !check_fits(E, i, x->type->elems[0], "dict key", n->kids[1])) return NULL;
        return row_call(E, dict_row(E, "__getitem__.Dict_", sfx), 2, ins, x->type->elems[1], n);
    }
    if (i->type->kind != PTS_TY_INT)
        return efail(E, n->kids[1], "%s indices must be int, not %s%s", tstr(E, x->type), value_tstr(E, i), hint_inferred(E, i));
    if (k == PTS_TY_STR) return row_call(E, "__getitem__.str", 2, ins, NULL, n);
    return row_call(E, "__getitem__.t", 2, ins, elem_of(x->type), n);
}

/* xs[i] = v, d[k] = v (false with no error set: not a container) */
static bool emit_container_store(Emitter *E, PtsIrValue *x, const PtsAst *t, PtsIrValue *v, bool *handled) {
    int k = x->type->kind;
    *handled = k == PTS_TY_LIST || k == PTS_TY_DICT;
    if (!*handled) return false;
    if (t->n != 2 || t->kids[1]->kind == PTS_AST_SLICE)
        return efail(E, t, "Sliced expression not yet supported for subscripted assignment. File a bug if you want this"), false;
    PtsIrValue *i = emit_expr(E, t->kids[1]);
    if (!i) return false;
    PtsIrValue *ins[3] = { x, i, v };
    if (k == PTS_TY_DICT) {
        const char *sfx = dict_key_suffix_of(E, x->type, i, t);
        if (!sfx || !check_fits(E, i, x->type->elems[0], "dict key", t->kids[1]) ||
            !check_item_fits(E, x, v, x->type->elems[1], "dict value", t))
            return false;
        return row_call(E, dict_row(E, "_set_item.", sfx), 3, ins, NULL, t) != NULL;
    }
    if (i->type->kind != PTS_TY_INT)
        return efail(E, t->kids[1], "list indices must be int, not %s%s", value_tstr(E, i), hint_inferred(E, i)), false;
    if (!check_item_fits(E, x, v, x->type->elems[0], "list item", t)) return false;
    return row_call(E, "_set_item.t", 3, ins, x->type, t) != NULL;
}

/* a in b / a not in b */
static PtsIrValue *emit_contains(Emitter *E, int op, PtsIrValue *item, PtsIrValue *box, const PtsAst *at) {
    PtsIrValue *r = NULL, *ins[2] = { box, item };
    int k = box->type->kind;
    if (k == PTS_TY_LIST) {
        int ek = box->type->elems[0]->kind;
        const char *q = ek == PTS_TY_INT ? "__contains__.int_list" : ek == PTS_TY_FLOAT ? "__contains__.float_list"
                        : ek == PTS_TY_STR ? "__contains__.str_list" : NULL;
        if (!q) return efail(E, at, "'in' on lists of %s is not supported yet", tstr(E, box->type->elems[0]));
        if (!check_fits(E, item, box->type->elems[0], "'in' item", at)) return NULL;
        r = row_call(E, q, 2, ins, NULL, at);
    } else if (k == PTS_TY_DICT) {
        const char *sfx = dict_key_suffix(E, box->type, at);
        if (!sfx || !check_fits(E, item, box->type->elems[0], "'in' key", at)) return NULL;
        r = row_call(E, dict_row(E, "__contains__.", sfx), 2, ins, NULL, at);
    } else if (k == PTS_TY_TUPLE) {
        /* x in (a, b): the tuple's items as a list, as TorchScript does */
        PtsIrValue *l = tuple_as_list(E, box, at);
        return l ? emit_contains(E, op, item, l, at) : NULL;
    } else if (k == PTS_TY_CLASS && box->type->cls && box->type->cls->is_module &&
               pts_class_find_method(box->type->cls, "__contains__")) {
        /* `k in self.heads`: the ModuleDict's __contains__, as torch */
        Call c;
        memset(&c, 0, sizeof c);
        c.npos = 1;
        c.pos[0] = item;
        r = emit_method_call(E, box, "__contains__", &c, at);
    } else if (k == PTS_TY_CLASS) {
        bool handled;
        r = magic_contains(E, op, item, box, at, &handled);
        if (handled) return r;
        return efail(E, at, "'in' on a value of type %s is not supported yet", tstr(E, box->type));
    } else if (k == PTS_TY_STR) {
        /* as TorchScript's builtin: s.find(sub, 0, len(s)) != -1, inlined with its ranges */
        if (item->type->kind != PTS_TY_STR) return efail(E, at, "'in <string>' requires string as left operand, not %s", tstr(E, item->type));
        PtsIrValue *n = row_call(E, "len.str", 1, &box, NULL, at), *zero = n ? cint(E, 0, at) : NULL;
        PtsIrValue *f = zero ? row_call(E, "find", 4, (PtsIrValue *[]){ box, item, zero, n }, NULL, at) : NULL, *m1;
        if (!f || !(m1 = cint(E, -1, at))) return NULL;
        r = op2(E, "ne", f, m1, at);
        if (!r) return NULL;
        builtin_range(E, n->node, 5, 29);
        builtin_range(E, zero->node, 5, 26);
        builtin_range(E, f->node, 5, 11);
        builtin_range(E, m1->node, 5, 44);
        builtin_range(E, r->node, 5, 11);
    } else {
        return efail(E, at, "'in' on a value of type %s is not supported yet", tstr(E, box->type));
    }
    if (r && op == PTS_TK_NOT_IN) r = op1(E, "__not__", r, at);
    return r;
}

/* ---- iterables of for loops and comprehensions ---- */
enum { IT_LIST, IT_TENSOR, IT_RANGE, IT_ZIP };
typedef struct Iter {
    int kind;
    PtsIrValue *v;               /* LIST/TENSOR: the value */
    PtsIrValue *start, *end, *step;  /* RANGE: start NULL for range(n) */
    PtsIrValue *len;             /* number of items: range(n)'s n, else made by iter_len */
    struct Iter *subs;
    int nsub;
} Iter;

static bool build_iter(Emitter *E, const PtsAst *n, Iter *it);

static bool iter_of_value(Emitter *E, PtsIrValue *v, const PtsAst *n, Iter *it) {
    memset(it, 0, sizeof *it);
    switch (v->type->kind) {
    case PTS_TY_LIST:
        it->kind = IT_LIST;
        it->v = v;
        return true;
    case PTS_TY_STR:
        /* over the characters, as torch: s[i] for i in range(len(s)) */
        it->kind = IT_LIST;
        it->v = v;
        return true;
    case PTS_TY_TENSOR:
        it->kind = IT_TENSOR;
        it->v = v;
        return true;
    case PTS_TY_DICT: {
        /* over the keys, as Python */
        const char *sfx = dict_key_suffix(E, v->type, n);
        if (!sfx) return false;
        /* torch's iter() of the dict, with the range of the loop statement */
        PtsIrValue *keys = row_call(E, dict_row(E, "keys.", sfx), 1, &v, NULL, E->iter_at ? E->iter_at : n);
        if (!keys) return false;
        PtsType *kt = keep(E, pts_type_list((PtsType *)v->type->elems[0]));
        return kt && iter_of_value(E, retype(keys, kt), n, it);
    }
    default:
        efail(E, n, "for loops over values of type %s are not supported yet", tstr(E, v->type));
        return false;
    }
}

static bool build_iter(Emitter *E, const PtsAst *n, Iter *it) {
    memset(it, 0, sizeof *it);
    if (E->pre_iter && E->pre_iter_ast == n) {
        *it = *E->pre_iter;
        E->pre_iter = NULL;
        E->pre_iter_ast = NULL;
        return true;
    }
    PtsIrValue *pre = pre_iterable(E, n);
    if (pre) return iter_of_value(E, pre, n, it);   /* evaluated already by static_seq (no tuple) */
    if (n->kind == PTS_AST_CALL && (n->kids[0]->kind == PTS_AST_NAME || n->kids[0]->kind == PTS_AST_ATTR)) {
        const PtsAst *f = n->kids[0];
        Sv sv = { 0 };
        bool builtin = false;
        if (f->kind == PTS_AST_NAME && !lookup(E, f->str)) {
            if (!emit_sugared(E, f, &sv)) return false;
            builtin = sv.kind == SV_BUILTIN;
        }
        if (builtin && (strcmp(sv.name, "range") == 0 || strcmp(sv.name, "enumerate") == 0 || strcmp(sv.name, "zip") == 0)) {
            Call c;
            memset(&c, 0, sizeof c);
            if (sv.name[0] == 'r') {
                if (!emit_args(E, n, &c)) return false;
                if (c.nkw || c.npos < 1 || c.npos > 3) return efail(E, n, "range() takes 1 to 3 positional arguments"), false;
                for (int i = 0; i < c.npos; i++)
                    if (c.pos[i]->type->kind != PTS_TY_INT)
                        return efail(E, c.pos_at[i], "range() arguments must be int, not %s%s", value_tstr(E, c.pos[i]),
                                     hint_inferred(E, c.pos[i])), false;
                it->kind = IT_RANGE;
                if (c.npos == 1) { it->len = c.pos[0]; return true; }
                it->start = c.pos[0];
                it->end = c.pos[1];
                return (it->step = c.npos == 3 ? c.pos[2] : cint(E, 1, n)) != NULL;
            }
            int nargs = 0;
            for (int i = 1; i < n->n; i++) {
                if (n->kids[i]->kind == PTS_AST_STARRED) return efail(E, n->kids[i], "starred arguments are not supported yet"), false;
                if (n->kids[i]->kind != PTS_AST_KWARG) nargs++;
            }
            if (sv.name[0] == 'e') {
                /* enumerate(xs, start=0) is zip(range(start, INT64_MAX), xs), as torch builds it: the
                 * start first, then the iterable */
                if (nargs < 1 || nargs > 2 || n->n - 1 > 2) return efail(E, n, "enumerate() takes an iterable and an optional start"), false;
                it->kind = IT_ZIP;
                if (!(it->subs = pts_arena_alloc(E->a, sizeof(Iter) * 2))) return oom(E), false;
                memset(it->subs, 0, sizeof(Iter) * 2);
                it->nsub = 2;
                Iter *r = &it->subs[0];
                r->kind = IT_RANGE;
                if (n->n == 3) {
                    const PtsAst *sa = n->kids[2]->kind == PTS_AST_KWARG ? n->kids[2]->kids[0] : n->kids[2];
                    if (n->kids[2]->kind == PTS_AST_KWARG && strcmp(n->kids[2]->str, "start") != 0)
                        return efail(E, n->kids[2], "enumerate() got an unexpected keyword argument '%s'", n->kids[2]->str), false;
                    if (!(r->start = emit_expr(E, sa))) return false;
                    if (r->start->type->kind != PTS_TY_INT) return efail(E, sa, "enumerate() start must be int"), false;
                }
                /* without a start, torch materializes the end (a literal's constant) */
                if (!(r->end = r->start ? cint(E, INT64_MAX, n) : lit_const(E, pts_vint(INT64_MAX), n))) return false;
                if (!r->start) r->len = r->end;
                else if (!(r->step = cint(E, 1, n))) return false;
                return build_iter(E, n->kids[1], &it->subs[1]);
            }
            /* zip(a, b, ...): as long as the shortest */
            if (nargs < 1 || nargs != n->n - 1) return efail(E, n, "zip() takes one or more iterables"), false;
            it->kind = IT_ZIP;
            it->nsub = nargs;
            if (!(it->subs = pts_arena_alloc(E->a, sizeof(Iter) * (size_t)nargs))) return oom(E), false;
            if (nargs > 64) return efail(E, n, "zip() of too many iterables"), false;
            for (int i = 0; i < nargs; i++)
                if (!build_iter(E, n->kids[i + 1], &it->subs[i])) return false;
            return true;
        }
    }
    PtsIrValue *v = enum_iterable(E, n);   /* for c in Color: over the members */
    if (!v && E->err->code) return false;
    if (!v) v = emit_expr(E, n);
    return v && iter_of_value(E, v, n, it);
}

static PtsIrValue *iter_len(Emitter *E, Iter *it, const PtsAst *at);

static bool zip_lens(Emitter *E, Iter *it, PtsIrValue **lens, int *n, const PtsAst *at) {
    for (int i = 0; i < it->nsub; i++) {
        if (it->subs[i].kind == IT_ZIP) {
            if (!zip_lens(E, &it->subs[i], lens, n, at)) return false;
            continue;
        }
        if (*n == 64) return efail(E, at, "zip() of too many iterables"), false;
        if (!(lens[(*n)++] = iter_len(E, &it->subs[i], at))) return false;
    }
    return true;
}

/* the number of items, computed as torch's SugaredValue::len when the loop is emitted (after
 * the iterables were evaluated): len() of a list/str/tensor, __range_length, prim::min of a zip's */
static PtsIrValue *iter_len(Emitter *E, Iter *it, const PtsAst *at) {
    if (it->len) return it->len;
    switch (it->kind) {
    case IT_LIST:
        return it->len = row_call(E, it->v->type->kind == PTS_TY_STR ? "len.str" : "len.t", 1, &it->v, NULL, at);
    case IT_TENSOR: return it->len = op1(E, "len.Tensor", it->v, at);
    case IT_RANGE: {
        PtsIrValue *rl[3] = { it->start, it->end, it->step };
        return it->len = row_call(E, "__range_length", 3, rl, NULL, at);
    }
    case IT_ZIP: {
        /* prim::min of the lengths of the base iterables, nested zips flattened (IterableTree) */
        PtsIrValue *lens[64];
        int n = 0;
        if (!zip_lens(E, it, lens, &n, at)) return NULL;
        PtsIrValue *l = list_construct(E, n, lens, ty(PTS_TY_INT), at);
        return l ? (it->len = row_call(E, "min.self_int", 1, &l, NULL, at)) : NULL;
    }
    default: return efail(E, at, "internal error: bad iterable");
    }
}

/* the i-th item of an iterable, inside the loop body */
static PtsIrValue *iter_item(Emitter *E, const Iter *it, PtsIrValue *i, const PtsAst *at) {
    switch (it->kind) {
    case IT_LIST:
        if (it->v->type->kind == PTS_TY_STR) return row_call(E, "__getitem__.str", 2, (PtsIrValue *[]){ it->v, i }, NULL, at);
        return row_call(E, "__getitem__.t", 2, (PtsIrValue *[]){ it->v, i }, elem_of(it->v->type), at);
    case IT_TENSOR: {
        PtsIrValue *zero = cint(E, 0, NULL);   /* torch: the dim constant has no range */
        Call c = { .npos = 3 };
        c.pos[0] = it->v;
        c.pos[1] = zero;
        c.pos[2] = i;
        return zero ? op_call(E, "select", &c, at) : NULL;
    }
    case IT_RANGE:
        if (!it->start) return i;
        return row_call(E, "__derive_index", 3, (PtsIrValue *[]){ i, it->start, it->step }, NULL, at);
    case IT_ZIP: {
        PtsIrValue *xs[64];
        for (int k = 0; k < it->nsub; k++)
            if (!(xs[k] = iter_item(E, &it->subs[k], i, at))) return NULL;
        return tuple_of(E, it->nsub, xs, at);
    }
    default: return efail(E, at, "internal error: bad iterable");
    }
}

static PtsIrValue *for_item_cb(Emitter *E, PtsIrValue *i, const void *arg, const PtsAst *at) {
    return iter_item(E, arg, i, at);
}

/* for target in <list / tuple / dict / tensor / enumerate / zip / d.items()> */
static bool emit_for_iter(Emitter *E, const PtsAst *s) {
    const PtsAst *it_ast = s->kids[1];
    Iter *it = pts_arena_alloc(E->a, sizeof *it);
    if (!it) return oom(E), false;
    /* the iteration's own nodes (dict keys, the length) carry the loop statement's range (a
     * comprehension's: from its bracket), as torch's emitLoopCommon */
    const PtsAst *outer_at = E->iter_at;
    E->iter_at = s;
    bool built = build_iter(E, it_ast, it);
    E->iter_at = outer_at;
    if (!built) return false;
    PtsIrValue *t = cbool(E, true, s);
    if (!t) return false;
    E->for_item = for_item_cb;
    E->for_item_arg = it;
    if (!iter_len(E, it, s)) return false;
    bool ok = emit_loop(E, s, it->len, t, s->kids[0], s->kids[2], NULL, NULL, NULL);
    E->for_item = NULL;
    return ok;
}

/* ---- comprehensions: a fresh container filled by a loop ---- */
static PtsAst *synth(Emitter *E, int kind, const PtsAst *at, int n, PtsAst **kids) {
    PtsAst *x = pts_arena_alloc(E->a, sizeof *x);
    PtsAst **k = n ? pts_arena_alloc(E->a, sizeof *k * (size_t)n) : NULL;
    if (!x || (n && !k)) return oom(E);
    x->kind = (uint8_t)kind;
    x->line = at->line;
    x->col = at->col;
    x->end_line = at->end_line;
    x->end_col = at->end_col;
    x->n = n;
    x->kids = k;
    for (int i = 0; i < n; i++) k[i] = kids[i];
    return x;
}

static PtsIrValue *emit_comprehension(Emitter *E, const PtsAst *n) {
    static int counter;
    bool is_dict = n->kind == PTS_AST_DICTCOMP;
    char nm[32];
    snprintf(nm, sizeof nm, "$comp%d", ++counter & 0xffff);
    const char *name = pts_arena_strndup(E->a, nm, strlen(nm));
    if (!name) return oom(E);
    /* the container starts untyped (Any items); the items appended fix its type afterwards */
    PtsIrValue *box = is_dict ? dict_construct(E, 0, NULL, ty(PTS_TY_ANY), ty(PTS_TY_ANY), n)
                              : list_construct(E, 0, NULL, ty(PTS_TY_ANY), n);
    if (!box) return NULL;
    const PtsAst *target = n->kids[is_dict ? 2 : 1], *iterable = n->kids[is_dict ? 3 : 2];
    PtsAst *ref = synth(E, PTS_AST_NAME, n, 0, NULL), *stmt;
    if (!ref) return NULL;
    ref->str = name;
    if (is_dict) {
        /* $comp[key] = value */
        PtsAst *sub = synth(E, PTS_AST_SUBSCRIPT, n, 2, (PtsAst *[]){ ref, n->kids[0] });   /* torch: the comprehension's range */
        if (!sub || !(stmt = synth(E, PTS_AST_ASSIGN, n, 2, (PtsAst *[]){ sub, n->kids[1] }))) return NULL;
    } else {
        /* $comp.append(element) */
        PtsAst *attr = synth(E, PTS_AST_ATTR, n, 1, &ref), *call;
        if (!attr) return NULL;
        attr->str = "append";
        if (!(call = synth(E, PTS_AST_CALL, n, 2, (PtsAst *[]){ attr, n->kids[0] })) ||
            !(stmt = synth(E, PTS_AST_EXPR_STMT, n, 1, &call)))
            return NULL;
    }
    PtsAst *body = synth(E, PTS_AST_BLOCK, n, 1, &stmt), *loop;
    if (!body || !(loop = synth(E, PTS_AST_FOR, n, 3, (PtsAst *[]){ (PtsAst *)target, (PtsAst *)iterable, body })))
        return NULL;
    /* the loop variables do not leak out of the comprehension */
    if (!push_scope(E)) return NULL;
    bool ok = set_var(E, name, box, box->type, NULL) && emit_for_iter(E, loop);
    pop_scope(E);
    if (!ok) return NULL;
    /* the type of the items the loop stored */
    const PtsType *kt = NULL, *vt = NULL;
    for (int u = 0; u < box->nuses; u++) {
        const PtsNode *user = box->uses[u].user;
        if (!user || user->ninputs < 2 || user->inputs[0] != box) continue;
        if (is_dict && user->ninputs == 3) { kt = user->inputs[1]->type; vt = user->inputs[2]->type; }
        if (!is_dict) vt = user->inputs[1]->type;
    }
    if (vt && vt->kind == PTS_TY_TENSOR) vt = ty(PTS_TY_TENSOR);
    /* annotate(Dict[str, int], {k: v for ...}), x: List[float] = [...]: the annotated type, which
     * the items must fit */
    const PtsType *h = E->hint_at == n ? E->hint : NULL;
    if (h && is_dict && h->kind == PTS_TY_DICT) {
        if (kt && !pts_type_subtype(kt, h->elems[0]))
            return efail(E, n, "Dict type annotation `%s` did not match the type of an actual key type `%s`", tstr(E, h),
                         tstr(E, kt));
        if (vt && !pts_type_subtype(vt, h->elems[1]))
            return efail(E, n, "Dict type annotation `%s` did not match the type of an actual value type `%s`",
                         tstr(E, h), tstr(E, vt));
        kt = h->elems[0];
        vt = h->elems[1];
    }
    if (h && !is_dict && h->kind == PTS_TY_LIST && vt && pts_type_subtype(vt, h->elems[0])) vt = h->elems[0];
    if (is_dict) {
        if (!kt) kt = ty(PTS_TY_STR);
        PtsType *dt = keep(E, pts_type_dict((PtsType *)kt, (PtsType *)(vt ? vt : ty(PTS_TY_TENSOR))));
        return dt ? retype(box, dt) : NULL;
    }
    PtsType *lt = keep(E, pts_type_list((PtsType *)(vt ? vt : ty(PTS_TY_TENSOR))));
    if (!lt) return NULL;
    for (int u = 0; u < box->nuses; u++) {
        PtsNode *user = box->uses[u].user;
        if (user && user->noutputs == 1 && user->inputs[0] == box && user->outputs[0]->type->kind == PTS_TY_LIST)
            retype(user->outputs[0], lt);
    }
    return retype(box, lt);
}

/* ---- methods of lists, dicts and strings ---- */
static PtsIrValue *emit_value_method(Emitter *E, PtsIrValue *self, const char *m, const PtsAst *n) {
    Call c;
    memset(&c, 0, sizeof c);
    c.pos[0] = self;
    c.npos = 1;
    if (!emit_args(E, n, &c)) return NULL;
    const PtsType *t = self->type;
    int k = t->kind;
    if (k == PTS_TY_LIST) {
        if (strcmp(m, "append") == 0) {
            if (c.npos != 2 || c.nkw) return efail(E, n, "append() takes exactly one argument");
            if (!check_item_fits(E, self, c.pos[1], t->elems[0], "append()", n)) return NULL;
            return retype(op_call(E, "append.t", &c, n), t);
        }
        if (strcmp(m, "pop") == 0) return retype(op_call(E, "pop.t", &c, n), elem_of(t));
        /* the other list methods resolve by schema (insert.t, index.list_int, sort.str...) */
        static const char *const list_methods[] = { "insert", "index", "count", "remove", "sort", "reverse", "clear",
                                                    "extend", "copy" };
        for (size_t i = 0; i < sizeof list_methods / sizeof list_methods[0]; i++)
            if (strcmp(m, list_methods[i]) == 0) {
                if (c.npos == 3 && m[0] == 'i' && !check_item_fits(E, self, c.pos[2], t->elems[0], "insert()", n)) return NULL;
                if (c.npos == 2 && m[0] == 'e' && !check_fits(E, c.pos[1], t, "extend()", n)) return NULL;
                return op_call(E, m, &c, n);
            }
        static const char *const all[] = { "append", "pop", "insert", "index", "count", "remove", "sort", "reverse",
                                           "clear", "extend", "copy" };
        return efail(E, n->kids[0], "'%s' object has no attribute or method '%s'.%s", tstr(E, t), m,
                     hint_words(E, m, all, sizeof all / sizeof all[0]));
    }
    if (k == PTS_TY_DICT) {
        const char *sfx = dict_key_suffix(E, t, n);
        if (!sfx) return NULL;
        char q[64];
        const PtsType *kt = t->elems[0], *vt = t->elems[1];
        if (c.npos >= 2 && !check_fits(E, c.pos[1], strcmp(m, "update") == 0 ? t : kt, m, n)) return NULL;
        if (strcmp(m, "keys") == 0 || strcmp(m, "values") == 0) {
            snprintf(q, sizeof q, "%s.%s", m, sfx);
            PtsType *lt = keep(E, pts_type_list((PtsType *)(m[0] == 'k' ? kt : vt)));
            return lt ? retype(op_call(E, q, &c, n), lt) : NULL;
        }
        if (strcmp(m, "get") == 0) {
            if (c.npos == 3) {
                if (!check_fits(E, c.pos[2], vt, "get() default", n)) return NULL;
                snprintf(q, sizeof q, "get.default_%s", sfx);
                return retype(op_call(E, q, &c, n), vt);
            }
            snprintf(q, sizeof q, "get.%s", sfx);
            PtsType *ot = vt->kind == PTS_TY_OPTIONAL ? R(vt) : pts_type_optional((PtsType *)vt);
            return keep(E, ot) ? retype(op_call(E, q, &c, n), ot) : NULL;
        }
        if (strcmp(m, "setdefault") == 0 || strcmp(m, "pop") == 0) {
            if (c.npos == 3 && !check_fits(E, c.pos[2], vt, m[0] == 's' ? "setdefault() default" : "pop() default", n))
                return NULL;
            snprintf(q, sizeof q, m[0] == 's' ? "setdefault.%s" : c.npos == 3 ? "pop.Dict_default_%s" : "pop.Dict_%s", sfx);
            return retype(op_call(E, q, &c, n), vt);
        }
        if (strcmp(m, "popitem") == 0) {   /* (key, value) of the first entry, as torch */
            snprintf(q, sizeof q, "popitem.%s", sfx);
            PtsType *tt = keep(E, pts_type_tuple(2, (PtsType *const[]){ (PtsType *)kt, (PtsType *)vt }));
            return tt ? retype(op_call(E, q, &c, n), tt) : NULL;
        }
        if (strcmp(m, "update") == 0 || strcmp(m, "clear") == 0) {
            snprintf(q, sizeof q, "%s.%s", m, sfx);
            return op_call(E, q, &c, n);
        }
        if (strcmp(m, "copy") == 0) {
            snprintf(q, sizeof q, "copy.Dict_%s", sfx);
            return retype(op_call(E, q, &c, n), t);
        }
        if (strcmp(m, "items") == 0) {
            /* aten::items: a list of (key, value) tuples */
            if (c.npos != 1 || c.nkw) return efail(E, n, "items() takes no arguments");
            PtsType *tt = pts_type_tuple(2, (PtsType *const[]){ (PtsType *)kt, (PtsType *)vt });
            if (!keep(E, tt)) return NULL;
            PtsType *lt = keep(E, pts_type_list(tt));
            if (!lt) return NULL;
            snprintf(q, sizeof q, "items.%s", sfx);
            return retype(op_call(E, q, &c, n), lt);
        }
        static const char *const all[] = { "keys", "values", "get", "setdefault", "pop", "popitem", "update", "clear",
                                           "copy", "items" };
        return efail(E, n->kids[0], "'%s' object has no attribute or method '%s'.%s", tstr(E, t), m,
                     hint_words(E, m, all, sizeof all / sizeof all[0]));
    }
    /* str */
    if (strcmp(m, "format") == 0) {
        if (c.nkw) return efail(E, n, "format() with keyword arguments is not supported yet");
        return mk1(E, PTS_OP_FORMAT, c.npos, c.pos, R(ty(PTS_TY_STR)), n);
    }
    static const char *const str_methods[][2] = {
        {"startswith", "startswith"}, {"endswith", "endswith"}, {"find", "find"}, {"split", "split.str"},
        {"join", "join"}, {"lower", "lower"}, {"upper", "upper"}, {"strip", "strip"}, {"replace", "replace"},
        {"isdigit", "isdigit"}, {"isalpha", "isalpha"}, {"isalnum", "isalnum"}, {"isidentifier", "isidentifier"}, {"isspace", "isspace"},
        {"islower", "islower"}, {"isupper", "isupper"}, {"istitle", "istitle"}, {"isdecimal", "isdecimal"},
        {"isnumeric", "isnumeric"}, {"isprintable", "isprintable"}, {"lstrip", "lstrip"}, {"rstrip", "rstrip"},
        {"rfind", "rfind"}, {"index", "index.str"}, {"rindex", "rindex"}, {"count", "count."}, {"zfill", "zfill"},
        {"center", "center"}, {"ljust", "ljust"}, {"rjust", "rjust"}, {"title", "title"},
        {"capitalize", "capitalize"}, {"swapcase", "swapcase"}, {"partition", "partition"},
        {"rpartition", "rpartition"}, {"rsplit", "rsplit"}, {"splitlines", "splitlines"}, {"expandtabs", "expandtabs"},
    };
    for (size_t i = 0; i < sizeof str_methods / sizeof str_methods[0]; i++)
        if (strcmp(m, str_methods[i][0]) == 0) {
            PtsIrValue *r = op_call(E, str_methods[i][1], &c, n);
            /* split's list of str comes typed from the schema */
            return r;
        }
    {
        const char *all[sizeof str_methods / sizeof str_methods[0] + 1];
        for (size_t i = 0; i < sizeof str_methods / sizeof str_methods[0]; i++) all[i] = str_methods[i][0];
        all[sizeof str_methods / sizeof str_methods[0]] = "format";
        return efail(E, n->kids[0], "'str' object has no attribute or method '%s'.%s", m,
                     hint_words(E, m, all, sizeof all / sizeof all[0]));
    }
}

/* print(a, b, ...): prim::Print */
static PtsIrValue *emit_print(Emitter *E, const PtsAst *n) {
    Call c;
    memset(&c, 0, sizeof c);
    if (!emit_args(E, n, &c)) return NULL;
    if (c.nkw) return efail(E, n, "print() keyword arguments (sep, end, file...) are not supported in TorchScript");
    if (!mk(E, PTS_KIND_PRIM(PTS_PRIM_PRINT), c.npos, c.pos, 0, NULL, n)) return NULL;
    return cnone(E, n);
}

/* builtins over values: sum, any, all, sorted, round, divmod, str, hasattr; NULL with no error
 * set when `name` is not one of them */
static PtsIrValue *emit_more_builtins(Emitter *E, const char *name, const PtsAst *n, bool *handled) {
    static const char *const names[] = { "sum", "any", "all", "sorted", "round", "divmod", "str", "hasattr", NULL };
    *handled = false;
    for (int i = 0; names[i]; i++) if (strcmp(names[i], name) == 0) *handled = true;
    if (!*handled) return NULL;
    if (strcmp(name, "hasattr") == 0) {
        if (n->n != 3 || n->kids[2]->kind != PTS_AST_STR) return efail(E, n, "hasattr() takes an object and an attribute name given as a string literal");
        PtsIrValue *obj = emit_expr(E, n->kids[1]);
        if (!obj) return NULL;
        bool r = obj->type->kind == PTS_TY_CLASS && (pts_class_find_attr(obj->type->cls, n->kids[2]->str) >= 0 ||
                                                      pts_class_find_method(obj->type->cls, n->kids[2]->str));
        return cbool(E, r, n);
    }
    Call c;
    memset(&c, 0, sizeof c);
    if (!emit_args(E, n, &c)) return NULL;
    if (strcmp(name, "sorted") == 0) {
        /* every list resolves by schema, as torch (sorted.int ... sorted.any); torch has no key or
         * reverse arguments, and its refusal lists the overloads */
        if (c.npos == 1 && !c.nkw && c.pos[0]->type->kind == PTS_TY_LIST) return retype(op_call(E, "sorted", &c, n), c.pos[0]->type);
        return op_call(E, "sorted", &c, n);
    }
    if (c.nkw) return efail(E, n, "%s() keyword arguments are not supported yet", name);
    {
        bool h;
        PtsIrValue *r = magic_builtin(E, name, &c, n, &h);
        if (h) return r;
    }
    if (strcmp(name, "str") == 0) {
        if (c.npos != 1) return efail(E, n, "str() takes one argument");
        if (c.pos[0]->type->kind == PTS_TY_STR) return c.pos[0];
        return op_call(E, "str", &c, n);
    }
    if (strcmp(name, "divmod") == 0) {
        if (c.npos != 2) return efail(E, n, "divmod() takes two arguments");
        int k0 = c.pos[0]->type->kind, k1 = c.pos[1]->type->kind;
        if (k0 == PTS_TY_INT && k1 == PTS_TY_FLOAT) return op_call(E, "divmod.int_float", &c, n);
        if (k0 == PTS_TY_FLOAT && k1 == PTS_TY_INT) return op_call(E, "divmod.float_int", &c, n);
        bool fl = k0 == PTS_TY_FLOAT || k1 == PTS_TY_FLOAT;
        for (int i = 0; fl && i < 2; i++)
            if (c.pos[i]->type->kind == PTS_TY_INT && !(c.pos[i] = op1(E, "Float.int", c.pos[i], n))) return NULL;
        return op_call(E, fl ? "divmod.float" : "divmod.int", &c, n);
    }
    if (c.npos != 1) return efail(E, n, "%s() takes one argument", name);
    PtsIrValue *x = c.pos[0];
    if (strcmp(name, "round") == 0) {
        if (x->type->kind == PTS_TY_INT) return op_call(E, "round.int", &c, n);   /* a float, as torch's */
        if (x->type->kind == PTS_TY_NUMBER) return op_call(E, "round.Scalar", &c, n);
        return op_call(E, "round.float", &c, n);
    }
    if (x->type->kind != PTS_TY_LIST) {
        if (x->type->kind == PTS_TY_TENSOR && strcmp(name, "sorted") != 0) return op_call(E, name, &c, n);
        return efail(E, n, "%s() of a value of type %s is not supported yet", name, tstr(E, x->type));
    }
    int ek = x->type->elems[0]->kind;
    const char *q = NULL;
    if (strcmp(name, "sum") == 0)
        q = ek == PTS_TY_INT ? "sum.int" : ek == PTS_TY_FLOAT ? "sum.float" : ek == PTS_TY_COMPLEX ? "sum.complex" : NULL;
    else if (strcmp(name, "sorted") == 0) q = ek == PTS_TY_INT ? "sorted.int" : ek == PTS_TY_FLOAT ? "sorted.float" : ek == PTS_TY_STR ? "sorted.str" : NULL;
    else if (name[1] == 'n')
        q = ek == PTS_TY_BOOL ? "any.bool" : ek == PTS_TY_INT ? "any.int" : ek == PTS_TY_FLOAT ? "any.float" : ek == PTS_TY_STR ? "any.str" : NULL;
    else q = ek == PTS_TY_BOOL ? "all.bool" : ek == PTS_TY_INT ? "all.int" : ek == PTS_TY_FLOAT ? "all.float" : NULL;
    if (!q) return efail(E, n, "%s() of a list of %s is not supported yet", name, tstr(E, x->type->elems[0]));
    return op_call(E, q, &c, n);
}

/* with a [as x], b: ... as TorchScript: each item an object of a script class with __enter__(self)
 * and __exit__(self, Any, Any, Any) (torch.no_grad() is the script class
 * __torch__.torch.autograd.grad_mode.no_grad); prim::Enter(obj) runs __enter__ (its result is
 * the `as` target), the body follows in the same block, then prim::Exit(obj) (typed Tensor, as
 * torch's graph has it) for each item, innermost first. The exit transform keeps return/break in
 * the body before the Exits; the interpreter runs __exit__ of what was entered when the body
 * raises. */
static int emit_with(Emitter *E, const PtsAst *s) {
    const PtsAst *body = s->kids[s->n - 1];
    PtsIrValue *entered[64];
    int n = 0;
    if (s->n - 1 > 64) return efail(E, s, "too many context managers in one with statement (limit 64)"), -1;
    for (int k = 0; k < s->n - 1; k++) {
        const PtsAst *item = s->kids[k], *ctx = item->kids[0];
        PtsIrValue *obj = emit_expr(E, ctx);
        if (!obj) return -1;
        const PtsType *t = obj->type;
        PtsClassType *cls = t->kind == PTS_TY_CLASS ? t->cls : NULL;
        /* a module is an object too: its __enter__/__exit__ count when compiled (exported) */
        if (!cls || cls->is_interface || cls->is_enum)
            return efail(E, ctx, "With item expression must return an object"), -1;
        PtsFunction *en = pts_class_find_method(cls, "__enter__"), *ex = pts_class_find_method(cls, "__exit__");
        if (!en || !en->graph || !ex || !ex->graph)
            return efail(E, ctx, "Object returned by with item expression does not define __enter__ and __exit__ methods"), -1;
        if (en->graph->top->ninputs != 1 || en->graph->top->noutputs != 1)
            return efail(E, ctx, "__enter__ must have only one argument and one return value"), -1;
        if (ex->graph->top->ninputs != 4) return efail(E, ctx, "__exit__ must have four arguments"), -1;
        for (int i = 1; i < 4; i++)
            if (ex->graph->top->inputs[i]->type->kind != PTS_TY_ANY)
                return efail(E, ctx, "argument %d of __exit__ must have Any type; TorchScript does not currently support "
                             "passing exception type, value, or traceback to the __exit__ function.", i), -1;
        PtsIrValue *r = mk1(E, PTS_KIND_PRIM(PTS_PRIM_ENTER), 1, &obj, R(en->graph->top->outputs[0]->type), NULL);
        if (!r) return -1;
        if (item->kids[1] && !assign_to(E, item->kids[1], r, item->kids[1])) return -1;
        entered[n++] = obj;
    }
    PtsIrValue *unused = NULL;
    int st = emit_stmts(E, body, 0, NULL, &unused);
    if (st < 0) return -1;
    while (n > 0)
        if (!mk1(E, PTS_KIND_PRIM(PTS_PRIM_EXIT), 1, &entered[--n], R(pts_type_get(PTS_TY_TENSOR)), NULL)) return -1;
    return st;
}

/* {==================== sequences ====================
 * Slices of lists and strings (aten::slice.t / slice.str), static slices of tuples, list + list,
 * list * n (aten::add.t, mul.left_t, mul.right_), list(...) and `in` on tuples, as TorchScript
 * lowers them. */

/* xs[a:b:c] on a list or str: the generic row, typed as x */
static PtsIrValue *emit_seq_slice(Emitter *E, PtsIrValue *x, const PtsAst *sl, const PtsAst *at) {
    Call c = { .npos = 1 };
    c.pos[0] = x;
    static const char *const names[] = { "start", "end", "step" };
    for (int k = 0; k < 3; k++) {
        if (!sl->kids[k]) continue;
        PtsIrValue *v = emit_expr(E, sl->kids[k]);
        if (!v) return NULL;
        if (v->type->kind != PTS_TY_INT && !(k < 2 && (v->type->kind == PTS_TY_NONE ||
                                                      (v->type->kind == PTS_TY_OPTIONAL && v->type->elems[0]->kind == PTS_TY_INT))))
            return efail(E, sl->kids[k], "slice indices must be integers or None, not %s", tstr(E, v->type));
        c.kwn[c.nkw] = names[k];
        c.kwv[c.nkw++] = v;
    }
    bool is_str = x->type->kind == PTS_TY_STR;
    return retype(op_call(E, is_str ? "slice.str" : "slice.t", &c, at), is_str ? NULL : x->type);
}

/* an optional constant int of a tuple slice; *has false for an absent bound or None */
static bool tuple_slice_bound(Emitter *E, const PtsAst *n, int64_t *v, bool *has) {
    *has = false;
    if (!n || n->kind == PTS_AST_NONE) return true;
    PtsValue c;
    if (n->kind != PTS_AST_INT && !(n->kind == PTS_AST_UNARY && n->op == PTS_TK_MINUS && n->kids[0]->kind == PTS_AST_INT))
        return efail(E, n, "tuple slice indices must be integer constants"), false;
    if (!const_value(E, n, &c)) return false;
    *v = c.u.i;
    *has = true;
    return true;
}

/* t[a:b:c] on a tuple: decided at compile time, a new tuple of the chosen items */
static PtsIrValue *emit_tuple_slice(Emitter *E, PtsIrValue *x, const PtsAst *sl, const PtsAst *at) {
    int64_t lo = 0, hi = 0, st = 1;
    bool hlo, hhi, hst;
    if (!tuple_slice_bound(E, sl->kids[0], &lo, &hlo) || !tuple_slice_bound(E, sl->kids[1], &hi, &hhi) ||
        !tuple_slice_bound(E, sl->kids[2], &st, &hst))
        return NULL;
    if (!hst) st = 1;
    if (st == 0) return efail(E, sl, "slice step cannot be zero");
    if (st == INT64_MIN) st = -INT64_MAX;   /* keeps -st finite */
    int64_t len = x->type->n, idx[256];
    int n = 0;
    if (len > 256) return efail(E, at, "tuple too long");
    if (st > 0) {
        if (!hlo) lo = 0; else if (lo < 0) lo = lo + len < 0 ? 0 : lo + len; else if (lo > len) lo = len;
        if (!hhi) hi = len; else if (hi < 0) hi = hi + len < 0 ? 0 : hi + len; else if (hi > len) hi = len;
        for (int64_t i = lo; i < hi; i += st) {
            idx[n++] = i;
            if (st > hi - i) break;   /* the next index would pass hi (without overflowing) */
        }
    } else {
        if (!hlo) lo = len - 1; else if (lo < 0) lo = lo + len < 0 ? -1 : lo + len; else if (lo >= len) lo = len - 1;
        if (!hhi) hi = -1; else if (hi < 0) hi = hi + len < 0 ? -1 : hi + len; else if (hi >= len) hi = len - 1;
        for (int64_t i = lo; i > hi; i += st) {
            idx[n++] = i;
            if (-st > i - hi) break;
        }
    }
    /* as torch's createTupleSlice: one prim::TupleIndex per chosen item (the items of a tuple
     * just built are its inputs, as LowerSimpleTuples leaves them) */
    PtsIrValue *items[256];
    PtsNode *tn = x->node;
    bool built = tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT) && tn->ninputs == len;
    for (int i = 0; i < n; i++)
        if (!(items[i] = built ? tn->inputs[idx[i]] : namedtuple_index(E, x, idx[i], idx[i], NULL))) return NULL;
    return tuple_of(E, n, items, at);
}

/* the items of a tuple as a list (they must share one type) */
static PtsIrValue *tuple_as_list(Emitter *E, PtsIrValue *tup, const PtsAst *at) {
    int n = tup->type->n;
    if (n > 256) return efail(E, at, "tuple too long");
    const PtsType *et = NULL;
    for (int i = 0; i < n; i++) {
        const PtsType *t = tup->type->elems[i];
        if (t->kind == PTS_TY_TENSOR) t = ty(PTS_TY_TENSOR);
        if (!et) et = t;
        else if (!pts_type_equal(et, t))
            return efail(E, at, "'in' on a tuple needs items of one type, found %s and %s", tstr(E, et), tstr(E, t));
    }
    if (!et) et = ty(PTS_TY_TENSOR);
    PtsNode *tn = tup->node;
    if (tn && tn->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT))
        return list_construct(E, tn->ninputs, tn->inputs, et, at);
    PtsType *ts[256];
    for (int i = 0; i < n; i++) ts[i] = R(tup->type->elems[i]);
    PtsNode *u = mk(E, PTS_KIND_PRIM(PTS_PRIM_TUPLEUNPACK), 1, &tup, n, ts, at);
    return u ? list_construct(E, n, u->outputs, et, at) : NULL;
}

/* list + list, list * int, int * list; *handled false for other operand types */
static PtsIrValue *emit_list_binary(Emitter *E, int op, PtsIrValue *x, PtsIrValue *y, const PtsAst *at, bool *handled) {
    *handled = false;
    int kx = x->type->kind, ky = y->type->kind;
    if (op == PTS_TK_PLUS && kx == PTS_TY_LIST && ky == PTS_TY_LIST) {
        *handled = true;
        if (!pts_type_equal(elem_of(x->type), elem_of(y->type)))
            return efail(E, at, "Arguments for call are not valid: cannot add lists of types %s and %s", tstr(E, x->type),
                         tstr(E, y->type));
        return row_call(E, "add.t", 2, (PtsIrValue *[]){ x, y }, x->type, at);
    }
    if (op == PTS_TK_STAR && kx == PTS_TY_LIST && ky == PTS_TY_INT) {
        *handled = true;
        return row_call(E, "mul.left_t", 2, (PtsIrValue *[]){ x, y }, x->type, at);
    }
    if (op == PTS_TK_STAR && kx == PTS_TY_INT && ky == PTS_TY_LIST) {
        *handled = true;
        return row_call(E, "mul.right_", 2, (PtsIrValue *[]){ x, y }, y->type, at);
    }
    return NULL;
}

/* list(xs) copies a list (aten::list.t); list(range(...)), list(zip(...)), list(d.items())...
 * are comprehensions [v for v in ...] */
static PtsIrValue *emit_list_call(Emitter *E, const PtsAst *n) {
    if (n->n != 2 || n->kids[1]->kind == PTS_AST_KWARG || n->kids[1]->kind == PTS_AST_STARRED)
        return efail(E, n, "list() takes exactly one positional argument in TorchScript");
    const PtsAst *arg = n->kids[1];
    bool iterator = false;
    if (arg->kind == PTS_AST_CALL) {
        const PtsAst *f = arg->kids[0];
        if (f->kind == PTS_AST_NAME && !lookup(E, f->str)) {
            Sv sv;
            if (!emit_sugared(E, f, &sv)) return NULL;
            iterator = sv.kind == SV_BUILTIN && (strcmp(sv.name, "range") == 0 || strcmp(sv.name, "enumerate") == 0 ||
                                                 strcmp(sv.name, "zip") == 0);
        }
    }
    if (!iterator) {
        PtsIrValue *v = emit_expr(E, arg);
        if (!v) return NULL;
        if (v->type->kind == PTS_TY_LIST) return row_call(E, "list.t", 1, &v, v->type, n);
        return efail(E, arg, "list() of a value of type %s is not supported", tstr(E, v->type));
    }
    static int counter;
    char nm[32];
    snprintf(nm, sizeof nm, "$item%d", ++counter & 0xffff);
    PtsAst *v = synth(E, PTS_AST_NAME, arg, 0, NULL), *comp;
    if (!v || !(v->str = pts_arena_strndup(E->a, nm, strlen(nm)))) return oom(E);
    if (!(comp = synth(E, PTS_AST_LISTCOMP, n, 3, (PtsAst *[]){ v, v, (PtsAst *)arg }))) return NULL;
    Iter *pre = pts_arena_alloc(E->a, sizeof *pre);
    if (!pre) return oom(E);
    if (!build_iter(E, arg, pre)) return NULL;
    E->pre_iter_ast = arg;
    E->pre_iter = pre;
    PtsIrValue *r = emit_comprehension(E, comp);
    E->pre_iter = NULL;
    E->pre_iter_ast = NULL;
    return r;
}
/* }==================== */

/* f"a{x}b" as "a{}b".format(x): the parser already split it */
/* }==================== */

/* {==================== functions ==================== */
static void eliminate_dead(PtsBlock *b);

/* {==== `# type:` signature comments ====
 * As torch.jit: the lines of the def holding "# type:" (not "# type: ignore") are found in the
 * source text; one such line is the signature "(T1, T2) -> R"; several are PEP 484's one
 * comment per parameter plus "# type: (...) -> R". The types replace the annotations: every
 * parameter but self takes one, and the return type is the comment's. */
typedef struct TypeSig {
    const PtsAst *args[PTS_MAX_CALL_ARGS];   /* type expressions */
    int nargs;
    const PtsAst *ret;
} TypeSig;

static bool is_ignore_comment(const char *s, const char *e) {
    /* "# type: ignore" or "# type: ignore[rule-code]" at the end of the line */
    const char *p = s + 7;
    if (e - p < 7 || memcmp(p, " ignore", 7) != 0) return false;
    p += 7;
    if (p == e) return true;
    if (*p != '[' || e[-1] != ']') return false;
    for (p++; p < e - 1; p++) if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-')) return false;
    return true;
}

static const char *find_in(const char *s, const char *e, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = s; p + n <= e; p++) if (memcmp(p, needle, n) == 0) return p;
    return NULL;
}

/* parse `text` (arena, NUL-terminated) as one expression statement */
static const PtsAst *parse_type_text(Emitter *E, const char *text, const PtsAst *def) {
    PtsSource s = { text, strlen(text), E->src->file, 0 };
    PtsAst *file;
    PtsError err = { 0 };
    if (pts_parse(&s, E->a, &err, &file) || file->n != 1 || file->kids[0]->kind != PTS_AST_EXPR_STMT)
        return efail(E, def, "could not parse the '# type:' comment of this function: %s", text);
    /* positions of the comment's types: the def's, for messages */
    return file->kids[0]->kids[0];
}

/* false on error; sig->ret stays NULL when the def has no type comment */
static bool type_comment_sig(Emitter *E, const PtsAst *def, TypeSig *sig) {
    memset(sig, 0, sizeof *sig);
    const char *text = E->src->text, *end = text + E->src->len;
    int first = def->line - E->src->line_offset, last = def->end_line - E->src->line_offset;
    const char *ls[64], *le[64];
    int n = 0, line = 1;
    for (const char *p = text; p < end && line <= last; line++) {
        const char *q = memchr(p, '\n', (size_t)(end - p));
        if (!q) q = end;
        if (line >= first) {
            const char *c = find_in(p, q, "# type:"), *qe = q;
            if (qe > p && qe[-1] == '\r') qe--;
            if (c && !is_ignore_comment(c, qe)) {
                if (n == 64) return efail(E, def, "too many '# type:' comments"), false;
                ls[n] = p;
                le[n++] = qe;
            }
        }
        p = q + 1;
    }
    if (!n) return true;
    PtsBuf b;
    pts_buf_init(&b);
    if (n == 1) {
        const char *p = ls[0];
        while (p < le[0] && (*p == ' ' || *p == '\t')) p++;
        if (le[0] - p < 7 || memcmp(p, "# type:", 7) != 0) {
            const char *w = p;
            while (w < le[0] && *w != ' ' && *w != '(' && *w != '\t') w++;
            efail(E, def, "expected type comment but found '%.*s' here", (int)(w - p > 40 ? 40 : w - p), p);
            return false;
        }
        pts_buf_putn(&b, p + 7, (size_t)(le[0] - p - 7));
    } else {
        int ret = -1;
        for (int i = 0; i < n && ret < 0; i++) if (find_in(ls[i], le[i], "# type: (...) -> ")) ret = i;
        if (ret < 0) {
            pts_buf_puts(&b, "Return type line '# type: (...) -> ...' not found on multiline type annotation\nfor type lines:");
            for (int i = 0; i < n; i++) pts_buf_printf(&b, "\n%.*s", (int)(le[i] - ls[i] > 200 ? 200 : le[i] - ls[i]), ls[i]);
            pts_buf_puts(&b, "\n(See PEP 484 https://www.python.org/dev/peps/pep-0484/#suggested-syntax-for-python-2-7-and-straddling-code)");
            efail(E, def, "%s", b.data ? b.data : "?");
            pts_buf_free(&b);
            return false;
        }
        /* "(...)" becomes the parameter comments joined by ", " */
        const char *c = find_in(ls[ret], le[ret], "# type: (...) -> ") + 8;
        pts_buf_puts(&b, "(");
        for (int i = 0; i < ret; i++) {
            const char *t = find_in(ls[i], le[i], "# type:") + 7, *te = le[i];
            while (t < te && (*t == ' ' || *t == '\t')) t++;
            while (te > t && (te[-1] == ' ' || te[-1] == '\t')) te--;
            pts_buf_printf(&b, i ? ", %.*s" : "%.*s", (int)(te - t), t);
        }
        pts_buf_puts(&b, ")");
        pts_buf_putn(&b, c + 5, (size_t)(le[ret] - c - 5));
    }
    if (b.oom) { pts_buf_free(&b); return oom(E), false; }
    /* "(A, B) -> R": split at the last "->" */
    char *sigt = pts_arena_strndup(E->a, b.data ? b.data : "", b.len);
    pts_buf_free(&b);
    if (!sigt) return oom(E), false;
    char *arrow = NULL;
    for (char *p = sigt; (p = strstr(p, "->")); p += 2) arrow = p;
    if (!arrow) return efail(E, def, "expected '->' in the '# type:' comment of this function"), false;
    *arrow = 0;
    const PtsAst *a = parse_type_text(E, sigt, def), *r = a ? parse_type_text(E, arrow + 2, def) : NULL;
    if (!r) return false;
    if (a->kind == PTS_AST_TUPLE) {
        if (a->n > PTS_MAX_CALL_ARGS) return efail(E, def, "too many parameters"), false;
        for (int i = 0; i < a->n; i++) sig->args[i] = a->kids[i];
        sig->nargs = a->n;
    } else {
        sig->args[0] = a;
        sig->nargs = 1;
    }
    sig->ret = r;
    int want = def->kids[0]->n - (E->cls ? 1 : 0);
    if (want != sig->nargs)
        return efail(E, def, "Number of type annotations (%d) did not match the number of %s parameters (%d)", sig->nargs,
                     E->cls ? "method" : "function", want), false;
    return true;
}
/* }==== */

/* the function of a def: parameters as graph inputs, body, one output */
static const PtsType *unify_cb(void *ctx, const PtsType *a, const PtsType *b) { return unify((Emitter *)ctx, a, b); }

static PtsStatus emit_def(Emitter *E, const PtsAst *def, bool is_method, PtsFunction **out) {
    const PtsAst *params = def->kids[0];
    TypeSig tsig;
    if (!type_comment_sig(E, def, &tsig)) return E->err->code;
    int np = params->n;
    if (np > PTS_MAX_CALL_ARGS) return efail(E, params, "too many parameters"), E->err->code;
    if (is_method && np == 0) return efail(E, def, "methods must take self as their first parameter"), E->err->code;
    PtsValue defaults[PTS_MAX_CALL_ARGS];
    bool has_def[PTS_MAX_CALL_ARGS];
    const char *names[PTS_MAX_CALL_ARGS];
    int8_t list_n[PTS_MAX_CALL_ARGS];
    bool any_n = false;
    bool inf_arg[PTS_MAX_CALL_ARGS];   /* given no annotation */
    for (int i = 0; i < np; i++) { defaults[i] = pts_none(); has_def[i] = false; list_n[i] = 0; inf_arg[i] = false; }
    PtsStatus st = PTS_OK;
    for (int i = 0; i < np; i++) {
        const PtsAst *p = params->kids[i];
        names[i] = p->str;
        if (p->op == PTS_TK_STAR || p->op == PTS_TK_DSTAR) {
            if (strcmp(p->str, "*") == 0) efail(E, p, "keyword-only parameters are not supported yet");
            else efail(E, p, "variadic parameters (*args, **kwargs) are not supported in TorchScript");
            goto fail;
        }
        PtsIrValue *v;
        if (is_method && i == 0) {
            if (p->kids[0]) { efail(E, p, "the self parameter cannot be annotated"); goto fail; }
            v = pts_block_add_input(E->g, E->g->top, pts_type_class(E->cls), "self");
            if (!v) { oom(E); goto fail; }
            tn_name(E, v, "self");
            E->self_v = v;
        } else {
            const PtsType *t = NULL;
            bool inferred_p = false;
            if (p->kids[1]) {
                if (!const_value(E, p->kids[1], &defaults[i])) goto fail;
                has_def[i] = true;
            }
            const PtsAst *ann = tsig.ret ? tsig.args[i - (is_method ? 1 : 0)] : p->kids[0];
            if (ann) {
                if (!(t = parse_type(E, ann))) goto fail;
                list_n[i] = (int8_t)broadcast_n(ann);
                any_n |= list_n[i] > 0;
                PtsValue d = defaults[i];
                if (list_n[i] && has_def[i] && (d.tag == PTS_V_INT || d.tag == PTS_V_DOUBLE || d.tag == PTS_V_BOOL)) {
                    /* `padding: BroadcastingList2[int] = 0` defaults to [0, 0], as in torch */
                    PtsValue l;
                    if (pts_list_new(PTS_V_LIST, list_n[i], E->err, &l)) goto fail;
                    for (int k = 0; k < list_n[i]; k++)
                        if (pts_list_append(l, d, E->err)) { pts_value_release(&l); goto fail; }
                    defaults[i] = l;
                }
            } else if (has_def[i]) {
                /* an unannotated parameter takes the type of its default */
                switch (defaults[i].tag) {
                case PTS_V_INT: t = ty(PTS_TY_INT); break;
                case PTS_V_DOUBLE: t = ty(PTS_TY_FLOAT); break;
                case PTS_V_BOOL: t = ty(PTS_TY_BOOL); break;
                case PTS_V_STR: t = ty(PTS_TY_STR); break;
                case PTS_V_NONE: t = keep(E, pts_type_optional(ty(PTS_TY_TENSOR))); break;
                default: efail(E, p->kids[1], "annotate parameters with list or tuple defaults"); goto fail;
                }
                if (!t) goto fail;
            } else {
                t = ty(PTS_TY_TENSOR);
                inferred_p = true;
            }
            if (has_def[i]) {
                /* the default must fit the parameter; an int literal serves a float parameter */
                if (t->kind == PTS_TY_FLOAT && defaults[i].tag == PTS_V_INT) defaults[i] = pts_vdouble((double)defaults[i].u.i);
                bool ok;
                switch (defaults[i].tag) {
                case PTS_V_NONE: ok = t->kind == PTS_TY_OPTIONAL || t->kind == PTS_TY_NONE || t->kind == PTS_TY_ANY; break;
                case PTS_V_INT: ok = t->kind == PTS_TY_INT || t->kind == PTS_TY_NUMBER || (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_INT); break;
                case PTS_V_DOUBLE: ok = t->kind == PTS_TY_FLOAT || t->kind == PTS_TY_NUMBER || (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_FLOAT); break;
                case PTS_V_BOOL: ok = t->kind == PTS_TY_BOOL || (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_BOOL); break;
                case PTS_V_STR: ok = t->kind == PTS_TY_STR || (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_STR); break;
                default: ok = t->kind == PTS_TY_LIST || t->kind == PTS_TY_TUPLE || t->kind == PTS_TY_OPTIONAL; break;
                }
                if (!ok) {
                    efail(E, p->kids[1], "Expected a default value of type %s on parameter \"%s\".", tstr(E, t), p->str);
                    goto fail;
                }
            }
            v = pts_block_add_input(E->g, E->g->top, R(t), p->str);
            if (!v) { oom(E); goto fail; }
            if (inferred_p && E->ninferred < PTS_MAX_CALL_ARGS) E->inferred[E->ninferred++] = v;
            inf_arg[i] = inferred_p;
            tn_name(E, v, p->str);
        }
        if (!set_var(E, p->str, v, v->type, NULL)) goto fail;
    }
    if (tsig.ret ? !(E->ret_decl = parse_type(E, tsig.ret)) : def->kids[1] && !(E->ret_decl = parse_type(E, def->kids[1])))
        goto fail;
    {
        PtsIrValue *rv = NULL;
        int ex = E->cls && E->cls->is_interface ? iface_body(E, def) : emit_stmts(E, def->kids[2], 0, NULL, &rv);
        if (ex < 0) goto fail;
        if (ex == EXIT_NONE) {
            /* torch's handleMaybeNoReturn: any declared type but None (Optional[T] too) must return */
            if (E->ret_decl && E->ret_decl->kind != PTS_TY_NONE) {
                efail(E, def, "Function was not annotated as having type None, but does not return along all paths\n"
                      "(annotated as returning %s: add a return at the end)", tstr(E, E->ret_decl));
                goto fail;
            }
            /* falling off the end returns None (torch's handleMaybeNoReturn) */
            PtsIrValue *none = cnone(E, def);
            if (!none || emit_return_value(E, none, def) < 0) goto fail;
        }
        /* a placeholder of the return type, replaced by the exit transform (torch's emitOutput) */
        const PtsType *rt = E->ret_decl ? E->ret_decl : E->merged_ret ? E->merged_ret : ty(PTS_TY_NONE);
        E->blk = E->g->top;
        if (!(rv = uninitialized(E, rt, def))) goto fail;
        if (pts_block_add_output(E->g, E->g->top, rv, E->err)) goto fail;
        tn_finish(E);   /* torch names If/Loop outputs in ConvertToSSA, before TransformExits */
        for (int i = 0; i < E->nbrk; i++) {
            PtsNode *c = E->brk_false[i]->node;
            if (c && E->g->top->first != c) pts_node_move_before(c, E->g->top->first);
        }
        /* torch's ConvertToSSA exit transform, CanonicalizeModifiedLoops, then its cleanup passes
         * after emission, for the graph's shape */
        if (pts_pass_transform_exits(E->g, unify_cb, E, E->ns, E->err)) goto fail;
        tn_apply(E);
        if (pts_pass_canonicalize_modified_loops(E->g, E->err)) goto fail;
        if (pts_pass_constant_propagation_immutable(E->g, E->err)) goto fail;
        pts_pass_remove_extra_if_outputs(E->g);
        eliminate_dead(E->g->top);
        /* pooled once, as torch's compiled graphs are: each constant moved to the top in the
         * order of first use, so they read in reverse (literals were made at the top already) */
        if (pts_pass_constant_pooling(E->g, E->err) ||
            pts_pass_canonicalize_outputs(E->g, E->err))
            goto fail;
    }
    {
        PtsGraph *g = E->g;
        E->g = NULL;
        PtsFunction *f = pts_function_new(def->str, g, is_method);
        if (!f) { oom(E); goto fail; }
        f->nargs = np;
        f->arg_names = pts_calloc((size_t)(np ? np : 1), sizeof(char *));
        f->defaults = pts_calloc((size_t)(np ? np : 1), sizeof(PtsValue));
        f->has_default = pts_calloc((size_t)(np ? np : 1), sizeof(bool));
        if (!f->arg_names || !f->defaults || !f->has_default) {
            f->nargs = 0;
            pts_function_release(f);
            oom(E);
            goto fail;
        }
        if (any_n) {
            if (!(f->list_n = pts_calloc((size_t)np, sizeof(int8_t)))) {
                pts_function_release(f);
                oom(E);
                goto fail;
            }
            memcpy(f->list_n, list_n, (size_t)np);
        }
        if (E->ninferred) {   /* the unannotated parameters, for callers' messages */
            if (!(f->inferred = pts_calloc((size_t)np, 1))) {
                pts_function_release(f);
                oom(E);
                goto fail;
            }
            for (int i = 0; i < np; i++) f->inferred[i] = inf_arg[i];
        }
        for (int i = 0; i < np; i++) {
            f->arg_names[i] = pts_strdup(names[i]);
            if (!f->arg_names[i]) {
                pts_function_release(f);
                oom(E);
                goto fail;
            }
            f->defaults[i] = defaults[i];
            f->has_default[i] = has_def[i];
            defaults[i] = pts_none();
        }
        *out = f;
    }
    return PTS_OK;
fail:
    for (int i = 0; i < np; i++) pts_value_release(&defaults[i]);
    st = E->err->code ? E->err->code : PTS_ERR_INTERNAL;
    return st;
}

/* {==== dead code ====
 * Values nobody uses are dropped, as TorchScript's dead-code pass does after emission: pure
 * nodes only (no in-place or out= ops, no random ops, no attribute writes, calls, raises or
 * control flow). Walking each block backwards removes whole unused chains in one pass. */
static bool pure(const PtsNode *n) {
    if (pts_kind_is_op(n->kind)) {
        const PtsOpInfo *o = &pts_op_info[n->kind];
        if (o->flags & PTS_F_NONDET) return false;
        if (o->schema.nret == 0) return false;   /* aten::warn: runs only for its effect */
        for (int i = 0; i < o->schema.nargs; i++) if (o->schema.args[i].type.write) return false;
        return true;
    }
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_CONSTANT: case PTS_PRIM_GETATTR: case PTS_PRIM_TUPLECONSTRUCT: case PTS_PRIM_LISTCONSTRUCT:
    case PTS_PRIM_TUPLEUNPACK: case PTS_PRIM_UNINITIALIZED: case PTS_PRIM_UNCHECKED_CAST:
    case PTS_PRIM_FORK:   /* torch drops a fork nobody waits for, whatever its body does */
    case PTS_PRIM_AWAITABLE: case PTS_PRIM_AWAITABLE_NOWAIT:
        return true;
    default: return false;
    }
}

static void eliminate_dead(PtsBlock *b) {
    for (PtsNode *n = b->last; n;) {
        PtsNode *prev = n->prev;
        /* as torch's DCE, an If output nothing reads goes (with its blocks' outputs), before the
         * blocks are swept so what fed it goes too */
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_IF))
            for (int i = n->noutputs - 1; i >= 0; i--)
                if (!n->outputs[i]->nuses) pts_node_erase_output(n, i);
        for (int i = 0; i < n->nblocks; i++) eliminate_dead(n->blocks[i]);
        /* a loop-carried value read neither after the loop nor in its body goes (torch's DCE), then
         * what computed its next value, when nothing else reads it */
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_LOOP) && n->nblocks == 1) {
            bool erased = false;
            for (int i = n->noutputs - 1; i >= 0; i--)
                if (pts_loop_carried_dead(n, i)) {
                    pts_loop_erase_carried(n, i);
                    erased = true;
                }
            if (erased) eliminate_dead(n->blocks[0]);
        }
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_IF) && n->noutputs == 0) {
            bool empty = true;
            for (int i = 0; i < n->nblocks; i++) empty = empty && !n->blocks[i]->first;
            if (empty) {
                pts_node_destroy(n);
                n = prev;
                continue;
            }
        }
        bool used = false;
        for (int i = 0; i < n->noutputs; i++) if (n->outputs[i]->nuses) used = true;
        if (!used && pure(n)) pts_node_destroy(n);
        n = prev;
    }
}
/* }==== */

/* the one def of a source (decorators, docstrings and blank lines around it are allowed) */
static const PtsAst *find_def(const PtsAst *file, PtsError *err, const PtsSource *src) {
    const PtsAst *def = NULL;
    for (int i = 0; i < file->n; i++) {
        const PtsAst *s = file->kids[i];
        if (s->kind == PTS_AST_EXPR_STMT && s->kids[0]->kind == PTS_AST_STR) continue;
        if (s->kind != PTS_AST_DEF || def) {
            pts_src_fail(err, src, PTS_ERR_COMPILE, s->line, s->col, s->end_line, s->end_col,
                         "expected the source of exactly one function definition");
            return NULL;
        }
        def = s;
    }
    if (!def) pts_fail(err, PTS_ERR_COMPILE, "no function definition found in the source");
    return def;
}

static PtsStatus compile_def(CompileCtx *cc, PtsClassType *cls, const PtsSource *src, const char *def_name,
                             const PtsResolver *r, PtsError *err, PtsFunction **out) {
    if (out) *out = NULL;
    PtsArena a;
    pts_arena_init(&a);
    PtsAst *file;
    PtsStatus st = pts_parse(src, &a, err, &file);
    if (st) { pts_arena_free(&a); return st; }
    PtsAst *def = (PtsAst *)find_def(file, err, src);
    if (!def) { pts_arena_free(&a); return err->code; }
    if (def_name) def->str = def_name;   /* a property's getter/setter */
    if (cls && pts_class_find_method(cls, def->str)) {
        pts_src_fail(err, src, PTS_ERR_COMPILE, def->line, def->col, def->end_line, def->col + 3,
                     "method '%s' is already defined on %s", def->str, cls->qualname);
        pts_arena_free(&a);
        return err->code;
    }
    Emitter E;
    memset(&E, 0, sizeof E);
    E.src = src;
    E.a = &a;
    E.err = err;
    E.res = r;
    E.cc = cc;
    E.cls = cls;
    E.g = pts_graph_new();
    Scope root = { 0 };
    E.scope = &root;
    E.ns = pts_namesim_new();   /* NULL (OOM): the compiler's own names */
    PtsFunction *f = NULL;
    if (!E.g) st = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    else {
        E.blk = E.g->top;
        E.file = src->file ? pts_graph_intern(E.g, src->file) : NULL;
        cc->names[cc->n++] = def->str;
        uintptr_t outer_top = emit_stack_top;   /* a function compiled from another's body: its base */
        if (!outer_top) emit_stack_top = (uintptr_t)__builtin_frame_address(0);
        st = emit_def(&E, def, cls != NULL, &f);
        emit_stack_top = outer_top;
        cc->n--;
    }
    pts_graph_free(E.g);   /* NULL when the function took it */
    pts_namesim_free(E.ns);
    pts_free(E.tn_read);
    pts_free(E.tn_outs);
    pts_free(E.lits);
    pts_free(E.brk_false);
    pts_free(E.bare_ids);
    for (int i = 0; i < E.npool; i++) pts_type_release(E.pool[i]);
    pts_free(E.pool);
    if (!st && cls) st = pts_class_add_method(cls, f, err);
    if (!st) {
        /* lower to interpreter code now, so the first call costs what the hundredth does; a
         * graph the interpreter cannot run yet reports that when it is called */
        PtsError ignored = { 0 };
        (void)pts_interp_prepare(f, &ignored);
    }
    pts_arena_free(&a);
    if (st) { pts_function_release(f); return st; }
    if (out) *out = f;
    else pts_function_release(f);
    return PTS_OK;
}
/* }==================== */

PtsStatus pts_compile_method(PtsClassType *cls, const PtsSource *src, const PtsResolver *r, PtsError *err,
                             PtsFunction **out) {
    CompileCtx cc = { .n = 0 };
    return compile_def(&cc, cls, src, NULL, r, err, out);
}

PtsStatus pts_compile_method_named(PtsClassType *cls, const PtsSource *src, const char *name, const PtsResolver *r,
                                   PtsError *err, PtsFunction **out) {
    CompileCtx cc = { .n = 0 };
    return compile_def(&cc, cls, src, name, r, err, out);
}

PtsStatus pts_compile_function(const PtsSource *src, const PtsResolver *r, PtsError *err, PtsFunction **out) {
    CompileCtx cc = { .n = 0 };
    return compile_def(&cc, NULL, src, NULL, r, err, out);
}

#include "emit_fork.inc"
