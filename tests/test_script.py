"""The script compiler (csrc/frontend) and pyts.jit.script: the parser's AST and error messages,
compiled functions against torch.jit.script (printed code and results), module scripting with
attributes, submodules, methods and the tutorial's modules, and the golden cases in tests/script/."""
import builtins
import types
import typing
import pathlib
import re
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit
from pyts.jit._script import _Resolver
from script_diff import same_value as _same_value
from tutorial_models import tutorial

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)

P = pyts._C._parse
CompileError = pyts.jit.CompileError
HERE = pathlib.Path(__file__).parent
_ROWS = {r[2] for r in pyts._C._ops()} | {r[1].split("(")[0] for r in pyts._C._ops()}


def needs_rows(*names):
    """Skip until the registry rows of other topics (reductions, nn, shape...) are merged."""
    missing = [n for n in names if n not in _ROWS]
    return pytest.mark.skipif(bool(missing), reason=f"registry rows not in this build: {missing}")


# {==================== parser ====================
def test_parse_def_if_return():
    src = "def f(x, y: int = 3) -> Tensor:\n    if x.sum() > 0:\n        return x\n    else:\n        return -x\n"
    assert P(src) == (
        "(block (def f (params (param x _ _) (param y (name int) (int 3))) (name Tensor) "
        "(block (if (compare (call (attr sum (name x))) '>' (int 0)) (block (return (name x))) "
        "(block (return (unary '-' (name x)))))) _))")


def test_parse_statements_and_targets():
    src = "a = b = (1, 2)\nx[1:2, ..., None] += 3\nfor i in range(xs.size(0)):\n    y, h = self.cell(xs[i], h)\n"
    assert P(src) == (
        "(block (assign (name a) (name b) (tuple (int 1) (int 2))) "
        "(augassign '+' (subscript (name x) (slice (int 1) (int 2) _) (...) (None)) (int 3)) "
        "(for (name i) (call (name range) (call (attr size (name xs)) (int 0))) "
        "(block (assign (tuple (name y) (name h)) (call (attr cell (name self)) (subscript (name xs) (name i)) (name h))))))")


def test_parse_expressions_precedence():
    assert P("a = -x ** 2 + b * c @ d // e | f ^ g & h << 1\n") == (
        "(block (assign (name a) (binop '|' (binop '+' (unary '-' (binop '**' (name x) (int 2))) "
        "(binop '//' (binop '@' (binop '*' (name b) (name c)) (name d)) (name e))) "
        "(binop '^' (name f) (binop '&' (name g) (binop '<<' (name h) (int 1)))))))")
    assert P("z = a if not b and c or d else e\n") == (
        "(block (assign (name z) (ifexp (or (and (not (name b)) (name c)) (name d)) (name a) (name e))))")
    assert P("r = 1 < 2 <= 3 is not None not in z\n") == (
        "(block (assign (name r) (compare (int 1) '<' (int 2) '<=' (int 3) is not (None) not in (name z))))")


def test_parse_literals_and_calls():
    src = "s = \"a\\n\" 'b' r\"\\d\" \"\"\"x\ny\"\"\"\nz = 0x1F + 1.5e3 + .5 + 1_000\nf(1, *a, k=2)\nd = {1: 2, 3: 4}\nl = [v for v in w]\n"
    assert P(src) == (
        "(block (assign (name s) (str \"a\\x0ab\\\\dx\\x0ay\")) "
        "(assign (name z) (binop '+' (binop '+' (binop '+' (int 31) (float 1500)) (float 0.5)) (int 1000))) "
        "(expr (call (name f) (int 1) (starred (name a)) (kwarg k (int 2)))) "
        "(assign (name d) (dict (int 1) (int 2) (int 3) (int 4))) "
        "(assign (name l) (listcomp (name v) (name v) (name w))))")


def test_parse_indented_method_source_and_type_comment():
    # a method cut out of its class: the first line's indentation is the base level
    src = "    @pyts.jit.export\n    def m(self, x):  # type: (Tensor) -> Tensor\n        return x\n"
    assert P(src) == ("(block (def m (type_comment \"(Tensor) -> Tensor\") (params (param self _ _) "
                      "(param x _ _)) _ (block (return (name x))) (decorators (attr export (attr jit (name pyts))))))")


def test_parse_continuations_and_brackets():
    src = "x = (1 +\n     2)\ny = 1 + \\\n    2\nz = [1,\n\n  2,  # comment\n]\n"
    assert P(src) == ("(block (assign (name x) (binop '+' (int 1) (int 2))) "
                      "(assign (name y) (binop '+' (int 1) (int 2))) (assign (name z) (list (int 1) (int 2))))")


def _err(src, file="m.py", offset=0):
    with pytest.raises(CompileError) as e:
        P(src, file, offset)
    return str(e.value)


def test_error_message_format():
    src = "def f(x):\n    y = foo(x,\n            1\n    return y\n"
    assert _err(src, "m.py", 2) == (
        "expected ')' to close '(' at 4:12 but found 'return'\n"
        "  File \"m.py\", line 6, column 5\n"
        "        return y\n"
        "        ^^^^^^")


def test_error_position_attributes():
    with pytest.raises(CompileError) as e:
        P("x = 1\ny = $\n", "f.py", 10)
    assert (e.value.lineno, e.value.column) == (12, 5)
    assert str(e.value).startswith("invalid character '$' in source\n  File \"f.py\", line 12, column 5")


@pytest.mark.parametrize("src,msg", [
    ("f = lambda x: x\n", "lambda is not supported in TorchScript"),
    ("try:\n  pass\nexcept:\n  pass\n", "try statements are not supported in TorchScript"),
    ("global x\n", "global statements are not supported in TorchScript"),
    ("import torch\n", "import statements are not supported in TorchScript"),
    ("def f():\n    yield 1\n", "yield is not supported in TorchScript"),
    ("s = {1, 2}\n", "set literals are not supported in TorchScript"),
    ("g = (x for x in y)\n", "generator expressions are not supported in TorchScript"),
    ("l = [x for x in y if x]\n", "Comprehension ifs are not supported yet"),
    ("s = f'{x!r}'\n", "Don't support conversion in JoinedStr"),
    ("s = f'{x:.2f}'\n", "Don't support formatting in JoinedStr"),
    ("s = f'{x=}'\n", "f-string self-documenting expressions (x=) are not supported in TorchScript"),
    ("s = f'a}'\n", "f-string: single '}' is not allowed"),
    ("b = b'x'\n", "bytes literals are not supported in TorchScript"),
    ("if (n := 3):\n  pass\n", "assignment expressions (:=) are not supported in TorchScript"),
    ("while x:\n  pass\nelse:\n  pass\n", "else branches of while loops are not supported in TorchScript"),
    ("async def f():\n  pass\n", "async is not supported in TorchScript"),
    ("x = 1 +\n", "expected an expression but found end of line"),
    ("if x:\npass\n", "expected an indented block after 'if' on line 1 but found 'pass'"),
    ("x = \"abc\n", "unterminated string literal"),
    ("x = '''abc\n", "unterminated triple-quoted string literal"),
    ("if x:\n    a = 1\n  b = 2\n", "unindent does not match any outer indentation level"),
    ("x = 08\n", "leading zeros in decimal integer literals are not permitted"),
    ("x = 99999999999999999999\n", "integer literal 99999999999999999999 is too large for a 64-bit int"),
    ("x = 1 = 2\n", "cannot assign to literal"),
    ("f(x) += 1\n", "cannot assign to function call with an augmented assignment"),
    ("def f(a=1, b):\n  pass\n", "non-default argument follows default argument"),
    ("f(a=1, 2)\n", "positional argument follows keyword argument"),
    ("x = 1 ? 2\n", "invalid character '?' in source"),
    ("x = (1, 2]\n", "expected ')' to close '(' at 1:5 but found ']'"),
    ("x = a.(1)\n", "expected an attribute name but found '('"),
])
def test_syntax_errors_name_the_problem(src, msg):
    assert _err(src).split("\n")[0] == msg


def test_nesting_limit():
    assert _err("x = " + "(" * 300 + "1" + ")" * 300 + "\n").startswith("source nested too deeply (limit 200)")
    assert _err("x = " + "-" * 1000 + "1\n").startswith("source nested too deeply (limit 200)")
    assert _err("x = 2" + " ** 2" * 1000 + "\n").startswith("source nested too deeply (limit 200)")
    src = "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n"
    assert _err(src).startswith("too many levels of indentation (limit 100)")
# }====================


# {==================== functions against torch.jit.script ====================
FUNCTIONS = {
    "f": "def f(x, h):\n    new_h = torch.tanh(x + h)\n    return new_h, new_h\n",
    "g": "def g(x, n: int):\n    for i in range(n):\n        x = x * x\n    return x\n",
    "w": "def w(x, n: int):\n    i = 0\n    while i < n:\n        x = x + x\n        i += 1\n    return x\n",
    "gate": "def gate(x, c: float):\n    if float(x) > c:\n        return x\n    else:\n        return -x\n",
    "d": ("def d(x, y: int, z: float = 2.0, b: bool = True):\n    if b and float(y) > z:\n"
          "        return x * x\n    return x - x\n"),
    "r": "def r(x, a: int, b: int):\n    for i in range(a, b, 2):\n        x = x - torch.neg(x)\n    return x\n",
    "t": ("def t(a: int, b: int):\n    c = a if a < b else b\n"
          "    return c * 2, a // b, a % b, a / b, -a, 0 < a <= b\n"),
    "early": ("def early(x, n: int):\n    if n > 3:\n        return x\n    y = x + x\n    if n > 1:\n"
              "        y = y * x\n    return y\n"),
    "nested": ("def nested(x, n: int):\n    y = x\n    for i in range(n):\n        if i % 2 == 0:\n"
               "            y = y + x\n        else:\n            y = y - x\n    return y\n"),
    "conv": ("def conv(x, n: int, f: float):\n    a = int(x)\n    b = float(n)\n    c = bool(f)\n"
             "    return a + n, b * f, c\n"),
    "tup": "def tup(x, h):\n    a, b = x, h\n    a, b = b, a\n    return a - b\n",
    "assert_": "def assert_(x, n: int):\n    assert n > 0, 'n must be positive'\n    return x\n",
    "raise_": "def raise_(x, n: int):\n    if n < 0:\n        raise ValueError('negative')\n    return x\n",
    "ln": "def ln(x):\n    return len(x) + 1\n",
    "opt1": ("def opt1(x, y: Optional[int] = None):\n    if y is not None and y > 1:\n        return x * x\n"
             "    return x\n"),
    "opt2": ("def opt2(x, y: Optional[int] = None):\n    if y is None:\n        return x\n    z = y + 1\n"
             "    return x if z > 3 else -x\n"),
}

ARGS = {
    "f": [(np.full((2, 3), 0.5), np.arange(6.0).reshape(2, 3))],
    "g": [(np.array([1.0, 2.0]), 3), (np.array([1.0, 2.0]), 0)],
    "w": [(np.array([1.0, 2.0]), 3)],
    "gate": [(np.array(2.0), 1.0), (np.array(2.0), 3.0)],
    "d": [(np.array([1.0, 3.0]), 3), (np.array([1.0, 3.0]), 1)],
    "r": [(np.array([1.0, -1.0]), 0, 7), (np.array([1.0]), 5, 1)],
    "t": [(7, 2), (-7, 3), (3, 3)],
    "early": [(np.array([1.0, 2.0]), 5), (np.array([1.0, 2.0]), 2), (np.array([1.0, 2.0]), 0)],
    "nested": [(np.array([1.0]), 5)],
    "conv": [(np.array(2.7), 3, 0.0), (np.array(-1.0), 0, 2.5)],
    "tup": [(np.array([1.0]), np.array([5.0]))],
    "assert_": [(np.array([1.0]), 1)],
    "raise_": [(np.array([1.0]), 1)],
    "ln": [(np.zeros((4, 2)),)],
    "opt1": [(np.array([3.0]),), (np.array([3.0]), 2), (np.array([3.0]), 1)],
    "opt2": [(np.array([3.0]),), (np.array([3.0]), 5), (np.array([3.0]), 1)],
}


def _define(tmp_path, name, src, lib):
    """Define function `name` from src in a real file (inspect needs it), `torch` being lib."""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "Optional": typing.Optional, "__name__": f"scripted_{name}"}
    exec(compile(src, str(path), "exec"), ns)
    return ns[name]


def _arg(lib, a):
    if isinstance(a, np.ndarray):
        return lib.tensor(a.astype(np.float32))
    return a


def _same(p, t):
    if isinstance(t, tuple):
        assert isinstance(p, tuple) and len(p) == len(t)
        for a, b in zip(p, t):
            _same(a, b)
    elif isinstance(t, torch.Tensor):
        assert isinstance(p, pyts.Tensor)
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    else:
        assert type(p) is type(t) and p == pytest.approx(t), (p, t)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_code_and_results_match_torch(tmp_path, name):
    ft = torch.jit.script(_define(tmp_path, name, FUNCTIONS[name], torch))
    fp = pyts.jit.script(_define(tmp_path, name, FUNCTIONS[name], pyts))
    assert fp.code == ft.code
    for args in ARGS[name]:
        _same(fp(*[_arg(pyts, a) for a in args]), ft(*[_arg(torch, a) for a in args]))


def test_scripted_function_keyword_arguments_and_defaults(tmp_path):
    fp = pyts.jit.script(_define(tmp_path, "d", FUNCTIONS["d"], pyts))
    x = pyts.tensor([1.0, 2.0])
    assert fp(x, 3).tolist() == [1.0, 4.0]
    assert fp(x, y=1, b=True, z=0.5).tolist() == [1.0, 4.0]
    assert fp(x, 3, b=False).tolist() == [0.0, 0.0]
    assert "z: float=2.," in fp.code and "b: bool=True)" in fp.code


def test_script_as_decorator_and_cached(tmp_path):
    src = "import pyts\n@pyts.jit.script\ndef f(x, n: int = 2):\n    return x * x if n > 1 else x\n"
    path = tmp_path / "deco.py"
    path.write_text(src)
    ns = {"__name__": "deco"}
    exec(compile(src, str(path), "exec"), ns)
    assert isinstance(ns["f"], pyts.jit.ScriptFunction)
    assert ns["f"](pyts.tensor([3.0])).tolist() == [9.0]
    assert pyts.jit.script(ns["f"]) is ns["f"]


def test_closures_globals_and_constants(tmp_path):
    src = ("import math\nimport pyts\nSCALE = 3\nFLAG = True\n"
           "def make():\n    k = 2\n    def f(x):\n        if FLAG:\n            return x * x\n"
           "        return x\n    def g(n: int):\n        return n * SCALE + k\n    return f, g\n")
    path = tmp_path / "clos.py"
    path.write_text(src)
    ns = {"__name__": "clos"}
    exec(compile(src, str(path), "exec"), ns)
    f, g = ns["make"]()
    assert pyts.jit.script(g)(5) == 17
    sf = pyts.jit.script(f)
    assert sf(pyts.tensor([2.0])).tolist() == [4.0]
    assert "if" not in sf.code   # FLAG is a constant: only the live branch is compiled


def test_compiled_graph_shapes(tmp_path):
    g = str(pyts.jit.script(_define(tmp_path, "nested", FUNCTIONS["nested"], pyts)).graph)
    # prim::Loop(trip, cond, carried) with body (iter, carried) -> (cond, carried); prim::If inside
    # torch's value names (tests/test_graph_names.py compares them with torch's)
    assert re.search(r"%y : Tensor = prim::Loop\(%n\.1, %\d+, %x\.1\)", g)
    assert re.search(r"block0\(%i\.1 : int, %y\.27 : Tensor\):", g)
    assert "prim::If(" in g and g.count("-> (") == 3
# }====================


# {==================== compile errors ====================
def _compile_error(tmp_path, src, name="f"):
    fn = _define(tmp_path, name, src, pyts)
    with pytest.raises(CompileError) as e:
        pyts.jit.script(fn)
    return str(e.value)


def test_error_undefined_variable_has_location(tmp_path):
    msg = _compile_error(tmp_path, "def f(x):\n    y = x\n    return z\n")
    path = str(tmp_path / "f_pyts.py")
    assert msg == f"undefined value z\n  File \"{path}\", line 3, column 12\n        return z\n               ^"


def test_error_variable_defined_in_one_branch(tmp_path):
    msg = _compile_error(tmp_path, "def f(x, n: int):\n    if n > 0:\n        y = x\n    return y\n")
    assert msg.split("\n")[0] == "y is not defined in the false branch"
    msg = _compile_error(tmp_path, "def f(x, n: int):\n    if n > 0:\n        pass\n    else:\n        y = x\n    return y\n")
    assert msg.split("\n")[0] == "y is not defined in the true branch"


def test_error_argument_type_of_a_method(tmp_path):
    class M(Module):
        def helper(self, x):
            return x

        def forward(self, x):
            return self.helper(1)
    with pytest.raises(CompileError) as e:
        pyts.jit.script(M())
    assert ("Expected a value of type 'Tensor (inferred)' for argument 'x' but instead found type 'int'.\n"
            "Inferred 'x' to be of type 'Tensor' because it was not annotated with an explicit type.") in str(e.value)
    assert "return self.helper(1)" in str(e.value)


def test_error_builtin_overloads_listed(tmp_path):
    msg = _compile_error(tmp_path, "def f(x):\n    return torch.neg('a')\n")
    assert msg.startswith("Arguments for call are not valid.\nThe following variants are available:\n")
    assert "aten::neg(Tensor self) -> Tensor:\n  Expected a value of type 'Tensor' for argument 'self' but instead found type 'str'." in msg


@pytest.mark.parametrize("src,first", [
    ("def f(x, n: int):\n    y = x\n    if n > 0:\n        y = n\n    return y\n",
     "Variable 'y' previously had type Tensor but is now being assigned to a value of type int"),
    ("def f(x, n: int):\n    if n > 0:\n        y = x\n    else:\n        y = n\n    return y\n",
     "Type mismatch: y is set to type Tensor in the true branch and type int in the false branch"),
    ("def f(x) -> int:\n    return x\n", "Return value was annotated as having type int but is actually of type Tensor"),
    ("def f(x):\n    with x:\n        pass\n    return x\n", "With item expression must return an object"),
    # torch fails on this one with an internal assert
    ("def f(x, n: int):\n    for i in range(n):\n        with torch.no_grad():\n            if i == 2:\n"
     "                continue\n            x = x + 1\n    return x\n",
     "a value assigned in a with statement after a return, break or continue inside it cannot be used after the with "
     "statement"),
    ("def f(x):\n    def g(y):\n        return y\n    return x\n",
     "nested function definitions are not supported in TorchScript"),
    ("def f(*args):\n    return 1\n", "variadic parameters (*args, **kwargs) are not supported in TorchScript"),
    ("def f(x):\n    print(x, end='')\n    return x\n",
     "print() keyword arguments (sep, end, file...) are not supported in TorchScript"),
    ("def f(x):\n    xs = [1, 2]\n    xs.append(x)\n    return x\n",
     "aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):"),
    ("def f(x):\n    return x in [x]\n", "'in' on lists of Tensor is not supported yet"),
    ("def f(x):\n    d = {'a': 1}\n    return d[2]\n", "Arguments for call are not valid."),
    ("def f(x):\n    xs = [1]\n    return xs.frob()\n", "'List[int]' object has no attribute or method 'frob'"),
    ("def f(x: complex):\n    return x.real\n", "'complex' object has no attribute or method 'real'"),
    ("def f(x):\n    return x.frobnicate()\n", "'Tensor (inferred)' object has no attribute or method 'frobnicate'."),
    ("def f(x, n: int):\n    return n + 'a'\n", "Arguments for call are not valid."),
    ("def f(x):\n    return [x, 1]\n",
     "Lists must contain only a single type, first element had type Tensor and element 1 had type int"),
    ("def f(x):\n    a, b = x\n    return a\n", "cannot unpack a value of type Tensor into 2 variables (only tuples for now)"),
    ("def f(x, n: int):\n    for v in n:\n        pass\n    return x\n", "for loops over values of type int are not supported yet"),
    ("def f(x):\n    for v in (1, 2):\n        break\n    return x\n",
     "Because we emit iteration over modulelists or tuples as unrolled loops, we do not support break or continue"),
    ("def f(x):\n    return g(x)\n", "undefined value g"),
    ("def f(x):\n    return np.tanh(x)\n", "Python value of type 'type' cannot be used as a value."),
])
def test_compile_errors(tmp_path, src, first):
    ns_extra = {"np": type("np", (), {"tanh": staticmethod(lambda a: a)})}
    path = tmp_path / "err.py"
    path.write_text(src)
    ns = {"torch": pyts, "__name__": "err", **ns_extra}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError) as e:
        pyts.jit.script(ns["f"])
    assert str(e.value).split("\n")[0].startswith(first)


def test_calling_python_functions_compiles_them(tmp_path):
    # (issue 5: free functions called from scripted code are compiled too; more in test_script_module.py)
    src = "def g(x):\n    return x * 2\ndef f(x):\n    return g(x) + 1\ndef r(x):\n    return r(x)\n"
    path = tmp_path / "pf.py"
    path.write_text(src)
    ns = {"__name__": "pf"}
    exec(compile(src, str(path), "exec"), ns)
    f = pyts.jit.script(ns["f"])
    assert f(pyts.ones(2)).numpy().tolist() == [3.0, 3.0]
    assert "__torch__.pf.g(x, )" in f.code   # as torch prints a call of a function value
    with pytest.raises(CompileError, match="recursion is not supported"):
        pyts.jit.script(ns["r"])


def test_missing_source_is_an_oserror():
    ns = {}
    exec("def f(x):\n    return x\n", ns)
    with pytest.raises(OSError, match="Can't get source for"):
        pyts.jit.script(ns["f"])
# }====================


# {==================== modules ====================
Module = pyts.nn.Module


def frozen(t):
    """A parameter of a test module: plain weights, results feed .tolist()/.numpy() directly."""
    return pyts.nn.Parameter(t, requires_grad=False)


class Linear(Module):
    def __init__(self, i, o, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.register_parameter("weight", frozen(pyts.tensor((rng.random((o, i)) - 0.5).astype(np.float32))))
        self.register_parameter("bias", frozen(pyts.tensor((rng.random(o) - 0.5).astype(np.float32))))

    def forward(self, input):
        return pyts.nn.functional.linear(input, self.weight, self.bias)


class ScalarGate(Module):
    """The tutorial's decision gate on one-element inputs (rows of this build only)."""

    def forward(self, x):
        if float(x) > 0.0:
            return x
        else:
            return -x


def test_scripted_gate_keeps_the_branch_a_trace_freezes():
    pos, neg = pyts.tensor([2.0]), pyts.tensor([-3.0])
    scripted = pyts.jit.script(ScalarGate())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = pyts.jit.trace_module(ScalarGate(), {"forward": (pos,)}, check_trace=False)
    assert scripted(neg).tolist() == [3.0]
    assert traced(neg).tolist() == [-3.0]          # the trace recorded the x > 0 path only
    assert "if" in scripted.code and "if" not in traced.code
    assert isinstance(scripted, pyts.jit.ScriptModule) and scripted.original_name == "ScalarGate"


class Counter(Module):
    def __init__(self):
        super().__init__()
        self.offset = pyts.tensor([0.5])   # a plain tensor attribute
        self.count = 0
        self.scale = 2.0
        self.enabled = True
        self.register_buffer("total", pyts.tensor([0.0]))

    def step(self, x, times: int = 1):
        for i in range(times):
            self.count += 1
        return x + self.total

    def forward(self, x):
        if self.enabled:
            return self.step(x, times=2) - self.offset
        return x

    @pyts.jit.export
    def get_count(self) -> int:
        return self.count


def test_module_attributes_methods_setattr_and_export():
    m = pyts.jit.script(Counter())
    assert sorted(m._c._methods()) == ["forward", "get_count", "step"]
    x = pyts.tensor([1.0])
    assert m(x).tolist() == [0.5]
    assert m.get_count() == 2 and m.count == 2
    m(x)
    assert m.count == 4
    m.enabled = False
    m(x)
    assert m.count == 4
    assert m.step(x).tolist() == [1.0] and m.count == 5
    assert "(self).step(x, 2, )" in m.code and "offset = self.offset" in m.code


class Inner(Module):
    def __init__(self):
        super().__init__()
        self.register_parameter("w", frozen(pyts.tensor([2.0, 3.0])))

    def forward(self, x, y: float = 1.0):
        return x * self.w


class Outer(Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.gate = ScalarGate()

    def forward(self, x):
        a = self.inner(x)
        return self.inner.forward(a, 2.0)


def test_submodules_are_scripted_recursively_and_shared_objects_kept():
    o = Outer()
    m = pyts.jit.script(o)
    assert m(pyts.tensor([1.0, 1.0])).tolist() == [4.0, 9.0]
    assert [n for n, _ in m.named_children()] == ["inner", "gate"]
    assert m.inner._c._methods() == ["forward"]
    # a submodule that is already a ScriptModule keeps its object
    sg = pyts.jit.script(ScalarGate())

    class Holder(Module):
        def __init__(self):
            super().__init__()
            self.g = sg

        def forward(self, x):
            return self.g(x)
    h = pyts.jit.script(Holder())
    assert h.g._c._same(sg._c)
    assert h(pyts.tensor([-1.0])).tolist() == [1.0]


def test_recursive_methods_and_markers_are_errors():
    class Rec(Module):
        def a(self, x):
            return self.b(x)

        def b(self, x):
            return self.a(x)

        def forward(self, x):
            return self.a(x)
    with pytest.raises(CompileError, match="method 'a' is called recursively"):
        pyts.jit.script(Rec())

    class Ign(Module):
        @pyts.jit.ignore
        def helper(self, x):
            return x

        def forward(self, x):
            return self.helper(x)
    # an @ignore'd method is called in Python (differential tests: tests/test_script_module.py)
    assert pyts.jit.script(Ign())(pyts.ones(1)).tolist() == [1.0]


def test_scripting_a_class_or_other_objects_is_an_error():
    with pytest.raises(CompileError, match="scripting module classes is not supported"):
        pyts.jit.script(Counter)
    with pytest.raises(RuntimeError):
        pyts.jit.script(3)
# }====================


# {==================== the tutorial ====================
TP, TT = tutorial(pyts), tutorial(torch)   # the seed's modules for each library


def _copy_linear(tl, pl):
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(pl.weight.detach().numpy()))
        tl.bias.copy_(torch.from_numpy(pl.bias.detach().numpy()))


def _inputs(*shape):
    a = np.random.default_rng(3).random(shape, dtype=np.float32) - 0.5
    return pyts.tensor(a), torch.from_numpy(a.copy())


@needs_rows("sum", "gt.Scalar")
def test_tutorial_decision_gate():
    pg, tg = pyts.jit.script(TP.MyDecisionGate()), torch.jit.script(TT.MyDecisionGate())
    assert pg.code == tg.code
    x_p, x_t = _inputs(3, 4)
    for sign in (1.0, -1.0):
        np.testing.assert_allclose(pg(x_p * sign).detach().numpy(), tg(x_t * sign).detach().numpy())
    # a trace on positive inputs keeps only that branch; the script keeps both
    neg = pyts.tensor(-np.abs(x_p.numpy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = pyts.jit.trace_module(TP.MyDecisionGate(), {"forward": (pyts.tensor(np.abs(x_p.numpy())),)},
                                       check_trace=False)
    assert not np.allclose(traced(neg).numpy(), pg(neg).numpy())


@needs_rows("sum", "gt.Scalar", "linear", "tanh")
def test_tutorial_cell_with_scripted_gate():
    pc = TP.MyCell(pyts.jit.script(TP.MyDecisionGate()))
    tc = TT.MyCell(torch.jit.script(TT.MyDecisionGate()))
    _copy_linear(tc.linear, pc.linear)
    ps, ts = pyts.jit.script(pc), torch.jit.script(tc)
    assert ps.code == ts.code
    x_p, x_t = _inputs(3, 4)
    h_p, h_t = _inputs(3, 4)
    for a, b in zip(ps(x_p, h_p), ts(x_t, h_t)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


@needs_rows("sum", "gt.Scalar", "linear", "zeros", "size.int", "select.int", "relu")
def test_tutorial_rnn_loop_around_a_traced_cell():
    x_p, x_t = _inputs(3, 4)
    h_p, h_t = _inputs(3, 4)
    pgate, tgate = pyts.jit.script(TP.MyDecisionGate()), torch.jit.script(TT.MyDecisionGate())
    pcell, tcell = TP.MyCell(pgate), TT.MyCell(tgate)
    _copy_linear(tcell.linear, pcell.linear)
    traced_p = pyts.jit.trace_module(pcell, {"forward": (x_p, h_p)}, check_trace=False)
    traced_t = torch.jit.trace(tcell, (x_t, h_t))
    ps, ts = pyts.jit.script(TP.MyRNNLoop(traced_p)), torch.jit.script(TT.MyRNNLoop(traced_t))
    assert ps.code == ts.code
    xs_p, xs_t = _inputs(10, 3, 4)
    for a, b in zip(ps(xs_p), ts(xs_t)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)

    # the tutorial's last step: tracing a module that calls the scripted loop keeps the loop
    wp = pyts.jit.trace_module(TP.WrapRNN(ps), {"forward": (xs_p,)}, check_trace=False)
    wt = torch.jit.trace(TT.WrapRNN(ts), (xs_t,))
    assert wp.code == wt.code
    xs2_p, xs2_t = _inputs(6, 3, 4)
    np.testing.assert_allclose(wp(xs2_p).detach().numpy(), wt(xs2_t).detach().numpy(), rtol=1e-5, atol=1e-6)
# }====================


# {==================== golden cases ====================
GOLDEN = sorted((HERE / "script").glob("*.py"))


def _golden_expectations(text, hints=None):
    calls, error = [], None
    for line in text.splitlines():
        if line.startswith("# call:"):
            calls.append([line[len("# call:"):].strip(), None])
        elif line.startswith("# expect error:"):
            error = line[len("# expect error:"):].strip()
        elif line.startswith("# expect hint:") and hints is not None:
            hints.append(line[len("# expect hint: "):])   # exact: TorchScript's lines keep tabs and spaces
        elif line.startswith("# expect raise:"):
            calls[-1][1] = ("raise", line[len("# expect raise:"):].strip())
        elif line.startswith("# expect:"):
            calls[-1][1] = ("value", line[len("# expect:"):].strip())
    return calls, error


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden(path):
    text = path.read_text()
    hints = []
    calls, error = _golden_expectations(text, hints)
    assert calls or error, f"{path.name} states no expectation"
    ns = {"torch": pyts, "__name__": f"golden_{path.stem}"}
    if error:
        # compiled straight from the text: Python itself may reject the file
        pos, msg = error.split(" ", 1)
        line, col = (int(v) for v in pos.split(":"))
        resolver = _Resolver(types.FunctionType((lambda: 0).__code__, ns))
        with pytest.raises(CompileError) as e:
            pyts._C._compile_function(text, str(path), 0, resolver)
        first = str(e.value).split("\n")[0]
        assert first == msg, f"{path.name}: {first!r}"
        assert (e.value.lineno, e.value.column) == (line, col), str(e.value)
        lines = str(e.value).split("\n")
        body = lines[:next(i for i, ln in enumerate(lines) if ln.startswith("  File "))]
        for h in hints:   # the suggestion lines after the message
            assert h in body[1:], f"{path.name}: {h!r} not in {body!r}"
        if not hints:
            assert not any(ln.startswith(("Did you mean", "hint:")) for ln in body), f"{path.name}: {body!r}"
        return
    exec(compile(text, str(path), "exec"), ns)
    fn = pyts.jit.script(ns["f"])
    for args, (kind, want) in calls:
        args = eval(args, {"torch": pyts})
        if kind == "value":
            assert str(fn(*args)) == want, path.name
        else:
            cls, msg = want.split(": ", 1)
            with pytest.raises(getattr(builtins, cls)) as e:
                fn(*args)
            assert str(e.value).startswith(msg)
# }====================


# {==================== the language beyond tensors, against torch.jit.script ====================
# lists, dicts, strings, comprehensions, for over containers, in, print, f-strings, math, builtins
LANG = {
    "for_list": ("def for_list(xs: List[int]) -> int:\n    t = 0\n    for v in xs:\n        t += v * v\n    return t\n",
                 [([1, 2, 3],), ([],)]),
    "for_dict": ("def for_dict(d: Dict[str, int]) -> int:\n    t = 0\n    for k in d:\n        t += d[k] * len(k)\n"
                 "    for k, v in d.items():\n        t -= v\n    return t\n", [({"ab": 2, "c": 5},), ({},)]),
    "for_enum_zip": ("def for_enum_zip(xs: List[int], ys: List[float]) -> float:\n    t = 0.0\n"
                     "    for i, v in enumerate(xs):\n        t += i * v\n    for i, v in enumerate(xs, 3):\n        t += i\n"
                     "    for a, b in zip(xs, ys):\n        t += a * b\n    for i, b in zip(range(2, 9, 3), ys):\n        t += i * b\n"
                     "    return t\n", [([1, 2, 3], [0.5, 1.5]), ([4], [])]),
    "for_tensor": ("def for_tensor(x):\n    s = torch.zeros([2])\n    for r in x:\n        s = s + r\n    return s\n",
                   [(np.arange(6.0).reshape(3, 2),)]),
    "for_tuple": ("def for_tuple(x):\n    t = 0.0\n    for v in (1, 2.5, 3):\n        t = t + v\n    return x * t\n",
                  [(np.array([1.0, 2.0]),)]),
    "for_break": ("def for_break(xs: List[int]) -> int:\n    t = 0\n    for v in xs:\n        if v < 0:\n            break\n"
                  "        if v == 2:\n            continue\n        t += v\n    return t\n", [([1, 2, 3, -1, 5],), ([2],)]),
    "listcomp": ("def listcomp(xs: List[int]) -> List[int]:\n    return [v * v + 1 for v in xs]\n", [([1, 2, 3],), ([],)]),
    "listcomp_tensor": ("def listcomp_tensor(x) -> List[Tensor]:\n    return [r * 2 for r in x]\n",
                        [(np.arange(4.0).reshape(2, 2),)]),
    "dictcomp": ("def dictcomp(xs: List[str]) -> Dict[str, int]:\n    return {s: len(s) for s in xs}\n", [(["a", "bcd"],)]),
    "dict_ops": ("def dict_ops(d: Dict[str, int], k: str):\n    e = {'x': 1, 'y': 2}\n    e[k] = 7\n    e['x'] += 10\n"
                 "    a = e.get('zz', -1)\n    b = e.setdefault('w', 4)\n    c = e.pop('y')\n    e.update(d)\n"
                 "    return e, a, b, c, len(e), k in e, 'q' not in e, e.keys(), e.values(), d.get(k)\n",
                 [({"m": 3}, "k"), ({}, "x")]),
    "int_dict": ("def int_dict(n: int) -> Dict[int, float]:\n    d: Dict[int, float] = {}\n    for i in range(n):\n"
                 "        d[i * i] = i / 2\n    return d\n", [(4,)]),
    "list_ops": ("def list_ops(xs: List[int]):\n    ys = [5, 1]\n    ys.append(3)\n    ys[0] = 9\n    ys[-1] += 1\n"
                 "    p = ys.pop()\n    return ys, p, 3 in xs, 7 not in xs, sorted(xs), sum(xs), min(xs), max(xs), len(xs)\n",
                 [([3, 1, 2],), ([7],)]),
    "str_ops": ("def str_ops(s: str):\n    parts = s.split(',')\n    return (parts, '-'.join(parts), s.startswith('a'), s.endswith('c'),\n"
                "            s.find('b'), s.lower(), s.upper(), ' x '.strip(), s.replace(',', ';'), 'b' in s, s[0], len(s),\n"
                "            s.split(), s + '!', s == 'a,b', s != 'a,b')\n",
                [("a,b,c",), ("A b",)]),
    "fstring": ("def fstring(x: int, s: str, f: float) -> str:\n    return f'{x}-{s} {f} {[x, x]} ' + '{}+{}'.format(s, x)\n",
                [(3, "s", 1.0), (-1, "", 0.1)]),
    "str_conv": ("def str_conv(x: int, f: float, b: bool) -> str:\n    return str(x) + str(f) + str(b) + str([f]) + str((x,))\n",
                 [(1, 2.5, True), (0, 3.0, False)]),
    "math_fns": ("def math_fns(a: float, n: int):\n    return (math.sqrt(a), math.floor(a), math.ceil(a), math.log(a), math.exp(a),\n"
                 "            math.isnan(a), math.pi * n, math.sqrt(n), abs(-n), abs(-a), round(a), divmod(n, 3),\n"
                 "            divmod(a, 2.0), min(n, 2), max(a, 1.0))\n", [(2.5, 7), (0.5, -4)]),
    "any_all": ("def any_all(xs: List[int]):\n    bs = [v > 1 for v in xs]\n    return any(bs), all(bs)\n",
                [([1, 2],), ([2, 3],), ([],)]),
    "no_grad": ("def no_grad(x):\n    with torch.no_grad():\n        y = x * 2\n    return y + x\n",
                [(np.array([1.0, 2.0]),)]),
    "nested_comp": ("def nested_comp(xss: List[List[int]]) -> List[int]:\n    return [sum([v for v in xs]) for xs in xss]\n",
                    [([[1, 2], [], [3]],)]),
}


def _define_lang(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "math": __import__("math"), "List": typing.List, "Dict": typing.Dict,
          "Tensor": lib.Tensor, "__name__": f"lang_{name}"}
    exec(compile(src, str(path), "exec"), ns)
    return ns[name]


@pytest.mark.parametrize("name", sorted(LANG))
def test_language_results_match_torch(tmp_path, name):
    src, calls = LANG[name]
    ft = torch.jit.script(_define_lang(tmp_path, name, src, torch))
    fp = pyts.jit.script(_define_lang(tmp_path, name, src, pyts))
    for args in calls:
        import copy
        _same_value(fp(*[_arg(pyts, copy.deepcopy(a)) for a in args]), ft(*[_arg(torch, copy.deepcopy(a)) for a in args]))


def test_print_matches_torch(tmp_path, capfd):
    src = ("def pr(x, y, xs: List[int], d: Dict[str, float], s: str):\n"
           "    print('hi', 3, 2.5, 1.0, True, None, xs, d, s, [s], (1, s), 1e20, 0.1)\n"
           "    print(x)\n    print(y)\n    print(x * 100.5, x[0])\n    return 0\n")
    args = [(np.array([[1.25, -2.0], [3.0, 100.5]]), np.array([1e-5, 1e5]), [1, 2], {"a": 1.0}, "str")]
    outs = []
    for lib in (pyts, torch):
        f = torch.jit.script(_define_lang(tmp_path, "pr", src, torch)) if lib is torch else \
            pyts.jit.script(_define_lang(tmp_path, "pr", src, pyts))
        capfd.readouterr()
        f(*[_arg(lib, a) for a in args[0]])
        outs.append(capfd.readouterr().out)
    assert outs[0] == outs[1]


def test_no_grad_block_turns_grad_off_and_restores_it(tmp_path):
    src = ("def ng(x):\n    with torch.no_grad():\n        a = torch.is_grad_enabled()\n        with torch.no_grad():\n"
           "            b = torch.is_grad_enabled()\n    return a, b, torch.is_grad_enabled()\n")
    for lib, script in ((pyts, pyts.jit.script), (torch, torch.jit.script)):
        f = script(_define_lang(tmp_path, "ng", src, lib))
        assert f(lib.zeros([1])) == (False, False, True)
        assert lib.is_grad_enabled()


def test_language_runtime_errors(tmp_path):
    src = ("def er(d: Dict[str, int], xs: List[int], k: str, i: int) -> int:\n"
           "    return d[k] + xs[i]\n")
    f = pyts.jit.script(_define_lang(tmp_path, "er", src, pyts))
    assert f({"a": 1}, [5], "a", -1) == 6
    with pytest.raises(RuntimeError, match="KeyError: b"):
        f({"a": 1}, [5], "b", 0)
    with pytest.raises(RuntimeError, match="list index out of range"):   # torch's class, not IndexError
        f({"a": 1}, [5], "a", 1)


def test_fstring_parse_and_comprehension_scope(tmp_path):
    assert P("s = f'a{x}b{{c}}{y[1]}'\n") == (
        "(block (assign (name s) (call (attr format (str \"a{}b{{c}}{}\")) (name x) (subscript (name y) (int 1)))))")
    src = "def sc(xs: List[int]) -> int:\n    v = 10\n    ys = [v + 1 for v in xs]\n    return v + len(ys)\n"
    assert pyts.jit.script(_define_lang(tmp_path, "sc", src, pyts))([1, 2]) == 12
# }====================
