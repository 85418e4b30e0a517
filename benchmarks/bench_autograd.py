"""Training-step time in pyts and PyTorch 2.13, side by side: forward + backward + optimizer step.

Overhead-bound: Linear(4, 4) on a 1x4 input with SGD and with Adam (every op is tiny, so the
time is the Python layer, the autograd engine and the per-op dispatch).
BLAS-bound: an MLP 256-512-512-10 on a batch of 64 (ReLU, cross-entropy) with Adam.
Between: nn.LSTMCell (hidden 128, batch 64) for one step and for 8 unrolled steps, with Adam.
The MLP and LSTM rows are also split into forward+backward and the optimizer step alone.

Both libraries start from the same weights (torch's, copied) and the same data; the first loss
of each case is compared. Each time is the best of several timeit repeats, per training step,
with the same number of threads in both (--threads, default 1); --clock cpu measures process
CPU time instead of wall time, which is steadier when other processes share the machine.

    python benchmarks/bench_autograd.py [--threads N] [--quick] [--clock wall|cpu]
"""
import argparse
import os
import sys
import time
import timeit

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--threads", type=int, default=1, help="threads for both libraries (default 1)")
ap.add_argument("--quick", action="store_true", help="fewer repeats (a rough number in seconds)")
ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                help="wall time (default), or this process's CPU time: steadier on a busy machine")
ARGS = ap.parse_args()

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pyts  # noqa: E402
import torch  # noqa: E402

REPEATS = 3 if ARGS.quick else 7
CLOCK = time.perf_counter if ARGS.clock == "wall" else time.process_time
TARGET = 0.03 if ARGS.quick else 0.1   # seconds per repeat


def per_call(fns):
    """Best per-call seconds of each library's callable, libraries timed in alternation."""
    timers = {}
    for k, fn in fns.items():
        fn()
        timer = timeit.Timer(fn, timer=CLOCK)
        number = 1
        while True:
            elapsed = timer.timeit(number)
            if elapsed >= TARGET / 5 or number >= 1 << 20:
                break
            number *= 4
        timers[k] = (timer, max(1, int(number * TARGET / max(elapsed, 1e-9))))
    best = {k: float("inf") for k in fns}
    for _ in range(REPEATS):
        for k, (timer, number) in timers.items():
            best[k] = min(best[k], timer.timeit(number) / number)
    return best


def fmt(t):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def copy_params(dst, src):
    """dst (pyts module) takes src's (torch module) parameter values."""
    with pyts.no_grad():
        for (n, p), (m, q) in zip(dst.named_parameters(), src.named_parameters()):
            assert n == m
            p.copy_(pyts.from_numpy(q.detach().numpy().copy()))


def models(L):
    nn = L.nn

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)

        def forward(self, x):
            return self.lin(x)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(256, 512), nn.Linear(512, 512), nn.Linear(512, 10)

        def forward(self, x):
            return self.l3(L.relu(self.l2(L.relu(self.l1(x)))))

    class LSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(128, 128)
            self.out = nn.Linear(128, 10)

        def forward(self, xs, h, c):
            for x in xs:
                h, c = self.cell(x, (h, c))
            return self.out(h)

    return Tiny(), MLP(), LSTM()


def cases():
    """(name, make) with make(L, model_index) -> (step, fwd_bwd, opt_step) callables."""
    rng = np.random.default_rng(0)
    data = {
        "tiny_x": rng.standard_normal((1, 4)).astype(np.float32),
        "mlp_x": rng.standard_normal((64, 256)).astype(np.float32),
        "mlp_y": rng.integers(0, 10, 64),
        "lstm_x": rng.standard_normal((8, 64, 128)).astype(np.float32),
        "lstm_h": rng.standard_normal((64, 128)).astype(np.float32) * 0.1,
        "lstm_y": rng.integers(0, 10, 64),
    }
    torch.manual_seed(0)
    tmods = models(torch)
    pmods = models(pyts)
    for pm, tm in zip(pmods, tmods):
        copy_params(pm, tm)

    def setup(L, which, opt_name, **kw):
        """A fresh copy of the torch model (so every case starts from the same weights)."""
        mod = models(L)[which]
        src = tmods[which]
        if L is torch:
            mod.load_state_dict(src.state_dict())
        else:
            copy_params(mod, src)
        opt = getattr(L.optim, opt_name)(mod.parameters(), **kw)
        return mod, opt

    def T(L, a):
        return L.from_numpy(np.ascontiguousarray(a).copy())

    def tiny(opt_name, **kw):
        def make(L):
            mod, opt = setup(L, 0, opt_name, **kw)
            x = T(L, data["tiny_x"])

            def fwd_bwd():
                opt.zero_grad()
                loss = mod(x).sum()
                loss.backward()
                return loss

            def step():
                loss = fwd_bwd()
                opt.step()
                return loss

            return step, fwd_bwd, opt.step
        return make

    def mlp(L):
        mod, opt = setup(L, 1, "Adam", lr=1e-3)
        x, y = T(L, data["mlp_x"]), T(L, data["mlp_y"])
        ce = L.nn.functional.cross_entropy

        def fwd_bwd():
            opt.zero_grad()
            loss = ce(mod(x), y)
            loss.backward()
            return loss

        def step():
            loss = fwd_bwd()
            opt.step()
            return loss

        return step, fwd_bwd, opt.step

    def lstm(nsteps):
        def make(L):
            mod, opt = setup(L, 2, "Adam", lr=1e-3)
            xs = [T(L, data["lstm_x"][k]) for k in range(nsteps)]
            h, c, y = T(L, data["lstm_h"]), T(L, data["lstm_h"]), T(L, data["lstm_y"])
            ce = L.nn.functional.cross_entropy

            def fwd_bwd():
                opt.zero_grad()
                loss = ce(mod(xs, h, c), y)
                loss.backward()
                return loss

            def step():
                loss = fwd_bwd()
                opt.step()
                return loss

            return step, fwd_bwd, opt.step
        return make

    return [
        ("Linear(4,4) 1x4 + SGD", "overhead", tiny("SGD", lr=0.01)),
        ("Linear(4,4) 1x4 + SGD(momentum)", "overhead", tiny("SGD", lr=0.01, momentum=0.9)),
        ("Linear(4,4) 1x4 + Adam", "overhead", tiny("Adam", lr=1e-3)),
        ("MLP 64x256-512-512-10 + Adam", "blas", mlp),
        ("LSTM cell h128 b64, 1 step + Adam", "mixed", lstm(1)),
        ("LSTM cell h128 b64, 8 steps + Adam", "mixed", lstm(8)),
    ]


def main():
    pyts.set_num_threads(ARGS.threads)
    torch.set_num_threads(ARGS.threads)
    print(f"threads: pyts {pyts.get_num_threads()}, torch {torch.get_num_threads()}; clock: {ARGS.clock}; "
          f"BLAS pyts: {pyts._C.blas_name()}")
    head = f"{'case':<36} {'part':<10} {'pyts':>10} {'torch':>10} {'pyts/torch':>11}"
    print(head)
    print("-" * len(head))
    verdict = []
    for name, kind, make in cases():
        p_step, p_fb, p_opt = make(pyts)
        t_step, t_fb, t_opt = make(torch)
        pl, tl = float(p_step().item()), float(t_step().item())   # first step from the same weights
        flag = "" if abs(pl - tl) <= 1e-4 * max(1.0, abs(tl)) else f"  (first loss differs: {pl} vs {tl})"
        parts = [("step", p_step, t_step)]
        if kind != "overhead":
            parts += [("fwd+bwd", p_fb, t_fb), ("optimizer", p_opt, t_opt)]
        for part, pf, tf in parts:
            t = per_call({"pyts": pf, "torch": tf})
            r = t["pyts"] / t["torch"]
            print(f"{name if part == 'step' else '':<36} {part:<10} {fmt(t['pyts']):>10} {fmt(t['torch']):>10} "
                  f"{r:>10.2f}x{flag if part == 'step' else ''}")
            if part == "step":
                goal = 1.2 if kind == "blas" else 1.0
                verdict.append((name, r, goal))
    print("targets: overhead-bound and LSTM steps pyts/torch <= 1.0x; BLAS-bound MLP step <= 1.2x")
    missed = [f"{n} ({r:.2f}x > {g}x)" for n, r, g in verdict if r > g]
    print("all targets met" if not missed else "missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
