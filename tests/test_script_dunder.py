"""Language gaps of issue 5 against torch.jit.script of the same source: Python syntax on
script-class objects calling their magic methods (`v + w` is `(v).__add__(w, )`, `x in v`
__contains__, `v[i]` __getitem__, len/str/int/float/bool/round/hex __len__..., conditions
__bool__, `v += k` __iadd__ or __add__), getattr(x, "name") of Tensors, for loops over a str,
pyts.jit.Attribute and pyts.jit._overload. Results (or the exception class), `.code` (the same
text as torch's, and torch compiling it), and archives saved by pyts run by torch.jit.load."""
import io
import sys
import types

import numpy as np
import pytest
import torch

import pyts
import pyts.jit
import typing
from typing import Dict

from script_diff import NAMES, as_pyts, same_outcomes, outcome, same_value
from test_print_code import torch_compile_code

# a script class with every magic method torch maps (and one without any)
PRELUDE = '''
class V:
    def __init__(self, xs: List[int]):
        self.xs = xs

    def __add__(self, o: "V") -> "V":
        return V([a + b for a, b in zip(self.xs, o.xs)])

    def __sub__(self, k: int) -> "V":
        return V([a - k for a in self.xs])

    def __mul__(self, k: int) -> "V":
        return V([a * k for a in self.xs])

    def __truediv__(self, k: float) -> List[float]:
        return [a / k for a in self.xs]

    def __mod__(self, k: int) -> "V":
        return V([a % k for a in self.xs])

    def __pow__(self, k: int) -> int:
        r = 1
        for i in range(k):
            r = r * len(self.xs)
        return r

    def __and__(self, k: int) -> "V":
        return V([a & k for a in self.xs])

    def __or__(self, k: int) -> "V":
        return V([a | k for a in self.xs])

    def __xor__(self, k: int) -> "V":
        return V([a ^ k for a in self.xs])

    def __lshift__(self, k: int) -> "V":
        return V([a << k for a in self.xs])

    def __rshift__(self, k: int) -> "V":
        return V([a >> k for a in self.xs])

    def __eq__(self, o: "V") -> bool:
        return self.xs == o.xs

    def __ne__(self, o: "V") -> bool:
        return self.xs != o.xs

    def __lt__(self, o: "V") -> bool:
        return sum(self.xs) < sum(o.xs)

    def __le__(self, o: "V") -> bool:
        return sum(self.xs) <= sum(o.xs)

    def __gt__(self, o: "V") -> bool:
        return sum(self.xs) > sum(o.xs)

    def __ge__(self, o: "V") -> bool:
        return sum(self.xs) >= sum(o.xs)

    def __len__(self) -> int:
        return len(self.xs)

    def __getitem__(self, i: int) -> int:
        return self.xs[i]

    def __setitem__(self, i: int, v: int) -> None:
        self.xs[i] = v

    def __contains__(self, v: int) -> bool:
        return v in self.xs

    def __str__(self) -> str:
        return "V" + str(len(self.xs))

    def __bool__(self) -> bool:
        return len(self.xs) > 0

    def __int__(self) -> int:
        return sum(self.xs)

    def __float__(self) -> float:
        return float(sum(self.xs)) / 2

    def __round__(self) -> int:
        return len(self.xs) * 10

    def __hex__(self) -> str:
        return hex(sum(self.xs))

    def __oct__(self) -> str:
        return oct(len(self.xs))

    def __neg__(self) -> "V":
        return V([-a for a in self.xs])

    def __invert__(self) -> "V":
        return V([-a - 1 for a in self.xs])

    def __iadd__(self, k: int) -> "V":
        self.xs.append(k)
        return self

    def total(self) -> int:
        # magic methods used inside the class itself (compiled on demand)
        if self:
            return len(self) + self[0] + int(self) + int(0 in self)
        return -1


class N:
    def __init__(self, x: int):
        self.x = x


class IntBool:
    def __init__(self):
        self.x = 1

    def __bool__(self) -> int:
        return self.x
'''

A, B = [3, -1, 4], [1, 5, 9]
# name: (body of def <name>(a: List[int], b: List[int], k: int), calls)
CASES = {
    "binary": ("    v = V(a)\n    w = V(b)\n"
               "    return (v + w).xs, (v - k).xs, (v * k).xs, v / 2.0, (v % 3).xs, v ** k, (v & k).xs,"
               " (v | k).xs, (v ^ k).xs, (v << 2).xs, (v >> 1).xs\n", [(A, B, 2), (A, B, 0), ([], [], 3)]),
    "compare": ("    v = V(a)\n    w = V(b)\n"
                "    return v == w, v != w, v < w, v <= w, v > w, v >= w, v < w < V([100]), v == V(a)\n",
                [(A, B, 0), (B, A, 0), (A, A, 0)]),
    "container": ("    v = V(a)\n    return len(v), v[k], k in v, k not in v, v[-1]\n",
                  [(A, B, 1), (A, B, 2), (A, B, -3), ([4], B, 0), ([4], B, -1)]),
    "setitem": ("    v = V(a)\n    v[k] = 7\n    v[0] = v[0] + 1\n    return v.xs\n", [(A, B, 1), (A, B, -1), (A, B, 0)]),
    "builtins": ("    v = V(a)\n    return str(v), int(v), float(v), bool(v), bool(V(b)), round(v), hex(v), oct(v), len(str(v))\n",
                 [(A, B, 0), ([], [], 0), ([255], [], 0)]),
    "cond": ("    v = V(a)\n    r = 0\n    if v:\n        r = 1\n    while V(b) and r < 5:\n        r += 2\n"
             "        b = b[1:]\n    assert v or k > 0\n    return r, not v, v and V(b), 5 if v else 6\n",
             [(A, B, 0), ([], B, 1), ([], [], 3), ([], B, 0)]),
    "unary": ("    v = V(a)\n    return (-v).xs, (~v).xs, (-(-v)).xs\n", [(A, B, 0), ([], [], 0)]),
    "aug": ("    u = V(a)\n    u += k\n    u -= 1\n    u *= 2\n    w = V(b)\n    w += 3\n    return u.xs, w.xs\n",
            [(A, B, 5), ([], [], 0)]),
    "inside": ("    return V(a).total()\n", [(A, B, 0), ([], B, 0), ([0, 2], B, 0)]),
    "getattr_tensor": ("    x = torch.zeros(len(a), k + 1)\n    return getattr(x, 'shape'), getattr(x, 'ndim'), getattr(x, 'dtype'), "
                "getattr(x, 'T').size(0)\n", [(A, B, 2), ([], B, 0)]),
    "str_iter": ("    s = 'ab' + str(k)\n    r: List[str] = []\n    for c in s:\n        r.append(c + c)\n"
                 "    return r, [c + '.' for c in s]\n", [(A, B, 7), (A, B, -3)]),
    "str_enumerate": ("    n = 0\n    t = ''\n    for i, c in enumerate('xyz' + str(k)):\n        n += i\n        t = c + t\n"
                      "    return n, t, [c for c in '']\n", [(A, B, 7), (A, B, 10)]),
}

_MODS = {}


def _script(tmp_path, name, src, lib):
    """Script def <name> of src, run as module dunder_<name> with `torch` = lib: a real module (in
    sys.modules while compiling) so that both libraries find the classes' source."""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType(f"dunder_{name}")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, **NAMES)
    exec(compile(src, str(path), "exec"), mod.__dict__)
    sys.modules[mod.__name__] = mod
    try:
        f = getattr(mod, name)
        if isinstance(f, type) and issubclass(f, lib.nn.Module):
            f = f()
        return lib.jit.script(f)
    finally:
        del sys.modules[mod.__name__]


def _source(name, body):
    return PRELUDE + f"\n\ndef {name}(a: List[int], b: List[int], k: int):\n" + body


# cases whose printed code is torch's text (elsewhere pyts names or inlines some locals differently)
SAME_CODE = {"binary", "compare", "container", "builtins", "unary", "aug", "inside", "getattr_tensor", "str_iter"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(tmp_path, name):
    body, calls = CASES[name]
    src = _source(name, body)
    fp = _script(tmp_path, name, src, pyts)
    ft = _script(tmp_path, name, src, torch)
    if name in SAME_CODE:
        assert fp.code == ft.code
    recompiled = torch_compile_code(fp.code, name, ft)
    same_outcomes(fp, ft, recompiled, name, calls, outcome)


MODULE = PRELUDE + '''

class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 2

    def forward(self, x: Tensor, a: List[int]):
        v = V(a)
        v += self.k
        v[0] = -v[0]
        s = 0
        for c in str(v):
            s += 1
        if v and 3 in v:
            x = x * len(v)
        return x + int(v) + float(v), (v * 3 + v).xs, v == V(a), str(v), s, getattr(x, 'shape')
'''


def test_module_archive_loads_in_torch(tmp_path):
    """a module using the magic methods: pyts's archive (its printed code of V too) runs in torch,
    and torch's archive runs in pyts, with the scripted results"""
    mp = _script(tmp_path, "M", MODULE, pyts)
    mt = _script(tmp_path, "M", MODULE, torch)
    assert mp.code == mt.code
    buf = io.BytesIO()
    pyts.jit.save(mp, buf)
    back = torch.jit.load(io.BytesIO(buf.getvalue()))
    buf = io.BytesIO()
    torch.jit.save(mt, buf)
    there = pyts.jit.load(io.BytesIO(buf.getvalue()))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for a in ([1, 2, 3], [], [5, 3]):
        want = mt(torch.tensor(x), list(a))
        same_value(mp(pyts.tensor(x), list(a)), want)
        same_value(as_pyts(back(torch.tensor(x), list(a))), want)
        same_value(there(pyts.tensor(x), list(a)), want)


# misuse: both libraries refuse to compile (pyts's CompileError is a RuntimeError, as torch's)
BAD = {   # name: (body, a fragment of both libraries' message)
    "no_method": ("    return (N(k) + N(k)).x\n", "object has no attribute or method '__add__'"),
    "no_len": ("    return len(N(k))\n", "object has no attribute or method '__len__'"),
    "no_getitem": ("    return N(k)[0]\n", "object has no attribute or method '__getitem__'"),
    "no_setitem": ("    n = N(k)\n    n[0] = 1\n    return 0\n", "object has no attribute or method '__setitem__'"),
    "no_contains": ("    return 1 in N(k)\n", "object has no attribute or method '__contains__'"),
    "no_bool": ("    if N(k):\n        return 1\n    return 0\n", "Could not cast value of type"),
    "no_bool_call": ("    return bool(N(k))\n", "object has no attribute or method '__bool__'"),
    "no_str": ("    return str(N(k))\n", "object has no attribute or method '__str__'"),
    "no_eq": ("    return N(k) == N(k)\n", "object has no attribute or method '__eq__'"),
    "no_neg": ("    return -N(k)\n", "object has no attribute or method '__neg__'"),
    "floordiv": ("    return V(a) // 2\n", "Arguments for call are not valid"),
    "matmul": ("    return V(a) @ V(b)\n", "Arguments for call are not valid"),
    "reflected": ("    return (3 * V(a)).xs\n", "Arguments for call are not valid"),
    "abs_object": ("    return abs(V(a))\n", "Arguments for call are not valid"),
    "slice": ("    return V(a)[1:2]\n", ""),
    "multi_index": ("    return V(a)[1, 2]\n", "multidimensional indexing on a non-tensor type"),
    "aug_pow": ("    u = V(a)\n    u **= 2\n    return 0\n", "Unknown augmented assignment"),
    "aug_or": ("    u = V(a)\n    u |= 2\n    return 0\n", "Unknown augmented assignment"),
    "aug_subscript": ("    u = V(a)\n    u[0] += 2\n    return 0\n", "augmented assignment"),
    "for_object": ("    s = 0\n    for x in V(a):\n        s += x\n    return s\n", ""),
    "bool_not_bool": ("    if IntBool():\n        return 1\n    return 0\n",
                      "expected a bool expression for condition but found int"),
    "getattr_method": ("    x = torch.zeros(2)\n    return getattr(x, 'sum')\n", ""),
    "getattr_missing": ("    x = torch.zeros(2)\n    return getattr(x, 'nope')\n", ""),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_misuse_rejected_like_torch(tmp_path, name):
    body, fragment = BAD[name]
    src = _source(name, body)
    with pytest.raises(Exception) as te:
        _script(tmp_path, name, src, torch)
    with pytest.raises(pyts.jit.CompileError) as pe:
        _script(tmp_path, name, src, pyts)
    assert isinstance(pe.value, RuntimeError) and isinstance(te.value, RuntimeError), (te.value, pe.value)
    assert fragment in str(pe.value) and fragment in str(te.value), (str(pe.value), str(te.value))


# ---- pyts.jit.Attribute: a module attribute of a declared type ----
ATTRIBUTE = '''
class M(torch.nn.Module):
    def __init__(self, start: int):
        super().__init__()
        self.d = torch.jit.Attribute({}, Dict[str, int])
        self.l = torch.jit.Attribute([], List[float])
        self.o = torch.jit.Attribute(None, Optional[int])
        self.n = torch.jit.Attribute(start, float)
        self.t = torch.jit.Attribute([torch.ones(2)], List[Tensor])
        self.u = torch.jit.Attribute(start, Union[int, str])

    def forward(self, k: str, x: Tensor):
        self.d[k] = len(self.d)
        self.l.append(self.n)
        o = self.o
        if o is None:
            self.o = 4
        else:
            self.o = o + 1
        self.t.append(x)
        u = self.u
        if isinstance(u, int):
            self.u = str(u)
        return len(self.d) + len(self.l), self.d, self.l, self.o, self.n * 2, torch.stack(self.t).sum(0), self.u
'''


def _attribute_module(tmp_path, lib, start=3, src=ATTRIBUTE):
    path = tmp_path / f"attr_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType("dunder_attr")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, **NAMES)
    exec(compile(src, str(path), "exec"), mod.__dict__)
    sys.modules[mod.__name__] = mod
    try:
        m = mod.M(start)
        return m, lib.jit.script(m)
    finally:
        del sys.modules[mod.__name__]


def test_attribute_against_torch(tmp_path):
    ep, sp = _attribute_module(tmp_path, pyts)
    et, st = _attribute_module(tmp_path, torch)
    # in Python the attribute holds the (value, type) pair, as torch's
    assert isinstance(ep.d, pyts.jit.Attribute) and isinstance(et.d, torch.jit.Attribute)
    assert (ep.d.value, ep.d.type, ep.n.value) == (et.d.value, et.d.type, et.n.value) == ({}, Dict[str, int], 3)
    assert sp.code == st.code
    # the declared types: the float attribute holds 3.0 as torch's, empty containers are typed
    assert type(sp.n) is type(st.n) is float and sp.n == st.n == 3.0
    buf = io.BytesIO()
    pyts.jit.save(sp, buf)
    back = torch.jit.load(io.BytesIO(buf.getvalue()))
    x = np.array([1.0, -2.0], dtype=np.float32)
    for k in ("a", "b", "a"):
        want = st(k, torch.tensor(x))
        same_value(sp(k, pyts.tensor(x)), want)
        same_value(as_pyts(back(k, torch.tensor(x))), want)
    same_value(sp.d, st.d)
    same_value(sp.u, st.u)


def test_attribute_value_of_another_type_is_rejected(tmp_path):
    src = ATTRIBUTE.replace("Attribute({}, Dict[str, int])", "Attribute({'a': 'b'}, Dict[str, int])")
    for lib in (torch, pyts):
        with pytest.raises(RuntimeError):
            _attribute_module(tmp_path, lib, src=src)


# ---- pyts.jit._overload / _overload_method ----
# (each case names its own functions: torch's registry of declarations is global to the process)
OVERLOAD = '''
@torch.jit._overload
def g(x: int, y: int = 3) -> int:
    pass


@torch.jit._overload
def g(x: float, y: int = 3) -> float:
    pass


@torch.jit._overload
def g(x: Tensor, y: int = 3) -> Tensor:
    pass


@torch.jit._overload
def g(x: List[int], y: int = 3) -> List[int]:
    pass


def g(x, y=3):
    # one body for every declaration
    return x * y


def f(a: int, b: float, t: Tensor):
    return g(a), g(b), g(t), g(t, 5), g(y=2, x=a), g([a, 1])


class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 2

    @torch.jit._overload_method
    def h(self, x: int) -> int:
        pass

    @torch.jit._overload_method
    def h(self, x: str) -> str:
        pass

    def h(self, x):
        return x + x

    def forward(self, a: int, s: str, t: Tensor):
        return self.h(a), self.h(s), g(t, self.k), g(float(a))
'''


def _overload_mod(tmp_path, lib, src=OVERLOAD):
    path = tmp_path / f"ovl_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType("dunder_ovl")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, **NAMES)
    exec(compile(src, str(path), "exec"), mod.__dict__)
    return mod


def _in_sys(mod, fn):
    sys.modules[mod.__name__] = mod
    try:
        return fn()
    finally:
        del sys.modules[mod.__name__]


def test_overload_function_against_torch(tmp_path):
    mp, mt = _overload_mod(tmp_path, pyts), _overload_mod(tmp_path, torch)
    fp = _in_sys(mp, lambda: pyts.jit.script(mp.f))
    ft = _in_sys(mt, lambda: torch.jit.script(mt.f))
    # the overloads in call order: the first under the function's name, then mangled (torch's
    # mangle numbers count across its process, so only the shape of the names is compared)
    # (a function name of 38+ characters is bound to a temporary first, as torch prints it)
    assert "__torch__.dunder_ovl.g(a, 3, )" in fp.code
    assert "_0 = __torch__.dunder_ovl.___torch_mangle_0.g\n" in fp.code and "_0(b, 3, )" in fp.code
    assert str(fp.graph).count("prim::CallFunction") == 6
    # pyts's archive (its overloads under their names) runs in torch
    buf = io.BytesIO()
    pyts.jit.save(fp, buf)
    recompiled = torch.jit.load(io.BytesIO(buf.getvalue()))
    same_outcomes(fp, ft, recompiled, "f", [(2, 1.5, np.array([1.0, -2.0], dtype=np.float32)),
                                          (-1, 0.0, np.zeros((2, 0), dtype=np.float32))], outcome)
    # in Python the implementation runs
    assert mp.g(2) == mt.g(2) == 6 and mp.g([1], 2) == [1, 1]


def test_overload_method_against_torch(tmp_path):
    mp, mt = _overload_mod(tmp_path, pyts), _overload_mod(tmp_path, torch)
    sp = _in_sys(mp, lambda: pyts.jit.script(mp.M()))
    st = _in_sys(mt, lambda: torch.jit.script(mt.M()))
    # forward calls (self).h__0(a, ), (self).h__1(s, ) as torch's (its mangled names of g differ)
    assert "(self).h__0(a, )" in sp.code and "(self).h__1(s, )" in sp.code and "(self).h__0(a, )" in st.code
    buf = io.BytesIO()
    pyts.jit.save(sp, buf)
    back = torch.jit.load(io.BytesIO(buf.getvalue()))
    x = np.array([1.0, -2.0], dtype=np.float32)
    want = st(3, "ab", torch.tensor(x))
    same_value(sp(3, "ab", pyts.tensor(x)), want)
    same_value(as_pyts(back(3, "ab", torch.tensor(x))), want)
    assert back.h__0(4) == st.h__0(4) == 8 and back.h__1("x") == "xx"


OVERLOAD_BAD = {
    # no declaration fits the argument
    "no_match": "def bad(s: str):\n    return g(s)\n",
    # an overloaded function cannot be scripted by itself
    "direct": None,
    # a declaration's default must be the implementation's
    "defaults": ("@torch.jit._overload\ndef qd(x: int, y: int = 1) -> int:\n    pass\n\n\n"
                 "def qd(x, y=2):\n    return x\n\n\ndef bad(a: int):\n    return qd(a)\n"),
    # recursion is not TorchScript, overloaded or not
    "recursive": ("@torch.jit._overload\ndef qr(x: int) -> int:\n    pass\n\n\n"
                  "def qr(x):\n    if x > 0:\n        return qr(x - 1)\n    return x\n\n\ndef bad(a: int):\n    return qr(a)\n"),
    "recursive_method": ("class R(torch.nn.Module):\n    @torch.jit._overload_method\n    def h(self, x: int) -> int:\n"
                         "        pass\n\n    def h(self, x):\n        if x > 0:\n            return self.h(x - 1)\n"
                         "        return x\n\n    def forward(self, a: int):\n        return self.h(a)\n\n\n"
                         "def bad():\n    return R()\n"),
    # parameters the declaration does not type need the implementation's annotation
    "untyped": ("@torch.jit._overload\ndef qu(x: int) -> int:\n    pass\n\n\n"
                "def qu(x, y=2):\n    return x\n\n\ndef bad(a: int):\n    return qu(a)\n"),
}


# a fragment of both libraries' messages
OVERLOAD_FRAGMENT = {"no_match": "Arguments for call are not valid", "recursive": "recursi", "recursive_method": "recursi",
                     "direct": "cannot be directly compiled because it is overloaded",
                     "defaults": "Default parameters on overloads do not affect the runtime",
                     "untyped": "Parameters not specified on the overloaded declaration must have a type annotation"}


@pytest.mark.parametrize("name", sorted(OVERLOAD_BAD))
def test_overload_misuse_rejected_like_torch(tmp_path, name):
    extra = OVERLOAD_BAD[name]
    src = OVERLOAD + "\n\n" + (extra or "")
    for lib, err in ((torch, Exception), (pyts, pyts.jit.CompileError)):
        mod = _overload_mod(tmp_path, lib, src)
        with pytest.raises(err, match=OVERLOAD_FRAGMENT[name]):
            _in_sys(mod, lambda: lib.jit.script(mod.g if extra is None else mod.bad() if name == "recursive_method"
                                                else mod.bad))


def test_returned_objects_answer_python_operators(tmp_path):
    """an object returned by compiled code answers Python's operators through its compiled magic
    methods, as torch's object of the Python class does through the class's own"""
    src = PRELUDE + "\n\ndef mk(a: List[int]) -> V:\n    return V(a)\n\n\ndef mkn(k: int) -> N:\n    return N(k)\n"
    got = {}
    for lib in (pyts, torch):
        f = _script(tmp_path, "mk", src, lib)
        mkn = _script(tmp_path, "mkn", src, lib)
        v, w = f([1, 2, 3]), f([4, 5, 6])
        v[0] = 7
        n = mkn(1)
        got[lib] = [(v + w).xs, (v - 1).xs, (v * 2).xs, v / 2.0, v ** 2, (v % 2).xs, (v & 1).xs, (v | 8).xs,
                    (v ^ 1).xs, (v << 1).xs, (v >> 1).xs, v == w, v != w, v < w, v <= w, v > w, v >= w, len(v), v[1],
                    2 in v, 9 in v, str(v), bool(v), bool(f([])), int(v), float(v), round(v), (-v).xs, (~v).xs,
                    bool(n), n == n, n != mkn(1)]
        for op in (lambda: n + n, lambda: len(n), lambda: n[0], lambda: n < n, lambda: -n, lambda: v // 2):
            with pytest.raises(TypeError):
                op()
    assert got[pyts] == got[torch]
