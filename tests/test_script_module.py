"""pyts.jit.script on module instances (issue 5, modules): free functions called from scripted code,
attribute writes, int/float/str/list/dict/tuple attributes, @export and @unused; every scripted
module is also saved and run by torch.jit.load against pyts's own outputs."""
import io
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit
import pyts.nn as nn

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", message=".*TorchScript.*")


def in_torch(sm):
    buf = io.BytesIO()
    pyts.jit.save(sm, buf)
    return torch.jit.load(io.BytesIO(buf.getvalue()))


def same(p, t):
    np.testing.assert_allclose(p.detach().numpy() if hasattr(p, "detach") else p.numpy(),
                               t.detach().numpy(), rtol=1e-5, atol=1e-6)


def scale_shift(x, k: int):
    return x * k + 1


def twice(x):
    return scale_shift(x, 2) + scale_shift(x, 3)


class UsesFunctions(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return twice(self.lin(x))


def test_free_functions_are_compiled_and_saved():
    m = UsesFunctions()
    sm = pyts.jit.script(m)
    x = pyts.rand(2, 3)
    with pyts.no_grad():
        want = twice(m.lin(x))
    np.testing.assert_allclose(sm(x).detach().numpy(), want.numpy(), rtol=1e-6)
    assert f"__torch__.{__name__}.twice(" in sm.code
    t = in_torch(sm)
    same(sm(x), t(torch.from_numpy(x.numpy())))
    # pyts loads its own archive back (functions compiled from the code files)
    buf = io.BytesIO()
    pyts.jit.save(sm, buf)
    back = pyts.jit.load(io.BytesIO(buf.getvalue()))
    same(back(x), t(torch.from_numpy(x.numpy())))


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.count = 0
        self.total = 0.5
        self.tag = "c"
        self.sizes = [2, 3]
        self.weights = {"a": 1.5, "b": -2.0}
        self.pair = (4, 0.25)

    def forward(self, x):
        self.count = self.count + 1
        self.total += 1.0
        n, f = self.pair
        return x * self.count * f + n + self.total


def test_attribute_writes_and_container_attributes():
    sm = pyts.jit.script(Counter())
    assert "self.count = torch.add(count, 1)" in sm.code      # an assignment, not ops.prim.SetAttr
    assert "SetAttr" not in sm.code
    x = pyts.ones(2)
    r1 = sm(x)
    assert sm.count == 1 and sm.total == 1.5
    assert sm.sizes == [2, 3] and sm.weights == {"a": 1.5, "b": -2.0} and sm.pair == (4, 0.25)
    t = in_torch(sm)     # saved after one call: the state travels
    assert t.count == 1 and t.sizes == [2, 3] and t.weights == {"a": 1.5, "b": -2.0} and t.pair == (4, 0.25)
    assert t.tag == "c"
    r2, tr2 = sm(x), t(torch.ones(2))
    same(r2, tr2)
    assert sm.count == t.count == 2
    assert r1.numpy().tolist() != r2.numpy().tolist()


class WithMarkers(nn.Module):
    def forward(self, x, debug: bool = False):
        if debug:
            return self.inspect(x)
        return self.helper(x)

    @pyts.jit.export
    def helper(self, x):
        return x - 1

    @pyts.jit.export
    def extra(self, x, k: int = 3):
        return x * k

    @pyts.jit.unused
    def inspect(self, x):
        import pdb  # noqa: F401 - not TorchScript: never compiled
        return x


def test_export_and_unused():
    sm = pyts.jit.script(WithMarkers())
    x = pyts.ones(2)
    assert sm(x).numpy().tolist() == [0.0, 0.0]
    assert sm.extra(x).numpy().tolist() == [3.0, 3.0]
    assert sm.extra(x, k=5).numpy().tolist() == [5.0, 5.0]
    with pytest.raises(RuntimeError, match="'inspect' is marked @pyts.jit.unused"):
        sm(x, True)
    t = in_torch(sm)
    same(sm(x), t(torch.ones(2)))
    same(sm.extra(x, 4), t.extra(torch.ones(2), 4))
    with pytest.raises(Exception, match="unused"):
        t(torch.ones(2), True)


class CallsIgnored(nn.Module):
    def forward(self, x):
        return self.py(x)

    @pyts.jit.ignore
    def py(self, x):
        return x


def test_ignore_is_a_clear_compile_error():
    with pytest.raises(pyts.jit.CompileError, match="ignore"):
        pyts.jit.script(CallsIgnored())


def recursive(x, n: int):
    return recursive(x, n - 1)


class CallsRecursive(nn.Module):
    def forward(self, x):
        return recursive(x, 2)


def test_recursive_function_is_a_compile_error():
    with pytest.raises(pyts.jit.CompileError, match="recursion is not supported"):
        pyts.jit.script(CallsRecursive())


class Shapes(nn.Module):
    def forward(self, x):
        b, n = x.size()
        y = pyts.zeros([b, n], dtype=x.dtype)
        if x.is_floating_point():
            y = y + 1
        return y + x * b


def test_size_lists_dtype_and_unpacking():
    sm = pyts.jit.script(Shapes())
    x = pyts.rand(2, 3)
    assert "ops.prim.dtype(x)" in sm.code
    t = in_torch(sm)
    same(sm(x), t(torch.from_numpy(x.numpy())))


class _List(nn.Module):
    """A minimal ModuleList (submodules named 0..n-1); pyts.nn's containers land separately."""

    def __init__(self, mods):
        super().__init__()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def __iter__(self):
        return iter(self._modules.values())


class _Seq(_List):
    def forward(self, x):
        for m in self:
            x = m(x)
        return x


class LoopsOverModules(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = _List([nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2)])
        self.seq = _Seq([nn.Linear(2, 2), nn.Tanh()])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.seq(x)


def test_loops_over_module_lists_are_unrolled():
    m = LoopsOverModules()
    sm = pyts.jit.script(m)
    x = pyts.rand(4, 3)
    with pyts.no_grad():
        np.testing.assert_allclose(sm(x).detach().numpy(), m(x).numpy(), rtol=1e-6)
    assert 'getattr(layers, "2")' in sm.code and "for " not in sm.code
    same(sm(x), in_torch(sm)(torch.from_numpy(x.numpy())))


class BreaksOverModules(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = _List([nn.ReLU(), nn.ReLU()])

    def forward(self, x):
        for layer in self.layers:
            return layer(x)
        return x


def test_return_in_an_unrolled_loop_is_a_compile_error():
    with pytest.raises(pyts.jit.CompileError, match="loop over modules"):
        pyts.jit.script(BreaksOverModules())
