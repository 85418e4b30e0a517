/* ctag.c: the static types lists and dicts carry at run time (PtsList.type, PtsDict.type), as
 * torch's lists and dicts know their element types: attached where a container is built from a
 * static type (the interpreter's ListConstruct/DictConstruct and list-returning ops, arguments
 * from Python, inferred for Any as torch infers them), read by isinstance and hash's messages. */
#include <stdio.h>

#include "ir.h"

static void release_type(void *t) { pts_type_release((PtsType *)t); }

static void **type_slot(PtsValue v) {
    if (v.tag == PTS_V_LIST) return &pts_as_list(v)->type;
    if (v.tag == PTS_V_DICT) return &pts_as_dict(v)->type;
    return NULL;
}

void pts_value_set_type(PtsValue v, const PtsType *t) {
    void **slot = type_slot(v);
    if (!slot || *slot || !t) return;
    if ((v.tag == PTS_V_LIST) != (t->kind == PTS_TY_LIST) || (v.tag == PTS_V_DICT) != (t->kind == PTS_TY_DICT)) return;
    if (t->kind == PTS_TY_LIST && t->n != 1) return;   /* `list` (any list) says nothing */
    pts_container_type_release_hook = release_type;
    pts_value_type_text_hook = pts_value_type_text;
    *slot = pts_type_retain((PtsType *)t);
}

const PtsType *pts_value_type_tag(PtsValue v) {
    void **slot = type_slot(v);
    return slot ? (const PtsType *)*slot : NULL;
}

/* Same type for isinstance: equal, except that tensor refinements (a traced graph's
 * Float(2, 3)) do not count, as torch compares unrefined types there. */
bool pts_type_same_static(const PtsType *a, const PtsType *b) {
    if (a->kind != b->kind) return false;
    if (a->kind == PTS_TY_TENSOR) return true;
    if (a->kind == PTS_TY_LIST || a->kind == PTS_TY_DICT || a->kind == PTS_TY_OPTIONAL ||
        (a->kind == PTS_TY_UNION) || (a->kind == PTS_TY_TUPLE && !a->name && !b->name)) {
        if (a->n != b->n) return false;
        for (int i = 0; i < a->n; i++) if (!pts_type_same_static(a->elems[i], b->elems[i])) return false;
        return true;
    }
    return pts_type_equal(a, b);
}

/* ---- Any arguments: torch's tryToInferType on the Python value ---- */
static bool is_plain(const PtsType *t) {
    switch (t->kind) {
    case PTS_TY_LIST: case PTS_TY_DICT: case PTS_TY_TUPLE: case PTS_TY_OPTIONAL: case PTS_TY_UNION: case PTS_TY_ANY:
        return false;
    default: return true;
    }
}

static void type_text(PtsBuf *b, const PtsType *t) { pts_buf_init(b); pts_type_print(b, t, true); }

/* unify two element types as torch's list inference does: equal, or T with None (Optional[T]) */
static PtsType *unify(PtsType *a, PtsType *b, PtsBuf *why, const char *what, bool dict) {
    PtsType *r = NULL;
    if (pts_type_same_static(a, b)) r = pts_type_retain(a);
    else if (a->kind == PTS_TY_NONE && b->kind == PTS_TY_OPTIONAL) r = pts_type_retain(b);
    else if (b->kind == PTS_TY_NONE && a->kind == PTS_TY_OPTIONAL) r = pts_type_retain(a);
    else if (a->kind == PTS_TY_NONE && b->kind != PTS_TY_NONE) r = pts_type_optional(b);
    else if (b->kind == PTS_TY_NONE) r = pts_type_optional(a);
    else if (a->kind == PTS_TY_OPTIONAL && pts_type_same_static(a->elems[0], b)) r = pts_type_retain(a);
    else if (b->kind == PTS_TY_OPTIONAL && pts_type_same_static(b->elems[0], a)) r = pts_type_retain(b);
    else {
        PtsBuf ta, tb;
        type_text(&ta, a);
        type_text(&tb, b);
        pts_buf_printf(why, "%s must have consistent %stype. Found %s and %s", what, dict ? "" : "element ", ta.data ? ta.data : "?",
                       tb.data ? tb.data : "?");
        pts_buf_free(&ta);
        pts_buf_free(&tb);
    }
    pts_type_release(a);
    pts_type_release(b);
    return r;
}

/* The type of a value at an Any position (owned), tagging the containers in it; NULL with the
 * reason in why (torch's words), or with why empty when out of memory. tag: attach the types. */
static PtsType *infer_any(PtsValue v, int depth, bool tag, PtsBuf *why) {
    if (depth > 64) { pts_buf_puts(why, "value nests too deeply"); return NULL; }
    switch (v.tag) {
    case PTS_V_NONE: return pts_type_get(PTS_TY_NONE);
    case PTS_V_BOOL: return pts_type_get(PTS_TY_BOOL);
    case PTS_V_INT: return pts_type_get(PTS_TY_INT);
    case PTS_V_DOUBLE: return pts_type_get(PTS_TY_FLOAT);
    case PTS_V_STR: return pts_type_get(PTS_TY_STR);
    case PTS_V_TENSOR: return pts_type_tensor();
    case PTS_V_DEVICE: return pts_type_get(PTS_TY_DEVICE);
    case PTS_V_OBJECT: return pts_type_class(pts_as_object(v)->cls);
    case PTS_V_TUPLE: {
        const PtsList *l = pts_as_list(v);
        if (l->len > 4096) { pts_buf_puts(why, "tuple too long"); return NULL; }
        PtsType **es = pts_calloc((size_t)l->len + 1, sizeof *es);
        if (!es) return NULL;
        PtsType *r = NULL;
        int64_t i = 0;
        for (; i < l->len; i++) if (!(es[i] = infer_any(l->items[i], depth + 1, tag, why))) break;
        if (i == l->len) r = pts_type_tuple((int)l->len, es);
        for (int64_t k = 0; k < i; k++) pts_type_release(es[k]);
        pts_free(es);
        return r;
    }
    case PTS_V_LIST: {
        const PtsList *l = pts_as_list(v);
        if (l->type) return pts_type_retain((PtsType *)l->type);
        if (l->len == 0) { pts_buf_puts(why, "List trace inputs must have elements"); return NULL; }
        PtsType *e = NULL;
        for (int64_t i = 0; i < l->len; i++) {
            PtsBuf inner;
            pts_buf_init(&inner);
            PtsType *x = infer_any(l->items[i], depth + 1, tag, &inner);
            if (!x) {
                if (inner.len) pts_buf_printf(why, "Could not infer type of list element: %s", inner.data);
                pts_buf_free(&inner);
                pts_type_release(e);
                return NULL;
            }
            pts_buf_free(&inner);
            e = e ? unify(e, x, why, "List inputs to traced functions", false) : x;
            if (!e) return NULL;
        }
        PtsType *r = pts_type_list(e);
        pts_type_release(e);
        if (tag) pts_value_set_type(v, r);
        return r;
    }
    case PTS_V_DICT: {
        const PtsDict *d = pts_as_dict(v);
        if (d->type) return pts_type_retain((PtsType *)d->type);
        if (d->len == 0) { pts_buf_puts(why, "Dictionary inputs must have entries"); return NULL; }
        PtsType *k = NULL, *x = NULL;
        for (int64_t i = 0; i < d->len; i++) {
            PtsType *ki = infer_any(d->keys[i], depth + 1, tag, why);
            PtsType *xi = ki ? infer_any(d->vals[i], depth + 1, tag, why) : NULL;
            if (!xi) { pts_type_release(ki); pts_type_release(k); pts_type_release(x); return NULL; }
            k = k ? unify(k, ki, why, "Dictionary inputs to traced functions", true) : ki;
            x = x ? unify(x, xi, why, "Dictionary inputs to traced functions", true) : xi;
            if (!k || !x) { pts_type_release(k); pts_type_release(x); return NULL; }
        }
        PtsType *r = pts_type_dict(k, x);
        pts_type_release(k);
        pts_type_release(x);
        if (r && tag) pts_value_set_type(v, r);
        return r;
    }
    default: pts_buf_puts(why, "Only tensors, lists, tuples of tensors, or dictionary of tensors can be inferred"); return NULL;
    }
}

int pts_value_tag_arg(PtsValue v, const PtsType *t, PtsValue *bad, PtsBuf *why) {
    if (is_plain(t) && t->kind != PTS_TY_ANY) return 0;
    switch (t->kind) {
    case PTS_TY_ANY: case PTS_TY_UNION: {
        if (t->kind == PTS_TY_UNION && v.tag != PTS_V_LIST && v.tag != PTS_V_DICT && v.tag != PTS_V_TUPLE) return 0;
        PtsType *r = infer_any(v, 0, true, why);
        if (!r) { *bad = v; return why->len ? -1 : -2; }
        pts_type_release(r);
        return 0;
    }
    case PTS_TY_OPTIONAL: return v.tag == PTS_V_NONE ? 0 : pts_value_tag_arg(v, t->elems[0], bad, why);
    case PTS_TY_LIST: {
        if (v.tag != PTS_V_LIST || t->n != 1) return 0;
        pts_value_set_type(v, t);
        if (is_plain(t->elems[0])) return 0;
        const PtsList *l = pts_as_list(v);
        for (int64_t i = 0; i < l->len; i++) {
            int r = pts_value_tag_arg(l->items[i], t->elems[0], bad, why);
            if (r) return r;
        }
        return 0;
    }
    case PTS_TY_DICT: {
        if (v.tag != PTS_V_DICT) return 0;
        pts_value_set_type(v, t);
        if (is_plain(t->elems[1])) return 0;
        const PtsDict *d = pts_as_dict(v);
        for (int64_t i = 0; i < d->len; i++) {
            int r = pts_value_tag_arg(d->vals[i], t->elems[1], bad, why);
            if (r) return r;
        }
        return 0;
    }
    case PTS_TY_TUPLE: {
        if (v.tag != PTS_V_TUPLE) return 0;
        const PtsList *l = pts_as_list(v);
        for (int i = 0; i < t->n && i < l->len; i++) {
            int r = pts_value_tag_arg(l->items[i], t->elems[i], bad, why);
            if (r) return r;
        }
        return 0;
    }
    default: return 0;
    }
}

void pts_value_type_text(PtsBuf *b, PtsValue v) {
    if (v.tag == PTS_V_OBJECT) {
        /* torch's ClassType::repr_str: the class and its compilation unit */
        const PtsObject *o = pts_as_object(v);
        pts_buf_printf(b, "%s (of Python compilation unit at: %p)", o->cls->qualname, (void *)o->cls);
        return;
    }
    const PtsType *et;
    if (v.tag == PTS_V_HEAP && pts_enum_get(v, &et, NULL, NULL)) {   /* an enum member: Enum<__torch__.E> */
        pts_type_print(b, et, false);
        return;
    }
    const PtsType *t = pts_value_type_tag(v);
    if (t) { pts_type_print(b, t, true); return; }
    PtsBuf why;
    pts_buf_init(&why);
    PtsType *r = infer_any(v, 0, false, &why);   /* untagged: what the elements say */
    pts_buf_free(&why);
    if (r) pts_type_print(b, r, true);
    else pts_buf_puts(b, v.tag == PTS_V_DICT ? "Dict[str, Tensor]" : "List[Tensor]");
    pts_type_release(r);
}
