"""Value names in `.graph` are torch 2.13's: variables' values are named after them with torch's
`.N` suffixes (%x.1, %a.5, %y), which come from replaying torch's setDebugName bookkeeping
(csrc/ir/tnames.c). Compared with torch in-process: the sequence of named definitions
(`%name : Type`) of each graph, and for some graphs the whole text with temporaries renumbered
(torch numbers temporaries by every value its frontend creates and erases; pyts does not count
those). Functions whose returns, breaks or continues sit inside branches or loops are included:
torch names some of their values in its exit transform (merged Ifs clone their nodes), which
pyts replays."""
import glob
import os
import re

import pytest
import torch

import pyts
from script_diff import define
import test_code_parity as parity

HERE = os.path.dirname(__file__)
DEF = re.compile(r"%([A-Za-z_][\w.]*) : ")

SKIP = {"script_class_methods"}   # (torch cannot script a class defined by exec)

EXTRA = {
    "loop_and_join": ("def f(x, y: int):\n    a = x + 1\n    for i in range(y):\n        a = a * 2\n        x = x + a\n"
                      "    if y > 2:\n        b = a\n    else:\n        b = x\n    return b + a\n"),
    "two_loops": ("def f(x, y: int):\n    a = x + 1\n    for i in range(y):\n        a = a * 2\n"
                  "    for j in range(y):\n        a = a * 3\n    return x\n"),
    "reassign": "def f(x):\n    a = x\n    a = a + 1\n    a = a + 2\n    return a\n",
    "join_outer": ("def f(x, c: bool):\n    y = x\n    if c:\n        y = y + x\n    else:\n        y = y - x\n"
                   "    for j in range(3):\n        y = y * 2\n    return y\n"),
    "one_branch": "def f(x, c: bool):\n    y = x\n    if c:\n        y = y + x\n    y = y * 2\n    return y\n",
    "shared_literals": ("def f(n: int):\n    count = 0\n    total = 0\n    for i in range(n):\n        count += 1\n"
                        "        total = total + i\n        k = 0\n    return count, total\n"),
    "chained": "def f(n: int):\n    a = b = n\n    a += b\n    c = b\n    return a, b, c\n",
    "while_cond": ("def f(n: int):\n    i = 0\n    s = 0\n    while i < n and s < 100:\n        s = s + i\n"
                   "        i += 1\n    return s\n"),
    "refine": ("def f(x, n: Optional[int]):\n    y = x\n    if n is not None:\n        y = y * n\n"
               "    else:\n        n = 1\n    return y, n\n"),
    "ternary": "def f(a: int, b: int):\n    m = a if a < b else b\n    return m, a < b and b > 0\n",
    "unrolled": ("def f(x, s: str):\n    tup = (x, 'a', 2)\n    n = 0\n    for v in tup:\n        if isinstance(v, int):\n"
                 "            n += v\n    for t in (1, 2.5, 3):\n        x = x * t\n    return n, x\n"),
    "comprehension": "def f(d: Dict[str, int]):\n    ks = [k for k in d]\n    return len(ks), ks\n",
    "underscore": "def f(x, n: int):\n    for _ in range(n):\n        x = x * 2\n    _ = x\n    return x\n",
    # exits inside branches and loops (names through torch's exit transform)
    "ret_nested_if_for": ("def f(x, n: int):\n    y = x\n    for i in range(n):\n        if i > 1:\n"
                          "            if i % 3 == 0:\n                return y * 2\n            y = y + 1\n"
                          "        y = y * x\n    return y\n"),
    "ret_nested_if_while": ("def f(x, n: int):\n    i = 0\n    y = x\n    while i < n:\n        i += 1\n"
                            "        if i > 1:\n            if bool(y.sum() > 10):\n                return y\n"
                            "        y = y + x\n    return -y\n"),
    "break_nested_loops": ("def f(n: int):\n    t = 0\n    for i in range(n):\n        for j in range(n):\n"
                           "            if j > i:\n                break\n            t = t + j\n        t = t * 2\n"
                           "    return t\n"),
    "continue_nested_loops": ("def f(n: int):\n    t = 0\n    i = 0\n    while i < n:\n        i += 1\n"
                              "        for j in range(i):\n            if j % 2 == 1:\n                continue\n"
                              "            t += j\n        if t > 20:\n            continue\n        t = t + 1\n"
                              "    return t\n"),
    "ret_in_loop": ("def f(xs: List[int], k: int):\n    s = 0\n    for v in xs:\n        s = s + v\n"
                    "        if s > k:\n            return s, v\n    return s, -1\n"),
    "ret_in_while_true": ("def f(n: int):\n    i = 0\n    acc = 1\n    while True:\n        i += 1\n"
                          "        acc = acc * 2\n        if i >= n:\n            return acc\n"),
    "break_and_ret": ("def f(x, n: int):\n    y = x\n    for i in range(n):\n        if i == 5:\n            break\n"
                      "        if bool(y.sum() > 100):\n            return y\n        y = y * 2\n    y = y + 1\n"
                      "    return y\n"),
    "loop_in_branch_ret": ("def f(x, c: bool, n: int):\n    y = x\n    z = x\n    if c:\n"
                           "        for i in range(n):\n            y = y + z\n            z = z * 2\n"
                           "        return y + z\n    elif n > 3:\n        y = y - 1\n    return y\n"),
    "continue_carried_two": ("def f(n: int):\n    a = 0\n    b = 1\n    for i in range(n):\n        if i % 2 == 0:\n"
                             "            a = a + i\n            continue\n        b = b * 2\n        if b > 100:\n"
                             "            break\n    return a, b\n"),
    # loops inside branches (their variables are not the branch's for torch's frontend), `%` (its left
    # side read twice)
    "loop_in_branch": ("def f(x, c: bool):\n    y = x\n    if c:\n        for i in range(3):\n"
                       "            y = y + x\n    return x\n"),
    "loop_in_nested_branch_ret": ("def f(x, c: bool):\n    y = x\n    if c:\n        if c:\n"
                                  "            for i in range(3):\n                y = y + x\n            return y\n"
                                  "    return -x\n"),
    "mod_left_read_twice": ("def f(n: int, k: int):\n    for i in range(n):\n        j = k % 2\n        k = k + j\n"
                            "    return k\n"),
    "mod_of_item": "def f(xs: List[int], k: int):\n    j = xs[0] % k\n    xs = xs + [j]\n    return xs\n",
    "break_after_mod": ("def f(x, n: int):\n    i = 0\n    while i < n:\n        i += 1\n        if i % 2 == 0:\n"
                        "            break\n        x = x * x\n    return x\n"),
}


def cases():
    out = {}
    for path in sorted(glob.glob(os.path.join(HERE, "script", "*.py"))):
        name = os.path.basename(path)[:-3]
        if not name.startswith("err_"):
            with open(path) as fh:
                out[name] = fh.read()
    out.update({"parity_" + k: src for k, (_, src) in parity.SCRIPTED.items()})
    out.update({"shape_" + k: src for k, (src, _) in parity.SHAPES.items()})
    out.update(EXTRA)
    return {k: v for k, v in out.items() if k not in SKIP}


CASES = cases()


def graphs(tmp_path, name, src):
    gt = str(torch.jit.script(define(tmp_path, name, src, torch, "names")["f"]).graph)
    gp = str(pyts.jit.script(define(tmp_path, name, src, pyts, "names")["f"]).graph)
    return gp, gt


def without_temporaries(g):
    """Source locations dropped, temporaries (%<number>) renumbered in order of appearance."""
    g = re.sub(r" # .*", "", g)
    seen = {}
    return re.sub(r"%(\d+)\b", lambda m: "%t" + seen.setdefault(m.group(1), str(len(seen))), g)


@pytest.mark.parametrize("name", sorted(CASES))
def test_named_values_are_torchs(tmp_path, name):
    gp, gt = graphs(tmp_path, name, CASES[name])
    assert DEF.findall(gp) == DEF.findall(gt), (gp, gt)


# graphs equal to torch's but for the numbers of temporaries
WHOLE = ["both_branches_return", "chained_assign", "comprehensions", "conversions", "for_range", "for_tuple_unrolled",
         "if_else", "int_float_arith", "len_and_int", "namedtuple_fields", "tuple_unpack", "type_comment_per_parameter",
         "while_loop", "shape_while_carried_order", "shape_if_outputs_by_use", "reassign", "chained",
         "continue_in_while", "early_return", "shape_while_continue", "mod_left_read_twice", "break_after_mod"]


@pytest.mark.parametrize("name", WHOLE)
def test_whole_graph_is_torchs(tmp_path, name):
    gp, gt = graphs(tmp_path, name, CASES[name])
    assert without_temporaries(gp) == without_temporaries(gt)


def test_names_survive_inlining_and_archives(tmp_path):
    """.inlined_graph and a saved then loaded module name values as torch does."""
    src = ("def helper(x, k: int):\n    y = x * k\n    y = y + 1\n    return y\n\n\n"
           "class M(torch.nn.Module):\n    def forward(self, x, n: int):\n        a = helper(x, 2)\n"
           "        for i in range(n):\n            a = a + x\n        return a\n")
    mods = {lib: lib.jit.script(define(tmp_path, "inl", src, lib, "names")["M"]()) for lib in (pyts, torch)}
    assert DEF.findall(str(mods[pyts].graph)) == DEF.findall(str(mods[torch].graph))
    assert DEF.findall(str(mods[pyts].inlined_graph)) == DEF.findall(str(mods[torch].inlined_graph))
    for lib in (pyts, torch):
        lib.jit.save(mods[lib], str(tmp_path / f"m_{lib.__name__}.pt"))
    loaded = {lib: lib.jit.load(str(tmp_path / f"m_{lib.__name__}.pt")) for lib in (pyts, torch)}
    assert DEF.findall(str(loaded[pyts].graph)) == DEF.findall(str(loaded[torch].graph))


def test_module_graphs_are_torchs(tmp_path):
    """A module's forward: %self, parameters read through GetAttr (named after the attribute)."""
    src = ("class M(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.lin = torch.nn.Linear(3, 3)\n\n    def forward(self, x, h):\n"
           "        new_h = torch.tanh(self.lin(x) + h)\n        if bool(new_h.sum() > 0):\n            out = new_h\n"
           "        else:\n            out = -new_h\n        return out, new_h\n")
    mods = {lib: lib.jit.script(define(tmp_path, "mod", src, lib, "names", nn=lib.nn)["M"]()) for lib in (pyts, torch)}
    assert DEF.findall(str(mods[pyts].graph)) == DEF.findall(str(mods[torch].graph))


# the exit-shaped functions compute torch's values (the names are replayed, the graph is not changed)
CALLS = {
    "ret_nested_if_for": [(0, [1.0, 2.0], 5), (0, [1.0], 0), (0, [0.5], 2)],
    "ret_nested_if_while": [(0, [1.0, 2.0], 6), (0, [0.1], 3), (0, [1.0], 0)],
    "break_nested_loops": [(None, 4), (None, 0)],
    "continue_nested_loops": [(None, 9), (None, 0), (None, 3)],
    "ret_in_loop": [(None, [1, 2, 3, 4], 4), (None, [1, 2], 10), (None, [], 0)],
    "ret_in_while_true": [(None, 1), (None, 5)],
    "break_and_ret": [(0, [1.0], 9), (0, [30.0, 40.0], 4), (0, [1.0], 0)],
    "loop_in_branch_ret": [(0, [1.0], True, 3), (0, [1.0], False, 5), (0, [2.0], False, 1)],
    "continue_carried_two": [(None, 20), (None, 3), (None, 0)],
    "loop_in_nested_branch_ret": [(0, [1.0], True), (0, [1.0], False)],
    "mod_left_read_twice": [(None, 5, 3), (None, 0, 1)],
    "break_after_mod": [(0, [1.5], 5), (0, [1.5], 1)],
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_exit_functions_compute_torchs_values(tmp_path, name):
    fns = {lib: lib.jit.script(define(tmp_path, name, EXTRA[name], lib, "names")["f"]) for lib in (pyts, torch)}
    for call in CALLS[name]:
        tensor_at, args = call[0], list(call[1:])
        got = {}
        for lib in (pyts, torch):
            a = [lib.tensor(v) if i == tensor_at else v for i, v in enumerate(args)]
            got[lib] = fns[lib](*a)
        want, have = got[torch], got[pyts]
        if isinstance(want, torch.Tensor):
            assert have.tolist() == want.tolist(), (call, have, want)
        else:
            assert have == want, (call, have, want)
