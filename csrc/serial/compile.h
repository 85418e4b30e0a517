/* compile.h: archive mode of the script compiler. After pts_archive_load has built the object
 * tree, pts_archive_compile compiles the methods of every class reachable from the root from the
 * archive's code/ sources with the frontend. pyts.jit.load and libpyts both load this way. */
#ifndef PTS_SERIAL_COMPILE_H
#define PTS_SERIAL_COMPILE_H

#include "serial.h"

#define PTS_ARCHIVE_MAX_OBJECT_DEPTH 1000   /* nesting of objects/containers walked from the root */

/* A method that did not compile: the archive still loads, calling the method reports this. */
typedef struct PtsCompileIssue {
    char *qualname;      /* class, "__torch__.a.B" (owned) */
    char *method;        /* method name (owned) */
    PtsError err;        /* why (code and message with the archive file, line and caret) */
} PtsCompileIssue;

typedef struct PtsCompileReport {
    int nissues;
    PtsCompileIssue *issues;   /* owned */
} PtsCompileReport;

/* Compiles every `def` of the class block of every class with an object reachable from l->root
 * (submodule classes before the classes that call them) and adds the functions to the classes.
 * Names in archive code resolve as PyTorch's importer does: torch, math, ops.aten, ops.prim,
 * CONSTANTS.cN (l->constants), __torch__, annotate, unchecked_cast, uninitialized, getattr and the
 * Python builtins TorchScript knows. A method that fails to compile is left out and recorded in
 * rep (the other methods still compile); only out-of-memory or a malformed object tree fails the
 * whole call. rep is always initialised; free it with pts_compile_report_free. */
PTS_INTERNAL PtsStatus pts_archive_compile(const PtsLoaded *l, PtsError *err, PtsCompileReport *rep);
PTS_INTERNAL void pts_compile_report_free(PtsCompileReport *rep);
/* The issue recorded for qualname.method, or NULL. */
PTS_INTERNAL const PtsCompileIssue *pts_compile_report_find(const PtsCompileReport *rep, const char *qualname,
                                                           const char *method);

/* The source of method `method` of class `qualname` in the code files of l as stored in the
 * archive (class-body indentation removed, `self: <class>` kept). Owned string, or NULL with
 * *found false when there is none (NULL with *found true: out of memory). *line gets the 1-based
 * line of the def in its file, *file the code file name (borrowed from l). */
PTS_INTERNAL char *pts_archive_method_source(const PtsLoaded *l, const char *qualname, const char *method,
                                             bool *found, int *line, const char **file);

/* The names of the defs of class qualname in its code file, in source order (duplicates kept).
 * *names is owned (each name and the array; pts_free); false on out-of-memory only (no code
 * file or class gives no names). */
PTS_INTERNAL bool pts_archive_method_names(const PtsLoaded *l, const char *qualname, char ***names, int *n);

/* Checks the arguments of a call into f from outside compiled code (the C API), where the
 * compiler has not checked them: args[i] (self excluded: i counts from f's first user-visible
 * parameter) against the type of that graph input, so a kernel never sees a value of the wrong
 * kind. A traced parameter (a Tensor type with recorded shape) takes any tensor. TYPE error in
 * TorchScript's words, naming the parameter; at most the parameters that exist are checked. */
PTS_INTERNAL PtsStatus pts_check_call_args(const PtsFunction *f, PtsValue *args, int nargs, PtsError *err);
/* The same, converting as torch's toIValue does (an int or bool for a float parameter, a bool for an
 * int, a number or None for a bool, a one-element tensor for a number, list and tuple items
 * alike; args[i] is replaced by the converted value), RUNTIME error as torch's; *bad is the index
 * of the refused argument, or -1. */
PTS_INTERNAL PtsStatus pts_check_call_args_at(const PtsFunction *f, PtsValue *args, int nargs, PtsError *err, int *bad);
/* whether v converts to t by the rules above (v untouched) */
PTS_INTERNAL bool pts_arg_converts(PtsValue v, const PtsType *t);
/* f's schema as torch prints it in call errors: `f(int n, str s="a", float[]? x=None) -> int` */
PTS_INTERNAL void pts_function_decl_print(PtsBuf *b, const PtsFunction *f);

#endif
