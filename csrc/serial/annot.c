/* annot.c: the small pieces of TorchScript source the archive loader must understand before the
 * compiler runs: annotation types (type tags in pickles, attribute lines of class headers), the
 * header of a class in a code/ file (__parameters__, __buffers__, `name : Type` lines, Final
 * constants) and constant literals. Everything is bounds- and depth-checked; errors are FORMAT. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "serial.h"

/* ================= annotation types ================= */
typedef struct TP {
    const char *s;
    size_t n, pos;
    PtsClassResolve resolve;
    void *ctx;
    PtsError *err;
    int depth;
} TP;

static PtsStatus tp_fail(TP *p, const char *what) {
    return pts_fail(p->err, PTS_ERR_FORMAT, "invalid archive: %s in type '%.*s'", what,
                    (int)(p->n > 200 ? 200 : p->n), p->s);
}

static void tp_ws(TP *p) { while (p->pos < p->n && p->s[p->pos] == ' ') p->pos++; }

static bool tp_eat(TP *p, char c) {
    tp_ws(p);
    if (p->pos < p->n && p->s[p->pos] == c) { p->pos++; return true; }
    return false;
}

static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* a dotted name; returns its length (0 when none) */
static size_t tp_name(TP *p, const char **start) {
    tp_ws(p);
    *start = p->s + p->pos;
    size_t b = p->pos;
    while (p->pos < p->n && (ident_char(p->s[p->pos]) || p->s[p->pos] == '.')) p->pos++;
    return p->pos - b;
}

static bool name_is(const char *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

static PtsStatus tp_type(TP *p, PtsType **out);

/* `[T1, T2, ...]` into elems (owned); max entries */
static PtsStatus tp_args(TP *p, PtsType **elems, int max, int *count) {
    *count = 0;
    if (!tp_eat(p, '[')) return tp_fail(p, "expected '['");
    if (tp_eat(p, ']')) return PTS_OK;
    for (;;) {
        if (*count == max) return tp_fail(p, "too many type arguments");
        PTS_TRY(tp_type(p, &elems[*count]));
        (*count)++;
        if (tp_eat(p, ']')) return PTS_OK;
        if (!tp_eat(p, ',')) return tp_fail(p, "expected ',' or ']'");
    }
}

#define TP_MAX_ARGS 64

static PtsStatus tp_type(TP *p, PtsType **out) {
    *out = NULL;
    if (++p->depth > PTS_ARCHIVE_MAX_TYPE_DEPTH) return tp_fail(p, "types nest too deeply");
    const char *nm;
    size_t nl = tp_name(p, &nm);
    if (nl == 0) return tp_fail(p, "expected a type name");
    static const struct { const char *name; PtsTypeKind kind; } simple[] = {
        { "Tensor", PTS_TY_TENSOR }, { "int", PTS_TY_INT }, { "float", PTS_TY_FLOAT },
        { "bool", PTS_TY_BOOL }, { "str", PTS_TY_STR }, { "NoneType", PTS_TY_NONE },
        { "None", PTS_TY_NONE }, { "number", PTS_TY_NUMBER }, { "Scalar", PTS_TY_NUMBER },
        { "Device", PTS_TY_DEVICE }, { "Any", PTS_TY_ANY }, { "complex", PTS_TY_COMPLEX },
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (name_is(nm, nl, simple[i].name)) {
            *out = pts_type_get(simple[i].kind);
            p->depth--;
            return PTS_OK;
        }
    PtsType *args[TP_MAX_ARGS] = { 0 };
    int na = 0;
    PtsStatus s = PTS_OK;
    if (name_is(nm, nl, "List") || name_is(nm, nl, "Optional") || name_is(nm, nl, "Dict") ||
        name_is(nm, nl, "Union")) {
        s = tp_args(p, args, TP_MAX_ARGS, &na);
        if (!s) {
            if (name_is(nm, nl, "List") && na == 1) *out = pts_type_list(args[0]);
            else if (name_is(nm, nl, "Optional") && na == 1) {
                /* normalised as Union[T, None] (Optional[Union[A, B]] is Union[A, B, NoneType]) */
                PtsType *tn[2] = { args[0], pts_type_get(PTS_TY_NONE) };
                *out = pts_type_union(2, tn);
            }
            else if (name_is(nm, nl, "Dict") && na == 2) {
                PtsTypeKind k = (PtsTypeKind)args[0]->kind;
                if (k != PTS_TY_STR && k != PTS_TY_INT && k != PTS_TY_FLOAT && k != PTS_TY_BOOL &&
                    k != PTS_TY_COMPLEX && k != PTS_TY_TENSOR)
                    s = tp_fail(p, "dict key type must be str, int, float, bool, complex or Tensor");
                else *out = pts_type_dict(args[0], args[1]);
            } else if (name_is(nm, nl, "Union") && na >= 1) {
                *out = pts_type_union(na, args);
            } else s = tp_fail(p, "wrong number of type arguments");
            if (!s && !*out) s = pts_fail(p->err, PTS_ERR_NOMEM, "out of memory");
        }
    } else if (name_is(nm, nl, "Tuple")) {
        tp_ws(p);
        /* Tuple[()] is the empty tuple */
        if (p->n - p->pos >= 4 && memcmp(p->s + p->pos, "[()]", 4) == 0) {
            p->pos += 4;
        } else {
            s = tp_args(p, args, TP_MAX_ARGS, &na);
        }
        if (!s) {
            *out = pts_type_tuple(na, args);
            if (!*out) s = pts_fail(p->err, PTS_ERR_NOMEM, "out of memory");
        }
    } else if (nl > 10 && memcmp(nm, "__torch__.", 10) == 0) {
        char q[PTS_ARCHIVE_MAX_NAME + 1];
        if (nl > PTS_ARCHIVE_MAX_NAME) return tp_fail(p, "class name too long");
        memcpy(q, nm, nl);
        q[nl] = 0;
        PtsClassType *cls;
        if (!p->resolve) return tp_fail(p, "class types are not allowed here");
        PTS_TRY(p->resolve(p->ctx, q, p->err, &cls));
        *out = pts_type_of_class(cls);   /* a NamedTuple names its tuple type */
        if (!*out) return pts_fail(p->err, PTS_ERR_NOMEM, "out of memory");
    } else {
        char what[128];
        snprintf(what, sizeof what, "unsupported type name '%.*s'", (int)(nl > 60 ? 60 : nl), nm);
        return tp_fail(p, what);
    }
    for (int i = 0; i < na; i++) pts_type_release(args[i]);
    p->depth--;
    return s;
}

PtsStatus pts_annot_parse(const char *s, size_t n, PtsClassResolve resolve, void *ctx, PtsError *err,
                          PtsType **out) {
    TP p = { s, n, 0, resolve, ctx, err, 0 };
    PTS_TRY(tp_type(&p, out));
    tp_ws(&p);
    if (p.pos != p.n) {
        pts_type_release(*out);
        *out = NULL;
        return tp_fail(&p, "trailing text");
    }
    return PTS_OK;
}

bool pts_value_fits(PtsValue v, const PtsType *t) {
    switch (t->kind) {
    case PTS_TY_ANY: return true;
    case PTS_TY_TENSOR: return v.tag == PTS_V_TENSOR;
    case PTS_TY_INT: case PTS_TY_SCALARTYPE: case PTS_TY_LAYOUT: case PTS_TY_MEMFORMAT:
        return v.tag == PTS_V_INT;
    case PTS_TY_FLOAT: return v.tag == PTS_V_DOUBLE;
    case PTS_TY_BOOL: return v.tag == PTS_V_BOOL;
    case PTS_TY_STR: return v.tag == PTS_V_STR;
    case PTS_TY_NONE: return v.tag == PTS_V_NONE;
    case PTS_TY_DEVICE: return v.tag == PTS_V_DEVICE;
    case PTS_TY_NUMBER: return v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE || v.tag == PTS_V_COMPLEX;
    case PTS_TY_COMPLEX: return v.tag == PTS_V_COMPLEX;
    case PTS_TY_OPTIONAL: return v.tag == PTS_V_NONE || pts_value_fits(v, t->elems[0]);
    case PTS_TY_UNION:
        for (int i = 0; i < t->n; i++) if (pts_value_fits(v, t->elems[i])) return true;
        return false;
    case PTS_TY_LIST: {
        if (v.tag != PTS_V_LIST) return false;
        const PtsList *l = pts_as_list(v);
        for (int64_t i = 0; i < l->len; i++) if (!pts_value_fits(l->items[i], t->elems[0])) return false;
        return true;
    }
    case PTS_TY_TUPLE: {
        if (v.tag != PTS_V_TUPLE) return false;
        const PtsList *l = pts_as_list(v);
        if (l->len != t->n) return false;
        for (int i = 0; i < t->n; i++) if (!pts_value_fits(l->items[i], t->elems[i])) return false;
        return true;
    }
    case PTS_TY_DICT: {
        if (v.tag != PTS_V_DICT) return false;
        const PtsDict *d = pts_as_dict(v);
        for (int64_t i = 0; i < d->len; i++)
            if (!pts_value_fits(d->keys[i], t->elems[0]) || !pts_value_fits(d->vals[i], t->elems[1]))
                return false;
        return true;
    }
    case PTS_TY_FUTURE: return pts_is_future(v);
    case PTS_TY_AWAIT: return pts_is_await(v);
    case PTS_TY_CLASS: {
        if (t->cls && t->cls->is_enum) return pts_value_isinstance(v, t);
        if (v.tag != PTS_V_OBJECT) return false;
        const PtsObject *o = pts_as_object(v);
        if (t->cls) return o->cls == t->cls || (t->cls->is_interface && pts_class_implements(o->cls, t->cls, NULL));
        return t->name && strcmp(o->cls->qualname, t->name) == 0;
    }
    default: return false;
    }
}

/* ================= literals ================= */
typedef struct LP { const char *s; size_t n, pos; PtsError *err; int depth; } LP;

static PtsStatus lp_fail(LP *p, const char *what) {
    return pts_fail(p->err, PTS_ERR_FORMAT, "invalid archive: %s in constant '%.*s'", what,
                    (int)(p->n > 200 ? 200 : p->n), p->s);
}
static void lp_ws(LP *p) { while (p->pos < p->n && p->s[p->pos] == ' ') p->pos++; }
static bool lp_lit(LP *p, const char *lit) {
    size_t k = strlen(lit);
    if (p->n - p->pos >= k && memcmp(p->s + p->pos, lit, k) == 0) { p->pos += k; return true; }
    return false;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* a double-quoted string with C escapes, as the code printer writes them */
static PtsStatus lp_string(LP *p, PtsValue *out) {
    PtsBuf b;
    pts_buf_init(&b);
    p->pos++;  /* opening quote */
    for (;;) {
        if (p->pos >= p->n) { pts_buf_free(&b); return lp_fail(p, "unterminated string"); }
        char c = p->s[p->pos++];
        if (c == '"') break;
        if (c == '\n') { pts_buf_free(&b); return lp_fail(p, "newline in string"); }
        if (c != '\\') { pts_buf_putn(&b, &c, 1); continue; }
        if (p->pos >= p->n) { pts_buf_free(&b); return lp_fail(p, "unterminated escape"); }
        char e = p->s[p->pos++], r;
        switch (e) {
        case 'n': r = '\n'; break;
        case 't': r = '\t'; break;
        case 'r': r = '\r'; break;
        case '0': r = 0; break;
        case '\\': case '"': case '\'': r = e; break;
        case 'x': {
            if (p->n - p->pos < 2 || hexval(p->s[p->pos]) < 0 || hexval(p->s[p->pos + 1]) < 0) {
                pts_buf_free(&b);
                return lp_fail(p, "bad \\x escape");
            }
            r = (char)(hexval(p->s[p->pos]) * 16 + hexval(p->s[p->pos + 1]));
            p->pos += 2;
            break;
        }
        default: pts_buf_free(&b); return lp_fail(p, "unsupported escape");
        }
        pts_buf_putn(&b, &r, 1);
    }
    if (b.oom) { pts_buf_free(&b); return pts_fail(p->err, PTS_ERR_NOMEM, "out of memory"); }
    PtsStatus s = pts_str_new(b.data ? b.data : "", b.len, p->err, out);
    pts_buf_free(&b);
    return s;
}

static PtsStatus lp_value(LP *p, PtsValue *out);

static PtsStatus lp_seq(LP *p, char close, int tag, PtsValue *out) {
    PTS_TRY(pts_list_new(tag, 4, p->err, out));
    p->pos++;
    bool trailing_comma = false;
    for (;;) {
        lp_ws(p);
        if (p->pos < p->n && p->s[p->pos] == close) { p->pos++; break; }
        PtsValue e;
        PtsStatus s = lp_value(p, &e);
        if (!s) s = pts_list_append(*out, e, p->err);
        if (s) { pts_value_release(out); return s; }
        lp_ws(p);
        trailing_comma = false;
        if (p->pos < p->n && p->s[p->pos] == ',') { p->pos++; trailing_comma = true; continue; }
        if (p->pos < p->n && p->s[p->pos] == close) { p->pos++; break; }
        pts_value_release(out);
        return lp_fail(p, "expected ',' or a closing bracket");
    }
    /* (x) is a parenthesised value, not a tuple */
    if (tag == PTS_V_TUPLE && pts_as_list(*out)->len == 1 && !trailing_comma) {
        PtsValue inner = pts_value_retain(pts_as_list(*out)->items[0]);
        pts_value_release(out);
        *out = inner;
    }
    return PTS_OK;
}

static PtsStatus lp_value(LP *p, PtsValue *out) {
    *out = pts_none();
    if (++p->depth > PTS_ARCHIVE_MAX_TYPE_DEPTH) return lp_fail(p, "literal nests too deeply");
    lp_ws(p);
    PtsStatus s = PTS_OK;
    if (p->pos >= p->n) s = lp_fail(p, "expected a value");
    else if (p->s[p->pos] == '"') s = lp_string(p, out);
    else if (p->s[p->pos] == '(') s = lp_seq(p, ')', PTS_V_TUPLE, out);
    else if (p->s[p->pos] == '[') s = lp_seq(p, ']', PTS_V_LIST, out);
    else if (lp_lit(p, "None")) *out = pts_none();
    else if (lp_lit(p, "True")) *out = pts_vbool(true);
    else if (lp_lit(p, "False")) *out = pts_vbool(false);
    else if (lp_lit(p, "inf")) *out = pts_vdouble(INFINITY);
    else if (lp_lit(p, "-inf")) *out = pts_vdouble(-INFINITY);
    else if (lp_lit(p, "nan")) *out = pts_vdouble(NAN);
    else if (lp_lit(p, "torch.device(\"cpu\")")) { out->tag = PTS_V_DEVICE; out->u.i = -1; }
    else {
        /* a number: copy the token so strtod/strtoll stop at its end */
        size_t b = p->pos;
        while (p->pos < p->n && (ident_char(p->s[p->pos]) || p->s[p->pos] == '.' || p->s[p->pos] == '-' ||
                                 p->s[p->pos] == '+'))
            p->pos++;
        size_t k = p->pos - b;
        char tok[64];
        if (k == 0 || k >= sizeof tok) s = lp_fail(p, "unrecognised literal");
        else {
            memcpy(tok, p->s + b, k);
            tok[k] = 0;
            char *end;
            bool is_float = strpbrk(tok, ".eE") != NULL;
            if (is_float) {
                double d = strtod(tok, &end);
                if (*end) s = lp_fail(p, "bad float literal");
                else *out = pts_vdouble(d);
            } else {
                errno = 0;
                long long v = strtoll(tok, &end, 10);
                if (*end || errno == ERANGE) s = lp_fail(p, "bad int literal");
                else *out = pts_vint(v);
            }
        }
    }
    p->depth--;
    return s;
}

PtsStatus pts_literal_parse(const char *s, size_t n, PtsError *err, PtsValue *out) {
    LP p = { s, n, 0, err, 0 };
    PTS_TRY(lp_value(&p, out));
    lp_ws(&p);
    if (p.pos != p.n) {
        pts_value_release(out);
        return lp_fail(&p, "trailing text");
    }
    return PTS_OK;
}

void pts_literal_print(PtsBuf *b, PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: pts_buf_puts(b, "None"); break;
    case PTS_V_BOOL: pts_buf_puts(b, v.u.b ? "True" : "False"); break;
    case PTS_V_INT: pts_buf_printf(b, "%lld", (long long)v.u.i); break;
    case PTS_V_DOUBLE: {
        double d = v.u.d;
        if (isnan(d)) { pts_buf_puts(b, "nan"); break; }
        if (isinf(d)) { pts_buf_puts(b, d > 0 ? "inf" : "-inf"); break; }
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.17g", d);
        pts_buf_puts(b, tmp);
        if (!strpbrk(tmp, ".en")) pts_buf_puts(b, ".");
        break;
    }
    case PTS_V_STR: {
        const PtsStr *s = pts_as_str(v);
        pts_buf_puts(b, "\"");
        for (size_t i = 0; i < s->len; i++) {
            unsigned char c = (unsigned char)s->data[i];
            if (c == '"') pts_buf_puts(b, "\\\"");
            else if (c == '\\') pts_buf_puts(b, "\\\\");
            else if (c == '\n') pts_buf_puts(b, "\\n");
            else if (c == '\t') pts_buf_puts(b, "\\t");
            else if (c == '\r') pts_buf_puts(b, "\\r");
            else if (c < 0x20 || c == 0x7f) pts_buf_printf(b, "\\x%02x", c);
            else pts_buf_putn(b, (const char *)&c, 1);
        }
        pts_buf_puts(b, "\"");
        break;
    }
    case PTS_V_DEVICE: pts_buf_puts(b, "torch.device(\"cpu\")"); break;
    case PTS_V_LIST: case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "[" : "(");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            pts_literal_print(b, l->items[i]);
        }
        if (v.tag == PTS_V_TUPLE && l->len == 1) pts_buf_puts(b, ",");
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "]" : ")");
        break;
    }
    default: pts_buf_puts(b, "None"); break;
    }
}

/* ================= class headers ================= */
typedef struct Line { const char *s; size_t n; } Line;

static bool next_line(const char *src, size_t n, size_t *pos, Line *l) {
    if (*pos >= n) return false;
    size_t b = *pos, e = b;
    while (e < n && src[e] != '\n') e++;
    l->s = src + b;
    l->n = e - b;
    if (l->n && l->s[l->n - 1] == '\r') l->n--;
    *pos = e < n ? e + 1 : n;
    return true;
}

static size_t indent_of(Line l) {
    size_t k = 0;
    while (k < l.n && l.s[k] == ' ') k++;
    return k;
}

static bool starts(Line l, const char *lit) {
    size_t k = strlen(lit);
    return l.n >= k && memcmp(l.s, lit, k) == 0;
}

static PtsStatus hdr_fail(PtsError *err, const char *cls, const char *what, Line l) {
    return pts_fail(err, PTS_ERR_FORMAT, "invalid archive: %s in the header of class '%s': '%.*s'",
                    what, cls, (int)(l.n > 120 ? 120 : l.n), l.s);
}

static bool push_name(char ***arr, int *n, const char *s, size_t k) {
    char **a = pts_realloc(*arr, sizeof(char *) * (size_t)(*n + 1));
    if (!a) return false;
    *arr = a;
    char *c = pts_malloc(k + 1);
    if (!c) return false;
    memcpy(c, s, k);
    c[k] = 0;
    a[(*n)++] = c;
    return true;
}

/* ["a", "b", ] */
static PtsStatus parse_name_list(Line l, const char *cls, PtsError *err, char ***arr, int *n) {
    size_t i = 0;
    while (i < l.n && l.s[i] != '[') i++;
    if (i == l.n) return hdr_fail(err, cls, "expected a list", l);
    i++;
    for (;;) {
        while (i < l.n && (l.s[i] == ' ' || l.s[i] == ',')) i++;
        if (i < l.n && l.s[i] == ']') { i++; break; }
        if (i >= l.n || l.s[i] != '"') return hdr_fail(err, cls, "expected a quoted name", l);
        size_t b = ++i;
        while (i < l.n && l.s[i] != '"' && l.s[i] != '\\') i++;
        if (i >= l.n || l.s[i] != '"' || i == b) return hdr_fail(err, cls, "bad quoted name", l);
        if (*n >= 1 << 20) return hdr_fail(err, cls, "too many names", l);
        if (!push_name(arr, n, l.s + b, i - b)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        i++;
    }
    while (i < l.n && l.s[i] == ' ') i++;
    if (i != l.n) return hdr_fail(err, cls, "trailing text", l);
    return PTS_OK;
}

static bool add_attr(PtsClassDef *d, PtsClassDefAttr a) {
    PtsClassDefAttr *x = pts_realloc(d->attrs, sizeof *x * (size_t)(d->nattrs + 1));
    if (!x) return false;
    d->attrs = x;
    x[d->nattrs++] = a;
    return true;
}

void pts_classdef_free(PtsClassDef *d) {
    for (int i = 0; i < d->nparams; i++) pts_free(d->params[i]);
    for (int i = 0; i < d->nbuffers; i++) pts_free(d->buffers[i]);
    pts_free(d->params);
    pts_free(d->buffers);
    pts_free(d->attrs);
    memset(d, 0, sizeof *d);
}

static PtsStatus parse_header_line(PtsClassDef *d, Line l, const char *cls, PtsError *err) {
    if (starts(l, "__parameters__")) return parse_name_list(l, cls, err, &d->params, &d->nparams);
    if (starts(l, "__buffers__")) return parse_name_list(l, cls, err, &d->buffers, &d->nbuffers);
    if (starts(l, "__forward_pre_hooks__") || starts(l, "__forward_hooks__") ||
        starts(l, "__annotations__ = []") || (l.n == 4 && memcmp(l.s, "pass", 4) == 0))
        return PTS_OK;
    PtsClassDefAttr a = { 0 };
    size_t i = 0, tstart;
    if (starts(l, "__annotations__[\"")) {
        /* non-identifier attribute names: __annotations__["0"] = Type */
        i = 17;
        size_t b = i;
        while (i < l.n && l.s[i] != '"' && l.s[i] != '\\') i++;
        if (i + 1 >= l.n || l.s[i] != '"' || l.s[i + 1] != ']' || i == b)
            return hdr_fail(err, cls, "bad __annotations__ line", l);
        a.name = l.s + b;
        a.name_len = i - b;
        i += 2;
        while (i < l.n && l.s[i] == ' ') i++;
        if (i >= l.n || l.s[i] != '=') return hdr_fail(err, cls, "bad __annotations__ line", l);
        i++;
    } else {
        while (i < l.n && ident_char(l.s[i])) i++;
        if (i == 0 || (l.s[0] >= '0' && l.s[0] <= '9')) return hdr_fail(err, cls, "unrecognised line", l);
        a.name = l.s;
        a.name_len = i;
        while (i < l.n && l.s[i] == ' ') i++;
        if (i >= l.n || l.s[i] != ':') return hdr_fail(err, cls, "unrecognised line", l);
        i++;
    }
    while (i < l.n && l.s[i] == ' ') i++;
    tstart = i;
    if (l.n - i > 6 && memcmp(l.s + i, "Final[", 6) == 0) {
        /* name : Final[T] = literal */
        size_t depth = 0, j = i + 5;
        for (; j < l.n; j++) {
            if (l.s[j] == '[') depth++;
            else if (l.s[j] == ']' && --depth == 0) break;
        }
        if (j >= l.n) return hdr_fail(err, cls, "unterminated Final[...]", l);
        a.type = l.s + i + 6;
        a.type_len = j - (i + 6);
        j++;
        while (j < l.n && l.s[j] == ' ') j++;
        if (j >= l.n || l.s[j] != '=') return hdr_fail(err, cls, "Final constant without a value", l);
        j++;
        while (j < l.n && l.s[j] == ' ') j++;
        a.value = l.s + j;
        a.value_len = l.n - j;
    } else {
        a.type = l.s + tstart;
        a.type_len = l.n - tstart;
        while (a.type_len && a.type[a.type_len - 1] == ' ') a.type_len--;
        if (a.type_len == 0) return hdr_fail(err, cls, "missing type", l);
    }
    if (d->nattrs >= 1 << 20) return hdr_fail(err, cls, "too many attributes", l);
    if (!add_attr(d, a)) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    return PTS_OK;
}

bool pts_classdef_scan(const char *src, size_t n, bool (*fn)(void *ctx, const char *name, size_t len, size_t off),
                       void *ctx) {
    size_t pos = 0;
    Line l;
    for (size_t at = pos; next_line(src, n, &pos, &l); at = pos) {
        if (l.n < 7 || memcmp(l.s, "class ", 6) != 0) continue;
        size_t k = 6;
        while (k < l.n && ident_char(l.s[k])) k++;
        if (k > 6 && !fn(ctx, l.s + 6, k - 6, at)) return false;
    }
    return true;
}

PtsStatus pts_classdef_parse(const char *src, size_t n, size_t from, const char *name, PtsError *err,
                             PtsClassDef *d) {
    memset(d, 0, sizeof *d);
    size_t pos = from > n ? n : from, nl = strlen(name);
    Line l;
    bool found = false;
    while (next_line(src, n, &pos, &l)) {
        if (l.n > 6 + nl && memcmp(l.s, "class ", 6) == 0 && memcmp(l.s + 6, name, nl) == 0 &&
            (l.s[6 + nl] == '(' || l.s[6 + nl] == ':')) {
            found = true;
            break;
        }
    }
    if (!found) return pts_fail(err, PTS_ERR_FORMAT, "invalid archive: no definition of class '%s' in its code file", name);
    Line head = l;
    const char *rest = l.s + 6 + nl;
    size_t rn = l.n - 6 - nl;
    if (rn == 1 && rest[0] == ':') d->kind = PTS_CLASSDEF_CLASS;
    else if (rn == 9 && memcmp(rest, "(Module):", 9) == 0) d->kind = PTS_CLASSDEF_MODULE;
    else if (rn == 13 && memcmp(rest, "(NamedTuple):", 13) == 0) d->kind = PTS_CLASSDEF_NAMEDTUPLE;
    else if (rn == 12 && memcmp(rest, "(Interface):", 12) == 0) d->kind = PTS_CLASSDEF_INTERFACE;
    else if (rn == 18 && memcmp(rest, "(ModuleInterface):", 18) == 0) d->kind = PTS_CLASSDEF_MODULE_INTERFACE;
    else if (rn == 7 && memcmp(rest, "(Enum):", 7) == 0) d->kind = PTS_CLASSDEF_ENUM;
    else if (rest[rn - 1] == ':') d->kind = PTS_CLASSDEF_OTHER;
    else return hdr_fail(err, name, "bad class line", head);
    bool in_header = true;
    PtsStatus s = PTS_OK;
    while (!s && next_line(src, n, &pos, &l)) {
        size_t ind = indent_of(l);
        if (ind == l.n) continue;                /* blank */
        if (ind == 0) break;                     /* next top-level definition */
        if (ind != 2) {
            if (in_header) s = hdr_fail(err, name, "unexpected indentation", l);
            continue;
        }
        Line body = { l.s + 2, l.n - 2 };
        if (starts(body, "def ")) {
            in_header = false;
            if (starts(body, "def __setstate__(")) d->has_setstate = true;
            continue;
        }
        if (!in_header) continue;                /* continuation lines of a signature */
        if (d->kind == PTS_CLASSDEF_ENUM) {
            /* NAME = literal */
            PtsClassDefAttr a = { 0 };
            size_t i = 0;
            while (i < body.n && ident_char(body.s[i])) i++;
            if (i == 0 || i + 3 > body.n || memcmp(body.s + i, " = ", 3) != 0) { s = hdr_fail(err, name, "bad enum member line", l); continue; }
            a.name = body.s;
            a.name_len = i;
            a.value = body.s + i + 3;
            a.value_len = body.n - i - 3;
            if (d->nattrs >= 1 << 20) { s = hdr_fail(err, name, "too many enum members", l); continue; }
            if (!add_attr(d, a)) s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            continue;
        }
        if (d->kind == PTS_CLASSDEF_OTHER || d->kind == PTS_CLASSDEF_INTERFACE || d->kind == PTS_CLASSDEF_MODULE_INTERFACE)
            continue;
        s = parse_header_line(d, body, name, err);
    }
    if (s) pts_classdef_free(d);
    return s;
}

PtsStatus pts_classdef_enum(PtsClassType *cls, const PtsClassDef *d, PtsError *err) {
    if (d->kind != PTS_CLASSDEF_ENUM) return pts_fail(err, PTS_ERR_FORMAT, "class '%s' is not an enum", cls->qualname);
    if (d->nattrs > 100000) return pts_fail(err, PTS_ERR_FORMAT, "enum '%s' has too many members", cls->qualname);
    const char **names = pts_calloc((size_t)d->nattrs + 1, sizeof(char *));
    PtsValue *vals = pts_calloc((size_t)d->nattrs + 1, sizeof(PtsValue));
    PtsStatus s = names && vals ? PTS_OK : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    for (int got = 0; !s && got < d->nattrs; got++) {
        const PtsClassDefAttr *a = &d->attrs[got];
        char *nm = pts_malloc(a->name_len + 1);
        if (!nm) { s = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); break; }
        memcpy(nm, a->name, a->name_len);
        nm[a->name_len] = 0;
        names[got] = nm;
        s = pts_literal_parse(a->value, a->value_len, err, &vals[got]);
        for (int k = 0; !s && k < got; k++)
            if (strcmp(names[k], nm) == 0) s = pts_fail(err, PTS_ERR_FORMAT, "member '%s' declared twice", nm);
    }
    if (!s) s = pts_enum_define(cls, d->nattrs, names, vals, err);
    if (s == PTS_ERR_COMPILE) err->code = PTS_ERR_FORMAT;   /* bad member values: a bad archive */
    for (int k = 0; k < d->nattrs && names; k++) pts_free((char *)names[k]);
    for (int k = 0; k < d->nattrs && vals; k++) pts_value_release(&vals[k]);
    pts_free(names);
    pts_free(vals);
    return s ? err->code : PTS_OK;
}
