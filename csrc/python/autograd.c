/* autograd.c: the Python face of the autograd layer. grad_fn objects (one heap type per node
 * name, so type(t.grad_fn).__name__ is "TanhBackward0" as in PyTorch), the autograd attributes
 * and methods of Tensor (requires_grad, grad, grad_fn, is_leaf, backward, detach, ...), and the
 * module functions behind pyts.autograd (backward, grad, grad mode). */
#include "pyts_python.h"

#include <stdio.h>

#include "../autograd/autograd.h"

/* serial/pickle.c's requires_grad hooks (serial.h cannot sit next to autograd.h: both define a
 * PtsNode) */
PTS_INTERNAL extern bool (*pts_archive_requires_grad)(const PtsTensor *t);
PTS_INTERNAL extern PtsStatus (*pts_archive_set_requires_grad)(PtsTensor *t, bool on, PtsError *err);

typedef struct PytsNodeObject {
    PyObject_HEAD
    PtsNode *node;          /* +1 */
} PytsNodeObject;

static PyTypeObject *PytsNode_Type;   /* common base of the per-name types */
static PyObject *node_types;          /* name -> (type, its spec name) */

#define NODE(o) (((PytsNodeObject *)(o))->node)

/* ================= grad_fn objects ================= */

static void node_dealloc(PyObject *self) {
    PytsNodeObject *o = (PytsNodeObject *)self;
    PyTypeObject *tp = Py_TYPE(self);
    if (o->node) {
        void **slot = pts_node_owner_slot(o->node);
        if (*slot == self) *slot = NULL;
        pts_node_release(o->node);
    }
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyObject *node_name(PyObject *self, PyObject *u) {
    (void)u;
    return PyUnicode_FromString(pts_node_name(NODE(self)));
}

static PyObject *wrap_node(PtsNode *n);

static PyObject *node_next_functions(PyObject *self, void *c) {
    (void)c;
    PtsNode *n = NODE(self);
    int k = pts_node_num_next(n);
    PyObject *t = PyTuple_New(k);
    for (int i = 0; t && i < k; i++) {
        int nr = 0;
        PtsNode *nx = pts_node_next(n, i, &nr);
        PyObject *fo = nx ? wrap_node(pts_node_retain(nx)) : Py_NewRef(Py_None);
        PyObject *pair = fo ? Py_BuildValue("(Ni)", fo, nr) : NULL;
        if (!pair) { Py_CLEAR(t); break; }
        PyTuple_SET_ITEM(t, i, pair);
    }
    return t;
}

static PyObject *node_variable(PyObject *self, void *c) {
    (void)c;
    PtsTensor *v = pts_node_variable(NODE(self));
    if (!v) return PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute 'variable'",
                                Py_TYPE(self)->tp_name);
    return pyts_wrap_tensor(pts_tensor_retain(v));
}

static PyObject *node_metadata(PyObject *self, void *c) {
    (void)self; (void)c;
    return PyDict_New();
}

static PyMethodDef node_methods[] = {
    {"name", node_name, METH_NOARGS, "the node's name, e.g. 'TanhBackward0'"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef node_getset[] = {
    {"next_functions", node_next_functions, NULL, "(node, input_nr) for each input of the op", NULL},
    {"metadata", node_metadata, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyGetSetDef accumulate_getset[] = {
    {"variable", node_variable, NULL, "the leaf tensor this node accumulates into", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *node_repr(PyObject *self);

static PyType_Slot node_base_slots[] = {
    {Py_tp_dealloc, node_dealloc},
    {Py_tp_repr, node_repr},
    {Py_tp_methods, node_methods},
    {Py_tp_getset, node_getset},
    {0, NULL},
};

static PyType_Spec node_base_spec = {
    "pyts._C._Node", sizeof(PytsNodeObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION, node_base_slots,
};

/* The type named after the node. Its spec name is "builtins.<name>" (kept alive in node_types)
 * so __module__ is "builtins" and __name__ the node name, as PyTorch's node classes; node names
 * are static strings of the formula table. */
static PyTypeObject *node_type_for(const char *name) {
    PyObject *t = PyDict_GetItemString(node_types, name);   /* borrowed: (type, spec name) */
    if (t) return (PyTypeObject *)PyTuple_GET_ITEM(t, 0);
    PyObject *full = PyUnicode_FromFormat("builtins.%s", name);
    if (!full) return NULL;
    PyType_Slot slots[2] = { {0, NULL}, {0, NULL} };
    if (strcmp(name, "AccumulateGrad") == 0) {
        slots[0].slot = Py_tp_getset;
        slots[0].pfunc = accumulate_getset;
    }
    PyType_Spec spec = { PyUnicode_AsUTF8(full), 0, 0,
                         Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots };
    PyObject *tp = spec.name ? PyType_FromSpecWithBases(&spec, (PyObject *)PytsNode_Type) : NULL;
    /* type_repr prints tp_name for builtins types: make it the bare (static) node name */
    if (tp) ((PyTypeObject *)tp)->tp_name = name;
    PyObject *entry = tp ? PyTuple_Pack(2, tp, full) : NULL;
    Py_XDECREF(tp);
    Py_DECREF(full);
    if (!entry || PyDict_SetItemString(node_types, name, entry) < 0) { Py_XDECREF(entry); return NULL; }
    Py_DECREF(entry);
    return (PyTypeObject *)PyTuple_GET_ITEM(entry, 0);
}

/* <TanhBackward0 object at 0x...> (the default would print the builtins. prefix) */
static PyObject *node_repr(PyObject *self) {
    return PyUnicode_FromFormat("<%s object at %p>", pts_node_name(NODE(self)), self);
}

/* Steals n; one Python object per node while it lives (so g is t.grad_fn holds). */
static PyObject *wrap_node(PtsNode *n) {
    if (!n) Py_RETURN_NONE;
    void **slot = pts_node_owner_slot(n);
    if (*slot) {
        PyObject *o = (PyObject *)*slot;
        Py_INCREF(o);
        pts_node_release(n);
        return o;
    }
    PyTypeObject *tp = node_type_for(pts_node_name(n));
    if (!tp) { pts_node_release(n); return NULL; }
    PytsNodeObject *o = (PytsNodeObject *)tp->tp_alloc(tp, 0);
    if (!o) { pts_node_release(n); return NULL; }
    o->node = n;
    *slot = o;
    return (PyObject *)o;
}

/* ================= Tensor attributes ================= */
#define TT(self) pyts_tensor_of(self)

static PyObject *get_requires_grad(PyObject *self, void *c) {
    (void)c;
    return PyBool_FromLong(pts_requires_grad(TT(self)));
}

static int set_requires_grad(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (!v) { PyErr_SetString(PyExc_TypeError, "can't delete requires_grad"); return -1; }
    if (!PyBool_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "requires_grad must be a bool");
        return -1;
    }
    PtsError err = { 0 };
    if (pts_set_requires_grad(TT(self), v == Py_True, &err)) { pyts_raise(&err); return -1; }
    return 0;
}

static PyObject *get_grad(PyObject *self, void *c) {
    (void)c;
    PtsTensor *t = TT(self);
    if (!pts_is_leaf(t) && !pts_retains_grad(t) &&
        PyErr_WarnEx(PyExc_UserWarning,
                     "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                     ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                     "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                     "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                     "the leaf Tensor instead.", 1) < 0)
        return NULL;
    return pyts_wrap_tensor(pts_grad_get(t));
}

static int set_grad(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (v && v != Py_None && !PytsTensor_Check(v)) {
        PyErr_Format(PyExc_TypeError, "assigned grad expected to be a Tensor or None but got grad of type %s",
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    PtsError err = { 0 };
    if (pts_grad_set(TT(self), (v && v != Py_None) ? pyts_tensor_of(v) : NULL, &err)) {
        pyts_raise(&err);
        return -1;
    }
    return 0;
}

static PyObject *get_grad_fn(PyObject *self, void *c) {
    (void)c;
    return wrap_node(pts_grad_fn_get(TT(self)));
}

static PyObject *get_is_leaf(PyObject *self, void *c) { (void)c; return PyBool_FromLong(pts_is_leaf(TT(self))); }
static PyObject *get_retains_grad(PyObject *self, void *c) { (void)c; return PyBool_FromLong(pts_retains_grad(TT(self))); }
static PyObject *get_version(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromUnsignedLong(atomic_load(&TT(self)->storage->version));
}
static PyObject *get_output_nr(PyObject *self, void *c) { (void)c; return PyLong_FromLong(pts_output_nr(TT(self))); }

/* .data: the detached alias (as tensor.c's getter) and, settable here, PyTorch's set_data: the
 * tensor takes the other's storage, dtype and geometry and keeps its identity and autograd state
 * (Module.to / .float() convert parameters this way). */
static PyObject *get_data(PyObject *self, void *c) {
    (void)c;
    PtsError err = { 0 };
    PtsTensor *r;
    if (pts_detach(TT(self), &err, &r)) return pyts_raise(&err);
    return pyts_wrap_tensor(r);
}

static int set_data(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (!v || !PytsTensor_Check(v)) {
        PyErr_Format(PyExc_TypeError, "Variable data has to be a tensor, but got %s",
                     v ? Py_TYPE(v)->tp_name : "nothing");
        return -1;
    }
    PtsTensor *t = TT(self), *src = pyts_tensor_of(v);
    if (t == src) return 0;
    PtsStorage *old = t->storage;
    t->storage = pts_storage_retain(src->storage);
    t->dtype = src->dtype;
    t->ndim = src->ndim;
    memcpy(t->shape, src->shape, sizeof t->shape);
    memcpy(t->strides, src->strides, sizeof t->strides);
    t->offset = src->offset;
    pts_storage_release(old);
    return 0;
}

static PyGetSetDef ag_getset[] = {
    {"data", get_data, set_data, "the tensor without autograd history; assigning replaces the values", NULL},
    {"requires_grad", get_requires_grad, set_requires_grad, "whether gradients are computed for this tensor", NULL},
    {"grad", get_grad, set_grad, "the gradient accumulated by backward()", NULL},
    {"grad_fn", get_grad_fn, NULL, "the node that made this tensor, None for leaves", NULL},
    {"is_leaf", get_is_leaf, NULL, "made by the user rather than by a recorded op", NULL},
    {"retains_grad", get_retains_grad, NULL, "a non-leaf that keeps its .grad", NULL},
    {"_version", get_version, NULL, "in-place modification counter", NULL},
    {"output_nr", get_output_nr, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *t_requires_grad_(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"requires_grad", NULL};
    int on = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:requires_grad_", kwlist, &on)) return NULL;
    PtsError err = { 0 };
    if (pts_set_requires_grad(TT(self), on, &err)) return pyts_raise(&err);
    return Py_NewRef(self);
}

static PyObject *t_retain_grad(PyObject *self, PyObject *u) {
    (void)u;
    PtsError err = { 0 };
    if (pts_retain_grad(TT(self), &err)) return pyts_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *t_detach(PyObject *self, PyObject *u) {
    (void)u;
    PtsError err = { 0 };
    PtsTensor *r;
    if (pts_detach(TT(self), &err, &r)) return pyts_raise(&err);
    return pyts_wrap_tensor(r);
}

static PyObject *t_detach_(PyObject *self, PyObject *u) {
    (void)u;
    PtsError err = { 0 };
    PtsTensor *t = TT(self);
    if (t->autograd && t->autograd->is_view)
        return PyErr_Format(PyExc_RuntimeError,
                            "Can't detach views in-place. Use detach() instead. If you are using "
                            "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                            "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                            "be called on these gradients. To fix this error, please refer to the "
                            "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
    if (pts_detach_(t, &err)) return pyts_raise(&err);
    return Py_NewRef(self);
}

/* A Tensor, or a sequence of Tensors (None entries allowed when allow_none), as a C array of
 * borrowed tensors. Returns the count, -1 with an exception set. */
static Py_ssize_t tensor_seq(PyObject *o, const char *what, bool allow_none, PtsTensor ***out,
                             PyObject **keep) {
    *out = NULL;
    *keep = NULL;
    if (PytsTensor_Check(o)) {
        *keep = PyTuple_Pack(1, o);
    } else {
        *keep = PySequence_Tuple(o);
        if (!*keep) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be a Tensor or a sequence of Tensors, not %s", what,
                         Py_TYPE(o)->tp_name);
            return -1;
        }
    }
    if (!*keep) return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(*keep);
    PtsTensor **a = PyMem_Calloc((size_t)(n ? n : 1), sizeof *a);
    if (!a) { Py_CLEAR(*keep); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *e = PyTuple_GET_ITEM(*keep, i);
        if (e == Py_None && allow_none) continue;
        if (!PytsTensor_Check(e)) {
            PyMem_Free(a);
            Py_CLEAR(*keep);
            PyErr_Format(PyExc_TypeError, "%s: expected a Tensor at index %zd, got %s", what, i,
                         Py_TYPE(e)->tp_name);
            return -1;
        }
        a[i] = pyts_tensor_of(e);
    }
    *out = a;
    return n;
}

static int flag(PyObject *o, int dflt) {
    if (!o || o == Py_None) return dflt;
    return PyObject_IsTrue(o);
}

/* The shared body of Tensor.backward and pyts.autograd.backward / grad. */
static PyObject *run_engine(PyObject *outputs, PyObject *grad_outputs, PyObject *retain_graph,
                            PyObject *create_graph, PyObject *inputs, bool grad_mode,
                            bool allow_unused) {
    PtsTensor **outs = NULL, **gouts = NULL, **ins = NULL, **results = NULL;
    PyObject *k1 = NULL, *k2 = NULL, *k3 = NULL, *ret = NULL;
    Py_ssize_t n, ng = 0, ni = 0;
    int cg = flag(create_graph, 0);
    if (cg < 0) return NULL;
    int rg = flag(retain_graph, cg);
    if (rg < 0) return NULL;
    if ((n = tensor_seq(outputs, grad_mode ? "outputs" : "tensors", false, &outs, &k1)) < 0) goto done;
    if (grad_outputs && grad_outputs != Py_None) {
        if ((ng = tensor_seq(grad_outputs, grad_mode ? "grad_outputs" : "grad_tensors", true, &gouts, &k2)) < 0)
            goto done;
        if (ng != n) {
            PyErr_Format(PyExc_RuntimeError, "%s should be a sequence of length %zd, but got %zd",
                         grad_mode ? "grad_outputs" : "grad_tensors", n, ng);
            goto done;
        }
    }
    if (inputs && inputs != Py_None) {
        if ((ni = tensor_seq(inputs, "inputs", false, &ins, &k3)) < 0) goto done;
        if (ni == 0) {
            PyErr_SetString(PyExc_RuntimeError, grad_mode ? "grad requires non-empty inputs."
                                                          : "`inputs` argument to `backward()` cannot be empty.");
            goto done;
        }
    }
    if (grad_mode && !(results = PyMem_Calloc((size_t)(ni ? ni : 1), sizeof *results))) {
        PyErr_NoMemory();
        goto done;
    }
    PtsError err = { 0 };
    PtsStatus st;
    Py_BEGIN_ALLOW_THREADS
    if (grad_mode)
        st = pts_autograd_grad((int)n, outs, gouts, rg, cg, (int)ni, ins, allow_unused, results, &err);
    else
        st = pts_autograd_backward((int)n, outs, gouts, rg, cg, (int)ni, ins, &err);
    Py_END_ALLOW_THREADS
    if (st) { pyts_raise(&err); goto done; }
    if (!grad_mode) { ret = Py_NewRef(Py_None); goto done; }
    ret = PyTuple_New(ni);
    for (Py_ssize_t i = 0; i < ni; i++) {
        PyObject *o = pyts_wrap_tensor(results[i]);
        results[i] = NULL;
        if (!o || !ret) { Py_XDECREF(o); Py_CLEAR(ret); continue; }
        PyTuple_SET_ITEM(ret, i, o);
    }
done:
    if (results) {
        for (Py_ssize_t i = 0; i < ni; i++) pts_tensor_release(results[i]);
        PyMem_Free(results);
    }
    PyMem_Free(outs);
    PyMem_Free(gouts);
    PyMem_Free(ins);
    Py_XDECREF(k1);
    Py_XDECREF(k2);
    Py_XDECREF(k3);
    return ret;
}

static PyObject *t_backward(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"gradient", "retain_graph", "create_graph", "inputs", NULL};
    PyObject *gradient = Py_None, *retain = Py_None, *create = Py_False, *inputs = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOO:backward", kwlist, &gradient, &retain, &create, &inputs))
        return NULL;
    if (gradient != Py_None && !PytsTensor_Check(gradient))
        return PyErr_Format(PyExc_TypeError, "gradient must be a Tensor or None, not %s", Py_TYPE(gradient)->tp_name);
    PyObject *g = NULL;
    if (gradient != Py_None && !(g = PyTuple_Pack(1, gradient))) return NULL;
    PyObject *r = run_engine(self, g, retain, create, inputs, false, false);
    Py_XDECREF(g);
    return r;
}

static PyMethodDef ag_methods[] = {
    {"requires_grad_", (PyCFunction)(void (*)(void))t_requires_grad_, METH_VARARGS | METH_KEYWORDS,
     "set requires_grad in place; returns self"},
    {"retain_grad", t_retain_grad, METH_NOARGS, "keep .grad for this non-leaf tensor"},
    {"backward", (PyCFunction)(void (*)(void))t_backward, METH_VARARGS | METH_KEYWORDS,
     "backward(gradient=None, retain_graph=None, create_graph=False, inputs=None)"},
    {"detach", t_detach, METH_NOARGS, "a tensor sharing this one's data, without history"},
    {"detach_", t_detach_, METH_NOARGS, "drop this tensor's history in place"},
    {NULL, NULL, 0, NULL},
};

/* ================= module functions ================= */

static PyObject *m_backward(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"tensors", "grad_tensors", "retain_graph", "create_graph", "inputs", NULL};
    PyObject *tensors, *grads = Py_None, *retain = Py_None, *create = Py_False, *inputs = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOOO:backward", kwlist, &tensors, &grads, &retain,
                                     &create, &inputs))
        return NULL;
    return run_engine(tensors, grads, retain, create, inputs, false, false);
}

static PyObject *m_grad(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"outputs", "inputs", "grad_outputs", "retain_graph", "create_graph",
                             "allow_unused", NULL};
    PyObject *outputs, *inputs, *grads = Py_None, *retain = Py_None, *create = Py_False, *unused = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OOOO:grad", kwlist, &outputs, &inputs, &grads,
                                     &retain, &create, &unused))
        return NULL;
    int au = flag(unused, 0);
    if (au < 0) return NULL;
    return run_engine(outputs, grads, retain, create, inputs, true, au);
}

static PyObject *m_set_grad_enabled(PyObject *self, PyObject *v) {
    (void)self;
    if (!PyBool_Check(v)) return PyErr_Format(PyExc_TypeError, "enabled must be a bool (got %s)", Py_TYPE(v)->tp_name);
    pts_set_grad_enabled(v == Py_True);
    Py_RETURN_NONE;
}

static PyObject *m_is_grad_enabled(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    return PyBool_FromLong(pts_grad_enabled());
}

/* {"add.Tensor": "AddBackward0", "linear": None (named by its arguments), "x": "" (composite)} */
static PyObject *m_formulas(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < pts_grad_entry_count(); i++) {
        const PtsGradEntry *e = pts_grad_entry_at(i);
        PyObject *v = e->name ? PyUnicode_FromString(e->name)
                              : (e->fn ? Py_NewRef(Py_None) : PyUnicode_FromString(""));
        if (!v || PyDict_SetItemString(d, e->op, v) < 0) { Py_XDECREF(v); Py_CLEAR(d); break; }
        Py_DECREF(v);
    }
    return d;
}

/* _call_row("add.Tensor", *args, **kwargs): run exactly that registry row (the generated
 * bindings pick the first overload that binds). Tests use it to reach every row with a formula. */
static PyObject *m_call_row(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    if (PyTuple_GET_SIZE(args) < 1 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0)))
        return PyErr_Format(PyExc_TypeError, "_call_row(key, *args, **kwargs): key must be a str");
    const char *key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0));
    if (!key) return NULL;
    int id = -1;
    for (int i = 0; i < PTS_OP__COUNT && id < 0; i++) {
        const PtsSchema *sc = &pts_op_info[i].schema;
        char k[160];
        snprintf(k, sizeof k, "%s%s%s", sc->name, sc->overload[0] ? "." : "", sc->overload);
        if (strcmp(k, key) == 0) id = i;
    }
    if (id < 0) return PyErr_Format(PyExc_KeyError, "no registry row '%s'", key);
    const PtsSchema *s = &pts_op_info[id].schema;
    Py_ssize_t npos = PyTuple_GET_SIZE(args) - 1;
    if (npos > s->nargs) return PyErr_Format(PyExc_TypeError, "%s: too many arguments", key);
    PyObject *given[PTS_MAX_ARGS] = { 0 };
    for (Py_ssize_t i = 0; i < npos; i++) given[i] = PyTuple_GET_ITEM(args, i + 1);
    if (kw) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &k, &v)) {
            const char *kn = PyUnicode_AsUTF8(k);
            if (!kn) return NULL;
            int j = -1;
            for (int i = 0; i < s->nargs; i++)
                if (strcmp(s->args[i].name, kn) == 0) j = i;
            if (j < 0) return PyErr_Format(PyExc_TypeError, "%s: unexpected keyword argument '%s'", key, kn);
            given[j] = v;
        }
    }
    PtsValue vals[PTS_MAX_ARGS], outs[PTS_MAX_RETS];
    int n = 0;
    for (; n < s->nargs; n++) {
        const char *why = NULL;
        if (!given[n]) {
            if (!s->args[n].has_default) {
                PyErr_Format(PyExc_TypeError, "%s: missing argument '%s'", key, s->args[n].name);
                goto fail;
            }
            vals[n] = pts_value_retain(s->args[n].def);
            continue;
        }
        int r = pyts_py_to_value(given[n], &s->args[n].type, &vals[n], &why);
        if (r < 0) goto fail;
        if (r > 0) {
            PyErr_Format(PyExc_TypeError, "%s: argument '%s' must be %s", key, s->args[n].name, why ? why : "?");
            goto fail;
        }
    }
    for (int k = 0; k < PTS_MAX_RETS; k++) outs[k] = pts_none();
    PtsError err = { 0 };
    PtsStatus st = pts_op_call((PtsOpId)id, vals, outs, &err);
    for (int i = 0; i < n; i++) pts_value_release(&vals[i]);
    if (st) {
        for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&outs[k]);
        return pyts_raise(&err);
    }
    if (s->nret == 1) return pyts_value_to_py(&outs[0]);
    PyObject *t = PyTuple_New(s->nret);
    for (int k = 0; k < s->nret; k++) {
        PyObject *o = pyts_value_to_py(&outs[k]);
        if (!t || !o) { Py_XDECREF(o); continue; }
        PyTuple_SET_ITEM(t, k, o);
    }
    if (t && PyErr_Occurred()) Py_CLEAR(t);
    return t;
fail:
    for (int i = 0; i < n; i++) pts_value_release(&vals[i]);
    return NULL;
}

static PyMethodDef module_fns[] = {
    {"_call_row", (PyCFunction)(void (*)(void))m_call_row, METH_VARARGS | METH_KEYWORDS,
     "run one registry row by its 'name.overload' key"},
    {"_backward", (PyCFunction)(void (*)(void))m_backward, METH_VARARGS | METH_KEYWORDS, NULL},
    {"_grad", (PyCFunction)(void (*)(void))m_grad, METH_VARARGS | METH_KEYWORDS, NULL},
    {"_set_grad_enabled", m_set_grad_enabled, METH_O, "set this thread's grad mode"},
    {"is_grad_enabled", m_is_grad_enabled, METH_NOARGS, "this thread's grad mode"},
    {"_autograd_formulas", m_formulas, METH_NOARGS, "derivatives.def: row -> node name"},
    {NULL, NULL, 0, NULL},
};

int pyts_autograd_setup(PyObject *module) {
    PtsError err = { 0 };
    if (pts_autograd_init(&err)) { pyts_raise(&err); return -1; }
    /* archives: tensors pickled with requires_grad=True (parameters) load as leaves that require
     * grad, as in torch.jit.load, and saving writes each tensor's own flag */
    pts_archive_requires_grad = pts_requires_grad;
    pts_archive_set_requires_grad = pts_set_requires_grad;
    PytsNode_Type = (PyTypeObject *)PyType_FromSpec(&node_base_spec);
    if (!PytsNode_Type) return -1;
    node_types = PyDict_New();
    if (!node_types) return -1;
    if (PyModule_AddFunctions(module, module_fns) < 0) return -1;
    /* Tensor gets its autograd surface here; registry rows of the same name (a future `detach`
     * row, say) win, so the tracer sees them */
    PyObject *tdict = PytsTensor_Type->tp_dict;
    for (PyGetSetDef *g = ag_getset; g->name; g++) {
        PyObject *d = PyDescr_NewGetSet(PytsTensor_Type, g);
        if (!d || PyDict_SetItemString(tdict, g->name, d) < 0) { Py_XDECREF(d); return -1; }
        Py_DECREF(d);
    }
    for (PyMethodDef *m = ag_methods; m->ml_name; m++) {
        if (PyDict_GetItemString(tdict, m->ml_name)) continue;
        PyObject *d = PyDescr_NewMethod(PytsTensor_Type, m);
        if (!d || PyDict_SetItemString(tdict, m->ml_name, d) < 0) { Py_XDECREF(d); return -1; }
        Py_DECREF(d);
    }
    PyType_Modified(PytsTensor_Type);
    return 0;
}
