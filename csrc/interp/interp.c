/* interp.c: lowering of graphs to register code and the dispatch loop.
 * Lowering walks blocks in order; prim::If becomes a conditional jump around the two branches,
 * each ending with moves of its block outputs into the node's output registers; prim::Loop becomes
 * a counted loop whose carried values live in the body block's input registers. */
#include <stdio.h>
#include <stdlib.h>

#include "interp.h"
#include "../ops/builtin.h"
#include "../ops/complex.h"

typedef enum {
    I_OP,          /* a = op id */
    I_CONST,       /* a = const index */
    I_MOVE,        /* out[0] = retain(in[0]) */
    I_GETATTR,     /* a = slot */
    I_SETATTR,     /* a = slot; in = (obj, value) */
    I_CALL,        /* p = function */
    I_CALL_IFACE,  /* p = method name: CallMethod on an interface, found in the object's class */
    I_TUPLE,
    I_LIST,
    I_UNPACK,      /* in[0] tuple/list -> outs */
    I_TUPLE_INDEX, /* a = index */
    I_JUMP,        /* a = target */
    I_JUMP_IF_NOT, /* in[0] bool; a = target */
    I_LOOP_INIT,   /* in = (counter_reg_dummy) out[0] = counter (int 0) */
    I_LOOP_TEST,   /* in = (counter, trip, cond); a = exit target */
    I_LOOP_NEXT,   /* in = (counter); out = counter+1; a = loop head */
    I_RAISE,       /* in[0] message */
    I_NUM2TENSOR,
    I_DICT,        /* in = (k0, v0, k1, v1...) */
    I_PRINT,       /* prim::Print: values separated by spaces, then a newline (pts_print_hook) */
    I_FORMAT,      /* aten::format(fmt, args...): variadic */
    I_SCALAR,      /* a = op id of a hidden int/float/bool builtin with every argument given and
                    * one scalar result: the kernel is called directly (no tensors, so nothing
                    * for the tracer or the dispatch hook to see) */
    I_PYCALL,      /* prim::PythonOp: a = pyid, through pts_interp_python_hook */
    I_NEWOBJ,      /* prim::CreateObject: p = class; every attribute None until __init__ sets it */
    I_ISINSTANCE,  /* prim::isinstance: p = tuple type of the types tested (held by the node) */
    I_TOLIST,      /* prim::tolist(x, dim, elem) */
    I_FORK,        /* prim::fork: the body follows, up to a (exclusive); in = (the body's result,
                    * k captured values, the k body input registers they go to); out[0] = the
                    * future; the body runs in a frame of its own on the inter-op pool */
    I_WAIT,        /* aten::wait, prim::awaitable_wait: in[0] future -> its value, or its error raised */
    I_AWAITABLE,   /* prim::awaitable: as I_FORK, the task run by the first wait (lazy) */
    I_NOWAIT,      /* prim::awaitable_nowait: in[0] -> a completed Await */
    I_ENTER,       /* prim::Enter: p = __enter__ of in[0]'s class; out[0] = its result; the object
                    * goes on the frame's with stack */
    I_EXIT,        /* prim::Exit: the object's __exit__ called (obj, None, None, None); popped */
} IOp;

PtsPythonCallHook pts_interp_python_hook = NULL;

typedef struct Instr {
    uint8_t op;
    bool dtype_args;     /* I_OP: the schema has a ScalarType among the inputs given (checked per call) */
    bool complex_args;   /* I_OP: a Scalar input may hold a complex the kernel cannot take (checked per call) */
    int32_t a;
    int32_t nin, nout;
    int32_t *in, *out;   /* into the operand pool */
    void *p;
} Instr;

typedef struct PtsCode {
    int nregs;
    int ninstr, cap_instr;
    Instr *code;
    int nconsts, cap_consts;
    PtsValue *consts;
    int32_t *pool;
    int npool, cap_pool;
    int nargs;
    int32_t *arg_regs;
    int nret;
    int32_t *ret_regs;
} PtsCode;

static void code_free(PtsCode *c) {
    if (!c) return;
    for (int i = 0; i < c->nconsts; i++) pts_value_release(&c->consts[i]);
    pts_free(c->consts);
    pts_free(c->code);
    pts_free(c->pool);
    pts_free(c->arg_regs);
    pts_free(c->ret_regs);
    pts_free(c);
}

/* ---- lowering ---- */
typedef struct Lower {
    PtsCode *c;
    PtsError *err;
    /* operand pool offsets are resolved to pointers at the end (the pool is reallocated) */
} Lower;

static int emit(Lower *L, IOp op, int a, int nin, int nout) {
    PtsCode *c = L->c;
    if (c->ninstr == c->cap_instr) {
        int cap = c->cap_instr ? c->cap_instr * 2 : 32;
        Instr *n = pts_realloc(c->code, sizeof *n * (size_t)cap);
        if (!n) return -1;
        c->code = n;
        c->cap_instr = cap;
    }
    if (c->npool + nin + nout > c->cap_pool) {
        int cap = c->cap_pool ? c->cap_pool * 2 : 64;
        while (cap < c->npool + nin + nout) cap *= 2;
        int32_t *n = pts_realloc(c->pool, sizeof *n * (size_t)cap);
        if (!n) return -1;
        c->pool = n;
        c->cap_pool = cap;
    }
    Instr *in = &c->code[c->ninstr];
    memset(in, 0, sizeof *in);
    in->op = (uint8_t)op;
    in->a = a;
    in->nin = nin;
    in->nout = nout;
    /* store pool offsets in the pointer fields for now */
    in->in = (int32_t *)(intptr_t)c->npool;
    in->out = (int32_t *)(intptr_t)(c->npool + nin);
    c->npool += nin + nout;
    return c->ninstr++;
}

static int32_t *ins_of(Lower *L, int i) { return L->c->pool + (intptr_t)L->c->code[i].in; }
static int32_t *outs_of(Lower *L, int i) { return L->c->pool + (intptr_t)L->c->code[i].out; }

static PtsStatus oom(Lower *L) { return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory"); }

static int add_const(Lower *L, PtsValue v) {
    PtsCode *c = L->c;
    if (c->nconsts == c->cap_consts) {
        int cap = c->cap_consts ? c->cap_consts * 2 : 16;
        PtsValue *n = pts_realloc(c->consts, sizeof *n * (size_t)cap);
        if (!n) return -1;
        c->consts = n;
        c->cap_consts = cap;
    }
    c->consts[c->nconsts] = pts_value_retain(v);
    return c->nconsts++;
}

static PtsStatus lower_block(Lower *L, const PtsBlock *b);

static PtsStatus emit_moves(Lower *L, int n, PtsIrValue *const *from, PtsIrValue *const *to) {
    for (int k = 0; k < n; k++) {
        if (from[k] == to[k]) continue;
        int i = emit(L, I_MOVE, 0, 1, 1);
        if (i < 0) return oom(L);
        ins_of(L, i)[0] = from[k]->id;
        outs_of(L, i)[0] = to[k]->id;
    }
    return PTS_OK;
}

/* Moves whose sources may be among the targets (loop-carried swaps like `y, h = h, y`) go through
 * fresh temporary registers. */
static PtsStatus emit_parallel_moves(Lower *L, int n, PtsIrValue *const *from, PtsIrValue *const *to) {
    int base = L->c->nregs;
    L->c->nregs += n;
    for (int k = 0; k < n; k++) {
        int i = emit(L, I_MOVE, 0, 1, 1);
        if (i < 0) return oom(L);
        ins_of(L, i)[0] = from[k]->id;
        outs_of(L, i)[0] = base + k;
    }
    for (int k = 0; k < n; k++) {
        int i = emit(L, I_MOVE, 0, 1, 1);
        if (i < 0) return oom(L);
        ins_of(L, i)[0] = base + k;
        outs_of(L, i)[0] = to[k]->id;
    }
    return PTS_OK;
}

static bool scalar_kind(PtsArgType a) {
    return !a.is_list && !a.optional && (a.kind == PTS_T_INT || a.kind == PTS_T_FLOAT || a.kind == PTS_T_BOOL);
}

/* Can a Scalar input of n hold a complex its kernel reads as a real number? Only values whose
 * type admits a complex (complex, number, Any, unions) passed to rows outside ops_complex.def. */
static bool complex_scalar_input(const PtsNode *n) {
    if (pts_complex_op_accepts(n->kind) || pts_complex_scalar_ok(n->kind)) return false;
    const PtsSchema *s = &pts_op_info[n->kind].schema;
    for (int j = 0; j < n->ninputs && j < s->nargs; j++) {
        int k = n->inputs[j]->type->kind;
        if (s->args[j].type.kind == PTS_T_SCALAR && !s->args[j].type.is_list && k != PTS_TY_INT &&
            k != PTS_TY_FLOAT && k != PTS_TY_BOOL && k != PTS_TY_TENSOR && k != PTS_TY_NONE)
            return true;
    }
    return false;
}

static bool scalar_builtin(const PtsNode *n) {
    const PtsOpInfo *o = &pts_op_info[n->kind];
    if (!(o->flags & PTS_F_HIDDEN) || o->schema.nret != 1 || !scalar_kind(o->schema.rets[0]) || n->noutputs != 1 ||
        n->ninputs != o->schema.nargs || n->ninputs > 4)
        return false;
    for (int i = 0; i < o->schema.nargs; i++)
        if (!scalar_kind(o->schema.args[i].type)) return false;
    return true;
}

static PtsStatus lower_node(Lower *L, const PtsNode *n) {
    int i;
    if (n->kind == PTS_OP_FORMAT) {
        i = emit(L, I_FORMAT, 0, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        goto operands;
    }
    if (pts_kind_is_op(n->kind)) {
        i = emit(L, scalar_builtin(n) ? I_SCALAR : I_OP, n->kind, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        const PtsSchema *s = &pts_op_info[n->kind].schema;
        for (int j = 0; j < n->ninputs && j < s->nargs; j++)
            if (s->args[j].type.kind == PTS_T_SCALARTYPE) L->c->code[i].dtype_args = true;
        L->c->code[i].complex_args = complex_scalar_input(n);
        /* lists and dicts an op returns get the node's static output types (see I_LIST) */
        for (int j = 0; j < n->noutputs; j++)
            if (n->outputs[j]->type->kind == PTS_TY_LIST || n->outputs[j]->type->kind == PTS_TY_DICT) L->c->code[i].p = (void *)n;
        goto operands;
    }
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_CONSTANT: {
        const PtsNodeAttr *a = pts_node_attr(n, "value");
        if (a && n->noutputs == 1) pts_value_set_type(a->v, n->outputs[0]->type);   /* a list constant's type */
        int k = add_const(L, a ? a->v : pts_none());
        if (k < 0 || (i = emit(L, I_CONST, k, 0, 1)) < 0) return oom(L);
        goto operands;
    }
    case PTS_PRIM_GETATTR:
    case PTS_PRIM_SETATTR: {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        const PtsType *t = n->inputs[0]->type;
        if (!a || t->kind != PTS_TY_CLASS)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "GetAttr/SetAttr on a value that is not an object");
        int slot = pts_class_find_attr(t->cls, pts_as_str(a->v)->data);
        if (slot < 0)
            return pts_fail(L->err, PTS_ERR_RUNTIME, "%s has no attribute '%s'", t->cls->qualname,
                            pts_as_str(a->v)->data);
        i = emit(L, n->kind == PTS_KIND_PRIM(PTS_PRIM_GETATTR) ? I_GETATTR : I_SETATTR, slot, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        goto operands;
    }
    case PTS_PRIM_CALLMETHOD: {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        const PtsType *t = n->inputs[0]->type;
        if (!a || t->kind != PTS_TY_CLASS)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "CallMethod on a value that is not an object");
        PtsFunction *f = pts_class_find_method(t->cls, pts_as_str(a->v)->data);
        if (!f)
            return pts_fail(L->err, PTS_ERR_RUNTIME, "%s has no method '%s'", t->cls->qualname,
                            pts_as_str(a->v)->data);
        if (t->cls->is_interface) {
            /* the name lives in the node's attribute, which lives as long as the graph and its code */
            i = emit(L, I_CALL_IFACE, 0, n->ninputs, n->noutputs);
            if (i < 0) return oom(L);
            L->c->code[i].p = (void *)pts_as_str(a->v)->data;
            goto operands;
        }
        i = emit(L, I_CALL, 0, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        L->c->code[i].p = f;
        goto operands;
    }
    case PTS_PRIM_CALLFUNCTION: {
        /* the callee travels in the "fn" attribute; the inputs are its arguments */
        const PtsNodeAttr *a = pts_node_attr(n, "fn");
        PtsFunction *f = a && a->kind == PTS_AV_IVALUE ? pts_function_ref_get(a->v) : NULL;
        if (!f) return pts_fail(L->err, PTS_ERR_INTERNAL, "CallFunction without a function");
        i = emit(L, I_CALL, 0, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        L->c->code[i].p = f;
        goto operands;
    }
    case PTS_PRIM_PYTHONOP: {
        const PtsNodeAttr *a = pts_node_attr(n, "pyid");
        if (!a || a->kind != PTS_AV_INT || n->noutputs != 1)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::PythonOp without a Python function");
        i = emit(L, I_PYCALL, (int32_t)a->v.u.i, n->ninputs, 1);
        if (i < 0) return oom(L);
        L->c->code[i].p = n->outputs[0]->type;   /* graph-owned, lives as long as the code */
        goto operands;
    }
    case PTS_PRIM_CREATEOBJECT: {
        const PtsType *t = n->noutputs == 1 ? n->outputs[0]->type : NULL;
        if (!t || t->kind != PTS_TY_CLASS || !t->cls)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::CreateObject without a class type");
        i = emit(L, I_NEWOBJ, 0, 0, 1);
        if (i < 0) return oom(L);
        L->c->code[i].p = t->cls;   /* the output type holds it as long as the graph lives */
        goto operands;
    }
    case PTS_PRIM_ENTER:
    case PTS_PRIM_EXIT: {
        bool enter = n->kind == PTS_KIND_PRIM(PTS_PRIM_ENTER);
        const PtsType *t = n->ninputs == 1 ? n->inputs[0]->type : NULL;
        PtsFunction *f = t && t->kind == PTS_TY_CLASS && t->cls ? pts_class_find_method(t->cls, enter ? "__enter__" : "__exit__") : NULL;
        if (!f || !f->graph || f->graph->top->ninputs != (enter ? 1 : 4) || f->graph->top->noutputs != 1 || n->noutputs != 1)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "%s needs an object whose class has %s", pts_node_kind_name(n->kind),
                            enter ? "__enter__(self)" : "__exit__(self, exc_type, exc_value, traceback)");
        i = emit(L, enter ? I_ENTER : I_EXIT, 0, 1, 1);
        if (i < 0) return oom(L);
        L->c->code[i].p = f;   /* the input's class holds it as long as the graph lives */
        goto operands;
    }
    case PTS_PRIM_TUPLECONSTRUCT: i = emit(L, I_TUPLE, 0, n->ninputs, n->noutputs); break;
    case PTS_PRIM_LISTCONSTRUCT:
    case PTS_PRIM_DICTCONSTRUCT:
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_DICTCONSTRUCT) && n->ninputs % 2)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::DictConstruct needs key/value pairs");
        i = emit(L, n->kind == PTS_KIND_PRIM(PTS_PRIM_DICTCONSTRUCT) ? I_DICT : I_LIST, 0, n->ninputs, n->noutputs);
        if (i < 0) return oom(L);
        /* the container's static type, graph-owned (lives as long as the code): torch's lists
         * and dicts know their element types (isinstance on an empty list) */
        if (n->noutputs == 1) L->c->code[i].p = n->outputs[0]->type;
        goto operands;
    case PTS_PRIM_TUPLEINDEX:
        if (n->ninputs != 2 || n->noutputs != 1) return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::TupleIndex takes a tuple and an index");
        i = emit(L, I_TUPLE_INDEX, 0, 2, 1);
        break;
    case PTS_PRIM_TUPLEUNPACK:
    case PTS_PRIM_LISTUNPACK: i = emit(L, I_UNPACK, 0, n->ninputs, n->noutputs); break;
    case PTS_PRIM_UNCHECKED_CAST: i = emit(L, I_MOVE, 0, 1, 1); break;
    case PTS_PRIM_ISINSTANCE: {
        const PtsNodeAttr *a = pts_node_attr(n, "types");
        if (!a || a->kind != PTS_AV_TYPE || a->type->kind != PTS_TY_TUPLE || n->ninputs != 1 || n->noutputs != 1)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::isinstance needs one input and a types attribute");
        i = emit(L, I_ISINSTANCE, 0, 1, 1);
        if (i < 0) return oom(L);
        L->c->code[i].p = a->type;   /* the node holds it as long as the graph lives */
        goto operands;
    }
    case PTS_PRIM_NUMTOTENSOR: i = emit(L, I_NUM2TENSOR, 0, 1, 1); break;
    case PTS_PRIM_TOLIST:
        if (n->ninputs != 3 || n->noutputs != 1) return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::tolist takes a tensor, a dimension and an element type");
        i = emit(L, I_TOLIST, 0, 3, 1);
        break;
    case PTS_PRIM_FORK:
    case PTS_PRIM_AWAITABLE: {
        /* the body is lowered in place, skipped by the fork's frame; a task runs it in a frame
         * of its own whose body input registers hold the captured values (the body reads
         * nothing else: emit_fork.inc lifted every outside value into an input) */
        if (n->nblocks != 1 || n->noutputs != 1 || n->blocks[0]->noutputs != 1 || n->blocks[0]->ninputs != n->ninputs)
            return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::fork needs one body returning one value");
        const PtsBlock *body = n->blocks[0];
        int f = emit(L, n->kind == PTS_KIND_PRIM(PTS_PRIM_FORK) ? I_FORK : I_AWAITABLE, 0, 1 + 2 * n->ninputs, 1);
        if (f < 0) return oom(L);
        ins_of(L, f)[0] = body->outputs[0]->id;
        for (int k = 0; k < n->ninputs; k++) {
            ins_of(L, f)[1 + k] = n->inputs[k]->id;
            ins_of(L, f)[1 + n->ninputs + k] = body->inputs[k]->id;
        }
        outs_of(L, f)[0] = n->outputs[0]->id;
        PTS_TRY(lower_block(L, body));
        L->c->code[f].a = L->c->ninstr;
        return PTS_OK;
    }
    case PTS_PRIM_WAIT:
    case PTS_PRIM_AWAITABLE_WAIT:
        if (n->ninputs != 1 || n->noutputs != 1) return pts_fail(L->err, PTS_ERR_INTERNAL, "aten::wait takes one future");
        i = emit(L, I_WAIT, 0, 1, 1);
        break;
    case PTS_PRIM_AWAITABLE_NOWAIT:
        if (n->ninputs != 1 || n->noutputs != 1) return pts_fail(L->err, PTS_ERR_INTERNAL, "prim::awaitable_nowait takes one value");
        i = emit(L, I_NOWAIT, 0, 1, 1);
        break;
    case PTS_PRIM_PRINT: i = emit(L, I_PRINT, 0, n->ninputs, 0); break;
    case PTS_PRIM_RAISE: i = emit(L, I_RAISE, 0, n->ninputs, 0); break;
    case PTS_PRIM_UNINITIALIZED: {
        int k = add_const(L, pts_none());
        if (k < 0 || (i = emit(L, I_CONST, k, 0, 1)) < 0) return oom(L);
        goto operands;
    }
    case PTS_PRIM_IF: {
        int jf = emit(L, I_JUMP_IF_NOT, 0, 1, 0);
        if (jf < 0) return oom(L);
        ins_of(L, jf)[0] = n->inputs[0]->id;
        PTS_TRY(lower_block(L, n->blocks[0]));
        PTS_TRY(emit_moves(L, n->noutputs, n->blocks[0]->outputs, n->outputs));
        int j = emit(L, I_JUMP, 0, 0, 0);
        if (j < 0) return oom(L);
        L->c->code[jf].a = L->c->ninstr;
        PTS_TRY(lower_block(L, n->blocks[1]));
        PTS_TRY(emit_moves(L, n->noutputs, n->blocks[1]->outputs, n->outputs));
        L->c->code[j].a = L->c->ninstr;
        return PTS_OK;
    }
    case PTS_PRIM_LOOP: {
        /* inputs: trip, cond, carried...; body inputs: iter, carried...; body outputs: cond, carried... */
        const PtsBlock *body = n->blocks[0];
        int ncar = n->ninputs - 2;
        PTS_TRY(emit_moves(L, ncar, n->inputs + 2, body->inputs + 1));
        int init = emit(L, I_LOOP_INIT, 0, 0, 1);
        if (init < 0) return oom(L);
        outs_of(L, init)[0] = body->inputs[0]->id;
        /* the live condition is kept in the node's cond input register's own copy: use the
         * body's first output register so the body's result feeds the next test */
        PtsIrValue *cond_reg = body->outputs[0];
        PTS_TRY(emit_moves(L, 1, &n->inputs[1], &cond_reg));
        int head = emit(L, I_LOOP_TEST, 0, 3, 0);
        if (head < 0) return oom(L);
        ins_of(L, head)[0] = body->inputs[0]->id;
        ins_of(L, head)[1] = n->inputs[0]->id;
        ins_of(L, head)[2] = cond_reg->id;
        PTS_TRY(lower_block(L, body));
        PTS_TRY(emit_parallel_moves(L, ncar, body->outputs + 1, body->inputs + 1));
        int nx = emit(L, I_LOOP_NEXT, head, 1, 1);
        if (nx < 0) return oom(L);
        ins_of(L, nx)[0] = body->inputs[0]->id;
        outs_of(L, nx)[0] = body->inputs[0]->id;
        L->c->code[head].a = L->c->ninstr;
        return emit_moves(L, ncar, body->inputs + 1, n->outputs);
    }
    default:
        return pts_fail(L->err, PTS_ERR_NOTIMPL, "the interpreter does not support %s yet",
                        pts_node_kind_name(n->kind));
    }
    if (i < 0) return oom(L);
operands:
    for (int k = 0; k < n->ninputs; k++) ins_of(L, i)[k] = n->inputs[k]->id;
    for (int k = 0; k < n->noutputs; k++) outs_of(L, i)[k] = n->outputs[k]->id;
    if (n->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLEINDEX)) L->c->code[i].a = 0;
    return PTS_OK;
}

static PtsStatus lower_block(Lower *L, const PtsBlock *b) {
    for (const PtsNode *n = b->first; n; n = n->next) PTS_TRY(lower_node(L, n));
    return PTS_OK;
}

static PtsStatus lower(PtsFunction *f, PtsError *err, PtsCode **out) {
    PtsCode *c = pts_calloc(1, sizeof *c);
    if (!c) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    Lower L = { c, err };
    const PtsGraph *g = f->graph;
    c->nregs = g->next_value_id;   /* one register per SSA value; temporaries follow */
    PtsStatus s = lower_block(&L, g->top);
    if (s) { code_free(c); return s; }
    for (int i = 0; i < c->ninstr; i++) {
        c->code[i].in = c->pool + (intptr_t)c->code[i].in;
        c->code[i].out = c->pool + (intptr_t)c->code[i].out;
    }
    c->nargs = g->top->ninputs;
    c->nret = g->top->noutputs;
    c->arg_regs = pts_malloc(sizeof(int32_t) * (size_t)(c->nargs + 1));
    c->ret_regs = pts_malloc(sizeof(int32_t) * (size_t)(c->nret + 1));
    if (!c->arg_regs || !c->ret_regs) { code_free(c); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    for (int i = 0; i < c->nargs; i++) c->arg_regs[i] = g->top->inputs[i]->id;
    for (int i = 0; i < c->nret; i++) c->ret_regs[i] = g->top->outputs[i]->id;
    *out = c;
    return PTS_OK;
}

static void code_free_hook(struct PtsCode *c) { code_free(c); }

PtsStatus pts_interp_prepare(PtsFunction *f, PtsError *err) {
    pts_code_free_hook = code_free_hook;
    if (atomic_load_explicit((_Atomic(PtsCode *) *)&f->code, memory_order_acquire)) return PTS_OK;
    while (atomic_flag_test_and_set(&f->code_lock)) {}
    PtsStatus s = PTS_OK;
    if (!f->code) {
        PtsCode *c;
        /* every graph that runs (traced, compiled, loaded) is checked first when verifying */
        s = pts_graph_maybe_verify(f->graph, err);
        if (!s) s = lower(f, err, &c);
        if (!s) atomic_store_explicit((_Atomic(PtsCode *) *)&f->code, c, memory_order_release);
    }
    atomic_flag_clear(&f->code_lock);
    return s;
}

int pts_function_nret(const PtsFunction *f) { return f->graph->top->noutputs; }

/* ---- execution ---- */
static _Thread_local int call_depth = 0;

static inline void set_reg(PtsValue *regs, int r, PtsValue v) {
    pts_value_release(&regs[r]);
    regs[r] = v;
}

/* the objects of the with statements a frame is inside (prim::Enter ran, prim::Exit not yet),
 * each with its __exit__; allocated at the first Enter (frames without a with pay nothing) */
typedef struct WithEntry {
    PtsValue obj;
    PtsFunction *exit;
} WithEntry;
typedef struct WithStack {
    int n, cap;
    WithEntry *e;
} WithStack;

static PtsStatus run_code(PtsFunction *fn, const PtsCode *c, PtsValue *regs, int pc, int end, WithStack *ws,
                          PtsError *err);

/* calls __exit__(obj, None, None, None) of the innermost entered object and drops it */
static PtsStatus with_exit(WithStack *ws, PtsError *err) {
    WithEntry w = ws->e[--ws->n];
    PtsValue args[4] = { w.obj, pts_none(), pts_none(), pts_none() }, out = pts_none();
    PtsStatus s = pts_interp_run(w.exit, args, 4, &out, err);
    if (!s) pts_value_release(&out);
    pts_value_release(&w.obj);
    return s;
}

/* the frame ends: when it fails (`err` set), each object still entered gets its __exit__,
 * innermost first, as torch's interpreter does; their own errors give way to the one raised */
static void with_unwind(WithStack *ws) {
    while (ws->n > 0) {
        PtsError e2;
        memset(&e2, 0, sizeof e2);
        (void)with_exit(ws, &e2);
    }
    pts_free(ws->e);
    ws->e = NULL;
    ws->cap = 0;
}

/* A forked body: its function (held, so its code lives), the range of the code, and the frame
 * (every register NONE but the body's inputs). */
typedef struct ForkTask {
    PtsFunction *fn;
    const PtsCode *c;
    int pc, end, result;
    PtsValue regs[];
} ForkTask;

static void fork_task_free(void *ctx) {
    ForkTask *t = ctx;
    for (int i = 0; i < t->c->nregs; i++) pts_value_release(&t->regs[i]);
    pts_function_release(t->fn);
    pts_free(t);
}

static PtsStatus fork_task_run(void *ctx, PtsError *err, PtsValue *out) {
    ForkTask *t = ctx;
    WithStack ws = { 0, 0, NULL };
    PtsStatus s = run_code(t->fn, t->c, t->regs, t->pc, t->end, &ws, err);
    with_unwind(&ws);
    if (s) return s;
    *out = pts_value_retain(t->regs[t->result]);
    return PTS_OK;
}

/* Runs instructions [pc, end) of fn's code c (a fork's body is such a range inside it). */
static PtsStatus run_code(PtsFunction *fn, const PtsCode *c, PtsValue *regs, int pc, int end, WithStack *ws,
                          PtsError *err) {
    const Instr *code = c->code;
    while (pc < end) {
        const Instr *I = &code[pc++];
        switch ((IOp)I->op) {
        case I_OP: {
            const PtsSchema *s = &pts_op_info[I->a].schema;
            PtsValue args[PTS_MAX_ARGS], outs[PTS_MAX_RETS];
            int k = 0;
            for (; k < I->nin && k < PTS_MAX_ARGS; k++) args[k] = regs[I->in[k]];
            for (; k < s->nargs; k++) args[k] = s->args[k].def;
            /* a dtype is a plain int in scripts (x.sum(dtype=d)): kernels index tables with it;
             * only ops with a ScalarType parameter (known when lowered) look */
            for (int j = 0; I->dtype_args && j < I->nin && j < s->nargs; j++)
                if (s->args[j].type.kind == PTS_T_SCALARTYPE && args[j].tag == PTS_V_INT &&
                    !pts_dtype_valid(args[j].u.i < 0 || args[j].u.i > 255 ? -1 : (int)args[j].u.i))
                    return pts_fail(err, PTS_ERR_RUNTIME, "Unknown ScalarType %lld", (long long)args[j].u.i);
            for (int j = 0; I->complex_args && j < I->nin && j < s->nargs; j++)
                if (args[j].tag == PTS_V_COMPLEX && s->args[j].type.kind == PTS_T_SCALAR)
                    return pts_fail(err, PTS_ERR_RUNTIME, "%s: complex values are not supported for argument '%s' "
                                    "(expected int or float)", s->qualname, s->args[j].name);
            for (int j = 0; j < PTS_MAX_RETS; j++) outs[j] = pts_none();
            PtsStatus st = pts_op_call((PtsOpId)I->a, args, outs, err);
            if (st) {
                for (int j = 0; j < PTS_MAX_RETS; j++) pts_value_release(&outs[j]);
                return st;
            }
            if (I->p)
                for (int j = 0; j < I->nout; j++) pts_value_set_type(outs[j], ((const PtsNode *)I->p)->outputs[j]->type);
            for (int j = 0; j < I->nout; j++) set_reg(regs, I->out[j], outs[j]);
            for (int j = I->nout; j < s->nret; j++) pts_value_release(&outs[j]);
            break;
        }
        case I_SCALAR: {
            PtsValue args[4], r = pts_none();
            for (int k = 0; k < I->nin; k++) args[k] = regs[I->in[k]];
            PTS_TRY(pts_op_info[I->a].kernel(args, &r, err));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_CONST: set_reg(regs, I->out[0], pts_value_retain(c->consts[I->a])); break;
        case I_MOVE: set_reg(regs, I->out[0], pts_value_retain(regs[I->in[0]])); break;
        case I_GETATTR: {
            PtsValue o = regs[I->in[0]];
            if (o.tag != PTS_V_OBJECT) return pts_fail(err, PTS_ERR_RUNTIME, "GetAttr on a non-object");
            PtsObject *obj = pts_as_object(o);
            if (I->a >= obj->nslots) return pts_fail(err, PTS_ERR_RUNTIME, "object has no slot %d", I->a);
            set_reg(regs, I->out[0], pts_value_retain(obj->slots[I->a]));
            break;
        }
        case I_SETATTR: {
            PtsValue o = regs[I->in[0]];
            if (o.tag != PTS_V_OBJECT) return pts_fail(err, PTS_ERR_RUNTIME, "SetAttr on a non-object");
            PtsObject *obj = pts_as_object(o);
            if (I->a >= obj->nslots) return pts_fail(err, PTS_ERR_RUNTIME, "object has no slot %d", I->a);
            PtsValue v = pts_value_retain(regs[I->in[1]]);
            pts_value_release(&obj->slots[I->a]);
            obj->slots[I->a] = v;
            break;
        }
        case I_CALL: {
            PtsValue args[64], outs[8];
            if (I->nin > 64 || I->nout > 8) return pts_fail(err, PTS_ERR_RUNTIME, "call with too many values");
            for (int k = 0; k < I->nin; k++) args[k] = regs[I->in[k]];
            PTS_TRY(pts_interp_run((PtsFunction *)I->p, args, I->nin, outs, err));
            for (int j = 0; j < I->nout; j++) set_reg(regs, I->out[j], outs[j]);
            break;
        }
        case I_CALL_IFACE: {
            /* the object's own class has the method: it was checked to implement the interface
             * when it was stored where the interface is the type */
            PtsValue args[64], outs[8];
            if (I->nin > 64 || I->nout > 8) return pts_fail(err, PTS_ERR_RUNTIME, "call with too many values");
            if (regs[I->in[0]].tag != PTS_V_OBJECT) return pts_fail(err, PTS_ERR_RUNTIME, "CallMethod on a non-object");
            const PtsObject *o = pts_as_object(regs[I->in[0]]);
            PtsFunction *f = pts_class_find_method(o->cls, (const char *)I->p);
            if (!f || !f->graph || f->graph->top->ninputs != I->nin || f->graph->top->noutputs != I->nout)
                return pts_fail(err, PTS_ERR_RUNTIME, "%s has no method '%s' as its interface declares", o->cls->qualname,
                                (const char *)I->p);
            for (int k = 0; k < I->nin; k++) args[k] = regs[I->in[k]];
            PTS_TRY(pts_interp_run(f, args, I->nin, outs, err));
            for (int j = 0; j < I->nout; j++) set_reg(regs, I->out[j], outs[j]);
            break;
        }
        case I_PYCALL: {
            PtsValue args[64], r = pts_none();
            if (I->nin > 64) return pts_fail(err, PTS_ERR_RUNTIME, "call with too many values");
            if (!pts_interp_python_hook)
                return pts_fail(err, PTS_ERR_RUNTIME, "a Python function call cannot run without Python");
            for (int k = 0; k < I->nin; k++) args[k] = regs[I->in[k]];
            PTS_TRY(pts_interp_python_hook(I->a, args, I->nin, (const PtsType *)I->p, &r, err));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_ISINSTANCE: {
            const PtsType *ts = I->p;
            bool r = false;
            for (int k = 0; k < ts->n && !r; k++) r = pts_value_isinstance(regs[I->in[0]], ts->elems[k]);
            set_reg(regs, I->out[0], pts_vbool(r));
            break;
        }
        case I_NEWOBJ: {
            PtsValue o;
            PTS_TRY(pts_object_new((PtsClassType *)I->p, err, &o));
            set_reg(regs, I->out[0], o);
            break;
        }
        case I_TUPLE:
        case I_LIST: {
            PtsValue l;
            PTS_TRY(pts_list_new(I->op == I_TUPLE ? PTS_V_TUPLE : PTS_V_LIST, I->nin, err, &l));
            if (I->p) pts_value_set_type(l, I->p);
            for (int k = 0; k < I->nin; k++)
                PTS_TRY(pts_list_append(l, pts_value_retain(regs[I->in[k]]), err));
            set_reg(regs, I->out[0], l);
            break;
        }
        case I_DICT: {
            PtsValue d;
            PTS_TRY(pts_dict_new(I->nin / 2, err, &d));
            if (I->p) pts_value_set_type(d, I->p);
            for (int k = 0; k + 1 < I->nin; k += 2) {
                PtsStatus st = pts_dict_set(d, pts_value_retain(regs[I->in[k]]), pts_value_retain(regs[I->in[k + 1]]), err);
                if (st) { pts_value_release(&d); return st; }
            }
            set_reg(regs, I->out[0], d);
            break;
        }
        case I_UNPACK: {
            PtsValue l = regs[I->in[0]];
            if (l.tag != PTS_V_TUPLE && l.tag != PTS_V_LIST) return pts_fail(err, PTS_ERR_RUNTIME, "cannot unpack into %d values", I->nout);
            /* a list of another length: torch's prim::ListUnpack RuntimeError */
            if (pts_as_list(l)->len != I->nout)
                return pts_fail(err, PTS_ERR_RUNTIME, "Expected %d element%s in a list but found %lld", I->nout,
                                I->nout == 1 ? "" : "s", (long long)pts_as_list(l)->len);
            /* read all first: an output register may alias the source */
            PtsValue tmp[64];
            if (I->nout > 64) return pts_fail(err, PTS_ERR_RUNTIME, "unpack of too many values");
            for (int j = 0; j < I->nout; j++) tmp[j] = pts_value_retain(pts_as_list(l)->items[j]);
            for (int j = 0; j < I->nout; j++) set_reg(regs, I->out[j], tmp[j]);
            break;
        }
        case I_TUPLE_INDEX: {
            PtsValue l = regs[I->in[0]];
            int64_t idx = regs[I->in[1]].u.i;
            if (l.tag == PTS_V_TUPLE && idx < 0) idx += pts_as_list(l)->len;   /* p[-1] */
            if (l.tag != PTS_V_TUPLE || idx < 0 || idx >= pts_as_list(l)->len)
                return pts_fail(err, PTS_ERR_RUNTIME, "Tuple list index out of range");
            set_reg(regs, I->out[0], pts_value_retain(pts_as_list(l)->items[idx]));
            break;
        }
        case I_JUMP: pc = I->a; break;
        case I_JUMP_IF_NOT: {
            PtsValue v = regs[I->in[0]];
            bool b = v.tag == PTS_V_BOOL ? v.u.b : pts_value_to_i64(v) != 0;
            if (!b) pc = I->a;
            break;
        }
        case I_LOOP_INIT: set_reg(regs, I->out[0], pts_vint(0)); break;
        case I_LOOP_TEST: {
            int64_t i = regs[I->in[0]].u.i, trip = regs[I->in[1]].u.i;
            PtsValue cv = regs[I->in[2]];
            bool cond = cv.tag == PTS_V_BOOL ? cv.u.b : pts_value_to_i64(cv) != 0;
            if (!(i < trip && cond)) pc = I->a;
            break;
        }
        case I_LOOP_NEXT:
            regs[I->out[0]].u.i = regs[I->in[0]].u.i + 1;
            pc = I->a;
            break;
        case I_RAISE: {
            PtsValue m = I->nin ? regs[I->in[0]] : pts_none();
            return pts_fail(err, PTS_ERR_RUNTIME, "%s", m.tag == PTS_V_STR ? pts_as_str(m)->data : "Exception");
        }
        case I_PRINT: {
            PtsBuf b;
            pts_buf_init(&b);
            for (int k = 0; k < I->nin; k++) {
                if (k) pts_buf_puts(&b, " ");
                PtsStatus st = pts_builtin_print_value(&b, regs[I->in[k]], err);
                if (st) { pts_buf_free(&b); return st; }
            }
            pts_buf_puts(&b, "\n");
            if (b.oom) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
            PtsStatus st = PTS_OK;
            if (pts_print_hook) st = pts_print_hook(b.data, b.len, err);
            else { fwrite(b.data, 1, b.len, stdout); fflush(stdout); }
            pts_buf_free(&b);
            if (st) return st;
            break;
        }
        case I_FORMAT: {
            PtsValue f = regs[I->in[0]], r;
            if (f.tag != PTS_V_STR) return pts_fail(err, PTS_ERR_TYPE, "format() expects a str");
            PtsValue args[64];
            if (I->nin - 1 > 64) return pts_fail(err, PTS_ERR_RUNTIME, "format() with too many arguments");
            for (int k = 1; k < I->nin; k++) args[k - 1] = regs[I->in[k]];
            PTS_TRY(pts_builtin_format(pts_as_str(f)->data, pts_as_str(f)->len, args, I->nin - 1, err, &r));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_TOLIST: {
            PtsValue args[3] = { regs[I->in[0]], regs[I->in[1]], regs[I->in[2]] }, r;
            PTS_TRY(pts_builtin_tolist(args, err, &r));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_FORK:
        case I_AWAITABLE: {
            /* the body's error goes into the future, raised by wait */
            int k = (I->nin - 1) / 2;
            ForkTask *t = pts_malloc(sizeof *t + sizeof(PtsValue) * (size_t)c->nregs);
            if (!t) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            for (int r = 0; r < c->nregs; r++) t->regs[r] = pts_none();
            for (int j = 0; j < k; j++) set_reg(t->regs, I->in[1 + k + j], pts_value_retain(regs[I->in[1 + j]]));
            t->fn = pts_function_retain(fn);
            t->c = c;
            t->pc = pc;
            t->end = I->a;
            t->result = I->in[0];
            PtsValue fut;
            PTS_TRY(pts_future_task(fork_task_run, t, fork_task_free, I->op == I_AWAITABLE, err, &fut));
            set_reg(regs, I->out[0], fut);
            pc = I->a;
            break;
        }
        case I_ENTER: {
            PtsValue o = regs[I->in[0]], r = pts_none();
            if (o.tag != PTS_V_OBJECT) return pts_fail(err, PTS_ERR_RUNTIME, "prim::Enter on a non-object");
            if (ws->n == ws->cap) {
                int cap = ws->cap ? ws->cap * 2 : 4;
                WithEntry *e = pts_realloc(ws->e, sizeof *e * (size_t)cap);
                if (!e) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
                ws->e = e;
                ws->cap = cap;
            }
            PtsFunction *ex = pts_class_find_method(pts_as_object(o)->cls, "__exit__");
            if (!ex) return pts_fail(err, PTS_ERR_RUNTIME, "%s has no method '__exit__'", pts_as_object(o)->cls->qualname);
            PTS_TRY(pts_interp_run((PtsFunction *)I->p, &o, 1, &r, err));
            ws->e[ws->n++] = (WithEntry){ pts_value_retain(o), ex };
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_EXIT:
            if (ws->n == 0 || ws->e[ws->n - 1].obj.u.h != regs[I->in[0]].u.h)
                return pts_fail(err, PTS_ERR_RUNTIME, "prim::Exit of an object that was not entered last");
            PTS_TRY(with_exit(ws, err));
            set_reg(regs, I->out[0], pts_none());
            break;
        case I_NOWAIT: {
            PtsValue r;
            PTS_TRY(pts_await_nowait(pts_value_retain(regs[I->in[0]]), err, &r));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_WAIT: {
            PtsValue r;
            PTS_TRY(pts_future_wait(regs[I->in[0]], err, &r));
            set_reg(regs, I->out[0], r);
            break;
        }
        case I_NUM2TENSOR: {
            PtsTensor *t;
            PTS_TRY(pts_wrap_scalar(regs[I->in[0]], err, &t));
            t->flags &= ~(uint32_t)PTS_TF_WRAPPED_NUMBER;
            set_reg(regs, I->out[0], pts_vtensor(t));
            break;
        }
        }
    }
    return PTS_OK;
}

PtsStatus pts_interp_run(PtsFunction *f, const PtsValue *args, int nargs, PtsValue *outs, PtsError *err) {
    PTS_TRY(pts_interp_prepare(f, err));
    const PtsCode *c = f->code;
    if (nargs != c->nargs)
        return pts_fail(err, PTS_ERR_RUNTIME, "%s() expected %d arguments but got %d", f->name,
                        c->nargs - (f->is_method ? 1 : 0), nargs - (f->is_method ? 1 : 0));
    if (call_depth >= PTS_MAX_CALL_DEPTH)
        return pts_fail(err, PTS_ERR_RUNTIME, "maximum call depth %d exceeded", PTS_MAX_CALL_DEPTH);
    PtsValue small[64];
    PtsValue *regs = c->nregs <= 64 ? small : pts_malloc(sizeof(PtsValue) * (size_t)c->nregs);
    if (!regs) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->nregs; i++) regs[i] = pts_none();
    for (int i = 0; i < nargs; i++) regs[c->arg_regs[i]] = pts_value_retain(args[i]);
    call_depth++;
    WithStack ws = { 0, 0, NULL };
    PtsStatus s = run_code(f, c, regs, 0, c->ninstr, &ws, err);
    with_unwind(&ws);
    call_depth--;
    if (!s)
        for (int i = 0; i < c->nret; i++) outs[i] = pts_value_retain(regs[c->ret_regs[i]]);
    for (int i = 0; i < c->nregs; i++) pts_value_release(&regs[i]);
    if (regs != small) pts_free(regs);
    return s;
}
