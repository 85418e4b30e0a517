"""Tracing modules: the tutorial's tracing section against PyTorch 2.13 (hierarchy, graphs, code,
repr), trace-vs-eager equivalence, TracerWarning cases, check_trace, autograd through traces."""
import re
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)


def _norm(text):
    """Value numbers and source locations are incidental; the structure must match."""
    text = re.sub(r"%(\d+)", "%N", text)
    text = re.sub(r"___torch_mangle_\d+\.", "", text)  # per-process class renaming in PyTorch
    return re.sub(r" # [^\n]*", "", text)


def make(lib):
    class MyDecisionGate(lib.nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x
            else:
                return -x

    class MyCell(lib.nn.Module):
        def __init__(self, dg=None):
            super().__init__()
            if dg is not None:
                self.dg = dg
            self.linear = lib.nn.Linear(4, 4)

        def forward(self, x, h):
            y = self.linear(x)
            if hasattr(self, "dg"):
                y = self.dg(y)
            new_h = lib.tanh(y + h)
            return new_h, new_h

    return MyDecisionGate, MyCell


def pair(with_gate=False):
    """The same MyCell in pyts and torch with identical weights and inputs."""
    gate_p, cell_p = make(pyts)
    gate_t, cell_t = make(torch)
    mp = cell_p(gate_p() if with_gate else None)
    mt = cell_t(gate_t() if with_gate else None)
    sd = {k: pyts.from_numpy(v.detach().numpy().copy()) for k, v in mt.state_dict().items()}
    mp.load_state_dict(sd)
    rng = np.random.default_rng(0)
    x, h = rng.random((3, 4), dtype=np.float32), rng.random((3, 4), dtype=np.float32)
    return mp, mt, (pyts.from_numpy(x), pyts.from_numpy(h)), (torch.from_numpy(x), torch.from_numpy(h))


def test_tutorial_traced_cell_prints_like_pytorch():
    mp, mt, ip, it = pair()
    tp, tt = pyts.jit.trace(mp, ip), torch.jit.trace(mt, it)
    assert repr(tp) == repr(tt)
    assert tp.code == tt.code
    assert _norm(str(tp.graph)) == _norm(str(tt.graph))
    assert tp.linear.code == tt.linear.code


def test_tutorial_traced_cell_outputs_equal_eager():
    mp, mt, ip, it = pair()
    tp = pyts.jit.trace(mp, ip)
    for a, b in zip(tp(*ip), mt(*it)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_decision_gate_is_frozen_by_tracing_and_warned_about():
    mp, mt, ip, it = pair(with_gate=True)
    with pytest.warns(pyts.jit.TracerWarning, match="Converting a tensor to a Python boolean"):
        tp = pyts.jit.trace(mp, ip)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = torch.jit.trace(mt, it)
    assert tp.code == tt.code   # no if: the branch taken at trace time is baked in


def test_traced_gradients_equal_eager():
    mp, _, ip, _ = pair()
    tp = pyts.jit.trace(mp, ip)
    out = tp(*ip)[0].sum()
    out.backward()
    g_traced = mp.linear.weight.grad.numpy().copy()
    mp.zero_grad()
    mp(*ip)[0].sum().backward()
    np.testing.assert_allclose(g_traced, mp.linear.weight.grad.detach().numpy(), rtol=1e-6)


def test_check_trace_reports_graph_differences():
    class Flaky(pyts.nn.Module):
        def __init__(self):
            super().__init__()
            self.n = 0

        def forward(self, x):
            self.n += 1
            return x * 2 if self.n % 2 else x + 1

    with pytest.raises(pyts.jit.TracingCheckError, match="Graphs differed across invocations"):
        pyts.jit.trace(Flaky(), (pyts.rand(3),))


def test_graph_outlives_its_module():
    """A graph (or method) taken from a module names the classes of its submodules, which only the
    module's object tree holds: the handle keeps the tree alive, so printing it after the module is
    gone gives the same text (it read freed class types before; the trace check hit this on every
    trace of a module with submodules, as ASan showed)."""
    import gc

    class M(pyts.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = pyts.nn.Linear(4, 3)
            self.l2 = pyts.nn.Linear(3, 2)

        def forward(self, x):
            return self.l2(pyts.relu(self.l1(x)))

    x = pyts.rand(2, 4)
    for make in (lambda: pyts.jit.trace(M(), (x,)), lambda: pyts.jit.script(M())):
        m = make()
        g = m.graph
        text = str(g)
        assert "__torch__.torch.nn.modules.linear.Linear" in text
        del m
        gc.collect()
        # churn the allocator so freed class types would be overwritten
        junk = [pyts.jit.script(M()) for _ in range(3)]
        assert str(g) == text
        del junk
