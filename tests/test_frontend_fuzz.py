"""Robustness of the script compiler front end: random byte strings and random token-level
mutations (delete, insert, duplicate, swap) of valid sources go through the lexer, the parser and
the emitter; the only allowed failure is CompileError. Seeded and bounded (a few thousand cases);
run it under ASan as well (packaging.md section 5)."""
import pathlib
import random
import re
import time
import types

import pytest

import pyts
import pyts.jit
from pyts.jit._script import _Resolver

CompileError = pyts.jit.CompileError
HERE = pathlib.Path(__file__).parent

GOLDEN = [p.read_text() for p in sorted((HERE / "script").glob("*.py"))]
WRITTEN = [
    "def f(x, h):\n    new_h = torch.tanh(x + h)\n    return new_h, new_h\n",
    "def f(x, n: int = 2):\n    i = 0\n    while i < n:\n        x = x * x\n        i += 1\n    return x\n",
    "def f(x, a: int, b: int):\n    for i in range(a, b, 2):\n        if i % 3 == 0:\n            x = x - x\n"
    "        elif i > 4:\n            return x\n    return -x\n",
    "def f(a: int, b: float):\n    c = a if a < b else b\n    return (c, a // 2, [a, a], not a, a is None, 0 < a <= 3)\n",
    "    @pyts.jit.export\n    def m(self, x):  # type: (Tensor) -> Tensor\n        assert x.dim() > 0, 'no'\n"
    "        y: List[int] = []\n        return self.w[0, :, None, ...] + x\n",
    "def f(x):\n    s = \"a\\n\" 'b' r'\\d' '''x\ny'''\n    d = {1: 2}\n    l = [v for v in x]\n    raise ValueError('x')\n",
]

SEEDS = GOLDEN + WRITTEN

POOL = ["def", "if", "else", "elif", "while", "for", "in", "return", "(", ")", "[", "]", "{", "}", ":", ",",
        ".", "=", "+=", "-", "*", "**", "//", "not", "and", "or", "is", "None", "True", "lambda", "x", "n",
        "int", "Tensor", "0", "1.5", "'s'", '"""', "\n", "\n    ", "\n        ", "\\\n", "#", "# type: int",
        "@", "->", ";", "...", "pass", "break", "raise", "assert", "torch.neg", "range", "0x", "1e", "\t",
        "\r\n", "\x00", "é", "$", "`", "\\", "f'", "b'"]

TOKEN_RE = re.compile(r"\w+|[ \t]+|\n|.", re.S)


def mutate(src, rng):
    toks = TOKEN_RE.findall(src)
    for _ in range(rng.randint(1, 3)):
        if not toks:
            toks = [rng.choice(POOL)]
            continue
        i = rng.randrange(len(toks))
        op = rng.randrange(4)
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rng.choice(POOL))
        elif op == 2:
            toks.insert(i, toks[i])
        else:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


def random_text(rng):
    n = rng.randint(0, 120)
    if rng.random() < 0.5:
        return bytes(rng.randrange(256) for _ in range(n)).decode("latin-1")
    # mostly the characters of source code
    alphabet = "abcdefxyz_019 \t\n\n\n()[]{}:,.=+-*/%<>!&|^~@#'\"\\"
    return "".join(rng.choice(alphabet) for _ in range(n))


RESOLVER = _Resolver(types.FunctionType((lambda: 0).__code__, {"torch": pyts, "pyts": pyts}))


def check(src):
    try:
        pyts._C._parse(src, "fuzz.py", 0)
    except CompileError:
        pass
    try:
        pyts._C._compile_function(src, "fuzz.py", 0, RESOLVER)
    except CompileError:
        pass


@pytest.mark.parametrize("seed", range(6))
def test_random_text_and_mutations_only_raise_compile_error(seed):
    rng = random.Random(seed)
    start = time.perf_counter()
    for k in range(500):
        src = random_text(rng) if k % 5 == 0 else mutate(rng.choice(SEEDS), rng)
        try:
            check(src)
        except Exception as e:  # noqa: BLE001 - anything but CompileError is a bug
            raise AssertionError(f"{type(e).__name__} for source {src!r}: {e}") from e
    assert time.perf_counter() - start < 30


def test_written_seeds_parse():
    for src in WRITTEN:
        assert pyts._C._parse(src).startswith("(block")


@pytest.mark.parametrize("src", [
    "(" * 10000, "[" * 10000 + "]" * 10000, "-" * 100000 + "1", "x = " + "a." * 50000 + "b",
    "if x:\n" + " " * 100000 + "pass\n", "'" * 3 + "a" * 100000, "\\" * 1000, "\n" * 100000,
    "x = " + " + ".join(["1"] * 20000) + "\n", "f(" + ", ".join(["1"] * 70) + ")\n",
])
def test_pathological_inputs(src):
    check(src)


def test_early_returns_are_not_duplicated():
    # returns are lowered as torch's exit transform does (an "exited" flag guards the rest of the
    # body), not by copying the rest into both paths of each if: 40 nested ifs holding returns
    # (2**40 paths) compile to one return at the end
    body = "".join(f"    if n > {i}:\n        if n > 1000:\n            return n + {i}\n" for i in range(40))
    f = pyts._C._compile_function("def f(n: int) -> int:\n" + body + "    return -n\n", "e.py", 0, RESOLVER)
    code = f.code()[0]
    assert code.count("return") == 1
    assert code.count("if ") < 200
