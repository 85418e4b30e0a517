/* k_lang5.c: kernels of ops_lang5.def. `fmt % args` on a str with PyTorch's rules: the
 * specifiers %d %i (a number, a float truncated to a 32-bit int), %f %F %e %E (a number as a
 * 32-bit float, 6 digits), %c (an int's low byte or a one-character str), %s (a str as is, any
 * other value as str() prints it) and %%; no flags, width or precision. args is a tuple (one
 * value per specifier) or a single value; too few or too many values are errors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "builtin.h"

/* the kind name PyTorch's messages give a value ("but got String") */
static const char *tag_kind(PtsValue v) {
    switch (v.tag) {
    case PTS_V_NONE: return "None";
    case PTS_V_BOOL: return "Bool";
    case PTS_V_INT: return "Int";
    case PTS_V_DOUBLE: return "Double";
    case PTS_V_TENSOR: return "Tensor";
    case PTS_V_STR: return "String";
    case PTS_V_LIST: return "GenericList";
    case PTS_V_TUPLE: return "Tuple";
    case PTS_V_DICT: return "GenericDict";
    case PTS_V_OBJECT: return "Object";
    case PTS_V_DEVICE: return "Device";
    case PTS_V_GENERATOR: return "Generator";
    case PTS_V_COMPLEX: return "ComplexDouble";
    default: return "Capsule";
    }
}

static PtsStatus put_arg(PtsBuf *b, char key, PtsValue v, PtsError *err) {
    switch (key) {
    case 'd': case 'i':
        if (v.tag == PTS_V_INT) { pts_buf_printf(b, "%lld", (long long)v.u.i); return PTS_OK; }
        if (v.tag == PTS_V_DOUBLE) {
            /* a C++ static_cast<int>: out of range (and NaN) gives INT_MIN on the machines torch runs on */
            double t = trunc(v.u.d);
            int r = (t >= -2147483648.0 && t <= 2147483647.0) ? (int)t : INT32_MIN;
            pts_buf_printf(b, "%d", r);
            return PTS_OK;
        }
        break;
    case 'e': case 'E': case 'f': case 'F':
        if (v.tag == PTS_V_INT || v.tag == PTS_V_DOUBLE) {
            float f = v.tag == PTS_V_INT ? (float)v.u.i : (float)v.u.d;
            if (key == 'e') pts_buf_printf(b, "%.6e", (double)f);
            else if (key == 'E') pts_buf_printf(b, "%.6E", (double)f);
            else pts_buf_printf(b, "%.6f", (double)f);
            return PTS_OK;
        }
        break;
    case 'c':
        if (v.tag == PTS_V_INT) { char c = (char)(v.u.i & 0xff); pts_buf_putn(b, &c, 1); return PTS_OK; }
        if (v.tag == PTS_V_STR && pts_as_str(v)->len == 1) { pts_buf_putn(b, pts_as_str(v)->data, 1); return PTS_OK; }
        return pts_fail(err, PTS_ERR_RUNTIME, "%%c requires an int or char for formatting, but got %s", tag_kind(v));
    case 's':
        if (v.tag == PTS_V_STR) { pts_buf_putn(b, pts_as_str(v)->data, pts_as_str(v)->len); return PTS_OK; }
        return pts_builtin_print_value(b, v, err);
    default:
        return pts_fail(err, PTS_ERR_RUNTIME, "The specifier %%%c is not supported in TorchScript format strings", key);
    }
    /* PyTorch's number check admits bool and complex and then fails to read them as a double */
    if (v.tag == PTS_V_BOOL || v.tag == PTS_V_COMPLEX)
        return pts_fail(err, PTS_ERR_RUNTIME, "%%%c requires an int or float for formatting, but got %s", key, tag_kind(v));
    return pts_fail(err, PTS_ERR_RUNTIME, "%%%c requires a number for formatting, but got %s", key, tag_kind(v));
}

PtsStatus k_PERCENTFORMAT(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag != PTS_V_STR) return pts_fail(err, PTS_ERR_TYPE, "percentFormat() expects a str");
    const PtsStr *f = pts_as_str(a[0]);
    PtsValue args = a[1];
    bool tuple = args.tag == PTS_V_TUPLE;
    int64_t nargs = tuple ? pts_as_list(args)->len : 1, used = 0;
    PtsBuf b;
    pts_buf_init(&b);
    size_t begin = 0;
    for (;;) {
        const char *p = f->len > begin ? memchr(f->data + begin, '%', f->len - begin) : NULL;
        if (!p) { pts_buf_putn(&b, f->data + begin, f->len - begin); break; }
        size_t at = (size_t)(p - f->data);
        if (at + 1 >= f->len) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_RUNTIME, "Incomplete format specifier"); }
        pts_buf_putn(&b, f->data + begin, at - begin);
        char key = f->data[at + 1];
        begin = at + 2;
        if (key == '%') { pts_buf_putn(&b, "%", 1); continue; }
        if (used >= nargs) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_RUNTIME, "Too few arguments for format string"); }
        PtsValue v = tuple ? pts_as_list(args)->items[used] : args;
        used++;
        PtsStatus s = put_arg(&b, key, v, err);
        if (s) { pts_buf_free(&b); return s; }
    }
    if (used != nargs) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_RUNTIME, "Too many arguments for format string"); }
    if (b.oom) { pts_buf_free(&b); return pts_fail(err, PTS_ERR_NOMEM, "out of memory"); }
    PtsStatus s = pts_str_new(b.data ? b.data : "", b.len, err, out);
    pts_buf_free(&b);
    return s;
}

/* ---- eq/ne of lists ---- */
static PtsStatus item_eq(PtsValue x, PtsValue y, PtsError *err, bool *eq) {
    switch (x.tag) {
    case PTS_V_DOUBLE: *eq = y.tag == PTS_V_DOUBLE && x.u.d == y.u.d; return PTS_OK;
    case PTS_V_BOOL: *eq = y.tag == PTS_V_BOOL && x.u.b == y.u.b; return PTS_OK;
    case PTS_V_STR: {
        const PtsStr *a = pts_as_str(x), *b = pts_as_str(y);
        *eq = y.tag == PTS_V_STR && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
        return PTS_OK;
    }
    case PTS_V_TENSOR: {
        if (y.tag != PTS_V_TENSOR) return pts_fail(err, PTS_ERR_TYPE, "expected a list of tensors");
        PtsValue args[2] = { x, y }, t = pts_none(), b = pts_none();
        PTS_TRY(pts_op_call_untraced(PTS_OP_EQ_TENSOR, args, &t, err));
        PtsStatus s = pts_op_call_untraced(PTS_OP_BOOL_TENSOR, &t, &b, err);
        pts_value_release(&t);
        if (s) return s;
        *eq = b.u.b;
        return PTS_OK;
    }
    default: return pts_fail(err, PTS_ERR_TYPE, "list equality on unexpected items");
    }
}

static PtsStatus lists_eq(PtsValue *a, PtsValue *out, PtsError *err, bool want) {
    if (a[0].tag != PTS_V_LIST || a[1].tag != PTS_V_LIST) return pts_fail(err, PTS_ERR_TYPE, "expected two lists");
    const PtsList *x = pts_as_list(a[0]), *y = pts_as_list(a[1]);
    bool eq = x->len == y->len;
    for (int64_t i = 0; eq && i < x->len; i++) PTS_TRY(item_eq(x->items[i], y->items[i], err, &eq));
    out[0] = pts_vbool(eq == want);
    return PTS_OK;
}
PtsStatus k_EQ_FLOAT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, true); }
PtsStatus k_NE_FLOAT_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, false); }
PtsStatus k_EQ_BOOL_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, true); }
PtsStatus k_NE_BOOL_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, false); }
PtsStatus k_EQ_STR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, true); }
PtsStatus k_NE_STR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, false); }
PtsStatus k_EQ_TENSOR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, true); }
PtsStatus k_NE_TENSOR_LIST(PtsValue *a, PtsValue *out, PtsError *err) { return lists_eq(a, out, err, false); }

/* ---- any/all of int, float and str lists (the bool lists' kernel, k_builtin.c) ---- */
PtsStatus k_ANY_INT(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, true); }
PtsStatus k_ANY_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, true); }
PtsStatus k_ANY_STR(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, true); }
PtsStatus k_ALL_INT(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, false); }
PtsStatus k_ALL_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return pts_builtin_any_all(a, out, err, false); }

/* ---- divmod of mixed int and float: the float divmod of both as floats ---- */
static PtsStatus divmod_mixed(PtsValue *a, PtsValue *out, PtsError *err) {
    PtsValue f[2] = { pts_vdouble(pts_value_to_f64(a[0])), pts_vdouble(pts_value_to_f64(a[1])) };
    return pts_op_call_untraced(PTS_OP_DIVMOD_FLOAT, f, out, err);
}
PtsStatus k_DIVMOD_INT_FLOAT(PtsValue *a, PtsValue *out, PtsError *err) { return divmod_mixed(a, out, err); }
PtsStatus k_DIVMOD_FLOAT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return divmod_mixed(a, out, err); }
