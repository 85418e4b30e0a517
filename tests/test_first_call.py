"""What a first call finds ready: script(), trace() and load() lower every function they produce to
interpreter code, so the first call of a fresh module does no per-function work (the time a first
call still pays over the hundredth is cold CPU caches after compiling or loading, which the
benchmark reports; no timing here)."""
import os
import sys

import pyts
import pyts.jit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
from _common import traced_wrap_rnn, tutorial  # noqa: E402


def lowered(module, name="forward"):
    return module._c._method(name)._lowered()


def test_script_lowers_forward_and_callees():
    gate_cls, cell_cls, loop_cls, wrap_cls = tutorial(pyts)
    x, h, xs = pyts.rand(3, 4), pyts.rand(3, 4), pyts.rand(10, 3, 4)
    gate = pyts.jit.script(gate_cls())
    assert lowered(gate)
    cell = pyts.jit.trace(cell_cls(gate), (x, h))
    assert lowered(cell)
    pyts.jit._script._clear_class_state()
    loop = pyts.jit.script(loop_cls(cell))
    # nothing called yet: the loop's forward and everything it calls are already lowered
    assert lowered(loop) and lowered(loop.cell) and lowered(loop.cell.dg)
    wrap = pyts.jit.script(wrap_cls(loop))
    assert lowered(wrap) and lowered(wrap.loop)
    y = wrap(xs)
    assert tuple(y.shape) == (3, 4)


def test_script_reused_class_is_lowered():
    gate_cls = tutorial(pyts)[0]
    a = pyts.jit.script(gate_cls())
    b = pyts.jit.script(gate_cls())   # the class type compiled for a is reused
    assert lowered(a) and lowered(b)


def test_script_function_and_extra_methods_lowered():
    def f(x, n: int):
        for _ in range(n):
            x = x * 2
        return x

    sf = pyts.jit.script(f)
    assert sf._fn._lowered()

    class M(pyts.nn.Module):
        @pyts.jit.export
        def helper(self, x):
            return x + 1

        def forward(self, x):
            return self.helper(x) * 2

    m = pyts.jit.script(M())
    assert lowered(m) and lowered(m, "helper")


def test_trace_function_lowered():
    tf = pyts.jit.trace(lambda x: x * 2 + 1, (pyts.rand(3),))
    assert tf._fn._lowered()


def test_loaded_archive_lowered(tmp_path):
    m, args = traced_wrap_rnn(pyts)
    path = str(tmp_path / "w.pt")
    pyts.jit.save(m, path)
    lm = pyts.jit.load(path)
    assert lowered(lm) and lowered(lm.loop) and lowered(lm.loop.cell) and lowered(lm.loop.cell.dg)
    with pyts.no_grad():
        assert (lm(*args) - m(*args)).abs().max().item() < 1e-6
