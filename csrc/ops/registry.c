/* registry.c: the op table generated from ops.def, the schema parser that fills it once at
 * start-up, name lookup and dispatch. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

PtsOpInfo pts_op_info[PTS_OP__COUNT] = {
#define PTS_OP(ID, flags, schema) { #ID, flags, k_##ID, { .text = schema } },
#include "ops.def"
#undef PTS_OP
};

PtsDispatchHook pts_dispatch_hook = NULL;

/* ================= schema parser =================
 * schema: name ['.' overload] '(' [arg {',' arg}] ')' '->' returns
 * arg:    type name ['=' default] | '*'
 * type:   base ['(' alias ['!'] ')'] ['[' [N] ']'] ['?']      (also base '?' '[' ']')
 * returns: type | '(' [type [name] {',' type [name]}] ')' */
typedef struct SP {
    const char *p;      /* cursor into the schema text */
    const char *text;   /* whole text, for messages */
    PtsError *err;
} SP;

static void skip_ws(SP *s) { while (*s->p == ' ') s->p++; }

static PtsStatus sp_fail(SP *s, const char *what) {
    return pts_fail(s->err, PTS_ERR_INTERNAL, "bad schema '%s' at column %d: %s", s->text,
                    (int)(s->p - s->text) + 1, what);
}

static bool accept(SP *s, const char *tok) {
    skip_ws(s);
    size_t n = strlen(tok);
    if (strncmp(s->p, tok, n) == 0) { s->p += n; return true; }
    return false;
}

static char *ident(SP *s) {
    skip_ws(s);
    const char *b = s->p;
    while (isalnum((unsigned char)*s->p) || *s->p == '_') s->p++;
    if (s->p == b) return NULL;
    char *r = pts_malloc((size_t)(s->p - b) + 1);
    if (!r) return NULL;
    memcpy(r, b, (size_t)(s->p - b));
    r[s->p - b] = 0;
    return r;
}

static const struct { const char *name; PtsArgKind kind; } base_types[] = {
    {"Tensor", PTS_T_TENSOR}, {"int", PTS_T_INT}, {"SymInt", PTS_T_INT}, {"float", PTS_T_FLOAT},
    {"bool", PTS_T_BOOL}, {"Scalar", PTS_T_SCALAR}, {"ScalarType", PTS_T_SCALARTYPE},
    {"Layout", PTS_T_LAYOUT}, {"Device", PTS_T_DEVICE}, {"MemoryFormat", PTS_T_MEMFORMAT},
    {"str", PTS_T_STR}, {"Generator", PTS_T_GENERATOR}, {"Any", PTS_T_ANY},
    {"complex", PTS_T_COMPLEX},
    /* type variables of generic builtins (`__is__(t1 self, t2 obj)`): any value */
    {"t", PTS_T_ANY}, {"t1", PTS_T_ANY}, {"t2", PTS_T_ANY},
    /* torch's enum rows (ops_enum.def): any value here, enums only in the script compiler */
    {"AnyEnumType", PTS_T_ANY},
};

/* skip a bracketed type argument list "(...)" with nesting */
static PtsStatus skip_parens(SP *s) {
    int depth = 0;
    do {
        if (!*s->p) return sp_fail(s, "unbalanced '(' in a type");
        if (*s->p == '(') depth++;
        else if (*s->p == ')') depth--;
        s->p++;
    } while (depth > 0);
    return PTS_OK;
}

static PtsStatus parse_type(SP *s, PtsArgType *t) {
    memset(t, 0, sizeof *t);
    /* container types of generic builtins (Dict(str, t), (str, t) tuples): any value; the script
     * compiler types these ops itself */
    skip_ws(s);
    if (*s->p == '(' || strncmp(s->p, "Dict(", 5) == 0) {
        if (*s->p == 'D') s->p += 4;
        PTS_TRY(skip_parens(s));
        t->kind = PTS_T_ANY;
        goto suffixes;
    }
    char *nm = ident(s);
    if (!nm) return sp_fail(s, "expected a type");
    bool found = false;
    for (size_t i = 0; i < sizeof base_types / sizeof base_types[0]; i++)
        if (strcmp(nm, base_types[i].name) == 0) { t->kind = (uint8_t)base_types[i].kind; found = true; }
    pts_free(nm);
    if (!found) return sp_fail(s, "unknown type");
suffixes:
    if (*s->p == '(') { /* alias annotation */
        s->p++;
        t->alias = *s->p++;
        if (*s->p == '!') { t->write = true; s->p++; }
        if (strncmp(s->p, " -> *", 5) == 0) s->p += 5;  /* Tensor(a -> *): results alias into a list */
        while (*s->p == '|' && isalpha((unsigned char)s->p[1])) s->p += 2;  /* Tensor(a|b): may alias a or b */
        if (*s->p != ')') return sp_fail(s, "expected ')' after alias");
        s->p++;
    }
    if (*s->p == '?' && s->p[1] == '[') { t->elem_optional = true; s->p++; }
    if (*s->p == '[') {
        s->p++;
        t->is_list = true;
        while (isdigit((unsigned char)*s->p)) t->list_n = (int8_t)(t->list_n * 10 + (*s->p++ - '0'));
        if (*s->p != ']') return sp_fail(s, "expected ']'");
        s->p++;
    }
    if (*s->p == '(' && t->is_list && !t->alias) {   /* t[](a!): the list's alias annotation */
        s->p++;
        t->alias = *s->p++;
        if (*s->p == '!') { t->write = true; s->p++; }
        if (*s->p != ')') return sp_fail(s, "expected ')' after alias");
        s->p++;
    }
    if (*s->p == '?') { t->optional = true; s->p++; }
    return PTS_OK;
}

static PtsStatus parse_scalar_default(SP *s, PtsValue *v) {
    skip_ws(s);
    char *end;
    const char *b = s->p;
    if (accept(s, "None")) { *v = pts_none(); return PTS_OK; }
    if (accept(s, "True")) { *v = pts_vbool(true); return PTS_OK; }
    if (accept(s, "False")) { *v = pts_vbool(false); return PTS_OK; }
    if (*s->p == '"' || *s->p == '\'') {
        /* C escapes in the default (strip's " \n\t\f\v") stand for their characters */
        char q = *s->p++, buf[64];
        size_t n = 0;
        while (*s->p && *s->p != q) {
            char c = *s->p++;
            if (c == '\\' && *s->p) {
                char e = *s->p++;
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'f' ? '\f' : e == 'v' ? '\v' : e == 'r' ? '\r' : e;
            }
            if (n == sizeof buf) return sp_fail(s, "string default too long");
            buf[n++] = c;
        }
        if (!*s->p) return sp_fail(s, "unterminated string");
        PtsStatus r = pts_str_new(buf, n, s->err, v);
        s->p++;
        return r;
    }
    long long iv = strtoll(b, &end, 10);
    if (end != b && *end != '.' && *end != 'e' && *end != 'E') {
        s->p = end;
        *v = pts_vint(iv);
        return PTS_OK;
    }
    double dv = strtod(b, &end);
    if (end != b) { s->p = end; *v = pts_vdouble(dv); return PTS_OK; }
    /* enum-like words: contiguous_format, long, mean, ... stored as strings */
    char *w = ident(s);
    if (!w) return sp_fail(s, "bad default value");
    PtsStatus r = pts_str_new(w, strlen(w), s->err, v);
    pts_free(w);
    return r;
}

static PtsStatus parse_default(SP *s, PtsArg *a) {
    skip_ws(s);
    const char *b = s->p;
    if (*s->p == '[') {
        s->p++;
        PTS_TRY(pts_list_new(PTS_V_LIST, 4, s->err, &a->def));
        skip_ws(s);
        while (*s->p != ']') {
            PtsValue e;
            PTS_TRY(parse_scalar_default(s, &e));
            PTS_TRY(pts_list_append(a->def, e, s->err));
            skip_ws(s);
            if (*s->p == ',') s->p++;
            else if (*s->p != ']') return sp_fail(s, "expected ']' in default");
            skip_ws(s);
        }
        s->p++;
    } else {
        PTS_TRY(parse_scalar_default(s, &a->def));
        /* `int reduction=Mean`: native_functions.yaml names at::Reduction values by word
         * (None 0, Mean 1, Sum 2); an int parameter stores the number */
        if (a->type.kind == PTS_T_INT && !a->type.is_list && a->def.tag == PTS_V_STR) {
            const char *w = pts_as_str(a->def)->data;
            int64_t r = strcmp(w, "Mean") == 0 ? 1 : strcmp(w, "Sum") == 0 ? 2 : -1;
            if (r < 0) return sp_fail(s, "unknown enum default for an int parameter");
            pts_value_release(&a->def);
            a->def = pts_vint(r);
        }
        /* int[2] stride=1 means [1, 1] */
        if (a->type.is_list && a->def.tag == PTS_V_INT) {
            int n = a->type.list_n ? a->type.list_n : 1;
            int64_t xs[PTS_MAX_DIMS];
            for (int i = 0; i < n; i++) xs[i] = a->def.u.i;
            PTS_TRY(pts_int_list_new(xs, n, s->err, &a->def));
        }
    }
    size_t n = (size_t)(s->p - b);
    char *t = pts_malloc(n + 1);
    if (!t) return pts_fail(s->err, PTS_ERR_NOMEM, "out of memory");
    memcpy(t, b, n);
    t[n] = 0;
    a->def_text = t;
    a->has_default = true;
    return PTS_OK;
}

PtsStatus pts_schema_parse(const char *text, PtsSchema *sc, PtsError *err) {
    SP s = { text, text, err };
    const char *keep = sc->text;
    memset(sc, 0, sizeof *sc);
    sc->text = keep ? keep : text;
    /* "prim::min(...)": a row of another namespace than aten (written in its text, which the
     * derivatives table and Python's row keys use as the row's name) */
    const char *ns = "aten";
    size_t nsl = 4;
    {
        const char *q = text;
        while (isalnum((unsigned char)*q) || *q == '_') q++;
        if (q != text && q[0] == ':' && q[1] == ':') {
            ns = text;
            nsl = (size_t)(q - text);
            s.p = q + 2;
        }
    }
    char *name = ident(&s);
    if (!name) return sp_fail(&s, "expected a name");
    sc->name = name;
    if (*s.p == '.') {
        s.p++;
        char *ov = ident(&s);
        if (!ov) return sp_fail(&s, "expected an overload name");
        sc->overload = ov;
    } else sc->overload = "";
    char qn[128];
    snprintf(qn, sizeof qn, "%.*s::%s", (int)nsl, ns, name);
    sc->qualname = pts_strdup(qn);
    if (!accept(&s, "(")) return sp_fail(&s, "expected '('");
    bool kwonly = false;
    skip_ws(&s);
    if (*s.p != ')') {
        for (;;) {
            if (accept(&s, "...")) sc->varargs = true; /* format: the compiler passes them all */
            else if (accept(&s, "*")) kwonly = true;
            else {
                if (sc->nargs == PTS_MAX_ARGS) return sp_fail(&s, "too many arguments");
                PtsArg *a = &sc->args[sc->nargs++];
                PTS_TRY(parse_type(&s, &a->type));
                a->name = ident(&s);
                if (!a->name) return sp_fail(&s, "expected an argument name");
                a->kwarg_only = kwonly;
                if (accept(&s, "=")) PTS_TRY(parse_default(&s, a));
                if (kwonly && a->type.write && strcmp(a->name, "out") == 0) sc->has_out = true;
            }
            if (accept(&s, ",")) continue;
            if (accept(&s, ")")) break;
            return sp_fail(&s, "expected ',' or ')'");
        }
    } else s.p++;
    if (!accept(&s, "->")) return sp_fail(&s, "expected '->'");
    skip_ws(&s);
    if (accept(&s, "(")) {
        skip_ws(&s);
        while (*s.p != ')') {
            if (sc->nret == PTS_MAX_RETS) return sp_fail(&s, "too many results");
            PTS_TRY(parse_type(&s, &sc->rets[sc->nret]));
            skip_ws(&s);
            if (isalpha((unsigned char)*s.p)) sc->ret_names[sc->nret] = ident(&s);
            sc->nret++;
            if (accept(&s, ",")) continue;
            skip_ws(&s);
            if (*s.p != ')') return sp_fail(&s, "expected ')' after results");
        }
        s.p++;
    } else {
        PTS_TRY(parse_type(&s, &sc->rets[0]));
        sc->nret = 1;
        if (sc->rets[0].is_list) sc->ret_list = true;
    }
    skip_ws(&s);
    if (*s.p) return sp_fail(&s, "trailing text");
    size_t nl = strlen(name);
    sc->inplace = nl > 1 && name[nl - 1] == '_' && name[nl - 2] != '_' && sc->nargs > 0 &&
                  sc->args[0].type.write;
    return PTS_OK;
}

static const char *kind_names[PTS_T_KIND__COUNT] = {
    "Tensor", "int", "float", "bool", "Scalar", "ScalarType", "Layout", "Device", "MemoryFormat",
    "str", "Generator", "Any", "complex",
};

const char *pts_argtype_str(PtsArgType t, char *buf, size_t n) {
    char lst[8] = "";
    if (t.is_list) {
        if (t.list_n) snprintf(lst, sizeof lst, "[%d]", t.list_n);
        else snprintf(lst, sizeof lst, "[]");
    }
    snprintf(buf, n, "%s%s%s%s", kind_names[t.kind], t.elem_optional ? "?" : "", lst,
             t.optional ? "?" : "");
    return buf;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static PtsError init_err;

static void ops_init_impl(void) {
    pts_error_clear(&init_err);
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        if (pts_schema_parse(pts_op_info[i].schema.text, &pts_op_info[i].schema, &init_err)) return;
    }
    pts_complex_guard_install();   /* complex tensors reach only the kernels that take them */
}

PtsStatus pts_ops_init(PtsError *err) {
    pthread_once(&init_once, ops_init_impl);
    if (init_err.code) return pts_fail(err, init_err.code, "%s", init_err.msg);
    return PTS_OK;
}

int pts_op_find(const char *name) {
    /* "prim::min" finds rows of that namespace only; a bare name is an aten:: row */
    const char *sep = strstr(name, "::");
    size_t nsl = sep ? (size_t)(sep - name) + 2 : 6;
    const char *ns = sep ? name : "aten::";
    if (sep) name = sep + 2;
    const char *dot = strchr(name, '.');
    size_t nl = dot ? (size_t)(dot - name) : strlen(name);
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        const PtsSchema *s = &pts_op_info[i].schema;
        if (strlen(s->name) != nl || strncmp(s->name, name, nl) != 0) continue;
        if (!s->qualname || strncmp(s->qualname, ns, nsl) != 0) continue;
        if (!dot || strcmp(s->overload, dot + 1) == 0) return i;
    }
    return -1;
}

void pts_op_fill_defaults(PtsOpId id, PtsValue *args, int first) {
    const PtsSchema *s = &pts_op_info[id].schema;
    for (int i = first; i < s->nargs; i++) args[i] = s->args[i].def;
}

PtsDispatchHook pts_trace_hook = NULL;
_Thread_local int pts_tls_tracing = 0;

PtsStatus pts_op_call_untraced(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    if (pts_dispatch_hook && pts_dispatch_hook_wanted(id, args))
        return pts_dispatch_hook(id, args, out, err);
    return pts_op_info[id].kernel(args, out, err);
}

PtsStatus pts_op_call(PtsOpId id, PtsValue *args, PtsValue *out, PtsError *err) {
    if (PTS_UNLIKELY(pts_tls_tracing > 0) && pts_trace_hook) return pts_trace_hook(id, args, out, err);
    return pts_op_call_untraced(id, args, out, err);
}

PtsStatus pts_op_call_n(PtsOpId id, int n, const PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue args[PTS_MAX_ARGS];
    for (int i = 0; i < n; i++) args[i] = a[i];
    pts_op_fill_defaults(id, args, n);
    return pts_op_call(id, args, out, err);
}

PtsStatus pts_op_call_t(PtsOpId id, int n, const PtsValue *a, PtsError *err, PtsTensor **out) {
    PtsValue res[PTS_MAX_RETS] = { { 0 } };   /* None */
    *out = NULL;
    PTS_TRY(pts_op_call_n(id, n, a, res, err));
    for (int k = 1; k < PTS_MAX_RETS; k++) pts_value_release(&res[k]);
    if (res[0].tag != PTS_V_TENSOR) {
        pts_value_release(&res[0]);
        return pts_fail(err, PTS_ERR_INTERNAL, "%s did not return a tensor", pts_op_info[id].id_name);
    }
    *out = res[0].u.t;
    return PTS_OK;
}
