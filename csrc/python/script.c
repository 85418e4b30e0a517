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

static PyMethodDef script_functions[] = {
    {"_parse", m_parse, METH_VARARGS, "_parse(source, filename='<string>', line_offset=0): the AST as an S-expression"},
    {NULL, NULL, 0, NULL},
};

int pyts_script_setup(PyObject *m) { return PyModule_AddFunctions(m, script_functions); }
