"""Language features of the script compiler beyond test_script.LANG (issue 5): list/str/tuple
slices, list operators, list(), `in` on tuples, empty list literals typed by schemas, returns
inside loops, isinstance refinement, `# type:` comments, Optional narrowing on assignment. Every
case is compiled by pyts.jit.script and torch.jit.script from the same source and run on several
inputs (same results, or the same exception class); pyts's `.code` must compile in torch and
give the same results, and equal torch's `.code` where both build the same graph."""

import numpy as np
import pytest
import torch

import pyts
from pyts.jit import CompileError
from test_print_code import torch_compile_code
from script_diff import script_both, NAMES, as_pyts as _as_pyts, define, outcome, same_outcomes, same_value as _same_value, to_lib  # noqa: F401

# name: (source of def <name>, calls, printed code equal to torch's)
CASES = {
    "list_slice": ("def list_slice(xs: List[int], a: int, b: Optional[int], s: int) -> List[List[int]]:\n"
                   "    return [xs[1:], xs[:-1], xs[::2], xs[a:b], xs[a:b:s], xs[::-1], xs[-100:100], xs[:]]\n",
                   [([1, 2, 3, 4, 5], 1, 4, 1), ([1, 2, 3, 4, 5], -2, None, -1), ([], 0, 3, 2),
                    ([7, 8, 9], 5, -7, -2), ([1, 2], 0, None, 0)], True),
    "str_slice": ("def str_slice(s: str, a: int, b: int) -> List[str]:\n"
                  "    return [s[1:], s[:-1], s[::2], s[a:b], s[::-1], s[b:a:-1]]\n",
                  [("abcdef", 1, 4), ("", 0, 2), ("xy", -5, 10)], True),
    "tensor_list_slice": ("def tensor_list_slice(ts: List[Tensor]) -> Tensor:\n    t = ts[1:]\n    return t[0] + ts[-1:][0]\n",
                          [([np.array([1.0]), np.array([2.0, 3.0])],)], True),
    "tuple_slice": ("def tuple_slice(x: Tuple[int, str, float]) -> Tuple[Tuple[int, str], Tuple[float, int], Tuple[()], Tuple[str, float]]:\n"
                    "    return x[:2], x[::-2], x[5:], x[-2:]\n", [((1, "a", 2.5),)], False),
    "tuple_slice_extremes": ("def tuple_slice_extremes(x: Tuple[int, int, int]) -> Tuple[Tuple[int], Tuple[int], Tuple[int, int, int]]:\n"
                             "    return x[::9223372036854775807], x[::-9223372036854775807], x[-9223372036854775807:9223372036854775807]\n",
                             [((1, 2, 3),)], False),
    "list_ops": ("def list_ops(xs: List[int], n: int) -> Tuple[List[int], List[int], List[int], List[int], List[int]]:\n"
                 "    ys = xs + [1]\n    xs += [2]\n    zs = list(xs)\n    zs.append(7)\n"
                 "    ws = [n] * 2\n    ws *= 2\n    return ys, zs, xs * n, n * xs, ws\n",
                 [([1, 2], 2), ([], 0), ([3], 1)], True),
    # (ys += xs with ys aliasing xs reads freed memory in torch: not compared)
    "list_aliasing": ("def list_aliasing(xs: List[int]) -> Tuple[List[int], List[int]]:\n"
                      "    ys = xs\n    ys += [3]\n    zs = list(ys)\n    zs += [0]\n    return xs, zs\n",
                      [([1, 2],), ([],)], True),
    "list_of_range": ("def list_of_range(n: int, m: int) -> Tuple[List[int], List[int], List[Tuple[int, str]]]:\n"
                      "    return list(range(n)), list(range(m, n, 2)), list(zip(range(n), ['a', 'b']))\n",
                      [(3, 0), (0, 5), (7, -3)], False),
    "list_str_tensor_add": ("def list_str_tensor_add(a: List[str], x) -> Tuple[List[str], int]:\n"
                            "    ts = [x] + [x * 2]\n    return a + ['z'], len(ts)\n",
                            [(["p"], np.array([1.0]))], True),
    "tuple_in": ("def tuple_in(x: str, y: int) -> Tuple[bool, bool, bool, bool]:\n"
                 "    t = (1, 2, 3)\n    return x in ('a', 'b'), y in (1, 2), y not in (3, 4), y in t\n",
                 [("a", 1), ("c", 3), ("b", 5)], True),
    "empty_int_list_args": ("def empty_int_list_args(x) -> Tuple[Tensor, Tensor, Tensor, Tensor]:\n"
                            "    return torch.zeros([]), torch.ones([]), x.view([]), x.sum([])\n",
                            [(np.array([2.0]),)], True),
    # Optional narrowing: a plain assignment makes the variable the value's type until a join;
    # `y: T = v` keeps it a T (loops carry it as T)
    "narrow_embedding": ("def narrow_embedding(x, padding_idx: Optional[int] = None) -> int:\n"
                         "    if padding_idx is not None:\n        if padding_idx < 0:\n"
                         "            padding_idx = x.size(0) + padding_idx\n    else:\n        padding_idx = -1\n"
                         "    return padding_idx + 1\n",
                         [(np.ones(3), None), (np.ones(3), -1), (np.ones(3), 1)], True),
    "narrow_after_if": ("def narrow_after_if(n: int) -> int:\n    y: Optional[int] = None\n    if n > 0:\n        y = n\n"
                        "    if y is None:\n        y = 0\n    return y + 1\n", [(3,), (-1,)], False),
    "narrow_loops": ("def narrow_loops(n: int) -> Tuple[int, Optional[int], Optional[int]]:\n"
                     "    y: Optional[int] = None\n    y = 3\n    for i in range(n):\n        y = y + i\n"
                     "    z: Optional[int] = 3\n    for i in range(n):\n        z = None\n"
                     "    w: Optional[int] = None\n    for i in range(n):\n        w = i\n    return y, z, w\n",
                     [(3,), (0,)], False),
    # returns inside loops: hidden "returned" flag and value, a break, `if returned: return value`
    "ret_for": ("def ret_for(x, n: int):\n    for i in range(n):\n        if i == 2:\n            return x + i\n"
                "    return x\n", [(np.ones(2), 5), (np.ones(2), 1)], False),
    "ret_while_break_continue": ("def ret_while_break_continue(x, n: int):\n    i = 0\n    while i < n:\n        i += 1\n"
                                 "        if i > 3:\n            break\n        if i == 2:\n            continue\n"
                                 "        x = x + 1\n        if float(x.sum()) > 10:\n            return x * 2\n    return x\n",
                                 [(np.ones(2), 10), (np.full(2, 4.0), 10), (np.ones(2), 1)], False),
    "ret_for_list": ("def ret_for_list(xs: List[int]):\n    for v in xs:\n        return v\n    return -1\n",
                     [([4, 5],), ([],)], False),
    "ret_nested": ("def ret_nested(xs: List[List[int]], t: int) -> Tuple[int, int]:\n    s = 0\n"
                   "    for i, row in enumerate(xs):\n        for v in row:\n            s += v\n"
                   "            if v == t:\n                return i, s\n        s -= 1\n    return -1, s\n",
                   [([[1, 2], [3, 4]], 3), ([[1, 2], [3, 4]], 9), ([], 0)], False),
    "ret_optional": ("def ret_optional(xs: List[int], t: int):\n    n = len(xs)\n    while n > 0:\n        n -= 1\n"
                     "        if xs[n] == t:\n            return n\n    return None\n",
                     [([1, 2, 1], 1), ([1], 5)], False),
    "ret_in_branch_loop": ("def ret_in_branch_loop(x, c: bool, n: int) -> Tensor:\n    if c:\n        for i in range(n):\n"
                           "            x = x * 2\n            if i == 1:\n                return x\n        x = x + 1\n"
                           "    return x - 1\n", [(np.ones(1), True, 5), (np.ones(1), True, 1), (np.ones(1), False, 5)], False),
    "ret_none_in_loop": ("def ret_none_in_loop(xs: List[int]):\n    for v in xs:\n        if v < 0:\n            return\n"
                         "        print(v)\n", [([1, -1, 2],), ([],)], False),
    # isinstance on Optional values: `x is not None` / `x is None`, refining x as those do
    "isinstance_optional": ("def isinstance_optional(x: Optional[List[int]], y: Union[int, None], z: Optional[str]) -> int:\n"
                            "    r = 0\n    if x is None or not isinstance(x, list):\n        r += 1\n    else:\n"
                            "        r += len(x)\n    if torch.jit.isinstance(y, int) and y > 2:\n        r += y\n"
                            "    if isinstance(z, (int, str)):\n        r += len(z)\n    if isinstance(y, float):\n"
                            "        r -= 100\n    return r\n",
                            [([1, 2], 5, "ab"), (None, None, None), ([], 1, "")], False),
    "assert_refines": ("def assert_refines(x: Optional[int], y: Optional[Tensor]) -> Tensor:\n"
                       "    assert x is not None\n    assert isinstance(y, Tensor), 'need y'\n    return y + x\n",
                       [(2, np.ones(2)), (None, np.ones(1)), (1, None)], False),
}

ERRORS = {
    # torch: if-expression branches must have one type (no union of bool and Tensor)
    "ifexp_bool_tensor": ("def ifexp_bool_tensor(x, c: bool):\n    return x if c else False\n",
                          "if-expression's true branch has type Tensor"),
    "ifexp_int_float": ("def ifexp_int_float(c: bool):\n    return 1 if c else 2.0\n",
                        "if-expression's true branch has type int but false branch has type float"),
    # a `[]` bound to a variable is a List[Tensor]: not an int[] argument any more
    "empty_list_variable": ("def empty_list_variable():\n    xs = []\n    return torch.zeros(xs)\n",
                            "Expected a value of type 'List[int]' for argument 'size' but instead found type 'List[Tensor]'"),
    "list_add_types": ("def list_add_types(a: List[int], b: List[float]):\n    return a + b\n", None),
    "list_slice_step_type": ("def list_slice_step_type(a: List[int]):\n    return a[::1.5]\n", None),
    # an annotated variable stays Optional in a loop: no int arithmetic on it
    "narrow_annotated_loop": ("def narrow_annotated_loop(n: int):\n    y: Optional[int] = 3\n    while n > 0:\n"
                              "        n -= 1\n        y = y + 1\n    return y\n", "Arguments for call are not valid"),
    "ret_loop_types": ("def ret_loop_types(xs: List[int]):\n    for v in xs:\n        if v > 0:\n            return v\n"
                       "        return 'a'\n    return 0\n", "Previous return statement returned a value of type int"),
    "tuple_slice_dynamic": ("def tuple_slice_dynamic(a: Tuple[int, int], i: int):\n    return a[i:]\n", None),
}


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "lang2")[name]


def _arg(lib, a):
    return to_lib(lib, a, np.float32)


def _outcome(f, lib, args):
    return outcome(f, lib, args, np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)   # recompiled: pyts's .code in torch
    same_outcomes(fp, ft, recompiled, name, calls, _outcome)
    if same_code:
        assert fp.code == ft.code


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejected_like_torch(tmp_path, name):
    src, msg = ERRORS[name]
    with pytest.raises(RuntimeError) as te:
        torch.jit.script(_define(tmp_path, name, src, torch))
    with pytest.raises(CompileError) as pe:
        pyts.jit.script(_define(tmp_path, name, src, pyts))
    if msg:
        assert msg in str(te.value) and msg in str(pe.value)
    assert f"{name}_pyts.py" in str(pe.value) and "^" in str(pe.value)
