/* numpy.c: NumPy interop and tensor construction from Python data. from_numpy and .numpy()
 * share memory both ways; pyts.tensor copies nested lists, scalars and arrays. */
#include "pyts_python.h"

#include "../autograd/autograd.h"

static int dtype_to_npy(PtsDType d) {
    switch (d) {
    case PTS_UINT8: return NPY_UINT8;
    case PTS_INT8: return NPY_INT8;
    case PTS_INT16: return NPY_INT16;
    case PTS_INT32: return NPY_INT32;
    case PTS_INT64: return NPY_INT64;
    case PTS_FLOAT16: return NPY_FLOAT16;
    case PTS_FLOAT32: return NPY_FLOAT32;
    case PTS_FLOAT64: return NPY_FLOAT64;
    case PTS_BOOL: return NPY_BOOL;
    case PTS_COMPLEX64: return NPY_COMPLEX64;
    case PTS_COMPLEX128: return NPY_COMPLEX128;
    default: return -1;
    }
}

static PtsDType npy_to_dtype(int t) {
    switch (t) {
    case NPY_UINT8: return PTS_UINT8;
    case NPY_INT8: return PTS_INT8;
    case NPY_INT16: return PTS_INT16;
    case NPY_INT32: return PTS_INT32;
    case NPY_INT64: return PTS_INT64;
    case NPY_FLOAT16: return PTS_FLOAT16;
    case NPY_FLOAT32: return PTS_FLOAT32;
    case NPY_FLOAT64: return PTS_FLOAT64;
    case NPY_BOOL: return PTS_BOOL;
    case NPY_COMPLEX64: return PTS_COMPLEX64;
    case NPY_COMPLEX128: return PTS_COMPLEX128;
    default:
        if (t == NPY_LONGLONG && sizeof(long long) == 8) return PTS_INT64;
        if (t == NPY_LONG && sizeof(long) == 8) return PTS_INT64;
        return PTS_DTYPE_INVALID;
    }
}

/* The storage keeps the ndarray alive; the deleter drops it under the GIL. */
static void release_pyobj(void *data, void *ctx) {
    (void)data;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF((PyObject *)ctx);
    PyGILState_Release(g);
}

PyObject *pyts_from_numpy(PyObject *self, PyObject *obj) {
    (void)self;
    if (pyts_numpy_import() < 0) return NULL;
    if (!PyArray_Check(obj)) return PyErr_Format(PyExc_TypeError, "expected np.ndarray (got %s)", Py_TYPE(obj)->tp_name);
    PyArrayObject *arr = (PyArrayObject *)obj;
    PtsDType dt = npy_to_dtype(PyArray_TYPE(arr));
    if (dt == PTS_DTYPE_INVALID)
        return PyErr_Format(PyExc_TypeError,
                            "can't convert np.ndarray of type %R. The only supported types are: float64, "
                            "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.",
                            (PyObject *)PyArray_DESCR(arr));
    if (!PyArray_ISNOTSWAPPED(arr))
        return PyErr_Format(PyExc_ValueError, "given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported.");
    int nd = PyArray_NDIM(arr);
    if (nd > PTS_MAX_DIMS) return PyErr_Format(PyExc_ValueError, "tensors have at most %d dimensions, got %d", PTS_MAX_DIMS, nd);
    int64_t shape[PTS_MAX_DIMS], strides[PTS_MAX_DIMS];
    size_t isz = pts_dtype_size(dt);
    char *base = PyArray_BYTES(arr), *lo = base, *hi = base;
    for (int i = 0; i < nd; i++) {
        shape[i] = PyArray_DIM(arr, i);
        npy_intp st = PyArray_STRIDE(arr, i);
        if (st % (npy_intp)isz)
            return PyErr_Format(PyExc_ValueError, "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.");
        if (st < 0)
            return PyErr_Format(PyExc_ValueError, "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ");
        strides[i] = st / (npy_intp)isz;
        if (shape[i] > 0) hi += st * (shape[i] - 1);
    }
    size_t nbytes = PyArray_SIZE(arr) ? (size_t)(hi - lo) + isz : 0;
    PtsError err = { 0 };
    PtsStorage *st;
    Py_INCREF(obj);
    if (pts_storage_wrap(base, nbytes, release_pyobj, obj, &err, &st)) return pyts_raise(&err);
    PtsTensor *t;
    PtsStatus s = pts_tensor_from_storage(st, dt, nd, shape, strides, 0, &err, &t);
    pts_storage_release(st);
    if (s) return pyts_raise(&err);
    return pyts_wrap_tensor(t);
}

/* x.numpy(*, force=False): the array shares x's memory. torch refuses a tensor that requires grad
 * while grad mode is on (the array would escape autograd) unless force=True, which detaches. */
PyObject *pyts_tensor_numpy(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "force", NULL };
    int force = 0;
    if (PyTuple_GET_SIZE(args)) {   /* Python's words, as torch's keyword-only signature */
        Py_ssize_t n = PyTuple_GET_SIZE(args);
        return PyErr_Format(PyExc_TypeError, "numpy() takes 0 positional arguments but %zd %s given", n, n == 1 ? "was" : "were");
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$p:numpy", kwlist, &force)) return NULL;
    if (pyts_trace_warn("a NumPy array") < 0) return NULL;
    if (pyts_numpy_import() < 0) return NULL;
    PtsTensor *t = pyts_tensor_of(self);
    /* torch's rule: a tensor that requires grad is refused while grad mode is on, unless
     * force=True (which reads it as if detached: the same shared array) */
    if (!force && pts_grad_enabled() && pts_requires_grad(t))
        return PyErr_Format(PyExc_RuntimeError, "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    int tn = dtype_to_npy(t->dtype);
    if (tn < 0) return PyErr_Format(PyExc_TypeError, "Got unsupported ScalarType %s", pts_dtype_name(t->dtype) );
    npy_intp dims[PTS_MAX_DIMS], strides[PTS_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++) {
        dims[i] = (npy_intp)t->shape[i];
        strides[i] = (npy_intp)(t->strides[i] * (int64_t)pts_dtype_size(t->dtype));
    }
    PyObject *arr = PyArray_New(&PyArray_Type, t->ndim, dims, tn, strides, pts_tensor_data(t), 0,
                                NPY_ARRAY_WRITEABLE, NULL);
    if (!arr) return NULL;
    Py_INCREF(self);
    if (PyArray_SetBaseObject((PyArrayObject *)arr, self) < 0) { Py_DECREF(arr); return NULL; }
    return arr;
}

/* x.__array__(dtype=None, copy=None): np.asarray(x) and np.array(x) as torch's (x.numpy(), then
 * the dtype asked for) */
PyObject *pyts_tensor_array(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "dtype", "copy", NULL };
    PyObject *dtype = Py_None, *copy = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO:__array__", kwlist, &dtype, &copy)) return NULL;
    PyObject *empty = PyTuple_New(0);
    PyObject *arr = empty ? pyts_tensor_numpy(self, empty, NULL) : NULL;
    Py_XDECREF(empty);
    if (!arr || (dtype == Py_None && copy != Py_True)) return arr;
    PyObject *r = NULL;
    if (dtype == Py_None) r = PyObject_CallMethod(arr, "copy", NULL);
    else {
        PyObject *meth = PyObject_GetAttrString(arr, "astype"), *a = PyTuple_Pack(1, dtype);
        PyObject *k = Py_BuildValue("{sO}", "copy", copy == Py_True ? Py_True : Py_False);
        if (meth && a && k) r = PyObject_Call(meth, a, k);
        Py_XDECREF(meth);
        Py_XDECREF(a);
        Py_XDECREF(k);
    }
    Py_DECREF(arr);
    return r;
}

/* ---- pyts.tensor(data, dtype=None, device=None, requires_grad=False) ---- */
typedef struct Infer {
    int ndim;
    int64_t shape[PTS_MAX_DIMS];
    int kind;   /* highest kind seen: 0 bool, 1 int, 2 float, 3 complex */
    bool seen;
    bool leaves;  /* any scalar or tensor seen (else the default dtype) */
} Infer;

static int infer(PyObject *o, int d, Infer *in) {
    if (PytsTensor_Check(o)) {
        PtsTensor *t = pyts_tensor_of(o);
        if (d + t->ndim > PTS_MAX_DIMS) { PyErr_SetString(PyExc_ValueError, "too many dimensions"); return -1; }
        if (!in->seen) { in->ndim = d + t->ndim; for (int i = 0; i < t->ndim; i++) in->shape[d + i] = t->shape[i]; }
        int k = pts_dtype_kind(t->dtype);
        if (k > in->kind) in->kind = k;
        in->seen = in->leaves = true;
        return 0;
    }
    if (PyList_Check(o) || PyTuple_Check(o)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        if (d >= PTS_MAX_DIMS) { PyErr_SetString(PyExc_ValueError, "too many dimensions"); return -1; }
        if (!in->seen) { in->ndim = d + 1; in->shape[d] = n; }
        else if (d >= in->ndim || in->shape[d] != n) {
            PyErr_Format(PyExc_ValueError, "expected sequence of length %lld at dim %d (got %zd)",
                         d < in->ndim ? (long long)in->shape[d] : 0LL, d, n);
            return -1;
        }
        if (n == 0) { in->seen = true; return 0; }
        for (Py_ssize_t i = 0; i < n; i++)
            if (infer(PySequence_Fast_GET_ITEM(o, i), d + 1, in) < 0) return -1;
        return 0;
    }
    int k;
    if (PyBool_Check(o) || PYTS_NP_SCALAR(o, Bool)) k = 0;
    else if (PyLong_Check(o) || PYTS_NP_SCALAR(o, Integer)) k = 1;
    else if (PyFloat_Check(o) || PYTS_NP_SCALAR(o, Floating)) k = 2;
    else if (PyComplex_Check(o) || PYTS_NP_SCALAR(o, ComplexFloating)) k = 3;
    else {
        PyErr_Format(PyExc_TypeError, "new(): invalid data type '%s'", Py_TYPE(o)->tp_name);
        return -1;
    }
    if (!in->seen) in->ndim = d;
    else if (d != in->ndim) {
        PyErr_Format(PyExc_ValueError, "expected sequence of length %lld at dim %d (got a scalar)",
                     (long long)in->shape[d < in->ndim ? d : 0], d);
        return -1;
    }
    if (k > in->kind) in->kind = k;
    in->seen = in->leaves = true;
    return 0;
}

static int fill(PyObject *o, PtsTensor *t, int d, char **p) {
    if (PytsTensor_Check(o)) {
        PtsTensor *src = pyts_tensor_of(o), *c;
        PtsError err = { 0 };
        if (pts_tensor_to(src, t->dtype, false, &err, &c)) { pyts_raise(&err); return -1; }
        size_t nb = (size_t)pts_numel(c) * pts_dtype_size(t->dtype);
        memcpy(*p, pts_tensor_data(c), nb);
        *p += nb;
        pts_tensor_release(c);
        return 0;
    }
    if (d < t->ndim) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
        for (Py_ssize_t i = 0; i < n; i++)
            if (fill(PySequence_Fast_GET_ITEM(o, i), t, d + 1, p) < 0) return -1;
        return 0;
    }
    if (pts_dtype_is_complex(t->dtype)) {
        Py_complex z = PyComplex_AsCComplex(o);
        if (z.real == -1.0 && PyErr_Occurred()) return -1;
        pts_store_c128(t->dtype, *p, z.real, z.imag);
    } else if (pts_dtype_is_float(t->dtype)) {
        double v = PyFloat_AsDouble(o);
        if (v == -1 && PyErr_Occurred()) return -1;
        pts_store_f64(t->dtype, *p, v);
    } else if (t->dtype == PTS_BOOL) {
        int v = PyObject_IsTrue(o);
        if (v < 0) return -1;
        pts_store_i64(t->dtype, *p, v);
    } else {
        PyObject *f = NULL;
        long long v;
        if (PyFloat_Check(o)) v = (long long)PyFloat_AS_DOUBLE(o);
        else {
            f = PyNumber_Index(o);
            if (!f) return -1;
            int ovf;
            v = PyLong_AsLongLongAndOverflow(f, &ovf);
            Py_DECREF(f);
            if (ovf) { PyErr_SetString(PyExc_RuntimeError, "Overflow when unpacking long"); return -1; }
        }
        pts_store_i64(t->dtype, *p, v);
    }
    *p += pts_dtype_size(t->dtype);
    return 0;
}

static PyObject *tensor_from_array(PyObject *obj, PyObject *dtype) {
    PyObject *t = pyts_from_numpy(NULL, obj);
    if (!t) {
        /* unsupported layout (negative strides, swapped): copy through a contiguous array */
        PyErr_Clear();
        PyObject *c = PyArray_NewCopy((PyArrayObject *)obj, NPY_CORDER);
        if (!c) return NULL;
        t = pyts_from_numpy(NULL, c);
        Py_DECREF(c);
        if (!t) return NULL;
    }
    PtsDType dt = dtype && dtype != Py_None ? (PtsDType)((PytsDTypeObject *)dtype)->id : pyts_tensor_of(t)->dtype;
    PtsTensor *r;
    PtsError err = { 0 };
    PtsStatus s = pts_tensor_to(pyts_tensor_of(t), dt, true, &err, &r);
    Py_DECREF(t);
    if (s) return pyts_raise(&err);
    return pyts_wrap_tensor(r);
}

static PyObject *tensor_from_data(PyObject *data, PyObject *dtype) {
    if (PYTS_NP_ARRAY(data)) return tensor_from_array(data, dtype);
    PyObject *fast = data;
    Infer in = { 0 };
    if (infer(data, 0, &in) < 0) return NULL;
    PtsDType dt;
    if (dtype != Py_None) dt = (PtsDType)((PytsDTypeObject *)dtype)->id;
    else if (PytsTensor_Check(data)) dt = pyts_tensor_of(data)->dtype;
    else dt = in.kind == 3 ? pts_dtype_to_complex(pts_default_dtype())
              : in.kind == 2 ? pts_default_dtype() : in.kind == 1 ? PTS_INT64 : PTS_BOOL;
    if (!in.leaves && dtype == Py_None) dt = pts_default_dtype();
    PtsTensor *t;
    PtsError err = { 0 };
    if (pts_tensor_new(dt, in.ndim, in.shape, &err, &t)) return pyts_raise(&err);
    char *p = pts_tensor_data(t);
    if (fill(fast, t, 0, &p) < 0) { pts_tensor_release(t); return NULL; }
    return pyts_wrap_tensor(t);
}

PyObject *pyts_tensor_new_from_data(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"data", "dtype", "device", "requires_grad", "pin_memory", NULL};
    PyObject *data, *dtype = Py_None, *device = Py_None, *rg = Py_False, *pin = Py_False;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$OOO:tensor", kwlist, &data, &dtype, &device, &rg, &pin))
        return NULL;
    if (dtype != Py_None && !PyObject_TypeCheck(dtype, PytsDType_Type))
        return PyErr_Format(PyExc_TypeError, "tensor(): argument 'dtype' must be pyts.dtype, not %s", Py_TYPE(dtype)->tp_name);
    if (!PyBool_Check(rg))
        return PyErr_Format(PyExc_TypeError, "tensor(): argument 'requires_grad' must be bool, not %s", Py_TYPE(rg)->tp_name);
    PyObject *r = tensor_from_data(data, dtype);
    if (!r || rg != Py_True) return r;
    /* a new leaf that requires grad, as torch.tensor(..., requires_grad=True) */
    PtsTensor *t = pyts_tensor_of(r);
    PtsError err = { 0 };
    if (!pts_dtype_is_float(t->dtype) && !pts_dtype_is_complex(t->dtype)) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_RuntimeError, "Only Tensors of floating point and complex dtype can require gradients");
        return NULL;
    }
    if (pts_set_requires_grad(t, true, &err)) { Py_DECREF(r); return pyts_raise(&err); }
    return r;
}
