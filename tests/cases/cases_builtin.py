"""Differential cases for the hidden TorchScript builtins (csrc/ops/ops_builtin.def): int/float/bool
arithmetic, comparisons, conversions and range helpers. Python does not bind these rows, so a case
runs the row through ``pyts._C._call_op`` and, on the torch side, the same overload through
``torch.ops.aten.<name>.<overload>``."""
import numpy as np
from oracle import rand

import pyts

_SCHEMAS = {r[0]: r[1] for r in pyts._C._ops()}
I64_MAX, I64_MIN = 2**63 - 1, -2**63


def row(L, row_id, *args):
    """Run registry row `row_id` on args in library L."""
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    name = _SCHEMAS[row_id].split("(")[0]
    base, _, overload = name.partition(".")
    return getattr(getattr(L.ops.aten, base), overload or "default")(*args)


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
