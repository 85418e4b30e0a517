/* pyts_python.h: internal header of the pyts._C extension (the only layer that includes
 * Python.h). The Tensor type, value conversion between Python objects and PtsValue, registry
 * generated functions and methods, and status -> exception mapping. */
#ifndef PYTS_PYTHON_H
#define PYTS_PYTHON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL pyts_ARRAY_API
#ifndef PYTS_IMPORT_ARRAY_HERE
#define NO_IMPORT_ARRAY
#endif
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "../ops/ops.h"

/* NumPy is imported lazily: `import pyts` does not pay for `import numpy`. Until the user imports
 * NumPy no NumPy object can reach us, so the checks below are false without loading it. */
int pyts_numpy_ready(void);    /* 1 when NumPy's C API is usable (imports it if numpy is loaded) */
int pyts_numpy_import(void);   /* import NumPy now; -1 with an exception set on failure */
#define PYTS_NP_SCALAR(o, kind) (pyts_numpy_ready() && PyArray_IsScalar(o, kind))
#define PYTS_NP_ARRAY(o) (pyts_numpy_ready() && PyArray_Check(o))
#define PYTS_NP_ARRAY_EXACT(o) (pyts_numpy_ready() && PyArray_CheckExact(o))

typedef struct PytsTensorObject {
    PyObject_HEAD
    PtsTensor *t;          /* +1 */
    PyObject *dict;        /* instance __dict__ (subclasses such as Parameter) */
    PyObject *weakrefs;
} PytsTensorObject;

typedef struct PytsDTypeObject {
    PyObject_HEAD
    int id;                /* PtsDType */
} PytsDTypeObject;

extern PyTypeObject *PytsTensor_Type;
extern PyTypeObject *PytsDType_Type;
extern PyTypeObject *PytsSize_Type;
extern PyObject *pyts_dtype_objs[PTS_DTYPE_SLOTS];
extern PyObject *PytsExc_CompileError, *PytsExc_ArchiveError;

/* device.c: pyts.device */
extern PyTypeObject *PytsDevice_Type;
PyObject *pyts_device_cpu(void);                 /* new reference to device('cpu') */
PyObject *pyts_device_from_index(int64_t ix);     /* a PTS_V_DEVICE payload as a pyts.device */
int pyts_device_check(PyObject *o, int *is_cpu);  /* 1 when o is a pyts.device */
int pyts_device_setup(PyObject *module);

static inline int PytsTensor_Check(PyObject *o) { return PyObject_TypeCheck(o, PytsTensor_Type); }
static inline PtsTensor *pyts_tensor_of(PyObject *o) { return ((PytsTensorObject *)o)->t; }

/* Wrap a C tensor, stealing the reference; returns its existing wrapper when it has one. */
PyObject *pyts_wrap_tensor(PtsTensor *t);
/* Raise the Python exception for a failed status. Always returns NULL. */
PyObject *pyts_raise(const PtsError *err);
/* Convert a result value (stealing it) to a Python object. */
PyObject *pyts_value_to_py(PtsValue *v);
/* Convert a Python object to a value of schema type t. Returns 0 ok, 1 no match (no exception
 * set; *why explains), -1 error raised. *v is owned by the caller afterwards. */
int pyts_py_to_value(PyObject *o, const PtsArgType *t, PtsValue *v, const char **why);
PyObject *pyts_size_new(int n, const int64_t *shape);

int pyts_ops_setup(PyObject *module);        /* functions and methods from the registry */
int pyts_tensor_setup(PyObject *module);
int pyts_numpy_setup(PyObject *module);
int pyts_jit_setup(PyObject *module);
/* jit.c: a new _C.Function owning f (stolen); the object behind a _C.ScriptObject (borrowed),
 * NULL when o is not one. Types from ir.h stay opaque here. */
struct PtsFunction;
struct PtsObject;
PyObject *pyts_wrap_function(struct PtsFunction *f);
struct PtsObject *pyts_script_object(PyObject *o);
/* Emit pyts.jit.TracerWarning for a conversion of a traced tensor ("a Python boolean"...); -1 if
 * the warning was turned into an exception. No-op when not tracing. */
int pyts_trace_warn(const char *what);
/* Any Python value <-> PtsValue (tensors, numbers, str, None, tuples, lists, script objects). */
int pyts_py_to_ivalue(PyObject *o, PtsValue *v);
PyObject *pyts_ivalue_to_py(PtsValue *v);
/* Enum members (script.c): from Python, 1 when o is a member of an Enum class compiled code has
 * named (*v set), 0 when not, -1 on error; to Python, the Python member of enum value v. */
int pyts_enum_from_py(PyObject *o, PtsValue *v);
PyObject *pyts_enum_to_py(PtsValue v);
int pyts_autograd_setup(PyObject *module);    /* autograd.c: grad_fn types, Tensor autograd API */
PyObject *pyts_call_op_id(PtsOpId id, PyObject *const *args, Py_ssize_t nargs);
PyObject *pyts_format_tensor(PyObject *self, PyObject *args, PyObject *kw);
PyObject *pyts_from_numpy(PyObject *self, PyObject *arr);
PyObject *pyts_tensor_numpy(PyObject *self, PyObject *args, PyObject *kw);
PyObject *pyts_tensor_array(PyObject *self, PyObject *args, PyObject *kw);
PyObject *pyts_tensor_new_from_data(PyObject *self, PyObject *args, PyObject *kw);

/* indexing (index.c): Tensor.__getitem__ / __setitem__ / __iter__ */
PyObject *pyts_tensor_getitem(PyObject *self, PyObject *key);
int pyts_tensor_setitem(PyObject *self, PyObject *key, PyObject *value);
PyObject *pyts_tensor_iter(PyObject *self);
int pyts_generator_setup(PyObject *module);  /* pyts.Generator, manual_seed, rng state */
int pyts_serial_setup(PyObject *module);     /* _save / _load (serial.c) */
/* The core function of a pyts._C.Function object (borrowed), or NULL for anything else. */
struct PtsFunction *pyts_function_of(PyObject *o);
/* script.c: Python code called by the interpreter raised. The exception is kept for this thread
 * and re-raised unchanged by the interpreter's Python caller (pyts_python_op_take_exc); the run
 * fails with its message. GIL held. */
PtsStatus pyts_keep_python_error(PtsError *err, const char *fallback);
int pyts_python_op_take_exc(void);

#endif
