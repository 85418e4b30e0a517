/* device.c: pyts.device, the Python face of a device as torch.device has it: a type name and an
 * optional index, parsed from "cpu", "cpu:0" or ("cpu", 0), printed device(type='cpu'). Any of
 * torch's device types can be named (a model's code may mention cuda); only cpu holds tensors, and
 * the conversion to a core value refuses the others. */
#include "pyts_python.h"

typedef struct {
    PyObject_HEAD
    PyObject *type;   /* interned str */
    int index;        /* -1: none */
} DeviceObject;

PyTypeObject *PytsDevice_Type;
static PyObject *cpu_device;   /* device('cpu'), shared by every tensor's .device */

static const char *const device_types[] = {
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
    "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
};

static PyObject *device_make(PyTypeObject *tp, const char *type, size_t tlen, long index) {
    int known = 0;
    for (size_t i = 0; i < sizeof device_types / sizeof *device_types; i++)
        if (strlen(device_types[i]) == tlen && memcmp(device_types[i], type, tlen) == 0) known = 1;
    if (!known) {
        PyObject *t = PyUnicode_FromStringAndSize(type, (Py_ssize_t)tlen);
        if (!t) return NULL;
        PyErr_Format(PyExc_RuntimeError,
                     "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                     "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of "
                     "device string: %U", t);
        Py_DECREF(t);
        return NULL;
    }
    PyObject *name = PyUnicode_FromStringAndSize(type, (Py_ssize_t)tlen);
    if (!name) return NULL;
    PyUnicode_InternInPlace(&name);
    DeviceObject *d = (DeviceObject *)tp->tp_alloc(tp, 0);
    if (!d) { Py_DECREF(name); return NULL; }
    d->type = name;
    d->index = (int)index;
    return (PyObject *)d;
}

/* "type" or "type:index" with a non-negative decimal index, as torch parses it. */
static PyObject *device_parse(PyTypeObject *tp, const char *s, long explicit_index) {
    const char *colon = strchr(s, ':');
    if (!colon) return device_make(tp, s, strlen(s), explicit_index);
    if (explicit_index >= 0)
        return PyErr_Format(PyExc_RuntimeError,
                            "type (string) must not include an index because index was passed explicitly: %s", s);
    const char *p = colon + 1;
    long ix = 0;
    if (!*p || (p[0] == '0' && p[1])) goto invalid;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || ix > 100000000) goto invalid;
        ix = ix * 10 + (*p - '0');
    }
    return device_make(tp, s, (size_t)(colon - s), ix);
invalid:
    return PyErr_Format(PyExc_RuntimeError, "Invalid device string: '%s'", s);
}

static PyObject *device_bad_args(PyObject *args, PyObject *kw) {
    (void)kw;
    PyObject *names = PyUnicode_FromString("");
    for (Py_ssize_t i = 0; names && i < PyTuple_GET_SIZE(args); i++) {
        PyObject *n = PyUnicode_FromFormat("%U%s%s", names, i ? ", " : "", Py_TYPE(PyTuple_GET_ITEM(args, i))->tp_name);
        Py_SETREF(names, n);
    }
    if (!names) return NULL;
    PyErr_Format(PyExc_TypeError,
                 "device() received an invalid combination of arguments - got (%U), but expected one of:\n"
                 " * (pyts.device device)\n * (str type, int index = -1)\n", names);
    Py_DECREF(names);
    return NULL;
}

static PyObject *device_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
    static char *kwlist[] = { "type", "index", NULL };
    PyObject *type = NULL, *index = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO:device", kwlist, &type, &index)) return NULL;
    if (type && PyObject_TypeCheck(type, PytsDevice_Type) && index == Py_None) return Py_NewRef(type);
    if (type && PyLong_Check(type) && index == Py_None)
        return PyErr_Format(PyExc_RuntimeError, "Cannot access accelerator device when none is available.");
    if (!type || !PyUnicode_Check(type) || (index != Py_None && !PyLong_Check(index))) return device_bad_args(args, kw);
    long ix = -1;
    if (index != Py_None) {
        ix = PyLong_AsLong(index);
        if (ix == -1 && PyErr_Occurred()) return NULL;
        if (ix < 0) return PyErr_Format(PyExc_RuntimeError, "Device index must not be negative");
        if (ix > 0x7fffffff) return PyErr_Format(PyExc_RuntimeError, "Device index is too large");
    }
    const char *s = PyUnicode_AsUTF8(type);
    return s ? device_parse(tp, s, ix) : NULL;
}

static void device_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(((DeviceObject *)self)->type);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *device_str(PyObject *self) {
    DeviceObject *d = (DeviceObject *)self;
    return d->index < 0 ? Py_NewRef(d->type) : PyUnicode_FromFormat("%U:%d", d->type, d->index);
}
static PyObject *device_repr(PyObject *self) {
    DeviceObject *d = (DeviceObject *)self;
    return d->index < 0 ? PyUnicode_FromFormat("device(type='%U')", d->type)
                        : PyUnicode_FromFormat("device(type='%U', index=%d)", d->type, d->index);
}
static PyObject *device_richcompare(PyObject *a, PyObject *b, int op) {
    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(b, PytsDevice_Type)) Py_RETURN_NOTIMPLEMENTED;
    DeviceObject *x = (DeviceObject *)a, *y = (DeviceObject *)b;
    int eq = x->index == y->index && PyUnicode_Compare(x->type, y->type) == 0;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}
static Py_hash_t device_hash(PyObject *self) {
    DeviceObject *d = (DeviceObject *)self;
    Py_hash_t h = PyObject_Hash(d->type);
    if (h == -1) return -1;
    h = h * 1000003 + d->index + 1;
    return h == -1 ? -2 : h;
}
static PyObject *device_get_type(PyObject *self, void *c) { (void)c; return Py_NewRef(((DeviceObject *)self)->type); }
static PyObject *device_get_index(PyObject *self, void *c) {
    (void)c;
    int ix = ((DeviceObject *)self)->index;
    return ix < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(ix);
}
static PyObject *device_reduce(PyObject *self, PyObject *u) {
    (void)u;
    PyObject *s = device_str(self);
    if (!s) return NULL;
    PyObject *r = Py_BuildValue("(O(N))", (PyObject *)Py_TYPE(self), s);
    return r;
}

static PyGetSetDef device_getset[] = {
    {"type", device_get_type, NULL, "the device type, e.g. 'cpu'", NULL},
    {"index", device_get_index, NULL, "the device index, or None", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyMethodDef device_methods[] = {
    {"__reduce__", device_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot device_slots[] = {
    {Py_tp_new, device_new},
    {Py_tp_dealloc, device_dealloc},
    {Py_tp_repr, device_repr},
    {Py_tp_str, device_str},
    {Py_tp_richcompare, device_richcompare},
    {Py_tp_hash, device_hash},
    {Py_tp_getset, device_getset},
    {Py_tp_methods, device_methods},
    {0, NULL},
};
static PyType_Spec device_spec = { "pyts.device", sizeof(DeviceObject), 0, Py_TPFLAGS_DEFAULT, device_slots };

PyObject *pyts_device_cpu(void) { return Py_NewRef(cpu_device); }

/* The core's device value (PTS_V_DEVICE: -1 is cpu, k >= 0 is cuda:k as archives may name it). */
PyObject *pyts_device_from_index(int64_t ix) {
    if (ix < 0) return Py_NewRef(cpu_device);
    return device_make(PytsDevice_Type, "cuda", 4, ix > 0x7fffffff ? 0x7fffffff : (long)ix);
}

/* 1 and *is_cpu set when o is a pyts.device; 0 otherwise. */
int pyts_device_check(PyObject *o, int *is_cpu) {
    if (!PyObject_TypeCheck(o, PytsDevice_Type)) return 0;
    *is_cpu = PyUnicode_CompareWithASCIIString(((DeviceObject *)o)->type, "cpu") == 0;
    return 1;
}

int pyts_device_setup(PyObject *m) {
    PytsDevice_Type = (PyTypeObject *)PyType_FromSpec(&device_spec);
    if (!PytsDevice_Type) return -1;
    if (PyModule_AddObjectRef(m, "device", (PyObject *)PytsDevice_Type) < 0) return -1;
    cpu_device = device_make(PytsDevice_Type, "cpu", 3, -1);
    return cpu_device ? 0 : -1;
}
