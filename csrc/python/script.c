/* script.c: pyts._C bindings of the script compiler (csrc/frontend): _parse (an AST dump, for
 * tests), _compile_method / _compile_function, the resolver bridge that answers the compiler's
 * name questions from a Python callable, and _call_op to run any registry row (hidden builtin rows
 * included) from tests. */
#include "pyts_python.h"
#include <stdio.h>

#include "../frontend/frontend.h"
#include "../interp/interp.h"
#include "../serial/serial.h"

typedef struct Bridge Bridge;
static PyObject *compile_error(Bridge *b, const PtsError *err);

/* _C._parse(source, filename="<string>", line_offset=0) -> str */
static PyObject *m_parse(PyObject *self, PyObject *args) {
    (void)self;
    const char *text, *file = "<string>";
    Py_ssize_t len;
    int line_offset = 0;
    if (!PyArg_ParseTuple(args, "s#|si", &text, &len, &file, &line_offset)) return NULL;
    PtsSource src = { text, (size_t)len, file, line_offset };
    PtsArena a;
    pts_arena_init(&a);
    PtsError err = { 0 };
    struct PtsAst *ast = NULL;
    PtsStatus s;
    Py_BEGIN_ALLOW_THREADS
    s = pts_parse(&src, &a, &err, &ast);
    Py_END_ALLOW_THREADS
    if (s) {
        pts_arena_free(&a);
        return compile_error(NULL, &err);
    }
    char *d = pts_ast_dump(ast);
    pts_arena_free(&a);
    if (!d) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(d);
    pts_free(d);
    return r;
}

/* ---- resolver bridge ----
 * The compiler asks a Python callable resolver(kind, name):
 *   resolver("global", "torch")  -> ("namespace", "torch") | ("builtin", "range") | ("value", 3)
 *                                   | ("op", "gelu") (a registry function bound to another name)
 *                                   | ("other", "type name") | None (undefined)
 *   resolver("method", "helper") -> (source, filename, line_offset) | None
 * A Python exception raised by the resolver is kept and re-raised after compilation stops. */
struct Bridge {
    PyObject *fn;             /* borrowed resolver callable */
    PyObject *exc_type, *exc_value, *exc_tb;   /* first exception raised by it */
};

static PtsStatus bridge_failed(Bridge *b, PtsError *err, const char *name) {
    if (!b->exc_type) PyErr_Fetch(&b->exc_type, &b->exc_value, &b->exc_tb);
    else PyErr_Clear();
    return pts_fail(err, PTS_ERR_COMPILE, "resolving '%s' raised a Python exception", name);
}

static PtsStatus bridge_global(void *ctx, const char *name, PtsResolved *out, PtsError *err) {
    Bridge *b = ctx;
    out->kind = PTS_RES_UNKNOWN;
    out->value = pts_none();
    PyObject *r = PyObject_CallFunction(b->fn, "ss", "global", name);
    if (!r) return bridge_failed(b, err, name);
    PtsStatus st = PTS_OK;
    const char *kind, *text;
    PyObject *val;
    if (r == Py_None) goto done;
    if (!PyArg_ParseTuple(r, "sO", &kind, &val)) { st = bridge_failed(b, err, name); goto done; }
    if (strcmp(kind, "function") == 0 || strcmp(kind, "python") == 0) {
        /* ("function", (compiled Function, "__torch__.mod.fn")): the resolver keeps it alive */
        PyObject *fo;
        const char *qual;
        if (!PyArg_ParseTuple(val, "Os", &fo, &qual) || !(out->fn = pyts_function_of(fo))) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "resolver: expected a compiled function");
            st = bridge_failed(b, err, name);
            goto done;
        }
        /* ("python", (signature Function, "^<pyid>:<name>")): calls become prim::PythonOp */
        if ((kind[0] == 'p') != (qual[0] == '^')) {
            PyErr_SetString(PyExc_TypeError, "resolver: malformed Python function reference");
            st = bridge_failed(b, err, name);
            goto done;
        }
        snprintf(out->ns, sizeof out->ns, "%s", qual);
        out->kind = PTS_RES_FUNCTION;
        goto done;
    }
    if (strcmp(kind, "class") == 0) {
        /* ("class", prototype ScriptObject): a script class or NamedTuple (_C._class_fields) */
        PtsObject *o = pyts_script_object(val);
        if (!o) {
            PyErr_SetString(PyExc_TypeError, "resolver: expected the ScriptObject of a class");
            st = bridge_failed(b, err, name);
            goto done;
        }
        if (!(out->type = pts_type_of_class(o->cls))) { st = pts_fail(err, PTS_ERR_NOMEM, "out of memory"); goto done; }
        out->kind = PTS_RES_CLASS;
        goto done;
    }
    if (strcmp(kind, "value") == 0) {
        if (pyts_py_to_ivalue(val, &out->value) < 0) { st = bridge_failed(b, err, name); goto done; }
        out->kind = PTS_RES_VALUE;
        goto done;
    }
    if (!(text = PyUnicode_AsUTF8(val))) { st = bridge_failed(b, err, name); goto done; }
    snprintf(out->ns, sizeof out->ns, "%s", text);
    if (strcmp(kind, "namespace") == 0) out->kind = PTS_RES_NAMESPACE;
    else if (strcmp(kind, "builtin") == 0) out->kind = PTS_RES_BUILTIN;
    else if (strcmp(kind, "op") == 0) out->kind = PTS_RES_OP;
    else out->kind = PTS_RES_OTHER;
done:
    Py_DECREF(r);
    return st;
}

static char *dup_n(const char *s, size_t n) {
    char *d = pts_malloc(n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}

static PtsStatus bridge_method(void *ctx, const char *name, PtsOwnedSource *out, PtsError *err) {
    Bridge *b = ctx;
    memset(out, 0, sizeof *out);
    PyObject *r = PyObject_CallFunction(b->fn, "ss", "method", name);
    if (!r) return bridge_failed(b, err, name);
    PtsStatus st = PTS_OK;
    if (r != Py_None) {
        const char *text, *file;
        Py_ssize_t len;
        int line;
        if (!PyArg_ParseTuple(r, "s#si", &text, &len, &file, &line)) st = bridge_failed(b, err, name);
        else {
            out->text = dup_n(text, (size_t)len);
            out->file = dup_n(file, strlen(file));
            out->len = (size_t)len;
            out->line_offset = line;
            if (!out->text || !out->file) {
                pts_free(out->text);
                pts_free(out->file);
                memset(out, 0, sizeof *out);
                st = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
            }
        }
    }
    Py_DECREF(r);
    return st;
}

/* raise the compiler's error (or the resolver's Python exception); CompileError gets the
 * position as attributes lineno/column */
static PyObject *compile_error(Bridge *b, const PtsError *err) {
    if (b && b->exc_type) {
        PyErr_Restore(b->exc_type, b->exc_value, b->exc_tb);
        return NULL;
    }
    pyts_raise(err);
    if (err->code == PTS_ERR_SYNTAX || err->code == PTS_ERR_COMPILE) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v) {
            PyObject *l = PyLong_FromLong(err->range.line), *c = PyLong_FromLong(err->range.col);
            if (l && c) {
                PyObject_SetAttrString(v, "lineno", l);
                PyObject_SetAttrString(v, "column", c);
            }
            Py_XDECREF(l);
            Py_XDECREF(c);
            PyErr_Clear();
        }
        PyErr_Restore(t, v, tb);
    }
    return NULL;
}

/* ---- compilation units ----
 * What a compile started from Python makes joins a unit (see ir.h): the unit compiling now when
 * the resolver started this compile from inside another one (a method naming a class or function
 * not compiled yet: they join its unit, so code naming one another shares one owner), else the
 * unit of the class compiled into, else a new one (a free function compiled on its own, the
 * methods of a module class, which belongs to no unit). */
typedef struct { PtsUnit *prev, *fresh; } UnitScope;

static bool unit_begin(UnitScope *us, const PtsClassType *cls) {
    us->fresh = NULL;
    PtsUnit *u = cls && cls->unit ? cls->unit : pts_unit_current();
    if (!u && !(u = us->fresh = pts_unit_new())) { PyErr_NoMemory(); return false; }
    us->prev = pts_unit_enter(u);
    return true;
}

/* the unit stays alive through what holds the functions and classes made in it */
static void unit_end(UnitScope *us) {
    pts_unit_leave(us->prev);
    pts_unit_release(us->fresh);
}

/* _C._compile_method(obj, source, filename, line_offset, resolver) -> method name */
static PyObject *m_compile_method(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *obj, *resolver;
    const char *text, *file;
    Py_ssize_t len;
    int line_offset;
    const char *def_name = NULL;
    if (!PyArg_ParseTuple(args, "Os#siO|z", &obj, &text, &len, &file, &line_offset, &resolver, &def_name)) return NULL;
    PtsObject *o = pyts_script_object(obj);
    if (!o) return PyErr_Format(PyExc_TypeError, "_compile_method expects a ScriptObject");
    Bridge b = { resolver, NULL, NULL, NULL };
    PtsResolver r = { &b, bridge_global, bridge_method, false };
    PtsSource src = { text, (size_t)len, file, line_offset };
    PtsError err = { 0 };
    PtsFunction *f;
    UnitScope us;
    if (!unit_begin(&us, o->cls)) return NULL;
    PtsStatus st = pts_compile_method_named(o->cls, &src, def_name, &r, &err, &f);
    unit_end(&us);
    if (st) return compile_error(&b, &err);
    PyObject *name = PyUnicode_FromString(f->name);
    pts_function_release(f);
    return name;
}

/* _C._compile_function(source, filename, line_offset, resolver) -> Function */
static PyObject *m_compile_function(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *resolver;
    const char *text, *file;
    Py_ssize_t len;
    int line_offset;
    if (!PyArg_ParseTuple(args, "s#siO", &text, &len, &file, &line_offset, &resolver)) return NULL;
    Bridge b = { resolver, NULL, NULL, NULL };
    PtsResolver r = { &b, bridge_global, NULL, false };
    PtsSource src = { text, (size_t)len, file, line_offset };
    PtsError err = { 0 };
    PtsFunction *f;
    UnitScope us;
    if (!unit_begin(&us, NULL)) return NULL;
    PtsStatus st = pts_compile_function(&src, &r, &err, &f);
    unit_end(&us);
    if (st) return compile_error(&b, &err);
    return pyts_wrap_function(f);
}

/* ---- script classes and NamedTuples ----
 * A class is held by a prototype ScriptObject (_C._make_object(qualname, False, [])) that the
 * Python class keeps; the compiler adds methods (and, from __init__, attributes) to its class. */

/* _C._class_fields(proto, [(name, annotation source)], filename, resolver): makes proto's class a
 * NamedTuple with these fields, each annotation resolved as in compiled code */
static PyObject *m_class_fields(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *proto, *fields, *resolver, *defaults;
    const char *file;
    if (!PyArg_ParseTuple(args, "OO!sOO!", &proto, &PyList_Type, &fields, &file, &resolver, &PyList_Type, &defaults))
        return NULL;
    PtsObject *o = pyts_script_object(proto);
    if (!o) return PyErr_Format(PyExc_TypeError, "_class_fields expects a ScriptObject");
    PtsClassType *cls = o->cls;
    if (cls->nattrs || cls->nmethods || cls->is_module) return PyErr_Format(PyExc_ValueError, "class %s is defined already", cls->qualname);
    Bridge b = { resolver, NULL, NULL, NULL };
    PtsResolver r = { &b, bridge_global, NULL, false };
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(fields); i++) {
        const char *name, *text;
        Py_ssize_t len;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(fields, i), "ss#", &name, &text, &len)) return NULL;
        if (pts_class_find_attr(cls, name) >= 0) return PyErr_Format(PyExc_ValueError, "field '%s' declared twice", name);
        PtsSource src = { text, (size_t)len, file, 0 };
        PtsError err = { 0 };
        PtsType *t;
        UnitScope us;   /* a field naming a class of the NamedTuple's unit borrows it */
        if (!unit_begin(&us, cls)) return NULL;
        PtsStatus st = pts_compile_type(&src, &r, &err, &t);
        unit_end(&us);
        if (st) return compile_error(&b, &err);
        if (pts_class_add_attr(cls, name, t, PTS_ATTR_PLAIN) < 0) return PyErr_NoMemory();
    }
    /* defaults of the trailing fields, filled in where a construction leaves them out */
    Py_ssize_t nd = PyList_GET_SIZE(defaults);
    if (nd > cls->nattrs) return PyErr_Format(PyExc_ValueError, "more defaults than fields");
    if (nd) {
        if (!(cls->defaults = pts_calloc((size_t)nd, sizeof(PtsValue)))) return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < nd; i++) {
            const PtsClassAttr *a = &cls->attrs[cls->nattrs - nd + i];
            PtsValue v;
            if (pyts_py_to_ivalue(PyList_GET_ITEM(defaults, i), &v) < 0) return NULL;
            if (a->type->kind == PTS_TY_FLOAT && v.tag == PTS_V_INT) v = pts_vdouble((double)v.u.i);
            if (!pts_value_fits(v, a->type)) {
                pts_value_release(&v);
                return PyErr_Format(PytsExc_CompileError, "the default of field '%s' does not match its type", a->name);
            }
            cls->defaults[cls->ndefaults++] = v;
        }
    }
    cls->is_namedtuple = true;
    Py_RETURN_NONE;
}

static int method_order(const void *a, const void *b) {
    return strcmp((*(PtsFunction *const *)a)->name, (*(PtsFunction *const *)b)->name);
}

/* _C._class_finish(proto): methods in name order, as TorchScript lists (and saves) them */
static PyObject *m_class_finish(PyObject *self, PyObject *proto) {
    (void)self;
    PtsObject *o = pyts_script_object(proto);
    if (!o) return PyErr_Format(PyExc_TypeError, "_class_finish expects a ScriptObject");
    if (o->cls->nmethods > 1) qsort(o->cls->methods, (size_t)o->cls->nmethods, sizeof(PtsFunction *), method_order);
    Py_RETURN_NONE;
}

/* _C._class_instance(proto, [values]): an object of proto's class from attribute values in
 * declaration order (a Python instance passed to compiled code), each checked against its type */
static PyObject *m_class_instance(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *proto, *vals;
    if (!PyArg_ParseTuple(args, "OO!", &proto, &PyList_Type, &vals)) return NULL;
    PtsObject *o = pyts_script_object(proto);
    if (!o) return PyErr_Format(PyExc_TypeError, "_class_instance expects a ScriptObject");
    PtsClassType *cls = o->cls;
    if (PyList_GET_SIZE(vals) != cls->nattrs)
        return PyErr_Format(PyExc_ValueError, "%s has %d attributes, got %zd values", cls->qualname, cls->nattrs,
                            PyList_GET_SIZE(vals));
    PtsValue obj;
    PtsError err = { 0 };
    if (pts_object_new(cls, &err, &obj)) { pyts_raise(&err); return NULL; }
    for (int i = 0; i < cls->nattrs; i++) {
        PtsValue v;
        if (pyts_py_to_ivalue(PyList_GET_ITEM(vals, i), &v) < 0) { pts_value_release(&obj); return NULL; }
        if (!pts_value_fits(v, cls->attrs[i].type)) {
            PtsBuf tb;
            pts_buf_init(&tb);
            pts_type_print(&tb, cls->attrs[i].type, true);
            PyErr_Format(PyExc_RuntimeError, "attribute '%s' of %s must be of type %s, found %s", cls->attrs[i].name,
                         cls->qualname, tb.data ? tb.data : "?", Py_TYPE(PyList_GET_ITEM(vals, i))->tp_name);
            pts_buf_free(&tb);
            pts_value_release(&v);
            pts_value_release(&obj);
            return NULL;
        }
        pts_as_object(obj)->slots[i] = v;
    }
    return pyts_ivalue_to_py(&obj);
}

/* ---- prim::PythonOp ----
 * @ignore'd Python functions called from scripted code live in py_ops (never shrinks: a graph may
 * hold any id); the interpreter runs without the GIL and takes it here around the call only. A
 * Python exception raised by the function is kept per thread (pyts_keep_python_error). */
static PyObject *py_ops;   /* list of callables */
static _Thread_local PyObject *pend_type, *pend_value, *pend_tb;

/* Python code run from the interpreter (a PythonOp, sys.stdout.write for print, the warnings
 * module for warn) raised: keep the exception for this thread, so that the interpreter's caller
 * re-raises it as it was (pyts_python_op_take_exc), and fail the run with its message, which is
 * what a caller without Python (a nested run) sees. GIL held. */
PtsStatus pyts_keep_python_error(PtsError *err, const char *fallback) {
    Py_CLEAR(pend_type); Py_CLEAR(pend_value); Py_CLEAR(pend_tb);
    PyErr_Fetch(&pend_type, &pend_value, &pend_tb);
    PyErr_NormalizeException(&pend_type, &pend_value, &pend_tb);
    PyObject *s = pend_value ? PyObject_Str(pend_value) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    if (!msg) PyErr_Clear();
    PtsStatus st = pts_fail(err, PTS_ERR_RUNTIME, "%s", msg && *msg ? msg : fallback);
    Py_XDECREF(s);
    return st;
}

static PtsStatus python_op_hook(int64_t id, const PtsValue *args, int nargs, const PtsType *type, PtsValue *out,
                                PtsError *err) {
    PyGILState_STATE g = PyGILState_Ensure();
    PtsStatus st = PTS_OK;
    PyObject *fn = py_ops && id >= 0 && id < PyList_GET_SIZE(py_ops) ? PyList_GET_ITEM(py_ops, id) : NULL;
    PyObject *tup = fn ? PyTuple_New(nargs) : NULL, *r = NULL;
    if (!fn) { st = pts_fail(err, PTS_ERR_INTERNAL, "prim::PythonOp: no Python function %lld", (long long)id); goto done; }
    for (int k = 0; tup && k < nargs; k++) {
        PtsValue v = pts_value_retain(args[k]);   /* pyts_ivalue_to_py takes the reference */
        PyObject *a = pyts_ivalue_to_py(&v);
        if (!a) { Py_CLEAR(tup); break; }
        PyTuple_SET_ITEM(tup, k, a);
    }
    if (tup) r = PyObject_Call(fn, tup, NULL);
    if (!r || pyts_py_to_ivalue(r, out) < 0) st = pyts_keep_python_error(err, "Python function raised");
    else if (type && !pts_value_fits(*out, type)) {
        PtsBuf b;
        pts_buf_init(&b);
        pts_type_print(&b, type, true);
        PyObject *nm = PyObject_GetAttrString(fn, "__name__");
        const char *name = nm && PyUnicode_Check(nm) ? PyUnicode_AsUTF8(nm) : NULL;
        if (!name) PyErr_Clear();
        st = pts_fail(err, PTS_ERR_TYPE, "Expected a value of type '%s' as the result of the Python function "
                      "'%s' but instead found type '%s'", b.data ? b.data : "?", name ? name : "?",
                      Py_TYPE(r)->tp_name);
        Py_XDECREF(nm);
        pts_buf_free(&b);
        pts_value_release(out);
    }
done:
    Py_XDECREF(tup);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return st;
}

/* after a failed interpreter run (GIL held): restore the Python exception of a PythonOp, if any */
int pyts_python_op_take_exc(void) {
    if (!pend_type) return 0;
    PyErr_Restore(pend_type, pend_value, pend_tb);
    pend_type = pend_value = pend_tb = NULL;
    return 1;
}

/* _C._register_python_op(callable) -> id for the resolver's "^<id>:<name>" */
static PyObject *m_register_python_op(PyObject *self, PyObject *fn) {
    (void)self;
    if (!PyCallable_Check(fn)) return PyErr_Format(PyExc_TypeError, "_register_python_op expects a callable");
    if (!py_ops && !(py_ops = PyList_New(0))) return NULL;
    if (PyList_Append(py_ops, fn) < 0) return NULL;
    return PyLong_FromSsize_t(PyList_GET_SIZE(py_ops) - 1);
}

/* the first prim::PythonOp reachable from a graph: through blocks, prim::CallFunction callees and
 * (find_in_object) the methods of submodules. depth bounds both kinds of nesting. */
static const PtsNode *find_python_op(const PtsBlock *b, int depth);

static const PtsNode *find_in_function(const PtsFunction *f, int depth) {
    return f && f->graph && depth < 64 ? find_python_op(f->graph->top, depth + 1) : NULL;
}

static const PtsNode *find_python_op(const PtsBlock *b, int depth) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        if (n->kind == PTS_KIND_PRIM(PTS_PRIM_PYTHONOP)) return n;
        const PtsNode *r = NULL;
        for (int k = 0; !r && k < n->nblocks; k++) r = find_python_op(n->blocks[k], depth);
        if (!r && n->kind == PTS_KIND_PRIM(PTS_PRIM_CALLFUNCTION)) {
            const PtsNodeAttr *a = pts_node_attr(n, "fn");
            if (a && a->kind == PTS_AV_IVALUE) r = find_in_function(pts_function_ref_get(a->v), depth);
        }
        if (r) return r;
    }
    return NULL;
}

static const PtsNode *find_in_object(const PtsObject *o, int depth) {
    if (depth > 64) return NULL;
    for (int i = 0; i < o->cls->nmethods; i++) {
        const PtsNode *r = find_in_function(o->cls->methods[i], depth);
        if (r) return r;
    }
    for (int i = 0; i < o->nslots; i++)
        if (o->slots[i].tag == PTS_V_OBJECT) {
            const PtsNode *r = find_in_object(pts_as_object(o->slots[i]), depth + 1);
            if (r) return r;
        }
    return NULL;
}

/* _C._python_op_call(ScriptObject | Function) -> None | (name, file, line, col): a call into
 * Python that makes the module unsaveable (torch's "Could not export Python function call") */
static PyObject *m_python_op_call(PyObject *self, PyObject *target) {
    (void)self;
    const PtsNode *n = NULL;
    PtsObject *o = pyts_script_object(target);
    if (o) n = find_in_object(o, 0);
    else {
        PtsFunction *f = pyts_function_of(target);
        if (!f) return PyErr_Format(PyExc_TypeError, "_python_op_call expects a ScriptObject or Function");
        n = find_in_function(f, 0);
    }
    if (!n) Py_RETURN_NONE;
    const PtsNodeAttr *a = pts_node_attr(n, "name");
    return Py_BuildValue("(ssii)", a && a->v.tag == PTS_V_STR ? pts_as_str(a->v)->data : "?",
                         n->range.file ? n->range.file : "<unknown>", n->range.line, n->range.col);
}

/* _C._call_op(row_id, *args): run one registry row by its id ("ADD_INT"), hidden rows included,
 * binding args by its schema. For tests of rows Python does not expose. */
static PyObject *m_call_op(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs < 1 || !PyUnicode_Check(args[0])) return PyErr_Format(PyExc_TypeError, "_call_op(row_id, *args)");
    const char *id = PyUnicode_AsUTF8(args[0]);
    if (!id) return NULL;
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        if (strcmp(pts_op_info[i].id_name, id) != 0) continue;
        const PtsSchema *s = &pts_op_info[i].schema;
        bool any = false;
        for (int k = 0; k < s->nargs; k++) any = any || s->args[k].type.kind == PTS_T_ANY;
        if (!any) return pyts_call_op_id((PtsOpId)i, args + 1, nargs - 1);
        /* generic builtins (t1 self, t2 obj): positional values of any kind */
        if (nargs - 1 != s->nargs || s->nret > 1) return PyErr_Format(PyExc_TypeError, "%s() takes %d arguments", s->name, s->nargs);
        PtsValue vals[PTS_MAX_ARGS], out[PTS_MAX_RETS];
        int got = 0;
        PyObject *r = NULL;
        for (; got < s->nargs; got++)
            if (pyts_py_to_ivalue(args[got + 1], &vals[got]) < 0) goto done;
        PtsError err = { 0 };
        out[0] = pts_none();
        if (pts_op_call((PtsOpId)i, vals, out, &err)) pyts_raise(&err);
        else if (s->nret == 0) r = Py_NewRef(Py_None);   /* _set_item.str, update.str... */
        else r = pyts_ivalue_to_py(&out[0]);
    done:
        for (int k = 0; k < got; k++) pts_value_release(&vals[k]);
        return r;
    }
    return PyErr_Format(PyExc_KeyError, "no registry row %s", id);
}

/* ---- reuse of compiled class types ----
 * Scripting two instances of one Python class whose attributes have the same names, kinds and
 * types gives the same methods, so pyts.jit.script keeps the compiled class type per Python class
 * and lets a new object adopt it, as torch's concrete type store shares a ClassType between
 * identical module types. A capsule holds a class type for Python. */
static const char CLASS_CAPSULE[] = "pyts.ClassType";

static void class_capsule_free(PyObject *cap) {
    PtsClassType *c = PyCapsule_GetPointer(cap, CLASS_CAPSULE);
    if (c) pts_class_release(c);
    else PyErr_Clear();
}

/* _C._class_of(obj) -> capsule of obj's class type */
static PyObject *m_class_of(PyObject *self, PyObject *obj) {
    (void)self;
    PtsObject *o = pyts_script_object(obj);
    if (!o) return PyErr_Format(PyExc_TypeError, "_class_of expects a ScriptObject");
    PyObject *cap = PyCapsule_New(o->cls, CLASS_CAPSULE, class_capsule_free);
    if (cap) pts_class_retain(o->cls);
    return cap;
}

static bool same_layout(const PtsClassType *a, const PtsClassType *b) {
    if (a->is_module != b->is_module || a->nattrs != b->nattrs || a->nconsts || b->nconsts ||
        strcmp(a->qualname, b->qualname) != 0)
        return false;
    for (int i = 0; i < a->nattrs; i++) {
        const PtsClassAttr *x = &a->attrs[i], *y = &b->attrs[i];
        /* class-typed attributes (submodules) compare by class identity */
        if (x->kind != y->kind || strcmp(x->name, y->name) != 0 || !pts_type_equal(x->type, y->type)) return false;
    }
    return true;
}

/* _C._adopt_class(obj, capsule) -> bool: obj, fresh from _make_object (no methods yet), takes the
 * captured class type (with its compiled methods) when their attributes match exactly */
static PyObject *m_adopt_class(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *obj, *cap;
    if (!PyArg_ParseTuple(args, "OO", &obj, &cap)) return NULL;
    PtsObject *o = pyts_script_object(obj);
    if (!o) return PyErr_Format(PyExc_TypeError, "_adopt_class expects a ScriptObject");
    PtsClassType *c = PyCapsule_GetPointer(cap, CLASS_CAPSULE);
    if (!c) return NULL;
    if (o->cls == c) Py_RETURN_TRUE;
    if (o->cls->nmethods || o->nslots != c->nattrs || !same_layout(o->cls, c)) Py_RETURN_FALSE;
    PtsClassType *old = o->cls;
    o->cls = pts_class_retain(c);
    pts_class_release(old);
    Py_RETURN_TRUE;
}

/* _C._object_id(obj) -> int: identity of the C object behind a ScriptObject wrapper */
static PyObject *m_object_id(PyObject *self, PyObject *obj) {
    (void)self;
    PtsObject *o = pyts_script_object(obj);
    if (!o) return PyErr_Format(PyExc_TypeError, "_object_id expects a ScriptObject");
    return PyLong_FromVoidPtr(o);
}

/* ---- interfaces (torch.jit.interface) ---- */
/* _C._class_interface(proto): proto's class (fresh, no methods yet) becomes an interface; its
 * methods are then compiled as signatures */
static PyObject *m_class_interface(PyObject *self, PyObject *proto) {
    (void)self;
    PtsObject *o = pyts_script_object(proto);
    if (!o) return PyErr_Format(PyExc_TypeError, "_class_interface expects a ScriptObject");
    if (o->cls->nmethods || o->cls->nattrs) return PyErr_Format(PyExc_ValueError, "_class_interface: the class is not fresh");
    o->cls->is_interface = true;
    Py_RETURN_NONE;
}

/* _C._iface_attr(obj, name, iface_proto): obj's attribute `name` (obj fresh from _make_object)
 * gets the interface type, after checking that its value implements it (torch's words) */
static PyObject *m_iface_attr(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *obj, *proto;
    const char *name;
    if (!PyArg_ParseTuple(args, "OsO", &obj, &name, &proto)) return NULL;
    PtsObject *o = pyts_script_object(obj), *p = pyts_script_object(proto);
    if (!o || !p || !p->cls->is_interface) return PyErr_Format(PyExc_TypeError, "_iface_attr expects ScriptObjects");
    if (o->cls->nmethods) return PyErr_Format(PyExc_ValueError, "_iface_attr: the class is not fresh");
    int i = pts_class_find_attr(o->cls, name);
    if (i < 0 || i >= o->nslots) return PyErr_Format(PyExc_AttributeError, "no attribute '%s'", name);
    PtsValue v = o->slots[i];
    PtsBuf why;
    pts_buf_init(&why);
    const char *vq = v.tag == PTS_V_OBJECT ? pts_as_object(v)->cls->qualname : "value";
    if (v.tag != PTS_V_OBJECT || !pts_class_implements(pts_as_object(v)->cls, p->cls, &why)) {
        char *w = pts_buf_steal(&why);
        PyErr_Format(PyExc_RuntimeError, "Could not cast attribute '%s' to type %s: Object of type %s is not compatible "
                     "with interface %s\n%s", name, p->cls->qualname, vq, p->cls->qualname, w ? w : "");
        pts_free(w);
        return NULL;
    }
    pts_buf_free(&why);
    PtsType *t = pts_type_class(p->cls);
    if (!t) return PyErr_NoMemory();
    pts_type_release(o->cls->attrs[i].type);
    o->cls->attrs[i].type = t;
    Py_RETURN_NONE;
}

/* ---- enums ----
 * _C._enum_define(proto, [(name, value)], pycls) makes proto's class an Enum (csrc/ir/enum.c) and
 * remembers pycls, the Python Enum class, under its qualified name: members cross into compiled
 * code as enum values (pyts_enum_from_py) and back as pycls's members (pyts_enum_to_py). */
static PyObject *enum_classes;   /* qualname -> Python Enum class */

static PyObject *m_enum_define(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *proto, *members, *pycls;
    if (!PyArg_ParseTuple(args, "OO!O", &proto, &PyList_Type, &members, &pycls)) return NULL;
    PtsObject *o = pyts_script_object(proto);
    if (!o) return PyErr_Format(PyExc_TypeError, "_enum_define expects a ScriptObject");
    Py_ssize_t n = PyList_GET_SIZE(members);
    if (n > 100000) return PyErr_Format(PyExc_ValueError, "too many enum members");
    const char **names = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    PtsValue *vals = PyMem_Calloc((size_t)n + 1, sizeof(PtsValue));
    PyObject *r = NULL;
    Py_ssize_t got = 0;
    if (!names || !vals) { PyErr_NoMemory(); goto done; }
    for (; got < n; got++) {
        PyObject *val;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(members, got), "sO", &names[got], &val)) goto done;
        if (PyBool_Check(val) || !(PyLong_Check(val) || PyFloat_Check(val) || PyUnicode_Check(val))) {
            /* torch types other values Any (tuples, None, objects), bools bool: both refused */
            vals[got] = PyBool_Check(val) ? pts_vbool(val == Py_True) : pts_vtensor(NULL);
            if (!PyBool_Check(val)) vals[got].tag = PTS_V_OBJECT;   /* stands for "Any": never read */
            continue;
        }
        if (pyts_py_to_ivalue(val, &vals[got]) < 0) goto done;
    }
    PtsError err = { 0 };
    for (Py_ssize_t i = 0; i < n; i++)
        if (vals[i].tag == PTS_V_OBJECT) {   /* not a value TorchScript knows: torch's message */
            pts_fail(&err, PTS_ERR_COMPILE, "Cannot create Enum with value type 'Any', only int, float and string are supported");
            break;
        }
    if (!err.code) pts_enum_define(o->cls, (int)n, names, vals, &err);
    if (err.code) { compile_error(NULL, &err); goto done; }
    if (!enum_classes && !(enum_classes = PyDict_New())) goto done;
    if (PyDict_SetItemString(enum_classes, o->cls->qualname, pycls) < 0) goto done;
    r = Py_NewRef(Py_None);
done:
    for (Py_ssize_t i = 0; i < got; i++) if (vals[i].tag != PTS_V_OBJECT) pts_value_release(&vals[i]);
    PyMem_Free(names);
    PyMem_Free(vals);
    return r;
}

int pyts_enum_from_py(PyObject *o, PtsValue *v) {
    /* a member of a Python Enum class compiled code has named: its class carries __pyts_enum__ */
    PyObject *proto = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__pyts_enum__");
    if (!proto) { PyErr_Clear(); return 0; }
    PtsObject *po = pyts_script_object(proto);
    PyObject *name = po ? PyObject_GetAttrString(o, "_name_") : NULL;
    Py_DECREF(proto);
    if (!name) { PyErr_Clear(); return 0; }
    const char *nm = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    int i = nm ? pts_enum_find(po->cls, nm) : -1;
    Py_DECREF(name);
    if (i < 0) { PyErr_Clear(); return 0; }
    PtsError err = { 0 };
    if (pts_enum_member(po->cls, i, &err, v)) { pyts_raise(&err); return -1; }
    return 1;
}

PyObject *pyts_enum_to_py(PtsValue v) {   /* v is an enum value (pts_enum_get) */
    const PtsType *t;
    const char *name;
    PtsValue raw;
    if (!pts_enum_get(v, &t, &name, &raw)) return PyErr_Format(PyExc_SystemError, "not an enum value");
    PyObject *cls = enum_classes && t->name ? PyDict_GetItemString(enum_classes, t->name) : NULL;
    if (cls) {
        PyObject *k = PyUnicode_FromString(name);
        if (!k) return NULL;
        PyObject *r = PyObject_GetItem(cls, k);   /* Color["RED"] */
        Py_DECREF(k);
        return r;
    }
    /* an enum of an archive whose Python class this process never compiled: its value */
    PtsValue c = pts_value_retain(raw);
    return pyts_ivalue_to_py(&c);
}

static PyMethodDef script_functions[] = {
    {"_class_interface", m_class_interface, METH_O, "_class_interface(proto): its class becomes an interface"},
    {"_iface_attr", m_iface_attr, METH_VARARGS, "_iface_attr(obj, name, iface_proto): type an attribute with an interface"},
    {"_compile_method", m_compile_method, METH_VARARGS, "_compile_method(obj, source, filename, line_offset, resolver, def_name=None)"},
    {"_compile_function", m_compile_function, METH_VARARGS, "_compile_function(source, filename, line_offset, resolver)"},
    {"_class_fields", m_class_fields, METH_VARARGS, "_class_fields(proto, [(name, annotation)], file, resolver): NamedTuple fields"},
    {"_class_finish", m_class_finish, METH_O, "_class_finish(proto): methods in TorchScript's order"},
    {"_class_instance", m_class_instance, METH_VARARGS, "_class_instance(proto, [values]): an object of proto's class"},
    {"_register_python_op", m_register_python_op, METH_O, "_register_python_op(fn) -> id of a prim::PythonOp callee"},
    {"_python_op_call", m_python_op_call, METH_O, "_python_op_call(module or function) -> first call into Python"},
    {"_call_op", (PyCFunction)(void (*)(void))m_call_op, METH_FASTCALL, "_call_op(row_id, *args): run a registry row"},
    {"_class_of", m_class_of, METH_O, "_class_of(obj) -> capsule of its class type"},
    {"_adopt_class", m_adopt_class, METH_VARARGS, "_adopt_class(obj, class) -> whether obj now has that class"},
    {"_object_id", m_object_id, METH_O, "_object_id(obj) -> identity of the C object"},
    {"_enum_define", m_enum_define, METH_VARARGS, "_enum_define(proto, [(name, value)], pycls): proto's class an Enum"},
    {"_parse", m_parse, METH_VARARGS, "_parse(source, filename='<string>', line_offset=0): the AST as an S-expression"},
    {NULL, NULL, 0, NULL},
};

int pyts_script_setup(PyObject *m) {
    pts_interp_python_hook = python_op_hook;
    return PyModule_AddFunctions(m, script_functions);
}
