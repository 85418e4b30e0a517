"""Regression tests for bugs found by the robustness campaigns in benchmarks/fuzz/ (hostile op
arguments, mutated scripts and archives, wrong calls of compiled modules): each case crashed,
hung or answered silently before its fix; now it raises a clear Python exception. Bounded and
seeded: the long campaigns themselves stay out of the suite."""
import re
import types
import typing

import pytest

import pyts
import pyts.jit
from pyts.jit._script import _Resolver

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def _keep_global_state():
    """Hostile calls reach set_grad_enabled and the default dtype: later tests must not see it."""
    grad, dtype = pyts.is_grad_enabled(), pyts.get_default_dtype()
    yield
    pyts._C._set_grad_enabled(grad)
    pyts.set_default_dtype(dtype)

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


# ---------------------------------------------------------------- seeded sweeps (short versions
# of benchmarks/fuzz/ops_campaign.py and compiler_campaign.py; the campaigns run for hours)
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "fuzz"))
import compiler_campaign  # noqa: E402
import ops_campaign  # noqa: E402


@pytest.mark.parametrize("part", range(2))
def test_every_row_with_hostile_arguments_raises_cleanly(part):
    """Every registry row (hidden script builtins included), every public function overload and
    every Tensor method, three times each with hostile arguments: only the usual exception
    classes (MemoryError included: pyts's out-of-memory error)."""
    targets = ops_campaign.targets(pyts, None)[part::2]
    t0 = time.perf_counter()
    for i, (kind, key, schema, name) in enumerate(targets * 3):
        if re.match(r"(rand|randn|randint|randperm|normal|bernoulli|empty|full|ones|zeros|eye|arange|linspace"
                    r"|new_\w+)\b", name):
            continue   # sizes up to 2**62 are valid requests: the campaign runs these under a memory limit
        specs = ops_campaign.gen_call(schema, random.Random(f"suite-{part}-{i}"))
        try:
            ops_campaign.call(pyts, kind, key, name, specs, pyts._C._functions.get(name), schema[:schema.index("(")])
        except ops_campaign.ALLOWED:
            pass
        except Exception as e:  # noqa: BLE001
            raise AssertionError(f"{type(e).__name__} from {kind} {key} {schema} {specs}: {e}") from e
    assert time.perf_counter() - t0 < 20


def test_grammar_keeping_script_mutations_raise_only_compile_errors():
    """Mutated ASTs of the script test functions (valid Python, so the emitter sees them) compile
    or raise CompileError; what compiles runs or raises a Python exception."""
    rng = random.Random(7)
    seeds = [s for k, s in compiler_campaign.seeds() if k == "func" and not s.lstrip().startswith("@")]
    g = {"torch": pyts, "pyts": pyts, "List": typing.List, "Dict": typing.Dict, "Optional": typing.Optional,
         "Tuple": typing.Tuple}
    res = _Resolver(types.FunctionType((lambda: 0).__code__, g))
    import ast
    t0 = time.perf_counter()
    compiled = 0
    for _ in range(300):
        try:
            src = compiler_campaign.ast_mutate(rng.choice(seeds), rng)
        except (SyntaxError, RecursionError, ValueError, TypeError, AttributeError):
            continue
        try:
            f = pyts._C._compile_function(src, "m.py", 0, res)
        except pyts.jit.CompileError:
            continue
        compiled += 1
        fn_ast = next((n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef)), None)
        if fn_ast is not None:
            compiler_campaign.run_compiled(f, fn_ast, pyts)
    assert compiled > 10
    assert time.perf_counter() - t0 < 20


# ---------------------------------------------------------------- endless files
def test_endless_character_device_is_refused_not_read():
    # both were read until memory ran out (the archive loader allows files up to 2**40 bytes)
    import subprocess
    import pyts.config
    with pytest.raises(OSError, match="not a regular file"):
        pyts.jit.load("/dev/zero")
    cli = pyts.config.get_cli()
    r = subprocess.run([cli, "/dev/zero", "x.npy"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "not a regular file" in r.stderr
    m = pyts.jit.trace_module(pyts.nn.Linear(2, 2), {"forward": (pyts.ones(1, 2),)}, check_trace=False)
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.pt")
        pyts.jit.save(m, path)
        r = subprocess.run([cli, path, "/dev/zero"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 1 and "not a .npy file (bad magic)" in r.stderr


# ---------------------------------------------------------------- a tensor as a Number argument
@pytest.mark.parametrize("call", [
    lambda v: pyts.zeros(3).fill_(v), lambda v: pyts.full((2,), v), lambda v: pyts.ones(2).add(pyts.ones(2), alpha=v),
])
def test_only_zero_dim_tensors_bind_to_number_parameters(call):
    # torch's argument parser takes a tensor for a Scalar only when it is 0-dim; a 1-element
    # (1,) or (1, 1) tensor filled silently
    assert call(pyts.tensor(2.0)).tolist() in ([2.0] * 3, [2.0] * 2, [3.0] * 2)
    for v in (pyts.ones(1), pyts.ones(1, 1)):
        with pytest.raises((TypeError, RuntimeError)):
            call(v)
