"""x.tolist() and arithmetic on numbers (x.item()) in scripted code, against torch.jit.script:
tolist takes its result type from the context's annotation (`y: T = ...`, annotate(T, ...), an
annotated return, both arms of a conditional), checks the tensor's dtype and dim when it runs,
and prints as annotate(T, x.tolist()); numbers use aten::add(Scalar a, Scalar b) and friends.
Same results and result types (or the same exception class and message), the same `.code`, and
archives both ways."""
import io
import math
import typing

import numpy as np
import pytest
import torch

import pyts
from test_print_code import torch_compile_code
from test_script import _same_value

NAMES = {"List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional}


def _define(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "Tensor": lib.Tensor, "math": math, "__name__": f"tolist_{name}", **NAMES}
    exec(compile(src, str(path), "exec"), ns)
    return ns[name]


def _arg(lib, a):
    if isinstance(a, list):
        return [_arg(lib, x) for x in a]
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


def _as_pyts(v):
    if isinstance(v, torch.Tensor):
        return pyts.tensor(v.numpy())
    if isinstance(v, (list, tuple)):
        return type(v)(_as_pyts(x) for x in v)
    return v


def _outcome(f, lib, args):
    try:
        return "ok", f(*[_arg(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (class and message are compared)
        return "raise", e


def _check(fp, ft, name, calls):
    """pyts and torch (and torch running pyts's printed code) agree on every call."""
    recompiled = torch_compile_code(fp.code, name, ft)
    for args in calls:
        kind, want = _outcome(ft, torch, args)
        for f, lib in ((fp, pyts), (recompiled, torch)):
            k, got = _outcome(f, lib, args)
            assert k == kind, (name, args, got, want)
            if kind == "raise":
                assert isinstance(got, RuntimeError), (name, args, got)
                # torch wraps the kernel's message in the interpreter's traceback
                assert str(got).strip().splitlines()[-1].split("RuntimeError: ")[-1] in str(want), (got, want)
            else:
                _same_value(got if lib is pyts else _as_pyts(got), want)


F32 = [np.array([1.5, -2.0, 0.25], dtype=np.float32)]
ALL = [(np.arange(6) % 3).astype(dt).reshape(2, 3) for dt in (np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_,
                                                        np.float16)]
ALL += [a[0] for a in ALL] + [np.asarray(a[0, 0]) for a in ALL] + [np.zeros((0, 3), dtype=np.float32), np.zeros((2, 0), dtype=np.int64)]
NONCONTIG = [np.arange(12, dtype=np.float64).reshape(3, 4).T, np.arange(10, dtype=np.int64)[::3],
             np.broadcast_to(np.array([True, False]), (3, 2))]

# name: (source of def <name>, argument tuples)
CASES = {
    "ann_assign": ("def ann_assign(x: Tensor):\n    y: List[float] = x.tolist()\n    return y\n", ALL),
    "ann_int2": ("def ann_int2(x: Tensor):\n    y: List[List[int]] = x.tolist()\n    return y\n", ALL + NONCONTIG),
    "ann_float2": ("def ann_float2(x: Tensor):\n    y: List[List[float]] = x.tolist()\n    return y\n", ALL + NONCONTIG),
    "ann_bool2": ("def ann_bool2(x: Tensor):\n    y: List[List[bool]] = x.tolist()\n    return y\n", ALL + NONCONTIG),
    "ann_int1": ("def ann_int1(x: Tensor):\n    y: List[int] = x.tolist()\n    return y\n", ALL + NONCONTIG),
    "ann_scalar": ("def ann_scalar(x: Tensor):\n    y: float = x.tolist()\n    return y\n", ALL),
    "ann_scalar_int": ("def ann_scalar_int(x: Tensor):\n    y: int = x.tolist()\n    return y\n", ALL),
    "ann_scalar_bool": ("def ann_scalar_bool(x: Tensor):\n    y: bool = x.tolist()\n    return y\n", ALL),
    "annotate": ("def annotate(x: Tensor):\n    return torch.jit.annotate(List[List[int]], x.tolist())\n", ALL),
    "ret_ann": ("def ret_ann(x: Tensor) -> List[float]:\n    return x.tolist()\n", ALL),
    "ret_branch": ("def ret_branch(x: Tensor, c: bool) -> List[float]:\n    if c:\n        return x.tolist()\n"
                   "    return [1.0]\n", [(a, c) for a in F32 for c in (True, False)]),
    "ternary": ("def ternary(x: Tensor, c: bool):\n    y: List[float] = x.tolist() if c else [1.0]\n    return y\n",
                [(a, c) for a in F32 for c in (True, False)]),
    "nested_expr": ("def nested_expr(x: Tensor, xs: List[Tensor]):\n    y: List[float] = (x + 1).tolist()\n"
                    "    z: List[float] = xs[0].tolist()\n    return y, z\n", [(F32[0], [F32[0] * 2])]),
    "args_ignored": ("def args_ignored(x: Tensor):\n    y: List[float] = x.tolist(x)\n    return y\n", F32),
    "loop_use": ("def loop_use(x: Tensor) -> float:\n    y: List[float] = x.tolist()\n    s = 0.0\n    for v in y:\n"
                 "        s += v\n    return s\n", F32),
    "deep": ("def deep(x: Tensor):\n    y: List[List[List[List[int]]]] = x.tolist()\n    return y\n",
             [np.arange(24, dtype=np.int64).reshape(1, 2, 3, 4), np.arange(3, dtype=np.int64)]),
    # numbers
    "num_arith": ("def num_arith(x: Tensor, i: int, f: float):\n    a = x.item()\n"
                  "    return a + 1, a * 2.0, -a, a - a, a / 2, a // 2, a % 2, a ** 2, a + i, i + a, f * a, a - f, 2 * a\n",
                  [(np.array(v), i, f) for v in (3, -7, 2.5, -0.5, 0) for i, f in ((2, 0.5), (-3, -1.5))]),
    "num_compare": ("def num_compare(x: Tensor, y: Tensor):\n    a = x.item()\n    b = y.item()\n"
                    "    return a < b, a > b, a <= b, a >= b, a == b, a != b, a < 2, 1.5 > a, a == 3\n",
                    [(np.array(a), np.array(b)) for a, b in ((3, 3), (3, 3.0), (2.5, 3), (7, -1), (1.5, 1.5))]),
    "num_div_zero": ("def num_div_zero(x: Tensor, d: int):\n    a = x.item()\n    return a / d, a // d\n",
                     [(np.array(1.5), 0), (np.array(1), 0), (np.array(1), 2)]),
    "num_neg_wraps": ("def num_neg_wraps(x: Tensor):\n    return -x.item()\n", [np.array(2**40), np.array(-5)]),
    # a number where an int or float is expected converts (int(a), float(a)), as torch: bool(int(a)),
    # torch.tensor(float(a)), and number * Tensor binds mul.int with int(a) and annotate(int, x)
    "num_convert": ("def num_convert(x: Tensor):\n    a = x.item()\n    return bool(a), torch.tensor(a), abs(a), torch.full([2], a)\n",
                    [np.array(v) for v in (2.5, -3, 0, 0.25)]),
    "num_times_tensor": ("def num_times_tensor(x: Tensor, y: Tensor):\n    a = x.item()\n    return a * y, a + y, a < y\n",
                         [(np.array(2), np.array(3)), (np.array(2.5), np.array(3)), (np.array(2), np.array(1.5)),
                          (np.array(2), np.array([3]))]),
    "num_unary": ("def num_unary(x: Tensor):\n    a = x.item()\n    return math.floor(a), math.ceil(a), math.sqrt(a), round(a)\n",
                  [np.array(v) for v in (2.5, -3, 7, -2.5, 3.5, 2**40, 1e10)]),
    "num_to_int": ("def num_to_int(x: Tensor) -> int:\n    a = x.item() * 2\n    return int(a) + 1\n",
                   [np.array(2.75), np.array(3)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_torch(tmp_path, name):
    src, calls = CASES[name]
    fp = pyts.jit.script(_define(tmp_path, name, src, pyts))
    ft = torch.jit.script(_define(tmp_path, name, src, torch))
    _check(fp, ft, name, [c if isinstance(c, tuple) else (c,) for c in calls])
    assert fp.code == ft.code


def _errors(tmp_path, name, src):
    out = []
    for lib in (pyts, torch):
        with pytest.raises(RuntimeError) as ei:
            lib.jit.script(_define(tmp_path, name, src, lib))
        out.append(str(ei.value))
    return out


# compile errors: no annotation reaches tolist (a plain assignment, a container literal, a tuple
# return), or the annotation's element type is not int/float/bool/complex
HINT_ERRORS = {
    "no_hint": "def no_hint(x: Tensor):\n    return x.tolist()\n",
    "reassigned": "def reassigned(x: Tensor):\n    y: List[float] = []\n    y = x.tolist()\n    return y\n",
    "in_list": "def in_list(x: Tensor):\n    y: List[List[float]] = [x.tolist()]\n    return y\n",
    "in_tuple": "def in_tuple(x: Tensor) -> Tuple[List[float], int]:\n    return x.tolist(), 1\n",
}
TYPE_ERRORS = {
    "str_elem": ("def str_elem(x: Tensor):\n    y: List[str] = x.tolist()\n    return y\n", "str"),
    "optional": ("def optional(x: Tensor) -> Optional[List[float]]:\n    return x.tolist()\n", "Optional[List[float]]"),
    "tuple_elem": ("def tuple_elem(x: Tensor):\n    y: List[Tuple[int]] = x.tolist()\n    return y\n", "Tuple[int]"),
}


@pytest.mark.parametrize("name", sorted(HINT_ERRORS))
def test_missing_hint(tmp_path, name):
    p, t = _errors(tmp_path, name, HINT_ERRORS[name])
    assert p.startswith("Expected type hint for result of tolist()")
    assert "Expected type hint for result of tolist()" in t
    assert "x.tolist" in p


@pytest.mark.parametrize("name", sorted(TYPE_ERRORS))
def test_unsupported_element(tmp_path, name):
    src, shown = TYPE_ERRORS[name]
    p, t = _errors(tmp_path, name, src)
    want = f"{shown} is not one of the supported element types for tolist: int, float, complex, bool"
    assert p == t == want


def test_graph_node(tmp_path):
    src = "def g(x: Tensor):\n    y: List[List[bool]] = x.tolist()\n    return y\n"
    text = str(pyts.jit.script(_define(tmp_path, "g", src, pyts)).graph)
    # one pooled constant for the dimension count and the element kind (both 2), as torch prints it
    assert "%y.1 : bool[][] = prim::tolist(%x.1, %1, %1)" in text   # torch's names
    assert "prim::Constant[value=2]" in text


class M(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> typing.Tuple[typing.List[typing.List[float]], float]:
        y: typing.List[typing.List[float]] = x.tolist()
        a = x.sum().item()
        return y, float(a * 2 + 1)


def _module_src():
    return ("class M(torch.nn.Module):\n    def forward(self, x: Tensor) -> Tuple[List[List[float]], float]:\n"
            "        y: List[List[float]] = x.tolist()\n        a = x.sum().item()\n        return y, float(a * 2 + 1)\n")


def test_archive_torch_to_pyts():
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(M()), buf)
    p = pyts.jit.load(io.BytesIO(buf.getvalue()))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    _same_value(p(pyts.tensor(x)), torch.jit.script(M())(torch.tensor(x)))
    with pytest.raises(RuntimeError, match="must match for tolist"):
        p(pyts.tensor(x[0]))


def test_archive_pyts_to_torch(tmp_path):
    path = tmp_path / "m_pyts.py"
    path.write_text(_module_src())
    ns = {"torch": pyts, "Tensor": pyts.Tensor, **NAMES, "__name__": "tolist_mod"}
    exec(compile(_module_src(), str(path), "exec"), ns)
    m = pyts.jit.script(ns["M"]())
    buf = io.BytesIO()
    pyts.jit.save(m, buf)
    t = torch.jit.load(io.BytesIO(buf.getvalue()))
    for x in (np.arange(6, dtype=np.float64).reshape(2, 3), np.zeros((0, 2), dtype=np.float32)):
        _same_value(m(pyts.tensor(x)), t(torch.tensor(x)))
    with pytest.raises(RuntimeError, match="element type must match"):
        t(torch.ones(2, 2, dtype=torch.int64))
    assert "annotate(List[List[float]], x.tolist())" in m.code


def test_min_max_of_a_number_is_not_truncated():
    # prim::min(Scalar, Scalar): the int overload would truncate 0.5 to 0 (tests/test_script_numbers.py
    # compares these with torch)
    def f(x: pyts.Tensor):
        a = x.item()
        return min(a, 1)
    assert pyts.jit.script(f)(pyts.tensor(0.5)) == 0.5

    def g(x: pyts.Tensor):
        a = x.item()
        return max(float(a), 1.0)
    assert pyts.jit.script(g)(pyts.tensor(2.5)) == 2.5
