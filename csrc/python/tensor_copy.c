/* tensor_copy.c: the data side of copy.deepcopy and pickle for tensors (pyts/_tensor.py holds the
 * protocol glue). deepcopy copies each storage once per memo, so views of one tensor stay views of
 * one copy, as in torch; pickle carries a tensor's elements in row-major order with its dtype and
 * shape (views are not shared across a pickle). */
#include "pyts_python.h"

static PtsTensor *tensor_arg(PyObject *o) {
    if (!PyObject_TypeCheck(o, PytsTensor_Type)) {
        PyErr_Format(PyExc_TypeError, "expected a pyts.Tensor, got %s", Py_TYPE(o)->tp_name);
        return NULL;
    }
    return pyts_tensor_of(o);
}

/* _deepcopy_data(t, memo): a tensor with t's geometry over a copy of t's storage, made once per
 * memo (keyed by ("pyts.storage", address), which no id() can equal). No autograd state. */
static PyObject *m_deepcopy_data(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *to, *memo;
    if (!PyArg_ParseTuple(args, "OO!", &to, &PyDict_Type, &memo)) return NULL;
    PtsTensor *t = tensor_arg(to);
    if (!t) return NULL;
    PyObject *key = Py_BuildValue("(sK)", "pyts.storage", (unsigned long long)(uintptr_t)t->storage);
    if (!key) return NULL;
    PyObject *holder = PyDict_GetItemWithError(memo, key);   /* borrowed */
    if (!holder && PyErr_Occurred()) { Py_DECREF(key); return NULL; }
    PtsError err = {0};
    PtsStorage *copy = NULL;
    if (holder) {
        copy = pts_storage_retain(pyts_tensor_of(holder)->storage);
    } else {
        if (pts_storage_new(t->storage->nbytes, &err, &copy)) { Py_DECREF(key); return pyts_raise(&err); }
        if (t->storage->nbytes) memcpy(copy->data, t->storage->data, t->storage->nbytes);
        /* the memo keeps the copy alive through a flat byte tensor over all of it */
        int64_t n = (int64_t)copy->nbytes, one = 1;
        PtsTensor *flat;
        if (pts_tensor_from_storage(copy, PTS_UINT8, 1, &n, &one, 0, &err, &flat)) {
            pts_storage_release(copy);
            Py_DECREF(key);
            return pyts_raise(&err);
        }
        PyObject *h = pyts_wrap_tensor(flat);
        if (!h || PyDict_SetItem(memo, key, h) < 0) {
            Py_XDECREF(h);
            pts_storage_release(copy);
            Py_DECREF(key);
            return NULL;
        }
        Py_DECREF(h);
    }
    Py_DECREF(key);
    PtsTensor *out;
    PtsStatus s = pts_tensor_from_storage(copy, t->dtype, t->ndim, t->shape, t->strides, t->offset, &err, &out);
    pts_storage_release(copy);
    if (s) return pyts_raise(&err);
    return pyts_wrap_tensor(out);
}

/* _tensor_bytes(t): t's elements, row-major, as bytes. */
static PyObject *m_tensor_bytes(PyObject *self, PyObject *to) {
    (void)self;
    PtsTensor *t = tensor_arg(to);
    if (!t) return NULL;
    PtsError err = {0};
    PtsTensor *c;
    if (pts_tensor_new(t->dtype, t->ndim, t->shape, &err, &c)) return pyts_raise(&err);
    if (pts_tensor_copy_(c, t, &err)) { pts_tensor_release(c); return pyts_raise(&err); }
    PyObject *b = PyBytes_FromStringAndSize(pts_tensor_data(c), (Py_ssize_t)(pts_numel(c) * (int64_t)pts_dtype_size(c->dtype)));
    pts_tensor_release(c);
    return b;
}

/* _tensor_from_bytes(data, dtype, shape): the inverse of _tensor_bytes, checked. */
static PyObject *m_tensor_from_bytes(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    PyObject *dt, *shape;
    if (!PyArg_ParseTuple(args, "y*O!O!", &buf, PytsDType_Type, &dt, &PyTuple_Type, &shape)) return NULL;
    int64_t dims[PTS_MAX_DIMS];
    Py_ssize_t nd = PyTuple_GET_SIZE(shape);
    PyObject *res = NULL;
    if (nd > PTS_MAX_DIMS) { PyErr_SetString(PyExc_ValueError, "too many dimensions"); goto done; }
    for (Py_ssize_t i = 0; i < nd; i++) {
        long long v = PyLong_AsLongLong(PyTuple_GET_ITEM(shape, i));
        if (v == -1 && PyErr_Occurred()) goto done;
        if (v < 0) { PyErr_SetString(PyExc_ValueError, "negative dimension"); goto done; }
        dims[i] = v;
    }
    PtsDType d = (PtsDType)((PytsDTypeObject *)dt)->id;
    PtsError err = {0};
    PtsTensor *t;
    if (pts_tensor_new(d, (int)nd, dims, &err, &t)) { res = pyts_raise(&err); goto done; }
    size_t need = (size_t)pts_numel(t) * pts_dtype_size(d);
    if ((size_t)buf.len != need) {
        pts_tensor_release(t);
        PyErr_Format(PyExc_ValueError, "tensor data has %zd bytes, expected %zu", buf.len, need);
        goto done;
    }
    if (need) memcpy(pts_tensor_data(t), buf.buf, need);
    res = pyts_wrap_tensor(t);
done:
    PyBuffer_Release(&buf);
    return res;
}

static PyMethodDef copy_methods[] = {
    {"_deepcopy_data", m_deepcopy_data, METH_VARARGS, NULL},
    {"_tensor_bytes", m_tensor_bytes, METH_O, NULL},
    {"_tensor_from_bytes", m_tensor_from_bytes, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

int pyts_tensor_copy_setup(PyObject *module) { return PyModule_AddFunctions(module, copy_methods); }
