"""Reuse of compiled class types by pyts.jit.script: instances of one Python class whose attributes
have the same names, kinds and types share the compiled methods (as torch's concrete type store
does); any difference in attribute types, submodule types or the class itself compiles afresh."""
import linecache
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit
import pyts.jit._script as S
import pyts.nn as nn

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", message=".*TorchScript.*")


@pytest.fixture
def compiles(monkeypatch):
    """Counts the methods compiled from source."""
    calls = []
    real = pyts._C._compile_method

    def counting(obj, src, *rest):
        calls.append(obj._qualname().rsplit(".", 1)[-1])
        return real(obj, src, *rest)
    monkeypatch.setattr(pyts._C, "_compile_method", counting)
    return calls


def define(lib, body, name="Scaled"):
    """A fresh class `name` (what running a notebook cell again gives) with forward body `body`."""
    src = (f"class {name}(lib.nn.Module):\n"
           "    def __init__(self, k):\n"
           "        super().__init__()\n"
           "        self.k = k\n"
           "    def forward(self, x):\n"
           f"        {body}\n")
    ns = {"lib": lib, "__name__": "cache_cells"}
    # a notebook registers each cell's text with linecache under a made-up file name
    file = f"<cell {abs(hash((body, lib.__name__)))}>"
    linecache.cache[file] = (len(src), None, src.splitlines(True), file)
    exec(compile(src, file, "exec"), ns)
    return ns[name]


class Scaled(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x * self.k


class TScaled(torch.nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x * self.k


def test_same_attribute_types_share_compiled_methods(compiles):
    S._clear_class_state()
    a, b = pyts.jit.script(Scaled(2)), pyts.jit.script(Scaled(3))
    assert compiles == ["Scaled"]
    x = pyts.tensor([1.0, 2.0])
    assert a(x).tolist() == [2.0, 4.0] and b(x).tolist() == [3.0, 6.0]
    # slots stay per object: writing one instance's attribute or mode leaves the other alone
    a.k = 5
    b.eval()
    assert a(x).tolist() == [5.0, 10.0] and b(x).tolist() == [3.0, 6.0]
    assert a.training and not b.training
    S._clear_class_state()
    pyts.jit.script(Scaled(4))
    assert len(compiles) == 2   # a cleared state compiles again


def test_different_attribute_types_compile_different_code(compiles):
    S._clear_class_state()
    x = np.array([1.0, 2.0], np.float32)
    for k in (2, 2.5, 3):
        p = pyts.jit.script(Scaled(k))
        t = torch.jit.script(TScaled(k))
        out_p, out_t = p(pyts.tensor(x)), t(torch.tensor(x))
        assert out_p.dtype == pyts.float32 and out_t.dtype == torch.float32
        np.testing.assert_allclose(out_p.detach().numpy(), out_t.detach().numpy())
    # int and float: two types (the second int instance reuses the first's code)
    assert len(compiles) == 2
    assert "%k : int = prim::GetAttr" in str(pyts.jit.script(Scaled(7)).graph)
    assert "%k : float = prim::GetAttr" in str(pyts.jit.script(Scaled(0.5)).graph)
    assert len(compiles) == 2


class MaybeBias(nn.Module):
    def __init__(self, bias):
        super().__init__()
        self.bias = bias

    def forward(self, x):
        if self.bias is None:
            return x
        return x + self.bias


def test_none_and_tensor_attributes_compile_different_code():
    S._clear_class_state()
    x = pyts.tensor([1.0, 2.0])
    with_bias = pyts.jit.script(MaybeBias(pyts.tensor([10.0, 20.0])))
    without = pyts.jit.script(MaybeBias(None))
    assert with_bias(x).tolist() == [11.0, 22.0]
    assert without(x).tolist() == [1.0, 2.0]
    assert "aten::add" in str(with_bias.graph) and "aten::add" not in str(without.graph)


class Double(nn.Module):
    def forward(self, x):
        return x * 2


class Negate(nn.Module):
    def forward(self, x):
        return -x


class Wrap(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x) + 1


def test_different_submodule_types_compile_different_code(compiles):
    S._clear_class_state()
    x = pyts.tensor([1.0, -2.0])
    d, n = pyts.jit.script(Wrap(Double())), pyts.jit.script(Wrap(Negate()))
    assert d(x).tolist() == [3.0, -3.0] and n(x).tolist() == [0.0, 3.0]
    assert compiles.count("Wrap") == 2
    # the same submodule types: shared
    pyts.jit.script(Wrap(Double()))
    assert compiles.count("Wrap") == 2
    # a traced submodule has its own class type: compiled again, and right
    tr = pyts.jit.trace(Negate(), (x,))
    assert pyts.jit.script(Wrap(tr))(x).tolist() == [0.0, 3.0]
    assert compiles.count("Wrap") == 3


def test_redefined_class_gets_fresh_code():
    S._clear_class_state()
    x = pyts.tensor([1.0, 2.0])
    first = pyts.jit.script(define(pyts, "return x * self.k")(3))
    again = pyts.jit.script(define(pyts, "return x + self.k")(3))   # same name, same attributes
    assert first(x).tolist() == [3.0, 6.0]
    assert again(x).tolist() == [4.0, 5.0]
    t = torch.jit.script(define(torch, "return x + self.k")(3))
    assert t(torch.tensor([1.0, 2.0])).tolist() == again(x).tolist()


class CallsIgnored(nn.Module):
    def __init__(self, k: int):
        super().__init__()
        self.k = k

    @pyts.jit.ignore
    def describe(self, x) -> int:
        return self.k * 100 + int(x.numel())

    def forward(self, x):
        return self.describe(x) + 1


def test_ignored_method_gets_its_own_instance_as_self(compiles):
    S._clear_class_state()
    x = pyts.ones(3)
    a, b = pyts.jit.script(CallsIgnored(1)), pyts.jit.script(CallsIgnored(2))
    assert len(compiles) == 1   # one class type for both
    assert a(x) == 104 and b(x) == 204
    b.k = 7
    assert b(x) == 704 and a(x) == 104
