"""Regressions from a longer fuzz campaign of the script frontend (parser and emitter/type
checker) under ASan: sources mutated in a type-directed way (annotations swapped for other types),
tokens deleted/inserted, lines duplicated, deep nesting, huge literals, unicode identifiers. Every
input either compiles or raises CompileError with a location; none crashes or hangs. A short
seeded run of the same mutations stays in the suite."""
import pathlib
import random
import re
import time
import types
import typing

import pytest

import pyts
import pyts.jit
from pyts.jit._script import _Resolver

CompileError = pyts.jit.CompileError
HERE = pathlib.Path(__file__).parent
G = {"torch": pyts, "pyts": pyts, "F": pyts.nn.functional, "nn": pyts.nn, "math": __import__("math"),
     "List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional,
     "Union": typing.Union, "Any": typing.Any, "Final": typing.Final, "Tensor": pyts.Tensor}
RESOLVER = _Resolver(types.FunctionType((lambda: 0).__code__, G))


def compile_src(src):
    return pyts._C._compile_function(src, "fuzz10.py", 0, RESOLVER)


def expect_located_error(src, first):
    with pytest.raises(CompileError) as e:
        compile_src(src)
    msg = str(e.value)
    assert msg.split("\n")[0].startswith(first), msg[:300]
    assert "fuzz10.py" in msg and "^" in msg, msg[:300]


# chains the parser takes without nesting (postfix calls, subscripts, attribute loads, left-deep
# operators) reached the emitter's recursion at any depth: a chain of 1000 `.t()` overflowed the C
# stack (a segfault from Python, which compiles such a source); now a CompileError at the expression
@pytest.mark.parametrize("src", [
    "def f(x):\n    return x" + ".t()" * 1000 + "\n",
    "def f(x):\n    return x" + ".t()" * 20000 + "\n",
    "def f(x: List[int]) -> int:\n    return x" + "[0]" * 20000 + "\n",
    "def f(n: int) -> int:\n    return " + " + ".join(["n"] * 20000) + "\n",
    "def f(n: int) -> bool:\n    return " + " and ".join(["n > 0"] * 20000) + "\n",
    "def f(n: int) -> int:\n    return " + " * ".join(["(n - 1)"] * 20000) + "\n",
    "def f(x):\n    return x" + ".neg()" * 5000 + ".sum()\n",
])
def test_deep_chains_are_compile_errors(src):
    expect_located_error(src, "expression nested too deeply to compile")


def test_chains_within_the_budget_compile_and_run():
    f = compile_src("def f(n: int) -> int:\n    return " + " + ".join(["n"] * 300) + "\n")
    assert f(2) == 600
    g = compile_src("def f(x):\n    return x" + ".neg()" * 200 + "\n")
    assert g(pyts.tensor([1.0, -2.0])).tolist() == [1.0, -2.0]


def test_deep_chain_error_is_reported_again_and_later_compiles_work():
    # the stack budget is measured from the outermost compile, so a failure leaves nothing behind
    for _ in range(3):
        expect_located_error("def f(x):\n    return x" + ".t()" * 3000 + "\n", "expression nested too deeply")
    assert compile_src("def f(n: int) -> int:\n    return n + 1\n")(1) == 2


# inputs the campaign produced, each once a failure: compile or a located CompileError
@pytest.mark.parametrize("src", [
    # a type swapped into an annotation: Final[T] in code, dict keys torch refuses, tuple indexes
    "def f(x: Final[int]) -> int:\n    return x\n",
    "def f(d: Dict[Tuple[int, int], int]) -> int:\n    return len(d)\n",
    "def f(d: Dict[List[int], int]) -> int:\n    return len(d)\n",
    "def f(xs: List[int]):\n    return {(v, v): 1 for v in xs}\n",
    "def f(t: Tuple[int, str], i: float):\n    return t[i]\n",
    "def f(t: Tuple[int, str]):\n    t[0] = 2\n    return t\n",
    "def f(x: Union[int, float]) -> float:\n    return x * 2.0\n",
    # unicode identifiers, valid and not
    "def f(\u00e9t\u00e9: int) -> int:\n    \u53d8\u91cf = \u00e9t\u00e9 + 1\n    return \u53d8\u91cf\n",
    "def f(x: int) -> int:\n    \U0001F600 = x\n    return x\n",
    "def f(x: int) -> int:\n    a\u200bb = x\n    return x\n",
    # huge literals
    "def f(n: int) -> int:\n    return n + " + "9" * 5000 + "\n",
    "def f(n: float) -> float:\n    return n * 1e999\n",
    "def f(n: int):\n    return [" + ", ".join(["n"] * 40000) + "]\n",
    "def f(n: int):\n    return {" + ", ".join(f"'{i}': n" for i in range(3000)) + "}\n",
    "def f(n: int):\n    return (" + ", ".join(["n"] * 3000) + ",)\n",
    # duplicated lines and tokens
    "def f(x: int) -> int:\n    return x\n    return x\n",
    "def f(x: int) -> int:\n    if x > 0:\n    if x > 0:\n        return x\n    return 0\n",
    "def f(x: int) -> int:\n    y = x\n    del y\n    del y\n    return x\n",
    "def f(x: Optional[int]) -> int:\n    assert x is not None is not None\n    return x\n",
])
def test_campaign_inputs(src):
    try:
        compile_src(src)
    except CompileError as e:
        assert "fuzz10.py" in str(e) and "^" in str(e), str(e)[:300]


# the campaign's type-directed mutations, seeded and bounded
TYPES = ["int", "float", "bool", "str", "Tensor", "List[int]", "List[float]", "Optional[int]", "Optional[Tensor]",
         "Dict[str, int]", "Dict[int, Tensor]", "Tuple[int, int]", "Tuple[int, str]", "Any", "Union[int, str]",
         "Union[int, float]", "None", "int | None", "list[int]", "Tuple[()]", "Dict[Tuple[int, int], int]",
         "Final[int]", "device", "complex", "Dict[float, bool]", "List", "Optional", "Dict[str]"]
TYPE_RE = re.compile(r"\b(?:Optional|List|Dict|Tuple|Union|list|dict|tuple)\[[^\]\n]*\]|\b(?:int|float|bool|str|Tensor|Any|None)\b")


def seeds():
    import ast
    out = [p.read_text() for p in sorted((HERE / "script").glob("*.py"))]
    for name in ("test_issue5_typing.py", "test_script_lang4.py", "test_script_union.py"):
        for node in ast.walk(ast.parse((HERE / name).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("def "):
                out.append(node.value)
    return out


def type_mutation(src, rng):
    for _ in range(rng.randint(1, 3)):
        ms = list(TYPE_RE.finditer(src))
        if not ms:
            break
        m = rng.choice(ms)
        src = src[:m.start()] + rng.choice(TYPES) + src[m.end():]
    if rng.random() < 0.3:
        lines = src.split("\n")
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        src = "\n".join(lines)
    return src


@pytest.mark.parametrize("seed", range(3))
def test_type_directed_mutations_only_raise_located_compile_errors(seed):
    rng = random.Random(1000 + seed)
    pool = seeds()
    start = time.perf_counter()
    for _ in range(300):
        src = type_mutation(rng.choice(pool), rng)
        try:
            compile_src(src)
        except CompileError as e:
            msg = str(e)
            assert "fuzz10.py" in msg or "no function definition" in msg, (src, msg[:300])
        except Exception as e:  # noqa: BLE001 - anything but CompileError is a bug
            raise AssertionError(f"{type(e).__name__} for source {src!r}: {e}") from e
    assert time.perf_counter() - start < 60
