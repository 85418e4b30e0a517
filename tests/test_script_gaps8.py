"""Differences between pyts.jit.script and torch.jit.script closed in session 8: dicts keyed by
float, bool, complex and Tensor (Tensor keys by identity) in script, from Python and in archives
both ways; sorted()/list.sort() over the element types torch sorts (and torch's refusal of
sorted(xs, reverse=...)); tensor attributes and methods; the torch.functional calls torch compiles
from its Python source. Every case is compiled from the same source by both libraries: results,
exception classes, torch's messages and the `.code` texts are compared."""
import io
import re
import sys
import types
import typing

import numpy as np
import pytest
import torch

import pyts
from pyts.jit import CompileError
from script_diff import NAMES, same_value, to_lib


def _module(tmp_path, name, src, lib):
    """src run as module gaps8_<name> (in sys.modules while compiling) with `torch` = lib"""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType(f"gaps8_{name}")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, Any=typing.Any, NamedTuple=typing.NamedTuple,
                        math=__import__("math"), **NAMES)
    sys.modules[mod.__name__] = mod
    exec(compile(src, str(path), "exec"), mod.__dict__)
    return mod


def _script(tmp_path, name, src, lib, attr=None):
    mod = _module(tmp_path, name, src, lib)
    try:
        obj = getattr(mod, attr or name)
        return lib.jit.script(obj() if isinstance(obj, type) else obj)
    finally:
        del sys.modules[mod.__name__]


def _message(e):
    """What a run-time error says: torch wraps it in its interpreter traceback, whose last line is
    the error itself (pyts's is the last line of its message too)."""
    s = str(e).strip()
    if "TorchScript interpreter" in s:
        lines = s.split("\n")
        last = max(i for i, ln in enumerate(lines) if re.match(r"^\w+(Error|Exception): ", ln))
        s = "\n".join(lines[last:]).split(": ", 1)[1]
    return s.replace("torch.Tensor", "pyts.Tensor")


def _run(f, lib, args):
    try:
        return "ok", f(*[to_lib(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (class and message are compared)
        return "raise", e


def _same(p, t):
    """same_value, with Tensor dict keys compared by value in order (they are other objects)"""
    if isinstance(t, dict) and any(isinstance(k, torch.Tensor) for k in t):
        assert isinstance(p, dict) and len(p) == len(t)
        for (kp, vp), (kt, vt) in zip(p.items(), t.items()):
            same_value(kp, kt)
            same_value(vp, vt)
    elif isinstance(t, (list, tuple)):
        assert type(p) is type(t) and len(p) == len(t), (p, t)
        for a, b in zip(p, t):
            _same(a, b)
    else:
        same_value(p, t)


def _compare(tmp_path, name, src, calls, code=True):
    fp = _script(tmp_path, name, src, pyts)
    ft = _script(tmp_path, name, src, torch)
    if code:
        assert fp.code == ft.code, (fp.code, ft.code)
    for args in calls:
        kt, vt = _run(ft, torch, args)
        kp, vp = _run(fp, pyts, args)
        assert kp == kt, (name, args, vp, vt)
        if kt == "ok":
            _same(vp, vt)
        else:
            assert isinstance(vp, RuntimeError) and isinstance(vt, RuntimeError), (name, args, vp, vt)
            assert _message(vp) == _message(vt), (name, args)


def _compile_text(e):
    """the message of a compile error without its source location (torch ends it with ':')"""
    s = str(e).strip("\n")
    cut = s.find("\n  File ")
    s = s[:cut] if cut >= 0 else s
    s = s.strip().rstrip(":").strip()
    # torch introduces its source location so after a list of overloads
    return s[:-len("The original call is")].strip() if s.endswith("The original call is") else s


A = np.array([3.0, 1.0, 2.0], dtype=np.float32)

# ---- dicts keyed by float, bool, complex and Tensor
DICTS = {
    "d_float": ("def d_float(x: float):\n    d: Dict[float, int] = {1.5: 1, 2.0: 2}\n    d[x] = 3\n"
                "    return d, x in d, list(d.keys()), d.values(), d.items()\n", [(1.5,), (3.0,), (-0.0,)]),
    "d_bool": ("def d_bool(b: bool):\n    d = {True: 1}\n    d[b] = 5\n    return d, b in d\n", [(True,), (False,)]),
    "d_complex": ("def d_complex(c: complex):\n    d: Dict[complex, int] = {1j: 1}\n    d[c] = 5\n    return d, c in d\n",
                  [(1j,), (2 + 1j,)]),
    "d_tensor": ("def d_tensor(t: Tensor):\n    d: Dict[Tensor, int] = {t: 1}\n    d[t] = 2\n    return len(d), t in d, d[t], d\n",
                 [(A,)]),
    "d_arg": ("def d_arg(d: Dict[float, int]):\n    d[0.5] = 1\n    return d\n", [({1.5: 2},), ({},)]),
    "d_argb": ("def d_argb(d: Dict[bool, str], e: Dict[complex, float]):\n    return d, e\n", [({True: 'a', False: 'b'}, {1j: 0.5})]),
    "d_iter": ("def d_iter(d: Dict[float, int]):\n    s = 0.0\n    for k in d:\n        s += k\n"
               "    for k, v in d.items():\n        s += v\n    return s\n", [({1.5: 2, 0.5: 1},)]),
    "d_ctor": ("def d_ctor(xs: List[Tuple[float, int]]):\n    d = dict(xs)\n    return d\n", [([(1.5, 2), (0.5, 1), (1.5, 3)],)]),
    "d_ctor2": ("def d_ctor2(d: Dict[float, int]):\n    return dict(d), d.get(1.5), d.pop(1.5), d\n", [({1.5: 2, 0.5: 1},)]),
    "d_comp": ("def d_comp(xs: List[float]):\n    return {x: i for i, x in enumerate(xs)}, {b: 1 for b in [True, False]}\n",
               [([1.5, 2.5, 1.5],)]),
    "d_miss": ("def d_miss(d: Dict[float, int]):\n    return d[7.0]\n", [({1.5: 2},)]),
    "d_missb": ("def d_missb(d: Dict[bool, int]):\n    return d[False]\n", [({True: 2},)]),
    "d_missc": ("def d_missc(d: Dict[complex, int]):\n    del d[2j]\n    return d\n", [({1j: 1},)]),
    "d_misst": ("def d_misst(a: Tensor):\n    d: Dict[Tensor, int] = {a: 1}\n    return d[a + 1]\n",
                [(A,), (np.array(2.0, dtype=np.float32),), (np.array([3, 4]),)]),
    "d_methods": ("def d_methods(d: Dict[float, int], k: float):\n    e = d.copy()\n    e.update({9.5: 9})\n    a = e.get(k)\n"
                  "    b = e.get(k, -1)\n    c = e.setdefault(k, 4)\n    p = e.pop(k)\n    q = e.pop(100.0, 0)\n"
                  "    it = e.popitem()\n    del e[9.5]\n    n = len(e)\n    f = dict(e)\n    e.clear()\n"
                  "    return a, b, c, p, q, it, n, f, e\n", [({1.5: 2, 0.5: 1}, 1.5), ({1.5: 2, 0.5: 1}, 2.5), ({-0.0: 1}, 0.0)]),
    "d_methods_bool": ("def d_methods_bool(d: Dict[bool, float], k: bool):\n    e = d.copy()\n    a = e.get(k)\n"
                       "    c = e.setdefault(k, 4.0)\n    return a, c, e.keys(), e.values(), e.items(), e.pop(k), e\n",
                       [({True: 2.0}, True), ({True: 2.0}, False)]),
    "d_methods_complex": ("def d_methods_complex(d: Dict[complex, str], k: complex):\n    s = ''\n    for x in d:\n"
                          "        s += d[x]\n    return s, k in d, d.get(k, 'none'), list(d.keys())\n",
                          [({1j: 'a', 2 + 0j: 'b'}, 1j), ({1j: 'a'}, 3j)]),
    "d_methods_tensor": ("def d_methods_tensor(a: Tensor, b: Tensor):\n    d: Dict[Tensor, str] = {}\n    d[a] = 'a'\n    d[b] = 'b'\n"
                         "    d[a] = 'A'\n    c = a.clone()\n"
                         "    return len(d), d[a], d[b], c in d, d.get(c, 'none'), d.pop(b), len(d), list(d.values())\n",
                         [(A, A)]),
    "d_literals": ("def d_literals(x: float):\n    d = {1.0: 'a', x: 'b'}\n    e = {1j: 2, 2j: 3}\n    f = {False: 0.5}\n"
                   "    return d, e, f\n", [(1.0,), (2.0,)]),
    "d_nested": ("def d_nested(d: Dict[float, List[int]]):\n    d[0.5].append(1)\n    return d\n", [({0.5: [1]},)]),
    "d_sorted_keys": ("def d_sorted_keys(d: Dict[float, int]):\n    return sorted(d.keys())\n", [({0.5: 1, -1.5: 2},)]),
    "d_str": ("def d_str(d: Dict[float, int], e: Dict[bool, str], f: Dict[complex, int]):\n    return str(d), str(e), str(f)\n",
              [({0.5: 1, 2.0: 2}, {True: 'x'}, {1j: 1, 1 + 2j: 2})]),
    "d_empty": ("def d_empty():\n    d: Dict[bool, int] = {}\n    d[True] = 1\n    return d\n", [()]),
}


@pytest.mark.parametrize("name", sorted(DICTS))
def test_dict_keys(tmp_path, name):
    src, calls = DICTS[name]
    _compare(tmp_path, name, src, calls)


DICT_MODULE = '''
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.df: Dict[float, int] = {1.5: 1, -2.0: 2}
        self.db: Dict[bool, str] = {True: "t", False: "f"}
        self.dc: Dict[complex, float] = {1j: 1.0, 2 + 0.5j: 2.5}
        self.t = torch.ones(2)
        self.dt: Dict[Tensor, int] = {self.t: 3}

    def forward(self, x: float):
        self.df[x] = 7
        return self.df, self.db, self.dc, len(self.dt), self.t in self.dt, self.dt[self.t]
'''


@pytest.mark.parametrize("src_lib,dst_lib", [(pyts, torch), (torch, pyts)], ids=["pyts_saves", "torch_saves"])
def test_dict_key_attributes_in_archives(tmp_path, src_lib, dst_lib):
    """module attributes of the new dict types: one library saves, the other loads and runs; the
    Tensor key stays the module's tensor (identity survives the archive)"""
    m = _script(tmp_path, "dictmod", DICT_MODULE, src_lib, "M")
    buf = io.BytesIO()
    src_lib.jit.save(m, buf)
    buf.seek(0)
    loaded = dst_lib.jit.load(buf)
    got, want = loaded(0.5), m(0.5)
    assert got[:3] == want[:3] and got[3:] == (1, True, 3)
    assert list(loaded.dc) == [1j, 2 + 0.5j] and loaded.dc[1j] == 1.0
    assert [type(k) for k in loaded.db] == [bool, bool]
    mine = _script(tmp_path, "dictmod", DICT_MODULE, dst_lib, "M")
    assert loaded.code == mine.code


# ---- sorted() and list.sort() over every element type torch sorts
T3 = [np.array([3.0], dtype=np.float32), np.array([1.0], dtype=np.float32), np.array([2.0], dtype=np.float32)]
SORTS = {
    "s_int": ("def s_int(xs: List[int]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n", [([3, 1, 2],), ([],)]),
    "s_float": ("def s_float(xs: List[float]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n",
                [([3., 1.5, 2., -0.0, 0.0],)]),
    "s_bool": ("def s_bool(xs: List[bool]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n",
               [([True, False, True],), ([],)]),
    "s_str": ("def s_str(xs: List[str]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n",
              [(["b", "a", "c", "ab", ""],)]),
    "s_tensor": ("def s_tensor(xs: List[Tensor]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n",
                 [(T3,), ([np.ones(2, np.float32), np.zeros(2, np.float32)],), ([],)]),
    "s_tuple": ("def s_tuple(xs: List[Tuple[int, str]]):\n    ys = sorted(xs)\n    xs.sort(reverse=True)\n    return ys, xs\n",
                [([(1, 'b'), (0, 'c'), (1, 'a')],), ([],)]),
    "s_tuple_tensor": ("def s_tuple_tensor(xs: List[Tuple[int, Tensor]]):\n    return sorted(xs)\n",
                       [([(1, T3[0]), (0, T3[1])],), ([(1, T3[0]), (1, T3[1])],)]),
    "s_opt": ("def s_opt(xs: List[Optional[int]]):\n    return sorted(xs)\n", [([3, 1, 2],), ([],), ([None, None],)]),
    "s_opt_sort": ("def s_opt_sort(xs: List[Optional[int]]):\n    xs.sort(reverse=True)\n    return xs\n", [([3, 1, 2],), ([],)]),
    "s_nested": ("def s_nested(xs: List[List[int]]):\n    return sorted(xs)\n", [([[2], [1]],), ([],)]),
    "s_rev_arg": ("def s_rev_arg(xs: List[int], r: bool):\n    xs.sort(reverse=r)\n    return xs\n", [([3, 1, 2], True), ([3, 1, 2], False)]),
}


@pytest.mark.parametrize("name", sorted(SORTS))
def test_sorts(tmp_path, name):
    src, calls = SORTS[name]
    _compare(tmp_path, name, src, calls)


def _sort_order(lib, f, vals, *extra):
    """the identities of f's result, as positions in the input list (ties of equal tensors)"""
    ts = [lib.tensor([float(v)]) for v in vals]
    ids = {id(t): i for i, t in enumerate(ts)}
    out = f(list(ts), *extra)
    return [ids[id(o)] for o in out]


@pytest.mark.parametrize("vals", [[1, 2, 1, 3, 2, 1], [2, 2, 2], [4, 0, 1, 3, 3, 4, 1, 4, 4, 4, 4, 0, 2, 2, 1, 4, 3, 2, 0, 4, 4, 0,
                                                                     1, 2, 4, 1, 0, 2, 1, 4, 4, 1, 0, 4, 1, 2, 3, 0, 2, 2]])
def test_sorted_tensor_ties_in_torchs_order(tmp_path, vals):
    """equal tensors (other objects) end where torch's std::sort leaves them: sorted() and
    ascending sort(); a descending sort with ties of more than 16 tensors is undefined in torch
    (its comparator holds both ways, and its interpreter fails), so it is compared on short lists"""
    src = ("def srt(xs: List[Tensor]):\n    return sorted(xs)\n"
           "def srt2(xs: List[Tensor], r: bool):\n    xs.sort(reverse=r)\n    return xs\n")
    fp, ft = _script(tmp_path, "srt", src, pyts), _script(tmp_path, "srt", src, torch)
    gp, gt = _script(tmp_path, "srt", src, pyts, "srt2"), _script(tmp_path, "srt", src, torch, "srt2")
    assert _sort_order(pyts, fp, vals) == _sort_order(torch, ft, vals)
    assert _sort_order(pyts, gp, vals, False) == _sort_order(torch, gt, vals, False)
    if len(vals) <= 16:
        assert _sort_order(pyts, gp, vals, True) == _sort_order(torch, gt, vals, True)
    else:   # never crashes, and sorts
        got = _sort_order(pyts, gp, vals, True)
        assert sorted(got) == list(range(len(vals))) and [vals[i] for i in got] == sorted(vals, reverse=True)


SORT_ERRORS = {
    "sorted_reverse": "def sorted_reverse(xs: List[int]):\n    return sorted(xs, reverse=True)\n",
    "sorted_key": "def sorted_key(xs: List[str]):\n    return sorted(xs, key=None)\n",
    "sorted_reverse_float": "def sorted_reverse_float(xs: List[float]):\n    return sorted(xs, reverse=False)\n",
}


@pytest.mark.parametrize("name", sorted(SORT_ERRORS))
def test_sorted_keywords_rejected_like_torch(tmp_path, name):
    with pytest.raises(RuntimeError) as te:
        _script(tmp_path, name, SORT_ERRORS[name], torch)
    with pytest.raises(CompileError) as pe:
        _script(tmp_path, name, SORT_ERRORS[name], pyts)
    assert _compile_text(pe.value) == _compile_text(te.value)
