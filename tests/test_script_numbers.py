"""Numbers in scripted code against torch.jit.script (issue 5): min()/max() of numbers (Scalar,
e.g. x.item()) and of lists as prim::min/max, the tensor casts x.int() ... as aten::to, the math
module and pow()/hash(), and the exceptions builtins raise at run time. Each case is compiled by
pyts and torch from the same source and run on many arguments (0, negative, inf, nan where torch
defines them): the same results of the same Python types (floats compared exactly), or the same
exception class; the same graph op kinds; and pyts's `.code` compiled by torch gives them too."""
import math
import re

import numpy as np
import pytest
import torch

import pyts
from script_diff import define, outcome, same_outcomes, script_both

INF, NAN = float("inf"), float("nan")
I64_MAX, I64_MIN = 2**63 - 1, -2**63


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "numbers", math=math)[name]


def kinds(graph):
    """the op kinds of a graph, constants left out (each library places those its own way)"""
    return sorted(k for k in re.findall(r"= ((?:aten|prim)::\w+)", str(graph)) if k != "prim::Constant")


def check(tmp_path, name, src, calls, same_kinds=True):
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)
    same_outcomes(fp, ft, recompiled, name, calls, outcome)
    if same_kinds:
        assert kinds(fp.graph) == kinds(ft.graph), (name, str(fp.graph), str(ft.graph))
    return fp, ft


# ---- 1. min() / max() of numbers and lists ----
NUM_VALUES = [3, -2, 0, 7, I64_MAX, I64_MIN, 2.5, -0.0, 0.0, -1.5, INF, -INF, NAN]
NUM_PAIRS = [(a, b) for a in NUM_VALUES for b in NUM_VALUES[::2]]

MINMAX = {
    # x.item() of int64 and float64 tensors: a number (Scalar) that is an int or a float at run time
    "minmax_items": ("def minmax_items(x, y):\n    a = x.item()\n    b = y.item()\n"
                     "    return min(a, b), max(a, b), min(b, a), max(b, a)\n",
                     [(np.array(a), np.array(b)) for a, b in NUM_PAIRS]),
    "minmax_item_const": ("def minmax_item_const(x):\n    a = x.item()\n"
                          "    return min(a, 2), max(a, 1.5), min(3, a), max(-0.5, a), min(a, a)\n",
                          [(np.array(a),) for a in NUM_VALUES]),
    "minmax_item_typed": ("def minmax_item_typed(x, i: int, f: float):\n    a = x.item()\n"
                          "    return min(a, i), max(f, a), min(i, f), max(f, i), min(f, f), max(i, i)\n",
                          [(np.array(a), int(b) if isinstance(b, int) else 1, float(b)) for a, b in NUM_PAIRS]),
    "minmax_lists": ("def minmax_lists(l: List[int], r: List[int], fl: List[float], fr: List[float], "
                     "bl: List[bool], br: List[bool]):\n"
                     "    return min(l, r), max(l, r), min(fl, fr), max(fl, fr), min(bl, br), max(bl, br)\n",
                     [([1, 2, 3], [1, 2], [NAN], [1.0], [True], [False, True]),
                      ([3], [1, 5], [1.0, NAN], [1.0, 2.0], [], [True]),
                      ([], [], [], [], [], []), ([1, 2], [1, 2], [-0.0], [0.0], [False], [False, False]),
                      ([5, -1], [5, 2, 0], [2.0, INF], [2.0, -INF], [True, True], [True])]),
    "minmax_self": ("def minmax_self(b: List[bool], i: List[int], f: List[float]):\n"
                    "    return min(b), max(b), min(i), max(i), min(f), max(f)\n",
                    [([True, False], [3, -1], [NAN, 1.0]), ([True], [0], [1.0, NAN]), ([], [1], [1.0]),
                     ([False], [], [2.0]), ([True], [1], [])]),
}


@pytest.mark.parametrize("name", sorted(MINMAX))
def test_min_max(tmp_path, name):
    src, calls = MINMAX[name]
    check(tmp_path, name, src, calls)


def test_min_of_a_bool_item_raises_as_torch(tmp_path):
    """item() of a bool tensor is a bool, which torch's Scalar kernels refuse (RuntimeError)"""
    src = "def minbool(x, y):\n    return min(x.item(), y.item())\n"
    check(tmp_path, "minbool", src, [(np.array(True), np.array(2)), (np.array(2.5), np.array(False))])


# ---- 2. tensor casts: x.int() ... as aten::to(x, dtype, False, False, None) ----
CASTS = ["byte", "char", "short", "int", "long", "half", "float", "double"]
CAST_INPUTS = [np.array([1.7, -2.5, 0.0, 300.0], dtype=np.float32), np.array([[3, -4], [0, 7]], dtype=np.int64),
               np.array(2.5), np.zeros((0, 3), dtype=np.float64), np.array([True, False])]


@pytest.mark.parametrize("cast", CASTS)
def test_tensor_casts(tmp_path, cast):
    name = f"cast_{cast}"
    src = f"def {name}(x):\n    y = x.{cast}()\n    return y, y.{cast}()\n"
    fp, ft = check(tmp_path, name, src, [(a,) for a in CAST_INPUTS])
    assert fp.code == ft.code
    for a in CAST_INPUTS:
        assert fp(pyts.tensor(a))[0].dtype == getattr(pyts, str(ft(torch.tensor(a))[0].dtype).split(".")[1])


def test_tensor_casts_torch_refuses(tmp_path):
    """x.bool() and x.bfloat16() are not methods in torch's script; pyts lowers them as the others,
    and the printed torch.to(x, 11) / torch.to(x, 15) compiles in torch"""
    from test_print_code import torch_compile_code
    src = "def casts2(x):\n    return x.bool(), x.bfloat16()\n"
    with pytest.raises(RuntimeError, match="bool"):
        torch.jit.script(_define(tmp_path, "casts2", src, torch))
    fp = pyts.jit.script(_define(tmp_path, "casts2", src, pyts))
    assert "torch.to(x, 11)" in fp.code and "torch.to(x, 15)" in fp.code
    assert kinds(fp.graph) == ["aten::to", "aten::to", "prim::TupleConstruct"]
    like = torch.jit.script(define(tmp_path, "casts2_like", "def casts2(x):\n    return x.int(), x.int()\n", torch,
                                   "numbers")["casts2"])
    rt = torch_compile_code(fp.code, "casts2", like)
    for a in CAST_INPUTS:
        got, want = fp(pyts.tensor(a)), rt(torch.tensor(a))
        for g, w in zip(got, want):
            assert str(g.dtype).split(".")[1] == str(w.dtype).split(".")[1]
            np.testing.assert_array_equal(g.float().detach().numpy(), w.float().detach().numpy())


def test_tensor_casts_take_no_arguments(tmp_path):
    src = "def castarg(x):\n    return x.int(2)\n"
    with pytest.raises(pyts.jit.CompileError, match="takes no arguments"):
        pyts.jit.script(_define(tmp_path, "castarg", src, pyts))


@pytest.mark.parametrize("cast", CASTS + ["bool", "bfloat16"])
def test_tensor_casts_eager_and_traced(cast):
    """the same methods in Python, and under tracing (aten::to recorded, as torch records it)"""
    a = np.array([[1.5, -2.0], [0.0, 3.25]], dtype=np.float32)
    got, want = getattr(pyts.tensor(a), cast)(), getattr(torch.tensor(a), cast)()
    assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
    np.testing.assert_array_equal(got.float().detach().numpy(), want.float().detach().numpy())

    def f(x):
        return getattr(x * 2, cast)() + 1

    # no trace check: torch's converts outputs to NumPy, which has no bfloat16
    tp, tt = pyts.jit.trace(f, pyts.tensor(a), check_trace=False), torch.jit.trace(f, torch.tensor(a), check_trace=False)
    assert kinds(tp.graph) == kinds(tt.graph)
    np.testing.assert_array_equal(tp(pyts.tensor(a)).float().detach().numpy(), tt(torch.tensor(a)).float().detach().numpy())


# ---- 3. math.*, pow() and hash() ----
INTS = [0, 1, -1, 3, 10, -7, 25, 2**40, I64_MAX, I64_MIN]
FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, 2.5, -3.75, 1e-300, 1e300, -1e300, 710.0, INF, -INF, NAN]
MATH1 = ["erf", "erfc", "exp", "expm1", "fabs", "gamma", "lgamma", "log", "log10", "log1p", "sqrt", "asinh",
         "atanh", "cosh", "sinh", "tanh", "acos", "asin", "atan", "cos", "sin", "tan", "acosh", "degrees",
         "radians", "ceil", "floor"]
MATH2 = ["copysign", "pow", "atan2", "fmod", "remainder", "log"]


def _unary_calls():
    """(an int, a float, a tensor whose item() is an int or a float) over the edge values"""
    calls = []
    for k, f in enumerate(FLOATS):
        i = INTS[k % len(INTS)]
        calls.append((i, f, np.array(f)))
        calls.append((i, f, np.array(i)))
    return calls


def _binary_calls():
    calls = []
    for k, (f, g) in enumerate([(a, b) for a in FLOATS[::2] for b in FLOATS[1::2]]):
        i, j = INTS[k % len(INTS)], INTS[(3 * k + 1) % len(INTS)]
        calls.append((i, j, f, g, np.array(f), np.array(j)))
    return calls


@pytest.mark.parametrize("fn", MATH1)
def test_math_unary(tmp_path, fn):
    # math.ceil/floor of an int beyond the float range: torch's floor.float would overflow
    name = f"m1_{fn}"
    src = f"def {name}(i: int, f: float, x):\n    n = x.item()\n    return math.{fn}(i), math.{fn}(f), math.{fn}(n)\n"
    calls = _unary_calls()
    if fn in ("ceil", "floor"):
        calls = [c for c in calls if math.isfinite(c[1]) and abs(c[1]) < 1e18]
    check(tmp_path, name, src, calls)


@pytest.mark.parametrize("fn", MATH2)
def test_math_binary(tmp_path, fn):
    name = f"m2_{fn}"
    src = (f"def {name}(i: int, j: int, f: float, g: float, x, y):\n    n = x.item()\n    m = y.item()\n"
           f"    return math.{fn}(i, j), math.{fn}(f, g), math.{fn}(i, g), math.{fn}(f, j), math.{fn}(n, m), "
           f"math.{fn}(m, n)\n")
    calls = _binary_calls()
    if fn == "pow":
        # pow.int raises on 0 ** negative (as torch), and int ** int overflows torch's own checks
        calls = [c for c in calls if c[0] != 0 and c[1] >= 0 and abs(c[1]) < 64]
    check(tmp_path, name, src, calls)


def test_math_other(tmp_path):
    src = ("def m_other(f: float, i: int, j: int):\n"
           "    return math.modf(f), math.frexp(f), math.ldexp(f, i), math.gcd(i, j), math.isnan(f), "
           "math.isinf(f), math.isfinite(f), math.pi, math.e, math.inf, math.tau\n")
    # not gcd(-1, I64_MIN): torch computes I64_MIN % -1, which traps (pyts gives 1)
    calls = [(f, i, j) for f in FLOATS for i, j in [(3, 6), (-12, 18), (0, 0), (2**40, -1), (I64_MIN, 0),
                                                     (7, 2**32 + 3), (1030, 5)]]
    check(tmp_path, "m_other", src, calls)


def test_math_factorial(tmp_path):
    src = "def m_fact(i: int):\n    return math.factorial(i)\n"
    # from 66 on the int64 product is 0 (64 factors of two); torch gives other values there, from
    # signed overflow its compiler is free to treat as it likes (it gives 1 for I64_MIN): not compared
    check(tmp_path, "m_fact", src, [(i,) for i in (0, 1, 5, 20, 21, 25, 64, 65, -1, -2, -100)])


def test_pow_builtin(tmp_path):
    src = ("def p_builtin(a: int, b: int, c: float, x):\n    n = x.item()\n"
           "    return pow(a, b), pow(c, a), pow(a, c), pow(n, a), pow(c, c), pow(x, 2), pow(n, c)\n")
    calls = [(a, b, c, np.array(v)) for a, b, c, v in [(2, 3, 1.5, 2.5), (2, -1, 0.0, 3), (-3, 3, -0.5, -2),
                                                       (0, 0, INF, NAN), (10, 20, NAN, 0), (3, 40, -INF, 1e300)]]
    check(tmp_path, "p_builtin", src, calls)


def test_hash_builtin(tmp_path):
    """torch's hash is C++'s std::hash (libstdc++): ints themselves, floats and strs by their bytes"""
    src = ("def h_builtin(a: int, b: float, s: str, t: bool, p: Tuple[int, str]):\n"
           "    return hash(a), hash(b), hash(s), hash(t), hash(p), hash(None)\n")
    calls = [(a, b, s, t, (a, s)) for a, b, s, t in [(5, 1.5, "abc", True), (-1, 0.0, "", False),
                                                        (2**62, -2.5, "hello world!", True), (I64_MIN, -0.0, "é", False),
                                                        (0, NAN, "12345678", True), (7, INF, "123456789", False)]]
    check(tmp_path, "h_builtin", src, calls)


def test_hash_of_a_tensor_is_its_identity(tmp_path):
    src = "def h_tensor(x, y):\n    return hash(x) == hash(x), hash(x) == hash(y)\n"
    for lib in (pyts, torch):
        f = lib.jit.script(_define(tmp_path, "h_tensor", src, lib))
        assert f(lib.ones(2), lib.ones(2)) == (True, False)


# ---- 4. run-time errors of builtins: torch's exception class (RuntimeError) and message ----
ERRORS = {
    "e_list_get": ("def e_list_get(xs: List[int], i: int):\n    return xs[i]\n", [([1, 2], 5), ([1, 2], -3), ([], 0)]),
    "e_list_set": ("def e_list_set(xs: List[int], i: int):\n    xs[i] = 3\n    return xs\n", [([1, 2], 2), ([1], -2)]),
    "e_list_pop": ("def e_list_pop(xs: List[int], i: int):\n    return xs.pop(i)\n", [([1], 4), ([1], -2)]),
    "e_list_pop_empty": ("def e_list_pop_empty(xs: List[float]):\n    return xs.pop()\n", [([],)]),
    "e_list_del": ("def e_list_del(xs: List[int], i: int):\n    del xs[i]\n    return xs\n", [([1], 7), ([], 0)]),
    "e_list_index": ("def e_list_index(xs: List[int]):\n    return xs.index(9)\n", [([1],)]),
    "e_list_remove": ("def e_list_remove(xs: List[int]):\n    xs.remove(9)\n    return xs\n", [([1],)]),
    "e_list_unpack": ("def e_list_unpack(xs: List[int]):\n    a, b = xs\n    return a + b\n",
                      [([1, 2, 3],), ([1],), ([],)]),
    "e_min_empty": ("def e_min_empty(xs: List[int]):\n    return min(xs)\n", [([],)]),
    "e_str_get": ("def e_str_get(s: str, i: int):\n    return s[i]\n", [("ab", 5), ("ab", -5), ("", 0)]),
    "e_str_index": ("def e_str_index(s: str):\n    return s.index('z')\n", [("ab",)]),
    "e_dict_get": ("def e_dict_get(d: Dict[str, int], k: str):\n    return d[k]\n", [({"a": 1}, "b")]),
    "e_dict_int": ("def e_dict_int(d: Dict[int, float], k: int):\n    return d[k]\n", [({1: 1.0}, -2)]),
    "e_dict_pop": ("def e_dict_pop(d: Dict[str, int], k: str):\n    return d.pop(k)\n", [({}, "x")]),
    "e_dict_del": ("def e_dict_del(d: Dict[str, int], k: str):\n    del d[k]\n    return d\n", [({"a": 1}, "b")]),
    "e_int_str": ("def e_int_str(s: str):\n    return int(s)\n", [("x",), ("",), ("1.5",)]),
    "e_float_str": ("def e_float_str(s: str):\n    return float(s)\n", [("x",), ("",)]),
    "e_floordiv_zero": ("def e_floordiv_zero(a: int, b: int):\n    return a // b\n", [(1, 0), (-7, 0)]),
    "e_pow_zero": ("def e_pow_zero(a: int, b: int, f: float):\n    return a ** b, f ** b\n", [(0, -1, 1.0), (2, -1, 0.0)]),
    "e_factorial": ("def e_factorial(i: int):\n    return math.factorial(i)\n", [(-3,)]),
    "e_chr": ("def e_chr(i: int):\n    return chr(i)\n", [(-1,), (0x110000,)]),
    "e_slice_step": ("def e_slice_step(xs: List[int]):\n    return xs[::0]\n", [([1],)]),
    # no error: int overflow wraps, float division by zero is inf (and int / int too), as torch
    "e_no_error": ("def e_no_error(a: int, f: float, b: int):\n"
                   "    return a * a + a, f / 0.0, a / b, -f / 0.0, f // 0.0, f % 0.0\n",
                   [(2**62, 1.0, 0), (-2**63, -2.5, 0), (3, 0.0, 0)]),
}


def _message(e):
    """the error's own line: torch's message is a traceback ending in 'RuntimeError: <message>'"""
    last = str(e).strip().splitlines()[-1]
    return last[len("RuntimeError: "):] if last.startswith("RuntimeError: ") else last


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_runtime_errors(tmp_path, name):
    src, calls = ERRORS[name]
    fp, ft = check(tmp_path, name, src, calls, same_kinds=False)
    import copy
    for args in calls:
        try:
            ft(*copy.deepcopy(args))
        except Exception as te:   # noqa: BLE001
            assert type(te) is RuntimeError, (name, args, type(te))
            with pytest.raises(RuntimeError) as pe:
                fp(*copy.deepcopy(args))
            assert type(pe.value) is RuntimeError and _message(pe.value) == _message(te), (name, args)
