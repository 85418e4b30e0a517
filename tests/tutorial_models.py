"""The tutorial's modules written once for either library: `tutorial(lib)` (lib = pyts or
torch) returns its MyDecisionGate, MyCell(gate), MyRNNLoop(cell) and WrapRNN(loop) classes.
The tests and the benchmarks (benchmarks/_common.py) build the seed's models from here."""
from types import SimpleNamespace


def tutorial(lib):
    nn = lib.nn

    class MyDecisionGate(nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x
            else:
                return -x

    class MyCell(nn.Module):
        def __init__(self, dg):
            super().__init__()
            self.dg = dg
            self.linear = nn.Linear(4, 4)

        def forward(self, x, h):
            new_h = lib.tanh(self.dg(self.linear(x)) + h)
            return new_h, new_h

    class MyRNNLoop(nn.Module):
        def __init__(self, cell):
            super().__init__()
            self.cell = cell

        def forward(self, xs):
            h, y = lib.zeros(3, 4), lib.zeros(3, 4)
            for i in range(xs.size(0)):
                y, h = self.cell(xs[i], h)
            return y, h

    class WrapRNN(nn.Module):
        def __init__(self, loop):
            super().__init__()
            self.loop = loop

        def forward(self, xs):
            y, h = self.loop(xs)
            return lib.relu(y)

    return SimpleNamespace(MyDecisionGate=MyDecisionGate, MyCell=MyCell, MyRNNLoop=MyRNNLoop, WrapRNN=WrapRNN)
