/* run_model.c: a small program embedding the pyts C runtime (pyts/pyts.h). It loads a
 * TorchScript archive, lists its methods, calls forward on one float32 tensor that wraps this
 * program's own memory (no copy) from several threads at once, checks that every thread got the
 * same result, and prints the output tensors (tuples are walked in order).
 *
 * Build against an installed pyts:
 *     cc run_model.c $(python -m pyts.config --cflags --libs) -lpthread -o run_model
 * Run:
 *     ./run_model model.pt 10 3 4      # input of shape [10, 3, 4], x[i] = (i % 17) / 8 - 1 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pyts/pyts.h>

#define NTHREADS 4

typedef struct Job {
    pyts_module *model;
    pyts_value *input;       /* shared by all threads: handles may be read concurrently */
    pyts_value *result;      /* owned by the job */
    char error[512];
} Job;

static void *run(void *arg) {
    Job *job = arg;
    job->result = pyts_module_forward(job->model, &job->input, 1);
    if (!job->result) snprintf(job->error, sizeof job->error, "%s", pyts_last_error());  /* thread-local */
    return NULL;
}

/* the tensors of v in order, tuples and lists walked depth-first */
static int print_tensors(const pyts_value *v, int k) {
    pyts_kind kind = pyts_value_kind(v);
    if (kind == PYTS_KIND_TUPLE || kind == PYTS_KIND_LIST) {
        for (int64_t i = 0; i < pyts_value_len(v); i++) {
            pyts_value *item = pyts_value_item(v, i);
            k = print_tensors(item, k);
            pyts_value_free(item);
        }
        return k;
    }
    if (kind != PYTS_KIND_TENSOR) {
        printf("output %d is not a tensor\n", k);
        return k + 1;
    }
    printf("output %d %s shape", k, pyts_dtype_name(pyts_tensor_dtype(v)));
    for (int d = 0; d < pyts_tensor_ndim(v); d++) printf(" %lld", (long long)pyts_tensor_shape(v)[d]);
    printf("\n");
    if (pyts_tensor_dtype(v) == PYTS_FLOAT32) {
        /* outputs may be views with any strides: copy them out in C order */
        int64_t n = pyts_tensor_numel(v);
        float *buf = malloc(sizeof(float) * (size_t)(n ? n : 1));
        if (buf && pyts_tensor_copy_to(v, buf, sizeof(float) * (size_t)n) == PYTS_OK) {
            printf("values");
            for (int64_t i = 0; i < n; i++) printf(" %.9g", buf[i]);
            printf("\n");
        }
        free(buf);
    }
    return k + 1;
}

static int same(const pyts_value *a, const pyts_value *b) {
    pyts_kind ka = pyts_value_kind(a);
    if (ka != pyts_value_kind(b)) return 0;
    if (ka == PYTS_KIND_TUPLE || ka == PYTS_KIND_LIST) {
        int64_t n = pyts_value_len(a);
        if (n != pyts_value_len(b)) return 0;
        int ok = 1;
        for (int64_t i = 0; i < n && ok; i++) {
            pyts_value *x = pyts_value_item(a, i), *y = pyts_value_item(b, i);
            ok = same(x, y);
            pyts_value_free(x);
            pyts_value_free(y);
        }
        return ok;
    }
    if (ka != PYTS_KIND_TENSOR) return 1;
    int64_t n = pyts_tensor_numel(a);
    size_t bytes = (size_t)n * pyts_dtype_size(pyts_tensor_dtype(a));
    if (n != pyts_tensor_numel(b) || pyts_tensor_dtype(a) != pyts_tensor_dtype(b)) return 0;
    char *x = malloc(bytes + 1), *y = malloc(bytes + 1);
    int ok = x && y && !pyts_tensor_copy_to(a, x, bytes) && !pyts_tensor_copy_to(b, y, bytes) && !memcmp(x, y, bytes);
    free(x);
    free(y);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc - 2 > PYTS_MAX_DIMS) {
        fprintf(stderr, "usage: %s MODEL D0 [D1 ...]\n", argv[0]);
        return 2;
    }
    int64_t shape[PYTS_MAX_DIMS], numel = 1;
    int ndim = argc - 2;
    for (int d = 0; d < ndim; d++) {
        shape[d] = strtoll(argv[d + 2], NULL, 10);
        if (shape[d] < 0 || shape[d] > (1 << 24)) { fprintf(stderr, "bad size %s\n", argv[d + 2]); return 2; }
        numel *= shape[d];
        if (numel > (1 << 26)) { fprintf(stderr, "input too large\n"); return 2; }
    }

    pyts_module *model = pyts_module_load(argv[1]);
    if (!model) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], pyts_last_error());
        return 1;
    }
    for (int i = 0; i < pyts_module_num_methods(model); i++) {
        const char *sig = pyts_module_method_signature(model, i);
        printf("method %s\n", sig ? sig : pyts_module_method_name(model, i));
    }

    /* the input lives in this program's memory; the tensor only points at it */
    float *data = malloc(sizeof(float) * (size_t)(numel ? numel : 1));
    if (!data) return 1;
    for (int64_t i = 0; i < numel; i++) data[i] = (float)(i % 17) / 8.0f - 1.0f;
    pyts_value *input = pyts_tensor_wrap(PYTS_FLOAT32, ndim, shape, NULL, data, NULL, NULL);
    if (!input) {
        fprintf(stderr, "%s\n", pyts_last_error());
        return 1;
    }

    pyts_set_num_threads(1);   /* the threads below are the parallelism */
    Job jobs[NTHREADS];
    pthread_t tids[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (Job){ model, input, NULL, "" };
        pthread_create(&tids[t], NULL, run, &jobs[t]);
    }
    for (int t = 0; t < NTHREADS; t++) pthread_join(tids[t], NULL);

    int rc = 0;
    for (int t = 0; t < NTHREADS && !rc; t++) {
        if (!jobs[t].result) {
            fprintf(stderr, "forward failed: %s\n", jobs[t].error);
            rc = 1;
        } else if (t > 0 && !same(jobs[0].result, jobs[t].result)) {
            fprintf(stderr, "thread %d computed a different result\n", t);
            rc = 1;
        }
    }
    if (!rc) print_tensors(jobs[0].result, 0);
    for (int t = 0; t < NTHREADS; t++) pyts_value_free(jobs[t].result);
    /* results may be views of the input: the memory goes only after every handle is freed */
    pyts_value_free(input);
    free(data);
    pyts_module_free(model);
    return rc;
}
