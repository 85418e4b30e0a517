/* opindex.c: registry rows by schema name, for the script compiler's overload lookup: a table of
 * row ids sorted by (name, row), built once, so finding the rows named "add" is a binary search
 * rather than a scan of every row. Row order within a name is kept: overloads are tried in it. */
#include <pthread.h>
#include <stdlib.h>

#include "ir.h"

static int by_name[PTS_OP__COUNT];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static bool index_ok;

static int cmp_rows(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    int c = strcmp(pts_op_info[x].schema.name, pts_op_info[y].schema.name);
    return c ? c : (x > y) - (x < y);
}

static void build_index(void) {
    PtsError err = { 0 };
    if (pts_ops_init(&err)) return;   /* schemas not parsed: callers fall back to a scan */
    for (int i = 0; i < PTS_OP__COUNT; i++) by_name[i] = i;
    qsort(by_name, PTS_OP__COUNT, sizeof by_name[0], cmp_rows);
    index_ok = true;
}

/* strcmp of a row's name against the first n bytes of key (key has no NUL within n) */
static int cmp_name(int row, const char *key, size_t n) {
    const char *s = pts_op_info[row].schema.name;
    int c = strncmp(s, key, n);
    if (c) return c;
    return s[n] != 0;   /* the row's name is longer: after key */
}

int pts_op_rows_named(const char *name, size_t n, const int **rows) {
    pthread_once(&index_once, build_index);
    *rows = by_name;
    if (!index_ok) return -1;
    int lo = 0, hi = PTS_OP__COUNT;
    while (lo < hi) {   /* first row whose name is >= key */
        int mid = lo + (hi - lo) / 2;
        if (cmp_name(by_name[mid], name, n) < 0) lo = mid + 1;
        else hi = mid;
    }
    int end = lo;
    while (end < PTS_OP__COUNT && cmp_name(by_name[end], name, n) == 0) end++;
    *rows = by_name + lo;
    return end - lo;
}
