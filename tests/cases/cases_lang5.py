"""Differential cases for ops_lang5.def: `fmt % args` on a str (aten::percentFormat, a varargs row
run through a compiled function on both sides) and eq/ne of float, bool, str and Tensor lists
(through torch.ops.aten.<name>.<overload>)."""
import numpy as np

import pyts

_CU = {}
_PCT_SRC = ("def pct(f: str, a: int, b: float, s: str, t: bool) -> List[str]:\n"
            "    return [f % (a, s), '%f|%e|%E|%F' % (b, b, a, b), '%s|%c|%i' % (t, s[0], a), '%s' % [b], 'x%%' % ()]\n"
            "def pct_one(f: str, a: float) -> str:\n    return f % a\n")


def _pct(L, fn, *args):
    if L not in _CU:
        if L is pyts:
            _CU[L] = pyts.jit.CompilationUnit(_PCT_SRC)
        else:
            _CU[L] = L.jit.CompilationUnit(_PCT_SRC)
    return getattr(_CU[L], fn)(*args)


def _row(L, row_id, overload, *args):
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    base, _, ov = overload.partition(".")
    return getattr(getattr(L.ops.aten, base), ov)(*args)


def _pairs(row_id, overload, *pairs):
    return [lambda L, T, a=a, b=b: _row(L, row_id, overload, a, b) for a, b in pairs]


FLOATS = [([1.0, 2.5], [1.0, 2.5]), ([1.0], [1.0, 2.0]), ([], []), ([0.0], [-0.0]), ([float("nan")], [float("nan")]),
          ([1.0, 2.0], [1.0, 3.0])]
BOOLS = [([True, False], [True, False]), ([True], [False]), ([], [True]), ([], [])]
STRS = [(["a", "bc"], ["a", "bc"]), (["a"], ["b"]), ([], []), (["a"], ["a", "a"]), ([""], [""])]
TENSORS = [lambda T: ([T(np.array(1.0))], [T(np.array(1.0))]), lambda T: ([T(np.array(1.0))], [T(np.array(2.0))]),
           lambda T: ([T(np.array([1.0, 2.0]))], [T(np.array([1.0, 2.0])), T(np.array(1.0))]),
           lambda T: ([T(np.array([1.0, 2.0]))], [T(np.array([1.0, 2.0]))]),       # ambiguous truth: both raise
           lambda T: ([T(np.array(np.nan))], [T(np.array(np.nan))]), lambda T: ([], [])]

CASES = {
    "PERCENTFORMAT": [
        lambda L, T: _pct(L, "pct", "%d and %s", 3, 2.5, "hi", True),
        lambda L, T: _pct(L, "pct", "<%i:%s>", -7, -1e-7, "x", False),
        lambda L, T: _pct(L, "pct", "%s%s", 0, 1e20, "ab", True),
        lambda L, T: _pct(L, "pct", "%d", 1, 0.5, "a", True),            # too many arguments: both raise
        lambda L, T: _pct(L, "pct", "%d %s %s", 1, 0.5, "a", True),      # too few
        lambda L, T: _pct(L, "pct", "%q %s", 1, 0.5, "a", True),         # unknown specifier
        lambda L, T: _pct(L, "pct", "%s %", 1, 0.5, "a", True),          # incomplete
        lambda L, T: _pct(L, "pct_one", "%d", 3.75),
        lambda L, T: _pct(L, "pct_one", "%d", 3e9),
        lambda L, T: _pct(L, "pct_one", "%s", 0.1),
        lambda L, T: _pct(L, "pct_one", "%c", 65.0),                     # %c of a float: both raise
    ],
    "EQ_FLOAT_LIST": _pairs("EQ_FLOAT_LIST", "eq.float_list", *FLOATS),
    "NE_FLOAT_LIST": _pairs("NE_FLOAT_LIST", "ne.float_list", *FLOATS),
    "EQ_BOOL_LIST": _pairs("EQ_BOOL_LIST", "eq.bool_list", *BOOLS),
    "NE_BOOL_LIST": _pairs("NE_BOOL_LIST", "ne.bool_list", *BOOLS),
    "EQ_STR_LIST": _pairs("EQ_STR_LIST", "eq.str_list", *STRS),
    "NE_STR_LIST": _pairs("NE_STR_LIST", "ne.str_list", *STRS),
    "EQ_TENSOR_LIST": [lambda L, T, m=m: _row(L, "EQ_TENSOR_LIST", "eq.Tensor_list", *m(T)) for m in TENSORS],
    "NE_TENSOR_LIST": [lambda L, T, m=m: _row(L, "NE_TENSOR_LIST", "ne.Tensor_list", *m(T)) for m in TENSORS],
}


def _one(row_id, overload, *vals):
    return [lambda L, T, v=v: _row(L, row_id, overload, v) for v in vals]


CASES.update({
    "ANY_INT": _one("ANY_INT", "any.int", [0, 0, 3], [0], [], [-1]),
    "ANY_FLOAT": _one("ANY_FLOAT", "any.float", [0.0, -0.0], [0.0, 0.5], [], [float("nan")]),
    "ANY_STR": _one("ANY_STR", "any.str", ["", ""], ["", "a"], []),
    "ALL_INT": _one("ALL_INT", "all.int", [1, 2], [1, 0], []),
    "ALL_FLOAT": _one("ALL_FLOAT", "all.float", [1.0, 0.5], [1.0, -0.0], [], [float("nan")]),
    "DIVMOD_INT_FLOAT": [lambda L, T, a=a: _row(L, "DIVMOD_INT_FLOAT", "divmod.int_float", *a)
                         for a in ((7, 2.0), (-7, 2.5), (7, -0.5), (0, 1.5), (3, 0.0))],
    "DIVMOD_FLOAT_INT": [lambda L, T, a=a: _row(L, "DIVMOD_FLOAT_INT", "divmod.float_int", *a)
                         for a in ((7.5, 2), (-7.5, 2), (7.5, -3), (0.0, 5), (1.5, 0))],
})
