/* generator.c: the pyts.Generator Python type (one reference to a PtsGenerator) and the module
 * functions of the default generator: manual_seed, seed, initial_seed, get_rng_state,
 * set_rng_state. Op bindings receive a generator through the `_pyts_generator` capsule (bind.c). */
#include "pyts_python.h"

#include "../ops/random.h"

typedef struct PytsGeneratorObject {
    PyObject_HEAD
    PtsGenerator *g;   /* +1 */
} PytsGeneratorObject;

static PyTypeObject *PytsGenerator_Type;
static PyObject *default_generator;   /* the Python object of the default generator */

static PtsGenerator *gen_of(PyObject *o) { return ((PytsGeneratorObject *)o)->g; }

static PyObject *wrap_generator(PyTypeObject *type, PtsGenerator *g) {
    PytsGeneratorObject *o = (PytsGeneratorObject *)type->tp_alloc(type, 0);
    if (!o) { pts_generator_release(g); return NULL; }
    o->g = g;
    return (PyObject *)o;
}

/* torch.Generator(device='cpu') */
static PyObject *gen_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"device", NULL};
    PyObject *device = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:Generator", kwlist, &device)) return NULL;
    if (device && device != Py_None) {
        PyObject *s = PyObject_Str(device);
        if (!s) return NULL;
        const char *d = PyUnicode_AsUTF8(s);
        bool cpu = d && (strcmp(d, "cpu") == 0 || strcmp(d, "cpu:0") == 0);
        if (!cpu && d)
            PyErr_Format(PyExc_RuntimeError, "pyts runs on the CPU only; device '%s' is not available", d);
        Py_DECREF(s);
        if (!cpu) return NULL;
    }
    PtsError err = { 0 };
    PtsGenerator *g;
    if (pts_generator_new(PTS_DEFAULT_RNG_SEED, &err, &g)) return pyts_raise(&err);
    return wrap_generator(type, g);
}

static void gen_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    pts_generator_release(gen_of(self));
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* A seed as torch takes it: any int in [-2^63, 2^64); negatives wrap to two's complement. */
static int seed_arg(PyObject *o, uint64_t *out) {
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "manual_seed expected a long, but got %s", Py_TYPE(o)->tp_name);
        return -1;
    }
    unsigned long long u = PyLong_AsUnsignedLongLong(o);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        int ovf;
        long long s = PyLong_AsLongLongAndOverflow(o, &ovf);
        if (ovf || (s == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "Overflow when unpacking long long");
            return -1;
        }
        u = (unsigned long long)s;
    }
    *out = u;
    return 0;
}

static PyObject *gen_manual_seed(PyObject *self, PyObject *arg) {
    uint64_t seed;
    if (seed_arg(arg, &seed) < 0) return NULL;
    pts_generator_manual_seed(gen_of(self), seed);
    return Py_NewRef(self);
}

static PyObject *gen_seed(PyObject *self, PyObject *u) {
    (void)u;
    return PyLong_FromUnsignedLongLong(pts_generator_seed(gen_of(self)));
}

static PyObject *gen_initial_seed(PyObject *self, PyObject *u) {
    (void)u;
    return PyLong_FromUnsignedLongLong(pts_generator_initial_seed(gen_of(self)));
}

static PyObject *gen_get_state(PyObject *self, PyObject *u) {
    (void)u;
    int64_t n = PTS_RNG_STATE_SIZE;
    PtsError err = { 0 };
    PtsTensor *t;
    if (pts_tensor_new(PTS_UINT8, 1, &n, &err, &t)) return pyts_raise(&err);
    pts_generator_get_state(gen_of(self), (uint8_t *)pts_tensor_data(t));
    return pyts_wrap_tensor(t);
}

static PyObject *gen_set_state(PyObject *self, PyObject *arg) {
    if (!PytsTensor_Check(arg))
        return PyErr_Format(PyExc_TypeError, "expected a torch.ByteTensor, but got %s", Py_TYPE(arg)->tp_name);
    PtsTensor *t = pyts_tensor_of(arg), *c;
    if (t->dtype != PTS_UINT8)
        return PyErr_Format(PyExc_TypeError, "expected a torch.ByteTensor, but got torch.%sTensor",
                            pts_dtype_torch_name(t->dtype));
    PtsError err = { 0 };
    if (pts_tensor_contiguous(t, &err, &c)) return pyts_raise(&err);
    PtsStatus s = pts_generator_set_state(gen_of(self), (const uint8_t *)pts_tensor_data(c), pts_numel(c), &err);
    pts_tensor_release(c);
    if (s) return pyts_raise(&err);
    return Py_NewRef(self);
}

static PyObject *gen_get_device(PyObject *self, void *c) { (void)self; (void)c; return pyts_device_cpu(); }

/* What bind.c reads to pass this generator to an op: a capsule over the PtsHeap header. The
 * binding takes its own reference, so the capsule holds none. */
static PyObject *gen_get_capsule(PyObject *self, void *c) {
    (void)c;
    return PyCapsule_New(&gen_of(self)->h, "pyts.Generator", NULL);
}

static PyObject *gen_repr(PyObject *self) {
    return PyUnicode_FromFormat("<pyts.Generator object at %p>", (void *)self);
}

static PyMethodDef gen_methods[] = {
    {"manual_seed", gen_manual_seed, METH_O, "seed the generator; returns it"},
    {"seed", gen_seed, METH_NOARGS, "seed from a nondeterministic source; returns the seed"},
    {"initial_seed", gen_initial_seed, METH_NOARGS, "the seed the generator was last seeded with"},
    {"get_state", gen_get_state, METH_NOARGS, "the state as a uint8 tensor (torch's layout)"},
    {"set_state", gen_set_state, METH_O, "restore a state from get_state(); returns the generator"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef gen_getset[] = {
    {"device", gen_get_device, NULL, "always cpu", NULL},
    {"_pyts_generator", gen_get_capsule, NULL, "the C generator, for op bindings", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot gen_slots[] = {
    {Py_tp_new, gen_new},
    {Py_tp_dealloc, gen_dealloc},
    {Py_tp_repr, gen_repr},
    {Py_tp_methods, gen_methods},
    {Py_tp_getset, gen_getset},
    {0, NULL},
};

static PyType_Spec gen_spec = { "pyts.Generator", sizeof(PytsGeneratorObject), 0,
                                Py_TPFLAGS_DEFAULT, gen_slots };

/* ---- module functions over the default generator ---- */
static PyObject *m_manual_seed(PyObject *m, PyObject *arg) {
    (void)m;
    PyObject *i = PyNumber_Long(arg);   /* torch.manual_seed applies int() first */
    if (!i) return NULL;
    PyObject *r = gen_manual_seed(default_generator, i);
    Py_DECREF(i);
    return r;
}
static PyObject *m_seed(PyObject *m, PyObject *u) { (void)m; return gen_seed(default_generator, u); }
static PyObject *m_initial_seed(PyObject *m, PyObject *u) { (void)m; return gen_initial_seed(default_generator, u); }
static PyObject *m_get_rng_state(PyObject *m, PyObject *u) { (void)m; return gen_get_state(default_generator, u); }
static PyObject *m_set_rng_state(PyObject *m, PyObject *arg) {
    (void)m;
    PyObject *r = gen_set_state(default_generator, arg);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyMethodDef random_functions[] = {
    {"manual_seed", m_manual_seed, METH_O, "seed the default generator; returns it"},
    {"seed", m_seed, METH_NOARGS, "seed the default generator nondeterministically; returns the seed"},
    {"initial_seed", m_initial_seed, METH_NOARGS, "the default generator's seed"},
    {"get_rng_state", m_get_rng_state, METH_NOARGS, "the default generator's state (uint8 tensor)"},
    {"set_rng_state", m_set_rng_state, METH_O, "restore the default generator's state"},
    {NULL, NULL, 0, NULL},
};

int pyts_generator_setup(PyObject *module) {
    PytsGenerator_Type = (PyTypeObject *)PyType_FromSpec(&gen_spec);
    if (!PytsGenerator_Type) return -1;
    if (PyModule_AddObjectRef(module, "Generator", (PyObject *)PytsGenerator_Type) < 0) return -1;
    default_generator = wrap_generator(PytsGenerator_Type,
                                       pts_generator_retain(pts_generator_default()));
    if (!default_generator) return -1;
    if (PyModule_AddObjectRef(module, "default_generator", default_generator) < 0) return -1;
    return PyModule_AddFunctions(module, random_functions);
}
