/* archive.c: TorchScript archives from and to object trees. Saving pickles the tree (data.pkl,
 * data/N), prints every reachable class as code/<qualifier>.py (header, then its methods through
 * the code printer), writes the printer's tensor constants (constants.pkl, constants/N) and the
 * format version the printed ops need. Loading rebuilds classes from the code headers named by the
 * pickle's globals, objects and tensors from the pickles (every geometry checked against its
 * storage record), and returns the code sources for the compiler; it executes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "serial.h"

#define MAX_CLASSES 65536

/* ================= shared ================= */
static bool ident(const char *s, size_t n) {
    if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

/* "__torch__.a.B": dotted identifiers under __torch__ */
static bool valid_qualname(const char *q) {
    size_t n = strlen(q);
    if (n > PTS_ARCHIVE_MAX_NAME || strncmp(q, "__torch__.", 10) != 0) return false;
    const char *s = q;
    for (;;) {
        const char *d = strchr(s, '.');
        size_t k = d ? (size_t)(d - s) : strlen(s);
        if (!ident(s, k)) return false;
        if (!d) return true;
        s = d + 1;
    }
}

/* "code/" + qualifier with dots as slashes + ".py" */
static void code_path(PtsBuf *b, const char *qual, size_t qn) {
    pts_buf_puts(b, "code/");
    for (size_t i = 0; i < qn; i++) pts_buf_putn(b, qual[i] == '.' ? "/" : qual + i, 1);
    pts_buf_puts(b, ".py");
}

int pts_archive_version_for_op(int op) {
    /* operator_upgraders/version_map: overloads whose semantics changed, with the version that
     * changed them; an archive using them must say at least that version */
    static const struct { const char *name; int v; } bumps[] = {
        { "div.Tensor", 4 }, { "div.Scalar", 4 }, { "div.out", 4 }, { "div.Tensor_mode", 4 },
        { "div.Scalar_mode", 4 }, { "div.out_mode", 4 }, { "div_.Tensor", 4 }, { "div_.Scalar", 4 },
        { "div_.Tensor_mode", 4 }, { "div_.Scalar_mode", 4 }, { "full", 5 }, { "full.out", 5 },
        { "linspace", 8 }, { "linspace.out", 8 }, { "logspace", 9 }, { "logspace.out", 9 },
        { "gelu", 10 }, { "gelu.out", 10 },
    };
    if (!pts_kind_is_op(op)) return PTS_ARCHIVE_PRODUCED_MIN;
    const PtsSchema *s = &pts_op_info[op].schema;
    char full[128];
    snprintf(full, sizeof full, s->overload && s->overload[0] ? "%s.%s" : "%s", s->name, s->overload);
    for (size_t i = 0; i < sizeof bumps / sizeof bumps[0]; i++)
        if (strcmp(bumps[i].name, full) == 0) return bumps[i].v;
    return PTS_ARCHIVE_PRODUCED_MIN;
}

static int block_version(const PtsBlock *b) {
    int v = PTS_ARCHIVE_PRODUCED_MIN;
    for (const PtsNode *n = b->first; n; n = n->next) {
        int k = pts_archive_version_for_op(n->kind);
        if (k > v) v = k;
        for (int i = 0; i < n->nblocks; i++) {
            k = block_version(n->blocks[i]);
            if (k > v) v = k;
        }
    }
    return v;
}

/* ================= saving ================= */
typedef struct SClass {
    PtsClassType *cls;      /* borrowed: the object tree keeps it alive */
    char *name;             /* qualified name as saved (owned) */
    PtsValue sample;        /* borrowed: an object of the class, NONE when only named by a type */
    PtsType **types;        /* static attribute types (owned), cls->nattrs entries */
} SClass;

typedef struct Saver {
    SClass *c;
    int nc, capc;
    PtsPtrMap cls_ix;       /* class -> index in c */
    PtsPtrMap seen;         /* heap values already walked */
    PtsStrMap names;        /* saved names in use */
    PtsError *err;
    bool ifaces_now;        /* interfaces typing attributes are added after the classes of values
                             * and code, as torch's printer writes them after the classes naming them */
} Saver;

static PtsStatus snomem(Saver *s) { return pts_fail(s->err, PTS_ERR_NOMEM, "out of memory"); }

static PtsStatus add_class(Saver *s, PtsClassType *cls, PtsValue sample, int depth);

static PtsStatus walk_type(Saver *s, const PtsType *t, int depth) {
    if (depth > PTS_ARCHIVE_MAX_DEPTH) return pts_fail(s->err, PTS_ERR_VALUE, "types nest too deeply to save");
    if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_interface && !s->ifaces_now) return PTS_OK;
    if (t->kind == PTS_TY_CLASS && t->cls) return add_class(s, t->cls, pts_none(), depth + 1);
    if (t->kind == PTS_TY_TUPLE && t->cls) PTS_TRY(add_class(s, t->cls, pts_none(), depth + 1));   /* NamedTuple */
    for (int i = 0; i < t->n; i++) PTS_TRY(walk_type(s, t->elems[i], depth + 1));
    return PTS_OK;
}

/* Script classes and NamedTuples that code uses (objects made in methods, annotations) have no
 * object in the tree: they are found in the types of the saved methods' values. */
static PtsStatus walk_code_type(Saver *s, const PtsType *t, int depth) {
    if (depth > PTS_ARCHIVE_MAX_DEPTH) return pts_fail(s->err, PTS_ERR_VALUE, "types nest too deeply to save");
    if ((t->kind == PTS_TY_CLASS || t->kind == PTS_TY_TUPLE) && t->cls && (!t->cls->is_module || t->cls->is_interface))
        PTS_TRY(add_class(s, t->cls, pts_none(), depth + 1));
    for (int i = 0; i < t->n; i++) PTS_TRY(walk_code_type(s, t->elems[i], depth + 1));
    return PTS_OK;
}

static PtsStatus walk_code_block(Saver *s, const PtsBlock *b, int depth) {
    if (depth > 64) return pts_fail(s->err, PTS_ERR_VALUE, "functions call each other too deeply to be saved");
    for (int i = 0; i < b->ninputs; i++) PTS_TRY(walk_code_type(s, b->inputs[i]->type, 0));
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->noutputs; i++) PTS_TRY(walk_code_type(s, n->outputs[i]->type, 0));
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(walk_code_block(s, n->blocks[i], depth));
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION)) {
            /* a free function the code calls is saved too (collect_fns): so are the classes it uses */
            const PtsNodeAttr *fa = pts_node_attr(n, "fn");
            PtsFunction *f = fa && fa->kind == PTS_AV_IVALUE ? pts_function_ref_get(fa->v) : NULL;
            uint32_t dummy;
            if (!f || pts_ptrmap_get(&s->seen, f, &dummy)) continue;
            if (!pts_ptrmap_put(&s->seen, f, 1)) return snomem(s);
            PTS_TRY(walk_code_block(s, f->graph->top, depth + 1));
        }
    }
    return PTS_OK;
}

static PtsStatus walk_code(Saver *s, const PtsFunction *fn) {
    if (fn) PTS_TRY(walk_code_block(s, fn->graph->top, 0));
    for (int i = 0; i < s->nc; i++)   /* s->nc grows as classes are found */
        for (int k = 0; k < s->c[i].cls->nmethods; k++) PTS_TRY(walk_code_block(s, s->c[i].cls->methods[k]->graph->top, 0));
    return PTS_OK;
}

static PtsStatus add_class(Saver *s, PtsClassType *cls, PtsValue sample, int depth) {
    uint32_t ix;
    if (pts_ptrmap_get(&s->cls_ix, cls, &ix)) {
        if (s->c[ix].sample.tag == PTS_V_NONE) s->c[ix].sample = sample;
        return PTS_OK;
    }
    if (s->nc >= MAX_CLASSES) return pts_fail(s->err, PTS_ERR_VALUE, "too many classes to save");
    if (s->nc == s->capc) {
        int cap = s->capc ? s->capc * 2 : 16;
        SClass *c = pts_realloc(s->c, sizeof *c * (size_t)cap);
        if (!c) return snomem(s);
        s->c = c;
        s->capc = cap;
    }
    s->c[s->nc] = (SClass){ cls, NULL, sample, NULL };
    if (!pts_ptrmap_put(&s->cls_ix, cls, (uint32_t)s->nc)) return snomem(s);
    s->nc++;
    for (int i = 0; i < cls->nattrs; i++) PTS_TRY(walk_type(s, cls->attrs[i].type, depth));
    return PTS_OK;
}

static PtsStatus walk_value(Saver *s, PtsValue v, int depth) {
    if (depth > PTS_ARCHIVE_MAX_DEPTH)
        return pts_fail(s->err, PTS_ERR_VALUE, "values nest deeper than %d and cannot be saved", PTS_ARCHIVE_MAX_DEPTH);
    const PtsType *et;   /* an enum member: its class is written too */
    if (pts_enum_get(v, &et, NULL, NULL)) return et->cls ? add_class(s, et->cls, pts_none(), depth + 1) : PTS_OK;
    if (v.tag != PTS_V_OBJECT && v.tag != PTS_V_LIST && v.tag != PTS_V_TUPLE && v.tag != PTS_V_DICT) return PTS_OK;
    uint32_t dummy;
    if (pts_ptrmap_get(&s->seen, v.u.h, &dummy)) return PTS_OK;
    if (!pts_ptrmap_put(&s->seen, v.u.h, 1)) return snomem(s);
    if (v.tag == PTS_V_OBJECT) {
        PtsObject *o = pts_as_object(v);
        PTS_TRY(add_class(s, o->cls, v, depth));
        for (int i = 0; i < o->nslots; i++) PTS_TRY(walk_value(s, o->slots[i], depth + 1));
    } else if (v.tag == PTS_V_DICT) {
        const PtsDict *d = pts_as_dict(v);
        for (int64_t i = 0; i < d->len; i++) {
            PTS_TRY(walk_value(s, d->keys[i], depth + 1));
            PTS_TRY(walk_value(s, d->vals[i], depth + 1));
        }
    } else {
        const PtsList *l = pts_as_list(v);
        for (int64_t i = 0; i < l->len; i++) PTS_TRY(walk_value(s, l->items[i], depth + 1));
    }
    return PTS_OK;
}

/* A class name as TorchScript can spell it: segments that are not identifiers are dropped
 * ("f.<locals>.C" -> "f.C", as PyTorch names local classes by their module and name) or fixed. */
static void clean_qualname(PtsBuf *b, const char *q) {
    if (strncmp(q, "__torch__.", 10) != 0) pts_buf_puts(b, "__torch__.");
    const char *s = q;
    bool any = false;
    for (;;) {
        const char *d = strchr(s, '.');
        size_t k = d ? (size_t)(d - s) : strlen(s);
        bool last = !d;
        bool angle = memchr(s, '<', k) || memchr(s, '>', k);
        if (k && (!angle || last)) {
            if (any) pts_buf_puts(b, ".");
            if (angle) pts_buf_puts(b, "_");     /* "<lambda>" -> "_lambda" */
            if (!angle && s[0] >= '0' && s[0] <= '9') pts_buf_puts(b, "_");
            for (size_t i = 0; i < k; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                if (ok) pts_buf_putn(b, &c, 1);
                else if (!(c == '<' || c == '>')) pts_buf_puts(b, "_");
            }
            any = true;
        }
        if (last) break;
        s = d + 1;
    }
}

/* saved names: __torch__-qualified; a clash between different classes gets
 * <qualifier>.___torch_mangle_<k>.<Name>, as PyTorch names the types of traced instances */
static PtsStatus assign_names(Saver *s) {
    int mangle = 0;
    for (int i = 0; i < s->nc; i++) {
        const char *q = s->c[i].cls->qualname;
        PtsBuf b;
        pts_buf_init(&b);
        clean_qualname(&b, q);
        if (b.oom) { pts_buf_free(&b); return snomem(s); }
        if (!valid_qualname(b.data)) {
            pts_buf_free(&b);
            return pts_fail(s->err, PTS_ERR_VALUE, "class name '%s' is not a dotted Python name and cannot be saved", q);
        }
        uint32_t dummy;
        while (pts_strmap_get(&s->names, b.data, b.len, &dummy)) {
            const char *dot = strrchr(b.data, '.');
            PtsBuf m;
            pts_buf_init(&m);
            pts_buf_putn(&m, b.data, (size_t)(dot - b.data));
            /* strip an earlier mangle segment of this name before adding a new one */
            const char *prev = strstr(m.data ? m.data : "", ".___torch_mangle_");
            if (prev && !strchr(prev + 1, '.')) { m.len = (size_t)(prev - m.data); m.data[m.len] = 0; }
            pts_buf_printf(&m, ".___torch_mangle_%d%s", mangle++, dot);
            pts_buf_free(&b);
            b = m;
            if (b.oom) { pts_buf_free(&b); return snomem(s); }
        }
        if (!pts_strmap_put(&s->names, b.data, b.len, (uint32_t)i)) { pts_buf_free(&b); return snomem(s); }
        s->c[i].name = pts_buf_steal(&b);
        if (!s->c[i].name) return snomem(s);
    }
    return PTS_OK;
}

static PtsStatus static_types(Saver *s) {
    for (int i = 0; i < s->nc; i++) {
        SClass *c = &s->c[i];
        c->types = pts_calloc((size_t)c->cls->nattrs + 1, sizeof(PtsType *));
        if (!c->types) return snomem(s);
        for (int k = 0; k < c->cls->nattrs; k++) {
            const PtsType *given = c->cls->attrs[k].type;
            if (c->sample.tag == PTS_V_OBJECT && k < pts_as_object(c->sample)->nslots)
                c->types[k] = pts_value_static_type(pts_as_object(c->sample)->slots[k], given, s->err);
            else c->types[k] = pts_type_retain((PtsType *)given);
            if (!c->types[k]) {
                if (!s->err->code) return snomem(s);
                snprintf(s->err->msg + strlen(s->err->msg), sizeof s->err->msg - strlen(s->err->msg),
                         " (attribute '%s' of '%s')", c->cls->attrs[k].name, c->cls->qualname);
                return s->err->code;
            }
        }
    }
    return PTS_OK;
}

static const char *saved_name(void *ctx, const PtsClassType *cls) {
    Saver *s = ctx;
    uint32_t ix;
    return pts_ptrmap_get(&s->cls_ix, cls, &ix) ? s->c[ix].name : NULL;
}

static const PtsType *saved_attr_type(void *ctx, const PtsClassType *cls, int i) {
    Saver *s = ctx;
    uint32_t ix;
    return pts_ptrmap_get(&s->cls_ix, cls, &ix) && i < cls->nattrs ? s->c[ix].types[i] : NULL;
}

/* pts_type_print hook: the saved names of the classes being written (pointers compared only) */
static const char *type_namer(const PtsType *t, void *ctx) {
    Saver *s = ctx;
    uint32_t ix;
    return t->cls && pts_ptrmap_get(&s->cls_ix, t->cls, &ix) ? s->c[ix].name : NULL;
}

/* A method printed at top level, re-indented into a class body the way PyTorch's files are:
 * the def line and body move right by two spaces, signature continuation lines stay. */
static void indent_method(PtsBuf *out, const char *src) {
    bool sig = true, in_str = false;
    int depth = 0;
    for (const char *l = src; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (sig) {
            if (l == src) pts_buf_puts(out, "  ");
            pts_buf_putn(out, l, n);
            char last = 0;
            for (size_t i = 0; i < n; i++) {
                char c = l[i];
                if (in_str) {
                    if (c == '\\') i++;
                    else if (c == '"') in_str = false;
                    continue;
                }
                if (c == '"') in_str = true;
                else if (c == '(' || c == '[') depth++;
                else if (c == ')' || c == ']') depth--;
                if (c != ' ') last = c;
            }
            if (depth <= 0 && last == ':') sig = false;
        } else if (n) {
            pts_buf_puts(out, "  ");
            pts_buf_putn(out, l, n);
        }
        pts_buf_puts(out, "\n");
        l += n + (e ? 1 : 0);
        if (!e) break;
    }
}

static PtsStatus method_code(Saver *s, PtsFunction *f, bool free_fn, PtsBuf *out, PtsValue consts) {
    const char *nm = free_fn ? "forward" : f->name;
    if (!ident(nm, strlen(nm))) return pts_fail(s->err, PTS_ERR_VALUE, "method name '%s' cannot be saved", nm);
    PtsBuf m;
    pts_buf_init(&m);
    PtsStatus st = pts_function_code(f, true, &m, &consts, s->err);
    if (!st && m.oom) st = snomem(s);
    if (st) { pts_buf_free(&m); return st; }
    if (free_fn) {
        /* a free function saved as the forward of PlaceholderModule, as PyTorch does */
        const char *open = strchr(m.data, '(');
        PtsBuf r;
        pts_buf_init(&r);
        pts_buf_puts(&r, "def forward(self: __torch__.PlaceholderModule");
        if (open && open[1] != ')') pts_buf_puts(&r, ",\n    ");
        pts_buf_puts(&r, open ? open + 1 : "");
        pts_buf_free(&m);
        m = r;
        if (m.oom) { pts_buf_free(&m); return snomem(s); }
    }
    indent_method(out, m.data);
    pts_buf_free(&m);
    return PTS_OK;
}

static void name_list(PtsBuf *b, const char *field, const PtsClassType *cls, int kind) {
    pts_buf_printf(b, "  %s = [", field);
    for (int i = 0; i < cls->nattrs; i++)
        if (cls->attrs[i].kind == kind) pts_buf_printf(b, "\"%s\", ", cls->attrs[i].name);
    pts_buf_puts(b, "]\n");
}

/* An interface as torch's printer writes it (PythonPrintImpl::printInterface): one line per
 * method signature, annotation types, no defaults, a `pass` body */
static PtsStatus interface_code(Saver *s, const SClass *c, PtsBuf *b) {
    const PtsClassType *cls = c->cls;
    pts_buf_printf(b, "class %s(%s):\n", strrchr(c->name, '.') + 1, cls->is_module ? "ModuleInterface" : "Interface");
    for (int i = 0; i < cls->nmethods; i++) {
        const PtsFunction *f = cls->methods[i];
        const PtsBlock *top = f->graph->top;
        if (!ident(f->name, strlen(f->name)) || top->ninputs < 1 || top->noutputs != 1)
            return pts_fail(s->err, PTS_ERR_VALUE, "interface method '%s' cannot be saved", f->name);
        pts_buf_printf(b, "  def %s(self", f->name);
        for (int k = 1; k < top->ninputs; k++) {
            const char *an = f->arg_names && f->nargs == top->ninputs ? f->arg_names[k] : top->inputs[k]->name;
            pts_buf_printf(b, ", %s: ", an ? an : "_");
            pts_type_print(b, top->inputs[k]->type, true);
        }
        pts_buf_puts(b, ") -> ");
        pts_type_print(b, top->outputs[0]->type, true);
        pts_buf_puts(b, ":\n    pass\n");
    }
    if (!cls->nmethods) pts_buf_puts(b, "  pass\n");
    return b->oom ? snomem(s) : PTS_OK;
}

/* An enum as torch's printer writes it (PythonPrintImpl::printClass of an EnumType): its members
 * and their values */
static PtsStatus enum_code(Saver *s, const SClass *c, PtsBuf *b) {
    const PtsClassType *cls = c->cls;
    pts_buf_printf(b, "class %s(Enum):\n", strrchr(c->name, '.') + 1);
    for (int i = 0; i < cls->nconsts; i++) {
        if (!ident(cls->const_names[i], strlen(cls->const_names[i])))
            return pts_fail(s->err, PTS_ERR_VALUE, "enum member name '%s' cannot be saved", cls->const_names[i]);
        pts_buf_printf(b, "  %s = ", cls->const_names[i]);
        pts_literal_print(b, cls->const_values[i]);
        pts_buf_puts(b, "\n");
    }
    return b->oom ? snomem(s) : PTS_OK;
}

static PtsStatus class_code(Saver *s, const SClass *c, PtsFunction *free_fn, PtsBuf *b, PtsValue consts) {
    const PtsClassType *cls = c->cls;
    if (cls->is_interface) return interface_code(s, c, b);
    if (cls->is_enum) return enum_code(s, c, b);
    const char *simple = strrchr(c->name, '.') + 1;
    size_t start = b->len;
    pts_buf_printf(b, cls->is_module ? "class %s(Module):\n" : cls->is_namedtuple ? "class %s(NamedTuple):\n" : "class %s:\n",
                   simple);
    size_t body = b->len;
    if (cls->is_module) {
        name_list(b, "__parameters__", cls, PTS_ATTR_PARAMETER);
        name_list(b, "__buffers__", cls, PTS_ATTR_BUFFER);
    }
    bool first = true;
    for (int i = 0; i < cls->nattrs; i++) {
        const char *an = cls->attrs[i].name;
        if (cls->attrs[i].kind == PTS_ATTR_CONSTANT) continue;
        if (strpbrk(an, "\"\\\n") || !an[0])
            return pts_fail(s->err, PTS_ERR_VALUE, "attribute name '%s' cannot be saved", an);
        if (ident(an, strlen(an))) pts_buf_printf(b, "  %s : ", an);
        else {
            if (first) pts_buf_puts(b, "  __annotations__ = []\n");
            pts_buf_printf(b, "  __annotations__[\"%s\"] = ", an);
        }
        first = false;
        pts_type_print(b, c->types[i], true);
        pts_buf_puts(b, "\n");
    }
    for (int i = 0; i < cls->nconsts; i++) {
        if (!ident(cls->const_names[i], strlen(cls->const_names[i])))
            return pts_fail(s->err, PTS_ERR_VALUE, "constant name '%s' cannot be saved", cls->const_names[i]);
        PtsType *t = pts_value_static_type(cls->const_values[i], NULL, s->err);
        if (!t) return s->err->code ? s->err->code : snomem(s);
        pts_buf_printf(b, "  %s : Final[", cls->const_names[i]);
        pts_type_print(b, t, true);
        pts_buf_puts(b, "] = ");
        pts_literal_print(b, cls->const_values[i]);
        pts_buf_puts(b, "\n");
        pts_type_release(t);
    }
    if (free_fn) PTS_TRY(method_code(s, free_fn, true, b, consts));
    for (int i = 0; i < cls->nmethods; i++) PTS_TRY(method_code(s, cls->methods[i], false, b, consts));
    if (b->len == body) pts_buf_puts(b, "  pass\n");
    (void)start;
    return b->oom ? snomem(s) : PTS_OK;
}

/* {==== free functions ====
 * Functions called from saved methods (prim::CallFunction with a "qualname" attribute, as the
 * script compiler records it) are written as top-level defs of the code file of their qualifier,
 * callees of callees included, each once. */
typedef struct SFn { const char *qual; PtsFunction *f; } SFn;
typedef struct SFns { SFn *a; int n, cap; } SFns;

static PtsStatus collect_fns(Saver *s, const PtsBlock *b, SFns *fs, int depth) {
    if (depth > 64) return pts_fail(s->err, PTS_ERR_VALUE, "functions call each other too deeply to be saved");
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) PTS_TRY(collect_fns(s, n->blocks[i], fs, depth));
        if (n->kind != PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION)) continue;
        const PtsNodeAttr *q = pts_node_attr(n, "qualname"), *fa = pts_node_attr(n, "fn");
        PtsFunction *f = fa && fa->kind == PTS_AV_IVALUE ? pts_function_ref_get(fa->v) : NULL;
        if (!f || !q || q->v.tag != PTS_V_STR) continue;
        const char *qual = pts_as_str(q->v)->data;
        bool seen = false;
        for (int i = 0; i < fs->n && !seen; i++) seen = strcmp(fs->a[i].qual, qual) == 0;
        if (seen) continue;
        const char *dot = strrchr(qual, '.');
        if (!valid_qualname(qual) || !dot || !ident(dot + 1, strlen(dot + 1)))
            return pts_fail(s->err, PTS_ERR_VALUE, "function name '%s' cannot be saved", qual);
        if (fs->n == fs->cap) {
            int cap = fs->cap ? fs->cap * 2 : 8;
            SFn *a = pts_realloc(fs->a, sizeof *a * (size_t)cap);
            if (!a) return snomem(s);
            fs->a = a;
            fs->cap = cap;
        }
        fs->a[fs->n++] = (SFn){ qual, f };
        PTS_TRY(collect_fns(s, f->graph->top, fs, depth + 1));
    }
    return PTS_OK;
}

/* `def <simple name>(...)` for a free function: the printer names it by f->name */
static PtsStatus function_code(Saver *s, const SFn *fn, PtsBuf *out, PtsValue consts) {
    PtsBuf m;
    pts_buf_init(&m);
    PtsStatus st = pts_function_code(fn->f, true, &m, &consts, s->err);
    if (!st && m.oom) st = snomem(s);
    if (st) { pts_buf_free(&m); return st; }
    const char *simple = strrchr(fn->qual, '.') + 1;
    const char *open = strchr(m.data, '(');
    pts_buf_printf(out, "def %s%s", simple, open ? open : "():\n  return None\n");
    pts_buf_free(&m);
    return out->oom ? snomem(s) : PTS_OK;
}
/* }==== */

static PtsStatus add_storages(PtsZipWriter *w, const char *folder, const char *dir, const PtsPickler *p,
                              PtsError *err) {
    for (int i = 0; i < pts_pickler_nstorages(p); i++) {
        const PtsPickledStorage *ps = pts_pickler_storage(p, i);
        char name[PTS_ARCHIVE_MAX_NAME + 64];
        snprintf(name, sizeof name, "%s/%s%d", folder, dir, i);
        PTS_TRY(pts_zipw_add(w, name, ps->st->data, (size_t)ps->numel * pts_dtype_size(ps->dtype), false, err));
    }
    return PTS_OK;
}

static PtsStatus add_record(PtsZipWriter *w, const char *folder, const char *rel, const void *data, size_t n,
                            bool deflate, PtsError *err) {
    PtsBuf nm;
    pts_buf_init(&nm);
    pts_buf_printf(&nm, "%s/%s", folder, rel);
    if (nm.oom) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsStatus s = pts_zipw_add(w, nm.data, data, n, deflate, err);
    pts_buf_free(&nm);
    return s;
}

static void saver_free(Saver *s) {
    for (int i = 0; i < s->nc; i++) {
        pts_free(s->c[i].name);
        if (s->c[i].types)
            for (int k = 0; k < s->c[i].cls->nattrs; k++) pts_type_release(s->c[i].types[k]);
        pts_free(s->c[i].types);
    }
    pts_free(s->c);
    pts_ptrmap_free(&s->cls_ix);
    pts_ptrmap_free(&s->seen);
    pts_strmap_free(&s->names);
}

static PtsStatus save_impl(Saver *s, PtsValue root, const PtsSaveOptions *opt, PtsZipWriter *w,
                           PtsPickler **pk_data, PtsPickler **pk_const, PtsValue *consts) {
    PtsError *err = s->err;
    PtsFunction *fn = opt->fn;
    const char *folder = opt->folder;
    bool passthrough = opt->code != NULL;
    PTS_TRY(walk_value(s, root, 0));
    if (!passthrough) PTS_TRY(walk_code(s, fn));
    /* then the interfaces typing attributes (and what their signatures name) */
    s->ifaces_now = true;
    int before = s->nc;
    for (int i = 0; i < s->nc; i++)
        for (int k = 0; k < s->c[i].cls->nattrs; k++) PTS_TRY(walk_type(s, s->c[i].cls->attrs[k].type, 0));
    for (int i = before; !passthrough && i < s->nc; i++)
        for (int k = 0; k < s->c[i].cls->nmethods; k++) PTS_TRY(walk_code_block(s, s->c[i].cls->methods[k]->graph->top, 0));
    PTS_TRY(assign_names(s));
    PTS_TRY(static_types(s));
    PtsPickleHooks hooks = { s, saved_name, saved_attr_type };
    PTS_TRY(pts_pickler_new(&hooks, err, pk_data));
    PTS_TRY(pts_pickle_dump(*pk_data, root, NULL, err));
    /* code: one file per qualifier, classes in the order they were met */
    PTS_TRY(pts_list_new(PTS_V_LIST, 4, err, consts));
    int version = PTS_ARCHIVE_PRODUCED_MIN;
    if (passthrough && opt->min_version > version) version = opt->min_version;
    if (version > PTS_ARCHIVE_MAX_VERSION) return pts_fail(err, PTS_ERR_VALUE, "bad archive version %d", version);
    int nfiles = 0;
    char **paths = pts_calloc((size_t)s->nc + 1, sizeof(char *));
    PtsBuf *texts = pts_calloc((size_t)s->nc + 1, sizeof(PtsBuf));
    PtsStatus st = paths && texts ? PTS_OK : snomem(s);
    if (passthrough) {
        if (opt->constants.tag != PTS_V_TUPLE) st = pts_fail(err, PTS_ERR_TYPE, "pass-through constants must be a tuple");
        for (int64_t i = 0; !st && i < pts_as_list(opt->constants)->len; i++)
            st = pts_list_append(*consts, pts_value_retain(pts_as_list(opt->constants)->items[i]), err);
    }
    for (int i = 0; !st && !passthrough && i < s->nc; i++) {
        const SClass *c = &s->c[i];
        const char *dot = strrchr(c->name, '.');
        PtsBuf path;
        pts_buf_init(&path);
        code_path(&path, c->name, (size_t)(dot - c->name));
        if (path.oom) { st = snomem(s); break; }
        int f = 0;
        while (f < nfiles && strcmp(paths[f], path.data) != 0) f++;
        if (f == nfiles) paths[nfiles++] = pts_buf_steal(&path);
        else pts_buf_free(&path);
        if (!paths[f]) { st = snomem(s); break; }
        if (texts[f].len) pts_buf_puts(&texts[f], "\n");
        st = class_code(s, c, i == 0 ? fn : NULL, &texts[f], *consts);
        for (int k = 0; !st && k < c->cls->nmethods; k++) {
            int v = block_version(c->cls->methods[k]->graph->top);
            if (v > version) version = v;
        }
    }
    if (!st && fn) {
        int v = block_version(fn->graph->top);
        if (v > version) version = v;
    }
    /* free functions the methods call, in the file of their qualifier */
    SFns fs = { NULL, 0, 0 };
    for (int i = 0; !st && !passthrough && i < s->nc; i++)
        for (int k = 0; !st && k < s->c[i].cls->nmethods; k++) st = collect_fns(s, s->c[i].cls->methods[k]->graph->top, &fs, 0);
    if (!st && !passthrough && fn) st = collect_fns(s, fn->graph->top, &fs, 0);
    if (!st && fs.n) {
        char **p2 = pts_realloc(paths, sizeof(char *) * (size_t)(s->nc + fs.n + 1));
        if (p2) paths = p2;
        PtsBuf *t2 = p2 ? pts_realloc(texts, sizeof(PtsBuf) * (size_t)(s->nc + fs.n + 1)) : NULL;
        if (t2) {
            texts = t2;
            for (int k = s->nc + 1; k < s->nc + fs.n + 1; k++) pts_buf_init(&texts[k]);
        }
        if (!p2 || !t2) st = snomem(s);
    }
    for (int i = 0; !st && i < fs.n; i++) {
        const char *qual = fs.a[i].qual, *dot = strrchr(qual, '.');
        PtsBuf path;
        pts_buf_init(&path);
        code_path(&path, qual, (size_t)(dot - qual));
        if (path.oom) { st = snomem(s); break; }
        int f = 0;
        while (f < nfiles && strcmp(paths[f], path.data) != 0) f++;
        if (f == nfiles) paths[nfiles++] = pts_buf_steal(&path);
        else pts_buf_free(&path);
        if (!paths[f]) { st = snomem(s); break; }
        if (texts[f].len) pts_buf_puts(&texts[f], "\n");
        st = function_code(s, &fs.a[i], &texts[f], *consts);
        int v = block_version(fs.a[i].f->graph->top);
        if (v > version) version = v;
    }
    pts_free(fs.a);
    /* constants.pkl: the tuple of everything printed as CONSTANTS.cN */
    PtsValue tuple = pts_none();
    if (!st) st = pts_list_new(PTS_V_TUPLE, pts_as_list(*consts)->len, err, &tuple);
    for (int64_t i = 0; !st && i < pts_as_list(*consts)->len; i++)
        st = pts_list_append(tuple, pts_value_retain(pts_as_list(*consts)->items[i]), err);
    if (!st) st = pts_pickler_new(&hooks, err, pk_const);
    if (!st) st = pts_pickle_dump(*pk_const, tuple, NULL, err);
    pts_value_release(&tuple);
    /* records in PyTorch's order */
    const PtsArchiveFile *extra = opt->extra;
    for (int i = 0; !st && i < opt->nextra; i++) {
        const char *en = extra[i].name;
        if (!en[0] || strlen(en) > PTS_ARCHIVE_MAX_NAME - 64) st = pts_fail(err, PTS_ERR_VALUE, "bad extra file name '%s'", en);
        PtsBuf nm;
        pts_buf_init(&nm);
        pts_buf_printf(&nm, "extra/%s", en);
        if (!st) st = nm.oom ? snomem(s) : add_record(w, folder, nm.data, extra[i].data, extra[i].len, false, err);
        pts_buf_free(&nm);
    }
    if (!st) st = add_storages(w, folder, "data/", *pk_data, err);
    if (!st) {
        const PtsBuf *pb = pts_pickler_bytes(*pk_data);
        st = add_record(w, folder, "data.pkl", pb->data, pb->len, false, err);
    }
    for (int f = 0; !st && f < nfiles; f++) {
        if (texts[f].oom) { st = snomem(s); break; }
        st = add_record(w, folder, paths[f], texts[f].data, texts[f].len, texts[f].len > 200, err);
    }
    for (int f = 0; !st && passthrough && f < opt->ncode; f++) {
        const PtsArchiveFile *c = &opt->code[f];
        size_t n = strlen(c->name);
        if (strncmp(c->name, "code/", 5) != 0 || n < 9 || strcmp(c->name + n - 3, ".py") != 0 || strstr(c->name, ".."))
            st = pts_fail(err, PTS_ERR_VALUE, "bad code file name '%s'", c->name);
        else st = add_record(w, folder, c->name, c->data, c->len, c->len > 200, err);
    }
    if (!st) st = add_storages(w, folder, "constants/", *pk_const, err);
    if (!st) {
        const PtsBuf *pb = pts_pickler_bytes(*pk_const);
        st = add_record(w, folder, "constants.pkl", pb->data, pb->len, false, err);
    }
    if (!st) {
        char vtext[16];
        int vn = snprintf(vtext, sizeof vtext, "%d\n", version);
        /* versions from 6 on live in .data/version, as PyTorch writes them */
        st = add_record(w, folder, version >= 6 ? ".data/version" : "version", vtext, (size_t)vn, false, err);
    }
    if (!st) st = add_record(w, folder, "byteorder", "little", 6, false, err);
    for (int f = 0; paths && f < nfiles; f++) pts_free(paths[f]);
    for (int f = 0; texts && f < nfiles; f++) pts_buf_free(&texts[f]);
    pts_free(paths);
    pts_free(texts);
    return st;
}

PtsStatus pts_archive_save(PtsValue root, const PtsSaveOptions *opt, PtsError *err, uint8_t **out, size_t *outlen) {
    *out = NULL;
    *outlen = 0;
    const char *folder = opt->folder ? opt->folder : "archive";
    PtsFunction *fn = opt->fn;
    if (!folder[0] || strlen(folder) > 255 || strpbrk(folder, "/\\"))
        return pts_fail(err, PTS_ERR_VALUE, "bad archive folder name '%s'", folder);
    PtsValue placeholder = pts_none();
    if (fn) {
        /* a function is saved as PyTorch saves one: the forward of a PlaceholderModule */
        PtsClassType *cls = pts_class_new("__torch__.PlaceholderModule", true);
        if (!cls || pts_class_add_attr(cls, "training", pts_type_get(PTS_TY_BOOL), PTS_ATTR_PLAIN) < 0) {
            pts_class_release(cls);
            return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        }
        PtsStatus s = pts_object_new(cls, err, &placeholder);
        pts_class_release(cls);
        if (s) return s;
        pts_as_object(placeholder)->slots[0] = pts_vbool(true);
        root = placeholder;
    }
    if (root.tag != PTS_V_OBJECT) return pts_fail(err, PTS_ERR_TYPE, "only modules (script objects) can be saved");
    Saver s = { 0 };
    s.err = err;
    PtsZipWriter w;
    pts_zipw_init(&w, opt->sink, opt->sink_ctx);
    PtsPickler *pd = NULL, *pc = NULL;
    PtsValue consts = pts_none();
    pts_type_set_class_namer(type_namer, &s);
    PtsSaveOptions o = *opt;
    o.folder = folder;
    PtsStatus st = save_impl(&s, root, &o, &w, &pd, &pc, &consts);
    pts_type_set_class_namer(NULL, NULL);
    if (!st) st = pts_zipw_finish(&w, err, out, outlen);
    pts_zipw_free(&w);
    pts_pickler_free(pd);
    pts_pickler_free(pc);
    pts_value_release(&consts);
    saver_free(&s);                     /* borrows the placeholder's class: free it first */
    pts_value_release(&placeholder);
    return st;
}

/* ================= loading ================= */
typedef struct LClass {
    PtsClassType *cls;      /* +1 while loading */
    bool has_setstate;
} LClass;

typedef struct LStorage {
    PtsStorage *st;         /* +1 */
    PtsDType dtype;
    int64_t numel;
} LStorage;

typedef struct LFile {
    bool indexed;
    PtsStrMap classes;      /* class name -> offset of its `class` line */
} LFile;

typedef struct Loader {
    const PtsZip *z;
    PtsMapping *map;        /* the file's mapping when loading from a path (borrowed), or NULL */
    char folder[260];       /* top folder with its trailing '/' */
    PtsError *err;
    PtsLoaded *out;
    PtsStrMap code_ix;      /* "code/..py" -> index in out->code */
    LFile *files;           /* parallel to out->code */
    LClass *cls;
    int ncls, capcls;
    PtsStrMap cls_by_name;
    PtsPtrMap cls_by_ptr;
    int nest;
    const char *dir;        /* "data/" or "constants/" */
    PtsStrMap st_by_key;
    LStorage *st;
    int nst, capst;
} Loader;

static PtsStatus lfail(Loader *L, const char *fmt, ...) PTS_PRINTF(2, 3);
static PtsStatus lfail(Loader *L, const char *fmt, ...) {
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pts_fail(L->err, PTS_ERR_FORMAT, "invalid archive: %s", msg);
}

static int find_record(Loader *L, const char *rel) {
    char name[PTS_ARCHIVE_MAX_NAME + 300];
    int k = snprintf(name, sizeof name, "%s%s", L->folder, rel);
    if (k < 0 || (size_t)k >= sizeof name) return -1;
    return pts_zip_find(L->z, name);
}

/* a whole record as owned bytes with a NUL after them */
static PtsStatus read_record(Loader *L, int i, uint8_t **data, size_t *n) {
    PTS_TRY(pts_zip_read(L->z, i, L->err, data));
    *n = (size_t)L->z->e[i].usize;
    return PTS_OK;
}

static void free_deleter(void *data, void *ctx) { (void)ctx; pts_free(data); }

static bool index_class(void *ctx, const char *name, size_t len, size_t off) {
    LFile *f = ctx;
    uint32_t dummy;
    if (pts_strmap_get(&f->classes, name, len, &dummy)) return true;  /* first definition wins */
    return pts_strmap_put(&f->classes, name, len, (uint32_t)off);
}

static PtsStatus resolve_class(void *ctx, const char *q, PtsError *err, PtsClassType **out);

static PtsStatus add_const(Loader *L, PtsClassType *cls, const char *name, PtsValue v) {
    char *nm = pts_strdup(name);
    char **names = nm ? pts_realloc(cls->const_names, sizeof(char *) * (size_t)(cls->nconsts + 1)) : NULL;
    if (names) cls->const_names = names;
    PtsValue *vals = names ? pts_realloc(cls->const_values, sizeof(PtsValue) * (size_t)(cls->nconsts + 1)) : NULL;
    if (vals) cls->const_values = vals;
    if (!vals) {
        pts_free(nm);
        pts_value_release(&v);
        return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    }
    cls->const_names[cls->nconsts] = nm;
    cls->const_values[cls->nconsts++] = v;
    return PTS_OK;
}

static bool in_list(char **names, int n, const char *s) {
    for (int i = 0; i < n; i++) if (strcmp(names[i], s) == 0) return true;
    return false;
}

/* parameters and buffers: Tensor, or None where the module registered None (MHA's unused
 * q_proj_weight is `NoneType`) */
static bool tensor_type(const PtsType *t) {
    /* NoneType: a parameter set to None (nn.Linear(bias=False) scripted declares `bias : NoneType`) */
    return t->kind == PTS_TY_TENSOR || t->kind == PTS_TY_NONE ||
           (t->kind == PTS_TY_OPTIONAL && t->elems[0]->kind == PTS_TY_TENSOR);
}

/* attributes and constants of a class from its header */
static PtsStatus fill_class(Loader *L, PtsClassType *cls, const PtsClassDef *d) {
    const char *q = cls->qualname;
    for (int i = 0; i < d->nattrs; i++) {
        const PtsClassDefAttr *a = &d->attrs[i];
        char name[256];
        if (a->name_len >= sizeof name || memchr(a->name, 0, a->name_len))
            return lfail(L, "attribute name too long in class '%s'", q);
        memcpy(name, a->name, a->name_len);
        name[a->name_len] = 0;
        if (pts_class_find_attr(cls, name) >= 0) return lfail(L, "class '%s' declares attribute '%s' twice", q, name);
        PtsType *t;
        PTS_TRY(pts_annot_parse(a->type, a->type_len, resolve_class, L, L->err, &t));
        if (a->value) {
            PtsValue v;
            PtsStatus s = pts_literal_parse(a->value, a->value_len, L->err, &v);
            if (!s && !pts_value_fits(v, t)) {
                pts_value_release(&v);
                s = lfail(L, "constant '%s' of class '%s' does not match its type", name, q);
            }
            pts_type_release(t);
            if (s) return s;
            PTS_TRY(add_const(L, cls, name, v));
            continue;
        }
        PtsAttrKind kind = PTS_ATTR_PLAIN;
        if (in_list(d->params, d->nparams, name)) kind = PTS_ATTR_PARAMETER;
        else if (in_list(d->buffers, d->nbuffers, name)) kind = PTS_ATTR_BUFFER;
        else if (t->kind == PTS_TY_CLASS && t->cls && t->cls->is_module) kind = PTS_ATTR_MODULE;
        if ((kind == PTS_ATTR_PARAMETER || kind == PTS_ATTR_BUFFER) && !tensor_type(t)) {
            pts_type_release(t);
            return lfail(L, "parameter or buffer '%s' of class '%s' is not a Tensor", name, q);
        }
        if (pts_class_add_attr(cls, name, t, kind) < 0) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < d->nparams; i++)
        if (pts_class_find_attr(cls, d->params[i]) < 0) return lfail(L, "parameter '%s' of class '%s' has no annotation", d->params[i], q);
    for (int i = 0; i < d->nbuffers; i++)
        if (pts_class_find_attr(cls, d->buffers[i]) < 0) return lfail(L, "buffer '%s' of class '%s' has no annotation", d->buffers[i], q);
    return PTS_OK;
}

/* the members of an enum from its `NAME = literal` lines */
static PtsStatus enum_class(Loader *L, PtsClassType *cls, const PtsClassDef *d) {
    PtsStatus s = pts_classdef_enum(cls, d, L->err);
    if (s && s != PTS_ERR_NOMEM) s = lfail(L, "enum '%s': %s", cls->qualname, L->err->msg);
    return s;
}

static PtsStatus resolve_class(void *ctx, const char *q, PtsError *err, PtsClassType **out) {
    Loader *L = ctx;
    (void)err;
    uint32_t ix;
    size_t qn = strlen(q);
    if (pts_strmap_get(&L->cls_by_name, q, qn, &ix)) { *out = L->cls[ix].cls; return PTS_OK; }
    if (!valid_qualname(q)) return lfail(L, "'%.200s' is not a valid class name", q);
    if (strncmp(q, "__torch__.torch.classes.", 24) == 0)
        return lfail(L, "TorchBind class '%.200s' is not supported by pyts", q);
    if (L->ncls >= MAX_CLASSES) return lfail(L, "more than %d classes", MAX_CLASSES);
    if (L->nest >= PTS_ARCHIVE_MAX_CLASS_NEST) return lfail(L, "class annotations nest deeper than %d", PTS_ARCHIVE_MAX_CLASS_NEST);
    const char *dot = strrchr(q, '.');
    PtsBuf path;
    pts_buf_init(&path);
    code_path(&path, q, (size_t)(dot - q));
    if (path.oom) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    uint32_t fi;
    bool have = pts_strmap_get(&L->code_ix, path.data, path.len, &fi);
    if (!have) {
        PtsStatus s = lfail(L, "class '%.200s' has no code file '%.200s'", q, path.data);
        pts_buf_free(&path);
        return s;
    }
    pts_buf_free(&path);
    const PtsArchiveFile *f = &L->out->code[fi];
    LFile *lf = &L->files[fi];
    if (!lf->indexed) {
        if (!pts_classdef_scan((const char *)f->data, f->len, index_class, lf)) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
        lf->indexed = true;
    }
    uint32_t off;
    if (!pts_strmap_get(&lf->classes, dot + 1, strlen(dot + 1), &off))
        return lfail(L, "no definition of class '%.200s' in '%.200s'", q, f->name);
    PtsClassDef d;
    PTS_TRY(pts_classdef_parse((const char *)f->data, f->len, off, dot + 1, L->err, &d));
    PtsStatus s = PTS_OK;
    if (d.kind == PTS_CLASSDEF_OTHER)
        s = lfail(L, "class '%.200s' is an enum or interface, which the pyts loader does not support yet", q);
    PtsClassType *cls = s ? NULL : pts_class_new(q, d.kind == PTS_CLASSDEF_MODULE || d.kind == PTS_CLASSDEF_MODULE_INTERFACE);
    if (!s && !cls) s = pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    if (cls) cls->is_namedtuple = d.kind == PTS_CLASSDEF_NAMEDTUPLE;
    /* an interface: its signatures are compiled with the methods (compile.c) */
    if (cls) cls->is_interface = d.kind == PTS_CLASSDEF_INTERFACE || d.kind == PTS_CLASSDEF_MODULE_INTERFACE;
    if (!s && L->ncls == L->capcls) {
        int cap = L->capcls ? L->capcls * 2 : 16;
        LClass *c = pts_realloc(L->cls, sizeof *c * (size_t)cap);
        if (!c) {
            pts_class_release(cls);
            s = pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
        } else {
            L->cls = c;
            L->capcls = cap;
        }
    }
    if (!s) {
        /* registered before its attributes so classes may name each other */
        L->cls[L->ncls] = (LClass){ cls, d.has_setstate };
        if (!pts_strmap_put(&L->cls_by_name, q, qn, (uint32_t)L->ncls) ||
            !pts_ptrmap_put(&L->cls_by_ptr, cls, (uint32_t)L->ncls)) {
            pts_class_release(cls);
            s = pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
        } else {
            L->ncls++;
            L->nest++;
            s = d.kind == PTS_CLASSDEF_ENUM ? enum_class(L, cls, &d) : fill_class(L, cls, &d);
            L->nest--;
        }
    }
    pts_classdef_free(&d);
    if (!s) *out = cls;
    return s;
}

static PtsStatus build_object(void *ctx, PtsClassType *cls, PtsValue state, PtsError *err, PtsValue *out) {
    Loader *L = ctx;
    (void)err;
    uint32_t ix;
    if (!pts_ptrmap_get(&L->cls_by_ptr, cls, &ix)) return lfail(L, "object of an unknown class");
    if (L->cls[ix].has_setstate)
        return lfail(L, "class '%s' restores its state with __setstate__, which needs compiled code; not supported yet", cls->qualname);
    if (state.tag != PTS_V_DICT) return lfail(L, "state of a '%s' object is not a dict", cls->qualname);
    PTS_TRY(pts_object_new(cls, L->err, out));
    PtsObject *o = pts_as_object(*out);
    for (int i = 0; i < cls->nattrs; i++) {
        const PtsClassAttr *a = &cls->attrs[i];
        PtsValue key;
        PtsStatus s = pts_str_new(a->name, strlen(a->name), L->err, &key);
        int64_t e = s ? -1 : pts_dict_find(state, key);
        pts_value_release(&key);
        if (!s && e < 0) s = lfail(L, "attribute '%s' of class '%s' is missing from the pickled object", a->name, cls->qualname);
        if (!s && !pts_value_fits(pts_as_dict(state)->vals[e], a->type)) {
            PtsBuf tb;
            pts_buf_init(&tb);
            pts_type_print(&tb, a->type, true);
            s = lfail(L, "attribute '%s' of class '%s' does not hold a %s", a->name, cls->qualname, tb.data ? tb.data : "?");
            pts_buf_free(&tb);
        }
        if (s) { pts_value_release(out); return s; }
        o->slots[i] = pts_value_retain(pts_as_dict(state)->vals[e]);
    }
    return PTS_OK;
}

static bool key_ok(const char *k) {
    size_t n = strlen(k);
    if (n == 0 || n > 64 || k[0] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

static PtsStatus load_storage(void *ctx, PtsDType dt, const char *key, int64_t numel, PtsError *err, PtsStorage **out) {
    Loader *L = ctx;
    (void)err;
    if (!key_ok(key)) return lfail(L, "bad storage key '%.64s'", key);
    uint32_t ix;
    if (pts_strmap_get(&L->st_by_key, key, strlen(key), &ix)) {
        if (L->st[ix].dtype != dt || L->st[ix].numel != numel)
            return lfail(L, "storage '%s%s' is declared twice with different types or sizes", L->dir, key);
        *out = pts_storage_retain(L->st[ix].st);
        return PTS_OK;
    }
    int64_t nbytes;
    if (!pts_mul_ok(numel, (int64_t)pts_dtype_size(dt), &nbytes)) return lfail(L, "storage size overflows");
    PtsStorage *st = NULL;
    if (numel == 0) {
        PTS_TRY(pts_storage_new(0, L->err, &st));
    } else {
        char rel[128];
        snprintf(rel, sizeof rel, "%s%s", L->dir, key);
        int i = find_record(L, rel);
        if (i < 0) return lfail(L, "storage record '%s' is missing", rel);
        const PtsZipEntry *e = &L->z->e[i];
        /* the record must hold exactly what the pickle declares: no allocation on a bare claim */
        if (e->usize != (uint64_t)nbytes)
            return lfail(L, "storage record '%s' holds %llu bytes but the pickle declares %lld elements of %s (%lld bytes)",
                         rel, (unsigned long long)e->usize, (long long)numel, pts_dtype_name(dt), (long long)nbytes);
        /* Stored tensor bytes are not CRC-checked (as PyTorch's reader, built with
         * MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS): no parser reads them, any bytes are valid
         * elements, and checking would touch every page of a file we map to avoid that. Records
         * that are parsed or inflated keep their CRC check (SECURITY.md). */
        const uint8_t *src = L->z->buf + e->data_off;
        if (e->method == 0 && L->map && (uintptr_t)src % pts_dtype_size(dt) == 0) {
            /* zero-copy: the storage points into the private mapping and keeps it alive */
            PTS_TRY(pts_storage_wrap((void *)src, (size_t)nbytes, pts_mapping_deleter,
                                     pts_mapping_retain(L->map), L->err, &st));
        } else if (e->method == 0) {
            /* stored: the bytes are in the file, so their size is justified */
            PTS_TRY(pts_storage_new((size_t)nbytes, L->err, &st));
            memcpy(st->data, src, (size_t)nbytes);
        } else {
            uint8_t *buf;
            PTS_TRY(pts_zip_read(L->z, i, L->err, &buf));
            PTS_TRY(pts_storage_wrap(buf, (size_t)nbytes, free_deleter, NULL, L->err, &st));
        }
    }
    if (L->nst == L->capst) {
        int cap = L->capst ? L->capst * 2 : 16;
        LStorage *a = pts_realloc(L->st, sizeof *a * (size_t)cap);
        if (!a) { pts_storage_release(st); return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory"); }
        L->st = a;
        L->capst = cap;
    }
    if (!pts_strmap_put(&L->st_by_key, key, strlen(key), (uint32_t)L->nst)) {
        pts_storage_release(st);
        return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    }
    L->st[L->nst++] = (LStorage){ st, dt, numel };
    *out = pts_storage_retain(st);
    return PTS_OK;
}

static void clear_storages(Loader *L) {
    for (int i = 0; i < L->nst; i++) pts_storage_release(L->st[i].st);
    L->nst = 0;
    pts_strmap_free(&L->st_by_key);
}

static PtsStatus run_pickle(Loader *L, const char *rel, const char *dir, PtsValue *out) {
    int i = find_record(L, rel);
    if (i < 0) return lfail(L, "record '%s' is missing", rel);
    uint8_t *data;
    size_t n;
    PTS_TRY(read_record(L, i, &data, &n));
    L->dir = dir;
    PtsUnpickleHooks h = { L, resolve_class, load_storage, build_object };
    PtsStatus s = pts_unpickle(data, n, &h, L->err, out);
    pts_free(data);
    clear_storages(L);
    if (s && L->err->code == PTS_ERR_FORMAT && !strstr(L->err->msg, rel)) {
        size_t k = strlen(L->err->msg);
        snprintf(L->err->msg + k, sizeof L->err->msg - k, " [in %s]", rel);
    }
    return s;
}

static bool push_file(PtsArchiveFile **arr, int *n, const char *name, uint8_t *data, size_t len) {
    PtsArchiveFile *a = pts_realloc(*arr, sizeof *a * (size_t)(*n + 1));
    if (!a) return false;
    *arr = a;
    char *nm = pts_strdup(name);
    if (!nm) return false;
    a[(*n)++] = (PtsArchiveFile){ nm, data, len };
    return true;
}

static PtsStatus read_version(Loader *L, int *version) {
    int i = find_record(L, ".data/version");
    if (i < 0) i = find_record(L, "version");
    if (i < 0) return lfail(L, "no 'version' record");
    if (L->z->e[i].usize > 32) return lfail(L, "'version' record too long");
    uint8_t *d;
    size_t n;
    PTS_TRY(read_record(L, i, &d, &n));
    size_t k = 0;
    while (k < n && (d[k] == ' ' || d[k] == '\n' || d[k] == '\r' || d[k] == '\t')) k++;
    long long v = 0;
    size_t digits = 0;
    while (k < n && d[k] >= '0' && d[k] <= '9' && digits < 12) { v = v * 10 + (d[k++] - '0'); digits++; }
    while (k < n && (d[k] == ' ' || d[k] == '\n' || d[k] == '\r' || d[k] == '\t')) k++;
    pts_free(d);
    if (!digits || k != n) return lfail(L, "'version' record is not a number");
    if (v < PTS_ARCHIVE_MIN_VERSION || v > PTS_ARCHIVE_MAX_VERSION)
        return lfail(L, "archive format version %lld is not supported (pyts reads %d to %d)", v,
                     PTS_ARCHIVE_MIN_VERSION, PTS_ARCHIVE_MAX_VERSION);
    *version = (int)v;
    return PTS_OK;
}

static PtsStatus load_impl(Loader *L) {
    const PtsZip *z = L->z;
    const char *first = z->e[0].name, *slash = strchr(first, '/');
    if (!slash || slash == first || (size_t)(slash - first) >= sizeof L->folder - 1)
        return lfail(L, "the first record '%.200s' is not inside a top folder", first);
    memcpy(L->folder, first, (size_t)(slash - first) + 1);
    L->folder[slash - first + 1] = 0;
    size_t fl = strlen(L->folder);
    if (find_record(L, "model.json") >= 0) return lfail(L, "pre-1.4 archives (model.json) are not supported");
    PTS_TRY(read_version(L, &L->out->version));
    int bo = find_record(L, "byteorder");
    if (bo >= 0) {
        uint8_t *d;
        size_t n;
        PTS_TRY(read_record(L, bo, &d, &n));
        bool little = n == 6 && memcmp(d, "little", 6) == 0;
        pts_free(d);
        if (!little) return lfail(L, "only little-endian archives are supported");
    }
    /* code sources and extra files */
    for (int i = 0; i < z->n; i++) {
        const char *nm = z->e[i].name;
        if (strncmp(nm, L->folder, fl) != 0) continue;
        const char *rel = nm + fl;
        bool code = strncmp(rel, "code/", 5) == 0 && strlen(rel) > 8 && strcmp(rel + strlen(rel) - 3, ".py") == 0;
        bool extra = strncmp(rel, "extra/", 6) == 0 && rel[6];
        if (!code && !extra) continue;
        uint8_t *d;
        size_t n;
        PTS_TRY(read_record(L, i, &d, &n));
        if (code && (memchr(d, 0, n) || !pts_utf8_valid(d, n))) {
            pts_free(d);
            return lfail(L, "code file '%s' is not UTF-8 text", rel);
        }
        bool ok = code ? push_file(&L->out->code, &L->out->ncode, rel, d, n)
                       : push_file(&L->out->extra, &L->out->nextra, rel + 6, d, n);
        if (!ok) { pts_free(d); return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory"); }
        if (code && !pts_strmap_put(&L->code_ix, rel, strlen(rel), (uint32_t)(L->out->ncode - 1)))
            return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    }
    L->files = pts_calloc((size_t)L->out->ncode + 1, sizeof *L->files);
    if (!L->files) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    /* constants first (data.pkl's code may refer to them), as PyTorch reads them */
    PTS_TRY(run_pickle(L, "constants.pkl", "constants/", &L->out->constants));
    if (L->out->constants.tag != PTS_V_TUPLE) return lfail(L, "constants.pkl does not hold a tuple");
    PTS_TRY(run_pickle(L, "data.pkl", "data/", &L->out->root));
    if (L->out->root.tag != PTS_V_OBJECT) return lfail(L, "data.pkl does not hold a module object");
    return PTS_OK;
}

static void loader_free(Loader *L) {
    /* classes only named in annotations (no object of them) live on in the archive's unit */
    for (int i = 0; i < L->ncls; i++) pts_class_release(L->cls[i].cls);
    pts_free(L->cls);
    pts_strmap_free(&L->cls_by_name);
    pts_ptrmap_free(&L->cls_by_ptr);
    pts_strmap_free(&L->code_ix);
    for (int i = 0; L->files && i < L->out->ncode; i++) pts_strmap_free(&L->files[i].classes);
    pts_free(L->files);
    clear_storages(L);
    pts_free(L->st);
}

void pts_loaded_free(PtsLoaded *l) {
    pts_value_release(&l->root);
    pts_value_release(&l->constants);
    for (int i = 0; i < l->ncode; i++) { pts_free(l->code[i].name); pts_free(l->code[i].data); }
    for (int i = 0; i < l->nextra; i++) { pts_free(l->extra[i].name); pts_free(l->extra[i].data); }
    pts_free(l->code);
    pts_free(l->extra);
    pts_unit_release(l->unit);   /* after the objects, which may hold it too */
    memset(l, 0, sizeof *l);
}

static PtsStatus load_any(const uint8_t *buf, size_t len, PtsMapping *map, PtsError *err, PtsLoaded *out) {
    memset(out, 0, sizeof *out);
    PtsZip z;
    PTS_TRY(pts_zip_open(buf, len, err, &z));
    Loader L = { 0 };
    L.z = &z;
    L.map = map;
    L.err = err;
    L.out = out;
    /* the archive's classes belong to one unit (its methods join it in pts_archive_compile) */
    PtsStatus s = (out->unit = pts_unit_new()) ? PTS_OK : pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsUnit *prev = pts_unit_enter(out->unit);
    if (!s) s = load_impl(&L);
    loader_free(&L);
    pts_unit_leave(prev);
    pts_zip_close(&z);
    if (s) pts_loaded_free(out);
    return s;
}

PtsStatus pts_archive_load(const uint8_t *buf, size_t len, PtsError *err, PtsLoaded *out) {
    return load_any(buf, len, NULL, err, out);
}

PtsStatus pts_archive_load_mapped(PtsMapping *m, PtsError *err, PtsLoaded *out) {
    return load_any(m->base, m->len, m, err, out);
}
