/* bind.c: Python functions and Tensor methods generated from the op registry. Each name becomes
 * one PytsOp object holding its overloads; calling it binds the Python arguments against each
 * overload's schema in turn (positional, keyword, defaults, PyTorch's conversions), dispatches
 * the first that fits and converts the results back. */
#include "pyts_python.h"

#include <structmember.h>

#include "../trace/trace.h"

/* from autograd/autograd.h, whose PtsNode clashes with the IR's (trace.h includes ir.h) */
PTS_INTERNAL PtsStatus pts_set_requires_grad(PtsTensor *t, bool on, PtsError *err);
PTS_INTERNAL bool pts_requires_grad(const PtsTensor *t);

#define MAX_OVERLOADS 12

typedef struct OpGroup {
    const char *name;          /* Python name: "add" */
    int n;                     /* overloads */
    int ids[MAX_OVERLOADS];    /* PtsOpId, in registry order */
    bool numbers_as_tensors;   /* Python numbers bind to Tensor parameters (name_allows_numbers) */
    bool factory;              /* has TensorOptions keywords: takes requires_grad= too */
} OpGroup;

typedef struct PytsOpObject {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    const OpGroup *group;
    bool method;               /* self is the first argument */
} PytsOpObject;

static PyTypeObject *PytsOp_Type;

/* ---- value conversion ---- */
/* While tracing, the argument (and int-list element) being converted, so a traced size passed for
 * a number is stashed for the tracer (pts_trace_stash); -1 outside bind(). */
static _Thread_local int bind_arg = -1, bind_elem = -1;
/* whether a lone int (or int tensor) may stand for an unsized int list: torch's parser allows it
 * only where the list is the function's one positional parameter (view(3), flip(0)); not in
 * reshape(x, 6) or tensor_split(x, t), where a 0-dim tensor picks another overload */
static _Thread_local bool lone_int_list = true;

static void name_from_locals(PyObject *o, PtsTensor *t);

static void stash_traced(PyObject *o, PtsOpId conv) {
    if (PTS_UNLIKELY(pts_tls_tracing > 0) && bind_arg >= 0 && PytsTensor_Check(o)) {
        pts_trace_stash(bind_arg, bind_elem, pyts_tensor_of(o), conv);
        /* `b, t = x.size(); x.view(b, -1)`: the size's value takes the variable's name */
        name_from_locals(o, pyts_tensor_of(o));
    }
}

static int to_int(PyObject *o, int64_t *out) {
    if (PyBool_Check(o) || PyFloat_Check(o)) return 1;
    if (PyLong_Check(o)) {
        int ovf;
        long long v = PyLong_AsLongLongAndOverflow(o, &ovf);
        if (ovf || (v == -1 && PyErr_Occurred())) { PyErr_Clear(); return 1; }
        *out = v;
        return 0;
    }
    if (PytsTensor_Check(o)) {
        PtsTensor *t = pyts_tensor_of(o);
        if (pts_numel(t) != 1 || pts_dtype_is_float(t->dtype)) return 1;
        *out = pts_tensor_item_i64(t);
        return 0;
    }
    if (PyIndex_Check(o)) {
        PyObject *i = PyNumber_Index(o);
        if (!i) { PyErr_Clear(); return 1; }
        int r = to_int(i, out);
        Py_DECREF(i);
        return r;
    }
    return 1;
}

static int to_scalar(PyObject *o, PtsValue *v) {
    if (PyBool_Check(o)) { *v = pts_vbool(o == Py_True); return 0; }
    if (PyLong_Check(o)) {
        int ovf;
        long long x = PyLong_AsLongLongAndOverflow(o, &ovf);
        if (ovf) { PyErr_Clear(); *v = pts_vdouble(PyLong_AsDouble(o)); return 0; }
        *v = pts_vint(x);
        return 0;
    }
    if (PyFloat_Check(o)) { *v = pts_vdouble(PyFloat_AS_DOUBLE(o)); return 0; }
    if (PyComplex_Check(o) || PYTS_NP_SCALAR(o, ComplexFloating)) {
        Py_complex z = PyComplex_AsCComplex(o);
        if (z.real == -1.0 && PyErr_Occurred()) { PyErr_Clear(); return 1; }
        PtsError err;
        err.code = PTS_OK;
        if (pts_complex_new(z.real, z.imag, &err, v)) return 1;
        return 0;
    }
    if (PytsTensor_Check(o)) {
        PtsTensor *t = pyts_tensor_of(o);
        /* torch's parser takes only a 0-dim tensor that does not require grad as a Number (a
         * value that needs a gradient must go to a Tensor overload, or is refused) */
        if (t->ndim != 0 || pts_requires_grad(t)) return 1;
        if (pts_dtype_is_complex(t->dtype)) {
            double re, im;
            PtsError err;
            err.code = PTS_OK;
            pts_load_c128(t->dtype, pts_tensor_data(t), &re, &im);
            return pts_complex_new(re, im, &err, v) ? 1 : 0;
        }
        if (pts_dtype_is_float(t->dtype)) *v = pts_vdouble(pts_tensor_item_f64(t));
        else if (t->dtype == PTS_BOOL) *v = pts_vbool(pts_tensor_item_i64(t) != 0);
        else *v = pts_vint(pts_tensor_item_i64(t));
        return 0;
    }
    if (PYTS_NP_SCALAR(o, Integer)) {
        int64_t i;
        if (to_int(o, &i) == 0) { *v = pts_vint(i); return 0; }
    }
    if (PYTS_NP_SCALAR(o, Floating)) {
        *v = pts_vdouble(PyFloat_AsDouble(o));
        return 0;
    }
    if (PYTS_NP_SCALAR(o, Bool)) { *v = pts_vbool(PyObject_IsTrue(o) == 1); return 0; }
    return 1;
}

/* PyTorch accepts a Python number for a Tensor parameter only in a few functions (its
 * python_arg_parser list); everywhere else a number must match a Scalar overload. The operator
 * slots (a + 1, 2 - x) always allow it. Per-thread, set around one binding attempt. */
static _Thread_local bool numbers_as_tensors = true;

static bool name_allows_numbers(const char *name) {
    static const char *const allowed[] = {
        "add", "add_", "div", "div_", "divide", "divide_", "mul", "mul_", "multiply", "multiply_",
        "sub", "sub_", "subtract", "subtract_", "true_divide", "true_divide_", "floor_divide",
        "floor_divide_", "to", "copy_", "rsub", NULL,
    };
    for (int i = 0; allowed[i]; i++) if (strcmp(allowed[i], name) == 0) return true;
    return false;
}

static int to_elem(PyObject *o, const PtsArgType *t, PtsValue *v, const char **why) {
    PtsError err;   /* not `= { 0 }`: zeroing its 1 KB message is most of the cost of binding */
    err.code = PTS_OK;
    err.msg[0] = 0;
    switch (t->kind) {
    case PTS_T_TENSOR:
        if (PytsTensor_Check(o)) { *v = pts_vtensor(pts_tensor_retain(pyts_tensor_of(o))); return 0; }
        if (numbers_as_tensors && !t->write && !t->is_list &&
            (PyBool_Check(o) || PyLong_Check(o) || PyFloat_Check(o) || PyComplex_Check(o))) {
            PtsValue s;
            if (to_scalar(o, &s)) return 1;
            PtsTensor *w;
            if (pts_wrap_scalar(s, &err, &w)) { pyts_raise(&err); return -1; }
            *v = pts_vtensor(w);
            return 0;
        }
        *why = "Tensor";
        return 1;
    case PTS_T_INT: {
        int64_t i;
        /* a lone int takes a 0-dim integer tensor only (an int list's entries take any one-element
         * integer tensor: bind_elem is set there) */
        if (bind_elem == -1 && PytsTensor_Check(o) &&
            (pyts_tensor_of(o)->ndim != 0 || pyts_tensor_of(o)->dtype == PTS_BOOL)) { *why = "int"; return 1; }
        if (to_int(o, &i)) { *why = "int"; return 1; }
        stash_traced(o, PTS_OP_INT_TENSOR);
        *v = pts_vint(i);
        return 0;
    }
    case PTS_T_FLOAT:
        if (PyFloat_Check(o) || (PyLong_Check(o) && !PyBool_Check(o)) || PYTS_NP_SCALAR(o, Number)) {
            double d = PyFloat_AsDouble(o);
            if (d == -1 && PyErr_Occurred()) { PyErr_Clear(); *why = "float"; return 1; }
            *v = pts_vdouble(d);
            return 0;
        }
        if (PytsTensor_Check(o) && pyts_tensor_of(o)->ndim == 0 && !pts_requires_grad(pyts_tensor_of(o))) {
            stash_traced(o, PTS_OP_FLOAT_TENSOR);
            *v = pts_vdouble(pts_tensor_item_f64(pyts_tensor_of(o)));
            return 0;
        }
        *why = "float";
        return 1;
    case PTS_T_BOOL:
        if (PyBool_Check(o)) { *v = pts_vbool(o == Py_True); return 0; }
        if (PYTS_NP_SCALAR(o, Bool)) { *v = pts_vbool(PyObject_IsTrue(o) == 1); return 0; }
        *why = "bool";
        return 1;
    case PTS_T_SCALAR:
        if (to_scalar(o, v)) { *why = "Number"; return 1; }
        stash_traced(o, PTS_OP_SCALARIMPLICIT);
        return 0;
    case PTS_T_SCALARTYPE:
        if (PyObject_TypeCheck(o, PytsDType_Type)) { *v = pts_vint(((PytsDTypeObject *)o)->id); return 0; }
        *why = "dtype";
        return 1;
    case PTS_T_DEVICE:
        if (PyUnicode_Check(o)) {
            const char *s = PyUnicode_AsUTF8(o);
            if (!s) return -1;
            if (strcmp(s, "cpu") == 0 || strcmp(s, "cpu:0") == 0) {
                v->tag = PTS_V_DEVICE;
                v->u.i = -1;
                return 0;
            }
            PyErr_Format(PyExc_RuntimeError, "pyts runs on the CPU only; device '%s' is not available", s);
            return -1;
        }
        int is_cpu;
        if (pyts_device_check(o, &is_cpu)) {
            if (!is_cpu) {
                PyObject *s = PyObject_Str(o);
                if (s) PyErr_Format(PyExc_RuntimeError, "pyts runs on the CPU only; device '%U' is not available", s);
                Py_XDECREF(s);
                return -1;
            }
            v->tag = PTS_V_DEVICE;
            v->u.i = -1;
            return 0;
        }
        *why = "device";
        return 1;
    case PTS_T_LAYOUT:
    case PTS_T_MEMFORMAT:
        if (PyObject_HasAttrString(o, "_pyts_enum")) { *v = pts_vint(0); return 0; }
        *why = t->kind == PTS_T_LAYOUT ? "layout" : "memory_format";
        return 1;
    case PTS_T_STR:
        if (PyUnicode_Check(o)) {
            Py_ssize_t n;
            const char *s = PyUnicode_AsUTF8AndSize(o, &n);
            if (!s) return -1;
            if (pts_str_new(s, (size_t)n, &err, v)) { pyts_raise(&err); return -1; }
            return 0;
        }
        *why = "str";
        return 1;
    case PTS_T_GENERATOR: {
        PyObject *cap = PyObject_GetAttrString(o, "_pyts_generator");
        if (!cap) { PyErr_Clear(); *why = "Generator"; return 1; }
        void *g = PyCapsule_GetPointer(cap, "pyts.Generator");
        Py_DECREF(cap);
        if (!g) { PyErr_Clear(); *why = "Generator"; return 1; }
        v->tag = PTS_V_GENERATOR;
        v->u.h = pts_heap_retain((PtsHeap *)g);
        return 0;
    }
    case PTS_T_COMPLEX:   /* hidden rows only (_call_op): a Python complex or real number */
        if (PyComplex_Check(o) || PyFloat_Check(o) || PyLong_Check(o)) {
            Py_complex z = PyComplex_AsCComplex(o);
            if (z.real == -1.0 && PyErr_Occurred()) { PyErr_Clear(); *why = "complex"; return 1; }
            if (pts_complex_new(z.real, z.imag, &err, v)) { pyts_raise(&err); return -1; }
            return 0;
        }
        *why = "complex";
        return 1;
    case PTS_T_ANY:
    default:
        *why = "a supported value";
        return 1;
    }
}

int pyts_py_to_value(PyObject *o, const PtsArgType *t, PtsValue *v, const char **why) {
    *v = pts_none();
    if (o == Py_None) {
        if (t->optional) return 0;
        *why = "not None";
        return 1;
    }
    if (!t->is_list) return to_elem(o, t, v, why);
    PtsArgType et = *t;
    et.is_list = false;
    et.optional = t->elem_optional;
    if (t->kind == PTS_T_INT || t->kind == PTS_T_BOOL || t->kind == PTS_T_FLOAT) {
        /* a single number stands for a list (kernel_size=3, dim=1) */
        if (!PyList_Check(o) && !PyTuple_Check(o)) {
            if (t->kind == PTS_T_INT && t->list_n == 0 && !lone_int_list) {
                *why = "tuple of ints";
                return 1;
            }
            PtsValue e;
            int saved = bind_elem;
            bind_elem = -2;
            int r = to_elem(o, &et, &e, why);
            bind_elem = saved;
            if (r) return r;
            int n = t->list_n ? t->list_n : 1;
            PtsError err = { 0 };
            if (pts_list_new(PTS_V_LIST, n, &err, v)) { pyts_raise(&err); return -1; }
            for (int i = 0; i < n; i++) pts_list_append(*v, e, &err);
            return 0;
        }
    }
    if (!PyList_Check(o) && !PyTuple_Check(o)) {
        static char buf[64];
        char tb[32];
        snprintf(buf, sizeof buf, "%s", pts_argtype_str(*t, tb, sizeof tb));
        *why = buf;
        return 1;
    }
    PyObject *seq = o;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PtsError err = { 0 };
    if (pts_list_new(PTS_V_LIST, n, &err, v)) { pyts_raise(&err); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PtsValue e;
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        bind_elem = (int)i;
        int r = item == Py_None && et.optional ? (e = pts_none(), 0) : to_elem(item, &et, &e, why);
        bind_elem = -1;
        if (r) { pts_value_release(v); return r; }
        if (pts_list_append(*v, e, &err)) { pts_value_release(v); pyts_raise(&err); return -1; }
    }
    /* int[1] (dims) takes any number of entries; int[2] etc. must have the size or 1 */
    if (t->list_n > 1 && n != t->list_n && n != 1 && t->kind == PTS_T_INT) {
        pts_value_release(v);
        *why = "a list of the right length";
        return 1;
    }
    if (t->list_n && n == 1 && t->list_n > 1 && t->kind == PTS_T_INT) {
        /* [3] for int[2] means [3, 3] */
        PtsValue e = pts_as_list(*v)->items[0];
        for (int i = 1; i < t->list_n; i++) pts_list_append(*v, e, &err);
    }
    return 0;
}

/* ---- results ---- */
PyObject *pyts_value_to_py(PtsValue *v) {
    PyObject *r = NULL;
    switch (v->tag) {
    case PTS_V_NONE: Py_RETURN_NONE;
    case PTS_V_BOOL: r = PyBool_FromLong(v->u.b); break;
    case PTS_V_INT: r = PyLong_FromLongLong(v->u.i); break;
    case PTS_V_DOUBLE: r = PyFloat_FromDouble(v->u.d); break;
    case PTS_V_COMPLEX: r = PyComplex_FromDoubles(pts_as_complex(*v)->re, pts_as_complex(*v)->im); break;
    case PTS_V_TENSOR: r = pyts_wrap_tensor(v->u.t); v->tag = PTS_V_NONE; return r;
    case PTS_V_STR: r = PyUnicode_FromStringAndSize(pts_as_str(*v)->data, (Py_ssize_t)pts_as_str(*v)->len); break;
    case PTS_V_LIST:
    case PTS_V_TUPLE: {
        PtsList *l = pts_as_list(*v);
        r = v->tag == PTS_V_LIST ? PyList_New(l->len) : PyTuple_New(l->len);
        if (!r) break;
        for (int64_t i = 0; i < l->len; i++) {
            PtsValue e = pts_value_retain(l->items[i]);
            PyObject *pe = pyts_value_to_py(&e);
            if (!pe) { Py_CLEAR(r); break; }
            if (v->tag == PTS_V_LIST) PyList_SET_ITEM(r, i, pe);
            else PyTuple_SET_ITEM(r, i, pe);
        }
        break;
    }
    case PTS_V_DEVICE: r = pyts_device_from_index(v->u.i); break;
    default:
        PyErr_SetString(PyExc_SystemError, "pyts: value of this kind has no Python form yet");
        break;
    }
    pts_value_release(v);
    return r;
}

/* ---- binding ---- */
static const char *py_type_name(PyObject *o) {
    if (PytsTensor_Check(o)) return "Tensor";
    return Py_TYPE(o)->tp_name;
}

static const char *py_arg_name(const PtsSchema *s, int i, bool method) {
    /* PyTorch names self `input` in function signatures (wherever it stands: polygamma(n, input)) */
    if (!method && strcmp(s->args[i].name, "self") == 0) return "input";
    return s->args[i].name;
}

/* Try to bind; 0 ok, 1 mismatch (msg filled), -1 error raised. vals[] owned on success. */
static int bind(const PtsSchema *s, bool method, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames, PtsValue *vals, char *msg, size_t msgn) {
    PyObject *given[PTS_MAX_ARGS] = { 0 };
    const Py_ssize_t nargs0 = nargs;   /* keyword values follow the positional ones */
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) pts_trace_stash_clear();   /* a failed overload's */
    int npos = 0;
    for (int i = 0; i < s->nargs && !s->args[i].kwarg_only; i++) npos++;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    /* varargs form: an int list that is the last positional parameter takes the remaining ints */
    PyObject *packed = NULL;
    if (npos > 0 && s->args[npos - 1].type.is_list && s->args[npos - 1].type.kind == PTS_T_INT &&
        nargs > npos) {
        bool all_int = true;
        for (Py_ssize_t i = npos - 1; i < nargs; i++) {
            /* an integer one-element tensor counts as an int, as in torch (a traced size) */
            bool int_tensor = PytsTensor_Check(args[i]) && pts_numel(pyts_tensor_of(args[i])) == 1 &&
                              !pts_dtype_is_float(pyts_tensor_of(args[i])->dtype);
            if ((!PyLong_Check(args[i]) || PyBool_Check(args[i])) && !int_tensor) all_int = false;
        }
        if (all_int) {
            packed = PyTuple_New(nargs - (npos - 1));
            if (!packed) return -1;
            for (Py_ssize_t i = npos - 1; i < nargs; i++) {
                Py_INCREF(args[i]);
                PyTuple_SET_ITEM(packed, i - (npos - 1), args[i]);
            }
            nargs = npos;
        }
    }
    if (nargs > npos) {
        snprintf(msg, msgn, "takes %d positional arguments but %zd were given", npos, nargs);
        Py_XDECREF(packed);
        return 1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) given[i] = (packed && i == npos - 1) ? packed : args[i];
    /* a method whose schema puts self later (polygamma(int n, Tensor self)): the receiver goes
     * to self, the other positional arguments fill the slots before it in order */
    if (method && nargs > 0 && strcmp(s->args[0].name, "self") != 0) {
        int at = 0;
        for (int i = 1; i < npos && !at; i++)
            if (strcmp(s->args[i].name, "self") == 0) at = i;
        if (at > 0 && nargs > at) {
            PyObject *recv = given[0];
            for (int i = 0; i < at; i++) given[i] = given[i + 1];
            given[at] = recv;
        }
    }
    for (Py_ssize_t k = 0; k < nkw; k++) {
        const char *kn = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
        if (!kn) { Py_XDECREF(packed); return -1; }
        int j = -1;
        for (int i = 0; i < s->nargs; i++)
            if (strcmp(s->args[i].name, kn) == 0 || strcmp(py_arg_name(s, i, method), kn) == 0) { j = i; break; }
        if (j < 0) {
            snprintf(msg, msgn, "got an unexpected keyword argument '%s'", kn);
            Py_XDECREF(packed);
            return 1;
        }
        if (given[j]) {
            snprintf(msg, msgn, "got multiple values for argument '%s'", kn);
            Py_XDECREF(packed);
            return 1;
        }
        given[j] = args[nargs0 + k];
    }
    int i;
    for (i = 0; i < s->nargs; i++) {
        const PtsArg *a = &s->args[i];
        if (!given[i]) {
            if (!a->has_default) {
                snprintf(msg, msgn, "missing required argument '%s'", py_arg_name(s, i, method));
                goto mismatch;
            }
            vals[i] = pts_value_retain(a->def);
            continue;
        }
        const char *why = NULL;
        bind_arg = PTS_UNLIKELY(pts_tls_tracing > 0) ? i : -1;
        lone_int_list = npos - (method ? 1 : 0) == 1;
        int r = pyts_py_to_value(given[i], &a->type, &vals[i], &why);
        lone_int_list = true;
        bind_arg = -1;
        if (r < 0) goto error;
        if (r > 0) {
            if (i < nargs)   /* a method counts its positions after the receiver */
                snprintf(msg, msgn, "argument '%s' (position %d) must be %s, not %s",
                         py_arg_name(s, i, method), i + (method ? 0 : 1), why ? why : "?",
                         py_type_name(given[i]));
            else   /* given by keyword: torch names no position */
                snprintf(msg, msgn, "argument '%s' must be %s, not %s",
                         py_arg_name(s, i, method), why ? why : "?", py_type_name(given[i]));
            goto mismatch;
        }
    }
    Py_XDECREF(packed);
    return 0;
mismatch:
    for (int k = 0; k < i; k++) pts_value_release(&vals[k]);
    Py_XDECREF(packed);
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) pts_trace_stash_clear();
    return 1;
error:
    for (int k = 0; k < i; k++) pts_value_release(&vals[k]);
    Py_XDECREF(packed);
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) pts_trace_stash_clear();
    return -1;
}

/* Named results (`-> (Tensor values, Tensor indices)`) come back as a struct sequence named
 * pyts.return_types.<op>, like torch.return_types.max. One type per op name, made on first use. */
static PyObject *return_types_dict;

static PyTypeObject *return_type(PtsOpId id) {
    const PtsSchema *s = &pts_op_info[id].schema;
    if (!return_types_dict && !(return_types_dict = PyDict_New())) return NULL;
    PyObject *t = PyDict_GetItemString(return_types_dict, s->name);
    if (t) return (PyTypeObject *)t;
    static PyStructSequence_Field fields[PTS_OP__COUNT][PTS_MAX_RETS + 1];
    static char names[PTS_OP__COUNT][80];
    for (int k = 0; k < s->nret; k++) {
        fields[id][k].name = s->ret_names[k];
        fields[id][k].doc = NULL;
    }
    fields[id][s->nret].name = NULL;
    snprintf(names[id], sizeof names[id], "pyts.return_types.%s", s->name);
    PyStructSequence_Desc desc = { names[id], NULL, fields[id], s->nret };
    PyTypeObject *tp = PyStructSequence_NewType(&desc);
    if (!tp) return NULL;
    int r = PyDict_SetItemString(return_types_dict, s->name, (PyObject *)tp);
    Py_DECREF(tp);
    return r < 0 ? NULL : tp;
}

/* While tracing: nodes recorded now point at the user's line, and tensor inputs that are bound to
 * a local variable of the calling Python frame take its name (as PyTorch's tracer does). */
static void trace_annotate(const PtsSchema *s, const PtsValue *vals) {
    PyFrameObject *fr = PyEval_GetFrame();
    if (!fr) return;
    PyCodeObject *co = PyFrame_GetCode(fr);
    pts_trace_set_location(PyUnicode_AsUTF8(co->co_filename), PyFrame_GetLineNumber(fr));
    Py_DECREF(co);
    PyObject *locals = PyFrame_GetLocals(fr);
    if (!locals) { PyErr_Clear(); return; }
    if (PyDict_Check(locals)) {
        for (int i = 0; i < s->nargs; i++) {
            if (vals[i].tag != PTS_V_TENSOR || !vals[i].u.t->owner) continue;
            PyObject *k, *v;
            Py_ssize_t pos = 0;
            while (PyDict_Next(locals, &pos, &k, &v)) {
                if (v != (PyObject *)vals[i].u.t->owner || !PyUnicode_Check(k)) continue;
                const char *nm = PyUnicode_AsUTF8(k);
                if (nm && strcmp(nm, "self") != 0) pts_trace_name_tensor(vals[i].u.t, nm);
                break;
            }
        }
    }
    Py_DECREF(locals);
    PyErr_Clear();
}

/* Name t's trace value after the local variable of the calling Python frame bound to o. */
static void name_from_locals(PyObject *o, PtsTensor *t) {
    PyFrameObject *fr = PyEval_GetFrame();
    if (!fr) return;
    PyObject *locals = PyFrame_GetLocals(fr);
    if (!locals) { PyErr_Clear(); return; }
    if (PyDict_Check(locals)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(locals, &pos, &k, &v)) {
            if (v != o || !PyUnicode_Check(k)) continue;
            const char *nm = PyUnicode_AsUTF8(k);
            if (nm && strcmp(nm, "self") != 0) pts_trace_name_tensor(t, nm);
            break;
        }
    }
    Py_DECREF(locals);
    PyErr_Clear();
}

/* Large inputs run without the GIL so Python threads compute in parallel. */
static bool worth_releasing_gil(const PtsSchema *s, const PtsValue *vals) {
    for (int i = 0; i < s->nargs; i++)
        if (vals[i].tag == PTS_V_TENSOR && pts_numel(vals[i].u.t) >= 16384) return true;
    return false;
}

static PyObject *call_bound(PtsOpId id, PtsValue *vals) {
    const PtsSchema *s = &pts_op_info[id].schema;
    PtsValue outs[PTS_MAX_RETS];
    for (int k = 0; k < PTS_MAX_RETS; k++) outs[k] = pts_none();
    PtsError err;
    err.code = PTS_OK;
    PtsStatus st;
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) trace_annotate(s, vals);
    if (worth_releasing_gil(s, vals)) {
        Py_BEGIN_ALLOW_THREADS
        st = pts_op_call(id, vals, outs, &err);
        Py_END_ALLOW_THREADS
    } else {
        st = pts_op_call(id, vals, outs, &err);
    }
    if (PTS_UNLIKELY(pts_tls_tracing > 0)) pts_trace_stash_clear();
    for (int i = 0; i < s->nargs; i++) pts_value_release(&vals[i]);
    if (st) {
        for (int k = 0; k < PTS_MAX_RETS; k++) pts_value_release(&outs[k]);
        return pyts_raise(&err);
    }
    /* Tensor[] results are tuples in Python, as PyTorch returns them */
    if (s->ret_list && outs[0].tag == PTS_V_LIST) outs[0].tag = PTS_V_TUPLE;
    if (s->nret == 1) return pyts_value_to_py(&outs[0]);
    if (s->nret == 0) Py_RETURN_NONE;
    PyTypeObject *nt = s->ret_names[0] ? return_type(id) : NULL;
    if (s->ret_names[0] && !nt) {
        for (int k = 0; k < s->nret; k++) pts_value_release(&outs[k]);
        return NULL;
    }
    PyObject *t = nt ? PyStructSequence_New(nt) : PyTuple_New(s->nret);
    if (!t) {
        for (int k = 0; k < s->nret; k++) pts_value_release(&outs[k]);
        return NULL;
    }
    for (int k = 0; k < s->nret; k++) {
        PyObject *o = pyts_value_to_py(&outs[k]);
        if (!o) {
            for (int j = k + 1; j < s->nret; j++) pts_value_release(&outs[j]);
            Py_DECREF(t);
            return NULL;
        }
        if (nt) PyStructSequence_SET_ITEM(t, k, o);
        else PyTuple_SET_ITEM(t, k, o);
    }
    return t;
}

PyObject *pyts_call_op_id(PtsOpId id, PyObject *const *args, Py_ssize_t nargs) {
    PtsValue vals[PTS_MAX_ARGS];
    char msg[256];
    int r = bind(&pts_op_info[id].schema, true, args, nargs, NULL, vals, msg, sizeof msg);
    if (r < 0) return NULL;
    if (r > 0) return PyErr_Format(PyExc_TypeError, "%s(): %s", pts_op_info[id].schema.name, msg);
    return call_bound(id, vals);
}

static void format_signature(const PtsSchema *s, bool method, char *buf, size_t n) {
    size_t k = (size_t)snprintf(buf, n, " * (");
    bool star = false;
    for (int i = method ? 1 : 0; i < s->nargs && k < n; i++) {
        const PtsArg *a = &s->args[i];
        char tb[40];
        if (a->kwarg_only && !star) { k += (size_t)snprintf(buf + k, n - k, "*, "); star = true; }
        k += (size_t)snprintf(buf + k, n - k, "%s %s%s%s%s", pts_argtype_str(a->type, tb, sizeof tb),
                              py_arg_name(s, i, method), a->has_default ? " = " : "",
                              a->has_default ? a->def_text : "", i + 1 < s->nargs ? ", " : "");
    }
    if (k < n) snprintf(buf + k, n - k, ")\n");
}

static PyObject *op_call_overloads(PytsOpObject *op, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames);

/* Factory functions take requires_grad=, which PyTorch's schemas do not list (its Python argument
 * parser adds it to every function with TensorOptions keywords): the keyword is taken off, the
 * overloads bind the rest, and the result becomes a leaf that requires grad. */
static PyObject *factory_call(PytsOpObject *op, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames, Py_ssize_t rg_at) {
    const OpGroup *g = op->group;
    PyObject *rg = args[nargs + rg_at];
    if (rg != Py_None && !PyBool_Check(rg))
        return PyErr_Format(PyExc_TypeError, "%s(): argument 'requires_grad' must be bool, not %s",
                            g->name, Py_TYPE(rg)->tp_name);
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    PyObject *argv[PTS_MAX_ARGS + 1];
    if (nargs + nkw > PTS_MAX_ARGS + 1)
        return PyErr_Format(PyExc_TypeError, "%s(): too many arguments", g->name);
    PyObject *kw2 = nkw > 1 ? PyTuple_New(nkw - 1) : NULL;
    if (nkw > 1 && !kw2) return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++) argv[i] = args[i];
    for (Py_ssize_t k = 0, j = 0; k < nkw; k++) {
        if (k == rg_at) continue;
        PyObject *kn = PyTuple_GET_ITEM(kwnames, k);
        Py_INCREF(kn);
        PyTuple_SET_ITEM(kw2, j, kn);
        argv[nargs + j++] = args[nargs + k];
    }
    PyObject *r = op_call_overloads(op, argv, nargs, kw2);
    Py_XDECREF(kw2);
    if (!r || rg != Py_True) return r;
    if (!PytsTensor_Check(r)) return r;
    PtsTensor *t = pyts_tensor_of(r);
    if (!pts_dtype_is_float(t->dtype) && !pts_dtype_is_complex(t->dtype)) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_RuntimeError, "Only Tensors of floating point and complex dtype can require gradients");
        return NULL;
    }
    PtsError err;
    err.code = PTS_OK;
    if (pts_set_requires_grad(t, true, &err)) { Py_DECREF(r); return pyts_raise(&err); }
    return r;
}

static PyObject *op_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                               PyObject *kwnames) {
    PytsOpObject *op = (PytsOpObject *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (op->group->factory && kwnames) {
        Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
        for (Py_ssize_t k = 0; k < nkw; k++) {
            PyObject *kn = PyTuple_GET_ITEM(kwnames, k);
            if (PyUnicode_Check(kn) && PyUnicode_CompareWithASCIIString(kn, "requires_grad") == 0)
                return factory_call(op, args, nargs, kwnames, k);
        }
    }
    return op_call_overloads(op, args, nargs, kwnames);
}

static bool same_argtype(PtsArgType a, PtsArgType b) {
    return a.kind == b.kind && a.optional == b.optional && a.is_list == b.is_list &&
           a.elem_optional == b.elem_optional && a.list_n == b.list_n;
}

/* one row is the other's out= form: the same positional parameters (torch's parser shows them
 * as one signature with an `out=None` keyword) */
static bool out_partners(const PtsSchema *a, const PtsSchema *b) {
    if (a->has_out == b->has_out) return false;
    int i = 0, j = 0;
    for (;;) {
        while (i < a->nargs && a->args[i].kwarg_only) i++;
        while (j < b->nargs && b->args[j].kwarg_only) j++;
        if (i == a->nargs || j == b->nargs) return i == a->nargs && j == b->nargs;
        if (strcmp(a->args[i].name, b->args[j].name) != 0 || !same_argtype(a->args[i].type, b->args[j].type))
            return false;
        i++, j++;
    }
}

/* When no overload fits, torch's parser names the failing argument if exactly one signature
 * takes as many arguments as were given (else it lists the signatures). The overload whose
 * message to show, or -1. An op and its out= form count as one signature. */
static int plausible_overload(const OpGroup *g, bool method, Py_ssize_t nargs, PyObject *kwnames) {
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    Py_ssize_t num = nargs - (method ? 1 : 0) + nkw;
    bool out_given = false;
    for (Py_ssize_t k = 0; k < nkw; k++)
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, k), "out") == 0) out_given = true;
    int cand = -1, count = 0;
    for (int k = 0; k < g->n; k++) {
        const PtsSchema *s = &pts_op_info[g->ids[k]].schema;
        bool partnered = false;
        for (int j = 0; j < g->n && !partnered; j++)
            partnered = j != k && out_partners(s, &pts_op_info[g->ids[j]].schema);
        if (partnered && s->has_out != out_given) continue;
        int lo = 0, hi = 0;
        for (int i = 0; i < s->nargs; i++) {
            if (method && strcmp(s->args[i].name, "self") == 0) continue;
            hi++;
            if (!s->args[i].has_default) lo++;
        }
        if (partnered && !s->has_out) hi++;   /* out=None */
        if (num >= lo && num <= hi) { cand = k; count++; }
    }
    return count == 1 ? cand : -1;
}

static PyObject *op_call_overloads(PytsOpObject *op, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames) {
    const OpGroup *g = op->group;
    char msgs[MAX_OVERLOADS][256];
    PtsValue vals[PTS_MAX_ARGS];
    if (op->method && (nargs < 1 || !PytsTensor_Check(args[0])))
        return PyErr_Format(PyExc_TypeError, "descriptor '%s' requires a 'Tensor' object", g->name);
    for (int k = 0; k < g->n; k++) {
        const PtsSchema *s = &pts_op_info[g->ids[k]].schema;
        numbers_as_tensors = g->numbers_as_tensors;
        int r = bind(s, op->method, args, nargs, kwnames, vals, msgs[k], sizeof msgs[k]);
        numbers_as_tensors = true;
        if (r < 0) return NULL;
        if (r == 0) return call_bound((PtsOpId)g->ids[k], vals);
    }
    /* no overload fits: say why, as PyTorch does */
    if (g->n == 1) return PyErr_Format(PyExc_TypeError, "%s(): %s", g->name, msgs[0]);
    int single = plausible_overload(g, op->method, nargs, kwnames);
    if (single >= 0) return PyErr_Format(PyExc_TypeError, "%s(): %s", g->name, msgs[single]);
    PyObject *got = PyUnicode_FromString("");
    for (Py_ssize_t i = op->method ? 1 : 0; i < nargs && got; i++) {
        PyObject *n = PyUnicode_FromFormat("%U%s%s", got, PyUnicode_GET_LENGTH(got) ? ", " : "",
                                           py_type_name(args[i]));
        Py_SETREF(got, n);
    }
    if (!got) return NULL;
    char sigs[4096];
    size_t k = 0;
    sigs[0] = 0;
    for (int j = 0; j < g->n && k < sizeof sigs; j++) {
        format_signature(&pts_op_info[g->ids[j]].schema, op->method, sigs + k, sizeof sigs - k);
        k += strlen(sigs + k);
    }
    PyErr_Format(PyExc_TypeError,
                 "%s() received an invalid combination of arguments - got (%U), but expected one of:\n%s",
                 g->name, got, sigs);
    Py_DECREF(got);
    return NULL;
}

static PyObject *op_descr_get(PyObject *self, PyObject *obj, PyObject *type) {
    (void)type;
    if (obj == NULL || obj == Py_None) return Py_NewRef(self);
    return PyMethod_New(self, obj);
}

static PyObject *op_repr(PyObject *self) {
    PytsOpObject *op = (PytsOpObject *)self;
    return PyUnicode_FromFormat(op->method ? "<method '%s' of 'pyts.Tensor' objects>"
                                           : "<built-in function %s>", op->group->name);
}

static PyObject *op_get_overloads(PyObject *self, void *closure) {
    (void)closure;
    PytsOpObject *op = (PytsOpObject *)self;
    PyObject *l = PyList_New(op->group->n);
    for (int i = 0; l && i < op->group->n; i++)
        PyList_SET_ITEM(l, i, PyUnicode_FromString(pts_op_info[op->group->ids[i]].schema.text));
    return l;
}

static PyObject *op_get_name(PyObject *self, void *closure) {
    (void)closure;
    return PyUnicode_FromString(((PytsOpObject *)self)->group->name);
}

static PyGetSetDef op_getset[] = {
    {"_schemas", op_get_overloads, NULL, NULL, NULL},
    {"__name__", op_get_name, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ops are immutable process-wide singletons: copy / deepcopy return the op itself, as for
 * torch's builtin functions (a module holding pyts.tanh as its activation can be deep-copied) */
static PyObject *op_copy(PyObject *self, PyObject *arg) {
    (void)arg;
    return Py_NewRef(self);
}

static PyMethodDef op_methods[] = {
    {"__copy__", op_copy, METH_NOARGS, NULL},
    {"__deepcopy__", op_copy, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef op_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(PytsOpObject, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot op_slots[] = {
    {Py_tp_descr_get, op_descr_get},
    {Py_tp_repr, op_repr},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_getset, op_getset},
    {Py_tp_members, op_members},
    {Py_tp_methods, op_methods},
    {0, NULL},
};

static PyType_Spec op_spec = {
    "pyts._C._Op", sizeof(PytsOpObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR, op_slots,
};

/* groups live for the process (the module is never unloaded) */
static OpGroup *fn_groups, *method_groups;
static int n_fn, n_method;

static int add_to_groups(OpGroup **gs, int *n, const char *name, int id) {
    for (int i = 0; i < *n; i++)
        if (strcmp((*gs)[i].name, name) == 0) {
            if ((*gs)[i].n == MAX_OVERLOADS) return 0;
            (*gs)[i].ids[(*gs)[i].n++] = id;
            return 0;
        }
    OpGroup *ng = PyMem_RawRealloc(*gs, sizeof(OpGroup) * (size_t)(*n + 1));
    if (!ng) return -1;
    *gs = ng;
    ng[*n].name = name;
    ng[*n].n = 1;
    ng[*n].ids[0] = id;
    (*n)++;
    return 0;
}

/* A row with PyTorch's TensorOptions keywords (dtype, layout, device, pin_memory). */
static bool has_tensor_options(const PtsSchema *s) {
    static const char *const want[] = { "dtype", "layout", "device", "pin_memory" };
    int found = 0;
    for (int w = 0; w < 4; w++)
        for (int i = 0; i < s->nargs; i++)
            if (s->args[i].kwarg_only && strcmp(s->args[i].name, want[w]) == 0) { found++; break; }
    return found == 4;
}

/* PyTorch's argument parser tries a Tensor parameter before a Scalar (or int) one in the same
 * place: of two overloads whose parameters agree except that one has Tensor where the other has
 * Scalar / Scalar? / int, the Tensor one is tried first (fill_(x, value_tensor) is fill_.Tensor,
 * so the value gets a gradient). `a` yields to `b` when b is that Tensor-side overload of a. */
static bool arg_yields(PtsArgType a, PtsArgType b) {
    if (a.is_list || b.is_list || b.kind != PTS_T_TENSOR) return false;
    if (a.kind == PTS_T_SCALAR) return a.optional == b.optional;
    return a.kind == PTS_T_INT && !a.optional && !b.optional;
}

static bool overload_yields(const PtsSchema *a, const PtsSchema *b) {
    if (a->nargs != b->nargs || a->has_out != b->has_out) return false;
    bool differ = false;
    for (int i = 0; i < a->nargs; i++) {
        if (same_argtype(a->args[i].type, b->args[i].type)) continue;
        if (!arg_yields(a->args[i].type, b->args[i].type)) return false;
        differ = true;
    }
    return differ;
}

/* stable order: registry order, except that an overload waits for those it yields to */
static void order_overloads(OpGroup *g) {
    int out[MAX_OVERLOADS], n = 0;
    bool done[MAX_OVERLOADS] = { false };
    while (n < g->n) {
        int pick = -1;
        for (int i = 0; i < g->n && pick < 0; i++) {
            if (done[i]) continue;
            bool waits = false;
            for (int j = 0; j < g->n && !waits; j++)
                waits = !done[j] && j != i &&
                        overload_yields(&pts_op_info[g->ids[i]].schema, &pts_op_info[g->ids[j]].schema);
            if (!waits) pick = i;
        }
        if (pick < 0) for (pick = 0; done[pick]; pick++) {}   /* a cycle cannot occur; be safe */
        done[pick] = true;
        out[n++] = g->ids[pick];
    }
    memcpy(g->ids, out, sizeof(int) * (size_t)g->n);
}

/* per-group flags, computed once so a call does no name lookups */
static void mark_groups(OpGroup *gs, int n) {
    for (int i = 0; i < n; i++) {
        order_overloads(&gs[i]);
        gs[i].numbers_as_tensors = name_allows_numbers(gs[i].name);
        gs[i].factory = false;
        for (int k = 0; k < gs[i].n; k++)
            if (has_tensor_options(&pts_op_info[gs[i].ids[k]].schema)) gs[i].factory = true;
    }
}

static PyObject *make_op(const OpGroup *g, bool method) {
    PytsOpObject *o = PyObject_New(PytsOpObject, PytsOp_Type);
    if (!o) return NULL;
    o->vectorcall = op_vectorcall;
    o->group = g;
    o->method = method;
    return (PyObject *)o;
}

int pyts_ops_setup(PyObject *module) {
    PytsOp_Type = (PyTypeObject *)PyType_FromSpec(&op_spec);
    if (!PytsOp_Type) return -1;
    for (int id = 0; id < PTS_OP__COUNT; id++) {
        const PtsOpInfo *info = &pts_op_info[id];
        if (info->flags & PTS_F_HIDDEN) continue;
        if (info->flags & PTS_F_FN || info->schema.has_out)
            if (add_to_groups(&fn_groups, &n_fn, info->schema.name, id)) return -1;
        if (info->flags & PTS_F_METHOD)
            if (add_to_groups(&method_groups, &n_method, info->schema.name, id)) return -1;
    }
    mark_groups(fn_groups, n_fn);
    mark_groups(method_groups, n_method);
    PyObject *fns = PyDict_New();
    if (!fns) return -1;
    for (int i = 0; i < n_fn; i++) {
        PyObject *o = make_op(&fn_groups[i], false);
        if (!o || PyDict_SetItemString(fns, fn_groups[i].name, o) < 0) { Py_XDECREF(o); Py_DECREF(fns); return -1; }
        Py_DECREF(o);
    }
    if (PyModule_AddObject(module, "_functions", fns) < 0) { Py_DECREF(fns); return -1; }
    PyObject *tdict = PytsTensor_Type->tp_dict;
    for (int i = 0; i < n_method; i++) {
        /* hand-written Tensor methods take precedence over generated ones */
        if (PyDict_GetItemString(tdict, method_groups[i].name)) continue;
        PyObject *o = make_op(&method_groups[i], true);
        if (!o || PyDict_SetItemString(tdict, method_groups[i].name, o) < 0) { Py_XDECREF(o); return -1; }
        Py_DECREF(o);
    }
    PyType_Modified(PytsTensor_Type);
    return 0;
}
