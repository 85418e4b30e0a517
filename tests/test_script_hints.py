"""Compile errors that suggest the fix (issue 5, Errors): TorchScript's own hints with its words
(similar builtin ops, an unannotated parameter inferred as Tensor, empty lists defaulting to
List[Tensor]), checked against torch 2.13's messages, and pyts's "Did you mean" and "hint:" lines
for misspelt names, None-then-value variables, Optionals used unrefined and returns that disagree.
A hint is a line after the message: the first line stays TorchScript's."""
import io
import linecache
import re
import zipfile

import pytest
import torch

import pyts
from pyts.jit import CompileError

TORCH_HINT_EMPTY = ("Empty lists default to List[Tensor]. Add a variable annotation to the assignment to create an "
                    "empty list of another type (torch.jit.annotate(List[T, []]) where T is the type of elements in "
                    "the list for Python 2)")


def _load(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    linecache.checkcache(str(path))
    ns = {"torch": lib, "__name__": f"{name}_{lib.__name__}"}
    exec(compile(src, str(path), "exec"), ns)
    return ns, str(path)


def _error(tmp_path, src, lib, name="f"):
    """The message lib's compiler raises for src (a function f, or a module class M)."""
    ns, path = _load(tmp_path, "hint", src, lib)
    obj = ns["M"]() if "M" in ns else ns[name]
    script = pyts.jit.script if lib is pyts else torch.jit.script
    exc = CompileError if lib is pyts else RuntimeError
    with pytest.raises(exc) as e:
        script(obj)
    return str(e.value), path


def _body(msg):
    """A message without its location block (pyts: the lines from '  File'; torch: from ':\\n  File'
    or 'The original call is')."""
    lines = msg.split("\n")
    out = []
    for ln in lines:
        if ln.startswith("  File ") or ln == "The original call is:" or ln == ":":
            if ln.startswith("  File ") and out and out[-1].endswith(":") and len(out) == 2 and not out[0]:
                out[-1] = out[-1][:-1]   # torch's "<message>:" before its location
            break
        out.append(ln)
    while out and out[-1] == "":
        out.pop()
    while out and out[0] == "":
        out.pop(0)
    return out


def _compiles(tmp_path, src, lib, name="f"):
    ns, _ = _load(tmp_path, "fixed", src, lib)
    obj = ns["M"]() if "M" in ns else ns[name]
    (pyts.jit.script if lib is pyts else torch.jit.script)(obj)


# {==================== similar builtin ops (TorchScript's list) ====================
def _unknown_op_archive(name):
    """An archive whose code calls torch.<name>: archive loaders resolve `torch.X` as builtin ops,
    so an unknown one gets TorchScript's "Unknown builtin op" message with its similar ops
    (torch's Python frontend, and pyts's, say that the module has no such attribute instead)."""
    @torch.jit.script
    def f(x):
        return torch.tanh(x)
    buf = io.BytesIO()
    torch.jit.save(f, buf)
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for it in zin.infolist():
            if it.filename.endswith(".debug_pkl"):
                continue
            d = zin.read(it.filename)
            if it.filename.endswith(".py"):
                d = d.replace(b"torch.tanh(", f"torch.{name}(".encode())
            zout.writestr(it, d)
    return out.getvalue()


def _torch_unknown_op(name):
    with pytest.raises(RuntimeError) as e:
        torch.jit.load(io.BytesIO(_unknown_op_archive(name)))
    return str(e.value)


def _pyts_unknown_op(name):
    # pyts compiles an archive's methods when first called
    with pytest.raises(RuntimeError) as e:
        pyts.jit.load(io.BytesIO(_unknown_op_archive(name)))(pyts.ones(2))
    msg = str(e.value)
    head = "pyts could not compile this method of the archive's code"
    assert msg.startswith(head)
    return msg.split("\n", 1)[1]   # the compile error, after pyts's line naming the method


def _suggestions(msg):
    lines = _body(msg)
    assert lines[0].startswith("Unknown builtin op: aten::")
    if lines[1].startswith("Could not find"):
        return lines[:2], []
    assert lines[1] == "Here are some suggestions: "
    return lines[:2], [ln[1:] for ln in lines[2:] if ln.startswith("\t")]


def _pyts_op_names():
    names = set()
    for _, text, _, _ in pyts._C._ops():
        head = text.split("(")[0].split(".")[0]
        names.add(head if "::" in head else "aten::" + head)
    return names


def _edit(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(prev + (ca != cb), row[j - 1] + 1, row[j] + 1)
    return row[-1]


@pytest.mark.parametrize("name", ["tanhh", "sigmod", "reluu", "addd", "mull", "lenn", "appendd", "tahn", "sinn",
                                  "matmull", "softmx"])
def test_unknown_op_suggests_like_torch(tmp_path, name):
    head, ours = _suggestions(_pyts_unknown_op(name))
    t_head, theirs = _suggestions(_torch_unknown_op(name))
    assert head == t_head
    known = _pyts_op_names()
    # torch's list (edit distance <= 2 over the qualified names, nearest first) restricted to the
    # ops pyts has; equal distances in name order (torch's order there is its hash table's)
    want = sorted((s for s in theirs if s in known), key=lambda s: (_edit("aten::" + name, s), s))
    assert ours == want
    assert ours, "every case has a close op in pyts's registry"


def test_unknown_op_message_exact(tmp_path):
    # Python-scripted code: torch.X resolves through the module (torch says it has no such
    # attribute); pyts adds the closest function
    msg, path = _error(tmp_path, "def f(x):\n    return torch.sigmod(x)\n", pyts)
    assert msg == ("module 'torch' has no attribute 'sigmod'\nDid you mean 'sigmoid'?\n"
                   f"  File \"{path}\", line 2, column 12\n        return torch.sigmod(x)\n"
                   "               ^^^^^^^^^^^^")
    # archive code: builtin ops, TorchScript's list of similar ones
    msg = _pyts_unknown_op("sigmod")
    assert msg.startswith("Unknown builtin op: aten::sigmod.\nHere are some suggestions: \n\taten::sigmoid\n"
                          "\taten::divmod\n\taten::sigmoid_\n  File \"code/__torch__.py\", line 7, column 12\n"
                          "        return torch.sigmod(x)\n               ^^^^^^^^^^^^^^^")


def test_unknown_op_without_similar_ops_like_torch(tmp_path):
    msg = _pyts_unknown_op("zzzqqqxx")
    assert _body(msg) == _body(_torch_unknown_op("zzzqqqxx"))
    assert _body(msg) == ["Unknown builtin op: aten::zzzqqqxx.",
                          "Could not find any similar ops to aten::zzzqqqxx. This op may not exist or may not be "
                          "currently supported in TorchScript."]
# }====================


# {==================== "Did you mean" ====================
CLASS_SRC = '''
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(3))
        self.scale = 2
    def helper(self, x):
        return x * self.weight
    def forward(self, x):
        return {body}
'''

DID_YOU_MEAN = {
    # name: (source, first line (torch's where torch compiles it), suggestion, line, column, caret)
    "tensor_method": ("def f(x):\n    return x.tahn()\n",
                      "'Tensor (inferred)' object has no attribute or method 'tahn'.", "tanh", 2, 12, 6),
    "tensor_method_annotated": ("def f(x: torch.Tensor):\n    return x.reluu()\n",
                                "'Tensor' object has no attribute or method 'reluu'.", "relu", 2, 12, 7),
    "list_method": ("def f(x):\n    l = [1, 2]\n    l.appnd(3)\n    return l\n",
                    "'List[int]' object has no attribute or method 'appnd'.", "append", 3, 5, 7),
    "dict_method": ("def f(x):\n    d = {'a': 1}\n    return d.itms()\n",
                    "'Dict[str, int]' object has no attribute or method 'itms'.", "items", 3, 12, 6),
    "str_method": ("def f(x: str):\n    return x.uper()\n",
                   "'str' object has no attribute or method 'uper'.", "upper", 2, 12, 6),
    "undefined_local": ("def f(x):\n    weight = x\n    return wieght\n", "undefined value wieght", "weight", 3, 12, 6),
    "undefined_global": ("def f(x):\n    return lenn([x])\n", "undefined value lenn", "len", 2, 12, 4),
    "self_attribute": (CLASS_SRC.format(body="x * self.weigth"), "Module 'M' has no attribute 'weigth'", "weight",
                       10, 20, 11),
    "self_method": (CLASS_SRC.format(body="self.helpr(x)"), "Module 'M' has no attribute 'helpr'", "helper",
                    10, 16, 13),
}


@pytest.mark.parametrize("case", sorted(DID_YOU_MEAN))
def test_did_you_mean(tmp_path, case):
    src, first, best, line, col, width = DID_YOU_MEAN[case]
    msg, path = _error(tmp_path, src, pyts)
    lines = msg.split("\n")
    assert lines[0] == first
    assert lines[1] == f"Did you mean '{best}'?"
    assert lines[2] == f'  File "{path}", line {line}, column {col}'
    src_line = src.split("\n")[line - 1]
    assert lines[3] == "    " + src_line
    assert lines[4] == "    " + " " * (col - 1) + "^" * width
    # the message itself is torch's (its `Tensor (inferred)`, the trailing '.', "Module 'M' has no
    # attribute"): torch prints "<first line>:" or "<first line> :" before its location
    t_msg, _ = _error(tmp_path, src, torch)
    t_first = _body(t_msg)[0].rstrip(":").rstrip()
    assert t_first == first


def test_misspelt_keyword_of_an_op(tmp_path):
    msg, _ = _error(tmp_path, "def f(x):\n    return torch.sum(x, dimm=0)\n", pyts)
    body = _body(msg)
    assert body[:2] == ["Arguments for call are not valid.", "The following variants are available:"]
    assert "  Keyword argument dimm unknown." in body
    assert body[-1] == "Did you mean 'dim'?"
    # the variants as torch lists them (pyts's registry has fewer of them)
    t_body = _body(_error(tmp_path, "def f(x):\n    return torch.sum(x, dimm=0)\n", torch)[0])
    assert "  Keyword argument dimm unknown." in t_body
    msg, _ = _error(tmp_path, "def f(x):\n    return x.sum(dimm=0)\n", pyts)
    assert _body(msg)[-1] == "Did you mean 'dim'?"


def test_misspelt_keyword_of_a_function(tmp_path):
    src = "def g(alpha: int, beta: int) -> int:\n    return alpha + beta\ndef f(x: int):\n    return g(1, betta=2)\n"
    msg, _ = _error(tmp_path, src, pyts)
    assert _body(msg) == ["g() got an unexpected keyword argument 'betta'", "Did you mean 'beta'?"]
    src = CLASS_SRC.format(body="self.helper(y=x)")
    msg, _ = _error(tmp_path, src, pyts)
    assert _body(msg) == ["helper() got an unexpected keyword argument 'y'"]   # too short to guess


def test_script_class_attribute(tmp_path):
    src = ("class P:\n    def __init__(self, a: int):\n        self.count = a\n\n"
           "def f(x: int):\n    p = P(x)\n    return p.cuont\n")
    msg, _ = _error(tmp_path, src, pyts)
    body = _body(msg)
    assert body[0].endswith("object has no attribute or method 'cuont'. Did you forget to initialize an attribute in "
                            "__init__()?")
    assert body[1] == "Did you mean 'count'?"


@pytest.mark.parametrize("src", [
    "def f(x):\n    y = x\n    return z\n",                  # one letter for another: noise
    "def f(x):\n    return x.frobnicate()\n",                 # nothing close
    "def f(x):\n    return torch.sum(x, foo=0)\n",            # no close keyword
    "def f(x):\n    l = [1]\n    l.sort_values()\n    return l\n",
    "def f(x):\n    return undefined_thing_here\n",
])
def test_no_suggestion_when_nothing_is_close(tmp_path, src):
    msg, _ = _error(tmp_path, src, pyts)
    assert "Did you mean" not in msg and "hint:" not in msg
# }====================


# {==================== TorchScript's own hints ====================
def test_unannotated_parameter_of_the_callee_like_torch(tmp_path):
    src = "def g(a):\n    return a\ndef f(x: int):\n    return g(x)\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    expect = ["Expected a value of type 'Tensor (inferred)' for argument 'a' but instead found type 'int'.",
              "Inferred 'a' to be of type 'Tensor' because it was not annotated with an explicit type."]
    assert body[-2:] == expect and t_body[-2:] == expect
    assert body[0] == "g:"   # torch prints g's schema there


def test_unannotated_value_in_overloads_like_torch(tmp_path):
    src = "def f(x):\n    return x.sum(dimm=0)\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    inferred = "  Inferred the value for argument 'self' to be of type 'Tensor' because it was not annotated with an explicit type."
    found = "  Expected a value of type 'List[int]' for argument 'self' but instead found type 'Tensor (inferred)'."
    for b in (body, t_body):
        assert found in b
        assert b[b.index(found) + 1] == inferred


def test_empty_list_argument_like_torch(tmp_path):
    src = ("from typing import List\ndef g(a: List[int]) -> int:\n    return len(a)\n"
           "def f(x: int):\n    l = []\n    return g(l)\n")
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    mismatch = "Expected a value of type 'List[int]' for argument 'a' but instead found type 'List[Tensor]'."
    assert t_body[-2:] == [mismatch, TORCH_HINT_EMPTY]
    assert body[-3:] == [mismatch, TORCH_HINT_EMPTY, "hint: annotate it where it is first assigned, `l: List[int] = []`"]
    _compiles(tmp_path, src.replace("    l = []", "    l: List[int] = []"), pyts)
    _compiles(tmp_path, src.replace("    l = []", "    l: List[int] = []"), torch)


def test_tensor_list_argument_not_told_to_annotate_as_empty(tmp_path):
    # torch's line comes with any List[Tensor]; the annotation hint only with an empty literal
    src = ("from typing import List\ndef g(a: List[int]) -> int:\n    return len(a)\n"
           "def f(x):\n    l = [x, x]\n    return g(l)\n")
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body[-1] == TORCH_HINT_EMPTY
    assert _body(_error(tmp_path, src, torch)[0])[-1] == TORCH_HINT_EMPTY


def test_empty_list_reassigned_in_a_branch_like_torch(tmp_path):
    src = "def f(x: int):\n    l = []\n    if x > 0:\n        l = [1, 2]\n    return l\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    first = "Variable 'l' previously had type List[Tensor] but is now being assigned to a value of type List[int]"
    assert t_body[:2] == [first, TORCH_HINT_EMPTY]
    assert body == [first, TORCH_HINT_EMPTY, "hint: annotate it where it is first assigned, `l: List[int] = []`"]
    fixed = "from typing import List\n" + src.replace("    l = []", "    l: List[int] = []")
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)


def test_empty_list_append(tmp_path):
    src = "def f(x: int):\n    l = []\n    l.append(x)\n    return l\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body == ["aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):",
                    "append(): expected a value of type Tensor but found int", TORCH_HINT_EMPTY,
                    "hint: annotate it where it is first assigned, `l: List[int] = []`"]
    fixed = "from typing import List\n" + src.replace("    l = []", "    l: List[int] = []")
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)
    # a list of tensors made otherwise gets no such hint
    src = "def f(x: int, y):\n    l = [y]\n    l.append(x)\n    return l\n"
    assert _body(_error(tmp_path, src, pyts)[0]) == ["aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):", "append(): expected a value of type Tensor but found int"]


def test_empty_dict(tmp_path):
    src = "def f(x: int):\n    d = {}\n    d['a'] = x\n    return d\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body == ["Arguments for call are not valid.", "dict value: expected a value of type Tensor but found int",
                    "hint: empty dicts default to Dict[str, Tensor]; annotate it where it is first assigned, "
                    "`d: Dict[str, int] = {}`"]
    fixed = "from typing import Dict\n" + src.replace("    d = {}", "    d: Dict[str, int] = {}")
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)
    src = ("from typing import Dict\ndef g(a: Dict[str, int]) -> int:\n    return len(a)\n"
           "def f(x: int):\n    d = {}\n    return g(d)\n")
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    mismatch = "Expected a value of type 'Dict[str, int]' for argument 'a' but instead found type 'Dict[str, Tensor]'."
    assert t_body[-1] == mismatch
    assert body[-2:] == [mismatch, "hint: empty dicts default to Dict[str, Tensor]; annotate it where it is first "
                                   "assigned, `d: Dict[str, int] = {}`"]
# }====================


# {==================== pyts's hints ====================
def test_none_then_int(tmp_path):
    src = "def f(x: int):\n    y = None\n    if x > 0:\n        y = 1\n    return y\n"
    msg, path = _error(tmp_path, src, pyts)
    first = "Variable 'y' previously had type NoneType but is now being assigned to a value of type int"
    assert _body(_error(tmp_path, src, torch)[0])[0] == first
    assert msg == (f"{first}\nhint: annotate it where it is first assigned, `y: Optional[int] = None`\n"
                   f'  File "{path}", line 4, column 9\n            y = 1\n            ^')
    fixed = "from typing import Optional\n" + src.replace("    y = None", "    y: Optional[int] = None")
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)


def test_value_then_none(tmp_path):
    src = "def f(x: int):\n    y = 1.5\n    for i in range(x):\n        y = None\n    return y\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body[0] == _body(_error(tmp_path, src, torch)[0])[0]
    assert body[1] == "hint: annotate it where it is first assigned, `y: Optional[float] = ...`"


OPTIONAL_CASES = {
    "argument": ("def g(a: int) -> int:\n    return a\ndef f(x: Optional[int]):\n    return g(x)\n", "g(x)"),
    "operator": ("def f(x: Optional[int]):\n    return x + 1\n", "x + 1"),
    "return": ("def f(x: Optional[int]) -> int:\n    return x\n", None),
    "annotated": ("def f(x: Optional[int]):\n    y: int = x\n    return y\n", None),
}


@pytest.mark.parametrize("case", sorted(OPTIONAL_CASES))
def test_optional_used_as_its_value(tmp_path, case):
    src, _ = OPTIONAL_CASES[case]
    src = "from typing import Optional\n" + src
    body = _body(_error(tmp_path, src, pyts)[0])
    t_body = _body(_error(tmp_path, src, torch)[0])
    assert body[-1] == "hint: refine it first: `assert x is not None` or `if x is not None:`"
    if case == "argument":   # torch prints g's schema where pyts names g
        assert body[:2] == ["g:", t_body[1]] and t_body[0] == "g(int a) -> int:"
    else:
        assert body[0] == t_body[0]
    fixed = re.sub(r"(def f\(.*\n)", r"\1    assert x is not None\n", src, count=1)
    assert fixed != src
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)


@pytest.mark.parametrize("a,b,ann", [("1", "1.5", "Union[int, float]"), ("x", "'neg'", "Union[int, str]"),
                                     ("[x]", "(x, x)", "Union[List[int], Tuple[int, int]]")])
def test_returns_that_disagree(tmp_path, a, b, ann):
    src = f"def f(x: int):\n    if x > 0:\n        return {a}\n    return {b}\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body[0] == _body(_error(tmp_path, src, torch)[0])[0]
    assert body[1] == f"hint: annotate the return type: `-> {ann}`"
    fixed = "from typing import List, Tuple, Union\n" + src.replace("x: int):", f"x: int) -> {ann}:")
    _compiles(tmp_path, fixed, pyts)
    _compiles(tmp_path, fixed, torch)


def test_annotated_return_gets_no_return_hint(tmp_path):
    src = "def f(x: int) -> int:\n    if x > 0:\n        return 1\n    return 1.5\n"
    msg, _ = _error(tmp_path, src, pyts)
    assert "hint:" not in msg
# }====================


# {==================== an unannotated parameter used as another type ====================
def test_unannotated_range_bound(tmp_path):
    src = "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body == ["range() arguments must be int, not Tensor (inferred)",
                    "Inferred 'n' to be of type 'Tensor' because it was not annotated with an explicit type."]
    # torch names the inferred type too
    assert "Tensor (inferred)" in _body(_error(tmp_path, src, torch)[0])[0]
    _compiles(tmp_path, src.replace("f(n)", "f(n: int)"), pyts)
    _compiles(tmp_path, src.replace("f(n)", "f(n: int)"), torch)


def test_unannotated_list_index_in_assignment(tmp_path):
    src = "def f(k):\n    xs = [1, 2]\n    xs[k] = 3\n    return xs\n"
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body == ["list indices must be int, not Tensor (inferred)",
                    "Inferred 'k' to be of type 'Tensor' because it was not annotated with an explicit type."]


def test_module_attribute_set_outside_init(tmp_path):
    src = CLASS_SRC.replace("        return {body}", "        self.wieght = x\n        return x")
    body = _body(_error(tmp_path, src, pyts)[0])
    assert body == ["Module has no attribute 'wieght'; attributes must be defined in __init__", "Did you mean 'weight'?"]
# }====================


def test_unknown_op_in_archive_code(tmp_path):
    # archives' code compiles through the same frontend: torch's loader lists similar ops too
    # (torch fails at load)
    f = pyts.jit.script(_load(tmp_path, "arch", "def f(x):\n    return torch.tanh(x)\n", pyts)[0]["f"])
    path = tmp_path / "a.pt"
    pyts.jit.save(f, str(path))
    bad = tmp_path / "bad.pt"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bad, "w") as zout:
        for it in zin.infolist():
            d = zin.read(it.filename)
            if it.filename.endswith(".py"):
                d = d.replace(b"torch.tanh(", b"torch.tanhh(")
            if it.filename.endswith(".debug_pkl"):
                continue
            zout.writestr(it, d)
    g = pyts.jit.load(str(bad))   # pyts loads what compiles; the method fails when called
    with pytest.raises(NotImplementedError) as e:
        g(pyts.ones(2))
    msg = str(e.value)
    assert msg.startswith("pyts could not compile this method of the archive's code")
    head, ours = _suggestions(msg.split("\n", 1)[1])
    t_head, theirs = _suggestions(_torch_unknown_op("tanhh"))
    assert head == t_head and ours and set(ours) <= set(theirs)


def test_hint_survives_a_long_list_of_overloads(tmp_path):
    # aten::add's variants overflow a message (1.5 KB): the last ones give way to "...", the hint stays
    msg, path = _error(tmp_path, "from typing import Optional\ndef f(x: Optional[int]):\n    return x + 1\n", pyts)
    body = _body(msg)
    assert body[0] == "Arguments for call are not valid."
    assert body[-2:] == ["  ...", "hint: refine it first: `assert x is not None` or `if x is not None:`"]
    assert msg.endswith(f'  File "{path}", line 3, column 12\n        return x + 1\n               ^^^^^')
