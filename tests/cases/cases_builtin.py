"""Differential cases for the hidden TorchScript builtins (csrc/ops/ops_builtin.def): int/float/bool
arithmetic, comparisons, conversions and range helpers. Python does not bind these rows, so a case
runs the row through ``pyts._C._call_op`` and, on the torch side, the same overload through
``torch.ops.aten.<name>.<overload>``."""
import numpy as np
from oracle import noncontig, rand

import pyts

_SCHEMAS = {r[0]: r[1] for r in pyts._C._ops()}
I64_MAX, I64_MIN = 2**63 - 1, -2**63


def row(L, row_id, *args, py=None):
    """Run registry row `row_id` on args in library L; `py` stands in on the torch side for generic
    builtins torch.ops cannot call (`__is__(t1 self, t2 obj)`)."""
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    if py is not None:
        return py(*args)
    name = _SCHEMAS[row_id].split("(")[0]
    ns, _, name = name.rpartition("::")   # "prim::min.int": a row of torch's prim namespace
    base, _, overload = name.partition(".")
    return getattr(getattr(getattr(L.ops, ns or "aten"), base), overload or "default")(*args)


def _cases(row_id, *arg_tuples):
    return [lambda L, T, a=a: row(L, row_id, *a) for a in arg_tuples]


INTS = [(2, 3), (-7, 2), (7, -2), (0, 5), (I64_MAX, 1), (I64_MIN, -1), (3037000500, 3037000500)]
FLOATS = [(2.5, 0.5), (-7.5, 2.0), (5.0, -3.0), (1.0, 0.0), (-0.0, 1.0), (float("inf"), 2.0), (float("nan"), 1.0)]
INT_FLOAT = [(2, 0.5), (-7, 2.0), (3, -1.5), (0, 0.25), (1, float("inf"))]
FLOAT_INT = [(2.5, 2), (-7.5, 2), (7.5, -2), (0.0, 3), (float("nan"), 1)]
# floor division and modulo: no int division by zero (torch's kernel traps on it)
DIV_INTS = [(2, 3), (-7, 2), (7, -2), (0, 5), (-9, -4), (I64_MAX, 7)]

CASES = {}
for op in ("ADD", "SUB", "MUL"):
    CASES[f"{op}_INT"] = _cases(f"{op}_INT", *INTS)
    CASES[f"{op}_FLOAT"] = _cases(f"{op}_FLOAT", *FLOATS)
    CASES[f"{op}_INT_FLOAT"] = _cases(f"{op}_INT_FLOAT", *INT_FLOAT)
    CASES[f"{op}_FLOAT_INT"] = _cases(f"{op}_FLOAT_INT", *FLOAT_INT)
CASES["DIV_INT"] = _cases("DIV_INT", *DIV_INTS, (1, 0), (-1, 0), (0, 0))
CASES["DIV_FLOAT"] = _cases("DIV_FLOAT", *FLOATS)
for op in ("FLOORDIV", "REMAINDER"):
    CASES[f"{op}_INT"] = _cases(f"{op}_INT", *DIV_INTS)
    CASES[f"{op}_FLOAT"] = _cases(f"{op}_FLOAT", *FLOATS, (5.5, float("inf")))
    CASES[f"{op}_INT_FLOAT"] = _cases(f"{op}_INT_FLOAT", *INT_FLOAT)
    CASES[f"{op}_FLOAT_INT"] = _cases(f"{op}_FLOAT_INT", *FLOAT_INT)
CASES["FLOORDIV_INT"] += _cases("FLOORDIV_INT", (1, 0))   # both raise "division by 0"
CASES["POW_INT"] = _cases("POW_INT", (2, 3), (2, -1), (-2, 3), (0, 0), (0, -1), (10, 20))
CASES["POW_FLOAT"] = _cases("POW_FLOAT", (2.0, 0.5), (-8.0, 1 / 3), (0.0, -1.0), (1.5, -2.0), (float("nan"), 0.0))
CASES["POW_INT_FLOAT"] = _cases("POW_INT_FLOAT", (2, 0.5), (0, -1.5), (-2, 2.0))
CASES["POW_FLOAT_INT"] = _cases("POW_FLOAT_INT", (2.5, 2), (0.0, -2), (-1.5, 3))
CASES["NEG_INT"] = _cases("NEG_INT", (3,), (-4,), (0,), (I64_MIN,))
CASES["NEG_FLOAT"] = _cases("NEG_FLOAT", (3.5,), (-0.0,), (float("inf"),))
for op in ("LT", "GT", "LE", "GE", "EQ", "NE"):
    CASES[f"{op}_INT"] = _cases(f"{op}_INT", (2, 3), (3, 2), (4, 4), (I64_MIN, I64_MAX))
    CASES[f"{op}_FLOAT"] = _cases(f"{op}_FLOAT", (2.5, 3.0), (3.0, 2.5), (1.0, 1.0), (float("nan"), 1.0))
    CASES[f"{op}_INT_FLOAT"] = _cases(f"{op}_INT_FLOAT", (2, 2.5), (3, 2.5), (2, 2.0), (1, float("nan")))
    CASES[f"{op}_FLOAT_INT"] = _cases(f"{op}_FLOAT_INT", (2.5, 2), (1.5, 2), (2.0, 2))
for op in ("EQ", "NE", "AND", "OR", "XOR"):
    CASES[f"{op}_BOOL"] = _cases(f"{op}_BOOL", (True, False), (True, True), (False, False), (False, True))
CASES["NOT_BOOL"] = _cases("NOT_BOOL", (True,), (False,))
for op in ("AND", "OR", "XOR"):
    CASES[f"{op}_INT"] = _cases(f"{op}_INT", (12, 10), (-1, 255), (0, 7), (I64_MIN, -1))
CASES["LSHIFT_INT"] = _cases("LSHIFT_INT", (1, 3), (1, 63), (1, 70), (-8, 1), (1, -1), (5, 0))
CASES["RSHIFT_INT"] = _cases("RSHIFT_INT", (64, 3), (-8, 1), (-1, 63), (I64_MIN, 70), (5, 0))

# conversions of tensors: one element (any rank) for Bool/Int/Float; 0-dim for the implicit ones
CASES["BOOL_TENSOR"] = [
    lambda L, T: row(L, "BOOL_TENSOR", T(np.array(2.0, dtype=np.float32))),
    lambda L, T: row(L, "BOOL_TENSOR", T(np.array([[0.0]], dtype=np.float64))),
    lambda L, T: row(L, "BOOL_TENSOR", T(np.array([-3], dtype=np.int64))),
    lambda L, T: row(L, "BOOL_TENSOR", T(np.array(False))),
    lambda L, T: row(L, "BOOL_TENSOR", T(np.array(np.nan, dtype=np.float32))),
    lambda L, T: row(L, "BOOL_TENSOR", T(rand(2))),            # more than one value
    lambda L, T: row(L, "BOOL_TENSOR", T(rand(0))),            # no values
]
CASES["INT_TENSOR"] = [
    lambda L, T: row(L, "INT_TENSOR", T(np.array(2.7, dtype=np.float32))),
    lambda L, T: row(L, "INT_TENSOR", T(np.array([-2.7], dtype=np.float64))),
    lambda L, T: row(L, "INT_TENSOR", T(np.array([[7]], dtype=np.int32))),
    lambda L, T: row(L, "INT_TENSOR", T(np.array(True))),
    lambda L, T: row(L, "INT_TENSOR", T(np.array(200, dtype=np.uint8))),
    lambda L, T: row(L, "INT_TENSOR", T(rand(2, 2))),
    lambda L, T: row(L, "INT_TENSOR", T(rand(0))),
]
CASES["FLOAT_TENSOR"] = [
    lambda L, T: row(L, "FLOAT_TENSOR", T(np.array(2.5, dtype=np.float32))),
    lambda L, T: row(L, "FLOAT_TENSOR", T(np.array([1e300], dtype=np.float64))),
    lambda L, T: row(L, "FLOAT_TENSOR", T(np.array([[3]], dtype=np.int64))),
    lambda L, T: row(L, "FLOAT_TENSOR", T(np.array(0.5, dtype=np.float16))),
    lambda L, T: row(L, "FLOAT_TENSOR", T(rand(3))),
]
CASES["BOOL_INT"] = _cases("BOOL_INT", (0,), (5,), (-1,))
CASES["BOOL_FLOAT"] = _cases("BOOL_FLOAT", (0.0,), (-0.0,), (0.5,), (float("nan"),))
CASES["INT_BOOL"] = _cases("INT_BOOL", (True,), (False,))
CASES["INT_FLOAT"] = _cases("INT_FLOAT", (2.7,), (-2.7,), (0.0,), (1e15,))
CASES["FLOAT_INT"] = _cases("FLOAT_INT", (3,), (-4,), (I64_MAX,))
CASES["FLOAT_BOOL"] = _cases("FLOAT_BOOL", (True,), (False,))
CASES["INTIMPLICIT"] = [
    lambda L, T: row(L, "INTIMPLICIT", T(np.array(3, dtype=np.int64))),
    lambda L, T: row(L, "INTIMPLICIT", T(np.array(-3, dtype=np.int8))),
    lambda L, T: row(L, "INTIMPLICIT", T(np.array(1.5, dtype=np.float32))),   # not integral
    lambda L, T: row(L, "INTIMPLICIT", T(np.array(True))),                     # bool is not integral here
    lambda L, T: row(L, "INTIMPLICIT", T(np.array([3], dtype=np.int64))),      # not 0-dim
]
CASES["FLOATIMPLICIT"] = [
    lambda L, T: row(L, "FLOATIMPLICIT", T(np.array(1.5, dtype=np.float64))),
    lambda L, T: row(L, "FLOATIMPLICIT", T(np.array(3, dtype=np.int32))),
    lambda L, T: row(L, "FLOATIMPLICIT", T(np.array([3.0], dtype=np.float32))),
]
CASES["SCALARIMPLICIT"] = [
    lambda L, T: row(L, "SCALARIMPLICIT", T(np.array(1.5, dtype=np.float32))),
    lambda L, T: row(L, "SCALARIMPLICIT", T(np.array(3, dtype=np.int16))),
    lambda L, T: row(L, "SCALARIMPLICIT", T(np.array(True))),
    lambda L, T: row(L, "SCALARIMPLICIT", T(rand(1))),
]
CASES["RANGE_LENGTH"] = _cases("RANGE_LENGTH", (0, 10, 1), (0, 10, 3), (10, 0, -3), (5, 5, 1), (5, 0, 1),
                               (0, 10, 0), (-5, 5, 2), (7, -7, -5))
CASES["DERIVE_INDEX"] = _cases("DERIVE_INDEX", (0, 2, 1), (3, 2, 5), (4, 10, -3))
CASES["LEN_TENSOR"] = [
    lambda L, T: row(L, "LEN_TENSOR", T(rand(3, 2))),
    lambda L, T: row(L, "LEN_TENSOR", T(rand(0, 4))),
    lambda L, T: row(L, "LEN_TENSOR", T(np.array(1.0, dtype=np.float32))),    # 0-d: error
]

_is, _isnot = (lambda a, b: a is b), (lambda a, b: a is not b)
for _id, _f in (("IS", _is), ("ISNOT", _isnot)):
    CASES[_id] = [
        lambda L, T, f=_f, i=_id: row(L, i, None, None, py=f),
        lambda L, T, f=_f, i=_id: row(L, i, T(rand(2)), None, py=f),
        lambda L, T, f=_f, i=_id: row(L, i, None, T(rand(2)), py=f),
        lambda L, T, f=_f, i=_id: (lambda t: row(L, i, t, t, py=f))(T(rand(2))),
        lambda L, T, f=_f, i=_id: row(L, i, T(rand(2)), T(rand(2)), py=f),
        lambda L, T, f=_f, i=_id: row(L, i, True, True, py=f),
    ]


# ---- lists, dicts, strings, math (the generic rows torch.ops cannot call run the Python
# reference on the torch side; str/format use torch's own compiled str()/format()) ----
def _as_script(f):
    """TorchScript's interpreter raises RuntimeError where Python (and torch.ops called from
    Python) raise IndexError: list and str indices out of range"""
    def g(*a):
        try:
            return f(*a)
        except IndexError as e:
            raise RuntimeError(str(e)) from None
    return g


def _pc(row_id, py, *arg_tuples):
    """cases whose torch side is the Python reference py"""
    import copy
    # the reference mutates its arguments: give it its own copy
    return [lambda L, T, a=a: row(L, row_id, *(copy.deepcopy(a) if L is not pyts else a), py=py) for a in arg_tuples]


def _mut(f):
    """a mutating builtin's result and its first argument afterwards (pyts copies its inputs, so
    only the result is compared for mutation) """
    return lambda *a: f(*a)


def _pop_list(xs, i=-1):
    return xs.pop(i)


def _set_list(xs, i, v):
    xs[i] = v
    return xs


def _popitem_first(d):
    """torch's dict.popitem(): the first entry in insertion order (Python's pops the last);
    checked against torch.jit.script in tests/test_script_gaps6.py"""
    if not d:
        raise RuntimeError("popitem(): dictionary is empty")
    k = next(iter(d))
    return k, d.pop(k)


def _set_dict(d, k, v):
    d[k] = v


def _update(d, e):
    d.update(e)


_TS = None


def _ts(fn, *a):
    global _TS
    if _TS is None:
        import torch
        _TS = torch.jit.CompilationUnit(
            "def s_f(x: float) -> str:\n    return str(x)\n"
            "def s_l(x: List[float]) -> str:\n    return str(x)\n"
            "def s_b(x: bool) -> str:\n    return str(x)\n"
            "def f3(f: str, a: int, b: str, c: float) -> str:\n    return f.format(a, b, c)\n")
    return getattr(_TS, fn)(*a)


CASES.update({
    "LEN_T": _pc("LEN_T", len, ([1, 2],), ([],), (["a"],)),
    "LEN_STR": _cases("LEN_STR", ("héllo",), ("",)),
    "LEN_DICT_STR": _pc("LEN_DICT_STR", len, ({"a": 1, "b": 2},), ({},)),
    "LEN_DICT_INT": _pc("LEN_DICT_INT", len, ({1: 2},)),
    "GETITEM_T": _pc("GETITEM_T", _as_script(lambda xs, i: xs[i]), ([1, 2], -1), ([1.5], 0), ([1, 2], 2), ([], 0)),
    "GETITEM_STR": [lambda L, T, a=a: row(L, "GETITEM_STR", *a, py=_as_script(
        lambda s, i: __import__("torch").ops.aten.__getitem__.str(s, i))) for a in (("abc", 1), ("abc", -1), ("abc", 3))],
    "GETITEM_DICT_STR": _pc("GETITEM_DICT_STR", lambda d, k: d[k], ({"a": 1}, "a")),
    "GETITEM_DICT_INT": _pc("GETITEM_DICT_INT", lambda d, k: d[k], ({1: 2.5}, 1)),
    "SET_ITEM_T": _pc("SET_ITEM_T", _as_script(_set_list), ([1, 2], 0, 5), ([1, 2], -1, 7), ([1], 3, 0)),
    "SET_ITEM_STR": _pc("SET_ITEM_STR", _set_dict, ({"a": 1}, "b", 2)),
    "SET_ITEM_INT": _pc("SET_ITEM_INT", _set_dict, ({1: 1}, 2, 2)),
    "WARN": _pc("WARN", lambda m, level=2: None, ("a warning from a test",), ("x", 1)),
    "LIST_T": _pc("LIST_T", lambda xs: list(xs), ([1, 2],), ([],), (["a"],)),
    "APPEND_T": _pc("APPEND_T", lambda xs, v: xs + [v], ([1], 2), ([], "a")),
    "POP_T": _pc("POP_T", _pop_list, ([1, 2], -1), ([1, 2, 3], 0), ([1], -1)),
    "CONTAINS_INT_LIST": _cases("CONTAINS_INT_LIST", ([1, 2], 2), ([], 1), ([1], 3)),
    "CONTAINS_FLOAT_LIST": _cases("CONTAINS_FLOAT_LIST", ([1.5], 1.5), ([0.5], 1.0)),
    "CONTAINS_STR_LIST": _cases("CONTAINS_STR_LIST", (["a"], "b"), (["a", "b"], "b")),
    "CONTAINS_STR": _pc("CONTAINS_STR", lambda d, k: k in d, ({"a": 1}, "a"), ({}, "a")),
    "CONTAINS_INT": _pc("CONTAINS_INT", lambda d, k: k in d, ({1: 1}, 2), ({1: 1}, 1)),
    "KEYS_STR": _pc("KEYS_STR", lambda d: list(d), ({"b": 1, "a": 2},), ({},)),
    "KEYS_INT": _pc("KEYS_INT", lambda d: list(d), ({3: 1, 1: 2},)),
    "VALUES_STR": _pc("VALUES_STR", lambda d: list(d.values()), ({"b": 1, "a": 2},)),
    "VALUES_INT": _pc("VALUES_INT", lambda d: list(d.values()), ({3: 1.5},)),
    "ITEMS_STR": _pc("ITEMS_STR", lambda d: list(d.items()), ({"b": 1, "a": 2},), ({},), ({"x": [1, 2]},)),
    "ITEMS_INT": _pc("ITEMS_INT", lambda d: list(d.items()), ({3: 1.5, -1: 2.5},), ({},)),
    "GET_STR": _pc("GET_STR", lambda d, k: d.get(k), ({"a": 1}, "b"), ({"a": 1}, "a")),
    "GET_DEFAULT_STR": _pc("GET_DEFAULT_STR", lambda d, k, v: d.get(k, v), ({"a": 1}, "b", 3), ({"a": 1}, "a", 3)),
    "GET_INT": _pc("GET_INT", lambda d, k: d.get(k), ({1: 1}, 1), ({1: 1}, 0)),
    "GET_DEFAULT_INT": _pc("GET_DEFAULT_INT", lambda d, k, v: d.get(k, v), ({1: 1}, 2, 3)),
    "SETDEFAULT_STR": _pc("SETDEFAULT_STR", lambda d, k, v: d.setdefault(k, v), ({"a": 1}, "b", 2), ({"a": 1}, "a", 2)),
    "SETDEFAULT_INT": _pc("SETDEFAULT_INT", lambda d, k, v: d.setdefault(k, v), ({1: 1}, 1, 2)),
    "POP_DICT_STR": _pc("POP_DICT_STR", lambda d, k: d.pop(k), ({"a": 1, "b": 2}, "a")),
    "POP_DICT_INT": _pc("POP_DICT_INT", lambda d, k: d.pop(k), ({1: 1}, 1)),
    "POP_DICT_DEFAULT_STR": _pc("POP_DICT_DEFAULT_STR", lambda d, k, v: d.pop(k, v), ({"a": 1, "b": 2}, "a", 5),
                                ({"a": 1}, "z", 5), ({}, "z", 0)),
    "POP_DICT_DEFAULT_INT": _pc("POP_DICT_DEFAULT_INT", lambda d, k, v: d.pop(k, v), ({1: 1.5}, 1, 2.5), ({1: 1.5}, 3, 2.5)),
    "POPITEM_STR": _pc("POPITEM_STR", _popitem_first, ({"a": 1, "b": 2},), ({"x": [1]},), ({},)),
    "POPITEM_INT": _pc("POPITEM_INT", _popitem_first, ({3: "c", 1: "a"},), ({},)),
    "UPDATE_STR": _pc("UPDATE_STR", _update, ({"a": 1}, {"b": 2})),
    "UPDATE_INT": _pc("UPDATE_INT", _update, ({1: 1}, {2: 2})),
    "ADD_STR": _cases("ADD_STR", ("a", "b"), ("", "")),
    "EQ_STR": _cases("EQ_STR", ("a", "a"), ("a", "b")),
    "NE_STR": _cases("NE_STR", ("a", "a"), ("a", "b")),
    "STR": [lambda L, T: row(L, "STR", 1.0, py=lambda x: _ts("s_f", x)),
            lambda L, T: row(L, "STR", 0.1, py=lambda x: _ts("s_f", x)),
            lambda L, T: row(L, "STR", [1.5, 2.0], py=lambda x: _ts("s_l", x)),
            lambda L, T: row(L, "STR", True, py=lambda x: _ts("s_b", x))],
    "FORMAT": [lambda L, T: row(L, "FORMAT", "x", py=lambda f: f)],
    "STARTSWITH": _cases("STARTSWITH", ("abc", "ab"), ("abc", "b"), ("abc", "b", 1), ("abc", "", 0)),
    "ENDSWITH": _cases("ENDSWITH", ("abc", "c"), ("abc", "b"), ("abc", "b", 0, 2)),
    "FIND": _cases("FIND", ("abc", "c"), ("abc", "x"), ("abcabc", "b", 2), ("héllo", "l")),
    "SPLIT_STR": _cases("SPLIT_STR", ("a,b", ","), ("a,,b", ","), (" a  b ",), ("a,b,c", ",", 1)),
    "JOIN": _cases("JOIN", (",", ["a", "b"]), ("", []), ("-", ["x"])),
    "LOWER": _cases("LOWER", ("AbC",)),
    "UPPER": _cases("UPPER", ("abC1",)),
    "STRIP": _cases("STRIP", ("  a \n",), ("xxaxx", "x"), ("",)),
    "REPLACE": _cases("REPLACE", ("aaa", "a", "b"), ("aaa", "a", "b", 2), ("abcb", "b", "-")),
    "SQRT_INT": _cases("SQRT_INT", (4,), (2,), (-1,)),
    "SQRT_FLOAT": _cases("SQRT_FLOAT", (2.0,), (-1.0,), (0.0,)),
    "EXP_INT": _cases("EXP_INT", (1,), (0,)),
    "EXP_FLOAT": _cases("EXP_FLOAT", (1.5,), (-800.0,)),
    "LOG_INT": _cases("LOG_INT", (0,), (10,)),
    "LOG_FLOAT": _cases("LOG_FLOAT", (-1.0,), (2.5,)),
    "FLOOR_FLOAT": _cases("FLOOR_FLOAT", (2.5,), (-2.5,), (3.0,)),
    "CEIL_FLOAT": _cases("CEIL_FLOAT", (2.5,), (-2.5,)),
    "ISNAN_FLOAT": _cases("ISNAN_FLOAT", (1.0,), (float("nan"),)),
    "ISINF_FLOAT": _cases("ISINF_FLOAT", (1.0,), (float("-inf"),)),
    "ROUND_FLOAT": _cases("ROUND_FLOAT", (2.5,), (3.5,), (-0.5,), (1.25,)),
    "ABS_INT": [lambda L, T, a=a: row(L, "ABS_INT", a, py=abs) for a in (-3, 4)],
    "ABS_FLOAT": [lambda L, T, a=a: row(L, "ABS_FLOAT", a, py=abs) for a in (-2.0, 0.5)],
    "DIVMOD_INT": _cases("DIVMOD_INT", (7, -2), (-7, 2), (6, 3)),
    "DIVMOD_FLOAT": _cases("DIVMOD_FLOAT", (7.5, 2.0), (-7.5, 2.0), (7.5, -2.0)),
    "MIN_INT": _pc("MIN_INT", min, (1, 2), (5, -3)),
    "MAX_INT": _pc("MAX_INT", max, (1, 2), (5, -3)),
    "MIN_FLOAT": _pc("MIN_FLOAT", min, (1.0, 2.5), (3.0, -1.0)),
    "MAX_FLOAT": _pc("MAX_FLOAT", max, (1.0, 2.5), (3.0, -1.0)),
    "MIN_SELF_INT": _pc("MIN_SELF_INT", min, ([3, 1, 2],), ([-1],)),
    "MAX_SELF_INT": _pc("MAX_SELF_INT", max, ([3, 1, 2],)),
    "MIN_SELF_FLOAT": _pc("MIN_SELF_FLOAT", min, ([1.5, -2.0],)),
    "MAX_SELF_FLOAT": _pc("MAX_SELF_FLOAT", max, ([1.5, -2.0],)),
    "SUM_INT": _cases("SUM_INT", ([1, 2],), ([],)),
    "SUM_FLOAT": _cases("SUM_FLOAT", ([1.5, 2.0],), ([],)),
    "ANY_BOOL": _cases("ANY_BOOL", ([False],), ([False, True],), ([],)),
    "ALL_BOOL": _cases("ALL_BOOL", ([True],), ([True, False],), ([],)),
    "SORTED_INT": _cases("SORTED_INT", ([3, 1, 2],), ([],)),
    "SORTED_FLOAT": _cases("SORTED_FLOAT", ([2.0, -1.0, 1.5],)),
    "SORTED_STR": _cases("SORTED_STR", (["b", "a", "ab"],)),
    "IS_GRAD_ENABLED": _cases("IS_GRAD_ENABLED", ()),
    "SET_GRAD_ENABLED": _cases("SET_GRAD_ENABLED", (True,)),
})


# ---- slices and list arithmetic (torch.ops cannot call these generic rows: Python references) ----
def _slice(xs, lo, hi, step):
    if step == 0:
        raise RuntimeError("List slice should have non-zero step")
    return xs[lo:hi:step]


def _repeat(xs, n):
    if n < 0 and xs:
        raise RuntimeError("vector::reserve")
    return xs * n


def _iadd(xs, ys):
    xs += ys
    return xs


def _imul(xs, n):
    xs *= n
    return xs


def _extend(xs, ys):
    xs.extend(ys)


_SLICES = [([1, 2, 3, 4, 5], 1, None, 1), ([1, 2, 3, 4, 5], None, -1, 2), ([1, 2, 3], None, None, -1),
           ([1, 2, 3], -100, 100, 1), ([1, 2, 3], 5, -7, -2), ([], 0, 3, 2), ([1, 2], 0, None, 0),
           ([1, 2, 3], I64_MAX, I64_MIN, -1), ([1, 2, 3], I64_MIN, I64_MAX, I64_MAX), (["a", "b"], 1, 0, 1)]
CASES.update({
    "SLICE_T": _pc("SLICE_T", _slice, *_SLICES),
    "SLICE_STR": _pc("SLICE_STR", _slice, *[("".join(map(str, xs)), lo, hi, st) for xs, lo, hi, st in _SLICES]),
    "ADD_T": _pc("ADD_T", lambda a, b: a + b, ([1], [2, 3]), ([], []), (["a"], ["b"]), ([1.5], [])),
    "ADD__T": _pc("ADD__T", _iadd, ([1], [2, 3]), ([], [4]), (["a"], [])),
    "MUL_LEFT_T": _pc("MUL_LEFT_T", _repeat, ([1, 2], 3), ([1], 0), ([], -2), ([1], -1), (["a"], 1)),
    "MUL_RIGHT_": _pc("MUL_RIGHT_", lambda n, xs: _repeat(xs, n), (3, [1, 2]), (0, [1]), (-1, [])),
    "MUL__T": _pc("MUL__T", _imul, ([1, 2], 3), ([1], 0), ([1], -4), ([], 5)),
    "EXTEND_T": _pc("EXTEND_T", _extend, ([1], [2, 3]), ([], [])),
})


# ---- list methods and del (issue 5). The mutating rows return None; their effect on the list is
# compared by tests/test_script_builtins.py through scripted functions. Failures are RuntimeErrors
# in TorchScript (not Python's ValueError/IndexError): the references raise those. ----
def _index(xs, v):
    if v not in xs:
        raise RuntimeError(f"'{v}' is not in list")
    return xs.index(v)


def _remove(xs, v):
    if v not in xs:
        raise RuntimeError("list.remove(x): x not in list")
    xs.remove(v)


def _delete(xs, i):
    if not -len(xs) <= i < len(xs):
        raise RuntimeError("list index out of range")
    del xs[i]


def _delete_key(d, k):
    if k not in d:
        raise RuntimeError(f"KeyError: {k}")
    del d[k]


CASES.update({
    "INSERT_T": _pc("INSERT_T", lambda xs, i, v: xs.insert(i, v), ([1, 2], 1, 9), ([1], -9, 0), ([], 5, "a")),
    "INDEX_LIST_INT": _cases("INDEX_LIST_INT", ([1, 2, 2], 2), ([1], 1), ([1, 2], 99), ([], 0)),
    "INDEX_LIST_FLOAT": _cases("INDEX_LIST_FLOAT", ([1.0, 2.5], 2.5), ([0.5], 1.0)),
    "INDEX_LIST_BOOL": _cases("INDEX_LIST_BOOL", ([False, True], True), ([False], True)),
    "INDEX_LIST_STR": _cases("INDEX_LIST_STR", (["a", "b"], "b"), (["a"], "z")),
    "COUNT_INT": _cases("COUNT_INT", ([1, 2, 2], 2), ([], 0)),
    "COUNT_FLOAT": _cases("COUNT_FLOAT", ([0.5, 1.0, 0.5], 0.5), ([1.0], 2.0)),
    "COUNT_BOOL": _cases("COUNT_BOOL", ([True, False, True], True),),
    "COUNT_STR_LIST": _cases("COUNT_STR_LIST", (["a", "b", "a"], "a"), ([], "a")),
    "REMOVE_INT": _pc("REMOVE_INT", _remove, ([1, 2, 2], 2), ([1], 3)),
    "REMOVE_FLOAT": _pc("REMOVE_FLOAT", _remove, ([1.5], 1.5), ([], 1.0)),
    "REMOVE_BOOL": _pc("REMOVE_BOOL", _remove, ([True], True), ([False], True)),
    "REMOVE_STR": _pc("REMOVE_STR", _remove, (["a", "b"], "b"), (["a"], "b")),
    "SORT_INT": _pc("SORT_INT", lambda xs, r=False: xs.sort(reverse=r), ([3, 1, 2],), ([2, 1], True)),
    "SORT_FLOAT": _pc("SORT_FLOAT", lambda xs, r=False: xs.sort(reverse=r), ([2.5, -1.0],)),
    "SORT_BOOL": _pc("SORT_BOOL", lambda xs, r=False: xs.sort(reverse=r), ([True, False],)),
    "SORT_STR": _pc("SORT_STR", lambda xs, r=False: xs.sort(reverse=r), (["b", "a"], True)),
    "REVERSE_T": _pc("REVERSE_T", lambda xs: xs.reverse(), ([1, 2],), ([],)),
    "CLEAR_T": _pc("CLEAR_T", lambda xs: xs.clear(), ([1, 2],), ([],)),
    "COPY_T": _pc("COPY_T", lambda xs: list(xs), ([1, 2],), ([],), (["a"],)),
    "DELETE_T": _pc("DELETE_T", _delete, ([1, 2], 0), ([1, 2], -1), ([1], 3), ([], 0)),
    "DELETE_DICT_STR": _pc("DELETE_DICT_STR", _delete_key, ({"a": 1}, "a"), ({"a": 1}, "b")),
    "DELETE_DICT_INT": _pc("DELETE_DICT_INT", _delete_key, ({1: 1}, 1), ({}, 2)),
    "CLEAR_DICT_STR": _pc("CLEAR_DICT_STR", lambda d: d.clear(), ({"a": 1},)),
    "CLEAR_DICT_INT": _pc("CLEAR_DICT_INT", lambda d: d.clear(), ({1: 1},)),
    "COPY_DICT_STR": _pc("COPY_DICT_STR", lambda d: dict(d), ({"a": 1, "b": 2},), ({},)),
    "COPY_DICT_INT": _pc("COPY_DICT_INT", lambda d: dict(d), ({1: 2.5},)),
})

# ---- str comparisons, predicates and methods, ord/chr/hex/oct/bin, int()/float() of str (torch's
# own kernels through torch.ops; inputs where torch.ops raises IndexError for std::out_of_range,
# a RuntimeError in script, are in tests/test_script_builtins.py) ----
_S = ("", "a", "Hello World", "HeLLo", "abc123", "  x y \t", "12", "ABC", "a_b-c", "1st Place", "_x9", "x9", "é")
CASES.update({f"{op}_STR": _cases(f"{op}_STR", ("a", "b"), ("b", "a"), ("ab", "a"), ("", ""), ("B", "a"))
              for op in ("LT", "GT", "LE", "GE")})
for _id in ("ISDIGIT", "ISALPHA", "ISALNUM", "ISIDENTIFIER", "ISSPACE", "ISLOWER", "ISUPPER", "ISTITLE", "ISDECIMAL", "ISNUMERIC",
            "ISPRINTABLE", "TITLE", "CAPITALIZE", "SWAPCASE"):
    CASES[_id] = _cases(_id, *[(s,) for s in _S])
CASES.update({
    "LSTRIP": _cases("LSTRIP", ("  a \n",), ("xxaxx", "x"), ("",)),
    "RSTRIP": _cases("RSTRIP", ("  a \n",), ("xxaxx", "x"), ("",)),
    "RFIND": _cases("RFIND", ("abcabc", "c"), ("abc", "x"), ("abcabc", "b", 0, -2), ("abc", "", 1)),
    "INDEX_STR": _cases("INDEX_STR", ("abcabc", "c"), ("abc", "x"), ("abcabc", "b", 2)),
    "RINDEX": _cases("RINDEX", ("abcabc", "c"), ("abc", "x"), ("abcabc", "b", 0, 3)),
    "COUNT_STR": _cases("COUNT_STR", ("abcabc", "c"), ("aaaa", "aa"), ("abcabc", "c", 0, -2), ("abc", "a", 5)),
    "ZFILL": _cases("ZFILL", ("42", 5), ("-42", 5), ("abc", 1), ("", 0)),
    "CENTER": _cases("CENTER", ("ab", 7), ("abc", 6, "*"), ("ab", 5, "**"), ("abc", 1)),
    "LJUST": _cases("LJUST", ("ab", 5), ("ab", 4, "-"), ("ab", 5, "")),
    "RJUST": _cases("RJUST", ("ab", 5), ("ab", 4, "0"), ("abc", 2)),
    "PARTITION": _cases("PARTITION", ("a,b,c", ","), ("abc", "x"), ("a,b", "")),
    "RPARTITION": _cases("RPARTITION", ("a,b,c", ","), ("abc", "x"), ("a,b", "")),
    "RSPLIT": _cases("RSPLIT", ("a b c",), ("a,b,c", ",", 1), ("a  b", " ")),
    "SPLITLINES": _cases("SPLITLINES", ("a\nb\r\nc",), ("a\n\nb\n", True), ("",)),
    "EXPANDTABS": _cases("EXPANDTABS", ("a\tbc\td",), ("x\n\ty", 4), ("\t", 0)),
    "ORD": _cases("ORD", ("a",), ("~",), ("ab",), ("",)),
    "CHR": _cases("CHR", (65,), (0,), (127,), (-1,), (1114112,)),
    "HEX": _cases("HEX", (255,), (-255,), (0,), (I64_MIN,)),
    "OCT": _cases("OCT", (8,), (-8,), (0,), (I64_MAX,)),
    "BIN": _cases("BIN", (5,), (-5,), (0,)),
    "INT_STR": _cases("INT_STR", ("42",), ("+7",), (" 12",), ("12 ",), ("-0",)),   # "x", "" and overflow: script test
    "FLOAT_STR": _cases("FLOAT_STR", ("3.5",), ("inf",), ("-Infinity",), ("nan",), (" 1e3",), ("1e3 ",), ("0x1p3",)),
    "ISFINITE_FLOAT": _cases("ISFINITE_FLOAT", (1.5,), (float("inf"),), (float("nan"),)),
})

# ---- tensors in script: item(), prim::is_cuda, prim::data, int()/float() of a number ----
CASES.update({
    "ITEM": [lambda L, T: row(L, "ITEM", T(np.array(2.5, dtype=np.float32))),
             lambda L, T: row(L, "ITEM", T(np.array([[7]], dtype=np.int64))),
             lambda L, T: row(L, "ITEM", T(np.array([True]))),
             lambda L, T: row(L, "ITEM", T(np.array(0.5, dtype=np.float16))),
             lambda L, T: row(L, "ITEM", T(rand(2))),      # more than one element
             lambda L, T: row(L, "ITEM", T(rand(0)))],
    "PRIM_IS_CUDA": [lambda L, T: row(L, "PRIM_IS_CUDA", T(rand(2)), py=lambda x: torch_prim("is_cuda", x))],
    "PRIM_DATA": [lambda L, T: row(L, "PRIM_DATA", T(rand(2, 3)), py=lambda x: torch_prim("data", x)),
                  lambda L, T: row(L, "PRIM_DATA", T(noncontig(rand(2, 3))), py=lambda x: torch_prim("data", x))],
    "INT_SCALAR": _cases("INT_SCALAR", (2.7,), (-2.7,), (5,), (True,)),
    "FLOAT_SCALAR": _cases("FLOAT_SCALAR", (2.5,), (5,), (-0.0,)),
})


def torch_prim(name, *args):
    import torch
    return getattr(torch.ops.prim, name)(*args)
CASES["NUMPY_T"] = [lambda L, T: row(L, "NUMPY_T", T(rand(2, 3))),
                    lambda L, T: row(L, "NUMPY_T", T(noncontig(rand(3, 4)))),
                    lambda L, T: row(L, "NUMPY_T", T(rand(4))),
                    lambda L, T: row(L, "NUMPY_T", T(np.array(1.5, dtype=np.float32))),
                    lambda L, T: row(L, "NUMPY_T", T(rand(0, 2, dtype=np.int64)))]

# ---- numbers (Scalar, e.g. x.item()): the int overload when both are ints, else the float one
# (bools are not numbers to torch's kernels: its IValue asserts, so none here) ----
NUM_PAIRS = [(7, 2), (-7, 2), (7, -2.0), (2.5, 2), (-2.5, 0.5), (0, -1), (I64_MAX, 1), (float("nan"), 1)]
for op in ("ADD", "SUB", "MUL", "LT", "GT", "LE", "GE", "EQ", "NE"):
    CASES[f"{op}_NUM"] = _cases(f"{op}_NUM", *NUM_PAIRS, (3, 3), (3, 3.0))
CASES["DIV_NUM"] = _cases("DIV_NUM", *NUM_PAIRS, (1, 0), (0, 0), (-1, 0.0))
# floordiv/remainder: int by 0 raises "division by 0" in floordiv (torch's remainder traps)
CASES["FLOORDIV_NUM"] = _cases("FLOORDIV_NUM", *NUM_PAIRS, (1, 0), (1.0, 0), (-9, -4))
CASES["REMAINDER_NUM"] = _cases("REMAINDER_NUM", *NUM_PAIRS, (1.0, 0), (-9, -4), (5.5, float("inf")))
CASES["POW_NUM"] = _cases("POW_NUM", (2, 3), (2, -1), (0, -1), (2.0, 0.5), (-8.0, 2), (4, 0.5), (10, 20), (-8, 1 / 3),
                          (0.0, -1.5), (3, 40))
# torch truncates an int result to 32 bits (a C int cast in its kernel)
CASES["NEG_NUM"] = _cases("NEG_NUM", (3,), (-2.5,), (0,), (-0.0,), (I64_MIN,), (2**40,), (I64_MAX,), (-2**31,), (2**31 - 1,))
CASES["ABS_NUM"] = [lambda L, T, a=a: row(L, "ABS_NUM", a, py=lambda v: __import__("torch").ops.prim.abs.Scalar(v))
                    for a in (-3, 4, -2.5, -0.0, I64_MIN, 2**40, -2**40, float("-inf"), -2**31)]
UNARY_NUMS = [(2.5,), (-3,), (7,), (-2.5,), (3.5,), (0.5,), (2**40,), (-0.0,), (2**53 + 1,), (-2**31,), (1e10,)]
for op in ("FLOOR", "CEIL", "ROUND", "SQRT"):
    CASES[f"{op}_NUM"] = _cases(f"{op}_NUM", *UNARY_NUMS)

# ---- s5-scalar: prim::min/max of mixed numbers, of Scalars (both ints: the int kernel, else
# double; torch's `a < b ? a : b`, so a NaN wins only as the second operand) and of lists
# (lexicographic; a strict prefix is smaller) ----
MINMAX_NUM = [(7, 2), (-7, 2), (7, -2.0), (2.5, 2), (2, 2.5), (-2.5, 0.5), (I64_MAX, I64_MIN), (float("nan"), 1),
              (1, float("nan")), (-0.0, 0), (0, -0.0), (3, 3.0), (float("inf"), 2)]
for op in ("MIN", "MAX"):
    CASES[f"{op}_INT_FLOAT"] = _cases(f"{op}_INT_FLOAT", *INT_FLOAT, (0, -0.0), (2, float("nan")), (3, 3.0))
    CASES[f"{op}_FLOAT_INT"] = _cases(f"{op}_FLOAT_INT", *FLOAT_INT, (-0.0, 0), (float("-inf"), I64_MIN))
    CASES[f"{op}_NUM"] = _cases(f"{op}_NUM", *MINMAX_NUM)
    CASES[f"{op}_INT_LIST"] = _cases(f"{op}_INT_LIST", ([1, 2, 3], [1, 2]), ([3], [1, 5]), ([], [1]), ([1, 2], [1, 2]),
                                     ([1, 2], [1, 2, 0]), ([], []))
    CASES[f"{op}_FLOAT_LIST"] = _cases(f"{op}_FLOAT_LIST", ([1.5], [1.5, -1.0]), ([float("nan")], [1.0]),
                                       ([1.0], [float("nan")]), ([-0.0], [0.0]), ([2.0, 1.0], [2.0, 3.0]))
    CASES[f"{op}_BOOL_LIST"] = _cases(f"{op}_BOOL_LIST", ([True], [False, True]), ([False], [False, False]), ([], [True]))
    CASES[f"{op}_SELF_BOOL"] = _cases(f"{op}_SELF_BOOL", ([True, False],), ([True],), ([],))
for op in ("MIN", "MAX"):
    CASES[f"{op}_FLOAT"] += _cases(f"{op}_FLOAT", (float("nan"), 1.0), (1.0, float("nan")), (-0.0, 0.0), (0.0, -0.0))

# ---- s5-scalar: math.* rows (torch.ops.aten.<name>.<overload> on the torch side) ----
_M_INTS = [(0,), (1,), (-1,), (3,), (-7,), (2**40,), (I64_MIN,)]
_M_FLOATS = [(0.0,), (-0.0,), (0.5,), (-0.5,), (2.5,), (1e300,), (float("inf"),), (float("-inf"),), (float("nan"),)]
for _n in ("ERF", "ERFC", "EXPM1", "FABS", "GAMMA", "LGAMMA", "LOG10", "LOG1P", "ASINH", "ATANH", "COSH", "SINH",
           "TANH", "ACOS", "ASIN", "ATAN", "COS", "SIN", "TAN", "ACOSH", "DEGREES", "RADIANS"):
    CASES[f"{_n}_INT"] = _cases(f"{_n}_INT", *_M_INTS)
    CASES[f"{_n}_FLOAT"] = _cases(f"{_n}_FLOAT", *_M_FLOATS)
    CASES[f"{_n}_NUM"] = _cases(f"{_n}_NUM", *_M_INTS, *_M_FLOATS)
for _n in ("EXP_NUM", "LOG_NUM"):
    CASES[_n] = _cases(_n, *_M_INTS, *_M_FLOATS)
CASES["CEIL_INT"] = _cases("CEIL_INT", *_M_INTS)
CASES["FLOOR_INT"] = _cases("FLOOR_INT", *_M_INTS)
CASES["ROUND_INT"] = _cases("ROUND_INT", *_M_INTS)
_M_PAIRS = [(2.5, 0.5), (-7.5, 2.0), (5.0, -0.0), (1.0, 0.0), (-0.0, 1.0), (float("inf"), 2.0), (float("nan"), 1.0),
            (3.0, float("-inf"))]
for _n in ("COPYSIGN", "ATAN2", "FMOD", "MATHREMAINDER", "LOGB"):
    CASES[f"{_n}_INT"] = _cases(f"{_n}_INT", *INTS, (0, 0), (5, 0))
    CASES[f"{_n}_FLOAT"] = _cases(f"{_n}_FLOAT", *_M_PAIRS)
    CASES[f"{_n}_INT_FLOAT"] = _cases(f"{_n}_INT_FLOAT", *INT_FLOAT, (0, -0.0))
    CASES[f"{_n}_FLOAT_INT"] = _cases(f"{_n}_FLOAT_INT", *FLOAT_INT, (-0.0, 0))
    CASES[f"{_n}_NUM"] = _cases(f"{_n}_NUM", *NUM_PAIRS, (0, 0))
CASES["MODF"] = _cases("MODF", *_M_FLOATS)
CASES["FREXP"] = _cases("FREXP", *_M_FLOATS, (1e-310,))
CASES["LDEXP"] = _cases("LDEXP", (1.5, 3), (1.5, -1100), (1e300, 100), (-0.0, 5), (float("nan"), 1), (1.0, 2**32 + 3))
CASES["GCD_INT"] = _cases("GCD_INT", (12, 18), (-12, 18), (0, 0), (0, -5), (I64_MIN, 0), (2**40, -1), (7, 2**32 + 3))
CASES["FACTORIAL_INT"] = _cases("FACTORIAL_INT", (0,), (5,), (20,), (21,), (65,), (-1,))


def _torch_hash(v):
    """torch.ops cannot bind the generic `t value`: hash() compiled by torch for v's type"""
    import torch
    t = {int: "int", float: "float", str: "str", bool: "bool", tuple: "Tuple[int, str]"}[type(v)]
    cu = torch.jit.CompilationUnit(f"def h(x: {t}) -> int:\n    return hash(x)\n")
    return cu.h(v)


CASES["HASH_GENERIC"] = [lambda L, T, a=a: row(L, "HASH_GENERIC", a, py=_torch_hash)
                         for a in (5, -1, 1.5, -0.0, float("nan"), "abc", "", "é12345678", True, (1, "a"))]

# dict(d) and list(s) of the script language (ops_lang4.def)
CASES["DICT_DICT_STR"] = _pc("DICT_DICT_STR", lambda d: dict(d), ({"a": 1, "b": 2},), ({},))
CASES["DICT_DICT_INT"] = _pc("DICT_DICT_INT", lambda d: dict(d), ({3: 1.5, -1: 2.0},), ({},))
CASES["LIST_STR"] = _pc("LIST_STR", lambda s: list(s), ("abc",), ("",), ("a b",))
