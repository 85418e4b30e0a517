/* serial.c: Python bindings of the archive layer. _C._save(obj_or_function, extra_files, folder)
 * returns the archive bytes, _C._save_to streams them to a file descriptor or file object;
 * _C._load(bytes) returns the object tree, the code/ sources, the extra files, the constant table
 * and the format version. Loading runs with the GIL released:
 * it touches only the input buffer and objects it creates. */
#include "pyts_python.h"

#include "../serial/serial.h"
#include "../serial/compile.h"

/* {name: str|bytes} into files (names and bytes borrowed from keep, which holds the bytes) */
static Py_ssize_t files_from_dict(PyObject *dict, PtsArchiveFile *files, PyObject *keep) {
    Py_ssize_t pos = 0, i = 0;
    PyObject *k, *v;
    while (dict != Py_None && PyDict_Next(dict, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) { PyErr_Format(PyExc_TypeError, "file names must be str"); return -1; }
        PyObject *b = PyUnicode_Check(v) ? PyUnicode_AsUTF8String(v) : PyBytes_FromObject(v);
        if (!b) return -1;
        int r = PyList_Append(keep, b);
        Py_DECREF(b);
        if (r < 0) return -1;
        Py_ssize_t kn;
        const char *ks = PyUnicode_AsUTF8AndSize(k, &kn);
        if (!ks) return -1;
        if ((size_t)kn != strlen(ks)) { PyErr_Format(PyExc_ValueError, "file name contains a NUL byte"); return -1; }
        files[i].name = (char *)ks;
        files[i].data = (uint8_t *)PyBytes_AS_STRING(b);
        files[i].len = (size_t)PyBytes_GET_SIZE(b);
        i++;
    }
    return i;
}

/* A file object's write() as a sink. With zero_copy (file types known to consume the bytes
 * during the call: BytesIO, buffered and raw files) write() gets memoryviews of the data itself,
 * released right after; other objects get bytes copies, since they may keep what they are given. */
typedef struct PySink {
    PyObject *write;     /* borrowed bound method */
    bool zero_copy;
    bool py_error;       /* a Python exception is set */
} PySink;

#define PY_SINK_CHUNK ((size_t)4 << 20)

static PtsStatus py_sink(void *ctx, const void *data, size_t n, PtsError *err) {
    PySink *ps = ctx;
    const char *p = data;
    while (n) {
        size_t k = n < PY_SINK_CHUNK ? n : PY_SINK_CHUNK;
        PyObject *chunk = ps->zero_copy ? PyMemoryView_FromMemory((char *)p, (Py_ssize_t)k, PyBUF_READ)
                                        : PyBytes_FromStringAndSize(p, (Py_ssize_t)k);
        PyObject *r = chunk ? PyObject_CallOneArg(ps->write, chunk) : NULL;
        if (chunk && ps->zero_copy) {
            PyObject *rel = PyObject_CallMethod(chunk, "release", NULL);
            if (!rel) Py_CLEAR(r);   /* the file object kept an export of memory it does not own */
            Py_XDECREF(rel);
        }
        Py_XDECREF(chunk);
        if (!r) {
            ps->py_error = true;
            return pts_fail(err, PTS_ERR_VALUE, "the file object's write() failed");
        }
        /* raw files may write part of a chunk and say how much; None or anything else: all */
        size_t done = k;
        if (PyLong_Check(r)) {
            Py_ssize_t w = PyLong_AsSsize_t(r);
            if (w >= 0 && (size_t)w < k) done = (size_t)w;
            PyErr_Clear();
        }
        Py_DECREF(r);
        if (done == 0) {
            PyErr_SetString(PyExc_OSError, "the file object's write() wrote nothing");
            ps->py_error = true;
            return pts_fail(err, PTS_ERR_VALUE, "the file object's write() wrote nothing");
        }
        p += done;
        n -= done;
    }
    return PTS_OK;
}

/* _save_to(dest, obj_or_function, extra_files, folder, code_files, constants, min_version,
 * zero_copy): as _save, streaming the archive: dest is a file descriptor (written with write(2),
 * handed to writeback as it goes; the caller fsyncs) or an object with write(). */
static PyObject *save_common(PyObject *dest, PyObject *obj, PyObject *extra, const char *folder, PyObject *code,
                             PyObject *pconsts, int min_version, int zero_copy) {
    if ((extra != Py_None && !PyDict_Check(extra)) || (code != Py_None && !PyDict_Check(code)))
        return PyErr_Format(PyExc_TypeError, "extra files and code files must be dicts");
    PtsFdSink fds = { -1, 0, 0, 0 };
    PySink pys = { NULL, zero_copy != 0, false };
    PyObject *write = NULL;
    if (dest && PyLong_Check(dest)) {
        long fd = PyLong_AsLong(dest);
        if (fd == -1 && PyErr_Occurred()) return NULL;
        if (fd < 0 || fd > INT_MAX) return PyErr_Format(PyExc_ValueError, "bad file descriptor %ld", fd);
        fds.fd = (int)fd;
    } else if (dest) {
        write = PyObject_GetAttrString(dest, "write");
        if (!write) return NULL;
        pys.write = write;
    }
    PtsFunction *fn = pyts_function_of(obj);
    PtsValue root = pts_none();
    if (!fn) {
        if (pyts_py_to_ivalue(obj, &root) < 0) { Py_XDECREF(write); return NULL; }
        if (root.tag != PTS_V_OBJECT) {
            pts_value_release(&root);
            Py_XDECREF(write);
            return PyErr_Format(PyExc_TypeError, "expected a ScriptModule's object or a Function, got %s", Py_TYPE(obj)->tp_name);
        }
    }
    Py_ssize_t n = extra == Py_None ? 0 : PyDict_Size(extra), nc = code == Py_None ? 0 : PyDict_Size(code);
    PtsArchiveFile *files = PyMem_Calloc((size_t)n + 1, sizeof *files);
    PtsArchiveFile *cfiles = PyMem_Calloc((size_t)nc + 1, sizeof *cfiles);
    PyObject *keep = PyList_New(0);   /* bytes objects that back the files' data */
    PyObject *result = NULL;
    PtsValue consts = pts_none();
    if (!files || !cfiles || !keep) { PyErr_NoMemory(); goto done; }
    Py_ssize_t ne = files_from_dict(extra, files, keep);
    Py_ssize_t ncf = ne < 0 ? -1 : files_from_dict(code, cfiles, keep);
    if (ncf < 0) goto done;
    if (code != Py_None && pyts_py_to_ivalue(pconsts, &consts) < 0) goto done;
    PtsSaveOptions opt = { folder, fn, files, (int)ne, code != Py_None ? cfiles : NULL, (int)ncf, consts, min_version,
                           NULL, NULL };
    if (fds.fd >= 0) { opt.sink = pts_fd_sink; opt.sink_ctx = &fds; }
    else if (write) { opt.sink = py_sink; opt.sink_ctx = &pys; }
    PtsError err = { 0 };
    uint8_t *out = NULL;
    size_t outn = 0;
    if (pts_archive_save(root, &opt, &err, &out, &outn)) {
        if (pys.py_error) { /* the file object's exception stands */ }
        else if (fds.err_no) { errno = fds.err_no; PyErr_SetFromErrno(PyExc_OSError); }
        else pyts_raise(&err);
        goto done;
    }
    if (dest) result = Py_NewRef(Py_None);
    else result = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)outn);
    pts_free(out);
done:
    pts_value_release(&root);
    pts_value_release(&consts);
    PyMem_Free(files);
    PyMem_Free(cfiles);
    Py_XDECREF(keep);
    Py_XDECREF(write);
    return result;
}

static PyObject *m_save(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *obj, *extra = Py_None, *code = Py_None, *pconsts = Py_None;
    const char *folder = "archive";
    int min_version = 0;
    if (!PyArg_ParseTuple(args, "O|OsOOi", &obj, &extra, &folder, &code, &pconsts, &min_version)) return NULL;
    return save_common(NULL, obj, extra, folder, code, pconsts, min_version, 0);
}

static PyObject *m_save_to(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *dest, *obj, *extra = Py_None, *code = Py_None, *pconsts = Py_None;
    const char *folder = "archive";
    int min_version = 0, zero_copy = 0;
    if (!PyArg_ParseTuple(args, "OO|OsOOip", &dest, &obj, &extra, &folder, &code, &pconsts, &min_version, &zero_copy))
        return NULL;
    if (dest == Py_None) return PyErr_Format(PyExc_TypeError, "_save_to needs a file descriptor or a file object");
    return save_common(dest, obj, extra, folder, code, pconsts, min_version, zero_copy);
}

/* _crc32(data, portable=False): the archive writer's CRC-32 (test hook, checked against zlib) */
static PyObject *m_crc32(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    int portable = 0;
    if (!PyArg_ParseTuple(args, "y*|p", &view, &portable)) return NULL;
    uint32_t c = portable ? pts_crc32_portable(0, view.buf, (size_t)view.len) : pts_crc32_update(0, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(c);
}

static PyObject *files_dict(const PtsArchiveFile *f, int n, bool text) {
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < n; i++) {
        PyObject *v = text ? PyUnicode_DecodeUTF8((const char *)f[i].data, (Py_ssize_t)f[i].len, "strict")
                           : PyBytes_FromStringAndSize((const char *)f[i].data, (Py_ssize_t)f[i].len);
        if (!v || PyDict_SetItemString(d, f[i].name, v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* _load(bytes, compile=False): with compile, the archive's methods are compiled as libpyts does
 * (csrc/serial/compile.c) and a sixth item lists the methods that did not compile as
 * (class qualname, method, message) tuples. */
static PyObject *load_result(PtsLoaded *l, PtsCompileReport *rep, int compile);

static PyObject *m_load(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *arg;
    int compile = 0;
    if (!PyArg_ParseTuple(args, "O|p", &arg, &compile)) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    PtsError err = { 0 };
    PtsLoaded l;
    PtsCompileReport rep = { 0 };
    PtsStatus s;
    Py_BEGIN_ALLOW_THREADS
    s = pts_archive_load(view.buf, (size_t)view.len, &err, &l);
    if (!s && compile) {
        s = pts_archive_compile(&l, &err, &rep);
        if (s) pts_loaded_free(&l);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (s) { pts_compile_report_free(&rep); return pyts_raise(&err); }
    return load_result(&l, &rep, compile);
}

/* _load_file(path, compile=False): as _load, from a file mapped privately (csrc/serial/mapfile.c):
 * stored tensor records become storages inside the mapping, which lives while any of them does. */
static PyObject *m_load_file(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *pathobj;
    int compile = 0;
    if (!PyArg_ParseTuple(args, "O&|p", PyUnicode_FSConverter, &pathobj, &compile)) return NULL;
    const char *path = PyBytes_AS_STRING(pathobj);
    PtsError err = { 0 };
    PtsLoaded l;
    PtsCompileReport rep = { 0 };
    PtsStatus s;
    PtsMapping *map = NULL;
    Py_BEGIN_ALLOW_THREADS
    s = pts_mapping_open(path, (size_t)PY_SSIZE_T_MAX, &err, &map);
    if (!s) {
        s = pts_archive_load_mapped(map, &err, &l);
        pts_mapping_release(map);   /* the storages inside it hold their own references */
    }
    if (!s && compile) {
        s = pts_archive_compile(&l, &err, &rep);
        if (s) pts_loaded_free(&l);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(pathobj);
    if (s) {
        pts_compile_report_free(&rep);
        if (!map && err.code == PTS_ERR_VALUE) return PyErr_Format(PyExc_OSError, "%s", err.msg);
        return pyts_raise(&err);
    }
    return load_result(&l, &rep, compile);
}

static PyObject *load_result(PtsLoaded *lp, PtsCompileReport *repp, int compile) {
    PtsLoaded l = *lp;
    PtsCompileReport rep = *repp;
    PyObject *code = files_dict(l.code, l.ncode, true);
    PyObject *extra = files_dict(l.extra, l.nextra, false);
    PyObject *root = pyts_ivalue_to_py(&l.root);
    PyObject *consts = pyts_ivalue_to_py(&l.constants);
    PyObject *issues = compile ? PyList_New(0) : NULL;
    for (int i = 0; issues && i < rep.nissues; i++) {
        PyObject *t = Py_BuildValue("(sss)", rep.issues[i].qualname, rep.issues[i].method, rep.issues[i].err.msg);
        if (!t || PyList_Append(issues, t) < 0) Py_CLEAR(issues);
        Py_XDECREF(t);
    }
    PyObject *r = NULL;
    if (code && extra && root && consts && (issues || !compile))
        r = compile ? Py_BuildValue("(OOOOiO)", root, code, extra, consts, l.version, issues)
                    : Py_BuildValue("(OOOOi)", root, code, extra, consts, l.version);
    Py_XDECREF(code);
    Py_XDECREF(extra);
    Py_XDECREF(root);
    Py_XDECREF(consts);
    Py_XDECREF(issues);
    pts_compile_report_free(&rep);
    pts_loaded_free(&l);
    return r;
}

/* {name: value} of the Final constants of an object's class (class headers of loaded archives) */
static PyObject *m_object_constants(PyObject *self, PyObject *obj) {
    (void)self;
    PtsValue v;
    if (pyts_py_to_ivalue(obj, &v) < 0) return NULL;
    if (v.tag != PTS_V_OBJECT) {
        pts_value_release(&v);
        return PyErr_Format(PyExc_TypeError, "expected a ScriptObject");
    }
    const PtsClassType *c = pts_as_object(v)->cls;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < c->nconsts; i++) {
        PtsValue x = pts_value_retain(c->const_values[i]);
        PyObject *px = pyts_ivalue_to_py(&x);
        if (!px || PyDict_SetItemString(d, c->const_names[i], px) < 0) Py_CLEAR(d);
        Py_XDECREF(px);
    }
    pts_value_release(&v);
    return d;
}

/* test hook: make the n-th next C allocation fail (-1: never), to walk out-of-memory paths */
static PyObject *m_alloc_fail_after(PyObject *self, PyObject *n) {
    (void)self;
    long v = PyLong_AsLong(n);
    if (v == -1 && PyErr_Occurred()) return NULL;
    pts_alloc_fail_after(v);
    Py_RETURN_NONE;
}

/* the shape of a type that holds NamedTuples, for Python to rebuild them from plain tuples:
 * ("nt", name, (fields...), (shapes...)), ("tuple", (shapes...)), ("list", shape),
 * ("opt", shape), ("dict", shape of the values); None for a type that holds no NamedTuple */
static PyObject *nt_shape(const PtsType *t, int depth) {
    if (depth > 32) Py_RETURN_NONE;
    PyObject *r = NULL;
    switch (t->kind) {
    case PTS_TY_TUPLE: {
        PyObject *elems = PyTuple_New(t->n);
        if (!elems) return NULL;
        bool any = t->field_names != NULL;
        for (int i = 0; i < t->n; i++) {
            PyObject *e = nt_shape(t->elems[i], depth + 1);
            if (!e) { Py_DECREF(elems); return NULL; }
            any = any || e != Py_None;
            PyTuple_SET_ITEM(elems, i, e);
        }
        if (!any) { Py_DECREF(elems); Py_RETURN_NONE; }
        if (!t->field_names) return Py_BuildValue("(sN)", "tuple", elems);
        PyObject *fields = PyTuple_New(t->n);
        if (!fields) { Py_DECREF(elems); return NULL; }
        for (int i = 0; i < t->n; i++) {
            PyObject *f = PyUnicode_FromString(t->field_names[i]);
            if (!f) { Py_DECREF(fields); Py_DECREF(elems); return NULL; }
            PyTuple_SET_ITEM(fields, i, f);
        }
        const char *q = t->name ? t->name : "NamedTuple";
        return Py_BuildValue("(ssNN)", "nt", q, fields, elems);
    }
    case PTS_TY_LIST: case PTS_TY_OPTIONAL: case PTS_TY_DICT: {
        PyObject *e = nt_shape(t->elems[t->kind == PTS_TY_DICT ? 1 : 0], depth + 1);
        if (!e || e == Py_None) return e;
        r = Py_BuildValue("(sN)", t->kind == PTS_TY_LIST ? "list" : t->kind == PTS_TY_DICT ? "dict" : "opt", e);
        return r;
    }
    default: Py_RETURN_NONE;
    }
}

/* _namedtuple_shape(fn) -> the shape (above) of fn's return type, None without NamedTuples */
static PyObject *m_namedtuple_shape(PyObject *self, PyObject *fo) {
    (void)self;
    PtsFunction *f = pyts_function_of(fo);
    if (!f) return PyErr_Format(PyExc_TypeError, "_namedtuple_shape expects a Function");
    const PtsBlock *top = f->graph->top;
    if (top->noutputs != 1) Py_RETURN_NONE;
    return nt_shape(top->outputs[0]->type, 0);
}

static PyMethodDef serial_functions[] = {
    {"_namedtuple_shape", m_namedtuple_shape, METH_O, "_namedtuple_shape(fn): how to rebuild NamedTuples in fn's result"},
    {"_object_constants", m_object_constants, METH_O, "{name: value} of the Final constants of an object's class"},
    {"_alloc_fail_after", m_alloc_fail_after, METH_O, "test hook: fail the n-th next C allocation (-1 off)"},
    {"_save", m_save, METH_VARARGS,
     "_save(obj_or_function, extra_files=None, folder='archive', code_files=None, constants=None, min_version=0) -> bytes"},
    {"_save_to", m_save_to, METH_VARARGS,
     "_save_to(fd_or_file, obj_or_function, extra_files=None, folder='archive', code_files=None, constants=None, min_version=0, zero_copy=False): stream the archive"},
    {"_crc32", m_crc32, METH_VARARGS, "_crc32(data, portable=False): CRC-32 as the archive writer computes it"},
    {"_load_file", m_load_file, METH_VARARGS,
     "_load_file(path, compile=False): _load from a privately mapped file (tensors share the mapping)"},
    {"_load", m_load, METH_VARARGS,
     "_load(bytes, compile=False) -> (obj, {code path: source}, {extra name: bytes}, constants, version[, issues])"},
    {NULL, NULL, 0, NULL},
};

int pyts_serial_setup(PyObject *m) { return PyModule_AddFunctions(m, serial_functions); }
