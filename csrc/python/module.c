/* module.c: the pyts._C extension module: initialisation, the dtype type, exception mapping,
 * and introspection of the registry for tests. */
#define PYTS_IMPORT_ARRAY_HERE
#include "pyts_python.h"
#include "../ops/lapack.h"

PyTypeObject *PytsDType_Type;
PyObject *pyts_dtype_objs[PTS_DTYPE_SLOTS];
PyObject *PytsExc_CompileError, *PytsExc_ArchiveError;
static PyObject *PytsExc_LinAlgError;   /* torch.linalg.LinAlgError's counterpart (k_lapack.c) */

/* ---- status -> exception ---- */
PyObject *pyts_raise(const PtsError *err) {
    PyObject *exc = PyExc_RuntimeError;
    switch (err->code) {
    case PTS_ERR_NOMEM: exc = PyExc_MemoryError; break;
    case PTS_ERR_TYPE: exc = PyExc_TypeError; break;
    case PTS_ERR_VALUE: exc = PyExc_ValueError; break;
    case PTS_ERR_INDEX: exc = PyExc_IndexError; break;
    case PTS_ERR_SYNTAX:
    case PTS_ERR_COMPILE: exc = PytsExc_CompileError; break;
    case PTS_ERR_FORMAT: exc = PytsExc_ArchiveError; break;
    case PTS_ERR_NOTIMPL: exc = PyExc_NotImplementedError; break;
    case PTS_ERR_INTERNAL: exc = PyExc_SystemError; break;
    default: break;
    }
    if (PytsExc_LinAlgError && pts_linalg_error_is(err)) exc = PytsExc_LinAlgError;
    PyErr_SetString(exc, err->msg[0] ? err->msg : pts_status_name(err->code));
    return NULL;
}

/* ---- dtype ---- */
static PyObject *dtype_repr(PyObject *self) {
    return PyUnicode_FromFormat("pyts.%s", pts_dtype_name((PtsDType)((PytsDTypeObject *)self)->id));
}
static PyObject *dtype_is_fp(PyObject *self, void *c) {
    (void)c;
    return PyBool_FromLong(pts_dtype_is_float((PtsDType)((PytsDTypeObject *)self)->id));
}
static PyObject *dtype_is_complex(PyObject *self, void *c) {
    (void)c;
    return PyBool_FromLong(pts_dtype_is_complex((PtsDType)((PytsDTypeObject *)self)->id));
}
static PyObject *dtype_is_signed(PyObject *self, void *c) {
    (void)c;
    int id = ((PytsDTypeObject *)self)->id;
    return PyBool_FromLong(id != PTS_UINT8 && id != PTS_BOOL);
}
static PyObject *dtype_itemsize(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromSize_t(pts_dtype_size((PtsDType)((PytsDTypeObject *)self)->id));
}
static PyObject *dtype_id(PyObject *self, void *c) { (void)c; return PyLong_FromLong(((PytsDTypeObject *)self)->id); }
static PyObject *dtype_reduce(PyObject *self, PyObject *u) {
    (void)u;
    return PyUnicode_FromString(pts_dtype_name((PtsDType)((PytsDTypeObject *)self)->id));
}

static PyGetSetDef dtype_getset[] = {
    {"is_floating_point", dtype_is_fp, NULL, NULL, NULL},
    {"is_signed", dtype_is_signed, NULL, NULL, NULL},
    {"is_complex", dtype_is_complex, NULL, NULL, NULL},
    {"itemsize", dtype_itemsize, NULL, NULL, NULL},
    {"_id", dtype_id, NULL, "PyTorch's ScalarType number", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyMethodDef dtype_methods[] = {
    {"__reduce__", dtype_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot dtype_slots[] = {
    {Py_tp_repr, dtype_repr},
    {Py_tp_getset, dtype_getset},
    {Py_tp_methods, dtype_methods},
    {0, NULL},
};
static PyType_Spec dtype_spec = { "pyts.dtype", sizeof(PytsDTypeObject), 0, Py_TPFLAGS_DEFAULT, dtype_slots };

static int setup_dtypes(PyObject *m) {
    PytsDType_Type = (PyTypeObject *)PyType_FromSpec(&dtype_spec);
    if (!PytsDType_Type) return -1;
    if (PyModule_AddObjectRef(m, "dtype", (PyObject *)PytsDType_Type) < 0) return -1;
    PyObject *d = PyDict_New();
    if (!d) return -1;
#define PTS_DTYPE(ID, v, ct, name, kind, sz)                                                   \
    {                                                                                          \
        PytsDTypeObject *o = PyObject_New(PytsDTypeObject, PytsDType_Type);                    \
        if (!o) return -1;                                                                     \
        o->id = v;                                                                             \
        pyts_dtype_objs[v] = (PyObject *)o;                                                    \
        if (PyDict_SetItemString(d, name, (PyObject *)o) < 0) return -1;                       \
    }
#include "../tensor/dtypes.def"
#undef PTS_DTYPE
    return PyModule_AddObject(m, "_dtypes", d);
}

/* ---- module functions ---- */
static PyObject *m_ops(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    PyObject *l = PyList_New(PTS_OP__COUNT);
    for (int i = 0; l && i < PTS_OP__COUNT; i++) {
        const PtsOpInfo *o = &pts_op_info[i];
        PyObject *t = Py_BuildValue("(sssI)", o->id_name, o->schema.text, o->schema.name, o->flags);
        if (!t) { Py_DECREF(l); return NULL; }
        PyList_SET_ITEM(l, i, t);
    }
    return l;
}

static PyObject *m_blas_name(PyObject *self, PyObject *u);
int pyts_format_setup(PyObject *module);   /* format.c: _format_tensor, _set/_get_printoptions */
int pyts_script_setup(PyObject *module);   /* script.c: the script compiler */
int pyts_tensor_copy_setup(PyObject *module);   /* tensor_copy.c: deepcopy and pickle data */
int pyts_interp_io_setup(PyObject *module);    /* interp_io.c: print and warn into Python */
int pyts_future_setup(PyObject *module);       /* future.c: futures, the inter-op pool */
int pyts_jitapi_setup(PyObject *module);       /* jitapi.c: freezing */
static PyObject *m_set_num_threads(PyObject *self, PyObject *n);
static PyObject *m_get_num_threads(PyObject *self, PyObject *u);

static PyObject *m_set_default_dtype(PyObject *self, PyObject *d) {
    (void)self;
    if (!PyObject_TypeCheck(d, PytsDType_Type)) return PyErr_Format(PyExc_TypeError, "expected a pyts.dtype");
    int id = ((PytsDTypeObject *)d)->id;
    if (!pts_dtype_is_float((PtsDType)id) || id == PTS_FLOAT16 || id == PTS_BFLOAT16)
        return PyErr_Format(PyExc_TypeError, "only floating-point types are supported as the default type");
    pts_set_default_dtype((PtsDType)id);
    Py_RETURN_NONE;
}
static PyObject *m_get_default_dtype(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    return Py_NewRef(pyts_dtype_objs[pts_default_dtype()]);
}

static PyObject *m_promote_types(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "O!O!", PytsDType_Type, &a, PytsDType_Type, &b)) return NULL;
    return Py_NewRef(pyts_dtype_objs[pts_promote_types(((PytsDTypeObject *)a)->id, ((PytsDTypeObject *)b)->id)]);
}

static PyMethodDef module_methods[] = {
    {"_ops", m_ops, METH_NOARGS, "the registry rows: (id, schema, name, flags)"},
    {"tensor", (PyCFunction)(void (*)(void))pyts_tensor_new_from_data, METH_VARARGS | METH_KEYWORDS, "tensor(data, dtype=None)"},
    {"from_numpy", pyts_from_numpy, METH_O, "a tensor sharing a NumPy array's memory"},
    {"blas_name", m_blas_name, METH_NOARGS, "the BLAS library in use"},
    {"set_num_threads", m_set_num_threads, METH_O, "set BLAS threads"},
    {"get_num_threads", m_get_num_threads, METH_NOARGS, "BLAS threads"},
    {"set_default_dtype", m_set_default_dtype, METH_O, NULL},
    {"get_default_dtype", m_get_default_dtype, METH_NOARGS, NULL},
    {"promote_types", m_promote_types, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = { PyModuleDef_HEAD_INIT, "pyts._C", "pyts C core", -1, module_methods,
                                        NULL, NULL, NULL, NULL };

/* BLAS entry points are provided by ops/blas.c; stubs until it exists */
#include "../ops/blas.h"
#include "../base/pool.h"
static PyObject *m_blas_name(PyObject *self, PyObject *u) { (void)self; (void)u; return PyUnicode_FromString(pts_blas_name()); }
static PyObject *m_set_num_threads(PyObject *self, PyObject *n) {
    (void)self;
    long v = PyLong_AsLong(n);
    if (v == -1 && PyErr_Occurred()) return NULL;
    if (v < 1) return PyErr_Format(PyExc_RuntimeError, "set_num_threads expects a positive integer");
    pts_set_num_threads((int)v);
    Py_RETURN_NONE;
}
static PyObject *m_get_num_threads(PyObject *self, PyObject *u) { (void)self; (void)u; return PyLong_FromLong(pts_num_threads()); }

int pyts_numpy_import(void) {
    if (PyArray_API) return 0;
    return PyArray_ImportNumPyAPI();
}

int pyts_numpy_ready(void) {
    if (PyArray_API) return 1;
    static PyObject *name;
    if (!name && !(name = PyUnicode_InternFromString("numpy"))) { PyErr_Clear(); return 0; }
    PyObject *np = PyImport_GetModule(name);
    if (!np) { PyErr_Clear(); return 0; }
    Py_DECREF(np);
    if (PyArray_ImportNumPyAPI() < 0) { PyErr_Clear(); return 0; }
    return 1;
}

PyMODINIT_FUNC PyInit__C(void) {
    PtsError err = { 0 };
    if (pts_ops_init(&err)) return pyts_raise(&err);
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    PytsExc_CompileError = PyErr_NewException("pyts._C.CompileError", PyExc_RuntimeError, NULL);
    PytsExc_ArchiveError = PyErr_NewException("pyts._C.ArchiveError", PyExc_RuntimeError, NULL);
    if (!PytsExc_CompileError || !PytsExc_ArchiveError) goto fail;
    if (PyModule_AddObjectRef(m, "CompileError", PytsExc_CompileError) < 0) goto fail;
    if (PyModule_AddObjectRef(m, "ArchiveError", PytsExc_ArchiveError) < 0) goto fail;
    PytsExc_LinAlgError = PyErr_NewException("pyts._C._LinAlgError", PyExc_RuntimeError, NULL);
    if (!PytsExc_LinAlgError || PyModule_AddObjectRef(m, "_LinAlgError", PytsExc_LinAlgError) < 0) goto fail;
    if (setup_dtypes(m) < 0) goto fail;
    if (pyts_device_setup(m) < 0) goto fail;
    if (pyts_tensor_setup(m) < 0) goto fail;
    if (pyts_ops_setup(m) < 0) goto fail;
    if (pyts_jit_setup(m) < 0) goto fail;
    if (pyts_format_setup(m) < 0) goto fail;
    if (pyts_generator_setup(m) < 0) goto fail;
    if (pyts_autograd_setup(m) < 0) goto fail;
    if (pyts_serial_setup(m) < 0) goto fail;
    if (pyts_script_setup(m) < 0) goto fail;
    if (pyts_tensor_copy_setup(m) < 0) goto fail;
    if (pyts_interp_io_setup(m) < 0) goto fail;
    if (pyts_future_setup(m) < 0) goto fail;
    if (pyts_jitapi_setup(m) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
