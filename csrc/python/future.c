/* future.c: a Future[T] value of scripted code (csrc/ir/future.c) handed to Python: waited for
 * (without the GIL) and wrapped in a completed pyts.jit.Future, whose wait() returns the value
 * or raises the fork's error, as torch's Future returned by a scripted function. */
#include "pyts_python.h"
#include "../ir/ir.h"

PyObject *pyts_future_to_py(PtsValue *v);   /* steals v */

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
