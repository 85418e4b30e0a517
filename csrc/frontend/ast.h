/* ast.h: the syntax tree the parser builds in the arena and the emitter lowers. One node struct
 * for every kind; children are an array whose layout per kind is listed below (NULL marks an
 * absent optional child). Ranges are source positions (line includes the source's offset). */
#ifndef PTS_AST_H
#define PTS_AST_H

#include "frontend.h"

/* X(ID, "dump name")                 children (kids[]) */
#define PTS_AST_KINDS(X)                                                                       \
    /* ---- structure ---- */                                                                  \
    X(BLOCK, "block")          /* statements... */                                             \
    X(DEF, "def")              /* str=name: [PARAMS, return annotation?, BLOCK body, DECORATORS?] */ \
    X(PARAMS, "params")        /* PARAM... */                                                  \
    X(PARAM, "param")          /* str=name, op=0 / STAR / DSTAR: [annotation?, default?] */    \
    X(DECORATORS, "decorators") /* expressions... */                                           \
    X(CLASS, "class")          /* str=name: [bases (TUPLE)?, BLOCK body, DECORATORS?] */       \
    /* ---- statements ---- */                                                                 \
    X(EXPR_STMT, "expr")       /* [expr] */                                                    \
    X(ASSIGN, "assign")        /* [target..., value]: a = b = v has two targets */             \
    X(ANN_ASSIGN, "annassign") /* [target, annotation, value?] */                              \
    X(AUG_ASSIGN, "augassign") /* op=binary operator: [target, value] */                       \
    X(IF, "if")                /* [cond, BLOCK then, BLOCK else?] (elif: else holds one IF) */ \
    X(WHILE, "while")          /* [cond, BLOCK body] */                                        \
    X(FOR, "for")              /* [target, iterable, BLOCK body] */                            \
    X(BREAK, "break")                                                                          \
    X(CONTINUE, "continue")                                                                    \
    X(PASS, "pass")                                                                            \
    X(RETURN, "return")        /* [value?] */                                                  \
    X(RAISE, "raise")          /* [exception?, cause?] */                                      \
    X(ASSERT, "assert")        /* [cond, message?] */                                          \
    X(DEL, "del")              /* targets... */                                                \
    X(WITH, "with")            /* [WITH_ITEM..., BLOCK body] */                                \
    X(WITH_ITEM, "withitem")   /* [context, target?] */                                        \
    /* ---- expressions ---- */                                                                \
    X(NAME, "name")            /* str */                                                       \
    X(INT, "int")              /* ival */                                                      \
    X(FLOAT, "float")          /* fval */                                                      \
    X(IMAG, "imaginary")       /* fval: the literal 2.5j is IMAG 2.5 */                        \
    X(STR, "str")              /* str, len (adjacent literals joined) */                       \
    X(TRUE, "True")                                                                            \
    X(FALSE, "False")                                                                          \
    X(NONE, "None")                                                                            \
    X(ELLIPSIS, "...")                                                                         \
    X(BINOP, "binop")          /* op: [left, right] */                                         \
    X(UNARY, "unary")          /* op = PLUS / MINUS / TILDE: [operand] */                      \
    X(NOT, "not")              /* [operand] */                                                 \
    X(AND, "and")              /* [left, right] */                                             \
    X(OR, "or")                /* [left, right] */                                             \
    X(COMPARE, "compare")      /* [operand0, operand1, ...], ops[i] between i and i+1 */       \
    X(IFEXP, "ifexp")          /* [cond, then, else] */                                        \
    X(CALL, "call")            /* [callee, arg..., KWARG...] */                                \
    X(KWARG, "kwarg")          /* str=name: [value] */                                         \
    X(ATTR, "attr")            /* str=name: [object] */                                        \
    X(SUBSCRIPT, "subscript")  /* [object, index...] (a[i, j] has two indices) */              \
    X(SLICE, "slice")          /* [start?, stop?, step?] */                                    \
    X(STARRED, "starred")      /* [operand] */                                                 \
    X(TUPLE, "tuple")          /* elements... */                                               \
    X(LIST, "list")            /* elements... */                                               \
    X(DICT, "dict")            /* key0, value0, key1, value1... */                             \
    X(LISTCOMP, "listcomp")    /* [element, target, iterable] */                               \
    X(DICTCOMP, "dictcomp")    /* [key, value, target, iterable] */

typedef enum PtsAstKind {
#define X(ID, name) PTS_AST_##ID,
    PTS_AST_KINDS(X)
#undef X
    PTS_AST__COUNT
} PtsAstKind;

typedef struct PtsAst {
    uint8_t kind;                /* PtsAstKind */
    uint16_t op;                 /* operator token kind (BINOP, UNARY, AUG_ASSIGN, PARAM) */
    int line, col;               /* first character */
    int end_line, end_col;       /* one past the last character */
    const char *str;             /* names, string literal bytes (arena) */
    size_t len;                  /* STR: bytes in str */
    int64_t ival;                /* INT */
    double fval;                 /* FLOAT */
    int n;                       /* children */
    struct PtsAst **kids;        /* arena array of n children (entries may be NULL) */
    uint16_t *ops;               /* COMPARE: n-1 operator token kinds */
    const char *type_comment;    /* DEF: a `# type:` signature comment, kept for later */
} PtsAst;

PTS_INTERNAL const char *pts_ast_kind_name(int kind);

#endif
