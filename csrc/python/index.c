/* index.c: Tensor.__getitem__, __setitem__ and __iter__. Parses a Python key into index items
 * the way PyTorch's python_variable_indexing.cpp does (ints, slices, None, Ellipsis, bools,
 * tensors, and sequences turned into index tensors with NumPy's tuple heuristic), converts the
 * assigned value, and hands both to the C indexing engine (ops/index.h). */
#include "pyts_python.h"

#include "../ops/index.h"
#include "../trace/trace.h"

typedef struct Key {
    PtsIndexItem items[PTS_MAX_INDEX_ITEMS];
    int n;
    PtsTensor *owned[PTS_MAX_INDEX_ITEMS];  /* index tensors made from sequences */
    int nowned;
} Key;

static void key_free(Key *k) {
    for (int i = 0; i < k->nowned; i++) pts_tensor_release(k->owned[i]);
    k->nowned = 0;
}

/* THPUtils_checkLong: Python ints (not bools) and NumPy integers */
static bool check_long(PyObject *o) {
    return (PyLong_Check(o) && !PyBool_Check(o)) || PYTS_NP_SCALAR(o, Integer);
}

static int unpack_long(PyObject *o, int64_t *v) {
    int ovf;
    long long x = PyLong_AsLongLongAndOverflow(o, &ovf);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (ovf) {
        PyErr_SetString(PyExc_ValueError, "Overflow when unpacking long long");
        return -1;
    }
    *v = x;
    return 0;
}

/* sequenceToVariable: a nested sequence becomes an index tensor, bool (or uint8) when its data
 * is, else int64 (floats truncate, as indexing_tensor_from_data does) */
static int sequence_tensor(PyObject *seq, Key *k, PtsTensor **out) {
    if (PyUnicode_Check(seq) || PyBytes_Check(seq)) {
        PyErr_Format(PyExc_TypeError, "new(): invalid data type '%s'", Py_TYPE(seq)->tp_name);
        return -1;
    }
    /* other sequences (range, ...) go through a list, which pyts.tensor() reads */
    PyObject *data = PyList_Check(seq) || PyTuple_Check(seq) || PYTS_NP_ARRAY(seq) ? Py_NewRef(seq)
                                                                                    : PySequence_List(seq);
    if (!data) return -1;
    PyObject *args = PyTuple_Pack(1, data);
    Py_DECREF(data);
    if (!args) return -1;
    PyObject *t = pyts_tensor_new_from_data(NULL, args, NULL);
    Py_DECREF(args);
    if (!t) return -1;
    PtsTensor *src = pyts_tensor_of(t), *r;
    PtsError err = { 0 };
    PtsStatus s;
    if (src->dtype == PTS_BOOL || src->dtype == PTS_UINT8) s = pts_tensor_to(src, src->dtype, false, &err, &r);
    else s = pts_tensor_to(src, PTS_INT64, false, &err, &r);
    Py_DECREF(t);
    if (s) { pyts_raise(&err); return -1; }
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) {
        /* torch's tracer records the index tensor made from data as a constant moved by
         * aten::to(c, device("cpu"), dtype) (indexing_tensor_from_data's .to()); the key uses
         * what it returns */
        PtsValue args[6] = { pts_vtensor(r), { PTS_V_DEVICE, { .i = -1 } }, pts_vint(r->dtype), pts_vbool(false),
                             pts_vbool(false), pts_none() };
        PtsValue o;
        s = pts_op_call(PTS_OP_TO_DEVICE, args, &o, &err);
        pts_tensor_release(r);
        if (s) { pyts_raise(&err); return -1; }
        r = o.u.t;
    }
    k->owned[k->nowned++] = r;
    *out = r;
    return 0;
}

static int parse_item(PyObject *o, Key *k) {
    if (k->n == PTS_MAX_INDEX_ITEMS) {
        PyErr_Format(PyExc_IndexError, "too many indices (more than %d)", PTS_MAX_INDEX_ITEMS);
        return -1;
    }
    PtsIndexItem *it = &k->items[k->n];
    memset(it, 0, sizeof *it);
    if (check_long(o)) {
        it->kind = PTS_IDX_INT;
        if (PyLong_Check(o)) {
            if (unpack_long(o, &it->i) < 0) return -1;
        } else {
            PyObject *i = PyNumber_Index(o);
            if (!i) return -1;
            int r = unpack_long(i, &it->i);
            Py_DECREF(i);
            if (r < 0) return -1;
        }
    } else if (PySlice_Check(o)) {
        Py_ssize_t start, stop, step;
        if (PySlice_Unpack(o, &start, &stop, &step) < 0) return -1;
        it->kind = PTS_IDX_SLICE;
        it->start = start;
        it->stop = stop;
        it->step = step;
    } else if (o == Py_Ellipsis) {
        it->kind = PTS_IDX_ELLIPSIS;
    } else if (o == Py_None) {
        it->kind = PTS_IDX_NONE;
    } else if (PyBool_Check(o)) {
        it->kind = PTS_IDX_BOOL;
        it->b = o == Py_True;
    } else if (PytsTensor_Check(o)) {
        it->kind = PTS_IDX_TENSOR;
        it->t = pyts_tensor_of(o);
    } else if (PySequence_Check(o)) {
        it->kind = PTS_IDX_TENSOR;
        if (sequence_tensor(o, k, &it->t) < 0) return -1;
    } else {
        PyObject *i = PyNumber_Index(o);
        if (!i) {
            PyErr_Clear();
            PyErr_Format(PyExc_IndexError, "only integers, slices (`:`), ellipsis (`...`), None and long "
                         "or byte Variables are valid indices (got %s)", Py_TYPE(o)->tp_name);
            return -1;
        }
        it->kind = PTS_IDX_INT;
        int r = unpack_long(i, &it->i);
        Py_DECREF(i);
        if (r < 0) return -1;
    }
    k->n++;
    return 0;
}

/* treatSequenceAsTuple: NumPy's heuristic for x[[a, b]] vs x[[0, 1]] */
static bool sequence_as_tuple(PyObject *key) {
    if (PyTuple_Check(key)) return true;
    if (PytsTensor_Check(key) || PYTS_NP_ARRAY_EXACT(key) || !PySequence_Check(key)) return false;
    Py_ssize_t n = PySequence_Size(key);
    if (n < 0) { PyErr_Clear(); return false; }
    if (n >= 32) return false;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PySequence_GetItem(key, i);
        if (!o) { PyErr_Clear(); return false; }
        bool yes = PytsTensor_Check(o) || PySequence_Check(o) || PySlice_Check(o) || o == Py_Ellipsis ||
                   o == Py_None;
        Py_DECREF(o);
        if (yes) return true;
    }
    return false;
}

/* Parse key into k. *holder keeps the tuple (and so the borrowed tensors) alive; Py_XDECREF it
 * after the engine call. */
static int parse_key(PyObject *key, Key *k, PyObject **holder) {
    k->n = 0;
    k->nowned = 0;
    *holder = NULL;
    /* the simple forms are one item */
    if (key == Py_None || key == Py_Ellipsis || PyBool_Check(key) || check_long(key) || PySlice_Check(key))
        return parse_item(key, k);
    PyObject *tup = sequence_as_tuple(key) ? PySequence_Tuple(key) : PyTuple_Pack(1, key);
    if (!tup) return -1;
    *holder = tup;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tup); i++)
        if (parse_item(PyTuple_GET_ITEM(tup, i), k) < 0) {
            key_free(k);
            return -1;
        }
    return 0;
}

/* While tracing, the tensors a key reads (self, the assigned value, traced bounds) that are bound
 * to a local variable of the calling Python frame take its name, as torch's tracer names every
 * input it looks up (y = x * 2; y[:, :n] reads `y = torch.mul(...)`). */
static void name_from_locals(PyObject *const *objs, int n) {
    PyFrameObject *fr = PyEval_GetFrame();
    if (!fr) return;
    PyObject *locals = PyFrame_GetLocals(fr);
    if (!locals) { PyErr_Clear(); return; }
    if (PyDict_Check(locals)) {
        for (int i = 0; i < n; i++) {
            if (!objs[i] || !PytsTensor_Check(objs[i])) continue;
            PyObject *k, *v;
            Py_ssize_t pos = 0;
            while (PyDict_Next(locals, &pos, &k, &v)) {
                if (v != objs[i] || !PyUnicode_Check(k)) continue;
                const char *nm = PyUnicode_AsUTF8(k);
                if (nm && strcmp(nm, "self") != 0) pts_trace_name_tensor(pyts_tensor_of(objs[i]), nm);
                break;
            }
        }
    }
    Py_DECREF(locals);
    PyErr_Clear();
}

static void name_key_tensors(PyObject *self, PyObject *value, PyObject *const *items, const Key *k) {
    PyObject *objs[2 + 3 * PTS_MAX_INDEX_ITEMS];
    int n = 0;
    objs[n++] = self;
    objs[n++] = value;
    for (int i = 0; i < k->n; i++) {
        if (k->items[i].kind == PTS_IDX_SLICE) {
            PySliceObject *sl = (PySliceObject *)items[i];
            objs[n++] = sl->start;
            objs[n++] = sl->stop;
            objs[n++] = sl->step;
        } else if (k->items[i].kind == PTS_IDX_TENSOR && PytsTensor_Check(items[i])) {
            objs[n++] = items[i];
        }
    }
    name_from_locals(objs, n);
}

/* While tracing, a slice bound or an integer index that is a traced size (x[:, :x.size(1) // 2],
 * x[x.size(0) - 1, 1:]) is recorded as aten::Int of that value feeding the item's aten::slice or
 * aten::select, as torch's recordSliceTrace / recordSelectTrace do, so the trace follows the size
 * (x[i] and x[i] = v alike).
 * Every key item that records a slice or select is queued in key order (the engine records one
 * per item, full slices included while tracing); items is the key's Python items. */
static void queue_index_bounds(PyObject *const *items, const Key *k) {
    for (int i = 0; i < k->n; i++) {
        const PtsIndexItem *it = &k->items[i];
        if (it->kind == PTS_IDX_SLICE) {
            pts_trace_index_item(PTS_OP_SLICE_TENSOR);
            PySliceObject *sl = (PySliceObject *)items[i];
            PyObject *b[3] = { sl->start, sl->stop, sl->step };
            for (int j = 0; j < 3; j++)
                if (PytsTensor_Check(b[j])) pts_trace_index_bound(2 + j, pyts_tensor_of(b[j]));
        } else if (it->kind == PTS_IDX_INT) {
            pts_trace_index_item(PTS_OP_SELECT_INT);
        } else if (it->kind == PTS_IDX_TENSOR && it->t->ndim == 0 && pts_dtype_kind(it->t->dtype) != PTS_KIND_FLOAT &&
                   it->t->dtype != PTS_BOOL && it->t->dtype != PTS_UINT8) {
            /* a 0-dim integer tensor indexes as an int (aten::select) */
            pts_trace_index_item(PTS_OP_SELECT_INT);
            pts_trace_index_bound(2, it->t);
        }
    }
}

PyObject *pyts_tensor_getitem(PyObject *self, PyObject *key) {
    Key k;
    PyObject *holder;
    if (parse_key(key, &k, &holder) < 0) { Py_XDECREF(holder); return NULL; }
    PtsError err = { 0 };
    PtsTensor *r;
    bool tracing = PTS_UNLIKELY(pts_tls_tracing > 0);
    if (tracing) {
        PyObject *const *items = holder ? ((PyTupleObject *)holder)->ob_item : &key;
        name_key_tensors(self, NULL, items, &k);
        queue_index_bounds(items, &k);
    }
    /* while tracing every slice is recorded, full ones too (torch's disable_slice_optimization) */
    PtsStatus s = pts_index_get(pyts_tensor_of(self), k.items, k.n, tracing, &err, &r);
    if (tracing) {   /* what no recorded op took */
        pts_trace_index_clear();
        pts_trace_stash_clear();
    }
    key_free(&k);
    Py_XDECREF(holder);
    if (s) return pyts_raise(&err);
    return pyts_wrap_tensor(r);
}

/* "pyts.FloatTensor": the legacy type name PyTorch uses in assignment errors */
static const char *legacy_name(PtsDType d, char *buf, size_t n) {
    snprintf(buf, n, "pyts.%sTensor", pts_scalar_type_name(d));
    return buf;
}

/* valueToTensor: a tensor as is; a Python number as a 0-dim tensor of self's dtype */
static int value_tensor(PtsTensor *self, PyObject *v, PtsTensor **out) {
    *out = NULL;
    if (PytsTensor_Check(v)) {
        *out = pts_tensor_retain(pyts_tensor_of(v));
        return 0;
    }
    PtsError err = { 0 };
    PtsStatus s;
    if (check_long(v) || PyBool_Check(v)) {
        int64_t i;
        PyObject *iv = PyNumber_Index(v);
        if (!iv) return -1;
        int r = unpack_long(iv, &i);
        Py_DECREF(iv);
        if (r < 0) return -1;
        s = pts_tensor_scalar_i64(self->dtype, i, &err, out);
    } else if (PyFloat_Check(v)) {
        s = pts_tensor_scalar_f64(self->dtype, PyFloat_AS_DOUBLE(v), &err, out);
    } else if (PyComplex_Check(v)) {
        /* a complex number: both parts into a complex tensor; a real one takes it only when the
         * imaginary part is 0 (torch's Scalar::to<T> check) */
        Py_complex z = PyComplex_AsCComplex(v);
        if (!pts_dtype_is_complex(self->dtype) && z.imag != 0) {
            PyErr_Format(PyExc_RuntimeError, "value cannot be converted to type %s without overflow",
                         self->dtype == PTS_FLOAT32 ? "float" : self->dtype == PTS_FLOAT64 ? "double"
                         : self->dtype == PTS_INT64 ? "int64_t" : pts_dtype_cpp_name(self->dtype));
            return -1;
        }
        s = pts_tensor_new(self->dtype, 0, NULL, &err, out);
        if (!s) pts_store_c128(self->dtype, pts_tensor_data(*out), z.real, z.imag);
    } else {
        char buf[64];
        PyErr_Format(PyExc_TypeError, "can't assign a %s to a %s", Py_TYPE(v)->tp_name,
                     legacy_name(self->dtype, buf, sizeof buf));
        return -1;
    }
    if (s) { pyts_raise(&err); return -1; }
    return 0;
}

int pyts_tensor_setitem(PyObject *self, PyObject *key, PyObject *value) {
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "Tensor does not support deleting items");
        return -1;
    }
    PtsTensor *t = pyts_tensor_of(self), *v;
    if (value_tensor(t, value, &v) < 0) return -1;
    Key k;
    PyObject *holder;
    if (parse_key(key, &k, &holder) < 0) {
        Py_XDECREF(holder);
        pts_tensor_release(v);
        return -1;
    }
    PtsError err = { 0 };
    bool tracing = PTS_UNLIKELY(pts_tls_tracing > 0);
    if (tracing) {
        PyObject *const *items = holder ? ((PyTupleObject *)holder)->ob_item : &key;
        name_key_tensors(self, value, items, &k);
        queue_index_bounds(items, &k);
    }
    PtsStatus s = pts_index_set(t, k.items, k.n, v, tracing, &err);
    if (tracing) {
        pts_trace_index_clear();
        pts_trace_stash_clear();
    }
    key_free(&k);
    Py_XDECREF(holder);
    pts_tensor_release(v);
    if (s) { pyts_raise(&err); return -1; }
    return 0;
}

/* iter(x) is iter(x.unbind(0)), as torch.Tensor.__iter__ does */
PyObject *pyts_tensor_iter(PyObject *self) {
    if (pyts_trace_warn("Iterating over a tensor might cause the trace to be incorrect. Passing a tensor of different shape won't change the number of iterations executed (and might lead to errors or silently give incorrect results).") < 0) return NULL;
    PtsTensor *t = pyts_tensor_of(self);
    if (t->ndim == 0) return PyErr_Format(PyExc_TypeError, "iteration over a 0-d tensor");
    PyObject *parts = pyts_call_op_id(PTS_OP_UNBIND_INT, &self, 1);
    if (!parts) return NULL;
    PyObject *it = PyObject_GetIter(parts);
    Py_DECREF(parts);
    return it;
}
