"""TorchScript archives in pyts and PyTorch 2.13, side by side, with ratios.

For the seed's WrapRNN (traced around a scripted loop around a traced gated cell), an MLP with
10M parameters (traced) and a TransformerEncoderLayer: save time (to a path, which pyts replaces
atomically and fsyncs while torch does not sync, and to an io.BytesIO), load time (from a file),
archive size, and the latency of the first call after a load next to the steady-state call (a
ratio near 1 means no warm-up). Each library saves and loads its own traced models (pyts loads
from a path by mapping the file; see README "Archives"). A first call that pyts cannot run yet is
reported as such.

    python benchmarks/bench_archive.py [--quick]
"""
import argparse
import io
import os
import tempfile
import time

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--quick", action="store_true")
ARGS = ap.parse_args()

from _common import fmt, traced_wrap_rnn  # noqa: E402  (also puts the repository on sys.path)
import pyts  # noqa: E402
import pyts.jit  # noqa: E402
import torch  # noqa: E402

REPEATS = 3 if ARGS.quick else 7


def best(fn, repeats=REPEATS):
    """Best of single timed calls (save/load/first-call are not repeatable in a loop)."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def mlp(lib):
    nn = lib.nn

    class MLP(nn.Module):
        # 2048*2048*2 + 2048*512 + 1024*2048 + biases ~ 10.5M parameters
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.Linear(1024, 2048), nn.Linear(2048, 2048), nn.Linear(2048, 2048)
            self.l4 = nn.Linear(2048, 512)

        def forward(self, x):
            return self.l4(lib.relu(self.l3(lib.relu(self.l2(lib.relu(self.l1(x)))))))

    x = lib.rand(8, 1024)
    return lib.jit.trace(MLP(), (x,)), (x,)


def transformer(lib):
    # each library saves and loads its own traced layer (pyts.nn.TransformerEncoderLayer)
    m = lib.nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.0).eval()
    x = lib.rand(16, 4, 256)
    return lib.jit.trace(m, (x,)), (x,)


def measure(lib, mod, args, path):
    """save time, load time, size, first call after a fresh load, steady call, save to BytesIO."""
    save = best(lambda: lib.jit.save(mod, path), 3)
    save_mem = best(lambda: lib.jit.save(mod, io.BytesIO()), 3)
    size = os.path.getsize(path)
    load = best(lambda: lib.jit.load(path))
    firsts, steady = [], None
    for _ in range(3):
        m = lib.jit.load(path)
        if lib is torch:
            m.eval()
        try:
            with lib.no_grad():
                t0 = time.perf_counter()
                m(*args)
                firsts.append(time.perf_counter() - t0)
                steady = best(lambda: m(*args), 5)
        except NotImplementedError as e:
            reason = str(e).split("\n")
            missing = next((ln for ln in reason if "Unknown builtin op" in ln), reason[-1])
            return save, load, size, None, None, missing.strip(), save_mem
    return save, load, size, min(firsts), steady, None, save_mem


def main():
    torch.set_num_threads(1)
    pyts.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="bench_archive")
    print(f"{'':28s} {'pyts':>12s} {'torch':>12s}   torch/pyts")
    notes = []
    for name, build in (("WrapRNN (seed)", traced_wrap_rnn), ("MLP 10M params", mlp), ("TransformerEncoderLayer", transformer)):
        torch.manual_seed(0)
        tm, targs = build(torch)
        pm, pargs = build(pyts)
        tpath, ppath = os.path.join(tmp, "t.pt"), os.path.join(tmp, "p.pt")
        # alternate the libraries: the machine's load drifts
        t = measure(torch, tm, targs, tpath)
        p = measure(pyts, pm, pargs, ppath)
        t2 = measure(torch, tm, targs, tpath)
        p2 = measure(pyts, pm, pargs, ppath)
        t = tuple(min(a, b) if isinstance(a, float) else a for a, b in zip(t, t2))
        p = tuple(min(a, b) if isinstance(a, float) else a for a, b in zip(p, p2))
        print(f"{name}")
        ratio = lambda a, b: f"{b / a:8.1f}x" if a and b else f"{'':9s}"  # noqa: E731
        print(f"  {'save (path)':26s} {fmt(p[0])} {fmt(t[0])}   {ratio(p[0], t[0])}")
        print(f"  {'save (BytesIO)':26s} {fmt(p[6])} {fmt(t[6])}   {ratio(p[6], t[6])}")
        print(f"  {'load':26s} {fmt(p[1])} {fmt(t[1])}   {ratio(p[1], t[1])}")
        psz = f"{p[2] / 1e3:9.1f} kB" if p[2] else f"{'n/a':>12s}"
        print(f"  {'archive size':26s} {psz} {t[2] / 1e3:9.1f} kB")
        print(f"  {'first call after load':26s} {fmt(p[3])} {fmt(t[3])}   {ratio(p[3], t[3])}")
        print(f"  {'steady call':26s} {fmt(p[4])} {fmt(t[4])}   {ratio(p[4], t[4])}")
        if p[3] and p[4]:
            print(f"  {'warm-up (first/steady)':26s} {p[3] / p[4]:11.2f}x {t[3] / t[4]:11.2f}x")
        if p[5]:
            notes.append(f"{name}: pyts cannot run it yet: {p[5]}")
    for n in notes:
        print("note:", n)
    print("targets: load >= 5x faster than torch.jit.load; first call after load ~ steady call (no warm-up)")


if __name__ == "__main__":
    main()
