"""TorchScript's builtin ops on lists, dicts, strings, numbers and tensors (issue 5): list methods
and `del`, str comparisons and methods, ord/chr/hex/oct/bin, int()/float() of str, math.isfinite,
tensor item() and attributes. Each case is compiled by pyts.jit.script and torch.jit.script from
the same source and run on several inputs: same results and result types, or the same exception
class; pyts's `.code` must compile in torch (as archive code) and give the same results, and
equal torch's `.code` where both build the same graph."""
import math

import numpy as np
import pytest
import torch

import pyts
from test_print_code import torch_compile_code
from script_diff import script_both, NAMES, as_pyts as _as_pyts, define, outcome, same_outcomes, same_value as _same_value, to_lib  # noqa: F401

# name: (source of def <name>, calls, printed code equal to torch's). Mutating methods return the
# list they changed, so the mutation itself is compared.
CASES = {
    "list_insert": ("def list_insert(a: List[int], i: int, v: int) -> List[int]:\n    a.insert(i, v)\n    return a\n",
                    [([1, 2, 3], 1, 9), ([1, 2], 99, 5), ([1, 2], -99, 5), ([1, 2], -1, 7), ([], 0, 1),
                     ([4, 5], 2, 6)], True),
    "list_insert_str": ("def list_insert_str(a: List[str]) -> List[str]:\n    a.insert(0, 'z')\n    return a\n",
                        [(["a"],), ([],)], True),
    "list_index": ("def list_index(a: List[int], v: int) -> int:\n    return a.index(v)\n",
                   [([1, 2, 3, 2], 2), ([1, 2], 99), ([], 0)], True),
    "list_index_types": ("def list_index_types(a: List[float], b: List[str], c: List[bool]) -> Tuple[int, int, int]:\n"
                         "    return a.index(2.5), b.index('y'), c.index(True)\n",
                         [([1.0, 2.5], ["x", "y"], [False, True]), ([2.5], ["z"], [True]), ([0.5], ["y"], [True])], True),
    "list_count": ("def list_count(a: List[int], b: List[float], c: List[str], d: List[bool]) -> Tuple[int, int, int, int]:\n"
                   "    return a.count(2), b.count(0.5), c.count('a'), d.count(False)\n",
                   [([1, 2, 2], [0.5, 1.0, 0.5], ["a", "b", "a", "a"], [True, False]), ([], [], [], [])], True),
    "list_remove": ("def list_remove(a: List[int], v: int) -> List[int]:\n    a.remove(v)\n    return a\n",
                    [([1, 2, 3, 2], 2), ([1], 1), ([1, 2], 99), ([], 0)], True),
    "list_remove_str": ("def list_remove_str(a: List[str], b: List[float], c: List[bool]) -> Tuple[List[str], List[float], List[bool]]:\n"
                        "    a.remove('b')\n    b.remove(1.5)\n    c.remove(True)\n    return a, b, c\n",
                        [(["a", "b", "b"], [1.5, 2.0], [False, True]), (["a"], [1.5], [True])], True),
    "list_sort": ("def list_sort(a: List[int], b: List[float], c: List[str], d: List[bool]) -> Tuple[List[int], List[float], List[str], List[bool]]:\n"
                  "    a.sort()\n    b.sort()\n    c.sort()\n    d.sort()\n    return a, b, c, d\n",
                  [([3, 1, 2, -5], [2.5, -1.0, 0.0], ["b", "a", "ab", "B", ""], [True, False, True]), ([], [], [], [])], True),
    "list_sort_reverse": ("def list_sort_reverse(a: List[int], c: List[str], r: bool) -> Tuple[List[int], List[str]]:\n"
                          "    a.sort(reverse=True)\n    c.sort(reverse=r)\n    return a, c\n",
                          [([3, 1, 2, 3], ["b", "a", "c"], True), ([1], ["x", "a"], False)], True),
    "list_reverse_clear": ("def list_reverse_clear(a: List[int], b: List[str]) -> Tuple[List[int], List[str], int]:\n"
                           "    a.reverse()\n    c = a.copy()\n    b.clear()\n    a.clear()\n    return c, b, len(a)\n",
                           [([1, 2, 3], ["x"]), ([], [])], True),
    "list_extend_copy": ("def list_extend_copy(a: List[int], b: List[int]) -> Tuple[List[int], List[int]]:\n"
                         "    c = a.copy()\n    c.append(0)\n    a.extend(b)\n    a.extend(a)\n    return a, c\n",
                         [([1], [2, 3]), ([], [])], True),
    "list_tensor_methods": ("def list_tensor_methods(x) -> Tuple[int, Tensor]:\n"
                            "    ts = [x, x + 1]\n    ts.insert(0, x * 2)\n    ts.reverse()\n    us = ts.copy()\n"
                            "    ts.clear()\n    return len(ts), us[0] + us[2]\n",
                            [(np.array([1.0, 2.0]),)], True),
    "del_list": ("def del_list(a: List[int], i: int) -> List[int]:\n    del a[i]\n    return a\n",
                 [([1, 2, 3], 0), ([1, 2, 3], -1), ([1, 2], 5), ([1, 2], -3), ([], 0)], True),
    "del_dict": ("def del_dict(d: Dict[str, int], k: str) -> Dict[str, int]:\n    del d[k]\n    return d\n",
                 [({"a": 1, "b": 2, "c": 3}, "b"), ({"a": 1}, "x"), ({}, "a")], True),
    "del_dict_int": ("def del_dict_int(d: Dict[int, str], k: int) -> Dict[int, str]:\n    del d[k]\n    d[7] = 'n'\n    return d\n",
                     [({1: "a", 2: "b"}, 1), ({1: "a"}, 3)], True),
    "dict_clear_copy": ("def dict_clear_copy(d: Dict[str, int]) -> Tuple[Dict[str, int], Dict[str, int]]:\n"
                        "    e = d.copy()\n    d.clear()\n    d['z'] = 1\n    e['y'] = 2\n    return d, e\n",
                        [({"a": 1, "b": 2},), ({},)], True),
}

STRS = ["", "a", "Hello World", "HeLLo wORLD", "abc123", "  x y  ", "12", "\t\n", "ABC", "a_b-c.d", "x,y,,z",
        "one\ntwo\r\nthree", "a\tbc\td", "Title Case", "1st place"]
STR_CASES = {
    "str_compare": ("def str_compare(a: str, b: str) -> List[bool]:\n"
                    "    return [a < b, a <= b, a > b, a >= b, a == b, a != b]\n",
                    [("a", "b"), ("b", "a"), ("ab", "a"), ("", ""), ("B", "a"), ("abc", "abd"), ("x", "x")], True),
    "str_predicates": ("def str_predicates(s: str) -> List[bool]:\n"
                       "    return [s.isdigit(), s.isalpha(), s.isalnum(), s.isspace(), s.islower(), s.isupper(),\n"
                       "            s.istitle(), s.isdecimal(), s.isnumeric(), s.isprintable()]\n",
                       [(x,) for x in STRS], True),
    "str_case_maps": ("def str_case_maps(s: str) -> List[str]:\n"
                      "    return [s.lower(), s.upper(), s.title(), s.capitalize(), s.swapcase()]\n",
                      [(x,) for x in STRS], True),
    "str_strip": ("def str_strip(s: str) -> List[str]:\n"
                  "    return [s.strip(), s.lstrip(), s.rstrip(), s.strip('xa '), s.lstrip('Hx'), s.rstrip('dz\\n')]\n",
                  [(x,) for x in STRS], True),
    "str_find": ("def str_find(s: str, t: str, i: int, j: int) -> List[int]:\n"
                 "    return [s.find(t), s.rfind(t), s.count(t), s.find(t, i), s.rfind(t, i, j), s.count(t, i, j), s.find(t, i, j)]\n",
                 [("abcabc", "c", 0, -1), ("abcabc", "bc", 1, -2), ("abcabc", "x", 0, 3), ("aaaa", "aa", -3, 100),
                  ("abc", "a", 5, 10), ("abc", "a", 5, 2), ("", "", 0, -1)], True),
    "str_index": ("def str_index(s: str, t: str) -> Tuple[int, int]:\n    return s.index(t), s.rindex(t, 0, -1)\n",
                  [("abcabc", "b"), ("abc", "x"), ("abc", "c")], True),
    "str_startswith": ("def str_startswith(s: str, t: str, i: int, j: int) -> List[bool]:\n"
                       "    return [s.startswith(t), s.endswith(t), s.startswith(t, i), s.endswith(t, i, j)]\n",
                       [("abcabc", "ab", 3, -1), ("abcabc", "bc", 1, -2), ("abc", "c", 2, 1), ("abc", "a", 5, 10), ("", "", 0, -1)], True),
    "str_pad": ("def str_pad(s: str, w: int) -> List[str]:\n"
                "    return [s.zfill(w), s.center(w), s.center(w, '*'), s.ljust(w), s.ljust(w, '-'), s.rjust(w, '0')]\n",
                [("ab", 7), ("abc", 6), ("-42", 6), ("", 3), ("abcdef", 2), ("x", 0)], True),
    "str_pad_bad_fill": ("def str_pad_bad_fill(s: str, f: str) -> str:\n    return s.center(5, f)\n",
                         [("ab", "**"), ("ab", ""), ("ab", "+")], True),
    "str_partition": ("def str_partition(s: str, t: str) -> Tuple[Tuple[str, str, str], Tuple[str, str, str]]:\n"
                      "    return s.partition(t), s.rpartition(t)\n",
                      [("a,b,c", ","), ("abc", "x"), ("", ","), ("a,b", "")], True),
    "str_split": ("def str_split(s: str, t: str, m: int) -> List[List[str]]:\n"
                  "    return [s.split(), s.split(t), s.split(t, m), s.rsplit(t), s.rsplit(t, m), s.splitlines(), s.splitlines(True)]\n",
                  [("a,b,,c", ",", 1), (" a  b\tc ", " ", 2), ("one\ntwo\r\nthree\n", "\n", 0), ("", ",", -1),
                   ("x", "xx", 3)], True),
    "str_split_empty_sep": ("def str_split_empty_sep(s: str) -> List[str]:\n    return s.split('')\n", [("abc",)], True),
    "str_expandtabs": ("def str_expandtabs(s: str) -> List[str]:\n    return [s.expandtabs(), s.expandtabs(4), s.expandtabs(0)]\n",
                       [("a\tbc\td",), ("\t",), ("x\n\ty",), ("",)], True),
    "str_ord_chr": ("def str_ord_chr(s: str, i: int) -> Tuple[int, str]:\n    return ord(s), chr(i)\n",
                    [("a", 65), ("~", 0), ("\n", 127), ("ab", 65), ("", 65), ("a", -1), ("a", 1114112)], True),
    "int_radix": ("def int_radix(i: int) -> List[str]:\n    return [hex(i), oct(i), bin(i)]\n",
                  [(0,), (1,), (-1,), (255,), (-255,), (2**63 - 1,), (-2**63,)], True),
    "str_to_number": ("def str_to_number(s: str) -> Tuple[int, float]:\n    return int(s), float(s)\n",
                      [("42",), ("+7",), ("-0",), ("  12",), ("12 ",), ("x",), ("",), ("4_2",), ("99999999999999999999",),
                       ("-9223372036854775808",)], True),
    "str_to_float": ("def str_to_float(s: str) -> float:\n    return float(s)\n",
                     [("3.5",), ("inf",), ("-Infinity",), ("nan",), (" 1e3",), ("1e3 ",), ("1e999",), (".5",), ("x",),
                      ("0x1p3",), ("3.5abc",)], True),
    "int_of_float_of_str": ("def int_of_float_of_str(s: str) -> int:\n    return int(float(s))\n",
                            [("3.9",), ("-2.5",), ("1e3",), ("x",)], True),
    "math_predicates": ("def math_predicates(x: float) -> List[bool]:\n"
                        "    return [math.isinf(x), math.isnan(x), math.isfinite(x)]\n",
                        [(1.5,), (float("inf"),), (float("-inf"),), (float("nan"),), (0.0,)], True),
}
CASES.update(STR_CASES)

TENSOR_CASES = {
    "tensor_item": ("def tensor_item(x) -> Tuple[float, int]:\n"
                    "    return float(x.item()), int(x.item())\n",
                    [(np.array(2.5, dtype=np.float32),), (np.array([[7]], dtype=np.int64),), (np.array([3.0]),),
                     (np.array([1.0, 2.0]),), (np.zeros((0,)),)], True),
    "tensor_item_return": ("def tensor_item_return(x) -> float:\n    return x.item()\n",
                           [(np.array(2.5),), (np.array([4], dtype=np.int32),), (np.array([1.0, 2.0]),)], True),
    "tensor_item_return_int": ("def tensor_item_return_int(x) -> int:\n    return x.item()\n",
                               [(np.array(-2.5),), (np.array([4], dtype=np.int64),), (np.array(True),)], True),
    "tensor_item_bool": ("def tensor_item_bool(x):\n    return x.item()\n", [(np.array(True),), (np.array(3),), (np.array(1.5),)], True),
    "tensor_conversions": ("def tensor_conversions(x) -> Tuple[float, int, bool]:\n    return float(x), int(x), bool(x)\n",
                           [(np.array(2.5),), (np.array([[-3]], dtype=np.int64),), (np.array([0.0]),), (np.array([1.0, 2.0]),)], True),
    "tensor_attributes": ("def tensor_attributes(x) -> Tuple[bool, bool, int, List[int], Tensor]:\n"
                          "    return x.requires_grad, x.is_cuda, x.ndim, x.shape, x.data * 2\n",
                          [(np.ones((2, 3), dtype=np.float32),), (np.array(1.0),)], True),
    "tensor_T": ("def tensor_T(x, y) -> Tuple[Tensor, Tensor]:\n    return x.T, y.T + 1\n",
                 [(np.arange(6.0).reshape(2, 3), np.arange(3.0)), (np.ones((0, 2)), np.array(2.0))], True),
}
CASES.update(TENSOR_CASES)


def _check(fp, ft, recompiled, name, calls):
    same_outcomes(fp, ft, recompiled, name, calls, _outcome)


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "builtins", math=math)[name]


def _arg(lib, a):
    return to_lib(lib, a)


def _outcome(f, lib, args):
    return outcome(f, lib, args)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)   # recompiled: pyts's .code in torch
    _check(fp, ft, recompiled, name, calls)
    if same_code:
        assert fp.code == ft.code


def test_tensor_requires_grad_and_data(tmp_path):
    """x.requires_grad sees the argument's flag; x.data shares storage and is cut from autograd,
    as in torch."""
    src = "def rg(x) -> Tuple[bool, bool, Tensor]:\n    d = x.data\n    return x.requires_grad, d.requires_grad, d\n"
    fns = {lib: lib.jit.script(_define(tmp_path, "rg", src, lib)) for lib in (pyts, torch)}
    for rg in (False, True):
        xp, xt = pyts.ones(3, requires_grad=rg), torch.ones(3, requires_grad=rg)
        rp, rt = fns[pyts](xp), fns[torch](xt)
        assert rp[:2] == rt[:2] == (rg, False)
        # the same storage: a write through the result shows in x
        rp[2][0] = 5.0
        assert float(xp[0]) == 5.0


def test_tensor_T_gradient(tmp_path):
    """x.T in script is differentiable (a permute underneath): the same gradient as torch's."""
    src = "def tg(x, w):\n    return (x.T * w).sum()\n"
    grads = []
    for lib in (pyts, torch):
        f = lib.jit.script(_define(tmp_path, "tg", src, lib))
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        f(x, lib.tensor(np.arange(6.0).reshape(3, 2))).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])
