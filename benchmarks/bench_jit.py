"""Tracing and traced calls in pyts and PyTorch 2.13, side by side, with ratios.

- per-call latency, eager vs traced: the tutorial's MyCell (Linear(4, 4) + tanh on 3x4) and a
  3-layer MLP (batch 64, 256-512-512-10);
- throughput of one traced BLAS-bound module called from 1 and from 2 Python threads;
- the time `trace` itself takes;
- N forks of a matmul-heavy scripted function (the inter-op pool) against the same calls in series.

    python benchmarks/bench_jit.py [--quick]
"""
import argparse
import os
import threading
import time

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--quick", action="store_true")
ARGS = ap.parse_args()

from _common import best as _best, fmt  # noqa: E402  (also puts the repository on sys.path)
import pyts  # noqa: E402
import pyts.jit  # noqa: E402
import torch  # noqa: E402

REPEATS = 3 if ARGS.quick else 7


def best(fn, number=None):
    return _best(fn, REPEATS, number)


def models(lib):
    nn = lib.nn

    class MyCell(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)

        def forward(self, x, h):
            new_h = lib.tanh(self.linear(x) + h)
            return new_h, new_h

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(256, 512), nn.Linear(512, 512), nn.Linear(512, 10)

        def forward(self, x):
            return self.l3(lib.relu(self.l2(lib.relu(self.l1(x)))))

    return MyCell(), MLP()


def row(name, p, t):
    print(f"{name:34s} {fmt(p)} {fmt(t)}   {p / t:6.2f}x")


DEFAULT_BLAS_THREADS = pyts.get_num_threads()
DEFAULT_TORCH_THREADS = torch.get_num_threads()


FORK_SRC = '''
from typing import List


def work(x: Tensor) -> Tensor:
    for _ in range(4):
        x = torch.tanh(x.mm(x))
    return x


def serial(x: Tensor, n: int) -> Tensor:
    r = x
    for _ in range(n):
        r = r + work(x)
    return r


def forked(x: Tensor, n: int) -> Tensor:
    futs: List[torch.jit.Future[Tensor]] = []
    for _ in range(n):
        futs.append(torch.jit.fork(work, x))
    r = x
    for f in futs:
        r = r + torch.jit.wait(f)
    return r
'''


def forks(n):
    """n forks of a scripted 4 x (192x192 matmul + tanh) vs n calls in series, intra-op threads 1:
    the forked run overlaps on the inter-op pool (at most its thread count, the cores, at once)."""
    import importlib.util
    import tempfile
    ns = {}
    tmp = tempfile.mkdtemp()
    for lib in (pyts, torch):
        # the scripting front ends read the functions' source from a file
        path = os.path.join(tmp, f"bench_fork_{lib.__name__}.py")
        with open(path, "w") as fh:
            fh.write(f"import {lib.__name__} as torch\nfrom {lib.__name__} import Tensor\n" + FORK_SRC)
        spec = importlib.util.spec_from_file_location(f"bench_fork_{lib.__name__}", path)
        g = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(g)
        x = lib.rand(192, 192) * 0.01
        s, f = lib.jit.script(g.serial), lib.jit.script(g.forked)
        ns[lib] = (lambda s=s, x=x: s(x, n), lambda f=f, x=x: f(x, n))
    with pyts.no_grad(), torch.no_grad():
        row(f"{n} matmul calls in series", best(ns[pyts][0], 5), best(ns[torch][0], 5))
        row(f"{n} forked matmul calls", best(ns[pyts][1], 5), best(ns[torch][1], 5))


def main():
    torch.set_num_threads(1)
    pyts.set_num_threads(1)
    print(f"{'':34s} {'pyts':>12s} {'torch':>12s}   pyts/torch")
    cell_p, mlp_p = models(pyts)
    cell_t, mlp_t = models(torch)
    x_p, h_p = pyts.rand(3, 4), pyts.rand(3, 4)
    x_t, h_t = torch.rand(3, 4), torch.rand(3, 4)
    xm_p, xm_t = pyts.rand(64, 256), torch.rand(64, 256)

    row("trace MyCell", best(lambda: pyts.jit.trace(cell_p, (x_p, h_p)), 20),
        best(lambda: torch.jit.trace(cell_t, (x_t, h_t)), 20))
    row("trace MLP", best(lambda: pyts.jit.trace(mlp_p, (xm_p,)), 10),
        best(lambda: torch.jit.trace(mlp_t, (xm_t,)), 10))

    tc_p, tc_t = pyts.jit.trace(cell_p, (x_p, h_p)), torch.jit.trace(cell_t, (x_t, h_t))
    tm_p, tm_t = pyts.jit.trace(mlp_p, (xm_p,)), torch.jit.trace(mlp_t, (xm_t,))
    with pyts.no_grad(), torch.no_grad():
        row("MyCell eager call", best(lambda: cell_p(x_p, h_p)), best(lambda: cell_t(x_t, h_t)))
        row("MyCell traced call", best(lambda: tc_p(x_p, h_p)), best(lambda: tc_t(x_t, h_t)))
        row("MLP eager call", best(lambda: mlp_p(xm_p)), best(lambda: mlp_t(xm_t)))
        row("MLP traced call", best(lambda: tm_p(xm_p)), best(lambda: tm_t(xm_t)))

    forks(4)

    # threads: calls per second of one traced module from 1 and 2 Python threads, with the BLAS
    # thread count pyts starts with and with 1. cpu/wall is the CPU the process got: on a loaded
    # machine (other processes, sched autogroup) 2 threads cannot beat 1 however free the calls
    # are of locks, so it is printed with the load average to make the ratio readable.
    # Two BLAS-bound modules: a batch of 256 rows, where one call is big enough to be split over
    # every core (so a single caller already uses the whole machine), and a batch of 8, where one
    # call runs on one core (blas.c's split threshold) and concurrency is the only parallelism.
    lin_p, lin_t = pyts.nn.Linear(256, 256), torch.nn.Linear(256, 256)
    modules = []
    for rows in (256, 8):
        xb_p, xb_t = pyts.rand(rows, 256), torch.rand(rows, 256)
        modules.append((rows, pyts.jit.trace(lin_p, (xb_p,)), xb_p, torch.jit.trace(lin_t, (xb_t,)), xb_t))

    ROUNDS = 3 if not ARGS.quick else 1

    def throughput(fn, lib, nthreads, seconds=0.6 if not ARGS.quick else 0.4):
        counts = [0] * nthreads
        stop = time.perf_counter() + seconds

        def work(i):
            with lib.no_grad():
                while time.perf_counter() < stop:
                    fn()
                    counts[i] += 1

        c0, w0 = os.times(), time.perf_counter()
        ths = [threading.Thread(target=work, args=(i,)) for i in range(nthreads)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        c1, w1 = os.times(), time.perf_counter()
        cpu = (c1.user + c1.system - c0.user - c0.system) / (w1 - w0)
        return sum(counts) / seconds, cpu

    # "default" is each library's own starting thread count; pyts shares it between concurrent
    # callers (base/pool.h), torch gives every call its full intra-op pool.
    for rows, tl_p, xb_p, tl_t, xb_t in modules:
        for label, nthr in (("default", None), ("1", 1)):
            for name, lib, fn, dflt in (("pyts", pyts, lambda: tl_p(xb_p), DEFAULT_BLAS_THREADS),
                                        ("torch", torch, lambda: tl_t(xb_t), DEFAULT_TORCH_THREADS)):
                n = dflt if nthr is None else nthr
                lib.set_num_threads(n)
                # best of three alternating rounds: this runs on shared virtual cores, where one
                # 1-second window can lose a third of its CPU to a neighbour; a pause first lets
                # the other library's idle pool threads stop spinning
                time.sleep(0.3)
                rounds = [(throughput(fn, lib, 1), throughput(fn, lib, 2)) for _ in range(ROUNDS)]
                (t1, c1), (t2, c2) = max(r[0] for r in rounds), max(r[1] for r in rounds)
                print(f"{name:5s} traced Linear(256) on {rows:3d}x256 threads={label} ({n}): "
                      f"1 caller {t1:7.0f}/s (cpu {c1:.2f}), 2 callers {t2:7.0f}/s (cpu {c2:.2f})   "
                      f"{t2 / t1:5.2f}x")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("targets: traced MyCell call <= 0.3x torch; 2 threads >= 1.7x of 1; trace time <= 0.2x torch")


if __name__ == "__main__":
    main()
