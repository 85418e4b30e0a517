/* pyts_run.c: the pyts-run command. Loads a TorchScript archive through the public pyts.h API,
 * reads .npy inputs, runs a method and writes every output (tuples and lists flattened in order)
 * to PREFIXk.npy; --info describes the archive without running it, --bench times calls.
 * Exit status: 0 success, 1 failure (message on stderr), 2 usage error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npy.h"

static const char USAGE[] =
    "usage: pyts-run MODEL INPUT... [-o PREFIX] [--method NAME] [--threads N] [--bench N]\n"
    "       pyts-run --info MODEL\n"
    "\n"
    "Runs a method of a TorchScript archive (saved by pyts.jit.save or torch.jit.save) without Python.\n"
    "  INPUT          a .npy file (float16/32/64, int8/16/32/64, uint8, bool; C or Fortran order),\n"
    "                 or int:N, float:X, bool:true|false for scalar arguments\n"
    "  -o PREFIX      write output k to PREFIXk.npy (default: out)\n"
    "  --method NAME  the method to call (default: forward)\n"
    "  --threads N    threads a matrix product may use\n"
    "  --bench N      also time N more calls and report the latency per call\n"
    "  --info         print the module hierarchy, the methods with their signatures and code\n"
    "Exit status: 0 success, 1 error, 2 usage error.\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "pyts-run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return 2;
}

static int error(const char *what, const char *msg) {
    fprintf(stderr, "pyts-run: %s%s%s\n", what, what[0] ? ": " : "", msg);
    return 1;
}

static int parse_count(const char *s, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > INT_MAX) return -1;
    *out = v;
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* {==================== --info ==================== */
static void print_indented(const char *text, const char *pad) {
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("%s%.*s\n", pad, (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void print_tree(const pyts_module *m, const char *name, int depth) {
    printf("%*s%s: %s\n", 2 * depth, "", name, pyts_module_class_name(m));
    for (int i = 0; i < pyts_module_num_children(m); i++)
        print_tree(pyts_module_child(m, i), pyts_module_child_name(m, i), depth + 1);
}

/* each class once, in the order of a depth-first walk */
static int seen_class(const char **seen, int n, const char *cls) {
    for (int i = 0; i < n; i++)
        if (strcmp(seen[i], cls) == 0) return 1;
    return 0;
}

static void print_methods(const pyts_module *m, const char **seen, int *nseen, int cap) {
    const char *cls = pyts_module_class_name(m);
    if (!seen_class(seen, *nseen, cls) && *nseen < cap) {
        seen[(*nseen)++] = cls;
        printf("\nclass %s:\n", cls);
        int nm = pyts_module_num_methods(m);
        if (nm == 0) printf("  (no methods)\n");
        for (int i = 0; i < nm; i++) {
            const char *err = pyts_module_method_error(m, i);
            if (err) {
                printf("  %s  [not compiled]\n", pyts_module_method_name(m, i));
                print_indented(err, "    | ");
            } else printf("  %s\n", pyts_module_method_signature(m, i));
            const char *code = pyts_module_method_code(m, i);
            if (code) print_indented(code, "      ");
        }
    }
    for (int i = 0; i < pyts_module_num_children(m); i++) print_methods(pyts_module_child(m, i), seen, nseen, cap);
}

static int info(const char *path) {
    pyts_module *m = pyts_module_load(path);
    if (!m) return error("", pyts_last_error());
    printf("module hierarchy:\n");
    print_tree(m, "(root)", 1);
    enum { MAX_CLASSES = 4096 };
    const char **seen = malloc(sizeof *seen * MAX_CLASSES);
    if (!seen) { pyts_module_free(m); return error("", "out of memory"); }
    int nseen = 0;
    print_methods(m, seen, &nseen, MAX_CLASSES);
    free(seen);
    pyts_module_free(m);
    return 0;
}
/* }==================== */

/* {==================== outputs ==================== */
typedef struct Outputs {
    pyts_value **v;
    int n, cap;
} Outputs;

/* tuples and lists flattened in order; other values kept as they are */
static int flatten(const pyts_value *v, Outputs *o, int depth) {
    pyts_kind k = pyts_value_kind(v);
    if ((k == PYTS_KIND_TUPLE || k == PYTS_KIND_LIST) && depth < 100) {
        int64_t n = pyts_value_len(v);
        for (int64_t i = 0; i < n; i++) {
            pyts_value *it = pyts_value_item(v, i);
            if (!it) return -1;
            int r = flatten(it, o, depth + 1);
            pyts_value_free(it);
            if (r) return r;
        }
        return 0;
    }
    if (o->n == o->cap) {
        int cap = o->cap ? o->cap * 2 : 8;
        pyts_value **v2 = realloc(o->v, sizeof *v2 * (size_t)cap);
        if (!v2) return -1;
        o->v = v2;
        o->cap = cap;
    }
    if (!(o->v[o->n] = pyts_value_ref(v))) return -1;
    o->n++;
    return 0;
}

static void print_first_values(const pyts_value *t) {
    int dt = pyts_tensor_dtype(t);
    int64_t numel = pyts_tensor_numel(t);
    int64_t show = numel < 6 ? numel : 6;
    if (show <= 0) return;
    /* the first elements in C order, read through a small converting copy */
    size_t isz = pyts_dtype_size(dt);
    unsigned char *buf = malloc((size_t)numel * isz);
    if (!buf || pyts_tensor_copy_to(t, buf, (size_t)numel * isz)) { free(buf); return; }
    for (int64_t i = 0; i < show; i++) {
        const unsigned char *p = buf + (size_t)i * isz;
        double d = 0;
        int64_t l = 0;
        int is_int = 1;
        switch (dt) {
        case PYTS_FLOAT32: { float f; memcpy(&f, p, 4); d = f; is_int = 0; break; }
        case PYTS_FLOAT64: memcpy(&d, p, 8); is_int = 0; break;
        case PYTS_FLOAT16: case PYTS_BFLOAT16: {
            uint16_t h;
            memcpy(&h, p, 2);
            if (dt == PYTS_BFLOAT16) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); d = f; }
            else {
                int e = (h >> 10) & 31, mant = h & 1023;
                double v = e == 0 ? mant / 1024.0 / 16384.0 : e == 31 ? (mant ? 0.0 / 0.0 : 1.0 / 0.0)
                                                                        : (1 + mant / 1024.0) * (double)(1 << e) / 32768.0;
                d = (h >> 15) ? -v : v;
            }
            is_int = 0;
            break;
        }
        case PYTS_INT64: memcpy(&l, p, 8); break;
        case PYTS_INT32: { int32_t x; memcpy(&x, p, 4); l = x; break; }
        case PYTS_INT16: { int16_t x; memcpy(&x, p, 2); l = x; break; }
        case PYTS_INT8: l = (int8_t)p[0]; break;
        case PYTS_UINT8: l = p[0]; break;
        case PYTS_BOOL: l = p[0] != 0; break;
        default: break;
        }
        if (is_int) printf(" %lld", (long long)l);
        else printf(" %.6g", d);
    }
    if (numel > show) printf(" ...");
    free(buf);
}

static int write_outputs(const pyts_value *result, const char *prefix) {
    Outputs o = { 0 };
    int rc = 0;
    if (flatten(result, &o, 0)) {
        rc = error("", pyts_last_status() ? pyts_last_error() : "out of memory");
        goto done;
    }
    for (int k = 0; k < o.n; k++) {
        const pyts_value *v = o.v[k];
        pyts_kind kind = pyts_value_kind(v);
        if (kind == PYTS_KIND_TENSOR) {
            char path[4096], msg[1024];
            if (snprintf(path, sizeof path, "%s%d.npy", prefix, k) >= (int)sizeof path) { rc = error("", "output path too long"); goto done; }
            if (npy_save(path, v, msg, sizeof msg)) { rc = error("", msg); goto done; }
            printf("output %d: %s [", k, pyts_dtype_name(pyts_tensor_dtype(v)));
            const int64_t *shape = pyts_tensor_shape(v);
            for (int i = 0; i < pyts_tensor_ndim(v); i++) printf(i ? ", %lld" : "%lld", (long long)shape[i]);
            printf("]");
            print_first_values(v);
            printf(" -> %s\n", path);
        } else if (kind == PYTS_KIND_INT || kind == PYTS_KIND_BOOL) {
            int64_t i = 0;
            pyts_value_get_int(v, &i);
            printf("output %d: %s %lld\n", k, kind == PYTS_KIND_INT ? "int" : "bool", (long long)i);
        } else if (kind == PYTS_KIND_FLOAT) {
            double d = 0;
            pyts_value_get_float(v, &d);
            printf("output %d: float %.17g\n", k, d);
        } else if (kind == PYTS_KIND_STR) {
            printf("output %d: str %s\n", k, pyts_value_get_str(v));
        } else if (kind == PYTS_KIND_NONE) {
            printf("output %d: None\n", k);
        } else {
            printf("output %d: (a value of another kind, not written)\n", k);
        }
    }
done:
    for (int k = 0; k < o.n; k++) pyts_value_free(o.v[k]);
    free(o.v);
    return rc;
}
/* }==================== */

/* an argument given on the command line: a .npy file or a scalar literal */
static pyts_value *input_value(const char *arg, char *msg, size_t msgn) {
    if (strncmp(arg, "int:", 4) == 0 || strncmp(arg, "float:", 6) == 0) {
        int is_int = arg[0] == 'i';
        const char *s = arg + (is_int ? 4 : 6);
        char *end;
        errno = 0;
        pyts_value *v = NULL;
        if (is_int) {
            long long x = strtoll(s, &end, 10);
            if (!errno && end != s && !*end) v = pyts_int(x);
        } else {
            double x = strtod(s, &end);
            if (!errno && end != s && !*end) v = pyts_float(x);
        }
        if (!v) snprintf(msg, msgn, "bad scalar argument '%s'", arg);
        return v;
    }
    if (strcmp(arg, "bool:true") == 0 || strcmp(arg, "bool:false") == 0) return pyts_bool(arg[5] == 't');
    pyts_value *t;
    if (npy_load(arg, &t, msg, msgn)) return NULL;
    return t;
}

int main(int argc, char **argv) {
    const char *model = NULL, *prefix = "out", *method = "forward";
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int ninputs = 0, do_info = 0;
    long threads = 0, bench = 0;
    if (!inputs) return error("", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { fputs(USAGE, stdout); free(inputs); return 0; }
        if (strcmp(a, "--info") == 0) { do_info = 1; continue; }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--method") == 0 || strcmp(a, "--threads") == 0 || strcmp(a, "--bench") == 0) {
            if (!has_next) { free(inputs); return usage_error("option %s needs a value", a); }
            const char *v = argv[++i];
            if (a[1] == 'o') prefix = v;
            else if (a[2] == 'm') method = v;
            else if (parse_count(v, a[2] == 't' ? &threads : &bench)) {
                free(inputs);
                return usage_error("option needs a positive integer, got '%s'", v);
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (!model) model = argv[i];
                else inputs[ninputs++] = argv[i];
            }
            break;
        }
        if (a[0] == '-' && a[1]) { free(inputs); return usage_error("unknown option '%s'", a); }
        if (!model) model = a;
        else inputs[ninputs++] = a;
    }
    if (!model) { free(inputs); return usage_error("%smissing MODEL", ""); }
    if (do_info) {
        const char *extra = ninputs ? inputs[0] : NULL;
        free(inputs);
        if (extra) return usage_error("--info takes only the MODEL, got '%s' too", extra);
        return info(model);
    }
    if (!prefix[0]) { free(inputs); return usage_error("%sthe output prefix is empty", ""); }
    if (threads && pyts_set_num_threads((int)threads)) { free(inputs); return error("", pyts_last_error()); }

    int rc = 0;
    double t0 = now();
    pyts_module *m = pyts_module_load(model);
    double t_load = now() - t0;
    pyts_value **args = calloc((size_t)ninputs + 1, sizeof *args);
    pyts_value *result = NULL;
    if (!m) { rc = error("", pyts_last_error()); goto done; }
    if (!args) { rc = error("", "out of memory"); goto done; }
    for (int i = 0; i < ninputs; i++) {
        char msg[1024];
        if (!(args[i] = input_value(inputs[i], msg, sizeof msg))) { rc = error("", msg); goto done; }
    }
    t0 = now();
    result = pyts_module_call(m, method, args, ninputs);
    double t_first = now() - t0;
    if (!result) { rc = error(method, pyts_last_error()); goto done; }
    rc = write_outputs(result, prefix);
    if (!rc && bench) {
        double total = 0, best = 1e300;
        for (long r = 0; r < bench; r++) {
            t0 = now();
            pyts_value *again = pyts_module_call(m, method, args, ninputs);
            double dt = now() - t0;
            if (!again) { rc = error(method, pyts_last_error()); goto done; }
            pyts_value_free(again);
            total += dt;
            if (dt < best) best = dt;
        }
        printf("bench: load %.3f ms, first call %.3f ms, %ld calls: mean %.3f ms, min %.3f ms per call "
               "(%d BLAS threads, %s)\n", t_load * 1e3, t_first * 1e3, bench, total / (double)bench * 1e3, best * 1e3,
               pyts_get_num_threads(), pyts_blas_name());
    }
done:
    pyts_value_free(result);
    for (int i = 0; args && i < ninputs; i++) pyts_value_free(args[i]);
    free(args);
    free(inputs);
    pyts_module_free(m);
    if (fflush(stdout) && !rc) rc = error("", "cannot write to standard output");
    return rc;
}
