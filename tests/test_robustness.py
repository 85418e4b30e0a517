"""Regression tests for bugs found by the robustness campaigns in benchmarks/fuzz/ (hostile op
arguments, mutated scripts and archives, wrong calls of compiled modules): each case crashed,
hung or answered silently before its fix; now it raises a clear Python exception. Bounded and
seeded: the long campaigns themselves stay out of the suite."""
import types
import typing

import pytest

import pyts
import pyts.jit
from pyts.jit._script import _Resolver

RESOLVER = _Resolver(types.FunctionType((lambda: 0).__code__, {"torch": pyts, "pyts": pyts}))


def compile_fn(src):
    return pyts._C._compile_function(src, "robust.py", 0, RESOLVER)


# ---------------------------------------------------------------- dtypes given as script ints
# A ScalarType is a plain int inside scripts; an invalid one indexed dtype tables (to.prim_Device
# with -1 hung, reductions silently ignored it, 2**40 wrapped around to uint8).
BAD_DTYPES = [-1, 24, 100, 2 ** 40, -2 ** 63]


@pytest.mark.parametrize("d", BAD_DTYPES)
def test_invalid_dtype_int_in_to_rows(d):
    x = pyts.ones(2, 3)
    with pytest.raises(RuntimeError, match="Unknown ScalarType"):
        pyts._C._call_row("to.prim_Device", x, None, d, True, False)
    with pytest.raises(RuntimeError, match="Unknown ScalarType"):
        pyts._C._call_row("to.prim_dtype", x, d, False, False)


@pytest.mark.parametrize("body", [
    "x.to(d)", "x.sum(dtype=d)", "x.cumsum(0, dtype=d)", "x.prod(dtype=d)", "x.mean(dtype=d)",
    "pyts.zeros(3, dtype=d)", "pyts.full([2], 1, dtype=d)", "x.new_zeros([2], dtype=d)",
    "pyts.zeros_like(x, dtype=d)", "x.softmax(0, dtype=d)", "pyts.arange(3, dtype=d)",
])
def test_invalid_dtype_int_in_scripts_raises(body):
    f = compile_fn(f"def f(x, d: int):\n    return {body}\n")
    x = pyts.ones(2, 3)
    for d in BAD_DTYPES:
        with pytest.raises(RuntimeError, match="Unknown ScalarType"):
            f(x, d)
    assert f(x, 7).dtype == pyts.float64     # a valid dtype int still works


def test_valid_dtype_int_in_to_row_still_converts():
    x = pyts.ones(2)
    assert pyts._C._call_row("to.prim_dtype", x, 4, False, False).dtype == pyts.int64


# ---------------------------------------------------------------- calling compiled code wrongly
@pyts.jit.script
def _add_k(x, k: int):
    return x + k


@pytest.mark.parametrize("args", [(2 ** 64, 1), (pyts.ones(2), 2 ** 63), (pyts.ones(2), -2 ** 63 - 1)])
def test_int_beyond_int64_argument_is_runtime_error(args):
    # torch: RuntimeError; this was an OverflowError out of the generic value conversion
    with pytest.raises(RuntimeError, match="Overflow when unpacking long"):
        _add_k(*args)
    assert _add_k(pyts.ones(2), 2 ** 63 - 1).dtype == pyts.float32


def test_traced_module_called_with_huge_int_is_runtime_error():
    m = pyts.jit.trace_module(pyts.nn.Linear(4, 3), {"forward": (pyts.ones(2, 4),)}, check_trace=False)
    with pytest.raises(RuntimeError, match="Overflow when unpacking long"):
        m(2 ** 64)


class _BadDefault(typing.NamedTuple):
    x: pyts.Tensor
    z: float = (2.0, 2.0)


def test_namedtuple_default_of_wrong_type_is_compile_error():
    def f(x):
        return _BadDefault(x).z
    with pytest.raises(pyts.jit.CompileError, match="the default of field 'z' does not match its type"):
        pyts.jit.script(f)


class _History(pyts.nn.Module):
    hist: typing.List[int]
    table: typing.Dict[str, typing.List[float]]

    def __init__(self):
        super().__init__()
        self.hist = []
        self.table = {}

    def forward(self, x):
        self.hist.append(len(self.hist) + 1)
        self.table["a"] = [1.5]
        return x * len(self.hist)


def test_empty_container_attribute_takes_the_class_annotation():
    # torch types an empty list/dict attribute by the class-level annotation; this was a
    # CompileError "'hist' has no attribute 'append'" (the empty list inferred as List[Tensor])
    m = pyts.jit.script(_History())
    m(pyts.ones(1))
    assert m(pyts.ones(1)).tolist() == [2.0]
    assert m.hist == [1, 2] and m.table == {"a": [1.5]}
