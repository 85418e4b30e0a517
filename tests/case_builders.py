"""Case builders shared by the cases_*.py files (which are loaded one by one, not as a package):
unary-function cases over shapes, layouts and dtypes, out= cases, in-place checks, special values."""
import numpy as np

from oracle import noncontig, rand

f32, f64, f16, i64, i32, i16, i8, u8, b8 = (np.float32, np.float64, np.float16, np.int64, np.int32,
                                            np.int16, np.int8, np.uint8, np.bool_)
NAN, INF = float("nan"), float("inf")


def nn(L):
    """gelu and silu are torch._C._nn functions in torch (behind torch.nn.functional)."""
    return L._C._nn if L.__name__ == "torch" else L

def special(dtype=f32):
    return np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2.5, INF, -INF, NAN, 1e-20, 3e4], dtype)

def zeros(*shape, dtype=f32):
    return np.zeros(shape, dtype)

def E(L, dtype):
    """An empty out= tensor the library owns (resizable, unlike NumPy memory)."""
    return L.tensor(np.zeros(0, dtype).tolist(), dtype=getattr(L, np.dtype(dtype).name))

def inplace(x, f):
    """Apply an in-place method; the case checks it returns self and the new values."""
    r = f(x)
    return r is x, x

def u_fn(fn, lo=-2.0, hi=2.0, ints=True, bools=True, f16=True, spec=True):
    """Cases for a unary function: fn(L) gives the callable."""
    cs = [
        lambda L, T: fn(L)(T(rand(3, 4, low=lo, high=hi))),
        lambda L, T: fn(L)(T(noncontig(rand(3, 4, low=lo, high=hi)))),
        lambda L, T: fn(L)(T(rand(5, 3, low=lo, high=hi).T)),
        lambda L, T: fn(L)(T(rand(low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(0, 3))),
        lambda L, T: fn(L)(T(rand(2, 3, dtype=f64, low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(40, dtype=f32, low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(3, dtype=f32, low=lo, high=hi)).bfloat16()),
    ]
    if f16:
        cs.append(lambda L, T: fn(L)(T(rand(2, 3, dtype=f16, low=lo, high=hi))))
    if spec:
        cs.append(lambda L, T: fn(L)(T(special())))
        cs.append(lambda L, T: fn(L)(T(special(f64))))
    if ints:
        cs += [
            lambda L, T: fn(L)(T(rand(2, 3, dtype=i64, low=lo, high=hi))),
            lambda L, T: fn(L)(T(rand(2, 3, dtype=i32, low=lo, high=hi))),
            lambda L, T: fn(L)(T(rand(4, dtype=i8, low=lo, high=hi))),
            lambda L, T: fn(L)(T(rand(4, dtype=u8, low=0, high=max(hi, 1)))),
        ]
    if bools:
        cs.append(lambda L, T: fn(L)(T(rand(2, 3, dtype=b8))))
    return cs

def u_out(fn, lo=-2.0, hi=2.0, out_dtype=f32):
    """out= cases: exact shape, an empty out (resized), a non-contiguous out, a wider dtype, an
    integer out for a float result (error)."""
    def run(L, T, x, o):
        r = fn(L)(x, out=o)
        return r is o, o
    return [
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi)), T(zeros(3, 4, dtype=out_dtype))),
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi)), E(L, out_dtype)),
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi)), T(noncontig(zeros(3, 4, dtype=out_dtype)))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi)), T(zeros(3, dtype=f64))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi)), T(zeros(3, dtype=i64))),
    ]
