/* compile.c: archive mode of the script compiler. Finds the classes with objects in a loaded
 * archive (children before parents, so a method's callees exist when it is compiled), cuts each
 * `def` out of its class block in the code/ file and hands it to the frontend with a resolver for
 * the names archive code uses. The object tree and the code were checked by the loader; this file
 * only trusts nothing about the code text's layout: a method it cannot find or parse is an issue
 * of that method, never a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "compile.h"
#include "../frontend/frontend.h"

/* {==================== code files ==================== */
typedef struct Meth {
    char *name;          /* owned */
    size_t off, len;     /* span of the def in the file text, through its last body line */
    int line;            /* 1-based line of the def */
} Meth;

typedef struct Line { const char *s; size_t n; } Line;

static bool next_line(const char *src, size_t n, size_t *pos, Line *l) {
    if (*pos >= n) return false;
    const char *nl = memchr(src + *pos, '\n', n - *pos);
    size_t end = nl ? (size_t)(nl - src) : n;
    l->s = src + *pos;
    l->n = end - *pos;
    *pos = nl ? end + 1 : n;
    return true;
}

static size_t indent_of(Line l) {
    size_t k = 0;
    while (k < l.n && l.s[k] == ' ') k++;
    return k;
}

static bool blank(Line l) {
    for (size_t k = 0; k < l.n; k++)
        if (l.s[k] != ' ' && l.s[k] != '\t' && l.s[k] != '\r') return false;
    return true;
}

static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* index in l->code of the file defining class qualname ("__torch__.a.B" -> "code/__torch__/a.py") */
static int code_file(const PtsLoaded *l, const char *qualname) {
    const char *dot = strrchr(qualname, '.');
    if (!dot) return -1;
    size_t pn = (size_t)(dot - qualname);
    for (int i = 0; i < l->ncode; i++) {
        const char *nm = l->code[i].name;
        if (strncmp(nm, "code/", 5) != 0 || strlen(nm) != 5 + pn + 3 || strcmp(nm + 5 + pn, ".py") != 0) continue;
        bool same = true;
        for (size_t k = 0; k < pn && same; k++) same = nm[5 + k] == (qualname[k] == '.' ? '/' : qualname[k]);
        if (same) return i;
    }
    return -1;
}

static void meths_free(Meth *m, int n) {
    for (int i = 0; i < n; i++) pts_free(m[i].name);
    pts_free(m);
}

/* The defs of the class block `class <name>` of file f. false on out-of-memory only; a missing
 * class gives no methods. */
static bool class_methods(const PtsArchiveFile *f, const char *name, Meth **out, int *nout) {
    *out = NULL;
    *nout = 0;
    const char *src = (const char *)f->data;
    size_t n = f->len, pos = 0, nl = strlen(name);
    Line l;
    int lineno = 0;
    bool in_class = false;
    Meth *m = NULL;
    int nm = 0, cap = 0;
    Meth *cur = NULL;
    while (true) {
        size_t at = pos;
        if (!next_line(src, n, &pos, &l)) break;
        lineno++;
        size_t ind = indent_of(l);
        if (!in_class) {
            if (ind == 0 && l.n > 6 + nl && memcmp(l.s, "class ", 6) == 0 && memcmp(l.s + 6, name, nl) == 0 &&
                (l.s[6 + nl] == '(' || l.s[6 + nl] == ':'))
                in_class = true;
            continue;
        }
        if (blank(l)) continue;
        if (ind == 0) break;                       /* the next top-level definition */
        if (ind <= 2 && cur) cur = NULL;           /* the method ended at the previous line */
        if (ind == 2 && l.n > 6 && memcmp(l.s + 2, "def ", 4) == 0) {
            size_t k = 6;
            while (k < l.n && l.s[k] == ' ') k++;
            size_t b = k;
            while (k < l.n && ident_char(l.s[k])) k++;
            if (k == b) continue;
            if (nm == cap) {
                int c2 = cap ? cap * 2 : 8;
                Meth *m2 = pts_realloc(m, sizeof *m2 * (size_t)c2);
                if (!m2) { meths_free(m, nm); return false; }
                m = m2;
                cap = c2;
            }
            char *nmcopy = pts_malloc(k - b + 1);
            if (!nmcopy) { meths_free(m, nm); return false; }
            memcpy(nmcopy, l.s + b, k - b);
            nmcopy[k - b] = 0;
            m[nm] = (Meth){ nmcopy, at, 0, lineno };
            cur = &m[nm++];
        }
        if (cur) cur->len = at + l.n - cur->off;
    }
    *out = m;
    *nout = nm;
    return true;
}

/* a method's text for the compiler: the `: <class>` annotation of self blanked out (PyTorch
 * writes it; the frontend types self itself), columns and lines unchanged */
static char *compile_text(const PtsArchiveFile *f, const Meth *m) {
    char *t = pts_malloc(m->len + 1);
    if (!t) return NULL;
    memcpy(t, f->data + m->off, m->len);
    t[m->len] = 0;
    char *p = strchr(t, '(');
    if (!p) return t;
    p++;
    while (*p == ' ') p++;
    /* PyTorch keeps the source's own name for self (`def forward(s: __torch__.M, ...)`) */
    if (!ident_char(*p) || (*p >= '0' && *p <= '9')) return t;
    while (ident_char(*p)) p++;
    while (*p == ' ') p++;
    if (*p != ':') return t;
    int depth = 0;
    for (; *p && *p != '\n'; p++) {
        if (*p == '[') depth++;
        else if (*p == ']') depth--;
        else if (depth <= 0 && (*p == ',' || *p == ')')) break;
        *p = ' ';
    }
    return t;
}

char *pts_archive_method_source(const PtsLoaded *l, const char *qualname, const char *method, bool *found,
                                int *line, const char **file) {
    *found = false;
    int fi = code_file(l, qualname);
    const char *dot = strrchr(qualname, '.');
    if (fi < 0 || !dot) return NULL;
    Meth *m;
    int nm;
    if (!class_methods(&l->code[fi], dot + 1, &m, &nm)) { *found = true; return NULL; }
    char *out = NULL;
    for (int i = 0; i < nm; i++) {
        if (strcmp(m[i].name, method) != 0) continue;
        *found = true;
        *line = m[i].line;
        *file = l->code[fi].name;
        out = pts_malloc(m[i].len + 2);
        if (!out) break;
        /* drop the class body's two-space indentation */
        const char *s = (const char *)l->code[fi].data + m[i].off;
        size_t pos = 0, k = 0;
        Line ln;
        while (next_line(s, m[i].len, &pos, &ln)) {
            size_t skip = 0;
            while (skip < 2 && skip < ln.n && ln.s[skip] == ' ') skip++;
            memcpy(out + k, ln.s + skip, ln.n - skip);
            k += ln.n - skip;
            out[k++] = '\n';
        }
        out[k] = 0;
        break;
    }
    meths_free(m, nm);
    return out;
}
bool pts_archive_method_names(const PtsLoaded *l, const char *qualname, char ***names, int *n) {
    *names = NULL;
    *n = 0;
    int fi = code_file(l, qualname);
    const char *dot = strrchr(qualname, '.');
    if (fi < 0 || !dot) return true;
    Meth *m;
    int nm;
    if (!class_methods(&l->code[fi], dot + 1, &m, &nm)) return false;
    char **out = pts_calloc((size_t)nm + 1, sizeof *out);
    if (!out) { meths_free(m, nm); return false; }
    for (int i = 0; i < nm; i++) { out[i] = m[i].name; m[i].name = NULL; }
    meths_free(m, nm);
    *names = out;
    *n = nm;
    return true;
}
/* }==================== */

/* {==================== classes in dependency order ==================== */
typedef struct Cls {
    PtsClassType *cls;       /* borrowed: the archive's unit keeps it alive */
    int file;                /* index in l->code, -1 when the class has no code file */
    Meth *m;
    int nm;
} Cls;

typedef struct Ctx {
    const PtsLoaded *l;
    PtsError *err;
    PtsPtrMap seen;          /* heap values already walked */
    PtsPtrMap cls_ix;        /* class -> index in cls */
    Cls *cls;
    int ncls, capcls;
    int cur;                 /* index in cls of the class being compiled (resolver context), -1 */
    PtsCompileReport *rep;   /* where methods that do not compile are recorded */
    PtsClassType **owned;    /* classes built from code headers (script classes, NamedTuples) */
    int nowned;
    int class_nest;          /* code classes resolved from one another's annotations right now */
    struct Fn *fns;          /* free functions met so far */
    int nfns, capfns;
    int fn_depth;            /* functions compiled inside one another right now */
} Ctx;

/* a free function of a code file (`def f(...)` at the top level), compiled on first use */
typedef struct Fn {
    char *qualname;          /* owned: "__torch__.torch.nn.functional.relu" */
    PtsFunction *fn;         /* +1; NULL while it compiles or when it failed */
    bool failed;
    PtsError err;            /* why it failed */
} Fn;

static PtsStatus nomem(Ctx *C) { return pts_fail(C->err, PTS_ERR_NOMEM, "out of memory"); }

static PtsStatus add_class(Ctx *C, PtsClassType *cls) {
    uint32_t ix;
    if (pts_ptrmap_get(&C->cls_ix, cls, &ix)) return PTS_OK;
    if (C->ncls == C->capcls) {
        int cap = C->capcls ? C->capcls * 2 : 16;
        Cls *c = pts_realloc(C->cls, sizeof *c * (size_t)cap);
        if (!c) return nomem(C);
        C->cls = c;
        C->capcls = cap;
    }
    Cls *c = &C->cls[C->ncls];
    *c = (Cls){ cls, code_file(C->l, cls->qualname), NULL, 0 };
    const char *dot = strrchr(cls->qualname, '.');
    if (c->file >= 0 && dot && !class_methods(&C->l->code[c->file], dot + 1, &c->m, &c->nm)) return nomem(C);
    if (!pts_ptrmap_put(&C->cls_ix, cls, (uint32_t)C->ncls)) {
        meths_free(c->m, c->nm);
        return nomem(C);
    }
    C->ncls++;
    return PTS_OK;
}

/* the enum classes a type names (List[__torch__.E]...): code naming them finds the loader's class */
static PtsStatus add_enums(Ctx *C, const PtsType *t, int depth) {
    if (depth > 32) return PTS_OK;
    if (pts_is_enum_type(t)) return add_class(C, t->cls);
    for (int i = 0; i < t->n; i++) PTS_TRY(add_enums(C, t->elems[i], depth + 1));
    return PTS_OK;
}

/* post-order walk: the classes of an object's attributes come before its own class */
static PtsStatus walk(Ctx *C, PtsValue v, int depth) {
    if (!pts_is_heap_tag(v.tag) || v.tag == PTS_V_STR) return PTS_OK;
    if (depth > PTS_ARCHIVE_MAX_OBJECT_DEPTH)
        return pts_fail(C->err, PTS_ERR_FORMAT, "invalid archive: objects nest deeper than %d", PTS_ARCHIVE_MAX_OBJECT_DEPTH);
    uint32_t dummy;
    if (pts_ptrmap_get(&C->seen, v.u.h, &dummy)) return PTS_OK;
    if (!pts_ptrmap_put(&C->seen, v.u.h, 1)) return nomem(C);
    switch (v.tag) {
    case PTS_V_OBJECT: {
        PtsObject *o = pts_as_object(v);
        for (int i = 0; i < o->nslots; i++) PTS_TRY(walk(C, o->slots[i], depth + 1));
        /* the interfaces typing its attributes: their signatures type the calls made through them */
        for (int i = 0; i < o->cls->nattrs; i++) {
            const PtsType *t = o->cls->attrs[i].type;
            if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_interface) PTS_TRY(add_class(C, t->cls));
            PTS_TRY(add_enums(C, t, 0));
        }
        return add_class(C, o->cls);
    }
    case PTS_V_LIST: case PTS_V_TUPLE: {
        PtsList *li = pts_as_list(v);
        for (int64_t i = 0; i < li->len; i++) PTS_TRY(walk(C, li->items[i], depth + 1));
        return PTS_OK;
    }
    case PTS_V_DICT: {
        PtsDict *d = pts_as_dict(v);
        for (int64_t i = 0; i < d->len; i++) PTS_TRY(walk(C, d->vals[i], depth + 1));
        return PTS_OK;
    }
    default: {
        const PtsType *et;   /* an enum member: its class (the loader's) */
        if (pts_enum_get(v, &et, NULL, NULL) && et->cls) return add_class(C, et->cls);
        return PTS_OK;
    }
    }
}
/* }==================== */

/* {==================== names of archive code ==================== */
static bool has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* span of the top-level `def name(` of file f: false when there is none */
static bool find_function(const PtsArchiveFile *f, const char *name, Meth *out) {
    const char *src = (const char *)f->data;
    size_t n = f->len, pos = 0, nl = strlen(name);
    Line l;
    int lineno = 0;
    bool in = false;
    while (true) {
        size_t at = pos;
        if (!next_line(src, n, &pos, &l)) break;
        lineno++;
        if (blank(l)) continue;
        size_t ind = indent_of(l);
        if (in) {
            if (ind == 0) break;
            out->len = at + l.n - out->off;
            continue;
        }
        if (ind == 0 && l.n > 4 + nl && memcmp(l.s, "def ", 4) == 0 && memcmp(l.s + 4, name, nl) == 0 &&
            (l.s[4 + nl] == '(' || l.s[4 + nl] == ' ')) {
            in = true;
            *out = (Meth){ NULL, at, l.n, lineno };
        }
    }
    return in;
}

static PtsStatus res_global(void *ctx, const char *name, PtsResolved *out, PtsError *err);
static PtsStatus code_class(Ctx *C, const char *q, PtsError *err, PtsClassType **out);

/* the compiled function `qualname` when a code file defines it at its top level: *fn NULL when
 * the name is not a function; an error when it does not compile or recurses */
static PtsStatus free_function(Ctx *C, const char *qualname, PtsError *err, PtsFunction **fn) {
    *fn = NULL;
    const char *dot = strrchr(qualname, '.');
    int fi = dot ? code_file(C->l, qualname) : -1;
    Meth span = { NULL, 0, 0, 0 };
    if (fi < 0 || !find_function(&C->l->code[fi], dot + 1, &span)) return PTS_OK;
    for (int i = 0; i < C->nfns; i++) {
        Fn *f = &C->fns[i];
        if (strcmp(f->qualname, qualname) != 0) continue;
        if (f->failed) {
            *err = f->err;
            return err->code;
        }
        if (!f->fn) return pts_fail(err, PTS_ERR_COMPILE, "function '%s' calls itself; recursion is not supported in TorchScript", qualname);
        *fn = f->fn;
        return PTS_OK;
    }
    if (C->fn_depth >= PTS_MAX_COMPILE_NEST)
        return pts_fail(err, PTS_ERR_COMPILE, "functions call each other too deeply (limit %d) at '%s'", PTS_MAX_COMPILE_NEST, qualname);
    if (C->nfns == C->capfns) {
        int cap = C->capfns ? C->capfns * 2 : 8;
        Fn *f2 = pts_realloc(C->fns, sizeof *f2 * (size_t)cap);
        if (!f2) return nomem(C);
        C->fns = f2;
        C->capfns = cap;
    }
    int ix = C->nfns;
    Fn *f = &C->fns[ix];
    memset(f, 0, sizeof *f);
    if (!(f->qualname = pts_strdup(qualname))) return nomem(C);
    C->nfns++;
    const PtsArchiveFile *file = &C->l->code[fi];
    char *text = pts_malloc(span.len + 1);
    if (!text) return nomem(C);
    memcpy(text, file->data + span.off, span.len);
    text[span.len] = 0;
    PtsSource src = { text, span.len, file->name, span.line - 1 };
    PtsResolver r = { C, res_global, NULL, true };
    int saved = C->cur;
    C->cur = -1;
    C->fn_depth++;
    PtsError e = { 0 };
    PtsFunction *compiled = NULL;
    PtsStatus s = pts_compile_function(&src, &r, &e, &compiled);
    C->fn_depth--;
    C->cur = saved;
    pts_free(text);
    f = &C->fns[ix];   /* the table may have grown */
    if (s) {
        f->failed = true;
        f->err = e;
        *err = e;
        return s;
    }
    f->fn = compiled;
    *fn = compiled;
    return PTS_OK;
}

static PtsStatus res_global(void *ctx, const char *name, PtsResolved *out, PtsError *err) {
    Ctx *C = ctx;
    out->kind = PTS_RES_UNKNOWN;
    static const char *const namespaces[] = {
        "torch", "torch.jit", "math", "ops", "ops.aten", "ops.prim", "CONSTANTS", "__torch__", NULL,
    };
    static const char *const builtins[] = {
        "range", "len", "int", "float", "bool", "str", "print", "isinstance", "min", "max", "abs", "list",
        "tuple", "getattr", "hasattr", "zip", "enumerate", "sum", "round", "divmod", "sorted",
        "annotate", "unchecked_cast", "uninitialized", "fork", "awaitable", NULL,
    };
    bool ns = has_prefix(name, "__torch__.");
    if (ns) {
        PtsFunction *fn;
        PTS_TRY(free_function(C, name, err, &fn));
        if (fn) {
            out->kind = PTS_RES_FUNCTION;
            out->fn = fn;
            return PTS_OK;
        }
        PtsClassType *cls;
        PTS_TRY(code_class(C, name, err, &cls));
        if (cls) {
            if (!(out->type = pts_type_of_class(cls))) return nomem(C);
            out->kind = PTS_RES_CLASS;
            return PTS_OK;
        }
    }
    for (int i = 0; !ns && namespaces[i]; i++) ns = strcmp(name, namespaces[i]) == 0;
    if (ns) {
        out->kind = PTS_RES_NAMESPACE;
        snprintf(out->ns, sizeof out->ns, "%s", name);
        return PTS_OK;
    }
    for (int i = 0; builtins[i]; i++)
        if (strcmp(name, builtins[i]) == 0) {
            out->kind = PTS_RES_BUILTIN;
            snprintf(out->ns, sizeof out->ns, "%s", name);
            return PTS_OK;
        }
    if (has_prefix(name, "CONSTANTS.c") && name[11]) {
        const PtsList *consts = pts_as_list(C->l->constants);
        int64_t k = 0;
        const char *p = name + 11;
        for (; *p >= '0' && *p <= '9' && k <= consts->len; p++) k = k * 10 + (*p - '0');
        if (*p == 0 && k < consts->len) {
            out->kind = PTS_RES_VALUE;
            out->value = pts_value_retain(consts->items[k]);
        }
    }
    return PTS_OK;
}

static PtsStatus res_method(void *ctx, const char *name, PtsOwnedSource *out, PtsError *err) {
    Ctx *C = ctx;
    const Cls *c = C->cur >= 0 ? &C->cls[C->cur] : NULL;
    out->text = NULL;
    for (int i = 0; c && i < c->nm; i++) {
        if (strcmp(c->m[i].name, name) != 0) continue;
        const PtsArchiveFile *f = &C->l->code[c->file];
        out->text = compile_text(f, &c->m[i]);
        out->file = pts_strdup(f->name);
        if (!out->text || !out->file) {
            pts_free(out->text);
            pts_free(out->file);
            out->text = out->file = NULL;
            return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        }
        out->len = c->m[i].len;
        out->line_offset = c->m[i].line - 1;
        return PTS_OK;
    }
    return PTS_OK;
}
/* }==================== */

static PtsStatus add_issue(PtsCompileReport *rep, PtsError *err, const char *qualname, const char *method,
                           const PtsError *why) {
    PtsCompileIssue *a = pts_realloc(rep->issues, sizeof *a * (size_t)(rep->nissues + 1));
    if (!a) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    rep->issues = a;
    PtsCompileIssue *is = &a[rep->nissues];
    is->qualname = pts_strdup(qualname);
    is->method = pts_strdup(method);
    is->err = *why;
    if (!is->qualname || !is->method) {
        pts_free(is->qualname);
        pts_free(is->method);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    rep->nissues++;
    return PTS_OK;
}

/* A caller failing only because a submodule's method did not compile ("Module 'LSTM' has no
 * attribute 'forward'") gets that method's own reason, which names the op and the archive line */
static void explain_missing_method(const PtsCompileReport *rep, PtsError *e) {
    const char *p = strncmp(e->msg, "Module '", 8) == 0 ? e->msg + 8 : NULL;
    const char *q = p ? strchr(p, '\'') : NULL;
    if (!q) return;
    const char *a = strstr(q, " has no attribute '");
    if (!a) a = strstr(q, " has no method '");
    if (!a || a != q + 1) return;
    a = strchr(a, '\'') + 1;
    const char *ae = strchr(a, '\'');
    if (!ae) return;
    for (int i = 0; i < rep->nissues; i++) {
        const PtsCompileIssue *is = &rep->issues[i];
        const char *dot = strrchr(is->qualname, '.');
        const char *shortn = dot ? dot + 1 : is->qualname;
        if (strlen(shortn) != (size_t)(q - p) || strncmp(shortn, p, (size_t)(q - p)) != 0) continue;
        if (strlen(is->method) != (size_t)(ae - a) || strncmp(is->method, a, (size_t)(ae - a)) != 0) continue;
        char buf[PTS_ERR_MSG_MAX];
        int k = snprintf(buf, sizeof buf, "method '%s' of %s did not compile:\n", is->method, is->qualname);
        if (k < 0 || (size_t)k >= sizeof buf) return;
        size_t room = sizeof buf - (size_t)k - 1, n = strlen(is->err.msg);
        memcpy(buf + k, is->err.msg, n < room ? n : room);
        buf[k + (n < room ? n : room)] = 0;
        pts_utf8_trim(buf);
        memcpy(e->msg, buf, sizeof buf);
        return;
    }
}

static PtsStatus compile_class(Ctx *C, int ix, PtsCompileReport *rep) {
    PtsResolver r = { C, res_global, res_method, true };
    int saved = C->cur;
    C->cur = ix;
    PtsStatus st = PTS_OK;
    for (int i = 0; !st && i < C->cls[ix].nm; i++) {
        const Cls *c = &C->cls[ix];   /* compiling may add classes (the table moves) */
        if (pts_class_find_method(c->cls, c->m[i].name)) continue;   /* compiled on demand already */
        const PtsArchiveFile *f = &C->l->code[c->file];
        char *text = compile_text(f, &c->m[i]);
        if (!text) { st = nomem(C); break; }
        PtsSource src = { text, c->m[i].len, f->name, c->m[i].line - 1 };
        PtsError e = { 0 };
        PtsClassType *cls = c->cls;
        PtsStatus s = pts_compile_method(cls, &src, &r, &e, NULL);
        pts_free(text);
        if (s == PTS_ERR_NOMEM) { st = pts_fail(C->err, PTS_ERR_NOMEM, "out of memory"); break; }
        if (s) {
            explain_missing_method(rep, &e);
            st = add_issue(rep, C->err, cls->qualname, C->cls[ix].m[i].name, &e);
        }
    }
    C->cur = saved;
    return st;
}

/* {==== classes only code names ====
 * Script classes and NamedTuples that methods create or annotate but no object of the tree holds:
 * built from their code header when first named (`__torch__.a.Pair`), their methods compiled
 * right away so calls to them type-check. */
static bool has_class_line(const PtsArchiveFile *f, const char *name) {
    const char *src = (const char *)f->data;
    size_t n = f->len, pos = 0, nl = strlen(name);
    Line l;
    while (next_line(src, n, &pos, &l))
        if (l.n > 6 + nl && memcmp(l.s, "class ", 6) == 0 && memcmp(l.s + 6, name, nl) == 0 &&
            (l.s[6 + nl] == '(' || l.s[6 + nl] == ':'))
            return true;
    return false;
}

static PtsStatus code_class_resolve(void *ctx, const char *q, PtsError *err, PtsClassType **out);

/* the class q: one of the tree, one built already, or (found = false) none of that name */
static PtsStatus code_class(Ctx *C, const char *q, PtsError *err, PtsClassType **out) {
    *out = NULL;
    for (int i = 0; i < C->ncls; i++)
        if (strcmp(C->cls[i].cls->qualname, q) == 0) { *out = C->cls[i].cls; return PTS_OK; }
    int fi = code_file(C->l, q);
    const char *dot = strrchr(q, '.');
    if (fi < 0 || !dot || !has_class_line(&C->l->code[fi], dot + 1)) return PTS_OK;
    if (C->class_nest >= 16) return pts_fail(err, PTS_ERR_COMPILE, "classes of archive code name each other too deeply at '%s'", q);
    const PtsArchiveFile *f = &C->l->code[fi];
    PtsClassDef d;
    PTS_TRY(pts_classdef_parse((const char *)f->data, f->len, 0, dot + 1, err, &d));
    PtsStatus s = PTS_OK;
    if (d.kind == PTS_CLASSDEF_ENUM) {
        /* an enum only code names (a parameter type, a member constant) */
        PtsClassType *ec = pts_class_new(q, false);
        PtsClassType **eo = ec ? pts_realloc(C->owned, sizeof *eo * (size_t)(C->nowned + 1)) : NULL;
        if (!eo) { pts_class_release(ec); pts_classdef_free(&d); return nomem(C); }
        C->owned = eo;
        C->owned[C->nowned++] = ec;
        s = pts_classdef_enum(ec, &d, err);
        pts_classdef_free(&d);
        if (!s) s = add_class(C, ec);
        if (!s) *out = ec;
        return s;
    }
    if (d.kind == PTS_CLASSDEF_MODULE || d.kind == PTS_CLASSDEF_OTHER || d.has_setstate)
        s = pts_fail(err, PTS_ERR_COMPILE, "class '%s' of archive code is a module or enum with no object; not supported", q);
    PtsClassType *cls = s ? NULL : pts_class_new(q, d.kind == PTS_CLASSDEF_MODULE_INTERFACE);
    if (cls) cls->is_interface = d.kind == PTS_CLASSDEF_INTERFACE || d.kind == PTS_CLASSDEF_MODULE_INTERFACE;
    PtsClassType **ow = cls ? pts_realloc(C->owned, sizeof *ow * (size_t)(C->nowned + 1)) : NULL;
    if (!s && !ow) {
        pts_class_release(cls);
        s = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    if (!s) {
        C->owned = ow;
        C->owned[C->nowned++] = cls;
        cls->is_namedtuple = d.kind == PTS_CLASSDEF_NAMEDTUPLE;
        s = add_class(C, cls);   /* registered before its fields: classes may name each other */
    }
    C->class_nest++;
    for (int i = 0; !s && i < d.nattrs; i++) {
        const PtsClassDefAttr *a = &d.attrs[i];
        char name[256];
        if (a->value || a->name_len >= sizeof name || memchr(a->name, 0, a->name_len)) {
            s = pts_fail(err, PTS_ERR_COMPILE, "class '%s' of archive code declares an attribute pyts cannot read", q);
            break;
        }
        memcpy(name, a->name, a->name_len);
        name[a->name_len] = 0;
        PtsType *t;
        s = pts_annot_parse(a->type, a->type_len, code_class_resolve, C, err, &t);
        if (!s && pts_class_find_attr(cls, name) >= 0) {
            pts_type_release(t);
            s = pts_fail(err, PTS_ERR_COMPILE, "class '%s' declares attribute '%s' twice", q, name);
        }
        if (!s && pts_class_add_attr(cls, name, t, PTS_ATTR_PLAIN) < 0) s = nomem(C);
    }
    C->class_nest--;
    pts_classdef_free(&d);
    if (s) return s;
    if (!cls->is_namedtuple) {
        uint32_t ix;
        if (!pts_ptrmap_get(&C->cls_ix, cls, &ix)) return pts_fail(err, PTS_ERR_INTERNAL, "class table");
        PTS_TRY(compile_class(C, (int)ix, C->rep));
    }
    *out = cls;
    return PTS_OK;
}

static PtsStatus code_class_resolve(void *ctx, const char *q, PtsError *err, PtsClassType **out) {
    Ctx *C = ctx;
    PTS_TRY(code_class(C, q, err, out));
    if (!*out) return pts_fail(err, PTS_ERR_COMPILE, "no class '%s' in the archive's code", q);
    return PTS_OK;
}
/* }==== */

/* Objects held where an interface is the type must implement it: the loader could not tell before
 * the methods existed. Checked once everything is compiled, so a call through the interface
 * (dispatched on the object's class at run time) always finds a method of the right schema. */
static PtsStatus check_interfaces(Ctx *C, PtsPtrMap *seen, PtsValue v, int depth) {
    if (v.tag != PTS_V_OBJECT || depth > PTS_ARCHIVE_MAX_OBJECT_DEPTH) return PTS_OK;
    uint32_t dummy;
    if (pts_ptrmap_get(seen, v.u.h, &dummy)) return PTS_OK;
    if (!pts_ptrmap_put(seen, v.u.h, 1)) return nomem(C);
    const PtsObject *o = pts_as_object(v);
    for (int i = 0; i < o->nslots && i < o->cls->nattrs; i++) {
        const PtsType *t = o->cls->attrs[i].type;
        if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_interface && !pts_value_fits(o->slots[i], t))
            return pts_fail(C->err, PTS_ERR_FORMAT, "invalid archive: attribute '%s' of class '%s' holds an object that does "
                            "not implement interface '%s'", o->cls->attrs[i].name, o->cls->qualname, t->cls->qualname);
        PTS_TRY(check_interfaces(C, seen, o->slots[i], depth + 1));
    }
    return PTS_OK;
}

PtsStatus pts_archive_compile(const PtsLoaded *l, PtsError *err, PtsCompileReport *rep) {
    memset(rep, 0, sizeof *rep);
    if (l->root.tag != PTS_V_OBJECT || l->constants.tag != PTS_V_TUPLE)
        return pts_fail(err, PTS_ERR_INTERNAL, "pts_archive_compile needs a loaded archive");
    Ctx C = { 0 };
    C.l = l;
    C.err = err;
    C.cur = -1;
    C.rep = rep;
    /* methods, functions and classes named only by code join the archive's unit */
    PtsUnit *prev = pts_unit_enter(l->unit);
    PtsStatus s = walk(&C, l->root, 0);
    for (int i = 0; !s && i < C.ncls; i++) s = compile_class(&C, i, rep);
    if (!s) {
        PtsPtrMap seen = { 0 };
        s = check_interfaces(&C, &seen, l->root, 0);
        pts_ptrmap_free(&seen);
    }
    for (int i = 0; i < C.nowned; i++) pts_class_release(C.owned[i]);   /* the unit keeps them */
    pts_free(C.owned);
    for (int i = 0; i < C.ncls; i++) meths_free(C.cls[i].m, C.cls[i].nm);
    for (int i = 0; i < C.nfns; i++) {
        pts_free(C.fns[i].qualname);
        pts_function_release(C.fns[i].fn);
    }
    pts_free(C.fns);
    pts_free(C.cls);
    pts_ptrmap_free(&C.seen);
    pts_ptrmap_free(&C.cls_ix);
    pts_unit_leave(prev);
    return s;
}

void pts_compile_report_free(PtsCompileReport *rep) {
    for (int i = 0; i < rep->nissues; i++) {
        pts_free(rep->issues[i].qualname);
        pts_free(rep->issues[i].method);
    }
    pts_free(rep->issues);
    memset(rep, 0, sizeof *rep);
}

const PtsCompileIssue *pts_compile_report_find(const PtsCompileReport *rep, const char *qualname, const char *method) {
    for (int i = 0; i < rep->nissues; i++)
        if (strcmp(rep->issues[i].qualname, qualname) == 0 && strcmp(rep->issues[i].method, method) == 0)
            return &rep->issues[i];
    return NULL;
}

/* {==================== calls from outside ==================== */
static const char *value_type_name(PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: return "NoneType";
    case PTS_V_BOOL: return "bool";
    case PTS_V_INT: return "int";
    case PTS_V_DOUBLE: return "float";
    case PTS_V_COMPLEX: return "complex";
    case PTS_V_TENSOR: return "Tensor";
    case PTS_V_STR: return "str";
    case PTS_V_LIST: return "list";
    case PTS_V_TUPLE: return "tuple";
    case PTS_V_DICT: return "dict";
    case PTS_V_DEVICE: return "Device";
    case PTS_V_OBJECT: return pts_as_object(v)->cls->qualname;
    default: {
        const PtsType *et;   /* an enum member: its class's own name, as Python's type() */
        if (!pts_enum_get(v, &et, NULL, NULL) || !et->name) return "object";
        const char *dot = strrchr(et->name, '.');
        return dot ? dot + 1 : et->name;
    }
    }
}

/* torch's toIValue for a Python argument of type t: *v converted in place (the old value released)
 * when a conversion applies; false when v cannot be a t. */
static bool coerce_arg(PtsValue *v, const PtsType *t, PtsError *err, PtsStatus *st) {
    if (pts_value_fits(*v, t)) return true;
    PtsValue n = pts_none();
    switch (t->kind) {
    case PTS_TY_OPTIONAL: return v->tag != PTS_V_NONE && coerce_arg(v, t->elems[0], err, st);
    case PTS_TY_FLOAT:    /* Python's float(): ints, bools, one-element tensors */
        if (v->tag == PTS_V_INT || v->tag == PTS_V_BOOL) n = pts_vdouble(pts_value_to_f64(*v));
        else if (v->tag == PTS_V_TENSOR && pts_numel(v->u.t) == 1) n = pts_vdouble(pts_tensor_item_f64(v->u.t));
        else return false;
        break;
    case PTS_TY_INT:      /* operator.index() and bools; a one-element tensor truncates as int() */
        if (v->tag == PTS_V_BOOL) n = pts_vint(v->u.b);
        else if (v->tag == PTS_V_TENSOR && pts_numel(v->u.t) == 1) n = pts_vint(pts_tensor_item_i64(v->u.t));
        else return false;
        break;
    case PTS_TY_BOOL:     /* truth values: numbers, None, one-element tensors */
        if (v->tag == PTS_V_INT) n = pts_vbool(v->u.i != 0);
        else if (v->tag == PTS_V_DOUBLE) n = pts_vbool(v->u.d != 0);
        else if (v->tag == PTS_V_NONE) n = pts_vbool(false);
        else if (v->tag == PTS_V_COMPLEX) n = pts_vbool(pts_as_complex(*v)->re != 0 || pts_as_complex(*v)->im != 0);
        else if (v->tag == PTS_V_TENSOR && pts_numel(v->u.t) == 1) n = pts_vbool(pts_tensor_item_f64(v->u.t) != 0);
        else return false;
        break;
    case PTS_TY_COMPLEX: {
        double re;
        if (v->tag == PTS_V_INT || v->tag == PTS_V_DOUBLE || v->tag == PTS_V_BOOL) re = pts_value_to_f64(*v);
        else if (v->tag == PTS_V_TENSOR && pts_numel(v->u.t) == 1) re = pts_tensor_item_f64(v->u.t);
        else return false;
        if ((*st = pts_complex_new(re, 0.0, err, &n))) return false;
        break;
    }
    case PTS_TY_LIST: case PTS_TY_TUPLE: {   /* a list or tuple of items that convert (a copy) */
        if (v->tag != PTS_V_LIST && v->tag != PTS_V_TUPLE) return false;
        const PtsList *l = pts_as_list(*v);
        bool tup = t->kind == PTS_TY_TUPLE;
        if (tup && l->len != t->n) return false;
        if ((*st = pts_list_new(tup ? PTS_V_TUPLE : PTS_V_LIST, l->len, err, &n))) return false;
        for (int64_t i = 0; i < l->len; i++) {
            PtsValue e = pts_value_retain(l->items[i]);
            if (!coerce_arg(&e, t->elems[tup ? i : 0], err, st)) {
                pts_value_release(&e);
                pts_value_release(&n);
                return false;
            }
            if ((*st = pts_list_append(n, e, err))) { pts_value_release(&n); return false; }   /* e taken */
        }
        break;
    }
    case PTS_TY_DICT: {
        if (v->tag != PTS_V_DICT) return false;
        const PtsDict *d = pts_as_dict(*v);
        if ((*st = pts_dict_new(d->len, err, &n))) return false;
        for (int64_t i = 0; i < d->len; i++) {
            PtsValue k = pts_value_retain(d->keys[i]), e = pts_value_retain(d->vals[i]);
            if (!coerce_arg(&k, t->elems[0], err, st) || !coerce_arg(&e, t->elems[1], err, st)) {
                pts_value_release(&k);
                pts_value_release(&e);
                pts_value_release(&n);
                return false;
            }
            if ((*st = pts_dict_set(n, k, e, err))) { pts_value_release(&n); return false; }
        }
        break;
    }
    default: return false;
    }
    pts_value_release(v);
    *v = n;
    return true;
}

PtsStatus pts_check_call_args_at(const PtsFunction *f, PtsValue *args, int nargs, PtsError *err, int *bad) {
    const PtsBlock *top = f->graph->top;
    int first = f->is_method ? 1 : 0;
    *bad = -1;
    for (int i = 0; i < nargs && i + first < top->ninputs; i++) {
        const PtsIrValue *p = top->inputs[i + first];
        PtsStatus st = PTS_OK;
        if (coerce_arg(&args[i], p->type, err, &st)) continue;
        if (st) return st;
        const char *pn = f->arg_names && f->nargs == top->ninputs ? f->arg_names[i + first] : p->name;
        PtsBuf b;
        pts_buf_init(&b);
        pts_type_print(&b, p->type, !pts_is_enum_type(p->type));   /* Enum<__torch__.E>, as torch */
        PtsStatus s = pts_fail(err, PTS_ERR_RUNTIME, "%s() Expected a value of type '%s' for argument '%s' but instead found type '%s'.",
                               f->name, b.data ? b.data : "?", pn ? pn : "?", value_type_name(args[i]));
        pts_buf_free(&b);
        *bad = i;
        return s;
    }
    return PTS_OK;
}

bool pts_arg_converts(PtsValue v, const PtsType *t) {
    PtsValue c = pts_value_retain(v);
    PtsError e = { 0 };
    PtsStatus st = PTS_OK;
    bool r = coerce_arg(&c, t, &e, &st);
    pts_value_release(&c);
    return r && !st;
}

PtsStatus pts_check_call_args(const PtsFunction *f, PtsValue *args, int nargs, PtsError *err) {
    int bad;
    PtsStatus s = pts_check_call_args_at(f, args, nargs, err, &bad);
    if (s && bad >= 0) s = err->code = PTS_ERR_TYPE;   /* the C API's contract: a wrong kind is a TYPE error */
    return s;
}

/* a default value as torch's schema printer writes it: strings quoted at the top level only,
 * floats with 17 significant digits */
static void decl_default(PtsBuf *b, PtsValue v, bool top) {
    switch (v.tag) {
    case PTS_V_NONE: pts_buf_puts(b, "None"); return;
    case PTS_V_BOOL: pts_buf_puts(b, v.u.b ? "True" : "False"); return;
    case PTS_V_INT: pts_buf_printf(b, "%lld", (long long)v.u.i); return;
    case PTS_V_DOUBLE: {
        char t[40];
        snprintf(t, sizeof t, "%.17g", v.u.d);
        if (!strpbrk(t, ".eni")) strcat(t, ".");   /* 1.: torch's float text */
        pts_buf_puts(b, t);
        return;
    }
    case PTS_V_STR: {
        const PtsStr *s = pts_as_str(v);
        if (!top) { pts_buf_puts(b, s->data); return; }
        pts_buf_puts(b, "\"");
        for (size_t i = 0; i < s->len; i++) {
            if (s->data[i] == '"' || s->data[i] == '\\') pts_buf_puts(b, "\\");
            pts_buf_printf(b, "%c", s->data[i]);
        }
        pts_buf_puts(b, "\"");
        return;
    }
    case PTS_V_LIST: case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "[" : "(");
        for (int64_t i = 0; i < l->len; i++) {
            if (i) pts_buf_puts(b, ", ");
            decl_default(b, l->items[i], false);
        }
        pts_buf_puts(b, v.tag == PTS_V_LIST ? "]" : ")");
        return;
    }
    default: pts_buf_puts(b, "<default>"); return;
    }
}

void pts_function_decl_print(PtsBuf *b, const PtsFunction *f) {
    const PtsBlock *top = f->graph->top;
    const char *dot = strrchr(f->name, '.');
    pts_buf_printf(b, "%s(", dot ? dot + 1 : f->name);
    for (int i = 0; i < top->ninputs; i++) {   /* a method's self too: `forward(__torch__.M self, ...)` */
        if (i) pts_buf_puts(b, ", ");
        pts_type_print(b, top->inputs[i]->type, false);
        const char *pn = f->arg_names && f->nargs == top->ninputs ? f->arg_names[i] : top->inputs[i]->name;
        pts_buf_printf(b, " %s", pn ? pn : "?");
        if (f->has_default && f->nargs == top->ninputs && f->has_default[i]) {
            pts_buf_puts(b, "=");
            const PtsType *pt = top->inputs[i]->type;
            PtsValue d = f->defaults[i];
            if (pt->kind == PTS_TY_OPTIONAL) pt = pt->elems[0];
            if (pt->kind == PTS_TY_LIST && d.tag == PTS_V_TUPLE) d.tag = PTS_V_LIST;   /* a tuple default is the list */
            decl_default(b, d, true);
        }
    }
    pts_buf_puts(b, ") -> ");
    const PtsType *r1 = top->noutputs == 1 ? top->outputs[0]->type : NULL;
    if (r1 && r1->kind != PTS_TY_TUPLE) pts_type_print(b, r1, false);
    else if (r1) {   /* one tuple result: `-> ((float, int))`, as torch */
        pts_buf_puts(b, "(");
        pts_type_print(b, r1, false);
        pts_buf_puts(b, ")");
    } else {
        pts_buf_puts(b, "(");
        for (int i = 0; i < top->noutputs; i++) {
            if (i) pts_buf_puts(b, ", ");
            pts_type_print(b, top->outputs[i]->type, false);
        }
        pts_buf_puts(b, ")");
    }
}
/* }==================== */
