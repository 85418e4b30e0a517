"""The PyTorch tutorial "Introduction to TorchScript" run on pyts: every step of the tutorial, in
order, one function per section, printing what the tutorial prints (the random numbers aside).

Run: python examples/tutorial.py
"""
import pyts  # This is all you need to use both pyts and its TorchScript!
import pyts.jit


def section_version():
    """The tutorial opens by printing the library version."""
    print(pyts.__version__)


def my_cell(x, h):
    """The tutorial's first MyCell.forward: one step of a toy RNN cell, returned twice as the
    tutorial's cell returns (new_h, new_h)."""
    new_h = pyts.tanh(x + h)
    return new_h, new_h


def section_basics():
    """Basics of model authoring: call the cell on two random 3x4 matrices.

    Returns (x, h) so that later sections run on the same inputs, as the tutorial's do."""
    x = pyts.rand(3, 4)
    h = pyts.rand(3, 4)
    print(my_cell(x, h))
    return x, h


class MyCell(pyts.nn.Module):
    """Second version: a Linear layer inside the cell."""

    def __init__(self):
        super(MyCell, self).__init__()
        self.linear = pyts.nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = pyts.tanh(self.linear(x) + h)
        return new_h, new_h


class MyDecisionGate(pyts.nn.Module):
    """A submodule with data-dependent control flow."""

    def forward(self, x):
        if x.sum() > 0:
            return x
        else:
            return -x


class MyGatedCell(pyts.nn.Module):
    """Third version of the tutorial's MyCell: the gate applied to the Linear's output."""

    def __init__(self, dg=None):
        super(MyGatedCell, self).__init__()
        self.dg = dg if dg is not None else MyDecisionGate()
        self.linear = pyts.nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = pyts.tanh(self.dg(self.linear(x)) + h)
        return new_h, new_h


MyGatedCell.__name__ = MyGatedCell.__qualname__ = "MyCell"   # printed as the tutorial's MyCell


def section_modules(x, h):
    """Modules: a Linear submodule, the hierarchical repr, autograd's grad_fn on outputs."""
    my_cell = MyCell()
    print(my_cell)
    print(my_cell(x, h))
    my_cell = MyGatedCell()
    print(my_cell)
    print(my_cell(x, h))


def section_tracing(x, h):
    """Tracing: record the ops the module runs; the result has .graph and .code."""
    my_cell = MyCell()
    traced_cell = pyts.jit.trace(my_cell, (x, h))
    print(traced_cell)
    traced_cell(x, h)
    print(traced_cell.graph)
    print(traced_cell.code)
    print(my_cell(x, h))
    print(traced_cell(x, h))


def section_scripting(x, h):
    """Scripting keeps the control flow that tracing loses."""
    import warnings

    my_cell = MyGatedCell(MyDecisionGate())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyts.jit.TracerWarning)  # the trace freezes the if
        traced_cell = pyts.jit.trace(my_cell, (x, h))
    print(traced_cell.code)
    scripted_gate = pyts.jit.script(MyDecisionGate())
    my_cell = MyGatedCell(scripted_gate)
    scripted_cell = pyts.jit.script(my_cell)
    print(scripted_cell.code)
    x, h = pyts.rand(3, 4), pyts.rand(3, 4)
    scripted_cell(x, h)
    return scripted_gate


def section_mixing(x, h, scripted_gate):
    """Scripted modules around traced ones and traced modules around scripted ones."""

    class MyRNNLoop(pyts.nn.Module):
        def __init__(self):
            super(MyRNNLoop, self).__init__()
            self.cell = pyts.jit.trace(MyGatedCell(scripted_gate), (x, h))

        def forward(self, xs):
            h, y = pyts.zeros(3, 4), pyts.zeros(3, 4)
            for i in range(xs.size(0)):
                y, h = self.cell(xs[i], h)
            return y, h

    rnn_loop = pyts.jit.script(MyRNNLoop())
    print(rnn_loop.code)

    class WrapRNN(pyts.nn.Module):
        def __init__(self):
            super(WrapRNN, self).__init__()
            self.loop = pyts.jit.script(MyRNNLoop())

        def forward(self, xs):
            y, h = self.loop(xs)
            return pyts.relu(y)

    traced = pyts.jit.trace(WrapRNN(), (pyts.rand(10, 3, 4)))
    print(traced.code)
    return traced


def section_save_load(traced, path="wrapped_rnn.zip"):
    """Save the wrapped RNN as a TorchScript archive and load it back."""
    traced.save(path)
    loaded = pyts.jit.load(path)
    print(loaded)
    print(loaded.code)


def main():
    section_version()
    x, h = section_basics()
    section_modules(x, h)
    section_tracing(x, h)
    gate = section_scripting(x, h)
    traced = section_mixing(x, h, gate)
    section_save_load(traced)
    return {"x": x, "h": h, "traced": traced}


if __name__ == "__main__":
    main()
