"""Differential cases for the complex scalar builtins (csrc/ops/ops_complex.def): construction,
arithmetic with int/float, comparisons and the cmath functions. Python does not bind these rows:
a case runs the row through ``pyts._C._call_op`` and torch's overload through
``torch.ops.aten.<name>.<overload>`` (results are Python complex numbers, compared exactly)."""
import math

import numpy as np

import pyts

_SCHEMAS = {r[0]: r[1] for r in pyts._C._ops()}


def row(L, row_id, *args):
    """Run registry row `row_id` on args in library L (torch: the same aten/prim overload)."""
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    name = _SCHEMAS[row_id].split("(")[0]
    ns, _, name = name.rpartition("::")
    base, _, overload = name.partition(".")
    return getattr(getattr(getattr(L.ops, ns or "aten"), base), overload or "default")(*args)

Z = [1 + 2j, -0.5 + 0j, 3.25 - 1e-3j, -2 - 7j, 0j]
Z2 = [(1 + 2j, 3 - 1j), (-0.5 + 0.25j, 0.5j), (2 + 0j, -2 + 0j), (1e300 + 1e300j, 1e-300 + 2j)]
INTS = [3, -2, 0]
FLOATS = [3.0, -0.25, 0.0, math.inf]


def _cases(row_id, *arg_tuples):
    return [lambda L, T, a=a: row(L, row_id, *a) for a in arg_tuples]


def _tensor_cases(row_id, shape):
    """Complex.Tensor_* rows: tensor arguments built for each library (one element, or not)"""
    def one(L, T, kinds, vals):
        args = [T(np.array(v, dtype=np.float32)) if k == "T" else v for k, v in zip(kinds, vals)]
        return row(L, row_id, *args)
    kinds = shape
    vals = {"T": [2.5, -1.0], "float": [0.5, -3.0], "int": [4, -1], "bool": [True, False]}
    out = []
    for i in range(2):
        out.append(lambda L, T, i=i: one(L, T, kinds, [vals[k][i] for k in kinds]))
    # a tensor of two elements cannot be a number
    two = [[1.0, 2.0] if k == "T" else vals[k][0] for k in kinds]
    out.append(lambda L, T: one(L, T, kinds, two))
    return out


CASES = {
    "C_COMPLEX_SCALAR": _cases("C_COMPLEX_SCALAR", (3,), (-2.5,), (0.0,)),
    "C_COMPLEXIMPLICIT": [lambda L, T: row(L, "C_COMPLEXIMPLICIT", T(np.array(1.5))),
                          lambda L, T: row(L, "C_COMPLEXIMPLICIT", T(np.array(-3, dtype=np.int64))),
                          lambda L, T: row(L, "C_COMPLEXIMPLICIT", T(np.array([1.0]))),
                          lambda L, T: row(L, "C_COMPLEXIMPLICIT", T(np.array(2.0, dtype=np.float32)))],
    "C_NEG": _cases("C_NEG", *[(z,) for z in Z]),
    "C_ABS": _cases("C_ABS", *[(z,) for z in Z], (complex(3e200, 4e200),)),
    "C_ANGLE": _cases("C_ANGLE", *[(z,) for z in Z], (complex(-1, -0.0),)),
    "C_ISNAN": _cases("C_ISNAN", (1 + 2j,), (complex(math.nan, 0),), (complex(0, math.nan),)),
    "C_ISINF": _cases("C_ISINF", (1 + 2j,), (complex(math.inf, 0),), (complex(0, -math.inf),)),
    "C_ISFINITE": _cases("C_ISFINITE", (1 + 2j,), (complex(math.inf, 0),), (complex(0, math.nan),)),
    "C_LOG10": _cases("C_LOG10", *[(z,) for z in Z[:4]]),
    "C_SUM": _cases("C_SUM", ([1 + 2j, 3j, -0.5 + 0j],), ([],), ([2j],)),
}
# construction from two numbers (torch's C++: both parts as doubles)
for rid, a, b in [("C_COMPLEX_INT_BOOL", 3, True), ("C_COMPLEX_BOOL_INT", False, -4), ("C_COMPLEX_FLOAT_BOOL", 2.5, True),
                  ("C_COMPLEX_BOOL_FLOAT", True, -0.5), ("C_COMPLEX_FLOAT_INT", 1.5, 7), ("C_COMPLEX_INT_FLOAT", -1, 2.25),
                  ("C_COMPLEX_INT_INT", 3, -4), ("C_COMPLEX_BOOL_BOOL", True, True), ("C_COMPLEX_FLOAT_FLOAT", 1e300, -0.0)]:
    CASES[rid] = _cases(rid, (a, b), (b, a) if type(a) is type(b) else (a, b))
for rid, kinds in [("C_COMPLEX_TENSOR_TENSOR", "TT"), ("C_COMPLEX_TENSOR_FLOAT", ("T", "float")),
                   ("C_COMPLEX_FLOAT_TENSOR", ("float", "T")), ("C_COMPLEX_TENSOR_INT", ("T", "int")),
                   ("C_COMPLEX_INT_TENSOR", ("int", "T")), ("C_COMPLEX_TENSOR_BOOL", ("T", "bool")),
                   ("C_COMPLEX_BOOL_TENSOR", ("bool", "T"))]:
    CASES[rid] = _tensor_cases(rid, tuple(kinds))
# binary arithmetic and comparisons over complex/int/float pairs
for op in ("ADD", "SUB", "MUL"):
    CASES[f"C_{op}"] = _cases(f"C_{op}", *Z2)
    CASES[f"C_{op}_INT_COMPLEX"] = _cases(f"C_{op}_INT_COMPLEX", *[(n, z) for n in INTS for z in Z[:3]])
    CASES[f"C_{op}_COMPLEX_INT"] = _cases(f"C_{op}_COMPLEX_INT", *[(z, n) for n in INTS for z in Z[:3]])
    CASES[f"C_{op}_FLOAT_COMPLEX"] = _cases(f"C_{op}_FLOAT_COMPLEX", *[(x, z) for x in FLOATS[:3] for z in Z[:3]])
    CASES[f"C_{op}_COMPLEX_FLOAT"] = _cases(f"C_{op}_COMPLEX_FLOAT", *[(z, x) for x in FLOATS[:3] for z in Z[:3]])
CASES["C_DIV"] = _cases("C_DIV", *Z2, (1 + 1j, 0.5 - 4j))
CASES["C_POW"] = _cases("C_POW", *Z2[:3], (0j, 2 + 0j))
CASES["C_POW_FLOAT_COMPLEX"] = _cases("C_POW_FLOAT_COMPLEX", (2.0, 1 + 1j), (-2.0, 0.5 + 0j), (0.5, -3j))
CASES["C_POW_COMPLEX_FLOAT"] = _cases("C_POW_COMPLEX_FLOAT", (1 + 2j, 3.0), (2 + 0j, 0.5), (-4 + 0j, 0.5), (1j, -1.5))
for op in ("EQ", "NE"):
    CASES[f"C_{op}"] = _cases(f"C_{op}", (1 + 2j, 1 + 2j), (1 + 2j, 1 - 2j), (complex(math.nan, 0), complex(math.nan, 0)))
    CASES[f"C_{op}_FLOAT_COMPLEX"] = _cases(f"C_{op}_FLOAT_COMPLEX", (2.0, 2 + 0j), (2.0, 2 + 1j), (0.0, -0j))
    CASES[f"C_{op}_COMPLEX_FLOAT"] = _cases(f"C_{op}_COMPLEX_FLOAT", (2 + 0j, 2.0), (2 + 1j, 2.0), (3j, 0.0))
for fn in ("SQRT", "EXP", "LOG", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "SINH", "COSH", "TANH", "ASINH",
           "ACOSH", "ATANH"):
    CASES[f"C_{fn}"] = _cases(f"C_{fn}", *[(z,) for z in Z[:4]])
CASES["C_LOG_COMPLEX_COMPLEX"] = _cases("C_LOG_COMPLEX_COMPLEX", *Z2[:3])
CASES["C_LOG_INT_COMPLEX"] = _cases("C_LOG_INT_COMPLEX", (2, 1 + 1j), (10, -3j))
CASES["C_LOG_COMPLEX_INT"] = _cases("C_LOG_COMPLEX_INT", (1 + 1j, 2), (-3j, 10))
CASES["C_LOG_FLOAT_COMPLEX"] = _cases("C_LOG_FLOAT_COMPLEX", (2.5, 1 + 1j), (0.5, -3j))
CASES["C_LOG_COMPLEX_FLOAT"] = _cases("C_LOG_COMPLEX_FLOAT", (1 + 1j, 2.5), (-3j, 0.5))
CASES["C_POLAR_INT"] = _cases("C_POLAR_INT", (1, 2), (3, 0), (-2, 1))
CASES["C_POLAR_FLOAT"] = _cases("C_POLAR_FLOAT", (1.0, 2.0), (2.5, -0.5), (0.0, 1.0))
CASES["C_POLAR_INT_FLOAT"] = _cases("C_POLAR_INT_FLOAT", (2, 0.25), (1, math.pi))
CASES["C_POLAR_FLOAT_INT"] = _cases("C_POLAR_FLOAT_INT", (2.5, 1), (0.5, -3))
