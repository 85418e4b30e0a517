"""`.code` of scripted and traced functions and modules is byte for byte torch's: calls of other
compiled functions (the function value, hoisted to a temporary when its name is long, and `, `
after every argument), constants (inlined everywhere, long ones assigned once at the top),
module-list item names, while-loop conditions, and traced indexing with tensor and list keys
(aten::index's List[Optional[Tensor]], the aten::to of an index made from a Python list).
tests/code_parity_sweep.py runs the same comparison over every case of the script suites."""
import io

import numpy as np
import pytest
import torch

import pyts
from script_diff import define

# name: (module name prefix (its length decides whether torch hoists the function values), source
# defining f; the case scripts f)
SCRIPTED = {
    "short_call": ("p", "def g(x: Tensor, n: int) -> Tensor:\n    return x * n\n\n\n"
                        "def f(x: Tensor) -> Tensor:\n    return g(g(x, 2), 3) + 1\n"),
    "long_call": ("parity_a_long_module_name", "def helper_fn(x: Tensor) -> Tensor:\n    return x + 1\n\n\n"
                  "def other(x: Tensor, k: int) -> Tensor:\n    return x * k\n\n\n"
                  "def f(x: Tensor, c: bool) -> Tensor:\n    y = helper_fn(x)\n    if c:\n"
                  "        y = other(helper_fn(y), 2)\n    return y\n"),
    "call_in_loop": ("parity_a_long_module_name", "def step(x: Tensor) -> Tensor:\n    return x * 2\n\n\n"
                     "def f(x: Tensor, n: int) -> Tensor:\n    for _ in range(n):\n        x = step(x)\n    return x\n"),
    "no_arg_call": ("parity_a_long_module_name", "def zero() -> int:\n    return 0\n\n\n"
                    "def f(n: int) -> int:\n    return zero() + n\n"),
    "long_string": ("p", "def f(s: str, c: bool) -> List[str]:\n    a = 'a string constant long enough to hoist'\n"
                         "    if c:\n        return [a, s]\n    return [s, 'a string constant long enough to hoist', 'short']\n"),
    # the unrolled loop's constants live in the outer block and are used in the nested ones
    "nested_block_constants": ("p", "def f(x: Tensor, k: int) -> Tensor:\n    for t in (1, 2.5, 3):\n"
                                    "        if t > k:\n            return x + t\n    return x\n"),
    # strings with non-ASCII characters go to the constant table (CONSTANTS.cN), once each
    "non_ascii_strings": ("p", "def f(s: str, k: int) -> List[str]:\n    xs = ['\u00e9', 'a', s + 'h\u00e9llo']\n"
                               "    if k > 0:\n        return xs + ['h\u00e9llo', '\u00fc']\n    return xs\n"),
    # `with torch.no_grad():` is an object of the script class torch.autograd.grad_mode.no_grad,
    # entered and exited (`with _0:`); a return in the body leaves through the Exit
    "no_grad": ("p", "def f(x: Tensor) -> Tuple[Tensor, bool, bool]:\n    with torch.no_grad():\n        y = x * 2\n"
                     "        inside = torch.is_grad_enabled()\n    return y, inside, torch.is_grad_enabled()\n"),
    "no_grad_return": ("p", "def f(x: Tensor, c: bool) -> Tensor:\n    with torch.no_grad():\n        if c:\n"
                            "            return x * 2\n        else:\n            y = x + 1\n    return y\n"),
    "while_condition": ("p", "def f(n: int) -> int:\n    s = 0\n    while True:\n        s += 1\n"
                             "        if s >= n:\n            break\n    return s\n"),
}

MODULES = {
    # module-list items read as _0, _00 (torch's normalizeAttrName of "0")
    "module_lists": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.a = nn.ModuleList([nn.ReLU(), nn.Tanh()])\n        self.b = nn.ModuleList([nn.Sigmoid(), nn.ReLU()])\n\n"
                     "    def forward(self, x):\n        for m, k in zip(self.a, self.b):\n            x = k(m(x))\n        return x\n"),
    "submodule_and_function": ("def twice(x: Tensor) -> Tensor:\n    return x * 2\n\n\n"
                               "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                               "        self.lin = nn.Linear(3, 3)\n\n    def forward(self, x):\n        return twice(self.lin(x))\n"),
}


@pytest.mark.parametrize("name", sorted(SCRIPTED))
def test_scripted_code_is_torchs(tmp_path, name):
    prefix, src = SCRIPTED[name]
    fp = pyts.jit.script(define(tmp_path, name, src, pyts, prefix)["f"])
    ft = torch.jit.script(define(tmp_path, name, src, torch, prefix)["f"])
    assert fp.code == ft.code


@pytest.mark.parametrize("name", sorted(MODULES))
def test_scripted_module_code_is_torchs(tmp_path, name):
    src = MODULES[name]
    mp = pyts.jit.script(define(tmp_path, name, src, pyts, "parity_module", nn=pyts.nn)["M"]())
    mt = torch.jit.script(define(tmp_path, name, src, torch, "parity_module", nn=torch.nn)["M"]())
    assert mp.code == mt.code
    # the archive still loads, and runs, in torch
    buf = io.BytesIO()
    pyts.jit.save(mp, buf)
    loaded = torch.jit.load(io.BytesIO(buf.getvalue()))
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    with torch.no_grad():
        want = mp(pyts.tensor(x)).detach().numpy()
        np.testing.assert_allclose(loaded(torch.tensor(x)).detach().numpy(), want, rtol=1e-5, atol=1e-6)  # float32 BLAS vs torch


X = np.arange(12, dtype=np.float32).reshape(3, 4)
TRACED = {
    "tensor_key": (lambda x, i: x[i], lambda L: (L.tensor(X), L.tensor([0, 2]))),
    "tensor_key_after_slice": (lambda x, i: x[i, 1:], lambda L: (L.tensor(X), L.tensor([2, 0]))),
    "ellipsis_tensor_key": (lambda x, i: x[..., i], lambda L: (L.tensor(X), L.tensor([1, 3]))),
    "int32_key": (lambda x, i: x[i], lambda L: (L.tensor(X), L.tensor([1], dtype=L.int32))),
    "mask_key": (lambda x: x[x > 5], lambda L: (L.tensor(X),)),
    "list_key": (lambda x: x[[0, 2]], lambda L: (L.tensor(X),)),
    "bool_list_key": (lambda x: x[[True, False, True]], lambda L: (L.tensor(X),)),
    "two_list_keys": (lambda x: x[[0, 2], [1, 3]], lambda L: (L.tensor(X),)),
}


def _set_list(x):
    x = x.clone()
    x[[0, 2]] = 1.0
    return x


def _set_tensor(x, i):
    x = x.clone()
    x[i] = 1.0
    return x


TRACED["set_list_key"] = (_set_list, lambda L: (L.tensor(X),))
TRACED["set_tensor_key"] = (_set_tensor, lambda L: (L.tensor(X), L.tensor([1])))


@pytest.mark.parametrize("name", sorted(TRACED))
def test_traced_indexing_code_is_torchs(name):
    fn, args = TRACED[name]
    tp = pyts.jit.trace(fn, args(pyts))
    tt = torch.jit.trace(fn, args(torch))
    assert tp.code == tt.code
    # the kinds of nodes, in order, are torch's (aten::to for a key made from a list)
    kinds = [ln.split("=", 1)[1].split("(")[0].strip().split("[")[0] for ln in str(tp.graph).splitlines() if " = " in ln]
    want = [ln.split("=", 1)[1].split("(")[0].strip().split("[")[0] for ln in str(tt.graph).splitlines() if " = " in ln]
    assert kinds == want
    buf = io.BytesIO()
    pyts.jit.save(tp, buf)
    loaded = torch.jit.load(io.BytesIO(buf.getvalue()))
    np.testing.assert_allclose(loaded(*args(torch)).detach().numpy(), tp(*args(pyts)).detach().numpy())


# tensor constants in .graph: {v} for one element, at::print's text up to 10 elements, else <Tensor>
CONSTANT_VALUES = [[0, 2], [True, False, True], [-5, 2, 3], [[1, 2], [3, 4]], [0.5, 1.5], [1.0, 2.0], [0.001, 0.002],
                   [1e-5, 3.0], [12345.5, 0.5], [[0.25, -1.0], [2.0, 3.5]], [100.0, 2.5], [1e10, 1.0], [3.0], [0.1],
                   [1e-8], [7], list(range(10)), list(range(11)), [123456789.0, 1.0]]


@pytest.mark.parametrize("value", CONSTANT_VALUES, ids=[str(v) for v in CONSTANT_VALUES])
def test_traced_tensor_constant_attribute_is_torchs(value):
    def constant_attr(L):
        c = L.tensor(value)
        g = str(L.jit.trace(lambda x: x + c, (L.ones(c.shape, dtype=L.float64),)).graph)
        return [ln.split(" = ", 1)[1].split(" #")[0] for ln in g.splitlines() if "prim::Constant[value=" in ln][0]
    assert constant_attr(pyts) == constant_attr(torch)


def test_non_ascii_string_constants_archive(tmp_path):
    """The constant table holds the strings: pyts's archive runs in torch and in pyts."""
    _, src = SCRIPTED["non_ascii_strings"]
    fp = pyts.jit.script(define(tmp_path, "non_ascii", src, pyts, "p")["f"])
    buf = io.BytesIO()
    pyts.jit.save(fp, buf)
    want = ["\u00e9", "a", "xh\u00e9llo", "h\u00e9llo", "\u00fc"]
    assert torch.jit.load(io.BytesIO(buf.getvalue()))("x", 1) == want
    assert pyts.jit.load(io.BytesIO(buf.getvalue()))("x", 1) == want == fp("x", 1)


# graph shapes the compiler's cleanup passes give, as torch's (name: source defining f, calls of f).
# Each case's `.code` is torch's byte for byte and f gives torch's results.
SHAPES = {
    # If/Loop outputs ordered by first use (CanonicalizeOutputs): the keep-looping flag first, the
    # exit outputs unnamed; loop-carried values in the order the code after the loop reads them
    "break_flag_first": ("def f(x: Tensor, n: int) -> Tensor:\n    for i in range(n):\n        if i > 2:\n"
                         "            break\n        x = x + x\n    return x\n", [(np.ones(2), 5), (np.ones(2), 0)]),
    "nested_break": ("def f(n: int) -> int:\n    total = 0\n    for i in range(n):\n        for j in range(n):\n"
                     "            if j > i:\n                break\n            total += 1\n    return total\n", [(4,), (0,)]),
    "while_carried_order": ("def f(limit: int) -> Tuple[int, int]:\n    steps = 0\n    v = 1\n    while v < limit:\n"
                            "        v = v * 2\n        steps += 1\n    return steps, v\n", [(100,), (0,)]),
    "if_outputs_by_use": ("def f(a: int, c: bool) -> int:\n    if c:\n        z = a\n        y = 2\n    else:\n"
                          "        y = a\n        z = 3\n    return y * 10 + z\n", [(4, True), (4, False)]),
    # constant propagation on immutable values (numbers, strs, tuples) and constant Ifs
    "fold_numbers": ("def f(x: Tensor, n: int) -> Tuple[Tensor, int, float]:\n    t = 0.0\n    for v in (1, 2.5, 3):\n"
                     "        t = t + v\n    return x * t, 3 * 4 + n, 2.0 ** 3\n", [(np.ones(2), 1)]),
    "fold_strings": ("def f(s: str) -> Tuple[str, bool, int]:\n    k = ' x '.strip()\n    if 'a' == 'b':\n"
                     "        k = k + s\n    return k, 'b' in s, len('abc')\n", [("abc",), ("",)]),
    "fold_tuple_index": ("def f(x: Tensor) -> Tensor:\n    t = (2, 3)\n    return x * t[1] + t[-2]\n", [(np.ones(2),)]),
    # a chained comparison is left-associative `and`s, one If after another
    "chained_compare": ("def f(a: int, b: int, c: int) -> Tuple[bool, bool]:\n    return 0 < a <= b < c, a > b > c\n",
                        [(1, 2, 3), (3, 2, 1), (0, 1, 2)]),
    # one Uninitialized per type, at the top of the graph
    "raise_uninitialized": ("def f(x: Tensor, n: int) -> Tensor:\n    if n < 0:\n        raise ValueError('neg')\n"
                            "    else:\n        y = x + n\n    if n > 5:\n        raise ValueError('big')\n"
                            "    else:\n        z = y * 2\n    return z\n", [(np.ones(2), 1), (np.ones(2), -1), (np.ones(2), 9)]),
    # a tuple slice is one prim::TupleIndex per item (torch's createTupleSlice)
    "tuple_slices": ("def f(x: Tuple[int, str, float], y: Tuple[int, int]) -> Tuple[Tuple[str, float], Tuple[float, str, int], "
                     "Tuple[int], Tuple[int, Tuple[int, int]]]:\n    return x[1:], x[::-1], y[:-1], (x[0], y, 5)[:2]\n",
                     [((1, "a", 2.5), (3, 4))]),
    "tuple_slice_unpack": ("def f(x: Tuple[int, int, int]) -> int:\n    a, b = x[1:]\n    return a * 10 + b\n", [((1, 2, 3),)]),
    # enumerate(xs, s) is zip(range(s, INT64_MAX), xs): prim::min of both lengths, nested zips flattened
    "enumerate_bounds": ("def f(xs: List[int], k: int) -> int:\n    t = 0\n    for i, v in enumerate(xs):\n        t += i * v\n"
                         "    for i, v in enumerate(xs, 3):\n        t += i - v\n    for i, v in enumerate(xs, start=k):\n"
                         "        t += i\n    return t\n", [([1, 2, 3], 5), ([], 0), ([4], -2)]),
    "enumerate_zip": ("def f(xs: List[int], ys: List[float]) -> float:\n    t = 0.0\n    for i, (a, b) in enumerate(zip(xs, ys)):\n"
                      "        t += i * a + b\n    for (i, a), b in zip(enumerate(xs), ys):\n        t -= i * b\n    return t\n",
                      [([1, 2, 3], [0.5, 1.5]), ([], [1.0])]),
    "zip_single": ("def f(xs: List[int]) -> int:\n    t = 0\n    for (a,) in zip(xs):\n        t += a\n    return t\n", [([1, 2],)]),
    # d.items() is aten::items, a list of (key, value) tuples the loop indexes
    "dict_items_loops": ("def f(d: Dict[str, int], e: Dict[int, float]) -> Tuple[int, float, List[str]]:\n    s = 0\n"
                         "    ks: List[str] = []\n    for k, v in d.items():\n        s += v\n        ks.append(k)\n    t = 0.0\n"
                         "    for k2, v2 in e.items():\n        t += k2 * v2\n    return s, t, ks\n",
                         [({"a": 1, "b": 2}, {3: 0.5}), ({}, {})]),
    "items_value": ("def f(d: Dict[int, str]) -> List[Tuple[int, str]]:\n    it = d.items()\n    it.append((0, 'z'))\n    return it\n",
                    [({1: "a", 2: "b"},)]),
    # list(iterable): the iterable is evaluated before the list is made (prim::list special form)
    "list_of_iterables": ("def f(n: int, xs: List[str], d: Dict[str, int]) -> Tuple[List[int], List[Tuple[int, str]], "
                          "List[Tuple[int, str]], List[Tuple[str, int]]]:\n"
                          "    return list(range(n)), list(zip(range(n), xs)), list(enumerate(xs, 1)), list(d.items())\n",
                          [(3, ["a", "b"], {"x": 1}), (0, [], {})]),
    "comprehensions": ("def f(xs: List[int], d: Dict[str, int]) -> Tuple[List[int], List[str], Dict[str, int]]:\n"
                       "    return [i * v for i, v in enumerate(xs)], [k for k, v in d.items()], {k: i for i, k in enumerate(d)}\n",
                       [([1, 2], {"a": 1, "b": 2})]),
    # a refinement is an assignment of its branch: the refined variable leaves the If (dropped
    # when unused), a loop around carries it, a raising branch gives it Uninitialized
    "refine_in_loop": ("def f(x: Optional[int], n: int) -> int:\n    s = 0\n    for i in range(n):\n"
                       "        if x is not None:\n            s += x\n    return s\n", [(2, 3), (None, 2)]),
    "refine_used_after": ("def f(x: Optional[int]) -> int:\n    r = 0\n    if x is not None:\n        r = x\n"
                          "    if x is not None:\n        r += x\n    return r\n", [(2,), (None,)]),
    "refine_raise": ("def f(x: Optional[int]) -> int:\n    if x is None:\n        raise ValueError('no')\n    return x + 1\n",
                     [(2,), (None,)]),
    "refine_raise_else": ("def f(x: Optional[int]) -> int:\n    if x is not None:\n        y = x\n    else:\n"
                          "        raise ValueError('no')\n    return x + y\n", [(2,), (None,)]),
    "assert_plain": ("def f(x: Optional[int]) -> int:\n    assert x is not None\n    return x\n", [(2,), (None,)]),
    "assert_message_union": ("def f(x: Union[int, str], y: Optional[Tensor]) -> Tensor:\n    assert isinstance(x, int), 'int'\n"
                             "    assert y is not None and x > 0\n    return y * x\n",
                             [(2, np.ones(2)), ("a", np.ones(2)), (2, None), (-1, np.ones(2))]),
    # isinstance of a value of one type is static and still refines; short-circuits and
    # conditional expressions pass their refinements on as If outputs (a Union's declared type)
    "refine_static": ("def f(x: int, y: Optional[int]) -> int:\n    if isinstance(x, int):\n        x = x + 1\n"
                      "    if isinstance(y, int) and y > 0:\n        return y + x\n    return x\n", [(2, 3), (1, None)]),
    "refine_and_or": ("def f(x: Union[int, str], y: Union[int, str]) -> int:\n    if isinstance(x, int) and isinstance(y, int):\n"
                      "        return x + y\n    if isinstance(x, str) or isinstance(y, str):\n        return 0\n    return -1\n",
                      [(1, 2), ("a", 1), (1, "b"), ("a", "b")]),
    "ternary_refine": ("def f(x: Optional[int], z: Optional[str]) -> int:\n    y = x if x is not None else 0\n"
                       "    k = len(z) if z is not None and len(z) > 1 else -1\n    return y + k\n", [(2, "ab"), (None, None), (1, "a")]),
    # a refined constant is the constant; an unrolled item takes the target's name
    "refine_unrolled_items": ("def f(x: Tensor, s: str) -> int:\n    tup = (x, 'a', 2)\n    n = 0\n    for v in tup:\n"
                              "        if isinstance(v, str):\n            if v == s:\n                n += 1\n        elif isinstance(v, int):\n"
                              "            n += v\n    return n\n", [(np.ones(1), "a"), (np.ones(1), "b")]),
    # a while loop's condition is evaluated at each continue and at the end of each path
    "while_continue": ("def f(x: Tensor, n: int) -> Tensor:\n    i = 0\n    while i < n:\n        i += 1\n"
                       "        if i % 2 == 0:\n            continue\n        x = x * 2\n    return x\n",
                       [(np.ones(2), 5), (np.ones(2), 0)]),
    "while_continue_raise": ("def f(n: int) -> int:\n    i = 0\n    while i < n:\n        i += 1\n        if i == 2:\n"
                             "            continue\n        elif i > 100:\n            raise ValueError('big')\n    return i\n",
                             [(5,), (0,), (101,)]),
    # a return in a loop: a path that does not return gives "returned" False and the value
    # Uninitialized (the exit transform's non-exiting side), not the iteration's inputs
    "return_in_for": ("def f(x: Tensor, n: int) -> Tensor:\n    for i in range(n):\n        if i == 2:\n"
                      "            return x + i\n    return x\n", [(np.ones(2), 5), (np.ones(2), 1)]),
    # return/break/continue lowered as torch's exit transform does (markers, did-exit flags, the rest
    # of a block guarded by `if exited`, consecutive Ifs merged, modified for loops given a counter)
    "ret_if_while_for": ("def f(xs: List[int], n: int) -> int:\n    t = 0\n    for v in xs:\n        i = 0\n"
                         "        while i < n:\n            i += 1\n            if v * i > 6:\n                return v * 100 + i\n"
                         "            t += i\n    return t\n", [([1, 2, 3], 3), ([1], 2), ([], 4), ([4, 1], 0)]),
    "ret_if_while_for_else": ("def f(xs: List[int], n: int) -> int:\n    t = 0\n    for v in xs:\n        i = 0\n"
                              "        while i < n:\n            i += 1\n            if v > i:\n                t += 1\n"
                              "            else:\n                if v + i == 5:\n                    return -t\n"
                              "                t -= 1\n        t = t * 2\n    return t\n",
                              [([1, 2, 3], 3), ([4, 1], 4), ([], 1), ([2, 3], 2)]),
    "break_both_branches": ("def f(xs: List[int]) -> int:\n    s = 0\n    for v in xs:\n        if v > 3:\n"
                            "            s += 100\n            break\n        else:\n            s -= 1\n            break\n"
                            "    return s\n", [([5, 1],), ([1, 5],), ([],)]),
    "break_both_while": ("def f(n: int) -> Tuple[int, int]:\n    i = 0\n    k = 0\n    while i < n:\n        i += 1\n"
                         "        if i % 3 == 0:\n            k = i\n            break\n        elif i > 7:\n            break\n"
                         "        k -= 1\n    return i, k\n", [(10,), (2,), (0,)]),
    "continue_then_break": ("def f(xs: List[int]) -> int:\n    t = 0\n    for v in xs:\n        if v % 2 == 0:\n"
                            "            continue\n        if v > 7:\n            break\n        t += v\n    return t\n",
                            [([1, 2, 3, 9, 5],), ([2, 4],), ([],)]),
    "continue_then_break_while": ("def f(n: int) -> int:\n    i = 0\n    t = 0\n    while i < n:\n        i += 1\n"
                                  "        if i == 2:\n            continue\n        t += i\n        if t > 10:\n"
                                  "            break\n    return t\n", [(10,), (3,), (0,)]),
    "ret_nested_loops_tuple": ("def f(xs: List[List[int]], t: int) -> Tuple[int, int]:\n    for i in range(len(xs)):\n"
                               "        for j in range(len(xs[i])):\n            if xs[i][j] == t:\n                return i, j\n"
                               "    return -1, -1\n", [([[1, 2], [3, 4]], 4), ([[1]], 5), ([], 0)]),
    "ret_optional_while": ("def f(xs: List[int], t: int):\n    n = len(xs)\n    while n > 0:\n        n -= 1\n"
                           "        if xs[n] == t:\n            return n\n    return None\n", [([1, 2, 1], 1), ([1], 5)]),
    "ret_raise_in_loop": ("def f(xs: List[int]) -> int:\n    s = 0\n    for v in xs:\n        if v < 0:\n"
                          "            raise ValueError('neg')\n        elif v == 0:\n            return s\n        s += v\n"
                          "    return -s\n", [([1, 2],), ([1, 0, 2],), ([1, -1],)]),
    "while_true_break_return": ("def f(n: int) -> int:\n    i = 0\n    while True:\n        i += 1\n        if i > n:\n"
                                "            break\n        if i * i == n:\n            return i\n    return -i\n",
                                [(9,), (5,), (0,)]),
}


# 12 ifs holding returns one after another, then a loop breaking and returning: each path computes
# what torch's does (the exit transform guards the rest of the body, nothing is copied)
MANY_RETURNS = ("def f(n: int, xs: List[int]) -> int:\n"
                + "".join(f"    if n == {i}:\n        if len(xs) > {i % 3}:\n            return xs[0] * {i}\n"
                          f"        n = n + {i}\n" for i in range(12))
                + "    for v in xs:\n        if v > n:\n            break\n        if v == n - 1:\n            return -v\n"
                "    return n\n")


def test_many_returns_compute_torchs_values(tmp_path):
    fp = pyts.jit.script(define(tmp_path, "many_returns", MANY_RETURNS, pyts, "shape")["f"])
    ft = torch.jit.script(define(tmp_path, "many_returns", MANY_RETURNS, torch, "shape")["f"])
    assert fp.code == ft.code
    for n in (-1, 0, 3, 5, 11, 40, 66):
        for xs in ([], [7], [1, 2, 3], [100, 1], [65, 2]):
            assert fp(n, xs) == ft(n, xs), (n, xs)


def _outcome(fn, args):
    try:
        r = fn(*args)
    except Exception:  # noqa: BLE001  (torch raises torch.jit.Error for a scripted raise)
        return "raised"
    if isinstance(r, tuple):
        return tuple(v.detach().numpy().tolist() if hasattr(v, "numpy") else v for v in r)
    return r.detach().numpy().tolist() if hasattr(r, "numpy") else r


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_graph_shape_code_is_torchs(tmp_path, name):
    src, calls = SHAPES[name]
    fp = pyts.jit.script(define(tmp_path, name, src, pyts, "shape")["f"])
    ft = torch.jit.script(define(tmp_path, name, src, torch, "shape")["f"])
    assert fp.code == ft.code
    for args in calls:
        a_p = tuple(pyts.tensor(a) if isinstance(a, np.ndarray) else a for a in args)
        a_t = tuple(torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args)
        assert _outcome(fp, a_p) == _outcome(ft, a_t)


def _graph_structure(g):
    """A graph's text without value names and numbers and source ranges: node kinds, attributes,
    types and how values flow (each value as the position of its definition)."""
    import re
    text = re.sub(r" # [^\n]*", "", str(g))
    names = {}
    for m in re.finditer(r"%([\w.]+)", text):
        names.setdefault(m.group(1), len(names))
    return re.sub(r"%([\w.]+)", lambda m: f"%v{names[m.group(1)]}", text)


GRAPHS = {
    # constants pooled at the top of the graph in the order they are first used
    "pooled_constants": "def f(a: int) -> int:\n    b = a + 5\n    c = b * 7\n    if c > 100:\n        c = c - 11\n    return c - 9\n",
    "tensor_properties": "def f(x: Tensor):\n    d = x.dtype\n    v = x.device\n    y = x * 2\n"
                         "    return d, v, y.requires_grad\n",
    # not yet: torch puts the constants of schema defaults (alpha=1 ...) before the others
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_structure_is_torchs(tmp_path, name):
    src = GRAPHS[name]
    fp = pyts.jit.script(define(tmp_path, name, src, pyts, "shape")["f"])
    ft = torch.jit.script(define(tmp_path, name, src, torch, "shape")["f"])
    assert _graph_structure(fp.graph) == _graph_structure(ft.graph)
