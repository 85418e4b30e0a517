"""Golden files for the graph and code printers (tests/golden/<case>.txt): `.graph`, `.code` and
`.inlined_graph` of traced and scripted modules (the tutorial's cells, an MLP, nested submodules, a
scripted loop). PYTS_UPDATE_GOLDEN=1 rewrites them. Each case is also compared with PyTorch 2.13's
output for the same module where the formats are meant to agree (value numbers and source columns
aside)."""
import os
import re
import warnings

import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
UPDATE = os.environ.get("PYTS_UPDATE_GOLDEN") == "1"
HERE = os.path.basename(__file__)


def stable(text):
    """Locations name this file by its base name with its line; other files (library sources
    that change) by base name only."""
    def loc(m):
        base = os.path.basename(m.group(1))
        return f"# {base}:{m.group(2)}:{m.group(3)}" if base == HERE else f"# {base}"
    text = re.sub(r"# (\S+?):(\d+):(\d+)", loc, text)
    # the class path follows how pytest imported this file (tests.test_x or test_x)
    return re.sub(r"__torch__\.(?:\w+\.)*test_trace_golden\.", "__torch__.test_trace_golden.", text)


def loose(text):
    """For comparing with PyTorch: value numbers, class mangling and locations are incidental."""
    text = re.sub(r"___torch_mangle_\d+\.", "", text)
    text = re.sub(r" # [^\n]*", "", text)
    return re.sub(r"%(\d+)", "%N", text)


def build(lib, case):
    nn = lib.nn

    class MyDecisionGate(nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x
            else:
                return -x

    class MyCell(nn.Module):
        def __init__(self, dg=None):
            super().__init__()
            self.dg = dg
            self.linear = nn.Linear(4, 4)

        def forward(self, x, h):
            y = self.linear(x)
            if self.dg is not None:
                y = self.dg(y)
            new_h = lib.tanh(y + h)
            return new_h, new_h

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(8, 16), nn.Linear(16, 16), nn.Linear(16, 2)

        def forward(self, x):
            return self.l3(lib.relu(self.l2(lib.relu(self.l1(x)))))

    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return lib.relu(self.fc(x))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()
            self.out = nn.Linear(4, 2)

        def forward(self, x):
            return self.out(self.inner(x) + x)

    class Nested(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = Block(), Block()

        def forward(self, x):
            return self.a(x) - self.b(x)

    x, h = lib.ones(3, 4), lib.ones(3, 4) * 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case == "traced_cell":
            return lib.jit.trace(MyCell(), (x, h))
        if case == "traced_gated_cell":
            return lib.jit.trace(MyCell(lib.jit.script(MyDecisionGate())), (x, h))
        if case == "traced_mlp":
            return lib.jit.trace(MLP(), (lib.ones(5, 8),))
        if case == "traced_nested":
            return lib.jit.trace(Nested(), (x,))
        if case == "scripted_gate":
            return lib.jit.script(MyDecisionGate())
        if case == "scripted_loop":
            cell = lib.jit.trace(MyCell(lib.jit.script(MyDecisionGate())), (x, h))

            class MyRNNLoop(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.cell = cell

                def forward(self, xs):
                    h, y = lib.zeros(3, 4), lib.zeros(3, 4)
                    for i in range(xs.size(0)):
                        y, h = self.cell(xs[i], h)
                    return y, h

            return lib.jit.script(MyRNNLoop())
    raise KeyError(case)


CASES = ["traced_cell", "traced_gated_cell", "traced_mlp", "traced_nested", "scripted_gate", "scripted_loop"]


def render(m):
    return (f"=== graph\n{m.graph}\n=== code\n{m.code}\n=== inlined_graph\n{m.inlined_graph}\n")


@pytest.mark.parametrize("case", CASES)
def test_golden(case):
    got = stable(render(build(pyts, case)))
    path = os.path.join(GOLDEN, case + ".txt")
    if UPDATE or not os.path.exists(path):
        assert UPDATE, f"{path} is missing: run with PYTS_UPDATE_GOLDEN=1"
        with open(path, "w") as f:
            f.write(got)
    with open(path) as f:
        assert got == f.read()


# traced graphs, traced code, scripted code and inlined graphs of traced modules agree with
# PyTorch's; scripted graphs differ in the frontend's constant placement and source columns, and
# the inlined graph of two-level nesting in the .N suffixes of repeated names (weight.1 vs .2)
AGREE = {
    "traced_cell": ("graph", "code", "inlined_graph"),
    "traced_gated_cell": ("graph", "code", "inlined_graph"),
    "traced_mlp": ("graph", "code", "inlined_graph"),
    "traced_nested": ("graph", "code"),
    "scripted_gate": ("code",),
    "scripted_loop": ("code",),
}


@pytest.mark.parametrize("case", CASES)
def test_printers_agree_with_pytorch(case):
    p, t = build(pyts, case), build(torch, case)
    for what in AGREE[case]:
        assert loose(str(getattr(p, what))) == loose(str(getattr(t, what))), what
