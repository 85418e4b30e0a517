/* python_print.c: the code printer behind `.code` and the archive's code/ files: a graph printed
 * as TorchScript source the way PyTorch prints it. Single-use unnamed values are inlined into
 * their use when that keeps evaluation order (the value's producer is the node just before);
 * constants become literals (tensors become CONSTANTS.cN); aten ops print as torch.X with
 * trailing default arguments dropped and keyword-only arguments by name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ir.h"
#include "../ops/complex.h"

typedef struct Printer {
    PtsBuf *b;
    /* per-value printed name or inline expression, indexed by value id */
    char **expr;
    bool *inl;
    int nvals;
    /* torch's next_id: per name, the next suffix tried when that name is taken */
    char **nid_name;
    int *nid_val;
    int nnid, cap_nid;
    /* names in use, for uniquing user names */
    char **used;
    int nused, cap_used;
    PtsValue *consts;   /* tensor constants collected (owned by caller's list) */
    PtsValue const_list;
    PtsError *err;
    const PtsBlock *top;   /* the function's body */
    /* long-line splitting: per use site (a node, or a block's outputs), the last input offset
     * already scanned */
    const void **vis_site;
    int *vis_off;
    int nvis, cap_vis;
    bool oom;           /* an allocation failed: the text is incomplete */
    /* the function values called (prim::CallFunction's qualname): torch's graph holds each as
     * one pooled constant, printed as its qualified name or, when long, as a temporary */
    char **fn_qual, **fn_expr;
    int nfn, cap_fn;
    /* long constants assigned to temporaries at the top of the function: literal -> name */
    char **lc_text, **lc_name;
    int nlc, cap_lc;
} Printer;

static bool name_used(Printer *p, const char *n) {
    for (int i = 0; i < p->nused; i++) if (strcmp(p->used[i], n) == 0) return true;
    return false;
}

static void use_name(Printer *p, const char *n) {
    if (p->nused == p->cap_used) {
        int cap = p->cap_used ? p->cap_used * 2 : 32;
        char **u = pts_realloc(p->used, sizeof(char *) * (size_t)cap);
        if (!u) { p->oom = true; return; }
        p->used = u;
        p->cap_used = cap;
    }
    char *c = pts_strdup(n);
    if (!c) { p->oom = true; return; }
    p->used[p->nused++] = c;
}

/* torch's reserved_names: identifiers of the printed environment and Python keywords */
static const char *const reserved[] = {
    "_", "as", "aten", "attribute", "CONSTANTS", "fork", "getattr", "inf", "nan", "infj", "nanj",
    "ops", "__torch__", "and", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "False", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return", "True", "try",
    "with", "while", "yield", "uninitialized", "unchecked_cast", NULL,
};

/* torch's next_id[name], made 0 on first use; NULL when out of memory */
static int *next_id(Printer *p, const char *n) {
    for (int i = 0; i < p->nnid; i++) if (strcmp(p->nid_name[i], n) == 0) return &p->nid_val[i];
    if (p->nnid == p->cap_nid) {
        int cap = p->cap_nid ? p->cap_nid * 2 : 16;
        char **a = pts_realloc(p->nid_name, sizeof(char *) * (size_t)cap);
        if (!a) return NULL;
        p->nid_name = a;
        int *v = pts_realloc(p->nid_val, sizeof(int) * (size_t)cap);
        if (!v) return NULL;
        p->nid_val = v;
        p->cap_nid = cap;
    }
    char *c = pts_strdup(n);
    if (!c) return NULL;
    p->nid_name[p->nnid] = c;
    p->nid_val[p->nnid] = 0;
    return &p->nid_val[p->nnid++];
}

static bool is_reserved(const char *n) {
    for (int i = 0; reserved[i]; i++) if (strcmp(reserved[i], n) == 0) return true;
    return false;
}

/* torch's genNameImpl: while the name is taken or reserved, the candidate followed by the
 * next_id of the name just refused (so "_2" taken gives "_20", then "_21"...; a temporary is the
 * candidate "_", which is reserved: "_0", and when "_0" is taken the next_id of "_0" moves on) */
static char *fresh_name(Printer *p, const char *base) {
    size_t cap = strlen(base) + 24;   /* any base length: a truncated name could never be fresh */
    char *name = pts_malloc(cap);
    if (!name) return NULL;
    snprintf(name, cap, "%s", base);
    while (is_reserved(name) || name_used(p, name)) {
        int *k = next_id(p, name);
        if (!k) { pts_free(name); return NULL; }
        snprintf(name, cap, "%s%d", base, (*k)++);
    }
    use_name(p, name);
    return name;
}

static char *tmp_name(Printer *p) { return fresh_name(p, "_"); }

static void print_double(PtsBuf *b, double d) {
    if (isnan(d)) { pts_buf_puts(b, "nan"); return; }
    if (isinf(d)) { pts_buf_puts(b, d > 0 ? "inf" : "-inf"); return; }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.17g", d);
    pts_buf_puts(b, tmp);
    if (!strpbrk(tmp, ".en")) pts_buf_puts(b, ".");
}

static void print_str_lit(PtsBuf *b, const char *s) {
    pts_buf_puts(b, "\"");
    for (; *s; s++) {
        switch (*s) {
        case '"': pts_buf_puts(b, "\\\""); break;
        case '\\': pts_buf_puts(b, "\\\\"); break;
        case '\n': pts_buf_puts(b, "\\n"); break;
        case '\t': pts_buf_puts(b, "\\t"); break;
        default: pts_buf_putn(b, s, 1);
        }
    }
    pts_buf_puts(b, "\"");
}

static bool values_equal(PtsValue a, PtsValue b);

/* torch's containsNonASCIIString: a string (or one inside a list or tuple) with a byte >= 0x80 */
static bool non_ascii(PtsValue v) {
    if (v.tag == PTS_V_STR) {
        for (const unsigned char *c = (const unsigned char *)pts_as_str(v)->data; *c; c++) if (*c >= 0x80) return true;
        return false;
    }
    if (v.tag == PTS_V_LIST || v.tag == PTS_V_TUPLE) {
        PtsList *l = pts_as_list(v);
        for (int64_t i = 0; i < l->len; i++) if (non_ascii(l->items[i])) return true;
    }
    return false;
}

/* literal for a constant; tensors, and values holding a non-ASCII string, go to the constant
 * table as torch's printConstant puts them (equal ones share an entry, as torch's pooled
 * constants do) */
static void print_constant(Printer *p, PtsBuf *b, PtsValue v) {
    if (v.tag != PTS_V_TENSOR && non_ascii(v)) {
        PtsList *l = pts_as_list(p->const_list);
        int64_t k = -1;
        for (int64_t i = 0; i < l->len && k < 0; i++)
            if (l->items[i].tag == v.tag && values_equal(l->items[i], v)) k = i;
        if (k < 0) {
            k = l->len;
            pts_list_append(p->const_list, pts_value_retain(v), p->err);
        }
        pts_buf_printf(b, "CONSTANTS.c%lld", (long long)k);
        return;
    }
    switch (v.tag) {
    case PTS_V_NONE: pts_buf_puts(b, "None"); break;
    case PTS_V_BOOL: pts_buf_puts(b, v.u.b ? "True" : "False"); break;
    case PTS_V_INT: pts_buf_printf(b, "%lld", (long long)v.u.i); break;
    case PTS_V_DOUBLE: print_double(b, v.u.d); break;
    case PTS_V_COMPLEX: pts_complex_print(b, pts_as_complex(v)->re, pts_as_complex(v)->im); break;
    case PTS_V_STR: print_str_lit(b, pts_as_str(v)->data); break;
    case PTS_V_DEVICE: pts_buf_puts(b, "torch.device(\"cpu\")"); break;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(v);
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "[" : "(");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            print_constant(p, b, l->items[i]);
        }
        if (v.tag == PTS_V_TUPLE && l->len == 1) pts_buf_puts(b, ",");
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "]" : ")");
        break;
    }
    case PTS_V_TENSOR: {
        PtsList *l = pts_as_list(p->const_list);
        int64_t k = -1;
        /* equal constants share one entry, as in PyTorch's printer */
        for (int64_t i = 0; i < l->len && k < 0; i++)
            if (l->items[i].tag == PTS_V_TENSOR && pts_ir_tensor_constants_equal(l->items[i].u.t, v.u.t)) k = i;
        if (k < 0) {
            k = l->len;
            pts_list_append(p->const_list, pts_value_retain(v), p->err);
        }
        pts_buf_printf(b, "CONSTANTS.c%lld", (long long)k);
        break;
    }
    default: {
        const PtsType *et;   /* an enum member: __torch__.Color.RED (the archive's name for the class) */
        const char *nm;
        if (pts_enum_get(v, &et, &nm, NULL)) {
            pts_type_print(b, et, true);
            pts_buf_printf(b, ".%s", nm);
        } else pts_buf_puts(b, "None");
        break;
    }
    }
}

static const char *vexpr(Printer *p, const PtsIrValue *v) { return p->expr[v->id] ? p->expr[v->id] : "?"; }

static bool values_equal(PtsValue a, PtsValue b) {
    if ((a.tag == PTS_V_LIST && b.tag == PTS_V_LIST) || (a.tag == PTS_V_TUPLE && b.tag == PTS_V_TUPLE)) {
        PtsList *x = pts_as_list(a), *y = pts_as_list(b);
        if (x->len != y->len) return false;
        for (int64_t i = 0; i < x->len; i++) if (!values_equal(x->items[i], y->items[i])) return false;
        return true;
    }
    if (a.tag == PTS_V_STR && b.tag == PTS_V_STR) return strcmp(pts_as_str(a)->data, pts_as_str(b)->data) == 0;
    if ((a.tag == PTS_V_INT || a.tag == PTS_V_BOOL || a.tag == PTS_V_DOUBLE) &&
        (b.tag == PTS_V_INT || b.tag == PTS_V_BOOL || b.tag == PTS_V_DOUBLE))
        return a.tag == b.tag && pts_value_to_f64(a) == pts_value_to_f64(b);
    return a.tag == b.tag && (a.tag == PTS_V_NONE || a.tag == PTS_V_DEVICE);
}

/* is input i of op node n a constant equal to the schema default? */
static bool is_default(const PtsNode *n, int i) {
    const PtsSchema *s = &pts_op_info[n->kind].schema;
    if (i >= s->nargs || !s->args[i].has_default) return false;
    const PtsNode *pn = n->inputs[i]->node;
    if (!pn) return false;
    if (pn->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT)) {
        const PtsNodeAttr *a = pts_node_attr(pn, "value");
        PtsValue v = a ? a->v : pts_none();
        if (v.tag == PTS_V_TENSOR) return false;
        return values_equal(v, s->args[i].def);
    }
    return false;
}

/* rows that live in PyTorch's prim:: namespace, not aten:: (a row written "prim::X(...)" in its
 * .def file, or one of these) */
static bool is_prim_row(int kind) {
    static const int rows[] = {
        PTS_OP_PRIM_DTYPE, PTS_OP_PRIM_DEVICE, PTS_OP_PRIM_REQUIRES_GRAD, PTS_OP_PRIM_IS_NESTED,
    };
    if (strncmp(pts_op_info[kind].schema.qualname, "prim::", 6) == 0) return true;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) if (rows[i] == kind) return true;
    return false;
}

/* can the element type of a list/dict literal be inferred from its members? (not for Optional,
 * Union, number or Any: PyTorch's printer annotates those literals) */
/* a value of an interface type: the objects assigned to it have their own classes, so archive
 * code annotates it where it is first assigned, as a Union is */
static bool is_iface(const PtsType *t) { return t->kind == PTS_TY_CLASS && t->cls && t->cls->is_interface; }

static bool elem_inferable(const PtsType *t) {
    /* an interface: the members are objects of the classes implementing it (torch annotates too) */
    if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_interface) return false;
    return t->kind != PTS_TY_OPTIONAL && t->kind != PTS_TY_UNION && t->kind != PTS_TY_NUMBER && t->kind != PTS_TY_ANY;
}

static const char *fn_expr(Printer *p, const char *qual) {
    for (int i = 0; i < p->nfn; i++) if (strcmp(p->fn_qual[i], qual) == 0) return p->fn_expr[i];
    return NULL;
}

/* the expression text of node n (which has one output, or none) */
static void node_expr(Printer *p, PtsBuf *b, const PtsNode *n) {
    if (pts_kind_is_op(n->kind)) {
        const PtsSchema *s = &pts_op_info[n->kind].schema;
        /* conversions print as Python's builtins */
        static const struct { const char *op, *fn; } forms[] = { {"Int", "int"}, {"Float", "float"}, {"Bool", "bool"} };
        for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
            if (strcmp(s->name, forms[k].op) == 0 && n->ninputs == 1) {
                pts_buf_printf(b, "%s(%s)", forms[k].fn, vexpr(p, n->inputs[0]));
                return;
            }
        /* a tensor used as a Scalar (a traced size passed to arange): PyTorch writes the
         * implicit conversion as an annotation */
        if (strcmp(s->name, "ScalarImplicit") == 0 && n->ninputs == 1) {
            pts_buf_printf(b, "annotate(number, %s)", vexpr(p, n->inputs[0]));
            return;
        }
        if ((strcmp(s->name, "IntImplicit") == 0 || strcmp(s->name, "FloatImplicit") == 0) && n->ninputs == 1) {
            pts_buf_printf(b, "annotate(%s, %s)", s->name[0] == 'I' ? "int" : "float", vexpr(p, n->inputs[0]));
            return;
        }
        /* xs[i], d[k], s[i]: an inlined container expression is parenthesized, as PyTorch does */
        if (strcmp(s->name, "__getitem__") == 0 && n->ninputs == 2) {
            const PtsIrValue *c = n->inputs[0];
            const char *ce = vexpr(p, c);
            /* a long constant hoisted to a variable (`_0 = [__torch__.E.A, ...]`) is a name */
            bool hoisted_name = c->node && c->node->kind == PTS_KIND_PRIM(PTS_PRIM_CONSTANT) && ce[0] != '[' &&
                                ce[0] != '(' && ce[0] != '"' && strspn(ce, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(ce);
            bool paren = c->node && p->inl[c->id] && !hoisted_name;
            pts_buf_printf(b, paren ? "(%s)[%s]" : "%s[%s]", vexpr(p, c), vexpr(p, n->inputs[1]));
            return;
        }
        /* c.name / c.value of an enum: torch prints the attribute of the parenthesized value */
        if ((n->kind == PTS_OP_ENUM_NAME || n->kind == PTS_OP_ENUM_VALUE_INT || n->kind == PTS_OP_ENUM_VALUE_FLOAT ||
             n->kind == PTS_OP_ENUM_VALUE_STR) && n->ninputs == 1) {
            pts_buf_printf(b, "(%s).%s", vexpr(p, n->inputs[0]), n->kind == PTS_OP_ENUM_NAME ? "name" : "value");
            return;
        }
        /* trailing out= arguments (keyword-only, written) set aside; the defaults before them
         * dropped; then the out= arguments: torch.any(x, out=o), not torch.any(x, None, False, out=o) */
        int end = n->ninputs;
        while (end > 0 && end - 1 < s->nargs && s->args[end - 1].kwarg_only && s->args[end - 1].type.write) end--;
        int last = end;
        while (last > 0 && is_default(n, last - 1)) last--;
        /* rows of the prim namespace (x.dtype, x.device, the number builtins abs/min/max) print as
         * archive code spells them; aten::str and aten::sorted print as Python's builtins */
        bool prim = is_prim_row(n->kind);
        bool bare = strcmp(s->name, "str") == 0 || strcmp(s->name, "sorted") == 0;
        pts_buf_printf(b, prim ? "ops.prim.%s(" : bare ? "%s(" : "torch.%s(", s->name);
        for (int i = 0, first = 1; i < n->ninputs; i++) {
            if (i >= last && i < end) continue;
            if (!first) pts_buf_puts(b, ", ");
            first = 0;
            if (i < s->nargs && s->args[i].kwarg_only) pts_buf_printf(b, "%s=", s->args[i].name);
            pts_buf_puts(b, vexpr(p, n->inputs[i]));
        }
        pts_buf_puts(b, ")");
        return;
    }
    switch (n->kind - PTS_PRIM_BASE) {
    case PTS_PRIM_CONSTANT: {
        const PtsNodeAttr *a = pts_node_attr(n, "value");
        PtsValue v = a ? a->v : pts_none();
        const PtsType *t = n->outputs[0]->type;
        /* an empty list constant names its type, as PyTorch prints it: annotate(List[int], []) */
        if (v.tag == PTS_V_LIST && pts_as_list(v)->len == 0 && t->kind == PTS_TY_LIST) {
            pts_buf_puts(b, "annotate(");
            pts_type_print(b, t, true);
            pts_buf_puts(b, ", [])");
            return;
        }
        print_constant(p, b, v);
        return;
    }
    case PTS_PRIM_GETATTR: {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        const char *nm = pts_as_str(a->v)->data;
        bool ident = (nm[0] < '0' || nm[0] > '9');
        if (ident) pts_buf_printf(b, "%s.%s", vexpr(p, n->inputs[0]), nm);
        else pts_buf_printf(b, "getattr(%s, \"%s\")", vexpr(p, n->inputs[0]), nm);
        return;
    }
    case PTS_PRIM_CALLFUNCTION: {
        /* a compiled free function prints as a call of its archive name: __torch__.mod.fn(x) */
        const PtsNodeAttr *q = pts_node_attr(n, "qualname");
        if (q && q->v.tag == PTS_V_STR) {
            /* as torch: the function value (the name, or the temporary a long name went to),
             * then every argument followed by ", " */
            const char *fe = fn_expr(p, pts_as_str(q->v)->data);
            pts_buf_printf(b, "%s(", fe ? fe : pts_as_str(q->v)->data);
            for (int i = 0; i < n->ninputs; i++) pts_buf_printf(b, "%s, ", vexpr(p, n->inputs[i]));
            pts_buf_puts(b, ")");
            return;
        }
        pts_buf_puts(b, "ops.prim.CallFunction(");
        for (int i = 0; i < n->ninputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->inputs[i]));
        pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_PYTHONOP: {   /* a call into Python (@ignore), printed as torch does: ^fn()(x) */
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        pts_buf_printf(b, "^%s()(", a && a->v.tag == PTS_V_STR ? pts_as_str(a->v)->data : "?");
        for (int i = 0; i < n->ninputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->inputs[i]));
        pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_CALLMETHOD: {
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        pts_buf_printf(b, "(%s).%s(", vexpr(p, n->inputs[0]), pts_as_str(a->v)->data);
        for (int i = 1; i < n->ninputs; i++) pts_buf_printf(b, "%s, ", vexpr(p, n->inputs[i]));
        pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_TUPLECONSTRUCT:
    case PTS_PRIM_LISTCONSTRUCT: {
        bool tup = n->kind == PTS_KIND_PRIM(PTS_PRIM_TUPLECONSTRUCT);
        const PtsType *lt = n->outputs[0]->type;
        if (tup && lt->kind == PTS_TY_TUPLE && lt->name) {
            /* a NamedTuple is built by calling its class: __torch__.Point(x, 1) */
            pts_type_print(b, lt, true);
            pts_buf_puts(b, "(");
            for (int i = 0; i < n->ninputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->inputs[i]));
            pts_buf_puts(b, ")");
            return;
        }
        /* an empty list, or one whose element type its members cannot tell, is annotated */
        bool ann = !tup && lt->kind == PTS_TY_LIST && (n->ninputs == 0 || !elem_inferable(lt->elems[0]));
        if (ann) {
            pts_buf_puts(b, "annotate(");
            pts_type_print(b, lt, true);
            pts_buf_puts(b, ", ");
        }
        pts_buf_puts(b, tup ? "(" : "[");
        for (int i = 0; i < n->ninputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            pts_buf_puts(b, vexpr(p, n->inputs[i]));
        }
        if (tup && n->ninputs == 1) pts_buf_puts(b, ",");
        pts_buf_puts(b, tup ? ")" : "]");
        if (ann) pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_TUPLEINDEX:
        pts_buf_printf(b, "(%s)[%s]", vexpr(p, n->inputs[0]), vexpr(p, n->inputs[1]));
        return;
    case PTS_PRIM_CREATEOBJECT: {
        /* an object before its __init__ runs: __torch__.Pair.__new__(__torch__.Pair) */
        PtsBuf tn;
        pts_buf_init(&tn);
        pts_type_print(&tn, n->outputs[0]->type, true);
        pts_buf_printf(b, "%s.__new__(%s)", tn.data ? tn.data : "?", tn.data ? tn.data : "?");
        if (tn.oom) b->oom = true;
        pts_buf_free(&tn);
        return;
    }
    case PTS_PRIM_ISINSTANCE: {
        /* isinstance(x, int), isinstance(x, (float, int)) */
        const PtsNodeAttr *a = pts_node_attr(n, "types");
        const PtsType *ts = a && a->kind == PTS_AV_TYPE ? a->type : NULL;
        pts_buf_printf(b, "isinstance(%s, ", vexpr(p, n->inputs[0]));
        if (ts && ts->kind == PTS_TY_TUPLE && ts->n != 1) pts_buf_puts(b, "(");
        for (int k = 0; ts && ts->kind == PTS_TY_TUPLE && k < ts->n; k++) {
            if (k) pts_buf_puts(b, ", ");
            pts_type_print(b, ts->elems[k], true);
        }
        if (ts && ts->kind == PTS_TY_TUPLE && ts->n != 1) pts_buf_puts(b, ")");
        pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_UNCHECKED_CAST: {
        pts_buf_puts(b, "unchecked_cast(");
        pts_type_print(b, n->outputs[0]->type, true);
        pts_buf_printf(b, ", %s)", vexpr(p, n->inputs[0]));
        return;
    }
    case PTS_PRIM_NUMTOTENSOR:
        pts_buf_printf(b, "ops.prim.NumToTensor(%s)", vexpr(p, n->inputs[0]));
        return;
    case PTS_PRIM_TOLIST:   /* the dim and element code print as the result's annotation, as torch */
        pts_buf_puts(b, "annotate(");
        pts_type_print(b, n->outputs[0]->type, true);
        pts_buf_printf(b, ", %s.tolist())", vexpr(p, n->inputs[0]));
        return;
    case PTS_PRIM_DICTCONSTRUCT: { /* {k0: v0, k1: v1}; annotate(Dict[K, V], {...}) when empty or ambiguous */
        const PtsType *dt = n->outputs[0]->type;
        bool ann = dt->kind == PTS_TY_DICT && (n->ninputs == 0 || !elem_inferable(dt->elems[0]) ||
                                               !elem_inferable(dt->elems[1]));
        if (ann) {
            pts_buf_puts(b, "annotate(");
            pts_type_print(b, dt, true);
            pts_buf_puts(b, ", ");
        }
        pts_buf_puts(b, "{");
        for (int i = 0; i + 1 < n->ninputs; i += 2)
            pts_buf_printf(b, "%s%s: %s", i ? ", " : "", vexpr(p, n->inputs[i]), vexpr(p, n->inputs[i + 1]));
        pts_buf_puts(b, "}");
        if (ann) pts_buf_puts(b, ")");
        return;
    }
    case PTS_PRIM_PRINT:           /* print(a, b): a statement, PyTorch writes Python's print */
        pts_buf_puts(b, "print(");
        for (int i = 0; i < n->ninputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->inputs[i]));
        pts_buf_puts(b, ")");
        return;
    case PTS_PRIM_WAIT:
        pts_buf_printf(b, "torch.wait(%s)", vexpr(p, n->inputs[0]));
        return;
    case PTS_PRIM_AWAITABLE_WAIT:
        pts_buf_printf(b, "ops.prim.awaitable_wait(%s)", vexpr(p, n->inputs[0]));
        return;
    case PTS_PRIM_AWAITABLE_NOWAIT:
        pts_buf_printf(b, "ops.prim.awaitable_nowait(%s)", vexpr(p, n->inputs[0]));
        return;
    case PTS_PRIM_UNINITIALIZED:
        pts_buf_puts(b, "uninitialized(");
        pts_type_print(b, n->outputs[0]->type, true);
        pts_buf_puts(b, ")");
        return;
    default: {
        /* "prim::X" prints as ops.prim.X, the namespace form archive code uses */
        const char *kn = pts_node_kind_name(n->kind), *sep = strstr(kn, "::");
        if (sep) pts_buf_printf(b, "ops.%.*s.%s(", (int)(sep - kn), kn, sep + 2);
        else pts_buf_printf(b, "ops.%s(", kn);
        for (int i = 0; i < n->ninputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            pts_buf_puts(b, vexpr(p, n->inputs[i]));
        }
        pts_buf_puts(b, ")");
        return;
    }
    }
}

static bool is_kind(const PtsNode *n, int prim) { return n->kind == PTS_KIND_PRIM(prim); }

/* Can the (single) output of n be inlined into its use? As PyTorch's printer: one output used
 * once, no blocks; a named value only when its use is the end of its block (a return or a block
 * output), never a loop-carried input of prim::Loop. */
static bool can_inline(const PtsNode *n) {
    if (n->noutputs != 1 || n->nblocks) return false;
    const PtsIrValue *v = n->outputs[0];
    if (is_kind(n, PTS_PRIM_CONSTANT)) return true;
    if (v->nuses != 1) return false;
    const PtsUse *u = &v->uses[0];
    /* torch's printer assigns isinstance() tests to a temporary (`_0 = isinstance(x, int)`) */
    if (is_kind(n, PTS_PRIM_RAISE) || is_kind(n, PTS_PRIM_ISINSTANCE)) return false;
    /* an attribute read is named after its attribute (torch's insertGetAttr): inlined only where
     * it ends its block (`return self.n`), as any named value */
    if (is_kind(n, PTS_PRIM_GETATTR) && u->user) return false;
    /* a one-item unpack is a statement (`_0, = t`): inlined, torch reads ops.prim.TupleUnpack(t)
     * as returning Tuple[()] */
    if (is_kind(n, PTS_PRIM_TUPLEUNPACK) || is_kind(n, PTS_PRIM_LISTUNPACK)) return false;
    if (!u->user) return u->block == n->owner;
    if (v->name) return false;
    if (u->user->owner != n->owner) return false;
    if (is_kind(u->user, PTS_PRIM_LOOP) && u->index >= 2) return false;
    return true;
}

/* Order rule: mark values used here (inputs of a node, or a block's outputs) that are produced by
 * the node printed just before, walking them from last to first, so evaluation order is unchanged
 * (as PyTorch's printer does). */
static void scan_block(Printer *p, const PtsBlock *blk);
static void scan_node(Printer *p, const PtsNode *n, const PtsNode **prev);

static void scan_uses(Printer *p, const PtsBlock *owner, PtsIrValue *const *vals, int nvals, const PtsNode **prev) {
    for (int i = nvals - 1; i >= 0; i--) {
        /* constants print as literals wherever they are; they never break the order */
        while (*prev && is_kind(*prev, PTS_PRIM_CONSTANT)) *prev = (*prev)->prev;
        const PtsNode *pn = vals[i]->node;
        if (!pn || pn->owner != owner) continue;
        if (is_kind(pn, PTS_PRIM_CONSTANT)) { p->inl[pn->outputs[0]->id] = true; continue; }
        if (pn == *prev && can_inline(pn)) {
            p->inl[pn->outputs[0]->id] = true;
            *prev = pn->prev;
            scan_node(p, pn, prev);
        }
    }
}

static void scan_node(Printer *p, const PtsNode *n, const PtsNode **prev) {
    /* as torch: what a fork captures is assigned before the nested def, never inlined into it */
    if (is_kind(n, PTS_PRIM_FORK) || is_kind(n, PTS_PRIM_AWAITABLE)) return;
    scan_uses(p, n->owner, n->inputs, n->ninputs, prev);
}

static void scan_block(Printer *p, const PtsBlock *blk) {
    /* the block's outputs are used after its last node */
    const PtsNode *start = blk->last;
    scan_uses(p, blk, blk->outputs, blk->noutputs, &start);
    for (const PtsNode *n = start; n;) {
        if (n->noutputs && p->inl[n->outputs[0]->id]) { n = n->prev; continue; }
        const PtsNode *prev = n->prev;
        scan_node(p, n, &prev);
        for (int i = 0; i < n->nblocks; i++) scan_block(p, n->blocks[i]);
        n = prev;
    }
}

static void set_expr(Printer *p, const PtsIrValue *v, char *s) {
    if (!s) p->oom = true;   /* every caller passes a fresh string; NULL means it failed */
    pts_free(p->expr[v->id]);
    p->expr[v->id] = s;
}

/* a value's printed name: its debug name made a valid identifier as torch's makeValidIdentifier
 * does (a leading digit gets "_" before it: a module list's "0" prints as _0, or _00 when _0 is
 * taken), else a temporary _N */
static char *name_for(Printer *p, const PtsIrValue *v) {
    const char *name = v->name;
    /* torch's insertGetAttr names a read of attribute "0" (a module list's item) "_0"; the IR
     * keeps no all-digit names, so take it from the node */
    if (!name && v->node && v->node->kind == PTS_KIND_PRIM(PTS_PRIM_GETATTR)) {
        const PtsNodeAttr *a = pts_node_attr(v->node, "name");
        if (a && a->v.tag == PTS_V_STR) name = pts_as_str(a->v)->data;
    }
    if (!name) return tmp_name(p);
    char buf[256];
    size_t k = 0;
    if (!name[0] || (name[0] >= '0' && name[0] <= '9')) buf[k++] = '_';
    for (const char *c = name; *c && k + 1 < sizeof buf; c++)
        buf[k++] = ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_') ? *c : '_';
    buf[k] = 0;
    return fresh_name(p, buf);
}

/* {==== constants ====
 * As torch, which pools every constant at the top of its graph and prints them first, in the
 * order of their first use (a node's inputs, then its blocks; a block's outputs after its nodes):
 * each is a literal inlined at its uses, except that one whose text would reach 40 columns is
 * assigned to a temporary there (`_0 = "a long string..."`), once per distinct value. The
 * function a prim::CallFunction calls is such a constant too (torch's first input of the node),
 * printed as its qualified name. */
static bool long_line(const char *s, int indent);

static bool table_add(Printer *p, char ***keys, char ***vals, int *n, int *cap, const char *k, char *v) {
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        char **a = pts_realloc(*keys, sizeof(char *) * (size_t)nc);
        if (!a) { pts_free(v); p->oom = true; return false; }
        *keys = a;
        char **b = pts_realloc(*vals, sizeof(char *) * (size_t)nc);
        if (!b) { pts_free(v); p->oom = true; return false; }
        *vals = b;
        *cap = nc;
    }
    char *kc = pts_strdup(k);
    if (!kc || !v) { pts_free(kc); pts_free(v); p->oom = true; return false; }
    (*keys)[*n] = kc;
    (*vals)[(*n)++] = v;
    return true;
}

/* the first used constant, in graph order, printed as text: the one torch's constant pooling
 * keeps (with its name) for all of them */
static const PtsIrValue *first_constant(Printer *p, const PtsBlock *blk, const char *text) {
    for (const PtsNode *n = blk->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) {
            const PtsIrValue *v = first_constant(p, n->blocks[i], text);
            if (v) return v;
        }
        if (n->kind != PTS_KIND_PRIM(PTS_PRIM_CONSTANT) || n->noutputs != 1 || !n->outputs[0]->nuses) continue;
        const PtsNodeAttr *a = pts_node_attr(n, "value");
        if (a && a->v.tag == PTS_V_TENSOR) continue;   /* CONSTANTS.cN: never long */
        PtsBuf e;
        pts_buf_init(&e);
        node_expr(p, &e, n);
        bool same = e.data && strcmp(e.data, text) == 0;
        pts_buf_free(&e);
        if (same) return n->outputs[0];
    }
    return NULL;
}

/* the text a long constant takes at the top of the function: a variable assigned once, named
 * after the pooled constant's name (`a = "a long string..."`) or a temporary */
static char *hoisted(Printer *p, const char *text, const PtsIrValue *v) {
    for (int i = 0; i < p->nlc; i++) if (strcmp(p->lc_text[i], text) == 0) return pts_strdup(p->lc_name[i]);
    const PtsIrValue *first = v ? first_constant(p, p->top, text) : NULL;
    char *nm = first ? name_for(p, first) : tmp_name(p);
    if (!nm) { p->oom = true; return NULL; }
    pts_buf_printf(p->b, "  %s = %s\n", nm, text);
    if (!table_add(p, &p->lc_text, &p->lc_name, &p->nlc, &p->cap_lc, text, nm)) return NULL;
    return pts_strdup(nm);
}

static void const_use(Printer *p, const PtsIrValue *v) {
    const PtsNode *pn = v->node;
    if (!pn || pn->kind != PTS_KIND_PRIM(PTS_PRIM_CONSTANT) || p->expr[v->id]) return;
    PtsBuf e;
    pts_buf_init(&e);
    node_expr(p, &e, pn);
    char *text = pts_buf_steal(&e);
    if (!text) { p->oom = true; return; }
    /* an empty list prints as annotate(List[T], []), a list construction in torch's graph */
    const PtsNodeAttr *a = pts_node_attr(pn, "value");
    bool empty_list = a && a->v.tag == PTS_V_LIST && pts_as_list(a->v)->len == 0;
    if (!empty_list && long_line(text, 2)) {
        char *nm = hoisted(p, text, v);
        pts_free(text);
        text = nm;
    }
    if (!text) p->oom = true;
    pts_free(p->expr[v->id]);
    p->expr[v->id] = text;
    p->inl[v->id] = true;
}

static void const_fn(Printer *p, const PtsNode *n) {
    const PtsNodeAttr *q = pts_node_attr(n, "qualname");
    if (!q || q->v.tag != PTS_V_STR) return;
    const char *qual = pts_as_str(q->v)->data;
    if (fn_expr(p, qual)) return;
    char *e = long_line(qual, 2) ? hoisted(p, qual, NULL) : pts_strdup(qual);
    table_add(p, &p->fn_qual, &p->fn_expr, &p->nfn, &p->cap_fn, qual, e);
}

static void print_constants(Printer *p, const PtsBlock *blk) {
    for (const PtsNode *n = blk->first; n; n = n->next) {
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION)) const_fn(p, n);
        for (int i = 0; i < n->ninputs; i++) const_use(p, n->inputs[i]);
        for (int i = 0; i < n->nblocks; i++) print_constants(p, n->blocks[i]);
    }
    for (int i = 0; i < blk->noutputs; i++) const_use(p, blk->outputs[i]);
}
/* }==== */

static void print_block(Printer *p, const PtsBlock *blk, int indent);
static void indent_to(PtsBuf *b, int indent) { pts_buf_printf(b, "%*s", indent, ""); }

/* a prim::Loop written as `while`: the trip count is the constant INT64_MAX */
static bool is_while_loop(const PtsNode *n) {
    const PtsNode *t = n->inputs[0]->node;
    if (!t || !is_kind(t, PTS_PRIM_CONSTANT)) return false;
    const PtsNodeAttr *a = pts_node_attr(t, "value");
    return a && a->v.tag == PTS_V_INT && a->v.u.i == INT64_MAX;
}


/* {==== long inline expressions ====
 * As PyTorch's printer: an inlined expression whose line would reach 40 columns is assigned to a
 * temporary instead, together with the inlined arguments before it in the same use (and, up the
 * chain, in the uses of the expressions it is inlined into), so evaluation order is kept. */
static bool long_line(const char *s, int indent) { return s && strlen(s) + (size_t)indent >= 40; }

static int visited(Printer *p, const void *site) {
    for (int i = 0; i < p->nvis; i++) if (p->vis_site[i] == site) return i;
    return -1;
}

static void mark_visited(Printer *p, const void *site, int off) {
    int i = visited(p, site);
    if (i >= 0) { p->vis_off[i] = off; return; }
    if (p->nvis == p->cap_vis) {
        int cap = p->cap_vis ? p->cap_vis * 2 : 16;
        const void **s = pts_realloc(p->vis_site, sizeof *s * (size_t)cap);
        if (!s) return;
        p->vis_site = s;
        int *o = pts_realloc(p->vis_off, sizeof *o * (size_t)cap);
        if (!o) return;
        p->vis_off = o;
        p->cap_vis = cap;
    }
    p->vis_site[p->nvis] = site;
    p->vis_off[p->nvis++] = off;
}

static void scan_long(Printer *p, PtsUse u, int offset, const PtsIrValue **list, int *n, int max) {
    const void *site = u.user ? (const void *)u.user : (const void *)u.block;
    PtsIrValue *const *ins = u.user ? u.user->inputs : u.block->outputs;
    int vi = visited(p, site);
    int stop = vi >= 0 ? p->vis_off[vi] + 1 : 0;
    for (int i = offset; i >= stop; i--) {
        const PtsIrValue *a = ins[i];
        if (a->node && !is_kind(a->node, PTS_PRIM_CONSTANT) && p->inl[a->id] && *n < max) list[(*n)++] = a;
    }
    mark_visited(p, site, offset);
    if (vi < 0 && u.user && u.user->noutputs == 1 && p->inl[u.user->outputs[0]->id] && u.user->outputs[0]->nuses == 1) {
        PtsUse up = u.user->outputs[0]->uses[0];
        scan_long(p, up, up.index - 1, list, n, max);
    }
}

static void split_long_inlines(Printer *p, const PtsIrValue *v, int indent) {
    const PtsIrValue *list[256];
    int n = 0;
    if (v->nuses != 1) return;
    scan_long(p, v->uses[0], v->uses[0].index, list, &n, 256);
    for (int i = n - 1; i >= 0; i--) {
        const PtsIrValue *a = list[i];
        char *nm = name_for(p, a);
        indent_to(p->b, indent);
        pts_buf_printf(p->b, "%s = %s\n", nm, vexpr(p, a));
        set_expr(p, a, nm);
        p->inl[a->id] = false;
    }
}
/* }==== */

static void print_node(Printer *p, const PtsNode *n, int indent) {
    PtsBuf *b = p->b;
    /* constants were printed (inlined, or assigned at the top) by print_constants */
    if (is_kind(n, PTS_PRIM_CONSTANT)) return;
    if (n->noutputs == 1 && p->inl[n->outputs[0]->id]) {
        PtsBuf e;
        pts_buf_init(&e);
        node_expr(p, &e, n);
        set_expr(p, n->outputs[0], pts_buf_steal(&e));
        if (!is_kind(n, PTS_PRIM_CONSTANT) && long_line(p->expr[n->outputs[0]->id], indent))
            split_long_inlines(p, n->outputs[0], indent);
        return;
    }
    if (is_kind(n, PTS_PRIM_IF)) {
        for (int i = 0; i < n->noutputs; i++) set_expr(p, n->outputs[i], name_for(p, n->outputs[i]));
        indent_to(b, indent);
        pts_buf_printf(b, "if %s:\n", vexpr(p, n->inputs[0]));
        for (int k = 0; k < 2; k++) {
            if (k) { indent_to(b, indent); pts_buf_puts(b, "else:\n"); }
            const PtsBlock *blk = n->blocks[k];
            size_t before = b->len;
            print_block(p, blk, indent + 2);
            if (n->noutputs) {
                indent_to(b, indent + 2);
                for (int i = 0; i < n->noutputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->outputs[i]));
                /* as torch's printAssignment: a lone Union/Optional output is annotated where it is
                 * first assigned (`x : Union[int, str] = "big"`) */
                int ok = n->outputs[0]->type->kind;
                if (k == 0 && n->noutputs == 1 && (ok == PTS_TY_UNION || ok == PTS_TY_OPTIONAL || is_iface(n->outputs[0]->type))) {
                    pts_buf_puts(b, " : ");
                    pts_type_print(b, n->outputs[0]->type, true);
                }
                pts_buf_puts(b, " = ");
                for (int i = 0; i < n->noutputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, blk->outputs[i]));
                pts_buf_puts(b, "\n");
            } else if (b->len == before) {
                indent_to(b, indent + 2);
                pts_buf_puts(b, "pass\n");
            }
        }
        return;
    }
    if (is_kind(n, PTS_PRIM_LOOP)) {
        const PtsBlock *body = n->blocks[0];
        int ncar = n->ninputs - 2;
        /* carried values: the loop outputs and body inputs share names */
        for (int i = 0; i < ncar; i++) {
            char *nm = name_for(p, n->outputs[i]);
            set_expr(p, body->inputs[i + 1], nm ? pts_strdup(nm) : NULL);
            set_expr(p, n->outputs[i], nm);
        }
        for (int i = 0; i < ncar; i++) {
            indent_to(b, indent);
            pts_buf_puts(b, vexpr(p, n->outputs[i]));
            /* torch's printAssignment annotates a Union/Optional target where it is first assigned */
            int ck = n->outputs[i]->type->kind;
            if (!pts_type_equal(n->outputs[i]->type, n->inputs[i + 2]->type) || ck == PTS_TY_UNION || ck == PTS_TY_OPTIONAL ||
                is_iface(n->outputs[i]->type)) {
                pts_buf_puts(b, ": ");
                pts_type_print(b, n->outputs[i]->type, true);
            }
            pts_buf_printf(b, " = %s\n", vexpr(p, n->inputs[i + 2]));
        }
        if (is_while_loop(n)) {
            /* while c: the condition lives in a variable recomputed at the end of the body */
            char *c = tmp_name(p);
            indent_to(b, indent);
            pts_buf_printf(b, "%s = %s\n", c, vexpr(p, n->inputs[1]));
            indent_to(b, indent);
            pts_buf_printf(b, "while %s:\n", c);
            /* torch names the condition after the body's trip-count input: one name */
            set_expr(p, body->inputs[0], pts_strdup(c));
            print_block(p, body, indent + 2);
            indent_to(b, indent + 2);
            pts_buf_printf(b, "%s", c);
            for (int i = 0; i < ncar; i++) pts_buf_printf(b, ", %s", vexpr(p, n->outputs[i]));
            pts_buf_printf(b, " = %s", vexpr(p, body->outputs[0]));
            for (int i = 0; i < ncar; i++) pts_buf_printf(b, ", %s", vexpr(p, body->outputs[i + 1]));
            pts_buf_puts(b, "\n");
            pts_free(c);
            return;
        }
        set_expr(p, body->inputs[0], name_for(p, body->inputs[0]));
        indent_to(b, indent);
        pts_buf_printf(b, "for %s in range(%s):\n", vexpr(p, body->inputs[0]), vexpr(p, n->inputs[0]));
        size_t before = b->len;
        print_block(p, body, indent + 2);
        if (ncar) {
            indent_to(b, indent + 2);
            for (int i = 0; i < ncar; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->outputs[i]));
            pts_buf_puts(b, " = ");
            for (int i = 0; i < ncar; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, body->outputs[i + 1]));
            pts_buf_puts(b, "\n");
        } else if (b->len == before) {
            indent_to(b, indent + 2);
            pts_buf_puts(b, "pass\n");
        }
        return;
    }
    if ((is_kind(n, PTS_PRIM_FORK) || is_kind(n, PTS_PRIM_AWAITABLE)) && n->nblocks == 1 && n->noutputs == 1) {
        /* as torch: the body as a nested function reading the captured values by their
         * names, then `fut = fork(__forked_function)` (`aw = awaitable(__awaitable_function)`) */
        const PtsBlock *body = n->blocks[0];
        bool aw = is_kind(n, PTS_PRIM_AWAITABLE);
        char *fn = fresh_name(p, aw ? "__awaitable_function" : "__forked_function");
        indent_to(b, indent);
        pts_buf_printf(b, "def %s():\n", fn ? fn : "?");
        for (int i = 0; i < n->ninputs && i < body->ninputs; i++) {
            char *e = pts_strdup(vexpr(p, n->inputs[i]));
            set_expr(p, body->inputs[i], e);
            p->inl[body->inputs[i]->id] = true;
        }
        print_block(p, body, indent + 2);
        indent_to(b, indent + 2);
        pts_buf_printf(b, "return %s\n", body->noutputs ? vexpr(p, body->outputs[0]) : "None");
        set_expr(p, n->outputs[0], name_for(p, n->outputs[0]));
        indent_to(b, indent);
        pts_buf_printf(b, "%s = %s(%s)\n", vexpr(p, n->outputs[0]), aw ? "awaitable" : "fork", fn ? fn : "?");
        pts_free(fn);
        return;
    }
    if (is_kind(n, PTS_PRIM_TUPLEUNPACK) || is_kind(n, PTS_PRIM_LISTUNPACK)) {
        indent_to(b, indent);
        for (int i = 0; i < n->noutputs; i++) {
            set_expr(p, n->outputs[i], name_for(p, n->outputs[i]));
            pts_buf_printf(b, "%s, ", vexpr(p, n->outputs[i]));
        }
        pts_buf_printf(b, "= %s\n", vexpr(p, n->inputs[0]));
        return;
    }
    if (is_kind(n, PTS_PRIM_SETATTR)) {
        /* attribute writes print as assignments, as PyTorch's printer has them */
        const PtsNodeAttr *a = pts_node_attr(n, "name");
        const char *nm = a ? pts_as_str(a->v)->data : "?";
        indent_to(b, indent);
        if (nm[0] >= '0' && nm[0] <= '9') pts_buf_printf(b, "setattr(%s, \"%s\", %s)\n", vexpr(p, n->inputs[0]), nm, vexpr(p, n->inputs[1]));
        else pts_buf_printf(b, "%s.%s = %s\n", vexpr(p, n->inputs[0]), nm, vexpr(p, n->inputs[1]));
        return;
    }
    if (is_kind(n, PTS_PRIM_RAISE)) {
        indent_to(b, indent);
        pts_buf_puts(b, "ops.prim.RaiseException(");
        int nin = n->ninputs;
        /* the class argument left out when it is its default, None (as torch prints defaults) */
        if (nin == 2 && n->inputs[1]->type->kind == PTS_TY_NONE) nin = 1;
        for (int i = 0; i < nin; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->inputs[i]));
        pts_buf_puts(b, ")\n");
        return;
    }
    PtsBuf e;
    pts_buf_init(&e);
    node_expr(p, &e, n);
    indent_to(b, indent);
    if (n->noutputs == 1) {
        set_expr(p, n->outputs[0], name_for(p, n->outputs[0]));
        pts_buf_printf(b, "%s = ", vexpr(p, n->outputs[0]));
    } else if (n->noutputs > 1) {
        /* ops with several results (max.dim, sort...) unpack them: `_0, _1 = torch.max(x, 1)` */
        for (int i = 0; i < n->noutputs; i++) {
            set_expr(p, n->outputs[i], name_for(p, n->outputs[i]));
            pts_buf_printf(b, i ? ", %s" : "%s", vexpr(p, n->outputs[i]));
        }
        pts_buf_puts(b, " = ");
    }
    pts_buf_puts(b, e.data ? e.data : "");
    pts_buf_puts(b, "\n");
    pts_buf_free(&e);
}

static void print_block(Printer *p, const PtsBlock *blk, int indent) {
    for (const PtsNode *n = blk->first; n; n = n->next) {
        if (is_kind(n, PTS_PRIM_ENTER) && n->ninputs == 1 && n->noutputs == 1) {
            /* as torch: `with obj:` (`with obj as x:` when __enter__'s result is read), the nodes
             * up to the matching prim::Exit one level deeper */
            indent_to(p->b, indent);
            pts_buf_printf(p->b, "with %s", vexpr(p, n->inputs[0]));
            if (n->outputs[0]->nuses) {
                set_expr(p, n->outputs[0], name_for(p, n->outputs[0]));
                pts_buf_printf(p->b, " as %s", vexpr(p, n->outputs[0]));
            }
            pts_buf_puts(p->b, ":\n");
            indent += 2;
            continue;
        }
        if (is_kind(n, PTS_PRIM_EXIT)) {
            if (n->prev && is_kind(n->prev, PTS_PRIM_ENTER)) {
                indent_to(p->b, indent);
                pts_buf_puts(p->b, "pass\n");
            }
            if (indent >= 2) indent -= 2;
            continue;
        }
        print_node(p, n, indent);
    }
}

/* torch's printer numbers the tensor constants of the graph's blocks first (buildConstantList),
 * before those of fork subgraphs, which it meets only while printing them: with a fork in the
 * graph, pre-register the others in node order (skipping fork bodies) so the numbers match */
static bool has_fork(const PtsBlock *blk) {
    for (const PtsNode *n = blk->first; n; n = n->next) {
        if (is_kind(n, PTS_PRIM_FORK) || is_kind(n, PTS_PRIM_AWAITABLE)) return true;
        for (int k = 0; k < n->nblocks; k++) if (has_fork(n->blocks[k])) return true;
    }
    return false;
}

static void preregister_constants(Printer *p, const PtsBlock *blk, PtsBuf *scratch) {
    for (const PtsNode *n = blk->first; n; n = n->next) {
        for (int i = 0; i < n->ninputs; i++) {
            const PtsNode *c = n->inputs[i]->node;
            const PtsNodeAttr *a = c && is_kind(c, PTS_PRIM_CONSTANT) ? pts_node_attr(c, "value") : NULL;
            if (a && a->v.tag == PTS_V_TENSOR) print_constant(p, scratch, a->v);
        }
        if (is_kind(n, PTS_PRIM_FORK) || is_kind(n, PTS_PRIM_AWAITABLE)) continue;
        for (int k = 0; k < n->nblocks; k++) preregister_constants(p, n->blocks[k], scratch);
    }
    for (int i = 0; i < blk->noutputs; i++) {
        const PtsNode *c = blk->outputs[i]->node;
        const PtsNodeAttr *a = c && is_kind(c, PTS_PRIM_CONSTANT) ? pts_node_attr(c, "value") : NULL;
        if (a && a->v.tag == PTS_V_TENSOR) print_constant(p, scratch, a->v);
    }
}

PtsStatus pts_function_code(const PtsFunction *f, bool with_self_type, PtsBuf *b, PtsValue *const_list,
                            PtsError *err) {
    const PtsGraph *g = f->graph;
    Printer p = { 0 };
    p.b = b;
    p.err = err;
    p.nvals = g->next_value_id;
    p.expr = pts_calloc((size_t)p.nvals + 1, sizeof(char *));
    p.inl = pts_calloc((size_t)p.nvals + 1, sizeof(bool));
    p.const_list = *const_list;
    if (!p.expr || !p.inl) {
        pts_free(p.expr);
        pts_free(p.inl);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    const PtsBlock *top = g->top;
    if (has_fork(top)) {
        PtsBuf scratch;
        pts_buf_init(&scratch);
        preregister_constants(&p, top, &scratch);
        pts_buf_free(&scratch);
    }
    pts_buf_printf(b, "def %s(", f->name);
    for (int i = 0; i < top->ninputs; i++) {
        const PtsIrValue *v = top->inputs[i];
        char *nm;
        if (i == 0 && f->is_method) {
            nm = pts_strdup("self");
            use_name(&p, "self");
        } else nm = name_for(&p, v);
        if (!nm) p.oom = true;
        set_expr(&p, v, nm);
        if (i) pts_buf_puts(b, ",\n    ");
        pts_buf_puts(b, nm ? nm : "?");
        if (i > 0 || !f->is_method || with_self_type) {
            pts_buf_puts(b, ": ");
            pts_type_print(b, v->type, true);
        }
        if (f->has_default && f->nargs == top->ninputs && f->has_default[i]) {
            pts_buf_puts(b, "=");
            print_constant(&p, b, f->defaults[i]);
        }
    }
    pts_buf_puts(b, ") -> ");
    if (top->noutputs == 1) pts_type_print(b, top->outputs[0]->type, true);
    else pts_buf_puts(b, "None");
    pts_buf_puts(b, ":\n");
    scan_block(&p, top);
    p.top = top;
    print_constants(&p, top);
    print_block(&p, top, 2);
    pts_buf_puts(b, "  return ");
    for (int i = 0; i < top->noutputs; i++) pts_buf_printf(b, i ? ", %s" : "%s", vexpr(&p, top->outputs[i]));
    pts_buf_puts(b, "\n");
    for (int i = 0; i <= p.nvals; i++) pts_free(p.expr[i]);
    for (int i = 0; i < p.nused; i++) pts_free(p.used[i]);
    pts_free(p.used);
    for (int i = 0; i < p.nnid; i++) pts_free(p.nid_name[i]);
    pts_free(p.nid_name);
    pts_free(p.nid_val);
    for (int i = 0; i < p.nfn; i++) { pts_free(p.fn_qual[i]); pts_free(p.fn_expr[i]); }
    pts_free(p.fn_qual);
    pts_free(p.fn_expr);
    for (int i = 0; i < p.nlc; i++) { pts_free(p.lc_text[i]); pts_free(p.lc_name[i]); }
    pts_free(p.lc_text);
    pts_free(p.lc_name);
    pts_free(p.vis_site);
    pts_free(p.vis_off);
    pts_free(p.expr);
    pts_free(p.inl);
    return b->oom || p.oom ? pts_fail(err, PTS_ERR_NOMEM, "out of memory") : err->code;
}
