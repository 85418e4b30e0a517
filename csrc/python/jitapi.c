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

static PyMethodDef jitapi_functions[] = {
    {"_freeze_module", m_freeze_module, METH_VARARGS, "_freeze_module(obj, preserved_attrs) -> frozen ScriptObject"},
    {"_optimize_frozen_graph", m_optimize_frozen_graph, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

int pyts_jitapi_setup(PyObject *m) { return PyModule_AddFunctions(m, jitapi_functions); }
