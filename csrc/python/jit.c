/* jit.c: Python access to the IR, objects and the interpreter: ScriptObject (a module or script
 * class instance: a class type plus slots), ScriptFunction handles, tracing entry points and the
 * generic value conversion the interpreter needs. Running compiled code releases the GIL. */
#include "pyts_python.h"

#include "../serial/compile.h"
#include "../serial/serial.h"

#include "../interp/interp.h"
#include "../trace/trace.h"

typedef struct { PyObject_HEAD PtsValue obj; } ScriptObjectPy;       /* PTS_V_OBJECT, owned */
/* owner: the class a method was read from (held: a module class outside units is its objects'),
 * or NULL; unit: the compilation unit whose classes and callees fn's graph borrows when fn is a
 * copy made outside it (_ir_run_passes), held, or NULL */
/* `obj` is the object a method was taken from: its graph names the classes of its submodules,
 * which only the object tree holds, so the handle keeps the tree alive (as torch's Method does) */
typedef struct { PyObject_HEAD PtsFunction *fn; PtsClassType *owner; PtsUnit *unit; PtsValue obj; } FunctionPy;  /* owned */

static PyTypeObject *ScriptObject_Type, *Function_Type;

static PyObject *wrap_object(PtsValue v) {  /* steals v */
    ScriptObjectPy *o = PyObject_New(ScriptObjectPy, ScriptObject_Type);
    if (!o) { pts_value_release(&v); return NULL; }
    o->obj = v;
    return (PyObject *)o;
}

static PyObject *wrap_function(PtsFunction *f) {  /* steals f */
    FunctionPy *o = PyObject_New(FunctionPy, Function_Type);
    if (!o) { pts_function_release(f); return NULL; }
    o->fn = f;
    o->owner = NULL;
    o->unit = NULL;
    o->obj = pts_none();
    return (PyObject *)o;
}

/* for the script compiler bindings (script.c) */
PyObject *pyts_wrap_function(PtsFunction *f) { return wrap_function(f); }
PtsObject *pyts_script_object(PyObject *o) {
    return PyObject_TypeCheck(o, ScriptObject_Type) ? pts_as_object(((ScriptObjectPy *)o)->obj) : NULL;
}

/* ---- generic conversion Python <-> value ---- */
int pyts_py_to_ivalue(PyObject *o, PtsValue *v) {
    PtsError err = { 0 };
    *v = pts_none();
    if (o == Py_None) return 0;
    if (PytsTensor_Check(o)) { *v = pts_vtensor(pts_tensor_retain(pyts_tensor_of(o))); return 0; }
    if (PyBool_Check(o)) { *v = pts_vbool(o == Py_True); return 0; }
    if (PyLong_Check(o)) {
        int ovf;
        long long x = PyLong_AsLongLongAndOverflow(o, &ovf);
        if (x == -1 && PyErr_Occurred()) return -1;
        /* torch's message and class for an int argument outside int64 (not OverflowError) */
        if (ovf) return PyErr_SetString(PyExc_RuntimeError, "Overflow when unpacking long"), -1;
        *v = pts_vint(x);
        return 0;
    }
    if (PyFloat_Check(o)) { *v = pts_vdouble(PyFloat_AS_DOUBLE(o)); return 0; }
    if (PyComplex_Check(o)) {
        if (pts_complex_new(PyComplex_RealAsDouble(o), PyComplex_ImagAsDouble(o), &err, v)) { pyts_raise(&err); return -1; }
        return 0;
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) return -1;
        if (pts_str_new(s, (size_t)n, &err, v)) { pyts_raise(&err); return -1; }
        return 0;
    }
    if (PyObject_TypeCheck(o, ScriptObject_Type)) { *v = pts_value_retain(((ScriptObjectPy *)o)->obj); return 0; }
    if (PyObject_TypeCheck(o, PytsDType_Type)) { *v = pts_vint(((PytsDTypeObject *)o)->id); return 0; }
    int is_cpu;
    if (pyts_device_check(o, &is_cpu)) {
        if (!is_cpu) {
            PyErr_Format(PyExc_RuntimeError, "pyts runs on the CPU only; device '%S' is not available", o);
            return -1;
        }
        v->tag = PTS_V_DEVICE;
        v->u.i = -1;
        return 0;
    }
    if (PyDict_Check(o)) {
        if (pts_dict_new(PyDict_Size(o), &err, v)) { pyts_raise(&err); return -1; }
        Py_ssize_t pos = 0;
        PyObject *pk, *pv;
        while (PyDict_Next(o, &pos, &pk, &pv)) {
            PtsValue k, x;
            if (pyts_py_to_ivalue(pk, &k) < 0) { pts_value_release(v); return -1; }
            if (pyts_py_to_ivalue(pv, &x) < 0) { pts_value_release(&k); pts_value_release(v); return -1; }
            if (pts_dict_set(*v, k, x, &err)) { pts_value_release(v); pyts_raise(&err); return -1; }
        }
        return 0;
    }
    if (PyTuple_Check(o) || PyList_Check(o)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        if (pts_list_new(PyTuple_Check(o) ? PTS_V_TUPLE : PTS_V_LIST, n, &err, v)) { pyts_raise(&err); return -1; }
        for (Py_ssize_t i = 0; i < n; i++) {
            PtsValue e;
            if (pyts_py_to_ivalue(PySequence_Fast_GET_ITEM(o, i), &e) < 0) { pts_value_release(v); return -1; }
            if (pts_list_append(*v, e, &err)) { pts_value_release(v); pyts_raise(&err); return -1; }
        }
        return 0;
    }
    {
        /* a pyts.jit.Future (future.c) */
        extern int pyts_future_from_py(PyObject *o, PtsValue *v);
        int r = pyts_future_from_py(o, v);
        if (r) return r < 0 ? -1 : 0;
    }
    int en = pyts_enum_from_py(o, v);   /* a member of an Enum class compiled code knows */
    if (en) return en < 0 ? -1 : 0;
    /* other numbers (NumPy's scalars): an int when they have __index__, else a float when they have
     * __float__, as torch's conversion of a number argument calls them */
    PyNumberMethods *nb = Py_TYPE(o)->tp_as_number;
    if (nb && (nb->nb_index || nb->nb_float)) {
        PyObject *n = nb->nb_index ? PyNumber_Index(o) : PyNumber_Float(o);
        if (!n) return -1;
        int r = pyts_py_to_ivalue(n, v);
        Py_DECREF(n);
        return r;
    }
    PyErr_Format(PyExc_TypeError, "cannot pass a value of type %s to TorchScript", Py_TYPE(o)->tp_name);
    return -1;
}

PyObject *pyts_future_to_py(PtsValue *v);   /* future.c */

PyObject *pyts_ivalue_to_py(PtsValue *v) {  /* steals */
    if (pts_is_future(*v) || pts_is_await(*v)) return pyts_future_to_py(v);
    if (v->tag == PTS_V_OBJECT) {
        PtsValue o = *v;
        *v = pts_none();
        return wrap_object(o);
    }
    if (v->tag == PTS_V_TUPLE || v->tag == PTS_V_LIST) {
        PtsList *l = pts_as_list(*v);
        PyObject *r = v->tag == PTS_V_TUPLE ? PyTuple_New(l->len) : PyList_New(l->len);
        for (int64_t i = 0; r && i < l->len; i++) {
            PtsValue e = pts_value_retain(l->items[i]);
            PyObject *pe = pyts_ivalue_to_py(&e);
            if (!pe) { Py_CLEAR(r); break; }
            if (v->tag == PTS_V_TUPLE) PyTuple_SET_ITEM(r, i, pe); else PyList_SET_ITEM(r, i, pe);
        }
        pts_value_release(v);
        return r;
    }
    if (v->tag == PTS_V_DICT) {
        PtsDict *d = pts_as_dict(*v);
        PyObject *r = PyDict_New();
        for (int64_t i = 0; r && i < d->len; i++) {
            PtsValue k = pts_value_retain(d->keys[i]), x = pts_value_retain(d->vals[i]);
            PyObject *pk = pyts_ivalue_to_py(&k), *px = pk ? pyts_ivalue_to_py(&x) : NULL;
            if (!pk) pts_value_release(&x);
            if (!px || PyDict_SetItem(r, pk, px) < 0) Py_CLEAR(r);
            Py_XDECREF(pk);
            Py_XDECREF(px);
        }
        pts_value_release(v);
        return r;
    }
    if (v->tag == PTS_V_HEAP && pts_enum_get(*v, NULL, NULL, NULL)) {
        PyObject *r = pyts_enum_to_py(*v);
        pts_value_release(v);
        return r;
    }
    if (v->tag == PTS_V_DEVICE) {
        int64_t ix = v->u.i;
        pts_value_release(v);
        return pyts_device_from_index(ix);
    }
    return pyts_value_to_py(v);
}

PtsFunction *pyts_function_of(PyObject *o) {
    return PyObject_TypeCheck(o, Function_Type) ? ((FunctionPy *)o)->fn : NULL;
}

/* ---- ScriptObject ---- */
static void so_dealloc(PyObject *self) {
    pts_value_release(&((ScriptObjectPy *)self)->obj);
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PtsObject *OBJ(PyObject *self) { return pts_as_object(((ScriptObjectPy *)self)->obj); }

static PyObject *so_get(PyObject *self, PyObject *name) {
    const char *n = PyUnicode_AsUTF8(name);
    if (!n) return NULL;
    PtsObject *o = OBJ(self);
    int i = pts_class_find_attr(o->cls, n);
    if (i < 0) return PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'", o->cls->qualname, n);
    PtsValue v = pts_value_retain(o->slots[i]);
    return pyts_ivalue_to_py(&v);
}

static PyObject *so_set(PyObject *self, PyObject *args) {
    const char *n;
    PyObject *val;
    if (!PyArg_ParseTuple(args, "sO", &n, &val)) return NULL;
    PtsObject *o = OBJ(self);
    int i = pts_class_find_attr(o->cls, n);
    if (i < 0) return PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'", o->cls->qualname, n);
    PtsValue v;
    if (pyts_py_to_ivalue(val, &v) < 0) return NULL;
    const PtsType *at = o->cls->attrs[i].type;
    if (at->kind == PTS_TY_CLASS && at->cls && at->cls->is_interface) {
        /* an attribute typed by an interface takes any object implementing it (torch's words) */
        PtsBuf why;
        pts_buf_init(&why);
        if (v.tag != PTS_V_OBJECT || !pts_class_implements(pts_as_object(v)->cls, at->cls, &why)) {
            char *w = pts_buf_steal(&why);
            PyErr_Format(PyExc_RuntimeError, "Object of type %s is not compatible with interface %s\n%s",
                         v.tag == PTS_V_OBJECT ? pts_as_object(v)->cls->qualname : "value", at->cls->qualname, w ? w : "");
            pts_free(w);
            pts_value_release(&v);
            return NULL;
        }
        pts_buf_free(&why);
    } else if (at->kind == PTS_TY_CLASS && at->cls && !pts_value_fits(v, at)) {
        /* a submodule or object of a class: compiled code reads its slots by that class's layout */
        PyErr_Format(PyExc_RuntimeError, "Expected a value of type '%s' for field '%s', but found '%s'", at->cls->qualname, n,
                     v.tag == PTS_V_OBJECT ? pts_as_object(v)->cls->qualname : "a value of another type");
        pts_value_release(&v);
        return NULL;
    }
    pts_value_release(&o->slots[i]);
    o->slots[i] = v;
    Py_RETURN_NONE;
}

static const char *const attr_kind_names[] = { "parameter", "buffer", "module", "attribute", "constant" };

static PyObject *so_attrs(PyObject *self, PyObject *u) {
    (void)u;
    PtsClassType *c = OBJ(self)->cls;
    PyObject *l = PyList_New(c->nattrs);
    for (int i = 0; l && i < c->nattrs; i++)
        PyList_SET_ITEM(l, i, Py_BuildValue("(ss)", c->attrs[i].name, attr_kind_names[c->attrs[i].kind]));
    return l;
}

static PyObject *so_qualname(PyObject *self, PyObject *u) { (void)u; return PyUnicode_FromString(OBJ(self)->cls->qualname); }

static PyObject *so_methods(PyObject *self, PyObject *u) {
    (void)u;
    PtsClassType *c = OBJ(self)->cls;
    PyObject *l = PyList_New(c->nmethods);
    for (int i = 0; l && i < c->nmethods; i++) PyList_SET_ITEM(l, i, PyUnicode_FromString(c->methods[i]->name));
    return l;
}

static PyObject *so_method(PyObject *self, PyObject *name) {
    const char *n = PyUnicode_AsUTF8(name);
    if (!n) return NULL;
    PtsFunction *f = pts_class_find_method(OBJ(self)->cls, n);
    if (!f) return PyErr_Format(PyExc_AttributeError, "'%s' has no method '%s'", OBJ(self)->cls->qualname, n);
    PyObject *w = wrap_function(pts_function_retain(f));
    if (w) {
        ((FunctionPy *)w)->owner = pts_class_retain(OBJ(self)->cls);
        ((FunctionPy *)w)->obj = pts_value_retain(((ScriptObjectPy *)self)->obj);
    }
    return w;
}

static PyObject *so_add_method(PyObject *self, PyObject *fn) {
    if (!PyObject_TypeCheck(fn, Function_Type)) return PyErr_Format(PyExc_TypeError, "expected a Function");
    PtsError err = { 0 };
    PtsClassType *c = OBJ(self)->cls;
    PtsFunction *f = ((FunctionPy *)fn)->fn;
    if (pts_class_find_method(c, f->name)) Py_RETURN_NONE;  /* first definition wins */
    if (pts_class_add_method(c, f, &err)) return pyts_raise(&err);
    Py_RETURN_NONE;
}

/* Containers passed to f get its parameters' static types (torch's lists know their element
 * types); an Any parameter infers them as torch does and refuses what torch cannot infer
 * (an empty list...). 0, or -1 with a Python error set. */
static int tag_call_args(const PtsFunction *f, PtsValue *args, int nargs) {
    const PtsBlock *top = f->graph->top;
    int first = f->is_method ? 1 : 0;
    for (int i = 0; i < nargs && i + first < top->ninputs; i++) {
        if (args[i].tag != PTS_V_LIST && args[i].tag != PTS_V_DICT && args[i].tag != PTS_V_TUPLE) continue;
        PtsValue bad = pts_none();
        PtsBuf why;
        pts_buf_init(&why);
        int r = pts_value_tag_arg(args[i], top->inputs[i + first]->type, &bad, &why);
        if (r == -2 || (r && why.oom)) { pts_buf_free(&why); PyErr_NoMemory(); return -1; }
        if (r) {
            PtsValue b = pts_value_retain(bad);
            PyObject *pb = pyts_ivalue_to_py(&b);
            if (pb) PyErr_Format(PyExc_RuntimeError, "Tracer cannot infer type of %R\n:%s", pb, why.data);
            Py_XDECREF(pb);
            pts_buf_free(&why);
            return -1;
        }
        pts_buf_free(&why);
    }
    return 0;
}

/* torch's last line for a refused argument v of a parameter of type t: pybind11's "Cast error
 * details" for the value (or for the first item of a tuple or dict that does not convert), or the
 * Python error of making a tuple or dict of a value that is none */
static PyObject *python_error_details(void) {
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyErr_NormalizeException(&et, &ev, &tb);
    PyObject *r = PyUnicode_FromFormat(" Python error details: %s: %S", et ? ((PyTypeObject *)et)->tp_name : "Error",
                                       ev ? ev : Py_None);
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(tb);
    return r;
}

static PyObject *cast_details(PyObject *v, const PtsType *t) {
    if (t->kind == PTS_TY_OPTIONAL && v != Py_None) t = t->elems[0];
    if (pts_is_enum_type(t)) {   /* torch reads the member's name first */
        PyObject *nm = PyObject_GetAttrString(v, "name");
        if (!nm) return python_error_details();
        Py_DECREF(nm);
    }
    if (t->kind == PTS_TY_TENSOR) return PyUnicode_FromFormat("Cast error details: Unable to cast %S to Tensor", v);
    if (t->kind == PTS_TY_UNION) {
        PtsValue iv;
        if (pyts_py_to_ivalue(v, &iv) == 0) {
            PtsBuf b, vb;
            pts_buf_init(&b);
            pts_buf_init(&vb);
            pts_type_print(&b, t, true);
            const char *vt = iv.tag == PTS_V_NONE ? "NoneType" : iv.tag == PTS_V_BOOL ? "bool" : iv.tag == PTS_V_INT ? "int"
                           : iv.tag == PTS_V_DOUBLE ? "float" : iv.tag == PTS_V_STR ? "str" : iv.tag == PTS_V_TENSOR ? "Tensor"
                           : iv.tag == PTS_V_COMPLEX ? "complex" : NULL;
            if (!vt && pts_value_type_text_hook) pts_value_type_text_hook(&vb, iv);
            PyObject *r = PyUnicode_FromFormat("Cast error details: Expected a member of %s but instead found type %s",
                                               b.data ? b.data : "?", vt ? vt : vb.data ? vb.data : "?");
            pts_value_release(&iv);
            pts_buf_free(&b);
            pts_buf_free(&vb);
            return r;
        }
        PyErr_Clear();
    }
    if ((t->kind == PTS_TY_TUPLE && !PyTuple_Check(v) && !PyList_Check(v)) || (t->kind == PTS_TY_DICT && !PyDict_Check(v))) {
        /* torch makes a tuple / dict of it first: Python's error when that fails */
        PyObject *made = PyObject_CallOneArg(t->kind == PTS_TY_TUPLE ? (PyObject *)&PyTuple_Type : (PyObject *)&PyDict_Type, v);
        if (!made) return python_error_details();
        Py_DECREF(made);
    }
    if (t->kind == PTS_TY_TUPLE && PyObject_Length(v) != t->n) {
        PyErr_Clear();
        PtsBuf b;
        pts_buf_init(&b);
        pts_type_print(&b, t, true);
        PyObject *r = PyUnicode_FromFormat("Cast error details: Object %S had a different number of elements than type %s",
                                           v, b.data ? b.data : "?");
        pts_buf_free(&b);
        return r;
    }
    PyObject *items = NULL;   /* a tuple's items, a dict's keys and values: the first refused one */
    if (t->kind == PTS_TY_TUPLE) items = PySequence_List(v);
    else if (t->kind == PTS_TY_DICT) {
        items = PyList_New(0);
        PyObject *k, *x;
        Py_ssize_t pos = 0;
        while (items && PyDict_Next(v, &pos, &k, &x))
            if (PyList_Append(items, k) < 0 || PyList_Append(items, x) < 0) Py_CLEAR(items);
    }
    if (items) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
            PyObject *e = PyList_GET_ITEM(items, i);
            const PtsType *et = t->kind == PTS_TY_TUPLE ? t->elems[i] : t->elems[i % 2];
            PtsValue ev;
            if (pyts_py_to_ivalue(e, &ev) < 0) { PyErr_Clear(); continue; }
            bool ok = pts_arg_converts(ev, et);
            pts_value_release(&ev);
            if (!ok) {
                PyObject *r = cast_details(e, et);
                Py_DECREF(items);
                return r;
            }
        }
        Py_DECREF(items);
    }
    PyErr_Clear();
    return PyUnicode_FromFormat("Cast error details: Unable to cast Python instance of type %R to C++ type '?' (#define "
                                "PYBIND11_DETAILED_ERROR_MESSAGES or compile in debug mode for details)", (PyObject *)Py_TYPE(v));
}

/* torch's message for an argument of f that does not convert: err's first line, then the position
 * (self counts), the value, f's declaration and the cast details; raised as RuntimeError */
static PyObject *raise_arg_error(const PtsFunction *f, PtsError *err, PyObject *v, int pos) {
    const PtsIrValue *p = f->graph->top->inputs[pos];
    PtsBuf b;
    pts_buf_init(&b);
    pts_function_decl_print(&b, f);
    PyObject *det = cast_details(v, p->type);
    if (det && !b.oom)
        PyErr_Format(PyExc_RuntimeError, "%s\nPosition: %d\nValue: %R\nDeclaration: %s\n%U", err->msg, pos, v,
                     b.data ? b.data : "", det);
    else if (det) PyErr_NoMemory();
    Py_XDECREF(det);
    pts_buf_free(&b);
    return NULL;
}

/* run a method: args exclude self. qual: the archive name of a free function, which a trace
 * records as one prim::CallFunction (NULL: the ops it runs are traced, if any) */
static PyObject *run_function_q(PtsFunction *f, PtsValue *self, PyObject *args, const char *qual);
static PyObject *run_function(PtsFunction *f, PtsValue *self, PyObject *args) { return run_function_q(f, self, args, NULL); }

static PyObject *run_function_q(PtsFunction *f, PtsValue *self, PyObject *args, const char *qual) {
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    int off = self ? 1 : 0;
    if (n + off > 64) return PyErr_Format(PyExc_TypeError, "too many arguments");
    PtsValue vals[64];
    if (self) vals[0] = pts_value_retain(*self);
    for (Py_ssize_t i = 0; i < n; i++)
        if (pyts_py_to_ivalue(PyTuple_GET_ITEM(args, i), &vals[i + off]) < 0) {
            for (Py_ssize_t k = 0; k < i + off; k++) pts_value_release(&vals[k]);
            return NULL;
        }
    int nret = pts_function_nret(f);
    PtsValue outs[8];
    PtsError err = { 0 };
    if (pyts_python_op_take_exc()) PyErr_Clear();   /* stale: left by a run that was not ours */
    PtsStatus s;
    int bad = -1;
    if (nret > 8) s = pts_fail(&err, PTS_ERR_RUNTIME, "too many results");
    else if ((s = pts_check_call_args_at(f, vals + off, (int)n, &err, &bad))) {
        /* a value of the wrong kind never reaches a kernel */
        if (bad >= 0) {
            for (Py_ssize_t k = 0; k < n + off; k++) pts_value_release(&vals[k]);
            return raise_arg_error(f, &err, PyTuple_GET_ITEM(args, bad), bad + off);
        }
    } else if (tag_call_args(f, vals + off, (int)n) < 0) {
        for (Py_ssize_t k = 0; k < n + off; k++) pts_value_release(&vals[k]);
        return NULL;
    } else if (pts_trace_active() && self) {
        /* a compiled module called while tracing: recorded as one CallMethod, control flow kept */
        s = pts_trace_record_method_call(*self, NULL, f, (int)n, vals + 1, outs, &err);
    } else if (pts_trace_active() && qual && !f->is_method) {
        /* a scripted function called while tracing: one prim::CallFunction, control flow kept */
        s = pts_trace_record_function_call(f, qual, (int)n, vals, outs, &err);
    } else {
        Py_BEGIN_ALLOW_THREADS
        s = pts_interp_run(f, vals, (int)n + off, outs, &err);
        Py_END_ALLOW_THREADS
    }
    for (Py_ssize_t k = 0; k < n + off; k++) pts_value_release(&vals[k]);
    if (s) return pyts_python_op_take_exc() ? NULL : pyts_raise(&err);
    if (nret == 1) return pyts_ivalue_to_py(&outs[0]);
    PyObject *t = PyTuple_New(nret);
    for (int i = 0; t && i < nret; i++) PyTuple_SET_ITEM(t, i, pyts_ivalue_to_py(&outs[i]));
    return t;
}

static PyObject *so_run(PyObject *self, PyObject *args) {
    const char *name;
    PyObject *margs;
    if (!PyArg_ParseTuple(args, "sO!", &name, &PyTuple_Type, &margs)) return NULL;
    PtsFunction *f = pts_class_find_method(OBJ(self)->cls, name);
    if (!f) return PyErr_Format(PyExc_AttributeError, "'%s' has no method '%s'", OBJ(self)->cls->qualname, name);
    return run_function(f, &((ScriptObjectPy *)self)->obj, margs);
}

/* ScriptModule.__call__'s fast path: forward with exactly its positional arguments. Anything
 * that needs binding (keywords, defaults, a wrong count for the error message) gets
 * NotImplemented and goes the Python way (_bind_args). */
static PyObject *so_call_forward(PyObject *self, PyObject *args) {
    if (!PyTuple_Check(args)) return PyErr_Format(PyExc_TypeError, "expected a tuple");
    PtsFunction *f = pts_class_find_method(OBJ(self)->cls, "forward");
    if (!f || !f->is_method || f->graph->top->ninputs != PyTuple_GET_SIZE(args) + 1) Py_RETURN_NOTIMPLEMENTED;
    return run_function(f, &((ScriptObjectPy *)self)->obj, args);
}

static PyObject *so_is(PyObject *self, PyObject *other) {
    return PyBool_FromLong(PyObject_TypeCheck(other, ScriptObject_Type) &&
                           ((ScriptObjectPy *)other)->obj.u.h == ((ScriptObjectPy *)self)->obj.u.h);
}

static PyMethodDef so_methods_def[] = {
    {"_get", so_get, METH_O, NULL},
    {"_set", so_set, METH_VARARGS, NULL},
    {"_attrs", so_attrs, METH_NOARGS, NULL},
    {"_qualname", so_qualname, METH_NOARGS, NULL},
    {"_methods", so_methods, METH_NOARGS, NULL},
    {"_method", so_method, METH_O, NULL},
    {"_call_forward", so_call_forward, METH_O, NULL},
    {"_add_method", so_add_method, METH_O, NULL},
    {"_run", so_run, METH_VARARGS, NULL},
    {"_same", so_is, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot so_slots[] = { {Py_tp_dealloc, so_dealloc}, {Py_tp_methods, so_methods_def}, {0, NULL} };
static PyType_Spec so_spec = { "pyts._C.ScriptObject", sizeof(ScriptObjectPy), 0, Py_TPFLAGS_DEFAULT, so_slots };

/* _C._make_object(qualname, is_module, [(name, kind, value), ...]) */
static PyObject *m_make_object(PyObject *self, PyObject *args) {
    (void)self;
    const char *qn;
    int is_module;
    PyObject *attrs;
    if (!PyArg_ParseTuple(args, "spO!", &qn, &is_module, &PyList_Type, &attrs)) return NULL;
    /* a script class's prototype starts a compilation unit (its methods, and the classes and
     * functions they compile on the way, join it) unless a compile running now made it; a module
     * class made outside compiles belongs to no unit (its objects hold it; the compiles of its
     * methods get units of their own, see script.c) */
    PtsUnit *fresh = NULL, *prev = NULL;
    if (!is_module && !pts_unit_current()) {
        if (!(fresh = pts_unit_new())) return PyErr_NoMemory();
        prev = pts_unit_enter(fresh);
    }
    PtsClassType *c = pts_class_new(qn, is_module);
    if (fresh) {
        pts_unit_leave(prev);
        pts_unit_release(fresh);   /* the class's reference holds it */
    }
    if (!c) return PyErr_NoMemory();
    Py_ssize_t n = PyList_GET_SIZE(attrs);
    PtsValue *vals = PyMem_Calloc((size_t)n + 1, sizeof(PtsValue));
    if (!vals) { pts_class_release(c); return PyErr_NoMemory(); }
    PyObject *result = NULL;
    Py_ssize_t got = 0;
    for (; got < n; got++) {
        const char *an, *kind, *ann = NULL;
        Py_ssize_t annlen = 0;
        PyObject *val, *annobj = NULL;
        /* (name, kind, value) or (name, kind, value, annotation): the class annotates the
         * attribute (`u: Union[int, str]`), so its type is that, not the value's; the annotation
         * is a NamedTuple's prototype for a NamedTuple value (its type, not a plain tuple's) */
        if (!PyArg_ParseTuple(PyList_GET_ITEM(attrs, got), "ssO|O", &an, &kind, &val, &annobj)) goto done;
        PtsObject *nt = NULL;
        if (annobj && PyUnicode_Check(annobj)) {
            if (!(ann = PyUnicode_AsUTF8AndSize(annobj, &annlen))) goto done;
        } else if (annobj) {
            nt = PyObject_TypeCheck(annobj, ScriptObject_Type) ? OBJ(annobj) : NULL;
            if (!nt || !nt->cls->is_namedtuple) {
                PyErr_Format(PyExc_TypeError, "attribute '%s': expected an annotation or a NamedTuple class", an);
                goto done;
            }
        }
        if (pyts_py_to_ivalue(val, &vals[got]) < 0) goto done;
        int k = PTS_ATTR_PLAIN;
        for (int j = 0; j < 5; j++) if (strcmp(kind, attr_kind_names[j]) == 0) k = j;
        PtsType *t = NULL;
        if (ann || nt) {
            PtsError te = { 0 };
            if (nt) {
                if (!(t = pts_type_namedtuple(nt->cls))) { got++; PyErr_NoMemory(); goto done; }
                ann = nt->cls->qualname;
            } else if (pts_annot_parse(ann, (size_t)annlen, NULL, NULL, &te, &t)) {
                got++;
                pyts_raise(&te);
                goto done;
            }
            if (!pts_value_fits(vals[got], t)) {
                pts_type_release(t);
                got++;
                PyErr_Format(PyExc_RuntimeError, "Module attribute '%s' is annotated as '%s' but its value does not "
                             "have that type", an, ann);
                goto done;
            }
            if (pts_class_add_attr(c, an, t, (PtsAttrKind)k) < 0) { got++; PyErr_NoMemory(); goto done; }
            continue;
        }
        switch (vals[got].tag) {
        case PTS_V_TENSOR: t = pts_type_tensor(); break;
        case PTS_V_OBJECT: t = pts_type_class(pts_as_object(vals[got])->cls); break;
        case PTS_V_HEAP: {   /* an enum member: its enum type */
            const PtsType *et;
            t = pts_enum_get(vals[got], &et, NULL, NULL) ? pts_type_retain((PtsType *)et) : pts_type_retain(pts_type_get(PTS_TY_ANY));
            break;
        }
        case PTS_V_BOOL: t = pts_type_get(PTS_TY_BOOL); break;
        case PTS_V_INT: t = pts_type_get(PTS_TY_INT); break;
        case PTS_V_DOUBLE: t = pts_type_get(PTS_TY_FLOAT); break;
        case PTS_V_COMPLEX: t = pts_type_get(PTS_TY_COMPLEX); break;
        case PTS_V_DEVICE: t = pts_type_get(PTS_TY_DEVICE); break;   /* self.dev = torch.device("cpu") */
        case PTS_V_STR: t = pts_type_get(PTS_TY_STR); break;
        case PTS_V_NONE: t = pts_type_get(PTS_TY_NONE); break;
        case PTS_V_LIST: case PTS_V_TUPLE: case PTS_V_DICT: {
            /* List[int], Tuple[int, float], Dict[str, Tensor]... from the contents */
            PtsError te = { 0 };
            t = pts_value_static_type(vals[got], NULL, &te);
            if (!t && te.code != PTS_ERR_NOMEM && te.code) t = pts_type_retain(pts_type_get(PTS_TY_ANY));  /* mixed: Any */
            if (!t) {
                got++;
                PyErr_NoMemory();
                goto done;
            }
            break;
        }
        default: t = pts_type_get(PTS_TY_ANY); break;
        }
        bool owned = vals[got].tag == PTS_V_OBJECT || vals[got].tag == PTS_V_LIST || vals[got].tag == PTS_V_TUPLE ||
                     vals[got].tag == PTS_V_DICT || vals[got].tag == PTS_V_HEAP;
        if (!t || pts_class_add_attr(c, an, pts_type_retain(t), (PtsAttrKind)k) < 0) {
            if (owned) pts_type_release(t);
            got++;
            PyErr_NoMemory();
            goto done;
        }
        if (owned) pts_type_release(t);
        if (k == PTS_ATTR_CONSTANT) {
            /* __constants__ / Final: also a class constant, which the compiler emits as prim::Constant */
            char *nm = pts_strdup(an);
            char **names = nm ? pts_realloc(c->const_names, sizeof(char *) * (size_t)(c->nconsts + 1)) : NULL;
            if (names) c->const_names = names;
            PtsValue *cv = names ? pts_realloc(c->const_values, sizeof(PtsValue) * (size_t)(c->nconsts + 1)) : NULL;
            if (cv) c->const_values = cv;
            if (!cv) { pts_free(nm); got++; PyErr_NoMemory(); goto done; }
            c->const_names[c->nconsts] = nm;
            c->const_values[c->nconsts++] = pts_value_retain(vals[got]);
        }
    }
    PtsValue obj;
    PtsError err = { 0 };
    if (pts_object_new(c, &err, &obj)) { pyts_raise(&err); goto done; }
    for (Py_ssize_t i = 0; i < n; i++) { pts_as_object(obj)->slots[i] = vals[i]; vals[i] = pts_none(); }
    result = wrap_object(obj);
done:
    for (Py_ssize_t i = 0; i < got; i++) pts_value_release(&vals[i]);
    PyMem_Free(vals);
    pts_class_release(c);
    return result;
}

/* ---- Function ---- */
static void fn_dealloc(PyObject *self) {
    pts_function_release(((FunctionPy *)self)->fn);
    pts_class_release(((FunctionPy *)self)->owner);
    pts_unit_release(((FunctionPy *)self)->unit);
    pts_value_release(&((FunctionPy *)self)->obj);
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}
static PyObject *fn_graph(PyObject *self, PyObject *u) {
    (void)u;
    char *s = pts_graph_str(((FunctionPy *)self)->fn->graph, NULL);
    if (!s) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(s);
    pts_free(s);
    return r;
}
/* graph_nodes(): [(kind, schema, depth)] of every node of the graph, nested blocks in order
 * after their owner (depth 0 for the top block); schema is the registry row's qualified schema text ("aten::add.Tensor(...)") or
 * None for prim nodes: what torch's node.kind() / node.schema() give. */
static int nodes_of_block(const PtsBlock *b, int depth, PyObject *l) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        PyObject *sch;
        if (pts_kind_is_op(n->kind)) {
            const char *txt = pts_op_info[n->kind].schema.text;
            sch = strstr(txt, "::") && strstr(txt, "::") < strchr(txt, '(')
                      ? PyUnicode_FromString(txt) : PyUnicode_FromFormat("aten::%s", txt);
        } else {
            sch = Py_NewRef(Py_None);
        }
        PyObject *t = sch ? Py_BuildValue("(sNi)", pts_node_kind_name(n->kind), sch, depth) : NULL;
        if (!t || PyList_Append(l, t) < 0) { Py_XDECREF(t); return -1; }
        Py_DECREF(t);
        for (int i = 0; i < n->nblocks; i++)
            if (nodes_of_block(n->blocks[i], depth + 1, l) < 0) return -1;
    }
    return 0;
}
static PyObject *fn_graph_nodes(PyObject *self, PyObject *u) {
    (void)u;
    const PtsGraph *g = ((FunctionPy *)self)->fn->graph;
    PyObject *l = PyList_New(0);
    if (l && g && nodes_of_block(g->top, 0, l) < 0) Py_CLEAR(l);
    return l;
}
static PyObject *fn_code(PyObject *self, PyObject *u) {
    (void)u;
    PtsBuf b;
    pts_buf_init(&b);
    PtsError err = { 0 };
    PtsValue consts;
    if (pts_list_new(PTS_V_LIST, 4, &err, &consts)) return pyts_raise(&err);
    PtsStatus s = pts_function_code(((FunctionPy *)self)->fn, false, &b, &consts, &err);
    if (s) { pts_buf_free(&b); pts_value_release(&consts); return pyts_raise(&err); }
    PyObject *code = PyUnicode_FromString(b.data ? b.data : "");
    pts_buf_free(&b);
    PyObject *cl = pyts_ivalue_to_py(&consts);
    if (!code || !cl) { Py_XDECREF(code); Py_XDECREF(cl); return NULL; }
    PyObject *r = PyTuple_Pack(2, code, cl);
    Py_DECREF(code);
    Py_DECREF(cl);
    return r;
}

static PyObject *fn_call(PyObject *self, PyObject *args, PyObject *kw) {
    if (kw && PyDict_GET_SIZE(kw)) return PyErr_Format(PyExc_TypeError, "keyword arguments are not supported here");
    PtsFunction *f = ((FunctionPy *)self)->fn;
    if (f->is_method) {
        if (PyTuple_GET_SIZE(args) < 1 || !PyObject_TypeCheck(PyTuple_GET_ITEM(args, 0), ScriptObject_Type))
            return PyErr_Format(PyExc_TypeError, "a method needs its object first");
        PyObject *rest = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
        if (!rest) return NULL;
        PyObject *r = run_function(f, &((ScriptObjectPy *)PyTuple_GET_ITEM(args, 0))->obj, rest);
        Py_DECREF(rest);
        return r;
    }
    return run_function(f, NULL, args);
}
static PyObject *fn_name(PyObject *self, void *c) { (void)c; return PyUnicode_FromString(((FunctionPy *)self)->fn->name); }
static PyObject *fn_arg_names(PyObject *self, PyObject *u) {
    (void)u;
    const PtsBlock *top = ((FunctionPy *)self)->fn->graph->top;
    PyObject *l = PyList_New(top->ninputs);
    for (int i = 0; l && i < top->ninputs; i++) {
        const PtsIrValue *v = top->inputs[i];
        PyList_SET_ITEM(l, i, v->name ? PyUnicode_FromString(v->name) : PyUnicode_FromFormat("%d", v->id));
    }
    return l;
}
/* [(name, has_default, default)] for the parameters after self: calls from Python bind keyword
 * arguments and fill defaults with it (scripted and loaded methods alike) */
static PyObject *fn_signature(PyObject *self, PyObject *u) {
    (void)u;
    const PtsFunction *f = ((FunctionPy *)self)->fn;
    const PtsBlock *top = f->graph->top;
    bool named = f->arg_names && f->nargs == top->ninputs;
    int first = f->is_method ? 1 : 0;
    PyObject *l = PyList_New(0);
    for (int i = first; l && i < top->ninputs; i++) {
        const char *nm = named ? f->arg_names[i] : top->inputs[i]->name;
        bool has = named && f->has_default && f->has_default[i];
        PtsValue dv = has ? pts_value_retain(f->defaults[i]) : pts_none();   /* the conversion steals */
        PyObject *d = has ? pyts_ivalue_to_py(&dv) : (Py_INCREF(Py_None), Py_None);
        PyObject *t = d ? Py_BuildValue("(sON)", nm ? nm : "", has ? Py_True : Py_False, d) : NULL;
        if (!t || PyList_Append(l, t) < 0) Py_CLEAR(l);
        Py_XDECREF(t);
    }
    return l;
}
/* f's declaration as torch's call errors print it */
static PyObject *fn_decl(PyObject *self, PyObject *u) {
    (void)u;
    PtsBuf b;
    pts_buf_init(&b);
    pts_function_decl_print(&b, ((FunctionPy *)self)->fn);
    PyObject *r = b.oom ? PyErr_NoMemory() : PyUnicode_FromString(b.data ? b.data : "");
    pts_buf_free(&b);
    return r;
}
/* whether f is already lowered to interpreter code: script(), trace() and load() do it eagerly so
 * that a first call does no per-function work (tests/test_first_call.py) */
static PyObject *fn_lowered(PyObject *self, PyObject *u) {
    (void)u;
    return PyBool_FromLong(atomic_load_explicit((_Atomic(struct PtsCode *) *)&((FunctionPy *)self)->fn->code,
                                                memory_order_acquire) != NULL);
}

static PyMethodDef fn_methods[] = {
    {"_lowered", fn_lowered, METH_NOARGS, "whether the function is lowered to interpreter code"},
    {"signature", fn_signature, METH_NOARGS, "[(name, has_default, default)] of the parameters after self"},
    {"graph_str", fn_graph, METH_NOARGS, NULL},
    {"graph_nodes", fn_graph_nodes, METH_NOARGS, "[(kind, schema or None, depth)] of the graph's nodes"},
    {"decl", fn_decl, METH_NOARGS, "the declaration torch's call errors print"},
    {"arg_names", fn_arg_names, METH_NOARGS, NULL},
    {"code", fn_code, METH_NOARGS, "(source, constants)"},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef fn_getset[] = { {"name", fn_name, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL, NULL} };
static PyType_Slot fn_slots[] = {
    {Py_tp_dealloc, fn_dealloc}, {Py_tp_methods, fn_methods}, {Py_tp_call, fn_call}, {Py_tp_getset, fn_getset}, {0, NULL},
};
static PyType_Spec fn_spec = { "pyts._C.Function", sizeof(FunctionPy), 0, Py_TPFLAGS_DEFAULT, fn_slots };

/* ---- tracing ---- */
static PyObject *m_trace_push(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *obj, *inputs, *names, *scope;
    if (!PyArg_ParseTuple(args, "OO!O!O", &obj, &PyTuple_Type, &inputs, &PyTuple_Type, &names, &scope)) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(inputs);
    if (n > 64 || PyTuple_GET_SIZE(names) != n) return PyErr_Format(PyExc_ValueError, "bad trace inputs");
    PtsValue self_v = pts_none(), vals[64];
    const char *nm[64];
    if (obj != Py_None) {
        if (!PyObject_TypeCheck(obj, ScriptObject_Type)) return PyErr_Format(PyExc_TypeError, "expected a ScriptObject");
        self_v = ((ScriptObjectPy *)obj)->obj;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *nmo = PyTuple_GET_ITEM(names, i);
        nm[i] = nmo == Py_None ? NULL : PyUnicode_AsUTF8(nmo);
        if (pyts_py_to_ivalue(PyTuple_GET_ITEM(inputs, i), &vals[i]) < 0) {
            for (Py_ssize_t k = 0; k < i; k++) pts_value_release(&vals[k]);
            return NULL;
        }
    }
    PtsError err = { 0 };
    const char *sc = scope == Py_None ? NULL : PyUnicode_AsUTF8(scope);
    PtsStatus s = pts_trace_push(self_v, (int)n, vals, nm, sc, &err);
    for (Py_ssize_t k = 0; k < n; k++) pts_value_release(&vals[k]);
    if (s) return pyts_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *m_trace_pop(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *out;
    int record;
    const char *name = NULL;
    if (!PyArg_ParseTuple(args, "Op|z", &out, &record, &name)) return NULL;
    PtsValue v;
    if (pyts_py_to_ivalue(out, &v) < 0) { pts_trace_abort(); return NULL; }
    PtsError err = { 0 };
    PtsFunction *f;
    PtsStatus s = pts_trace_pop(v, record, &err, &f);
    pts_value_release(&v);
    if (s) return pyts_raise(&err);
    if (name) {
        char *nn = pts_strdup(name);
        if (!nn) { pts_function_release(f); return PyErr_NoMemory(); }
        pts_free(f->name);
        f->name = nn;
    }
    return wrap_function(f);
}

static PyObject *m_trace_abort(PyObject *self, PyObject *u) { (void)self; (void)u; pts_trace_abort(); Py_RETURN_NONE; }
static PyObject *m_trace_depth(PyObject *self, PyObject *u) { (void)self; (void)u; return PyLong_FromLong(pts_trace_depth()); }

/* _trace_call_function(fn, qualname, args): call a compiled free function; while tracing, the
 * trace records prim::CallFunction of it (pyts/jit/_script.py's ScriptedFunction) */
static PyObject *m_trace_call_function(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fo, *margs;
    const char *qual;
    if (!PyArg_ParseTuple(args, "O!sO!", Function_Type, &fo, &qual, &PyTuple_Type, &margs)) return NULL;
    PtsFunction *f = ((FunctionPy *)fo)->fn;
    if (f->is_method) return PyErr_Format(PyExc_TypeError, "expected a free function");
    /* tensor arguments bound to a local of the caller (the frame that called the Python wrapper)
     * take its name, as op arguments do */
    PyFrameObject *fr = pts_trace_active() ? PyEval_GetFrame() : NULL;
    PyFrameObject *back = fr ? PyFrame_GetBack(fr) : NULL;
    PyObject *locals = back ? PyFrame_GetLocals(back) : NULL;
    if (locals && PyDict_Check(locals))
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(margs); i++) {
            PyObject *a = PyTuple_GET_ITEM(margs, i), *k, *v;
            Py_ssize_t pos = 0;
            if (!PytsTensor_Check(a)) continue;
            while (PyDict_Next(locals, &pos, &k, &v)) {
                if (v != a || !PyUnicode_Check(k)) continue;
                const char *nm = PyUnicode_AsUTF8(k);
                if (nm && strcmp(nm, "self") != 0) pts_trace_name_tensor(pyts_tensor_of(a), nm);
                break;
            }
        }
    Py_XDECREF(locals);
    Py_XDECREF(back);
    PyErr_Clear();
    return run_function_q(f, NULL, margs, qual);
}

/* torch.jit.fork / wait while tracing (pyts/jit/_fork.py): see trace.h */
static PyObject *m_trace_fork_begin(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    PtsError err = { 0 };
    if (pts_trace_fork_begin(&err)) return pyts_raise(&err);
    Py_RETURN_NONE;
}
static PyObject *m_trace_fork_abort(PyObject *self, PyObject *u) { (void)self; (void)u; pts_trace_fork_abort(); Py_RETURN_NONE; }
static PyObject *trace_fork_value(PyObject *o, int64_t token, bool end) {
    PtsValue v;
    if (pyts_py_to_ivalue(o, &v) < 0) {
        if (end) pts_trace_fork_abort();
        return NULL;
    }
    PtsError err = { 0 };
    int64_t tok = -1;
    PtsStatus st = end ? pts_trace_fork_end(v, &err, &tok) : pts_trace_wait(token, v, &err);
    pts_value_release(&v);
    if (st) return pyts_raise(&err);
    return PyLong_FromLongLong(tok);
}
static PyObject *m_trace_fork_end(PyObject *self, PyObject *o) { (void)self; return trace_fork_value(o, -1, true); }
static PyObject *m_trace_wait(PyObject *self, PyObject *args) {
    (void)self;
    long long token;
    PyObject *o;
    if (!PyArg_ParseTuple(args, "LO", &token, &o)) return NULL;
    return trace_fork_value(o, token, false);
}

/* ---- TracerWarning: Python-side uses of a traced tensor's value ---- */
static PyObject *tracer_warning_cls;

static PyObject *m_set_tracer_warning(PyObject *self, PyObject *cls) {
    (void)self;
    Py_XSETREF(tracer_warning_cls, Py_NewRef(cls));
    Py_RETURN_NONE;
}

int pyts_trace_warn(const char *what) {
    if (!pts_trace_active() || !tracer_warning_cls) return 0;
    char msg[512];
    if (strncmp(what, "Iterating", 9) == 0 || strncmp(what, "Using len", 9) == 0)
        snprintf(msg, sizeof msg, "%s", what);
    else
        snprintf(msg, sizeof msg,
                 "Converting a tensor to %s might cause the trace to be incorrect. We can't record the "
                 "data flow of Python values, so this value will be treated as a constant in the future. "
                 "This means that the trace might not generalize to other inputs!", what);
    /* stacklevel 1 names the Python line that made the conversion */
    return PyErr_WarnEx(tracer_warning_cls, msg, 1);
}

/* ---- IR passes and the verifier (s2-ir): _C._ir_* on Function objects ---- */
static PtsFunction *ir_fn_arg(PyObject *o) {
    PtsFunction *f = pyts_function_of(o);
    if (!f) PyErr_SetString(PyExc_TypeError, "expected a pyts._C.Function");
    return f;
}

static PyObject *graph_text(const PtsGraph *g) {
    char *s = pts_graph_str(g, NULL);
    if (!s) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(s);
    pts_free(s);
    return r;
}

/* a Function of nf, a copy of fo's graph (passes, corruption): it borrows what fo's graph
 * borrows, so it holds fo's class and the unit of fo's function */
static PyObject *wrap_copy(PtsFunction *nf, PyObject *fo) {
    PyObject *w = wrap_function(nf);
    if (!w) return NULL;
    FunctionPy *src = (FunctionPy *)fo, *dst = (FunctionPy *)w;
    dst->owner = pts_class_retain(src->owner);
    dst->unit = pts_unit_retain(src->fn->unit ? src->fn->unit : src->unit);
    return w;
}

/* _ir_inlined_graph(fn) -> str: the graph with every call inlined (`.inlined_graph`) */
static PyObject *m_ir_inlined_graph(PyObject *self, PyObject *fo) {
    (void)self;
    PtsFunction *f = ir_fn_arg(fo);
    if (!f) return NULL;
    PtsError err = { 0 };
    PtsGraph *g;
    if (pts_graph_inlined(f->graph, &err, &g)) return pyts_raise(&err);
    PyObject *r = graph_text(g);
    pts_graph_free(g);
    return r;
}

/* _ir_run_passes(fn, ("inline", "constprop", "dce", "cse", "pool"), name) -> Function on a copy */
static PyObject *m_ir_run_passes(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fo, *names;
    if (!PyArg_ParseTuple(args, "OO!", &fo, &PyTuple_Type, &names)) return NULL;
    PtsFunction *f = ir_fn_arg(fo);
    if (!f) return NULL;
    PtsError err = { 0 };
    PtsGraph *g;
    if (pts_graph_copy(f->graph, &err, &g)) return pyts_raise(&err);
    PtsStatus s = PTS_OK;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names) && !s; i++) {
        const char *n = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
        if (!n) { pts_graph_free(g); return NULL; }
        if (strcmp(n, "inline") == 0) s = pts_pass_inline(g, &err);
        else if (strcmp(n, "constprop") == 0) s = pts_pass_constant_propagation(g, &err);
        else if (strcmp(n, "dce") == 0) pts_pass_dce(g);
        else if (strcmp(n, "cse") == 0) s = pts_pass_cse(g, &err);
        else if (strcmp(n, "pool") == 0) s = pts_pass_constant_pooling(g, &err);
        else if (strcmp(n, "verify") == 0) s = pts_graph_verify(g, &err);
        else { pts_graph_free(g); return PyErr_Format(PyExc_ValueError, "unknown pass '%s'", n); }
    }
    if (!s) s = pts_graph_maybe_verify(g, &err);
    if (s) { pts_graph_free(g); return pyts_raise(&err); }
    PtsFunction *nf = pts_function_new(f->name, g, f->is_method);
    if (!nf) return PyErr_NoMemory();
    return wrap_copy(nf, fo);
}

/* _ir_corrupt(fn, kind) -> Function whose graph is deliberately broken (verifier tests):
 * "order" moves the last node first, "arity" gives the first op node an extra input,
 * "block" drops an output of the first If/Loop block, "use" forgets a use-list entry. */
static PtsNode *ir_first_with_blocks(PtsBlock *b) {
    for (PtsNode *n = b->first; n; n = n->next) {
        if (n->nblocks && n->blocks[0]->noutputs) return n;
        for (int i = 0; i < n->nblocks; i++) {
            PtsNode *r = ir_first_with_blocks(n->blocks[i]);
            if (r) return r;
        }
    }
    return NULL;
}

static PyObject *m_ir_corrupt(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fo;
    const char *kind;
    if (!PyArg_ParseTuple(args, "Os", &fo, &kind)) return NULL;
    PtsFunction *f = ir_fn_arg(fo);
    if (!f) return NULL;
    PtsError err = { 0 };
    PtsGraph *g;
    if (pts_graph_copy(f->graph, &err, &g)) return pyts_raise(&err);
    PtsBlock *top = g->top;
    bool done = false;
    if (strcmp(kind, "order") == 0 && top->first && top->last != top->first && top->last->ninputs) {
        pts_node_move_before(top->last, top->first);
        done = true;
    } else if (strcmp(kind, "arity") == 0) {
        for (PtsNode *n = top->first; n && !done; n = n->next)
            if (pts_kind_is_op(n->kind) && n->ninputs) {
                for (int k = pts_op_info[n->kind].schema.nargs - n->ninputs + 1; k > 0; k--)
                    if (pts_node_add_input(g, n, n->inputs[0], &err)) break;
                done = true;
            }
    } else if (strcmp(kind, "block") == 0) {
        PtsNode *n = ir_first_with_blocks(top);
        if (n) {
            PtsBlock *b = n->blocks[0];
            PtsIrValue *v = b->outputs[b->noutputs - 1];
            for (int i = 0; i < v->nuses; i++)
                if (v->uses[i].block == b && v->uses[i].index == b->noutputs - 1) { v->uses[i] = v->uses[--v->nuses]; break; }
            b->noutputs--;
            done = true;
        }
    } else if (strcmp(kind, "use") == 0 && top->ninputs && top->inputs[top->ninputs - 1]->nuses) {
        top->inputs[top->ninputs - 1]->nuses--;
        done = true;
    }
    if (!done) { pts_graph_free(g); return PyErr_Format(PyExc_ValueError, "cannot corrupt this graph as '%s'", kind); }
    PtsFunction *nf = pts_function_new(f->name, g, f->is_method);
    if (!nf) return PyErr_NoMemory();
    return wrap_copy(nf, fo);
}

static PyObject *m_ir_verify(PyObject *self, PyObject *fo) {
    (void)self;
    PtsFunction *f = ir_fn_arg(fo);
    if (!f) return NULL;
    PtsError err = { 0 };
    if (pts_graph_verify(f->graph, &err)) return pyts_raise(&err);
    Py_RETURN_NONE;
}

/* _ir_live() -> (units, class types, functions, graphs) alive now: leak tests */
static PyObject *m_ir_live(PyObject *self, PyObject *u) {
    (void)self;
    (void)u;
    long n[4];
    pts_ir_live_counts(n);
    return Py_BuildValue("(llll)", n[0], n[1], n[2], n[3]);
}

static PyObject *m_ir_set_verify(PyObject *self, PyObject *on) {
    (void)self;
    int b = PyObject_IsTrue(on);
    if (b < 0) return NULL;
    bool was = pts_graph_verify_enabled();
    pts_graph_set_verify(b);
    return PyBool_FromLong(was);
}

static PyMethodDef ir_functions[] = {
    {"_ir_inlined_graph", m_ir_inlined_graph, METH_O, NULL},
    {"_ir_run_passes", m_ir_run_passes, METH_VARARGS, NULL},
    {"_ir_corrupt", m_ir_corrupt, METH_VARARGS, NULL},
    {"_ir_verify", m_ir_verify, METH_O, NULL},
    {"_ir_live", m_ir_live, METH_NOARGS, "_ir_live() -> (units, class types, functions, graphs) alive"},
    {"_ir_set_verify", m_ir_set_verify, METH_O, "turn graph verification on/off; returns the old setting"},
    {NULL, NULL, 0, NULL},
};
/* ---- end of the IR block ---- */

static PyMethodDef jit_functions[] = {
    {"_set_tracer_warning", m_set_tracer_warning, METH_O, NULL},
    {"_make_object", m_make_object, METH_VARARGS, "make a module/class object: (qualname, is_module, [(name, kind, value)])"},
    {"_trace_push", m_trace_push, METH_VARARGS, NULL},
    {"_trace_pop", m_trace_pop, METH_VARARGS, NULL},
    {"_trace_abort", m_trace_abort, METH_NOARGS, NULL},
    {"_trace_depth", m_trace_depth, METH_NOARGS, NULL},
    {"_trace_call_function", m_trace_call_function, METH_VARARGS, NULL},
    {"_trace_fork_begin", m_trace_fork_begin, METH_NOARGS, NULL},
    {"_trace_fork_end", m_trace_fork_end, METH_O, NULL},
    {"_trace_fork_abort", m_trace_fork_abort, METH_NOARGS, NULL},
    {"_trace_wait", m_trace_wait, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

int pyts_jit_setup(PyObject *m) {
    ScriptObject_Type = (PyTypeObject *)PyType_FromSpec(&so_spec);
    Function_Type = (PyTypeObject *)PyType_FromSpec(&fn_spec);
    if (!ScriptObject_Type || !Function_Type) return -1;
    if (PyModule_AddObjectRef(m, "ScriptObject", (PyObject *)ScriptObject_Type) < 0) return -1;
    if (PyModule_AddObjectRef(m, "Function", (PyObject *)Function_Type) < 0) return -1;
    if (PyModule_AddFunctions(m, ir_functions) < 0) return -1;
    return PyModule_AddFunctions(m, jit_functions);
}
