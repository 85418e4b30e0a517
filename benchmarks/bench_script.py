"""Scripting in pyts and PyTorch 2.13, side by side, with ratios.

- compile time of `script` on the tutorial's MyDecisionGate, MyCell (with a scripted gate),
  MyRNNLoop (around a traced cell) and WrapRNN, and on a 6-layer transformer-encoder-style module
  written with plain ops (attention from Linear + matmul + softmax, a ReLU feed-forward); torch's
  per-class caches (and pyts's) are cleared before every compile so both sides compile from source;
- the scripted RNN loop (10 steps, 3x4): first, second and 100th call of fresh modules (medians),
  the 100th call right after another compile (the first call's cold caches without its being a
  first call), and steady state;
- a scalar-heavy scripted loop (integer arithmetic, 10^6 iterations): time per interpreted node;
- a list grown by append (10^4 and 10^6 items): time per append, which must not grow with the list.

    python benchmarks/bench_script.py [--quick]
"""
import argparse
import statistics
import time
from typing import List

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--quick", action="store_true")
ARGS = ap.parse_args()

from _common import best as _best, fmt, tutorial  # noqa: E402  (also puts the repository on sys.path)
import pyts  # noqa: E402
import pyts.jit  # noqa: E402
import torch  # noqa: E402
import torch.jit._recursive  # noqa: E402
import torch.jit._state  # noqa: E402

REPEATS = 3 if ARGS.quick else 7


def best(fn, number=None):
    return _best(fn, REPEATS, number)


def row(name, p, t, note=""):
    print(f"{name:40s} {fmt(p)} {fmt(t)}   {p / t:7.3f}x {note}")


def torch_fresh():
    """Forget what torch.jit.script compiled before (per-class caches), as a new process would."""
    torch.jit._recursive.concrete_type_store = torch.jit._recursive.ConcreteTypeStore()
    torch.jit._state._clear_class_state()


def pyts_fresh():
    """The same for pyts: its compiled class types per Python class (reused like torch's)."""
    pyts.jit._script._clear_class_state()


def first_calls_in_warm_caches(fresh, make, x, n):
    """First calls of n fresh modules whose code the CPU caches already hold: after compiling one,
    another (already called) module of the same class runs twice to bring the interpreter, kernels
    and weights back into cache, then the fresh module's first call is timed. Equal to the 100th
    call when no work is deferred to a module's first call."""
    warm = make()
    for _ in range(5):
        warm(x)
    out = []
    for _ in range(n):
        fresh()
        m = make()
        warm(x)
        warm(x)
        t0 = time.perf_counter()
        m(x)
        out.append(time.perf_counter() - t0)
    return out


def encoder(lib):
    nn = lib.nn

    class Layer(nn.Module):
        def __init__(self, d: int):
            super().__init__()
            self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            self.f1, self.f2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.scale = float(d) ** -0.5

        def forward(self, x):
            q, k, v = self.q(x), self.k(x), self.v(x)
            att = lib.softmax(lib.matmul(q, k.transpose(-2, -1)) * self.scale, -1)
            x = x + self.o(lib.matmul(att, v))
            return x + self.f2(lib.relu(self.f1(x)))

    class Encoder(nn.Module):
        def __init__(self, d: int = 32):
            super().__init__()
            self.l0, self.l1, self.l2 = Layer(d), Layer(d), Layer(d)
            self.l3, self.l4, self.l5 = Layer(d), Layer(d), Layer(d)

        def forward(self, x):
            x = self.l0(x)
            x = self.l1(x)
            x = self.l2(x)
            x = self.l3(x)
            x = self.l4(x)
            return self.l5(x)

    return Encoder


def scalar_loop(n: int) -> int:
    s = 0
    for i in range(n):
        s = s + i * 3 % 7
    return s


SCALAR_NODES = 3   # mul, remainder, add per iteration (the loop's own test/increment not counted)


def append_loop(n: int) -> int:
    r: List[int] = []
    for i in range(n):
        r.append(i)
    return len(r)


def main():
    torch.set_num_threads(1)
    pyts.set_num_threads(1)
    print(f"{'':40s} {'pyts':>12s} {'torch':>12s}   pyts/torch")
    Gp, Cp, Lp, Wp = tutorial(pyts)
    Gt, Ct, Lt, Wt = tutorial(torch)
    x_p, h_p, xs_p = pyts.rand(3, 4), pyts.rand(3, 4), pyts.rand(10, 3, 4)
    x_t, h_t, xs_t = torch.rand(3, 4), torch.rand(3, 4), torch.rand(10, 3, 4)

    def compile_t(make):
        def run():
            torch_fresh()
            return make()
        return run

    def compile_p(make):
        def run():
            pyts_fresh()
            return make()
        return run

    gate_p, gate_t = pyts.jit.script(Gp()), torch.jit.script(Gt())
    cell_tr_p = pyts.jit.trace(Cp(gate_p), (x_p, h_p))
    cell_tr_t = torch.jit.trace(Ct(gate_t), (x_t, h_t))
    n = 5 if ARGS.quick else 20
    ratios = []

    def crow(name, mp, mt):
        p, t = best(compile_p(mp), n), best(compile_t(mt), n)
        ratios.append(t / p)
        row("script " + name, p, t)

    crow("MyDecisionGate", lambda: pyts.jit.script(Gp()), lambda: torch.jit.script(Gt()))
    crow("MyCell (scripted gate)", lambda: pyts.jit.script(Cp(gate_p)), lambda: torch.jit.script(Ct(gate_t)))
    crow("MyRNNLoop (traced cell)", lambda: pyts.jit.script(Lp(cell_tr_p)), lambda: torch.jit.script(Lt(cell_tr_t)))
    crow("WrapRNN (scripted loop)", lambda: pyts.jit.script(Wp(pyts.jit.script(Lp(cell_tr_p)))),
         lambda: torch.jit.script(Wt(torch.jit.script(Lt(cell_tr_t)))))
    Ep, Et = encoder(pyts), encoder(torch)
    ep, et = Ep(), Et()
    crow("6-layer encoder", lambda: pyts.jit.script(ep), lambda: torch.jit.script(et))

    # RNN loop: the first call of a freshly scripted module, then steady state. Each library runs
    # its own loop, so a first call follows its own library's compile only (interleaved, pyts's
    # first call paid for the cache lines and spinning BLAS threads torch's compile left behind);
    # first, second and 100th calls are taken on the same fresh modules and compared by median.
    fresh_modules = 9 if ARGS.quick else 25
    med = statistics.median
    with pyts.no_grad(), torch.no_grad():
        firsts_p, seconds_p, hundredths_p, firsts_t = [], [], [], []
        for _ in range(fresh_modules):
            pyts_fresh()
            lp = pyts.jit.script(Lp(cell_tr_p))
            t0 = time.perf_counter()
            lp(xs_p)
            firsts_p.append(time.perf_counter() - t0)
            # the second call: when it is as slow as the first, what the first pays is cold CPU
            # caches after compiling, not work done once per module
            t0 = time.perf_counter()
            lp(xs_p)
            seconds_p.append(time.perf_counter() - t0)
            for _ in range(97):
                lp(xs_p)
            t0 = time.perf_counter()
            lp(xs_p)
            hundredths_p.append(time.perf_counter() - t0)
        for _ in range(fresh_modules):
            torch_fresh()
            lt = torch.jit.script(Lt(cell_tr_t))
            t0 = time.perf_counter()
            lt(xs_t)
            firsts_t.append(time.perf_counter() - t0)
        # the 100th call of a module right after compiling another one: the same cold caches as a
        # first call, without being a first call. Equal to the first call when all a first call
        # pays is the cache refill after compiling (no work deferred to it)
        after_compile_p = []
        for _ in range(fresh_modules):
            pyts_fresh()
            pyts.jit.script(Lp(cell_tr_p))
            t0 = time.perf_counter()
            lp(xs_p)
            after_compile_p.append(time.perf_counter() - t0)
        firsts_warm_p = first_calls_in_warm_caches(pyts_fresh, lambda: pyts.jit.script(Lp(cell_tr_p)), xs_p,
                                                   fresh_modules)
        firsts_warm_t = first_calls_in_warm_caches(torch_fresh, lambda: torch.jit.script(Lt(cell_tr_t)), xs_t,
                                                   fresh_modules)
        steady_p, steady_t = best(lambda: lp(xs_p)), best(lambda: lt(xs_t))
        row("RNN loop first call (median)", med(firsts_p), med(firsts_t))
        row("  same, caches warmed by another module", med(firsts_warm_p), med(firsts_warm_t),
            f"(pyts first/100th: {med(firsts_warm_p) / med(hundredths_p):.2f})")
        row("RNN loop 100th call (pyts, median)", med(hundredths_p), med(hundredths_p), "(pyts first/100th: "
            f"{med(firsts_p) / med(hundredths_p):.2f}, first/second: {med(firsts_p) / med(seconds_p):.2f})")
        row("  100th call right after compiling", med(after_compile_p), med(after_compile_p),
            f"(pyts first / this: {med(firsts_p) / med(after_compile_p):.2f})")
        row("RNN loop steady call", steady_p, steady_t)

    sp = pyts.jit.script(scalar_loop)
    st = torch.jit.script(scalar_loop)
    N = 10**5 if ARGS.quick else 10**6
    assert sp(1000) == st(1000)
    tp, tt = best(lambda: sp(N), 1), best(lambda: st(N), 1)
    row(f"scalar loop, {N} iterations", tp, tt)
    row("  per interpreted node", tp / (N * SCALAR_NODES), tt / (N * SCALAR_NODES))
    # a list grown by append: the time per append must not grow with the list
    ap, at = pyts.jit.script(append_loop), torch.jit.script(append_loop)
    for n in ((10**4, 10**5) if ARGS.quick else (10**4, 10**6)):
        assert ap(n) == at(n) == n
        row(f"list append loop, {n} appends, per append", best(lambda: ap(n), 1) / n, best(lambda: at(n), 1) / n)
    print(f"compile speedup vs torch: min {min(ratios):.1f}x, max {max(ratios):.1f}x")
    print("targets: compile >= 20x faster; first call no slower than the 100th; RNN loop <= 0.3x torch; "
          "< 100 ns per interpreted node")


if __name__ == "__main__":
    main()
