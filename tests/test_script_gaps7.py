"""Small differences between pyts.jit.script and torch.jit.script closed in session 7: bool() of a
str, hash() of enum members and enums as dict keys (torch's messages), the conversion and the
errors of the arguments a scripted function or module method gets from Python (torch's
RuntimeError with position, value, declaration and cast details; an int for a float parameter, a
bool for an int, a one-element tensor for a number...), and the compile errors the probes
compared. Every case is compiled from the same source by both libraries; results, exception
classes and torch's messages are compared."""
import enum
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


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Name(enum.Enum):
    A = "a"
    B = "b"


def _module(tmp_path, name, src, lib):
    """src run as module gaps7_<name> (in sys.modules while compiling) with `torch` = lib"""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType(f"gaps7_{name}")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, Any=typing.Any, Color=Color, Name=Name,
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
    """What an error says: torch wraps a script's run-time error in its interpreter traceback,
    whose last line is the error itself; compile errors drop the source location."""
    s = str(e).strip()
    if "TorchScript interpreter" in s:
        last = [ln for ln in s.split("\n") if ln.strip()][-1]
        s = last.split(": ", 1)[1] if ": " in last else last
    # torch mangles the names of classes compiled again in one process
    return re.sub(r"___torch_mangle_\d+\.", "", s.replace("torch.Tensor", "pyts.Tensor"))


def _run(f, lib, args, kwargs=None):
    try:
        return "ok", f(*[to_lib(lib, a) for a in args], **{k: to_lib(lib, v) for k, v in (kwargs or {}).items()})
    except Exception as e:  # noqa: BLE001 (class and message are compared)
        return "raise", e


def _compare(fp, ft, name, calls):
    for call in calls:
        args, kwargs = call if isinstance(call, tuple) and len(call) == 2 and isinstance(call[1], dict) else (call, {})
        kt, vt = _run(ft, torch, args, kwargs)
        kp, vp = _run(fp, pyts, args, kwargs)
        assert kp == kt, (name, args, vp, vt)
        if kt == "ok":
            same_value(vp, vt)
        else:
            assert isinstance(vp, RuntimeError) and isinstance(vt, RuntimeError), (name, args, vp, vt)
            assert _message(vp) == _message(vt), (name, args)


A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)

# name: (source defining <name>, calls)
CASES = {
    # ---- bool(str) is len(s) > 0 in torch's builtins
    "bool_str": ("def bool_str(s: str):\n    return bool(s), bool('') or bool(s + 'x')\n",
                 [("",), ("a",), ("False",), ("0",)]),
    # ---- hash() of an enum member: torch's 'unhashable type' names the enum type
    "hash_enum": ("def hash_enum(c: Color):\n    return hash(c)\n", [(Color.RED,), (Color.GREEN,)]),
    "hash_enum_str": ("def hash_enum_str(c: Name):\n    return hash(c)\n", [(Name.A,)]),
    "hash_enum_member": ("def hash_enum_member(a: int):\n    return hash(Color.RED) + a\n", [(1,)]),
    # ---- arguments from Python: torch's conversions
    "arg_float": ("def arg_float(a: float, b: Optional[float] = None):\n    return a, b\n",
                  [(True,), (3,), (2.5,), (np.float32(2.5),), ((1, 2),), (1.0, True), (1.0, 7), ("s",), (None,), (1j,),
                   (1.0, "q")]),
    "arg_int": ("def arg_int(a: int):\n    return a\n", [(True,), (3,), (2.5,), ("s",), (None,), ([1],), ((1,),)]),
    "arg_bool": ("def arg_bool(a: bool):\n    return a\n", [(3,), (0,), (2.5,), (0.0,), (None,), (1j,), ("s",), ([1],)]),
    "arg_complex": ("def arg_complex(a: complex):\n    return a\n", [(True,), (3,), (2.5,), (1j,), ("s",), (None,)]),
    "arg_list": ("def arg_list(a: List[float], b: List[int]):\n    return a, b\n",
                 [([1, 2], [True, 2]), ((1, True), (3,)), ([1.5], [1.5]), ([1, "a"], [1]), ("s", [1]), ([], [])]),
    "arg_tuple": ("def arg_tuple(a: Tuple[float, int]):\n    return a\n",
                  [([1, 2],), ((True, 2),), ((1.5, 2),), ((1.5, 2.5),), ((1,),), ("s",), (2.5,), ({"a": 1.5},), ([1, "a"],)]),
    "arg_dict": ("def arg_dict(a: Dict[str, float]):\n    return a\n",
                 [({"a": 1},), ({"a": True, "b": 2.5},), ({"a": "x"},), ({1: 1.0},), (2.5,), ("s",), ([1, "a"],)]),
    "arg_str": ("def arg_str(s: str, n: int = 2):\n    return s + str(n)\n",
                [("ab",), (1,), (["a"],), ({"a": 1},), (("a",),), ("ab", "x")]),
    "arg_union": ("def arg_union(a: Union[int, str]):\n    return a\n", [(1,), ("s",), (True,), (2.5,), ((1,),), ({"a": 1.5},)]),
    "arg_tensor": ("def arg_tensor(x, t: Tensor, n: int = 1):\n    return x + t * n\n",
                   [(A, A), (1, A), (A, 2.5), (A, "s"), (A, A, 2), (A, A, "2"), (A, [1, 2])]),
    "arg_enum": ("def arg_enum(c: Color):\n    return c.value\n", [(Color.RED,), (1,), ("RED",)]),
    "arg_tuple_result": ("def arg_tuple_result(a: Tuple[int, str], s: str = 'a\"b', e: float = 1e-5, "
                         "l: List[int] = (1, 2), t: Tuple[int, str] = (1, 'x'), o: Optional[Tensor] = None):\n"
                         "    return a\n", [((1, "a"),), (1,), ((1, "a"), 2)]),
    # ---- binding: torch's messages for missing, surplus and unknown arguments
    "arg_bind": ("def arg_bind(n: int, s: str = 'a', x: Optional[List[float]] = None):\n    return n, s, x\n",
                 [(1,), ((), {}), ((1, "a", None, 4), {}), ((1,), {"q": 2}), ((1,), {"n": 2}), ((), {"n": 1, "x": [1]}),
                  ((1,), {"s": 3}), ((), {"s": "b"})]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_torch(tmp_path, name):
    src, calls = CASES[name]
    fp = _script(tmp_path, name, src, pyts)
    ft = _script(tmp_path, name, src, torch)
    _compare(fp, ft, name, calls)


MODULE = ("class M(torch.nn.Module):\n"
          "    def forward(self, x, n: int = 2, f: float = 0.5):\n        return x * n * f\n"
          "    @torch.jit.export\n"
          "    def g(self, a: float, b: Tuple[int, int]) -> float:\n        return a + b[0]\n")


@pytest.mark.parametrize("call", [
    lambda m, L: m(1), lambda m, L: m(L.ones(1), "a"), lambda m, L: m(L.ones(1), True, 2),
    lambda m, L: m(L.ones(1), n=3), lambda m, L: m.forward(L.ones(1), n="q"), lambda m, L: m(),
    lambda m, L: m(L.ones(1), 2, 3.0, 4), lambda m, L: m(L.ones(1), q=3), lambda m, L: m.g(b=(1, 2), a=2),
    lambda m, L: m.g(1, (1, 2)), lambda m, L: m.g(1.0, 2), lambda m, L: m.g(1.0, (1, 2, 3)), lambda m, L: m.g(1.0, [True, 2]),
])
def test_module_arguments(tmp_path, call):
    """methods of scripted modules take and refuse arguments as torch's do (self counts in the
    position and the argument numbers; the declaration names the module type). Not compared:
    m(x, 2, n=3), where torch 2.13 fails an internal assert instead of its 'specified both' error."""
    mp = _script(tmp_path, "mod", MODULE, pyts, "M")
    mt = _script(tmp_path, "mod", MODULE, torch, "M")
    try:
        rt = ("ok", call(mt, torch))
    except RuntimeError as e:
        rt = ("raise", e)
    try:
        rp = ("ok", call(mp, pyts))
    except RuntimeError as e:
        rp = ("raise", e)
    assert rp[0] == rt[0], (rp, rt)
    if rt[0] == "ok":
        same_value(rp[1], rt[1])
    else:
        assert _message(rp[1]) == _message(rt[1])


def test_c_api_keeps_type_errors():
    """the C runtime's contract (a wrong kind is PYTS_ERR_TYPE) is kept: only Python calls raise
    torch's RuntimeError"""
    @pyts.jit.script
    def f(a: int) -> int:
        return a
    with pytest.raises(RuntimeError) as e:
        f("x")
    assert not isinstance(e.value, TypeError)


# refused by both: pyts's CompileError says what torch's error says (its text before the location)
ERRORS = {
    "enum_dict_literal": "def enum_dict_literal(c: Color):\n    d = {Color.RED: 1}\n    return d\n",
    "enum_dict_annot": "def enum_dict_annot(c: Color):\n    d: Dict[Color, int] = {}\n    return d\n",
    "reversed_list": "def reversed_list(t: List[int]):\n    return list(reversed(t))\n",
    "reversed_str": "def reversed_str(s: str):\n    return reversed(s)\n",
}


def _compile_text(e):
    """the message of a compile error without its source location (torch ends it with ':')"""
    s = str(e).strip("\n")
    cut = s.find("\n  File ")
    s = s[:cut] if cut >= 0 else s
    return s.strip().rstrip(":").strip()


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejected_like_torch(tmp_path, name):
    src = ERRORS[name]
    with pytest.raises((RuntimeError, torch.jit.frontend.NotSupportedError)) as te:
        _script(tmp_path, name, src, torch)
    with pytest.raises(CompileError) as pe:
        _script(tmp_path, name, src, pyts)
    assert _compile_text(pe.value) == _compile_text(te.value)
