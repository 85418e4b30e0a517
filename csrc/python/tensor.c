/* tensor.c: the pyts.Tensor Python type. Holds one reference to a C tensor; operators, properties
 * and the few methods that are Python conversions (item, tolist, numpy, __bool__, ...). Every
 * computing method comes from the registry (bind.c). */
#include "pyts_python.h"

#include <structmember.h>

#include "../trace/trace.h"

PyTypeObject *PytsTensor_Type;
PyTypeObject *PytsSize_Type;

PyObject *pyts_wrap_tensor(PtsTensor *t) {
    if (!t) Py_RETURN_NONE;
    if (t->owner) {
        PyObject *o = (PyObject *)t->owner;
        Py_INCREF(o);
        pts_tensor_release(t);
        return o;
    }
    PytsTensorObject *o = (PytsTensorObject *)PytsTensor_Type->tp_alloc(PytsTensor_Type, 0);
    if (!o) { pts_tensor_release(t); return NULL; }
    o->t = t;
    t->owner = o;
    return (PyObject *)o;
}

static void tensor_dealloc(PyObject *self) {
    PytsTensorObject *o = (PytsTensorObject *)self;
    PyObject_GC_UnTrack(self);
    if (o->weakrefs) PyObject_ClearWeakRefs(self);
    Py_CLEAR(o->dict);
    if (o->t) {
        if (o->t->owner == self) o->t->owner = NULL;
        pts_tensor_release(o->t);
        o->t = NULL;
    }
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static int tensor_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(((PytsTensorObject *)self)->dict);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int tensor_clear(PyObject *self) {
    Py_CLEAR(((PytsTensorObject *)self)->dict);
    return 0;
}

/* Tensor.__new__ for subclasses (Parameter): Tensor._make_subclass(cls, data) shares data's
 * C tensor. Plain construction goes through pyts.tensor(). */
static PyObject *tensor_make_subclass(PyObject *unused, PyObject *args) {
    (void)unused;
    PyObject *cls, *data;
    if (!PyArg_ParseTuple(args, "OO!", &cls, PytsTensor_Type, &data)) return NULL;
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, PytsTensor_Type))
        return PyErr_Format(PyExc_TypeError, "_make_subclass expects a Tensor subclass");
    PtsTensor *src = pyts_tensor_of(data), *t;
    PtsError err = { 0 };
    /* a new tensor object over the same storage (a detached alias) */
    if (pts_tensor_view(src, src->ndim, src->shape, src->strides, src->offset, &err, &t))
        return pyts_raise(&err);
    PytsTensorObject *o = (PytsTensorObject *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o) { pts_tensor_release(t); return NULL; }
    o->t = t;
    t->owner = o;
    return (PyObject *)o;
}

static PyObject *tensor_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)type;
    return pyts_tensor_new_from_data(NULL, args, kw);
}

/* ---- Size ---- */
PyObject *pyts_size_new(int n, const int64_t *shape) {
    PyObject *t = PyTuple_New(n);
    if (!t) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLongLong(shape[i]);
        if (!v) { Py_DECREF(t); return NULL; }
        PyTuple_SET_ITEM(t, i, v);
    }
    PyObject *r = PyObject_CallOneArg((PyObject *)PytsSize_Type, t);
    Py_DECREF(t);
    return r;
}

static PyObject *size_repr(PyObject *self) {
    PyObject *lst = PySequence_List(self);
    if (!lst) return NULL;
    PyObject *r = PyUnicode_FromFormat("pyts.Size(%R)", lst);
    Py_DECREF(lst);
    return r;
}

static PyObject *size_numel(PyObject *self, PyObject *unused) {
    (void)unused;
    long long n = 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(self); i++) n *= PyLong_AsLongLong(PyTuple_GET_ITEM(self, i));
    return PyLong_FromLongLong(n);
}

static PyMethodDef size_methods[] = {
    {"numel", size_numel, METH_NOARGS, "number of elements"},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot size_slots[] = {
    {Py_tp_repr, size_repr},
    {Py_tp_methods, size_methods},
    {0, NULL},
};
static PyType_Spec size_spec = { "pyts.Size", 0, 0, Py_TPFLAGS_DEFAULT, size_slots };

/* ---- properties ---- */
#define T(self) (((PytsTensorObject *)(self))->t)

/* While tracing, sizes are traced values as in torch (THPVariable_size, THPSize_New): x.size(d)
 * is a 0-dim int64 tensor made by aten::size + prim::NumToTensor, x.size() / x.shape a Size of
 * them, x.numel() one made by aten::numel. Ops taking ints then record aten::Int of them
 * (csrc/python/bind.c stashes them), so traces work for other input sizes. */
#define TRACING_SIZES() (PTS_UNLIKELY(pts_tls_tracing > 0) && pts_trace_active())

static PyObject *traced_size(PtsTensor *t, int64_t dim, bool numel) {
    PtsError err;
    err.code = PTS_OK;
    /* the size nodes point at the Python line that asked */
    PyFrameObject *fr = PyEval_GetFrame();
    if (fr) {
        PyCodeObject *co = PyFrame_GetCode(fr);
        pts_trace_set_location(PyUnicode_AsUTF8(co->co_filename), PyFrame_GetLineNumber(fr));
        Py_DECREF(co);
    }
    PtsTensor *r;
    if (pts_trace_size(t, dim, numel, &err, &r)) return pyts_raise(&err);
    return pyts_wrap_tensor(r);
}

static PyObject *traced_size_tuple(PtsTensor *t) {
    PyObject *tup = PyTuple_New(t->ndim);
    if (!tup) return NULL;
    for (int i = 0; i < t->ndim; i++) {
        PyObject *v = traced_size(t, i, false);
        if (!v) { Py_DECREF(tup); return NULL; }
        PyTuple_SET_ITEM(tup, i, v);
    }
    PyObject *r = PyObject_CallOneArg((PyObject *)PytsSize_Type, tup);
    Py_DECREF(tup);
    return r;
}

static PyObject *get_shape(PyObject *self, void *c) {
    (void)c;
    if (TRACING_SIZES()) return traced_size_tuple(T(self));
    return pyts_size_new(T(self)->ndim, T(self)->shape);
}
static PyObject *get_dtype(PyObject *self, void *c) { (void)c; return Py_NewRef(pyts_dtype_objs[T(self)->dtype]); }
static PyObject *get_ndim(PyObject *self, void *c) { (void)c; return PyLong_FromLong(T(self)->ndim); }
static PyObject *get_device(PyObject *self, void *c) { (void)self; (void)c; return pyts_device_cpu(); }
static PyObject *get_is_cpu(PyObject *self, void *c) { (void)self; (void)c; Py_RETURN_TRUE; }
static PyObject *get_false(PyObject *self, void *c) { (void)self; (void)c; Py_RETURN_FALSE; }
static PyObject *get_data(PyObject *self, void *c) {
    (void)c;
    PtsTensor *s = T(self), *t;
    PtsError err = { 0 };
    if (pts_tensor_view(s, s->ndim, s->shape, s->strides, s->offset, &err, &t)) return pyts_raise(&err);
    return pyts_wrap_tensor(t);
}
static PyObject *get_itemsize(PyObject *self, void *c) { (void)c; return PyLong_FromSize_t(pts_dtype_size(T(self)->dtype)); }

static PyObject *tensor_get_dict(PyObject *self, void *c) {
    (void)c;
    PytsTensorObject *o = (PytsTensorObject *)self;
    if (!o->dict) o->dict = PyDict_New();
    return Py_XNewRef(o->dict);
}

static PyGetSetDef tensor_getset[] = {
    {"shape", get_shape, NULL, "the size of each dimension", NULL},
    {"dtype", get_dtype, NULL, "element type", NULL},
    {"ndim", get_ndim, NULL, "number of dimensions", NULL},
    {"device", get_device, NULL, "always cpu", NULL},
    {"is_cpu", get_is_cpu, NULL, NULL, NULL},
    {"is_cuda", get_false, NULL, NULL, NULL},
    {"is_sparse", get_false, NULL, NULL, NULL},
    {"is_quantized", get_false, NULL, NULL, NULL},
    {"is_meta", get_false, NULL, NULL, NULL},
    {"data", get_data, NULL, "the tensor without autograd history", NULL},
    {"itemsize", get_itemsize, NULL, NULL, NULL},
    {"__dict__", tensor_get_dict, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---- conversions ---- */
static PyObject *tensor_complex(PyObject *self, PyObject *unused);   /* __complex__ */
static PyObject *scalar_to_py(PtsDType dt, const char *p) {
    if (pts_dtype_is_complex(dt)) {
        double re, im;
        pts_load_c128(dt, p, &re, &im);
        return PyComplex_FromDoubles(re, im);
    }
    if (pts_dtype_is_float(dt)) return PyFloat_FromDouble(pts_load_f64(dt, p));
    if (dt == PTS_BOOL) return PyBool_FromLong(*(const bool *)p);
    return PyLong_FromLongLong(pts_load_i64(dt, p));
}

static PyObject *tensor_item(PyObject *self, PyObject *unused) {
    if (pyts_trace_warn("a Python number") < 0) return NULL;
    (void)unused;
    PtsTensor *t = T(self);
    int64_t n = pts_numel(t);
    if (n != 1)
        return PyErr_Format(PyExc_RuntimeError,
                            "a Tensor with %lld elements cannot be converted to Scalar", (long long)n);
    return scalar_to_py(t->dtype, pts_tensor_data(t));
}

static PyObject *tolist_rec(PtsTensor *t, int d, const char *p) {
    if (d == t->ndim) return scalar_to_py(t->dtype, p);
    PyObject *l = PyList_New(t->shape[d]);
    if (!l) return NULL;
    int64_t step = t->strides[d] * (int64_t)pts_dtype_size(t->dtype);
    for (int64_t i = 0; i < t->shape[d]; i++) {
        PyObject *e = tolist_rec(t, d + 1, p + i * step);
        if (!e) { Py_DECREF(l); return NULL; }
        PyList_SET_ITEM(l, i, e);
    }
    return l;
}

static PyObject *tensor_tolist(PyObject *self, PyObject *unused) {
    if (pyts_trace_warn("a Python list") < 0) return NULL;
    (void)unused;
    return tolist_rec(T(self), 0, pts_tensor_data(T(self)));
}

static PyObject *tensor_size(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"dim", NULL};
    PyObject *dim = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:size", kwlist, &dim)) return NULL;
    PtsTensor *t = T(self);
    if (dim == Py_None) return TRACING_SIZES() ? traced_size_tuple(t) : pyts_size_new(t->ndim, t->shape);
    long long d = PyLong_AsLongLong(dim);
    if (d == -1 && PyErr_Occurred()) return NULL;
    int w;
    PtsError err = { 0 };
    if (pts_wrap_dim(d, t->ndim, &err, &w)) return pyts_raise(&err);
    if (t->ndim == 0) return PyErr_Format(PyExc_IndexError, "dimension specified as %lld but tensor has no dimensions", d);
    /* torch records the dim as given (-1 stays -1) */
    if (TRACING_SIZES()) return traced_size(t, d, false);
    return PyLong_FromLongLong(t->shape[w]);
}

static PyObject *tensor_stride(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"dim", NULL};
    PyObject *dim = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:stride", kwlist, &dim)) return NULL;
    PtsTensor *t = T(self);
    if (dim == Py_None) {
        PyObject *r = PyTuple_New(t->ndim);
        for (int i = 0; r && i < t->ndim; i++) PyTuple_SET_ITEM(r, i, PyLong_FromLongLong(t->strides[i]));
        return r;
    }
    long long d = PyLong_AsLongLong(dim);
    if (d == -1 && PyErr_Occurred()) return NULL;
    int w;
    PtsError err = { 0 };
    if (pts_wrap_dim(d, t->ndim, &err, &w)) return pyts_raise(&err);
    return PyLong_FromLongLong(t->ndim ? t->strides[w] : 1);
}

static PyObject *tensor_storage_offset(PyObject *self, PyObject *u) { (void)u; return PyLong_FromLongLong(T(self)->offset); }
static PyObject *tensor_element_size(PyObject *self, PyObject *u) { (void)u; return PyLong_FromSize_t(pts_dtype_size(T(self)->dtype)); }
static PyObject *tensor_data_ptr(PyObject *self, PyObject *u) { (void)u; return PyLong_FromVoidPtr(pts_tensor_data(T(self))); }
static PyObject *tensor_is_floating_point(PyObject *self, PyObject *u) { (void)u; return PyBool_FromLong(pts_dtype_is_float(T(self)->dtype)); }
static PyObject *tensor_dim_m(PyObject *self, PyObject *u) { (void)u; return PyLong_FromLong(T(self)->ndim); }
static PyObject *tensor_numel_m(PyObject *self, PyObject *u) {
    (void)u;
    if (TRACING_SIZES()) return traced_size(T(self), 0, true);
    return PyLong_FromLongLong(pts_numel(T(self)));
}
static PyObject *tensor_is_contiguous_m(PyObject *self, PyObject *args, PyObject *kw) {
    (void)args; (void)kw;
    return PyBool_FromLong(pts_tensor_is_contiguous(T(self)));
}

/* x.float() and friends are aten::to.dtype, as in torch: recorded by the tracer and autograd,
 * and self itself when the dtype already matches */
static PyObject *convert_to(PyObject *self, PtsDType dt) {
    PyObject *args[2] = { self, pyts_dtype_objs[dt] };
    return pyts_call_op_id(PTS_OP_TO_DTYPE, args, 2);
}
#define CONVERTER(NAME, DT) \
    static PyObject *tensor_##NAME(PyObject *self, PyObject *u) { (void)u; return convert_to(self, DT); }
CONVERTER(float, PTS_FLOAT32)
CONVERTER(double, PTS_FLOAT64)
CONVERTER(half, PTS_FLOAT16)
CONVERTER(bfloat16, PTS_BFLOAT16)
CONVERTER(long, PTS_INT64)
CONVERTER(int, PTS_INT32)
CONVERTER(short, PTS_INT16)
CONVERTER(char, PTS_INT8)
CONVERTER(byte, PTS_UINT8)
CONVERTER(bool, PTS_BOOL)

/* torch's Tensor.__format__: a 0-dim plain tensor formats its item ("{:.2f}"), anything else
 * only with an empty spec (as object.__format__) */
static PyObject *tensor_format(PyObject *self, PyObject *spec) {
    if (!PyUnicode_Check(spec))
        return PyErr_Format(PyExc_TypeError, "__format__() argument must be str, not %s",
                            Py_TYPE(spec)->tp_name);
    if (T(self)->ndim == 0 && Py_IS_TYPE(self, PytsTensor_Type)) {
        PyObject *item = scalar_to_py(T(self)->dtype, pts_tensor_data(T(self)));
        if (!item) return NULL;
        PyObject *r = PyObject_Format(item, spec);
        Py_DECREF(item);
        return r;
    }
    if (PyUnicode_GET_LENGTH(spec) > 0) {
        PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(self), "__name__");
        if (!name) return NULL;
        PyErr_Format(PyExc_TypeError, "unsupported format string passed to %U.__format__", name);
        Py_DECREF(name);
        return NULL;
    }
    return PyObject_Str(self);
}

static PyMethodDef tensor_methods[] = {
    {"item", tensor_item, METH_NOARGS, "the value of a one-element tensor as a Python number"},
    {"tolist", tensor_tolist, METH_NOARGS, "nested lists of Python numbers"},
    {"__complex__", tensor_complex, METH_NOARGS, NULL},
    {"size", (PyCFunction)(void (*)(void))tensor_size, METH_VARARGS | METH_KEYWORDS, "shape, or one dim's size"},
    {"stride", (PyCFunction)(void (*)(void))tensor_stride, METH_VARARGS | METH_KEYWORDS, "strides in elements"},
    {"dim", tensor_dim_m, METH_NOARGS, "number of dimensions"},
    {"ndimension", tensor_dim_m, METH_NOARGS, "number of dimensions"},
    {"numel", tensor_numel_m, METH_NOARGS, "number of elements"},
    {"nelement", tensor_numel_m, METH_NOARGS, "number of elements"},
    {"is_contiguous", (PyCFunction)(void (*)(void))tensor_is_contiguous_m, METH_VARARGS | METH_KEYWORDS, NULL},
    {"storage_offset", tensor_storage_offset, METH_NOARGS, NULL},
    {"element_size", tensor_element_size, METH_NOARGS, NULL},
    {"data_ptr", tensor_data_ptr, METH_NOARGS, NULL},
    {"is_floating_point", tensor_is_floating_point, METH_NOARGS, NULL},
    {"float", tensor_float, METH_NOARGS, NULL},
    {"double", tensor_double, METH_NOARGS, NULL},
    {"half", tensor_half, METH_NOARGS, NULL},
    {"bfloat16", tensor_bfloat16, METH_NOARGS, NULL},
    {"long", tensor_long, METH_NOARGS, NULL},
    {"int", tensor_int, METH_NOARGS, NULL},
    {"short", tensor_short, METH_NOARGS, NULL},
    {"char", tensor_char, METH_NOARGS, NULL},
    {"byte", tensor_byte, METH_NOARGS, NULL},
    {"bool", tensor_bool, METH_NOARGS, NULL},
    {"numpy", (PyCFunction)(void (*)(void))pyts_tensor_numpy, METH_VARARGS | METH_KEYWORDS, "a NumPy array sharing this tensor's memory"},
    {"__array__", (PyCFunction)(void (*)(void))pyts_tensor_array, METH_VARARGS | METH_KEYWORDS, "np.asarray(x): x.numpy()"},
    {"__format__", tensor_format, METH_O, NULL},
    {"_make_subclass", tensor_make_subclass, METH_VARARGS | METH_STATIC, NULL},
    {NULL, NULL, 0, NULL},
};

/* ---- number protocol ----
 * Each operator calls the op PyTorch's Tensor records for it (a & 1 is __and__.Scalar, 1 & a is
 * bitwise_and.Scalar, 2 - a is rsub, 2 / a is reciprocal then mul), so results and traces agree.
 * Operands are tensors and Python numbers (NumPy scalars count as numbers); anything else gives
 * NotImplemented. */
enum { OPND_TT, OPND_TN, OPND_NT, OPND_NONE };  /* tensor-tensor, tensor-number, number-tensor */

static bool is_number(PyObject *o) {
    return PyLong_Check(o) || PyFloat_Check(o) || PyComplex_Check(o) || PYTS_NP_SCALAR(o, Integer) ||
           PYTS_NP_SCALAR(o, Floating) || PYTS_NP_SCALAR(o, Bool);
}

/* Classifies (a, b); *na / *nb get new references to the operands, NumPy scalars turned into
 * Python numbers. */
static int operands(PyObject *a, PyObject *b, PyObject **na, PyObject **nb) {
    bool ta = PytsTensor_Check(a), tb = PytsTensor_Check(b);
    int k = ta && tb ? OPND_TT : ta && is_number(b) ? OPND_TN : tb && is_number(a) ? OPND_NT : OPND_NONE;
    if (k == OPND_NONE) return k;
    PyObject *o[2] = { a, b }, *r[2];
    for (int i = 0; i < 2; i++) {
        PyObject *x = o[i];
        if (PytsTensor_Check(x) || PyLong_Check(x) || PyFloat_Check(x) || PyComplex_Check(x)) r[i] = Py_NewRef(x);
        else if (PYTS_NP_SCALAR(x, Bool)) r[i] = PyBool_FromLong(PyObject_IsTrue(x) == 1);
        else if (PYTS_NP_SCALAR(x, Integer)) r[i] = PyNumber_Long(x);
        else r[i] = PyNumber_Float(x);
        if (!r[i]) {
            if (i) Py_DECREF(r[0]);
            return -1;
        }
    }
    *na = r[0];
    *nb = r[1];
    return k;
}

static PyObject *call2(PtsOpId id, PyObject *a, PyObject *b) {
    PyObject *args[2] = { a, b };
    return pyts_call_op_id(id, args, 2);
}

/* The op for each operand kind. number OP tensor calls nt(number, tensor), or nt(tensor, number)
 * for the commutative ops (2 + a records add(a, 2), 1 & a records bitwise_and(a, 1)). */
enum { KEEP, SWAP };
static PyObject *binary_slot3(PtsOpId tt, PtsOpId tn, PtsOpId nt, int order, PyObject *a, PyObject *b) {
    PyObject *x, *y, *r;
    int k = operands(a, b, &x, &y);
    if (k < 0) return NULL;
    switch (k) {
    case OPND_TT: r = call2(tt, x, y); break;
    case OPND_TN: r = call2(tn, x, y); break;
    case OPND_NT: r = order == SWAP ? call2(nt, y, x) : call2(nt, x, y); break;
    default: Py_RETURN_NOTIMPLEMENTED;
    }
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static PyObject *unary_slot(PtsOpId id, PyObject *a) { return pyts_call_op_id(id, &a, 1); }

static PyObject *nb_add(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_ADD_TENSOR, PTS_OP_ADD_TENSOR, PTS_OP_ADD_TENSOR, SWAP, a, b);
}
static PyObject *nb_mul(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_MUL_TENSOR, PTS_OP_MUL_TENSOR, PTS_OP_MUL_TENSOR, SWAP, a, b);
}
static PyObject *nb_floordiv(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_FLOOR_DIVIDE, PTS_OP_FLOOR_DIVIDE, PTS_OP_FLOOR_DIVIDE, KEEP, a, b);
}
static PyObject *nb_mod(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_REMAINDER_TENSOR, PTS_OP_REMAINDER_SCALAR,
                        PTS_OP_REMAINDER_SCALAR_TENSOR, KEEP, a, b);
}
static PyObject *nb_and(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_DUNDER_AND_TENSOR, PTS_OP_DUNDER_AND_SCALAR, PTS_OP_BITWISE_AND_SCALAR,
                        SWAP, a, b);
}
static PyObject *nb_or(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_DUNDER_OR_TENSOR, PTS_OP_DUNDER_OR_SCALAR, PTS_OP_BITWISE_OR_SCALAR,
                        SWAP, a, b);
}
static PyObject *nb_xor(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_DUNDER_XOR_TENSOR, PTS_OP_DUNDER_XOR_SCALAR, PTS_OP_BITWISE_XOR_SCALAR,
                        SWAP, a, b);
}
static PyObject *nb_lshift(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_DUNDER_LSHIFT_TENSOR, PTS_OP_DUNDER_LSHIFT_SCALAR,
                        PTS_OP_BITWISE_LEFT_SHIFT_SCALAR_TENSOR, KEEP, a, b);
}
static PyObject *nb_rshift(PyObject *a, PyObject *b) {
    return binary_slot3(PTS_OP_DUNDER_RSHIFT_TENSOR, PTS_OP_DUNDER_RSHIFT_SCALAR,
                        PTS_OP_BITWISE_RIGHT_SHIFT_SCALAR_TENSOR, KEEP, a, b);
}

/* number - tensor is rsub(tensor, number) */
static PyObject *nb_sub(PyObject *a, PyObject *b) {
    PyObject *x, *y, *r;
    int k = operands(a, b, &x, &y);
    if (k < 0) return NULL;
    if (k == OPND_NONE) Py_RETURN_NOTIMPLEMENTED;
    r = k == OPND_NT ? call2(PTS_OP_RSUB_SCALAR, y, x) : call2(PTS_OP_SUB_TENSOR, x, y);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

/* number / tensor is reciprocal(tensor) * number, as PyTorch's __rtruediv__ */
static PyObject *nb_truediv(PyObject *a, PyObject *b) {
    PyObject *x, *y, *r;
    int k = operands(a, b, &x, &y);
    if (k < 0) return NULL;
    if (k == OPND_NONE) Py_RETURN_NOTIMPLEMENTED;
    if (k == OPND_NT) {
        PyObject *inv = unary_slot(PTS_OP_RECIPROCAL, y);
        r = inv ? call2(PTS_OP_MUL_TENSOR, inv, x) : NULL;
        Py_XDECREF(inv);
    } else {
        r = call2(PTS_OP_DIV_TENSOR, x, y);
    }
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod) {
    if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
    return binary_slot3(PTS_OP_POW_TENSOR_TENSOR, PTS_OP_POW_TENSOR_SCALAR, PTS_OP_POW_SCALAR, KEEP, a, b);
}

/* In-place forms run only with a tensor on the left (Python falls back to the binary slot
 * otherwise). */
static PyObject *inplace_slot(PtsOpId tt, PtsOpId tn, PyObject *a, PyObject *b) {
    if (!PytsTensor_Check(a)) Py_RETURN_NOTIMPLEMENTED;
    PyObject *x, *y, *r;
    int k = operands(a, b, &x, &y);
    if (k < 0) return NULL;
    if (k == OPND_NONE) Py_RETURN_NOTIMPLEMENTED;
    r = call2(k == OPND_TT ? tt : tn, x, y);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}
static PyObject *nb_iadd(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_ADD__TENSOR, PTS_OP_ADD__TENSOR, a, b); }
static PyObject *nb_isub(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_SUB__TENSOR, PTS_OP_SUB__TENSOR, a, b); }
static PyObject *nb_imul(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_MUL__TENSOR, PTS_OP_MUL__TENSOR, a, b); }
static PyObject *nb_itruediv(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_DIV__TENSOR, PTS_OP_DIV__TENSOR, a, b); }
static PyObject *nb_ifloordiv(PyObject *a, PyObject *b) {
    return inplace_slot(PTS_OP_FLOOR_DIVIDE__TENSOR, PTS_OP_FLOOR_DIVIDE__SCALAR, a, b);
}
static PyObject *nb_imod(PyObject *a, PyObject *b) {
    return inplace_slot(PTS_OP_REMAINDER__TENSOR, PTS_OP_REMAINDER__SCALAR, a, b);
}
static PyObject *nb_ipow(PyObject *a, PyObject *b, PyObject *mod) {
    if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
    return inplace_slot(PTS_OP_POW__TENSOR, PTS_OP_POW__SCALAR, a, b);
}
static PyObject *nb_iand(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_DUNDER_IAND_TENSOR, PTS_OP_DUNDER_IAND_SCALAR, a, b); }
static PyObject *nb_ior(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_DUNDER_IOR_TENSOR, PTS_OP_DUNDER_IOR_SCALAR, a, b); }
static PyObject *nb_ixor(PyObject *a, PyObject *b) { return inplace_slot(PTS_OP_DUNDER_IXOR_TENSOR, PTS_OP_DUNDER_IXOR_SCALAR, a, b); }
static PyObject *nb_ilshift(PyObject *a, PyObject *b) {
    return inplace_slot(PTS_OP_DUNDER_ILSHIFT_TENSOR, PTS_OP_DUNDER_ILSHIFT_SCALAR, a, b);
}
static PyObject *nb_irshift(PyObject *a, PyObject *b) {
    return inplace_slot(PTS_OP_DUNDER_IRSHIFT_TENSOR, PTS_OP_DUNDER_IRSHIFT_SCALAR, a, b);
}

/* @ takes tensors only (torch: "unsupported operand type(s) for @"); torch has no __imatmul__,
 * so `a @= b` rebinds a to a @ b through this slot as well. */
static PyObject *nb_matmul(PyObject *a, PyObject *b) {
    if (!PytsTensor_Check(a) || !PytsTensor_Check(b)) Py_RETURN_NOTIMPLEMENTED;
    PyObject *args[2] = { a, b };
    return pyts_call_op_id(PTS_OP_MATMUL, args, 2);
}
static PyObject *nb_neg(PyObject *a) { return unary_slot(PTS_OP_NEG, a); }
static PyObject *nb_abs(PyObject *a) { return unary_slot(PTS_OP_ABS, a); }
static PyObject *nb_invert(PyObject *a) {
    if (pts_dtype_is_float(T(a)->dtype))
        return PyErr_Format(PyExc_TypeError,
                            "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
    return unary_slot(PTS_OP_BITWISE_NOT, a);
}
static PyObject *nb_pos(PyObject *a) {
    if (T(a)->dtype == PTS_BOOL)
        return PyErr_Format(PyExc_RuntimeError, "The `+` operator, on a bool tensor is not supported.");
    return Py_NewRef(a);
}

/* == and != against a non-number give NotImplemented, so Python answers by identity (False /
 * True) as for torch; ordering against one raises TypeError. */
static PyObject *tensor_richcompare(PyObject *self, PyObject *other, int op) {
    static const PtsOpId tt[6] = { PTS_OP_LT_TENSOR, PTS_OP_LE_TENSOR, PTS_OP_EQ_TENSOR,
                                   PTS_OP_NE_TENSOR, PTS_OP_GT_TENSOR, PTS_OP_GE_TENSOR };
    static const PtsOpId ts[6] = { PTS_OP_LT_SCALAR, PTS_OP_LE_SCALAR, PTS_OP_EQ_SCALAR,
                                   PTS_OP_NE_SCALAR, PTS_OP_GT_SCALAR, PTS_OP_GE_SCALAR };
    if (op < 0 || op > 5) Py_RETURN_NOTIMPLEMENTED;
    PyObject *x, *y, *r;
    int k = operands(self, other, &x, &y);
    if (k < 0) return NULL;
    if (k != OPND_TT && k != OPND_TN) {
        if (k == OPND_NT) { Py_DECREF(x); Py_DECREF(y); }
        Py_RETURN_NOTIMPLEMENTED;
    }
    r = call2(k == OPND_TT ? tt[op] : ts[op], x, y);
    Py_DECREF(x);
    Py_DECREF(y);
    return r;
}

static int nb_bool(PyObject *self) {
    if (pyts_trace_warn("a Python boolean") < 0) return -1;
    PtsTensor *t = T(self);
    int64_t n = pts_numel(t);
    if (n != 1) {
        PyErr_Format(PyExc_RuntimeError, n == 0 ? "Boolean value of Tensor with no values is ambiguous"
                                                : "Boolean value of Tensor with more than one value is ambiguous");
        return -1;
    }
    if (pts_dtype_is_complex(t->dtype)) {
        double re, im;
        pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
        return re != 0 || im != 0;
    }
    return pts_tensor_item_f64(t) != 0;
}

/* float()/int() of a complex element: torch's checked conversion (only a zero imaginary part) */
static int complex_to_real_ok(PtsTensor *t, const char *ctype) {
    if (!pts_dtype_is_complex(t->dtype)) return 0;
    double re, im;
    pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
    if (im == 0) return 0;
    PyErr_Format(PyExc_RuntimeError, "value cannot be converted to type %s without overflow", ctype);
    return -1;
}

static PyObject *tensor_complex(PyObject *self, PyObject *unused) {
    (void)unused;
    PtsTensor *t = T(self);
    if (pts_numel(t) != 1) return PyErr_Format(PyExc_ValueError, "only one element tensors can be converted to Python scalars");
    double re, im;
    pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
    return PyComplex_FromDoubles(re, im);
}

static PyObject *nb_float(PyObject *self) {
    if (pyts_trace_warn("a Python float") < 0) return NULL;
    PtsTensor *t = T(self);
    if (pts_numel(t) != 1) return PyErr_Format(PyExc_ValueError, "only one element tensors can be converted to Python scalars");
    if (complex_to_real_ok(t, "double") < 0) return NULL;
    return PyFloat_FromDouble(pts_tensor_item_f64(t));
}

static PyObject *nb_int(PyObject *self) {
    if (pyts_trace_warn("a Python integer") < 0) return NULL;
    PtsTensor *t = T(self);
    if (pts_numel(t) != 1) return PyErr_Format(PyExc_ValueError, "only one element tensors can be converted to Python scalars");
    if (complex_to_real_ok(t, "int64_t") < 0) return NULL;
    if (pts_dtype_is_float(t->dtype) || pts_dtype_is_complex(t->dtype)) {
        PyObject *f = PyFloat_FromDouble(pts_tensor_item_f64(t));
        if (!f) return NULL;
        PyObject *r = PyNumber_Long(f);
        Py_DECREF(f);
        return r;
    }
    return PyLong_FromLongLong(pts_tensor_item_i64(t));
}

static PyObject *nb_index(PyObject *self) {
    /* no TracerWarning: torch 2.13's __index__ converts silently (range(x.size(1)) in a trace) */
    PtsTensor *t = T(self);
    if (pts_numel(t) != 1 || pts_dtype_is_float(t->dtype))
        return PyErr_Format(PyExc_TypeError, "only integer tensors of a single element can be converted to an index");
    return PyLong_FromLongLong(pts_tensor_item_i64(t));
}

static Py_ssize_t sq_len(PyObject *self) {
    if (pyts_trace_warn("Using len to get tensor shape might cause the trace to be incorrect. Recommended usage would be tensor.shape[0]. Passing a tensor of different shape might lead to errors or silently give incorrect results.") < 0) return -1;
    PtsTensor *t = T(self);
    if (t->ndim == 0) { PyErr_SetString(PyExc_TypeError, "len() of a 0-d tensor"); return -1; }
    return (Py_ssize_t)t->shape[0];
}

static PyObject *tensor_repr(PyObject *self) {
    PyObject *mod = PyImport_ImportModule("pyts._tensor_str");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, "_repr", "O", self);
    Py_DECREF(mod);
    return r;
}

/* tensors hash by identity, as in PyTorch (== is elementwise) */
static Py_hash_t tensor_hash(PyObject *self) { return _Py_HashPointer(self); }

static PyType_Slot tensor_slots[] = {
    {Py_tp_dealloc, tensor_dealloc},
    {Py_tp_traverse, tensor_traverse},
    {Py_tp_clear, tensor_clear},
    {Py_tp_new, tensor_new},
    {Py_tp_repr, tensor_repr},
    {Py_tp_str, tensor_repr},
    {Py_tp_hash, tensor_hash},
    {Py_tp_getset, tensor_getset},
    {Py_tp_methods, tensor_methods},
    {Py_tp_richcompare, tensor_richcompare},
    {Py_nb_add, nb_add},
    {Py_nb_subtract, nb_sub},
    {Py_nb_multiply, nb_mul},
    {Py_nb_true_divide, nb_truediv},
    {Py_nb_floor_divide, nb_floordiv},
    {Py_nb_remainder, nb_mod},
    {Py_nb_power, nb_pow},
    {Py_nb_and, nb_and},
    {Py_nb_or, nb_or},
    {Py_nb_xor, nb_xor},
    {Py_nb_lshift, nb_lshift},
    {Py_nb_rshift, nb_rshift},
    {Py_nb_inplace_add, nb_iadd},
    {Py_nb_inplace_subtract, nb_isub},
    {Py_nb_inplace_multiply, nb_imul},
    {Py_nb_inplace_true_divide, nb_itruediv},
    {Py_nb_matrix_multiply, nb_matmul},
    {Py_nb_inplace_floor_divide, nb_ifloordiv},
    {Py_nb_inplace_remainder, nb_imod},
    {Py_nb_inplace_power, nb_ipow},
    {Py_nb_inplace_and, nb_iand},
    {Py_nb_inplace_or, nb_ior},
    {Py_nb_inplace_xor, nb_ixor},
    {Py_nb_inplace_lshift, nb_ilshift},
    {Py_nb_inplace_rshift, nb_irshift},
    {Py_nb_negative, nb_neg},
    {Py_nb_positive, nb_pos},
    {Py_nb_absolute, nb_abs},
    {Py_nb_invert, nb_invert},
    {Py_nb_bool, nb_bool},
    {Py_nb_float, nb_float},
    {Py_nb_int, nb_int},
    {Py_nb_index, nb_index},
    {Py_sq_length, sq_len},
    {Py_mp_length, sq_len},
    {Py_mp_subscript, pyts_tensor_getitem},
    {Py_mp_ass_subscript, pyts_tensor_setitem},
    {Py_tp_iter, pyts_tensor_iter},
    {0, NULL},
};

static PyMemberDef tensor_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(PytsTensorObject, dict), READONLY, NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(PytsTensorObject, weakrefs), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

int pyts_tensor_setup(PyObject *module) {
    PyType_Slot slots[sizeof tensor_slots / sizeof tensor_slots[0] + 1];
    size_t n = 0;
    while (tensor_slots[n].slot) { slots[n] = tensor_slots[n]; n++; }
    slots[n].slot = Py_tp_members;
    slots[n].pfunc = tensor_members;
    slots[n + 1].slot = 0;
    slots[n + 1].pfunc = NULL;
    PyType_Spec spec = { "pyts.Tensor", sizeof(PytsTensorObject), 0,
                         Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, slots };
    PytsTensor_Type = (PyTypeObject *)PyType_FromSpec(&spec);
    if (!PytsTensor_Type) return -1;
    if (PyModule_AddObjectRef(module, "Tensor", (PyObject *)PytsTensor_Type) < 0) return -1;
    PytsSize_Type = (PyTypeObject *)PyType_FromSpecWithBases(&size_spec, (PyObject *)&PyTuple_Type);
    if (!PytsSize_Type) return -1;
    if (PyModule_AddObjectRef(module, "Size", (PyObject *)PytsSize_Type) < 0) return -1;
    return 0;
}
