/* lexer.c: TorchScript source text -> token array (first stage of the front end). Python's token
 * rules as TorchScript needs them: INDENT/DEDENT from an indentation stack, implicit line joining
 * inside brackets, backslash continuation, comments (a `# type:` comment becomes a TYPE_COMMENT
 * token), int/float/imaginary literals, single/double/triple-quoted strings with escapes. The
 * first logical line may be indented (a method cut out of its class): its indentation becomes the
 * base level. Also here: the arena and the diagnostic formatter shared by the front end. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "frontend.h"

/* {==================== arena ==================== */
#define ARENA_CHUNK 65536

void pts_arena_init(PtsArena *a) { a->head = NULL; }

void *pts_arena_alloc(PtsArena *a, size_t n) {
    if (n > ((size_t)1 << 40)) return NULL;
    n = (n + 15) & ~(size_t)15;
    PtsArenaChunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = pts_malloc(sizeof *c + cap + 16);
        if (!c) return NULL;
        c->next = a->head;
        c->cap = cap + 16;   /* bytes in data[], used <= cap always */
        /* data[] starts after the header; round the start up so every block is 16-aligned */
        c->used = (size_t)(-(uintptr_t)c->data & 15);
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *pts_arena_strndup(PtsArena *a, const char *s, size_t n) {
    char *p = pts_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void pts_arena_free(PtsArena *a) {
    PtsArenaChunk *c = a->head;
    while (c) {
        PtsArenaChunk *n = c->next;
        pts_free(c);
        c = n;
    }
    a->head = NULL;
}
/* }==================== */

/* {==================== diagnostics ==================== */
#define SHOW_MAX 160   /* bytes of the offending source line shown in a message */

/* The largest n' <= n that does not split a UTF-8 character of s (messages become Python str). */
size_t pts_utf8_cut(const char *s, size_t n) {
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

/* Drop an incomplete UTF-8 sequence left at the end of s by a truncating snprintf. */
void pts_utf8_trim(char *s) {
    size_t n = strlen(s);
    size_t k = n;
    while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80) k--;
    if (k == 0) return;
    unsigned char lead = (unsigned char)s[k - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (k - 1) < want) s[k - 1] = 0;
}

PtsStatus pts_src_fail(PtsError *err, const PtsSource *src, PtsStatus code, int line, int col, int end_line,
                       int end_col, const char *fmt, ...) {
    if (!err || err->code != PTS_OK) return code;
    char msg[1536];   /* as efail's: torch's lists of overloads run long */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pts_utf8_trim(msg);
    /* find the source line */
    int want = line - src->line_offset;
    const char *p = src->text, *end = src->text + src->len, *ls = NULL, *le = NULL;
    if (want >= 1) {
        int cur = 1;
        const char *q = p;
        while (cur < want && q < end) {
            if (*q == '\n') cur++;
            else if (*q == '\r') { cur++; if (q + 1 < end && q[1] == '\n') q++; }
            q++;
        }
        if (cur == want) {
            ls = q;
            le = q;
            while (le < end && *le != '\n' && *le != '\r') le++;
        }
    }
    char shown[SHOW_MAX + 1], caret[SHOW_MAX + 2];
    shown[0] = caret[0] = 0;
    if (ls) {
        size_t n = (size_t)(le - ls);
        if (n > SHOW_MAX) n = pts_utf8_cut(ls, SHOW_MAX);
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)ls[i];
            shown[i] = (ch == '\t' || ch >= 0x20) && ch != 0x7f ? (char)ch : ' ';
        }
        shown[n] = 0;
        /* caret under [col, end_col) on this line, at least one */
        int c0 = col < 1 ? 1 : col;
        int c1 = (end_line == line && end_col > c0) ? end_col : (int)(le - ls) + 1;
        if (c1 <= c0) c1 = c0 + 1;
        size_t k = 0;
        for (int c = 1; c < c0 && k < SHOW_MAX; c++)
            caret[k++] = (c - 1 < (int)n && shown[c - 1] == '\t') ? '\t' : ' ';
        for (int c = c0; c < c1 && k < SHOW_MAX; c++) caret[k++] = '^';
        caret[k] = 0;
    }
    const char *file = src->file ? src->file : "<string>";
    if (ls)
        pts_fail(err, code, "%s\n  File \"%s\", line %d, column %d\n    %s\n    %s", msg, file, line, col, shown,
                 caret);
    else
        pts_fail(err, code, "%s\n  File \"%s\", line %d, column %d", msg, file, line, col);
    pts_utf8_trim(err->msg);
    err->range.file = NULL;   /* the source may not outlive the error */
    err->range.line = line;
    err->range.col = col;
    err->range.end_line = end_line;
    err->range.end_col = end_col;
    return code;
}
/* }==================== */

/* {==================== token tables ==================== */
static const char *const tok_names[PTS_TK__COUNT] = {
#define PTS_TOK(ID, text) text,
#define PTS_KW(ID, text) "'" text "'",
#define PTS_PUNCT(ID, text) "'" text "'",
#include "tokens.def"
#undef PTS_TOK
#undef PTS_KW
#undef PTS_PUNCT
};

const char *pts_tok_name(int kind) { return kind >= 0 && kind < PTS_TK__COUNT ? tok_names[kind] : "?"; }

typedef struct Word { const char *text; int kind; size_t len; } Word;

static const Word keywords[] = {
#define PTS_TOK(ID, text)
#define PTS_KW(ID, text) { text, PTS_TK_##ID, sizeof(text) - 1 },
#define PTS_PUNCT(ID, text)
#include "tokens.def"
#undef PTS_TOK
#undef PTS_KW
#undef PTS_PUNCT
};

static const Word puncts[] = {
#define PTS_TOK(ID, text)
#define PTS_KW(ID, text)
#define PTS_PUNCT(ID, text) { text, PTS_TK_##ID, sizeof(text) - 1 },
#include "tokens.def"
#undef PTS_TOK
#undef PTS_KW
#undef PTS_PUNCT
};
/* }==================== */

/* {==================== lexer state ==================== */
typedef struct Lexer {
    const PtsSource *src;
    const char *p, *end;         /* cursor, end of text */
    const char *line_start;      /* first byte of the current physical line */
    int line;                    /* current physical line, 1-based, without offset */
    PtsArena *arena;
    PtsError *err;
    PtsToken *toks;              /* growable array (pts_realloc, moved into the arena at the end) */
    int ntoks, cap;
    int indents[PTS_MAX_INDENT_DEPTH + 1];  /* indentation stack; [0] is the base level */
    int nindent;                 /* entries used */
    bool base_set;               /* the first logical line fixed indents[0] */
    int depth;                   /* open brackets: newlines inside are ignored */
    bool at_line_start;          /* the next token begins a logical line */
} Lexer;

static int cur_col(const Lexer *L, const char *q) { return (int)(q - L->line_start) + 1; }
static int lineno(const Lexer *L) { return L->line + L->src->line_offset; }

static PtsStatus lex_fail_at(Lexer *L, const char *at, int width, const char *fmt, ...) PTS_PRINTF(4, 5);
static PtsStatus lex_fail_at(Lexer *L, const char *at, int width, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pts_utf8_trim(msg);
    int c = cur_col(L, at);
    return pts_src_fail(L->err, L->src, PTS_ERR_SYNTAX, lineno(L), c, lineno(L), c + (width > 0 ? width : 1), "%s", msg);
}

static PtsToken *push(Lexer *L, int kind, const char *start, int col) {
    if (L->ntoks == L->cap) {
        int cap = L->cap ? L->cap * 2 : 256;
        PtsToken *n = pts_realloc(L->toks, sizeof *n * (size_t)cap);
        if (!n) { pts_fail(L->err, PTS_ERR_NOMEM, "out of memory"); return NULL; }
        L->toks = n;
        L->cap = cap;
    }
    PtsToken *t = &L->toks[L->ntoks++];
    memset(t, 0, sizeof *t);
    t->kind = (uint16_t)kind;
    t->line = t->end_line = lineno(L);
    t->col = col;
    t->end_col = col;
    t->start = start;
    return t;
}

static void finish(Lexer *L, PtsToken *t) {
    t->len = (size_t)(L->p - t->start);
    t->end_line = lineno(L);
    t->end_col = cur_col(L, L->p);
}

/* consume one line break at L->p ("\n", "\r\n" or "\r") */
static void newline(Lexer *L) {
    if (*L->p == '\r' && L->p + 1 < L->end && L->p[1] == '\n') L->p++;
    L->p++;
    L->line++;
    L->line_start = L->p;
}

static bool is_digit(int c) { return (unsigned)(c - '0') < 10u; }
static bool is_id_start(unsigned char c) { return c == '_' || (unsigned)((c | 32) - 'a') < 26u || c >= 0x80; }
static bool is_id_char(unsigned char c) { return is_id_start(c) || is_digit(c); }
/* }==================== */

/* {==================== indentation ==================== */
/* At the start of a logical line: measure indentation, skip blank and comment-only lines, emit
 * INDENT/DEDENT. Returns with L->p on the first token of the line (or at the end). */
static PtsStatus line_start(Lexer *L) {
    for (;;) {
        int width = 0;
        const char *q = L->p;
        while (q < L->end && (*q == ' ' || *q == '\t' || *q == '\f')) {
            if (*q == '\t') width = (width / 8 + 1) * 8;
            else if (*q == ' ') width++;
            else width = 0;   /* form feed resets, as CPython */
            q++;
        }
        L->p = q;
        if (q >= L->end) return PTS_OK;
        if (*q == '#') {
            /* comment-only line: a type comment is kept, indentation is not measured */
            const char *s = q + 1;
            while (s < L->end && (*s == ' ' || *s == '\t')) s++;
            const char *e = s;
            while (e < L->end && *e != '\n' && *e != '\r') e++;
            if (e - s >= 5 && memcmp(s, "type:", 5) == 0) {
                PtsToken *t = push(L, PTS_TK_TYPE_COMMENT, q, cur_col(L, q));
                if (!t) return PTS_ERR_NOMEM;
                const char *b = s + 5;
                while (b < e && (*b == ' ' || *b == '\t')) b++;
                if (!(t->str = pts_arena_strndup(L->arena, b, (size_t)(e - b))))
                    return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
                t->str_len = (size_t)(e - b);
                L->p = e;
                finish(L, t);
            }
            L->p = e;
            if (L->p >= L->end) return PTS_OK;
            newline(L);
            continue;
        }
        if (*q == '\n' || *q == '\r') { newline(L); continue; }
        if (*q == '\\' && q + 1 < L->end && (q[1] == '\n' || q[1] == '\r')) {
            /* a continuation at the start of a line: the logical line continues below */
            L->p = q + 1;
            newline(L);
            continue;
        }
        /* a real token: compare with the stack */
        if (!L->base_set) {
            L->indents[0] = width;
            L->nindent = 1;
            L->base_set = true;
            return PTS_OK;
        }
        int top = L->indents[L->nindent - 1];
        if (width > top) {
            if (L->nindent > PTS_MAX_INDENT_DEPTH)
                return lex_fail_at(L, q, 1, "too many levels of indentation (limit %d)", PTS_MAX_INDENT_DEPTH);
            L->indents[L->nindent++] = width;
            if (!push(L, PTS_TK_INDENT, q, cur_col(L, q))) return PTS_ERR_NOMEM;
        } else if (width < top) {
            while (L->nindent > 1 && width < L->indents[L->nindent - 1]) {
                L->nindent--;
                if (!push(L, PTS_TK_DEDENT, q, cur_col(L, q))) return PTS_ERR_NOMEM;
            }
            if (width != L->indents[L->nindent - 1]) {
                if (L->nindent == 1 && width < L->indents[0])
                    return lex_fail_at(L, q, 1, "line is indented less than the first line of the source");
                return lex_fail_at(L, q, 1, "unindent does not match any outer indentation level");
            }
        }
        return PTS_OK;
    }
}
/* }==================== */

/* {==================== numbers ==================== */
static int digit_val(unsigned char c) {
    if (is_digit(c)) return c - '0';
    if ((unsigned)((c | 32) - 'a') < 26u) return (c | 32) - 'a' + 10;
    return 99;
}

static PtsStatus lex_number(Lexer *L) {
    const char *s = L->p;
    PtsToken *t = push(L, PTS_TK_INT, s, cur_col(L, s));
    if (!t) return PTS_ERR_NOMEM;
    const char *q = s;
    /* based integers */
    if (*q == '0' && q + 1 < L->end && ((q[1] | 32) == 'x' || (q[1] | 32) == 'o' || (q[1] | 32) == 'b')) {
        int base = (q[1] | 32) == 'x' ? 16 : (q[1] | 32) == 'o' ? 8 : 2;
        q += 2;
        uint64_t v = 0;
        int ndig = 0;
        bool over = false;
        for (; q < L->end; q++) {
            if (*q == '_' && ndig && q + 1 < L->end && digit_val((unsigned char)q[1]) < base) continue;
            int d = digit_val((unsigned char)*q);
            if (d >= base) break;
            if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) over = true;
            v = v * (uint64_t)base + (uint64_t)d;
            ndig++;
        }
        if (!ndig || (q < L->end && is_id_char((unsigned char)*q)))
            return lex_fail_at(L, s, (int)(q - s) + 1, "invalid %s literal",
                               base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
        if (over || v > (uint64_t)INT64_MAX)
            return lex_fail_at(L, s, (int)(q - s), "integer literal is too large for a 64-bit int");
        t->ival = (int64_t)v;
        L->p = q;
        finish(L, t);
        return PTS_OK;
    }
    /* decimal: digits [. digits] [e [+-] digits] [j] */
    char buf[128];
    size_t n = 0;
    bool is_float = false, too_long = false;
#define TAKE(ch) do { if (n < sizeof buf - 1) buf[n++] = (ch); else too_long = true; } while (0)
    while (q < L->end && (is_digit(*q) || (*q == '_' && n && q + 1 < L->end && is_digit(q[1])))) {
        if (*q != '_') TAKE(*q);
        q++;
    }
    if (q < L->end && *q == '.') {
        is_float = true;
        TAKE('.');
        q++;
        while (q < L->end && (is_digit(*q) || (*q == '_' && q + 1 < L->end && is_digit(q[1])))) {
            if (*q != '_') TAKE(*q);
            q++;
        }
    }
    if (q < L->end && (*q | 32) == 'e') {
        const char *e = q + 1;
        if (e < L->end && (*e == '+' || *e == '-')) e++;
        if (e < L->end && is_digit(*e)) {
            is_float = true;
            TAKE('e');
            if (q[1] == '-') TAKE('-');
            q = e;
            while (q < L->end && (is_digit(*q) || (*q == '_' && q + 1 < L->end && is_digit(q[1])))) {
                if (*q != '_') TAKE(*q);
                q++;
            }
        }
    }
#undef TAKE
    buf[n] = 0;
    bool imag = false;
    if (q < L->end && (*q | 32) == 'j') { imag = true; q++; }
    if (q < L->end && is_id_char((unsigned char)*q))
        return lex_fail_at(L, s, (int)(q - s) + 1, "invalid decimal literal");
    if (too_long) return lex_fail_at(L, s, (int)(q - s), "numeric literal too long");
    if (is_float || imag) {
        errno = 0;
        t->fval = strtod(buf, NULL);
        t->kind = imag ? PTS_TK_IMAG : PTS_TK_FLOAT;
    } else {
        if (n > 1 && buf[0] == '0') {
            for (size_t i = 0; i < n; i++)
                if (buf[i] != '0')
                    return lex_fail_at(L, s, (int)(q - s),
                                       "leading zeros in decimal integer literals are not permitted");
        }
        uint64_t v = 0;
        bool over = false;
        for (size_t i = 0; i < n; i++) {
            uint64_t d = (uint64_t)(buf[i] - '0');
            if (v > (UINT64_MAX - d) / 10) over = true;
            v = v * 10 + d;
        }
        if (over || v > (uint64_t)INT64_MAX)
            return lex_fail_at(L, s, (int)(q - s), "integer literal %s is too large for a 64-bit int", buf);
        t->ival = (int64_t)v;
    }
    L->p = q;
    finish(L, t);
    return PTS_OK;
}
/* }==================== */

/* {==================== strings ==================== */
static void put_utf8(char *out, size_t *n, uint32_t cp) {
    if (cp < 0x80) out[(*n)++] = (char)cp;
    else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | (cp >> 18));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* prefix (r, b, f, u and pairs) already consumed up to the quote at L->p */
static PtsStatus lex_string(Lexer *L, const char *start, unsigned flags) {
    PtsToken *t = push(L, PTS_TK_STRING, start, cur_col(L, start));
    if (!t) return PTS_ERR_NOMEM;
    int start_line = L->line;
    const char *start_line_start = L->line_start;
    char q = *L->p;
    bool triple = L->p + 2 < L->end && L->p[1] == q && L->p[2] == q;
    L->p += triple ? 3 : 1;
    const char *body = L->p;
    /* find the end first, to size the decoded buffer */
    const char *e = body;
    for (;;) {
        if (e >= L->end) {
            L->line = start_line;
            L->line_start = start_line_start;
            return lex_fail_at(L, start, 1, "%s", triple ? "unterminated triple-quoted string literal"
                                                         : "unterminated string literal");
        }
        if (*e == '\\' && e + 1 < L->end) { e += 2; continue; }
        if (!triple && (*e == '\n' || *e == '\r')) {
            L->line = start_line;
            L->line_start = start_line_start;
            return lex_fail_at(L, start, (int)(e - start), "%s", "unterminated string literal");
        }
        if (*e == q && (!triple || (e + 2 < L->end && e[1] == q && e[2] == q))) break;
        e++;
    }
    if ((size_t)(e - body) > PTS_MAX_TOKEN_BYTES)
        return lex_fail_at(L, start, 1, "string literal longer than the limit of %d bytes", PTS_MAX_TOKEN_BYTES);
    char *out = pts_arena_alloc(L->arena, (size_t)(e - body) * 2 + 8);
    if (!out) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
    size_t n = 0;
    bool raw = flags & PTS_STRF_RAW;
    while (L->p < e) {
        char c = *L->p;
        if (c == '\n' || c == '\r') {
            out[n++] = '\n';
            newline(L);
            continue;
        }
        if (c != '\\' || raw) {
            out[n++] = c;
            if (raw && c == '\\' && L->p + 1 < e) {
                /* r'\'' keeps both characters; a raw backslash still protects the quote */
                L->p++;
                if (*L->p == '\n' || *L->p == '\r') { out[n++] = '\n'; newline(L); continue; }
                out[n++] = *L->p;
            }
            L->p++;
            continue;
        }
        const char *esc = L->p;
        char d = L->p[1];
        L->p += 2;
        switch (d) {
        case '\n': L->p--; newline(L); break;   /* line continuation inside a string */
        case '\r': L->p--; newline(L); break;
        case '\\': out[n++] = '\\'; break;
        case '\'': out[n++] = '\''; break;
        case '"': out[n++] = '"'; break;
        case 'a': out[n++] = '\a'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'v': out[n++] = '\v'; break;
        case 'x': case 'u': case 'U': {
            int want = d == 'x' ? 2 : d == 'u' ? 4 : 8;
            uint32_t cp = 0;
            for (int i = 0; i < want; i++) {
                int v = L->p < e ? digit_val((unsigned char)*L->p) : 99;
                if (v >= 16)
                    return lex_fail_at(L, esc, (int)(L->p - esc) + 1, "truncated \\%s escape in string literal",
                                       d == 'x' ? "xXX" : d == 'u' ? "uXXXX" : "UXXXXXXXX");
                cp = cp * 16 + (uint32_t)v;
                L->p++;
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000 && d != 'x'))
                return lex_fail_at(L, esc, (int)(L->p - esc), "illegal Unicode character in escape");
            if (d == 'x' && (flags & PTS_STRF_BYTES)) out[n++] = (char)cp;
            else put_utf8(out, &n, cp);
            break;
        }
        case 'N':
            return lex_fail_at(L, esc, 2, "\\N{...} escapes are not supported in TorchScript");
        default:
            if (d >= '0' && d <= '7') {
                uint32_t cp = (uint32_t)(d - '0');
                for (int i = 0; i < 2 && L->p < e && *L->p >= '0' && *L->p <= '7'; i++) cp = cp * 8 + (uint32_t)(*L->p++ - '0');
                put_utf8(out, &n, cp);
            } else {
                /* unknown escapes keep the backslash, as Python does */
                out[n++] = '\\';
                L->p--;
            }
        }
    }
    out[n] = 0;
    L->p = e + (triple ? 3 : 1);
    t->str = out;
    t->str_len = n;
    t->flags = (uint8_t)flags;
    finish(L, t);
    return PTS_OK;
}
/* }==================== */

/* {==================== main loop ==================== */
static PtsStatus lex_all(Lexer *L) {
    L->at_line_start = true;
    for (;;) {
        if (L->at_line_start && L->depth == 0) {
            PTS_TRY(line_start(L));
            L->at_line_start = false;
        }
        /* skip spaces and comments within a line */
        while (L->p < L->end && (*L->p == ' ' || *L->p == '\t' || *L->p == '\f')) L->p++;
        if (L->p >= L->end) break;
        const char *s = L->p;
        unsigned char c = (unsigned char)*s;
        if (c == '#') {
            const char *b = s + 1;
            while (b < L->end && (*b == ' ' || *b == '\t')) b++;
            const char *e = b;
            while (e < L->end && *e != '\n' && *e != '\r') e++;
            if (e - b >= 5 && memcmp(b, "type:", 5) == 0) {
                PtsToken *t = push(L, PTS_TK_TYPE_COMMENT, s, cur_col(L, s));
                if (!t) return PTS_ERR_NOMEM;
                b += 5;
                while (b < e && (*b == ' ' || *b == '\t')) b++;
                if (!(t->str = pts_arena_strndup(L->arena, b, (size_t)(e - b))))
                    return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
                t->str_len = (size_t)(e - b);
                L->p = e;
                finish(L, t);
            }
            L->p = e;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (L->depth == 0) {
                PtsToken *t = push(L, PTS_TK_NEWLINE, s, cur_col(L, s));
                if (!t) return PTS_ERR_NOMEM;
                t->len = 1;
                t->end_col = t->col + 1;
                L->at_line_start = true;
            }
            newline(L);
            continue;
        }
        if (c == '\\') {
            if (s + 1 < L->end && (s[1] == '\n' || s[1] == '\r')) {
                L->p = s + 1;
                newline(L);
                continue;
            }
            if (s + 1 >= L->end) return lex_fail_at(L, s, 1, "unexpected end of file after line continuation");
            return lex_fail_at(L, s, 1, "unexpected character after line continuation character");
        }
        if (is_digit(c) || (c == '.' && s + 1 < L->end && is_digit(s[1]))) {
            PTS_TRY(lex_number(L));
            continue;
        }
        if (is_id_start(c)) {
            const char *e = s;
            while (e < L->end && is_id_char((unsigned char)*e)) e++;
            size_t n = (size_t)(e - s);
            /* string prefixes */
            if (e < L->end && (*e == '\'' || *e == '"') && n <= 2) {
                unsigned flags = 0;
                bool ok = true;
                for (size_t i = 0; i < n; i++) {
                    char pc = (char)(s[i] | 32);
                    unsigned f = pc == 'r' ? PTS_STRF_RAW : pc == 'b' ? PTS_STRF_BYTES : pc == 'f' ? PTS_STRF_FSTRING
                                 : pc == 'u' ? 0x80u : 0;
                    if (!f || (flags & f)) ok = false;
                    flags |= f;
                }
                if ((flags & 0x80u) && n > 1) ok = false;
                if ((flags & PTS_STRF_BYTES) && (flags & PTS_STRF_FSTRING)) ok = false;
                if (ok) {
                    L->p = e;
                    PTS_TRY(lex_string(L, s, flags & ~0x80u));
                    continue;
                }
            }
            if (n > PTS_MAX_TOKEN_BYTES) return lex_fail_at(L, s, 1, "identifier longer than the limit of %d bytes", PTS_MAX_TOKEN_BYTES);
            int kind = PTS_TK_NAME;
            for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
                if (keywords[i].len == n && memcmp(keywords[i].text, s, n) == 0) { kind = keywords[i].kind; break; }
            PtsToken *t = push(L, kind, s, cur_col(L, s));
            if (!t) return PTS_ERR_NOMEM;
            if (!(t->str = pts_arena_strndup(L->arena, s, n))) return pts_fail(L->err, PTS_ERR_NOMEM, "out of memory");
            t->str_len = n;
            L->p = e;
            finish(L, t);
            continue;
        }
        if (c == '\'' || c == '"') {
            PTS_TRY(lex_string(L, s, 0));
            continue;
        }
        /* operators: longest match */
        int best = -1;
        size_t best_n = 0;
        for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
            size_t n = puncts[i].len;
            if (n > best_n && (size_t)(L->end - s) >= n && memcmp(puncts[i].text, s, n) == 0) {
                best = puncts[i].kind;
                best_n = n;
            }
        }
        if (best < 0) {
            char what[48];
            if (c >= 0x21 && c < 0x7f) snprintf(what, sizeof what, "'%c'", c);
            else snprintf(what, sizeof what, "byte 0x%02x", c);
            return lex_fail_at(L, s, 1, "invalid character %s in source", what);
        }
        PtsToken *t = push(L, best, s, cur_col(L, s));
        if (!t) return PTS_ERR_NOMEM;
        L->p = s + best_n;
        finish(L, t);
        if (best == PTS_TK_LPAREN || best == PTS_TK_LBRACKET || best == PTS_TK_LBRACE) L->depth++;
        else if ((best == PTS_TK_RPAREN || best == PTS_TK_RBRACKET || best == PTS_TK_RBRACE) && L->depth > 0) L->depth--;
    }
    /* end of text: close the last logical line and every open block */
    if (L->ntoks > 0) {
        int last = L->toks[L->ntoks - 1].kind;
        if (last != PTS_TK_NEWLINE && last != PTS_TK_DEDENT && last != PTS_TK_INDENT && last != PTS_TK_TYPE_COMMENT) {
            if (!push(L, PTS_TK_NEWLINE, L->p, cur_col(L, L->p))) return PTS_ERR_NOMEM;
        } else if (last == PTS_TK_TYPE_COMMENT && L->ntoks > 1 && L->toks[L->ntoks - 2].kind != PTS_TK_NEWLINE &&
                   L->toks[L->ntoks - 2].kind != PTS_TK_DEDENT && L->toks[L->ntoks - 2].kind != PTS_TK_INDENT) {
            if (!push(L, PTS_TK_NEWLINE, L->p, cur_col(L, L->p))) return PTS_ERR_NOMEM;
        }
    }
    while (L->nindent > 1) {
        L->nindent--;
        if (!push(L, PTS_TK_DEDENT, L->p, cur_col(L, L->p))) return PTS_ERR_NOMEM;
    }
    if (!push(L, PTS_TK_EOF, L->p, cur_col(L, L->p))) return PTS_ERR_NOMEM;
    return PTS_OK;
}

PtsStatus pts_lex(const PtsSource *src, PtsArena *a, PtsError *err, PtsToken **toks, int *ntoks) {
    *toks = NULL;
    *ntoks = 0;
    if (src->len > PTS_MAX_SOURCE_BYTES)
        return pts_fail(err, PTS_ERR_SYNTAX, "source of %zu bytes exceeds the limit of %d bytes", src->len,
                        PTS_MAX_SOURCE_BYTES);
    Lexer L;
    memset(&L, 0, sizeof L);
    L.src = src;
    L.p = src->text;
    L.end = src->text + src->len;
    L.line_start = src->text;
    L.line = 1;
    L.arena = a;
    L.err = err;
    /* a UTF-8 byte order mark is not part of the text */
    if (src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0) { L.p += 3; L.line_start = L.p; }
    PtsStatus s = lex_all(&L);
    if (s) {
        pts_free(L.toks);
        if (err->code == PTS_OK) pts_fail(err, s, "out of memory");
        return err->code;
    }
    PtsToken *out = pts_arena_alloc(a, sizeof *out * (size_t)L.ntoks);
    if (!out) {
        pts_free(L.toks);
        return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    }
    memcpy(out, L.toks, sizeof *out * (size_t)L.ntoks);
    pts_free(L.toks);
    *toks = out;
    *ntoks = L.ntoks;
    return PTS_OK;
}
/* }==================== */
