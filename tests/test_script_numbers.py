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
            np.testing.assert_array_equal(g.float().numpy(), w.float().numpy())


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
    np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())

    def f(x):
        return getattr(x * 2, cast)() + 1

    # no trace check: torch's converts outputs to NumPy, which has no bfloat16
    tp, tt = pyts.jit.trace(f, pyts.tensor(a), check_trace=False), torch.jit.trace(f, torch.tensor(a), check_trace=False)
    assert kinds(tp.graph) == kinds(tt.graph)
    np.testing.assert_array_equal(tp(pyts.tensor(a)).float().numpy(), tt(torch.tensor(a)).float().numpy())
