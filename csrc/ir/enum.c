/* enum.c: Python Enum classes in TorchScript. An enum class is a PtsClassType with is_enum, its
 * members in const_names/const_values; a member as a value is a refcounted heap value holding the
 * enum type, the member name and its raw value. Also the kernels of the enum rows (ops_enum.def:
 * aten::eq.enum / ne.enum, prim::EnumName, prim::EnumValue) and the printing hook the builtins use
 * (`Enum<Color.RED>`, as torch's EnumHolder prints). */
#include <pthread.h>

#include "ir.h"

typedef struct PtsEnumValue {
    PtsHeap h;
    PtsType *type;      /* +1: the enum class type; type->name is the qualified class name */
    char *name;         /* owned */
    PtsValue value;     /* owned: int, float or str */
} PtsEnumValue;

static void enum_destroy(PtsHeap *h) {
    PtsEnumValue *e = (PtsEnumValue *)h;
    pts_type_release(e->type);
    pts_free(e->name);
    pts_value_release(&e->value);
    pts_free(e);
}

static const PtsEnumValue *as_enum(PtsValue v) {
    return v.tag == PTS_V_HEAP && v.u.h->destroy == enum_destroy ? (const PtsEnumValue *)v.u.h : NULL;
}

/* print(c), str(c), f"{c}": Enum<Color.RED> with the unqualified class name, as torch */
static bool enum_print(PtsBuf *b, const PtsHeap *h) {
    if (h->destroy != enum_destroy) return false;
    const PtsEnumValue *e = (const PtsEnumValue *)h;
    const char *q = e->type->name ? e->type->name : "?", *dot = strrchr(q, '.');
    pts_buf_printf(b, "Enum<%s.%s>", dot ? dot + 1 : q, e->name);
    return true;
}
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static void set_hook(void) { pts_heap_print_hook = enum_print; }

PtsStatus pts_enum_value_new(PtsType *type, const char *name, PtsValue value, PtsError *err, PtsValue *out) {
    *out = pts_none();
    pthread_once(&hook_once, set_hook);   /* enum values exist from here on */
    PtsEnumValue *e = pts_calloc(1, sizeof *e);
    if (!e) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    e->name = pts_strdup(name);
    if (!e->name) { pts_free(e); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    atomic_init(&e->h.refcnt, 1);
    e->h.destroy = enum_destroy;
    e->type = pts_type_retain(type);
    e->value = pts_value_retain(value);
    out->tag = PTS_V_HEAP;
    out->u.h = &e->h;
    return PTS_OK;
}

PtsStatus pts_enum_member(PtsClassType *cls, int i, PtsError *err, PtsValue *out) {
    *out = pts_none();
    if (!cls->is_enum || i < 0 || i >= cls->nconsts) return pts_fail(err, PTS_ERR_INTERNAL, "not an enum member");
    PtsType *t = pts_type_class(cls);
    if (!t) return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
    PtsStatus s = pts_enum_value_new(t, cls->const_names[i], cls->const_values[i], err, out);
    pts_type_release(t);
    return s;
}

bool pts_enum_get(PtsValue v, const PtsType **type, const char **name, PtsValue *value) {
    const PtsEnumValue *e = as_enum(v);
    if (!e) return false;
    if (type) *type = e->type;
    if (name) *name = e->name;
    if (value) *value = e->value;
    return true;
}

int pts_enum_find(const PtsClassType *cls, const char *name) {
    if (!cls->is_enum) return -1;
    for (int i = 0; i < cls->nconsts; i++)
        if (strcmp(cls->const_names[i], name) == 0) return i;
    return -1;
}

PtsType *pts_enum_value_type(const PtsClassType *cls) {
    int tag = cls->nconsts ? cls->const_values[0].tag : PTS_V_INT;
    return pts_type_get(tag == PTS_V_DOUBLE ? PTS_TY_FLOAT : tag == PTS_V_STR ? PTS_TY_STR : PTS_TY_INT);
}

static const char *tag_type_name(int tag) {
    switch (tag) {
    case PTS_V_INT: return "int";
    case PTS_V_DOUBLE: return "float";
    case PTS_V_STR: return "str";
    case PTS_V_BOOL: return "bool";
    case PTS_V_NONE: return "NoneType";
    default: return "Any";
    }
}

PtsStatus pts_enum_define(PtsClassType *cls, int n, const char *const *names, const PtsValue *values, PtsError *err) {
    /* torch unifies the member values' types as a list literal's, then takes int, float or str */
    for (int i = 1; i < n; i++)
        if (values[i].tag != values[0].tag)
            return pts_fail(err, PTS_ERR_COMPILE,
                            "Could not unify type list since element %d of type %s did not match the types before it (%s)",
                            i, tag_type_name(values[i].tag), tag_type_name(values[0].tag));
    int tag = n ? values[0].tag : PTS_V_NONE;
    if (tag != PTS_V_INT && tag != PTS_V_DOUBLE && tag != PTS_V_STR)
        return pts_fail(err, PTS_ERR_COMPILE, "Cannot create Enum with value type '%s', only int, float and string are supported",
                        n ? tag_type_name(tag) : "Any");
    if (cls->nattrs || cls->nmethods || cls->nconsts) return pts_fail(err, PTS_ERR_INTERNAL, "enum class already defined");
    cls->const_names = pts_calloc((size_t)n, sizeof(char *));
    cls->const_values = pts_calloc((size_t)n, sizeof(PtsValue));
    if (!cls->const_names || !cls->const_values) goto nomem;
    for (int i = 0; i < n; i++) {
        if (!(cls->const_names[i] = pts_strdup(names[i]))) goto nomem;
        cls->const_values[i] = pts_value_retain(values[i]);
        cls->nconsts = i + 1;
    }
    cls->is_enum = true;
    return PTS_OK;
nomem:
    for (int i = 0; i < cls->nconsts; i++) { pts_free(cls->const_names[i]); pts_value_release(&cls->const_values[i]); }
    pts_free(cls->const_names);
    pts_free(cls->const_values);
    cls->const_names = NULL;
    cls->const_values = NULL;
    cls->nconsts = 0;
    return pts_fail(err, PTS_ERR_NOMEM, "out of memory");
}

/* ---- kernels of ops_enum.def ---- */
static PtsStatus need_enum(PtsValue v, const PtsEnumValue **out, PtsError *err) {
    if (!(*out = as_enum(v))) return pts_fail(err, PTS_ERR_RUNTIME, "Expected an Enum value");
    return PTS_OK;
}

static bool enum_equal(const PtsEnumValue *a, const PtsEnumValue *b) {
    return strcmp(a->name, b->name) == 0 && a->type->name && b->type->name && strcmp(a->type->name, b->type->name) == 0;
}

PtsStatus k_EQ_ENUM(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsEnumValue *x, *y;
    PTS_TRY(need_enum(a[0], &x, err));
    PTS_TRY(need_enum(a[1], &y, err));
    out[0] = pts_vbool(enum_equal(x, y));
    return PTS_OK;
}

PtsStatus k_NE_ENUM(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsEnumValue *x, *y;
    PTS_TRY(need_enum(a[0], &x, err));
    PTS_TRY(need_enum(a[1], &y, err));
    out[0] = pts_vbool(!enum_equal(x, y));
    return PTS_OK;
}

PtsStatus k_ENUM_NAME(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsEnumValue *x;
    PTS_TRY(need_enum(a[0], &x, err));
    return pts_str_new(x->name, strlen(x->name), err, out);
}

static PtsStatus enum_value(PtsValue *a, PtsValue *out, PtsError *err) {
    const PtsEnumValue *x;
    PTS_TRY(need_enum(a[0], &x, err));
    out[0] = pts_value_retain(x->value);
    return PTS_OK;
}
PtsStatus k_ENUM_VALUE_INT(PtsValue *a, PtsValue *out, PtsError *err) { return enum_value(a, out, err); }
PtsStatus k_ENUM_VALUE_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return enum_value(a, out, err); }
PtsStatus k_ENUM_VALUE_STR(PtsValue *a, PtsValue *out, PtsError *err) { return enum_value(a, out, err); }
