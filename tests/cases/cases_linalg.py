"""Differential cases for ops_linalg.def rows (see tests/oracle.py): every matmul shape case,
transposed / non-contiguous / expanded operands, batch broadcasting, empty dims, dtypes, out=,
in-place forms, and the errors (same exception class as torch)."""
import numpy as np

from oracle import noncontig, rand

F64, F16, I64, I32, I8, U8, B = np.float64, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_


def tr(a):
    """a's last two dims swapped as a view: a transposed-contiguous operand (like weight.t())."""
    return np.swapaxes(a, -1, -2)


def expanded(a, shape):
    """A writable stride-0 broadcast of a (as Tensor.expand makes)."""
    a = np.ascontiguousarray(a)
    strides = (0,) * (len(shape) - a.ndim) + tuple(
        0 if s == 1 and n != 1 else st for s, n, st in zip(a.shape, shape[len(shape) - a.ndim:], a.strides))
    return np.lib.stride_tricks.as_strided(a, shape, strides)


def zeros(*shape, dtype=np.float32):
    return np.zeros(shape, dtype=dtype)


def fresh(t):
    """A tensor with its own resizable storage (torch cannot resize NumPy-owned memory)."""
    return t + 0


def nan_array(*shape):
    return np.full(shape, np.nan, dtype=np.float32)


def linear(L, *args, **kw):
    """torch has linear as torch._C._nn.linear (torch.nn.functional.linear); pyts as pyts.linear."""
    return (L._C._nn.linear if L.__name__ == "torch" else L.linear)(*args, **kw)


def out_of(f, out):
    """Call f(out) and return (result is out, out): the out= tensor must be the result."""
    r = f(out)
    return r is out, out


def inplace(x, f):
    r = f(x)
    return r is x, x


CASES = {
    "MM": [
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: T(rand(3, 4)).mm(T(rand(4, 4))),
        lambda L, T: L.mm(T(tr(rand(4, 3))), T(rand(4, 5))),
        lambda L, T: L.mm(T(rand(3, 4)), T(tr(rand(5, 4)))),
        lambda L, T: L.mm(T(tr(rand(4, 3))), T(tr(rand(5, 4)))),
        lambda L, T: L.mm(T(noncontig(rand(3, 4))), T(noncontig(rand(4, 5)))),
        lambda L, T: L.mm(T(rand(6, 8)[::2, ::2]), T(rand(8, 10)[::2, 1::2])),
        lambda L, T: L.mm(T(expanded(rand(1, 4), (3, 4))), T(expanded(rand(4, 1), (4, 5)))),
        lambda L, T: L.mm(T(rand(20, 30)), T(rand(30, 17))),
        lambda L, T: L.mm(T(tr(rand(30, 20))), T(tr(rand(17, 30)))),
        lambda L, T: L.mm(T(rand(20, 30, dtype=F64)), T(tr(rand(17, 30, dtype=F64)))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=F64)), T(rand(4, 2, dtype=F64))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=F16)), T(rand(4, 2, dtype=F16))),
        lambda L, T: L.mm(T(rand(3, 4)).bfloat16(), T(rand(4, 2)).bfloat16()),
        lambda L, T: L.mm(T(rand(3, 4, dtype=I64, low=-9, high=9)), T(rand(4, 2, dtype=I64, low=-9, high=9))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=I32, low=-9, high=9)), T(tr(rand(2, 4, dtype=I32, low=-9, high=9)))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=I8, low=-100, high=100)), T(rand(4, 2, dtype=I8, low=-100, high=100))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=U8, low=0, high=200)), T(rand(4, 2, dtype=U8, low=0, high=200))),
        lambda L, T: L.mm(T(rand(3, 0)), T(rand(0, 4))),
        lambda L, T: L.mm(T(rand(0, 3)), T(rand(3, 4))),
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4, 0))),
        lambda L, T: L.mm(T(rand(3, 0, dtype=I64)), T(rand(0, 4, dtype=I64))),
        lambda L, T: L.mm(T(rand(1, 1)), T(rand(1, 1))),
        # errors
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(5, 6))),
        lambda L, T: L.mm(T(rand(3)), T(rand(3, 4))),
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.mm(T(rand(2, 3, 4)), T(rand(4, 4))),
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4, 5, dtype=F64))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=I32)), T(rand(4, 5, dtype=I64))),
        lambda L, T: L.mm(T(rand(3, 4, dtype=B)), T(rand(4, 5, dtype=B))),
    ],
    "MM_OUT": [
        lambda L, T: out_of(lambda o: L.mm(T(rand(3, 4)), T(rand(4, 5)), out=o), T(zeros(3, 5))),
        lambda L, T: out_of(lambda o: L.mm(T(rand(3, 4)), T(tr(rand(5, 4))), out=o), fresh(T(zeros(0)))),
        lambda L, T: out_of(lambda o: L.mm(T(rand(3, 4)), T(rand(4, 5)), out=o), T(tr(zeros(5, 3)))),
        lambda L, T: out_of(lambda o: L.mm(T(rand(3, 4, dtype=I64)), T(rand(4, 5, dtype=I64)), out=o),
                            T(zeros(3, 5, dtype=I64))),
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4, 5)), out=T(zeros(3, 5, dtype=F64))),
        lambda L, T: L.mm(T(rand(3, 4)), T(rand(4, 5)), out=T(zeros(3, 5, dtype=I64))),
    ],
    "BMM": [
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(2, 4, 5))),
        lambda L, T: T(rand(2, 3, 4)).bmm(T(rand(2, 4, 5))),
        lambda L, T: L.bmm(T(tr(rand(2, 4, 3))), T(tr(rand(2, 5, 4)))),
        lambda L, T: L.bmm(T(rand(4, 3, 4)[::2]), T(noncontig(rand(2, 4, 5)))),
        lambda L, T: L.bmm(T(expanded(rand(1, 3, 4), (3, 3, 4))), T(rand(3, 4, 2))),
        lambda L, T: L.bmm(T(rand(3, 20, 30)), T(rand(3, 30, 10))),
        lambda L, T: L.bmm(T(rand(2, 3, 4, dtype=F64)), T(rand(2, 4, 5, dtype=F64))),
        lambda L, T: L.bmm(T(rand(2, 3, 4, dtype=F16)), T(rand(2, 4, 5, dtype=F16))),
        lambda L, T: L.bmm(T(rand(2, 3, 4, dtype=I32)), T(rand(2, 4, 5, dtype=I32))),
        lambda L, T: L.bmm(T(rand(0, 3, 4)), T(rand(0, 4, 5))),
        lambda L, T: L.bmm(T(rand(2, 3, 0)), T(rand(2, 0, 5))),
        lambda L, T: L.bmm(T(rand(3, 4)), T(rand(3, 4, 6))),
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(4, 6))),
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(3, 4, 6))),
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(2, 5, 6))),
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(2, 4, 6, dtype=F64))),
        lambda L, T: L.bmm(T(rand(2, 3, 4, dtype=B)), T(rand(2, 4, 6, dtype=B))),
    ],
    "BMM_OUT": [
        lambda L, T: out_of(lambda o: L.bmm(T(rand(2, 3, 4)), T(rand(2, 4, 5)), out=o), T(zeros(2, 3, 5))),
        lambda L, T: out_of(lambda o: L.bmm(T(rand(2, 3, 4)), T(rand(2, 4, 5)), out=o), fresh(T(zeros(7)))),
        lambda L, T: L.bmm(T(rand(2, 3, 4)), T(rand(2, 4, 5)), out=T(zeros(2, 3, 5, dtype=F64))),
    ],
    "MATMUL": [
        # 1-D @ 1-D, 2-D @ 1-D, 1-D @ 2-D, 2-D @ 2-D
        lambda L, T: L.matmul(T(rand(4)), T(rand(4))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.matmul(T(rand(4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(noncontig(rand(4))), T(noncontig(rand(4)))),
        lambda L, T: L.matmul(T(tr(rand(4, 3))), T(noncontig(rand(4)))),
        lambda L, T: L.matmul(T(noncontig(rand(4))), T(tr(rand(5, 4)))),
        # batch @ vector / matrix (folded), and non-foldable batches
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(4))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(tr(rand(5, 4)))),
        lambda L, T: L.matmul(T(rand(2, 5, 3, 4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(noncontig(rand(2, 3, 4))), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(4, 3, 4)[::2]), T(rand(4))),
        lambda L, T: L.matmul(T(tr(rand(2, 4, 3))), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(2, 1, 4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(expanded(rand(1, 3, 4), (5, 3, 4))), T(rand(4, 2))),
        # vector / matrix @ batch
        lambda L, T: L.matmul(T(rand(4)), T(rand(2, 4, 5))),
        lambda L, T: L.matmul(T(rand(4)), T(tr(rand(2, 5, 4)))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(2, 4, 5))),
        lambda L, T: L.matmul(T(tr(rand(4, 3))), T(rand(2, 4, 5))),
        # batch @ batch with broadcasting of the batch dims
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(2, 4, 5))),
        lambda L, T: L.matmul(T(rand(2, 1, 3, 4)), T(rand(5, 4, 2))),
        lambda L, T: L.matmul(T(rand(1, 3, 4)), T(rand(6, 4, 5))),
        lambda L, T: L.matmul(T(rand(6, 3, 4)), T(rand(1, 4, 5))),
        lambda L, T: L.matmul(T(rand(2, 1, 3, 4)), T(rand(1, 3, 4, 2))),
        lambda L, T: L.matmul(T(tr(rand(3, 2, 4, 3))), T(noncontig(rand(3, 2, 4, 5)))),
        lambda L, T: L.matmul(T(rand(2, 3, 4, 5)), T(rand(5))),
        lambda L, T: L.matmul(T(rand(3, 30, 20)), T(rand(3, 20, 10))),
        lambda L, T: L.matmul(T(rand(4, 20, 30)), T(tr(rand(10, 30)))),
        # empty dims
        lambda L, T: L.matmul(T(rand(3, 0)), T(rand(0, 4))),
        lambda L, T: L.matmul(T(rand(0)), T(rand(0))),
        lambda L, T: L.matmul(T(rand(0, 3, 4)), T(rand(4))),
        lambda L, T: L.matmul(T(rand(0, 3, 4)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(2, 3, 0)), T(rand(0, 5))),
        lambda L, T: L.matmul(T(rand(2, 0, 3, 4)), T(rand(4, 4, 2))),
        lambda L, T: L.matmul(T(rand(3, 5, 0)), T(rand(0, 0))),
        # dtypes
        lambda L, T: L.matmul(T(rand(3, 4, dtype=F64)), T(rand(4, dtype=F64))),
        lambda L, T: L.matmul(T(rand(2, 3, 4, dtype=F16)), T(rand(4, 5, dtype=F16))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)).bfloat16(), T(rand(2, 4, 5)).bfloat16()),
        lambda L, T: L.matmul(T(rand(4, dtype=F16)), T(rand(4, dtype=F16))),
        lambda L, T: L.matmul(T(rand(2, 3, 4, dtype=I64)), T(rand(2, 4, 5, dtype=I64))),
        lambda L, T: L.matmul(T(rand(4, dtype=I32)), T(rand(4, dtype=I32))),
        lambda L, T: L.matmul(T(rand(3, 4, dtype=I8, low=-100, high=100)), T(rand(4, dtype=I8, low=-100, high=100))),
        lambda L, T: L.matmul(T(rand(4, dtype=U8)), T(rand(4, 3, dtype=U8))),
        # operator and method
        lambda L, T: T(rand(3, 4)) @ T(rand(4, 2)),
        lambda L, T: T(rand(2, 3, 4)) @ T(rand(4)),
        lambda L, T: T(rand(3, 4)).matmul(T(rand(4))),
        # errors
        lambda L, T: L.matmul(T(rand()), T(rand(3))),
        lambda L, T: L.matmul(T(rand(3)), T(rand())),
        lambda L, T: L.matmul(T(rand(3)), T(rand(4))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(5))),
        lambda L, T: L.matmul(T(rand(3)), T(rand(4, 5))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(5, 6))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(5))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(5, 6))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(3, 4, 6))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(2, 5, 6))),
        lambda L, T: L.matmul(T(rand(4)), T(rand(2, 5, 6))),
        lambda L, T: L.matmul(T(rand(3)), T(rand(3, dtype=F64))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(4, dtype=F64))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(4, 6, dtype=F64))),
        lambda L, T: L.matmul(T(rand(2, 3, 4)), T(rand(2, 4, 6, dtype=I64))),
        lambda L, T: L.matmul(T(rand(3, dtype=B)), T(rand(3, dtype=B))),
        lambda L, T: L.matmul(T(rand(3, 3, dtype=B)), T(rand(3, dtype=B))),
        lambda L, T: L.matmul(T(rand(3, 3, dtype=B)), T(rand(3, 3, dtype=B))),
        lambda L, T: L.matmul(T(rand(2, 3, 3, dtype=B)), T(rand(2, 3, 3, dtype=B))),
    ],
    "MATMUL_OUT": [
        lambda L, T: out_of(lambda o: L.matmul(T(rand(3, 4)), T(rand(4, 5)), out=o), T(zeros(3, 5))),
        lambda L, T: out_of(lambda o: L.matmul(T(rand(2, 3, 4)), T(rand(4)), out=o), fresh(T(zeros(0)))),
        lambda L, T: out_of(lambda o: L.matmul(T(rand(2, 1, 3, 4)), T(rand(5, 4, 2)), out=o), T(zeros(2, 5, 3, 2))),
        lambda L, T: L.matmul(T(rand(3, 4)), T(rand(4, 5)), out=T(zeros(3, 5, dtype=F64))),
        lambda L, T: L.matmul(T(rand(3)), T(rand(3)), out=fresh(T(zeros(1, dtype=F64)))),
    ],
    "ADDMM": [
        lambda L, T: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.addmm(T(rand(3, 5)), T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.addmm(T(rand(1, 5)), T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.addmm(T(rand(3, 1)), T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.addmm(T(rand()), T(rand(3, 4)), T(rand(4, 5))),
        lambda L, T: L.addmm(T(rand(5)), T(rand(3, 4)), T(tr(rand(5, 4)))),
        lambda L, T: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(5, 4)).t()),
        lambda L, T: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(4, 5)), beta=0.5, alpha=2),
        lambda L, T: L.addmm(T(rand(3, 5)), T(rand(3, 4)), T(rand(4, 5)), alpha=-1.5),
        lambda L, T: L.addmm(T(nan_array(3, 5)), T(rand(3, 4)), T(rand(4, 5)), beta=0),
        lambda L, T: L.addmm(T(rand(3, 5)), T(rand(3, 4)), T(rand(4, 5)), beta=0.0, alpha=0.0),
        lambda L, T: L.addmm(T(rand(30)), T(rand(20, 40)), T(tr(rand(30, 40))), beta=2, alpha=0.5),
        lambda L, T: L.addmm(T(noncontig(rand(3, 5))), T(noncontig(rand(3, 4))), T(noncontig(rand(4, 5)))),
        lambda L, T: L.addmm(T(rand(3, 4)), T(rand(3, 0)), T(rand(0, 4)), beta=2),
        lambda L, T: L.addmm(T(rand(0, 4)), T(rand(0, 3)), T(rand(3, 4))),
        lambda L, T: L.addmm(T(rand(5, dtype=F64)), T(rand(3, 4, dtype=F64)), T(rand(4, 5, dtype=F64)), beta=3),
        lambda L, T: L.addmm(T(rand(5, dtype=F16)), T(rand(3, 4, dtype=F16)), T(rand(4, 5, dtype=F16))),
        lambda L, T: L.addmm(T(rand(5)).bfloat16(), T(rand(3, 4)).bfloat16(), T(rand(4, 5)).bfloat16(), beta=0.5),
        lambda L, T: L.addmm(T(rand(2, 3, dtype=I64)), T(rand(2, 4, dtype=I64)), T(rand(4, 3, dtype=I64))),
        lambda L, T: L.addmm(T(rand(2, 3, dtype=I64)), T(rand(2, 4, dtype=I64)), T(rand(4, 3, dtype=I64)),
                             beta=0.5, alpha=2.7),
        lambda L, T: L.addmm(T(rand(2, 3, dtype=I32)), T(rand(2, 4, dtype=I32)), T(rand(4, 3, dtype=I32)),
                             beta=1.5, alpha=-2),
        lambda L, T: T(rand(5)).addmm(T(rand(3, 4)), T(rand(4, 5)), alpha=3),
        # errors
        lambda L, T: L.addmm(T(rand(3)), T(rand(2, 4)), T(rand(4, 3, 1))),
        lambda L, T: L.addmm(T(rand(3)), T(rand(4)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(3)), T(rand(2, 4)), T(rand(5, 3))),
        lambda L, T: L.addmm(T(rand(4)), T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(7, 3)), T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(2, 3, 1)), T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(2, 3)), T(rand(2, 4)), T(rand(4, 3, dtype=F64))),
        lambda L, T: L.addmm(T(rand(2, 3, dtype=F64)), T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(2, 3)), T(rand(2, 4, dtype=F64)), T(rand(4, 3))),
        lambda L, T: L.addmm(T(rand(2, 3, dtype=B)), T(rand(2, 4, dtype=B)), T(rand(4, 3, dtype=B))),
    ],
    "ADDMM_": [
        lambda L, T: inplace(T(rand(3, 5)), lambda s: s.addmm_(T(rand(3, 4)), T(rand(4, 5)))),
        lambda L, T: inplace(T(rand(3, 5)), lambda s: s.addmm_(T(rand(3, 4)), T(tr(rand(5, 4))), beta=0.5, alpha=2)),
        lambda L, T: inplace(T(noncontig(rand(3, 5))), lambda s: s.addmm_(T(rand(3, 4)), T(rand(4, 5)))),
        lambda L, T: inplace(T(tr(rand(5, 3))), lambda s: s.addmm_(T(rand(3, 4)), T(rand(4, 5)), beta=0)),
        lambda L, T: inplace(T(rand(3, 3, dtype=I64)), lambda s: s.addmm_(T(rand(3, 2, dtype=I64)), T(rand(2, 3, dtype=I64)))),
        lambda L, T: T(rand(1, 3)).addmm_(T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: T(rand(2, 3, dtype=I64)).addmm_(T(rand(2, 4)), T(rand(4, 3))),
        lambda L, T: T(rand(2, 3, dtype=F64)).addmm_(T(rand(2, 4)), T(rand(4, 3))),
    ],
    "ADDMM_OUT": [
        lambda L, T: out_of(lambda o: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(4, 5)), out=o), T(zeros(3, 5))),
        lambda L, T: out_of(lambda o: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(4, 5)), beta=2, out=o), fresh(T(zeros(0)))),
        lambda L, T: (lambda b: out_of(lambda o: L.addmm(b, T(rand(3, 4)), T(rand(4, 5)), out=o), b))(T(rand(3, 5))),
        lambda L, T: L.addmm(T(rand(5)), T(rand(3, 4)), T(rand(4, 5)), out=T(zeros(3, 5, dtype=F64))),
    ],
    "ADDMV": [
        lambda L, T: L.addmv(T(rand(3)), T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand()), T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand(1)), T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand(3)), T(tr(rand(4, 3))), T(noncontig(rand(4))), beta=0.5, alpha=-2),
        lambda L, T: L.addmv(T(nan_array(3)), T(rand(3, 4)), T(rand(4)), beta=0),
        lambda L, T: L.addmv(T(rand(40)), T(rand(40, 50)), T(rand(50)), beta=2),
        lambda L, T: L.addmv(T(rand(3)), T(rand(3, 0)), T(rand(0)), beta=3),
        lambda L, T: L.addmv(T(rand(3, dtype=F64)), T(rand(3, 4, dtype=F64)), T(rand(4, dtype=F64))),
        lambda L, T: L.addmv(T(rand(3, dtype=F16)), T(rand(3, 4, dtype=F16)), T(rand(4, dtype=F16))),
        lambda L, T: L.addmv(T(rand(2, dtype=I64)), T(rand(2, 4, dtype=I64)), T(rand(4, dtype=I64)), alpha=2.5),
        lambda L, T: T(rand(3)).addmv(T(rand(3, 4)), T(rand(4))),
        # errors
        lambda L, T: L.addmv(T(rand(3)), T(rand(3, 4)), T(rand(5))),
        lambda L, T: L.addmv(T(rand(2)), T(rand(3, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand()), T(rand(3, 4)), T(rand(5))),
        lambda L, T: L.addmv(T(rand(2, 1)), T(rand(2, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand(2)), T(rand(2, 4)), T(rand(4, 1))),
        lambda L, T: L.addmv(T(rand(2)), T(rand(4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand(2, dtype=F64)), T(rand(2, 4)), T(rand(4))),
        lambda L, T: L.addmv(T(rand(2)), T(rand(2, 4)), T(rand(4, dtype=F64))),
        lambda L, T: L.addmv(T(rand(2, dtype=B)), T(rand(2, 4, dtype=B)), T(rand(4, dtype=B))),
    ],
    "ADDMV_": [
        lambda L, T: inplace(T(rand(3)), lambda s: s.addmv_(T(rand(3, 4)), T(rand(4)))),
        lambda L, T: inplace(T(rand(3)), lambda s: L.addmv_(s, T(rand(3, 4)), T(rand(4)), beta=2, alpha=0.5)),
        lambda L, T: inplace(T(noncontig(rand(3))), lambda s: s.addmv_(T(tr(rand(4, 3))), T(rand(4)))),
        lambda L, T: L.addmv_(T(rand(1)), T(rand(2, 4)), T(rand(4))),
    ],
    "ADDMV_OUT": [
        lambda L, T: out_of(lambda o: L.addmv(T(rand(3)), T(rand(3, 4)), T(rand(4)), out=o), T(zeros(3))),
        lambda L, T: out_of(lambda o: L.addmv(T(rand()), T(rand(3, 4)), T(rand(4)), out=o), fresh(T(zeros(5)))),
        lambda L, T: L.addmv(T(rand(3)), T(rand(3, 4)), T(rand(4)), out=T(zeros(3, dtype=I64))),
    ],
    "MV": [
        lambda L, T: L.mv(T(rand(3, 4)), T(rand(4))),
        lambda L, T: T(rand(3, 4)).mv(T(rand(4))),
        lambda L, T: L.mv(T(tr(rand(4, 3))), T(rand(4))),
        lambda L, T: L.mv(T(noncontig(rand(3, 4))), T(noncontig(rand(4)))),
        lambda L, T: L.mv(T(expanded(rand(1, 4), (3, 4))), T(expanded(rand(1), (4,)))),
        lambda L, T: L.mv(T(rand(64, 100, dtype=F64)), T(rand(100, dtype=F64))),
        lambda L, T: L.mv(T(tr(rand(100, 64, dtype=F64))), T(rand(100, dtype=F64))),
        lambda L, T: L.mv(T(tr(rand(30, 20))), T(rand(30))),
        lambda L, T: L.mv(T(rand(3, 4, dtype=F64)), T(rand(4, dtype=F64))),
        lambda L, T: L.mv(T(rand(3, 4, dtype=F16)), T(rand(4, dtype=F16))),
        lambda L, T: L.mv(T(rand(3, 4, dtype=I64)), T(rand(4, dtype=I64))),
        lambda L, T: L.mv(T(rand(3, 4, dtype=I8, low=-100, high=100)), T(rand(4, dtype=I8, low=-100, high=100))),
        lambda L, T: L.mv(T(rand(0, 4)), T(rand(4))),
        lambda L, T: L.mv(T(rand(3, 0)), T(rand(0))),
        lambda L, T: L.mv(T(rand(3, 4)), T(rand(5))),
        lambda L, T: L.mv(T(rand(3, 4)), T(rand(4, 1))),
        lambda L, T: L.mv(T(rand(4)), T(rand(4))),
        lambda L, T: L.mv(T(rand(3, 4)), T(rand(4, dtype=F64))),
        lambda L, T: L.mv(T(rand(3, 4, dtype=F64)), T(rand(4))),
        lambda L, T: L.mv(T(rand(3, 3, dtype=B)), T(rand(3, dtype=B))),
    ],
    "MV_OUT": [
        lambda L, T: out_of(lambda o: L.mv(T(rand(3, 4)), T(rand(4)), out=o), T(zeros(3))),
        lambda L, T: out_of(lambda o: L.mv(T(rand(3, 4)), T(rand(4)), out=o), T(noncontig(zeros(3)))),
        lambda L, T: L.mv(T(rand(3, 4)), T(rand(4)), out=T(zeros(3, dtype=F64))),
    ],
    "DOT": [
        lambda L, T: L.dot(T(rand(4)), T(rand(4))),
        lambda L, T: T(rand(4)).dot(T(rand(4))),
        lambda L, T: L.dot(T(noncontig(rand(5))), T(rand(10)[::2])),
        lambda L, T: L.dot(T(rand(5000, dtype=F64)), T(rand(5000, dtype=F64))),
        lambda L, T: L.dot(T(rand(300)), T(rand(300))),
        lambda L, T: L.dot(T(rand(4, dtype=F16)), T(rand(4, dtype=F16))),
        lambda L, T: L.dot(T(rand(4)).bfloat16(), T(rand(4)).bfloat16()),
        lambda L, T: L.dot(T(rand(4, dtype=I32)), T(rand(4, dtype=I32))),
        lambda L, T: L.dot(T(rand(4, dtype=U8, low=0, high=255)), T(rand(4, dtype=U8, low=0, high=255))),
        lambda L, T: L.dot(T(rand(0)), T(rand(0))),
        lambda L, T: L.dot(T(rand(0, dtype=I64)), T(rand(0, dtype=I64))),
        lambda L, T: L.dot(T(rand(3)), T(rand(4))),
        lambda L, T: L.dot(T(rand(3, 1)), T(rand(3))),
        lambda L, T: L.dot(T(rand()), T(rand())),
        lambda L, T: L.dot(T(rand(3)), T(rand(3, dtype=F64))),
        lambda L, T: L.dot(T(rand(3, dtype=I64)), T(rand(3))),
        lambda L, T: L.dot(T(rand(3, dtype=B)), T(rand(3, dtype=B))),
    ],
    "DOT_OUT": [
        lambda L, T: out_of(lambda o: L.dot(T(rand(4)), T(rand(4)), out=o), fresh(T(zeros(0)))),
        lambda L, T: out_of(lambda o: L.dot(T(rand(4, dtype=I64)), T(rand(4, dtype=I64)), out=o), T(zeros(dtype=I64))),
        lambda L, T: L.dot(T(rand(4)), T(rand(4)), out=T(zeros(dtype=F64))),
    ],
    "OUTER": [
        lambda L, T: L.outer(T(rand(3)), T(rand(4))),
        lambda L, T: T(rand(3)).outer(T(rand(4))),
        lambda L, T: L.outer(T(noncontig(rand(3))), T(rand(8)[::2])),
        lambda L, T: L.outer(T(rand(3)), T(rand(4, dtype=F64))),
        lambda L, T: L.outer(T(rand(3, dtype=I64)), T(rand(2))),
        lambda L, T: L.outer(T(rand(3, dtype=I32)), T(rand(2, dtype=B))),
        lambda L, T: L.outer(T(rand(3, dtype=B)), T(rand(2, dtype=B))),
        lambda L, T: L.outer(T(rand(3, dtype=I8, low=-100, high=100)), T(rand(2, dtype=U8, low=0, high=200))),
        lambda L, T: L.outer(T(rand(3, dtype=F16)), T(rand(2, dtype=F16))),
        lambda L, T: L.outer(T(rand(3)).bfloat16(), T(rand(2)).bfloat16()),
        lambda L, T: L.outer(T(rand(0)), T(rand(4))),
        lambda L, T: L.outer(T(rand()), T(rand(2))),
        lambda L, T: L.outer(T(rand(3)), T(rand(4, 1))),
    ],
    "OUTER_OUT": [
        lambda L, T: out_of(lambda o: L.outer(T(rand(3)), T(rand(4)), out=o), T(zeros(3, 4))),
        lambda L, T: out_of(lambda o: L.outer(T(rand(3)), T(rand(4)), out=o), T(zeros(3, 4, dtype=F64))),
        lambda L, T: out_of(lambda o: L.outer(T(rand(3)), T(rand(4)), out=o), fresh(T(zeros(0)))),
        lambda L, T: L.outer(T(rand(3)), T(rand(4)), out=T(zeros(3, 4, dtype=I64))),
    ],
    "GER": [
        lambda L, T: L.ger(T(rand(3)), T(rand(4))),
        lambda L, T: T(rand(3, dtype=I32)).ger(T(rand(2, dtype=B))),
        lambda L, T: L.ger(T(rand(3, 2)), T(rand(4))),
    ],
    "GER_OUT": [
        lambda L, T: out_of(lambda o: L.ger(T(rand(3)), T(rand(4)), out=o), T(zeros(3, 4))),
        lambda L, T: L.ger(T(rand(3)), T(rand(4)), out=T(zeros(3, 4, dtype=B))),
    ],
    "T": [
        lambda L, T: L.t(T(rand(2, 3))),
        lambda L, T: T(rand(2, 3)).t(),
        lambda L, T: T(noncontig(rand(2, 3))).t(),
        lambda L, T: T(rand(3)).t(),
        lambda L, T: T(rand()).t(),
        lambda L, T: T(rand(0, 3)).t(),
        lambda L, T: T(rand(2, 3, dtype=I64)).t(),
        lambda L, T: (lambda x: (x.t().add_(1), x)[1])(T(rand(2, 3))),
        lambda L, T: (lambda x: (x.t().stride(), x.t().is_contiguous(), x.t().t().is_contiguous()))(T(rand(2, 3))),
        lambda L, T: T(rand(2, 3, 4)).t(),
    ],
    "T_": [
        lambda L, T: inplace(T(rand(2, 3)), lambda x: x.t_()),
        lambda L, T: (lambda x: (x.t_().stride(), tuple(x.shape)))(T(rand(2, 3))),
        lambda L, T: inplace(T(rand(3)), lambda x: x.t_()),
        lambda L, T: T(rand(2, 3, 4)).t_(),
    ],
    "LINEAR": [
        lambda L, T: linear(L, T(rand(3, 4)), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(3, 4)), T(rand(5, 4))),
        lambda L, T: linear(L, T(rand(3, 4)), T(rand(5, 4)), None),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(2, 6, 3, 4)), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4))),
        lambda L, T: linear(L, T(noncontig(rand(2, 3, 4))), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(4)), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(4)), T(rand(5, 4))),
        lambda L, T: linear(L, T(rand(3, 4)), T(rand(4))),
        lambda L, T: linear(L, T(rand(4)), T(rand(4)), T(rand())),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand())),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand(1, 5))),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand(6, 1))),
        lambda L, T: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand(2, 3, 5))),
        lambda L, T: linear(L, T(rand(3, 4)), T(noncontig(rand(5, 4))), T(noncontig(rand(5)))),
        lambda L, T: linear(L, T(rand(8, 64)), T(rand(32, 64)), T(rand(32))),
        lambda L, T: linear(L, T(rand(0, 4)), T(rand(5, 4)), T(rand(5))),
        lambda L, T: linear(L, T(rand(3, 0)), T(rand(5, 0)), T(rand(5))),
        lambda L, T: linear(L, T(rand(3, 4, dtype=F64)), T(rand(5, 4, dtype=F64)), T(rand(5, dtype=F64))),
        lambda L, T: linear(L, T(rand(2, 3, 4, dtype=F16)), T(rand(5, 4, dtype=F16)), T(rand(5, dtype=F16))),
        lambda L, T: linear(L, T(rand(3, 4, dtype=I64)), T(rand(2, 4, dtype=I64)), T(rand(2, dtype=I64))),
        lambda L, T: linear(L, input=T(rand(3, 4)), weight=T(rand(5, 4)), bias=T(rand(5))),
        # errors
        lambda L, T: linear(L, T(rand(2, 4)), T(rand(3, 5))),
        lambda L, T: linear(L, T(rand(2, 4)), T(rand(3, 4)), T(rand(2))),
        lambda L, T: linear(L, T(rand()), T(rand(3, 4))),
        lambda L, T: linear(L, T(rand(2, 4)), T(rand(4))),
        lambda L, T: linear(L, T(rand(2, 4)), T(rand(4)), T(rand(2))),
        lambda L, T: linear(L, T(rand(2, 4)), T(rand(3, 4)), T(rand(3, dtype=F64))),
        lambda L, T: linear(L, T(rand(5, 3, 4)), T(rand(2, 4)), T(rand(2, dtype=F64))),
        lambda L, T: linear(L, T(rand(5, 3, 4)), T(rand(2, 4)), T(rand(5, 1, 1))),
        lambda L, T: linear(L, T(rand(5, 3, 4)), T(rand(2, 4)), T(rand(3, 1))),
        lambda L, T: linear(L, T(rand(4)), T(rand(2, 4)), T(rand(5, 1))),
        lambda L, T: linear(L, T(rand(4)), T(rand(2, 4, 3)), T(rand(5, 1))),
    ],
    "LINEAR_OUT": [
        lambda L, T: out_of(lambda o: linear(L, T(rand(3, 4)), T(rand(5, 4)), T(rand(5)), out=o), T(zeros(3, 5))),
        lambda L, T: out_of(lambda o: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), T(rand(5)), out=o), fresh(T(zeros(0)))),
        lambda L, T: out_of(lambda o: linear(L, T(rand(2, 3, 4)), T(rand(5, 4)), out=o), T(zeros(2, 3, 5))),
        lambda L, T: linear(L, T(rand(3, 4)), T(rand(5, 4)), T(rand(5)), out=T(zeros(3, 5, dtype=F64))),
    ],
}
