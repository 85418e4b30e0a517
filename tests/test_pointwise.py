"""Tensor operators (+ - * / // % ** & | ^ << >> ~, unary -, abs, in-place forms, rich
comparisons) against PyTorch, plus a property test of broadcasting and type promotion of the
binary ops over random shapes, dtypes and Python-number operands."""
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import oracle
import pyts

torch = pytest.importorskip("torch")

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


def arr(shape, dtype, rng, positive=False):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        lo = 1 if positive else max(-5, np.iinfo(dt).min)
        return rng.integers(lo, 6, size=shape).astype(dt)
    lo = 0.25 if positive else -3.0
    return (rng.random(shape) * (3.0 - lo) + lo).astype(dt)


def both(f):
    """f(lib, T) on torch and pyts via the differential harness."""
    oracle.run_case(f, rtol=1e-5, atol=1e-6)


# ---- binary operators ------------------------------------------------------------------------
ARITH = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
}
BITS = {"and": operator.and_, "or": operator.or_, "xor": operator.xor,
        "lshift": operator.lshift, "rshift": operator.rshift}
CMP = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
       "gt": operator.gt, "ge": operator.ge}


@pytest.mark.parametrize("name", list(ARITH))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.int32, np.uint8, np.bool_])
def test_arith_operators(name, dtype):
    op = ARITH[name]
    rng = np.random.default_rng(0)
    a = arr((3, 4), dtype, rng)
    b = arr((4,), dtype, rng, positive=name in ("floordiv", "mod"))
    both(lambda L, T: op(T(a), T(b)))


@pytest.mark.parametrize("name", list(ARITH))
@pytest.mark.parametrize("number", [2, -3, 2.5, True])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_])
def test_arith_number_both_sides(name, number, dtype):
    """tensor OP number and number OP tensor (2 - x is rsub, 2 / x is 2 * reciprocal(x))."""
    op = ARITH[name]
    rng = np.random.default_rng(1)
    a = arr((2, 3), dtype, rng, positive=True)
    both(lambda L, T: op(T(a), number))
    both(lambda L, T: op(number, T(a)))


def test_reflected_operands_compute_number_op_tensor():
    x = pyts.tensor([1.0, 2.0, 4.0])
    assert (2 - x).tolist() == [1.0, 0.0, -2.0]
    assert (2 / x).tolist() == [2.0, 1.0, 0.5]
    assert (2 ** x).tolist() == [2.0, 4.0, 16.0]
    assert (7 // x).tolist() == [7.0, 3.0, 1.0]
    assert (7 % x).tolist() == [0.0, 1.0, 3.0]
    i = pyts.tensor([1, 2, 3])
    assert (1 << i).tolist() == [2, 4, 8]
    assert (64 >> i).tolist() == [32, 16, 8]
    assert (2 - i).dtype == pyts.int64 and (2 / i).dtype == pyts.float32
    assert (2.5 - i).dtype == pyts.float32


@pytest.mark.parametrize("name", list(BITS))
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.bool_, np.float32])
def test_bitwise_operators(name, dtype):
    op = BITS[name]
    rng = np.random.default_rng(2)
    a = arr((3, 4), dtype, rng)
    b = arr((3, 4), dtype, rng, positive=True)
    both(lambda L, T: op(T(a), T(b)))
    both(lambda L, T: op(T(a), 3))
    both(lambda L, T: op(3, T(a)))
    both(lambda L, T: op(T(a), True))


@pytest.mark.parametrize("name", list(CMP))
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64, np.uint8, np.bool_])
def test_comparison_operators(name, dtype):
    op = CMP[name]
    rng = np.random.default_rng(3)
    a = arr((3, 4), dtype, rng)
    b = arr((4,), dtype, rng)
    both(lambda L, T: op(T(a), T(b)))
    both(lambda L, T: op(T(a), 1))
    both(lambda L, T: op(1, T(a)))
    both(lambda L, T: op(T(a), 1.5))


def test_comparisons_return_bool_tensors():
    x = pyts.tensor([1.0, 2.0, float("nan")])
    for r in (x == 2, x != 2, x < 2, x <= 2, x > 2, x >= 2, x == x):
        assert isinstance(r, pyts.Tensor) and r.dtype == pyts.bool
    assert (x == x).tolist() == [True, True, False]
    assert (x != x).tolist() == [False, False, True]


def test_comparison_with_non_numbers():
    x = pyts.tensor([1.0, 2.0])
    assert (x == None) is False  # noqa: E711 - the operator is under test
    assert (x != None) is True  # noqa: E711
    assert (x == "a") is False
    assert (x != "a") is True
    assert (x == [1.0, 2.0]) is False
    with pytest.raises(TypeError):
        x < "a"  # noqa: B015
    with pytest.raises(TypeError):
        x + "a"  # noqa: B018
    with pytest.raises(TypeError):
        None * x  # noqa: B018
    with pytest.raises(TypeError):
        x & None  # noqa: B018


def test_hash_is_identity():
    x = pyts.tensor([1.0, 2.0])
    y = pyts.tensor([1.0, 2.0])
    assert hash(x) == hash(x) and hash(x) != hash(y)
    d = {x: 1, y: 2}
    assert d[x] == 1 and d[y] == 2
    assert x in {x} and y not in {x}


# ---- unary operators -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_operators(dtype):
    rng = np.random.default_rng(4)
    a = arr((3, 4), dtype, rng)
    both(lambda L, T: -T(a))
    both(lambda L, T: abs(T(a)))
    both(lambda L, T: ~T(a))
    both(lambda L, T: +T(a))


def test_invert_float_is_type_error():
    with pytest.raises(TypeError):
        ~pyts.tensor([1.0])


# ---- in-place operators ----------------------------------------------------------------------
INPLACE = {
    "iadd": operator.iadd, "isub": operator.isub, "imul": operator.imul, "itruediv": operator.itruediv,
    "ifloordiv": operator.ifloordiv, "imod": operator.imod, "ipow": operator.ipow,
    "iand": operator.iand, "ior": operator.ior, "ixor": operator.ixor,
    "ilshift": operator.ilshift, "irshift": operator.irshift,
}


@pytest.mark.parametrize("name", list(INPLACE))
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("other", ["tensor", "int", "float"])
def test_inplace_operators(name, dtype, other):
    """x op= y writes into x (the same object) or raises as torch does (int tensor with a
    float result, bool with sub, float with bitwise ops, broadcast to a larger shape)."""
    op = INPLACE[name]
    rng = np.random.default_rng(5)
    a = arr((3, 4), dtype, rng, positive=True)
    b = arr((4,), dtype, rng, positive=True)
    rhs = {"tensor": lambda T: T(b), "int": lambda T: 2, "float": lambda T: 1.5}[other]

    def case(L, T):
        x = T(a.copy())
        r = op(x, rhs(T))
        return r is x, x
    both(case)


def test_inplace_keeps_identity_and_storage():
    x = pyts.tensor([1.0, 2.0, 3.0])
    y = x
    x += 1
    assert x is y and x.tolist() == [2.0, 3.0, 4.0]
    x *= pyts.tensor([2.0, 2.0, 2.0])
    assert x is y and y.tolist() == [4.0, 6.0, 8.0]


def test_inplace_int_with_float_result_raises():
    x = pyts.tensor([1, 2, 3])
    for f in (lambda: x.__iadd__(1.5), lambda: x.__itruediv__(2), lambda: x.sqrt_(),
              lambda: x.__imul__(pyts.tensor([0.5]))):
        with pytest.raises(RuntimeError, match="can't be cast"):
            f()
    assert x.tolist() == [1, 2, 3]


def test_inplace_broadcast_to_larger_shape_raises():
    x = pyts.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x += pyts.tensor([[1.0, 2.0], [3.0, 4.0]])


# ---- semantics spot checks -------------------------------------------------------------------
def test_integer_division_by_zero():
    x = pyts.tensor([1, 2, 3])
    for f in (lambda: x // 0, lambda: x % 0, lambda: pyts.fmod(x, 0),
              lambda: pyts.div(x, 0, rounding_mode="trunc"), lambda: pyts.div(x, 0, rounding_mode="floor")):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            f()
    assert (x / 0).tolist() == [float("inf")] * 3


def test_python_style_remainder_and_floor_division():
    a = pyts.tensor([-7, 7, -7, 7])
    b = pyts.tensor([2, 2, -2, -2])
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert pyts.fmod(a, b).tolist() == [-1, 1, -1, 1]
    assert (a // b).tolist() == [-4, 3, 3, -4]
    assert pyts.div(a, b, rounding_mode="trunc").tolist() == [-3, 3, 3, -3]


def test_round_half_to_even_and_nan_propagation():
    assert pyts.round(pyts.tensor([0.5, 1.5, 2.5, -0.5, -2.5])).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    nan = float("nan")
    r = pyts.maximum(pyts.tensor([nan, 1.0]), pyts.tensor([0.0, nan])).tolist()
    assert all(v != v for v in r)
    r = pyts.clamp(pyts.tensor([nan, 5.0, -5.0]), -1, 1).tolist()
    assert r[0] != r[0] and r[1:] == [1.0, -1.0]


def test_integer_pow_and_overflow_wrap():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        pyts.tensor([2, 3]) ** -1
    assert (pyts.tensor([2, 1, -1]) ** pyts.tensor([-1, -1, -1])).tolist() == [0, 1, -1]
    i8 = pyts.tensor([127, -128]).char()
    assert (i8 + 1).tolist() == [-128, -127]
    assert (-i8).tolist() == [-127, -128]


def test_gelu_forms():
    x = pyts.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
    tx = torch.tensor(x.tolist())
    # torch erf is a polynomial good to ~1e-6 relative; libm erff is closer to the true value
    np.testing.assert_allclose(pyts.gelu(x).detach().numpy(), torch.nn.functional.gelu(tx).detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(pyts.gelu(x, approximate="tanh").detach().numpy(),
                               torch.nn.functional.gelu(tx, approximate="tanh").numpy(), rtol=1e-6)


def test_default_dtype_drives_int_true_division():
    x = pyts.tensor([1, 2])
    assert (x / 2).dtype == pyts.float32
    pyts.set_default_dtype(pyts.float64)
    try:
        assert (x / 2).dtype == pyts.float64
        assert pyts.sqrt(x).dtype == pyts.float64
        assert (x + 0.5).dtype == pyts.float64
    finally:
        pyts.set_default_dtype(pyts.float32)


def test_numpy_scalars_are_numbers():
    x = pyts.tensor([1.0, 2.0])
    assert (x + np.float32(1)).tolist() == [2.0, 3.0]
    assert (x * np.int64(2)).dtype == pyts.float32
    assert (pyts.tensor([1, 2]) + np.int32(1)).dtype == pyts.int64


# ---- property test: broadcasting and promotion -------------------------------------------------
BINARY = {
    "add": lambda L: L.add, "sub": lambda L: L.sub, "mul": lambda L: L.mul, "div": lambda L: L.div,
    "floor_divide": lambda L: L.floor_divide, "remainder": lambda L: L.remainder,
    "maximum": lambda L: L.maximum, "eq": lambda L: L.eq, "lt": lambda L: L.lt,
    "bitwise_and": lambda L: L.bitwise_and, "pow": lambda L: L.pow, "where":
    lambda L: (lambda a, b: L.where(a > 0 if a.dtype != L.bool else a, a, b)),
}
NUMBER_OK = {"add", "sub", "mul", "div", "floor_divide", "remainder", "eq", "lt", "bitwise_and", "pow"}


@st.composite
def binary_case(draw):
    name = draw(st.sampled_from(sorted(BINARY)))
    shapes = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    da = draw(st.sampled_from(DTYPES))
    db = draw(st.sampled_from(DTYPES))
    # the second operand: a tensor (dimensioned or 0-dim) or a Python number
    kind = draw(st.sampled_from(["tensor", "tensor", "zerodim", "int", "float", "bool"]))
    if kind in ("int", "float", "bool") and name not in NUMBER_OK:
        kind = "tensor"
    seed = draw(st.integers(0, 2**31 - 1))
    noncontig = draw(st.booleans())
    return name, shapes.input_shapes, da, db, kind, seed, noncontig


@given(binary_case())
def test_binary_broadcast_and_promotion(case):
    name, (sa, sb), da, db, kind, seed, nc = case
    rng = np.random.default_rng(seed)
    positive = name in ("floor_divide", "remainder")
    a = arr(sa, da, rng)
    if nc and a.ndim:
        a = oracle.noncontig(a)
    if kind == "tensor":
        b = arr(sb, db, rng, positive)
    elif kind == "zerodim":
        b = arr((), db, rng, positive)
    else:
        b = {"int": 3, "float": 1.5, "bool": True}[kind]

    def f(L, T):
        rhs = T(b) if isinstance(b, np.ndarray) else b
        return BINARY[name](L)(T(a), rhs)
    # the reduced float types differ from torch in the last bit of a few results (torch rounds
    # some intermediates to float16), within the harness's float16 tolerance
    oracle.run_case(f, rtol=1e-4, atol=1e-5)
