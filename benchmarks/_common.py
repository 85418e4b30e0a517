"""What the side-by-side benchmarks share: the repository on sys.path, best-of timing, number
formatting, and the tutorial's modules written once for either library (`lib` = pyts or torch)."""
import os
import sys
import timeit
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
warnings.filterwarnings("ignore")
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import tutorial_models as _tutorial_models  # noqa: E402


def best(fn, repeats, number=None):
    """Seconds per call of fn, best of `repeats` runs of `number` calls (calibrated to >= 20 ms
    per run when not given)."""
    fn()
    if number is None:
        number = 1
        while timeit.timeit(fn, number=number) < 0.02:
            number *= 4
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number


def fmt(s):
    """A duration in ns, us or ms, 12 columns wide; None prints as n/a."""
    if s is None:
        return f"{'n/a':>12s}"
    if s < 1e-6:
        return f"{s * 1e9:9.1f} ns"
    return f"{s * 1e6:9.2f} us" if s < 1e-3 else f"{s * 1e3:9.2f} ms"


def tutorial(lib):
    """The tutorial's MyDecisionGate, MyCell, MyRNNLoop and WrapRNN classes for lib (written once,
    in tests/tutorial_models.py)."""
    t = _tutorial_models.tutorial(lib)
    return t.MyDecisionGate, t.MyCell, t.MyRNNLoop, t.WrapRNN


def traced_wrap_rnn(lib):
    """The tutorial's final model: a traced WrapRNN around a scripted loop of a traced cell whose
    gate is scripted; returns (module, example inputs)."""
    gate_cls, cell_cls, loop_cls, wrap_cls = tutorial(lib)
    x, h, xs = lib.rand(3, 4), lib.rand(3, 4), lib.rand(10, 3, 4)
    cell = lib.jit.trace(cell_cls(lib.jit.script(gate_cls())), (x, h))
    return lib.jit.trace(wrap_cls(lib.jit.script(loop_cls(cell))), (xs,)), (xs,)
