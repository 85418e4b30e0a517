"""TorchScript interfaces (pyts.jit.interface) against torch.jit.interface on the same source:
module interfaces (a submodule attribute annotated with one, calls through it as prim::CallMethod
on InterfaceType<Name>, the concrete module checked against it with torch's message, swapping
another module in), class interfaces (parameters, lists of objects of different classes), the
printed code, and archives both ways (code/ files written as torch writes them, torch loading
pyts's archives and pyts loading torch's, the C runtime running them)."""
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

from script_diff import same_value  # noqa: E402

LIBS = (pyts, torch)


def load(tmp_path, name, src, lib):
    """src imported as the module `name` with `torch` = lib (torch.jit.interface reads the class
    source through its module's file, so it must be a real module). Both libraries' versions get
    the same module name, so qualified names match; each test uses its own name (torch's global
    compilation unit mangles a name defined twice)."""
    d = tmp_path / lib.__name__
    d.mkdir(exist_ok=True)
    path = d / f"{name}.py"
    head = ("import pyts as torch\n" if lib is pyts else "import torch\n") + \
        "from typing import List, Optional\nTensor = torch.Tensor\nnn = torch.nn\n"
    path.write_text(head + src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def both(tmp_path, name, src):
    return {lib: load(tmp_path, name, src, lib) for lib in LIBS}


def saved(lib, m):
    b = io.BytesIO()
    lib.jit.save(m, b)
    return b.getvalue()


def code_files(data):
    """{code file: text} of an archive, without torch's bookkeeping attribute of nn.Module
    (`_is_full_backward_hook`, which pyts modules do not have) and blank lines (pyts separates
    the classes of one file with one, torch does not)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n.split("/", 1)[1]: re.sub(r"  _is_full_backward_hook : [^\n]*\n", "", z.read(n).decode()).replace("\n\n", "\n")
            for n in z.namelist() if n.endswith(".py")}


def arg(lib, a):
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


def core(msg):
    """An error message without what only torch can say: the address of its compilation unit, and
    the mangling of a class torch has compiled before in this process (which depends on the
    tests that ran earlier)."""
    msg = re.sub(r" \(of Python compilation unit at: 0x[0-9a-f]+\)", "", str(msg))
    return re.sub(r"___torch_mangle_\d+\.", "", msg).strip()


X = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)

MODULES = '''
@torch.jit.interface
class OneTwoModule(nn.Module):
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        pass

    def forward(self, x: Tensor) -> Tensor:
        pass


class Impl(nn.Module):
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        return x + y

    def forward(self, x: Tensor) -> Tensor:
        return (x + x) * 2


class Impl2(nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 3

    @torch.jit.export
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        return x - y * self.k

    def forward(self, x: Tensor) -> Tensor:
        return x * self.k


class Helper(nn.Module):
    # forward calls a method of the interface: compiled on demand (pyts then lists `one` before
    # forward, torch after it, so archives of this class differ in method order only)
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        return x * y

    def forward(self, x: Tensor) -> Tensor:
        return self.one(x, x) - 1


class Proxy(nn.Module):
    proxy: OneTwoModule

    def __init__(self, sub):
        super().__init__()
        self.proxy = sub

    def forward(self, x: Tensor) -> Tensor:
        return self.proxy.forward(x) + self.proxy(x) + self.proxy.one(x, x)


class Bad(nn.Module):
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        return x

    def forward(self, x: Tensor, y: int) -> Tensor:
        return x


class BadType(nn.Module):
    def one(self, x: Tensor, y: Tensor) -> Tensor:
        return x

    def forward(self, x: int) -> Tensor:
        return torch.ones(1)


class BadName(nn.Module):
    def one(self, x: Tensor, z: Tensor) -> Tensor:
        return x

    def forward(self, x: Tensor) -> Tensor:
        return x


class BadReturn(nn.Module):
    def one(self, x: Tensor, y: Tensor) -> int:
        return 1

    def forward(self, x: Tensor) -> Tensor:
        return x


class NoOne(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return x


@torch.jit.interface
class ForwardOnly(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        pass


class ProxyPlain(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = Impl()

    def forward(self, x: Tensor) -> Tensor:
        return self.sub(x)


class ProxyF(nn.Module):
    proxy: ForwardOnly

    def __init__(self, sub):
        super().__init__()
        self.proxy = sub

    def forward(self, x: Tensor) -> Tensor:
        return self.proxy(x)
'''


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return both(tmp_path_factory.mktemp("m"), "iface_mods", MODULES)


def scripted(mods, lib, sub="Impl"):
    M = mods[lib]
    return lib.jit.script(M.Proxy(getattr(M, sub)()))


def test_module_interface_calls_code_and_graph_as_torch(mods):
    mp, mt = scripted(mods, pyts), scripted(mods, torch)
    same_value(mp(pyts.tensor(X)), mt(torch.tensor(X)))
    assert mp.code == mt.code
    assert mp.proxy.code == mt.proxy.code
    gp, gt = str(mp.graph), str(mt.graph)
    for g in (gp, gt):
        # three reads of the attribute, typed by the interface, each called through it
        assert len(re.findall(r': InterfaceType<OneTwoModule> = prim::GetAttr\[name="proxy"\]\(%self\)', g)) == 3, g
        assert len(re.findall(r'prim::CallMethod\[name="forward"\]\(%proxy', g)) == 2, g
        assert len(re.findall(r'prim::CallMethod\[name="one"\]\(%proxy[.0-9]*, %x[.0-9]*, %x', g)) == 1, g
    # the calls stay calls when inlining (the method is the object's, known at run time only)
    assert 'prim::CallMethod[name="forward"]' in str(mp.inlined_graph)


@pytest.mark.parametrize("sub", ["Impl", "Helper"])
def test_module_interface_methods_compiled_on_the_submodule(mods, sub):
    # `one` is neither forward nor exported: the interface makes it compiled, as in torch
    mp, mt = scripted(mods, pyts, sub), scripted(mods, torch, sub)
    same_value(mp.proxy.one(pyts.tensor(X), pyts.tensor(X)), mt.proxy.one(torch.tensor(X), torch.tensor(X)))
    same_value(mp(pyts.tensor(X)), mt(torch.tensor(X)))
    assert sorted(mp.proxy._c._methods()) == ["forward", "one"]
    same_value(torch.jit.load(io.BytesIO(saved(pyts, mp)))(torch.tensor(X)), mt(torch.tensor(X)))


@pytest.mark.parametrize("sub", ["Bad", "BadType", "BadName", "BadReturn"])
def test_nonconforming_module_is_refused_as_torch(mods, sub):
    with pytest.raises(RuntimeError) as te:
        scripted(mods, torch, sub)
    with pytest.raises(RuntimeError) as pe:
        scripted(mods, pyts, sub)
    assert core(pe.value) == core(te.value)
    assert "is not compatible with interface __torch__.iface_mods.OneTwoModule" in str(pe.value)


def test_module_without_an_interface_method_is_refused_as_torch(mods):
    with pytest.raises(AttributeError) as te:
        scripted(mods, torch, "NoOne")
    with pytest.raises(AttributeError) as pe:
        scripted(mods, pyts, "NoOne")
    assert str(pe.value) == str(te.value)


def test_torch_module_not_matching_names_is_refused_as_torch(mods):
    # ReLU's forward takes `input`, the interface's `x`: parameter names must match
    errs = {}
    for lib in LIBS:
        with pytest.raises(RuntimeError) as e:
            lib.jit.script(mods[lib].ProxyF(lib.nn.ReLU()))
        errs[lib] = core(e.value)
        assert "(1) forward(__torch__.torch.nn.modules.activation.ReLU self, Tensor input) -> Tensor" in errs[lib]
        # without the interface's other method, the module is refused before that (AttributeError)
        with pytest.raises(AttributeError, match="'ReLU' object has no attribute 'one'"):
            lib.jit.script(mods[lib].Proxy(lib.nn.ReLU()))
    assert errs[pyts] == errs[torch]


def test_swapping_a_module_in_as_torch(mods):
    ms = {lib: scripted(mods, lib) for lib in LIBS}
    for lib in LIBS:
        ms[lib].proxy = lib.jit.script(mods[lib].Impl2())
    same_value(ms[pyts](pyts.tensor(X)), ms[torch](torch.tensor(X)))
    assert ms[pyts].proxy.k == 3
    assert ms[pyts].code == ms[torch].code
    # and back
    for lib in LIBS:
        ms[lib].proxy = lib.jit.script(mods[lib].Impl())
    same_value(ms[pyts](pyts.tensor(X)), ms[torch](torch.tensor(X)))


@pytest.mark.parametrize("sub", ["Bad", "NoForward"])
def test_swapping_a_nonconforming_module_is_refused_as_torch(mods, sub):
    errs = {}
    for lib in LIBS:
        m = scripted(mods, lib)
        if sub == "NoForward":
            other = lib.jit.script(lib.nn.ReLU())
        else:
            # Bad itself cannot be scripted through the interface: script it alone
            other = lib.jit.script(getattr(mods[lib], sub)())
        with pytest.raises(RuntimeError) as e:
            m.proxy = other
        errs[lib] = core(e.value)
        same_value(m(lib.tensor(X)) if lib is pyts else m(torch.tensor(X)),
                   scripted(mods, torch)(torch.tensor(X)))   # unchanged
    assert errs[pyts] == errs[torch]


def test_swapping_without_an_interface_is_refused_as_torch(mods):
    # a submodule attribute typed by its own class: only a scripted module of that class replaces it
    errs = {}
    for lib in LIBS:
        m = lib.jit.script(mods[lib].ProxyPlain())
        with pytest.raises(RuntimeError) as e:
            m.sub = lib.jit.script(mods[lib].Impl2())
        errs[lib] = [core(e.value)]
        for bad in (mods[lib].Impl2(), 3):
            with pytest.raises(RuntimeError) as e:
                m.sub = bad
            errs[lib].append(core(e.value).split(":")[0])
        m.sub = lib.jit.script(mods[lib].Impl())   # the same class: fine
        same_value(m(lib.tensor(X)) if lib is pyts else m(torch.tensor(X)), (torch.tensor(X) + torch.tensor(X)) * 2)
    assert errs[pyts] == errs[torch]


def test_module_interface_archives_both_ways(mods):
    mp, mt = scripted(mods, pyts), scripted(mods, torch)
    dp, dt = saved(pyts, mp), saved(torch, mt)
    fp, ft = code_files(dp), code_files(dt)
    assert sorted(fp) == sorted(ft)
    for k in ft:
        assert fp[k] == ft[k], k
    assert "class OneTwoModule(ModuleInterface):\n  def forward(self, x: Tensor) -> Tensor:\n    pass\n" in fp["code/__torch__/iface_mods.py"]
    want = mt(torch.tensor(X))
    same_value(torch.jit.load(io.BytesIO(dp))(torch.tensor(X)), want)
    for data in (dp, dt):
        lp = pyts.jit.load(io.BytesIO(data))
        same_value(lp(pyts.tensor(X)), want)
        assert lp.code == mt.code
        # a loaded module still takes another implementation, and refuses a bad one
        lp.proxy = pyts.jit.script(mods[pyts].Impl2())
        ref = scripted(mods, torch)
        ref.proxy = torch.jit.script(mods[torch].Impl2())
        same_value(lp(pyts.tensor(X)), ref(torch.tensor(X)))
        with pytest.raises(RuntimeError, match="is not compatible with interface"):
            lp.proxy = pyts.jit.script(pyts.nn.ReLU())


def test_swapped_module_archives_both_ways(mods):
    ms = {lib: scripted(mods, lib) for lib in LIBS}
    for lib in LIBS:
        ms[lib].proxy = lib.jit.script(mods[lib].Impl2())
    dp, dt = saved(pyts, ms[pyts]), saved(torch, ms[torch])
    fp, ft = code_files(dp), code_files(dt)
    assert sorted(fp) == sorted(ft)
    for k in ft:
        assert fp[k] == ft[k], k
    want = ms[torch](torch.tensor(X))
    same_value(torch.jit.load(io.BytesIO(dp))(torch.tensor(X)), want)
    same_value(pyts.jit.load(io.BytesIO(dt))(pyts.tensor(X)), want)


CLASSES = '''
@torch.jit.interface
class I:
    def f(self, x: int) -> int:
        pass

    def g(self, t: Tensor) -> Tensor:
        pass


@torch.jit.script
class A:
    def __init__(self, k: int):
        self.k = k

    def f(self, x: int) -> int:
        return x + self.k

    def g(self, t: Tensor) -> Tensor:
        return t * self.k


@torch.jit.script
class B:
    def __init__(self):
        pass

    def f(self, x: int) -> int:
        return x * 2

    def g(self, t: Tensor) -> Tensor:
        return t - 1

    def h(self) -> int:
        return 1


@torch.jit.script
class C:
    def __init__(self):
        pass

    def f(self, x: float) -> int:
        return 0


def use(i: I, x: int) -> int:
    return i.f(x)


def many(x: int, t: Tensor) -> Tensor:
    l: List[I] = [A(1), B(), A(5)]
    for i in l:
        t = i.g(t) + i.f(x)
    return t


def pick(flag: bool, x: int) -> int:
    i: I = A(3)
    if flag:
        i = B()
    return use(i, x) + use(A(x), 1)


def bad_call(x: int) -> int:
    return use(C(), x)


class M(nn.Module):
    def forward(self, t: Tensor, x: int, flag: bool) -> Tensor:
        return many(x, t) + pick(flag, x)
'''


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    return both(tmp_path_factory.mktemp("c"), "iface_classes", CLASSES)


@pytest.mark.parametrize("name,calls", [
    ("many", [(4, X), (-2, X)]),
    ("pick", [(True, 5), (False, 5)]),
])
def test_class_interface_functions_as_torch(classes, name, calls):
    fp = pyts.jit.script(getattr(classes[pyts], name))
    ft = torch.jit.script(getattr(classes[torch], name))
    for args in calls:
        same_value(fp(*[arg(pyts, a) for a in args]), ft(*[arg(torch, a) for a in args]))
    if name == "many":
        # (pick's code differs: torch types `i` as Union[A, B] from its two assignments where pyts
        # keeps the declared interface, and prints calls of functions with a trailing comma)
        assert fp.code == ft.code
        assert "InterfaceType<I>[] = prim::ListConstruct" in str(fp.graph)
        assert "InterfaceType<I>[] = prim::ListConstruct" in str(ft.graph)


def test_class_interface_parameter_as_torch(classes):
    fp, ft = pyts.jit.script(classes[pyts].use), torch.jit.script(classes[torch].use)
    assert fp.code == ft.code
    assert str(fp.graph).startswith("graph(%i : InterfaceType<I>,") or "InterfaceType<I>" in str(fp.graph).splitlines()[0]
    assert 'prim::CallMethod[name="f"]' in str(fp.graph)


def test_class_not_implementing_the_interface_is_refused_as_torch(classes):
    with pytest.raises(RuntimeError) as te:
        torch.jit.script(classes[torch].bad_call)
    with pytest.raises(RuntimeError) as pe:
        pyts.jit.script(classes[pyts].bad_call)

    def why(e):   # the type error and torch's explanation, without the location block
        lines = core(e.value).splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.startswith("Expected a value"))
        return lines[k:k + 4]
    assert why(pe) == why(te)
    assert why(pe)[0] == ("Expected a value of type '__torch__.iface_classes.I' for argument 'i' but instead found "
                          "type '__torch__.iface_classes.C'.")
    assert why(pe)[3] == "  (2) f(InterfaceType<I> self, int x) -> int"


def test_class_interface_archives_both_ways(classes):
    mp, mt = pyts.jit.script(classes[pyts].M()), torch.jit.script(classes[torch].M())
    dp, dt = saved(pyts, mp), saved(torch, mt)
    fp, ft = code_files(dp), code_files(dt)
    assert "class I(Interface):\n  def f(self, x: int) -> int:\n    pass\n  def g(self, t: Tensor) -> Tensor:\n    pass\n" \
        in fp["code/__torch__/iface_classes.py"]
    assert sorted(fp) == sorted(ft)
    for args in ((4, True), (7, False)):
        want = mt(torch.tensor(X), *args)
        same_value(mp(pyts.tensor(X), *args), want)
        same_value(torch.jit.load(io.BytesIO(dp))(torch.tensor(X), *args), want)
        same_value(pyts.jit.load(io.BytesIO(dt))(pyts.tensor(X), *args), want)
        same_value(pyts.jit.load(io.BytesIO(dp))(pyts.tensor(X), *args), want)


def test_interface_declaration_errors_as_torch(tmp_path):
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="interface must be applied to a class"):
            lib.jit.interface(lambda x: x)
    src = '''
class NoRet:
    def f(self, x: int):
        pass
'''
    errs = {}
    for lib in LIBS:
        mod = load(tmp_path, "iface_noret", src, lib)
        with pytest.raises(RuntimeError) as e:
            lib.jit.interface(mod.NoRet)
        errs[lib] = str(e.value)
    assert "interface declarations must have a return type annotated." in errs[torch]
    assert "interface declarations must have a return type annotated." in errs[pyts]


def test_c_runtime_runs_interface_archives(mods, tmp_path):
    cli = pyts.config.get_cli()
    mt = scripted(mods, torch)
    mp = scripted(mods, pyts)
    mp.proxy = pyts.jit.script(mods[pyts].Impl2())
    np.save(tmp_path / "x.npy", X)
    for i, (lib, m) in enumerate(((torch, mt), (pyts, mp))):
        path = tmp_path / f"m{i}.pt"
        lib.jit.save(m, str(path))
        r = subprocess.run([cli, str(path), str(tmp_path / "x.npy"), "-o", str(tmp_path / f"r{i}_")],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        got = np.load(tmp_path / f"r{i}_0.npy")
        want = m(lib.tensor(X)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_archive_with_an_object_not_implementing_its_interface_is_refused(mods):
    # a tampered archive: Impl's `one` takes an int, so Impl no longer implements the interface the
    # attribute is typed with; calls through the interface would pass it a Tensor. (torch does not
    # check this when it loads; pyts refuses the archive rather than run a method of another schema)
    data = saved(pyts, scripted(mods, pyts))
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            b = src.read(n)
            if n.endswith("code/__torch__/iface_mods.py"):
                text = b.decode()
                head, tail = text.split("class Impl(Module):", 1)
                tail = tail.replace("    y: Tensor) -> Tensor:\n    return torch.add(x, y)",
                                    "    y: int) -> Tensor:\n    return torch.add(x, y)", 1)
                assert "y: int" in tail
                b = (head + "class Impl(Module):" + tail).encode()
            z.writestr(n, b)
    with pytest.raises(pyts.jit.ArchiveError, match="attribute 'proxy' of class '__torch__.iface_mods.Proxy' holds an "
                       "object that does not implement interface '__torch__.iface_mods.OneTwoModule'"):
        pyts.jit.load(io.BytesIO(out.getvalue()))


NARROW = '''
@torch.jit.interface
class Node:
    def val(self) -> int:
        pass

    def twice(self, k: int) -> List[int]:
        pass


@torch.jit.interface
class Small:
    def val(self) -> int:
        pass


@torch.jit.script
class Leaf:
    def __init__(self, v: int):
        self.v = v

    def val(self) -> int:
        return self.v

    def twice(self, k: int) -> List[int]:
        return [self.v * k, self.v * k]


def total(n: Optional[Node]) -> int:
    if n is not None:
        return n.val() + n.twice(3)[1]
    return -1


def small(s: Small) -> int:
    return s.val() * 10


def narrow(n: Node) -> int:
    return small(n)


def run(k: int) -> int:
    return total(Leaf(k)) + narrow(Leaf(k + 1)) + total(None)


class R(nn.Module):
    def forward(self, k: int) -> int:
        return run(k)
'''


def test_optional_interfaces_and_an_interface_as_a_smaller_one_as_torch(tmp_path):
    # Optional[Node] refines to Node; a Node is a Small (it has every method Small has)
    ns = both(tmp_path, "iface_narrow", NARROW)
    for name in ("total", "narrow", "small"):
        fp, ft = pyts.jit.script(getattr(ns[pyts], name)), torch.jit.script(getattr(ns[torch], name))
        assert fp.code == ft.code, name
    fp, ft = pyts.jit.script(ns[pyts].run), torch.jit.script(ns[torch].run)
    mp, mt = pyts.jit.script(ns[pyts].R()), torch.jit.script(ns[torch].R())
    dp, dt = saved(pyts, mp), saved(torch, mt)
    for k in (4, -3):
        want = ft(k)
        assert fp(k) == want == mt(k) == mp(k)
        assert torch.jit.load(io.BytesIO(dp))(k) == want
        assert pyts.jit.load(io.BytesIO(dt))(k) == want
        assert pyts.jit.load(io.BytesIO(dp))(k) == want
