"""Audit of issue 5's language lists (Types, Statements, Expressions): one differential table
over every type, statement form, operator and builtin the issue names, str % formatting
(aten::percentFormat), the str methods torch registers (every aten op whose schema takes
`str self`), list and dict methods, and every math.* function torch's frontend binds. Each case is
compiled from the same source by pyts.jit.script and torch.jit.script and run on several inputs:
the same values and Python types, or the same exception class with the same message (the last
line of torch's report without its class prefix); pyts's `.code` is compiled by torch and must
give the same results, and where the row says so it equals torch's `.code` byte for byte.
Sources torch rejects are checked to be rejected by pyts too (FAILS)."""
import math
import typing

import numpy as np
import pytest
import torch

import pyts
from pyts.jit import CompileError
from script_diff import as_pyts, define, same_value, to_lib
from test_print_code import torch_compile_code

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)
B = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
S = ["", "a", "Hello World", "  x y  ", "abc123", "a\tb\tc", "one\ntwo\r\nthree\rfour\n", "xXyY", "12", "hello_world",
     "_a1", "1a", "Title Case", "ab,cd,,ef", "aaa"]

# name: (source of def <name>, calls, .code equal to torch's). Mutating methods return the
# container they changed, so the mutation itself is compared.
# ---- str % args (aten::percentFormat) and the str methods (aten ops taking `str self`); torch's
# str.count with an empty substring never returns, so it is not called
STR_CASES = {

 "pct_basic": ("def pct_basic(a: int, b: str, c: float, d: bool) -> List[str]:\n"
               "    return ['%d and %s' % (a, b), '%i|%s' % (a, c), '%s' % a, '%s %s %s' % (a, c, d), '100%%' % (), 'x%%y%s' % b, '%d' % c, '%s' % [a, a]]\n",
               [(3, 'hi', 2.5, True), (-7, '', -0.125, False), (0, 'x%y', 1e20, True)], True),
 "pct_float": ("def pct_float(c: float, a: int) -> List[str]:\n"
               "    return ['%f' % c, '%F' % c, '%e' % c, '%E' % c, '%f' % a, '%e' % a]\n",
               [(2.5, 3), (-0.1, -12345), (1e10, 0), (123456.789, 7)], True),
 "pct_char": ("def pct_char(a: int, s: str) -> str:\n    return '%c%c' % (a, s)\n", [(65, 'z'), (97, 'q')], True),
 "pct_tensor": ("def pct_tensor(x, o: Optional[int]) -> List[str]:\n    return ['%s' % x, '%s' % (o,), '%s' % ((1, 'a'),)]\n", [(np.array([1.0, 2.0]), None), (np.array([3.0]), 4)], True),
 "pct_errors": ("def pct_errors(k: int, s: str) -> str:\n"
                "    if k == 0:\n        return '%d %d' % s\n    if k == 1:\n        return '%s' % (s, s)\n"
                "    if k == 2:\n        return 'abc%' % s\n    if k == 3:\n        return '%q' % s\n"
                "    if k == 4:\n        return '%d' % s\n    if k == 5:\n        return '%.2f' % 1.5\n"
                "    if k == 6:\n        return '%c' % s\n    if k == 7:\n        return '%f' % s\n    return '%5d' % 3\n",
                [(k, 'ab') for k in range(9)], True),
 "str_fill": ("def str_fill(s: str, w: int) -> List[str]:\n"
              "    return [s.zfill(w), s.center(w), s.center(w, '*'), s.ljust(w), s.ljust(w, '-'), s.rjust(w), s.rjust(w, '.')]\n",
              [(x, w) for x in ["", "ab", "-12", "+5", "abc"] for w in (0, 4, 7)], True),
 "str_partition": ("def str_partition(s: str, sep: str) -> Tuple[Tuple[str, str, str], Tuple[str, str, str]]:\n"
                   "    return s.partition(sep), s.rpartition(sep)\n",
                   [("a,b,c", ","), ("abc", ","), ("", "x"), ("a,,b", ",,"), ("x", "")], True),
 "str_lines": ("def str_lines(s: str) -> Tuple[List[str], List[str], str, str]:\n"
               "    return s.splitlines(), s.splitlines(True), s.expandtabs(), s.expandtabs(4)\n",
               [(x,) for x in S], True),
 "str_find": ("def str_find(s: str, t: str, a: int, b: int) -> List[int]:\n"
              "    return [s.find(t), s.rfind(t), s.count(t), s.find(t, a), s.rfind(t, a), s.count(t, a), s.find(t, a, b), s.rfind(t, a, b), s.count(t, a, b)]\n",
              [("abcabc", "b", 1, 4), ("aaaa", "aa", 0, -1), ("abc", "c", -2, 10), ("abcb", "b", -3, -1), ("abc", "z", 5, 1)], True),
 "str_index": ("def str_index(s: str, t: str, a: int, b: int) -> List[int]:\n"
               "    return [s.index(t), s.rindex(t), s.index(t, a), s.rindex(t, a, b)]\n",
               [("abcabc", "b", 1, 5), ("abc", "z", 0, 3), ("abcabc", "c", 3, 4)], True),
 "str_case": ("def str_case(s: str) -> List[str]:\n    return [s.title(), s.swapcase(), s.capitalize(), s.lower(), s.upper()]\n", [(x,) for x in S], True),
 "str_preds": ("def str_preds(s: str) -> List[bool]:\n"
               "    return [s.isidentifier(), s.istitle(), s.isprintable(), s.isspace(), s.isalnum(), s.isalpha(), s.isdigit(), s.isdecimal(), s.isnumeric(), s.islower(), s.isupper()]\n",
               [(x,) for x in S], True),
 "str_strip_chars": ("def str_strip_chars(s: str, c: str) -> List[str]:\n    return [s.strip(c), s.lstrip(c), s.rstrip(c), s.strip(), s.lstrip(), s.rstrip()]\n",
                     [(x, c) for x in S[:6] for c in ("a ", "xH", "")], True),
 "str_split": ("def str_split(s: str, sep: str, n: int) -> List[List[str]]:\n"
               "    return [s.split(), s.split(sep), s.split(sep, n), s.rsplit(sep), s.rsplit(sep, n), s.split(None, n)]\n",
               [(x, ",", n) for x in ["ab,cd,,ef", "", "a b  c ", ","] for n in (-1, 0, 1, 2)], True),
 "str_rsplit_default": ("def str_rsplit_default(s: str) -> List[str]:\n    return s.rsplit()\n", [("a b  c",), ("",)], True),
 "str_join_replace": ("def str_join_replace(s: str, xs: List[str]) -> List[str]:\n"
                      "    return [s.join(xs), s.replace('a', 'bb'), s.replace('a', '', 1), s.replace('a', '-', 0)]\n",
                      [(",", ["a", "b"]), ("", []), ("aXa", ["x"])], True),
 "str_misc": ("def str_misc(s: str, t: str) -> Tuple[bool, bool, bool, bool, int, List[str], str, bool, bool]:\n"
              "    return s.startswith(t), s.endswith(t), s.startswith(t, 1), s.endswith(t, 0, 2), len(s), list(s), s + t, t in s, s < t\n",
              [("abc", "ab"), ("abc", "bc"), ("", ""), ("xyz", "a")], True),
 "str_index_ops": ("def str_index_ops(s: str, i: int) -> Tuple[str, str, int, str]:\n    return s[i], s[i:], ord(s[0]), chr(ord(s[0]) + 1)\n",
                   [("abc", 1), ("abc", -1), ("abc", 3)], True),
 "str_conv": ("def str_conv(s: str) -> Tuple[int, float]:\n    return int(s), float(s)\n", [("12",), (" -3 ",), ("x",), ("1.5",)], True),
}

# ---- list and dict methods and operators
CONTAINER_CASES = {

 "list_methods": ("def list_methods(a: List[int], v: int, i: int) -> Tuple[int, int, List[int], int, List[int], List[int], List[int], List[int]]:\n"
                  "    b = a.copy()\n    n = b.count(v)\n    b.insert(i, v)\n    j = b.index(v)\n    c = b.copy()\n    p = c.pop(i)\n"
                  "    c.remove(v)\n    c.reverse()\n    d = c.copy()\n    d.sort(reverse=True)\n    e = d.copy()\n    e.extend(a)\n    f = e.copy()\n    f.clear()\n"
                  "    return n, j, c, p, d, e, f, a * 2\n",
                  [([3, 1, 2, 1], 1, 1), ([5], 5, 0), ([1, 2], 3, -1), ([], 1, 0)], True),
 "list_pop_default": ("def list_pop_default(a: List[str]) -> Tuple[str, List[str]]:\n    x = a.pop()\n    return x, a\n", [(["a", "b"],), ([],)], True),
 "list_pop_index": ("def list_pop_index(a: List[float], i: int) -> Tuple[float, List[float]]:\n    x = a.pop(i)\n    return x, a\n", [([1.0, 2.0], 0), ([1.0], 3), ([1.0, 2.0], -2)], True),
 "list_sort_kinds": ("def list_sort_kinds(a: List[float], s: List[str], r: bool) -> Tuple[List[float], List[str], List[int]]:\n"
                     "    a.sort(reverse=r)\n    s.sort()\n    return a, s, sorted([3, 1, 2])\n", [([2.5, -1.0, 3.0], ["b", "a"], True), ([], [], False)], True),
 "list_slices": ("def list_slices(a: List[int], i: int, j: int, k: int) -> List[List[int]]:\n"
                 "    return [a[i:j], a[::k], a[i:j:k], a[::-1], a[-2:], a[:-1:2], a[j:i:-1]]\n",
                 [([1, 2, 3, 4, 5], 1, 4, 2), ([1, 2, 3, 4, 5], -1, -4, -1), ([1, 2], 0, 9, 3), ([1, 2], 0, 1, 0)], True),
 "list_mul_in": ("def list_mul_in(a: List[int], n: int, v: int) -> Tuple[List[int], List[int], bool, bool, List[int]]:\n"
                 "    b = a * n\n    c = n * a\n    c *= 2\n    return b, c, v in a, v not in a, a + b\n",
                 [([1, 2], 2, 1), ([1], 0, 5), ([], 3, 0), ([4], -1, 4)], True),
 "list_setitem": ("def list_setitem(a: List[int], i: int) -> List[int]:\n    a[i] = 9\n    a[-1] += 1\n    return a\n", [([1, 2, 3], 0), ([1], 2), ([1, 2], -2)], True),
 "list_compare": ("def list_compare(a: List[int], b: List[int], s: List[str], f: List[float], c: List[bool]) -> List[bool]:\n"
                  "    return [a == b, a != b, s == ['x'], s != ['x'], f == [0.5], f != [0.5], c == [True], c != [True]]\n",
                  [([1], [1], ['x'], [0.5], [True]), ([1, 2], [1], [], [float('nan')], [False]), ([], [], ['x', 'y'], [], [])], True),
 "list_compare_tensor": ("def list_compare_tensor(x, y) -> Tuple[bool, bool]:\n    return [x] == [y], [x, y] != [y]\n",
                         [(np.array(1.0), np.array(1.0)), (np.array(1.0), np.array(2.0)), (A, A)], True),
 "list_any_all": ("def list_any_all(a: List[int], f: List[float], s: List[str], b: List[bool]) -> List[bool]:\n"
                  "    return [any(a), all(a), any(f), all(f), any(s), any(b), all(b)]\n",
                  [([0, 1], [0.0, 2.0], ['', 'a'], [True]), ([], [], [], []), ([3], [float('nan')], [''], [False])], True),
 "list_len_minmax": ("def list_len_minmax(a: List[int], f: List[float]) -> Tuple[int, int, int, float, float, int, float]:\n"
                     "    return len(a), min(a), max(a), min(f), max(f), sum(a), sum(f)\n", [([3, 1, 2], [0.5, -1.5]), ([], [])], True),
 "list_tensor": ("def list_tensor(x) -> Tuple[int, Tensor, List[Tensor]]:\n    ts = [x, x + 1, x * 2]\n    t = ts.pop(1)\n"
                 "    ts.append(t)\n    ts.insert(0, -x)\n    ts.reverse()\n    return len(ts), ts[0], ts[1:3]\n", [(A,)], True),
 "list_nested": ("def list_nested(a: List[List[int]]) -> Tuple[List[List[int]], List[int], int]:\n"
                 "    a.append([7])\n    a[0].append(8)\n    b = a[0]\n    return a, b, len(a[-1])\n", [([[1], [2, 3]],), ([[]],)], True),
 "dict_methods": ("def dict_methods(d: Dict[str, int], k: str) -> Tuple[Optional[int], int, int, int, int, List[str], List[int], List[Tuple[str, int]], Dict[str, int], bool, bool]:\n"
                  "    e = d.copy()\n    g = e.get(k)\n    g2 = e.get(k, -1)\n    s = e.setdefault(k, 5)\n    p = e.pop(k)\n    p2 = e.pop('zz', 7)\n"
                  "    e.update({'u': 1, k: 2})\n    return g, g2, s, p, p2, list(e.keys()), list(e.values()), list(e.items()), e, k in e, 'zz' not in e\n",
                  [({"a": 1, "b": 2}, "a"), ({}, "x"), ({"x": 3}, "y")], True),
 "dict_popitem": ("def dict_popitem(d: Dict[int, str]) -> Tuple[Tuple[int, str], Dict[int, str]]:\n    t = d.popitem()\n    return t, d\n",
                  [({1: "a", 2: "b"},), ({},)], True),
 "dict_pop_missing": ("def dict_pop_missing(d: Dict[str, float], k: str) -> float:\n    return d.pop(k)\n", [({"a": 1.0}, "a"), ({"a": 1.0}, "b")], True),
 "dict_getitem_missing": ("def dict_getitem_missing(d: Dict[int, int], k: int) -> int:\n    return d[k]\n", [({1: 2}, 1), ({1: 2}, 3)], True),
 "dict_clear_len": ("def dict_clear_len(d: Dict[str, Tensor]) -> Tuple[int, int]:\n    n = len(d)\n    d.clear()\n    return n, len(d)\n",
                    [({"a": A, "b": A},)], True),
 "dict_tensor_values": ("def dict_tensor_values(x) -> Tensor:\n    d = {'a': x, 'b': x * 2}\n    d['c'] = x + 1\n    s = torch.zeros_like(x)\n"
                        "    for k in sorted(d.keys()):\n        s = s + d[k]\n    for v in d.values():\n        s = s - v\n    return s + d.get('a', x)\n", [(A,)], True),
 "dict_literal_types": ("def dict_literal_types(a: int) -> Tuple[Dict[str, int], Dict[int, str], Dict[float, bool], Dict[bool, List[int]]]:\n"
                        "    return {'x': a, 'y': 2}, {a: 'v'}, {1.5: True}, {True: [a]}\n", [(3,)], True),
}

# ---- the Types, Statements and Expressions lists, and the builtins
LANG_CASES = {

 # ---- types
 "ty_default_tensor": ("def ty_default_tensor(x, y):\n    return x + y, x.dtype, x.device, x.dim()\n", [(A, A)], True),
 "ty_scalars": ("def ty_scalars(a: int, b: float, c: bool, s: str, n: None) -> Tuple[int, float, bool, str, None]:\n    return a + 1, b * 2, not c, s + '!', n\n", [(2, 1.5, True, 'x', None)], True),
 "ty_containers": ("def ty_containers(l: List[int], t: Tuple[int, str, float], d: Dict[str, List[float]]) -> Tuple[List[int], Tuple[str, int], Dict[str, List[float]]]:\n"
                   "    d['n'] = [t[2]]\n    return l + [t[0]], (t[1], len(l)), d\n", [([1], (2, 'a', 0.5), {'k': [1.0]})], True),
 "ty_optional": ("def ty_optional(a: Optional[int], x: Optional[Tensor]) -> int:\n    r = 0\n    if a is not None:\n        r += a\n"
                 "    if x is None:\n        r -= 1\n    else:\n        r += x.numel()\n    return r\n", [(None, None), (3, A), (0, None)], True),
 "ty_union": ("def ty_union(a: Union[int, str, List[int]]) -> str:\n    if isinstance(a, int):\n        return 'int ' + str(a + 1)\n"
              "    elif isinstance(a, str):\n        return 'str ' + a\n    return 'list ' + str(len(a))\n", [(3,), ('x',), ([1, 2],)], True),
 "ty_any": ("def ty_any(a: Any, b: List[Any]) -> Tuple[Any, int]:\n    return a, len(b)\n", [(3, [1, 'a']), ('s', [])], False),
 "ty_namedtuple": ("class Pt(NamedTuple):\n    x: int\n    y: float\n\ndef ty_namedtuple(a: int) -> Tuple[int, float, Pt]:\n    p = Pt(a, 2.5)\n    q = Pt(x=1, y=0.5)\n    return p.x + q.x, p[1] + q.y, p\n",
                   [(3,)], True),
 "ty_device_dtype": ("def ty_device_dtype(x, d: torch.device, t: torch.dtype) -> Tuple[Tensor, torch.device, torch.dtype, bool]:\n"
                     "    y = x.to(dtype=t)\n    return y.to(d), y.device, y.dtype, y.dtype == torch.float64\n", [(A, 'DEV', 'F64')], True),
 "ty_pep585": ("def ty_pep585(a: list[int], b: dict[str, int], c: tuple[int, str]) -> tuple[list[int], int]:\n    return a + [c[0]], len(b)\n", [([1], {'a': 1}, (2, 'x'))], True),
 "ty_pep604": ("def ty_pep604(a: int | None, b: float | int) -> float:\n    if a is None:\n        return 0.0\n    if isinstance(b, float):\n        return b + a\n    return float(a * b)\n",
               [(None, 1.5), (2, 1.5), (2, 3)], True),
 "ty_type_comment": ("def ty_type_comment(a, b):\n    # type: (int, List[float]) -> float\n    x: List[float] = []\n    x.append(a * 1.0)\n    return x[0] + sum(b)\n", [(2, [0.5])], True),
 "ty_annotated_assign": ("def ty_annotated_assign(a: int) -> Tuple[List[int], Dict[str, Tensor], Optional[int]]:\n    l: List[int] = []\n    d: Dict[str, Tensor] = {}\n"
                         "    o: Optional[int] = None\n    if a > 0:\n        o = a\n    l.append(a)\n    return l, d, o\n", [(1,), (-1,)], True),
 # ---- statements
 "st_assign_forms": ("def st_assign_forms(a: int, t: Tuple[int, Tuple[str, float]]) -> Tuple[int, int, int, str, float, int, int]:\n"
                     "    x = y = a + 1\n    p, (q, r) = t\n    m, n = n2, m2 = 5, 6\n    return x, y, p, q, r, m + n2, n + m2\n", [(1, (2, ('s', 0.5)))], True),
 "st_augassign": ("def st_augassign(a: int, b: float, x, l: List[int], s: str) -> Tuple[int, float, Tensor, List[int], str]:\n"
                  "    a += 3\n    a -= 1\n    a *= 2\n    a <<= 2\n    a >>= 1\n    a |= 8\n    a &= 13\n    a ^= 3\n"
                  "    b += 1\n    b /= 4.0\n    b -= a\n    b *= 2\n    b %= 7.0\n    y = x.clone()\n    y += 1\n    y *= x\n    y -= 2\n    y /= 4\n    l += [a]\n    s += 'z'\n    return a, b, y, l, s\n",
                  [(7, 2.5, A, [1], 'q'), (-4, -1.0, A, [], '')], True),
 # torch's frontend turns `%=` into fmod (a float for ints, the dividend's sign), unlike `%`
 "st_mod_assign": ("def st_mod_assign(x, b: float, a: int) -> Tuple[Tensor, float, float, int]:\n"
                   "    y = x.clone()\n    y %= 2\n    y[0] %= 3\n    b %= 7.0\n    f = float(a)\n    f %= 3\n    return y, b, f, a % 3\n",
                   [(A, -1.5, -7), (-A, 8.5, 7)], True),
 "st_if_elif": ("def st_if_elif(a: int) -> str:\n    if a < 0:\n        r = 'neg'\n    elif a == 0:\n        r = 'zero'\n    elif a < 10:\n        r = 'small'\n    else:\n        r = 'big'\n    return r\n", [(-1,), (0,), (5,), (50,)], True),
 "st_while_break_continue": ("def st_while_break_continue(n: int) -> Tuple[int, int]:\n    i = 0\n    s = 0\n    while True:\n        i += 1\n        if i % 2 == 0:\n            continue\n"
                             "        if i > n:\n            break\n        s += i\n    j = 0\n    while j < n:\n        j += 3\n    return s, j\n", [(0,), (7,), (10,)], True),
 "st_for_range": ("def st_for_range(n: int, m: int) -> List[int]:\n    r: List[int] = []\n    for i in range(n):\n        r.append(i)\n    for i in range(m, n):\n        r.append(i * 10)\n"
                  "    for i in range(n, m, -2):\n        r.append(-i)\n    for i in range(1, n, 3):\n        if i == 4:\n            continue\n        r.append(i + 100)\n    return r\n", [(5, 2), (0, 3), (8, -3)], True),
 "st_for_containers": ("def st_for_containers(l: List[int], t: Tuple[int, int, int], d: Dict[str, int], x) -> Tuple[int, int, List[str], int, List[str], int]:\n"
                       "    a = 0\n    for v in l:\n        a += v\n    b = 0\n    for v in t:\n        b = b * 10 + v\n    ks: List[str] = []\n    for k in d:\n        ks.append(k)\n"
                       "    c = 0\n    ps: List[str] = []\n    for k, v in d.items():\n        c += v\n        ps.append(k + str(v))\n    rows = 0\n    for row in x:\n        rows += row.numel()\n    return a, b, ks, c, ps, rows\n",
                       [([1, 2, 3], (1, 2, 3), {'a': 1, 'b': 2}, A), ([], (0, 0, 1), {}, A[0])], True),
 "st_for_zip_enumerate": ("def st_for_zip_enumerate(a: List[int], b: List[str]) -> Tuple[List[str], List[int], List[str]]:\n"
                          "    r: List[str] = []\n    for x, y in zip(a, b):\n        r.append(str(x) + y)\n    e: List[int] = []\n    for i, v in enumerate(a):\n        e.append(i * v)\n"
                          "    n: List[str] = []\n    for i, (x, y) in enumerate(zip(a, b)):\n        for j, c in enumerate(y, 1):\n            n.append(str(i) + str(j) + c + str(x))\n    return r, e, n\n",
                          [([1, 2, 3], ['ab', 'c']), ([], ['x'])], True),
 "st_for_enumerate_start": ("def st_for_enumerate_start(a: List[float]) -> List[float]:\n    r: List[float] = []\n    for i, v in enumerate(a, 5):\n        r.append(i + v)\n    return r\n", [([0.5, 1.5],)], True),
 "st_for_tuple_list": ("def st_for_tuple_list(ps: List[Tuple[int, str]]) -> str:\n    s = ''\n    for n, w in ps:\n        s += w + str(n)\n    return s\n", [([(1, 'a'), (2, 'b')],)], True),
 "st_for_nested_break": ("def st_for_nested_break(n: int) -> List[Tuple[int, int]]:\n    r: List[Tuple[int, int]] = []\n    for i in range(n):\n        for j in range(n):\n"
                         "            if j > i:\n                break\n            if (i + j) % 2 == 1:\n                continue\n            r.append((i, j))\n    return r\n", [(4,), (0,)], True),
 "st_for_tensor_zip": ("def st_for_tensor_zip(x, y) -> List[Tensor]:\n    r: List[Tensor] = []\n    for a, b in zip(x, y):\n        r.append(a * b)\n    for i, a in enumerate(x):\n        r.append(a + i)\n    return r\n", [(A, A * 2)], True),
 "st_return_pass": ("def st_return_pass(a: int) -> int:\n    if a > 0:\n        pass\n    else:\n        return -1\n    for i in range(a):\n        if i == 2:\n            return i\n    return a\n", [(5,), (-1,), (1,)], True),
 "st_assert": ("def st_assert(a: int, x) -> int:\n    assert a > 0\n    assert a < 10, 'too big: ' + str(a)\n    assert bool(x.sum() > 0), 'sum'\n    return a\n", [(3, A), (0, A), (11, A), (3, -A)], True),
 "st_raise": ("def st_raise(a: int) -> int:\n    if a == 0:\n        raise ValueError('zero ' + str(a))\n    if a == 1:\n        raise RuntimeError('one')\n    if a == 2:\n        raise Exception('two')\n    if a == 3:\n        raise AssertionError('three')\n    if a == 6:\n        raise AssertionError()\n    if a == 4:\n        raise TypeError(f'four {a}')\n    return a\n",
              [(0,), (1,), (2,), (3,), (4,), (5,), (6,)], True),
 "st_del": ("def st_del(l: List[int], d: Dict[str, int]) -> Tuple[List[int], Dict[str, int]]:\n    del l[0]\n    del d['a']\n    del l[-1], d['b']\n    return l, d\n", [([1, 2, 3], {'a': 1, 'b': 2, 'c': 3}), ([1], {'a': 1})], True),
 "st_del_name": ("def st_del_name(a: int) -> int:\n    b = a + 1\n    del b\n    b = 3\n    return b\n", [(1,)], True),
 "st_with_no_grad": ("def st_with_no_grad(x) -> Tuple[Tensor, bool, bool]:\n    with torch.no_grad():\n        y = x * 2\n        inner = torch.is_grad_enabled()\n    return y, y.requires_grad, inner\n", [(A,)], True),
 "st_print": ("def st_print(a: int, s: str, x, l: List[float]) -> int:\n    print(a, s, l)\n    print('x', x.sum())\n    print()\n    return a\n", [(1, 'x', A, [1.5])], True),
 # ---- expressions
 "ex_arith_int": ("def ex_arith_int(a: int, b: int) -> List[int]:\n    return [a + b, a - b, a * b, a // b, a % b, -a, abs(a)]\n", [(7, 3), (-7, 3), (7, -3), (0, 5), (5, 0)], True),
 "ex_arith_float": ("def ex_arith_float(a: float, b: float, n: int) -> List[float]:\n    return [a + b, a - b, a * b, a / b, a // b, a % b, -a, a ** b, a + n, n / a, a ** n, n ** a, float(n // 2)]\n",
                    [(7.5, 2.0, 3), (-7.5, 2.0, -2), (2.0, -0.5, 0), (1.0, 0.0, 1)], True),
 "ex_int_div": ("def ex_int_div(a: int, b: int) -> Tuple[float, float]:\n    return a / b, a ** b\n", [(7, 2), (1, 0), (2, -1)], True),
 "ex_bitwise": ("def ex_bitwise(a: int, b: int, p: bool, q: bool) -> List[int]:\n    return [a & b, a | b, a ^ b, a << 2, a >> 1, int(p & q), int(p | q), int(p ^ q)]\n", [(12, 10, True, False), (-5, 3, True, True)], True),
 "ex_compare": ("def ex_compare(a: int, b: float, s: str, t: str) -> List[bool]:\n    return [a < b, a <= b, a > b, a >= b, a == b, a != b, s < t, s >= t, s == t]\n", [(1, 1.0, 'a', 'b'), (2, 1.5, 'b', 'a')], True),
 "ex_chained": ("def ex_chained(a: int, b: int, c: int, x: float) -> List[bool]:\n    return [a < b < c, a <= b <= c, a < b > c, 0 <= x < 1.0, a == b == c, a != b != c, a < b < c < 10]\n",
                [(1, 2, 3, 0.5), (3, 2, 1, 1.0), (1, 1, 1, -0.5)], True),
 "ex_is_in": ("def ex_is_in(o: Optional[int], l: List[int], d: Dict[str, int], s: str) -> List[bool]:\n    return [o is None, o is not None, 1 in l, 1 not in l, s in d, s not in d, s in 'abc', s in ['a', 'q']]\n",
              [(None, [1], {'a': 1}, 'a'), (3, [], {}, 'z')], True),
 "ex_bool_ops": ("def ex_bool_ops(a: bool, b: bool, n: int) -> List[bool]:\n    return [a and b, a or b, not a, not (a and b) or n > 0, a and n > 0 or b]\n", [(True, False, 1), (False, True, 0), (True, True, -1)], True),
 "ex_short_circuit": ("def ex_short_circuit(l: List[int]) -> Tuple[bool, bool]:\n    return len(l) > 0 and l[0] == 1, len(l) == 0 or l[0] == 2\n", [([],), ([1],), ([2],)], True),
 "ex_ternary": ("def ex_ternary(a: int, x) -> Tuple[str, Tensor, int]:\n    return 'pos' if a > 0 else 'neg', x if a > 0 else -x, (1 if a > 5 else 2) if a > 0 else 3\n", [(1, A), (-1, A), (9, A)], True),
 "ex_subscripts": ("def ex_subscripts(x, i: int) -> List[Tensor]:\n    return [x[0], x[i], x[:, 1], x[0, 1], x[..., 0], x[None], x[:, None, 1:], x[1:, ::2], x[-1], x[..., None], x[0, ..., 1]]\n", [(B, 1), (B, -1)], True),
 "ex_tensor_index_assign": ("def ex_tensor_index_assign(x) -> Tensor:\n    y = x.clone()\n    y[0] = 1.0\n    y[:, 1] += 2.0\n    y[..., 0] = y[..., 1]\n    return y\n", [(B,)], True),
 "ex_slice_step_errors": ("def ex_slice_step_errors(x, l: List[int], s: str, k: int) -> Tuple[Tensor, List[int], str]:\n    return x[::k], l[::k], s[::k]\n", [(A, [1, 2, 3], 'abc', 1), (A, [1, 2, 3], 'abc', 0), (A, [1, 2], 'ab', -1)], True),
 "ex_literals": ("def ex_literals(a: int) -> Tuple[List[int], Tuple[int, str], Dict[str, int], List[List[float]], Tuple[()], List[str]]:\n    return [a, 2], (a, 's'), {'k': a}, [[1.0], [2.0]], (), ['a', \"b\", '''c''']\n", [(1,)], True),
 "ex_list_comp": ("def ex_list_comp(l: List[int], x) -> Tuple[List[int], List[Tensor], List[Tuple[int, int]], List[str]]:\n"
                  "    return [v * 2 for v in l], [r * 2 for r in x], [(i, v) for i, v in enumerate(l)], [str(k) for k in range(3)]\n",
                  [([1, 2, 3], A), ([], A)], True),
 "ex_dict_comp": ("def ex_dict_comp(l: List[str]) -> Tuple[Dict[str, int], Dict[int, str]]:\n    return {k: len(k) for k in l}, {i: k for i, k in enumerate(l)}\n", [(['a', 'bb'],), ([],)], True),
 "ex_attribute_kwargs": ("def ex_attribute_kwargs(x) -> Tuple[List[int], Tensor, Tensor, Tensor]:\n    return list(x.shape), x.sum(dim=1, keepdim=True), torch.clamp(x, min=0.0), x.T\n", [(A,)], True),
 "ex_fstring": ("def ex_fstring(a: int, b: float, s: str, x) -> List[str]:\n    return [f'{a}', f'a={a} b={b}', f'{s}!{s}', f'{a + 1}x', f'{x.numel()}', f'{[a, a]}']\n", [(3, 2.5, 'q', A)], True),
 "ex_str_format": ("def ex_str_format(a: int, b: float, s: str) -> List[str]:\n    return ['{} and {}'.format(a, s), '{}'.format(b), '{}-{}'.format([a], (a, s))]\n", [(3, 2.5, 'q')], True),
 "ex_str_format_spec": ("def ex_str_format_spec(a: int, b: float) -> List[str]:\n    return ['{:d}'.format(a), '{0}'.format(b)]\n", [(3, 2.5)], True),
 "ex_str_format_few": ("def ex_str_format_few(a: int) -> str:\n    return '{} {}'.format(a)\n", [(3,)], True),
 # ---- builtins
 "bi_len_range": ("def bi_len_range(l: List[int], s: str, d: Dict[int, int], x, t: Tuple[int, int]) -> List[int]:\n    return [len(l), len(s), len(d), len(x), len(t)]\n", [([1], 'ab', {1: 2}, A, (1, 2))], False),
 "bi_min_max": ("def bi_min_max(a: int, b: int, f: float, l: List[int], fl: List[float]) -> List[float]:\n    return [float(min(a, b)), float(max(a, b)), min(a, f), max(f, b), float(min(l)), max(fl), float(max(a, b, 0)), float(min([a, b]))]\n",
                [(1, 2, 0.5, [3, 1], [0.5, 2.5]), (-1, -2, 5.0, [0], [1.0])], False),
 "bi_min_max_tensor": ("def bi_min_max_tensor(x, y) -> Tuple[Tensor, Tensor, Tensor, Tensor]:\n    return torch.min(x, y), torch.max(x, y), x.min(), torch.max(x)\n", [(A, -A)], True),
 "bi_abs": ("def bi_abs(a: int, f: float, x) -> Tuple[int, float, Tensor]:\n    return abs(a), abs(f), abs(x)\n", [(-3, -2.5, A), (0, -0.0, A)], False),
 "bi_sum_any_all": ("def bi_sum_any_all(l: List[int], f: List[float], b: List[bool], x) -> Tuple[int, float, bool, bool, Tensor, bool, bool]:\n"
                    "    return sum(l), sum(f), any(b), all(b), sum(x), any(l), all(f)\n", [([1, 2], [0.5], [True, False], A), ([], [], [], A)], False),
 "bi_conversions": ("def bi_conversions(a: int, f: float, b: bool, s: str, x) -> Tuple[int, int, float, float, bool, bool, bool, str, str, str, int, float, bool]:\n"
                    "    return int(f), int(b), float(a), float(b), bool(a), bool(f), bool(s), str(a), str(f), str(b), int(x[0, 0]), float(x[0, 0]), bool(x[0, 0])\n",
                    [(3, -2.7, True, '', A), (0, 0.0, False, 'x', -A)], True),
 "bi_str_conv": ("def bi_str_conv(s: str) -> Tuple[int, float]:\n    return int(s), float(s)\n", [('3',), ('-1e3',), ('x',)], True),
 "bi_isinstance": ("def bi_isinstance(a: Any, x) -> List[bool]:\n    return [isinstance(a, int), isinstance(a, (str, float)), isinstance(x, Tensor), isinstance(a, List[int]), isinstance(a, Tuple[int, str])]\n",
                   [(3, A), ('s', A), ([1], A), ((1, 's'), A)], True),
 "bi_getattr_hasattr": ("def bi_getattr_hasattr(x) -> Tuple[List[int], bool, bool, int]:\n    return getattr(x, 'shape'), True, False, getattr(x, 'ndim')\n", [(A,)], False),
 "bi_sorted": ("def bi_sorted(l: List[int], s: List[str], f: List[float]) -> Tuple[List[int], List[str], List[float], List[int]]:\n    return sorted(l), sorted(s), sorted(f), l\n",
               [([3, 1, 2], ['b', 'a'], [0.5, 2.0]), ([], [], [])], True),
 "bi_round": ("def bi_round(f: float, a: int) -> Tuple[float, float, float]:\n    return round(f), round(-f), round(a)\n", [(2.5, 3), (-1.456, -2), (3.5, 0)], False),
 "bi_divmod": ("def bi_divmod(a: int, b: int, f: float, g: float) -> Tuple[Tuple[int, int], Tuple[float, float], Tuple[float, float]]:\n    return divmod(a, b), divmod(f, g), divmod(a, g)\n",
               [(7, 3, 7.5, 2.0), (-7, 2, -7.5, 2.0), (7, 0, 1.0, 0.5), (1, 1, 1.0, 0.0)], False),
 "bi_chr_ord_hex": ("def bi_chr_ord_hex(a: int, s: str) -> Tuple[str, int, str, str, str]:\n    return chr(a), ord(s), hex(a), oct(a), bin(a)\n", [(65, 'z'), (0, 'a')], True),
}


# ---- math.*: every function of Python's math module torch's frontend binds (math is its builtin
# aten namespace), in each argument form torch accepts, and the constants
_MATH_FORMS = {"f": ("x: float", "(x)", [(0.5,), (2.0,), (-1.5,), (0.0,)]), "i": ("n: int", "(n)", [(3,), (0,), (-2,)]),
               "ff": ("x: float, y: float", "(x, y)", [(2.0, 3.0), (-1.5, 0.5), (1.0, 0.0)]),
               "ii": ("n: int, m: int", "(n, m)", [(12, 18), (-4, 6), (0, 0)]),
               "fi": ("x: float, n: int", "(x, n)", [(1.5, 3), (-2.0, 0)]), "c": ("", "", [()])}
_MATH = {"acos": "f i", "acosh": "f i", "asin": "f i", "asinh": "f i", "atan": "f i", "atan2": "ff ii fi", "atanh": "f i",
         "ceil": "f i", "copysign": "ff ii fi", "cos": "f i", "cosh": "f i", "degrees": "f i", "e": "c", "erf": "f i",
         "erfc": "f i", "exp": "f i", "expm1": "f i", "fabs": "f i", "factorial": "i", "floor": "f i", "fmod": "ff ii fi",
         "frexp": "f", "gamma": "f i", "gcd": "ii", "inf": "c", "isfinite": "f", "isinf": "f", "isnan": "f", "ldexp": "fi",
         "lgamma": "f i", "log": "f i ff ii fi", "log10": "f i", "log1p": "f i", "modf": "f", "nan": "c", "pi": "c",
         "pow": "ff ii fi", "radians": "f i", "remainder": "ff ii fi", "sin": "f i", "sinh": "f i", "sqrt": "f i",
         "tan": "f i", "tanh": "f i", "tau": "c"}
MATH_CASES = {}
for _fn, _forms in _MATH.items():
    for _f in _forms.split():
        _ann, _call, _calls = _MATH_FORMS[_f]
        _name = f"math_{_fn}_{_f}"
        MATH_CASES[_name] = (f"def {_name}({_ann}):\n    return math.{_fn}{_call}\n", _calls, True)

CASES = {**STR_CASES, **CONTAINER_CASES, **LANG_CASES, **MATH_CASES}

# (case, call index): messages that differ on purpose. percentFormat of a bool or complex with
# %d/%e/%f: torch fails an internal assert ("expected double"); pyts says what it needs.
MESSAGE_DIFFS = set()

# Sources torch.jit.script rejects: pyts rejects them too (a CompileError), and where torch's
# message says what is wrong, pyts's says the same (the fragment given).
FAILS = {
    "comprehension_if": ("def comprehension_if(l: List[int]) -> List[int]:\n    return [v for v in l if v > 1]\n",
                         "Comprehension ifs are not supported yet"),
    "fstring_format_spec": ("def fstring_format_spec(b: float) -> str:\n    return f'{b:.2f}'\n", "Don't support formatting in JoinedStr"),
    "print_sep": ("def print_sep(a: int) -> int:\n    print(a, sep='|')\n    return a\n", None),
    "dict_fromkeys": ("def dict_fromkeys(ks: List[str]) -> Dict[str, int]:\n    return dict.fromkeys(ks, 0)\n", None),
    "dict_eq": ("def dict_eq(a: Dict[str, int], b: Dict[str, int]) -> bool:\n    return a == b\n", None),
    "str_times_int": ("def str_times_int(s: str, n: int) -> str:\n    return s * n\n", None),
    "int_pow_to_int": ("def int_pow_to_int(a: int) -> int:\n    a **= 2\n    return a\n", None),
    "empty_list_in_literal": ("def empty_list_in_literal() -> List[List[float]]:\n    return [[1.0], []]\n", None),
    "len_of_range": ("def len_of_range(n: int) -> int:\n    return len(range(n))\n", None),
    "sorted_reverse": ("def sorted_reverse(f: List[float]) -> List[float]:\n    return sorted(f, reverse=True)\n", None),
    "round_ndigits": ("def round_ndigits(f: float) -> float:\n    return round(f, 2)\n", None),
}


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "issue5_lang", math=math, Any=typing.Any, NamedTuple=typing.NamedTuple)[name]


def _arg(lib, a):
    """An argument for lib: the markers DEV / F64 are the cpu device / float64 of lib."""
    if isinstance(a, str) and a in ("DEV", "F64"):
        return lib.device("cpu") if a == "DEV" else lib.float64
    return to_lib(lib, a)


def _run(f, lib, args):
    """("ok", result) or ("raise", (class, message)) of f on args built for lib."""
    try:
        return "ok", f(*[_arg(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (compared with torch's)
        return "raise", (type(e), str(e))


def _message(text, from_torch):
    """The message proper: the last line of the report; torch's starts with the class it raised
    in the interpreter ("RuntimeError: ", "builtins.ValueError: "), which is taken off."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    last = lines[-1].strip() if lines else ""
    if from_torch and ": " in last:
        head, rest = last.split(": ", 1)
        if head.replace(".", "").replace("_", "").isalnum() and (head.endswith("Error") or head.endswith("Exception")):
            return rest
    return last


def _same(p, t):
    """same_value, with devices and named tuples (which as_pyts leaves as torch's) compared by text
    and fields."""
    if isinstance(t, torch.device) or isinstance(p, torch.device):
        assert str(p) == str(t), (p, t)
    elif isinstance(t, tuple) and hasattr(t, "_fields"):
        assert type(p).__name__ == type(t).__name__ and getattr(p, "_fields", None) == t._fields, (p, t)
        for a, b in zip(p, t):
            _same(a, b)
    elif isinstance(t, (tuple, list)):
        assert type(p) is type(t) and len(p) == len(t), (p, t)
        for a, b in zip(p, t):
            _same(a, b)
    else:
        same_value(p, t)


def _same_exception(got, want, check_message):
    gcls, gmsg = got
    wcls, wmsg = want
    assert issubclass(gcls, wcls) or (issubclass(wcls, (torch.jit.Error, RuntimeError)) and issubclass(gcls, RuntimeError)), \
        (got, want)
    if check_message:
        assert _message(gmsg, False) == _message(wmsg, True), (gmsg, wmsg)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    ft = torch.jit.script(_define(tmp_path, name, src, torch))
    fp = pyts.jit.script(_define(tmp_path, name, src, pyts))
    recompiled = torch_compile_code(fp.code, name, ft)   # pyts's .code, compiled by torch
    for i, args in enumerate(calls):
        kind, want = _run(ft, torch, args)
        k, got = _run(fp, pyts, args)
        assert k == kind, (name, args, got, want)
        if kind == "raise":
            _same_exception(got, want, (name, i) not in MESSAGE_DIFFS)
        else:
            _same(got, want)
        k, got = _run(recompiled, torch, args)
        assert k == kind, (name, args, got, want)
        if kind == "ok":
            _same(got, want)
    if same_code:
        assert fp.code == ft.code


@pytest.mark.parametrize("name", sorted(FAILS))
def test_rejected_as_by_torch(tmp_path, name):
    src, fragment = FAILS[name]
    with pytest.raises(Exception) as te:
        torch.jit.script(_define(tmp_path, name, src, torch))
    with pytest.raises(CompileError) as pe:
        pyts.jit.script(_define(tmp_path, name, src, pyts))
    if fragment:
        assert fragment in str(te.value) and fragment in str(pe.value)


def test_percent_format_bool_and_complex(tmp_path):
    """%d / %f / %e of a bool or a complex: torch fails an internal assert (its number check
    admits them, its double conversion does not); pyts raises a RuntimeError naming the kind."""
    src = "def pct_bool(b: bool, c: complex) -> List[str]:\n    return ['%d' % b, '%f' % c]\n"
    fp = pyts.jit.script(_define(tmp_path, "pct_bool", src, pyts))
    with pytest.raises(RuntimeError, match="but got Bool"):
        fp(True, 1j)
    with pytest.raises(RuntimeError):
        torch.jit.script(_define(tmp_path, "pct_bool", src, torch))(True, 1j)
