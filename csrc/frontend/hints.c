/* hints.c: suggestions for compile errors (see hints.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hints.h"
#include "../ir/ir.h"

size_t pts_edit_distance(const char *a, const char *b, size_t max) {
    size_t m = strlen(a), n = strlen(b);
    size_t small[64], *row = small;
    if (n + 1 > sizeof small / sizeof small[0]) {
        row = pts_malloc(sizeof *row * (n + 1));
        if (!row) return max + 1;
    }
    for (size_t x = 0; x <= n; x++) row[x] = x;
    size_t r = 0;
    for (size_t y = 1; y <= m; y++) {
        size_t prev = row[0];   /* row[y-1][x-1] */
        row[0] = y;
        size_t best = row[0];
        for (size_t x = 1; x <= n; x++) {
            size_t old = row[x];
            size_t sub = prev + (a[y - 1] != b[x - 1]);
            size_t ins = (row[x - 1] < row[x] ? row[x - 1] : row[x]) + 1;
            row[x] = sub < ins ? sub : ins;
            prev = old;
            if (row[x] < best) best = row[x];
        }
        if (max && best > max) { r = max + 1; goto done; }
    }
    r = row[n];
done:
    if (row != small) pts_free(row);
    return r;
}

/* optimal string alignment distance: Levenshtein plus adjacent swaps; limit + 1 when larger */
static size_t osa_distance(const char *a, const char *b, size_t limit) {
    size_t m = strlen(a), n = strlen(b);
    if (m > 120 || n > 120) return limit + 1;
    if ((m > n ? m - n : n - m) > limit) return limit + 1;
    size_t d[3][122];   /* rows y-2, y-1, y */
    for (size_t x = 0; x <= n; x++) d[1][x] = x;
    for (size_t y = 1; y <= m; y++) {
        size_t *cur = d[(y + 1) % 3], *p1 = d[y % 3], *p2 = d[(y + 2) % 3];
        /* rotate: p1 = row y-1, p2 = row y-2 */
        cur[0] = y;
        size_t best = y;
        for (size_t x = 1; x <= n; x++) {
            size_t v = p1[x - 1] + (a[y - 1] != b[x - 1]);
            if (p1[x] + 1 < v) v = p1[x] + 1;
            if (cur[x - 1] + 1 < v) v = cur[x - 1] + 1;
            if (y > 1 && x > 1 && a[y - 1] == b[x - 2] && a[y - 2] == b[x - 1] && p2[x - 2] + 1 < v) v = p2[x - 2] + 1;
            cur[x] = v;
            if (v < best) best = v;
        }
        if (best > limit) return limit + 1;
    }
    return d[(m + 1) % 3][n];
}

void pts_nearest_init(PtsNearest *n, const char *name) {
    n->name = name ? name : "";
    size_t len = strlen(n->name);
    n->limit = len / 3 > 1 ? len / 3 : 1;
    n->best[0] = 0;
    n->dist = 0;
}

static int count_cmp(const void *x, const void *y) { return *(const char *)x - *(const char *)y; }

/* the same letters in another order */
static bool anagram(const char *a, const char *b) {
    size_t n = strlen(a);
    if (n != strlen(b) || n >= 128) return false;
    char x[128], y[128];
    memcpy(x, a, n);
    memcpy(y, b, n);
    qsort(x, n, 1, count_cmp);
    qsort(y, n, 1, count_cmp);
    return memcmp(x, y, n) == 0;
}

static size_t len_gap(const char *a, const char *b) {
    size_t x = strlen(a), y = strlen(b);
    return x > y ? x - y : y - x;
}

/* one is the other with characters added at the end (reluu / relu, dim / dimm) */
static bool extends(const char *a, const char *b) {
    size_t x = strlen(a), y = strlen(b);
    return x != y && strncmp(a, b, x < y ? x : y) == 0;
}

static bool trailing_(const char *s) { return s[0] && s[strlen(s) - 1] == '_'; }

/* cand better than the current best at equal distance: a swap of letters (tahn: tanh), then a
 * name cut or lengthened at its end (reluu: relu), then the in-place variant only for a name
 * ending in '_', then the nearest length, then byte order */
static bool better_tie(const PtsNearest *n, const char *cand) {
    bool ca = anagram(n->name, cand), ba = anagram(n->name, n->best);
    if (ca != ba) return ca;
    bool ce = extends(n->name, cand), be = extends(n->name, n->best);
    if (ce != be) return ce;
    bool nu = trailing_(n->name), cu = trailing_(cand) == nu, bu = trailing_(n->best) == nu;
    if (cu != bu) return cu;
    size_t cg = len_gap(n->name, cand), bg = len_gap(n->name, n->best);
    if (cg != bg) return cg < bg;
    return strcmp(cand, n->best) < 0;
}

void pts_nearest_add(PtsNearest *n, const char *cand) {
    if (!cand || !cand[0] || strcmp(cand, n->name) == 0) return;
    if (strlen(n->name) < 3 || strlen(cand) < 3) return;   /* `z` for `x`: noise, not a fix */
    if (cand[0] == '_' && n->name[0] != '_') return;
    size_t cl = strlen(cand);
    if (cl >= sizeof n->best) return;
    size_t d = osa_distance(n->name, cand, n->limit);
    if (d > n->limit) return;
    if (n->best[0] && (d > n->dist || (d == n->dist && !better_tie(n, cand)))) return;
    memcpy(n->best, cand, cl + 1);
    n->dist = d;
}

void pts_nearest_add_words(PtsNearest *n, const char *words) {
    if (!words) return;
    char w[128];
    while (*words) {
        while (*words == ' ') words++;
        size_t k = strcspn(words, " ");
        if (k && k < sizeof w) {
            memcpy(w, words, k);
            w[k] = 0;
            pts_nearest_add(n, w);
        }
        words += k;
    }
}

const char *pts_nearest_best(const PtsNearest *n) { return n->best[0] ? n->best : NULL; }

const char *pts_nearest_line(const PtsNearest *n, char *buf, size_t cap) {
    if (!cap) return "";
    buf[0] = 0;
    if (n->best[0]) snprintf(buf, cap, "\nDid you mean '%s'?", n->best);
    return buf;
}

/* ---- similar builtin ops ---- */
typedef struct { const char *qual; size_t dist; } Similar;

static int similar_cmp(const void *x, const void *y) {
    const Similar *a = x, *b = y;
    if (a->dist != b->dist) return a->dist < b->dist ? -1 : 1;
    return strcmp(a->qual, b->qual);
}

void pts_hint_unknown_op(PtsBuf *b, const char *name) {
    char qual[256];
    snprintf(qual, sizeof qual, "%s%s", strstr(name, "::") ? "" : "aten::", name);
    pts_buf_printf(b, "Unknown builtin op: %s.\n", qual);
    PtsError err = { 0 };
    Similar found[64];
    int nf = 0;
    if (pts_ops_init(&err) == PTS_OK) {
        const char *last = NULL;   /* rows of one name are adjacent: check each name once */
        for (int i = 0; i < PTS_OP__COUNT && nf < 64; i++) {
            const char *q = pts_op_info[i].schema.qualname;
            if (!q || (last && strcmp(q, last) == 0)) continue;
            last = q;
            size_t d = pts_edit_distance(qual, q, 2);
            if (d > 2) continue;
            bool dup = false;
            for (int k = 0; k < nf && !dup; k++) dup = strcmp(found[k].qual, q) == 0;
            if (!dup) found[nf++] = (Similar){ q, d };
        }
    }
    if (!nf) {
        pts_buf_printf(b, "Could not find any similar ops to %s. This op may not exist or may not be currently "
                       "supported in TorchScript.", qual);
        return;
    }
    qsort(found, (size_t)nf, sizeof found[0], similar_cmp);
    pts_buf_puts(b, "Here are some suggestions: ");
    for (int k = 0; k < nf; k++) pts_buf_printf(b, "\n\t%s", found[k].qual);
}

void pts_nearest_add_tensor_methods(PtsNearest *n) {
    PtsError err = { 0 };
    if (pts_ops_init(&err) != PTS_OK) return;
    for (int i = 0; i < PTS_OP__COUNT; i++)
        if (pts_op_info[i].flags & PTS_F_METHOD) pts_nearest_add(n, pts_op_info[i].schema.name);
}

void pts_nearest_add_functions(PtsNearest *n) {
    PtsError err = { 0 };
    if (pts_ops_init(&err) != PTS_OK) return;
    for (int i = 0; i < PTS_OP__COUNT; i++) {
        const char *nm = pts_op_info[i].schema.name;
        if ((pts_op_info[i].flags & PTS_F_FN) && !strchr(nm, ':')) pts_nearest_add(n, nm);
    }
}

void pts_nearest_add_op_args(PtsNearest *n, const char *name) {
    const int *rows;
    int nr = pts_op_rows_named(name, strlen(name), &rows);
    for (int k = 0; k < nr; k++) {
        const PtsSchema *s = &pts_op_info[rows[k]].schema;
        for (int a = 0; a < s->nargs; a++) pts_nearest_add(n, s->args[a].name);
    }
}
