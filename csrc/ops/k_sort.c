/* k_sort.c: sorted() and list.sort() of lists of Tensor, bool and tuples (ops_sort.def) with
 * torch's comparators and libstdc++'s std::sort (introsort + insertion sort), so equal elements
 * that differ (tensors by identity) end in the order torch's interpreter gives them. torch's
 * comparators are not strict orders for tensors (a.lt(b) ^ reverse holds both ways for ties),
 * which sends std::sort's unguarded loops past the list's ends: here every loop is bounded. */
#include <string.h>

#include "ops.h"

typedef struct Cmp {
    int kind;       /* 'T' tensors (sorted), 't' tensors (sort: identity first), 'g' generic */
    bool reverse;
    PtsError *err;
    bool failed;
} Cmp;

/* a < b for tensors: a.lt(b).is_nonzero(), through the registry (broadcasting, dtypes, errors) */
static bool tensor_lt(PtsValue a, PtsValue b, Cmp *c) {
    PtsValue args[2] = { a, b }, r = pts_none(), nz = pts_none();
    if (pts_op_call(PTS_OP_LT_TENSOR, args, &r, c->err)) { c->failed = true; return false; }
    PtsStatus s = pts_op_call(PTS_OP_IS_NONZERO, &r, &nz, c->err);
    pts_value_release(&r);
    if (s) { c->failed = true; return false; }
    return nz.u.b;
}

static bool is_num(PtsValue v) { return v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE || v.tag == PTS_V_BOOL; }

static const char *kind_name(PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: return "NoneType";
    case PTS_V_INT: return "int";
    case PTS_V_DOUBLE: return "float";
    case PTS_V_BOOL: return "bool";
    case PTS_V_STR: return "str";
    case PTS_V_TENSOR: return "Tensor";
    case PTS_V_TUPLE: return "Tuple";
    case PTS_V_LIST: return "List";
    case PTS_V_DICT: return "Dict";
    default: return "Object";
    }
}

/* IValue's a < b as torch's tuple comparison uses it: numbers, strings, tensors, tuples
 * lexicographically; other pairs are refused with torch's message */
static bool value_lt(PtsValue a, PtsValue b, Cmp *c) {
    if (c->failed) return false;
    if (is_num(a) && is_num(b)) {
        if (a.tag == PTS_V_DOUBLE || b.tag == PTS_V_DOUBLE) return pts_value_to_f64(a) < pts_value_to_f64(b);
        return pts_value_to_i64(a) < pts_value_to_i64(b);
    }
    if (a.tag == PTS_V_STR && b.tag == PTS_V_STR) {
        const PtsStr *x = pts_as_str(a), *y = pts_as_str(b);
        size_t n = x->len < y->len ? x->len : y->len;
        int r = memcmp(x->data, y->data, n);
        return r ? r < 0 : x->len < y->len;
    }
    if (a.tag == PTS_V_TENSOR && b.tag == PTS_V_TENSOR) return tensor_lt(a, b, c);
    if (a.tag == PTS_V_TUPLE && b.tag == PTS_V_TUPLE) {
        const PtsList *x = pts_as_list(a), *y = pts_as_list(b);
        int64_t n = x->len < y->len ? x->len : y->len;
        for (int64_t i = 0; i < n; i++) {
            if (value_lt(x->items[i], y->items[i], c)) return true;
            if (c->failed || value_lt(y->items[i], x->items[i], c)) return false;
        }
        return !c->failed && x->len < y->len;
    }
    pts_fail(c->err, PTS_ERR_RUNTIME, "Only values of same type can be compared. Found %s and %s", kind_name(a), kind_name(b));
    c->failed = true;
    return false;
}

static bool same_identity(PtsValue a, PtsValue b) {
    if (a.tag != b.tag) return false;
    if (a.tag == PTS_V_TENSOR) return a.u.t == b.u.t;
    if (pts_is_heap_tag(a.tag)) return a.u.h == b.u.h;
    return false;
}

static bool less(Cmp *c, PtsValue a, PtsValue b) {
    if (c->failed) return false;
    switch (c->kind) {
    case 'T': return tensor_lt(a, b, c);
    case 't': return same_identity(a, b) ? false : tensor_lt(a, b, c) != c->reverse;
    default: return same_identity(a, b) ? false : value_lt(a, b, c) != c->reverse;
    }
}

static void swap(PtsValue *x, PtsValue *y) { PtsValue t = *x; *x = *y; *y = t; }

/* libstdc++'s __insertion_sort on [lo, hi), its unguarded inner loop bounded by lo */
static void insertion_sort(Cmp *c, PtsValue *v, int64_t lo, int64_t hi) {
    for (int64_t i = lo + 1; i < hi && !c->failed; i++) {
        PtsValue x = v[i];
        if (less(c, x, v[lo])) {
            memmove(v + lo + 1, v + lo, sizeof *v * (size_t)(i - lo));
            v[lo] = x;
        } else {
            int64_t j = i;
            while (j > lo && less(c, x, v[j - 1])) { v[j] = v[j - 1]; j--; }
            v[j] = x;
        }
    }
}

static void sift_down(Cmp *c, PtsValue *v, int64_t lo, int64_t i, int64_t n) {
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && less(c, v[lo + m], v[lo + l])) m = l;
        if (l + 1 < n && less(c, v[lo + m], v[lo + l + 1])) m = l + 1;
        if (m == i || c->failed) return;
        swap(&v[lo + i], &v[lo + m]);
        i = m;
    }
}

/* the depth limit's fallback (partial_sort = heap sort); only reached for adversarial inputs */
static void heap_sort(Cmp *c, PtsValue *v, int64_t lo, int64_t hi) {
    int64_t n = hi - lo;
    for (int64_t i = n / 2 - 1; i >= 0; i--) sift_down(c, v, lo, i, n);
    for (int64_t e = n - 1; e > 0 && !c->failed; e--) {
        swap(&v[lo], &v[lo + e]);
        sift_down(c, v, lo, 0, e);
    }
}

static void median_to_first(Cmp *c, PtsValue *v, int64_t r, int64_t a, int64_t b, int64_t d) {
    if (less(c, v[a], v[b])) {
        if (less(c, v[b], v[d])) swap(&v[r], &v[b]);
        else if (less(c, v[a], v[d])) swap(&v[r], &v[d]);
        else swap(&v[r], &v[a]);
    } else if (less(c, v[a], v[d])) swap(&v[r], &v[a]);
    else if (less(c, v[b], v[d])) swap(&v[r], &v[d]);
    else swap(&v[r], &v[b]);
}

static void introsort_loop(Cmp *c, PtsValue *v, int64_t lo, int64_t hi, int depth) {
    while (hi - lo > 16 && !c->failed) {
        if (depth == 0) { heap_sort(c, v, lo, hi); return; }
        depth--;
        median_to_first(c, v, lo, lo + 1, lo + (hi - lo) / 2, hi - 1);
        /* __unguarded_partition around v[lo], bounded */
        int64_t f = lo + 1, l = hi;
        for (;;) {
            while (f < hi && less(c, v[f], v[lo])) f++;
            l--;
            while (l > lo && less(c, v[lo], v[l])) l--;
            if (!(f < l) || c->failed) break;
            swap(&v[f], &v[l]);
            f++;
        }
        introsort_loop(c, v, f, hi, depth);
        hi = f;
    }
}

static PtsStatus std_sort(Cmp *c, PtsList *l) {
    int64_t n = l->len;
    if (n > 1) {
        int lg = 0;
        while ((INT64_C(1) << (lg + 1)) <= n) lg++;
        introsort_loop(c, l->items, 0, n, 2 * lg);
        if (n > 16) {
            insertion_sort(c, l->items, 0, 16);
            /* __unguarded_insertion_sort on the rest: each item moves left while smaller */
            for (int64_t i = 16; i < n && !c->failed; i++) {
                PtsValue x = l->items[i];
                int64_t j = i;
                while (j > 0 && less(c, x, l->items[j - 1])) { l->items[j] = l->items[j - 1]; j--; }
                l->items[j] = x;
            }
        } else insertion_sort(c, l->items, 0, n);
    }
    return c->failed ? c->err->code : PTS_OK;
}

static PtsStatus need_list(PtsValue v, PtsError *err) {
    if (v.tag != PTS_V_LIST) return pts_fail(err, PTS_ERR_TYPE, "expected a list");
    return PTS_OK;
}

/* sort.any / sorted.any: torch sorts tuples (and script objects with __lt__) only */
static PtsStatus check_sortable(const PtsList *l, PtsError *err) {
    if (l->len == 0 || l->items[0].tag == PTS_V_TUPLE) return PTS_OK;
    PtsBuf b;
    pts_buf_init(&b);
    if (pts_value_type_text_hook && (l->items[0].tag == PTS_V_LIST || l->items[0].tag == PTS_V_DICT))
        pts_value_type_text_hook(&b, l->items[0]);
    PtsStatus s = pts_fail(err, PTS_ERR_RUNTIME, "Only list of Tensors, ints, floats, bools, strs, a User Defined Class that "
                           "defines the __lt__ compare method or Tuples of aforementioned types can be sorted, got list of %s",
                           b.data ? b.data : kind_name(l->items[0]));
    pts_buf_free(&b);
    return s;
}

static PtsStatus copy_list(PtsValue src, PtsError *err, PtsValue *out) {
    const PtsList *l = pts_as_list(src);
    PTS_TRY(pts_list_new(PTS_V_LIST, l->len, err, out));
    for (int64_t i = 0; i < l->len; i++) {
        PtsStatus s = pts_list_append(*out, pts_value_retain(l->items[i]), err);
        if (s) { pts_value_release(out); return s; }
    }
    return PTS_OK;
}

static PtsStatus sorted_copy(PtsValue *a, PtsValue *out, PtsError *err, int kind, bool any) {
    PTS_TRY(need_list(a[0], err));
    if (any) PTS_TRY(check_sortable(pts_as_list(a[0]), err));
    PTS_TRY(copy_list(a[0], err, out));
    Cmp c = { kind, false, err, false };
    PtsStatus s = std_sort(&c, pts_as_list(*out));
    if (s) pts_value_release(out);
    return s;
}

static PtsStatus sort_in_place(PtsValue *a, PtsError *err, int kind, bool any) {
    PTS_TRY(need_list(a[0], err));
    if (any) PTS_TRY(check_sortable(pts_as_list(a[0]), err));
    Cmp c = { kind, a[1].tag == PTS_V_BOOL ? a[1].u.b : pts_value_to_i64(a[1]) != 0, err, false };
    return std_sort(&c, pts_as_list(a[0]));
}

PtsStatus k_SORTED_TENSOR(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, 'T', false); }
PtsStatus k_SORTED_BOOL(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, 'g', false); }
PtsStatus k_SORTED_ANY(PtsValue *a, PtsValue *out, PtsError *err) { return sorted_copy(a, out, err, 'g', true); }
PtsStatus k_SORT_TENSOR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, err, 't', false); }
PtsStatus k_SORT_ANY(PtsValue *a, PtsValue *out, PtsError *err) { (void)out; return sort_in_place(a, err, 'g', true); }
