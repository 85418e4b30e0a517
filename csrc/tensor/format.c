/* format.c: tensor printing, character for character as PyTorch 2.13 (torch/_tensor_str.py):
 * one formatter per tensor (integer-valued floats as "1.", scientific notation for wide ranges,
 * common width), 1-D rows wrapped at the line width, "..." summaries past the threshold, and the
 * size=/dtype=/grad_fn= suffixes. Plain C over the strided layout so the standalone runtime and
 * its CLI print the same text as the Python module. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>

#include "tensor.h"

/* ==== options ==== */

static pthread_mutex_t opts_lock = PTHREAD_MUTEX_INITIALIZER;
static PtsPrintOptions opts_now = { 4, 1000.0, 3, 80, -1 };

PtsStatus pts_print_options_profile(const char *profile, PtsPrintOptions *o, PtsError *err) {
    /* torch's profiles change these four fields and leave sci_mode to the caller */
    if (strcmp(profile, "default") == 0) {
        o->precision = 4; o->threshold = 1000; o->edgeitems = 3; o->linewidth = 80;
    } else if (strcmp(profile, "short") == 0) {
        o->precision = 2; o->threshold = 1000; o->edgeitems = 2; o->linewidth = 80;
    } else if (strcmp(profile, "full") == 0) {
        o->precision = 4; o->threshold = INFINITY; o->edgeitems = 3; o->linewidth = 80;
    } else {
        /* torch silently ignores an unknown profile; an error is kinder and cannot be missed */
        return pts_fail(err, PTS_ERR_VALUE,
                        "set_printoptions: profile must be 'default', 'short' or 'full', got '%s'",
                        profile);
    }
    return PTS_OK;
}

void pts_print_options_get(PtsPrintOptions *o) {
    pthread_mutex_lock(&opts_lock);
    *o = opts_now;
    pthread_mutex_unlock(&opts_lock);
}

static PtsStatus check_options(const PtsPrintOptions *o, PtsError *err) {
    PTS_CHECK(o->precision >= 0 && o->precision <= PTS_PRINT_MAX_PRECISION, err, VALUE,
              "set_printoptions: precision must be between 0 and %d, got %d",
              PTS_PRINT_MAX_PRECISION, o->precision);
    PTS_CHECK(!isnan(o->threshold), err, VALUE, "set_printoptions: threshold must not be nan");
    PTS_CHECK(o->edgeitems >= 0, err, VALUE,
              "set_printoptions: edgeitems must be non-negative, got %lld", (long long)o->edgeitems);
    PTS_CHECK(o->sci_mode >= -1 && o->sci_mode <= 1, err, VALUE,
              "set_printoptions: sci_mode must be None, True or False");
    return PTS_OK;
}

PtsStatus pts_print_options_set(const PtsPrintOptions *o, PtsError *err) {
    PTS_TRY(check_options(o, err));
    pthread_mutex_lock(&opts_lock);
    opts_now = *o;
    pthread_mutex_unlock(&opts_lock);
    return PTS_OK;
}

/* ==== the element formatter (torch's _Formatter) ==== */

typedef struct Fmt {
    const PtsTensor *t;
    const PtsPrintOptions *o;
    bool summarize;      /* numel > threshold */
    bool floating;       /* dtype is floating point */
    bool int_mode;       /* every nonzero finite value is integral: print "3." */
    bool sci_mode;       /* "%.{p}e" */
    size_t max_width;    /* common width every element is right-aligned to */
    /* first pass over the nonzero finite values */
    bool any;            /* saw one */
    double min_abs, max_abs;
    PtsBuf scratch;      /* one formatted element */
    int part;            /* complex tensors: 0 formats the real parts, 1 the imaginary; else -1 */
    struct Fmt *imag;    /* complex tensors: the imaginary parts' formatter (torch's formatter2) */
} Fmt;

/* The double an element shows: the value, or one part of a complex value. */
static double fmt_load(const Fmt *f, const char *p) {
    if (f->part < 0) return pts_load_f64(f->t->dtype, p);
    double re, im;
    pts_load_c128(f->t->dtype, p, &re, &im);
    return f->part ? im : re;
}

/* One element, unpadded, into f->scratch: what Python's format() gives for the value that
 * tensor.tolist() returns (a double for floats, an int, or True/False). */
static void format_elem(Fmt *f, const char *p) {
    PtsBuf *b = &f->scratch;
    b->len = 0;
    if (b->data) b->data[0] = 0;
    PtsDType dt = f->t->dtype;
    if (!f->floating) {
        if (dt == PTS_BOOL) pts_buf_puts(b, *(const bool *)p ? "True" : "False");
        else pts_buf_printf(b, "%lld", (long long)pts_load_i64(dt, p));
        return;
    }
    double v = fmt_load(f, p);
    /* Python never prints a sign on nan, and C's printf may ("-nan") */
    if (isnan(v)) { pts_buf_puts(b, "nan"); return; }
    if (isinf(v)) { pts_buf_puts(b, v < 0 ? "-inf" : "inf"); return; }
    if (f->sci_mode) pts_buf_printf(b, "%.*e", f->o->precision, v);
    else if (f->int_mode) pts_buf_printf(b, "%.0f.", v);
    else pts_buf_printf(b, "%.*f", f->o->precision, v);
}

typedef void (*ElemFn)(Fmt *f, const char *p);

/* Visit the elements torch's formatter sees: all of them, or when summarising the ones that
 * get_summarized_data keeps (the printed edges). Its quirks are kept: with edgeitems == 0 a
 * 1-D tensor keeps everything (self[-0:] is the whole tensor) and a deeper one keeps nothing. */
static void visit_summary(Fmt *f, int d, const char *p, ElemFn fn) {
    const PtsTensor *t = f->t;
    if (d == t->ndim) { fn(f, p); return; }
    int64_t n = t->shape[d], e = f->o->edgeitems;
    int64_t step = t->strides[d] * (int64_t)pts_dtype_size(t->dtype);
    bool edges = f->summarize && n > 2 * e;
    if (edges && t->ndim - d >= 2 && e == 0) return;
    if (edges && t->ndim - d == 1 && e == 0) edges = false;
    for (int64_t i = 0; i < n; i++) {
        if (edges && i == e) i = n - e;
        visit_summary(f, d + 1, p + i * step, fn);
    }
}

static void scan_range(Fmt *f, const char *p) {
    double v = fmt_load(f, p);
    if (!isfinite(v) || v == 0) return;
    double a = fabs(v);
    if (!f->any) { f->any = true; f->min_abs = f->max_abs = a; }
    if (a < f->min_abs) f->min_abs = a;
    if (a > f->max_abs) f->max_abs = a;
    if (v != ceil(v)) f->int_mode = false;
}

static void scan_width(Fmt *f, const char *p) {
    if (f->floating) {
        /* only nonzero finite values set the width; nan, inf and 0 may stick out */
        double v = fmt_load(f, p);
        if (!isfinite(v) || v == 0) return;
    }
    format_elem(f, p);
    if (f->scratch.len > f->max_width) f->max_width = f->scratch.len;
}

static void formatter_init(Fmt *f) {
    f->int_mode = true;
    f->sci_mode = false;
    f->max_width = 1;
    f->any = false;
    const char *base = pts_tensor_data(f->t);
    if (f->floating) {
        visit_summary(f, 0, base, scan_range);
        if (!f->any) return;   /* no nonzero finite value: int mode, width 1 */
        if (f->o->sci_mode < 0)
            f->sci_mode = f->max_abs / f->min_abs > 1000.0 || f->max_abs > 1.0e8 ||
                          f->min_abs < 1.0e-4;
        else
            f->sci_mode = f->o->sci_mode == 1;
    }
    visit_summary(f, 0, base, scan_width);
}

/* ==== layout (torch's _tensor_str_with_formatter and _vector_str) ==== */

static void put_spaces(PtsBuf *b, int64_t n) {
    static const char sp[] = "                                ";
    while (n > 0) {
        int64_t k = n < 32 ? n : 32;
        pts_buf_putn(b, sp, (size_t)k);
        n -= k;
    }
}

static void put_elem(Fmt *f, PtsBuf *out, const char *p) {
    format_elem(f, p);
    if (f->scratch.len < f->max_width) put_spaces(out, (int64_t)(f->max_width - f->scratch.len));
    if (f->scratch.data) pts_buf_putn(out, f->scratch.data, f->scratch.len);
    if (f->imag) {
        /* torch: real_str + (formatter2.format(imag) + "j").lstrip(), with a "+" unless that
         * starts with a sign */
        Fmt *g = f->imag;
        format_elem(g, p);
        if (g->scratch.len && g->scratch.data[0] != '-' && g->scratch.data[0] != '+') pts_buf_puts(out, "+");
        if (g->scratch.data) pts_buf_putn(out, g->scratch.data, g->scratch.len);
        pts_buf_puts(out, "j");
    }
}

/* One row: elements ", "-separated, wrapped every elements_per_line items, where the items
 * include the " ..." marker of a summary. */
static void put_vector(Fmt *f, PtsBuf *out, int d, const char *p, int64_t indent) {
    const PtsTensor *t = f->t;
    int64_t n = t->shape[d], e = f->o->edgeitems;
    int64_t step = t->strides[d] * (int64_t)pts_dtype_size(t->dtype);
    /* a complex element adds the imaginary width and the "j" */
    size_t elem = f->max_width + 2 + (f->imag ? f->imag->max_width + 1 : 0);
    double per = floor(((double)f->o->linewidth - (double)indent) / (double)elem);
    int64_t per_line = per < 1 ? 1 : per > 1e15 ? INT64_MAX : (int64_t)per;
    pts_buf_puts(out, "[");
    if (f->summarize && e == 0) {
        pts_buf_puts(out, "...]");
        return;
    }
    bool edges = f->summarize && n > 2 * e;
    int64_t item = 0;
    for (int64_t i = 0; i < n; i++, item++) {
        if (item > 0) {
            if (item % per_line == 0) {
                pts_buf_puts(out, ",\n");
                put_spaces(out, indent + 1);
            } else {
                pts_buf_puts(out, ", ");
            }
        }
        if (edges && i == e) {
            pts_buf_puts(out, " ...");
            i = n - e - 1;   /* the loop's i++ moves to the first tail element */
            continue;
        }
        put_elem(f, out, p + i * step);
    }
    pts_buf_puts(out, "]");
}

static void put_tensor(Fmt *f, PtsBuf *out, int d, const char *p, int64_t indent) {
    const PtsTensor *t = f->t;
    int rest = t->ndim - d;
    if (rest == 0) { put_elem(f, out, p); return; }
    if (rest == 1) { put_vector(f, out, d, p, indent); return; }
    int64_t n = t->shape[d], e = f->o->edgeitems;
    int64_t step = t->strides[d] * (int64_t)pts_dtype_size(t->dtype);
    bool edges = f->summarize && n > 2 * e;
    pts_buf_puts(out, "[");
    /* slices are joined by "," then one newline per remaining dim beyond the row */
    for (int64_t i = 0, k = 0; i < n && !out->oom; i++, k++) {
        if (k > 0) {
            pts_buf_puts(out, ",");
            for (int j = 0; j < rest - 1; j++) pts_buf_puts(out, "\n");
            put_spaces(out, indent + 1);
        }
        if (edges && i == e) {
            pts_buf_puts(out, "...");
            i = n - e - 1;
            continue;
        }
        put_tensor(f, out, d + 1, p + i * step, indent + 1);
    }
    pts_buf_puts(out, "]");
}

/* ==== the whole repr (torch's _str_intern and _add_suffixes) ==== */

/* "size=(2, 0, 3)": Python's str(tuple(shape)), so "(0,)" and "()" */
static void shape_suffix(const PtsTensor *t, char *buf, size_t n) {
    size_t k = (size_t)snprintf(buf, n, "size=(");
    for (int i = 0; i < t->ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld", (long long)t->shape[i]);
    if (k < n) snprintf(buf + k, n - k, t->ndim == 1 ? ",)" : ")");
}

PtsStatus pts_tensor_format(const PtsTensor *t, const PtsPrintOptions *opts, const char *prefix,
                            PtsDType default_dtype, const char *const *suffixes, int nsuffixes,
                            PtsError *err, char **out) {
    *out = NULL;
    PtsPrintOptions now;
    if (!opts) {
        pts_print_options_get(&now);
        opts = &now;
    }
    PTS_TRY(check_options(opts, err));
    PTS_CHECK(nsuffixes >= 0 && (nsuffixes == 0 || suffixes), err, VALUE,
              "format: bad suffix list");
    if (!prefix) prefix = "tensor(";
    int64_t indent = (int64_t)strlen(prefix);

    /* the suffixes torch computes itself: size= and dtype= (at most 20 digits + ", " a dim) */
    char size_sfx[16 + PTS_MAX_DIMS * 24], dtype_sfx[48];
    const char *own[2];
    int nown = 0;
    snprintf(dtype_sfx, sizeof dtype_sfx, "dtype=pyts.%s", pts_dtype_name(t->dtype));
    shape_suffix(t, size_sfx, sizeof size_sfx);

    PtsBuf body;
    pts_buf_init(&body);
    bool cx = pts_dtype_is_complex(t->dtype);
    Fmt f = { .t = t, .o = opts, .floating = pts_dtype_is_float(t->dtype) || cx, .part = cx ? 0 : -1 };
    Fmt g = { .t = t, .o = opts, .floating = true, .part = 1 };
    pts_buf_init(&f.scratch);
    pts_buf_init(&g.scratch);
    if (cx) f.imag = &g;
    pts_buf_puts(&body, prefix);
    int64_t numel = pts_numel(t);
    if (numel == 0) {
        /* empty: the shape unless it is (0,), and the dtype unless it is the default float
         * (nothing shows that an empty tensor holds int64) */
        pts_buf_puts(&body, "[]");
        if (t->ndim != 1) own[nown++] = size_sfx;
        if (t->dtype != default_dtype) own[nown++] = dtype_sfx;
    } else {
        if (opts->edgeitems == 0) own[nown++] = size_sfx;
        if (t->dtype != default_dtype && t->dtype != PTS_INT64 && t->dtype != PTS_BOOL &&
            !(cx && t->dtype == pts_dtype_to_complex(default_dtype)))
            own[nown++] = dtype_sfx;
        f.summarize = g.summarize = (double)numel > opts->threshold;
        formatter_init(&f);
        if (cx) formatter_init(&g);
        put_tensor(&f, &body, 0, pts_tensor_data(t), indent);
    }
    PtsStatus st = PTS_OK;
    if (body.oom || f.scratch.oom || g.scratch.oom) {
        st = pts_fail(err, PTS_ERR_NOMEM, "out of memory while printing a tensor");
        goto done;
    }

    /* torch measures the last line as its length + 2 (rfind returns -1 when there is no newline,
     * else counts the newline and one more); a suffix moves to its own line, indented like the
     * values, when that + its length + 2 passes the line width */
    const char *nl = body.len ? strrchr(body.data, '\n') : NULL;
    int64_t last = (int64_t)body.len - (nl ? (int64_t)(nl - body.data) : -1) + 1;
    for (int i = 0; i < nown + nsuffixes; i++) {
        const char *s = i < nown ? own[i] : suffixes[i - nown];
        if (!s) { st = pts_fail(err, PTS_ERR_VALUE, "format: NULL suffix"); goto done; }
        int64_t len = (int64_t)strlen(s);
        if (last + len + 2 > opts->linewidth) {
            pts_buf_puts(&body, ",\n");
            put_spaces(&body, indent);
            last = indent + len;
        } else {
            pts_buf_puts(&body, ", ");
            last += len + 2;
        }
        pts_buf_puts(&body, s);
    }
    pts_buf_puts(&body, ")");
    *out = pts_buf_steal(&body);
    if (!*out) st = pts_fail(err, PTS_ERR_NOMEM, "out of memory while printing a tensor");
done:
    pts_buf_free(&body);
    pts_buf_free(&f.scratch);
    pts_buf_free(&g.scratch);
    return st;
}
