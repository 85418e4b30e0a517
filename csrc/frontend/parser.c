/* parser.c: tokens -> arena AST by recursive descent over Python's grammar, restricted to what
 * TorchScript accepts (jit_language_reference section "Statements"/"Expressions"). Each parse
 * function carries its grammar rule. Constructs Python has but TorchScript rejects (lambda, try,
 * global, yield, set literals, generator expressions...) are parsed far enough to name them in a
 * PTS_ERR_SYNTAX error. Nesting is bounded by PTS_MAX_PARSE_DEPTH; errors never crash, they stop
 * the parse at the first problem. */
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"

static const char *const ast_names[] = {
#define X(ID, name) name,
    PTS_AST_KINDS(X)
#undef X
};

const char *pts_ast_kind_name(int kind) { return kind >= 0 && kind < PTS_AST__COUNT ? ast_names[kind] : "?"; }

typedef struct Parser {
    const PtsSource *src;
    PtsToken *toks;              /* tokens without TYPE_COMMENT, ending with EOF */
    const char **tc_before;      /* per token: the type comment just before it, or NULL */
    int ntoks, pos;
    PtsArena *a;
    PtsError *err;
    int depth;                   /* current nesting, bounded by PTS_MAX_PARSE_DEPTH */
} Parser;

/* {==================== helpers ==================== */
static PtsToken *peek(Parser *P) { return &P->toks[P->pos]; }
static PtsToken *peek2(Parser *P) { return &P->toks[P->pos + 1 < P->ntoks ? P->pos + 1 : P->pos]; }
static int kind(Parser *P) { return P->toks[P->pos].kind; }
static PtsToken *advance(Parser *P) {
    PtsToken *t = &P->toks[P->pos];
    if (P->pos < P->ntoks - 1) P->pos++;
    return t;
}
static bool accept(Parser *P, int k) {
    if (kind(P) != k) return false;
    advance(P);
    return true;
}
static PtsToken *prev(Parser *P) { return &P->toks[P->pos > 0 ? P->pos - 1 : 0]; }

/* description of a token for "but found ..." */
static void describe(const PtsToken *t, char *buf, size_t n) {
    switch (t->kind) {
    case PTS_TK_NAME: case PTS_TK_INT: case PTS_TK_FLOAT: case PTS_TK_IMAG: {
        int len = (int)(t->len > 40 ? pts_utf8_cut(t->start, 40) : t->len);
        snprintf(buf, n, "'%.*s%s'", len, t->start, t->len > 40 ? "..." : "");
        break;
    }
    default: snprintf(buf, n, "%s", pts_tok_name(t->kind));
    }
}

static void *perr_at(Parser *P, const PtsToken *t, const char *fmt, ...) PTS_PRINTF(3, 4);
static void *perr_at(Parser *P, const PtsToken *t, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pts_utf8_trim(msg);
    pts_src_fail(P->err, P->src, PTS_ERR_SYNTAX, t->line, t->col, t->end_line, t->end_col, "%s", msg);
    return NULL;
}

/* "expected X but found Y" at the current token */
static void *expected(Parser *P, const char *what) {
    char f[64];
    describe(peek(P), f, sizeof f);
    return perr_at(P, peek(P), "expected %s but found %s", what, f);
}

static bool expect(Parser *P, int k) {
    if (accept(P, k)) return true;
    expected(P, pts_tok_name(k));
    return false;
}

/* a closing bracket, naming the opener when it is missing */
static bool expect_close(Parser *P, int close, const PtsToken *open) {
    if (accept(P, close)) return true;
    char f[64];
    describe(peek(P), f, sizeof f);
    perr_at(P, peek(P), "expected %s to close %s at %d:%d but found %s", pts_tok_name(close),
            pts_tok_name(open->kind), open->line, open->col, f);
    return false;
}

static bool enter(Parser *P) {
    if (++P->depth > PTS_MAX_PARSE_DEPTH) {
        perr_at(P, peek(P), "source nested too deeply (limit %d)", PTS_MAX_PARSE_DEPTH);
        return false;
    }
    return true;
}
static void leave(Parser *P) { P->depth--; }

static PtsAst *node_at(Parser *P, int k, const PtsToken *t) {
    PtsAst *n = pts_arena_alloc(P->a, sizeof *n);
    if (!n) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    n->kind = (uint8_t)k;
    n->line = t->line;
    n->col = t->col;
    n->end_line = t->end_line;
    n->end_col = t->end_col;
    return n;
}

/* node starting where `first` starts */
static PtsAst *node_from(Parser *P, int k, const PtsAst *first) {
    PtsAst *n = pts_arena_alloc(P->a, sizeof *n);
    if (!n) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    n->kind = (uint8_t)k;
    n->line = first->line;
    n->col = first->col;
    n->end_line = first->end_line;
    n->end_col = first->end_col;
    return n;
}

/* the node ends where the last consumed token ends */
static PtsAst *finish(Parser *P, PtsAst *n) {
    const PtsToken *t = prev(P);
    if (t->end_line > n->end_line || (t->end_line == n->end_line && t->end_col > n->end_col)) {
        n->end_line = t->end_line;
        n->end_col = t->end_col;
    }
    return n;
}

/* append a child (arena arrays double; the old array stays in the arena) */
static bool add(Parser *P, PtsAst *n, PtsAst *kid) {
    if ((n->n & (n->n - 1)) == 0) {   /* n is 0 or a power of two: grow */
        int cap = n->n ? n->n * 2 : 2;
        PtsAst **k = pts_arena_alloc(P->a, sizeof *k * (size_t)cap);
        if (!k) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return false; }
        if (n->n) memcpy(k, n->kids, sizeof *k * (size_t)n->n);
        n->kids = k;
    }
    n->kids[n->n++] = kid;
    return true;
}

static PtsAst *unsupported(Parser *P, const PtsToken *t, const char *what) {
    return perr_at(P, t, "%s", what);
}
/* }==================== */

static PtsAst *parse_test(Parser *P);
static PtsAst *parse_expr(Parser *P);
static PtsAst *parse_or_test(Parser *P);
static PtsAst *parse_block(Parser *P, const PtsToken *owner);
static bool parse_stmt(Parser *P, PtsAst *block);

/* {==================== expressions ==================== */

/* comp_for: 'for' exprlist 'in' or_test     (one clause; no 'if' filters) */
static bool parse_comp_for(Parser *P, PtsAst *comp) {
    advance(P);   /* 'for' */
    PtsAst *first = parse_expr(P);
    if (!first) return false;
    PtsAst *target = first;
    if (kind(P) == PTS_TK_COMMA) {
        if (!(target = node_from(P, PTS_AST_TUPLE, first)) || !add(P, target, first)) return false;
        while (accept(P, PTS_TK_COMMA) && kind(P) != PTS_TK_IN) {
            PtsAst *e = parse_expr(P);
            if (!e || !add(P, target, e)) return false;
        }
        finish(P, target);
    }
    if (!expect(P, PTS_TK_IN)) return false;
    PtsAst *it = parse_or_test(P);
    if (!it || !add(P, comp, target) || !add(P, comp, it)) return false;
    if (kind(P) == PTS_TK_IF) { unsupported(P, peek(P), "Comprehension ifs are not supported yet"); return false; }
    if (kind(P) == PTS_TK_FOR) {
        unsupported(P, peek(P), "only one 'for' clause per comprehension is supported in TorchScript");
        return false;
    }
    return true;
}

/* {==== f-strings ====
 * f"a{x}b{y}" is lowered as TorchScript does, to "a{}b{}".format(x, y): the literal parts become a
 * format string (braces of plain literals doubled), each replacement field is parsed as an
 * expression from its own text. Conversions (!r), format specs (:.2f) and f"{x=}" are rejected. */
static PtsAst *fstring_expr(Parser *P, const PtsToken *t, const char *text, size_t len) {
    PtsSource sub = { text, len, P->src->file, t->line - 1 };
    PtsToken *toks;
    int ntoks;
    if (pts_lex(&sub, P->a, P->err, &toks, &ntoks)) return NULL;
    Parser Q;
    memset(&Q, 0, sizeof Q);
    Q.src = &sub;
    Q.a = P->a;
    Q.err = P->err;
    Q.depth = P->depth;
    Q.toks = pts_arena_alloc(P->a, sizeof(PtsToken) * (size_t)ntoks);
    Q.tc_before = pts_arena_alloc(P->a, sizeof(char *) * (size_t)ntoks);
    if (!Q.toks || !Q.tc_before) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    for (int i = 0; i < ntoks; i++)
        if (toks[i].kind != PTS_TK_TYPE_COMMENT) Q.toks[Q.ntoks++] = toks[i];
    while (Q.ntoks > 1 && Q.toks[0].kind == PTS_TK_NEWLINE) { Q.toks++; Q.ntoks--; Q.tc_before++; }
    if (Q.toks[0].kind == PTS_TK_EOF || Q.toks[0].kind == PTS_TK_INDENT)
        return perr_at(P, t, "f-string: empty or indented expression");
    PtsAst *e = parse_test(&Q);
    if (!e) return NULL;
    while (kind(&Q) == PTS_TK_NEWLINE || kind(&Q) == PTS_TK_DEDENT) advance(&Q);
    if (kind(&Q) != PTS_TK_EOF) return perr_at(P, t, "f-string: expected '}' after the expression");
    /* positions inside the literal are approximate: report the string token's */
    e->line = t->line;
    e->col = t->col;
    e->end_line = t->end_line;
    e->end_col = t->end_col;
    return e;
}

/* appends the parts of one f-string token: fmt gets the format text, call the expressions */
static bool fstring_parts(Parser *P, const PtsToken *s, PtsBuf *fmt, PtsAst *call) {
    const char *d = s->str;
    size_t n = s->str_len;
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        if ((c == '{' || c == '}') && i + 1 < n && d[i + 1] == c) {
            pts_buf_putn(fmt, d + i, 2);
            i++;
            continue;
        }
        if (c == '}') { perr_at(P, s, "f-string: single '}' is not allowed"); return false; }
        if (c != '{') { pts_buf_putn(fmt, &c, 1); continue; }
        /* the field runs to the matching '}' outside brackets and quotes */
        size_t j = i + 1;
        int depth = 0;
        char q = 0;
        for (; j < n; j++) {
            char x = d[j];
            if (q) { if (x == q) q = 0; continue; }
            if (x == '\'' || x == '"') q = x;
            else if (x == '(' || x == '[' || x == '{') depth++;
            else if (x == ')' || x == ']' || (x == '}' && depth > 0)) depth--;
            else if (x == '}' && depth == 0) break;
            else if (depth == 0 && (x == '!' || x == ':') && !(x == '!' && j + 1 < n && d[j + 1] == '=')) {
                perr_at(P, s, "Don't support %s in JoinedStr", x == ':' ? "formatting" : "conversion");
                return false;
            }
        }
        if (j >= n) { perr_at(P, s, "f-string: expected '}'"); return false; }
        size_t e = j;
        while (e > i + 1 && (d[e - 1] == ' ' || d[e - 1] == '\t')) e--;
        if (e > i + 1 && d[e - 1] == '=' && !(e > i + 2 && strchr("=!<>", d[e - 2]))) {
            perr_at(P, s, "f-string self-documenting expressions (x=) are not supported in TorchScript");
            return false;
        }
        PtsAst *x = fstring_expr(P, s, d + i + 1, j - i - 1);
        if (!x || !add(P, call, x)) return false;
        pts_buf_puts(fmt, "{}");
        i = j;
    }
    return true;
}

static PtsAst *parse_fstrings(Parser *P) {
    PtsToken *t = peek(P);
    PtsAst *call = node_at(P, PTS_AST_CALL, t), *attr = node_at(P, PTS_AST_ATTR, t), *lit = node_at(P, PTS_AST_STR, t);
    if (!call || !attr || !lit || !add(P, attr, lit) || !add(P, call, attr)) return NULL;
    attr->str = "format";
    PtsBuf fmt;
    pts_buf_init(&fmt);
    while (kind(P) == PTS_TK_STRING) {
        const PtsToken *s = advance(P);
        if (s->flags & PTS_STRF_FSTRING) {
            if (!fstring_parts(P, s, &fmt, call)) { pts_buf_free(&fmt); return NULL; }
            continue;
        }
        for (size_t i = 0; i < s->str_len; i++) {
            pts_buf_putn(&fmt, s->str + i, 1);
            if (s->str[i] == '{' || s->str[i] == '}') pts_buf_putn(&fmt, s->str + i, 1);
        }
    }
    if (fmt.oom || fmt.len > PTS_MAX_TOKEN_BYTES) {
        pts_buf_free(&fmt);
        return fmt.oom ? (pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"), NULL) : unsupported(P, t, "string literal too long");
    }
    lit->str = pts_arena_strndup(P->a, fmt.data ? fmt.data : "", fmt.len);
    lit->len = fmt.len;
    pts_buf_free(&fmt);
    if (!lit->str) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    finish(P, lit);
    finish(P, attr);
    return finish(P, call);
}
/* }==== */

/* string: STRING+   (adjacent literals are joined) */
static PtsAst *parse_strings(Parser *P) {
    PtsToken *t = peek(P);
    PtsAst *n = node_at(P, PTS_AST_STR, t);
    if (!n) return NULL;
    size_t total = 0;
    for (int i = P->pos; i < P->ntoks && P->toks[i].kind == PTS_TK_STRING; i++) {
        const PtsToken *s = &P->toks[i];
        if (s->flags & PTS_STRF_BYTES) return unsupported(P, s, "bytes literals are not supported in TorchScript");
        if (s->flags & PTS_STRF_FSTRING) return parse_fstrings(P);
        total += s->str_len;
        if (total > PTS_MAX_TOKEN_BYTES) return unsupported(P, s, "string literal too long");
    }
    char *buf = pts_arena_alloc(P->a, total + 1);
    if (!buf) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    size_t k = 0;
    while (kind(P) == PTS_TK_STRING) {
        const PtsToken *s = advance(P);
        memcpy(buf + k, s->str, s->str_len);
        k += s->str_len;
    }
    buf[k] = 0;
    n->str = buf;
    n->len = k;
    return finish(P, n);
}

/* the elements after the first of a bracketed display, up to the closer:
 * {',' (test|star_expr)} [','] */
static bool parse_elements(Parser *P, PtsAst *n, int close) {
    while (accept(P, PTS_TK_COMMA)) {
        if (kind(P) == close) break;
        PtsAst *e;
        if (kind(P) == PTS_TK_STAR) {
            PtsToken *st = advance(P);
            PtsAst *x = parse_expr(P);
            if (!x || !(e = node_at(P, PTS_AST_STARRED, st)) || !add(P, e, x)) return false;
            finish(P, e);
        } else if (!(e = parse_test(P))) return false;
        if (!add(P, n, e)) return false;
    }
    return true;
}

/* star_or_test: '*' expr | test */
static PtsAst *parse_star_or_test(Parser *P) {
    if (kind(P) == PTS_TK_STAR) {
        PtsToken *st = advance(P);
        PtsAst *x = parse_expr(P), *e;
        if (!x || !(e = node_at(P, PTS_AST_STARRED, st)) || !add(P, e, x)) return NULL;
        return finish(P, e);
    }
    return parse_test(P);
}

/* atom: '(' [testlist_comp] ')' | '[' [testlist_comp] ']' | '{' [dictmaker] '}'
 *     | NAME | NUMBER | STRING+ | '...' | 'None' | 'True' | 'False' */
static PtsAst *parse_atom(Parser *P) {
    PtsToken *t = peek(P);
    PtsAst *n;
    switch (t->kind) {
    case PTS_TK_NAME:
        advance(P);
        if (!(n = node_at(P, PTS_AST_NAME, t))) return NULL;
        n->str = t->str;
        return n;
    case PTS_TK_INT:
        advance(P);
        if (!(n = node_at(P, PTS_AST_INT, t))) return NULL;
        n->ival = t->ival;
        return n;
    case PTS_TK_FLOAT:
        advance(P);
        if (!(n = node_at(P, PTS_AST_FLOAT, t))) return NULL;
        n->fval = t->fval;
        return n;
    case PTS_TK_IMAG:
        advance(P);
        if (!(n = node_at(P, PTS_AST_IMAG, t))) return NULL;
        n->fval = t->fval;
        return n;
    case PTS_TK_STRING: return parse_strings(P);
    case PTS_TK_NONE: advance(P); return node_at(P, PTS_AST_NONE, t);
    case PTS_TK_TRUE: advance(P); return node_at(P, PTS_AST_TRUE, t);
    case PTS_TK_FALSE: advance(P); return node_at(P, PTS_AST_FALSE, t);
    case PTS_TK_ELLIPSIS: advance(P); return node_at(P, PTS_AST_ELLIPSIS, t);
    case PTS_TK_LPAREN: {
        /* '(' [ (test|star_expr) ( comp_for | {',' (test|star_expr)} [','] ) ] ')' */
        advance(P);
        if (!enter(P)) return NULL;
        if (kind(P) == PTS_TK_RPAREN) {
            advance(P);
            leave(P);
            if (!(n = node_at(P, PTS_AST_TUPLE, t))) return NULL;
            return finish(P, n);
        }
        if (kind(P) == PTS_TK_YIELD) return unsupported(P, peek(P), "yield is not supported in TorchScript");
        PtsAst *first = parse_star_or_test(P);
        if (!first) return NULL;
        if (kind(P) == PTS_TK_FOR) return unsupported(P, peek(P), "generator expressions are not supported in TorchScript");
        if (kind(P) == PTS_TK_COMMA) {
            if (!(n = node_at(P, PTS_AST_TUPLE, t)) || !add(P, n, first) || !parse_elements(P, n, PTS_TK_RPAREN))
                return NULL;
        } else {
            if (first->kind == PTS_AST_STARRED)
                return perr_at(P, t, "cannot use starred expression here");
            n = first;
        }
        if (!expect_close(P, PTS_TK_RPAREN, t)) return NULL;
        leave(P);
        return n->kind == PTS_AST_TUPLE ? finish(P, n) : n;
    }
    case PTS_TK_LBRACKET: {
        /* '[' [ (test|star_expr) ( comp_for | {',' (test|star_expr)} [','] ) ] ']' */
        advance(P);
        if (!enter(P) || !(n = node_at(P, PTS_AST_LIST, t))) return NULL;
        if (kind(P) != PTS_TK_RBRACKET) {
            PtsAst *first = parse_star_or_test(P);
            if (!first || !add(P, n, first)) return NULL;
            if (kind(P) == PTS_TK_FOR) {
                n->kind = PTS_AST_LISTCOMP;
                if (!parse_comp_for(P, n)) return NULL;
            } else if (!parse_elements(P, n, PTS_TK_RBRACKET)) return NULL;
        }
        if (!expect_close(P, PTS_TK_RBRACKET, t)) return NULL;
        leave(P);
        return finish(P, n);
    }
    case PTS_TK_LBRACE: {
        /* '{' [ test ':' test ( comp_for | {',' test ':' test} [','] ) ] '}' */
        advance(P);
        if (!enter(P) || !(n = node_at(P, PTS_AST_DICT, t))) return NULL;
        if (kind(P) != PTS_TK_RBRACE) {
            if (kind(P) == PTS_TK_DSTAR) return unsupported(P, peek(P), "dict unpacking (**) is not supported in TorchScript");
            PtsAst *k = parse_star_or_test(P);
            if (!k) return NULL;
            if (kind(P) != PTS_TK_COLON) return unsupported(P, t, "set literals are not supported in TorchScript");
            advance(P);
            PtsAst *v = parse_test(P);
            if (!v || !add(P, n, k) || !add(P, n, v)) return NULL;
            if (kind(P) == PTS_TK_FOR) {
                n->kind = PTS_AST_DICTCOMP;
                if (!parse_comp_for(P, n)) return NULL;
            } else {
                while (accept(P, PTS_TK_COMMA) && kind(P) != PTS_TK_RBRACE) {
                    if (kind(P) == PTS_TK_DSTAR) return unsupported(P, peek(P), "dict unpacking (**) is not supported in TorchScript");
                    if (!(k = parse_test(P))) return NULL;
                    if (!expect(P, PTS_TK_COLON)) return NULL;
                    if (!(v = parse_test(P)) || !add(P, n, k) || !add(P, n, v)) return NULL;
                }
            }
        }
        if (!expect_close(P, PTS_TK_RBRACE, t)) return NULL;
        leave(P);
        return finish(P, n);
    }
    case PTS_TK_LAMBDA: return unsupported(P, t, "lambda is not supported in TorchScript");
    case PTS_TK_YIELD: return unsupported(P, t, "yield is not supported in TorchScript");
    case PTS_TK_AWAIT: return unsupported(P, t, "await is not supported in TorchScript");
    default: return expected(P, "an expression");
    }
}

/* subscript: test | [test] ':' [test] [':' [test]] */
static PtsAst *parse_subscript(Parser *P) {
    PtsToken *t = peek(P);
    PtsAst *lo = NULL;
    if (kind(P) != PTS_TK_COLON) {
        if (!(lo = parse_test(P))) return NULL;
        if (kind(P) != PTS_TK_COLON) return lo;
    }
    PtsAst *s = lo ? node_from(P, PTS_AST_SLICE, lo) : node_at(P, PTS_AST_SLICE, t);
    if (!s) return NULL;
    advance(P);   /* ':' */
    PtsAst *hi = NULL, *step = NULL;
    if (kind(P) != PTS_TK_COLON && kind(P) != PTS_TK_COMMA && kind(P) != PTS_TK_RBRACKET)
        if (!(hi = parse_test(P))) return NULL;
    if (accept(P, PTS_TK_COLON) && kind(P) != PTS_TK_COMMA && kind(P) != PTS_TK_RBRACKET)
        if (!(step = parse_test(P))) return NULL;
    if (!add(P, s, lo) || !add(P, s, hi) || !add(P, s, step)) return NULL;
    return finish(P, s);
}

/* arglist: argument {',' argument} [',']
 * argument: test | NAME '=' test | '*' test      (keyword arguments after positional ones) */
static bool parse_args(Parser *P, PtsAst *call, const PtsToken *open) {
    bool seen_kw = false;
    while (kind(P) != PTS_TK_RPAREN) {
        PtsToken *t = peek(P);
        PtsAst *a;
        if (t->kind == PTS_TK_NAME && peek2(P)->kind == PTS_TK_ASSIGN) {
            advance(P);
            advance(P);
            PtsAst *v = parse_test(P);
            if (!v || !(a = node_at(P, PTS_AST_KWARG, t)) || !add(P, a, v)) return false;
            a->str = t->str;
            finish(P, a);
            for (int i = 1; i < call->n; i++)
                if (call->kids[i]->kind == PTS_AST_KWARG && strcmp(call->kids[i]->str, t->str) == 0) {
                    perr_at(P, t, "keyword argument repeated: %s", t->str);
                    return false;
                }
            seen_kw = true;
        } else if (t->kind == PTS_TK_DSTAR) {
            unsupported(P, t, "keyword argument unpacking (**) is not supported in TorchScript");
            return false;
        } else {
            if (!(a = parse_star_or_test(P))) return false;
            if (kind(P) == PTS_TK_FOR) {
                unsupported(P, peek(P), "generator expressions are not supported in TorchScript");
                return false;
            }
            if (seen_kw) {
                perr_at(P, t, "positional argument follows keyword argument");
                return false;
            }
        }
        if (call->n > PTS_MAX_CALL_ARGS) {
            perr_at(P, t, "too many arguments in one call (limit %d)", PTS_MAX_CALL_ARGS);
            return false;
        }
        if (!add(P, call, a)) return false;
        if (!accept(P, PTS_TK_COMMA)) break;
    }
    return expect_close(P, PTS_TK_RPAREN, open);
}

/* atom_expr: atom trailer*
 * trailer: '(' [arglist] ')' | '[' subscript {',' subscript} [','] ']' | '.' NAME */
static PtsAst *parse_atom_expr(Parser *P) {
    PtsAst *n = parse_atom(P);
    while (n) {
        PtsToken *t = peek(P);
        if (t->kind == PTS_TK_LPAREN) {
            advance(P);
            PtsAst *c = node_from(P, PTS_AST_CALL, n);
            if (!c || !add(P, c, n) || !enter(P) || !parse_args(P, c, t)) return NULL;
            leave(P);
            n = finish(P, c);
        } else if (t->kind == PTS_TK_LBRACKET) {
            advance(P);
            PtsAst *s = node_from(P, PTS_AST_SUBSCRIPT, n);
            if (!s || !add(P, s, n) || !enter(P)) return NULL;
            do {
                if (kind(P) == PTS_TK_RBRACKET && s->n > 1) break;
                PtsAst *i = parse_subscript(P);
                if (!i || !add(P, s, i)) return NULL;
            } while (accept(P, PTS_TK_COMMA));
            if (!expect_close(P, PTS_TK_RBRACKET, t)) return NULL;
            leave(P);
            n = finish(P, s);
        } else if (t->kind == PTS_TK_DOT) {
            advance(P);
            PtsToken *nm = peek(P);
            if (nm->kind != PTS_TK_NAME) return expected(P, "an attribute name");
            advance(P);
            PtsAst *a = node_from(P, PTS_AST_ATTR, n);
            if (!a || !add(P, a, n)) return NULL;
            a->str = nm->str;
            n = finish(P, a);
        } else break;
    }
    return n;
}

/* power: atom_expr ['**' factor] */
static PtsAst *parse_factor(Parser *P);
static PtsAst *parse_power(Parser *P) {
    if (kind(P) == PTS_TK_AWAIT) return unsupported(P, peek(P), "await is not supported in TorchScript");
    PtsAst *base = parse_atom_expr(P);
    if (!base || kind(P) != PTS_TK_DSTAR) return base;
    PtsToken *op = advance(P);
    if (!enter(P)) return NULL;
    PtsAst *e = parse_factor(P), *n;
    leave(P);
    if (!e || !(n = node_from(P, PTS_AST_BINOP, base)) || !add(P, n, base) || !add(P, n, e)) return NULL;
    n->op = op->kind;
    return finish(P, n);
}

/* factor: ('+'|'-'|'~') factor | power */
static PtsAst *parse_factor(Parser *P) {
    int k = kind(P);
    if (k != PTS_TK_PLUS && k != PTS_TK_MINUS && k != PTS_TK_TILDE) return parse_power(P);
    PtsToken *op = advance(P);
    if (!enter(P)) return NULL;
    PtsAst *x = parse_factor(P), *n;
    leave(P);
    if (!x || !(n = node_at(P, PTS_AST_UNARY, op)) || !add(P, n, x)) return NULL;
    n->op = op->kind;
    return finish(P, n);
}

/* Left-associative binary levels, from loosest to tightest:
 * expr: xor_expr {'|' xor_expr}        xor_expr: and_expr {'^' and_expr}
 * and_expr: shift_expr {'&' ...}       shift_expr: arith_expr {('<<'|'>>') ...}
 * arith_expr: term {('+'|'-') term}    term: factor {('*'|'@'|'/'|'%'|'//') factor} */
static const int level_ops[][5] = {
    { PTS_TK_PIPE, -1 },
    { PTS_TK_CARET, -1 },
    { PTS_TK_AMP, -1 },
    { PTS_TK_LSHIFT, PTS_TK_RSHIFT, -1 },
    { PTS_TK_PLUS, PTS_TK_MINUS, -1 },
    { PTS_TK_STAR, PTS_TK_AT, PTS_TK_SLASH, PTS_TK_PERCENT, PTS_TK_DSLASH },
};
#define NLEVELS ((int)(sizeof level_ops / sizeof level_ops[0]))

static bool is_level_op(int level, int k) {
    for (int i = 0; i < 5 && level_ops[level][i] >= 0; i++)
        if (level_ops[level][i] == k) return true;
    return false;
}

static PtsAst *parse_level(Parser *P, int level) {
    if (level == NLEVELS) return parse_factor(P);
    PtsAst *l = parse_level(P, level + 1);
    while (l && is_level_op(level, kind(P))) {
        PtsToken *op = advance(P);
        PtsAst *r = parse_level(P, level + 1), *n;
        if (!r || !(n = node_from(P, PTS_AST_BINOP, l)) || !add(P, n, l) || !add(P, n, r)) return NULL;
        n->op = op->kind;
        l = finish(P, n);
    }
    return l;
}

static PtsAst *parse_expr(Parser *P) {
    if (!enter(P)) return NULL;
    PtsAst *n = parse_level(P, 0);
    leave(P);
    return n;
}

/* comparison: expr {comp_op expr}
 * comp_op: '<' | '>' | '==' | '>=' | '<=' | '!=' | 'in' | 'not' 'in' | 'is' | 'is' 'not' */
static int comp_op(Parser *P) {
    switch (kind(P)) {
    case PTS_TK_LT: case PTS_TK_GT: case PTS_TK_EQ: case PTS_TK_GE: case PTS_TK_LE: case PTS_TK_NE:
    case PTS_TK_IN: return kind(P);
    case PTS_TK_IS: return peek2(P)->kind == PTS_TK_NOT ? PTS_TK_IS_NOT : PTS_TK_IS;
    case PTS_TK_NOT: return peek2(P)->kind == PTS_TK_IN ? PTS_TK_NOT_IN : -1;
    default: return -1;
    }
}

static PtsAst *parse_comparison(Parser *P) {
    PtsAst *first = parse_expr(P);
    if (!first || comp_op(P) < 0) return first;
    PtsAst *n = node_from(P, PTS_AST_COMPARE, first);
    if (!n || !add(P, n, first)) return NULL;
    uint16_t ops[PTS_MAX_PARSE_DEPTH];
    int nops = 0;
    int op;
    while ((op = comp_op(P)) >= 0) {
        advance(P);
        if (op == PTS_TK_IS_NOT || op == PTS_TK_NOT_IN) advance(P);
        if (nops == PTS_MAX_PARSE_DEPTH) return perr_at(P, peek(P), "comparison chain too long");
        ops[nops++] = (uint16_t)op;
        PtsAst *r = parse_expr(P);
        if (!r || !add(P, n, r)) return NULL;
    }
    n->ops = pts_arena_alloc(P->a, sizeof(uint16_t) * (size_t)nops);
    if (!n->ops) { pts_fail(P->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
    memcpy(n->ops, ops, sizeof(uint16_t) * (size_t)nops);
    return finish(P, n);
}

/* not_test: 'not' not_test | comparison */
static PtsAst *parse_not_test(Parser *P) {
    if (kind(P) != PTS_TK_NOT) return parse_comparison(P);
    PtsToken *t = advance(P);
    if (!enter(P)) return NULL;
    PtsAst *x = parse_not_test(P), *n;
    leave(P);
    if (!x || !(n = node_at(P, PTS_AST_NOT, t)) || !add(P, n, x)) return NULL;
    return finish(P, n);
}

/* and_test: not_test {'and' not_test} */
static PtsAst *parse_and_test(Parser *P) {
    PtsAst *l = parse_not_test(P);
    while (l && kind(P) == PTS_TK_AND) {
        advance(P);
        PtsAst *r = parse_not_test(P), *n;
        if (!r || !(n = node_from(P, PTS_AST_AND, l)) || !add(P, n, l) || !add(P, n, r)) return NULL;
        l = finish(P, n);
    }
    return l;
}

/* or_test: and_test {'or' and_test} */
static PtsAst *parse_or_test(Parser *P) {
    PtsAst *l = parse_and_test(P);
    while (l && kind(P) == PTS_TK_OR) {
        advance(P);
        PtsAst *r = parse_and_test(P), *n;
        if (!r || !(n = node_from(P, PTS_AST_OR, l)) || !add(P, n, l) || !add(P, n, r)) return NULL;
        l = finish(P, n);
    }
    return l;
}

/* test: or_test ['if' or_test 'else' test] | lambdef (rejected) */
static PtsAst *parse_test(Parser *P) {
    if (kind(P) == PTS_TK_LAMBDA) return unsupported(P, peek(P), "lambda is not supported in TorchScript");
    if (!enter(P)) return NULL;
    PtsAst *x = parse_or_test(P);
    if (x && kind(P) == PTS_TK_IF) {
        advance(P);
        PtsAst *c = parse_or_test(P), *e, *n;
        if (!c || !expect(P, PTS_TK_ELSE) || !(e = parse_test(P))) return NULL;
        if (!(n = node_from(P, PTS_AST_IFEXP, x)) || !add(P, n, c) || !add(P, n, x) || !add(P, n, e)) return NULL;
        x = finish(P, n);
    }
    if (x && kind(P) == PTS_TK_WALRUS) return unsupported(P, peek(P), "assignment expressions (:=) are not supported in TorchScript");
    leave(P);
    return x;
}

/* testlist_star_expr: (test|star_expr) {',' (test|star_expr)} [',']   (a tuple when a comma
 * appears). The list ends before any of: '=' ':' augassign NEWLINE ';' ')' and keywords. */
static bool ends_testlist(int k) {
    switch (k) {
    case PTS_TK_NEWLINE: case PTS_TK_SEMI: case PTS_TK_ASSIGN: case PTS_TK_COLON: case PTS_TK_RPAREN:
    case PTS_TK_EOF: case PTS_TK_IN: case PTS_TK_RBRACKET: case PTS_TK_RBRACE:
        return true;
    default:
        return k >= PTS_TK_PLUS_EQ && k <= PTS_TK_AT_EQ;
    }
}

static PtsAst *parse_testlist(Parser *P, bool star, bool exprs_only) {
    PtsAst *first = exprs_only ? (kind(P) == PTS_TK_STAR ? parse_star_or_test(P) : parse_expr(P))
                    : star ? parse_star_or_test(P) : parse_test(P);
    if (!first || kind(P) != PTS_TK_COMMA) return first;
    PtsAst *n = node_from(P, PTS_AST_TUPLE, first);
    if (!n || !add(P, n, first)) return NULL;
    while (accept(P, PTS_TK_COMMA) && !ends_testlist(kind(P))) {
        PtsAst *e = exprs_only ? (kind(P) == PTS_TK_STAR ? parse_star_or_test(P) : parse_expr(P))
                    : star ? parse_star_or_test(P) : parse_test(P);
        if (!e || !add(P, n, e)) return NULL;
    }
    return finish(P, n);
}
/* }==================== */

/* {==================== statements ==================== */

/* an assignment target: NAME, attribute, subscript, or a tuple/list/starred of targets */
static bool check_target(Parser *P, const PtsAst *t, bool aug) {
    const char *what = NULL;
    switch (t->kind) {
    case PTS_AST_NAME: case PTS_AST_ATTR: case PTS_AST_SUBSCRIPT: return true;
    case PTS_AST_TUPLE: case PTS_AST_LIST:
        if (aug) { what = "tuple"; break; }
        for (int i = 0; i < t->n; i++) if (!check_target(P, t->kids[i], false)) return false;
        return true;
    case PTS_AST_STARRED:
        if (aug) { what = "starred"; break; }
        return check_target(P, t->kids[0], false);
    case PTS_AST_CALL: what = "function call"; break;
    case PTS_AST_INT: case PTS_AST_FLOAT: case PTS_AST_IMAG: case PTS_AST_STR: case PTS_AST_TRUE: case PTS_AST_FALSE:
    case PTS_AST_NONE: case PTS_AST_ELLIPSIS: what = "literal"; break;
    default: what = "expression"; break;
    }
    PtsToken fake = { 0 };
    fake.line = t->line;
    fake.col = t->col;
    fake.end_line = t->end_line;
    fake.end_col = t->end_col;
    perr_at(P, &fake, "cannot assign to %s%s", what, aug ? " with an augmented assignment" : "");
    return false;
}

/* expr_stmt: testlist_star_expr ( ':' test ['=' testlist_star_expr]
 *                               | augassign testlist
 *                               | {'=' testlist_star_expr} ) */
static PtsAst *parse_expr_stmt(Parser *P) {
    PtsAst *first = parse_testlist(P, true, false);
    if (!first) return NULL;
    int k = kind(P);
    if (k == PTS_TK_COLON) {
        advance(P);
        if (first->kind != PTS_AST_NAME && first->kind != PTS_AST_ATTR && first->kind != PTS_AST_SUBSCRIPT) {
            PtsToken fake = { 0 };
            fake.line = first->line, fake.col = first->col, fake.end_line = first->end_line, fake.end_col = first->end_col;
            return perr_at(P, &fake, "only a single name can be annotated");
        }
        PtsAst *ann = parse_test(P), *v = NULL, *n;
        if (!ann) return NULL;
        if (accept(P, PTS_TK_ASSIGN) && !(v = parse_testlist(P, true, false))) return NULL;
        if (!(n = node_from(P, PTS_AST_ANN_ASSIGN, first)) || !add(P, n, first) || !add(P, n, ann) || !add(P, n, v))
            return NULL;
        return finish(P, n);
    }
    if (k >= PTS_TK_PLUS_EQ && k <= PTS_TK_AT_EQ) {
        PtsToken *op = advance(P);
        if (!check_target(P, first, true)) return NULL;
        if (kind(P) == PTS_TK_YIELD) return unsupported(P, peek(P), "yield is not supported in TorchScript");
        PtsAst *v = parse_testlist(P, false, false), *n;
        if (!v || !(n = node_from(P, PTS_AST_AUG_ASSIGN, first)) || !add(P, n, first) || !add(P, n, v)) return NULL;
        /* the binary operator of the augmented one ('+=' -> '+') */
        static const int base[][2] = {
            { PTS_TK_PLUS_EQ, PTS_TK_PLUS }, { PTS_TK_MINUS_EQ, PTS_TK_MINUS }, { PTS_TK_STAR_EQ, PTS_TK_STAR },
            { PTS_TK_SLASH_EQ, PTS_TK_SLASH }, { PTS_TK_DSLASH_EQ, PTS_TK_DSLASH }, { PTS_TK_PERCENT_EQ, PTS_TK_PERCENT },
            { PTS_TK_DSTAR_EQ, PTS_TK_DSTAR }, { PTS_TK_LSHIFT_EQ, PTS_TK_LSHIFT }, { PTS_TK_RSHIFT_EQ, PTS_TK_RSHIFT },
            { PTS_TK_AMP_EQ, PTS_TK_AMP }, { PTS_TK_PIPE_EQ, PTS_TK_PIPE }, { PTS_TK_CARET_EQ, PTS_TK_CARET },
            { PTS_TK_AT_EQ, PTS_TK_AT },
        };
        for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
            if (base[i][0] == op->kind) n->op = (uint16_t)base[i][1];
        return finish(P, n);
    }
    if (k != PTS_TK_ASSIGN) {
        PtsAst *n = node_from(P, PTS_AST_EXPR_STMT, first);
        if (!n || !add(P, n, first)) return NULL;
        return finish(P, n);
    }
    PtsAst *n = node_from(P, PTS_AST_ASSIGN, first);
    if (!n || !add(P, n, first)) return NULL;
    while (accept(P, PTS_TK_ASSIGN)) {
        if (kind(P) == PTS_TK_YIELD) return unsupported(P, peek(P), "yield is not supported in TorchScript");
        PtsAst *v = parse_testlist(P, true, false);
        if (!v || !add(P, n, v)) return NULL;
    }
    for (int i = 0; i < n->n - 1; i++)
        if (!check_target(P, n->kids[i], false)) return NULL;
    return finish(P, n);
}

/* small_stmt: pass | break | continue | return [testlist_star_expr] | raise [test ['from' test]]
 *           | assert test [',' test] | del exprlist | expr_stmt
 *           (global, nonlocal, import, yield are rejected) */
static PtsAst *parse_small_stmt(Parser *P) {
    PtsToken *t = peek(P);
    PtsAst *n, *x;
    switch (t->kind) {
    case PTS_TK_PASS: advance(P); return node_at(P, PTS_AST_PASS, t);
    case PTS_TK_BREAK: advance(P); return node_at(P, PTS_AST_BREAK, t);
    case PTS_TK_CONTINUE: advance(P); return node_at(P, PTS_AST_CONTINUE, t);
    case PTS_TK_RETURN:
        advance(P);
        if (!(n = node_at(P, PTS_AST_RETURN, t))) return NULL;
        if (kind(P) != PTS_TK_NEWLINE && kind(P) != PTS_TK_SEMI && kind(P) != PTS_TK_EOF) {
            if (!(x = parse_testlist(P, true, false)) || !add(P, n, x)) return NULL;
        } else if (!add(P, n, NULL)) return NULL;
        return finish(P, n);
    case PTS_TK_RAISE: {
        advance(P);
        if (!(n = node_at(P, PTS_AST_RAISE, t))) return NULL;
        PtsAst *e = NULL, *c = NULL;
        if (kind(P) != PTS_TK_NEWLINE && kind(P) != PTS_TK_SEMI && kind(P) != PTS_TK_EOF) {
            if (!(e = parse_test(P))) return NULL;
            if (accept(P, PTS_TK_FROM) && !(c = parse_test(P))) return NULL;
        }
        if (!add(P, n, e) || !add(P, n, c)) return NULL;
        return finish(P, n);
    }
    case PTS_TK_ASSERT: {
        advance(P);
        PtsAst *c = parse_test(P), *m = NULL;
        if (!c) return NULL;
        if (accept(P, PTS_TK_COMMA) && !(m = parse_test(P))) return NULL;
        if (!(n = node_at(P, PTS_AST_ASSERT, t)) || !add(P, n, c) || !add(P, n, m)) return NULL;
        return finish(P, n);
    }
    case PTS_TK_DEL: {
        advance(P);
        if (!(n = node_at(P, PTS_AST_DEL, t))) return NULL;
        do {
            if (ends_testlist(kind(P)) && n->n) break;
            if (!(x = parse_expr(P)) || !add(P, n, x)) return NULL;
            if (x->kind != PTS_AST_NAME && x->kind != PTS_AST_SUBSCRIPT && x->kind != PTS_AST_ATTR)
                return perr_at(P, t, "cannot delete %s", pts_ast_kind_name(x->kind));
        } while (accept(P, PTS_TK_COMMA));
        return finish(P, n);
    }
    case PTS_TK_GLOBAL: return unsupported(P, t, "global statements are not supported in TorchScript");
    case PTS_TK_NONLOCAL: return unsupported(P, t, "nonlocal statements are not supported in TorchScript");
    case PTS_TK_IMPORT: case PTS_TK_FROM: return unsupported(P, t, "import statements are not supported in TorchScript");
    case PTS_TK_YIELD: return unsupported(P, t, "yield is not supported in TorchScript");
    case PTS_TK_INDENT: return perr_at(P, t, "unexpected indent");
    default: return parse_expr_stmt(P);
    }
}

/* simple_stmts: small_stmt {';' small_stmt} [';'] NEWLINE */
static bool parse_simple_stmts(Parser *P, PtsAst *block) {
    for (;;) {
        PtsAst *s = parse_small_stmt(P);
        if (!s || !add(P, block, s)) return false;
        if (!accept(P, PTS_TK_SEMI)) break;
        if (kind(P) == PTS_TK_NEWLINE || kind(P) == PTS_TK_EOF) break;
    }
    if (kind(P) == PTS_TK_EOF) return true;
    if (kind(P) != PTS_TK_NEWLINE) {
        expected(P, "end of line");
        return false;
    }
    advance(P);
    return true;
}

/* block (suite): simple_stmts | NEWLINE INDENT stmt+ DEDENT */
static PtsAst *parse_block(Parser *P, const PtsToken *owner) {
    PtsAst *b = node_at(P, PTS_AST_BLOCK, peek(P));
    if (!b || !enter(P)) return NULL;
    if (kind(P) != PTS_TK_NEWLINE) {
        if (!parse_simple_stmts(P, b)) return NULL;
        leave(P);
        return finish(P, b);
    }
    advance(P);
    if (kind(P) != PTS_TK_INDENT) {
        char f[64];
        describe(peek(P), f, sizeof f);
        return perr_at(P, peek(P), "expected an indented block after %s on line %d but found %s",
                       pts_tok_name(owner->kind), owner->line, f);
    }
    PtsToken *ind = advance(P);
    b->line = ind->line;
    b->col = ind->col;
    while (kind(P) != PTS_TK_DEDENT && kind(P) != PTS_TK_EOF)
        if (!parse_stmt(P, b)) return NULL;
    accept(P, PTS_TK_DEDENT);
    leave(P);
    return finish(P, b);
}

/* if_stmt: 'if' test ':' block {'elif' test ':' block} ['else' ':' block] */
static PtsAst *parse_if(Parser *P) {
    PtsToken *t = advance(P);   /* 'if' or 'elif' */
    PtsAst *n = node_at(P, PTS_AST_IF, t), *c, *body, *els = NULL;
    if (!n || !(c = parse_test(P)) || !expect(P, PTS_TK_COLON) || !(body = parse_block(P, t))) return NULL;
    if (kind(P) == PTS_TK_ELIF) {
        PtsAst *inner = parse_if(P);
        if (!inner || !(els = node_from(P, PTS_AST_BLOCK, inner)) || !add(P, els, inner)) return NULL;
        finish(P, els);
    } else if (kind(P) == PTS_TK_ELSE) {
        PtsToken *e = advance(P);
        if (!expect(P, PTS_TK_COLON) || !(els = parse_block(P, e))) return NULL;
    }
    if (!add(P, n, c) || !add(P, n, body) || !add(P, n, els)) return NULL;
    return finish(P, n);
}

/* while_stmt: 'while' test ':' block       ('else' is rejected) */
static PtsAst *parse_while(Parser *P) {
    PtsToken *t = advance(P);
    PtsAst *n = node_at(P, PTS_AST_WHILE, t), *c, *body;
    if (!n || !(c = parse_test(P)) || !expect(P, PTS_TK_COLON) || !(body = parse_block(P, t))) return NULL;
    if (kind(P) == PTS_TK_ELSE) return unsupported(P, peek(P), "else branches of while loops are not supported in TorchScript");
    if (!add(P, n, c) || !add(P, n, body)) return NULL;
    return finish(P, n);
}

/* for_stmt: 'for' exprlist 'in' testlist ':' block     ('else' is rejected) */
static PtsAst *parse_for(Parser *P) {
    PtsToken *t = advance(P);
    PtsAst *n = node_at(P, PTS_AST_FOR, t), *target, *it, *body;
    if (!n || !(target = parse_testlist(P, false, true)) || !check_target(P, target, false)) return NULL;
    if (!expect(P, PTS_TK_IN) || !(it = parse_testlist(P, false, false)) || !expect(P, PTS_TK_COLON) ||
        !(body = parse_block(P, t)))
        return NULL;
    if (kind(P) == PTS_TK_ELSE) return unsupported(P, peek(P), "else branches of for loops are not supported in TorchScript");
    if (!add(P, n, target) || !add(P, n, it) || !add(P, n, body)) return NULL;
    return finish(P, n);
}

/* with_stmt: 'with' with_item {',' with_item} ':' block;  with_item: test ['as' expr] */
static PtsAst *parse_with(Parser *P) {
    PtsToken *t = advance(P);
    PtsAst *n = node_at(P, PTS_AST_WITH, t), *body;
    if (!n) return NULL;
    do {
        PtsAst *ctx = parse_test(P), *target = NULL, *item;
        if (!ctx) return NULL;
        if (accept(P, PTS_TK_AS) && (!(target = parse_expr(P)) || !check_target(P, target, false))) return NULL;
        if (!(item = node_from(P, PTS_AST_WITH_ITEM, ctx)) || !add(P, item, ctx) || !add(P, item, target)) return NULL;
        if (!add(P, n, finish(P, item))) return NULL;
    } while (accept(P, PTS_TK_COMMA));
    if (!expect(P, PTS_TK_COLON) || !(body = parse_block(P, t)) || !add(P, n, body)) return NULL;
    return finish(P, n);
}

/* parameters: '(' [param {',' param} [',']] ')'
 * param: NAME [':' test] ['=' test] | '*' [NAME [':' test]] | '**' NAME [':' test] | '/' */
static PtsAst *parse_params(Parser *P) {
    PtsToken *open = peek(P);
    if (!expect(P, PTS_TK_LPAREN)) return NULL;
    PtsAst *ps = node_at(P, PTS_AST_PARAMS, open);
    if (!ps) return NULL;
    bool seen_default = false;
    while (kind(P) != PTS_TK_RPAREN) {
        PtsToken *t = peek(P);
        int star = 0;
        if (t->kind == PTS_TK_SLASH) {   /* positional-only marker: nothing to record */
            advance(P);
            if (!accept(P, PTS_TK_COMMA)) break;
            continue;
        }
        if (t->kind == PTS_TK_STAR || t->kind == PTS_TK_DSTAR) {
            star = t->kind;
            advance(P);
        }
        PtsToken *nm = peek(P);
        PtsAst *p = node_at(P, PTS_AST_PARAM, t), *ann = NULL, *def = NULL;
        if (!p) return NULL;
        p->op = (uint16_t)star;
        if (nm->kind == PTS_TK_NAME) {
            advance(P);
            p->str = nm->str;
            if (accept(P, PTS_TK_COLON) && !(ann = parse_test(P))) return NULL;
        } else if (star == PTS_TK_STAR) {
            p->str = "*";   /* bare '*': the following parameters are keyword-only */
        } else return expected(P, "a parameter name");
        if (accept(P, PTS_TK_ASSIGN)) {
            if (star) return perr_at(P, prev(P), "variadic parameters cannot have default values");
            if (!(def = parse_test(P))) return NULL;
            seen_default = true;
        } else if (seen_default && !star) {
            return perr_at(P, nm, "non-default argument follows default argument");
        }
        for (int i = 0; i < ps->n; i++)
            if (strcmp(ps->kids[i]->str, p->str) == 0 && p->str[0] != '*')
                return perr_at(P, nm, "duplicate argument '%s' in function definition", p->str);
        if (!add(P, p, ann) || !add(P, p, def) || !add(P, ps, finish(P, p))) return NULL;
        if (!accept(P, PTS_TK_COMMA)) break;
    }
    if (!expect_close(P, PTS_TK_RPAREN, open)) return NULL;
    return finish(P, ps);
}

/* funcdef: 'def' NAME parameters ['->' test] ':' [TYPE_COMMENT] block */
static PtsAst *parse_def(Parser *P, PtsAst *decorators) {
    PtsToken *t = advance(P);
    PtsToken *nm = peek(P);
    if (nm->kind != PTS_TK_NAME) return expected(P, "a function name");
    advance(P);
    PtsAst *n = node_at(P, PTS_AST_DEF, t), *params, *ret = NULL, *body;
    if (!n || !(params = parse_params(P))) return NULL;
    n->str = nm->str;
    if (accept(P, PTS_TK_ARROW) && !(ret = parse_test(P))) return NULL;
    if (!expect(P, PTS_TK_COLON)) return NULL;
    /* a signature type comment sits before the NEWLINE (same line) or the INDENT (next line) */
    n->type_comment = P->tc_before[P->pos];
    if (!n->type_comment && kind(P) == PTS_TK_NEWLINE && P->pos + 1 < P->ntoks) n->type_comment = P->tc_before[P->pos + 1];
    if (!(body = parse_block(P, t))) return NULL;
    if (!add(P, n, params) || !add(P, n, ret) || !add(P, n, body) || !add(P, n, decorators)) return NULL;
    return finish(P, n);
}

/* classdef: 'class' NAME ['(' [arglist] ')'] ':' block */
static PtsAst *parse_class(Parser *P, PtsAst *decorators) {
    PtsToken *t = advance(P);
    PtsToken *nm = peek(P);
    if (nm->kind != PTS_TK_NAME) return expected(P, "a class name");
    advance(P);
    PtsAst *n = node_at(P, PTS_AST_CLASS, t), *bases = NULL, *body;
    if (!n) return NULL;
    n->str = nm->str;
    if (kind(P) == PTS_TK_LPAREN) {
        PtsToken *open = advance(P);
        if (!(bases = node_at(P, PTS_AST_TUPLE, open))) return NULL;
        while (kind(P) != PTS_TK_RPAREN) {
            PtsAst *b = parse_test(P);
            if (!b || !add(P, bases, b)) return NULL;
            if (!accept(P, PTS_TK_COMMA)) break;
        }
        if (!expect_close(P, PTS_TK_RPAREN, open)) return NULL;
        finish(P, bases);
    }
    if (!expect(P, PTS_TK_COLON) || !(body = parse_block(P, t))) return NULL;
    if (!add(P, n, bases) || !add(P, n, body) || !add(P, n, decorators)) return NULL;
    return finish(P, n);
}

/* decorated: ('@' test NEWLINE)+ (funcdef | classdef) */
static PtsAst *parse_decorated(Parser *P) {
    PtsAst *ds = node_at(P, PTS_AST_DECORATORS, peek(P));
    if (!ds) return NULL;
    while (accept(P, PTS_TK_AT)) {
        PtsAst *d = parse_test(P);
        if (!d || !add(P, ds, d)) return NULL;
        if (!expect(P, PTS_TK_NEWLINE)) return NULL;
    }
    finish(P, ds);
    if (kind(P) == PTS_TK_DEF) return parse_def(P, ds);
    if (kind(P) == PTS_TK_CLASS) return parse_class(P, ds);
    return expected(P, "'def' or 'class' after decorators");
}

/* stmt: compound_stmt | simple_stmts
 * compound_stmt: if_stmt | while_stmt | for_stmt | with_stmt | funcdef | classdef | decorated */
static bool parse_stmt(Parser *P, PtsAst *block) {
    if (!enter(P)) return false;
    PtsAst *s;
    PtsToken *t = peek(P);
    switch (t->kind) {
    case PTS_TK_IF: s = parse_if(P); break;
    case PTS_TK_WHILE: s = parse_while(P); break;
    case PTS_TK_FOR: s = parse_for(P); break;
    case PTS_TK_WITH: s = parse_with(P); break;
    case PTS_TK_DEF: s = parse_def(P, NULL); break;
    case PTS_TK_CLASS: s = parse_class(P, NULL); break;
    case PTS_TK_AT: s = parse_decorated(P); break;
    case PTS_TK_TRY: return unsupported(P, t, "try statements are not supported in TorchScript"), false;
    case PTS_TK_ASYNC: return unsupported(P, t, "async is not supported in TorchScript"), false;
    case PTS_TK_ELSE: case PTS_TK_ELIF: case PTS_TK_EXCEPT: case PTS_TK_FINALLY: {
        char f[64];
        describe(t, f, sizeof f);
        perr_at(P, t, "unexpected %s without a matching statement", f);
        return false;
    }
    case PTS_TK_DEDENT: perr_at(P, t, "unexpected dedent"); return false;
    default: {
        bool ok = parse_simple_stmts(P, block);
        leave(P);
        return ok;
    }
    }
    leave(P);
    return s && add(P, block, s);
}
/* }==================== */

PtsStatus pts_parse(const PtsSource *src, PtsArena *a, PtsError *err, PtsAst **out) {
    *out = NULL;
    PtsToken *toks;
    int ntoks;
    PTS_TRY(pts_lex(src, a, err, &toks, &ntoks));
    /* drop type comments from the stream, remembering which token each one precedes */
    Parser P;
    memset(&P, 0, sizeof P);
    P.src = src;
    P.a = a;
    P.err = err;
    P.toks = pts_arena_alloc(a, sizeof(PtsToken) * (size_t)ntoks);
    P.tc_before = pts_arena_alloc(a, sizeof(char *) * (size_t)ntoks);
    if (!P.toks || !P.tc_before) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    const char *pending = NULL;
    for (int i = 0; i < ntoks; i++) {
        if (toks[i].kind == PTS_TK_TYPE_COMMENT) {
            if (!pending) pending = toks[i].str;
            continue;
        }
        P.tc_before[P.ntoks] = pending;
        pending = NULL;
        P.toks[P.ntoks++] = toks[i];
    }
    PtsAst *file = node_at(&P, PTS_AST_BLOCK, &P.toks[0]);
    if (!file) return err->code;
    while (kind(&P) != PTS_TK_EOF) {
        if (accept(&P, PTS_TK_NEWLINE)) continue;
        if (kind(&P) == PTS_TK_INDENT) {
            perr_at(&P, peek(&P), "unexpected indent");
            return err->code;
        }
        if (!parse_stmt(&P, file)) return err->code ? err->code : pts_fail(err, PTS_ERR_INTERNAL, "parse failed");
    }
    *out = finish(&P, file);
    return PTS_OK;
}

/* {==================== AST dump ==================== */
static void dump(PtsBuf *b, const PtsAst *n) {
    if (!n) { pts_buf_puts(b, "_"); return; }
    pts_buf_printf(b, "(%s", pts_ast_kind_name(n->kind));
    switch (n->kind) {
    case PTS_AST_BINOP: case PTS_AST_UNARY: case PTS_AST_AUG_ASSIGN:
        pts_buf_printf(b, " %s", pts_tok_name(n->op));
        break;
    case PTS_AST_PARAM:
        if (n->op) pts_buf_printf(b, " %s", pts_tok_name(n->op));
        break;
    default: break;
    }
    if (n->kind == PTS_AST_STR) {
        pts_buf_puts(b, " \"");
        for (size_t i = 0; i < n->len; i++) {
            unsigned char c = (unsigned char)n->str[i];
            if (c == '"' || c == '\\') pts_buf_printf(b, "\\%c", c);
            else if (c < 0x20 || c == 0x7f) pts_buf_printf(b, "\\x%02x", c);
            else pts_buf_putn(b, (const char *)&n->str[i], 1);
        }
        pts_buf_puts(b, "\"");
    } else if (n->str) pts_buf_printf(b, " %s", n->str);
    if (n->kind == PTS_AST_INT) pts_buf_printf(b, " %lld", (long long)n->ival);
    if (n->kind == PTS_AST_FLOAT || n->kind == PTS_AST_IMAG) pts_buf_printf(b, " %.17g", n->fval);
    if (n->kind == PTS_AST_DEF && n->type_comment) pts_buf_printf(b, " (type_comment \"%s\")", n->type_comment);
    for (int i = 0; i < n->n; i++) {
        pts_buf_puts(b, " ");
        if (n->kind == PTS_AST_COMPARE && i > 0) pts_buf_printf(b, "%s ", pts_tok_name(n->ops[i - 1]));
        dump(b, n->kids[i]);
    }
    pts_buf_puts(b, ")");
}

char *pts_ast_dump(const PtsAst *n) {
    PtsBuf b;
    pts_buf_init(&b);
    dump(&b, n);
    return pts_buf_steal(&b);
}
/* }==================== */
