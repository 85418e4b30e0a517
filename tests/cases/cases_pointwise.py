"""Differential cases for ops_pointwise.def rows (see tests/oracle.py).

Builders below make the common shapes of case (contiguous, non-contiguous, 0-dim, empty,
broadcast, several dtypes, Python numbers on either side, in place, out=, errors); each row then
lists the builders that fit it plus cases of its own. NumPy scalars (np.float32(2), np.int32(3))
are accepted by neither Tensor parameter binding, so they reach the Scalar overload rows.
"""
import numpy as np

from case_builders import E, inplace, nn, special, u_fn, u_out, zeros  # noqa: F401
from oracle import noncontig, rand

f32, f64, f16, i64, i32, i16, i8, u8, b8 = (np.float32, np.float64, np.float16, np.int64, np.int32,
                                            np.int16, np.int8, np.uint8, np.bool_)
NAN, INF = float("nan"), float("inf")


# ---- unary ----------------------------------------------------------------------------------
def u_ip(meth, lo=-2.0, hi=2.0, int_case=True):
    """In-place method cases: contiguous, non-contiguous, 0-dim, and an integer tensor (which
    raises when the result is float)."""
    cs = [
        lambda L, T: inplace(T(rand(3, 4, low=lo, high=hi)), lambda x: getattr(x, meth)()),
        lambda L, T: inplace(T(noncontig(rand(3, 4, low=lo, high=hi))), lambda x: getattr(x, meth)()),
        lambda L, T: inplace(T(rand(low=lo, high=hi, dtype=f64)), lambda x: getattr(x, meth)()),
        lambda L, T: inplace(T(rand(3, low=lo, high=hi, dtype=f16)), lambda x: getattr(x, meth)()),
    ]
    if int_case:
        cs.append(lambda L, T: inplace(T(rand(3, dtype=i64, low=lo, high=hi)), lambda x: getattr(x, meth)()))
    return cs


# ---- binary ---------------------------------------------------------------------------------
def b_fn(fn, lo=-3.0, hi=3.0, ints=True, bools=True, floats=True, lhs_number=True, nz=False,
         rhs_number=True):
    """Cases for a binary function fn(L)(a, b). nz: keep the divisor away from zero; lhs_number /
    rhs_number: torch accepts a Python number in that position."""
    blo = 1.0 if nz else lo
    cs = []
    if floats:
        cs += [
            lambda L, T: fn(L)(T(rand(3, 4, low=lo, high=hi)), T(rand(3, 4, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(3, 1, low=lo, high=hi)), T(rand(4, low=blo, high=hi))),
            lambda L, T: fn(L)(T(noncontig(rand(3, 4, low=lo, high=hi))), T(rand(4, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(low=lo, high=hi)), T(rand(2, 2, low=blo, high=hi, dtype=f64))),
            lambda L, T: fn(L)(T(rand(0, 3)), T(rand(3, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(2, 3, dtype=f16, low=lo, high=hi)), T(rand(2, 3, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(33, dtype=f64, low=lo, high=hi)), T(rand(33, dtype=f64, low=blo, high=hi))),
            lambda L, T: fn(L)(T(special()), T(special()[::-1].copy())),
            lambda L, T: fn(L)(T(rand(3, dtype=f32, low=lo, high=hi)).bfloat16(), T(rand(3, low=blo, high=hi)).bfloat16()),
        ]
        if rhs_number:
            cs += [
                lambda L, T: fn(L)(T(rand(2, 3, low=lo, high=hi)), 2.5),
                lambda L, T: fn(L)(T(rand(2, 3, low=lo, high=hi)), 2),
                lambda L, T: fn(L)(T(rand(2, 3, dtype=f16, low=lo, high=hi)), 2.5),
            ]
        if lhs_number:
            cs.append(lambda L, T: fn(L)(1.5, T(rand(2, 3, low=blo, high=hi))))
    if ints:
        cs += [
            lambda L, T: fn(L)(T(rand(3, 4, dtype=i64, low=lo, high=hi)), T(rand(3, 4, dtype=i64, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(3, 4, dtype=i32, low=lo, high=hi)), T(rand(4, dtype=i64, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(5, dtype=u8, low=0, high=9)), T(rand(5, dtype=i8, low=1, high=4))),
            lambda L, T: fn(L)(T(rand(5, dtype=i32, low=lo, high=hi)), T(np.array(2, i64))),
        ]
        if rhs_number:
            cs.append(lambda L, T: fn(L)(T(rand(5, dtype=i16, low=lo, high=hi)), 3))
        if floats and rhs_number:
            cs.append(lambda L, T: fn(L)(T(rand(5, dtype=i32, low=lo, high=hi)), 2.5))
        if floats:
            cs += [
                lambda L, T: fn(L)(T(rand(5, dtype=i64, low=lo, high=hi)), T(rand(5, dtype=f16, low=blo, high=hi))),
                lambda L, T: fn(L)(T(rand(5, dtype=i64, low=lo, high=hi)), T(np.array(1.5, f64))),
            ]
        if lhs_number:
            cs.append(lambda L, T: fn(L)(7, T(rand(2, 3, dtype=i64, low=blo, high=hi))))
    if bools:
        cs += [
            lambda L, T: fn(L)(T(rand(4, dtype=b8)), T(rand(4, dtype=b8))),
            lambda L, T: fn(L)(T(rand(4, dtype=b8)), T(rand(4, dtype=i32, low=1, high=3))),
        ]
        if rhs_number:
            cs.append(lambda L, T: fn(L)(T(rand(4, dtype=b8)), True))
    cs.append(lambda L, T: fn(L)(T(rand(3, 4)), T(rand(3))))  # broadcast error
    return cs


def b_ip(meth, lo=-3.0, hi=3.0, nz=False, ints=True, floats=True, bools=False, numbers=True):
    blo = 1.0 if nz else lo
    cs = []
    if floats:
        cs += [
            lambda L, T: inplace(T(rand(3, 4, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(4, low=blo, high=hi)))),
            lambda L, T: inplace(T(noncontig(rand(3, 4, low=lo, high=hi))), lambda x: getattr(x, meth)(2 if numbers else T(np.array(2, f32)))),
            lambda L, T: inplace(T(rand(3, low=lo, high=hi, dtype=f16)), lambda x: getattr(x, meth)(T(rand(3, low=blo, high=hi, dtype=f64)))),
            lambda L, T: inplace(T(rand(3, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(2, 3, low=blo, high=hi)))),
        ]
    if ints:
        cs += [
            lambda L, T: inplace(T(rand(3, dtype=i64, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(3, dtype=i32, low=blo, high=hi)))),
            lambda L, T: inplace(T(rand(3, dtype=i32, low=lo, high=hi)), lambda x: getattr(x, meth)(1.5 if numbers else T(np.array(1.5, f32)))),
        ]
    if bools:
        cs.append(lambda L, T: inplace(T(rand(4, dtype=b8)), lambda x: getattr(x, meth)(T(rand(4, dtype=b8)))))
    return cs


def b_out(fn, lo=-3.0, hi=3.0, nz=False, dtype=f32, out_dtype=None, numbers=True):
    blo = 1.0 if nz else lo
    od = out_dtype or dtype

    def run(L, T, a, bb, o):
        r = fn(L)(a, bb, out=o)
        return r is o, o
    return [
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), T(rand(4, low=blo, high=hi, dtype=dtype)), T(zeros(3, 4, dtype=od))),
        lambda L, T: run(L, T, T(rand(3, 1, low=lo, high=hi, dtype=dtype)), T(rand(4, low=blo, high=hi, dtype=dtype)), E(L, od)),
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), T(rand(3, 4, low=blo, high=hi, dtype=dtype)), T(noncontig(zeros(3, 4, dtype=od)))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=dtype)), 2 if numbers else T(np.array(2, i64)), T(zeros(3, dtype=f64))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=dtype)), 2.5 if numbers else T(np.array(2.5, f64)), T(zeros(3, dtype=i16))),
    ]


# Scalar overloads are reached with NumPy scalars (not accepted as Tensor arguments)
def s_fn(fn, lo=-3.0, hi=3.0, ints=True, floats=True):
    cs = []
    if floats:
        cs += [
            lambda L, T: fn(L)(T(rand(3, 4, low=lo, high=hi)), np.float32(2.5)),
            lambda L, T: fn(L)(T(rand(3, low=lo, high=hi, dtype=f16)), np.float32(1.5)),
            lambda L, T: fn(L)(T(rand(low=lo, high=hi, dtype=f64)), np.int32(2)),
        ]
    if ints:
        cs += [
            lambda L, T: fn(L)(T(rand(3, 4, dtype=i32, low=lo, high=hi)), np.int64(3)),
            lambda L, T: fn(L)(T(rand(5, dtype=u8, low=0, high=9)), np.int32(2)),
        ]
        if floats:
            cs.append(lambda L, T: fn(L)(T(rand(3, dtype=i64, low=lo, high=hi)), np.float32(2.5)))
    return cs


def s_ip(meth, lo=-3.0, hi=3.0, ints=True, floats=True):
    cs = []
    if floats:
        cs += [
            lambda L, T: inplace(T(rand(3, 4, low=lo, high=hi)), lambda x: getattr(x, meth)(np.float32(2.5))),
            lambda L, T: inplace(T(noncontig(rand(3, 4, low=lo, high=hi, dtype=f64))), lambda x: getattr(x, meth)(np.int32(3))),
        ]
    if ints:
        cs += [
            lambda L, T: inplace(T(rand(3, dtype=i32, low=lo, high=hi)), lambda x: getattr(x, meth)(np.int64(3))),
            lambda L, T: inplace(T(rand(3, dtype=i32, low=lo, high=hi)), lambda x: getattr(x, meth)(np.float32(1.5))),
        ]
    return cs


def s_out(fn, lo=-3.0, hi=3.0, dtype=f32):
    def run(L, T, a, s, o):
        r = fn(L)(a, s, out=o)
        return r is o, o
    return [
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), np.float32(2.5), T(zeros(3, 4, dtype=f64))),
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), np.int32(3), E(L, dtype)),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=i64)), np.int32(2), T(zeros(3, dtype=i32))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=i64)), np.float32(2.5), T(zeros(3, dtype=i64))),
    ]


CASES = {}


def unary_rows(ID, name, lo=-2.0, hi=2.0, out=True, fn_inplace=True, extra=(), **kw):
    """Rows ID, ID_ and ID_OUT of a unary op torch.name / x.name_()."""
    CASES[ID] = u_fn(lambda L: getattr(L, name), lo, hi, **kw) + [
        lambda L, T: getattr(T(rand(3, 4, low=lo, high=hi)), name)(),  # method form
    ] + list(extra)
    CASES[ID + "_"] = u_ip(name + "_", lo, hi)
    if fn_inplace:
        CASES[ID + "_"].append(lambda L, T: getattr(L, name + "_")(T(rand(3, low=lo, high=hi))))
    if out:
        CASES[ID + "_OUT"] = u_out(lambda L: getattr(L, name), lo, hi)


unary_rows("ABS", "abs", extra=[
    lambda L, T: L.abs(T(np.array([-128, 127, 0], i8))),
    lambda L, T: L.abs(T(np.array([-2**63, 5], i64))),
])
unary_rows("NEG", "neg", extra=[lambda L, T: L.neg(T(np.array([-128, 127], i8)))])
for _id, _n in [("EXP", "exp"), ("EXPM1", "expm1"), ("SIN", "sin"), ("COS", "cos"), ("TAN", "tan"),
                ("TANH", "tanh"), ("SIGMOID", "sigmoid"), ("ERF", "erf")]:
    unary_rows(_id, _n)
for _id, _n in [("LOG", "log"), ("LOG1P", "log1p"), ("LOG2", "log2"), ("SQRT", "sqrt"),
                ("RSQRT", "rsqrt"), ("RECIPROCAL", "reciprocal")]:
    unary_rows(_id, _n, lo=0.1, hi=4.0)
    CASES[_id].append(lambda L, T, n=_n: getattr(L, n)(T(rand(3, 4, low=-2, high=2))))
for _id, _n in [("FLOOR", "floor"), ("CEIL", "ceil"), ("TRUNC", "trunc"), ("ROUND", "round")]:
    unary_rows(_id, _n, lo=-4.0, hi=4.0)
CASES["ROUND"] += [
    lambda L, T: L.round(T(np.array([0.5, 1.5, 2.5, -0.5, -1.5, 3.5000001], f32))),
    lambda L, T: L.round(T(np.array([0.5, 1.5, 2.5, -2.5], f16))),
    lambda L, T: L.round(T(np.array([2.5, -3.5, 1e300], f64))),
]
unary_rows("RELU", "relu", out=False, extra=[lambda L, T: L.relu(T(np.array([-0.0, NAN, -1], f32)))])
unary_rows("SIGN", "sign", fn_inplace=False)

CASES["ROUND_DECIMALS"] = [
    lambda L, T: L.round(T(rand(3, 4, low=-50, high=50)), decimals=1),
    lambda L, T: L.round(T(np.array([2.5, 3.5, -0.5, 1.25, 0.125], f32)), decimals=1),
    lambda L, T: L.round(T(np.array([1234.5, -1250.0, 1350.0], f32)), decimals=-2),
    lambda L, T: L.round(T(rand(3, 4, low=-5, high=5, dtype=f64)), decimals=3),
    lambda L, T: L.round(T(noncontig(rand(3, 4, low=-5, high=5))), decimals=2),
    lambda L, T: L.round(T(rand(4, low=-5, high=5, dtype=f16)), decimals=1),
    lambda L, T: L.round(T(rand(0, 2)), decimals=1),
    lambda L, T: L.round(T(rand(3, dtype=i64)), decimals=1),
    lambda L, T: T(rand(3, 4, low=-5, high=5)).round(decimals=0),
]
CASES["ROUND__DECIMALS"] = [
    lambda L, T: inplace(T(rand(3, 4, low=-5, high=5)), lambda x: x.round_(decimals=1)),
    lambda L, T: inplace(T(noncontig(rand(3, 4, low=-50, high=50, dtype=f64))), lambda x: x.round_(decimals=-1)),
    lambda L, T: L.round_(T(rand(3, low=-5, high=5)), decimals=2),
]
CASES["ROUND_DECIMALS_OUT"] = [
    lambda L, T: (lambda o: (L.round(T(rand(3, 4, low=-5, high=5)), decimals=1, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.round(T(rand(3, low=-5, high=5)), decimals=1, out=o) is o, o))(E(L, f32)),
    lambda L, T: L.round(T(rand(3, low=-5, high=5)), decimals=1, out=T(zeros(3, dtype=i64))),
]

# gelu / silu (torch.nn.functional)
# gelu(+inf): torch's vectorised kernel gives nan on AVX-512 machines and inf elsewhere; pyts gives
# inf (the limit), so the special values are compared without +inf
CASES["GELU"] = u_fn(lambda L: nn(L).gelu, spec=False) + [
    lambda L, T: nn(L).gelu(T(special()[special() != INF])),
    lambda L, T: nn(L).gelu(T(rand(3, 4, low=-5, high=5)), approximate="tanh"),
    lambda L, T: nn(L).gelu(T(rand(3, 4, low=-5, high=5, dtype=f64)), approximate="tanh"),
    lambda L, T: nn(L).gelu(T(noncontig(rand(3, 4))), approximate="none"),
    lambda L, T: nn(L).gelu(T(rand(3, 4, dtype=f16)), approximate="tanh"),
    lambda L, T: nn(L).gelu(T(rand(3)), approximate="sigmoid"),
    lambda L, T: nn(L).gelu(T(special()), approximate="tanh"),
]
CASES["GELU_"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: nn(L).gelu_(x)),
    lambda L, T: inplace(T(noncontig(rand(3, 4))), lambda x: nn(L).gelu_(x, approximate="tanh")),
    lambda L, T: nn(L).gelu_(T(rand(3, dtype=i64))),
]
# (torch 2.13's gelu.out does not write a non-contiguous out tensor, so that case is left out)
CASES["GELU_OUT"] = [c for i, c in enumerate(u_out(lambda L: nn(L).gelu)) if i != 2] + [
    lambda L, T: (lambda o: (nn(L).gelu(T(rand(3)), approximate="tanh", out=o), o)[1])(T(zeros(3))),
]
CASES["SILU"] = u_fn(lambda L: nn(L).silu, lo=-6, hi=6)
CASES["SILU_"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: nn(L).silu_(x)),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=f64))), lambda x: nn(L).silu_(x)),
    lambda L, T: nn(L).silu_(T(rand(3, dtype=i64))),
]
CASES["SILU_OUT"] = u_out(lambda L: nn(L).silu)

# predicates
for _id, _n in [("ISNAN", "isnan"), ("ISINF", "isinf"), ("ISFINITE", "isfinite")]:
    CASES[_id] = u_fn(lambda L, n=_n: getattr(L, n)) + [
        lambda L, T, n=_n: getattr(T(special()), n)(),
        lambda L, T, n=_n: getattr(L, n)(T(special(f16))),
    ]
CASES["LOGICAL_NOT"] = u_fn(lambda L: L.logical_not, lo=-1, hi=1) + [
    lambda L, T: T(special()).logical_not(),
]
CASES["LOGICAL_NOT_"] = u_ip("logical_not_", -1, 1) + [
    lambda L, T: inplace(T(rand(4, dtype=b8)), lambda x: x.logical_not_()),
]
CASES["LOGICAL_NOT_OUT"] = u_out(lambda L: L.logical_not, -1, 1) + [
    lambda L, T: (lambda o: (L.logical_not(T(rand(4, low=-1, high=1)), out=o), o)[1])(T(zeros(4, dtype=b8))),
]
CASES["BITWISE_NOT"] = u_fn(lambda L: L.bitwise_not, lo=-100, hi=100, spec=False) + [
    lambda L, T: T(np.array([0, 5, 255], u8)).bitwise_not(),
    lambda L, T: ~T(np.array([True, False])),
    lambda L, T: ~T(rand(3, 4, dtype=i64, low=-9, high=9)),
    lambda L, T: ~T(rand(3)),
]
CASES["BITWISE_NOT_"] = [
    lambda L, T: inplace(T(rand(3, 4, dtype=i32, low=-9, high=9)), lambda x: x.bitwise_not_()),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=b8))), lambda x: x.bitwise_not_()),
    lambda L, T: T(rand(3)).bitwise_not_(),
]
CASES["BITWISE_NOT_OUT"] = [
    lambda L, T: (lambda o: (L.bitwise_not(T(rand(3, 4, dtype=i64, low=-9, high=9)), out=o) is o, o))(T(zeros(3, 4, dtype=i64))),
    lambda L, T: (lambda o: (L.bitwise_not(T(rand(3, dtype=i8, low=-9, high=9)), out=o) is o, o))(E(L, i64)),
    lambda L, T: L.bitwise_not(T(rand(3, dtype=i64, low=-9, high=9)), out=T(zeros(3, dtype=b8))),
]

# ---- add / sub / rsub ------------------------------------------------------------------------
def _alpha_cases(name):
    return [
        lambda L, T: getattr(L, name)(T(rand(3, 4)), T(rand(4)), alpha=2),
        lambda L, T: getattr(L, name)(T(rand(3, 4)), T(rand(4)), alpha=0.5),
        lambda L, T: getattr(L, name)(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), alpha=3),
        lambda L, T: getattr(L, name)(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), alpha=0.5),
        lambda L, T: getattr(L, name)(T(rand(3, dtype=i64)), 2, alpha=True),
        lambda L, T: getattr(L, name)(T(rand(3, dtype=i8)), T(rand(3, dtype=i8)), alpha=300),
        lambda L, T: getattr(L, name)(T(rand(3, dtype=f16)), 2.5, alpha=-1.5),
        lambda L, T: getattr(T(rand(3, 4)), name)(T(rand(3, 4)), alpha=-1),
        lambda L, T: getattr(L, name)(T(rand(3)), T(rand(3)), alpha=np.float32(2)),
        lambda L, T: getattr(L, name)(T(np.array([2**62, -2**62], i64)), T(np.array([2**62, 2**62], i64)), alpha=3),
    ]


CASES["ADD_TENSOR"] = b_fn(lambda L: L.add) + _alpha_cases("add") + [
    lambda L, T: T(rand(2, 3, dtype=i32)) + 1.5,
    lambda L, T: T(rand(5, dtype=i64)) + T(rand(dtype=f64)),
    lambda L, T: L.add(T(rand(4, dtype=b8)), T(rand(4, dtype=b8)), alpha=2),
    lambda L, T: L.add(T(rand(4, dtype=b8)), T(rand(4, dtype=b8)), alpha=0),
    lambda L, T: T(np.array([127, -128], i8)) + 1,
    lambda L, T: 2 + T(rand(3)),
    lambda L, T: True + T(rand(3, dtype=b8)),
]
CASES["ADD_SCALAR"] = [
    lambda L, T: L.add(T(rand(3, 4)), 2, 3),
    lambda L, T: T(rand(3, 4)).add(2.5, 2),
] + s_fn(lambda L: L.add)
CASES["ADD__TENSOR"] = b_ip("add_") + [
    # writing through an expanded view (stride 0) is refused
    lambda L, T: T(np.broadcast_to(zeros(1), (3,))).add_(1),
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.add_(T(rand(4)), alpha=2)),
    lambda L, T: T(rand(3, dtype=b8)).add_(1),
    lambda L, T: inplace(T(rand(3, dtype=b8)), lambda x: x.add_(T(rand(3, dtype=b8)))),
]
CASES["ADD__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.add_(2, 3)),
    lambda L, T: inplace(T(rand(3, dtype=i64)), lambda x: x.add_(2, 3)),
    lambda L, T: T(rand(3, dtype=i64)).add_(2.5, 3),
] + s_ip("add_")
CASES["ADD_OUT"] = b_out(lambda L: L.add) + [
    lambda L, T: L.add(T(rand(3)), 1, out=T(np.broadcast_to(zeros(1), (3,)))),
    lambda L, T: (lambda o: (L.add(T(rand(3)), T(rand(3)), alpha=2, out=o), o)[1])(T(zeros(3))),
]
CASES["ADD_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.add(T(rand(3, 4)), 2, 3, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.add(T(rand(3, dtype=i32)), 2, 3, out=o) is o, o))(E(L, i64)),
    lambda L, T: L.add(T(rand(3, dtype=i32)), 2.5, 3, out=T(zeros(3, dtype=i32))),
] + s_out(lambda L: L.add)

CASES["SUB_TENSOR"] = b_fn(lambda L: L.sub) + _alpha_cases("sub") + [
    lambda L, T: T(rand(4, dtype=b8)) - T(rand(4, dtype=b8)),
    lambda L, T: T(rand(4, dtype=b8)) - 1,
    lambda L, T: T(rand(4, dtype=i32)) - True,
    lambda L, T: 2 - T(rand(3)),
    lambda L, T: 2 - T(rand(3, dtype=i32)),
    lambda L, T: 2.5 - T(rand(3, dtype=i32)),
    lambda L, T: T(np.array([-128], i8)) - 1,
]
CASES["SUB_SCALAR"] = [
    lambda L, T: L.sub(T(rand(3, 4)), 2, 3),
    lambda L, T: T(rand(3, dtype=i64)).sub(2, 3),
    lambda L, T: L.sub(T(rand(3, dtype=b8)), 1, 1),
] + s_fn(lambda L: L.sub, ints=False) + [
    lambda L, T: L.sub(T(rand(3, dtype=i32)), np.int64(3)),
]
CASES["SUB__TENSOR"] = b_ip("sub_") + [
    lambda L, T: T(rand(3, dtype=b8)).sub_(T(rand(3, dtype=b8))),
]
CASES["SUB__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.sub_(2, 3)),
] + s_ip("sub_")
CASES["SUB_OUT"] = b_out(lambda L: L.sub)
CASES["SUB_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.sub(T(rand(3, 4)), 2, 3, out=o) is o, o))(T(zeros(3, 4))),
] + s_out(lambda L: L.sub)
CASES["RSUB_TENSOR"] = [
    lambda L, T: L.rsub(T(rand(3, 4)), T(rand(4))),
    lambda L, T: L.rsub(T(rand(3, 4)), T(rand(4)), alpha=2),
    lambda L, T: L.rsub(T(rand(3, dtype=i64)), T(rand(3, dtype=f32))),
    lambda L, T: L.rsub(T(rand(3, dtype=i64)), T(rand(3, dtype=f32)), alpha=2),
    lambda L, T: L.rsub(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), alpha=0.5),
    lambda L, T: L.rsub(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
    lambda L, T: L.rsub(T(noncontig(rand(3, 4))), T(rand(0, 1, 4))),
    lambda L, T: L.rsub(T(rand(3)), 2),
]
CASES["RSUB_SCALAR"] = [
    lambda L, T: L.rsub(T(rand(3, 4)), 2, 3),
    lambda L, T: L.rsub(T(rand(3, dtype=i32)), 2.5, 2),
    lambda L, T: L.rsub(T(rand(3, dtype=i32)), np.int32(2)),
    lambda L, T: L.rsub(T(rand(3, dtype=b8)), np.int32(1)),
    lambda L, T: L.rsub(T(rand(3, dtype=f16)), np.float32(2), alpha=2),
]

# ---- mul / div ---------------------------------------------------------------------------
CASES["MUL_TENSOR"] = b_fn(lambda L: L.mul) + [
    lambda L, T: T(np.array([2**62, 3], i64)) * 4,
    lambda L, T: T(rand(4, dtype=b8)) * 1.5,
    lambda L, T: 3 * T(rand(3, dtype=i8)),
    lambda L, T: T(rand(3, 4)).mul(T(rand(3, 4))),
]
CASES["MUL_SCALAR"] = s_fn(lambda L: L.mul) + [lambda L, T: T(rand(3)).mul(np.float32(3))]
CASES["MUL__TENSOR"] = b_ip("mul_", bools=True)
CASES["MUL__SCALAR"] = s_ip("mul_")
CASES["MUL_OUT"] = b_out(lambda L: L.mul)
CASES["MUL_SCALAR_OUT"] = s_out(lambda L: L.mul)

CASES["DIV_TENSOR"] = b_fn(lambda L: L.div) + [
    lambda L, T: T(rand(3, dtype=i64)) / T(rand(3, dtype=i64)),
    lambda L, T: T(rand(3, dtype=i64)) / 0,
    lambda L, T: T(rand(3, dtype=b8)) / T(rand(3, dtype=b8)),
    lambda L, T: 2 / T(rand(3, 4)),
    lambda L, T: 2 / T(rand(3, dtype=i32)),
    lambda L, T: 0 / T(np.array([0.0, 1.0, INF], f32)),
    lambda L, T: 2.5 / T(rand(3, dtype=f16)),
]
CASES["DIV_SCALAR"] = s_fn(lambda L: L.div)
CASES["DIV__TENSOR"] = b_ip("div_") + [lambda L, T: T(rand(3, dtype=i64)).div_(2)]
CASES["DIV__SCALAR"] = s_ip("div_")
CASES["DIV_OUT"] = b_out(lambda L: L.div) + [
    lambda L, T: L.div(T(rand(3, dtype=i64)), 2, out=T(zeros(3, dtype=i64))),
]
CASES["DIV_SCALAR_OUT"] = s_out(lambda L: L.div)


def _div_mode(mode):
    return lambda L: (lambda a, b, **kw: L.div(a, b, rounding_mode=mode, **kw))


CASES["DIV_TENSOR_MODE"] = (b_fn(_div_mode("trunc"), nz=True) + b_fn(_div_mode("floor"), nz=True)
                            + b_fn(_div_mode(None), bools=False) + [
    lambda L, T: L.div(T(rand(3, dtype=i64)), T(np.array([0, 1, 2], i64)), rounding_mode="trunc"),
    lambda L, T: L.div(T(rand(3, dtype=i32)), 0, rounding_mode="floor"),
    lambda L, T: L.div(T(np.array([-7, 7, -7, 7], i64)), T(np.array([2, 2, -2, -2], i64)), rounding_mode="floor"),
    lambda L, T: L.div(T(np.array([-7, 7, -7, 7], i64)), T(np.array([2, 2, -2, -2], i64)), rounding_mode="trunc"),
    lambda L, T: L.div(T(np.array([-7., 7., -7., 7., 5., -5.], f32)), T(np.array([2., 2., -2., -2., 0., 0.], f32)), rounding_mode="floor"),
    lambda L, T: L.div(T(np.array([-128], i8)), T(np.array([-1], i8)), rounding_mode="trunc"),
    lambda L, T: L.div(T(np.array([-2**63], i64)), -1, rounding_mode="floor"),
    lambda L, T: L.div(T(rand(3)), 2, rounding_mode="round"),
    lambda L, T: T(rand(3, 4)).div(T(rand(4, low=1)), rounding_mode="floor"),
])
CASES["DIV_SCALAR_MODE"] = [
    lambda L, T: L.div(T(rand(3, 4)), np.float32(1.5), rounding_mode="floor"),
    lambda L, T: L.div(T(rand(3, dtype=i64)), np.int32(2), rounding_mode="trunc"),
    lambda L, T: L.div(T(rand(3, dtype=i64)), np.int32(0), rounding_mode="trunc"),
    lambda L, T: L.div(T(rand(3, dtype=i64)), np.int32(2), rounding_mode=None),
    lambda L, T: L.div(T(rand(3)), np.int32(2), rounding_mode="x"),
]
CASES["DIV__TENSOR_MODE"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.div_(T(rand(4, low=1)), rounding_mode="floor")),
    lambda L, T: inplace(T(rand(3, dtype=i64)), lambda x: x.div_(2, rounding_mode="trunc")),
    lambda L, T: inplace(T(rand(3, dtype=i32)), lambda x: x.div_(T(rand(3, dtype=i32, low=1)), rounding_mode="floor")),
    lambda L, T: T(rand(3, dtype=i32)).div_(2, rounding_mode=None),
    lambda L, T: T(rand(3, dtype=i32)).div_(2.5, rounding_mode="floor"),
]
CASES["DIV__SCALAR_MODE"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.div_(np.float32(2), rounding_mode="trunc")),
    lambda L, T: inplace(T(rand(3, dtype=i64)), lambda x: x.div_(np.int32(2), rounding_mode="floor")),
]
CASES["DIV_OUT_MODE"] = [
    lambda L, T: (lambda o: (L.div(T(rand(3, 4)), T(rand(4, low=1)), rounding_mode="floor", out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.div(T(rand(3, dtype=i64)), 2, rounding_mode="trunc", out=o) is o, o))(E(L, i64)),
    lambda L, T: (lambda o: (L.div(T(rand(3, dtype=i64)), 2, rounding_mode="floor", out=o) is o, o))(T(zeros(3))),
    lambda L, T: L.div(T(rand(3)), 2, rounding_mode="floor", out=T(zeros(3, dtype=i64))),
]
CASES["DIV_SCALAR_MODE_OUT"] = [
    lambda L, T: (lambda o: (L.div(T(rand(3, 4)), np.float32(2), rounding_mode="floor", out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.div(T(rand(3, dtype=i32)), np.int32(2), rounding_mode="trunc", out=o) is o, o))(T(zeros(3, dtype=i32))),
]
CASES["TRUE_DIVIDE_TENSOR"] = b_fn(lambda L: L.true_divide, bools=False) + [
    lambda L, T: T(rand(3, dtype=i64)).true_divide(T(rand(3, dtype=i64))),
]
CASES["TRUE_DIVIDE_SCALAR"] = s_fn(lambda L: L.true_divide)
CASES["TRUE_DIVIDE__TENSOR"] = b_ip("true_divide_")
CASES["TRUE_DIVIDE__SCALAR"] = s_ip("true_divide_")
CASES["TRUE_DIVIDE_OUT"] = b_out(lambda L: L.true_divide)

# ---- remainder / fmod / floor_divide ------------------------------------------------------
def _int_div_cases(fn):
    return [
        lambda L, T: fn(L)(T(np.array([-7, 7, -7, 7, 0], i64)), T(np.array([2, 2, -2, -2, 3], i64))),
        lambda L, T: fn(L)(T(np.array([-7, 7, -7, 7, 0], i32)), T(np.array([2, 2, -2, -2, 3], i8))),
        lambda L, T: fn(L)(T(np.array([200, 7], u8)), T(np.array([7, 200], u8))),
        lambda L, T: fn(L)(T(np.array([-7., 7., -7., 7., 5., 1e20, -0.0], f32)), T(np.array([2., 2., -2., -2., 0., 3., 2.], f32))),
        lambda L, T: fn(L)(T(np.array([-7., 7., -7., 7., 5.], f64)), T(np.array([2.5, 2.5, -2.5, -2.5, INF], f64))),
        lambda L, T: fn(L)(T(rand(3, dtype=i64)), T(np.array([1, 0, 2], i64))),
        lambda L, T: fn(L)(T(rand(3, dtype=i16)), 0),
        lambda L, T: fn(L)(T(np.array([-2**63, 5], i64)), -1),
        lambda L, T: fn(L)(T(np.array([-2**31, 5], i32)), T(np.array([-1, -1], i32))),
    ]


CASES["REMAINDER_TENSOR"] = b_fn(lambda L: L.remainder, nz=True) + _int_div_cases(lambda L: L.remainder) + [
    lambda L, T: T(rand(3, 4)) % T(rand(4, low=1)),
    lambda L, T: T(rand(3, 4, dtype=i64)) % 3,
    lambda L, T: T(rand(3, 4, dtype=i64)) % -3,
]
CASES["REMAINDER_SCALAR"] = s_fn(lambda L: L.remainder) + [
    lambda L, T: L.remainder(T(rand(3, dtype=i64)), np.int32(0)),
]
CASES["REMAINDER_SCALAR_TENSOR"] = [
    lambda L, T: L.remainder(np.int32(7), T(rand(3, dtype=i64, low=1))),
    lambda L, T: L.remainder(np.float32(7.5), T(rand(3, 4, low=1))),
    lambda L, T: L.remainder(7, T(rand(3, dtype=i32, low=1))),
    lambda L, T: 7 % T(rand(3, dtype=i32, low=1)),
    lambda L, T: -7.5 % T(rand(3, 4, low=1)),
    lambda L, T: 7 % T(np.array([0, 1], i64)),
    lambda L, T: 2 % T(rand(3, dtype=b8)),
]
CASES["REMAINDER__TENSOR"] = b_ip("remainder_", nz=True) + [
    lambda L, T: (lambda x: (x.__imod__(T(rand(3, low=1))), x)[1])(T(rand(3))),
]
CASES["REMAINDER__SCALAR"] = s_ip("remainder_") + [
    lambda L, T: (lambda x: (x.__imod__(3), x)[1])(T(rand(3, dtype=i64))),
]
CASES["REMAINDER_TENSOR_OUT"] = b_out(lambda L: L.remainder, nz=True)
CASES["REMAINDER_SCALAR_OUT"] = s_out(lambda L: L.remainder)

CASES["FMOD_TENSOR"] = b_fn(lambda L: L.fmod, nz=True, lhs_number=False) + _int_div_cases(lambda L: L.fmod)
CASES["FMOD_SCALAR"] = s_fn(lambda L: L.fmod) + [lambda L, T: L.fmod(T(rand(3, dtype=i64)), np.int32(0))]
CASES["FMOD__TENSOR"] = b_ip("fmod_", nz=True)
CASES["FMOD__SCALAR"] = s_ip("fmod_")
CASES["FMOD_TENSOR_OUT"] = b_out(lambda L: L.fmod, nz=True)
CASES["FMOD_SCALAR_OUT"] = s_out(lambda L: L.fmod)

CASES["FLOOR_DIVIDE"] = b_fn(lambda L: L.floor_divide, nz=True) + _int_div_cases(lambda L: L.floor_divide) + [
    lambda L, T: T(rand(3, 4)) // T(rand(4, low=1)),
    lambda L, T: 7 // T(rand(3, dtype=i64, low=1)),
    lambda L, T: 7.5 // T(rand(3, 4, low=1)),
    lambda L, T: T(np.array([1e20, -7.0, 0.3], f32)) // T(np.array([3.0, 0.0, 0.1], f32)),
]
CASES["FLOOR_DIVIDE_SCALAR"] = s_fn(lambda L: L.floor_divide)
CASES["FLOOR_DIVIDE__TENSOR"] = b_ip("floor_divide_", nz=True) + [
    lambda L, T: (lambda x: (x.__ifloordiv__(T(rand(3, low=1))), x)[1])(T(rand(3))),
]
CASES["FLOOR_DIVIDE__SCALAR"] = s_ip("floor_divide_") + [
    lambda L, T: (lambda x: (x.__ifloordiv__(2), x)[1])(T(rand(3, dtype=i64))),
]
CASES["FLOOR_DIVIDE_OUT"] = b_out(lambda L: L.floor_divide, nz=True)
CASES["FLOOR_DIVIDE_SCALAR_OUT"] = s_out(lambda L: L.floor_divide)

# ---- pow -------------------------------------------------------------------------------------
CASES["POW_TENSOR_TENSOR"] = b_fn(lambda L: L.pow, lo=0.1, hi=3.0) + [
    lambda L, T: L.pow(T(rand(3, 4, low=-2, high=2)), T(rand(3, 4, low=-2, high=2))),
    lambda L, T: L.pow(T(np.array([2, 1, -1, 0, 3, -3], i64)), T(np.array([-1, -2, -3, -1, 40, 3], i64))),
    lambda L, T: L.pow(T(np.array([2, 3], i8)), T(np.array([9, 5], i8))),
    lambda L, T: L.pow(T(np.array([3], i64)), T(np.array([50], i64))),
    lambda L, T: L.pow(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
    lambda L, T: T(rand(3, 4, low=0.1)) ** T(rand(4)),
    lambda L, T: T(rand(3, dtype=i64)).pow(T(np.array(2, i64))),
    lambda L, T: L.pow(T(np.array([NAN, 0.0, -0.0, INF, -INF, -2.0], f32)), T(np.array([0.0, -1.0, -1.0, -0.5, 0.5, 0.5], f32))),
]
_POW_EXPS = [2, 3, -2, 0.5, -0.5, -1, 0, 1, 2.5, -1.5, 0.0, True, False, 1.0, 7]
CASES["POW_TENSOR_SCALAR"] = [
    (lambda L, T, e=e: L.pow(T(rand(3, 4, low=-2, high=3)), e)) for e in _POW_EXPS
] + [
    (lambda L, T, e=e: T(rand(3, dtype=f64, low=0.1, high=3)) ** e) for e in _POW_EXPS
] + [
    (lambda L, T, e=e: T(rand(3, dtype=f16, low=0.1, high=3)) ** e) for e in (2, 0.5, -1, 2.5, 0.1)
] + [
    (lambda L, T, e=e: T(rand(3, dtype=f32, low=0.1, high=3)).bfloat16() ** e) for e in (2, 0.5, -1, 2.5)
] + [
    (lambda L, T, e=e: L.pow(T(rand(3, dtype=i64, low=-3, high=3)), e)) for e in (2, 3, 0, 1, 2.5, -1, -2, True)
] + [
    lambda L, T: T(rand(3, dtype=b8)) ** 2,
    lambda L, T: T(rand(3, dtype=b8)) ** True,
    lambda L, T: T(rand(3, dtype=b8)) ** False,
    lambda L, T: T(rand(3, dtype=b8)) ** -1,
    lambda L, T: T(rand(3, dtype=u8)) ** -1,
    lambda L, T: T(rand(3, dtype=i8, low=-3, high=3)) ** 9,
    lambda L, T: L.pow(T(rand(3, 4)), np.float32(2)),
    lambda L, T: L.pow(T(rand(3, 4, dtype=i32)), np.int32(3)),
    lambda L, T: L.pow(T(np.array([NAN], f32)), 0),
    lambda L, T: L.pow(T(noncontig(rand(3, 4, low=0.1))), 2.5),
    lambda L, T: L.pow(T(rand(0, 3)), 2),
    lambda L, T: L.pow(T(rand(low=0.1)), 3),
]
CASES["POW_SCALAR"] = [
    lambda L, T: L.pow(2, T(rand(3, 4))),
    lambda L, T: L.pow(2.5, T(rand(3, dtype=i64))),
    lambda L, T: L.pow(2, T(np.array([-1, 2, 10], i64))),
    lambda L, T: L.pow(1, T(np.array([NAN, 2.0], f32))),
    lambda L, T: L.pow(True, T(rand(3, dtype=b8))),
    lambda L, T: L.pow(True, T(rand(3, dtype=i64))),
    lambda L, T: L.pow(2, T(rand(3, dtype=b8))),
    lambda L, T: L.pow(np.int32(2), T(rand(3, dtype=i64))),
    lambda L, T: L.pow(np.float32(0), T(np.array([-1.0, 0.0, 2.0], f32))),
    lambda L, T: 2 ** T(rand(3, 4)),
    lambda L, T: 2 ** T(rand(3, dtype=i32)),
    lambda L, T: 0.5 ** T(rand(3, dtype=f16)),
]
CASES["POW__TENSOR"] = b_ip("pow_", lo=0.1) + [
    lambda L, T: (lambda x: (x.__ipow__(T(rand(3))), x)[1])(T(rand(3, low=0.1))),
]
CASES["POW__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4, low=0.1)), lambda x: x.pow_(2)),
    lambda L, T: inplace(T(noncontig(rand(3, 4, low=0.1))), lambda x: x.pow_(0.5)),
    lambda L, T: inplace(T(rand(3, dtype=i64)), lambda x: x.pow_(3)),
    lambda L, T: T(rand(3, dtype=i64)).pow_(2.5),
    lambda L, T: T(rand(3, dtype=i64)).pow_(-1),
    lambda L, T: (lambda x: (x.__ipow__(2), x)[1])(T(rand(3))),
] + s_ip("pow_", lo=0.1)
CASES["POW_TENSOR_TENSOR_OUT"] = b_out(lambda L: L.pow, lo=0.1)
CASES["POW_TENSOR_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.pow(T(rand(3, 4)), 2, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.pow(T(rand(3, 4, low=0.1)), 0.5, out=o) is o, o))(E(L, f32)),
    lambda L, T: (lambda o: (L.pow(T(rand(3, dtype=i32)), 0, out=o) is o, o))(T(zeros(3, dtype=i64))),
    lambda L, T: L.pow(T(rand(3, dtype=i32)), 2.5, out=T(zeros(3, dtype=i32))),
]
CASES["POW_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.pow(2, T(rand(3, 4)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.pow(1, T(rand(3, dtype=i32)), out=o) is o, o))(E(L, i64)),
    lambda L, T: L.pow(2.5, T(rand(3, dtype=i32)), out=T(zeros(3, dtype=i32))),
]

# ---- maximum / minimum ---------------------------------------------------------------------
for _id, _n in [("MAXIMUM", "maximum"), ("MINIMUM", "minimum")]:
    CASES[_id] = b_fn(lambda L, n=_n: getattr(L, n), lhs_number=False, rhs_number=False) + [
        lambda L, T, n=_n: getattr(L, n)(T(np.array([NAN, 1.0, 2.0, -0.0], f32)), T(np.array([2.0, NAN, 1.0, 0.0], f32))),
        lambda L, T, n=_n: getattr(T(rand(3, dtype=b8)), n)(T(rand(3, dtype=b8))),
    ]
    CASES[_id + "_OUT"] = b_out(lambda L, n=_n: getattr(L, n), numbers=False)

# ---- comparisons -----------------------------------------------------------------------------
_ops = {"EQ": "__eq__", "NE": "__ne__", "LT": "__lt__", "LE": "__le__", "GT": "__gt__", "GE": "__ge__"}
for _id, _dunder in _ops.items():
    _n = _id.lower()
    CASES[_id + "_TENSOR"] = b_fn(lambda L, n=_n: getattr(L, n), lhs_number=False) + [
        lambda L, T, n=_n: getattr(L, n)(T(special()), T(special())),
        lambda L, T, n=_n: getattr(L, n)(T(np.array([2**53 + 1], i64)), T(np.array([2**53], i64))),
        lambda L, T, n=_n: getattr(L, n)(T(np.array([3, 200], u8)), T(np.array([3, -56], i8))),
        lambda L, T, d=_dunder: getattr(T(rand(3, 4, dtype=i32, low=-2, high=2)), d)(T(rand(4, dtype=i32, low=-2, high=2))),
    ]
    CASES[_id + "_SCALAR"] = s_fn(lambda L, n=_n: getattr(L, n)) + [
        lambda L, T, d=_dunder: getattr(T(rand(3, 4, dtype=i32, low=-2, high=2)), d)(1),
        lambda L, T, d=_dunder: getattr(T(rand(3, 4, low=-2, high=2)), d)(0.5),
        lambda L, T, d=_dunder: getattr(T(rand(3, dtype=b8)), d)(True),
    ]
    CASES[_id + "__TENSOR"] = b_ip(_n + "_", bools=True)
    CASES[_id + "__SCALAR"] = s_ip(_n + "_")
    CASES[_id + "_TENSOR_OUT"] = b_out(lambda L, n=_n: getattr(L, n), out_dtype=b8) + [
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3)), T(rand(3)), out=o), o)[1])(T(zeros(3))),
    ]
    CASES[_id + "_SCALAR_OUT"] = [
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3, 4)), np.float32(0.5), out=o) is o, o))(T(zeros(3, 4, dtype=b8))),
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3, dtype=i64)), np.int32(1), out=o) is o, o))(E(L, b8)),
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3, dtype=i64)), np.int32(1), out=o) is o, o))(T(zeros(3, dtype=f64))),
    ]

# ---- logical ---------------------------------------------------------------------------------
for _n in ("logical_and", "logical_or", "logical_xor"):
    _id = _n.upper()
    CASES[_id] = b_fn(lambda L, n=_n: getattr(L, n), lo=-1, hi=1, lhs_number=False, rhs_number=False) + [
        lambda L, T, n=_n: getattr(L, n)(T(special()), T(special()[::-1].copy())),
        lambda L, T, n=_n: getattr(T(rand(3, dtype=u8, low=0, high=2)), n)(T(rand(3, dtype=b8))),
    ]
    CASES[_id + "_"] = b_ip(_n + "_", lo=-1, hi=1, bools=True, numbers=False)
    CASES[_id + "_OUT"] = b_out(lambda L, n=_n: getattr(L, n), lo=-1, hi=1, out_dtype=b8, numbers=False)

# ---- bitwise ---------------------------------------------------------------------------------
def _bit_fn(fn, shift=False):
    hi = 7 if shift else 100
    lo = 0 if shift else -100
    cs = [
        lambda L, T: fn(L)(T(rand(3, 4, dtype=i64, low=-100, high=100)), T(rand(3, 4, dtype=i64, low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(3, 1, dtype=i32, low=-100, high=100)), T(rand(4, dtype=i32, low=lo, high=hi))),
        lambda L, T: fn(L)(T(noncontig(rand(3, 4, dtype=i16, low=-100, high=100))), T(rand(4, dtype=i8, low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(5, dtype=u8, low=0, high=255)), T(rand(5, dtype=u8, low=0, high=hi))),
        lambda L, T: fn(L)(T(rand(5, dtype=u8, low=0, high=255)), T(rand(5, dtype=i8, low=lo, high=hi))),
        lambda L, T: fn(L)(T(rand(3, dtype=i64, low=-100, high=100)), 3),
        lambda L, T: fn(L)(T(rand(3, dtype=i8, low=-100, high=100)), T(np.array(3, i64))),
        lambda L, T: fn(L)(T(rand(0, 3, dtype=i64)), T(rand(3, dtype=i64))),
        lambda L, T: fn(L)(T(rand(dtype=i32, low=-9, high=9)), T(rand(dtype=i32, low=0, high=5))),
        lambda L, T: fn(L)(T(rand(3)), T(rand(3))),
        lambda L, T: fn(L)(T(rand(3, dtype=i64)), 1.5),
        lambda L, T: fn(L)(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
        lambda L, T: fn(L)(T(rand(3, dtype=b8)), T(rand(3, dtype=u8, low=0, high=5))),
        lambda L, T: fn(L)(T(rand(3, dtype=b8)), True),
    ]
    if shift:
        cs += [
            lambda L, T: fn(L)(T(np.array([3, -4, 1, -8, 5], i64)), T(np.array([1, 70, 63, 64, -1], i64))),
            lambda L, T: fn(L)(T(np.array([3, 200, 255, 1], u8)), T(np.array([1, 200, 8, 7], u8))),
            lambda L, T: fn(L)(T(np.array([-128, 64, 3], i8)), T(np.array([1, 1, 9], i8))),
            lambda L, T: fn(L)(T(np.array([-2**31, 2**30], i32)), T(np.array([31, 1], i32))),
        ]
    return cs


def _bit_scalar(fn):
    return [
        lambda L, T: fn(L)(T(rand(3, 4, dtype=i64, low=-100, high=100)), np.int32(3)),
        lambda L, T: fn(L)(T(rand(3, dtype=u8, low=0, high=200)), np.int64(2)),
        lambda L, T: fn(L)(T(rand(3, dtype=i8, low=-100, high=100)), np.int32(1)),
        lambda L, T: fn(L)(T(rand(3)), np.int32(1)),
    ]


def _bit_ip(meth):
    return [
        lambda L, T: inplace(T(rand(3, 4, dtype=i64, low=-100, high=100)), lambda x: getattr(x, meth)(T(rand(4, dtype=i64, low=0, high=6)))),
        lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=i32, low=-100, high=100))), lambda x: getattr(x, meth)(2)),
        lambda L, T: inplace(T(rand(3, dtype=i8, low=-100, high=100)), lambda x: getattr(x, meth)(T(rand(3, dtype=i64, low=0, high=6)))),
        lambda L, T: T(rand(3, dtype=i64)).__getattribute__(meth)(1.5),
        lambda L, T: T(rand(3, dtype=i64)).__getattribute__(meth)(T(rand(2, 3, dtype=i64))),
    ]


def _out_run(fn, a, bb, o):
    r = fn(a, bb, out=o)
    return r is o, o


def _bit_out(fn, scalar=False):
    s = (lambda v: np.int32(v)) if scalar else (lambda v: v)
    return [
        lambda L, T: _out_run(fn(L), T(rand(3, 4, dtype=i64, low=-100, high=100)), s(2), T(zeros(3, 4, dtype=i64))),
        lambda L, T: _out_run(fn(L), T(rand(3, dtype=i32, low=-100, high=100)), s(3), E(L, i32)),
        lambda L, T: _out_run(fn(L), T(rand(3, dtype=i32, low=-100, high=100)), s(1), T(zeros(3, dtype=f32))),
        lambda L, T: _out_run(fn(L), T(rand(3, dtype=i32, low=-100, high=100)), s(1), T(zeros(3, dtype=b8))),
    ]


for _n in ("and", "or", "xor"):
    _f = "bitwise_" + _n
    _id = _f.upper()
    CASES[_id + "_TENSOR"] = _bit_fn(lambda L, f=_f: getattr(L, f)) + [
        lambda L, T, f=_f: getattr(T(rand(3, dtype=i64, low=-9, high=9)), f)(T(rand(3, dtype=i64, low=-9, high=9))),
    ]
    CASES[_id + "_SCALAR"] = _bit_scalar(lambda L, f=_f: getattr(L, f)) + [
        # a number on the left of & | ^ records bitwise_X.Scalar(tensor, number)
        lambda L, T, n=_n: getattr(T(rand(3, dtype=i64, low=-9, high=9)), f"__r{n}__")(5),
        lambda L, T, n=_n: {"and": lambda a: 5 & a, "or": lambda a: 5 | a, "xor": lambda a: 5 ^ a}[n](T(rand(3, dtype=i32, low=-9, high=9))),
        lambda L, T, n=_n: {"and": lambda a: True & a, "or": lambda a: False | a, "xor": lambda a: True ^ a}[n](T(rand(3, dtype=b8))),
    ]
    CASES[_id + "_SCALAR_TENSOR"] = [
        lambda L, T, f=_f: getattr(L, f)(5, T(rand(3, dtype=i64, low=-9, high=9))),
        lambda L, T, f=_f: getattr(L, f)(np.int32(5), T(rand(3, dtype=i64, low=-9, high=9))),
        lambda L, T, f=_f: getattr(L, f)(np.int32(5), T(rand(3))),
    ]
    CASES[_id + "__TENSOR"] = _bit_ip(_f + "_")
    CASES[_id + "__SCALAR"] = [
        lambda L, T, f=_f: inplace(T(rand(3, dtype=i64, low=-9, high=9)), lambda x: getattr(x, f + "_")(np.int32(6))),
    ]
    CASES[_id + "_TENSOR_OUT"] = _bit_out(lambda L, f=_f: getattr(L, f))
    CASES[_id + "_SCALAR_OUT"] = _bit_out(lambda L, f=_f: getattr(L, f), scalar=True)
    # operators: a & b records __and__, a &= b records __iand__
    _op = {"and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b}[_n]
    CASES[f"DUNDER_{_n.upper()}_TENSOR"] = [
        lambda L, T, op=_op: op(T(rand(3, 4, dtype=i64, low=-99, high=99)), T(rand(4, dtype=i64, low=-99, high=99))),
        lambda L, T, op=_op: op(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
        lambda L, T, op=_op: op(T(rand(3, dtype=u8, low=0, high=200)), T(rand(3, dtype=i8, low=-99, high=99))),
        lambda L, T, op=_op: op(T(noncontig(rand(2, 4, dtype=i32, low=-99, high=99))), T(rand(dtype=i64, low=0, high=9))),
        lambda L, T, op=_op: op(T(rand(3)), T(rand(3))),
        lambda L, T, n=_n: getattr(T(rand(3, dtype=i16, low=-99, high=99)), f"__{n}__")(T(rand(3, dtype=i16, low=-99, high=99))),
    ]
    CASES[f"DUNDER_{_n.upper()}_SCALAR"] = [
        lambda L, T, op=_op: op(T(rand(3, 4, dtype=i64, low=-99, high=99)), 6),
        lambda L, T, op=_op: op(T(rand(3, dtype=b8)), True),
        lambda L, T, op=_op: op(T(rand(3, dtype=b8)), 3),
        lambda L, T, op=_op: op(T(rand(3, dtype=i8, low=-99, high=99)), np.int32(3)),
        lambda L, T, op=_op: op(T(rand(3)), 1),
        lambda L, T, op=_op: op(T(rand(3, dtype=i32)), 1.5),
    ]
    _iop = {"and": lambda a, b: a.__iand__(b), "or": lambda a, b: a.__ior__(b), "xor": lambda a, b: a.__ixor__(b)}[_n]
    CASES[f"DUNDER_I{_n.upper()}_TENSOR"] = [
        lambda L, T, op=_iop: inplace(T(rand(3, 4, dtype=i64, low=-99, high=99)), lambda x: op(x, T(rand(4, dtype=i64, low=-99, high=99)))),
        lambda L, T, op=_iop: inplace(T(rand(3, dtype=b8)), lambda x: op(x, T(rand(3, dtype=b8)))),
        lambda L, T, op=_iop: op(T(rand(3, dtype=b8)), T(rand(3, dtype=i64))),
    ]
    CASES[f"DUNDER_I{_n.upper()}_SCALAR"] = [
        lambda L, T, op=_iop: inplace(T(rand(3, 4, dtype=i32, low=-99, high=99)), lambda x: op(x, 5)),
        lambda L, T, op=_iop: inplace(T(rand(3, dtype=b8)), lambda x: op(x, False)),
        lambda L, T, op=_iop: op(T(rand(3)), 1),
    ]

for _n, _dn, _op, _iop in [("left", "LSHIFT", lambda a, b: a << b, lambda a, b: a.__ilshift__(b)),
                           ("right", "RSHIFT", lambda a, b: a >> b, lambda a, b: a.__irshift__(b))]:
    _f = f"bitwise_{_n}_shift"
    _id = _f.upper()
    CASES[_id + "_TENSOR"] = _bit_fn(lambda L, f=_f: getattr(L, f), shift=True)
    CASES[_id + "_TENSOR_SCALAR"] = _bit_scalar(lambda L, f=_f: getattr(L, f)) + [
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64, low=-99, high=99)), np.int32(70)),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64, low=-99, high=99)), np.int32(-1)),
    ]
    CASES[_id + "_SCALAR_TENSOR"] = [
        lambda L, T, f=_f: getattr(L, f)(1, T(rand(3, dtype=i64, low=0, high=9))),
        lambda L, T, f=_f: getattr(L, f)(np.int32(-16), T(rand(3, dtype=i32, low=0, high=9))),
        lambda L, T, op=_op: op(1, T(rand(3, dtype=i64, low=0, high=9))),
        lambda L, T, op=_op: op(-64, T(rand(3, dtype=i8, low=0, high=9))),
        lambda L, T, op=_op: op(1.5, T(rand(3, dtype=i64, low=0, high=9))),
    ]
    CASES[_id + "__TENSOR"] = _bit_ip(_f + "_")
    CASES[_id + "__TENSOR_SCALAR"] = [
        lambda L, T, f=_f: inplace(T(rand(3, dtype=i64, low=-9, high=9)), lambda x: getattr(x, f + "_")(np.int32(2))),
        lambda L, T, f=_f: inplace(T(rand(3, dtype=u8, low=0, high=99)), lambda x: getattr(x, f + "_")(np.int64(9))),
    ]
    CASES[_id + "_TENSOR_OUT"] = _bit_out(lambda L, f=_f: getattr(L, f))
    CASES[_id + "_TENSOR_SCALAR_OUT"] = _bit_out(lambda L, f=_f: getattr(L, f), scalar=True)
    CASES[f"DUNDER_{_dn}_TENSOR"] = [
        lambda L, T, op=_op: op(T(rand(3, 4, dtype=i64, low=-99, high=99)), T(rand(4, dtype=i64, low=0, high=9))),
        lambda L, T, op=_op: op(T(rand(3, dtype=i32, low=-99, high=99)), T(rand(3, dtype=i8, low=0, high=9))),
        lambda L, T, op=_op: op(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
        lambda L, T, op=_op: op(T(rand(3)), T(rand(3))),
        lambda L, T, op=_op: op(T(np.array([1, -1, 5], i64)), T(np.array([64, 64, -2], i64))),
    ]
    CASES[f"DUNDER_{_dn}_SCALAR"] = [
        lambda L, T, op=_op: op(T(rand(3, 4, dtype=i64, low=-99, high=99)), 2),
        lambda L, T, op=_op: op(T(rand(3, dtype=u8, low=0, high=200)), 3),
        lambda L, T, op=_op: op(T(rand(3, dtype=i32, low=-99, high=99)), 1.5),
        lambda L, T, op=_op: op(T(rand(3, dtype=i16, low=-99, high=99)), np.int64(40)),
    ]
    CASES[f"DUNDER_I{_dn}_TENSOR"] = [
        lambda L, T, op=_iop: inplace(T(rand(3, 4, dtype=i64, low=-99, high=99)), lambda x: op(x, T(rand(4, dtype=i64, low=0, high=9)))),
        lambda L, T, op=_iop: op(T(rand(3)), T(rand(3))),
    ]
    CASES[f"DUNDER_I{_dn}_SCALAR"] = [
        lambda L, T, op=_iop: inplace(T(rand(3, 4, dtype=i8, low=-99, high=99)), lambda x: op(x, 3)),
        lambda L, T, op=_iop: op(T(rand(3, dtype=i64)), 1.5),
    ]

# ---- clamp -----------------------------------------------------------------------------------
def _clamp_fn(fn):
    return [
        lambda L, T: fn(L)(T(rand(3, 4)), -0.5, 0.5),
        lambda L, T: fn(L)(T(rand(3, 4)), min=-0.5),
        lambda L, T: fn(L)(T(rand(3, 4)), max=0.5),
        lambda L, T: fn(L)(T(rand(3, 4))),
        lambda L, T: fn(L)(T(noncontig(rand(3, 4))), 0, 1),
        lambda L, T: fn(L)(T(rand(3, dtype=i64, low=-5, high=5)), 0.5),
        lambda L, T: fn(L)(T(rand(3, dtype=i64, low=-5, high=5)), -1, 2),
        lambda L, T: fn(L)(T(rand(3, dtype=u8, low=0, high=9)), -1),
        lambda L, T: fn(L)(T(rand(3, dtype=i8, low=-9, high=9)), None, 300),
        lambda L, T: fn(L)(T(rand(3, dtype=b8)), 0, 1),
        lambda L, T: fn(L)(T(rand(3, dtype=b8)), True, False),
        lambda L, T: fn(L)(T(np.array([NAN, 1.0, 5.0], f32)), 2, 3),
        lambda L, T: fn(L)(T(np.array([NAN, 1.0, 5.0], f32)), min=NAN),
        lambda L, T: fn(L)(T(np.array([1.0, 5.0], f32)), max=NAN),
        lambda L, T: fn(L)(T(np.array([NAN, 1.0, 5.0], f32)), 2, 1),
        lambda L, T: fn(L)(T(rand(3, dtype=f16)), -0.1, 0.1),
        lambda L, T: fn(L)(T(rand(3, dtype=f64)), -0.1, 0.1),
        lambda L, T: fn(L)(T(rand(low=-3, high=3)), -1, 1),
        lambda L, T: fn(L)(T(rand(0, 4)), -1, 1),
        lambda L, T: fn(L)(T(rand(3)).bfloat16(), -0.5, 0.5),
    ]


CASES["CLAMP"] = _clamp_fn(lambda L: L.clamp) + [
    lambda L, T: L.clamp(T(rand(3, 4)), np.float32(-0.5), np.float32(0.5)),
    lambda L, T: L.clamp(T(rand(3, dtype=i32)), np.int32(0)),
    lambda L, T: L.clamp(T(rand(3, dtype=i32)), None, np.int32(0)),
    lambda L, T: T(rand(3, 4)).clamp(0, 1),
]
CASES["CLAMP_TENSOR"] = [
    lambda L, T: L.clamp(T(rand(3, 4)), T(rand(4, low=-2, high=0)), T(rand(3, 1, low=0, high=2))),
    lambda L, T: L.clamp(T(rand(3, 4)), T(rand(4, low=-2, high=0))),
    lambda L, T: L.clamp(T(rand(3, 4)), max=T(rand(4, low=0, high=2))),
    lambda L, T: L.clamp(T(rand(3, 4)), min=T(rand(4)), max=T(rand(4))),
    lambda L, T: L.clamp(T(rand(3, dtype=i64, low=-5, high=5)), T(rand(3, dtype=f32, low=-1, high=0))),
    lambda L, T: L.clamp(T(rand(3, dtype=i64, low=-5, high=5)), T(np.array(2.5, f64))),
    lambda L, T: L.clamp(T(rand(3, dtype=f16)), T(rand(3, low=-1, high=0))),
    lambda L, T: L.clamp(T(rand(3, dtype=i32, low=-5, high=5)), max=T(np.array([2, 3, -9], i8))),
    lambda L, T: L.clamp(T(np.array([1.0, 5.0, NAN], f32)), min=T(np.array([NAN, 0.0, 0.0], f32))),
    lambda L, T: L.clamp(T(np.array([1.0, 5.0, 3.0], f32)), T(np.array([2.0, 0.0, NAN], f32)), T(np.array([1.0, NAN, 4.0], f32))),
    lambda L, T: L.clamp(T(rand(3, dtype=b8)), min=T(np.array(True))),
    lambda L, T: L.clamp(T(rand(3, dtype=b8)), T(np.array(False)), T(np.array(True))),
    lambda L, T: L.clamp(T(noncontig(rand(3, 4))), T(noncontig(rand(3, 4, low=-2, high=0)))),
    lambda L, T: L.clamp(T(rand(3)), T(rand(2, 3)), T(rand(3))),
    lambda L, T: L.clamp(T(rand(3, 4)), T(rand(5))),
    lambda L, T: T(rand(3, 4)).clamp(T(rand(4, low=-2, high=0))),
    lambda L, T: L.clamp(T(rand(3, 4)), T(rand(4, low=-2, high=0)), 0.5),
]
CASES["CLAMP_"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.clamp_(-0.5, 0.5)),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=f64))), lambda x: x.clamp_(min=0)),
    lambda L, T: inplace(T(rand(3, dtype=i64, low=-5, high=5)), lambda x: x.clamp_(max=1)),
    lambda L, T: T(rand(3, dtype=i64, low=-5, high=5)).clamp_(0.5),
    lambda L, T: L.clamp_(T(rand(3)), np.float32(-0.5), np.float32(0.5)),
]
CASES["CLAMP__TENSOR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.clamp_(T(rand(4, low=-2, high=0)), T(rand(4, low=0, high=2)))),
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.clamp_(max=T(rand(4, low=0, high=2)))),
    lambda L, T: T(rand(3)).clamp_(T(rand(2, 3))),
    lambda L, T: T(rand(3, dtype=i32)).clamp_(T(rand(3, low=-1, high=0))),
    lambda L, T: L.clamp_(T(rand(3)), T(rand(3, low=-1, high=0))),
]
CASES["CLAMP_OUT"] = [
    lambda L, T: (lambda o: (L.clamp(T(rand(3, 4)), -0.5, 0.5, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.clamp(T(rand(3, 4)), np.float32(-0.5), out=o) is o, o))(E(L, f32)),
    lambda L, T: L.clamp(T(rand(3, dtype=i32)), 0.5, out=T(zeros(3, dtype=i32))),
    lambda L, T: (lambda o: (L.clamp(T(rand(3, dtype=i32)), 0, 1, out=o), o)[1])(T(zeros(3, dtype=f64))),
]
CASES["CLAMP_TENSOR_OUT"] = [
    lambda L, T: (lambda o: (L.clamp(T(rand(3, 4)), T(rand(4, low=-2, high=0)), T(rand(4, low=0, high=2)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.clamp(T(rand(3, 4)), max=T(rand(4)), out=o) is o, o))(E(L, f32)),
    lambda L, T: L.clamp(T(rand(3, dtype=i32)), T(rand(3)), out=T(zeros(3, dtype=i32))),
]
for _w, _n in [("MIN", "min"), ("MAX", "max")]:
    _f = "clamp_" + _n
    CASES["CLAMP_" + _w] = [
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, 4)), 0.5),
        lambda L, T, f=_f: getattr(L, f)(T(noncontig(rand(3, 4))), -0.5),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64, low=-5, high=5)), 1.5),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64, low=-5, high=5)), 1),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=b8)), 0),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=b8)), False),
        lambda L, T, f=_f: getattr(L, f)(T(np.array([NAN, 1.0, 5.0], f32)), 2),
        lambda L, T, f=_f: getattr(L, f)(T(np.array([1.0, 5.0], f32)), NAN),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=u8, low=0, high=9)), -1),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=f16)), 0.1),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3)), np.float32(0.5)),
        lambda L, T, f=_f: getattr(L, f)(T(rand(0, 2)), 0.5),
        lambda L, T, f=_f: getattr(T(rand(3, 4)), f)(0.5),
    ]
    CASES["CLAMP_" + _w + "_TENSOR"] = [
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, 4)), T(rand(4))),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64, low=-5, high=5)), T(rand(3))),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=b8)), T(np.array(True))),
        lambda L, T, f=_f: getattr(L, f)(T(np.array([NAN, 1.0, 5.0], f32)), T(np.array([0.0, NAN, 2.0], f32))),
        lambda L, T, f=_f: getattr(L, f)(T(noncontig(rand(3, 4))), T(rand(3, 1))),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=f16)), T(np.array(0.5, f64))),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, 4)), T(rand(5))),
    ]
    CASES["CLAMP_" + _w + "_"] = [
        lambda L, T, f=_f: inplace(T(rand(3, 4)), lambda x: getattr(x, f + "_")(0.5)),
        lambda L, T, f=_f: inplace(T(rand(3, dtype=i32, low=-5, high=5)), lambda x: getattr(x, f + "_")(1)),
        lambda L, T, f=_f: getattr(T(rand(3, dtype=i32)), f + "_")(1.5),
        lambda L, T, f=_f: getattr(L, f + "_")(T(rand(3)), 0.5),
    ]
    CASES["CLAMP_" + _w + "__TENSOR"] = [
        lambda L, T, f=_f: inplace(T(rand(3, 4)), lambda x: getattr(x, f + "_")(T(rand(4)))),
        lambda L, T, f=_f: getattr(T(rand(3)), f + "_")(T(rand(2, 3))),
        lambda L, T, f=_f: getattr(L, f + "_")(T(rand(3)), T(rand(3))),
    ]
    CASES["CLAMP_" + _w + "_OUT"] = [
        lambda L, T, f=_f: (lambda o: (getattr(L, f)(T(rand(3, 4)), 0.5, out=o) is o, o))(T(zeros(3, 4))),
        lambda L, T, f=_f: (lambda o: (getattr(L, f)(T(rand(3, dtype=i64)), 1, out=o) is o, o))(E(L, i64)),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64)), 1.5, out=T(zeros(3, dtype=i64))),
    ]
    CASES["CLAMP_" + _w + "_TENSOR_OUT"] = [
        lambda L, T, f=_f: (lambda o: (getattr(L, f)(T(rand(3, 4)), T(rand(4)), out=o) is o, o))(T(zeros(3, 4))),
        lambda L, T, f=_f: (lambda o: (getattr(L, f)(T(rand(3, 1)), T(rand(4)), out=o) is o, o))(E(L, f32)),
        lambda L, T, f=_f: getattr(L, f)(T(rand(3, dtype=i64)), T(rand(3)), out=T(zeros(3, dtype=i64))),
    ]

# ---- where / masked_fill ---------------------------------------------------------------------
CASES["WHERE_SELF"] = [
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), T(rand(3, 4)), T(rand(3, 4))),
    lambda L, T: L.where(T(rand(3, 1, dtype=b8)), T(rand(4)), T(rand(3, 4, dtype=f64))),
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), T(rand(3, 4, dtype=i32)), 0),
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), 1, 0),
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), 1.0, 0),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(np.array(1, i8)), 2),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(np.array(1.0, f64)), T(rand(3, dtype=i64))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=f16)), T(rand(3, dtype=f32))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
    lambda L, T: L.where(T(noncontig(rand(3, 4, dtype=b8))), T(noncontig(rand(3, 4))), T(rand(4))),
    lambda L, T: L.where(T(rand(dtype=b8)), T(rand(2, 3)), T(rand(2, 3))),
    lambda L, T: L.where(T(rand(0, 3, dtype=b8)), T(rand(3)), T(rand(3))),
    lambda L, T: L.where(T(np.array([1, 0, 2], u8)), T(rand(3)), T(rand(3))),
    lambda L, T: L.where(T(rand(3)), T(rand(3)), T(rand(3))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(4)), T(rand(3))),
    lambda L, T: (lambda x: L.where(x > 0, x, 0.0))(T(rand(3, 4))),
]
CASES["WHERE_SCALARSELF"] = [
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), np.float32(1.5), T(rand(3, 4))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), np.int32(2), T(rand(3, dtype=i8))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), np.float32(2.5), T(rand(3, dtype=i32))),
]
CASES["WHERE_SCALAROTHER"] = [
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), T(rand(3, 4)), np.float32(1.5)),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=u8)), np.int64(300)),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3, dtype=f16)), np.float64(1e10)),
]
CASES["WHERE_SCALAR"] = [
    lambda L, T: L.where(T(rand(3, 4, dtype=b8)), np.float32(1.5), np.float32(0)),
    lambda L, T: L.where(T(rand(3, dtype=b8)), np.int32(1), np.int32(0)),
]
CASES["WHERE_SELF_OUT"] = [
    lambda L, T: (lambda o: (L.where(T(rand(3, 4, dtype=b8)), T(rand(3, 4)), T(rand(4)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.where(T(rand(3, 1, dtype=b8)), T(rand(4)), T(rand(3, 1)), out=o) is o, o))(E(L, f32)),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3)), T(rand(3)), out=T(zeros(3, dtype=f64))),
    lambda L, T: L.where(T(rand(3, dtype=b8)), T(rand(3)), T(rand(3)), out=T(zeros(3, dtype=i64))),
]
CASES["MASKED_FILL_TENSOR"] = [
    lambda L, T: L.masked_fill(T(rand(3, 4)), T(rand(3, 4, dtype=b8)), T(np.array(9.5, f32))),
    lambda L, T: T(rand(3, 4)).masked_fill(T(rand(4, dtype=b8)), T(np.array(2, i64))),
    lambda L, T: T(rand(3, dtype=i64)).masked_fill(T(rand(3, dtype=b8)), T(np.array(2.7, f64))),
    lambda L, T: T(rand(3)).masked_fill(T(rand(3, dtype=b8)), T(np.array([1.0], f32))),
    lambda L, T: T(rand(3)).masked_fill(T(rand(3, dtype=i64)), 1.0),
    lambda L, T: T(rand(3)).masked_fill(T(rand(2, 3, dtype=b8)), 1.0),
    lambda L, T: T(noncontig(rand(3, 4))).masked_fill(T(noncontig(rand(3, 4, dtype=b8))), -1),
    lambda L, T: T(rand(3, dtype=u8)).masked_fill(T(rand(3, dtype=b8)), -1),
    lambda L, T: T(rand(3, dtype=b8)).masked_fill(T(rand(3, dtype=b8)), 5),
    lambda L, T: T(rand(3, dtype=f16)).masked_fill(T(rand(3, dtype=b8)), 1e-3),
    lambda L, T: T(rand(0, 3)).masked_fill(T(rand(3, dtype=b8)), 1),
    lambda L, T: T(rand()).masked_fill(T(rand(dtype=b8)), 1),
    lambda L, T: (lambda x: x.masked_fill(x > 0, NAN))(T(rand(3, 4))),
]
CASES["MASKED_FILL_SCALAR"] = [
    lambda L, T: T(rand(3, 4)).masked_fill(T(rand(3, 4, dtype=b8)), np.float32(9.5)),
    lambda L, T: L.masked_fill(T(rand(3, dtype=i32)), T(rand(3, dtype=b8)), np.float32(2.7)),
    lambda L, T: T(rand(3)).masked_fill(T(rand(3, dtype=i64)), np.float32(1)),
]
CASES["MASKED_FILL__TENSOR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.masked_fill_(T(rand(4, dtype=b8)), T(np.array(7.0, f32)))),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=i32))), lambda x: x.masked_fill_(T(rand(3, 4, dtype=b8)), 3)),
    lambda L, T: T(rand(3)).masked_fill_(T(rand(2, 3, dtype=b8)), 1),
]
CASES["MASKED_FILL__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.masked_fill_(T(rand(3, 4, dtype=b8)), np.float32(-1))),
    lambda L, T: inplace(T(rand(3, dtype=b8)), lambda x: x.masked_fill_(T(rand(3, dtype=b8)), np.int32(0))),
]

# ---- lerp / addcmul / addcdiv ---------------------------------------------------------------
CASES["LERP_SCALAR"] = [
    lambda L, T: L.lerp(T(rand(3, 4)), T(rand(3, 4)), 0.3),
    lambda L, T: L.lerp(T(rand(3, 4)), T(rand(4)), 0.7),
    lambda L, T: L.lerp(T(rand(3, 1)), T(rand(4)), 2),
    lambda L, T: L.lerp(T(rand(3, dtype=f64)), T(rand(3, dtype=f64)), -1.5),
    lambda L, T: L.lerp(T(rand(3, dtype=f16)), T(rand(3, dtype=f16)), 0.25),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3)), T(np.array(0.5, f64))),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3, dtype=f64)), 0.5),
    lambda L, T: L.lerp(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), 0.5),
    lambda L, T: L.lerp(T(noncontig(rand(3, 4))), T(rand(3, 4)), np.float32(0.6)),
    lambda L, T: L.lerp(T(rand(0, 3)), T(rand(3)), 0.5),
    lambda L, T: T(rand(3, 4)).lerp(T(rand(3, 4)), 0.5),
]
CASES["LERP_TENSOR"] = [
    lambda L, T: L.lerp(T(rand(3, 4)), T(rand(3, 4)), T(rand(3, 4, low=-1, high=2))),
    lambda L, T: L.lerp(T(rand(3, 1)), T(rand(4)), T(rand(3, 4))),
    lambda L, T: L.lerp(T(rand(3, dtype=f64)), T(rand(3, dtype=f64)), T(rand(3, dtype=f64))),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3)), T(rand(3, dtype=f64))),
    lambda L, T: L.lerp(T(rand(3, dtype=f16)), T(rand(3, dtype=f16)), T(rand(3, dtype=f16))),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3)), T(rand(2, 1))),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3)), T(rand(4))),
]
CASES["LERP__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.lerp_(T(rand(4)), 0.3)),
    lambda L, T: inplace(T(noncontig(rand(3, 4))), lambda x: x.lerp_(T(rand(3, 4)), 0.9)),
    lambda L, T: T(rand(3)).lerp_(T(rand(2, 3)), 0.5),
]
CASES["LERP__TENSOR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.lerp_(T(rand(4)), T(rand(3, 4)))),
    lambda L, T: T(rand(3)).lerp_(T(rand(3)), T(rand(2, 3))),
]
CASES["LERP_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.lerp(T(rand(3, 4)), T(rand(4)), 0.3, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.lerp(T(rand(3, 4)), T(rand(4)), 0.3, out=o) is o, o))(E(L, f32)),
    lambda L, T: L.lerp(T(rand(3)), T(rand(3)), 0.3, out=T(zeros(3, dtype=i64))),
]
CASES["LERP_TENSOR_OUT"] = [
    lambda L, T: (lambda o: (L.lerp(T(rand(3, 4)), T(rand(4)), T(rand(3, 1)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.lerp(T(rand(3)), T(rand(3)), T(rand(3)), out=o) is o, o))(T(zeros(3, dtype=f64))),
]
for _n in ("addcmul", "addcdiv"):
    _id = _n.upper()
    CASES[_id] = [
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, 4)), T(rand(3, 4)), T(rand(3, 4, low=0.5))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, 1)), T(rand(4)), T(rand(3, 4, low=0.5)), value=0.5),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=f64)), T(rand(3)), T(rand(3, low=0.5)), value=-2),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), T(rand(3, dtype=i64, low=1)), value=2),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), T(rand(3, dtype=i64, low=1)), value=0.5),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=i64)), T(rand(3)), T(rand(3, dtype=i64, low=1))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=f16)), T(rand(3, dtype=f16)), T(rand(3, dtype=f16, low=0.5))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3, dtype=b8)), T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3)), T(rand(3)), T(rand(3, low=0.5)), value=True),
        lambda L, T, n=_n: getattr(L, n)(T(noncontig(rand(3, 4))), T(rand(4)), T(rand(3, 1, low=0.5))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(0, 4)), T(rand(4)), T(rand(4, low=0.5))),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3)), T(rand(4)), T(rand(3))),
        lambda L, T, n=_n: getattr(T(rand(3, 4)), n)(T(rand(3, 4)), T(rand(3, 4, low=0.5)), value=3),
        lambda L, T, n=_n: getattr(L, n)(T(np.array([2**62], i64)), T(np.array([2**31], i64)), T(np.array([2**31], i64))),
    ]
    CASES[_id + "_"] = [
        lambda L, T, n=_n: inplace(T(rand(3, 4)), lambda x: getattr(x, n + "_")(T(rand(4)), T(rand(3, 4, low=0.5)), value=2)),
        lambda L, T, n=_n: T(rand(3)).__getattribute__(n + "_")(T(rand(2, 3)), T(rand(3, low=0.5))),
        lambda L, T, n=_n: T(rand(3, dtype=i64)).__getattribute__(n + "_")(T(rand(3)), T(rand(3, low=0.5))),
    ]
    CASES[_id + "_OUT"] = [
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3, 4)), T(rand(4)), T(rand(3, 1, low=0.5)), out=o) is o, o))(T(zeros(3, 4))),
        lambda L, T, n=_n: (lambda o: (getattr(L, n)(T(rand(3, 4)), T(rand(4)), T(rand(3, 1, low=0.5)), value=2, out=o) is o, o))(E(L, f64)),
        lambda L, T, n=_n: getattr(L, n)(T(rand(3)), T(rand(3)), T(rand(3, low=0.5)), out=T(zeros(3, dtype=i64))),
    ]
