/* future.c: futures (csrc/ir/future.c) in Python. _C._CFuture holds one: a scripted function's
 * Future[T]/Await[T] result, or the task of an eager pyts.jit.fork / torch.jit._awaitable, whose
 * Python function runs on an inter-op worker with the GIL taken there (or lazily, or inline in a
 * waiter). pyts.jit.Future and _Await (pyts/jit/_fork.py) wrap it. Also the GIL hooks around a
 * blocking wait and get/set_num_interop_threads. */
#include "pyts_python.h"
#include "../ir/ir.h"
#include "../base/pool.h"

PyObject *pyts_future_to_py(PtsValue *v);   /* steals v */
int pyts_future_from_py(PyObject *o, PtsValue *v);
int pyts_future_setup(PyObject *m);

/* ---- a Python object as a value (the result of an eager task: (ok, value or exception)) ---- */
typedef struct PyBox {
    PtsHeap h;
    PyObject *o;
} PyBox;

static void pybox_destroy(PtsHeap *h) {
    PyBox *b = (PyBox *)h;
    if (b->o && Py_IsInitialized()) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_DECREF(b->o);
        PyGILState_Release(g);
    }
    pts_free(b);
}

/* GIL held; steals o */
static int pybox_new(PyObject *o, PtsValue *out) {
    PyBox *b = pts_calloc(1, sizeof *b);
    if (!b) { Py_DECREF(o); PyErr_NoMemory(); return -1; }
    atomic_init(&b->h.refcnt, 1);
    b->h.destroy = pybox_destroy;
    b->o = o;
    out->tag = PTS_V_HEAP;
    out->u.h = &b->h;
    return 0;
}

static PyObject *pybox_get(PtsValue v) {
    return v.tag == PTS_V_HEAP && v.u.h->destroy == pybox_destroy ? ((PyBox *)v.u.h)->o : NULL;
}

/* ---- the eager task: fn(*args, **kwargs) with the GIL ---- */
typedef struct PyTask {
    PyObject *fn, *args, *kwargs;
} PyTask;

static void pytask_free(void *ctx) {
    PyTask *t = ctx;
    if (Py_IsInitialized()) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_XDECREF(t->fn);
        Py_XDECREF(t->args);
        Py_XDECREF(t->kwargs);
        PyGILState_Release(g);
    }
    pts_free(t);
}

static PtsStatus pytask_run(void *ctx, PtsError *err, PtsValue *out) {
    PyTask *t = ctx;
    if (!Py_IsInitialized() || _Py_IsFinalizing())
        return pts_fail(err, PTS_ERR_RUNTIME, "a forked Python function cannot run: Python is shutting down");
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_Call(t->fn, t->args, t->kwargs);
    PyObject *box;
    if (r) {
        box = Py_BuildValue("(OO)", Py_True, r);
        Py_DECREF(r);
    } else {
        /* the exception itself travels to the waiter, raised there as it was */
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyErr_NormalizeException(&et, &ev, &tb);
        if (ev && tb) PyException_SetTraceback(ev, tb);
        box = Py_BuildValue("(OO)", Py_False, ev ? ev : Py_None);
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(tb);
    }
    PtsStatus st = PTS_OK;
    if (!box || pybox_new(box, out) < 0) {
        PyErr_Clear();
        st = pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    PyGILState_Release(g);
    return st;
}

/* ---- _C._CFuture ---- */
typedef struct {
    PyObject_HEAD
    PtsValue v;
} CFuture;

static void cf_dealloc(CFuture *self) {
    PtsValue v = self->v;
    self->v = pts_none();
    /* the last reference may free a task's frame (tensors): no Python needed, GIL released */
    Py_BEGIN_ALLOW_THREADS
    pts_value_release(&v);
    Py_END_ALLOW_THREADS
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject CFutureType;

static PyObject *cf_wrap(PtsValue v) {   /* steals v */
    CFuture *o = PyObject_New(CFuture, &CFutureType);
    if (!o) { pts_value_release(&v); return NULL; }
    o->v = v;
    return (PyObject *)o;
}

/* wait(): the value (an eager task's (ok, result) pair as it is), or the error raised */
static PyObject *cf_wait(CFuture *self, PyObject *unused) {
    (void)unused;
    PtsError err;
    pts_error_clear(&err);
    PtsValue r = pts_none();
    PtsStatus st;
    PtsValue v = pts_value_retain(self->v);
    Py_BEGIN_ALLOW_THREADS
    st = pts_future_wait(v, &err, &r);
    Py_END_ALLOW_THREADS
    pts_value_release(&v);
    if (st) return pyts_raise(&err);
    PyObject *o = pybox_get(r);
    if (o) {
        Py_INCREF(o);
        pts_value_release(&r);
        return o;
    }
    return pyts_ivalue_to_py(&r);
}

static PyObject *cf_done(CFuture *self, PyObject *unused) {
    (void)unused;
    return PyBool_FromLong(pts_future_done(self->v));
}

static PyMethodDef cf_methods[] = {
    {"wait", (PyCFunction)cf_wait, METH_NOARGS, "block until done; the value or the error"},
    {"done", (PyCFunction)cf_done, METH_NOARGS, "completed?"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CFutureType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyts._C._CFuture",
    .tp_basicsize = sizeof(CFuture),
    .tp_dealloc = (destructor)cf_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = cf_methods,
};

/* _C._submit(fn, args, kwargs, lazy) -> _CFuture: fn(*args, **kwargs) on the inter-op pool, or
 * (lazy) at the first wait */
static PyObject *m_submit(PyObject *self, PyObject *a) {
    (void)self;
    PyObject *fn, *args, *kwargs;
    int lazy;
    if (!PyArg_ParseTuple(a, "OO!Op", &fn, &PyTuple_Type, &args, &kwargs, &lazy)) return NULL;
    PyTask *t = pts_calloc(1, sizeof *t);
    if (!t) return PyErr_NoMemory();
    t->fn = Py_NewRef(fn);
    t->args = Py_NewRef(args);
    t->kwargs = kwargs == Py_None ? NULL : Py_NewRef(kwargs);
    PtsError err;
    pts_error_clear(&err);
    PtsValue v;
    if (pts_future_task(pytask_run, t, pytask_free, lazy, &err, &v)) return pyts_raise(&err);
    return cf_wrap(v);
}

/* _C._await_nowait(x) -> _CFuture of a completed Await holding x (a Python object) */
static PyObject *m_await_nowait(PyObject *self, PyObject *x) {
    (void)self;
    PyObject *box = Py_BuildValue("(OO)", Py_True, x);
    PtsValue b, v;
    if (!box || pybox_new(box, &b) < 0) return NULL;
    PtsError err;
    pts_error_clear(&err);
    if (pts_await_nowait(b, &err, &v)) return pyts_raise(&err);
    return cf_wrap(v);
}

static PyObject *m_get_num_interop_threads(PyObject *self, PyObject *u) {
    (void)self; (void)u;
    return PyLong_FromLong(pts_num_interop_threads());
}

static PyObject *m_set_num_interop_threads(PyObject *self, PyObject *n) {
    (void)self;
    if (!PyLong_Check(n) || PyBool_Check(n))
        return PyErr_Format(PyExc_TypeError, "set_num_interop_threads expects an int, but got %s", Py_TYPE(n)->tp_name);
    long v = PyLong_AsLong(n);
    if (v == -1 && PyErr_Occurred()) return NULL;
    /* torch's checks and words (its binding, then at::set_num_interop_threads) */
    if (v <= 0) return PyErr_Format(PyExc_RuntimeError, "set_num_interop_threads expects a positive integer");
    if (pts_set_num_interop_threads(v > 1 << 20 ? 1 << 20 : (int)v) < 0)
        return PyErr_Format(PyExc_RuntimeError, "Error: cannot set number of interop threads after parallel work has "
                            "started or set_num_interop_threads called");
    Py_RETURN_NONE;
}

/* a failed task: a Python exception its PythonOp kept for this thread is not the waiter's (it
 * would re-raise it as it was when the task ran inline, not when a worker ran it) */
int pyts_python_op_take_exc(void);   /* script.c */
static void task_failed(void) {
    if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);   /* the thread's own error in flight, if any, stays */
    if (pyts_python_op_take_exc()) PyErr_Clear();
    PyErr_Restore(et, ev, tb);
    PyGILState_Release(g);
}

/* ---- a blocking wait releases the GIL if this thread holds it ---- */
static void *block_begin(void) {
    if (!Py_IsInitialized() || !PyGILState_Check()) return NULL;
    return PyEval_SaveThread();
}

static void block_end(void *state) {
    if (state) PyEval_RestoreThread(state);
}

/* ---- values crossing the boundary ---- */
static PyObject *fork_module_call(const char *fn, PyObject *arg) {
    PyObject *mod = PyImport_ImportModule("pyts.jit._fork");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, fn, "O", arg);
    Py_DECREF(mod);
    return r;
}

/* a scripted Future[T] / Await[T] as a pyts.jit.Future / _Await around it (pending or not) */
PyObject *pyts_future_to_py(PtsValue *v) {
    bool aw = pts_is_await(*v);
    PyObject *c = cf_wrap(*v);
    *v = pts_none();
    if (!c) return NULL;
    PyObject *r = fork_module_call(aw ? "_await_from_c" : "_future_from_c", c);
    Py_DECREF(c);
    return r;
}

/* A pyts.jit.Future or _Await passed to scripted code (a Future[T] / Await[T] parameter): the C
 * future it wraps, or, for an eager task (whose value is a Python object), a completed one with
 * its value converted (waiting for it first, as torch converts the value).
 * 1 converted, 0 not one of them, -1 error. */
int pyts_future_from_py(PyObject *o, PtsValue *v) {
    PyObject *r = fork_module_call("_to_c", o);
    if (!r) return -1;
    if (r == Py_None) { Py_DECREF(r); return 0; }
    int ok = PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 3 && PyObject_TypeCheck(PyTuple_GET_ITEM(r, 0), &CFutureType);
    if (!ok) { Py_DECREF(r); PyErr_SetString(PyExc_SystemError, "_to_c: bad result"); return -1; }
    CFuture *c = (CFuture *)PyTuple_GET_ITEM(r, 0);
    bool eager = PyObject_IsTrue(PyTuple_GET_ITEM(r, 1)), is_await = PyObject_IsTrue(PyTuple_GET_ITEM(r, 2));
    if (!eager) {
        *v = pts_value_retain(c->v);
        Py_DECREF(r);
        return 1;
    }
    PyObject *pair = cf_wait(c, NULL);
    Py_DECREF(r);
    if (!pair) return -1;
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_SystemError, "bad task result");
        return -1;
    }
    PtsError err;
    pts_error_clear(&err);
    if ((is_await ? pts_await_new(&err, v) : pts_future_new(&err, v))) { Py_DECREF(pair); pyts_raise(&err); return -1; }
    PyObject *val = PyTuple_GET_ITEM(pair, 1);
    if (PyObject_IsTrue(PyTuple_GET_ITEM(pair, 0))) {
        PtsValue x;
        if (pyts_py_to_ivalue(val, &x) < 0) { Py_DECREF(pair); pts_value_release(v); return -1; }
        pts_future_set_value(*v, x);
    } else {
        /* the error's text, raised by a scripted wait as a RuntimeError */
        PyObject *text = PyObject_Str(val);
        const char *t = text ? PyUnicode_AsUTF8(text) : NULL;
        if (!t) { Py_XDECREF(text); Py_DECREF(pair); pts_value_release(v); return -1; }
        PtsError fe;
        pts_error_clear(&fe);
        pts_fail(&fe, PTS_ERR_RUNTIME, "%s", t);
        Py_DECREF(text);
        pts_future_set_error(*v, &fe);
    }
    Py_DECREF(pair);
    return 1;
}

static PyMethodDef future_methods[] = {
    {"_submit", m_submit, METH_VARARGS, "fn(*args, **kwargs) as an inter-op task (or lazily): a _CFuture"},
    {"_await_nowait", m_await_nowait, METH_O, "a completed Await of a Python value"},
    {"get_num_interop_threads", m_get_num_interop_threads, METH_NOARGS, "threads of the inter-op pool"},
    {"set_num_interop_threads", m_set_num_interop_threads, METH_O, "set them, once, before first use"},
    {NULL, NULL, 0, NULL},
};

int pyts_future_setup(PyObject *m) {
    pts_future_block_begin = block_begin;
    pts_future_block_end = block_end;
    pts_future_task_failed = task_failed;
    if (PyType_Ready(&CFutureType) < 0) return -1;
    if (PyModule_AddObjectRef(m, "_CFuture", (PyObject *)&CFutureType) < 0) return -1;
    return PyModule_AddFunctions(m, future_methods);
}
