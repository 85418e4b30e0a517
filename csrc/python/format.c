/* format.c (python): bindings of the C tensor printer (tensor/format.c) for pyts._tensor_str:
 * _format_tensor(t, suffixes, prefix="tensor(") returns repr text; _set_printoptions and
 * _get_printoptions read and replace the process-wide print options. */
#include "pyts_python.h"

#define MAX_SUFFIXES 16   /* torch never adds more than a handful */

PyObject *pyts_format_tensor(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"tensor", "suffixes", "prefix", NULL};
    PyObject *t, *sfx = Py_None;
    const char *prefix = "tensor(";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|Os:_format_tensor", kwlist, PytsTensor_Type,
                                     &t, &sfx, &prefix))
        return NULL;
    const char *strs[MAX_SUFFIXES];
    Py_ssize_t n = 0;
    PyObject *seq = NULL;
    if (sfx != Py_None) {
        seq = PySequence_Fast(sfx, "_format_tensor: suffixes must be a sequence of str");
        if (!seq) return NULL;
        n = PySequence_Fast_GET_SIZE(seq);
        if (n > MAX_SUFFIXES) {
            Py_DECREF(seq);
            return PyErr_Format(PyExc_ValueError, "_format_tensor: at most %d suffixes", MAX_SUFFIXES);
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *s = PySequence_Fast_GET_ITEM(seq, i);
            if (!PyUnicode_Check(s)) {
                Py_DECREF(seq);
                return PyErr_Format(PyExc_TypeError, "_format_tensor: suffixes must be str, got %s",
                                    Py_TYPE(s)->tp_name);
            }
            strs[i] = PyUnicode_AsUTF8(s);   /* borrowed from s, alive while seq is */
            if (!strs[i]) { Py_DECREF(seq); return NULL; }
        }
    }
    PtsError err = { 0 };
    char *text = NULL;
    PtsStatus st = pts_tensor_format(pyts_tensor_of(t), NULL, prefix, pts_default_dtype(), strs,
                                     (int)n, &err, &text);
    Py_XDECREF(seq);
    if (st) return pyts_raise(&err);
    PyObject *r = PyUnicode_FromString(text);
    pts_free(text);
    return r;
}

/* Python int (not bool) into *out; min/max bound it. Returns -1 with an exception set. */
static int int_arg(PyObject *o, const char *name, int64_t lo, int64_t hi, int64_t *out) {
    if (!PyLong_Check(o) || PyBool_Check(o)) {
        PyErr_Format(PyExc_TypeError, "set_printoptions: %s must be an int, got %s", name,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "set_printoptions: %s=%R is out of range", name, o);
        return -1;
    }
    *out = v;
    return 0;
}

/* _set_printoptions(precision, threshold, edgeitems, linewidth, sci_mode): all five, already
 * merged by pyts._tensor_str.set_printoptions (profile handling lives there, as in torch). */
static PyObject *m_set_printoptions(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"precision", "threshold", "edgeitems", "linewidth", "sci_mode", NULL};
    PyObject *prec, *thr, *edge, *lw, *sci;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOOOO:_set_printoptions", kwlist, &prec, &thr,
                                     &edge, &lw, &sci))
        return NULL;
    PtsPrintOptions o;
    int64_t v;
    if (int_arg(prec, "precision", 0, PTS_PRINT_MAX_PRECISION, &v) < 0) return NULL;
    o.precision = (int)v;
    if (int_arg(edge, "edgeitems", 0, INT64_MAX / 4, &v) < 0) return NULL;
    o.edgeitems = v;
    if (int_arg(lw, "linewidth", INT64_MIN / 4, INT64_MAX / 4, &v) < 0) return NULL;
    o.linewidth = v;
    if (!PyLong_Check(thr) && !PyFloat_Check(thr))
        return PyErr_Format(PyExc_TypeError, "set_printoptions: threshold must be a number, got %s",
                            Py_TYPE(thr)->tp_name);
    o.threshold = PyFloat_AsDouble(thr);   /* huge ints become inf-like doubles: fine */
    if (o.threshold == -1.0 && PyErr_Occurred()) return NULL;
    if (sci == Py_None) o.sci_mode = -1;
    else if (PyBool_Check(sci)) o.sci_mode = sci == Py_True;
    else return PyErr_Format(PyExc_TypeError, "set_printoptions: sci_mode must be None or a bool");
    PtsError err = { 0 };
    if (pts_print_options_set(&o, &err)) return pyts_raise(&err);
    Py_RETURN_NONE;
}

/* the C options as a dict (threshold always a float here; pyts.get_printoptions keeps the
 * Python values the user passed, as torch does) */
static PyObject *m_get_printoptions(PyObject *self, PyObject *unused) {
    (void)self; (void)unused;
    PtsPrintOptions o;
    pts_print_options_get(&o);
    PyObject *sci = o.sci_mode < 0 ? Py_None : o.sci_mode ? Py_True : Py_False;
    return Py_BuildValue("{s:i,s:d,s:L,s:L,s:O}", "precision", o.precision, "threshold",
                         o.threshold, "edgeitems", (long long)o.edgeitems, "linewidth",
                         (long long)o.linewidth, "sci_mode", sci);
}

static PyMethodDef format_methods[] = {
    {"_format_tensor", (PyCFunction)(void (*)(void))pyts_format_tensor, METH_VARARGS | METH_KEYWORDS,
     "_format_tensor(t, suffixes=None, prefix='tensor(') -> str: the repr, as PyTorch prints it"},
    {"_set_printoptions", (PyCFunction)(void (*)(void))m_set_printoptions,
     METH_VARARGS | METH_KEYWORDS, "replace the print options (all five fields)"},
    {"_get_printoptions", m_get_printoptions, METH_NOARGS, "the print options as a dict"},
    {NULL, NULL, 0, NULL},
};

int pyts_format_setup(PyObject *module) { return PyModule_AddFunctions(module, format_methods); }
