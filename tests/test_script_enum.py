"""Python Enum classes in scripted code, against torch.jit.script on the same source: enum
parameters and results (members cross as the Python Enum members), Color.RED constants, .name and
.value, ==/!=/is, iteration and list() over the class, Optional and container element types, printing,
the .code and .graph text, torch's errors, and archives both ways (the enum classes written into
code/ as torch writes them, members in data.pkl as torch pickles them, the C runtime loading them)."""
import importlib.util
import io
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import pyts
import pyts.config
import pyts.jit

torch = pytest.importorskip("torch")

LIBS = (pyts, torch)


def load(tmp_path, name, src, lib):
    """src imported as the module `name` with `torch` = lib; both libraries' modules get the same
    name, so qualified names (__torch__.<name>.Color) match."""
    d = tmp_path / lib.__name__
    d.mkdir(exist_ok=True)
    path = d / f"{name}.py"
    head = ("import pyts as torch\n" if lib is pyts else "import torch\n") + \
        "import enum\nfrom typing import Dict, List, Optional, Tuple\nTensor = torch.Tensor\nnn = torch.nn\n"
    path.write_text(head + src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def both(tmp_path, name, src):
    return {lib: load(tmp_path, name, src, lib) for lib in LIBS}


def same(a, b):
    """Results of both libraries: enum members compare by class name, member name and value (each
    library's module has its own Python class)."""
    if hasattr(a, "_name_") and hasattr(b, "_name_"):
        assert type(a).__name__ == type(b).__name__ and a.name == b.name and a.value == b.value, (a, b)
        return
    if isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
        return
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
        return
    if hasattr(a, "numpy"):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
        return
    assert type(a) is type(b) and a == b, (a, b)


ENUMS = '''
class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 4


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


class Scale(enum.Enum):
    HALF = 0.5
    DOUBLE = 2.0
'''

FUNCS = ENUMS + '''

def ident(c: Color) -> Color:
    return c


def name_value(c: Color) -> Tuple[str, int]:
    return c.name, c.value


def str_value(m: Mode) -> str:
    return m.value + "!"


def float_value(s: Scale, x: float) -> float:
    return s.value * x


def compare(a: Color, b: Color) -> Tuple[bool, bool, bool, bool]:
    return a == b, a != b, a is b, a == Color.GREEN


def pick(k: int) -> Color:
    c = Color.BLUE
    if k == 0:
        c = Color.RED
    elif k == 1:
        c = Color.GREEN
    return c


def total() -> int:
    s = 0
    for c in Color:
        s += c.value
    return s


def members() -> List[Color]:
    return list(Color)


def names() -> List[str]:
    out: List[str] = []
    for m in Mode:
        out.append(m.name)
    return out


def maybe(c: Optional[Color]) -> int:
    if c is None:
        return -1
    return c.value


def in_list(cs: List[Color], k: int) -> Color:
    return cs[k]


def in_dict(d: Dict[str, Color], k: str) -> Tuple[Color, int]:
    return d[k], len(d)


def to_text(c: Color) -> str:
    return f"{c}|" + str(c)


def value_of_constant() -> int:
    return Color.BLUE.value


def show(c: Color):
    print(c, c.name, c.value)
'''

CALLS = [
    ("ident", lambda m: (m.Color.GREEN,)),
    ("name_value", lambda m: (m.Color.BLUE,)),
    ("str_value", lambda m: (m.Mode.SLOW,)),
    ("float_value", lambda m: (m.Scale.HALF, 3.0)),
    ("compare", lambda m: (m.Color.GREEN, m.Color.GREEN)),
    ("compare", lambda m: (m.Color.RED, m.Color.GREEN)),
    ("pick", lambda m: (0,)),
    ("pick", lambda m: (1,)),
    ("pick", lambda m: (7,)),
    ("total", lambda m: ()),
    ("members", lambda m: ()),
    ("names", lambda m: ()),
    ("maybe", lambda m: (None,)),
    ("maybe", lambda m: (m.Color.BLUE,)),
    ("in_list", lambda m: ([m.Color.BLUE, m.Color.RED], 1)),
    ("in_dict", lambda m: ({"a": m.Color.GREEN, "b": m.Color.RED}, "a")),
    ("to_text", lambda m: (m.Color.RED,)),
    ("value_of_constant", lambda m: ()),
]


@pytest.fixture(scope="module")
def funcs(tmp_path_factory):
    return both(tmp_path_factory.mktemp("enum_funcs"), "enum_funcs", FUNCS)


@pytest.mark.parametrize("k", range(len(CALLS)))
def test_results_as_torch(funcs, k):
    name, args = CALLS[k]
    out = {}
    for lib in LIBS:
        fn = lib.jit.script(getattr(funcs[lib], name))
        out[lib] = fn(*args(funcs[lib]))
    same(out[pyts], out[torch])
    # members come back as the Python Enum members themselves
    if name in ("ident", "pick"):
        assert out[pyts] is getattr(funcs[pyts].Color, out[pyts].name)


NAMES = sorted({n for n, _ in CALLS})


@pytest.mark.parametrize("name", NAMES)
def test_code_as_torch(funcs, name):
    fp = pyts.jit.script(getattr(funcs[pyts], name))
    ft = torch.jit.script(getattr(funcs[torch], name))
    assert fp.code == ft.code


def test_graph_types_and_prims_as_torch(funcs):
    for name in ("name_value", "str_value", "float_value", "compare", "total", "maybe", "in_list"):
        gp = str(pyts.jit.script(getattr(funcs[pyts], name)).graph)
        gt = str(torch.jit.script(getattr(funcs[torch], name)).graph)
        # the signature line (value names aside) and the kinds of nodes torch uses
        sig = lambda g: re.sub(r"%[\w.]+", "%", g.split("):\n")[0])  # noqa: E731
        assert sig(gp) == sig(gt)
        for kind in ("prim::EnumName", "prim::EnumValue", "aten::eq", "aten::ne", "aten::__is__",
                     "Enum<__torch__.enum_funcs.Color> = prim::Constant[value=__torch__.enum_funcs.Color.GREEN]",
                     "Enum<__torch__.enum_funcs.Color>[] = prim::Constant[value=[__torch__.enum_funcs.Color.RED, "
                     "__torch__.enum_funcs.Color.GREEN, __torch__.enum_funcs.Color.BLUE]]"):
            assert (kind in gp) == (kind in gt), (name, kind, gp, gt)


def test_print_as_torch(funcs, capfd):
    out = {}
    for lib in LIBS:
        fn = lib.jit.script(getattr(funcs[lib], "to_text"))
        fn(funcs[lib].Color.GREEN)
        capfd.readouterr()
        lib.jit.script(funcs[lib].show)(funcs[lib].Color.GREEN)
        out[lib] = capfd.readouterr().out
    assert out[pyts] == out[torch] == "Enum<Color.GREEN> GREEN 2\n"


def test_wrong_argument_types_raise(funcs):
    fp = pyts.jit.script(funcs[pyts].ident)
    ft = torch.jit.script(funcs[torch].ident)
    for bad in (1, "RED", None, lambda m: m.Mode.FAST):
        msgs = {}
        for lib, fn in ((pyts, fp), (torch, ft)):
            a = bad(funcs[lib]) if callable(bad) else bad
            # torch raises RuntimeError; pyts's argument checks raise TypeError for every type
            with pytest.raises((RuntimeError, TypeError)) as e:
                fn(a)
            msgs[lib] = str(e.value)
        want = "Expected a value of type 'Enum<__torch__.enum_funcs.Color>' for argument 'c' but instead found type"
        assert want in msgs[pyts] and want in msgs[torch]


ERRORS = [
    ("unknown_member", "def f() -> Color:\n    return Color.PURPLE\n", "Enum<__torch__.{m}.Color>' has no attribute 'PURPLE'"),
    ("call_class", "def f() -> Color:\n    return Color(1)\n", "cannot call a EnumClass"),
    ("class_as_value", "def f() -> int:\n    return len(Color)\n", "EnumClass cannot be used as a value"),
    ("compare_int", "def f(c: Color) -> bool:\n    return c == 1\n", "Arguments for call are not valid"),
    ("dict_key", "def f(d: Dict[Color, int]) -> int:\n    return 1\n",
     "Cannot create dict for key type 'Enum<__torch__.{m}.Color>', only int, float, complex, Tensor, device and string keys"),
    ("mixed", "class Mixed(enum.Enum):\n    A = 1\n    B = 'x'\n\ndef f(c: Mixed) -> int:\n    return 1\n",
     "Could not unify type list since element 1 of type"),
    ("tuple_value", "class Pair(enum.Enum):\n    A = (1, 2)\n\ndef f(c: Pair) -> int:\n    return 1\n",
     "Cannot create Enum with value type 'Any', only int, float and string are supported"),
]


@pytest.mark.parametrize("case", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(tmp_path, case):
    tag, src, want = case
    mods = both(tmp_path, f"enum_err_{tag}", ENUMS + "\n" + src)
    for lib in LIBS:
        with pytest.raises(RuntimeError) as e:
            lib.jit.script(mods[lib].f)
        assert want.format(m=f"enum_err_{tag}") in str(e.value), (lib.__name__, str(e.value))
        if lib is pyts:
            assert isinstance(e.value, pyts.jit.CompileError)
    if tag in ("unknown_member", "call_class", "class_as_value", "compare_int"):
        # the error points at the source, as torch's
        with pytest.raises(pyts.jit.CompileError, match=r'line \d+'):
            pyts.jit.script(mods[pyts].f)


MODULE = ENUMS + '''

class M(nn.Module):
    c: Color

    def __init__(self):
        super().__init__()
        self.c = Color.GREEN
        self.modes = [Mode.FAST, Mode.SLOW]

    def forward(self, x: Tensor, k: Color) -> Tensor:
        if k == self.c:
            return x * Color.BLUE.value
        n = 0
        for m in self.modes:
            if m != Mode.SLOW:
                n += len(m.value)
        return x + k.value + n


class WithEnumArg(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        s = 0
        for c in Color:
            s += c.value
        return x * s
'''

X = np.arange(6, dtype=np.float32).reshape(2, 3)


def code_files(data):
    """{code file: text} of an archive, without torch's bookkeeping attribute of nn.Module and
    blank lines (pyts separates the classes of one file with one)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n.split("/", 1)[1]: re.sub(r"  _is_full_backward_hook : [^\n]*\n", "", z.read(n).decode()).replace("\n\n", "\n")
            for n in z.namelist() if n.endswith(".py")}


def pickled(data, name):
    z = zipfile.ZipFile(io.BytesIO(data))
    return next(z.read(n) for n in z.namelist() if n.endswith("/" + name))


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return both(tmp_path_factory.mktemp("enum_mod"), "enum_mod", MODULE)


def saved(lib, m):
    b = io.BytesIO()
    lib.jit.save(m, b)
    return b.getvalue()


def test_module_code_and_archive_as_torch(mods):
    mp, mt = pyts.jit.script(mods[pyts].M()), torch.jit.script(mods[torch].M())
    assert mp.code == mt.code
    dp, dt = saved(pyts, mp), saved(torch, mt)
    fp, ft = code_files(dp), code_files(dt)
    assert fp == ft
    assert "class Color(Enum):\n  RED = 1\n  GREEN = 2\n  BLUE = 4\n" in ft["code/__torch__/enum_mod.py"]
    assert 'class Mode(Enum):\n  FAST = "fast"\n  SLOW = "slow"\n' in ft["code/__torch__/enum_mod.py"]
    # members pickled as torch pickles them: the class global, the value, REDUCE
    tp, tt = pickled(dp, "data.pkl"), pickled(dt, "data.pkl")
    for blob in (tp, tt):
        assert b"c__torch__.enum_mod\nColor\n" in blob and b"List[__torch__.enum_mod.Mode]" in blob
        # Color.GREEN: GLOBAL, BINPUT, BININT1 2, REDUCE (no argument tuple)
        assert re.search(rb"c__torch__\.enum_mod\nColor\nq.K\x02R", blob, re.S)
        assert re.search(rb"c__torch__\.enum_mod\nMode\nq.X\x04\x00\x00\x00fastq.R", blob, re.S)


@pytest.mark.parametrize("member", ["RED", "GREEN", "BLUE"])
def test_archives_both_ways(mods, member):
    mp, mt = pyts.jit.script(mods[pyts].M()), torch.jit.script(mods[torch].M())
    dp, dt = saved(pyts, mp), saved(torch, mt)
    kp, kt = getattr(mods[pyts].Color, member), getattr(mods[torch].Color, member)
    want = mt(torch.tensor(X), kt).numpy()
    np.testing.assert_allclose(mp(pyts.tensor(X), kp).detach().numpy(), want)
    # torch runs pyts's archive, pyts runs torch's and its own
    np.testing.assert_allclose(torch.jit.load(io.BytesIO(dp))(torch.tensor(X), kt).detach().numpy(), want)
    lt = pyts.jit.load(io.BytesIO(dt))
    np.testing.assert_allclose(lt(pyts.tensor(X), kp).detach().numpy(), want)
    lp = pyts.jit.load(io.BytesIO(dp))
    np.testing.assert_allclose(lp(pyts.tensor(X), kp).detach().numpy(), want)
    # the enum attributes come back as the Python members
    assert lp.c is mods[pyts].Color.GREEN and lt.c is mods[pyts].Color.GREEN
    assert lp.modes == [mods[pyts].Mode.FAST, mods[pyts].Mode.SLOW]
    assert lp.code == lt.code == mt.code


def test_archive_with_an_unknown_enum_value_is_refused(mods):
    data = saved(pyts, pyts.jit.script(mods[pyts].M()))
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            b = src.read(n)
            if n.endswith("code/__torch__/enum_mod.py"):
                b = b.replace(b"  GREEN = 2\n", b"  GREEN = 3\n")
            z.writestr(n, b)
    with pytest.raises(pyts.jit.ArchiveError if hasattr(pyts.jit, "ArchiveError") else RuntimeError,
                       match="enum '__torch__.enum_mod.Color' has no member of the pickled value"):
        pyts.jit.load(io.BytesIO(out.getvalue()))


def test_c_runtime_runs_enum_archives(mods, tmp_path):
    cli = pyts.config.get_cli()
    np.save(tmp_path / "x.npy", X)
    for i, lib in enumerate(LIBS):
        m = lib.jit.script(mods[lib].WithEnumArg())
        path = tmp_path / f"m{i}.pt"
        lib.jit.save(m, str(path))
        r = subprocess.run([cli, str(path), str(tmp_path / "x.npy"), "-o", str(tmp_path / f"r{i}_")],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        np.testing.assert_allclose(np.load(tmp_path / f"r{i}_0.npy"), X * 7)
