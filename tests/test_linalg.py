"""Matrix products against NumPy on larger random matrices (the BLAS path, every operand layout),
plus behaviour the differential cases cannot show: aliasing of in-place/out= operands, the BLAS
thread API, the @ operator's protocol."""
import os
import signal

import numpy as np
import pytest

import pyts

RNG = np.random.default_rng(7)


def rnd(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def check(p, expected, dtype):
    got = p.numpy()
    assert got.dtype == dtype
    assert got.shape == expected.shape
    tol = 2e-4 if dtype == np.float32 else 1e-10
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * scale)


def layouts(a):
    """a as contiguous, as a transposed view of a contiguous array, and as a strided view."""
    t = np.ascontiguousarray(a.T).T
    wide = np.zeros(a.shape[:-1] + (a.shape[-1] * 2,), a.dtype)
    wide[..., ::2] = a
    return {"contig": a, "transposed": t, "strided": wide[..., ::2]}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("la", ["contig", "transposed", "strided"])
@pytest.mark.parametrize("lb", ["contig", "transposed", "strided"])
def test_mm_large(dtype, la, lb):
    a, b = rnd(257, 129, dtype=dtype), rnd(129, 65, dtype=dtype)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    pa, pb = pyts.from_numpy(layouts(a)[la]), pyts.from_numpy(layouts(b)[lb])
    check(pyts.mm(pa, pb), ref, dtype)
    check(pa @ pb, ref, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_broadcast_large(dtype):
    a, b = rnd(3, 1, 65, 33, dtype=dtype), rnd(4, 33, 17, dtype=dtype)
    check(pyts.matmul(pyts.from_numpy(a), pyts.from_numpy(b)), np.matmul(a.astype(np.float64), b), dtype)
    # the batch of a folds into one gemm; a transposed batch does not
    a = rnd(6, 40, 33, dtype=dtype)
    w = rnd(17, 33, dtype=dtype)
    check(pyts.matmul(pyts.from_numpy(a), pyts.from_numpy(w).t()), a.astype(np.float64) @ w.T, dtype)
    at = np.swapaxes(rnd(6, 33, 40, dtype=dtype), 1, 2)
    check(pyts.matmul(pyts.from_numpy(at), pyts.from_numpy(w).t()), at.astype(np.float64) @ w.T, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bmm_large_transposed(dtype):
    a = rnd(5, 70, 33, dtype=dtype)
    b = np.swapaxes(rnd(5, 21, 33, dtype=dtype), 1, 2)
    check(pyts.bmm(pyts.from_numpy(a), pyts.from_numpy(b)), np.matmul(a.astype(np.float64), b), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_addmm_large(dtype):
    x, w, bias = rnd(257, 129, dtype=dtype), rnd(65, 129, dtype=dtype), rnd(65, dtype=dtype)
    ref = x.astype(np.float64) @ w.T + bias
    px, pw, pb = pyts.from_numpy(x), pyts.from_numpy(w), pyts.from_numpy(bias)
    check(pyts.addmm(pb, px, pw.t()), ref, dtype)
    check(pyts.linear(px, pw, pb), ref, dtype)
    x3 = rnd(4, 50, 129, dtype=dtype)
    check(pyts.linear(pyts.from_numpy(x3), pw, pb), x3.astype(np.float64) @ w.T + bias, dtype)
    check(pyts.addmm(pb, px, pw.t(), beta=0.5, alpha=-2.0), -2.0 * (x.astype(np.float64) @ w.T) + 0.5 * bias, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mv_dot_large(dtype):
    m, v = rnd(300, 257, dtype=dtype), rnd(257, dtype=dtype)
    check(pyts.mv(pyts.from_numpy(m), pyts.from_numpy(v)), m.astype(np.float64) @ v, dtype)
    check(pyts.mv(pyts.from_numpy(np.ascontiguousarray(m.T).T), pyts.from_numpy(v)), m.astype(np.float64) @ v, dtype)
    a, b = rnd(10000, dtype=dtype), rnd(20000, dtype=dtype)[::2]
    check(pyts.dot(pyts.from_numpy(a), pyts.from_numpy(b)), np.array(a.astype(np.float64) @ b), dtype)


def test_half_precision_computes_in_float32():
    a, b = rnd(33, 40, dtype=np.float16), rnd(40, 20, dtype=np.float16)
    got = pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)).numpy()
    ref = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype(np.float32), ref.astype(np.float32), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64])
def test_integer_matmul_wraps_like_numpy(dtype):
    info = np.iinfo(dtype)
    a = RNG.integers(info.min, info.max, size=(9, 31), endpoint=True).astype(dtype)
    b = RNG.integers(info.min, info.max, size=(31, 7), endpoint=True).astype(dtype)
    with np.errstate(over="ignore"):
        ref = np.matmul(a, b)
    np.testing.assert_array_equal(pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)).detach().numpy(), ref)


def test_empty_inner_dim_gives_zeros():
    r = pyts.mm(pyts.from_numpy(rnd(3, 0)), pyts.from_numpy(rnd(0, 4)))
    np.testing.assert_array_equal(r.detach().numpy(), np.zeros((3, 4), np.float32))
    r = pyts.matmul(pyts.from_numpy(rnd(2, 3, 0)), pyts.from_numpy(rnd(0, 4)))
    np.testing.assert_array_equal(r.detach().numpy(), np.zeros((2, 3, 4), np.float32))


def test_inplace_and_out_aliasing_an_operand():
    a, b = rnd(6, 6), rnd(6, 6)
    s = pyts.from_numpy(a.copy())
    r = s.addmm_(s, pyts.from_numpy(b))
    assert r is s
    np.testing.assert_allclose(s.detach().numpy(), a + a @ b, rtol=1e-5, atol=1e-5)
    s = pyts.from_numpy(a.copy())
    r = pyts.mm(s, pyts.from_numpy(b), out=s)
    assert r is s
    np.testing.assert_allclose(s.detach().numpy(), a @ b, rtol=1e-5, atol=1e-5)


def test_out_written_through_strided_view():
    a, b = rnd(5, 7), rnd(7, 3)
    buf = np.zeros((3, 10), np.float32)
    out = pyts.from_numpy(buf[:, ::2].T)   # (5, 3) with strides (2, 10)
    pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b), out=out)
    np.testing.assert_allclose(buf[:, ::2].T, a @ b, rtol=1e-5, atol=1e-5)
    assert not buf[:, 1::2].any()


def test_t_is_a_view_sharing_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = pyts.from_numpy(a).t()
    assert tuple(t.shape) == (3, 2) and t.stride() == (1, 3)
    assert t.data_ptr() == pyts.from_numpy(a).data_ptr()


def test_matmul_operator_protocol():
    x = pyts.from_numpy(rnd(3, 3))
    with pytest.raises(TypeError):
        x @ 2
    with pytest.raises(TypeError):
        2 @ x
    y = x
    y @= pyts.from_numpy(np.eye(3, dtype=np.float32))
    assert y is not x          # as in torch (no __imatmul__): a new tensor is bound
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy())


def test_blas_threads_api():
    old = pyts.get_num_threads()
    assert isinstance(old, int) and old >= 1
    assert isinstance(pyts._C.blas_name(), str)
    try:
        pyts.set_num_threads(1)
        assert pyts.get_num_threads() == 1
        a, b = rnd(200, 300), rnd(300, 100)
        check(pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)), a.astype(np.float64) @ b, np.float32)
        with pytest.raises(RuntimeError):
            pyts.set_num_threads(0)
    finally:
        pyts.set_num_threads(old)
    assert pyts.get_num_threads() == old


# Large products are split into panels over pyts's own worker pool (base/pool.c): each shape
# below crosses the parallel threshold, splits by rows or by columns, with either operand
# transposed, and must equal NumPy's product for 1, 2 and 3 threads.
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("m,k,n", [(256, 256, 256), (40, 300, 700), (700, 300, 33), (1, 4096, 1024)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parallel_gemm_panels(threads, m, k, n, dtype):
    old = pyts.get_num_threads()
    try:
        pyts.set_num_threads(threads)
        a, b = rnd(m, k).astype(dtype), rnd(k, n).astype(dtype)
        want = a.astype(np.float64) @ b.astype(np.float64)
        check(pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)), want, dtype)
        at, bt = np.ascontiguousarray(a.T), np.ascontiguousarray(b.T)
        check(pyts.mm(pyts.from_numpy(at).t(), pyts.from_numpy(bt).t()), want, dtype)
    finally:
        pyts.set_num_threads(old)


def test_parallel_gemm_concurrent_callers():
    # Python threads running large products at once share the thread budget; every result is
    # still exact (no panel of one caller's job written into another's output).
    import threading
    old = pyts.get_num_threads()
    pyts.set_num_threads(2)
    mats = [(rnd(300, 200), rnd(200, 250)) for _ in range(4)]
    wants = [a.astype(np.float64) @ b for a, b in mats]
    errors = []

    def work(i):
        a, b = mats[i]
        for _ in range(10):
            got = pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)).numpy()
            if not np.allclose(got, wants[i], rtol=1e-4, atol=1e-3):
                errors.append(i)

    try:
        ths = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
    finally:
        pyts.set_num_threads(old)
    assert errors == []


def test_parallel_gemm_after_fork():
    # The pool's workers do not survive fork(); a child must start its own instead of waiting
    # forever on workers that do not exist.
    a, b = rnd(300, 300), rnd(300, 300)
    want = a.astype(np.float64) @ b
    pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b))   # parent pool started
    pid = os.fork()
    if pid == 0:
        signal.alarm(20)   # a hang kills the child, which fails the test
        try:
            got = pyts.mm(pyts.from_numpy(a), pyts.from_numpy(b)).numpy()
            os._exit(0 if np.allclose(got, want, rtol=1e-4, atol=1e-3) else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
