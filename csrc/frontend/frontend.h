/* frontend.h: the TorchScript compiler front end. Source text -> tokens (lexer.c, tokens.def) ->
 * arena AST (parser.c, ast.h) -> typed SSA IR graph (emit.c). Tokens and AST live in one PtsArena
 * that dies after lowering. The layer holds no Python: names that the source does not define
 * (globals, modules, methods of the class being compiled) resolve through PtsResolver, which the
 * Python binding implements over a function's globals and the archive loader over its namespaces.
 * Every failure is a PtsError (PTS_ERR_SYNTAX from lexer/parser, PTS_ERR_COMPILE from the
 * emitter) whose message ends with the file, line, column, the source line and a caret. */
#ifndef PTS_FRONTEND_H
#define PTS_FRONTEND_H

#include "../ir/ir.h"

/* ---- limits ---- */
#define PTS_MAX_SOURCE_BYTES (16 << 20)  /* one compiled source text */
#define PTS_MAX_TOKEN_BYTES  (1 << 20)   /* one token (identifier, number or string literal) */
#define PTS_MAX_INDENT_DEPTH 100         /* nested indented blocks, as CPython */
#define PTS_MAX_PARSE_DEPTH  200         /* nested expressions/statements in the parser */
#define PTS_MAX_CALL_ARGS    64          /* positional + keyword arguments of one call */
#define PTS_MAX_COMPILE_NEST 32          /* methods compiled on demand from one another */

/* ================= arena ================= */
typedef struct PtsArenaChunk {
    struct PtsArenaChunk *next;  /* older chunk */
    size_t used, cap;            /* bytes handed out / available in data */
    char data[];
} PtsArenaChunk;

typedef struct PtsArena {
    PtsArenaChunk *head;         /* newest chunk, allocation happens here */
} PtsArena;

PTS_INTERNAL void pts_arena_init(PtsArena *a);
/* n zeroed bytes aligned to 16, NULL on out-of-memory or overflow. */
PTS_INTERNAL void *pts_arena_alloc(PtsArena *a, size_t n);
/* NUL-terminated copy of s[0..n), NULL on out-of-memory. */
PTS_INTERNAL char *pts_arena_strndup(PtsArena *a, const char *s, size_t n);
PTS_INTERNAL void pts_arena_free(PtsArena *a);

/* ================= source and diagnostics ================= */
typedef struct PtsSource {
    const char *text;            /* borrowed; may contain NUL bytes */
    size_t len;                  /* bytes in text */
    const char *file;            /* borrowed file name for messages ("<string>" when NULL) */
    int line_offset;             /* added to every line number (source taken from a file) */
} PtsSource;

/* Fail with code and a message followed by the location block:
 *   <message>
 *     File "<file>", line L, column C
 *       <source line>
 *       <spaces>^^^
 * line/col are 1-based and already include line_offset; the caret spans to end_col (exclusive)
 * when the range ends on the same line, else to the end of the line. Returns code. */
PTS_INTERNAL PtsStatus pts_src_fail(PtsError *err, const PtsSource *src, PtsStatus code, int line,
                                    int col, int end_line, int end_col, const char *fmt, ...)
    PTS_PRINTF(8, 9);

/* UTF-8 safe truncation for messages: the largest n' <= n not splitting a character of s, and
 * removal of an incomplete character at the end of s. */
PTS_INTERNAL size_t pts_utf8_cut(const char *s, size_t n);
PTS_INTERNAL void pts_utf8_trim(char *s);

/* ================= tokens ================= */
typedef enum PtsTokKind {
#define PTS_TOK(ID, text) PTS_TK_##ID,
#define PTS_KW(ID, text) PTS_TK_##ID,
#define PTS_PUNCT(ID, text) PTS_TK_##ID,
#include "tokens.def"
#undef PTS_TOK
#undef PTS_KW
#undef PTS_PUNCT
    PTS_TK__COUNT
} PtsTokKind;

enum {
    PTS_STRF_RAW = 1,            /* r'' : escapes kept */
    PTS_STRF_BYTES = 2,          /* b'' : not supported by TorchScript */
    PTS_STRF_FSTRING = 4,        /* f'' : not lowered yet */
};

typedef struct PtsToken {
    uint16_t kind;               /* PtsTokKind */
    uint8_t flags;               /* PTS_STRF_* for strings */
    int line, col;               /* first byte, 1-based, line includes line_offset */
    int end_line, end_col;       /* one past the last byte */
    const char *start;           /* raw text in the source */
    size_t len;                  /* raw length */
    const char *str;             /* NAME: identifier; STRING: decoded bytes; TYPE_COMMENT: text
                                  * after "type:" (arena, NUL-terminated) */
    size_t str_len;              /* decoded length of str */
    int64_t ival;                /* INT */
    double fval;                 /* FLOAT, IMAG */
} PtsToken;

PTS_INTERNAL const char *pts_tok_name(int kind);   /* "'return'", "'('", "end of line" */

/* Tokenize src into an arena array ending with one EOF token. Errors are PTS_ERR_SYNTAX. */
PTS_INTERNAL PtsStatus pts_lex(const PtsSource *src, PtsArena *a, PtsError *err, PtsToken **toks,
                               int *ntoks);

/* ================= parser ================= */
struct PtsAst;
/* Parse a whole source (a module body: defs, classes, statements) into a BLOCK node. */
PTS_INTERNAL PtsStatus pts_parse(const PtsSource *src, PtsArena *a, PtsError *err, struct PtsAst **out);
/* The AST as an S-expression, for tests (owned string). */
PTS_INTERNAL char *pts_ast_dump(const struct PtsAst *n);

/* ================= name resolution ================= */
typedef enum PtsResolvedKind {
    PTS_RES_UNKNOWN,             /* not defined */
    PTS_RES_NAMESPACE,           /* a module: ns holds its canonical path ("torch", "math") */
    PTS_RES_VALUE,               /* a constant (int, float, bool, str, None) in value */
    PTS_RES_BUILTIN,             /* a Python builtin (range, len, int...): ns holds its name */
    PTS_RES_OTHER,               /* defined, but not usable in TorchScript: ns names its type */
    PTS_RES_FUNCTION,            /* a compiled function: fn (calls become prim::CallFunction) */
    PTS_RES_CLASS,               /* a script class or NamedTuple: type (pts_type_of_class) */
    PTS_RES_OP,                  /* a registry function under another name (F.gelu is aten::gelu): ns */
} PtsResolvedKind;

typedef struct PtsResolved {
    int kind;                    /* PtsResolvedKind */
    char ns[128];                /* see kinds */
    PtsValue value;              /* PTS_RES_VALUE: owned by the receiver */
    struct PtsFunction *fn;      /* PTS_RES_FUNCTION: borrowed; the resolver keeps it alive while
                                  * the compile runs, calls to it take their own reference */
    PtsType *type;               /* PTS_RES_CLASS: owned by the receiver */
} PtsResolved;

/* A method's source, handed over by the resolver; text and file are owned (pts_malloc) and freed
 * by the compiler. */
typedef struct PtsOwnedSource {
    char *text;
    size_t len;
    char *file;
    int line_offset;
} PtsOwnedSource;

typedef struct PtsResolver {
    void *ctx;
    /* What a global (or dotted: "torch.float32") name refers to. Must set out->kind. */
    PtsStatus (*global)(void *ctx, const char *name, PtsResolved *out, PtsError *err);
    /* Source of method `name` of the class being compiled; leaves out->text NULL when there is
     * none. May be NULL. */
    PtsStatus (*method)(void *ctx, const char *name, PtsOwnedSource *out, PtsError *err);
    /* the code is an archive's (printed by a compiler, not written by a user): where torch's
     * printer writes code that torch cannot compile again, pyts compiles it */
    bool archive;
} PtsResolver;

/* ================= compiling ================= */
/* Compile the one `def` in src as method of cls (its first parameter is self) and add it to cls;
 * methods it calls on self that cls lacks are fetched through resolver->method and compiled
 * first. *out gets a new reference (may be NULL when not wanted). */
PTS_INTERNAL PtsStatus pts_compile_method(PtsClassType *cls, const PtsSource *src, const PtsResolver *r,
                                          PtsError *err, PtsFunction **out);
/* The same, compiling the def under `name` when not NULL: a property's getter/setter (`def x`
 * becomes `__x_getter` as TorchScript names it). */
PTS_INTERNAL PtsStatus pts_compile_method_named(PtsClassType *cls, const PtsSource *src, const char *name,
                                                const PtsResolver *r, PtsError *err, PtsFunction **out);
/* Parse src as one type annotation ("List[Point]") and resolve it as method annotations are
 * (names the source does not define go through r). *out is owned. For the fields of NamedTuples
 * declared in Python. */
PTS_INTERNAL PtsStatus pts_compile_type(const PtsSource *src, const PtsResolver *r, PtsError *err, PtsType **out);
/* Compile the one `def` in src as a free function. */
PTS_INTERNAL PtsStatus pts_compile_function(const PtsSource *src, const PtsResolver *r, PtsError *err,
                                            PtsFunction **out);

#endif
