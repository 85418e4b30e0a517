"""Value names in `.graph` are torch 2.13's: variables' values are named after them with torch's
`.N` suffixes (%x.1, %a.5, %y), which come from replaying torch's setDebugName bookkeeping
(csrc/ir/tnames.c). Compared with torch in-process: the sequence of named definitions
(`%name : Type`) of each graph, and for some graphs the whole text with temporaries renumbered
(torch numbers temporaries by every value its frontend creates and erases; pyts does not count
those). Functions whose returns, breaks or continues sit inside branches or loops are left out:
torch names their values through its exit transform, which pyts lowers differently."""
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

# exits inside branches/loops (torch's exit transform renames their values)
EXITS = {"script_class_methods"}   # (torch cannot script a class defined by exec)

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
    return {k: v for k, v in out.items() if k not in EXITS}


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
         "while_loop", "shape_while_carried_order", "shape_if_outputs_by_use", "reassign", "chained"]


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
