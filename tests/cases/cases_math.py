"""Differential cases for ops_math.def rows (see tests/oracle.py): the elementwise math functions
(inverse trig, hyperbolic, gamma family, erfc/erfinv, predicates, atan2/hypot/xlogy/..., torch's
aliases). Each unary row gets the shared shapes/dtypes/special-values builders, its in-place and
out= forms, domain edges and errors; binary rows get broadcasting, numbers on either side, int /
bool / half inputs and torch's dtype errors."""
import numpy as np

from case_builders import E, inplace, special, u_fn, u_out, zeros  # noqa: F401
from oracle import noncontig, rand

f32, f64, f16, i64, i32, i16, i8, u8, b8 = (np.float32, np.float64, np.float16, np.int64, np.int32,
                                            np.int16, np.int8, np.uint8, np.bool_)
NAN, INF = float("nan"), float("inf")

CASES = {}


def _ip(meth, lo, hi, int_case=True, args=()):
    cs = [
        lambda L, T: inplace(T(rand(3, 4, low=lo, high=hi)), lambda x: getattr(x, meth)(*args)),
        lambda L, T: inplace(T(noncontig(rand(3, 4, low=lo, high=hi))), lambda x: getattr(x, meth)(*args)),
        lambda L, T: inplace(T(rand(low=lo, high=hi, dtype=f64)), lambda x: getattr(x, meth)(*args)),
        lambda L, T: inplace(T(rand(3, low=lo, high=hi, dtype=f16)), lambda x: getattr(x, meth)(*args)),
    ]
    if int_case:   # a float result cannot be written into an integer tensor
        cs.append(lambda L, T: inplace(T(rand(3, dtype=i64, low=lo, high=hi)), lambda x: getattr(x, meth)(*args)))
    return cs


def unary_rows(ID, name, lo=-2.0, hi=2.0, fn_inplace=True, method_inplace=True, out=True, extra=(), **kw):
    """Rows ID, ID_ and ID_OUT of a unary op torch.name / x.name_() / torch.name(x, out=)."""
    CASES[ID] = u_fn(lambda L: getattr(L, name), lo, hi, **kw) + [
        lambda L, T: getattr(T(rand(3, 4, low=lo, high=hi)), name)(),
        lambda L, T: getattr(L, name)(input=T(rand(3, low=lo, high=hi))),
    ] + list(extra)
    ip = _ip(name + "_", lo, hi, int_case=kw.get("ints", True)) if method_inplace else []
    if fn_inplace:
        ip.append(lambda L, T: getattr(L, name + "_")(T(rand(3, low=lo, high=hi))))
    CASES[ID + "_"] = ip
    if out:
        CASES[ID + "_OUT"] = u_out(lambda L: getattr(L, name), lo, hi)


# ---- float functions: ints and bools promote to float32 ----------------------------------------
unary_rows("ACOS", "acos", -1.0, 1.0)
unary_rows("ASIN", "asin", -1.0, 1.0)
unary_rows("ATAN", "atan", -5.0, 5.0)
unary_rows("ACOSH", "acosh", 1.0, 5.0, extra=[lambda L, T: L.acosh(T(rand(5, low=-2, high=2)))])
unary_rows("ASINH", "asinh", -5.0, 5.0)
unary_rows("ATANH", "atanh", -0.99, 0.99, extra=[lambda L, T: L.atanh(T(np.array([1.0, -1.0, 1.5], f32)))])
unary_rows("COSH", "cosh", -5.0, 5.0, extra=[lambda L, T: L.cosh(T(np.array([100.0, -100.0], f32)))])
unary_rows("SINH", "sinh", -5.0, 5.0)
unary_rows("ERFC", "erfc", -4.0, 4.0, extra=[lambda L, T: L.erfc(T(np.array([10.0, 26.0, -6.0], f64)))])
unary_rows("ERFINV", "erfinv", -1.0, 1.0, fn_inplace=False, extra=[
    lambda L, T: L.erfinv(T(np.array([1.0, -1.0, 0.0, -0.0, 0.999999, -0.9999999999, 1e-10, 1.5], f64))),
    lambda L, T: L.erfinv(T(np.array([0.999, -0.5, 0.25, 0.9999], f32))),
])
unary_rows("EXP2", "exp2", -10.0, 10.0, extra=[lambda L, T: L.exp2(T(np.array([200.0, -200.0, 1030.0], f64)))])
unary_rows("LOG10", "log10", 0.01, 100.0, extra=[lambda L, T: L.log10(T(rand(4, low=-2, high=2)))])
unary_rows("LGAMMA", "lgamma", -4.5, 6.0, fn_inplace=False, extra=[
    lambda L, T: L.lgamma(T(np.array([0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, 171.5, 1e20], f64))),
])
unary_rows("DIGAMMA", "digamma", -4.5, 30.0, fn_inplace=False, extra=[
    lambda L, T: L.digamma(T(np.array([0.0, -0.0, -1.0, -2.5, 1.0, 10.0, 1e-8, 1e18, 3.7], f64))),
    lambda L, T: L.digamma(T(np.array([0.5, 20.0, 9.99, -3.3], f32))),
])
unary_rows("I0", "i0", -10.0, 10.0, extra=[
    lambda L, T: L.i0(T(np.array([0.0, 1e-5, 50.0, -30.0, 700.0, 720.0], f64))),
    lambda L, T: L.i0(T(np.array([80.0, 100.0, -3.5], f32))),
])
unary_rows("SINC", "sinc", -3.0, 3.0, extra=[lambda L, T: L.sinc(T(np.array([0.0, 1.0, -2.0, 1e-9, 0.5], f64)))])
unary_rows("DEG2RAD", "deg2rad", -360.0, 360.0)
unary_rows("RAD2DEG", "rad2deg", -7.0, 7.0)
# frac: floats only; integer inputs raise torch's NotImplementedError
unary_rows("FRAC", "frac", -5.0, 5.0, extra=[lambda L, T: L.frac(T(np.array([-2.5, 3.75, -0.0, 1e30], f64)))])
unary_rows("SGN", "sgn", -2.0, 2.0, fn_inplace=False, extra=[
    lambda L, T: L.sgn(T(np.array([-0.0, 0.0, NAN, -INF], f32))),
    lambda L, T: inplace(T(rand(4, dtype=i32)), lambda x: x.sgn_()),
])
CASES["SGN_"].append(lambda L, T: inplace(T(rand(4, dtype=b8)), lambda x: x.sgn_()))

# ---- aliases (composites of the primary row) ---------------------------------------------------
unary_rows("ABSOLUTE", "absolute", fn_inplace=False, extra=[lambda L, T: L.absolute(T(np.array([-128, 5], i8)))])
CASES["ABSOLUTE_"].append(lambda L, T: inplace(T(rand(4, dtype=i32)), lambda x: x.absolute_()))
unary_rows("NEGATIVE", "negative")
CASES["NEGATIVE_"].append(lambda L, T: inplace(T(rand(4, dtype=i32)), lambda x: x.negative_()))
unary_rows("FIX", "fix", -4.0, 4.0)
CASES["FIX_"].append(lambda L, T: inplace(T(rand(4, dtype=i32)), lambda x: x.fix_()))
unary_rows("ARCCOS", "arccos", -1.0, 1.0)
unary_rows("ARCSIN", "arcsin", -1.0, 1.0)
unary_rows("ARCTAN", "arctan", -4.0, 4.0)
unary_rows("ARCCOSH", "arccosh", 1.0, 4.0)
unary_rows("ARCSINH", "arcsinh", -4.0, 4.0)
unary_rows("ARCTANH", "arctanh", -0.9, 0.9)
# square is pow(x, 2): ints stay ints, bool gives int64
unary_rows("SQUARE", "square", -3.0, 3.0, extra=[
    lambda L, T: L.square(T(np.array([100, -12], i8))),
    lambda L, T: inplace(T(rand(4, dtype=i32)), lambda x: x.square_()),
])
CASES["SQUARE_"].append(lambda L, T: inplace(T(rand(4, dtype=i16, low=-9, high=9)), lambda x: x.square_()))
CASES["POSITIVE"] = [
    lambda L, T: L.positive(T(rand(3, 4))),
    lambda L, T: T(noncontig(rand(3, 4, dtype=f64))).positive(),
    lambda L, T: L.positive(T(rand(3, dtype=i32))),
    lambda L, T: L.positive(T(rand(0, 2))),
    lambda L, T: L.positive(T(rand())),
    lambda L, T: L.positive(T(rand(3, dtype=b8))),
    # the result is self: writing to it writes to the input
    lambda L, T: (lambda x: (L.positive(x).add_(1), x)[1])(T(rand(3))),
]

# ---- parameterised unary ----------------------------------------------------------------------
CASES["POLYGAMMA"] = [
    lambda L, T: L.polygamma(1, T(rand(3, 4, low=0.1, high=5))),
    lambda L, T: L.polygamma(2, T(rand(3, 4, low=0.1, high=5, dtype=f64))),
    lambda L, T: L.polygamma(3, T(noncontig(rand(3, 4, low=-3, high=5, dtype=f64)))),
    lambda L, T: L.polygamma(0, T(rand(5, low=-3, high=5))),
    lambda L, T: L.polygamma(1, T(np.array([-0.5, -1.5, 0.25, 1e-3, 7.0, 40.0], f64))),
    lambda L, T: L.polygamma(4, T(np.array([0.5, 2.0, 10.0, -1.0, 0.0], f64))),
    lambda L, T: L.polygamma(1, T(rand(4, dtype=i64, low=1, high=9))),
    lambda L, T: L.polygamma(2, T(rand(4, dtype=f16, low=0.5, high=3))),
    lambda L, T: L.polygamma(1, T(rand(0, 3))),
    lambda L, T: L.polygamma(1, T(rand(low=0.5, high=2))),
    lambda L, T: L.polygamma(n=2, input=T(rand(3, low=0.5, high=3))),
    lambda L, T: T(rand(3, low=0.5, high=3)).polygamma(2),
    lambda L, T: L.polygamma(-1, T(rand(3))),
    lambda L, T: L.polygamma(1, T(rand(3, dtype=b8))),
]
CASES["POLYGAMMA_"] = [
    lambda L, T: inplace(T(rand(3, 4, low=0.5, high=4)), lambda x: x.polygamma_(1)),
    lambda L, T: inplace(T(noncontig(rand(3, 4, low=0.5, high=4, dtype=f64))), lambda x: x.polygamma_(3)),
    lambda L, T: T(rand(3, dtype=i64, low=1, high=4)).polygamma_(1),
    lambda L, T: T(rand(3, low=1, high=4)).polygamma_(-2),
]
CASES["POLYGAMMA_OUT"] = [
    lambda L, T: (lambda o: (L.polygamma(1, T(rand(3, 4, low=0.5, high=4)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.polygamma(2, T(rand(3, low=0.5, high=4)), out=o) is o, o))(E(L, f64)),
    lambda L, T: L.polygamma(1, T(rand(3, low=0.5, high=4)), out=T(zeros(3, dtype=i64))),
]

CASES["MVLGAMMA"] = [
    lambda L, T: L.mvlgamma(T(rand(3, 4, low=2, high=6)), 1),
    lambda L, T: L.mvlgamma(T(rand(3, 4, low=2, high=6, dtype=f64)), 3),
    lambda L, T: L.mvlgamma(T(noncontig(rand(3, 4, low=3, high=6))), p=4),
    lambda L, T: L.mvlgamma(T(rand(4, dtype=i64, low=3, high=9)), 2),
    lambda L, T: L.mvlgamma(T(rand(4, dtype=f16, low=3, high=5)), 2),
    lambda L, T: L.mvlgamma(T(np.array([0.1, 2.0], f32)), 3),
    lambda L, T: L.mvlgamma(T(rand(0, 2)), 2),
    lambda L, T: T(rand(3, low=2, high=4)).mvlgamma(2),
    lambda L, T: L.mvlgamma(T(rand(3)), 0),
    lambda L, T: L.mvlgamma(T(rand(3, dtype=b8)), 1),
]
CASES["MVLGAMMA_"] = [
    lambda L, T: inplace(T(rand(3, 4, low=2, high=5)), lambda x: x.mvlgamma_(2)),
    lambda L, T: inplace(T(rand(3, low=2, high=5, dtype=f64)), lambda x: x.mvlgamma_(p=5)),
    lambda L, T: T(rand(3, dtype=i64, low=2, high=5)).mvlgamma_(1),
]
CASES["MVLGAMMA_OUT"] = [
    lambda L, T: (lambda o: (L.mvlgamma(T(rand(3, 4, low=2, high=5)), 2, out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.mvlgamma(T(rand(3, low=2, high=5)), 3, out=o) is o, o))(E(L, f64)),
]

CASES["LOGIT"] = u_fn(lambda L: L.logit, 0.01, 0.99) + [
    lambda L, T: L.logit(T(np.array([0.0, 1.0, 0.5, -1.0, 2.0, NAN], f32))),
    lambda L, T: L.logit(T(np.array([0.0, 1.0, 0.5, 0.05, 0.97], f32)), eps=0.1),
    lambda L, T: L.logit(T(np.array([0.0, 1.0, 0.5], f64)), 1e-6),
    lambda L, T: L.logit(T(np.array([0.0, 1.0, 0.5], f32)), eps=-1.0),
    lambda L, T: L.logit(T(np.array([0.2, 0.7], f16)), eps=0.25),
    lambda L, T: T(rand(3, low=0.1, high=0.9)).logit(0.2),
]
CASES["LOGIT_"] = _ip("logit_", 0.05, 0.95) + [
    lambda L, T: inplace(T(rand(3, 4, low=0, high=1)), lambda x: x.logit_(eps=0.2)),
    lambda L, T: L.logit_(T(rand(3, low=0.1, high=0.9))),
]
CASES["LOGIT_OUT"] = u_out(lambda L: L.logit, 0.05, 0.95) + [
    lambda L, T: (lambda o: (L.logit(T(rand(3, low=0, high=1)), 0.3, out=o), o)[1])(T(zeros(3))),
]

CASES["NAN_TO_NUM"] = u_fn(lambda L: L.nan_to_num) + [
    lambda L, T: L.nan_to_num(T(special())),
    lambda L, T: L.nan_to_num(T(special(f64)), nan=1.5, posinf=100.0, neginf=-7.0),
    lambda L, T: L.nan_to_num(T(special(f16))),
    lambda L, T: L.nan_to_num(T(special(f16)), posinf=1e10),
    lambda L, T: L.nan_to_num(T(special()), 2.0, None, -3.0),
    lambda L, T: L.nan_to_num(T(special()).bfloat16()),
    lambda L, T: L.nan_to_num(T(noncontig(np.array([[NAN, 1.0], [INF, -INF]], f32)))),
    lambda L, T: L.nan_to_num(T(rand(3, dtype=i64)), nan=3.0),
    lambda L, T: T(special()).nan_to_num(neginf=0.0),
]
CASES["NAN_TO_NUM_"] = [
    lambda L, T: inplace(T(special()), lambda x: x.nan_to_num_()),
    lambda L, T: inplace(T(special(f64)), lambda x: x.nan_to_num_(nan=-1.0, posinf=9.0)),
    lambda L, T: inplace(T(rand(3, dtype=i32)), lambda x: x.nan_to_num_()),
    lambda L, T: L.nan_to_num_(T(special())),
]
CASES["NAN_TO_NUM_OUT"] = u_out(lambda L: L.nan_to_num) + [
    lambda L, T: (lambda o: (L.nan_to_num(T(special()), nan=4.0, out=o), o)[1])(T(zeros(12))),
]

# ---- predicates -------------------------------------------------------------------------------
def _pred_rows(ID, name, out=True):
    CASES[ID] = u_fn(lambda L: getattr(L, name)) + [
        lambda L, T: getattr(T(special()), name)(),
        lambda L, T: getattr(L, name)(T(special(f16))),
        lambda L, T: getattr(L, name)(T(np.array([-0.0, 0.0, -NAN, NAN, -INF], f64))),
        lambda L, T: getattr(L, name)(T(np.array([-5, 0, 3], i8))),
    ]
    if out:
        CASES[ID + "_OUT"] = [
            lambda L, T: (lambda o: (getattr(L, name)(T(special()), out=o) is o, o))(T(zeros(12, dtype=b8))),
            lambda L, T: (lambda o: (getattr(L, name)(T(rand(3, 4)), out=o) is o, o))(E(L, b8)),
            lambda L, T: getattr(L, name)(T(special()), out=T(zeros(12))),
        ]


_pred_rows("SIGNBIT", "signbit")
_pred_rows("ISNEGINF", "isneginf")
_pred_rows("ISPOSINF", "isposinf")
_pred_rows("ISREAL", "isreal", out=False)

CASES["FREXP_TENSOR"] = [
    lambda L, T: L.frexp(T(rand(3, 4, low=-100, high=100))),
    lambda L, T: L.frexp(T(np.array([0.0, -0.0, 8.0, -3.5, 1e-40, 1e-310, 1e300], f64))),
    lambda L, T: L.frexp(T(np.array([0.0, 8.0, -3.5, 6e-8, 60000.0], f16))),
    lambda L, T: tuple(L.frexp(T(special()).bfloat16())),
    lambda L, T: L.frexp(T(noncontig(rand(3, 4, low=-5, high=5)))),
    lambda L, T: L.frexp(T(rand(0, 3))),
    lambda L, T: L.frexp(T(rand())),
    lambda L, T: T(rand(3, low=-9, high=9)).frexp(),
    lambda L, T: L.frexp(T(rand(3, dtype=i64))),
    lambda L, T: L.frexp(T(np.array([INF, -INF], f32)))[1],
    lambda L, T: L.frexp(T(np.array([NAN], f32)))[1],
]


def _frexp_out(L, x, m, e):
    """torch.frexp(x, out=(m, e)) is torch's binding; pyts reaches the hidden row directly."""
    if L.__name__ == "torch":
        r = L.ops.aten.frexp.Tensor_out(x, mantissa=m, exponent=e)
    else:
        r = L._C._call_row("frexp.Tensor_out", x, mantissa=m, exponent=e)
    return r[0] is m, r[1] is e, m, e


CASES["FREXP_TENSOR_OUT"] = [
    lambda L, T: _frexp_out(L, T(rand(3, 4, low=-9, high=9)), T(zeros(3, 4)), T(zeros(3, 4, dtype=i32))),
    lambda L, T: _frexp_out(L, T(rand(5, low=-9, high=9, dtype=f64)), E(L, f64), E(L, i32)),
    lambda L, T: _frexp_out(L, T(rand(3)), T(zeros(3, dtype=f64)), T(zeros(3, dtype=i32))),
    lambda L, T: _frexp_out(L, T(rand(3)), T(zeros(3)), T(zeros(3, dtype=i64))),
]
CASES["SPECIAL_I1"] = [
    lambda L, T: (L.special.i1 if L.__name__ == "torch" else lambda x: L._C._call_row("special_i1", x))(
        T(np.array([0.0, 1e-5, -2.5, 10.0, 50.0, 700.0, 720.0, NAN, -INF], f64))),
    lambda L, T: (L.special.i1 if L.__name__ == "torch" else lambda x: L._C._call_row("special_i1", x))(
        T(rand(3, 4, low=-8, high=8))),
    lambda L, T: (L.special.i1 if L.__name__ == "torch" else lambda x: L._C._call_row("special_i1", x))(
        T(rand(4, dtype=i64, low=-5, high=5))),
]


# ---- binary -----------------------------------------------------------------------------------
def b_fn(fn, lo=-3.0, hi=3.0, blo=None, ints=True, bools=True, floats=True, lhs_number=True, rhs_number=True):
    blo = lo if blo is None else blo
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
            lambda L, T: fn(L)(T(special(f64)), T(np.roll(special(f64), 3))),
            lambda L, T: fn(L)(T(rand(3, low=lo, high=hi)).bfloat16(), T(rand(3, low=blo, high=hi)).bfloat16()),
            lambda L, T: fn(L)(T(rand(3, 4)), T(rand(3))),   # broadcast error
        ]
        if rhs_number:
            cs += [
                lambda L, T: fn(L)(T(rand(2, 3, low=lo, high=hi)), 2.5),
                lambda L, T: fn(L)(T(rand(2, 3, low=lo, high=hi)), 2),
                lambda L, T: fn(L)(T(rand(2, 3, dtype=f16, low=lo, high=hi)), 1.5),
            ]
        if lhs_number:
            cs.append(lambda L, T: fn(L)(1.5, T(rand(2, 3, low=blo, high=hi))))
    if ints:
        cs += [
            lambda L, T: fn(L)(T(rand(3, 4, dtype=i64, low=lo, high=hi)), T(rand(3, 4, dtype=i64, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(3, 4, dtype=i32, low=lo, high=hi)), T(rand(4, dtype=i64, low=blo, high=hi))),
            lambda L, T: fn(L)(T(rand(5, dtype=u8, low=0, high=9)), T(rand(5, dtype=i8, low=max(blo, 0), high=4))),
            lambda L, T: fn(L)(T(rand(5, dtype=i64, low=lo, high=hi)), T(rand(5, dtype=f16, low=blo, high=hi))),
        ]
        if rhs_number:
            cs.append(lambda L, T: fn(L)(T(rand(5, dtype=i16, low=lo, high=hi)), 3))
    if bools:
        cs.append(lambda L, T: fn(L)(T(rand(4, dtype=b8)), T(rand(4, dtype=b8))))
    return cs


def b_ip(meth, lo=-3.0, hi=3.0, blo=None, ints=True):
    blo = lo if blo is None else blo
    cs = [
        lambda L, T: inplace(T(rand(3, 4, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(4, low=blo, high=hi)))),
        lambda L, T: inplace(T(noncontig(rand(3, 4, low=lo, high=hi, dtype=f64))), lambda x: getattr(x, meth)(T(rand(3, 4, low=blo, high=hi, dtype=f64)))),
        lambda L, T: inplace(T(rand(3, low=lo, high=hi, dtype=f16)), lambda x: getattr(x, meth)(T(rand(3, low=blo, high=hi, dtype=f16)))),
        lambda L, T: inplace(T(rand(3, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(2, 3, low=blo, high=hi)))),
    ]
    if ints:
        cs.append(lambda L, T: inplace(T(rand(3, dtype=i64, low=lo, high=hi)), lambda x: getattr(x, meth)(T(rand(3, dtype=i32, low=blo, high=hi)))))
    return cs


def b_out(fn, lo=-3.0, hi=3.0, blo=None, dtype=f32, out_dtype=None):
    blo = lo if blo is None else blo
    od = out_dtype or dtype

    def run(L, T, a, bb, o):
        r = fn(L)(a, bb, out=o)
        return r is o, o
    return [
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), T(rand(4, low=blo, high=hi, dtype=dtype)), T(zeros(3, 4, dtype=od))),
        lambda L, T: run(L, T, T(rand(3, 1, low=lo, high=hi, dtype=dtype)), T(rand(4, low=blo, high=hi, dtype=dtype)), E(L, od)),
        lambda L, T: run(L, T, T(rand(3, 4, low=lo, high=hi, dtype=dtype)), T(rand(3, 4, low=blo, high=hi, dtype=dtype)), T(noncontig(zeros(3, 4, dtype=od)))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=dtype)), T(rand(3, low=blo, high=hi, dtype=dtype)), T(zeros(3, dtype=f64))),
        lambda L, T: run(L, T, T(rand(3, low=lo, high=hi, dtype=dtype)), T(rand(3, low=blo, high=hi, dtype=dtype)), T(zeros(3, dtype=i16))),
    ]


def binary_rows(ID, name, inplace_row=True, out_id=None, fn=None, lo=-3.0, hi=3.0, blo=None, extra=(), **kw):
    fn = fn or (lambda L: getattr(L, name))
    CASES[ID] = b_fn(fn, lo, hi, blo, **kw) + [
        lambda L, T: getattr(T(rand(3, 4, low=lo, high=hi)), name)(T(rand(3, 4, low=blo if blo is not None else lo, high=hi))),
        lambda L, T: fn(L)(input=T(rand(3, low=lo, high=hi)), other=T(rand(3, low=blo if blo is not None else lo, high=hi))),
    ] + list(extra)
    if inplace_row:
        CASES[(inplace_row if isinstance(inplace_row, str) else ID + "_")] = b_ip(name + "_", lo, hi, blo, ints=kw.get("ints", True))
    CASES[out_id or ID + "_OUT"] = b_out(fn, lo, hi, blo)


binary_rows("ATAN2", "atan2", extra=[
    lambda L, T: L.atan2(T(np.array([0.0, -0.0, 0.0, -0.0, INF, -INF, 1.0], f32)), T(np.array([0.0, 0.0, -0.0, -0.0, INF, INF, -INF], f32))),
])
binary_rows("ARCTAN2", "arctan2")
binary_rows("HYPOT", "hypot", extra=[
    lambda L, T: L.hypot(T(np.array([3.0, INF, NAN, 1e300], f64)), T(np.array([4.0, NAN, INF, 1e300], f64))),
])
CASES["LOGADDEXP"] = b_fn(lambda L: L.logaddexp, -20, 20) + [
    lambda L, T: L.logaddexp(T(np.array([INF, -INF, INF, -INF, 1000.0, NAN], f64)), T(np.array([INF, -INF, -INF, 3.0, 1000.0, 1.0], f64))),
    lambda L, T: T(rand(3)).logaddexp(T(rand(3))),
]
CASES["LOGADDEXP_OUT"] = b_out(lambda L: L.logaddexp)
CASES["LOGADDEXP2"] = b_fn(lambda L: L.logaddexp2, -20, 20) + [
    lambda L, T: L.logaddexp2(T(np.array([INF, -INF, INF, -INF, 1000.0], f64)), T(np.array([INF, -INF, -INF, 3.0, 1000.0], f64))),
    lambda L, T: T(rand(3)).logaddexp2(T(rand(3))),
]
CASES["LOGADDEXP2_OUT"] = b_out(lambda L: L.logaddexp2)
CASES["FMAX"] = b_fn(lambda L: L.fmax) + [
    lambda L, T: L.fmax(T(np.array([NAN, 1.0, NAN, -0.0], f32)), T(np.array([2.0, NAN, NAN, 0.0], f32))),
    lambda L, T: T(rand(3)).fmax(T(rand(3))),
]
CASES["FMAX_OUT"] = b_out(lambda L: L.fmax)
CASES["FMIN"] = b_fn(lambda L: L.fmin) + [
    lambda L, T: L.fmin(T(np.array([NAN, 1.0, NAN], f64)), T(np.array([2.0, NAN, NAN], f64))),
    lambda L, T: T(rand(3)).fmin(T(rand(3))),
]
CASES["FMIN_OUT"] = b_out(lambda L: L.fmin)
binary_rows("COPYSIGN_TENSOR", "copysign", inplace_row="COPYSIGN__TENSOR", out_id="COPYSIGN_OUT", extra=[
    lambda L, T: L.copysign(T(rand(4)), T(np.array([-0.0, 0.0, -NAN, NAN], f32))),
])
CASES["COPYSIGN_SCALAR"] = [
    lambda L, T: L.copysign(T(rand(3, 4)), np.float32(-2.0)),
    lambda L, T: L.copysign(T(rand(3, dtype=i64)), np.int64(-1)),
    lambda L, T: T(rand(3, dtype=f64)).copysign(np.float64(-0.0)),
    lambda L, T: L.copysign(T(rand(3, dtype=f16)), np.int32(-3)),
]
CASES["COPYSIGN__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.copysign_(np.float32(-1.0))),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=f64))), lambda x: x.copysign_(np.int64(1))),
    lambda L, T: T(rand(3, dtype=i64)).copysign_(np.float32(-1.0)),
]
CASES["COPYSIGN_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.copysign(T(rand(3, 4)), np.float32(-2.0), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.copysign(T(rand(3, dtype=i32)), np.int64(-2), out=o) is o, o))(E(L, f64)),
    lambda L, T: L.copysign(T(rand(3)), np.float32(-2.0), out=T(zeros(3, dtype=i64))),
]
binary_rows("XLOGY_TENSOR", "xlogy", inplace_row="XLOGY__TENSOR", out_id="XLOGY_OUTTENSOR", lo=-2.0, hi=3.0, blo=0.0, extra=[
    lambda L, T: L.xlogy(T(np.array([0.0, 0.0, 1.0, 2.0, 0.0, 3.0], f64)), T(np.array([0.0, NAN, 0.0, -1.0, INF, INF], f64))),
    lambda L, T: L.xlogy(2.0, T(rand(3, low=0.1, high=3))),
])
CASES["XLOGY__TENSOR"].append(lambda L, T: L.xlogy_(T(rand(3, low=0.1, high=3)), T(rand(3, low=0.1, high=3))))
CASES["XLOGY_SCALAR_OTHER"] = [
    lambda L, T: L.xlogy(T(rand(3, 4)), np.float32(2.5)),
    lambda L, T: L.xlogy(T(np.array([0.0, 1.0, -2.0], f64)), np.float64(0.0)),
    lambda L, T: L.xlogy(T(rand(3, dtype=i64)), np.int64(3)),
    lambda L, T: T(rand(3, dtype=f16)).xlogy(np.float32(1.5)),
]
CASES["XLOGY_SCALAR_SELF"] = [
    lambda L, T: L.xlogy(np.float32(2.5), T(rand(3, 4, low=0.1, high=3))),
    lambda L, T: L.xlogy(np.int64(0), T(rand(3, low=0.1, high=3, dtype=f64))),
    lambda L, T: L.xlogy(np.int64(3), T(rand(3, dtype=i32, low=1, high=5))),
]
CASES["XLOGY__SCALAR_OTHER"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.xlogy_(np.float32(2.0))),
    lambda L, T: inplace(T(noncontig(rand(3, 4, dtype=f64))), lambda x: x.xlogy_(np.int64(3))),
    lambda L, T: T(rand(3, dtype=i64)).xlogy_(np.float32(2.0)),
]
CASES["XLOGY_OUTSCALAR_SELF"] = [
    lambda L, T: (lambda o: (L.xlogy(np.float32(2.0), T(rand(3, 4, low=0.1, high=2)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.xlogy(np.int64(2), T(rand(3, low=0.1, high=2)), out=o) is o, o))(E(L, f64)),
]
CASES["XLOGY_OUTSCALAR_OTHER"] = [
    lambda L, T: (lambda o: (L.xlogy(T(rand(3, 4)), np.float32(2.0), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.xlogy(T(rand(3, dtype=i64)), np.int64(2), out=o) is o, o))(E(L, f64)),
    lambda L, T: L.xlogy(T(rand(3)), np.float32(2.0), out=T(zeros(3, dtype=i64))),
]
# ldexp: torch takes no Python number for other (Tensor only)
binary_rows("LDEXP_TENSOR", "ldexp", inplace_row="LDEXP_", out_id="LDEXP_OUT", rhs_number=False, lhs_number=False, extra=[
    lambda L, T: L.ldexp(T(rand(3, low=-3, high=3)), T(np.array([1, 10, -3], i64))),
    lambda L, T: L.ldexp(T(rand(3, low=-3, high=3, dtype=f16)), T(np.array([1, 3, -3], i64))),
    lambda L, T: L.ldexp(T(rand(3, dtype=i64)), T(np.array(2, i64))),
])
CASES["GCD"] = [
    lambda L, T: L.gcd(T(rand(3, 4, dtype=i64, low=-50, high=50)), T(rand(3, 4, dtype=i64, low=-50, high=50))),
    lambda L, T: L.gcd(T(rand(3, 1, dtype=i32, low=-50, high=50)), T(rand(4, dtype=i64, low=0, high=50))),
    lambda L, T: L.gcd(T(noncontig(rand(3, 4, dtype=i16, low=-50, high=50))), T(rand(4, dtype=i16, low=-9, high=9))),
    lambda L, T: L.gcd(T(np.array([-128, 0, 6, 0], i8)), T(np.array([0, 0, -4, 7], i8))),
    lambda L, T: L.gcd(T(rand(5, dtype=u8, low=0, high=255)), T(rand(5, dtype=u8, low=0, high=255))),
    lambda L, T: L.gcd(T(np.array([-2**63, 12], i64)), T(np.array([6, -2**63], i64))),
    lambda L, T: L.gcd(T(rand(0, dtype=i64)), T(rand(3, 1, dtype=i64))),
    lambda L, T: L.gcd(T(rand(dtype=i64, low=1, high=20)), 12),
    lambda L, T: T(rand(3, dtype=i64, low=-9, high=9)).gcd(T(rand(3, dtype=i64, low=-9, high=9))),
    lambda L, T: L.gcd(T(rand(3)), T(rand(3))),
    lambda L, T: L.gcd(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
    lambda L, T: L.gcd(T(rand(3, dtype=i64)), 2.5),
]
CASES["GCD_"] = [
    lambda L, T: inplace(T(rand(3, 4, dtype=i64, low=-50, high=50)), lambda x: x.gcd_(T(rand(4, dtype=i64, low=-50, high=50)))),
    lambda L, T: L.gcd_(T(rand(3, dtype=i32, low=-50, high=50)), T(rand(3, dtype=i32, low=-50, high=50))),
    lambda L, T: T(rand(3, dtype=i32)).gcd_(T(rand(2, 3, dtype=i32))),
]
CASES["GCD_OUT"] = [
    lambda L, T: (lambda o: (L.gcd(T(rand(3, 4, dtype=i64, low=-50, high=50)), T(rand(4, dtype=i64)), out=o) is o, o))(T(zeros(3, 4, dtype=i64))),
    lambda L, T: (lambda o: (L.gcd(T(rand(3, dtype=i32, low=-50, high=50)), T(rand(3, dtype=i32)), out=o) is o, o))(E(L, i64)),
    lambda L, T: L.gcd(T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), out=T(zeros(3, dtype=b8))),
]
CASES["LCM"] = [
    lambda L, T: L.lcm(T(rand(3, 4, dtype=i64, low=-50, high=50)), T(rand(3, 4, dtype=i64, low=-50, high=50))),
    lambda L, T: L.lcm(T(rand(3, 1, dtype=i32, low=-50, high=50)), T(rand(4, dtype=i64, low=0, high=50))),
    lambda L, T: L.lcm(T(np.array([-128, 0, 6, 100], i8)), T(np.array([3, 0, -4, 3], i8))),
    lambda L, T: L.lcm(T(noncontig(rand(3, 4, dtype=u8, low=0, high=255))), T(rand(4, dtype=u8, low=0, high=255))),
    lambda L, T: L.lcm(T(np.array([2**40, -(2**62)], i64)), T(np.array([3 * 2**30, 3], i64))),
    lambda L, T: T(rand(3, dtype=i16, low=-9, high=9)).lcm(T(rand(3, dtype=i16, low=-9, high=9))),
    lambda L, T: L.lcm(T(rand(3, dtype=f64)), T(rand(3, dtype=f64))),
    lambda L, T: L.lcm(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
]
CASES["LCM_"] = [
    lambda L, T: inplace(T(rand(3, 4, dtype=i64, low=-20, high=20)), lambda x: x.lcm_(T(rand(4, dtype=i64, low=-20, high=20)))),
    lambda L, T: L.lcm_(T(rand(3, dtype=i32, low=-20, high=20)), T(rand(3, dtype=i32, low=-20, high=20))),
]
CASES["LCM_OUT"] = [
    lambda L, T: (lambda o: (L.lcm(T(rand(3, 4, dtype=i64, low=-20, high=20)), T(rand(4, dtype=i64)), out=o) is o, o))(T(zeros(3, 4, dtype=i64))),
    lambda L, T: (lambda o: (L.lcm(T(rand(3, dtype=i8, low=-20, high=20)), T(rand(3, dtype=i8)), out=o) is o, o))(E(L, i8)),
]
CASES["HEAVISIDE"] = [
    lambda L, T: L.heaviside(T(np.array([-1.5, 0.0, -0.0, 2.0, NAN, INF, -INF], f32)), T(np.array(0.5, f32))),
    lambda L, T: L.heaviside(T(rand(3, 4)), T(rand(4))),
    lambda L, T: L.heaviside(T(noncontig(np.array([[0.0, 1.0], [-1.0, 0.0]], f64))), T(np.array([7.0, NAN], f64))),
    lambda L, T: L.heaviside(T(np.array([-2, 0, 3], i64)), T(np.array([5, 6, 7], i64))),
    lambda L, T: L.heaviside(T(np.array([0, 0, 3], u8)), T(np.array(9, u8))),
    lambda L, T: L.heaviside(T(np.array([True, False], b8)), T(np.array([False, True], b8))),
    lambda L, T: L.heaviside(T(np.array([0.0, 1.0], f16)), T(np.array([0.5, 0.5], f16))),
    lambda L, T: L.heaviside(T(rand(0, 2)), T(rand(2))),
    lambda L, T: T(np.array([0.0, -1.0], f32)).heaviside(T(np.array([3.0], f32))),
    lambda L, T: L.heaviside(T(rand(3)), T(rand(3, dtype=f64))),
    lambda L, T: L.heaviside(T(rand(3)), 0.5),
]
CASES["HEAVISIDE_"] = [
    lambda L, T: inplace(T(np.array([-1.0, 0.0, 2.0], f32)), lambda x: x.heaviside_(T(np.array([4.0], f32)))),
    lambda L, T: inplace(T(np.array([-1, 0, 2], i32)), lambda x: x.heaviside_(T(np.array([4, 5, 6], i32)))),
    lambda L, T: T(rand(3)).heaviside_(T(rand(3, dtype=f64))),
]
CASES["HEAVISIDE_OUT"] = [
    lambda L, T: (lambda o: (L.heaviside(T(np.array([-1.0, 0.0, 2.0], f32)), T(np.array([4.0], f32)), out=o) is o, o))(T(zeros(3))),
    lambda L, T: (lambda o: (L.heaviside(T(np.array([-1, 0, 2], i64)), T(np.array(1, i64)), out=o) is o, o))(E(L, f64)),
]
CASES["NEXTAFTER"] = [
    lambda L, T: L.nextafter(T(rand(3, 4)), T(rand(3, 4))),
    lambda L, T: L.nextafter(T(rand(3, 4, dtype=f64)), T(rand(4, dtype=f64))),
    lambda L, T: L.nextafter(T(np.array([0.0, -0.0, 1.0, 1.0, NAN, INF, -1.0], f32)), T(np.array([1.0, -1.0, 1.0, NAN, 0.0, 0.0, -INF], f32))),
    lambda L, T: L.nextafter(T(np.array([1.0, 0.0, -2.0, 65504.0, 1.0], f16)), T(np.array([2.0, -1.0, -3.0, INF, 0.0], f16))),
    lambda L, T: L.nextafter(T(np.array([1.0, 0.0, -2.0], f32)), T(np.array([2.0, -1.0, 0.0], f32))).bfloat16().float() * 0
    + L.nextafter(T(np.array([1.0, 0.0, -2.0], f32)).bfloat16(), T(np.array([2.0, -1.0, 0.0], f32)).bfloat16()).float(),
    lambda L, T: L.nextafter(T(noncontig(rand(3, 4, dtype=f64))), T(np.array(0.0, f64))),
    lambda L, T: L.nextafter(T(rand(0, 3)), T(rand(3))),
    lambda L, T: T(rand(3)).nextafter(T(rand(3))),
    lambda L, T: L.nextafter(T(rand(3, dtype=i64)), T(rand(3, dtype=i64))),
    lambda L, T: L.nextafter(T(rand(3)), 2.0),
]
CASES["NEXTAFTER_"] = [
    lambda L, T: inplace(T(rand(3, 4)), lambda x: x.nextafter_(T(rand(4)))),
    lambda L, T: inplace(T(rand(3, dtype=f16)), lambda x: x.nextafter_(T(np.array([INF, -INF, 0.0], f16)))),
    lambda L, T: T(rand(3)).nextafter_(T(rand(3, dtype=f64))),
]
CASES["NEXTAFTER_OUT"] = [
    lambda L, T: (lambda o: (L.nextafter(T(rand(3, 4)), T(rand(4)), out=o) is o, o))(T(zeros(3, 4))),
    lambda L, T: (lambda o: (L.nextafter(T(rand(3, dtype=f64)), T(rand(3, dtype=f64)), out=o) is o, o))(E(L, f64)),
]

# float_power: always float64
CASES["FLOAT_POWER_TENSOR_TENSOR"] = [
    lambda L, T: L.float_power(T(rand(3, 4, low=0.1, high=3)), T(rand(3, 4))),
    lambda L, T: L.float_power(T(rand(3, 1, dtype=i64, low=-3, high=3)), T(rand(4, dtype=i32, low=0, high=3))),
    lambda L, T: L.float_power(T(noncontig(rand(3, 4, dtype=f16, low=0.1, high=2))), T(rand(4))),
    lambda L, T: L.float_power(T(rand(3, dtype=b8)), T(rand(3, dtype=b8))),
    lambda L, T: L.float_power(T(np.array([-8.0, 0.0, 0.0, INF], f32)), T(np.array([1 / 3, 0.0, -1.0, -1.0], f32))),
    lambda L, T: L.float_power(T(rand(0, 2)), T(rand(2))),
    lambda L, T: T(rand(3, low=0.5, high=2)).float_power(T(rand(3))),
    lambda L, T: L.float_power(T(rand(3)), T(rand(2))),
]
CASES["FLOAT_POWER_TENSOR_SCALAR"] = [
    lambda L, T: L.float_power(T(rand(3, 4, low=0.1, high=3)), 2.5),
    lambda L, T: L.float_power(T(rand(3, 4, dtype=i64, low=-3, high=3)), 2),
    lambda L, T: L.float_power(T(rand(3, dtype=f16)), -1),
    lambda L, T: T(rand(3, low=0.5, high=2)).float_power(0.5),
    lambda L, T: L.float_power(T(rand(3, dtype=b8)), True),
]
CASES["FLOAT_POWER_SCALAR"] = [
    lambda L, T: L.float_power(2, T(rand(3, 4))),
    lambda L, T: L.float_power(2.5, T(rand(3, dtype=i32, low=-3, high=3))),
    lambda L, T: L.float_power(-2, T(rand(3, dtype=f16))),
]
CASES["FLOAT_POWER__TENSOR"] = [
    lambda L, T: inplace(T(rand(3, 4, low=0.1, high=3, dtype=f64)), lambda x: x.float_power_(T(rand(4)))),
    lambda L, T: inplace(T(noncontig(rand(3, 4, low=0.1, high=3, dtype=f64))), lambda x: x.float_power_(T(rand(3, 4, dtype=i64, low=0, high=3)))),
    lambda L, T: T(rand(3)).float_power_(T(rand(3))),
]
CASES["FLOAT_POWER__SCALAR"] = [
    lambda L, T: inplace(T(rand(3, 4, low=0.1, high=3, dtype=f64)), lambda x: x.float_power_(2)),
    lambda L, T: inplace(T(rand(3, low=0.1, high=3, dtype=f64)), lambda x: x.float_power_(-0.5)),
    lambda L, T: T(rand(3, dtype=i64)).float_power_(2),
]
CASES["FLOAT_POWER_TENSOR_TENSOR_OUT"] = [
    lambda L, T: (lambda o: (L.float_power(T(rand(3, 4, low=0.1, high=3)), T(rand(4)), out=o) is o, o))(T(zeros(3, 4, dtype=f64))),
    lambda L, T: (lambda o: (L.float_power(T(rand(3, dtype=i64, low=1, high=3)), T(rand(3)), out=o) is o, o))(E(L, f64)),
    lambda L, T: L.float_power(T(rand(3)), T(rand(3)), out=T(zeros(3))),
]
CASES["FLOAT_POWER_TENSOR_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.float_power(T(rand(3, 4, low=0.1, high=3)), 2.5, out=o) is o, o))(T(zeros(3, 4, dtype=f64))),
    lambda L, T: L.float_power(T(rand(3)), 2, out=T(zeros(3))),
]
CASES["FLOAT_POWER_SCALAR_OUT"] = [
    lambda L, T: (lambda o: (L.float_power(3, T(rand(3, 4)), out=o) is o, o))(T(zeros(3, 4, dtype=f64))),
    lambda L, T: L.float_power(3, T(rand(3)), out=T(zeros(3, dtype=f16))),
]
