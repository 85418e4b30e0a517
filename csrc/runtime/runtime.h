/* runtime.h: internals of libpyts, the public C API of include/pyts/pyts.h over the core layers
 * (serial to load and compile archives, interp to run them). Handles are small heap records
 * around core values; errors go to a thread-local record read by pyts_last_error. Never Python. */
#ifndef PTS_RUNTIME_H
#define PTS_RUNTIME_H

#include "../include/pyts/pyts.h"
#include "../interp/interp.h"
#include "../serial/compile.h"

#define PTS_RT_MAX_MODULES 100000   /* module nodes in one loaded tree (shared submodules repeat) */
#define PTS_RT_MAX_FILE ((size_t)1 << 40)   /* bytes of an archive file */

struct pyts_value {
    PtsValue v;                 /* owned */
};

/* one method of a class as the archive defines it */
typedef struct PtsRtMethod {
    char *name;                 /* owned */
    PtsFunction *fn;            /* +1, NULL when it did not compile or lower */
    char *error;                /* why fn is NULL (owned) */
    char *code;                 /* archive source (owned), may be NULL */
    char *signature;            /* "forward(xs: Tensor) -> Tensor" (owned, NULL without fn) */
    int nargs;                  /* parameters without self */
    char **arg_names, **arg_types;   /* nargs each (owned) */
    char *ret_type;             /* owned */
} PtsRtMethod;

typedef struct PtsRtClass {
    PtsClassType *cls;          /* borrowed: the objects of the tree keep it alive */
    int nmethods;
    PtsRtMethod *methods;       /* owned */
} PtsRtClass;

typedef struct PtsRtTree {
    int nclasses, capclasses;
    PtsRtClass **classes;       /* owned entries, each separately allocated */
    int nnodes;                 /* module nodes made, for PTS_RT_MAX_MODULES */
    char *first_issue;          /* the first method that did not compile (classes compile children
                                   first, so it is usually the cause of the others), owned */
    char *first_issue_class;    /* its class and method (owned) */
    char *first_issue_method;
} PtsRtTree;

struct pyts_module {
    PtsValue obj;               /* +1: the module object */
    PtsRtClass *info;           /* borrowed from the tree */
    PtsRtTree *tree;            /* owned by the root (root == this), borrowed by children */
    struct pyts_module *root;
    int nchildren;
    char **child_names;         /* owned */
    struct pyts_module **children;   /* owned */
};

/* thread-local error record */
PTS_INTERNAL PtsError *pts_rt_err(void);
PTS_INTERNAL void pts_rt_set(const PtsError *e);   /* copy e as the thread's last error */
PTS_INTERNAL pyts_status pts_rt_fail(pyts_status s, const char *fmt, ...) PTS_PRINTF(2, 3);
/* initialise the op registry once (thread-safe); false with the error set */
PTS_INTERNAL bool pts_rt_init(void);
/* a new handle owning v (stolen, also on failure) */
PTS_INTERNAL pyts_value *pts_rt_value(PtsValue v);

#endif
