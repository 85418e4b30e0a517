"""Language gaps of the script compiler closed for issue 5, each checked against torch.jit.script:
returns inside unrolled loops (tuples, ModuleList / Sequential / ModuleDict, enumerate and zip of
them) and the rejection of break/continue there, assignments to Final attributes outside
__init__, tuple attributes holding None, and BroadcastingList / tuple-as-List arguments of
scripted Python functions (the pooling and padding functions of nn.functional). Every case is
compiled from the same source by pyts and torch; results, errors (message and caret) and, where
torch prints the same graph, `.code` are compared, and pyts's archives are run by torch.jit.load."""
import io
import typing

import numpy as np
import pytest
import torch

import pyts
import pyts._jit_internal  # noqa: F401 (lib._jit_internal below)
from pyts.jit import CompileError
from test_print_code import torch_compile_code
from script_diff import NAMES, as_pyts as _as_pyts, define, outcome, same_value as _same_value, to_lib  # noqa: F401


def _exec(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "lang3", nn=lib.nn, F=lib.nn.functional,
                  BroadcastingList2=lib._jit_internal.BroadcastingList2)


def _arg(lib, a):
    return to_lib(lib, a)


def _outcome(f, lib, args):
    return outcome(f, lib, args, no_grad=True)


def _compare(calls, ft, others):
    for args in calls:
        kind, want = _outcome(ft, torch, args)
        for f, lib in others:
            k, got = _outcome(f, lib, args)
            assert k == kind, (args, got, want)
            if kind == "raise":
                assert issubclass(got, want) or (issubclass(want, torch.jit.Error) and issubclass(got, RuntimeError))
            else:
                _same_value(got if lib is pyts else _as_pyts(got), want)


def _in_torch(sm):
    buf = io.BytesIO()
    pyts.jit.save(sm, buf)
    return torch.jit.load(io.BytesIO(buf.getvalue()))


def _reloaded(sm):
    buf = io.BytesIO()
    pyts.jit.save(sm, buf)
    return pyts.jit.load(io.BytesIO(buf.getvalue()))


X = np.array([[-1.0, 2.0], [0.5, -3.0]], dtype=np.float32)
POS = np.array([[1.0, 2.0], [0.5, 3.0]], dtype=np.float32)

# ---- modules: class M(nn.Module) built without arguments; (source, calls, same .code as torch)
PRELUDE = ("class AddK(nn.Module):\n    def __init__(self, k: float):\n        super().__init__()\n        self.k = k\n"
           "    def forward(self, x):\n        return x + self.k\n")
MODULES = {
    "ret_modulelist": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                       "        self.layers = nn.ModuleList([nn.ReLU(), AddK(1.0), nn.Tanh()])\n"
                       "    def forward(self, x):\n        for l in self.layers:\n            x = l(x)\n"
                       "            if float(x.sum()) > 2.0:\n                return x\n        return x * 2\n",
                       [(X,), (POS,), (-POS,)], True),
    "ret_sequential_first": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                             "        self.seq = nn.Sequential(AddK(2.0), nn.ReLU())\n"
                             "    def forward(self, x):\n        for l in self.seq:\n            return l(x)\n"
                             "        return x\n", [(X,)], True),
    "ret_enumerate_zip": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                          "        self.a = nn.ModuleList([AddK(1.0), nn.ReLU()])\n"
                          "        self.b = nn.ModuleList([nn.Tanh(), AddK(-1.0), nn.Sigmoid()])\n"
                          "    def forward(self, x, n: int):\n        for i, (p, q) in enumerate(zip(self.a, self.b)):\n"
                          "            x = q(p(x)) + i\n            if i == n:\n                return x, i\n"
                          "        return x * 3, -1\n", [(X, 0), (X, 1), (POS, 5)], False),
    "ret_moduledict_items": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                             "        self.d = nn.ModuleDict({'up': AddK(1.0), 'act': nn.ReLU(), 'down': AddK(-0.5)})\n"
                             "    def forward(self, x, stop: str) -> Tuple[Tensor, str]:\n"
                             "        for k, m in self.d.items():\n            x = m(x)\n"
                             "            if k == stop:\n                return x, k\n        return x, 'end'\n",
                             [(X, "act"), (X, "up"), (X, "none")], False),
    "ret_values_keys": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                        "        self.d = nn.ModuleDict({'a': AddK(1.0), 'b': AddK(2.0)})\n"
                        "    def forward(self, x, t: float):\n        for m in self.d.values():\n            x = m(x)\n"
                        "            if float(x.max()) > t:\n                return x\n"
                        "        for k in self.d.keys():\n            if k == 'b':\n                return x - 1\n"
                        "        return x\n", [(X, 0.0), (X, 3.5), (X, 100.0)], False),
    # a return in an unrolled loop inside a real loop leaves both
    "ret_unrolled_in_range": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                              "        self.layers = nn.ModuleList([AddK(1.0), AddK(2.0)])\n"
                              "    def forward(self, x, n: int):\n        for i in range(n):\n"
                              "            for l in self.layers:\n                x = l(x)\n"
                              "                if float(x.sum()) > 10.0:\n                    return x, i\n"
                              "        return x, -1\n", [(X, 0), (X, 1), (X, 4)], False),
    # break/continue of a real loop inside the unrolled body are fine
    "break_range_in_unrolled": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                                "        self.layers = nn.ModuleList([AddK(1.0), nn.ReLU()])\n"
                                "    def forward(self, x, n: int):\n        for l in self.layers:\n"
                                "            for i in range(n):\n                if i == 2:\n                    break\n"
                                "                if i == 0:\n                    continue\n                x = l(x)\n"
                                "        return x\n", [(X, 0), (X, 3)], False),
    "raise_in_unrolled": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                          "        self.layers = nn.ModuleList([AddK(1.0), nn.ReLU()])\n"
                          "    def forward(self, x):\n        for l in self.layers:\n            x = l(x)\n"
                          "            if float(x.min()) < 0.0:\n                raise ValueError('negative')\n"
                          "        return x\n", [(X,), (POS,)], True),
    # tuple attributes holding None are Tuple[..., NoneType] (nested too); a Final tuple is a constant
    "tuple_attr_none": ("class M(nn.Module):\n    k: Final[Tuple[int, int]]\n    def __init__(self):\n"
                        "        super().__init__()\n        self.t = (1, None)\n        self.u = (torch.ones(2), None, 2.5)\n"
                        "        self.w = ((3, None), None, 'a')\n        self.k = (2, 3)\n"
                        "    def forward(self, x):\n        a, b = self.t\n        if b is None:\n            x = x + a\n"
                        "        p, q = self.k\n        return x * p + self.u[0] + q, self.t, self.u, self.w, self.k\n",
                        [(X,)], False),
    "final_tuple_constant": ("class M(nn.Module):\n    k: Final[Tuple[int, int]]\n    def __init__(self):\n"
                             "        super().__init__()\n        self.k = (2, 3)\n        self.z = (3, None)\n"
                             "    def forward(self, x):\n        a, b = self.k\n        return x + a + b, self.k, self.z\n",
                             [(X,)], True),
    "list_attr_none": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                       "        self.l = [1, None, 3]\n    def forward(self, x):\n        n = 0\n        for v in self.l:\n"
                       "            if v is not None:\n                n += v\n        return x + n, self.l\n", [(X,)], False),
    "constants_list_is_tuple": ("class M(nn.Module):\n    __constants__ = ['sizes']\n    def __init__(self):\n"
                                "        super().__init__()\n        self.sizes = [2, 3]\n"
                                "    def forward(self, x):\n        return x * self.sizes[1], self.sizes\n", [(X,)], False),
    # BroadcastingList / tuple arguments of nn.functional called from scripted code
    "functional_pooling": ("class M(nn.Module):\n    def forward(self, x):\n        a = F.max_pool2d(x, 2)\n"
                           "        b = F.max_pool2d(x, (2, 2), 1)\n        c = F.avg_pool2d(x, [2, 2], padding=1)\n"
                           "        d = F.adaptive_avg_pool2d(x, (2, 3))\n        e = F.adaptive_avg_pool2d(x, 2)\n"
                           "        f = F.pad(x, (1, 2))\n        g, i = F.max_pool2d_with_indices(x, 2)\n"
                           "        h = F.max_pool2d(x, 3, stride=(2, 1), padding=1, ceil_mode=True)\n"
                           "        j = F.avg_pool2d(x, 3, 2, 1, True, False)\n        k = F.pad(x, [1, 1, 2, 0], 'constant', 0.5)\n"
                           "        return a, b, c, d, e, f, g, i, h, j, k\n", [(np.arange(96, dtype=np.float32).reshape(2, 3, 4, 4),)],
                           False),
    # methods take tuples for List[int] and one int for BroadcastingList2[int] too
    "method_list_args": ("class M(nn.Module):\n    def forward(self, x):\n"
                         "        return self.h((1, 2), 3), self.h([4], (5, 6))\n    @torch.jit.export\n"
                         "    def h(self, a: List[int], b: BroadcastingList2[int]) -> List[int]:\n        return a + b\n",
                         [(X,)], True),
    # F.max_pool2d is a boolean dispatch on a constant return_indices (keyword or 7th positional)
    "max_pool2d_dispatch": ("class M(nn.Module):\n    def forward(self, x):\n"
                            "        a, i = F.max_pool2d(x, 2, return_indices=True)\n"
                            "        b = F.max_pool2d(x, 2, 2, 0, 1, False, False)\n"
                            "        c, j = F.max_pool2d(x, (2, 1), 2, 0, 1, True, True)\n"
                            "        d = F.max_pool2d(x, 3, return_indices=False)\n        return a, i, b, c, j, d\n",
                            [(np.arange(50, dtype=np.float32).reshape(1, 2, 5, 5) % 7,)], False),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_same_as_torch(tmp_path, name):
    src, calls, same_code = MODULES[name]
    mp = pyts.jit.script(_exec(tmp_path, name, PRELUDE + src, pyts)["M"]())
    mt = torch.jit.script(_exec(tmp_path, name, PRELUDE + src, torch)["M"]())
    _compare(calls, mt, [(mp, pyts), (_in_torch(mp), torch), (_reloaded(mp), pyts)])
    if same_code:
        assert mp.code == mt.code


# ---- functions: (source of def <name>, calls, same .code as torch)
FUNCS = {
    "ret_tuple": ("def ret_tuple(x, k: int):\n    for t in (1, 2.5, 3):\n        if t > k:\n            return x + t\n"
                  "    return x\n", [(X, 0), (X, 2), (X, 5)], False),
    "ret_tuple_first": ("def ret_tuple_first(x):\n    for t in (1, 2.5):\n        return x + t\n    return x\n", [(X,)], False),
    "ret_tuple_var_types": ("def ret_tuple_var_types(x, s: str):\n    tup = (x, 'a', 2)\n    for v in tup:\n"
                            "        if isinstance(v, str):\n            if v == s:\n                return 1\n"
                            "    return 0\n", [(X, "a"), (X, "b")], False),
    "ret_enumerate_tuple": ("def ret_enumerate_tuple(x, n: int):\n    for i, t in enumerate((2, 3.5), 1):\n"
                            "        x = x * t\n        if i == n:\n            return x\n    return -x\n",
                            [(X, 1), (X, 2), (X, 3)], False),
    "ret_zip_tuples": ("def ret_zip_tuples(x, m: float) -> Tuple[Tensor, int]:\n"
                       "    for a, b in zip((1, 2, 3), (0.5, 1.5)):\n        x = x + a * b\n"
                       "        if float(x.sum()) > m:\n            return x, a\n    return x, 0\n",
                       [(X, 0.0), (X, 4.0), (X, 100.0)], False),
    "ret_nested_unrolled": ("def ret_nested_unrolled(x, m: float):\n    for a in (1, 2):\n        for b in (10, 20):\n"
                            "            x = x + a * b\n            if float(x.sum()) > m:\n                return x, a, b\n"
                            "    return x, 0, 0\n", [(X, 10.0), (X, 70.0), (X, 1e9)], False),
    "ret_tuple_in_while": ("def ret_tuple_in_while(x, n: int):\n    i = 0\n    while i < n:\n        i += 1\n"
                           "        for t in (1, 2):\n            if i * t == 4:\n                return x * i\n"
                           "    return x\n", [(X, 1), (X, 2), (X, 5)], False),
    "unrolled_no_return": ("def unrolled_no_return(x):\n    for t in (1, 2.0):\n        x = x + t\n    return x\n", [(X,)], False),
    # the iterable is evaluated once: a call returning a tuple is unrolled, one returning a list looped
    "ret_call_tuple": ("def pair(x) -> Tuple[Tensor, int]:\n    return x * 2, 3\n\n\n"
                       "def ints(n: int) -> List[int]:\n    return [n, n + 1]\n\n\n"
                       "def ret_call_tuple(x, n: int):\n    s = 0\n    for v in ints(n):\n        s += v\n"
                       "    for t in pair(x):\n        if isinstance(t, int):\n            if t == n:\n                return x, s\n"
                       "        else:\n            x = t + 1\n    return x * 0, s\n", [(X, 3), (X, 0)], False),
    # a tuple for a List[int] parameter, one int for a BroadcastingList2[int] one (defaults too)
    "bcast_user_fn": ("def k2(k: BroadcastingList2[int], s: Optional[BroadcastingList2[int]] = None,\n"
                      "       p: BroadcastingList2[int] = 1) -> List[int]:\n    if s is None:\n        return k + p\n"
                      "    return k + s + p\n\n\ndef total(xs: List[int]) -> int:\n    return sum(xs)\n\n\n"
                      "def bcast_user_fn(n: int) -> Tuple[List[int], List[int], List[int], int]:\n"
                      "    return k2(3), k2((n, 4), 5), k2([1, 2], (n, n), [7, 8]), total((n, 2, 3))\n",
                      [(0,), (6,)], True),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_functions_same_as_torch(tmp_path, name):
    src, calls, same_code = FUNCS[name]
    fp = pyts.jit.script(_exec(tmp_path, name, src, pyts)[name])
    ft = torch.jit.script(_exec(tmp_path, name, src, torch)[name])
    _compare(calls, ft, [(fp, pyts), (torch_compile_code(fp.code, name, ft), torch)])
    if same_code:
        assert fp.code == ft.code


# ---- rejected: (source defining f or M, text of the message both give, text under the caret)
UNROLL_MSG = "Because we emit iteration over modulelists or tuples as unrolled loops, we do not support break or continue"
ERRORS = {
    "break_modulelist": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                         "        self.layers = nn.ModuleList([nn.ReLU()])\n    def forward(self, x):\n"
                         "        for l in self.layers:\n            x = l(x)\n            if float(x.sum()) > 0:\n"
                         "                break\n        return x\n", UNROLL_MSG, "break"),
    "continue_tuple": ("def f(x):\n    for t in (1, 2.0):\n        if t > 1:\n            continue\n        x = x + t\n"
                       "    return x\n", UNROLL_MSG, "continue"),
    "break_tuple_in_range": ("def f(x, n: int):\n    for i in range(n):\n        for t in (1, 2):\n"
                             "            if i == t:\n                break\n    return x\n", UNROLL_MSG, "break"),
    "continue_enumerate_modules": ("class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                                   "        self.layers = nn.ModuleList([nn.ReLU(), nn.Tanh()])\n    def forward(self, x):\n"
                                   "        for i, l in enumerate(self.layers):\n            if i == 0:\n"
                                   "                continue\n            x = l(x)\n        return x\n", UNROLL_MSG, "continue"),
    "zip_static_and_list": ("def f(xs: List[int], x):\n    for a, b in zip((1, 2), xs):\n        x = x + a + b\n    return x\n",
                            "Can not iterate over a module list or tuple with a value that does not have a statically "
                            "determinable length", "zip((1, 2), xs)"),
    "dispatch_not_constant": ("class M(nn.Module):\n    def forward(self, x, flag: bool):\n"
                              "        return F.max_pool2d(x, 2, return_indices=flag)\n",
                              "Keyword argument 'return_indices' for boolean dispatch at position was not constant",
                              "F.max_pool2d"),
    # a module constant (Final / __constants__) is no attribute: it cannot be set outside __init__
    "final_assign": ("class M(nn.Module):\n    x: Final[int]\n    def __init__(self):\n        super().__init__()\n"
                     "        self.x = 3\n    def forward(self, t):\n        self.x = 4\n        return t + self.x\n",
                     "Tried to set nonexistent attribute: x. Did you forget to initialize it in __init__()?", "self.x = 4"),
    "constants_aug_assign": ("class M(nn.Module):\n    __constants__ = ['y']\n    def __init__(self):\n"
                             "        super().__init__()\n        self.y = 3\n    def forward(self, t):\n        self.y += 1\n"
                             "        return t + self.y\n",
                             "Tried to set nonexistent attribute: y. Did you forget to initialize it in __init__()?", "self.y += 1"),
    "final_tuple_assign_in_method": ("class M(nn.Module):\n    k: Final[Tuple[int, int]]\n    def __init__(self):\n"
                                     "        super().__init__()\n        self.k = (1, 2)\n    def forward(self, t):\n"
                                     "        return self.reset(t)\n    @torch.jit.export\n    def reset(self, t):\n"
                                     "        if bool(t.sum() > 0):\n            self.k = (2, 3)\n        return t\n",
                                     "Tried to set nonexistent attribute: k. Did you forget to initialize it in __init__()?",
                                     "self.k = (2, 3)"),
}


def _compile(ns, lib):
    return lib.jit.script(ns["M"]() if "M" in ns else ns["f"])


def _caret_text(text):
    """The source text the caret line of a pyts CompileError points at."""
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.strip() and set(ln.strip()) == {"^"})
    start = lines[k].index("^")
    return lines[k - 1][start:start + len(lines[k].strip())]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejected_like_torch(tmp_path, name):
    src, msg, under = ERRORS[name]
    with pytest.raises(RuntimeError) as te:
        _compile(_exec(tmp_path, name, PRELUDE + src, torch), torch)
    with pytest.raises(CompileError) as pe:
        _compile(_exec(tmp_path, name, PRELUDE + src, pyts), pyts)
    assert msg in str(te.value) and msg in str(pe.value)
    assert f"{name}_pyts.py" in str(pe.value)
    assert _caret_text(str(pe.value)) == under
    # torch marks the same place with ~ (a call's range there stops before its closing paren)
    tl = str(te.value).splitlines()
    k = next(i for i, ln in enumerate(tl) if "<--- HERE" in ln)
    start = tl[k].index("~")
    marked = tl[k - 1][start:start + tl[k].count("~")]
    assert marked == under or (under.endswith(")") and marked == under[:-1])


# ---- nn.functional's pooling / padding functions scripted on their own, called from Python
POOL = np.arange(64, dtype=np.float32).reshape(1, 2, 4, 8) / 7
SCRIPTED_FUNCTIONAL = {
    # torch 2.13's scripted max_pool2d_with_indices, called from Python, fails (an internal
    # assert) on an int or an omitted padding/dilation (its Python defaults are ints): every size
    # is a tuple here; pyts repeats ints and defaults (tested below against eager torch)
    "max_pool2d_with_indices": [((2, 2), (2, 2), (0, 0), (1, 1)), ((2, 3), (1, 2), (1, 1), (1, 1)),
                                ((3, 3), (2, 2), (1, 0), (1, 2), True)],
    "_max_pool2d": [((2, 2), (2, 2), (0, 0), (1, 1)), ((3, 2), (2, 2), (1, 1), (2, 1), True)],
    "adaptive_avg_pool2d": [(2,), ((2, 3),), ((1, 5),)],
    "pad": [((1, 2),), ((1, 1, 2, 0),), ([2, 2],)],
}


@pytest.mark.parametrize("name", sorted(SCRIPTED_FUNCTIONAL))
def test_functional_scripted_alone(name):
    fp = pyts.jit.script(getattr(pyts.nn.functional, name))
    ft = torch.jit.script(getattr(torch.nn.functional, name))
    _compare([(POOL,) + c for c in SCRIPTED_FUNCTIONAL[name]], ft, [(fp, pyts)])
    assert "List[int]" in fp.code


def test_broadcasting_int_from_python():
    # one int for a BroadcastingList2 parameter is repeated, as scripted callers get it
    fp = pyts.jit.script(pyts.nn.functional.max_pool2d_with_indices)
    x = pyts.tensor(POOL)
    got, idx = fp(x, 2, 1, 1)
    want, widx = torch.nn.functional.max_pool2d_with_indices(torch.tensor(POOL), (2, 2), (1, 1), (1, 1))
    _same_value((got, idx), (want, widx))
    # omitted stride / padding / dilation: kernel_size, 0 and 1 repeated
    _same_value(fp(x, (3, 2)), torch.nn.functional.max_pool2d_with_indices(torch.tensor(POOL), (3, 2)))
    mp = pyts.jit.script(pyts.nn.functional._max_pool2d)
    _same_value(mp(x, 3, padding=1), torch.nn.functional.max_pool2d(torch.tensor(POOL), 3, padding=1))


def test_dispatching_and_builtin_functions_are_not_scripted_alone():
    # torch: F.max_pool2d is a boolean dispatch (NotSupportedError), F.avg_pool2d a builtin (TypeError)
    with pytest.raises(torch.jit.frontend.NotSupportedError):
        torch.jit.script(torch.nn.functional.max_pool2d)
    with pytest.raises(CompileError, match="return_indices"):
        pyts.jit.script(pyts.nn.functional.max_pool2d)
    for lib in (torch, pyts):
        with pytest.raises(TypeError, match="is a built-in class"):
            lib.jit.script(lib.nn.functional.avg_pool2d)


def test_broadcasting_list_names():
    from pyts._jit_internal import BroadcastingList1, BroadcastingList3, BroadcastingList6  # noqa: F401
    assert repr(pyts._jit_internal.BroadcastingList2[int]) == "BroadcastingList2[int]"
    assert typing.get_args(typing.Optional[pyts._jit_internal.BroadcastingList2[int]])[1] is type(None)


def test_iterable_with_return_is_evaluated_once(tmp_path):
    # a loop that returns is emitted twice (once to find the returned type): its iterable, a call,
    # must still run once
    src = ("def ints(n: int) -> List[int]:\n    return [n, n + 1]\n\n\n"
           "def once(x, n: int):\n    s = 0\n    for v in ints(n):\n        s += v\n        if v == 7:\n"
           "            return s\n    return -s\n")
    fp = pyts.jit.script(_exec(tmp_path, "once", src, pyts)["once"])
    ft = torch.jit.script(_exec(tmp_path, "once", src, torch)["once"])
    assert str(fp.graph).count("prim::CallFunction") == 1
    _compare([(X, 6), (X, 3)], ft, [(fp, pyts), (torch_compile_code(fp.code, "once", ft), torch)])
