"""Differential cases for complex tensors (see tests/oracle.py): the rows of
ops_complex_tensor.def, and complex64/complex128 operands for the existing rows that take them
(k_complex_tensor.c's table), plus rows that must refuse complex operands as torch does."""
import numpy as np

from case_builders import E, inplace
from oracle import noncontig, rand

c64, c128, f32, f64, f16, i64, i32, b8 = (np.complex64, np.complex128, np.float32, np.float64,
                                          np.float16, np.int64, np.int32, np.bool_)


def crand(*shape, dtype=c64, low=-2.0, high=2.0):
    """Random complex array: real and imaginary parts uniform in [low, high)."""
    rt = f32 if dtype == c64 else f64
    return (rand(*shape, dtype=rt, low=low, high=high)
            + 1j * rand(*shape, dtype=rt, low=low, high=high)).astype(dtype)


def cunary(fn, lo=-2.0, hi=2.0):
    """A unary function over complex inputs: layouts, 0-dim, empty, both dtypes."""
    return [
        lambda L, T: fn(L)(T(crand(3, 4, low=lo, high=hi))),
        lambda L, T: fn(L)(T(noncontig(crand(3, 4, low=lo, high=hi)))),
        lambda L, T: fn(L)(T(crand(5, 3, low=lo, high=hi).T)),
        lambda L, T: fn(L)(T(crand(low=lo, high=hi))),
        lambda L, T: fn(L)(T(crand(0, 3))),
        lambda L, T: fn(L)(T(crand(2, 3, dtype=c128, low=lo, high=hi))),
    ]


def cunary_all(name, lo=-2.0, hi=2.0):
    """function, in-place method and out= forms of a unary op on complex inputs."""
    return {
        name.upper(): cunary(lambda L: getattr(L, name), lo, hi),
        name.upper() + "_": [
            lambda L, T: inplace(T(crand(3, 4, low=lo, high=hi)), lambda x: getattr(x, name + "_")()),
            lambda L, T: inplace(T(noncontig(crand(3, low=lo, high=hi, dtype=c128))), lambda x: getattr(x, name + "_")()),
        ],
        name.upper() + "_OUT": [
            lambda L, T: getattr(L, name)(T(crand(2, 3, low=lo, high=hi)), out=E(L, c64)),
            # a real out= cannot take a complex result
            lambda L, T: getattr(L, name)(T(crand(2, 3, low=lo, high=hi)), out=E(L, f32)),
        ],
    }


def cbinary(fn):
    """A binary function: complex with complex/real/int tensors, broadcasting, 0-dim, empty,
    non-contiguous, Python numbers (real and complex) on either side."""
    return [
        lambda L, T: fn(L)(T(crand(3, 4)), T(crand(3, 4))),
        lambda L, T: fn(L)(T(noncontig(crand(3, 4))), T(crand(4, dtype=c128))),
        lambda L, T: fn(L)(T(crand(3, 1)), T(rand(1, 4))),
        lambda L, T: fn(L)(T(rand(2, 3, dtype=f64)), T(crand(2, 3))),
        lambda L, T: fn(L)(T(crand(2, 3)), T(rand(2, 3, dtype=i64, low=1, high=4))),
        lambda L, T: fn(L)(T(crand()), T(rand(3, dtype=f64))),
        lambda L, T: fn(L)(T(rand(3, dtype=f64)), T(crand())),
        lambda L, T: fn(L)(T(crand(0, 3)), T(crand(3))),
        lambda L, T: fn(L)(T(crand(3)), 2.5),
        lambda L, T: fn(L)(T(crand(3)), 1.5 - 2j),
        lambda L, T: fn(L)(T(rand(3)), 2j),
        lambda L, T: fn(L)(T(rand(3, dtype=f64)), 0.5j),
        lambda L, T: fn(L)(T(rand(3, dtype=i32, low=1, high=4)), 1 + 1j),
        lambda L, T: fn(L)(T(crand(3)), T(crand(4))),   # shapes do not broadcast
    ]


def binary_rows(name, rows_tensor, rows_scalar, ip, out, scalar_out=None):
    fn = (lambda L: getattr(L, name))
    d = {}
    for r in rows_tensor:
        d[r] = cbinary(fn)
    for r in rows_scalar:
        d[r] = [lambda L, T: getattr(T(crand(3)), name)(2 + 1j),
                lambda L, T: getattr(T(rand(2, 3)), name)(-1j),
                lambda L, T: getattr(T(crand(2, dtype=c128)), name)(3)]
    d[ip] = [
        lambda L, T: inplace(T(crand(3, 4)), lambda x: getattr(x, name + "_")(T(crand(4)))),
        lambda L, T: inplace(T(crand(3)), lambda x: getattr(x, name + "_")(2j)),
        lambda L, T: inplace(T(crand(3, dtype=c128)), lambda x: getattr(x, name + "_")(T(rand(3)))),
        # a real tensor cannot hold the complex result in place
        lambda L, T: inplace(T(rand(3)), lambda x: getattr(x, name + "_")(T(crand(3)))),
    ]
    d[out] = [
        lambda L, T: getattr(L, name)(T(crand(2, 3)), T(crand(3)), out=E(L, c64)),
        lambda L, T: getattr(L, name)(T(crand(2, 3)), T(rand(3)), out=E(L, c128)),
        lambda L, T: getattr(L, name)(T(crand(2, 3)), T(crand(3)), out=E(L, f32)),
    ]
    return d


def _tensor_complex(L, data):
    """the hidden tensor.complex row (scripted torch.tensor(1j); positional only through
    _call_op, its dtype= is tested in scripted code) against torch.tensor"""
    if L.__name__ == "pyts":
        return L._C._call_op("TENSOR_COMPLEX", data)
    return L.tensor(data)


CASES = {
    "TENSOR_COMPLEX": [lambda L, T: _tensor_complex(L, 1 - 2j), lambda L, T: _tensor_complex(L, -0.5j),
                       lambda L, T: _tensor_complex(L, complex(float("inf"), float("nan")))],
    # ---- ops_complex_tensor.def ----
    "REAL": cunary(lambda L: L.real) + [
        lambda L, T: L.real(T(rand(3, 2))),
        lambda L, T: T(crand(2, 3)).real,
        # a view: writing through it changes the complex tensor
        lambda L, T: (lambda x: (x.real.mul_(2), x)[1])(T(crand(2, 3))),
        lambda L, T: (lambda x: (x.real.copy_(T(rand(3))), x)[1])(T(crand(2, 3, dtype=c128))),
    ],
    "IMAG": cunary(lambda L: L.imag) + [
        lambda L, T: T(noncontig(crand(2, 3))).imag,
        lambda L, T: (lambda x: (x.imag.zero_(), x)[1])(T(crand(2, 3))),
        lambda L, T: L.imag(T(rand(3, 2))),   # real tensors have no imag
    ],
    "VIEW_AS_REAL": cunary(lambda L: L.view_as_real) + [
        lambda L, T: (lambda x: (L.view_as_real(x).fill_(1.5), x)[1])(T(crand(2, 3))),
        lambda L, T: L.view_as_real(T(rand(3))),
    ],
    "VIEW_AS_COMPLEX": [
        lambda L, T: L.view_as_complex(T(rand(3, 2))),
        lambda L, T: L.view_as_complex(T(rand(2, 4, 2, dtype=f64))),
        lambda L, T: L.view_as_complex(T(rand(2))),
        lambda L, T: L.view_as_complex(T(rand(0, 2))),
        lambda L, T: L.view_as_complex(T(rand(3, 2))[::2]),
        lambda L, T: L.view_as_complex(T(rand(3, 3))),            # last dim is not 2
        lambda L, T: L.view_as_complex(T(rand(2, 3).T.copy().T)),  # last stride is not 1
        lambda L, T: L.view_as_complex(T(rand(3, 2, dtype=i64))),
        lambda L, T: L.view_as_complex(T(rand(2, 3))[:, 1:]),     # odd storage offset
        lambda L, T: L.view_as_real(L.view_as_complex(T(rand(4, 2)))),
    ],
    # torch's conj is a lazy view NumPy cannot read: the cases resolve it
    "CONJ": cunary(lambda L: (lambda x: L.conj(x).resolve_conj())) + [
        lambda L, T: T(crand(3)).conj().resolve_conj(),
        lambda L, T: L.conj(T(rand(3))),
        lambda L, T: L.conj(T(crand(2, 2))).resolve_conj(),
    ],
    "CONJ_PHYSICAL": cunary(lambda L: L.conj_physical) + [lambda L, T: L.conj_physical(T(rand(3, dtype=i64)))],
    "RESOLVE_CONJ": cunary(lambda L: L.resolve_conj) + [lambda L, T: L.resolve_conj(T(rand(3)))],
    "IS_CONJ": [lambda L, T: T(crand(3)).is_conj(), lambda L, T: T(rand(3)).is_conj(),
                lambda L, T: L.is_conj(T(crand(3)).conj().resolve_conj())],
    "IS_COMPLEX": [lambda L, T: T(crand(3)).is_complex(), lambda L, T: L.is_complex(T(rand(3))),
                   lambda L, T: T(crand(3, dtype=c128)).is_complex(), lambda L, T: T(rand(2, dtype=i64)).is_complex()],
    "ANGLE": cunary(lambda L: L.angle) + [
        lambda L, T: L.angle(T(rand(3, 4))),
        lambda L, T: L.angle(T(np.array([-1.0, 0.0, 2.0, float("nan")], dtype=f64))),
        lambda L, T: L.angle(T(rand(4, dtype=i64))),
        lambda L, T: T(crand(2)).angle(),
    ],
    "COMPLEX": [
        lambda L, T: L.complex(T(rand(3)), T(rand(3))),
        lambda L, T: L.complex(T(rand(2, 1, dtype=f64)), T(rand(3, dtype=f64))),
        lambda L, T: L.complex(T(noncontig(rand(2, 3))), T(rand())),
        lambda L, T: L.complex(T(rand(0)), T(rand(0))),
        lambda L, T: L.complex(T(rand(3)), T(rand(3, dtype=f64))),   # dtypes differ
        lambda L, T: L.complex(T(rand(3, dtype=i64)), T(rand(3, dtype=i64))),
        lambda L, T: L.complex(T(rand(3)), T(rand(4))),
    ],
    "POLAR": [
        lambda L, T: L.polar(T(rand(3, low=0)), T(rand(3))),
        lambda L, T: L.polar(T(rand(2, 1, dtype=f64, low=0)), T(rand(3, dtype=f64))),
        lambda L, T: L.polar(T(rand(3)), T(rand(3, dtype=f64))),
        lambda L, T: L.polar(T(rand(0)), T(rand(0))),
    ],
    # ---- creation and conversion rows with complex dtypes ----
    "ZEROS": [lambda L, T: L.zeros(2, 3, dtype=L.complex64), lambda L, T: L.zeros(0, dtype=L.cdouble)],
    "ONES": [lambda L, T: L.ones(2, dtype=L.cfloat), lambda L, T: L.ones((), dtype=L.complex128)],
    "FULL": [
        lambda L, T: L.full((2, 2), 1 - 2j),
        lambda L, T: L.full((2,), 1j, dtype=L.complex128),
        lambda L, T: L.full((2,), 3, dtype=L.complex64),
        lambda L, T: L.full((2,), 1j, dtype=L.float32),   # a complex value in a real tensor
    ],
    "FULL_LIKE": [lambda L, T: L.full_like(T(crand(2, 3)), 2 + 1j), lambda L, T: L.full_like(T(rand(2)), 1j),
                  lambda L, T: L.full_like(T(rand(2)), 1j, dtype=L.complex128)],
    "NEW_FULL": [lambda L, T: T(crand(2)).new_full((3,), 1j), lambda L, T: T(crand(2)).new_full((2,), 4)],
    "FILL__SCALAR": [
        lambda L, T: inplace(T(crand(3)), lambda x: x.fill_(2 - 1j)),
        lambda L, T: inplace(T(crand(2, 2, dtype=c128)), lambda x: x.fill_(1.5)),
        lambda L, T: inplace(T(rand(3)), lambda x: x.fill_(1j)),
    ],
    "FILL__TENSOR": [lambda L, T: inplace(T(crand(3)), lambda x: x.fill_(T(crand())))],
    "ZEROS_LIKE": [lambda L, T: L.zeros_like(T(crand(2, 3))), lambda L, T: L.zeros_like(T(rand(2)), dtype=L.cfloat)],
    "ONES_LIKE": [lambda L, T: L.ones_like(T(noncontig(crand(2, 3))))],
    "EYE": [lambda L, T: L.eye(3, dtype=L.complex64)],
    "TO_DTYPE": [
        lambda L, T: T(rand(2, 3)).to(L.complex64),
        lambda L, T: T(rand(2, 3, dtype=i64)).to(L.complex128),
        lambda L, T: T(rand(3, dtype=b8)).to(L.complex64),
        lambda L, T: T(crand(3)).to(L.complex128),
        lambda L, T: T(crand(3, dtype=c128)).to(L.complex64),
        lambda L, T: T(crand(3)).to(L.float64),   # the imaginary part is dropped (torch warns)
        lambda L, T: T(crand(3, low=-5, high=5)).to(L.int32),
        lambda L, T: T(np.array([0j, 1j, 1, 0], dtype=c64)).to(L.bool),
        lambda L, T: T(noncontig(crand(2, 3))).to(L.complex128),
    ],
    "COPY_": [
        lambda L, T: inplace(T(crand(2, 3)), lambda x: x.copy_(T(rand(3)))),
        lambda L, T: inplace(T(rand(2, 3)), lambda x: x.copy_(T(crand(2, 3)))),
        lambda L, T: inplace(T(crand(2, 3, dtype=c128)), lambda x: x.copy_(T(noncontig(crand(2, 3))))),
    ],
    # ---- element moves ----
    "CLONE": [lambda L, T: L.clone(T(noncontig(crand(2, 3, dtype=c128))))],
    "CONTIGUOUS": [lambda L, T: T(crand(4, 3).T).contiguous()],
    "VIEW": [lambda L, T: T(crand(2, 6)).view(3, 4), lambda L, T: T(crand(2, 6, dtype=c128)).view(-1)],
    "RESHAPE": [lambda L, T: T(crand(2, 6).T).reshape(-1)],
    "TRANSPOSE_INT": [lambda L, T: T(crand(2, 3, dtype=c128)).transpose(0, 1)],
    "PERMUTE": [lambda L, T: T(crand(2, 3, 4)).permute(2, 0, 1).contiguous()],
    "SELECT_INT": [lambda L, T: T(crand(3, 4))[1], lambda L, T: T(crand(3, 4, dtype=c128)).select(1, -1)],
    "SLICE_TENSOR": [lambda L, T: T(crand(6, dtype=c128))[1:5:2]],
    "UNSQUEEZE": [lambda L, T: T(crand(3)).unsqueeze(0)],
    "SQUEEZE": [lambda L, T: T(crand(1, 3, 1)).squeeze()],
    "EXPAND": [lambda L, T: T(crand(3, 1)).expand(3, 4).contiguous()],
    "FLATTEN_USING_INTS": [lambda L, T: T(crand(2, 3, 2)).flatten()],
    "CAT": [
        lambda L, T: L.cat([T(crand(2, 3)), T(crand(1, 3))]),
        lambda L, T: L.cat([T(crand(2, 3, dtype=c128)), T(noncontig(crand(2, 3, dtype=c128)))], dim=1),
        lambda L, T: L.cat([T(crand(2)), T(rand(2))]),
    ],
    "STACK": [lambda L, T: L.stack([T(crand(3)), T(crand(3))], 1)],
    "FLIP": [lambda L, T: T(crand(3, 4, dtype=c128)).flip(1)],
    "ROLL": [lambda L, T: T(crand(5)).roll(2)],
    "REPEAT": [lambda L, T: T(crand(2, dtype=c128)).repeat(2, 3)],
    "INDEX_SELECT": [lambda L, T: T(crand(4, 3, dtype=c128)).index_select(0, T(np.array([2, 0, 2])))],
    "INDEX_TENSOR": [lambda L, T: T(crand(4, 3, dtype=c128))[T(np.array([3, 1]))],
                     lambda L, T: T(crand(4))[T(np.array([True, False, True, True]))]],
    "MASKED_SELECT": [lambda L, T: T(crand(2, 3, dtype=c128)).masked_select(T(rand(2, 3, dtype=b8)))],
    "UNBIND_INT": [lambda L, T: T(crand(2, 3)).unbind(1)],
    "SPLIT_TENSOR": [lambda L, T: T(crand(5, dtype=c128)).split(2)],
    "CHUNK": [lambda L, T: T(crand(4, 2)).chunk(2)],
    "NARROW": [lambda L, T: T(crand(4, 2)).narrow(0, 1, 2)],
    # ---- arithmetic ----
    **binary_rows("add", ["ADD_TENSOR"], ["ADD_SCALAR"], "ADD__TENSOR", "ADD_OUT"),
    **binary_rows("sub", ["SUB_TENSOR"], ["SUB_SCALAR"], "SUB__TENSOR", "SUB_OUT"),
    **binary_rows("mul", ["MUL_TENSOR"], ["MUL_SCALAR"], "MUL__TENSOR", "MUL_OUT"),
    **binary_rows("div", ["DIV_TENSOR"], ["DIV_SCALAR"], "DIV__TENSOR", "DIV_OUT"),
    **binary_rows("eq", ["EQ_TENSOR"], ["EQ_SCALAR"], "EQ__TENSOR", "EQ_TENSOR_OUT"),
    **binary_rows("ne", ["NE_TENSOR"], ["NE_SCALAR"], "NE__TENSOR", "NE_TENSOR_OUT"),
    "ADD__SCALAR": [lambda L, T: inplace(T(crand(3)), lambda x: x.add_(1j, alpha=2))],
    "RSUB_SCALAR": [lambda L, T: L.rsub(T(crand(3)), 2j), lambda L, T: L.rsub(T(rand(3)), 1 + 1j, alpha=2)],
    "RSUB_TENSOR": [lambda L, T: L.rsub(T(crand(3)), T(rand(3)), alpha=1j)],
    "POW_TENSOR_TENSOR": [lambda L, T: L.pow(T(crand(3, low=0.5)), T(crand(3))),
                          lambda L, T: L.pow(T(crand(2, 3, dtype=c128, low=0.5)), T(rand(3, dtype=f64)))],
    "POW_TENSOR_SCALAR": [lambda L, T: L.pow(T(crand(3, low=0.5, dtype=c128)), 2.5),
                          lambda L, T: L.pow(T(rand(3, low=0.5, dtype=f64)), 0.5 + 1j)],
    "POW_SCALAR": [lambda L, T: L.pow(1 + 1j, T(rand(3, dtype=f64)))],
    "TRUE_DIVIDE_TENSOR": [lambda L, T: L.true_divide(T(crand(3)), T(rand(3, low=1)))],
    "SUB_SCALAR_OUT": [lambda L, T: L.sub(T(crand(3)), 1j, out=E(L, c64))],
    # alpha: complex for complex operands; refused for real ones
    "ADD_TENSOR_ALPHA": [],
    **cunary_all("neg"), **cunary_all("exp", -1, 1), **cunary_all("log", 0.2, 2), **cunary_all("sqrt"),
    **cunary_all("sin", -1, 1), **cunary_all("cos", -1, 1), **cunary_all("tan", -0.5, 0.5),
    **cunary_all("tanh", -1, 1), **cunary_all("sigmoid", -1, 1), **cunary_all("reciprocal", 0.5, 2),
    "ABS": cunary(lambda L: L.abs) + [lambda L, T: abs(T(crand(3, dtype=c128)))],
    # ---- reductions ----
    "SUM": cunary(lambda L: L.sum) + [lambda L, T: T(crand(3)).sum(dtype=L.complex128),
                                      lambda L, T: T(crand(3)).sum(dtype=L.float32)],
    "SUM_DIM_INTLIST": [
        lambda L, T: T(crand(3, 4)).sum(0), lambda L, T: T(crand(3, 4, dtype=c128)).sum(-1, keepdim=True),
        lambda L, T: T(noncontig(crand(2, 3, 4))).sum((0, 2)), lambda L, T: T(crand(3, 4)).sum(2),
        lambda L, T: T(crand(0, 3)).sum(0), lambda L, T: T(crand()).sum(0),
    ],
    "MEAN": cunary(lambda L: L.mean),
    "MEAN_DIM": [lambda L, T: T(crand(3, 4)).mean(1), lambda L, T: T(crand(3, 4, dtype=c128)).mean((0, 1), keepdim=True)],
    # ---- matmul ----
    "MM": [lambda L, T: L.mm(T(crand(3, 4)), T(crand(4, 2))),
           lambda L, T: L.mm(T(crand(4, 3, dtype=c128).T), T(noncontig(crand(4, 2, dtype=c128)))),
           lambda L, T: L.mm(T(crand(3, 4)), T(crand(3, 2))),
           lambda L, T: L.mm(T(crand(3, 4)), T(rand(4, 2))),
           lambda L, T: L.mm(T(crand(0, 4)), T(crand(4, 2)))],
    "BMM": [lambda L, T: L.bmm(T(crand(2, 3, 4)), T(crand(2, 4, 5)))],
    "MATMUL": [lambda L, T: L.matmul(T(crand(3, 4, dtype=c128)), T(crand(4, dtype=c128))),
               lambda L, T: T(crand(2, 3, 4)) @ T(crand(4, 2)),
               lambda L, T: T(crand(3)) @ T(crand(3))],
    # ---- rows that refuse complex operands, as torch ----
    "CLAMP": [lambda L, T: L.clamp(T(crand(3)), min=0)],
    "FLOOR": [lambda L, T: L.floor(T(crand(3)))],
    "SIGN": [lambda L, T: L.sign(T(crand(3)))],
    "ARGMAX": [lambda L, T: L.argmax(T(crand(3)))],
    "MAX": [lambda L, T: L.max(T(crand(3)))],
    "MAXIMUM": [lambda L, T: L.maximum(T(crand(3)), T(crand(3)))],
    "LT_TENSOR": [lambda L, T: L.lt(T(crand(3)), T(crand(3)))],
    "SORT": [lambda L, T: L.sort(T(crand(3)))],
    "RELU": [lambda L, T: L.relu(T(crand(3)))],
    "ARANGE": [lambda L, T: L.arange(5, dtype=L.complex64)],
    "REMAINDER_TENSOR": [lambda L, T: L.remainder(T(crand(3)), T(crand(3)))],
    "ERF": [lambda L, T: L.erf(T(crand(3)))],
}
del CASES["ADD_TENSOR_ALPHA"]
CASES["ADD_TENSOR"] += [
    lambda L, T: L.add(T(crand(3)), T(crand(3)), alpha=2 - 1j),
    lambda L, T: L.add(T(rand(3)), T(rand(3)), alpha=1j),
    lambda L, T: L.sub(T(crand(2, dtype=c128)), T(rand(2)), alpha=0.5j),
]


# ---- session 8: more rows taking complex operands (k_complex_tensor2.c) ----
def cspecial(dtype=c64):
    """complex numbers with nan / inf / zero parts"""
    n, i = float("nan"), float("inf")
    return np.array([0j, complex(n, 0), complex(0, n), complex(i, 1), complex(1, -i), complex(-i, n),
                     1 + 2j, -0.5j, complex(n, n), 3.0 + 0j], dtype=dtype)


CASES.update({
    **cunary_all("rsqrt", 0.2, 2), **cunary_all("log10", 0.2, 2), **cunary_all("log2", 0.2, 2),
    **cunary_all("log1p"), **cunary_all("expm1", -1, 1), **cunary_all("asin"), **cunary_all("acos"),
    **cunary_all("atan", -0.9, 0.9), **cunary_all("sinh", -1, 1), **cunary_all("cosh", -1, 1),
    **cunary_all("asinh"), **cunary_all("acosh"), **cunary_all("atanh", -0.9, 0.9),
    **cunary_all("arcsin"), **cunary_all("arccos"), **cunary_all("arctan", -0.9, 0.9),
    **cunary_all("arcsinh"), **cunary_all("arccosh"), **cunary_all("arctanh", -0.9, 0.9),
    **cunary_all("square"), **cunary_all("exp2", -1, 1), **cunary_all("sgn"), **cunary_all("sinc", -1, 1),
})
CASES["LOG1P"] += [lambda L, T: L.log1p(T(crand(20, low=-1e-6, high=1e-6, dtype=c128))),
                   lambda L, T: L.log1p(T(np.array([1e-30j, -1 + 0j, 1e-8 + 1e-8j], dtype=c128)))]
CASES["EXPM1"] += [lambda L, T: L.expm1(T(crand(20, low=-1e-6, high=1e-6, dtype=c128)))]
CASES["SGN"] += [lambda L, T: L.sgn(T(np.array([0j, 3 + 4j, -2j, 1e-30 + 0j], dtype=c128)))]
CASES["SINC"] += [lambda L, T: L.sinc(T(np.array([0j, 0.5 + 0j, 1j], dtype=c64)))]
CASES["SQUARE"] += [lambda L, T: L.square(T(rand(3, dtype=i64)))]
CASES["POSITIVE"] = [lambda L, T: L.positive(T(crand(2, 3))), lambda L, T: +T(noncontig(crand(2, 3, dtype=c128)))]
for _name in ("isnan", "isinf", "isfinite", "isreal"):
    CASES[_name.upper()] = cunary(lambda L, n=_name: getattr(L, n)) + [
        lambda L, T, n=_name: getattr(L, n)(T(cspecial())),
        lambda L, T, n=_name: getattr(T(cspecial(c128)[::2]), n)(),
    ]
CASES["NAN_TO_NUM"] = [
    lambda L, T: L.nan_to_num(T(cspecial())),
    lambda L, T: L.nan_to_num(T(cspecial(c128)), nan=1.5, posinf=7.0, neginf=-3.0),
    lambda L, T: T(cspecial()[::3]).nan_to_num(posinf=2.0),
    lambda L, T: L.nan_to_num(T(crand(0, 2))),
]
CASES["NAN_TO_NUM_"] = [lambda L, T: inplace(T(cspecial()), lambda x: x.nan_to_num_(nan=0.25, neginf=9.0))]
CASES["NAN_TO_NUM_OUT"] = [lambda L, T: L.nan_to_num(T(cspecial(c128)), out=E(L, c128)),
                           lambda L, T: L.nan_to_num(T(cspecial()), out=E(L, f32))]
CASES["WHERE_SELF"] = [
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), T(crand(3, 4)), T(crand(3, 4))),
    lambda L, T: L.where(T(rand(3, 1, dtype=b8)), T(noncontig(crand(1, 4))), T(crand(4, dtype=c128))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), T(rand(3, dtype=f64))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=i64)), T(crand(3))),
    lambda L, T: L.where(T(rand(dtype=b8)), T(crand()), T(crand())),
    lambda L, T: L.where(T(rand(0, 2, dtype=b8)), T(crand(0, 2)), T(crand(2))),
    lambda L, T: T(crand(2, 3)).where(T(rand(2, 3, dtype=b8)), T(crand(2, 3))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), T(crand(4))),      # shapes
    lambda L, T: L.where(T(rand(3, dtype=f32)), T(crand(3)), T(crand(3))),     # condition dtype
]
CASES["WHERE_SCALAROTHER"] = [lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), 2.5),
                              lambda L, T: L.where(T(rand(2, 3, dtype=b8)), T(rand(2, 3)), 1 - 1j),
                              lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=i64)), 2j)]
CASES["WHERE_SCALARSELF"] = [lambda L, T: L.where(T(rand(3, dtype=b8)), 1j, T(crand(3, dtype=c128))),
                             lambda L, T: L.where(T(rand(3, dtype=b8)), 3j, T(rand(3, dtype=f64)))]
CASES["WHERE_SCALAR"] = [lambda L, T: L.where(T(rand(2, 2, dtype=b8)), 1j, 2),
                         lambda L, T: L.where(T(rand(3, dtype=b8)), 1.5, -2j)]
CASES["WHERE_SELF_OUT"] = [lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), T(crand(3)), out=E(L, c64)),
                           lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), T(crand(3)), out=E(L, c128)),
                           lambda L, T: L.where(T(rand(3, dtype=b8)), T(crand(3)), T(crand(3)), out=E(L, f32))]
CASES["MASKED_FILL_SCALAR"] = [
    lambda L, T: T(crand(3, 4)).masked_fill(T(rand(3, 4, dtype=b8)), 1 - 2j),
    lambda L, T: T(noncontig(crand(3, 4, dtype=c128))).masked_fill(T(rand(4, dtype=b8)), 2.5),
    lambda L, T: L.masked_fill(T(crand()), T(rand(dtype=b8)), 3),
    lambda L, T: T(crand(0, 2)).masked_fill(T(rand(2, dtype=b8)), 1j),
    lambda L, T: T(rand(3)).masked_fill(T(rand(3, dtype=b8)), 1j),           # complex into float
    lambda L, T: T(rand(3)).masked_fill(T(rand(3, dtype=b8)), 2 + 0j),
    lambda L, T: T(crand(3)).masked_fill(T(rand(3, dtype=i64)), 1j),         # mask dtype
]
CASES["MASKED_FILL_TENSOR"] = [
    lambda L, T: T(crand(2, 3)).masked_fill(T(rand(2, 3, dtype=b8)), T(crand())),
    lambda L, T: T(crand(2, 3)).masked_fill(T(rand(2, 3, dtype=b8)), T(rand(dtype=f64))),
    lambda L, T: T(crand(2, 3)).masked_fill(T(rand(2, 3, dtype=b8)), T(crand(2))),   # not 0-dim
    lambda L, T: T(rand(2, 3)).masked_fill(T(rand(2, 3, dtype=b8)), T(crand())),
]
CASES["MASKED_FILL__SCALAR"] = [
    lambda L, T: inplace(T(crand(3, 4)), lambda x: x.masked_fill_(T(rand(3, 4, dtype=b8)), -1j)),
    lambda L, T: inplace(T(noncontig(crand(3, 4, dtype=c128))), lambda x: x.masked_fill_(T(rand(4, dtype=b8)), 2)),
    lambda L, T: inplace(T(crand(3)), lambda x: x.masked_fill_(T(rand(2, 3, dtype=b8)), 1j)),   # mask larger
]
CASES["MASKED_FILL__TENSOR"] = [
    lambda L, T: inplace(T(crand(3)), lambda x: x.masked_fill_(T(rand(3, dtype=b8)), T(crand(dtype=c128)))),
]

# products (four real products over the part views; outer/addr promote as torch)
CASES.update({
    "MM_OUT": [lambda L, T: L.mm(T(crand(3, 4)), T(crand(4, 2)), out=E(L, c64)),
               lambda L, T: L.mm(T(crand(3, 4)), T(crand(4, 2)), out=E(L, f32))],
    "BMM_OUT": [lambda L, T: L.bmm(T(crand(2, 3, 4, dtype=c128)), T(crand(2, 4, 1, dtype=c128)), out=E(L, c128))],
    "MATMUL_OUT": [lambda L, T: L.matmul(T(crand(2, 3, 4)), T(crand(4)), out=E(L, c64))],
    "MV": [lambda L, T: L.mv(T(crand(3, 4)), T(crand(4))),
           lambda L, T: L.mv(T(crand(4, 3, dtype=c128).T), T(noncontig(crand(4, dtype=c128)))),
           lambda L, T: L.mv(T(crand(0, 4)), T(crand(4))),
           lambda L, T: L.mv(T(crand(3, 4)), T(rand(4))),          # dtypes differ
           lambda L, T: L.mv(T(crand(3, 4)), T(crand(3)))],        # sizes
    "MV_OUT": [lambda L, T: L.mv(T(crand(3, 4)), T(crand(4)), out=E(L, c64))],
    "DOT": [lambda L, T: L.dot(T(crand(5)), T(crand(5))),
            lambda L, T: T(noncontig(crand(4, dtype=c128))).dot(T(crand(4, dtype=c128))),
            lambda L, T: L.dot(T(crand(0)), T(crand(0))),
            lambda L, T: L.dot(T(crand(3)), T(rand(3))),
            lambda L, T: L.dot(T(crand(3)), T(crand(4)))],
    "DOT_OUT": [lambda L, T: L.dot(T(crand(5)), T(crand(5)), out=E(L, c64))],
    "VDOT": [lambda L, T: L.vdot(T(crand(5)), T(crand(5))),
             lambda L, T: L.vdot(T(crand(4, dtype=c128)[::-1].copy()), T(noncontig(crand(4, dtype=c128)))),
             lambda L, T: L.vdot(T(crand(3)), T(rand(3))),
             lambda L, T: L.vdot(T(crand(2, 2)), T(crand(2, 2)))],
    "OUTER": [lambda L, T: L.outer(T(crand(3)), T(crand(4))),
              lambda L, T: L.outer(T(crand(3)), T(rand(2, dtype=f64))),
              lambda L, T: L.outer(T(rand(3, dtype=i64)), T(crand(2, dtype=c128))),
              lambda L, T: L.outer(T(crand(0)), T(crand(2)))],
    "OUTER_OUT": [lambda L, T: L.outer(T(crand(3)), T(crand(4)), out=E(L, c64))],
    "GER": [lambda L, T: L.ger(T(crand(3)), T(crand(2)))],
    "GER_OUT": [lambda L, T: L.ger(T(crand(3)), T(crand(2)), out=E(L, c128))],
    "ADDMM": [lambda L, T: L.addmm(T(crand(3, 2)), T(crand(3, 4)), T(crand(4, 2))),
              lambda L, T: L.addmm(T(crand(2)), T(crand(3, 4)), T(crand(4, 2)), beta=0.5, alpha=2 - 1j),
              lambda L, T: L.addmm(T(crand(3, 1, dtype=c128)), T(crand(4, 3, dtype=c128).T), T(crand(4, 2, dtype=c128)), beta=0),
              lambda L, T: L.addmm(T(crand(3, 2)), T(crand(3, 4)), T(rand(4, 2))),     # dtypes differ
              lambda L, T: L.addmm(T(crand(3, 3)), T(crand(3, 4)), T(crand(4, 2))),    # self shape
              lambda L, T: L.addmm(T(crand(0, 2)), T(crand(0, 4)), T(crand(4, 2)), beta=1j)],
    "ADDMM_": [lambda L, T: inplace(T(crand(3, 2)), lambda x: x.addmm_(T(crand(3, 4)), T(crand(4, 2)), alpha=1j)),
               lambda L, T: inplace(T(crand(2)), lambda x: x.addmm_(T(crand(3, 4)), T(crand(4, 2))))],
    "ADDMM_OUT": [lambda L, T: L.addmm(T(crand(3, 2)), T(crand(3, 4)), T(crand(4, 2)), out=E(L, c64))],
    "ADDMV": [lambda L, T: L.addmv(T(crand(3)), T(crand(3, 4)), T(crand(4))),
              lambda L, T: L.addmv(T(crand(1, dtype=c128)), T(crand(3, 4, dtype=c128)), T(crand(4, dtype=c128)), beta=2j, alpha=0.5)],
    "ADDMV_": [lambda L, T: inplace(T(crand(3)), lambda x: x.addmv_(T(crand(3, 4)), T(crand(4)), beta=0))],
    "ADDMV_OUT": [lambda L, T: L.addmv(T(crand(3)), T(crand(3, 4)), T(crand(4)), out=E(L, c64))],
    "BADDBMM": [lambda L, T: L.baddbmm(T(crand(2, 3, 2)), T(crand(2, 3, 4)), T(crand(2, 4, 2))),
                lambda L, T: L.baddbmm(T(crand(2)), T(crand(2, 3, 4)), T(crand(2, 4, 2)), alpha=1j, beta=-1)],
    "ADDBMM": [lambda L, T: L.addbmm(T(crand(3, 2)), T(crand(2, 3, 4)), T(crand(2, 4, 2))),
               lambda L, T: L.addbmm(T(crand(3, 2)), T(crand(3, 4)), T(crand(2, 4, 2)))],
    "ADDBMM_": [lambda L, T: inplace(T(crand(3, 2)), lambda x: x.addbmm_(T(crand(2, 3, 4)), T(crand(2, 4, 2)), beta=1j))],
    "ADDR": [lambda L, T: L.addr(T(crand(3, 2)), T(crand(3)), T(crand(2))),
             lambda L, T: L.addr(T(crand(2)), T(crand(3)), T(crand(2)), alpha=2j)],
    "ADDR_": [lambda L, T: inplace(T(crand(3, 2)), lambda x: x.addr_(T(crand(3)), T(crand(2))))],
    "LINEAR": [lambda L, T: L.nn.functional.linear(T(crand(3, 4)), T(crand(2, 4)), T(crand(2))),
               lambda L, T: L.nn.functional.linear(T(crand(2, 3, 4)), T(crand(2, 4))),
               lambda L, T: L.nn.functional.linear(T(crand(2, 3, 4, dtype=c128)), T(crand(2, 4, dtype=c128)), T(crand(2, dtype=c128)))],
    "INNER": [lambda L, T: L.inner(T(crand(2, 4)), T(crand(3, 4)))],
    "TENSORDOT": [lambda L, T: L.tensordot(T(crand(2, 3, 4)), T(crand(4, 3)), dims=([1, 2], [1, 0]))],
    "KRON": [lambda L, T: L.kron(T(crand(2, 2)), T(crand(2, 3)))],
    "TRACE": [lambda L, T: L.trace(T(crand(3, 4))), lambda L, T: T(crand(3, 3, dtype=c128)).trace()],
    # truth tests and closeness
    "ISCLOSE": [lambda L, T: L.isclose(T(crand(3, 4)), T(crand(3, 4))),
                lambda L, T: (lambda x: L.isclose(x, x + 1e-7))(T(crand(3, 4, dtype=c128))),
                lambda L, T: L.isclose(T(cspecial()), T(cspecial()), equal_nan=True),
                lambda L, T: L.isclose(T(cspecial(c128)), T(cspecial(c128))),
                lambda L, T: (lambda x: L.isclose(x, x * (1 + 1e-3), rtol=1e-2, atol=0))(T(crand(5))),
                lambda L, T: L.isclose(T(crand(3, 1)), T(crand(4))),
                lambda L, T: L.isclose(T(crand(3)), T(rand(3)))],
    "ALLCLOSE": [lambda L, T: (lambda x: L.allclose(x, x + 1e-9))(T(crand(3, dtype=c128))),
                 lambda L, T: L.allclose(T(crand(3)), T(crand(3))),
                 lambda L, T: L.allclose(T(cspecial()), T(cspecial()), equal_nan=True)],
    "ANY": [lambda L, T: L.any(T(np.array([0j, 1j], dtype=c64))), lambda L, T: T(np.zeros(3, c128)).any(),
            lambda L, T: L.any(T(crand(0)))],
    "ANY_DIM": [lambda L, T: T(np.array([[0j, 1j], [0, 0]], dtype=c64)).any(1, keepdim=True)],
    "ALL": [lambda L, T: L.all(T(np.array([2, 1j], dtype=c64))), lambda L, T: T(np.array([0j, 1], c128)).all()],
    "ALL_DIM": [lambda L, T: T(np.array([[0j, 1j], [1, 2j]], dtype=c64)).all(0)],
    "NONZERO": [lambda L, T: L.nonzero(T(np.array([[0j, 1j], [3, 0]], dtype=c64))),
                lambda L, T: T(noncontig(np.array([[0j, 1j, 0], [2, 0, 1e-30j]], dtype=c128))).nonzero()],
    "COUNT_NONZERO": [lambda L, T: L.count_nonzero(T(np.array([[0j, 1j], [3, 0]], dtype=c64))),
                      lambda L, T: L.count_nonzero(T(np.array([[0j, 1j], [3, 0]], dtype=c64)), 0)],
    "LOGICAL_NOT": [lambda L, T: L.logical_not(T(np.array([0j, 1j, 2, complex(0, float("nan"))], dtype=c64)))],
    # scans, products, var/std
    "CUMSUM": [lambda L, T: L.cumsum(T(crand(3, 4)), 1), lambda L, T: T(noncontig(crand(3, 4, dtype=c128))).cumsum(0),
               lambda L, T: L.cumsum(T(crand()), 0), lambda L, T: L.cumsum(T(crand(0, 3)), -1),
               lambda L, T: L.cumsum(T(crand(2, 3)), 1, dtype=L.complex128),
               lambda L, T: L.cumsum(T(rand(2, 3)), 1, dtype=L.complex64),
               lambda L, T: L.cumsum(T(crand(3)), 2)],
    "CUMSUM_": [lambda L, T: inplace(T(crand(3, 4)), lambda x: x.cumsum_(0))],
    "CUMSUM_OUT": [lambda L, T: L.cumsum(T(crand(3, 4)), 1, out=E(L, c64)),
                   lambda L, T: L.cumsum(T(crand(3, 4)), 1, out=E(L, f32))],
    "CUMPROD": [lambda L, T: L.cumprod(T(crand(3, 4, low=-1, high=1)), 1),
                lambda L, T: T(crand(4, 3, dtype=c128).T).cumprod(-1), lambda L, T: L.cumprod(T(crand(0)), 0)],
    "CUMPROD_": [lambda L, T: inplace(T(crand(2, 3)), lambda x: x.cumprod_(1))],
    "CUMPROD_OUT": [lambda L, T: L.cumprod(T(crand(3, 4)), 0, out=E(L, c64))],
    "PROD": [lambda L, T: L.prod(T(crand(3, 4, low=-1, high=1))), lambda L, T: T(noncontig(crand(2, 3, dtype=c128))).prod(),
             lambda L, T: L.prod(T(crand(0))), lambda L, T: L.prod(T(crand())),
             lambda L, T: L.prod(T(crand(3)), dtype=L.complex128)],
    "PROD_DIM_INT": [lambda L, T: T(crand(3, 4)).prod(1), lambda L, T: T(crand(3, 4, dtype=c128)).prod(0, keepdim=True),
                     lambda L, T: T(crand(0, 3)).prod(0), lambda L, T: T(crand(3, 0)).prod(1, keepdim=True),
                     lambda L, T: T(crand(3)).prod(1)],
    "PROD_INT_OUT": [lambda L, T: L.prod(T(crand(3, 4)), 1, out=E(L, c64))],
    "VAR": [lambda L, T: L.var(T(crand(3, 4))), lambda L, T: T(noncontig(crand(3, 4, dtype=c128))).var(False),
            lambda L, T: L.var(T(crand(1)))],
    "VAR_DIM": [lambda L, T: L.var(T(crand(3, 4)), 1), lambda L, T: L.var(T(crand(3, 4, dtype=c128)), (0, 1), keepdim=True)],
    "VAR_CORRECTION": [lambda L, T: L.var(T(crand(3, 4)), 0, correction=2),
                       lambda L, T: L.var(T(crand(3, 4, dtype=c128)), correction=0)],
    "VAR_OUT": [lambda L, T: L.var(T(crand(3, 4)), 1, out=E(L, f32)), lambda L, T: L.var(T(crand(3, 4)), 1, out=E(L, c64))],
    "VAR_CORRECTION_OUT": [lambda L, T: L.var(T(crand(3, 4)), 1, correction=0, out=E(L, f32))],
    "STD": [lambda L, T: L.std(T(crand(3, 4))), lambda L, T: T(crand(5, dtype=c128)).std()],
    "STD_DIM": [lambda L, T: L.std(T(crand(3, 4)), 0, keepdim=True)],
    "STD_CORRECTION": [lambda L, T: L.std(T(crand(3, 4)), 1, correction=0)],
    "STD_OUT": [lambda L, T: L.std(T(crand(3, 4)), 1, out=E(L, f32))],
    "STD_CORRECTION_OUT": [lambda L, T: L.std(T(crand(3, 4, dtype=c128)), correction=3, out=E(L, f64))],
    "VAR_MEAN": [lambda L, T: L.var_mean(T(crand(3, 4)))],
    "VAR_MEAN_DIM": [lambda L, T: L.var_mean(T(crand(3, 4)), 1, keepdim=True)],
    "VAR_MEAN_CORRECTION": [lambda L, T: L.var_mean(T(crand(3, 4, dtype=c128)), 0, correction=0),
                            lambda L, T: L.var_mean(T(crand(3, 4)))],
    "STD_MEAN": [lambda L, T: L.std_mean(T(crand(3, 4)), False)],
    "STD_MEAN_DIM": [lambda L, T: L.std_mean(T(crand(3, 4, dtype=c128)), (0,))],
    "STD_MEAN_CORRECTION": [lambda L, T: L.std_mean(T(crand(3, 4)), 1, correction=2, keepdim=True)],
})

# element moves
_IX = np.array([[0, 2, 1], [2, 0, 0]])
CASES.update({
    "GATHER": [lambda L, T: L.gather(T(crand(2, 3, dtype=c128)), 1, T(_IX)),
               lambda L, T: T(noncontig(crand(3, 3))).gather(0, T(_IX))],
    "SCATTER_SRC": [lambda L, T: L.scatter(T(crand(2, 3)), 1, T(_IX[:, :2]), T(crand(2, 3))),
                    lambda L, T: T(crand(3, 3, dtype=c128)).scatter(0, T(_IX), T(noncontig(crand(2, 3, dtype=c128)))),
                    lambda L, T: T(crand(2, 3)).scatter(1, T(_IX[:, :2]), T(rand(2, 3)))],   # dtypes differ
    "SCATTER__SRC": [lambda L, T: inplace(T(crand(2, 3)), lambda x: x.scatter_(1, T(_IX[:, :1]), T(crand(2, 1))))],
    "SCATTER_VALUE": [lambda L, T: T(crand(2, 3)).scatter(1, T(_IX[:, :2]), 1 - 1j),
                      lambda L, T: T(crand(2, 3, dtype=c128)).scatter(1, T(_IX[:, :2]), 2.5),
                      lambda L, T: T(rand(2, 3)).scatter(1, T(_IX[:, :2]), 1j),
                      lambda L, T: T(crand(2, 3)).scatter(1, T(_IX[:, :2] + 5), 1j)],     # out of range
    "SCATTER__VALUE": [lambda L, T: inplace(T(crand(2, 3)), lambda x: x.scatter_(0, T(_IX[:1]), -2j))],
    "SCATTER_ADD": [lambda L, T: L.scatter_add(T(crand(2, 3)), 1, T(_IX[:, :2]), T(crand(2, 3))),
                    lambda L, T: T(crand(3, 3, dtype=c128)).scatter_add(-2, T(_IX), T(noncontig(crand(2, 3, dtype=c128)))),
                    lambda L, T: L.scatter_add(T(crand()), 0, T(np.array(0)), T(crand())),
                    lambda L, T: L.scatter_add(T(crand(2, 3)), 1, T(_IX[:, :2] + 4), T(crand(2, 3))),
                    lambda L, T: L.scatter_add(T(crand(2, 3)), 1, T(_IX[:, :2]), T(rand(2, 3)))],
    "SCATTER_ADD_": [lambda L, T: inplace(T(crand(3, 3)), lambda x: x.scatter_add_(0, T(_IX), T(crand(2, 3))))],
    "INDEX_PUT_": [
        lambda L, T: inplace(T(crand(4, 3)), lambda x: x.index_put_((T(np.array([0, 2])),), T(crand(3)))),
        lambda L, T: inplace(T(crand(4, 3)), lambda x: x.index_put_((T(np.array([0, 0])),), T(crand(2, 3)), accumulate=True)),
        lambda L, T: inplace(T(crand(4, 3, dtype=c128)), lambda x: x.index_put_((T(rand(4, 3, dtype=b8)),), T(crand(dtype=c128)))),
        lambda L, T: inplace(T(crand(4, 3)), lambda x: x.index_put_((T(rand(4, dtype=b8)),), T(np.array(2.5, f32)))),
        lambda L, T: inplace(T(rand(4, 3)), lambda x: x.index_put_((T(rand(4, dtype=b8)),), T(np.array(1j, c64)))),
        lambda L, T: inplace(T(crand(4, 3)), lambda x: x.index_put_((T(np.array([1])), T(np.array([2]))), T(crand(1)))),
        lambda L, T: inplace(T(crand(4, 3)), lambda x: x.index_put_((T(np.array([0, 2])),), T(rand(3)))),   # dtypes
        lambda L, T: inplace(T(crand(4)), lambda x: x.index_put_((T(np.array([0])), T(np.array([0]))), T(crand(1)))),
    ],
    "INDEX_PUT": [lambda L, T: L.index_put(T(crand(4, 3)), (T(np.array([3, 1])),), T(crand(1, 3)), True)],
    "TAKE": [lambda L, T: L.take(T(crand(3, 4, dtype=c128).T), T(np.array([[0, 11], [5, -1]])))],
    "TAKE_ALONG_DIM": [lambda L, T: L.take_along_dim(T(crand(2, 3)), T(_IX), 1)],
    "TRIU": [lambda L, T: L.triu(T(crand(3, 4)), 1), lambda L, T: T(noncontig(crand(2, 3, 3, dtype=c128))).triu(-1)],
    "TRIL": [lambda L, T: L.tril(T(crand(3, 4))), lambda L, T: T(crand(3)).tril()],
    "TRIU_": [lambda L, T: inplace(T(crand(3, 3)), lambda x: x.triu_())],
    "TRIL_": [lambda L, T: inplace(T(crand(3, 3, dtype=c128)), lambda x: x.tril_(1))],
    "DIAG": [lambda L, T: L.diag(T(crand(3))), lambda L, T: L.diag(T(crand(3, 4, dtype=c128)), 1)],
    "DIAGONAL": [lambda L, T: T(crand(2, 3, 4)).diagonal(0, 1, 2).contiguous()],
    "DIAG_EMBED": [lambda L, T: L.diag_embed(T(crand(2, 3)), -1)],
    "DIAGFLAT": [lambda L, T: L.diagflat(T(crand(2, 2)))],
    "MOVEDIM_INT": [lambda L, T: T(crand(2, 3, 4)).movedim(0, 2).contiguous()],
    "NARROW_COPY": [lambda L, T: T(crand(4, 3, dtype=c128)).narrow_copy(0, 1, 2)],
    "ROT90": [lambda L, T: L.rot90(T(crand(2, 3)))],
    "HSTACK": [lambda L, T: L.hstack([T(crand(2)), T(crand(3))])],
    "VSTACK": [lambda L, T: L.vstack([T(crand(2)), T(crand(2, dtype=c128))])],
    "REPEAT_INTERLEAVE_SELF_INT": [lambda L, T: T(crand(3)).repeat_interleave(2)],
    "DIFF": [lambda L, T: L.diff(T(crand(2, 5))), lambda L, T: L.diff(T(crand(4, dtype=c128)), 2, prepend=T(crand(1, dtype=c128)))],
    "VANDER": [lambda L, T: L.vander(T(crand(3)), 4), lambda L, T: L.vander(T(crand(3, dtype=c128)), increasing=True)],
    "TILE": [lambda L, T: T(crand(2, 3)).tile((2, 1))],
})

# norms, addcmul/addcdiv/lerp, det/inv/solve (LU in complex128)
_SING = np.array([[1 + 1j, 2 + 2j], [2 + 2j, 4 + 4j]], dtype=c64)
CASES.update({
    "LINALG_VECTOR_NORM": [lambda L, T: L.linalg.vector_norm(T(crand(3, 4))),
                           lambda L, T: L.linalg.vector_norm(T(crand(3, 4, dtype=c128)), 1, dim=1, keepdim=True),
                           lambda L, T: L.linalg.vector_norm(T(noncontig(crand(3, 4))), float("inf"))],
    "NORM_SCALAR": [lambda L, T: T(crand(3, 4)).norm(), lambda L, T: T(crand(5, dtype=c128)).norm(3)],
    "NORM_SCALAROPT_DIM": [lambda L, T: T(crand(3, 4)).norm(2, 1)],
    "DIST": [lambda L, T: L.dist(T(crand(3, 4)), T(crand(4))), lambda L, T: L.dist(T(crand(3)), T(rand(3)), 1)],
    "ADDCMUL": [lambda L, T: L.addcmul(T(crand(3, 4)), T(crand(3, 4)), T(crand(4)), value=1 - 2j),
                lambda L, T: L.addcmul(T(crand(3, dtype=c128)), T(rand(3)), T(crand(3, dtype=c128)))],
    "ADDCMUL_": [lambda L, T: inplace(T(crand(3)), lambda x: x.addcmul_(T(crand(3)), T(crand(3)), value=0.5))],
    "ADDCMUL_OUT": [lambda L, T: L.addcmul(T(crand(3)), T(crand(3)), T(crand(3)), out=E(L, c64))],
    "ADDCDIV": [lambda L, T: L.addcdiv(T(crand(3, 4)), T(crand(3, 4)), T(crand(4, low=0.5)), value=2j)],
    "ADDCDIV_": [lambda L, T: inplace(T(crand(3)), lambda x: x.addcdiv_(T(crand(3)), T(crand(3, low=0.5))))],
    "ADDCDIV_OUT": [lambda L, T: L.addcdiv(T(crand(3)), T(crand(3)), T(crand(3, low=0.5)), out=E(L, c64))],
    "LERP_SCALAR": [lambda L, T: L.lerp(T(crand(3, 4)), T(crand(4)), 0.25),
                    lambda L, T: L.lerp(T(crand(3)), T(crand(3)), 0.5 + 0.5j),
                    lambda L, T: L.lerp(T(crand(3)), T(rand(3)), 0.5)],
    "LERP_TENSOR": [lambda L, T: L.lerp(T(crand(3, dtype=c128)), T(crand(3, dtype=c128)), T(crand(3, dtype=c128)))],
    "LERP__SCALAR": [lambda L, T: inplace(T(crand(3)), lambda x: x.lerp_(T(crand(3)), 0.75))],
    "LERP__TENSOR": [lambda L, T: inplace(T(crand(3)), lambda x: x.lerp_(T(crand(3)), T(crand(3))))],
    "LERP_SCALAR_OUT": [lambda L, T: L.lerp(T(crand(3)), T(crand(3)), 0.3, out=E(L, c64))],
    "LERP_TENSOR_OUT": [lambda L, T: L.lerp(T(crand(3)), T(crand(3)), T(crand(3)), out=E(L, c64))],
    "LINALG_DET": [lambda L, T: L.linalg.det(T(crand(3, 3))), lambda L, T: L.linalg.det(T(crand(2, 4, 4, dtype=c128))),
                   lambda L, T: L.linalg.det(T(crand(3, 3).T)), lambda L, T: L.linalg.det(T(_SING)),
                   lambda L, T: L.linalg.det(T(crand(0, 0))), lambda L, T: L.linalg.det(T(crand(2, 3))),
                   lambda L, T: L.linalg.det(T(crand(3)))],
    "DET": [lambda L, T: T(crand(2, 2, dtype=c128)).det()],
    "LINALG_INV": [lambda L, T: L.linalg.inv(T(crand(3, 3))), lambda L, T: L.linalg.inv(T(noncontig(crand(2, 3, 3, dtype=c128)))),
                   lambda L, T: L.linalg.inv(T(_SING)), lambda L, T: L.linalg.inv(T(crand(2, 3)))],
    "LINALG_INV_EX": [lambda L, T: L.linalg.inv_ex(T(crand(3, 3, dtype=c128))),
                      lambda L, T: L.linalg.inv_ex(T(np.stack([_SING, np.eye(2, dtype=c64)])))[1]],
    "INVERSE": [lambda L, T: T(crand(3, 3)).inverse()],
    "LINALG_SOLVE": [lambda L, T: L.linalg.solve(T(crand(3, 3)), T(crand(3, 2))),
                     lambda L, T: L.linalg.solve(T(crand(2, 3, 3, dtype=c128)), T(crand(2, 3, dtype=c128))),
                     lambda L, T: L.linalg.solve(T(crand(3, 3)), T(crand(3))),
                     # torch answers left=False with a lazily conjugated view
                     lambda L, T: L.linalg.solve(T(crand(3, 3)), T(crand(2, 3)), left=False).resolve_conj(),
                     lambda L, T: L.linalg.solve(T(crand(3, 3)), T(rand(3))),
                     lambda L, T: L.linalg.solve(T(_SING), T(crand(2)))],
    "LINALG_SOLVE_EX": [lambda L, T: L.linalg.solve_ex(T(crand(3, 3)), T(crand(3, 1)))],
})
CASES["EINSUM"] = [
    lambda L, T: L.einsum("ij,jk->ik", T(crand(2, 3)), T(crand(3, 4))),
    lambda L, T: L.einsum("bij,bj->bi", T(crand(2, 3, 4, dtype=c128)), T(noncontig(crand(2, 4, dtype=c128)))),
    lambda L, T: L.einsum("ii->", T(crand(3, 3))),
    lambda L, T: L.einsum("i,j->ij", T(crand(3)), T(rand(2))),
]
