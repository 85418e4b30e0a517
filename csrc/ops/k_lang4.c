/* k_lang4.c: kernels of ops_lang4.def, the builtins behind the script language's dict(d) (a
 * shallow copy keeping the insertion order) and list(s) of a string (its bytes, one string each,
 * as torch's kernel splits it). */
#include "ops.h"

static PtsStatus dict_of_dict(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag != PTS_V_DICT) return pts_fail(err, PTS_ERR_TYPE, "expected a dict");
    PtsDict *d = pts_as_dict(a[0]);
    PTS_TRY(pts_dict_new(d->len, err, out));
    for (int64_t i = 0; i < d->len; i++) {
        PtsStatus s = pts_dict_set(*out, pts_value_retain(d->keys[i]), pts_value_retain(d->vals[i]), err);
        if (s) { pts_value_release(out); return s; }
    }
    return PTS_OK;
}
PtsStatus k_DICT_DICT_STR(PtsValue *a, PtsValue *out, PtsError *err) { return dict_of_dict(a, out, err); }
PtsStatus k_DICT_DICT_INT(PtsValue *a, PtsValue *out, PtsError *err) { return dict_of_dict(a, out, err); }

PtsStatus k_LIST_STR(PtsValue *a, PtsValue *out, PtsError *err) {
    if (a[0].tag != PTS_V_STR) return pts_fail(err, PTS_ERR_TYPE, "expected a str");
    const PtsStr *s = pts_as_str(a[0]);
    PTS_TRY(pts_list_new(PTS_V_LIST, (int64_t)s->len, err, out));
    for (size_t i = 0; i < s->len; i++) {
        PtsValue c;
        PtsStatus st = pts_str_new(s->data + i, 1, err, &c);
        if (!st) st = pts_list_append(*out, c, err);
        if (st) { pts_value_release(out); return st; }
    }
    return PTS_OK;
}
