/* pyts.h: the pyts C runtime (libpyts). Loads a TorchScript archive written by pyts.jit.save or
 * torch.jit.save, compiles its code, and calls its methods on tensors without Python.
 *
 *     pyts_module *m = pyts_module_load("model.pt");
 *     if (!m) { fprintf(stderr, "%s\n", pyts_last_error()); return 1; }
 *     int64_t shape[2] = { 3, 4 };
 *     pyts_value *x = pyts_tensor_wrap(PYTS_FLOAT32, 2, shape, NULL, buf, NULL, NULL);
 *     pyts_value *y = pyts_module_forward(m, &x, 1);
 *     if (y) { const float *out = pyts_tensor_data(y); ...; pyts_value_free(y); }
 *     pyts_value_free(x);
 *     pyts_module_free(m);
 *
 * Conventions that hold for every function below:
 * - Ownership. A function returning `pyts_module *` from a load or `pyts_value *` gives the caller
 *   one handle to free (pyts_module_free, pyts_value_free), unless its comment says "borrowed".
 *   Handles passed as arguments are borrowed: the callee takes its own reference when it keeps
 *   a value, so the caller frees its handles whenever it likes. Strings returned as
 *   `const char *` are borrowed from the object they describe and live as long as it does.
 * - Errors. A failing function returns NULL, -1 or a nonzero pyts_status, and records a status
 *   and a message for the calling thread (pyts_last_error). Successful calls leave that record
 *   alone, like errno. Nothing in the library aborts, exits or longjmps: bad archives, bad
 *   arguments, failed kernels and out-of-memory all come back as errors. NULL handles are
 *   accepted everywhere and reported as PYTS_ERR_ARGUMENT (free functions ignore them).
 * - Threads. Loading and every getter are safe from any thread. Any number of threads may call
 *   methods of one loaded module at the same time: compiled code is immutable and the
 *   interpreter keeps its state per call. What is not synchronised: methods that assign module
 *   attributes (self.x = ...) race with each other, in-place ops on a shared input race, and a
 *   handle must not be freed while another thread still uses it.
 * - Limits. Tensors have at most PYTS_MAX_DIMS dimensions; element counts and byte sizes must fit
 *   int64; calls nest at most 200 deep (method calls inside the model). Archive records are
 *   checked before use, and methods the compiler cannot handle are reported per method
 *   (pyts_module_method_error) while the rest of the module stays usable.
 * Nothing here includes or links Python. Link with -lpyts (the Python package ships
 * libpyts.so.0: `cc app.c $(python -m pyts.config --cflags --libs)`); the static libpyts.a from
 * `make -C csrc runtime` also needs -lz -lm -lpthread and the BLAS it was built with. */
#ifndef PYTS_H
#define PYTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PYTS_API __attribute__((visibility("default")))
#else
#define PYTS_API
#endif

#define PYTS_VERSION_MAJOR 0
#define PYTS_VERSION_MINOR 1
#define PYTS_VERSION_PATCH 0
#define PYTS_MAX_DIMS 16

/* ---------------------------------------------------------------- status and errors */
typedef enum pyts_status {
    PYTS_OK = 0,
    PYTS_ERR_NOMEM = 1,      /* out of memory */
    PYTS_ERR_TYPE = 2,       /* wrong value kind or dtype (Python: TypeError) */
    PYTS_ERR_VALUE = 3,      /* bad value (ValueError) */
    PYTS_ERR_SHAPE = 4,      /* shapes do not fit */
    PYTS_ERR_INDEX = 5,      /* index out of range (IndexError) */
    PYTS_ERR_SYNTAX = 6,     /* archive code does not parse */
    PYTS_ERR_COMPILE = 7,    /* archive code does not compile */
    PYTS_ERR_FORMAT = 8,     /* the archive is malformed or unsupported */
    PYTS_ERR_RUNTIME = 9,    /* a model raised or an op failed (RuntimeError) */
    PYTS_ERR_NOTIMPL = 10,   /* a feature pyts does not have yet */
    PYTS_ERR_INTERNAL = 11,  /* a bug in pyts */
    PYTS_ERR_IO = 100,       /* a file could not be read */
    PYTS_ERR_ARGUMENT = 101, /* a bad argument to this API (NULL handle, wrong count, ...) */
} pyts_status;

/* The message of the last failure on this thread ("" when none). Borrowed: valid until the next
 * failing call on this thread. Messages name what failed (archive record, file, line and caret
 * for compile errors, sizes for shape errors). */
PYTS_API const char *pyts_last_error(void);
/* The status of the last failure on this thread (PYTS_OK when none). */
PYTS_API pyts_status pyts_last_status(void);
/* Forget the last failure of this thread. */
PYTS_API void pyts_clear_error(void);
/* A fixed English name for a status ("archive error"). Never NULL. */
PYTS_API const char *pyts_status_name(pyts_status s);

/* "0.1.0". */
PYTS_API const char *pyts_version(void);

/* ---------------------------------------------------------------- threads */
/* Set the process's thread budget for the arithmetic (large matrix products run on a pool of
 * that many threads). Calls running at the same moment share it: one call alone uses all of it,
 * N concurrent calls (threads of a server) get budget/N each, so a host running model calls in
 * parallel needs no change. Default: OMP_NUM_THREADS, else the CPUs the process may use. n < 1
 * is PYTS_ERR_ARGUMENT. Returns a status. */
PYTS_API pyts_status pyts_set_num_threads(int n);
PYTS_API int pyts_get_num_threads(void);
/* "openblas (...)" or "builtin" (the portable C gemm). Borrowed, static. */
PYTS_API const char *pyts_blas_name(void);

/* ---------------------------------------------------------------- values */
typedef enum pyts_dtype {   /* PyTorch's ScalarType numbers */
    PYTS_UINT8 = 0, PYTS_INT8 = 1, PYTS_INT16 = 2, PYTS_INT32 = 3, PYTS_INT64 = 4,
    PYTS_FLOAT16 = 5, PYTS_FLOAT32 = 6, PYTS_FLOAT64 = 7, PYTS_BOOL = 11, PYTS_BFLOAT16 = 15,
} pyts_dtype;

/* Bytes per element (0 for an unknown dtype) and name ("float32"; NULL when unknown). */
PYTS_API size_t pyts_dtype_size(int dtype);
PYTS_API const char *pyts_dtype_name(int dtype);

typedef enum pyts_kind {
    PYTS_KIND_NONE, PYTS_KIND_BOOL, PYTS_KIND_INT, PYTS_KIND_FLOAT, PYTS_KIND_STR, PYTS_KIND_TENSOR,
    PYTS_KIND_LIST, PYTS_KIND_TUPLE, PYTS_KIND_DICT, PYTS_KIND_OBJECT, PYTS_KIND_OTHER,
} pyts_kind;

/* A value handle: None, bool, int (int64), float (double), str, tensor, list, tuple, dict, object.
 * Each handle is freed once with pyts_value_free; the value itself is reference counted, so a
 * tensor inside a result stays valid while any handle or module refers to it. */
typedef struct pyts_value pyts_value;

PYTS_API void pyts_value_free(pyts_value *v);
/* A second handle to the same value (free both). NULL on out-of-memory. */
PYTS_API pyts_value *pyts_value_ref(const pyts_value *v);

PYTS_API pyts_value *pyts_none(void);
PYTS_API pyts_value *pyts_bool(int b);
PYTS_API pyts_value *pyts_int(int64_t i);
PYTS_API pyts_value *pyts_float(double d);
/* A copy of the NUL-terminated UTF-8 string s (invalid UTF-8 is PYTS_ERR_VALUE). */
PYTS_API pyts_value *pyts_str(const char *s);
/* A list or tuple of n items (borrowed: the container references them). A list's items must be
 * of one kind (TorchScript lists are typed); n may be 0 (an empty list is typed by the method
 * it is passed to). n < 0 or n > 2^31 is PYTS_ERR_ARGUMENT. */
PYTS_API pyts_value *pyts_list(pyts_value *const *items, int n);
PYTS_API pyts_value *pyts_tuple(pyts_value *const *items, int n);

/* A new contiguous tensor holding a copy of the data at `data` (C order, numel elements of
 * dtype), or zeros when data is NULL. shape has ndim (0..PYTS_MAX_DIMS) non-negative sizes. */
PYTS_API pyts_value *pyts_tensor_new(pyts_dtype dtype, int ndim, const int64_t *shape, const void *data);

/* A tensor over the caller's memory (no copy). strides are in elements (NULL: C-contiguous) and
 * must be >= 0; data must be aligned to the element size. The memory stays the caller's: it must
 * stay valid and readable for as long as the tensor lives. With a deleter, the runtime calls
 * deleter(data, ctx) exactly once when the last reference goes (results that are views of the
 * input keep it alive too), also when this function fails. Without a deleter the caller must
 * keep the memory until every handle that may reference it (the input and any results of calls
 * it was passed to) is freed. Models may write into their inputs (in-place ops), as in PyTorch. */
PYTS_API pyts_value *pyts_tensor_wrap(pyts_dtype dtype, int ndim, const int64_t *shape, const int64_t *strides,
                                      void *data, void (*deleter)(void *data, void *ctx), void *ctx);

/* Reading values. Getters on the wrong kind fail with PYTS_ERR_TYPE. */
PYTS_API pyts_kind pyts_value_kind(const pyts_value *v);      /* PYTS_KIND_NONE for NULL */
PYTS_API pyts_status pyts_value_get_bool(const pyts_value *v, int *out);
PYTS_API pyts_status pyts_value_get_int(const pyts_value *v, int64_t *out);     /* int or bool */
PYTS_API pyts_status pyts_value_get_float(const pyts_value *v, double *out);    /* float, int or bool */
/* The UTF-8 text of a str value, borrowed from v (NULL when v is not a str). */
PYTS_API const char *pyts_value_get_str(const pyts_value *v);
/* Items of a list, tuple or dict (dicts count entries); -1 for other kinds. */
PYTS_API int64_t pyts_value_len(const pyts_value *v);
/* A new handle to item i of a list or tuple (or the value of entry i of a dict). */
PYTS_API pyts_value *pyts_value_item(const pyts_value *v, int64_t i);
/* The key of entry i of a dict. */
PYTS_API pyts_value *pyts_value_dict_key(const pyts_value *v, int64_t i);

/* Tensors. Every getter returns -1 / NULL for a value that is not a tensor (PYTS_ERR_TYPE). */
PYTS_API int pyts_tensor_dtype(const pyts_value *t);               /* a pyts_dtype */
PYTS_API int pyts_tensor_ndim(const pyts_value *t);
/* shape and strides (in elements, may be 0 or any order) have ndim entries, borrowed from t;
 * an operation that resizes the tensor in place changes them. */
PYTS_API const int64_t *pyts_tensor_shape(const pyts_value *t);
PYTS_API const int64_t *pyts_tensor_strides(const pyts_value *t);
PYTS_API int64_t pyts_tensor_numel(const pyts_value *t);
/* 1 when the elements are in C order without gaps, 0 when not, -1 for a non-tensor. */
PYTS_API int pyts_tensor_is_contiguous(const pyts_value *t);
/* Address of element [0, ..., 0] (borrowed; the element at index i lies at
 * data + sum(i[d] * strides[d]) * dtype size). May be NULL for an empty tensor. */
PYTS_API void *pyts_tensor_data(const pyts_value *t);
/* Copy the elements in C order to dst, which holds nbytes (at least numel * dtype size). */
PYTS_API pyts_status pyts_tensor_copy_to(const pyts_value *t, void *dst, size_t nbytes);

/* ---------------------------------------------------------------- modules */
/* A loaded archive: its module object tree with compiled methods. The root handle owns the
 * tree; child handles (pyts_module_child) are borrowed views that die with the root. */
typedef struct pyts_module pyts_module;

/* Load from a file path, or from size bytes at data (copied as needed: the buffer may be freed
 * when the call returns). Reads the archive without running any of its code, compiles every
 * method, and checks that the interpreter can run what compiled. Fails (NULL) on I/O errors,
 * malformed archives (PYTS_ERR_FORMAT) and out-of-memory; methods that do not compile are
 * reported by pyts_module_method_error instead of failing the load. */
PYTS_API pyts_module *pyts_module_load(const char *path);
PYTS_API pyts_module *pyts_module_load_buffer(const void *data, size_t size);
/* Free a root module and every borrowed child handle of it. Values returned by calls stay
 * valid. Freeing a child handle is a no-op. NULL is ignored. */
PYTS_API void pyts_module_free(pyts_module *m);

/* Qualified class name of the module ("__torch__.MyRNNLoop"); borrowed. */
PYTS_API const char *pyts_module_class_name(const pyts_module *m);
/* Submodules in attribute order. child returns a borrowed handle (NULL for a bad index). */
PYTS_API int pyts_module_num_children(const pyts_module *m);
PYTS_API const char *pyts_module_child_name(const pyts_module *m, int i);
PYTS_API pyts_module *pyts_module_child(const pyts_module *m, int i);
/* A new handle to attribute `name` (parameter, buffer, submodule object or plain attribute). */
PYTS_API pyts_value *pyts_module_attr(const pyts_module *m, const char *name);

/* Methods of the module's class as the archive defines them, in source order, whether they
 * compiled or not. Indexes run from 0 to num_methods - 1; getters return NULL / -1 for a bad
 * index or a method that did not compile (then pyts_module_method_error says why). */
PYTS_API int pyts_module_num_methods(const pyts_module *m);
PYTS_API int pyts_module_find_method(const pyts_module *m, const char *name);   /* index or -1 */
PYTS_API const char *pyts_module_method_name(const pyts_module *m, int i);
/* NULL when the method compiled, else the compiler's message (with file, line and caret). */
PYTS_API const char *pyts_module_method_error(const pyts_module *m, int i);
/* "forward(xs: Tensor) -> Tensor" from the compiled graph's inputs (self omitted). */
PYTS_API const char *pyts_module_method_signature(const pyts_module *m, int i);
/* Parameters without self: count, names and types as TorchScript annotations ("Tensor",
 * "List[int]", "Optional[Tensor]"), and the return type. */
PYTS_API int pyts_module_method_num_args(const pyts_module *m, int i);
PYTS_API const char *pyts_module_method_arg_name(const pyts_module *m, int i, int k);
PYTS_API const char *pyts_module_method_arg_type(const pyts_module *m, int i, int k);
PYTS_API const char *pyts_module_method_return_type(const pyts_module *m, int i);
/* The method's TorchScript source as stored in the archive (also for methods that did not
 * compile; NULL when the archive has no source for it). */
PYTS_API const char *pyts_module_method_code(const pyts_module *m, int i);

/* Call method `method` of m with nargs arguments (self is implied; args borrowed). Missing
 * trailing arguments take the method's defaults. Each argument is checked against the
 * parameter's type (an int is accepted for a float parameter); a mismatch is PYTS_ERR_TYPE
 * naming the parameter. Returns the result (a tuple when the method returns several values) or
 * NULL with the model's error (a `raise` in the model is PYTS_ERR_RUNTIME with its message).
 * Thread-safe (see the top of this file); runs on the calling thread, plus BLAS threads. */
PYTS_API pyts_value *pyts_module_call(pyts_module *m, const char *method, pyts_value *const *args, int nargs);
PYTS_API pyts_value *pyts_module_forward(pyts_module *m, pyts_value *const *args, int nargs);

#ifdef __cplusplus
}
#endif

#endif
