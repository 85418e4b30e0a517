/* interp_io.c: the Python side of scripted code's output. prim::Print writes to sys.stdout (so a
 * notebook shows it, as torch's print handler does) and aten::warn raises a UserWarning through the
 * warnings module, both from interpreter threads that do not hold the GIL. A warning turned into
 * an error by a filter is raised by the call, as in torch; a stream that raises fails the call with a
 * RuntimeError naming the exception, also as in torch. */
#include "pyts_python.h"
#include "../ops/builtin.h"

/* torch fails a print whose stream raised with a RuntimeError naming the Python exception */
static PtsStatus print_error(PtsError *err) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    if (!msg) PyErr_Clear();
    const char *tname = type && PyType_Check(type) ? ((PyTypeObject *)type)->tp_name : "Exception";
    PtsStatus st = pts_fail(err, PTS_ERR_RUNTIME, "%s: %s", tname, msg ? msg : "print: writing to sys.stdout failed");
    Py_XDECREF(s);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return st;
}

static PtsStatus print_to_sys_stdout(const char *text, size_t len, PtsError *err) {
    PyGILState_STATE g = PyGILState_Ensure();
    PtsStatus st = PTS_OK;
    PyObject *out = PySys_GetObject("stdout");   /* borrowed */
    if (out && out != Py_None) {
        PyObject *r = PyObject_CallMethod(out, "write", "s#", text, (Py_ssize_t)len);
        if (!r) st = print_error(err);
        Py_XDECREF(r);
    } else {
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
    PyGILState_Release(g);
    return st;
}

static PtsStatus warn_through_python(const char *text, size_t len, PtsError *err) {
    (void)len;
    PyGILState_STATE g = PyGILState_Ensure();
    PtsStatus st = PTS_OK;
    if (PyErr_WarnEx(PyExc_UserWarning, text, 1) < 0) st = pyts_keep_python_error(err, "warning raised as an error");
    PyGILState_Release(g);
    return st;
}

int pyts_interp_io_setup(PyObject *module) {
    (void)module;
    pts_print_hook = print_to_sys_stdout;
    pts_warn_hook = warn_through_python;
    return 0;
}
