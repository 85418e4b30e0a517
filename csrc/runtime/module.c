/* module.c: the module half of libpyts. Loading reads the archive (serial), compiles its methods
 * (serial/compile.c, the same path pyts.jit.load takes), lowers every compiled method for the
 * interpreter, and builds a tree of module handles with per-class method tables (signatures,
 * sources, compile errors). Calls check their arguments against the compiled signature before
 * the interpreter runs, so a wrong argument is an error and never reaches a kernel. */
#include <errno.h>
#include <stdio.h>

#include "runtime.h"

/* {==================== method tables ==================== */
static char *type_str(const PtsType *t) {
    PtsBuf b;
    pts_buf_init(&b);
    pts_type_print(&b, t, true);
    return pts_buf_steal(&b);
}

static void method_free(PtsRtMethod *m) {
    pts_free(m->name);
    pts_function_release(m->fn);
    pts_free(m->error);
    pts_free(m->code);
    pts_free(m->signature);
    for (int k = 0; k < m->nargs; k++) {
        if (m->arg_names) pts_free(m->arg_names[k]);
        if (m->arg_types) pts_free(m->arg_types[k]);
    }
    pts_free(m->arg_names);
    pts_free(m->arg_types);
    pts_free(m->ret_type);
}

/* names, types and the signature line of a compiled method; false on out-of-memory */
static bool describe(PtsRtMethod *m) {
    const PtsBlock *top = m->fn->graph->top;
    int n = top->ninputs - 1;
    if (n < 0 || top->noutputs < 1) return false;
    m->arg_names = pts_calloc((size_t)n + 1, sizeof(char *));
    m->arg_types = pts_calloc((size_t)n + 1, sizeof(char *));
    if (!m->arg_names || !m->arg_types) return false;
    m->nargs = n;
    PtsBuf sig;
    pts_buf_init(&sig);
    pts_buf_printf(&sig, "%s(", m->name);
    for (int k = 0; k < n; k++) {
        const PtsIrValue *p = top->inputs[k + 1];
        const char *nm = m->fn->arg_names && m->fn->nargs == top->ninputs ? m->fn->arg_names[k + 1] : p->name;
        char fallback[32];
        if (!nm) { snprintf(fallback, sizeof fallback, "arg%d", k); nm = fallback; }
        m->arg_names[k] = pts_strdup(nm);
        m->arg_types[k] = type_str(p->type);
        if (!m->arg_names[k] || !m->arg_types[k]) { pts_buf_free(&sig); return false; }
        pts_buf_printf(&sig, "%s%s: %s", k ? ", " : "", m->arg_names[k], m->arg_types[k]);
    }
    /* a method returning several values returns one tuple */
    if (top->noutputs == 1) m->ret_type = type_str(top->outputs[0]->type);
    else {
        PtsBuf r;
        pts_buf_init(&r);
        pts_buf_puts(&r, "Tuple[");
        for (int k = 0; k < top->noutputs; k++) {
            if (k) pts_buf_puts(&r, ", ");
            pts_type_print(&r, top->outputs[k]->type, true);
        }
        pts_buf_puts(&r, "]");
        m->ret_type = pts_buf_steal(&r);
    }
    if (!m->ret_type) { pts_buf_free(&sig); return false; }
    pts_buf_printf(&sig, ") -> %s", m->ret_type);
    m->signature = pts_buf_steal(&sig);
    return m->signature != NULL;
}

static PtsStatus nomem(PtsError *e) { return pts_fail(e, PTS_ERR_NOMEM, "out of memory"); }

/* the method table of one class: every def the archive has for it, then compiled methods the
 * archive code does not show (none today; kept so nothing compiled is hidden) */
static PtsStatus class_info(const PtsLoaded *l, const PtsCompileReport *rep, PtsClassType *cls, PtsRtClass *out,
                            PtsError *e) {
    out->cls = cls;
    out->nmethods = 0;
    out->methods = NULL;
    char **names = NULL;
    int nnames = 0;
    if (!pts_archive_method_names(l, cls->qualname, &names, &nnames)) return nomem(e);
    int cap = nnames + cls->nmethods;
    out->methods = pts_calloc((size_t)cap + 1, sizeof *out->methods);
    if (!out->methods) {
        for (int i = 0; i < nnames; i++) pts_free(names[i]);
        pts_free(names);
        return nomem(e);
    }
    PtsStatus s = PTS_OK;
    for (int i = 0; i < cap; i++) {
        const char *name;
        if (i < nnames) name = names[i];
        else {
            name = cls->methods[i - nnames]->name;
            bool listed = false;
            for (int k = 0; k < nnames && !listed; k++) listed = strcmp(names[k], name) == 0;
            if (listed) continue;
        }
        bool dup = false;
        for (int k = 0; k < out->nmethods && !dup; k++) dup = strcmp(out->methods[k].name, name) == 0;
        if (dup) continue;   /* a second def of one name: the first counts, as the compiler has it */
        PtsRtMethod *m = &out->methods[out->nmethods++];
        if (!(m->name = pts_strdup(name))) { s = nomem(e); break; }
        bool found;
        int line;
        const char *file;
        m->code = pts_archive_method_source(l, cls->qualname, name, &found, &line, &file);
        if (found && !m->code) { s = nomem(e); break; }
        PtsFunction *f = pts_class_find_method(cls, name);
        const PtsCompileIssue *is = pts_compile_report_find(rep, cls->qualname, name);
        if (f) {
            PtsError pe = { 0 };
            if (pts_interp_prepare(f, &pe)) {
                if (pe.code == PTS_ERR_NOMEM) { s = nomem(e); break; }
                char buf[PTS_ERR_MSG_MAX + 64];
                snprintf(buf, sizeof buf, "the interpreter cannot run it: %s", pe.msg);
                m->error = pts_strdup(buf);
            } else {
                m->fn = pts_function_retain(f);
                if (!describe(m)) { s = nomem(e); break; }
            }
        } else m->error = pts_strdup(is ? is->err.msg : "it did not compile");
        if (!m->fn && !m->error) { s = nomem(e); break; }
    }
    for (int i = 0; i < nnames; i++) pts_free(names[i]);
    pts_free(names);
    return s;
}

static void tree_free(PtsRtTree *t) {
    if (!t) return;
    for (int i = 0; i < t->nclasses; i++) {
        for (int k = 0; k < t->classes[i]->nmethods; k++) method_free(&t->classes[i]->methods[k]);
        pts_free(t->classes[i]->methods);
        pts_free(t->classes[i]);
    }
    pts_free(t->classes);
    pts_free(t->first_issue);
    pts_free(t->first_issue_method);
    pts_free(t->first_issue_class);
    pts_free(t);
}

/* the table entry of cls, made on first use (entries are separately allocated: handles keep
 * pointers to them while the table grows) */
static PtsStatus class_of(PtsRtTree *t, const PtsLoaded *l, const PtsCompileReport *rep, PtsClassType *cls,
                          PtsError *e, PtsRtClass **out) {
    for (int i = 0; i < t->nclasses; i++)
        if (t->classes[i]->cls == cls) { *out = t->classes[i]; return PTS_OK; }
    if (t->nclasses == t->capclasses) {
        int cap = t->capclasses ? t->capclasses * 2 : 16;
        PtsRtClass **c2 = pts_realloc(t->classes, sizeof *c2 * (size_t)cap);
        if (!c2) return nomem(e);
        t->classes = c2;
        t->capclasses = cap;
    }
    PtsRtClass *c = pts_calloc(1, sizeof *c);
    if (!c) return nomem(e);
    t->classes[t->nclasses++] = c;   /* owned by the table even if filling it fails */
    PTS_TRY(class_info(l, rep, cls, c, e));
    *out = c;
    return PTS_OK;
}
/* }==================== */

/* {==================== module tree ==================== */
static void node_free(pyts_module *m) {
    if (!m) return;
    for (int i = 0; i < m->nchildren; i++) {
        node_free(m->children[i]);
        pts_free(m->child_names[i]);
    }
    pts_free(m->children);
    pts_free(m->child_names);
    pts_value_release(&m->obj);
    pts_free(m);
}

static PtsStatus build(pyts_module *root, PtsValue obj, const PtsLoaded *l, const PtsCompileReport *rep, int depth,
                       PtsError *e, pyts_module **out) {
    *out = NULL;
    if (depth > PTS_ARCHIVE_MAX_OBJECT_DEPTH) return pts_fail(e, PTS_ERR_FORMAT, "invalid archive: submodules nest too deeply");
    if (++root->tree->nnodes > PTS_RT_MAX_MODULES)
        return pts_fail(e, PTS_ERR_FORMAT, "invalid archive: more than %d module objects (counting shared ones per use)",
                        PTS_RT_MAX_MODULES);
    pyts_module *m = root;
    if (depth > 0) {
        m = pts_calloc(1, sizeof *m);
        if (!m) return nomem(e);
        m->tree = root->tree;
        m->root = root;
        m->obj = pts_value_retain(obj);
    }
    PtsObject *o = pts_as_object(obj);
    PtsStatus s = class_of(root->tree, l, rep, o->cls, e, &m->info);
    int nsub = 0;
    for (int i = 0; !s && i < o->cls->nattrs; i++)
        if (o->cls->attrs[i].kind == PTS_ATTR_MODULE && o->slots[i].tag == PTS_V_OBJECT) nsub++;
    if (!s && nsub) {
        m->children = pts_calloc((size_t)nsub, sizeof *m->children);
        m->child_names = pts_calloc((size_t)nsub, sizeof *m->child_names);
        if (!m->children || !m->child_names) s = nomem(e);
    }
    for (int i = 0; !s && i < o->cls->nattrs; i++) {
        if (o->cls->attrs[i].kind != PTS_ATTR_MODULE || o->slots[i].tag != PTS_V_OBJECT) continue;
        pyts_module *c;
        s = build(root, o->slots[i], l, rep, depth + 1, e, &c);
        if (s) break;
        m->children[m->nchildren] = c;
        if (!(m->child_names[m->nchildren++] = pts_strdup(o->cls->attrs[i].name))) s = nomem(e);
    }
    if (s) {
        if (depth > 0) node_free(m);
        return s;
    }
    *out = m;
    return PTS_OK;
}

/* from bytes, or from a mapped file (map set: tensors point into the mapping, zero-copy) */
static pyts_module *load_bytes(const uint8_t *data, size_t size, PtsMapping *map) {
    if (!pts_rt_init()) return NULL;
    PtsError e = { 0 };
    PtsLoaded l;
    PtsCompileReport rep = { 0 };
    if (map ? pts_archive_load_mapped(map, &e, &l) : pts_archive_load(data, size, &e, &l)) {
        pts_rt_set(&e);
        return NULL;
    }
    pyts_module *m = NULL;
    PtsStatus s = pts_archive_compile(&l, &e, &rep);
    if (!s) {
        m = pts_calloc(1, sizeof *m);
        PtsRtTree *t = pts_calloc(1, sizeof *t);
        if (!m || !t) {
            pts_free(m);
            pts_free(t);
            m = NULL;
            s = nomem(&e);
        } else {
            m->tree = t;
            m->root = m;
            m->obj = pts_value_retain(l.root);
            if (rep.nissues) {
                t->first_issue = pts_strdup(rep.issues[0].err.msg);
                t->first_issue_method = pts_strdup(rep.issues[0].method);
                t->first_issue_class = pts_strdup(rep.issues[0].qualname);
            }
            pyts_module *r;
            s = build(m, l.root, &l, &rep, 0, &e, &r);
            if (s) { pyts_module_free(m); m = NULL; }
        }
    }
    pts_compile_report_free(&rep);
    pts_loaded_free(&l);
    if (s) pts_rt_set(&e);
    return m;
}

pyts_module *pyts_module_load_buffer(const void *data, size_t size) {
    if (!data && size) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_module_load_buffer: data is NULL"); return NULL; }
    return load_bytes(data, size, NULL);
}

pyts_module *pyts_module_load(const char *path) {
    if (!path) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_module_load: path is NULL"); return NULL; }
    if (!pts_rt_init()) return NULL;
    /* mapped privately (csrc/serial/mapfile.c; pipes and special files are read instead): the
     * module's tensors point into the mapping, which lives while any of them does */
    PtsMapping *map;
    PtsError e = { 0 };
    if (pts_mapping_open(path, PTS_RT_MAX_FILE, &e, &map)) {
        pts_rt_fail(e.code == PTS_ERR_NOMEM ? PYTS_ERR_NOMEM : PYTS_ERR_IO, "%s", e.msg);
        return NULL;
    }
    pyts_module *m = load_bytes(NULL, 0, map);
    pts_mapping_release(map);
    return m;
}

void pyts_module_free(pyts_module *m) {
    if (!m || m->root != m) return;
    PtsRtTree *t = m->tree;
    node_free(m);
    tree_free(t);
}
/* }==================== */

/* {==================== getters ==================== */
static bool mcheck(const pyts_module *m, const char *fn) {
    if (m) return true;
    pts_rt_fail(PYTS_ERR_ARGUMENT, "%s: the module is NULL", fn);
    return false;
}

static const PtsRtMethod *method_at(const pyts_module *m, int i, const char *fn) {
    if (!mcheck(m, fn)) return NULL;
    if (i < 0 || i >= m->info->nmethods) {
        pts_rt_fail(PYTS_ERR_INDEX, "%s: method index %d is out of range (%d methods)", fn, i, m->info->nmethods);
        return NULL;
    }
    return &m->info->methods[i];
}

static const PtsRtMethod *compiled_at(const pyts_module *m, int i, const char *fn) {
    const PtsRtMethod *x = method_at(m, i, fn);
    if (x && !x->fn) {
        const PtsRtTree *t = m->tree;
        /* a method failing on a callee that did not compile: name the callee's own reason */
        bool other = t->first_issue && t->first_issue_method && t->first_issue_class &&
                     (strcmp(t->first_issue_method, x->name) || strcmp(t->first_issue_class, m->info->cls->qualname));
        pts_rt_fail(PYTS_ERR_COMPILE, "method '%s' of %s did not compile:\n%s%s%s%s%s%s%s", x->name, m->info->cls->qualname,
                    x->error, other ? "\nThe first method of the archive that did not compile is '" : "",
                    other ? t->first_issue_method : "", other ? "' of " : "", other ? t->first_issue_class : "",
                    other ? ":\n" : "", other ? t->first_issue : "");
        return NULL;
    }
    return x;
}

const char *pyts_module_class_name(const pyts_module *m) {
    return mcheck(m, "pyts_module_class_name") ? m->info->cls->qualname : NULL;
}
int pyts_module_num_children(const pyts_module *m) { return mcheck(m, "pyts_module_num_children") ? m->nchildren : -1; }

const char *pyts_module_child_name(const pyts_module *m, int i) {
    if (!mcheck(m, "pyts_module_child_name")) return NULL;
    if (i < 0 || i >= m->nchildren) { pts_rt_fail(PYTS_ERR_INDEX, "pyts_module_child_name: child %d of %d", i, m->nchildren); return NULL; }
    return m->child_names[i];
}

pyts_module *pyts_module_child(const pyts_module *m, int i) {
    if (!mcheck(m, "pyts_module_child")) return NULL;
    if (i < 0 || i >= m->nchildren) { pts_rt_fail(PYTS_ERR_INDEX, "pyts_module_child: child %d of %d", i, m->nchildren); return NULL; }
    return m->children[i];
}

pyts_value *pyts_module_attr(const pyts_module *m, const char *name) {
    if (!mcheck(m, "pyts_module_attr")) return NULL;
    if (!name) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_module_attr: name is NULL"); return NULL; }
    const PtsObject *o = pts_as_object(m->obj);
    int slot = pts_class_find_attr(o->cls, name);
    if (slot >= 0 && slot < o->nslots) return pts_rt_value(pts_value_retain(o->slots[slot]));
    for (int i = 0; i < o->cls->nconsts; i++)
        if (strcmp(o->cls->const_names[i], name) == 0) return pts_rt_value(pts_value_retain(o->cls->const_values[i]));
    pts_rt_fail(PYTS_ERR_VALUE, "module %s has no attribute '%s'", o->cls->qualname, name);
    return NULL;
}

int pyts_module_num_methods(const pyts_module *m) { return mcheck(m, "pyts_module_num_methods") ? m->info->nmethods : -1; }

int pyts_module_find_method(const pyts_module *m, const char *name) {
    if (!mcheck(m, "pyts_module_find_method")) return -1;
    for (int i = 0; name && i < m->info->nmethods; i++)
        if (strcmp(m->info->methods[i].name, name) == 0) return i;
    pts_rt_fail(PYTS_ERR_VALUE, "module %s has no method '%s'", m->info->cls->qualname, name ? name : "(null)");
    return -1;
}

const char *pyts_module_method_name(const pyts_module *m, int i) {
    const PtsRtMethod *x = method_at(m, i, "pyts_module_method_name");
    return x ? x->name : NULL;
}
const char *pyts_module_method_error(const pyts_module *m, int i) {
    const PtsRtMethod *x = method_at(m, i, "pyts_module_method_error");
    return x ? x->error : NULL;
}
const char *pyts_module_method_code(const pyts_module *m, int i) {
    const PtsRtMethod *x = method_at(m, i, "pyts_module_method_code");
    return x ? x->code : NULL;
}
const char *pyts_module_method_signature(const pyts_module *m, int i) {
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_method_signature");
    return x ? x->signature : NULL;
}
int pyts_module_method_num_args(const pyts_module *m, int i) {
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_method_num_args");
    return x ? x->nargs : -1;
}
static bool arg_ok(const PtsRtMethod *x, int k, const char *fn) {
    if (k >= 0 && k < x->nargs) return true;
    pts_rt_fail(PYTS_ERR_INDEX, "%s: argument %d of %s, which takes %d", fn, k, x->name, x->nargs);
    return false;
}
const char *pyts_module_method_arg_name(const pyts_module *m, int i, int k) {
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_method_arg_name");
    return x && arg_ok(x, k, "pyts_module_method_arg_name") ? x->arg_names[k] : NULL;
}
const char *pyts_module_method_arg_type(const pyts_module *m, int i, int k) {
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_method_arg_type");
    return x && arg_ok(x, k, "pyts_module_method_arg_type") ? x->arg_types[k] : NULL;
}
const char *pyts_module_method_return_type(const pyts_module *m, int i) {
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_method_return_type");
    return x ? x->ret_type : NULL;
}
/* }==================== */

/* {==================== calls ==================== */
#define MAX_CALL_ARGS 64

pyts_value *pyts_module_call(pyts_module *m, const char *method, pyts_value *const *args, int nargs) {
    if (!mcheck(m, "pyts_module_call")) return NULL;
    if (!method) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_module_call: method is NULL"); return NULL; }
    if (nargs < 0 || (nargs > 0 && !args)) { pts_rt_fail(PYTS_ERR_ARGUMENT, "pyts_module_call: bad argument count %d or NULL args", nargs); return NULL; }
    int i = -1;
    for (int k = 0; k < m->info->nmethods && i < 0; k++)
        if (strcmp(m->info->methods[k].name, method) == 0) i = k;
    if (i < 0) {
        pts_rt_fail(PYTS_ERR_VALUE, "module %s has no method '%s'", m->info->cls->qualname, method);
        return NULL;
    }
    const PtsRtMethod *x = compiled_at(m, i, "pyts_module_call");
    if (!x) return NULL;
    PtsFunction *f = x->fn;
    const PtsBlock *top = f->graph->top;
    if (nargs > x->nargs || x->nargs + 1 > MAX_CALL_ARGS) {
        pts_rt_fail(PYTS_ERR_ARGUMENT, "%s() takes %d arguments but %d were given", x->name, x->nargs, nargs);
        return NULL;
    }
    PtsValue vals[MAX_CALL_ARGS];
    int nv = 0;
    vals[nv++] = pts_value_retain(m->obj);
    pyts_value *result = NULL;
    for (int k = 0; k < x->nargs; k++) {
        PtsValue v;
        if (k < nargs) {
            if (!args[k]) { pts_rt_fail(PYTS_ERR_ARGUMENT, "%s(): argument %d is NULL", x->name, k); goto done; }
            v = pts_value_retain(args[k]->v);
        } else if (f->has_default && f->nargs == top->ninputs && f->has_default[k + 1]) {
            v = pts_value_retain(f->defaults[k + 1]);
        } else {
            pts_rt_fail(PYTS_ERR_ARGUMENT, "%s() is missing a value for argument '%s'", x->name, x->arg_names[k]);
            goto done;
        }
        const PtsType *want = top->inputs[k + 1]->type;
        if (want->kind == PTS_TY_FLOAT && v.tag == PTS_V_INT) v = pts_vdouble((double)v.u.i);
        vals[nv++] = v;
    }
    {
        PtsError e = { 0 };
        if (pts_check_call_args(f, vals + 1, nv - 1, &e)) { pts_rt_set(&e); goto done; }
    }
    {
        int nret = pts_function_nret(f);
        PtsValue outs[8];
        PtsError e = { 0 };
        if (nret > 8) { pts_rt_fail(PYTS_ERR_NOTIMPL, "%s() returns more than 8 values", x->name); goto done; }
        if (pts_interp_run(f, vals, nv, outs, &e)) { pts_rt_set(&e); goto done; }
        if (nret == 1) { result = pts_rt_value(outs[0]); goto done; }
        PtsValue t;
        if (pts_list_new(PTS_V_TUPLE, nret, &e, &t)) {
            for (int k = 0; k < nret; k++) pts_value_release(&outs[k]);
            pts_rt_set(&e);
            goto done;
        }
        for (int k = 0; k < nret; k++)
            if (pts_list_append(t, outs[k], &e)) {
                for (int j = k + 1; j < nret; j++) pts_value_release(&outs[j]);
                pts_value_release(&t);
                pts_rt_set(&e);
                goto done;
            }
        result = pts_rt_value(t);
    }
done:
    for (int k = 0; k < nv; k++) pts_value_release(&vals[k]);
    return result;
}

pyts_value *pyts_module_forward(pyts_module *m, pyts_value *const *args, int nargs) {
    return pyts_module_call(m, "forward", args, nargs);
}
/* }==================== */
