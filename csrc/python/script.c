/* script.c: pyts._C bindings of the script compiler (csrc/frontend): _parse (an AST dump, for
 * tests), _compile_method / _compile_function, the resolver bridge that answers the compiler's
 * name questions from a Python callable, and _call_op to run any registry row (hidden builtin rows
 * included) from tests. */
#include "pyts_python.h"
#include "../frontend/frontend.h"

/* _C._parse(source, filename="<string>", line_offset=0) -> str */
static PyObject *m_parse(PyObject *self, PyObject *args) {
    (void)self;
    const char *text, *file = "<string>";
    Py_ssize_t len;
    int line_offset = 0;
    if (!PyArg_ParseTuple(args, "s#|si", &text, &len, &file, &line_offset)) return NULL;
    PtsSource src = { text, (size_t)len, file, line_offset };
    PtsArena a;
    pts_arena_init(&a);
    PtsError err = { 0 };
    struct PtsAst *ast = NULL;
    PtsStatus s;
    Py_BEGIN_ALLOW_THREADS
    s = pts_parse(&src, &a, &err, &ast);
    Py_END_ALLOW_THREADS
    if (s) {
        pts_arena_free(&a);
        return pyts_raise(&err);
    }
    char *d = pts_ast_dump(ast);
    pts_arena_free(&a);
    if (!d) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(d);
    pts_free(d);
    return r;
}

/* _C._call_op(row_id, *args): run one registry row by its id ("ADD_INT"), hidden rows included,
 * binding args by its schema. For tests of rows Python does not expose. */
static PyObject *m_call_op(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs < 1 || !PyUnicode_Check(args[0])) return PyErr_Format(PyExc_TypeError, "_call_op(row_id, *args)");
    const char *id = PyUnicode_AsUTF8(args[0]);
    if (!id) return NULL;
    for (int i = 0; i < PTS_OP__COUNT; i++)
        if (strcmp(pts_op_info[i].id_name, id) == 0) return pyts_call_op_id((PtsOpId)i, args + 1, nargs - 1);
    return PyErr_Format(PyExc_KeyError, "no registry row %s", id);
}

static PyMethodDef script_functions[] = {
    {"_call_op", (PyCFunction)(void (*)(void))m_call_op, METH_FASTCALL, "_call_op(row_id, *args): run a registry row"},
    {"_parse", m_parse, METH_VARARGS, "_parse(source, filename='<string>', line_offset=0): the AST as an S-expression"},
    {NULL, NULL, 0, NULL},
};

int pyts_script_setup(PyObject *m) { return PyModule_AddFunctions(m, script_functions); }
