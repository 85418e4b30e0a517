"""Module-level script features against torch.jit.script of the same module source.

Each module class is written once, generic over L (pyts or torch), and scripted by both: the
outputs agree and the graphs have the same node kinds (prim::GetAttr per container member, one
prim::CallMethod per submodule call, aten::warn kept). Unsupported forms are CompileErrors with
file:line:col and a caret, never a silently wrong program (a ParameterList loop used to run zero
iterations)."""
import re
import warnings
from typing import Final

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")


def build(L, which):
    nn = L.nn

    class ParamList(nn.Module):
        def __init__(self):
            super().__init__()
            self.params = nn.ParameterList([nn.Parameter(L.ones(3)), nn.Parameter(L.ones(3) * 2)])

        def forward(self, x):
            for p in self.params:
                x = x * p + 1
            return x

    class Warns(nn.Module):
        def forward(self, x):
            warnings.warn("careful")
            return x + 1

    class Containers(nn.Module):
        def __init__(self):
            super().__init__()
            L.manual_seed(0)
            self.layers = nn.ModuleList([nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3)])
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 3), "b": nn.Tanh()})

        def forward(self, x):
            x = self.layers[0](x)
            x = self.layers[-1](x)
            x = self.heads["a"](x)
            for k, m in self.heads.items():
                x = m(x)
            for m in self.heads.values():
                x = m(x)
            for i, m in enumerate(self.layers):
                x = m(x) + i
            return x + len(self.layers) + len(self.heads)

    class Keys(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"a": nn.ReLU(), "bb": nn.Tanh()})

        def forward(self, x):
            n = 0
            for k in self.heads.keys():
                n += len(k)
            return x + n

    class Scripting(nn.Module):
        def forward(self, x):
            if not L.jit.is_scripting():
                return x.not_a_tensor_method()   # Python only: never compiled
            if L.jit.is_scripting():
                x = x + 1
            return x * 2

    class Consts(nn.Module):
        __constants__ = ["k"]
        n: Final[int]

        def __init__(self):
            super().__init__()
            self.k = 3
            self.n = 4

        def forward(self, x):
            return x + self.k + self.n

    return {"consts": Consts, "paramlist": ParamList, "warns": Warns, "containers": Containers, "keys": Keys,
            "scripting": Scripting}[which]()


def kinds(graph):
    return sorted(re.findall(r"= ((?:aten|prim)::\w+)", str(graph)))


@pytest.mark.parametrize("which", ["consts", "paramlist", "warns", "containers", "keys", "scripting"])
def test_against_torch(which):
    a = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    ms = pyts.jit.script(build(pyts, which))
    mt = torch.jit.script(build(torch, which))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ms(pyts.tensor(a)).detach().numpy()
        want = mt(torch.tensor(a)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    kp, kt = kinds(ms.graph), kinds(mt.graph)
    if which == "keys":
        # the loop over constant key strings (len, +=) folds into one constant, in both
        assert kt == ["aten::add", "prim::Constant", "prim::Constant"]
        assert kp == kt
        return
    assert set(kp) == set(kt)
    assert kp.count("prim::CallMethod") == kt.count("prim::CallMethod")
    assert kp.count("aten::add") == kt.count("aten::add")


def test_constants_print_as_literals():
    ms = pyts.jit.script(build(pyts, "consts"))
    mt = torch.jit.script(build(torch, "consts"))
    assert ms.code == mt.code   # return torch.add(torch.add(x, 3), 4)
    assert "GetAttr" not in str(ms.graph)


def test_paramlist_iterates_every_parameter():
    m = pyts.jit.script(build(pyts, "paramlist"))
    assert str(m.graph).count('prim::GetAttr[name="0"]') == 1
    assert str(m.graph).count('prim::GetAttr[name="1"]') == 1
    assert m(pyts.zeros(3)).tolist() == [3.0, 3.0, 3.0]   # (0*1+1)*2+1


def test_warn_kept_and_runs():
    m = pyts.jit.script(build(pyts, "warns"))
    assert "aten::warn" in str(m.graph)
    assert 'torch.warn("careful")' in m.code
    with pytest.warns(UserWarning, match="careful"):   # through Python's warnings module
        m(pyts.zeros(1))


def test_is_scripting_python():
    assert pyts.jit.is_scripting() is False
    assert pyts.jit.is_tracing() is False
    seen = []

    def f(x):
        seen.append(pyts.jit.is_tracing())
        return x + 1
    pyts.jit.trace(f, (pyts.zeros(1),))
    assert seen[0] is True and pyts.jit.is_tracing() is False   # later calls: the trace check run


class Bad(pyts.nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.layers = pyts.nn.ModuleList([pyts.nn.ReLU()])
        self.heads = pyts.nn.ModuleDict({"a": pyts.nn.ReLU()})
        self.pd = pyts.nn.ParameterDict({"w": pyts.nn.Parameter(pyts.ones(1))})
        self.lin = pyts.nn.Linear(1, 1)


class BadIndex(Bad):
    def forward(self, x, i: int):
        return self.layers[i](x)


class BadRange(Bad):
    def forward(self, x):
        return self.layers[3](x)


class BadKey(Bad):
    def forward(self, x):
        return self.heads["zz"](x)


class BadParamDict(Bad):
    def forward(self, x):
        for k, p in self.pd.items():
            x = x + p
        return x


class BadLinearLoop(Bad):
    def forward(self, x):
        for p in self.lin:
            x = x + p
        return x


class BadBreak(Bad):
    def forward(self, x):
        for m in self.layers:
            x = m(x)
            break
        return x


@pytest.mark.parametrize("cls,msg,snippet", [
    (BadIndex, "only supported with integer literals", "i]"),
    (BadRange, "Index 3 out of range", "3"),
    (BadKey, "Key Error, zz", '"zz"'),
    (BadParamDict, "iterating a ParameterDict is not supported", "self.pd"),
    (BadLinearLoop, "'Linear' object is not iterable", "self.lin"),
    (BadBreak, "we do not support break or continue inside the body of these loops", "break"),
])
def test_compile_errors(cls, msg, snippet):
    with pytest.raises(pyts.jit.CompileError) as ei:
        pyts.jit.script(cls(0))
    text = str(ei.value)
    assert msg in text
    assert re.search(r"test_script_modules2\.py\", line \d+, column \d+", text)
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if "^" in ln and set(ln.strip()) == {"^"})
    col = lines[k].index("^")
    assert lines[k - 1][col:].startswith(snippet)
