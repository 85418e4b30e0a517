/* jitapi.c: Python access to module freezing (pyts.jit.freeze, run_frozen_optimizations). */
#include "pyts_python.h"

#include "../ir/ir.h"
#include "../interp/interp.h"

/* _freeze_module(obj, [names]) -> ScriptObject */
static PyObject *m_freeze_module(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *mo, *names;
    if (!PyArg_ParseTuple(args, "OO!", &mo, &PyList_Type, &names)) return NULL;
    PtsObject *obj = pyts_script_object(mo);
    if (!obj) return PyErr_Format(PyExc_TypeError, "expected a ScriptObject");
    Py_ssize_t n = PyList_GET_SIZE(names);
    const char **cn = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    if (!cn) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PyList_GET_ITEM(names, i);
        if (!PyUnicode_Check(it)) {
            PyMem_Free(cn);
            return PyErr_Format(PyExc_TypeError, "preserved_attrs must be a list of str, not %s", Py_TYPE(it)->tp_name);
        }
        if (!(cn[i] = PyUnicode_AsUTF8(it))) { PyMem_Free(cn); return NULL; }
    }
    PtsValue mod, out;
    if (pyts_py_to_ivalue(mo, &mod) < 0) { PyMem_Free(cn); return NULL; }
    PtsError err = { 0 };
    PtsStatus s = pts_module_freeze(mod, (int)n, cn, &err, &out);
    pts_value_release(&mod);
    PyMem_Free(cn);
    if (s) return pyts_raise(&err);
    return pyts_ivalue_to_py(&out);
}

/* _optimize_frozen_graph(fn, optimize_numerics): in place on fn's graph */
static PyObject *m_optimize_frozen_graph(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fo;
    int numerics;
    if (!PyArg_ParseTuple(args, "Op", &fo, &numerics)) return NULL;
    PtsFunction *f = pyts_function_of(fo);
    if (!f || !f->graph) return PyErr_Format(PyExc_TypeError, "expected a compiled function");
    PtsError err = { 0 };
    if (pts_pass_optimize_frozen(f->graph, numerics, &err)) return pyts_raise(&err);
    /* the interpreter form, if built, is of the old graph */
    if (f->code && pts_code_free_hook) {
        pts_code_free_hook(f->code);
        f->code = NULL;
    }
    Py_RETURN_NONE;
}

/* the registry ops of a block and its nested blocks, as "ns::name.overload", into set */
static int add_opnames(const PtsBlock *b, PyObject *set) {
    for (const PtsNode *n = b->first; n; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) if (add_opnames(n->blocks[i], set) < 0) return -1;
        if (!pts_kind_is_op(n->kind)) continue;
        const PtsSchema *s = &pts_op_info[n->kind].schema;
        PyObject *name = s->overload && *s->overload ? PyUnicode_FromFormat("%s.%s", s->qualname, s->overload)
                                                     : PyUnicode_FromString(s->qualname);
        if (!name || PySet_Add(set, name) < 0) { Py_XDECREF(name); return -1; }
        Py_DECREF(name);
    }
    return 0;
}

/* _export_opnames(obj) -> sorted list of the ops obj's methods run (calls inlined) */
static PyObject *m_export_opnames(PyObject *self, PyObject *mo) {
    (void)self;
    PtsObject *obj = pyts_script_object(mo);
    if (!obj) return PyErr_Format(PyExc_TypeError, "expected a ScriptObject");
    PyObject *set = PySet_New(NULL);
    if (!set) return NULL;
    for (int i = 0; i < obj->cls->nmethods; i++) {
        const PtsFunction *f = obj->cls->methods[i];
        if (!f->graph) continue;
        PtsError err = { 0 };
        PtsGraph *g;
        if (pts_graph_inlined(f->graph, &err, &g)) { Py_DECREF(set); return pyts_raise(&err); }
        int r = add_opnames(g->top, set);
        pts_graph_free(g);
        if (r < 0) { Py_DECREF(set); return NULL; }
    }
    PyObject *l = PySequence_List(set);
    Py_DECREF(set);
    if (l && PyList_Sort(l) < 0) Py_CLEAR(l);
    return l;
}

static PyMethodDef jitapi_functions[] = {
    {"_export_opnames", m_export_opnames, METH_O, NULL},
    {"_freeze_module", m_freeze_module, METH_VARARGS, "_freeze_module(obj, preserved_attrs) -> frozen ScriptObject"},
    {"_optimize_frozen_graph", m_optimize_frozen_graph, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

int pyts_jitapi_setup(PyObject *m) { return PyModule_AddFunctions(m, jitapi_functions); }
