/* type.c: IR types: singletons for simple kinds, refcounted containers and refined tensor types,
 * subtyping, and printing in graph and annotation syntax. Class types and objects live here too. */
#include <pthread.h>
#include <stdio.h>

#include "ir.h"

#define STATIC_REFS (1 << 30)
static PtsType simple[PTS_TY_FUNCTION + 1];
static atomic_flag simple_init = ATOMIC_FLAG_INIT;
static atomic_int simple_ready = 0;

static void init_simple(void) {
    if (atomic_load(&simple_ready)) return;
    if (atomic_flag_test_and_set(&simple_init)) {
        while (!atomic_load(&simple_ready)) {}
        return;
    }
    for (int k = 0; k <= PTS_TY_FUNCTION; k++) {
        memset(&simple[k], 0, sizeof simple[k]);
        atomic_init(&simple[k].refcnt, STATIC_REFS);
        simple[k].kind = (uint8_t)k;
        simple[k].dtype = simple[k].ndim = simple[k].requires_grad = -1;
    }
    atomic_store(&simple_ready, 1);
}

PtsType *pts_type_get(PtsTypeKind k) { init_simple(); return &simple[k]; }
PtsType *pts_type_tensor(void) { return pts_type_get(PTS_TY_TENSOR); }

static bool is_static(const PtsType *t) { return t >= simple && t <= simple + PTS_TY_FUNCTION; }

PtsType *pts_type_retain(PtsType *t) {
    if (t && !is_static(t)) atomic_fetch_add(&t->refcnt, 1);
    return t;
}

void pts_type_release(PtsType *t) {
    if (!t || is_static(t)) return;
    if (atomic_fetch_sub(&t->refcnt, 1) != 1) return;
    for (int i = 0; i < t->n; i++) {
        pts_type_release(t->elems[i]);
        if (t->field_names) pts_free(t->field_names[i]);
    }
    pts_free(t->elems);
    pts_free(t->field_names);
    pts_free(t->sizes);
    pts_free(t->strides);
    pts_free(t->name);
    if (t->owns_cls) pts_class_release(t->cls);
    pts_free(t);
}

static PtsType *type_alloc(PtsTypeKind k, int n) {
    PtsType *t = pts_calloc(1, sizeof *t);
    if (!t) return NULL;
    atomic_init(&t->refcnt, 1);
    t->kind = (uint8_t)k;
    t->dtype = t->ndim = t->requires_grad = -1;
    if (n) {
        t->elems = pts_calloc((size_t)n, sizeof(PtsType *));
        if (!t->elems) { pts_free(t); return NULL; }
        t->n = n;
    }
    return t;
}

PtsType *pts_type_tensor_of(const PtsTensor *x, bool requires_grad) {
    PtsType *t = type_alloc(PTS_TY_TENSOR, 0);
    if (!t) return NULL;
    t->dtype = (int8_t)x->dtype;
    t->ndim = (int8_t)x->ndim;
    t->requires_grad = requires_grad;
    t->sizes = pts_malloc(sizeof(int64_t) * (size_t)(x->ndim ? x->ndim : 1));
    t->strides = pts_malloc(sizeof(int64_t) * (size_t)(x->ndim ? x->ndim : 1));
    if (!t->sizes || !t->strides) { pts_type_release(t); return NULL; }
    for (int i = 0; i < x->ndim; i++) {
        t->sizes[i] = x->shape[i];
        t->strides[i] = x->strides[i];
    }
    return t;
}

static PtsType *container(PtsTypeKind k, int n, PtsType *const *elems) {
    PtsType *t = type_alloc(k, n);
    if (!t) return NULL;
    for (int i = 0; i < n; i++) t->elems[i] = pts_type_retain(elems[i]);
    return t;
}
PtsType *pts_type_list(PtsType *e) { return container(PTS_TY_LIST, 1, &e); }
PtsType *pts_type_optional(PtsType *e) { return container(PTS_TY_OPTIONAL, 1, &e); }
PtsType *pts_type_dict(PtsType *k, PtsType *v) { PtsType *kv[2] = { k, v }; return container(PTS_TY_DICT, 2, kv); }
PtsType *pts_type_tuple(int n, PtsType *const *e) { return container(PTS_TY_TUPLE, n, e); }
PtsType *pts_type_future(PtsType *e) { return container(PTS_TY_FUTURE, 1, &e); }
PtsType *pts_type_await(PtsType *e) { return container(PTS_TY_AWAIT, 1, &e); }

/* torch's TypeKind order (C10_FORALL_TYPES): union members are sorted by it, then by text */
static int torch_kind_rank(const PtsType *t) {
    switch (t->kind) {
    case PTS_TY_ANY: return 0;
    case PTS_TY_TENSOR: return 3;
    case PTS_TY_TUPLE: return pts_type_is_any_tuple(t) ? 34 : 5;
    case PTS_TY_LIST: return t->n == 0 ? 33 : 6;
    case PTS_TY_DICT: return 7;
    case PTS_TY_NUMBER: return 8;
    case PTS_TY_FLOAT: return 9;
    case PTS_TY_COMPLEX: return 10;
    case PTS_TY_FUTURE: return 11;
    case PTS_TY_AWAIT: return 12;
    case PTS_TY_INT: return 14;
    case PTS_TY_NONE: return 15;
    case PTS_TY_STR: return 16;
    case PTS_TY_GENERATOR: return 17;
    case PTS_TY_BOOL: return 19;
    case PTS_TY_OPTIONAL: return 20;
    case PTS_TY_DEVICE: return 22;
    case PTS_TY_FUNCTION: return 24;
    case PTS_TY_CLASS: return t->cls && t->cls->is_enum ? 1 : 25;
    case PTS_TY_SCALARTYPE: return 30;
    case PTS_TY_LAYOUT: return 31;
    case PTS_TY_MEMFORMAT: return 32;
    default: return 39;
    }
}

static int union_order(const PtsType *a, const PtsType *b) {
    int ra = torch_kind_rank(a), rb = torch_kind_rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    PtsBuf x, y;
    pts_buf_init(&x);
    pts_buf_init(&y);
    pts_type_print(&x, a, true);
    pts_type_print(&y, b, true);
    int c = strcmp(x.data ? x.data : "", y.data ? y.data : "");
    pts_buf_free(&x);
    pts_buf_free(&y);
    return c;
}

void pts_type_sort(int n, PtsType **m) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && union_order(m[j - 1], m[j]) > 0; j--) { PtsType *t = m[j]; m[j] = m[j - 1]; m[j - 1] = t; }
}

PtsType *pts_type_union(int n, PtsType *const *elems) {
    /* flatten nested unions and optionals (Optional[T] is T and None) */
    int cap = 0;
    for (int i = 0; i < n; i++)
        cap += elems[i]->kind == PTS_TY_UNION ? elems[i]->n : elems[i]->kind == PTS_TY_OPTIONAL ? 2 : 1;
    if (cap == 0) return NULL;
    PtsType **m = pts_malloc(sizeof *m * (size_t)cap);
    if (!m) return NULL;
    int k = 0;
    for (int i = 0; i < n; i++) {
        PtsType *e = elems[i];
        if (e->kind == PTS_TY_UNION) for (int j = 0; j < e->n; j++) m[k++] = e->elems[j];
        else if (e->kind == PTS_TY_OPTIONAL) { m[k++] = e->elems[0]; m[k++] = pts_type_get(PTS_TY_NONE); }
        else m[k++] = e;
    }
    /* drop members that another member already covers (duplicates, int beside number, refined
     * tensors beside Tensor); two tensor types meet as Tensor */
    for (int i = 0; i < k; i++) {
        if (!m[i]) continue;
        for (int j = 0; j < k; j++) {
            if (i == j || !m[j]) continue;
            /* None stays a member of its own (Optional[Any] is no Any) */
            if ((m[i]->kind == PTS_TY_NONE) != (m[j]->kind == PTS_TY_NONE)) continue;
            if (m[i]->kind == PTS_TY_TENSOR && m[j]->kind == PTS_TY_TENSOR && !pts_type_equal(m[i], m[j])) {
                m[i] = pts_type_tensor();
                m[j] = NULL;
            } else if (pts_type_subtype(m[j], m[i])) m[j] = NULL;
        }
    }
    int w = 0;
    for (int i = 0; i < k; i++) if (m[i]) m[w++] = m[i];
    k = w;
    pts_type_sort(k, m);
    PtsType *r;
    int none = -1;
    for (int i = 0; i < k; i++) if (m[i]->kind == PTS_TY_NONE) none = i;
    if (k == 1) r = pts_type_retain(m[0]);
    else if (k == 2 && none >= 0) r = pts_type_optional(m[1 - none]);
    else r = container(PTS_TY_UNION, k, m);
    pts_free(m);
    return r;
}

/* Does a type made now hold cls? Not when cls's unit is compiling (the type belongs to a graph or
 * class of that unit: a reference would be a cycle), nor for a module class outside units (its
 * objects hold it, and its methods' graphs type self with it; a module interface has no objects,
 * so its types hold it). */
static bool owns_class(const PtsClassType *cls) {
    return cls->unit ? !pts_unit_borrows(cls->unit) : (!cls->is_module || cls->is_interface);
}

PtsType *pts_type_class(PtsClassType *cls) {
    PtsType *t = type_alloc(PTS_TY_CLASS, 0);
    if (!t) return NULL;
    t->cls = cls;
    if (owns_class(cls)) t->owns_cls = pts_class_retain(cls) != NULL;
    t->name = pts_strdup(cls->qualname);
    if (!t->name) { pts_type_release(t); return NULL; }
    return t;
}

PtsType *pts_type_namedtuple(PtsClassType *cls) {
    PtsType *t = type_alloc(PTS_TY_TUPLE, cls->nattrs);
    if (!t) return NULL;
    t->cls = cls;
    if (owns_class(cls)) t->owns_cls = pts_class_retain(cls) != NULL;
    t->name = pts_strdup(cls->qualname);
    t->field_names = cls->nattrs ? pts_calloc((size_t)cls->nattrs, sizeof(char *)) : NULL;
    if (!t->name || (cls->nattrs && !t->field_names)) { pts_type_release(t); return NULL; }
    for (int i = 0; i < cls->nattrs; i++) {
        t->elems[i] = pts_type_retain(cls->attrs[i].type);
        if (!(t->field_names[i] = pts_strdup(cls->attrs[i].name))) { pts_type_release(t); return NULL; }
    }
    return t;
}

PtsType *pts_type_of_class(PtsClassType *cls) {
    return cls->is_namedtuple ? pts_type_namedtuple(cls) : pts_type_class(cls);
}

bool pts_type_equal(const PtsType *a, const PtsType *b) {
    if (a == b) return true;
    if (a->kind != b->kind || a->n != b->n) return false;
    if (a->kind == PTS_TY_CLASS) return a->cls == b->cls;
    if (a->kind == PTS_TY_TUPLE && (a->name || b->name) && !(a->name && b->name && strcmp(a->name, b->name) == 0))
        return false;
    if (a->kind == PTS_TY_TENSOR) {
        if (a->dtype != b->dtype || a->ndim != b->ndim || a->requires_grad != b->requires_grad) return false;
        for (int i = 0; i < a->ndim && a->sizes && b->sizes; i++)
            if (a->sizes[i] != b->sizes[i] || a->strides[i] != b->strides[i]) return false;
        return true;
    }
    for (int i = 0; i < a->n; i++)
        if (!pts_type_equal(a->elems[i], b->elems[i])) return false;
    return true;
}

bool pts_type_subtype(const PtsType *a, const PtsType *b) {
    if (b->kind == PTS_TY_ANY) return true;
    /* a union is a subtype of whatever holds each of its members */
    if (a->kind == PTS_TY_UNION) {
        for (int i = 0; i < a->n; i++) if (!pts_type_subtype(a->elems[i], b)) return false;
        return true;
    }
    if (a->kind == PTS_TY_OPTIONAL && b->kind == PTS_TY_UNION)
        return pts_type_subtype(pts_type_get(PTS_TY_NONE), b) && pts_type_subtype(a->elems[0], b);
    if (a->kind == PTS_TY_TENSOR && b->kind == PTS_TY_TENSOR) return b->dtype < 0 || pts_type_equal(a, b);
    if (b->kind == PTS_TY_OPTIONAL) {
        if (a->kind == PTS_TY_NONE) return true;
        if (a->kind == PTS_TY_OPTIONAL) return pts_type_subtype(a->elems[0], b->elems[0]);
        return pts_type_subtype(a, b->elems[0]);
    }
    if (b->kind == PTS_TY_NUMBER)
        return a->kind == PTS_TY_INT || a->kind == PTS_TY_FLOAT || a->kind == PTS_TY_COMPLEX || a->kind == PTS_TY_NUMBER;
    if (b->kind == PTS_TY_UNION) {
        for (int i = 0; i < b->n; i++) if (pts_type_subtype(a, b->elems[i])) return true;
        return false;
    }
    if (a->kind != b->kind) return false;
    /* a class (or interface) is a subtype of each interface it implements */
    if (a->kind == PTS_TY_CLASS && a->cls && b->cls && b->cls->is_interface) return pts_class_implements(a->cls, b->cls, NULL);
    /* Future[T] is covariant, as torch's FutureType */
    if (a->kind == PTS_TY_FUTURE || a->kind == PTS_TY_AWAIT) return pts_type_subtype(a->elems[0], b->elems[0]);
    if (a->kind == PTS_TY_TUPLE) {
        if (a->n != b->n) return false;
        /* a NamedTuple is a tuple; a plain tuple is no NamedTuple */
        if (b->name && !(a->name && strcmp(a->name, b->name) == 0)) return false;
        for (int i = 0; i < a->n; i++) if (!pts_type_subtype(a->elems[i], b->elems[i])) return false;
        return true;
    }
    return pts_type_equal(a, b);
}

static const char *scalar_type_name(int dt) {
    return pts_dtype_scalar_name((PtsDType)(dt), "Tensor");
}

static _Thread_local PtsClassNamer class_namer;
static _Thread_local void *class_namer_ctx;

void pts_type_set_class_namer(PtsClassNamer fn, void *ctx) {
    class_namer = fn;
    class_namer_ctx = ctx;
}

void pts_type_print(PtsBuf *b, const PtsType *t, bool ann) {
    /* isinstance(x, list) / isinstance(x, tuple): torch's AnyListType / AnyTupleType */
    if (pts_type_is_any_list(t)) { pts_buf_puts(b, "list"); return; }
    if (pts_type_is_any_tuple(t)) { pts_buf_puts(b, "tuple"); return; }
    switch (t->kind) {
    case PTS_TY_TENSOR:
        if (ann || t->dtype < 0) { pts_buf_puts(b, "Tensor"); return; }
        pts_buf_puts(b, scalar_type_name(t->dtype));
        pts_buf_puts(b, "(");
        if (t->ndim >= 0 && t->sizes) {
            for (int i = 0; i < t->ndim; i++) pts_buf_printf(b, "%lld, ", (long long)t->sizes[i]);
            if (t->ndim > 0) {
                pts_buf_puts(b, "strides=[");
                for (int i = 0; i < t->ndim; i++) pts_buf_printf(b, i ? ", %lld" : "%lld", (long long)t->strides[i]);
                pts_buf_puts(b, "], ");
            }
        }
        if (t->requires_grad >= 0) pts_buf_printf(b, "requires_grad=%d, ", t->requires_grad);
        pts_buf_puts(b, "device=cpu)");
        return;
    case PTS_TY_INT: case PTS_TY_SCALARTYPE: case PTS_TY_LAYOUT: case PTS_TY_MEMFORMAT:
        pts_buf_puts(b, "int"); return;
    case PTS_TY_FLOAT: pts_buf_puts(b, "float"); return;
    case PTS_TY_COMPLEX: pts_buf_puts(b, "complex"); return;
    case PTS_TY_BOOL: pts_buf_puts(b, "bool"); return;
    case PTS_TY_STR: pts_buf_puts(b, "str"); return;
    case PTS_TY_NONE: pts_buf_puts(b, "NoneType"); return;
    case PTS_TY_NUMBER: pts_buf_puts(b, ann ? "number" : "Scalar"); return;
    case PTS_TY_DEVICE: pts_buf_puts(b, "Device"); return;
    case PTS_TY_ANY: pts_buf_puts(b, "Any"); return;
    case PTS_TY_GENERATOR: pts_buf_puts(b, "Generator"); return;
    case PTS_TY_FUNCTION: pts_buf_puts(b, "Function"); return;
    case PTS_TY_CLASS: {
        const char *nm = class_namer ? class_namer(t, class_namer_ctx) : NULL;
        if (!ann && t->cls && t->cls->is_interface) {
            /* torch's InterfaceType::str(): the unqualified name */
            const char *dot = strrchr(t->name, '.');
            pts_buf_printf(b, "InterfaceType<%s>", dot ? dot + 1 : t->name);
            return;
        }
        if (!ann && t->cls && t->cls->is_enum) { pts_buf_printf(b, "Enum<%s>", nm ? nm : t->name); return; }
        pts_buf_puts(b, nm ? nm : t->name);
        return;
    }
    case PTS_TY_OPTIONAL:
        if (ann) { pts_buf_puts(b, "Optional["); pts_type_print(b, t->elems[0], ann); pts_buf_puts(b, "]"); }
        else { pts_type_print(b, t->elems[0], ann); pts_buf_puts(b, "?"); }
        return;
    case PTS_TY_FUTURE:
        pts_buf_puts(b, "Future[");
        pts_type_print(b, t->elems[0], ann);
        pts_buf_puts(b, "]");
        return;
    case PTS_TY_AWAIT:   /* torch's AwaitType: Await[T] in code, Await(T) in graphs */
        pts_buf_puts(b, ann ? "Await[" : "Await(");
        pts_type_print(b, t->elems[0], ann);
        pts_buf_puts(b, ann ? "]" : ")");
        return;
    case PTS_TY_LIST:
        if (ann) { pts_buf_puts(b, "List["); pts_type_print(b, t->elems[0], ann); pts_buf_puts(b, "]"); }
        else { pts_type_print(b, t->elems[0], ann); pts_buf_puts(b, "[]"); }
        return;
    case PTS_TY_DICT:
        pts_buf_puts(b, ann ? "Dict[" : "Dict(");
        pts_type_print(b, t->elems[0], ann);
        pts_buf_puts(b, ", ");
        pts_type_print(b, t->elems[1], ann);
        pts_buf_puts(b, ann ? "]" : ")");
        return;
    case PTS_TY_UNION:
        pts_buf_puts(b, ann ? "Union[" : "Union(");
        for (int i = 0; i < t->n; i++) { if (i) pts_buf_puts(b, ", "); pts_type_print(b, t->elems[i], ann); }
        pts_buf_puts(b, ann ? "]" : ")");
        return;
    case PTS_TY_TUPLE:
        if (t->name && ann) {
            const char *nm = class_namer && t->cls ? class_namer(t, class_namer_ctx) : NULL;
            pts_buf_puts(b, nm ? nm : t->name);
            return;
        }
        if (t->name && t->field_names) {
            /* graphs spell NamedTuples by their fields: NamedTuple(x : Tensor, y : int) */
            pts_buf_puts(b, "NamedTuple(");
            for (int i = 0; i < t->n; i++) {
                pts_buf_printf(b, i ? ", %s : " : "%s : ", t->field_names[i]);
                pts_type_print(b, t->elems[i], ann);
            }
            pts_buf_puts(b, ")");
            return;
        }
        pts_buf_puts(b, ann ? "Tuple[" : "(");
        if (ann && t->n == 0) pts_buf_puts(b, "()");
        for (int i = 0; i < t->n; i++) { if (i) pts_buf_puts(b, ", "); pts_type_print(b, t->elems[i], ann); }
        pts_buf_puts(b, ann ? "]" : ")");
        return;
    }
}

PtsType *pts_type_from_arg(PtsArgType a) {
    PtsTypeKind k;
    switch (a.kind) {
    case PTS_T_TENSOR: k = PTS_TY_TENSOR; break;
    case PTS_T_INT: k = PTS_TY_INT; break;
    case PTS_T_FLOAT: k = PTS_TY_FLOAT; break;
    case PTS_T_BOOL: k = PTS_TY_BOOL; break;
    case PTS_T_SCALAR: k = PTS_TY_NUMBER; break;
    case PTS_T_COMPLEX: k = PTS_TY_COMPLEX; break;
    case PTS_T_SCALARTYPE: k = PTS_TY_SCALARTYPE; break;
    case PTS_T_LAYOUT: k = PTS_TY_LAYOUT; break;
    case PTS_T_DEVICE: k = PTS_TY_DEVICE; break;
    case PTS_T_MEMFORMAT: k = PTS_TY_MEMFORMAT; break;
    case PTS_T_STR: k = PTS_TY_STR; break;
    case PTS_T_GENERATOR: k = PTS_TY_GENERATOR; break;
    default: k = PTS_TY_ANY; break;
    }
    PtsType *t = pts_type_get(k), *r;
    if (a.is_list) {
        PtsType *e = a.elem_optional ? pts_type_optional(t) : pts_type_retain(t);
        if (!e) return NULL;
        r = pts_type_list(e);
        pts_type_release(e);
        t = r;
    } else t = pts_type_retain(t);
    if (!t) return NULL;
    if (a.optional) {
        r = pts_type_optional(t);
        pts_type_release(t);
        t = r;
    }
    return t;
}

/* ================= run-time type tests ================= */
bool pts_type_is_any_list(const PtsType *t) { return t->kind == PTS_TY_LIST && t->n == 0; }
bool pts_type_is_any_tuple(const PtsType *t) {
    return t->kind == PTS_TY_TUPLE && t->n == 0 && !t->cls && t->name && strcmp(t->name, "tuple") == 0;
}

PtsType *pts_type_any_container(PtsTypeKind k) {
    PtsType *t = type_alloc(k, 0);
    if (t && k == PTS_TY_TUPLE && !(t->name = pts_strdup("tuple"))) { pts_type_release(t); return NULL; }
    return t;
}

bool pts_value_isinstance(PtsValue v, const PtsType *t) {
    switch (t->kind) {
    case PTS_TY_ANY: return true;
    case PTS_TY_TENSOR: return v.tag == PTS_V_TENSOR;
    case PTS_TY_INT: case PTS_TY_SCALARTYPE: case PTS_TY_LAYOUT: case PTS_TY_MEMFORMAT: return v.tag == PTS_V_INT;
    case PTS_TY_FLOAT: return v.tag == PTS_V_DOUBLE;
    case PTS_TY_BOOL: return v.tag == PTS_V_BOOL;
    case PTS_TY_STR: return v.tag == PTS_V_STR;
    case PTS_TY_NONE: return v.tag == PTS_V_NONE;
    case PTS_TY_DEVICE: return v.tag == PTS_V_DEVICE;
    case PTS_TY_GENERATOR: return v.tag == PTS_V_GENERATOR;
    case PTS_TY_NUMBER: return v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE || v.tag == PTS_V_COMPLEX;
    case PTS_TY_COMPLEX: return v.tag == PTS_V_COMPLEX;
    case PTS_TY_OPTIONAL: return v.tag == PTS_V_NONE || pts_value_isinstance(v, t->elems[0]);
    case PTS_TY_UNION:
        for (int i = 0; i < t->n; i++) if (pts_value_isinstance(v, t->elems[i])) return true;
        return false;
    case PTS_TY_LIST: {
        /* an untagged list (built where no static type was known): the elements decide */
        if (v.tag != PTS_V_LIST) return false;
        if (t->n == 0) return true;
        const PtsList *l = pts_as_list(v);
        if (l->type) return pts_type_same_static(l->type, t);   /* its static type (ctag.c) decides */
        for (int64_t i = 0; i < l->len; i++) if (!pts_value_isinstance(l->items[i], t->elems[0])) return false;
        return true;
    }
    case PTS_TY_TUPLE: {
        if (v.tag != PTS_V_TUPLE) return false;
        if (pts_type_is_any_tuple(t)) return true;
        const PtsList *l = pts_as_list(v);
        if (l->len != t->n) return false;
        for (int i = 0; i < t->n; i++) if (!pts_value_isinstance(l->items[i], t->elems[i])) return false;
        return true;
    }
    case PTS_TY_DICT: {
        if (v.tag != PTS_V_DICT) return false;
        const PtsDict *d = pts_as_dict(v);
        if (d->type) return pts_type_same_static(d->type, t);
        for (int64_t i = 0; i < d->len; i++)
            if (!pts_value_isinstance(d->keys[i], t->elems[0]) || !pts_value_isinstance(d->vals[i], t->elems[1]))
                return false;
        return true;
    }
    case PTS_TY_FUTURE: return pts_is_future(v);
    case PTS_TY_AWAIT: return pts_is_await(v);
    case PTS_TY_CLASS: {
        if (t->cls && t->cls->is_enum) {
            const PtsType *et;
            return pts_enum_get(v, &et, NULL, NULL) && et->name && strcmp(et->name, t->name) == 0;
        }
        if (v.tag != PTS_V_OBJECT) return false;
        const PtsObject *o = pts_as_object(v);
        if (t->cls && t->cls->is_interface) return pts_class_implements(o->cls, t->cls, NULL);
        return t->cls ? o->cls == t->cls : t->name && strcmp(o->cls->qualname, t->name) == 0;
    }
    default: return false;
    }
}

/* ================= classes ================= */
PtsClassType *pts_class_new(const char *qualname, bool is_module) {
    PtsClassType *c = pts_calloc(1, sizeof *c);
    if (!c) return NULL;
    atomic_init(&c->refcnt, 1);
    c->qualname = pts_strdup(qualname);
    if (!c->qualname) { pts_free(c); return NULL; }
    c->is_module = is_module;
    pts_ir_live_add(1, 1);
    if (!pts_unit_adopt_class(c)) { pts_class_release(c); return NULL; }
    return c;
}

PtsClassType *pts_class_retain(PtsClassType *c) {
    if (c && c->unit) pts_unit_retain(c->unit);
    else if (c) atomic_fetch_add(&c->refcnt, 1);
    return c;
}

void pts_class_release(PtsClassType *c) {
    if (!c) return;
    if (c->unit) { pts_unit_release(c->unit); return; }
    if (atomic_fetch_sub(&c->refcnt, 1) != 1) return;
    pts_class_clear(c);
    pts_free(c);
    pts_ir_live_add(1, -1);
}

/* a method of the class's own unit is borrowed (the unit owns both) */
static bool owns_method(const PtsClassType *c, const PtsFunction *f) { return !f->unit || f->unit != c->unit; }

void pts_class_clear(PtsClassType *c) {
    for (int i = 0; i < c->nattrs; i++) {
        pts_free(c->attrs[i].name);
        pts_type_release(c->attrs[i].type);
    }
    pts_free(c->attrs);
    for (int i = 0; i < c->nmethods; i++)
        if (owns_method(c, c->methods[i])) pts_function_release(c->methods[i]);
    pts_free(c->methods);
    for (int i = 0; i < c->nconsts; i++) {
        pts_free(c->const_names[i]);
        pts_value_release(&c->const_values[i]);
    }
    pts_free(c->const_names);
    pts_free(c->const_values);
    for (int i = 0; i < c->ndefaults; i++) pts_value_release(&c->defaults[i]);
    pts_free(c->defaults);
    pts_free(c->qualname);
    c->nattrs = c->nmethods = c->nconsts = c->ndefaults = 0;
    c->attrs = NULL;
    c->methods = NULL;
    c->const_names = NULL;
    c->const_values = c->defaults = NULL;
    c->qualname = NULL;
}

int pts_class_add_attr(PtsClassType *c, const char *name, PtsType *type, PtsAttrKind kind) {
    if (c->nattrs == c->cap_attrs) {
        int cap = c->cap_attrs ? c->cap_attrs * 2 : 8;
        PtsClassAttr *n = pts_realloc(c->attrs, sizeof *n * (size_t)cap);
        if (!n) { pts_type_release(type); return -1; }
        c->attrs = n;
        c->cap_attrs = cap;
    }
    char *nm = pts_strdup(name);
    if (!nm) { pts_type_release(type); return -1; }
    c->attrs[c->nattrs] = (PtsClassAttr){ nm, type, (uint8_t)kind };
    return c->nattrs++;
}

int pts_class_find_attr(const PtsClassType *c, const char *name) {
    for (int i = 0; i < c->nattrs; i++)
        if (strcmp(c->attrs[i].name, name) == 0) return i;
    return -1;
}

PtsStatus pts_class_add_method(PtsClassType *c, PtsFunction *f, PtsError *err) {
    if (c->nmethods == c->cap_methods) {
        int cap = c->cap_methods ? c->cap_methods * 2 : 4;
        PtsFunction **n = pts_realloc(c->methods, sizeof *n * (size_t)cap);
        if (!n) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
        c->methods = n;
        c->cap_methods = cap;
    }
    c->methods[c->nmethods++] = f;
    if (owns_method(c, f)) pts_function_retain(f);
    return PTS_OK;
}

PtsFunction *pts_class_find_method(const PtsClassType *c, const char *name) {
    for (int i = 0; i < c->nmethods; i++)
        if (strcmp(c->methods[i]->name, name) == 0) return c->methods[i];
    return NULL;
}

/* ================= objects ================= */
static void object_destroy(PtsHeap *h) {
    PtsObject *o = (PtsObject *)h;
    for (int i = 0; i < o->nslots; i++) pts_value_release(&o->slots[i]);
    pts_class_release(o->cls);
    pts_free(o);
}

static const char *object_qualname(const PtsHeap *h) {
    return h->destroy == object_destroy ? ((const PtsObject *)h)->cls->qualname : NULL;
}
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static void set_hook(void) { pts_object_qualname_hook = object_qualname; pts_value_type_text_hook = pts_value_type_text; }

PtsStatus pts_object_new(PtsClassType *cls, PtsError *err, PtsValue *out) {
    *out = pts_none();
    pthread_once(&hook_once, set_hook);   /* objects exist from here on */
    PtsObject *o = pts_malloc(sizeof *o + sizeof(PtsValue) * (size_t)cls->nattrs);
    if (!o) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    atomic_init(&o->h.refcnt, 1);
    o->h.destroy = object_destroy;
    o->cls = pts_class_retain(cls);
    o->nslots = cls->nattrs;
    for (int i = 0; i < o->nslots; i++) o->slots[i] = pts_none();
    out->tag = PTS_V_OBJECT;
    out->u.h = &o->h;
    return PTS_OK;
}
