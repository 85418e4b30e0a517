/* future.c: a Future[T] value of scripted code (csrc/ir/future.c) handed to Python: waited for
 * (without the GIL) and wrapped in a completed pyts.jit.Future, whose wait() returns the value
 * or raises the fork's error, as torch's Future returned by a scripted function. */
#include "pyts_python.h"
#include "../ir/ir.h"

PyObject *pyts_future_to_py(PtsValue *v);   /* steals v */
int pyts_future_from_py(PyObject *o, PtsValue *v);

PyObject *pyts_future_to_py(PtsValue *v) {
    PtsError err;
    pts_error_clear(&err);
    PtsValue r = pts_none();
    PtsStatus st;
    Py_BEGIN_ALLOW_THREADS
    st = pts_future_wait(*v, &err, &r);
    Py_END_ALLOW_THREADS
    pts_value_release(v);
    PyObject *mod = PyImport_ImportModule("pyts.jit._fork");
    if (!mod) { pts_value_release(&r); return NULL; }
    PyObject *res = NULL;
    if (st) {
        /* the error as the exception pyts raises for it, stored in the future */
        pyts_raise(&err);
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyErr_NormalizeException(&et, &ev, &tb);
        if (ev) res = PyObject_CallMethod(mod, "_failed_future", "O", ev);
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(tb);
    } else {
        PyObject *pv = pyts_ivalue_to_py(&r);
        if (pv) res = PyObject_CallMethod(mod, "_completed_future", "O", pv);
        Py_XDECREF(pv);
    }
    Py_DECREF(mod);
    return res;
}

/* A pyts.jit.Future passed to scripted code (a Future[T] parameter): a completed C future with
 * its value, or with its error (the exception's text). 1 converted, 0 not a Future, -1 error. */
int pyts_future_from_py(PyObject *o, PtsValue *v) {
    PyObject *mod = PyImport_ImportModule("pyts.jit._fork");
    if (!mod) return -1;
    PyObject *cls = PyObject_GetAttrString(mod, "Future");
    Py_DECREF(mod);
    if (!cls) return -1;
    int is = PyObject_IsInstance(o, cls);
    Py_DECREF(cls);
    if (is <= 0) return is;
    PyObject *err_o = PyObject_GetAttrString(o, "_error");
    if (!err_o) return -1;
    PtsError err;
    pts_error_clear(&err);
    if (pts_future_new(&err, v)) { Py_DECREF(err_o); pyts_raise(&err); return -1; }
    if (err_o != Py_None) {
        PyObject *text = PyObject_Str(err_o);
        const char *t = text ? PyUnicode_AsUTF8(text) : NULL;
        Py_DECREF(err_o);
        if (!t) { Py_XDECREF(text); pts_value_release(v); return -1; }
        PtsError fe;
        pts_error_clear(&fe);
        pts_fail(&fe, PTS_ERR_RUNTIME, "%s", t);
        Py_DECREF(text);
        pts_future_set_error(*v, &fe);
        return 1;
    }
    Py_DECREF(err_o);
    PyObject *val = PyObject_CallMethod(o, "wait", NULL);
    PtsValue x;
    if (!val || pyts_py_to_ivalue(val, &x) < 0) { Py_XDECREF(val); pts_value_release(v); return -1; }
    Py_DECREF(val);
    pts_future_set_value(*v, x);
    return 1;
}
