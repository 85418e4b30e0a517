/* test_api.c: checks of the pyts.h contract that only C can exercise: NULL and bad arguments,
 * ownership of caller memory (the deleter runs exactly once, also on failure), thread-local
 * errors, argument type checks, defaults, tuple results. Run by tests/test_runtime.py with an
 * archive path; prints one line per check and "all ok" at the end (exit 1 on the first failure). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pyts/pyts.h>

static int checks;
#define CHECK(cond)                                                                         \
    do {                                                                                    \
        checks++;                                                                           \
        if (!(cond)) {                                                                      \
            printf("FAILED line %d: %s (last error: %s)\n", __LINE__, #cond, pyts_last_error()); \
            exit(1);                                                                        \
        }                                                                                   \
    } while (0)

static int deleted;
static void count_delete(void *data, void *ctx) {
    (void)data;
    deleted++;
    (void)ctx;
}

static void *other_thread(void *arg) {
    (void)arg;
    /* errors are per thread: this thread has none even though main just failed */
    return (void *)(intptr_t)(pyts_last_status() == PYTS_OK && strcmp(pyts_last_error(), "") == 0);
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    /* ---- errors and arguments ---- */
    CHECK(pyts_module_load(NULL) == NULL && pyts_last_status() == PYTS_ERR_ARGUMENT);
    CHECK(pyts_module_load("/nonexistent/model.pt") == NULL && pyts_last_status() == PYTS_ERR_IO);
    CHECK(strstr(pyts_last_error(), "/nonexistent/model.pt") != NULL);
    pthread_t t;
    void *ok;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, &ok);
    CHECK(ok == (void *)1);
    pyts_clear_error();
    CHECK(pyts_last_status() == PYTS_OK);
    CHECK(pyts_module_load_buffer("PK\003\004garbage", 13) == NULL && pyts_last_status() == PYTS_ERR_FORMAT);
    CHECK(pyts_module_load_buffer(NULL, 5) == NULL && pyts_last_status() == PYTS_ERR_ARGUMENT);
    CHECK(pyts_set_num_threads(0) == PYTS_ERR_ARGUMENT);
    CHECK(pyts_set_num_threads(1) == PYTS_OK && pyts_get_num_threads() == 1);
    CHECK(pyts_module_num_methods(NULL) == -1 && pyts_module_call(NULL, "forward", NULL, 0) == NULL);
    pyts_module_free(NULL);
    pyts_value_free(NULL);
    CHECK(strcmp(pyts_status_name(PYTS_ERR_FORMAT), "archive error") == 0);
    CHECK(strcmp(pyts_version(), "0.1.0") == 0);

    /* ---- tensors over caller memory ---- */
    float buf[12];
    for (int i = 0; i < 12; i++) buf[i] = (float)i;
    int64_t shape[2] = { 3, 4 }, fstrides[2] = { 1, 3 };
    pyts_value *w = pyts_tensor_wrap(PYTS_FLOAT32, 2, shape, fstrides, buf, count_delete, NULL);
    CHECK(w && pyts_tensor_is_contiguous(w) == 0 && pyts_tensor_data(w) == buf);
    float c[12];
    CHECK(pyts_tensor_copy_to(w, c, sizeof c) == PYTS_OK && c[1] == 3.0f && c[4] == 1.0f);   /* Fortran order read */
    CHECK(pyts_tensor_copy_to(w, c, 8) == PYTS_ERR_ARGUMENT);
    pyts_value *w2 = pyts_value_ref(w);
    pyts_value_free(w);
    CHECK(deleted == 0);
    pyts_value_free(w2);
    CHECK(deleted == 1);
    int64_t neg[2] = { -1, 1 };
    CHECK(pyts_tensor_wrap(PYTS_FLOAT32, 2, shape, neg, buf, count_delete, NULL) == NULL && deleted == 2);
    CHECK(pyts_tensor_wrap(PYTS_FLOAT32, 1, shape, NULL, (char *)buf + 1, count_delete, NULL) == NULL && deleted == 3);
    CHECK(strstr(pyts_last_error(), "aligned") != NULL);
    CHECK(pyts_tensor_wrap(99, 1, shape, NULL, buf, count_delete, NULL) == NULL && deleted == 4);
    int64_t huge[2] = { (int64_t)1 << 40, (int64_t)1 << 40 };
    CHECK(pyts_tensor_wrap(PYTS_FLOAT32, 2, huge, NULL, buf, NULL, NULL) == NULL && pyts_last_status() == PYTS_ERR_ARGUMENT);
    CHECK(pyts_tensor_new(PYTS_FLOAT32, 17, shape, NULL) == NULL);
    pyts_value *z = pyts_tensor_new(PYTS_INT32, 2, shape, NULL);
    CHECK(z && pyts_tensor_dtype(z) == PYTS_INT32 && pyts_tensor_numel(z) == 12 && ((int *)pyts_tensor_data(z))[11] == 0);
    int64_t zero[1] = { 0 };
    pyts_value *e = pyts_tensor_wrap(PYTS_FLOAT64, 1, zero, NULL, NULL, NULL, NULL);
    CHECK(e && pyts_tensor_numel(e) == 0 && pyts_tensor_copy_to(e, NULL, 0) == PYTS_OK);
    pyts_value_free(e);

    /* ---- scalars and containers ---- */
    pyts_value *i = pyts_int(7), *f = pyts_float(2.5), *s = pyts_str("héllo");
    int64_t iv;
    double dv;
    CHECK(pyts_value_get_int(i, &iv) == PYTS_OK && iv == 7 && pyts_value_get_float(i, &dv) == PYTS_OK && dv == 7.0);
    CHECK(pyts_value_get_int(f, &iv) == PYTS_ERR_TYPE && strcmp(pyts_value_get_str(s), "héllo") == 0);
    CHECK(pyts_str("\xff\xfe") == NULL && pyts_last_status() == PYTS_ERR_VALUE);
    pyts_value *mixed[2] = { i, f };
    CHECK(pyts_list(mixed, 2) == NULL && pyts_last_status() == PYTS_ERR_TYPE);
    pyts_value *tup = pyts_tuple(mixed, 2);
    CHECK(tup && pyts_value_kind(tup) == PYTS_KIND_TUPLE && pyts_value_len(tup) == 2);
    pyts_value *it = pyts_value_item(tup, 1);
    CHECK(it && pyts_value_kind(it) == PYTS_KIND_FLOAT);
    CHECK(pyts_value_item(tup, 2) == NULL && pyts_last_status() == PYTS_ERR_INDEX);
    CHECK(pyts_tensor_ndim(i) == -1 && pyts_last_status() == PYTS_ERR_TYPE);
    pyts_value_free(it);

    /* ---- the model: tutorial WrapRNN-like archive given on the command line ---- */
    pyts_module *m = pyts_module_load(argv[1]);
    CHECK(m != NULL);
    int fwd = pyts_module_find_method(m, "forward");
    CHECK(fwd >= 0 && pyts_module_method_error(m, fwd) == NULL);
    CHECK(pyts_module_method_num_args(m, fwd) == 1 && strcmp(pyts_module_method_arg_type(m, fwd, 0), "Tensor") == 0);
    CHECK(pyts_module_method_arg_name(m, fwd, 1) == NULL && pyts_last_status() == PYTS_ERR_INDEX);
    CHECK(pyts_module_method_code(m, fwd) && strstr(pyts_module_method_code(m, fwd), "def forward"));
    CHECK(pyts_module_find_method(m, "nope") == -1);
    CHECK(pyts_module_num_children(m) >= 1 && pyts_module_child(m, 0) && pyts_module_child(m, 99) == NULL);
    /* wrong kind, wrong count: errors before anything runs */
    CHECK(pyts_module_forward(m, &i, 1) == NULL && pyts_last_status() == PYTS_ERR_TYPE);
    CHECK(strstr(pyts_last_error(), "Tensor") != NULL);
    CHECK(pyts_module_forward(m, NULL, 0) == NULL && pyts_last_status() == PYTS_ERR_ARGUMENT);
    pyts_value *two[2] = { z, z };
    CHECK(pyts_module_forward(m, two, 2) == NULL && pyts_last_status() == PYTS_ERR_ARGUMENT);
    CHECK(pyts_module_call(m, "nope", &z, 1) == NULL && pyts_last_status() == PYTS_ERR_VALUE);
    /* a kernel error (int input to a float matmul chain, or a shape mismatch) comes back as an error */
    int64_t bad_shape[3] = { 2, 5, 7 };
    pyts_value *bad = pyts_tensor_new(PYTS_FLOAT32, 3, bad_shape, NULL);
    CHECK(pyts_module_forward(m, &bad, 1) == NULL && pyts_last_status() != PYTS_OK);
    pyts_value_free(bad);
    int64_t xs_shape[3] = { 10, 3, 4 };
    pyts_value *xs = pyts_tensor_new(PYTS_FLOAT32, 3, xs_shape, NULL);
    pyts_value *y = pyts_module_forward(m, &xs, 1);
    CHECK(y && pyts_value_kind(y) == PYTS_KIND_TENSOR && pyts_tensor_ndim(y) == 2);
    /* a submodule is callable on its own: the loop returns a tuple */
    pyts_module *loop = pyts_module_child(m, 0);
    pyts_value *yh = pyts_module_forward(loop, &xs, 1);
    CHECK(yh && pyts_value_kind(yh) == PYTS_KIND_TUPLE && pyts_value_len(yh) == 2);
    pyts_module_free(loop);   /* a child handle: no effect */
    pyts_module_free(m);
    /* results outlive their module */
    CHECK(pyts_tensor_numel(y) == 12);
    pyts_value_free(y);
    pyts_value_free(yh);
    pyts_value_free(xs);
    pyts_value_free(z);
    pyts_value_free(i);
    pyts_value_free(f);
    pyts_value_free(s);
    pyts_value_free(tup);
    printf("all ok (%d checks)\n", checks);
    return 0;
}
