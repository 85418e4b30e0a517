"""Small differences between pyts.jit.script and torch.jit.script closed in session 6: hash() of
lists, dicts and objects (torch's 'unhashable type' message), _overload matching a tuple to a
List parameter, the static element types lists and dicts carry at run time (isinstance on empty
lists, Any arguments inferred as torch infers them), bool arguments converted for int/float
parameters, and the builtins, str/list/dict methods the probes compared. Every case is compiled
from the same source by both libraries; results, exception classes and torch's message are
compared, and where torch prints the same code the texts are compared too."""
import sys
import types
import typing

import numpy as np
import pytest
import torch

import pyts
from pyts.jit import CompileError
from script_diff import NAMES, same_value, to_lib

A = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)
E = np.zeros((0,), dtype=np.float32)


def _module(tmp_path, name, src, lib):
    """src run as module gaps6_<name> (in sys.modules while compiling: classes need their
    source) with `torch` = lib; returns it."""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    mod = types.ModuleType(f"gaps6_{name}_{lib.__name__}")
    mod.__file__ = str(path)
    mod.__dict__.update(torch=lib, Tensor=lib.Tensor, Any=typing.Any, NamedTuple=typing.NamedTuple,
                        math=__import__("math"), **NAMES)
    sys.modules[mod.__name__] = mod
    exec(compile(src, str(path), "exec"), mod.__dict__)
    return mod


def _script(tmp_path, name, src, lib):
    mod = _module(tmp_path, name, src, lib)
    try:
        return lib.jit.script(getattr(mod, name))
    finally:
        del sys.modules[mod.__name__]


def _message(e):
    """What an error says: torch wraps a script's run-time error in its interpreter traceback,
    whose last line is the error itself."""
    s = str(e).strip()
    if "TorchScript interpreter" in s:
        last = [ln for ln in s.split("\n") if ln.strip()][-1]
        s = last.split(": ", 1)[1] if ": " in last else last
    return s


def _run(f, lib, args):
    try:
        return "ok", f(*[to_lib(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (class and message are compared)
        return "raise", e


def _unit_free(msg):
    """torch names a class with its compilation unit's address, which differs run to run"""
    import re
    return re.sub(r"(gaps6_\w+?)_(torch|pyts)\b", r"\1", re.sub(r"0x[0-9a-f]+", "0x", msg))


def _compare(fp, ft, name, calls):
    for args in calls:
        kt, vt = _run(ft, torch, args)
        kp, vp = _run(fp, pyts, args)
        assert kp == kt, (name, args, vp, vt)
        if kt == "ok":
            same_value(vp, vt)
        else:
            want = torch.jit.Error if isinstance(vt, torch.jit.Error) else type(vt)
            assert isinstance(vp, want) or (want is torch.jit.Error and isinstance(vp, RuntimeError)), (name, args, vp, vt)
            assert _unit_free(_message(vp)) == _unit_free(_message(vt)), (name, args)


# name: (source defining <name>, calls, printed code equal to torch's)
CASES = {
    # ---- hash(): torch's 'unhashable type' names the static type
    "hash_values": ("def hash_values(a: int, s: str, x: float, o: Optional[int], t: Tuple[int, str]):\n"
                    "    return hash(a), hash(s), hash(x), hash(o), hash(t)\n",
                    [(3, "ab", 1.5, None, (1, "x")), (-1, "", 0.0, 4, (0, ""))], True),
    "hash_list": ("def hash_list(a: List[int]):\n    return hash(a)\n", [([1],), ([],)], True),
    "hash_dict": ("def hash_dict(a: Dict[str, int]):\n    return hash(a)\n", [({},), ({"a": 1},)], True),
    "hash_nested": ("def hash_nested(a: Tuple[int, List[float]]):\n    return hash(a)\n", [((1, [2.0]),)], True),
    "hash_any": ("def hash_any(a: Any):\n    return hash(a)\n", [([1],), ({"a": [1.0]},), ((1, "a"),), (1,)], True),
    "hash_device": ("def hash_device(x: Tensor):\n    return hash(x.device)\n", [(A,)], True),
    "hash_list_literal": ("def hash_list_literal(a: int):\n    return hash([a, 2])\n", [(1,)], True),
    "hash_optional_list": ("def hash_optional_list(a: int):\n    l: List[Optional[int]] = []\n    return hash(l)\n",
                           [(1,)], True),
    # ---- static element types of lists and dicts (isinstance on Any)
    "isinst_any_arg": ("def isinst_any_arg(t: Any):\n"
                       "    return torch.jit.isinstance(t, List[int]), torch.jit.isinstance(t, List[Optional[int]]), "
                       "torch.jit.isinstance(t, List[Any]), isinstance(t, Dict[str, int])\n",
                       [([],), ({},), ([[]],), ([1, "a"],), ((1, []),), ({"a": []},), ([1],), ([1, 2.0],),
                        ([None, 1],), ([[1], []],), ({"a": 1},), ({"a": 1, "b": "x"},), (3,)], True),
    "isinst_union_arg": ("def isinst_union_arg(t: Union[List[int], List[str]]):\n"
                         "    if isinstance(t, List[int]):\n        return 1\n    return 2\n",
                         [([],), (["a"],), ([1],)], True),
    "isinst_callee": ("def isinst_callee_g(y: Any) -> Tuple[bool, bool, bool]:\n"
                      "    return torch.jit.isinstance(y, List[int]), torch.jit.isinstance(y, List[str]), "
                      "torch.jit.isinstance(y, Dict[str, int])\n"
                      "def isinst_callee(x: Tensor, n: int):\n    e: List[int] = []\n    d: Dict[str, int] = {}\n"
                      "    o: List[Optional[int]] = [1]\n"
                      "    return (isinst_callee_g(e), isinst_callee_g(d), isinst_callee_g(o), isinst_callee_g(x.size()),\n"
                      "            isinst_callee_g([i for i in range(n)]), isinst_callee_g([str(i) for i in range(n)]),\n"
                      "            isinst_callee_g(x.split(1)), isinst_callee_g(e + e), isinst_callee_g(e[:]),\n"
                      "            isinst_callee_g({str(i): i for i in range(n)}), isinst_callee_g([[1]][0]))\n",
                      [(E, 0), (A, 2)], False),
    "isinst_list_any": ("def isinst_list_any(a: int):\n    x: List[int] = []\n    d: Dict[str, float] = {}\n"
                        "    l: List[Any] = [x, d, [1.5]]\n"
                        "    return (torch.jit.isinstance(l[0], List[int]), torch.jit.isinstance(l[0], List[str]),\n"
                        "            torch.jit.isinstance(l[1], Dict[str, float]), torch.jit.isinstance(l[1], Dict[str, int]),\n"
                        "            torch.jit.isinstance(l[2], List[float]))\n", [(1,)], False),
    "isinst_list_any_arg": ("def isinst_list_any_arg(t: List[Any]):\n    return torch.jit.isinstance(t[0], List[int])\n",
                            [([[]],), ([[1]],), ([[1.0], 2],)], True),
    # ---- _overload: a tuple of T passes for List[T]
    "ovl_tuple_list": ("@torch.jit._overload\ndef ovl_g(x: List[int]) -> int: ...\n"
                       "@torch.jit._overload\ndef ovl_g(x: str) -> int: ...\n"
                       "def ovl_g(x):\n    return len(x)\n"
                       "def ovl_tuple_list(a: int):\n    return ovl_g((a, 2)), ovl_g('abc'), ovl_g([1])\n", [(1,)], False),
    "ovl_tuple_list2": ("@torch.jit._overload\ndef ovl_h(x: int, y: List[float]) -> float: ...\n"
                        "@torch.jit._overload\ndef ovl_h(x: float, y: Optional[List[float]]) -> float: ...\n"
                        "def ovl_h(x, y):\n    return x + 1.0\n"
                        "def ovl_tuple_list2(a: int):\n    return ovl_h(a, (1.0, 2.0)), ovl_h(1.5, (3.0,))\n",
                        [(1,)], False),
    # ---- bool where an int / float / number is expected
    "bool_arith": ("def bool_arith(a: float, b: bool, i: int):\n"
                   "    return (a + b, b + a, i + b, b + i, b + b, a - b, b * a, b / i, b // i, b ** 2, a < b, b == i,\n"
                   "            math.isfinite(a) + 1, -b, max(b, i), min(a, b))\n",
                   [(1.5, True, 3), (2.0, False, -2), (float("inf"), True, 1)], True),
    # ---- dict.pop with a default, dict.popitem (torch removes the first entry), str.isidentifier
    "dict_pop_default": ("def dict_pop_default(d: Dict[str, int], e: Dict[int, float]):\n"
                         "    a = d.pop('zz', 7)\n    b = d.pop('a', 9)\n    c = e.pop(5, 0.5)\n"
                         "    return a, b, c, d, e\n",
                         [({"a": 1, "b": 2}, {5: 1.5}), ({}, {})], True),
    "dict_popitem": ("def dict_popitem(d: Dict[str, int], e: Dict[int, List[str]]):\n"
                     "    x = d.popitem()\n    y = e.popitem()\n    return x, y, d, e\n",
                     [({"a": 1, "b": 2}, {3: ["c"], 1: []}), ({"q": 0}, {}), ({}, {1: ["a"]})], True),
    "str_isidentifier": ("def str_isidentifier(s: str):\n"
                         "    return s.isidentifier(), 'x9'.isidentifier(), '_x'.isidentifier()\n",
                         [("hello",), ("",), ("1a",), ("a b",), ("_",), ("Zz9",)], True),
    "math_mix": ("def math_mix(a: float):\n"
                 "    return math.log1p(a) + math.gcd(4, 6) + math.factorial(3) + math.isfinite(a)\n",
                 [(1.0,), (float("inf"),), (0.0,)], False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    fp = _script(tmp_path, name, src, pyts)
    ft = _script(tmp_path, name, src, torch)
    _compare(fp, ft, name, calls)
    if same_code:
        assert fp.code == ft.code


CLASS = ("@torch.jit.script\nclass C:\n    def __init__(self, a: int):\n        self.a = a\n"
         "    def h(self) -> int:\n        return hash(self)\n")
CLASS_CASES = {
    "hash_obj": "def hash_obj(a: int):\n    return hash(C(a))\n",
    "hash_self": "def hash_self(a: int):\n    return C(a).h()\n",
    "hash_obj_tuple": "def hash_obj_tuple(a: int):\n    return hash((a, C(a)))\n",
    "hash_obj_list": "def hash_obj_list(a: int):\n    return hash([C(a)])\n",
    "hash_obj_optional": "def hash_obj_optional(a: int):\n    c: Optional[C] = C(a)\n    return hash(c)\n",
}


@pytest.mark.parametrize("name", sorted(CLASS_CASES))
def test_hash_of_objects(tmp_path, name):
    """hash() of a script object compiles and raises at run time, naming the class as torch does"""
    src = CLASS + CLASS_CASES[name]
    fp = _script(tmp_path, name, src, pyts)
    ft = _script(tmp_path, name, src, torch)
    _compare(fp, ft, name, [(1,)])


def test_empty_list_argument_message():
    """an Any parameter refuses what torch cannot infer, with torch's message"""
    @pyts.jit.script
    def f(t: typing.Any) -> int:
        return 1
    with pytest.raises(RuntimeError, match=r"Tracer cannot infer type of \[\]\n:List trace inputs must have elements"):
        f([])
    with pytest.raises(RuntimeError, match=r"Found int and str"):
        f([1, "a"])
    assert f([None, 1]) == 1 and f({"a": (1, 2.0)}) == 1


# refused by both: pyts's CompileError says what torch's error says (its first line)
ERRORS = {
    "starred": "def starred(t: List[int]):\n    a, *b = t\n    return b\n",
    "listcomp_if": "def listcomp_if(t: List[int]):\n    return [a for a in t if a > 1]\n",
    "fstring_spec": "def fstring_spec(a: int, b: float):\n    return f'{a}-{b:.2f}'\n",
    "fstring_conv": "def fstring_conv(a: int):\n    return f'{a!r}'\n",
    "list_slice_assign": "def list_slice_assign(t: List[int]):\n    t[1:2] = [5]\n    return t\n",
    "invert_int": "def invert_int(a: int):\n    return ~a\n",
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejected_like_torch(tmp_path, name):
    src = ERRORS[name]
    with pytest.raises((RuntimeError, torch.jit.frontend.NotSupportedError)) as te:
        _script(tmp_path, name, src, torch)
    with pytest.raises(CompileError) as pe:
        _script(tmp_path, name, src, pyts)
    first = [ln for ln in str(te.value).split("\n") if ln.strip()][0].rstrip(":")
    assert str(pe.value).startswith(first), (str(pe.value), first)
