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
from pyts.jit import CompileError
from test_print_code import torch_compile_code
from test_script import _same_value

NAMES = {"List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional,
         "Final": typing.Final}


def _exec(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "nn": lib.nn, "F": lib.nn.functional, "Tensor": lib.Tensor, "__name__": f"lang3_{name}", **NAMES}
    exec(compile(src, str(path), "exec"), ns)
    return ns


def _arg(lib, a):
    if isinstance(a, np.ndarray):
        return lib.tensor(a)
    if isinstance(a, list):
        return [_arg(lib, x) for x in a]
    if isinstance(a, tuple):
        return tuple(_arg(lib, x) for x in a)
    return a


def _as_pyts(v):
    if isinstance(v, torch.Tensor):
        return pyts.tensor(v.detach().numpy())
    if isinstance(v, (list, tuple)):
        return type(v)(_as_pyts(x) for x in v)
    if isinstance(v, dict):
        return {k: _as_pyts(x) for k, x in v.items()}
    return v


def _outcome(f, lib, args):
    try:
        with lib.no_grad():
            return "ok", f(*[_arg(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (the class is compared)
        return "raise", type(e)


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
